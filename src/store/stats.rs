//! Statistics for the dashboard and the data-sharing platform: open cases by level, by
//! difficulty type or by region (rolled up along the four-level tree), decisions per
//! month, overdue counts. Every number comes from one aggregate query (GROUP BY); nothing
//! loads a table into memory.

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params_from_iter, types::Value};

use super::queries::region_range;
use super::{Result, StoreError, regions};
use crate::domain::difficulty::DifficultyType;
use crate::domain::region::RegionLevel;
use crate::i18n::{self, Lang};
use std::collections::BTreeMap;

/// What the rows group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Level,
    Type,
    Region,
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "level" => Some(By::Level),
            "type" => Some(By::Type),
            "region" => Some(By::Region),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            By::Level => "level",
            By::Type => "type",
            By::Region => "region",
        }
    }
}

/// Open cases in one group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The level (`1`, `2`, `3`, `none`), the type code, or the region code.
    pub key: String,
    /// Display name (filled by [`stats`] for regions; labels are the renderer's job).
    pub name: String,
    pub total: usize,
    /// Open cases at levels 1, 2, 3.
    pub levels: [usize; 3],
    /// Open cases with no level.
    pub no_level: usize,
    /// Active cases past their review date.
    pub overdue: usize,
}

/// Everything `casepanel stats` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub rows: Vec<Row>,
    /// `(YYYY-MM, sealed decisions)` for the twelve months up to today's, oldest first;
    /// months without decisions are there with 0.
    pub decisions_per_month: Vec<(String, usize)>,
    /// Open cases in scope.
    pub open: usize,
    /// Active cases past their review date.
    pub overdue: usize,
    /// Interventions past their deadline and not done, in scope.
    pub overdue_interventions: usize,
}

/// Where the rows' numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The county tallies (migrations 3, 7 and 11): the scope is the province, a city, or a
    /// county whose rows are levels or types.
    Tallies,
    /// The township tallies (migration 12): the rows are a county's townships.
    Townships,
    /// The cases themselves (a range of region codes on an index): below a county.
    Cases,
}

fn region_level(c: &Connection, r: &str) -> Result<RegionLevel> {
    Ok(regions::get(c, r)?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "region {r}: no such region code (see the region list)"
            ))
        })?
        .level)
}

fn source_of(c: &Connection, by: By, region: Option<&str>) -> Result<Source> {
    let Some(r) = region else {
        return Ok(Source::Tallies);
    };
    Ok(match region_level(c, r)? {
        RegionLevel::City => Source::Tallies,
        RegionLevel::County if by == By::Region => Source::Townships,
        RegionLevel::County => Source::Tallies,
        RegionLevel::Township | RegionLevel::Village => Source::Cases,
    })
}

/// The area of `intervention_due_tally` for a scope: `''` the province, a city's 4 digits,
/// a county's 6, a township's 9; None below a township (the index answers there).
fn intervention_area(c: &Connection, region: Option<&str>) -> Result<Option<String>> {
    let Some(r) = region else {
        return Ok(Some(String::new()));
    };
    Ok(match region_level(c, r)? {
        RegionLevel::Township if r.len() == 9 => Some(r.to_string()),
        RegionLevel::Township | RegionLevel::Village => None,
        RegionLevel::City | RegionLevel::County => super::queue::tally_area(c, Some(r))?,
    })
}

/// The grouping for `By::Region` under `parent` (None: the cities), as an SQL expression
/// over `col` (a region code or a tally's six-digit area). A case whose region is the
/// parent itself (not placed in a child region) has no child key and is counted in the
/// `""` row. `?2` is the parent's code.
fn region_key(c: &Connection, parent: Option<&str>, col: &str) -> Result<String> {
    match parent {
        None => Ok(format!("substr({col}, 1, 4) || '00'")),
        Some(p) => {
            let r = regions::get(c, p)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "region {p}: no such region code (see the region list)"
                ))
            })?;
            Ok(match r.level {
                // Counties share their city's first four digits and have 6.
                RegionLevel::City => {
                    format!("CASE WHEN {col} != ?2 THEN substr({col}, 1, 6) ELSE '' END")
                }
                RegionLevel::County => {
                    format!("CASE WHEN length({col}) >= 9 THEN substr({col}, 1, 9) ELSE '' END")
                }
                RegionLevel::Township => {
                    format!("CASE WHEN length({col}) >= 12 THEN substr({col}, 1, 12) ELSE '' END")
                }
                RegionLevel::Village => "''".into(),
            })
        }
    }
}

