//! The re-review queue with a fixed clock: annual default, per-level intervals, an earlier
//! date, ad-hoc (by hand and by a new report), turning 18, closing and reopening, overdue
//! across month ends and leap days, window semantics, filters and order; interventions.

mod common;

use chrono::NaiveDate;

use casepanel::domain::assessment::{Assessment, Rule, Scoring};
use casepanel::domain::case::{Case, CaseStatus, ClosingReason};
use casepanel::domain::child::{Child, Sex};
use casepanel::domain::criteria::Catalogue;
use casepanel::domain::decision::{
    Decision, DecisionStatus, Intervention, InterventionStatus, NextReview, ReviewKind, Vote,
};
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::level::RiskLevel;
use casepanel::domain::region::{Region, RegionLevel};
use casepanel::domain::report::{Channel, Report};
use casepanel::domain::review::ReviewRules;
use casepanel::store::queue::{self, QueueFilter, QueueItem, Reason};
use casepanel::store::{Store, cases, children, decisions, regions, reports};
use common::derived::assert_tallies;
use common::{at, d};

fn store() -> Store {
    let mut s = Store::open_in_memory().unwrap();
    s.write(|tx| {
        regions::upsert(
            tx,
            &Region {
                code: "210181101".into(),
                name: "兴隆镇".into(),
                level: RegionLevel::Township,
                parent: Some("210181".into()),
            },
        )
    })
    .unwrap();
    s
}

/// A child and a case awaiting the panel; returns the case id.
fn case(
    s: &mut Store,
    name: &str,
    birth: NaiveDate,
    region: &str,
    types: &[DifficultyType],
) -> i64 {
    s.write(|tx| {
        let child = Child {
            id: 0,
            name: name.into(),
            sex: Sex::Female,
            birth_date: birth,
            id_number: None,
            household_registration: String::new(),
            address: String::new(),
            phone: None,
            school: None,
            region: region.into(),
        };
        let child_id = children::insert(tx, &child, d(2020, 1, 1).max(birth))?;
        cases::insert(
            tx,
            &Case {
                id: 0,
                child_id,
                status: CaseStatus::AwaitingPanel,
                types: types.to_vec(),
                opened_on: d(2020, 1, 1).max(birth),
                closed_on: None,
                closing_reason: None,
                level: None,
                next_review: None,
            },
        )
    })
    .unwrap()
}

fn assessment(level: Option<RiskLevel>) -> Assessment {
    Assessment {
        catalogue: Catalogue::builtin().reference(),
        answers: Default::default(),
        computed: Scoring {
            level,
            rule: Rule::NoneMet,
        },
        override_: None,
        by_member: Default::default(),
    }
}

/// Grades a case (a sealed decision from paper records) with the given next review.
fn grade(s: &mut Store, case_id: i64, on: NaiveDate, level: Option<RiskLevel>, next: NaiveDate) {
    s.write(|tx| {
        decisions::import_historical(
            tx,
            case_id,
            on,
            &assessment(level),
            Some(NextReview {
                date: next,
                kind: ReviewKind::Annual,
            }),
            at(2020, 1, 1, 9, 0),
        )
    })
    .unwrap();
}

/// The queue, checked against `queue::items`: asked for the same cases one by one (as a
/// session asks for its agenda), the queue says the same of each.
fn list(s: &Store, today: NaiveDate, rules: &ReviewRules, f: &QueueFilter) -> Vec<QueueItem> {
    let items = queue::list(s.conn(), today, rules, f, 0, 1000).unwrap();
    let asked = queue::items(s.conn(), today, rules, &ids(&items)).unwrap();
    let by_id = |v: &[QueueItem]| -> std::collections::BTreeMap<i64, String> {
        v.iter().map(|i| (i.case_id, format!("{i:?}"))).collect()
    };
    assert_eq!(by_id(&asked), by_id(&items));
    for it in &items {
        let one = queue::items(s.conn(), today, rules, &[it.case_id]).unwrap();
        assert_eq!(format!("{:?}", one[0]), format!("{it:?}"));
    }
    items
}

