//! Drawing the session: the title, the roll call, each case step, the summary.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{CaseState, DecisionRow, Pane, Session, Setup, Stage, Step};
use crate::domain::assessment::{Answer, Rule};
use crate::domain::case::case_number;
use crate::domain::decision::{DecisionStatus, Missing, ReviewKind};
use crate::domain::panel::AgendaOutcome;
use crate::export::record::record_id;
use crate::i18n::Lang;
use crate::store::queue::Reason;
use crate::text;
use crate::tui::env::Env;

pub fn title(s: &Session, env: &Env) -> String {
    let date = env.date_with_weekday(s.held_on);
    let short_date = format!("{} {}", s.held_on.format("%m-%d"), {
        use chrono::Datelike;
        env.t(&format!(
            "weekday.{}",
            s.held_on.weekday().num_days_from_monday()
        ))
    });
    match &s.stage {
        Stage::Setup(_) => env.tf("session.title_setup", &[("date", &date)]),
        Stage::End => env.tf("session.title_end", &[("date", &date)]),
        Stage::Case(i) => {
            let conflicted = s
                .current_ref()
                .map(|c| c.conflicted.clone())
                .unwrap_or_default();
            let q = s.quorum(env, &conflicted);
            env.tf(
                "session.title_case",
                &[
                    ("date", &short_date),
                    ("i", &(i + 1).to_string()),
                    ("n", &s.agenda.len().to_string()),
                    ("present", &s.present.len().to_string()),
                    ("roster", &s.members.len().to_string()),
                    ("quorum", env.theme.tick(q.met())),
                ],
            )
        }
    }
}

pub fn render(s: &mut Session, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    match &s.stage {
        Stage::Setup(setup) => render_setup(s, setup, env, frame, area),
        Stage::End => render_end(s, env, frame, area),
        Stage::Case(_) => render_case(s, env, frame, area),
    }
}

fn lines_widget(lines: Vec<Line<'static>>, scroll: u16) -> Paragraph<'static> {
    Paragraph::new(lines).scroll((scroll, 0))
}

/// Keeps `sel` in view: the first row to draw for a list of `len` rows in `height`.
fn window_start(sel: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        sel.saturating_sub(height.saturating_sub(1))
    }
}

/// One line of screen text: made safe, cut to `w` columns; leading indentation is kept.
fn cut(s: &str, w: usize, env: &Env) -> String {
    let indent = s.len() - s.trim_start_matches(' ').len();
    let line = format!("{}{}", &s[..indent], text::sanitize_line(s));
    text::truncate_with(&line, w, env.theme.ellipsis())
}

fn quorum_line(
    s: &Session,
    env: &Env,
    conflicted: &std::collections::BTreeSet<i64>,
    key: &str,
) -> Line<'static> {
    let th = &env.theme;
    let q = s.quorum(env, conflicted);
    let text = env.tf(
        key,
        &[
            ("members", &q.members.to_string()),
            ("disciplines", &q.disciplines.to_string()),
            ("min_members", &q.rule.min_members.to_string()),
            ("min_disciplines", &q.rule.min_disciplines.to_string()),
        ],
    );
    Line::from(vec![
        Span::styled(format!("  {text}  "), th.text()),
        Span::styled(
            format!(
                "{} {}",
                th.tick(q.met()),
                if q.met() {
                    env.t("session.quorum_ok")
                } else {
                    env.t("session.quorum_no")
                }
            ),
            if q.met() { th.ok() } else { th.error() },
        ),
    ])
}

