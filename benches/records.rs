//! Signed records at scale (issue 8): sign 1,000 sealed decisions, export them into one
//! folder, verify that folder — on a copy of each generated database (signing writes).
//!
//!     cargo bench --locked --bench records
//!
//! Each round takes the next 1,000 unsigned sealed panel decisions, newest day first (at a
//! million cases one day's session decides ~25,000: a round is part of a day), then:
//! `sign_all` (one transaction, what `casepanel sign --all` and `--decision` run on their
//! list), `export_decisions` (what `casepanel export --from --to` runs on the decisions of
//! its days: four files each, written and made durable, one signed manifest),
//! `verify_folder` (the manifest, every file's hash, every record's signature). Three
//! rounds. Results: `target/bench-data/records-<cases>.md`.

mod support;

use std::time::{Duration, Instant};

use casepanel::export::{self, SigningKey};
use casepanel::i18n::Lang;
use casepanel::store::Store;

const ROUNDS: usize = 3;
const PER_ROUND: usize = 1000;

/// Unsigned sealed panel decisions, newest day first, by id within a day.
fn unsigned_newest_first(store: &Store) -> Vec<i64> {
    let mut st = store
        .conn()
        .prepare(
            "SELECT d.id FROM decision d
             WHERE d.status = 'sealed' AND d.imported = 0
               AND NOT EXISTS (SELECT 1 FROM decision_signature s WHERE s.decision_id = d.id)
             ORDER BY d.decided_on DESC, d.id",
        )
        .expect("query");
    st.query_map([], |r| r.get::<_, i64>(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("row")
}

/// Wall-clock and CPU time of one step.
#[derive(Clone, Copy, Default)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

impl std::ops::Add for Took {
    type Output = Took;
    fn add(self, o: Took) -> Took {
        Took {
            wall: self.wall + o.wall,
            cpu: self.cpu + o.cpu,
        }
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Took) {
    let cpu = support::cpu_time().unwrap_or_default();
    let started = Instant::now();
    let out = f();
    let wall = started.elapsed();
    let cpu = support::cpu_time().unwrap_or_default().saturating_sub(cpu);
    (out, Took { wall, cpu })
}

struct Round {
    decisions: usize,
    files: usize,
    sign: Took,
    /// Into the bench folder on the disk, and into /dev/shm (memory) when there is one.
    export_disk: Took,
    export_mem: Option<Took>,
    verify: Took,
}

/// "wall (cpu)" per 1,000 decisions.
fn per_thousand(t: Took, n: usize) -> String {
    let k = 1000.0 * 1000.0 / n as f64;
    format!(
        "{:.0} ms ({:.0} ms)",
        t.wall.as_secs_f64() * k,
        t.cpu.as_secs_f64() * k
    )
}

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let sizes = if smoke { vec![2_000] } else { support::sizes() };
    let dir = support::cache_dir();
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let now = support::today().and_hms_opt(10, 0, 0).expect("valid time");
    let key = SigningKey::generate_ephemeral();
    let public = key.public();
    // Every export folder of the run, removed at its very end: removing thousands of files
    // just before creating as many makes ext4's inode allocator search (it skips recently
    // freed inodes), which a real export into a new folder does not pay (it tripled the
    // next size's export time).
    let scratch = dir.join(format!("records-exports-{}", std::process::id()));
    let mut mem_dirs = Vec::new();
    for cases in sizes {
        let db = support::database(&support::Spec::new(cases)).expect("database");
        let copy = dir.join(format!("records-scratch-{cases}.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
        }
        db.copy_to(&copy).expect("copy of the database");
        let mut store = Store::open(&copy).expect("open");
        let unsigned = unsigned_newest_first(&store);
        let per_round = if smoke { 100 } else { PER_ROUND };
        let mut rounds = Vec::new();
        for (round, ids) in unsigned.chunks(per_round).take(ROUNDS).enumerate() {
            if ids.len() < per_round {
                break;
            }
            let subject = format!("bench-{round}");
            // A new folder each round (see `scratch`).
            let out = scratch.join(format!("records-export-{cases}-{round}"));

            let (signed, sign) = timed(|| {
                export::sign::sign_all(&mut store, ids, &key, "bench", None, now).expect("sign")
            });
            assert_eq!(signed.len(), ids.len());

            let export_to = |out: &std::path::Path| {
                timed(|| {
                    export::export_decisions(
                        &store,
                        ids,
                        &subject,
                        out,
                        Lang::Zh,
                        &key,
                        "bench",
                        now,
                    )
                    .expect("export")
                })
            };
            let (summary, export_disk) = export_to(&out);
            assert_eq!(summary.records, ids.len());
            let export_mem = std::path::Path::new("/dev/shm").is_dir().then(|| {
                let mem = std::path::Path::new("/dev/shm").join(format!(
                    "casepanel-bench-{}-{cases}-{round}",
                    std::process::id()
                ));
                let (_, took) = export_to(&mem);
                mem_dirs.push(mem);
                took
            });

            let (verified, verify) =
                timed(|| export::verify::verify_folder(&out, &public).expect("verifies"));
            assert_eq!(verified.records.len(), ids.len());

            rounds.push(Round {
                decisions: ids.len(),
                files: summary.files.len(),
                sign,
                export_disk,
                export_mem,
                verify,
            });
        }
        drop(store);
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
        }
        let mut md = format!(
            "### {cases} cases\n\nPer 1,000 decisions, wall clock (CPU time of the process, all threads). Load average at the end: {:.1}.\n\n\
             | round | decisions | files | sign | export to disk | sign + export | export to memory | verify |\n\
             | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            support::load_average().unwrap_or(f64::NAN)
        );
        for (i, r) in rounds.iter().enumerate() {
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                i + 1,
                r.decisions,
                r.files,
                per_thousand(r.sign, r.decisions),
                per_thousand(r.export_disk, r.decisions),
                per_thousand(r.sign + r.export_disk, r.decisions),
                r.export_mem
                    .map(|t| per_thousand(t, r.decisions))
                    .unwrap_or_else(|| "-".into()),
                per_thousand(r.verify, r.decisions),
            ));
        }
        println!("{md}");
        if !smoke {
            std::fs::write(dir.join(format!("records-{cases}.md")), &md).expect("results file");
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    for d in mem_dirs {
        let _ = std::fs::remove_dir_all(d);
    }
}
