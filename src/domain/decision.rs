//! The panel's decision: a legal-administrative act. Draft until sealed; once sealed it
//! never changes, and a correction is a new decision that names the one it amends.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::assessment::Assessment;
use super::criteria::{Catalogue, scoring};
use super::level::RiskLevel;
use super::panel::QuorumCheck;
use crate::code_enum;

code_enum! {
    /// Draft while the panel works on it; sealed once confirmed (and signed, when a key is set).
    pub enum DecisionStatus: "decision_status" {
        Draft = "draft",
        Sealed = "sealed",
    }
}

code_enum! {
    /// 年度复评 / 临时复评.
    pub enum ReviewKind: "review_kind" {
        Annual = "annual",
        AdHoc = "ad_hoc",
    }
}

code_enum! {
    /// Progress of one intervention.
    pub enum InterventionStatus: "intervention_status" {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        NotDone = "not_done",
    }
}

/// One measure decided: from the final level's menu, with who does it and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intervention {
    /// The catalogue's intervention id.
    pub kind: String,
    /// 责任单位.
    pub unit: String,
    /// 完成时限; None means "immediately" (立即).
    pub due: Option<NaiveDate>,
}

/// Days an intervention is late on `today`: its deadline has passed and it is neither done
/// nor closed as not done. An intervention without a deadline ("immediately", 立即) is never
/// overdue: there is no date to be late against. The one rule: the screens call this, and
/// the store's overdue counts (`store::queue::OVERDUE_IV_WHERE`, `due < today`) skip an
/// intervention without a deadline the same way.
pub fn days_late(
    today: NaiveDate,
    due: Option<NaiveDate>,
    status: InterventionStatus,
) -> Option<i64> {
    if matches!(
        status,
        InterventionStatus::Done | InterventionStatus::NotDone
    ) {
        return None;
    }
    let days = (today - due?).num_days();
    (days > 0).then_some(days)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vote {
    #[serde(rename = "for")]
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
}

impl Vote {
    pub fn total(&self) -> u32 {
        self.for_ + self.against + self.abstain
    }

    /// A simple majority of the votes cast carries the decision.
    pub fn carried(&self) -> bool {
        self.for_ > self.against + self.abstain
    }
}

/// The police report the mandatory-reporting rule asks for (强制报告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliceReport {
    pub reported_at: NaiveDateTime,
    /// 接报单位, e.g. 兴隆派出所.
    pub unit: String,
    /// 回执编号.
    pub receipt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextReview {
    pub date: NaiveDate,
    pub kind: ReviewKind,
}

/// A decision on one case in one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub case_id: i64,
    /// None for decisions imported from paper records.
    pub session_id: Option<i64>,
    pub decided_on: NaiveDate,
    pub assessment: Assessment,
    pub interventions: Vec<Intervention>,
    pub next_review: Option<NextReview>,
    pub vote: Vote,
    pub dissent: String,
    /// Member ids present and voting on this case (conflicted members left out).
    pub voting_members: Vec<i64>,
    /// Member ids who declared a conflict of interest on this case.
    pub recused: Vec<i64>,
    pub police_report: Option<PoliceReport>,
    /// The sealed decision this one corrects (更正), if any: both stay on file.
    pub amends: Option<i64>,
    /// Why the earlier decision is corrected; required when `amends` is set.
    #[serde(default)]
    pub amend_reason: String,
    pub status: DecisionStatus,
    pub sealed_at: Option<NaiveDateTime>,
}

/// Something that keeps a decision from being sealed. Each names exactly what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "missing", rename_all = "snake_case")]
pub enum Missing {
    /// The quorum is not met for this case.
    Quorum {
        members: usize,
        disciplines: usize,
        min_members: usize,
        min_disciplines: usize,
    },
    /// A required indicator is still unknown.
    RequiredIndicator { id: String },
    /// No final level: nothing met and no override.
    NoLevel,
    /// An override without a valid reason or beyond the bounds.
    Override { message: String },
    /// A reportable indicator is met and no police report is recorded.
    PoliceReport { indicators: Vec<String> },
    /// An intervention is not on the final level's menu.
    InterventionNotOnMenu { kind: String },
    /// An intervention has no responsible unit.
    InterventionUnit { kind: String },
    /// No intervention chosen for a graded case.
    NoIntervention,
    /// No next review date.
    NextReview,
    /// The next review is after the latest date the rules allow.
    NextReviewTooLate { latest: NaiveDate },
    /// The next review is not after the decision date.
    NextReviewNotAfterDecision,
    /// The vote counts do not add up to the members voting.
    VoteCount { counted: u32, voting: u32 },
    /// The vote did not carry.
    VoteNotCarried,
    /// Votes against were cast and no dissent is written.
    DissentMissing,
    /// An amendment without the reason for correcting the earlier decision.
    AmendReason,
}

