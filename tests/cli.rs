//! The command line as a user meets it: exit codes, one-line errors, files left untouched.

mod common;

use common::has_han;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_casepanel");

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(BIN)
        .args(args)
        .env("CASEPANEL_TODAY", "2026-11-29")
        .env("CASEPANEL_CONFIG", dir.join("no-config.toml"))
        .env_remove("CASEPANEL_DB")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Three files in `dir` that casepanel must refuse to open: a text file, another program's
/// SQLite database, and a casepanel database from a newer version (schema 42).
fn not_casepanel_databases(dir: &Path) -> [std::path::PathBuf; 3] {
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello\n").unwrap();
    let foreign = dir.join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t(x)")
        .unwrap();
    let newer = dir.join("newer.db");
    casepanel::store::Store::open(&newer).unwrap();
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 42).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    [text, foreign, newer]
}

#[test]
fn files_that_are_not_casepanel_databases_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let [text, foreign, newer] = not_casepanel_databases(dir.path());
    for (path, words) in [
        (&text, "not an SQLite file"),
        (&foreign, "does not belong to casepanel"),
        (&newer, "newer casepanel"),
    ] {
        let before = std::fs::read(path).unwrap();
        // `criteria show` opens no database; `generate --force` and the TUI do.
        let o = run(
            &[
                "--db",
                path.to_str().unwrap(),
                "generate",
                "--cases",
                "1",
                "--force",
            ],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(words), "{e}");
        assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "{} changed",
            path.display()
        );
    }
}

