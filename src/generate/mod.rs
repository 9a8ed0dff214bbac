//! The synthetic-data generator: a whole centre's worth of invented, internally consistent
//! case files, for demos, tests and load measurements. Nothing here is real: names,
//! townships, villages, addresses, phone numbers and stories are made up from lists.
//! Only the cities and counties (and their codes) are Liaoning's own.
//!
//! **Deterministic.** The same [`GenConfig`] (seed, case count and `today`) writes the same
//! database content, row for row: one seeded ChaCha8 stream drawn in a fixed order by one
//! thread, no hash-map iteration, no clock.
//!
//! **Two threads.** One thread invents the rows and hands out their ids (see [`sink`]);
//! the calling thread writes them, in the order they were made, through the bulk loader.
//! The random stream never crosses threads, so the result is the same as writing each row
//! as it is made.
//!
//! What a generated database holds:
//!
//! - Liaoning's cities and counties, with invented townships and villages under each;
//! - a panel roster of nine members, fortnightly past sessions (closed) and one open
//!   session a few days ahead with about ten cases on its agenda;
//! - one child per case (a few with an earlier, closed episode), 1–2 guardians, 1–3
//!   reports and 1–2 home visits per case, built from the family situation behind it;
//! - for about 70 % of cases a sealed decision scored on the built-in catalogue, with its
//!   interventions and next review (annual), decided at one of the past sessions, so that
//!   on `today` some reviews are overdue, some due within the month, most later; a few of
//!   those cases have an open ad-hoc review request after a new report. The rest await
//!   the panel or are still being screened.
//!
//! All writes go through [`crate::store::bulk::Loader`] (a fresh database only: invented
//! cases are never mixed with real ones). The text is built from literal
//! templates and is therefore clean NFC, as the loader requires.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::fmt;

use crate::domain::assessment::{Answer, AnswerEntry, Answers, Assessment, Override};
use crate::domain::case::{Case, CaseStatus, ClosingReason};
use crate::domain::child::{Child, Sex, add_years};
use crate::domain::criteria::{Catalogue, InterventionDef, check_override, reportable_met, score};
use crate::domain::decision::{
    Decision, DecisionStatus, Intervention, InterventionStatus, NextReview, PoliceReport,
    ReviewKind, Vote,
};
use crate::domain::difficulty::DifficultyType;
use crate::domain::guardian::{Guardian, GuardianStatus, Relation};
use crate::domain::id_number::IdNumber;
use crate::domain::level::RiskLevel;
use crate::domain::panel::{AgendaItem, AgendaOutcome, Discipline, Member, Session, SessionStatus};
use crate::domain::report::{Channel, Report};
use crate::domain::review::ReviewRules;
use crate::domain::visit::HomeVisit;
use crate::store::bulk::{DecisionRow, Loader, load_regions};
use crate::store::{Result, Store, StoreError};

mod names;
mod places;
mod sink;
mod stories;

use names::Names;
use places::{TownKind, World};
use sink::Rows;
use stories::{Story, TextCtx};

/// The random stream every choice is drawn from.
pub(crate) type GenRng = ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenConfig {
    /// Case files to write (earlier, closed episodes included).
    pub cases: usize,
    pub seed: u64,
    /// The day the data is generated "on": ages, due dates and sessions are relative to it.
    pub today: NaiveDate,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSummary {
    pub regions: usize,
    pub townships: usize,
    pub villages: usize,
    pub members: usize,
    pub sessions: usize,
    pub children: usize,
    pub guardians: usize,
    pub cases: usize,
    pub active: usize,
    pub awaiting_panel: usize,
    pub screening: usize,
    pub closed: usize,
    pub reports: usize,
    pub visits: usize,
    pub police_reports: usize,
    pub decisions: usize,
    pub interventions: usize,
    pub review_requests: usize,
    pub agenda_items: usize,
}

impl fmt::Display for GenSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cases ({} active, {} awaiting the panel, {} screening, {} closed) of {} children; \
             {} guardians, {} reports, {} home visits, {} sealed decisions with {} interventions, \
             {} police reports, {} open ad-hoc reviews; {} panel members, {} sessions, {} agenda items; \
             {} regions ({} townships, {} villages)",
            self.cases,
            self.active,
            self.awaiting_panel,
            self.screening,
            self.closed,
            self.children,
            self.guardians,
            self.reports,
            self.visits,
            self.decisions,
            self.interventions,
            self.police_reports,
            self.review_requests,
            self.members,
            self.sessions,
            self.agenda_items,
            self.regions,
            self.townships,
            self.villages
        )
    }
}

/// A uniform pick from a non-empty slice.
pub(crate) fn pick<T: Copy>(rng: &mut GenRng, xs: &[T]) -> T {
    xs[rng.random_range(0..xs.len())]
}

/// A table for weighted picks: cumulative weights, binary search.
pub(crate) struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u32>,
}

impl<T: Copy> Weighted<T> {
    pub(crate) fn new(pairs: impl IntoIterator<Item = (T, u32)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut sum = 0u32;
        for (t, w) in pairs {
            if w > 0 {
                sum += w;
                items.push(t);
                cumulative.push(sum);
            }
        }
        assert!(sum > 0, "a weighted table needs a positive weight");
        Weighted { items, cumulative }
    }

    pub(crate) fn pick(&self, rng: &mut GenRng) -> T {
        let total = *self.cumulative.last().expect("non-empty");
        let x = rng.random_range(0..total);
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.items[i]
    }
}

const CHANNELS: &[(Channel, u32)] = &[
    (Channel::CommunityOfficer, 20),
    (Channel::AssistanceInfoOfficer, 8),
    (Channel::Volunteer, 5),
    (Channel::Resident, 8),
    (Channel::NightGuard, 2),
    (Channel::Teacher, 12),
    (Channel::Doctor, 5),
    (Channel::CommunityWorker, 8),
    (Channel::RelativeFriend, 6),
    (Channel::CentrePatrol, 5),
    (Channel::Hotline, 8),
    (Channel::Police, 8),
    (Channel::Justice, 1),
    (Channel::Court, 1),
    (Channel::Procuratorate, 1),
    (Channel::WomensFederation, 3),
    (Channel::Other, 1),
];

