//! A whole run, in one place: walk and ingest (sharded or not), the derive
//! stage, publishing, and the manifest `_run.json`.
//!
//! It takes the options and settings `main` built and gives an `Outcome` to
//! summarise, or the error that stopped the run with nothing published. The
//! sequence of an ingest: `ingest::stage` writes the datasets into a staging
//! folder; a whole run (no `--shard`) derives inside that folder, so the
//! derived datasets are published with the others in one step; then the
//! datasets are published, the shard's manifest written under `OUT/_run/`
//! and, for a whole run, `OUT/_run.json`. A shard leaves the derive stage and
//! `_run.json` to `xxgk derive OUT` (`derive` below) once every shard is in.
//! A signal is acted on up to the moment of publishing, never after.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use indicatif::ProgressBar;

use crate::error::Error;
use crate::ingest::{self, Options};
use crate::manifest::{self, DeriveRun, Manifest};
use crate::memory;
use crate::model::Stages;
use crate::report;
use crate::settings::Settings;
use crate::sink::{Staged, Written};

/// What an ingest did, for its summary and `--timings`.
pub struct Outcome {
    pub files: usize,
    /// Files that matched the patterns but none of the formats read.
    pub other_formats: usize,
    /// Files left to the other shards.
    pub other_shards: usize,
    pub written: Written,
    pub elapsed: Duration,
    /// Time per stage, summed over the workers (walk and write: their own
    /// threads).
    pub stages: Stages,
    /// What was published, as `OUT/_run/<part>.json` holds it.
    pub manifest: Manifest,
    /// What the derive stage wrote, when it ran.
    pub derived: Option<DeriveRun>,
    /// Time in the derive stage (zero when it did not run).
    pub derive_time: Duration,
    /// The heap at its largest while writing, and at the end (glibc only).
    pub heap_peak: Option<memory::Heap>,
    pub heap_end: Option<memory::Heap>,
}

/// `xxgk ingest`: reads the corpus, derives (a whole run), publishes the
/// datasets and writes the manifests.
pub fn ingest(opts: &Options, settings: &Settings, bar: &ProgressBar) -> Result<Outcome, Error> {
    let start = Instant::now();
    let started = SystemTime::now();
    let ingest::Ingested {
        staged,
        files,
        other_formats,
        other_shards,
        stages,
        heap_peak,
    } = ingest::stage(opts, settings, bar)?;
    let whole = opts.shard.n == 1;
    let derive_clock = Instant::now();
    let derived = match derive_before_publishing(&staged, whole, settings, bar) {
        Ok(d) => d,
        Err(e) => {
            staged.abandon();
            return Err(e);
        }
    };
    let derive_time = derive_clock.elapsed();
    let written = staged.publish(&crate::derive::DATASETS)?;
    let manifest = Manifest {
        xxgk_version: env!("CARGO_PKG_VERSION").to_string(),
        parser_version: report::PARSER_VERSION.to_string(),
        shard: format!("{}/{}", opts.shard.k, opts.shard.n),
        started: manifest::utc(started),
        finished: manifest::utc(SystemTime::now()),
        corpus: opts.corpus.display().to_string(),
        config: settings.config_name.clone(),
        config_hash: settings.config_hash.clone(),
        inputs: manifest::Inputs {
            files: files as u64,
            digest: written.digest.clone(),
            other_formats: other_formats as u64,
            other_shards: other_shards as u64,
        },
        rows: written
            .rows
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        files_by_status: written
            .by_status
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        findings_by_code: written.by_code.clone(),
        severity_by_code: written
            .severity
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        errors: written.errors,
        shards: Vec::new(),
        derive: None,
    };
    manifest::write_shard(&opts.out, &opts.shard.part_name(), &manifest, whole)?;
    if whole {
        write_run(&opts.out, derived.clone())?;
    }
    Ok(Outcome {
        files,
        other_formats,
        other_shards,
        written,
        elapsed: start.elapsed(),
        stages,
        manifest,
        derived,
        derive_time,
        heap_peak,
        heap_end: memory::now(),
    })
}

