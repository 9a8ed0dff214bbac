//! The human-readable decision record (`<id>.md`, `<id>.html`), rendered from the signed
//! record itself, so the document says exactly what the signature covers.

use super::doc::{Block, Doc, Section};
use super::record::{DecisionRecord, MemberPart};
use super::strings::{s, sf};
use crate::i18n::{self, Lang};

/// The signer name of the demo key; documents signed by it carry a demo warning.
pub const DEMO_SIGNER: &str = "演示密钥 DEMO KEY";

/// Whether a signer name is the demo key's.
pub fn is_demo_signer(signer: &str) -> bool {
    signer == DEMO_SIGNER || signer.contains("DEMO KEY")
}

/// The label of a closed-vocabulary code from the i18n table (`discipline.law` → 法律),
/// or the code itself.
pub fn code_label(lang: Lang, kind: &str, code: &str) -> String {
    i18n::get(lang, &format!("{kind}.{code}"))
        .map(str::to_string)
        .unwrap_or_else(|| code.to_string())
}

pub fn level_label(lang: Lang, level: Option<u8>) -> String {
    match level {
        Some(n) => code_label(lang, "level", &n.to_string()),
        None => i18n::t(lang, "level.none").to_string(),
    }
}

fn level_short(lang: Lang, n: Option<u8>) -> String {
    match n {
        Some(n) => code_label(lang, "level.short", &n.to_string()),
        None => String::new(),
    }
}

fn member_line(lang: Lang, m: &MemberPart) -> String {
    let name = if m.name.is_empty() {
        format!("#{}", m.member_id)
    } else {
        m.name.clone()
    };
    let d = code_label(lang, "discipline", &m.discipline);
    match lang {
        Lang::Zh => format!("{name}（{d}）"),
        Lang::En => format!("{name} ({d})"),
    }
}

fn names(lang: Lang, list: &[MemberPart]) -> String {
    if list.is_empty() {
        return s(lang, "none").to_string();
    }
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    list.iter()
        .map(|m| member_line(lang, m))
        .collect::<Vec<_>>()
        .join(sep)
}

fn or_none(lang: Lang, v: &str) -> String {
    if v.trim().is_empty() {
        s(lang, "none").to_string()
    } else {
        v.to_string()
    }
}

fn pick<'a>(lang: Lang, zh: &'a Option<String>, en: &'a Option<String>) -> Option<&'a str> {
    match lang {
        Lang::Zh => zh.as_deref().or(en.as_deref()),
        Lang::En => en.as_deref().or(zh.as_deref()),
    }
}

/// The computed level's rule in words, as the panel saw it.
pub fn rule_text(lang: Lang, r: &DecisionRecord) -> String {
    let rule = &r.computed.rule;
    let sep = if lang == Lang::Zh { "、" } else { ", " };
    let ids = rule.indicators.join(sep);
    let level = level_short(lang, rule.level);
    match rule.kind.as_str() {
        "none_met" => i18n::t(lang, "rule.none_met").to_string(),
        "hard_trigger" => i18n::tf(lang, "rule.hard_trigger", &[("ids", &ids)]),
        "highest_level" => i18n::tf(
            lang,
            "rule.highest_level",
            &[("level", &level), ("ids", &ids)],
        ),
        "points" => i18n::tf(
            lang,
            "rule.points",
            &[
                ("level", &level),
                ("total", &rule.total.unwrap_or(0).to_string()),
                ("threshold", &rule.threshold.unwrap_or(0).to_string()),
            ],
        ),
        other => other.to_string(),
    }
}

