//! The child: identity, where they live, and the checks an ID number imposes.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::id_number::IdNumber;
use crate::code_enum;

code_enum! {
    /// 性别.
    pub enum Sex: "sex" {
        Male = "male",
        Female = "female",
    }
}

impl Sex {
    /// The sex as officers write it in a sheet: 男 / 女 (also 男性, 女性), or the English
    /// words and letters (male, female, m, f; any case).
    pub fn parse_loose(s: &str) -> Option<Sex> {
        let s = s.trim();
        match s {
            "男" | "男性" | "男孩" => return Some(Sex::Male),
            "女" | "女性" | "女孩" => return Some(Sex::Female),
            _ => {}
        }
        if s.eq_ignore_ascii_case("male") || s.eq_ignore_ascii_case("m") {
            Some(Sex::Male)
        } else if s.eq_ignore_ascii_case("female") || s.eq_ignore_ascii_case("f") {
            Some(Sex::Female)
        } else {
            None
        }
    }
}

/// 困境未成年人: one child, whatever the number of case episodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub id: i64,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// 身份证号; a child found wandering may not have one yet.
    pub id_number: Option<IdNumber>,
    /// 户籍地.
    pub household_registration: String,
    /// 现住址.
    pub address: String,
    pub phone: Option<String>,
    pub school: Option<String>,
    /// Region code of the lowest known level (village, township, county or city).
    pub region: String,
}

/// A field of a child's record that disagrees with the rest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    #[error("name (姓名) is empty")]
    EmptyName,
    #[error("ID number (身份证号): {0}")]
    IdNumber(#[from] super::id_number::IdNumberError),
    #[error(
        "birth date (出生日期) {record} disagrees with the ID number, which says {from_id}: correct one of them"
    )]
    BirthDateMismatch {
        record: NaiveDate,
        from_id: NaiveDate,
    },
    #[error(
        "sex (性别) disagrees with the ID number's 17th digit, which says {from_id}: correct one of them"
    )]
    SexMismatch { from_id: Sex },
    #[error("birth date (出生日期) {0} is in the future")]
    BirthInFuture(NaiveDate),
}

impl Child {
    /// Checks the record's own consistency: the ID number's birth date and sex digit must
    /// agree with the fields, and the birth date must not be after `today`.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ChildError> {
        if self.name.trim().is_empty() {
            return Err(ChildError::EmptyName);
        }
        if self.birth_date > today {
            return Err(ChildError::BirthInFuture(self.birth_date));
        }
        if let Some(id) = &self.id_number {
            if id.birth_date() != self.birth_date {
                return Err(ChildError::BirthDateMismatch {
                    record: self.birth_date,
                    from_id: id.birth_date(),
                });
            }
            if id.sex() != self.sex {
                return Err(ChildError::SexMismatch { from_id: id.sex() });
            }
        }
        Ok(())
    }

    pub fn age_on(&self, day: NaiveDate) -> u32 {
        age_on(self.birth_date, day)
    }

    /// The day the child turns 18 and leaves the scope of child protection: [`adult_on`].
    pub fn adult_on(&self) -> NaiveDate {
        adult_on(self.birth_date)
    }
}

/// Surnames read differently as surnames than the characters' first reading (曾 zēng, not
/// céng; 单 shàn, not dān), with their initials. Only those whose initial letter changes
/// matter; compound surnames (复姓) first, so the longest prefix wins.
pub const SURNAME_INITIALS: &[(&str, &str)] = &[
    ("万俟", "mq"),
    ("尉迟", "yc"),
    ("长孙", "zs"),
    ("单于", "cy"),
    ("澹台", "tt"),
    ("曾", "z"),
    ("单", "s"),
    ("解", "x"),
    ("仇", "q"),
    ("区", "o"),
    ("查", "z"),
    ("乐", "y"),
    ("覃", "q"),
    ("尉", "y"),
    ("翟", "z"),
    ("折", "s"),
    ("秘", "b"),
    ("句", "g"),
    ("召", "s"),
    ("重", "c"),
    ("种", "c"),
    ("繁", "p"),
    ("祭", "z"),
    ("隗", "w"),
    ("蕃", "p"),
];

