//! The command line: clap definitions of every verb. Each verb calls the library, prints,
//! and returns; `main` turns the result into the exit code (0 ok, 1 a failure the user can
//! fix, 2 a usage error).

use chrono::{Local, NaiveDate, NaiveDateTime};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

use crate::config::{Config, Paths};
use crate::domain::criteria::{Catalogue, load};
use crate::i18n::{Lang, t, tf};
use crate::store::Store;
use crate::store::audit::{Operator, OperatorSource};

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

    /// Read an encrypted database's passphrase from this file's first line (else
    /// CASEPANEL_DB_PASSPHRASE, else it is asked). 从文件读取数据库口令
    #[arg(long, global = true, value_name = "FILE")]
    pub db_passphrase_file: Option<PathBuf>,

    /// Who is working: every change is recorded under this name (also CASEPANEL_OPERATOR,
    /// or `operator` in the config). 操作人姓名（审计记录）
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}` is not a language casepanel speaks: use zh or en"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31"))
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
            conflicts_with_all = ["session", "from"],
            required_unless_present_any = ["session", "from"]
        )]
        decision: Option<i64>,
        /// A whole session: its decisions and minutes. 一次会议（编号）
        #[arg(long, value_name = "ID", conflicts_with = "from")]
        session: Option<i64>,
        /// Every decision decided from this day (YYYY-MM-DD), with --to: e.g. a year's
        /// records for the archive. 导出某一期间的全部决定（起始日期）
        #[arg(long, value_name = "DATE", requires = "to", value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// The last day of the period, included. 期间的截止日期（含当日）
        #[arg(long, value_name = "DATE", requires = "from", value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// The folder to write to (new or empty). 导出到的文件夹
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Encrypt the database, change its passphrase, or (--decrypt) remove it. 加密数据库或更换口令
    Rekey {
        /// Read the new passphrase from this file's first line (else it is asked twice). 从文件读取新口令
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        /// Store the database unencrypted again. 取消加密
        #[arg(long, conflicts_with = "new_passphrase_file")]
        decrypt: bool,
    },
    /// Check the database: integrity, foreign keys, the audit trail and signed records. 检查数据库
    ///
    /// Exits 0 with one line when all is well, 1 with the problems (the first broken link of
    /// the audit trail among them). Reads only. 只读检查：完整性、外键、审计链、已签名决定书。
    Check {
        /// Also compare exported records (a D-….json file or an export folder) with the audit
        /// trail; check their signatures with `casepanel verify`. 同时比对导出的决定书
        #[arg(long, value_name = "PATH")]
        records: Option<PathBuf>,
    },
    /// Copy the database to a backup file, safely even while casepanel is open. 备份数据库
    Backup {
        /// The backup file to write. 备份文件
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the file if it exists. 覆盖已有文件
        #[arg(long)]
        force: bool,
    },
    /// Put a backup back in place of the database (the old one is kept). 从备份恢复
    ///
    /// The backup is checked first (integrity, audit trail); casepanel must be closed.
    /// The previous database is kept beside it as <db>.before-restore-<time>.
    Restore {
        /// The backup file. 备份文件
        file: PathBuf,
    },
    /// Import a screening list (.xlsx or .csv), or historical assessments. 导入排查名单或历史评估
    ///
    /// All or nothing: if any row has a problem, nothing is imported and every problem is
    /// listed with its row, column and how to fix it. 任何一行有问题则全部不导入，并逐条列出问题及改法。
    Import {
        /// The sheet: .xlsx, or .csv in UTF-8 or GBK. 表格文件
        file: PathBuf,
        /// Only check; write nothing. 只检查，不写入
        #[arg(long)]
        dry_run: bool,
        /// The CSV's encoding if detection fails (utf-8, gbk, gb18030, utf-16le). CSV 编码
        #[arg(long, value_name = "ENC")]
        encoding: Option<String>,
        /// Add townships and villages the database does not know yet. 新建未登记的乡镇、村
        #[arg(long)]
        create_regions: bool,
        /// Take the sheet's values where a child on file differs. 以表格内容更新已有档案
        #[arg(long)]
        update: bool,
        /// Write a copy of the sheet with an error column (.xlsx or .csv). 写出标注错误的表格副本
        #[arg(long, value_name = "FILE")]
        errors_out: Option<PathBuf>,
        /// The file holds historical assessments (身份证号, 评估日期, 风险等级, 下次复评日期). 导入历史评估
        #[arg(long)]
        assessments: bool,
    },
    /// Children the import flagged as maybe one child, and what a person found. 疑似重复的儿童
    ///
    /// Without a subcommand: lists the pairs waiting for a decision (names masked; the full
    /// comparison is on the home screen, key u). Deciding never merges or changes a child.
    /// 列出待核对的疑似重复（姓名脱敏）；核对结果只作记录，不会合并或改动档案。
    Duplicates {
        #[command(subcommand)]
        action: Option<DuplicatesCommand>,
        /// Also list the pairs already decided. 同时列出已核对的
        #[arg(long)]
        all: bool,
        /// Output: table or json (json: ids and findings, no names). 输出格式
        #[arg(long, default_value = "table", value_parser = ["table", "json"])]
        format: String,
    },
    /// Record reports (发现报告) from scripts. 登记发现报告
    Report {
        #[command(subcommand)]
        action: ReportCommand,
    },
    /// Check a record file or an export folder with the centre's public key. 核验决定书或导出文件夹
    Verify {
        /// A D-….json record or an export folder. 决定书文件或导出文件夹
        path: PathBuf,
        /// The centre's public key (default: the .pub beside the configured key). 公钥文件
        #[arg(long, value_name = "FILE")]
        pubkey: Option<PathBuf>,
        /// Not verify's: the secret key of sign and export. Taken only to say that verify
        /// needs the public key, --pubkey (a usage error, exit 2).
        #[arg(long, value_name = "FILE", hide = true, num_args = 0..=1, default_missing_value = "-")]
        key: Option<PathBuf>,
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
pub enum DuplicatesCommand {
    /// Record what a person found about one pair (its number in the list). 记录核对结果
    Decide {
        /// The pair's number, as `casepanel duplicates` lists it. 编号
        id: i64,
        /// The two records are one child (put it right by hand; nothing is merged). 是同一人
        #[arg(
            long,
            conflicts_with = "different",
            required_unless_present = "different"
        )]
        same: bool,
        /// They are two different children. 不是同一人
        #[arg(long)]
        different: bool,
        /// Why, or what was checked (e.g. "户籍所在派出所核实"). 说明
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Record one report about a child on file or a new child. 登记一条发现报告
    ///
    /// The report goes on the child's open case; without one, a case is opened (give
    /// --types). A report on a graded (active) case raises an ad-hoc re-review.
    /// 报告记入该儿童未结案的个案；没有则新开个案（需 --types）。在册个案收到新报告时自动发起临时复评。
    Add(Box<ReportArgs>),
}

/// `casepanel report add`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The child, by casepanel's child number. 儿童编号
    #[arg(long, value_name = "N", conflicts_with = "id_number")]
    pub child_id: Option<i64>,
    /// The child, by ID number; a new child if none is on file. 身份证号
    #[arg(long, value_name = "ID")]
    pub id_number: Option<String>,
    /// When the report came in: "YYYY-MM-DD HH:MM" (default: now). 接报时间
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Channel: 教师, 医生, 热线电话, 公安机关 … or its code (teacher, hotline …). 报告渠道
    #[arg(long)]
    pub channel: String,
    /// The reporter is a mandated reporter (teacher, doctor, community worker); checked
    /// against the channel, which decides it anyway. 强制报告
    #[arg(long)]
    pub mandated: bool,
    /// Who reported (name or role). 报告人
    #[arg(
        long,
        conflicts_with = "anonymous",
        required_unless_present = "anonymous"
    )]
    pub reporter: Option<String>,
    /// The reporter stays anonymous. 匿名
    #[arg(long)]
    pub anonymous: bool,
    /// What was reported. 情况说明
    #[arg(
        long,
        conflicts_with = "summary_file",
        required_unless_present = "summary_file"
    )]
    pub summary: Option<String>,
    /// Read the summary from this file (UTF-8). 从文件读取情况说明
    #[arg(long, value_name = "FILE")]
    pub summary_file: Option<PathBuf>,
    /// Difficulty types for a new case: 家庭贫困、监护不当 … 困境类型（新开个案时）
    #[arg(long)]
    pub types: Option<String>,
    /// A new child's name. 姓名
    #[arg(long)]
    pub name: Option<String>,
    /// A new child's sex: 男 or 女 (taken from the ID number if given). 性别
    #[arg(long)]
    pub sex: Option<String>,
    /// A new child's date of birth (taken from the ID number if given). 出生日期
    #[arg(long, value_name = "DATE")]
    pub birth_date: Option<String>,
    /// A new child's region code (county, township or village). 地区代码
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// A new child's address. 现住址
    #[arg(long)]
    pub address: Option<String>,
    /// A new child's phone. 联系电话
    #[arg(long)]
    pub phone: Option<String>,
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

/// Why [`run`] stopped short: a failure (exit 1), or a command line that parsed but asks
/// for something no verb does (exit 2, printed as clap prints its own usage errors).
#[derive(Debug)]
pub enum Stop {
    Failure(Failure),
    Usage(clap::Error),
}

impl From<Failure> for Stop {
    fn from(f: Failure) -> Stop {
        Stop::Failure(f)
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

/// What every verb needs: language, config, catalogue, today.
pub struct Context {
    /// `--db-passphrase-file`.
    pub db_passphrase_file: Option<PathBuf>,
    pub lang: Lang,
    pub paths: Paths,
    pub config: Config,
    pub db: PathBuf,
    /// Who is working, when given (flag, environment, config); None: ask (TUI) or use the
    /// operating system's user name (CLI).
    pub operator: Option<Operator>,
    criteria_file: Option<PathBuf>,
}

/// Environment variable naming the operator, for scripts.
pub const OPERATOR_ENV: &str = "CASEPANEL_OPERATOR";

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
        let env = std::env::var(OPERATOR_ENV).ok().filter(|s| !s.is_empty());
        let operator = match (&cli.operator, env, &config.operator) {
            (Some(n), _, _) => Some(
                Operator::new(n, OperatorSource::Flag)
                    .map_err(|e| words::operator_failure(lang, "--operator", &e))?,
            ),
            (None, Some(n), _) => Some(
                Operator::new(&n, OperatorSource::Env)
                    .map_err(|e| words::operator_failure(lang, OPERATOR_ENV, &e))?,
            ),
            (None, None, Some(n)) => {
                Some(Operator::new(n, OperatorSource::Config).map_err(|e| {
                    let place = format!("{} (operator)", paths.config_file.display());
                    words::operator_failure(lang, &place, &e)
                })?)
            }
            (None, None, None) => None,
        };
        Ok(Context {
            db_passphrase_file: cli.db_passphrase_file.clone(),
            lang,
            paths,
            config,
            db,
            operator,
            criteria_file,
        })
    }

    /// The operator the CLI records: the one given, else the operating system's user name
    /// (recorded as such: source `os_user`).
    pub fn operator_or_os_user(&self) -> Operator {
        self.operator.clone().unwrap_or_else(Operator::os_user)
    }

    /// Opens (or creates) a database with the CLI's operator set, asking for its
    /// passphrase when it is encrypted.
    pub fn open_store(&self, path: &Path) -> Result<Store, Failure> {
        let mut store = open_db(self, path)?;
        store.set_operator(self.operator_or_os_user());
        Ok(store)
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

/// A usage error clap's parse lets through because the option is taken on purpose, to say
/// more than "unexpected argument": `verify --key` (verify takes the public key, --pubkey).
/// `config` is the loaded configuration, when it loads.
fn misuse(cli: &Cli, lang: Lang, config: Option<&Config>) -> Option<clap::Error> {
    use clap::CommandFactory;
    let Some(Command::Verify { key: Some(_), .. }) = &cli.command else {
        return None;
    };
    let place = match config.and_then(|c| c.signing_key.as_deref()) {
        Some(k) => crate::i18n::tf(
            lang,
            "verify.pubkey_configured",
            &[(
                "pubkey",
                &crate::export::keys::public_key_path_for(k)
                    .display()
                    .to_string(),
            )],
        ),
        None => crate::i18n::t(lang, "verify.pubkey_where").to_string(),
    };
    let message = crate::i18n::tf(lang, "verify.wrong_key_flag", &[("where", &place)]);
    let mut cmd = Cli::command();
    cmd.build();
    let verify = cmd
        .find_subcommand_mut("verify")
        .expect("the verify subcommand exists");
    Some(verify.error(clap::error::ErrorKind::ArgumentConflict, message))
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Stop> {
    let ctx = Context::new(&cli);
    // A usage error first, in the user's language (the config's, when it loads).
    let (lang, config) = match &ctx {
        Ok(c) => (c.lang, Some(&c.config)),
        Err(_) => (cli.lang.unwrap_or_else(Lang::from_env), None),
    };
    if let Some(e) = misuse(&cli, lang, config) {
        return Err(Stop::Usage(e));
    }
    let ctx = ctx?;
    run_verb(cli, ctx).map_err(Stop::Failure)
}

/// Runs the verb of a command line that has its context.
fn run_verb(cli: Cli, ctx: Context) -> Result<(), Failure> {
    match cli.command {
        None => {
            let store = ctx.open_store(&ctx.db)?;
            let catalogue = ctx.catalogue()?;
            crate::tui::run(store, &ctx, catalogue)?;
            Ok(())
        }
        Some(Command::Demo { cases, no_tui }) => {
            let db = cli.db.clone().unwrap_or_else(|| ctx.paths.demo_db());
            build_demo(&ctx, &db, cases)?;
            if no_tui {
                println!("{}", db.display());
                return Ok(());
            }
            let store = ctx.open_store(&db)?;
            let catalogue = ctx.catalogue()?;
            crate::tui::run(store, &ctx, catalogue)?;
            Ok(())
        }
        Some(Command::Generate { cases, seed, force }) => {
            let db = cli
                .db
                .clone()
                .ok_or_else(|| Failure(t(ctx.lang, "cli.generate_needs_db").to_string()))?;
            generate_into(&ctx, &db, cases, seed, force)?;
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
        }) => signing::keygen(&ctx, &out, passphrase_file.as_deref(), unencrypted),
        Some(Command::Sign { all, decision, key }) => signing::sign(&ctx, all, decision, &key),
        Some(Command::Export {
            decision,
            session,
            from,
            to,
            out,
            key,
        }) => {
            // Documents are Chinese unless --lang says otherwise.
            let lang = cli.lang.unwrap_or(Lang::Zh);
            let what = match (decision, session, from.zip(to)) {
                (Some(id), _, _) => signing::Exported::Decision(id),
                (None, Some(id), _) => signing::Exported::Session(id),
                (None, None, Some((from, to))) => signing::Exported::Period(from, to),
                _ => unreachable!("clap requires --decision, --session or --from/--to"),
            };
            signing::export(&ctx, what, &out, lang, &key)
        }
        Some(Command::Rekey {
            new_passphrase_file,
            decrypt,
        }) => rekey(&ctx, new_passphrase_file.as_deref(), decrypt),
        Some(Command::Verify { path, pubkey, .. }) => {
            signing::verify(&ctx, &path, pubkey.as_deref())
        }
        Some(Command::Report {
            action: ReportCommand::Add(args),
        }) => report::add(&ctx, &args),
        Some(Command::Import {
            file,
            dry_run,
            encoding,
            create_regions,
            update,
            errors_out,
            assessments,
        }) => import::import(
            &ctx,
            &import::Args {
                file,
                dry_run,
                encoding,
                create_regions,
                update,
                errors_out,
                assessments,
            },
        ),
        Some(Command::Duplicates {
            action,
            all,
            format,
        }) => match action {
            None => duplicates::list(&ctx, all, &format),
            Some(DuplicatesCommand::Decide { id, same, note, .. }) => {
                duplicates::decide(&ctx, id, same, note.as_deref())
            }
        },
        Some(Command::Check { records }) => safety::check(&ctx, records.as_deref()),
        Some(Command::Backup { out, force }) => safety::backup(&ctx, &out, force),
        Some(Command::Restore { file }) => safety::restore(&ctx, &file),
    }
}

fn remove_db_files(lang: Lang, db: &Path) -> Result<(), Failure> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure(tf(
                    lang,
                    "cli.cannot_remove",
                    &[
                        ("file", &Path::new(&p).display().to_string()),
                        ("error", &e.to_string()),
                    ],
                )));
            }
        }
    }
    Ok(())
}

/// Writes `cases` invented cases into a new database at `db`.
fn generate_into(
    ctx: &Context,
    db: &Path,
    cases: usize,
    seed: u64,
    force: bool,
) -> Result<(), Failure> {
    if db.exists() {
        if !force {
            return Err(Failure(tf(
                ctx.lang,
                "cli.generate_exists",
                &[("db", &db.display().to_string())],
            )));
        }
        // Only ever replace a casepanel database.
        Store::open(db).map_err(|e| words::store_failure(ctx.lang, e))?;
        remove_db_files(ctx.lang, db)?;
    }
    let mut store = ctx.open_store(db)?;
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
fn build_demo(ctx: &Context, db: &Path, cases: usize) -> Result<(), Failure> {
    if db.exists() {
        let store = Store::open(db).map_err(|e| words::store_failure(ctx.lang, e))?;
        let is_demo =
            crate::store::settings::get(store.conn(), crate::store::settings::DEMO)?.is_some();
        drop(store);
        if !is_demo {
            return Err(Failure(tf(
                ctx.lang,
                "cli.not_demo",
                &[("db", &db.display().to_string())],
            )));
        }
        remove_db_files(ctx.lang, db)?;
    }
    let mut store = ctx.open_store(db)?;
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
                "{}",
                tf(
                    ctx.lang,
                    "cli.criteria_valid",
                    &[
                        ("file", &file.display().to_string()),
                        ("id", &cat.id),
                        ("version", &cat.version.to_string()),
                        ("sha", &cat.sha256),
                    ]
                )
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

mod duplicates;
pub(crate) mod words;

/// The signing verbs: keygen, sign, export, verify.
mod signing {
    use std::path::Path;

    use chrono::NaiveDate;

    use super::words::export_failure;
    use super::{Context, Failure, KeyArgs, now, open_existing};
    use crate::export::{self, Refusal, SigningKey, keys};
    use crate::i18n::{Lang, t, tf};
    use crate::store::{Store, settings, signatures};
    use crate::text::sanitize_line;

    /// Environment variable with the key's passphrase, for scripts.
    pub const PASSPHRASE_ENV: &str = "CASEPANEL_KEY_PASSPHRASE";

    /// The passphrase: `--passphrase-file`, else `CASEPANEL_KEY_PASSPHRASE`, else asked on
    /// the terminal (twice when `confirm`).
    fn passphrase(lang: Lang, file: Option<&Path>, confirm: bool) -> Result<String, Failure> {
        super::secret(
            lang,
            file,
            PASSPHRASE_ENV,
            "--passphrase-file",
            t(lang, "passphrase.prompt.key"),
            confirm,
        )
    }

    pub fn keygen(
        ctx: &Context,
        out: &Path,
        passphrase_file: Option<&Path>,
        unencrypted: bool,
    ) -> Result<(), Failure> {
        let lang = ctx.lang;
        let files = if unencrypted {
            eprintln!("casepanel: {}", t(lang, "keygen.unencrypted"));
            keys::generate(out, None, "casepanel UNENCRYPTED TEST KEY")
                .map_err(|e| export_failure(lang, e))?
        } else {
            let p = passphrase(lang, passphrase_file, true)?;
            if p.chars().count() < 8 {
                return Err(Failure(t(lang, "passphrase.too_short").to_string()));
            }
            keys::generate(out, Some(&p), "").map_err(|e| export_failure(lang, e))?
        };
        let secret = std::fs::canonicalize(&files.secret).unwrap_or(files.secret.clone());
        let state = if files.encrypted {
            "keygen.encrypted"
        } else {
            "keygen.not_encrypted"
        };
        let lines = [
            tf(
                lang,
                "keygen.public",
                &[("file", &files.public.display().to_string())],
            ),
            tf(
                lang,
                "keygen.secret",
                &[
                    ("file", &files.secret.display().to_string()),
                    ("state", t(lang, state)),
                ],
            ),
            tf(lang, "keygen.key_id", &[("id", &files.key_id)]),
            tf(
                lang,
                "keygen.next",
                &[
                    ("config", &ctx.paths.config_file.display().to_string()),
                    ("key", &secret.display().to_string()),
                ],
            ),
        ];
        for line in lines {
            println!("{line}");
        }
        Ok(())
    }

    /// The key to sign with, the signer's name ([`export::signer::plan`] decides which) and
    /// the key's file, with the passphrase asked for here when the key is encrypted.
    fn signing_key(
        ctx: &Context,
        store: &Store,
        args: &KeyArgs,
    ) -> Result<(SigningKey, String, std::path::PathBuf), Failure> {
        let key = args.key.as_deref().or(ctx.config.signing_key.as_deref());
        let plan = export::signer::plan(
            store.conn(),
            &ctx.db,
            key,
            args.signer.as_deref(),
            ctx.config.centre_name.as_deref(),
        )
        .map_err(|e| export_failure(ctx.lang, e))?
        .ok_or_else(|| {
            Failure(tf(
                ctx.lang,
                "sign.no_key",
                &[("config", &ctx.paths.config_file.display().to_string())],
            ))
        })?;
        let pass = if plan.encrypted {
            Some(passphrase(
                ctx.lang,
                args.passphrase_file.as_deref(),
                false,
            )?)
        } else {
            let is_demo = settings::get(store.conn(), settings::DEMO)?.is_some();
            if !plan.demo && !is_demo {
                eprintln!(
                    "casepanel: {}",
                    tf(
                        ctx.lang,
                        "sign.unencrypted_key",
                        &[("key", &plan.path.display().to_string())]
                    )
                );
            }
            None
        };
        let key = plan
            .load(&ctx.db, pass.as_deref())
            .map_err(|e| export_failure(ctx.lang, e))?;
        Ok((key, plan.signer, plan.path))
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
                let record = export::record::record_id(id);
                println!("{}", tf(ctx.lang, "sign.already", &[("record", &record)]));
                return Ok(());
            }
            vec![id]
        };
        if ids.is_empty() {
            println!("{}", t(ctx.lang, "sign.nothing"));
            return Ok(());
        }
        let (key, signer, _) = signing_key(ctx, &store, args)?;
        let done = export::sign::sign_all(
            &mut store,
            &ids,
            &key,
            &signer,
            ctx.config.centre_name.as_deref(),
            now(),
        )?;
        for r in &done {
            println!("{}", tf(ctx.lang, "sign.one", &[("record", &r.record_id)]));
        }
        eprintln!(
            "{}",
            tf(
                ctx.lang,
                "sign.done",
                &[("n", &done.len().to_string()), ("key", key.key_id())]
            )
        );
        Ok(())
    }

    /// What `casepanel export` writes.
    #[derive(Debug, Clone, Copy)]
    pub enum Exported {
        Decision(i64),
        Session(i64),
        /// Every decision decided in these days (both included).
        Period(NaiveDate, NaiveDate),
    }

    /// `path` as one word of a shell command: quoted when it holds a space or a character
    /// the shell would read.
    fn shell_word(path: &Path) -> String {
        let s = path.display().to_string();
        if !s.is_empty()
            && !s
                .chars()
                .any(|c| c.is_whitespace() || "'\"\\$`&|;<>()*?[]{}!#~".contains(c))
        {
            s
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    }

    /// `casepanel export`: `doc_lang` is the documents' language, `ctx.lang` the messages'.
    pub fn export(
        ctx: &Context,
        what: Exported,
        out: &Path,
        doc_lang: Lang,
        args: &KeyArgs,
    ) -> Result<(), Failure> {
        let lang = ctx.lang;
        let store = open_existing(ctx)?;
        // Check what is asked for before asking for a passphrase.
        match what {
            Exported::Decision(id) if crate::store::decisions::get(store.conn(), id)?.is_none() => {
                return Err(export_failure(lang, Refusal::NoDecision { id }.into()));
            }
            Exported::Session(id) if crate::store::panel::session(store.conn(), id)?.is_none() => {
                return Err(export_failure(lang, Refusal::NoSession { id }.into()));
            }
            Exported::Period(from, to) => {
                export::check_period(from, to).map_err(|e| export_failure(lang, e))?
            }
            _ => {}
        }
        let (key, signer, key_file) = signing_key(ctx, &store, args)?;
        let summary = match what {
            Exported::Decision(id) => {
                export::export_decision(&store, id, out, doc_lang, &key, &signer, now())
            }
            Exported::Session(id) => {
                export::export_session(&store, id, out, doc_lang, &key, &signer, now())
            }
            Exported::Period(from, to) => {
                export::export_period(&store, from, to, out, doc_lang, &key, &signer, now())
            }
        }
        .map_err(|e| export_failure(lang, e))?;
        // The public key beside the secret key that signed, where it is.
        let public = keys::public_key_path_for(&key_file);
        let public = if public.is_file() {
            public
        } else {
            std::path::PathBuf::from("casepanel.pub")
        };
        println!(
            "{}",
            tf(
                lang,
                "export.done",
                &[
                    ("dir", &shell_word(&summary.dir)),
                    ("records", &summary.records.to_string()),
                    ("files", &summary.files.len().to_string()),
                    ("pubkey", &shell_word(&public)),
                ]
            )
        );
        Ok(())
    }

    pub fn verify(ctx: &Context, path: &Path, pubkey: Option<&Path>) -> Result<(), Failure> {
        let pub_file = match pubkey {
            Some(p) => p.to_path_buf(),
            None => match &ctx.config.signing_key {
                Some(k) => keys::public_key_path_for(k),
                None => return Err(Failure(t(ctx.lang, "verify.no_pubkey").to_string())),
            },
        };
        let pk = keys::load_public_key(&pub_file).map_err(|e| export_failure(ctx.lang, e))?;
        let verified = export::verify_path(path, &pk).map_err(|p| {
            let problem = format!(
                "{}{}{}",
                p.file,
                crate::i18n::colon(ctx.lang),
                p.message(ctx.lang)
            );
            Failure(tf(
                ctx.lang,
                "verify.failed",
                &[("problem", &sanitize_line(&problem))],
            ))
        })?;
        for r in &verified.records {
            println!(
                "{}",
                tf(
                    ctx.lang,
                    "verify.record",
                    &[
                        ("file", &sanitize_line(&r.file)),
                        ("signer", &sanitize_line(&r.signer)),
                        ("at", &sanitize_line(&r.signed_at)),
                        (
                            "level",
                            &export::render::level_label(ctx.lang, r.final_level),
                        ),
                    ]
                )
            );
        }
        if verified.manifest.is_some() {
            println!(
                "{}",
                tf(
                    ctx.lang,
                    "verify.manifest",
                    &[("files", &verified.files.to_string()), ("key", pk.key_id())]
                )
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
    let store = open_existing(ctx)?;
    check_region(ctx.lang, &store, filter.region.as_deref())?;
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
    let store = open_existing(ctx)?;
    check_region(ctx.lang, &store, region)?;
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
fn open_existing(ctx: &Context) -> Result<Store, Failure> {
    if !ctx.db.exists() {
        return Err(Failure(tf(
            ctx.lang,
            "cli.no_database",
            &[("db", &ctx.db.display().to_string())],
        )));
    }
    ctx.open_store(&ctx.db)
}

/// The environment variable an encrypted database's passphrase may come from.
pub const DB_PASSPHRASE_ENV: &str = "CASEPANEL_DB_PASSPHRASE";

/// Opens the database at `path`, asking for its passphrase when it is encrypted
/// (`--db-passphrase-file`, else `CASEPANEL_DB_PASSPHRASE`, else on the terminal).
pub fn open_db(ctx: &Context, path: &Path) -> Result<Store, Failure> {
    let key = db_key(ctx, path)?;
    Store::open_with(path, key.as_deref()).map_err(|e| words::store_failure(ctx.lang, e))
}

/// The passphrase of the database file at `path` when it is encrypted (asked as
/// [`open_db`] asks); None for a plain one.
pub fn db_key(ctx: &Context, path: &Path) -> Result<Option<String>, Failure> {
    if !Store::is_encrypted(path) {
        return Ok(None);
    }
    secret(
        ctx.lang,
        ctx.db_passphrase_file.as_deref(),
        DB_PASSPHRASE_ENV,
        "--db-passphrase-file",
        t(ctx.lang, "passphrase.prompt.db"),
        false,
    )
    .map(Some)
}

/// A passphrase: the first line of `file`, else the environment variable `env`, else
/// typed on the terminal after `prompt` (twice when `confirm`). Never echoed, never printed.
pub fn secret(
    lang: Lang,
    file: Option<&Path>,
    env: &str,
    flag: &str,
    prompt: &str,
    confirm: bool,
) -> Result<String, Failure> {
    use std::io::IsTerminal;
    if let Some(f) = file {
        let shown = f.display().to_string();
        let text = std::fs::read_to_string(f).map_err(|e| {
            Failure(tf(
                lang,
                "passphrase.cannot_read_file",
                &[("file", &shown), ("error", &e.to_string()), ("flag", flag)],
            ))
        })?;
        let line = text.lines().next().unwrap_or("").to_string();
        if line.is_empty() {
            return Err(Failure(tf(
                lang,
                "passphrase.empty_file",
                &[("file", &shown)],
            )));
        }
        return Ok(line);
    }
    if let Ok(p) = std::env::var(env)
        && !p.is_empty()
    {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure(tf(
            lang,
            "passphrase.no_terminal",
            &[("flag", flag), ("env", env)],
        )));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(format!("{prompt} ")).map_err(|e| {
            Failure(tf(
                lang,
                "passphrase.cannot_read_terminal",
                &[("error", &e.to_string())],
            ))
        })
    };
    let first = ask(prompt)?;
    if confirm {
        let again = ask(t(lang, "passphrase.again"))?;
        if again != first {
            return Err(Failure(t(lang, "passphrase.differ").to_string()));
        }
    }
    if first.is_empty() {
        return Err(Failure(t(lang, "passphrase.empty").to_string()));
    }
    Ok(first)
}

/// `casepanel rekey`: encrypt, change the passphrase, or decrypt.
fn rekey(ctx: &Context, new_file: Option<&Path>, decrypt: bool) -> Result<(), Failure> {
    let lang = ctx.lang;
    let db = ctx.db.display().to_string();
    if !ctx.db.exists() {
        return Err(Failure(tf(lang, "rekey.no_database", &[("db", &db)])));
    }
    let old = db_key(ctx, &ctx.db)?;
    if decrypt && old.is_none() {
        println!("{}", tf(lang, "rekey.not_encrypted", &[("db", &db)]));
        return Ok(());
    }
    let new = if decrypt {
        None
    } else {
        let file = new_file;
        Some(secret(
            lang,
            file,
            "CASEPANEL_DB_NEW_PASSPHRASE",
            "--new-passphrase-file",
            t(lang, "passphrase.prompt.new_db"),
            file.is_none(),
        )?)
    };
    crate::store::encryption::rekey(&ctx.db, old.as_deref(), new.as_deref())
        .map_err(|e| words::store_failure(lang, e))?;
    let done = match new {
        Some(_) => "rekey.encrypted",
        None => "rekey.decrypted",
    };
    println!("{}", tf(lang, done, &[("db", &db)]));
    Ok(())
}

/// A region code given on the command line must name a region of the tree.
fn check_region(lang: Lang, store: &Store, region: Option<&str>) -> Result<(), Failure> {
    if let Some(r) = region
        && crate::store::regions::get(store.conn(), r)?.is_none()
    {
        return Err(Failure(tf(lang, "cli.bad_region", &[("code", r)])));
    }
    Ok(())
}

/// The safety verbs: check, backup, restore.
mod safety {
    use std::path::Path;

    use super::words::{broken_link, check_problem, store_failure};
    use super::{Context, Failure, now};
    use crate::i18n::{Lang, t, tf};
    use crate::store::backup;

    fn short(h: &str) -> &str {
        &h[..h.len().min(12)]
    }

    fn report_failure(lang: Lang, what: &Path, report: &crate::check::Report) -> Failure {
        let mut msg = tf(
            lang,
            "check.failed",
            &[("what", &what.display().to_string())],
        );
        if let Some(b) = &report.broken {
            msg.push_str("\n  ");
            msg.push_str(&tf(
                lang,
                "check.broken",
                &[
                    ("row", &b.row_id.to_string()),
                    ("problem", &broken_link(lang, &b.problem)),
                ],
            ));
        }
        for p in &report.problems {
            msg.push_str("\n  - ");
            msg.push_str(&check_problem(lang, p));
        }
        msg.push_str("\n  ");
        msg.push_str(t(lang, "check.advice"));
        Failure(msg)
    }

    /// The exported records at `path` (a record file or a folder of them): (file name, bytes).
    fn exported(lang: Lang, path: &Path) -> Result<Vec<(String, Vec<u8>)>, Failure> {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|e| {
                Failure(tf(
                    lang,
                    "cli.cannot_read",
                    &[
                        ("file", &p.display().to_string()),
                        ("error", &e.to_string()),
                    ],
                ))
            })
        };
        let is_record = |p: &Path| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("D-") && n.ends_with(".json"))
        };
        if path.is_file() {
            return Ok(vec![(path.display().to_string(), read(path)?)]);
        }
        let shown = path.display().to_string();
        let dir = std::fs::read_dir(path).map_err(|e| {
            Failure(tf(
                lang,
                "check.records_unreadable",
                &[("path", &shown), ("error", &e.to_string())],
            ))
        })?;
        let mut files: Vec<std::path::PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_record(p))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Failure(tf(lang, "check.no_records", &[("path", &shown)])));
        }
        files
            .iter()
            .map(|p| {
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                Ok((name, read(p)?))
            })
            .collect()
    }

    /// `casepanel check`: exit 0 with one line, or 1 with the problems.
    pub fn check(ctx: &Context, records: Option<&Path>) -> Result<(), Failure> {
        let lang = ctx.lang;
        let key = super::db_key(ctx, &ctx.db)?;
        let conn =
            backup::open_for_check(&ctx.db, key.as_deref()).map_err(|e| store_failure(lang, e))?;
        let mut report = crate::check::check(&conn)?;
        let mut exported_n = None;
        if let Some(p) = records {
            let files = exported(lang, p)?;
            let (n, problems) =
                crate::check::compare_heads(&conn, &files, crate::check::Records::Exported)?;
            report.problems.extend(problems);
            exported_n = Some(n);
        }
        if !report.ok() {
            return Err(report_failure(lang, &ctx.db, &report));
        }
        let head = report
            .head
            .as_ref()
            .map(|h| format!("#{} {}", h.row_id, short(&h.hash)))
            .unwrap_or_else(|| "-".into());
        let mut line = tf(
            lang,
            "check.ok",
            &[
                ("db", &ctx.db.display().to_string()),
                ("rows", &report.audit_rows.to_string()),
                ("head", &head),
                ("records", &report.records.to_string()),
            ],
        );
        if let Some(n) = exported_n {
            line.push_str(" · ");
            line.push_str(&tf(lang, "check.exported", &[("n", &n.to_string())]));
        }
        println!("{line}");
        Ok(())
    }

    /// `casepanel backup --out FILE [--force]`.
    pub fn backup(ctx: &Context, out: &Path, force: bool) -> Result<(), Failure> {
        let key = super::db_key(ctx, &ctx.db)?;
        let s = backup::backup(&ctx.db, out, force, key.as_deref())
            .map_err(|e| store_failure(ctx.lang, e))?;
        let mib = s.bytes as f64 / (1024.0 * 1024.0);
        println!(
            "{}",
            tf(
                ctx.lang,
                "backup.done",
                &[
                    ("file", &s.out.display().to_string()),
                    ("size", &format!("{mib:.1}")),
                ]
            )
        );
        Ok(())
    }

    /// `casepanel restore FILE`: check the backup, then swap it in, keeping the old file.
    pub fn restore(ctx: &Context, file: &Path) -> Result<(), Failure> {
        let lang = ctx.lang;
        // One passphrase for both: a backup is encrypted with its database's passphrase.
        let key = match (
            super::db_key(ctx, file)?,
            crate::store::Store::is_encrypted(&ctx.db),
        ) {
            (Some(k), _) => Some(k),
            (None, true) => super::db_key(ctx, &ctx.db)?,
            (None, false) => None,
        };
        let file_key = key
            .as_deref()
            .filter(|_| crate::store::Store::is_encrypted(file));
        let db_key = key
            .as_deref()
            .filter(|_| crate::store::Store::is_encrypted(&ctx.db));
        let staged = backup::stage(file, &ctx.db, file_key).map_err(|e| store_failure(lang, e))?;
        {
            let conn = backup::open_for_check(staged.path(), file_key)
                .map_err(|e| store_failure(lang, e))?;
            let report = crate::check::check(&conn)?;
            if !report.ok() {
                return Err(Failure(format!(
                    "{}\n  {}",
                    report_failure(lang, file, &report).0,
                    t(lang, "restore.unchanged")
                )));
            }
        }
        let stamp = now().format("%Y%m%dT%H%M%S").to_string();
        let previous =
            backup::install(staged, &ctx.db, &stamp, db_key).map_err(|e| store_failure(lang, e))?;
        // The restored database records that it was restored, and by whom.
        let mut store = ctx.open_store(&ctx.db)?;
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let detail = serde_json::json!({
            "from": name(file),
            "previous": previous.as_deref().map(name),
        });
        store.write(|tx| crate::store::audit::record_event(tx, "*", "restore", &detail))?;
        let db = ctx.db.display().to_string();
        let from = file.display().to_string();
        let line = match &previous {
            Some(p) => tf(
                lang,
                "restore.done_kept",
                &[
                    ("db", &db),
                    ("file", &from),
                    ("previous", &p.display().to_string()),
                ],
            ),
            None => tf(lang, "restore.done", &[("db", &db), ("file", &from)]),
        };
        println!("{line}");
        Ok(())
    }
}