fn render_setup(s: &Session, setup: &Setup, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let th = &env.theme;
    let [head, roles, _, panes] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(quorum_line(
            s,
            env,
            &Default::default(),
            "session.present_line",
        )),
        head,
    );
    let name = |id: Option<i64>| {
        id.map(|i| s.member_name(i))
            .unwrap_or_else(|| env.t("session.not_chosen").to_string())
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("  {} ", env.t("session.chair")), th.text()),
            Span::styled(text::sanitize_line(&name(s.chair)), th.heading()),
            Span::styled(format!("    {} ", env.t("session.secretary")), th.text()),
            Span::styled(text::sanitize_line(&name(s.secretary)), th.heading()),
        ])),
        roles,
    );
    let [left, mid, right] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(38),
        Constraint::Percentage(32),
    ])
    .areas(panes);

    let heading = |pane: Pane, key: &str, count: usize| -> Line<'static> {
        let style = if setup.pane == pane {
            th.key()
        } else {
            th.heading()
        };
        let mark = if setup.pane == pane { th.cursor() } else { " " };
        Line::styled(format!("{mark} {} ({count})", env.t(key)), style)
    };

    // Roll call.
    let h = usize::from(left.height.saturating_sub(1));
    let mut lines = vec![heading(Pane::Roster, "session.roll_call", s.members.len())];
    let start = window_start(setup.roster_sel, h);
    let w = usize::from(left.width);
    for (i, m) in s.members.iter().enumerate().skip(start).take(h) {
        let here = s.present.contains(&m.id);
        let role = if s.chair == Some(m.id) {
            env.t("session.chair_tag")
        } else if s.secretary == Some(m.id) {
            env.t("session.secretary_tag")
        } else {
            ""
        };
        let row = format!(
            " {} {} {} {}",
            th.check(here),
            m.name,
            env.label(m.discipline),
            role
        );
        let style = if setup.pane == Pane::Roster && i == setup.roster_sel {
            th.selected()
        } else if here {
            th.text()
        } else {
            th.dim()
        };
        lines.push(Line::styled(text::pad(&cut(&row, w, env), w), style));
    }
    frame.render_widget(Paragraph::new(lines), left);

    // Agenda.
    let h = usize::from(mid.height.saturating_sub(1));
    let w = usize::from(mid.width);
    let mut lines = vec![heading(Pane::Agenda, "session.agenda", s.agenda.len())];
    let start = window_start(setup.agenda_sel, h);
    for (i, item) in s.agenda.iter().enumerate().skip(start).take(h) {
        let focused = setup.pane == Pane::Agenda && i == setup.agenda_sel;
        let (name, level) = setup
            .rows
            .get(&item.case_id)
            .map(|r| (env.name(&r.name, focused).into_owned(), r.level))
            .unwrap_or_default();
        let outcome = match item.outcome {
            AgendaOutcome::Pending => setup
                .reasons
                .get(&item.case_id)
                .map(|r| reason_label(env, *r))
                .unwrap_or(""),
            other => env.label(other),
        };
        let row = format!(
            " {:>2}. {} {} {} {}",
            i + 1,
            case_number(item.case_id),
            name,
            env.level_short(level),
            outcome
        );
        let style = if focused {
            th.selected()
        } else if item.outcome == AgendaOutcome::Pending {
            th.text()
        } else {
            th.dim()
        };
        lines.push(Line::styled(text::pad(&cut(&row, w, env), w), style));
    }
    if s.agenda.is_empty() {
        lines.push(Line::styled(
            format!("  {}", env.t("session.agenda_empty")),
            th.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), mid);

    // Candidates from the queue.
    let h = usize::from(right.height.saturating_sub(1));
    let w = usize::from(right.width);
    let mut lines = vec![heading(
        Pane::Candidates,
        "session.candidates",
        setup.candidates.len(),
    )];
    let start = window_start(setup.cand_sel, h);
    for (i, (r, why)) in setup.candidates.iter().enumerate().skip(start).take(h) {
        let focused = setup.pane == Pane::Candidates && i == setup.cand_sel;
        let row = format!(
            " {} {} {} {}",
            case_number(r.case_id),
            env.name(&r.name, focused),
            env.level_short(r.level),
            reason_label(env, *why)
        );
        let style = if focused { th.selected() } else { th.text() };
        lines.push(Line::styled(text::pad(&cut(&row, w, env), w), style));
    }
    frame.render_widget(Paragraph::new(lines), right);
}

fn reason_label(env: &Env, r: Reason) -> &'static str {
    r.label(env.lang)
}

fn render_end(s: &Session, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let th = &env.theme;
    let decided = s
        .agenda
        .iter()
        .filter(|a| a.outcome == AgendaOutcome::Decided)
        .count();
    let deferred = s
        .agenda
        .iter()
        .filter(|a| a.outcome == AgendaOutcome::Deferred)
        .count();
    let pending = s.agenda.len() - decided - deferred;
    let mut lines = vec![
        Line::raw(""),
        Line::styled(
            format!(
                "  {}",
                env.tf(
                    "session.end_counts",
                    &[
                        ("decided", &decided.to_string()),
                        ("deferred", &deferred.to_string()),
                        ("pending", &pending.to_string())
                    ]
                )
            ),
            th.heading(),
        ),
        Line::raw(""),
    ];
    let w = usize::from(area.width);
    for (i, item) in s.agenda.iter().enumerate() {
        let level = s.decided.get(&item.case_id).copied().flatten();
        let detail = match item.outcome {
            AgendaOutcome::Decided => env.level_text(level),
            AgendaOutcome::Deferred => format!(
                "{}{}{}",
                env.label(item.outcome),
                env.colon(),
                text::sanitize_line(item.defer_reason.as_deref().unwrap_or(""))
            ),
            AgendaOutcome::Pending => env.label(item.outcome).to_string(),
        };
        let row = format!("  {:>2}. {}  {}", i + 1, case_number(item.case_id), detail);
        let style = match item.outcome {
            AgendaOutcome::Decided => th.level(level),
            AgendaOutcome::Deferred => th.warn(),
            AgendaOutcome::Pending => th.dim(),
        };
        lines.push(Line::styled(cut(&row, w, env), style));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("  {}", env.t("session.end_hint")),
        th.text(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_case(s: &mut Session, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let Stage::Case(index) = s.stage else { return };
    let Some(case_id) = s.agenda.get(index).map(|a| a.case_id) else {
        return;
    };
    let decided = s
        .agenda
        .get(index)
        .is_some_and(|a| a.outcome == AgendaOutcome::Decided)
        && s.cases
            .get(&case_id)
            .is_some_and(|c| c.draft.status == DecisionStatus::Sealed);
    let present = s.present.clone();
    let members = s.members.clone();
    let quorum = s.current_ref().map(|c| s.quorum(env, &c.conflicted));
    let Some(cs) = s.cases.get_mut(&case_id) else {
        return;
    };
    let th = &env.theme;
    let [child_line, steps_line, _, body, missing_line] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(if matches!(cs.step, Step::Decision | Step::Confirm) {
            2
        } else {
            0
        }),
    ])
    .areas(area);

    // Who: always visible.
    let d = &cs.data;
    let age = d.child.age_on(env.today());
    let types: Vec<&str> = d.case.types.iter().map(|t| env.label(*t)).collect();
    let last = match &d.last {
        Some(l) => format!(
            " · {} {}{}",
            env.t("session.last"),
            env.level_short(l.final_level()),
            env.aside(&l.decided_on.to_string())
        ),
        None => format!(" · {}", env.t("session.first_assessment")),
    };
    let who = format!(
        " {}  {} {} · {} · {}{}",
        env.name(&d.child.name, false),
        env.label(d.child.sex),
        env.tf("session.age", &[("age", &age.to_string())]),
        text::sanitize_line(&d.region),
        types.join(env.sep()),
        last
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            cut(&who, usize::from(child_line.width), env),
            th.heading(),
        )),
        child_line,
    );

    // Steps, and the computed level at the right.
    let mut spans = vec![Span::raw(" ")];
    for (i, step) in Step::ALL.iter().enumerate() {
        let label = format!("{} {}", circled(i + 1, env), env.t(step.key()));
        if *step == cs.step {
            spans.push(Span::styled(format!("[{label}]"), th.selected()));
        } else {
            spans.push(Span::styled(format!(" {label} "), th.text()));
        }
        spans.push(Span::raw(" "));
    }
    let level = cs.final_level();
    let right = if decided {
        format!(
            "{} · {}",
            env.t("session.sealed_tag"),
            env.level_text(level)
        )
    } else {
        env.level_text(level)
    };
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    let pad = usize::from(steps_line.width).saturating_sub(used + text::width(&right) + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, th.level(level)));
    frame.render_widget(Paragraph::new(Line::from(spans)), steps_line);
    let rule = th.rule().repeat(usize::from(area.width));
    frame.render_widget(
        Paragraph::new(Span::styled(rule, th.dim())),
        Rect {
            y: steps_line.y + 1,
            height: 1,
            ..steps_line
        },
    );

    match cs.step {
        Step::Summary => render_summary(cs, env, frame, body),
        Step::Notes => render_notes(cs, env, frame, body),
        Step::Conflicts => render_conflicts(cs, env, frame, body, &present, &members, quorum),
        Step::Scoring => render_scoring(cs, env, frame, body),
        Step::Decision => render_decision(cs, env, frame, body),
        Step::Confirm => render_confirm(cs, env, frame, body, decided),
    }
    if missing_line.height > 0 {
        render_missing(cs, env, frame, missing_line, decided);
    }
    if let Some((_, form)) = cs.form.as_mut() {
        form.render(env, frame, area);
    }
}

