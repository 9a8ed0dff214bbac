//! The one mechanism for writing many rows without the triggers of derived data
//! (src/store/derived.rs), used by the bulk loader and the screening import: after a
//! suspension, rows written, a fill for their range of cases and the triggers restored,
//! every derived column, tally and search row equals its brute-force definition
//! (tests/common/derived.rs), the triggers and indexes are back byte for byte, and a
//! rollback half-way leaves the file as it was.

mod common;

use std::path::Path;

use casepanel::generate::{GenConfig, generate};
use casepanel::intake::screening::Match;
use casepanel::store::derived::{self, Audit, CaseRange};
use casepanel::store::queries::{self, CaseFilter};
use casepanel::store::{Store, StoreError, audit};
use chrono::NaiveDate;
use common::derived::{assert_grams_in_step, assert_tallies};
use common::intake::{checked_sheet, digest, max_id, schema, template_rows, to_csv};
use rusqlite::Connection;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

/// A file database with generated cases of every status, with decisions, interventions and
/// open ad-hoc requests (checked: the tests below are only as strong as this variety).
fn store_with_cases(dir: &Path, cases: usize) -> Store {
    let mut store = Store::open(&dir.join("a.db")).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases,
            seed: 11,
            today: today(),
        },
    )
    .unwrap();
    let c = store.conn();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    for status in ["screening", "awaiting_panel", "active", "closed"] {
        assert!(
            count(&format!(
                "SELECT count(*) FROM case_file WHERE status = '{status}'"
            )) > 0,
            "no {status} case"
        );
    }
    assert!(
        count("SELECT count(*) FROM case_file WHERE status = 'active' AND next_review IS NOT NULL")
            > 0
    );
    assert!(
        count(
            "SELECT count(*) FROM case_file WHERE status = 'awaiting_panel' AND last_decided_on IS NULL"
        ) > 0
    );
    assert!(count("SELECT count(*) FROM review_request WHERE resolved_by IS NULL") > 0);
    assert!(
        count(
            "SELECT count(*) FROM intervention i JOIN decision d ON d.id = i.decision_id WHERE d.status = 'sealed' AND d.amends IS NULL"
        ) > 0
    );
    store
}