/// `casepanel import`: screening lists and historical assessments.
mod import {
    use std::path::{Path, PathBuf};

    use super::{Context, Failure, now, today};
    use crate::i18n::{Lang, t, tf};
    use crate::intake::problem::{Problem, render};
    use crate::intake::read::{Format, Sheet};
    use crate::intake::screening::{Match, Options};
    use crate::intake::{Progress, assessments, errors_out, read, screening};
    use crate::store::{Store, intake};

    pub struct Args {
        pub file: PathBuf,
        pub dry_run: bool,
        pub encoding: Option<String>,
        pub create_regions: bool,
        pub update: bool,
        pub errors_out: Option<PathBuf>,
        pub assessments: bool,
    }

    fn same_file(a: &Path, b: &Path) -> bool {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }

    fn refused(lang: Lang, file: &Path, problems: &[Problem]) -> Failure {
        let errors = problems.iter().filter(|p| !p.warning).count();
        Failure(tf(
            lang,
            "import.refused",
            &[
                ("file", &file.display().to_string()),
                ("errors", &errors.to_string()),
            ],
        ))
    }

    fn write_copy(
        lang: Lang,
        out: Option<&Path>,
        sheet: &Sheet,
        header: usize,
        problems: &[Problem],
    ) -> Result<(), Failure> {
        if let Some(out) = out {
            errors_out::write(out, sheet, header, problems, lang).map_err(Failure)?;
            eprintln!(
                "{}",
                tf(
                    lang,
                    "import.errors_written",
                    &[("file", &out.display().to_string())]
                )
            );
        }
        Ok(())
    }

