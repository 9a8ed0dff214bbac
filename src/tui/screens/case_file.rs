//! The case file (个人档案): one child's case, read on the shared screen. Five tabs —
//! profile, reports, home visits, assessments and decisions, follow-ups — each a scrolling
//! page. Everything from the database is hostile input: it is sanitised before it is
//! drawn, wrapped with `text::wrap` and cut with `text::truncate_with`, never mid-grapheme.
//! Identifying fields follow privacy mode.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cli::Failure;
use crate::domain::assessment::{Answer, Rule};
use crate::domain::case::{Case, CaseStatus, case_number};
use crate::domain::child::Child;
use crate::domain::criteria::Catalogue;
use crate::domain::decision::{
    Decision, DecisionStatus, Intervention, InterventionStatus, PoliceReport,
};
use crate::domain::guardian::Guardian;
use crate::domain::level::RiskLevel;
use crate::domain::report::Report;
use crate::domain::visit::HomeVisit;
use crate::export::record::record_id;
use crate::i18n::Lang;
use crate::store::cases::{self, ReviewRequest};
use crate::store::{catalogues, children, decisions, panel, regions, reports};
use crate::text;
use crate::tui::action::Action;
use crate::tui::env::Env;
use crate::tui::keymap::Ctx;
use crate::tui::theme::{Symbols, Theme};
use crate::tui::view::{Flash, Outcome, View};

use super::case_list::due_note;
use super::visit_editor::VisitEditor;
use crate::tui::widgets::form::{Form, FormKey};

/// The choices of the progress form, numbered from 1.
const PROGRESS: [InterventionStatus; 4] = [
    InterventionStatus::Planned,
    InterventionStatus::InProgress,
    InterventionStatus::Done,
    InterventionStatus::NotDone,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Profile,
    Reports,
    Visits,
    Decisions,
    FollowUps,
}

const TABS: [Tab; 5] = [
    Tab::Profile,
    Tab::Reports,
    Tab::Visits,
    Tab::Decisions,
    Tab::FollowUps,
];

/// The criteria an assessment was scored on, as far as the database knows them.
enum Criteria {
    Known(Box<Catalogue>),
    /// No text stored for this hash (history imported from paper, or a foreign file).
    Unknown,
    /// Stored but no longer loads.
    Broken(String),
}

struct DecisionView {
    decision: Decision,
    interventions: Vec<(Intervention, InterventionStatus, String)>,
    /// Index into `Data::criteria`.
    criteria: usize,
    session_on: Option<NaiveDate>,
    imported: bool,
    signature: Option<crate::store::signatures::StoredSignature>,
    /// The sealed decision that corrects this one.
    amended_by: Option<i64>,
}

struct Data {
    case: Case,
    child: Child,
    guardians: Vec<Guardian>,
    region_path: String,
    requests: Vec<ReviewRequest>,
    police: Vec<(i64, PoliceReport)>,
    reports: Vec<Report>,
    visits: Vec<HomeVisit>,
    decisions: Vec<DecisionView>,
    criteria: Vec<(String, Criteria)>,
    /// Follow-up visits recorded against interventions: (decision id, position, visits
    /// newest first).
    follow_up_visits: Vec<(i64, usize, Vec<HomeVisit>)>,
}

impl Data {
    fn load(env: &Env, case_id: i64) -> Result<Data, Failure> {
        let c = env.store.conn();
        let not_found =
            || Failure(env.tf("casefile.not_found", &[("case", &case_number(case_id))]));
        let case = cases::get(c, case_id)?.ok_or_else(not_found)?;
        let child = children::get(c, case.child_id)?.ok_or_else(not_found)?;
        let guardians = children::guardians(c, child.id)?;
        let region_path = regions::path_name(c, &child.region)?;
        let region_path = if region_path.is_empty() {
            child.region.clone()
        } else {
            region_path
        };
        let mut criteria: Vec<(String, Criteria)> = Vec::new();
        let mut views = Vec::new();
        for d in decisions::of_case(c, case_id)? {
            let sha = d.assessment.catalogue.sha256.clone();
            let at = match criteria.iter().position(|(s, _)| *s == sha) {
                Some(i) => i,
                None => {
                    let known = if !sha.is_empty() && sha == env.catalogue.sha256 {
                        Criteria::Known(Box::new(env.catalogue.clone()))
                    } else if sha.is_empty() {
                        Criteria::Unknown
                    } else {
                        match catalogues::by_hash(c, &sha) {
                            Ok(Some(cat)) => Criteria::Known(Box::new(cat)),
                            Ok(None) => Criteria::Unknown,
                            Err(e) => Criteria::Broken(e.to_string()),
                        }
                    };
                    criteria.push((sha, known));
                    criteria.len() - 1
                }
            };
            let interventions = decisions::interventions(c, d.id)?;
            let session_on = match d.session_id {
                Some(sid) => panel::session(c, sid)?.map(|s| s.held_on),
                None => None,
            };
            let imported = d.session_id.is_none() && d.status == DecisionStatus::Sealed;
            views.push(DecisionView {
                signature: crate::store::signatures::get(c, d.id)?,
                amended_by: decisions::amended_by(c, d.id)?,
                decision: d,
                interventions,
                criteria: at,
                session_on,
                imported,
            });
        }
        Ok(Data {
            guardians,
            region_path,
            requests: cases::open_review_requests(c, case_id)?,
            police: cases::police_reports(c, case_id)?,
            reports: reports::of_case(c, case_id)?,
            visits: reports::visits(c, case_id)?,
            follow_up_visits: crate::store::queue::follow_up_visits(c, case_id)?,
            decisions: views,
            criteria,
            case,
            child,
        })
    }

    /// Interventions of sealed decisions, newest decision first.
    fn follow_ups(
        &self,
    ) -> impl Iterator<Item = (&DecisionView, &(Intervention, InterventionStatus, String))> {
        self.follow_ups_at().map(|(d, _, i)| (d, i))
    }

    /// [`Data::follow_ups`] with each intervention's position in its decision.
    fn follow_ups_at(
        &self,
    ) -> impl Iterator<
        Item = (
            &DecisionView,
            usize,
            &(Intervention, InterventionStatus, String),
        ),
    > {
        self.decisions
            .iter()
            .filter(|d| d.decision.status == DecisionStatus::Sealed)
            .flat_map(|d| {
                d.interventions
                    .iter()
                    .enumerate()
                    .map(move |(p, i)| (d, p, i))
            })
    }

    /// The follow-up visits of one intervention, newest first.
    fn visits_of(&self, decision_id: i64, position: usize) -> &[HomeVisit] {
        self.follow_up_visits
            .iter()
            .find(|(d, p, _)| *d == decision_id && *p == position)
            .map(|(_, _, v)| v.as_slice())
            .unwrap_or(&[])
    }
}

/// Spans cut to `width` columns in all: the span that does not fit is truncated with the
/// theme's ellipsis and the rest dropped.
fn fit(spans: Vec<Span<'static>>, width: usize, th: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for s in spans {
        let w = text::width(&s.content);
        if used + w <= width {
            used += w;
            out.push(s);
        } else {
            let cut = text::truncate_with(&s.content, width.saturating_sub(used), th.ellipsis());
            out.push(Span::styled(cut, s.style));
            break;
        }
    }
    out
}

