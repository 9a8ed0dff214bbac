//! Read-only views for the screens and the CLI. Every list is windowed (LIMIT/OFFSET):
//! nothing loads a whole table.

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

const CASE_ROW_SELECT: &str = "SELECT k.id, c.id, c.name, c.sex, c.birth_date, c.id_number,
                coalesce(p.name || ' ', '') || r.name, k.status, k.level, k.next_review,
                EXISTS (SELECT 1 FROM review_request q WHERE q.case_id = k.id AND q.resolved_by IS NULL)
         FROM case_file k JOIN child c ON c.id = k.child_id
         JOIN region r ON r.code = k.region LEFT JOIN region p ON p.code = r.parent";

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

fn where_clause(f: &CaseFilter) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = f.status {
        args.push(Value::Text(s.code().into()));
        conds.push(format!("k.status = ?{}", args.len()));
    }
    if let Some(l) = f.level {
        args.push(Value::Integer(l.number().into()));
        conds.push(format!("k.level = ?{}", args.len()));
    }
    if let Some(t) = f.difficulty {
        args.push(Value::Text(t.code().into()));
        conds.push(format!(
            "EXISTS (SELECT 1 FROM case_type t WHERE t.case_id = k.id AND t.type = ?{})",
            args.len()
        ));
    }
    if let Some(r) = &f.region {
        args.push(Value::Text(format!("{}%", like_escape(&region_prefix(r)))));
        conds.push(format!("k.region LIKE ?{} ESCAPE '\\'", args.len()));
    }
    if let Some(d) = f.due_by {
        args.push(Value::Text(d.to_string()));
        conds.push(format!(
            "k.status = 'active' AND k.next_review <= ?{}",
            args.len()
        ));
    }
    let q = crate::text::sanitize_line(&f.search);
    if !q.is_empty() {
        if q.chars()
            .all(|c| c.is_ascii_digit() || c == 'x' || c == 'X')
        {
            args.push(Value::Text(format!("{}%", q.to_ascii_uppercase())));
            conds.push(format!("c.id_number LIKE ?{}", args.len()));
        } else if q.chars().all(|c| c.is_ascii_alphabetic()) {
            args.push(Value::Text(format!("{}%", q.to_ascii_lowercase())));
            conds.push(format!("c.initials LIKE ?{}", args.len()));
        } else {
            args.push(Value::Text(format!("%{}%", like_escape(&q))));
            conds.push(format!("c.name LIKE ?{} ESCAPE '\\'", args.len()));
        }
    }
    let w = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    (w, args)
}

/// Cases matching `filter`: the most severe and most overdue first; `limit` rows from
/// `offset`.
pub fn cases(
    c: &Connection,
    filter: &CaseFilter,
    offset: usize,
    limit: usize,
) -> Result<Vec<CaseRow>> {
    let (w, mut args) = where_clause(filter);
    args.push(Value::Integer(limit as i64));
    let l = args.len();
    args.push(Value::Integer(offset as i64));
    let o = args.len();
    let sql = format!(
        "{CASE_ROW_SELECT}
         {w}
         ORDER BY k.status = 'closed', coalesce(k.level, 4), k.next_review IS NULL, k.next_review, k.id
         LIMIT ?{l} OFFSET ?{o}"
    );
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), case_row_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count_cases(c: &Connection, filter: &CaseFilter) -> Result<usize> {
    let (w, args) = where_clause(filter);
    let sql = format!("SELECT count(*) FROM case_file k JOIN child c ON c.id = k.child_id {w}");
    let n: i64 = c
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args), |r| r.get(0))?;
    Ok(n as usize)
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

/// Why a case is a candidate for a session's agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AgendaReason {
    /// An ad-hoc re-review is open.
    AdHoc,
    /// Never graded: awaiting its first assessment.
    First,
    /// The annual (or per-level) review is due or overdue.
    Due,
}

/// Cases the panel should see at a session held on `on`: ad-hoc first, then first
/// assessments, then reviews due within `window_days` (overdue first); most severe first.
pub fn agenda_candidates(
    c: &Connection,
    on: NaiveDate,
    window_days: u32,
    limit: usize,
) -> Result<Vec<(CaseRow, AgendaReason)>> {
    let horizon = on + chrono::Days::new(u64::from(window_days));
    let mut st = c.prepare_cached(
        "SELECT k.id,
            CASE WHEN EXISTS (SELECT 1 FROM review_request q WHERE q.case_id = k.id AND q.resolved_by IS NULL) THEN 0
                 WHEN k.status = 'awaiting_panel' AND k.level IS NULL THEN 1
                 ELSE 2 END AS why
         FROM case_file k
         WHERE k.status = 'awaiting_panel'
            OR (k.status = 'active' AND k.next_review <= ?1)
         ORDER BY why, coalesce(k.level, 4), k.next_review, k.id
         LIMIT ?2",
    )?;
    let ids: Vec<(i64, i64)> = st
        .query_map(rusqlite::params![horizon, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(ids.len());
    for (id, why) in ids {
        if let Some(row) = case_row(c, id)? {
            let reason = match why {
                0 => AgendaReason::AdHoc,
                1 => AgendaReason::First,
                _ => AgendaReason::Due,
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
