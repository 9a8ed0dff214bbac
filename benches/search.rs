//! Search as you type on the case list (issue 8): key to next frame, at 10,000, 100,000 and
//! 1,000,000 generated cases. The target: p99 <= 5 ms per keystroke at a million cases.
//!
//!     cargo bench --locked --bench search
//!
//! `CASEPANEL_BENCH_SIZES=10000,100000` limits the sizes; `CASEPANEL_BENCH_SAMPLES` sets how
//! many queries of each kind are typed (default 200). The databases are generated on first
//! use and cached (benches/support/mod.rs).
//!
//! Each keystroke is measured as the TUI handles it: `App::on_key` (the case list reads its
//! count, up to 1,001, and its window of rows) and then the draw of the whole app into a
//! ratatui `TestBackend` of 120x40, one timing of both together and one of each. The queries
//! are typed into one case list, cleared with Ctrl-U between them (the clearing keystroke,
//! which reads the whole list's first window again, is measured too): Chinese names of two
//! and three characters taken from the data (every prefix: 1, 2, 3 characters), the same
//! names' last one or two characters (a given name, not a surname), ID-number prefixes of
//! 2..8 digits of existing children, and pinyin initials of 1..3 letters of existing names.
//! Also the list without a search under each filter (the count and the window, no
//! keystroke). The query plans of each kind are written to
//! `target/bench-data/search-plans-<cases>.txt`. The database file is read once before
//! measuring, so that it is in the OS's page cache (the numbers are for a warm cache).

mod support;

use std::time::{Duration, Instant};

use casepanel::config::Config;
use casepanel::domain::case::CaseStatus;
use casepanel::domain::criteria::Catalogue;
use casepanel::domain::difficulty::DifficultyType;
use casepanel::domain::level::RiskLevel;
use casepanel::i18n::Lang;
use casepanel::store::queries::{self, CaseFilter};
use casepanel::store::{Store, explain_plan};
use casepanel::tui::app::App;
use casepanel::tui::env::{Clock, Env};
use casepanel::tui::screens::case_list::CaseList;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Timings of one kind of keystroke.
#[derive(Default)]
struct Samples {
    total: Vec<Duration>,
    key: Vec<Duration>,
    draw: Vec<Duration>,
    /// CPU time of the thread for the key and the draw: the wall time without the waits
    /// for a core (the machine is shared), with the reads from the OS's page cache.
    cpu: Vec<Duration>,
}

impl Samples {
    fn push(&mut self, t: Timing) {
        self.total.push(t.key + t.draw);
        self.key.push(t.key);
        self.draw.push(t.draw);
        self.cpu.push(t.cpu);
    }
}

#[derive(Clone, Copy)]
struct Timing {
    key: Duration,
    draw: Duration,
    cpu: Duration,
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

struct Bench {
    app: App,
    term: Terminal<TestBackend>,
}

impl Bench {
    fn press(&mut self, code: KeyCode, mods: KeyModifiers) -> Timing {
        let c0 = support::thread_cpu_time();
        let t0 = Instant::now();
        self.app.on_key(KeyEvent::new(code, mods));
        let t1 = Instant::now();
        self.term
            .draw(|f| self.app.render(f))
            .expect("drawing into the test backend");
        let draw = t1.elapsed();
        Timing {
            key: t1 - t0,
            draw,
            cpu: support::thread_cpu_time() - c0,
        }
    }

    /// Types `q` one character at a time; each keystroke's timing goes to `by_len[n - 1]`
    /// (n characters typed so far). Clears the field afterwards (timed into `clear`).
    fn type_query(&mut self, q: &str, by_len: &mut [Samples], clear: &mut Samples) {
        for (i, ch) in q.chars().enumerate() {
            let t = self.press(KeyCode::Char(ch), KeyModifiers::NONE);
            if let Some(s) = by_len.get_mut(i) {
                s.push(t);
            }
        }
        clear.push(self.press(KeyCode::Char('u'), KeyModifiers::CONTROL));
    }
}

fn now() -> chrono::NaiveDateTime {
    support::today().and_hms_opt(9, 0, 0).expect("valid time")
}

/// Names, ID numbers and initials of `n` children picked at random.
fn sample_children(store: &Store, n: usize, rng: &mut ChaCha8Rng) -> Vec<(String, String, String)> {
    let max: i64 = store
        .conn()
        .query_row("SELECT max(id) FROM child", [], |r| r.get(0))
        .expect("children");
    let mut st = store
        .conn()
        .prepare("SELECT name, coalesce(id_number, ''), initials FROM child WHERE id = ?1")
        .expect("statement");
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let id = rng.random_range(1..=max);
        if let Ok(row) = st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))) {
            out.push(row);
        }
    }
    out
}

