//! The re-review queue (复评队列): every open case that needs the panel, and when.
//!
//! A case is on the queue when it has an open ad-hoc request (临时复评), awaits the panel
//! (its first assessment, or back before the panel after a reopening), or is active with a
//! review due by the horizon: the next review the latest decision set, or, for a child who
//! turns 18 on or before it, a closing review on the 18th birthday
//! ([`crate::domain::review::closing_review`]). Closed cases never appear.
//!
//! Order: ad-hoc first, then by level (level 1 first, no level last), then urgency (the
//! oldest date first: request raised, review due, case opened). Lists are windowed.
//!
//! Also here: the progress of interventions (跟踪回访) and the overdue ones.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter, types::Value};
use std::collections::HashMap;

use super::queries::region_range;
use super::{Result, StoreError, code, regions};
use crate::domain::case::case_number;
use crate::domain::decision::InterventionStatus;
use crate::domain::difficulty::DifficultyType;
use crate::domain::level::RiskLevel;
use crate::domain::review::ReviewRules;
use crate::domain::visit::HomeVisit;
use crate::i18n::{self, Lang};
use crate::privacy::mask_name;
use crate::text::sanitize;

/// Why a case is on the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// An open ad-hoc re-review request (by hand, or by a new report on an active case).
    AdHoc,
    /// Never assessed: awaiting its first panel.
    First,
    /// Assessed before and back before the panel (e.g. reopened after closing).
    Returned,
    /// The child turns 18 on or before the next review: a closing review is due.
    Closing,
    /// The routine (annual or per-level) review is due or overdue.
    Due,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::AdHoc => "ad_hoc",
            Reason::First => "first",
            Reason::Returned => "returned",
            Reason::Closing => "closing",
            Reason::Due => "due",
        }
    }

    fn from_code(s: &str) -> Reason {
        match s {
            "ad_hoc" => Reason::AdHoc,
            "first" => Reason::First,
            "returned" => Reason::Returned,
            "closing" => Reason::Closing,
            _ => Reason::Due,
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        i18n::t(
            lang,
            match self {
                Reason::AdHoc => "queue.reason.ad_hoc",
                Reason::First => "queue.reason.first",
                Reason::Returned => "queue.reason.returned",
                Reason::Closing => "queue.reason.closing",
                Reason::Due => "queue.reason.due",
            },
        )
    }
}

/// What the queue is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Routine reviews due within this many days from today (overdue ones included).
    /// `None` takes the rules' window (`[review] window_days`): exactly the reviews whose
    /// window has opened.
    pub within_days: Option<u32>,
    /// Only reviews past their due date.
    pub overdue_only: bool,
    /// A region code at any of the four levels: the case's region must be in its subtree.
    pub region: Option<String>,
    pub level: Option<RiskLevel>,
    pub difficulty: Option<DifficultyType>,
}

/// One line of the queue. `name` is the child's full name, for the screens that may show
/// it; every export uses [`QueueItem::masked_name`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub case_id: i64,
    pub name: String,
    pub region: String,
    /// `沈阳市 新民市 兴隆镇 …`, from the city down.
    pub region_names: String,
    pub level: Option<RiskLevel>,
    pub reason: Reason,
    /// An open ad-hoc request, whatever the main reason.
    pub ad_hoc: bool,
    /// The first open ad-hoc request's reason.
    pub ad_hoc_reason: Option<String>,
    /// When the review is due: the routine review, or the 18th birthday for a closing
    /// review. None for a case never assessed.
    pub due: Option<NaiveDate>,
    /// Days past `due` (0 when not overdue).
    pub days_overdue: i64,
    /// The child turns 18 on or before the next review.
    pub turns_18: bool,
    /// Interventions of the case past their deadline and not done (跟踪回访逾期).
    pub overdue_interventions: usize,
}

impl QueueItem {
    pub fn case_number(&self) -> String {
        case_number(self.case_id)
    }

    pub fn masked_name(&self) -> String {
        mask_name(&self.name)
    }
}

/// The next review by the rules for a case decided without a date (`?3` months after the
/// decision, month ends clamped as [`ReviewRules::next_review`] clamps them).
const RULES_DUE: &str = "min(date(k.last_decided_on, '+' || ?3 || ' months'),
    date(k.last_decided_on, 'start of month', '+' || (?3 + 1) || ' months', '-1 day'))";

/// When the case is due: `due_on`, the stored copy of `review_due` (the next review, or the 18th birthday
/// when that comes first), or for a case decided without a date the rules' interval,
/// again capped by the 18th birthday. NULL for a case never assessed.
fn due_sql() -> String {
    format!(
        "coalesce(k.due_on, CASE WHEN k.last_decided_on IS NOT NULL THEN
            min({RULES_DUE}, coalesce(k.adult_on, {RULES_DUE})) END)"
    )
}

