//! The panel session: roll call and agenda, then each case through summary, home-visit
//! notes, conflicts, scoring, decision and confirmation, then the session's summary.
//! Every change is written as it is made; the session can be left and resumed.

mod case;
mod render;
mod setup;

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use std::collections::BTreeMap;

use crate::cli::Failure;
use crate::domain::assessment::{Answer, Override};
use crate::domain::decision::{DecisionStatus, PoliceReport, ReviewKind, Vote};
use crate::domain::level::RiskLevel;
use crate::domain::panel::{AgendaItem, AgendaOutcome, Member, QuorumCheck};
use crate::export::SigningKey;
use crate::store::decisions::SealRules;
use crate::store::{decisions, panel};
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Flash, Outcome, View};
use crate::tui::widgets::form::{Form, FormKey};

pub use case::{CaseState, DecisionRow, FormFor, Step};
pub use setup::{Pane, Setup};

/// Where the session is.
pub enum Stage {
    Setup(Setup),
    Case(usize),
    End,
}

pub struct Session {
    pub id: i64,
    pub held_on: NaiveDate,
    pub members: Vec<Member>,
    pub present: Vec<i64>,
    pub chair: Option<i64>,
    pub secretary: Option<i64>,
    pub agenda: Vec<AgendaItem>,
    pub stage: Stage,
    /// Work on each case, kept while the session is open so moving between cases loses nothing.
    pub cases: BTreeMap<i64, CaseState>,
    /// The final level of each case this session has sealed.
    pub decided: BTreeMap<i64, Option<RiskLevel>>,
    /// The signing key, once loaded (its passphrase is asked once per session and the
    /// key is dropped with the session).
    pub key: Option<SigningKey>,
    /// The autosave place of the open text form, and the values last autosaved there.
    draft: Option<(String, Vec<String>)>,
}

impl Session {
    /// Resumes the open session, or plans a new one for today with the agenda the queue
    /// suggests.
    pub fn open(env: &mut Env) -> Result<Session, Failure> {
        let today = env.today();
        let existing = panel::sessions(env.store.conn(), 20)?
            .into_iter()
            .filter(|s| s.status == crate::domain::panel::SessionStatus::Open)
            .min_by_key(|s| (s.held_on, s.id));
        let id = match existing {
            Some(s) => s.id,
            None => {
                let candidates = crate::store::queries::agenda_candidates(
                    env.store.conn(),
                    today,
                    &env.review(),
                    12,
                )?;
                let ids: Vec<i64> = candidates.iter().map(|(r, _)| r.case_id).collect();
                env.store.write(|tx| {
                    let id = panel::create_session(tx, today, &[], None, None)?;
                    panel::set_agenda(tx, id, &ids)?;
                    Ok(id)
                })?
            }
        };
        let mut s = Session {
            id,
            held_on: today,
            members: Vec::new(),
            present: Vec::new(),
            chair: None,
            secretary: None,
            agenda: Vec::new(),
            stage: Stage::End,
            cases: BTreeMap::new(),
            decided: BTreeMap::new(),
            key: None,
            draft: None,
        };
        s.reload(env)?;
        s.stage = Stage::Setup(Setup::new(env, &s)?);
        Ok(s)
    }

    fn reload(&mut self, env: &Env) -> Result<(), Failure> {
        let c = env.store.conn();
        let s = panel::session(c, self.id)?
            .ok_or_else(|| Failure(format!("session {} is gone", self.id)))?;
        self.held_on = s.held_on;
        self.present = s.present;
        self.chair = s.chair;
        self.secretary = s.secretary;
        self.members = panel::members(c)?
            .into_iter()
            .filter(|m| m.active)
            .collect();
        self.agenda = panel::agenda(c, self.id)?;
        self.decided = decisions::of_session(c, self.id)?
            .into_iter()
            .filter(|d| d.status == crate::domain::decision::DecisionStatus::Sealed)
            .map(|d| (d.case_id, d.final_level()))
            .collect();
        Ok(())
    }

    pub fn present_members(&self) -> Vec<&Member> {
        self.members
            .iter()
            .filter(|m| self.present.contains(&m.id))
            .collect()
    }

    pub fn quorum(&self, env: &Env, conflicted: &std::collections::BTreeSet<i64>) -> QuorumCheck {
        env.config.quorum.check(self.present_members(), conflicted)
    }

    pub fn member_name(&self, id: i64) -> String {
        self.members
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }

    fn current(&mut self) -> Option<&mut CaseState> {
        match self.stage {
            Stage::Case(i) => {
                let case_id = self.agenda.get(i)?.case_id;
                self.cases.get_mut(&case_id)
            }
            _ => None,
        }
    }

    pub fn current_ref(&self) -> Option<&CaseState> {
        match self.stage {
            Stage::Case(i) => self.cases.get(&self.agenda.get(i)?.case_id),
            _ => None,
        }
    }

    /// Opens agenda item `i` (loading its work if it is the first visit).
    fn go_to(&mut self, env: &Env, i: usize) -> Outcome {
        let Some(item) = self.agenda.get(i) else {
            return Outcome::Done;
        };
        let (case_id, decision_id) = (item.case_id, item.decision_id);
        if !self.cases.contains_key(&case_id) {
            match CaseState::open(env, self.id, case_id, &self.present, decision_id) {
                Ok(s) => {
                    self.cases.insert(case_id, s);
                }
                Err(e) => return Flash::error(e.0),
            }
        }
        self.stage = Stage::Case(i);
        Outcome::Done
    }

    /// The next agenda item still pending after `from`, wrapping around; the end when none.
    fn next_pending(&mut self, env: &Env, from: usize) -> Outcome {
        let n = self.agenda.len();
        for k in 1..=n {
            let i = (from + k) % n;
            if self.agenda[i].outcome == AgendaOutcome::Pending {
                return self.go_to(env, i);
            }
        }
        self.stage = Stage::End;
        Outcome::Done
    }

    /// From the roll call into the first pending case, once the session can decide.
    fn begin(&mut self, env: &mut Env) -> Outcome {
        let q = self.quorum(env, &Default::default());
        if !q.met() {
            return Flash::error(env.tf(
                "session.quorum_not_met",
                &[
                    ("members", &q.members.to_string()),
                    ("disciplines", &q.disciplines.to_string()),
                    ("min_members", &q.rule.min_members.to_string()),
                    ("min_disciplines", &q.rule.min_disciplines.to_string()),
                ],
            ));
        }
        if self.chair.is_none() || self.secretary.is_none() {
            return Flash::error(env.t("session.need_chair_secretary"));
        }
        if self.agenda.is_empty() {
            return Flash::error(env.t("session.agenda_empty"));
        }
        let today = env.today();
        if self.held_on != today {
            if let Err(e) = env.store.write(|tx| panel::set_held_on(tx, self.id, today)) {
                return Flash::error(e.to_string());
            }
            self.held_on = today;
        }
        let start = self
            .agenda
            .iter()
            .position(|a| a.outcome == AgendaOutcome::Pending)
            .unwrap_or(0);
        if self
            .agenda
            .iter()
            .all(|a| a.outcome != AgendaOutcome::Pending)
        {
            self.stage = Stage::End;
            return Outcome::Done;
        }
        self.go_to(env, start)
    }

