//! Reading a catalogue file: TOML syntax first, then every rule of the format, each problem
//! with its line.
//!
//! The file is parsed once into toml's raw document tree ([`DeTable`]), whose every key and
//! value carries a [`Spanned`] byte range. Reading that tree by hand, rather than through one
//! `#[derive(Deserialize)]`, lets the loader go on after the first problem and report them
//! all: an unknown key in one indicator does not hide a duplicate id three indicators later.
//! Nothing is returned unless the whole file is valid.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Catalogue, Indicator, InterventionDef, LevelDef, Method, Thresholds};
use crate::domain::level::RiskLevel;

/// One thing wrong with a catalogue file, located as precisely as the file allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name as given to the loader.
    pub file: String,
    /// 1-based line; `None` when the problem is about the file as a whole.
    pub line: Option<usize>,
    /// 1-based column, in characters.
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it; may be empty.
    pub hint: String,
}

impl fmt::Display for Problem {
    /// `criteria.toml:42: indicator L2-03: weight must be a whole number ≥ 0 — hint: ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if !self.hint.is_empty() {
            write!(f, " — hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Why a catalogue was refused: every problem found, in file order (whole-file problems last).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogueError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for CatalogueError {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, p) in self.problems.iter().enumerate() {
            if n > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Reads and validates a catalogue file. The only I/O in the criteria module.
pub fn load_file(path: impl AsRef<Path>) -> Result<Catalogue, CatalogueError> {
    let path = path.as_ref();
    let file = path.display().to_string();
    let whole_file = |message: String, hint: &str| CatalogueError {
        problems: vec![Problem {
            file: file.clone(),
            line: None,
            column: None,
            message,
            hint: hint.to_owned(),
        }],
    };
    let bytes = std::fs::read(path).map_err(|e| {
        whole_file(
            format!("cannot read the file: {e}"),
            "check the path and the file's permissions",
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        whole_file(
            format!(
                "the file is not UTF-8 text (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8 (without BOM is best)",
        )
    })?;
    load_str(&text, &file)
}

/// Parses and validates a catalogue. `file_name` only labels the problems.
///
/// On success the catalogue keeps `text` as its `source` and the SHA-256 of its bytes.
/// On failure every problem found is returned; nothing is half-loaded.
pub fn load_str(text: &str, file_name: &str) -> Result<Catalogue, CatalogueError> {
    let mut cx = Cx {
        text,
        file: file_name,
        problems: Vec::new(),
    };
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for e in &syntax {
            cx.problem(
                e.span(),
                format!("TOML syntax: {}", e.message()),
                "text values need \"quotes\"; a table is written [name], a repeated one [[name]]",
            );
        }
        return Err(cx.finish());
    }
    let cat = read_catalogue(&mut cx, doc.get_ref());
    match cat {
        Some(cat) if cx.problems.is_empty() => Ok(cat),
        _ => Err(cx.finish()),
    }
}

/// Keys allowed at each place of the file.
const TOP_KEYS: &[&str] = &[
    "id",
    "version",
    "title_zh",
    "title_en",
    "method",
    "level",
    "indicator",
    "intervention",
];
const METHOD_KEYS: &[&str] = &["kind", "thresholds"];
const THRESHOLD_KEYS: &[&str] = &["level1", "level2", "level3"];
const LEVEL_KEYS: &[&str] = &["level", "zh", "en"];
const INDICATOR_KEYS: &[&str] = &[
    "id",
    "level",
    "zh",
    "en",
    "guidance_zh",
    "guidance_en",
    "hard_trigger",
    "required",
    "reportable",
    "weight",
];
const INTERVENTION_KEYS: &[&str] = &["id", "levels", "zh", "en", "default_unit"];

const WHOLE_NUMBER: &str = "a whole number ≥ 0";

fn read_catalogue(cx: &mut Cx, doc: &DeTable) -> Option<Catalogue> {
    let root = Tbl {
        t: doc,
        span: 0..0,
        what: String::new(),
    };
    root.check_keys(cx, TOP_KEYS);
    let id = root.text(cx, "id", true);
    if let Some(id) = &id {
        cx.check_id(id, "");
    }
    let version = root.text(cx, "version", true);
    let title_zh = root.text(cx, "title_zh", true);
    let title_en = root.text(cx, "title_en", true);
    let method = read_method(cx, &root);

    let mut levels = read_levels(cx, &root);
    let indicators = read_indicators(cx, &root, method.as_ref());
    let interventions = read_interventions(cx, &root);

    levels.sort_by_key(|l| l.level);
    Some(Catalogue {
        id: id?.into_inner(),
        version: version?.into_inner(),
        title_zh: title_zh?.into_inner(),
        title_en: title_en?.into_inner(),
        method: method?,
        levels,
        indicators: indicators?,
        interventions,
        sha256: hex::encode(Sha256::digest(cx.text.as_bytes())),
        source: cx.text.to_owned(),
    })
}

fn read_method(cx: &mut Cx, root: &Tbl) -> Option<Method> {
    let Some(m) = root.table(cx, "method", "[method]") else {
        if !root.t.contains_key("method") {
            cx.problem(
                None,
                "missing [method]",
                "add [method] with kind = \"highest_level\" (the notice's rule) or kind = \"points\"",
            );
        }
        return None;
    };
    m.check_keys(cx, METHOD_KEYS);
    let kind = m.text(cx, "kind", true)?;
    let thresholds = m.table(cx, "thresholds", "[method.thresholds]");
    match kind.get_ref().as_str() {
        "highest_level" => {
            if let Some(t) = thresholds {
                cx.problem(
                    Some(t.span.clone()),
                    "[method]: thresholds only apply to kind = \"points\"",
                    "remove the thresholds, or set kind = \"points\"",
                );
            }
            Some(Method::HighestLevel)
        }
        "points" => {
            let Some(t) = thresholds else {
                cx.problem(
                    Some(m.span.clone()),
                    "[method]: kind = \"points\" needs thresholds",
                    "add [method.thresholds] with level1, level2 and level3, e.g. 12, 6 and 2",
                );
                return None;
            };
            t.check_keys(cx, THRESHOLD_KEYS);
            let mut get = |key| t.whole(cx, key, true);
            let (l1, l2, l3) = (get("level1"), get("level2"), get("level3"));
            let (l1, l2, l3) = (l1?, l2?, l3?);
            if !(l1 > l2 && l2 > l3 && l3 > 0) {
                cx.problem(
                    Some(t.span.clone()),
                    format!(
                        "[method.thresholds]: thresholds must fall with severity, level1 > level2 > level3 > 0 \
                         (found {l1}, {l2}, {l3})"
                    ),
                    "level 1 is the most severe, so it needs the most points",
                );
                return None;
            }
            Some(Method::Points {
                thresholds: Thresholds {
                    level1: l1,
                    level2: l2,
                    level3: l3,
                },
            })
        }
        other => {
            cx.problem(
                Some(kind.span()),
                format!("[method]: unknown method kind `{other}`"),
                "use kind = \"highest_level\" or kind = \"points\"",
            );
            None
        }
    }
}

fn read_levels(cx: &mut Cx, root: &Tbl) -> Vec<LevelDef> {
    let mut out: Vec<(LevelDef, Range<usize>)> = Vec::new();
    for (n, mut t) in root.array_of_tables(cx, "level").into_iter().enumerate() {
        t.what = match t.peek_int("level") {
            Some(l) => format!("level {l}"),
            None => format!("[[level]] #{}", n + 1),
        };
        t.check_keys(cx, LEVEL_KEYS);
        let level = t.level(cx, "level");
        let zh = t.text(cx, "zh", true);
        let en = t.text(cx, "en", true);
        let Some(level) = level else { continue };
        if let Some((_, first)) = out.iter().find(|(d, _)| d.level == level) {
            let first = cx.line_of(first.start);
            cx.problem(
                Some(t.span.clone()),
                format!("level {level} is defined twice (first at line {first})"),
                "keep one [[level]] per level",
            );
            continue;
        }
        if let (Some(zh), Some(en)) = (zh, en) {
            out.push((
                LevelDef {
                    level,
                    zh: zh.into_inner(),
                    en: en.into_inner(),
                },
                t.span.clone(),
            ));
        }
    }
    for level in RiskLevel::ALL {
        if !out.iter().any(|(d, _)| d.level == level) {
            cx.problem(
                None,
                format!("level {level} has no [[level]] definition"),
                format!("add [[level]] with level = {level}, zh and en: the standard's wording"),
            );
        }
    }
    out.into_iter().map(|(d, _)| d).collect()
}

fn read_indicators(cx: &mut Cx, root: &Tbl, method: Option<&Method>) -> Option<Vec<Indicator>> {
    let points = matches!(method, Some(Method::Points { .. }));
    let mut out: Vec<Indicator> = Vec::new();
    let mut seen = Vec::new();
    let mut complete = true;
    for (n, mut t) in root
        .array_of_tables(cx, "indicator")
        .into_iter()
        .enumerate()
    {
        t.what = t.name("indicator", n);
        t.check_keys(cx, INDICATOR_KEYS);
        let id = t.text(cx, "id", true);
        let level = t.level(cx, "level");
        let zh = t.text(cx, "zh", true);
        let en = t.text(cx, "en", true);
        let guidance_zh = t.text(cx, "guidance_zh", false).map(Spanned::into_inner);
        let guidance_en = t.text(cx, "guidance_en", false).map(Spanned::into_inner);
        let hard_trigger = t.flag(cx, "hard_trigger");
        let required = t.flag(cx, "required").is_some_and(|f| *f.get_ref());
        let reportable = t.flag(cx, "reportable").is_some_and(|f| *f.get_ref());
        let weight = t.whole(cx, "weight", points);

        if let Some(id) = &id {
            cx.check_unique(&mut seen, id, &t, "assessments refer to indicators by id");
        }
        if let (Some(hard), Some(level)) = (&hard_trigger, level)
            && *hard.get_ref()
            && level != RiskLevel::L1
        {
            cx.problem(
                Some(hard.span()),
                format!("{}: hard_trigger is only allowed on level-1 indicators (this one is level {level})", t.what),
                "a hard trigger forces level 1: set hard_trigger = false, or move the indicator to level 1",
            );
        }
        let (Some(id), Some(level), Some(zh), Some(en)) = (id, level, zh, en) else {
            complete = false;
            continue;
        };
        let indicator = Indicator {
            id: id.into_inner(),
            level,
            zh: zh.into_inner(),
            en: en.into_inner(),
            guidance_zh,
            guidance_en,
            hard_trigger: hard_trigger.is_some_and(|f| *f.get_ref()),
            required,
            reportable,
            weight: weight.unwrap_or(0),
        };
        out.push(indicator);
    }
    // Only judge coverage when every indicator could be read: a broken one may be the
    // level's only indicator, and its own problem already says so.
    if complete {
        for level in RiskLevel::ALL {
            if !out.iter().any(|i| i.level == level) {
                cx.problem(
                    None,
                    format!("level {level} has no indicator"),
                    format!("add at least one [[indicator]] with level = {level}"),
                );
            }
        }
    }
    complete.then_some(out)
}

fn read_interventions(cx: &mut Cx, root: &Tbl) -> Vec<InterventionDef> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (n, mut t) in root
        .array_of_tables(cx, "intervention")
        .into_iter()
        .enumerate()
    {
        t.what = t.name("intervention", n);
        t.check_keys(cx, INTERVENTION_KEYS);
        let id = t.text(cx, "id", true);
        let levels = t.levels(cx, "levels");
        let zh = t.text(cx, "zh", true);
        let en = t.text(cx, "en", true);
        let default_unit = t.text(cx, "default_unit", false).map(Spanned::into_inner);
        if let Some(id) = &id {
            cx.check_unique(&mut seen, id, &t, "decisions refer to interventions by id");
        }
        if let (Some(id), Some(levels), Some(zh), Some(en)) = (id, levels, zh, en) {
            let def = InterventionDef {
                id: id.into_inner(),
                levels,
                zh: zh.into_inner(),
                en: en.into_inner(),
                default_unit,
            };
            out.push(def);
        }
    }
    out
}

/// The loader's state: the text (for line numbers) and the problems so far.
struct Cx<'s> {
    text: &'s str,
    file: &'s str,
    problems: Vec<Problem>,
}

impl Cx<'_> {
    fn problem(
        &mut self,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.line_col(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.problems.push(Problem {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
            hint: hint.into(),
        });
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }

    /// An id must be well-formed and not already used (`seen`: ids so far, with the offset
    /// of their table's header).
    fn check_unique(
        &mut self,
        seen: &mut Vec<(String, usize)>,
        id: &Spanned<String>,
        t: &Tbl,
        why: &str,
    ) {
        self.check_id(id, &t.what);
        match seen.iter().find(|(s, _)| s == id.get_ref()) {
            Some((_, first)) => {
                let first = self.line_of(*first);
                self.problem(
                    Some(id.span()),
                    format!("{}: duplicate id (first at line {first})", t.what),
                    format!("give each one its own id; {why}"),
                );
            }
            None => seen.push((id.get_ref().clone(), t.span.start)),
        }
    }

    /// Ids are what records point at: keep them short, ASCII, and free of spaces.
    fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        let ok = id
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            let prefix = if what.is_empty() {
                String::new()
            } else {
                format!("{what}: ")
            };
            self.problem(
                Some(id.span()),
                format!(
                    "{prefix}id `{}` may only use letters A-Z a-z, digits, `_`, `.` and `-`",
                    id.get_ref()
                ),
                "ids are stored in every assessment; e.g. L2-03 or temporary-guardianship",
            );
        }
    }

    fn finish(mut self) -> CatalogueError {
        self.problems
            .sort_by_key(|p| (p.line.is_none(), p.line, p.column));
        // toml's error recovery can report the same syntax error twice.
        self.problems.dedup();
        CatalogueError {
            problems: self.problems,
        }
    }
}

