//! Backup and restore of the whole database file.
//!
//! [`backup`] copies through SQLite's online backup API: one step copies every page inside
//! one read transaction, so the copy is a consistent snapshot even while the TUI (another
//! process) keeps writing — in WAL mode readers and writers do not block each other. The
//! copy is written to a temporary file beside the target (owner-only permissions: it holds
//! case files), switched to a single-file journal mode, fsynced, and only then given its
//! name; an existing file is kept unless the caller forces.
//!
//! A restore is two steps, so that the caller can check what would be installed:
//! [`stage`] copies the backup file beside the database and returns the copy, which the
//! caller checks (integrity, audit chain: `crate::check`); [`install`] then swaps it in.
//! `install` refuses while any other connection has the database open: taking the
//! database out of WAL mode needs every other connection gone, and SQLite answers "busy"
//! otherwise — that is the lock it detects. The previous file is kept as
//! `<db>.before-restore-<timestamp>`.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::backup::{Backup, StepResult};

use super::{APPLICATION_ID, Result, StoreError, apply_key, check_foreign, open_file};

fn io(path: &Path, what: &str, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{}: {what}: {e}", path.display()))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A new, empty, owner-only temporary file beside `path`.
fn temp_beside(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = parent(path);
    for attempt in 0u32..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = dir.join(format!(
            ".casepanel-tmp-{}-{nanos:08x}{attempt}-{name}",
            std::process::id()
        ));
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&tmp) {
            Ok(_) => return Ok(tmp),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(dir, "cannot create a file in this folder", e)),
        }
    }
    Err(StoreError::Invalid(format!(
        "{}: cannot create a temporary file in this folder",
        dir.display()
    )))
}

/// Removes a temporary file (and any journal SQLite left beside it) when dropped, unless
/// it was kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0.as_deref().expect("not yet kept")
    }

    fn keep(mut self) -> PathBuf {
        self.0.take().expect("kept once")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut q = p.as_os_str().to_owned();
                q.push(suffix);
                let _ = std::fs::remove_file(q);
            }
        }
    }
}

fn sync_file(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(path, "cannot write the file to disk", e))
}

fn sync_dir(dir: &Path) -> Result<()> {
    crate::export::atomic::sync_dir(dir).map_err(|e| io(dir, "cannot sync the folder", e))
}

/// Makes `conn`'s file a single file (rollback journal instead of WAL), so that it can be
/// copied, renamed or mailed on its own. Fails with "busy" when another connection has it.
fn single_file(conn: &Connection, path: &Path) -> Result<()> {
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| busy(path, e))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use(path));
    }
    Ok(())
}

fn in_use(path: &Path) -> StoreError {
    StoreError::Invalid(format!(
        "{}: the database is open in another program (is casepanel running?). Close it everywhere and try again.",
        path.display()
    ))
}

fn busy(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            in_use(path)
        }
        _ => StoreError::Open {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// Where a backup went and how big it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub out: PathBuf,
    pub bytes: u64,
}

/// Copies the casepanel database `db` to `out` (see the module documentation). `out` must
/// not exist unless `force`. `key`: the passphrase of an encrypted database; the backup is
/// encrypted with it too (never a plain copy of an encrypted database).
pub fn backup(db: &Path, out: &Path, force: bool, key: Option<&str>) -> Result<BackupSummary> {
    if !db.exists() {
        return Err(StoreError::Invalid(format!(
            "{}: no database here. Name it with --db PATH.",
            db.display()
        )));
    }
    check_foreign(db, key)?;
    if out.is_dir() {
        return Err(StoreError::Invalid(format!(
            "{}: is a folder; give the name of the backup file, e.g. {}",
            out.display(),
            out.join("casepanel-backup.db").display()
        )));
    }
    if out.exists() && !force {
        return Err(StoreError::Invalid(format!(
            "{}: the file exists. Choose another name, or add --force to replace it.",
            out.display()
        )));
    }
    if same_file(db, out) {
        return Err(StoreError::Invalid(format!(
            "{}: this is the database itself; write the backup to another file",
            out.display()
        )));
    }
    let src = open_file(db, true, key)?;
    src.busy_timeout(Duration::from_secs(5))?;
    let tmp = TempFile(Some(temp_beside(out)?));
    {
        let mut dst = Connection::open(tmp.path()).map_err(|source| StoreError::Open {
            path: tmp.path().to_path_buf(),
            source,
        })?;
        if let Some(k) = key {
            dst.pragma_update(None, "key", k)?;
        }
        copy_all(&src, &mut dst, db)?;
        single_file(&dst, tmp.path())?;
    }
    drop(src);
    sync_file(tmp.path())?;
    let bytes = std::fs::metadata(tmp.path())
        .map_err(|e| io(tmp.path(), "cannot read the copy", e))?
        .len();
    let tmp_path = tmp.path().to_path_buf();
    if force {
        std::fs::rename(&tmp_path, out).map_err(|e| io(out, "cannot write the backup", e))?;
    } else {
        // A hard link never replaces a file: a file made at `out` meanwhile is kept.
        match std::fs::hard_link(&tmp_path, out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Invalid(format!(
                    "{}: the file exists. Choose another name, or add --force to replace it.",
                    out.display()
                )));
            }
            Err(_) if out.exists() => {
                return Err(StoreError::Invalid(format!(
                    "{}: the file exists. Choose another name, or add --force to replace it.",
                    out.display()
                )));
            }
            // No hard links here (a FAT stick): rename instead.
            Err(_) => {
                std::fs::rename(&tmp_path, out)
                    .map_err(|e| io(out, "cannot write the backup", e))?;
            }
        }
    }
    drop(tmp);
    sync_dir(parent(out))?;
    Ok(BackupSummary {
        out: out.to_path_buf(),
        bytes,
    })
}