fn count_of(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<usize> {
    Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0).max(0) as usize)
}

/// The statements behind [`stats`], for one scope. Parameters: `?1` today, `?2` the
/// region code, `?3`/`?4` the region's range of codes, `?5` the first day of the twelve
/// months.
struct Statements {
    /// Open cases by group: key, total, levels 1–3, no level.
    open: String,
    /// Open cases in scope, each once (by type a case counts under each of its types).
    open_total: String,
    /// Active cases past their review date, by group: key, count.
    overdue: String,
    overdue_total: String,
    /// Sealed decisions by month: `YYYY-MM`, count.
    months: String,
    overdue_interventions: String,
}

fn statements(c: &Connection, by: By, region: Option<&str>) -> Result<Statements> {
    let source = source_of(c, by, region)?;
    // The scope's totals (open cases, decisions per month) come from the county tallies
    // whenever the scope is the province, a city or a county, whatever the rows are.
    let scope_tallies = source_of(c, By::Level, region)? == Source::Tallies;
    let open = if source == Source::Townships {
        // A county's townships: `township_tally`'s areas are the townships (nine digits) and,
        // for cases placed at the county itself, the county's code (the `''` row).
        format!(
            "SELECT {} AS g, sum(n), sum(n * (level = 1)), sum(n * (level = 2)),
                sum(n * (level = 3)), sum(n * (level = 0))
             FROM township_tally WHERE status != 'closed' AND area >= ?3 AND area < ?4 AND ?2 = ?2
             GROUP BY g",
            region_key(c, region, "area")?
        )
    } else if source == Source::Tallies {
        // The area's range; the province by type reads the types' totals (migration 11),
        // a few dozen rows, instead of every county's tally.
        let in_area = "area >= ?3 AND area < ?4 AND ?2 = ?2";
        let (key, table, scope) = match by {
            By::Level => (
                "CASE WHEN level = 0 THEN 'none' ELSE CAST(level AS TEXT) END".to_string(),
                "case_tally",
                in_area,
            ),
            By::Type if region.is_none() => (
                "type".to_string(),
                "case_type_total",
                "?2 = ?2 AND ?3 = ?3 AND ?4 = ?4",
            ),
            By::Type => ("type".to_string(), "case_type_tally", in_area),
            By::Region => (region_key(c, region, "area")?, "case_tally", in_area),
        };
        format!(
            "SELECT {key} AS g, sum(n), sum(n * (level = 1)), sum(n * (level = 2)),
                sum(n * (level = 3)), sum(n * (level = 0))
             FROM {table} WHERE status != 'closed' AND {scope}
             GROUP BY g"
        )
    } else {
        let (key, join) = match by {
            By::Level => ("coalesce(CAST(k.level AS TEXT), 'none')".to_string(), ""),
            By::Type => ("t.type".to_string(), "JOIN case_type t ON t.case_id = k.id"),
            By::Region => (region_key(c, region, "k.region")?, ""),
        };
        format!(
            "SELECT {key} AS g, count(*), sum(k.level = 1), sum(k.level = 2), sum(k.level = 3),
                sum(k.level IS NULL)
             FROM case_file k {join}
             WHERE k.region >= ?3 AND k.region < ?4 AND k.status != 'closed' AND ?2 = ?2
             GROUP BY g"
        )
    };
    let open_total = if scope_tallies {
        "SELECT sum(n) FROM case_tally
         WHERE status != 'closed' AND area >= ?3 AND area < ?4 AND ?2 = ?2"
    } else {
        "SELECT count(*) FROM case_file k
         WHERE k.region >= ?3 AND k.region < ?4 AND k.status != 'closed' AND ?2 = ?2"
    }
    .to_string();
    let (key, join) = match by {
        By::Level => ("coalesce(CAST(k.level AS TEXT), 'none')".to_string(), ""),
        By::Type => ("t.type".to_string(), "JOIN case_type t ON t.case_id = k.id"),
        By::Region => (region_key(c, region, "k.region")?, ""),
    };
    // Overdue: the review (or the closing review on the 18th birthday) is past, as on the
    // queue. In scopes the county tallies serve, `queue_tally` answers instead
    // ([`overdue_tally`]); a county's townships read `township_due_tally`: the months before
    // today's month and the days of today's month before today.
    let overdue = if source == Source::Townships {
        format!(
            "SELECT {} AS g, sum(n) FROM township_due_tally
             WHERE area >= ?3 AND area < ?4 AND ?2 = ?2
               AND ((kind = 'm' AND bucket < substr(?1, 1, 7))
                    OR (kind = 'd' AND bucket > substr(?1, 1, 7) AND bucket < ?1))
             GROUP BY g",
            region_key(c, region, "area")?
        )
    } else {
        format!(
            "SELECT {key} AS g, count(*) FROM case_file k INDEXED BY case_area {join}
             WHERE k.status = 'active' AND k.due_on < ?1
               AND k.region >= ?3 AND k.region < ?4 AND ?2 = ?2
             GROUP BY g"
        )
    };
    let overdue_total = "SELECT count(*) FROM case_file k INDEXED BY case_area
         WHERE k.status = 'active' AND k.due_on < ?1
           AND k.region >= ?3 AND k.region < ?4 AND ?2 = ?2"
        .to_string();
    let months = if scope_tallies {
        "SELECT month, sum(n) FROM decision_tally
         WHERE month >= substr(?5, 1, 7) AND month <= substr(?1, 1, 7)
           AND area >= ?3 AND area < ?4 AND ?2 = ?2
         GROUP BY month"
    } else {
        // From the region's cases to their decisions, never from every decision of the year.
        "SELECT substr(d.decided_on, 1, 7) AS m, count(*) FROM case_file k INDEXED BY case_area
         CROSS JOIN decision d ON d.case_id = k.id
         WHERE d.status = 'sealed' AND d.decided_on >= ?5
           AND substr(d.decided_on, 1, 7) <= substr(?1, 1, 7)
           AND k.region >= ?3 AND k.region < ?4 AND ?2 = ?2
         GROUP BY m"
    }
    .to_string();
    // Overdue interventions: `intervention_due_tally` for the scope's area (a few dozen
    // rows), below a township their index.
    let overdue_interventions = if intervention_area(c, region)?.is_some() {
        OVERDUE_IV_TALLY.to_string()
    } else {
        format!(
            "SELECT count(*) FROM intervention i INDEXED BY intervention_overdue
             WHERE {} AND i.live_region >= ?3 AND i.live_region < ?4 AND ?2 = ?2",
            super::queue::OVERDUE_IV_WHERE
        )
    };
    Ok(Statements {
        open,
        open_total,
        overdue,
        overdue_total,
        months,
        overdue_interventions,
    })
}