/// The next review, before the 18th birthday is considered.
fn next_due_sql() -> String {
    format!("coalesce(k.next_review, CASE WHEN k.last_decided_on IS NOT NULL THEN {RULES_DUE} END)")
}

/// The queue as a union of parts ("arms"), each of which an index hands over in queue
/// order, so a window of the queue reads about `offset + limit` rows per arm and a count
/// reads index entries only:
///
/// - ad-hoc: cases with an open request (few), sorted;
/// - one arm per level (1, 2, 3, none): active cases whose `due_on` is within the
///   horizon (`case_due`: status, level, due_on, types, region);
/// - first assessments: awaiting the panel, never decided, in the order opened
///   (`case_waiting`);
/// - returned: awaiting the panel after a decision (few), sorted;
/// - undated: active cases decided without a next review (from paper records; few),
///   due by the rules' interval, sorted.
///
/// The arms other than ad-hoc leave out cases with an open request (those are ad-hoc):
/// `adhoc_since IS NULL`, read from the same indexes.
struct Arms {
    /// `(select, order)`: each select gives `id, g, lv, u` (group: 0 ad-hoc, 1 other;
    /// level 1–4, 4 for none; urgency date) with `k` the case.
    ad_hoc: (String, &'static str),
    others: Vec<(String, &'static str)>,
    /// Per arm of `others`: whether `queue_tally` counts it (the routine reviews per level
    /// and the first assessments).
    tallied: Vec<bool>,
    /// The union of the other arms' conditions, for the count's overlap term.
    others_cond: String,
}

/// The filters of `filter` that do not depend on dates (region, level, type) as SQL
/// conditions on the case `k`, each starting with " AND ", their values pushed on `args`.
fn filter_sql(filter: &QueueFilter, args: &mut Vec<Value>) -> String {
    let mut filters = String::new();
    if let Some(r) = &filter.region {
        let (lo, hi) = region_range(r);
        args.push(Value::Text(lo));
        args.push(Value::Text(hi));
        filters.push_str(&format!(
            " AND k.region >= ?{} AND k.region < ?{}",
            args.len() - 1,
            args.len()
        ));
    }
    if let Some(l) = filter.level {
        args.push(Value::Integer(l.number().into()));
        filters.push_str(&format!(" AND k.level = ?{}", args.len()));
    }
    if let Some(t) = filter.difficulty {
        // The case's types as a bit set (`case_file.types`), read from the queue's indexes.
        args.push(Value::Integer(type_bits(&[t])));
        filters.push_str(&format!(" AND k.types & ?{} != 0", args.len()));
    }
    filters
}

/// A set of difficulty types as the bit set stored in `case_file.types`: bit `i` for the
/// `i`-th type of [`DifficultyType::ALL`] (the view `difficulty_bit` of migration 7 says
/// the same; a test holds them together).
pub fn type_bits(types: &[DifficultyType]) -> i64 {
    types.iter().fold(0i64, |bits, t| {
        let i = DifficultyType::ALL
            .iter()
            .position(|x| x == t)
            .expect("every type is in ALL");
        bits | (1i64 << i)
    })
}

fn arms(filter: &QueueFilter, args: &mut Vec<Value>) -> Arms {
    let filters = filter_sql(filter, args);
    let due = due_sql();
    let overdue = filter.overdue_only;
    // ?1 today, ?2 horizon.
    let bound = if overdue { "< ?1" } else { "<= ?2" };
    let ad_hoc = (
        // `adhoc_since`: the oldest open request, kept on the case by triggers; the
        // partial index `case_adhoc` holds these few cases with all the arm reads. Named,
        // because the count's overlap term (this arm AND any other arm's condition, an OR)
        // would otherwise be planned as a multi-index OR over every active case.
        format!(
            "SELECT k.id AS id, 0 AS g, coalesce(k.level, 4) AS lv, k.adhoc_since AS u
             FROM case_file k INDEXED BY case_adhoc
             WHERE k.adhoc_since IS NOT NULL AND k.status != 'closed'{}{filters}",
            if overdue {
                format!(" AND k.status != 'screening' AND {due} < ?1")
            } else {
                String::new()
            }
        ),
        "lv, u, id",
    );
    let mut others = Vec::new();
    let mut tallied = Vec::new();
    let mut conds = Vec::new();
    for lv in [Some(1u8), Some(2), Some(3), None] {
        if filter.level.is_some() && filter.level.map(RiskLevel::number) != lv {
            continue;
        }
        let level = match lv {
            Some(n) => format!("k.level = {n}"),
            None => "k.level IS NULL".into(),
        };
        let cond = format!("k.status = 'active' AND {level} AND k.due_on {bound}");
        others.push((
            format!(
                "SELECT k.id AS id, 1 AS g, {} AS lv, k.due_on AS u FROM case_file k
                 WHERE {cond}{filters}",
                lv.unwrap_or(4)
            ),
            "u, id",
        ));
        tallied.push(true);
    }
    conds.push(format!("(k.status = 'active' AND k.due_on {bound})"));
    if !overdue {
        let cond = "k.status = 'awaiting_panel' AND k.last_decided_on IS NULL";
        // A case never decided has no level (the store sets both together), so these all
        // sort as "no level" and the index's order (opened, id) is the queue's.
        others.push((
            format!(
                "SELECT k.id AS id, 1 AS g, coalesce(k.level, 4) AS lv, k.opened_on AS u
                 FROM case_file k WHERE {cond}{filters}"
            ),
            "u, id",
        ));
        tallied.push(true);
        conds.push(format!("({cond})"));
    }
    let cond = format!(
        "k.status = 'awaiting_panel' AND k.last_decided_on IS NOT NULL{}",
        if overdue {
            format!(" AND {due} < ?1")
        } else {
            String::new()
        }
    );
    others.push((
        format!(
            "SELECT k.id AS id, 1 AS g, coalesce(k.level, 4) AS lv, coalesce({due}, k.opened_on) AS u
             FROM case_file k WHERE {cond}{filters}"
        ),
        "lv, u, id",
    ));
    tallied.push(false);
    conds.push(format!("({cond})"));
    // `+`: found through (status, next_review IS NULL) on `case_overdue` — a few rows —
    // and not through `last_decided_on`, which every active case has.
    let cond = format!(
        "k.status = 'active' AND k.next_review IS NULL AND +k.last_decided_on IS NOT NULL
         AND {due} {bound}"
    );
    others.push((
        format!(
            "SELECT k.id AS id, 1 AS g, coalesce(k.level, 4) AS lv, {due} AS u
             FROM case_file k WHERE {cond}{filters}"
        ),
        "lv, u, id",
    ));
    tallied.push(false);
    conds.push(format!("({cond})"));
    Arms {
        ad_hoc,
        others,
        tallied,
        others_cond: conds.join(" OR "),
    }
}

fn base_args(today: NaiveDate, rules: &ReviewRules, filter: &QueueFilter) -> Vec<Value> {
    let within = filter.within_days.unwrap_or(rules.window_days);
    let horizon = today + chrono::Days::new(u64::from(within));
    vec![
        Value::Text(today.to_string()),
        Value::Text(horizon.to_string()),
        Value::Integer(rules.no_level_months.into()),
    ]
}

/// The statement behind [`list`] and its arguments.
fn list_statement(
    today: NaiveDate,
    rules: &ReviewRules,
    filter: &QueueFilter,
    offset: usize,
    limit: usize,
) -> (String, Vec<Value>) {
    let mut args = base_args(today, rules, filter);
    let a = arms(filter, &mut args);
    args.push(Value::Integer(offset.saturating_add(limit) as i64));
    let n = args.len();
    args.push(Value::Integer(limit as i64));
    let l = args.len();
    args.push(Value::Integer(offset as i64));
    let o = args.len();
    let mut parts = vec![format!(
        "SELECT * FROM ({} ORDER BY {} LIMIT ?{n})",
        a.ad_hoc.0, a.ad_hoc.1
    )];
    for (sel, order) in &a.others {
        parts.push(format!(
            "SELECT * FROM ({sel} AND k.adhoc_since IS NULL ORDER BY {order} LIMIT ?{n})"
        ));
    }
    let keys = format!(
        "{} ORDER BY g, lv, u, id LIMIT ?{l} OFFSET ?{o}",
        parts.join("\n UNION ALL ")
    );
    (items_sql(&keys), args)
}

/// Each case of `keys` (id, g, lv, u: g 0 for an open ad-hoc request) as a queue item, in
/// (g, lv, u, id) order: why it is before the panel, when it is due, and the rest of
/// [`QueueItem`]. Arguments ?1 today and ?3 the months without a level ([`base_args`]).
fn items_sql(keys: &str) -> String {
    let due = due_sql();
    let next_due = next_due_sql();
    format!(
        "WITH keys AS ({keys}),
         items AS (
            SELECT keys.g, keys.lv, keys.u, k.id, c.name, k.region, k.level, k.status,
                k.last_decided_on, {due} AS due,
                ({next_due}) IS NOT NULL AND k.adult_on <= ({next_due}) AS turns_18,
                (SELECT q.reason FROM review_request q WHERE q.case_id = k.id AND q.resolved_by IS NULL
                    ORDER BY q.raised_on, q.id LIMIT 1) AS adhoc_reason
            FROM keys JOIN case_file k ON k.id = keys.id JOIN child c ON c.id = k.child_id)
         SELECT id, name, region, level,
             CASE WHEN g = 0 THEN 'ad_hoc'
                  WHEN last_decided_on IS NULL THEN 'first'
                  WHEN status = 'awaiting_panel' THEN 'returned'
                  WHEN turns_18 THEN 'closing'
                  ELSE 'due' END,
             g = 0, adhoc_reason, due, turns_18,
             CASE WHEN due < ?1 THEN CAST(julianday(?1) - julianday(due) AS INTEGER) ELSE 0 END,
             -- `+`: by the case's decisions, not by every overdue intervention.
             (SELECT count(*) FROM decision d JOIN intervention i ON i.decision_id = d.id
                 WHERE d.case_id = items.id AND d.status = 'sealed'
                   AND +i.status IN ('planned', 'in_progress') AND +i.due < ?1)
         FROM items ORDER BY g, lv, u, id"
    )
}

/// The queue on `today`: `limit` items from `offset`, in queue order.
pub fn list(
    c: &Connection,
    today: NaiveDate,
    rules: &ReviewRules,
    filter: &QueueFilter,
    offset: usize,
    limit: usize,
) -> Result<Vec<QueueItem>> {
    let (sql, args) = list_statement(today, rules, filter, offset, limit);
    read_items(c, &sql, args)
}

/// The cases `ids` as the queue sees them on `today` — why each is before the panel, when
/// it is due — whether or not they are in the queue's window (e.g. a session's agenda), in
/// queue order.
pub fn items(
    c: &Connection,
    today: NaiveDate,
    rules: &ReviewRules,
    ids: &[i64],
) -> Result<Vec<QueueItem>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = base_args(today, rules, &QueueFilter::default());
    let first = args.len() + 1;
    let marks: Vec<String> = (first..first + ids.len())
        .map(|i| format!("?{i}"))
        .collect();
    args.extend(ids.iter().map(|&id| Value::Integer(id)));
    let keys = format!(
        "SELECT k.id AS id, CASE WHEN k.adhoc_since IS NOT NULL THEN 0 ELSE 1 END AS g,
                coalesce(k.level, 4) AS lv, k.due_on AS u
         FROM case_file k WHERE k.id IN ({})",
        marks.join(", ")
    );
    read_items(c, &items_sql(&keys), args)
}

/// Runs an [`items_sql`] statement; names each item's region.
fn read_items(c: &Connection, sql: &str, args: Vec<Value>) -> Result<Vec<QueueItem>> {
    let mut st = c.prepare_cached(sql)?;
    let rows = st.query_map(params_from_iter(args), |r| {
        let level: Option<u8> = r.get(3)?;
        let reason: String = r.get(4)?;
        Ok(QueueItem {
            case_id: r.get(0)?,
            name: r.get(1)?,
            region: r.get(2)?,
            region_names: String::new(),
            level: level.and_then(RiskLevel::from_number),
            reason: Reason::from_code(&reason),
            ad_hoc: r.get(5)?,
            ad_hoc_reason: r.get(6)?,
            due: r.get(7)?,
            turns_18: r.get(8)?,
            days_overdue: r.get(9)?,
            overdue_interventions: r.get::<_, i64>(10)? as usize,
        })
    })?;
    let mut items: Vec<QueueItem> = rows.collect::<rusqlite::Result<_>>()?;
    let mut names: HashMap<String, String> = HashMap::new();
    for it in &mut items {
        if !names.contains_key(&it.region) {
            names.insert(it.region.clone(), regions::path_name(c, &it.region)?);
        }
        it.region_names = names[&it.region].clone();
    }
    Ok(items)
}

/// The `queue_tally` area that stands for a region filter: `''` for none, the first four
/// digits of a city, the six of a county; None below a county (the tally does not go there).
pub(crate) fn tally_area(c: &Connection, region: Option<&str>) -> Result<Option<String>> {
    use crate::domain::region::RegionLevel;
    let Some(r) = region else {
        return Ok(Some(String::new()));
    };
    Ok(match regions::get(c, r)?.map(|r| r.level) {
        Some(RegionLevel::City) if r.len() == 6 => Some(r[..4].to_string()),
        Some(RegionLevel::County) if r.len() == 6 => Some(r.to_string()),
        _ => None,
    })
}

/// The statement behind [`count`] and its arguments. `area`: the tally's area for the
/// filter's region ([`tally_area`]); without one every arm is counted on its index.
fn count_statement(
    today: NaiveDate,
    rules: &ReviewRules,
    filter: &QueueFilter,
    area: Option<&str>,
) -> (String, Vec<Value>) {
    let mut args = base_args(today, rules, filter);
    let a = arms(filter, &mut args);
    let mut terms = vec![format!("(SELECT count(*) FROM ({}))", a.ad_hoc.0)];
    for ((sel, _), tallied) in a.others.iter().zip(&a.tallied) {
        if !(tallied & area.is_some()) {
            terms.push(format!("(SELECT count(*) FROM ({sel}))"));
        }
    }
    if let Some(area) = area {
        // Routine reviews due by the bound (before today, or by the horizon): the months
        // before the bound's month, then the days of its month up to the bound.
        let bound = if filter.overdue_only {
            today
        } else {
            today + chrono::Days::new(u64::from(filter.within_days.unwrap_or(rules.window_days)))
        };
        let op = if filter.overdue_only { "<" } else { "<=" };
        let mut push = |v: Value| {
            args.push(v);
            args.len()
        };
        let t = push(Value::Text(
            filter.difficulty.map(|t| t.code()).unwrap_or("").into(),
        ));
        let ar = push(Value::Text(area.into()));
        let m = push(Value::Text(bound.format("%Y-%m").to_string()));
        let m1 = push(Value::Text(bound.format("%Y-%m-01").to_string()));
        let b = push(Value::Text(bound.to_string()));
        let level = match filter.level {
            Some(l) => format!(" AND level = {}", l.number()),
            None => String::new(),
        };
        let from = format!("FROM queue_tally WHERE type = ?{t} AND area = ?{ar}");
        terms.push(format!(
            "(SELECT coalesce(sum(n), 0) {from} AND kind = 'm' AND bucket < ?{m}{level})"
        ));
        terms.push(format!(
            "(SELECT coalesce(sum(n), 0) {from} AND kind = 'd' AND bucket >= ?{m1} AND bucket {op} ?{b}{level})"
        ));
        if !filter.overdue_only {
            terms.push(format!(
                "(SELECT coalesce(sum(n), 0) {from} AND kind = 'f' AND bucket = ''{level})"
            ));
        }
    }
    // On `case_adhoc` again: the ad-hoc cases that another arm holds as well.
    let overlap = format!(
        "(SELECT count(*) FROM ({} AND ({})))",
        a.ad_hoc.0, a.others_cond
    );
    (format!("SELECT {} - {overlap}", terms.join(" + ")), args)
}

/// How many items [`list`] would give without a window: the arms' counts, less the
/// ad-hoc cases that another arm counts as well (each case is one item).
pub fn count(
    c: &Connection,
    today: NaiveDate,
    rules: &ReviewRules,
    filter: &QueueFilter,
) -> Result<usize> {
    let area = tally_area(c, filter.region.as_deref())?;
    let (sql, args) = count_statement(today, rules, filter, area.as_deref());
    let n: i64 = c
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args), |r| r.get(0))?;
    Ok(n as usize)
}

