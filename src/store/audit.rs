//! The audit trail: every change to the data, appended to the `audit` table by triggers,
//! each row chained to the one before by SHA-256. See `migrations/005_audit.sql` for the
//! table and ARCHITECTURE.md for why triggers (and not `Store::write`) write it.
//!
//! - [`register`] installs, on every connection casepanel opens, the SQL functions the
//!   triggers call: `casepanel_operator()`, `casepanel_operator_source()` (who is working),
//!   `casepanel_audit_hash(...)` (the chain) and `casepanel_blob_image(...)` (a BLOB's
//!   image). All are `SQLITE_INNOCUOUS`, as triggers may only call such functions under
//!   `trusted_schema=OFF`; the last two are also `SQLITE_DETERMINISTIC`.
//! - [`sync_triggers`] creates the per-table triggers from the live schema: one `AFTER
//!   INSERT`, `AFTER UPDATE` and `AFTER DELETE` trigger on every table, each writing the
//!   row's primary key and the whole row as JSON. A BLOB column's value is not copied:
//!   its image is `{"sha256": "<hex>", "bytes": <length>}` ([`blob_image`]), written by
//!   `casepanel_blob_image(...)`. The bytes are in their table; the chain binds their
//!   hash. Rows that earlier builds wrote hold the bytes as upper-case hex text (they
//!   still verify: the chain hashes the images as written); [`blob_image_matches`] reads
//!   both.
//! - [`verify_chain`] recomputes every hash and reports the first broken link.
//!
//! # The hash of a row
//!
//! `hash` = lower-case hex of SHA-256 over ten fields, in this order:
//!
//! 1. the previous row's `hash` (NULL for the first row), 2. `id`, 3. `at`, 4. `operator`,
//! 5. `operator_source`, 6. `tbl`, 7. `row_key`, 8. `action`, 9. `row_before`,
//! 10. `row_after`;
//!
//! each field encoded as one byte `0x00` when NULL, else one byte `0x01`, its length in
//! bytes as a 4-byte big-endian integer, and its bytes: the UTF-8 text, or for an integer
//! (`id`) its decimal digits in ASCII (`-` first if negative).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::code_enum;

code_enum! {
    /// How the operator's name was given.
    pub enum OperatorSource: "operator_source" {
        /// `--operator NAME`
        Flag = "flag",
        /// `CASEPANEL_OPERATOR`
        Env = "env",
        /// `operator = "..."` in the config file
        Config = "config",
        /// typed in the form the program shows at start
        Prompt = "prompt",
        /// none given: the operating system's user name
        OsUser = "os_user",
    }
}

/// Longest operator name, in characters.
pub const OPERATOR_MAX_CHARS: usize = 60;

/// Who is making changes: recorded on every audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    pub source: OperatorSource,
}

/// What is wrong with an operator's name. The CLI and the TUI word it in the user's
/// language; `Display` is English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    #[error("the operator's name is empty: give the name of the person working")]
    Empty,
    #[error("the operator's name is longer than {max} characters; shorten it")]
    TooLong { max: usize },
}

impl Operator {
    /// A name as the audit trail stores it: one clean line, trimmed; an error says what is
    /// wrong with it (empty, too long).
    pub fn new(name: &str, source: OperatorSource) -> std::result::Result<Operator, OperatorError> {
        let name = crate::text::sanitize_line(name).trim().to_string();
        if name.is_empty() {
            return Err(OperatorError::Empty);
        }
        if name.chars().count() > OPERATOR_MAX_CHARS {
            return Err(OperatorError::TooLong {
                max: OPERATOR_MAX_CHARS,
            });
        }
        Ok(Operator { name, source })
    }

    /// The operating system's user name (`USER`, `LOGNAME` or `USERNAME`), recorded as such.
    pub fn os_user() -> Operator {
        let name = ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find_map(|n| Operator::new(&n, OperatorSource::OsUser).ok());
        name.unwrap_or(Operator {
            name: "unknown".into(),
            source: OperatorSource::OsUser,
        })
    }
}

/// The operator of a connection, shared with its SQL functions.
pub(crate) type SharedOperator = Arc<Mutex<Operator>>;

fn lock(op: &SharedOperator) -> std::sync::MutexGuard<'_, Operator> {
    op.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the functions the audit triggers call on `conn`.
