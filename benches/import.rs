//! The screening import at scale (issues 6 and 8): a 100,000-row screening sheet, as CSV and
//! as XLSX, imported into a copy of a demo-sized database (300 generated cases), side by
//! side with the `sqlite3` shell's `.import --csv` of the same CSV into a plain table, in
//! the same run. Targets: under 2 s (issue 6); at least 100,000 rows/s and at least half
//! the `sqlite3 .import` rate (issue 8).
//!
//!     cargo bench --locked --bench import
//!
//! `CASEPANEL_IMPORT_ROWS` (default 100000) and `CASEPANEL_IMPORT_RUNS` (default 3; the
//! median is reported) change the size and the repetitions. The sheet, the database and
//! the timings go to a temporary folder that is removed afterwards; the demo-sized
//! database is generated once and cached under `target/bench-data/` (benches/support).
//!
//! The import is timed through the library functions `casepanel import FILE
//! --create-regions` calls, phase by phase: read (parse the file), check (the lookups
//! and every rule of every row), write (one transaction: the rows, the indexes, the audit
//! event, the commit with `synchronous=FULL`). One run of the real binary per format is
//! timed too (process start, opening the database and printing included). After each CSV
//! import, SQLite alone stores the same rows again into a fresh copy of the database
//! ([`schema_floor`]): the write's floor for this schema on this machine.
//!
//! `benches/ab_import.py` runs two builds of the binary in turn on one sheet, for before and
//! after comparisons on a machine whose speed swings.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use casepanel::domain::child::Sex;
use casepanel::domain::id_number::IdNumber;
use casepanel::intake::read;
use casepanel::intake::screening::{self, Options};
use casepanel::store::{Store, intake};
use chrono::{Duration as Days, NaiveDate};

/// The template's header, in its column order.
const HEADER: [&str; 19] = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "户籍地",
    "现住址",
    "市",
    "县(区)",
    "乡镇(街道)",
    "村(居)",
    "困境类型",
    "监护人姓名",
    "与儿童关系",
    "监护状况",
    "联系电话",
    "学校",
    "排查日期",
    "排查人",
    "情况说明",
];

/// `n` invented children, valid and distinct, over 5 counties and 50 new townships: the
/// cells of each row in [`HEADER`] order. A third of the rows carry notes (a report each).
fn big_rows(n: usize) -> Vec<[String; 19]> {
    const SURNAMES: &[char] = &[
        '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡',
        '郭', '何', '林', '高', '罗',
    ];
    const GIVEN: &[char] = &[
        '明', '华', '红', '军', '丽', '强', '芳', '伟', '敏', '静', '磊', '洋', '艳', '勇', '娜',
        '杰', '涛', '超', '霞', '平', '刚', '桂', '英', '玉', '兰', '秀', '梅', '鹏', '宇', '浩',
    ];
    const COUNTIES: &[(&str, &str)] = &[
        ("新民市", "210181"),
        ("法库县", "210124"),
        ("康平县", "210123"),
        ("辽中区", "210115"),
        ("于洪区", "210114"),
    ];
    const TYPES: &[&str] = &[
        "家庭贫困",
        "监护不当",
        "事实无人监护、失学辍学",
        "家暴",
        "重病重残",
    ];
    let base = NaiveDate::from_ymd_opt(2009, 1, 1).expect("a date");
    (0..n)
        .map(|i| {
            let birth = base + Days::days((i / 400) as i64 % 5800);
            let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
            let (county, code) = COUNTIES[i % COUNTIES.len()];
            let id = IdNumber::build(code, birth, (i % 400) as u16 * 2, sex);
            let name: String = [
                SURNAMES[i % SURNAMES.len()],
                GIVEN[(i / 20) % GIVEN.len()],
                GIVEN[(i / 600) % GIVEN.len()],
            ]
            .iter()
            .collect();
            let town = format!("第{}镇", i % 10 + 1);
            let surname: String = name.chars().take(1).collect();
            [
                name,
                if sex == Sex::Male { "男" } else { "女" }.to_string(),
                birth.format("%Y-%m-%d").to_string(),
                id.to_string(),
                format!("辽宁省{county}"),
                format!("{county}{town}{}号", i % 300),
                "沈阳市".to_string(),
                county.to_string(),
                town,
                String::new(),
                TYPES[i % TYPES.len()].to_string(),
                format!("{surname}父"),
                "父亲".to_string(),
                "外出务工".to_string(),
                format!("138{i:08}"),
                String::new(),
                format!("2026-10-{:02}", i % 28 + 1),
                "社区专干 刘芳".to_string(),
                if i % 3 == 0 {
                    "父母外出务工，由祖母照看，祖母年迈多病。".to_string()
                } else {
                    String::new()
                },
            ]
        })
        .collect()
}

