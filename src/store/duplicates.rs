//! Possible duplicates (migration 9): pairs of children the screening import flagged as
//! maybe one child, and what a person decided about each. Deciding records a finding; it
//! never merges or changes a child.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, Row, params};

use super::{Result, StoreError, code};
use crate::domain::child::Sex;
use crate::domain::duplicate::{DuplicateStatus, DuplicateWhy};

/// One pair to record: `child_id` was just added, `other_id` is the child it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub child_id: i64,
    pub other_id: i64,
    pub why: DuplicateWhy,
    /// The row of the sheet a person sees (1-based).
    pub sheet_row: u32,
}

/// Records flags from one file (`source`: its SHA-256). A pair already flagged, in either
/// order, is left as it is (with whatever was decided about it). Returns how many are new.
pub fn flag(c: &Connection, source: &str, on: NaiveDate, flags: &[Flag]) -> Result<usize> {
    let mut insert = c.prepare_cached(
        "INSERT INTO possible_duplicate (child_id, other_id, why, source, sheet_row, flagged_on)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
         WHERE NOT EXISTS (SELECT 1 FROM possible_duplicate
                           WHERE (child_id, other_id) IN (VALUES (?1, ?2), (?2, ?1)))",
    )?;
    let mut n = 0;
    for f in flags {
        n += insert.execute(params![
            f.child_id,
            f.other_id,
            f.why.code(),
            source,
            f.sheet_row,
            on
        ])?;
    }
    Ok(n)
}

/// A child as the comparison shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub child_id: i64,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub id_number: Option<String>,
    pub region: String,
    pub address: String,
    /// The child's newest case, if any.
    pub case_id: Option<i64>,
}

/// A flagged pair with what was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossibleDuplicate {
    pub id: i64,
    /// The child the import added.
    pub child: Side,
    /// The child it may be.
    pub other: Side,
    pub why: DuplicateWhy,
    pub source: String,
    pub sheet_row: u32,
    pub flagged_on: NaiveDate,
    pub status: DuplicateStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub note: Option<String>,
}

const SIDE: &str = "c.id, c.name, c.sex, c.birth_date, c.id_number, c.region, c.address,
    (SELECT max(k.id) FROM case_file k WHERE k.child_id = c.id)";

fn side(r: &Row<'_>, at: usize) -> rusqlite::Result<Side> {
    Ok(Side {
        child_id: r.get(at)?,
        name: r.get(at + 1)?,
        sex: code(r, at + 2)?,
        birth_date: r.get(at + 3)?,
        id_number: r.get(at + 4)?,
        region: r.get(at + 5)?,
        address: r.get(at + 6)?,
        case_id: r.get(at + 7)?,
    })
}

/// The pairs, oldest first: only the open ones, or (`all`) every one.
pub fn list(c: &Connection, all: bool, limit: usize) -> Result<Vec<PossibleDuplicate>> {
    let sql = format!(
        "SELECT d.id, d.why, d.source, d.sheet_row, d.flagged_on, d.status, d.decided_by,
                d.decided_at, d.note,
                {side_a}, {side_b}
         FROM possible_duplicate d
         JOIN child c ON c.id = d.child_id
         JOIN child o ON o.id = d.other_id
         WHERE ?1 OR d.status = 'open'
         ORDER BY d.id
         LIMIT ?2",
        side_a = SIDE,
        side_b = SIDE.replace("c.", "o."),
    );
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params![all, limit as i64], |r| {
        Ok(PossibleDuplicate {
            id: r.get(0)?,
            why: code(r, 1)?,
            source: r.get(2)?,
            sheet_row: r.get(3)?,
            flagged_on: r.get(4)?,
            status: code(r, 5)?,
            decided_by: r.get(6)?,
            decided_at: r.get(7)?,
            note: r.get(8)?,
            child: side(r, 9)?,
            other: side(r, 17)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many pairs wait for a person.
pub fn count_open(c: &Connection) -> Result<usize> {
    let n: i64 = c
        .prepare_cached("SELECT count(*) FROM possible_duplicate WHERE status = 'open'")?
        .query_row([], |r| r.get(0))?;
    Ok(n as usize)
}

/// Records what a person found about pair `id` (the operator is the audit trail's). A
/// decision can be changed later, by the same call; the audit trail keeps each one.
/// Deciding `Open` is refused: a finding is undone by deciding again.
pub fn decide(
    c: &Connection,
    id: i64,
    status: DuplicateStatus,
    note: &str,
    at: NaiveDateTime,
) -> Result<()> {
    if status == DuplicateStatus::Open {
        return Err(StoreError::Invalid(
            "a possible duplicate is decided as `same` or `different`".into(),
        ));
    }
    let note = crate::text::sanitize(note).trim().to_string();
    let n = c
        .prepare_cached(
            "UPDATE possible_duplicate
             SET status = ?2, decided_by = casepanel_operator(), decided_at = ?3, note = ?4
             WHERE id = ?1",
        )?
        .execute(params![
            id,
            status.code(),
            at,
            (!note.is_empty()).then_some(note)
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("possible duplicate {id}")));
    }
    Ok(())
}
