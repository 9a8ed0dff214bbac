//! The store: one SQLite file is the application's document. The only place that writes
//! SQL. Every write runs in one transaction; a sealed decision is durable when the call
//! returns (`synchronous=FULL`).
//!
//! One module per aggregate: regions, children (with guardians), cases, reports, visits,
//! panel (members, sessions, agenda, conflicts), decisions, catalogues; `queries` holds the
//! read-only views the screens and the CLI ask for; `bulk` the generator's fast loader.

use rusqlite::{Connection, OpenFlags, Transaction};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};

use crate::domain::codes::Code;

pub mod audit;
pub mod autosave;
pub mod backup;
pub mod batch;
pub mod bulk;
pub mod cases;
pub mod catalogues;
pub mod children;
pub mod decisions;
pub mod derived;
pub mod duplicates;
pub mod encryption;
pub mod intake;
pub mod panel;
pub mod queries;
pub mod queue;
pub mod regions;
pub mod reports;
pub mod settings;
pub mod signatures;
pub mod stats;

/// `application_id` of a casepanel database: "CPNL".
pub const APPLICATION_ID: i32 = 0x4350_4E4C;

/// A migration's Rust part: fills what plain SQL cannot.
type Hook = fn(&Transaction<'_>) -> rusqlite_migration::HookResult;

/// Every migration, in order, with its hook.
const MIGRATIONS: &[(&str, Option<Hook>)] = &[
    (include_str!("migrations/001_initial.sql"), None),
    (include_str!("migrations/002_signatures.sql"), None),
    (
        include_str!("migrations/003_queue_and_tallies.sql"),
        Some(fill_adult_on),
    ),
    (include_str!("migrations/004_amendments.sql"), None),
    (include_str!("migrations/005_audit.sql"), None),
    (include_str!("migrations/006_autosave.sql"), None),
    (include_str!("migrations/007_queue_speed.sql"), None),
    (
        include_str!("migrations/008_name_search.sql"),
        Some(fill_search),
    ),
    (include_str!("migrations/009_possible_duplicates.sql"), None),
    (
        include_str!("migrations/010_surname_initials.sql"),
        Some(fix_surname_initials),
    ),
    (include_str!("migrations/011_type_totals.sql"), None),
    (
        include_str!("migrations/012_township_tallies.sql"),
        Some(fill_township_tallies),
    ),
    (
        include_str!("migrations/013_unused_child_indexes.sql"),
        None,
    ),
    (
        include_str!("migrations/014_queue_indexes_of_their_status.sql"),
        None,
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

fn migrations() -> Migrations<'static> {
    Migrations::new(
        MIGRATIONS
            .iter()
            .map(|(sql, hook)| match hook {
                Some(h) => M::up_with_hook(sql, *h),
                None => M::up(sql),
            })
            .collect(),
    )
}

/// Version 10's hook: the initials of children whose surname reads differently as a
/// surname, written again with [`crate::domain::child::name_initials`].
fn fix_surname_initials(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    use crate::domain::child::{SURNAME_INITIALS, name_initials};
    let mut firsts: Vec<String> = SURNAME_INITIALS
        .iter()
        .filter_map(|(s, _)| s.chars().next().map(String::from))
        .collect();
    firsts.sort();
    firsts.dedup();
    let list = vec!["?"; firsts.len()].join(", ");
    let found: Vec<(i64, String, String)> = tx
        .prepare(&format!(
            "SELECT id, name, initials FROM child WHERE substr(name, 1, 1) IN ({list})"
        ))?
        .query_map(rusqlite::params_from_iter(&firsts), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = tx.prepare("UPDATE child SET initials = ?2 WHERE id = ?1")?;
    for (id, name, initials) in found {
        let now = name_initials(&name);
        if now != initials {
            update.execute(rusqlite::params![id, now])?;
        }
    }
    Ok(())
}

/// Version 12's hook: the township tallies and the interventions' deadlines by area for the
/// cases already there, as the import and the bulk loader fill them for their new cases.
fn fill_township_tallies(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    fill_derived(tx, &derived::TOWNSHIP)
}

fn fill_derived(tx: &Transaction<'_>, items: &[&str]) -> rusqlite_migration::HookResult {
    derived::fill_only(tx, derived::CaseRange::ALL, |what| items.contains(&what)).map_err(|e| {
        match e {
            StoreError::Sql(e) => rusqlite_migration::HookError::RusqliteError(e),
            e => rusqlite_migration::HookError::Hook(e.to_string()),
        }
    })?;
    Ok(())
}

/// Version 8's hook: the search tables for the cases already there, as the import and the
/// bulk loader fill them for their new cases ([`derived::fill_only`]).
fn fill_search(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    fill_derived(tx, &derived::SEARCH)
}

/// Version 3's hook: every existing case gets its child's 18th birthday, by the one rule
/// ([`crate::domain::child::adult_on`]).
fn fill_adult_on(tx: &Transaction<'_>) -> rusqlite_migration::HookResult {
    let rows: Vec<(i64, chrono::NaiveDate)> = tx
        .prepare("SELECT k.id, c.birth_date FROM case_file k JOIN child c ON c.id = k.child_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = tx.prepare("UPDATE case_file SET adult_on = ?2 WHERE id = ?1")?;
    for (id, birth) in rows {
        st.execute(rusqlite::params![id, crate::domain::child::adult_on(birth)])?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: not a casepanel database (it is not an SQLite file). Check the --db path.")]
    NotSqlite { path: PathBuf },
    #[error(
        "{path}: an SQLite database that does not belong to casepanel (application_id {found:#x}). Check the --db path; casepanel will not change it."
    )]
    ForeignDatabase { path: PathBuf, found: i32 },
    #[error(
        "{path}: made by a newer casepanel (schema version {found}; this one knows up to {known}). Update casepanel to open it."
    )]
    NewerSchema {
        path: PathBuf,
        found: usize,
        known: usize,
    },
    #[error(
        "{path}: this database is encrypted (or it is not a casepanel database). Give its passphrase: type it when asked, or set CASEPANEL_DB_PASSPHRASE, or pass --db-passphrase-file FILE."
    )]
    Encrypted { path: PathBuf },
    #[error(
        "{path}: wrong passphrase for this database (or it is not a casepanel database). Try again; nothing was changed."
    )]
    WrongPassphrase { path: PathBuf },
    #[error("{}: cannot create the database's folder: {source}", .dir.display())]
    NoFolder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: cannot read the database file: {source}", .path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot open the database: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A backup or a restore failed ([`backup::BackupError`]).
    #[error(transparent)]
    Backup(#[from] backup::BackupError),
    #[error("{0}")]
    Invalid(String),
    #[error("not found: {0}")]
    NotFound(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// `EXPLAIN QUERY PLAN` of `sql` with `args`, as an indented tree, one step a line.
pub fn explain_plan(c: &Connection, sql: &str, args: &[rusqlite::types::Value]) -> Result<String> {
    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let n = st.parameter_count();
    let rows: Vec<(i64, i64, String)> = st
        .query_map(rusqlite::params_from_iter(args.iter().take(n)), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut depth: Vec<(i64, usize)> = Vec::new();
    let mut out = String::new();
    for (id, parent, detail) in rows {
        let d = depth
            .iter()
            .find(|(i, _)| *i == parent)
            .map(|(_, d)| d + 1)
            .unwrap_or(0);
        depth.push((id, d));
        out.push_str(&"  ".repeat(d));
        out.push_str(&detail);
        out.push('\n');
    }
    Ok(out)
}

/// An open casepanel database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// Who is working: every audit row names them (see [`audit`]).
    operator: audit::SharedOperator,
}

impl Store {
    /// Opens (or creates) the unencrypted database at `path`. A file that is not a
    /// casepanel database, or one from a newer version, is refused before anything is
    /// written to it.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, None)
    }

    /// Whether the file at `path` looks like an encrypted database: not a plain SQLite
    /// header, and whole pages (a database file is always a multiple of its page size,
    /// 512 bytes at the least; a text or other file almost never is).
    pub fn is_encrypted(path: &Path) -> bool {
        use std::io::Read;
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if len == 0 || !len.is_multiple_of(512) {
            return false;
        }
        let mut head = [0u8; 16];
        match std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) {
            Ok(16) => &head != b"SQLite format 3\0",
            _ => false,
        }
    }

    /// [`Store::open`] with the passphrase of an encrypted database (SQLCipher: AES-256,
    /// every page, the WAL included). A new file opened with a passphrase is created
    /// encrypted. A plain database opens as before whatever the passphrase.
    pub fn open_with(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        let exists = path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        let encrypted = exists && Store::is_encrypted(path);
        let key = match (encrypted, passphrase) {
            (true, None) => {
                return Err(StoreError::Encrypted {
                    path: path.to_path_buf(),
                });
            }
            (true, Some(p)) => Some(p),
            (false, p) if !exists => p,
            (false, _) => None,
        };
        if exists {
            check_foreign(path, key)?;
        } else if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::NoFolder {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        lookaside(&conn);
        if let Some(k) = key {
            apply_key(&conn, k, path)?;
        }
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            operator: default_operator(),
        };
        store.configure(true)?;
        store.migrate()?;
        Ok(store)
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        lookaside(&conn);
        let mut store = Store {
            conn,
            path: None,
            operator: default_operator(),
        };
        store.configure(false)?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&mut self, file: bool) -> Result<()> {
        let c = &self.conn;
        if file {
            c.pragma_update(None, "journal_mode", "WAL")?;
        }
        // Every acknowledged write survives a power cut: FULL syncs the WAL on each commit.
        // Writes here are human-paced; the bulk generator relaxes this on its own new file.
        c.pragma_update(None, "synchronous", "FULL")?;
        c.pragma_update(None, "foreign_keys", "ON")?;
        c.pragma_update(None, "trusted_schema", "OFF")?;
        // A row replaced by INSERT OR REPLACE fires its DELETE triggers, so the audit trail
        // (and the refusals of migrations 001 and 002) see it.
        c.pragma_update(None, "recursive_triggers", "ON")?;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        audit::register(c, &self.operator)?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version as usize > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone().unwrap_or_default(),
                found: version as usize,
                known: SCHEMA_VERSION,
            });
        }
        let app_id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app_id == 0 {
            self.conn
                .pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        migrations().to_latest(&mut self.conn)?;
        // The per-table audit triggers follow the schema (see `audit`); they exist before
        // the first row is written.
        self.write(|tx| audit::sync_triggers(tx))?;
        // A new database starts with the province's cities and counties; townships and
        // villages are added as cases arrive.
        let regions: i64 = self
            .conn
            .query_row("SELECT count(*) FROM region", [], |r| r.get(0))?;
        if regions == 0 {
            let list = crate::assets::liaoning_regions();
            self.write(|tx| bulk::load_regions(tx, &list))?;
        }
        Ok(())
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Sets who is working from now on: every audit row written through this store names
    /// them. A new store starts with the operating system's user name.
    pub fn set_operator(&mut self, op: audit::Operator) {
        *self.operator.lock().unwrap_or_else(|e| e.into_inner()) = op;
    }

    /// Who the audit trail names for the next change.
    pub fn operator(&self) -> audit::Operator {
        self.operator
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Read access for the query modules.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one transaction: all of it is written, or none of it.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// [`Store::write`] with SQLite's foreign-key checks off, for a writer that has checked
    /// every reference of its rows itself (the screening import: its 500,000 rows would cost
    /// as many lookups of rows it knows are there). `PRAGMA foreign_keys` cannot change
    /// inside a transaction, so it is switched around this one and read back, and switched on
    /// again however `f` ends (an error, a panic). The import's tests run
    /// `PRAGMA foreign_key_check` after such writes.
    pub(crate) fn write_without_foreign_keys<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        /// Switches the checks on again when dropped: after the transaction has ended.
        struct On<'c>(&'c Connection);
        impl Drop for On<'_> {
            fn drop(&mut self) {
                // A failure leaves the checks off on this connection only; the write itself
                // has committed or rolled back already and must be reported as it ended.
                let _ = self.0.pragma_update(None, "foreign_keys", "ON");
            }
        }
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        // Declared before the transaction, so dropped after it.
        let _on = On(&self.conn);
        let off: i64 = self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        if off != 0 {
            return Err(StoreError::Invalid(
                "could not switch the foreign-key checks off (a transaction is open)".into(),
            ));
        }
        let tx = self.conn.unchecked_transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: the problems found (in English),
    /// none if sound.
    pub fn check_integrity(&self) -> Result<Vec<String>> {
        Ok(integrity_problems(&self.conn)?
            .iter()
            .map(ToString::to_string)
            .collect())
    }
}

