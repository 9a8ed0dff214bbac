//! The panel session, driven by keys as the secretary would, drawn into a test backend:
//! every step in Chinese and English at 80x24 and 160x48, the state each key leaves, and
//! random key storms that must never panic.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::{Rng, SeedableRng};

use casepanel::config::Config;
use casepanel::domain::criteria::Catalogue;
use casepanel::domain::decision::DecisionStatus;
use casepanel::domain::level::RiskLevel;
use casepanel::i18n::Lang;
use casepanel::store::{cases, decisions};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::dashboard::Dashboard;
use common::*;

fn app(lang: Lang) -> App {
    let f = fixture();
    let mut env = Env::new(
        f.store,
        Catalogue::builtin(),
        lang,
        Clock::Fixed(at(2026, 11, 29, 10, 0)),
        Config::default(),
    );
    let root = Dashboard::open(&mut env).unwrap();
    App::new(env, Box::new(root))
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn typed(app: &mut App, s: &str) {
    app.on_paste(s);
}

/// From the dashboard to the first case: roll call of five over four disciplines.
fn begin(app: &mut App) {
    key(app, KeyCode::Char('s'));
    for _ in 0..5 {
        key(app, KeyCode::Char(' '));
        key(app, KeyCode::Down);
    }
    key(app, KeyCode::Home);
    keys(app, "c");
    key(app, KeyCode::Down);
    keys(app, "s");
    key(app, KeyCode::Enter);
}

/// Scores the current case: everything not met but the given indicators.
fn score(app: &mut App, met: &[&str]) {
    let cat = Catalogue::builtin();
    let mut order: Vec<_> = cat.indicators.iter().collect();
    order.sort_by_key(|i| i.level.number());
    for ind in order {
        keys(
            app,
            if met.contains(&ind.id.as_str()) {
                "y"
            } else {
                "n"
            },
        );
    }
}

#[test]
fn every_step_in_both_languages_and_two_sizes() {
    for lang in [Lang::Zh, Lang::En] {
        let mut a = app(lang);
        let tag = match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        };
        let mut shots: Vec<(String, String)> = Vec::new();
        let mut snap = |a: &mut App, name: &str| {
            for (w, h) in [(80, 24), (160, 48)] {
                shots.push((format!("{tag}_{name}_{w}x{h}"), screen(a, w, h)));
            }
        };
        snap(&mut a, "0_dashboard");
        key(&mut a, KeyCode::Char('s'));
        snap(&mut a, "1_setup_empty");
        begin_from_setup(&mut a);
        snap(&mut a, "2_summary");
        key(&mut a, KeyCode::Tab);
        snap(&mut a, "3_notes");
        key(&mut a, KeyCode::Tab);
        snap(&mut a, "4_conflicts");
        key(&mut a, KeyCode::Tab);
        score(&mut a, &["L2-06", "L3-07"]);
        key(&mut a, KeyCode::Home);
        snap(&mut a, "5_scoring");
        key(&mut a, KeyCode::Tab);
        key(&mut a, KeyCode::Down);
        key(&mut a, KeyCode::Char(' '));
        snap(&mut a, "6_decision");
        key(&mut a, KeyCode::Char('o'));
        snap(&mut a, "7_override_form");
        key(&mut a, KeyCode::Esc);
        key(&mut a, KeyCode::Tab);
        snap(&mut a, "8_confirm");
        ctrl(&mut a, 's');
        snap(&mut a, "9_next_case");
        key(&mut a, KeyCode::Char('?'));
        snap(&mut a, "10_help");
        for (name, text) in shots {
            insta::assert_snapshot!(name, text);
        }
    }
}

fn begin_from_setup(a: &mut App) {
    for _ in 0..5 {
        key(a, KeyCode::Char(' '));
        key(a, KeyCode::Down);
    }
    key(a, KeyCode::Home);
    keys(a, "c");
    key(a, KeyCode::Down);
    keys(a, "s");
    key(a, KeyCode::Enter);
}

