//! Difficulty types (困境类型): the notice's six categories and the screening labels.

use crate::code_enum;

code_enum! {
    /// What puts a child in difficulty. A case has one or more.
    pub enum DifficultyType: "difficulty" {
        // The notice's six categories.
        Wandering = "wandering",
        Poverty = "poverty",
        NoGuardianDeFacto = "no_guardian_de_facto",
        ImproperCare = "improper_care",
        TraffickedAbusedAbandoned = "trafficked_abused_abandoned",
        OwnIllnessDisability = "own_illness_disability",
        // The screening labels.
        GuardianMissing = "guardian_missing",
        WanderingBegging = "wandering_begging",
        OutOfSchool = "out_of_school",
        MentalIllness = "mental_illness",
        DomesticViolence = "domestic_violence",
        ParentAddictionPrison = "parent_addiction_prison",
    }
}

impl DifficultyType {
    /// The notice's own categories, as opposed to the screening labels.
    pub const NOTICE: [DifficultyType; 6] = [
        DifficultyType::Wandering,
        DifficultyType::Poverty,
        DifficultyType::NoGuardianDeFacto,
        DifficultyType::ImproperCare,
        DifficultyType::TraffickedAbusedAbandoned,
        DifficultyType::OwnIllnessDisability,
    ];

    /// Chinese names and common synonyms officers type, mapped to a type. Used by import
    /// and search; the display label comes from i18n.
    pub fn from_chinese(s: &str) -> Option<DifficultyType> {
        use DifficultyType::*;
        let s = s.trim();
        Some(match s {
            "流浪" | "流浪儿童" => Wandering,
            "家庭贫困" | "贫困" | "低保" | "低保家庭" => Poverty,
            "事实无人监护" | "无人监护" | "事实无人抚养" => NoGuardianDeFacto,
            "监护不当" | "疏于照料" | "忽视" => ImproperCare,
            "拐卖/虐待/遗弃/非法雇佣"
            | "拐卖"
            | "虐待"
            | "遗弃"
            | "非法雇佣"
            | "被拐卖"
            | "被遗弃" => TraffickedAbusedAbandoned,
            "自身重病重残" | "重病重残" | "重病" | "重残" | "残疾" => {
                OwnIllnessDisability
            }
            "监护缺失" => GuardianMissing,
            "流浪乞讨" | "乞讨" => WanderingBegging,
            "失学辍学" | "失学" | "辍学" => OutOfSchool,
            "精神疾病" => MentalIllness,
            "家庭暴力" | "家暴" => DomesticViolence,
            "酗酒/吸毒/服刑人员子女" | "服刑人员子女" | "吸毒人员子女" | "酗酒人员子女" => {
                ParentAddictionPrison
            }
            _ => return None,
        })
    }
}
