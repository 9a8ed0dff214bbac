//! Guardians (监护人) and what stands in the way of their care.

use serde::{Deserialize, Serialize};

use crate::code_enum;

code_enum! {
    /// 与儿童关系.
    pub enum Relation: "relation" {
        Father = "father",
        Mother = "mother",
        Grandparent = "grandparent",
        OtherRelative = "other_relative",
        NonRelative = "non_relative",
        Institution = "institution",
    }
}

code_enum! {
    /// 监护状况.
    pub enum GuardianStatus: "guardian_status" {
        Present = "present",
        WorkingAway = "working_away",
        InPrison = "in_prison",
        UsesDrugs = "uses_drugs",
        SeriouslyIll = "seriously_ill",
        SeverelyDisabled = "severely_disabled",
        Deceased = "deceased",
        WhereaboutsUnknown = "whereabouts_unknown",
        Other = "other",
    }
}

impl GuardianStatus {
    /// Statuses under which the notice speaks of de facto no guardian (事实无人监护).
    pub fn is_incapacitating(self) -> bool {
        matches!(
            self,
            GuardianStatus::InPrison
                | GuardianStatus::UsesDrugs
                | GuardianStatus::SeriouslyIll
                | GuardianStatus::SeverelyDisabled
                | GuardianStatus::Deceased
                | GuardianStatus::WhereaboutsUnknown
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    pub relation: Relation,
    pub status: GuardianStatus,
    pub phone: Option<String>,
}
