//! Fixtures shared by the integration tests: a small store built through the public API.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};

use casepanel::domain::case::{Case, CaseStatus};
use casepanel::domain::child::{Child, Sex};
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::guardian::{Guardian, GuardianStatus, Relation};
use casepanel::domain::id_number::IdNumber;
use casepanel::domain::panel::{Discipline, Member};
use casepanel::domain::region::{Region, RegionLevel};
use casepanel::domain::report::{Channel, Report};
use casepanel::domain::visit::HomeVisit;
use casepanel::store::{Store, cases, children, panel, regions, reports};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
    d(y, m, day).and_hms_opt(h, min, 0).unwrap()
}

pub const TODAY: (i32, u32, u32) = (2026, 11, 29);

pub fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

/// The note the hostile-input tests plant: an OSC 52 clipboard write and a screen clear.
pub const HOSTILE: &str = "孩子说\x1b]52;c;ZXZpbA==\x07晚上\x1b[2J不敢回家\u{202E}txt.exe";

pub struct Fixture {
    pub store: Store,
    pub members: Vec<i64>,
    pub cases: Vec<i64>,
}

/// Seven members over four disciplines, and two children with one case each, awaiting the
/// panel: 张三明 (with a hostile home-visit note) and 李小红.
pub fn fixture() -> Fixture {
    fill(Store::open_in_memory().unwrap())
}

/// [`fixture`] in a database file.
pub fn fixture_at(path: &std::path::Path) -> Fixture {
    fill(Store::open(path).unwrap())
}

/// [`fixture`] in a store opened by the caller (e.g. an encrypted one).
pub fn fill(mut store: Store) -> Fixture {
    let today = today();
    let (members, cases) = store
        .write(|tx| {
            regions::upsert(
                tx,
                &Region {
                    code: "210181101".into(),
                    name: "兴隆镇".into(),
                    level: RegionLevel::Township,
                    parent: Some("210181".into()),
                },
            )?;
            let roster = [
                ("张丽华", Discipline::SocialWork, "新民市民政局"),
                ("王建军", Discipline::CivilAffairs, "新民市民政局"),
                ("李秀梅", Discipline::Psychology, "新民市心理咨询中心"),
                ("刘志强", Discipline::Law, "新民市法律援助中心"),
                ("陈晓燕", Discipline::Education, "兴隆镇中心小学"),
                ("赵国庆", Discipline::Medicine, "新民市人民医院"),
                ("孙立新", Discipline::Police, "新民市公安局"),
            ];
            let mut members = Vec::new();
            for (name, discipline, org) in roster {
                members.push(panel::insert_member(
                    tx,
                    &Member {
                        id: 0,
                        name: name.into(),
                        discipline,
                        organisation: org.into(),
                        active: true,
                    },
                )?);
            }
            let mut case_ids = Vec::new();
            for (i, (name, sex, birth)) in [
                ("张三明", Sex::Male, d(2015, 3, 14)),
                ("李小红", Sex::Female, d(2012, 8, 2)),
            ]
            .into_iter()
            .enumerate()
            {
                let child = Child {
                    id: 0,
                    name: name.into(),
                    sex,
                    birth_date: birth,
                    id_number: Some(IdNumber::build("210181", birth, 10 + i as u16, sex)),
                    household_registration: "辽宁省新民市兴隆镇".into(),
                    address: "新民市兴隆镇红旗村3组12号".into(),
                    phone: Some("13812345678".into()),
                    school: Some("兴隆镇中心小学".into()),
                    region: "210181101".into(),
                };
                let child_id = children::insert(tx, &child, today)?;
                children::set_guardians(
                    tx,
                    child_id,
                    &[
                        Guardian {
                            name: "张大山".into(),
                            relation: Relation::Father,
                            status: GuardianStatus::InPrison,
                            phone: None,
                        },
                        Guardian {
                            name: "王桂芝".into(),
                            relation: Relation::Grandparent,
                            status: GuardianStatus::SeriouslyIll,
                            phone: None,
                        },
                    ],
                )?;
                let case_id = cases::insert(
                    tx,
                    &Case {
                        id: 0,
                        child_id,
                        status: CaseStatus::AwaitingPanel,
                        types: vec![
                            DifficultyType::NoGuardianDeFacto,
                            DifficultyType::OutOfSchool,
                        ],
                        opened_on: d(2026, 10, 8),
                        closed_on: None,
                        closing_reason: None,
                        level: None,
                        next_review: None,
                    },
                )?;
                reports::insert(
                    tx,
                    &Report {
                        id: 0,
                        case_id,
                        received_at: at(2026, 10, 8, 9, 40),
                        channel: Channel::Teacher,
                        reporter: Some("兴隆镇中心小学 班主任".into()),
                        summary: "孩子连续一周没有上学，家中只有患病的祖母。".into(),
                    },
                )?;
                reports::insert_visit(
                    tx,
                    &HomeVisit {
                        id: 0,
                        case_id,
                        visited_on: d(2026, 11, 20),
                        visitors: "社工 刘芳、儿童主任 周敏".into(),
                        place: "新民市兴隆镇红旗村3组12号".into(),
                        people_met: "祖母、儿童本人".into(),
                        notes: format!("{HOSTILE}\n\n祖母卧床，孩子自己做饭。"),
                    },
                )?;
                case_ids.push(case_id);
            }
            Ok((members, case_ids))
        })
        .unwrap();
    Fixture {
        store,
        members,
        cases,
    }
}

