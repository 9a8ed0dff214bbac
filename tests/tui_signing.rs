//! Signing at the panel's confirm step, and amendments, driven by keys as the secretary
//! would: the passphrase is asked once per session (a wrong one seals nothing), sealing and
//! signing are one act, a correction is a new signed record that names the old one, both
//! stay unchanged, the case file shows the chain, and the session's export verifies.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use casepanel::config::Config;
use casepanel::domain::criteria::Catalogue;
use casepanel::domain::decision::DecisionStatus;
use casepanel::domain::level::RiskLevel;
use casepanel::export::keys;
use casepanel::export::signer::KeyPlan;
use casepanel::i18n::Lang;
use casepanel::store::{decisions, signatures};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::case_file::CaseFile;
use casepanel::tui::screens::dashboard::Dashboard;
use common::*;

const PASS: &str = "兴隆 correct horse 7";
const CENTRE: &str = "新民市未成年人保护中心";

fn app(lang: Lang, plan: Option<KeyPlan>) -> App {
    let f = fixture();
    let mut env = Env::new(
        f.store,
        Catalogue::builtin(),
        lang,
        Clock::Fixed(at(2026, 11, 29, 10, 0)),
        Config::default(),
    );
    env.signing = Ok(plan);
    let root = Dashboard::open(&mut env).unwrap();
    App::new(env, Box::new(root))
}

/// An encrypted centre key in a fresh folder.
fn centre_key() -> (tempfile::TempDir, KeyPlan) {
    let dir = tempfile::tempdir().unwrap();
    let files = keys::generate(dir.path(), Some(PASS), "test centre").unwrap();
    let plan = KeyPlan {
        path: files.secret,
        demo: false,
        encrypted: true,
        signer: CENTRE.into(),
    };
    (dir, plan)
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys_(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Roll call of five, chair and secretary, into the first case.
fn begin(app: &mut App) {
    key(app, KeyCode::Char('s'));
    for _ in 0..5 {
        key(app, KeyCode::Char(' '));
        key(app, KeyCode::Down);
    }
    key(app, KeyCode::Home);
    keys_(app, "c");
    key(app, KeyCode::Down);
    keys_(app, "s");
    key(app, KeyCode::Enter);
}

/// Scores the current case (the given indicators met, the rest not), chooses the first
/// intervention and goes to the confirm step.
fn decide(app: &mut App, met: &[&str]) {
    for _ in 0..3 {
        key(app, KeyCode::Tab);
    }
    let cat = Catalogue::builtin();
    let mut order: Vec<_> = cat.indicators.iter().collect();
    order.sort_by_key(|i| i.level.number());
    for ind in order {
        keys_(
            app,
            if met.contains(&ind.id.as_str()) {
                "y"
            } else {
                "n"
            },
        );
    }
    key(app, KeyCode::Tab);
    key(app, KeyCode::Down);
    key(app, KeyCode::Char(' '));
    key(app, KeyCode::Tab);
}

fn sealed_count(app: &App) -> i64 {
    app.env
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM decision WHERE status = 'sealed'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn case_ids(app: &App) -> Vec<i64> {
    app.env
        .store
        .conn()
        .prepare("SELECT id FROM case_file ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_passphrase_is_asked_once_and_a_wrong_one_seals_nothing() {
    let (_dir, plan) = centre_key();
    let mut a = app(Lang::Zh, Some(plan.clone()));
    begin(&mut a);
    decide(&mut a, &["L3-02", "L3-07"]);
    let s = screen(&mut a, 120, 40);
    assert!(
        s.contains("确认时由 新民市未成年人保护中心 签名（需输入密钥口令"),
        "{s}"
    );
    ctrl(&mut a, 's');
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("签名密钥口令"), "the passphrase is asked: {s}");
    assert_eq!(
        sealed_count(&a),
        0,
        "nothing is sealed before the key is loaded"
    );

    a.on_paste("not the passphrase");
    let s = screen(&mut a, 120, 40);
    assert!(
        !s.contains("not the passphrase"),
        "typed characters never show: {s}"
    );
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("口令不对，请重新输入"), "{s}");
    assert_eq!(sealed_count(&a), 0, "a wrong passphrase seals nothing");

    a.on_paste(PASS);
    key(&mut a, KeyCode::Enter);
    assert_eq!(sealed_count(&a), 1);
    let ids = case_ids(&a);
    let first = decisions::latest_sealed(a.env.store.conn(), ids[0])
        .unwrap()
        .unwrap();
    let sig = signatures::get(a.env.store.conn(), first.id)
        .unwrap()
        .expect("sealed and signed in one act");
    assert_eq!(sig.signer, CENTRE);

    // The second case: no second question.
    decide(&mut a, &["L3-02", "L3-07"]);
    ctrl(&mut a, 's');
    assert_eq!(sealed_count(&a), 2, "sealed without asking again");
    let second = decisions::latest_sealed(a.env.store.conn(), ids[1])
        .unwrap()
        .unwrap();
    assert!(signatures::is_signed(a.env.store.conn(), second.id).unwrap());
}

#[test]
fn without_a_key_decisions_are_sealed_unsigned_and_say_so() {
    let mut a = app(Lang::En, None);
    begin(&mut a);
    decide(&mut a, &["L3-02", "L3-07"]);
    let s = screen(&mut a, 160, 48);
    assert!(s.contains("no signing key configured"), "{s}");
    ctrl(&mut a, 's');
    let s = screen(&mut a, 160, 48);
    assert!(
        s.contains("not signed, no signing key is configured"),
        "{s}"
    );
    assert_eq!(sealed_count(&a), 1);
    let unsigned = signatures::unsigned_sealed(a.env.store.conn()).unwrap();
    assert_eq!(unsigned.len(), 1, "left for `casepanel sign`");
}

#[test]
fn the_passphrase_form_in_both_languages() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let (_dir, plan) = centre_key();
        let mut a = app(lang, Some(plan));
        begin(&mut a);
        decide(&mut a, &["L3-02", "L3-07"]);
        ctrl(&mut a, 's');
        a.on_paste("secret");
        for (w, h) in [(80, 24), (160, 48)] {
            let s = screen(&mut a, w, h);
            assert!(!s.contains("secret"));
            insta::assert_snapshot!(format!("{tag}_passphrase_{w}x{h}"), s);
        }
    }
}

