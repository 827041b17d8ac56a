//! `xxgk ingest`: discover → rayon workers → the one writer → publish.
//!
//! It takes the corpus, the output folder and the settings, and gives the
//! published datasets and a summary. Workers return `ReportOut`s for a chunk
//! of files; the main thread writes them in corpus order, so the output is the
//! same whatever the thread count, and memory holds one chunk at a time.
//! Workers never write files, stdout or the progress bar.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::discover::discover;
use crate::report;
use crate::settings::Settings;
use crate::sink::{Sink, Written};

/// Files handed to the workers at a time.
const CHUNK: usize = 256;

pub struct Options {
    pub corpus: PathBuf,
    pub out: PathBuf,
    pub threads: Option<usize>,
    pub quiet: bool,
}

pub struct Outcome {
    pub files: usize,
    /// Files that matched the patterns but none of the formats read.
    pub other_formats: usize,
    pub written: Written,
    pub elapsed: Duration,
}

fn progress(n: usize, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::new(n as u64);
    if quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:>8} [{bar:40}] {pos}/{len} files {per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
    }
    bar
}

pub fn run(opts: &Options, settings: &Settings) -> Result<Outcome, String> {
    let start = Instant::now();
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = opts.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().map_err(|e| format!("thread pool: {e}"))?;
    let corpus = discover(&opts.corpus, settings)?;
    let files = corpus.entries;
    let bar = progress(files.len(), opts.quiet);
    bar.set_prefix("extract");
    let mut sink = Sink::create(&opts.out, &settings.templates)?;
    for chunk in files.chunks(CHUNK) {
        let reports: Vec<_> = pool.install(|| {
            chunk
                .par_iter()
                .map(|entry| report::from_entry(entry, settings))
                .collect()
        });
        for r in reports {
            if let Err(e) = sink.write(r) {
                sink.abandon();
                return Err(e);
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.set_prefix("write");
    let written = sink.finish()?;
    bar.finish_and_clear();
    Ok(Outcome {
        files: files.len(),
        other_formats: corpus.other_formats,
        written,
        elapsed: start.elapsed(),
    })
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
    let codes = join(
        o.written
            .by_code
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect(),
    );
    let rows = join(
        o.written
            .rows
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect(),
    );
    let skipped = if o.other_formats > 0 {
        format!(" ({} more files are of no format read)", o.other_formats)
    } else {
        String::new()
    };
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
