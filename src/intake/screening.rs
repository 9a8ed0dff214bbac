//! Checking a screening sheet row by row, and the plan of what importing it would write.
//!
//! Nothing here touches the database directly: what the checks need to know about it
//! (regions, children already on file) comes through [`Lookup`], which the store
//! implements. The plan is written by `Store::import_screening`, in one transaction.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use csv::StringRecord;

use super::columns::{Col, HeaderIndex, is_error_header};
use super::problem::{DuplicateWhy, Kind, Problem};
use super::read::{Sheet, column_letter};
use crate::domain::child::{Child, Sex, age_on};
use crate::domain::difficulty::DifficultyType;
use crate::domain::guardian::{Guardian, GuardianStatus, Relation};
use crate::domain::id_number::IdNumber;
use crate::domain::phone;
use crate::domain::region::RegionLevel;
use crate::i18n::{self, Lang};
use crate::text::{sanitize, sanitize_line};

/// A child already on file, as the checks need it.
#[derive(Debug, Clone)]
pub struct OnFile {
    pub child: Child,
    pub guardians: Vec<Guardian>,
    /// The child's case that is not closed, with its types.
    pub open_case: Option<(i64, Vec<DifficultyType>)>,
}

/// A child with the same name and birth date: (child id, ID number, sex, region).
pub type Candidate = (i64, Option<String>, Sex, String);

/// What the checks ask of the database.
pub trait Lookup {
    /// The region called `name` under `parent` (None: a city).
    fn region(&self, parent: Option<&str>, name: &str) -> Option<(String, String)>;
    fn by_id_number(&self, id: &str) -> crate::store::Result<Option<OnFile>>;
    /// Children with this name and birth date: (child id, ID number, sex, region).
    fn by_name_birth(&self, name: &str, birth: NaiveDate) -> crate::store::Result<Vec<Candidate>>;
    fn on_file(&self, child_id: i64) -> crate::store::Result<Option<OnFile>>;
    /// `沈阳市 新民市 兴隆镇` for a region code.
    fn region_path(&self, code: &str) -> String;
}

/// Options of one import.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub today: NaiveDate,
    pub create_regions: bool,
    /// Take the sheet's values where they differ from a child on file.
    pub update: bool,
}

/// A region of a row: one on file, or one the import creates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RegionRef {
    Known(String),
    New(usize),
}

/// A township or village the import creates (`--create-regions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegion {
    pub parent: RegionRef,
    pub level: RegionLevel,
    pub name: String,
}

/// One valid row.
#[derive(Debug, Clone)]
pub struct Entry {
    pub row: u32,
    /// The child as it will be on file (with its id when it is already there). Its
    /// `region` is empty when the region is created by the import: see `region`.
    pub child: Child,
    pub region: RegionRef,
    pub matched: Match,
    pub types: Vec<DifficultyType>,
    pub screened_on: NaiveDate,
    pub screener: Option<String>,
    pub summary: Option<String>,
}

/// How a row relates to the children on file.
#[derive(Debug, Clone)]
pub enum Match {
    /// A new child, with the guardian of the row if any.
    New { guardians: Vec<Guardian> },
    /// A child on file. `update` says whether the record changes (only with `--update`);
    /// `guardians` is the new list when it changes; `case` is the open case and, when its
    /// types change, the new list.
    Existing {
        update: bool,
        guardians: Option<Vec<Guardian>>,
        case: Option<(i64, Option<Vec<DifficultyType>>)>,
    },
}

/// The outcome of the checks.
#[derive(Debug, Default)]
pub struct Checked {
    /// Index in the sheet's rows of the header row.
    pub header: usize,
    pub entries: Vec<Entry>,
    pub new_regions: Vec<NewRegion>,
    /// Errors and warnings, in sheet order.
    pub problems: Vec<Problem>,
    /// Rows that are not empty (below the header).
    pub rows: usize,
    /// The SHA-256 of the file checked ([`Sheet::sha256`]), for the import's audit event.
    pub sha256: String,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| !p.warning)
    }
}

/// The longest value each column takes, in characters.
fn max_len(col: Col) -> usize {
    match col {
        Col::Summary => 5000,
        Col::HouseholdRegistration | Col::Address | Col::Types => 200,
        Col::School | Col::Screener => 100,
        Col::Name | Col::GuardianName | Col::City | Col::County | Col::Township | Col::Village => {
            50
        }
        Col::Phone | Col::BirthDate | Col::ScreenedOn | Col::IdNumber => 40,
        Col::Sex | Col::Relation | Col::GuardianStatus => 20,
    }
}

