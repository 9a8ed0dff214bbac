//! Read-only views for the screens and the CLI. Every list is windowed: nothing loads a
//! whole table. The case list is read by key next to a row it has, or from its start or
//! its end past a few rows ([`cases_from`]); [`cases`] reads through an offset from the
//! start.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter, types::Value};

use super::{Result, code};
use crate::domain::case::CaseStatus;
use crate::domain::child::Sex;
use crate::domain::difficulty::DifficultyType;
use crate::domain::level::RiskLevel;
use crate::domain::report::Channel;

/// One line of a case list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub case_id: i64,
    pub child_id: i64,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub id_number: Option<String>,
    pub region_name: String,
    pub status: CaseStatus,
    pub level: Option<RiskLevel>,
    pub next_review: Option<NaiveDate>,
    /// An ad-hoc re-review is open on the case.
    pub ad_hoc: bool,
}

const CASE_ROW_COLUMNS: &str = "SELECT k.id, c.id, c.name, c.sex, c.birth_date, c.id_number,
                coalesce(p.name || ' ', '') || r.name, k.status, k.level, k.next_review,
                EXISTS (SELECT 1 FROM review_request q WHERE q.case_id = k.id AND q.resolved_by IS NULL)";

const CASE_ROW_REGION: &str =
    "JOIN region r ON r.code = k.region LEFT JOIN region p ON p.code = r.parent";

const CASE_ROW_SELECT: &str = "SELECT k.id, c.id, c.name, c.sex, c.birth_date, c.id_number,
                coalesce(p.name || ' ', '') || r.name, k.status, k.level, k.next_review,
                EXISTS (SELECT 1 FROM review_request q WHERE q.case_id = k.id AND q.resolved_by IS NULL)
         FROM case_file k JOIN child c ON c.id = k.child_id
         JOIN region r ON r.code = k.region LEFT JOIN region p ON p.code = r.parent";

/// How many columns [`case_row_from`] reads.
const CASE_ROW_WIDTH: usize = 11;

fn case_row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    let level: Option<u8> = r.get(8)?;
    Ok(CaseRow {
        case_id: r.get(0)?,
        child_id: r.get(1)?,
        name: r.get(2)?,
        sex: code(r, 3)?,
        birth_date: r.get(4)?,
        id_number: r.get(5)?,
        region_name: r.get(6)?,
        status: code(r, 7)?,
        level: level.and_then(RiskLevel::from_number),
        next_review: r.get(9)?,
        ad_hoc: r.get(10)?,
    })
}

/// What the case list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub level: Option<RiskLevel>,
    pub difficulty: Option<DifficultyType>,
    /// A region code at any level; the case's region must be in its subtree.
    pub region: Option<String>,
    /// Next review on or before this date (active cases).
    pub due_by: Option<NaiveDate>,
    /// Name (any part), ID number prefix, or pinyin initials prefix.
    pub search: String,
}

/// The LIKE prefix that selects a region's subtree: a city's counties share its first
/// four digits; below that, codes extend their parent's.
pub fn region_prefix(code_: &str) -> String {
    if code_.len() == 6 && code_.ends_with("00") {
        code_[..4].to_string()
    } else {
        code_.to_string()
    }
}

/// A region's subtree as a half-open range of codes, `lo <= region < hi`, which an index
/// on the region answers (a LIKE pattern would read every row).
pub fn region_range(code_: &str) -> (String, String) {
    let lo = region_prefix(code_);
    let mut hi = lo.clone().into_bytes();
    match hi.last_mut() {
        Some(b) => *b += 1,
        None => hi.push(0x7f),
    }
    (
        lo,
        String::from_utf8(hi).unwrap_or_else(|_| "\u{7f}".into()),
    )
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `lo <= s < hi` for every `s` that starts with `prefix` (ASCII), for an index range.
fn prefix_range(prefix: &str) -> (String, String) {
    let mut hi = prefix.as_bytes().to_vec();
    while let Some(b) = hi.pop() {
        if b < 0x7f {
            hi.push(b + 1);
            break;
        }
    }
    let hi = if hi.is_empty() {
        "\u{10ffff}".to_string()
    } else {
        String::from_utf8(hi).unwrap_or_else(|_| "\u{10ffff}".into())
    };
    (prefix.to_string(), hi)
}

/// What a search query is taken as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKind {
    /// No search.
    None,
    /// The start of an ID number: a digit, then digits (and the check character `X`).
    IdPrefix(String),
    /// The start of the pinyin initials (ASCII letters only): `zsm` finds 张三明.
    Initials(String),
    /// Any part of the name (ASCII letters compared without case, as LIKE does).
    Name(String),
}

