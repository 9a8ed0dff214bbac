//! The audit trail: every change through the store leaves a row naming who, what, before
//! and after; rows cannot be changed; the chain shows where it was tampered with.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::Value;
use sha2::{Digest, Sha256};

use casepanel::domain::assessment::{Answer, AnswerEntry, Assessment};
use casepanel::domain::case::ClosingReason;
use casepanel::domain::criteria::{Catalogue, scoring};
use casepanel::domain::decision::{
    Decision, DecisionStatus, Intervention, NextReview, PoliceReport, ReviewKind, Vote,
};
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::guardian::{Guardian, GuardianStatus, Relation};
use casepanel::domain::level::RiskLevel;
use casepanel::domain::panel::QuorumRule;
use casepanel::domain::review::ReviewRules;
use casepanel::domain::visit::HomeVisit;
use casepanel::generate::{GenConfig, generate};
use casepanel::store::audit::{self, Operator, OperatorSource};
use casepanel::store::decisions::{self, SealRules};
use casepanel::store::{Store, cases, catalogues, children, panel, regions, reports, settings};
use common::*;

/// Every data table of the database, with the JSON of each row keyed by its primary key,
/// built the way the audit triggers build it.
fn live_rows(c: &Connection) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !casepanel::store::audit::UNAUDITED.contains(&t.as_str()));
    let mut out = BTreeMap::new();
    for t in tables {
        let cols: Vec<(String, String, i64)> = c
            .prepare("SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid")
            .unwrap()
            .query_map([&t], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // A BLOB column's image is its SHA-256 and length (computed here from hex).
        let blobs: Vec<String> = cols
            .iter()
            .filter(|c| c.1.contains("BLOB"))
            .map(|c| c.0.clone())
            .collect();
        let obj: Vec<String> = cols
            .iter()
            .map(|(n, ty, _)| {
                if ty.contains("BLOB") {
                    format!("'{n}', hex(\"{n}\")")
                } else {
                    format!("'{n}', \"{n}\"")
                }
            })
            .collect();
        let mut key: Vec<(i64, String)> = cols
            .iter()
            .filter(|c| c.2 > 0)
            .map(|c| (c.2, format!("\"{}\"", c.0)))
            .collect();
        key.sort();
        let key: Vec<String> = key.into_iter().map(|k| k.1).collect();
        let sql = format!(
            "SELECT json_array({}), json_object({}) FROM \"{t}\"",
            key.join(", "),
            obj.join(", ")
        );
        let rows: BTreeMap<String, Value> = c
            .prepare(&sql)
            .unwrap()
            .query_map([], |r| {
                let k: String = r.get(0)?;
                let v: String = r.get(1)?;
                let mut v: Value = serde_json::from_str(&v).unwrap();
                for b in &blobs {
                    if let Some(h) = v[b].as_str() {
                        let bytes = hex::decode(h).unwrap();
                        v[b] = serde_json::json!({
                            "sha256": hex::encode(Sha256::digest(&bytes)),
                            "bytes": bytes.len(),
                        });
                    }
                }
                Ok((k, v))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.insert(t, rows);
    }
    out
}

/// The same, rebuilt from nothing but the audit trail: every insert, update and delete
/// replayed in order.
fn replayed_rows(c: &Connection) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    let mut st = c
        .prepare("SELECT tbl, row_key, action, row_before, row_after FROM audit ORDER BY id")
        .unwrap();
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (tbl, key, action, before, after) = row.unwrap();
        let table = out.entry(tbl.clone()).or_default();
        match action.as_str() {
            "insert" => {
                assert!(before.is_none());
                let prev = table.insert(key, serde_json::from_str(&after.unwrap()).unwrap());
                assert!(prev.is_none(), "an insert of a row that exists in {tbl}");
            }
            "update" => {
                let old = table.remove(&key);
                let before: Value = serde_json::from_str(&before.unwrap()).unwrap();
                // The key may have changed: the before image names the old row.
                if old.as_ref() != Some(&before) {
                    let found = table
                        .iter()
                        .find(|(_, v)| **v == before)
                        .map(|(k, _)| k.clone())
                        .unwrap_or_else(|| panic!("update of an unknown row of {tbl}"));
                    table.remove(&found);
                    table.insert(key.clone(), old.unwrap());
                }
                table.insert(key, serde_json::from_str(&after.unwrap()).unwrap());
            }
            "delete" => {
                let old = table.remove(&key).expect("delete of a known row");
                assert_eq!(Some(old), before.map(|b| serde_json::from_str(&b).unwrap()));
            }
            "triggers" | "bulk_load" | "restore" => {}
            other => panic!("unknown audit action {other}"),
        }
    }
    out.retain(|t, _| t != "audit" && t != "*");
    out
}