fn default_operator() -> audit::SharedOperator {
    std::sync::Arc::new(std::sync::Mutex::new(audit::Operator::os_user()))
}

/// Gives the connection a bigger lookaside: SQLite's own allocator for the small, short-lived
/// allocations of one connection, without a lock. Every text bound to a statement is copied
/// into one; the default (a few dozen slots) is used up by the first rows of a statement of a
/// hundred, and the rest went to `malloc` (a fifth of the screening import's time, in a heap
/// fragmented by the page cache). 2,500 slots of 512 bytes (1.25 MB per connection, resident
/// from the start: SQLite links every slot), which SQLite splits into about 1,400 slots of
/// 512 bytes and 4,300 of 128. Called on a new connection, before its first statement: SQLite
/// refuses the change while lookaside memory is in use, and then the connection keeps the
/// default, only slower.
fn lookaside(c: &Connection) {
    const SLOT: i32 = 512;
    const SLOTS: i32 = 2_500;
    // SAFETY: the handle is this open connection's; the arguments are those
    // SQLITE_DBCONFIG_LOOKASIDE takes (void*, int, int), with a null buffer for SQLite to
    // allocate the slots itself.
    unsafe {
        rusqlite::ffi::sqlite3_db_config(
            c.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            SLOT,
            SLOTS,
        );
    }
}

