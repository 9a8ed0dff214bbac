//! `casepanel due` and `casepanel stats` on generated databases of 10,000, 100,000 and
//! 1,000,000 cases, through the library functions the CLI calls, the queue as a screen asks
//! for it (50 rows and the count) and the dashboard's numbers. The targets at a million
//! cases: `due` under 100 ms (issue 5); a 50-row window, `stats` and the dashboard's numbers
//! 10 ms or less (issue 8).
//!
//!     cargo bench --locked --bench queries
//!
//! The databases are generated on first use and cached (benches/support/mod.rs). The query
//! plans of every statement are written next to them, `plans-<cases>.txt`.

mod support;

use std::hint::black_box;
use std::time::Duration;

use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::review::ReviewRules;
use casepanel::store::queue::{self, QueueFilter};
use casepanel::store::stats::{self, By};
use casepanel::store::{Store, queries};
use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};

/// What `casepanel due` does for a table: a window of the queue (the CLI's default limit)
/// and the total.
fn due(store: &Store, filter: &QueueFilter) -> (usize, usize) {
    window(store, filter, 1000)
}

/// A window of `limit` rows of the queue and the total: 1000 for `casepanel due`, 50 for
/// a screen or the session's agenda.
fn window(store: &Store, filter: &QueueFilter, limit: usize) -> (usize, usize) {
    let today = support::today();
    let rules = ReviewRules::default();
    let items = queue::list(store.conn(), today, &rules, filter, 0, limit).expect("queue");
    let total = queue::count(store.conn(), today, &rules, filter).expect("count");
    (items.len(), total)
}

fn due_filters() -> Vec<(&'static str, QueueFilter)> {
    vec![
        (
            "within_30",
            QueueFilter {
                within_days: Some(30),
                ..Default::default()
            },
        ),
        (
            "overdue",
            QueueFilter {
                overdue_only: true,
                ..Default::default()
            },
        ),
        (
            "within_30_city",
            QueueFilter {
                within_days: Some(30),
                region: Some("210100".into()),
                ..Default::default()
            },
        ),
        (
            "within_30_type",
            QueueFilter {
                within_days: Some(30),
                difficulty: Some(DifficultyType::DomesticViolence),
                ..Default::default()
            },
        ),
    ]
}

fn stats_cases() -> Vec<(&'static str, By, Option<&'static str>)> {
    vec![
        ("by_level", By::Level, None),
        ("by_type", By::Type, None),
        ("by_region", By::Region, None),
        ("by_region_city", By::Region, Some("210100")),
        ("by_region_county", By::Region, Some("210181")),
    ]
}

fn write_plans(store: &Store, db: &support::Db) {
    let today = support::today();
    let rules = ReviewRules::default();
    let mut out = String::new();
    for (name, f) in due_filters() {
        out.push_str(&format!("== due {name}\n"));
        out.push_str(&queue::explain(store.conn(), today, &rules, &f).expect("plan"));
    }
    for (name, by, region) in stats_cases() {
        out.push_str(&format!("== stats {name}\n"));
        out.push_str(&stats::explain(store.conn(), today, by, region).expect("plan"));
    }
    let path = support::cache_dir().join(format!("plans-{}.txt", db.spec.cases));
    std::fs::write(&path, out).expect("writing the plans");
}

/// A group of benchmarks as this file runs them: 10 samples of one second, each sample the
/// same number of calls (flat: a query of 80 ms is called 10-20 times, not the 210 of
/// criterion's default linear sampling), so the whole bench stays within a few minutes.
fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    g
}

fn queries(c: &mut Criterion) {
    for cases in support::sizes() {
        let db = support::database(&support::Spec::new(cases)).expect("benchmark database");
        let store = Store::open(&db.path).expect("open");
        write_plans(&store, &db);
        let mut g = group(c, "due");
        for (name, f) in due_filters() {
            let (shown, total) = due(&store, &f);
            eprintln!("due {name} at {cases}: {shown} shown of {total}");
            g.bench_with_input(BenchmarkId::new(name, cases), &f, |b, f| {
                b.iter(|| black_box(due(&store, f)))
            });
        }
        g.finish();
        let mut g = group(c, "queue_50");
        for (name, f) in due_filters() {
            g.bench_with_input(BenchmarkId::new(name, cases), &f, |b, f| {
                b.iter(|| black_box(window(&store, f, 50)))
            });
        }
        g.finish();
        // What the TUI's first frame reads: the dashboard's numbers, the recent reports and
        // the overdue interventions.
        let mut g = group(c, "dashboard");
        g.bench_function(BenchmarkId::new("numbers", cases), |b| {
            b.iter(|| {
                black_box(queries::dashboard(store.conn(), support::today()).expect("dashboard"))
            })
        });
        g.bench_function(BenchmarkId::new("first_frame_queries", cases), |b| {
            b.iter(|| {
                let today = support::today();
                black_box((
                    queries::dashboard(store.conn(), today).expect("dashboard"),
                    queries::recent_reports(store.conn(), 30).expect("reports"),
                    queue::overdue_interventions_count(store.conn(), today).expect("overdue"),
                ))
            })
        });
        g.finish();
        let mut g = group(c, "stats");
        for (name, by, region) in stats_cases() {
            g.bench_with_input(
                BenchmarkId::new(name, cases),
                &(by, region),
                |b, &(by, r)| {
                    b.iter(|| {
                        black_box(
                            stats::stats(store.conn(), support::today(), by, r).expect("stats"),
                        )
                    })
                },
            );
        }
        g.finish();
        // Opening the database as the CLI does (checks, migrations up to date).
        let mut g = group(c, "open");
        g.bench_function(BenchmarkId::new("store", cases), |b| {
            b.iter(|| black_box(Store::open(&db.path).expect("open")))
        });
        g.finish();
    }
}

criterion_group!(benches, queries);
criterion_main!(benches);
