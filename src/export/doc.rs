//! A small document model (title, numbered sections, fields, tables, signature lines) and
//! its two renderings: Markdown and self-contained, printable HTML.
//!
//! Every string placed in a [`Doc`] is treated as hostile: the renderers strip control
//! and bidi characters ([`crate::text::sanitize`]) and escape everything the target format
//! would interpret. The HTML carries a Content-Security-Policy that forbids scripts and
//! every external resource, so even a mistake in escaping could not run code or call out.

use std::fmt::Write as _;

use crate::i18n::Lang;

/// One block of content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Label–value rows.
    Fields(Vec<(String, String)>),
    /// A table; `strong` rows (by index) are emphasised; `narrow` columns (by index) never
    /// wrap (ids, dates, short labels).
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
        strong: Vec<usize>,
        narrow: Vec<usize>,
    },
    /// Commands or other literal lines, shown as written in a monospaced block.
    Code(Vec<String>),
    /// A paragraph; newlines are kept as line breaks.
    Para(String),
    /// Free text someone wrote (evidence, dissent, reasons), set apart; newlines kept.
    Quote(String),
    /// Lines for handwritten signatures: label and the printed name under it.
    SignLines(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub lang: Lang,
    /// The issuing centre, above the title.
    pub issuer: Option<String>,
    pub title: String,
    /// Reference lines under the title (record no., case no., date).
    pub refs: Vec<(String, String)>,
    /// Warnings shown in a box before the first section (confidential, demo).
    pub banners: Vec<String>,
    /// Numbered in order: 一、二、… in Chinese, 1. 2. … in English.
    pub sections: Vec<Section>,
    /// The closing section, not numbered (signatures).
    pub closing: Option<Section>,
    /// Small print at the very end.
    pub footer: Option<String>,
}

/// The number of section `i` (0-based): `一、` … or `1.` ….
pub fn section_number(lang: Lang, i: usize) -> String {
    const ZH: [&str; 20] = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
        "十五", "十六", "十七", "十八", "十九", "二十",
    ];
    match lang {
        Lang::Zh => format!("{}、", ZH.get(i).copied().unwrap_or("…")),
        Lang::En => format!("{}. ", i + 1),
    }
}

fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "：",
        Lang::En => ": ",
    }
}

fn clean(s: &str) -> String {
    crate::text::sanitize(s)
}

// ---------------------------------------------------------------------------------------
// Markdown

/// Escapes text for CommonMark/GFM so it shows as written: every ASCII punctuation mark
/// with a meaning is backslash-escaped (which also stops raw HTML and entities), leading
/// spaces are dropped (no code blocks), and a line cannot start a list or a heading.
pub fn md_escape_line(s: &str) -> String {
    let s = clean(s);
    let s = s.trim_start();
    let mut out = String::with_capacity(s.len() + 8);
    let bytes_start_digits = s.bytes().take_while(u8::is_ascii_digit).count();
    for (i, c) in s.char_indices() {
        let at_start = i == 0;
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '#' | '|' | '~' | '!' | '{'
            | '}' | '(' | ')' | '"' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if at_start => {
                out.push('\\');
                out.push(c);
            }
            '.' if i == bytes_start_digits && i > 0 => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push(' '),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text whose line breaks must survive: each line escaped, joined by `sep`.
fn md_lines(s: &str, sep: &str) -> String {
    clean(s)
        .lines()
        .map(md_escape_line)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn md_cell(s: &str) -> String {
    let v = md_lines(s, " / ");
    if v.is_empty() { " ".into() } else { v }
}

/// The Markdown rendering.
pub fn to_markdown(doc: &Doc) -> String {
    let mut o = String::new();
    if let Some(issuer) = &doc.issuer {
        let _ = writeln!(o, "**{}**\n", md_escape_line(issuer));
    }
    let _ = writeln!(o, "# {}\n", md_escape_line(&doc.title));
    if !doc.refs.is_empty() {
        let refs: Vec<String> = doc
            .refs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}{}{}",
                    md_escape_line(k),
                    colon(doc.lang),
                    md_escape_line(v)
                )
            })
            .collect();
        let _ = writeln!(o, "{}\n", refs.join(" · "));
    }
    for b in &doc.banners {
        let _ = writeln!(o, "> **{}**\n", md_escape_line(b));
    }
    for (i, sec) in doc.sections.iter().enumerate() {
        let _ = writeln!(
            o,
            "## {}{}\n",
            section_number(doc.lang, i),
            md_escape_line(&sec.title)
        );
        md_blocks(&mut o, doc.lang, &sec.blocks);
    }
    if let Some(sec) = &doc.closing {
        let _ = writeln!(o, "## {}\n", md_escape_line(&sec.title));
        md_blocks(&mut o, doc.lang, &sec.blocks);
    }
    if let Some(f) = &doc.footer {
        let _ = writeln!(o, "---\n\n{}", md_lines(f, "  \n"));
    }
    while o.ends_with("\n\n") {
        o.pop();
    }
    o
}

