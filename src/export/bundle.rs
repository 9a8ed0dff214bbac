//! Writing an export folder.
//!
//! Per decision: `<record_id>.json` (the signed canonical bytes as stored),
//! `<record_id>.json.minisig`, `<record_id>.md`, `<record_id>.html`. A session export adds
//! `minutes.md` and `minutes.html`. Every export ends with `MANIFEST.sha256` (every other
//! file's SHA-256) and `MANIFEST.sha256.minisig`, so that no byte of the folder goes
//! unchecked by `verify`. A new folder is written whole under a temporary name beside it
//! and renamed when every file is in it and durable ([`atomic::NewFolder`]): a failure or a
//! crash half-way leaves no folder of that name. Into a folder that exists, every file is
//! written atomically; the old manifest of a folder being re-exported is removed first and
//! the new one is written last, so an interrupted export never verifies.
//!
//! The stored records are read in one statement, then checked against the SHA-256 taken
//! when they were signed (unchanged bytes are canonical: no re-serialising), read,
//! rendered and hashed on every core while one thread writes the files.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::Connection;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::keys::SigningKey;
use super::manifest::{self, MANIFEST, MANIFEST_SIG};
use super::minutes::{AgendaLine, MinutesInput, minutes_doc, session_number};
use super::record::{self, DecisionRecord};
use super::sign::{SignedRecord, clean_signer, sign_bytes, signed, untrusted_comment};
use super::{ExportError, Refusal, atomic, doc, render};
use crate::domain::decision::DecisionStatus;
use crate::domain::panel::AgendaOutcome;
use crate::i18n::Lang;
use crate::store::{Store, StoreError, cases, children, decisions, panel, settings, signatures};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub dir: PathBuf,
    /// File names, in the order written.
    pub files: Vec<String>,
    pub records: usize,
}

fn signed_or_fail(
    c: &Connection,
    decision_id: i64,
    key: &SigningKey,
) -> Result<(SignedRecord, DecisionRecord), ExportError> {
    let sr = stored_or_fail(c, decision_id, key)?;
    let rec = parse_stored(&sr)?;
    Ok((sr, rec))
}

/// The stored signed record of a sealed decision, signed by `key`.
fn stored_or_fail(
    c: &Connection,
    decision_id: i64,
    key: &SigningKey,
) -> Result<SignedRecord, ExportError> {
    let status = decisions::status(c, decision_id)?;
    exportable(decision_id, status, signed(c, decision_id)?, key)
}

/// A decision's stored record if it can be exported with `key`; else why not. `status`
/// is None when there is no such decision.
fn exportable(
    decision_id: i64,
    status: Option<DecisionStatus>,
    stored: Option<SignedRecord>,
    key: &SigningKey,
) -> Result<SignedRecord, ExportError> {
    let status = status.ok_or(Refusal::NoDecision { id: decision_id })?;
    if status != DecisionStatus::Sealed {
        return Err(Refusal::Draft {
            id: decision_id,
            signing: false,
        }
        .into());
    }
    let sr = stored.ok_or_else(|| Refusal::NotSigned {
        id: decision_id,
        record: record::record_id(decision_id),
    })?;
    if sr.key_id != key.key_id() {
        return Err(Refusal::OtherKey {
            id: decision_id,
            signed_with: sr.key_id,
            given: key.key_id().to_string(),
        }
        .into());
    }
    Ok(sr)
}

/// The stored records of `decision_ids` (in that order) if every one can be exported with
/// `key`, read in one statement; else the first that cannot, and why.
fn all_stored_or_fail(
    c: &Connection,
    decision_ids: &[i64],
    key: &SigningKey,
) -> Result<Vec<SignedRecord>, ExportError> {
    signatures::for_export(c, decision_ids)?
        .into_iter()
        .map(|(id, status, stored)| {
            let status = status
                .map(|s| {
                    DecisionStatus::from_code(&s).ok_or_else(|| {
                        StoreError::Invalid(format!("decision {id} has status `{s}`"))
                    })
                })
                .transpose()?;
            exportable(id, status, stored.map(SignedRecord::from), key)
        })
        .collect()
}

/// The record of stored bytes: unchanged since they were signed (their SHA-256), so
/// canonical, and of a version this build reads.
fn parse_stored(sr: &SignedRecord) -> Result<DecisionRecord, ExportError> {
    DecisionRecord::parse_stored(&sr.record, &sr.record_sha256).map_err(|e| {
        ExportError::Invalid(format!(
            "the stored record of decision {} cannot be read: {e}",
            sr.decision_id
        ))
    })
}

