//! `casepanel due` and `casepanel stats` on a generated database, with a fixed clock:
//! the ICS parses with a real iCalendar parser, CSV and JSON have their shapes, no full
//! name or ID number leaks, and the region roll-up agrees with a brute-force count.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use casepanel::domain::review::ReviewRules;
use casepanel::generate::{GenConfig, generate};
use casepanel::store::Store;
use casepanel::store::queue::{self, QueueFilter};
use casepanel::store::stats::{self, By};
use chrono::NaiveDate;

const TODAY: &str = "2026-11-29";

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

fn generated(dir: &Path) -> PathBuf {
    let db = dir.join("gen.db");
    let mut store = Store::open(&db).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases: 500,
            seed: 3,
            today: today(),
        },
    )
    .unwrap();
    db
}

fn run(db: &Path, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_casepanel"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env("CASEPANEL_TODAY", TODAY)
        .env("CASEPANEL_CONFIG", dir.join("no-config.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every full name and ID number in the database.
fn secrets(db: &Path) -> Vec<String> {
    let store = Store::open(db).unwrap();
    let mut st = store
        .conn()
        .prepare("SELECT name, coalesce(id_number, '') FROM child")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    let places: Vec<String> = store
        .conn()
        .prepare("SELECT name FROM region")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for row in rows {
        let (name, id) = row.unwrap();
        // A two-character name masked keeps one character; only names of 2+ characters
        // can be told apart from their mask.
        // (A name that is also part of a place name, e.g. 孙家 in 孙家村, cannot be checked.)
        if name.chars().count() >= 2 && !places.iter().any(|p| p.contains(name.as_str())) {
            out.push(name);
        }
        if !id.is_empty() {
            out.push(id);
        }
    }
    out
}

#[test]
fn due_outputs_parse_and_never_show_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path());
    let secrets = secrets(&db);

    let json = run(
        &db,
        dir.path(),
        &["due", "--within", "60", "--format", "json"],
    );
    let items: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(
        items.len() > 10,
        "the generated data has reviews due: {}",
        items.len()
    );
    for it in &items {
        for key in [
            "case",
            "case_id",
            "name",
            "region",
            "region_names",
            "level",
            "due",
            "days_overdue",
            "reason",
            "ad_hoc",
            "turns_18",
        ] {
            assert!(it.get(key).is_some(), "{key} missing in {it}");
        }
        assert!(it["case"].as_str().unwrap().starts_with("C-"));
        assert!(it["name"].as_str().unwrap().contains('＊'), "{it}");
    }
    // Ad-hoc first, then level.
    let adhoc: Vec<bool> = items
        .iter()
        .map(|i| i["ad_hoc"].as_bool().unwrap())
        .collect();
    assert!(adhoc.windows(2).all(|w| w[0] || !w[1]), "ad-hoc items lead");

    let csv = run(
        &db,
        dir.path(),
        &["due", "--within", "60", "--format", "csv"],
    );
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], queue::CSV_HEADER);
    assert_eq!(lines.len(), items.len() + 1);
    assert!(lines[1..].iter().all(|l| l.split(',').count() >= 11));

    let ics = run(
        &db,
        dir.path(),
        &["due", "--within", "60", "--format", "ics", "--lang", "zh"],
    );
    assert!(ics.ends_with("\r\n"));
    assert!(
        !ics.replace("\r\n", "").contains('\n'),
        "every line ends in CRLF"
    );
    for l in ics.split("\r\n") {
        assert!(l.len() <= 75, "line of {} octets: {l}", l.len());
    }
    let unfolded = icalendar::parser::unfold(&ics);
    let cal = icalendar::parser::read_calendar(&unfolded).unwrap();
    let events: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    let with_due = items.iter().filter(|i| !i["due"].is_null()).count();
    assert_eq!(events.len(), with_due);
    let mut uids = std::collections::BTreeSet::new();
    for (ev, it) in events
        .iter()
        .zip(items.iter().filter(|i| !i["due"].is_null()))
    {
        let uid = ev.find_prop("UID").unwrap().val.to_string();
        assert!(uids.insert(uid.clone()), "UIDs are unique: {uid}");
        let due = it["due"].as_str().unwrap().replace('-', "");
        assert!(uid.contains(&format!("-{}-{due}", it["case_id"])), "{uid}");
        let start = ev.find_prop("DTSTART").unwrap();
        assert_eq!(start.val.to_string(), due);
        let summary = ev.find_prop("SUMMARY").unwrap().val.to_string();
        assert!(summary.contains(it["case"].as_str().unwrap()), "{summary}");
        assert!(summary.contains(it["name"].as_str().unwrap()), "{summary}");
    }
    // The typed calendar accepts it too.
    let typed: icalendar::Calendar = ics.parse().unwrap();
    assert_eq!(typed.components.len(), events.len());

    let table = run(&db, dir.path(), &["due", "--within", "60", "--lang", "en"]);
    assert!(table.contains("Case"));
    for out in [&json, &csv, &ics, &table] {
        for s in &secrets {
            assert!(!out.contains(s.as_str()), "{s} leaked");
        }
    }
    let zh = run(
        &db,
        dir.path(),
        &[
            "due",
            "--overdue",
            "--region",
            "210100",
            "--level",
            "1",
            "--lang",
            "zh",
        ],
    );
    assert!(zh.contains("个案编号"), "{zh}");
}