/// Between the staging folder closing and publishing: a whole run derives
/// inside the staging folder, and a signal stops the run until the last
/// moment (module `interrupt`).
fn derive_before_publishing(
    staged: &Staged,
    whole: bool,
    settings: &Settings,
    bar: &ProgressBar,
) -> Result<Option<DeriveRun>, Error> {
    crate::interrupt::check()?;
    let derived = if whole {
        crate::memory::trim();
        derive_staged(staged, settings, bar)?
    } else {
        None
    };
    // The last moment to stop: past it, the run publishes and ends.
    crate::interrupt::check()?;
    Ok(derived)
}

fn derive_staged(
    staged: &Staged,
    settings: &Settings,
    bar: &ProgressBar,
) -> Result<Option<DeriveRun>, Error> {
    let started = SystemTime::now();
    let d = crate::derive::run_staged(staged.dir(), settings, bar)?;
    Ok(Some(derive_run(d, started)))
}

/// What a derive stage that started at `started` and just ended wrote.
fn derive_run(d: crate::derive::Derived, started: SystemTime) -> DeriveRun {
    DeriveRun {
        started: manifest::utc(started),
        finished: manifest::utc(SystemTime::now()),
        rows: d.rows,
        findings_by_code: d.findings,
        buckets: d.buckets,
    }
}

/// Ends a run: combines the shards' manifests (all must be in) and writes
/// `OUT/_run.json`, with `derived` when the derive stage ran.
pub fn write_run(out: &Path, derived: Option<DeriveRun>) -> Result<Manifest, Error> {
    let shards = manifest::read_shards(out)?;
    let mut m = manifest::combine(&shards);
    m.derive = derived;
    manifest::write(out, &m)?;
    Ok(m)
}

/// `xxgk derive OUT`: once every shard has published, runs the derive stage
/// over the datasets in OUT and writes `OUT/_run.json`.
pub fn derive(out: &Path, settings: &Settings, bar: &ProgressBar) -> Result<Manifest, Error> {
    manifest::read_shards(out)?;
    let started = SystemTime::now();
    let d = crate::derive::run(out, settings, bar)?;
    write_run(out, Some(derive_run(d, started)))
}

/// Seconds per stage, for `--timings`.
pub fn timings(o: &Outcome) -> String {
    let mut s = String::from("stage seconds (workers summed):");
    for (name, ns) in Stages::NAMES.iter().zip(o.stages.0) {
        s += &format!(" {name} {:.2}", ns as f64 / 1e9);
    }
    s += &format!(" derive {:.2}", o.derive_time.as_secs_f64());
    s.push('\n');
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    if let (Some(p), Some(e)) = (o.heap_peak, o.heap_end) {
        s += &format!(
            "heap MiB: in use {:.0} at its peak (allocator holding {:.0}), {:.0} at the end (holding {:.0})\n",
            mb(p.in_use),
            mb(p.held),
            mb(e.in_use),
            mb(e.held)
        );
    }
    s
}

/// The closing summary: files by status, findings by code, rows, time.
pub fn summary(o: &Outcome) -> String {
    let w = &o.written;
    // Findings by severity, gravest first: `error: requests.balance 1, …`.
    let mut codes = Vec::new();
    for sev in ["error", "warning", "info"] {
        let these = w
            .by_code
            .iter()
            .filter(|(k, _)| w.severity.get(*k) == Some(&sev));
        if these.clone().next().is_some() {
            codes.push(format!("{sev}: {}", listing(these)));
        }
    }
    let mut skipped = String::new();
    if o.other_formats > 0 {
        skipped += &format!(" ({} more files are of no format read)", o.other_formats);
    }
    if o.other_shards > 0 {
        skipped += &format!(" ({} more files belong to other shards)", o.other_shards);
    }
    format!(
        "xxgk: {} files{skipped} in {:.2}s: {}\nfindings: {}\nrows: {}\n",
        o.files,
        o.elapsed.as_secs_f64(),
        listing(&w.by_status),
        if codes.is_empty() {
            "none".into()
        } else {
            codes.join("; ")
        },
        listing(&w.rows)
    )
}

/// `a 1, b 2`, or `none`.
fn listing<K: std::fmt::Display, V: std::fmt::Display>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> String {
    let items: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k} {v}")).collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The derive stage's line of the summary: rows per dataset, findings.
pub fn derive_summary(d: &DeriveRun) -> String {
    format!(
        "derive: {}; findings (warning): {}\n",
        listing(&d.rows),
        listing(&d.findings_by_code)
    )
}
