//! casepanel: the expert panel's tool for grading and re-reviewing children in difficulty.
//!
//! The library holds everything; the `casepanel` binary only parses arguments and calls it.
//! See ARCHITECTURE.md for the map.

pub mod domain;
