//! The four-level administrative tree: 市 / 县(区) / 乡镇(街道) / 村(居).

use serde::{Deserialize, Serialize};

use crate::code_enum;

code_enum! {
    /// Level in the administrative tree, from the top.
    pub enum RegionLevel: "region_level" {
        City = "city",
        County = "county",
        Township = "township",
        Village = "village",
    }
}

impl RegionLevel {
    pub fn depth(self) -> u8 {
        match self {
            RegionLevel::City => 0,
            RegionLevel::County => 1,
            RegionLevel::Township => 2,
            RegionLevel::Village => 3,
        }
    }

    pub fn child_level(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::City => Some(RegionLevel::County),
            RegionLevel::County => Some(RegionLevel::Township),
            RegionLevel::Township => Some(RegionLevel::Village),
            RegionLevel::Village => None,
        }
    }
}

/// One node of the tree. Codes follow the national scheme: 6 digits for cities and
/// counties (`210100` 沈阳市, `210181` 新民市), 9 for townships, 12 for villages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("region code `{0}` must be digits only")]
    NotDigits(String),
    #[error("a {level} region has a {expected}-digit code; `{code}` has {found}")]
    CodeLength {
        code: String,
        level: RegionLevel,
        expected: usize,
        found: usize,
    },
    #[error("region `{code}` is a {level} and needs a parent of the level above")]
    MissingParent { code: String, level: RegionLevel },
    #[error("region `{code}` must start with its parent's code `{parent}`")]
    NotUnderParent { code: String, parent: String },
}

impl Region {
    pub fn code_len(level: RegionLevel) -> usize {
        match level {
            RegionLevel::City | RegionLevel::County => 6,
            RegionLevel::Township => 9,
            RegionLevel::Village => 12,
        }
    }

    pub fn validate(&self) -> Result<(), RegionError> {
        if !self.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionError::NotDigits(self.code.clone()));
        }
        let expected = Region::code_len(self.level);
        if self.code.len() != expected {
            return Err(RegionError::CodeLength {
                code: self.code.clone(),
                level: self.level,
                expected,
                found: self.code.len(),
            });
        }
        match (&self.parent, self.level) {
            (None, RegionLevel::City) => Ok(()),
            (None, level) => Err(RegionError::MissingParent {
                code: self.code.clone(),
                level,
            }),
            (Some(p), RegionLevel::County) => {
                if p[..4] == self.code[..4] {
                    Ok(())
                } else {
                    Err(RegionError::NotUnderParent {
                        code: self.code.clone(),
                        parent: p.clone(),
                    })
                }
            }
            (Some(p), _) => {
                if self.code.starts_with(p.as_str()) {
                    Ok(())
                } else {
                    Err(RegionError::NotUnderParent {
                        code: self.code.clone(),
                        parent: p.clone(),
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_tree() {
        let county = Region {
            code: "210181".into(),
            name: "新民市".into(),
            level: RegionLevel::County,
            parent: Some("210100".into()),
        };
        assert_eq!(county.validate(), Ok(()));
        let town = Region {
            code: "210181101".into(),
            name: "兴隆镇".into(),
            level: RegionLevel::Township,
            parent: Some("210181".into()),
        };
        assert_eq!(town.validate(), Ok(()));
        let bad = Region {
            code: "210281101".into(),
            ..town
        };
        assert!(matches!(
            bad.validate(),
            Err(RegionError::NotUnderParent { .. })
        ));
    }
}