/// Where the header is and which cell holds which column.
pub struct Layout {
    /// Index in `sheet.rows` of the header row.
    pub header: usize,
    /// For each cell index of a row, its column (None: ignored).
    pub cols: Vec<Option<Col>>,
    /// For each column (`Col as usize`), its cell index: an array, as every cell of every
    /// row is found through it.
    pub pos: [Option<usize>; Col::ALL.len()],
}

/// Finds the header row: the first of the first ten rows with at least three known
/// headers, else the first row that is not empty. Reports unknown, duplicated and missing
/// columns.
pub fn layout(sheet: &Sheet, problems: &mut Vec<Problem>) -> Option<Layout> {
    let idx = HeaderIndex::new();
    let known = |r: &StringRecord| r.iter().filter(|h| idx.find(h).is_some()).count();
    let header = sheet
        .rows
        .iter()
        .take(10)
        .position(|r| known(r) >= 3)
        .or_else(|| sheet.rows.iter().position(|r| !is_blank(r)));
    let Some(header) = header else {
        problems.push(Problem::file(Kind::EmptyFile));
        return None;
    };
    let hrow = sheet.row_number(header);
    let mut cols = Vec::new();
    let mut pos = [None; Col::ALL.len()];
    for (j, h) in sheet.rows[header].iter().enumerate() {
        let letter_col = sheet.column(j);
        if h.trim().is_empty() {
            // A column with no header is fine if it is empty too.
            let used = sheet.rows[header + 1..]
                .iter()
                .any(|r| r.get(j).is_some_and(|v| !v.trim().is_empty()));
            if used {
                problems.push(Problem::cell(hrow, letter_col, "", "", Kind::UnknownColumn));
            }
            cols.push(None);
            continue;
        }
        if is_error_header(h) {
            cols.push(None);
            continue;
        }
        match idx.find(h) {
            Some(col) => {
                if let Some(first) = pos[col as usize] {
                    problems.push(Problem::cell(
                        hrow,
                        letter_col,
                        h,
                        h,
                        Kind::DuplicateColumn {
                            first: column_letter(sheet.column(first)),
                        },
                    ));
                    cols.push(None);
                } else {
                    pos[col as usize] = Some(j);
                    cols.push(Some(col));
                }
            }
            None => {
                problems.push(Problem::cell(hrow, letter_col, h, h, Kind::UnknownColumn));
                cols.push(None);
            }
        }
    }
    for col in Col::REQUIRED {
        if pos[col as usize].is_none() {
            problems.push(Problem::file(Kind::MissingColumn { col }));
        }
    }
    Some(Layout { header, cols, pos })
}

fn is_blank(r: &StringRecord) -> bool {
    r.iter().all(|c| c.trim().is_empty())
}

/// A cell's text with our own protection against formula injection taken off again: a
/// copy casepanel writes puts `'` before a value that starts with `=`, `+`, `-` or `@`.
fn unescape(s: &str) -> &str {
    let t = s.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => t,
    }
}

/// Parses a date as officers type it: 2014-05-06, 2014/5/6, 2014.5.6, 2014年5月6日,
/// 20140506, with or without a time after it.
pub fn parse_date(s: &str) -> Result<NaiveDate, Kind> {
    let s = s.trim();
    let s = s.split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else {
        let s = s.strip_suffix('日').unwrap_or(s);
        s.split(['-', '/', '.', '年', '月']).collect()
    };
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (num(y, 4), num(m, 2), num(d, 2)) {
            (Some(y), Some(m), Some(d)) => {
                NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(Kind::NoSuchDate)
            }
            _ => Err(Kind::BadDate),
        },
        _ => Err(Kind::BadDate),
    }
}

/// Difficulty types from a cell: several, separated by 、 ； ; ， , or a new line. Each is a
/// Chinese name or synonym, an English label, or a code.
pub fn parse_types(s: &str) -> (Vec<DifficultyType>, Vec<String>) {
    let mut types = Vec::new();
    let mut unknown = Vec::new();
    for word in s.split(['、', '；', ';', '，', ',', '\n']) {
        let w = word.trim();
        if w.is_empty() {
            continue;
        }
        let t = DifficultyType::from_chinese(w)
            .or_else(|| DifficultyType::from_code(w))
            .or_else(|| {
                DifficultyType::ALL
                    .iter()
                    .copied()
                    .find(|t| i18n::label(Lang::En, *t).eq_ignore_ascii_case(w))
            });
        match t {
            Some(t) if !types.contains(&t) => types.push(t),
            Some(_) => {}
            None => unknown.push(w.to_string()),
        }
    }
    types.sort();
    (types, unknown)
}