fn assert_trail_explains_everything(store: &Store) {
    let live = live_rows(store.conn());
    let mut replayed = replayed_rows(store.conn());
    for (t, rows) in &live {
        let got = replayed.remove(t).unwrap_or_default();
        assert_eq!(
            &got, rows,
            "table {t}: the audit trail does not account for its rows"
        );
    }
    assert!(replayed.values().all(BTreeMap::is_empty), "{replayed:?}");
    let report = audit::verify_chain(store.conn()).unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.rows, audit::count(store.conn()).unwrap());
}

fn draft(f: &Fixture, session: i64, cat: &Catalogue) -> Decision {
    let mut answers = BTreeMap::new();
    for ind in &cat.indicators {
        answers.insert(
            ind.id.clone(),
            AnswerEntry {
                answer: Answer::NotMet,
                evidence: String::new(),
            },
        );
    }
    answers.insert(
        "L2-01".into(),
        AnswerEntry {
            answer: Answer::Met,
            evidence: "家访：无人照料".into(),
        },
    );
    let computed = scoring::score(cat, &answers);
    Decision {
        id: 0,
        case_id: f.cases[0],
        session_id: Some(session),
        decided_on: today(),
        assessment: Assessment {
            catalogue: cat.reference(),
            answers,
            computed,
            override_: None,
            by_member: Default::default(),
        },
        interventions: vec![Intervention {
            kind: cat.menu(RiskLevel::L2).next().unwrap().id.clone(),
            unit: "兴隆镇政府".into(),
            due: Some(d(2026, 12, 10)),
        }],
        next_review: Some(NextReview {
            date: d(2027, 6, 1),
            kind: ReviewKind::Annual,
        }),
        vote: Vote {
            for_: 5,
            against: 0,
            abstain: 0,
        },
        dissent: String::new(),
        voting_members: f.members[..5].to_vec(),
        recused: vec![],
        police_report: None,
        amends: None,
        amend_reason: String::new(),
        status: DecisionStatus::Draft,
        sealed_at: None,
    }
}