fn ids(items: &[QueueItem]) -> Vec<i64> {
    items.iter().map(|i| i.case_id).collect()
}

const TOWN: &str = "210181101";
const DV: &[DifficultyType] = &[DifficultyType::DomesticViolence];

#[test]
fn annual_default_and_window_semantics() {
    let mut s = store();
    let rules = ReviewRules::default();
    let c = case(&mut s, "王小雨", d(2015, 4, 1), TOWN, DV);
    let next = rules.next_review(d(2025, 12, 15), Some(RiskLevel::L2));
    assert_eq!(next, d(2026, 12, 15));
    grade(&mut s, c, d(2025, 12, 15), Some(RiskLevel::L2), next);
    let f = QueueFilter::default();
    // The window opens 30 days before: 2026-11-15.
    assert!(list(&s, d(2026, 11, 14), &rules, &f).is_empty());
    let open = list(&s, d(2026, 11, 15), &rules, &f);
    assert_eq!(ids(&open), vec![c]);
    assert_eq!(open[0].reason, Reason::Due);
    assert_eq!(open[0].due, Some(d(2026, 12, 15)));
    assert_eq!(open[0].days_overdue, 0);
    // Due on the date itself, overdue from the day after.
    assert_eq!(list(&s, d(2026, 12, 15), &rules, &f)[0].days_overdue, 0);
    assert_eq!(list(&s, d(2026, 12, 16), &rules, &f)[0].days_overdue, 1);
    // --within narrows or widens the horizon; --overdue keeps only past-due reviews.
    let within0 = QueueFilter {
        within_days: Some(0),
        ..QueueFilter::default()
    };
    assert!(list(&s, d(2026, 11, 29), &rules, &within0).is_empty());
    let within90 = QueueFilter {
        within_days: Some(90),
        ..QueueFilter::default()
    };
    assert_eq!(ids(&list(&s, d(2026, 9, 20), &rules, &within90)), vec![c]);
    let overdue = QueueFilter {
        overdue_only: true,
        ..QueueFilter::default()
    };
    assert!(list(&s, d(2026, 12, 15), &rules, &overdue).is_empty());
    assert_eq!(ids(&list(&s, d(2026, 12, 16), &rules, &overdue)), vec![c]);
}

#[test]
fn per_level_intervals_and_an_earlier_date() {
    let mut s = store();
    let rules = ReviewRules {
        level1_months: 3,
        level2_months: 6,
        ..ReviewRules::default()
    };
    let l1 = case(&mut s, "李一", d(2014, 1, 1), TOWN, DV);
    let l3 = case(&mut s, "李三", d(2014, 1, 1), TOWN, DV);
    let early = case(&mut s, "李早", d(2014, 1, 1), TOWN, DV);
    let on = d(2026, 8, 31);
    grade(
        &mut s,
        l1,
        on,
        Some(RiskLevel::L1),
        rules.next_review(on, Some(RiskLevel::L1)),
    );
    grade(
        &mut s,
        l3,
        on,
        Some(RiskLevel::L3),
        rules.next_review(on, Some(RiskLevel::L3)),
    );
    // The panel chose an earlier date than the level-3 default.
    let chosen = rules
        .review_date(on, Some(RiskLevel::L3), Some(d(2026, 12, 1)))
        .unwrap();
    grade(&mut s, early, on, Some(RiskLevel::L3), chosen);
    assert!(
        rules
            .review_date(on, Some(RiskLevel::L1), Some(d(2026, 12, 1)))
            .is_err()
    );
    let items = list(&s, d(2026, 11, 29), &rules, &QueueFilter::default());
    // Level 1 (3 months: 2026-11-30) and the earlier level-3 date; not the annual one.
    assert_eq!(ids(&items), vec![l1, early]);
    assert_eq!(items[0].due, Some(d(2026, 11, 30)));
    assert_eq!(items[1].due, Some(d(2026, 12, 1)));
    let later = list(&s, d(2027, 8, 20), &rules, &QueueFilter::default());
    assert_eq!(
        ids(&later),
        vec![l1, early, l3],
        "level first, then the most overdue"
    );
}

