//! The one home of every user-facing string, in Chinese (zh-CN, the first language) and
//! English.
//!
//! # Using it
//!
//! ```
//! use casepanel::i18n::{Lang, t, tf, label};
//! use casepanel::domain::report::Channel;
//!
//! assert_eq!(t(Lang::Zh, "level.1"), "一级风险");
//! assert_eq!(label(Lang::Zh, Channel::Teacher), "教师");
//! assert_eq!(tf(Lang::En, "level.1", &[]), "Level 1");
//! ```
//!
//! # Adding a string
//!
//! 1. Pick a key: lowercase ASCII, dotted, most general part first, e.g.
//!    `dashboard.active_cases` or `session.quorum_met`. Labels of the closed vocabularies
//!    in `crate::domain` (the `code_enum!` types) live at `"<KIND>.<code>"`, e.g.
//!    `channel.teacher`; adding a variant to such an enum means adding its line here.
//! 2. Add one line to [`strings::STRINGS`] in `src/i18n/strings.rs`,
//!    `("key", "中文", "English"),`, at its place in byte order (the order of
//!    `LC_ALL=C sort`; `.` sorts before `_` and digits before letters). Use the terms of the
//!    "Words" table in `ui-sketch.md` and of `domain.md`.
//! 3. For values that change, write placeholders `{name}` (ASCII letters, digits, `_`) in
//!    both languages and call [`tf`]: `tf(lang, "queue.overdue", &[("days", "41")])`.
//!    A placeholder without a value stays as written, so a missing one shows on screen.
//!    English words that follow a number take its form with `{name|one|other}`:
//!    `"{n} {n|case|cases}"` reads "1 case", "2 cases" (the value 1 picks the first form).
//! 4. Run `cargo test --lib i18n::`: it checks the order, that keys are unique, that every
//!    `code_enum!` value in `src/domain` has a label in both languages, and that labels
//!    are distinct within their kind.
//!
//! An unknown key is not a crash: [`t`] returns the key itself, so it shows on screen.

pub mod strings;

use std::fmt;
use std::str::FromStr;

use crate::domain::RiskLevel;
use crate::domain::codes::Code;

pub use strings::STRINGS;

/// A UI language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (zh-CN), the first language.
    Zh,
    /// English.
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The language the environment asks for: the first non-empty of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` decides; Chinese if it starts with `zh`, else English.
    pub fn from_env() -> Lang {
        let var = |name| std::env::var(name).ok();
        Lang::from_locale_vars(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// [`Lang::from_env`] on given values, for tests and callers that read the
    /// environment themselves.
    pub fn from_locale_vars(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let locale = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty());
        match locale {
            Some(v) if v.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("zh")) => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// Parses a language name or locale: `zh`, `zh-CN`, `zh_CN.UTF-8`, `zh-Hans`, `中文`,
    /// `en`, `en-US`, `en_GB.UTF-8`, `english` … (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        let base = s.trim().split(['.', '@']).next().unwrap_or_default();
        let language = base
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match language.as_str() {
            "zh" | "cn" | "chs" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// `zh-CN` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, for a language switch: `中文`, `English`.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::parse(s).ok_or_else(|| format!("unknown language `{s}`; expected zh or en"))
    }
}

type Row = (&'static str, &'static str, &'static str);

/// The row whose key is the concatenation of `parts`, without building the key.
fn find(parts: &[&str]) -> Option<&'static Row> {
    STRINGS
        .binary_search_by(|(k, _, _)| k.bytes().cmp(parts.iter().flat_map(|p| p.bytes())))
        .ok()
        .map(|i| &STRINGS[i])
}

fn pick(lang: Lang, row: &'static Row) -> &'static str {
    match lang {
        Lang::Zh => row.1,
        Lang::En => row.2,
    }
}

/// The string for `key` in `lang`; an unknown key comes back as itself, so it shows on
/// screen instead of crashing. With a `&'static str` key the result is `&'static str`.
pub fn t(lang: Lang, key: &str) -> &str {
    match find(&[key]) {
        Some(row) => pick(lang, row),
        None => key,
    }
}

/// The string for `key` in `lang`, if the table has it. Unlike [`t`], the result is
/// `'static` even when the key was built at run time.
pub fn get(lang: Lang, key: &str) -> Option<&'static str> {
    find(&[key]).map(|row| pick(lang, row))
}