struct RowCtx<'a> {
    sheet: &'a Sheet,
    layout: &'a Layout,
    rec: &'a StringRecord,
    row: u32,
    flagged: &'a HashSet<(u32, u32)>,
    problems: Vec<Problem>,
}

impl<'a> RowCtx<'a> {
    /// The cell of `col`: (its text, sheet column), None when the sheet has no such column.
    fn raw(&self, col: Col) -> Option<(&'a str, u32)> {
        let j = self.layout.pos[col as usize]?;
        Some((self.rec.get(j).unwrap_or(""), self.sheet.column(j)))
    }

    fn header(&self, col: Col) -> String {
        self.layout.pos[col as usize]
            .and_then(|j| self.sheet.rows[self.layout.header].get(j))
            .unwrap_or(col.zh())
            .to_string()
    }

    fn problem(&mut self, col: Col, value: &str, kind: Kind) {
        let c = match self.raw(col) {
            Some((_, c)) => c,
            None => {
                self.problems.push(Problem::row(self.row, kind));
                return;
            }
        };
        let header = self.header(col);
        self.problems
            .push(Problem::cell(self.row, c, &header, value, kind));
    }

    /// The cell's text, trimmed, if the cell is usable: not flagged (formula, lost digits),
    /// not too long. `Some("")` for an empty cell.
    fn get(&mut self, col: Col) -> Option<String> {
        let (v, c) = self.raw(col)?;
        if !self.flagged.is_empty() && self.flagged.contains(&(self.row - 1, c)) {
            return None;
        }
        let v = unescape(v).to_string();
        let n = v.chars().count();
        let max = max_len(col);
        if n > max {
            self.problem(col, &v, Kind::TooLong { len: n, max });
            return None;
        }
        Some(v)
    }

    /// Like [`get`], and an empty cell of a present column is a `Required` problem.
    fn required(&mut self, col: Col) -> Option<String> {
        let v = self.get(col)?;
        if v.is_empty() {
            self.problem(col, "", Kind::Required);
            return None;
        }
        Some(v)
    }

    /// An optional one-line text.
    fn optional(&mut self, col: Col) -> Option<String> {
        self.get(col)
            .map(|v| sanitize_line(&v))
            .filter(|v| !v.is_empty())
    }
}

/// What the checks found of one row before looking at the database.
struct Parsed {
    name: String,
    sex: Sex,
    birth: NaiveDate,
    id: Option<IdNumber>,
    household_registration: String,
    address: String,
    phone: Option<String>,
    school: Option<String>,
    types: Vec<DifficultyType>,
    guardian: Option<Guardian>,
    screened_on: NaiveDate,
    screener: Option<String>,
    summary: Option<String>,
}

/// Region names are matched as typed, else with the usual suffix added (新民 → 新民市).
fn find_region(
    lookup: &dyn Lookup,
    parent: Option<&str>,
    name: &str,
    level: RegionLevel,
) -> Option<String> {
    if let Some((code, _)) = lookup.region(parent, name) {
        return Some(code);
    }
    let suffixes: &[&str] = match level {
        RegionLevel::City => &["市"],
        RegionLevel::County => &["市", "县", "区"],
        RegionLevel::Township => &["镇", "乡", "街道"],
        RegionLevel::Village => &["村", "社区"],
    };
    suffixes.iter().find_map(|s| {
        lookup
            .region(parent, &format!("{name}{s}"))
            .map(|(code, _)| code)
    })
}

/// The region columns, in the order of [`Regions::seen`]'s keys.
const PLACE: [Col; 4] = [Col::City, Col::County, Col::Township, Col::Village];

/// What the rows' regions resolve to, and the regions the import creates.
struct Regions<'a, 's> {
    lookup: &'a dyn Lookup,
    create: bool,
    new: Vec<NewRegion>,
    new_index: HashMap<(RegionRef, String), usize>,
    /// Each combination of region cells, as typed, met so far: what [`place`] made of it,
    /// and its problems (with the row of the first row that had them). A sheet names a few
    /// hundred places in a hundred thousand rows.
    seen: HashMap<[&'s str; 4], (Option<RegionRef>, Vec<Problem>)>,
}

impl<'s> Regions<'_, 's> {
    /// The row's region, and its problems, as [`place`] finds them: worked out once for each
    /// combination of cells.
    fn of_row(&mut self, cx: &mut RowCtx<'s>) -> Option<RegionRef> {
        let raw = PLACE.map(|col| cx.raw(col));
        let flagged = !cx.flagged.is_empty()
            && raw
                .iter()
                .flatten()
                .any(|(_, c)| cx.flagged.contains(&(cx.row - 1, *c)));
        if flagged {
            // A formula or lost digits: this cell's own problem, not its text's.
            return place(cx, self);
        }
        let key = raw.map(|cell| cell.map_or("", |(v, _)| v));
        if let Some((region, problems)) = self.seen.get(&key) {
            cx.problems.extend(problems.iter().map(|p| Problem {
                row: Some(cx.row),
                ..p.clone()
            }));
            return region.clone();
        }
        let before = cx.problems.len();
        let region = place(cx, self);
        self.seen
            .insert(key, (region.clone(), cx.problems[before..].to_vec()));
        region
    }