fn record_files(sr: &SignedRecord, rec: &DecisionRecord, lang: Lang) -> Vec<(String, Vec<u8>)> {
    let json = format!("{}.json", rec.record_id);
    // One document, written out twice (what `render::record_markdown` and `record_html` do).
    let document = render::record_doc(rec, lang, &json);
    vec![
        (json.clone(), sr.record.clone()),
        (format!("{json}.minisig"), sr.minisig.clone().into_bytes()),
        (
            format!("{}.md", rec.record_id),
            doc::to_markdown(&document).into_bytes(),
        ),
        (
            format!("{}.html", rec.record_id),
            doc::to_html(&document).into_bytes(),
        ),
    ]
}

/// Makes `out`, a folder that exists, ready: refused if it holds a file this export would
/// not write (verify rejects extra files); the old manifest removed.
fn prepare_dir(out: &Path, names: &BTreeSet<String>) -> Result<(), ExportError> {
    match std::fs::metadata(out) {
        Ok(m) if m.is_dir() => {}
        // A file, or a link to nothing: no folder can be made there.
        result => {
            return Err(ExportError::Folder {
                path: out.to_path_buf(),
                exists: false,
                source: result
                    .err()
                    .unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::NotADirectory)),
            });
        }
    }
    let rd = std::fs::read_dir(out).map_err(|e| ExportError::io(out, e))?;
    for entry in rd {
        let entry = entry.map_err(|e| ExportError::io(out, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == MANIFEST || name == MANIFEST_SIG || names.contains(&name) {
            continue;
        }
        // A temporary file of an interrupted export: never complete, safe to remove.
        if name.starts_with(atomic::TMP_PREFIX) && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path()).map_err(|e| ExportError::io(&entry.path(), e))?;
            continue;
        }
        return Err(Refusal::ExtraFile {
            folder: out.to_path_buf(),
            name,
        }
        .into());
    }
    for name in [MANIFEST_SIG, MANIFEST] {
        match std::fs::remove_file(out.join(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ExportError::io(&out.join(name), e)),
        }
    }
    Ok(())
}

fn write_all(
    out: &Path,
    files: Vec<(String, Vec<u8>)>,
    key: &SigningKey,
    subject: &str,
    signer: &str,
    now: NaiveDateTime,
    records: usize,
) -> Result<ExportSummary, ExportError> {
    let signer = clean_signer(signer)?;
    let names: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
    if names.len() != files.len() {
        return Err(ExportError::Invalid(
            "two files of the export have the same name".into(),
        ));
    }
    if let Some(bad) = names.iter().find(|n| !manifest::valid_name(n)) {
        return Err(ExportError::Invalid(format!(
            "`{bad}` is not a valid export file name"
        )));
    }
    let trusted = |files: usize| manifest_comment(subject, files, now, &signer);
    let mut written: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    if let Some(folder) = atomic::NewFolder::start(out)? {
        // A new folder: every file written under its own name in a temporary folder (by
        // this thread: threads creating files in one folder wait on its lock), hashed on
        // every core, the manifest last, one sync, then the folder's rename.
        for (name, bytes) in &files {
            folder.add(name, bytes, false)?;
        }
        let hashes = super::parallel_map(&files, |(_, b)| super::sign::sha256_hex(b));
        let listed = hashes
            .into_iter()
            .zip(files.iter().map(|(n, _)| n.clone()))
            .collect();
        finish_new(folder, listed, key, &trusted(files.len()))?;
    } else {
        prepare_dir(out, &names).map_err(|e| in_folder(out, e))?;
        // Every file is in place (and durable) before the manifest that vouches for them.
        atomic::write_many(out, &files, false).map_err(|e| in_folder(out, e))?;
        // Every file's hash, on every core.
        let hashes = super::parallel_map(&files, |(_, b)| super::sign::sha256_hex(b));
        let manifest = manifest::from_hashes(
            hashes
                .into_iter()
                .zip(files.iter().map(|(n, _)| n.as_str())),
        );
        let sig = sign_bytes(
            key,
            &manifest,
            &trusted(files.len()),
            &untrusted_comment(MANIFEST),
        )?;
        atomic::write(&out.join(MANIFEST), &manifest, false)?;
        atomic::write(&out.join(MANIFEST_SIG), sig.as_bytes(), false)?;
    }
    written.push(MANIFEST.into());
    written.push(MANIFEST_SIG.into());
    Ok(ExportSummary {
        dir: out.to_path_buf(),
        files: written,
        records,
    })
}

