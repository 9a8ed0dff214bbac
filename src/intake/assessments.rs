//! Historical assessments from paper records (`casepanel import --assessments FILE`):
//! one row per assessment — 身份证号, 评估日期, 风险等级, 下次复评日期 (and, to catch a
//! mistyped ID number, 姓名 if the sheet has it). Each becomes a sealed decision marked
//! imported (not panel-signed), so the re-review queue is right from the first day.

use std::collections::HashMap;

use chrono::NaiveDate;
use csv::StringRecord;

use super::columns::{is_error_header, normalize_header};
use super::problem::{Kind, Problem};
use super::read::{Sheet, column_letter};
use super::screening::parse_date;
use crate::domain::RiskLevel;
use crate::domain::id_number::IdNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ACol {
    IdNumber,
    AssessedOn,
    Level,
    NextReview,
    Name,
}

impl ACol {
    pub const ALL: [ACol; 5] = [
        ACol::IdNumber,
        ACol::AssessedOn,
        ACol::Level,
        ACol::NextReview,
        ACol::Name,
    ];
    pub const REQUIRED: [ACol; 3] = [ACol::IdNumber, ACol::AssessedOn, ACol::Level];

    pub fn zh(self) -> &'static str {
        match self {
            ACol::IdNumber => "身份证号",
            ACol::AssessedOn => "评估日期",
            ACol::Level => "风险等级",
            ACol::NextReview => "下次复评日期",
            ACol::Name => "姓名",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            ACol::IdNumber => "ID number",
            ACol::AssessedOn => "Assessment date",
            ACol::Level => "Risk level",
            ACol::NextReview => "Next review",
            ACol::Name => "Name",
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            ACol::IdNumber => &["身份证号码", "公民身份号码", "身份证", "idno"],
            ACol::AssessedOn => &["评估时间", "评估日", "assessedon", "date"],
            ACol::Level => &["等级", "评估等级", "风险级别", "level"],
            ACol::NextReview => &["下次复评", "复评日期", "下次评估日期", "nextreviewdate"],
            ACol::Name => &["儿童姓名"],
        }
    }

    fn find(header: &str) -> Option<ACol> {
        let h = normalize_header(header);
        ACol::ALL.into_iter().find(|c| {
            normalize_header(c.zh()) == h
                || normalize_header(c.en()) == h
                || c.aliases().iter().any(|a| normalize_header(a) == h)
        })
    }
}

/// 一级 / 一级风险 / 1 / 1级 / L1 / level 1; 无 / 无风险 / none for no risk level.
pub fn parse_level(s: &str) -> Option<Option<RiskLevel>> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let n = match lower.as_str() {
        "无" | "无风险" | "none" | "no risk" | "0" => return Some(None),
        "一级" | "一级风险" | "1" | "1级" | "l1" | "level 1" | "level1" | "i" => 1,
        "二级" | "二级风险" | "2" | "2级" | "l2" | "level 2" | "level2" | "ii" => 2,
        "三级" | "三级风险" | "3" | "3级" | "l3" | "level 3" | "level3" | "iii" => 3,
        _ => return None,
    };
    Some(RiskLevel::from_number(n))
}

/// The child and case an assessment belongs to.
#[derive(Debug, Clone)]
pub struct Target {
    pub child_id: i64,
    pub name: String,
    /// The child's newest case (the open one if any).
    pub case_id: Option<i64>,
    /// The date of the newest decision on that case.
    pub last_decided_on: Option<NaiveDate>,
}

pub trait AssessmentLookup {
    fn target(&self, id_number: &str) -> crate::store::Result<Option<Target>>;
    /// Whether this assessment was imported already.
    fn imported(
        &self,
        case_id: i64,
        on: NaiveDate,
        level: Option<RiskLevel>,
    ) -> crate::store::Result<bool>;
}

/// One valid row.
#[derive(Debug, Clone)]
pub struct AEntry {
    pub row: u32,
    pub case_id: i64,
    pub assessed_on: NaiveDate,
    pub level: Option<RiskLevel>,
    pub next_review: Option<NaiveDate>,
    /// Imported before: nothing to write.
    pub already: bool,
}

