//! The centre's signing key, in minisign's format (Ed25519).
//!
//! `casepanel.pub` is minisign's public key file, the one the centre hands to a court or
//! the police: `minisign -Vm D-000123.json -p casepanel.pub` checks a record with it.
//! `casepanel.key` is minisign's secret key file, encrypted with a passphrase (scrypt and
//! XOR, as minisign does). An unencrypted secret key is for tests and the demo only.
//!
//! Nothing here prompts: callers pass the passphrase (the CLI asks on the terminal, reads
//! `--passphrase-file` or `CASEPANEL_KEY_PASSPHRASE`; the TUI asks once per session).

use minisign::{KeyPair, PublicKey, PublicKeyBox, SecretKey, SecretKeyBox};
use std::path::{Path, PathBuf};

use super::atomic;
use super::{ExportError, KeyProblem};

/// File name of the public key `keygen` writes.
pub const PUBLIC_FILE: &str = "casepanel.pub";
/// File name of the secret key `keygen` writes.
pub const SECRET_FILE: &str = "casepanel.key";

/// minisign's key id: 16 upper-case hex digits, as `minisign` prints it.
pub fn key_id_hex(keynum: &[u8]) -> String {
    let mut b = [0u8; 8];
    b.copy_from_slice(&keynum[..8]);
    format!("{:016X}", u64::from_le_bytes(b))
}

/// A secret key ready to sign (decrypted), with its public half.
pub struct SigningKey {
    pub(crate) sk: SecretKey,
    pub(crate) pk: PublicKey,
    key_id: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        write!(f, "SigningKey({})", self.key_id)
    }
}

impl SigningKey {
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn public(&self) -> VerifyingKey {
        VerifyingKey {
            pk: self.pk.clone(),
            key_id: self.key_id.clone(),
        }
    }

    fn from_secret(sk: SecretKey) -> Result<SigningKey, String> {
        let pk = PublicKey::from_secret_key(&sk).map_err(|e| e.to_string())?;
        // One signature, checked against the public half, when the key is loaded: a key
        // whose halves disagree (a damaged file) is refused here, so the signatures made
        // with it need not each be checked again (`sign::sign_bytes`).
        minisign::sign(
            Some(&pk),
            &sk,
            std::io::Cursor::new(b"casepanel key check"),
            Some("casepanel key check"),
            None,
        )
        .map_err(|e| format!("the key does not verify its own signature: {e}"))?;
        let key_id = key_id_hex(pk.keynum());
        Ok(SigningKey { sk, pk, key_id })
    }

    /// A fresh unencrypted key that lives in memory only (tests, benchmarks).
    pub fn generate_ephemeral() -> SigningKey {
        let kp = KeyPair::generate_unencrypted_keypair().expect("the system random source works");
        SigningKey::from_secret(kp.sk).expect("a fresh key has its public half")
    }

    /// The text of minisign's public key file for this key.
    pub fn public_key_text(&self) -> String {
        self.pk.to_box().expect("a key box formats").into_string()
    }
}

/// A public key to verify with.
#[derive(Clone)]
pub struct VerifyingKey {
    pub(crate) pk: PublicKey,
    key_id: String,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifyingKey({})", self.key_id)
    }
}

impl VerifyingKey {
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// The public key file beside a secret key file: same name, `.pub` instead of `.key`.
pub fn public_key_path_for(secret: &Path) -> PathBuf {
    secret.with_extension("pub")
}

/// What `keygen` wrote.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    pub public: PathBuf,
    pub secret: PathBuf,
    pub key_id: String,
    pub encrypted: bool,
}

