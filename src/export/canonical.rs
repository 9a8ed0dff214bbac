//! Canonical JSON: the one byte form of a record that is signed.
//!
//! The form is RFC 8785 (JSON Canonicalization Scheme) restricted to what records hold:
//!
//! - UTF-8, no byte-order mark, no whitespace outside strings, no trailing newline;
//! - object members sorted by their names compared as UTF-16 code units (RFC 8785 §3.2.3;
//!   for the ASCII names records use this is plain byte order), each name once;
//! - strings escaped as RFC 8785 (ECMAScript `JSON.stringify`) does: `\"`, `\\`, `\b`,
//!   `\f`, `\n`, `\r`, `\t`, other controls below U+0020 as `\u00xx` (lower-case hex),
//!   everything else written as itself (no `\u` escapes for non-ASCII, no `/` escape);
//! - numbers are integers only, between −(2^53 − 1) and 2^53 − 1, written in decimal
//!   without sign for zero, leading zeros or exponent. Fractions are refused: a record
//!   never needs one, and refusing them keeps every implementation's output identical.
//!
//! Within those limits the output is byte for byte what any RFC 8785 implementation
//! produces, so a recipient can re-canonicalise a record with a standard tool and compare.

use serde_json::Value;
use std::cmp::Ordering;

/// The largest integer every JSON implementation reads exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("{path}: {value} is not an integer; canonical records hold integers only")]
    NotInteger { path: String, value: String },
    #[error("{path}: {value} is outside ±(2^53 − 1)")]
    TooLarge { path: String, value: String },
}

/// The canonical bytes of `value`.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(16 * 1024);
    write_value(&mut out, value).map_err(|e| e.under("$"))?;
    Ok(out)
}

/// The canonical bytes of anything serde can turn into JSON.
pub fn to_vec_of<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let v = serde_json::to_value(value).map_err(|e| CanonicalError::NotInteger {
        path: "$".into(),
        value: e.to_string(),
    })?;
    to_vec(&v)
}

/// Whether `bytes` are already in canonical form (parse, re-canonicalise, compare).
pub fn is_canonical(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => to_vec(&v).is_ok_and(|c| c == bytes),
        Err(_) => false,
    }
}

/// RFC 8785 member order: names compared as sequences of UTF-16 code units.
pub fn compare_names(a: &str, b: &str) -> Ordering {
    // Below U+D800 (and so for every ASCII name a record has) UTF-8 byte order and UTF-16
    // order agree; only a name with a character at or above it needs the UTF-16 walk.
    let plain = |s: &str| s.bytes().all(|b| b < 0xED);
    if plain(a) && plain(b) {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

impl CanonicalError {
    /// The same error, its path seen from one level up (`segment` is `.name` or `[i]`,
    /// or `$` at the top). The path is only put together when there is an error.
    fn under(self, segment: &str) -> CanonicalError {
        match self {
            CanonicalError::NotInteger { path, value } => CanonicalError::NotInteger {
                path: format!("{segment}{path}"),
                value,
            },
            CanonicalError::TooLarge { path, value } => CanonicalError::TooLarge {
                path: format!("{segment}{path}"),
                value,
            },
        }
    }
}

/// Writes `v`; an error's path is relative to `v` (the caller prefixes its own part).
fn write_value(out: &mut Vec<u8>, v: &Value) -> Result<(), CanonicalError> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let i = match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i,
                (None, Some(_)) => {
                    return Err(CanonicalError::TooLarge {
                        path: String::new(),
                        value: n.to_string(),
                    });
                }
                (None, None) => {
                    return Err(CanonicalError::NotInteger {
                        path: String::new(),
                        value: n.to_string(),
                    });
                }
            };
            if !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&i) {
                return Err(CanonicalError::TooLarge {
                    path: String::new(),
                    value: n.to_string(),
                });
            }
            out.extend_from_slice(i.to_string().as_bytes());
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item).map_err(|e| e.under(&format!("[{i}]")))?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| compare_names(a.0, b.0));
            out.push(b'{');
            for (i, (k, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(out, k);
                out.push(b':');
                write_value(out, item).map_err(|e| e.under(&format!(".{k}")))?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// A string, escaped as RFC 8785 does. Only ASCII bytes are ever escaped, and no byte of a
/// multi-byte UTF-8 character is ASCII, so the text is copied in runs between escapes.
fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: Value) -> String {
        String::from_utf8(to_vec(&v).unwrap()).unwrap()
    }

    #[test]
    fn sorts_members_and_drops_whitespace() {
        assert_eq!(
            canon(json!({"b": 1, "a": [true, null, "x"], "c": {"z": 0, "y": -3}})),
            r#"{"a":[true,null,"x"],"b":1,"c":{"y":-3,"z":0}}"#
        );
    }

    #[test]
    fn escapes_like_rfc_8785() {
        assert_eq!(
            canon(json!("a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}/é张\u{7f}")),
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f/é张\u{7f}\""
        );
    }

    #[test]
    fn utf16_member_order() {
        // U+1F600 (surrogates D83D DE00) sorts before U+E000 in UTF-16, after it in UTF-8.
        let v = json!({"\u{E000}": 2, "\u{1F600}": 1});
        assert_eq!(canon(v), "{\"\u{1F600}\":1,\"\u{E000}\":2}");
    }

    #[test]
    fn integers_only() {
        assert!(
            to_vec(&json!({"x": 1.5}))
                .unwrap_err()
                .to_string()
                .contains("$.x")
        );
        assert!(to_vec(&json!([u64::MAX])).is_err());
        assert!(to_vec(&json!(MAX_SAFE_INTEGER + 1)).is_err());
        assert_eq!(canon(json!(-MAX_SAFE_INTEGER)), "-9007199254740991");
        let nested = to_vec(&json!({"a": [1, {"b": 2.5}]})).unwrap_err();
        assert_eq!(
            nested,
            CanonicalError::NotInteger {
                path: "$.a[1].b".into(),
                value: "2.5".into()
            }
        );
    }

    #[test]
    fn canonical_check() {
        assert!(is_canonical(br#"{"a":1,"b":"x"}"#));
        assert!(!is_canonical(br#"{"b":"x","a":1}"#));
        assert!(!is_canonical(br#"{"a": 1}"#));
        assert!(!is_canonical(b"{\"a\":1}\n"));
    }
}