/// Relative weights of the child's age on `today`, 0 to 17.
const AGE_WEIGHTS: [u32; 18] = [2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8, 7, 6, 5];

const NUMERALS: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// The panel: invented people from the kinds of bodies the notice names.
const ROSTER: &[(&str, Discipline, &str, bool)] = &[
    (
        "张丽华",
        Discipline::SocialWork,
        "新民市未成年人保护中心",
        true,
    ),
    ("王建军", Discipline::CivilAffairs, "新民市民政局", true),
    (
        "李秀梅",
        Discipline::Psychology,
        "新民市心理健康服务中心",
        true,
    ),
    ("刘志强", Discipline::Law, "辽宁新民正阳律师事务所", true),
    ("陈晓燕", Discipline::Education, "新民市教育局", true),
    ("赵国庆", Discipline::Medicine, "新民市人民医院", true),
    ("孙立新", Discipline::Police, "新民市公安局", true),
    (
        "周敏",
        Discipline::SocialWork,
        "新民市阳光社会工作服务中心",
        true,
    ),
    ("吴春华", Discipline::Psychology, "沈阳市儿童医院", false),
];
/// Roster positions (0-based) of the chair and the secretary.
const CHAIR: usize = 0;
const SECRETARY: usize = 7;
/// The member who has left the panel: present only at sessions this many months back.
const LEFT_MONTHS_AGO: u32 = 6;

/// What happens to a case in the generated history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Decided,
    Awaiting,
    Screening,
}

struct PastSession {
    id: i64,
    held_on: NaiveDate,
    /// Member ids present, ascending.
    present: Vec<i64>,
    /// Relative chance that a decided case was decided here.
    weight: u32,
}

/// Everything the per-case code needs, fixed before the first case.
struct Setting<'a> {
    today: NaiveDate,
    cat: &'a Catalogue,
    world: World,
    names: Names,
    stories: Weighted<Story>,
    channels: Weighted<Channel>,
    ages: Weighted<u32>,
    sessions: Vec<PastSession>,
    session_pick: Weighted<usize>,
    member_ids: Vec<i64>,
    member_disciplines: Vec<(i64, Discipline)>,
    /// Two community officers per township, named once.
    officers: Vec<[String; 2]>,
    review: ReviewRules,
}

/// Days of birth dates an ID-number counter covers per county.
const ID_DAYS: usize = 18 * 366 + 2;