/// Every reason a database cannot be opened, told in the language asked for: the English
/// has no Chinese, the Chinese says it in Chinese (only the path, the flags and numbers
/// stay as they are), one line, exit 1, the file untouched.
#[test]
fn databases_that_cannot_be_opened_are_refused_in_the_users_language() {
    let dir = tempfile::tempdir().unwrap();
    let [text, foreign, newer] = not_casepanel_databases(dir.path());
    let locked = dir.path().join("locked.db");
    drop(casepanel::store::Store::open_with(&locked, Some("right horse")).unwrap());
    let gen_force = |db: &Path| -> Vec<String> {
        [
            "--db",
            db.to_str().unwrap(),
            "generate",
            "--cases",
            "1",
            "--force",
        ]
        .map(String::from)
        .to_vec()
    };
    let stats = |db: &Path| -> Vec<String> {
        ["--db", db.to_str().unwrap(), "stats"]
            .map(String::from)
            .to_vec()
    };
    // (file, command line, the English, the Chinese)
    let cases: [(&Path, Vec<String>, &str, &str); 5] = [
        (
            &text,
            gen_force(&text),
            "not an SQLite file",
            "不是 SQLite 文件",
        ),
        (
            &foreign,
            stats(&foreign),
            "(application_id 0x0)",
            "不属于 casepanel",
        ),
        (
            &newer,
            stats(&newer),
            "schema version 42; this one knows up to",
            "请升级 casepanel",
        ),
        (
            &locked,
            gen_force(&locked),
            "this database is encrypted",
            "此数据库已加密",
        ),
        (
            &locked,
            stats(&locked),
            "wrong passphrase for this database",
            "数据库口令不对",
        ),
    ];
    for (path, args, en, zh) in &cases {
        let before = std::fs::read(path).unwrap();
        for (lang, words) in [("en", en), ("zh", zh)] {
            let mut all = vec!["--lang".to_string(), lang.to_string()];
            all.extend(args.iter().cloned());
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            let o = Command::new(BIN)
                .args(&all)
                .env("CASEPANEL_TODAY", "2026-11-29")
                .env("CASEPANEL_CONFIG", dir.path().join("no-config.toml"))
                .env_remove("CASEPANEL_DB")
                .env("CASEPANEL_DB_PASSPHRASE", "wrong horse")
                .output()
                .unwrap();
            let e = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{e}");
            assert!(e.contains(words), "{lang}: {e}");
            assert!(e.contains(path.to_str().unwrap()), "where: {e}");
            assert_eq!(e.trim_end().lines().count(), 1, "one line: {e}");
            if lang == "en" {
                assert!(!has_han(&e), "{e}");
            } else {
                assert!(has_han(&e), "{e}");
                let said = e.replace(path.to_str().unwrap(), "");
                for english in [
                    "database",
                    "cannot",
                    "wrong",
                    "encrypted",
                    "newer",
                    "Check",
                    "Update",
                    "not a",
                ] {
                    assert!(!said.contains(english), "{english}: {e}");
                }
            }
        }
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "{} changed",
            path.display()
        );
    }
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["frobnicate"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--lang", "fr", "criteria", "show"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("zh or en"));
    let o = run(&["--help"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("demo") && help.contains("演示"), "{help}");
    let o = run(&["generate", "--cases", "3"], dir.path());
    assert_eq!(o.status.code(), Some(1), "generate needs --db");
    assert!(stderr(&o).contains("--db"));
}

#[test]
fn criteria_check_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &["criteria", "check", "assets/criteria/liaoning-2014.toml"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("liaoning-2014"));
    let o = run(&["--lang", "zh", "criteria", "show"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("L1-02") && out.contains("性侵害"), "{out}");

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"x\"\nversion = \"1\"\ntitle_zh = \"x\"\ntitle_en = \"x\"\n[method]\nkind = \"highest_level\"\n\n[[indicator]]\nid = \"L3-01\"\nlevel = 3\nzh = \"x\"\nen = \"x\"\nhard_trigger = true\n",
    )
    .unwrap();
    let o = run(&["criteria", "check", bad.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("bad.toml:13"), "the line of hard_trigger: {e}");
    // A broken configured catalogue stops the program before anything opens.
    let o = run(
        &["--criteria", bad.to_str().unwrap(), "criteria", "show"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn generate_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    for p in [&a, &b] {
        let o = run(
            &[
                "generate",
                "--db",
                p.to_str().unwrap(),
                "--cases",
                "1000",
                "--seed",
                "7",
            ],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let dump = |p: &Path| -> String {
        let c = rusqlite::Connection::open(p).unwrap();
        let tables: Vec<String> = c
            // The audit trail records when the data was made: not part of the data.
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'audit' ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut out = String::new();
        for t in tables {
            let mut st = c
                .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2"))
                .unwrap();
            let n = st.column_count();
            let mut rows = st.query([]).unwrap();
            while let Some(r) = rows.next().unwrap() {
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i).unwrap();
                    out.push_str(&format!("{v:?}|"));
                }
                out.push('\n');
            }
        }
        out
    };
    let (da, db) = (dump(&a), dump(&b));
    assert!(da.len() > 100_000);
    assert!(da == db, "same seed, same data");
    // Writing over an existing file needs --force.
    let o = run(
        &["generate", "--db", a.to_str().unwrap(), "--cases", "10"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--force"));
}

/// Session 6: the CLI's own messages are in the user's language alone: generate's, a
/// missing database, an unknown region, a valid catalogue.
#[test]
fn messages_speak_the_users_language_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("t.db");
    let db_s = db.to_str().unwrap();
    let nope = d.join("nope.db");
    let nope_s = nope.to_str().unwrap();
    let o = run(&["--db", db_s, "generate", "--cases", "3"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    let catalogue = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/criteria/example-points.toml"
    );
    let has_han = |s: &str| {
        s.chars().any(|c| {
            ('\u{4e00}'..='\u{9fff}').contains(&c)
                || ('\u{3000}'..='\u{303f}').contains(&c)
                || ('\u{ff00}'..='\u{ffef}').contains(&c)
        })
    };
    for lang in ["en", "zh"] {
        let l = ["--lang", lang];
        let fail = |args: &[&str]| {
            let o = run(&[&l[..], args].concat(), d);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
            stderr(&o)
        };
        let needs_db = fail(&["generate", "--cases", "3"]);
        let exists = fail(&["--db", db_s, "generate", "--cases", "3"]);
        let no_db = fail(&["--db", nope_s, "due"]);
        let region = fail(&["--db", db_s, "stats", "--region", "999999"]);
        let o = run(&[&l[..], &["criteria", "check", catalogue]].concat(), d);
        assert!(o.status.success(), "{}", stderr(&o));
        let valid = String::from_utf8_lossy(&o.stdout).into_owned();
        if lang == "en" {
            for s in [&needs_db, &exists, &no_db, &region, &valid] {
                assert!(!has_han(s), "{s}");
            }
            assert!(needs_db.contains("generate needs --db PATH"), "{needs_db}");
            assert!(
                exists.contains(&format!(
                    "{db_s}: the file exists. Choose another path, or add --force"
                )),
                "{exists}"
            );
            assert!(
                no_db.contains(&format!(
                    "{nope_s}: no database here. Give the right one with --db PATH"
                )),
                "{no_db}"
            );
            assert!(region.contains("--region 999999: no region has this code. Use a 6-digit city or county code (e.g. 210100 for Shenyang)"), "{region}");
            assert!(
                valid.starts_with(&format!("{catalogue}: valid example-points · ")),
                "{valid}"
            );
        } else {
            assert!(
                needs_db.contains("generate 需要 --db 路径：写入虚构个案的文件"),
                "{needs_db}"
            );
            assert!(
                exists.contains(&format!(
                    "{db_s}：文件已存在。请换一个路径，或加上 --force 覆盖。"
                )),
                "{exists}"
            );
            assert!(
                no_db.contains(&format!(
                    "{nope_s}：这里没有数据库。请用 --db 路径 指定正确的数据库"
                )),
                "{no_db}"
            );
            assert!(
                region.contains("--region 999999：没有这个代码的地区。"),
                "{region}"
            );
            assert!(
                valid.starts_with(&format!("{catalogue}：有效 example-points · ")),
                "{valid}"
            );
            for s in [&needs_db, &exists, &no_db, &region, &valid] {
                for english in [
                    "needs",
                    "the file exists",
                    "no database",
                    "no region",
                    "valid",
                ] {
                    assert!(!s.contains(english), "{english}: {s}");
                }
            }
        }
    }
}

/// The screens need a terminal: without one (output captured, as here) the demo says so in
/// the user's language and exits 1, its database built, instead of failing inside the
/// terminal's set-up.
#[test]
fn the_screens_without_a_terminal_say_so() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, words) in [
        ("en", "casepanel's screens need a terminal window"),
        ("zh", "casepanel 的界面需要在终端窗口中运行"),
    ] {
        let db = dir.path().join(format!("demo-{lang}.db"));
        let o = run(
            &[
                "demo",
                "--cases",
                "20",
                "--db",
                db.to_str().unwrap(),
                "--lang",
                lang,
            ],
            dir.path(),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(words), "{err}");
        assert!(err.contains("casepanel demo --no-tui"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(db.exists());
    }
}

/// Session 7: a database whose folder cannot be made was refused in English alone. The
/// reason and the fix are in the user's language, exit 1, and nothing is made.
#[test]
fn a_database_folder_that_cannot_be_made_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("notes.txt"), "not a folder").unwrap();
    let db = d.join("notes.txt/cases/t.db");
    let db = db.to_str().unwrap();
    let o = run(&["--db", db, "--lang", "zh", "generate", "--cases", "3"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let zh = stderr(&o);
    assert!(
        zh.contains("无法为数据库创建文件夹") && zh.contains("请用 --db 指定"),
        "{zh}"
    );
    let o = run(&["--db", db, "--lang", "en", "generate", "--cases", "3"], d);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let en = stderr(&o);
    assert!(!has_han(&en), "{en}");
    assert!(
        en.contains("cannot create the database's folder") && en.contains("Give --db a file"),
        "{en}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("notes.txt")).unwrap(),
        "not a folder"
    );
}
