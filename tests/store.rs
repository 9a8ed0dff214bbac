//! The store: what it refuses to open, what it writes, and that a sealed decision never
//! changes.

mod common;

use std::collections::BTreeSet;

use casepanel::domain::assessment::{Answer, AnswerEntry, Assessment, Override};
use casepanel::domain::case::CaseStatus;
use casepanel::domain::criteria::{Catalogue, scoring};
use casepanel::domain::decision::{
    Decision, DecisionStatus, Intervention, Missing, NextReview, PoliceReport, ReviewKind, Vote,
};
use casepanel::domain::level::RiskLevel;
use casepanel::domain::panel::QuorumRule;
use casepanel::domain::report::{Channel, Report};
use casepanel::domain::review::ReviewRules;
use casepanel::store::decisions::{self, SealRules};
use casepanel::store::{Store, StoreError, cases, panel, queries, reports};
use common::*;

fn sha(path: &std::path::Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn a_plain_text_file_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.db");
    std::fs::write(&p, "这不是数据库 — not a database\n").unwrap();
    let before = sha(&p);
    let err = Store::open(&p).err().expect("refused");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err}");
    assert!(!err.to_string().contains('\n'));
    assert_eq!(sha(&p), before);
}

#[test]
fn a_foreign_sqlite_file_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = sha(&p);
    let err = Store::open(&p).err().expect("refused");
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err}");
    assert_eq!(sha(&p), before);
    assert!(!dir.path().join("other.db-wal").exists());
}

#[test]
fn a_newer_schema_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("new.db");
    drop(Store::open(&p).unwrap());
    {
        let c = rusqlite::Connection::open(&p).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = sha(&p);
    let err = Store::open(&p).err().expect("refused");
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer casepanel"));
    assert_eq!(sha(&p), before);
}

#[test]
fn a_new_database_has_the_provinces_regions_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sub/folder/casepanel.db");
    let store = Store::open(&p).unwrap();
    let cities = casepanel::store::regions::all_of_level(
        store.conn(),
        casepanel::domain::region::RegionLevel::City,
    )
    .unwrap();
    assert_eq!(cities.len(), 14);
    let app_id: i32 = store
        .conn()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app_id, casepanel::store::APPLICATION_ID);
    let fk: i64 = store
        .conn()
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let sync: i64 = store
        .conn()
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "FULL");
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(store.check_integrity().unwrap().is_empty());
}

