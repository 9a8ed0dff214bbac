//! The errors and problems made below the command line, told in the user's language.
//!
//! The store, the export and the check give a kind and its arguments (paths, ids, the
//! system's own detail) — `BackupError`, `KeyProblem`, `ExportError::Folder`,
//! `check::Problem`, `BrokenLink`, `OperatorError` — never words in a language; their
//! `Display` is English, for tests and logs. The words are here, from
//! `src/i18n/strings.rs`: what failed, where, and how to fix it.

use std::path::Path;

use super::Failure;
use crate::check::{Problem, Records};
use crate::export::{ExportError, KeyProblem, Refusal, first_ids};
use crate::i18n::{Lang, colon, t, tf};
use crate::store::Integrity;
use crate::store::StoreError;
use crate::store::audit::{BrokenLink, OperatorError, TriggerProblem};
use crate::store::backup::{BACKUP_EXAMPLE, BackupError, Step};

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

/// A store error in the user's language where the store says what it is (a database that
/// cannot be opened, a backup's or a restore's); any other as the store tells it.
pub(crate) fn store_failure(lang: Lang, e: StoreError) -> Failure {
    Failure(store_message(lang, &e))
}

/// A store error as one message in `lang`.
pub(crate) fn store_message(lang: Lang, e: &StoreError) -> String {
    match e {
        StoreError::NotSqlite { path } => tf(lang, "db.not_sqlite", &[("db", &shown(path))]),
        StoreError::ForeignDatabase { path, found } => tf(
            lang,
            "db.foreign",
            &[("db", &shown(path)), ("found", &format!("{found:#x}"))],
        ),
        StoreError::NewerSchema { path, found, known } => tf(
            lang,
            "db.newer",
            &[
                ("db", &shown(path)),
                ("found", &found.to_string()),
                ("known", &known.to_string()),
            ],
        ),
        StoreError::Encrypted { path } => tf(lang, "db.encrypted", &[("db", &shown(path))]),
        StoreError::WrongPassphrase { path } => {
            tf(lang, "db.wrong_passphrase", &[("db", &shown(path))])
        }
        StoreError::NoFolder { dir, source } => tf(
            lang,
            "db.no_folder",
            &[
                ("dir", &shown(dir)),
                ("why", &io_why(lang, source, "export.folder.why.missing")),
            ],
        ),
        StoreError::Unreadable { path, source } => tf(
            lang,
            "db.unreadable",
            &[("db", &shown(path)), ("error", &source.to_string())],
        ),
        StoreError::Open { path, source } => tf(
            lang,
            "db.open_failed",
            &[("db", &shown(path)), ("error", &source.to_string())],
        ),
        StoreError::Backup(b) => backup_error(lang, b),
        other => other.to_string(),
    }
}

/// What went wrong in a backup or a restore.
pub(crate) fn backup_error(lang: Lang, e: &BackupError) -> String {
    match e {
        BackupError::NoDatabase(p) => tf(lang, "cli.no_database", &[("db", &shown(p))]),
        BackupError::OutIsFolder(p) => tf(
            lang,
            "backup.is_folder",
            &[
                ("file", &shown(p)),
                ("example", &shown(&p.join(BACKUP_EXAMPLE))),
            ],
        ),
        BackupError::OutExists(p) => tf(lang, "backup.exists", &[("file", &shown(p))]),
        BackupError::OutIsDatabase(p) => tf(lang, "backup.is_database", &[("file", &shown(p))]),
        BackupError::NoSuchFile(p) => tf(lang, "backup.no_file", &[("file", &shown(p))]),
        BackupError::InUse(p) => tf(lang, "backup.in_use", &[("db", &shown(p))]),
        BackupError::KeepExists(p) => tf(lang, "backup.keep_exists", &[("file", &shown(p))]),
        BackupError::NoTempName(p) => tf(lang, "backup.no_temp", &[("dir", &shown(p))]),
        BackupError::Io { path, step, source } => {
            let step = match step {
                Step::CreateFile => "backup.step.create_file",
                Step::SyncFile => "backup.step.sync_file",
                Step::SyncFolder => "backup.step.sync_folder",
                Step::ReadCopy => "backup.step.read_copy",
                Step::WriteBackup => "backup.step.write",
                Step::CreateFolder => "backup.step.create_folder",
                Step::KeepOld => "backup.step.keep_old",
                Step::RemoveJournal => "backup.step.remove_journal",
                Step::Install => "backup.step.install",
            };
            tf(
                lang,
                "backup.io",
                &[
                    ("path", &shown(path)),
                    ("step", t(lang, step)),
                    ("why", &io_why(lang, source, "io.why.no_folder")),
                ],
            )
        }
    }
}

