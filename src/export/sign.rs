//! Signing sealed decisions: build the record from the store, sign its canonical bytes
//! with minisign, store bytes and signature together (immutable from then on).
//!
//! The TUI's confirm step calls [`sign_in`] inside the transaction that seals the decision
//! (so sealing and signing are one act), or [`sign_decision`] right after; `casepanel sign`
//! calls [`sign_all`] for decisions sealed earlier without a key. Many records are read
//! from the store in order, built, canonicalised and signed on every core (the pure part,
//! about 1 ms each), and stored in order in one transaction.

use chrono::NaiveDateTime;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::keys::SigningKey;
use super::record::{self, DecisionRecord, RecordInput};
use super::{ExportError, Refusal};
use crate::domain::child::Child;
use crate::domain::criteria::Catalogue;
use crate::domain::decision::{Decision, DecisionStatus};
use crate::domain::panel::{Member, Session};
use crate::domain::region::Region;
use crate::store::audit::Head;
use crate::store::{
    Store, StoreError, cases, catalogues, children, decisions, panel, regions, settings, signatures,
};

/// A signed record, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    pub decision_id: i64,
    pub record_id: String,
    /// The canonical JSON bytes that were signed.
    pub record: Vec<u8>,
    /// Their SHA-256 (lower-case hex), taken when they were signed.
    pub record_sha256: String,
    /// The `.minisig` file's text.
    pub minisig: String,
    pub key_id: String,
    pub signer: String,
    pub signed_at: NaiveDateTime,
}

impl From<signatures::StoredSignature> for SignedRecord {
    fn from(s: signatures::StoredSignature) -> SignedRecord {
        SignedRecord {
            decision_id: s.decision_id,
            record_id: s.record_id,
            record: s.record,
            record_sha256: s.record_sha256,
            minisig: s.minisig,
            key_id: s.key_id,
            signer: s.signer,
            signed_at: s.signed_at,
        }
    }
}

/// The minisign trusted comment of a record's signature: signed together with the record,
/// shown by `minisign -V`. The signer comes last because it may contain spaces.
pub fn trusted_comment(r: &DecisionRecord) -> String {
    format!(
        "casepanel record:{} case:{} signed_at:{} signer:{}",
        r.record_id, r.case_number, r.signed_at, r.signer
    )
}

/// The untrusted comment line of a record's signature file (not signed; `verify` checks it
/// is exactly this, so no byte of an export goes unchecked).
pub fn untrusted_comment(file: &str) -> String {
    format!("casepanel signature of {file}; check: minisign -Vm {file} -p casepanel.pub")
}

