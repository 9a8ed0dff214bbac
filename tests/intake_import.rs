//! Sheets that import: the shipped templates, encodings, idempotence, updates, possible
//! duplicates, the error copy (and formula injection), and historical assessments.

mod common;

use std::path::Path;

use calamine::{Reader, Xlsx};
use common::intake::{count, digest, run, seeded_db, template_rows, template_with, to_csv};

fn assets(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/import")
        .join(name)
}

fn xlsx_rows(path: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn the_templates_import_and_a_second_import_changes_nothing() {
    for template in ["screening.csv", "screening.xlsx"] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let file = assets(template);
        let r = run(
            &db,
            "en",
            &["import", file.to_str().unwrap(), "--create-regions"],
        );
        assert_eq!(r.code, Some(0), "{template}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains("Imported 3 rows: 3 new children, 0 updated, 0 unchanged; 3 cases opened; 3 reports added; 5 regions created."),
            "{}",
            r.stdout
        );
        assert_eq!(count(&db, "child"), 3);
        assert_eq!(count(&db, "guardian"), 3);
        assert_eq!(count(&db, "case_file WHERE status = 'screening'"), 3);
        assert_eq!(count(&db, "case_type"), 5);
        let after_first = digest(&db);
        // Again, with and without --create-regions: nothing changes.
        for extra in [&["--create-regions"][..], &[][..]] {
            let mut args = vec!["import", file.to_str().unwrap()];
            args.extend(extra);
            let r = run(&db, "en", &args);
            assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
            assert!(r.stdout.contains("0 new children, 0 updated, 3 unchanged; 0 cases opened; 0 reports added; 0 regions created"), "{}", r.stdout);
            assert_eq!(
                digest(&db),
                after_first,
                "{template}: the second import wrote"
            );
        }
    }
}

/// Writes `assets/import/screening.xlsx` from the CSV template when
/// `CASEPANEL_WRITE_TEMPLATES=1`: every column formatted as text (so that an ID number typed
/// in it keeps its 18 digits), a bold frozen header, readable widths.
#[test]
fn write_the_xlsx_template_when_asked() {
    if std::env::var("CASEPANEL_WRITE_TEMPLATES").as_deref() != Ok("1") {
        return;
    }
    use rust_xlsxwriter::{Format, Workbook};
    let rows = template_rows();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("排查名单").unwrap();
    let text = Format::new().set_num_format("@");
    let head = Format::new().set_bold().set_num_format("@");
    for (j, h) in rows[0].iter().enumerate() {
        let width = match h.as_str() {
            "身份证号" => 22.0,
            "户籍地" | "现住址" | "情况说明" => 30.0,
            "困境类型" | "学校" => 20.0,
            _ => 12.0,
        };
        ws.set_column_width(j as u16, width).unwrap();
        ws.set_column_format(j as u16, &text).unwrap();
        ws.write_string_with_format(0, j as u16, h, &head).unwrap();
    }
    for (i, r) in rows.iter().enumerate().skip(1) {
        for (j, v) in r.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string_with_format(i as u32, j as u16, v, &text)
                    .unwrap();
            }
        }
    }
    ws.set_freeze_panes(1, 0).unwrap();
    wb.save(assets("screening.xlsx")).unwrap();
}

#[test]
fn the_xlsx_template_holds_what_the_csv_template_holds() {
    let csv = template_rows();
    let xlsx = xlsx_rows(&assets("screening.xlsx"));
    assert_eq!(xlsx, csv);
}

