//! The case list, the case file and the visit editor, driven by keys and drawn into a test
//! backend: what the panel sees, in Chinese and English, at the smallest supported size and
//! at a large one.

mod common;
use common::screen;

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use casepanel::config::Config;
use casepanel::domain::assessment::{
    Answer, AnswerEntry, Answers, Assessment, CatalogueRef, Rule, Scoring,
};
use casepanel::domain::case::{Case, CaseStatus};
use casepanel::domain::child::{Child, Sex};
use casepanel::domain::criteria::{Catalogue, score};
use casepanel::domain::decision::{
    Decision, DecisionStatus, Intervention, InterventionStatus, NextReview, PoliceReport,
    ReviewKind, Vote,
};
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::guardian::{Guardian, GuardianStatus, Relation};
use casepanel::domain::id_number::IdNumber;
use casepanel::domain::level::RiskLevel;
use casepanel::domain::panel::{Discipline, Member, QuorumRule};
use casepanel::domain::region::{Region, RegionLevel};
use casepanel::domain::report::{Channel, Report};
use casepanel::domain::review::ReviewRules;
use casepanel::domain::visit::HomeVisit;
use casepanel::i18n::Lang;
use casepanel::store::decisions::SealRules;
use casepanel::store::queries::CaseFilter;
use casepanel::store::{Store, cases, children, decisions, panel, regions, reports};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::case_file::CaseFile;
use casepanel::tui::screens::case_list::CaseList;
use casepanel::tui::screens::dashboard::Dashboard;

const HOSTILE_NOTE: &str = "祖母称孩子近两周常独自在家。\x1b]52;c;ZXZpbA==\x07窗户玻璃破损，\x1b[2J屋内很冷。\r\n\
    孩子说父亲“出远门了”，不愿多谈。\u{202e}反向文字\u{202c}\tTab 后的文字。";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn dt(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
    d(y, m, day).and_hms_opt(h, min, 0).unwrap()
}

fn now() -> NaiveDateTime {
    dt(2026, 11, 29, 10, 0)
}

fn region(code: &str, name: &str, level: RegionLevel, parent: Option<&str>) -> Region {
    Region {
        code: code.into(),
        name: name.into(),
        level,
        parent: parent.map(Into::into),
    }
}

fn child(name: &str, sex: Sex, birth: NaiveDate, id_region: Option<&str>, region: &str) -> Child {
    Child {
        id: 0,
        name: name.into(),
        sex,
        birth_date: birth,
        id_number: id_region.map(|r| IdNumber::build(r, birth, 11, sex)),
        household_registration: "辽宁省新民市兴隆镇兴隆村3组".into(),
        address: "辽宁省新民市兴隆镇兴隆村3组12号".into(),
        phone: Some("13812345678".into()),
        school: Some("新民市兴隆镇中心小学".into()),
        region: region.into(),
    }
}

fn answers(list: &[(&str, Answer, &str)]) -> Answers {
    list.iter()
        .map(|(id, a, e)| {
            (
                id.to_string(),
                AnswerEntry {
                    answer: *a,
                    evidence: e.to_string(),
                },
            )
        })
        .collect()
}

