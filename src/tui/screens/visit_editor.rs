//! The home-visit editor (家访记录): date, visitors, place, people met and the notes. Typing
//! edits; Tab / Shift-Tab move between the fields; Ctrl-S checks and saves; Esc leaves, and
//! asks for a second Esc when there are unsaved changes.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::domain::case::case_number;
use crate::domain::visit::HomeVisit;
use crate::store::{autosave, cases, children, queue, reports};
use crate::text;
use crate::tui::action::Action;
use crate::tui::autosave::Place;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Flash, Outcome, View};
use crate::tui::widgets::input::{MAX_CHARS, TextInput};

use super::case_list::group_digits;

const DATE: usize = 0;
const VISITORS: usize = 1;
const PLACE: usize = 2;
const PEOPLE: usize = 3;
const NOTES: usize = 4;
const FIELDS: usize = 5;

pub struct VisitEditor {
    case_id: i64,
    /// The visit being edited; None for a new one.
    visit_id: Option<i64>,
    /// A follow-up visit (跟踪回访): the sealed decision and the intervention's position it
    /// is recorded against, and the intervention's name for the heading.
    follow_up: Option<(i64, usize, String)>,
    child_name: String,
    inputs: Vec<TextInput>,
    /// The values as opened, to know whether anything changed.
    initial: Vec<String>,
    focus: usize,
    /// Esc was pressed once with unsaved changes.
    warned: bool,
    /// The last check's complaint, with the field it is about.
    error: Option<(usize, String)>,
    /// Where an autosaved draft of this editor is kept.
    place: String,
    /// The values last autosaved (or restored), to write only what changed.
    autosaved: Vec<String>,
    /// When the draft this editor was opened with had been autosaved.
    restored: Option<chrono::NaiveDateTime>,
}

impl VisitEditor {
    /// An editor for a new visit on `case_id` (dated today), or for `existing`.
    pub fn new(env: &Env, case_id: i64, existing: Option<HomeVisit>) -> VisitEditor {
        let place = Place::Visit {
            case_id,
            visit_id: existing.as_ref().map(|v| v.id),
        };
        VisitEditor::at(env, case_id, existing, place)
    }

