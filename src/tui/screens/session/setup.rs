//! Before the first case: roll call, chair and secretary, and the agenda.

use std::collections::BTreeMap;

use super::Session;
use crate::cli::Failure;
use crate::domain::panel::{AgendaItem, AgendaOutcome};
use crate::store::panel;
use crate::store::queries::{self, CaseRow};
use crate::store::queue::{self, Reason};
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::view::{Flash, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Roster,
    Agenda,
    Candidates,
}

pub struct Setup {
    pub pane: Pane,
    pub roster_sel: usize,
    pub agenda_sel: usize,
    pub cand_sel: usize,
    /// Cases the queue suggests that are not on the agenda yet.
    pub candidates: Vec<(CaseRow, Reason)>,
    /// The agenda's cases as list rows.
    pub rows: BTreeMap<i64, CaseRow>,
    /// Why each case is before the panel.
    pub reasons: BTreeMap<i64, Reason>,
}

const CANDIDATES: usize = 200;

impl Setup {
    pub fn new(env: &Env, s: &Session) -> Result<Setup, Failure> {
        let mut setup = Setup {
            pane: Pane::Roster,
            roster_sel: 0,
            agenda_sel: 0,
            cand_sel: 0,
            candidates: Vec::new(),
            rows: BTreeMap::new(),
            reasons: BTreeMap::new(),
        };
        setup.load(env, &s.agenda)?;
        Ok(setup)
    }

    fn load(&mut self, env: &Env, agenda: &[AgendaItem]) -> Result<(), Failure> {
        let c = env.store.conn();
        let all = queries::agenda_candidates(c, env.today(), &env.review(), CANDIDATES)?;
        self.reasons = all.iter().map(|(r, why)| (r.case_id, *why)).collect();
        self.rows.clear();
        for item in agenda {
            if let Some(r) = queries::case_row(c, item.case_id)? {
                self.rows.insert(item.case_id, r);
            }
        }
        // Cases on the agenda beyond the queue's first candidates: their reasons from the
        // queue's own rule, asked for these cases.
        let rest: Vec<i64> = self
            .rows
            .keys()
            .filter(|id| !self.reasons.contains_key(id))
            .copied()
            .collect();
        for it in queue::items(c, env.today(), &env.review(), &rest)? {
            self.reasons.insert(it.case_id, it.reason);
        }
        self.candidates = all
            .into_iter()
            .filter(|(r, _)| !self.rows.contains_key(&r.case_id))
            .collect();
        self.cand_sel = self.cand_sel.min(self.candidates.len().saturating_sub(1));
        self.agenda_sel = self.agenda_sel.min(agenda.len().saturating_sub(1));
        Ok(())
    }
}

fn flash_err(e: impl std::fmt::Display) -> Outcome {
    Flash::error(e.to_string())
}