/// Three children in two cities: 张三明 (a sealed decision, visits, reports, an open ad-hoc
/// review), 王涵 (a level imported from paper, overdue), 欧阳娜娜 (awaiting the panel).
fn fixture(store: &mut Store, cat: &Catalogue) -> i64 {
    let today = now().date();
    store
        .write(|tx| {
            for r in [
                region("210100", "沈阳市", RegionLevel::City, None),
                region("210181", "新民市", RegionLevel::County, Some("210100")),
                region("210181101", "兴隆镇", RegionLevel::Township, Some("210181")),
                region("210200", "大连市", RegionLevel::City, None),
                region("210202", "中山区", RegionLevel::County, Some("210200")),
            ] {
                regions::upsert(tx, &r)?;
            }
            Ok(())
        })
        .unwrap();

    // 张三明: father in prison, grandmother caring.
    let zhang = store
        .write(|tx| {
            let id = children::insert(tx, &child("张三明", Sex::Male, d(2014, 5, 6), Some("210181"), "210181101"), today)?;
            children::set_guardians(
                tx,
                id,
                &[
                    Guardian {
                        name: "张国强".into(),
                        relation: Relation::Father,
                        status: GuardianStatus::InPrison,
                        phone: None,
                    },
                    Guardian {
                        name: "李秀兰".into(),
                        relation: Relation::Grandparent,
                        status: GuardianStatus::Present,
                        phone: Some("13987654321".into()),
                    },
                ],
            )?;
            let case = Case {
                id: 0,
                child_id: id,
                status: CaseStatus::Screening,
                types: vec![DifficultyType::NoGuardianDeFacto, DifficultyType::OutOfSchool],
                opened_on: d(2026, 3, 2),
                closed_on: None,
                closing_reason: None,
                level: None,
                next_review: None,
            };
            let case_id = cases::insert(tx, &case)?;
            reports::insert(
                tx,
                &Report {
                    id: 0,
                    case_id,
                    received_at: dt(2026, 3, 1, 14, 2),
                    channel: Channel::Teacher,
                    reporter: Some("王丽".into()),
                    summary: "孩子连续两周未到校，班主任家访时发现家中只有年迈的祖母，父亲正在服刑，母亲多年前离家后下落不明。".into(),
                },
            )?;
            reports::insert_visit(
                tx,
                &HomeVisit {
                    id: 0,
                    case_id,
                    visited_on: d(2026, 3, 10),
                    visitors: "刘社工、村妇联主任".into(),
                    place: "兴隆村家中".into(),
                    people_met: "祖母、本人".into(),
                    notes: "首次家访。祖母七十六岁，患高血压，靠低保生活。孩子身体消瘦，衣着单薄。\n\n孩子表示愿意回校，但担心同学嘲笑。".into(),
                },
            )?;
            cases::add_police_report(
                tx,
                case_id,
                &PoliceReport { reported_at: dt(2026, 3, 3, 9, 30), unit: "兴隆派出所".into(), receipt: "XL-20260303-07".into() },
            )?;
            Ok(case_id)
        })
        .unwrap();

    // A panel of five, a session, a sealed decision at level 2.
    store
        .write(|tx| {
            let disciplines = [
                Discipline::SocialWork,
                Discipline::Psychology,
                Discipline::Law,
                Discipline::Education,
                Discipline::Police,
            ];
            let mut ids = Vec::new();
            for (i, disc) in disciplines.into_iter().enumerate() {
                ids.push(panel::insert_member(
                    tx,
                    &Member { id: 0, name: format!("委员{}", i + 1), discipline: disc, organisation: String::new(), active: true },
                )?);
            }
            let sid = panel::create_session(tx, d(2026, 6, 3), &ids, Some(ids[0]), Some(ids[1]))?;
            let ans = answers(&[
                ("L1-01", Answer::NotMet, ""),
                ("L1-02", Answer::NotMet, ""),
                ("L2-06", Answer::Met, "父亲服刑，母亲下落不明，祖母年迈多病（2026-03-10 家访）"),
                ("L3-02", Answer::Met, ""),
                ("L3-07", Answer::Met, "连续两周未到校（教师报告）"),
                ("L2-04", Answer::Unknown, ""),
            ]);
            let decision = Decision {
                id: 0,
                case_id: zhang,
                session_id: Some(sid),
                decided_on: d(2026, 6, 3),
                assessment: Assessment {
                    catalogue: cat.reference(),
                    computed: score(cat, &ans),
                    answers: ans,
                    override_: None,
                    by_member: BTreeMap::new(),
                },
                interventions: vec![
                    Intervention { kind: "entrusted-guardianship".into(), unit: "兴隆镇人民政府".into(), due: Some(d(2026, 6, 30)) },
                    Intervention { kind: "psych-one-to-one".into(), unit: "新民市未成年人保护中心".into(), due: Some(d(2027, 1, 15)) },
                ],
                next_review: Some(NextReview { date: d(2026, 12, 3), kind: ReviewKind::Annual }),
                vote: Vote { for_: 3, against: 1, abstain: 0 },
                dissent: "委员3认为父亲服刑期间监护实际缺失，应评为一级风险。".into(),
                voting_members: ids[..4].to_vec(),
                recused: vec![ids[4]],
                police_report: None,
                amends: None,
                amend_reason: String::new(),
                status: DecisionStatus::Draft,
                sealed_at: None,
            };
            let rules = SealRules { catalogue: cat, quorum: QuorumRule::default(), review: ReviewRules::default() };
            let id = decisions::seal(tx, &decision, &rules, dt(2026, 6, 3, 16, 0))?;
            tx.execute(
                "UPDATE intervention SET status = 'in_progress', note = '每两周一次，已完成 6 次' WHERE decision_id = ?1 AND kind = 'psych-one-to-one'",
                [id],
            )?;
            // A new report on the graded case raises an ad-hoc re-review.
            reports::insert(
                tx,
                &Report {
                    id: 0,
                    case_id: zhang,
                    received_at: dt(2026, 11, 20, 20, 15),
                    channel: Channel::Hotline,
                    reporter: None,
                    summary: "邻居来电：孩子晚上独自在家，屋里没有取暖。".into(),
                },
            )?;
            reports::insert_visit(
                tx,
                &HomeVisit {
                    id: 0,
                    case_id: zhang,
                    visited_on: d(2026, 11, 22),
                    visitors: "刘社工".into(),
                    place: "兴隆村家中".into(),
                    people_met: "祖母、本人".into(),
                    notes: "placeholder".into(),
                },
            )?;
            Ok(())
        })
        .unwrap();
    // The store cleans what it writes; put hostile bytes in behind its back, as an old
    // file or another tool could, to prove the screens clean what they draw.
    store
        .conn()
        .execute(
            "UPDATE visit SET notes = ?1 WHERE notes = 'placeholder'",
            [HOSTILE_NOTE],
        )
        .unwrap();

    // 王涵: level 3 from paper records, review overdue; no ID number.
    store
        .write(|tx| {
            let mut c = child("王涵", Sex::Female, d(2016, 9, 1), None, "210202");
            c.phone = None;
            let id = children::insert(tx, &c, today)?;
            let case_id = cases::insert(
                tx,
                &Case {
                    id: 0,
                    child_id: id,
                    status: CaseStatus::Screening,
                    types: vec![DifficultyType::Poverty],
                    opened_on: d(2025, 1, 10),
                    closed_on: None,
                    closing_reason: None,
                    level: None,
                    next_review: None,
                },
            )?;
            cases::set_status(tx, case_id, CaseStatus::AwaitingPanel)?;
            let ans = answers(&[("L3-08", Answer::Met, "低保户")]);
            let assessment = Assessment {
                catalogue: CatalogueRef {
                    id: "xinmin-paper-2019".into(),
                    version: "2019".into(),
                    sha256: "0".repeat(64),
                },
                answers: ans,
                computed: Scoring {
                    level: Some(RiskLevel::L3),
                    rule: Rule::HighestLevel {
                        level: RiskLevel::L3,
                        indicators: vec!["L3-08".into()],
                    },
                },
                override_: None,
                by_member: BTreeMap::new(),
            };
            decisions::import_historical(
                tx,
                case_id,
                d(2025, 11, 10),
                &assessment,
                Some(NextReview {
                    date: d(2026, 11, 10),
                    kind: ReviewKind::Annual,
                }),
                dt(2026, 1, 5, 9, 0),
            )?;
            Ok(())
        })
        .unwrap();

    // 欧阳娜娜: reported, awaiting the panel's first assessment.
    store
        .write(|tx| {
            let id = children::insert(
                tx,
                &child(
                    "欧阳娜娜",
                    Sex::Female,
                    d(2012, 2, 29),
                    Some("210202"),
                    "210202",
                ),
                today,
            )?;
            let case_id = cases::insert(
                tx,
                &Case {
                    id: 0,
                    child_id: id,
                    status: CaseStatus::Screening,
                    types: vec![DifficultyType::DomesticViolence],
                    opened_on: d(2026, 11, 1),
                    closed_on: None,
                    closing_reason: None,
                    level: None,
                    next_review: None,
                },
            )?;
            cases::set_status(tx, case_id, CaseStatus::AwaitingPanel)?;
            Ok(())
        })
        .unwrap();
    zhang
}

