//! How a screening import is audited: the rows of new children as one audit event (the
//! file's SHA-256, each table's rows and id range), the tallies row by row, everything
//! else through the triggers; the chain, the triggers and the indexes as they were.

mod common;

use std::path::Path;

use casepanel::generate::{GenConfig, generate};
use casepanel::intake::screening::Match;
use casepanel::store::{Store, audit, children};
use chrono::NaiveDate;
use common::intake::{checked_sheet, max_id, schema, template_rows, to_csv};
use rusqlite::Connection;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

/// A database with 40 generated cases (so the tallies have rows before the import).
fn store_with_cases(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("a.db")).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases: 40,
            seed: 3,
            today: today(),
        },
    )
    .unwrap();
    store
}

/// The template as a CSV file.
fn template_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("screening.csv");
    std::fs::write(&file, to_csv(&template_rows())).unwrap();
    file
}

fn json_rows(c: &Connection, sql: &str) -> Vec<String> {
    c.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn new_children_are_one_audit_event_and_the_tallies_are_audited_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path());
    let file = template_file(dir.path());
    let checked = checked_sheet(&store, &file, today());
    assert!(
        checked
            .entries
            .iter()
            .all(|e| matches!(e.matched, Match::New { .. }))
    );
    let c = store.conn();
    let schema_before = schema(c);
    let before: Vec<i64> = ["child", "guardian", "case_file", "report"]
        .iter()
        .map(|t| max_id(c, t))
        .collect();
    let audit_before = audit::count(c).unwrap() as i64;

    let sum = store
        .import_screening(&checked, today(), &mut |_, _| {})
        .unwrap();
    assert_eq!((sum.children_new, sum.cases_opened), (3, 3));
    let c = store.conn();

    // One event for the rows of the new children.
    let events: Vec<(i64, String)> = c
        .prepare(
            "SELECT id, row_after FROM audit WHERE tbl = '*' AND action = 'import' AND id > ?1",
        )
        .unwrap()
        .query_map([audit_before], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events.len(), 1);
    let event: Value = serde_json::from_str(&events[0].1).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(
        event["file_sha256"],
        hex::encode(Sha256::digest(&bytes)).as_str()
    );
    assert_eq!(event["sheet_rows"], 3);
    for (table, was) in ["child", "guardian", "case_file", "report"]
        .iter()
        .zip(&before)
    {
        let (first, last, n): (i64, i64, i64) = c
            .query_row(
                &format!("SELECT min(id), max(id), count(*) FROM {table} WHERE id > ?1"),
                [was],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let got = &event["inserted"][table];
        assert_eq!(
            (
                got["first_id"].as_i64(),
                got["last_id"].as_i64(),
                got["rows"].as_i64()
            ),
            (Some(first), Some(last), Some(n)),
            "{table}: {event}"
        );
    }
    let types: i64 = c
        .query_row(
            "SELECT count(*) FROM case_type WHERE case_id > ?1",
            [before[2]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(event["inserted"]["case_type"]["rows"], types);
    // No row of those tables went through the triggers; the new regions did.
    let row_audited: i64 = c
        .query_row(
            "SELECT count(*) FROM audit WHERE id > ?1
               AND tbl IN ('child', 'guardian', 'case_file', 'case_type', 'report')",
            [audit_before],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(row_audited, 0);
    let regions: i64 = c
        .query_row(
            "SELECT count(*) FROM audit WHERE id > ?1 AND tbl = 'region' AND action = 'insert'",
            [audit_before],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(regions, 5);

    // The tallies: as the triggers keep them (a GROUP BY over the cases), and the trail's
    // last image of each tally row is the row as it is.
    let tally = json_rows(
        c,
        "SELECT json_array(area, status, level, n) FROM case_tally WHERE n > 0 ORDER BY 1",
    );
    let counted = json_rows(
        c,
        "SELECT json_array(a, s, l, n) FROM (
           SELECT substr(region, 1, 6) a, status s, coalesce(level, 0) l, count(*) n
           FROM case_file GROUP BY 1, 2, 3) ORDER BY 1",
    );
    assert_eq!(tally, counted);
    let type_tally = json_rows(
        c,
        "SELECT json_array(area, type, status, level, n) FROM case_type_tally WHERE n > 0
         ORDER BY 1",
    );
    let type_counted = json_rows(
        c,
        "SELECT json_array(a, t, s, l, n) FROM (
           SELECT substr(k.region, 1, 6) a, t.type t, k.status s, coalesce(k.level, 0) l,
                  count(*) n
           FROM case_type t JOIN case_file k ON k.id = t.case_id GROUP BY 1, 2, 3, 4)
         ORDER BY 1",
    );
    assert_eq!(type_tally, type_counted);
    for table in ["case_tally", "case_type_tally"] {
        let changed = json_rows(
            c,
            &format!(
                "SELECT row_key FROM audit WHERE id > {audit_before} AND tbl = '{table}'
                 GROUP BY row_key"
            ),
        );
        assert!(!changed.is_empty(), "{table}: no audit row");
        for key in changed {
            let last = audit::history(c, table, &key).unwrap().pop().unwrap();
            let live: Option<String> = c
                .query_row(
                    &format!(
                        "SELECT json_object('area', area, {}'status', status, 'level', level, 'n', n)
                         FROM {table} WHERE json_array(area, {}status, level) = ?1",
                        if table == "case_type_tally" { "'type', type, " } else { "" },
                        if table == "case_type_tally" { "type, " } else { "" },
                    ),
                    [&key],
                    |r| r.get(0),
                )
                .ok();
            assert_eq!(last.after, live, "{table} {key}");
        }
    }

    // The chain holds, every trigger and index is back as it was.
    let report = audit::verify_chain(c).unwrap();
    assert_eq!(report.broken, None);
    assert!(audit::trigger_problems(c).unwrap().is_empty());
    assert_eq!(schema(c), schema_before);
    assert!(store.check_integrity().unwrap().is_empty());

    // Auditing resumes: a change to an imported child is a row with its imported image.
    let child_id = before[0] + 1;
    let mut child = children::get(store.conn(), child_id).unwrap().unwrap();
    let (imported_name, imported_school) = (child.name.clone(), child.school.clone());
    child.school = Some("第二小学".into());
    store
        .write(|tx| children::update(tx, &child, today()))
        .unwrap();
    let last = &audit::latest(store.conn(), 1).unwrap()[0];
    assert_eq!(
        (last.tbl.as_str(), last.action.as_str()),
        ("child", "update")
    );
    let before_image: Value = serde_json::from_str(last.before.as_deref().unwrap()).unwrap();
    assert_eq!(before_image["name"], imported_name.as_str());
    assert_eq!(before_image["school"].as_str(), imported_school.as_deref());
}

#[test]
fn a_failed_import_leaves_rows_trail_triggers_and_indexes_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path());
    let file = template_file(dir.path());
    let mut checked = checked_sheet(&store, &file, today());
    // The last child has the first one's ID number: its insert fails (UNIQUE) after the
    // triggers and indexes were suspended and the regions written.
    let first = checked.entries[0].child.id_number.clone();
    checked.entries.last_mut().unwrap().child.id_number = first;
    let c = store.conn();
    let schema_before = schema(c);
    let digest_before = common::intake::digest(&dir.path().join("a.db"));
    let err = store
        .import_screening(&checked, today(), &mut |_, _| {})
        .unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "{err}");
    let c = store.conn();
    assert_eq!(schema(c), schema_before);
    assert!(audit::trigger_problems(c).unwrap().is_empty());
    assert_eq!(
        common::intake::digest(&dir.path().join("a.db")),
        digest_before
    );
    // The foreign keys are back on after the failed import.
    let on: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(on, 1);
}

