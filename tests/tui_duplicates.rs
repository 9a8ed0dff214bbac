//! The possible-duplicates screen: the home screen's count, the two records side by side
//! (privacy mode masking both), and recording a finding with a note — in Chinese and
//! English, at the smallest supported size and a large one.

mod common;
use common::{d, fixture, screen};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use casepanel::config::Config;
use casepanel::domain::case::{Case, CaseStatus};
use casepanel::domain::child::{Child, Sex};
use casepanel::domain::criteria::Catalogue;
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::duplicate::{DuplicateStatus, DuplicateWhy};
use casepanel::domain::id_number::IdNumber;
use casepanel::i18n::Lang;
use casepanel::store::{cases, children, duplicates};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::dashboard::Dashboard;

/// The common fixture, plus a second 张三明 (same birth date, another ID number) with a
/// screening case, flagged as maybe the first one.
fn app(lang: Lang) -> App {
    let mut f = fixture();
    let first = f.cases[0];
    f.store
        .write(|tx| {
            let birth = d(2015, 3, 14);
            let child = Child {
                id: 0,
                name: "张三明".into(),
                sex: Sex::Male,
                birth_date: birth,
                id_number: Some(IdNumber::build("210181", birth, 77, Sex::Male)),
                household_registration: "辽宁省新民市兴隆镇".into(),
                address: "新民市兴隆镇东岗村1组4号".into(),
                phone: None,
                school: None,
                region: "210181101".into(),
            };
            let id = children::insert(tx, &child, d(2026, 11, 2))?;
            cases::insert(
                tx,
                &Case {
                    id: 0,
                    child_id: id,
                    status: CaseStatus::Screening,
                    types: vec![DifficultyType::OutOfSchool],
                    opened_on: d(2026, 11, 2),
                    closed_on: None,
                    closing_reason: None,
                    level: None,
                    next_review: None,
                },
            )?;
            let other = cases::get(tx, first)?.expect("the fixture's case").child_id;
            duplicates::flag(
                tx,
                &"ab".repeat(32),
                d(2026, 11, 2),
                &[duplicates::Flag {
                    child_id: id,
                    other_id: other,
                    why: DuplicateWhy::OtherIdNumber,
                    sheet_row: 17,
                }],
            )
        })
        .unwrap();
    let mut env = Env::new(
        f.store,
        Catalogue::builtin(),
        lang,
        Clock::Fixed(common::at(2026, 11, 29, 9, 30)),
        Config::default(),
    );
    env.centre_name = "新民市未成年人保护中心".into();
    let home = Dashboard::open(&mut env).unwrap();
    App::new(env, Box::new(home))
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

#[test]
fn the_home_screen_counts_the_pairs_and_u_opens_them() {
    for (lang, count) in [
        (Lang::Zh, "疑似重复待核对 1 对（按 u）"),
        (Lang::En, "Possible duplicates to check: 1 (press u)"),
    ] {
        let mut app = app(lang);
        // On its own line, whole at the smallest size too.
        for (w, h) in [(80, 24), (160, 48)] {
            let home = screen(&mut app, w, h);
            assert!(home.contains(count), "{w}x{h}:\n{home}");
        }
        key(&mut app, KeyCode::Char('u'));
        for (w, h) in [(80, 24), (160, 48)] {
            let s = screen(&mut app, w, h);
            insta::assert_snapshot!(format!("duplicates_{}_{w}x{h}", lang.code()), s);
        }
    }
}

#[test]
fn privacy_mode_masks_both_records_and_ctrl_p_shows_them() {
    let mut app = app(Lang::Zh);
    key(&mut app, KeyCode::Char('u'));
    let s = screen(&mut app, 160, 48);
    assert!(!s.contains("张三明"), "{s}");
    assert!(s.contains("张＊明"), "{s}");
    assert!(!s.contains("东岗村"), "{s}");
    app.on_key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
    let s = screen(&mut app, 160, 48);
    assert!(s.contains("张三明"), "{s}");
    assert!(s.contains("新民市兴隆镇东岗村1组4号"), "{s}");
    assert!(s.contains("2015-03-14"), "{s}");
}

#[test]
fn a_finding_is_recorded_with_its_note_and_leaves_the_list() {
    let mut app = app(Lang::En);
    key(&mut app, KeyCode::Char('u'));
    key(&mut app, KeyCode::Char('y'));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Record the finding: Same child"), "{s}");
    // Esc cancels: nothing recorded.
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        duplicates::count_open(app.env.store.conn()).unwrap(),
        1,
        "cancelled"
    );
    key(&mut app, KeyCode::Char('y'));
    typed(&mut app, "ID mistyped in the sheet");
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("Recorded for pair 1: Same child. Neither record was changed."),
        "{s}"
    );
    assert!(
        s.contains("No possible duplicates wait for a decision."),
        "{s}"
    );
    let all = duplicates::list(app.env.store.conn(), true, 10).unwrap();
    assert_eq!(all[0].status, DuplicateStatus::Same);
    assert_eq!(all[0].note.as_deref(), Some("ID mistyped in the sheet"));
    assert!(all[0].decided_at.is_some());
    // Back home, the count is gone.
    key(&mut app, KeyCode::Esc);
    let home = screen(&mut app, 160, 48);
    assert!(!home.contains("Possible duplicates"), "{home}");
}