/// The query plans of the queue's arms (`EXPLAIN QUERY PLAN`, one block per arm) and of
/// the whole window [`list`] reads, for the
/// benchmark notes and the tests that keep them on their indexes.
pub fn explain(
    c: &Connection,
    today: NaiveDate,
    rules: &ReviewRules,
    filter: &QueueFilter,
) -> Result<String> {
    let mut out = String::new();
    let mut args = base_args(today, rules, filter);
    let a = arms(filter, &mut args);
    let mut parts = vec![(a.ad_hoc.0.clone(), a.ad_hoc.1)];
    parts.extend(
        a.others
            .iter()
            .map(|(s, o)| (format!("{s} AND k.adhoc_since IS NULL"), *o)),
    );
    for (sel, order) in parts {
        let sql = format!("{sel} ORDER BY {order} LIMIT 1000");
        out.push_str(&super::explain_plan(c, &sql, &args)?);
        out.push('\n');
    }
    let (sql, args) = list_statement(today, rules, filter, 0, 1000);
    out.push_str("-- the whole window\n");
    out.push_str(&super::explain_plan(c, &sql, &args)?);
    let area = tally_area(c, filter.region.as_deref())?;
    let (sql, args) = count_statement(today, rules, filter, area.as_deref());
    out.push_str("-- the count\n");
    out.push_str(&super::explain_plan(c, &sql, &args)?);
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Interventions and follow-ups (跟踪回访).

/// Records the progress of one intervention of a decision (by its position in the
/// decision, from 0). Only the status and the note change, even on a sealed decision; a
/// "not done" needs a note saying why.
pub fn set_intervention_status(
    c: &Connection,
    decision_id: i64,
    position: usize,
    status: InterventionStatus,
    note: &str,
) -> Result<()> {
    let note = sanitize(note);
    if status == InterventionStatus::NotDone && note.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an intervention not done needs a note saying why (未完成原因)".into(),
        ));
    }
    let n = c
        .prepare_cached("UPDATE intervention SET status = ?3, note = ?4 WHERE decision_id = ?1 AND position = ?2")?
        .execute(params![decision_id, position as i64, status.code(), note])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "intervention {position} of decision {decision_id}"
        )));
    }
    Ok(())
}