#[test]
fn stats_roll_up_agrees_with_a_brute_force_count() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path());
    let store = Store::open(&db).unwrap();
    // Brute force: every open case, counted in Rust. Overdue as on the queue: the review,
    // or the closing review on the 18th birthday when that comes first, is past.
    let mut st = store
        .conn()
        .prepare("SELECT region, level, status = 'active' AND coalesce(min(next_review, adult_on), next_review) < ?1 FROM case_file WHERE status != 'closed'")
        .unwrap();
    let all: Vec<(String, Option<u8>, bool)> = st
        .query_map([TODAY], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(all.len() > 100);
    let count = |pred: &dyn Fn(&str) -> bool| {
        let mut m = [0usize; 5]; // total, l1, l2, l3, overdue
        for (r, l, o) in &all {
            if pred(r) {
                m[0] += 1;
                if let Some(l) = l {
                    m[*l as usize] += 1;
                }
                if *o {
                    m[4] += 1;
                }
            }
        }
        m
    };
    let check = |s: &stats::Stats, key_of: &dyn Fn(&str) -> String| {
        let mut keys: BTreeMap<String, ()> = BTreeMap::new();
        for (r, _, _) in &all {
            keys.insert(key_of(r), ());
        }
        let keys: Vec<String> = keys.into_keys().filter(|k| k != "-").collect();
        assert_eq!(
            s.rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
            keys
        );
        for row in &s.rows {
            let m = count(&|r| key_of(r) == row.key);
            assert_eq!(
                [
                    row.total,
                    row.levels[0],
                    row.levels[1],
                    row.levels[2],
                    row.overdue
                ],
                m,
                "{}",
                row.key
            );
            assert!(!row.name.is_empty(), "{} has a name", row.key);
        }
    };
    // The cities, each counting its whole subtree.
    let s = stats::stats(store.conn(), today(), By::Region, None).unwrap();
    check(&s, &|r| format!("{}00", &r[..4]));
    assert_eq!(s.rows.iter().map(|r| r.total).sum::<usize>(), all.len());
    assert_eq!(s.open, all.len());
    // The busiest city's counties, and the busiest county's townships.
    let city = s.rows.iter().max_by_key(|r| r.total).unwrap().key.clone();
    let s = stats::stats(store.conn(), today(), By::Region, Some(&city)).unwrap();
    let in_city = |r: &str| r.starts_with(&city[..4]);
    check(&s, &|r| {
        if in_city(r) && r != city {
            r[..6].to_string()
        } else {
            "-".into()
        }
    });
    let county = s
        .rows
        .iter()
        .filter(|r| !r.key.is_empty())
        .max_by_key(|r| r.total)
        .unwrap()
        .key
        .clone();
    let s = stats::stats(store.conn(), today(), By::Region, Some(&county)).unwrap();
    check(&s, &|r| {
        if r.starts_with(&county) && r.len() >= 9 {
            r[..9].to_string()
        } else {
            "-".into()
        }
    });
    // By level: the same totals.
    let s = stats::stats(store.conn(), today(), By::Level, None).unwrap();
    let by_level: usize = s.rows.iter().map(|r| r.total).sum();
    assert_eq!(by_level, all.len());
    assert_eq!(s.decisions_per_month.len(), 12);
    assert_eq!(s.decisions_per_month.last().unwrap().0, "2026-11");
    let decided: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM decision WHERE status = 'sealed' AND decided_on >= '2025-12-01' AND decided_on <= ?1",
            [TODAY],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        s.decisions_per_month.iter().map(|m| m.1).sum::<usize>() as i64,
        decided
    );

    // The CLI shapes.
    let json = run(
        &db,
        dir.path(),
        &["stats", "--by", "region", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["by"], "region");
    assert_eq!(v["open"].as_u64().unwrap() as usize, all.len());
    assert_eq!(v["decisions_per_month"].as_array().unwrap().len(), 12);
    let csv = run(
        &db,
        dir.path(),
        &["stats", "--by", "type", "--format", "csv"],
    );
    assert!(csv.starts_with(stats::CSV_HEADER));
    assert!(csv.lines().any(|l| l.starts_with("type,")));
    assert_eq!(csv.lines().filter(|l| l.starts_with("month,")).count(), 12);
    let table = run(
        &db,
        dir.path(),
        &["stats", "--by", "level", "--lang", "zh", "--region", &city],
    );
    assert!(table.contains("一级风险"), "{table}");
    let _ = ReviewRules::default();
    let _ = QueueFilter::default();
}