fn arguments(today: NaiveDate, region: Option<&str>) -> Vec<Value> {
    let (lo, hi) = match region {
        Some(r) => region_range(r),
        None => (String::new(), "\u{7f}".into()),
    };
    vec![
        Value::Text(today.to_string()),
        Value::Text(region.unwrap_or("").to_string()),
        Value::Text(lo),
        Value::Text(hi),
        Value::Text(first_of_month_back(today, 11).to_string()),
    ]
}

/// Statistics on `today` over the subtree of `region` (all the province when None).
///
/// Open cases by level, type or region come from the county tallies (a few thousand rows
/// for the province), a county's townships from the township tallies (migration 12), and
/// below a county from the cases in the region's range of codes; the overdue counts from
/// `queue_tally` (the province, a city, a county), `township_due_tally` (a county's
/// townships) or the active cases past their review date; decisions per month from the
/// decision tally; overdue interventions from `intervention_due_tally` down to a township,
/// below that from their partial index (`intervention_overdue`).
pub fn stats(c: &Connection, today: NaiveDate, by: By, region: Option<&str>) -> Result<Stats> {
    let mut out = Stats::default();
    let sql = statements(c, by, region)?;
    // Each statement takes the arguments up to the highest it uses.
    let all = arguments(today, region);
    let args = |n: usize| params_from_iter(all.iter().take(n).cloned().collect::<Vec<_>>());
    let mut groups: BTreeMap<String, Row> = BTreeMap::new();
    let mut st = c.prepare_cached(&sql.open)?;
    let n = st.parameter_count();
    let rows = st.query_map(args(n), |r| {
        Ok(Row {
            key: r.get(0)?,
            name: String::new(),
            total: count_of(r, 1)?,
            levels: [count_of(r, 2)?, count_of(r, 3)?, count_of(r, 4)?],
            no_level: count_of(r, 5)?,
            overdue: 0,
        })
    })?;
    for row in rows {
        let row = row?;
        if row.total > 0 {
            groups.insert(row.key.clone(), row);
        }
    }
    let mut st = c.prepare_cached(&sql.open_total)?;
    let n = st.parameter_count();
    out.open = st.query_row(args(n), |r| count_of(r, 0))?;
    let source = source_of(c, by, region)?;
    // The scope's area in `queue_tally` (the province, a city or a county).
    let scope_area = super::queue::tally_area(c, region)?;
    let mut overdue: Vec<(String, usize)> = Vec::new();
    if let (Source::Tallies, Some(area)) = (source, &scope_area) {
        match by {
            By::Level => {
                for (level, n) in overdue_tally(c, today, "", area)?.into_iter().enumerate() {
                    let key = if level == 0 {
                        "none".to_string()
                    } else {
                        level.to_string()
                    };
                    overdue.push((key, n));
                }
            }
            By::Type => {
                for t in DifficultyType::ALL {
                    let n = overdue_tally(c, today, t.code(), area)?.iter().sum();
                    overdue.push((t.code().to_string(), n));
                }
            }
            By::Region => {
                // Every group with an overdue case has open cases: the keys are known.
                let keys: Vec<String> = groups.keys().cloned().collect();
                for key in keys {
                    let area = match region {
                        None => key.get(..4).unwrap_or_default().to_string(),
                        Some(parent) if key.is_empty() => parent.to_string(),
                        Some(_) => key.clone(),
                    };
                    let n = overdue_tally(c, today, "", &area)?.iter().sum();
                    overdue.push((key, n));
                }
            }
        }
    } else {
        let mut st = c.prepare_cached(&sql.overdue)?;
        let n = st.parameter_count();
        let rows = st.query_map(args(n), |r| Ok((r.get::<_, String>(0)?, count_of(r, 1)?)))?;
        for row in rows {
            overdue.push(row?);
        }
    }
    out.overdue = match &scope_area {
        Some(area) => overdue_tally(c, today, "", area)?.iter().sum(),
        None => {
            let mut st = c.prepare_cached(&sql.overdue_total)?;
            let n = st.parameter_count();
            st.query_row(args(n), |r| count_of(r, 0))?
        }
    };
    for (key, n) in overdue {
        if n == 0 {
            continue;
        }
        groups
            .entry(key.clone())
            .or_insert_with(|| Row {
                key,
                ..Row::default()
            })
            .overdue = n;
    }
    out.rows = groups.into_values().collect();
    if by == By::Region {
        for row in &mut out.rows {
            if !row.key.is_empty() {
                row.name = regions::get(c, &row.key)?
                    .map(|r| r.name)
                    .unwrap_or_default();
            }
        }
    }
    // Twelve months up to today's.
    let first = first_of_month_back(today, 11);
    let mut months: Vec<(String, usize)> = (0..12)
        .map(|i| {
            let m = first
                .checked_add_months(chrono::Months::new(i))
                .expect("in range");
            (m.format("%Y-%m").to_string(), 0)
        })
        .collect();
    let mut st = c.prepare_cached(&sql.months)?;
    let n = st.parameter_count();
    let rows = st.query_map(args(n), |r| Ok((r.get::<_, String>(0)?, count_of(r, 1)?)))?;
    for row in rows {
        let (m, n) = row?;
        if let Some(slot) = months.iter_mut().find(|(k, _)| *k == m) {
            slot.1 = n;
        }
    }
    out.decisions_per_month = months;
    out.overdue_interventions = match intervention_area(c, region)? {
        Some(area) => overdue_interventions_tally(c, today, &area)?,
        None => {
            let mut st = c.prepare_cached(&sql.overdue_interventions)?;
            let n = st.parameter_count();
            st.query_row(args(n), |r| count_of(r, 0))?
        }
    };
    Ok(out)
}