    fn resolve_or_create(
        &mut self,
        parent: RegionRef,
        name: &str,
        level: RegionLevel,
    ) -> Option<RegionRef> {
        if let RegionRef::Known(p) = &parent
            && let Some(code) = find_region(self.lookup, Some(p), name, level)
        {
            return Some(RegionRef::Known(code));
        }
        let key = (parent.clone(), name.to_string());
        if let Some(&i) = self.new_index.get(&key) {
            return Some(RegionRef::New(i));
        }
        if !self.create {
            return None;
        }
        self.new.push(NewRegion {
            parent,
            level,
            name: name.to_string(),
        });
        self.new_index.insert(key, self.new.len() - 1);
        Some(RegionRef::New(self.new.len() - 1))
    }
}

/// The row's region: its city and county must be on file; its township and village may be
/// created (`--create-regions`).
fn place(cx: &mut RowCtx<'_>, regions: &mut Regions<'_, '_>) -> Option<RegionRef> {
    let city_v = cx.required(Col::City).map(|v| sanitize_line(&v))?;
    let city = match find_region(regions.lookup, None, &city_v, RegionLevel::City) {
        Some(c) => c,
        None => {
            cx.problem(Col::City, &city_v, Kind::UnknownCity);
            return None;
        }
    };
    let county_v = cx.required(Col::County).map(|v| sanitize_line(&v))?;
    let county = match find_region(regions.lookup, Some(&city), &county_v, RegionLevel::County) {
        Some(c) => c,
        None => {
            cx.problem(Col::County, &county_v, Kind::UnknownCounty { city: city_v });
            return None;
        }
    };
    let town_v = cx.optional(Col::Township);
    let village_v = cx.optional(Col::Village);
    let Some(town_v) = town_v else {
        if let Some(v) = village_v {
            cx.problem(Col::Village, &v, Kind::VillageWithoutTownship);
            return None;
        }
        return Some(RegionRef::Known(county));
    };
    let Some(town) =
        regions.resolve_or_create(RegionRef::Known(county), &town_v, RegionLevel::Township)
    else {
        cx.problem(
            Col::Township,
            &town_v,
            Kind::UnknownTownship { county: county_v },
        );
        return None;
    };
    let Some(village_v) = village_v else {
        return Some(town);
    };
    match regions.resolve_or_create(town, &village_v, RegionLevel::Village) {
        Some(v) => Some(v),
        None => {
            cx.problem(
                Col::Village,
                &village_v,
                Kind::UnknownVillage { township: town_v },
            );
            None
        }
    }
}