impl SearchKind {
    /// How `search` (as typed) is read.
    pub fn of(search: &str) -> SearchKind {
        let q = crate::text::sanitize_line(search);
        let q = q.trim();
        if q.is_empty() {
            SearchKind::None
        } else if q.starts_with(|c: char| c.is_ascii_digit())
            && q.chars()
                .all(|c| c.is_ascii_digit() || c == 'x' || c == 'X')
        {
            SearchKind::IdPrefix(q.to_ascii_uppercase())
        } else if q.chars().all(|c| c.is_ascii_alphabetic()) {
            SearchKind::Initials(q.to_ascii_lowercase())
        } else {
            SearchKind::Name(q.to_ascii_lowercase())
        }
    }
}

/// The order a case list is in: it follows the search, so that a window is read from an
/// index instead of sorting every match (a one-character surname matches a tenth of the
/// children).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOrder {
    /// Open before closed, most severe first, then the next review (undated last).
    Severity,
    /// A name search: the case opened last first (the highest case number).
    NewestCase,
    /// An ID-number search: by ID number, then the case number.
    IdNumber,
    /// An initials search: by initials, then the case number.
    Initials,
}

impl CaseOrder {
    pub fn of(filter: &CaseFilter) -> CaseOrder {
        match SearchKind::of(&filter.search) {
            SearchKind::None => CaseOrder::Severity,
            SearchKind::IdPrefix(_) => CaseOrder::IdNumber,
            SearchKind::Initials(_) => CaseOrder::Initials,
            SearchKind::Name(_) => CaseOrder::NewestCase,
        }
    }
}

/// A case list's query: where the rows come from, which ones, in what order.
#[derive(Clone)]
struct Plan {
    /// The FROM clause for `case_file k` and `child c` (the order of the tables is forced
    /// with CROSS JOIN where the search decides which index leads).
    from: String,
    conds: Vec<String>,
    args: Vec<Value>,
    /// The terms of the ORDER BY, each with " DESC" where descending.
    order: Vec<String>,
    /// How many of the first terms a condition makes constant (a window read next to a
    /// key): left out of the ORDER BY, so that it is the index's order after them.
    fixed: usize,
}

impl Plan {
    fn arg(&mut self, v: Value) -> usize {
        self.args.push(v);
        self.args.len()
    }

    fn where_(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conds.join(" AND "))
        }
    }

    /// The window's statement: the ids of `limit` cases from `offset` (arguments `?l`,
    /// `?o`), read in order from the plan's tables alone, then their rows (a region's cases
    /// that are sorted are sorted as index entries, and skipped rows cost no joins). After
    /// the row's columns come the values of the order's terms (the row's [`ListKey`]).
    /// `reverse`: read from the other end, nearest first.
    fn window_sql(&self, l: usize, o: usize, reverse: bool) -> String {
        let mut keys = vec!["k.id AS kid".to_string()];
        let mut inner = Vec::new();
        let mut outer = Vec::new();
        let mut values = Vec::new();
        for (i, t) in self.order.iter().enumerate() {
            let (expr, desc) = split_term(t);
            let desc = if desc != reverse { " DESC" } else { "" };
            keys.push(format!("{expr} AS s{i}"));
            if i >= self.fixed {
                inner.push(format!("{expr}{desc}"));
                outer.push(format!("w.s{i}{desc}"));
            }
            values.push(format!("w.s{i}"));
        }
        format!(
            "{CASE_ROW_COLUMNS}, {}
             FROM (SELECT {} FROM {} {} ORDER BY {} LIMIT ?{l} OFFSET ?{o}) w
             CROSS JOIN case_file k ON k.id = w.kid JOIN child c ON c.id = k.child_id
             {CASE_ROW_REGION}
             ORDER BY {}",
            values.join(", "),
            keys.join(", "),
            self.from,
            self.where_(),
            inner.join(", "),
            outer.join(", ")
        )
    }

    /// The plans that read the rows after (`Dir::Forward`) or before the row whose order
    /// terms have `key`'s values, nearest first: one per term, each an equality on the
    /// terms before it and a strict bound on it (the longest shared prefix first), so that
    /// each is one range of the index the order is read from. A NULL value is greater
    /// than nothing and less than every value; a term that can be NULL is preceded in
    /// every order by its `IS NULL` term, so NULLs never share a prefix with values.
    fn after(&self, key: &[Value], dir: Dir) -> Vec<Plan> {
        let mut out = Vec::new();
        for i in (0..self.order.len().min(key.len())).rev() {
            let mut p = self.clone();
            p.fixed = i;
            for (t, v) in self.order.iter().zip(key).take(i) {
                let (expr, _) = split_term(t);
                if *v == Value::Null {
                    p.conds.push(format!("({expr}) IS NULL"));
                } else {
                    let a = p.arg(v.clone());
                    p.conds.push(format!("({expr}) = ?{a}"));
                }
            }
            let (expr, desc) = split_term(&self.order[i]);
            // Later in the list's order: greater on an ascending term.
            let greater = (dir == Dir::Forward) != desc;
            match (&key[i], greater) {
                (Value::Null, true) => p.conds.push(format!("({expr}) IS NOT NULL")),
                (Value::Null, false) => continue,
                (v, g) => {
                    let a = p.arg(v.clone());
                    let op = if g { ">" } else { "<" };
                    p.conds.push(format!("({expr}) {op} ?{a}"));
                }
            }
            out.push(p);
        }
        out
    }
}

