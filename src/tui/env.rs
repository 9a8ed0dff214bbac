//! What every screen may use: the store, the catalogue, the language, the clock, the keymap,
//! the theme and the privacy switches.

use chrono::{NaiveDate, NaiveDateTime};
use std::borrow::Cow;
use std::path::PathBuf;

use super::keymap::Keymap;
use super::theme::Theme;
use crate::config::Config;
use crate::domain::criteria::Catalogue;
use crate::domain::level::RiskLevel;
use crate::export::signer::KeyPlan;
use crate::i18n::{self, Lang};
use crate::store::Store;

/// The clock screens read. Tests and demos fix it; the product follows the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(NaiveDateTime),
}

pub struct Env {
    pub store: Store,
    pub catalogue: Catalogue,
    pub lang: Lang,
    pub clock: Clock,
    pub config: Config,
    pub keymap: Keymap,
    pub theme: Theme,
    pub centre_name: String,
    pub demo: bool,
    /// Privacy mode: names, ID numbers, phones and addresses masked.
    pub privacy: bool,
    /// The field under the cursor is shown unmasked until the next key.
    pub reveal: bool,
    /// The database file (the demo key lives beside it).
    pub db_path: PathBuf,
    /// The key that signs sealed decisions: `Ok(None)` when none is configured (decisions
    /// are sealed unsigned, for `casepanel sign` later); `Err` says why the configured key
    /// cannot be used.
    pub signing: Result<Option<KeyPlan>, String>,
}

impl Env {
    /// An environment with the default keymap and theme, privacy on: what tests and the
    /// TUI start from.
    pub fn new(
        store: Store,
        catalogue: Catalogue,
        lang: Lang,
        clock: Clock,
        config: Config,
    ) -> Env {
        Env {
            store,
            catalogue,
            lang,
            clock,
            config,
            keymap: Keymap::default(),
            theme: Theme::default(),
            centre_name: i18n::t(lang, "app.centre_default").to_string(),
            demo: false,
            privacy: true,
            reveal: false,
            db_path: PathBuf::new(),
            signing: Ok(None),
        }
    }

    /// Loads the planned signing key (decrypting it with `passphrase`); the error is one
    /// line for the screen, in the interface's language.
    pub fn load_signing_key(
        &self,
        passphrase: Option<&str>,
    ) -> Result<crate::export::SigningKey, String> {
        match &self.signing {
            Ok(Some(plan)) => plan.load(&self.db_path, passphrase).map_err(|e| match e {
                crate::export::ExportError::WrongPassphrase(_) => {
                    self.t("session.wrong_passphrase").to_string()
                }
                e => self.tf(
                    "session.key_failed",
                    &[("error", &crate::cli::words::export_message(self.lang, &e))],
                ),
            }),
            Ok(None) => Err(self.t("session.no_key").into()),
            Err(why) => Err(self.tf("session.key_failed", &[("error", why)])),
        }
    }

    pub fn now(&self) -> NaiveDateTime {
        match self.clock {
            Clock::System => crate::cli::now(),
            Clock::Fixed(t) => t,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// The string for `key`. Every key a screen uses is in the table (a test scans the
    /// sources for them); a missing one shows as `?key`, never as a crash.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::get(self.lang, key).unwrap_or("?")
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::tf(self.lang, key, args)
    }

    /// `：` or `: `.
    pub fn colon(&self) -> &'static str {
        i18n::colon(self.lang)
    }

    /// `、` or `, `.
    pub fn sep(&self) -> &'static str {
        i18n::list_sep(self.lang)
    }

    /// `（x）` or ` (x)`.
    pub fn aside(&self, x: &str) -> String {
        i18n::aside(self.lang, x)
    }

    /// `；` or `; `.
    pub fn semi(&self) -> &'static str {
        i18n::semicolon(self.lang)
    }

    pub fn label<T: crate::domain::codes::Code>(&self, v: T) -> &'static str {
        i18n::label(self.lang, v)
    }

    fn masked(&self, reveal_here: bool) -> bool {
        self.privacy && !(self.reveal && reveal_here)
    }

    /// A child's name as privacy mode allows. `focused`: this is the field under the cursor
    /// (the one the reveal key shows).
    pub fn name<'a>(&self, name: &'a str, focused: bool) -> Cow<'a, str> {
        if self.masked(focused) {
            Cow::Owned(crate::privacy::mask_name(name))
        } else {
            Cow::Borrowed(name)
        }
    }

    /// `2014-05-06`, or `2014-＊＊-＊＊` while privacy mode hides it (the ID number's middle
    /// is hidden for the same reason).
    pub fn birth_date(&self, d: NaiveDate, focused: bool) -> String {
        if self.masked(focused) {
            format!("{}-＊＊-＊＊", d.format("%Y"))
        } else {
            d.format("%Y-%m-%d").to_string()
        }
    }

    pub fn id_number<'a>(&self, id: &'a str, focused: bool) -> Cow<'a, str> {
        if self.masked(focused) {
            Cow::Owned(crate::privacy::mask_id_number(id))
        } else {
            Cow::Borrowed(id)
        }
    }

    pub fn phone<'a>(&self, phone: &'a str, focused: bool) -> Cow<'a, str> {
        if self.masked(focused) {
            Cow::Owned(crate::privacy::mask_phone(phone))
        } else {
            Cow::Borrowed(phone)
        }
    }

    pub fn address<'a>(&self, addr: &'a str, focused: bool) -> Cow<'a, str> {
        if self.masked(focused) {
            Cow::Owned(crate::privacy::mask_address(addr))
        } else {
            Cow::Borrowed(addr)
        }
    }

    /// `▲ 一级风险` — symbol and words, never colour alone.
    pub fn level_text(&self, level: Option<RiskLevel>) -> String {
        match level {
            Some(l) => format!(
                "{} {}",
                self.theme.level_symbol(level),
                self.t(&format!("level.{}", l.number()))
            ),
            None => self.t("level.none").to_string(),
        }
    }

    /// `▲ 一级` — the short form for lists.
    pub fn level_short(&self, level: Option<RiskLevel>) -> String {
        match level {
            Some(l) => format!(
                "{} {}",
                self.theme.level_symbol(level),
                self.t(&format!("level.short.{}", l.number()))
            ),
            None => "-".to_string(),
        }
    }

    /// A date as the panel reads it: 2026-12-03 周四 / 2026-12-03 Thu.
    pub fn date_with_weekday(&self, d: NaiveDate) -> String {
        use chrono::Datelike;
        let wd = d.weekday().num_days_from_monday();
        format!(
            "{} {}",
            d.format("%Y-%m-%d"),
            self.t(&format!("weekday.{wd}"))
        )
    }

    pub fn review(&self) -> crate::domain::review::ReviewRules {
        self.config.review
    }
}