/// Signs `data`; returns the `.minisig` file's text.
pub fn sign_bytes(
    key: &SigningKey,
    data: &[u8],
    trusted: &str,
    untrusted: &str,
) -> Result<String, ExportError> {
    if trusted.contains(['\n', '\r']) || untrusted.contains(['\n', '\r']) {
        return Err(ExportError::Invalid(
            "a signature comment must be one line".into(),
        ));
    }
    // No public key: the key checked its own signature when it was loaded
    // (`SigningKey::from_secret`); checking each one again would double the cost.
    let sig = minisign::sign(
        None,
        &key.sk,
        std::io::Cursor::new(data),
        Some(trusted),
        Some(untrusted),
    )
    .map_err(ExportError::sign)?;
    Ok(sig.into_string())
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A signer's name as records write it: one clean line, not empty.
pub fn clean_signer(signer: &str) -> Result<String, ExportError> {
    let s = crate::text::sanitize_line(signer);
    if s.is_empty() {
        return Err(Refusal::NoSigner.into());
    }
    Ok(s)
}

/// Catalogues by hash, parsed once per signing run.
#[derive(Default)]
pub struct CatalogueCache(BTreeMap<String, Option<Arc<Catalogue>>>);

impl CatalogueCache {
    /// The catalogue of this hash (None for none, or one the database does not hold).
    fn load(&mut self, c: &Connection, sha: &str) -> Result<Option<Arc<Catalogue>>, StoreError> {
        if !self.0.contains_key(sha) {
            let cat = if sha.is_empty() {
                None
            } else {
                catalogues::by_hash(c, sha)?.map(Arc::new)
            };
            self.0.insert(sha.to_string(), cat);
        }
        Ok(self.0.get(sha).cloned().flatten())
    }
}

/// What one decision's record is built from, read from the store: its own rows, and the
/// session and catalogue it names (shared with the other records of a batch).
struct Gathered {
    decision: Decision,
    child: Child,
    region_path: Vec<Region>,
    session: Option<Arc<Session>>,
    catalogue: Option<Arc<Catalogue>>,
}

/// What the records of one signing read as they go: the sessions and catalogues they
/// name, each read once.
struct Reader {
    sessions: BTreeMap<i64, Option<Arc<Session>>>,
    catalogues: CatalogueCache,
}

impl Reader {
    /// Reads what the record of a sealed decision needs of it.
    fn gather(&mut self, c: &Connection, decision_id: i64) -> Result<Gathered, ExportError> {
        let decision = decisions::get(c, decision_id)?
            .ok_or_else(|| StoreError::NotFound(format!("decision {decision_id}")))?;
        if decision.status != DecisionStatus::Sealed {
            return Err(Refusal::Draft {
                id: decision_id,
                signing: true,
            }
            .into());
        }
        let case = cases::get(c, decision.case_id)?
            .ok_or_else(|| StoreError::NotFound(format!("case {}", decision.case_id)))?;
        let child = children::get(c, case.child_id)?
            .ok_or_else(|| StoreError::NotFound(format!("child {}", case.child_id)))?;
        let region_path = regions::path(c, &child.region)?;
        let session = match decision.session_id {
            Some(sid) => match self.sessions.entry(sid) {
                std::collections::btree_map::Entry::Occupied(e) => e.get().clone(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(panel::session(c, sid)?.map(Arc::new)).clone()
                }
            },
            None => None,
        };
        let catalogue = self
            .catalogues
            .load(c, &decision.assessment.catalogue.sha256)?;
        Ok(Gathered {
            decision,
            child,
            region_path,
            session,
            catalogue,
        })
    }
}

/// What the records of one signing share: the roster, the centre, the audit trail's head.
/// Read once; then [`Shared::record`] is pure, so records are built, canonicalised and
/// signed on every core.
struct Shared {
    members: Vec<Member>,
    centre: Option<String>,
    head: Option<Head>,
}

impl Shared {
    fn read(c: &Connection, centre: Option<&str>) -> Result<Shared, ExportError> {
        // As the title bar: the database's own name first, then the caller's (the config's).
        let centre = settings::get(c, settings::CENTRE_NAME)?.or(centre.map(str::to_string));
        Ok(Shared {
            members: panel::members(c)?,
            centre,
            head: crate::store::audit::head(c)?,
        })
    }

    fn record(
        &self,
        g: &Gathered,
        key_id: &str,
        signer: &str,
        now: NaiveDateTime,
    ) -> DecisionRecord {
        record::build(&RecordInput {
            decision: &g.decision,
            child: &g.child,
            region_path: &g.region_path,
            session: g.session.as_deref(),
            members: &self.members,
            catalogue: g.catalogue.as_deref(),
            centre: self.centre.as_deref(),
            signer,
            key_id,
            signed_at: now,
            audit_head: self.head.as_ref().map(|h| (h.row_id, h.hash.as_str())),
        })
    }
}

/// Builds the record of a sealed decision from what the store holds now.
pub fn build_record(
    c: &Connection,
    decision_id: i64,
    key_id: &str,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
    cache: &mut CatalogueCache,
) -> Result<DecisionRecord, ExportError> {
    let shared = Shared::read(c, centre)?;
    let mut reader = Reader {
        sessions: BTreeMap::new(),
        catalogues: std::mem::take(cache),
    };
    let g = reader.gather(c, decision_id);
    *cache = reader.catalogues;
    Ok(shared.record(&g?, key_id, signer, now))
}

/// Refuses a decision that is signed already or was taken over from paper records, given
/// what [`signatures::signing_state`] says of it.
fn signable(decision_id: i64, state: Option<(bool, bool)>) -> Result<(), ExportError> {
    let (signed, imported) =
        state.ok_or_else(|| StoreError::NotFound(format!("decision {decision_id}")))?;
    if signed {
        return Err(Refusal::AlreadySigned { id: decision_id }.into());
    }
    if imported {
        return Err(Refusal::PaperRecord { id: decision_id }.into());
    }
    Ok(())
}

/// Signs `decision_ids` inside the caller's transaction: reads what each record needs
/// (in order), builds, canonicalises and signs the records on every core, stores them
/// in order. Every record names the same audit head: the trail's last row before the
/// first of them was stored. All or nothing: the first error is returned and the caller's
/// transaction rolls back what was stored.
fn sign_many(
    c: &Connection,
    decision_ids: &[i64],
    key: &SigningKey,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
) -> Result<Vec<SignedRecord>, ExportError> {
    let signer = clean_signer(signer)?;
    let now = record::time(now);
    let now = NaiveDateTime::parse_from_str(&now, "%Y-%m-%dT%H:%M:%S").expect("own format");
    let shared = Shared::read(c, centre)?;
    let mut reader = Reader {
        sessions: BTreeMap::new(),
        catalogues: CatalogueCache::default(),
    };
    let states = signatures::signing_state(c, decision_ids)?;
    let mut out = Vec::with_capacity(decision_ids.len());
    // This thread reads each decision and stores each signed record, in order; the
    // workers build, canonicalise and sign in between.
    super::pipeline(
        decision_ids.len(),
        |i| {
            signable(decision_ids[i], states[i])?;
            reader.gather(c, decision_ids[i])
        },
        |g| {
            let rec = shared.record(&g, key.key_id(), &signer, now);
            let bytes = rec.to_canonical();
            let file = format!("{}.json", rec.record_id);
            let minisig = sign_bytes(
                key,
                &bytes,
                &trusted_comment(&rec),
                &untrusted_comment(&file),
            )?;
            Ok::<_, ExportError>(signatures::StoredSignature {
                decision_id: g.decision.id,
                record_id: rec.record_id,
                record_sha256: sha256_hex(&bytes),
                record: bytes,
                minisig,
                key_id: key.key_id().to_string(),
                signer: signer.clone(),
                signed_at: now,
            })
        },
        |stored| {
            let stored = stored?;
            signatures::insert(c, &stored)?;
            out.push(stored.into());
            Ok(())
        },
    )?;
    Ok(out)
}

/// Signs one sealed decision inside the caller's transaction (e.g. the one that sealed it).
/// The record names the issuing centre by the database's `centre_name` setting, else by
/// `centre` (pass the config's `centre_name`).
pub fn sign_in(
    c: &Connection,
    decision_id: i64,
    key: &SigningKey,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
) -> Result<SignedRecord, ExportError> {
    let mut one = sign_many(c, &[decision_id], key, signer, centre, now)?;
    Ok(one.pop().expect("one record for one decision"))
}

/// Signs one sealed decision in its own transaction.
pub fn sign_decision(
    store: &mut Store,
    decision_id: i64,
    key: &SigningKey,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
) -> Result<SignedRecord, ExportError> {
    let mut out = None;
    store.write(|tx| {
        out = Some(sign_in(tx, decision_id, key, signer, centre, now)?);
        Ok(())
    })?;
    Ok(out.expect("set on success"))
}

/// Signs the given decisions in one transaction: all of them, or none if one fails. The
/// records are built and signed on every core and stored in the order given; all name
/// the audit head before the first was stored (see `docs/decision-record.md`).
pub fn sign_all(
    store: &mut Store,
    decision_ids: &[i64],
    key: &SigningKey,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
) -> Result<Vec<SignedRecord>, ExportError> {
    let mut out = Vec::new();
    store.write(|tx| {
        out = sign_many(tx, decision_ids, key, signer, centre, now)?;
        Ok(())
    })?;
    Ok(out)
}

/// The stored signed record of a decision, if it is signed.
pub fn signed(c: &Connection, decision_id: i64) -> Result<Option<SignedRecord>, ExportError> {
    Ok(signatures::get(c, decision_id)?.map(SignedRecord::from))
}
