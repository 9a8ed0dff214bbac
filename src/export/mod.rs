//! Signed decision records that anyone can verify: the record (canonical JSON), its
//! minisign signature, the human-readable renderings (Markdown, HTML), the session
//! minutes, the signed manifest of an export folder, and verification.
//!
//! - [`record`]: the record, built by a pure function from domain values;
//!   [`canonical`]: its byte form (RFC 8785).
//! - [`keys`]: the centre's key pair in minisign's format; [`sign`]: signing sealed
//!   decisions into [`crate::store::signatures`].
//! - [`render`], [`minutes`], [`doc`]: the documents; [`strings`]: their words.
//! - [`bundle`]: writing an export folder ([`atomic`] writes, [`manifest`]);
//!   [`verify`]: checking one.
//! - [`signer`]: which key signs and in whose name (CLI and TUI alike);
//!   [`demo`]: the demo database's own, clearly labelled key.
//!
//! Exports contain the child's identity: that is what they are for. Nothing here logs or
//! prints record content; callers print file names and ids only.

use std::path::{Path, PathBuf};

use crate::store::StoreError;

pub mod atomic;
pub mod bundle;
pub mod canonical;
pub mod demo;
pub mod doc;
pub mod keys;
pub mod manifest;
pub mod minutes;
pub mod record;
pub mod render;
pub mod sign;
pub mod signer;
pub mod strings;
pub mod verify;

pub use bundle::{
    ExportSummary, check_period, export_decision, export_decisions, export_period, export_session,
};
pub use keys::{SigningKey, VerifyingKey, load_public_key, load_secret_key};
pub use record::{DecisionRecord, RecordInput};
pub use sign::{SignedRecord, sign_decision, sign_in};
pub use verify::{Problem, Verified, verify_path};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Key { path: PathBuf, message: String },
    #[error("{}: wrong passphrase for this key. Try again.", .0.display())]
    WrongPassphrase(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("{0}")]
    Invalid(String),
}

impl ExportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ExportError {
        ExportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn sign(e: impl std::fmt::Display) -> ExportError {
        ExportError::Sign(e.to_string())
    }
}

/// So that signing can run inside [`crate::store::Store::write`].
impl From<ExportError> for StoreError {
    fn from(e: ExportError) -> StoreError {
        match e {
            ExportError::Store(s) => s,
            other => StoreError::Invalid(other.to_string()),
        }
    }
}

/// `f` over `items` on up to four threads, results in the order of `items`. For work of
/// about a millisecond an item (signing, rendering a record): from four items on, the
/// threads cost less than they save.
pub(crate) fn parallel_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(1);
    if threads < 2 || items.len() < 4 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker thread does not panic"))
            .collect()
    })
}
