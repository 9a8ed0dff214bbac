//! The home screen: how many children, at what level, what is due, what just came in.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cli::Failure;
use crate::domain::level::RiskLevel;
use crate::store::queries::{self, Dashboard as Numbers, ReportRow};
use crate::text;
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::view::{Flash, Outcome, View};
use crate::tui::widgets::{bar_chart, section_title};

use super::case_file::CaseFile;
use super::case_list::CaseList;
use super::duplicates::Duplicates;
use super::session::Session;

/// Reports fetched for the list; the screen shows as many as fit.
const RECENT: usize = 30;

pub struct Dashboard {
    numbers: Numbers,
    /// Interventions past their due date and not done.
    overdue_measures: usize,
    /// Pairs of children that may be one, waiting for a person.
    duplicates: usize,
    recent: Vec<ReportRow>,
    selected: usize,
}

impl Dashboard {
    pub fn open(env: &mut Env) -> Result<Dashboard, Failure> {
        let mut d = Dashboard {
            numbers: Numbers::default(),
            overdue_measures: 0,
            duplicates: 0,
            recent: Vec::new(),
            selected: 0,
        };
        d.load(env)?;
        Ok(d)
    }

    fn load(&mut self, env: &Env) -> Result<(), Failure> {
        self.numbers = queries::dashboard(env.store.conn(), env.today())?;
        self.recent = queries::recent_reports(env.store.conn(), RECENT)?;
        self.overdue_measures =
            crate::store::queue::overdue_interventions_count(env.store.conn(), env.today())?;
        self.duplicates = crate::store::duplicates::count_open(env.store.conn())?;
        self.selected = self.selected.min(self.recent.len().saturating_sub(1));
        Ok(())
    }
}

