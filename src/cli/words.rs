//! The errors and problems made below the command line, told in the user's language.
//!
//! The store and the check give a kind and its arguments (names, ids, rows) —
//! `check::Problem`, `BrokenLink`, `OperatorError` — never words in a language; their
//! `Display` is English, for tests and logs. The words are here, from
//! `src/i18n/strings.rs`: what failed, where, and how to fix it.

use super::Failure;
use crate::check::{Problem, Records};
use crate::i18n::{Lang, colon, t, tf};
use crate::store::Integrity;
use crate::store::audit::{BrokenLink, OperatorError, TriggerProblem};

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