/// A page of lines being built for one tab.
struct Doc<'e> {
    env: &'e Env,
    width: usize,
    label_w: usize,
    lines: Vec<Line<'static>>,
}

impl<'e> Doc<'e> {
    fn new(env: &'e Env, width: usize) -> Doc<'e> {
        Doc {
            env,
            width: width.max(4),
            label_w: 0,
            lines: Vec::new(),
        }
    }

    fn th(&self) -> &Theme {
        &self.env.theme
    }

    fn blank(&mut self) {
        self.lines.push(Line::raw(""));
    }

    /// ` 监护人 ──────`.
    fn heading(&mut self, title: &str) {
        let th = self.th();
        let head = text::truncate_with(&format!(" {title} "), self.width, th.ellipsis());
        let rule_w = text::width(th.rule()).max(1);
        let rule = th
            .rule()
            .repeat(self.width.saturating_sub(text::width(&head) + 1) / rule_w);
        let line = Line::from(vec![
            Span::styled(head, th.heading()),
            Span::styled(rule, th.dim()),
        ]);
        if !self.lines.is_empty() {
            self.blank();
        }
        self.lines.push(line);
    }

    fn spans(&mut self, spans: Vec<Span<'static>>) {
        let th = *self.th();
        self.lines.push(Line::from(fit(spans, self.width, &th)));
    }

    /// `  label     value`, the value in `style`, cut to the line.
    fn field(&mut self, label: &str, value: impl Into<String>, style: Style) {
        let th = *self.th();
        let label = text::pad(label, self.label_w);
        self.spans(vec![
            Span::styled(format!("  {label}  "), th.dim()),
            Span::styled(value.into(), style),
        ]);
    }

    /// A field whose value is several spans.
    fn field_spans(&mut self, label: &str, mut value: Vec<Span<'static>>) {
        let th = *self.th();
        let label = text::pad(label, self.label_w);
        let mut spans = vec![Span::styled(format!("  {label}  "), th.dim())];
        spans.append(&mut value);
        self.spans(spans);
    }

    /// Text wrapped to the page, every line indented by `indent` columns.
    fn wrapped(&mut self, indent: usize, s: &str, style: Style) {
        let clean = text::sanitize(s);
        let room = self.width.saturating_sub(indent).max(2);
        let pad = " ".repeat(indent);
        for l in text::wrap(&clean, room) {
            self.lines.push(Line::styled(format!("{pad}{l}"), style));
        }
    }

    /// A field whose value wraps under itself (long reasons, dissent).
    fn field_wrapped(&mut self, label: &str, value: &str, style: Style) {
        let th = *self.th();
        let indent = self.label_w + 4;
        let clean = text::sanitize(value);
        let room = self.width.saturating_sub(indent).max(2);
        let mut lines = text::wrap(&clean, room).into_iter();
        let first = lines.next().unwrap_or_default();
        let label = text::pad(label, self.label_w);
        self.lines.push(Line::from(vec![
            Span::styled(format!("  {label}  "), th.dim()),
            Span::styled(first, style),
        ]));
        let pad = " ".repeat(indent);
        for l in lines {
            self.lines.push(Line::styled(format!("{pad}{l}"), style));
        }
    }
}

pub struct CaseFile {
    case_id: i64,
    data: Data,
    tab: usize,
    scroll: [usize; 5],
    /// Content rows at the last render (the page for PgUp / PgDn).
    page: usize,
    /// After the visit editor closes: show this visit (`None`: the newest added).
    focus_visit: Option<Option<i64>>,
    /// A visit the editor was opened on; refresh brings it into view.
    editing_visit: Option<Option<i64>>,
    /// The visit Enter edits: the one at the top of the visits page.
    current_visit: usize,
    /// The intervention selected on the follow-ups page (index into `Data::follow_ups`).
    current_iv: usize,
    /// The progress form of the selected intervention (status, note), while open.
    form: Option<Form>,
    error: Option<String>,
    /// The new-report form, while it is open.
    report_form: Option<Form>,
}

impl CaseFile {
    pub fn open(env: &mut Env, case_id: i64) -> Result<CaseFile, Failure> {
        let data = Data::load(env, case_id)?;
        Ok(CaseFile {
            case_id,
            data,
            tab: 0,
            scroll: [0; 5],
            page: 10,
            focus_visit: None,
            editing_visit: None,
            current_visit: 0,
            current_iv: 0,
            form: None,
            error: None,
            report_form: None,
        })
    }

    /// The selected intervention: its decision id, position, status, note and name.
    fn selected_iv(&self, env: &Env) -> Option<(i64, usize, InterventionStatus, String, String)> {
        self.data
            .follow_ups_at()
            .nth(self.current_iv)
            .map(|(dv, p, (iv, st, note))| {
                (
                    dv.decision.id,
                    p,
                    *st,
                    note.clone(),
                    self.intervention_name(env, dv, &iv.kind),
                )
            })
    }

    /// Opens the progress form on the selected intervention.
    fn open_progress(&mut self, env: &Env) -> Outcome {
        let Some((_, _, st, note, name)) = self.selected_iv(env) else {
            return Flash::info(env.t("casefile.no_follow_ups"));
        };
        let number = PROGRESS
            .iter()
            .position(|s| *s == st)
            .map(|i| (i + 1).to_string())
            .unwrap_or_default();
        let hint: Vec<String> = PROGRESS
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{} {}", i + 1, env.label(*s)))
            .collect();
        self.form = Some(
            Form::new(env.tf("casefile.progress_title", &[("name", &name)]))
                .line(env.t("casefile.progress_status"), &number)
                .text(env.t("casefile.progress_note"), &text::sanitize(&note))
                .hint(hint.join(" · ")),
        );
        Outcome::Done
    }

    /// Saves the progress form: the status and the note change, nothing else (a sealed
    /// decision's interventions keep what was decided).
    fn submit_progress(&mut self, env: &mut Env) -> Outcome {
        let Some((decision_id, position, _, _, _)) = self.selected_iv(env) else {
            self.form = None;
            return Outcome::Done;
        };
        let Some(form) = self.form.as_mut() else {
            return Outcome::Done;
        };
        let status = form
            .value(0)
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| PROGRESS.get(i).copied());
        let Some(status) = status else {
            form.focus = 0;
            form.error = Some(env.t("casefile.progress_err_status").to_string());
            return Outcome::Done;
        };
        let note = form.value(1);
        if status == InterventionStatus::NotDone && note.trim().is_empty() {
            form.focus = 1;
            form.error = Some(env.t("casefile.progress_err_note").to_string());
            return Outcome::Done;
        }
        let saved = env.store.write(|tx| {
            crate::store::queue::set_intervention_status(tx, decision_id, position, status, &note)
        });
        match saved {
            Ok(()) => {
                self.form = None;
                self.refresh(env);
                Flash::info(env.t("casefile.progress_saved"))
            }
            Err(e) => {
                let msg = e.to_string();
                form.error = Some(msg.clone());
                Flash::error(msg)
            }
        }
    }

    pub fn case_id(&self) -> i64 {
        self.case_id
    }

    fn tab(&self) -> Tab {
        TABS[self.tab]
    }

