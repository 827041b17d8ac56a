//! `xxgk ingest`: walk → rayon workers → the one writer → publish.
//!
//! It takes the corpus, the output folder and the settings, and gives the
//! published datasets and a summary. A walker thread streams the corpus's
//! entries through a bounded channel; the main thread cuts them into chunks,
//! hands each chunk to the worker pool and, while the workers extract the
//! next chunk, writes the previous one — in corpus order, so the output is
//! the same whatever the thread count. At most two chunks are in memory, so
//! memory does not grow with the corpus. Workers never write files, stdout or
//! the progress bar.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::discover::{self, Entry};
use crate::manifest::{self, Manifest};
use crate::memory;
use crate::model::{ReportOut, Stages};
use crate::report;
use crate::settings::Settings;
use crate::sink::{Shard, Sink, Written};

/// Files handed to the workers at a time.
const CHUNK: usize = 256;

pub struct Options {
    pub corpus: PathBuf,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub shard: Shard,
    /// Follow symbolic links that lead outside the corpus.
    pub follow: bool,
}

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
    pub derived: Option<manifest::DeriveRun>,
    /// Time in the derive stage (zero when it did not run).
    pub derive_time: Duration,
    /// The heap at its largest while writing, and at the end (glibc only).
    pub heap_peak: Option<memory::Heap>,
    pub heap_end: Option<memory::Heap>,
}

#[cfg(feature = "derive")]
fn derive_staged(
    staged: &crate::sink::Staged,
    settings: &Settings,
    bar: &ProgressBar,
) -> Result<Option<manifest::DeriveRun>, String> {
    let started = SystemTime::now();
    let d = crate::derive::run_staged(staged.dir(), settings, bar)?;
    Ok(Some(manifest::DeriveRun::from(d, started)))
}

#[cfg(not(feature = "derive"))]
fn derive_staged(
    _: &crate::sink::Staged,
    _: &Settings,
    _: &ProgressBar,
) -> Result<Option<manifest::DeriveRun>, String> {
    Ok(None)
}

/// Takes up to `CHUNK` entries; an empty chunk means the walk is over.
fn next_chunk(rx: &mpsc::Receiver<Entry>) -> Vec<Entry> {
    let mut chunk = Vec::with_capacity(CHUNK);
    let Ok(first) = rx.recv() else {
        return chunk;
    };
    chunk.push(first);
    while chunk.len() < CHUNK {
        match rx.recv() {
            Ok(e) => chunk.push(e),
            Err(_) => break,
        }
    }
    chunk
}

