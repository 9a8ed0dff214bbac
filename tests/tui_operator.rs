//! The first screen when no operator is configured: who is working? The name typed there
//! is recorded on every change of the run.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use casepanel::config::Config;
use casepanel::domain::criteria::Catalogue;
use casepanel::i18n::Lang;
use casepanel::store::audit::OperatorSource;
use casepanel::store::{audit, settings};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::dashboard::Dashboard;
use casepanel::tui::screens::operator::OperatorPrompt;
use common::*;

fn app(lang: Lang) -> App {
    let f = fixture();
    let env = Env::new(
        f.store,
        Catalogue::builtin(),
        lang,
        Clock::Fixed(at(2026, 11, 29, 10, 0)),
        Config::default(),
    );
    let mut env = env;
    let root = Dashboard::open(&mut env).unwrap();
    let prompt = OperatorPrompt::new(&env);
    let mut app = App::new(env, Box::new(root));
    app.push(Box::new(prompt));
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn type_(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn the_prompt_in_both_languages() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        for (w, h) in [(80, 24), (160, 48)] {
            let mut a = app(lang);
            let s = screen(&mut a, w, h);
            insta::assert_snapshot!(format!("operator_prompt_{tag}_{w}x{h}"), s);
        }
    }
}

#[test]
fn a_name_is_needed_then_every_change_carries_it() {
    let mut a = app(Lang::Zh);
    // Enter on an empty name: an error, still the prompt; Esc does not skip it.
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("操作人姓名"), "{s}");
    assert!(s.contains("请填写姓名"), "{s}");
    type_(&mut a, "王芳");
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("操作人姓名"), "the dashboard follows: {s}");
    let op = a.env.store.operator();
    assert_eq!(op.name, "王芳");
    assert_eq!(op.source, OperatorSource::Prompt);
    a.env.store.write(|tx| settings::set(tx, "k", "v")).unwrap();
    let last = &audit::latest(a.env.store.conn(), 1).unwrap()[0];
    assert_eq!(last.operator, "王芳");
    assert_eq!(last.operator_source, "prompt");
}
