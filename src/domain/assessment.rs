//! An assessment: the panel's answer to every indicator of one catalogue, the level the
//! catalogue's rules compute from them, and the panel's override.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::level::RiskLevel;
use crate::code_enum;

code_enum! {
    /// The answer to one indicator: 符合 / 不符合 / 不确定.
    pub enum Answer: "answer" {
        Met = "met",
        NotMet = "not_met",
        Unknown = "unknown",
    }
}

/// One indicator's answer and the evidence the panel relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerEntry {
    pub answer: Answer,
    /// Evidence note: where in the file, what was seen. May be empty.
    #[serde(default)]
    pub evidence: String,
}

/// Answers by indicator id. An indicator missing from the map is unanswered, which the
/// rules treat as `Unknown`.
pub type Answers = BTreeMap<String, AnswerEntry>;

/// Which catalogue an assessment was scored on: enough to find its exact text again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueRef {
    pub id: String,
    pub version: String,
    /// SHA-256 of the catalogue file's bytes, lower-case hex.
    pub sha256: String,
}

/// The panel moved the computed level by one step, and said why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    pub level: RiskLevel,
    pub reason: String,
    /// Member id of whoever proposed it (the chair by default).
    pub by: Option<i64>,
}

/// How the computed level came about, in terms a person can check against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// No indicator met (or, under points, no threshold reached).
    NoneMet,
    /// Hard triggers met: level 1 whatever else.
    HardTrigger { indicators: Vec<String> },
    /// The most severe level with at least one indicator met.
    HighestLevel {
        level: RiskLevel,
        indicators: Vec<String>,
    },
    /// Points method: the sum of met weights reached the level's threshold.
    Points {
        level: RiskLevel,
        total: u32,
        threshold: u32,
    },
}

/// The outcome of applying a catalogue's rules to a set of answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scoring {
    /// None: no risk level at present.
    pub level: Option<RiskLevel>,
    pub rule: Rule,
}

/// One scoring of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub catalogue: CatalogueRef,
    pub answers: Answers,
    pub computed: Scoring,
    pub override_: Option<Override>,
    /// Per-member answers, when members score blind before the panel compares (a later
    /// feature; empty when the panel scores together).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_member: BTreeMap<i64, Answers>,
}

impl Assessment {
    /// The level the panel settles on: the override if any, else the computed one.
    pub fn final_level(&self) -> Option<RiskLevel> {
        match &self.override_ {
            Some(o) => Some(o.level),
            None => self.computed.level,
        }
    }
}
