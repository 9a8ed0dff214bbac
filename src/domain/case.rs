//! A case: one child, one episode, from screening to closing.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::difficulty::DifficultyType;
use super::level::RiskLevel;
use crate::code_enum;

code_enum! {
    /// Where a case stands.
    pub enum CaseStatus: "case_status" {
        /// 排查中: opened by screening or a report, not yet before the panel.
        Screening = "screening",
        /// 待专家组评估.
        AwaitingPanel = "awaiting_panel",
        /// 在册: the panel has graded it; re-reviews follow.
        Active = "active",
        Closed = "closed",
    }
}

code_enum! {
    /// Why a case was closed.
    pub enum ClosingReason: "closing_reason" {
        TurnedEighteen = "turned_18",
        MovedAway = "moved_away",
        RiskResolved = "risk_resolved",
        Transferred = "transferred",
        Deceased = "deceased",
        Other = "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: i64,
    pub child_id: i64,
    pub status: CaseStatus,
    pub types: Vec<DifficultyType>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub closing_reason: Option<ClosingReason>,
    /// The level of the latest sealed decision, if any.
    pub level: Option<RiskLevel>,
    /// The next review the latest sealed decision asked for.
    pub next_review: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseTransitionError {
    #[error("case is {from}; it cannot move to {to}")]
    NotAllowed { from: CaseStatus, to: CaseStatus },
    #[error("a case needs at least one difficulty type (困境类型)")]
    NoType,
}

impl CaseStatus {
    /// The moves a case may make. Closed cases can be reopened (back before the panel).
    pub fn can_move_to(self, to: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, to),
            (Screening, AwaitingPanel)
                | (Screening, Closed)
                | (AwaitingPanel, Active)
                | (AwaitingPanel, Closed)
                | (Active, AwaitingPanel)
                | (Active, Closed)
                | (Closed, AwaitingPanel)
        )
    }

    pub fn check_move(self, to: CaseStatus) -> Result<(), CaseTransitionError> {
        if self.can_move_to(to) {
            Ok(())
        } else {
            Err(CaseTransitionError::NotAllowed { from: self, to })
        }
    }
}

/// Displayable case number, e.g. `C-000123`.
pub fn case_number(id: i64) -> String {
    format!("C-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        use CaseStatus::*;
        assert!(Screening.can_move_to(AwaitingPanel));
        assert!(AwaitingPanel.can_move_to(Active));
        assert!(Active.can_move_to(Closed));
        assert!(Closed.can_move_to(AwaitingPanel));
        assert!(!Closed.can_move_to(Active));
        assert!(!Screening.can_move_to(Active));
        assert_eq!(case_number(42), "C-000042");
    }
}