    fn update_case(&mut self, env: &mut Env, action: Action) -> Outcome {
        let Stage::Case(index) = self.stage else {
            return Outcome::Ignored;
        };
        let present = self.present.clone();
        let session_id = self.id;
        let quorum_rule = env.config.quorum;
        let members = self.members.clone();
        let Some(outcome) = self.agenda.get(index).map(|a| a.outcome) else {
            return Outcome::Ignored;
        };
        let Some(cs) = self
            .agenda
            .get(index)
            .and_then(|a| self.cases.get_mut(&a.case_id))
        else {
            return Outcome::Ignored;
        };
        match action {
            Action::NextStep => {
                cs.step = cs.step.next();
                cs.scroll = 0;
            }
            Action::PrevStep => {
                cs.step = cs.step.prev();
                cs.scroll = 0;
            }
            Action::NextCase => {
                let n = self.agenda.len();
                return self.go_to(env, (index + 1) % n.max(1));
            }
            Action::PrevCase => {
                let n = self.agenda.len();
                return self.go_to(env, (index + n.max(1) - 1) % n.max(1));
            }
            Action::Defer => {
                if outcome == AgendaOutcome::Decided {
                    return Flash::error(env.t("session.already_decided"));
                }
                let form =
                    Form::new(env.t("session.defer_title")).text(env.t("session.defer_reason"), "");
                cs.form = Some((FormFor::Defer, form));
            }
            Action::Amend => {
                if cs.draft.amends.is_some() && cs.draft.status != DecisionStatus::Sealed {
                    open_amend_reason(cs, env);
                    return Outcome::Done;
                }
                let Some(old) = cs.amendable().cloned() else {
                    return Flash::error(env.t("session.nothing_to_amend"));
                };
                if old.session_id.is_none() {
                    return Flash::error(env.t("session.amend_imported"));
                }
                cs.start_amendment(env, &old, session_id, &present);
                open_amend_reason(cs, env);
            }
            Action::AddVisit if cs.step == Step::Notes => {
                let case_id = cs.data.case.id;
                return Outcome::Push(Box::new(super::visit_editor::VisitEditor::new(
                    env, case_id, None,
                )));
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => move_in_step(cs, env, action, &present),
            _ => {
                let decided =
                    outcome == AgendaOutcome::Decided && cs.draft.status == DecisionStatus::Sealed;
                return step_action(
                    cs,
                    env,
                    action,
                    session_id,
                    &present,
                    &members,
                    quorum_rule,
                    decided,
                );
            }
        }
        Outcome::Done
    }

    fn submit_form(&mut self, env: &mut Env) -> Outcome {
        let Stage::Case(index) = self.stage else {
            return Outcome::Done;
        };
        let session_id = self.id;
        let Some(cs) = self.current() else {
            return Outcome::Done;
        };
        let Some(purpose) = cs.form.as_ref().map(|(p, _)| *p) else {
            return Outcome::Done;
        };
        if purpose == FormFor::Passphrase {
            let pass = cs
                .form
                .as_ref()
                .map(|(_, f)| f.value(0))
                .unwrap_or_default();
            return match env.load_signing_key(Some(&pass)) {
                Ok(key) => {
                    cs.form = None;
                    self.key = Some(key);
                    self.seal(env)
                }
                Err(msg) => {
                    if let Some((_, form)) = cs.form.as_mut() {
                        form.error = Some(msg);
                        if let Some(f) = form.fields.first_mut() {
                            f.input = crate::tui::widgets::input::TextInput::secret();
                        }
                    }
                    Outcome::Done
                }
            };
        }
        if let Err(msg) = submit(cs, env, purpose) {
            if let Some((_, form)) = cs.form.as_mut() {
                form.error = Some(msg);
            }
            return Outcome::Done;
        }
        if purpose == FormFor::Defer {
            let reason = cs
                .form
                .as_ref()
                .map(|(_, f)| f.value(0))
                .unwrap_or_default();
            let case_id = cs.data.case.id;
            cs.form = None;
            if let Err(e) = env
                .store
                .write(|tx| panel::defer(tx, session_id, case_id, &reason))
            {
                return Flash::error(e.to_string());
            }
            if let Err(e) = self.reload(env) {
                return Flash::error(e.0);
            }
            let out = self.next_pending(env, index);
            return match out {
                Outcome::Done => Flash::ok(env.t("session.deferred")),
                other => other,
            };
        }
        cs.form = None;
        cs.recompute(env);
        Outcome::Done
    }

    fn seal(&mut self, env: &mut Env) -> Outcome {
        let Stage::Case(index) = self.stage else {
            return Outcome::Done;
        };
        let session_id = self.id;
        let needs_key = matches!(&env.signing, Ok(Some(_))) && self.key.is_none();
        let encrypted = matches!(&env.signing, Ok(Some(p)) if p.encrypted);
        let Some(cs) = self.current() else {
            return Outcome::Done;
        };
        cs.recompute(env);
        if !cs.missing.is_empty() {
            return Flash::error(env.t("session.cannot_seal_yet"));
        }
        if needs_key {
            if encrypted {
                let form = Form::new(env.t("session.passphrase_title"))
                    .secret(env.t("session.passphrase"))
                    .hint(env.t("session.passphrase_hint"));
                cs.form = Some((FormFor::Passphrase, form));
                return Outcome::Done;
            }
            match env.load_signing_key(None) {
                Ok(key) => self.key = Some(key),
                Err(msg) => return Flash::error(msg),
            }
        }
        let key = self.key.take();
        let signer = match (&env.signing, &key) {
            (Ok(Some(plan)), Some(_)) => Some(plan.signer.clone()),
            _ => None,
        };
        let Some(cs) = self
            .agenda
            .get(index)
            .and_then(|a| self.cases.get_mut(&a.case_id))
        else {
            return Outcome::Done;
        };
        let now: NaiveDateTime = env.now();
        let draft = cs.draft.clone();
        let conflicted = cs.conflicted.clone();
        let centre = env.config.centre_name.clone();
        let result = {
            let catalogue = env.catalogue.clone();
            let rules = SealRules {
                catalogue: &catalogue,
                quorum: env.config.quorum,
                review: env.review(),
            };
            // Sealing and signing are one act: both, or neither.
            env.store.write(|tx| {
                panel::set_conflicts(tx, session_id, draft.case_id, &conflicted)?;
                let id = decisions::seal(tx, &draft, &rules, now)?;
                if let (Some(key), Some(name)) = (&key, &signer) {
                    crate::export::sign_in(tx, id, key, name, centre.as_deref(), now)?;
                }
                Ok(id)
            })
        };
        self.key = key;
        match result {
            Ok(id) => {
                cs.draft.id = id;
                cs.draft.status = DecisionStatus::Sealed;
                cs.draft.sealed_at = Some(now);
                if let Err(e) = self.reload(env) {
                    return Flash::error(e.0);
                }
                let case = crate::domain::case::case_number(draft.case_id);
                let record = crate::export::record::record_id(id);
                let msg = match (&signer, &env.signing) {
                    (Some(name), _) => env.tf(
                        "session.sealed_signed",
                        &[("case", &case), ("record", &record), ("signer", name)],
                    ),
                    (None, Err(why)) => env.tf(
                        "session.sealed_key_broken",
                        &[("case", &case), ("error", why)],
                    ),
                    (None, _) => env.tf("session.sealed_unsigned", &[("case", &case)]),
                };
                let flash = match (&signer, &env.signing) {
                    (Some(_), _) => Flash::ok(msg),
                    (None, Err(_)) => Flash::error(msg),
                    (None, _) => Flash::info(msg),
                };
                match self.next_pending(env, index) {
                    Outcome::Done => flash,
                    other => other,
                }
            }
            Err(e) => Flash::error(env.tf("session.seal_failed", &[("error", &e.to_string())])),
        }
    }
}

/// Up/down and paging inside the current step.
fn move_in_step(cs: &mut CaseState, env: &Env, action: Action, present: &[i64]) {
    let (sel, len): (&mut usize, usize) = match cs.step {
        Step::Scoring => (&mut cs.scoring_sel, cs.order.len()),
        Step::Decision => {
            let n = cs.decision_rows(env).len();
            (&mut cs.decision_sel, n)
        }
        Step::Conflicts => (&mut cs.conflict_sel, present.len()),
        Step::Summary | Step::Notes | Step::Confirm => {
            cs.scroll = match action {
                Action::Up => cs.scroll.saturating_sub(1),
                Action::Down => cs.scroll.saturating_add(1),
                Action::PageUp => cs.scroll.saturating_sub(10),
                Action::PageDown => cs.scroll.saturating_add(10),
                Action::First => 0,
                _ => cs.scroll,
            };
            return;
        }
    };
    let last = len.saturating_sub(1);
    *sel = match action {
        Action::Up => sel.saturating_sub(1),
        Action::Down => (*sel + 1).min(last),
        Action::PageUp => sel.saturating_sub(8),
        Action::PageDown => (*sel + 8).min(last),
        Action::First => 0,
        Action::Last => last,
        _ => *sel,
    };
}

/// The step-specific keys.
#[allow(clippy::too_many_arguments)]
fn step_action(
    cs: &mut CaseState,
    env: &mut Env,
    action: Action,
    session_id: i64,
    present: &[i64],
    members: &[Member],
    quorum_rule: crate::domain::panel::QuorumRule,
    decided: bool,
) -> Outcome {
    let writes = matches!(
        action,
        Action::Met
            | Action::NotMet
            | Action::Unknown
            | Action::Evidence
            | Action::Toggle
            | Action::Open
            | Action::Override
            | Action::PoliceReport
            | Action::Confirm
    );
    if decided && writes && cs.step != Step::Summary && cs.step != Step::Notes {
        return Flash::error(env.t("session.already_decided"));
    }
    match (cs.step, action) {
        (Step::Scoring, Action::Met | Action::NotMet | Action::Unknown) => {
            let answer = match action {
                Action::Met => Answer::Met,
                Action::NotMet => Answer::NotMet,
                _ => Answer::Unknown,
            };
            cs.set_answer(env, answer);
            // One key marks and moves on: the panel goes down the list.
            cs.scoring_sel = (cs.scoring_sel + 1).min(cs.order.len().saturating_sub(1));
            Outcome::Done
        }
        (Step::Scoring, Action::Evidence) => {
            let Some(ind) = cs.catalogue_indicator(&env.catalogue, cs.scoring_sel) else {
                return Outcome::Done;
            };
            let current = cs
                .draft
                .assessment
                .answers
                .get(&ind.id)
                .map(|e| e.evidence.clone())
                .unwrap_or_default();
            let title = env.tf("session.evidence_title", &[("id", &ind.id)]);
            let label = match env.lang {
                crate::i18n::Lang::Zh => ind.zh.clone(),
                crate::i18n::Lang::En => ind.en.clone(),
            };
            cs.form = Some((
                FormFor::Evidence(cs.scoring_sel),
                Form::new(title).text(label, &current),
            ));
            Outcome::Done
        }
        (Step::Conflicts, Action::Toggle) => {
            let Some(member) = present.get(cs.conflict_sel).copied() else {
                return Outcome::Done;
            };
            if !cs.conflicted.remove(&member) {
                cs.conflicted.insert(member);
            }
            let case_id = cs.data.case.id;
            let conflicted = cs.conflicted.clone();
            if let Err(e) = env
                .store
                .write(|tx| panel::set_conflicts(tx, session_id, case_id, &conflicted))
            {
                return Flash::error(e.to_string());
            }
            cs.set_attendance(present);
            // The vote follows the voting members until the secretary edits it.
            let voting = cs.draft.voting_members.len() as u32;
            if cs.draft.vote.total() != voting
                && cs.draft.vote.against == 0
                && cs.draft.vote.abstain == 0
            {
                cs.draft.vote.for_ = voting;
            }
            cs.recompute(env);
            let present_members: Vec<&Member> =
                members.iter().filter(|m| present.contains(&m.id)).collect();
            let q = quorum_rule.check(present_members, &cs.conflicted);
            if q.met() {
                Outcome::Done
            } else {
                Flash::error(env.t("session.quorum_lost"))
            }
        }
        (Step::Decision, Action::Toggle | Action::Open) => decision_row_action(cs, env, action),
        (Step::Decision, Action::Override) => {
            open_override(cs, env);
            Outcome::Done
        }
        (Step::Decision, Action::PoliceReport) => {
            open_police(cs, env);
            Outcome::Done
        }
        (Step::Confirm, Action::Confirm) => Outcome::Ignored,
        _ => Outcome::Ignored,
    }
}

fn decision_row_action(cs: &mut CaseState, env: &mut Env, action: Action) -> Outcome {
    let rows = cs.decision_rows(env);
    let Some(row) = rows.get(cs.decision_sel).copied() else {
        return Outcome::Done;
    };
    match (row, action) {
        (DecisionRow::AmendReason, _) => open_amend_reason(cs, env),
        (DecisionRow::Level, _) => open_override(cs, env),
        (DecisionRow::Intervention(i), Action::Toggle) => cs.toggle_intervention(env, i),
        (DecisionRow::Intervention(i), _) => {
            let Some((def, chosen)) = cs.menu_item(env, i) else {
                return Outcome::Done;
            };
            let unit = chosen
                .map(|c| c.unit.clone())
                .or_else(|| def.default_unit.clone())
                .unwrap_or_default();
            let due = chosen
                .and_then(|c| c.due)
                .map(|d| d.to_string())
                .unwrap_or_default();
            let name = if env.lang == crate::i18n::Lang::Zh {
                def.zh.clone()
            } else {
                def.en.clone()
            };
            let form = Form::new(name)
                .line(env.t("session.unit"), &unit)
                .line(env.t("session.due"), &due)
                .hint(env.t("session.due_hint"));
            cs.form = Some((FormFor::Intervention(i), form));
        }
        (DecisionRow::Police, _) => open_police(cs, env),
        (DecisionRow::NextReview, Action::Toggle) => {
            if let Some(r) = cs.draft.next_review.as_mut() {
                r.kind = if r.kind == ReviewKind::Annual {
                    ReviewKind::AdHoc
                } else {
                    ReviewKind::Annual
                };
            }
        }
        (DecisionRow::NextReview, _) => {
            let current = cs
                .draft
                .next_review
                .as_ref()
                .map(|r| r.date.to_string())
                .unwrap_or_default();
            let latest = env
                .review()
                .next_review(cs.draft.decided_on, cs.final_level());
            let form = Form::new(env.t("session.next_review"))
                .line(env.t("session.next_review_date"), &current)
                .hint(env.tf(
                    "session.next_review_hint",
                    &[("latest", &latest.to_string())],
                ));
            cs.form = Some((FormFor::NextReview, form));
        }
        (DecisionRow::Vote, _) => {
            let v = cs.draft.vote;
            let form = Form::new(env.t("session.vote"))
                .line(env.t("session.vote_for"), &v.for_.to_string())
                .line(env.t("session.vote_against"), &v.against.to_string())
                .line(env.t("session.vote_abstain"), &v.abstain.to_string())
                .hint(env.tf(
                    "session.vote_hint",
                    &[("n", &cs.draft.voting_members.len().to_string())],
                ));
            cs.form = Some((FormFor::Vote, form));
        }
        (DecisionRow::Dissent, _) => {
            let form = Form::new(env.t("session.dissent"))
                .text(env.t("session.dissent_label"), &cs.draft.dissent);
            cs.form = Some((FormFor::Dissent, form));
        }
    }
    Outcome::Done
}

fn open_override(cs: &mut CaseState, env: &Env) {
    let current = cs.draft.assessment.override_.clone();
    let level = current
        .as_ref()
        .map(|o| o.level)
        .or(cs.draft.assessment.computed.level);
    let form = Form::new(env.t("session.override_title"))
        .line(
            env.t("session.override_level"),
            &level.map(|l| l.number().to_string()).unwrap_or_default(),
        )
        .text(
            env.t("session.override_reason"),
            current.as_ref().map(|o| o.reason.as_str()).unwrap_or(""),
        )
        .hint(env.t("session.override_hint"));
    cs.form = Some((FormFor::Override, form));
}

fn open_amend_reason(cs: &mut CaseState, env: &Env) {
    let old = cs
        .draft
        .amends
        .map(crate::export::record::record_id)
        .unwrap_or_default();
    let form = Form::new(env.tf("session.amend_title", &[("record", &old)]))
        .text(env.t("session.amend_reason"), &cs.draft.amend_reason)
        .hint(env.t("session.amend_hint"));
    cs.form = Some((FormFor::AmendReason, form));
}

fn open_police(cs: &mut CaseState, env: &Env) {
    let p = cs.draft.police_report.clone();
    let at = p
        .as_ref()
        .map(|p| p.reported_at)
        .unwrap_or_else(|| env.now());
    let form = Form::new(env.t("session.police_title"))
        .line(
            env.t("session.police_time"),
            &at.format("%Y-%m-%d %H:%M").to_string(),
        )
        .line(
            env.t("session.police_unit"),
            p.as_ref().map(|p| p.unit.as_str()).unwrap_or(""),
        )
        .line(
            env.t("session.police_receipt"),
            p.as_ref().map(|p| p.receipt.as_str()).unwrap_or(""),
        );
    cs.form = Some((FormFor::Police, form));
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Applies a submitted form to the draft; an error names the field to fix.
fn submit(cs: &mut CaseState, env: &Env, purpose: FormFor) -> Result<(), String> {
    let Some((_, form)) = cs.form.as_ref() else {
        return Ok(());
    };
    match purpose {
        FormFor::Evidence(pos) => {
            let text = form.value(0);
            cs.set_evidence(env, pos, text);
        }
        FormFor::Override => {
            let level_text = form.value(0);
            let reason = form.value(1);
            let level = level_text
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(RiskLevel::from_number)
                .ok_or_else(|| env.tf("session.override_pick", &[("value", &level_text)]))?;
            if Some(level) == cs.draft.assessment.computed.level {
                cs.draft.assessment.override_ = None;
                return Ok(());
            }
            crate::domain::criteria::scoring::check_override(
                &env.catalogue,
                &cs.draft.assessment.answers,
                &cs.draft.assessment.computed,
                level,
                &reason,
            )
            .map_err(|e| e.to_string())?;
            cs.draft.assessment.override_ = Some(Override {
                level,
                reason,
                by: None,
            });
        }
        FormFor::Intervention(i) => {
            let unit = form.value(0);
            let due_text = form.value(1);
            let due = if due_text.trim().is_empty() {
                None
            } else {
                Some(
                    parse_date(&due_text)
                        .ok_or_else(|| env.tf("session.bad_date", &[("value", &due_text)]))?,
                )
            };
            if unit.trim().is_empty() {
                return Err(env.t("session.unit_required").into());
            }
            let Some((def, _)) = cs.menu_item(env, i) else {
                return Ok(());
            };
            let kind = def.id.clone();
            match cs.draft.interventions.iter_mut().find(|x| x.kind == kind) {
                Some(x) => {
                    x.unit = unit;
                    x.due = due;
                }
                None => {
                    cs.toggle_intervention(env, i);
                    if let Some(x) = cs.draft.interventions.iter_mut().find(|x| x.kind == kind) {
                        x.unit = unit;
                        x.due = due;
                    }
                }
            }
        }
        FormFor::Police => {
            let at_text = form.value(0);
            let at = NaiveDateTime::parse_from_str(at_text.trim(), "%Y-%m-%d %H:%M")
                .map_err(|_| env.tf("session.bad_time", &[("value", &at_text)]))?;
            let unit = form.value(1);
            let receipt = form.value(2);
            if unit.trim().is_empty() || receipt.trim().is_empty() {
                return Err(env.t("session.police_required").into());
            }
            cs.draft.police_report = Some(PoliceReport {
                reported_at: at,
                unit,
                receipt,
            });
        }
        FormFor::NextReview => {
            let text = form.value(0);
            let date =
                parse_date(&text).ok_or_else(|| env.tf("session.bad_date", &[("value", &text)]))?;
            let latest = env
                .review()
                .next_review(cs.draft.decided_on, cs.final_level());
            if date <= cs.draft.decided_on || date > latest {
                return Err(env.tf(
                    "session.next_review_range",
                    &[
                        ("from", &cs.draft.decided_on.to_string()),
                        ("latest", &latest.to_string()),
                    ],
                ));
            }
            let kind = cs
                .draft
                .next_review
                .as_ref()
                .map(|r| r.kind)
                .unwrap_or(ReviewKind::Annual);
            cs.draft.next_review = Some(crate::domain::decision::NextReview { date, kind });
            cs.next_review_edited = true;
        }
        FormFor::Vote => {
            let n = |i: usize| -> Result<u32, String> {
                let v = form.value(i);
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| env.tf("session.bad_number", &[("value", &v)]))
            };
            cs.draft.vote = Vote {
                for_: n(0)?,
                against: n(1)?,
                abstain: n(2)?,
            };
        }
        FormFor::Dissent => cs.draft.dissent = form.value(0),
        FormFor::AmendReason => {
            let reason = form.value(0);
            if reason.trim().is_empty() {
                return Err(env.t("missing.amend_reason").into());
            }
            cs.draft.amend_reason = reason;
        }
        // Handled by the session, which holds the key.
        FormFor::Passphrase => {}
        FormFor::Defer => {
            if form.value(0).trim().is_empty() {
                return Err(env.t("session.defer_reason_required").into());
            }
        }
    }
    Ok(())
}

impl Session {
    fn key_inner(&mut self, env: &mut Env, key: KeyEvent) -> Outcome {
        let Some(cs) = self.current() else {
            return Outcome::Done;
        };
        let Some((_, form)) = cs.form.as_mut() else {
            return Outcome::Done;
        };
        match form.key(key) {
            FormKey::Submit => self.submit_form(env),
            FormKey::Handled => Outcome::Done,
        }
    }