fn env(lang: Lang) -> (Env, i64) {
    let mut store = Store::open_in_memory().unwrap();
    let catalogue = Catalogue::builtin();
    let zhang = fixture(&mut store, &catalogue);
    let mut env = Env::new(
        store,
        catalogue,
        lang,
        Clock::Fixed(now()),
        Config::default(),
    );
    env.centre_name = "新民市未成年人保护中心".into();
    (env, zhang)
}

fn list_app(lang: Lang) -> App {
    let (mut env, _) = env(lang);
    let list = CaseList::open(&mut env, CaseFilter::default()).unwrap();
    App::new(env, Box::new(list))
}

fn file_app(lang: Lang) -> App {
    let (mut env, zhang) = env(lang);
    let file = CaseFile::open(&mut env, zhang).unwrap();
    App::new(env, Box::new(file))
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ctrl(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The screen without the title and status bars (the app's chrome, drawn from strings this
/// file does not own): the screen under test, exactly.
fn body(app: &mut App, w: u16, h: u16) -> String {
    let s = screen(app, w, h);
    let lines: Vec<&str> = s.lines().collect();
    lines[1..lines.len() - 1].join("\n")
}

// --- home screen --------------------------------------------------------------------

#[test]
fn home_screen_says_how_long_the_oldest_review_is_overdue_apart_from_the_count() {
    // 王涵's review was due on 2026-11-10: 19 days before now().
    for (lang, want) in [
        (Lang::Zh, "逾期 1 (最久 19 天)"),
        (Lang::En, "Overdue 1 (oldest 19 days)"),
    ] {
        let (mut env, _) = env(lang);
        let home = Dashboard::open(&mut env).unwrap();
        let mut app = App::new(env, Box::new(home));
        let s = body(&mut app, 160, 48);
        assert!(s.contains(want), "{lang:?}: {s}");
    }
}

// --- case list ----------------------------------------------------------------------

#[test]
fn case_list_zh_80x24() {
    let mut app = list_app(Lang::Zh);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_list_en_80x24() {
    let mut app = list_app(Lang::En);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_list_zh_160x48() {
    let mut app = list_app(Lang::Zh);
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

#[test]
fn case_list_title_counts_and_masks() {
    let mut app = list_app(Lang::Zh);
    let s = screen(&mut app, 120, 30);
    assert!(s.lines().next().unwrap().contains("个案"), "{s}");
    assert!(s.contains("共 3 件"), "{s}");
    assert!(
        s.contains("张＊明") && s.contains("欧阳＊娜") && s.contains("王＊"),
        "{s}"
    );
    assert!(
        s.contains("2101**********011X") || s.contains("2101**********"),
        "{s}"
    );
    assert!(!s.contains("张三明"), "{s}");
}

#[test]
fn queue_holds_awaiting_and_due() {
    let (mut env, _) = env(Lang::Zh);
    let queue = CaseList::queue(&mut env).unwrap();
    let mut app = App::new(env, Box::new(queue));
    let s = screen(&mut app, 120, 30);
    assert!(s.lines().next().unwrap().contains("复评队列"), "{s}");
    // All three: two awaiting the panel (one of them on an ad-hoc review), none active
    // within 30 days... and 王涵 overdue since 2026-11-10.
    assert!(s.contains("共 3 件"), "{s}");
    assert!(s.contains("逾期 19 天"), "{s}");
}

fn search(lang: Lang, query: &str) -> String {
    let mut app = list_app(lang);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, query);
    screen(&mut app, 120, 30)
}

#[test]
fn search_as_you_type_by_name_part() {
    let s = search(Lang::Zh, "三");
    assert!(
        s.contains("共 1 件") && s.contains("张＊明") && !s.contains("欧阳＊娜"),
        "{s}"
    );
    let s = search(Lang::Zh, "娜");
    assert!(s.contains("共 1 件") && s.contains("欧阳＊娜"), "{s}");
}

#[test]
fn search_as_you_type_by_id_prefix() {
    let s = search(Lang::Zh, "210181");
    assert!(s.contains("共 1 件") && s.contains("张＊明"), "{s}");
    let s = search(Lang::Zh, "2102");
    assert!(s.contains("共 1 件") && s.contains("欧阳＊娜"), "{s}");
}

/// A search names the order its matches are listed in (the order of its index).
fn searched(lang: Lang, query: &str, w: u16, h: u16) -> String {
    let mut app = list_app(lang);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, query);
    body(&mut app, w, h)
}

#[test]
fn case_list_search_by_name_zh_80x24() {
    insta::assert_snapshot!(searched(Lang::Zh, "明", 80, 24));
}

#[test]
fn case_list_search_by_initials_en_160x48() {
    insta::assert_snapshot!(searched(Lang::En, "zs", 160, 48));
}

#[test]
fn case_list_search_by_id_prefix_zh_160x48() {
    insta::assert_snapshot!(searched(Lang::Zh, "2101", 160, 48));
}

#[test]
fn search_as_you_type_by_pinyin_initials() {
    let s = search(Lang::Zh, "zsm");
    assert!(s.contains("共 1 件") && s.contains("张＊明"), "{s}");
    let s = search(Lang::Zh, "oy");
    assert!(s.contains("共 1 件") && s.contains("欧阳＊娜"), "{s}");
    let s = search(Lang::En, "qqq");
    assert!(s.contains("No case matches"), "{s}");
}

#[test]
fn search_narrows_with_each_key_and_esc_keeps_it() {
    let mut app = list_app(Lang::Zh);
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Char('w'));
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("共 1 件") && s.contains("王＊"), "{s}");
    key(&mut app, KeyCode::Backspace);
    assert!(screen(&mut app, 120, 30).contains("共 3 件"));
    typed(&mut app, "zs");
    key(&mut app, KeyCode::Esc);
    // Out of the field, the query stays and the list keys work again.
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("共 1 件"), "{s}");
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("C-000001"), "Enter opens the case file:\n{s}");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('F'));
    assert!(screen(&mut app, 120, 30).contains("共 3 件"));
}

