//! Drafts left by a crash, a kill or a power cut: text that was being typed and never
//! saved. Shown when the program starts and such drafts exist. Enter opens the place the
//! text was typed, with the text back in it; `x` discards a draft (asked twice).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cli::Failure;
use crate::domain::case::case_number;
use crate::store::autosave::{self, Draft};
use crate::store::{decisions, reports};
use crate::text;
use crate::tui::action::Action;
use crate::tui::autosave::Place;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Flash, Outcome, View};
use crate::tui::widgets::section_title;

use super::session::Session;
use super::visit_editor::VisitEditor;

pub struct Drafts {
    drafts: Vec<(Draft, Option<Place>)>,
    selected: usize,
    /// `x` was pressed once on this draft.
    discarding: Option<usize>,
}

impl Drafts {
    pub fn open(env: &Env) -> Result<Drafts, Failure> {
        let mut d = Drafts {
            drafts: Vec::new(),
            selected: 0,
            discarding: None,
        };
        d.load(env)?;
        Ok(d)
    }

    /// Whether any draft waits: the app opens this screen at start only then.
    pub fn any(env: &Env) -> bool {
        autosave::all(env.store.conn()).is_ok_and(|d| !d.is_empty())
    }

    fn load(&mut self, env: &Env) -> Result<(), Failure> {
        self.drafts = autosave::all(env.store.conn())?
            .into_iter()
            .map(|d| {
                let p = Place::parse(&d.place);
                (d, p)
            })
            .collect();
        self.selected = self.selected.min(self.drafts.len().saturating_sub(1));
        Ok(())
    }

    fn describe(env: &Env, place: Option<&Place>) -> String {
        match place {
            Some(Place::Visit {
                case_id,
                visit_id: None,
            }) => env.tf("drafts.visit_new", &[("case", &case_number(*case_id))]),
            Some(Place::Visit { case_id, .. }) => {
                env.tf("drafts.visit_edit", &[("case", &case_number(*case_id))])
            }
            Some(Place::FollowUp { case_id, .. }) => {
                env.tf("drafts.follow_up", &[("case", &case_number(*case_id))])
            }
            Some(Place::SessionForm {
                session_id,
                case_id,
                what,
            }) => env.tf(
                "drafts.session",
                &[
                    ("session", &format!("S-{session_id:06}")),
                    ("case", &case_number(*case_id)),
                    ("what", &Self::what(env, what)),
                ],
            ),
            None => env.t("drafts.unknown").to_string(),
        }
    }

    fn what(env: &Env, what: &str) -> String {
        match what.split_once(':') {
            Some(("evidence", id)) => env.tf("drafts.what_evidence", &[("id", id)]),
            _ => match what {
                "override" => env.t("session.override_reason").into(),
                "police" => env.t("session.police_title").into(),
                "dissent" => env.t("session.dissent").into(),
                "amend_reason" => env.t("session.amend_reason").into(),
                "defer" => env.t("session.defer_reason").into(),
                other => text::sanitize_line(other),
            },
        }
    }

    fn open_selected(&mut self, env: &mut Env) -> Outcome {
        let Some((_, place)) = self.drafts.get(self.selected) else {
            return Outcome::Done;
        };
        match place.clone() {
            Some(Place::Visit { case_id, visit_id }) => {
                let existing = match visit_id {
                    Some(id) => match reports::visits(env.store.conn(), case_id) {
                        Ok(v) => v.into_iter().find(|v| v.id == id),
                        Err(e) => return Flash::error(e.to_string()),
                    },
                    None => None,
                };
                if visit_id.is_some() && existing.is_none() {
                    return Flash::error(env.t("drafts.gone"));
                }
                Outcome::Replace(Box::new(VisitEditor::new(env, case_id, existing)))
            }
            Some(Place::FollowUp {
                case_id,
                decision_id,
                position,
            }) => {
                let kind = decisions::interventions(env.store.conn(), decision_id)
                    .ok()
                    .and_then(|list| list.into_iter().nth(position))
                    .map(|(iv, _, _)| iv.kind);
                let Some(kind) = kind else {
                    return Flash::error(env.t("drafts.gone"));
                };
                let name = env
                    .catalogue
                    .interventions
                    .iter()
                    .find(|d| d.id == kind)
                    .map(|d| match env.lang {
                        crate::i18n::Lang::Zh => d.zh.clone(),
                        crate::i18n::Lang::En => d.en.clone(),
                    })
                    .unwrap_or(kind);
                Outcome::Replace(Box::new(VisitEditor::follow_up(
                    env,
                    case_id,
                    decision_id,
                    position,
                    &name,
                )))
            }
            Some(Place::SessionForm { .. }) => match Session::open(env) {
                Ok(s) => Outcome::Replace(Box::new(s)),
                Err(e) => Flash::error(e.0),
            },
            None => Flash::error(env.t("drafts.unknown")),
        }
    }
}

impl View for Drafts {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::Drafts, Ctx::List]
    }

    fn title(&self, env: &Env) -> String {
        env.t("drafts.title").to_string()
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        let n = self.drafts.len();
        if action != Action::Discard {
            self.discarding = None;
        }
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::First => self.selected = 0,
            Action::Last => self.selected = n.saturating_sub(1),
            Action::Open => return self.open_selected(env),
            Action::Discard => {
                let Some((d, _)) = self.drafts.get(self.selected) else {
                    return Outcome::Done;
                };
                if self.discarding != Some(self.selected) {
                    self.discarding = Some(self.selected);
                    return Flash::error(env.t("drafts.discard_again"));
                }
                let place = d.place.clone();
                if let Err(e) = env.store.write(|tx| autosave::remove(tx, &place)) {
                    return Flash::error(e.to_string());
                }
                self.discarding = None;
                if let Err(e) = self.load(env) {
                    return Flash::error(e.0);
                }
                if self.drafts.is_empty() {
                    return Outcome::Pop;
                }
                return Flash::ok(env.t("drafts.discarded"));
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = &env.theme;
        let [_, intro, _, title, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let w = usize::from(area.width);
        let intro_lines: Vec<Line<'_>> = text::wrap(env.t("drafts.intro"), w.saturating_sub(4))
            .into_iter()
            .take(4)
            .map(|l| Line::styled(format!("  {l}"), th.warn()))
            .collect();
        frame.render_widget(Paragraph::new(intro_lines), intro);
        section_title(
            frame,
            title,
            env,
            &env.tf("drafts.count", &[("n", &self.drafts.len().to_string())]),
        );
        let mut lines = Vec::new();
        for (i, (d, place)) in self.drafts.iter().enumerate() {
            let sel = i == self.selected;
            let first = d
                .fields
                .iter()
                .rev()
                .find(|f| !f.trim().is_empty())
                .map(|f| text::sanitize_line(f))
                .unwrap_or_default();
            let row = format!(
                " {} {}  {}  {}",
                if sel { th.cursor() } else { " " },
                d.saved_at.format("%Y-%m-%d %H:%M"),
                Self::describe(env, place.as_ref()),
                first
            );
            let style = if sel { th.selected() } else { th.text() };
            lines.push(Line::from(Span::styled(
                text::pad(&text::truncate_with(&row, w, th.ellipsis()), w),
                style,
            )));
        }
        frame.render_widget(Paragraph::new(lines), list);
    }
}