/// Many different store functions, one after another; then the audit trail alone rebuilds
/// every row of every table, so no change slipped past it.
#[test]
fn every_change_through_the_store_is_in_the_trail() {
    let mut f = fixture();
    f.store
        .set_operator(Operator::new("测试员 王", OperatorSource::Flag).unwrap());
    let cat = Catalogue::builtin();
    let (c0, c1) = (f.cases[0], f.cases[1]);
    let child0 = cases::get(f.store.conn(), c0).unwrap().unwrap().child_id;
    let present = f.members[..5].to_vec();
    let session = f
        .store
        .write(|tx| {
            let s = panel::create_session(tx, today(), &present, Some(present[0]), None)?;
            panel::set_agenda(tx, s, &[c0, c1])?;
            panel::set_roles(tx, s, Some(present[1]), Some(present[2]))?;
            Ok(s)
        })
        .unwrap();
    let conflicted: BTreeSet<i64> = [f.members[6]].into_iter().collect();
    f.store
        .write(|tx| panel::set_conflicts(tx, session, c1, &conflicted))
        .unwrap();
    f.store
        .write(|tx| panel::set_conflicts(tx, session, c1, &BTreeSet::new()))
        .unwrap();
    // Children: an edit, new guardians (old ones deleted), a region renamed.
    let mut child = children::get(f.store.conn(), child0).unwrap().unwrap();
    child.address = "新民市兴隆镇红旗村4组1号".into();
    f.store
        .write(|tx| children::update(tx, &child, today()))
        .unwrap();
    f.store
        .write(|tx| {
            children::set_guardians(
                tx,
                child0,
                &[Guardian {
                    name: "王桂芝".into(),
                    relation: Relation::Grandparent,
                    status: GuardianStatus::SeriouslyIll,
                    phone: Some("13900001111".into()),
                }],
            )
        })
        .unwrap();
    let mut r = regions::get(f.store.conn(), "210181101").unwrap().unwrap();
    r.name = "兴隆镇（新）".into();
    f.store.write(|tx| regions::upsert(tx, &r)).unwrap();
    // Cases: types changed, a visit added and corrected.
    f.store
        .write(|tx| cases::set_types(tx, c1, &[DifficultyType::OutOfSchool]))
        .unwrap();
    let visit = HomeVisit {
        id: 0,
        case_id: c1,
        visited_on: d(2026, 11, 20),
        visitors: "社工 张丽华".into(),
        place: "家中".into(),
        people_met: "祖母".into(),
        notes: "第一次记录".into(),
    };
    let vid = f
        .store
        .write(|tx| reports::insert_visit(tx, &visit))
        .unwrap();
    f.store
        .write(|tx| {
            reports::update_visit(
                tx,
                &HomeVisit {
                    id: vid,
                    notes: "更正后的记录".into(),
                    ..visit.clone()
                },
            )
        })
        .unwrap();
    // Settings: insert then upsert.
    f.store
        .write(|tx| settings::set(tx, settings::CENTRE_NAME, "新民市未成年人保护中心"))
        .unwrap();
    f.store
        .write(|tx| settings::set(tx, settings::CENTRE_NAME, "新民市未保中心"))
        .unwrap();
    // A decision: drafted, then sealed (case, agenda, catalogue change with it).
    let rules = SealRules {
        catalogue: &cat,
        quorum: QuorumRule::default(),
        review: ReviewRules::default(),
    };
    let dec = draft(&f, session, &cat);
    let draft_id = f
        .store
        .write(|tx| {
            catalogues::remember(tx, &cat, at(2026, 11, 29, 9, 0))?;
            decisions::save_draft(tx, &dec)
        })
        .unwrap();
    let dec = decisions::get(f.store.conn(), draft_id).unwrap().unwrap();
    f.store
        .write(|tx| {
            cases::add_police_report(
                tx,
                c0,
                &PoliceReport {
                    reported_at: at(2026, 11, 21, 8, 0),
                    unit: "兴隆派出所".into(),
                    receipt: "XL-20261121-07".into(),
                },
            )
        })
        .unwrap();
    let sealed = f
        .store
        .write(|tx| decisions::seal(tx, &dec, &rules, at(2026, 11, 29, 10, 0)))
        .unwrap();
    // Signed: the record's row is audited with its bytes' hash, not the bytes.
    let key = casepanel::export::SigningKey::generate_ephemeral();
    let signed = casepanel::export::sign_decision(
        &mut f.store,
        sealed,
        &key,
        "测试员 王",
        None,
        at(2026, 11, 29, 10, 5),
    )
    .unwrap();
    let image: Value = serde_json::from_str(
        audit::history(f.store.conn(), "decision_signature", &format!("[{sealed}]")).unwrap()[0]
            .after
            .as_deref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        image["record"],
        serde_json::json!({
            "sha256": hex::encode(Sha256::digest(&signed.record)),
            "bytes": signed.record.len(),
        })
    );
    assert_eq!(image["minisig"], signed.minisig.as_str());
    f.store
        .write(|tx| panel::close_session(tx, session))
        .unwrap();
    f.store
        .write(|tx| cases::close(tx, c1, today(), ClosingReason::ALL[0]))
        .unwrap();

    assert_trail_explains_everything(&f.store);

    // Who: the operator, and how the name was given.
    let latest = audit::latest(f.store.conn(), 1).unwrap();
    assert_eq!(latest[0].operator, "测试员 王");
    assert_eq!(latest[0].operator_source, "flag");
    // What: the sealed decision's history, insert then the update that sealed it.
    let hist = audit::history(f.store.conn(), "decision", &format!("[{sealed}]")).unwrap();
    let actions: Vec<&str> = hist.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "insert", "{actions:?}");
    assert!(actions.contains(&"update"), "{actions:?}");
    let last: Value = serde_json::from_str(hist.last().unwrap().after.as_deref().unwrap()).unwrap();
    assert_eq!(last["status"], "sealed");
    // Before and after of the address edit.
    let hist = audit::history(f.store.conn(), "child", &format!("[{child0}]")).unwrap();
    let edit = hist.iter().find(|e| e.action == "update").unwrap();
    assert!(edit.before.as_deref().unwrap().contains("红旗村3组12号"));
    assert!(edit.after.as_deref().unwrap().contains("红旗村4组1号"));
    // When: UTC, to the millisecond.
    assert!(edit.at.ends_with('Z') && edit.at.len() == 24, "{}", edit.at);
    // Guardians replaced: the old ones deleted, with their rows.
    let deleted: i64 = f
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE tbl = 'guardian' AND action = 'delete'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(deleted, 2);
}

