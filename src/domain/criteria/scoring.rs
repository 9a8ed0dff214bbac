//! Applying a catalogue's rules to a panel's answers. Pure functions, no I/O.
//!
//! An unanswered indicator counts as [`Answer::Unknown`], and Unknown counts as not met:
//! the computed level only ever rests on what the panel marked as met.

use std::collections::BTreeSet;

use super::{Catalogue, Indicator, Method};
use crate::domain::assessment::{Answer, Answers, Rule, Scoring};
use crate::domain::level::RiskLevel;

/// The answer recorded for an indicator; unanswered is `Unknown`.
pub fn answer_of(answers: &Answers, id: &str) -> Answer {
    answers.get(id).map_or(Answer::Unknown, |e| e.answer)
}

fn is_met(answers: &Answers, id: &str) -> bool {
    answer_of(answers, id) == Answer::Met
}

/// The catalogue's indicators marked met, in catalogue order.
pub fn met<'a>(cat: &'a Catalogue, answers: &Answers) -> Vec<&'a Indicator> {
    cat.indicators
        .iter()
        .filter(|i| is_met(answers, &i.id))
        .collect()
}

/// The hard-trigger indicators marked met, in catalogue order.
pub fn hard_triggers_met<'a>(cat: &'a Catalogue, answers: &Answers) -> Vec<&'a Indicator> {
    cat.indicators
        .iter()
        .filter(|i| i.hard_trigger && is_met(answers, &i.id))
        .collect()
}

fn ids(indicators: &[&Indicator]) -> Vec<String> {
    indicators.iter().map(|i| i.id.clone()).collect()
}

/// The level the catalogue's rules give for these answers, and why.
///
/// Hard triggers met → level 1 ([`Rule::HardTrigger`]). Otherwise the catalogue's method:
/// the most severe level with an indicator met ([`Rule::HighestLevel`]), or the most severe
/// level whose threshold the sum of met weights reaches ([`Rule::Points`]). Nothing met, or
/// no threshold reached → no level ([`Rule::NoneMet`]). Answers to ids the catalogue does
/// not know are ignored.
pub fn score(cat: &Catalogue, answers: &Answers) -> Scoring {
    let hard = hard_triggers_met(cat, answers);
    if !hard.is_empty() {
        return Scoring {
            level: Some(RiskLevel::L1),
            rule: Rule::HardTrigger {
                indicators: ids(&hard),
            },
        };
    }
    let met = met(cat, answers);
    match &cat.method {
        Method::HighestLevel => {
            for level in RiskLevel::ALL {
                let at: Vec<&Indicator> =
                    met.iter().copied().filter(|i| i.level == level).collect();
                if !at.is_empty() {
                    return Scoring {
                        level: Some(level),
                        rule: Rule::HighestLevel {
                            level,
                            indicators: ids(&at),
                        },
                    };
                }
            }
        }
        Method::Points { thresholds } => {
            let total = met.iter().fold(0u32, |sum, i| sum.saturating_add(i.weight));
            for level in RiskLevel::ALL {
                let threshold = thresholds.for_level(level);
                if total >= threshold {
                    return Scoring {
                        level: Some(level),
                        rule: Rule::Points {
                            level,
                            total,
                            threshold,
                        },
                    };
                }
            }
        }
    }
    Scoring {
        level: None,
        rule: Rule::NoneMet,
    }
}

/// Why the panel may not set the level it proposed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error(
        "level {0} is already the computed level: no override is needed (remove the override instead)"
    )]
    SameAsComputed(RiskLevel),
    #[error(
        "an override may move the level one step only: computed {}, proposed level {proposed}; \
         if the answers are wrong, correct the answers instead",
        level_text(*.computed)
    )]
    TooFar {
        computed: Option<RiskLevel>,
        proposed: RiskLevel,
    },
    #[error(
        "hard trigger {} is met, so the level stays at 1 and cannot be lowered to {proposed}; \
         if the indicator is not in fact met, change its answer and record the evidence",
        .indicators.join(", ")
    )]
    HardTrigger {
        indicators: Vec<String>,
        proposed: RiskLevel,
    },
    #[error("an override needs a reason: write why the panel departs from the computed level")]
    EmptyReason,
}

fn level_text(l: Option<RiskLevel>) -> String {
    match l {
        Some(l) => format!("level {l}"),
        None => "no level (only level 3 can be set by override)".to_owned(),
    }
}