/// Writes `cfg.cases` invented cases, with everything around them, into `store`. The
/// database must not hold any case yet: invented files are never mixed with real ones.
pub fn generate(store: &mut Store, cfg: &GenConfig) -> Result<GenSummary> {
    let cat = Catalogue::builtin();
    let mut rng = GenRng::seed_from_u64(cfg.seed);
    let base = crate::assets::liaoning_regions();
    let world = World::build(&mut rng, &base);

    let mut ld = Loader::begin(store)?;
    if !ld.is_fresh() {
        return Err(StoreError::Invalid(
            "generate writes invented cases into an empty database only; this one already has cases. Use a new --db path."
                .into(),
        ));
    }
    let mut sum = GenSummary {
        regions: world.regions.len(),
        townships: world.townships.len(),
        villages: world.villages.len(),
        ..GenSummary::default()
    };
    load_regions(ld.conn(), &world.regions)?;

    // The roster.
    let mut member_ids = Vec::new();
    let mut member_disciplines = Vec::new();
    for &(name, discipline, organisation, active) in ROSTER {
        let id = ld.add_member(&Member {
            id: 0,
            name: name.into(),
            discipline,
            organisation: organisation.into(),
            active,
        })?;
        member_ids.push(id);
        member_disciplines.push((id, discipline));
    }
    sum.members = member_ids.len();

    // Past sessions: every other Thursday, going back fourteen months.
    let today = cfg.today;
    let mut last = today - Days::new(5);
    while last.weekday() != Weekday::Thu {
        last = last - Days::new(1);
    }
    let earliest = today
        .checked_sub_months(Months::new(14))
        .expect("date in range");
    let mut dates = Vec::new();
    let mut d = last;
    while d >= earliest {
        dates.push(d);
        d = d - Days::new(14);
    }
    dates.reverse();
    let first_day = dates.first().copied().unwrap_or(last);
    ld.add_catalogue(
        &cat,
        first_day.and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("valid time")),
    )?;
    let left_before = today
        .checked_sub_months(Months::new(LEFT_MONTHS_AGO))
        .expect("date in range");
    let mut sessions = Vec::new();
    for held_on in dates {
        let mut present = vec![member_ids[CHAIR], member_ids[SECRETARY]];
        for (i, &(_, _, _, active)) in ROSTER.iter().enumerate() {
            if i == CHAIR || i == SECRETARY {
                continue;
            }
            let could = active || held_on < left_before;
            if could && rng.random_ratio(4, 5) {
                present.push(member_ids[i]);
            }
        }
        // At least four, so that one recusal still leaves a quorum of two disciplines.
        for (i, &id) in member_ids.iter().enumerate() {
            if present.len() >= 4 {
                break;
            }
            if ROSTER[i].3 && !present.contains(&id) {
                present.push(id);
            }
        }
        present.sort_unstable();
        let id = ld.add_session(&Session {
            id: 0,
            held_on,
            chair: Some(member_ids[CHAIR]),
            secretary: Some(member_ids[SECRETARY]),
            present: present.clone(),
            status: SessionStatus::Closed,
        })?;
        // Reviews of decisions more than a year old are overdue: fewer of those.
        let due = ReviewRules::default().next_review(held_on, None);
        let weight = if due < today { 2 } else { 5 };
        sessions.push(PastSession {
            id,
            held_on,
            present,
            weight,
        });
    }
    let upcoming_on = today + Days::new(rng.random_range(3..=6));
    let upcoming_present: Vec<i64> = member_ids
        .iter()
        .zip(ROSTER)
        .filter(|(_, r)| r.3)
        .map(|(&id, _)| id)
        .collect();
    let upcoming_id = ld.add_session(&Session {
        id: 0,
        held_on: upcoming_on,
        chair: Some(member_ids[CHAIR]),
        secretary: Some(member_ids[SECRETARY]),
        present: upcoming_present,
        status: SessionStatus::Open,
    })?;
    sum.sessions = sessions.len() + 1;

    let names = Names::new();
    let officers = world
        .townships
        .iter()
        .map(|_| {
            let a = names.surname(&mut rng);
            let b = names.surname(&mut rng);
            let sa = if rng.random_ratio(2, 3) {
                Sex::Female
            } else {
                Sex::Male
            };
            let sb = if rng.random_ratio(2, 3) {
                Sex::Female
            } else {
                Sex::Male
            };
            [names.adult(&mut rng, a, sa), names.adult(&mut rng, b, sb)]
        })
        .collect();
    let session_pick = Weighted::new(sessions.iter().enumerate().map(|(i, s)| (i, s.weight)));
    let id_seq = vec![0u8; world.counties.len() * ID_DAYS];
    let set = Setting {
        today,
        cat: &cat,
        world,
        names,
        stories: Weighted::new(stories::STORIES.iter().copied()),
        channels: Weighted::new(CHANNELS.iter().copied()),
        ages: Weighted::new(AGE_WEIGHTS.iter().enumerate().map(|(a, &w)| (a as u32, w))),
        sessions,
        session_pick,
        member_ids,
        member_disciplines,
        officers,
        review: ReviewRules::default(),
    };

    let mut acc = Accumulated {
        id_seq,
        ..Accumulated::default()
    };
    // One thread invents the rows (and hands out their ids), this one writes them.
    let next = ld.next_ids()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<sink::Op>>(8);
    let (back, done) = std::sync::mpsc::channel::<Vec<sink::Op>>();
    let cases = cfg.cases;
    std::thread::scope(|scope| -> Result<()> {
        let (rng, set, acc, sum) = (&mut rng, &set, &mut acc, &mut sum);
        let producer = scope.spawn(move || -> Result<()> {
            let mut rows = Rows::new(next, tx, done);
            let mut written = 0usize;
            while written < cases && !rows.closed {
                written += one_child(rng, set, &mut rows, acc, sum, cases - written)?;
            }
            rows.flush();
            sum.cases = written;
            Ok(())
        });
        let mut failed = None;
        for batch in rx.iter() {
            if let Err(e) = sink::replay(&mut ld, batch, &back) {
                failed = Some(e);
                break;
            }
        }
        // Stops the producer if the writing failed.
        drop(rx);
        let produced = producer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match failed {
            Some(e) => Err(e),
            None => produced,
        }
    })?;

    // Past agendas: every decided case at its session, deferred ones too; in key order.
    acc.past_agenda.sort_unstable_by_key(|a| (a.0, a.1));
    let mut position = 0u32;
    let mut prev_session = 0i64;
    for &(session_id, case_id, decision_id, defer) in &acc.past_agenda {
        if session_id != prev_session {
            position = 0;
            prev_session = session_id;
        }
        ld.add_agenda_item(&AgendaItem {
            session_id,
            case_id,
            position,
            outcome: if decision_id.is_some() {
                AgendaOutcome::Decided
            } else {
                AgendaOutcome::Deferred
            },
            defer_reason: defer.map(|i| stories::DEFER_REASONS[i].to_owned()),
            decision_id,
        })?;
        position += 1;
        sum.agenda_items += 1;
    }
    acc.conflicts.sort_unstable();
    for &(session_id, case_id, member_id) in &acc.conflicts {
        ld.add_conflict(session_id, case_id, member_id)?;
    }

    // The coming session's agenda: ad-hoc requests, first assessments, then reviews due.
    let horizon = upcoming_on + Days::new(u64::from(set.review.window_days));
    acc.due.retain(|&(date, _)| date <= horizon);
    acc.due.sort_unstable();
    let mut agenda: Vec<i64> = Vec::new();
    agenda.extend(acc.ad_hoc.iter().take(2));
    agenda.extend(acc.first.iter().take(4));
    let room = 10usize.saturating_sub(agenda.len());
    agenda.extend(acc.due.iter().take(room).map(|&(_, id)| id));
    for id in acc.first.iter().skip(4).chain(acc.ad_hoc.iter().skip(2)) {
        if agenda.len() >= 10 {
            break;
        }
        agenda.push(*id);
    }
    let mut items: Vec<(i64, u32)> = agenda
        .iter()
        .enumerate()
        .map(|(i, &c)| (c, i as u32))
        .collect();
    items.sort_unstable();
    items.dedup_by_key(|i| i.0);
    for (case_id, position) in items {
        ld.add_agenda_item(&AgendaItem {
            session_id: upcoming_id,
            case_id,
            position,
            outcome: AgendaOutcome::Pending,
            defer_reason: None,
            decision_id: None,
        })?;
        sum.agenda_items += 1;
    }

    ld.finish()?;
    Ok(sum)
}

/// What the per-case code hands back for the end of the load.
#[derive(Default)]
struct Accumulated {
    /// (session id, case id, decision id, defer reason index).
    past_agenda: Vec<(i64, i64, Option<i64>, Option<usize>)>,
    /// (session id, case id, member id).
    conflicts: Vec<(i64, i64, i64)>,
    /// Cases with an open ad-hoc request, first few.
    ad_hoc: Vec<i64>,
    /// Cases awaiting their first assessment, first few.
    first: Vec<i64>,
    /// (next review, case id) of active cases due within a few weeks.
    due: Vec<(NaiveDate, i64)>,
    decided: usize,
    /// ID-number sequences used so far, per (registration county, day of birth).
    id_seq: Vec<u8>,
}