pub(crate) fn register(conn: &Connection, op: &SharedOperator) -> rusqlite::Result<()> {
    let innocuous = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let a = Arc::clone(op);
    conn.create_scalar_function("casepanel_operator", 0, innocuous, move |_| {
        Ok(lock(&a).name.clone())
    })?;
    let b = Arc::clone(op);
    conn.create_scalar_function("casepanel_operator_source", 0, innocuous, move |_| {
        Ok(lock(&b).source.code())
    })?;
    conn.create_scalar_function(
        "casepanel_audit_hash",
        10,
        innocuous | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let mut h = Sha256::new();
            for i in 0..ctx.len() {
                feed(&mut h, ctx.get_raw(i));
            }
            Ok(hex::encode(h.finalize()))
        },
    )?;
    conn.create_scalar_function(
        "casepanel_blob_image",
        1,
        innocuous | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let mut digits = String::new();
            Ok(value_bytes(ctx.get_raw(0), &mut digits).map(|b| blob_image(b).to_string()))
        },
    )?;
    Ok(())
}

/// The audit image of a BLOB value: its SHA-256 (lower-case hex) and its length in bytes.
/// The trail binds the bytes without copying them (a signed record is ~13 KB; as hex in
/// every image it was 27 KB per signature, hashed again into the chain).
pub fn blob_image(bytes: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "sha256": hex::encode(Sha256::digest(bytes)),
        "bytes": bytes.len(),
    })
}

/// Whether a BLOB column's value in an audit image stands for `bytes`: the image written
/// now ([`blob_image`]: hash and length) or the one older rows hold (the bytes as hex).
pub fn blob_image_matches(image: &serde_json::Value, bytes: &[u8]) -> bool {
    match image {
        serde_json::Value::String(h) => hex::decode(h).is_ok_and(|b| b == bytes),
        serde_json::Value::Object(_) => *image == blob_image(bytes),
        _ => false,
    }
}

/// A value's bytes as the trail reads them: numbers as their decimal digits (written into
/// `digits`), text and BLOBs as they are; None for NULL.
fn value_bytes<'a>(v: ValueRef<'a>, digits: &'a mut String) -> Option<&'a [u8]> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => {
            *digits = i.to_string();
            Some(digits.as_bytes())
        }
        ValueRef::Real(f) => {
            *digits = f.to_string();
            Some(digits.as_bytes())
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(t),
    }
}

/// One field of the hash input (see the module documentation).
fn feed(h: &mut Sha256, v: ValueRef<'_>) {
    let mut digits = String::new();
    let Some(bytes) = value_bytes(v, &mut digits) else {
        h.update([0u8]);
        return;
    };
    h.update([1u8]);
    h.update((bytes.len() as u32).to_be_bytes());
    h.update(bytes);
}

/// The hash of an audit row: `fields` are the previous row's hash, then the row's columns
/// from `id` to `row_after`, in table order.
pub fn row_hash(fields: &[ValueRef<'_>; 10]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        feed(&mut h, *f);
    }
    hex::encode(h.finalize())
}

/// Name prefix of the per-table triggers.
const ROW_TRIGGER_PREFIX: &str = "audit_row_";

struct Column {
    name: String,
    blob: bool,
}

struct TableShape {
    name: String,
    columns: Vec<Column>,
    /// Primary key columns, in key order; empty: the rowid.
    key: Vec<String>,
}

fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The tables the trail does not follow: the audit table itself, the autosaved drafts
/// (text being typed, rewritten every two seconds; what is saved from it is audited where it
/// lands), the search's keys (`name_gram`, `case_key`: derived from `child` and `case_file`
/// by triggers; what they are derived from is audited) and the province's type totals
/// (`case_type_total`: sums of the audited `case_type_tally`) and migration 12's tallies
/// (`township_tally`, `township_due_tally`, `intervention_due_tally`: counts of the audited
/// cases and interventions, kept by triggers).
pub const UNAUDITED: &[&str] = &[
    "audit",
    "autosave",
    "name_gram",
    "case_key",
    "case_type_total",
    "township_tally",
    "township_due_tally",
    "intervention_due_tally",
];

