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
/// just before SQLite sorts its index builds; in one glibc heap those sorts took from 0.8 s to
/// 1.5 s in two profiles of the same import, depending on where the strings had lain. With
/// two heaps the import is steadier and about 0.7 s faster; the TUI's peak resident memory
/// grows from 18.6 to 28 MiB (ARCHITECTURE.md, "Two heaps"). Declared here, in the library,
/// so that the binary, the tests and the benchmarks all run with it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
