//! `xxgk derive OUT`: what is computed from the published datasets rather
//! than read from one report — the yearly comparison, per-report metrics and
//! the checks between a body's consecutive years.
//!
//! It takes the datasets under `OUT/` (every part file, whatever the shards)
//! and the `[derive]` config, and gives `yearly_comparison` and `metrics`
//! (one file per year, written like the others: `sink::layout`) plus
//! cross-year findings in `findings/{year}-derived.parquet`, all staged and
//! then published in place. It runs on polars' lazy engine, behind the `derive`
//! Cargo feature; `config` is parsed without it, and `sql` writes the same
//! computation as a DuckDB or Spark SQL script (`--emit-sql`) without it.

pub mod config;
pub mod keys;
mod recorded;
pub mod sql;

pub use recorded::record_published;

#[cfg(feature = "derive")]
mod compute;

#[cfg(feature = "derive")]
pub use compute::{run, run_staged, Derived};

/// The datasets the derive stage writes.
pub const DATASETS: [&str; 2] = ["yearly_comparison", "metrics"];

/// Ends a run: combines the shards' manifests (all must be in) and writes
/// `OUT/_run.json`, with `derived` when the derive stage ran.
pub fn write_run(
    out: &std::path::Path,
    derived: Option<crate::manifest::DeriveRun>,
) -> Result<crate::manifest::Manifest, String> {
    use crate::manifest;
    let shards = manifest::read_shards(out)?;
    let mut m = manifest::combine(&shards);
    m.derive = derived;
    manifest::write(out, &m)?;
    Ok(m)
}

/// `xxgk derive OUT`: once every shard has published, runs the derive stage
/// over the datasets in OUT and writes `OUT/_run.json`.
#[cfg(feature = "derive")]
pub fn derive_published(
    out: &std::path::Path,
    settings: &crate::settings::Settings,
    bar: &indicatif::ProgressBar,
) -> Result<crate::manifest::Manifest, String> {
    use crate::manifest;
    manifest::read_shards(out)?;
    let started = std::time::SystemTime::now();
    let d = run(out, settings, bar)?;
    write_run(out, Some(manifest::DeriveRun::from(d, started)))
}

/// Without the derive feature there is nothing to run.
#[cfg(not(feature = "derive"))]
pub fn derive_published(
    _: &std::path::Path,
    _: &crate::settings::Settings,
    _: &indicatif::ProgressBar,
) -> Result<crate::manifest::Manifest, String> {
    Err("this xxgk was built without the derive feature (cargo build --features derive)".into())
}