/// One TOML table being read: the table, where it starts, and what to call it in messages
/// (`indicator L2-03`; empty for the top level).
struct Tbl<'a, 'i> {
    t: &'a DeTable<'i>,
    span: Range<usize>,
    what: String,
}

type Val<'a, 'i> = &'a Spanned<DeValue<'i>>;

impl<'a, 'i> Tbl<'a, 'i> {
    fn say(&self, message: String) -> String {
        if self.what.is_empty() {
            message
        } else {
            format!("{}: {message}", self.what)
        }
    }

    /// `indicator L2-03`, or `indicator #4` when the id cannot be read.
    fn name(&self, kind: &str, n: usize) -> String {
        match self
            .t
            .get("id")
            .and_then(|v| v.get_ref().as_str())
            .filter(|s| !s.trim().is_empty())
        {
            Some(id) => format!("{kind} {id}"),
            None => format!("{kind} #{}", n + 1),
        }
    }

    fn peek_int(&self, key: &str) -> Option<i64> {
        as_int(self.t.get(key)?.get_ref())
    }

    fn check_keys(&self, cx: &mut Cx, known: &[&str]) {
        for key in self.t.keys() {
            let k = key.get_ref().as_ref();
            if known.contains(&k) {
                continue;
            }
            let hint = match closest(k, known) {
                Some(near) => format!("did you mean `{near}`? Allowed here: {}", known.join(", ")),
                None => format!("allowed here: {}", known.join(", ")),
            };
            cx.problem(
                Some(key.span()),
                self.say(format!("unknown key `{k}`")),
                hint,
            );
        }
    }

