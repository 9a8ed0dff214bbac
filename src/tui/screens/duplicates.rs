//! Possible duplicates (疑似重复): pairs of children the screening import found with the
//! same name and date of birth but different or missing ID numbers. A person compares the
//! two records side by side and records what they found: `y` the same child, `n` two
//! children, with a note. Nothing is merged or changed; the finding is kept (and audited).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cli::Failure;
use crate::domain::case::case_number;
use crate::domain::duplicate::DuplicateStatus;
use crate::store::duplicates::{self, PossibleDuplicate, Side};
use crate::store::regions;
use crate::text;
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Flash, Outcome, View};
use crate::tui::widgets::form::{Form, FormKey};
use crate::tui::widgets::section_title;

use super::case_file::CaseFile;

/// The most pairs the screen lists at once; the rest come as these are decided.
const SHOWN: usize = 500;

pub struct Duplicates {
    pairs: Vec<PossibleDuplicate>,
    /// How many are open in all (the list holds at most [`SHOWN`]).
    open: usize,
    selected: usize,
    /// The finding being recorded, with its note form.
    deciding: Option<(DuplicateStatus, Form)>,
    /// The region paths of the selected pair (read when the selection moves).
    paths: (String, String),
}

impl Duplicates {
    pub fn open(env: &Env) -> Result<Duplicates, Failure> {
        let mut d = Duplicates {
            pairs: Vec::new(),
            open: 0,
            selected: 0,
            deciding: None,
            paths: Default::default(),
        };
        d.load(env)?;
        Ok(d)
    }

    fn load(&mut self, env: &Env) -> Result<(), Failure> {
        let c = env.store.conn();
        self.pairs = duplicates::list(c, false, SHOWN)?;
        self.open = duplicates::count_open(c)?;
        self.selected = self.selected.min(self.pairs.len().saturating_sub(1));
        self.read_paths(env);
        Ok(())
    }

    fn read_paths(&mut self, env: &Env) {
        let path = |code: &str| regions::path_name(env.store.conn(), code).unwrap_or_default();
        self.paths = match self.pairs.get(self.selected) {
            Some(p) => (path(&p.child.region), path(&p.other.region)),
            None => Default::default(),
        };
    }

    fn start(&mut self, env: &Env, status: DuplicateStatus) -> Outcome {
        if self.pairs.get(self.selected).is_none() {
            return Outcome::Done;
        }
        let title = env.tf("duplicates.decide_title", &[("status", env.label(status))]);
        let form = Form::new(title)
            .line(env.t("duplicates.note"), "")
            .hint(env.t("duplicates.decide_hint"));
        self.deciding = Some((status, form));
        Outcome::Done
    }

    fn submit(&mut self, env: &mut Env) -> Outcome {
        let (Some(p), Some((status, form))) = (self.pairs.get(self.selected), &self.deciding)
        else {
            return Outcome::Done;
        };
        let (id, status, note) = (p.id, *status, form.value(0));
        let at = env.now();
        if let Err(e) = env
            .store
            .write(|tx| duplicates::decide(tx, id, status, &note, at))
        {
            if let Some((_, form)) = self.deciding.as_mut() {
                form.error = Some(e.to_string());
            }
            return Outcome::Done;
        }
        self.deciding = None;
        if let Err(e) = self.load(env) {
            return Flash::error(e.0);
        }
        Flash::ok(env.tf(
            "duplicates.decided",
            &[("id", &id.to_string()), ("status", env.label(status))],
        ))
    }

    fn side_lines(&self, env: &Env, s: &Side, path: &str, w: usize) -> Vec<String> {
        let id = match &s.id_number {
            Some(n) => env.id_number(&text::sanitize_line(n), false).into_owned(),
            None => env.t("duplicates.no_id_number").to_string(),
        };
        let birth = env.birth_date(s.birth_date, true);
        let rows = [
            (
                "duplicates.name",
                env.name(&text::sanitize_line(&s.name), false).into_owned(),
            ),
            ("duplicates.sex", env.label(s.sex).to_string()),
            ("duplicates.birth", birth),
            ("duplicates.id_number", id),
            ("duplicates.region", text::sanitize_line(path)),
            (
                "duplicates.address",
                env.address(&text::sanitize_line(&s.address), false)
                    .into_owned(),
            ),
            (
                "duplicates.case",
                s.case_id.map(case_number).unwrap_or_else(|| "-".into()),
            ),
        ];
        rows.iter()
            .map(|(k, v)| text::pad(&format!("{}  {v}", text::pad(env.t(k), 10)), w))
            .collect()
    }
}

