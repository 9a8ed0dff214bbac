//! Text safety and CJK-aware layout. Pure functions, no terminal code.
//!
//! Two jobs:
//!
//! - **Safety.** [`sanitize`] strips what a terminal would interpret or what hides text
//!   (escape sequences, C0/C1 controls, bidi overrides, zero-width characters) and
//!   NFC-normalises the rest. It runs where text enters the program (store writes) and
//!   again where it is drawn, so a hostile note (`"\x1b]52;c;…\x07"` would write the
//!   clipboard, `"\x1b[2J"` would clear the screen) is shown as plain characters.
//!   [`sanitize_line`] is the one-line variant for names and other single-line fields.
//! - **Layout.** Widths are display columns, as the renderer counts them: the sum of
//!   each grapheme cluster's width, where CJK characters take 2 columns and a cluster that
//!   contains a control character takes 0 (ratatui drops such clusters). [`truncate`],
//!   [`pad`] and [`wrap`] never cut inside a cluster and never half-draw a wide character.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The ellipsis [`truncate`] appends; one column wide.
pub const ELLIPSIS: &str = "…";

/// Tab stops used by [`wrap`].
pub const TAB_WIDTH: usize = 4;

/// Whether [`sanitize`] removes `c` (apart from `\r`, `U+2028` and `U+2029`, which are
/// removed or turned into `\n` before this test).
///
/// Removed: C0 controls except `\n` and `\t` (so ESC, BEL, `\r`, …), DEL, C1 controls,
/// the bidi controls (LRM, RLM, ALM, LRE…RLO, LRI…PDI), and the invisible format
/// characters that can make two strings look alike or hide text: soft hyphen, combining
/// grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian vowel separator,
/// zero-width space / non-joiner / joiner, word joiner and invisible operators,
/// deprecated format characters, BOM / zero-width no-break space, interlinear annotation
/// controls, shorthand format controls, musical format controls and tag characters.
/// Variation selectors are kept: they choose glyph variants of CJK characters in names.
pub fn is_forbidden(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' => true,
        '\u{17B4}' | '\u{17B5}' | '\u{180E}' => true,
        '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' => true,
        '\u{2060}'..='\u{206F}' => true,
        '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' => true,
        '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}' => true,
        _ => false,
    }
}

/// Makes untrusted text safe to store and to draw: removes the characters
/// [`is_forbidden`] lists, turns `\r\n` into `\n` (a lone `\r` is removed), turns the
/// Unicode line and paragraph separators into `\n`, then NFC-normalises. Idempotent.
///
/// Note that NFC maps CJK compatibility ideographs (U+F900–U+FAFF, mostly) to their
/// unified equivalents, so a name typed with one is stored with the other; search and
/// duplicate checks then agree.
pub fn sanitize(s: &str) -> String {
    // Fast path: printable ASCII plus \n and \t is already clean and NFC.
    if s.bytes()
        .all(|b| (0x20..0x7F).contains(&b) || b == b'\n' || b == b'\t')
    {
        return s.to_owned();
    }
    // And so is Chinese text of the common blocks: none of these is forbidden, none
    // decomposes or combines (NFC quick check "yes", combining class 0).
    if s.chars().all(plain_chinese) {
        return s.to_owned();
    }
    sanitize_slow(s)
}

/// A character that [`sanitize`] keeps as it is, whatever surrounds it: printable ASCII,
/// `\n`, `\t`, the CJK unified ideographs (U+4E00–U+9FFF), CJK punctuation U+3000–U+3029
/// (U+302A–U+302F are combining marks) and the fullwidth ASCII forms U+FF01–U+FF5E.
fn plain_chinese(c: char) -> bool {
    matches!(c, ' '..='~' | '\n' | '\t' | '\u{4E00}'..='\u{9FFF}' | '\u{3000}'..='\u{3029}' | '\u{FF01}'..='\u{FF5E}')
}

