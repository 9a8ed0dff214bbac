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
    /// List the re-reviews due: ad-hoc, first assessments, due and overdue. 复评到期清单
    ///
    /// Names are masked; the ID number never shows. `--format ics` writes a calendar file
    /// with one event per due review. 姓名脱敏显示，不含身份证号。
    Due {
        /// Routine reviews due within this many days (default: the review window). 天数内到期
        #[arg(long, value_name = "DAYS")]
        within: Option<u32>,
        /// Only reviews past their due date. 只列逾期
        #[arg(long)]
        overdue: bool,
        /// Only cases in this region (a city, county, township or village code). 地区代码
        #[arg(long, value_name = "CODE")]
        region: Option<String>,
        /// Only cases at this risk level. 风险等级
        #[arg(long, value_name = "1|2|3", value_parser = clap::value_parser!(u8).range(1..=3))]
        level: Option<u8>,
        /// Only cases of this difficulty type: its code (e.g. domestic_violence) or its
        /// Chinese name (e.g. 家庭暴力). 困境类型
        #[arg(long = "type", value_name = "CODE", value_parser = parse_difficulty)]
        difficulty: Option<crate::domain::difficulty::DifficultyType>,
        /// Output: table, json, csv or ics. 输出格式
        #[arg(long, default_value = "table", value_parser = ["table", "json", "csv", "ics"])]
        format: String,
        /// At most this many cases. 最多条数
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        /// Skip this many cases first. 跳过条数
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Counts of open cases by level, type or region; decisions per month; overdue. 统计
    Stats {
        /// Group by level, type or region. 分组方式
        #[arg(long, default_value = "level", value_parser = ["level", "type", "region"])]
        by: String,
        /// Only this region's subtree; by region, its child regions are listed. 地区代码
        #[arg(long, value_name = "CODE")]
        region: Option<String>,
        /// Output: table, csv or json. 输出格式
        #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
        format: String,
    },
    /// Make the centre's signing key pair (minisign format, Ed25519). 生成本中心的签名密钥
    Keygen {
        /// The folder for casepanel.pub and casepanel.key. 密钥文件夹
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Read the passphrase from this file's first line instead of asking. 从文件读取口令
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Leave the secret key unencrypted: for tests and demos only. 不加密（仅供测试和演示）
        #[arg(long, conflicts_with = "passphrase_file")]
        unencrypted: bool,
    },
    /// Sign sealed decisions that have no signature yet. 签署尚未签名的已确认决定
    Sign {
        /// Every sealed decision without a signature. 全部未签名的决定
        #[arg(
            long,
            conflicts_with = "decision",
            required_unless_present = "decision"
        )]
        all: bool,
        /// One decision, by its id. 一项决定（编号）
        #[arg(long, value_name = "ID")]
        decision: Option<i64>,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Export signed decision records: JSON, signature, Markdown, HTML, manifest. 导出决定书
    Export {
        /// One decision, by its id. 一项决定（编号）
        #[arg(
            long,
            value_name = "ID",
            conflicts_with = "session",
            required_unless_present = "session"
        )]
        decision: Option<i64>,
        /// A whole session: its decisions and minutes. 一次会议（编号）
        #[arg(long, value_name = "ID")]
        session: Option<i64>,
        /// The folder to write to (new or empty). 导出到的文件夹
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Check a record file or an export folder with the centre's public key. 核验决定书或导出文件夹
    Verify {
        /// A D-….json record or an export folder. 决定书文件或导出文件夹
        path: PathBuf,
        /// The centre's public key (default: the .pub beside the configured key). 公钥文件
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
    },
}

