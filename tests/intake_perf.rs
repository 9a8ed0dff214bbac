//! The import's speed: a 100,000-row screening CSV imports in under two seconds in a
//! release build. Long, so it runs only with `CASEPANEL_BENCH=1`:
//!
//! ```text
//! CASEPANEL_BENCH=1 cargo test --locked --release --test intake_perf -- --nocapture
//! ```

mod common;

use std::time::Instant;

use casepanel::domain::child::Sex;
use casepanel::domain::id_number::IdNumber;
use chrono::{Duration, NaiveDate};
use common::intake::{count, run, template_rows};

/// `n` invented children, valid and distinct, over 5 counties and 50 townships.
pub fn big_sheet(n: usize) -> String {
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
    let header = template_rows()[0].join(",");
    let mut out = String::with_capacity(n * 260);
    out.push_str(&header);
    out.push('\n');
    let base = NaiveDate::from_ymd_opt(2009, 1, 1).unwrap();
    for i in 0..n {
        let birth = base + Duration::days((i / 400) as i64 % 5800);
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
        out.push_str(&format!(
            "{name},{},{},{id},辽宁省{county},{county}{town}{}号,沈阳市,{county},{town},,{},{}父,父亲,外出务工,138{:08},,2026-10-{:02},社区专干 刘芳,{}\n",
            if sex == Sex::Male { "男" } else { "女" },
            birth.format("%Y-%m-%d"),
            i % 300,
            TYPES[i % TYPES.len()],
            &name[..3],
            i,
            i % 28 + 1,
            if i % 3 == 0 { "父母外出务工，由祖母照看，祖母年迈多病。" } else { "" },
        ));
    }
    out
}

#[test]
fn a_hundred_thousand_rows_in_under_two_seconds() {
    if std::env::var("CASEPANEL_BENCH").as_deref() != Ok("1") {
        return;
    }
    let n = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    std::fs::write(&file, big_sheet(n)).unwrap();
    let db = dir.path().join("big.db");
    // The database exists before the clock starts, as an officer's does.
    let r = run(&db, "en", &["criteria", "show"]);
    assert_eq!(r.code, Some(0));
    casepanel::store::Store::open(&db).unwrap();
    let start = Instant::now();
    let r = run(
        &db,
        "en",
        &["import", file.to_str().unwrap(), "--create-regions"],
    );
    let took = start.elapsed();
    assert_eq!(
        r.code,
        Some(0),
        "{}\n{}",
        &r.stdout[..r.stdout.len().min(3000)],
        r.stderr
    );
    assert_eq!(count(&db, "child"), n as i64);
    eprintln!("imported {n} rows in {took:.2?}");
    if !cfg!(debug_assertions) {
        assert!(took.as_secs_f64() < 2.0, "{n} rows took {took:.2?}");
    }
}
