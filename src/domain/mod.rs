//! The rules of the domain. No I/O, no UI: everything here is plain data and pure
//! functions, so the store, the CLI, the TUI and the exports agree on one meaning.

pub mod codes;
pub mod level;
pub mod id_number;
pub mod child;
pub mod region;
pub mod guardian;
pub mod difficulty;
pub mod case;
pub mod report;
pub mod visit;
pub mod panel;
pub mod assessment;
pub mod criteria;
pub mod review;
pub mod decision;

pub use level::RiskLevel;