/// Every cell of a row but its region's ([`place`]): what needs neither the database nor
/// the other rows, so that the rows can be parsed on every core.
fn parse_row(cx: &mut RowCtx<'_>, opts: &Options) -> Option<Parsed> {
    let today = opts.today;
    let name = cx.required(Col::Name).map(|v| sanitize_line(&v));
    let sex = cx.required(Col::Sex).and_then(|v| {
        let s = Sex::parse_loose(&v);
        if s.is_none() {
            cx.problem(Col::Sex, &v, Kind::BadSex);
        }
        s
    });
    let date = |cx: &mut RowCtx<'_>, col: Col| -> Option<NaiveDate> {
        let v = cx.required(col)?;
        match parse_date(&v) {
            Ok(d) if d > today => {
                cx.problem(col, &v, Kind::FutureDate { today });
                None
            }
            Ok(d) => Some(d),
            Err(k) => {
                cx.problem(col, &v, k);
                None
            }
        }
    };
    let birth = date(cx, Col::BirthDate);
    let screened_on = date(cx, Col::ScreenedOn);
    let id = match cx.get(Col::IdNumber) {
        Some(v) if !v.is_empty() => match IdNumber::parse(&v) {
            Ok(id) => Some(Some(id)),
            Err(e) => {
                cx.problem(Col::IdNumber, &v, Kind::IdNumber(e));
                None
            }
        },
        Some(_) => Some(None),
        None if cx.raw(Col::IdNumber).is_none() => Some(None),
        None => None,
    };
    if let (Some(Some(id)), Some(birth)) = (&id, birth)
        && id.birth_date() != birth
    {
        let v = cx
            .raw(Col::BirthDate)
            .map(|(v, _)| v.to_string())
            .unwrap_or_default();
        cx.problem(
            Col::BirthDate,
            &v,
            Kind::BirthMismatch {
                from_id: id.birth_date(),
            },
        );
    }
    if let (Some(Some(id)), Some(sex)) = (&id, sex)
        && id.sex() != sex
    {
        let v = cx
            .raw(Col::Sex)
            .map(|(v, _)| v.to_string())
            .unwrap_or_default();
        cx.problem(Col::Sex, &v, Kind::SexMismatch { from_id: id.sex() });
    }
    if let (Some(birth), Some(on)) = (birth, screened_on) {
        let v = cx
            .raw(Col::ScreenedOn)
            .map(|(v, _)| v.to_string())
            .unwrap_or_default();
        if on < birth {
            cx.problem(Col::ScreenedOn, &v, Kind::ScreenedBeforeBirth);
        } else {
            let age = age_on(birth, on);
            if age >= 18 {
                let bv = cx
                    .raw(Col::BirthDate)
                    .map(|(v, _)| v.to_string())
                    .unwrap_or_default();
                cx.problem(Col::BirthDate, &bv, Kind::Adult { age });
            }
        }
    }
    let household_registration = cx.optional(Col::HouseholdRegistration).unwrap_or_default();
    let address = cx.optional(Col::Address).unwrap_or_default();
    let school = cx.optional(Col::School);
    let phone = match cx.get(Col::Phone) {
        Some(v) if !v.is_empty() => match phone::normalize(&v) {
            Ok(p) => Some(Some(p)),
            Err(_) => {
                cx.problem(Col::Phone, &v, Kind::BadPhone);
                None
            }
        },
        _ => Some(None),
    };
    let types = cx.required(Col::Types).and_then(|v| {
        let (types, unknown) = parse_types(&v);
        for word in &unknown {
            cx.problem(Col::Types, &v, Kind::UnknownType { word: word.clone() });
        }
        if unknown.is_empty() && types.is_empty() {
            cx.problem(Col::Types, &v, Kind::Required);
        }
        (unknown.is_empty() && !types.is_empty()).then_some(types)
    });
    let guardian = {
        let g_name = cx.optional(Col::GuardianName);
        let rel_v = cx.optional(Col::Relation);
        let status_v = cx.optional(Col::GuardianStatus);
        let relation = rel_v.as_deref().and_then(|v| {
            let r = Relation::from_chinese(v);
            if r.is_none() {
                cx.problem(Col::Relation, v, Kind::UnknownRelation);
            }
            r
        });
        let status = status_v.as_deref().and_then(|v| {
            let s = GuardianStatus::from_chinese(v);
            if s.is_none() {
                cx.problem(Col::GuardianStatus, v, Kind::UnknownGuardianStatus);
            }
            s
        });
        let any = g_name.is_some() || rel_v.is_some() || status_v.is_some();
        match (g_name, relation, status) {
            (Some(name), Some(relation), Some(status)) => Some(Some(Guardian {
                name,
                relation,
                status,
                phone: None,
            })),
            _ if !any => Some(None),
            (g, r, s) => {
                // Name the first missing part (a part that was typed wrong is reported).
                if g.is_none() {
                    cx.problem(Col::GuardianName, "", Kind::GuardianPart);
                } else if r.is_none() && rel_v.is_none() {
                    cx.problem(Col::Relation, "", Kind::GuardianPart);
                } else if s.is_none() && status_v.is_none() {
                    cx.problem(Col::GuardianStatus, "", Kind::GuardianPart);
                }
                None
            }
        }
    };
    let screener = cx.optional(Col::Screener);
    let summary = cx
        .get(Col::Summary)
        .map(|v| sanitize(&v).trim().to_string())
        .filter(|v| !v.is_empty());
    if !cx.problems.is_empty() {
        return None;
    }
    Some(Parsed {
        name: name?,
        sex: sex?,
        birth: birth?,
        id: id?,
        household_registration,
        address,
        phone: phone?,
        school,
        types: types?,
        guardian: guardian?,
        screened_on: screened_on?,
        screener,
        summary,
    })
}

/// Checks every row of `sheet` against the rules and the database, and plans the import.
pub fn check(sheet: &Sheet, lookup: &dyn Lookup, opts: &Options) -> crate::store::Result<Checked> {
    check_with_progress(sheet, lookup, opts, &mut |_, _| {})
}