/// Whether `key` is in the table.
pub fn has(key: &str) -> bool {
    find(&[key]).is_some()
}

/// [`t`] with `{name}` placeholders replaced by `args` (`[("name", value)]`).
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(t(lang, key), args)
}

/// Replaces each `{name}` in `template` with its value from `args`, and each
/// `{name|one|other}` with `one` when the value is 1 (digit grouping aside), else `other`.
/// Values are inserted as they are and not scanned again; a placeholder with no value, and
/// braces that do not form a placeholder, stay as written.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let is_name =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let inner = after.find('}').map(|close| (close, &after[..close]));
        let forms = inner.and_then(|(close, s)| {
            let mut parts = s.split('|');
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(name), Some(one), Some(other), None) if is_name(name) => {
                    Some((close, name, one, other))
                }
                _ => None,
            }
        });
        match (inner, forms) {
            (_, Some((close, name, one, other))) => {
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, value)) if value.replace(',', "") == "1" => out.push_str(one),
                    Some(_) => out.push_str(other),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            (Some((close, name)), None) if is_name(name) => {
                match args.iter().find(|(k, _)| *k == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The label of a closed-vocabulary value, from the key `"<KIND>.<code>"`
/// (`label(Lang::Zh, Channel::Teacher) == "教师"`). A value with no label comes back as
/// its code (a test makes sure none is missing).
pub fn label<T: Code>(lang: Lang, v: T) -> &'static str {
    match find(&[T::KIND, ".", v.code()]) {
        Some(row) => pick(lang, row),
        None => v.code(),
    }
}

/// Punctuation that differs between the languages: `：` / `: `.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

/// Between the items of a list: `、` / `, `.
pub fn list_sep(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    }
}

/// An aside in brackets: `（x）` / ` (x)`.
pub fn aside(lang: Lang, x: &str) -> String {
    match lang {
        Lang::Zh => format!("（{x}）"),
        Lang::En => format!(" ({x})"),
    }
}

/// Between clauses: `；` / `; `.
pub fn semicolon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    }
}

/// `一级风险` / `Level 1`.
pub fn level(lang: Lang, level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::L1 => t(lang, "level.1"),
        RiskLevel::L2 => t(lang, "level.2"),
        RiskLevel::L3 => t(lang, "level.3"),
    }
}

/// `一级` / `L1`.
pub fn level_short(lang: Lang, level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::L1 => t(lang, "level.short.1"),
        RiskLevel::L2 => t(lang, "level.short.2"),
        RiskLevel::L3 => t(lang, "level.short.3"),
    }
}

