//! The expert panel (专家组): its roster, its sessions and the quorum rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::code_enum;

code_enum! {
    /// A member's discipline.
    pub enum Discipline: "discipline" {
        SocialWork = "social_work",
        Psychology = "psychology",
        Law = "law",
        Education = "education",
        Medicine = "medicine",
        Police = "police",
        CivilAffairs = "civil_affairs",
        Other = "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub name: String,
    pub discipline: Discipline,
    pub organisation: String,
    pub active: bool,
}

code_enum! {
    /// Where a panel session stands.
    pub enum SessionStatus: "session_status" {
        Open = "open",
        Closed = "closed",
    }
}

/// 专家组会议.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: i64,
    pub held_on: NaiveDate,
    pub chair: Option<i64>,
    pub secretary: Option<i64>,
    /// Member ids present.
    pub present: Vec<i64>,
    pub status: SessionStatus,
}

code_enum! {
    /// What happened to an agenda item.
    pub enum AgendaOutcome: "agenda_outcome" {
        Pending = "pending",
        Decided = "decided",
        Deferred = "deferred",
    }
}

/// One case on a session's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub session_id: i64,
    pub case_id: i64,
    pub position: u32,
    pub outcome: AgendaOutcome,
    pub defer_reason: Option<String>,
    pub decision_id: Option<i64>,
}

/// The quorum rule: at least `min_members` voting members from at least
/// `min_disciplines` different disciplines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuorumRule {
    pub min_members: usize,
    pub min_disciplines: usize,
}

impl Default for QuorumRule {
    fn default() -> Self {
        QuorumRule {
            min_members: 3,
            min_disciplines: 2,
        }
    }
}

/// Whether a group of members can decide, and if not, what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuorumCheck {
    pub members: usize,
    pub disciplines: usize,
    pub rule: QuorumRule,
}

impl QuorumCheck {
    pub fn met(&self) -> bool {
        self.members >= self.rule.min_members && self.disciplines >= self.rule.min_disciplines
    }
}

impl QuorumRule {
    /// Checks the members present less those who declared a conflict on this case.
    pub fn check<'a>(
        &self,
        present: impl IntoIterator<Item = &'a Member>,
        conflicted: &BTreeSet<i64>,
    ) -> QuorumCheck {
        let voting: Vec<&Member> = present
            .into_iter()
            .filter(|m| !conflicted.contains(&m.id))
            .collect();
        let disciplines: BTreeSet<Discipline> = voting.iter().map(|m| m.discipline).collect();
        QuorumCheck {
            members: voting.len(),
            disciplines: disciplines.len(),
            rule: *self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: i64, d: Discipline) -> Member {
        Member {
            id,
            name: format!("M{id}"),
            discipline: d,
            organisation: String::new(),
            active: true,
        }
    }

    #[test]
    fn quorum_counts_members_and_disciplines_less_conflicts() {
        let rule = QuorumRule::default();
        let present = [
            m(1, Discipline::SocialWork),
            m(2, Discipline::SocialWork),
            m(3, Discipline::Law),
        ];
        assert!(rule.check(&present, &BTreeSet::new()).met());
        let q = rule.check(&present, &BTreeSet::from([3]));
        assert!(!q.met());
        assert_eq!((q.members, q.disciplines), (2, 1));
        let same = [
            m(1, Discipline::Law),
            m(2, Discipline::Law),
            m(3, Discipline::Law),
        ];
        assert!(!rule.check(&same, &BTreeSet::new()).met());
    }
}
