//! Cases: status, difficulty types, police reports and ad-hoc re-review requests.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError, code, opt_code};
use crate::domain::case::{Case, CaseStatus, ClosingReason};
use crate::domain::child::adult_on;
use crate::domain::decision::PoliceReport;
use crate::domain::difficulty::DifficultyType;
use crate::domain::level::RiskLevel;
use crate::text::{sanitize, sanitize_line};

fn from_row(c: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<Case> {
    let id: i64 = r.get(0)?;
    let level: Option<u8> = r.get(6)?;
    Ok(Case {
        id,
        child_id: r.get(1)?,
        status: code(r, 2)?,
        opened_on: r.get(3)?,
        closed_on: r.get(4)?,
        closing_reason: opt_code(r, 5)?,
        level: level.and_then(RiskLevel::from_number),
        next_review: r.get(7)?,
        types: types_of(c, id).map_err(|e| match e {
            StoreError::Sql(e) => e,
            other => rusqlite::Error::InvalidParameterName(other.to_string()),
        })?,
    })
}

/// Opens a case for a child (its `id`, `level` and `next_review` are ignored).
pub fn insert(c: &Connection, case: &Case) -> Result<i64> {
    if case.types.is_empty() {
        return Err(StoreError::Invalid(
            crate::domain::case::CaseTransitionError::NoType.to_string(),
        ));
    }
    let birth: NaiveDate = c
        .prepare_cached("SELECT birth_date FROM child WHERE id = ?1")?
        .query_row([case.child_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("child {}", case.child_id)))?;
    // The child's region and 18th birthday are copied onto the case for the queue.
    c.prepare_cached(
        "INSERT INTO case_file (child_id, status, opened_on, closed_on, closing_reason, region, adult_on)
         SELECT ?1, ?2, ?3, ?4, ?5, region, ?6 FROM child WHERE id = ?1",
    )?
    .execute(params![
        case.child_id,
        case.status.code(),
        case.opened_on,
        case.closed_on,
        case.closing_reason.map(|r| r.code()),
        adult_on(birth),
    ])?;
    let id = c.last_insert_rowid();
    set_types(c, id, &case.types)?;
    Ok(id)
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Case>> {
    Ok(c.prepare_cached(
        "SELECT id, child_id, status, opened_on, closed_on, closing_reason, level, next_review
         FROM case_file WHERE id = ?1",
    )?
    .query_row([id], |r| from_row(c, r))
    .optional()?)
}

/// The cases of one child, newest first.
pub fn of_child(c: &Connection, child_id: i64) -> Result<Vec<Case>> {
    let mut st = c.prepare_cached(
        "SELECT id, child_id, status, opened_on, closed_on, closing_reason, level, next_review
         FROM case_file WHERE child_id = ?1 ORDER BY opened_on DESC, id DESC",
    )?;
    let rows = st.query_map([child_id], |r| from_row(c, r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn types_of(c: &Connection, case_id: i64) -> Result<Vec<DifficultyType>> {
    let mut st = c.prepare_cached("SELECT type FROM case_type WHERE case_id = ?1")?;
    let mut types: Vec<DifficultyType> = st
        .query_map([case_id], |r| code(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    types.sort();
    Ok(types)
}

pub fn set_types(c: &Connection, case_id: i64, types: &[DifficultyType]) -> Result<()> {
    if types.is_empty() {
        return Err(StoreError::Invalid(
            crate::domain::case::CaseTransitionError::NoType.to_string(),
        ));
    }
    c.prepare_cached("DELETE FROM case_type WHERE case_id = ?1")?
        .execute([case_id])?;
    let mut st =
        c.prepare_cached("INSERT OR IGNORE INTO case_type (case_id, type) VALUES (?1, ?2)")?;
    for t in types {
        st.execute(params![case_id, t.code()])?;
    }
    Ok(())
}

fn status_of(c: &Connection, case_id: i64) -> Result<CaseStatus> {
    c.prepare_cached("SELECT status FROM case_file WHERE id = ?1")?
        .query_row([case_id], |r| code(r, 0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))
}

/// Moves a case along its lifecycle (not to closed: use [`close`]).
pub fn set_status(c: &Connection, case_id: i64, to: CaseStatus) -> Result<()> {
    let from = status_of(c, case_id)?;
    if from == to {
        return Ok(());
    }
    if to == CaseStatus::Closed {
        return Err(StoreError::Invalid(
            "closing a case needs a reason: use close".into(),
        ));
    }
    from.check_move(to)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    c.prepare_cached(
        "UPDATE case_file SET status = ?2, closed_on = NULL, closing_reason = NULL WHERE id = ?1",
    )?
    .execute(params![case_id, to.code()])?;
    Ok(())
}

pub fn close(c: &Connection, case_id: i64, on: NaiveDate, reason: ClosingReason) -> Result<()> {
    status_of(c, case_id)?
        .check_move(CaseStatus::Closed)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    c.prepare_cached(
        "UPDATE case_file SET status = 'closed', closed_on = ?2, closing_reason = ?3 WHERE id = ?1",
    )?
    .execute(params![case_id, on, reason.code()])?;
    Ok(())
}

/// Records a police report made under the mandatory-reporting rule.
pub fn add_police_report(c: &Connection, case_id: i64, report: &PoliceReport) -> Result<i64> {
    let unit = sanitize_line(&report.unit);
    let receipt = sanitize_line(&report.receipt);
    if unit.is_empty() || receipt.is_empty() {
        return Err(StoreError::Invalid(
            "a police report needs the receiving unit (接报单位) and the receipt number (回执编号)"
                .into(),
        ));
    }
    c.prepare_cached(
        "INSERT INTO police_report (case_id, reported_at, unit, receipt) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![case_id, report.reported_at, unit, receipt])?;
    Ok(c.last_insert_rowid())
}

/// The police reports of a case, newest first, with their ids.
pub fn police_reports(c: &Connection, case_id: i64) -> Result<Vec<(i64, PoliceReport)>> {
    let mut st = c.prepare_cached(
        "SELECT id, reported_at, unit, receipt FROM police_report WHERE case_id = ?1
         ORDER BY reported_at DESC, id DESC",
    )?;
    let rows = st.query_map([case_id], |r| {
        Ok((
            r.get(0)?,
            PoliceReport {
                reported_at: r.get::<_, NaiveDateTime>(1)?,
                unit: r.get(2)?,
                receipt: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An open request to bring a case back before the panel (临时复评).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub id: i64,
    pub case_id: i64,
    pub raised_on: NaiveDate,
    pub reason: String,
    pub report_id: Option<i64>,
}

/// Raises an ad-hoc re-review. An active case goes back to awaiting the panel.
pub fn raise_review(
    c: &Connection,
    case_id: i64,
    on: NaiveDate,
    reason: &str,
    report_id: Option<i64>,
) -> Result<i64> {
    let reason = sanitize(reason);
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an ad-hoc re-review needs a reason (临时复评理由)".into(),
        ));
    }
    c.prepare_cached(
        "INSERT INTO review_request (case_id, raised_on, reason, report_id) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![case_id, on, reason, report_id])?;
    let id = c.last_insert_rowid();
    if status_of(c, case_id)? == CaseStatus::Active {
        set_status(c, case_id, CaseStatus::AwaitingPanel)?;
    }
    Ok(id)
}

pub fn open_review_requests(c: &Connection, case_id: i64) -> Result<Vec<ReviewRequest>> {
    let mut st = c.prepare_cached(
        "SELECT id, case_id, raised_on, reason, report_id FROM review_request
         WHERE case_id = ?1 AND resolved_by IS NULL ORDER BY raised_on, id",
    )?;
    let rows = st.query_map([case_id], |r| {
        Ok(ReviewRequest {
            id: r.get(0)?,
            case_id: r.get(1)?,
            raised_on: r.get(2)?,
            reason: r.get(3)?,
            report_id: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
