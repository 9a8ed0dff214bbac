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

    /// The next review the panel sets: `requested` if given (the panel may always choose an
    /// earlier date), else the default of [`ReviewRules::next_review`]. A date on or before
    /// the decision, or after the latest the rules allow, is refused with the latest date.
    ///
    /// Month ends clamp rather than overflow: decided 2024-02-29 with the annual default,
    /// due 2025-02-28 (not 2025-03-01), so a leap-day decision never gains a day.
    pub fn review_date(
        &self,
        decided_on: NaiveDate,
        level: Option<RiskLevel>,
        requested: Option<NaiveDate>,
    ) -> Result<NaiveDate, ReviewDateError> {
        let latest = self.next_review(decided_on, level);
        match requested {
            None => Ok(latest),
            Some(d) if d <= decided_on => Err(ReviewDateError::NotAfterDecision { decided_on }),
            Some(d) if d > latest => Err(ReviewDateError::TooLate { latest }),
            Some(d) => Ok(d),
        }
    }

    /// Where `today` stands against a review due on `due`: the window opens
    /// [`ReviewRules::window_opens`] (`window_days` before), the review is due up to and
    /// including `due`, and overdue from the day after.
    pub fn window(&self, due: NaiveDate, today: NaiveDate) -> Window {
        if today > due {
            Window::Overdue {
                days: (today - due).num_days(),
            }
        } else if today >= self.window_opens(due) {
            Window::Open {
                days_left: (due - today).num_days(),
            }
        } else {
            Window::NotYet {
                opens: self.window_opens(due),
            }
        }
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

/// Why the panel's chosen review date is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewDateError {
    #[error("the next review must be after the decision date {decided_on}")]
    NotAfterDecision { decided_on: NaiveDate },
    #[error("the next review may be no later than {latest} (the rules' interval for this level)")]
    TooLate { latest: NaiveDate },
}

/// A review's place in time on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Window {
    /// The window has not opened yet; it opens on `opens`.
    NotYet { opens: NaiveDate },
    /// In the window: due in `days_left` days (0 = due today).
    Open { days_left: i64 },
    /// Past the due date by `days` days (1 = due yesterday).
    Overdue { days: i64 },
}