fn md_blocks(o: &mut String, lang: Lang, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Fields(rows) => {
                for (k, v) in rows {
                    let v = md_lines(v, " / ");
                    let _ = writeln!(o, "- **{}**{}{}", md_escape_line(k), colon(lang), v);
                }
                o.push('\n');
            }
            Block::Table {
                head, rows, strong, ..
            } => {
                let _ = writeln!(
                    o,
                    "| {} |",
                    head.iter()
                        .map(|h| md_cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(o, "|{}", " --- |".repeat(head.len()));
                for (i, r) in rows.iter().enumerate() {
                    let cells: Vec<String> = r
                        .iter()
                        .map(|c| {
                            let c = md_cell(c);
                            if strong.contains(&i) && c.trim() != "" {
                                format!("**{c}**")
                            } else {
                                c
                            }
                        })
                        .collect();
                    let _ = writeln!(o, "| {} |", cells.join(" | "));
                }
                o.push('\n');
            }
            Block::Para(t) => {
                let _ = writeln!(o, "{}\n", md_lines(t, "  \n"));
            }
            Block::Code(lines) => {
                o.push_str("```text\n");
                for l in lines {
                    // Nothing inside can close the fence or reach a terminal.
                    let _ = writeln!(o, "{}", crate::text::sanitize_line(l).replace('`', "'"));
                }
                o.push_str("```\n\n");
            }
            Block::Quote(t) => {
                let body = md_lines(t, "  \n> ");
                if !body.is_empty() {
                    let _ = writeln!(o, "> {body}\n");
                }
            }
            Block::SignLines(lines) => {
                for (label, name) in lines {
                    let name = md_escape_line(name);
                    let _ = writeln!(
                        o,
                        "{}{}\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_{}  ",
                        md_escape_line(label),
                        colon(lang),
                        if name.is_empty() {
                            String::new()
                        } else {
                            format!("（{name}）")
                        }
                    );
                }
                o.push('\n');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// HTML

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with its line breaks as `<br>`.
fn html_lines(s: &str) -> String {
    clean(s)
        .lines()
        .map(html_escape)
        .collect::<Vec<_>>()
        .join("<br>\n")
}

const CSS: &str = r#"
@page { size: A4; margin: 20mm 18mm 22mm 18mm; }
* { box-sizing: border-box; }
html { background: #e8e8e4; }
body { margin: 0; color: #111; font-family: "Songti SC", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif", serif; font-size: 11pt; line-height: 1.65; }
main { background: #fff; max-width: 210mm; margin: 12px auto; padding: 18mm 18mm 16mm; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
.issuer { text-align: center; font-size: 13pt; letter-spacing: .08em; margin: 0; }
h1 { text-align: center; font-size: 21pt; letter-spacing: .25em; margin: .35em 0 .4em; font-weight: bold; }
html[lang=en] h1 { letter-spacing: .04em; }
.refs { text-align: right; font-size: 10pt; margin: 0 0 .8em; border-bottom: 2px solid #9b1c1c; padding-bottom: .35em; }
.refs span { margin-left: 1.4em; white-space: nowrap; }
.banner { border: 1.5px solid #9b1c1c; color: #9b1c1c; padding: .3em .7em; margin: .6em 0; font-weight: bold; text-align: center; font-size: 10pt; }
.banner.demo { background: #fff4e5; border-style: dashed; color: #8a4b00; border-color: #8a4b00; font-size: 12pt; }
h2 { font-size: 13pt; margin: 1.2em 0 .45em; padding-bottom: .1em; border-bottom: 1px solid #999; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .3em 0 .7em; font-size: 10pt; break-inside: auto; }
.n { white-space: nowrap; }
pre { margin: .3em 0 .7em; padding: .4em .8em; background: #f7f7f5; border: 1px solid #ddd; white-space: pre-wrap; }
th, td { border: 1px solid #777; padding: .25em .45em; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #f0f0ec; font-weight: bold; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.strong td { font-weight: bold; background: #fbf3f3; }
table.fields th { width: 9.5em; white-space: normal; }
blockquote { margin: .3em 0 .7em; padding: .3em .8em; border-left: 3px solid #999; background: #f7f7f5; white-space: normal; }
p { margin: .35em 0 .6em; }
.closing { margin-top: 1.6em; border-top: 2px solid #9b1c1c; padding-top: .2em; break-inside: avoid; page-break-inside: avoid; }
.closing h2 { border-bottom: none; }
.signlines { display: flex; flex-wrap: wrap; gap: 1.2em 3em; margin-top: 1.6em; }
.signline { min-width: 10em; flex: 1; }
.signline .line { border-bottom: 1px solid #111; height: 2.2em; }
.signline .label { font-size: 10pt; margin-top: .2em; }
footer { margin-top: 1.5em; font-size: 8.5pt; color: #555; border-top: 1px solid #bbb; padding-top: .4em; }
code { font-family: "DejaVu Sans Mono", "Menlo", monospace; font-size: 9pt; overflow-wrap: anywhere; }
@media print {
  html { background: #fff; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
}
"#;

/// The HTML rendering: one self-contained page (inline CSS, no script, no external
/// resource), laid out like a printed official document.
pub fn to_html(doc: &Doc) -> String {
    let mut o = String::with_capacity(16 * 1024);
    let lang = match doc.lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        html_escape(&format!(
            "{}{}",
            doc.title,
            doc.refs
                .first()
                .map(|(_, v)| format!(" {v}"))
                .unwrap_or_default()
        ))
    );
    if let Some(issuer) = &doc.issuer {
        let _ = writeln!(o, "<p class=\"issuer\">{}</p>", html_escape(issuer));
    }
    let _ = writeln!(o, "<h1>{}</h1>", html_escape(&doc.title));
    if !doc.refs.is_empty() {
        o.push_str("<p class=\"refs\">");
        for (k, v) in &doc.refs {
            let _ = write!(
                o,
                "<span>{}{}{}</span>",
                html_escape(k),
                colon(doc.lang),
                html_escape(v)
            );
        }
        o.push_str("</p>\n");
    }
    for (i, b) in doc.banners.iter().enumerate() {
        // The first banner is the confidentiality note; a later one is the demo warning.
        let class = if i == 0 { "banner" } else { "banner demo" };
        let _ = writeln!(o, "<div class=\"{class}\">{}</div>", html_escape(b));
    }
    for (i, sec) in doc.sections.iter().enumerate() {
        let _ = writeln!(
            o,
            "<section>\n<h2>{}{}</h2>",
            html_escape(&section_number(doc.lang, i)),
            html_escape(&sec.title)
        );
        html_blocks(&mut o, &sec.blocks);
        o.push_str("</section>\n");
    }
    if let Some(sec) = &doc.closing {
        let _ = writeln!(
            o,
            "<section class=\"closing\">\n<h2>{}</h2>",
            html_escape(&sec.title)
        );
        html_blocks(&mut o, &sec.blocks);
        o.push_str("</section>\n");
    }
    if let Some(f) = &doc.footer {
        let _ = writeln!(o, "<footer>{}</footer>", html_lines(f));
    }
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

fn html_blocks(o: &mut String, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Fields(rows) => {
                o.push_str("<table class=\"fields\">\n");
                for (k, v) in rows {
                    let _ = writeln!(
                        o,
                        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                        html_escape(k),
                        html_lines(v)
                    );
                }
                o.push_str("</table>\n");
            }
            Block::Table {
                head,
                rows,
                strong,
                narrow,
            } => {
                let class = |j: usize| {
                    if narrow.contains(&j) {
                        " class=\"n\""
                    } else {
                        ""
                    }
                };
                o.push_str("<table>\n<thead><tr>");
                for (j, h) in head.iter().enumerate() {
                    let _ = write!(o, "<th scope=\"col\"{}>{}</th>", class(j), html_escape(h));
                }
                o.push_str("</tr></thead>\n<tbody>\n");
                for (i, r) in rows.iter().enumerate() {
                    o.push_str(if strong.contains(&i) {
                        "<tr class=\"strong\">"
                    } else {
                        "<tr>"
                    });
                    for (j, c) in r.iter().enumerate() {
                        let _ = write!(o, "<td{}>{}</td>", class(j), html_lines(c));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</tbody>\n</table>\n");
            }
            Block::Para(t) => {
                let _ = writeln!(o, "<p>{}</p>", html_lines(t));
            }
            Block::Code(lines) => {
                let body: Vec<String> = lines
                    .iter()
                    .map(|l| html_escape(&crate::text::sanitize_line(l)))
                    .collect();
                let _ = writeln!(o, "<pre><code>{}</code></pre>", body.join("\n"));
            }
            Block::Quote(t) => {
                let _ = writeln!(o, "<blockquote>{}</blockquote>", html_lines(t));
            }
            Block::SignLines(lines) => {
                o.push_str("<div class=\"signlines\">\n");
                for (label, name) in lines {
                    let name = if name.is_empty() {
                        String::new()
                    } else {
                        format!("（{}）", html_escape(name))
                    };
                    let _ = writeln!(
                        o,
                        "<div class=\"signline\"><div class=\"line\"></div><div class=\"label\">{}{name}</div></div>",
                        html_escape(label)
                    );
                }
                o.push_str("</div>\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "<script>alert(1)</script>\x1b[2J&amp;\u{202E}\"'`*_[x](javascript:1)|\n# h\n- l\n1. n";

    fn doc() -> Doc {
        Doc {
            lang: Lang::Zh,
            issuer: Some(HOSTILE.into()),
            title: "专家组评估决定书".into(),
            refs: vec![("编号".into(), HOSTILE.into())],
            banners: vec![HOSTILE.into()],
            sections: vec![Section {
                title: HOSTILE.into(),
                blocks: vec![
                    Block::Fields(vec![(HOSTILE.into(), HOSTILE.into())]),
                    Block::Code(vec![HOSTILE.into()]),
                    Block::Table {
                        head: vec![HOSTILE.into()],
                        rows: vec![vec![HOSTILE.into()]],
                        strong: vec![0],
                        narrow: vec![0],
                    },
                    Block::Para(HOSTILE.into()),
                    Block::Quote(HOSTILE.into()),
                    Block::SignLines(vec![(HOSTILE.into(), HOSTILE.into())]),
                ],
            }],
            closing: None,
            footer: Some(HOSTILE.into()),
        }
    }

    #[test]
    fn html_escapes_everything() {
        let h = to_html(&doc());
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains('\x1b'));
        assert!(!h.contains('\u{202E}'));
        assert!(h.contains("&lt;script&gt;"));
        assert!(h.contains("&amp;amp;"));
        assert!(h.contains("Content-Security-Policy"));
    }

    #[test]
    fn markdown_escapes_everything() {
        let m = to_markdown(&doc());
        // Inside the code fence text is literal (inert) and cannot close the fence.
        let fence = m.find("```text\n").unwrap();
        let end = fence + 8 + m[fence + 8..].find("```\n").unwrap();
        assert!(!m[fence + 8..end].contains('`'));
        // Everywhere else every `<`, `[`, `(` and `&` is backslash-escaped: no HTML, link or
        // entity.
        let outside = format!("{}{}", &m[..fence], &m[end..]);
        let b = outside.as_bytes();
        for (i, c) in b.iter().enumerate() {
            if matches!(c, b'<' | b'[' | b'(' | b'&') {
                assert!(i > 0 && b[i - 1] == b'\\', "unescaped at {i}: {m}");
            }
        }
        assert!(!outside.contains("](javascript"), "{m}");
        assert!(!m.contains('\x1b'));
        assert!(!outside.contains("\n# h"));
        assert!(!outside.contains("\n- l"));
        assert!(m.contains("\\<script\\>"));
        // every line of the hostile text stays inside its block
        for line in outside.lines() {
            assert!(
                !line.starts_with("# h") && !line.starts_with("1. n"),
                "{line}"
            );
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(section_number(Lang::Zh, 0), "一、");
        assert_eq!(section_number(Lang::Zh, 10), "十一、");
        assert_eq!(section_number(Lang::En, 2), "3. ");
    }
}
