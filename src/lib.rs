//! casepanel: the expert panel's tool for grading and re-reviewing children in difficulty.
//!
//! The library holds everything; the `casepanel` binary only parses arguments and calls it.
//! See ARCHITECTURE.md for the map.

pub mod assets;
pub mod check;
pub mod cli;
pub mod config;
pub mod domain;
pub mod export;
pub mod generate;
pub mod i18n;
pub mod intake;
pub mod privacy;
pub mod store;
pub mod text;
pub mod tui;