#[test]
fn ad_hoc_by_hand_and_by_a_new_report_come_first() {
    let mut s = store();
    let rules = ReviewRules::default();
    let routine = case(&mut s, "张常规", d(2013, 5, 5), TOWN, DV);
    let by_hand = case(&mut s, "张手动", d(2013, 5, 5), TOWN, DV);
    let by_report = case(&mut s, "张报告", d(2013, 5, 5), TOWN, DV);
    grade(
        &mut s,
        routine,
        d(2025, 11, 20),
        Some(RiskLevel::L1),
        d(2026, 11, 20),
    );
    grade(
        &mut s,
        by_hand,
        d(2026, 6, 1),
        Some(RiskLevel::L3),
        d(2027, 6, 1),
    );
    grade(
        &mut s,
        by_report,
        d(2026, 6, 1),
        Some(RiskLevel::L3),
        d(2027, 6, 1),
    );
    let today = d(2026, 11, 29);
    assert_eq!(
        ids(&list(&s, today, &rules, &QueueFilter::default())),
        vec![routine]
    );
    s.write(|tx| cases::raise_review(tx, by_hand, d(2026, 11, 25), "学校反映孩子身上有新伤", None))
        .unwrap();
    s.write(|tx| {
        reports::insert(
            tx,
            &Report {
                id: 0,
                case_id: by_report,
                received_at: at(2026, 11, 28, 10, 0),
                channel: Channel::Teacher,
                reporter: None,
                summary: "邻居听到打骂声".into(),
            },
        )
    })
    .unwrap();
    let items = list(&s, today, &rules, &QueueFilter::default());
    assert_eq!(ids(&items), vec![by_hand, by_report, routine]);
    assert_eq!(items[0].reason, Reason::AdHoc);
    assert!(items[0].ad_hoc && items[1].ad_hoc && !items[2].ad_hoc);
    assert_eq!(
        items[0].ad_hoc_reason.as_deref(),
        Some("学校反映孩子身上有新伤")
    );
    assert_eq!(items[1].ad_hoc_reason.as_deref(), Some("邻居听到打骂声"));
    assert_eq!(items[2].days_overdue, 9);
    assert_eq!(
        queue::count(s.conn(), today, &rules, &QueueFilter::default()).unwrap(),
        3
    );
    // A new decision resolves the request: the case leaves the queue until its next review.
    grade(&mut s, by_hand, today, Some(RiskLevel::L2), d(2027, 11, 29));
    assert_eq!(
        ids(&list(&s, today, &rules, &QueueFilter::default())),
        vec![by_report, routine]
    );
}

#[test]
fn never_assessed_cases_wait_for_their_first_panel() {
    let mut s = store();
    let rules = ReviewRules::default();
    let first = case(&mut s, "赵新", d(2016, 2, 2), TOWN, DV);
    let items = list(&s, d(2026, 11, 29), &rules, &QueueFilter::default());
    assert_eq!(ids(&items), vec![first]);
    assert_eq!(items[0].reason, Reason::First);
    assert_eq!(items[0].due, None);
    assert!(
        list(
            &s,
            d(2026, 11, 29),
            &rules,
            &QueueFilter {
                overdue_only: true,
                ..Default::default()
            }
        )
        .is_empty()
    );
}

