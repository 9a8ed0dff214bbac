//! The interface at scale (issue 8): open to the first dashboard frame, and key to next frame
//! on every main screen, p50 and p99, on generated databases of 10,000, 100,000 and
//! 1,000,000 cases; then the peak memory of the real program walking the same screens.
//!
//!     cargo bench --locked --bench tui
//!
//! A frame here is what the event loop does for a key: `App::on_key` (the screen's update and
//! the queries it runs) and `App::render` into a 120x40 test terminal (ratatui's diffing
//! `Terminal::draw`, as the product draws). The terminal's own output is not included: it
//! is the same few kilobytes whatever the database holds.
//!
//! The session writes (a session, its agenda, answers): each size is measured on a copy of
//! the cached database. Results are printed as Markdown rows and written to
//! `target/bench-data/tui-<cases>.md`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use casepanel::cli::{Cli, Context};
use casepanel::tui::app::App;
use casepanel::tui::env::Clock;
use casepanel::tui::keymap::Ctx;
use casepanel::tui::screens::dashboard::Dashboard;
use clap::Parser;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// Timings of one screen, in the order taken.
struct Samples {
    screen: &'static str,
    keys: &'static str,
    times: Vec<Duration>,
    /// The CPU time of each sample (this thread's): what the code costs, without the waits
    /// for a core on a shared machine. Empty where not measured.
    cpu: Vec<Duration>,
}

