//! The criteria catalogue (评估标准): data a centre can edit and version, never code.
//!
//! A catalogue is a TOML file (see `assets/criteria/liaoning-2014.toml`, commented for
//! centres that write their own). [`load`] parses and validates it, reporting every problem
//! with its line; [`scoring`] applies its rules to a panel's answers; [`render`] prints it.

use serde::{Deserialize, Serialize};

use super::level::RiskLevel;

pub mod load;
pub mod render;
pub mod scoring;

pub use load::{CatalogueError, Problem, load_file, load_str};
pub use render::render_text;
pub use scoring::{OverrideError, check_override, diff, reportable_met, required_unknown, score};

/// How the computed level is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// The most severe level with at least one indicator met (the notice's own reading).
    HighestLevel,
    /// Structured-decision-making style: met indicators add their weight; the most severe
    /// level whose threshold the total reaches is the computed level.
    Points { thresholds: Thresholds },
}

/// Points thresholds of the points method: `level1 > level2 > level3 > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub level1: u32,
    pub level2: u32,
    pub level3: u32,
}

impl Thresholds {
    /// The points a level needs.
    pub fn for_level(&self, l: RiskLevel) -> u32 {
        match l {
            RiskLevel::L1 => self.level1,
            RiskLevel::L2 => self.level2,
            RiskLevel::L3 => self.level3,
        }
    }
}

/// A level's definition as the standard words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDef {
    pub level: RiskLevel,
    pub zh: String,
    pub en: String,
}

/// One indicator (指标).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable id, e.g. `L1-02`.
    pub id: String,
    pub level: RiskLevel,
    pub zh: String,
    pub en: String,
    pub guidance_zh: Option<String>,
    pub guidance_en: Option<String>,
    /// 硬性触发: forces level 1 whatever else is marked; cannot be overridden downwards.
    pub hard_trigger: bool,
    /// Finalising is blocked while this indicator is unknown.
    pub required: bool,
    /// 强制报告: when met, a police report must be recorded before sealing.
    pub reportable: bool,
    /// Weight under the points method (ignored by the highest-level method).
    pub weight: u32,
}

/// An intervention a level's menu offers (帮扶措施).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterventionDef {
    pub id: String,
    /// The levels whose menu lists it.
    pub levels: Vec<RiskLevel>,
    pub zh: String,
    pub en: String,
    /// The unit usually responsible (责任单位), offered as the default.
    pub default_unit: Option<String>,
}

/// A loaded, validated catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    pub id: String,
    pub version: String,
    pub title_zh: String,
    pub title_en: String,
    pub method: Method,
    pub levels: Vec<LevelDef>,
    pub indicators: Vec<Indicator>,
    pub interventions: Vec<InterventionDef>,
    /// SHA-256 (hex) of the file's bytes: what assessments point at.
    pub sha256: String,
    /// The file's text exactly as loaded, kept so the database can store it once per hash.
    #[serde(skip)]
    pub source: String,
}

impl Catalogue {
    /// What an assessment records to find this exact catalogue again.
    pub fn reference(&self) -> super::assessment::CatalogueRef {
        super::assessment::CatalogueRef {
            id: self.id.clone(),
            version: self.version.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// The indicator with this id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// A level's indicators, in file order.
    pub fn indicators_of(&self, level: RiskLevel) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter().filter(move |i| i.level == level)
    }

    /// The intervention menu of a level.
    ///
    /// Measures that first appear at this level come first (no less severe level lists
    /// them), then those it shares with less severe levels; file order within each.
    pub fn menu(&self, level: RiskLevel) -> impl Iterator<Item = &InterventionDef> {
        let own = move |i: &&InterventionDef| {
            i.levels.iter().map(|l| l.number()).max() == Some(level.number())
        };
        let on_menu = move |i: &&InterventionDef| i.levels.contains(&level);
        self.interventions
            .iter()
            .filter(move |i| on_menu(i) && own(i))
            .chain(
                self.interventions
                    .iter()
                    .filter(move |i| on_menu(i) && !own(i)),
            )
    }

    /// The intervention with this id.
    pub fn intervention(&self, id: &str) -> Option<&InterventionDef> {
        self.interventions.iter().find(|i| i.id == id)
    }

    /// The catalogue shipped with casepanel (the notice's three levels).
    pub fn builtin() -> Catalogue {
        load_str(BUILTIN, "assets/criteria/liaoning-2014.toml")
            .expect("the shipped catalogue is valid")
    }
}

/// Text of the shipped catalogue.
pub const BUILTIN: &str = include_str!("../../../assets/criteria/liaoning-2014.toml");