fn filters() -> Vec<(&'static str, CaseFilter)> {
    let f = CaseFilter::default;
    vec![
        ("none", f()),
        (
            "status active",
            CaseFilter {
                status: Some(CaseStatus::Active),
                ..f()
            },
        ),
        (
            "status closed",
            CaseFilter {
                status: Some(CaseStatus::Closed),
                ..f()
            },
        ),
        (
            "level 1",
            CaseFilter {
                level: Some(RiskLevel::L1),
                ..f()
            },
        ),
        (
            "active level 3",
            CaseFilter {
                status: Some(CaseStatus::Active),
                level: Some(RiskLevel::L3),
                ..f()
            },
        ),
        (
            "city 210100",
            CaseFilter {
                region: Some("210100".into()),
                ..f()
            },
        ),
        (
            "county 210181",
            CaseFilter {
                region: Some("210181".into()),
                ..f()
            },
        ),
        (
            "domestic violence",
            CaseFilter {
                difficulty: Some(DifficultyType::DomesticViolence),
                ..f()
            },
        ),
        (
            "due in 30 days",
            CaseFilter {
                due_by: support::today().checked_add_days(chrono::Days::new(30)),
                ..f()
            },
        ),
    ]
}

/// Reads the whole file once, so that it is in the OS's page cache: the numbers are for a
/// database in memory (a laptop that has been working on it), not for the first reads
/// after a reboot, which wait for the disk (see BENCHMARKS.md).
fn warm(path: &std::path::Path) -> Duration {
    use std::io::Read;
    let t = Instant::now();
    let mut f = std::fs::File::open(path).expect("opening the database");
    let mut buf = vec![0u8; 8 << 20];
    while f.read(&mut buf).expect("reading the database") > 0 {}
    t.elapsed()
}

