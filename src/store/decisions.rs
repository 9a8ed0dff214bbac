//! Decisions: drafts, sealing (immutable afterwards, enforced here and by triggers), reads.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError, cases, catalogues, code, opt_code, panel};
use crate::domain::assessment::Assessment;
use crate::domain::case::CaseStatus;
use crate::domain::criteria::Catalogue;
use crate::domain::decision::{
    Decision, DecisionStatus, Intervention, InterventionStatus, Missing, NextReview, Vote,
};
use crate::domain::level::RiskLevel;
use crate::domain::panel::QuorumRule;
use crate::domain::review::ReviewRules;
use crate::text::{sanitize, sanitize_line};

const COLUMNS: &str = "id, case_id, session_id, decided_on, assessment, next_review, next_review_kind, \
    vote_for, vote_against, vote_abstain, dissent, voting_members, recused, police_report_id, amends, \
    status, sealed_at, amend_reason";

fn json_err(e: serde_json::Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Decision, Option<i64>)> {
    let assessment: String = r.get(4)?;
    let next_date: Option<NaiveDate> = r.get(5)?;
    let next_kind = opt_code(r, 6)?;
    let voting: String = r.get(11)?;
    let recused: String = r.get(12)?;
    let d = Decision {
        id: r.get(0)?,
        case_id: r.get(1)?,
        session_id: r.get(2)?,
        decided_on: r.get(3)?,
        assessment: serde_json::from_str(&assessment).map_err(json_err)?,
        interventions: Vec::new(),
        next_review: next_date
            .zip(next_kind)
            .map(|(date, kind)| NextReview { date, kind }),
        vote: Vote {
            for_: r.get(7)?,
            against: r.get(8)?,
            abstain: r.get(9)?,
        },
        dissent: r.get(10)?,
        voting_members: serde_json::from_str(&voting).map_err(json_err)?,
        recused: serde_json::from_str(&recused).map_err(json_err)?,
        police_report: None,
        amends: r.get(14)?,
        status: code(r, 15)?,
        sealed_at: r.get(16)?,
        amend_reason: r.get(17)?,
    };
    Ok((d, r.get(13)?))
}

fn complete(c: &Connection, (mut d, police_id): (Decision, Option<i64>)) -> Result<Decision> {
    d.interventions = interventions(c, d.id)?
        .into_iter()
        .map(|(i, _, _)| i)
        .collect();
    if let Some(pid) = police_id {
        d.police_report = cases::police_reports(c, d.case_id)?
            .into_iter()
            .find(|(id, _)| *id == pid)
            .map(|(_, p)| p);
    }
    Ok(d)
}

/// A decision's status alone (None: no such decision), without reading the rest of it.
pub fn status(c: &Connection, id: i64) -> Result<Option<DecisionStatus>> {
    let code: Option<String> = c
        .prepare_cached("SELECT status FROM decision WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    code.map(|s| {
        DecisionStatus::from_code(&s)
            .ok_or_else(|| StoreError::Invalid(format!("decision {id} has status `{s}`")))
    })
    .transpose()
}

pub fn get(c: &Connection, id: i64) -> Result<Option<Decision>> {
    let row = c
        .prepare_cached(&format!("SELECT {COLUMNS} FROM decision WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    row.map(|r| complete(c, r)).transpose()
}

/// Every decision on a case, newest first.
pub fn of_case(c: &Connection, case_id: i64) -> Result<Vec<Decision>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM decision WHERE case_id = ?1 ORDER BY decided_on DESC, id DESC"
    ))?;
    let rows: Vec<_> = st
        .query_map([case_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| complete(c, r)).collect()
}

pub fn latest_sealed(c: &Connection, case_id: i64) -> Result<Option<Decision>> {
    Ok(of_case(c, case_id)?
        .into_iter()
        .find(|d| d.status == DecisionStatus::Sealed))
}

/// The decisions of a session, in agenda order.
pub fn of_session(c: &Connection, session_id: i64) -> Result<Vec<Decision>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM decision WHERE session_id = ?1 ORDER BY id"
    ))?;
    let rows: Vec<_> = st
        .query_map([session_id], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| complete(c, r)).collect()
}