    pub fn import(ctx: &Context, a: &Args) -> Result<(), Failure> {
        let lang = ctx.lang;
        if let Some(out) = &a.errors_out
            && same_file(out, &a.file)
        {
            return Err(Failure(t(lang, "import.same_file").to_string()));
        }
        let sheet = match read::read(&a.file, a.encoding.as_deref()) {
            Ok(s) => s,
            Err(kind) => {
                let problems = [Problem::file(kind)];
                print!("{}", render(&problems, lang));
                return Err(refused(lang, &a.file, &problems));
            }
        };
        let format = match &sheet.format {
            Format::Csv { encoding } => format!("CSV, {encoding}"),
            Format::Xlsx { sheet } => format!("XLSX, {}", crate::text::sanitize_line(sheet)),
        };
        eprintln!(
            "{}",
            tf(
                lang,
                "import.read",
                &[("file", &a.file.display().to_string()), ("format", &format)]
            )
        );
        // A dry run never creates a database: without one it checks against a fresh one.
        let mut store = if a.dry_run && !ctx.db.exists() {
            Store::open_in_memory()?
        } else {
            ctx.open_store(&ctx.db)?
        };
        if a.assessments {
            return import_assessments(ctx, a, &sheet, &mut store);
        }
        let day = today();
        let opts = Options {
            today: day,
            create_regions: a.create_regions,
            update: a.update,
        };
        let mut progress = Progress::new(t(lang, "import.progress.check"), sheet.rows.len());
        let checked = {
            let lookup = intake::DbLookup::new(store.conn())?;
            screening::check_with_progress(&sheet, &lookup, &opts, &mut |d, n| progress.tick(d, n))?
        };
        progress.finish();
        print!("{}", render(&checked.problems, lang));
        write_copy(
            lang,
            a.errors_out.as_deref(),
            &sheet,
            checked.header,
            &checked.problems,
        )?;
        if checked.has_errors() {
            return Err(refused(lang, &a.file, &checked.problems));
        }
        let rows = checked.entries.len().to_string();
        if a.dry_run {
            let new = checked
                .entries
                .iter()
                .filter(|e| matches!(e.matched, Match::New { .. }))
                .count();
            let updated = checked
                .entries
                .iter()
                .filter(|e| matches!(e.matched, Match::Existing { update: true, .. }))
                .count();
            let cases = checked
                .entries
                .iter()
                .filter(|e| {
                    matches!(
                        e.matched,
                        Match::New { .. } | Match::Existing { case: None, .. }
                    )
                })
                .count();
            println!(
                "{}",
                tf(
                    lang,
                    "import.dry_run",
                    &[
                        ("rows", &rows),
                        ("new", &new.to_string()),
                        ("updated", &updated.to_string()),
                        ("cases", &cases.to_string()),
                        ("regions", &checked.new_regions.len().to_string()),
                    ]
                )
            );
            return Ok(());
        }
        let mut progress = Progress::new(t(lang, "import.progress.write"), checked.entries.len());
        let sum = store.import_screening(&checked, day, &mut |d, n| progress.tick(d, n))?;
        progress.finish();
        println!(
            "{}",
            tf(
                lang,
                "import.done",
                &[
                    ("rows", &rows),
                    ("new", &sum.children_new.to_string()),
                    ("updated", &sum.children_updated.to_string()),
                    ("same", &sum.children_unchanged.to_string()),
                    ("cases", &sum.cases_opened.to_string()),
                    ("reports", &sum.reports_added.to_string()),
                    ("regions", &sum.regions_created.to_string()),
                ]
            )
        );
        if sum.duplicates_flagged > 0 {
            println!(
                "{}",
                tf(
                    lang,
                    "import.duplicates_flagged",
                    &[("n", &sum.duplicates_flagged.to_string())]
                )
            );
        }
        Ok(())
    }