/// Records a follow-up visit (跟踪回访) on intervention `position` (from 0) of the sealed
/// decision `decision_id`: a home visit on the decision's case, linked to the
/// intervention. Returns the visit's id. The intervention itself does not change (its
/// progress is [`set_intervention_status`]).
pub fn record_follow_up(
    c: &Connection,
    decision_id: i64,
    position: usize,
    visit: &HomeVisit,
) -> Result<i64> {
    let found: Option<(i64, i64)> = c
        .prepare_cached(
            "SELECT i.id, d.case_id FROM intervention i JOIN decision d ON d.id = i.decision_id
             WHERE i.decision_id = ?1 AND i.position = ?2 AND d.status = 'sealed'",
        )?
        .query_row(params![decision_id, position as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((iv, case_id)) = found else {
        return Err(StoreError::NotFound(format!(
            "intervention {position} of sealed decision {decision_id}"
        )));
    };
    if visit.case_id != case_id {
        return Err(StoreError::Invalid(format!(
            "the follow-up visit is on case {}, the intervention on case {case_id}",
            visit.case_id
        )));
    }
    let id = super::reports::insert_visit(c, visit)?;
    c.prepare_cached("UPDATE visit SET intervention_id = ?2 WHERE id = ?1")?
        .execute(params![id, iv])?;
    Ok(id)
}

/// The follow-up visits of a case's interventions: `(decision id, position, visits
/// newest first)` for each intervention with at least one.
pub fn follow_up_visits(c: &Connection, case_id: i64) -> Result<Vec<(i64, usize, Vec<HomeVisit>)>> {
    let mut st = c.prepare_cached(
        "SELECT i.decision_id, i.position, v.id, v.case_id, v.visited_on, v.visitors, v.place,
            v.people_met, v.notes
         FROM visit v JOIN intervention i ON i.id = v.intervention_id
         WHERE v.case_id = ?1
         ORDER BY i.decision_id, i.position, v.visited_on DESC, v.id DESC",
    )?;
    let rows = st.query_map([case_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)? as usize,
            HomeVisit {
                id: r.get(2)?,
                case_id: r.get(3)?,
                visited_on: r.get(4)?,
                visitors: r.get(5)?,
                place: r.get(6)?,
                people_met: r.get(7)?,
                notes: r.get(8)?,
            },
        ))
    })?;
    let mut out: Vec<(i64, usize, Vec<HomeVisit>)> = Vec::new();
    for row in rows {
        let (d, p, v) = row?;
        match out.last_mut() {
            Some((ld, lp, list)) if *ld == d && *lp == p => list.push(v),
            _ => out.push((d, p, vec![v])),
        }
    }
    Ok(out)
}

