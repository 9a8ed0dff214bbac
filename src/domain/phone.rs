//! Telephone numbers as officers write them in screening sheets: a mobile number
//! (11 digits, 1[3-9]…) or a landline with its area code (0 + 2–3 digits, then 7–8 digits),
//! with or without +86, spaces, dashes or brackets.

/// Why a phone number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Letters or other characters that are not digits, spaces, `-`, `(`, `)` or a leading `+`.
    Characters,
    /// Digits, but neither a mobile number nor a landline with its area code.
    Shape { digits: usize },
}

/// The number with everything but its digits removed (and the country code +86 / 0086
/// dropped), if it is a plausible mainland mobile or landline number.
pub fn normalize(s: &str) -> Result<String, PhoneError> {
    let s = s.trim();
    let mut digits = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '（' | '）' | '\u{3000}' => {}
            _ => return Err(PhoneError::Characters),
        }
    }
    let digits = if s.starts_with('+') {
        match digits.strip_prefix("86") {
            Some(rest) => rest.to_string(),
            None => {
                return Err(PhoneError::Shape {
                    digits: digits.len(),
                });
            }
        }
    } else if digits.len() > 11 && digits.starts_with("0086") {
        digits[4..].to_string()
    } else {
        digits
    };
    let b = digits.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    let landline = (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0';
    if mobile || landline {
        Ok(digits)
    } else {
        Err(PhoneError::Shape {
            digits: digits.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_and_landline() {
        assert_eq!(normalize("138 1234 5678").unwrap(), "13812345678");
        assert_eq!(normalize("+86 138-1234-5678").unwrap(), "13812345678");
        assert_eq!(normalize("024-87654321").unwrap(), "02487654321");
        assert_eq!(normalize("(0411)8765432").unwrap(), "04118765432");
    }

    #[test]
    fn refused() {
        assert_eq!(
            normalize("1381234567"),
            Err(PhoneError::Shape { digits: 10 })
        );
        assert_eq!(
            normalize("12812345678"),
            Err(PhoneError::Shape { digits: 11 })
        );
        assert_eq!(normalize("138abc"), Err(PhoneError::Characters));
        assert_eq!(normalize("87654321"), Err(PhoneError::Shape { digits: 8 }));
    }
}
