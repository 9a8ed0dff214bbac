//! What can be wrong with a sheet, and how it reads in zh and en: where (row, column and
//! header), the value as typed, what is wrong, and how to fix it.

use chrono::NaiveDate;

use super::columns::Col;
use super::read::column_letter;
use crate::domain::child::Sex;
use crate::domain::id_number::IdNumberError;
use crate::i18n::{self, Lang, tf};

/// What is wrong. Each kind has `import.what.<key>` and `import.fix.<key>` strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    // The file.
    CannotRead { detail: String },
    UnknownEncoding { label: String },
    OldFormat { ext: String },
    UnknownFormat { ext: String },
    EmptyFile,
    NotText,
    BadCsv { row: u32, detail: String },
    NotXlsx { detail: String },
    NoRows,
    // Columns and the sheet's shape.
    UnknownColumn,
    DuplicateColumn { first: String },
    MissingColumn { col: Col },
    MissingAssessmentColumn { zh: &'static str, en: &'static str },
    Merged { area: String },
    Formula { formula: String },
    // Cells.
    Required,
    TooLong { len: usize, max: usize },
    LostDigits,
    BadDate,
    NoSuchDate,
    FutureDate { today: NaiveDate },
    IdNumber(IdNumberError),
    BirthMismatch { from_id: NaiveDate },
    SexMismatch { from_id: Sex },
    BadSex,
    Adult { age: u32 },
    ScreenedBeforeBirth,
    UnknownCity,
    UnknownCounty { city: String },
    UnknownTownship { county: String },
    UnknownVillage { township: String },
    VillageWithoutTownship,
    UnknownType { word: String },
    UnknownRelation,
    UnknownGuardianStatus,
    GuardianPart,
    BadPhone,
    DuplicateRow { first: u32 },
    Differs { on_file: String },
    PossibleDuplicate { child: i64, why: DuplicateWhy },
    PossibleDuplicateRow { first: u32 },
    // Historical assessments.
    UnknownChild,
    NoCase,
    BadLevel,
    ReviewNotAfter,
    AlreadyNewer { on: NaiveDate },
}

pub use crate::domain::duplicate::DuplicateWhy;

/// One problem, located in the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The row number a person sees (1-based).
    pub row: Option<u32>,
    /// The sheet column (0-based).
    pub col: Option<u32>,
    /// The column's header as typed.
    pub header: Option<String>,
    /// The cell's value as typed (cleaned of control characters and cut to 60 characters).
    pub value: Option<String>,
    pub kind: Kind,
    /// A warning is reported but does not stop the import.
    pub warning: bool,
}

/// The most of a value the report repeats.
const SHOWN: usize = 60;

/// A value as it is repeated in a report: control characters out, one line, cut.
pub fn shown_value(s: &str) -> String {
    let clean = crate::text::sanitize_line(s);
    let n = clean.chars().count();
    if n <= SHOWN {
        clean
    } else {
        let mut out: String = clean.chars().take(SHOWN).collect();
        out.push('…');
        out
    }
}

impl Problem {
    pub fn file(kind: Kind) -> Problem {
        Problem {
            row: None,
            col: None,
            header: None,
            value: None,
            kind,
            warning: false,
        }
    }

    pub fn cell(row: u32, col: u32, header: &str, value: &str, kind: Kind) -> Problem {
        Problem {
            row: Some(row),
            col: Some(col),
            header: Some(shown_value(header)),
            value: (!value.trim().is_empty()).then(|| shown_value(value)),
            kind,
            warning: false,
        }
    }

    pub fn row(row: u32, kind: Kind) -> Problem {
        Problem {
            row: Some(row),
            ..Problem::file(kind)
        }
    }

    pub fn as_warning(mut self) -> Problem {
        self.warning = true;
        self
    }

