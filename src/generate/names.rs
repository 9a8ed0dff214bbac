//! Invented people: Chinese names with realistic surname frequencies, and phone numbers.

use super::{GenRng, Weighted, pick};
use crate::domain::child::Sex;
use rand::Rng;

/// Common surnames with rough relative frequencies (per mille of the population), plus
/// the Manchu and Mongol surnames frequent in Liaoning (关, 佟, 那, 富, 包).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 72),
    ("张", 68),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("赵", 24),
    ("黄", 22),
    ("周", 21),
    ("吴", 20),
    ("徐", 17),
    ("孙", 16),
    ("胡", 13),
    ("朱", 13),
    ("高", 12),
    ("林", 11),
    ("何", 11),
    ("郭", 11),
    ("马", 11),
    ("罗", 9),
    ("梁", 9),
    ("宋", 8),
    ("郑", 8),
    ("谢", 7),
    ("韩", 7),
    ("唐", 7),
    ("冯", 7),
    ("于", 9),
    ("董", 6),
    ("萧", 4),
    ("程", 5),
    ("曹", 5),
    ("袁", 5),
    ("邓", 5),
    ("许", 5),
    ("傅", 4),
    ("沈", 4),
    ("曾", 4),
    ("彭", 4),
    ("吕", 4),
    ("苏", 4),
    ("卢", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("贾", 4),
    ("丁", 4),
    ("魏", 4),
    ("薛", 3),
    ("叶", 3),
    ("阎", 3),
    ("余", 3),
    ("潘", 3),
    ("杜", 3),
    ("戴", 3),
    ("夏", 3),
    ("钟", 3),
    ("汪", 3),
    ("田", 3),
    ("任", 3),
    ("姜", 4),
    ("范", 3),
    ("方", 3),
    ("石", 3),
    ("姚", 3),
    ("谭", 2),
    ("廖", 2),
    ("邹", 2),
    ("熊", 2),
    ("金", 3),
    ("陆", 2),
    ("郝", 3),
    ("孔", 2),
    ("白", 3),
    ("崔", 3),
    ("康", 2),
    ("毛", 2),
    ("邱", 2),
    ("秦", 2),
    ("江", 2),
    ("史", 2),
    ("顾", 2),
    ("侯", 2),
    ("邵", 2),
    ("孟", 3),
    ("龙", 2),
    ("万", 2),
    ("段", 2),
    ("雷", 2),
    ("钱", 2),
    ("汤", 2),
    ("尹", 2),
    ("黎", 1),
    ("易", 1),
    ("常", 2),
    ("武", 2),
    ("乔", 2),
    ("贺", 2),
    ("赖", 1),
    ("龚", 1),
    ("文", 1),
    ("关", 3),
    ("佟", 2),
    ("那", 1),
    ("富", 1),
    ("包", 1),
    ("宫", 1),
    ("鲁", 1),
    ("葛", 1),
    ("齐", 2),
    ("岳", 1),
    ("刁", 1),
    ("隋", 1),
    ("兰", 1),
    ("单", 1),
    ("栾", 1),
    ("矫", 1),
    ("曲", 2),
];

/// Compound surnames: rare, but every roster has one.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "慕容", "东方", "令狐", "皇甫",
];

const BOY_CHARS: &[&str] = &[
    "浩", "宇", "轩", "子", "博", "文", "俊", "杰", "明", "伟", "磊", "鹏", "辉", "强", "飞", "龙",
    "昊", "然", "睿", "泽", "一", "诺", "晨", "阳", "天", "佑", "铭", "鑫", "航", "凯", "瑞", "彬",
    "家", "乐", "思", "远", "嘉", "逸", "承", "峻", "宏", "涛", "志", "毅", "新", "奕", "梓", "洋",
    "硕", "琦", "振", "国", "锐", "烁", "皓", "帅", "旭", "东", "健", "亮",
];

const GIRL_CHARS: &[&str] = &[
    "欣", "怡", "梓", "涵", "雨", "萱", "诗", "琪", "佳", "雪", "婷", "丽", "娜", "静", "敏", "颖",
    "悦", "可", "馨", "妍", "彤", "雅", "晴", "淑", "芳", "梦", "瑶", "蕊", "楠", "露", "思", "语",
    "心", "若", "紫", "嘉", "一", "晨", "月", "玥", "菲", "琳", "璐", "笑", "依", "欢", "媛", "倩",
    "茜", "冰", "洁", "爽", "丹", "宁", "晓", "艺", "子", "新", "美", "慧",
];