/// The document of one record. `file` is the record's file name (`D-000123.json`), named in
/// the verification note.
pub fn record_doc(r: &DecisionRecord, lang: Lang, file: &str) -> Doc {
    let mut sections = Vec::new();

    // The child.
    let region = r
        .child
        .region
        .path
        .iter()
        .map(|n| n.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    sections.push(Section {
        title: s(lang, "sec.child").into(),
        blocks: vec![Block::Fields(vec![
            (s(lang, "name").into(), r.child.name.clone()),
            (s(lang, "sex").into(), code_label(lang, "sex", &r.child.sex)),
            (s(lang, "birth_date").into(), r.child.birth_date.clone()),
            (
                s(lang, "id_number").into(),
                r.child
                    .id_number
                    .clone()
                    .unwrap_or_else(|| s(lang, "none").into()),
            ),
            (s(lang, "region").into(), or_none(lang, &region)),
            (s(lang, "region_code").into(), r.child.region.code.clone()),
        ])],
    });

    // The session.
    let blocks = match &r.session {
        Some(sess) => {
            let role = |m: &MemberPart| {
                if sess
                    .chair
                    .as_ref()
                    .is_some_and(|c| c.member_id == m.member_id)
                {
                    s(lang, "role.chair")
                } else if sess
                    .secretary
                    .as_ref()
                    .is_some_and(|c| c.member_id == m.member_id)
                {
                    s(lang, "role.secretary")
                } else {
                    s(lang, "role.member")
                }
            };
            vec![
                Block::Fields(vec![
                    (s(lang, "held_on").into(), sess.held_on.clone()),
                    (
                        s(lang, "session_no").into(),
                        format!("S-{:06}", sess.session_id),
                    ),
                    (
                        s(lang, "chair").into(),
                        sess.chair
                            .as_ref()
                            .map(|m| member_line(lang, m))
                            .unwrap_or_else(|| s(lang, "none").into()),
                    ),
                    (
                        s(lang, "secretary").into(),
                        sess.secretary
                            .as_ref()
                            .map(|m| member_line(lang, m))
                            .unwrap_or_else(|| s(lang, "none").into()),
                    ),
                ]),
                Block::Table {
                    head: vec![
                        s(lang, "col.member").into(),
                        s(lang, "col.discipline").into(),
                        s(lang, "col.organisation").into(),
                        s(lang, "col.role").into(),
                    ],
                    rows: sess
                        .present
                        .iter()
                        .map(|m| {
                            vec![
                                m.name.clone(),
                                code_label(lang, "discipline", &m.discipline),
                                m.organisation.clone(),
                                role(m).into(),
                            ]
                        })
                        .collect(),
                    strong: Vec::new(),
                    narrow: vec![0, 1, 3],
                },
                Block::Fields(vec![(
                    s(lang, "conflicts").into(),
                    names(lang, &sess.conflicts_declared),
                )]),
            ]
        }
        None => vec![Block::Para(s(lang, "no_session").into())],
    };
    sections.push(Section {
        title: s(lang, "sec.session").into(),
        blocks,
    });

    // Criteria and evidence.
    let cat = &r.catalogue;
    let title = pick(lang, &cat.title_zh, &cat.title_en).unwrap_or(&cat.id);
    let mut strong = Vec::new();
    let rows = r
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if a.answer == "met" {
                strong.push(i);
            }
            let mut content = pick(lang, &a.text_zh, &a.text_en).unwrap_or("").to_string();
            let mut flags = Vec::new();
            if a.hard_trigger {
                flags.push(s(lang, "hard_trigger"));
            }
            if a.reportable {
                flags.push(s(lang, "reportable"));
            }
            if !flags.is_empty() {
                content = match lang {
                    Lang::Zh => format!("{content}（{}）", flags.join("、")),
                    Lang::En => format!("{content} ({})", flags.join(", ")),
                };
            }
            vec![
                a.indicator.clone(),
                level_short(lang, a.level),
                content,
                code_label(lang, "answer", &a.answer),
                a.evidence.clone(),
            ]
        })
        .collect();
    sections.push(Section {
        title: s(lang, "sec.criteria").into(),
        blocks: vec![
            Block::Fields(vec![
                (
                    s(lang, "catalogue").into(),
                    format!("{title} · {} · {}", cat.id, cat.version),
                ),
                ("SHA-256".into(), cat.sha256.clone()),
            ]),
            Block::Table {
                head: vec![
                    s(lang, "col.indicator").into(),
                    s(lang, "col.level").into(),
                    s(lang, "col.content").into(),
                    s(lang, "col.answer").into(),
                    s(lang, "col.evidence").into(),
                ],
                rows,
                strong,
                narrow: vec![0, 1, 3],
            },
        ],
    });

    // The level.
    let mut fields = vec![
        (
            s(lang, "computed").into(),
            level_label(lang, r.computed.level),
        ),
        (s(lang, "rule").into(), rule_text(lang, r)),
    ];
    let mut blocks = Vec::new();
    match &r.override_ {
        Some(o) => {
            fields.push((s(lang, "override").into(), level_label(lang, Some(o.level))));
            if let Some(by) = &o.by {
                fields.push((s(lang, "override_by").into(), member_line(lang, by)));
            }
            fields.push((s(lang, "final").into(), level_label(lang, r.final_level)));
            blocks.push(Block::Fields(fields));
            blocks.push(Block::Para(format!(
                "{}{}",
                s(lang, "override_reason"),
                colon(lang)
            )));
            blocks.push(Block::Quote(o.reason.clone()));
        }
        None => {
            fields.push((s(lang, "override").into(), s(lang, "override_none").into()));
            fields.push((s(lang, "final").into(), level_label(lang, r.final_level)));
            blocks.push(Block::Fields(fields));
        }
    }
    sections.push(Section {
        title: s(lang, "sec.result").into(),
        blocks,
    });

    // Interventions.
    let blocks = if r.interventions.is_empty() {
        vec![Block::Para(s(lang, "none").into())]
    } else {
        vec![Block::Table {
            head: vec![
                s(lang, "col.measure").into(),
                s(lang, "col.unit").into(),
                s(lang, "col.due").into(),
            ],
            rows: r
                .interventions
                .iter()
                .map(|i| {
                    vec![
                        pick(lang, &i.label_zh, &i.label_en)
                            .unwrap_or(&i.kind)
                            .to_string(),
                        i.unit.clone(),
                        i.due
                            .clone()
                            .unwrap_or_else(|| s(lang, "immediately").into()),
                    ]
                })
                .collect(),
            strong: Vec::new(),
            narrow: vec![2],
        }]
    };
    sections.push(Section {
        title: s(lang, "sec.interventions").into(),
        blocks,
    });

    // Next review.
    let blocks = match &r.next_review {
        Some(n) => vec![Block::Fields(vec![
            (s(lang, "review_date").into(), n.date.clone()),
            (
                s(lang, "review_kind").into(),
                code_label(lang, "review_kind", &n.kind),
            ),
        ])],
        None => vec![Block::Para(s(lang, "review_none").into())],
    };
    sections.push(Section {
        title: s(lang, "sec.review").into(),
        blocks,
    });

    // Vote.
    let v = &r.vote;
    let mut blocks = vec![
        Block::Para(sf(
            lang,
            "vote_result",
            &[
                ("for", &v.for_.to_string()),
                ("against", &v.against.to_string()),
                ("abstain", &v.abstain.to_string()),
            ],
        )),
        Block::Fields(vec![(
            s(lang, "voting_members").into(),
            names(lang, &v.voting_members),
        )]),
    ];
    if r.dissent.trim().is_empty() {
        blocks.push(Block::Fields(vec![(
            s(lang, "dissent").into(),
            s(lang, "no_dissent").into(),
        )]));
    } else {
        blocks.push(Block::Para(format!(
            "{}{}",
            s(lang, "dissent"),
            colon(lang)
        )));
        blocks.push(Block::Quote(r.dissent.clone()));
    }
    sections.push(Section {
        title: s(lang, "sec.vote").into(),
        blocks,
    });

    // Police report.
    if r.police_report_required || r.police_report.is_some() {
        let blocks = match &r.police_report {
            Some(p) => vec![
                Block::Para(s(lang, "police_required").into()),
                Block::Fields(vec![
                    (s(lang, "police_time").into(), show_time(&p.reported_at)),
                    (s(lang, "police_unit").into(), p.unit.clone()),
                    (s(lang, "police_receipt").into(), p.receipt.clone()),
                ]),
            ],
            None => vec![Block::Para(s(lang, "police_missing").into())],
        };
        sections.push(Section {
            title: s(lang, "sec.police").into(),
            blocks,
        });
    }

    // Amendment.
    if let Some(a) = &r.amends {
        sections.push(Section {
            title: s(lang, "sec.amends").into(),
            blocks: vec![
                Block::Para(sf(lang, "amends", &[("record", &a.record_id)])),
                Block::Fields(vec![(s(lang, "amend_reason").into(), a.reason.clone())]),
            ],
        });
    }

    // Signature.
    let mut fields = vec![
        (s(lang, "signer").into(), r.signer.clone()),
        (s(lang, "signed_at").into(), show_time(&r.signed_at)),
        (s(lang, "key_id").into(), r.key_id.clone()),
    ];
    if let Some(t) = &r.sealed_at {
        fields.insert(0, (s(lang, "sealed_at").into(), show_time(t)));
    }
    let (chair, secretary) = match &r.session {
        Some(sess) => (
            sess.chair
                .as_ref()
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            sess.secretary
                .as_ref()
                .map(|m| m.name.clone())
                .unwrap_or_default(),
        ),
        None => Default::default(),
    };
    let closing = Section {
        title: s(lang, "sec.signature").into(),
        blocks: vec![
            Block::Fields(fields),
            Block::Para(sf(lang, "verify_hint", &[("file", file)])),
            Block::Code(vec![
                format!("minisign -Vm {file} -p casepanel.pub"),
                format!("casepanel verify {file} --pubkey casepanel.pub"),
            ]),
            Block::SignLines(vec![
                (s(lang, "chair_sign").into(), chair),
                (s(lang, "secretary_sign").into(), secretary),
                (s(lang, "date").into(), String::new()),
            ]),
        ],
    };

    let mut banners = vec![s(lang, "confidential").to_string()];
    if is_demo_signer(&r.signer) {
        banners.push(s(lang, "demo").to_string());
    }
    Doc {
        lang,
        issuer: r.centre.clone(),
        title: s(lang, "title").into(),
        refs: vec![
            (s(lang, "record_no").into(), r.record_id.clone()),
            (s(lang, "case_no").into(), r.case_number.clone()),
            (s(lang, "decided_on").into(), r.decided_on.clone()),
        ],
        banners,
        sections,
        closing: Some(closing),
        footer: Some(format!(
            "casepanel · {} · schema {} · {}",
            r.record_type, r.schema_version, file
        )),
    }
}

/// A record time as a document shows it: `2026-11-29 10:30:00`.
fn show_time(t: &str) -> String {
    t.replacen('T', " ", 1)
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ":",
    }
}

/// `<id>.md`.
pub fn record_markdown(r: &DecisionRecord, lang: Lang, file: &str) -> String {
    super::doc::to_markdown(&record_doc(r, lang, file))
}

/// `<id>.html`.
pub fn record_html(r: &DecisionRecord, lang: Lang, file: &str) -> String {
    super::doc::to_html(&record_doc(r, lang, file))
}
