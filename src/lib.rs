//! casepanel: the expert panel's tool for grading and re-reviewing children in difficulty.
//!
//! The library holds everything; the `casepanel` binary only parses arguments and calls it.
//! See ARCHITECTURE.md for the map.

pub mod domain;
pub mod text;
pub mod privacy;
pub mod i18n;
pub mod config;
pub mod store;
pub mod cli;
pub mod tui;
pub mod assets;
pub mod generate;
pub mod export;