/// Pinyin initials of a name, for search: 张三明 → `zsm`, 曾国强 → `zgq` (the surname's
/// reading, [`SURNAME_INITIALS`]). Characters without a reading (Latin letters, digits)
/// are kept lower-cased; others are skipped.
pub fn name_initials(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    let given = match SURNAME_INITIALS
        .iter()
        .find(|(surname, _)| name.starts_with(surname))
    {
        Some((surname, initials)) => {
            out.push_str(initials);
            &name[surname.len()..]
        }
        None => name,
    };
    for (c, p) in given.chars().zip(given.to_pinyin()) {
        match p {
            Some(p) => out.push_str(p.first_letter()),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

/// The pieces of a name the search looks up (`name_gram`): every one- and two-character
/// substring, ASCII letters lower-cased as SQLite's `lower` does, each once. The triggers of
/// migration 8 compute the same in SQL for one case; the screening import calls this for
/// its new cases at once (tests/derived_fill.rs checks both against the names).
pub fn name_pieces(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut out: Vec<String> = chars
        .iter()
        .map(|c| c.to_string())
        .chain(chars.windows(2).map(|w| w.iter().collect()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Full years between `birth` and `day` (0 if `day` is before `birth`).
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    if day < birth {
        return 0;
    }
    let mut years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// The day a child born on `birth` turns 18 (成年之日) and leaves the scope of child
/// protection. **The one rule** for it: the case file, the re-review queue (closing
/// reviews), the store's `case_file.adult_on` and the statistics all use this function.
///
/// A child born on 29 February is still a minor on 28 February of a common year and turns
/// 18 on 1 March. That is the conservative reading for child protection (the child keeps
/// its protection for the extra day), and it is how [`age_on`] counts: on 28 February
/// 2026 a child born on 29 February 2008 is 17.
pub fn adult_on(birth: NaiveDate) -> NaiveDate {
    let y = birth.year() + 18;
    NaiveDate::from_ymd_opt(y, birth.month(), birth.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 3, 1).expect("1 March exists"))
}

/// `date` plus whole years; 29 February becomes 28 February in a common year.
pub fn add_years(date: NaiveDate, years: i32) -> NaiveDate {
    let y = date.year() + years;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), 28))
        .expect("28th exists in every month")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn name_pieces_are_every_one_and_two_character_substring_once() {
        assert_eq!(name_pieces("张三明"), ["三", "三明", "张", "张三", "明"]);
        // Repeats once; ASCII lower-cased, other letters as they are.
        assert_eq!(name_pieces("丽丽"), ["丽", "丽丽"]);
        assert_eq!(name_pieces("Anna"), ["a", "an", "n", "na", "nn"]);
        assert_eq!(name_pieces("Éva"), ["a", "v", "va", "É", "Év"]);
        assert!(name_pieces("").is_empty());
    }

    fn child() -> Child {
        let birth = d(2014, 5, 6);
        Child {
            id: 1,
            name: "张三明".into(),
            sex: Sex::Male,
            birth_date: birth,
            id_number: Some(IdNumber::build("210181", birth, 11, Sex::Male)),
            household_registration: "辽宁省新民市".into(),
            address: "新民市兴隆镇".into(),
            phone: None,
            school: None,
            region: "210181".into(),
        }
    }

    #[test]
    fn consistent_record_is_valid() {
        assert_eq!(child().validate(d(2026, 11, 29)), Ok(()));
    }

    #[test]
    fn birth_date_mismatch_names_the_field() {
        let mut c = child();
        c.birth_date = d(2014, 5, 7);
        let e = c.validate(d(2026, 11, 29)).unwrap_err();
        assert!(matches!(e, ChildError::BirthDateMismatch { .. }));
        assert!(e.to_string().contains("出生日期"));
    }

    #[test]
    fn sex_mismatch_names_the_field() {
        let mut c = child();
        c.sex = Sex::Female;
        assert_eq!(
            c.validate(d(2026, 11, 29)),
            Err(ChildError::SexMismatch { from_id: Sex::Male })
        );
    }

    #[test]
    fn sex_as_typed() {
        assert_eq!(Sex::parse_loose(" 男 "), Some(Sex::Male));
        assert_eq!(Sex::parse_loose("女性"), Some(Sex::Female));
        assert_eq!(Sex::parse_loose("F"), Some(Sex::Female));
        assert_eq!(Sex::parse_loose("Male"), Some(Sex::Male));
        assert_eq!(Sex::parse_loose("1"), None);
    }

    #[test]
    fn initials() {
        assert_eq!(name_initials("张三明"), "zsm");
        assert_eq!(name_initials("欧阳娜娜"), "oynn");
        assert_eq!(name_initials("Li 小明"), "lixm");
        // Surnames read as surnames.
        assert_eq!(name_initials("曾国强"), "zgq");
        assert_eq!(name_initials("单小红"), "sxh");
        assert_eq!(name_initials("尉迟恭"), "ycg");
        assert_eq!(name_initials("尉小明"), "yxm");
        for (surname, initials) in SURNAME_INITIALS {
            assert_eq!(
                name_initials(&format!("{surname}明")),
                format!("{initials}m"),
                "{surname}"
            );
        }
        // The table is needed: the characters' first readings begin with other letters.
        assert_eq!(name_initials("国曾"), "gc");
        assert_eq!(name_initials("国单"), "gd");
    }

    #[test]
    fn ages_and_leap_days() {
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 28)), 17);
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 3, 1)), 18);
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(child().adult_on(), d(2032, 5, 6));
    }

    #[test]
    fn a_leap_day_child_turns_18_on_1_march() {
        for (birth, adult) in [
            (d(2008, 2, 29), d(2026, 3, 1)),
            (d(2012, 2, 29), d(2030, 3, 1)),
            (d(2016, 2, 29), d(2034, 3, 1)),
            // 18 years after a leap year is a leap year again only when 18 + y divides by 4.
            (d(2006, 2, 28), d(2024, 2, 28)),
        ] {
            assert_eq!(adult_on(birth), adult, "{birth}");
            assert_eq!(age_on(birth, adult), 18);
            assert_eq!(age_on(birth, adult - chrono::Days::new(1)), 17);
        }
        let mut c = child();
        c.birth_date = d(2008, 2, 29);
        assert_eq!(c.adult_on(), d(2026, 3, 1));
        assert_eq!(c.age_on(d(2026, 2, 28)), 17, "still a minor on 28 February");
    }
}
