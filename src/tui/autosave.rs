//! Autosave: text being typed is kept in the store ([`crate::store::autosave`]) within
//! two seconds of the last keystroke, so a crash, a kill or a power cut loses at most the
//! last two seconds. A draft is removed in the same transaction that saves the text for
//! real, or when the officer discards it; what is left is offered back on the next start.
//!
//! The app decides *when* ([`due`]); each editing screen decides *what*
//! ([`crate::tui::view::View::autosave`]). Places name where the text was typed.

use std::time::{Duration, Instant};

/// Save once typing has paused this long…
pub const PAUSE: Duration = Duration::from_secs(1);
/// …or, while typing goes on, at least this often.
pub const EVERY: Duration = Duration::from_secs(2);

/// Whether an autosave is due: something was typed since the last one, and typing has
/// paused, or the last autosave is [`EVERY`] old.
pub fn due(typed_at: Option<Instant>, saved_at: Instant, now: Instant) -> bool {
    match typed_at {
        Some(t) => now.duration_since(t) >= PAUSE || now.duration_since(saved_at) >= EVERY,
        None => false,
    }
}

/// Where text is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The home-visit editor: a new visit on a case, or an existing visit.
    Visit { case_id: i64, visit_id: Option<i64> },
    /// A follow-up visit (跟踪回访) on intervention `position` of sealed decision
    /// `decision_id`.
    FollowUp {
        case_id: i64,
        decision_id: i64,
        position: usize,
    },
    /// A text form of a panel session on one case: `what` is e.g. `dissent`,
    /// `evidence:L1-02`, `override`, `amend_reason`, `defer`.
    SessionForm {
        session_id: i64,
        case_id: i64,
        what: String,
    },
}

impl Place {
    pub fn key(&self) -> String {
        match self {
            Place::Visit {
                case_id,
                visit_id: None,
            } => format!("visit:new:{case_id}"),
            Place::Visit {
                case_id,
                visit_id: Some(v),
            } => format!("visit:{case_id}:{v}"),
            Place::FollowUp {
                case_id,
                decision_id,
                position,
            } => format!("followup:{case_id}:{decision_id}:{position}"),
            Place::SessionForm {
                session_id,
                case_id,
                what,
            } => format!("session:{session_id}:case:{case_id}:{what}"),
        }
    }

    pub fn parse(key: &str) -> Option<Place> {
        let parts: Vec<&str> = key.splitn(5, ':').collect();
        match parts.as_slice() {
            ["visit", "new", case] => Some(Place::Visit {
                case_id: case.parse().ok()?,
                visit_id: None,
            }),
            ["visit", case, visit] => Some(Place::Visit {
                case_id: case.parse().ok()?,
                visit_id: Some(visit.parse().ok()?),
            }),
            ["followup", case, decision, position] => Some(Place::FollowUp {
                case_id: case.parse().ok()?,
                decision_id: decision.parse().ok()?,
                position: position.parse().ok()?,
            }),
            ["session", s, "case", c, what] => Some(Place::SessionForm {
                session_id: s.parse().ok()?,
                case_id: c.parse().ok()?,
                what: (*what).to_string(),
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_round_trip() {
        for p in [
            Place::Visit {
                case_id: 12,
                visit_id: None,
            },
            Place::Visit {
                case_id: 12,
                visit_id: Some(7),
            },
            Place::SessionForm {
                session_id: 3,
                case_id: 12,
                what: "evidence:L1-02".into(),
            },
            Place::FollowUp {
                case_id: 12,
                decision_id: 4,
                position: 1,
            },
        ] {
            assert_eq!(Place::parse(&p.key()), Some(p));
        }
        assert_eq!(Place::parse("visit:x"), None);
    }

    #[test]
    fn due_after_a_pause_or_every_two_seconds() {
        let t0 = Instant::now();
        let s = |ms| t0 + Duration::from_millis(ms);
        assert!(!due(None, t0, s(5000)));
        assert!(!due(Some(s(0)), t0, s(900)));
        assert!(due(Some(s(0)), t0, s(1000)));
        // Typing without a pause: saved every two seconds all the same.
        assert!(due(Some(s(1900)), t0, s(2000)));
    }
}
