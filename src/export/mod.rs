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

use chrono::NaiveDate;
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
    /// The export folder could not be made (`exists` false) or, being there, written into.
    /// A case of its own so that the command line can say what failed and how to fix it.
    #[error("{}: cannot {} the export folder: {source}", path.display(), if *exists { "write into" } else { "make" })]
    Folder {
        path: PathBuf,
        exists: bool,
        source: std::io::Error,
    },
    /// A key file that cannot be made, read or used. A case of its own, with its kind, so
    /// that the command line can say what failed and how to fix it.
    #[error("{}: {problem}", path.display())]
    Key { path: PathBuf, problem: KeyProblem },
    #[error("{}: wrong passphrase for this key. Try again.", .0.display())]
    WrongPassphrase(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing failed: {0}")]
    Sign(String),
    /// A request refused as it stands ([`Refusal`]), with what to give instead.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("{0}")]
    Invalid(String),
}

/// A request the export refuses as it stands ([`ExportError::Refused`]). A case of its
/// own, with its arguments, so that the CLI and the TUI can say it in the user's language;
/// `Display` is English.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Nobody to name as the signer: no `--signer`, no centre name.
    #[error("say who signs: pass --signer NAME, or set centre_name in the config file")]
    NoSigner,
    /// A period whose start is after its end.
    #[error("--from {from} is after --to {to}: give the earlier date first")]
    PeriodBackwards { from: NaiveDate, to: NaiveDate },
    /// A period with no sealed decision in it.
    #[error("no sealed panel decision was decided from {from} to {to}: nothing to export")]
    NothingInPeriod { from: NaiveDate, to: NaiveDate },
    /// Decisions of the period sealed but not signed yet (their ids).
    #[error(
        "{} decision(s) from {from} to {to} are sealed but not signed yet (ids {}): run `casepanel sign --all` first",
        .ids.len(),
        first_ids(.ids, " and {} more")
    )]
    UnsignedInPeriod {
        from: NaiveDate,
        to: NaiveDate,
        ids: Vec<String>,
    },
    /// An export that names no decision.
    #[error("no decision to export: name at least one")]
    NoneNamed,
    /// A decision id that is not on file.
    #[error("there is no decision {id}: check the id (the case file lists them)")]
    NoDecision { id: i64 },
    /// A session id that is not on file.
    #[error("there is no session {id}: check the id")]
    NoSession { id: i64 },
    /// A draft, asked to be exported (`signing` false) or signed (true).
    #[error(
        "decision {id} is a draft: only a sealed (confirmed) decision can be {}",
        if *.signing { "signed" } else { "exported. Confirm it in the panel session first." }
    )]
    Draft { id: i64, signing: bool },
    /// A sealed decision not signed yet, asked to be exported; `record` is its record id.
    #[error(
        "decision {id} ({record}) is sealed but not signed yet: run `casepanel sign --decision {id}` first"
    )]
    NotSigned { id: i64, record: String },
    /// Decisions of a session sealed but not signed yet (their ids).
    #[error(
        "session {session}: decision(s) {} are sealed but not signed yet: run `casepanel sign --all` first",
        .ids.join(", ")
    )]
    UnsignedInSession { session: i64, ids: Vec<String> },
    /// A decision signed with another key than the one given for the export.
    #[error(
        "decision {id} was signed with key {signed_with}, not with the key given ({given}): export with the key that signed it, so that the whole folder verifies with one public key"
    )]
    OtherKey {
        id: i64,
        signed_with: String,
        given: String,
    },
    /// The export's folder holds a file the export does not write.
    #[error(
        "{}: the folder holds `{name}`, which this export does not write; `verify` would report it as an extra file. Export into an empty or new folder.",
        .folder.display()
    )]
    ExtraFile {
        folder: std::path::PathBuf,
        name: String,
    },
    /// A decision that is signed already: a signature is never replaced.
    #[error("decision {id} is already signed; a signature is never replaced")]
    AlreadySigned { id: i64 },
    /// A decision taken over from paper records: the panel did not decide it here.
    #[error(
        "decision {id} was taken over from paper records, not decided by the panel here: it is not signed"
    )]
    PaperRecord { id: i64 },
}

/// The first ten of `ids`, with `more` (its `{}` the number left out) when there are more.
pub fn first_ids(ids: &[String], more: &str) -> String {
    let mut s = ids.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > 10 {
        s.push_str(&more.replace("{}", &(ids.len() - 10).to_string()));
    }
    s
}