/// Writing the same values again is no change, and leaves no row.
#[test]
fn an_update_that_changes_nothing_leaves_no_row() {
    let mut f = fixture();
    let n = audit::count(f.store.conn()).unwrap();
    let child0 = cases::get(f.store.conn(), f.cases[0])
        .unwrap()
        .unwrap()
        .child_id;
    let child = children::get(f.store.conn(), child0).unwrap().unwrap();
    f.store
        .write(|tx| children::update(tx, &child, today()))
        .unwrap();
    assert_eq!(audit::count(f.store.conn()).unwrap(), n);
}

#[test]
fn audit_rows_cannot_be_changed_removed_or_slipped_in() {
    let f = fixture();
    let c = f.store.conn();
    let err = c
        .execute("UPDATE audit SET operator = 'mallory' WHERE id = 2", [])
        .unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    let err = c.execute("DELETE FROM audit WHERE id = 2", []).unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    let err = c
        .execute(
            "INSERT OR REPLACE INTO audit (id, at, operator, operator_source, tbl, row_key, action, hash)
             VALUES (2, 'x', 'x', 'x', 'x', '[]', 'x', printf('%064d', 0))",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("audit trail"), "{err}");
    assert_eq!(audit::verify_chain(c).unwrap().broken, None);
}

/// A program without casepanel's functions (the sqlite3 shell, a script) cannot change the
/// data at all: the audit triggers need them.
#[test]
fn a_connection_without_casepanel_cannot_write_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(Store::open(&db).unwrap());
    let c = Connection::open(&db).unwrap();
    let err = c
        .execute("UPDATE region SET name = 'x' WHERE code = '210100'", [])
        .unwrap_err();
    assert!(err.to_string().contains("no such function"), "{err}");
    let err = c
        .execute("INSERT INTO setting (key, value) VALUES ('k', 'v')", [])
        .unwrap_err();
    assert!(err.to_string().contains("no such function"), "{err}");
}