#[test]
fn a_whole_session_over_two_cases_by_keys() {
    let mut a = app(Lang::Zh);
    begin(&mut a);
    // Case 1: sexual abuse → level 1 by hard trigger, police report required.
    for _ in 0..3 {
        key(&mut a, KeyCode::Tab);
    }
    score(&mut a, &["L1-02", "L3-03"]);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("硬性触发：L1-02"), "{s}");
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char(' '));
    // Sealing is refused while the police report is missing.
    key(&mut a, KeyCode::Tab);
    ctrl(&mut a, 's');
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("L1-02 须先记录报警"), "{s}");
    key(&mut a, KeyCode::BackTab);
    key(&mut a, KeyCode::Char('p'));
    key(&mut a, KeyCode::Tab);
    typed(&mut a, "兴隆派出所");
    key(&mut a, KeyCode::Tab);
    typed(&mut a, "XL-20261129-07");
    ctrl(&mut a, 's');
    key(&mut a, KeyCode::Tab);
    ctrl(&mut a, 's');
    // Case 2: grandparents cannot supervise, out of school → level 3.
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("第 2 / 2 件"), "{s}");
    for _ in 0..3 {
        key(&mut a, KeyCode::Tab);
    }
    score(&mut a, &["L3-02", "L3-07"]);
    key(&mut a, KeyCode::Tab);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Tab);
    ctrl(&mut a, 's');
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("已决定 2 件"), "{s}");
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("在册个案"), "back on the dashboard: {s}");

    let c = a.env.store.conn();
    let case_ids: Vec<i64> = c
        .prepare("SELECT id FROM case_file ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let first = decisions::latest_sealed(c, case_ids[0]).unwrap().unwrap();
    assert_eq!(first.status, DecisionStatus::Sealed);
    assert_eq!(first.final_level(), Some(RiskLevel::L1));
    assert_eq!(first.police_report.unwrap().receipt, "XL-20261129-07");
    assert_eq!(first.next_review.unwrap().date, d(2027, 11, 29));
    let second = decisions::latest_sealed(c, case_ids[1]).unwrap().unwrap();
    assert_eq!(second.final_level(), Some(RiskLevel::L3));
    assert_eq!(
        cases::get(c, case_ids[1]).unwrap().unwrap().next_review,
        Some(d(2027, 11, 29))
    );
}

#[test]
fn scoring_keys_set_the_answer_and_move_on() {
    let mut a = app(Lang::En);
    begin(&mut a);
    for _ in 0..3 {
        key(&mut a, KeyCode::Tab);
    }
    keys(&mut a, "nu");
    let s = screen(&mut a, 160, 48);
    assert!(s.contains("No indicator met"), "{s}");
    keys(&mut a, "y");
    let s = screen(&mut a, 160, 48);
    assert!(s.contains("Hard trigger: L1-03"), "{s}");
    // An evidence note, typed and saved.
    key(&mut a, KeyCode::Up);
    keys(&mut a, "e");
    typed(
        &mut a,
        "School nurse saw the injection marks on 2026-11-20.",
    );
    ctrl(&mut a, 's');
    let s = screen(&mut a, 160, 48);
    assert!(s.contains("injection marks"), "{s}");
}

#[test]
fn the_session_starts_only_with_a_quorum_chair_and_secretary() {
    let mut a = app(Lang::En);
    key(&mut a, KeyCode::Char('s'));
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("No quorum"), "{s}");
    for _ in 0..3 {
        key(&mut a, KeyCode::Char(' '));
        key(&mut a, KeyCode::Down);
    }
    key(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("Choose the chair"), "{s}");
}

#[test]
fn privacy_mode_masks_and_blank_hides_everything() {
    let mut a = app(Lang::Zh);
    begin(&mut a);
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("张＊明") && !s.contains("张三明"), "{s}");
    assert!(!s.contains("13812345678"));
    ctrl(&mut a, 'p');
    let s = screen(&mut a, 120, 40);
    assert!(s.contains("张三明"), "{s}");
    ctrl(&mut a, 'b');
    let s = screen(&mut a, 120, 40);
    assert!(s.trim().is_empty(), "{s}");
    keys(&mut a, "q");
    assert!(!a.quit, "the blank screen swallows keys");
    ctrl(&mut a, 'b');
    assert!(screen(&mut a, 120, 40).contains("张三明"));
}

#[test]
fn too_small_a_terminal_says_so() {
    let mut a = app(Lang::En);
    let s = screen(&mut a, 60, 20);
    assert!(s.contains("too small"), "{s}");
}

/// Random keys on every screen, with renders at random sizes: never a panic.
#[test]
fn random_key_storms_never_panic() {
    let pool: Vec<KeyEvent> = {
        let mut v: Vec<KeyEvent> = "ynuedoapx[]sc?:/fFgGjkhlKJqv 1203"
            .chars()
            .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
            .collect();
        for code in [
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Backspace,
            KeyCode::Delete,
        ] {
            v.push(KeyEvent::new(code, KeyModifiers::NONE));
        }
        for c in ['s', 'p', 'b'] {
            v.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
        }
        v
    };
    let sizes = [(80, 24), (120, 40), (200, 60), (79, 23), (240, 70)];
    for seed in 0..12u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut a = app(if seed % 2 == 0 { Lang::Zh } else { Lang::En });
        for step in 0..1500 {
            let k = pool[rng.random_range(0..pool.len())];
            // q at the root ends the program; keep the storm going on a fresh app instead.
            a.on_key(k);
            if rng.random_range(0..8) == 0 {
                a.on_paste("粘贴\x1b[31m文字\n第二行");
            }
            if a.quit {
                a = app(Lang::Zh);
            }
            if step % 25 == 0 {
                let (w, h) = sizes[rng.random_range(0..sizes.len())];
                screen(&mut a, w, h);
            }
        }
        assert!(a.env.store.check_integrity().unwrap().is_empty());
    }
}
