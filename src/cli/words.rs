//! The errors and problems made below the command line, told in the user's language.
//!
//! The store gives a kind and its arguments — `OperatorError` — never words in a
//! language; its `Display` is English, for tests and logs. The words are here, from
//! `src/i18n/strings.rs`: what failed, where, and how to fix it.

use super::Failure;
use crate::i18n::{Lang, colon, t, tf};
use crate::store::audit::OperatorError;

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