/// One intervention past its deadline and not finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueIntervention {
    pub case_id: i64,
    pub decision_id: i64,
    pub position: usize,
    pub kind: String,
    pub unit: String,
    pub due: NaiveDate,
    pub status: InterventionStatus,
    pub days_overdue: i64,
}

/// The overdue interventions: not finished, past a deadline, of a sealed decision of an
/// open case (`live_region` is the case's region exactly then). An intervention without a
/// deadline ("at once") is never overdue: the one rule, [`crate::domain::decision::days_late`].
pub(crate) const OVERDUE_IV_WHERE: &str =
    "i.live_region IS NOT NULL AND i.status IN ('planned', 'in_progress') AND i.due < ?1";

const OVERDUE_IV: &str =
    "FROM intervention i INDEXED BY intervention_overdue JOIN decision d ON d.id = i.decision_id
    JOIN case_file k ON k.id = d.case_id
    WHERE i.live_region IS NOT NULL AND i.status IN ('planned', 'in_progress') AND i.due < ?1";

/// How many interventions of open cases are past their deadline and not done (for the
/// dashboard): the province's rows of `intervention_due_tally` (migration 12), a few dozen.
pub fn overdue_interventions_count(c: &Connection, today: NaiveDate) -> Result<usize> {
    super::stats::overdue_interventions_tally(c, today, "")
}