pub mod derived;
pub mod intake;

/// The whole screen as text, one line per row, trailing spaces cut; a wide character's
/// second cell is skipped so CJK reads as typed. Fails if a control character reached a
/// cell: whatever the data, the screen holds only text.
pub fn screen(app: &mut casepanel::tui::app::App, w: u16, h: u16) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.render(f)).unwrap();
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = casepanel::text::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    assert!(
        !out.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the screen:\n{out}"
    );
    out
}

/// The migrations casepanel has shipped, as they were shipped (001 first): a database at
/// version N is what the first N left.
const SHIPPED: [&str; 13] = [
    include_str!("../../src/store/migrations/001_initial.sql"),
    include_str!("../../src/store/migrations/002_signatures.sql"),
    include_str!("../../src/store/migrations/003_queue_and_tallies.sql"),
    include_str!("../../src/store/migrations/004_amendments.sql"),
    include_str!("../../src/store/migrations/005_audit.sql"),
    include_str!("../../src/store/migrations/006_autosave.sql"),
    include_str!("../../src/store/migrations/007_queue_speed.sql"),
    include_str!("../../src/store/migrations/008_name_search.sql"),
    include_str!("../../src/store/migrations/009_possible_duplicates.sql"),
    include_str!("../../src/store/migrations/010_surname_initials.sql"),
    include_str!("../../src/store/migrations/011_type_totals.sql"),
    include_str!("../../src/store/migrations/012_township_tallies.sql"),
    include_str!("../../src/store/migrations/013_unused_child_indexes.sql"),
];

/// A database file as a version-`version` casepanel left it: the first `version` shipped
/// migrations as they were (their Rust hooks have nothing to do in an empty file), nothing
/// else. For the tests that migrate an old database.
fn shipped_database(path: &std::path::Path, version: usize) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    for sql in &SHIPPED[..version] {
        c.execute_batch(sql).unwrap();
    }
    c.pragma_update(None, "user_version", version as i64)
        .unwrap();
    c.pragma_update(None, "application_id", casepanel::store::APPLICATION_ID)
        .unwrap();
    c
}

/// Version 11: the last schema shipped before migration 12's township tallies.
pub fn version_11_database(path: &std::path::Path) -> rusqlite::Connection {
    shipped_database(path, 11)
}

/// Version 13: the last schema shipped before migration 14's partial queue indexes.
pub fn version_13_database(path: &std::path::Path) -> rusqlite::Connection {
    shipped_database(path, 13)
}

/// Version 6: the last schema shipped before migrations 7 and 8 (the queue's tallies, the
/// search tables).
pub fn version_6_database(path: &std::path::Path) -> rusqlite::Connection {
    shipped_database(path, 6)
}

/// Whether `s` holds a Chinese character (CJK ideographs and full-width punctuation).
pub fn has_han(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}'))
}