    fn tab_label(env: &Env, tab: Tab) -> &'static str {
        match tab {
            Tab::Profile => env.t("casefile.tab.profile"),
            Tab::Reports => env.t("casefile.tab.reports"),
            Tab::Visits => env.t("casefile.tab.visits"),
            Tab::Decisions => env.t("casefile.tab.decisions"),
            Tab::FollowUps => env.t("casefile.tab.follow_ups"),
        }
    }

    fn tab_count(&self, tab: Tab) -> Option<usize> {
        match tab {
            Tab::Profile => None,
            Tab::Reports => Some(self.data.reports.len()),
            Tab::Visits => Some(self.data.visits.len()),
            Tab::Decisions => Some(self.data.decisions.len()),
            Tab::FollowUps => Some(self.data.follow_ups().count()),
        }
    }

    fn masked_name(&self, env: &Env, focused: bool) -> String {
        env.name(&text::sanitize_line(&self.data.child.name), focused)
            .into_owned()
    }

    fn level_spans(env: &Env, level: Option<RiskLevel>) -> Span<'static> {
        Span::styled(env.level_text(level), env.theme.level(level))
    }

    fn intervention_name(&self, env: &Env, dv: &DecisionView, kind: &str) -> String {
        let from = |cat: &Catalogue| {
            cat.intervention(kind).map(|i| match env.lang {
                Lang::Zh => i.zh.clone(),
                Lang::En => i.en.clone(),
            })
        };
        let name = match &self.data.criteria[dv.criteria].1 {
            Criteria::Known(cat) => from(cat),
            _ => None,
        }
        .or_else(|| from(&env.catalogue))
        .unwrap_or_else(|| kind.to_string());
        text::sanitize_line(&name)
    }

    // --- the pages ----------------------------------------------------------------

    fn summary(&self, env: &Env, width: usize) -> Line<'static> {
        let th = env.theme;
        let d = &self.data;
        let sep = || Span::styled(" · ", th.dim());
        let types: Vec<&str> = d.case.types.iter().map(|t| env.label(*t)).collect();
        // Most important first: who, the level and when it is due; then the rest as room allows.
        let mut spans = vec![
            Span::styled(format!(" {}", self.masked_name(env, false)), th.heading()),
            Span::styled(
                format!(
                    "  {} {}",
                    env.label(d.child.sex),
                    env.tf(
                        "casefile.age_years",
                        &[("n", &d.child.age_on(env.today()).to_string())]
                    )
                ),
                th.text(),
            ),
            sep(),
            Self::level_spans(env, d.case.level),
        ];
        if let Some(next) = d
            .case
            .next_review
            .filter(|_| d.case.status != CaseStatus::Closed)
        {
            spans.push(sep());
            spans.push(Span::styled(
                env.tf("casefile.next_review_on", &[("date", &next.to_string())]),
                th.text(),
            ));
            if let Some((note, style)) = due_note(env, next) {
                spans.push(Span::styled(format!(" {note}"), style));
            }
        }
        spans.extend([
            sep(),
            Span::styled(env.label(d.case.status).to_string(), th.text()),
            sep(),
            Span::styled(text::sanitize_line(&d.region_path), th.text()),
            sep(),
            Span::styled(types.join(env.sep()), th.text()),
        ]);
        Line::from(fit(spans, width, &th))
    }

    fn profile(&self, env: &Env, width: usize) -> Vec<Line<'static>> {
        let th = env.theme;
        let d = &self.data;
        let c = &d.child;
        let none = env.t("casefile.none");
        let labels = [
            "casefile.name",
            "casefile.sex",
            "casefile.age",
            "casefile.birth_date",
            "casefile.id_number",
            "casefile.household",
            "casefile.address",
            "casefile.phone",
            "casefile.school",
            "casefile.region",
            "casefile.case_number",
            "casefile.types",
            "casefile.status",
            "casefile.level",
            "casefile.next_review",
        ];
        let mut doc = Doc::new(env, width);
        doc.label_w = labels
            .iter()
            .map(|k| text::width(env.t(k)))
            .max()
            .unwrap_or(0);
        // The profile is the field under the cursor: the reveal key shows it whole.
        doc.heading(env.t("casefile.section.child"));
        doc.field(
            env.t("casefile.name"),
            self.masked_name(env, true),
            th.heading(),
        );
        doc.field(env.t("casefile.sex"), env.label(c.sex), th.text());
        doc.field(
            env.t("casefile.age"),
            env.tf(
                "casefile.age_years",
                &[("n", &c.age_on(env.today()).to_string())],
            ),
            th.text(),
        );
        doc.field(
            env.t("casefile.birth_date"),
            env.birth_date(self.data.child.birth_date, true),
            th.text(),
        );
        match &c.id_number {
            Some(id) => doc.field(
                env.t("casefile.id_number"),
                env.id_number(&text::sanitize_line(id.as_str()), true)
                    .into_owned(),
                th.text(),
            ),
            None => doc.field(
                env.t("casefile.id_number"),
                env.t("casefile.no_id_number"),
                th.dim(),
            ),
        }
        let opt = |s: &str| {
            if s.trim().is_empty() {
                None
            } else {
                Some(text::sanitize_line(s))
            }
        };
        let addr = |s: Option<String>| s.map(|s| env.address(&s, true).into_owned());
        for (label, value) in [
            ("casefile.household", addr(opt(&c.household_registration))),
            ("casefile.address", addr(opt(&c.address))),
            (
                "casefile.phone",
                c.phone
                    .as_deref()
                    .and_then(opt)
                    .map(|p| env.phone(&p, true).into_owned()),
            ),
            ("casefile.school", addr(c.school.as_deref().and_then(opt))),
        ] {
            match value {
                Some(v) => doc.field(env.t(label), v, th.text()),
                None => doc.field(env.t(label), none, th.dim()),
            }
        }
        doc.field(
            env.t("casefile.region"),
            text::sanitize_line(&d.region_path),
            th.text(),
        );

        doc.heading(&env.tf(
            "casefile.section.guardians",
            &[("n", &d.guardians.len().to_string())],
        ));
        if d.guardians.is_empty() {
            doc.spans(vec![Span::styled(
                format!("  {}", env.t("casefile.no_guardians")),
                th.warn(),
            )]);
        }
        let rel_w = d
            .guardians
            .iter()
            .map(|g| text::width(env.label(g.relation)))
            .max()
            .unwrap_or(0);
        let names: Vec<String> = d
            .guardians
            .iter()
            .map(|g| env.name(&text::sanitize_line(&g.name), true).into_owned())
            .collect();
        let name_w = names
            .iter()
            .map(|n| text::width(n))
            .max()
            .unwrap_or(0)
            .min(16);
        let status_w = d
            .guardians
            .iter()
            .map(|g| text::width(env.label(g.status)))
            .max()
            .unwrap_or(0);
        for (g, name) in d.guardians.iter().zip(&names) {
            let status_style = if g.status.is_incapacitating() {
                th.warn()
            } else {
                th.text()
            };
            let mut spans = vec![
                Span::styled(
                    format!("  {}  ", text::pad(env.label(g.relation), rel_w)),
                    th.dim(),
                ),
                Span::styled(format!("{}  ", text::pad(name, name_w)), th.text()),
                Span::styled(text::pad(env.label(g.status), status_w), status_style),
            ];
            if let Some(p) = g
                .phone
                .as_deref()
                .map(text::sanitize_line)
                .filter(|p| !p.is_empty())
            {
                spans.push(Span::styled(
                    format!(
                        "  {}",
                        env.tf("casefile.phone_is", &[("phone", &env.phone(&p, true))])
                    ),
                    th.dim(),
                ));
            }
            doc.spans(spans);
        }

        doc.heading(env.t("casefile.section.case"));
        doc.field(
            env.t("casefile.case_number"),
            env.tf(
                "casefile.opened_on",
                &[
                    ("case", &case_number(d.case.id)),
                    ("date", &d.case.opened_on.to_string()),
                ],
            ),
            th.text(),
        );
        let types: Vec<&str> = d.case.types.iter().map(|t| env.label(*t)).collect();
        doc.field(env.t("casefile.types"), types.join(env.sep()), th.text());
        let mut status = env.label(d.case.status).to_string();
        if let Some(closed) = d.case.closed_on {
            status.push_str(&format!(" · {closed}"));
            if let Some(r) = d.case.closing_reason {
                status.push_str(&format!(" · {}", env.label(r)));
            }
        }
        doc.field(env.t("casefile.status"), status, th.text());
        doc.field_spans(
            env.t("casefile.level"),
            vec![Self::level_spans(env, d.case.level)],
        );
        match d
            .case
            .next_review
            .filter(|_| d.case.status != CaseStatus::Closed)
        {
            Some(next) => {
                let mut spans = vec![Span::styled(env.date_with_weekday(next), th.text())];
                if let Some((note, style)) = due_note(env, next) {
                    spans.push(Span::styled(format!("  {note}"), style));
                }
                doc.field_spans(env.t("casefile.next_review"), spans);
            }
            None => doc.field(env.t("casefile.next_review"), none, th.dim()),
        }

        doc.heading(&env.tf(
            "casefile.section.requests",
            &[("n", &d.requests.len().to_string())],
        ));
        if d.requests.is_empty() {
            doc.spans(vec![Span::styled(format!("  {none}"), th.dim())]);
        }
        for r in &d.requests {
            doc.spans(vec![
                Span::styled(format!("  {}  ", r.raised_on), th.warn()),
                Span::styled(env.t("casefile.request_reason"), th.dim()),
            ]);
            doc.wrapped(4, &r.reason, th.text());
        }

        doc.heading(&env.tf(
            "casefile.section.police",
            &[("n", &d.police.len().to_string())],
        ));
        if d.police.is_empty() {
            doc.spans(vec![Span::styled(format!("  {none}"), th.dim())]);
        }
        for (_, p) in &d.police {
            // The receipt number is what the police will ask for: never cut, wrapped.
            let line = format!(
                "{}  {}  {}",
                p.reported_at.format("%Y-%m-%d %H:%M"),
                text::sanitize_line(&p.unit),
                env.tf(
                    "casefile.receipt",
                    &[("receipt", &text::sanitize_line(&p.receipt))]
                ),
            );
            doc.wrapped(2, &line, th.text());
        }
        doc.lines
    }

    fn reports(&self, env: &Env, width: usize) -> Vec<Line<'static>> {
        let th = env.theme;
        let mut doc = Doc::new(env, width);
        doc.heading(&env.tf(
            "casefile.reports_heading",
            &[("n", &self.data.reports.len().to_string())],
        ));
        if self.data.reports.is_empty() {
            doc.spans(vec![Span::styled(
                format!("  {}", env.t("casefile.no_reports")),
                th.dim(),
            )]);
        }
        for (i, r) in self.data.reports.iter().enumerate() {
            if i > 0 {
                doc.blank();
            }
            let mut spans = vec![
                Span::styled(
                    format!("  {}  ", r.received_at.format("%Y-%m-%d %H:%M")),
                    th.heading(),
                ),
                Span::styled(env.label(r.channel).to_string(), th.text()),
            ];
            if r.is_mandatory() {
                spans.push(Span::styled(
                    format!("  {}", env.t("casefile.mandatory")),
                    th.warn(),
                ));
            }
            let reporter = match r
                .reporter
                .as_deref()
                .map(text::sanitize_line)
                .filter(|s| !s.is_empty())
            {
                Some(name) => env.tf("casefile.reporter", &[("name", &env.name(&name, false))]),
                None => env.t("casefile.anonymous").to_string(),
            };
            spans.push(Span::styled(format!("  · {reporter}"), th.dim()));
            doc.spans(spans);
            doc.wrapped(4, &r.summary, th.text());
        }
        doc.lines
    }

    fn visit_header(&self, env: &Env, i: usize, current: bool, width: usize) -> Line<'static> {
        let th = env.theme;
        let v = &self.data.visits[i];
        let n = self.data.visits.len();
        let style = if current { th.selected() } else { th.heading() };
        let cursor = if current { th.cursor() } else { " " };
        let right = if current {
            let key = env
                .keymap
                .keys_for(&[Ctx::List], Action::Open)
                .map(|k| k.to_string())
                .unwrap_or_default();
            format!(
                " {} · {} / {} ",
                env.tf("casefile.visit_edit", &[("key", &key)]),
                i + 1,
                n
            )
        } else {
            format!(" {} / {} ", i + 1, n)
        };
        let mut left = format!("{cursor} {}", env.date_with_weekday(v.visited_on));
        let visitors = text::sanitize_line(&v.visitors);
        if !visitors.is_empty() {
            left.push_str(&format!(
                "  {}",
                env.tf("casefile.visit_by", &[("who", &visitors)])
            ));
        }
        let place = text::sanitize_line(&v.place);
        if !place.is_empty() {
            left.push_str(&format!(
                "  ·  {}",
                env.tf("casefile.visit_at", &[("place", &place)])
            ));
        }
        let left_w = width.saturating_sub(text::width(&right));
        let left = text::pad(&left, left_w);
        Line::from(vec![
            Span::styled(left, style),
            Span::styled(right, if current { style } else { th.dim() }),
        ])
    }

    /// The visits page and where each visit starts on it.
    fn visits(&self, env: &Env, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
        let th = env.theme;
        let mut doc = Doc::new(env, width);
        let mut starts = Vec::with_capacity(self.data.visits.len());
        for (i, v) in self.data.visits.iter().enumerate() {
            starts.push(doc.lines.len());
            doc.lines.push(self.visit_header(env, i, false, doc.width));
            let met = text::sanitize_line(&v.people_met);
            if !met.is_empty() {
                doc.spans(vec![Span::styled(
                    format!("   {}", env.tf("casefile.visit_met", &[("who", &met)])),
                    th.dim(),
                )]);
            }
            doc.wrapped(3, &v.notes, th.text());
            doc.blank();
        }
        (doc.lines, starts)
    }

    fn rule_text(&self, env: &Env, rule: &Rule) -> String {
        let ids = |v: &[String]| {
            v.iter()
                .map(|s| text::sanitize_line(s))
                .collect::<Vec<_>>()
                .join(env.sep())
        };
        match rule {
            Rule::NoneMet => env.t("rule.none_met").to_string(),
            Rule::HardTrigger { indicators } => {
                env.tf("rule.hard_trigger", &[("ids", &ids(indicators))])
            }
            Rule::HighestLevel { level, indicators } => env.tf(
                "rule.highest_level",
                &[
                    ("level", &env.level_short(Some(*level))),
                    ("ids", &ids(indicators)),
                ],
            ),
            Rule::Points {
                level,
                total,
                threshold,
            } => env.tf(
                "rule.points",
                &[
                    ("total", &total.to_string()),
                    ("threshold", &threshold.to_string()),
                    ("level", &env.level_short(Some(*level))),
                ],
            ),
        }
    }

    fn decisions(&self, env: &Env, width: usize) -> Vec<Line<'static>> {
        let th = env.theme;
        let none = env.t("casefile.none");
        let mut doc = Doc::new(env, width);
        doc.label_w = [
            "casefile.computed",
            "casefile.override",
            "casefile.final_level",
            "casefile.interventions",
            "casefile.next_review",
            "casefile.vote",
            "casefile.dissent",
            "casefile.police_report",
            "casefile.criteria",
            "casefile.amends",
        ]
        .iter()
        .map(|k| text::width(env.t(k)))
        .max()
        .unwrap_or(0);
        if self.data.decisions.is_empty() {
            doc.heading(env.t("casefile.tab.decisions"));
            doc.spans(vec![Span::styled(
                format!("  {}", env.t("casefile.no_decisions")),
                th.dim(),
            )]);
            return doc.lines;
        }
        for dv in &self.data.decisions {
            let d = &dv.decision;
            let a = &d.assessment;
            let session = match (dv.session_on, dv.imported) {
                (_, true) => env.t("casefile.imported").to_string(),
                (Some(on), _) if on == d.decided_on => env.t("casefile.session").to_string(),
                (Some(on), _) => env.tf("casefile.session_on", &[("date", &on.to_string())]),
                (None, _) => env.t("casefile.no_session").to_string(),
            };
            let status = match d.status {
                DecisionStatus::Sealed => env.label(DecisionStatus::Sealed),
                DecisionStatus::Draft => env.label(DecisionStatus::Draft),
            };
            doc.heading(&format!(
                "{} · {} · {}",
                env.date_with_weekday(d.decided_on),
                session,
                status
            ));
            doc.field_spans(
                env.t("casefile.computed"),
                vec![
                    Self::level_spans(env, a.computed.level),
                    Span::styled(
                        format!("  {}", self.rule_text(env, &a.computed.rule)),
                        th.dim(),
                    ),
                ],
            );
            if let Some(o) = &a.override_ {
                doc.field_spans(
                    env.t("casefile.override"),
                    vec![Self::level_spans(env, Some(o.level))],
                );
                doc.field_wrapped(
                    "",
                    &env.tf(
                        "casefile.override_reason",
                        &[("reason", &text::sanitize(&o.reason))],
                    ),
                    th.text(),
                );
            }
            doc.field_spans(
                env.t("casefile.final_level"),
                vec![Self::level_spans(env, d.final_level())],
            );
            if dv.interventions.is_empty() {
                doc.field(env.t("casefile.interventions"), none, th.dim());
            }
            for (i, (iv, st, _)) in dv.interventions.iter().enumerate() {
                let label = if i == 0 {
                    env.t("casefile.interventions")
                } else {
                    ""
                };
                let due = match iv.due {
                    Some(d) => d.to_string(),
                    None => env.t("casefile.due_now").to_string(),
                };
                let name = self.intervention_name(env, dv, &iv.kind);
                let mut details = format!(" · {} · {}", text::sanitize_line(&iv.unit), due);
                if d.status == DecisionStatus::Sealed {
                    details.push_str(&format!(" · {}", env.label(*st)));
                }
                if doc.label_w + 4 + text::width(&name) + text::width(&details) <= doc.width {
                    doc.field_spans(
                        label,
                        vec![
                            Span::styled(name, th.text()),
                            Span::styled(details, th.dim()),
                        ],
                    );
                } else {
                    // Too long for one line: the measure, then who and by when under it,
                    // both whole.
                    doc.field_wrapped(label, &name, th.text());
                    let indent = doc.label_w + 4;
                    doc.wrapped(indent, details.trim_start_matches(" · "), th.dim());
                }
            }
            match &d.next_review {
                Some(r) => doc.field(
                    env.t("casefile.next_review"),
                    env.tf(
                        "casefile.next_review_kind",
                        &[("date", &r.date.to_string()), ("kind", env.label(r.kind))],
                    ),
                    th.text(),
                ),
                None => doc.field(env.t("casefile.next_review"), none, th.dim()),
            }
            if dv.imported && d.vote.total() == 0 {
                doc.field(env.t("casefile.vote"), env.t("casefile.no_vote"), th.dim());
            } else {
                let mut vote = env.tf(
                    "casefile.vote_counts",
                    &[
                        ("for", &d.vote.for_.to_string()),
                        ("against", &d.vote.against.to_string()),
                        ("abstain", &d.vote.abstain.to_string()),
                    ],
                );
                if !d.recused.is_empty() {
                    vote.push_str(&format!(
                        " · {}",
                        env.tf("casefile.recused", &[("n", &d.recused.len().to_string())])
                    ));
                }
                doc.field(env.t("casefile.vote"), vote, th.text());
            }
            if d.dissent.trim().is_empty() {
                doc.field(env.t("casefile.dissent"), none, th.dim());
            } else {
                doc.field_wrapped(env.t("casefile.dissent"), &d.dissent, th.text());
            }
            if let Some(p) = &d.police_report {
                doc.field_wrapped(
                    env.t("casefile.police_report"),
                    &format!(
                        "{} · {} · {}",
                        p.reported_at.format("%Y-%m-%d %H:%M"),
                        text::sanitize_line(&p.unit),
                        env.tf(
                            "casefile.receipt",
                            &[("receipt", &text::sanitize_line(&p.receipt))]
                        )
                    ),
                    th.text(),
                );
            }
            if let Some(prev) = d.amends {
                doc.field_wrapped(
                    env.t("casefile.amends"),
                    &env.tf(
                        "casefile.amends_id",
                        &[
                            ("record", &record_id(prev)),
                            ("reason", &text::sanitize_line(&d.amend_reason)),
                        ],
                    ),
                    th.warn(),
                );
            }
            if let Some(next) = dv.amended_by {
                doc.field(
                    env.t("casefile.amended"),
                    env.tf("casefile.amended_by", &[("record", &record_id(next))]),
                    th.warn(),
                );
            }
            if d.status == DecisionStatus::Sealed && !dv.imported {
                match &dv.signature {
                    Some(sig) => doc.field(
                        env.t("casefile.signature"),
                        env.tf(
                            "casefile.signed_by",
                            &[
                                ("record", &text::sanitize_line(&sig.record_id)),
                                ("signer", &text::sanitize_line(&sig.signer)),
                                ("key", &text::sanitize_line(&sig.key_id)),
                                ("at", &sig.signed_at.format("%Y-%m-%d %H:%M").to_string()),
                            ],
                        ),
                        th.ok(),
                    ),
                    None => doc.field(
                        env.t("casefile.signature"),
                        env.t("casefile.not_signed"),
                        th.warn(),
                    ),
                }
            }
            let r = &a.catalogue;
            let short_sha: String = r.sha256.chars().take(12).collect();
            doc.field(
                env.t("casefile.criteria"),
                format!(
                    "{} {} · SHA-256 {}",
                    text::sanitize_line(&r.id),
                    text::sanitize_line(&r.version),
                    text::sanitize_line(&short_sha)
                ),
                th.text(),
            );
            match &self.data.criteria[dv.criteria].1 {
                Criteria::Known(cat) => self.answers_known(env, &mut doc, cat, dv),
                other => {
                    let note = match other {
                        Criteria::Broken(e) => env.tf("casefile.criteria_broken", &[("error", e)]),
                        _ => env.t("casefile.criteria_unknown").to_string(),
                    };
                    doc.wrapped(4, &note, th.warn());
                    for (id, entry) in &a.answers {
                        doc.spans(vec![
                            Span::styled(
                                format!("    {} ", th.mark(Some(entry.answer))),
                                self.answer_style(env, entry.answer),
                            ),
                            Span::styled(format!("{}  ", text::sanitize_line(id)), th.text()),
                            Span::styled(env.label(entry.answer).to_string(), th.dim()),
                        ]);
                        self.evidence(env, &mut doc, &entry.evidence, 10);
                    }
                }
            }
        }
        doc.lines
    }

    fn answer_style(&self, env: &Env, a: Answer) -> Style {
        match a {
            Answer::Met => env.theme.warn(),
            Answer::NotMet => env.theme.text(),
            Answer::Unknown => env.theme.dim(),
        }
    }

    fn evidence(&self, env: &Env, doc: &mut Doc<'_>, evidence: &str, indent: usize) {
        if !evidence.trim().is_empty() {
            let s = env.tf("casefile.evidence", &[("text", &text::sanitize(evidence))]);
            doc.wrapped(indent, &s, env.theme.dim());
        }
    }

    /// Every indicator of the catalogue, by level, with the answer given and its evidence.
    fn answers_known(&self, env: &Env, doc: &mut Doc<'_>, cat: &Catalogue, dv: &DecisionView) {
        let th = env.theme;
        let answers = &dv.decision.assessment.answers;
        let answer_w = Answer::ALL
            .iter()
            .map(|a| text::width(env.label(*a)))
            .chain([text::width(env.t("casefile.unanswered"))])
            .max()
            .unwrap_or(0);
        for level in RiskLevel::ALL {
            let mut first = true;
            for ind in cat.indicators_of(level) {
                if first {
                    doc.spans(vec![Span::styled(
                        format!("    {}", env.level_text(Some(level))),
                        th.level(Some(level)),
                    )]);
                    first = false;
                }
                let entry = answers.get(&ind.id);
                let answer = entry.map(|e| e.answer);
                let words = match env.lang {
                    Lang::Zh => &ind.zh,
                    Lang::En => &ind.en,
                };
                let answer_text = match answer {
                    Some(a) => env.label(a),
                    None => env.t("casefile.unanswered"),
                };
                let style = answer.map_or(th.dim(), |a| self.answer_style(env, a));
                // Mark, id and answer, then the indicator's words wrapped beside them: the
                // record shows exactly what was asked.
                let head = format!(
                    "     {} {} {} ",
                    th.mark(answer),
                    text::sanitize_line(&ind.id),
                    text::pad(answer_text, answer_w)
                );
                let indent = text::width(&head);
                let room = doc.width.saturating_sub(indent).max(8);
                let mut wrapped = text::wrap(&text::sanitize_line(words), room).into_iter();
                doc.lines.push(Line::from(vec![
                    Span::styled(head, style),
                    Span::styled(wrapped.next().unwrap_or_default(), th.text()),
                ]));
                for l in wrapped {
                    doc.lines.push(Line::styled(
                        format!("{}{l}", " ".repeat(indent)),
                        th.text(),
                    ));
                }
                if let Some(e) = entry {
                    self.evidence(env, doc, &e.evidence, indent);
                }
            }
        }
        // Answers to ids the catalogue does not know (should not happen; shown, not hidden).
        for (id, e) in answers.iter().filter(|(id, _)| cat.indicator(id).is_none()) {
            doc.spans(vec![Span::styled(
                format!(
                    "     {} {}  {}",
                    th.mark(Some(e.answer)),
                    text::sanitize_line(id),
                    env.label(e.answer)
                ),
                th.dim(),
            )]);
        }
    }

    /// The follow-ups page, and the line each intervention starts on.
    fn follow_ups(&self, env: &Env, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
        let th = env.theme;
        let today = env.today();
        let mut doc = Doc::new(env, width);
        let mut starts = Vec::new();
        let all: Vec<_> = self.data.follow_ups_at().collect();
        let late = all
            .iter()
            .filter(|(_, _, (iv, st, _))| {
                crate::domain::decision::days_late(today, iv.due, *st).is_some()
            })
            .count();
        doc.heading(&env.tf(
            "casefile.follow_ups_heading",
            &[("n", &all.len().to_string()), ("late", &late.to_string())],
        ));
        if all.is_empty() {
            doc.spans(vec![Span::styled(
                format!("  {}", env.t("casefile.no_follow_ups")),
                th.dim(),
            )]);
            return (doc.lines, starts);
        }
        let keys = |a: Action| {
            env.keymap
                .keys_for(&[Ctx::CaseFile], a)
                .map(|k| k.to_string())
                .unwrap_or_default()
        };
        doc.spans(vec![Span::styled(
            format!(
                "  {}",
                env.tf(
                    "casefile.follow_ups_keys",
                    &[
                        ("progress", &keys(Action::Progress)),
                        ("visit", &keys(Action::AddVisit)),
                    ],
                )
            ),
            th.dim(),
        )]);
        let current = self.current_iv.min(all.len() - 1);
        let mut last: Option<i64> = None;
        for (n, (dv, position, (iv, st, note))) in all.into_iter().enumerate() {
            let d = &dv.decision;
            if last != Some(d.id) {
                if last.is_some() {
                    doc.blank();
                }
                doc.spans(vec![
                    Span::styled(
                        format!(
                            "  {}  ",
                            env.tf(
                                "casefile.decided_on",
                                &[("date", &d.decided_on.to_string())]
                            )
                        ),
                        th.heading(),
                    ),
                    Self::level_spans(env, d.final_level()),
                ]);
                last = Some(d.id);
            }
            let late = crate::domain::decision::days_late(today, iv.due, *st);
            let name_style = if late.is_some() {
                th.error()
            } else {
                th.text()
            };
            starts.push(doc.lines.len());
            let selected = n == current;
            doc.spans(vec![
                Span::styled(
                    format!(
                        " {} {} ",
                        if selected { th.cursor() } else { " " },
                        th.check(*st == InterventionStatus::Done)
                    ),
                    name_style,
                ),
                Span::styled(
                    self.intervention_name(env, dv, &iv.kind),
                    if selected { th.selected() } else { name_style },
                ),
            ]);
            let due = match iv.due {
                Some(d) => env.tf("casefile.due_by", &[("date", &d.to_string())]),
                None => env.t("casefile.due_now").to_string(),
            };
            let mut spans = vec![
                Span::styled(
                    format!("       {} · {} · ", text::sanitize_line(&iv.unit), due),
                    th.dim(),
                ),
                Span::styled(
                    env.label(*st).to_string(),
                    if *st == InterventionStatus::Done {
                        th.ok()
                    } else {
                        th.text()
                    },
                ),
            ];
            if let Some(days) = late {
                spans.push(Span::styled(
                    format!(
                        "  {}",
                        env.tf("cases.overdue_days", &[("days", &days.to_string())])
                    ),
                    th.error(),
                ));
            }
            doc.spans(spans);
            if !note.trim().is_empty() {
                doc.wrapped(
                    7,
                    &env.tf("casefile.note", &[("text", &text::sanitize(note))]),
                    th.dim(),
                );
            }
            let visits = self.data.visits_of(d.id, position);
            if let Some(latest) = visits.first() {
                doc.spans(vec![Span::styled(
                    format!(
                        "       {}",
                        env.tf(
                            "casefile.follow_up_visits",
                            &[
                                ("n", &visits.len().to_string()),
                                ("date", &latest.visited_on.to_string()),
                            ],
                        )
                    ),
                    th.dim(),
                )]);
            }
        }
        (doc.lines, starts)
    }

    // --- drawing ------------------------------------------------------------------

    fn render_tabs(&self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = env.theme;
        let width = usize::from(area.width);
        let num = |i: usize| -> String {
            match th.symbols {
                Symbols::Unicode => ["①", "②", "③", "④", "⑤"][i].to_string(),
                Symbols::Ascii => format!("{}.", i + 1),
            }
        };
        // Widest first: labels with counts, then without, each with a gap between tabs and
        // then without; last, only the current tab named.
        const VARIANTS: [(bool, bool, bool); 5] = [
            (true, true, true),
            (true, true, false),
            (true, false, true),
            (true, false, false),
            (false, false, false),
        ];
        for (v, (named, counts, gap)) in VARIANTS.into_iter().enumerate() {
            let mut spans = vec![Span::raw(" ")];
            for (i, tab) in TABS.iter().enumerate() {
                let current = i == self.tab;
                let mut label = format!(" {} ", num(i));
                if current || named {
                    label = format!(" {} {}", num(i), Self::tab_label(env, *tab));
                    match self.tab_count(*tab) {
                        Some(n) if counts && n > 0 => label.push_str(&format!(" ({n}) ")),
                        _ => label.push(' '),
                    }
                }
                spans.push(Span::styled(
                    label,
                    if current { th.selected() } else { th.text() },
                ));
                if gap {
                    spans.push(Span::raw(" "));
                }
            }
            let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
            if used <= width || v + 1 == VARIANTS.len() {
                frame.render_widget(Paragraph::new(Line::from(fit(spans, width, &th))), area);
                return;
            }
        }
    }

    fn render_rule(
        &self,
        env: &Env,
        frame: &mut Frame<'_>,
        area: Rect,
        scroll: usize,
        total: usize,
        page: usize,
    ) {
        let th = env.theme;
        let width = usize::from(area.width);
        let pos = if total > page {
            format!(
                " {}–{} / {} ",
                scroll + 1,
                (scroll + page).min(total),
                total
            )
        } else {
            String::new()
        };
        let rule_w = text::width(th.rule()).max(1);
        let rule = th
            .rule()
            .repeat(width.saturating_sub(text::width(&pos) + 1) / rule_w);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" {rule}"), th.dim()),
                Span::styled(pos, th.dim()),
            ])),
            area,
        );
    }

    fn render_visits(&mut self, env: &Env, frame: &mut Frame<'_>, rule: Rect, area: Rect) {
        let th = env.theme;
        let width = usize::from(area.width);
        let h = usize::from(area.height).max(1);
        if self.data.visits.is_empty() {
            self.render_rule(env, frame, rule, 0, 0, h);
            let key = env
                .keymap
                .keys_for(&[Ctx::CaseFile], Action::AddVisit)
                .map(|k| k.to_string())
                .unwrap_or_default();
            let mut doc = Doc::new(env, width);
            doc.heading(env.t("casefile.tab.visits"));
            doc.wrapped(2, &env.tf("casefile.no_visits", &[("key", &key)]), th.dim());
            frame.render_widget(Paragraph::new(doc.lines), area);
            return;
        }
        let (mut lines, starts) = self.visits(env, width);
        if let Some(focus) = self.focus_visit.take() {
            let at = match focus {
                Some(id) => self.data.visits.iter().position(|v| v.id == id),
                None => self
                    .data
                    .visits
                    .iter()
                    .enumerate()
                    .max_by_key(|(_, v)| v.id)
                    .map(|(i, _)| i),
            };
            if let Some(i) = at {
                self.scroll[2] = starts[i];
            }
        }
        let total = lines.len();
        let max_scroll = starts
            .last()
            .copied()
            .unwrap_or(0)
            .max(total.saturating_sub(h));
        let scroll = self.scroll[2].min(max_scroll);
        self.scroll[2] = scroll;
        let cur = starts.iter().rposition(|s| *s <= scroll).unwrap_or(0);
        self.current_visit = cur;
        let header = self.visit_header(env, cur, true, width);
        lines[starts[cur]] = header.clone();
        let sticky = starts[cur] < scroll;
        let body_h = if sticky { h - 1 } else { h };
        let mut shown: Vec<Line<'static>> = Vec::with_capacity(h);
        if sticky {
            shown.push(header);
        }
        shown.extend(lines.into_iter().skip(scroll).take(body_h));
        self.page = body_h.max(1);
        self.render_rule(env, frame, rule, scroll, total, body_h);
        frame.render_widget(Paragraph::new(shown), area);
    }

    fn open_report_form(&mut self, env: &Env) {
        self.report_form = Some(
            Form::new(env.t("report.form.title"))
                .line(
                    env.t("report.form.at"),
                    &env.now().format("%Y-%m-%d %H:%M").to_string(),
                )
                .line(env.t("report.form.channel"), "")
                .line(env.t("report.form.reporter"), "")
                .text(env.t("report.form.summary"), "")
                .hint(env.t("report.form.hint")),
        );
    }

    /// Checks the form and records the report; an error stays in the form, on the field.
    fn save_report(&mut self, env: &mut Env) -> Outcome {
        let Some(form) = self.report_form.as_mut() else {
            return Outcome::Done;
        };
        let at = crate::intake::parse_time(&form.value(0)).filter(|t| *t <= env.now());
        let Some(at) = at else {
            form.focus = 0;
            form.error = Some(env.t("report.form.bad_at").to_string());
            return Outcome::Done;
        };
        let Some(channel) = crate::intake::parse_channel(&form.value(1)) else {
            form.focus = 1;
            form.error = Some(env.t("report.form.bad_channel").to_string());
            return Outcome::Done;
        };
        let summary = form.value(3);
        if summary.trim().is_empty() {
            form.focus = 3;
            form.error = Some(env.t("report.form.empty_summary").to_string());
            return Outcome::Done;
        }
        let reporter = Some(form.value(2)).filter(|r| !r.trim().is_empty());
        let report = Report {
            id: 0,
            case_id: self.case_id,
            received_at: at,
            channel,
            reporter,
            summary,
        };
        let graded = self.data.case.status == CaseStatus::Active;
        match env.store.write(|tx| reports::insert(tx, &report)) {
            Ok(_) => {
                self.report_form = None;
                self.tab = 1;
                self.scroll[1] = 0;
                self.refresh(env);
                Flash::ok(env.t(if graded {
                    "report.form.saved_review"
                } else {
                    "report.form.saved"
                }))
            }
            Err(e) => {
                if let Some(form) = self.report_form.as_mut() {
                    form.error = Some(e.to_string());
                }
                Outcome::Done
            }
        }
    }

    fn scroll_by(&mut self, delta: isize) {
        let s = &mut self.scroll[self.tab];
        *s = s.saturating_add_signed(delta);
    }
}