#[test]
fn gbk_and_bom_files_import_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let text = to_csv(&template_rows());
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let mut digests = Vec::new();
    for (name, bytes, args) in [
        ("utf8.csv", text.clone().into_bytes(), vec![]),
        ("gbk.csv", gbk.clone().into_owned(), vec![]),
        ("gbk-named.csv", gbk.into_owned(), vec!["--encoding", "GBK"]),
        (
            "bom.csv",
            [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
            vec![],
        ),
    ] {
        let db = dir.path().join(format!("{name}.db"));
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let mut a = vec!["import", file.to_str().unwrap(), "--create-regions"];
        a.extend(args);
        let r = run(&db, "en", &a);
        assert_eq!(r.code, Some(0), "{name}: {}{}", r.stdout, r.stderr);
        let c = rusqlite::Connection::open(&db).unwrap();
        let names: Vec<String> = c
            .prepare("SELECT name || address || household_registration FROM child ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        digests.push(names);
    }
    assert!(digests.windows(2).all(|w| w[0] == w[1]), "{digests:?}");
    assert_eq!(
        digests[0][0],
        "王小明新民市兴隆镇红旗村3组12号辽宁省新民市兴隆镇"
    );
}

#[test]
fn dry_run_checks_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = digest(&db);
    let mut rows = template_rows();
    let mut extra = rows[3].clone();
    extra[0] = "赵小华".into();
    extra[3] = String::new();
    rows.push(extra);
    let file = dir.path().join("more.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let r = run(&db, "en", &["import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("would add 1 child, update 0, open 1 case and create 0 regions"),
        "{}",
        r.stdout
    );
    assert_eq!(digest(&db), before);
    // Without a database, a dry run does not create one.
    let none = dir.path().join("none.db");
    let r = run(
        &none,
        "en",
        &[
            "import",
            file.to_str().unwrap(),
            "--dry-run",
            "--create-regions",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(!none.exists());
}

#[test]
fn update_takes_the_sheets_values_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = dir.path().join("moved.csv");
    std::fs::write(
        &file,
        to_csv(&template_with(
            1,
            &[
                ("现住址", "新民市兴隆镇红旗村4组1号"),
                ("监护状况", "在家监护"),
                ("困境类型", "事实无人监护、家庭贫困"),
            ],
        )),
    )
    .unwrap();
    let r = run(&db, "en", &["import", file.to_str().unwrap()]);
    assert_eq!(
        r.code,
        Some(1),
        "without --update the differences are reported"
    );
    assert_eq!(
        r.stdout.matches("Differs from the record on file").count(),
        3,
        "{}",
        r.stdout
    );
    let r = run(&db, "en", &["import", file.to_str().unwrap(), "--update"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("0 new children, 1 updated, 2 unchanged"),
        "{}",
        r.stdout
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let addr: String = c
        .query_row(
            "SELECT address FROM child WHERE id_number = '210181201503140114'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(addr, "新民市兴隆镇红旗村4组1号");
    let status: String = c
        .query_row(
            "SELECT status FROM guardian WHERE name = '王大山'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(status, "present");
    let types: i64 = c
        .query_row(
            "SELECT count(*) FROM case_type t JOIN case_file f ON f.id = t.case_id
             JOIN child ch ON ch.id = f.child_id WHERE ch.id_number = '210181201503140114'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(types, 3, "types are added, never dropped");
    // The update ran with the foreign keys off: every row still points at one on file.
    let broken = c
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .count();
    assert_eq!(broken, 0);
    // And once more: nothing left to change.
    let before = digest(&db);
    let r = run(&db, "en", &["import", file.to_str().unwrap(), "--update"]);
    assert_eq!(r.code, Some(0));
    assert_eq!(digest(&db), before);
}

/// The template's first child again (row 2) with another valid ID number: the same name
/// and date of birth as child 1 on file. Returns the rows and that ID number.
fn first_child_with_another_id_number() -> (Vec<Vec<String>>, String) {
    let other = casepanel::domain::id_number::IdNumber::build(
        "210181",
        chrono::NaiveDate::from_ymd_opt(2015, 3, 14).unwrap(),
        33,
        casepanel::domain::child::Sex::Male,
    );
    let mut rows = template_with(1, &[("身份证号", other.as_str())]);
    rows.truncate(2);
    (rows, other.as_str().to_string())
}

#[test]
fn same_name_and_birth_date_is_flagged_never_merged() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let (mut rows, _) = first_child_with_another_id_number();
    // And a child without an ID number, twice in the sheet.
    let mut no_id = rows[1].clone();
    no_id[0] = "孙小燕".into();
    no_id[1] = "女".into();
    no_id[3] = String::new();
    rows.push(no_id.clone());
    rows.push(no_id);
    let file = dir.path().join("dup.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let r = run(&db, "en", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("To check by a person (2;"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("May be the same child as child 1 on file"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Same name and date of birth as row 3"),
        "{}",
        r.stdout
    );
    assert_eq!(count(&db, "child WHERE name = '王小明'"), 2, "never merged");
    assert_eq!(count(&db, "child WHERE name = '孙小燕'"), 2);
    // Both pairs are recorded for a person to decide: the new child, the child it may be,
    // why, and where it came from.
    assert!(
        r.stdout
            .contains("2 pairs of possible duplicates were recorded for a person to check"),
        "{}",
        r.stdout
    );
    assert_eq!(flags(&db), expected_flags(&db, &file));
    // Importing it again changes nothing: the children without an ID number are found again,
    // and no pair is flagged twice.
    let before = digest(&db);
    let r = run(&db, "en", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("possible duplicates"), "{}", r.stdout);
    assert_eq!(digest(&db), before);
}

/// The flagged pairs: (child, other, why, sheet row, source, status).
fn flags(db: &Path) -> Vec<(i64, i64, String, i64, String, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT child_id, other_id, why, sheet_row, source, status
             FROM possible_duplicate ORDER BY id",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// What `same_name_and_birth_date_is_flagged_never_merged`'s sheet must flag, from the
/// children as they are on file: the second 王小明 (row 2, another ID number) may be child 1;
/// the second 孙小燕 (row 4, no ID number) may be the first (row 3).
fn expected_flags(db: &Path, file: &Path) -> Vec<(i64, i64, String, i64, String, String)> {
    use sha2::Digest;
    let c = rusqlite::Connection::open(db).unwrap();
    let ids = |name: &str| -> Vec<i64> {
        c.prepare("SELECT id FROM child WHERE name = ?1 ORDER BY id")
            .unwrap()
            .query_map([name], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let (wang, sun) = (ids("王小明"), ids("孙小燕"));
    let sha = format!("{:x}", sha2::Sha256::digest(std::fs::read(file).unwrap()));
    vec![
        (
            wang[1],
            wang[0],
            "other_id_number".into(),
            2,
            sha.clone(),
            "open".into(),
        ),
        (
            sun[1],
            sun[0],
            "missing_id_number".into(),
            4,
            sha,
            "open".into(),
        ),
    ]
}

#[test]
fn a_person_records_whether_a_flagged_pair_is_one_child() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let (rows, other) = first_child_with_another_id_number();
    let file = dir.path().join("dup.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let r = run(&db, "zh", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    // The list masks names and ID numbers.
    let r = run(&db, "zh", &["duplicates"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("王＊明"), "{}", r.stdout);
    assert!(!r.stdout.contains("王小明"), "{}", r.stdout);
    assert!(!r.stdout.contains(&other), "{}", r.stdout);
    assert!(
        r.stdout.contains("姓名、出生日期相同，身份证号不同"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("待核对 1 对"), "{}", r.stdout);
    // JSON for scripts: ids and findings, no names.
    let r = run(&db, "en", &["duplicates", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(list[0]["status"], "open");
    assert_eq!(list[0]["other"]["child_id"], 1);
    assert!(!r.stdout.contains("王"), "{}", r.stdout);
    // Deciding records the finding, who and why; neither child changes.
    let children = digest_of(&db, "child");
    let r = run(&db, "en", &["duplicates", "decide", "7", "--same"]);
    assert_eq!(r.code, Some(1), "an unknown pair is refused");
    assert!(
        r.stderr.contains("There is no possible duplicate number 7"),
        "{}",
        r.stderr
    );
    let r = run(
        &db,
        "en",
        &[
            "duplicates",
            "decide",
            "1",
            "--different",
            "--note",
            "两个孩子，户籍派出所核实",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Recorded for pair 1: Different children. Neither record was changed."),
        "{}",
        r.stdout
    );
    assert_eq!(digest_of(&db, "child"), children);
    let c = rusqlite::Connection::open(&db).unwrap();
    let (status, by, note): (String, String, String) = c
        .query_row(
            "SELECT status, decided_by, note FROM possible_duplicate WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(status, "different");
    assert!(!by.is_empty());
    assert_eq!(note, "两个孩子，户籍派出所核实");
    let audited: i64 = c
        .query_row(
            "SELECT count(*) FROM audit WHERE tbl = 'possible_duplicate' AND action = 'update'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1, "the finding is in the audit trail");
    // Nothing is left to check; --all still lists it, with the finding.
    let r = run(&db, "en", &["duplicates"]);
    assert!(
        r.stdout
            .contains("No possible duplicates wait for a decision."),
        "{}",
        r.stdout
    );
    let r = run(&db, "en", &["duplicates", "--all"]);
    assert!(r.stdout.contains("Different children ("), "{}", r.stdout);
    // `--same` and `--different` together, or neither: a usage error.
    let r = run(&db, "en", &["duplicates", "decide", "1"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let r = run(
        &db,
        "en",
        &["duplicates", "decide", "1", "--same", "--different"],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

fn digest_of(db: &Path, table: &str) -> String {
    let all = digest(db);
    let start = all.find(&format!("## {table} ")).unwrap();
    let end = all[start + 3..]
        .find("## ")
        .map(|i| i + start + 3)
        .unwrap_or(all.len());
    all[start..end].to_string()
}

#[test]
fn the_error_copy_marks_every_row_and_never_writes_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut rows = template_with(2, &[("身份证号", "210181201208020127")]);
    let mut new_row = rows[3].clone();
    new_row[0] = "=HYPERLINK(\"http://evil\",\"点我\")".into();
    new_row[3] = String::new();
    new_row[18] = "@SUM(1+1)".into();
    new_row[14] = "-12".into();
    rows.push(new_row);
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let before = digest(&db);

    // CSV copy: the error column, and formulas defused with a leading '.
    let out = dir.path().join("bad.errors.csv");
    let r = run(
        &db,
        "zh",
        &[
            "import",
            file.to_str().unwrap(),
            "--errors-out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(1));
    assert_eq!(digest(&db), before);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let copy: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(copy.len(), 5);
    assert_eq!(copy[0].last().unwrap(), "错误说明");
    assert_eq!(copy[1].last().unwrap(), "");
    assert!(
        copy[2].last().unwrap().contains("D 身份证号：校验码不对"),
        "{:?}",
        copy[2]
    );
    assert!(
        copy[4].last().unwrap().contains("电话号码格式不对"),
        "{:?}",
        copy[4]
    );
    assert_eq!(copy[4][0], "'=HYPERLINK(\"http://evil\",\"点我\")");
    assert_eq!(copy[4][18], "'@SUM(1+1)");
    assert_eq!(copy[4][14], "'-12");
    for row in &copy {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }

    // XLSX copy: every cell a string, no formula anywhere.
    let out_x = dir.path().join("bad.errors.xlsx");
    let r = run(
        &db,
        "en",
        &[
            "import",
            file.to_str().unwrap(),
            "--errors-out",
            out_x.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(1));
    let mut wb: Xlsx<_> = calamine::open_workbook(&out_x).unwrap();
    let name = wb.sheet_names()[0].clone();
    let formulas = wb.worksheet_formula(&name).unwrap();
    assert!(
        formulas.cells().all(|(_, _, f)| f.is_empty()),
        "a formula was written"
    );
    let range = wb.worksheet_range(&name).unwrap();
    let cell = range.get((4, 0)).unwrap();
    assert_eq!(
        cell,
        &calamine::Data::String("=HYPERLINK(\"http://evil\",\"点我\")".into())
    );
    assert_eq!(range.get((0, 19)).unwrap().to_string(), "Problems");
    assert!(
        range
            .get((2, 19))
            .unwrap()
            .to_string()
            .contains("check digit is wrong")
    );

    // The officer fixes the copy and imports it as it is: the error column is skipped and
    // the ' taken off again.
    let mut fixed = copy.clone();
    fixed[2][3] = "210181201208020128".into();
    fixed[4][14] = "13900001111".into();
    let fixed_file = dir.path().join("fixed.csv");
    std::fs::write(&fixed_file, to_csv(&fixed)).unwrap();
    let r = run(&db, "en", &["import", fixed_file.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let c = rusqlite::Connection::open(&db).unwrap();
    let (name, summary): (String, String) = c
        .query_row(
            "SELECT ch.name, r.summary FROM child ch JOIN case_file f ON f.child_id = ch.id
             JOIN report r ON r.case_id = f.id WHERE ch.phone = '13900001111'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        name, "=HYPERLINK(\"http://evil\",\"点我\")",
        "stored as data, as typed"
    );
    assert_eq!(summary, "@SUM(1+1)");
}

#[test]
fn errors_out_refuses_to_overwrite_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = dir.path().join("s.csv");
    let text = to_csv(&template_with(1, &[("性别", "?")]));
    std::fs::write(&file, &text).unwrap();
    let r = run(
        &db,
        "en",
        &[
            "import",
            file.to_str().unwrap(),
            "--errors-out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("must not be the file being imported"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn a_title_row_above_the_header_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(
        0,
        0,
        0,
        18,
        "新民市困境儿童排查表（2026 年 10 月）",
        &rust_xlsxwriter::Format::new(),
    )
    .unwrap();
    for (i, r) in template_rows().iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            ws.write_string(i as u32 + 1, j as u16, v).unwrap();
        }
    }
    let file = dir.path().join("titled.xlsx");
    wb.save(&file).unwrap();
    let r = run(
        &db,
        "zh",
        &["import", file.to_str().unwrap(), "--create-regions"],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("新增儿童 3 名"), "{}", r.stdout);
}

#[test]
fn historical_assessments_grade_the_cases_and_import_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = assets("assessments.csv");
    let r = run(
        &db,
        "en",
        &["import", "--assessments", file.to_str().unwrap()],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Imported 2 historical assessments (0 were imported before)"),
        "{}",
        r.stdout
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let (status, level, next): (String, i64, String) = c
        .query_row(
            "SELECT f.status, f.level, f.next_review FROM case_file f JOIN child ch ON ch.id = f.child_id
             WHERE ch.id_number = '210181201503140114'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), level, next.as_str()),
        ("active", 2, "2026-11-20")
    );
    assert_eq!(
        count(
            &db,
            "decision WHERE imported = 1 AND status = 'sealed' AND session_id IS NULL"
        ),
        2
    );
    let before = digest(&db);
    let r = run(
        &db,
        "en",
        &["import", "--assessments", file.to_str().unwrap()],
    );
    assert_eq!(r.code, Some(0));
    assert!(
        r.stdout
            .contains("Imported 0 historical assessments (2 were imported before)")
    );
    assert_eq!(digest(&db), before);

    // An older paper record is kept as history and does not move the level back.
    let older = dir.path().join("older.csv");
    std::fs::write(
        &older,
        "身份证号,评估日期,风险等级,下次复评日期\n210181201503140114,2024-11-20,一级,2025-11-20\n",
    )
    .unwrap();
    let r = run(
        &db,
        "en",
        &["import", "--assessments", older.to_str().unwrap()],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("A later decision (2025-11-20) is on file"),
        "{}",
        r.stdout
    );
    let level: i64 = c
        .query_row(
            "SELECT f.level FROM case_file f JOIN child ch ON ch.id = f.child_id
             WHERE ch.id_number = '210181201503140114'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(level, 2);
}

#[test]
fn bad_assessment_rows_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = digest(&db);
    for (row, expect) in [
        (
            "11010519491231002X,2025-01-01,一级,2026-01-01",
            "No child with this ID number",
        ),
        (
            "210181201503140114,2025-01-01,四级,2026-01-01",
            "Unknown risk level",
        ),
        (
            "210181201503140114,2025-01-01,一级,2024-01-01",
            "not after the assessment date",
        ),
        ("210181201503140114,2027-01-01,一级,", "after today"),
        ("210181201503140115,2025-01-01,一级,", "check digit"),
        ("210181201503140114,,一级,", "required cell is empty"),
    ] {
        let file = dir.path().join("a.csv");
        std::fs::write(
            &file,
            format!("身份证号,评估日期,风险等级,下次复评日期\n{row}\n"),
        )
        .unwrap();
        let r = run(
            &db,
            "en",
            &["import", "--assessments", file.to_str().unwrap()],
        );
        assert_eq!(r.code, Some(1), "{row}");
        assert!(r.stdout.contains(expect), "{row}: {}", r.stdout);
        assert_eq!(digest(&db), before, "{row}");
    }
}

#[test]
fn naming_only_the_county_of_a_child_filed_under_a_village_is_no_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = digest(&db);
    let file = dir.path().join("county.csv");
    std::fs::write(
        &file,
        to_csv(&template_with(1, &[("乡镇(街道)", ""), ("村(居)", "")])),
    )
    .unwrap();
    let r = run(&db, "en", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0 updated, 3 unchanged"), "{}", r.stdout);
    assert_eq!(digest(&db), before);
    // Moving the child to another county is a difference.
    std::fs::write(
        &file,
        to_csv(&template_with(
            1,
            &[("县(区)", "法库县"), ("乡镇(街道)", ""), ("村(居)", "")],
        )),
    )
    .unwrap();
    let r = run(&db, "en", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stdout
            .contains("which says \"沈阳市 新民市 兴隆镇 红旗村\""),
        "{}",
        r.stdout
    );
}

/// A sheet big enough to be checked on both cores (its rows cut in runs), whose rows name
/// the same few places again and again (each worked out once, then replayed): every row
/// gets exactly its own problems, under its own row number, and the valid rows are planned
/// in sheet order.
#[test]
fn a_big_sheet_gets_each_rows_own_problems_in_sheet_order() {
    use casepanel::domain::{child::Sex, id_number::IdNumber};
    use casepanel::intake::problem::Kind;
    use casepanel::intake::{read, screening};
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let store = casepanel::store::Store::open(&db).unwrap();
    let template = template_rows();
    let header = template[0].clone();
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    let base = chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    let n = 12_000;
    let mut rows = vec![header.clone()];
    for i in 0..n {
        let mut r = template[1].clone();
        let birth = base + chrono::Duration::days(i as i64 / 500);
        let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
        let id = IdNumber::build("210181", birth, (i % 500) as u16 * 2, sex);
        r[col("姓名")] = format!("童{i}");
        r[col("性别")] = if i % 2 == 0 { "男" } else { "女" }.to_string();
        r[col("出生日期")] = birth.to_string();
        r[col("身份证号")] = id.to_string();
        match i % 6 {
            1 => r[col("排查日期")] = "2026-02-30".into(),
            2 => r[col("乡镇(街道)")] = "不存在镇".into(),
            3 => r[col("市")] = "火星市".into(),
            5 => {
                r[col("乡镇(街道)")] = "不存在镇".into();
                r[col("排查日期")] = "2026-02-30".into();
            }
            _ => {}
        }
        rows.push(r);
    }
    let file = dir.path().join("big.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let sheet = read::read(&file, None).unwrap();
    let lookup = casepanel::store::intake::DbLookup::new(store.conn()).unwrap();
    let opts = screening::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        create_regions: false,
        update: false,
    };
    let checked = screening::check(&sheet, &lookup, &opts).unwrap();

    let mut want = Vec::new();
    for i in 0..n {
        let row = i as u32 + 2;
        let (date, town, city) = (col("排查日期"), col("乡镇(街道)"), col("市"));
        match i % 6 {
            1 => want.push((row, date, "no such date")),
            2 => want.push((row, town, "unknown township")),
            3 => want.push((row, city, "unknown city")),
            5 => {
                want.push((
                    row,
                    town.min(date),
                    if town < date {
                        "unknown township"
                    } else {
                        "no such date"
                    },
                ));
                want.push((
                    row,
                    town.max(date),
                    if town < date {
                        "no such date"
                    } else {
                        "unknown township"
                    },
                ));
            }
            _ => {}
        }
    }
    let got: Vec<(u32, usize, &str)> = checked
        .problems
        .iter()
        .map(|p| {
            let what = match &p.kind {
                Kind::NoSuchDate => "no such date",
                Kind::UnknownTownship { county } => {
                    assert_eq!(county, "新民市", "row {:?}", p.row);
                    "unknown township"
                }
                Kind::UnknownCity => "unknown city",
                other => panic!("row {:?}: {other:?}", p.row),
            };
            (p.row.unwrap(), p.col.unwrap() as usize, what)
        })
        .collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    let planned: Vec<(u32, String)> = checked
        .entries
        .iter()
        .map(|e| (e.row, e.child.name.clone()))
        .collect();
    let valid: Vec<(u32, String)> = (0..n)
        .filter(|i| i % 6 == 0 || i % 6 == 4)
        .map(|i| (i as u32 + 2, format!("童{i}")))
        .collect();
    assert_eq!(planned, valid);
    assert_eq!(checked.rows, n);
}