/// A decision's interventions with their progress.
pub fn interventions(
    c: &Connection,
    decision_id: i64,
) -> Result<Vec<(Intervention, InterventionStatus, String)>> {
    let mut st = c.prepare_cached(
        "SELECT kind, unit, due, status, note FROM intervention WHERE decision_id = ?1 ORDER BY position",
    )?;
    let rows = st.query_map([decision_id], |r| {
        Ok((
            Intervention {
                kind: r.get(0)?,
                unit: r.get(1)?,
                due: r.get(2)?,
            },
            code(r, 3)?,
            r.get(4)?,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn write_row(
    c: &Connection,
    d: &Decision,
    catalogue_sha: Option<&str>,
    imported: bool,
) -> Result<i64> {
    let a = &d.assessment;
    let assessment = serde_json::to_string(a).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let level = |l: Option<RiskLevel>| l.map(RiskLevel::number);
    let values = params![
        d.case_id,
        d.session_id,
        d.decided_on,
        catalogue_sha,
        assessment,
        level(a.computed.level),
        level(a.final_level()),
        d.next_review.as_ref().map(|r| r.date),
        d.next_review.as_ref().map(|r| r.kind.code()),
        d.vote.for_,
        d.vote.against,
        d.vote.abstain,
        sanitize(&d.dissent),
        serde_json::to_string(&d.voting_members).expect("ids serialise"),
        serde_json::to_string(&d.recused).expect("ids serialise"),
        d.amends,
        imported,
        sanitize(&d.amend_reason),
    ];
    if d.id > 0 {
        let n = c
            .prepare_cached(
                "UPDATE decision SET case_id = ?1, session_id = ?2, decided_on = ?3,
                    catalogue_sha256 = ?4, assessment = ?5, computed_level = ?6, final_level = ?7,
                    next_review = ?8, next_review_kind = ?9, vote_for = ?10, vote_against = ?11,
                    vote_abstain = ?12, dissent = ?13, voting_members = ?14, recused = ?15,
                    amends = ?16, imported = ?17, amend_reason = ?18
                 WHERE id = ?19 AND status = 'draft'",
            )?
            .execute(rusqlite::params_from_iter(
                values
                    .iter()
                    .copied()
                    .chain([&d.id as &dyn rusqlite::ToSql]),
            ))?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "decision {} is sealed or gone: a sealed decision cannot be changed; record an amendment instead",
                d.id
            )));
        }
        c.prepare_cached("DELETE FROM intervention WHERE decision_id = ?1")?
            .execute([d.id])?;
        write_interventions(c, d.id, &d.interventions)?;
        Ok(d.id)
    } else {
        c.prepare_cached(
            "INSERT INTO decision (case_id, session_id, decided_on, catalogue_sha256, assessment,
                computed_level, final_level, next_review, next_review_kind, vote_for, vote_against,
                vote_abstain, dissent, voting_members, recused, amends, imported, amend_reason, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, 'draft')",
        )?
        .execute(values)?;
        let id = c.last_insert_rowid();
        write_interventions(c, id, &d.interventions)?;
        Ok(id)
    }
}

fn write_interventions(c: &Connection, decision_id: i64, list: &[Intervention]) -> Result<()> {
    let mut st = c.prepare_cached(
        "INSERT INTO intervention (decision_id, position, kind, unit, due) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, iv) in list.iter().enumerate() {
        st.execute(params![
            decision_id,
            i as i64,
            iv.kind,
            sanitize_line(&iv.unit),
            iv.due
        ])?;
    }
    Ok(())
}

/// Saves a draft (new when `id` is 0). Returns its id.
pub fn save_draft(c: &Connection, d: &Decision) -> Result<i64> {
    if d.status != DecisionStatus::Draft {
        return Err(StoreError::Invalid(
            "only a draft can be saved as a draft".into(),
        ));
    }
    write_row(
        c,
        d,
        Some(&d.assessment.catalogue.sha256)
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty()),
        false,
    )
}