#[test]
fn filter_bar_cycles_status_level_and_region() {
    let mut app = list_app(Lang::Zh);
    key(&mut app, KeyCode::Char('f'));
    // Status: all → screening → awaiting panel.
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("共 2 件"), "{s}");
    assert!(s.contains("◀ 待专家组评估 ▶"), "{s}");
    // City (the store knows every city of the province, by code): 沈阳市, then 大连市;
    // then the first county of 大连市, 中山区.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Right);
    assert!(screen(&mut app, 120, 40).contains("◀ 沈阳市 ▶"));
    key(&mut app, KeyCode::Char(' '));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("◀ 大连市 ▶"), "{s}");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("筛选：") && s.contains("大连市 中山区"), "{s}");
    assert!(
        s.contains("共 1 件") && s.contains("欧阳＊娜") && !s.contains("张＊明"),
        "{s}"
    );
    key(&mut app, KeyCode::Char('F'));
    assert!(screen(&mut app, 120, 40).contains("共 3 件"));
}

#[test]
fn list_moves_and_opens() {
    let mut app = list_app(Lang::En);
    key(&mut app, KeyCode::Char('G'));
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 30);
    assert!(s.lines().next().unwrap().contains("Case C-0000"), "{s}");
}

// --- case file ----------------------------------------------------------------------