/// A problem `PRAGMA integrity_check` or `foreign_key_check` found. `casepanel check` words
/// it in the user's language (SQLite's own lines stay as SQLite wrote them); `Display` is
/// English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Integrity {
    /// A line of `PRAGMA integrity_check`, in SQLite's words.
    #[error("{0}")]
    Sqlite(String),
    /// Row `row` of `table` points at a row of `parent` that is not there.
    #[error("foreign key: row {row} of table {table} points at a missing row of {parent}")]
    ForeignKey {
        table: String,
        row: i64,
        parent: String,
    },
}

/// `PRAGMA integrity_check` and `foreign_key_check` on any connection: the problems found.
pub fn integrity_problems(conn: &Connection) -> Result<Vec<Integrity>> {
    let mut problems = Vec::new();
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    for row in st.query_map([], |r| r.get::<_, String>(0))? {
        let row = row?;
        if row != "ok" {
            problems.push(Integrity::Sqlite(row));
        }
    }
    let mut st = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = st.query_map([], |r| {
        Ok(Integrity::ForeignKey {
            row: r.get::<_, Option<i64>>(1)?.unwrap_or_default(),
            table: r.get(0)?,
            parent: r.get(2)?,
        })
    })?;
    for row in rows {
        problems.push(row?);
    }
    Ok(problems)
}