impl Decision {
    /// A new draft on a case: the assessment so far, nothing else decided yet.
    pub fn draft(
        case_id: i64,
        session_id: Option<i64>,
        decided_on: NaiveDate,
        assessment: Assessment,
    ) -> Decision {
        Decision {
            id: 0,
            case_id,
            session_id,
            decided_on,
            assessment,
            interventions: Vec::new(),
            next_review: None,
            vote: Vote::default(),
            dissent: String::new(),
            voting_members: Vec::new(),
            recused: Vec::new(),
            police_report: None,
            amends: None,
            amend_reason: String::new(),
            status: DecisionStatus::Draft,
            sealed_at: None,
        }
    }

    /// A draft that corrects the sealed decision `old`: its assessment (answers, evidence,
    /// override), interventions and next review are carried over for the panel to change;
    /// the vote, the dissent and the reason for correcting start empty. The police report is
    /// already on the case file, where it still satisfies the reporting rule.
    pub fn amendment_of(
        old: &Decision,
        session_id: Option<i64>,
        decided_on: NaiveDate,
        assessment: Assessment,
    ) -> Decision {
        Decision {
            interventions: old.interventions.clone(),
            next_review: old.next_review.clone(),
            amends: Some(old.id),
            ..Decision::draft(old.case_id, session_id, decided_on, assessment)
        }
    }

    pub fn final_level(&self) -> Option<RiskLevel> {
        self.assessment.final_level()
    }

    /// Everything that keeps this decision from being sealed, in the order the panel
    /// meets the steps. Empty means it can be sealed.
    pub fn missing_for_seal(
        &self,
        catalogue: &Catalogue,
        quorum: &QuorumCheck,
        latest_review: Option<NaiveDate>,
    ) -> Vec<Missing> {
        let mut out = Vec::new();
        if !quorum.met() {
            out.push(Missing::Quorum {
                members: quorum.members,
                disciplines: quorum.disciplines,
                min_members: quorum.rule.min_members,
                min_disciplines: quorum.rule.min_disciplines,
            });
        }
        let answers = &self.assessment.answers;
        for ind in scoring::required_unknown(catalogue, answers) {
            out.push(Missing::RequiredIndicator { id: ind.id.clone() });
        }
        if let Some(o) = &self.assessment.override_
            && let Err(e) = scoring::check_override(
                catalogue,
                answers,
                &self.assessment.computed,
                o.level,
                &o.reason,
            )
        {
            out.push(Missing::Override {
                message: e.to_string(),
            });
        }
        let level = self.final_level();
        let reportable: Vec<String> = scoring::reportable_met(catalogue, answers)
            .into_iter()
            .map(|i| i.id.clone())
            .collect();
        if !reportable.is_empty() && self.police_report.is_none() {
            out.push(Missing::PoliceReport {
                indicators: reportable,
            });
        }
        // A child with no risk level at present may be decided without measures.
        if let Some(level) = level {
            if self.interventions.is_empty() {
                out.push(Missing::NoIntervention);
            }
            let menu: BTreeSet<&str> = catalogue.menu(level).map(|i| i.id.as_str()).collect();
            for i in &self.interventions {
                if !menu.contains(i.kind.as_str()) {
                    out.push(Missing::InterventionNotOnMenu {
                        kind: i.kind.clone(),
                    });
                }
                if i.unit.trim().is_empty() {
                    out.push(Missing::InterventionUnit {
                        kind: i.kind.clone(),
                    });
                }
            }
        }
        match &self.next_review {
            None => {
                if level.is_some() {
                    out.push(Missing::NextReview);
                }
            }
            Some(r) => {
                if r.date <= self.decided_on {
                    out.push(Missing::NextReviewNotAfterDecision);
                }
                if let Some(latest) = latest_review
                    && r.date > latest
                {
                    out.push(Missing::NextReviewTooLate { latest });
                }
            }
        }
        let voting = self.voting_members.len() as u32;
        if self.vote.total() != voting {
            out.push(Missing::VoteCount {
                counted: self.vote.total(),
                voting,
            });
        } else if !self.vote.carried() {
            out.push(Missing::VoteNotCarried);
        }
        if self.vote.against > 0 && self.dissent.trim().is_empty() {
            out.push(Missing::DissentMissing);
        }
        if self.amends.is_some() && self.amend_reason.trim().is_empty() {
            out.push(Missing::AmendReason);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intervention_is_late_only_past_its_deadline_and_unfinished() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 11, 29);
        use InterventionStatus::*;
        assert_eq!(days_late(today, Some(d(2026, 11, 19)), Planned), Some(10));
        assert_eq!(
            days_late(today, Some(d(2026, 11, 19)), InProgress),
            Some(10)
        );
        assert_eq!(days_late(today, Some(today), Planned), None);
        assert_eq!(days_late(today, Some(d(2026, 1, 1)), Done), None);
        assert_eq!(days_late(today, Some(d(2026, 1, 1)), NotDone), None);
        // Without a deadline ("immediately"): never overdue.
        assert_eq!(days_late(today, None, Planned), None);
    }
}
