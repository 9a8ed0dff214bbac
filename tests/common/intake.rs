//! Helpers for the import tests: run the binary, build sheets from the template, and
//! take a digest of everything in a database to prove that nothing was written.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_casepanel");

/// The template's header and rows (the BOM taken off).
pub fn template_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/import/screening.csv"),
    )
    .unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Rows as CSV text.
pub fn to_csv(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The template with cells of data row `row` (1 = first child) changed by header.
pub fn template_with(row: usize, edits: &[(&str, &str)]) -> Vec<Vec<String>> {
    let mut rows = template_rows();
    for (h, v) in edits {
        let j = rows[0]
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h}"));
        rows[row][j] = v.to_string();
    }
    rows
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(db: &Path, lang: &str, args: &[&str]) -> Run {
    let o: Output = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .arg("--lang")
        .arg(lang)
        .args(args)
        .env("CASEPANEL_TODAY", "2026-11-29")
        .env("CASEPANEL_CONFIG", db.with_extension("no-config.toml"))
        .env_remove("CASEPANEL_DB")
        .output()
        .unwrap();
    Run {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Every row of every table, in order: equal digests mean nothing was written.
pub fn digest(db: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    let mut tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = String::new();
    for t in tables {
        let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        let mut lines = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            let mut line = String::new();
            for i in 0..n {
                let v: rusqlite::types::Value = r.get(i).unwrap();
                line.push_str(&format!("{v:?}|"));
            }
            lines.push(line);
        }
        lines.sort();
        out.push_str(&format!("## {t} {}\n{}\n", lines.len(), lines.join("\n")));
    }
    out
}

pub fn count(db: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A database holding the template's three children (regions created on the way).
pub fn seeded_db(dir: &Path) -> PathBuf {
    let db = dir.join("seeded.db");
    let csv = dir.join("template.csv");
    std::fs::write(&csv, to_csv(&template_rows())).unwrap();
    let r = run(
        &db,
        "en",
        &["import", csv.to_str().unwrap(), "--create-regions"],
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    db
}

/// `file` checked against `store` for an import on `today` (regions created), which must
/// have no errors.
pub fn checked_sheet(
    store: &casepanel::store::Store,
    file: &Path,
    today: chrono::NaiveDate,
) -> casepanel::intake::screening::Checked {
    use casepanel::intake::screening::{self, Options};
    let sheet = casepanel::intake::read::read(file, None).unwrap();
    let lookup = casepanel::store::intake::DbLookup::new(store.conn()).unwrap();
    let opts = Options {
        today,
        create_regions: true,
        update: false,
    };
    let checked = screening::check(&sheet, &lookup, &opts).unwrap();
    assert!(!checked.has_errors(), "{:?}", checked.problems);
    checked
}

/// The SQL of every trigger and index, by name: an import must leave them as they were.
pub fn schema(c: &rusqlite::Connection) -> Vec<(String, String)> {
    c.prepare(
        "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type IN ('trigger', 'index')
         ORDER BY name",
    )
    .unwrap()
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// The largest id of `table` (0 when it is empty).
pub fn max_id(c: &rusqlite::Connection, table: &str) -> i64 {
    c.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {table}"),
        [],
        |r| r.get(0),
    )
    .unwrap()
}
