//! `MANIFEST.sha256`: every file of an export and its SHA-256, in the format `sha256sum`
//! writes and `sha256sum -c` reads: one line per file, 64 lower-case hex digits, two
//! spaces, the file name, `\n`; sorted by file name (byte order). The manifest and its
//! signature (`MANIFEST.sha256.minisig`) are not listed in it.

use super::sign::sha256_hex;

pub const MANIFEST: &str = "MANIFEST.sha256";
pub const MANIFEST_SIG: &str = "MANIFEST.sha256.minisig";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub sha256: String,
    pub name: String,
}

/// Whether a file name may appear in an export: a plain name, no folder, no control
/// characters, not hidden.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && name != MANIFEST
        && name != MANIFEST_SIG
}

/// The manifest of `files` (name, content).
pub fn build<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    from_hashes(files.into_iter().map(|(n, b)| (sha256_hex(b), n)))
}

/// The manifest of files whose SHA-256 (lower-case hex) is known: (hash, name).
pub fn from_hashes<'a>(files: impl IntoIterator<Item = (String, &'a str)>) -> Vec<u8> {
    let mut entries: Vec<(String, &str)> = files.into_iter().collect();
    entries.sort_by(|a, b| a.1.as_bytes().cmp(b.1.as_bytes()));
    let mut out = String::new();
    for (hash, name) in entries {
        out.push_str(&hash);
        out.push_str("  ");
        out.push_str(name);
        out.push('\n');
    }
    out.into_bytes()
}

/// Reads a manifest strictly: exactly the form [`build`] writes. The message says what is
/// wrong and on which line.
pub fn parse(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    if !text.ends_with('\n') {
        return Err("does not end with a newline".into());
    }
    let mut out: Vec<Entry> = Vec::new();
    for (i, line) in text[..text.len() - 1].split('\n').enumerate() {
        let n = i + 1;
        let (hash, name) = line
            .split_once("  ")
            .ok_or_else(|| format!("line {n}: not `SHA256  NAME`"))?;
        if hash.len() != 64
            || !hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!("line {n}: `{hash}` is not a lower-case SHA-256"));
        }
        if !valid_name(name) {
            return Err(format!(
                "line {n}: `{}` is not a file name an export holds",
                name.escape_debug()
            ));
        }
        if let Some(prev) = out.last()
            && prev.name.as_bytes() >= name.as_bytes()
        {
            return Err(format!("line {n}: `{name}` is out of order or repeated"));
        }
        out.push(Entry {
            sha256: hash.to_string(),
            name: name.to_string(),
        });
    }
    if out.is_empty() {
        return Err("lists no file".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let m = build([("b.md", &b"x"[..]), ("a.json", &b"y"[..])]);
        let e = parse(&m).unwrap();
        assert_eq!(
            e.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["a.json", "b.md"]
        );
        assert_eq!(e[0].sha256, sha256_hex(b"y"));
        let text = String::from_utf8(m.clone()).unwrap();
        assert!(parse(text.replace("  ", " ").as_bytes()).is_err());
        assert!(parse(&m[..m.len() - 1]).is_err());
        assert!(parse(text.to_uppercase().as_bytes()).is_err());
        let swapped: String = text.lines().rev().map(|l| format!("{l}\n")).collect();
        assert!(parse(swapped.as_bytes()).is_err());
        assert!(parse(format!("{}  ../x\n", "0".repeat(64)).as_bytes()).is_err());
    }
}
