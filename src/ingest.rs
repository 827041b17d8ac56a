//! The ingest stage: walk → rayon workers → the one writer, into staging.
//!
//! It takes the corpus, the output folder and the settings, and gives the
//! datasets closed in the sink's staging folder, with counts and stage
//! times; `run` decides what follows (derive, publish, manifest). A walker
//! thread streams the corpus's entries through a bounded channel; the main
//! thread cuts them into chunks and hands each chunk to the worker pool.
//! When a chunk's reports are back, the main thread admits them in corpus
//! order (duplicates, counts: `Sink::admit`) and hands them back to the pool,
//! which builds their Arrow batches (`sink::rows`); the batches of the chunk
//! before go back to the pool once more, with the open row groups of their
//! files, to be encoded and compressed (`sink::Encode`), and the main thread
//! appends the row groups they close to the files, chunk after chunk in
//! corpus order, so the output is the same whatever the thread count. At
//! most three chunks are in memory, so memory does not grow with the corpus.
//! Workers never write files, stdout or the progress bar.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::discover::{self, Entry};
use crate::error::Error;
use crate::memory;
use crate::model::{ReportOut, Stages};
use crate::report;
use crate::settings::Settings;
use crate::sink::rows::{Batches, Labels};
use crate::sink::{Encode, Shard, Sink, Staged};

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