#[test]
fn an_import_refuses_a_region_not_on_file_although_the_foreign_keys_are_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path());
    let file = template_file(dir.path());
    let mut checked = checked_sheet(&store, &file, today());
    // A plan the checks could not have made: the last child's region does not exist.
    checked.entries.last_mut().unwrap().child.region = "999999".into();
    let digest_before = common::intake::digest(&dir.path().join("a.db"));
    let err = store
        .import_screening(&checked, today(), &mut |_, _| {})
        .unwrap_err();
    assert!(
        err.to_string().contains("region 999999 is not on file"),
        "{err}"
    );
    assert_eq!(
        common::intake::digest(&dir.path().join("a.db")),
        digest_before
    );
    let c = store.conn();
    let on: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(on, 1);
    assert!(store.check_integrity().unwrap().is_empty());
}

#[test]
fn an_import_refuses_a_child_on_file_that_is_gone_since_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path());
    let file = template_file(dir.path());
    let checked = checked_sheet(&store, &file, today());
    store
        .import_screening(&checked, today(), &mut |_, _| {})
        .unwrap();
    // The same sheet again names the children just imported; a plan whose first child is
    // no longer on file (what a database changed since the check would give).
    let mut again = checked_sheet(&store, &file, today());
    let e = again
        .entries
        .iter_mut()
        .find(|e| matches!(e.matched, Match::Existing { .. }))
        .expect("a child on file");
    e.child.id = 999_999;
    let digest_before = common::intake::digest(&dir.path().join("a.db"));
    let err = store
        .import_screening(&again, today(), &mut |_, _| {})
        .unwrap_err();
    assert!(
        err.to_string().contains("child 999999 is not on file"),
        "{err}"
    );
    assert_eq!(
        common::intake::digest(&dir.path().join("a.db")),
        digest_before
    );
}