/// An order term's expression and whether it is descending.
fn split_term(t: &str) -> (&str, bool) {
    match t.strip_suffix(" DESC") {
        Some(e) => (e, true),
        None => (t, false),
    }
}

/// Which way a list is read from a place in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Towards the end: the rows after.
    Forward,
    /// Towards the start: the rows before.
    Backward,
}

/// Where a case stands in its list's order ([`CaseOrder`]): the values of the order's
/// terms, and which of the list's arms it is in (a due-date list is read in one arm per
/// level). A window next to a row is read from its key ([`cases_from`]), so a page turned
/// near the end of a million cases costs what one near the start does.
#[derive(Debug, Clone, PartialEq)]
pub struct ListKey {
    arm: usize,
    values: Vec<Value>,
}

/// How many rows `sql` (a `SELECT 1 ...` with `?1`.. from `args`) has, counted up to `cap`.
fn count_upto(c: &Connection, sql: &str, args: &[Value], cap: usize) -> Result<usize> {
    let mut args = args.to_vec();
    args.push(Value::Integer(cap.min(i64::MAX as usize) as i64));
    let n: i64 = c
        .prepare_cached(&format!(
            "SELECT count(*) FROM ({sql} LIMIT ?{})",
            args.len()
        ))?
        .query_row(params_from_iter(args), |r| r.get(0))?;
    Ok(n as usize)
}

/// The pieces of a name query to look up in `name_gram`: the query itself up to two
/// characters; else its two-character pieces, the rarest first (it leads; the others are
/// checked on the index before the name is read for LIKE).
fn name_grams_for(c: &Connection, q: &str) -> Result<Vec<String>> {
    let chars: Vec<char> = q.chars().collect();
    if chars.len() <= 2 {
        return Ok(vec![q.to_string()]);
    }
    let mut grams: Vec<(usize, String)> = Vec::new();
    for w in chars.windows(2) {
        let g: String = w.iter().collect();
        if grams.iter().any(|(_, h)| *h == g) {
            continue;
        }
        // Past a few thousand it makes no difference which leads.
        let n = count_upto(
            c,
            "SELECT 1 FROM name_gram WHERE gram = ?1",
            &[Value::Text(g.clone())],
            5000,
        )?;
        grams.push((n, g));
    }
    grams.sort_by_key(|(n, _)| *n);
    Ok(grams.into_iter().map(|(_, g)| g).collect())
}

/// A region filter holding at least this many cases is read along the list's order (its
/// code checked on each index entry); a smaller one is read whole and sorted.
const REGION_WALK: usize = 2000;

/// What [`plan`] is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    /// The window: rows in order.
    Window,
    /// The count: no order, and no more tables than the filter needs.
    Count,
}