/// The hash layout ARCHITECTURE.md documents, computed by hand.
#[test]
fn the_row_hash_is_the_documented_layout() {
    fn field(out: &mut Vec<u8>, v: Option<&str>) {
        match v {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                out.extend_from_slice(&(s.len() as u32).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
        }
    }
    let f = fixture();
    let c = f.store.conn();
    // The ten fields as text (the id in decimal), then the stored hash.
    let row: Vec<Option<String>> = c
        .query_row(
            "SELECT (SELECT hash FROM audit p WHERE p.id = a.id - 1), CAST(id AS TEXT), at,
                    operator, operator_source, tbl, row_key, action, row_before, row_after, hash
             FROM audit a WHERE id = 3",
            [],
            |r| (0..11).map(|i| r.get(i)).collect(),
        )
        .unwrap();
    let mut bytes = Vec::new();
    for v in &row[..10] {
        field(&mut bytes, v.as_deref());
    }
    let hash = row[10].clone().unwrap();
    assert_eq!(hex::encode(Sha256::digest(&bytes)), hash);
    // The first row chains from NULL.
    let first_prev: Option<String> = c
        .query_row(
            "SELECT (SELECT hash FROM audit WHERE id = 0) FROM audit WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(first_prev.is_none());
}

/// Edits behind casepanel's back, triggers dropped: the chain names the row.
#[test]
fn tampering_shows_in_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(Store::open(&db).unwrap());
    let c = Connection::open(&db).unwrap();
    c.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    // A changed row.
    c.execute(
        "UPDATE audit SET row_after = replace(row_after, '沈阳市', '某市') WHERE id = 2",
        [],
    )
    .unwrap();
    let r = audit::verify_chain(&c).unwrap();
    assert_eq!(r.broken.as_ref().unwrap().row_id, 2, "{r:?}");
    assert_eq!(r.rows, 1);
    // Its hash recomputed too: then the next row's link breaks.
    let fixed = recomputed_hash(&c, 2);
    c.execute("UPDATE audit SET hash = ?1 WHERE id = 2", [&fixed])
        .unwrap();
    let r = audit::verify_chain(&c).unwrap();
    assert_eq!(r.broken.as_ref().unwrap().row_id, 3, "{r:?}");
    // A row removed from the middle.
    let db2 = dir.path().join("b.db");
    drop(Store::open(&db2).unwrap());
    let c2 = Connection::open(&db2).unwrap();
    c2.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 5;")
        .unwrap();
    let r = audit::verify_chain(&c2).unwrap();
    let b = r.broken.unwrap();
    assert_eq!(b.row_id, 6);
    assert_eq!(b.problem, audit::BrokenLink::Gap { row: 6, after: 4 });
    assert!(b.problem.to_string().contains("removed"), "{}", b.problem);
    // casepanel's check reports the dropped triggers too.
    let problems = audit::trigger_problems(&c2).unwrap();
    assert!(
        problems.contains(&audit::TriggerProblem::Unprotected {
            name: "audit_no_delete".into()
        }),
        "{problems:?}"
    );
}

/// The hash row `id` would have over its current content.
fn recomputed_hash(c: &Connection, id: i64) -> String {
    let prev: Option<String> = c
        .query_row("SELECT hash FROM audit WHERE id = ?1", [id - 1], |r| {
            r.get(0)
        })
        .ok();
    let mut st = c
        .prepare(
            "SELECT id, at, operator, operator_source, tbl, row_key, action, row_before, row_after
             FROM audit WHERE id = ?1",
        )
        .unwrap();
    let mut rows = st.query([id]).unwrap();
    let r = rows.next().unwrap().unwrap();
    let p = prev
        .as_deref()
        .map_or(ValueRef::Null, |h| ValueRef::Text(h.as_bytes()));
    audit::row_hash(&[
        p,
        r.get_ref(0).unwrap(),
        r.get_ref(1).unwrap(),
        r.get_ref(2).unwrap(),
        r.get_ref(3).unwrap(),
        r.get_ref(4).unwrap(),
        r.get_ref(5).unwrap(),
        r.get_ref(6).unwrap(),
        r.get_ref(7).unwrap(),
        r.get_ref(8).unwrap(),
    ])
}

/// A fresh bulk load is one audit row with the counts; the triggers are back afterwards
/// and audit the next change.
#[test]
fn a_fresh_bulk_load_is_one_row_and_auditing_resumes() {
    let mut store = Store::open_in_memory().unwrap();
    let before = audit::count(store.conn()).unwrap();
    generate(
        &mut store,
        &GenConfig {
            cases: 40,
            seed: 7,
            today: today(),
        },
    )
    .unwrap();
    let c = store.conn();
    assert_eq!(audit::count(c).unwrap(), before + 1);
    let last = &audit::latest(c, 1).unwrap()[0];
    assert_eq!(
        (last.tbl.as_str(), last.action.as_str()),
        ("*", "bulk_load")
    );
    let rows: Value = serde_json::from_str(last.after.as_deref().unwrap()).unwrap();
    let cases: i64 = c
        .query_row("SELECT count(*) FROM case_file", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows["rows"]["case_file"], cases);
    assert!(audit::trigger_problems(c).unwrap().is_empty());
    assert_eq!(audit::verify_chain(c).unwrap().broken, None);
    store.write(|tx| settings::set(tx, "k", "v")).unwrap();
    let last = &audit::latest(store.conn(), 1).unwrap()[0];
    assert_eq!(
        (last.tbl.as_str(), last.action.as_str()),
        ("setting", "insert")
    );
}

/// A new column in a later schema is covered without writing a trigger by hand.
#[test]
fn triggers_follow_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    drop(Store::open(&db).unwrap());
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch("ALTER TABLE member ADD COLUMN phone TEXT")
            .unwrap();
        assert!(!audit::trigger_problems(&c).unwrap().is_empty());
    }
    let mut store = Store::open(&db).unwrap();
    assert!(audit::trigger_problems(store.conn()).unwrap().is_empty());
    let last = &audit::latest(store.conn(), 1).unwrap()[0];
    assert_eq!(last.action, "triggers");
    assert!(last.after.as_deref().unwrap().contains("member"));
    store
        .write(|tx| {
            tx.execute(
                "INSERT INTO member (name, discipline, phone) VALUES ('甲', 'law', '1')",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let last = &audit::latest(store.conn(), 1).unwrap()[0];
    assert!(last.after.as_deref().unwrap().contains("\"phone\":\"1\""));
}

#[test]
fn operator_names_are_one_clean_line() {
    assert!(Operator::new("  ", OperatorSource::Prompt).is_err());
    assert!(Operator::new(&"名".repeat(61), OperatorSource::Prompt).is_err());
    let o = Operator::new(" 王\x1b[2J 芳\n", OperatorSource::Prompt).unwrap();
    assert!(!o.name.contains('\x1b') && !o.name.contains('\n'), "{o:?}");
    assert_eq!(Operator::os_user().source, OperatorSource::OsUser);
}
