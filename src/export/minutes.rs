//! The minutes of a panel session (`minutes.md`, `minutes.html`): attendance, the agenda
//! with each case's outcome, and the deferrals with their reasons. Built by a pure function
//! from domain values and the session's signed records.

use super::doc::{Block, Doc, Section};
use super::record::{DecisionRecord, record_id};
use super::render::{code_label, is_demo_signer, level_label};
use super::strings::{s, sf};
use crate::domain::case::case_number;
use crate::domain::panel::{AgendaOutcome, Member, Session};
use crate::i18n::Lang;

/// One agenda line as the minutes show it.
#[derive(Debug, Clone)]
pub struct AgendaLine<'a> {
    pub position: u32,
    pub case_id: i64,
    pub child_name: String,
    pub outcome: AgendaOutcome,
    pub defer_reason: Option<String>,
    /// The decision's signed record, when the case was decided.
    pub record: Option<&'a DecisionRecord>,
    /// The decision id when decided (also when its record is missing).
    pub decision_id: Option<i64>,
}

pub struct MinutesInput<'a> {
    pub session: &'a Session,
    /// The roster (present members are looked up here; active members not present are
    /// listed as absent).
    pub members: &'a [Member],
    pub agenda: Vec<AgendaLine<'a>>,
    pub centre: Option<&'a str>,
    /// Who signed the export (the manifest), e.g. the centre or the demo key.
    pub signer: &'a str,
    /// When the export was signed (`YYYY-MM-DDTHH:MM:SS`).
    pub signed_at: String,
}

fn member_name(members: &[Member], id: i64) -> String {
    members
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

/// The session number as documents show it, e.g. `S-000012`.
pub fn session_number(id: i64) -> String {
    format!("S-{id:06}")
}

pub fn minutes_doc(m: &MinutesInput<'_>, lang: Lang) -> Doc {
    let sess = m.session;
    let mut sections = Vec::new();

    // Attendance.
    let role = |id: i64| {
        if sess.chair == Some(id) {
            s(lang, "role.chair")
        } else if sess.secretary == Some(id) {
            s(lang, "role.secretary")
        } else {
            s(lang, "role.member")
        }
    };
    let rows = sess
        .present
        .iter()
        .map(|&id| {
            let mem = m.members.iter().find(|x| x.id == id);
            vec![
                mem.map(|x| x.name.clone())
                    .unwrap_or_else(|| format!("#{id}")),
                mem.map(|x| code_label(lang, "discipline", x.discipline.code()))
                    .unwrap_or_default(),
                mem.map(|x| x.organisation.clone()).unwrap_or_default(),
                role(id).to_string(),
            ]
        })
        .collect();
    let absent: Vec<String> = m
        .members
        .iter()
        .filter(|x| x.active && !sess.present.contains(&x.id))
        .map(|x| x.name.clone())
        .collect();
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    sections.push(Section {
        title: s(lang, "sec.attendance").into(),
        blocks: vec![
            Block::Fields(vec![
                (
                    s(lang, "chair").into(),
                    sess.chair
                        .map(|id| member_name(m.members, id))
                        .unwrap_or_default(),
                ),
                (
                    s(lang, "secretary").into(),
                    sess.secretary
                        .map(|id| member_name(m.members, id))
                        .unwrap_or_default(),
                ),
            ]),
            Block::Table {
                head: vec![
                    s(lang, "col.member").into(),
                    s(lang, "col.discipline").into(),
                    s(lang, "col.organisation").into(),
                    s(lang, "col.role").into(),
                ],
                rows,
                strong: Vec::new(),
                narrow: vec![1, 3],
            },
            Block::Fields(vec![(
                s(lang, "minutes.absent").into(),
                if absent.is_empty() {
                    s(lang, "none").to_string()
                } else {
                    absent.join(sep)
                },
            )]),
        ],
    });

    // Agenda and outcomes.
    let count = |o: AgendaOutcome| {
        m.agenda
            .iter()
            .filter(|a| a.outcome == o)
            .count()
            .to_string()
    };
    let rows = m
        .agenda
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let outcome = match a.outcome {
                AgendaOutcome::Decided => s(lang, "outcome.decided"),
                AgendaOutcome::Deferred => s(lang, "outcome.deferred"),
                AgendaOutcome::Pending => s(lang, "outcome.pending"),
            };
            vec![
                (i + 1).to_string(),
                case_number(a.case_id),
                a.child_name.clone(),
                outcome.to_string(),
                a.record
                    .map(|r| level_label(lang, r.final_level))
                    .unwrap_or_default(),
                a.record
                    .map(|r| r.record_id.clone())
                    .or(a.decision_id.map(record_id))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    sections.push(Section {
        title: s(lang, "sec.agenda").into(),
        blocks: vec![
            Block::Para(sf(
                lang,
                "counts",
                &[
                    ("total", &m.agenda.len().to_string()),
                    ("decided", &count(AgendaOutcome::Decided)),
                    ("deferred", &count(AgendaOutcome::Deferred)),
                    ("pending", &count(AgendaOutcome::Pending)),
                ],
            )),
            Block::Table {
                head: vec![
                    s(lang, "col.no").into(),
                    s(lang, "col.case").into(),
                    s(lang, "col.child").into(),
                    s(lang, "col.outcome").into(),
                    s(lang, "col.level").into(),
                    s(lang, "col.record").into(),
                ],
                rows,
                strong: Vec::new(),
                narrow: vec![0, 1, 3, 4, 5],
            },
        ],
    });

    // Deferrals.
    let deferred: Vec<Vec<String>> = m
        .agenda
        .iter()
        .filter(|a| a.outcome == AgendaOutcome::Deferred)
        .map(|a| {
            vec![
                case_number(a.case_id),
                a.child_name.clone(),
                a.defer_reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let blocks = if deferred.is_empty() {
        vec![Block::Para(s(lang, "none").into())]
    } else {
        vec![Block::Table {
            head: vec![
                s(lang, "col.case").into(),
                s(lang, "col.child").into(),
                s(lang, "col.reason").into(),
            ],
            rows: deferred,
            strong: Vec::new(),
            narrow: vec![0],
        }]
    };
    sections.push(Section {
        title: s(lang, "sec.deferrals").into(),
        blocks,
    });

    let mut banners = vec![s(lang, "confidential").to_string()];
    if is_demo_signer(m.signer) {
        banners.push(s(lang, "demo").to_string());
    }
    Doc {
        lang,
        issuer: m.centre.map(str::to_string),
        title: s(lang, "minutes.title").into(),
        refs: vec![
            (s(lang, "session_no").into(), session_number(sess.id)),
            (s(lang, "held_on").into(), super::record::date(sess.held_on)),
        ],
        banners,
        sections,
        closing: Some(Section {
            title: s(lang, "sec.signature").into(),
            blocks: vec![
                Block::Fields(vec![
                    (s(lang, "signer").into(), m.signer.to_string()),
                    (
                        s(lang, "signed_at").into(),
                        m.signed_at.replacen('T', " ", 1),
                    ),
                ]),
                Block::SignLines(vec![
                    (
                        s(lang, "chair_sign").into(),
                        sess.chair
                            .map(|id| member_name(m.members, id))
                            .unwrap_or_default(),
                    ),
                    (
                        s(lang, "secretary_sign").into(),
                        sess.secretary
                            .map(|id| member_name(m.members, id))
                            .unwrap_or_default(),
                    ),
                ]),
            ],
        }),
        footer: Some(format!(
            "casepanel · {} · MANIFEST.sha256",
            session_number(sess.id)
        )),
    }
}