/// The query for `f`. `arm`: only cases of this level (1..3, 4 for ungraded), for the
/// arms a due-date window is read in (see [`cases`]).
fn plan(c: &Connection, f: &CaseFilter, purpose: For, arm: Option<i64>) -> Result<Plan> {
    let mut p = Plan {
        from: "case_file k".into(),
        conds: Vec::new(),
        args: Vec::new(),
        order: Vec::new(),
        fixed: 0,
    };
    let search = SearchKind::of(&f.search);
    // Whether the count must read the case (or the child) for its conditions.
    let mut needs_case = false;
    if let Some(s) = f.status {
        let i = p.arg(Value::Text(s.code().into()));
        p.conds.push(format!("k.status = ?{i}"));
        needs_case = true;
    }
    let level = arm.or(f.level.map(|l| i64::from(l.number())));
    if let Some(l) = level {
        // Written as the order indexes write it, so that they answer it.
        let i = p.arg(Value::Integer(l));
        p.conds.push(format!("coalesce(k.level, 4) = ?{i}"));
        needs_case = true;
    }
    // The count of a type's cases starts from the type's index (unless a search or a
    // region leads); the window checks each case it reads in order.
    let type_leads = purpose == For::Count
        && f.difficulty.is_some()
        && f.region.is_none()
        && search == SearchKind::None;
    if let Some(t) = f.difficulty {
        let i = p.arg(Value::Text(t.code().into()));
        p.conds.push(if type_leads {
            format!("t.type = ?{i}")
        } else {
            format!("EXISTS (SELECT 1 FROM case_type t WHERE t.case_id = k.id AND t.type = ?{i})")
        });
    }
    if let Some(r) = &f.region {
        let (lo, hi) = region_range(r);
        let a = p.arg(Value::Text(lo.clone()));
        let b = p.arg(Value::Text(hi.clone()));
        // A big region is better read in the list's order than sorted: `+` keeps the
        // planner off the region index (the code is then checked on the order index).
        let walk = purpose == For::Window
            && search == SearchKind::None
            && count_upto(
                c,
                "SELECT 1 FROM case_file WHERE region >= ?1 AND region < ?2",
                &[Value::Text(lo), Value::Text(hi)],
                REGION_WALK,
            )? >= REGION_WALK;
        let plus = if walk { "+" } else { "" };
        p.conds
            .push(format!("{plus}k.region >= ?{a} AND {plus}k.region < ?{b}"));
        needs_case = true;
    }
    if let Some(d) = f.due_by {
        let i = p.arg(Value::Text(d.to_string()));
        p.conds.push(format!(
            "k.status = 'active' AND (k.next_review IS NULL) = 0 AND k.next_review <= ?{i}"
        ));
        needs_case = true;
    }
    if f.difficulty.is_some() && !type_leads {
        needs_case = true;
    }
    match &search {
        SearchKind::None => {
            // Terms made constant by the filter are left out, so that the order is an
            // index's (008_name_search.sql: case_list_order, _status, _level).
            let mut terms = Vec::new();
            if f.status.is_none() && f.due_by.is_none() {
                terms.push("k.status = 'closed'");
            }
            if level.is_none() {
                terms.push("coalesce(k.level, 4)");
            }
            if f.due_by.is_none() {
                terms.push("k.next_review IS NULL");
            }
            terms.extend(["k.next_review", "k.region", "k.id"]);
            p.order = terms.into_iter().map(String::from).collect();
            p.from = match (type_leads, needs_case) {
                (true, true) => "case_type t CROSS JOIN case_file k ON k.id = t.case_id".into(),
                (true, false) => "case_type t".into(),
                (false, _) => "case_file k".into(),
            };
        }
        SearchKind::IdPrefix(q) | SearchKind::Initials(q) => {
            let kind = if matches!(search, SearchKind::IdPrefix(_)) {
                "id"
            } else {
                "initials"
            };
            let (lo, hi) = prefix_range(q);
            let a = p.arg(Value::Text(lo));
            let b = p.arg(Value::Text(hi));
            p.conds.push(format!(
                "x.kind = '{kind}' AND x.key >= ?{a} AND x.key < ?{b}"
            ));
            p.from = if purpose == For::Count && !needs_case {
                // Keyed by case: counting the keys counts the cases.
                "case_key x".into()
            } else {
                "case_key x CROSS JOIN case_file k ON k.id = x.case_id".into()
            };
            p.order = vec!["x.key".into(), "x.case_id".into()];
        }
        SearchKind::Name(q) => {
            let grams = name_grams_for(c, q)?;
            // The other pieces are joined right after the leading one (each is one probe
            // of the primary key), before a case or a name is read.
            let mut others = String::new();
            for (i, gram) in grams.into_iter().enumerate() {
                let a = p.arg(Value::Text(gram));
                if i == 0 {
                    p.conds.push(format!("g.gram = ?{a}"));
                } else {
                    others.push_str(&format!(
                        " CROSS JOIN name_gram h{i} ON h{i}.gram = ?{a} AND h{i}.case_id = g.case_id"
                    ));
                }
            }
            let like = q.chars().count() > 2;
            if like {
                let b = p.arg(Value::Text(format!("%{}%", like_escape(q))));
                p.conds.push(format!("c.name LIKE ?{b} ESCAPE '\\'"));
            }
            p.from = if like {
                format!(
                    "name_gram g{others} CROSS JOIN case_file k ON k.id = g.case_id
                     CROSS JOIN child c ON c.id = k.child_id"
                )
            } else if purpose == For::Count && !needs_case {
                // The pieces are keyed by case: counting them counts the cases.
                "name_gram g".into()
            } else {
                "name_gram g CROSS JOIN case_file k ON k.id = g.case_id".into()
            };
            p.order = vec!["g.case_id DESC".into()];
        }
    }
    Ok(p)
}