impl View for CaseFile {
    fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::CaseFile, Ctx::List]
    }

    fn title(&self, env: &Env) -> String {
        env.tf(
            "casefile.title",
            &[
                ("case", &case_number(self.case_id)),
                ("name", &self.masked_name(env, false)),
            ],
        )
    }

    fn refresh(&mut self, env: &mut Env) {
        match Data::load(env, self.case_id) {
            Ok(d) => {
                // Back from the visit editor with a visit saved: show it.
                let saved = d.visits != self.data.visits;
                self.data = d;
                self.error = None;
                if let Some(focus) = self.editing_visit.take().filter(|_| saved) {
                    self.tab = 2;
                    self.focus_visit = Some(focus);
                }
            }
            Err(e) => self.error = Some(e.0),
        }
    }

    fn editing(&self) -> bool {
        self.report_form.is_some() || self.form.is_some()
    }

    fn key(&mut self, env: &mut Env, key: crossterm::event::KeyEvent) -> Outcome {
        if let Some(form) = self.report_form.as_mut() {
            return match form.key(key) {
                FormKey::Submit => self.save_report(env),
                FormKey::Handled => Outcome::Done,
            };
        }
        let Some(form) = self.form.as_mut() else {
            return Outcome::Ignored;
        };
        match form.key(key) {
            FormKey::Submit => self.submit_progress(env),
            FormKey::Handled => Outcome::Done,
        }
    }

    fn paste(&mut self, _env: &mut Env, text: &str) -> Outcome {
        if let Some(form) = self.report_form.as_mut().or(self.form.as_mut()) {
            form.paste(text);
        }
        Outcome::Done
    }

    fn update(&mut self, env: &mut Env, action: Action) -> Outcome {
        // The report form takes Ctrl-S (save) and Esc (cancel).
        if self.report_form.is_some() {
            return match action {
                Action::Save => self.save_report(env),
                Action::Back => {
                    self.report_form = None;
                    Outcome::Done
                }
                _ => Outcome::Done,
            };
        }
        // The progress form likewise.
        if self.form.is_some() {
            return match action {
                Action::Save => self.submit_progress(env),
                Action::Back => {
                    self.form = None;
                    Outcome::Done
                }
                _ => Outcome::Done,
            };
        }
        let page = self.page.max(2) as isize - 1;
        match action {
            Action::AddReport => self.open_report_form(env),
            Action::NextTab => self.tab = (self.tab + 1) % TABS.len(),
            Action::PrevTab => self.tab = (self.tab + TABS.len() - 1) % TABS.len(),
            Action::Up if self.tab() == Tab::FollowUps => {
                self.current_iv = self.current_iv.saturating_sub(1);
            }
            Action::Down if self.tab() == Tab::FollowUps => {
                let n = self.data.follow_ups().count();
                self.current_iv = (self.current_iv + 1).min(n.saturating_sub(1));
            }
            Action::Progress if self.tab() == Tab::FollowUps => return self.open_progress(env),
            Action::Progress => {
                self.tab = TABS
                    .iter()
                    .position(|t| *t == Tab::FollowUps)
                    .unwrap_or(self.tab);
            }
            Action::AddVisit if self.tab() == Tab::FollowUps => {
                let Some((decision_id, position, _, _, name)) = self.selected_iv(env) else {
                    return Flash::info(env.t("casefile.no_follow_ups"));
                };
                // Back on this page afterwards (not on the visits tab).
                self.editing_visit = None;
                return Outcome::Push(Box::new(VisitEditor::follow_up(
                    env,
                    self.case_id,
                    decision_id,
                    position,
                    &name,
                )));
            }
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-page),
            Action::PageDown => self.scroll_by(page),
            Action::First => self.scroll[self.tab] = 0,
            Action::Last => self.scroll[self.tab] = usize::MAX / 2,
            Action::AddVisit => {
                self.editing_visit = Some(None);
                return Outcome::Push(Box::new(VisitEditor::new(env, self.case_id, None)));
            }
            Action::Open => {
                if self.tab() != Tab::Visits {
                    return Outcome::Done;
                }
                let Some(v) = self.data.visits.get(self.current_visit) else {
                    let key = env
                        .keymap
                        .keys_for(&[Ctx::CaseFile], Action::AddVisit)
                        .map(|k| k.to_string())
                        .unwrap_or_default();
                    return Flash::info(env.tf("casefile.no_visits", &[("key", &key)]));
                };
                self.editing_visit = Some(Some(v.id));
                return Outcome::Push(Box::new(VisitEditor::new(
                    env,
                    self.case_id,
                    Some(v.clone()),
                )));
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Done
    }

    fn render(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        self.render_page(env, frame, area);
        if let Some(form) = self.report_form.as_mut() {
            form.render(env, frame, area);
        }
    }
}

