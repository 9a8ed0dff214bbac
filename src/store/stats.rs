//! Statistics for the dashboard and the data-sharing platform: open cases by level, by
//! difficulty type or by region (rolled up along the four-level tree), decisions per
//! month, overdue counts. Every number comes from one aggregate query (GROUP BY); nothing
//! loads a table into memory.

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params_from_iter, types::Value};

use super::queries::region_prefix;
use super::{Result, StoreError, regions};
use crate::domain::difficulty::DifficultyType;
use crate::domain::region::RegionLevel;
use crate::i18n::{self, Lang};

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

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The grouping for `By::Region` under `parent` (None: the cities): the SQL key
/// expression and the length of the child codes. A case whose region is the parent itself
/// (not placed in a child region) has no child key and is counted in the `""` row.
fn region_key(c: &Connection, parent: Option<&str>) -> Result<(String, Option<RegionLevel>)> {
    match parent {
        None => Ok((
            "substr(k.region, 1, 4) || '00'".into(),
            Some(RegionLevel::City),
        )),
        Some(p) => {
            let r = regions::get(c, p)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "region {p}: no such region code (see the region list)"
                ))
            })?;
            let child = r.level.child_level();
            let expr = match r.level {
                // Counties share their city's first four digits and have 6.
                RegionLevel::City => {
                    "CASE WHEN k.region != ?2 THEN substr(k.region, 1, 6) ELSE '' END"
                }
                RegionLevel::County => {
                    "CASE WHEN length(k.region) >= 9 THEN substr(k.region, 1, 9) ELSE '' END"
                }
                RegionLevel::Township => {
                    "CASE WHEN length(k.region) >= 12 THEN substr(k.region, 1, 12) ELSE '' END"
                }
                RegionLevel::Village => "''",
            };
            Ok((expr.into(), child))
        }
    }
}

/// Statistics on `today` over the subtree of `region` (all the province when None).
pub fn stats(c: &Connection, today: NaiveDate, by: By, region: Option<&str>) -> Result<Stats> {
    let mut out = Stats::default();
    // ?1 today, ?2 region code, ?3 LIKE prefix.
    let args = || -> Vec<Value> {
        vec![
            Value::Text(today.to_string()),
            Value::Text(region.unwrap_or("").to_string()),
            Value::Text(match region {
                Some(r) => format!("{}%", like_escape(&region_prefix(r))),
                None => "%".into(),
            }),
        ]
    };
    let scope = "k.status != 'closed' AND k.region LIKE ?3 ESCAPE '\\'";
    let (key, join) = match by {
        By::Level => ("coalesce(CAST(k.level AS TEXT), 'none')".to_string(), ""),
        By::Type => ("t.type".to_string(), "JOIN case_type t ON t.case_id = k.id"),
        By::Region => (region_key(c, region)?.0, ""),
    };
    let sql = format!(
        "SELECT {key} AS g, count(*), sum(k.level = 1), sum(k.level = 2), sum(k.level = 3),
            sum(k.level IS NULL), sum(k.status = 'active' AND k.next_review < ?1)
         FROM case_file k {join} WHERE {scope} AND (?2 = ?2)
         GROUP BY g ORDER BY g"
    );
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args()), |r| {
        let n = |i: usize| -> rusqlite::Result<usize> {
            Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0) as usize)
        };
        Ok(Row {
            key: r.get(0)?,
            name: String::new(),
            total: n(1)?,
            levels: [n(2)?, n(3)?, n(4)?],
            no_level: n(5)?,
            overdue: n(6)?,
        })
    })?;
    out.rows = rows.collect::<rusqlite::Result<_>>()?;
    if by == By::Region {
        for row in &mut out.rows {
            if !row.key.is_empty() {
                row.name = regions::get(c, &row.key)?
                    .map(|r| r.name)
                    .unwrap_or_default();
            }
        }
    }
    let totals: (i64, Option<i64>) = c
        .prepare_cached(&format!(
            "SELECT count(*), sum(k.status = 'active' AND k.next_review < ?1) FROM case_file k
             WHERE {scope} AND (?2 = ?2)"
        ))?
        .query_row(params_from_iter(args()), |r| Ok((r.get(0)?, r.get(1)?)))?;
    out.open = totals.0 as usize;
    out.overdue = totals.1.unwrap_or(0) as usize;
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
    {
        let mut a = args();
        a.push(Value::Text(first.to_string()));
        let mut st = c.prepare_cached(
            "SELECT substr(d.decided_on, 1, 7) AS m, count(*) FROM decision d
             JOIN case_file k ON k.id = d.case_id
             WHERE d.status = 'sealed' AND d.decided_on >= ?4 AND d.decided_on <= ?1
               AND k.region LIKE ?3 ESCAPE '\\' AND (?2 = ?2)
             GROUP BY m",
        )?;
        let rows = st.query_map(params_from_iter(a), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        for row in rows {
            let (m, n) = row?;
            if let Some(slot) = months.iter_mut().find(|(k, _)| *k == m) {
                slot.1 = n as usize;
            }
        }
    }
    out.decisions_per_month = months;
    out.overdue_interventions =
        c.prepare_cached(
            "SELECT count(*) FROM intervention i JOIN decision d ON d.id = i.decision_id
             JOIN case_file k ON k.id = d.case_id
             WHERE i.status IN ('planned', 'in_progress') AND i.due < ?1 AND d.status = 'sealed'
               AND k.status != 'closed' AND k.region LIKE ?3 ESCAPE '\\' AND (?2 = ?2)",
        )?
        .query_row(params_from_iter(args()), |r| r.get::<_, i64>(0))? as usize;
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