fn write_csv(path: &Path, rows: &[[String; 19]]) {
    let mut w = csv::Writer::from_path(path).expect("csv file");
    w.write_record(HEADER).expect("header");
    for r in rows {
        w.write_record(r).expect("row");
    }
    w.flush().expect("flush");
}

fn write_xlsx(path: &Path, rows: &[[String; 19]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (j, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, j as u16, *h).expect("header cell");
    }
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            if !v.is_empty() {
                sheet
                    .write_string(i as u32 + 1, j as u16, v)
                    .expect("a cell");
            }
        }
    }
    book.save(path).expect("xlsx file");
}

#[derive(Debug, Clone, Copy, Default)]
struct Phases {
    read: Duration,
    check: Duration,
    write: Duration,
    /// CPU time (user + system) of the whole import.
    cpu: Duration,
    /// Of `write`, the commit (the WAL written and synced, then checkpointed).
    commit: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.read + self.check + self.write
    }
}

/// CPU time used so far by this process (`self`) and by its children that have been waited
/// for (benches/support). The machine is shared: wall time grows with the other work on
/// it, CPU time much less.
fn cpu_times() -> (Duration, Duration) {
    (
        support::cpu_time().unwrap_or_default(),
        support::children_cpu_time().unwrap_or_default(),
    )
}

/// One import of `file` into a fresh copy of `template`, as `casepanel import FILE
/// --create-regions` does it. Returns the phases and the rows imported.
/// With `keep`, the imported database is kept at `keep` (for [`schema_floor`]).
fn import_once(template: &Path, dir: &Path, file: &Path, keep: Option<&Path>) -> (Phases, usize) {
    let db = dir.join("import.db");
    remove_db(&db);
    std::fs::copy(template, &db).expect("copying the demo database");
    let mut store = Store::open(&db).expect("opening the copy");
    let today = support::today();
    let opts = Options {
        today,
        create_regions: true,
        update: false,
    };
    let mut p = Phases::default();
    let cpu = cpu_times().0;
    let t = Instant::now();
    let sheet = read::read(file, None).expect("a readable sheet");
    p.read = t.elapsed();
    let t = Instant::now();
    let checked = {
        let lookup = intake::DbLookup::new(store.conn()).expect("lookups");
        screening::check(&sheet, &lookup, &opts).expect("checks")
    };
    p.check = t.elapsed();
    assert!(
        !checked.has_errors(),
        "the generated sheet has errors: {:?}",
        &checked.problems[..checked.problems.len().min(3)]
    );
    let t = Instant::now();
    let mut inside = Duration::ZERO;
    let sum = store
        .import_screening(&checked, today, &mut |d, n| {
            // The last call (every row done) comes just before the commit.
            if d == n {
                inside = t.elapsed();
            }
        })
        .expect("the import");
    p.write = t.elapsed();
    p.commit = p.write - inside;
    p.cpu = cpu_times().0 - cpu;
    assert_eq!(sum.children_new, checked.entries.len());
    drop(store);
    match keep {
        Some(to) => std::fs::rename(&db, to).expect("keeping the imported database"),
        None => remove_db(&db),
    }
    (p, checked.entries.len())
}

