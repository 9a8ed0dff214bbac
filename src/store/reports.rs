//! Reports (发现报告) and home visits (家访).

use rusqlite::{Connection, params};

use super::{Result, StoreError, cases, code};
use crate::domain::case::CaseStatus;
use crate::domain::report::Report;
use crate::domain::visit::HomeVisit;
use crate::text::{sanitize, sanitize_line};

/// Records a report on a case (its `id` is ignored). A report on a case the panel has
/// graded (active) raises an ad-hoc re-review and puts the case back before the panel.
pub fn insert(c: &Connection, report: &Report) -> Result<i64> {
    let summary = sanitize(&report.summary);
    if summary.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a report needs a summary (情况说明)".into(),
        ));
    }
    let status: CaseStatus = c
        .prepare_cached("SELECT status FROM case_file WHERE id = ?1")?
        .query_row([report.case_id], |r| code(r, 0))
        .map_err(|_| StoreError::NotFound(format!("case {}", report.case_id)))?;
    c.prepare_cached(
        "INSERT INTO report (case_id, received_at, channel, mandatory, reporter, summary)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        report.case_id,
        report.received_at,
        report.channel.code(),
        report.channel.is_mandated_reporter(),
        report
            .reporter
            .as_deref()
            .map(sanitize_line)
            .filter(|s| !s.is_empty()),
        summary,
    ])?;
    let id = c.last_insert_rowid();
    if status == CaseStatus::Active {
        let reason: String = summary.chars().take(200).collect();
        cases::raise_review(
            c,
            report.case_id,
            report.received_at.date(),
            &reason,
            Some(id),
        )?;
    }
    Ok(id)
}

/// The reports of a case, newest first.
pub fn of_case(c: &Connection, case_id: i64) -> Result<Vec<Report>> {
    let mut st = c.prepare_cached(
        "SELECT id, case_id, received_at, channel, reporter, summary FROM report
         WHERE case_id = ?1 ORDER BY received_at DESC, id DESC",
    )?;
    let rows = st.query_map([case_id], |r| {
        Ok(Report {
            id: r.get(0)?,
            case_id: r.get(1)?,
            received_at: r.get(2)?,
            channel: code(r, 3)?,
            reporter: r.get(4)?,
            summary: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a home visit (its `id` is ignored).
pub fn insert_visit(c: &Connection, v: &HomeVisit) -> Result<i64> {
    let notes = sanitize(&v.notes);
    if notes.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a home visit needs notes (家访记录)".into(),
        ));
    }
    c.prepare_cached(
        "INSERT INTO visit (case_id, visited_on, visitors, place, people_met, notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        v.case_id,
        v.visited_on,
        sanitize_line(&v.visitors),
        sanitize_line(&v.place),
        sanitize_line(&v.people_met),
        notes
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn update_visit(c: &Connection, v: &HomeVisit) -> Result<()> {
    let notes = sanitize(&v.notes);
    if notes.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a home visit needs notes (家访记录)".into(),
        ));
    }
    let n = c
        .prepare_cached(
            "UPDATE visit SET visited_on = ?2, visitors = ?3, place = ?4, people_met = ?5, notes = ?6
             WHERE id = ?1",
        )?
        .execute(params![
            v.id,
            v.visited_on,
            sanitize_line(&v.visitors),
            sanitize_line(&v.place),
            sanitize_line(&v.people_met),
            notes
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("home visit {}", v.id)));
    }
    Ok(())
}

/// The home visits of a case, newest first.
pub fn visits(c: &Connection, case_id: i64) -> Result<Vec<HomeVisit>> {
    let mut st = c.prepare_cached(
        "SELECT id, case_id, visited_on, visitors, place, people_met, notes FROM visit
         WHERE case_id = ?1 ORDER BY visited_on DESC, id DESC",
    )?;
    let rows = st.query_map([case_id], |r| {
        Ok(HomeVisit {
            id: r.get(0)?,
            case_id: r.get(1)?,
            visited_on: r.get(2)?,
            visitors: r.get(3)?,
            place: r.get(4)?,
            people_met: r.get(5)?,
            notes: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
