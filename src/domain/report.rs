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

    /// The channel as people name it: the Chinese word or a common synonym (老师, 派出所,
    /// 12345 …), or the code. English labels are matched by the caller through i18n.
    pub fn from_chinese(s: &str) -> Option<Channel> {
        use Channel::*;
        let s = s.trim();
        if let Some(c) = Channel::from_code(s) {
            return Some(c);
        }
        Some(match s {
            "社区专干" | "未成年人社会保护工作专干" | "排查" | "全面排查" => {
                CommunityOfficer
            }
            "社区救助信息员" | "救助信息员" | "信息员" => AssistanceInfoOfficer,
            "志愿者" => Volunteer,
            "社区群众" | "群众" | "居民" | "邻居" => Resident,
            "小区夜间保安" | "夜间保安" | "保安" => NightGuard,
            "教师" | "老师" | "班主任" | "学校" => Teacher,
            "医生" | "医院" | "护士" => Doctor,
            "社区工作者" | "社工" | "村委会" | "居委会" => CommunityWorker,
            "亲友" | "亲属" | "朋友" => RelativeFriend,
            "定时巡查" | "巡查" | "中心巡查" => CentrePatrol,
            "热线电话" | "热线" | "12345" | "电话" => Hotline,
            "公安机关" | "公安" | "派出所" | "警察" | "110" => Police,
            "司法" | "司法局" | "司法所" => Justice,
            "法院" => Court,
            "检察院" => Procuratorate,
            "妇联" => WomensFederation,
            "其他" => Other,
            _ => return None,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_as_named() {
        assert_eq!(Channel::from_chinese("老师"), Some(Channel::Teacher));
        assert_eq!(Channel::from_chinese("派出所"), Some(Channel::Police));
        assert_eq!(Channel::from_chinese("hotline"), Some(Channel::Hotline));
        assert_eq!(Channel::from_chinese("路人"), None);
        assert!(
            Channel::from_chinese("社工")
                .unwrap()
                .is_mandated_reporter()
        );
    }
}