impl View for Duplicates {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::Duplicates, Ctx::List]
    }

    fn title(&self, env: &Env) -> String {
        env.t("duplicates.title").to_string()
    }

    fn refresh(&mut self, env: &mut Env) {
        // A failed refresh keeps the last list on screen; the next key tries again.
        let _ = self.load(env);
    }

    fn editing(&self) -> bool {
        self.deciding.is_some()
    }

    fn key(&mut self, env: &mut Env, key: crossterm::event::KeyEvent) -> Outcome {
        let Some((_, form)) = self.deciding.as_mut() else {
            return Outcome::Ignored;
        };
        match form.key(key) {
            FormKey::Submit => self.submit(env),
            FormKey::Handled => Outcome::Done,
        }
    }

    fn paste(&mut self, _env: &mut Env, text: &str) -> Outcome {
        if let Some((_, form)) = self.deciding.as_mut() {
            form.paste(text);
        }
        Outcome::Done
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        if self.deciding.is_some() {
            return match action {
                Action::Save => self.submit(env),
                Action::Back => {
                    self.deciding = None;
                    Outcome::Done
                }
                _ => Outcome::Done,
            };
        }
        let n = self.pairs.len();
        let before = self.selected;
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::PageDown => self.selected = (self.selected + 10).min(n.saturating_sub(1)),
            Action::First => self.selected = 0,
            Action::Last => self.selected = n.saturating_sub(1),
            Action::SameChild => return self.start(env, DuplicateStatus::Same),
            Action::DifferentChildren => return self.start(env, DuplicateStatus::Different),
            Action::Open => {
                let Some(case_id) = self.pairs.get(self.selected).and_then(|p| p.child.case_id)
                else {
                    return Outcome::Done;
                };
                return match CaseFile::open(env, case_id) {
                    Ok(v) => Outcome::Push(Box::new(v)),
                    Err(e) => Flash::error(e.0),
                };
            }
            _ => return Outcome::Ignored,
        }
        if self.selected != before {
            self.read_paths(env);
        }
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = &env.theme;
        let w = usize::from(area.width);
        let intro = text::wrap(env.t("duplicates.intro"), w.saturating_sub(4));
        let [_, intro_area, _, title, list, _, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(intro.len().min(4) as u16),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(11),
        ])
        .areas(area);
        let lines: Vec<Line<'_>> = intro
            .into_iter()
            .take(4)
            .map(|l| Line::styled(format!("  {l}"), th.dim()))
            .collect();
        frame.render_widget(Paragraph::new(lines), intro_area);
        section_title(
            frame,
            title,
            env,
            &env.tf("duplicates.count", &[("n", &self.open.to_string())]),
        );
        if self.pairs.is_empty() {
            frame.render_widget(
                Paragraph::new(format!("  {}", env.t("duplicates.none"))).style(th.dim()),
                list,
            );
            return;
        }
        // The list, scrolled so the selection shows.
        let height = usize::from(list.height);
        let top = self.selected.saturating_sub(height.saturating_sub(1));
        let rows: Vec<Line<'_>> = self
            .pairs
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(i, p)| {
                let sel = i == self.selected;
                let row = format!(
                    " {} {:>5}  {}  ↔  {}  {}  {}",
                    if sel { th.cursor() } else { " " },
                    p.id,
                    text::pad(&env.name(&text::sanitize_line(&p.child.name), sel), 8),
                    text::pad(&env.name(&text::sanitize_line(&p.other.name), sel), 8),
                    p.child.birth_date.format("%Y"),
                    env.label(p.why),
                );
                Line::styled(
                    text::pad(&text::truncate_with(&row, w, th.ellipsis()), w),
                    if sel { th.selected() } else { th.text() },
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(rows), list);
        // The selected pair side by side.
        if let Some(p) = self.pairs.get(self.selected) {
            let [head, body, source] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(7),
                Constraint::Length(2),
            ])
            .areas(detail);
            let half = w.saturating_sub(2) / 2;
            let heads = format!(
                "  {}{}",
                text::pad(env.t("duplicates.new_child"), half),
                env.t("duplicates.on_file")
            );
            frame.render_widget(Paragraph::new(Line::styled(heads, th.heading())), head);
            let left = self.side_lines(env, &p.child, &self.paths.0, half);
            let right = self.side_lines(env, &p.other, &self.paths.1, half);
            let body_lines: Vec<Line<'_>> = left
                .into_iter()
                .zip(right)
                .map(|(l, r)| Line::from(vec![Span::raw("  "), Span::raw(l), Span::raw(r)]))
                .collect();
            frame.render_widget(Paragraph::new(body_lines).style(th.text()), body);
            let src = env.tf(
                "duplicates.source",
                &[
                    ("why", env.label(p.why)),
                    ("row", &p.sheet_row.to_string()),
                    (
                        "file",
                        &text::sanitize_line(p.source.get(..12).unwrap_or(&p.source)),
                    ),
                    ("on", &p.flagged_on.to_string()),
                ],
            );
            let src: Vec<Line<'_>> = text::wrap(&src, w.saturating_sub(4))
                .into_iter()
                .take(2)
                .map(|l| Line::styled(format!("  {l}"), th.dim()))
                .collect();
            frame.render_widget(Paragraph::new(src), source);
        }
        if let Some((_, form)) = self.deciding.as_mut() {
            form.render(env, frame, area);
        }
    }
}
