//! Which key signs, and in whose name: one rule for `casepanel sign`/`export` and for the
//! panel's confirm step in the TUI.
//!
//! The key is the one named on the command line, else the config's `signing_key`, else —
//! for the demo database only — the demo key beside it. The signer is the demo key's label
//! when the demo key signs (whatever else is asked), else the name given, else the
//! database's centre name, else the config's. Nothing here asks for a passphrase: the
//! caller asks (the CLI on the terminal or from a file, the TUI in a masked field) and
//! passes it to [`KeyPlan::load`].

use rusqlite::Connection;
use std::path::{Path, PathBuf};

use super::keys::{self, SigningKey};
use super::{ExportError, Refusal, demo};
use crate::store::settings;

/// A key chosen for signing, not yet loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPlan {
    /// The secret key file.
    pub path: PathBuf,
    /// The demo database's own key (created on first use).
    pub demo: bool,
    /// A passphrase is needed to load it.
    pub encrypted: bool,
    /// Who signs, as the records will name it.
    pub signer: String,
}

/// The key and signer for the database at `db`. `Ok(None)`: no key is configured and the
/// database is not the demo, so decisions are sealed unsigned (`casepanel sign` signs them
/// later). `key` is the command line's `--key` or the config's `signing_key`.
pub fn plan(
    c: &Connection,
    db: &Path,
    key: Option<&Path>,
    signer: Option<&str>,
    config_centre: Option<&str>,
) -> Result<Option<KeyPlan>, ExportError> {
    let is_demo = settings::get(c, settings::DEMO)?.is_some();
    let (path, demo_key) = match key {
        Some(p) => (p.to_path_buf(), is_demo_key(db, p)),
        None if is_demo => (demo::demo_key_file(db), true),
        None => return Ok(None),
    };
    let encrypted = if demo_key && !path.exists() {
        false
    } else {
        keys::is_encrypted(&path)?
    };
    let signer = if demo_key {
        demo::DEMO_SIGNER.to_string()
    } else {
        let name = match signer {
            Some(s) => Some(s.to_string()),
            None => settings::get(c, settings::CENTRE_NAME)?.or(config_centre.map(str::to_string)),
        };
        let name = name
            .map(|s| crate::text::sanitize_line(&s))
            .unwrap_or_default();
        if name.is_empty() {
            return Err(Refusal::NoSigner.into());
        }
        name
    };
    Ok(Some(KeyPlan {
        path,
        demo: demo_key,
        encrypted,
        signer,
    }))
}

/// Whether `key` is the demo key beside the database `db` (by its key id, so a copy of
/// the demo key is still named as the demo key).
fn is_demo_key(db: &Path, key: &Path) -> bool {
    let public = |p: &Path| keys::load_public_key(&keys::public_key_path_for(p)).ok();
    match (public(&demo::demo_key_file(db)), public(key)) {
        (Some(a), Some(b)) => a.key_id() == b.key_id(),
        _ => false,
    }
}

impl KeyPlan {
    /// Loads the key (decrypting it with `passphrase` when it is encrypted; a wrong
    /// passphrase is an error that says so). The demo key is created on first use.
    pub fn load(&self, db: &Path, passphrase: Option<&str>) -> Result<SigningKey, ExportError> {
        if self.demo && self.path == demo::demo_key_file(db) {
            return demo::demo_key(db);
        }
        keys::load_secret_key(&self.path, passphrase)
    }
}