/// What is wrong with a key file ([`ExportError::Key`]). The CLI words it in the user's
/// language; `Display` is English.
#[derive(Debug, thiserror::Error)]
pub enum KeyProblem {
    /// `keygen` into a folder that has a key file already.
    #[error(
        "a key file is already there; casepanel never replaces a key (records signed with it would no longer verify against a new one). Choose another --out folder, or move the old key away first."
    )]
    Exists,
    /// The system's random source or minisign failed making a key (`detail`: its words).
    #[error("cannot make a key: {0}")]
    Generate(String),
    /// The file cannot be read.
    #[error("cannot read the {}: {source}", if *public { "public key" } else { "secret key" })]
    Unreadable {
        public: bool,
        source: std::io::Error,
    },
    /// Not a minisign secret key (`detail`: minisign's words).
    #[error("not a minisign secret key ({0}). Make one with `casepanel keygen --out DIR`.")]
    NotSecret(String),
    /// Not a minisign public key (`detail`: minisign's words).
    #[error("not a minisign public key ({0}). Pass the `.pub` file the centre handed out.")]
    NotPublic(String),
    /// An encrypted key and no passphrase.
    #[error(
        "the key is encrypted and no passphrase was given. Type it when asked, or pass --passphrase-file FILE or set CASEPANEL_KEY_PASSPHRASE."
    )]
    NoPassphrase,
    /// Decrypting failed for another reason than the passphrase (`detail`: minisign's words).
    #[error("cannot decrypt the key: {0}")]
    Decrypt(String),
}

impl ExportError {
    pub(crate) fn key(path: &Path, problem: KeyProblem) -> ExportError {
        ExportError::Key {
            path: path.to_path_buf(),
            problem,
        }
    }

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

/// Many items in order, where only the two ends touch the database: `read(i)` (for `i` in
/// `0..n`) and `store` run on this thread, which holds the connection; `work` runs on up to
/// four worker threads. They overlap: while the workers build some items, this thread
/// reads the next ones and stores the finished ones, in the order read. The first error of
/// `read` or `store` ends it (`store` sees the workers' errors in its items) and is
/// returned; what was stored is the caller's to roll back.
pub(crate) fn pipeline<T: Send, U: Send, E>(
    n: usize,
    mut read: impl FnMut(usize) -> Result<T, E>,
    work: impl Fn(T) -> U + Sync,
    mut store: impl FnMut(U) -> Result<(), E>,
) -> Result<(), E> {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, mpsc};
    let threads = std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(1);
    if threads < 2 || n < 4 {
        for i in 0..n {
            store(work(read(i)?))?;
        }
        return Ok(());
    }
    // Bounded, so that reading never runs far ahead of the workers.
    let (jobs, queue) = mpsc::sync_channel::<(usize, T)>(4 * threads);
    let queue = Mutex::new(queue);
    let (done, results) = mpsc::channel::<(usize, U)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (queue, work, done) = (&queue, &work, done.clone());
            scope.spawn(move || {
                loop {
                    let job = queue.lock().expect("no worker panics holding it").recv();
                    let Ok((i, item)) = job else { break };
                    if done.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut jobs = Some(jobs);
        let mut finished: BTreeMap<usize, U> = BTreeMap::new();
        let (mut next_read, mut next_store) = (0, 0);
        let mut run = || -> Result<(), E> {
            while next_store < n {
                finished.extend(results.try_iter());
                if let Some(u) = finished.remove(&next_store) {
                    store(u)?;
                    next_store += 1;
                } else if let Some(tx) = jobs.as_ref() {
                    let item = read(next_read)?;
                    tx.send((next_read, item))
                        .expect("the workers run until the queue closes");
                    next_read += 1;
                    if next_read == n {
                        jobs = None;
                    }
                } else {
                    let (i, u) = results.recv().expect("every item read comes back");
                    finished.insert(i, u);
                }
            }
            Ok(())
        };
        let result = run();
        // On an error: no more items, and the workers stop at their next result.
        drop(jobs);
        drop(results);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipeline_stores_in_the_order_read_and_stops_at_the_first_error() {
        let mut read = Vec::new();
        let mut stored = Vec::new();
        pipeline(
            100,
            |i| {
                read.push(i);
                Ok::<_, String>(i)
            },
            |i| {
                // Later items finish first.
                std::thread::sleep(std::time::Duration::from_micros(((100 - i) * 20) as u64));
                i * 2
            },
            |u| {
                stored.push(u);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(read, (0..100).collect::<Vec<_>>());
        assert_eq!(stored, (0..100).map(|i| i * 2).collect::<Vec<_>>());

        // An error reading item 60, or storing item 30: nothing after it is stored.
        for (bad_read, bad_store) in [(60, usize::MAX), (usize::MAX, 30)] {
            let mut stored = Vec::new();
            let e = pipeline(
                100,
                |i| {
                    if i == bad_read {
                        Err(format!("read {i}"))
                    } else {
                        Ok(i)
                    }
                },
                |i| i,
                |u| {
                    if u == bad_store {
                        return Err(format!("store {u}"));
                    }
                    stored.push(u);
                    Ok(())
                },
            )
            .unwrap_err();
            let last = bad_read.min(bad_store);
            assert!(e.ends_with(&last.to_string()), "{e}");
            assert!(stored.len() <= last && stored.iter().enumerate().all(|(i, &u)| i == u));
        }
    }
}