    /// The value under `key`, reporting its absence when `required`.
    fn get(&self, cx: &mut Cx, key: &str, required: bool) -> Option<Val<'a, 'i>> {
        let v = self.t.get(key);
        if v.is_none() && required {
            let at = if self.what.is_empty() {
                None
            } else {
                Some(self.span.clone())
            };
            cx.problem(
                at,
                self.say(format!("missing {key}")),
                format!("add {key} = ..."),
            );
        }
        v
    }

    fn wrong_type(&self, cx: &mut Cx, key: &str, v: Val, expected: &str, hint: &str) {
        let found = cx
            .text
            .get(v.span())
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("");
        let found: String = found.chars().take(40).collect();
        cx.problem(
            Some(v.span()),
            self.say(format!(
                "{key} must be {expected} (found {} `{found}`)",
                v.get_ref().type_str()
            )),
            hint,
        );
    }

    /// A non-empty string.
    fn text(&self, cx: &mut Cx, key: &str, required: bool) -> Option<Spanned<String>> {
        let v = self.get(cx, key, required)?;
        let Some(s) = v.get_ref().as_str() else {
            self.wrong_type(
                cx,
                key,
                v,
                "text",
                "write text in double quotes, e.g. zh = \"...\"",
            );
            return None;
        };
        if s.trim().is_empty() {
            let hint = if required {
                "write the text; it is shown to the panel"
            } else {
                "write the text, or remove the key"
            };
            cx.problem(
                Some(v.span()),
                self.say(format!("{key} must not be empty")),
                hint,
            );
            return None;
        }
        Some(Spanned::new(v.span(), s.to_owned()))
    }

