//! The errors and problems made below the command line, told in the user's language.
//!
//! The store, the export and the check give a kind and its arguments (paths, ids, the
//! system's own detail) — `KeyProblem`, `ExportError::Folder`, `check::Problem`,
//! `BrokenLink`, `OperatorError` — never words in a language; their `Display` is
//! English, for tests and logs. The words are here, from
//! `src/i18n/strings.rs`: what failed, where, and how to fix it.

use std::path::Path;

use super::Failure;
use crate::check::{Problem, Records};
use crate::export::{ExportError, KeyProblem};
use crate::i18n::{Lang, colon, t, tf};
use crate::store::Integrity;
use crate::store::audit::{BrokenLink, OperatorError, TriggerProblem};

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Why a file or folder could not be made, read or written, from the system's error:
/// `missing` is the key told when it says "not found" (what is missing depends on what
/// was done).
pub(crate) fn io_why(lang: Lang, e: &std::io::Error, missing: &str) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => t(lang, "io.why.denied").to_string(),
        K::ReadOnlyFilesystem => t(lang, "io.why.read_only").to_string(),
        K::NotFound => t(lang, missing).to_string(),
        K::NotADirectory | K::AlreadyExists => t(lang, "io.why.not_dir").to_string(),
        K::InvalidFilename => t(lang, "io.why.bad_name").to_string(),
        K::StorageFull | K::QuotaExceeded => t(lang, "io.why.full").to_string(),
        _ => tf(lang, "io.why.other", &[("error", &e.to_string())]),
    }
}

/// An export's or a key's failure in the user's language where it is one they can fix
/// themselves (the folder, the key file, the passphrase); any other as it is.
pub(crate) fn export_failure(lang: Lang, e: ExportError) -> Failure {
    match e {
        ExportError::Folder { .. } | ExportError::Key { .. } | ExportError::WrongPassphrase(_) => {
            Failure(export_message(lang, &e))
        }
        other => Failure::from(other),
    }
}

/// An export error as one message in `lang` (the TUI shows it on one line).
pub(crate) fn export_message(lang: Lang, e: &ExportError) -> String {
    match e {
        ExportError::Folder {
            path,
            exists,
            source,
        } => {
            let key = if *exists {
                "export.folder.write"
            } else {
                "export.folder.make"
            };
            tf(
                lang,
                key,
                &[
                    ("dir", &shown(path)),
                    ("why", &io_why(lang, source, "export.folder.why.missing")),
                ],
            )
        }
        ExportError::Key { path, problem } => key_problem(lang, path, problem),
        ExportError::WrongPassphrase(path) => {
            tf(lang, "key.wrong_passphrase", &[("file", &shown(path))])
        }
        other => other.to_string(),
    }
}

/// What is wrong with the key file at `path`.
pub(crate) fn key_problem(lang: Lang, path: &Path, p: &KeyProblem) -> String {
    let file = shown(path);
    match p {
        KeyProblem::Exists => tf(lang, "key.exists", &[("file", &file)]),
        KeyProblem::Generate(e) => tf(lang, "key.generate", &[("file", &file), ("error", e)]),
        KeyProblem::Unreadable { public, source } => tf(
            lang,
            if *public {
                "key.unreadable.public"
            } else {
                "key.unreadable.secret"
            },
            &[
                ("file", &file),
                ("why", &io_why(lang, source, "io.why.no_file")),
            ],
        ),
        // minisign's detail ("base64 conversion failed…") tells a user nothing more than
        // that this is not the key file: it stays in the error's Display.
        KeyProblem::NotSecret(_) => tf(lang, "key.not_secret", &[("file", &file)]),
        KeyProblem::NotPublic(_) => tf(lang, "key.not_public", &[("file", &file)]),
        KeyProblem::NoPassphrase => tf(lang, "key.no_passphrase", &[("file", &file)]),
        KeyProblem::Decrypt(e) => tf(lang, "key.decrypt", &[("file", &file), ("error", e)]),
    }
}

/// One problem `casepanel check` found.
pub(crate) fn check_problem(lang: Lang, p: &Problem) -> String {
    let records = |r: &Records| match r {
        Records::Signed => t(lang, "check.records.signed"),
        Records::Exported => t(lang, "check.records.exported"),
    };
    match p {
        Problem::Integrity(Integrity::Sqlite(line)) => {
            tf(lang, "check.problem.sqlite", &[("line", line)])
        }
        Problem::Integrity(Integrity::ForeignKey { table, row, parent }) => tf(
            lang,
            "check.problem.foreign_key",
            &[
                ("table", table),
                ("row", &row.to_string()),
                ("parent", parent),
            ],
        ),
        Problem::NoTrail => t(lang, "check.problem.no_trail").to_string(),
        Problem::Trigger(tp) => match tp {
            TriggerProblem::Missing { name, table } => tf(
                lang,
                "check.problem.trigger_missing",
                &[("name", name), ("table", table)],
            ),
            TriggerProblem::Changed { name, table } => tf(
                lang,
                "check.problem.trigger_changed",
                &[("name", name), ("table", table)],
            ),
            TriggerProblem::Stray { name } => {
                tf(lang, "check.problem.trigger_stray", &[("name", name)])
            }
            TriggerProblem::Unprotected { name } => {
                tf(lang, "check.problem.trigger_unprotected", &[("name", name)])
            }
        },
        Problem::Unreadable {
            records: r,
            id,
            error,
        } => tf(
            lang,
            "check.problem.unreadable",
            &[("records", records(r)), ("id", id), ("error", error)],
        ),
        Problem::HeadGone {
            records: r,
            id,
            row,
        } => tf(
            lang,
            "check.problem.head_gone",
            &[
                ("records", records(r)),
                ("id", id),
                ("row", &row.to_string()),
            ],
        ),
        Problem::HeadRewritten {
            records: r,
            id,
            row,
            signed,
            now,
        } => tf(
            lang,
            "check.problem.head_rewritten",
            &[
                ("records", records(r)),
                ("id", id),
                ("row", &row.to_string()),
                ("signed", signed),
                ("now", now),
            ],
        ),
        Problem::BytesChanged { id } => tf(lang, "check.problem.bytes_changed", &[("id", id)]),
        Problem::BytesNotAudited { id } => {
            tf(lang, "check.problem.bytes_not_audited", &[("id", id)])
        }
    }
}

/// Why the first broken link of the audit chain does not hold.
pub(crate) fn broken_link(lang: Lang, b: &BrokenLink) -> String {
    match *b {
        BrokenLink::Start { row } => tf(
            lang,
            "check.link.start",
            &[("row", &row.to_string()), ("last", &(row - 1).to_string())],
        ),
        BrokenLink::Gap { row, after } => tf(
            lang,
            "check.link.gap",
            &[("row", &row.to_string()), ("after", &after.to_string())],
        ),
        BrokenLink::Hash { row } => tf(
            lang,
            "check.link.hash",
            &[
                ("row", &row.to_string()),
                ("previous", &(row - 1).to_string()),
            ],
        ),
    }
}

/// A bad operator name, given at `place` (`--operator`, the environment variable, the
/// config file's `operator`).
pub(crate) fn operator_failure(lang: Lang, place: &str, e: &OperatorError) -> Failure {
    let why = match *e {
        OperatorError::Empty => t(lang, "operator.error.empty").to_string(),
        OperatorError::TooLong { max } => tf(
            lang,
            "operator.error.too_long",
            &[("max", &max.to_string())],
        ),
    };
    Failure(format!("{place}{}{why}", colon(lang)))
}