/// An export's or a key's failure in the user's language where it is one they can fix
/// themselves (the folder, the key file, the passphrase); any other as it is.
pub(crate) fn export_failure(lang: Lang, e: ExportError) -> Failure {
    match e {
        ExportError::Folder { .. }
        | ExportError::Key { .. }
        | ExportError::WrongPassphrase(_)
        | ExportError::Refused(_) => Failure(export_message(lang, &e)),
        ExportError::Store(s) => store_failure(lang, s),
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
        ExportError::Refused(r) => refusal(lang, r),
        ExportError::Store(s) => store_message(lang, s),
        other => other.to_string(),
    }
}

/// Why an export was refused as asked, and what to give instead.
pub(crate) fn refusal(lang: Lang, r: &Refusal) -> String {
    match r {
        Refusal::NoSigner => t(lang, "export.no_signer").to_string(),
        Refusal::PeriodBackwards { from, to } => tf(
            lang,
            "export.period_backwards",
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
        Refusal::NothingInPeriod { from, to } => tf(
            lang,
            "export.nothing_in_period",
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
        Refusal::UnsignedInPeriod { from, to, ids } => tf(
            lang,
            "export.unsigned_in_period",
            &[
                ("count", &ids.len().to_string()),
                ("from", &from.to_string()),
                ("to", &to.to_string()),
                ("ids", &id_list(lang, ids)),
            ],
        ),
        Refusal::NoneNamed => t(lang, "export.none_named").to_string(),
        Refusal::NoDecision { id } => tf(lang, "export.no_decision", &[("id", &id.to_string())]),
        Refusal::NoSession { id } => tf(lang, "export.no_session", &[("id", &id.to_string())]),
        Refusal::Draft { id, signing } => tf(
            lang,
            if *signing {
                "sign.draft"
            } else {
                "export.draft"
            },
            &[("id", &id.to_string())],
        ),
        Refusal::NotSigned { id, record } => tf(
            lang,
            "export.not_signed",
            &[("id", &id.to_string()), ("record", record)],
        ),
        Refusal::UnsignedInSession { session, ids } => tf(
            lang,
            "export.unsigned_in_session",
            &[
                ("session", &session.to_string()),
                ("count", &ids.len().to_string()),
                ("ids", &id_list(lang, ids)),
            ],
        ),
        Refusal::OtherKey {
            id,
            signed_with,
            given,
        } => tf(
            lang,
            "export.other_key",
            &[
                ("id", &id.to_string()),
                ("signed_with", signed_with),
                ("given", given),
            ],
        ),
        Refusal::ExtraFile { folder, name } => tf(
            lang,
            "export.extra_file",
            &[("dir", &shown(folder)), ("name", &shown(Path::new(name)))],
        ),
        Refusal::AlreadySigned { id } => {
            tf(lang, "sign.already_signed", &[("id", &id.to_string())])
        }
        Refusal::PaperRecord { id } => tf(lang, "sign.paper_record", &[("id", &id.to_string())]),
    }
}

/// The first ten of `ids`, and how many more, in `lang`.
fn id_list(lang: Lang, ids: &[String]) -> String {
    // "{}": the number left out, filled by `first_ids`.
    let more = tf(lang, "export.ids_more", &[("ids", ""), ("more", "{}")]);
    first_ids(ids, &more)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};
    use std::path::PathBuf;

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| {
            matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
        })
    }

    /// Every kind, worded in both languages: the English has no Chinese, the Chinese has
    /// no English words of its own (only names, flags, paths and the system's detail), and
    /// no key or placeholder is left unresolved.
    #[test]
    fn every_kind_is_worded_in_both_languages() {
        let p = || PathBuf::from("dir/x.db");
        let io = |k| Error::new(k, "os says no");
        let mut said: Vec<(String, String)> = Vec::new();
        let mut both = |f: &dyn Fn(Lang) -> String| said.push((f(Lang::En), f(Lang::Zh)));
        let backups = || {
            let mut v = vec![
                BackupError::NoDatabase(p()),
                BackupError::OutIsFolder(p()),
                BackupError::OutExists(p()),
                BackupError::OutIsDatabase(p()),
                BackupError::NoSuchFile(p()),
                BackupError::InUse(p()),
                BackupError::KeepExists(p()),
                BackupError::NoTempName(p()),
            ];
            for step in [
                Step::CreateFile,
                Step::SyncFile,
                Step::SyncFolder,
                Step::ReadCopy,
                Step::WriteBackup,
                Step::CreateFolder,
                Step::KeepOld,
                Step::RemoveJournal,
                Step::Install,
            ] {
                for k in [
                    ErrorKind::PermissionDenied,
                    ErrorKind::NotFound,
                    ErrorKind::StorageFull,
                ] {
                    v.push(BackupError::Io {
                        path: p(),
                        step,
                        source: io(k),
                    });
                }
            }
            v
        };
        for i in 0..backups().len() {
            both(&|lang| backup_error(lang, &backups()[i]));
        }
        let keys = || {
            vec![
                KeyProblem::Exists,
                KeyProblem::Generate("rng".into()),
                KeyProblem::Unreadable {
                    public: true,
                    source: io(ErrorKind::NotFound),
                },
                KeyProblem::Unreadable {
                    public: false,
                    source: io(ErrorKind::PermissionDenied),
                },
                KeyProblem::NotSecret("base64".into()),
                KeyProblem::NotPublic("base64".into()),
                KeyProblem::NoPassphrase,
                KeyProblem::Decrypt("scrypt".into()),
            ]
        };
        for i in 0..keys().len() {
            both(&|lang| key_problem(lang, &p(), &keys()[i]));
        }
        both(&|lang| export_message(lang, &ExportError::WrongPassphrase(p())));
        let opens = || {
            vec![
                StoreError::NotSqlite { path: p() },
                StoreError::ForeignDatabase {
                    path: p(),
                    found: 0x1234,
                },
                StoreError::NewerSchema {
                    path: p(),
                    found: 42,
                    known: 15,
                },
                StoreError::Encrypted { path: p() },
                StoreError::WrongPassphrase { path: p() },
                StoreError::Open {
                    path: p(),
                    source: rusqlite::Error::InvalidPath(p()),
                },
                StoreError::NoFolder {
                    dir: p(),
                    source: std::io::ErrorKind::PermissionDenied.into(),
                },
                StoreError::Unreadable {
                    path: p(),
                    source: std::io::ErrorKind::PermissionDenied.into(),
                },
            ]
        };
        for i in 0..opens().len() {
            both(&|lang| store_failure(lang, opens().remove(i)).0);
            // An export that opens a database tells it the same way.
            both(&|lang| export_message(lang, &ExportError::Store(opens().remove(i))));
        }
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let refusals = || {
            vec![
                Refusal::NoSigner,
                Refusal::PeriodBackwards {
                    from: day(9),
                    to: day(2),
                },
                Refusal::NothingInPeriod {
                    from: day(2),
                    to: day(9),
                },
                Refusal::UnsignedInPeriod {
                    from: day(2),
                    to: day(9),
                    ids: vec!["1".into()],
                },
                Refusal::UnsignedInPeriod {
                    from: day(2),
                    to: day(9),
                    ids: (1..=12).map(|i| i.to_string()).collect(),
                },
                Refusal::NoneNamed,
                Refusal::NoDecision { id: 7 },
                Refusal::NoSession { id: 3 },
                Refusal::Draft {
                    id: 7,
                    signing: false,
                },
                Refusal::Draft {
                    id: 7,
                    signing: true,
                },
                Refusal::NotSigned {
                    id: 7,
                    record: "R-000007".into(),
                },
                Refusal::UnsignedInSession {
                    session: 3,
                    ids: vec!["7".into(), "8".into()],
                },
                Refusal::UnsignedInSession {
                    session: 3,
                    ids: vec!["7".into()],
                },
                Refusal::OtherKey {
                    id: 7,
                    signed_with: "AB12".into(),
                    given: "CD34".into(),
                },
                Refusal::ExtraFile {
                    folder: "/tmp/export".into(),
                    name: "notes.txt".into(),
                },
                Refusal::AlreadySigned { id: 7 },
                Refusal::PaperRecord { id: 7 },
            ]
        };
        for i in 0..refusals().len() {
            both(&|lang| export_failure(lang, refusals().remove(i).into()).0);
        }
        // The English says what the store's English Display says.
        for e in opens() {
            let mut d = e.to_string();
            if matches!(e, StoreError::NewerSchema { .. }) {
                d.push_str(" Nothing was changed.");
            }
            if let StoreError::NoFolder { .. } = e {
                // The English gives the reason in its own words.
                let m = store_message(Lang::En, &e);
                assert!(
                    m.contains(": cannot create the database's folder: you may not write there."),
                    "{m}"
                );
            } else if let StoreError::Open { .. } | StoreError::Unreadable { .. } = e {
                assert!(store_message(Lang::En, &e).starts_with(&d), "{d}");
            } else {
                assert_eq!(store_message(Lang::En, &e), d);
            }
        }
        let problems = [
            Problem::Integrity(Integrity::Sqlite("*** in database main ***".into())),
            Problem::Integrity(Integrity::ForeignKey {
                table: "visit".into(),
                row: 4,
                parent: "case_file".into(),
            }),
            Problem::NoTrail,
            Problem::Trigger(TriggerProblem::Missing {
                name: "audit_row_t_upd".into(),
                table: "t".into(),
            }),
            Problem::Trigger(TriggerProblem::Changed {
                name: "audit_row_t_upd".into(),
                table: "t".into(),
            }),
            Problem::Trigger(TriggerProblem::Stray {
                name: "audit_row_u_upd".into(),
            }),
            Problem::Trigger(TriggerProblem::Unprotected {
                name: "audit_no_update".into(),
            }),
            Problem::Unreadable {
                records: Records::Exported,
                id: "D-000001".into(),
                error: "not JSON".into(),
            },
            Problem::HeadGone {
                records: Records::Signed,
                id: "D-000001".into(),
                row: 9,
            },
            Problem::HeadRewritten {
                records: Records::Exported,
                id: "D-000001".into(),
                row: 9,
                signed: "0123456789ab".into(),
                now: "ba9876543210".into(),
            },
            Problem::BytesChanged {
                id: "D-000001".into(),
            },
            Problem::BytesNotAudited {
                id: "D-000001".into(),
            },
        ];
        for pr in &problems {
            both(&|lang| check_problem(lang, pr));
        }
        for b in [
            BrokenLink::Start { row: 5 },
            BrokenLink::Gap { row: 7, after: 5 },
            BrokenLink::Hash { row: 7 },
        ] {
            both(&|lang| broken_link(lang, &b));
        }
        for e in [OperatorError::Empty, OperatorError::TooLong { max: 60 }] {
            both(&|lang| operator_failure(lang, "--operator", &e).0);
        }
        // The English says what the English Display says, where the store has its words.
        assert_eq!(
            check_problem(Lang::En, &problems[1]),
            problems[1].to_string()
        );
        assert_eq!(
            broken_link(Lang::En, &BrokenLink::Hash { row: 7 }),
            BrokenLink::Hash { row: 7 }.to_string()
        );
        for (en, zh) in &said {
            assert!(!has_han(en), "{en}");
            assert!(has_han(zh), "{zh}");
            for s in [en, zh] {
                assert!(!s.contains('{') && !s.contains('}'), "{s}");
                assert!(
                    !s.starts_with("backup.")
                        && !s.starts_with("check.")
                        && !s.starts_with("key.")
                        && !s.starts_with("db.")
                        && !s.starts_with("export.")
                        && !s.contains("io.why")
                        && !s.contains("operator.error"),
                    "{s}"
                );
            }
            for english in [
                "cannot",
                "the file",
                "folder",
                "trigger ",
                "signed",
                "record ",
                "the passphrase",
                "name is",
                "row ",
                "this database",
                "wrong",
            ] {
                assert!(!zh.contains(english), "{english}: {zh}");
            }
        }
        assert_eq!(said.len(), 8 + 27 + 8 + 1 + 16 + 12 + 17 + 3 + 2);
        let unsigned = |lang, n: usize| {
            refusal(
                lang,
                &Refusal::UnsignedInPeriod {
                    from: day(2),
                    to: day(9),
                    ids: (1..=n).map(|i| i.to_string()).collect(),
                },
            )
        };
        let many = unsigned(Lang::En, 12);
        assert!(
            many.starts_with("12 decisions from 2026-01-02 to 2026-01-09 are sealed")
                && many.contains("(ids 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more): run"),
            "{many}"
        );
        let many = unsigned(Lang::Zh, 12);
        assert!(
            many.contains("有 12 份决定")
                && many.contains("（编号 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 等（另有 2 份））"),
            "{many}"
        );
        let one = unsigned(Lang::En, 1);
        assert!(
            one.starts_with("1 decision from")
                && one.contains("is sealed but not signed yet (ids 1): run"),
            "{one}"
        );
    }
}
