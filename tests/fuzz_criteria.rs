//! Fuzzing the criteria loader on stable (proptest): any text — random bytes, random TOML,
//! and the shipped catalogue with random edits — either loads or gives problems with
//! their lines; it never panics, and a loaded catalogue scores without panicking.
//!
//! CI runs a short campaign; `CASEPANEL_FUZZ_CASES=200000 cargo test --release --test
//! fuzz_criteria` runs a long one.

use proptest::prelude::*;

use casepanel::domain::assessment::{Answer, AnswerEntry, Answers};
use casepanel::domain::criteria::{load, scoring};

const SHIPPED: &str = include_str!("../assets/criteria/liaoning-2014.toml");

fn cases() -> u32 {
    std::env::var("CASEPANEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// Loads `text`; when it loads, scores it with every indicator met and then unknown.
fn exercise(text: &str) {
    match load::load_str(text, "fuzz.toml") {
        Ok(cat) => {
            for answer in [Answer::Met, Answer::Unknown, Answer::NotMet] {
                let answers: Answers = cat
                    .indicators
                    .iter()
                    .map(|i| {
                        (
                            i.id.clone(),
                            AnswerEntry {
                                answer,
                                evidence: String::new(),
                            },
                        )
                    })
                    .collect();
                let _ = scoring::score(&cat, &answers);
            }
        }
        Err(e) => {
            // Every problem says something.
            assert!(!e.to_string().trim().is_empty());
        }
    }
}

/// One random edit of the shipped catalogue: delete, duplicate or replace a span, or
/// insert hostile bytes.
fn mutate(base: &str, op: u8, at: usize, len: usize, junk: &str) -> String {
    let b: Vec<char> = base.chars().collect();
    let at = at % b.len();
    let end = (at + len).min(b.len());
    let (head, rest) = b.split_at(at);
    let (mid, tail) = rest.split_at(end - at);
    let s = |v: &[char]| v.iter().collect::<String>();
    match op % 4 {
        0 => s(head) + &s(tail),
        1 => s(head) + &s(mid) + &s(mid) + &s(tail),
        2 => s(head) + junk + &s(tail),
        _ => s(head) + junk + &s(mid) + &s(tail),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,400}") {
        exercise(&s);
    }

    #[test]
    fn random_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn edits_of_the_shipped_catalogue_never_panic(
        op in any::<u8>(),
        at in any::<usize>(),
        len in 0usize..200,
        junk in prop_oneof![
            Just(String::new()),
            Just("\x1b]52;c;ZXZpbA==\x07".to_string()),
            Just("level = 0\n".to_string()),
            Just("[[indicator]]\n".to_string()),
            Just("points = -9999999999999999999\n".to_string()),
            Just("\"\"\"".to_string()),
            "[ -~]{0,40}",
        ],
    ) {
        exercise(&mutate(SHIPPED, op, at, len, &junk));
    }
}