    /// The editor, with the draft autosaved at `place` if there is one.
    fn at(env: &Env, case_id: i64, existing: Option<HomeVisit>, place: Place) -> VisitEditor {
        let values: Vec<String> = match &existing {
            Some(v) => vec![
                v.visited_on.format("%Y-%m-%d").to_string(),
                v.visitors.clone(),
                v.place.clone(),
                v.people_met.clone(),
                v.notes.clone(),
            ],
            None => vec![
                env.today().format("%Y-%m-%d").to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        };
        let place = place.key();
        let draft = autosave::get(env.store.conn(), &place)
            .ok()
            .flatten()
            .filter(|d| d.fields.len() == FIELDS);
        let make = |values: &[String]| -> Vec<TextInput> {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if i == NOTES {
                        TextInput::multi_line(v)
                    } else {
                        TextInput::single_line(v)
                    }
                })
                .collect()
        };
        // What the fields hold after their own cleaning: the baseline for "changed".
        let initial: Vec<String> = make(&values).iter().map(TextInput::text).collect();
        let (inputs, restored) = match &draft {
            Some(d) => (make(&d.fields), Some(d.saved_at)),
            None => (make(&values), None),
        };
        let autosaved = inputs.iter().map(TextInput::text).collect();
        let existing_is_some = existing.is_some();
        let child_name = cases::get(env.store.conn(), case_id)
            .ok()
            .flatten()
            .and_then(|c| children::get(env.store.conn(), c.child_id).ok().flatten())
            .map(|c| text::sanitize_line(&c.name))
            .unwrap_or_default();
        VisitEditor {
            case_id,
            visit_id: existing.map(|v| v.id),
            follow_up: None,
            child_name,
            inputs,
            initial,
            // A new visit starts with who went (the date is already today); an old one
            // with its notes.
            focus: if existing_is_some { NOTES } else { VISITORS },
            warned: false,
            error: None,
            place,
            autosaved,
            restored,
        }
    }

    fn values(&self) -> Vec<String> {
        self.inputs.iter().map(TextInput::text).collect()
    }

    /// Forgets the autosaved draft (the officer discarded the text).
    fn discard_draft(&self, env: &mut Env) {
        let place = self.place.clone();
        let _ = env.store.write(|tx| autosave::remove(tx, &place));
    }

    /// An editor for a new follow-up visit on intervention `position` of the sealed
    /// decision `decision_id` (named `intervention` in the heading).
    pub fn follow_up(
        env: &Env,
        case_id: i64,
        decision_id: i64,
        position: usize,
        intervention: &str,
    ) -> VisitEditor {
        let place = Place::FollowUp {
            case_id,
            decision_id,
            position,
        };
        let mut e = VisitEditor::at(env, case_id, None, place);
        e.follow_up = Some((decision_id, position, text::sanitize_line(intervention)));
        e
    }

    fn title_key(&self) -> &'static str {
        if self.visit_id.is_some() {
            "visit.title_edit"
        } else if self.follow_up.is_some() {
            "visit.title_follow_up"
        } else {
            "visit.title_new"
        }
    }

    fn dirty(&self) -> bool {
        self.inputs
            .iter()
            .map(TextInput::text)
            .zip(&self.initial)
            .any(|(a, b)| a != *b)
    }

    fn label(env: &Env, field: usize) -> &'static str {
        match field {
            DATE => env.t("visit.date"),
            VISITORS => env.t("visit.visitors"),
            PLACE => env.t("visit.place"),
            PEOPLE => env.t("visit.people_met_label"),
            _ => env.t("visit.notes"),
        }
    }

    fn fail(&mut self, field: usize, message: String) -> Outcome {
        self.focus = field;
        self.error = Some((field, message.clone()));
        Flash::error(message)
    }

    /// Checks the fields; the visit to save, or the complaint.
    fn check(&mut self, env: &Env) -> Result<HomeVisit, Outcome> {
        let date_text = text::sanitize_line(&self.inputs[DATE].text());
        let today = env.today();
        let Ok(date) = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d") else {
            let msg = env.tf(
                "visit.err_date",
                &[
                    ("field", Self::label(env, DATE)),
                    ("example", &today.format("%Y-%m-%d").to_string()),
                ],
            );
            return Err(self.fail(DATE, msg));
        };
        if date > today {
            let msg = env.tf(
                "visit.err_date_future",
                &[
                    ("field", Self::label(env, DATE)),
                    ("date", &date.to_string()),
                    ("today", &today.to_string()),
                ],
            );
            return Err(self.fail(DATE, msg));
        }
        let notes = self.inputs[NOTES].text();
        if notes.trim().is_empty() {
            let msg = env.tf(
                "visit.err_notes_empty",
                &[("field", Self::label(env, NOTES))],
            );
            return Err(self.fail(NOTES, msg));
        }
        Ok(HomeVisit {
            id: self.visit_id.unwrap_or(0),
            case_id: self.case_id,
            visited_on: date,
            visitors: text::sanitize_line(&self.inputs[VISITORS].text()),
            place: text::sanitize_line(&self.inputs[PLACE].text()),
            people_met: text::sanitize_line(&self.inputs[PEOPLE].text()),
            notes,
        })
    }

    fn save(&mut self, env: &mut Env) -> Outcome {
        let visit = match self.check(env) {
            Ok(v) => v,
            Err(out) => return out,
        };
        let place = self.place.clone();
        // The visit and the end of its draft: one transaction.
        let result = if self.visit_id.is_some() {
            env.store.write(|tx| {
                reports::update_visit(tx, &visit)?;
                autosave::remove(tx, &place)
            })
        } else if let Some((decision_id, position, _)) = &self.follow_up {
            let (decision_id, position) = (*decision_id, *position);
            env.store.write(|tx| {
                queue::record_follow_up(tx, decision_id, position, &visit)?;
                autosave::remove(tx, &place)
            })
        } else {
            env.store.write(|tx| {
                reports::insert_visit(tx, &visit)?;
                autosave::remove(tx, &place)
            })
        };
        match result {
            Ok(()) => Outcome::Pop,
            Err(e) => {
                let msg = env.tf("visit.err_save", &[("error", &e.to_string())]);
                self.error = Some((self.focus, msg.clone()));
                Flash::error(msg)
            }
        }
    }

    fn render_line_field(
        &mut self,
        env: &Env,
        frame: &mut Frame<'_>,
        area: Rect,
        field: usize,
        label_w: usize,
    ) {
        let th = env.theme;
        let focused = field == self.focus;
        let label = format!(
            " {} {}",
            if focused { th.cursor() } else { " " },
            text::pad(Self::label(env, field), label_w)
        );
        let lw = text::width(&label) as u16 + 2;
        let [l, input, hint] = Layout::horizontal([
            Constraint::Length(lw),
            Constraint::Length(if field == DATE {
                12
            } else {
                area.width.saturating_sub(lw)
            }),
            Constraint::Min(0),
        ])
        .areas(area);
        let label_style = if self.error.as_ref().is_some_and(|(f, _)| *f == field) {
            th.error()
        } else if focused {
            th.key()
        } else {
            th.text()
        };
        frame.render_widget(Paragraph::new(Span::styled(label, label_style)), l);
        if field == DATE {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    text::truncate_with(
                        &format!("  {}", env.t("visit.date_hint")),
                        usize::from(hint.width),
                        th.ellipsis(),
                    ),
                    th.dim(),
                )),
                hint,
            );
        }
        if focused {
            self.inputs[field].render(frame, input, None, th.selected());
        } else {
            let shown = text::truncate_with(
                &self.inputs[field].text(),
                usize::from(input.width),
                th.ellipsis(),
            );
            frame.render_widget(Paragraph::new(Span::styled(shown, th.text())), input);
        }
    }
}

