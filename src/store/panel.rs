//! The panel: roster, sessions, agenda and declared conflicts of interest.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeSet;

use super::{Result, StoreError, code};
use crate::domain::panel::{AgendaItem, AgendaOutcome, Member, Session, SessionStatus};
use crate::text::{sanitize, sanitize_line};

pub fn insert_member(c: &Connection, m: &Member) -> Result<i64> {
    let name = sanitize_line(&m.name);
    if name.is_empty() {
        return Err(StoreError::Invalid("a panel member needs a name".into()));
    }
    c.prepare_cached(
        "INSERT INTO member (name, discipline, organisation, active) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        name,
        m.discipline.code(),
        sanitize_line(&m.organisation),
        m.active
    ])?;
    Ok(c.last_insert_rowid())
}

fn member_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Member> {
    Ok(Member {
        id: r.get(0)?,
        name: r.get(1)?,
        discipline: code(r, 2)?,
        organisation: r.get(3)?,
        active: r.get(4)?,
    })
}

/// The roster: active members first, then by id.
pub fn members(c: &Connection) -> Result<Vec<Member>> {
    let mut st = c.prepare_cached(
        "SELECT id, name, discipline, organisation, active FROM member ORDER BY active DESC, id",
    )?;
    let rows = st.query_map([], member_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Opens a session on a date with the members present, the chair and the secretary.
pub fn create_session(
    c: &Connection,
    held_on: NaiveDate,
    present: &[i64],
    chair: Option<i64>,
    secretary: Option<i64>,
) -> Result<i64> {
    c.prepare_cached(
        "INSERT INTO panel_session (held_on, chair, secretary, status) VALUES (?1, ?2, ?3, 'open')",
    )?
    .execute(params![held_on, chair, secretary])?;
    let id = c.last_insert_rowid();
    set_present(c, id, present)?;
    Ok(id)
}

pub fn set_present(c: &Connection, session_id: i64, present: &[i64]) -> Result<()> {
    c.prepare_cached("DELETE FROM session_member WHERE session_id = ?1")?
        .execute([session_id])?;
    let mut st = c.prepare_cached(
        "INSERT OR IGNORE INTO session_member (session_id, member_id) VALUES (?1, ?2)",
    )?;
    for m in present {
        st.execute(params![session_id, m])?;
    }
    Ok(())
}

pub fn session(c: &Connection, id: i64) -> Result<Option<Session>> {
    let s = c
        .prepare_cached(
            "SELECT id, held_on, chair, secretary, status FROM panel_session WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Session {
                id: r.get(0)?,
                held_on: r.get(1)?,
                chair: r.get(2)?,
                secretary: r.get(3)?,
                present: Vec::new(),
                status: code(r, 4)?,
            })
        })
        .optional()?;
    let Some(mut s) = s else { return Ok(None) };
    let mut st = c.prepare_cached(
        "SELECT member_id FROM session_member WHERE session_id = ?1 ORDER BY member_id",
    )?;
    s.present = st
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(s))
}