/// Which key signs, and who.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// The secret key file (default: signing_key in the config). 私钥文件
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Read the key's passphrase from this file's first line. 从文件读取私钥口令
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who signs, as records name it (default: the centre's name). 签署人
    #[arg(long, value_name = "NAME")]
    pub signer: Option<String>,
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
        Ok(Context {
            lang,
            paths,
            config,
            db,
            criteria_file,
        })
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
    let real = Local::now()
        .naive_local()
        .with_nanosecond(0)
        .expect("0 ns is valid");
    let day = today();
    if day == real.date() {
        real
    } else {
        day.and_time(real.time())
    }
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
        Some(Command::Due {
            within,
            overdue,
            region,
            level,
            difficulty,
            format,
            limit,
            offset,
        }) => {
            let filter = crate::store::queue::QueueFilter {
                within_days: within,
                overdue_only: overdue,
                region,
                level: level.and_then(crate::domain::RiskLevel::from_number),
                difficulty,
            };
            due(&ctx, &filter, &format, offset, limit)
        }
        Some(Command::Stats { by, region, format }) => stats(&ctx, &by, region.as_deref(), &format),
        Some(Command::Keygen {
            out,
            passphrase_file,
            unencrypted,
        }) => signing::keygen(&out, passphrase_file.as_deref(), unencrypted),
        Some(Command::Sign { all, decision, key }) => signing::sign(&ctx, all, decision, &key),
        Some(Command::Export {
            decision,
            session,
            out,
            key,
        }) => {
            // Documents are Chinese unless --lang says otherwise.
            let lang = cli.lang.unwrap_or(Lang::Zh);
            signing::export(&ctx, decision, session, &out, lang, &key)
        }
        Some(Command::Verify { path, pubkey }) => signing::verify(&ctx, &path, pubkey.as_deref()),
    }
}

fn remove_db_files(db: &Path) -> Result<(), Failure> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure(format!(
                    "{}: cannot remove the old file: {e}",
                    Path::new(&p).display()
                )));
            }
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
    let cfg = crate::generate::GenConfig {
        cases,
        seed,
        today: today(),
    };
    let summary = crate::generate::generate(&mut store, &cfg)?;
    eprintln!("{}: {summary}", db.display());
    Ok(())
}

