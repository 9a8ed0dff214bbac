//! Autosave: text being typed is kept as a draft within two seconds of the last key, and
//! after a crash (here: the app dropped without saving, as a kill would leave it) the next
//! start offers it back; saving for real or discarding ends the draft.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

use casepanel::config::Config;
use casepanel::domain::criteria::Catalogue;
use casepanel::i18n::Lang;
use casepanel::store::{Store, autosave, reports};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::dashboard::Dashboard;
use casepanel::tui::screens::drafts::Drafts;
use casepanel::tui::screens::visit_editor::VisitEditor;
use common::*;

/// The app as `casepanel` starts it on `db`: the dashboard, and the drafts on top if any.
fn start(db: &Path, lang: Lang) -> App {
    let mut env = Env::new(
        Store::open(db).unwrap(),
        Catalogue::builtin(),
        lang,
        Clock::Fixed(at(2026, 11, 29, 10, 0)),
        Config::default(),
    );
    let root = Dashboard::open(&mut env).unwrap();
    let drafts = Drafts::any(&env).then(|| Drafts::open(&env).unwrap());
    let mut app = App::new(env, Box::new(root));
    if let Some(d) = drafts {
        app.push(Box::new(d));
    }
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

const NOTE: &str = "孩子说晚上一个人在家，门锁坏了。";

#[test]
fn a_visit_note_typed_before_a_crash_comes_back_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let case_id = fixture_at(&db).cases[0];
    {
        let mut app = start(&db, Lang::Zh);
        assert!(
            screen(&mut app, 120, 40).contains("在册个案"),
            "no drafts: the dashboard"
        );
        let ed = VisitEditor::new(&app.env, case_id, None);
        app.push(Box::new(ed));
        for _ in 0..3 {
            key(&mut app, KeyCode::Tab);
        }
        app.on_paste(NOTE);
        // Nothing yet: typing has not paused.
        app.on_tick();
        assert!(autosave::all(app.env.store.conn()).unwrap().is_empty());
        // A pause of a second: the next tick keeps the text.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        app.on_tick();
        let drafts = autosave::all(app.env.store.conn()).unwrap();
        assert_eq!(drafts.len(), 1);
        assert!(drafts[0].fields[4].contains("门锁坏了"));
        // The app dies here without saving, as a kill would leave it.
    }
    let mut app = start(&db, Lang::Zh);
    insta::assert_snapshot!("drafts_zh_80x24", screen(&mut app, 80, 24));
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("未保存的草稿") && s.contains("新增家访记录 · C-000001"),
        "{s}"
    );
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("门锁坏了"),
        "the text is back in the editor: {s}"
    );
    assert!(s.contains("已恢复"), "{s}");
    let visits_before = reports::visits(app.env.store.conn(), case_id)
        .unwrap()
        .len();
    app.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let visits = reports::visits(app.env.store.conn(), case_id).unwrap();
    assert_eq!(visits.len(), visits_before + 1);
    assert!(visits.iter().any(|v| v.notes == NOTE));
    assert!(
        autosave::all(app.env.store.conn()).unwrap().is_empty(),
        "saved for real: the draft is gone"
    );
}

#[test]
fn discarding_in_the_editor_or_the_list_ends_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    let case_id = fixture_at(&db).cases[1];
    {
        let mut app = start(&db, Lang::En);
        app.push(Box::new(VisitEditor::new(&app.env, case_id, None)));
        app.on_paste("社工 刘芳");
        app.autosave_now();
    }
    let mut app = start(&db, Lang::En);
    for (w, h) in [(80, 24), (160, 48)] {
        let s = screen(&mut app, w, h);
        insta::assert_snapshot!(format!("drafts_en_{w}x{h}"), s);
    }
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(
        autosave::all(app.env.store.conn()).unwrap().len(),
        1,
        "asked twice"
    );
    key(&mut app, KeyCode::Char('x'));
    assert!(autosave::all(app.env.store.conn()).unwrap().is_empty());
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Open cases"), "back on the dashboard: {s}");

    // Typed, then Esc twice (discard): no draft either.
    app.push(Box::new(VisitEditor::new(&app.env, case_id, None)));
    app.on_paste("社工 刘芳");
    app.autosave_now();
    assert_eq!(autosave::all(app.env.store.conn()).unwrap().len(), 1);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(autosave::all(app.env.store.conn()).unwrap().is_empty());
}

#[test]
fn a_session_form_draft_comes_back_when_the_form_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    fixture_at(&db);
    let dissent = "委员三认为应评为二级：祖母病重，监护实际缺失。";
    {
        let mut app = start(&db, Lang::Zh);
        key(&mut app, KeyCode::Char('s'));
        for _ in 0..5 {
            key(&mut app, KeyCode::Char(' '));
            key(&mut app, KeyCode::Down);
        }
        key(&mut app, KeyCode::Home);
        key(&mut app, KeyCode::Char('c'));
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Char('s'));
        key(&mut app, KeyCode::Enter);
        for _ in 0..4 {
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::End);
        key(&mut app, KeyCode::Enter);
        app.on_paste(dissent);
        app.autosave_now();
        let s = screen(&mut app, 120, 40);
        assert!(s.contains("祖母病重"), "{s}");
    }
    let mut app = start(&db, Lang::Zh);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("会议 S-000001 · C-000001 · 不同意见"), "{s}");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    for _ in 0..4 {
        key(&mut app, KeyCode::Tab);
    }
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("祖母病重") && s.contains("已恢复"), "{s}");
    // Saved into the decision draft: the autosaved draft ends.
    app.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(autosave::all(app.env.store.conn()).unwrap().is_empty());
}

#[test]
fn a_follow_up_draft_stays_with_its_intervention() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let case_id = fixture_at(&db).cases[0];
    let mut app = start(&db, Lang::Zh);
    let ed = VisitEditor::follow_up(&app.env, case_id, 1, 0, "心理干预");
    app.push(Box::new(ed));
    app.on_paste("回访人 社工 刘芳");
    app.autosave_now();
    let drafts = autosave::all(app.env.store.conn()).unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].place, format!("followup:{case_id}:1:0"));
    // A plain new visit on the same case does not take the follow-up's text.
    let plain = VisitEditor::new(&app.env, case_id, None);
    app.push(Box::new(plain));
    let s = screen(&mut app, 120, 40);
    assert!(!s.contains("刘芳") && !s.contains("已恢复"), "{s}");
    // The list names it as a follow-up visit.
    let list = Drafts::open(&app.env).unwrap();
    app.push(Box::new(list));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("跟踪回访记录 · C-000001"), "{s}");
}