pub fn check_with_progress(
    sheet: &Sheet,
    lookup: &dyn Lookup,
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> crate::store::Result<Checked> {
    let mut out = Checked {
        sha256: sheet.sha256.clone(),
        ..Checked::default()
    };
    let Some(layout) = layout(sheet, &mut out.problems) else {
        return Ok(out);
    };
    out.header = layout.header;
    // Shapes a sheet must not have at or below its header.
    let first_row = sheet.origin.0 + layout.header as u32;
    for area in &sheet.merged {
        if area.last.0 >= first_row {
            let a = format!(
                "{}{}:{}{}",
                column_letter(area.first.1),
                area.first.0 + 1,
                column_letter(area.last.1),
                area.last.0 + 1
            );
            out.problems.push(Problem {
                row: Some(area.first.0 + 1),
                col: Some(area.first.1),
                ..Problem::file(Kind::Merged { area: a })
            });
        }
    }
    let mut flagged = HashSet::new();
    let header_of = |c: u32| -> String {
        let j = c.checked_sub(sheet.origin.1).map(|j| j as usize);
        j.and_then(|j| sheet.rows[layout.header].get(j))
            .unwrap_or("")
            .to_string()
    };
    for ((r, c), f) in &sheet.formulas {
        if *r >= first_row {
            flagged.insert((*r, *c));
            let v = sheet
                .rows
                .get((*r - sheet.origin.0) as usize)
                .and_then(|rec| rec.get((*c - sheet.origin.1) as usize))
                .unwrap_or("");
            out.problems.push(Problem::cell(
                r + 1,
                *c,
                &header_of(*c),
                v,
                Kind::Formula { formula: f.clone() },
            ));
        }
    }
    for &(r, c) in &sheet.lost_digits {
        if r > first_row && !flagged.contains(&(r, c)) {
            flagged.insert((r, c));
            let v = sheet
                .rows
                .get((r - sheet.origin.0) as usize)
                .and_then(|rec| rec.get((c - sheet.origin.1) as usize))
                .unwrap_or("");
            out.problems
                .push(Problem::cell(r + 1, c, &header_of(c), v, Kind::LostDigits));
        }
    }
    let mut regions = Regions {
        lookup,
        create: opts.create_regions,
        new: Vec::new(),
        new_index: HashMap::new(),
        seen: HashMap::new(),
    };
    let mut seen_id: HashMap<String, u32> = HashMap::new();
    let mut seen_person: HashMap<(String, NaiveDate), u32> = HashMap::new();
    let mut claimed: HashSet<i64> = HashSet::new();
    let first = layout.header + 1;
    let total = sheet.rows.len() - first;
    let context = |i: usize, problems: Vec<Problem>| RowCtx {
        sheet,
        layout: &layout,
        rec: &sheet.rows[i],
        row: sheet.row_number(i),
        flagged: &flagged,
        problems,
    };
    // Every row's own cells first, on every core; then, row after row, what depends on
    // the rows before it (the regions it creates, the duplicates) and on the database.
    let parsed = parallel_map(first..sheet.rows.len(), |i| {
        if is_blank(&sheet.rows[i]) {
            return None;
        }
        let mut cx = context(i, Vec::new());
        let parsed = parse_row(&mut cx, opts);
        Some((parsed, cx.problems))
    });
    out.entries.reserve(total);
    for (i, row_parsed) in (first..).zip(parsed) {
        if (i - first) % 1024 == 0 {
            progress(i - first, total);
        }
        let Some((parsed, problems)) = row_parsed else {
            continue;
        };
        out.rows += 1;
        let mut cx = context(i, problems);
        let row = cx.row;
        let region = regions.of_row(&mut cx);
        let (Some(p), Some(region), true) = (parsed, region, cx.problems.is_empty()) else {
            out.problems.append(&mut cx.problems);
            continue;
        };
        // The same ID number twice in the file.
        if let Some(id) = &p.id {
            if let Some(&first) = seen_id.get(id.as_str()) {
                let v = cx
                    .raw(Col::IdNumber)
                    .map(|(v, _)| v.to_string())
                    .unwrap_or_default();
                cx.problem(Col::IdNumber, &v, Kind::DuplicateRow { first });
                out.problems.append(&mut cx.problems);
                continue;
            }
            seen_id.insert(id.as_str().to_string(), row);
        }
        let person = (p.name.clone(), p.birth);
        if let Some(&first) = seen_person.get(&person) {
            let v = cx
                .raw(Col::Name)
                .map(|(v, _)| v.to_string())
                .unwrap_or_default();
            cx.problem(Col::Name, &v, Kind::PossibleDuplicateRow { first });
            if let Some(w) = cx.problems.pop() {
                out.problems.push(w.as_warning());
            }
        } else {
            seen_person.insert(person, row);
        }
        // Which child on file, if any.
        let on_file = match &p.id {
            Some(id) => lookup.by_id_number(id.as_str())?,
            None => None,
        };
        let on_file = match on_file {
            Some(f) => Some(f),
            None => {
                let candidates = lookup.by_name_birth(&p.name, p.birth)?;
                let region_code = match &region {
                    RegionRef::Known(c) => Some(c.as_str()),
                    RegionRef::New(_) => None,
                };
                let same = candidates.iter().find(|(cid, idn, sex, region)| {
                    p.id.is_none()
                        && idn.is_none()
                        && *sex == p.sex
                        && Some(region.as_str()) == region_code
                        && !claimed.contains(cid)
                });
                match same {
                    Some((cid, ..)) => lookup.on_file(*cid)?,
                    None => {
                        if let Some((cid, idn, ..)) = candidates.first() {
                            let why = DuplicateWhy::of(p.id.is_some(), idn.is_some());
                            let v = cx
                                .raw(Col::Name)
                                .map(|(v, _)| v.to_string())
                                .unwrap_or_default();
                            cx.problem(Col::Name, &v, Kind::PossibleDuplicate { child: *cid, why });
                            if let Some(w) = cx.problems.pop() {
                                out.problems.push(w.as_warning());
                            }
                        }
                        None
                    }
                }
            }
        };
        let region_code = match &region {
            RegionRef::Known(c) => c.clone(),
            RegionRef::New(_) => String::new(),
        };
        let entry = match on_file {
            None => Entry {
                row,
                child: Child {
                    id: 0,
                    name: p.name,
                    sex: p.sex,
                    birth_date: p.birth,
                    id_number: p.id,
                    household_registration: p.household_registration,
                    address: p.address,
                    phone: p.phone,
                    school: p.school,
                    region: region_code,
                },
                region,
                matched: Match::New {
                    guardians: p.guardian.into_iter().collect(),
                },
                types: p.types,
                screened_on: p.screened_on,
                screener: p.screener,
                summary: p.summary,
            },
            Some(f) => {
                claimed.insert(f.child.id);
                let mut child = f.child.clone();
                let mut changed = false;
                let mut differs = |cx: &mut RowCtx<'_>, col: Col, on_file: &str| {
                    changed = true;
                    if !opts.update {
                        let v = cx.raw(col).map(|(v, _)| v.to_string()).unwrap_or_default();
                        cx.problem(
                            col,
                            &v,
                            Kind::Differs {
                                on_file: on_file.to_string(),
                            },
                        );
                    }
                };
                if p.name != child.name {
                    differs(&mut cx, Col::Name, &f.child.name);
                    child.name = p.name.clone();
                }
                let mut text = |cx: &mut RowCtx<'_>, col: Col, sheet: &str, file: &mut String| {
                    if !sheet.is_empty() && sheet != file {
                        differs(cx, col, file);
                        *file = sheet.to_string();
                    }
                };
                text(
                    &mut cx,
                    Col::HouseholdRegistration,
                    &p.household_registration,
                    &mut child.household_registration,
                );
                text(&mut cx, Col::Address, &p.address, &mut child.address);
                let mut opt = |cx: &mut RowCtx<'_>,
                               col: Col,
                               sheet: &Option<String>,
                               file: &mut Option<String>| {
                    if let Some(s) = sheet
                        && file.as_deref() != Some(s.as_str())
                    {
                        differs(cx, col, file.as_deref().unwrap_or(""));
                        *file = Some(s.clone());
                    }
                };
                opt(&mut cx, Col::Phone, &p.phone, &mut child.phone);
                opt(&mut cx, Col::School, &p.school, &mut child.school);
                // A sheet that names only the county of a child filed under one of its
                // townships says nothing new.
                let region_changes = match &region {
                    RegionRef::Known(c) => !child.region.starts_with(c.as_str()),
                    RegionRef::New(_) => true,
                };
                if region_changes {
                    let col = [Col::Village, Col::Township, Col::County]
                        .into_iter()
                        .find(|c| cx.raw(*c).is_some_and(|(v, _)| !v.trim().is_empty()))
                        .unwrap_or(Col::County);
                    let path = lookup.region_path(&child.region);
                    differs(&mut cx, col, &path);
                    child.region = region_code.clone();
                }
                let guardians = match &p.guardian {
                    Some(g) => {
                        let pos = f.guardians.iter().position(|x| x.name == g.name);
                        let same = pos.is_some_and(|i| {
                            f.guardians[i].relation == g.relation
                                && f.guardians[i].status == g.status
                        });
                        if same {
                            None
                        } else {
                            let was = match pos {
                                Some(i) => guardian_text(&f.guardians[i]),
                                None => String::new(),
                            };
                            differs(&mut cx, Col::GuardianName, &was);
                            let mut list = f.guardians.clone();
                            match pos {
                                Some(i) => {
                                    list[i].relation = g.relation;
                                    list[i].status = g.status;
                                }
                                None => list.push(g.clone()),
                            }
                            Some(list)
                        }
                    }
                    None => None,
                };
                let case = match &f.open_case {
                    Some((case_id, types)) => {
                        if p.types.iter().all(|t| types.contains(t)) {
                            Some((*case_id, None))
                        } else {
                            let was = types
                                .iter()
                                .map(|t| i18n::label(Lang::Zh, *t))
                                .collect::<Vec<_>>()
                                .join("、");
                            differs(&mut cx, Col::Types, &was);
                            let mut all = types.clone();
                            for t in &p.types {
                                if !all.contains(t) {
                                    all.push(*t);
                                }
                            }
                            all.sort();
                            Some((*case_id, Some(all)))
                        }
                    }
                    None => None,
                };
                if !cx.problems.is_empty() {
                    out.problems.append(&mut cx.problems);
                    continue;
                }
                Entry {
                    row,
                    child,
                    region,
                    matched: Match::Existing {
                        update: changed,
                        guardians,
                        case,
                    },
                    types: p.types,
                    screened_on: p.screened_on,
                    screener: p.screener,
                    summary: p.summary,
                }
            }
        };
        out.entries.push(entry);
    }
    progress(total, total);
    if out.rows == 0 && !out.has_errors() {
        out.problems.push(Problem::file(Kind::NoRows));
    }
    out.new_regions = regions.new;
    out.problems
        .sort_by_key(|p| (p.row.unwrap_or(0), p.col.unwrap_or(0), p.warning));
    Ok(out)
}

