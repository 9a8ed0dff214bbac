//! A text field or editor: ratatui-textarea with soft wrap, paste, a size limit, and the
//! real terminal cursor placed at the caret so an input method's candidate window opens
//! there.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Block;
use ratatui_textarea::{TextArea, WrapMode};

/// The most characters a free-text field holds (about 30 pages of notes).
pub const MAX_CHARS: usize = 20_000;

pub struct TextInput {
    area: TextArea<'static>,
    multiline: bool,
    max_chars: usize,
    secret: bool,
    /// Set when the last edit was refused for length; the screen shows it.
    pub too_long: bool,
}

impl TextInput {
    pub fn single_line(initial: &str) -> TextInput {
        TextInput::new(initial, false, 500)
    }

    pub fn multi_line(initial: &str) -> TextInput {
        TextInput::new(initial, true, MAX_CHARS)
    }

    /// A one-line field whose characters show as dots (a passphrase). Never prefilled.
    pub fn secret() -> TextInput {
        let mut t = TextInput::new("", false, 1024);
        t.area.set_mask_char('•');
        t.secret = true;
        t
    }

    /// Characters show as dots.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    fn new(initial: &str, multiline: bool, max_chars: usize) -> TextInput {
        let clean = crate::text::sanitize(initial);
        let lines: Vec<String> = if multiline {
            clean.split('\n').map(str::to_string).collect()
        } else {
            vec![crate::text::sanitize_line(&clean)]
        };
        let mut area = TextArea::new(lines);
        area.set_wrap_mode(if multiline {
            WrapMode::WordOrGlyph
        } else {
            WrapMode::None
        });
        area.set_cursor_line_style(Style::default());
        area.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        TextInput {
            area,
            multiline,
            max_chars,
            secret: false,
            too_long: false,
        }
    }

    pub fn is_multiline(&self) -> bool {
        self.multiline
    }

    /// The text as typed, made safe (control characters removed, NFC).
    pub fn text(&self) -> String {
        crate::text::sanitize(&self.area.lines().join("\n"))
    }

    fn len(&self) -> usize {
        self.area
            .lines()
            .iter()
            .map(|l| l.chars().count() + 1)
            .sum::<usize>()
            .saturating_sub(1)
    }

    /// Feeds a key. Enter in a single-line field is not consumed (the screen decides).
    pub fn key(&mut self, key: KeyEvent) -> bool {
        if !self.multiline && key.code == KeyCode::Enter {
            return false;
        }
        if key.code == KeyCode::Tab && !key.modifiers.contains(KeyModifiers::CONTROL) {
            return false;
        }
        let adds = matches!(key.code, KeyCode::Char(_) | KeyCode::Enter)
            && !key.modifiers.contains(KeyModifiers::CONTROL);
        if adds && self.len() >= self.max_chars {
            self.too_long = true;
            return true;
        }
        self.too_long = false;
        self.area.input(key)
    }

    /// Inserts pasted text (the textarea ignores `Event::Paste` by itself).
    pub fn paste(&mut self, s: &str) {
        let clean = crate::text::sanitize(s);
        let clean = if self.multiline {
            clean
        } else {
            crate::text::sanitize_line(&clean)
        };
        let room = self.max_chars.saturating_sub(self.len());
        let take: String = clean.chars().take(room).collect();
        self.too_long = take.chars().count() < clean.chars().count();
        self.area.insert_str(take);
    }

    /// Draws the field and puts the terminal cursor at the caret.
    pub fn render(
        &mut self,
        frame: &mut Frame<'_>,
        area: Rect,
        block: Option<Block<'static>>,
        style: Style,
    ) {
        let inner = match &block {
            Some(b) => b.inner(area),
            None => area,
        };
        match block {
            Some(b) => self.area.set_block(b),
            None => self.area.remove_block(),
        }
        self.area.set_style(style);
        frame.render_widget(&self.area, area);
        let sc = self.area.screen_cursor();
        let (top, left) = self.area.scroll_offset();
        let row = sc.row.saturating_sub(usize::from(top));
        let col = sc.col.saturating_sub(usize::from(left));
        if row < usize::from(inner.height) && col <= usize::from(inner.width) {
            frame.set_cursor_position(Position::new(
                inner.x + col.min(usize::from(inner.width.saturating_sub(1))) as u16,
                inner.y + row as u16,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_is_sanitised_and_limited() {
        let mut t = TextInput::single_line("");
        t.paste("王\x1b[2J小\n明");
        assert_eq!(t.text(), "王[2J小 明");
        let mut t = TextInput::new("", true, 5);
        t.paste("一二三四五六七");
        assert_eq!(t.text(), "一二三四五");
        assert!(t.too_long);
    }

    #[test]
    fn a_secret_field_keeps_its_text_but_never_shows_it() {
        let mut t = TextInput::secret();
        t.paste("口令 pass");
        assert_eq!(t.text(), "口令 pass");
        assert!(t.is_secret());
        let backend = ratatui::backend::TestBackend::new(20, 1);
        let mut term = ratatui::Terminal::new(backend).unwrap();
        term.draw(|f| t.render(f, f.area(), None, Style::default()))
            .unwrap();
        let shown: String = term
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(!shown.contains("pass") && !shown.contains('口'), "{shown}");
        assert!(shown.contains('•'), "{shown}");
    }

    #[test]
    fn single_line_leaves_enter_to_the_screen() {
        let mut t = TextInput::single_line("ab");
        assert!(!t.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert!(t.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)));
        assert_eq!(t.text(), "abc");
    }
}
