//! The region tree.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError, code};
use crate::domain::region::{Region, RegionLevel};

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Region> {
    Ok(Region {
        code: r.get(0)?,
        name: r.get(1)?,
        level: code(r, 2)?,
        parent: r.get(3)?,
    })
}

/// Adds a region, or renames it when the code exists. The region must fit the tree.
pub fn upsert(c: &Connection, region: &Region) -> Result<()> {
    region
        .validate()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO region (code, name, level, parent) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(code) DO UPDATE SET name = excluded.name",
    )?
    .execute(params![
        region.code,
        crate::text::sanitize_line(&region.name),
        region.level.code(),
        region.parent
    ])?;
    Ok(())
}

pub fn get(c: &Connection, code_: &str) -> Result<Option<Region>> {
    Ok(
        c.prepare_cached("SELECT code, name, level, parent FROM region WHERE code = ?1")?
            .query_row([code_], from_row)
            .optional()?,
    )
}

/// The region and its ancestors, from the city down.
pub fn path(c: &Connection, code_: &str) -> Result<Vec<Region>> {
    let mut out = Vec::new();
    let mut next = Some(code_.to_string());
    while let Some(code_) = next {
        match get(c, &code_)? {
            Some(r) => {
                next = r.parent.clone();
                out.push(r);
            }
            None => break,
        }
    }
    out.reverse();
    Ok(out)
}

/// `沈阳市 新民市 兴隆镇` — the names along the path, joined by a space.
pub fn path_name(c: &Connection, code_: &str) -> Result<String> {
    Ok(path(c, code_)?
        .into_iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(" "))
}

pub fn children_of(c: &Connection, parent: Option<&str>) -> Result<Vec<Region>> {
    let mut st = c.prepare_cached(
        "SELECT code, name, level, parent FROM region WHERE parent IS ?1 ORDER BY code",
    )?;
    let rows = st.query_map([parent], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn all_of_level(c: &Connection, level: RegionLevel) -> Result<Vec<Region>> {
    let mut st = c.prepare_cached(
        "SELECT code, name, level, parent FROM region WHERE level = ?1 ORDER BY code",
    )?;
    let rows = st.query_map([level.code()], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finds a region by name under a parent (import matches names, not codes).
pub fn find_by_name(c: &Connection, parent: Option<&str>, name: &str) -> Result<Option<Region>> {
    Ok(c.prepare_cached(
        "SELECT code, name, level, parent FROM region WHERE parent IS ?1 AND name = ?2",
    )?
    .query_row(params![parent, name], from_row)
    .optional()?)
}