/// A decision on the first fixture case: L1-02 met (hard trigger, reportable).
fn draft(f: &Fixture, session: i64, cat: &Catalogue) -> Decision {
    let mut answers = std::collections::BTreeMap::new();
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
        "L1-02".into(),
        AnswerEntry {
            answer: Answer::Met,
            evidence: "2026-11-20 家访：孩子向社工讲述".into(),
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
            kind: cat.menu(RiskLevel::L1).next().unwrap().id.clone(),
            unit: "新民市公安局".into(),
            due: Some(d(2026, 12, 10)),
        }],
        next_review: Some(NextReview {
            date: d(2027, 3, 1),
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

fn session(f: &mut Fixture, present: &[i64]) -> i64 {
    let cases = f.cases.clone();
    f.store
        .write(|tx| {
            let s =
                panel::create_session(tx, today(), present, Some(present[0]), Some(present[1]))?;
            panel::set_agenda(tx, s, &cases)?;
            Ok(s)
        })
        .unwrap()
}

#[test]
fn sealing_names_what_is_missing_then_seals_and_moves_the_case() {
    let mut f = fixture();
    let cat = Catalogue::builtin();
    let present: Vec<i64> = f.members[..5].to_vec();
    let s = session(&mut f, &present);
    let rules = SealRules {
        catalogue: &cat,
        quorum: QuorumRule::default(),
        review: ReviewRules::default(),
    };
    let mut dec = draft(&f, s, &cat);
    assert_eq!(dec.final_level(), Some(RiskLevel::L1));

    // The police report is missing for the reportable L1-02.
    let missing = decisions::missing_for_seal(f.store.conn(), &dec, &rules).unwrap();
    assert_eq!(
        missing,
        vec![Missing::PoliceReport {
            indicators: vec!["L1-02".into()]
        }]
    );
    let err = f
        .store
        .write(|tx| decisions::seal(tx, &dec, &rules, at(2026, 11, 29, 10, 0)))
        .unwrap_err();
    assert!(err.to_string().contains("PoliceReport"), "{err}");
    assert_eq!(
        decisions::of_case(f.store.conn(), f.cases[0])
            .unwrap()
            .len(),
        0,
        "nothing half-written"
    );

    // Conflicts leave members out of the quorum.
    let conflicted: BTreeSet<i64> = present[..3].iter().copied().collect();
    f.store
        .write(|tx| panel::set_conflicts(tx, s, f.cases[0], &conflicted))
        .unwrap();
    let missing = decisions::missing_for_seal(f.store.conn(), &dec, &rules).unwrap();
    assert!(
        matches!(missing[0], Missing::Quorum { members: 2, .. }),
        "{missing:?}"
    );
    f.store
        .write(|tx| panel::set_conflicts(tx, s, f.cases[0], &BTreeSet::new()))
        .unwrap();

    dec.police_report = Some(PoliceReport {
        reported_at: at(2026, 11, 21, 8, 0),
        unit: "兴隆派出所".into(),
        receipt: "XL-20261121-07".into(),
    });
    let id = f
        .store
        .write(|tx| decisions::seal(tx, &dec, &rules, at(2026, 11, 29, 10, 0)))
        .unwrap();
    let sealed = decisions::get(f.store.conn(), id).unwrap().unwrap();
    assert_eq!(sealed.status, DecisionStatus::Sealed);
    assert_eq!(sealed.final_level(), Some(RiskLevel::L1));
    assert_eq!(
        sealed.police_report.as_ref().unwrap().receipt,
        "XL-20261121-07"
    );
    assert_eq!(sealed.interventions, dec.interventions);
    let case = cases::get(f.store.conn(), f.cases[0]).unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Active);
    assert_eq!(case.level, Some(RiskLevel::L1));
    assert_eq!(case.next_review, Some(d(2027, 3, 1)));
    let agenda = panel::agenda(f.store.conn(), s).unwrap();
    assert_eq!(agenda[0].decision_id, Some(id));
}

#[test]
fn a_sealed_decision_cannot_change_through_the_app_or_plain_sql() {
    let mut f = fixture();
    let cat = Catalogue::builtin();
    let present: Vec<i64> = f.members[..5].to_vec();
    let s = session(&mut f, &present);
    let rules = SealRules {
        catalogue: &cat,
        quorum: QuorumRule::default(),
        review: ReviewRules::default(),
    };
    let mut dec = draft(&f, s, &cat);
    dec.police_report = Some(PoliceReport {
        reported_at: at(2026, 11, 21, 8, 0),
        unit: "兴隆派出所".into(),
        receipt: "R-1".into(),
    });
    let id = f
        .store
        .write(|tx| decisions::seal(tx, &dec, &rules, at(2026, 11, 29, 10, 0)))
        .unwrap();

    // Through the app.
    let mut again = decisions::get(f.store.conn(), id).unwrap().unwrap();
    again.dissent = "changed".into();
    assert!(
        f.store
            .write(|tx| decisions::save_draft(tx, &again))
            .is_err()
    );
    again.status = DecisionStatus::Draft;
    let err = f
        .store
        .write(|tx| decisions::save_draft(tx, &again))
        .unwrap_err();
    assert!(err.to_string().contains("sealed"), "{err}");
    assert!(
        f.store
            .write(|tx| decisions::seal(tx, &again, &rules, at(2026, 11, 29, 11, 0)))
            .is_err()
    );

    // Through plain SQL.
    let c = f.store.conn();
    for sql in [
        "UPDATE decision SET final_level = 3 WHERE id = ?1",
        "UPDATE decision SET status = 'draft' WHERE id = ?1",
        "DELETE FROM decision WHERE id = ?1",
        "UPDATE intervention SET unit = 'x' WHERE decision_id = ?1",
        "DELETE FROM intervention WHERE decision_id = ?1",
        "INSERT INTO intervention (decision_id, position, kind, unit) VALUES (?1, 9, 'legal-aid', 'x')",
    ] {
        let err = c.execute(sql, [id]).unwrap_err();
        assert!(err.to_string().contains("casepanel: "), "{sql}: {err}");
    }
    // Progress on an intervention is still recorded.
    c.execute(
        "UPDATE intervention SET status = 'in_progress', note = '已联系' WHERE decision_id = ?1",
        [id],
    )
    .unwrap();
    assert_eq!(
        decisions::get(c, id).unwrap().unwrap(),
        decisions::get(c, id).unwrap().unwrap()
    );
}

#[test]
fn an_override_must_stay_within_one_level_and_have_a_reason() {
    let mut f = fixture();
    let cat = Catalogue::builtin();
    let present: Vec<i64> = f.members[..5].to_vec();
    let s = session(&mut f, &present);
    let rules = SealRules {
        catalogue: &cat,
        quorum: QuorumRule::default(),
        review: ReviewRules::default(),
    };
    let mut dec = draft(&f, s, &cat);
    dec.police_report = Some(PoliceReport {
        reported_at: at(2026, 11, 21, 8, 0),
        unit: "派出所".into(),
        receipt: "R".into(),
    });
    // A hard trigger cannot be overridden down.
    dec.assessment.override_ = Some(Override {
        level: RiskLevel::L2,
        reason: "孩子已安全".into(),
        by: None,
    });
    let missing = decisions::missing_for_seal(f.store.conn(), &dec, &rules).unwrap();
    assert!(
        missing
            .iter()
            .any(|m| matches!(m, Missing::Override { .. })),
        "{missing:?}"
    );
}

#[test]
fn a_report_on_a_graded_case_brings_it_back_before_the_panel() {
    let mut f = fixture();
    let case_id = f.cases[1];
    f.store
        .write(|tx| {
            let a = Assessment {
                catalogue: Catalogue::builtin().reference(),
                answers: Default::default(),
                computed: casepanel::domain::assessment::Scoring {
                    level: Some(RiskLevel::L3),
                    rule: casepanel::domain::assessment::Rule::NoneMet,
                },
                override_: None,
                by_member: Default::default(),
            };
            decisions::import_historical(
                tx,
                case_id,
                d(2026, 1, 5),
                &a,
                Some(NextReview {
                    date: d(2027, 1, 5),
                    kind: ReviewKind::Annual,
                }),
                at(2026, 11, 1, 9, 0),
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(
        cases::get(f.store.conn(), case_id).unwrap().unwrap().status,
        CaseStatus::Active
    );
    f.store
        .write(|tx| {
            reports::insert(
                tx,
                &Report {
                    id: 0,
                    case_id,
                    received_at: at(2026, 11, 28, 14, 2),
                    channel: Channel::Teacher,
                    reporter: None,
                    summary: "疑似遭受家庭暴力".into(),
                },
            )
        })
        .unwrap();
    let case = cases::get(f.store.conn(), case_id).unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::AwaitingPanel);
    let open = cases::open_review_requests(f.store.conn(), case_id).unwrap();
    assert_eq!(open.len(), 1);
    let cands =
        queries::agenda_candidates(f.store.conn(), today(), &ReviewRules::default(), 10).unwrap();
    assert_eq!(cands[0].0.case_id, case_id, "ad-hoc first");
    assert_eq!(cands[0].1, casepanel::store::queue::Reason::AdHoc);
}

#[test]
fn text_is_made_safe_where_it_enters() {
    let f = fixture();
    let visits = reports::visits(f.store.conn(), f.cases[0]).unwrap();
    let notes = &visits[0].notes;
    assert!(
        !notes.contains('\x1b') && !notes.contains('\x07') && !notes.contains('\u{202E}'),
        "{notes:?}"
    );
    assert!(notes.contains("孩子说"));
}

#[test]
fn search_finds_names_id_prefixes_and_initials() {
    let f = fixture();
    let c = f.store.conn();
    let find = |q: &str| {
        let filter = queries::CaseFilter {
            search: q.into(),
            ..Default::default()
        };
        queries::cases(c, &filter, 0, 10)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(find("三明"), vec!["张三明"]);
    assert_eq!(find("zsm"), vec!["张三明"]);
    assert_eq!(find("lxh"), vec!["李小红"]);
    assert_eq!(find("21018120150314"), vec!["张三明"]);
    assert!(find("%").is_empty(), "LIKE wildcards are escaped");
}