const MAN_CHARS: &[&str] = &[
    "建", "国", "志", "强", "刚", "海", "涛", "立", "新", "春", "生", "永", "亮", "伟", "军", "勇",
    "明", "峰", "宏", "晓", "东", "洪", "宝", "山", "长", "青", "玉", "林", "德", "胜", "福", "成",
    "利", "民", "庆", "华", "富", "金", "振", "铁", "柱", "学", "文", "广", "友",
];

const WOMAN_CHARS: &[&str] = &[
    "秀", "兰", "桂", "英", "玉", "梅", "淑", "芬", "丽", "娟", "春", "红", "霞", "艳", "静", "晓",
    "燕", "海", "珍", "凤", "华", "芝", "荣", "琴", "云", "萍", "敏", "杰", "莉", "娥",
];

/// A surname table ready for weighted picks.
pub struct Names {
    surnames: Weighted<&'static str>,
}

impl Names {
    pub fn new() -> Names {
        Names {
            surnames: Weighted::new(SURNAMES.iter().map(|&(s, w)| (s, w))),
        }
    }

    /// A surname: weighted by frequency, about 1 in 300 compound.
    pub fn surname(&self, rng: &mut GenRng) -> &'static str {
        if rng.random_ratio(1, 300) {
            pick(rng, COMPOUND_SURNAMES)
        } else {
            self.surnames.pick(rng)
        }
    }

    /// A child's full name: one or two given-name characters (no character doubled
    /// unless on purpose, as in 娜娜, which girls' names often are).
    pub fn child(&self, rng: &mut GenRng, surname: &str, sex: Sex) -> String {
        let chars = if sex == Sex::Male {
            BOY_CHARS
        } else {
            GIRL_CHARS
        };
        given(
            rng,
            surname,
            chars,
            72,
            if sex == Sex::Female { 6 } else { 2 },
        )
    }

    /// An adult's full name (parents, grandparents, panel members).
    pub fn adult(&self, rng: &mut GenRng, surname: &str, sex: Sex) -> String {
        let chars = if sex == Sex::Male {
            MAN_CHARS
        } else {
            WOMAN_CHARS
        };
        given(rng, surname, chars, 65, 1)
    }
}

fn given(
    rng: &mut GenRng,
    surname: &str,
    chars: &[&'static str],
    two_pct: u32,
    double_pct: u32,
) -> String {
    let mut s = String::with_capacity(12);
    s.push_str(surname);
    let first = pick_han(rng, chars);
    s.push_str(first);
    if rng.random_ratio(two_pct, 100) {
        if rng.random_ratio(double_pct, 100) {
            s.push_str(first);
        } else {
            let mut second = pick_han(rng, chars);
            while second == first {
                second = pick_han(rng, chars);
            }
            s.push_str(second);
        }
    }
    s
}

/// Picks a character, skipping anything that is not a single Han character (a guard
/// against typos in the lists above).
fn pick_han(rng: &mut GenRng, chars: &[&'static str]) -> &'static str {
    loop {
        let c = pick(rng, chars);
        let mut it = c.chars();
        if let (Some(ch), None) = (it.next(), it.next())
            && ('\u{4E00}'..='\u{9FFF}').contains(&ch)
        {
            return c;
        }
    }
}

const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "184", "185", "186",
    "187", "188", "189",
];

/// An 11-digit mobile number (13x, 15x, 18x).
pub fn mobile(rng: &mut GenRng) -> String {
    let mut s = String::with_capacity(11);
    s.push_str(pick(rng, MOBILE_PREFIXES));
    let rest: u32 = rng.random_range(0..100_000_000);
    use std::fmt::Write;
    let _ = write!(s, "{rest:08}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn names_and_phones_look_right() {
        let mut rng = GenRng::seed_from_u64(1);
        let names = Names::new();
        for _ in 0..2000 {
            let sur = names.surname(&mut rng);
            let n = names.child(&mut rng, sur, Sex::Female);
            let len = n.chars().count();
            assert!((2..=4).contains(&len), "{n}");
            assert!(
                n.chars().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
                "{n}"
            );
            let p = mobile(&mut rng);
            assert_eq!(p.len(), 11);
            assert!(p.starts_with("13") || p.starts_with("15") || p.starts_with("18"));
        }
    }
}