/// The arms a due-date window is read in, one per level in the list's order: each is one
/// range of `case_list_status`, where the whole window would be a sort of every case due.
fn due_arms(f: &CaseFilter) -> Option<Vec<i64>> {
    (f.due_by.is_some() && f.level.is_none() && SearchKind::of(&f.search) == SearchKind::None)
        .then(|| vec![1, 2, 3, 4])
}

fn window(
    c: &Connection,
    f: &CaseFilter,
    arm: Option<i64>,
    offset: usize,
    limit: usize,
) -> Result<Vec<CaseRow>> {
    let mut p = plan(c, f, For::Window, arm)?;
    let l = p.arg(Value::Integer(limit as i64));
    let o = p.arg(Value::Integer(offset as i64));
    let sql = p.window_sql(l, o, false);
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(p.args), case_row_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Cases matching `filter`, in [`CaseOrder::of`] the filter; `limit` rows from `offset`.
pub fn cases(
    c: &Connection,
    filter: &CaseFilter,
    offset: usize,
    limit: usize,
) -> Result<Vec<CaseRow>> {
    let Some(arms) = due_arms(filter) else {
        return window(c, filter, None, offset, limit);
    };
    let mut out = Vec::with_capacity(limit);
    let mut skip = offset;
    for arm in arms {
        if out.len() >= limit {
            break;
        }
        if skip > 0 {
            let p = plan(c, filter, For::Count, Some(arm))?;
            let n = count_upto(
                c,
                &format!("SELECT 1 FROM {} {}", p.from, p.where_()),
                &p.args,
                skip,
            )?;
            if n < skip {
                skip -= n;
                continue;
            }
        }
        out.extend(window(c, filter, Some(arm), skip, limit - out.len())?);
        skip = 0;
    }
    Ok(out)
}

/// The arms of `filter`'s list in order: one per level for a due-date list (see
/// [`due_arms`]), else the whole list.
fn arms_of(filter: &CaseFilter) -> Vec<Option<i64>> {
    match due_arms(filter) {
        Some(a) => a.into_iter().map(Some).collect(),
        None => vec![None],
    }
}

/// The statements that read `limit` rows of one arm of `filter`'s list next to `key` in
/// `dir` (each row's columns, then its key's values), nearest first; without a key, from
/// the arm's start (`Forward`) or end (`Backward`) after skipping `skip` rows.
fn keyed_statements(
    c: &Connection,
    filter: &CaseFilter,
    arm: Option<i64>,
    key: Option<&[Value]>,
    dir: Dir,
    skip: usize,
    limit: usize,
) -> Result<Vec<(String, Vec<Value>)>> {
    let base = plan(c, filter, For::Window, arm)?;
    let plans = match key {
        None => vec![base],
        Some(k) => base.after(k, dir),
    };
    let skip = if key.is_some() { 0 } else { skip };
    Ok(plans
        .into_iter()
        .map(|mut p| {
            let l = p.arg(Value::Integer(limit as i64));
            let o = p.arg(Value::Integer(skip as i64));
            (p.window_sql(l, o, dir == Dir::Backward), p.args)
        })
        .collect())
}

/// Up to `limit` cases of `filter`'s list next to `from`, in the list's order, each with
/// its key: the ones right after it (`Dir::Forward`) or right before it
/// (`Dir::Backward`). Without `from`: the first `limit` after skipping `skip` from the
/// start, or the last `limit` before skipping `skip` from the end, read backwards from
/// the end of the index (what End shows). With `from`, `skip` must be 0: a window next to
/// a row is read from the row's key, never through an offset.
pub fn cases_from(
    c: &Connection,
    filter: &CaseFilter,
    from: Option<&ListKey>,
    dir: Dir,
    skip: usize,
    limit: usize,
) -> Result<Vec<(CaseRow, ListKey)>> {
    debug_assert!(from.is_none() || skip == 0, "a key and an offset");
    let arms = arms_of(filter);
    let order: Vec<usize> = match dir {
        Dir::Forward => (0..arms.len()).collect(),
        Dir::Backward => (0..arms.len()).rev().collect(),
    };
    let start = from.map_or(order[0], |k| k.arm);
    let mut key = from.map(|k| k.values.as_slice());
    let mut skip = skip;
    let mut out: Vec<(CaseRow, ListKey)> = Vec::with_capacity(limit);
    for &ai in order.iter().skip_while(|&&a| a != start) {
        if out.len() >= limit {
            break;
        }
        if key.is_none() && skip > 0 && arms.len() > 1 {
            let p = plan(c, filter, For::Count, arms[ai])?;
            let n = count_upto(
                c,
                &format!("SELECT 1 FROM {} {}", p.from, p.where_()),
                &p.args,
                skip,
            )?;
            if n < skip {
                skip -= n;
                continue;
            }
        }
        for (sql, args) in keyed_statements(c, filter, arms[ai], key, dir, skip, limit - out.len())?
        {
            if out.len() >= limit {
                break;
            }
            let mut st = c.prepare_cached(&sql)?;
            let n = st.column_count();
            let rows = st.query_map(params_from_iter(args), |r| {
                let values = (CASE_ROW_WIDTH..n)
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((case_row_from(r)?, ListKey { arm: ai, values }))
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        key = None;
        skip = 0;
    }
    out.truncate(limit);
    if dir == Dir::Backward {
        out.reverse();
    }
    Ok(out)
}

/// The statements [`cases_from`] runs to read `limit` rows next to `from` in `dir`: for
/// `EXPLAIN QUERY PLAN` in the benchmarks and the tests.
pub fn case_list_keyed_statements(
    c: &Connection,
    filter: &CaseFilter,
    from: &ListKey,
    dir: Dir,
    limit: usize,
) -> Result<Vec<(String, Vec<Value>)>> {
    let arms = arms_of(filter);
    keyed_statements(c, filter, arms[from.arm], Some(&from.values), dir, 0, limit)
}

/// How many cases match `filter`, from the tallies (a few hundred rows at most) when the
/// filter is one they answer: status, level, difficulty type and a city or county, no
/// search and no due date. `None` otherwise.
pub fn count_cases_tallied(c: &Connection, filter: &CaseFilter) -> Result<Option<usize>> {
    if SearchKind::of(&filter.search) != SearchKind::None || filter.due_by.is_some() {
        return Ok(None);
    }
    // The tallies are by county (`area`: the first six digits of the case's region).
    if let Some(r) = &filter.region
        && !(r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()))
    {
        return Ok(None);
    }
    let mut conds = Vec::new();
    let mut args = Vec::new();
    if let Some(t) = filter.difficulty {
        args.push(Value::Text(t.code().into()));
        conds.push(format!("type = ?{}", args.len()));
    }
    if let Some(r) = &filter.region {
        let (lo, hi) = region_range(r);
        args.push(Value::Text(lo));
        conds.push(format!("area >= ?{}", args.len()));
        args.push(Value::Text(hi));
        conds.push(format!("area < ?{}", args.len()));
    }
    if let Some(s) = filter.status {
        args.push(Value::Text(s.code().into()));
        conds.push(format!("status = ?{}", args.len()));
    }
    if let Some(l) = filter.level {
        args.push(Value::Integer(i64::from(l.number())));
        conds.push(format!("level = ?{}", args.len()));
    }
    let table = if filter.difficulty.is_some() {
        "case_type_tally"
    } else {
        "case_tally"
    };
    let where_ = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let n: i64 = c
        .prepare_cached(&format!("SELECT coalesce(sum(n), 0) FROM {table} {where_}"))?
        .query_row(params_from_iter(args), |r| r.get(0))?;
    Ok(Some(n.max(0) as usize))
}

/// How many cases match `filter`: every one — from the tallies where they answer
/// ([`count_cases_tallied`]), else by reading every match (see [`count_cases_upto`] for
/// a list that must answer at once).
pub fn count_cases(c: &Connection, filter: &CaseFilter) -> Result<usize> {
    if let Some(n) = count_cases_tallied(c, filter)? {
        return Ok(n);
    }
    let p = plan(c, filter, For::Count, None)?;
    let n: i64 = c
        .prepare_cached(&format!("SELECT count(*) FROM {} {}", p.from, p.where_()))?
        .query_row(params_from_iter(p.args), |r| r.get(0))?;
    Ok(n as usize)
}

/// How many cases match `filter`, counting no further than `cap` (a one-character
/// search or the whole list at a million cases would take tens of milliseconds to count).
pub fn count_cases_upto(c: &Connection, filter: &CaseFilter, cap: usize) -> Result<usize> {
    let p = plan(c, filter, For::Count, None)?;
    count_upto(
        c,
        &format!("SELECT 1 FROM {} {}", p.from, p.where_()),
        &p.args,
        cap,
    )
}

/// The statements [`cases`] and [`count_cases_upto`] run for `filter` (the first window of
/// `limit` rows, a count up to `cap`), with their arguments: for `EXPLAIN QUERY PLAN` in the
/// benchmarks and the tests. A due-date filter's window is read in arms: one statement each.
pub fn case_list_statements(
    c: &Connection,
    filter: &CaseFilter,
    limit: usize,
    cap: usize,
) -> Result<Vec<(String, Vec<Value>)>> {
    let mut out = Vec::new();
    let arms: Vec<Option<i64>> = match due_arms(filter) {
        Some(a) => a.into_iter().map(Some).collect(),
        None => vec![None],
    };
    for arm in arms {
        let mut p = plan(c, filter, For::Window, arm)?;
        let l = p.arg(Value::Integer(limit as i64));
        let o = p.arg(Value::Integer(0));
        out.push((p.window_sql(l, o, false), p.args));
    }
    let mut p = plan(c, filter, For::Count, None)?;
    let i = p.arg(Value::Integer(cap as i64));
    out.push((
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} {} LIMIT ?{i})",
            p.from,
            p.where_()
        ),
        p.args,
    ));
    Ok(out)
}

