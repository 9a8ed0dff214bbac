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

impl Relation {
    /// 与儿童关系 as officers write it, or the code: 父亲, 爸爸, 奶奶, 舅舅, 福利院 …
    pub fn from_chinese(s: &str) -> Option<Relation> {
        use Relation::*;
        let s = s.trim();
        if let Some(r) = Relation::from_code(s) {
            return Some(r);
        }
        Some(match s {
            "父亲" | "父" | "爸爸" | "生父" | "继父" | "养父" => Father,
            "母亲" | "母" | "妈妈" | "生母" | "继母" | "养母" => Mother,
            "祖父母/外祖父母"
            | "祖父母"
            | "外祖父母"
            | "祖父"
            | "祖母"
            | "外祖父"
            | "外祖母"
            | "爷爷"
            | "奶奶"
            | "姥爷"
            | "姥姥"
            | "外公"
            | "外婆" => Grandparent,
            "其他亲属" | "亲属" | "叔叔" | "伯父" | "伯伯" | "姑姑" | "姑妈" | "舅舅" | "姨"
            | "姨妈" | "阿姨" | "婶婶" | "舅妈" | "哥哥" | "姐姐" | "兄" | "姐" => {
                OtherRelative
            }
            "非亲属" | "邻居" | "朋友" => NonRelative,
            "机构" | "福利院" | "儿童福利院" | "救助站" | "救助管理站" => {
                Institution
            }
            _ => return None,
        })
    }
}

impl GuardianStatus {
    /// 监护状况 as officers write it, or the code: 在家, 外出打工, 服刑, 去世 …
    pub fn from_chinese(s: &str) -> Option<GuardianStatus> {
        use GuardianStatus::*;
        let s = s.trim();
        if let Some(r) = GuardianStatus::from_code(s) {
            return Some(r);
        }
        Some(match s {
            "在家监护" | "在家" | "正常" | "正常监护" | "同住" => Present,
            "外出务工" | "务工" | "外出打工" | "打工" | "外出" => WorkingAway,
            "服刑" | "在押" | "服刑中" | "羁押" => InPrison,
            "吸毒" | "戒毒" => UsesDrugs,
            "重病" | "患病" | "病重" => SeriouslyIll,
            "重残" | "残疾" | "重度残疾" => SeverelyDisabled,
            "死亡" | "去世" | "已故" | "病故" => Deceased,
            "下落不明" | "失联" | "失踪" | "离家出走" => WhereaboutsUnknown,
            "其他" => Other,
            _ => return None,
        })
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_officers_type() {
        assert_eq!(Relation::from_chinese("奶奶"), Some(Relation::Grandparent));
        assert_eq!(Relation::from_chinese("mother"), Some(Relation::Mother));
        assert_eq!(Relation::from_chinese("同学"), None);
        assert_eq!(
            GuardianStatus::from_chinese("外出打工"),
            Some(GuardianStatus::WorkingAway)
        );
        assert_eq!(
            GuardianStatus::from_chinese("in_prison"),
            Some(GuardianStatus::InPrison)
        );
        assert_eq!(GuardianStatus::from_chinese("很好"), None);
    }
}