/// Reads the corpus and publishes the datasets and this run's manifest.
pub fn run(opts: &Options, settings: &Settings, bar: &ProgressBar) -> Result<Outcome, String> {
    let start = Instant::now();
    let started = SystemTime::now();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = opts.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().map_err(|e| {
        let n = opts
            .threads
            .map_or("(one per core)".into(), |n| n.to_string());
        format!("--threads {n}: cannot start the worker threads: {e}")
    })?;
    discover::check_root(&opts.corpus)?;
    let out = opts.out.display();
    std::fs::create_dir_all(&opts.out)
        .map_err(|e| format!("--out {out}: cannot create the output folder: {e}"))?;
    // From here a signal is noted and acted on between chunks (module
    // `interrupt`), so the staging folder is always removed.
    crate::interrupt::install();
    let mut sink = Sink::create(&opts.out, &settings.templates, opts.shard)
        .map_err(|e| format!("--out {out}: cannot write into the output folder: {e}"))?;
    bar.set_prefix("extract");
    let shard = opts.shard;
    let walk_bar = bar.clone();
    let (tx, rx) = mpsc::sync_channel::<Entry>(CHUNK * 4);
    let mut files = 0usize;
    let mut stages = Stages::default();
    let mut heap = memory::Peak::default();
    let result: Result<(usize, usize, Duration), String> = std::thread::scope(|threads| {
        let walker = threads.spawn(move || {
            let mut other_shards = 0usize;
            let (mut walking, mut clock) = (Duration::ZERO, Instant::now());
            walk_bar.set_message("(walking)");
            let other_formats = discover::walk(&opts.corpus, settings, opts.follow, |e| {
                walking += clock.elapsed();
                let go_on = if shard.takes(&e.rel) {
                    walk_bar.inc_length(1);
                    tx.send(e).is_ok()
                } else {
                    other_shards += 1;
                    true
                };
                clock = Instant::now();
                go_on
            });
            walking += clock.elapsed();
            walk_bar.set_message("");
            other_formats.map(|n| (n, other_shards, walking))
        });
        let written = pool.in_place_scope(|scope| -> Result<(), String> {
            let mut pending: Option<mpsc::Receiver<Vec<ReportOut>>> = None;
            loop {
                crate::interrupt::check()?;
                let chunk = next_chunk(&rx);
                let done = chunk.is_empty();
                if !done {
                    let (t, r) = mpsc::sync_channel(1);
                    scope.spawn(move |_| {
                        let reports: Vec<ReportOut> = chunk
                            .par_iter()
                            .map(|entry| report::from_entry(entry, settings))
                            .collect();
                        let _ = t.send(reports);
                    });
                    if let Some(prev) = pending.replace(r) {
                        write_chunk(&mut sink, prev, bar, &mut files, &mut stages, &mut heap)?;
                    }
                } else {
                    if let Some(prev) = pending.take() {
                        write_chunk(&mut sink, prev, bar, &mut files, &mut stages, &mut heap)?;
                    }
                    return Ok(());
                }
            }
        });
        // On an error, dropping the receiver stops the walker.
        drop(rx);
        let walked = walker
            .join()
            .map_err(|_| "the corpus walker panicked".to_string())?;
        written?;
        walked
    });
    let (other_formats, other_shards, walking) = match result {
        Ok(n) => n,
        Err(e) => {
            sink.abandon();
            return Err(e);
        }
    };
    bar.set_prefix("write");
    let mut clock = Instant::now();
    let staged = sink.close()?;
    stages.lap(Stages::WRITE, &mut clock);
    if let Err(e) = crate::interrupt::check() {
        staged.abandon();
        return Err(e);
    }
    // A whole run derives inside its staging folder and publishes all at
    // once; a shard leaves that to `xxgk derive` once every shard is in.
    let derive_clock = Instant::now();
    let derived = if opts.shard.n == 1 {
        match derive_staged(&staged, settings, bar) {
            Ok(d) => d,
            Err(e) => {
                staged.abandon();
                return Err(e);
            }
        }
    } else {
        None
    };
    let derive_time = derive_clock.elapsed();
    // The last moment to stop: past it, the run publishes and ends.
    if let Err(e) = crate::interrupt::check() {
        staged.abandon();
        return Err(e);
    }
    let written = staged.publish(&crate::derive::DATASETS)?;
    stages.0[Stages::WALK] += walking.as_nanos() as u64;
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
    manifest::write_shard(
        &opts.out,
        &opts.shard.part_name(),
        &manifest,
        opts.shard.n == 1,
    )?;
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
        heap_peak: heap.0,
        heap_end: memory::now(),
    })
}

fn write_chunk(
    sink: &mut Sink,
    reports: mpsc::Receiver<Vec<ReportOut>>,
    bar: &ProgressBar,
    files: &mut usize,
    stages: &mut Stages,
    heap: &mut memory::Peak,
) -> Result<(), String> {
    let reports = reports
        .recv()
        .map_err(|_| "a worker stopped without its reports".to_string())?;
    let n = reports.len();
    let mut clock = Instant::now();
    for r in reports {
        stages.add(&r.stages);
        sink.write(r)?;
    }
    stages.lap(Stages::WRITE, &mut clock);
    heap.sample();
    *files += n;
    bar.inc(n as u64);
    Ok(())
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
    let join = |m: Vec<String>| m.join(", ");
    let status = join(
        o.written
            .by_status
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect(),
    );
    // Findings by severity, gravest first: `error: requests.balance 1, …`.
    let mut codes = Vec::new();
    for sev in ["error", "warning", "info"] {
        let these: Vec<String> = o
            .written
            .by_code
            .iter()
            .filter(|(k, _)| o.written.severity.get(*k) == Some(&sev))
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if !these.is_empty() {
            codes.push(format!("{sev}: {}", these.join(", ")));
        }
    }
    let codes = codes.join("; ");
    let rows = join(
        o.written
            .rows
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect(),
    );
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
        if status.is_empty() {
            "none".into()
        } else {
            status
        },
        if codes.is_empty() {
            "none".into()
        } else {
            codes
        },
        rows
    )
}