fn at(day: NaiveDate, rng: &mut GenRng, from_hour: u32, to_hour: u32) -> NaiveDateTime {
    let h = rng.random_range(from_hour..to_hour);
    let m = rng.random_range(0..60);
    day.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("valid time"))
}

/// A day in `from..=to` (both included; `from` if the range is empty).
fn day_between(rng: &mut GenRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        from
    } else {
        from + Days::new(rng.random_range(0..=span) as u64)
    }
}

/// `n` days in `from..=to`, ascending.
fn days_between(rng: &mut GenRng, from: NaiveDate, to: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut v: Vec<NaiveDate> = (0..n).map(|_| day_between(rng, from, to)).collect();
    v.sort_unstable();
    v
}

fn carer_word(sketches: &[stories::GuardianSketch], story: Story) -> &'static str {
    match sketches
        .iter()
        .find(|g| g.status == GuardianStatus::Present)
    {
        Some(g) => g.word,
        None if story == Story::LeftBehind => "家中老人",
        None => "亲属",
    }
}

/// Writes one child with its case (and perhaps an earlier closed one); returns the number
/// of cases written (at most `room`).
fn one_child(
    rng: &mut GenRng,
    set: &Setting<'_>,
    ld: &mut Rows,
    acc: &mut Accumulated,
    sum: &mut GenSummary,
    room: usize,
) -> Result<usize> {
    let today = set.today;
    let w = &set.world;
    let story = set.stories.pick(rng);
    let fate = match rng.random_range(0..100) {
        0..70 => Fate::Decided,
        70..88 => Fate::Awaiting,
        _ => Fate::Screening,
    };

    // When things happened.
    let (opened_on, session) = match fate {
        Fate::Decided if !set.sessions.is_empty() => {
            let s = set.session_pick.pick(rng);
            let decided = set.sessions[s].held_on;
            (decided - Days::new(rng.random_range(14..=150)), Some(s))
        }
        Fate::Decided | Fate::Awaiting => (today - Days::new(rng.random_range(5..=90)), None),
        Fate::Screening => (today - Days::new(rng.random_range(1..=30)), None),
    };
    let fate = if fate == Fate::Decided && session.is_none() {
        Fate::Awaiting
    } else {
        fate
    };
    let decided_on = session.map(|s| set.sessions[s].held_on);
    // Nothing is dated today: "now" may be any time of today, and no report may lie
    // ahead of it.
    let yesterday = today - Days::new(1);
    let last_event = decided_on
        .map(|d| d - Days::new(1))
        .unwrap_or(yesterday)
        .max(opened_on);

    // The child.
    let age = set.ages.pick(rng);
    let hi = add_years(today, -(age as i32));
    let lo = add_years(today, -(age as i32 + 1)) + Days::new(1);
    let mut birth = day_between(rng, lo, hi);
    if birth > opened_on {
        birth = opened_on - Days::new(rng.random_range(0..30));
    }
    let birth = birth.max(add_years(today, -18) + Days::new(1));
    let sex = if rng.random_ratio(1, 2) {
        Sex::Male
    } else {
        Sex::Female
    };
    let sketches = story.guardians(rng);
    let surname = set.names.surname(rng);
    let name = set.names.child(rng, surname, sex);
    let village = rng.random_range(0..w.villages.len());
    let v = &w.villages[village];
    let t = &w.townships[v.township];
    let county_i = t.county;
    let county = &w.counties[county_i];
    let registered = if rng.random_ratio(88, 100) {
        village
    } else {
        // Registered elsewhere in the same city.
        let c = &w.counties[county_i];
        let same_city: Vec<usize> = (0..w.counties.len())
            .filter(|&i| w.counties[i].city == c.city)
            .collect();
        let other = &w.counties[pick(rng, &same_city)];
        let tw = &w.townships[rng.random_range(other.townships.clone())];
        rng.random_range(tw.villages.clone())
    };
    let reg_county = w.county_of(registered);
    let types = story.types(rng);
    let out_of_school = types.contains(&DifficultyType::OutOfSchool);
    let child_age = crate::domain::child::age_on(birth, today);
    let school = school_for(rng, w, village, child_age, out_of_school);
    let no_id = match story {
        Story::Abandoned => rng.random_ratio(1, 2),
        Story::Wandering => rng.random_ratio(15, 100),
        _ => rng.random_ratio(1, 100),
    };
    let id_number = if no_id {
        None
    } else {
        id_number(set, acc, reg_county, birth, sex)
    };
    let child = Child {
        id: 0,
        name,
        sex,
        birth_date: birth,
        id_number,
        household_registration: format!("辽宁省{}", w.path(registered)),
        address: w.address(rng, village),
        phone: (child_age >= 12 && rng.random_ratio(35, 100)).then(|| names::mobile(rng)),
        school,
        region: v.code.clone(),
    };
    let child_id = ld.add_child(child.clone());
    sum.children += 1;

    for (i, s) in sketches.iter().enumerate() {
        let g = guardian(rng, set, s, surname, county_i);
        ld.add_guardian(child_id, i, g);
        sum.guardians += 1;
    }
    let carer = carer_word(&sketches, story);
    let grade = stories::grade(child_age);
    let ctx = TextCtx {
        carer,
        school: child.school.as_deref(),
        grade,
        age: child_age,
    };

    let mut written = 0;
    // An earlier episode, closed.
    let earlier_open = opened_on - Days::new(rng.random_range(400..=1400));
    if room >= 2 && rng.random_ratio(3, 100) && earlier_open >= birth + Days::new(60) {
        let closed_on = earlier_open + Days::new(rng.random_range(30..=300));
        let ending = rng.random_range(0..3);
        let reason = [
            ClosingReason::RiskResolved,
            ClosingReason::MovedAway,
            ClosingReason::Other,
        ][ending];
        let case_id = ld.add_case(
            Case {
                id: 0,
                child_id,
                status: CaseStatus::Closed,
                types: types.clone(),
                opened_on: earlier_open,
                closed_on: Some(closed_on),
                closing_reason: Some(reason),
                level: None,
                next_review: None,
            },
            child.region.clone(),
            None,
        );
        let received = at(earlier_open, rng, 8, 18);
        add_report(
            rng, set, ld, sum, case_id, story, &ctx, received, village, &child,
        );
        let visit_day = day_between(rng, earlier_open, closed_on);
        let closing = Some(stories::CLOSED_NOTES[ending]);
        add_visit(
            rng,
            set,
            ld,
            sum,
            case_id,
            story,
            &ctx,
            visit_day,
            false,
            out_of_school,
            village,
            &sketches,
            closing,
        );
        written += 1;
        sum.closed += 1;
    }

    // The current episode. Decided cases get their decision worked out first, as the case
    // row carries its level and next review.
    let graded = match (fate, session) {
        (Fate::Decided, Some(s)) => grade_case(rng, set, story, s, opened_on),
        _ => None,
    };
    let fate = if fate == Fate::Decided && graded.is_none() {
        Fate::Awaiting
    } else {
        fate
    };
    let ad_hoc = match (&graded, decided_on) {
        (Some(_), Some(d)) if d + Days::new(7) < today => {
            acc.decided < 3 || rng.random_ratio(1, 200)
        }
        _ => false,
    };
    let status = match fate {
        Fate::Decided if ad_hoc => CaseStatus::AwaitingPanel,
        Fate::Decided => CaseStatus::Active,
        Fate::Awaiting => CaseStatus::AwaitingPanel,
        Fate::Screening => CaseStatus::Screening,
    };
    let level = graded.as_ref().and_then(|g| g.decision.final_level());
    let next_review = graded
        .as_ref()
        .and_then(|g| g.decision.next_review.as_ref().map(|r| r.date));
    let case_id = ld.add_case(
        Case {
            id: 0,
            child_id,
            status,
            types,
            opened_on,
            closed_on: None,
            closing_reason: None,
            level,
            next_review,
        },
        child.region.clone(),
        decided_on.filter(|_| graded.is_some()),
    );
    written += 1;
    match status {
        CaseStatus::Active => sum.active += 1,
        CaseStatus::AwaitingPanel => sum.awaiting_panel += 1,
        CaseStatus::Screening => sum.screening += 1,
        CaseStatus::Closed => sum.closed += 1,
    }

    // Reports: the first opened the case.
    let n_reports = 1 + usize::from(rng.random_ratio(2, 5)) + usize::from(rng.random_ratio(1, 6));
    let mut times = vec![at(opened_on, rng, 8, 20)];
    for day in days_between(rng, opened_on, last_event, n_reports - 1) {
        times.push(at(day, rng, 8, 20));
    }
    times.sort_unstable();
    for time in times {
        add_report(
            rng, set, ld, sum, case_id, story, &ctx, time, village, &child,
        );
    }

    // Home visits.
    let n_visits = 1 + usize::from(rng.random_ratio(1, 2));
    let visit_from = (opened_on + Days::new(1)).min(last_event);
    for (i, day) in days_between(rng, visit_from, last_event, n_visits)
        .into_iter()
        .enumerate()
    {
        add_visit(
            rng,
            set,
            ld,
            sum,
            case_id,
            story,
            &ctx,
            day,
            i > 0,
            out_of_school,
            village,
            &sketches,
            None,
        );
    }

    match graded {
        Some(mut g) => {
            let s = &set.sessions[g.session];
            let decided = s.held_on;
            g.decision.case_id = case_id;
            let police_id = if g.reportable {
                let p = PoliceReport {
                    reported_at: at(
                        day_between(rng, opened_on, decided - Days::new(1)),
                        rng,
                        9,
                        18,
                    ),
                    unit: police_station(w, village),
                    receipt: format!(
                        "{}公（未）受字〔{}〕{:05}号",
                        county.name.chars().next().unwrap_or('辽'),
                        decided.year(),
                        rng.random_range(1..30000)
                    ),
                };
                sum.police_reports += 1;
                Some(ld.add_police_report(case_id, p))
            } else {
                None
            };
            // Units named after the child's own county, township and village.
            for iv in &mut g.decision.interventions {
                iv.unit = local_unit(&iv.unit, w, village);
            }
            if let Some(m) = g.recused {
                acc.conflicts.push((s.id, case_id, m));
            }
            let sealed_at = decided.and_time(NaiveTime::from_hms_opt(15, 0, 0).expect("valid"))
                + chrono::Duration::minutes(rng.random_range(0..180));
            let decision_id = ld.add_decision(
                DecisionRow::new(&g.decision, police_id, sealed_at)?.with_progress(g.progress),
            );
            sum.decisions += 1;
            sum.interventions += g.decision.interventions.len();
            acc.decided += 1;
            acc.past_agenda
                .push((s.id, case_id, Some(decision_id), None));
            if ad_hoc {
                let day = day_between(rng, decided + Days::new(1), yesterday);
                let summary = stories::change_report(rng, story, &ctx);
                let report_id = ld.add_report(Report {
                    id: 0,
                    case_id,
                    received_at: at(day, rng, 8, 20),
                    channel: set.channels.pick(rng),
                    reporter: None,
                    summary: summary.clone(),
                });
                sum.reports += 1;
                let reason: String = summary.chars().take(200).collect();
                ld.add_review_request(case_id, day, reason, Some(report_id));
                sum.review_requests += 1;
                if acc.ad_hoc.len() < 10 {
                    acc.ad_hoc.push(case_id);
                }
            } else if let Some(date) = next_review
                && (date - today).num_days() <= 60
            {
                acc.due.push((date, case_id));
            }
        }
        None => {
            if status == CaseStatus::AwaitingPanel {
                if acc.first.len() < 10 {
                    acc.first.push(case_id);
                }
                // Some were on a past agenda and put off.
                if let Some(s) = set.sessions.last()
                    && s.held_on >= opened_on
                    && rng.random_ratio(15, 100)
                {
                    let reason = rng.random_range(0..stories::DEFER_REASONS.len());
                    acc.past_agenda.push((s.id, case_id, None, Some(reason)));
                }
            }
        }
    }
    Ok(written)
}

