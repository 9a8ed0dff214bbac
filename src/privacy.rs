//! Masking for privacy mode (隐私模式): what the screen shows of a child's identity when
//! people who need not know it can see the screen.
//!
//! Pure functions on display strings. Masks keep the display width where they can
//! (fullwidth `＊` for CJK characters, ASCII `*` for Latin ones), so tables do not jump
//! when privacy mode is toggled. Masking is for display only: it is not anonymisation,
//! and a masked value is never written back.

use unicode_segmentation::UnicodeSegmentation;

/// Fullwidth asterisk, for CJK text.
pub const MASK_WIDE: char = '＊';
/// What replaces the hidden part of an address.
pub const MASKED_REST: &str = "＊＊＊";

/// Two-character compound surnames (复姓) that [`mask_name`] keeps whole.
pub const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延",
];

/// Separators inside transliterated names (`阿依古丽·买买提`).
fn is_name_dot(g: &str) -> bool {
    matches!(g, "·" | "•" | "・" | "‧" | "．" | "." | "-")
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

fn is_blank(g: &str) -> bool {
    g.chars().all(char::is_whitespace)
}

/// Masks a person's name.
///
/// - Chinese names keep the surname (a compound surname such as 欧阳 whole, when the name
///   has at least three characters) and the last character; each hidden character becomes
///   `＊`: `张三明` → `张＊明`, `王涵` → `王＊`, `欧阳娜娜` → `欧阳＊娜`, `欧阳娜` → `欧阳＊`.
///   A one-character given name is hidden entirely, so the full name never shows.
/// - Names with a middle dot (`阿依古丽·买买提`) keep the first character of each part:
///   `阿＊＊＊·买＊＊`.
/// - Other names keep the first letter of each word: `Maria Lopez` → `M**** L****`.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return String::new();
    }
    if name.chars().any(is_han) {
        mask_cjk_name(name)
    } else {
        mask_latin_name(name)
    }
}

fn mask_cjk_name(name: &str) -> String {
    // Spaces inside a Chinese name are typing accidents ("张 三明").
    let gs: Vec<&str> = name.graphemes(true).filter(|g| !is_blank(g)).collect();
    let n = gs.len();
    if n <= 1 {
        return MASK_WIDE.to_string();
    }
    if gs.iter().any(|g| is_name_dot(g)) {
        return mask_dotted_name(&gs);
    }
    let surname = if n >= 3 && COMPOUND_SURNAMES.contains(&gs[..2].concat().as_str()) {
        2
    } else {
        1
    };
    let mut out = gs[..surname].concat();
    let given = n - surname;
    if given == 1 {
        out.push(MASK_WIDE);
    } else {
        out.extend(std::iter::repeat_n(MASK_WIDE, given - 1));
        out.push_str(gs[n - 1]);
    }
    out
}

/// `阿依古丽·买买提` → `阿＊＊＊·买＊＊`: first character of each part kept.
fn mask_dotted_name(gs: &[&str]) -> String {
    let mut out = String::new();
    let mut at_part_start = true;
    let mut hidden = 0;
    for g in gs {
        if is_name_dot(g) {
            out.push_str(g);
            at_part_start = true;
        } else if at_part_start {
            out.push_str(g);
            at_part_start = false;
        } else {
            out.push(MASK_WIDE);
            hidden += 1;
        }
    }
    if hidden == 0 {
        // Every part is one character ("张·三"): keep only the first one, and none at
        // all if it is the only one ("张·").
        let letters = gs.iter().filter(|g| !is_name_dot(g)).count();
        let mut kept_one = false;
        return gs
            .iter()
            .map(|g| {
                if is_name_dot(g) {
                    (*g).to_owned()
                } else if !kept_one && letters >= 2 {
                    kept_one = true;
                    (*g).to_owned()
                } else {
                    MASK_WIDE.to_string()
                }
            })
            .collect();
    }
    out
}

fn mask_latin_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut gs = word.graphemes(true);
            let mut out = gs.next().unwrap_or_default().to_owned();
            out.extend(gs.map(|_| '*'));
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Masks a resident ID number (身份证号): an 18-character number keeps its first 4 and
/// last 4 characters (`21010220140506001X` → `2101**********001X`); anything else
/// becomes one `*` per character.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() == 18 {
        let mut out: String = chars[..4].iter().collect();
        out.push_str("**********");
        out.extend(&chars[14..]);
        out
    } else {
        "*".repeat(chars.len())
    }
}