pub fn update(s: &mut Session, env: &mut Env, action: Action) -> Outcome {
    let super::Stage::Setup(setup) = &mut s.stage else {
        return Outcome::Ignored;
    };
    let moved = |sel: &mut usize, len: usize| {
        let last = len.saturating_sub(1);
        *sel = match action {
            Action::Up => sel.saturating_sub(1),
            Action::Down => (*sel + 1).min(last),
            Action::PageUp => sel.saturating_sub(10),
            Action::PageDown => (*sel + 10).min(last),
            Action::First => 0,
            Action::Last => last,
            _ => *sel,
        };
    };
    match action {
        Action::NextField => {
            setup.pane = match setup.pane {
                Pane::Roster => Pane::Agenda,
                Pane::Agenda => Pane::Candidates,
                Pane::Candidates => Pane::Roster,
            };
            return Outcome::Done;
        }
        Action::PrevField => {
            setup.pane = match setup.pane {
                Pane::Roster => Pane::Candidates,
                Pane::Agenda => Pane::Roster,
                Pane::Candidates => Pane::Agenda,
            };
            return Outcome::Done;
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::First
        | Action::Last => {
            match setup.pane {
                Pane::Roster => moved(&mut setup.roster_sel, s.members.len()),
                Pane::Agenda => moved(&mut setup.agenda_sel, s.agenda.len()),
                Pane::Candidates => moved(&mut setup.cand_sel, setup.candidates.len()),
            }
            return Outcome::Done;
        }
        _ => {}
    }
    let id = s.id;
    match (setup.pane, action) {
        (Pane::Roster, Action::Toggle | Action::Chair | Action::Secretary) => {
            let Some(m) = s.members.get(setup.roster_sel).map(|m| m.id) else {
                return Outcome::Done;
            };
            let mut present = s.present.clone();
            let (mut chair, mut secretary) = (s.chair, s.secretary);
            match action {
                Action::Toggle => {
                    if let Some(pos) = present.iter().position(|p| *p == m) {
                        present.remove(pos);
                        if chair == Some(m) {
                            chair = None;
                        }
                        if secretary == Some(m) {
                            secretary = None;
                        }
                    } else {
                        present.push(m);
                    }
                }
                Action::Chair => chair = if chair == Some(m) { None } else { Some(m) },
                _ => secretary = if secretary == Some(m) { None } else { Some(m) },
            }
            let result = env.store.write(|tx| {
                panel::set_present(tx, id, &present)?;
                panel::set_roles(tx, id, chair, secretary)
            });
            if let Err(e) = result {
                return flash_err(e);
            }
        }
        (Pane::Candidates, Action::AddCase | Action::Toggle) => {
            let Some((row, _)) = setup.candidates.get(setup.cand_sel) else {
                return Outcome::Done;
            };
            let mut ids: Vec<i64> = s.agenda.iter().map(|a| a.case_id).collect();
            ids.push(row.case_id);
            if let Err(e) = env.store.write(|tx| panel::set_agenda(tx, id, &ids)) {
                return flash_err(e);
            }
        }
        (Pane::Agenda, Action::RemoveCase) => {
            let Some(item) = s.agenda.get(setup.agenda_sel) else {
                return Outcome::Done;
            };
            if item.outcome == AgendaOutcome::Decided {
                return Flash::error(env.t("session.already_decided"));
            }
            let remove = item.case_id;
            let ids: Vec<i64> = s
                .agenda
                .iter()
                .map(|a| a.case_id)
                .filter(|c| *c != remove)
                .collect();
            if let Err(e) = env.store.write(|tx| panel::set_agenda(tx, id, &ids)) {
                return flash_err(e);
            }
        }
        (Pane::Agenda, Action::MoveUp | Action::MoveDown) => {
            let i = setup.agenda_sel;
            let j = if action == Action::MoveUp {
                i.checked_sub(1)
            } else {
                Some(i + 1)
            };
            let Some(j) = j.filter(|j| *j < s.agenda.len()) else {
                return Outcome::Done;
            };
            let mut ids: Vec<i64> = s.agenda.iter().map(|a| a.case_id).collect();
            ids.swap(i, j);
            if let Err(e) = env.store.write(|tx| panel::set_agenda(tx, id, &ids)) {
                return flash_err(e);
            }
            setup.agenda_sel = j;
        }
        (
            _,
            Action::Toggle
            | Action::AddCase
            | Action::RemoveCase
            | Action::MoveUp
            | Action::MoveDown
            | Action::Chair
            | Action::Secretary,
        ) => {
            return Flash::info(env.t("session.setup_wrong_pane"));
        }
        _ => return Outcome::Ignored,
    }
    if let Err(e) = s.reload(env) {
        return Flash::error(e.0);
    }
    let super::Stage::Setup(setup) = &mut s.stage else {
        return Outcome::Done;
    };
    // The roll call changes who is present, not the agenda: the queue is asked again only
    // when the agenda changed.
    if setup.pane == Pane::Roster {
        return Outcome::Done;
    }
    if let Err(e) = setup.load(env, &s.agenda) {
        return Flash::error(e.0);
    }
    Outcome::Done
}
