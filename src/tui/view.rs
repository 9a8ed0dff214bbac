//! What a screen is: state that answers actions and draws itself.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;
use super::env::Env;
use super::keymap::Ctx;

/// What the app should do after a screen handled an action.
pub enum Outcome {
    /// Handled; stay here.
    Done,
    /// Not for this screen: the app applies its global meaning (help, back, quit...).
    Ignored,
    /// Open another screen on top.
    Push(Box<dyn View>),
    /// Close this screen.
    Pop,
    /// Replace this screen.
    Replace(Box<dyn View>),
    /// Show a one-line message in the status bar.
    Flash(Flash),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub kind: FlashKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Info,
    Ok,
    Error,
}

impl Flash {
    pub fn info(text: impl Into<String>) -> Outcome {
        Outcome::Flash(Flash {
            text: text.into(),
            kind: FlashKind::Info,
        })
    }
    pub fn ok(text: impl Into<String>) -> Outcome {
        Outcome::Flash(Flash {
            text: text.into(),
            kind: FlashKind::Ok,
        })
    }
    pub fn error(text: impl Into<String>) -> Outcome {
        Outcome::Flash(Flash {
            text: text.into(),
            kind: FlashKind::Error,
        })
    }
}

pub trait View {
    /// Contexts for the keymap, most specific first (`Global` is added by the app).
    fn contexts(&self) -> Vec<Ctx>;

    /// The title bar's middle part, e.g. "专家组会议 2026-12-03 · 第 3 / 14 件".
    fn title(&self, env: &Env) -> String;

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome;

    /// Whether the title bar shows today's date (a session shows its own date instead).
    fn shows_date(&self) -> bool {
        true
    }

    /// True while a text field has the keyboard: keys go to [`View::key`] except those
    /// bound in the `Input` context.
    fn editing(&self) -> bool {
        false
    }

    /// A key for the text field being edited.
    fn key(&mut self, _env: &mut Env, _key: KeyEvent) -> Outcome {
        Outcome::Done
    }

    /// Pasted text for the text field being edited.
    fn paste(&mut self, _env: &mut Env, _text: &str) -> Outcome {
        Outcome::Done
    }

    /// Re-read from the store (after another screen changed something).
    fn refresh(&mut self, _env: &mut Env) {}

    /// Called about four times a second.
    fn tick(&mut self, _env: &mut Env) {}

    /// Keeps the text being typed as a draft in the store (see [`crate::tui::autosave`]);
    /// the app calls it when one is due. A failure comes back as a flash.
    fn autosave(&mut self, _env: &mut Env) -> Outcome {
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect);
}