#[test]
fn due_filters_by_type_and_lists_overdue_interventions() {
    let dir = tempfile::tempdir().unwrap();
    let db = generated(dir.path());
    let json = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut a = vec!["due", "--within", "60", "--format", "json"];
        a.extend_from_slice(args);
        serde_json::from_str(&run(&db, dir.path(), &a)).unwrap()
    };
    let all = json(&[]);
    let poverty = json(&["--type", "poverty"]);
    let by_name = json(&["--type", "家庭贫困"]);
    assert_eq!(
        poverty, by_name,
        "the code and the Chinese name choose alike"
    );
    assert!(!poverty.is_empty() && poverty.len() < all.len());
    // Exactly the items of all whose case has the type, in the same order.
    let store = Store::open(&db).unwrap();
    let has_type = |id: i64| -> bool {
        store
            .conn()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM case_type WHERE case_id = ?1 AND type = 'poverty')",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    let want: Vec<&serde_json::Value> = all
        .iter()
        .filter(|i| has_type(i["case_id"].as_i64().unwrap()))
        .collect();
    let got: Vec<&serde_json::Value> = poverty.iter().collect();
    assert_eq!(got, want);

    // An unknown type is a usage error that lists the codes.
    let out = Command::new(env!("CARGO_BIN_EXE_casepanel"))
        .args(["due", "--type", "poorness", "--db"])
        .arg(&db)
        .env("CASEPANEL_TODAY", TODAY)
        .env("CASEPANEL_CONFIG", dir.path().join("no-config.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("poorness") && err.contains("domestic_violence"),
        "{err}"
    );

    // Overdue interventions show under the table, and count per item in JSON.
    let (n, _) =
        queue::overdue_interventions_in(store.conn(), today(), &QueueFilter::default(), 0).unwrap();
    assert!(n > 0, "the generated data has overdue follow-ups");
    let table = run(&db, dir.path(), &["due", "--lang", "zh"]);
    assert!(
        table.contains(&format!("逾期未落实的干预措施（跟踪回访）：{n} 项")),
        "{table}"
    );
    let en = run(&db, dir.path(), &["due", "--lang", "en"]);
    assert!(en.contains(&format!(
        "Interventions past their deadline (follow-ups): {n}"
    )));
    let per_item: u64 = all
        .iter()
        .map(|i| i["overdue_interventions"].as_u64().unwrap())
        .sum();
    assert!(per_item <= n as u64);
}