    /// `true` or `false`; absent means false.
    fn flag(&self, cx: &mut Cx, key: &str) -> Option<Spanned<bool>> {
        let v = self.get(cx, key, false)?;
        match v.get_ref().as_bool() {
            Some(b) => Some(Spanned::new(v.span(), b)),
            None => {
                self.wrong_type(
                    cx,
                    key,
                    v,
                    "true or false",
                    "write true or false, without quotes",
                );
                None
            }
        }
    }

    /// A whole number from 0 to u32::MAX.
    fn whole(&self, cx: &mut Cx, key: &str, required: bool) -> Option<u32> {
        let v = self.get(cx, key, required)?;
        match as_int(v.get_ref()).and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                self.wrong_type(
                    cx,
                    key,
                    v,
                    WHOLE_NUMBER,
                    "write a number without quotes or decimals, e.g. 3",
                );
                None
            }
        }
    }

    /// 1, 2 or 3.
    fn level(&self, cx: &mut Cx, key: &str) -> Option<RiskLevel> {
        let v = self.get(cx, key, true)?;
        let l = as_level(v.get_ref());
        if l.is_none() {
            self.wrong_type(
                cx,
                key,
                v,
                "1, 2 or 3",
                "level 1 is the most severe (一级风险), level 3 the least",
            );
        }
        l
    }

    /// A non-empty array of levels, e.g. `[2, 3]`.
    fn levels(&self, cx: &mut Cx, key: &str) -> Option<Vec<RiskLevel>> {
        let v = self.get(cx, key, true)?;
        let hint = "list the levels whose menu offers it, e.g. levels = [2, 3]";
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(cx, key, v, "a list of levels", hint);
            return None;
        };
        if items.is_empty() {
            cx.problem(
                Some(v.span()),
                self.say(format!("{key} must list at least one level")),
                hint,
            );
            return None;
        }
        let mut out = Vec::new();
        let mut bad = false;
        for item in items.iter() {
            match as_level(item.get_ref()) {
                Some(l) if !out.contains(&l) => out.push(l),
                Some(_) => {}
                None => {
                    self.wrong_type(cx, key, item, "levels 1, 2 or 3", hint);
                    bad = true;
                }
            }
        }
        (!bad).then_some(out)
    }

    /// A sub-table (`[method]`, `[method.thresholds]`), absent → None.
    fn table(&self, cx: &mut Cx, key: &str, what: &str) -> Option<Tbl<'a, 'i>> {
        let v = self.get(cx, key, false)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Tbl {
                t,
                span: v.span(),
                what: what.to_owned(),
            }),
            _ => {
                self.wrong_type(
                    cx,
                    key,
                    v,
                    &format!("a table, written {what}"),
                    "see the shipped catalogue for the layout",
                );
                None
            }
        }
    }

    /// The tables of a `[[key]]` array; absent → empty.
    fn array_of_tables(&self, cx: &mut Cx, key: &str) -> Vec<Tbl<'a, 'i>> {
        let Some(v) = self.get(cx, key, false) else {
            return Vec::new();
        };
        let hint =
            format!("each entry starts with [[{key}]] (double brackets) on a line of its own");
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(cx, key, v, &format!("a list of [[{key}]] tables"), &hint);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Tbl {
                    t,
                    span: item.span(),
                    what: key.to_owned(),
                }),
                _ => self.wrong_type(cx, key, item, &format!("a [[{key}]] table"), &hint),
            }
        }
        out
    }
}

