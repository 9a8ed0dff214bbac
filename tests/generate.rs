//! The synthetic-data generator: deterministic, consistent, and readable by the store.

use casepanel::domain::case::CaseStatus;
use casepanel::domain::child::{Sex, age_on};
use casepanel::domain::criteria::{Catalogue, score};
use casepanel::domain::decision::DecisionStatus;
use casepanel::domain::id_number::IdNumber;
use casepanel::domain::panel::QuorumRule;
use casepanel::domain::review::ReviewRules;
use casepanel::generate::{GenConfig, GenSummary, generate};
use casepanel::store::{Store, cases, children, decisions, queries};
use chrono::{Days, NaiveDate};
use rusqlite::types::Value;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 12).unwrap()
}

fn generated(dir: &tempfile::TempDir, file: &str, cases: usize, seed: u64) -> (Store, GenSummary) {
    let mut store = Store::open(&dir.path().join(file)).unwrap();
    let summary = generate(
        &mut store,
        &GenConfig {
            cases,
            seed,
            today: today(),
        },
    )
    .unwrap();
    (store, summary)
}

/// Every table's rows in a fixed order, and the schema, as text.
fn dump(store: &Store) -> Vec<String> {
    let c = store.conn();
    let mut out = Vec::new();
    let mut st = c
        .prepare(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name",
        )
        .unwrap();
    let schema: Vec<(String, String, String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (kind, name, _, sql) in &schema {
        out.push(format!("{kind} {name}: {sql}"));
    }
    for (kind, name, _, _) in &schema {
        // The audit trail records when the data was made (times, hence hashes): not data.
        if kind != "table" || name.starts_with("sqlite_") || name == "audit" {
            continue;
        }
        let st = c.prepare(&format!("SELECT * FROM \"{name}\"")).unwrap();
        let n = st.column_count();
        let order: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let mut st = c
            .prepare(&format!(
                "SELECT * FROM \"{name}\" ORDER BY {}",
                order.join(", ")
            ))
            .unwrap();
        let rows = st
            .query_map([], |r| {
                let vals: Vec<Value> = (0..n).map(|i| r.get(i)).collect::<Result<_, _>>()?;
                Ok(format!("{name}: {vals:?}"))
            })
            .unwrap();
        for row in rows {
            out.push(row.unwrap());
        }
    }
    out
}

#[test]
fn same_seed_same_database_and_everything_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let (a, sum) = generated(&dir, "a.db", 1000, 7);
    let (b, _) = generated(&dir, "b.db", 1000, 7);
    let (da, db) = (dump(&a), dump(&b));
    assert_eq!(da.len(), db.len());
    for (x, y) in da.iter().zip(&db) {
        assert_eq!(x, y);
    }
    assert_eq!(sum.cases, 1000);
    let c = a.conn();

    // The load's relaxed settings are gone again.
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "synchronous back to FULL");
    let fk: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);

    assert_eq!(a.check_integrity().unwrap(), Vec::<String>::new());

    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM case_file"), 1000);
    assert_eq!(count("SELECT count(*) FROM child") as usize, sum.children);
    assert_eq!(
        count("SELECT count(*) FROM decision") as usize,
        sum.decisions
    );
    assert!(count("SELECT count(*) FROM region WHERE level = 'village'") > 3000);
    assert_eq!(
        count("SELECT count(*) FROM region WHERE level = 'county'"),
        100
    );
    assert_eq!(count("SELECT count(*) FROM member"), 9);
    // Every child lives in a village of the tree.
    assert_eq!(
        count(
            "SELECT count(*) FROM child c JOIN region r ON r.code = c.region WHERE r.level = 'village'"
        ) as usize,
        sum.children
    );

    // Every child is consistent, and so is every ID number.
    let mut st = c
        .prepare("SELECT id, id_number FROM child ORDER BY id")
        .unwrap();
    let rows: Vec<(i64, Option<String>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut with_id = 0;
    let (mut boys, mut girls) = (0, 0);
    for (id, number) in rows {
        let child = children::get(c, id).unwrap().unwrap();
        child.validate(today()).unwrap();
        assert!(age_on(child.birth_date, today()) <= 17, "{child:?}");
        assert!(!children::guardians(c, id).unwrap().is_empty());
        match child.sex {
            Sex::Male => boys += 1,
            Sex::Female => girls += 1,
        }
        if let Some(n) = number {
            let parsed = IdNumber::parse(&n).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert_eq!(parsed.as_str(), n);
            assert_eq!(parsed.birth_date(), child.birth_date);
            assert_eq!(parsed.sex(), child.sex);
            with_id += 1;
        }
        if let Some(p) = &child.phone {
            assert_eq!(p.len(), 11);
        }
    }
    assert!(with_id as f64 > 0.9 * sum.children as f64);
    assert!(boys > 300 && girls > 300);

    // Every decision reads back, and would pass the seal checks as stored.
    let cat = Catalogue::builtin();
    let rules = decisions::SealRules {
        catalogue: &cat,
        quorum: QuorumRule::default(),
        review: ReviewRules::default(),
    };
    let mut st = c.prepare("SELECT id FROM decision ORDER BY id").unwrap();
    let ids: Vec<i64> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(ids.len() > 550 && ids.len() < 800, "{}", ids.len());
    for id in ids {
        let d = decisions::get(c, id).unwrap().unwrap();
        assert_eq!(d.id, id);
        assert_eq!(d.status, DecisionStatus::Sealed);
        assert!(d.sealed_at.is_some());
        assert_eq!(d.assessment.catalogue, cat.reference());
        assert_eq!(score(&cat, &d.assessment.answers), d.assessment.computed);
        assert!(!d.interventions.is_empty());
        let missing = decisions::missing_for_seal(c, &d, &rules).unwrap();
        assert!(missing.is_empty(), "decision {id}: {missing:?}");
        let case = cases::get(c, d.case_id).unwrap().unwrap();
        assert_eq!(case.level, d.final_level());
        assert_eq!(case.next_review, d.next_review.as_ref().map(|r| r.date));
        assert!(matches!(
            case.status,
            CaseStatus::Active | CaseStatus::AwaitingPanel
        ));
        assert!(case.opened_on < d.decided_on);
    }

    // The queues have something in each.
    let dash = queries::dashboard(c, today()).unwrap();
    assert!(dash.overdue > 0, "{dash:?}");
    assert!(dash.awaiting_first > 0, "{dash:?}");
    assert!(dash.ad_hoc_open >= 3, "{dash:?}");
    let in_30 = today() + Days::new(30);
    let due_soon: i64 = c
        .query_row(
            "SELECT count(*) FROM case_file WHERE status = 'active' AND next_review BETWEEN ?1 AND ?2",
            rusqlite::params![today(), in_30],
            |r| r.get(0),
        )
        .unwrap();
    assert!(due_soon > 0);
    let later: i64 = c
        .query_row(
            "SELECT count(*) FROM case_file WHERE status = 'active' AND next_review > ?1",
            [in_30],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        later > dash.overdue as i64 + due_soon,
        "most reviews are later"
    );
    let (session_id, held_on, items) = dash.next_session.expect("an open session ahead");
    assert!(held_on > today() && held_on <= today() + Days::new(7));
    assert!((8..=10).contains(&items), "{items}");
    assert!(
        !casepanel::store::panel::agenda(c, session_id)
            .unwrap()
            .is_empty()
    );

    // Open ad-hoc requests sit on cases back before the panel.
    let stray: i64 = c
        .query_row(
            "SELECT count(*) FROM review_request q JOIN case_file k ON k.id = q.case_id
             WHERE q.resolved_by IS NULL AND k.status != 'awaiting_panel'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stray, 0);

    // Nothing is dated after the clock's "now", whatever the time of day: reports, police
    // reports, visits, requests and sealing all lie before today.
    let midnight = today().and_hms_opt(0, 0, 0).unwrap();
    for (what, sql) in [
        ("report", "SELECT max(received_at) FROM report"),
        (
            "police report",
            "SELECT max(reported_at) FROM police_report",
        ),
        ("visit", "SELECT max(visited_on) FROM visit"),
        ("request", "SELECT max(raised_on) FROM review_request"),
        ("decision", "SELECT max(sealed_at) FROM decision"),
        ("case", "SELECT max(opened_on) FROM case_file"),
    ] {
        let latest: String = c.query_row(sql, [], |r| r.get(0)).unwrap();
        assert!(
            latest < midnight.format("%F").to_string(),
            "{what} dated {latest}, not before {}",
            today()
        );
    }

    // Past interventions were mostly carried out; a few are overdue, and every one not
    // done says why.
    let past: i64 = count(&format!(
        "SELECT count(*) FROM intervention i JOIN decision d ON d.id = i.decision_id
         WHERE coalesce(i.due, d.decided_on) < '{}'",
        today()
    ));
    let overdue = casepanel::store::queue::overdue_interventions_count(c, today()).unwrap() as i64;
    let done: i64 = count(&format!(
        "SELECT count(*) FROM intervention i JOIN decision d ON d.id = i.decision_id
         WHERE coalesce(i.due, d.decided_on) < '{}' AND i.status = 'done'",
        today()
    ));
    assert!(past > 100, "{past}");
    assert!(
        done * 100 >= past * 75,
        "{done} of {past} past interventions done"
    );
    assert!(
        overdue > 0 && overdue * 100 <= past * 20,
        "{overdue} of {past} overdue"
    );
    assert_eq!(
        count("SELECT count(*) FROM intervention WHERE status = 'not_done' AND trim(note) = ''"),
        0
    );
    assert!(count("SELECT count(*) FROM intervention WHERE status = 'in_progress'") > 0);

    // The stored 18th birthdays follow the one rule, and the tallies agree with the cases.
    let mut st = c
        .prepare(
            "SELECT k.adult_on, c.birth_date FROM case_file k JOIN child c ON c.id = k.child_id",
        )
        .unwrap();
    let rows: Vec<(NaiveDate, NaiveDate)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (adult, birth) in rows {
        assert_eq!(adult, casepanel::domain::child::adult_on(birth));
    }
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT substr(region, 1, 6) AS a, status, coalesce(level, 0) AS l, count(*) AS n
             FROM case_file GROUP BY 1, 2, 3
             EXCEPT SELECT area, status, level, n FROM case_tally WHERE n != 0)"
        ),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM case_tally WHERE n < 0")
            + count("SELECT sum(n) FROM case_tally"),
        1000
    );
}

#[test]
fn another_seed_differs_and_a_used_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _) = generated(&dir, "a.db", 50, 1);
    let (b, _) = generated(&dir, "b.db", 50, 2);
    assert_ne!(dump(&a), dump(&b));
    let again = generate(
        &mut a,
        &GenConfig {
            cases: 10,
            seed: 1,
            today: today(),
        },
    );
    assert!(again.unwrap_err().to_string().contains("empty database"));
    // The refused load left nothing behind and the settings as they were.
    let n: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM case_file", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 50);
    let fk: i64 = a
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
}

#[test]
fn tiny_and_in_memory() {
    for cases in [0, 1, 2, 5] {
        let mut store = Store::open_in_memory().unwrap();
        let sum = generate(
            &mut store,
            &GenConfig {
                cases,
                seed: 3,
                today: today(),
            },
        )
        .unwrap();
        assert_eq!(sum.cases, cases);
        assert_eq!(store.check_integrity().unwrap(), Vec::<String>::new());
    }
}
