//! Small drawing pieces shared by the screens. They only borrow state.

pub mod form;
pub mod input;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::env::Env;
use crate::text;

/// Clears `area` for a popup. A wide character just left of it would otherwise hide the
/// popup's left border (the terminal draws the character over two cells), so it goes too.
pub fn clear_popup(frame: &mut Frame<'_>, area: Rect) {
    frame.render_widget(ratatui::widgets::Clear, area);
    if area.x == 0 {
        return;
    }
    let buf = frame.buffer_mut();
    for y in area.y..area.y + area.height {
        if let Some(cell) = buf.cell_mut((area.x - 1, y))
            && text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// A section heading with a rule to the right: `风险等级 ────────`.
pub fn section_title(frame: &mut Frame<'_>, area: Rect, env: &Env, title: &str) {
    let th = &env.theme;
    let w = usize::from(area.width);
    let head = format!(" {title} ");
    let rule = th
        .rule()
        .repeat(w.saturating_sub(text::width(&head) + 1) / text::width(th.rule()).max(1));
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(head, th.heading()),
            Span::styled(rule, th.dim()),
        ])),
        area,
    );
}

/// A horizontal bar chart with a title line: label, bar, number. Bars scale to the largest.
pub fn bar_chart(
    frame: &mut Frame<'_>,
    area: Rect,
    env: &Env,
    title: &str,
    rows: &[(String, usize, Style)],
) {
    let th = &env.theme;
    let mut lines = vec![Line::styled(format!(" {title}"), th.heading())];
    let label_w = rows
        .iter()
        .map(|(l, _, _)| text::width(l))
        .max()
        .unwrap_or(0)
        .min(12);
    let max = rows.iter().map(|(_, n, _)| *n).max().unwrap_or(0).max(1);
    let num_w = rows
        .iter()
        .map(|(_, n, _)| n.to_string().len())
        .max()
        .unwrap_or(1);
    let bar_room = usize::from(area.width).saturating_sub(label_w + num_w + 6);
    for (label, n, style) in rows {
        let len = if *n == 0 {
            0
        } else {
            ((n * bar_room) / max).max(1)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {} ", text::pad(label, label_w)), *style),
            Span::styled(th.bar().repeat(len), *style),
            Span::styled(format!(" {n}"), th.text()),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