/// Interventions of `area` (an `intervention_due_tally` area) past their deadline on
/// `?2` (today): the months before today's month and the days of today's month before
/// today.
const OVERDUE_IV_TALLY: &str = "SELECT sum(n) FROM (
        SELECT n FROM intervention_due_tally
        WHERE area = ?1 AND kind = 'm' AND bucket < substr(?2, 1, 7)
        UNION ALL
        SELECT n FROM intervention_due_tally
        WHERE area = ?1 AND kind = 'd' AND bucket > substr(?2, 1, 7) AND bucket < ?2)";

/// How many interventions of `area` (`''` the province, a city's 4 digits, a county's 6, a
/// township's 9) are not done and past their deadline on `today`, their decision sealed and
/// their case open: a few dozen rows of `intervention_due_tally`.
pub(crate) fn overdue_interventions_tally(
    c: &Connection,
    today: NaiveDate,
    area: &str,
) -> Result<usize> {
    Ok(c.prepare_cached(OVERDUE_IV_TALLY)?
        .query_row(rusqlite::params![area, today], |r| count_of(r, 0))?)
}

const OVERDUE_TALLY: &str = "SELECT level, sum(n) FROM (
        SELECT level, n FROM queue_tally
        WHERE type = ?1 AND area = ?2 AND kind = 'm' AND bucket < ?3
        UNION ALL
        SELECT level, n FROM queue_tally
        WHERE type = ?1 AND area = ?2 AND kind = 'd' AND bucket >= ?4 AND bucket < ?5)
    GROUP BY level";