/// Why a decision cannot be sealed.
#[derive(Debug, thiserror::Error)]
#[error("the decision cannot be sealed yet: {}", .0.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join("; "))]
pub struct NotReady(pub Vec<Missing>);

/// What the store needs to know to check and seal a decision.
pub struct SealRules<'a> {
    pub catalogue: &'a Catalogue,
    pub quorum: QuorumRule,
    pub review: ReviewRules,
}

/// Everything that keeps `d` from being sealed, checked against the session's attendance
/// and declared conflicts as stored.
pub fn missing_for_seal(
    c: &Connection,
    d: &Decision,
    rules: &SealRules<'_>,
) -> Result<Vec<Missing>> {
    let members = panel::members(c)?;
    let (present, conflicted) = match d.session_id {
        Some(sid) => {
            let s = panel::session(c, sid)?
                .ok_or_else(|| StoreError::NotFound(format!("session {sid}")))?;
            (s.present, panel::conflicts(c, sid, d.case_id)?)
        }
        None => (Vec::new(), Default::default()),
    };
    let present: Vec<_> = members.iter().filter(|m| present.contains(&m.id)).collect();
    let quorum = rules.quorum.check(present, &conflicted);
    let latest = Some(rules.review.next_review(d.decided_on, d.final_level()));
    let mut missing = d.missing_for_seal(rules.catalogue, &quorum, latest);
    // A police report already on the case satisfies the rule.
    if d.police_report.is_none() && !cases::police_reports(c, d.case_id)?.is_empty() {
        missing.retain(|m| !matches!(m, Missing::PoliceReport { .. }));
    }
    Ok(missing)
}

/// Seals a decision: checks it, stores the catalogue text, writes the decision and its
/// interventions, marks it sealed (immutable from then on), and moves the case: active with
/// the new level and next review, ad-hoc requests resolved, agenda item decided. Returns
/// the decision id. Call inside one transaction ([`super::Store::write`]).
pub fn seal(
    c: &Connection,
    d: &Decision,
    rules: &SealRules<'_>,
    now: NaiveDateTime,
) -> Result<i64> {
    if d.status == DecisionStatus::Sealed {
        return Err(StoreError::Invalid(format!(
            "decision {} is already sealed",
            d.id
        )));
    }
    if d.assessment.catalogue.sha256 != rules.catalogue.sha256 {
        return Err(StoreError::Invalid(
            "the assessment was scored on another catalogue than the one given for sealing".into(),
        ));
    }
    let missing = missing_for_seal(c, d, rules)?;
    if !missing.is_empty() {
        return Err(StoreError::Invalid(NotReady(missing).to_string()));
    }
    if let Some(old) = d.amends {
        check_amends(c, d.case_id, old)?;
    }
    catalogues::remember(c, rules.catalogue, now)?;
    let id = write_row(c, d, Some(&rules.catalogue.sha256), false)?;
    let police_id = match &d.police_report {
        Some(p) => Some(cases::add_police_report(c, d.case_id, p)?),
        None => cases::police_reports(c, d.case_id)?
            .first()
            .map(|(id, _)| *id),
    };
    c.prepare_cached(
        "UPDATE decision SET status = 'sealed', sealed_at = ?2, police_report_id = ?3 WHERE id = ?1",
    )?
    .execute(params![id, now, police_id])?;
    apply_to_case(c, d, id)?;
    Ok(id)
}

/// An amendment corrects the case's current decision: the latest sealed one, made by the
/// panel (a level taken over from paper is replaced by a panel decision, not amended).
/// The database also refuses a second sealed amendment of the same decision.
fn check_amends(c: &Connection, case_id: i64, old: i64) -> Result<()> {
    let current = latest_sealed(c, case_id)?;
    match current {
        Some(cur) if cur.id == old => {
            let imported: bool = c
                .prepare_cached("SELECT imported FROM decision WHERE id = ?1")?
                .query_row([old], |r| r.get(0))?;
            if imported {
                return Err(StoreError::Invalid(format!(
                    "decision {old} was taken over from paper records; decide the case anew instead of amending it"
                )));
            }
            Ok(())
        }
        Some(cur) => Err(StoreError::Invalid(format!(
            "decision {old} is not the case's current decision (that is {}): only the current decision can be amended",
            cur.id
        ))),
        None => Err(StoreError::Invalid(format!(
            "decision {old} is not a sealed decision of case {case_id}: there is nothing to amend"
        ))),
    }
}