/// Copies every page of `src` into `dst` in one step: one read transaction, one
/// consistent snapshot, whatever other connections write meanwhile.
fn copy_all(src: &Connection, dst: &mut Connection, path: &Path) -> Result<()> {
    let b = Backup::new(src, dst)?;
    let mut tries = 0;
    loop {
        match b.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => continue,
            StepResult::Busy | StepResult::Locked if tries < 100 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => return Err(in_use(path)),
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Opens a file that must be a casepanel database, read-only, without changing it (for
/// `casepanel check`). An empty SQLite file, or another program's database, is refused.
/// `key`: the passphrase of an encrypted file.
pub fn open_for_check(path: &Path, key: Option<&str>) -> Result<Connection> {
    if !path.is_file() {
        return Err(StoreError::Invalid(format!(
            "{}: no such file. Check the path.",
            path.display()
        )));
    }
    check_foreign(path, key)?;
    let conn = open_file(path, false, key)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
            found: app_id,
        });
    }
    Ok(conn)
}

/// A backup copied beside the database, waiting to be checked and installed. Dropping it
/// removes the copy.
pub struct Staged {
    tmp: TempFile,
}

impl Staged {
    /// The copy: check this file, not the original, so that what is checked is what is
    /// installed.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }
}

/// Copies the backup `file` beside `db` as a single file (fsynced). Refuses a file that is
/// not a casepanel database before copying anything. `key`: the backup's passphrase, if
/// it is encrypted; the copy keeps it.
pub fn stage(file: &Path, db: &Path, key: Option<&str>) -> Result<Staged> {
    open_for_check(file, key)?;
    if let Some(dir) = db.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, "cannot create the folder", e))?;
    }
    let tmp = TempFile(Some(temp_beside(db)?));
    // Through the backup API rather than a file copy: a backup file in WAL mode whose
    // `-wal` sits beside it is copied with its last writes.
    let src = open_file(file, false, key)?;
    {
        let mut dst = Connection::open(tmp.path()).map_err(|source| StoreError::Open {
            path: tmp.path().to_path_buf(),
            source,
        })?;
        if let Some(k) = key {
            dst.pragma_update(None, "key", k)?;
        }
        copy_all(&src, &mut dst, file)?;
        single_file(&dst, tmp.path())?;
    }
    sync_file(tmp.path())?;
    Ok(Staged { tmp })
}

/// Swaps a checked copy in as `db`. The previous database, if any, is kept as
/// `<db>.before-restore-<stamp>` (returned). Refuses while another program has `db` open.
/// `db_key`: the passphrase of the database being replaced, if it is encrypted.
pub fn install(
    staged: Staged,
    db: &Path,
    stamp: &str,
    db_key: Option<&str>,
) -> Result<Option<PathBuf>> {
    let mut previous = None;
    // Held until the new file has its name: nobody opens the old one meanwhile.
    let mut guard = None;
    if db.exists() {
        check_foreign(db, db_key)?;
        let conn = Connection::open(db).map_err(|source| StoreError::Open {
            path: db.to_path_buf(),
            source,
        })?;
        if let Some(k) = db_key {
            apply_key(&conn, k, db)?;
        }
        // No waiting: another open connection means casepanel is running there.
        conn.busy_timeout(Duration::ZERO)?;
        // Every write of the WAL goes into the main file, and the WAL is removed; this
        // needs every other connection closed.
        single_file(&conn, db)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.execute_batch("BEGIN EXCLUSIVE")
            .map_err(|e| busy(db, e))?;
        let mut keep = db.as_os_str().to_owned();
        keep.push(format!(".before-restore-{stamp}"));
        let keep = PathBuf::from(keep);
        if keep.exists() {
            return Err(StoreError::Invalid(format!(
                "{}: exists already; wait a second and try again",
                keep.display()
            )));
        }
        if std::fs::hard_link(db, &keep).is_err() {
            std::fs::copy(db, &keep).map_err(|e| io(&keep, "cannot keep the old database", e))?;
            sync_file(&keep)?;
        }
        previous = Some(keep);
        guard = Some(conn);
    }
    // A journal of the old file must not be replayed onto the new one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| io(&p, "cannot remove the old journal", e))?;
        }
    }
    let tmp = staged.tmp.keep();
    if let Err(e) = std::fs::rename(&tmp, db) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(db, "cannot put the restored database in place", e));
    }
    sync_dir(parent(db))?;
    if let Some(conn) = guard {
        let _ = conn.execute_batch("ROLLBACK");
        drop(conn);
    }
    Ok(previous)
}
