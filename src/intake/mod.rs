//! Intake: screening sheets (`casepanel import FILE`) and historical assessments
//! (`casepanel import --assessments FILE`).
//!
//! - [`read`] turns a `.csv` (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GB18030/GBK) or an
//!   `.xlsx` into text cells, keeping what else the file said (merged cells, formulas,
//!   numbers that lost digits);
//! - [`screening`] and [`assessments`] check every row against the rules of the domain and
//!   the database (through a lookup trait the store implements) and plan the import;
//! - [`problem`] says what is wrong, where, and how to fix it, in zh or en;
//! - [`errors_out`] writes a copy of the sheet with an error column;
//! - `store::intake` writes a plan, in one transaction.
//!
//! All or nothing: a sheet with any error writes nothing.

pub mod assessments;
pub mod columns;
pub mod errors_out;
pub mod problem;
pub mod read;
pub mod screening;

use std::io::{IsTerminal, Write};

use chrono::NaiveDateTime;

use crate::domain::report::Channel;
use crate::i18n::{Lang, label};
use std::time::{Duration, Instant};

/// A report's time as typed: "YYYY-MM-DD HH:MM[:SS]" (or a `T` between), or a date alone
/// (midnight), the date in any form [`screening::parse_date`] reads.
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    if s.contains(':') {
        return None;
    }
    screening::parse_date(s)
        .ok()
        .map(|d| d.and_time(chrono::NaiveTime::MIN))
}

/// A channel by its Chinese name, a synonym, its code or its English label.
pub fn parse_channel(s: &str) -> Option<Channel> {
    Channel::from_chinese(s).or_else(|| {
        Channel::ALL
            .iter()
            .copied()
            .find(|c| label(Lang::En, *c).eq_ignore_ascii_case(s.trim()))
    })
}

/// A one-line progress count on stderr, redrawn at most ten times a second, only when
/// stderr is a terminal and the work is big enough to wait for.
pub struct Progress {
    label: String,
    on: bool,
    last: Option<Instant>,
    drawn: bool,
}

impl Progress {
    pub fn new(label: impl Into<String>, rows: usize) -> Progress {
        Progress {
            label: label.into(),
            on: rows >= 2000 && std::io::stderr().is_terminal(),
            last: None,
            drawn: false,
        }
    }

    pub fn tick(&mut self, done: usize, total: usize) {
        if !self.on || total == 0 {
            return;
        }
        let now = Instant::now();
        if done < total
            && self
                .last
                .is_some_and(|t| now - t < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        let pct = done * 100 / total;
        let bar = 20 * done / total;
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {done}/{total} {pct}%",
            self.label,
            "#".repeat(bar),
            ".".repeat(20 - bar)
        );
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clears the line.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
