//! One case in a session: what the panel reads (the file), and what it decides (the draft).

use std::collections::BTreeSet;

use crate::cli::Failure;
use crate::domain::assessment::{Answer, AnswerEntry, Assessment};
use crate::domain::case::Case;
use crate::domain::child::Child;
use crate::domain::criteria::{Catalogue, scoring};
use crate::domain::decision::PoliceReport;
use crate::domain::decision::{Decision, Intervention, Missing, NextReview, ReviewKind, Vote};
use crate::domain::guardian::Guardian;
use crate::domain::level::RiskLevel;
use crate::domain::report::Report;
use crate::domain::visit::HomeVisit;
use crate::store::cases::ReviewRequest;
use crate::store::decisions::SealRules;
use crate::store::{cases, children, decisions, panel, regions, reports};
use crate::tui::env::Env;
use crate::tui::widgets::form::Form;

/// The steps of one case, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Summary,
    Notes,
    Conflicts,
    Scoring,
    Decision,
    Confirm,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Summary,
        Step::Notes,
        Step::Conflicts,
        Step::Scoring,
        Step::Decision,
        Step::Confirm,
    ];

    pub fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).expect("listed")
    }

    pub fn next(self) -> Step {
        Step::ALL[(self.index() + 1).min(Step::ALL.len() - 1)]
    }

    pub fn prev(self) -> Step {
        Step::ALL[self.index().saturating_sub(1)]
    }

    pub fn key(self) -> &'static str {
        match self {
            Step::Summary => "session.step.summary",
            Step::Notes => "session.step.notes",
            Step::Conflicts => "session.step.conflicts",
            Step::Scoring => "session.step.scoring",
            Step::Decision => "session.step.decision",
            Step::Confirm => "session.step.confirm",
        }
    }
}

/// The case file as the panel reads it.
pub struct CaseData {
    pub case: Case,
    pub child: Child,
    pub guardians: Vec<Guardian>,
    pub region: String,
    pub reports: Vec<Report>,
    pub visits: Vec<HomeVisit>,
    pub last: Option<Decision>,
    pub police: Vec<(i64, PoliceReport)>,
    pub requests: Vec<ReviewRequest>,
}

impl CaseData {
    pub fn load(env: &Env, case_id: i64) -> Result<CaseData, Failure> {
        let c = env.store.conn();
        let case =
            cases::get(c, case_id)?.ok_or_else(|| Failure(format!("case {case_id} is gone")))?;
        let child = children::get(c, case.child_id)?
            .ok_or_else(|| Failure(format!("the child of case {case_id} is gone")))?;
        Ok(CaseData {
            guardians: children::guardians(c, child.id)?,
            region: regions::path_name(c, &child.region)?,
            reports: reports::of_case(c, case_id)?,
            visits: reports::visits(c, case_id)?,
            last: decisions::latest_sealed(c, case_id)?,
            police: cases::police_reports(c, case_id)?,
            requests: cases::open_review_requests(c, case_id)?,
            case,
            child,
        })
    }
}

/// A row of the decision step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionRow {
    /// Why the earlier decision is corrected (amendments only).
    AmendReason,
    Level,
    /// An intervention of the final level's menu, by its index in the menu.
    Intervention(usize),
    Police,
    NextReview,
    Vote,
    Dissent,
}

/// What the open form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFor {
    Evidence(usize),
    Override,
    Intervention(usize),
    Police,
    NextReview,
    Vote,
    Dissent,
    Defer,
    AmendReason,
    /// The signing key's passphrase, asked once per session.
    Passphrase,
}

/// One case being worked on in the session.
pub struct CaseState {
    pub data: CaseData,
    pub step: Step,
    pub draft: Decision,
    pub conflicted: BTreeSet<i64>,
    /// Indicator indices in display order (level 1 first).
    pub order: Vec<usize>,
    pub scoring_sel: usize,
    pub decision_sel: usize,
    pub conflict_sel: usize,
    pub scroll: u16,
    pub form: Option<(FormFor, Form)>,
    pub next_review_edited: bool,
    pub missing: Vec<Missing>,
}

