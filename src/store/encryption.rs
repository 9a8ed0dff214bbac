//! Encryption at rest (SQLCipher: AES-256 over every page, the WAL included). A database is
//! encrypted when it is created with a passphrase, or later with [`rekey`]; without one it
//! is a plain SQLite file, as before. `ARCHITECTURE.md` says why SQLCipher is built in.

use rusqlite::params;
use std::path::{Path, PathBuf};

use super::{Result, Store, StoreError};

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("{}: {e}", path.display()))
}

/// Re-encrypts the database at `path` (opened with `old`): a plain one gets a passphrase,
/// an encrypted one a new passphrase, or (with `new` = None) none. The copy is written
/// beside the file, checked, synced and renamed over it, so an interruption leaves the
/// old file whole. Nothing else may have the database open meanwhile.
pub fn rekey(path: &Path, old: Option<&str>, new: Option<&str>) -> Result<()> {
    if let Some(n) = new
        && n.is_empty()
    {
        return Err(StoreError::Invalid(
            "the new passphrase is empty: choose one, or decrypt on purpose".into(),
        ));
    }
    let store = Store::open_with(path, old)?;
    let tmp: PathBuf = {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".rekey-tmp");
        path.with_file_name(name)
    };
    for p in [
        tmp.clone(),
        tmp.with_extension("rekey-tmp-wal"),
        tmp.with_extension("rekey-tmp-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
    let c = store.conn();
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id: i64 = c.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    c.execute(
        "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
        params![tmp.to_string_lossy(), new.unwrap_or("")],
    )?;
    let copied = (|| -> Result<()> {
        c.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
        c.pragma_update(Some("rekeyed"), "user_version", version)?;
        c.pragma_update(Some("rekeyed"), "application_id", app_id)?;
        Ok(())
    })();
    c.execute_batch("DETACH DATABASE rekeyed")?;
    drop(store);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // The copy opens with the new passphrase and is sound before it replaces anything.
    {
        let check = Store::open_with(&tmp, new)?;
        let problems = check.check_integrity()?;
        if !problems.is_empty() {
            drop(check);
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Invalid(format!(
                "the re-encrypted copy is not sound ({}); the database was left as it was",
                problems.join("; ")
            )));
        }
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(dir, e))?;
    }
    Ok(())
}
