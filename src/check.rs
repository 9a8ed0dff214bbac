//! `casepanel check`: is this database sound, and is its audit trail whole?
//!
//! 1. `PRAGMA integrity_check` and `foreign_key_check`;
//! 2. the audit trail's triggers are all in place (a change made while one was missing
//!    went unrecorded);
//! 3. the audit chain: every row's hash recomputed; the first broken link is named;
//! 4. every signed record stored in the database names the audit row that was the chain's
//!    head when it was signed, with its hash: that row must still be there with that hash.
//!    A rewrite of the whole chain (every hash recomputed) passes step 3 but not this one.
//! 5. every signed record's bytes still hash to the row's `record_sha256`, and to what the
//!    audit trail wrote when the row was inserted (its image carries the bytes' SHA-256 and
//!    length, or in rows of earlier builds the bytes as hex): a record changed in the
//!    table, with the triggers dropped, shows here even if its `record_sha256` was changed
//!    with it. (Its minisign signature would not hold either: `export` and `verify` check
//!    that with the public key, which `check` does not need.)
//!
//! Reads only: the database is opened read-only and never changed. `restore` runs the
//! same check on a backup before installing it.

use std::collections::BTreeMap;

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::export::record::DecisionRecord;
use crate::store::{self, StoreError, audit};

/// Which records a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// Stored in the database (`decision_signature`).
    Signed,
    /// Exported files (`check --records`).
    Exported,
}

impl std::fmt::Display for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Records::Signed => "signed record",
            Records::Exported => "exported record",
        })
    }
}

/// One problem the check found: what, and where. The CLI words it in the user's language;
/// `Display` is English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    Integrity(store::Integrity),
    #[error(
        "the database has no audit trail: it was made by an older casepanel. Open it once with this one to add it."
    )]
    NoTrail,
    #[error("{0}")]
    Trigger(audit::TriggerProblem),
    /// The record `id` cannot be parsed (`error`: the parser's words).
    #[error("{records} {id}: cannot be read: {error}")]
    Unreadable {
        records: Records,
        id: String,
        error: String,
    },
    /// The record names audit row `row` as the head when it was signed; that row is gone.
    #[error(
        "{records} {id} was signed when the audit trail ended at row {row}, which is gone: the trail was cut short or rewritten"
    )]
    HeadGone {
        records: Records,
        id: String,
        row: i64,
    },
    /// Audit row `row` had hash `signed` (its first 12 digits) at signing and now has `now`.
    #[error(
        "{records} {id} was signed when audit row {row} had hash {signed}…; it now has {now}…: the trail was rewritten"
    )]
    HeadRewritten {
        records: Records,
        id: String,
        row: i64,
        signed: String,
        now: String,
    },
    /// A stored record's bytes do not hash to its `record_sha256`.
    #[error(
        "signed record {id}: its bytes do not match its record_sha256: the stored record was changed after signing"
    )]
    BytesChanged { id: String },
    /// A stored record's bytes are not the ones its insert left in the audit trail.
    #[error(
        "signed record {id}: its bytes are not the ones the audit trail recorded when it was stored: the record was changed outside casepanel"
    )]
    BytesNotAudited { id: String },
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every problem but the broken link, most basic first.
    pub problems: Vec<Problem>,
    /// The first broken link of the audit chain, if any.
    pub broken: Option<audit::Broken>,
    /// Audit rows whose links hold (up to the break).
    pub audit_rows: u64,
    pub head: Option<audit::Head>,
    /// Signed records whose audit head was compared with the chain.
    pub records: usize,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.broken.is_none()
    }
}

/// Runs every check on `c` (see the module documentation).
pub fn check(c: &Connection) -> Result<Report, StoreError> {
    let mut problems: Vec<Problem> = store::integrity_problems(c)?
        .into_iter()
        .map(Problem::Integrity)
        .collect();
    if !audit::has_trail(c)? {
        problems.push(Problem::NoTrail);
        return Ok(Report {
            problems,
            broken: None,
            audit_rows: 0,
            head: None,
            records: 0,
        });
    }
    problems.extend(
        audit::trigger_problems(c)?
            .into_iter()
            .map(Problem::Trigger),
    );
    let chain = audit::verify_chain(c)?;
    let mut st =
        c.prepare("SELECT record_id, record FROM decision_signature ORDER BY decision_id")?;
    let stored: Vec<(String, Vec<u8>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let (records, found) = compare_heads(c, &stored, Records::Signed)?;
    problems.extend(found);
    problems.extend(record_bytes_problems(c)?);
    Ok(Report {
        problems,
        broken: chain.broken,
        audit_rows: chain.rows,
        head: chain.head,
        records,
    })
}

/// Step 5: each stored record's bytes against its `record_sha256` and against the image
/// of the row in the audit trail's insert (the last one, if the row was written more than
/// once), when the trail has one (a bulk-loaded row has none).
fn record_bytes_problems(c: &Connection) -> Result<Vec<Problem>, StoreError> {
    let mut images: BTreeMap<String, String> = BTreeMap::new();
    let mut st = c.prepare(
        "SELECT row_key, row_after FROM audit
         WHERE tbl = 'decision_signature' AND action = 'insert' ORDER BY id",
    )?;
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (key, image) = row?;
        images.insert(key, image);
    }
    let mut problems = Vec::new();
    let mut st = c.prepare(
        "SELECT json_array(decision_id), record_id, record, record_sha256
         FROM decision_signature ORDER BY decision_id",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let id: String = r.get(1)?;
        let bytes = match r.get_ref(2)? {
            rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
            _ => &[][..],
        };
        let sha: String = r.get(3)?;
        if hex::encode(Sha256::digest(bytes)) != sha {
            problems.push(Problem::BytesChanged { id: id.clone() });
        }
        let Some(image) = images.get(&key) else {
            continue;
        };
        let image: serde_json::Value = serde_json::from_str(image).unwrap_or_default();
        if !audit::blob_image_matches(&image["record"], bytes) {
            problems.push(Problem::BytesNotAudited { id });
        }
    }
    Ok(problems)
}

/// Compares the `audit_head` of each record (name, canonical bytes) with the chain in `c`.
/// Returns how many records named a head, and the problems. `what` says which records
/// they are (stored, exported).
pub fn compare_heads(
    c: &Connection,
    records: &[(String, Vec<u8>)],
    what: Records,
) -> Result<(usize, Vec<Problem>), StoreError> {
    let mut problems = Vec::new();
    let mut n = 0;
    for (id, bytes) in records {
        let rec = match DecisionRecord::parse(bytes) {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem::Unreadable {
                    records: what,
                    id: id.clone(),
                    error: e.to_string(),
                });
                continue;
            }
        };
        let Some(head) = rec.audit_head else {
            // Signed before the audit trail existed (schema version 1).
            continue;
        };
        n += 1;
        match audit::hash_of(c, head.row_id)? {
            None => problems.push(Problem::HeadGone {
                records: what,
                id: id.clone(),
                row: head.row_id,
            }),
            Some(h) if h != head.sha256 => problems.push(Problem::HeadRewritten {
                records: what,
                id: id.clone(),
                row: head.row_id,
                signed: short(&head.sha256).into(),
                now: short(&h).into(),
            }),
            Some(_) => {}
        }
    }
    Ok((n, problems))
}

/// The first 12 digits of a hash, as problems show it.
fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