#[derive(Debug, Default)]
pub struct AChecked {
    pub entries: Vec<AEntry>,
    pub problems: Vec<Problem>,
    pub header: usize,
    pub rows: usize,
}

impl AChecked {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| !p.warning)
    }
}

fn blank(r: &StringRecord) -> bool {
    r.iter().all(|c| c.trim().is_empty())
}

pub fn check(
    sheet: &Sheet,
    lookup: &dyn AssessmentLookup,
    today: NaiveDate,
) -> crate::store::Result<AChecked> {
    let mut out = AChecked::default();
    let Some(header) = sheet
        .rows
        .iter()
        .take(10)
        .position(|r| r.iter().filter(|h| ACol::find(h).is_some()).count() >= 2)
        .or_else(|| sheet.rows.iter().position(|r| !blank(r)))
    else {
        out.problems.push(Problem::file(Kind::EmptyFile));
        return Ok(out);
    };
    out.header = header;
    let hrow = sheet.row_number(header);
    let mut pos: HashMap<ACol, usize> = HashMap::new();
    let head = &sheet.rows[header];
    for (j, h) in head.iter().enumerate() {
        if h.trim().is_empty() || is_error_header(h) {
            continue;
        }
        match ACol::find(h) {
            Some(c) if pos.contains_key(&c) => out.problems.push(Problem::cell(
                hrow,
                sheet.column(j),
                h,
                h,
                Kind::DuplicateColumn {
                    first: column_letter(sheet.column(pos[&c])),
                },
            )),
            Some(c) => {
                pos.insert(c, j);
            }
            None => out.problems.push(Problem::cell(
                hrow,
                sheet.column(j),
                h,
                h,
                Kind::UnknownColumn,
            )),
        }
    }
    for c in ACol::REQUIRED {
        if !pos.contains_key(&c) {
            out.problems
                .push(Problem::file(Kind::MissingAssessmentColumn {
                    zh: c.zh(),
                    en: c.en(),
                }));
        }
    }
    if !sheet.formulas.is_empty() || !sheet.merged.is_empty() {
        for ((r, c), f) in &sheet.formulas {
            out.problems.push(Problem::cell(
                r + 1,
                *c,
                "",
                "",
                Kind::Formula { formula: f.clone() },
            ));
        }
        for a in &sheet.merged {
            out.problems.push(Problem {
                row: Some(a.first.0 + 1),
                col: Some(a.first.1),
                ..Problem::file(Kind::Merged {
                    area: format!(
                        "{}{}:{}{}",
                        column_letter(a.first.1),
                        a.first.0 + 1,
                        column_letter(a.last.1),
                        a.last.0 + 1
                    ),
                })
            });
        }
    }
    if out.has_errors() {
        return Ok(out);
    }
    let mut seen: HashMap<(String, NaiveDate), u32> = HashMap::new();
    for (i, rec) in sheet.rows.iter().enumerate().skip(header + 1) {
        if blank(rec) {
            continue;
        }
        out.rows += 1;
        let row = sheet.row_number(i);
        let mut problems = Vec::new();
        let cell = |c: ACol| -> (String, u32, String) {
            let j = pos.get(&c).copied();
            (
                j.and_then(|j| rec.get(j)).unwrap_or("").trim().to_string(),
                j.map(|j| sheet.column(j)).unwrap_or(0),
                j.and_then(|j| head.get(j)).unwrap_or(c.zh()).to_string(),
            )
        };
        let bad = |c: ACol, v: &str, k: Kind, problems: &mut Vec<Problem>| {
            let (_, col, h) = cell(c);
            problems.push(Problem::cell(row, col, &h, v, k));
        };
        let (id_v, ..) = cell(ACol::IdNumber);
        let id = if id_v.is_empty() {
            bad(ACol::IdNumber, "", Kind::Required, &mut problems);
            None
        } else {
            match IdNumber::parse(&id_v) {
                Ok(id) => Some(id),
                Err(e) => {
                    bad(ACol::IdNumber, &id_v, Kind::IdNumber(e), &mut problems);
                    None
                }
            }
        };
        let date = |c: ACol, required: bool, problems: &mut Vec<Problem>| {
            let (v, ..) = cell(c);
            if v.is_empty() {
                if required {
                    bad(c, "", Kind::Required, problems);
                }
                return None;
            }
            match parse_date(&v) {
                Ok(d) => Some(d),
                Err(k) => {
                    bad(c, &v, k, problems);
                    None
                }
            }
        };
        let on = date(ACol::AssessedOn, true, &mut problems);
        let next = date(ACol::NextReview, false, &mut problems);
        if let Some(d) = on
            && d > today
        {
            let (v, ..) = cell(ACol::AssessedOn);
            bad(
                ACol::AssessedOn,
                &v,
                Kind::FutureDate { today },
                &mut problems,
            );
        }
        if let (Some(on), Some(next)) = (on, next)
            && next <= on
        {
            let (v, ..) = cell(ACol::NextReview);
            bad(ACol::NextReview, &v, Kind::ReviewNotAfter, &mut problems);
        }
        let (lv, ..) = cell(ACol::Level);
        let level = if lv.is_empty() {
            bad(ACol::Level, "", Kind::Required, &mut problems);
            None
        } else {
            match parse_level(&lv) {
                Some(l) => Some(l),
                None => {
                    bad(ACol::Level, &lv, Kind::BadLevel, &mut problems);
                    None
                }
            }
        };
        let mut target = None;
        if let Some(id) = &id {
            match lookup.target(id.as_str())? {
                None => bad(ACol::IdNumber, &id_v, Kind::UnknownChild, &mut problems),
                Some(t) => {
                    let (name, ..) = cell(ACol::Name);
                    if !name.is_empty() && crate::text::sanitize_line(&name) != t.name {
                        bad(
                            ACol::Name,
                            &name,
                            Kind::Differs {
                                on_file: t.name.clone(),
                            },
                            &mut problems,
                        );
                    }
                    if t.case_id.is_none() {
                        bad(ACol::IdNumber, &id_v, Kind::NoCase, &mut problems);
                    }
                    target = Some(t);
                }
            }
        }
        if let (Some(id), Some(on)) = (&id, on) {
            let key = (id.as_str().to_string(), on);
            if let Some(&first) = seen.get(&key) {
                bad(
                    ACol::IdNumber,
                    &id_v,
                    Kind::DuplicateRow { first },
                    &mut problems,
                );
            } else {
                seen.insert(key, row);
            }
        }
        if !problems.is_empty() {
            out.problems.append(&mut problems);
            continue;
        }
        let (Some(t), Some(on), Some(level)) = (target, on, level) else {
            continue;
        };
        let case_id = t.case_id.expect("checked above");
        if let Some(last) = t.last_decided_on
            && last > on
        {
            let (v, ..) = cell(ACol::AssessedOn);
            let (_, col, h) = cell(ACol::AssessedOn);
            out.problems.push(
                Problem::cell(row, col, &h, &v, Kind::AlreadyNewer { on: last }).as_warning(),
            );
        }
        let already = lookup.imported(case_id, on, level)?;
        out.entries.push(AEntry {
            row,
            case_id,
            assessed_on: on,
            level,
            next_review: next,
            already,
        });
    }
    if out.rows == 0 && !out.has_errors() {
        out.problems.push(Problem::file(Kind::NoRows));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_as_typed() {
        assert_eq!(parse_level("一级"), Some(Some(RiskLevel::L1)));
        assert_eq!(parse_level("二级风险"), Some(Some(RiskLevel::L2)));
        assert_eq!(parse_level(" 3 "), Some(Some(RiskLevel::L3)));
        assert_eq!(parse_level("L2"), Some(Some(RiskLevel::L2)));
        assert_eq!(parse_level("无"), Some(None));
        assert_eq!(parse_level("四级"), None);
    }
}