#[test]
fn turning_18_before_the_review_brings_a_closing_review() {
    let mut s = store();
    let rules = ReviewRules::default();
    let c = case(&mut s, "孙将成", d(2009, 1, 10), TOWN, DV);
    let minor = case(&mut s, "孙尚小", d(2012, 1, 10), TOWN, DV);
    grade(&mut s, c, d(2026, 6, 1), Some(RiskLevel::L3), d(2027, 6, 1));
    grade(
        &mut s,
        minor,
        d(2026, 6, 1),
        Some(RiskLevel::L3),
        d(2027, 6, 1),
    );
    let today = d(2026, 11, 29);
    assert!(
        list(&s, today, &rules, &QueueFilter::default()).is_empty(),
        "18th birthday beyond the window"
    );
    let f = QueueFilter {
        within_days: Some(60),
        ..Default::default()
    };
    let items = list(&s, today, &rules, &f);
    assert_eq!(ids(&items), vec![c]);
    assert_eq!(items[0].reason, Reason::Closing);
    assert!(items[0].turns_18);
    assert_eq!(items[0].due, Some(d(2027, 1, 10)));
    // Past the birthday it is overdue like any review.
    let late = list(&s, d(2027, 1, 12), &rules, &QueueFilter::default());
    assert_eq!(late[0].days_overdue, 2);
}

#[test]
fn closed_cases_leave_the_queue_and_reopened_ones_come_back() {
    let mut s = store();
    let rules = ReviewRules::default();
    let c = case(&mut s, "周关", d(2014, 3, 3), TOWN, DV);
    grade(
        &mut s,
        c,
        d(2025, 11, 1),
        Some(RiskLevel::L2),
        d(2026, 11, 1),
    );
    let today = d(2026, 11, 29);
    assert_eq!(
        ids(&list(&s, today, &rules, &QueueFilter::default())),
        vec![c]
    );
    s.write(|tx| cases::raise_review(tx, c, today, "搬家", None))
        .unwrap();
    s.write(|tx| cases::close(tx, c, today, ClosingReason::MovedAway))
        .unwrap();
    assert!(list(&s, today, &rules, &QueueFilter::default()).is_empty());
    assert_eq!(
        queue::count(s.conn(), today, &rules, &QueueFilter::default()).unwrap(),
        0
    );
    s.write(|tx| cases::set_status(tx, c, CaseStatus::AwaitingPanel))
        .unwrap();
    let items = list(&s, today, &rules, &QueueFilter::default());
    assert_eq!(ids(&items), vec![c]);
    assert_eq!(
        items[0].reason,
        Reason::AdHoc,
        "the open request still stands"
    );
}

#[test]
fn reopened_without_request_is_back_before_the_panel() {
    let mut s = store();
    let rules = ReviewRules::default();
    let c = case(&mut s, "吴回", d(2014, 3, 3), TOWN, DV);
    grade(&mut s, c, d(2026, 9, 1), Some(RiskLevel::L3), d(2027, 9, 1));
    let today = d(2026, 11, 29);
    s.write(|tx| cases::close(tx, c, today, ClosingReason::RiskResolved))
        .unwrap();
    s.write(|tx| cases::set_status(tx, c, CaseStatus::AwaitingPanel))
        .unwrap();
    let items = list(&s, today, &rules, &QueueFilter::default());
    assert_eq!(ids(&items), vec![c]);
    assert_eq!(items[0].reason, Reason::Returned);
}

#[test]
fn overdue_days_across_month_ends_and_leap_days() {
    let mut s = store();
    let rules = ReviewRules::default();
    let leap = case(&mut s, "钱闰", d(2012, 7, 7), TOWN, DV);
    let due = rules.next_review(d(2024, 2, 29), Some(RiskLevel::L2));
    assert_eq!(
        due,
        d(2025, 2, 28),
        "decided on a leap day: due 28 February"
    );
    grade(&mut s, leap, d(2024, 2, 29), Some(RiskLevel::L2), due);
    let at_ = |today| list(&s, today, &rules, &QueueFilter::default())[0].days_overdue;
    assert_eq!(at_(d(2025, 2, 28)), 0);
    assert_eq!(at_(d(2025, 3, 1)), 1);
    assert_eq!(at_(d(2025, 3, 31)), 31);
    let jan = case(&mut s, "钱月", d(2012, 7, 7), TOWN, DV);
    grade(
        &mut s,
        jan,
        d(2027, 1, 31),
        Some(RiskLevel::L1),
        d(2028, 1, 31),
    );
    let f = QueueFilter {
        level: Some(RiskLevel::L1),
        ..Default::default()
    };
    assert_eq!(
        list(&s, d(2028, 3, 1), &rules, &f)[0].days_overdue,
        30,
        "through 29 February 2028"
    );
    assert_eq!(list(&s, d(2028, 2, 1), &rules, &f)[0].days_overdue, 1);
}

