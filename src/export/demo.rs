//! The demo database's own signing key: unencrypted, in `demo-key/` beside `demo.db`,
//! labelled as a demo key in its files, in every record it signs (signer
//! [`DEMO_SIGNER`]) and on every document rendered from those records.

use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

use super::keys::{self, SigningKey};
use super::sign;
use super::{ExportError, atomic};
use crate::store::{Store, signatures};

pub use super::render::DEMO_SIGNER;

/// Folder of the demo key, beside the demo database.
pub const DEMO_KEY_DIR: &str = "demo-key";

const README: &str = "演示密钥 DEMO KEY\n\n\
这是 casepanel 演示数据库的签名密钥，未加密，只用于演示，签署的全部是虚构个案。\n\
不要用它签署真实的决定；真实使用请运行 `casepanel keygen --out 文件夹` 生成本中心的密钥。\n\n\
This is the signing key of casepanel's demo database. It is not encrypted and signs invented\n\
cases only. Never sign real decisions with it: run `casepanel keygen --out DIR` for the\n\
centre's own key.\n";

/// `demo-key/` beside the database file `db`.
pub fn demo_key_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(DEMO_KEY_DIR),
        _ => PathBuf::from(DEMO_KEY_DIR),
    }
}

/// The demo key's secret key file.
pub fn demo_key_file(db: &Path) -> PathBuf {
    demo_key_dir(db).join(keys::SECRET_FILE)
}

/// The demo key, created on first use (kept across demo rebuilds, so earlier demo exports
/// still verify).
pub fn demo_key(db: &Path) -> Result<SigningKey, ExportError> {
    let dir = demo_key_dir(db);
    let file = dir.join(keys::SECRET_FILE);
    if !file.exists() {
        keys::generate(&dir, None, DEMO_SIGNER)?;
        atomic::write(&dir.join("README.txt"), README.as_bytes(), false)?;
    }
    keys::load_secret_key(&file, None)
}

/// Signs every sealed, unsigned decision of the demo database with the demo key. Returns
/// how many were signed.
pub fn sign_demo(store: &mut Store, db: &Path, now: NaiveDateTime) -> Result<usize, ExportError> {
    let key = demo_key(db)?;
    let ids = signatures::unsigned_sealed(store.conn())?;
    Ok(sign::sign_all(store, &ids, &key, DEMO_SIGNER, None, now)?.len())
}
