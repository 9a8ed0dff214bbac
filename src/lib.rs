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

/// Rust's memory comes from mimalloc, SQLite's from the C library's `malloc`: the two heaps
/// stay apart. A screening import makes and drops millions of small strings, on both cores,
/// just before SQLite sorts its index builds; in one glibc heap, that left SQLite's sorts
/// 20 % of the import slower or faster from one run to the next, depending on where the
/// strings had lain (BENCHMARKS.md, "Import"). Declared here, in the library, so that the
/// binary, the tests and the benchmarks all run with it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