    fn import_assessments(
        ctx: &Context,
        a: &Args,
        sheet: &Sheet,
        store: &mut Store,
    ) -> Result<(), Failure> {
        let lang = ctx.lang;
        let checked = assessments::check(sheet, &intake::AssessmentDb(store.conn()), today())?;
        print!("{}", render(&checked.problems, lang));
        write_copy(
            lang,
            a.errors_out.as_deref(),
            sheet,
            checked.header,
            &checked.problems,
        )?;
        if checked.has_errors() {
            return Err(refused(lang, &a.file, &checked.problems));
        }
        let same = checked.entries.iter().filter(|e| e.already).count();
        let new = checked.entries.len() - same;
        let args = [
            ("rows", checked.rows.to_string()),
            ("new", new.to_string()),
            ("same", same.to_string()),
        ];
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if a.dry_run {
            println!("{}", tf(lang, "import.assess.dry_run", &args));
            return Ok(());
        }
        let at = now();
        store.write(|tx| intake::apply_assessments(tx, &checked, at))?;
        println!("{}", tf(lang, "import.assess.done", &args));
        Ok(())
    }
}

/// `casepanel report add`.
mod report {
    use chrono::NaiveDate;

    use super::{Context, Failure, ReportArgs, now, today};
    use crate::domain::case::{Case, CaseStatus, case_number};
    use crate::domain::child::{Child, Sex, age_on};
    use crate::domain::id_number::IdNumber;
    use crate::domain::phone;
    use crate::domain::report::Report;
    use crate::i18n::{self, Lang, label, t, tf};
    use crate::intake::screening::{parse_date, parse_types};
    use crate::intake::{parse_channel, parse_time};
    use crate::store::{Store, cases, children, regions, reports};

