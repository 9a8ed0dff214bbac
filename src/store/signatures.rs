//! Signed decision records: per sealed decision, the exact canonical record bytes that
//! were signed, the minisign signature text, the signer and the time. Rows are written
//! once; triggers refuse UPDATE and DELETE, and refuse a signature on a draft.
//! `crate::export::sign` builds and signs the records; this module only stores them.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError};

/// One stored signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSignature {
    pub decision_id: i64,
    pub record_id: String,
    /// The canonical record bytes, exactly as signed.
    pub record: Vec<u8>,
    pub record_sha256: String,
    /// The `.minisig` file's text.
    pub minisig: String,
    pub key_id: String,
    pub signer: String,
    pub signed_at: NaiveDateTime,
}

const COLUMNS: &str =
    "decision_id, record_id, record, record_sha256, minisig, key_id, signer, signed_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredSignature> {
    Ok(StoredSignature {
        decision_id: r.get(0)?,
        record_id: r.get(1)?,
        record: r.get(2)?,
        record_sha256: r.get(3)?,
        minisig: r.get(4)?,
        key_id: r.get(5)?,
        signer: r.get(6)?,
        signed_at: r.get(7)?,
    })
}

/// Stores a signature. Fails if the decision is not sealed or is already signed.
pub fn insert(c: &Connection, s: &StoredSignature) -> Result<()> {
    if is_signed(c, s.decision_id)? {
        return Err(StoreError::Invalid(format!(
            "decision {} is already signed; a signature is never replaced",
            s.decision_id
        )));
    }
    c.prepare_cached(&format!(
        "INSERT INTO decision_signature ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?
    .execute(params![
        s.decision_id,
        s.record_id,
        s.record,
        s.record_sha256,
        s.minisig,
        s.key_id,
        s.signer,
        s.signed_at
    ])?;
    Ok(())
}

pub fn get(c: &Connection, decision_id: i64) -> Result<Option<StoredSignature>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM decision_signature WHERE decision_id = ?1"
    ))?
    .query_row([decision_id], from_row)
    .optional()?)
}

/// A decision's id, status code (None: no such decision) and stored signature (None: not
/// signed).
pub type ForExport = (i64, Option<String>, Option<StoredSignature>);

/// What an export needs of each of `decision_ids`, in that order, read in one statement:
/// the decision's status code (None: no such decision) and its stored signature (None:
/// not signed).
pub fn for_export(c: &Connection, decision_ids: &[i64]) -> Result<Vec<ForExport>> {
    let ids =
        serde_json::to_string(decision_ids).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut st = c.prepare_cached(
        "SELECT j.value, d.status, s.decision_id, s.record_id, s.record, s.record_sha256,
                s.minisig, s.key_id, s.signer, s.signed_at
         FROM json_each(?1) j
         LEFT JOIN decision d ON d.id = j.value
         LEFT JOIN decision_signature s ON s.decision_id = j.value
         ORDER BY j.key",
    )?;
    let rows = st.query_map([ids], |r| {
        let signature = match r.get::<_, Option<i64>>(2)? {
            Some(decision_id) => Some(StoredSignature {
                decision_id,
                record_id: r.get(3)?,
                record: r.get(4)?,
                record_sha256: r.get(5)?,
                minisig: r.get(6)?,
                key_id: r.get(7)?,
                signer: r.get(8)?,
                signed_at: r.get(9)?,
            }),
            None => None,
        };
        Ok((r.get(0)?, r.get(1)?, signature))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a decision is signed.
pub fn is_signed(c: &Connection, decision_id: i64) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM decision_signature WHERE decision_id = ?1")?
            .query_row([decision_id], |_| Ok(()))
            .optional()?
            .is_some(),
    )
}

/// Sealed decisions of panel sessions (not those taken over from paper records) that have
/// no signature yet, oldest first.
pub fn unsigned_sealed(c: &Connection) -> Result<Vec<i64>> {
    let mut st = c.prepare_cached(
        "SELECT d.id FROM decision d
         WHERE d.status = 'sealed' AND d.imported = 0
           AND NOT EXISTS (SELECT 1 FROM decision_signature s WHERE s.decision_id = d.id)
         ORDER BY d.id",
    )?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sealed panel decisions (not taken over from paper) decided from `from` to `to`, both
/// included, in id order; `.1` is whether each is signed.
pub fn sealed_between(
    c: &Connection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<(i64, bool)>> {
    let mut st = c.prepare_cached(
        "SELECT d.id, EXISTS (SELECT 1 FROM decision_signature s WHERE s.decision_id = d.id)
         FROM decision d
         WHERE d.decided_on BETWEEN ?1 AND ?2 AND d.status = 'sealed' AND d.imported = 0
         ORDER BY d.id",
    )?;
    let rows = st.query_map(rusqlite::params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// For each of `decision_ids`, in that order, read in one statement: None when there is no
/// such decision, else whether it is signed and whether it was taken over from paper
/// records (what [`is_signed`] and [`is_imported`] say of one).
pub fn signing_state(c: &Connection, decision_ids: &[i64]) -> Result<Vec<Option<(bool, bool)>>> {
    let ids =
        serde_json::to_string(decision_ids).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut st = c.prepare_cached(
        "SELECT d.id IS NOT NULL,
                EXISTS (SELECT 1 FROM decision_signature s WHERE s.decision_id = j.value),
                d.imported
         FROM json_each(?1) j
         LEFT JOIN decision d ON d.id = j.value
         ORDER BY j.key",
    )?;
    let rows = st.query_map([ids], |r| {
        Ok(if r.get::<_, bool>(0)? {
            Some((r.get(1)?, r.get(2)?))
        } else {
            None
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a decision was taken over from paper records (such a decision has no panel
/// session and is not signed as a panel record).
pub fn is_imported(c: &Connection, decision_id: i64) -> Result<bool> {
    let v: Option<bool> = c
        .prepare_cached("SELECT imported FROM decision WHERE id = ?1")?
        .query_row([decision_id], |r| r.get(0))
        .optional()?;
    v.ok_or_else(|| StoreError::NotFound(format!("decision {decision_id}")))
}

/// How many decisions are signed.
pub fn count(c: &Connection) -> Result<usize> {
    let n: i64 = c.query_row("SELECT count(*) FROM decision_signature", [], |r| r.get(0))?;
    Ok(n as usize)
}
