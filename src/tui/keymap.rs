//! The one table of keys. Every binding is (context, keys, action); the status bar shows the
//! bindings marked as hints for the current contexts, and `?` renders all of them. The
//! config's `[keys]` table can rebind any action: `"met" = "1"`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

use super::action::Action;
use crate::code_enum;

code_enum! {
    /// Where a key is pressed. A screen reports its contexts, most specific first; `Global`
    /// always comes last.
    pub enum Ctx: "ctx" {
        Global = "global",
        List = "list",
        Dashboard = "dashboard",
        CaseList = "case_list",
        CaseFile = "case_file",
        Session = "session",
        Setup = "setup",
        Scoring = "scoring",
        Decision = "decision",
        Confirm = "confirm",
        End = "end",
        Drafts = "drafts",
        Duplicates = "duplicates",
        Input = "input",
        Help = "help",
    }
}

/// One key with its modifiers, as written in the table and the config: `y`, `G`, `?`,
/// `ctrl-s`, `shift-tab`, `enter`, `esc`, `pgdn`, `f1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeySpec {
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.len() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" if shift => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().expect("checked");
                if !(1..=12).contains(&n) {
                    return Err(format!("`{s}`: function keys are f1 to f12"));
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        let c = if shift { c.to_ascii_uppercase() } else { c };
                        let c = if ctrl { c.to_ascii_lowercase() } else { c };
                        KeyCode::Char(c)
                    }
                    _ => {
                        return Err(format!(
                            "`{s}` is not a key casepanel knows (examples: y, G, ?, ctrl-s, shift-tab, enter, pgdn, f1)"
                        ));
                    }
                }
            }
        };
        Ok(KeySpec { code, ctrl, alt })
    }

    pub fn matches(&self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if ctrl != self.ctrl || alt != self.alt {
            return false;
        }
        match (self.code, key.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                if self.ctrl {
                    a.eq_ignore_ascii_case(&b)
                } else {
                    a == b
                }
            }
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The default table: (context, keys separated by spaces, action, shown in the status bar).
const DEFAULTS: &[(Ctx, &str, Action, bool)] = &[
    // Text fields: only these keys are taken from the field.
    (Ctx::Input, "ctrl-s", Action::Save, true),
    (Ctx::Input, "esc", Action::Back, true),
    // Help overlay.
    (Ctx::Help, "esc ? q", Action::Back, true),
    (Ctx::Help, "up k", Action::Up, false),
    (Ctx::Help, "down j", Action::Down, false),
    // Dashboard.
    (Ctx::Dashboard, "s", Action::StartSession, true),
    (Ctx::Dashboard, "c", Action::Cases, true),
    (Ctx::Dashboard, "r", Action::Queue, true),
    (Ctx::Dashboard, "u", Action::Duplicates, false),
    // Panel session: setup (roll call and agenda).
    (Ctx::Setup, "space", Action::Toggle, true),
    (Ctx::Setup, "c", Action::Chair, true),
    (Ctx::Setup, "s", Action::Secretary, true),
    (Ctx::Setup, "a", Action::AddCase, true),
    (Ctx::Setup, "x delete", Action::RemoveCase, false),
    (Ctx::Setup, "K", Action::MoveUp, false),
    (Ctx::Setup, "J", Action::MoveDown, false),
    (Ctx::Setup, "tab", Action::NextField, true),
    (Ctx::Setup, "shift-tab", Action::PrevField, false),
    (Ctx::Setup, "enter", Action::Begin, true),
    // Panel session: scoring.
    (Ctx::Scoring, "y", Action::Met, true),
    (Ctx::Scoring, "n", Action::NotMet, true),
    (Ctx::Scoring, "u", Action::Unknown, true),
    (Ctx::Scoring, "e", Action::Evidence, true),
    // Panel session: decision.
    (Ctx::Decision, "space", Action::Toggle, true),
    (Ctx::Decision, "enter", Action::Open, true),
    (Ctx::Decision, "o", Action::Override, true),
    (Ctx::Decision, "p", Action::PoliceReport, false),
    // Panel session: confirm and end.
    (Ctx::Confirm, "ctrl-s", Action::Confirm, true),
    (Ctx::End, "enter", Action::EndSession, true),
    // Panel session, every case step.
    (Ctx::Session, "tab", Action::NextStep, true),
    (Ctx::Session, "shift-tab", Action::PrevStep, false),
    (Ctx::Session, "]", Action::NextCase, true),
    (Ctx::Session, "[", Action::PrevCase, false),
    (Ctx::Drafts, "x", Action::Discard, true),
    (Ctx::Duplicates, "y", Action::SameChild, true),
    (Ctx::Duplicates, "n", Action::DifferentChildren, true),
    (Ctx::Session, "d", Action::Defer, true),
    (Ctx::Session, "A", Action::Amend, false),
    (Ctx::Session, "space", Action::Toggle, false),
    (Ctx::Session, "a", Action::AddVisit, false),
    // Case list.
    (Ctx::CaseList, "/", Action::Search, true),
    (Ctx::CaseList, "f", Action::Filter, true),
    (Ctx::CaseList, "F", Action::ClearFilter, false),
    // Case file.
    (Ctx::CaseFile, "tab right l", Action::NextTab, true),
    (Ctx::CaseFile, "shift-tab left h", Action::PrevTab, false),
    (Ctx::CaseFile, "a", Action::AddVisit, true),
    (Ctx::CaseFile, "n", Action::AddReport, true),
    (Ctx::CaseFile, "s", Action::Progress, false),
    // Lists and scrolling.
    (Ctx::List, "up k", Action::Up, true),
    (Ctx::List, "down j", Action::Down, false),
    (Ctx::List, "pgup", Action::PageUp, false),
    (Ctx::List, "pgdn", Action::PageDown, false),
    (Ctx::List, "g home", Action::First, false),
    (Ctx::List, "G end", Action::Last, false),
    (Ctx::List, "enter", Action::Open, true),
    // Everywhere.
    (Ctx::Global, "?", Action::Help, true),
    (Ctx::Global, ":", Action::Palette, false),
    (Ctx::Global, "ctrl-b", Action::Blank, false),
    (Ctx::Global, "ctrl-p", Action::Privacy, false),
    (Ctx::Global, "v", Action::Reveal, false),
    (Ctx::Global, "esc", Action::Back, true),
    (Ctx::Global, "q", Action::Quit, true),
    (Ctx::Global, "ctrl-c", Action::Quit, false),
];

/// One binding of the live keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub ctx: Ctx,
    pub keys: Vec<KeySpec>,
    pub action: Action,
    pub hint: bool,
}