/// Active cases of `area` (a `queue_tally` area) with `type` (`''` for all) past their
/// review on `today`, by level (index 0: no level): the tally's months before today's
/// month and its days of this month before today.
pub(crate) fn overdue_tally(
    c: &Connection,
    today: NaiveDate,
    type_: &str,
    area: &str,
) -> Result<[usize; 4]> {
    let mut st = c.prepare_cached(OVERDUE_TALLY)?;
    let rows = st.query_map(
        rusqlite::params![
            type_,
            area,
            today.format("%Y-%m").to_string(),
            today.format("%Y-%m-01").to_string(),
            today
        ],
        |r| Ok((r.get::<_, i64>(0)?, count_of(r, 1)?)),
    )?;
    let mut out = [0usize; 4];
    for row in rows {
        let (level, n) = row?;
        if let Some(slot) = usize::try_from(level).ok().and_then(|l| out.get_mut(l)) {
            *slot += n;
        }
    }
    Ok(out)
}

/// The query plans of [`stats`]' statements (`EXPLAIN QUERY PLAN`), for the benchmark
/// notes and the tests that keep them on their indexes.
pub fn explain(c: &Connection, today: NaiveDate, by: By, region: Option<&str>) -> Result<String> {
    let sql = statements(c, by, region)?;
    let args = arguments(today, region);
    let mut out = String::new();
    let iv_area = intervention_area(c, region)?;
    for (name, q) in [
        ("open", &sql.open),
        ("open_total", &sql.open_total),
        ("overdue", &sql.overdue),
        ("overdue_total", &sql.overdue_total),
        ("months", &sql.months),
    ] {
        out.push_str(&format!("-- {name}\n"));
        out.push_str(&super::explain_plan(c, q, &args)?);
    }
    out.push_str("-- overdue_interventions\n");
    match iv_area {
        Some(area) => {
            let args = [Value::Text(area), Value::Text(today.to_string())];
            out.push_str(&super::explain_plan(c, OVERDUE_IV_TALLY, &args)?);
        }
        None => out.push_str(&super::explain_plan(c, &sql.overdue_interventions, &args)?),
    }
    out.push_str("-- overdue from queue_tally (province, city, county)\n");
    out.push_str(&super::explain_plan(c, OVERDUE_TALLY, &args)?);
    Ok(out)
}

fn first_of_month_back(today: NaiveDate, months: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("valid");
    first
        .checked_sub_months(chrono::Months::new(months))
        .expect("in range")
}