    fn fail(lang: Lang, key: &str, args: &[(&str, &str)]) -> Failure {
        Failure(tf(lang, key, args))
    }

    fn what_fix(lang: Lang, what: &str, fix: &str) -> Failure {
        Failure(format!(
            "{}{}{}",
            t(lang, what),
            i18n::semicolon(lang),
            t(lang, fix)
        ))
    }

    pub fn add(ctx: &Context, a: &ReportArgs) -> Result<(), Failure> {
        let lang = ctx.lang;
        let day = today();
        let received_at = match &a.at {
            Some(s) => {
                parse_time(s).ok_or_else(|| fail(lang, "report.bad_time", &[("value", s)]))?
            }
            None => now(),
        };
        if received_at.date() > day {
            return Err(fail(lang, "report.future", &[]));
        }
        let channel = parse_channel(&a.channel)
            .ok_or_else(|| fail(lang, "report.bad_channel", &[("value", &a.channel)]))?;
        if a.mandated && !channel.is_mandated_reporter() {
            return Err(fail(
                lang,
                "report.not_mandated",
                &[("channel", label(lang, channel))],
            ));
        }
        let summary = match (&a.summary, &a.summary_file) {
            (Some(s), _) => s.clone(),
            (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| {
                Failure(tf(
                    lang,
                    "cli.cannot_read",
                    &[
                        ("file", &f.display().to_string()),
                        ("error", &e.to_string()),
                    ],
                ))
            })?,
            (None, None) => String::new(),
        };
        if summary.trim().is_empty() {
            return Err(fail(lang, "report.empty_summary", &[]));
        }
        let reporter = if a.anonymous {
            None
        } else {
            a.reporter.clone().filter(|r| !r.trim().is_empty())
        };
        let types = match &a.types {
            Some(s) => {
                let (types, unknown) = parse_types(s);
                if let Some(w) = unknown.first() {
                    return Err(fail(lang, "report.bad_types", &[("value", w)]));
                }
                types
            }
            None => Vec::new(),
        };
        let id_number = match &a.id_number {
            Some(s) => Some(IdNumber::parse(s).map_err(|e| {
                Failure(format!(
                    "--id-number: {}",
                    crate::intake::problem::Problem::file(crate::intake::problem::Kind::IdNumber(
                        e
                    ),)
                    .what(lang)
                ))
            })?),
            None => None,
        };
        let mut store = super::open_existing(ctx)?;
        // The child: by number, by ID number, or new.
        let on_file = match (a.child_id, &id_number) {
            (Some(id), _) => Some(
                children::get(store.conn(), id)?
                    .ok_or_else(|| fail(lang, "report.no_child", &[("id", &id.to_string())]))?,
            ),
            (None, Some(n)) => children::find_by_id_number(store.conn(), n.as_str())?,
            (None, None) => None,
        };
        let new_child = match on_file {
            Some(_) => None,
            None => Some(new_child(
                lang,
                a,
                id_number,
                &store,
                received_at.date(),
                day,
            )?),
        };
        let (case_id, report_id, opened, review) = store.write(|tx| {
            let child_id = match (&on_file, &new_child) {
                (Some(c), _) => c.id,
                (None, Some(c)) => children::insert(tx, c, day)?,
                (None, None) => unreachable!("one of them is set"),
            };
            let open = cases::of_child(tx, child_id)?
                .into_iter()
                .find(|c| c.status != CaseStatus::Closed);
            let (case_id, status, opened) = match open {
                Some(c) => (c.id, c.status, false),
                None => {
                    if types.is_empty() {
                        return Err(crate::store::StoreError::Invalid(
                            t(lang, "report.need_types").to_string(),
                        ));
                    }
                    let id = cases::insert(
                        tx,
                        &Case {
                            id: 0,
                            child_id,
                            status: CaseStatus::Screening,
                            types: types.clone(),
                            opened_on: received_at.date(),
                            closed_on: None,
                            closing_reason: None,
                            level: None,
                            next_review: None,
                        },
                    )?;
                    (id, CaseStatus::Screening, true)
                }
            };
            let report_id = reports::insert(
                tx,
                &Report {
                    id: 0,
                    case_id,
                    received_at,
                    channel,
                    reporter: reporter.clone(),
                    summary: summary.clone(),
                },
            )?;
            Ok((case_id, report_id, opened, status == CaseStatus::Active))
        })?;
        println!(
            "{}",
            tf(
                lang,
                "report.added",
                &[
                    ("report", &report_id.to_string()),
                    ("case", &case_number(case_id)),
                    (
                        "opened",
                        &if opened {
                            i18n::aside(lang, t(lang, "report.new_case"))
                        } else {
                            String::new()
                        },
                    ),
                    ("review", if review { t(lang, "report.review") } else { "" }),
                ]
            )
        );
        Ok(())
    }

