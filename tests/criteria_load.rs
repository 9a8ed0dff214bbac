//! Loading catalogues: the shipped ones load; malformed ones are refused with every problem,
//! each at the right line.

use std::collections::BTreeSet;

use casepanel::domain::RiskLevel;
use casepanel::domain::criteria::{Catalogue, Method, Problem, Thresholds, load_file, load_str};
use sha2::{Digest, Sha256};

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/criteria/liaoning-2014.toml"
);
const POINTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/criteria/example-points.toml"
);

fn ids(it: impl Iterator<Item = String>) -> BTreeSet<String> {
    it.collect()
}

#[test]
fn shipped_catalogue_loads() {
    let cat = load_file(SHIPPED).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cat, Catalogue::builtin());
    assert_eq!(
        (cat.id.as_str(), cat.version.as_str()),
        ("liaoning-2014", "1.0.0")
    );
    assert_eq!(cat.method, Method::HighestLevel);
    let bytes = std::fs::read(SHIPPED).unwrap();
    assert_eq!(cat.sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(cat.source.as_bytes(), bytes.as_slice());
    assert_eq!(
        cat.levels.iter().map(|l| l.level).collect::<Vec<_>>(),
        RiskLevel::ALL
    );

    let flagged = |f: fn(&casepanel::domain::criteria::Indicator) -> bool| {
        ids(cat.indicators.iter().filter(|i| f(i)).map(|i| i.id.clone()))
    };
    let set = |s: &[&str]| ids(s.iter().map(|s| s.to_string()));
    assert_eq!(
        flagged(|i| i.hard_trigger),
        set(&["L1-01", "L1-02", "L1-03", "L1-04"])
    );
    assert_eq!(flagged(|i| i.required), set(&["L1-01", "L1-02"]));
    // At least sexual abuse, severe violence, abandonment, trafficking, serious bodily harm.
    assert!(
        flagged(|i| i.reportable).is_superset(&set(&["L1-01", "L1-02", "L1-04", "L1-05", "L2-01"]))
    );

    for level in RiskLevel::ALL {
        let prefix = format!("L{level}-");
        let of_level: Vec<_> = cat.indicators_of(level).collect();
        assert!(of_level.len() >= 3, "level {level} has few indicators");
        assert!(of_level.iter().all(|i| i.id.starts_with(&prefix)));
        assert!(
            of_level
                .iter()
                .all(|i| i.guidance_zh.is_some() && i.guidance_en.is_some())
        );
        assert!(
            cat.menu(level).count() >= 5,
            "level {level} has a short menu"
        );
    }
    for id in [
        "temporary-guardianship",
        "guardianship-transfer",
        "state-guardianship",
        "judicial-intervention",
    ] {
        assert_eq!(
            cat.intervention(id).unwrap().levels,
            [RiskLevel::L1],
            "{id}"
        );
    }
    for id in ["entrusted-guardianship", "substitute-care", "admonish"] {
        assert!(
            cat.intervention(id)
                .unwrap()
                .levels
                .contains(&RiskLevel::L2),
            "{id}"
        );
    }
    for id in [
        "referral",
        "social-assistance",
        "social-welfare",
        "poverty-relief",
        "legal-aid",
        "follow-up",
    ] {
        assert!(
            cat.intervention(id)
                .unwrap()
                .levels
                .contains(&RiskLevel::L3),
            "{id}"
        );
    }
    assert!(cat.interventions.iter().all(|i| i.default_unit.is_some()));
}

#[test]
fn points_example_loads() {
    let cat = load_file(POINTS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cat.id, "example-points");
    assert_eq!(
        cat.method,
        Method::Points {
            thresholds: Thresholds {
                level1: 10,
                level2: 6,
                level3: 3
            }
        }
    );
    assert!(cat.indicators.iter().all(|i| i.weight > 0));
}

#[test]
fn missing_file_is_a_problem_not_a_panic() {
    let err = load_file("/nonexistent/criteria.toml").unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].message.contains("cannot read"), "{err}");
}

/// A small valid catalogue the malformed ones are made from.
const BASE: &str = r#"id = "test"
version = "1"
title_zh = "测试"
title_en = "Test"

[method]
kind = "highest_level"

[[level]]
level = 1
zh = "一级"
en = "one"