/// A decision worked out for a case before it is written.
struct Graded {
    session: usize,
    decision: Decision,
    /// Each intervention's status and note on `today`.
    progress: Vec<(InterventionStatus, String)>,
    reportable: bool,
    recused: Option<i64>,
}

/// Where an intervention stands on `today`. Those whose deadline (or, for "at once", the
/// decision) has passed were mostly carried out: about 87 % done, 4 % not done with the
/// reason, 9 % still open (so overdue); those not yet due are mostly planned or under way.
fn intervention_progress(
    rng: &mut GenRng,
    today: NaiveDate,
    decided_on: NaiveDate,
    iv: &Intervention,
) -> (InterventionStatus, String) {
    let due = iv.due.unwrap_or(decided_on);
    let note = |rng: &mut GenRng, notes: &[&str]| pick(rng, notes).to_string();
    let roll = rng.random_range(0..100);
    if due < today {
        match roll {
            0..87 => {
                let n = if rng.random_ratio(1, 3) {
                    note(rng, stories::DONE_NOTES)
                } else {
                    String::new()
                };
                (InterventionStatus::Done, n)
            }
            87..91 => (
                InterventionStatus::NotDone,
                note(rng, stories::NOT_DONE_NOTES),
            ),
            91..96 => (
                InterventionStatus::InProgress,
                note(rng, stories::IN_PROGRESS_NOTES),
            ),
            _ => (InterventionStatus::Planned, String::new()),
        }
    } else {
        match roll {
            0..55 => (InterventionStatus::Planned, String::new()),
            55..92 => (
                InterventionStatus::InProgress,
                note(rng, stories::IN_PROGRESS_NOTES),
            ),
            _ => (InterventionStatus::Done, note(rng, stories::DONE_NOTES)),
        }
    }
}