/// The most recent sessions, newest first.
pub fn sessions(c: &Connection, limit: usize) -> Result<Vec<Session>> {
    let mut st =
        c.prepare_cached("SELECT id FROM panel_session ORDER BY held_on DESC, id DESC LIMIT ?1")?;
    let ids: Vec<i64> = st
        .query_map([limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter()
        .filter_map(|id| session(c, id).transpose())
        .collect()
}

pub fn close_session(c: &Connection, id: i64) -> Result<()> {
    c.prepare_cached("UPDATE panel_session SET status = ?2 WHERE id = ?1")?
        .execute(params![id, SessionStatus::Closed.code()])?;
    Ok(())
}

/// Replaces the agenda with `case_ids` in this order, keeping outcomes already recorded.
pub fn set_agenda(c: &Connection, session_id: i64, case_ids: &[i64]) -> Result<()> {
    let keep: BTreeSet<i64> = case_ids.iter().copied().collect();
    let existing = agenda(c, session_id)?;
    for item in &existing {
        if !keep.contains(&item.case_id) {
            if item.outcome == AgendaOutcome::Decided {
                return Err(StoreError::Invalid(format!(
                    "case {} was decided in this session and stays on its agenda",
                    item.case_id
                )));
            }
            c.prepare_cached("DELETE FROM agenda_item WHERE session_id = ?1 AND case_id = ?2")?
                .execute(params![session_id, item.case_id])?;
        }
    }
    let mut st = c.prepare_cached(
        "INSERT INTO agenda_item (session_id, case_id, position) VALUES (?1, ?2, ?3)
         ON CONFLICT(session_id, case_id) DO UPDATE SET position = excluded.position",
    )?;
    for (i, case_id) in case_ids.iter().enumerate() {
        st.execute(params![session_id, case_id, i as i64])?;
    }
    Ok(())
}

pub fn agenda(c: &Connection, session_id: i64) -> Result<Vec<AgendaItem>> {
    let mut st = c.prepare_cached(
        "SELECT session_id, case_id, position, outcome, defer_reason, decision_id
         FROM agenda_item WHERE session_id = ?1 ORDER BY position",
    )?;
    let rows = st.query_map([session_id], |r| {
        Ok(AgendaItem {
            session_id: r.get(0)?,
            case_id: r.get(1)?,
            position: r.get(2)?,
            outcome: code(r, 3)?,
            defer_reason: r.get(4)?,
            decision_id: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Defers a case with a reason; it stays on the queue.
pub fn defer(c: &Connection, session_id: i64, case_id: i64, reason: &str) -> Result<()> {
    let reason = sanitize(reason);
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "deferring a case needs a reason (暂缓理由)".into(),
        ));
    }
    let n = c
        .prepare_cached(
            "UPDATE agenda_item SET outcome = 'deferred', defer_reason = ?3
             WHERE session_id = ?1 AND case_id = ?2 AND outcome != 'decided'",
        )?
        .execute(params![session_id, case_id, reason])?;
    if n == 0 {
        return Err(StoreError::Invalid(format!(
            "case {case_id} is not pending on the agenda of session {session_id}"
        )));
    }
    Ok(())
}

pub fn set_conflicts(
    c: &Connection,
    session_id: i64,
    case_id: i64,
    members: &BTreeSet<i64>,
) -> Result<()> {
    c.prepare_cached("DELETE FROM conflict WHERE session_id = ?1 AND case_id = ?2")?
        .execute(params![session_id, case_id])?;
    let mut st = c.prepare_cached(
        "INSERT INTO conflict (session_id, case_id, member_id) VALUES (?1, ?2, ?3)",
    )?;
    for m in members {
        st.execute(params![session_id, case_id, m])?;
    }
    Ok(())
}

pub fn conflicts(c: &Connection, session_id: i64, case_id: i64) -> Result<BTreeSet<i64>> {
    let mut st =
        c.prepare_cached("SELECT member_id FROM conflict WHERE session_id = ?1 AND case_id = ?2")?;
    let rows = st.query_map(params![session_id, case_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets the chair and the secretary (each must be present; they are marked present).
pub fn set_roles(
    c: &Connection,
    session_id: i64,
    chair: Option<i64>,
    secretary: Option<i64>,
) -> Result<()> {
    c.prepare_cached("UPDATE panel_session SET chair = ?2, secretary = ?3 WHERE id = ?1")?
        .execute(params![session_id, chair, secretary])?;
    let mut st = c.prepare_cached(
        "INSERT OR IGNORE INTO session_member (session_id, member_id) VALUES (?1, ?2)",
    )?;
    for m in [chair, secretary].into_iter().flatten() {
        st.execute(params![session_id, m])?;
    }
    Ok(())
}

/// Moves a session to another day (a planned session held earlier or later).
pub fn set_held_on(c: &Connection, session_id: i64, held_on: NaiveDate) -> Result<()> {
    c.prepare_cached("UPDATE panel_session SET held_on = ?2 WHERE id = ?1")?
        .execute(params![session_id, held_on])?;
    Ok(())
}
