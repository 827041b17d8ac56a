//! `xxgk derive OUT`: what is computed from the published datasets rather
//! than read from one report — the yearly comparison, per-report metrics and
//! the checks between a body's consecutive years.
//!
//! It takes the datasets under `OUT/` (every part file, whatever the shards)
//! and the `[derive]` config, and gives `yearly_comparison` and `metrics`
//! (one file per year, written like the others: `sink::layout`) plus
//! cross-year findings in `findings/{year}-derived.parquet`, all staged and
//! then published in place. It runs on polars' lazy engine, behind the `derive`
//! Cargo feature; `config` is parsed without it.

pub mod config;
pub mod keys;

#[cfg(feature = "derive")]
mod compute;

#[cfg(feature = "derive")]
pub use compute::{run, run_staged, Derived};

/// The datasets the derive stage writes.
pub const DATASETS: [&str; 2] = ["yearly_comparison", "metrics"];