/// `casepanel import FILE --create-regions` as a user runs it.
fn import_binary(template: &Path, dir: &Path, file: &Path) -> (Duration, Duration) {
    let db = dir.join("binary.db");
    remove_db(&db);
    std::fs::copy(template, &db).expect("copying the demo database");
    let cpu = cpu_times().1;
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_casepanel"))
        .arg("--db")
        .arg(&db)
        .args(["--lang", "en", "--operator", "bench", "import"])
        .arg(file)
        .arg("--create-regions")
        .env("CASEPANEL_TODAY", support::today().to_string())
        .output()
        .expect("running casepanel");
    let took = (t.elapsed(), cpu_times().1 - cpu);
    assert!(
        out.status.success(),
        "casepanel import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    remove_db(&db);
    took
}

/// `sqlite3 DB ".import --csv FILE t"` into a new, plain table (no index, no constraint).
fn sqlite3_import(dir: &Path, file: &Path) -> Option<(Duration, Duration)> {
    let db = dir.join("plain.db");
    remove_db(&db);
    let cpu = cpu_times().1;
    let t = Instant::now();
    let out = Command::new("sqlite3")
        .arg(&db)
        .arg(format!(".import --csv {} t", file.display()))
        .output()
        .ok()?;
    let took = (t.elapsed(), cpu_times().1 - cpu);
    if !out.status.success() || !out.stderr.is_empty() {
        eprintln!(
            "sqlite3 .import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    remove_db(&db);
    Some(took)
}

/// The tables an import of new children writes rows into: its five, then the search's two.
const TABLES: [&str; 7] = [
    "child",
    "guardian",
    "case_file",
    "case_type",
    "report",
    "name_gram",
    "case_key",
];

/// What SQLite alone takes to write the rows an import wrote (`imported`, a copy of
/// `template` after a `casepanel import`) into another copy of `template`: one
/// transaction, with the connection as the store opens it and as the import sets it
/// (page cache, temporary store in memory, foreign keys off), the triggers dropped, the
/// secondary indexes of the tables dropped and built again after the rows, the search rows
/// in key order, then the commit. No reading, no checking, no tallies, no audit: the floor
/// of the write for this schema, on this machine, with this build's SQLite.
fn schema_floor(template: &Path, imported: &Path, dir: &Path) -> Duration {
    let db = dir.join("floor.db");
    remove_db(&db);
    std::fs::copy(template, &db).expect("copying the demo database");
    let store = Store::open(&db).expect("opening the copy");
    let c = store.conn();
    c.execute_batch(
        "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF;",
    )
    .expect("pragmas");
    c.execute(
        "ATTACH ?1 AS src",
        [imported.to_str().expect("a UTF-8 path")],
    )
    .expect("attaching the imported database");
    let strings = |sql: &str| -> Vec<String> {
        c.prepare(sql)
            .expect(sql)
            .query_map([], |r| r.get(0))
            .expect(sql)
            .collect::<rusqlite::Result<_>>()
            .expect(sql)
    };
    let list = TABLES.map(|t| format!("'{t}'")).join(", ");
    let triggers = strings("SELECT name FROM main.sqlite_schema WHERE type = 'trigger'");
    // Each index as a drop and its `CREATE INDEX`.
    let sql = format!(
        "SELECT 'DROP INDEX main.\"' || name || '\"', sql FROM main.sqlite_schema
         WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({list}) ORDER BY rowid"
    );
    let (drops, indexes): (Vec<String>, Vec<String>) = c
        .prepare(&sql)
        .expect(&sql)
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect(&sql)
        .collect::<rusqlite::Result<Vec<(String, String)>>>()
        .expect(&sql)
        .into_iter()
        .unzip();
    let max_case: i64 = c
        .query_row("SELECT max(id) FROM main.case_file", [], |r| r.get(0))
        .expect("the largest case id");
    let mut copy = Vec::new();
    for t in TABLES {
        let cols = strings(&format!(
            "SELECT name FROM pragma_table_xinfo('{t}') WHERE hidden = 0 ORDER BY cid"
        ))
        .join(", ");
        let only_new = match t {
            "name_gram" => format!("case_id > {max_case} ORDER BY gram, case_id"),
            "case_key" => format!("case_id > {max_case} ORDER BY kind, key, case_id"),
            "case_type" => format!("case_id > {max_case}"),
            _ => format!("rowid > (SELECT coalesce(max(rowid), 0) FROM main.\"{t}\")"),
        };
        copy.push(format!(
            "INSERT INTO main.\"{t}\" ({cols}) SELECT {cols} FROM src.\"{t}\" WHERE {only_new}"
        ));
    }
    let t = Instant::now();
    c.execute_batch("BEGIN").expect("begin");
    for name in &triggers {
        c.execute_batch(&format!("DROP TRIGGER main.\"{name}\""))
            .expect("dropping a trigger");
    }
    for drop in &drops {
        c.execute_batch(drop).expect(drop);
    }
    let mut steps = Vec::new();
    let mut step = |name: &str, sqls: &[String]| {
        let t = Instant::now();
        for sql in sqls {
            c.execute_batch(sql).expect(sql);
        }
        steps.push(format!("{name} {}", ms(t.elapsed())));
    };
    step("rows", &copy[..5]);
    step("search rows", &copy[5..]);
    step("indexes", &indexes);
    step("commit", &["COMMIT".to_string()]);
    let took = t.elapsed();
    eprintln!("  SQLite alone: {}", steps.join(", "));
    let rows: i64 = c
        .query_row("SELECT count(*) FROM main.child", [], |r| r.get(0))
        .expect("counting");
    let want: i64 = c
        .query_row("SELECT count(*) FROM src.child", [], |r| r.get(0))
        .expect("counting");
    assert_eq!(rows, want, "the floor's copy has every child");
    drop(store);
    remove_db(&db);
    took
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rate(rows: usize, d: Duration) -> f64 {
    rows as f64 / d.as_secs_f64()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs benchmarks as tests: keep
    // that quick by importing a small sheet once.
    let quick = !std::env::args().any(|a| a == "--bench");
    let n = if quick {
        1000
    } else {
        env_usize("CASEPANEL_IMPORT_ROWS", 100_000)
    };
    let runs = if quick {
        1
    } else {
        env_usize("CASEPANEL_IMPORT_RUNS", 3).max(1)
    };
    // `CASEPANEL_IMPORT_FORMATS=csv` (or `xlsx`) measures one format only.
    let formats: Vec<&str> = match std::env::var("CASEPANEL_IMPORT_FORMATS") {
        Ok(f) if f.eq_ignore_ascii_case("csv") => vec!["CSV"],
        Ok(f) if f.eq_ignore_ascii_case("xlsx") => vec!["XLSX"],
        _ => vec!["CSV", "XLSX"],
    };
    let template = support::database(&support::Spec {
        cases: 300,
        seed: 2014,
        today: support::today(),
    })
    .expect("the demo-sized database");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let csv = dir.path().join("screening.csv");
    let xlsx = dir.path().join("screening.xlsx");
    let t = Instant::now();
    let rows = big_rows(n);
    write_csv(&csv, &rows);
    if formats.contains(&"XLSX") {
        write_xlsx(&xlsx, &rows);
    }
    drop(rows);
    eprintln!(
        "{n} rows written as CSV ({} bytes) and XLSX ({} bytes) in {:.1} s",
        std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0),
        std::fs::metadata(&xlsx).map(|m| m.len()).unwrap_or(0),
        t.elapsed().as_secs_f64()
    );
    let file = |name: &str| if name == "CSV" { &csv } else { &xlsx };

    let mut sqlite = Vec::new();
    let mut floor = Vec::new();
    let imported = dir.path().join("imported.db");
    let mut by_format: Vec<(&str, Vec<Phases>)> =
        formats.iter().map(|f| (*f, Vec::new())).collect();
    for run in 0..runs {
        if let Some(d) = sqlite3_import(dir.path(), &csv) {
            eprintln!(
                "run {}: sqlite3 .import: {} (CPU {})",
                run + 1,
                ms(d.0),
                ms(d.1)
            );
            sqlite.push(d);
        }
        for (name, list) in by_format.iter_mut() {
            let keep = (*name == "CSV").then_some(imported.as_path());
            let (p, rows) = import_once(&template.path, dir.path(), file(name), keep);
            assert_eq!(rows, n);
            eprintln!(
                "run {}: {name}: read {}, check {}, write {} (commit {}), total {} (CPU {})",
                run + 1,
                ms(p.read),
                ms(p.check),
                ms(p.write),
                ms(p.commit),
                ms(p.total()),
                ms(p.cpu),
            );
            list.push(p);
            if keep.is_some() {
                let d = schema_floor(&template.path, &imported, dir.path());
                eprintln!(
                    "run {}: SQLite alone, the same rows and indexes: {}",
                    run + 1,
                    ms(d)
                );
                floor.push(d);
                remove_db(&imported);
            }
        }
    }
    let binary: Vec<(&str, (Duration, Duration))> = formats
        .iter()
        .map(|name| (*name, import_binary(&template.path, dir.path(), file(name))))
        .collect();

    let sqlite = (!sqlite.is_empty()).then(|| {
        (
            median(sqlite.iter().map(|d| d.0).collect()),
            median(sqlite.iter().map(|d| d.1).collect()),
        )
    });
    println!();
    println!(
        "import of {n} screening rows into a copy of a 300-case database, median of {runs} \
         (wall time; CPU time in brackets)"
    );
    println!();
    println!(
        "| what | read | check | write | total | rows/s | rate ÷ sqlite3 .import | binary (1 run) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, list) in &by_format {
        let pick = |f: fn(&Phases) -> Duration| median(list.iter().map(f).collect());
        let (total, cpu) = (pick(Phases::total), pick(|p| p.cpu));
        let ratio = sqlite
            .map(|(w, c)| {
                format!(
                    "{:.2} ({:.2})",
                    w.as_secs_f64() / total.as_secs_f64(),
                    c.as_secs_f64() / cpu.as_secs_f64()
                )
            })
            .unwrap_or_else(|| "-".into());
        let bin = binary
            .iter()
            .find(|(b, _)| b == name)
            .map(|(_, (w, c))| format!("{} ({})", ms(*w), ms(*c)))
            .unwrap_or_default();
        println!(
            "| casepanel import, {name} | {} | {} | {} | **{}** ({}) | {:.0} ({:.0}) | {ratio} | {bin} |",
            ms(pick(|p| p.read)),
            ms(pick(|p| p.check)),
            ms(pick(|p| p.write)),
            ms(total),
            ms(cpu),
            rate(n, total),
            rate(n, cpu),
        );
    }
    if !floor.is_empty() {
        let w = median(floor);
        println!(
            "| SQLite alone: the CSV import's rows and indexes, copied (the write's floor) | | | {} | {} | {:.0} | | |",
            ms(w),
            ms(w),
            rate(n, w)
        );
    }
    match sqlite {
        Some((w, c)) => println!(
            "| sqlite3 `.import --csv` (plain table) | | | | {} ({}) | {:.0} ({:.0}) | 1 | |",
            ms(w),
            ms(c),
            rate(n, w),
            rate(n, c)
        ),
        None => {
            println!("| sqlite3 `.import --csv` | not measured: no sqlite3 shell | | | | | | |")
        }
    }
}