/// A bare connection to an existing database file (read-only unless `write`), given its
/// passphrase when it has one: for the checks and copies that must not run migrations.
pub(crate) fn open_file(path: &Path, write: bool, key: Option<&str>) -> Result<Connection> {
    let mode = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    };
    let conn = Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(
        |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        },
    )?;
    if let Some(k) = key {
        apply_key(&conn, k, path)?;
    }
    Ok(conn)
}

/// Gives SQLCipher the passphrase (the first statement on a connection) and checks it by
/// reading the schema: a wrong one fails there, before anything is written.
pub(crate) fn apply_key(conn: &Connection, passphrase: &str, path: &Path) -> Result<()> {
    // SQLCipher (4.6 and later) writes its own errors to stderr ("hmac check failed…")
    // before a wrong passphrase comes back here: the user is told once, in their language.
    conn.execute_batch("PRAGMA cipher_log_level = NONE")?;
    conn.pragma_update(None, "key", passphrase)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|_| StoreError::WrongPassphrase {
        path: path.to_path_buf(),
    })?;
    Ok(())
}

/// Reads the header of an existing file, read-only, and refuses what is not ours. `key`:
/// the passphrase of an encrypted file.
pub(crate) fn check_foreign(path: &Path, key: Option<&str>) -> Result<()> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|source| StoreError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let n = f.read(&mut head).unwrap_or(0);
    if key.is_none() && (n < 16 || &head != b"SQLite format 3\0") {
        return Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    let conn = open_file(path, false, key)?;
    let read = |pragma: &str| -> Result<i64> {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .map_err(|_| StoreError::NotSqlite {
                path: path.to_path_buf(),
            })
    };
    let app_id = read("application_id")? as i32;
    let version = read("user_version")? as usize;
    if app_id != APPLICATION_ID {
        // An empty SQLite file with no tables is fine to take over; anything else is not.
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|_| StoreError::NotSqlite {
                path: path.to_path_buf(),
            })?;
        if app_id != 0 || tables > 0 {
            return Err(StoreError::ForeignDatabase {
                path: path.to_path_buf(),
                found: app_id,
            });
        }
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Reads a code column into its domain enum.
pub(crate) fn code<T: Code>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    T::from_code(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown {} `{s}`", T::KIND).into(),
        )
    })
}

