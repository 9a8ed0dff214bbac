//! `casepanel report add`: reports from scripts, on a child on file or a new one.

mod common;

use std::path::Path;

use common::intake::{count, digest, run, seeded_db};

fn add(db: &Path, args: &[&str]) -> common::intake::Run {
    let mut a = vec!["report", "add"];
    a.extend(args);
    run(db, "en", &a)
}

#[test]
fn a_report_goes_on_the_open_case() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let r = add(
        &db,
        &[
            "--id-number",
            "210181201503140114",
            "--at",
            "2026-11-28 16:20",
            "--channel",
            "老师",
            "--mandated",
            "--reporter",
            "兴隆镇中心小学 班主任",
            "--summary",
            "孩子又有三天没来上学。",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.trim(), "Recorded report 4 on case C-000001");
    let c = rusqlite::Connection::open(&db).unwrap();
    let (channel, mandatory, reporter, at): (String, i64, String, String) = c
        .query_row(
            "SELECT channel, mandatory, reporter, received_at FROM report WHERE id = 4",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (channel.as_str(), mandatory, reporter.as_str(), at.as_str()),
        ("teacher", 1, "兴隆镇中心小学 班主任", "2026-11-28 16:20:00")
    );
}

#[test]
fn a_report_on_a_graded_case_raises_an_ad_hoc_review() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let a = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/import/assessments.csv");
    let r = run(&db, "en", &["import", "--assessments", a.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let summary = dir.path().join("summary.txt");
    std::fs::write(&summary, "热线来电：孩子被父亲打伤，已送医。\n").unwrap();
    let r = add(
        &db,
        &[
            "--child-id",
            "1",
            "--channel",
            "hotline",
            "--anonymous",
            "--summary-file",
            summary.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("an ad-hoc re-review was raised"),
        "{}",
        r.stdout
    );
    assert_eq!(
        count(
            &db,
            "review_request WHERE resolved_by IS NULL AND case_id = 1"
        ),
        1
    );
    assert_eq!(
        count(&db, "case_file WHERE id = 1 AND status = 'awaiting_panel'"),
        1
    );
    assert_eq!(
        count(&db, "report WHERE reporter IS NULL AND channel = 'hotline'"),
        1
    );
}

#[test]
fn a_new_child_gets_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let id = casepanel::domain::id_number::IdNumber::build(
        "210181",
        chrono::NaiveDate::from_ymd_opt(2013, 7, 9).unwrap(),
        41,
        casepanel::domain::child::Sex::Male,
    );
    let r = add(
        &db,
        &[
            "--id-number",
            id.as_str(),
            "--name",
            "周小龙",
            "--region",
            "210181",
            "--types",
            "流浪乞讨",
            "--channel",
            "公安机关",
            "--reporter",
            "兴隆派出所",
            "--at",
            "2026-11-29 02:10",
            "--summary",
            "凌晨在火车站发现独自一人。",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("on case C-000004 (new case)"),
        "{}",
        r.stdout
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let (sex, birth, status): (String, String, String) = c
        .query_row(
            "SELECT ch.sex, ch.birth_date, f.status FROM child ch JOIN case_file f ON f.child_id = ch.id
             WHERE ch.name = '周小龙'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (sex.as_str(), birth.as_str(), status.as_str()),
        ("male", "2013-07-09", "screening")
    );
}

#[test]
fn refusals_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded_db(dir.path());
    let before = digest(&db);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "--name",
                "吴小雨",
                "--sex",
                "女",
                "--birth-date",
                "2016-01-02",
                "--region",
                "210181",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
            ],
            "give the difficulty types with --types",
        ),
        (
            &[
                "--child-id",
                "1",
                "--channel",
                "热线",
                "--mandated",
                "--anonymous",
                "--summary",
                "x",
            ],
            "Hotline is not a mandated reporter",
        ),
        (
            &[
                "--child-id",
                "99",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
            ],
            "There is no child 99",
        ),
        (
            &[
                "--child-id",
                "1",
                "--channel",
                "路人",
                "--anonymous",
                "--summary",
                "x",
            ],
            "Unknown channel \"路人\"",
        ),
        (
            &[
                "--child-id",
                "1",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "  ",
            ],
            "needs a summary",
        ),
        (
            &[
                "--child-id",
                "1",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
                "--at",
                "2026-12-01 09:00",
            ],
            "in the future",
        ),
        (
            &[
                "--child-id",
                "1",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
                "--at",
                "昨天",
            ],
            "should look like 2026-11-29 14:30",
        ),
        (
            &[
                "--id-number",
                "210181201503140115",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
            ],
            "check digit is wrong",
        ),
        (
            &[
                "--name",
                "吴大",
                "--sex",
                "男",
                "--birth-date",
                "2007-01-02",
                "--region",
                "210181",
                "--types",
                "贫困",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
            ],
            "18 or older",
        ),
        (
            &[
                "--name",
                "吴小雨",
                "--sex",
                "女",
                "--birth-date",
                "2016-01-02",
                "--region",
                "999999",
                "--types",
                "贫困",
                "--channel",
                "热线",
                "--anonymous",
                "--summary",
                "x",
            ],
            "No region has the code 999999",
        ),
        (
            &["--channel", "热线", "--anonymous", "--summary", "x"],
            "Say which child",
        ),
    ];
    for (args, expect) in cases {
        let r = add(&db, args);
        assert_eq!(r.code, Some(1), "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(expect), "{args:?}: {}", r.stderr);
        assert_eq!(digest(&db), before, "{args:?}");
    }
    // Neither --reporter nor --anonymous: a usage error.
    let r = add(
        &db,
        &["--child-id", "1", "--channel", "热线", "--summary", "x"],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_eq!(digest(&db), before);
}