/// Scores the case on the catalogue and settles level, measures, review and vote.
fn grade_case(
    rng: &mut GenRng,
    set: &Setting<'_>,
    story: Story,
    s: usize,
    opened_on: NaiveDate,
) -> Option<Graded> {
    let cat = set.cat;
    let session = &set.sessions[s];
    let decided_on = session.held_on;

    // Answers: the story's likely indicators, each drawn; at least one met.
    let mut met: BTreeSet<&str> = BTreeSet::new();
    let candidates: Vec<(&str, u32)> = story
        .indicators()
        .iter()
        .copied()
        .filter(|(id, _)| cat.indicator(id).is_some())
        .collect();
    for &(id, pct) in &candidates {
        if rng.random_ratio(pct, 100) {
            met.insert(id);
        }
    }
    if met.is_empty() {
        let id = candidates
            .first()
            .map(|c| c.0)
            .or_else(|| cat.indicators.last().map(|i| i.id.as_str()))?;
        met.insert(id);
    }
    let evidence_day = day_between(rng, opened_on, decided_on);
    let mut answers = Answers::new();
    for ind in &cat.indicators {
        let answer = if met.contains(ind.id.as_str()) {
            Answer::Met
        } else if !ind.required && rng.random_ratio(3, 100) {
            Answer::Unknown
        } else {
            Answer::NotMet
        };
        let evidence = if answer == Answer::Met {
            format!(
                "{}（{}）",
                stories::evidence(&ind.id),
                evidence_day.format("%Y年%-m月%-d日")
            )
        } else {
            String::new()
        };
        answers.insert(ind.id.clone(), AnswerEntry { answer, evidence });
    }
    let computed = score(cat, &answers);
    let by = Some(set.member_ids[CHAIR]);
    let override_ = if rng.random_ratio(4, 100) {
        let (level, up) = match computed.level {
            Some(RiskLevel::L3) => (RiskLevel::L2, true),
            Some(RiskLevel::L2) => (RiskLevel::L3, false),
            Some(RiskLevel::L1) => (RiskLevel::L2, false),
            None => (RiskLevel::L3, true),
        };
        let reason = stories::override_reason(up);
        check_override(cat, &answers, &computed, level, reason)
            .ok()
            .map(|()| Override {
                level,
                reason: reason.into(),
                by,
            })
    } else {
        None
    };
    let assessment = Assessment {
        catalogue: cat.reference(),
        answers,
        computed,
        override_,
        by_member: Default::default(),
    };
    let level = assessment.final_level()?;

    // Measures from the level's menu, the story's favourites first.
    let menu: Vec<&InterventionDef> = cat.menu(level).collect();
    if menu.is_empty() {
        return None;
    }
    let mut prefs: Vec<&InterventionDef> = story
        .preferred_interventions()
        .iter()
        .filter_map(|id| menu.iter().copied().find(|m| m.id == *id))
        .collect();
    let n = if level == RiskLevel::L1 {
        2
    } else {
        1 + usize::from(rng.random_ratio(1, 2))
    };
    let mut chosen: Vec<&InterventionDef> = Vec::new();
    while chosen.len() < n.min(menu.len()) {
        let next = if !prefs.is_empty() && rng.random_ratio(4, 5) {
            let i = if prefs.len() > 1 && rng.random_ratio(1, 3) {
                1
            } else {
                0
            };
            prefs.remove(i)
        } else {
            pick(rng, &menu)
        };
        if !chosen.iter().any(|c| c.id == next.id) {
            chosen.push(next);
        }
    }
    let interventions = chosen
        .iter()
        .map(|d| Intervention {
            kind: d.id.clone(),
            unit: d
                .default_unit
                .clone()
                .unwrap_or_else(|| "未成年人保护中心".into()),
            due: rng.random_ratio(1, 2).then(|| {
                decided_on
                    .checked_add_months(Months::new(rng.random_range(1..=3)))
                    .expect("in range")
            }),
        })
        .collect();

    // Who votes: those present, less a member who declared a conflict now and then.
    let mut voting = session.present.clone();
    let mut recused = None;
    if voting.len() >= 4 && rng.random_ratio(15, 1000) {
        let chair = set.member_ids[CHAIR];
        let secretary = set.member_ids[SECRETARY];
        let options: Vec<i64> = voting
            .iter()
            .copied()
            .filter(|&m| m != chair && m != secretary)
            .collect();
        if !options.is_empty() {
            let m = pick(rng, &options);
            voting.retain(|&x| x != m);
            recused = Some(m);
        }
    }
    debug_assert!({
        let d: BTreeSet<Discipline> = set
            .member_disciplines
            .iter()
            .filter(|(id, _)| voting.contains(id))
            .map(|&(_, d)| d)
            .collect();
        voting.len() >= 3 && d.len() >= 2
    });
    let n_voting = voting.len() as u32;
    let (vote, dissent) = match rng.random_range(0..100) {
        0..7 if n_voting >= 3 => (
            Vote {
                for_: n_voting - 1,
                against: 1,
                abstain: 0,
            },
            pick(rng, stories::DISSENTS).to_string(),
        ),
        7..10 if n_voting >= 3 => (
            Vote {
                for_: n_voting - 1,
                against: 0,
                abstain: 1,
            },
            String::new(),
        ),
        _ => (
            Vote {
                for_: n_voting,
                against: 0,
                abstain: 0,
            },
            String::new(),
        ),
    };
    let reportable = !reportable_met(cat, &assessment.answers).is_empty();
    let next = set.review.next_review(decided_on, Some(level));
    let decision = Decision {
        id: 0,
        case_id: 0,
        session_id: Some(session.id),
        decided_on,
        assessment,
        interventions,
        next_review: Some(NextReview {
            date: next,
            kind: ReviewKind::Annual,
        }),
        vote,
        dissent,
        voting_members: voting,
        recused: recused.into_iter().collect(),
        police_report: None,
        amends: None,
        amend_reason: String::new(),
        status: DecisionStatus::Sealed,
        sealed_at: None,
    };
    let progress = decision
        .interventions
        .iter()
        .map(|iv| intervention_progress(rng, set.today, decided_on, iv))
        .collect();
    Some(Graded {
        session: s,
        decision,
        progress,
        reportable,
        recused,
    })
}