pub(crate) fn opt_code<T: Code>(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(idx)?;
    match s {
        None => Ok(None),
        Some(s) => T::from_code(&s).map(Some).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                idx,
                rusqlite::types::Type::Text,
                format!("unknown {} `{s}`", T::KIND).into(),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Allocations refused by the connection's lookaside (full) since the last call.
    fn lookaside_misses(c: &Connection) -> i32 {
        let (mut now, mut most) = (0, 0);
        // SAFETY: an open connection's handle and two out-parameters; the last argument
        // resets the count.
        let rc = unsafe {
            rusqlite::ffi::sqlite3_db_status(
                c.handle(),
                rusqlite::ffi::SQLITE_DBSTATUS_LOOKASIDE_MISS_FULL,
                &mut now,
                &mut most,
                1,
            )
        };
        assert_eq!(rc, rusqlite::ffi::SQLITE_OK);
        most
    }

    /// A statement of a hundred rows of texts, bound as the import binds them.
    fn write_a_batch(c: &Connection) {
        c.execute_batch("CREATE TEMP TABLE t (a TEXT, b TEXT, c TEXT)")
            .unwrap();
        let texts: Vec<String> = (0..300).map(|i| format!("新民市第{i}镇{i}号")).collect();
        let mut rows = batch::Batch::new(c, "INSERT INTO t (a, b, c) VALUES ", 3);
        lookaside_misses(c);
        for r in texts.chunks(3) {
            rows.push([
                batch::borrowed(&r[0]).unwrap(),
                batch::borrowed(&r[1]).unwrap(),
                batch::borrowed(&r[2]).unwrap(),
            ])
            .unwrap();
        }
        rows.finish().unwrap();
    }

    #[test]
    fn a_batchs_bound_texts_fit_the_connections_lookaside() {
        let store = Store::open_in_memory().unwrap();
        write_a_batch(store.conn());
        assert_eq!(lookaside_misses(store.conn()), 0);
        // SQLite's default lookaside does not hold them: the setting is what makes it so.
        let plain = Connection::open_in_memory().unwrap();
        write_a_batch(&plain);
        assert!(lookaside_misses(&plain) > 100);
    }
}
