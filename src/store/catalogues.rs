//! Criteria catalogues, each text stored once per SHA-256.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::criteria::{Catalogue, load_str};

/// Stores the catalogue's text if this hash is new.
pub fn remember(c: &Connection, cat: &Catalogue, now: chrono::NaiveDateTime) -> Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO catalogue (sha256, id, version, source, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![cat.sha256, cat.id, cat.version, cat.source, now])?;
    Ok(())
}

/// The catalogue an assessment was scored on, re-loaded from the text kept in the database.
pub fn by_hash(c: &Connection, sha256: &str) -> Result<Option<Catalogue>> {
    let row: Option<(String, String)> = c
        .prepare_cached("SELECT source, id FROM catalogue WHERE sha256 = ?1")?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(None),
        Some((source, id)) => load_str(&source, &format!("{id} ({sha256})"))
            .map(Some)
            .map_err(|e| super::StoreError::Invalid(e.to_string())),
    }
}