impl Samples {
    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.times, p)
    }
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut t = times.to_vec();
    t.sort();
    let i = ((t.len() as f64 - 1.0) * p).round() as usize;
    t[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The command line the product is started with, against `db` (a config file that is empty,
/// so the machine's own config cannot change what is measured).
fn context(db: &Path, config: &Path) -> Context {
    let cli = Cli::parse_from([
        "casepanel",
        "--db",
        db.to_str().expect("utf-8 path"),
        "--config",
        config.to_str().expect("utf-8 path"),
        "--lang",
        "zh",
        "--operator",
        "bench",
    ]);
    Context::new(&cli).expect("context")
}

/// Open to first frame: [`open_app`] and the draw. Each sample opens from scratch (the file
/// is in the OS cache after the first).
fn first_frame(db: &Path, config: &Path, samples: usize) -> Samples {
    let mut times = Vec::new();
    for _ in 0..samples {
        let started = Instant::now();
        let mut app = open_app(db, config);
        let mut term = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
        term.draw(|f| app.render(f)).expect("draw");
        times.push(started.elapsed());
    }
    Samples {
        screen: "open to first dashboard frame",
        keys: "start",
        times,
        cpu: Vec::new(),
    }
}

/// What `casepanel` does before its first draw: open the database, load the catalogue, read
/// the settings and the signing plan, build the dashboard.
fn open_app(db: &Path, config: &Path) -> App {
    let ctx = context(db, config);
    let store = ctx.open_store(db).expect("open");
    let catalogue = ctx.catalogue().expect("catalogue");
    let mut env = casepanel::tui::env(store, &ctx, catalogue, Clock::Fixed(now())).expect("env");
    let root = Dashboard::open(&mut env).expect("dashboard");
    App::new(env, Box::new(root))
}

fn now() -> chrono::NaiveDateTime {
    support::today().and_hms_opt(9, 30, 0).expect("valid time")
}

struct Driver {
    app: App,
    term: Terminal<TestBackend>,
}

impl Driver {
    fn new(db: &Path, config: &Path) -> Driver {
        let mut d = Driver {
            app: open_app(db, config),
            term: Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal"),
        };
        d.frame();
        d
    }

    fn frame(&mut self) {
        let app = &mut self.app;
        self.term.draw(|f| app.render(f)).expect("draw");
    }

    /// One key and the frame after it: the time a person waits, and the CPU time it took.
    fn key(&mut self, k: KeyEvent) -> (Duration, Duration) {
        let started = Instant::now();
        let cpu = support::thread_cpu_time();
        self.app.on_key(k);
        self.frame();
        (started.elapsed(), support::thread_cpu_time() - cpu)
    }

    /// Presses `keys` (in the keymap's notation, space-separated) `times` over, timing each.
    fn run(&mut self, screen: &'static str, keys: &'static str, times: usize) -> Samples {
        let seq: Vec<KeyEvent> = keys.split(' ').map(parse_key).collect();
        let mut out = Vec::new();
        let mut cpu = Vec::new();
        for _ in 0..times {
            for k in &seq {
                let (wall, c) = self.key(*k);
                out.push(wall);
                cpu.push(c);
            }
        }
        Samples {
            screen,
            keys,
            times: out,
            cpu,
        }
    }

    /// Presses keys without timing them (getting to a screen), then checks the screen is
    /// the one expected: a benchmark that measured the wrong screen would be worse than none.
    fn go(&mut self, keys: &str, expect: Ctx) {
        for k in keys.split(' ').filter(|k| !k.is_empty()) {
            self.app.on_key(parse_key(k));
            self.frame();
        }
        let ctxs = self.app.contexts();
        if !ctxs.contains(&expect) {
            let buf = self.term.backend().buffer();
            let screen: Vec<String> = (0..buf.area.height)
                .map(|y| {
                    (0..buf.area.width)
                        .map(|x| buf[(x, y)].symbol())
                        .collect::<String>()
                })
                .collect();
            panic!(
                "after {keys:?} the screen should be {expect:?}, is {ctxs:?}:\n{}",
                screen.join("\n")
            );
        }
    }
}

fn parse_key(k: &str) -> KeyEvent {
    let (code, mods) = match k {
        "enter" => (KeyCode::Enter, KeyModifiers::NONE),
        "esc" => (KeyCode::Esc, KeyModifiers::NONE),
        "tab" => (KeyCode::Tab, KeyModifiers::NONE),
        "backtab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
        "pgdn" => (KeyCode::PageDown, KeyModifiers::NONE),
        "pgup" => (KeyCode::PageUp, KeyModifiers::NONE),
        "space" => (KeyCode::Char(' '), KeyModifiers::NONE),
        "bs" => (KeyCode::Backspace, KeyModifiers::NONE),
        "ctrl-p" => (KeyCode::Char('p'), KeyModifiers::CONTROL),
        s => {
            let mut cs = s.chars();
            let c = cs.next().expect("a key");
            assert!(cs.next().is_none(), "unknown key {s:?}");
            (KeyCode::Char(c), KeyModifiers::NONE)
        }
    };
    KeyEvent::new(code, mods)
}

/// Every main screen, the keys a person presses there most.
fn screens(db: &Path, config: &Path) -> Vec<Samples> {
    let mut d = Driver::new(db, config);
    let mut out = Vec::new();
    out.push(d.run("dashboard", "ctrl-p ctrl-p", 50));

    d.go("c", Ctx::CaseList);
    out.push(d.run("case list", "j j j j j j j j j j pgdn", 30));
    out.push(d.run("case list", "pgup k k k k k", 30));
    out.push(d.run("case list", "G g", 10));
    // End, then back up from there (read by key from the last page, backwards).
    out.push(d.run("case list", "G pgup pgup pgup k k", 10));
    d.go("g", Ctx::CaseList);

    // Search as you type: a surname, a name, an ID number prefix, pinyin initials; each
    // key a new query.
    d.go("/", Ctx::Input);
    out.push(d.run("case list search", "张 bs", 20));
    out.push(d.run("case list search", "王 小 bs bs", 20));
    out.push(d.run("case list search", "2 1 0 1 8 1 bs bs bs bs bs bs", 10));
    out.push(d.run("case list search", "z s bs bs", 20));
    d.go("esc", Ctx::CaseList);

    d.go("enter", Ctx::CaseFile);
    out.push(d.run("case file", "tab tab tab tab tab tab j k", 15));
    d.go("esc esc", Ctx::Dashboard);

    d.go("r", Ctx::CaseList);
    out.push(d.run("re-review queue", "j j j j j j j j j j pgdn", 30));
    d.go("esc", Ctx::Dashboard);

    // The session: roll call (everyone present), then scoring the first case.
    // The session: the open one the generated data plans (or a new one) with the whole
    // roster present, a chair and a secretary, so that it can begin.
    d.go("s", Ctx::Setup);
    out.push(d.run("session: roll call", "j space space", 20));
    d.go("esc", Ctx::Dashboard);
    {
        use casepanel::domain::panel::SessionStatus;
        use casepanel::store::panel;
        let store = &mut d.app.env.store;
        let open = panel::sessions(store.conn(), 20)
            .expect("sessions")
            .into_iter()
            .filter(|s| s.status == SessionStatus::Open)
            .min_by_key(|s| (s.held_on, s.id))
            .expect("the roll call left an open session");
        let members: Vec<i64> = panel::members(store.conn())
            .expect("members")
            .into_iter()
            .filter(|m| m.active)
            .map(|m| m.id)
            .collect();
        store
            .write(|tx| {
                panel::set_present(tx, open.id, &members)?;
                panel::set_roles(tx, open.id, Some(members[0]), Some(members[1]))
            })
            .expect("roll call");
    }
    d.go("s enter", Ctx::Session);
    out.push(d.run(
        "session: steps",
        "tab tab tab tab backtab backtab backtab backtab",
        10,
    ));
    out.push(d.run("session: next case", "] [", 10));
    for _ in 0..6 {
        if d.app.contexts().contains(&Ctx::Scoring) {
            break;
        }
        d.go("tab", Ctx::Session);
    }
    d.go("", Ctx::Scoring);
    out.push(d.run("session: scoring", "y j n j u j k k k", 10));
    out
}

/// Peak memory (VmHWM) of the real program walking the screens on `db`, in a tmux
/// terminal; None when tmux is not installed.
fn peak_rss(db: &Path, config: &Path) -> Option<u64> {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: peak memory not measured");
        return None;
    }
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_casepanel"));
    let session = format!("cpbench{}", std::process::id());
    let tmux = |args: &[&str]| Command::new("tmux").args(args).output().expect("tmux runs");
    let cmd = format!(
        "CASEPANEL_TODAY={} exec {} --db {} --config {} --operator bench --lang zh",
        support::today(),
        bin.display(),
        db.display(),
        config.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "40",
        &cmd,
    ]);
    let pid = {
        let out = tmux(&["list-panes", "-t", &session, "-F", "#{pane_pid}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let send = |keys: &[&str]| {
        for k in keys {
            tmux(&["send-keys", "-t", &session, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    };
    std::thread::sleep(Duration::from_secs(2));
    send(&[
        "c", "j", "j", "PageDown", "G", "g", "/", "张", "三", "Escape", "Escape",
    ]);
    send(&[
        "Enter", "Tab", "Tab", "Tab", "Tab", "Tab", "Escape", "Escape",
    ]);
    send(&["r", "PageDown", "PageDown", "Escape", "s", "j", "Space"]);
    std::thread::sleep(Duration::from_secs(1));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok();
    tmux(&["kill-session", "-t", &session]);
    let kib: u64 = status?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs it once as a smoke test.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let sizes = if smoke { vec![2_000] } else { support::sizes() };
    let dir = support::cache_dir();
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let config = dir.join("tui-bench-config.toml");
    std::fs::write(&config, "# empty: the defaults\n").expect("config file");
    for cases in sizes {
        let db = support::database(&support::Spec::new(cases)).expect("database");
        let copy = dir.join(format!("tui-scratch-{cases}.db"));
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
        }
        db.copy_to(&copy).expect("copy of the database");
        let mut rows = vec![first_frame(&copy, &config, if smoke { 2 } else { 20 })];
        rows.extend(screens(&copy, &config));
        let rss = if smoke {
            None
        } else {
            peak_rss(&copy, &config)
        };
        let mut md = format!(
            "### {cases} cases (load average {})\n\n| screen | keys | presses | p50 | p99 | max | CPU p50 | CPU p99 |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
            support::load_average().map_or("?".into(), |l| format!("{l:.1}"))
        );
        for s in &rows {
            let cpu = |p| {
                if s.cpu.is_empty() {
                    String::new()
                } else {
                    ms(percentile(&s.cpu, p))
                }
            };
            md.push_str(&format!(
                "| {} | `{}` | {} | {} | {} | {} | {} | {} |\n",
                s.screen,
                s.keys,
                s.times.len(),
                ms(s.percentile(0.5)),
                ms(s.percentile(0.99)),
                ms(s.percentile(1.0)),
                cpu(0.5),
                cpu(0.99),
            ));
        }
        if let Some(b) = rss {
            md.push_str(&format!(
                "\nPeak memory of `casepanel` walking these screens in a 120x40 tmux terminal \
                 (VmHWM): {:.1} MiB\n",
                b as f64 / (1024.0 * 1024.0)
            ));
        }
        println!("{md}");
        if !smoke {
            let out = dir.join(format!("tui-{cases}.md"));
            std::fs::write(&out, &md).expect("results file");
        }
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", copy.display()));
        }
    }
}