/// `f` of every index in `range`, in order: the range cut in as many runs as there are
/// cores (one for a small range), each run's results in a list of their own (joining them
/// would copy every result once more).
fn parallel_map<T: Send>(
    range: std::ops::Range<usize>,
    f: impl Fn(usize) -> T + Sync,
) -> impl Iterator<Item = T> {
    const ALONE: usize = 4096;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = cores.min(range.len() / ALONE).max(1);
    let per = range.len().div_ceil(runs);
    let run = |k: usize| range.start + k * per..(range.start + (k + 1) * per).min(range.end);
    let f = &f;
    let lists: Vec<Vec<T>> = if runs == 1 {
        vec![range.clone().map(f).collect()]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..runs)
                .map(|k| s.spawn(move || run(k).map(f).collect()))
                .collect();
            let mut lists = vec![run(0).map(f).collect()];
            for h in handles {
                lists.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            lists
        })
    };
    lists.into_iter().flatten()
}

fn guardian_text(g: &Guardian) -> String {
    format!(
        "{} {} {}",
        g.name,
        i18n::label(Lang::Zh, g.relation),
        i18n::label(Lang::Zh, g.status)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_typed() {
        let d = NaiveDate::from_ymd_opt(2014, 5, 6).unwrap();
        for s in [
            "2014-05-06",
            "2014/5/6",
            "2014.5.6",
            "2014年5月6日",
            "20140506",
            "2014-05-06 00:00:00",
            " 2014-5-06 ",
        ] {
            assert_eq!(parse_date(s), Ok(d), "{s}");
        }
        assert_eq!(parse_date("2014-02-30"), Err(Kind::NoSuchDate));
        assert_eq!(parse_date("14-5-6"), Err(Kind::BadDate));
        assert_eq!(parse_date("五月六日"), Err(Kind::BadDate));
        assert_eq!(parse_date("2014-5"), Err(Kind::BadDate));
    }

    #[test]
    fn types_with_synonyms() {
        let (t, bad) = parse_types("家暴、失学；服刑人员子女");
        assert!(bad.is_empty());
        assert_eq!(
            t,
            vec![
                DifficultyType::OutOfSchool,
                DifficultyType::DomesticViolence,
                DifficultyType::ParentAddictionPrison
            ]
        );
        let (t, bad) = parse_types("拐卖/虐待/遗弃/非法雇佣, poverty, Wandering");
        assert_eq!(bad, Vec::<String>::new());
        assert_eq!(t.len(), 3);
        let (_, bad) = parse_types("留守、家暴");
        assert_eq!(bad, vec!["留守".to_string()]);
    }
}