/// Every table that holds data: all but SQLite's own and [`UNAUDITED`].
fn shapes(c: &Connection) -> super::Result<Vec<TableShape>> {
    let names: Vec<String> = c
        .prepare(&format!(
            "SELECT name FROM sqlite_schema WHERE type = 'table'
               AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT IN ({})
             ORDER BY name",
            UNAUDITED
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let mut st =
            c.prepare("SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let cols: Vec<(String, String, i64)> = st
            .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut key: Vec<(i64, String)> = cols
            .iter()
            .filter(|(_, _, pk)| *pk > 0)
            .map(|(n, _, pk)| (*pk, n.clone()))
            .collect();
        key.sort();
        out.push(TableShape {
            name,
            columns: cols
                .into_iter()
                .map(|(n, t, _)| Column {
                    name: n,
                    blob: t.contains("BLOB"),
                })
                .collect(),
            key: key.into_iter().map(|(_, n)| n).collect(),
        });
    }
    Ok(out)
}

fn row_json(t: &TableShape, row: &str) -> String {
    let parts: Vec<String> = t
        .columns
        .iter()
        .map(|col| {
            let v = format!("{row}.{}", ident(&col.name));
            let v = if col.blob {
                format!("json(casepanel_blob_image({v}))")
            } else {
                v
            };
            format!("{}, {v}", literal(&col.name))
        })
        .collect();
    format!("json_object({})", parts.join(", "))
}

fn row_key(t: &TableShape, row: &str) -> String {
    if t.key.is_empty() {
        return format!("json_array({row}.rowid)");
    }
    let parts: Vec<String> = t
        .key
        .iter()
        .map(|k| format!("{row}.{}", ident(k)))
        .collect();
    format!("json_array({})", parts.join(", "))
}

/// The triggers every data table should have: (trigger name, table, SQL).
fn expected_triggers(c: &Connection) -> super::Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for t in shapes(c)? {
        let tbl = literal(&t.name);
        let on = ident(&t.name);
        let append = "INSERT INTO audit_append (tbl, row_key, action, row_before, row_after)";
        let (new, old) = (row_json(&t, "NEW"), row_json(&t, "OLD"));
        let ins = format!(
            "CREATE TRIGGER {p}{n}_ins AFTER INSERT ON {on}\nBEGIN\n    {append}\n    VALUES ({tbl}, {k}, 'insert', NULL, {new});\nEND",
            p = ROW_TRIGGER_PREFIX,
            n = t.name,
            k = row_key(&t, "NEW"),
        );
        let upd = format!(
            "CREATE TRIGGER {p}{n}_upd AFTER UPDATE ON {on}\nWHEN {old} IS NOT {new}\nBEGIN\n    {append}\n    VALUES ({tbl}, {k}, 'update', {old}, {new});\nEND",
            p = ROW_TRIGGER_PREFIX,
            n = t.name,
            k = row_key(&t, "NEW"),
        );
        let del = format!(
            "CREATE TRIGGER {p}{n}_del AFTER DELETE ON {on}\nBEGIN\n    {append}\n    VALUES ({tbl}, {k}, 'delete', {old}, NULL);\nEND",
            p = ROW_TRIGGER_PREFIX,
            n = t.name,
            k = row_key(&t, "OLD"),
        );
        for (suffix, sql) in [("ins", ins), ("upd", upd), ("del", del)] {
            out.push((
                format!("{ROW_TRIGGER_PREFIX}{}_{suffix}", t.name),
                t.name.clone(),
                sql,
            ));
        }
    }
    Ok(out)
}

/// The per-table audit triggers as they are in the file: name → SQL.
fn existing_triggers(c: &Connection) -> super::Result<BTreeMap<String, String>> {
    let mut st = c.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'
           AND name LIKE 'audit\\_row\\_%' ESCAPE '\\'",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Brings the per-table audit triggers in line with the schema (call inside a
/// transaction): creates missing ones, replaces changed ones (a column was added), drops
/// those of removed tables. When anything changed, an audit row (`tbl` = `audit`, action
/// `triggers`) names the tables concerned. Returns them.
pub(crate) fn sync_triggers(c: &Connection) -> super::Result<Vec<String>> {
    let expected = expected_triggers(c)?;
    let mut existing = existing_triggers(c)?;
    let mut changed = BTreeSet::new();
    for (name, table, sql) in &expected {
        match existing.remove(name) {
            Some(have) if &have == sql => continue,
            Some(_) => c.execute_batch(&format!("DROP TRIGGER {}", ident(name)))?,
            None => {}
        }
        c.execute_batch(sql)?;
        changed.insert(table.clone());
    }
    for name in existing.keys() {
        c.execute_batch(&format!("DROP TRIGGER {}", ident(name)))?;
        changed.insert(name.clone());
    }
    let changed: Vec<String> = changed.into_iter().collect();
    if !changed.is_empty() {
        record_event(
            c,
            "audit",
            "triggers",
            &serde_json::json!({ "tables": changed }),
        )?;
    }
    Ok(changed)
}

/// What is wrong with one audit trigger. `casepanel check` words it in the user's
/// language; `Display` is English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerProblem {
    #[error("audit trigger {name} is missing: changes to table {table} would not be recorded")]
    Missing { name: String, table: String },
    #[error("audit trigger {name} of table {table} is not the one casepanel writes")]
    Changed { name: String, table: String },
    #[error("audit trigger {name} belongs to no table")]
    Stray { name: String },
    /// One of the triggers that keep the trail itself append-only.
    #[error("audit trigger {name} is missing: the audit trail is not protected")]
    Unprotected { name: String },
}

/// What is wrong with the per-table triggers, read-only: one problem per missing, changed
/// or unexpected trigger. Empty when every table is audited as this build expects.
pub fn trigger_problems(c: &Connection) -> super::Result<Vec<TriggerProblem>> {
    let mut existing = existing_triggers(c)?;
    let mut out = Vec::new();
    for (name, table, sql) in expected_triggers(c)? {
        match existing.remove(&name) {
            None => out.push(TriggerProblem::Missing { name, table }),
            Some(have) if have != sql => out.push(TriggerProblem::Changed { name, table }),
            Some(_) => {}
        }
    }
    for name in existing.into_keys() {
        out.push(TriggerProblem::Stray { name });
    }
    for name in [
        "audit_append_insert",
        "audit_no_update",
        "audit_no_delete",
        "audit_append_only",
    ] {
        let found: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if !found {
            out.push(TriggerProblem::Unprotected { name: name.into() });
        }
    }
    Ok(out)
}

/// The per-table triggers' SQL, to drop for a bulk load and create again afterwards.
pub(crate) fn row_triggers(c: &Connection) -> super::Result<Vec<(String, String)>> {
    Ok(existing_triggers(c)?.into_iter().collect())
}

/// Appends an event of the whole database (not of one row): `tbl` is `*` for data events
/// (a bulk load, a restore) or `audit` for the trail's own triggers.
pub fn record_event(
    c: &Connection,
    tbl: &str,
    action: &str,
    detail: &serde_json::Value,
) -> super::Result<()> {
    c.prepare_cached(
        "INSERT INTO audit_append (tbl, row_key, action, row_before, row_after)
         VALUES (?1, '[]', ?2, NULL, ?3)",
    )?
    .execute(params![tbl, action, detail.to_string()])?;
    Ok(())
}

/// The last row of the chain: its id and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub row_id: i64,
    pub hash: String,
}