fn row_label(lang: Lang, by: By, row: &Row) -> String {
    match by {
        By::Level => match row.key.as_str() {
            "1" | "2" | "3" => i18n::t(lang, &format!("level.{}", row.key)).to_string(),
            _ => i18n::t(lang, "level.none").to_string(),
        },
        By::Type => DifficultyType::from_code(&row.key)
            .map(|t| i18n::label(lang, t).to_string())
            .unwrap_or_else(|| row.key.clone()),
        By::Region => {
            if row.key.is_empty() {
                i18n::t(lang, "stats.unplaced").to_string()
            } else if row.name.is_empty() {
                row.key.clone()
            } else {
                row.name.clone()
            }
        }
    }
}

/// A plain-text report for the terminal.
pub fn render_table(s: &Stats, by: By, lang: Lang) -> String {
    use crate::text::{pad, pad_left, width};
    let head: Vec<String> = [
        i18n::t(lang, &format!("stats.by.{}", by.code())).to_string(),
        i18n::t(lang, "stats.col.total").to_string(),
        i18n::t(lang, "level.short.1").to_string(),
        i18n::t(lang, "level.short.2").to_string(),
        i18n::t(lang, "level.short.3").to_string(),
        i18n::t(lang, "stats.col.no_level").to_string(),
        i18n::t(lang, "stats.col.overdue").to_string(),
    ]
    .into();
    let mut rows = vec![head];
    for r in &s.rows {
        rows.push(vec![
            row_label(lang, by, r),
            r.total.to_string(),
            r.levels[0].to_string(),
            r.levels[1].to_string(),
            r.levels[2].to_string(),
            r.no_level.to_string(),
            r.overdue.to_string(),
        ]);
    }
    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if i == 0 {
                    pad(cell, widths[i])
                } else {
                    pad_left(cell, widths[i])
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(i18n::t(lang, "stats.decisions_per_month"));
    out.push('\n');
    for (m, n) in &s.decisions_per_month {
        out.push_str(&format!("  {m}  {n:>6}\n"));
    }
    out.push('\n');
    for (k, n) in [
        ("stats.open", s.open),
        ("stats.overdue", s.overdue),
        ("stats.overdue_interventions", s.overdue_interventions),
    ] {
        out.push_str(&format!("{}{}{n}\n", i18n::t(lang, k), i18n::colon(lang)));
    }
    out
}

/// JSON for the data-sharing platform.
pub fn render_json(s: &Stats, by: By, region: Option<&str>, today: NaiveDate) -> String {
    let rows: Vec<serde_json::Value> = s
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "key": r.key,
                "name": r.name,
                "total": r.total,
                "level_1": r.levels[0],
                "level_2": r.levels[1],
                "level_3": r.levels[2],
                "no_level": r.no_level,
                "overdue": r.overdue,
            })
        })
        .collect();
    let months: Vec<serde_json::Value> = s
        .decisions_per_month
        .iter()
        .map(|(m, n)| serde_json::json!({ "month": m, "decisions": n }))
        .collect();
    let v = serde_json::json!({
        "as_of": today.to_string(),
        "by": by.code(),
        "region": region,
        "rows": rows,
        "decisions_per_month": months,
        "open": s.open,
        "overdue": s.overdue,
        "overdue_interventions": s.overdue_interventions,
    });
    let mut out = serde_json::to_string_pretty(&v).expect("JSON values serialise");
    out.push('\n');
    out
}

pub const CSV_HEADER: &str = "section,key,name,total,level_1,level_2,level_3,no_level,overdue";

/// CSV: the grouped rows (section = `level`, `type` or `region`), then one `month` row per
/// month (total = sealed decisions that month), then a `total` row.
pub fn render_csv(s: &Stats, by: By) -> String {
    use super::queue::csv_field;
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for r in &s.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\r\n",
            by.code(),
            csv_field(&r.key),
            csv_field(&r.name),
            r.total,
            r.levels[0],
            r.levels[1],
            r.levels[2],
            r.no_level,
            r.overdue
        ));
    }
    for (m, n) in &s.decisions_per_month {
        out.push_str(&format!("month,{m},,{n},,,,,\r\n"));
    }
    out.push_str(&format!("total,,,{},,,,,{}\r\n", s.open, s.overdue));
    out
}