fn num(n: usize) -> String {
    // 1284 -> 1,284: grouping helps a room read big numbers.
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl View for Dashboard {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::Dashboard, Ctx::List]
    }

    fn title(&self, env: &Env) -> String {
        env.centre_name.clone()
    }

    fn refresh(&mut self, env: &mut Env) {
        // A failed refresh keeps the last numbers on screen; the next key tries again.
        let _ = self.load(env);
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.recent.len().saturating_sub(1))
            }
            Action::First => self.selected = 0,
            Action::Last => self.selected = self.recent.len().saturating_sub(1),
            Action::Open => match self.recent.get(self.selected) {
                Some(r) => {
                    return match CaseFile::open(env, r.case_id) {
                        Ok(v) => Outcome::Push(Box::new(v)),
                        Err(e) => Flash::error(e.0),
                    };
                }
                None => return Outcome::Done,
            },
            Action::Cases => {
                return match CaseList::open(env, Default::default()) {
                    Ok(v) => Outcome::Push(Box::new(v)),
                    Err(e) => Flash::error(e.0),
                };
            }
            Action::Queue => {
                return match CaseList::queue(env) {
                    Ok(v) => Outcome::Push(Box::new(v)),
                    Err(e) => Flash::error(e.0),
                };
            }
            Action::Duplicates => {
                return match Duplicates::open(env) {
                    Ok(v) => Outcome::Push(Box::new(v)),
                    Err(e) => Flash::error(e.0),
                };
            }
            Action::StartSession => {
                return match Session::open(env) {
                    Ok(v) => Outcome::Push(Box::new(v)),
                    Err(e) => Flash::error(e.0),
                };
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = &env.theme;
        let n = &self.numbers;
        let [_, head1, head2, notice, charts, _, recent_title, recent] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(6),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);

        let mut l1 = vec![
            Span::styled(format!("  {} ", env.t("dashboard.open_cases")), th.text()),
            Span::styled(num(n.open_cases), th.heading()),
        ];
        for (i, level) in RiskLevel::ALL.iter().enumerate() {
            l1.push(Span::raw("    "));
            l1.push(Span::styled(
                format!("{} {}", env.level_short(Some(*level)), num(n.by_level[i])),
                th.level(Some(*level)),
            ));
        }
        l1.push(Span::styled(
            format!("    {} ", env.t("dashboard.awaiting_first")),
            th.text(),
        ));
        l1.push(Span::styled(num(n.awaiting_first), th.heading()));
        frame.render_widget(Paragraph::new(Line::from(l1)), head1);
        // Work waiting for a person, on its own line so that no width cuts it off.
        if self.duplicates > 0 {
            let key = env
                .keymap
                .keys_for(&[Ctx::Dashboard], Action::Duplicates)
                .map(|k| k.to_string())
                .unwrap_or_default();
            let text = env.tf(
                "dashboard.duplicates",
                &[("n", &num(self.duplicates)), ("key", &key)],
            );
            frame.render_widget(
                Paragraph::new(Line::styled(format!("  {text}"), th.warn())),
                notice,
            );
        }

        let mut l2 = vec![
            Span::styled(
                format!("  {} ", env.t("dashboard.due_this_month")),
                th.text(),
            ),
            Span::styled(num(n.due_this_month), th.heading()),
            Span::styled(format!("    {} ", env.t("dashboard.overdue")), th.text()),
            Span::styled(
                num(n.overdue),
                if n.overdue > 0 {
                    th.error()
                } else {
                    th.heading()
                },
            ),
        ];
        if n.overdue > 0 {
            l2.push(Span::styled(
                format!(
                    " {}",
                    env.tf(
                        "dashboard.oldest_days",
                        &[("days", &n.most_overdue_days.to_string())],
                    )
                ),
                th.text(),
            ));
        }
        l2.push(Span::styled(
            format!("    {} ", env.t("dashboard.overdue_measures")),
            th.text(),
        ));
        l2.push(Span::styled(
            num(self.overdue_measures),
            if self.overdue_measures > 0 {
                th.error()
            } else {
                th.heading()
            },
        ));
        l2.push(Span::styled(
            format!("    {} ", env.t("dashboard.ad_hoc")),
            th.text(),
        ));
        l2.push(Span::styled(num(n.ad_hoc_open), th.heading()));
        l2.push(Span::styled(
            format!("    {} ", env.t("dashboard.next_session")),
            th.text(),
        ));
        match n.next_session {
            Some((_, date, items)) => l2.push(Span::styled(
                env.tf(
                    "dashboard.session_on",
                    &[
                        ("date", &env.date_with_weekday(date)),
                        ("items", &items.to_string()),
                    ],
                ),
                th.heading(),
            )),
            None => l2.push(Span::styled(env.t("dashboard.no_session"), th.dim())),
        }
        frame.render_widget(Paragraph::new(Line::from(l2)), head2);

        let [left, right] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(charts);
        let levels: Vec<(String, usize, ratatui::style::Style)> = RiskLevel::ALL
            .iter()
            .enumerate()
            .map(|(i, l)| (env.level_short(Some(*l)), n.by_level[i], th.level(Some(*l))))
            .collect();
        bar_chart(frame, left, env, env.t("dashboard.by_level"), &levels);
        let cities: Vec<(String, usize, ratatui::style::Style)> = n
            .by_city
            .iter()
            .take(usize::from(right.height.saturating_sub(1)))
            .map(|(name, count)| (name.clone(), *count, th.text()))
            .collect();
        bar_chart(frame, right, env, env.t("dashboard.by_city"), &cities);

        section_title(frame, recent_title, env, env.t("dashboard.recent_reports"));
        let w = usize::from(recent.width);
        let lines: Vec<Line<'_>> = self
            .recent
            .iter()
            .take(usize::from(recent.height))
            .enumerate()
            .map(|(i, r)| {
                let focused = i == self.selected;
                let channel = if r.mandatory {
                    env.tf(
                        "report.channel_mandatory",
                        &[("channel", env.label(r.channel))],
                    )
                } else {
                    env.label(r.channel).to_string()
                };
                let status = env.label(r.case_status);
                let fixed = format!(
                    "  {}  {}  {}  {}  ",
                    r.received_at.format("%m-%d %H:%M"),
                    text::pad(&channel, 20),
                    text::pad(&env.name(&r.name, focused), 8),
                    text::pad(&text::sanitize_line(&r.region_name), 10),
                );
                let status_w = text::width(status) + 3;
                let summary_w = w.saturating_sub(text::width(&fixed) + status_w);
                let summary = text::pad(&text::sanitize_line(&r.summary), summary_w);
                let style = if focused { th.selected() } else { th.text() };
                Line::from(vec![
                    Span::styled(fixed, style),
                    Span::styled(summary, style),
                    Span::styled(
                        format!("  {status} "),
                        if focused { th.selected() } else { th.dim() },
                    ),
                ])
            })
            .collect();
        if lines.is_empty() {
            frame.render_widget(
                Paragraph::new(format!("  {}", env.t("dashboard.no_reports"))).style(th.dim()),
                recent,
            );
        } else {
            frame.render_widget(Paragraph::new(lines), recent);
        }
    }
}
