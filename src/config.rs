//! The config file (TOML) in the platform config directory: `~/.config/casepanel/config.toml`
//! on Linux, or the path in `--config` / `CASEPANEL_CONFIG`. Every key is optional; the
//! README documents them all. An unknown key or a bad value is an error that names it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::domain::panel::QuorumRule;
use crate::domain::review::ReviewRules;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `zh` or `en`; the default follows LANG.
    pub lang: Option<String>,
    /// Shown in the title bar, e.g. 新民市未成年人保护中心.
    pub centre_name: Option<String>,
    /// A criteria catalogue file to use instead of the shipped one.
    pub criteria: Option<PathBuf>,
    /// `dark` (high contrast, the default) or `light`.
    pub theme: Option<String>,
    /// `unicode` (default) or `ascii`, for terminals that draw ▲ ■ ● and borders double.
    pub symbols: Option<String>,
    /// The centre's minisign secret key file (`casepanel keygen` makes one), used to sign
    /// sealed decisions and exports; its public key is the `.pub` file beside it.
    pub signing_key: Option<PathBuf>,
    /// Who works at this computer, as the audit trail records every change
    /// (`--operator` and `CASEPANEL_OPERATOR` override it; the program asks when none).
    pub operator: Option<String>,
    #[serde(default)]
    pub quorum: QuorumRule,
    #[serde(default)]
    pub review: ReviewRules,
    /// Key overrides: action name → key, e.g. `"score.met" = "1"`.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// The idle lock.
    #[serde(default)]
    pub lock: LockConfig,
}

/// `[lock]`: after `minutes` without a key the screen hides all case content until a key
/// (or, with `passphrase = true`, the signing key's passphrase). `minutes = 0` turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockConfig {
    pub minutes: u32,
    pub passphrase: bool,
}

impl Default for LockConfig {
    fn default() -> LockConfig {
        LockConfig {
            minutes: 5,
            passphrase: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}Fix the line or remove it; `casepanel --help` lists the keys.")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Reads the config at `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if let Some(l) = &cfg.lang
            && crate::i18n::Lang::parse(l).is_none()
        {
            return Err(invalid(format!("lang = \"{l}\": use \"zh\" or \"en\"")));
        }
        if let Some(t) = &cfg.theme
            && !matches!(t.as_str(), "dark" | "light")
        {
            return Err(invalid(format!(
                "theme = \"{t}\": use \"dark\" or \"light\""
            )));
        }
        if let Some(s) = &cfg.symbols
            && !matches!(s.as_str(), "unicode" | "ascii")
        {
            return Err(invalid(format!(
                "symbols = \"{s}\": use \"unicode\" or \"ascii\""
            )));
        }
        if let Some(o) = &cfg.operator
            && let Err(e) =
                crate::store::audit::Operator::new(o, crate::store::audit::OperatorSource::Config)
        {
            return Err(invalid(format!("operator = \"{o}\": {e}")));
        }
        if cfg.quorum.min_members == 0 || cfg.quorum.min_disciplines == 0 {
            return Err(invalid(
                "quorum: min_members and min_disciplines must be at least 1".into(),
            ));
        }
        if cfg.quorum.min_disciplines > cfg.quorum.min_members {
            return Err(invalid(
                "quorum: min_disciplines cannot exceed min_members".into(),
            ));
        }
        cfg.review.validate().map_err(invalid)?;
        if cfg.lock.passphrase && cfg.signing_key.is_none() {
            return Err(invalid(
                "[lock] passphrase = true unlocks with the signing key's passphrase: set signing_key too".into(),
            ));
        }
        if cfg.lock.minutes > 24 * 60 {
            return Err(invalid(format!(
                "[lock] minutes = {}: at most 1440 (a day); 0 turns the lock off",
                cfg.lock.minutes
            )));
        }
        Ok(cfg)
    }
}

/// Where casepanel keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub config_file: PathBuf,
}

impl Paths {
    /// The platform directories (XDG on Linux), with `CASEPANEL_CONFIG` for the config file.
    pub fn platform() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "casepanel");
        let (data_dir, config_dir) = match &dirs {
            Some(d) => (d.data_dir().to_path_buf(), d.config_dir().to_path_buf()),
            None => (PathBuf::from(".casepanel"), PathBuf::from(".casepanel")),
        };
        let config_file = std::env::var_os("CASEPANEL_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| config_dir.join("config.toml"));
        Paths {
            data_dir,
            config_file,
        }
    }

    pub fn default_db(&self) -> PathBuf {
        self.data_dir.join("casepanel.db")
    }

    pub fn demo_db(&self) -> PathBuf {
        self.data_dir.join("demo.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_full_configs() {
        let p = Path::new("config.toml");
        assert_eq!(Config::parse("", p).unwrap(), Config::default());
        let c = Config::parse(
            "lang = \"en\"\ncentre_name = \"X\"\n[quorum]\nmin_members = 5\nmin_disciplines = 3\n[review]\nlevel1_months = 3\n[keys]\n\"score.met\" = \"1\"\n",
            p,
        )
        .unwrap();
        assert_eq!(c.quorum.min_members, 5);
        assert_eq!(c.review.level1_months, 3);
        assert_eq!(c.review.level2_months, 12);
        assert_eq!(c.keys["score.met"], "1");
    }

    #[test]
    fn bad_configs_name_the_key() {
        let p = Path::new("c.toml");
        assert!(
            Config::parse("colour = 1", p)
                .unwrap_err()
                .to_string()
                .contains("colour")
        );
        assert!(
            Config::parse("lang = \"fr\"", p)
                .unwrap_err()
                .to_string()
                .contains("lang")
        );
        assert!(
            Config::parse("[review]\nlevel1_months = 24", p)
                .unwrap_err()
                .to_string()
                .contains("level1_months")
        );
    }
}
