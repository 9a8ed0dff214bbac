//! The idle lock hides every bit of case content, keeps typed text, and opens with a key
//! or, by config, only with the signing key's passphrase.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

use casepanel::config::{Config, LockConfig};
use casepanel::domain::criteria::Catalogue;
use casepanel::export::keys;
use casepanel::export::signer::KeyPlan;
use casepanel::i18n::Lang;
use casepanel::store::autosave;
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::dashboard::Dashboard;
use casepanel::tui::screens::visit_editor::VisitEditor;
use common::*;

fn app(lang: Lang, config: Config) -> (App, i64) {
    let f = fixture();
    let case = f.cases[0];
    let mut env = Env::new(
        f.store,
        Catalogue::builtin(),
        lang,
        Clock::Fixed(at(2026, 11, 29, 10, 0)),
        config,
    );
    let root = Dashboard::open(&mut env).unwrap();
    (App::new(env, Box::new(root)), case)
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn locked_shows_nothing_of_the_case_and_any_key_opens() {
    for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
        let (mut a, case) = app(lang, Config::default());
        a.push(Box::new(VisitEditor::new(&a.env, case, None)));
        a.on_paste("社工 刘芳");
        a.lock_now();
        assert!(a.locked());
        for (w, h) in [(80, 24), (160, 48)] {
            let s = screen(&mut a, w, h);
            for secret in ["C-000001", "张", "刘芳", "兴隆"] {
                assert!(!s.contains(secret), "{secret} shows while locked: {s}");
            }
            insta::assert_snapshot!(format!("lock_{tag}_{w}x{h}"), s);
        }
        assert_eq!(
            autosave::all(a.env.store.conn()).unwrap().len(),
            1,
            "typed text kept before locking"
        );
        key(&mut a, KeyCode::Char('z'));
        assert!(!a.locked());
        let s = screen(&mut a, 120, 40);
        assert!(
            s.contains("社工 刘芳") && !s.contains("社工 刘芳z"),
            "the unlocking key is not typed: {s}"
        );
    }
}

#[test]
fn with_passphrase_only_the_signing_keys_passphrase_opens() {
    let dir = tempfile::tempdir().unwrap();
    let files = keys::generate(dir.path(), Some("门锁 7"), "test").unwrap();
    let config = Config::parse(
        &format!(
            "signing_key = \"{}\"\n[lock]\nminutes = 10\npassphrase = true\n",
            files.secret.display()
        ),
        Path::new("config.toml"),
    )
    .unwrap();
    let (mut a, _) = app(Lang::Zh, config);
    a.env.signing = Ok(Some(KeyPlan {
        path: files.secret.clone(),
        demo: false,
        encrypted: true,
        signer: "中心".into(),
    }));
    a.lock_now();
    key(&mut a, KeyCode::Char('x'));
    key(&mut a, KeyCode::Enter);
    assert!(a.locked(), "a wrong passphrase keeps it locked");
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("口令不对"), "{s}");
    assert!(!s.contains("在册个案"), "{s}");
    a.on_paste("门锁 7");
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("门锁 7"), "the passphrase never shows: {s}");
    key(&mut a, KeyCode::Enter);
    assert!(!a.locked());
}

#[test]
fn the_lock_config_is_checked() {
    let p = Path::new("config.toml");
    assert_eq!(
        Config::default().lock,
        LockConfig {
            minutes: 5,
            passphrase: false
        }
    );
    let e = Config::parse("[lock]\npassphrase = true\n", p).unwrap_err();
    assert!(e.to_string().contains("signing_key"), "{e}");
    let e = Config::parse("[lock]\nminutes = 5000\n", p).unwrap_err();
    assert!(e.to_string().contains("1440"), "{e}");
    let e = Config::parse("[lock]\nminuets = 5\n", p).unwrap_err();
    assert!(e.to_string().contains("minuets"), "{e}");
    assert_eq!(
        Config::parse("[lock]\nminutes = 0\n", p)
            .unwrap()
            .lock
            .minutes,
        0
    );
}
