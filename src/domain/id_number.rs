//! 公民身份号码 (GB 11643-1999): 6 digits region, 8 digits birth date, 3 digits sequence
//! (odd for male, even for female), 1 check character (ISO 7064 MOD 11-2, `X` for 10).

use chrono::NaiveDate;
use std::fmt;

use super::child::Sex;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A citizen ID number whose form and check digit are valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

/// Why a string is not a valid ID number. Each names what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an ID number has 18 characters; this one has {0}")]
    Length(usize),
    #[error("character {position} must be a digit{}", if *.position == 18 { " or X" } else { "" })]
    NotDigit { position: usize },
    #[error("characters 7-14 must be a real birth date (YYYYMMDD); `{0}` is not")]
    BirthDate(String),
    #[error("the check digit is wrong: the last character should be `{expected}`, not `{found}`")]
    CheckDigit { expected: char, found: char },
}

/// The check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

impl IdNumber {
    /// Parses and checks an ID number. Spaces around it are ignored, a lower-case `x` is
    /// accepted and stored as `X`.
    pub fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        let s = s.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(IdNumberError::Length(n));
        }
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                return Err(IdNumberError::NotDigit { position: i + 1 });
            }
        }
        let birth = &s[6..14];
        if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
            return Err(IdNumberError::BirthDate(birth.to_string()));
        }
        let expected = check_char(&s[..17]).expect("17 digits checked above");
        let found = s.as_bytes()[17] as char;
        if expected != found {
            return Err(IdNumberError::CheckDigit { expected, found });
        }
        Ok(IdNumber(s))
    }

    /// Builds a valid number from its parts (used by the generator and tests).
    pub fn build(region: &str, birth: NaiveDate, sequence: u16, sex: Sex) -> IdNumber {
        let mut seq = sequence % 1000;
        let odd = seq % 2 == 1;
        if odd != (sex == Sex::Male) {
            seq = if seq == 999 { 998 } else { seq + 1 };
            if (seq % 2 == 1) != (sex == Sex::Male) {
                seq -= 2;
            }
        }
        let first17 = format!("{:0>6.6}{}{:03}", region, birth.format("%Y%m%d"), seq);
        let c = check_char(&first17).expect("built from digits");
        IdNumber(format!("{first17}{c}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked at parse")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The six-digit administrative code of registration.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for IdNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IdNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_number() {
        // The worked example of GB 11643.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.region_code(), "110105");
    }

    #[test]
    fn lower_case_x_and_spaces() {
        assert_eq!(
            IdNumber::parse(" 11010519491231002x ").unwrap().as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(IdNumber::parse("123"), Err(IdNumberError::Length(3)));
        assert_eq!(
            IdNumber::parse("11010519491231002A"),
            Err(IdNumberError::NotDigit { position: 18 })
        );
        assert_eq!(
            IdNumber::parse("110105194913310021"),
            Err(IdNumberError::BirthDate("19491331".into()))
        );
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::CheckDigit {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn built_numbers_are_valid_and_agree() {
        let d = NaiveDate::from_ymd_opt(2015, 2, 28).unwrap();
        for seq in [0u16, 1, 500, 998, 999] {
            for sex in [Sex::Male, Sex::Female] {
                let id = IdNumber::build("210181", d, seq, sex);
                let parsed = IdNumber::parse(id.as_str()).unwrap();
                assert_eq!(parsed.sex(), sex);
                assert_eq!(parsed.birth_date(), d);
            }
        }
    }
}