[[level]]
level = 2
zh = "二级"
en = "two"

[[level]]
level = 3
zh = "三级"
en = "three"

[[indicator]]
id = "A"
level = 1
zh = "甲"
en = "a"
hard_trigger = true

[[indicator]]
id = "B"
level = 2
zh = "乙"
en = "b"

[[indicator]]
id = "C"
level = 3
zh = "丙"
en = "c"

[[intervention]]
id = "visit"
levels = [3, 2, 1]
zh = "回访"
en = "visit"
"#;

/// 1-based line of the `n`th (1-based) occurrence of `needle`.
fn line_of(text: &str, needle: &str, n: usize) -> usize {
    let (at, _) = text
        .match_indices(needle)
        .nth(n - 1)
        .unwrap_or_else(|| panic!("no {needle:?} #{n}"));
    text[..at].matches('\n').count() + 1
}

fn problems(text: &str) -> Vec<Problem> {
    match load_str(text, "t.toml") {
        Ok(_) => panic!("loaded a bad catalogue:\n{text}"),
        Err(e) => {
            assert!(!e.problems.is_empty());
            e.problems
        }
    }
}

/// The one problem whose message contains `msg`.
fn find(ps: &[Problem], msg: &str) -> Problem {
    let found: Vec<_> = ps.iter().filter(|p| p.message.contains(msg)).collect();
    assert_eq!(found.len(), 1, "want one problem with {msg:?} in {ps:#?}");
    found[0].clone()
}

