//! Possible duplicates (疑似重复): two children who may be one — the same name and date of
//! birth, with different ID numbers or one of them without. A person decides; nothing is
//! ever merged because of it.

use crate::code_enum;

code_enum! {
    /// Why two children may be one.
    pub enum DuplicateWhy: "duplicate_why" {
        /// Same name and birth date, different ID numbers (one may be mistyped).
        OtherIdNumber = "other_id_number",
        /// Same name and birth date, one of them has no ID number.
        MissingIdNumber = "missing_id_number",
    }
}

code_enum! {
    /// What a person found.
    pub enum DuplicateStatus: "duplicate_status" {
        /// 待核对: nobody has decided yet.
        Open = "open",
        /// 是同一人: the two records are one child (to be put right by hand; never merged).
        Same = "same",
        /// 不是同一人.
        Different = "different",
    }
}

impl DuplicateWhy {
    /// Why two records with the same name and birth date may be one child, from whether
    /// each has an ID number (two different numbers, or one missing).
    pub fn of(has_id_number: bool, other_has_id_number: bool) -> DuplicateWhy {
        if has_id_number && other_has_id_number {
            DuplicateWhy::OtherIdNumber
        } else {
            DuplicateWhy::MissingIdNumber
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_two_records_may_be_one_child() {
        assert_eq!(DuplicateWhy::of(true, true), DuplicateWhy::OtherIdNumber);
        assert_eq!(DuplicateWhy::of(true, false), DuplicateWhy::MissingIdNumber);
        assert_eq!(DuplicateWhy::of(false, true), DuplicateWhy::MissingIdNumber);
        assert_eq!(
            DuplicateWhy::of(false, false),
            DuplicateWhy::MissingIdNumber
        );
    }
}