/// [`sanitize`] character by character.
fn sanitize_slow(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // Dropping every \r turns \r\n into \n and removes a lone \r.
            '\r' => {}
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    // Filter first, normalise second: removing a character can bring a base and a
    // combining mark together, and NFC must see the result for idempotence.
    if is_nfc_quick(out.chars()) == IsNormalized::Yes {
        out
    } else {
        out.nfc().collect()
    }
}

/// [`sanitize`] for one-line fields (names, places, phone numbers): every run of
/// spaces, tabs and newlines becomes one space, and the ends are trimmed.
pub fn sanitize_line(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        if matches!(c, ' ' | '\n' | '\t') {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// Replaces each tab with spaces up to the next multiple of `tab` columns (counted in
/// display width from the start of the line). ratatui drops tabs, so text with tabs must
/// pass through here before it is drawn. `tab == 0` is treated as 1.
pub fn expand_tabs(s: &str, tab: usize) -> String {
    if !s.contains('\t') {
        return s.to_owned();
    }
    let tab = tab.max(1);
    let mut out = String::with_capacity(s.len() + 8);
    let mut col = 0;
    for g in s.graphemes(true) {
        match g {
            "\t" => {
                let n = tab - col % tab;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            "\n" | "\r\n" => {
                out.push_str(g);
                col = 0;
            }
            _ => {
                out.push_str(g);
                col += grapheme_width(g);
            }
        }
    }
    out
}

/// Display width of one grapheme cluster: 0 if it holds a control character (the
/// renderer drops it), else its Unicode width (CJK = 2).
fn grapheme_width(g: &str) -> usize {
    if g.chars().any(char::is_control) {
        0
    } else {
        UnicodeWidthStr::width(g)
    }
}

/// Display width in terminal columns (CJK = 2), counted the way the renderer counts:
/// cluster by cluster, control characters taking no room.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// Fits `s` into `max_width` columns, appending [`ELLIPSIS`] (1 column) when it cuts.
/// See [`truncate_with`].
pub fn truncate(s: &str, max_width: usize) -> String {
    truncate_with(s, max_width, ELLIPSIS)
}

/// Fits `s` into `max_width` columns. If it does not fit, keeps the longest prefix of
/// whole grapheme clusters that leaves room for `ellipsis`, drops trailing whitespace
/// from it and appends `ellipsis`. A wide character that would overflow by one column is
/// dropped, never half-drawn. If even `ellipsis` does not fit, returns as much of
/// `ellipsis` as fits (so `"..."` at width 2 gives `".."`).
pub fn truncate_with(s: &str, max_width: usize, ellipsis: &str) -> String {
    if width(s) <= max_width {
        return s.to_owned();
    }
    let ellipsis_width = width(ellipsis);
    if ellipsis_width > max_width {
        return take_width(ellipsis, max_width).0;
    }
    let budget = max_width - ellipsis_width;
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > budget {
            break;
        }
        used += w;
        kept.push(g);
    }
    while kept.last().is_some_and(|g| is_space(g)) {
        kept.pop();
    }
    let mut out = kept.concat();
    out.push_str(ellipsis);
    out
}

/// The longest prefix of whole clusters that fits in `max` columns, and its width.
fn take_width(s: &str, max: usize) -> (String, usize) {
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > max {
            break;
        }
        used += w;
        out.push_str(g);
    }
    (out, used)
}

/// Left-aligns `s` in exactly `width` columns: truncated (with an ellipsis) if longer,
/// padded with spaces if shorter.
pub fn pad(s: &str, width: usize) -> String {
    let mut out = truncate(s, width);
    let w = self::width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// Lays out rows of cells as plain-text columns for a terminal: each cell made one clean
/// line ([`sanitize_line`]), each column as wide as its widest cell, two spaces between
/// columns, no trailing spaces; one line per row.
pub fn columns(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize_line(c)).collect())
        .collect();
    let mut widths: Vec<usize> = Vec::new();
    for r in &rows {
        for (i, cell) in r.iter().enumerate() {
            if widths.len() <= i {
                widths.push(0);
            }
            widths[i] = widths[i].max(width(cell));
        }
    }
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Right-aligns `s` in exactly `width` columns (for numbers): truncated (with an
/// ellipsis) if longer, spaces on the left if shorter.
pub fn pad_left(s: &str, width: usize) -> String {
    let cut = truncate(s, width);
    let w = self::width(&cut);
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(w)).collect();
    out.push_str(&cut);
    out
}

/// Closing punctuation that should not start a line (simple kinsoku).
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '〕'
            | '］'
            | '｝'
            | '．'
            | '”'
            | '’'
            | '…'
            | '·'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Opening punctuation that should not end a line.
fn is_opening(c: char) -> bool {
    matches!(
        c,
        '（' | '「'
            | '『'
            | '《'
            | '〈'
            | '【'
            | '〔'
            | '［'
            | '｛'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
    )
}

/// Whitespace a line may break at. No-break spaces are not.
fn is_space(g: &str) -> bool {
    g.chars()
        .all(|c| c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}'))
}

/// One grapheme cluster of a paragraph, classified for line breaking.
struct Tok<'a> {
    s: &'a str,
    w: usize,
    space: bool,
    /// CJK-like: a line may break on either side of it.
    cjk: bool,
    close: bool,
    open: bool,
}

