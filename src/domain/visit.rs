//! Home visits (家访 / 走访) and their notes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeVisit {
    pub id: i64,
    pub case_id: i64,
    pub visited_on: NaiveDate,
    /// Who visited, as written.
    pub visitors: String,
    pub place: String,
    /// Who was met.
    pub people_met: String,
    pub notes: String,
}