/// The chain's last row, if there is one.
pub fn head(c: &Connection) -> super::Result<Option<Head>> {
    Ok(
        c.prepare_cached("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| {
                Ok(Head {
                    row_id: r.get(0)?,
                    hash: r.get(1)?,
                })
            })
            .optional()?,
    )
}

/// The row of the chain with this id, if any: its hash.
pub fn hash_of(c: &Connection, row_id: i64) -> super::Result<Option<String>> {
    Ok(c.prepare_cached("SELECT hash FROM audit WHERE id = ?1")?
        .query_row([row_id], |r| r.get(0))
        .optional()?)
}

/// The first link of the chain that does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub row_id: i64,
    pub problem: BrokenLink,
}

/// Why a link of the chain does not hold (at [`Broken::row_id`]). `casepanel check` words
/// it in the user's language; `Display` is English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    /// The first row is not row 1: rows 1 to `row - 1` were removed.
    #[error("the trail starts at row {row}: rows 1 to {} were removed", row - 1)]
    Start { row: i64 },
    /// Row `row` follows row `after`: the rows between were removed.
    #[error("row {row} follows row {after}: the rows between were removed")]
    Gap { row: i64, after: i64 },
    /// Row `row` does not hash to its `hash`.
    #[error("row {row} does not match its hash: the row (or the hash of row {}) was changed after it was written", row - 1)]
    Hash { row: i64 },
}