impl CaseFile {
    fn render_page(&mut self, env: &Env, frame: &mut Frame<'_>, area: Rect) {
        let th = env.theme;
        let [summary, tabs, rule, body] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let width = usize::from(area.width);
        frame.render_widget(Paragraph::new(self.summary(env, width)), summary);
        self.render_tabs(env, frame, tabs);
        if let Some(err) = &self.error {
            let lines: Vec<Line<'_>> =
                text::wrap(&format!("  {}", text::sanitize(err)), width.max(2))
                    .into_iter()
                    .map(|l| Line::styled(l, th.error()))
                    .collect();
            frame.render_widget(Paragraph::new(lines), body);
            return;
        }
        let content_w = width.saturating_sub(1);
        let lines = match self.tab() {
            Tab::Visits => {
                self.render_visits(env, frame, rule, body);
                return;
            }
            Tab::Profile => self.profile(env, content_w),
            Tab::Reports => self.reports(env, content_w),
            Tab::Decisions => self.decisions(env, content_w),
            Tab::FollowUps => {
                let (lines, starts) = self.follow_ups(env, content_w);
                // Keep the selected intervention in view.
                let h = usize::from(body.height).max(1);
                self.current_iv = self.current_iv.min(starts.len().saturating_sub(1));
                if let Some(&at) = starts.get(self.current_iv) {
                    let end = starts
                        .get(self.current_iv + 1)
                        .copied()
                        .unwrap_or(lines.len());
                    let s = &mut self.scroll[self.tab];
                    if at < *s {
                        *s = at;
                    } else if end > *s + h {
                        *s = end.saturating_sub(h).min(at);
                    }
                }
                lines
            }
        };
        let h = usize::from(body.height).max(1);
        self.page = h;
        let total = lines.len();
        let scroll = self.scroll[self.tab].min(total.saturating_sub(h));
        self.scroll[self.tab] = scroll;
        self.render_rule(env, frame, rule, scroll, total, h);
        let shown: Vec<Line<'static>> = lines.into_iter().skip(scroll).take(h).collect();
        frame.render_widget(Paragraph::new(shown), body);
        if let Some(form) = self.form.as_mut() {
            form.render(env, frame, area);
        }
    }
}