fn tab(app: &mut App, n: usize) {
    for _ in 0..n {
        key(app, KeyCode::Tab);
    }
}

#[test]
fn case_file_profile_zh_80x24() {
    let mut app = file_app(Lang::Zh);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_file_profile_en_160x48() {
    let mut app = file_app(Lang::En);
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

#[test]
fn case_file_reports_zh_80x24() {
    let mut app = file_app(Lang::Zh);
    tab(&mut app, 1);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_file_visits_zh_80x24() {
    let mut app = file_app(Lang::Zh);
    tab(&mut app, 2);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_file_visits_en_160x48() {
    let mut app = file_app(Lang::En);
    tab(&mut app, 2);
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

#[test]
fn case_file_decisions_zh_160x48() {
    let mut app = file_app(Lang::Zh);
    tab(&mut app, 3);
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

#[test]
fn case_file_decisions_en_80x24_scrolled() {
    let mut app = file_app(Lang::En);
    tab(&mut app, 3);
    // Drawn once, as the terminal would, so the page size is known.
    body(&mut app, 80, 24);
    key(&mut app, KeyCode::PageDown);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_file_follow_ups_zh_80x24() {
    let mut app = file_app(Lang::Zh);
    key(&mut app, KeyCode::BackTab);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn case_file_follow_ups_en_160x48() {
    let mut app = file_app(Lang::En);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Down);
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

#[test]
fn progress_form_zh_80x24() {
    let mut app = file_app(Lang::Zh);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Char('s'));
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn progress_form_en_160x48() {
    let mut app = file_app(Lang::En);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('s'));
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

/// The interventions of the sealed decision on case 1: (status, note) in order.
fn progress(app: &App) -> Vec<(InterventionStatus, String)> {
    let c = app.env.store.conn();
    let d = decisions::of_case(c, 1)
        .unwrap()
        .into_iter()
        .find(|d| d.status == DecisionStatus::Sealed)
        .unwrap();
    decisions::interventions(c, d.id)
        .unwrap()
        .into_iter()
        .map(|(_, s, n)| (s, n))
        .collect()
}

#[test]
fn progress_is_recorded_and_not_done_needs_a_reason() {
    let mut app = file_app(Lang::Zh);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(progress(&app)[0].0, InterventionStatus::Planned);
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "4");
    ctrl(&mut app, 's');
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("措施未完成时，请在备注中写明原因"), "{s}");
    assert_eq!(
        progress(&app)[0].0,
        InterventionStatus::Planned,
        "nothing saved"
    );
    // The form has moved to the note.
    typed(&mut app, "监护人拒绝配合");
    ctrl(&mut app, 's');
    assert_eq!(
        progress(&app)[0],
        (InterventionStatus::NotDone, "监护人拒绝配合".to_string())
    );
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("未完成") && s.contains("监护人拒绝配合"), "{s}");
    // The second one, done; a number out of range is refused first.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "7");
    ctrl(&mut app, 's');
    assert!(screen(&mut app, 100, 30).contains("进展请填 1 到 4 之间的数字"));
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "3");
    ctrl(&mut app, 's');
    assert_eq!(progress(&app)[1].0, InterventionStatus::Done);
    // Esc leaves the form without saving.
    key(&mut app, KeyCode::Char('s'));
    key(&mut app, KeyCode::Backspace);
    typed(&mut app, "1");
    key(&mut app, KeyCode::Esc);
    assert_eq!(progress(&app)[1].0, InterventionStatus::Done);
}

#[test]
fn a_follow_up_visit_is_recorded_against_the_intervention() {
    let mut app = file_app(Lang::Zh);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('a'));
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("跟踪回访记录"), "{s}");
    typed(&mut app, "心理咨询师");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "第三次心理辅导，孩子愿意交流。");
    ctrl(&mut app, 's');
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("已回访 1 次，最近 2026-11-29"), "{s}");
    let c = app.env.store.conn();
    let linked = casepanel::store::queue::follow_up_visits(c, 1).unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].1, 1, "the second intervention");
    assert_eq!(linked[0].2[0].notes, "第三次心理辅导，孩子愿意交流。");
    // It is a home visit of the case as well.
    assert!(
        reports::visits(c, 1)
            .unwrap()
            .iter()
            .any(|v| v.notes == "第三次心理辅导，孩子愿意交流。")
    );
}

