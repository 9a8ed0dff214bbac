//! `casepanel duplicates`: the pairs of children the screening import flagged as maybe one
//! child, and recording what a person found. Names are masked and ID numbers show their
//! last four characters only: the comparison in full is in the program's screen (首页 `u`).

use super::{Context, Failure, now, open_existing};
use crate::domain::case::case_number;
use crate::domain::duplicate::DuplicateStatus;
use crate::i18n::{Lang, label, t, tf};
use crate::privacy::{mask_id_number, mask_name};
use crate::store::duplicates::{self, PossibleDuplicate, Side};

/// At most this many pairs are listed.
const LIMIT: usize = 10_000;

pub fn list(ctx: &Context, all: bool, format: &str) -> Result<(), Failure> {
    let store = open_existing(ctx)?;
    let pairs = duplicates::list(store.conn(), all, LIMIT)?;
    let out = match format {
        "json" => render_json(&pairs),
        _ => render_table(&pairs, all, ctx.lang),
    };
    print!("{out}");
    Ok(())
}

pub fn decide(ctx: &Context, id: i64, same: bool, note: Option<&str>) -> Result<(), Failure> {
    let mut store = open_existing(ctx)?;
    let status = if same {
        DuplicateStatus::Same
    } else {
        DuplicateStatus::Different
    };
    let at = now();
    store
        .write(|tx| duplicates::decide(tx, id, status, note.unwrap_or(""), at))
        .map_err(|e| match e {
            crate::store::StoreError::NotFound(_) => Failure(tf(
                ctx.lang,
                "duplicates.no_such",
                &[("id", &id.to_string())],
            )),
            e => e.into(),
        })?;
    println!(
        "{}",
        tf(
            ctx.lang,
            "duplicates.decided",
            &[("id", &id.to_string()), ("status", label(ctx.lang, status))]
        )
    );
    Ok(())
}

fn side_cell(lang: Lang, s: &Side) -> String {
    let id = s
        .id_number
        .as_deref()
        .map(mask_id_number)
        .unwrap_or_else(|| t(lang, "duplicates.no_id_number").to_string());
    let case = s.case_id.map(case_number).unwrap_or_default();
    format!(
        "{} {} {} {} {}",
        mask_name(&s.name),
        label(lang, s.sex),
        s.birth_date,
        id,
        case
    )
    .trim_end()
    .to_string()
}

fn render_table(pairs: &[PossibleDuplicate], all: bool, lang: Lang) -> String {
    if pairs.is_empty() {
        return format!("{}\n", t(lang, "duplicates.none"));
    }
    let mut rows: Vec<Vec<String>> = vec![
        [
            "duplicates.col.id",
            "duplicates.col.child",
            "duplicates.col.other",
            "duplicates.col.why",
            "duplicates.col.row",
            "duplicates.col.status",
        ]
        .iter()
        .map(|k| t(lang, k).to_string())
        .collect(),
    ];
    for p in pairs {
        let mut status = label(lang, p.status).to_string();
        if let (Some(by), Some(at)) = (&p.decided_by, p.decided_at) {
            status = format!(
                "{status} ({} {})",
                crate::text::sanitize_line(by),
                at.format("%Y-%m-%d")
            );
        }
        rows.push(vec![
            p.id.to_string(),
            side_cell(lang, &p.child),
            side_cell(lang, &p.other),
            label(lang, p.why).to_string(),
            p.sheet_row.to_string(),
            status,
        ]);
    }
    let mut out = crate::text::columns(&rows);
    let n = pairs.len().to_string();
    out.push_str(&tf(
        lang,
        if all {
            "duplicates.shown_all"
        } else {
            "duplicates.shown"
        },
        &[("n", &n)],
    ));
    out.push('\n');
    out
}

/// For scripts: ids, case numbers and findings, no names or ID numbers.
fn render_json(pairs: &[PossibleDuplicate]) -> String {
    let side = |s: &Side| {
        serde_json::json!({
            "child_id": s.child_id,
            "case": s.case_id.map(case_number),
            "has_id_number": s.id_number.is_some(),
        })
    };
    let list: Vec<serde_json::Value> = pairs
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id,
                "child": side(&p.child),
                "other": side(&p.other),
                "why": p.why.code(),
                "source_sha256": p.source,
                "sheet_row": p.sheet_row,
                "flagged_on": p.flagged_on.to_string(),
                "status": p.status.code(),
                "decided_by": p.decided_by,
                "decided_at": p.decided_at.map(|d| d.to_string()),
                "note": p.note,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}