/// [`level`], or `暂无风险等级` / `No risk level` for a case not yet graded.
pub fn level_or_none(lang: Lang, level: Option<RiskLevel>) -> &'static str {
    match level {
        Some(l) => self::level(lang, l),
        None => t(lang, "level.none"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assessment::Answer;
    use crate::domain::case::{CaseStatus, ClosingReason};
    use crate::domain::child::Sex;
    use crate::domain::decision::{DecisionStatus, InterventionStatus, ReviewKind};
    use crate::domain::difficulty::DifficultyType;
    use crate::domain::guardian::{GuardianStatus, Relation};
    use crate::domain::panel::{AgendaOutcome, Discipline, SessionStatus};
    use crate::domain::region::RegionLevel;
    use crate::domain::report::Channel;
    use std::collections::{BTreeMap, HashSet};
    use std::path::{Path, PathBuf};

    #[test]
    fn keys_are_sorted_and_unique() {
        for pair in STRINGS.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "strings.rs: `{}` must come after `{}` (sorted by key, no repeats)",
                pair[0].0,
                pair[1].0
            );
        }
    }

    #[test]
    fn rows_are_well_formed() {
        for (key, zh, en) in STRINGS {
            assert!(
                !key.is_empty()
                    && key.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'.'
                        || b == b'_'),
                "key `{key}`: lowercase ASCII, digits, `.` and `_` only"
            );
            for s in [zh, en] {
                assert!(!s.trim().is_empty(), "`{key}` has an empty text");
                assert_eq!(s.trim(), *s, "`{key}`: no leading or trailing spaces");
                assert_eq!(
                    crate::text::sanitize(s),
                    *s,
                    "`{key}`: control or invisible character"
                );
            }
            // Placeholders must agree between the languages.
            let names = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                    .map(|n| n.split('|').next().unwrap_or_default().to_owned())
                    .collect();
                v.sort();
                v.dedup();
                v
            };
            assert_eq!(
                names(zh),
                names(en),
                "`{key}`: placeholders differ between zh and en"
            );
        }
    }

    fn check_kind<T: Code + std::fmt::Debug>() {
        let mut zh_seen = HashSet::new();
        let mut en_seen = HashSet::new();
        for &v in T::all() {
            let key = format!("{}.{}", T::KIND, v.code());
            assert!(
                has(&key),
                "missing label `{key}` for {v:?} in i18n/strings.rs"
            );
            let (zh, en) = (label(Lang::Zh, v), label(Lang::En, v));
            assert!(!zh.is_empty() && !en.is_empty(), "{key}");
            assert_eq!(zh, t(Lang::Zh, &key));
            assert_eq!(en, t(Lang::En, &key));
            assert!(
                zh_seen.insert(zh),
                "two {} values share the zh label `{zh}`",
                T::KIND
            );
            assert!(
                en_seen.insert(en),
                "two {} values share the en label `{en}`",
                T::KIND
            );
        }
    }

    #[test]
    fn every_code_value_has_labels() {
        check_kind::<Sex>();
        check_kind::<RegionLevel>();
        check_kind::<Relation>();
        check_kind::<GuardianStatus>();
        check_kind::<DifficultyType>();
        check_kind::<CaseStatus>();
        check_kind::<ClosingReason>();
        check_kind::<Channel>();
        check_kind::<Discipline>();
        check_kind::<SessionStatus>();
        check_kind::<AgendaOutcome>();
        check_kind::<Answer>();
        check_kind::<DecisionStatus>();
        check_kind::<ReviewKind>();
        check_kind::<InterventionStatus>();
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src/domain") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    fn quoted(s: &str) -> Option<&str> {
        let start = s.find('"')? + 1;
        let len = s[start..].find('"')?;
        Some(&s[start..start + len])
    }

    /// Every `code_enum!` in `src/domain`, read from the source: kind and codes. Catches an
    /// enum added after this list of types was written.
    fn declared_code_enums() -> BTreeMap<String, Vec<String>> {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain"),
            &mut files,
        );
        let mut found = BTreeMap::new();
        for path in files {
            let src = std::fs::read_to_string(&path).expect("read source");
            let mut lines = src.lines().map(str::trim);
            while let Some(line) = lines.next() {
                if !line.starts_with("code_enum!") {
                    continue;
                }
                // Up to the header `pub enum Name: "kind" {`.
                let Some(header) = lines.find(|l| l.contains("enum ") && l.ends_with('{')) else {
                    break;
                };
                let kind = quoted(header).expect("code_enum! header names its kind");
                let codes: Vec<String> = lines
                    .by_ref()
                    .take_while(|l| !l.starts_with('}'))
                    .filter(|l| !l.starts_with("//") && !l.starts_with('#'))
                    .filter_map(|l| l.split_once('=').and_then(|(_, r)| quoted(r)))
                    .map(str::to_owned)
                    .collect();
                found.insert(kind.to_owned(), codes);
            }
        }
        found
    }

    #[test]
    fn every_code_enum_in_the_source_has_labels() {
        let enums = declared_code_enums();
        assert!(enums.len() >= 15, "found only {:?}", enums.keys());
        for (kind, codes) in &enums {
            assert!(!codes.is_empty(), "no codes read for `{kind}`");
            let mut zh_seen = HashSet::new();
            for code in codes {
                let key = format!("{kind}.{code}");
                assert!(has(&key), "missing label `{key}` in i18n/strings.rs");
                assert!(
                    zh_seen.insert(get(Lang::Zh, &key)),
                    "`{key}`: zh label repeated in `{kind}`"
                );
            }
        }
    }

    #[test]
    fn domain_terms() {
        let zh = |k: &'static str| -> &'static str { t(Lang::Zh, k) };
        assert_eq!(zh("difficulty.wandering"), "流浪");
        assert_eq!(
            zh("difficulty.trafficked_abused_abandoned"),
            "拐卖/虐待/遗弃/非法雇佣"
        );
        assert_eq!(
            zh("difficulty.parent_addiction_prison"),
            "酗酒/吸毒/服刑人员子女"
        );
        assert_eq!(zh("channel.teacher"), "教师");
        assert_eq!(zh("channel.night_guard"), "小区夜间保安");
        assert_eq!(zh("channel.assistance_info_officer"), "社区救助信息员");
        assert_eq!(zh("guardian_status.in_prison"), "服刑");
        assert_eq!(zh("case_status.awaiting_panel"), "待专家组评估");
        assert_eq!(zh("case_status.active"), "在册");
        assert_eq!(label(Lang::En, Sex::Female), "Female");
    }

    #[test]
    fn levels() {
        assert_eq!(level(Lang::Zh, RiskLevel::L1), "一级风险");
        assert_eq!(level(Lang::En, RiskLevel::L3), "Level 3");
        assert_eq!(level_short(Lang::Zh, RiskLevel::L2), "二级");
        assert_eq!(level_short(Lang::En, RiskLevel::L1), "L1");
        assert_eq!(level_or_none(Lang::Zh, None), "暂无风险等级");
        assert_eq!(level_or_none(Lang::En, None), "No risk level");
        for l in RiskLevel::ALL {
            for lang in Lang::ALL {
                assert!(has(&format!("level.{}", l.number())));
                assert!(has(&format!("level.short.{}", l.number())));
                assert_ne!(level(lang, l), level_short(lang, l));
            }
        }
    }

    #[test]
    fn unknown_key_comes_back() {
        assert_eq!(t(Lang::Zh, "no.such.key"), "no.such.key");
        let dynamic = String::from("still.missing");
        assert_eq!(t(Lang::En, &dynamic), "still.missing");
        assert!(!has("level"));
    }

    #[test]
    fn placeholders() {
        assert_eq!(fill("逾期 {n} 天", &[("n", "12")]), "逾期 12 天");
        assert_eq!(fill("{a}{b}{a}", &[("a", "1"), ("b", "2")]), "121");
        assert_eq!(fill("{missing} x", &[]), "{missing} x");
        assert_eq!(fill("{ not a name } {", &[]), "{ not a name } {");
        // Values are not scanned again.
        assert_eq!(fill("{a}", &[("a", "{b}"), ("b", "!")]), "{b}");
        assert_eq!(fill("{名字}", &[("名字", "x")]), "{名字}");
        assert_eq!(tf(Lang::Zh, "level.1", &[("x", "y")]), "一级风险");
        // English numbers and the words after them.
        let t = "{n} {n|case|cases}";
        assert_eq!(fill(t, &[("n", "1")]), "1 case");
        assert_eq!(fill(t, &[("n", "0")]), "0 cases");
        assert_eq!(fill(t, &[("n", "1,001")]), "1,001 cases");
        assert_eq!(fill(t, &[("n", "11")]), "11 cases");
        assert_eq!(fill(t, &[]), t);
        assert_eq!(fill("{n|a|b|c} {n|}", &[("n", "1")]), "{n|a|b|c} {n|}");
        assert_eq!(fill("{n|one|}", &[("n", "2")]), "");
    }

    #[test]
    fn lang_parse_and_env() {
        for s in [
            "zh",
            "zh-CN",
            "zh_CN",
            "ZH_cn.UTF-8",
            "zh-Hans",
            "中文",
            " zh ",
        ] {
            assert_eq!(Lang::parse(s), Some(Lang::Zh), "{s}");
        }
        for s in ["en", "en-US", "en_GB.UTF-8", "English"] {
            assert_eq!(Lang::parse(s), Some(Lang::En), "{s}");
        }
        for s in ["", "C", "POSIX", "fr_FR", "zhx"] {
            assert_eq!(Lang::parse(s), None, "{s}");
        }
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::Zh));
        assert!("xx".parse::<Lang>().is_err());
        assert_eq!(Lang::Zh.code(), "zh-CN");
        assert_eq!(Lang::En.to_string(), "en");

        let f = Lang::from_locale_vars;
        assert_eq!(f(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(f(Some("C"), None, Some("zh_CN.UTF-8")), Lang::En);
        assert_eq!(
            f(Some(""), Some("zh_CN.UTF-8"), Some("en_US.UTF-8")),
            Lang::Zh
        );
        assert_eq!(f(None, Some("en_US"), Some("zh_CN")), Lang::En);
        assert_eq!(f(Some("zh_TW"), None, None), Lang::Zh);
        assert_eq!(f(None, None, None), Lang::En);
        assert_eq!(f(Some("C"), None, None), Lang::En);
    }
}