#[test]
fn an_amendment_is_a_new_signed_record_and_the_old_one_stays() {
    let (dir, plan) = centre_key();
    let mut a = app(Lang::Zh, Some(plan));
    begin(&mut a);
    decide(&mut a, &["L3-02", "L3-07"]);
    ctrl(&mut a, 's');
    a.on_paste(PASS);
    key(&mut a, KeyCode::Enter);
    let ids = case_ids(&a);
    let c = a.env.store.conn();
    let old = decisions::latest_sealed(c, ids[0]).unwrap().unwrap();
    let old_sig = signatures::get(c, old.id).unwrap().unwrap();
    assert_eq!(old.final_level(), Some(RiskLevel::L3));

    // Back to the first case, which this session decided: amend it.
    key(&mut a, KeyCode::Char('['));
    key(&mut a, KeyCode::Char('A'));
    let s = screen(&mut a, 120, 40);
    assert!(s.contains(&format!("更正决定 D-{:06}", old.id)), "{s}");
    // Sealing is refused until the reason is written.
    key(&mut a, KeyCode::Esc);
    for _ in 0..2 {
        key(&mut a, KeyCode::Tab);
    }
    ctrl(&mut a, 's');
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("更正须写明理由"), "{s}");
    assert_eq!(sealed_count(&a), 1);

    // Write the reason, correct the evidence (L2-06 was met after all: level 2).
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::Enter);
    a.on_paste("家访记录补充：监护人长期外出务工，祖父母无力监护");
    ctrl(&mut a, 's');
    key(&mut a, KeyCode::BackTab);
    let cat = Catalogue::builtin();
    let mut order: Vec<_> = cat.indicators.iter().collect();
    order.sort_by_key(|i| i.level.number());
    key(&mut a, KeyCode::Home);
    for ind in order {
        if ind.id == "L2-06" {
            keys_(&mut a, "y");
        } else {
            key(&mut a, KeyCode::Down);
        }
    }
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Tab);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains(&format!("更正 D-{:06}", old.id)), "{s}");
    ctrl(&mut a, 's');
    assert_eq!(
        sealed_count(&a),
        2,
        "the correction is sealed, passphrase not asked again"
    );

    let c = a.env.store.conn();
    let new = decisions::latest_sealed(c, ids[0]).unwrap().unwrap();
    assert_ne!(new.id, old.id);
    assert_eq!(new.amends, Some(old.id));
    assert_eq!(new.final_level(), Some(RiskLevel::L2));
    assert!(new.amend_reason.contains("祖父母无力监护"));
    // The old decision and its signed bytes are exactly as they were.
    assert_eq!(decisions::get(c, old.id).unwrap().unwrap(), old);
    assert_eq!(signatures::get(c, old.id).unwrap().unwrap(), old_sig);
    assert_eq!(old.status, DecisionStatus::Sealed);
    let new_sig = signatures::get(c, new.id).unwrap().unwrap();
    let record: serde_json::Value = serde_json::from_slice(&new_sig.record).unwrap();
    assert_eq!(record["amends"]["record_id"], format!("D-{:06}", old.id));
    assert_eq!(
        record["amends"]["reason"],
        "家访记录补充：监护人长期外出务工，祖父母无力监护"
    );
    // The database refuses a second correction of the same decision.
    let dup = c.execute(
        "INSERT INTO decision (case_id, session_id, decided_on, assessment, vote_for, vote_against,
            vote_abstain, dissent, voting_members, recused, amends, status, sealed_at)
         SELECT case_id, session_id, decided_on, assessment, vote_for, vote_against, vote_abstain,
            dissent, voting_members, recused, amends, 'sealed', sealed_at FROM decision WHERE id = ?1",
        [new.id],
    );
    assert!(dup.is_err(), "a decision is corrected at most once");

    // The case file shows the chain.
    let cf = CaseFile::open(&mut a.env, ids[0]).unwrap();
    a.push(Box::new(cf));
    for _ in 0..3 {
        key(&mut a, KeyCode::Tab);
    }
    let s = screen(&mut a, 160, 48);
    assert!(s.contains(&format!("更正 D-{:06}", old.id)), "{s}");

    // The session's export verifies with the public key, both records included.
    let out = tempfile::tempdir().unwrap();
    let key = keys::load_secret_key(&dir.path().join(keys::SECRET_FILE), Some(PASS)).unwrap();
    let session: i64 = a
        .env
        .store
        .conn()
        .query_row(
            "SELECT session_id FROM decision WHERE id = ?1",
            [new.id],
            |r| r.get(0),
        )
        .unwrap();
    casepanel::export::export_session(
        &a.env.store,
        session,
        out.path(),
        Lang::Zh,
        &key,
        CENTRE,
        at(2026, 11, 29, 12, 0),
    )
    .unwrap();
    let pk = keys::load_public_key(&dir.path().join(keys::PUBLIC_FILE)).unwrap();
    let verified = casepanel::export::verify::verify_folder(out.path(), &pk).unwrap();
    assert_eq!(verified.records.len(), 2, "{verified:?}");
}
