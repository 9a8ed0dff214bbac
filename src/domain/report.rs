//! Reports (发现报告) and the channels they arrive through.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::code_enum;

code_enum! {
    /// Who or what brought the child to the centre's attention.
    pub enum Channel: "channel" {
        CommunityOfficer = "community_officer",
        AssistanceInfoOfficer = "assistance_info_officer",
        Volunteer = "volunteer",
        Resident = "resident",
        NightGuard = "night_guard",
        Teacher = "teacher",
        Doctor = "doctor",
        CommunityWorker = "community_worker",
        RelativeFriend = "relative_friend",
        CentrePatrol = "centre_patrol",
        Hotline = "hotline",
        Police = "police",
        Justice = "justice",
        Court = "court",
        Procuratorate = "procuratorate",
        WomensFederation = "womens_federation",
        Other = "other",
    }
}

impl Channel {
    /// 特殊职责人员: teachers, doctors and community workers have a duty to report.
    pub fn is_mandated_reporter(self) -> bool {
        matches!(
            self,
            Channel::Teacher | Channel::Doctor | Channel::CommunityWorker
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub id: i64,
    pub case_id: i64,
    pub received_at: NaiveDateTime,
    pub channel: Channel,
    /// None for an anonymous report.
    pub reporter: Option<String>,
    pub summary: String,
}

impl Report {
    pub fn is_mandatory(&self) -> bool {
        self.channel.is_mandated_reporter()
    }
}
