//! The decision record: what a sealed decision says, in one canonical JSON document that
//! is signed and handed to others. See `docs/decision-record.md` for the prose and
//! `assets/schema/decision-record.schema.json` for the schema.
//!
//! [`build`] is a pure function of domain values ([`RecordInput`]): the TUI and the CLI
//! get the same bytes from the same decision. [`DecisionRecord::to_canonical`] gives the
//! bytes that are signed; [`DecisionRecord::parse`] reads them back, strictly.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::canonical;
use crate::domain::assessment::{Answer, Rule};
use crate::domain::case::case_number;
use crate::domain::child::Child;
use crate::domain::criteria::{Catalogue, Method, scoring};
use crate::domain::decision::Decision;
use crate::domain::level::RiskLevel;
use crate::domain::panel::{Discipline, Member, Session};
use crate::domain::region::Region;

/// The schema version this build writes and reads.
/// Version 2 added `audit_head`; a version 1 record reads with `audit_head` null.
pub const SCHEMA_VERSION: u32 = 2;
/// `record_type` of every decision record.
pub const RECORD_TYPE: &str = "casepanel.decision";

/// `D-000123`: the record id of decision 123, also the file name stem of its export.
pub fn record_id(decision_id: i64) -> String {
    format!("D-{decision_id:06}")
}

