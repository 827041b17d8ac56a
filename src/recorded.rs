//! `xxgk derive OUT --manifest-only`: the run manifest of a derive stage
//! that ran elsewhere (the Spark job of deploy/spark runs the emitted SQL
//! and publishes the derived files itself).
//!
//! It takes the shard manifests under `OUT/_run/` and the derived files as
//! published (`yearly_comparison/`, `metrics/`, `findings/*-derived.parquet`)
//! and gives `OUT/_run.json` with a `derive` entry counted from those files:
//! rows from the Parquet footers, the derived findings by code from their
//! `code` column, the times from the files' modification times. It never
//! computes a derived value, and it refuses a folder whose derived files are
//! missing or older than the shards' run, so a manifest never describes a
//! derive that did not follow the ingest.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use crate::derive::read;
use crate::error::Error;
use crate::manifest::{self, DeriveRun, Manifest};
use crate::sink::layout;

fn err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

fn modified(path: &Path) -> Result<SystemTime, String> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| err(path, e))
}

/// Adds the values of the string column `column` of a Parquet file into
/// `counts`; gives the rows read.
fn count_values(
    path: &Path,
    column: &str,
    counts: &mut BTreeMap<String, u64>,
) -> Result<u64, String> {
    let mut b = read::Batches::open(path, &[column])?;
    let mut n = 0;
    while let Some(batch) = b.next_batch()? {
        let values = read::strings(&batch, column, path)?;
        for v in values.iter() {
            *counts.entry(v.unwrap_or("(null)").to_string()).or_default() += 1;
        }
        n += batch.num_rows() as u64;
    }
    Ok(n)
}

/// What the derived files in `out` hold, and when they were written.
fn published(out: &Path) -> Result<(DeriveRun, Vec<SystemTime>), String> {
    let mut d = DeriveRun::default();
    let mut times = Vec::new();
    for name in crate::derive::DATASETS {
        let dir = out.join(name);
        let files = layout::files(&dir)?;
        if files.is_empty() {
            return Err(err(
                &dir,
                "no derived files: the derive stage has not published here",
            ));
        }
        let mut n = 0;
        for (path, _, _) in files {
            n += read::rows(&path)?;
            times.push(modified(&path)?);
        }
        d.rows.insert(name.to_string(), n);
    }
    let mut n = 0;
    for (path, _, tag) in layout::files(&out.join("findings"))? {
        if tag == layout::DERIVED {
            n += count_values(&path, "code", &mut d.findings_by_code)?;
            times.push(modified(&path)?);
        }
    }
    d.rows.insert("findings (derived)".into(), n);
    Ok((d, times))
}

/// Writes `OUT/_run.json` for a derive stage that ran elsewhere: every
/// shard must be in, and every derived file written no earlier than the
/// last shard finished.
pub fn record_published(out: &Path) -> Result<Manifest, Error> {
    let shards = manifest::read_shards(out)?;
    let (mut d, times) = published(out)?;
    let (Some(first), Some(last)) = (times.iter().min(), times.iter().max()) else {
        return Err(err(out, "no derived files").into());
    };
    let (first, last) = (manifest::utc(*first), manifest::utc(*last));
    if let Some(s) = shards.iter().find(|s| s.finished > first) {
        return Err(err(
            out,
            format!(
                "the derived files (written from {first}) are older than shard {}, which \
                 finished at {}: run the derive stage again",
                s.shard, s.finished
            ),
        )
        .into());
    }
    (d.started, d.finished) = (first, last);
    crate::run::write_run(out, Some(d))
}