impl View for VisitEditor {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::Input]
    }

    fn title(&self, env: &Env) -> String {
        let key = self.title_key();
        let name = env.name(&self.child_name, false);
        format!("{} · {} {}", env.t(key), case_number(self.case_id), name)
    }

    fn editing(&self) -> bool {
        true
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        match action {
            Action::Save => self.save(env),
            Action::Back => {
                if self.dirty() && !self.warned {
                    self.warned = true;
                    let keys = |a: Action| {
                        env.keymap
                            .keys_for(&[Ctx::Input], a)
                            .map(|k| k.to_string())
                            .unwrap_or_default()
                    };
                    Flash::error(env.tf(
                        "visit.unsaved",
                        &[("back", &keys(Action::Back)), ("save", &keys(Action::Save))],
                    ))
                } else {
                    self.discard_draft(env);
                    Outcome::Pop
                }
            }
            _ => Outcome::Done,
        }
    }

    fn autosave(&mut self, env: &mut Env) -> Outcome {
        let values = self.values();
        if values == self.autosaved {
            return Outcome::Done;
        }
        let place = self.place.clone();
        let now = env.now();
        let result = if self.dirty() {
            env.store
                .write(|tx| autosave::put(tx, &place, &values, now))
        } else {
            env.store.write(|tx| autosave::remove(tx, &place))
        };
        match result {
            Ok(()) => {
                self.autosaved = values;
                Outcome::Done
            }
            Err(e) => Flash::error(env.tf("autosave.failed", &[("error", &e.to_string())])),
        }
    }

    fn key(&mut self, _env: &mut Env, key: KeyEvent) -> Outcome {
        let single = self.focus != NOTES;
        match key.code {
            KeyCode::Tab => self.focus = (self.focus + 1) % FIELDS,
            KeyCode::BackTab => self.focus = (self.focus + FIELDS - 1) % FIELDS,
            KeyCode::Down | KeyCode::Enter if single => self.focus += 1,
            KeyCode::Up if single => self.focus = self.focus.saturating_sub(1),
            _ => {
                if self.inputs[self.focus].key(key) {
                    self.warned = false;
                    if self.error.as_ref().is_some_and(|(f, _)| *f == self.focus) {
                        self.error = None;
                    }
                }
            }
        }
        Outcome::Done
    }

    fn paste(&mut self, _env: &mut Env, text: &str) -> Outcome {
        self.inputs[self.focus].paste(text);
        self.warned = false;
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = env.theme;
        let [
            head,
            _,
            date,
            visitors,
            place,
            people,
            _,
            notes_head,
            notes,
            error,
            hint,
        ] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(u16::from(self.error.is_some())),
            Constraint::Length(1),
        ])
        .areas(area);
        let name = env.name(&self.child_name, false);
        let mut heading = format!(
            " {} · {} {}",
            env.t(self.title_key()),
            case_number(self.case_id),
            name
        );
        if let Some((_, _, iv)) = &self.follow_up {
            heading.push_str(&format!(" · {iv}"));
        }
        let mut head_spans = vec![Span::styled(
            text::truncate_with(&heading, usize::from(head.width), th.ellipsis()),
            th.heading(),
        )];
        if self.dirty() {
            let used = text::width(&head_spans[0].content);
            let mark = match self.restored {
                Some(at) => format!(
                    "  {}",
                    env.tf(
                        "visit.restored",
                        &[("at", &at.format("%m-%d %H:%M").to_string())]
                    )
                ),
                None => format!("  {}", env.t("visit.modified")),
            };
            if used + text::width(&mark) <= usize::from(head.width) {
                head_spans.push(Span::styled(mark, th.warn()));
            }
        }
        frame.render_widget(Paragraph::new(Line::from(head_spans)), head);

        let label_w = (0..FIELDS)
            .map(|f| text::width(Self::label(env, f)))
            .max()
            .unwrap_or(0);
        for (field, area) in [
            (DATE, date),
            (VISITORS, visitors),
            (PLACE, place),
            (PEOPLE, people),
        ] {
            self.render_line_field(env, frame, area, field, label_w);
        }

        // The notes: label and count on one line, the editor in a box below.
        let focused = self.focus == NOTES;
        let chars = self.inputs[NOTES].text().chars().count();
        let count = env.tf(
            "visit.count",
            &[
                ("n", &group_digits(chars)),
                ("max", &group_digits(MAX_CHARS)),
            ],
        );
        let (count, count_style) = if self.inputs[NOTES].too_long {
            (format!("{count} · {}", env.t("visit.too_long")), th.error())
        } else {
            (count, th.dim())
        };
        let label = format!(
            " {} {}",
            if focused { th.cursor() } else { " " },
            Self::label(env, NOTES)
        );
        let label_style = if self.error.as_ref().is_some_and(|(f, _)| *f == NOTES) {
            th.error()
        } else if focused {
            th.key()
        } else {
            th.text()
        };
        let pad = usize::from(notes_head.width)
            .saturating_sub(text::width(&label) + text::width(&count) + 1);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, label_style),
                Span::raw(" ".repeat(pad)),
                Span::styled(count, count_style),
            ])),
            notes_head,
        );
        let box_area = Rect {
            x: notes.x + 1,
            width: notes.width.saturating_sub(2),
            ..notes
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(th.border())
            .border_style(if focused { th.key() } else { th.dim() });
        if focused {
            self.inputs[NOTES].render(frame, box_area, Some(block), th.text());
        } else {
            let inner = block.inner(box_area);
            frame.render_widget(block, box_area);
            let lines: Vec<Line<'_>> =
                text::wrap(&self.inputs[NOTES].text(), usize::from(inner.width.max(2)))
                    .into_iter()
                    .take(usize::from(inner.height))
                    .map(|l| Line::styled(l, th.text()))
                    .collect();
            frame.render_widget(Paragraph::new(lines), inner);
        }

        if let Some((_, msg)) = &self.error {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    text::truncate_with(
                        &format!(" {msg}"),
                        usize::from(error.width),
                        th.ellipsis(),
                    ),
                    th.error(),
                )),
                error,
            );
        }
        let keys = |a: Action| {
            env.keymap
                .keys_for(&[Ctx::Input], a)
                .map(|k| k.to_string())
                .unwrap_or_default()
        };
        let hint_text = env.tf(
            "visit.keys",
            &[("save", &keys(Action::Save)), ("back", &keys(Action::Back))],
        );
        frame.render_widget(
            Paragraph::new(Span::styled(
                text::truncate_with(
                    &format!(" {hint_text}"),
                    usize::from(hint.width),
                    th.ellipsis(),
                ),
                th.dim(),
            )),
            hint,
        );
        // The focused field draws last so the terminal cursor ends at its caret; the one-line
        // fields were drawn above, so redraw the focused one if it is not the notes.
        if !focused {
            let area = [date, visitors, place, people][self.focus];
            self.render_line_field(env, frame, area, self.focus, label_w);
        }
    }
}