/// The sealed decisions that amend `decision_id` (at most one).
pub fn amended_by(c: &Connection, decision_id: i64) -> Result<Option<i64>> {
    Ok(
        c.prepare_cached("SELECT id FROM decision WHERE amends = ?1 AND status = 'sealed'")?
            .query_row([decision_id], |r| r.get(0))
            .optional()?,
    )
}

fn apply_to_case(c: &Connection, d: &Decision, id: i64) -> Result<()> {
    let case = cases::get(c, d.case_id)?
        .ok_or_else(|| StoreError::NotFound(format!("case {}", d.case_id)))?;
    if case.status != CaseStatus::Active && case.status != CaseStatus::Closed {
        if case.status == CaseStatus::Screening {
            cases::set_status(c, d.case_id, CaseStatus::AwaitingPanel)?;
        }
        cases::set_status(c, d.case_id, CaseStatus::Active)?;
    }
    c.prepare_cached(
        "UPDATE case_file SET level = ?2, next_review = ?3, last_decided_on = ?4 WHERE id = ?1",
    )?
    .execute(params![
        d.case_id,
        d.final_level().map(RiskLevel::number),
        d.next_review.as_ref().map(|r| r.date),
        d.decided_on
    ])?;
    c.prepare_cached(
        "UPDATE review_request SET resolved_by = ?2 WHERE case_id = ?1 AND resolved_by IS NULL",
    )?
    .execute(params![d.case_id, id])?;
    if let Some(sid) = d.session_id {
        c.prepare_cached(
            "UPDATE agenda_item SET outcome = 'decided', decision_id = ?3, defer_reason = NULL
             WHERE session_id = ?1 AND case_id = ?2",
        )?
        .execute(params![sid, d.case_id, id])?;
    }
    Ok(())
}

/// Records a level taken over from paper records: sealed, marked imported, no session.
/// The case takes its level and next review only when no later decision is on file, and
/// only the ad-hoc requests raised by then are resolved by it: an old paper record never
/// overrides what the panel decided since.
pub fn import_historical(
    c: &Connection,
    case_id: i64,
    decided_on: NaiveDate,
    assessment: &Assessment,
    next_review: Option<NextReview>,
    now: NaiveDateTime,
) -> Result<i64> {
    let d = Decision {
        next_review,
        ..Decision::draft(case_id, None, decided_on, assessment.clone())
    };
    let last: Option<NaiveDate> = c
        .prepare_cached("SELECT last_decided_on FROM case_file WHERE id = ?1")?
        .query_row([case_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?;
    let id = write_row(c, &d, None, true)?;
    c.prepare_cached("UPDATE decision SET status = 'sealed', sealed_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    if last.is_none_or(|l| l <= decided_on) {
        let case = cases::get(c, case_id)?
            .ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?;
        if case.status == CaseStatus::Screening {
            cases::set_status(c, case_id, CaseStatus::AwaitingPanel)?;
        }
        if case.status != CaseStatus::Active && case.status != CaseStatus::Closed {
            cases::set_status(c, case_id, CaseStatus::Active)?;
        }
        c.prepare_cached(
            "UPDATE case_file SET level = ?2, next_review = ?3, last_decided_on = ?4 WHERE id = ?1",
        )?
        .execute(params![
            case_id,
            d.final_level().map(RiskLevel::number),
            d.next_review.as_ref().map(|r| r.date),
            decided_on
        ])?;
    }
    c.prepare_cached(
        "UPDATE review_request SET resolved_by = ?2
         WHERE case_id = ?1 AND resolved_by IS NULL AND raised_on <= ?3",
    )?
    .execute(params![case_id, id, decided_on])?;
    Ok(id)
}