/// A unique, valid ID number for a child registered in county `county`; None in the
/// practically impossible case of 250 children of one county born on one day.
fn id_number(
    set: &Setting<'_>,
    acc: &mut Accumulated,
    county: usize,
    birth: NaiveDate,
    sex: Sex,
) -> Option<IdNumber> {
    let day = (set.today - birth).num_days();
    let day = usize::try_from(day).ok().filter(|&d| d < ID_DAYS)?;
    let slot = county * ID_DAYS + day;
    let used = &mut acc.id_seq[slot];
    if *used >= 250 {
        return None;
    }
    // Spread the numbers: a fixed offset per county and day, then one more per child.
    let k = ((county * 37 + day * 11) % 250) as u16 + u16::from(*used);
    *used += 1;
    let code = &set.world.counties[county].code;
    Some(IdNumber::build(code, birth, 2 * k, sex))
}

fn guardian(
    rng: &mut GenRng,
    set: &Setting<'_>,
    s: &stories::GuardianSketch,
    child_surname: &'static str,
    county: usize,
) -> Guardian {
    let same_surname = match s.relation {
        Relation::Father => rng.random_ratio(95, 100),
        Relation::Grandparent => s.word == "爷爷",
        Relation::OtherRelative => s.word == "姑姑" || s.word == "叔叔",
        _ => false,
    };
    let name = if s.relation == Relation::Institution {
        format!("{}儿童福利院", set.world.counties[county].city)
    } else {
        let surname = if same_surname {
            child_surname
        } else {
            set.names.surname(rng)
        };
        set.names.adult(rng, surname, s.sex)
    };
    let reachable = !matches!(
        s.status,
        GuardianStatus::Deceased | GuardianStatus::InPrison | GuardianStatus::WhereaboutsUnknown
    );
    let phone = (reachable && rng.random_ratio(85, 100)).then(|| names::mobile(rng));
    Guardian {
        name,
        relation: s.relation,
        status: s.status,
        phone,
    }
}

fn school_for(
    rng: &mut GenRng,
    w: &World,
    village: usize,
    age: u32,
    out_of_school: bool,
) -> Option<String> {
    let t = &w.townships[w.villages[village].township];
    let county = &w.counties[t.county].name;
    let rural = t.kind != TownKind::Street;
    match stories::age_band(age) {
        0 => None,
        _ if out_of_school && age >= 6 => None,
        1 => rng.random_ratio(3, 5).then(|| {
            if rural {
                format!("{}中心幼儿园", t.name)
            } else {
                format!(
                    "{}{}幼儿园",
                    county,
                    pick(rng, &["实验", "第一", "第二", "机关"])
                )
            }
        }),
        2 => Some(if rural {
            format!("{}中心小学", t.name)
        } else if rng.random_ratio(1, 3) {
            format!("{}实验小学", county)
        } else {
            format!("{}第{}小学", county, pick(rng, &NUMERALS))
        }),
        3 => Some(if rural && rng.random_ratio(2, 3) {
            format!("{}中学", t.name)
        } else {
            format!("{}第{}中学", county, pick(rng, &NUMERALS[..8]))
        }),
        _ => rng
            .random_ratio(7, 10)
            .then(|| match rng.random_range(0..3) {
                0 => format!("{}高级中学", county),
                1 => format!("{}第{}高级中学", county, pick(rng, &NUMERALS[..4])),
                _ => format!("{}职业教育中心", county),
            }),
    }
}