/// A TOML integer's value.
fn as_int(v: &DeValue) -> Option<i64> {
    let i = v.as_integer()?;
    i64::from_str_radix(i.as_str(), i.radix()).ok()
}

/// 1, 2 or 3 as a level.
fn as_level(v: &DeValue) -> Option<RiskLevel> {
    as_int(v)
        .and_then(|n| u8::try_from(n).ok())
        .and_then(RiskLevel::from_number)
}

/// The allowed key nearest to a mistyped one (`hard-trigger` → `hard_trigger`), if close.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let key = key.to_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (edit_distance(&key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let cx = Cx {
            text: "a = 1\n中文 = 2\n",
            file: "f",
            problems: vec![],
        };
        assert_eq!(cx.line_col(0), (1, 1));
        assert_eq!(cx.line_col(6), (2, 1));
        assert_eq!(cx.line_col("a = 1\n中文".len()), (2, 3));
    }

    #[test]
    fn nearest_key() {
        assert_eq!(
            closest("hard-trigger", INDICATOR_KEYS),
            Some("hard_trigger")
        );
        assert_eq!(closest("wieght", INDICATOR_KEYS), Some("weight"));
        assert_eq!(closest("colour", INDICATOR_KEYS), None);
    }

    #[test]
    fn problem_display() {
        let p = Problem {
            file: "criteria.toml".into(),
            line: Some(42),
            column: Some(10),
            message: "indicator L2-03: weight must be a whole number ≥ 0".into(),
            hint: "write 3".into(),
        };
        assert_eq!(
            p.to_string(),
            "criteria.toml:42: indicator L2-03: weight must be a whole number ≥ 0 — hint: write 3"
        );
        let p = Problem {
            line: None,
            hint: String::new(),
            ..p
        };
        assert_eq!(
            p.to_string(),
            "criteria.toml: indicator L2-03: weight must be a whole number ≥ 0"
        );
    }

    #[test]
    fn builtin_loads() {
        let cat = Catalogue::builtin();
        assert_eq!(cat.id, "liaoning-2014");
        assert_eq!(cat.sha256.len(), 64);
        assert_eq!(cat.source, super::super::BUILTIN);
    }
}
