//! A write that fails (here: the disk is full, simulated with `PRAGMA max_page_count`) is
//! reported as failed, leaves nothing half-written, and never shows as saved.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use casepanel::config::Config;
use casepanel::domain::criteria::Catalogue;
use casepanel::i18n::Lang;
use casepanel::store::Store;
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::dashboard::Dashboard;
use casepanel::tui::screens::visit_editor::VisitEditor;
use common::*;

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Makes the database full: no page can be added any more.
fn fill_disk(store: &Store) {
    let pages: i64 = store
        .conn()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    store
        .conn()
        .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
}

#[test]
fn a_full_disk_never_shows_saved_and_writes_nothing() {
    for lang in [Lang::Zh, Lang::En] {
        let dir = tempfile::tempdir().unwrap();
        let f = fixture_at(&dir.path().join("full.db"));
        let case_id = f.cases[0];
        let mut env = Env::new(
            f.store,
            Catalogue::builtin(),
            lang,
            Clock::Fixed(at(2026, 11, 29, 10, 0)),
            Config::default(),
        );
        let root = Dashboard::open(&mut env).unwrap();
        let mut app = App::new(env, Box::new(root));
        let editor = VisitEditor::new(&app.env, case_id, None);
        app.push(Box::new(editor));
        // A new visit opens on the visitors field; three tabs to the notes.
        for _ in 0..3 {
            app.on_key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
        }
        // Long enough to need new pages.
        app.on_paste(&"祖母卧床，孩子自己做饭。".repeat(1500));
        let before = count(&app.env.store, "visit");
        fill_disk(&app.env.store);
        app.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
        let s = screen(&mut app, 120, 40);
        let failed = match lang {
            Lang::Zh => "保存失败",
            Lang::En => "Could not save",
        };
        assert!(s.contains(failed), "{s}");
        assert!(
            s.contains(match lang {
                Lang::Zh => "未保存",
                Lang::En => "unsaved",
            }),
            "the editor still says the text is unsaved: {s}"
        );
        assert_eq!(
            count(&app.env.store, "visit"),
            before,
            "nothing half-written"
        );
        let problems = app.env.store.check_integrity().unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }
}