fn police_station(w: &World, village: usize) -> String {
    let t = &w.townships[w.villages[village].township];
    let c = &w.counties[t.county];
    let bureau = match c.name.strip_suffix('区') {
        Some(district) => format!("{}公安局{}分局", c.city, district),
        None => format!("{}公安局", c.name),
    };
    format!("{bureau}{}派出所", t.stem)
}

/// Names a catalogue's generic responsible unit after the child's own places:
/// 县（市、区）民政局 → 新民市民政局, 村（居）民委员会 → 红旗村村民委员会.
fn local_unit(unit: &str, w: &World, village: usize) -> String {
    let v = &w.villages[village];
    let t = &w.townships[v.township];
    let c = &w.counties[t.county];
    if let Some(rest) = unit.strip_prefix("县（市、区）") {
        return format!("{}{rest}", c.name);
    }
    match unit {
        "村（居）民委员会" => format!(
            "{}{}",
            v.name,
            if v.community {
                "居民委员会"
            } else {
                "村民委员会"
            }
        ),
        "社区儿童服务中心" => format!("{}社区儿童服务中心", t.name),
        "未成年人保护中心" | "法律援助中心" => format!("{}{unit}", c.name),
        "儿童福利机构" => format!("{}儿童福利院", c.city),
        other => other.to_owned(),
    }
}

fn reporter(
    rng: &mut GenRng,
    set: &Setting<'_>,
    channel: Channel,
    village: usize,
    child: &Child,
) -> Option<String> {
    let w = &set.world;
    let v = &w.villages[village];
    let t = &w.townships[v.township];
    let c = &w.counties[t.county];
    let person = |rng: &mut GenRng| {
        let s = set.names.surname(rng);
        let sex = if rng.random_ratio(1, 2) {
            Sex::Male
        } else {
            Sex::Female
        };
        set.names.adult(rng, s, sex)
    };
    Some(match channel {
        Channel::CommunityOfficer => format!("{}未保专干{}", t.name, set.officers[v.township][0]),
        Channel::AssistanceInfoOfficer => format!("社区救助信息员{}", person(rng)),
        Channel::Volunteer => format!("志愿者{}", person(rng)),
        Channel::Resident => {
            if rng.random_ratio(1, 2) {
                return None;
            }
            format!("居民{}", person(rng))
        }
        Channel::NightGuard => format!("小区保安{}", person(rng)),
        Channel::Teacher => match &child.school {
            Some(s) => format!("{s}教师{}", person(rng)),
            None => format!("教师{}", person(rng)),
        },
        Channel::Doctor => format!("{}人民医院医生{}", c.name, person(rng)),
        Channel::CommunityWorker => format!(
            "{}{}",
            v.name,
            if v.community {
                "居委会"
            } else {
                "村委会"
            }
        ),
        Channel::RelativeFriend => format!("亲属{}", person(rng)),
        Channel::CentrePatrol => "中心巡查组".to_owned(),
        Channel::Hotline | Channel::Other => return None,
        Channel::Police => police_station(w, village),
        Channel::Justice => format!("{}司法局", c.name),
        Channel::Court => format!("{}人民法院", c.name),
        Channel::Procuratorate => format!("{}人民检察院", c.name),
        Channel::WomensFederation => format!("{}妇联", c.name),
    })
}

#[allow(clippy::too_many_arguments)]
fn add_report(
    rng: &mut GenRng,
    set: &Setting<'_>,
    ld: &mut Rows,
    sum: &mut GenSummary,
    case_id: i64,
    story: Story,
    ctx: &TextCtx<'_>,
    received_at: NaiveDateTime,
    village: usize,
    child: &Child,
) {
    let channel = set.channels.pick(rng);
    let r = Report {
        id: 0,
        case_id,
        received_at,
        channel,
        reporter: reporter(rng, set, channel, village, child),
        summary: stories::report_summary(rng, story, channel.code(), ctx),
    };
    ld.add_report(r);
    sum.reports += 1;
}

#[allow(clippy::too_many_arguments)]
fn add_visit(
    rng: &mut GenRng,
    set: &Setting<'_>,
    ld: &mut Rows,
    sum: &mut GenSummary,
    case_id: i64,
    story: Story,
    ctx: &TextCtx<'_>,
    visited_on: NaiveDate,
    follow_up: bool,
    out_of_school: bool,
    village: usize,
    sketches: &[stories::GuardianSketch],
    closing: Option<&str>,
) {
    let w = &set.world;
    let v = &w.villages[village];
    let t = &w.townships[v.township];
    let [a, b] = &set.officers[v.township];
    let visitors = if rng.random_ratio(2, 3) {
        format!("{}未保专干{a}、儿童主任{b}", t.name)
    } else {
        format!("中心社工{b}、{}儿童主任{a}", v.name)
    };
    let place = match rng.random_range(0..10) {
        0 => format!(
            "{}{}",
            v.name,
            if v.community {
                "居委会"
            } else {
                "村委会"
            }
        ),
        1 if ctx.school.is_some() => ctx.school.unwrap_or_default().to_owned(),
        _ => "儿童家中".to_owned(),
    };
    let people_met = match sketches
        .iter()
        .find(|g| g.status == GuardianStatus::Present)
    {
        Some(g) => format!("{}、儿童本人", g.word),
        None => format!("{}、儿童本人", ctx.carer),
    };
    let mut notes = stories::visit_notes(rng, story, ctx, follow_up, out_of_school);
    if let Some(c) = closing {
        notes.push_str("\n\n结案说明：");
        notes.push_str(c);
    }
    ld.add_visit(HomeVisit {
        id: 0,
        case_id,
        visited_on,
        visitors,
        place,
        people_met,
        notes,
    });
    sum.visits += 1;
}