impl CaseState {
    /// Opens a case of the session: a fresh draft, or the sealed decision when the session
    /// already decided it (`decision_id`).
    pub fn open(
        env: &Env,
        session_id: i64,
        case_id: i64,
        present: &[i64],
        decision_id: Option<i64>,
    ) -> Result<CaseState, Failure> {
        let data = CaseData::load(env, case_id)?;
        let conflicted = panel::conflicts(env.store.conn(), session_id, case_id)?;
        let cat = &env.catalogue;
        let mut order: Vec<usize> = (0..cat.indicators.len()).collect();
        order.sort_by_key(|i| cat.indicators[*i].level.number());
        let answers = Default::default();
        let computed = scoring::score(cat, &answers);
        let today = env.today();
        let draft = Decision::draft(
            case_id,
            Some(session_id),
            today,
            Assessment {
                catalogue: cat.reference(),
                answers,
                computed,
                override_: None,
                by_member: Default::default(),
            },
        );
        let mut s = CaseState {
            data,
            step: Step::Summary,
            draft,
            conflicted,
            order,
            scoring_sel: 0,
            decision_sel: 0,
            conflict_sel: 0,
            scroll: 0,
            form: None,
            next_review_edited: false,
            missing: Vec::new(),
        };
        if let Some(id) = decision_id
            && let Some(sealed) = decisions::get(env.store.conn(), id)?
        {
            s.draft = sealed;
            s.next_review_edited = true;
            return Ok(s);
        }
        s.set_attendance(present);
        s.draft.vote = Vote {
            for_: s.draft.voting_members.len() as u32,
            against: 0,
            abstain: 0,
        };
        s.recompute(env);
        Ok(s)
    }

    /// The sealed decision an amendment would correct: the one this session just sealed,
    /// else the case's current decision.
    pub fn amendable(&self) -> Option<&Decision> {
        if self.draft.status == crate::domain::decision::DecisionStatus::Sealed {
            Some(&self.draft)
        } else {
            self.data.last.as_ref()
        }
    }

    /// Replaces the draft with a correction of `old`: its answers, evidence, override,
    /// interventions and next review carried over (scored again on today's catalogue), a
    /// fresh vote by the members present, and the reason still to be written.
    pub fn start_amendment(&mut self, env: &Env, old: &Decision, session_id: i64, present: &[i64]) {
        let mut assessment = old.assessment.clone();
        assessment.catalogue = env.catalogue.reference();
        assessment.by_member = Default::default();
        self.draft = Decision::amendment_of(old, Some(session_id), env.today(), assessment);
        self.next_review_edited = true;
        self.set_attendance(present);
        self.draft.vote = Vote {
            for_: self.draft.voting_members.len() as u32,
            against: 0,
            abstain: 0,
        };
        self.step = Step::Decision;
        self.decision_sel = 0;
        self.scroll = 0;
        self.recompute(env);
    }

    /// Voting members: those present less those who declared a conflict.
    pub fn set_attendance(&mut self, present: &[i64]) {
        self.draft.voting_members = present
            .iter()
            .copied()
            .filter(|m| !self.conflicted.contains(m))
            .collect();
        self.draft.recused = present
            .iter()
            .copied()
            .filter(|m| self.conflicted.contains(m))
            .collect();
    }