fn circled(n: usize, env: &Env) -> String {
    match env.theme.symbols {
        crate::tui::theme::Symbols::Unicode => ["①", "②", "③", "④", "⑤", "⑥"]
            .get(n - 1)
            .copied()
            .unwrap_or("?")
            .to_string(),
        crate::tui::theme::Symbols::Ascii => format!("{n}."),
    }
}

fn kv(env: &Env, key: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {}{}", env.t(key), env.colon()), env.theme.dim()),
        Span::styled(value, env.theme.text()),
    ])
}

fn wrapped(lines: &mut Vec<Line<'static>>, s: &str, width: usize, indent: usize, style: Style) {
    let pad = " ".repeat(indent);
    for l in text::wrap(&text::sanitize(s), width.saturating_sub(indent).max(2)) {
        lines.push(Line::styled(format!("{pad}{l}"), style));
    }
}

fn render_summary(cs: &CaseState, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let th = &env.theme;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    let d = &cs.data;
    let c = &d.child;
    let mut l: Vec<Line<'static>> = vec![Line::styled(
        format!(" {}", env.t("session.child")),
        th.heading(),
    )];
    l.push(kv(env, "field.name", env.name(&c.name, true).into_owned()));
    l.push(kv(
        env,
        "field.birth_date",
        format!(
            "{} · {}",
            c.birth_date,
            env.tf(
                "session.age",
                &[("age", &c.age_on(env.today()).to_string())]
            )
        ),
    ));
    if let Some(id) = &c.id_number {
        l.push(kv(
            env,
            "field.id_number",
            env.id_number(id.as_str(), false).into_owned(),
        ));
    }
    l.push(kv(
        env,
        "field.address",
        env.address(&text::sanitize_line(&c.address), false)
            .into_owned(),
    ));
    if let Some(school) = &c.school {
        l.push(kv(env, "field.school", text::sanitize_line(school)));
    }
    l.push(kv(
        env,
        "field.status",
        env.label(d.case.status).to_string(),
    ));
    l.push(Line::raw(""));
    l.push(Line::styled(
        format!(" {}", env.t("session.guardians")),
        th.heading(),
    ));
    for g in &d.guardians {
        l.push(Line::styled(
            cut(
                &format!(
                    "  {} · {} · {}",
                    env.label(g.relation),
                    env.name(&g.name, false),
                    env.label(g.status)
                ),
                usize::from(left.width),
                env,
            ),
            if g.status.is_incapacitating() {
                th.warn()
            } else {
                th.text()
            },
        ));
    }
    if d.guardians.is_empty() {
        l.push(Line::styled(
            format!("  {}", env.t("session.none")),
            th.dim(),
        ));
    }
    if !d.requests.is_empty() {
        l.push(Line::raw(""));
        l.push(Line::styled(
            format!(" {}", env.t("session.ad_hoc_requests")),
            th.warn(),
        ));
        for r in &d.requests {
            wrapped(
                &mut l,
                &format!("{} {}", r.raised_on, r.reason),
                usize::from(left.width),
                2,
                th.text(),
            );
        }
    }
    frame.render_widget(lines_widget(l, cs.scroll), left);

    let w = usize::from(right.width);
    let mut r: Vec<Line<'static>> = vec![Line::styled(
        format!(" {}", env.t("session.reports")),
        th.heading(),
    )];
    for rep in d.reports.iter().take(5) {
        let channel = if rep.is_mandatory() {
            env.tf(
                "report.channel_mandatory",
                &[("channel", env.label(rep.channel))],
            )
        } else {
            env.label(rep.channel).to_string()
        };
        r.push(Line::styled(
            format!("  {} {}", rep.received_at.format("%Y-%m-%d"), channel),
            th.text(),
        ));
        wrapped(&mut r, &rep.summary, w, 4, th.dim());
    }
    if d.reports.is_empty() {
        r.push(Line::styled(
            format!("  {}", env.t("session.none")),
            th.dim(),
        ));
    }
    r.push(Line::raw(""));
    r.push(Line::styled(
        format!(" {}", env.t("session.last_decision")),
        th.heading(),
    ));
    match &d.last {
        Some(last) => {
            r.push(Line::styled(
                format!(
                    "  {} · {}",
                    last.decided_on,
                    env.level_text(last.final_level())
                ),
                th.level(last.final_level()),
            ));
            for iv in &last.interventions {
                let name = env
                    .catalogue
                    .intervention(&iv.kind)
                    .map(|i| {
                        if env.lang == Lang::Zh {
                            i.zh.clone()
                        } else {
                            i.en.clone()
                        }
                    })
                    .unwrap_or_else(|| iv.kind.clone());
                r.push(Line::styled(
                    cut(&format!("  · {name} — {}", iv.unit), w, env),
                    th.text(),
                ));
            }
            let met: Vec<String> = last
                .assessment
                .answers
                .iter()
                .filter(|(_, e)| e.answer == Answer::Met)
                .map(|(id, _)| id.clone())
                .collect();
            if !met.is_empty() {
                r.push(Line::styled(
                    cut(
                        &format!(
                            "  {}{}{}",
                            env.t("session.met_last_time"),
                            env.colon(),
                            met.join(env.sep())
                        ),
                        w,
                        env,
                    ),
                    th.text(),
                ));
            }
            let changes = crate::domain::criteria::scoring::diff(
                &last.assessment.answers,
                &cs.draft.assessment.answers,
            );
            let changed: Vec<String> = changes
                .iter()
                .filter(|(_, _, now)| now.is_some())
                .map(|(id, before, now)| {
                    format!(
                        "{id} {}{}{}",
                        answer_word(env, *before),
                        env.theme.arrow(),
                        answer_word(env, *now)
                    )
                })
                .collect();
            if !changed.is_empty() {
                r.push(Line::raw(""));
                r.push(Line::styled(
                    format!(" {}", env.t("session.changes")),
                    th.heading(),
                ));
                for c in changed {
                    r.push(Line::styled(format!("  {c}"), th.text()));
                }
            }
        }
        None => r.push(Line::styled(
            format!("  {}", env.t("session.first_assessment")),
            th.dim(),
        )),
    }
    frame.render_widget(lines_widget(r, cs.scroll), right);
}

