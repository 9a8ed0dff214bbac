//! The copy of a sheet with an error column, for the officer to fix and import again.
//!
//! Formula injection: nothing casepanel writes back is ever a formula. In an `.xlsx` copy
//! every cell is written as a text cell (rust_xlsxwriter's `write_string`), whatever it
//! starts with. In a `.csv` copy a value that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a `'` in front, the common defence that makes a spreadsheet show
//! it as text; the importer takes that `'` off again, so a fixed copy imports as typed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use super::columns::{ERROR_HEADERS, is_error_header};
use super::problem::Problem;
use super::read::Sheet;
use crate::i18n::{Lang, semicolon};

/// The most characters a spreadsheet cell holds.
const CELL_MAX: usize = 32_767;

/// `'` in front of a value a spreadsheet would take for a formula.
pub fn escape_formula(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The rows of the copy: the sheet's cells without any old error column, padded to one
/// width, and the notes for each row (problems without a row go on the header row).
fn table(
    sheet: &Sheet,
    header: usize,
    problems: &[Problem],
    lang: Lang,
) -> (Vec<Vec<String>>, usize) {
    let keep: Vec<bool> = sheet
        .rows
        .get(header)
        .map(|h| h.iter().map(|c| !is_error_header(c)).collect())
        .unwrap_or_default();
    let mut notes: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let header_row = sheet.row_number(header);
    for p in problems {
        notes
            .entry(p.row.unwrap_or(header_row))
            .or_default()
            .push(p.cell_note(lang));
    }
    let mut rows: Vec<Vec<String>> = sheet
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .filter(|(j, _)| keep.get(*j).copied().unwrap_or(true))
                .map(|(_, c)| c.to_string())
                .collect()
        })
        .collect();
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    for (i, r) in rows.iter_mut().enumerate() {
        r.resize(width, String::new());
        let n = sheet.row_number(i);
        let note = if i == header {
            let mut h = ERROR_HEADERS[usize::from(lang == Lang::En)].to_string();
            if let Some(list) = notes.get(&n) {
                h = format!(
                    "{h}{}{}",
                    crate::i18n::colon(lang),
                    list.join(semicolon(lang))
                );
            }
            h
        } else {
            notes
                .get(&n)
                .map(|l| l.join(semicolon(lang)))
                .unwrap_or_default()
        };
        r.push(note);
    }
    (rows, width)
}

/// Writes the copy to `out`: `.xlsx` or `.csv` (UTF-8 with a BOM, so that Excel reads it
/// right), by the extension.
pub fn write(
    out: &Path,
    sheet: &Sheet,
    header: usize,
    problems: &[Problem],
    lang: Lang,
) -> Result<(), String> {
    let (rows, _) = table(sheet, header, problems, lang);
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => {
            let mut w = csv::WriterBuilder::new().from_writer(vec![0xEF, 0xBB, 0xBF]);
            for r in &rows {
                w.write_record(r.iter().map(|c| escape_formula(c).into_owned()))
                    .map_err(|e| e.to_string())?;
            }
            let bytes = w.into_inner().map_err(|e| e.to_string())?;
            std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))
        }
        "xlsx" => {
            let mut wb = Workbook::new();
            let ws = wb.add_worksheet();
            let bold = Format::new().set_bold();
            let red = Format::new().set_font_color(rust_xlsxwriter::Color::Red);
            let (r0, c0) = sheet.origin;
            for (i, r) in rows.iter().enumerate() {
                for (j, cell) in r.iter().enumerate() {
                    if cell.is_empty() {
                        continue;
                    }
                    let text: Cow<'_, str> = if cell.chars().count() > CELL_MAX {
                        Cow::Owned(cell.chars().take(CELL_MAX).collect())
                    } else {
                        Cow::Borrowed(cell)
                    };
                    let (row, col) = (r0 + i as u32, (c0 as usize + j) as u16);
                    let res = if i == header {
                        ws.write_string_with_format(row, col, text.as_ref(), &bold)
                    } else if j + 1 == r.len() {
                        ws.write_string_with_format(row, col, text.as_ref(), &red)
                    } else {
                        ws.write_string(row, col, text.as_ref())
                    };
                    res.map_err(|e| e.to_string())?;
                }
            }
            wb.save(out).map_err(|e| format!("{}: {e}", out.display()))
        }
        _ => Err(format!(
            "{}: the copy can be .xlsx or .csv; name the file with one of these endings",
            out.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        assert_eq!(escape_formula("=1+1"), "'=1+1");
        assert_eq!(escape_formula("+86 138"), "'+86 138");
        assert_eq!(escape_formula("-5"), "'-5");
        assert_eq!(escape_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape_formula("张三"), "张三");
    }
}
