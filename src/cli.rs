//! The command line: clap definitions of every verb. Each verb calls the library, prints,
//! and returns; `main` turns the result into the exit code (0 ok, 1 a failure the user can
//! fix, 2 a usage error).

use chrono::{Local, NaiveDate, NaiveDateTime};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

use crate::config::{Config, Paths};
use crate::domain::criteria::{Catalogue, load};
use crate::i18n::Lang;
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "casepanel",
    version,
    about = "casepanel — the expert panel's tool for reviewing children in difficulty\n\
             casepanel：未成年人保护中心专家组的个案评估工具",
    long_about = "casepanel keeps the case files of children in difficulty and leads the \
expert panel through its case reviews, one case at a time, on a shared screen.\n\n\
Run it with no command to open the program on your database. To try it safely first, \
run `casepanel demo`: it opens a practice database filled with invented cases.\n\n\
casepanel 保存困境未成年人的个案档案，并在专家组会议上逐案引导评估。\n\
不带命令运行即打开您的数据库；想先试用，请运行 `casepanel demo`（演示数据库，全部为虚构个案）。",
    after_help = "Files / 文件:\n  database  ~/.local/share/casepanel/casepanel.db  (--db, CASEPANEL_DB)\n  config    ~/.config/casepanel/config.toml      (--config, CASEPANEL_CONFIG)\n\nExit codes / 退出码: 0 ok · 1 failed (the message says how to fix it) · 2 wrong command line"
)]
pub struct Cli {
    /// The database file (default: casepanel.db in the data folder). 数据库文件
    #[arg(long, global = true, env = "CASEPANEL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Interface language: zh or en (default: from LANG). 界面语言
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang)]
    pub lang: Option<Lang>,

    /// The config file (default: config.toml in the config folder). 配置文件
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A criteria catalogue to use instead of the configured one. 评估标准文件
    #[arg(long, global = true, value_name = "FILE")]
    pub criteria: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}` is not a language casepanel speaks: use zh or en"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a fresh practice database of invented cases and open it. 打开演示数据库
    Demo {
        /// How many invented cases. 个案数
        #[arg(long, default_value_t = 300)]
        cases: usize,
        /// Build the database but do not open the screen. 只生成，不打开界面
        #[arg(long)]
        no_tui: bool,
    },
    /// Write synthetic (invented) cases into a new database, for tests and benchmarks. 生成合成数据
    Generate {
        /// How many cases. 个案数
        #[arg(long)]
        cases: usize,
        /// Same seed, same data. 随机种子
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Replace the file if it exists. 覆盖已有文件
        #[arg(long)]
        force: bool,
    },
    /// Check or show a criteria catalogue. 检查或显示评估标准
    Criteria {
        #[command(subcommand)]
        action: CriteriaCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CriteriaCommand {
    /// Validate a catalogue file and list every problem with its line. 校验评估标准文件
    Check { file: PathBuf },
    /// Print a catalogue (default: the one in use). 显示评估标准
    Show { file: Option<PathBuf> },
}

/// A failure the user can fix: the message says what, where and how. Exit code 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

/// What every verb needs: language, config, catalogue, today.
pub struct Context {
    pub lang: Lang,
    pub paths: Paths,
    pub config: Config,
    pub db: PathBuf,
    criteria_file: Option<PathBuf>,
}

impl Context {
    pub fn new(cli: &Cli) -> Result<Context, Failure> {
        let mut paths = Paths::platform();
        if let Some(c) = &cli.config {
            paths.config_file = c.clone();
        }
        let config = Config::load(&paths.config_file)?;
        let lang = cli
            .lang
            .or_else(|| config.lang.as_deref().and_then(Lang::parse))
            .unwrap_or_else(Lang::from_env);
        let db = cli.db.clone().unwrap_or_else(|| paths.default_db());
        let criteria_file = cli.criteria.clone().or_else(|| config.criteria.clone());
        Ok(Context { lang, paths, config, db, criteria_file })
    }

    /// The catalogue in use: `--criteria`, else the config's, else the shipped one.
    pub fn catalogue(&self) -> Result<Catalogue, Failure> {
        match &self.criteria_file {
            Some(f) => Ok(load::load_file(f)?),
            None => Ok(Catalogue::builtin()),
        }
    }
}

/// Today, or the date in `CASEPANEL_TODAY` (YYYY-MM-DD) so tests and demos can fix the clock.
pub fn today() -> NaiveDate {
    std::env::var("CASEPANEL_TODAY")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .unwrap_or_else(|| Local::now().date_naive())
}

/// Now, to the second, on the same clock as [`today`].
pub fn now() -> NaiveDateTime {
    use chrono::Timelike;
    let real = Local::now().naive_local().with_nanosecond(0).expect("0 ns is valid");
    let day = today();
    if day == real.date() { real } else { day.and_time(real.time()) }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let ctx = Context::new(&cli)?;
    match cli.command {
        None => {
            let store = Store::open(&ctx.db)?;
            let catalogue = ctx.catalogue()?;
            crate::tui::run(store, &ctx, catalogue)?;
            Ok(())
        }
        Some(Command::Demo { cases, no_tui }) => {
            let db = cli.db.clone().unwrap_or_else(|| ctx.paths.demo_db());
            build_demo(&db, cases)?;
            if no_tui {
                println!("{}", db.display());
                return Ok(());
            }
            let store = Store::open(&db)?;
            let catalogue = ctx.catalogue()?;
            crate::tui::run(store, &ctx, catalogue)?;
            Ok(())
        }
        Some(Command::Generate { cases, seed, force }) => {
            let db = cli.db.clone().ok_or_else(|| {
                Failure("generate needs --db PATH: the file to write the invented cases to".into())
            })?;
            generate_into(&db, cases, seed, force)?;
            Ok(())
        }
        Some(Command::Criteria { action }) => criteria(&ctx, action),
    }
}

fn remove_db_files(db: &Path) -> Result<(), Failure> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Failure(format!("{}: cannot remove the old file: {e}", Path::new(&p).display()))),
        }
    }
    Ok(())
}

/// Writes `cases` invented cases into a new database at `db`.
fn generate_into(db: &Path, cases: usize, seed: u64, force: bool) -> Result<(), Failure> {
    if db.exists() {
        if !force {
            return Err(Failure(format!(
                "{}: the file exists. Choose another path, or add --force to replace it.",
                db.display()
            )));
        }
        // Only ever replace a casepanel database.
        Store::open(db)?;
        remove_db_files(db)?;
    }
    let mut store = Store::open(db)?;
    let cfg = crate::generate::GenConfig { cases, seed, today: today() };
    let summary = crate::generate::generate(&mut store, &cfg)?;
    eprintln!("{}: {summary}", db.display());
    Ok(())
}

/// A fresh demo database: invented cases, marked as a demo everywhere it shows.
fn build_demo(db: &Path, cases: usize) -> Result<(), Failure> {
    if db.exists() {
        let store = Store::open(db)?;
        let is_demo = crate::store::settings::get(store.conn(), crate::store::settings::DEMO)?.is_some();
        drop(store);
        if !is_demo {
            return Err(Failure(format!(
                "{}: this is not a demo database; casepanel will not replace it. Use another --db path.",
                db.display()
            )));
        }
        remove_db_files(db)?;
    }
    let mut store = Store::open(db)?;
    let cfg = crate::generate::GenConfig { cases, seed: 2014, today: today() };
    crate::generate::generate(&mut store, &cfg)?;
    store.write(|tx| {
        crate::store::settings::set(tx, crate::store::settings::DEMO, "1")?;
        crate::store::settings::set(tx, crate::store::settings::CENTRE_NAME, "演示 · 新民市未成年人保护中心")
    })?;
    Ok(())
}

fn criteria(ctx: &Context, action: CriteriaCommand) -> Result<(), Failure> {
    let zh = ctx.lang == Lang::Zh;
    match action {
        CriteriaCommand::Check { file } => {
            let cat = load::load_file(&file)?;
            println!(
                "{}: {} {} · {} · sha256 {}",
                file.display(),
                if zh { "有效" } else { "valid" },
                cat.id,
                cat.version,
                cat.sha256
            );
            Ok(())
        }
        CriteriaCommand::Show { file } => {
            let cat = match file {
                Some(f) => load::load_file(&f)?,
                None => ctx.catalogue()?,
            };
            print!("{}", crate::domain::criteria::render::render_text(&cat, zh));
            Ok(())
        }
    }
}
