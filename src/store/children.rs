//! Children and their guardians.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError, code};
use crate::domain::child::{Child, name_initials};
use crate::domain::guardian::Guardian;
use crate::domain::id_number::IdNumber;
use crate::text::sanitize_line;

const COLUMNS: &str = "id, name, sex, birth_date, id_number, household_registration, address, \
                       phone, school, region";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Child> {
    let id_number: Option<String> = r.get(4)?;
    Ok(Child {
        id: r.get(0)?,
        name: r.get(1)?,
        sex: code(r, 2)?,
        birth_date: r.get(3)?,
        // A number that no longer parses is shown as absent rather than failing the read.
        id_number: id_number.and_then(|s| IdNumber::parse(&s).ok()),
        household_registration: r.get(5)?,
        address: r.get(6)?,
        phone: r.get(7)?,
        school: r.get(8)?,
        region: r.get(9)?,
    })
}

fn clean(child: &Child) -> Child {
    Child {
        name: sanitize_line(&child.name),
        household_registration: sanitize_line(&child.household_registration),
        address: sanitize_line(&child.address),
        phone: child
            .phone
            .as_deref()
            .map(sanitize_line)
            .filter(|s| !s.is_empty()),
        school: child
            .school
            .as_deref()
            .map(sanitize_line)
            .filter(|s| !s.is_empty()),
        ..child.clone()
    }
}

/// Adds a child (its `id` is ignored) and returns the new id.
pub fn insert(c: &Connection, child: &Child, today: chrono::NaiveDate) -> Result<i64> {
    let child = clean(child);
    child
        .validate(today)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO child (name, initials, sex, birth_date, id_number, household_registration,
                            address, phone, school, region)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        child.name,
        name_initials(&child.name),
        child.sex.code(),
        child.birth_date,
        child.id_number.as_ref().map(|i| i.as_str()),
        child.household_registration,
        child.address,
        child.phone,
        child.school,
        child.region,
    ])?;
    Ok(c.last_insert_rowid())
}

pub fn update(c: &Connection, child: &Child, today: chrono::NaiveDate) -> Result<()> {
    let child = clean(child);
    child
        .validate(today)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let n = c
        .prepare_cached(
            "UPDATE child SET name = ?2, initials = ?3, sex = ?4, birth_date = ?5, id_number = ?6,
                household_registration = ?7, address = ?8, phone = ?9, school = ?10, region = ?11
             WHERE id = ?1",
        )?
        .execute(params![
            child.id,
            child.name,
            name_initials(&child.name),
            child.sex.code(),
            child.birth_date,
            child.id_number.as_ref().map(|i| i.as_str()),
            child.household_registration,
            child.address,
            child.phone,
            child.school,
            child.region,
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("child {}", child.id)));
    }
    // The queue reads the 18th birthday from the child's cases, and the queue, the
    // statistics and their tallies read the region from them: a case belongs to the
    // region where the child lives now, so a move moves the child's cases (their
    // tallies follow by trigger).
    c.prepare_cached(
        "UPDATE case_file SET adult_on = ?2, region = ?3
         WHERE child_id = ?1 AND (adult_on IS NOT ?2 OR region IS NOT ?3)",
    )?
    .execute(params![
        child.id,
        crate::domain::child::adult_on(child.birth_date),
        child.region,
    ])?;
    Ok(())
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Child>> {
    Ok(
        c.prepare_cached(&format!("SELECT {COLUMNS} FROM child WHERE id = ?1"))?
            .query_row([id], from_row)
            .optional()?,
    )
}

pub fn find_by_id_number(c: &Connection, id_number: &str) -> Result<Option<Child>> {
    Ok(
        c.prepare_cached(&format!("SELECT {COLUMNS} FROM child WHERE id_number = ?1"))?
            .query_row([id_number], from_row)
            .optional()?,
    )
}

/// Replaces the child's guardians with `guardians`, in order.
pub fn set_guardians(c: &Connection, child_id: i64, guardians: &[Guardian]) -> Result<()> {
    c.prepare_cached("DELETE FROM guardian WHERE child_id = ?1")?
        .execute([child_id])?;
    let mut st = c.prepare_cached(
        "INSERT INTO guardian (child_id, position, name, relation, status, phone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, g) in guardians.iter().enumerate() {
        st.execute(params![
            child_id,
            i as i64,
            sanitize_line(&g.name),
            g.relation.code(),
            g.status.code(),
            g.phone.as_deref().map(sanitize_line),
        ])?;
    }
    Ok(())
}

pub fn guardians(c: &Connection, child_id: i64) -> Result<Vec<Guardian>> {
    let mut st = c.prepare_cached(
        "SELECT name, relation, status, phone FROM guardian WHERE child_id = ?1 ORDER BY position",
    )?;
    let rows = st.query_map([child_id], |r| {
        Ok(Guardian {
            name: r.get(0)?,
            relation: code(r, 1)?,
            status: code(r, 2)?,
            phone: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