/// Masks a phone number: an 11-digit mobile number keeps the first 3 and last 4 digits
/// (`13812345678` → `138****5678`); anything else keeps its last 2 characters and its
/// separators (`024-2345678` → `***-*****78`). Two characters or fewer are fully masked.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    if n == 11 && chars.iter().all(char::is_ascii_digit) {
        let mut out: String = chars[..3].iter().collect();
        out.push_str("****");
        out.extend(&chars[7..]);
        return out;
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if n > 2 && (i >= n - 2 || matches!(c, ' ' | '-' | '+' | '(' | ')')) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Words ending in an administrative unit character that are not administrative units:
/// the character, and what must not precede / follow it.
fn is_false_unit(chars: &[char], at: usize, unit_len: usize) -> bool {
    let before = at.checked_sub(1).map(|i| chars[i]);
    let after = chars.get(at + unit_len).copied();
    match chars[at] {
        // 小区, 社区 (below township level), 校区, 园区, 景区, 厂区, 营区, 辖区, 片区, 街区.
        '区' => matches!(
            before,
            Some('小' | '社' | '校' | '园' | '景' | '厂' | '营' | '辖' | '片' | '街')
        ),
        // 超市, 门市, 菜市, 夜市, 集市, 早市; 市场.
        '市' => {
            matches!(before, Some('超' | '门' | '菜' | '夜' | '集' | '早'))
                || matches!(after, Some('场'))
        }
        // 家乡, 城乡, 同乡, 故乡, 老乡.
        '乡' => matches!(before, Some('家' | '城' | '同' | '故' | '老')),
        // 城镇.
        '镇' => matches!(before, Some('城')),
        _ => false,
    }
}

/// Could `name` be the name of an administrative unit? Short, Chinese, no street words.
fn plausible_unit_name(name: &[char]) -> bool {
    !name.is_empty()
        && name.len() <= 12
        && name.iter().all(|&c| is_han(c))
        && !name
            .iter()
            .any(|c| matches!(c, '路' | '号' | '楼' | '巷' | '弄' | '栋' | '室'))
}