/// The numbers on the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dashboard {
    /// Open (not closed) cases.
    pub open_cases: usize,
    /// Active cases by level: [level 1, level 2, level 3].
    pub by_level: [usize; 3],
    /// Open cases never graded by the panel.
    pub awaiting_first: usize,
    /// Active cases whose review (or closing review on the 18th birthday, as on the
    /// queue) falls in this calendar month, from today on.
    pub due_this_month: usize,
    /// Active cases whose review (as above) is past.
    pub overdue: usize,
    pub most_overdue_days: i64,
    pub ad_hoc_open: usize,
    /// Open cases by city: (city name, count), largest first.
    pub by_city: Vec<(String, usize)>,
    pub next_session: Option<(i64, NaiveDate, usize)>,
}

pub fn dashboard(c: &Connection, today: NaiveDate) -> Result<Dashboard> {
    // Everything from the tallies and small index ranges: nothing here grows with the
    // number of cases (BENCHMARKS.md).
    let mut d = Dashboard::default();
    {
        let mut st = c.prepare_cached(
            "SELECT substr(t.area, 1, 4) || '00', t.status, t.level, sum(t.n)
             FROM case_tally t WHERE t.status != 'closed' GROUP BY 1, 2, 3",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?.max(0) as usize,
            ))
        })?;
        let mut cities: std::collections::BTreeMap<String, usize> = Default::default();
        for row in rows {
            let (city, status, level, n) = row?;
            d.open_cases += n;
            *cities.entry(city).or_default() += n;
            match (status.as_str(), level) {
                ("active", 1..=3) => d.by_level[level as usize - 1] += n,
                ("screening" | "awaiting_panel", 0) => d.awaiting_first += n,
                _ => {}
            }
        }
        let mut name = c.prepare_cached("SELECT name FROM region WHERE code = ?1")?;
        for (code_, n) in cities {
            if n == 0 {
                continue;
            }
            let label: Option<String> = name.query_row([&code_], |r| r.get(0)).optional()?;
            d.by_city.push((label.unwrap_or(code_), n));
        }
        d.by_city.sort_by_key(|x| std::cmp::Reverse(x.1));
    }
    // Due and overdue as the queue sees them: the review, or the closing review on the
    // 18th birthday when that comes first (`review_due`), from `queue_tally`.
    let month_end = end_of_month(today);
    d.due_this_month = c
        .prepare_cached(
            "SELECT coalesce(sum(n), 0) FROM queue_tally
             WHERE type = '' AND area = '' AND kind = 'd' AND bucket >= ?1 AND bucket <= ?2",
        )?
        .query_row(params![today, month_end], |r| r.get::<_, i64>(0))?
        .max(0) as usize;
    d.overdue = super::stats::overdue_tally(c, today, "", "")?.iter().sum();
    // The oldest review due: the first entry of each level's range of `case_due`.
    let oldest: Option<NaiveDate> = c
        .prepare_cached(
            "SELECT min(x) FROM (
                SELECT min(due_on) AS x FROM case_file WHERE status = 'active' AND level = 1
                UNION ALL SELECT min(due_on) FROM case_file WHERE status = 'active' AND level = 2
                UNION ALL SELECT min(due_on) FROM case_file WHERE status = 'active' AND level = 3
                UNION ALL SELECT min(due_on) FROM case_file WHERE status = 'active' AND level IS NULL)",
        )?
        .query_row([], |r| r.get(0))?;
    d.most_overdue_days = oldest
        .filter(|o| *o < today)
        .map(|o| (today - o).num_days())
        .unwrap_or(0);
    d.ad_hoc_open = c
        .prepare_cached(
            "SELECT count(DISTINCT case_id) FROM review_request WHERE resolved_by IS NULL",
        )?
        .query_row([], |r| r.get::<_, i64>(0))? as usize;
    d.next_session = c
        .prepare_cached(
            "SELECT s.id, s.held_on, (SELECT count(*) FROM agenda_item a WHERE a.session_id = s.id)
             FROM panel_session s WHERE s.status = 'open' AND s.held_on >= ?1
             ORDER BY s.held_on, s.id LIMIT 1",
        )?
        .query_row([today], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as usize))
        })
        .map(Some)
        .or_else(|e| {
            if e == rusqlite::Error::QueryReturnedNoRows {
                Ok(None)
            } else {
                Err(e)
            }
        })?;
    Ok(d)
}