    fn update_inner(&mut self, env: &mut Env, action: Action) -> Outcome {
        // A form takes Ctrl-S (save) and Esc (cancel).
        if self.editing() {
            return match action {
                Action::Save => self.submit_form(env),
                Action::Back => {
                    if let Some(cs) = self.current() {
                        cs.form = None;
                    }
                    Outcome::Done
                }
                _ => Outcome::Done,
            };
        }
        match &mut self.stage {
            Stage::Setup(_) => {
                if action == Action::Begin {
                    return self.begin(env);
                }
                setup::update(self, env, action)
            }
            Stage::End => match action {
                Action::EndSession => {
                    let id = self.id;
                    match env.store.write(|tx| panel::close_session(tx, id)) {
                        Ok(()) => Outcome::Pop,
                        Err(e) => Flash::error(e.to_string()),
                    }
                }
                Action::Up | Action::Down => Outcome::Done,
                Action::Open => Outcome::Done,
                Action::Back | Action::PrevStep => {
                    let last = self.agenda.len().saturating_sub(1);
                    self.go_to(env, last)
                }
                _ => Outcome::Ignored,
            },
            Stage::Case(_) => {
                if action == Action::Confirm {
                    if self.current_ref().is_some_and(|c| c.step == Step::Confirm) {
                        return self.seal(env);
                    }
                    return Outcome::Ignored;
                }
                if action == Action::Back {
                    // Esc from a case goes back to the roll call and agenda.
                    return match Setup::new(env, self) {
                        Ok(s) => {
                            self.stage = Stage::Setup(s);
                            Outcome::Done
                        }
                        Err(e) => Flash::error(e.0),
                    };
                }
                if action == Action::NextStep
                    && self.current_ref().is_some_and(|c| c.step == Step::Confirm)
                {
                    return Outcome::Done;
                }
                self.update_case(env, action)
            }
        }
    }

