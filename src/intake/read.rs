//! Reading a sheet from a file: `.csv` (UTF-8 with or without BOM, UTF-16 with BOM, or
//! GB18030/GBK) and `.xlsx` (the first worksheet). Everything becomes text cells; what the
//! file said beyond the text (merged cells, formulas, numbers that lost digits) is kept
//! beside the cells so validation can report it.
//!
//! # Encodings
//!
//! Chinese offices save "CSV" from Excel or WPS in GBK unless they pick "CSV UTF-8". The
//! rule, in order: a byte-order mark decides (UTF-8, UTF-16LE/BE); else `--encoding`
//! decides; else bytes that are valid UTF-8 are UTF-8; else they must be valid GB18030
//! (a superset of GBK and GB2312). Text that fits none of these, or holds NUL characters,
//! is refused as "not a text file" instead of being guessed at. A strict rule beats a
//! statistical guess here: a wrong guess would import mojibake names silently.

use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};
use csv::StringRecord;
use encoding_rs::{Encoding, GB18030, UTF_8};
use sha2::{Digest, Sha256};

use super::problem::Kind;

/// How the file was read, for the summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Csv { encoding: &'static str },
    Xlsx { sheet: String },
}

/// A rectangular range in sheet coordinates (0-based row and column), inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub first: (u32, u32),
    pub last: (u32, u32),
}

/// The cells of one sheet, as text.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub format: Format,
    /// Sheet coordinates (0-based) of `rows[0][0]`.
    pub origin: (u32, u32),
    pub rows: Vec<StringRecord>,
    /// Merged areas (XLSX).
    pub merged: Vec<Area>,
    /// Cells holding a formula, with its text (XLSX).
    pub formulas: Vec<((u32, u32), String)>,
    /// Cells holding a number so long that the spreadsheet kept only 15 digits of it — an
    /// ID number typed into a cell not formatted as text.
    pub lost_digits: Vec<(u32, u32)>,
    /// SHA-256 (lower-case hex) of the file's bytes, as read: the import's audit event names
    /// the file by it. Empty for a sheet that did not come from a file.
    pub sha256: String,
}

impl Sheet {
    /// The 1-based row number a person sees for `rows[i]`.
    pub fn row_number(&self, i: usize) -> u32 {
        self.origin.0 + i as u32 + 1
    }

    /// The sheet column (0-based) of cell `j` of a row.
    pub fn column(&self, j: usize) -> u32 {
        self.origin.1 + j as u32
    }
}

/// `A`, `B`, … `Z`, `AA` … for a 0-based column.
pub fn column_letter(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// Reads `path` by its extension. `encoding` is a label (`gbk`, `utf-8`, …) for CSV.
pub fn read(path: &Path, encoding: Option<&str>) -> Result<Sheet, Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "txt" => {
            let forced = match encoding {
                Some(label) => {
                    Some(Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                        Kind::UnknownEncoding {
                            label: label.to_string(),
                        }
                    })?)
                }
                None => None,
            };
            let bytes = std::fs::read(path).map_err(|e| Kind::CannotRead {
                detail: e.to_string(),
            })?;
            let mut sheet = read_csv(&bytes, forced)?;
            sheet.sha256 = hex::encode(Sha256::digest(&bytes));
            Ok(sheet)
        }
        "xlsx" | "xlsm" => {
            let bytes = std::fs::read(path).map_err(|e| Kind::CannotRead {
                detail: e.to_string(),
            })?;
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let mut sheet = read_xlsx(&bytes)?;
            sheet.sha256 = sha256;
            Ok(sheet)
        }
        "xls" | "et" | "ods" | "numbers" | "wps" => Err(Kind::OldFormat { ext }),
        _ => Err(Kind::UnknownFormat { ext }),
    }
}

/// Decodes CSV bytes (see the module docs for the rule) and splits them into records.
pub fn read_csv(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Sheet, Kind> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Kind::EmptyFile);
    }
    let (text, encoding) = decode(bytes, forced)?;
    if text.contains('\0') {
        return Err(Kind::NotText);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => rows.push(record.clone()),
            Ok(false) => break,
            Err(e) => {
                return Err(Kind::BadCsv {
                    row: rows.len() as u32 + 1,
                    detail: e.to_string(),
                });
            }
        }
    }
    Ok(Sheet {
        format: Format::Csv { encoding },
        origin: (0, 0),
        rows,
        merged: Vec::new(),
        formulas: Vec::new(),
        lost_digits: Vec::new(),
        sha256: String::new(),
    })
}

fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<(String, &'static str), Kind> {
    let strict = |enc: &'static Encoding, body: &[u8]| {
        enc.decode_without_bom_handling_and_without_replacement(body)
            .map(|t| (t.into_owned(), enc.name()))
            .ok_or(Kind::NotText)
    };
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return strict(enc, &bytes[bom..]);
    }
    if let Some(enc) = forced {
        return strict(enc, bytes);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_owned(), UTF_8.name()));
    }
    strict(GB18030, bytes)
}

/// A workbook read from bytes in memory.
type Workbook<'b> = Xlsx<std::io::Cursor<&'b [u8]>>;

/// Opens the workbook in `bytes`, and names its first sheet.
fn open_xlsx(bytes: &[u8]) -> Result<(Workbook<'_>, String), Kind> {
    let wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Io(e) => Kind::CannotRead {
            detail: e.to_string(),
        },
        other => Kind::NotXlsx {
            detail: other.to_string(),
        },
    })?;
    let name = wb.sheet_names().into_iter().next().ok_or(Kind::EmptyFile)?;
    Ok((wb, name))
}

/// Reads the first sheet of the workbook in `bytes`: its cells, merged areas and formulas,
/// in one pass over the sheet's XML ([`read_cells`]). The merged areas are listed after the
/// cells, so calamine finds them by reading the XML again: on another core meanwhile, from a
/// second view of the same bytes.
fn read_xlsx(bytes: &[u8]) -> Result<Sheet, Kind> {
    let (cells, merged, name) = std::thread::scope(|s| {
        let merged = s.spawn(|| {
            let (mut wb, name) = open_xlsx(bytes)?;
            wb.merge_cells_by_sheet_name(&name).map_err(not_xlsx)
        });
        let cells =
            open_xlsx(bytes).and_then(|(mut wb, name)| Ok((read_cells(&mut wb, &name)?, name)));
        let merged = merged.join().unwrap_or_else(|_| {
            Err(Kind::NotXlsx {
                detail: "reading the merged cells failed".into(),
            })
        });
        let (cells, name) = cells?;
        Ok::<_, Kind>((cells, merged?, name))
    })?;
    Ok(Sheet {
        format: Format::Xlsx { sheet: name },
        origin: cells.origin,
        rows: cells.rows,
        merged: merged
            .into_iter()
            .map(|d| Area {
                first: d.start,
                last: d.end,
            })
            .collect(),
        formulas: cells.formulas,
        lost_digits: cells.lost_digits,
        sha256: String::new(),
    })
}

fn not_xlsx(e: calamine::XlsxError) -> Kind {
    Kind::NotXlsx {
        detail: e.to_string(),
    }
}

/// What [`read_cells`] finds in a sheet.
struct Cells {
    /// The top left corner of the cells that hold a value (sheet row and column, 0-based).
    origin: (u32, u32),
    /// Every row from the first to the last that holds a value, each as wide as the widest.
    rows: Vec<StringRecord>,
    formulas: Vec<((u32, u32), String)>,
    lost_digits: Vec<(u32, u32)>,
}

/// Reads the cells of sheet `name` as calamine streams them, each cell's value and formula
/// together: no grid of every cell is built first. The texts go into one buffer, then into
/// the rows.
fn read_cells(wb: &mut Workbook<'_>, name: &str) -> Result<Cells, Kind> {
    let mut text = String::new();
    // (row, column), and where the cell's text ends in `text` (it starts where the one
    // before ends).
    let mut at: Vec<((u32, u32), usize)> = Vec::new();
    let mut formulas = Vec::new();
    let mut lost_digits = Vec::new();
    match wb.worksheet_cells_reader(name) {
        Ok(mut reader) => {
            while let Some(cell) = reader.next_cell_with_formula().map_err(not_xlsx)? {
                if let Some(f) = cell.formula.filter(|f| !f.is_empty()) {
                    // The file stores a formula without its `=`; show it as typed.
                    let f = if f.starts_with('=') {
                        f
                    } else {
                        format!("={f}")
                    };
                    formulas.push((cell.pos, f));
                }
                if cell.value == DataRef::Empty {
                    continue;
                }
                if cell_text(&cell.value, &mut text) {
                    lost_digits.push(cell.pos);
                }
                at.push((cell.pos, text.len()));
            }
        }
        // A chart sheet or a macro sheet first: no cells.
        Err(calamine::XlsxError::NotAWorksheet(_)) => {}
        Err(e) => return Err(not_xlsx(e)),
    }
    let mut cells: Vec<((u32, u32), &str)> = Vec::with_capacity(at.len());
    let mut start = 0;
    for &(pos, end) in &at {
        cells.push((pos, &text[start..end]));
        start = end;
    }
    // Cells do not always come in order.
    if !cells.is_sorted_by_key(|(pos, _)| *pos) {
        cells.sort_by_key(|(pos, _)| *pos);
    }
    let (Some(first), Some(last)) = (cells.first(), cells.last()) else {
        return Ok(Cells {
            origin: (0, 0),
            rows: Vec::new(),
            formulas,
            lost_digits,
        });
    };
    let (top, bottom) = (first.0.0, last.0.0);
    let left = cells.iter().map(|((_, c), _)| *c).min().unwrap_or(0);
    let right = cells.iter().map(|((_, c), _)| *c).max().unwrap_or(0);
    let width = (right - left + 1) as usize;
    let mut rows = Vec::with_capacity((bottom - top + 1) as usize);
    let mut next = cells.iter().peekable();
    for r in top..=bottom {
        let mut rec = StringRecord::with_capacity(64, width);
        while let Some(((_, c), v)) = next.next_if(|((row, _), _)| *row == r) {
            while rec.len() < (c - left) as usize {
                rec.push_field("");
            }
            rec.push_field(v);
        }
        while rec.len() < width {
            rec.push_field("");
        }
        rows.push(rec);
    }
    Ok(Cells {
        origin: (top, left),
        rows,
        formulas,
        lost_digits,
    })
}