/// Creates a key pair in `dir` (`casepanel.pub`, `casepanel.key`). With a passphrase the
/// secret key is encrypted; `None` writes it unencrypted (tests and the demo only). Refuses
/// to replace existing key files. `label` goes into the files' untrusted comment lines
/// (for a person reading them; it is not signed), e.g. `casepanel DEMO KEY`.
pub fn generate(
    dir: &Path,
    passphrase: Option<&str>,
    label: &str,
) -> Result<KeyFiles, ExportError> {
    let public = dir.join(PUBLIC_FILE);
    let secret = dir.join(SECRET_FILE);
    for p in [&public, &secret] {
        if p.exists() {
            return Err(ExportError::key(p, KeyProblem::Exists));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
    let label = crate::text::sanitize_line(label);
    let (kp, encrypted) = match passphrase {
        Some(p) => (
            KeyPair::generate_encrypted_keypair(Some(p.to_string()))
                .map_err(|e| ExportError::key(&secret, KeyProblem::Generate(e.to_string())))?,
            true,
        ),
        None => (
            KeyPair::generate_unencrypted_keypair()
                .map_err(|e| ExportError::key(&secret, KeyProblem::Generate(e.to_string())))?,
            false,
        ),
    };
    let key_id = key_id_hex(kp.pk.keynum());
    // The public key file keeps minisign's own comment line, which tools show as the key id.
    let mut pk_text = kp.pk.to_box().map_err(ExportError::sign)?.into_string();
    if !label.is_empty() {
        pk_text = pk_text.replacen(
            "minisign public key: ",
            &format!("{label} · minisign public key: "),
            1,
        );
    }
    let comment = format!(
        "{}casepanel secret key{}",
        if label.is_empty() {
            String::new()
        } else {
            format!("{label} · ")
        },
        if encrypted {
            " (encrypted)"
        } else {
            " (UNENCRYPTED)"
        }
    );
    let sk_text = kp
        .sk
        .to_box(Some(&comment))
        .map_err(ExportError::sign)?
        .into_string();
    atomic::write_new(&secret, sk_text.as_bytes(), true)?;
    if let Err(e) = atomic::write_new(&public, pk_text.as_bytes(), false) {
        let _ = std::fs::remove_file(&secret);
        return Err(e);
    }
    Ok(KeyFiles {
        public,
        secret,
        key_id,
        encrypted,
    })
}

/// A key file's text; `public`: which key it is, for the error.
fn read_text(path: &Path, public: bool) -> Result<String, ExportError> {
    std::fs::read_to_string(path)
        .map_err(|source| ExportError::key(path, KeyProblem::Unreadable { public, source }))
}

/// Whether the secret key file at `path` is protected by a passphrase.
pub fn is_encrypted(path: &Path) -> Result<bool, ExportError> {
    let text = read_text(path, false)?;
    match SecretKey::from_unencrypted_box(
        SecretKeyBox::from_string(&text).map_err(|e| bad_key(path, e))?,
    ) {
        Ok(_) => Ok(false),
        Err(e) if e.to_string().contains("encrypted") => Ok(true),
        Err(e) => Err(bad_key(path, e)),
    }
}

fn bad_key(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::key(path, KeyProblem::NotSecret(e.to_string()))
}

/// Loads (and decrypts) a secret key file. `passphrase` is required for an encrypted key
/// and ignored for an unencrypted one. A wrong passphrase is an error that says so.
pub fn load_secret_key(path: &Path, passphrase: Option<&str>) -> Result<SigningKey, ExportError> {
    let text = read_text(path, false)?;
    let sk_box = || SecretKeyBox::from_string(&text).map_err(|e| bad_key(path, e));
    let sk = if is_encrypted(path)? {
        let Some(p) = passphrase else {
            return Err(ExportError::key(path, KeyProblem::NoPassphrase));
        };
        SecretKey::from_box(sk_box()?, Some(p.to_string())).map_err(|e| {
            let m = e.to_string();
            if m.contains("Wrong password") {
                ExportError::WrongPassphrase(path.to_path_buf())
            } else {
                ExportError::key(path, KeyProblem::Decrypt(m))
            }
        })?
    } else {
        SecretKey::from_unencrypted_box(sk_box()?).map_err(|e| bad_key(path, e))?
    };
    SigningKey::from_secret(sk).map_err(|e| bad_key(path, e))
}

/// Parses minisign public key text (the two-line file, or the bare base64 line).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let trimmed = text.trim();
    let pk = if trimmed.lines().count() >= 2 {
        PublicKey::from_box(PublicKeyBox::from_string(trimmed).map_err(|e| e.to_string())?)
    } else {
        PublicKey::from_base64(trimmed)
    }
    .map_err(|e| e.to_string())?;
    let key_id = key_id_hex(pk.keynum());
    Ok(VerifyingKey { pk, key_id })
}

/// Loads a public key file.
pub fn load_public_key(path: &Path) -> Result<VerifyingKey, ExportError> {
    let text = read_text(path, true)?;
    parse_public_key(&text).map_err(|e| ExportError::key(path, KeyProblem::NotPublic(e)))
}