#[test]
fn imported_history_says_the_criteria_are_unknown() {
    let (mut env, _) = env(Lang::Zh);
    let file = CaseFile::open(&mut env, 2).unwrap();
    let mut app = App::new(env, Box::new(file));
    tab(&mut app, 3);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("导入的历史记录"), "{s}");
    assert!(s.contains("数据库中没有这一版评估标准的原文"), "{s}");
    assert!(s.contains("L3-08"), "{s}");
}

#[test]
fn hostile_notes_are_drawn_as_plain_text() {
    for lang in Lang::ALL {
        let mut app = file_app(lang);
        tab(&mut app, 2);
        for (w, h) in [(80, 24), (160, 48)] {
            let s = screen(&mut app, w, h);
            assert!(s.contains("]52;c;ZXZpbA=="), "{s}");
            assert!(s.contains("[2J"), "{s}");
            assert!(!s.contains('\u{202e}'), "{s}");
        }
    }
}

#[test]
fn privacy_masks_by_default_and_ctrl_p_shows() {
    let mut app = file_app(Lang::Zh);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("张＊明") && !s.contains("张三明"), "{s}");
    assert!(s.contains("2101**********"), "{s}");
    assert!(
        s.contains("138****5678") && !s.contains("13812345678"),
        "{s}"
    );
    assert!(s.contains("2014-＊＊-＊＊"), "{s}");
    ctrl(&mut app, 'p');
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("张三明") && s.contains("13812345678") && s.contains("2014-05-06"),
        "{s}"
    );
    ctrl(&mut app, 'p');
    let s = screen(&mut app, 120, 40);
    assert!(!s.contains("张三明"), "{s}");
    // The reveal key shows the field under the cursor until the next key.
    key(&mut app, KeyCode::Char('v'));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("张三明"), "{s}");
    key(&mut app, KeyCode::Down);
    assert!(!screen(&mut app, 120, 40).contains("张三明"));
}