    pub fn catalogue_indicator<'a>(
        &self,
        cat: &'a Catalogue,
        pos: usize,
    ) -> Option<&'a crate::domain::criteria::Indicator> {
        self.order.get(pos).map(|i| &cat.indicators[*i])
    }

    pub fn answer(&self, id: &str) -> Option<Answer> {
        self.draft.assessment.answers.get(id).map(|e| e.answer)
    }

    /// The previous decision's answer to an indicator, if it used the same id.
    pub fn previous_answer(&self, id: &str) -> Option<Answer> {
        self.data
            .last
            .as_ref()
            .and_then(|d| d.assessment.answers.get(id))
            .map(|e| e.answer)
    }

    pub fn set_answer(&mut self, env: &Env, answer: Answer) {
        let Some(ind) = self.catalogue_indicator(&env.catalogue, self.scoring_sel) else {
            return;
        };
        let id = ind.id.clone();
        let entry = self
            .draft
            .assessment
            .answers
            .entry(id)
            .or_insert(AnswerEntry {
                answer,
                evidence: String::new(),
            });
        entry.answer = answer;
        self.recompute(env);
    }

    pub fn set_evidence(&mut self, env: &Env, pos: usize, evidence: String) {
        let Some(ind) = self.catalogue_indicator(&env.catalogue, pos) else {
            return;
        };
        let id = ind.id.clone();
        let entry = self
            .draft
            .assessment
            .answers
            .entry(id)
            .or_insert(AnswerEntry {
                answer: Answer::Unknown,
                evidence: String::new(),
            });
        entry.evidence = evidence;
    }

    pub fn final_level(&self) -> Option<RiskLevel> {
        self.draft.final_level()
    }

    /// Re-scores, keeps the interventions and the next review in step with the final level,
    /// and re-checks what is missing.
    pub fn recompute(&mut self, env: &Env) {
        let cat = &env.catalogue;
        self.draft.assessment.computed = scoring::score(cat, &self.draft.assessment.answers);
        let level = self.final_level();
        match level {
            Some(l) => {
                let menu: Vec<&str> = cat.menu(l).map(|i| i.id.as_str()).collect();
                self.draft
                    .interventions
                    .retain(|i| menu.contains(&i.kind.as_str()));
            }
            None => self.draft.interventions.clear(),
        }
        if !self.next_review_edited {
            let kind = self
                .draft
                .next_review
                .as_ref()
                .map(|r| r.kind)
                .unwrap_or(ReviewKind::Annual);
            self.draft.next_review = Some(NextReview {
                date: env.review().next_review(self.draft.decided_on, level),
                kind,
            });
        }
        self.decision_sel = self
            .decision_sel
            .min(self.decision_rows(env).len().saturating_sub(1));
        let rules = SealRules {
            catalogue: cat,
            quorum: env.config.quorum,
            review: env.review(),
        };
        self.missing =
            decisions::missing_for_seal(env.store.conn(), &self.draft, &rules).unwrap_or_default();
    }

    /// The rows of the decision step for the current final level.
    pub fn decision_rows(&self, env: &Env) -> Vec<DecisionRow> {
        let mut rows = Vec::new();
        if self.draft.amends.is_some() {
            rows.push(DecisionRow::AmendReason);
        }
        rows.push(DecisionRow::Level);
        if let Some(l) = self.final_level() {
            rows.extend((0..env.catalogue.menu(l).count()).map(DecisionRow::Intervention));
        }
        if !scoring::reportable_met(&env.catalogue, &self.draft.assessment.answers).is_empty() {
            rows.push(DecisionRow::Police);
        }
        rows.extend([
            DecisionRow::NextReview,
            DecisionRow::Vote,
            DecisionRow::Dissent,
        ]);
        rows
    }

    /// The menu entry behind an intervention row, and whether it is chosen.
    pub fn menu_item<'a>(
        &self,
        env: &'a Env,
        idx: usize,
    ) -> Option<(
        &'a crate::domain::criteria::InterventionDef,
        Option<&Intervention>,
    )> {
        let l = self.final_level()?;
        let def = env.catalogue.menu(l).nth(idx)?;
        let chosen = self.draft.interventions.iter().find(|i| i.kind == def.id);
        Some((def, chosen))
    }

    pub fn toggle_intervention(&mut self, env: &Env, idx: usize) {
        let Some((def, chosen)) = self.menu_item(env, idx) else {
            return;
        };
        let id = def.id.clone();
        if chosen.is_some() {
            self.draft.interventions.retain(|i| i.kind != id);
        } else {
            let unit = def.default_unit.clone().unwrap_or_default();
            self.draft.interventions.push(Intervention {
                kind: id,
                unit,
                due: None,
            });
            // Keep the menu's order, so the record reads the same whatever the clicks.
            let order: Vec<String> = self
                .final_level()
                .map(|l| env.catalogue.menu(l).map(|d| d.id.clone()).collect())
                .unwrap_or_default();
            self.draft
                .interventions
                .sort_by_key(|i| order.iter().position(|o| *o == i.kind));
        }
        self.recompute(env);
    }

    /// A police report already recorded on the case satisfies the reporting rule.
    pub fn police_on_file(&self) -> Option<&PoliceReport> {
        self.draft
            .police_report
            .as_ref()
            .or_else(|| self.data.police.first().map(|(_, p)| p))
    }
}