impl<'a> Tok<'a> {
    fn new(s: &'a str) -> Tok<'a> {
        let w = grapheme_width(s);
        let first = s.chars().next().unwrap_or(' ');
        Tok {
            s,
            w,
            space: is_space(s),
            cjk: w >= 2
                || matches!(first, '\u{2E80}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}')
                || matches!(first, '“' | '”' | '‘' | '’' | '…' | '—' | '·'),
            close: is_closing(first),
            open: is_opening(first),
        }
    }
}

/// May a line end between `prev` and `cur`? (A break at spaces is taken before the
/// first non-space after them.)
fn can_break(prev: &Tok, cur: &Tok) -> bool {
    if cur.space || cur.close || prev.open {
        return false;
    }
    prev.space || prev.cjk || cur.cjk
}

/// Wraps read-only text (home-visit notes) into lines of at most `width` columns.
///
/// - Tabs are expanded first ([`TAB_WIDTH`]); `\n` (and `\r\n`) separate paragraphs and
///   empty lines are kept; a final newline adds no empty line.
/// - Latin text breaks at spaces; CJK text breaks between any two clusters; a word wider
///   than the line is broken where it must be.
/// - Closing punctuation (`，。、；：？！）」』》` …) does not start a line when pulling the
///   previous character down avoids it; opening brackets do not end one.
/// - The spaces at a break are dropped, and so is trailing whitespace; a paragraph's
///   leading indentation is kept on its first line.
/// - Every line is at most `width` columns for `width >= 2` (`0` is treated as `1`). The
///   one exception is a single character wider than the line (U+17D8, 3 columns), which
///   gets a line of its own. A cluster wider than the line (a wide character plus a
///   spacing mark, say) is split between characters, since it cannot be drawn whole.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let text = expand_tabs(s, TAB_WIDTH);
    let mut lines = Vec::new();
    for para in text.lines() {
        let before = lines.len();
        wrap_paragraph(para, width, &mut lines);
        if lines.len() == before {
            lines.push(String::new());
        }
    }
    lines
}

fn wrap_paragraph(para: &str, width: usize, out: &mut Vec<String>) {
    let toks: Vec<Tok> = para.graphemes(true).map(Tok::new).collect();
    let n = toks.len();
    let mut i = 0;
    let mut first = true;
    while i < n {
        if !first {
            while i < n && toks[i].space {
                i += 1;
            }
            if i == n {
                break;
            }
        }
        first = false;

        if toks[i].w > width && !toks[i].space {
            split_oversized(toks[i].s, width, out);
            i += 1;
            continue;
        }

        // Greedy: take clusters while they fit; on overflow go back to the last break.
        let mut col = 0;
        let mut j = i;
        let mut last_break = None;
        let end = loop {
            if j == n {
                break n;
            }
            let t = &toks[j];
            if j > i && can_break(&toks[j - 1], t) {
                last_break = Some(j);
            }
            if col + t.w > width {
                break match last_break {
                    _ if t.space => j,
                    Some(b) => b,
                    None => j,
                };
            }
            col += t.w;
            j += 1;
        };

        let mut line_end = end;
        while line_end > i && toks[line_end - 1].space {
            line_end -= 1;
        }
        // An all-space line is kept only as a paragraph's one (empty) line.
        if line_end > i || end == n {
            out.push(toks[i..line_end].iter().map(|t| t.s).collect());
        }
        // Progress even when a whitespace cluster alone is wider than the line.
        i = end.max(i + 1);
    }
}

