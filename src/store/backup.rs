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

/// What went wrong in a backup or a restore: what, and where. The CLI words it in the
/// user's language; `Display` is English.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// There is no database at this path to back up.
    #[error("{}: no database here. Name it with --db PATH.", .0.display())]
    NoDatabase(PathBuf),
    /// The backup's name is a folder.
    #[error("{}: is a folder; give the name of the backup file, e.g. {}", .0.display(), .0.join(BACKUP_EXAMPLE).display())]
    OutIsFolder(PathBuf),
    /// A file is there already (and `--force` was not given).
    #[error("{}: the file exists. Choose another name, or add --force to replace it.", .0.display())]
    OutExists(PathBuf),
    /// The backup's name is the database itself.
    #[error("{}: this is the database itself; write the backup to another file", .0.display())]
    OutIsDatabase(PathBuf),
    /// The file to check or restore is not there.
    #[error("{}: no such file. Check the path.", .0.display())]
    NoSuchFile(PathBuf),
    /// Another connection has the database open.
    #[error("{}: the database is open in another program (is casepanel running?). Close it everywhere and try again.", .0.display())]
    InUse(PathBuf),
    /// The name the previous database would be kept under is taken (a restore in the same
    /// second).
    #[error("{}: exists already; wait a second and try again", .0.display())]
    KeepExists(PathBuf),
    /// A hundred temporary names in this folder were all taken.
    #[error("{}: cannot create a temporary file in this folder", .0.display())]
    NoTempName(PathBuf),
    /// A step on a file or folder failed.
    #[error("{}: {step}: {source}", path.display())]
    Io {
        path: PathBuf,
        step: Step,
        source: std::io::Error,
    },
}

/// The example name [`BackupError::OutIsFolder`] suggests in the folder.
pub const BACKUP_EXAMPLE: &str = "casepanel-backup.db";

/// Which step on a file or folder failed ([`BackupError::Io`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Making a file in the folder (the temporary copy).
    CreateFile,
    /// Writing a file to disk (fsync).
    SyncFile,
    /// Writing a folder's entries to disk (fsync).
    SyncFolder,
    /// Reading the size of the copy.
    ReadCopy,
    /// Giving the copy the backup's name.
    WriteBackup,
    /// Making the folder the database goes into.
    CreateFolder,
    /// Keeping the database a restore replaces.
    KeepOld,
    /// Removing the journal of the database a restore replaces.
    RemoveJournal,
    /// Giving the restored copy the database's name.
    Install,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::CreateFile => "cannot create a file in this folder",
            Step::SyncFile => "cannot write the file to disk",
            Step::SyncFolder => "cannot sync the folder",
            Step::ReadCopy => "cannot read the copy",
            Step::WriteBackup => "cannot write the backup",
            Step::CreateFolder => "cannot create the folder",
            Step::KeepOld => "cannot keep the old database",
            Step::RemoveJournal => "cannot remove the old journal",
            Step::Install => "cannot put the restored database in place",
        })
    }
}

fn io(path: &Path, step: Step, source: std::io::Error) -> StoreError {
    BackupError::Io {
        path: path.to_path_buf(),
        step,
        source,
    }
    .into()
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
            Err(e) => return Err(io(dir, Step::CreateFile, e)),
        }
    }
    Err(BackupError::NoTempName(dir.to_path_buf()).into())
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
        .map_err(|e| io(path, Step::SyncFile, e))
}

fn sync_dir(dir: &Path) -> Result<()> {
    crate::export::atomic::sync_dir(dir).map_err(|e| io(dir, Step::SyncFolder, e))
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
    BackupError::InUse(path.to_path_buf()).into()
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
        return Err(BackupError::NoDatabase(db.to_path_buf()).into());
    }
    check_foreign(db, key)?;
    if out.is_dir() {
        return Err(BackupError::OutIsFolder(out.to_path_buf()).into());
    }
    if out.exists() && !force {
        return Err(BackupError::OutExists(out.to_path_buf()).into());
    }
    if same_file(db, out) {
        return Err(BackupError::OutIsDatabase(out.to_path_buf()).into());
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
        .map_err(|e| io(tmp.path(), Step::ReadCopy, e))?
        .len();
    let tmp_path = tmp.path().to_path_buf();
    if force {
        std::fs::rename(&tmp_path, out).map_err(|e| io(out, Step::WriteBackup, e))?;
    } else {
        // A hard link never replaces a file: a file made at `out` meanwhile is kept.
        match std::fs::hard_link(&tmp_path, out) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(BackupError::OutExists(out.to_path_buf()).into());
            }
            Err(_) if out.exists() => {
                return Err(BackupError::OutExists(out.to_path_buf()).into());
            }
            // No hard links here (a FAT stick): rename instead.
            Err(_) => {
                std::fs::rename(&tmp_path, out).map_err(|e| io(out, Step::WriteBackup, e))?;
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
        return Err(BackupError::NoSuchFile(path.to_path_buf()).into());
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
        std::fs::create_dir_all(dir).map_err(|e| io(dir, Step::CreateFolder, e))?;
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
            return Err(BackupError::KeepExists(keep).into());
        }
        if std::fs::hard_link(db, &keep).is_err() {
            std::fs::copy(db, &keep).map_err(|e| io(&keep, Step::KeepOld, e))?;
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
            std::fs::remove_file(&p).map_err(|e| io(&p, Step::RemoveJournal, e))?;
        }
    }
    let tmp = staged.tmp.keep();
    if let Err(e) = std::fs::rename(&tmp, db) {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(db, Step::Install, e));
    }
    sync_dir(parent(db))?;
    if let Some(conn) = guard {
        let _ = conn.execute_batch("ROLLBACK");
        drop(conn);
    }
    Ok(previous)
}