/// The overdue interventions, the oldest deadline first; `limit` rows.
pub fn overdue_interventions(
    c: &Connection,
    today: NaiveDate,
    limit: usize,
) -> Result<Vec<OverdueIntervention>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT k.id, d.id, i.position, i.kind, i.unit, i.due, i.status,
            CAST(julianday(?1) - julianday(i.due) AS INTEGER)
         {OVERDUE_IV} ORDER BY i.due, i.id LIMIT ?2"
    ))?;
    let rows = st.query_map(params![today, limit as i64], overdue_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The overdue interventions of open cases within `filter`'s region, level and type (its
/// window and overdue switch do not apply): how many in all, and the first `limit`, the
/// oldest deadline first. For `casepanel due`.
pub fn overdue_interventions_in(
    c: &Connection,
    today: NaiveDate,
    filter: &QueueFilter,
    limit: usize,
) -> Result<(usize, Vec<OverdueIntervention>)> {
    let mut args = vec![Value::Text(today.to_string())];
    let filters = filter_sql(filter, &mut args);
    let total: i64 = c
        .prepare_cached(&format!("SELECT count(*) {OVERDUE_IV}{filters}"))?
        .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
    args.push(Value::Integer(limit as i64));
    let mut st = c.prepare_cached(&format!(
        "SELECT k.id, d.id, i.position, i.kind, i.unit, i.due, i.status,
            CAST(julianday(?1) - julianday(i.due) AS INTEGER)
         {OVERDUE_IV}{filters} ORDER BY i.due, i.id LIMIT ?{}",
        args.len()
    ))?;
    let rows = st.query_map(params_from_iter(args), overdue_row)?;
    Ok((total as usize, rows.collect::<rusqlite::Result<_>>()?))
}

fn overdue_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OverdueIntervention> {
    Ok(OverdueIntervention {
        case_id: r.get(0)?,
        decision_id: r.get(1)?,
        position: r.get::<_, i64>(2)? as usize,
        kind: r.get(3)?,
        unit: r.get(4)?,
        due: r.get(5)?,
        status: code(r, 6)?,
        days_overdue: r.get(7)?,
    })
}

/// The overdue interventions under the queue table: case, measure, unit, deadline, days
/// overdue, status. `name` gives a measure's words from its catalogue id.
pub fn render_overdue_interventions(
    total: usize,
    list: &[OverdueIntervention],
    lang: Lang,
    name: &dyn Fn(&str) -> String,
) -> String {
    use crate::text::{pad, sanitize_line, truncate, width};
    let mut out = String::new();
    out.push_str(&i18n::tf(
        lang,
        "queue.iv.heading",
        &[("n", &total.to_string())],
    ));
    out.push('\n');
    if list.is_empty() {
        return out;
    }
    let head = [
        "queue.col.case",
        "queue.iv.col.kind",
        "queue.iv.col.unit",
        "queue.iv.col.due",
        "queue.col.overdue",
        "queue.iv.col.status",
    ]
    .map(|k| i18n::t(lang, k).to_string());
    let mut rows: Vec<[String; 6]> = vec![head];
    for iv in list {
        rows.push([
            case_number(iv.case_id),
            truncate(&sanitize_line(&name(&iv.kind)), 30),
            truncate(&sanitize_line(&iv.unit), 30),
            iv.due.to_string(),
            iv.days_overdue.to_string(),
            i18n::label(lang, iv.status).to_string(),
        ]);
    }
    let mut widths = [0usize; 6];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(width(cell));
        }
    }
    for r in &rows {
        let line: Vec<String> = r.iter().zip(widths).map(|(cell, w)| pad(cell, w)).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if total > list.len() {
        out.push_str(&i18n::tf(
            lang,
            "queue.iv.more",
            &[("n", &(total - list.len()).to_string())],
        ));
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Output for `casepanel due`: never the full name, never the ID number.

fn level_cell(lang: Lang, l: Option<RiskLevel>) -> String {
    match l {
        Some(l) => i18n::level_short(lang, l).to_string(),
        None => "-".into(),
    }
}

/// A plain-text table for the terminal.
pub fn render_table(items: &[QueueItem], total: usize, lang: Lang) -> String {
    use crate::text::{pad, truncate, width};
    let head = [
        "queue.col.case",
        "queue.col.name",
        "queue.col.level",
        "queue.col.due",
        "queue.col.overdue",
        "queue.col.reason",
        "queue.col.region",
    ]
    .map(|k| i18n::t(lang, k).to_string());
    let mut rows: Vec<[String; 7]> = vec![head];
    for it in items {
        let mut reason = it.reason.label(lang).to_string();
        if it.ad_hoc && it.reason != Reason::AdHoc {
            reason = format!("{} + {}", i18n::t(lang, "queue.reason.ad_hoc"), reason);
        }
        if it.turns_18 && it.reason != Reason::Closing {
            reason = format!("{reason} ({})", i18n::t(lang, "queue.turns_18"));
        }
        rows.push([
            it.case_number(),
            it.masked_name(),
            level_cell(lang, it.level),
            it.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            if it.days_overdue > 0 {
                it.days_overdue.to_string()
            } else {
                String::new()
            },
            reason,
            truncate(&it.region_names, 40),
        ]);
    }
    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(widths).map(|(cell, w)| pad(cell, w)).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    if items.is_empty() {
        out.push_str(i18n::t(lang, "queue.empty"));
        out.push('\n');
    } else {
        out.push_str(&i18n::tf(
            lang,
            "queue.shown",
            &[
                ("shown", &items.len().to_string()),
                ("total", &total.to_string()),
            ],
        ));
        out.push('\n');
    }
    out
}

/// JSON for scripts: an array of objects with the same fields as the CSV.
pub fn render_json(items: &[QueueItem]) -> String {
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|it| {
            serde_json::json!({
                "case": it.case_number(),
                "case_id": it.case_id,
                "name": it.masked_name(),
                "region": it.region,
                "region_names": it.region_names,
                "level": it.level.map(RiskLevel::number),
                "due": it.due.map(|d| d.to_string()),
                "days_overdue": it.days_overdue,
                "reason": it.reason.code(),
                "ad_hoc": it.ad_hoc,
                "turns_18": it.turns_18,
                "overdue_interventions": it.overdue_interventions,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&list).expect("JSON values serialise");
    s.push('\n');
    s
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub const CSV_HEADER: &str = "case,case_id,name,region,region_names,level,due,days_overdue,reason,ad_hoc,turns_18,overdue_interventions";

/// CSV for scripts: a header line, then one line per item (CRLF line ends, RFC 4180).
pub fn render_csv(items: &[QueueItem]) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for it in items {
        let fields = [
            it.case_number(),
            it.case_id.to_string(),
            it.masked_name(),
            it.region.clone(),
            it.region_names.clone(),
            it.level.map(|l| l.number().to_string()).unwrap_or_default(),
            it.due.map(|d| d.to_string()).unwrap_or_default(),
            it.days_overdue.to_string(),
            it.reason.code().to_string(),
            it.ad_hoc.to_string(),
            it.turns_18.to_string(),
            it.overdue_interventions.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks.
pub fn ics_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (RFC 5545 §3.1) without splitting a character,
/// each physical line ended by CRLF.
pub fn ics_fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0usize;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(ch);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// An iCalendar file: one all-day VEVENT per item with a due date (items awaiting a first
/// assessment have none and are left out). The summary carries the case number and the
/// masked name, never the full name. `stamp` is the DTSTAMP, in UTC.
pub fn render_ics(items: &[QueueItem], lang: Lang, stamp: NaiveDateTime) -> String {
    let mut out = String::new();
    let mut line = |s: &str| out.push_str(&ics_fold(s));
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//casepanel//re-review queue//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for it in items {
        let Some(due) = it.due else { continue };
        let summary = i18n::tf(
            lang,
            "queue.ics_summary",
            &[("case", &it.case_number()), ("name", &it.masked_name())],
        );
        let mut desc = vec![
            format!(
                "{}{}{}",
                i18n::t(lang, "queue.col.reason"),
                i18n::colon(lang),
                it.reason.label(lang)
            ),
            format!(
                "{}{}{}",
                i18n::t(lang, "queue.col.level"),
                i18n::colon(lang),
                i18n::level_or_none(lang, it.level)
            ),
            format!(
                "{}{}{}",
                i18n::t(lang, "queue.col.region"),
                i18n::colon(lang),
                it.region_names
            ),
        ];
        if it.ad_hoc {
            desc.push(i18n::t(lang, "queue.reason.ad_hoc").to_string());
        }
        if it.days_overdue > 0 {
            desc.push(format!(
                "{}{}{}",
                i18n::t(lang, "queue.col.overdue"),
                i18n::colon(lang),
                it.days_overdue
            ));
        }
        line("BEGIN:VEVENT");
        line(&format!(
            "UID:casepanel-case-{}-{}@casepanel",
            it.case_id,
            due.format("%Y%m%d")
        ));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;VALUE=DATE:{}", due.format("%Y%m%d")));
        line(&format!(
            "DTEND;VALUE=DATE:{}",
            (due + chrono::Days::new(1)).format("%Y%m%d")
        ));
        line(&format!("SUMMARY:{}", ics_escape(&summary)));
        line(&format!("DESCRIPTION:{}", ics_escape(&desc.join("\n"))));
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_characters_whole_and_lines_short() {
        let long = format!("SUMMARY:{}", "复评".repeat(40));
        let folded = ics_fold(&long);
        for l in folded.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(folded.replace("\r\n ", "").trim_end_matches("\r\n"), long);
        assert_eq!(ics_escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