/// What the ingest stage leaves: the datasets closed in the staging folder
/// (nothing published yet) and what it counted on the way.
pub struct Ingested {
    pub staged: Staged,
    pub files: usize,
    /// Files that matched the patterns but none of the formats read.
    pub other_formats: usize,
    /// Files left to the other shards.
    pub other_shards: usize,
    /// Time per stage, summed over the workers (walk and write: their own
    /// threads).
    pub stages: Stages,
    /// The heap at its largest while writing (glibc only).
    pub heap_peak: Option<memory::Heap>,
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

/// Reads the corpus and writes its datasets into a staging folder.
pub fn stage(opts: &Options, settings: &Settings, bar: &ProgressBar) -> Result<Ingested, Error> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = opts.threads {
        pool = pool.num_threads(n.max(1));
    }
    let pool = pool.build().map_err(|e| {
        let n = opts
            .threads
            .map_or("(one per core)".into(), |n| n.to_string());
        Error::Argument(format!(
            "--threads {n}: cannot start the worker threads: {e}"
        ))
    })?;
    discover::check_root(&opts.corpus)?;
    let out = opts.out.display();
    std::fs::create_dir_all(&opts.out).map_err(|e| {
        Error::Argument(format!("--out {out}: cannot create the output folder: {e}"))
    })?;
    // From here a signal is noted and acted on between chunks (module
    // `interrupt`), so the staging folder is always removed.
    crate::interrupt::install();
    let mut sink = Sink::create(&opts.out, opts.shard).map_err(|e| {
        Error::Argument(format!(
            "--out {out}: cannot write into the output folder: {e}"
        ))
    })?;
    bar.set_prefix("extract");
    let shard = opts.shard;
    let walk_bar = bar.clone();
    let (tx, rx) = mpsc::sync_channel::<Entry>(CHUNK * 4);
    let mut files = 0usize;
    let mut stages = Stages::default();
    let mut heap = memory::Peak::default();
    let labels = &Labels::new(&settings.templates);
    let result: Result<(usize, usize, Duration), Error> = std::thread::scope(|threads| {
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
        let written = pool.in_place_scope(|scope| -> Result<(), Error> {
            // Three chunks in flight: the workers extract chunk N+1, build
            // the rows of chunk N and encode those of chunk N-1, whose row
            // groups this thread then appends to the files.
            let mut extracting: Option<mpsc::Receiver<Vec<ReportOut>>> = None;
            let mut building: Option<mpsc::Receiver<Built>> = None;
            let mut w = Writing {
                sink: &mut sink,
                encoding: None,
                stages: &mut stages,
                heap: &mut heap,
            };
            loop {
                crate::interrupt::check()?;
                // The chunk before's row groups are encoded before the next
                // chunk is read: three chunks in flight, not four.
                w.take_encoded()?;
                let chunk = next_chunk(&rx);
                let done = chunk.is_empty();
                let extracted = if done {
                    extracting.take()
                } else {
                    let (t, r) = mpsc::sync_channel(1);
                    scope.spawn(move |_| {
                        let reports: Vec<ReportOut> = chunk
                            .par_iter()
                            .map(|entry| report::from_entry(entry, settings))
                            .collect();
                        let _ = t.send(reports);
                    });
                    extracting.replace(r)
                };
                if let Some(extracted) = extracted {
                    let mut reports = extracted
                        .recv()
                        .map_err(|_| "a worker stopped without its reports".to_string())?;
                    let clock = Instant::now();
                    for r in &mut reports {
                        w.sink.admit(r)?;
                    }
                    w.stages.0[Stages::WRITE] += clock.elapsed().as_nanos() as u64;
                    let (t, r) = mpsc::sync_channel(1);
                    scope.spawn(move |_| {
                        let _ = t.send(build(settings, labels, reports));
                    });
                    if let Some(built) = building.replace(r) {
                        w.chunk(scope, built, bar, &mut files)?;
                    }
                }
                if done {
                    if let Some(built) = building.take() {
                        w.chunk(scope, built, bar, &mut files)?;
                    }
                    w.take_encoded()?;
                    return Ok(());
                }
            }
        });
        // On an error, dropping the receiver stops the walker.
        drop(rx);
        let walked = walker
            .join()
            .map_err(|_| Error::Fatal("the corpus walker panicked".into()))?;
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
    stages.0[Stages::WALK] += walking.as_nanos() as u64;
    Ok(Ingested {
        staged,
        files,
        other_formats,
        other_shards,
        stages,
        heap_peak: heap.0,
    })
}

/// A chunk's rows, built by a worker, and what its reports counted.
struct Built {
    batches: Result<Batches, String>,
    stages: Stages,
    reports: usize,
}

/// Builds the rows of admitted reports (on the worker pool).
fn build(settings: &Settings, labels: &Labels, reports: Vec<ReportOut>) -> Built {
    let mut clock = Instant::now();
    let mut stages = Stages::default();
    for r in &reports {
        stages.add(&r.stages);
    }
    let batches = crate::sink::rows::build(&settings.templates, labels, &reports);
    let n = reports.len();
    drop(reports);
    stages.lap(Stages::ROWS, &mut clock);
    Built {
        batches,
        stages,
        reports: n,
    }
}

/// The writer's side of the pipeline: the sink and the chunk being
/// encoded.
struct Writing<'a> {
    sink: &'a mut Sink,
    encoding: Option<mpsc::Receiver<Encode>>,
    stages: &'a mut Stages,
    heap: &'a mut memory::Peak,
}

impl Writing<'_> {
    /// Lends a built chunk's batches to the pool to encode, once the chunk
    /// before is back.
    fn chunk<'s>(
        &mut self,
        scope: &rayon::Scope<'s>,
        built: mpsc::Receiver<Built>,
        bar: &ProgressBar,
        files: &mut usize,
    ) -> Result<(), String> {
        let built = built
            .recv()
            .map_err(|_| "a worker stopped without its rows".to_string())?;
        self.take_encoded()?;
        let mut clock = Instant::now();
        let encode = self.sink.lend(built.batches?)?;
        let (t, r) = mpsc::sync_channel(1);
        scope.spawn(move |_| {
            let _ = t.send(encode.run());
        });
        self.encoding = Some(r);
        self.stages.add(&built.stages);
        self.stages.lap(Stages::WRITE, &mut clock);
        *files += built.reports;
        bar.inc(built.reports as u64);
        Ok(())
    }

    /// Waits for the chunk being encoded, if any, and appends its row
    /// groups to the files.
    fn take_encoded(&mut self) -> Result<(), String> {
        let Some(encoding) = self.encoding.take() else {
            return Ok(());
        };
        let encoded = encoding
            .recv()
            .map_err(|_| "a worker stopped while encoding".to_string())?;
        let mut clock = Instant::now();
        self.stages.0[Stages::WRITE] += encoded.elapsed.as_nanos() as u64;
        self.sink.take(encoded)?;
        self.stages.lap(Stages::WRITE, &mut clock);
        self.heap.sample_and_trim();
        Ok(())
    }
}