#[test]
fn filters_by_region_level_and_type_and_windows() {
    let mut s = store();
    let rules = ReviewRules::default();
    let town = case(&mut s, "冯镇", d(2014, 1, 1), TOWN, DV);
    let dalian = case(
        &mut s,
        "冯连",
        d(2014, 1, 1),
        "210202",
        &[DifficultyType::Poverty],
    );
    let county = case(
        &mut s,
        "冯县",
        d(2014, 1, 1),
        "210181",
        &[DifficultyType::Poverty],
    );
    grade(
        &mut s,
        town,
        d(2025, 11, 1),
        Some(RiskLevel::L1),
        d(2026, 11, 1),
    );
    grade(
        &mut s,
        dalian,
        d(2025, 11, 1),
        Some(RiskLevel::L2),
        d(2026, 11, 1),
    );
    let today = d(2026, 11, 29);
    let f = |region: Option<&str>, level, difficulty| QueueFilter {
        region: region.map(String::from),
        level,
        difficulty,
        ..Default::default()
    };
    let all = list(&s, today, &rules, &f(None, None, None));
    assert_eq!(ids(&all), vec![town, dalian, county]);
    assert_eq!(all[0].region_names, "沈阳市 新民市 兴隆镇");
    assert_eq!(
        ids(&list(&s, today, &rules, &f(Some("210100"), None, None))),
        vec![town, county]
    );
    assert_eq!(
        ids(&list(&s, today, &rules, &f(Some("210181"), None, None))),
        vec![town, county]
    );
    assert_eq!(
        ids(&list(&s, today, &rules, &f(Some(TOWN), None, None))),
        vec![town]
    );
    assert_eq!(
        ids(&list(&s, today, &rules, &f(Some("210200"), None, None))),
        vec![dalian]
    );
    assert_eq!(
        ids(&list(
            &s,
            today,
            &rules,
            &f(None, Some(RiskLevel::L2), None)
        )),
        vec![dalian]
    );
    assert_eq!(
        ids(&list(
            &s,
            today,
            &rules,
            &f(None, None, Some(DifficultyType::Poverty))
        )),
        vec![dalian, county]
    );
    let page = queue::list(s.conn(), today, &rules, &QueueFilter::default(), 1, 1).unwrap();
    assert_eq!(ids(&page), vec![dalian]);
}

fn sealed_with_interventions(s: &mut Store, case_id: i64) -> i64 {
    let d_ = Decision {
        id: 0,
        case_id,
        session_id: None,
        decided_on: d(2026, 9, 1),
        assessment: assessment(Some(RiskLevel::L2)),
        interventions: vec![
            Intervention {
                kind: "referral".into(),
                unit: "兴隆镇民政办".into(),
                due: Some(d(2026, 10, 31)),
            },
            Intervention {
                kind: "psych".into(),
                unit: "心理咨询中心".into(),
                due: Some(d(2026, 12, 31)),
            },
            Intervention {
                kind: "visit".into(),
                unit: "社工站".into(),
                due: Some(d(2026, 11, 1)),
            },
            // "Immediately" (立即): no deadline, so never overdue.
            Intervention {
                kind: "visit".into(),
                unit: "社工站".into(),
                due: None,
            },
        ],
        next_review: Some(NextReview {
            date: d(2027, 9, 1),
            kind: ReviewKind::Annual,
        }),
        vote: Vote::default(),
        dissent: String::new(),
        voting_members: vec![],
        recused: vec![],
        police_report: None,
        amends: None,
        amend_reason: String::new(),
        status: DecisionStatus::Draft,
        sealed_at: None,
    };
    s.write(|tx| {
        casepanel::store::catalogues::remember(tx, &Catalogue::builtin(), at(2026, 9, 1, 9, 0))?;
        let id = decisions::save_draft(tx, &d_)?;
        tx.execute("UPDATE decision SET status = 'sealed', sealed_at = '2026-09-01T10:00:00' WHERE id = ?1", [id])?;
        Ok(id)
    })
    .unwrap()
}