/// Dates as records write them: `YYYY-MM-DD`.
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Times as records write them: `YYYY-MM-DDTHH:MM:SS`, the centre's local time, whole
/// seconds (fractions are dropped).
pub fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    pub schema_version: u32,
    pub record_type: String,
    pub record_id: String,
    pub decision_id: i64,
    pub case_id: i64,
    pub case_number: String,
    /// The centre that issued the record, when it has a name.
    pub centre: Option<String>,
    pub child: ChildPart,
    /// None for a decision taken outside a recorded session.
    pub session: Option<SessionPart>,
    pub decided_on: String,
    pub catalogue: CataloguePart,
    /// Every indicator of the catalogue in catalogue order (unanswered ones as `unknown`),
    /// then answers to indicators the catalogue does not know, by id.
    pub answers: Vec<AnswerPart>,
    pub computed: ComputedPart,
    #[serde(rename = "override")]
    pub override_: Option<OverridePart>,
    pub final_level: Option<u8>,
    pub interventions: Vec<InterventionPart>,
    pub next_review: Option<NextReviewPart>,
    pub vote: VotePart,
    pub dissent: String,
    /// A reportable indicator was met, so a police report had to be on record.
    pub police_report_required: bool,
    pub police_report: Option<PoliceReportPart>,
    pub amends: Option<AmendsPart>,
    pub sealed_at: Option<String>,
    /// The last row of the database's audit trail when the record was signed: a later
    /// rewrite of the trail shows against it (`casepanel check`). Null in version 1 records.
    #[serde(default)]
    pub audit_head: Option<AuditHeadPart>,
    pub signer: String,
    /// The minisign key id (16 upper-case hex digits) of the key that signs the record.
    pub key_id: String,
    pub signed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildPart {
    pub name: String,
    /// `male` or `female`.
    pub sex: String,
    pub id_number: Option<String>,
    pub birth_date: String,
    pub region: RegionPart,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPart {
    /// The lowest known level's code.
    pub code: String,
    /// From the city down to `code`.
    pub path: Vec<RegionNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionNode {
    pub code: String,
    pub name: String,
    /// `city`, `county`, `township` or `village`.
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPart {
    pub member_id: i64,
    pub name: String,
    /// A `discipline` code, e.g. `social_work`.
    pub discipline: String,
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionPart {
    pub session_id: i64,
    pub held_on: String,
    pub chair: Option<MemberPart>,
    pub secretary: Option<MemberPart>,
    pub present: Vec<MemberPart>,
    /// Members who declared a conflict of interest on this case and did not vote.
    pub conflicts_declared: Vec<MemberPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CataloguePart {
    pub id: String,
    pub version: String,
    pub sha256: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    /// `highest_level` or `points`; None when the catalogue text was not available.
    pub method: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerPart {
    pub indicator: String,
    pub level: Option<u8>,
    pub text_zh: Option<String>,
    pub text_en: Option<String>,
    pub hard_trigger: bool,
    pub reportable: bool,
    /// `met`, `not_met` or `unknown`.
    pub answer: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComputedPart {
    pub level: Option<u8>,
    pub rule: RulePart,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePart {
    /// `none_met`, `hard_trigger`, `highest_level` or `points`.
    pub kind: String,
    pub level: Option<u8>,
    pub indicators: Vec<String>,
    pub total: Option<u32>,
    pub threshold: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverridePart {
    pub level: u8,
    pub reason: String,
    pub by: Option<MemberPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterventionPart {
    pub kind: String,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub unit: String,
    /// None: immediately (立即).
    pub due: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextReviewPart {
    pub date: String,
    /// `annual` or `ad_hoc`.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotePart {
    #[serde(rename = "for")]
    pub for_: u32,
    pub against: u32,
    pub abstain: u32,
    pub voting_members: Vec<MemberPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliceReportPart {
    pub reported_at: String,
    pub unit: String,
    pub receipt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHeadPart {
    /// The audit row's id.
    pub row_id: i64,
    /// Its chained hash (64 lower-case hex digits).
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmendsPart {
    pub decision_id: i64,
    pub record_id: String,
    /// Why the panel corrected the earlier decision.
    pub reason: String,
}

/// Everything a record is built from: domain values only.
#[derive(Debug, Clone, Copy)]
pub struct RecordInput<'a> {
    pub decision: &'a Decision,
    pub child: &'a Child,
    /// The child's region and its ancestors, from the city down (empty if unknown).
    pub region_path: &'a [Region],
    pub session: Option<&'a Session>,
    /// The roster, or at least every member the decision and session name.
    pub members: &'a [Member],
    /// The catalogue the assessment was scored on, when its text is at hand.
    pub catalogue: Option<&'a Catalogue>,
    pub centre: Option<&'a str>,
    pub signer: &'a str,
    pub key_id: &'a str,
    pub signed_at: NaiveDateTime,
    /// The audit trail's last row at signing time: its id and hash.
    pub audit_head: Option<(i64, &'a str)>,
}

fn level(l: Option<RiskLevel>) -> Option<u8> {
    l.map(RiskLevel::number)
}

fn member(members: &[Member], id: i64) -> MemberPart {
    match members.iter().find(|m| m.id == id) {
        Some(m) => MemberPart {
            member_id: m.id,
            name: m.name.clone(),
            discipline: m.discipline.code().to_string(),
            organisation: m.organisation.clone(),
        },
        None => MemberPart {
            member_id: id,
            name: String::new(),
            discipline: Discipline::Other.code().to_string(),
            organisation: String::new(),
        },
    }
}

fn members_of(members: &[Member], ids: impl IntoIterator<Item = i64>) -> Vec<MemberPart> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|id| member(members, id)).collect()
}

fn rule_part(r: &Rule) -> RulePart {
    let mut indicators = match r {
        Rule::NoneMet | Rule::Points { .. } => Vec::new(),
        Rule::HardTrigger { indicators } | Rule::HighestLevel { indicators, .. } => {
            indicators.clone()
        }
    };
    indicators.sort();
    match r {
        Rule::NoneMet => RulePart {
            kind: "none_met".into(),
            level: None,
            indicators,
            total: None,
            threshold: None,
        },
        Rule::HardTrigger { .. } => RulePart {
            kind: "hard_trigger".into(),
            level: Some(1),
            indicators,
            total: None,
            threshold: None,
        },
        Rule::HighestLevel { level, .. } => RulePart {
            kind: "highest_level".into(),
            level: Some(level.number()),
            indicators,
            total: None,
            threshold: None,
        },
        Rule::Points {
            level,
            total,
            threshold,
        } => RulePart {
            kind: "points".into(),
            level: Some(level.number()),
            indicators,
            total: Some(*total),
            threshold: Some(*threshold),
        },
    }
}

/// Builds the record of a decision. Pure: the same input gives the same record.
pub fn build(input: &RecordInput<'_>) -> DecisionRecord {
    let d = input.decision;
    let a = &d.assessment;
    let cat = input.catalogue.filter(|c| c.sha256 == a.catalogue.sha256);
    let child = input.child;

    let mut answers = Vec::new();
    if let Some(cat) = cat {
        for ind in &cat.indicators {
            let entry = a.answers.get(&ind.id);
            answers.push(AnswerPart {
                indicator: ind.id.clone(),
                level: Some(ind.level.number()),
                text_zh: Some(ind.zh.clone()),
                text_en: Some(ind.en.clone()),
                hard_trigger: ind.hard_trigger,
                reportable: ind.reportable,
                answer: entry
                    .map(|e| e.answer)
                    .unwrap_or(Answer::Unknown)
                    .code()
                    .to_string(),
                evidence: entry.map(|e| e.evidence.clone()).unwrap_or_default(),
            });
        }
    }
    for (id, entry) in &a.answers {
        if cat.is_some_and(|c| c.indicator(id).is_some()) {
            continue;
        }
        answers.push(AnswerPart {
            indicator: id.clone(),
            level: None,
            text_zh: None,
            text_en: None,
            hard_trigger: false,
            reportable: false,
            answer: entry.answer.code().to_string(),
            evidence: entry.evidence.clone(),
        });
    }

    let police_report_required = match cat {
        Some(cat) => !scoring::reportable_met(cat, &a.answers).is_empty(),
        None => d.police_report.is_some(),
    };

    let session = input
        .session
        .filter(|s| Some(s.id) == d.session_id)
        .map(|s| SessionPart {
            session_id: s.id,
            held_on: date(s.held_on),
            chair: s.chair.map(|id| member(input.members, id)),
            secretary: s.secretary.map(|id| member(input.members, id)),
            present: members_of(input.members, s.present.iter().copied()),
            conflicts_declared: members_of(input.members, d.recused.iter().copied()),
        });

    DecisionRecord {
        schema_version: SCHEMA_VERSION,
        record_type: RECORD_TYPE.into(),
        record_id: record_id(d.id),
        decision_id: d.id,
        case_id: d.case_id,
        case_number: case_number(d.case_id),
        centre: input
            .centre
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty()),
        child: ChildPart {
            name: child.name.clone(),
            sex: child.sex.code().to_string(),
            id_number: child.id_number.as_ref().map(|n| n.as_str().to_string()),
            birth_date: date(child.birth_date),
            region: RegionPart {
                code: child.region.clone(),
                path: input
                    .region_path
                    .iter()
                    .map(|r| RegionNode {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        level: r.level.code().into(),
                    })
                    .collect(),
            },
        },
        session,
        decided_on: date(d.decided_on),
        catalogue: CataloguePart {
            id: a.catalogue.id.clone(),
            version: a.catalogue.version.clone(),
            sha256: a.catalogue.sha256.clone(),
            title_zh: cat.map(|c| c.title_zh.clone()),
            title_en: cat.map(|c| c.title_en.clone()),
            method: cat.map(|c| match c.method {
                Method::HighestLevel => "highest_level".to_string(),
                Method::Points { .. } => "points".to_string(),
            }),
        },
        answers,
        computed: ComputedPart {
            level: level(a.computed.level),
            rule: rule_part(&a.computed.rule),
        },
        override_: a.override_.as_ref().map(|o| OverridePart {
            level: o.level.number(),
            reason: o.reason.clone(),
            by: o.by.map(|id| member(input.members, id)),
        }),
        final_level: level(a.final_level()),
        interventions: d
            .interventions
            .iter()
            .map(|i| {
                let def = cat.and_then(|c| c.intervention(&i.kind));
                InterventionPart {
                    kind: i.kind.clone(),
                    label_zh: def.map(|d| d.zh.clone()),
                    label_en: def.map(|d| d.en.clone()),
                    unit: i.unit.clone(),
                    due: i.due.map(date),
                }
            })
            .collect(),
        next_review: d.next_review.as_ref().map(|r| NextReviewPart {
            date: date(r.date),
            kind: r.kind.code().into(),
        }),
        vote: VotePart {
            for_: d.vote.for_,
            against: d.vote.against,
            abstain: d.vote.abstain,
            voting_members: members_of(input.members, d.voting_members.iter().copied()),
        },
        dissent: d.dissent.clone(),
        police_report_required,
        police_report: d.police_report.as_ref().map(|p| PoliceReportPart {
            reported_at: time(p.reported_at),
            unit: p.unit.clone(),
            receipt: p.receipt.clone(),
        }),
        amends: d.amends.map(|id| AmendsPart {
            decision_id: id,
            record_id: record_id(id),
            reason: d.amend_reason.clone(),
        }),
        sealed_at: d.sealed_at.map(time),
        audit_head: input.audit_head.map(|(row_id, sha256)| AuditHeadPart {
            row_id,
            sha256: sha256.to_string(),
        }),
        signer: input.signer.to_string(),
        key_id: input.key_id.to_string(),
        signed_at: time(input.signed_at),
    }
}

/// Why bytes are not a record this build can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("not in canonical form (RFC 8785): the bytes were changed or written by another tool")]
    NotCanonical,
    #[error(
        "the bytes do not match the SHA-256 taken when they were signed: the stored record was changed after signing (`casepanel check` shows it)"
    )]
    Changed,
    #[error(
        "schema_version {0} is newer than this casepanel knows ({SCHEMA_VERSION}): update casepanel"
    )]
    NewerSchema(u64),
    #[error("not a casepanel decision record: {0}")]
    Shape(String),
}

impl DecisionRecord {
    /// The bytes that are signed and written to `<record_id>.json`.
    pub fn to_canonical(&self) -> Vec<u8> {
        canonical::to_vec_of(self).expect("records hold only strings, booleans and small integers")
    }

    /// Reads a record: the bytes must be canonical JSON of a record of a known version.
    pub fn parse(bytes: &[u8]) -> Result<DecisionRecord, RecordError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| RecordError::Json(e.to_string()))?;
        let version = v.get("schema_version").and_then(|x| x.as_u64());
        match version {
            Some(n) if n > u64::from(SCHEMA_VERSION) => return Err(RecordError::NewerSchema(n)),
            Some(_) => {}
            None => return Err(RecordError::Shape("no schema_version".into())),
        }
        if !canonical::to_vec(&v).is_ok_and(|c| c == bytes) {
            return Err(RecordError::NotCanonical);
        }
        let r: DecisionRecord =
            serde_json::from_value(v).map_err(|e| RecordError::Shape(e.to_string()))?;
        r.known_type()
    }

    /// Reads a record as the store keeps it: `bytes` must hash to `sha256`, the SHA-256
    /// taken of the canonical bytes when they were signed (`decision_signature.record_sha256`).
    /// Unchanged bytes are canonical, so they are not re-serialised to check it, as
    /// [`Self::parse`] does with bytes of unknown origin; the record is read straight
    /// into its type.
    pub fn parse_stored(bytes: &[u8], sha256: &str) -> Result<DecisionRecord, RecordError> {
        if super::sign::sha256_hex(bytes) != sha256 {
            return Err(RecordError::Changed);
        }
        let r: DecisionRecord = serde_json::from_slice(bytes).map_err(|e| {
            #[derive(Deserialize)]
            struct Version {
                schema_version: u64,
            }
            // A newer record fails the read by its unknown members: say it is newer.
            match serde_json::from_slice::<Version>(bytes) {
                Ok(v) if v.schema_version > u64::from(SCHEMA_VERSION) => {
                    RecordError::NewerSchema(v.schema_version)
                }
                _ => RecordError::Shape(e.to_string()),
            }
        })?;
        if u64::from(r.schema_version) > u64::from(SCHEMA_VERSION) {
            return Err(RecordError::NewerSchema(r.schema_version.into()));
        }
        r.known_type()
    }

    fn known_type(self) -> Result<DecisionRecord, RecordError> {
        if self.record_type != RECORD_TYPE {
            return Err(RecordError::Shape(format!(
                "record_type is `{}`",
                self.record_type
            )));
        }
        Ok(self)
    }
}