    /// Where the open form's text is autosaved, if it is free text worth keeping.
    fn form_place(&self, env: &Env) -> Option<String> {
        let cs = self.current_ref()?;
        let (purpose, _) = cs.form.as_ref()?;
        let what = match purpose {
            FormFor::Evidence(pos) => {
                format!(
                    "evidence:{}",
                    cs.catalogue_indicator(&env.catalogue, *pos)?.id
                )
            }
            FormFor::Override => "override".into(),
            FormFor::Police => "police".into(),
            FormFor::Dissent => "dissent".into(),
            FormFor::AmendReason => "amend_reason".into(),
            FormFor::Defer => "defer".into(),
            FormFor::Intervention(_)
            | FormFor::NextReview
            | FormFor::Vote
            | FormFor::Passphrase => return None,
        };
        Some(
            crate::tui::autosave::Place::SessionForm {
                session_id: self.id,
                case_id: cs.data.case.id,
                what,
            }
            .key(),
        )
    }

    /// After every key: a form that closed (saved or cancelled) ends its draft; a form
    /// that opened takes back a draft left by a crash.
    fn sync_draft(&mut self, env: &mut Env) {
        let now = self.form_place(env);
        if now.as_deref() == self.draft.as_ref().map(|(p, _)| p.as_str()) {
            return;
        }
        if let Some((old, _)) = self.draft.take() {
            let _ = env
                .store
                .write(|tx| crate::store::autosave::remove(tx, &old));
        }
        let Some(place) = now else { return };
        let found = crate::store::autosave::get(env.store.conn(), &place)
            .ok()
            .flatten();
        let restored = env.tf(
            "form.restored",
            &[(
                "at",
                &found
                    .as_ref()
                    .map(|d| d.saved_at.format("%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
            )],
        );
        let Some(cs) = self.current() else { return };
        let Some((_, form)) = cs.form.as_mut() else {
            return;
        };
        if let Some(d) = found
            && d.fields.len() == form.fields.len()
        {
            for (i, v) in d.fields.iter().enumerate() {
                form.set_value(i, v);
            }
            form.notice = Some(restored);
        }
        self.draft = Some((place, form.values()));
    }
}

impl View for Session {
    fn contexts(&self) -> Vec<Ctx> {
        match &self.stage {
            Stage::Setup(_) => vec![Ctx::Setup, Ctx::List],
            Stage::End => vec![Ctx::End, Ctx::List],
            Stage::Case(_) => {
                let step = self.current_ref().map(|c| c.step).unwrap_or(Step::Summary);
                match step {
                    Step::Scoring => vec![Ctx::Scoring, Ctx::Session, Ctx::List],
                    Step::Decision => vec![Ctx::Decision, Ctx::Session, Ctx::List],
                    Step::Confirm => vec![Ctx::Confirm, Ctx::Session, Ctx::List],
                    _ => vec![Ctx::Session, Ctx::List],
                }
            }
        }
    }

    fn title(&self, env: &Env) -> String {
        render::title(self, env)
    }

    fn shows_date(&self) -> bool {
        false
    }

    fn editing(&self) -> bool {
        self.current_ref().is_some_and(|c| c.form.is_some())
    }

    fn key(&mut self, env: &mut Env, key: KeyEvent) -> Outcome {
        let out = self.key_inner(env, key);
        self.sync_draft(env);
        out
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        let out = self.update_inner(env, action);
        self.sync_draft(env);
        out
    }

    fn autosave(&mut self, env: &mut Env) -> Outcome {
        let Some((place, saved)) = self.draft.clone() else {
            return Outcome::Done;
        };
        let Some(values) = self
            .current_ref()
            .and_then(|c| c.form.as_ref())
            .map(|(_, f)| f.values())
        else {
            return Outcome::Done;
        };
        if values == saved {
            return Outcome::Done;
        }
        let now = env.now();
        match env
            .store
            .write(|tx| crate::store::autosave::put(tx, &place, &values, now))
        {
            Ok(()) => {
                self.draft = Some((place, values));
                Outcome::Done
            }
            Err(e) => Flash::error(env.tf("autosave.failed", &[("error", &e.to_string())])),
        }
    }

    fn paste(&mut self, _env: &mut Env, text: &str) -> Outcome {
        if let Some(cs) = self.current()
            && let Some((_, form)) = cs.form.as_mut()
        {
            form.paste(text);
        }
        Outcome::Done
    }

    fn refresh(&mut self, env: &mut Env) {
        if let Some(cs) = self.current()
            && let Ok(data) = case::CaseData::load(env, cs.data.case.id)
        {
            cs.data = data;
            cs.recompute(env);
        }
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        render::render(self, env, frame, area)
    }
}