/// Checks a proposed override of the computed level.
///
/// Allowed: one step from the computed level (no level counts as one step below level 3),
/// with a non-blank reason, and never below level 1 while a hard trigger is met.
/// Checked in this order: same as computed, hard trigger, distance, reason.
pub fn check_override(
    cat: &Catalogue,
    answers: &Answers,
    computed: &Scoring,
    proposed: RiskLevel,
    reason: &str,
) -> Result<(), OverrideError> {
    if computed.level == Some(proposed) {
        return Err(OverrideError::SameAsComputed(proposed));
    }
    let hard = hard_triggers_met(cat, answers);
    if !hard.is_empty() && proposed != RiskLevel::L1 {
        return Err(OverrideError::HardTrigger {
            indicators: ids(&hard),
            proposed,
        });
    }
    // "No level" sits one step below level 3.
    let from = computed.level.map_or(4, RiskLevel::number);
    if from.abs_diff(proposed.number()) > 1 {
        return Err(OverrideError::TooFar {
            computed: computed.level,
            proposed,
        });
    }
    if reason.trim().is_empty() {
        return Err(OverrideError::EmptyReason);
    }
    Ok(())
}

/// Required indicators still unknown or unanswered: while any remain, the assessment cannot
/// be finalised.
pub fn required_unknown<'a>(cat: &'a Catalogue, answers: &Answers) -> Vec<&'a Indicator> {
    cat.indicators
        .iter()
        .filter(|i| i.required && answer_of(answers, &i.id) == Answer::Unknown)
        .collect()
}

/// Reportable indicators marked met: each needs a police report (强制报告) recorded before
/// the decision is sealed.
pub fn reportable_met<'a>(cat: &'a Catalogue, answers: &Answers) -> Vec<&'a Indicator> {
    cat.indicators
        .iter()
        .filter(|i| i.reportable && is_met(answers, &i.id))
        .collect()
}

/// What changed between two reviews: `(indicator id, previous answer, current answer)` for
/// every indicator whose answer differs, in id order. Evidence edits are not changes, and
/// unanswered and `Unknown` count as the same (the rules treat them alike).
pub fn diff(
    previous: &Answers,
    current: &Answers,
) -> Vec<(String, Option<Answer>, Option<Answer>)> {
    let ids: BTreeSet<&String> = previous.keys().chain(current.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let before = previous.get(id).map(|e| e.answer);
            let after = current.get(id).map(|e| e.answer);
            let same = before.unwrap_or(Answer::Unknown) == after.unwrap_or(Answer::Unknown);
            (!same).then(|| (id.clone(), before, after))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assessment::AnswerEntry;

    fn answers(pairs: &[(&str, Answer)]) -> Answers {
        pairs
            .iter()
            .map(|(id, a)| {
                (
                    id.to_string(),
                    AnswerEntry {
                        answer: *a,
                        evidence: String::new(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn nothing_answered_is_no_level() {
        let cat = Catalogue::builtin();
        assert_eq!(
            score(&cat, &Answers::new()),
            Scoring {
                level: None,
                rule: Rule::NoneMet
            }
        );
    }

    #[test]
    fn unknown_is_not_met() {
        let cat = Catalogue::builtin();
        let a = answers(&[("L1-02", Answer::Unknown), ("L3-02", Answer::Met)]);
        assert_eq!(score(&cat, &a).level, Some(RiskLevel::L3));
        assert_eq!(
            required_unknown(&cat, &a)
                .iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>(),
            ["L1-01", "L1-02"]
        );
    }

    #[test]
    fn override_from_no_level() {
        let cat = Catalogue::builtin();
        let none = Scoring {
            level: None,
            rule: Rule::NoneMet,
        };
        let a = Answers::new();
        assert_eq!(
            check_override(&cat, &a, &none, RiskLevel::L3, "grandmother is failing"),
            Ok(())
        );
        assert!(matches!(
            check_override(&cat, &a, &none, RiskLevel::L2, "x"),
            Err(OverrideError::TooFar { computed: None, .. })
        ));
    }

    #[test]
    fn diff_ignores_unanswered_vs_unknown() {
        let before = answers(&[("A", Answer::Unknown), ("B", Answer::Met)]);
        let after = answers(&[("B", Answer::NotMet), ("C", Answer::Met)]);
        assert_eq!(
            diff(&before, &after),
            vec![
                ("B".to_string(), Some(Answer::Met), Some(Answer::NotMet)),
                ("C".to_string(), None, Some(Answer::Met)),
            ]
        );
    }

    #[test]
    fn error_messages_say_what_to_do() {
        let e = OverrideError::TooFar {
            computed: None,
            proposed: RiskLevel::L1,
        };
        assert!(e.to_string().contains("only level 3 can be set"), "{e}");
        let e = OverrideError::HardTrigger {
            indicators: vec!["L1-02".into()],
            proposed: RiskLevel::L2,
        };
        assert!(
            e.to_string().contains("L1-02") && e.to_string().contains("change its answer"),
            "{e}"
        );
    }
}