#[test]
fn base_is_valid() {
    let cat = load_str(BASE, "t.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cat.indicators.len(), 3);
    assert_eq!(cat.menu(RiskLevel::L2).count(), 1);
}

#[test]
fn syntax_error() {
    let text = BASE.replace("en = \"b\"", "en = \"b");
    let ps = problems(&text);
    let p = &ps[0];
    assert!(p.message.starts_with("TOML syntax:"), "{p}");
    assert_eq!(p.line, Some(line_of(&text, "en = \"b", 1)));
    assert!(p.column.is_some());
    assert!(
        p.to_string()
            .starts_with(&format!("t.toml:{}: TOML syntax", p.line.unwrap())),
        "{p}"
    );
}

#[test]
fn several_syntax_errors_are_all_reported() {
    let text = BASE
        .replace("level = 2\nzh = \"乙\"", "level = \nzh = \"乙\"")
        .replace("levels = [3, 2, 1]", "levels = [3, 2");
    let ps = problems(&text);
    assert!(ps.len() >= 2, "{ps:#?}");
    assert!(ps.iter().all(|p| p.message.starts_with("TOML syntax:")));
}

#[test]
fn unknown_keys() {
    let text = BASE
        .replace("en = \"b\"", "en = \"b\"\ncolour = \"red\"")
        .replace("hard_trigger = true", "hard-trigger = true")
        .replace(
            "title_en = \"Test\"",
            "title_en = \"Test\"\nauthor = \"me\"",
        );
    let ps = problems(&text);
    assert_eq!(ps.len(), 3, "{ps:#?}");
    let p = find(&ps, "indicator B: unknown key `colour`");
    assert_eq!(p.line, Some(line_of(&text, "colour", 1)));
    assert_eq!(p.column, Some(1));
    let p = find(&ps, "indicator A: unknown key `hard-trigger`");
    assert!(p.hint.contains("did you mean `hard_trigger`"), "{p}");
    assert_eq!(find(&ps, "unknown key `author`").line, Some(5));
}

#[test]
fn duplicate_id() {
    let text = BASE.replace("id = \"C\"", "id = \"B\"");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let first = line_of(&text, "id = \"B\"", 1);
    let p = find(
        &ps,
        &format!("indicator B: duplicate id (first at line {})", first - 1),
    );
    assert_eq!(p.line, Some(line_of(&text, "id = \"B\"", 2)));
}

#[test]
fn duplicate_intervention_id() {
    let text = format!(
        "{BASE}\n[[intervention]]\nid = \"visit\"\nlevels = [1]\nzh = \"再\"\nen = \"again\"\n"
    );
    let ps = problems(&text);
    let p = find(&ps, "intervention visit: duplicate id");
    assert_eq!(p.line, Some(line_of(&text, "id = \"visit\"", 2)));
}

#[test]
fn hard_trigger_on_level_3() {
    let text = BASE.replace("en = \"c\"", "en = \"c\"\nhard_trigger = true");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let p = find(
        &ps,
        "indicator C: hard_trigger is only allowed on level-1 indicators",
    );
    assert_eq!(p.line, Some(line_of(&text, "hard_trigger", 2)));
    assert!(p.hint.contains("hard_trigger = false"));
}

/// BASE under the points method with the given thresholds, every indicator weighted.
fn points(thresholds: &str) -> String {
    BASE.replace(
        "kind = \"highest_level\"",
        &format!("kind = \"points\"\n\n[method.thresholds]\n{thresholds}"),
    )
    .replace("en = \"a\"", "en = \"a\"\nweight = 10")
    .replace("en = \"b\"", "en = \"b\"\nweight = 5")
    .replace("en = \"c\"", "en = \"c\"\nweight = 2")
}

#[test]
fn points_base_is_valid() {
    let cat = load_str(&points("level1 = 10\nlevel2 = 5\nlevel3 = 2"), "t.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cat.indicator("B").unwrap().weight, 5);
}

#[test]
fn bad_thresholds() {
    for bad in [
        "level1 = 5\nlevel2 = 6\nlevel3 = 2",
        "level1 = 10\nlevel2 = 5\nlevel3 = 0",
        "level1 = 3\nlevel2 = 3\nlevel3 = 1",
    ] {
        let text = points(bad);
        let ps = problems(&text);
        assert_eq!(ps.len(), 1, "{ps:#?}");
        let p = find(
            &ps,
            "thresholds must fall with severity, level1 > level2 > level3 > 0",
        );
        assert_eq!(p.line, Some(line_of(&text, "[method.thresholds]", 1)));
    }
    let text = points("level1 = 10\nlevel2 = 5");
    let p = find(&problems(&text), "[method.thresholds]: missing level3");
    assert_eq!(p.line, Some(line_of(&text, "[method.thresholds]", 1)));

    let text = BASE.replace("kind = \"highest_level\"", "kind = \"points\"");
    let ps = problems(&text);
    let p = find(&ps, "kind = \"points\" needs thresholds");
    assert_eq!(p.line, Some(line_of(&text, "[method]", 1)));
}

#[test]
fn points_need_every_weight() {
    let text = points("level1 = 10\nlevel2 = 5\nlevel3 = 2").replace("weight = 5\n", "");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(
        find(&ps, "indicator B: missing weight").line,
        Some(line_of(&text, "[[indicator]]", 2))
    );
}

#[test]
fn bad_weights() {
    for bad in ["-1", "2.5", "\"3\""] {
        let text = points("level1 = 10\nlevel2 = 5\nlevel3 = 2")
            .replace("weight = 5", &format!("weight = {bad}"));
        let p = find(
            &problems(&text),
            "indicator B: weight must be a whole number ≥ 0",
        );
        assert_eq!(p.line, Some(line_of(&text, "weight = ", 2)));
    }
}

#[test]
fn missing_level() {
    let text = BASE.replace("[[level]]\nlevel = 2\nzh = \"二级\"\nen = \"two\"\n", "");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let p = find(&ps, "level 2 has no [[level]] definition");
    assert_eq!(p.line, None);
    assert_eq!(
        p.to_string(),
        format!("t.toml: {} — hint: {}", p.message, p.hint)
    );
}

#[test]
fn level_without_indicator() {
    let text = BASE.replace(
        "[[indicator]]\nid = \"B\"\nlevel = 2\nzh = \"乙\"\nen = \"b\"\n",
        "",
    );
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    find(&ps, "level 2 has no indicator");
}

#[test]
fn level_out_of_range_and_defined_twice() {
    let text = BASE
        .replace("level = 3\nzh = \"丙\"", "level = 4\nzh = \"丙\"")
        .replace("level = 2\nzh = \"二级\"", "level = 1\nzh = \"二级\"");
    let ps = problems(&text);
    let p = find(&ps, "indicator C: level must be 1, 2 or 3");
    assert_eq!(p.line, Some(line_of(&text, "level = 4", 1)));
    let p = find(&ps, "level 1 is defined twice (first at line 9)");
    assert_eq!(p.line, Some(14));
    find(&ps, "level 2 has no [[level]] definition");
}

#[test]
fn empty_text() {
    let text = BASE
        .replace("en = \"b\"", "en = \"  \"")
        .replace("title_zh = \"测试\"", "title_zh = \"\"");
    let ps = problems(&text);
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert_eq!(
        find(&ps, "indicator B: en must not be empty").line,
        Some(line_of(&text, "en = \"  \"", 1))
    );
    assert_eq!(find(&ps, "title_zh must not be empty").line, Some(3));
}

#[test]
fn missing_field() {
    let text = BASE.replace("zh = \"乙\"\n", "");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    // Reported at the indicator's [[indicator]] header.
    assert_eq!(
        find(&ps, "indicator B: missing zh").line,
        Some(line_of(&text, "[[indicator]]", 2))
    );
}

#[test]
fn unknown_method_kind() {
    let text = BASE.replace("kind = \"highest_level\"", "kind = \"majority_vote\"");
    let ps = problems(&text);
    assert_eq!(ps.len(), 1, "{ps:#?}");
    let p = find(&ps, "[method]: unknown method kind `majority_vote`");
    assert_eq!(p.line, Some(7));
    assert!(p.hint.contains("highest_level") && p.hint.contains("points"));
}

#[test]
fn missing_method() {
    let text = BASE.replace("[method]\nkind = \"highest_level\"\n", "");
    find(&problems(&text), "missing [method]");
}

#[test]
fn bad_ids() {
    let text = BASE
        .replace("id = \"B\"", "id = \"L2 03\"")
        .replace("id = \"visit\"", "id = \"回访\"");
    let ps = problems(&text);
    assert_eq!(ps.len(), 2, "{ps:#?}");
    find(&ps, "indicator L2 03: id `L2 03` may only use");
    find(&ps, "intervention 回访: id `回访` may only use");
}

#[test]
fn intervention_with_bad_levels() {
    for (bad, msg) in [
        ("[4]", "levels must be levels 1, 2 or 3"),
        ("[]", "levels must list at least one level"),
        ("3", "levels must be a list of levels"),
    ] {
        let text = BASE.replace("levels = [3, 2, 1]", &format!("levels = {bad}"));
        let p = find(&problems(&text), &format!("intervention visit: {msg}"));
        assert_eq!(p.line, Some(line_of(&text, "levels = ", 1)));
    }
}

#[test]
fn single_brackets_for_a_repeated_table() {
    let text = BASE.replace("[[intervention]]", "[intervention]");
    find(
        &problems(&text),
        "intervention must be a list of [[intervention]] tables",
    );
}

#[test]
fn several_problems_at_once_are_all_reported_in_line_order() {
    let text = BASE
        .replace("version = \"1\"", "version = \"1\"\nowner = \"x\"") // unknown key
        .replace("id = \"C\"", "id = \"B\"") // duplicate id
        .replace("en = \"a\"", "en = \"\"") // empty text
        .replace("en = \"c\"", "en = \"c\"\nhard_trigger = true") // hard trigger on level 3
        .replace("kind = \"highest_level\"", "kind = \"vote\"") // unknown method kind
        .replace("[[level]]\nlevel = 2\nzh = \"二级\"\nen = \"two\"\n", ""); // missing level
    let err = load_str(&text, "t.toml").unwrap_err();
    let ps = &err.problems;
    assert_eq!(ps.len(), 6, "{err}");
    find(ps, "unknown key `owner`");
    find(ps, "indicator B: duplicate id");
    find(ps, "indicator A: en must not be empty");
    find(ps, "indicator B: hard_trigger is only allowed");
    find(ps, "unknown method kind `vote`");
    find(ps, "level 2 has no [[level]] definition");
    // In file order, whole-file problems last.
    let lines: Vec<_> = ps.iter().map(|p| p.line.unwrap_or(usize::MAX)).collect();
    assert!(lines.is_sorted(), "{lines:?}");
    // The error prints one problem per line, each with file and line.
    let shown = err.to_string();
    assert_eq!(shown.lines().count(), 6);
    assert!(
        shown
            .lines()
            .next()
            .unwrap()
            .starts_with("t.toml:3: unknown key `owner`"),
        "{shown}"
    );
}
