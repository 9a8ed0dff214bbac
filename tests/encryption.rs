//! Encryption at rest: with a passphrase, not one byte of a child's name or ID number is in
//! the database file, its WAL or its shared-memory file; without the passphrase, or with a
//! wrong one, the file is refused unchanged; `rekey` encrypts, changes and removes the
//! passphrase without losing a row.

mod common;

use std::path::Path;
use std::process::Command;

use casepanel::domain::report::{Channel, Report};
use casepanel::store::{Store, StoreError, encryption, reports};
use common::*;

const PASS: &str = "兴隆 门锁 7";
const CANARY_NAME: &str = "金丝雀";
const BIN: &str = env!("CARGO_BIN_EXE_casepanel");

fn files(db: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let mut name = db.as_os_str().to_os_string();
            name.push(suffix);
            std::fs::read(&name)
                .ok()
                .map(|b| (name.to_string_lossy().into_owned(), b))
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// An encrypted database holding the canary, with writes still in the WAL.
fn canary_db(db: &Path) -> (Store, String) {
    let f = fill(Store::open_with(db, Some(PASS)).unwrap());
    let mut store = f.store;
    let id: String = store
        .conn()
        .query_row("SELECT id_number FROM child ORDER BY id LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    store
        .write(|tx| {
            tx.execute("UPDATE child SET name = ?1 WHERE id = 1", [CANARY_NAME])?;
            reports::insert(
                tx,
                &Report {
                    id: 0,
                    case_id: f.cases[0],
                    received_at: at(2026, 11, 29, 9, 0),
                    channel: Channel::Teacher,
                    reporter: None,
                    summary: format!("{CANARY_NAME} 说晚上一个人在家"),
                },
            )?;
            Ok(())
        })
        .unwrap();
    (store, id)
}

#[test]
fn the_canary_is_in_no_file_while_open_or_after() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("enc.db");
    let (store, id) = canary_db(&db);
    let check = |when: &str| {
        let all = files(&db);
        assert!(!all.is_empty());
        for (name, bytes) in &all {
            for needle in [CANARY_NAME.as_bytes(), id.as_bytes(), b"SQLite format 3"] {
                assert!(
                    !contains(bytes, needle),
                    "{when}: {name} holds {:?}",
                    String::from_utf8_lossy(needle)
                );
            }
        }
    };
    assert!(
        files(&db).iter().any(|(n, _)| n.ends_with("-wal")),
        "writes are in the WAL"
    );
    check("open");
    drop(store);
    check("closed");
    // The control: the same data unencrypted does show the canary.
    let plain = dir.path().join("plain.db");
    let f = fill(Store::open(&plain).unwrap());
    f.store
        .conn()
        .execute("UPDATE child SET name = ?1 WHERE id = 1", [CANARY_NAME])
        .unwrap();
    drop(f);
    assert!(
        files(&plain)
            .iter()
            .any(|(_, b)| contains(b, CANARY_NAME.as_bytes()))
    );
}

#[test]
fn no_passphrase_or_a_wrong_one_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("enc.db");
    drop(canary_db(&db).0);
    let before = std::fs::read(&db).unwrap();
    assert!(matches!(
        Store::open(&db),
        Err(StoreError::Encrypted { .. })
    ));
    assert!(matches!(
        Store::open_with(&db, Some("not it")),
        Err(StoreError::WrongPassphrase { .. })
    ));
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is untouched");
    let s = Store::open_with(&db, Some(PASS)).unwrap();
    assert_eq!(count(&s, "child"), 2);

    // Through the command line: exit 1 and a message that says what to do.
    let out = Command::new(BIN)
        .args(["stats", "--db", db.to_str().unwrap()])
        .env_remove("CASEPANEL_DB_PASSPHRASE")
        .env("CASEPANEL_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CASEPANEL_DB_PASSPHRASE"), "{err}");
    let out = Command::new(BIN)
        .args(["stats", "--db", db.to_str().unwrap()])
        .env("CASEPANEL_DB_PASSPHRASE", PASS)
        .env("CASEPANEL_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rekey_encrypts_changes_and_decrypts_without_losing_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    drop(fixture_at(&db));
    let rows = |s: &Store| (count(s, "child"), count(s, "visit"), count(s, "region"));
    let expected = rows(&Store::open(&db).unwrap());

    encryption::rekey(&db, None, Some(PASS)).unwrap();
    assert!(Store::is_encrypted(&db));
    assert_eq!(rows(&Store::open_with(&db, Some(PASS)).unwrap()), expected);

    encryption::rekey(&db, Some(PASS), Some("新口令")).unwrap();
    assert!(matches!(
        Store::open_with(&db, Some(PASS)),
        Err(StoreError::WrongPassphrase { .. })
    ));
    assert_eq!(
        rows(&Store::open_with(&db, Some("新口令")).unwrap()),
        expected
    );

    // Through the command line, with the passphrases from files.
    let old = dir.path().join("old.txt");
    std::fs::write(&old, "新口令\n").unwrap();
    let out = Command::new(BIN)
        .args([
            "rekey",
            "--decrypt",
            "--db",
            db.to_str().unwrap(),
            "--db-passphrase-file",
        ])
        .arg(&old)
        .env("CASEPANEL_CONFIG", dir.path().join("none.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!Store::is_encrypted(&db));
    let s = Store::open(&db).unwrap();
    assert_eq!(rows(&s), expected);
    assert!(s.check_integrity().unwrap().is_empty());
}
