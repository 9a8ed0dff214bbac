//! The idle lock. After `[lock] minutes` without a key (config; 5 by default, 0 turns it
//! off) the screen hides all case content — the title bar too — until a key is pressed,
//! or, with `[lock] passphrase = true`, until the signing key's passphrase is typed: the
//! one secret a centre already keeps, checked by decrypting the key.
//!
//! Text being typed is autosaved before the screen locks.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::time::{Duration, Instant};

use super::env::Env;
use super::widgets::input::TextInput;
use crate::config::LockConfig;
use crate::text;

/// Whether the screen should lock now.
pub fn due(cfg: &LockConfig, last_input: Instant, now: Instant) -> bool {
    cfg.minutes > 0
        && now.duration_since(last_input) >= Duration::from_secs(60 * cfg.minutes as u64)
}

pub struct Lock {
    passphrase: bool,
    input: TextInput,
    error: Option<String>,
}

impl Lock {
    pub fn new(cfg: &LockConfig) -> Lock {
        Lock {
            passphrase: cfg.passphrase,
            input: TextInput::secret(),
            error: None,
        }
    }

    /// A key while locked; true when it unlocks.
    pub fn key(&mut self, env: &Env, key: KeyEvent) -> bool {
        if !self.passphrase {
            return true;
        }
        match key.code {
            KeyCode::Enter => {
                let pass = self.input.text();
                self.input = TextInput::secret();
                // The config check makes a missing key unreachable; never lock anyone out.
                if !matches!(env.signing, Ok(Some(_))) {
                    return true;
                }
                match env.load_signing_key(Some(&pass)) {
                    Ok(_) => return true,
                    Err(msg) => self.error = Some(msg),
                }
                false
            }
            KeyCode::Esc => {
                self.input = TextInput::secret();
                false
            }
            _ => {
                self.input.key(key);
                false
            }
        }
    }

    pub fn paste(&mut self, s: &str) {
        if self.passphrase {
            self.input.paste(s);
        }
    }

    /// Draws the lock over everything: nothing of the screen below shows.
    pub fn render(&mut self, env: &Env, frame: &mut Frame<'_>) {
        let th = &env.theme;
        let area = frame.area();
        frame.render_widget(Clear, area);
        frame.render_widget(Block::default().style(th.text()), area);
        let how = if self.passphrase {
            env.t("lock.passphrase")
        } else {
            env.t("lock.any_key")
        };
        let width = area.width.saturating_sub(4).clamp(20, 64);
        let mut lines = vec![
            Line::styled(env.t("lock.title"), th.heading()),
            Line::raw(""),
        ];
        for l in text::wrap(how, usize::from(width.saturating_sub(4))) {
            lines.push(Line::styled(l, th.text()));
        }
        let input_row = lines.len() as u16;
        if self.passphrase {
            lines.push(Line::raw(""));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(e.clone(), th.error()));
        }
        let height = (lines.len() as u16 + 2).min(area.height);
        let popup = Rect {
            x: area.x + area.width.saturating_sub(width) / 2,
            y: area.y + area.height.saturating_sub(height) / 2,
            width: width.min(area.width),
            height,
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(th.border());
        let inner = block.inner(popup);
        frame.render_widget(block, popup);
        frame.render_widget(Paragraph::new(lines), inner);
        if self.passphrase && input_row < inner.height {
            let r = Rect {
                x: inner.x + 2,
                y: inner.y + input_row,
                width: inner.width.saturating_sub(4),
                height: 1,
            };
            self.input
                .render(frame, r, None, Style::default().patch(th.selected()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_after_the_configured_minutes_and_never_when_off() {
        let t0 = Instant::now();
        let on = LockConfig {
            minutes: 5,
            passphrase: false,
        };
        assert!(!due(&on, t0, t0 + Duration::from_secs(299)));
        assert!(due(&on, t0, t0 + Duration::from_secs(300)));
        let off = LockConfig {
            minutes: 0,
            passphrase: false,
        };
        assert!(!due(&off, t0, t0 + Duration::from_secs(86_400)));
    }
}
