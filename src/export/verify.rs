//! Verifying exports: one record (`D-000123.json` with `D-000123.json.minisig` beside it)
//! or a whole export folder (every file listed in a signed `MANIFEST.sha256`).
//!
//! The checks are strict on purpose: any changed byte of any exported file fails, and the
//! problem names the file. A signature file must be exactly what casepanel writes (the
//! untrusted comment line included, though minisign itself does not sign that line).

use std::collections::BTreeSet;
use std::path::Path;

use minisign::SignatureBox;

use super::keys::{VerifyingKey, key_id_hex};
use super::manifest::{self, MANIFEST, MANIFEST_SIG};
use super::record::DecisionRecord;
use super::sign::{sha256_hex, trusted_comment, untrusted_comment};
use crate::i18n::{Lang, tf};

/// The first problem found: which file, and what is wrong with it. The reason is a key of
/// the string table (`verify.why.*`) with its arguments (paths, key ids, system errors),
/// told in a language by [`Problem::message`]; `Display` tells it in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The reason's key in [`crate::i18n::STRINGS`].
    pub key: &'static str,
    /// The reason's arguments, by placeholder name.
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    /// Why the file fails, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tf(lang, self.key, &args)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message(Lang::En))
    }
}

impl std::error::Error for Problem {}

fn problem(file: &str, key: &'static str) -> Problem {
    problem_with(file, key, &[])
}

fn problem_with(file: &str, key: &'static str, args: &[(&'static str, String)]) -> Problem {
    Problem {
        file: file.to_string(),
        key,
        args: args.to_vec(),
    }
}

/// What a verified record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSummary {
    pub file: String,
    pub record_id: String,
    pub case_number: String,
    pub signer: String,
    pub signed_at: String,
    pub final_level: Option<u8>,
    pub key_id: String,
}

/// What a verification found good.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verified {
    pub records: Vec<RecordSummary>,
    /// Files checked against the manifest (0 when a single record was verified).
    pub files: usize,
    /// The manifest's trusted comment, for a folder.
    pub manifest: Option<String>,
}

/// Checks a minisign signature text over `data`. `sig_file` names the signature file in
/// problems. Returns the trusted comment.
pub fn check_signature(
    pk: &VerifyingKey,
    data: &[u8],
    sig_text: &[u8],
    sig_file: &str,
    data_file: &str,
    expected_untrusted: &str,
) -> Result<String, Problem> {
    let text =
        std::str::from_utf8(sig_text).map_err(|_| problem(sig_file, "verify.why.not_utf8"))?;
    let sig = SignatureBox::from_string(text).map_err(|e| {
        problem_with(
            sig_file,
            "verify.why.not_signature",
            &[("error", e.to_string())],
        )
    })?;
    // Byte-exact form: what minisign reads leniently (spaces, the untrusted comment) must
    // still be exactly what was written.
    if sig.to_string().as_bytes() != sig_text {
        return Err(problem(sig_file, "verify.why.sig_form"));
    }
    if sig.untrusted_comment().unwrap_or_default() != expected_untrusted {
        return Err(problem(sig_file, "verify.why.untrusted_comment"));
    }
    if sig.keynum() != pk.pk.keynum() {
        return Err(problem_with(
            sig_file,
            "verify.why.wrong_key",
            &[
                ("signed", key_id_hex(sig.keynum())),
                ("given", pk.key_id().to_string()),
            ],
        ));
    }
    // The global signature covers the data signature and the trusted comment: if it holds,
    // the signature file is intact, and a failure below means the data changed.
    if !global_signature_ok(pk, text) {
        return Err(problem(sig_file, "verify.why.sig_changed"));
    }
    if minisign::verify(&pk.pk, &sig, std::io::Cursor::new(data), true, false, false).is_err() {
        return Err(problem_with(
            data_file,
            "verify.why.content_changed",
            &[("sig", sig_file.to_string())],
        ));
    }
    sig.trusted_comment().map_err(|e| {
        problem_with(
            sig_file,
            "verify.why.no_trusted_comment",
            &[("error", e.to_string())],
        )
    })
}

/// Checks the second (global) signature of a minisign signature text: Ed25519 over the
/// 64-byte data signature followed by the trusted comment.
fn global_signature_ok(pk: &VerifyingKey, text: &str) -> bool {
    use ct_codecs::{Base64, Decoder};
    let lines: Vec<&str> = text.lines().collect();
    let (Some(sig_line), Some(comment_line), Some(global_line)) =
        (lines.get(1), lines.get(2), lines.get(3))
    else {
        return false;
    };
    let Some(comment) = comment_line.strip_prefix("trusted comment: ") else {
        return false;
    };
    let (Ok(sig), Ok(global)) = (
        Base64::decode_to_vec(sig_line.trim(), None),
        Base64::decode_to_vec(global_line.trim(), None),
    ) else {
        return false;
    };
    if sig.len() != 74 || global.len() != 64 {
        return false;
    }
    let pk_bytes = pk.pk.to_bytes();
    let Ok(key) = ed25519_compact::PublicKey::from_slice(&pk_bytes[pk_bytes.len() - 32..]) else {
        return false;
    };
    let Ok(global) = ed25519_compact::Signature::from_slice(&global) else {
        return false;
    };
    let mut message = sig[10..].to_vec();
    message.extend_from_slice(comment.trim().as_bytes());
    key.verify(&message, &global).is_ok()
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, Problem> {
    let p = dir.join(name);
    match std::fs::read(&p) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(problem(name, "verify.why.missing"))
        }
        Err(e) => Err(problem_with(
            name,
            "verify.why.cannot_read",
            &[("error", e.to_string())],
        )),
    }
}