/// An error writing into the folder `out` that is the folder's (no permission, a read-only
/// disk), told as [`ExportError::Folder`]; any other as it is.
fn in_folder(out: &Path, e: ExportError) -> ExportError {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    match e {
        ExportError::Io { source, .. }
            if matches!(source.kind(), PermissionDenied | ReadOnlyFilesystem) =>
        {
            ExportError::Folder {
                path: out.to_path_buf(),
                exists: true,
                source,
            }
        }
        other => other,
    }
}

/// Ends a new folder: its manifest of `listed` (hash, name), signed with `trusted` as
/// the trusted comment, then the sync and the rename ([`atomic::NewFolder::finish`]).
fn finish_new(
    folder: atomic::NewFolder,
    listed: Vec<(String, String)>,
    key: &SigningKey,
    trusted: &str,
) -> Result<(), ExportError> {
    let manifest = manifest::from_hashes(listed.iter().map(|(h, n)| (h.clone(), n.as_str())));
    let sig = sign_bytes(key, &manifest, trusted, &untrusted_comment(MANIFEST))?;
    folder.add(MANIFEST, &manifest, false)?;
    folder.add(MANIFEST_SIG, sig.as_bytes(), false)?;
    folder.finish()
}

/// The manifest's trusted comment.
fn manifest_comment(subject: &str, files: usize, now: NaiveDateTime, signer: &str) -> String {
    format!(
        "casepanel manifest:{subject} files:{files} signed_at:{} signer:{signer}",
        record::time(now)
    )
}

/// Exports one signed decision into `out`. `key` signs the folder's manifest and must be
/// the key that signed the record; `signer` names who signs the manifest.
pub fn export_decision(
    store: &Store,
    decision_id: i64,
    out: &Path,
    lang: Lang,
    key: &SigningKey,
    signer: &str,
    now: NaiveDateTime,
) -> Result<ExportSummary, ExportError> {
    let c = store.conn();
    let (sr, rec) = signed_or_fail(c, decision_id, key)?;
    let files = record_files(&sr, &rec, lang);
    write_all(out, files, key, &rec.record_id, signer, now, 1)
}

/// Refuses a period whose first day is after its last (the command line checks it before
/// asking for a passphrase; [`export_period`] checks it again for other callers).
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), ExportError> {
    if from > to {
        return Err(Refusal::PeriodBackwards { from, to }.into());
    }
    Ok(())
}

/// Exports every sealed panel decision decided from `from` to `to` (both included) into one
/// folder with one signed manifest: a year's records for the archive or the data-sharing
/// platform. Every one must be signed, with `key`.
#[allow(clippy::too_many_arguments)]
pub fn export_period(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    out: &Path,
    lang: Lang,
    key: &SigningKey,
    signer: &str,
    now: NaiveDateTime,
) -> Result<ExportSummary, ExportError> {
    check_period(from, to)?;
    let c = store.conn();
    let found = signatures::sealed_between(c, from, to)?;
    if found.is_empty() {
        return Err(Refusal::NothingInPeriod { from, to }.into());
    }
    let unsigned: Vec<String> = found
        .iter()
        .filter(|(_, signed)| !signed)
        .map(|(id, _)| id.to_string())
        .collect();
    if !unsigned.is_empty() {
        return Err(Refusal::UnsignedInPeriod {
            from,
            to,
            ids: unsigned,
        }
        .into());
    }
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    export_decisions(
        store,
        &ids,
        &format!("{from}..{to}"),
        out,
        lang,
        key,
        signer,
        now,
    )
}

