//! A catalogue as plain text, for `casepanel criteria show` and for printing.
//!
//! The language is a plain flag so the domain stays free of the UI's i18n.

use std::fmt::Write;

use super::{Catalogue, Indicator, Method};
use crate::domain::level::RiskLevel;

/// The catalogue for a person to read: title, id, version, hash, method, then per level
/// its definition, its indicators with their flags, and its intervention menu.
/// `zh` picks Chinese; otherwise English.
pub fn render_text(cat: &Catalogue, zh: bool) -> String {
    let t = |zh_text: &'static str, en_text: &'static str| if zh { zh_text } else { en_text };
    let mut out = String::new();
    let title = if zh { &cat.title_zh } else { &cat.title_en };
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "{}: {}   {}: {}",
        t("编号", "id"),
        cat.id,
        t("版本", "version"),
        cat.version
    );
    let _ = writeln!(out, "sha256: {}", cat.sha256);
    let method = match &cat.method {
        Method::HighestLevel => t(
            "最高等级法：取有指标符合的最严重等级",
            "highest level: the most severe level with an indicator met",
        )
        .to_owned(),
        Method::Points { thresholds: th } => {
            if zh {
                format!(
                    "计分法：一级 ≥ {} 分，二级 ≥ {} 分，三级 ≥ {} 分",
                    th.level1, th.level2, th.level3
                )
            } else {
                format!(
                    "points: level 1 ≥ {}, level 2 ≥ {}, level 3 ≥ {}",
                    th.level1, th.level2, th.level3
                )
            }
        }
    };
    let _ = writeln!(out, "{}: {method}", t("计算方法", "method"));
    let _ = writeln!(
        out,
        "{}",
        t(
            "硬性触发的指标一旦符合，即为一级风险。",
            "A hard-trigger indicator met means level 1, whatever else."
        )
    );
    let points = matches!(cat.method, Method::Points { .. });

    for level in RiskLevel::ALL {
        let _ = writeln!(out);
        let name = level_name(level, zh);
        match cat.levels.iter().find(|l| l.level == level) {
            Some(def) => {
                let _ = writeln!(out, "{name}: {}", if zh { &def.zh } else { &def.en });
            }
            None => {
                let _ = writeln!(out, "{name}");
            }
        }
        for i in cat.indicators_of(level) {
            render_indicator(&mut out, i, zh, points);
        }
        let menu: Vec<_> = cat.menu(level).collect();
        if !menu.is_empty() {
            let _ = writeln!(out, "  {}:", t("帮扶干预措施", "Interventions"));
            for m in menu {
                let _ = write!(out, "    - {}  {}", m.id, if zh { &m.zh } else { &m.en });
                if let Some(unit) = &m.default_unit {
                    let _ = write!(out, "  ({}: {unit})", t("责任单位", "unit"));
                }
                let _ = writeln!(out);
            }
        }
    }
    out
}

fn level_name(level: RiskLevel, zh: bool) -> String {
    if zh {
        let n = match level {
            RiskLevel::L1 => "一",
            RiskLevel::L2 => "二",
            RiskLevel::L3 => "三",
        };
        format!("{n}级风险")
    } else {
        format!("Level {level}")
    }
}

fn render_indicator(out: &mut String, i: &Indicator, zh: bool, points: bool) {
    let mut flags = Vec::new();
    if i.hard_trigger {
        flags.push(if zh { "硬性触发" } else { "hard trigger" });
    }
    if i.required {
        flags.push(if zh { "必答" } else { "required" });
    }
    if i.reportable {
        flags.push(if zh { "强制报告" } else { "reportable" });
    }
    let _ = write!(out, "  {}  {}", i.id, if zh { &i.zh } else { &i.en });
    if !flags.is_empty() {
        let _ = write!(out, "  [{}]", flags.join(if zh { "、" } else { ", " }));
    }
    if points {
        let _ = write!(
            out,
            "  ({} {})",
            if zh { "分值" } else { "weight" },
            i.weight
        );
    }
    let _ = writeln!(out);
    let guidance = if zh { &i.guidance_zh } else { &i.guidance_en };
    if let Some(g) = guidance {
        let label = if zh { "指引" } else { "guidance" };
        let _ = writeln!(out, "      {label}: {}", g.trim());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_flags_and_menus_in_both_languages() {
        let cat = Catalogue::builtin();
        let en = render_text(&cat, false);
        assert!(en.contains("liaoning-2014") && en.contains(&cat.sha256));
        assert!(en.contains("hard trigger, required, reportable"), "{en}");
        assert!(en.contains("Level 1:") && en.contains("Interventions:"));
        let zh = render_text(&cat, true);
        assert!(
            zh.contains("一级风险") && zh.contains("硬性触发、必答、强制报告"),
            "{zh}"
        );
        assert!(zh.contains("临时监护"));
    }
}