/// Verifies one record file (`name` in `dir`) against its `.minisig`.
fn verify_record_in(dir: &Path, name: &str, pk: &VerifyingKey) -> Result<RecordSummary, Problem> {
    let data = read(dir, name)?;
    let sig_name = format!("{name}.minisig");
    let sig = read(dir, &sig_name)?;
    let trusted = check_signature(pk, &data, &sig, &sig_name, name, &untrusted_comment(name))?;
    let rec = DecisionRecord::parse(&data)
        .map_err(|e| problem_with(name, "verify.why.bad_record", &[("error", e.to_string())]))?;
    if format!("{}.json", rec.record_id) != name {
        return Err(problem_with(
            name,
            "verify.why.wrong_name",
            &[("record", rec.record_id.clone())],
        ));
    }
    if trusted != trusted_comment(&rec) {
        return Err(problem(&sig_name, "verify.why.comment_mismatch"));
    }
    if rec.key_id != pk.key_id() {
        return Err(problem_with(
            name,
            "verify.why.key_mismatch",
            &[
                ("named", rec.key_id.clone()),
                ("signed", pk.key_id().to_string()),
            ],
        ));
    }
    Ok(RecordSummary {
        file: name.to_string(),
        record_id: rec.record_id,
        case_number: rec.case_number,
        signer: rec.signer,
        signed_at: rec.signed_at,
        final_level: rec.final_level,
        key_id: rec.key_id,
    })
}

/// Verifies a record file or an export folder.
pub fn verify_path(path: &Path, pk: &VerifyingKey) -> Result<Verified, Problem> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        problem_with(
            &shown,
            "verify.why.cannot_open",
            &[("error", e.to_string())],
        )
    })?;
    if meta.is_dir() {
        return verify_folder(path, pk);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = match name.strip_suffix(".minisig") {
        Some(data) => data.to_string(),
        None => name,
    };
    if name == MANIFEST {
        return verify_folder(dir, pk);
    }
    if !name.ends_with(".json") {
        return Err(problem(&shown, "verify.why.not_record"));
    }
    let summary = verify_record_in(dir, &name, pk).map_err(|mut p| {
        p.file = dir.join(&p.file).display().to_string();
        p
    })?;
    Ok(Verified {
        records: vec![summary],
        files: 0,
        manifest: None,
    })
}

/// Verifies an export folder: the signed manifest, every file it lists, no file it does
/// not list, and every record's own signature.
pub fn verify_folder(dir: &Path, pk: &VerifyingKey) -> Result<Verified, Problem> {
    let manifest_bytes = read(dir, MANIFEST)?;
    let sig = read(dir, MANIFEST_SIG)?;
    let trusted = check_signature(
        pk,
        &manifest_bytes,
        &sig,
        MANIFEST_SIG,
        MANIFEST,
        &untrusted_comment(MANIFEST),
    )?;
    let entries = manifest::parse(&manifest_bytes)
        .map_err(|m| problem_with(MANIFEST, "verify.why.bad_manifest", &[("error", m)]))?;
    let listed: BTreeSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();

    // Every file in the folder is listed (or is the manifest itself).
    let mut present = BTreeSet::new();
    let rd = std::fs::read_dir(dir).map_err(|e| {
        problem_with(
            &dir.display().to_string(),
            "verify.why.cannot_list",
            &[("error", e.to_string())],
        )
    })?;
    for entry in rd {
        let entry = entry.map_err(|e| {
            problem_with(
                &dir.display().to_string(),
                "verify.why.cannot_list",
                &[("error", e.to_string())],
            )
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        present.insert(name);
    }
    for name in &present {
        if name == MANIFEST || name == MANIFEST_SIG {
            continue;
        }
        if !listed.contains(name.as_str()) {
            return Err(problem(name, "verify.why.extra"));
        }
    }
    // Every listed file is there and has the listed hash.
    for e in &entries {
        if !present.contains(&e.name) {
            return Err(problem(&e.name, "verify.why.missing_listed"));
        }
        let meta = std::fs::symlink_metadata(dir.join(&e.name)).map_err(|x| {
            problem_with(
                &e.name,
                "verify.why.cannot_read",
                &[("error", x.to_string())],
            )
        })?;
        if !meta.is_file() {
            return Err(problem(&e.name, "verify.why.not_regular"));
        }
        let data = read(dir, &e.name)?;
        if sha256_hex(&data) != e.sha256 {
            return Err(problem(&e.name, "verify.why.hash"));
        }
    }
    // Every record verifies on its own too.
    let mut records = Vec::new();
    for e in &entries {
        if e.name.ends_with(".json") {
            let sig = format!("{}.minisig", e.name);
            if !listed.contains(sig.as_str()) {
                return Err(problem(&sig, "verify.why.missing_sig"));
            }
            records.push(verify_record_in(dir, &e.name, pk)?);
        }
    }
    Ok(Verified {
        records,
        files: entries.len(),
        manifest: Some(trusted),
    })
}