    /// `第 5 行 · D 列「身份证号」` / `Row 5, column D (身份证号)`; empty for the whole file.
    pub fn place(&self, lang: Lang) -> String {
        let col = self.col.map(column_letter).unwrap_or_default();
        let header = self.header.clone().unwrap_or_default();
        let row = self.row.map(|r| r.to_string()).unwrap_or_default();
        let args = [
            ("row", row.as_str()),
            ("col", col.as_str()),
            ("header", header.as_str()),
        ];
        match (self.row, self.col) {
            (Some(_), Some(_)) => tf(lang, "import.at.cell", &args),
            (Some(_), None) => tf(lang, "import.at.row", &args),
            (None, Some(_)) => tf(lang, "import.at.column", &args),
            (None, None) => String::new(),
        }
    }

    /// What is wrong, in a sentence.
    pub fn what(&self, lang: Lang) -> String {
        let (key, args) = self.kind.what_args(lang);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tf(lang, &format!("import.what.{key}"), &args)
    }

    /// How to fix it, in a sentence.
    pub fn fix(&self, lang: Lang) -> String {
        let (key, args) = self.kind.what_args(lang);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tf(lang, &format!("import.fix.{key}"), &args)
    }

    /// One line for the error column of a copy of the sheet: `D 身份证号：what。fix`.
    pub fn cell_note(&self, lang: Lang) -> String {
        let mut out = String::new();
        if let Some(c) = self.col {
            out.push_str(&column_letter(c));
            if let Some(h) = &self.header {
                out.push(' ');
                out.push_str(h);
            }
            out.push_str(i18n::colon(lang));
        }
        out.push_str(&self.what(lang));
        out.push_str(match lang {
            Lang::Zh => " ",
            Lang::En => " ",
        });
        out.push_str(&self.fix(lang));
        out
    }
}

impl Kind {
    /// The string key and the placeholder values.
    fn what_args(&self, lang: Lang) -> (&'static str, Vec<(&'static str, String)>) {
        use Kind::*;
        let date = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        match self {
            CannotRead { detail } => ("cannot_read", vec![("detail", detail.clone())]),
            UnknownEncoding { label } => ("unknown_encoding", vec![("label", label.clone())]),
            OldFormat { ext } => ("old_format", vec![("ext", ext.clone())]),
            UnknownFormat { ext } => ("unknown_format", vec![("ext", ext.clone())]),
            EmptyFile => ("empty_file", vec![]),
            NotText => ("not_text", vec![]),
            BadCsv { row, detail } => (
                "bad_csv",
                vec![("row", row.to_string()), ("detail", detail.clone())],
            ),
            NotXlsx { detail } => ("not_xlsx", vec![("detail", detail.clone())]),
            NoRows => ("no_rows", vec![]),
            UnknownColumn => ("unknown_column", vec![("headers", template_headers(lang))]),
            DuplicateColumn { first } => ("duplicate_column", vec![("first", first.clone())]),
            MissingColumn { col } => (
                "missing_column",
                vec![("zh", col.zh().to_string()), ("en", col.en().to_string())],
            ),
            MissingAssessmentColumn { zh, en } => (
                "missing_column",
                vec![("zh", zh.to_string()), ("en", en.to_string())],
            ),
            Merged { area } => ("merged", vec![("area", area.clone())]),
            Formula { formula } => ("formula", vec![("formula", shown_value(formula))]),
            Required => ("required", vec![]),
            TooLong { len, max } => (
                "too_long",
                vec![("len", len.to_string()), ("max", max.to_string())],
            ),
            LostDigits => ("lost_digits", vec![]),
            BadDate => ("bad_date", vec![]),
            NoSuchDate => ("no_such_date", vec![]),
            FutureDate { today } => ("future_date", vec![("today", date(today))]),
            IdNumber(e) => match e {
                IdNumberError::Length(n) => ("id_length", vec![("n", n.to_string())]),
                IdNumberError::NotDigit { position } => {
                    ("id_not_digit", vec![("position", position.to_string())])
                }
                IdNumberError::BirthDate(s) => ("id_birth_date", vec![("digits", s.clone())]),
                IdNumberError::CheckDigit { expected, found } => (
                    "id_check_digit",
                    vec![
                        ("expected", expected.to_string()),
                        ("found", found.to_string()),
                    ],
                ),
            },
            BirthMismatch { from_id } => ("birth_mismatch", vec![("from_id", date(from_id))]),
            SexMismatch { from_id } => (
                "sex_mismatch",
                vec![("from_id", i18n::label(lang, *from_id).to_string())],
            ),
            BadSex => ("bad_sex", vec![]),
            Adult { age } => ("adult", vec![("age", age.to_string())]),
            ScreenedBeforeBirth => ("screened_before_birth", vec![]),
            UnknownCity => ("unknown_city", vec![]),
            UnknownCounty { city } => ("unknown_county", vec![("city", city.clone())]),
            UnknownTownship { county } => ("unknown_township", vec![("county", county.clone())]),
            UnknownVillage { township } => {
                ("unknown_village", vec![("township", township.clone())])
            }
            VillageWithoutTownship => ("village_without_township", vec![]),
            UnknownType { word } => (
                "unknown_type",
                vec![("word", shown_value(word)), ("types", type_names(lang))],
            ),
            UnknownRelation => ("unknown_relation", vec![]),
            UnknownGuardianStatus => ("unknown_guardian_status", vec![]),
            GuardianPart => ("guardian_part", vec![]),
            BadPhone => ("bad_phone", vec![]),
            DuplicateRow { first } => ("duplicate_row", vec![("first", first.to_string())]),
            Differs { on_file } => ("differs", vec![("on_file", shown_value(on_file))]),
            PossibleDuplicate { child, why } => (
                match why {
                    DuplicateWhy::OtherIdNumber => "possible_duplicate_id",
                    DuplicateWhy::MissingIdNumber => "possible_duplicate_no_id",
                },
                vec![("child", child.to_string())],
            ),
            PossibleDuplicateRow { first } => {
                ("possible_duplicate_row", vec![("first", first.to_string())])
            }
            UnknownChild => ("unknown_child", vec![]),
            NoCase => ("no_case", vec![]),
            BadLevel => ("bad_level", vec![]),
            ReviewNotAfter => ("review_not_after", vec![]),
            AlreadyNewer { on } => ("already_newer", vec![("on", date(on))]),
        }
    }
}