/// A fresh demo database: invented cases, marked as a demo everywhere it shows.
fn build_demo(db: &Path, cases: usize) -> Result<(), Failure> {
    if db.exists() {
        let store = Store::open(db)?;
        let is_demo =
            crate::store::settings::get(store.conn(), crate::store::settings::DEMO)?.is_some();
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
    let cfg = crate::generate::GenConfig {
        cases,
        seed: 2014,
        today: today(),
    };
    crate::generate::generate(&mut store, &cfg)?;
    store.write(|tx| {
        crate::store::settings::set(tx, crate::store::settings::DEMO, "1")?;
        crate::store::settings::set(
            tx,
            crate::store::settings::CENTRE_NAME,
            "演示 · 新民市未成年人保护中心",
        )
    })?;
    crate::export::demo::sign_demo(&mut store, db, now())?;
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

/// The signing verbs: keygen, sign, export, verify.
mod signing {
    use std::io::IsTerminal;
    use std::path::{Path, PathBuf};

    use super::{Context, Failure, KeyArgs, now};
    use crate::export::{self, SigningKey, keys};
    use crate::i18n::Lang;
    use crate::store::{Store, settings, signatures};

    /// Environment variable with the key's passphrase, for scripts.
    pub const PASSPHRASE_ENV: &str = "CASEPANEL_KEY_PASSPHRASE";

    /// The passphrase: `--passphrase-file`, else `CASEPANEL_KEY_PASSPHRASE`, else asked on
    /// the terminal (twice when `confirm`).
    fn passphrase(file: Option<&Path>, confirm: bool) -> Result<String, Failure> {
        if let Some(f) = file {
            let text = std::fs::read_to_string(f).map_err(|e| {
                Failure(format!(
                    "{}: cannot read the passphrase file: {e}. Check --passphrase-file.",
                    f.display()
                ))
            })?;
            let line = text.lines().next().unwrap_or("").to_string();
            if line.is_empty() {
                return Err(Failure(format!(
                    "{}: the passphrase file is empty; write the passphrase on its first line",
                    f.display()
                )));
            }
            return Ok(line);
        }
        if let Ok(p) = std::env::var(PASSPHRASE_ENV)
            && !p.is_empty()
        {
            return Ok(p);
        }
        if !std::io::stdin().is_terminal() {
            return Err(Failure(format!(
                "the key needs a passphrase and there is no terminal to ask on: pass --passphrase-file FILE or set {PASSPHRASE_ENV}"
            )));
        }
        let first = rpassword::prompt_password("口令 Passphrase: ")
            .map_err(|e| Failure(format!("cannot read the passphrase from the terminal: {e}")))?;
        if confirm {
            let again = rpassword::prompt_password("再输一次 Again: ").map_err(|e| {
                Failure(format!("cannot read the passphrase from the terminal: {e}"))
            })?;
            if again != first {
                return Err(Failure(
                    "the two passphrases differ; nothing was written. Run keygen again.".into(),
                ));
            }
        }
        if first.is_empty() {
            return Err(Failure("the passphrase is empty; nothing was done".into()));
        }
        Ok(first)
    }

    pub fn keygen(
        out: &Path,
        passphrase_file: Option<&Path>,
        unencrypted: bool,
    ) -> Result<(), Failure> {
        let files = if unencrypted {
            eprintln!(
                "casepanel: WARNING 警告: the secret key will NOT be encrypted. Anyone who copies casepanel.key can sign \
                 decisions in the centre's name. Use --unencrypted for tests and demos only.\n\
                 私钥不加密：任何人复制该文件即可以本中心名义签署决定。仅供测试和演示使用。"
            );
            keys::generate(out, None, "casepanel UNENCRYPTED TEST KEY")?
        } else {
            let p = passphrase(passphrase_file, true)?;
            if p.chars().count() < 8 {
                return Err(Failure(
                    "the passphrase is shorter than 8 characters; choose a longer one (a few words work well)".into(),
                ));
            }
            keys::generate(out, Some(&p), "")?
        };
        let secret = std::fs::canonicalize(&files.secret).unwrap_or(files.secret.clone());
        println!(
            "{}  公钥 public key: hand it to whoever checks records",
            files.public.display()
        );
        println!(
            "{}  私钥 secret key ({}): keep it safe, back it up",
            files.secret.display(),
            if files.encrypted {
                "encrypted 已加密"
            } else {
                "NOT encrypted 未加密"
            }
        );
        println!("key id 密钥编号: {}", files.key_id);
        println!(
            "Next 下一步: add to the config file 在配置文件中写入: signing_key = \"{}\"",
            secret.display()
        );
        Ok(())
    }

    /// Opens the database named by --db; never creates one for these verbs.
    fn open_existing(ctx: &Context) -> Result<Store, Failure> {
        if !ctx.db.exists() {
            return Err(Failure(format!(
                "{}: no database there. Name it with --db PATH (the demo is demo.db in the data folder).",
                ctx.db.display()
            )));
        }
        Ok(Store::open(&ctx.db)?)
    }

    /// The key to sign with and the signer's name: --key, else the config's signing_key,
    /// else, for the demo database, the demo key (always named as the demo key).
    fn signing_key(
        ctx: &Context,
        store: &Store,
        args: &KeyArgs,
    ) -> Result<(SigningKey, String), Failure> {
        let is_demo = settings::get(store.conn(), settings::DEMO)?.is_some();
        let path: Option<PathBuf> = args.key.clone().or_else(|| ctx.config.signing_key.clone());
        let (key, demo) = match path {
            Some(p) => {
                let pass = if keys::is_encrypted(&p)? {
                    Some(passphrase(args.passphrase_file.as_deref(), false)?)
                } else {
                    if !is_demo {
                        eprintln!(
                            "casepanel: warning: {} is not encrypted; use it for tests only",
                            p.display()
                        );
                    }
                    None
                };
                (keys::load_secret_key(&p, pass.as_deref())?, false)
            }
            None if is_demo => (export::demo::demo_key(&ctx.db)?, true),
            None => {
                return Err(Failure(format!(
                    "no signing key: make one with `casepanel keygen --out DIR`, then add signing_key = \"DIR/casepanel.key\" \
                     to {} (or pass --key FILE)",
                    ctx.paths.config_file.display()
                )));
            }
        };
        let signer = if demo || key.key_id() == demo_key_id(ctx).as_deref().unwrap_or("") {
            export::demo::DEMO_SIGNER.to_string()
        } else if let Some(s) = &args.signer {
            s.clone()
        } else if let Some(s) =
            settings::get(store.conn(), settings::CENTRE_NAME)?.or(ctx.config.centre_name.clone())
        {
            s
        } else {
            return Err(Failure(format!(
                "say who signs: pass --signer NAME, or set centre_name in {}",
                ctx.paths.config_file.display()
            )));
        };
        Ok((key, signer))
    }

    /// The demo key's id, if the demo key beside this database exists.
    fn demo_key_id(ctx: &Context) -> Option<String> {
        let pub_file = keys::public_key_path_for(&export::demo::demo_key_file(&ctx.db));
        keys::load_public_key(&pub_file)
            .ok()
            .map(|k| k.key_id().to_string())
    }

    pub fn sign(
        ctx: &Context,
        all: bool,
        decision: Option<i64>,
        args: &KeyArgs,
    ) -> Result<(), Failure> {
        let mut store = open_existing(ctx)?;
        let ids = if all {
            signatures::unsigned_sealed(store.conn())?
        } else {
            let id = decision.expect("clap requires --all or --decision");
            if signatures::is_signed(store.conn(), id)? {
                println!("{}: already signed 已签名", export::record::record_id(id));
                return Ok(());
            }
            vec![id]
        };
        if ids.is_empty() {
            println!("nothing to sign: every sealed decision is signed 所有已确认的决定均已签名");
            return Ok(());
        }
        let (key, signer) = signing_key(ctx, &store, args)?;
        let done = export::sign::sign_all(
            &mut store,
            &ids,
            &key,
            &signer,
            ctx.config.centre_name.as_deref(),
            now(),
        )?;
        for r in &done {
            println!("{}  signed 已签名", r.record_id);
        }
        eprintln!(
            "{} decision(s) signed with key {} 已签名",
            done.len(),
            key.key_id()
        );
        Ok(())
    }

    pub fn export(
        ctx: &Context,
        decision: Option<i64>,
        session: Option<i64>,
        out: &Path,
        lang: Lang,
        args: &KeyArgs,
    ) -> Result<(), Failure> {
        let store = open_existing(ctx)?;
        // Check what is asked for before asking for a passphrase.
        if let Some(id) = decision
            && crate::store::decisions::get(store.conn(), id)?.is_none()
        {
            return Err(Failure(format!(
                "there is no decision {id}: check the id (the case file lists a case's decisions)"
            )));
        }
        if let Some(id) = session
            && crate::store::panel::session(store.conn(), id)?.is_none()
        {
            return Err(Failure(format!("there is no session {id}: check the id")));
        }
        let (key, signer) = signing_key(ctx, &store, args)?;
        let summary = match (decision, session) {
            (Some(id), _) => export::export_decision(&store, id, out, lang, &key, &signer, now())?,
            (None, Some(id)) => {
                export::export_session(&store, id, out, lang, &key, &signer, now())?
            }
            (None, None) => unreachable!("clap requires --decision or --session"),
        };
        println!(
            "{}: {} files, {} record(s) 已导出. Check with 核验: casepanel verify {} --pubkey casepanel.pub",
            summary.dir.display(),
            summary.files.len(),
            summary.records,
            summary.dir.display()
        );
        Ok(())
    }

    pub fn verify(ctx: &Context, path: &Path, pubkey: Option<&Path>) -> Result<(), Failure> {
        let pub_file = match pubkey {
            Some(p) => p.to_path_buf(),
            None => match &ctx.config.signing_key {
                Some(k) => keys::public_key_path_for(k),
                None => {
                    return Err(Failure(
                        "verify needs the signer's public key: pass --pubkey casepanel.pub (no signing_key is configured)"
                            .into(),
                    ));
                }
            },
        };
        let pk = keys::load_public_key(&pub_file)?;
        let verified =
            export::verify_path(path, &pk).map_err(|p| Failure(format!("FAILED 核验失败: {p}")))?;
        let zh = ctx.lang == Lang::Zh;
        for r in &verified.records {
            println!(
                "{}  ok · {} {} · {} {} · {}",
                r.file,
                if zh { "签署人" } else { "signer" },
                r.signer,
                if zh { "时间" } else { "signed" },
                r.signed_at,
                export::render::level_label(ctx.lang, r.final_level)
            );
        }
        if verified.manifest.is_some() {
            println!(
                "MANIFEST.sha256  ok · {} files · key {}",
                verified.files,
                pk.key_id()
            );
        }
        Ok(())
    }
}

/// `--type`: a difficulty type by its code or its Chinese name.
fn parse_difficulty(s: &str) -> Result<crate::domain::difficulty::DifficultyType, String> {
    use crate::domain::difficulty::DifficultyType;
    DifficultyType::from_code(s.trim())
        .or_else(|| DifficultyType::from_chinese(s))
        .ok_or_else(|| {
            let codes: Vec<&str> = DifficultyType::ALL.iter().map(|t| t.code()).collect();
            format!(
                "not a difficulty type (困境类型). Use one of: {}",
                codes.join(", ")
            )
        })
}

/// `casepanel due`: the queue as a table, JSON, CSV or an iCalendar file.
fn due(
    ctx: &Context,
    filter: &crate::store::queue::QueueFilter,
    format: &str,
    offset: usize,
    limit: usize,
) -> Result<(), Failure> {
    use crate::store::queue;
    let store = open_existing(&ctx.db)?;
    check_region(&store, filter.region.as_deref())?;
    let day = today();
    let rules = &ctx.config.review;
    let items = queue::list(store.conn(), day, rules, filter, offset, limit)?;
    let out = match format {
        "json" => queue::render_json(&items),
        "csv" => queue::render_csv(&items),
        "ics" => queue::render_ics(&items, ctx.lang, chrono::Utc::now().naive_utc()),
        _ => {
            let total = queue::count(store.conn(), day, rules, filter)?;
            let mut out = queue::render_table(&items, total, ctx.lang);
            // The follow-ups past their deadline in the same scope.
            let (n, late) = queue::overdue_interventions_in(store.conn(), day, filter, 20)?;
            let cat = ctx.catalogue().ok();
            let lang = ctx.lang;
            let name = |kind: &str| -> String {
                cat.as_ref()
                    .and_then(|c| c.intervention(kind))
                    .map(|d| match lang {
                        crate::i18n::Lang::Zh => d.zh.clone(),
                        crate::i18n::Lang::En => d.en.clone(),
                    })
                    .unwrap_or_else(|| kind.to_string())
            };
            out.push('\n');
            out.push_str(&queue::render_overdue_interventions(n, &late, lang, &name));
            out
        }
    };
    print!("{out}");
    Ok(())
}

/// `casepanel stats`: counts for the data-sharing platform.
fn stats(ctx: &Context, by: &str, region: Option<&str>, format: &str) -> Result<(), Failure> {
    use crate::store::stats;
    let store = open_existing(&ctx.db)?;
    check_region(&store, region)?;
    let by = stats::By::parse(by).unwrap_or(stats::By::Level);
    let day = today();
    let s = stats::stats(store.conn(), day, by, region)?;
    let out = match format {
        "json" => stats::render_json(&s, by, region, day),
        "csv" => stats::render_csv(&s, by),
        _ => stats::render_table(&s, by, ctx.lang),
    };
    print!("{out}");
    Ok(())
}

/// Opens a database that must already exist (the report verbs never create one).
fn open_existing(db: &Path) -> Result<Store, Failure> {
    if !db.exists() {
        return Err(Failure(format!(
            "{}: no database here. Give the right one with --db PATH, or run `casepanel demo` to try a practice one.",
            db.display()
        )));
    }
    Ok(Store::open(db)?)
}

/// A region code given on the command line must name a region of the tree.
fn check_region(store: &Store, region: Option<&str>) -> Result<(), Failure> {
    if let Some(r) = region
        && crate::store::regions::get(store.conn(), r)?.is_none()
    {
        return Err(Failure(format!(
            "--region {r}: no region has this code. Use a 6-digit city or county code (e.g. 210100 for 沈阳市), or a 9- or 12-digit township or village code."
        )));
    }
    Ok(())
}
