//! The columns of a screening sheet: their Chinese headers (as in the template), the
//! English ones, and the variants officers type.

use std::collections::HashMap;

/// A column casepanel reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Col {
    Name,
    Sex,
    BirthDate,
    IdNumber,
    HouseholdRegistration,
    Address,
    City,
    County,
    Township,
    Village,
    Types,
    GuardianName,
    Relation,
    GuardianStatus,
    Phone,
    School,
    ScreenedOn,
    Screener,
    Summary,
}

impl Col {
    /// In template order.
    pub const ALL: [Col; 19] = [
        Col::Name,
        Col::Sex,
        Col::BirthDate,
        Col::IdNumber,
        Col::HouseholdRegistration,
        Col::Address,
        Col::City,
        Col::County,
        Col::Township,
        Col::Village,
        Col::Types,
        Col::GuardianName,
        Col::Relation,
        Col::GuardianStatus,
        Col::Phone,
        Col::School,
        Col::ScreenedOn,
        Col::Screener,
        Col::Summary,
    ];

    /// Columns a sheet must have.
    pub const REQUIRED: [Col; 7] = [
        Col::Name,
        Col::Sex,
        Col::BirthDate,
        Col::City,
        Col::County,
        Col::Types,
        Col::ScreenedOn,
    ];

    /// The template's header.
    pub fn zh(self) -> &'static str {
        match self {
            Col::Name => "姓名",
            Col::Sex => "性别",
            Col::BirthDate => "出生日期",
            Col::IdNumber => "身份证号",
            Col::HouseholdRegistration => "户籍地",
            Col::Address => "现住址",
            Col::City => "市",
            Col::County => "县(区)",
            Col::Township => "乡镇(街道)",
            Col::Village => "村(居)",
            Col::Types => "困境类型",
            Col::GuardianName => "监护人姓名",
            Col::Relation => "与儿童关系",
            Col::GuardianStatus => "监护状况",
            Col::Phone => "联系电话",
            Col::School => "学校",
            Col::ScreenedOn => "排查日期",
            Col::Screener => "排查人",
            Col::Summary => "情况说明",
        }
    }

    /// The English header.
    pub fn en(self) -> &'static str {
        match self {
            Col::Name => "Name",
            Col::Sex => "Sex",
            Col::BirthDate => "Date of birth",
            Col::IdNumber => "ID number",
            Col::HouseholdRegistration => "Household registration",
            Col::Address => "Address",
            Col::City => "City",
            Col::County => "County",
            Col::Township => "Township",
            Col::Village => "Village",
            Col::Types => "Difficulty types",
            Col::GuardianName => "Guardian name",
            Col::Relation => "Relation to child",
            Col::GuardianStatus => "Guardian status",
            Col::Phone => "Phone",
            Col::School => "School",
            Col::ScreenedOn => "Screening date",
            Col::Screener => "Screened by",
            Col::Summary => "Notes",
        }
    }

    /// Other headers accepted for the column (after [`normalize_header`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Name => &["儿童姓名", "childname"],
            Col::Sex => &["gender"],
            Col::BirthDate => &["出生年月日", "生日", "birthdate", "dob"],
            Col::IdNumber => &[
                "身份证号码",
                "公民身份号码",
                "身份证",
                "idno",
                "idcardnumber",
            ],
            Col::HouseholdRegistration => &["户籍", "户籍所在地", "hukou", "registration"],
            Col::Address => &["现居住地", "现住地址", "住址", "currentaddress"],
            Col::City => &["地市", "市州"],
            Col::County => &["县区", "县(市、区)", "县(市区)", "县", "区", "district"],
            Col::Township => &["乡镇街道", "乡镇", "街道", "乡(镇、街道)", "street"],
            Col::Village => &["村居", "村(社区)", "村", "社区", "居委会", "community"],
            Col::Types => &["困境类别", "困境情形", "type", "types", "difficultytype"],
            Col::GuardianName => &["监护人", "guardian"],
            Col::Relation => &["关系", "relation", "relationship"],
            Col::GuardianStatus => &["监护情况", "guardianstatus"],
            Col::Phone => &["电话", "手机", "手机号", "联系方式", "telephone", "mobile"],
            Col::School => &["就读学校", "学校名称"],
            Col::ScreenedOn => &["排查时间", "screenedon", "screeningdate", "date"],
            Col::Screener => &["排查人员", "排查员", "screener"],
            Col::Summary => &[
                "备注",
                "基本情况",
                "情况描述",
                "summary",
                "remarks",
                "description",
            ],
        }
    }
}

/// Headers of the error column casepanel adds to the copy it writes back; a re-imported
/// copy has it, and it is skipped.
pub const ERROR_HEADERS: [&str; 2] = ["错误说明", "Problems"];

/// Lower-case, no spaces, underscores, dashes, asterisks (required marks) or colons;
/// full-width brackets and commas become half-width.
pub fn normalize_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        match c {
            ' ' | '\u{3000}' | '_' | '-' | '*' | '＊' | ':' | '：' | '\n' | '\r' | '\t' => {}
            '（' => out.push('('),
            '）' => out.push(')'),
            '，' => out.push(','),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Header text (normalised) → column.
pub struct HeaderIndex(HashMap<String, Col>);

impl Default for HeaderIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl HeaderIndex {
    pub fn new() -> HeaderIndex {
        let mut map = HashMap::new();
        for col in Col::ALL {
            map.insert(normalize_header(col.zh()), col);
            map.insert(normalize_header(col.en()), col);
            for a in col.aliases() {
                map.entry(normalize_header(a)).or_insert(col);
            }
        }
        HeaderIndex(map)
    }

    pub fn find(&self, header: &str) -> Option<Col> {
        self.0.get(&normalize_header(header)).copied()
    }
}

pub fn is_error_header(header: &str) -> bool {
    let h = normalize_header(header);
    ERROR_HEADERS.iter().any(|e| normalize_header(e) == h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_as_typed() {
        let idx = HeaderIndex::new();
        assert_eq!(idx.find("县（区）"), Some(Col::County));
        assert_eq!(idx.find(" 身份证号码 "), Some(Col::IdNumber));
        assert_eq!(idx.find("*姓名"), Some(Col::Name));
        assert_eq!(idx.find("Date of Birth"), Some(Col::BirthDate));
        assert_eq!(idx.find("date_of_birth"), Some(Col::BirthDate));
        assert_eq!(idx.find("乡镇（街道）"), Some(Col::Township));
        assert_eq!(idx.find("身分证"), None);
        assert!(is_error_header("错误说明"));
    }

    #[test]
    fn all_lists_every_column_in_declaration_order() {
        // `Layout::pos` is indexed by `Col as usize` and sized by `Col::ALL`.
        for (i, col) in Col::ALL.iter().enumerate() {
            assert_eq!(*col as usize, i, "{col:?}");
        }
    }
}
