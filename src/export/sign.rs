//! Signing sealed decisions: build the record from the store, sign its canonical bytes
//! with minisign, store bytes and signature together (immutable from then on).
//!
//! The TUI's confirm step calls [`sign_in`] inside the transaction that seals the decision
//! (so sealing and signing are one act), or [`sign_decision`] right after; `casepanel sign`
//! calls [`sign_all`] for decisions sealed earlier without a key.

use chrono::NaiveDateTime;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use super::ExportError;
use super::keys::SigningKey;
use super::record::{self, DecisionRecord, RecordInput};
use crate::domain::criteria::Catalogue;
use crate::domain::decision::DecisionStatus;
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
        return Err(ExportError::Invalid(
            "the signer's name is empty: say who signs (--signer NAME, or centre_name in the config)".into(),
        ));
    }
    Ok(s)
}

/// Catalogues by hash, parsed once per signing run.
#[derive(Default)]
pub struct CatalogueCache(BTreeMap<String, Option<Catalogue>>);

impl CatalogueCache {
    fn get(&mut self, c: &Connection, sha: &str) -> Result<Option<&Catalogue>, StoreError> {
        if !self.0.contains_key(sha) {
            let cat = if sha.is_empty() {
                None
            } else {
                catalogues::by_hash(c, sha)?
            };
            self.0.insert(sha.to_string(), cat);
        }
        Ok(self.0.get(sha).and_then(Option::as_ref))
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
    let d = decisions::get(c, decision_id)?
        .ok_or_else(|| StoreError::NotFound(format!("decision {decision_id}")))?;
    if d.status != DecisionStatus::Sealed {
        return Err(ExportError::Invalid(format!(
            "decision {decision_id} is a draft: only a sealed (confirmed) decision can be signed"
        )));
    }
    let case = cases::get(c, d.case_id)?
        .ok_or_else(|| StoreError::NotFound(format!("case {}", d.case_id)))?;
    let child = children::get(c, case.child_id)?
        .ok_or_else(|| StoreError::NotFound(format!("child {}", case.child_id)))?;
    let region_path = regions::path(c, &child.region)?;
    let session = match d.session_id {
        Some(sid) => panel::session(c, sid)?,
        None => None,
    };
    let members = panel::members(c)?;
    let db_centre = settings::get(c, settings::CENTRE_NAME)?;
    // As the title bar: the database's own name first, then the caller's (the config's).
    let centre = db_centre.or(centre.map(str::to_string));
    let catalogue = cache.get(c, &d.assessment.catalogue.sha256)?;
    let head = crate::store::audit::head(c)?;
    Ok(record::build(&RecordInput {
        decision: &d,
        child: &child,
        region_path: &region_path,
        session: session.as_ref(),
        members: &members,
        catalogue,
        centre: centre.as_deref(),
        signer,
        key_id,
        signed_at: now,
        audit_head: head.as_ref().map(|h| (h.row_id, h.hash.as_str())),
    }))
}

fn sign_one(
    c: &Connection,
    decision_id: i64,
    key: &SigningKey,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
    cache: &mut CatalogueCache,
) -> Result<SignedRecord, ExportError> {
    if signatures::is_signed(c, decision_id)? {
        return Err(ExportError::Invalid(format!(
            "decision {decision_id} is already signed; a signature is never replaced"
        )));
    }
    if signatures::is_imported(c, decision_id)? {
        return Err(ExportError::Invalid(format!(
            "decision {decision_id} was taken over from paper records, not decided by the panel here: it is not signed"
        )));
    }
    let signer = clean_signer(signer)?;
    let now = record::time(now);
    let now = NaiveDateTime::parse_from_str(&now, "%Y-%m-%dT%H:%M:%S").expect("own format");
    let rec = build_record(c, decision_id, key.key_id(), &signer, centre, now, cache)?;
    let bytes = rec.to_canonical();
    let file = format!("{}.json", rec.record_id);
    let minisig = sign_bytes(
        key,
        &bytes,
        &trusted_comment(&rec),
        &untrusted_comment(&file),
    )?;
    let stored = signatures::StoredSignature {
        decision_id,
        record_id: rec.record_id.clone(),
        record_sha256: sha256_hex(&bytes),
        record: bytes,
        minisig,
        key_id: key.key_id().to_string(),
        signer,
        signed_at: now,
    };
    signatures::insert(c, &stored)?;
    Ok(stored.into())
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
    sign_one(
        c,
        decision_id,
        key,
        signer,
        centre,
        now,
        &mut CatalogueCache::default(),
    )
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

/// Signs the given decisions in one transaction: all of them, or none if one fails.
pub fn sign_all(
    store: &mut Store,
    decision_ids: &[i64],
    key: &SigningKey,
    signer: &str,
    centre: Option<&str>,
    now: NaiveDateTime,
) -> Result<Vec<SignedRecord>, ExportError> {
    let mut out = Vec::with_capacity(decision_ids.len());
    let mut cache = CatalogueCache::default();
    store.write(|tx| {
        for &id in decision_ids {
            out.push(sign_one(tx, id, key, signer, centre, now, &mut cache)?);
        }
        Ok(())
    })?;
    Ok(out)
}

/// The stored signed record of a decision, if it is signed.
pub fn signed(c: &Connection, decision_id: i64) -> Result<Option<SignedRecord>, ExportError> {
    Ok(signatures::get(c, decision_id)?.map(SignedRecord::from))
}