#[test]
fn list_reveal_shows_only_the_selected_row() {
    let mut app = list_app(Lang::Zh);
    key(&mut app, KeyCode::Char('v'));
    let s = screen(&mut app, 120, 30);
    let revealed = ["张三明", "欧阳娜娜", "王涵"]
        .iter()
        .filter(|n| s.contains(*n))
        .count();
    assert_eq!(revealed, 1, "{s}");
}

// --- visit editor -------------------------------------------------------------------

#[test]
fn visit_editor_zh_80x24() {
    let mut app = file_app(Lang::Zh);
    tab(&mut app, 2);
    key(&mut app, KeyCode::Char('a'));
    typed(&mut app, "刘社工");
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn visit_editor_en_160x48() {
    let mut app = file_app(Lang::En);
    tab(&mut app, 2);
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(body(&mut app, 160, 48));
}

#[test]
fn visit_editor_saves_a_new_visit_and_the_file_shows_it() {
    let mut app = file_app(Lang::Zh);
    tab(&mut app, 2);
    key(&mut app, KeyCode::Char('a'));
    typed(&mut app, "刘社工、赵主任");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "兴隆镇中心小学");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "班主任");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "孩子已回校上课一周，精神状态好转。");
    key(&mut app, KeyCode::Enter);
    app.on_paste("班主任承诺每天放学后\x1b[2J送孩子回家。");
    ctrl(&mut app, 's');
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("个案 C-000001"), "back on the case file:\n{s}");
    assert!(s.contains("孩子已回校上课一周"), "{s}");
    assert!(s.contains("兴隆镇中心小学"), "{s}");
    let visits = reports::visits(app.env.store.conn(), 1).unwrap();
    assert_eq!(visits.len(), 3);
    let new = visits.iter().find(|v| v.place == "兴隆镇中心小学").unwrap();
    assert_eq!(new.visited_on, d(2026, 11, 29));
    assert_eq!(
        new.notes,
        "孩子已回校上课一周，精神状态好转。\n班主任承诺每天放学后[2J送孩子回家。"
    );
}

#[test]
fn visit_editor_edits_the_current_visit() {
    let mut app = file_app(Lang::En);
    tab(&mut app, 2);
    // Scroll down to the older visit, then edit it.
    key(&mut app, KeyCode::Char('G'));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("2026-03-10"), "{s}");
    key(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("Edit home visit") && s.contains("首次家访"),
        "{s}"
    );
    typed(&mut app, "（补记）");
    ctrl(&mut app, 's');
    let visits = reports::visits(app.env.store.conn(), 1).unwrap();
    let old = visits
        .iter()
        .find(|v| v.visited_on == d(2026, 3, 10))
        .unwrap();
    assert!(
        old.notes.ends_with("担心同学嘲笑。（补记）"),
        "{}",
        old.notes
    );
    assert!(screen(&mut app, 120, 40).contains("（补记）"));
}

