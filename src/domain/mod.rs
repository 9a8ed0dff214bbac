//! The rules of the domain. No I/O, no UI: everything here is plain data and pure
//! functions, so the store, the CLI, the TUI and the exports agree on one meaning.

pub mod assessment;
pub mod case;
pub mod child;
pub mod codes;
pub mod criteria;
pub mod decision;
pub mod difficulty;
pub mod duplicate;
pub mod guardian;
pub mod id_number;
pub mod level;
pub mod panel;
pub mod phone;
pub mod region;
pub mod report;
pub mod review;
pub mod visit;

pub use level::RiskLevel;
