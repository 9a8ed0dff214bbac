//! Crash safety: a child process writes through the store in a loop and says "ack N" after
//! each commit; the test kills it with SIGKILL at a random moment, 200 times (set
//! `CASEPANEL_KILL_RUNS` for more), and after every kill checks that the database opens,
//! `integrity_check` and `foreign_key_check` are clean, every acknowledged write is there,
//! and the transaction the kill interrupted is wholly absent or wholly present (never half).
//!
//! The child is this test binary itself, re-run with `--exact child_writer` and the
//! database path in `CASEPANEL_KILL_CHILD_DB`: the same store calls as the application.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rand::{Rng, SeedableRng};

use casepanel::domain::report::{Channel, Report};
use casepanel::domain::visit::HomeVisit;
use casepanel::store::{Store, cases, reports};
use common::*;

const CHILD_DB: &str = "CASEPANEL_KILL_CHILD_DB";
const CHILD_CASE: &str = "CASEPANEL_KILL_CHILD_CASE";
const CHILD_START: &str = "CASEPANEL_KILL_CHILD_START";
const MARK: &str = "kill-test";

/// One unit of work: a report, the home visit that followed it and a change of the case's
/// difficulty types, in one transaction.
fn write_one(store: &mut Store, case_id: i64, i: u64) {
    store
        .write(|tx| {
            reports::insert(
                tx,
                &Report {
                    id: 0,
                    case_id,
                    received_at: at(2026, 11, 29, 9, 0),
                    channel: Channel::Teacher,
                    reporter: None,
                    summary: format!("{MARK} {i}"),
                },
            )?;
            reports::insert_visit(
                tx,
                &HomeVisit {
                    id: 0,
                    case_id,
                    visited_on: d(2026, 11, 28),
                    visitors: "社工".into(),
                    place: "家中".into(),
                    people_met: "祖母".into(),
                    notes: format!("{MARK} {i}\n{}", "家访记录。".repeat(200)),
                },
            )?;
            let types = cases::types_of(tx, case_id)?;
            cases::set_types(tx, case_id, &types)?;
            Ok(())
        })
        .expect("the write commits");
}

/// Runs only as the child process: writes until killed.
#[test]
fn child_writer() {
    let Ok(db) = std::env::var(CHILD_DB) else {
        return;
    };
    let case_id: i64 = std::env::var(CHILD_CASE).unwrap().parse().unwrap();
    let start: u64 = std::env::var(CHILD_START).unwrap().parse().unwrap();
    let mut store = Store::open(Path::new(&db)).unwrap();
    let mut out = std::io::stdout().lock();
    for i in start.. {
        write_one(&mut store, case_id, i);
        writeln!(out, "ack {i}").unwrap();
        out.flush().unwrap();
    }
}

/// The markers of the reports and of the visits found in the database.
fn markers(store: &Store, table: &str, column: &str) -> Vec<u64> {
    let sql = format!("SELECT {column} FROM {table} WHERE {column} LIKE '{MARK} %'");
    let mut st = store.conn().prepare(&sql).unwrap();
    let mut v: Vec<u64> = st
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|s| {
            let s = s.unwrap();
            let first = s.lines().next().unwrap().to_string();
            first[MARK.len() + 1..].parse().unwrap()
        })
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn killed_at_random_points_loses_nothing_acknowledged() {
    if std::env::var(CHILD_DB).is_ok() {
        return;
    }
    let runs: usize = std::env::var("CASEPANEL_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let case_id = fixture_at(&db).cases[0];
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261129);
    let mut start = 0u64;
    let mut acked_total = 0usize;
    let mut interrupted_present = 0usize;
    for run in 0..runs {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_DB, &db)
            .env(CHILD_CASE, case_id.to_string())
            .env(CHILD_START, start.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                // The first ack shares its line with libtest's "test child_writer ... ".
                .filter_map(|l| {
                    l.rsplit_once("ack ")
                        .and_then(|(_, n)| n.trim().parse::<u64>().ok())
                })
                .collect::<Vec<u64>>()
        });
        // From before the database is open to deep into the loop.
        std::thread::sleep(Duration::from_micros(rng.random_range(0..60_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acked = reader.join().unwrap();
        acked_total += acked.len();

        let store = Store::open(&db).unwrap_or_else(|e| panic!("run {run}: cannot open: {e}"));
        let problems = store.check_integrity().unwrap();
        assert!(problems.is_empty(), "run {run}: {problems:?}");
        let reported = markers(&store, "report", "summary");
        let visited = markers(&store, "visit", "notes");
        assert_eq!(
            reported, visited,
            "run {run}: a transaction was half written"
        );
        for a in &acked {
            assert!(
                reported.binary_search(a).is_ok(),
                "run {run}: acknowledged write {a} is lost"
            );
        }
        let last_acked = acked.last().copied();
        let newest = reported.last().copied();
        // Only the transaction in flight at the kill may be present without its ack.
        match (last_acked, newest) {
            (_, None) => assert!(acked.is_empty()),
            (Some(a), Some(n)) if n >= start => {
                assert!(
                    n == a || n == a + 1,
                    "run {run}: unexpected write {n} after ack {a}"
                );
                if n == a + 1 {
                    interrupted_present += 1;
                }
            }
            (None, Some(n)) => {
                assert!(n <= start, "run {run}: unexpected write {n}");
                if n == start {
                    interrupted_present += 1;
                }
            }
            (Some(a), Some(n)) => panic!("run {run}: ack {a} but newest write {n}"),
        }
        start = newest.map_or(start, |n| (n + 1).max(start));
        drop(store);
    }
    eprintln!(
        "{runs} kills, {acked_total} acknowledged writes, all present; {interrupted_present} in-flight commits completed before the kill"
    );
    assert!(
        acked_total > 0,
        "the child never got to write: the test proves nothing"
    );
}