/// Masks an address down to its administrative prefix: everything up to and including
/// the first two units ending in 市/县/区/镇/乡/街道 is kept, the rest becomes `＊＊＊`
/// (`辽宁省新民市兴隆镇兴隆村3组` → `辽宁省新民市兴隆镇＊＊＊`). With no recognisable
/// unit, the whole address is `＊＊＊`.
///
/// It errs towards hiding: words such as 小区, 社区, 超市 or 市场 are not units, and the
/// scan stops at the first one (and at a "unit" whose name holds digits or street words
/// such as 路, 号, 楼), so a landmark or a housing estate never shows.
pub fn mask_address(addr: &str) -> String {
    let addr = addr.trim();
    if addr.is_empty() {
        return String::new();
    }
    let chars: Vec<char> = addr.chars().collect();
    let mut units = 0;
    let mut cut = None;
    let mut segment_start = 0;
    let mut i = 0;
    while i < chars.len() && units < 2 {
        let unit_len = if chars[i] == '街' && chars.get(i + 1) == Some(&'道') {
            2
        } else if matches!(chars[i], '市' | '县' | '区' | '镇' | '乡') {
            1
        } else {
            0
        };
        if unit_len == 0 {
            i += 1;
            continue;
        }
        if is_false_unit(&chars, i, unit_len) || !plausible_unit_name(&chars[segment_start..i]) {
            break;
        }
        units += 1;
        i += unit_len;
        cut = Some(i);
        segment_start = i;
    }
    match cut {
        None => MASKED_REST.to_owned(),
        Some(c) => {
            let mut out: String = chars[..c].iter().collect();
            if chars[c..].iter().any(|c| !c.is_whitespace()) {
                out.push_str(MASKED_REST);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_names() {
        assert_eq!(mask_name("张三明"), "张＊明");
        assert_eq!(mask_name("王涵"), "王＊");
        assert_eq!(mask_name("李子轩"), "李＊轩");
        assert_eq!(mask_name("张三明亮"), "张＊＊亮");
        assert_eq!(mask_name("爱新觉罗溥仪"), "爱＊＊＊＊仪");
        assert_eq!(mask_name(" 张 三明 "), "张＊明");
        assert_eq!(mask_name("张"), "＊");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn compound_surnames() {
        assert_eq!(mask_name("欧阳娜娜"), "欧阳＊娜");
        assert_eq!(mask_name("司马相如"), "司马＊如");
        assert_eq!(mask_name("诸葛亮"), "诸葛＊");
        assert_eq!(mask_name("慕容云海天"), "慕容＊＊天");
        // Two characters: 欧 is the surname, 阳 the given name.
        assert_eq!(mask_name("欧阳"), "欧＊");
        for s in COMPOUND_SURNAMES {
            assert_eq!(s.chars().count(), 2);
        }
    }

    #[test]
    fn dotted_names() {
        assert_eq!(mask_name("阿依古丽·买买提"), "阿＊＊＊·买＊＊");
        assert_eq!(mask_name("张·三"), "张·＊");
        assert_eq!(mask_name("张·"), "＊·");
    }

    #[test]
    fn latin_names() {
        assert_eq!(mask_name("Maria Lopez"), "M**** L****");
        assert_eq!(mask_name("  Maria   Lopez "), "M**** L****");
        assert_eq!(mask_name("José"), "J***");
        assert_eq!(mask_name("Ömer"), "Ö***");
    }

    #[test]
    fn masks_keep_width() {
        use crate::text::width;
        for name in ["张三明", "欧阳娜娜", "王涵", "Maria Lopez"] {
            assert_eq!(width(&mask_name(name)), width(name), "{name}");
        }
    }

    #[test]
    fn id_numbers() {
        assert_eq!(mask_id_number("21010220140506001X"), "2101**********001X");
        assert_eq!(mask_id_number(" 21010220140506003X "), "2101**********003X");
        assert_eq!(mask_id_number("123456"), "******");
        assert_eq!(mask_id_number(""), "");
        assert_eq!(mask_id_number("2101022014050600"), "****************");
    }

    #[test]
    fn phones() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("024-2345678"), "***-*****78");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone("12"), "**");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn addresses() {
        assert_eq!(
            mask_address("辽宁省新民市兴隆镇兴隆村3组"),
            "辽宁省新民市兴隆镇＊＊＊"
        );
        assert_eq!(
            mask_address("沈阳市和平区南京街道某社区5号"),
            "沈阳市和平区＊＊＊"
        );
        assert_eq!(mask_address("新民市大民屯镇"), "新民市大民屯镇");
        assert_eq!(mask_address("新民市人民路88号"), "新民市＊＊＊");
        assert_eq!(mask_address("兴隆街道办事处后院"), "兴隆街道＊＊＊");
        assert_eq!(mask_address("昌图县某某乡某某村"), "昌图县某某乡＊＊＊");
        assert_eq!(mask_address("北京路12号"), "＊＊＊");
        assert_eq!(mask_address(""), "");
    }

    #[test]
    fn addresses_do_not_leak_landmarks() {
        assert_eq!(mask_address("阳光小区3号楼"), "＊＊＊");
        assert_eq!(mask_address("新民市阳光小区3号楼"), "新民市＊＊＊");
        assert_eq!(mask_address("兴隆镇大润发超市对面"), "兴隆镇＊＊＊");
        assert_eq!(mask_address("兴隆镇农贸市场旁"), "兴隆镇＊＊＊");
        assert_eq!(mask_address("新民市人民路88号楼下区域"), "新民市＊＊＊");
    }

    proptest! {
        #[test]
        fn masking_never_panics(s in any::<String>()) {
            let _ = mask_name(&s);
            let _ = mask_id_number(&s);
            let _ = mask_phone(&s);
            let _ = mask_address(&s);
        }

        #[test]
        fn cjk_names_are_never_shown_whole(s in "[\u{4E00}-\u{9FFF}]{2,8}") {
            let masked = mask_name(&s);
            prop_assert_ne!(&masked, &s);
            prop_assert!(masked.contains(MASK_WIDE));
            prop_assert_eq!(masked.chars().count(), s.chars().count());
        }

        #[test]
        fn names_with_han_are_never_shown_whole(
            s in "[\u{4E00}-\u{9FFF}·a-z ]{0,3}[\u{4E00}-\u{9FFF}][\u{4E00}-\u{9FFF}·a-z ]{1,6}"
        ) {
            let visible: Vec<&str> = s.graphemes(true).filter(|g| !is_blank(g)).collect();
            prop_assume!(visible.len() >= 2);
            prop_assert!(mask_name(&s).contains(MASK_WIDE), "{:?}", s);
        }

        #[test]
        fn compound_surname_names_are_never_shown_whole(
            i in 0..COMPOUND_SURNAMES.len(), given in "[\u{4E00}-\u{9FFF}]{0,4}"
        ) {
            let name = format!("{}{}", COMPOUND_SURNAMES[i], given);
            prop_assert_ne!(mask_name(&name), name);
        }
    }
}