/// The columns of `table` a copy writes: all but the generated ones and `skip`, which keep
/// their defaults.
fn columns(c: &Connection, table: &str, skip: &[&str]) -> Vec<String> {
    c.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
        .unwrap()
        .query_map([table], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .filter(|n| !skip.contains(&n.as_str()))
        .collect()
}

/// Copies every case (as new cases, ids shifted past the last), with its types, its
/// decisions that amend nothing with their interventions, and its open requests, as a
/// writer with the derived triggers suspended would: the derived columns left at their
/// defaults (`types` 0, `due_on`, `adhoc_since`, `live_region` NULL) for the fill to set.
/// Returns the new cases' range.
fn copy_cases(c: &Connection) -> CaseRange {
    let (k, d) = (max_id(c, "case_file"), max_id(c, "decision"));
    let first: i64 = c
        .query_row("SELECT min(id) FROM case_file", [], |r| r.get(0))
        .unwrap();
    let copy = |table: &str, skip: &[&str], shift: &[(&str, String)], filter: &str| {
        let cols = columns(c, table, skip);
        let values: Vec<String> = cols
            .iter()
            .map(|col| {
                shift
                    .iter()
                    .find(|(name, _)| name == col)
                    .map(|(_, e)| e.clone())
                    .unwrap_or_else(|| col.clone())
            })
            .collect();
        c.execute_batch(&format!(
            "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {filter} ORDER BY id",
            cols.join(", "),
            values.join(", ")
        ))
        .unwrap();
    };
    // Interventions go in before their decisions (a sealed decision refuses new ones).
    c.pragma_update(None, "defer_foreign_keys", "ON").unwrap();
    copy(
        "case_file",
        &["types", "due_on", "adhoc_since"],
        &[("id", format!("id + {k}"))],
        "true",
    );
    c.execute_batch(&format!(
        "INSERT INTO case_type (case_id, type)
         SELECT case_id + {k}, type FROM case_type WHERE case_id <= {k} ORDER BY 1, 2"
    ))
    .unwrap();
    copy(
        "intervention",
        &["id", "live_region"],
        &[("decision_id", format!("decision_id + {d}"))],
        &format!("decision_id IN (SELECT id FROM decision WHERE amends IS NULL AND id <= {d})"),
    );
    copy(
        "decision",
        &["police_report_id", "amends"],
        &[
            ("id", format!("id + {d}")),
            ("case_id", format!("case_id + {k}")),
        ],
        &format!("amends IS NULL AND id <= {d}"),
    );
    copy(
        "review_request",
        &["id", "report_id"],
        &[("case_id", format!("case_id + {k}"))],
        &format!("resolved_by IS NULL AND case_id <= {k}"),
    );
    CaseRange {
        first: first + k,
        last: k + k,
    }
}

#[test]
fn a_range_filled_after_a_suspension_equals_every_definition_and_a_rollback_restores_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path(), 120);
    let db = dir.path().join("a.db");
    let schema_before = schema(store.conn());
    let digest_before = digest(&db);

    // Half-way: rows written, derived data filled, the triggers not yet back.
    let err = store
        .write(|tx| {
            let suspended = derived::suspend(tx, Audit::All)?;
            let range = copy_cases(tx);
            derived::fill(tx, range)?;
            // Not restored, not even by its drop: only the rollback can bring them back.
            std::mem::forget(suspended);
            Err::<(), _>(StoreError::Invalid("stop half-way".into()))
        })
        .unwrap_err();
    assert!(err.to_string().contains("half-way"));
    assert_eq!(schema(store.conn()), schema_before);
    assert_eq!(digest(&db), digest_before);

    // The same, to the end.
    let cases_before = max_id(store.conn(), "case_file");
    store
        .write(|tx| {
            let suspended = derived::suspend(tx, Audit::Tables(&["case_file", "case_type"]))?;
            // Nothing keeps derived data while suspended: the copies have none yet.
            let range = copy_cases(tx);
            let types: i64 = tx.query_row(
                "SELECT count(*) FROM case_file WHERE id >= ?1 AND types != 0",
                [range.first],
                |r| r.get(0),
            )?;
            assert_eq!(types, 0);
            derived::fill(tx, range)?;
            suspended.restore()
        })
        .unwrap();
    let c = store.conn();
    assert_eq!(max_id(c, "case_file"), 2 * cases_before);
    assert_tallies(c);
    assert_grams_in_step(c, "after a range fill");
    assert_eq!(schema(c), schema_before);
    assert!(audit::trigger_problems(c).unwrap().is_empty());
    assert!(store.check_integrity().unwrap().is_empty());
    let fk: i64 = c
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    // The tallies' changes went through their audit triggers (left in place), one row each.
    let tally_rows: i64 = c
        .query_row(
            "SELECT count(*) FROM audit WHERE tbl IN ('case_tally', 'queue_tally')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(tally_rows > 0);

    // A writer that forgets to restore the triggers still commits them: the suspension
    // puts them back when it is dropped inside the transaction.
    store
        .write(|tx| {
            let _suspended = derived::suspend(tx, Audit::All)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(schema(store.conn()), schema_before);

    // Outside a transaction there is nothing to roll back: refused.
    assert!(derived::suspend(store.conn(), Audit::All).is_err());
}

#[test]
fn an_import_leaves_every_derived_item_as_its_definition_and_finds_the_new_children() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path(), 60);
    let file = dir.path().join("screening.csv");
    std::fs::write(&file, to_csv(&template_rows())).unwrap();
    let checked = checked_sheet(&store, &file, today());
    assert!(
        checked
            .entries
            .iter()
            .all(|e| matches!(e.matched, Match::New { .. }))
    );
    let schema_before = schema(store.conn());
    let cases_before = max_id(store.conn(), "case_file");
    store
        .import_screening(&checked, today(), &mut |_, _| {})
        .unwrap();
    let c = store.conn();
    assert_eq!(max_id(c, "case_file"), cases_before + 3);
    assert_tallies(c);
    assert_grams_in_step(c, "after the import");
    assert_eq!(schema(c), schema_before);
    assert!(audit::trigger_problems(c).unwrap().is_empty());
    assert!(audit::verify_chain(c).unwrap().broken.is_none());

    // Each new child is found by its name, by its whole ID number and by its initials.
    for e in &checked.entries {
        let case_id: i64 = c
            .query_row(
                "SELECT k.id FROM case_file k JOIN child c ON c.id = k.child_id
                 WHERE c.name = ?1 AND k.id > ?2",
                rusqlite::params![e.child.name, cases_before],
                |r| r.get(0),
            )
            .unwrap();
        let initials: String = c
            .query_row(
                "SELECT c.initials FROM case_file k JOIN child c ON c.id = k.child_id
                 WHERE k.id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .unwrap();
        let mut queries = vec![e.child.name.clone(), initials];
        queries.extend(e.child.id_number.as_ref().map(|n| n.as_str().to_string()));
        for q in queries {
            let filter = CaseFilter {
                search: q.clone(),
                ..Default::default()
            };
            let found: Vec<i64> = queries::cases(c, &filter, 0, 1000)
                .unwrap()
                .into_iter()
                .map(|r| r.case_id)
                .collect();
            assert!(found.contains(&case_id), "{q}: case {case_id} not found");
        }
    }
}

/// A sheet of `n` new children made from the template's first row: distinct names (some
/// with Latin letters, which the search lower-cases), ID numbers, birth dates and sexes,
/// one to three difficulty types, notes on every third row.
fn many_rows(n: usize) -> Vec<Vec<String>> {
    use casepanel::domain::child::Sex;
    use casepanel::domain::id_number::IdNumber;
    let template = template_rows();
    let col = |h: &str| template[0].iter().position(|x| x == h).unwrap();
    let types = [
        "家庭贫困",
        "监护不当、家暴",
        "事实无人监护、失学辍学、重病重残",
    ];
    let mut rows = vec![template[0].clone()];
    for i in 0..n {
        let mut r = template[1].clone();
        let birth = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap() + chrono::Days::new(i as u64);
        let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
        let given = ['明', '华', '丽', '强', '芳', '伟'];
        r[col("姓名")] = if i % 7 == 0 {
            format!("Anna{}", given[i % 6])
        } else {
            format!("赵{}{}", given[i % 6], given[(i / 6) % 6])
        };
        r[col("性别")] = if sex == Sex::Male { "男" } else { "女" }.into();
        r[col("出生日期")] = birth.to_string();
        r[col("身份证号")] = IdNumber::build("210181", birth, 10, sex).to_string();
        r[col("困境类型")] = types[i % 3].into();
        if i % 3 != 0 {
            r[col("情况说明")] = String::new();
        }
        rows.push(r);
    }
    rows
}

#[test]
fn an_import_of_hundreds_of_rows_writes_in_batches_with_every_key_and_derived_item_right() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_cases(dir.path(), 40);
    let file = dir.path().join("screening.csv");
    // Not a multiple of the batch: full statements, then the rest.
    std::fs::write(&file, to_csv(&many_rows(257))).unwrap();
    let checked = checked_sheet(&store, &file, today());
    assert_eq!(checked.entries.len(), 257);
    let before: Vec<i64> = ["child", "guardian", "case_file", "report"]
        .iter()
        .map(|t| max_id(store.conn(), t))
        .collect();
    let sum = store
        .import_screening(&checked, today(), &mut |_, _| {})
        .unwrap();
    assert_eq!((sum.children_new, sum.cases_opened), (257, 257));
    assert_eq!(sum.reports_added, 86);
    let c = store.conn();
    // Ids one after another from the largest on file, each row pointing at its own.
    let after: Vec<i64> = ["child", "guardian", "case_file", "report"]
        .iter()
        .map(|t| max_id(c, t))
        .collect();
    assert_eq!(
        after
            .iter()
            .zip(&before)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
        [257, 257, 257, 86]
    );
    let fk: i64 = c
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    for (i, e) in checked.entries.iter().enumerate() {
        let (name, types, notes): (String, i64, i64) = c
            .query_row(
                "SELECT c.name, (SELECT count(*) FROM case_type t WHERE t.case_id = k.id),
                        (SELECT count(*) FROM report p WHERE p.case_id = k.id)
                 FROM case_file k JOIN child c ON c.id = k.child_id
                 WHERE k.id = ?1 AND c.id = ?2
                   AND EXISTS (SELECT 1 FROM guardian g WHERE g.child_id = c.id)",
                [before[2] + 1 + i as i64, before[0] + 1 + i as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(name, e.child.name);
        assert_eq!(types as usize, e.types.len());
        assert_eq!(notes, i64::from(e.summary.is_some()));
    }
    assert_tallies(c);
    assert_grams_in_step(c, "after an import of 257 rows");
    assert!(store.check_integrity().unwrap().is_empty());
}