fn answer_word(env: &Env, a: Option<Answer>) -> &'static str {
    match a {
        Some(a) => env.label(a),
        None => env.t("session.unanswered"),
    }
}

fn render_notes(cs: &CaseState, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let th = &env.theme;
    let w = usize::from(area.width).saturating_sub(2);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for v in &cs.data.visits {
        lines.push(Line::styled(
            format!(" {} · {}", v.visited_on, env.t("session.home_visit")),
            th.heading(),
        ));
        let who = format!(
            "  {}{c}{}   {}{c}{}   {}{c}{}",
            env.t("visit.visitors"),
            text::sanitize_line(&v.visitors),
            env.t("visit.place"),
            env.address(&text::sanitize_line(&v.place), false),
            env.t("visit.people_met"),
            text::sanitize_line(&v.people_met),
            c = env.colon()
        );
        lines.push(Line::styled(
            cut(&who, usize::from(area.width), env),
            th.dim(),
        ));
        wrapped(&mut lines, &v.notes, w, 2, th.text());
        lines.push(Line::raw(""));
    }
    if cs.data.visits.is_empty() {
        lines.push(Line::styled(
            format!("  {}", env.t("session.no_visits")),
            th.dim(),
        ));
    }
    let max = (lines.len() as u16).saturating_sub(area.height);
    frame.render_widget(lines_widget(lines, cs.scroll.min(max)), area);
}

