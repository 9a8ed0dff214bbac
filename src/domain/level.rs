//! Risk levels as the provincial notice defines them: level 1 is the most severe.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 风险等级. `L1` (一级) is the most severe, `L3` (三级) the least.
///
/// The derived `Ord` follows the numbers, so `L1 < L2 < L3`; use
/// [`RiskLevel::is_more_severe_than`] when the question is about severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RiskLevel {
    #[serde(rename = "1")]
    L1,
    #[serde(rename = "2")]
    L2,
    #[serde(rename = "3")]
    L3,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 3] = [RiskLevel::L1, RiskLevel::L2, RiskLevel::L3];

    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        match self {
            RiskLevel::L1 => 1,
            RiskLevel::L2 => 2,
            RiskLevel::L3 => 3,
        }
    }

    pub fn from_number(n: u8) -> Option<RiskLevel> {
        match n {
            1 => Some(RiskLevel::L1),
            2 => Some(RiskLevel::L2),
            3 => Some(RiskLevel::L3),
            _ => None,
        }
    }

    pub fn is_more_severe_than(self, other: RiskLevel) -> bool {
        self.number() < other.number()
    }

    /// The most severe of two levels.
    pub fn most_severe(a: RiskLevel, b: RiskLevel) -> RiskLevel {
        if a.number() <= b.number() { a } else { b }
    }

    /// Number of steps between two levels (0, 1 or 2).
    pub fn distance(self, other: RiskLevel) -> u8 {
        self.number().abs_diff(other.number())
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}