    fn new_child(
        lang: Lang,
        a: &ReportArgs,
        id_number: Option<IdNumber>,
        store: &Store,
        on: NaiveDate,
        day: NaiveDate,
    ) -> Result<Child, Failure> {
        let name = a
            .name
            .as_deref()
            .map(crate::text::sanitize_line)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| fail(lang, "report.need_child", &[]))?;
        let sex = match (&a.sex, &id_number) {
            (Some(s), _) => Some(
                Sex::parse_loose(s)
                    .ok_or_else(|| what_fix(lang, "import.what.bad_sex", "import.fix.bad_sex"))?,
            ),
            (None, Some(n)) => Some(n.sex()),
            (None, None) => None,
        };
        let birth = match (&a.birth_date, &id_number) {
            (Some(s), _) => Some(
                parse_date(s)
                    .map_err(|_| what_fix(lang, "import.what.bad_date", "import.fix.bad_date"))?,
            ),
            (None, Some(n)) => Some(n.birth_date()),
            (None, None) => None,
        };
        let (Some(sex), Some(birth)) = (sex, birth) else {
            return Err(fail(lang, "report.need_child", &[]));
        };
        let region = a
            .region
            .clone()
            .ok_or_else(|| fail(lang, "report.need_child", &[]))?;
        if regions::get(store.conn(), &region)?.is_none() {
            return Err(fail(lang, "report.unknown_region", &[("code", &region)]));
        }
        if age_on(birth, on) >= 18 {
            return Err(fail(lang, "report.adult", &[]));
        }
        let phone = match &a.phone {
            Some(p) => Some(
                phone::normalize(p)
                    .map_err(|_| what_fix(lang, "import.what.bad_phone", "import.fix.bad_phone"))?,
            ),
            None => None,
        };
        let child = Child {
            id: 0,
            name,
            sex,
            birth_date: birth,
            id_number,
            household_registration: String::new(),
            address: a.address.clone().unwrap_or_default(),
            phone,
            school: None,
            region,
        };
        if let Err(e) = child.validate(day) {
            use crate::domain::child::ChildError;
            return Err(match e {
                ChildError::BirthDateMismatch { from_id, .. } => Failure(tf(
                    lang,
                    "import.what.birth_mismatch",
                    &[("from_id", &from_id.to_string())],
                )),
                ChildError::SexMismatch { from_id } => Failure(tf(
                    lang,
                    "import.what.sex_mismatch",
                    &[("from_id", label(lang, from_id))],
                )),
                ChildError::BirthInFuture(_) => Failure(tf(
                    lang,
                    "import.what.future_date",
                    &[("today", &day.to_string())],
                )),
                other => Failure(other.to_string()),
            });
        }
        Ok(child)
    }
}