fn render_conflicts(
    cs: &CaseState,
    env: &Env,
    frame: &mut Frame<'_>,
    area: Rect,
    present: &[i64],
    members: &[crate::domain::panel::Member],
    quorum: Option<crate::domain::panel::QuorumCheck>,
) {
    let th = &env.theme;
    let mut lines = vec![
        Line::styled(format!(" {}", env.t("session.conflicts_help")), th.text()),
        Line::raw(""),
    ];
    for (i, id) in present.iter().enumerate() {
        let Some(m) = members.iter().find(|m| m.id == *id) else {
            continue;
        };
        let on = cs.conflicted.contains(id);
        let row = format!(
            "  {} {}  {}  {}{}",
            th.check(on),
            m.name,
            env.label(m.discipline),
            m.organisation,
            if on {
                format!("  {}", env.t("session.recused"))
            } else {
                String::new()
            }
        );
        let style = if i == cs.conflict_sel {
            th.selected()
        } else if on {
            th.warn()
        } else {
            th.text()
        };
        lines.push(Line::styled(cut(&row, usize::from(area.width), env), style));
    }
    lines.push(Line::raw(""));
    if let Some(q) = quorum {
        let text = env.tf(
            "session.quorum_line",
            &[
                ("members", &q.members.to_string()),
                ("disciplines", &q.disciplines.to_string()),
                ("min_members", &q.rule.min_members.to_string()),
                ("min_disciplines", &q.rule.min_disciplines.to_string()),
            ],
        );
        lines.push(Line::styled(
            format!("  {text}  {}", th.tick(q.met())),
            if q.met() { th.ok() } else { th.error() },
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// `硬性触发 · 强制报告 · 必答`, or `硬 报 必` when `short`.
fn flags_text(env: &Env, ind: &crate::domain::criteria::Indicator, short: bool) -> String {
    let suffix = if short { "_short" } else { "" };
    let mut flags = Vec::new();
    if ind.hard_trigger {
        flags.push(env.t(&format!("criteria.hard_trigger{suffix}")));
    }
    if ind.reportable {
        flags.push(env.t(&format!("criteria.reportable{suffix}")));
    }
    if ind.required {
        flags.push(env.t(&format!("criteria.required{suffix}")));
    }
    flags.join(if short { " " } else { " · " })
}

/// The rule behind the computed level, in words.
pub fn rule_text(env: &Env, rule: &Rule) -> String {
    let names = |ids: &[String]| -> String {
        ids.iter()
            .map(|id| {
                let text = env
                    .catalogue
                    .indicator(id)
                    .map(|i| {
                        if env.lang == Lang::Zh {
                            i.zh.clone()
                        } else {
                            i.en.clone()
                        }
                    })
                    .unwrap_or_default();
                format!("{id} {text}")
            })
            .collect::<Vec<_>>()
            .join(env.semi())
    };
    match rule {
        Rule::NoneMet => env.t("rule.none_met").to_string(),
        Rule::HardTrigger { indicators } => {
            env.tf("rule.hard_trigger", &[("ids", &names(indicators))])
        }
        Rule::HighestLevel { level, indicators } => env.tf(
            "rule.highest_level",
            &[
                ("level", crate::i18n::level_short(env.lang, *level)),
                ("ids", &names(indicators)),
            ],
        ),
        Rule::Points {
            level,
            total,
            threshold,
        } => env.tf(
            "rule.points",
            &[
                ("level", crate::i18n::level_short(env.lang, *level)),
                ("total", &total.to_string()),
                ("threshold", &threshold.to_string()),
            ],
        ),
    }
}

fn render_scoring(cs: &CaseState, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let th = &env.theme;
    let cat = &env.catalogue;
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    // Rows: level headings and indicators; remember which row each indicator is on.
    let mut rows: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    let mut current_level = None;
    let w = usize::from(left.width);
    // Narrow screens get the one-character flags; the selected indicator's flags are
    // spelled out on the right.
    let short = w < 100;
    let flags_of = |ind: &crate::domain::criteria::Indicator| flags_text(env, ind, short);
    // The flags stand in one column, so the eye finds them down the list.
    let flags_w = cat
        .indicators
        .iter()
        .map(|i| text::width(&flags_of(i)))
        .max()
        .unwrap_or(0);
    for (pos, _) in cs.order.iter().enumerate() {
        let Some(ind) = cs.catalogue_indicator(cat, pos) else {
            continue;
        };
        if current_level != Some(ind.level) {
            current_level = Some(ind.level);
            rows.push((
                Line::styled(
                    format!(" {}", env.level_text(Some(ind.level))),
                    th.level(Some(ind.level)),
                ),
                None,
            ));
        }
        let answer = cs.answer(&ind.id);
        let text_ = if env.lang == Lang::Zh {
            &ind.zh
        } else {
            &ind.en
        };
        let head = format!("  {} {} ", th.mark(answer), ind.id);
        let room = w.saturating_sub(text::width(&head) + flags_w + 2);
        let line_text = format!(
            "{head}{}  {}",
            text::pad(&cut(text_, room, env), room),
            text::pad(&flags_of(ind), flags_w)
        );
        let style = if pos == cs.scoring_sel {
            th.selected()
        } else {
            match answer {
                Some(Answer::Met) => th.level(Some(ind.level)),
                Some(Answer::Unknown) => th.warn(),
                _ => th.text(),
            }
        };
        rows.push((Line::styled(line_text, style), Some(pos)));
    }
    let sel_row = rows
        .iter()
        .position(|(_, p)| *p == Some(cs.scoring_sel))
        .unwrap_or(0);
    let h = usize::from(left.height);
    let start = window_start(sel_row, h);
    let lines: Vec<Line<'static>> = rows
        .into_iter()
        .skip(start)
        .take(h)
        .map(|(l, _)| l)
        .collect();
    frame.render_widget(Paragraph::new(lines), left);

    // The live result, the comparison with last time, and the selected indicator.
    let rw = usize::from(right.width).saturating_sub(2);
    let computed = &cs.draft.assessment.computed;
    let mut r: Vec<Line<'static>> = vec![
        Line::styled(format!(" {}", env.t("session.computed")), th.heading()),
        Line::styled(
            format!("  {}", env.level_text(computed.level)),
            th.level(computed.level),
        ),
    ];
    wrapped(&mut r, &rule_text(env, &computed.rule), rw, 2, th.text());
    if let Some(last) = &cs.data.last {
        r.push(Line::raw(""));
        r.push(Line::styled(
            format!(" {}", env.t("session.compared")),
            th.heading(),
        ));
        r.push(Line::styled(
            format!(
                "  {} {} {}",
                env.level_short(last.final_level()),
                th.arrow(),
                env.level_short(computed.level)
            ),
            th.level(computed.level),
        ));
    }
    if let Some(ind) = cs.catalogue_indicator(cat, cs.scoring_sel) {
        r.push(Line::raw(""));
        let flags = flags_text(env, ind, false);
        r.push(Line::styled(format!(" {}  {flags}", ind.id), th.heading()));
        let text_ = if env.lang == Lang::Zh {
            &ind.zh
        } else {
            &ind.en
        };
        wrapped(&mut r, text_, rw, 2, th.text());
        let guidance = if env.lang == Lang::Zh {
            ind.guidance_zh.as_deref()
        } else {
            ind.guidance_en.as_deref()
        };
        if let Some(g) = guidance {
            wrapped(&mut r, g, rw, 2, th.dim());
        }
        if let Some(prev) = cs.previous_answer(&ind.id) {
            r.push(Line::styled(
                format!(
                    "  {}{}{}",
                    env.t("session.last_answer"),
                    env.colon(),
                    env.label(prev)
                ),
                th.dim(),
            ));
        }
        let evidence = cs
            .draft
            .assessment
            .answers
            .get(&ind.id)
            .map(|e| e.evidence.as_str())
            .unwrap_or("");
        r.push(Line::styled(
            format!("  {}{}", env.t("session.evidence"), env.colon()),
            th.text(),
        ));
        if evidence.is_empty() {
            r.push(Line::styled(
                format!("  {}", env.t("session.no_evidence")),
                th.dim(),
            ));
        } else {
            wrapped(&mut r, evidence, rw, 2, th.text());
        }
    }
    frame.render_widget(Paragraph::new(r), right);
}

fn intervention_name(env: &Env, id: &str) -> String {
    env.catalogue
        .intervention(id)
        .map(|i| {
            if env.lang == Lang::Zh {
                i.zh.clone()
            } else {
                i.en.clone()
            }
        })
        .unwrap_or_else(|| id.to_string())
}

fn render_decision(cs: &CaseState, env: &Env, frame: &mut Frame<'_>, area: Rect) {
    let th = &env.theme;
    let w = usize::from(area.width);
    let rows = cs.decision_rows(env);
    let mut lines: Vec<(Line<'static>, bool)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let sel = i == cs.decision_sel;
        let style = |s: Style| if sel { th.selected() } else { s };
        match row {
            DecisionRow::AmendReason => {
                let old = cs.draft.amends.map(record_id).unwrap_or_default();
                let reason = if cs.draft.amend_reason.trim().is_empty() {
                    env.t("session.amend_reason_missing").to_string()
                } else {
                    text::sanitize_line(&cs.draft.amend_reason)
                };
                let t = format!(
                    "  {}    {}{}",
                    env.tf("session.amends", &[("record", &old)]),
                    env.t("session.amend_reason"),
                    env.colon()
                ) + &reason;
                lines.push((
                    Line::styled(text::pad(&cut(&t, w, env), w), style(th.warn())),
                    sel,
                ));
                lines.push((Line::raw(""), false));
            }
            DecisionRow::Level => {
                let a = &cs.draft.assessment;
                let text_ = match &a.override_ {
                    Some(o) => format!(
                        "  {}    {}  ({} {}{}{}{}{})",
                        env.t("session.level"),
                        env.level_text(Some(o.level)),
                        env.t("session.computed"),
                        env.level_short(a.computed.level),
                        env.semi(),
                        env.t("session.override_reason"),
                        env.colon(),
                        text::sanitize_line(&o.reason)
                    ),
                    None => format!(
                        "  {}    {}{}",
                        env.t("session.level"),
                        env.level_text(a.computed.level),
                        env.aside(env.t("session.computed"))
                    ),
                };
                lines.push((
                    Line::styled(
                        text::pad(&cut(&text_, w, env), w),
                        style(th.level(cs.final_level())),
                    ),
                    sel,
                ));
                lines.push((Line::raw(""), false));
                if cs.final_level().is_some() {
                    lines.push((
                        Line::styled(
                            format!("  {}", env.t("session.interventions")),
                            th.heading(),
                        ),
                        false,
                    ));
                }
            }
            DecisionRow::Intervention(idx) => {
                let Some((def, chosen)) = cs.menu_item(env, *idx) else {
                    continue;
                };
                let name = if env.lang == Lang::Zh {
                    def.zh.clone()
                } else {
                    def.en.clone()
                };
                let detail = match chosen {
                    Some(c) => format!(
                        "{}  {}",
                        text::sanitize_line(&c.unit),
                        c.due
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| env.t("session.immediately").to_string())
                    ),
                    None => String::new(),
                };
                let left = format!("   {} {}", th.check(chosen.is_some()), name);
                let lw = (w / 2).max(text::width(&left) + 1).min(w);
                let t = format!("{}{}", text::pad(&cut(&left, lw, env), lw), detail);
                lines.push((
                    Line::styled(text::pad(&cut(&t, w, env), w), style(th.text())),
                    sel,
                ));
            }
            DecisionRow::Police => {
                let t = match cs.police_on_file() {
                    Some(p) => format!(
                        "  {}    {} {} · {} · {}",
                        env.t("session.police"),
                        th.tick(true),
                        p.reported_at.format("%Y-%m-%d %H:%M"),
                        text::sanitize_line(&p.unit),
                        text::sanitize_line(&p.receipt)
                    ),
                    None => format!(
                        "  {}    {} {}",
                        env.t("session.police"),
                        th.tick(false),
                        env.t("session.police_missing")
                    ),
                };
                let ok = cs.police_on_file().is_some();
                lines.push((Line::raw(""), false));
                lines.push((
                    Line::styled(
                        text::pad(&cut(&t, w, env), w),
                        style(if ok { th.ok() } else { th.error() }),
                    ),
                    sel,
                ));
            }
            DecisionRow::NextReview => {
                let t = match &cs.draft.next_review {
                    Some(r) => format!(
                        "  {}    {}    {}{}{}",
                        env.t("session.next_review"),
                        r.date,
                        env.t("session.review_kind"),
                        env.colon(),
                        env.label(r.kind)
                    ),
                    None => format!("  {}    -", env.t("session.next_review")),
                };
                lines.push((Line::raw(""), false));
                lines.push((
                    Line::styled(text::pad(&cut(&t, w, env), w), style(th.text())),
                    sel,
                ));
            }
            DecisionRow::Vote => {
                let v = cs.draft.vote;
                let t = env.tf(
                    "session.vote_line",
                    &[
                        ("for", &v.for_.to_string()),
                        ("against", &v.against.to_string()),
                        ("abstain", &v.abstain.to_string()),
                        ("recused", &cs.draft.recused.len().to_string()),
                    ],
                );
                lines.push((
                    Line::styled(
                        text::pad(&cut(&format!("  {t}"), w, env), w),
                        style(th.text()),
                    ),
                    sel,
                ));
            }
            DecisionRow::Dissent => {
                let d = if cs.draft.dissent.trim().is_empty() {
                    env.t("session.none").to_string()
                } else {
                    text::sanitize_line(&cs.draft.dissent)
                };
                let t = format!("  {}    {}", env.t("session.dissent"), d);
                lines.push((
                    Line::styled(text::pad(&cut(&t, w, env), w), style(th.text())),
                    sel,
                ));
            }
        }
    }
    let sel_line = lines.iter().position(|(_, s)| *s).unwrap_or(0);
    let h = usize::from(area.height);
    let start = window_start(sel_line, h);
    frame.render_widget(
        Paragraph::new(
            lines
                .into_iter()
                .skip(start)
                .take(h)
                .map(|(l, _)| l)
                .collect::<Vec<_>>(),
        ),
        area,
    );
}

fn render_confirm(cs: &CaseState, env: &Env, frame: &mut Frame<'_>, area: Rect, decided: bool) {
    let th = &env.theme;
    let w = usize::from(area.width).saturating_sub(2);
    let d = &cs.draft;
    let a = &d.assessment;
    let mut l: Vec<Line<'static>> = Vec::new();
    let head = if decided {
        env.t("session.record_sealed")
    } else {
        env.t("session.record_preview")
    };
    l.push(Line::styled(format!(" {head}"), th.heading()));
    l.push(kv(
        env,
        "session.case",
        format!(
            "{} · {}",
            case_number(d.case_id),
            env.name(&cs.data.child.name, false)
        ),
    ));
    if let Some(old) = d.amends {
        l.push(Line::styled(
            format!(
                "  {}{}{}",
                env.tf("session.amends", &[("record", &record_id(old))]),
                env.colon(),
                text::sanitize_line(&d.amend_reason)
            ),
            th.warn(),
        ));
    }
    l.push(kv(
        env,
        "session.catalogue",
        format!(
            "{} {} · sha256 {}…",
            a.catalogue.id,
            a.catalogue.version,
            &a.catalogue.sha256[..12.min(a.catalogue.sha256.len())]
        ),
    ));
    let met: Vec<String> = a
        .answers
        .iter()
        .filter(|(_, e)| e.answer == Answer::Met)
        .map(|(id, _)| id.clone())
        .collect();
    l.push(kv(
        env,
        "session.met",
        if met.is_empty() {
            env.t("session.none").to_string()
        } else {
            met.join(env.sep())
        },
    ));
    l.push(kv(
        env,
        "session.computed",
        format!(
            "{} — {}",
            env.level_text(a.computed.level),
            rule_text(env, &a.computed.rule)
        ),
    ));
    if let Some(o) = &a.override_ {
        l.push(kv(
            env,
            "session.override",
            format!(
                "{}{}{}",
                env.level_text(Some(o.level)),
                env.semi(),
                text::sanitize_line(&o.reason)
            ),
        ));
    }
    l.push(Line::from(vec![
        Span::styled(
            format!("  {}{}", env.t("session.final_level"), env.colon()),
            th.dim(),
        ),
        Span::styled(env.level_text(d.final_level()), th.level(d.final_level())),
    ]));
    if !d.interventions.is_empty() {
        l.push(Line::styled(
            format!("  {}{}", env.t("session.interventions"), env.colon()),
            th.dim(),
        ));
        for iv in &d.interventions {
            let due = iv
                .due
                .map(|x| x.to_string())
                .unwrap_or_else(|| env.t("session.immediately").to_string());
            l.push(Line::styled(
                cut(
                    &format!(
                        "   · {} — {} — {}",
                        intervention_name(env, &iv.kind),
                        iv.unit,
                        due
                    ),
                    w,
                    env,
                ),
                th.text(),
            ));
        }
    }
    if let Some(p) = cs.police_on_file() {
        l.push(kv(
            env,
            "session.police",
            format!(
                "{} · {} · {}",
                p.reported_at.format("%Y-%m-%d %H:%M"),
                p.unit,
                p.receipt
            ),
        ));
    }
    if let Some(r) = &d.next_review {
        let kind = if r.kind == ReviewKind::Annual {
            env.label(ReviewKind::Annual)
        } else {
            env.label(ReviewKind::AdHoc)
        };
        l.push(kv(
            env,
            "session.next_review",
            format!("{} · {kind}", r.date),
        ));
    }
    l.push(kv(
        env,
        "session.vote",
        env.tf(
            "session.vote_short",
            &[
                ("for", &d.vote.for_.to_string()),
                ("against", &d.vote.against.to_string()),
                ("abstain", &d.vote.abstain.to_string()),
            ],
        ),
    ));
    if !d.recused.is_empty() {
        l.push(kv(env, "session.recused", d.recused.len().to_string()));
    }
    if !d.dissent.trim().is_empty() {
        l.push(Line::styled(
            format!("  {}{}", env.t("session.dissent"), env.colon()),
            th.dim(),
        ));
        wrapped(&mut l, &d.dissent, w, 4, th.text());
    }
    l.push(Line::raw(""));
    l.push(signing_line(cs, env, decided));
    frame.render_widget(lines_widget(l, cs.scroll), area);
}

/// Who signs (or signed) the record, and with which key: the demo key always says so.
fn signing_line(cs: &CaseState, env: &Env, decided: bool) -> Line<'static> {
    let th = &env.theme;
    let label = format!("  {}{}", env.t("session.signature"), env.colon());
    let (text_, style) = if decided {
        match crate::store::signatures::get(env.store.conn(), cs.draft.id) {
            Ok(Some(sig)) => (
                env.tf(
                    "session.signed_by",
                    &[
                        ("signer", &text::sanitize_line(&sig.signer)),
                        ("key", &sig.key_id),
                        ("at", &sig.signed_at.format("%Y-%m-%d %H:%M").to_string()),
                    ],
                ),
                th.ok(),
            ),
            _ => (env.t("session.not_signed").to_string(), th.warn()),
        }
    } else {
        match &env.signing {
            Ok(Some(plan)) if plan.demo => (env.t("session.sign_with_demo").to_string(), th.warn()),
            Ok(Some(plan)) => (
                env.tf(
                    if plan.encrypted {
                        "session.sign_with_passphrase"
                    } else {
                        "session.sign_with"
                    },
                    &[("signer", &text::sanitize_line(&plan.signer))],
                ),
                th.text(),
            ),
            Ok(None) => (env.t("session.sign_none").to_string(), th.warn()),
            Err(why) => (env.tf("session.sign_broken", &[("error", why)]), th.error()),
        }
    };
    Line::from(vec![
        Span::styled(label, th.dim()),
        Span::styled(text_, style),
    ])
}

/// Human words for what keeps a decision from being sealed.
pub fn missing_text(env: &Env, m: &Missing) -> String {
    match m {
        Missing::Quorum {
            members,
            disciplines,
            min_members,
            min_disciplines,
        } => env.tf(
            "missing.quorum",
            &[
                ("members", &members.to_string()),
                ("disciplines", &disciplines.to_string()),
                ("min_members", &min_members.to_string()),
                ("min_disciplines", &min_disciplines.to_string()),
            ],
        ),
        Missing::RequiredIndicator { id } => env.tf("missing.required", &[("id", id)]),
        Missing::NoLevel => env.t("missing.no_level").to_string(),
        Missing::Override { message } => env.tf("missing.override", &[("message", message)]),
        Missing::PoliceReport { indicators } => {
            env.tf("missing.police", &[("ids", &indicators.join(env.sep()))])
        }
        Missing::InterventionNotOnMenu { kind } => env.tf(
            "missing.not_on_menu",
            &[("name", &intervention_name(env, kind))],
        ),
        Missing::InterventionUnit { kind } => {
            env.tf("missing.unit", &[("name", &intervention_name(env, kind))])
        }
        Missing::NoIntervention => env.t("missing.no_intervention").to_string(),
        Missing::NextReview => env.t("missing.next_review").to_string(),
        Missing::NextReviewTooLate { latest } => env.tf(
            "missing.next_review_late",
            &[("latest", &latest.to_string())],
        ),
        Missing::NextReviewNotAfterDecision => env.t("missing.next_review_early").to_string(),
        Missing::VoteCount { counted, voting } => env.tf(
            "missing.vote_count",
            &[
                ("counted", &counted.to_string()),
                ("voting", &voting.to_string()),
            ],
        ),
        Missing::VoteNotCarried => env.t("missing.vote_not_carried").to_string(),
        Missing::DissentMissing => env.t("missing.dissent").to_string(),
        Missing::AmendReason => env.t("missing.amend_reason").to_string(),
    }
}

fn render_missing(cs: &CaseState, env: &Env, frame: &mut Frame<'_>, area: Rect, decided: bool) {
    let th = &env.theme;
    let w = usize::from(area.width);
    let line = if decided {
        Line::styled(
            format!(" {} {}", th.tick(true), env.t("session.already_decided")),
            th.ok(),
        )
    } else if cs.missing.is_empty() {
        let key = if cs.step == Step::Confirm {
            "session.ready_here"
        } else {
            "session.ready"
        };
        Line::styled(format!(" {} {}", th.tick(true), env.t(key)), th.ok())
    } else {
        let all: Vec<String> = cs.missing.iter().map(|m| missing_text(env, m)).collect();
        Line::styled(
            cut(
                &format!(
                    " {} {}{}{}",
                    th.tick(false),
                    env.t("session.missing"),
                    env.colon(),
                    all.join(env.semi())
                ),
                w,
                env,
            ),
            th.error(),
        )
    };
    let rule = th.rule().repeat(w);
    frame.render_widget(
        Paragraph::new(vec![Line::styled(rule, th.dim()), line]),
        area,
    );
}