/// The last day of `day`'s month.
pub fn end_of_month(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let (y, m) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid") - chrono::Days::new(1)
}

/// One line of the recent-reports list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub report_id: i64,
    pub case_id: i64,
    pub received_at: NaiveDateTime,
    pub channel: Channel,
    pub mandatory: bool,
    pub name: String,
    pub region_name: String,
    pub summary: String,
    pub case_status: CaseStatus,
}

pub fn recent_reports(c: &Connection, limit: usize) -> Result<Vec<ReportRow>> {
    let mut st = c.prepare_cached(
        "SELECT p.id, p.case_id, p.received_at, p.channel, p.mandatory, c.name, r.name, p.summary, k.status
         FROM report p JOIN case_file k ON k.id = p.case_id JOIN child c ON c.id = k.child_id
         JOIN region r ON r.code = k.region
         ORDER BY p.received_at DESC, p.id DESC LIMIT ?1",
    )?;
    let rows = st.query_map([limit as i64], |r| {
        Ok(ReportRow {
            report_id: r.get(0)?,
            case_id: r.get(1)?,
            received_at: r.get(2)?,
            channel: code(r, 3)?,
            mandatory: r.get(4)?,
            name: r.get(5)?,
            region_name: r.get(6)?,
            summary: r.get(7)?,
            case_status: code(r, 8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Cases the panel should see at a session held on `on`: the re-review queue's first
/// `limit` items (ad-hoc first, then by level and urgency; see [`super::queue`]) whose review
/// window has opened by then, as list rows with the reason each is before the panel (an open
/// ad-hoc request named first, whatever else is due).
pub fn agenda_candidates(
    c: &Connection,
    on: NaiveDate,
    rules: &crate::domain::review::ReviewRules,
    limit: usize,
) -> Result<Vec<(CaseRow, super::queue::Reason)>> {
    let items = super::queue::list(c, on, rules, &Default::default(), 0, limit)?;
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        if let Some(row) = case_row(c, it.case_id)? {
            let reason = if it.ad_hoc {
                super::queue::Reason::AdHoc
            } else {
                it.reason
            };
            out.push((row, reason));
        }
    }
    Ok(out)
}

/// One case as a list row.
pub fn case_row(c: &Connection, case_id: i64) -> Result<Option<CaseRow>> {
    let mut st = c.prepare_cached(&format!("{CASE_ROW_SELECT} WHERE k.id = ?1"))?;
    let mut rows = st.query_map([case_id], case_row_from)?;
    Ok(rows.next().transpose()?)
}
