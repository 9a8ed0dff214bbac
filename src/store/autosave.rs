//! Drafts of text being typed, kept until it is saved for real or discarded (see
//! `migrations/006_autosave.sql`). A place names where the text was typed; the TUI makes
//! and reads the names ([`crate::tui::autosave`]).

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError};

/// One autosaved draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub place: String,
    pub fields: Vec<String>,
    pub saved_at: NaiveDateTime,
}

fn decode(place: String, fields: String, saved_at: NaiveDateTime) -> rusqlite::Result<Draft> {
    let fields: Vec<String> = serde_json::from_str(&fields).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Draft {
        place,
        fields,
        saved_at,
    })
}

/// Saves (or replaces) the draft of `place`.
pub fn put(c: &Connection, place: &str, fields: &[String], now: NaiveDateTime) -> Result<()> {
    let clean: Vec<String> = fields.iter().map(|f| crate::text::sanitize(f)).collect();
    let json = serde_json::to_string(&clean).map_err(|e| StoreError::Invalid(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO autosave (place, fields, saved_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(place) DO UPDATE SET fields = excluded.fields, saved_at = excluded.saved_at",
    )?
    .execute(params![place, json, now])?;
    Ok(())
}

pub fn get(c: &Connection, place: &str) -> Result<Option<Draft>> {
    Ok(
        c.prepare_cached("SELECT place, fields, saved_at FROM autosave WHERE place = ?1")?
            .query_row([place], |r| decode(r.get(0)?, r.get(1)?, r.get(2)?))
            .optional()?,
    )
}

/// Forgets the draft of `place` (saved for real, or discarded).
pub fn remove(c: &Connection, place: &str) -> Result<()> {
    c.prepare_cached("DELETE FROM autosave WHERE place = ?1")?
        .execute([place])?;
    Ok(())
}

/// Every draft left, newest first.
pub fn all(c: &Connection) -> Result<Vec<Draft>> {
    let mut st =
        c.prepare_cached("SELECT place, fields, saved_at FROM autosave ORDER BY saved_at DESC")?;
    let rows = st.query_map([], |r| decode(r.get(0)?, r.get(1)?, r.get(2)?))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn put_replace_get_remove() {
        let mut s = Store::open_in_memory().unwrap();
        let t = |h| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        s.write(|tx| put(tx, "visit:new:1", &["a".into(), "笔记\x1b[2J".into()], t(9)))
            .unwrap();
        s.write(|tx| put(tx, "visit:new:1", &["a".into(), "笔记二".into()], t(10)))
            .unwrap();
        s.write(|tx| put(tx, "session:1:case:1:dissent", &["x".into()], t(8)))
            .unwrap();
        let d = get(s.conn(), "visit:new:1").unwrap().unwrap();
        assert_eq!(d.fields, vec!["a".to_string(), "笔记二".to_string()]);
        assert_eq!(d.saved_at, t(10));
        let places: Vec<_> = all(s.conn())
            .unwrap()
            .into_iter()
            .map(|d| d.place)
            .collect();
        assert_eq!(places, ["visit:new:1", "session:1:case:1:dissent"]);
        s.write(|tx| remove(tx, "visit:new:1")).unwrap();
        assert!(get(s.conn(), "visit:new:1").unwrap().is_none());
    }
}
