//! Settings that belong to one database (the centre's name, the demo flag).

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

pub const CENTRE_NAME: &str = "centre_name";
pub const DEMO: &str = "demo";

pub fn get(c: &Connection, key: &str) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT value FROM setting WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?,
    )
}

pub fn set(c: &Connection, key: &str, value: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, crate::text::sanitize_line(value)])?;
    Ok(())
}