/// Writes a cell's text into `out`. Returns true when the cell is a number too long to be
/// exact (15 significant digits is all a spreadsheet keeps).
fn cell_text(cell: &DataRef<'_>, out: &mut String) -> bool {
    use std::fmt::Write;
    match cell {
        DataRef::Empty => {}
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::Int(i) => {
            let _ = write!(out, "{i}");
            return i.unsigned_abs() >= 1_000_000_000_000_000;
        }
        DataRef::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else if f.fract() == 0.0 {
                let _ = write!(out, "{f:.0}");
                return true;
            } else {
                let _ = write!(out, "{f}");
            }
        }
        DataRef::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => {
                let _ = write!(out, "{}", t.format("%Y-%m-%d"));
            }
            Some(t) => {
                let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
            }
            None => {
                let _ = write!(out, "{}", dt.as_f64());
            }
        },
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }

    /// Cells that start below and right of A1, a gap inside a row, an empty row, a formula
    /// and a number too long to be exact: the rows come out as a grid from the first cell.
    #[test]
    fn xlsx_cells_make_a_grid_from_the_first() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(2, 1, "a").unwrap();
        ws.write_string(2, 3, "c").unwrap();
        ws.write_number(4, 2, 5.0).unwrap();
        ws.write_number(4, 3, 1234567890123456789.0).unwrap();
        ws.write_formula(5, 1, "=1+1").unwrap();
        ws.write_string(5, 2, "x").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let s = read_xlsx(&bytes).unwrap();
        assert_eq!(s.origin, (2, 1));
        let rows: Vec<Vec<&str>> = s.rows.iter().map(|r| r.iter().collect()).collect();
        assert_eq!(rows[0], ["a", "", "c"]);
        assert_eq!(rows[1], ["", "", ""]);
        assert_eq!(&rows[2][..2], ["", "5"]);
        assert!(rows[2][2].starts_with("1234567890123456"), "{:?}", rows[2]);
        assert_eq!(rows[3][1..], ["x", ""]);
        assert_eq!(rows.len(), 4);
        assert_eq!(s.lost_digits, [(4, 3)]);
        assert_eq!(s.formulas, [((5, 1), "=1+1".to_string())]);
        assert_eq!(s.row_number(0), 3);
        assert_eq!(s.column(0), 1);
    }

    #[test]
    fn encodings() {
        let utf8 = "姓名,性别\n张三,男\n".as_bytes();
        let s = read_csv(utf8, None).unwrap();
        assert_eq!(s.format, Format::Csv { encoding: "UTF-8" });
        assert_eq!(&s.rows[1][0], "张三");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(utf8);
        let s = read_csv(&bom, None).unwrap();
        assert_eq!(&s.rows[0][0], "姓名");
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,性别\n张三,男\n");
        let s = read_csv(&gbk, None).unwrap();
        assert_eq!(
            s.format,
            Format::Csv {
                encoding: "gb18030"
            }
        );
        assert_eq!(&s.rows[1][0], "张三");
        assert_eq!(
            read_csv(&[0xFF, 0x00, 0x80, 0x81], None).unwrap_err(),
            Kind::NotText
        );
        assert_eq!(read_csv(b"  \n", None).unwrap_err(), Kind::EmptyFile);
    }
}