/// A child who turns 18 on or before the next review cannot wait for it: the case gets a
/// closing review (结案评估), due on the 18th birthday ([`super::child::adult_on`]: a
/// child born on 29 February turns 18 on 1 March of a common year). Returns that date, or None when
/// the child is still a minor at the next review.
pub fn closing_review(birth: NaiveDate, next_review: NaiveDate) -> Option<NaiveDate> {
    let adult = super::child::adult_on(birth);
    (adult <= next_review).then_some(adult)
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
        assert_eq!(
            r.next_review(d(2026, 12, 3), Some(RiskLevel::L2)),
            d(2027, 12, 3)
        );
        assert_eq!(
            r.next_review(d(2024, 2, 29), Some(RiskLevel::L3)),
            d(2025, 2, 28)
        );
        let short = ReviewRules {
            level1_months: 3,
            ..r
        };
        assert_eq!(
            short.next_review(d(2026, 8, 31), Some(RiskLevel::L1)),
            d(2026, 11, 30)
        );
        assert_eq!(short.window_opens(d(2026, 11, 30)), d(2026, 10, 31));
    }

    #[test]
    fn per_level_intervals() {
        let r = ReviewRules {
            level1_months: 3,
            level2_months: 6,
            ..ReviewRules::default()
        };
        let on = d(2026, 1, 15);
        assert_eq!(r.next_review(on, Some(RiskLevel::L1)), d(2026, 4, 15));
        assert_eq!(r.next_review(on, Some(RiskLevel::L2)), d(2026, 7, 15));
        assert_eq!(r.next_review(on, Some(RiskLevel::L3)), d(2027, 1, 15));
        assert_eq!(r.next_review(on, None), d(2027, 1, 15));
        // Month ends clamp under short intervals too: 31 January + 1 month.
        let monthly = ReviewRules {
            level1_months: 1,
            ..r
        };
        assert_eq!(
            monthly.next_review(d(2026, 1, 31), Some(RiskLevel::L1)),
            d(2026, 2, 28)
        );
        assert_eq!(
            monthly.next_review(d(2028, 1, 31), Some(RiskLevel::L1)),
            d(2028, 2, 29)
        );
    }

    #[test]
    fn earlier_date_allowed_later_refused() {
        let r = ReviewRules::default();
        let on = d(2026, 3, 1);
        assert_eq!(
            r.review_date(on, Some(RiskLevel::L2), None),
            Ok(d(2027, 3, 1))
        );
        assert_eq!(
            r.review_date(on, Some(RiskLevel::L2), Some(d(2026, 6, 1))),
            Ok(d(2026, 6, 1))
        );
        assert_eq!(
            r.review_date(on, Some(RiskLevel::L2), Some(d(2027, 3, 1))),
            Ok(d(2027, 3, 1))
        );
        assert_eq!(
            r.review_date(on, Some(RiskLevel::L2), Some(d(2027, 3, 2))),
            Err(ReviewDateError::TooLate {
                latest: d(2027, 3, 1)
            })
        );
        assert_eq!(
            r.review_date(on, Some(RiskLevel::L2), Some(on)),
            Err(ReviewDateError::NotAfterDecision { decided_on: on })
        );
    }

    #[test]
    fn leap_day_decision_is_due_on_28_february() {
        let r = ReviewRules::default();
        let due = r.next_review(d(2024, 2, 29), Some(RiskLevel::L1));
        assert_eq!(due, d(2025, 2, 28));
        assert_eq!(r.window(due, d(2025, 2, 28)), Window::Open { days_left: 0 });
        assert_eq!(r.window(due, d(2025, 3, 1)), Window::Overdue { days: 1 });
        // Overdue counts across month ends and a leap February.
        assert_eq!(
            r.window(d(2028, 1, 31), d(2028, 3, 1)),
            Window::Overdue { days: 30 }
        );
        assert_eq!(
            r.window(d(2027, 1, 31), d(2027, 3, 1)),
            Window::Overdue { days: 29 }
        );
    }

    #[test]
    fn window_semantics() {
        let r = ReviewRules::default(); // 30-day window
        let due = d(2026, 12, 31);
        assert_eq!(r.window_opens(due), d(2026, 12, 1));
        assert_eq!(
            r.window(due, d(2026, 11, 30)),
            Window::NotYet {
                opens: d(2026, 12, 1)
            }
        );
        assert_eq!(
            r.window(due, d(2026, 12, 1)),
            Window::Open { days_left: 30 }
        );
        assert_eq!(
            r.window(due, d(2026, 12, 31)),
            Window::Open { days_left: 0 }
        );
        assert_eq!(r.window(due, d(2027, 1, 1)), Window::Overdue { days: 1 });
    }

    #[test]
    fn turning_eighteen_before_the_review_asks_for_a_closing_review() {
        assert_eq!(
            closing_review(d(2009, 6, 1), d(2027, 6, 1)),
            Some(d(2027, 6, 1))
        );
        assert_eq!(closing_review(d(2009, 6, 1), d(2027, 5, 31)), None);
        assert_eq!(
            closing_review(d(2009, 6, 1), d(2027, 12, 1)),
            Some(d(2027, 6, 1))
        );
        // Born on a leap day: still a minor on 28 February, the closing review on 1 March.
        assert_eq!(
            closing_review(d(2008, 2, 29), d(2026, 2, 28)),
            None,
            "still a minor on 28 February 2026"
        );
        assert_eq!(
            closing_review(d(2008, 2, 29), d(2026, 3, 1)),
            Some(d(2026, 3, 1))
        );
    }

    #[test]
    fn intervals_are_bounded() {
        let bad = ReviewRules {
            level2_months: 13,
            ..ReviewRules::default()
        };
        assert!(bad.validate().unwrap_err().contains("level2_months"));
    }
}