/// What [`verify_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows: u64,
    /// The last row read (up to the break, if any).
    pub head: Option<Head>,
    pub broken: Option<Broken>,
}

/// Whether the file has an audit table at all (a database from before the trail).
pub fn has_trail(c: &Connection) -> super::Result<bool> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit')",
        [],
        |r| r.get(0),
    )?)
}

/// Recomputes the hash of every row from its content and the previous row's hash; stops
/// at the first row whose link does not hold. Reads only.
pub fn verify_chain(c: &Connection) -> super::Result<ChainReport> {
    let mut st = c.prepare(
        "SELECT id, at, operator, operator_source, tbl, row_key, action, row_before, row_after, hash
         FROM audit ORDER BY id",
    )?;
    let mut rows = st.query([])?;
    let mut prev: Option<Head> = None;
    let mut count = 0u64;
    while let Some(r) = rows.next()? {
        let id: i64 = match r.get_ref(0)? {
            ValueRef::Integer(i) => i,
            _ => unreachable!("an INTEGER PRIMARY KEY is an integer"),
        };
        let expected_id = prev.as_ref().map_or(1, |p| p.row_id + 1);
        let broken = |problem: BrokenLink| {
            Ok(ChainReport {
                rows: count,
                head: prev.clone(),
                broken: Some(Broken {
                    row_id: id,
                    problem,
                }),
            })
        };
        if id != expected_id {
            return broken(match &prev {
                None => BrokenLink::Start { row: id },
                Some(p) => BrokenLink::Gap {
                    row: id,
                    after: p.row_id,
                },
            });
        }
        let stored = match r.get_ref(9)? {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            _ => String::new(),
        };
        let prev_hash = prev.as_ref().map(|p| p.hash.clone());
        let fields = [
            prev_hash
                .as_deref()
                .map_or(ValueRef::Null, |h| ValueRef::Text(h.as_bytes())),
            r.get_ref(0)?,
            r.get_ref(1)?,
            r.get_ref(2)?,
            r.get_ref(3)?,
            r.get_ref(4)?,
            r.get_ref(5)?,
            r.get_ref(6)?,
            r.get_ref(7)?,
            r.get_ref(8)?,
        ];
        if row_hash(&fields) != stored {
            return broken(BrokenLink::Hash { row: id });
        }
        count += 1;
        prev = Some(Head {
            row_id: id,
            hash: stored,
        });
    }
    Ok(ChainReport {
        rows: count,
        head: prev,
        broken: None,
    })
}

/// The audit rows of one table row, oldest first: (id, action, operator, source,
/// before, after). For tests and for showing a row's history.
pub fn history(c: &Connection, tbl: &str, row_key: &str) -> super::Result<Vec<Entry>> {
    let mut st = c.prepare_cached(
        "SELECT id, at, operator, operator_source, action, row_before, row_after FROM audit
         WHERE tbl = ?1 AND row_key = ?2 ORDER BY id",
    )?;
    let rows = st.query_map(params![tbl, row_key], |r| {
        Ok(Entry {
            id: r.get(0)?,
            at: r.get(1)?,
            operator: r.get(2)?,
            operator_source: r.get(3)?,
            tbl: tbl.to_string(),
            row_key: row_key.to_string(),
            action: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub operator: String,
    pub operator_source: String,
    pub tbl: String,
    pub row_key: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The last `n` audit rows, newest first.
pub fn latest(c: &Connection, n: usize) -> super::Result<Vec<Entry>> {
    let mut st = c.prepare_cached(
        "SELECT id, at, operator, operator_source, tbl, row_key, action, row_before, row_after
         FROM audit ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = st.query_map([n as i64], |r| {
        Ok(Entry {
            id: r.get(0)?,
            at: r.get(1)?,
            operator: r.get(2)?,
            operator_source: r.get(3)?,
            tbl: r.get(4)?,
            row_key: r.get(5)?,
            action: r.get(6)?,
            before: r.get(7)?,
            after: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counts of audit rows, for tests and summaries.
pub fn count(c: &Connection) -> super::Result<u64> {
    let n: i64 = c.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
    Ok(n as u64)
}
