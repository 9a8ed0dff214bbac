//! The corpus of bad sheets: each is refused with the right message, exit code 1, and
//! leaves the database exactly as it was (a digest of every row of every table).

mod common;

use casepanel::domain::child::Sex;
use casepanel::domain::id_number::IdNumber;
use chrono::NaiveDate;
use common::intake::{digest, run, seeded_db, template_rows, template_with, to_csv};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An .xlsx of `rows` as text cells, changed by `tweak`.
fn xlsx(rows: &[Vec<String>], tweak: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(i as u32, j as u16, v).unwrap();
            }
        }
    }
    tweak(ws);
    wb.save_to_buffer().unwrap()
}

fn col(h: &str) -> u16 {
    template_rows()[0].iter().position(|x| x == h).unwrap() as u16
}

struct Case {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    args: Vec<&'static str>,
    expect: Vec<String>,
}

fn case(name: &'static str, file: &'static str, bytes: Vec<u8>, expect: &[&str]) -> Case {
    Case {
        name,
        file,
        bytes,
        args: Vec::new(),
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

fn row_case(name: &'static str, edits: &[(&str, &str)], expect: &[&str]) -> Case {
    case(
        name,
        "sheet.csv",
        to_csv(&template_with(1, edits)).into_bytes(),
        expect,
    )
}

fn corpus() -> Vec<Case> {
    let adult = IdNumber::build("210181", d(2008, 10, 1), 15, Sex::Male).to_string();
    let other_id = IdNumber::build("210181", d(2016, 6, 1), 17, Sex::Male).to_string();
    let mut header_only = template_rows();
    header_only.truncate(1);
    let mut dup_col = template_rows();
    for r in &mut dup_col {
        let v = r[0].clone();
        r.push(v);
    }
    let mut unknown_col = template_rows();
    unknown_col[0][3] = "身分证".into();
    let mut missing_col = template_rows();
    for r in &mut missing_col {
        r.remove(col("排查日期") as usize);
    }
    let mut dup_row = template_rows();
    let again = dup_row[1].clone();
    dup_row.push(again);
    let mut big = template_rows();
    big[1][col("情况说明") as usize] = "长".repeat(10 * 1024 * 1024 / 3);
    let gbk = |rows: &[Vec<String>]| {
        let text = to_csv(rows);
        let (b, _, _) = encoding_rs::GBK.encode(&text);
        b.into_owned()
    };
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(to_csv(&template_with(2, &[("身份证号", "210181201208020127")])).into_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    for u in to_csv(&template_with(1, &[("性别", "不详")])).encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let mut junk = b"PK\x03\x04".to_vec();
    junk.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));

    vec![
        // The file.
        case(
            "empty file",
            "empty.csv",
            Vec::new(),
            &["The file is empty"],
        ),
        case(
            "blank file",
            "blank.csv",
            b"\n \r\n\t\n".to_vec(),
            &["The file is empty"],
        ),
        case(
            "empty xlsx",
            "empty.xlsx",
            xlsx(&[], |_| {}),
            &["The file is empty"],
        ),
        case(
            "header only",
            "header.csv",
            to_csv(&header_only).into_bytes(),
            &["headers but no rows"],
        ),
        case(
            "header only xlsx",
            "header.xlsx",
            xlsx(&header_only, |_| {}),
            &["headers but no rows"],
        ),
        case(
            "binary junk named .xlsx",
            "junk.xlsx",
            junk.clone(),
            &["not a valid .xlsx workbook"],
        ),
        case(
            "binary junk named .csv",
            "junk.csv",
            junk,
            &["not text in UTF-8 or GBK"],
        ),
        case(
            "old Excel file",
            "old.xls",
            b"\xD0\xCF\x11\xE0".to_vec(),
            &["does not read .xls files"],
        ),
        case(
            "not a sheet",
            "list.pdf",
            b"%PDF-1.4".to_vec(),
            &["is not a spreadsheet file"],
        ),
        Case {
            args: vec!["--encoding", "klingon"],
            ..case(
                "unknown encoding",
                "sheet.csv",
                to_csv(&template_rows()).into_bytes(),
                &["Unknown encoding \"klingon\""],
            )
        },
        Case {
            args: vec!["--encoding", "utf-8"],
            ..case(
                "GBK file read as UTF-8",
                "gbk.csv",
                gbk(&template_rows()),
                &["not text in UTF-8 or GBK"],
            )
        },
        // Columns and shapes.
        case(
            "unknown column",
            "sheet.csv",
            to_csv(&unknown_col).into_bytes(),
            &[
                "Row 1, column D (身分证)",
                "does not know this column's header",
            ],
        ),
        case(
            "duplicated column",
            "sheet.csv",
            to_csv(&dup_col).into_bytes(),
            &["column T (姓名)", "same as column A: it appears twice"],
        ),
        case(
            "missing required column",
            "sheet.csv",
            to_csv(&missing_col).into_bytes(),
            &["The required column \"排查日期\" (Screening date) is missing"],
        ),
        case(
            "merged header cells",
            "merged.xlsx",
            xlsx(&template_rows(), |ws| {
                ws.merge_range(0, 0, 0, 1, "姓名", &Format::new()).unwrap();
            }),
            &["Cells A1:B1 are merged"],
        ),
        case(
            "merged data cells",
            "merged2.xlsx",
            xlsx(&template_rows(), |ws| {
                ws.merge_range(2, 6, 3, 6, "沈阳市", &Format::new())
                    .unwrap();
            }),
            &["Cells G3:G4 are merged"],
        ),
        case(
            "formula cell",
            "formula.xlsx",
            xlsx(&template_rows(), |ws| {
                ws.write_formula(1, col("出生日期"), "=DATE(2015,3,14)")
                    .unwrap();
            }),
            &[
                "Row 2, column C (出生日期)",
                "holds a formula (=DATE(2015,3,14))",
            ],
        ),
        case(
            "ID number stored as a number",
            "number.xlsx",
            xlsx(&template_rows(), |ws| {
                ws.write_number(1, col("身份证号"), 210181201503140114.0)
                    .unwrap();
            }),
            &["Row 2, column D (身份证号)", "stored as a number"],
        ),
        case(
            "10 MB cell",
            "big.csv",
            to_csv(&big).into_bytes(),
            &["Row 2, column S (情况说明)", "Too long: 3495253 characters"],
        ),
        // Encodings carry their values through.
        case(
            "GBK file with an unknown type",
            "gbk.csv",
            gbk(&template_with(1, &[("困境类型", "留守、家暴")])),
            &["Unknown difficulty type \"留守\""],
        ),
        case(
            "UTF-8 with BOM, bad check digit",
            "bom.csv",
            bom,
            &["Row 3, column D (身份证号)", "should be 8, not 7"],
        ),
        case(
            "UTF-16 with BOM, bad sex",
            "utf16.csv",
            utf16,
            &["Sex must be 男 or 女"],
        ),
        // Rows.
        row_case(
            "bad check digit",
            &[("身份证号", "210181201503140115")],
            &[
                "as typed: \"210181201503140115\"",
                "the last one should be 4, not 5",
            ],
        ),
        row_case(
            "ID too short",
            &[("身份证号", "21018120150314")],
            &["this one has 14"],
        ),
        row_case(
            "letter inside the ID",
            &[("身份证号", "2101812015O3140114")],
            &["Character 11 is not a digit"],
        ),
        row_case(
            "ID with no real birth date",
            &[("身份证号", "210181201513400114")],
            &["\"20151340\", are not a real date of birth"],
        ),
        row_case(
            "birth date contradicts the ID",
            &[("出生日期", "2015-03-15")],
            &["disagrees with the ID number, which says 2015-03-14"],
        ),
        row_case(
            "sex contradicts the ID",
            &[("性别", "女")],
            &["17th digit says Male"],
        ),
        row_case(
            "sex not understood",
            &[("性别", "未知")],
            &["Sex must be 男 or 女"],
        ),
        row_case(
            "18 on the screening day",
            &[("出生日期", "2008-10-01"), ("身份证号", adult.as_str())],
            &["The child was 18, not under 18"],
        ),
        row_case(
            "screening date in the future",
            &[("排查日期", "2026-12-01")],
            &["after today (2026-11-29)"],
        ),
        row_case(
            "birth date in the future",
            &[("出生日期", "2027-01-01"), ("身份证号", "")],
            &["after today (2026-11-29)"],
        ),
        row_case(
            "no such day",
            &[("排查日期", "2026-02-30")],
            &["no such day"],
        ),
        row_case(
            "not a date",
            &[("排查日期", "上个月")],
            &["This is not a date"],
        ),
        row_case(
            "two-digit year",
            &[("排查日期", "26-10-08")],
            &["four-digit year"],
        ),
        row_case(
            "screened before birth",
            &[
                ("出生日期", "2016-06-01"),
                ("身份证号", other_id.as_str()),
                ("排查日期", "2015-01-01"),
            ],
            &["before the date of birth"],
        ),
        row_case(
            "empty name",
            &[("姓名", "")],
            &["column A (姓名)", "required cell is empty"],
        ),
        row_case(
            "empty types",
            &[("困境类型", " ")],
            &["required cell is empty"],
        ),
        row_case(
            "unknown type",
            &[("困境类型", "单亲")],
            &["Unknown difficulty type \"单亲\""],
        ),
        row_case(
            "unknown city",
            &[("市", "北京市")],
            &["No city of that name"],
        ),
        row_case(
            "county of another city",
            &[("县(区)", "金州区")],
            &["in 沈阳市"],
        ),
        row_case(
            "village without township",
            &[("乡镇(街道)", "")],
            &["village is given without its township"],
        ),
        row_case(
            "unknown township without --create-regions",
            &[("乡镇(街道)", "兴隆镇X")],
            &["新民市 has no township", "--create-regions"],
        ),
        row_case(
            "bad phone",
            &[("联系电话", "1381234567")],
            &["not a phone number"],
        ),
        row_case(
            "phone with letters",
            &[("联系电话", "138-TEL")],
            &["not a phone number"],
        ),
        row_case(
            "unknown relation",
            &[("与儿童关系", "同学")],
            &["Unknown relation"],
        ),
        row_case(
            "unknown guardian status",
            &[("监护状况", "还行")],
            &["Unknown guardian status"],
        ),
        row_case(
            "guardian without relation",
            &[("与儿童关系", "")],
            &["column M (与儿童关系)", "guardian is incomplete"],
        ),
        row_case(
            "guardian status without a name",
            &[("监护人姓名", "")],
            &["column L (监护人姓名)", "guardian is incomplete"],
        ),
        case(
            "same ID number twice",
            "sheet.csv",
            to_csv(&dup_row).into_bytes(),
            &["Row 5, column D", "Same ID number as row 2"],
        ),
        row_case(
            "differs from the file",
            &[("现住址", "新民市兴隆镇红旗村4组1号")],
            &["which says \"新民市兴隆镇红旗村3组12号\"", "--update"],
        ),
        row_case(
            "guardian differs from the file",
            &[("监护状况", "在家监护")],
            &["column L (监护人姓名)", "王大山 父亲 服刑"],
        ),
        row_case(
            "new type on an open case",
            &[("困境类型", "事实无人监护、失学辍学、家庭贫困")],
            &[
                "column K (困境类型)",
                "which says \"事实无人监护、失学辍学\"",
            ],
        ),
        case(
            "formula text in a CSV name cell is data, but a bad one",
            "sheet.csv",
            to_csv(&template_with(1, &[("姓名", "=HYPERLINK(\"http://x\")")])).into_bytes(),
            &["which says \"王小明\""],
        ),
    ]
}

#[test]
fn every_bad_sheet_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let cases = corpus();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let before = digest(&db);
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let sub = dir.path().join(format!("case{i:02}"));
        std::fs::create_dir(&sub).unwrap();
        let file = sub.join(c.file);
        std::fs::write(&file, &c.bytes).unwrap();
        let mut args = vec!["import", file.to_str().unwrap()];
        args.extend(&c.args);
        let r = run(&db, "en", &args);
        let mut wrong = Vec::new();
        if r.code != Some(1) {
            wrong.push(format!("exit code {:?}", r.code));
        }
        for e in &c.expect {
            if !r.stdout.contains(e.as_str()) {
                wrong.push(format!("no `{e}`"));
            }
        }
        if !r.stderr.contains("nothing was imported") {
            wrong.push("no `nothing was imported` on stderr".into());
        }
        if digest(&db) != before {
            wrong.push("the database changed".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n--- stdout\n{}--- stderr\n{}",
                c.name,
                wrong.join("; "),
                r.stdout.chars().take(2000).collect::<String>(),
                r.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_missing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = digest(&db);
    let r = run(
        &db,
        "en",
        &["import", dir.path().join("nope.csv").to_str().unwrap()],
    );
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("The file cannot be read"), "{}", r.stdout);
    assert_eq!(digest(&db), before);
}

#[test]
fn messages_in_chinese_name_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let file = dir.path().join("名单.csv");
    std::fs::write(
        &file,
        to_csv(&template_with(1, &[("身份证号", "210181201503140115")])),
    )
    .unwrap();
    let r = run(&db, "zh", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stdout
            .contains("第 2 行 · D 列「身份证号」 · 填写的是“210181201503140115”"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("校验码不对：按前 17 位，最后一位应是 4，不是 5")
    );
    assert!(r.stdout.contains("改法："));
    assert!(r.stderr.contains("没有导入任何数据"), "{}", r.stderr);
}

#[test]
fn every_problem_is_listed_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let mut rows = template_with(1, &[("身份证号", "210181201503140115"), ("联系电话", "12")]);
    let j = rows[0].iter().position(|h| h == "困境类型").unwrap();
    rows[3][j] = "单亲".into();
    let file = dir.path().join("many.csv");
    std::fs::write(&file, to_csv(&rows)).unwrap();
    let r = run(&db, "en", &["import", file.to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    let problems = r.stdout.matches("Problem: ").count();
    assert_eq!(problems, 3, "{}", r.stdout);
    assert!(r.stderr.contains("3 problems"), "{}", r.stderr);
}