/// The keymap in force: the defaults with the config's overrides applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::with_overrides(&BTreeMap::new()).expect("the default table parses")
    }
}

impl Keymap {
    /// The defaults, with `overrides` (action code → keys separated by spaces) replacing
    /// the keys of every binding of that action.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, String> {
        for name in overrides.keys() {
            if Action::from_code(name).is_none() {
                return Err(format!(
                    "[keys] \"{name}\": no such action. Actions: {}",
                    Action::ALL
                        .iter()
                        .map(|a| a.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let parse = |s: &str| -> Result<Vec<KeySpec>, String> {
            s.split_whitespace().map(KeySpec::parse).collect()
        };
        let mut bindings = Vec::with_capacity(DEFAULTS.len());
        for &(ctx, keys, action, hint) in DEFAULTS {
            let keys = match overrides.get(action.code()) {
                Some(k) => parse(k).map_err(|e| format!("[keys] \"{}\": {e}", action.code()))?,
                None => parse(keys)?,
            };
            bindings.push(Binding {
                ctx,
                keys,
                action,
                hint,
            });
        }
        Ok(Keymap { bindings })
    }

    /// The action `key` asks for in `contexts` (most specific first).
    pub fn resolve(&self, contexts: &[Ctx], key: &KeyEvent) -> Option<Action> {
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.ctx == *ctx && b.keys.iter().any(|k| k.matches(key)))
                .map(|b| b.action)
        })
    }

    /// The bindings that apply in `contexts`, most specific first: each action once, and
    /// none whose keys a more specific binding has taken.
    pub fn active(&self, contexts: &[Ctx]) -> Vec<&Binding> {
        let mut seen = Vec::new();
        let mut taken: Vec<KeySpec> = Vec::new();
        let mut out = Vec::new();
        for ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.ctx == *ctx) {
                let shadowed = b.keys.iter().all(|k| taken.contains(k));
                if !seen.contains(&b.action) && !shadowed {
                    seen.push(b.action);
                    out.push(b);
                }
            }
            for b in self.bindings.iter().filter(|b| b.ctx == *ctx) {
                taken.extend(b.keys.iter().copied());
            }
        }
        out
    }

    /// The keys that reach `action` in `contexts`, for messages like "press Ctrl-S".
    pub fn keys_for(&self, contexts: &[Ctx], action: Action) -> Option<&KeySpec> {
        self.active(contexts)
            .into_iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn specific_context_wins() {
        let km = Keymap::default();
        let y = key(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(
            km.resolve(&[Ctx::Scoring, Ctx::Session, Ctx::List, Ctx::Global], &y),
            Some(Action::Met)
        );
        assert_eq!(km.resolve(&[Ctx::Dashboard, Ctx::Global], &y), None);
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(
            km.resolve(&[Ctx::Scoring, Ctx::Session, Ctx::Global], &tab),
            Some(Action::NextStep)
        );
        let btab = key(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            km.resolve(&[Ctx::Session, Ctx::Global], &btab),
            Some(Action::PrevStep)
        );
    }

    #[test]
    fn ctrl_keys_and_capitals() {
        let km = Keymap::default();
        let ctrl_b = key(KeyCode::Char('b'), KeyModifiers::CONTROL);
        assert_eq!(km.resolve(&[Ctx::Global], &ctrl_b), Some(Action::Blank));
        let big_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            km.resolve(&[Ctx::List, Ctx::Global], &big_g),
            Some(Action::Last)
        );
        let b = key(KeyCode::Char('b'), KeyModifiers::NONE);
        assert_eq!(km.resolve(&[Ctx::Global], &b), None);
    }

    #[test]
    fn overrides_replace_keys_and_bad_ones_are_named() {
        let mut o = BTreeMap::new();
        o.insert("met".to_string(), "1 m".to_string());
        let km = Keymap::with_overrides(&o).unwrap();
        let one = key(KeyCode::Char('1'), KeyModifiers::NONE);
        let y = key(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(km.resolve(&[Ctx::Scoring], &one), Some(Action::Met));
        assert_eq!(km.resolve(&[Ctx::Scoring], &y), None);
        o.insert("fly".to_string(), "x".to_string());
        assert!(Keymap::with_overrides(&o).unwrap_err().contains("fly"));
        let mut o = BTreeMap::new();
        o.insert("met".to_string(), "ctrl-".to_string());
        assert!(Keymap::with_overrides(&o).is_err());
    }

    #[test]
    fn key_specs_round_trip_for_display() {
        assert_eq!(KeySpec::parse("ctrl-s").unwrap().to_string(), "Ctrl-S");
        assert_eq!(
            KeySpec::parse("shift-tab").unwrap().to_string(),
            "Shift-Tab"
        );
        assert_eq!(KeySpec::parse("space").unwrap().to_string(), "Space");
        assert_eq!(KeySpec::parse("f1").unwrap().to_string(), "F1");
        assert!(KeySpec::parse("f13").is_err());
        assert!(KeySpec::parse("nope").is_err());
    }

    #[test]
    fn every_action_has_a_key_somewhere_or_is_reserved() {
        let km = Keymap::default();
        for a in Action::ALL {
            assert!(
                km.bindings.iter().any(|b| b.action == *a),
                "action {a} has no binding"
            );
        }
    }
}