/// A cluster wider than the line, split between characters into pieces that each fit
/// (a single character always fits when `width >= 2`, except U+17D8); one line each.
fn split_oversized(g: &str, width: usize, out: &mut Vec<String>) {
    let mut piece = String::new();
    for c in g.chars() {
        let mut candidate = piece.clone();
        candidate.push(c);
        if !piece.is_empty() && self::width(&candidate) > width {
            out.push(std::mem::take(&mut piece));
            piece.push(c);
        } else {
            piece = candidate;
        }
    }
    if !piece.is_empty() {
        out.push(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOSTILE_OSC52: &str = "\x1b]52;c;ZXZpbA==\x07";
    const HOSTILE_CLEAR: &str = "\x1b[2J";

    fn has_no_forbidden(s: &str) -> bool {
        !s.chars().any(|c| is_forbidden(c) || c == '\r')
    }

    #[test]
    fn sanitize_removes_terminal_escapes() {
        for hostile in [HOSTILE_OSC52, HOSTILE_CLEAR] {
            let out = sanitize(hostile);
            assert!(!out.contains('\x1b'), "{out:?}");
            assert!(!out.contains('\x07'), "{out:?}");
            let line = sanitize_line(hostile);
            assert!(!line.contains('\x1b') && !line.contains('\x07'));
            for l in wrap(&out, 5) {
                assert!(!l.contains('\x1b') && !l.contains('\x07'));
            }
        }
        assert_eq!(sanitize(HOSTILE_OSC52), "]52;c;ZXZpbA==");
        assert_eq!(sanitize(HOSTILE_CLEAR), "[2J");
        // C1 CSI (U+009B) is an escape too on some terminals.
        assert_eq!(sanitize("a\u{9B}2Jb"), "a2Jb");
        assert_eq!(sanitize("a\u{7F}b\u{0}c"), "abc");
    }

    #[test]
    fn sanitize_line_endings_and_separators() {
        assert_eq!(sanitize("一\r\n二\r三\n四"), "一\n二三\n四");
        assert_eq!(sanitize("a\u{2028}b\u{2029}c"), "a\nb\nc");
        assert_eq!(sanitize("a\tb\n"), "a\tb\n");
    }

    #[test]
    fn sanitize_removes_bidi_and_invisibles() {
        // "Trojan source"-style: RLO would display "txt.exe" as "exe.txt".
        assert_eq!(sanitize("张\u{202E}三\u{202C}明"), "张三明");
        assert_eq!(
            sanitize("\u{2066}王\u{2069}\u{200F}\u{200E}\u{061C}涵"),
            "王涵"
        );
        assert_eq!(sanitize("\u{FEFF}李\u{200B}四\u{200D}\u{00AD}"), "李四");
        assert_eq!(sanitize("x\u{E0041}\u{E007F}y"), "xy");
    }

    #[test]
    fn sanitize_normalises_to_nfc() {
        assert_eq!(sanitize("e\u{301}"), "\u{e9}");
        // Removing the bidi mark brings base and mark together; NFC sees the result.
        assert_eq!(sanitize("e\u{200E}\u{301}"), "\u{e9}");
        let once = sanitize("e\u{200E}\u{301}");
        assert_eq!(sanitize(&once), once);
        // Chinese text and variation selectors pass unchanged.
        assert_eq!(
            sanitize("新民市兴隆镇，家访记录。"),
            "新民市兴隆镇，家访记录。"
        );
        assert_eq!(sanitize("葛\u{E0100}"), "葛\u{E0100}");
    }

    #[test]
    fn sanitize_line_collapses_whitespace() {
        assert_eq!(sanitize_line("  张三\n\t明  "), "张三 明");
        assert_eq!(sanitize_line("Maria \r\n  Lopez"), "Maria Lopez");
        assert_eq!(sanitize_line("\u{3000}王涵\u{3000}"), "王涵");
        assert_eq!(sanitize_line("\n\n"), "");
    }

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(expand_tabs("a\tb", 4), "a   b");
        assert_eq!(expand_tabs("\tx", 4), "    x");
        assert_eq!(expand_tabs("张三\t明", 4), "张三    明");
        assert_eq!(expand_tabs("张\t明", 4), "张  明");
        assert_eq!(expand_tabs("ab\ncd\te", 4), "ab\ncd  e");
        assert_eq!(expand_tabs("a\tb", 0), "a b");
    }

    #[test]
    fn widths() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("张三明"), 6);
        assert_eq!(width("，。"), 4);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("a\x1bb"), 2);
        assert_eq!(width(""), 0);
    }

    #[test]
    fn truncate_cjk() {
        assert_eq!(truncate("新民市兴隆镇", 12), "新民市兴隆镇");
        assert_eq!(truncate("新民市兴隆镇", 11), "新民市兴隆…");
        // 4 columns for text, one left over: the wide char is dropped, not half-drawn.
        assert_eq!(truncate("新民市兴隆镇", 6), "新民…");
        assert_eq!(width(&truncate("新民市兴隆镇", 6)), 5);
        assert_eq!(truncate("新民市", 1), "…");
        assert_eq!(truncate("新民市", 0), "");
        assert_eq!(truncate("abc def", 5), "abc…");
        assert_eq!(truncate_with("Hello world", 8, "..."), "Hello...");
        assert_eq!(truncate_with("Hello world", 2, "..."), "..");
        // Never inside a cluster.
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
    }

    #[test]
    fn columns_line_up_wide_characters_and_clean_each_cell() {
        let rows = vec![
            vec!["编号".to_string(), "name".into(), "x".into()],
            vec!["12".into(), "张三明\x1b[31m".into(), String::new()],
        ];
        assert_eq!(columns(&rows), "编号  name        x\n12    张三明[31m\n");
    }

    #[test]
    fn padding() {
        assert_eq!(pad("张三", 6), "张三  ");
        assert_eq!(pad("张三明", 5), "张三…");
        assert_eq!(pad("张三明", 4), "张… ");
        assert_eq!(pad_left("42", 5), "   42");
        assert_eq!(pad_left("1,284", 5), "1,284");
        assert_eq!(pad_left("12345", 3), "12…");
        assert_eq!(pad("", 0), "");
        for w in 0..10 {
            assert_eq!(width(&pad("流浪乞讨ab", w)), w);
            assert_eq!(width(&pad_left("流浪乞讨ab", w)), w);
        }
    }

    #[test]
    fn wrap_latin_at_spaces() {
        assert_eq!(wrap("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(wrap("aaa bbb", 5), ["aaa", "bbb"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("hi  ", 10), ["hi"]);
    }

    #[test]
    fn wrap_cjk_anywhere() {
        assert_eq!(
            wrap("孩子向社工讲述了情况", 8),
            ["孩子向社", "工讲述了", "情况"]
        );
        assert_eq!(
            wrap("孩子向社工讲述了情况", 7),
            ["孩子向", "社工讲", "述了情", "况"]
        );
        // Mixed: CJK breaks on either side, Latin words stay whole.
        assert_eq!(wrap("家访hello世界", 8), ["家访", "hello世", "界"]);
    }

    #[test]
    fn wrap_kinsoku_pulls_one_char_down() {
        // "。" would start line 2; "况" comes down with it.
        assert_eq!(wrap("孩子讲述了情况。", 14), ["孩子讲述了情", "况。"]);
        assert_eq!(wrap("他说：“好。”", 8), ["他说：", "“好。”"]);
        assert_eq!(wrap("孩子，今天", 4), ["孩", "子，", "今天"]);
        // When it cannot be avoided, the punctuation starts a line.
        assert_eq!(wrap("。。。。", 4), ["。。", "。。"]);
    }

    #[test]
    fn wrap_paragraphs_and_indentation() {
        assert_eq!(wrap("第一段\n\n第二段", 20), ["第一段", "", "第二段"]);
        assert_eq!(wrap("a\r\nb\n", 20), ["a", "b"]);
        assert_eq!(wrap("", 20), Vec::<String>::new());
        assert_eq!(wrap("\n", 20), [""]);
        assert_eq!(
            wrap("\u{3000}\u{3000}孩子说", 6),
            ["\u{3000}\u{3000}孩", "子说"]
        );
        assert_eq!(wrap("\tx", 20), ["    x"]);
        assert_eq!(wrap("   ", 20), [""]);
    }

    #[test]
    fn wrap_never_splits_clusters_that_fit() {
        assert_eq!(
            wrap("e\u{301}e\u{301}e\u{301}", 2),
            ["e\u{301}e\u{301}", "e\u{301}"]
        );
        // A cluster wider than the line is split between its characters.
        assert_eq!(wrap("一\u{903}", 2), ["一", "\u{903}"]);
    }

    #[test]
    fn wrap_narrow_widths_terminate() {
        assert_eq!(wrap("张三", 1), ["张", "三"]);
        assert_eq!(wrap("ab", 0), ["a", "b"]);
        assert_eq!(wrap("\u{3000}x", 1), ["x"]);
    }

    fn non_ws_chars(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn mixed_text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 \\n\\t张三明孩子家访记录，。、；：？！）」』》（「“”\u{3000}\u{301}\u{903}…]{0,120}"
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), mixed_text(), "\\PC{0,60}"]
    }

    proptest! {
        #[test]
        fn sanitize_leaves_nothing_forbidden(s in any_text()) {
            let out = sanitize(&s);
            prop_assert!(has_no_forbidden(&out), "{:?}", out);
            prop_assert!(!out.contains('\x1b') && !out.contains('\x07'));
            let line = sanitize_line(&s);
            prop_assert!(has_no_forbidden(&line));
            prop_assert!(!line.contains('\n') && !line.contains('\t'));
        }

        #[test]
        fn the_fast_paths_of_sanitize_change_nothing(
            s in prop_oneof![any_text(), "[a-z \n\t一-龥\u{3000}-\u{3029}！-～]{0,80}"]
        ) {
            prop_assert_eq!(sanitize(&s), sanitize_slow(&s));
        }

        #[test]
        fn sanitize_is_idempotent(s in any_text()) {
            let once = sanitize(&s);
            prop_assert_eq!(sanitize(&once), once.clone());
            let line = sanitize_line(&s);
            prop_assert_eq!(sanitize_line(&line), line);
        }

        #[test]
        fn wrap_fits_and_keeps_every_visible_char(s in any_text(), w in 2usize..30) {
            let lines = wrap(&s, w);
            for line in &lines {
                prop_assert!(
                    width(line) <= w || line.chars().count() == 1,
                    "line {:?} is {} columns, limit {}", line, width(line), w
                );
                prop_assert!(!line.contains('\n'));
            }
            prop_assert_eq!(non_ws_chars(&lines.concat()), non_ws_chars(&s));
        }

        #[test]
        fn truncate_fits_and_is_a_prefix(s in any_text(), w in 0usize..30) {
            let out = truncate(&s, w);
            prop_assert!(width(&out) <= w, "{:?} is {} columns, limit {}", out, width(&out), w);
            let body = out.strip_suffix(ELLIPSIS).unwrap_or(&out);
            prop_assert!(s.starts_with(body), "{:?} is not a prefix of {:?}", body, s);
            let ascii = truncate_with(&s, w, "...");
            prop_assert!(width(&ascii) <= w);
        }

        #[test]
        fn pad_is_exact(s in any_text(), w in 0usize..30) {
            let line = sanitize_line(&s);
            prop_assert_eq!(width(&pad(&line, w)), w);
            prop_assert_eq!(width(&pad_left(&line, w)), w);
        }
    }
}