fn template_headers(lang: Lang) -> String {
    Col::ALL
        .iter()
        .map(|c| c.zh())
        .collect::<Vec<_>>()
        .join(i18n::list_sep(lang))
}

fn type_names(lang: Lang) -> String {
    use crate::domain::difficulty::DifficultyType;
    DifficultyType::ALL
        .iter()
        .map(|t| i18n::label(Lang::Zh, *t))
        .collect::<Vec<_>>()
        .join(i18n::list_sep(lang))
}

/// The problems as a report for a terminal: one block per problem, errors first.
pub fn render(problems: &[Problem], lang: Lang) -> String {
    let mut out = String::new();
    for warning in [false, true] {
        let list: Vec<&Problem> = problems.iter().filter(|p| p.warning == warning).collect();
        if list.is_empty() {
            continue;
        }
        if warning {
            out.push_str(&tf(
                lang,
                "import.report.warnings",
                &[("n", &list.len().to_string())],
            ));
            out.push('\n');
        }
        for p in list {
            let place = p.place(lang);
            let mut head = place;
            if let Some(v) = &p.value {
                if !head.is_empty() {
                    head.push_str(" · ");
                }
                head.push_str(&tf(lang, "import.report.value", &[("value", v)]));
            }
            if !head.is_empty() {
                out.push_str(&head);
                out.push('\n');
            }
            out.push_str("  ");
            out.push_str(&tf(lang, "import.report.what", &[("what", &p.what(lang))]));
            out.push('\n');
            out.push_str("  ");
            out.push_str(&tf(lang, "import.report.fix", &[("fix", &p.fix(lang))]));
            out.push('\n');
        }
    }
    out
}
