//! A small popup form: a title, labelled fields, an error line. The screen that owns it
//! decides what Ctrl-S (submit) and Esc (cancel) mean; the form moves between fields on
//! Tab / Shift-Tab and Enter in a one-line field.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::input::TextInput;
use crate::text;
use crate::tui::env::Env;

pub struct Field {
    pub label: String,
    pub input: TextInput,
}

pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// A line of help under the fields (e.g. which keys choose the level).
    pub hint: Option<String>,
    /// A line of news, e.g. that an autosaved draft was restored.
    pub notice: Option<String>,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    Handled,
    /// Enter on the last one-line field: the owner may submit.
    Submit,
}

impl Form {
    pub fn new(title: impl Into<String>) -> Form {
        Form {
            title: title.into(),
            fields: Vec::new(),
            focus: 0,
            error: None,
            hint: None,
            notice: None,
        }
    }

    /// Every field's text, in order.
    pub fn values(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.input.text()).collect()
    }

    /// Replaces field `i`'s text, keeping its kind (one line or several). A secret field
    /// is never filled from outside.
    pub fn set_value(&mut self, i: usize, value: &str) {
        if let Some(f) = self.fields.get_mut(i)
            && !f.input.is_secret()
        {
            f.input = if f.input.is_multiline() {
                TextInput::multi_line(value)
            } else {
                TextInput::single_line(value)
            };
        }
    }

    pub fn line(mut self, label: impl Into<String>, value: &str) -> Form {
        self.fields.push(Field {
            label: label.into(),
            input: TextInput::single_line(value),
        });
        self
    }

    pub fn text(mut self, label: impl Into<String>, value: &str) -> Form {
        self.fields.push(Field {
            label: label.into(),
            input: TextInput::multi_line(value),
        });
        self
    }

    /// A passphrase field: typed characters show as dots, here and when not focused.
    pub fn secret(mut self, label: impl Into<String>) -> Form {
        self.fields.push(Field {
            label: label.into(),
            input: TextInput::secret(),
        });
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Form {
        self.hint = Some(hint.into());
        self
    }

    pub fn value(&self, i: usize) -> String {
        self.fields
            .get(i)
            .map(|f| f.input.text())
            .unwrap_or_default()
    }

    pub fn key(&mut self, key: KeyEvent) -> FormKey {
        let n = self.fields.len();
        match key.code {
            KeyCode::Tab => {
                self.focus = (self.focus + 1) % n.max(1);
                FormKey::Handled
            }
            KeyCode::BackTab => {
                self.focus = (self.focus + n.max(1) - 1) % n.max(1);
                FormKey::Handled
            }
            _ => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return FormKey::Handled;
                };
                if field.input.key(key) {
                    self.error = None;
                    return FormKey::Handled;
                }
                if key.code == KeyCode::Enter {
                    if self.focus + 1 < n {
                        self.focus += 1;
                    } else {
                        return FormKey::Submit;
                    }
                }
                FormKey::Handled
            }
        }
    }

    pub fn paste(&mut self, s: &str) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.input.paste(s);
        }
    }

    /// Draws the form centred in `area`.
    pub fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = &env.theme;
        let width = area.width.saturating_sub(8).clamp(40, 90);
        let heights: Vec<u16> = self
            .fields
            .iter()
            .map(|f| if f.input.is_multiline() { 8 } else { 1 })
            .collect();
        let body: u16 = heights.iter().map(|h| h + 1).sum::<u16>()
            + u16::from(self.error.is_some())
            + u16::from(self.hint.is_some())
            + u16::from(self.notice.is_some());
        let height = (body + 3).min(area.height);
        let popup = Rect {
            x: area.x + (area.width.saturating_sub(width)) / 2,
            y: area.y + (area.height.saturating_sub(height)) / 2,
            width: width.min(area.width),
            height,
        };
        crate::tui::widgets::clear_popup(frame, popup);
        let save = env.t("form.keys");
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(th.border())
            .title(Span::styled(
                format!(" {} ", text::sanitize_line(&self.title)),
                th.title(),
            ))
            .title_bottom(Span::styled(format!(" {save} "), th.dim()));
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        let mut y = inner.y;
        let bottom = inner.y + inner.height;
        let mut cursor_field = None;
        for (i, f) in self.fields.iter().enumerate() {
            if y >= bottom {
                break;
            }
            let style = if i == self.focus { th.key() } else { th.text() };
            frame.render_widget(
                Paragraph::new(Span::styled(
                    text::truncate(&f.label, usize::from(inner.width)),
                    style,
                )),
                Rect {
                    x: inner.x,
                    y,
                    width: inner.width,
                    height: 1,
                },
            );
            y += 1;
            let h = heights[i].min(bottom.saturating_sub(y));
            let r = Rect {
                x: inner.x + 2,
                y,
                width: inner.width.saturating_sub(2),
                height: h,
            };
            if i == self.focus {
                cursor_field = Some(r);
            } else {
                let shown = if f.input.is_secret() {
                    "•".repeat(f.input.text().chars().count())
                } else {
                    f.input.text()
                };
                let lines: Vec<Line<'_>> = text::wrap(&shown, usize::from(r.width.max(2)))
                    .into_iter()
                    .take(usize::from(h))
                    .map(|l| Line::styled(l, th.dim()))
                    .collect();
                frame.render_widget(Paragraph::new(lines), r);
            }
            y += h;
        }
        if let Some(hint) = &self.hint
            && y < bottom
        {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    text::truncate(hint, usize::from(inner.width)),
                    th.dim(),
                )),
                Rect {
                    x: inner.x,
                    y,
                    width: inner.width,
                    height: 1,
                },
            );
            y += 1;
        }
        if let Some(notice) = &self.notice
            && y < bottom
        {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    text::truncate(notice, usize::from(inner.width)),
                    th.warn(),
                )),
                Rect {
                    x: inner.x,
                    y,
                    width: inner.width,
                    height: 1,
                },
            );
            y += 1;
        }
        if let Some(err) = &self.error
            && y < bottom
        {
            let lines: Vec<Line<'_>> = text::wrap(err, usize::from(inner.width.max(2)))
                .into_iter()
                .map(|l| Line::styled(l, th.error()))
                .collect();
            frame.render_widget(
                Paragraph::new(lines),
                Rect {
                    x: inner.x,
                    y,
                    width: inner.width,
                    height: bottom - y,
                },
            );
        }
        // The focused field last, so the terminal cursor ends at its caret.
        if let Some(r) = cursor_field
            && let Some(f) = self.fields.get_mut(self.focus)
        {
            f.input
                .render(frame, r, None, Style::default().patch(th.text()));
        }
    }
}