#[test]
fn visit_editor_checks_date_and_notes() {
    let mut app = file_app(Lang::Zh);
    key(&mut app, KeyCode::Char('a'));
    ctrl(&mut app, 's');
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("记录内容：不能为空"), "{s}");
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::BackTab);
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "2026-12-01");
    key(&mut app, KeyCode::BackTab);
    typed(&mut app, "记录");
    ctrl(&mut app, 's');
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("日期：2026-12-01 晚于今天"), "{s}");
    // The complaint put the caret back in the date.
    for _ in 0..10 {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "2026-13-01");
    ctrl(&mut app, 's');
    assert!(screen(&mut app, 120, 40).contains("日期：请按 YYYY-MM-DD 填写"));
    assert_eq!(reports::visits(app.env.store.conn(), 1).unwrap().len(), 2);
}

#[test]
fn visit_editor_esc_warns_once_then_discards() {
    let mut app = file_app(Lang::Zh);
    key(&mut app, KeyCode::Char('a'));
    typed(&mut app, "草稿");
    key(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("有未保存的修改：再按 Esc 放弃，Ctrl-S 保存"),
        "{s}"
    );
    let title = |s: &str| s.lines().next().unwrap_or_default().to_string();
    assert!(
        title(&s).contains("新增家访记录"),
        "still in the editor:\n{s}"
    );
    key(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 120, 40);
    assert!(
        title(&s).contains("个案 C-000001") && s.contains("① 基本情况"),
        "{s}"
    );
    assert_eq!(reports::visits(app.env.store.conn(), 1).unwrap().len(), 2);
    // Nothing typed: one Esc leaves.
    key(&mut app, KeyCode::Char('a'));
    assert!(title(&screen(&mut app, 120, 40)).contains("新增家访记录"));
    key(&mut app, KeyCode::Esc);
    assert!(title(&screen(&mut app, 120, 40)).contains("个案 C-000001"));
}

// --- report form ------------------------------------------------------------------------

fn report_form(lang: Lang) -> App {
    let mut app = file_app(lang);
    tab(&mut app, 1);
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "热线电话");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "邻居 李女士");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "孩子这两天又没去上学，晚上一个人在家。");
    app
}

#[test]
fn report_form_zh_80x24() {
    let mut app = report_form(Lang::Zh);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn report_form_en_80x24() {
    let mut app = report_form(Lang::En);
    insta::assert_snapshot!(body(&mut app, 80, 24));
}

#[test]
fn report_form_saves_and_the_reports_tab_shows_it() {
    let mut app = report_form(Lang::Zh);
    ctrl(&mut app, 's');
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("发现报告 · 共 3 件"), "{s}");
    assert!(s.contains("孩子这两天又没去上学"), "{s}");
    assert!(s.contains("报告已保存"), "{s}");
    let list = reports::of_case(app.env.store.conn(), 1).unwrap();
    assert_eq!(list.len(), 3);
    let new = &list[0];
    assert_eq!(new.channel, casepanel::domain::report::Channel::Hotline);
    assert_eq!(new.reporter.as_deref(), Some("邻居 李女士"));
    assert_eq!(new.received_at, now());
}

#[test]
fn report_form_names_the_field_to_fix_and_writes_nothing() {
    let mut app = file_app(Lang::En);
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "a passer-by");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "Seen alone at night.");
    ctrl(&mut app, 's');
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Unknown channel"), "{s}");
    assert_eq!(reports::of_case(app.env.store.conn(), 1).unwrap().len(), 2);
    // Esc closes the form without saving.
    key(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 120, 40);
    assert!(!s.contains("Unknown channel"), "{s}");
    assert_eq!(reports::of_case(app.env.store.conn(), 1).unwrap().len(), 2);
}
