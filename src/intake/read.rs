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

use calamine::{Data, Reader, Xlsx};
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

/// Reads the first sheet of the workbook in `bytes`: its cells, merged areas and formulas.
/// calamine reads the cells and the formulas in two passes over the sheet's XML; the
/// formulas are read on another core meanwhile, from a second view of the same bytes.
fn read_xlsx(bytes: &[u8]) -> Result<Sheet, Kind> {
    let not_xlsx = |e: calamine::XlsxError| Kind::NotXlsx {
        detail: e.to_string(),
    };
    let (range, merged, name, formulas) = std::thread::scope(|s| {
        let formulas = s.spawn(|| {
            let (mut wb, name) = open_xlsx(bytes)?;
            wb.worksheet_formula(&name).map_err(not_xlsx)
        });
        let cells = (|| {
            let (mut wb, name) = open_xlsx(bytes)?;
            let range = wb.worksheet_range(&name).map_err(not_xlsx)?;
            let merged = wb.merge_cells_by_sheet_name(&name).map_err(not_xlsx)?;
            Ok::<_, Kind>((range, merged, name))
        })();
        let formulas = formulas.join().unwrap_or_else(|_| {
            Err(Kind::NotXlsx {
                detail: "reading the formulas failed".into(),
            })
        });
        let (range, merged, name) = cells?;
        Ok::<_, Kind>((range, merged, name, formulas?))
    })?;
    let origin = range.start().unwrap_or((0, 0));
    let mut lost_digits = Vec::new();
    let mut rows = Vec::with_capacity(range.height());
    let mut buf = String::new();
    for (i, cells) in range.rows().enumerate() {
        let mut rec = StringRecord::with_capacity(64, cells.len());
        for (j, cell) in cells.iter().enumerate() {
            buf.clear();
            if cell_text(cell, &mut buf) {
                lost_digits.push((origin.0 + i as u32, origin.1 + j as u32));
            }
            rec.push_field(&buf);
        }
        rows.push(rec);
    }
    let formulas = match formulas.start() {
        Some((r0, c0)) => formulas
            .cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, f)| {
                // The file stores a formula without its `=`; show it as typed.
                let f = if f.starts_with('=') {
                    f.clone()
                } else {
                    format!("={f}")
                };
                ((r0 + r as u32, c0 + c as u32), f)
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Sheet {
        format: Format::Xlsx { sheet: name },
        origin,
        rows,
        merged: merged
            .into_iter()
            .map(|d| Area {
                first: d.start,
                last: d.end,
            })
            .collect(),
        formulas,
        lost_digits,
        sha256: String::new(),
    })
}

/// Writes a cell's text into `out`. Returns true when the cell is a number too long to be
/// exact (15 significant digits is all a spreadsheet keeps).
fn cell_text(cell: &Data, out: &mut String) -> bool {
    use std::fmt::Write;
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
            return i.unsigned_abs() >= 1_000_000_000_000_000;
        }
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                let _ = write!(out, "{}", *f as i64);
            } else if f.fract() == 0.0 {
                let _ = write!(out, "{f:.0}");
                return true;
            } else {
                let _ = write!(out, "{f}");
            }
        }
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(dt) => match dt.as_datetime() {
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
        Data::Error(e) => {
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