/// Exports these signed decisions (in this order) into one folder with one signed
/// manifest, whose trusted comment names them by `subject`: what [`export_period`] does
/// with the decisions of its days. Every one must be sealed and signed, with `key`.
#[allow(clippy::too_many_arguments)]
pub fn export_decisions(
    store: &Store,
    decision_ids: &[i64],
    subject: &str,
    out: &Path,
    lang: Lang,
    key: &SigningKey,
    signer: &str,
    now: NaiveDateTime,
) -> Result<ExportSummary, ExportError> {
    if decision_ids.is_empty() {
        return Err(Refusal::NoneNamed.into());
    }
    let stored = all_stored_or_fail(store.conn(), decision_ids, key)?;
    // Reading and rendering each record is independent of the others: on every core.
    let render = |sr: &SignedRecord| parse_stored(sr).map(|rec| record_files(sr, &rec, lang));
    let signer = clean_signer(signer)?;
    let Some(folder) = atomic::NewFolder::start(out)? else {
        // A folder that exists: rendered on every core, then written file by file.
        let mut files = Vec::with_capacity(stored.len() * 4);
        for r in super::parallel_map(&stored, render) {
            files.extend(r?);
        }
        return write_all(out, files, key, subject, &signer, now, stored.len());
    };
    // A new folder: the workers read, render and hash each record's files while this
    // thread writes the finished ones, in order (one thread creating files in a folder
    // does not wait on the folder's lock).
    let mut listed: Vec<(String, String)> = Vec::with_capacity(stored.len() * 4);
    let mut names = BTreeSet::new();
    super::pipeline(
        stored.len(),
        |i| Ok(&stored[i]),
        |sr| {
            render(sr).map(|files| {
                files
                    .into_iter()
                    .map(|(name, bytes)| (super::sign::sha256_hex(&bytes), name, bytes))
                    .collect::<Vec<_>>()
            })
        },
        |files| {
            for (hash, name, bytes) in files? {
                if !manifest::valid_name(&name) || !names.insert(name.clone()) {
                    return Err(ExportError::Invalid(format!(
                        "`{name}` is not a valid export file name, or two files have it"
                    )));
                }
                folder.add(&name, &bytes, false)?;
                listed.push((hash, name));
            }
            Ok(())
        },
    )?;
    let trusted = manifest_comment(subject, listed.len(), now, &signer);
    let mut files: Vec<String> = listed.iter().map(|(_, n)| n.clone()).collect();
    finish_new(folder, listed, key, &trusted)?;
    files.push(MANIFEST.into());
    files.push(MANIFEST_SIG.into());
    Ok(ExportSummary {
        dir: out.to_path_buf(),
        files,
        records: stored.len(),
    })
}

/// Exports a session: every sealed decision of it (each must be signed), the minutes, the
/// signed manifest.
pub fn export_session(
    store: &Store,
    session_id: i64,
    out: &Path,
    lang: Lang,
    key: &SigningKey,
    signer: &str,
    now: NaiveDateTime,
) -> Result<ExportSummary, ExportError> {
    let c = store.conn();
    let session = panel::session(c, session_id)?.ok_or(Refusal::NoSession { id: session_id })?;
    let sealed: Vec<i64> = decisions::of_session(c, session_id)?
        .into_iter()
        .filter(|d| d.status == DecisionStatus::Sealed)
        .map(|d| d.id)
        .collect();
    let unsigned: Vec<String> = sealed
        .iter()
        .filter(|&&id| signed(c, id).map(|s| s.is_none()).unwrap_or(true))
        .map(|&id| id.to_string())
        .collect();
    if !unsigned.is_empty() {
        return Err(Refusal::UnsignedInSession {
            session: session_id,
            ids: unsigned,
        }
        .into());
    }
    let mut pairs = Vec::new();
    for &id in &sealed {
        pairs.push(signed_or_fail(c, id, key)?);
    }
    let members = panel::members(c)?;
    let agenda = panel::agenda(c, session_id)?;
    let mut lines = Vec::new();
    for item in &agenda {
        let rec = pairs.iter().map(|(_, r)| r).find(|r| {
            Some(r.decision_id) == item.decision_id
                || (item.decision_id.is_none() && r.case_id == item.case_id)
        });
        let child_name = match rec {
            Some(r) => r.child.name.clone(),
            None => {
                let case = cases::get(c, item.case_id)?
                    .ok_or_else(|| StoreError::NotFound(format!("case {}", item.case_id)))?;
                children::get(c, case.child_id)?
                    .map(|ch| ch.name)
                    .unwrap_or_default()
            }
        };
        lines.push(AgendaLine {
            position: item.position,
            case_id: item.case_id,
            child_name,
            outcome: if rec.is_some() {
                AgendaOutcome::Decided
            } else {
                item.outcome
            },
            defer_reason: item.defer_reason.clone(),
            record: rec,
            decision_id: item.decision_id,
        });
    }
    let centre = settings::get(c, settings::CENTRE_NAME)?;
    let signer_clean = clean_signer(signer)?;
    let input = MinutesInput {
        session: &session,
        members: &members,
        agenda: lines,
        centre: centre.as_deref(),
        signer: &signer_clean,
        signed_at: record::time(now),
    };
    let minutes = minutes_doc(&input, lang);
    let mut files = Vec::new();
    for (sr, rec) in &pairs {
        files.extend(record_files(sr, rec, lang));
    }
    files.push(("minutes.md".into(), doc::to_markdown(&minutes).into_bytes()));
    files.push(("minutes.html".into(), doc::to_html(&minutes).into_bytes()));
    write_all(
        out,
        files,
        key,
        &session_number(session_id),
        signer,
        now,
        pairs.len(),
    )
}
