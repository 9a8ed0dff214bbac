//! When a case comes back before the panel: "the risk level is normally assessed once a
//! year; special cases can be re-graded at any time".

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::level::RiskLevel;

/// Review intervals, in months, by level. The notice's default is twelve for every level;
/// a centre may shorten them in the config (e.g. level 1 every 3 months).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewRules {
    pub level1_months: u32,
    pub level2_months: u32,
    pub level3_months: u32,
    /// For a case with no risk level at present.
    pub no_level_months: u32,
    /// A review is due from this many days before its date (the window opens).
    pub window_days: u32,
}

impl Default for ReviewRules {
    fn default() -> Self {
        ReviewRules {
            level1_months: 12,
            level2_months: 12,
            level3_months: 12,
            no_level_months: 12,
            window_days: 30,
        }
    }
}

impl ReviewRules {
    pub fn months_for(&self, level: Option<RiskLevel>) -> u32 {
        match level {
            Some(RiskLevel::L1) => self.level1_months,
            Some(RiskLevel::L2) => self.level2_months,
            Some(RiskLevel::L3) => self.level3_months,
            None => self.no_level_months,
        }
    }

    /// The default (and latest allowed) next review: decision date plus the level's months.
    /// A month-end date clamps: decided 2024-02-29, due 2025-02-28; decided 2026-08-31
    /// with 3 months, due 2026-11-30.
    pub fn next_review(&self, decided_on: NaiveDate, level: Option<RiskLevel>) -> NaiveDate {
        decided_on
            .checked_add_months(Months::new(self.months_for(level)))
            .expect("dates stay far from chrono's limits")
    }

    /// The first day of a review's window.
    pub fn window_opens(&self, due: NaiveDate) -> NaiveDate {
        due - chrono::Days::new(u64::from(self.window_days))
    }

    pub fn validate(&self) -> Result<(), String> {
        for (name, m) in [
            ("level1_months", self.level1_months),
            ("level2_months", self.level2_months),
            ("level3_months", self.level3_months),
            ("no_level_months", self.no_level_months),
        ] {
            if !(1..=12).contains(&m) {
                return Err(format!(
                    "review.{name} = {m}: must be 1 to 12 months (the notice asks for at least one review a year)"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn annual_default_and_month_ends() {
        let r = ReviewRules::default();
        assert_eq!(r.next_review(d(2026, 12, 3), Some(RiskLevel::L2)), d(2027, 12, 3));
        assert_eq!(r.next_review(d(2024, 2, 29), Some(RiskLevel::L3)), d(2025, 2, 28));
        let short = ReviewRules { level1_months: 3, ..r };
        assert_eq!(short.next_review(d(2026, 8, 31), Some(RiskLevel::L1)), d(2026, 11, 30));
        assert_eq!(short.window_opens(d(2026, 11, 30)), d(2026, 10, 31));
    }

    #[test]
    fn intervals_are_bounded() {
        let bad = ReviewRules { level2_months: 13, ..ReviewRules::default() };
        assert!(bad.validate().unwrap_err().contains("level2_months"));
    }
}