fn run(cases: usize, samples: usize, report: &mut String) {
    let db = support::database(&support::Spec::new(cases)).expect("benchmark database");
    let warmed = warm(&db.path);
    eprintln!(
        "read the {cases}-case database once (page cache): {:.1} s",
        warmed.as_secs_f64()
    );
    let store = Store::open(&db.path).expect("open");
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let kids = sample_children(&store, samples, &mut rng);

    // The plans, for BENCHMARKS.md.
    let (name, id, initials) = kids
        .iter()
        .find(|(n, i, _)| n.chars().count() >= 3 && !i.is_empty())
        .cloned()
        .unwrap_or_else(|| kids[0].clone());
    let first: String = name.chars().take(1).collect();
    let two: String = name.chars().take(2).collect();
    let three: String = name.chars().take(3).collect();
    let mut plans = String::new();
    let mut kinds: Vec<(String, CaseFilter)> = vec![
        ("name, 1 character".into(), search(&first)),
        ("name, 2 characters".into(), search(&two)),
        ("name, 3 characters".into(), search(&three)),
        ("ID prefix, 6 digits".into(), search(&id[..6.min(id.len())])),
        (
            "initials, 2 letters".into(),
            search(&initials[..2.min(initials.len())]),
        ),
    ];
    kinds.extend(
        filters()
            .into_iter()
            .map(|(n, f)| (format!("filter {n}"), f)),
    );
    for (label, f) in &kinds {
        // No names in the file: the plans are the same for any name.
        plans.push_str(&format!("== {label}\n"));
        for (sql, args) in
            queries::case_list_statements(store.conn(), f, 40, 1001).expect("statements")
        {
            plans.push_str(&explain_plan(store.conn(), &sql, &args).expect("plan"));
        }
    }
    let path = support::cache_dir().join(format!("search-plans-{cases}.txt"));
    std::fs::write(&path, plans).expect("writing the plans");

    // The list without a search, per filter: count (up to 1,001) and a window of 40.
    let mut lines = Vec::new();
    for (label, f) in filters() {
        let mut times = Vec::new();
        for i in 0..50 {
            let t = Instant::now();
            let n = queries::count_cases_upto(store.conn(), &f, 1001).expect("count");
            let rows = queries::cases(store.conn(), &f, 0, 40).expect("window");
            times.push(t.elapsed());
            if i == 0 {
                std::hint::black_box((n, rows.len()));
            }
        }
        lines.push(format!(
            "| filter: {label} (count + window of 40) | {:.2} | {:.2} | - | - | - |",
            pct(&mut times, 0.5),
            pct(&mut times, 0.99)
        ));
    }

    // Typing.
    let env = Env::new(
        store,
        Catalogue::builtin(),
        Lang::Zh,
        Clock::Fixed(now()),
        Config::default(),
    );
    let mut env = env;
    let list = CaseList::open(&mut env, CaseFilter::default()).expect("case list");
    let app = App::new(env, Box::new(list));
    let term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut b = Bench { app, term };
    b.term.draw(|f| b.app.render(f)).expect("draw");
    // Into the search field.
    b.press(KeyCode::Char('/'), KeyModifiers::NONE);

    let mut name_prefix: Vec<Samples> = (0..3).map(|_| Samples::default()).collect();
    let mut name_tail: Vec<Samples> = (0..2).map(|_| Samples::default()).collect();
    let mut id_prefix: Vec<Samples> = (0..8).map(|_| Samples::default()).collect();
    let mut init: Vec<Samples> = (0..3).map(|_| Samples::default()).collect();
    let mut clear = Samples::default();
    for (name, id, initials) in &kids {
        let chars: Vec<char> = name.chars().collect();
        b.type_query(name, &mut name_prefix, &mut clear);
        // A given name: the last one or two characters (never the surname alone).
        if chars.len() >= 2 {
            let tail: String = chars[chars.len() - chars.len().min(3) + 1..]
                .iter()
                .collect();
            b.type_query(&tail, &mut name_tail, &mut clear);
        }
        if !id.is_empty() {
            b.type_query(&id[..8], &mut id_prefix, &mut clear);
        }
        let ini: String = initials.chars().take(3).collect();
        b.type_query(&ini, &mut init, &mut clear);
    }

    let mut row = |label: String, s: &mut Samples| {
        if s.total.is_empty() {
            return;
        }
        lines.push(format!(
            "| {label} ({} keys) | {:.2} | {:.2} | {:.2} / {:.2} | {:.2} | {:.2} |",
            s.total.len(),
            pct(&mut s.total, 0.5),
            pct(&mut s.total, 0.99),
            pct(&mut s.key, 0.99),
            pct(&mut s.draw, 0.99),
            pct(&mut s.cpu, 0.5),
            pct(&mut s.cpu, 0.99),
        ));
    };
    for (i, s) in name_prefix.iter_mut().enumerate() {
        row(format!("name, first {} character(s)", i + 1), s);
    }
    for (i, s) in name_tail.iter_mut().enumerate() {
        row(format!("given name, {} character(s)", i + 1), s);
    }
    for (i, s) in id_prefix.iter_mut().enumerate().skip(1) {
        row(format!("ID prefix, {} digits", i + 1), s);
    }
    for (i, s) in init.iter_mut().enumerate() {
        row(format!("initials, {} letter(s)", i + 1), s);
    }
    row("clearing the search (Ctrl-U)".into(), &mut clear);
    let mut all = Samples::default();
    for s in name_prefix
        .iter()
        .chain(&name_tail)
        .chain(&id_prefix)
        .chain(&init)
    {
        all.total.extend(&s.total);
        all.key.extend(&s.key);
        all.draw.extend(&s.draw);
        all.cpu.extend(&s.cpu);
    }
    row("every search keystroke".into(), &mut all);

    report.push_str(&format!(
        "\n{cases} cases, load average {} (ms, wall: p50 | p99 | p99 of the key's queries / of the draw | CPU: p50 | p99)\n",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    ));
    for l in lines {
        report.push_str(&l);
        report.push('\n');
    }
}

fn search(q: &str) -> CaseFilter {
    CaseFilter {
        search: q.into(),
        ..Default::default()
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a small
    // size then, to check the harness works.
    let bench = std::env::args().any(|a| a == "--bench");
    let samples: usize = std::env::var("CASEPANEL_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if bench { 200 } else { 5 });
    let sizes = if bench {
        support::sizes()
    } else {
        vec![10_000]
    };
    let mut report = String::new();
    for cases in sizes {
        let t = Instant::now();
        run(cases, samples, &mut report);
        eprintln!(
            "search bench at {cases} cases: {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    println!("{report}");
}