#[test]
fn intervention_progress_and_overdue_counts() {
    let mut s = store();
    let c = case(&mut s, "陈干预", d(2014, 1, 1), TOWN, DV);
    let dec = sealed_with_interventions(&mut s, c);
    let today = d(2026, 11, 29);
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        2
    );
    let list = queue::overdue_interventions(s.conn(), today, 10).unwrap();
    assert_eq!(
        list.iter().map(|i| i.position).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_eq!(list[0].days_overdue, 29);
    s.write(|tx| {
        queue::set_intervention_status(tx, dec, 0, InterventionStatus::InProgress, "已联系")
    })
    .unwrap();
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        2,
        "in progress is still overdue"
    );
    s.write(|tx| queue::set_intervention_status(tx, dec, 0, InterventionStatus::Done, "已办结"))
        .unwrap();
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        1
    );
    let err = s
        .write(|tx| queue::set_intervention_status(tx, dec, 2, InterventionStatus::NotDone, " "))
        .unwrap_err();
    assert!(err.to_string().contains("note"), "{err}");
    s.write(|tx| {
        queue::set_intervention_status(tx, dec, 2, InterventionStatus::NotDone, "家长拒绝入户")
    })
    .unwrap();
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        0
    );
    let ivs = decisions::interventions(s.conn(), dec).unwrap();
    assert_eq!(ivs[2].1, InterventionStatus::NotDone);
    assert_eq!(ivs[2].2, "家长拒绝入户");
    // What was decided stays as decided.
    assert!(
        s.conn()
            .execute(
                "UPDATE intervention SET unit = 'x' WHERE decision_id = ?1",
                [dec]
            )
            .is_err()
    );
    assert!(
        s.write(|tx| queue::set_intervention_status(tx, dec, 9, InterventionStatus::Done, ""))
            .is_err()
    );
}

#[test]
fn an_intervention_without_a_deadline_is_never_overdue_and_a_closed_case_has_none() {
    let mut s = store();
    let c = case(&mut s, "陈立即", d(2014, 1, 1), TOWN, DV);
    let dec = sealed_with_interventions(&mut s, c);
    let today = d(2026, 11, 29);
    // Positions 0 and 2 are past their deadlines; 3 has none ("immediately").
    let list = queue::overdue_interventions(s.conn(), today, 10).unwrap();
    assert_eq!(
        list.iter().map(|i| i.position).collect::<Vec<_>>(),
        vec![0, 2]
    );
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        2
    );
    // The screens' rule is the same one.
    let ivs = decisions::interventions(s.conn(), dec).unwrap();
    let late: Vec<usize> = ivs
        .iter()
        .enumerate()
        .filter(|(_, (iv, st, _))| {
            casepanel::domain::decision::days_late(today, iv.due, *st).is_some()
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(late, vec![0, 2]);
    let stats =
        casepanel::store::stats::stats(s.conn(), today, casepanel::store::stats::By::Level, None)
            .unwrap();
    assert_eq!(stats.overdue_interventions, 2);
    // A closed case's interventions are no longer overdue; reopened, they are again.
    s.write(|tx| cases::close(tx, c, today, ClosingReason::MovedAway))
        .unwrap();
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        0
    );
    s.write(|tx| cases::set_status(tx, c, CaseStatus::AwaitingPanel))
        .unwrap();
    assert_tallies(s.conn());
    assert_eq!(
        queue::overdue_interventions_count(s.conn(), today).unwrap(),
        2
    );
}
