//! The one writer: reports in, Parquet datasets out (one file per year,
//! `layout`), published into place only when every file closed cleanly.
//!
//! It takes `ReportOut`s in a deterministic order and gives the five datasets
//! of datasets.md under `OUT/`, written into a staging folder first and then
//! renamed into place, so a crash leaves the previous datasets whole (STYLE,
//! habit 6). Reports are admitted one by one (`Sink::admit`: duplicates,
//! counts); the workers turn a chunk of them into Arrow batches per dataset
//! and year (`rows`) and encode those into the open row groups of the files
//! (`lend`, `Encode::run`, `take`: row groups of at most 64k rows or 4 MiB,
//! so memory stays flat). It is the only stage that writes files.

mod dict;
mod first;
pub mod layout;
pub mod rows;
pub mod schema;
mod writer;

pub use writer::Partitioned;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::model::{ReportOut, Severity, Status};

type Error = String;

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    format!("{}: {e}", path.display())
}

/// Which slice of the corpus a run reads (`--shard K/N`): the files whose
/// path hash is K modulo N. Part files carry the shard in their names, so
/// shards never overwrite each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 0, n: 1 };

    /// Parses `K/N` with 0 ≤ K < N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s:?}: expected K/N with 0 <= K < N, e.g. 0/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// Does this shard read the file at corpus-relative path `rel`? The
    /// path's FNV-1a hash modulo N: stable across machines, platforms and
    /// versions, so N machines with the same corpus layout split it exactly.
    pub fn takes(&self, rel: &str) -> bool {
        self.n == 1 || fnv1a(rel.as_bytes()) % u64::from(self.n) == u64::from(self.k)
    }

    /// The part-file name of this shard: its manifest's name, and the tag
    /// of its data files (`layout::file_name`).
    pub fn part_name(&self) -> String {
        format!("{}.parquet", self.tag())
    }

    /// `part-K-of-N`, zero-padded: the tag in this shard's file names.
    pub fn tag(&self) -> String {
        format!("part-{:05}-of-{:05}", self.k, self.n)
    }
}

/// FNV-1a, 64 bit.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What a run wrote: counts for the summary.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub rows: BTreeMap<&'static str, u64>,
    pub by_status: BTreeMap<&'static str, u64>,
    pub by_code: BTreeMap<String, u64>,
    /// The severity of each code (the gravest, should one code come with
    /// two).
    pub severity: BTreeMap<String, &'static str>,
    pub errors: u64,
    /// Hex SHA-256 over `path NUL report_id LF` of every file, in order.
    pub digest: String,
}

/// The writer of a run.
pub struct Sink {
    out: PathBuf,
    staging: PathBuf,
    reports: Partitioned,
    counts: Partitioned,
    procurement: Partitioned,
    litigation: Partitioned,
    findings: Partitioned,
    shard: Shard,
    /// The first path of every file's bytes (duplicates).
    first: first::FirstPaths,
    written: Written,
    digest: Sha256,
}

impl Sink {
    /// Prepares a staging folder inside `out`.
    pub fn create(out: &Path, shard: Shard) -> Result<Sink, Error> {
        std::fs::create_dir_all(out).map_err(|e| err(out, e))?;
        // Named after the shard: a run killed before it published leaves
        // this folder, and the next run of the same shard clears it.
        let staging = out.join(format!(
            ".xxgk-staging-{}",
            shard.part_name().trim_end_matches(".parquet")
        ));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| err(&staging, e))?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| err(&staging, e))?;
        let p = |name, make| Partitioned::new(name, &staging, make, &shard.tag());
        Ok(Sink {
            out: out.to_path_buf(),
            reports: p("reports", schema::reports)?,
            counts: p("disclosure_counts", schema::disclosure_counts)?,
            procurement: p("procurement", schema::procurement)?,
            litigation: p("litigation", schema::litigation)?,
            findings: p("findings", schema::findings)?,
            first: first::FirstPaths::create(&staging.join(".first-paths"))?,
            staging,
            shard,
            written: Written::default(),
            digest: Sha256::new(),
        })
    }

    /// Admits one report, in corpus order: the first path with given bytes
    /// is the original, a later one becomes a duplicate (its tables dropped,
    /// one `file.duplicate` finding), and the run's counts take it in. Its
    /// rows are then built (`rows::build`) and written (`write`).
    pub fn admit(&mut self, r: &mut ReportOut) -> Result<(), Error> {
        self.digest.update(r.source_path.as_bytes());
        self.digest.update([0]);
        self.digest.update(r.report_id.as_bytes());
        self.digest.update([b'\n']);
        if let Some(first) = self.first.first(&r.report_id, &r.source_path)? {
            r.status = Status::Duplicate;
            r.duplicate_of = Some(first.clone());
            r.tables.clear();
            r.findings = vec![crate::model::Finding::new(
                Severity::Info,
                "file.duplicate",
                format!(
                    "{}: the same bytes as {first}; its rows are not repeated",
                    r.source_path
                ),
            )];
        }
        *self.written.by_status.entry(r.status.as_str()).or_default() += 1;
        for f in &r.findings {
            // A code seen before costs no copy of it.
            match self.written.by_code.get_mut(&f.code) {
                Some(n) => *n += 1,
                None => {
                    self.written.by_code.insert(f.code.clone(), 1);
                }
            }
            let severity = match self.written.severity.get_mut(&f.code) {
                Some(s) => s,
                None => self
                    .written
                    .severity
                    .entry(f.code.clone())
                    .or_insert(f.severity.as_str()),
            };
            if crate::model::Severity::parse(severity).is_none_or(|s| f.severity < s) {
                *severity = f.severity.as_str();
            }
            if f.severity == Severity::Error {
                self.written.errors += 1;
            }
        }
        Ok(())
    }

    /// Lends the open row groups of the files that `batches` go to, with
    /// the batches, for the worker pool to encode (`Encode::run`); `take`
    /// gets them back. Chunk after chunk in corpus order, each taken back
    /// before the next is lent.
    pub fn lend(&mut self, batches: rows::Batches) -> Result<Encode, Error> {
        let mut jobs = Vec::new();
        for (set, batches) in batches.0.into_iter().enumerate() {
            for (year, batch) in batches {
                if let Some(job) = self.dataset(set)?.lend(year, batch)? {
                    jobs.push((set, job));
                }
            }
        }
        Ok(Encode {
            jobs,
            elapsed: std::time::Duration::ZERO,
        })
    }

    /// Takes back what `lend` lent, encoded, and appends the row groups it
    /// closed to the files.
    pub fn take(&mut self, encoded: Encode) -> Result<(), Error> {
        for (set, job) in encoded.jobs {
            self.dataset(set)?.take(job)?;
        }
        Ok(())
    }

    /// Writes the rows of admitted reports here and now: `lend`, `run`,
    /// `take`.
    pub fn write(&mut self, batches: rows::Batches) -> Result<(), Error> {
        let encode = self.lend(batches)?;
        self.take(encode.run())
    }

    /// The dataset of index `set` (`schema::DATASETS` order).
    fn dataset(&mut self, set: usize) -> Result<&mut Partitioned, Error> {
        Ok(match set {
            rows::REPORTS => &mut self.reports,
            rows::COUNTS => &mut self.counts,
            rows::PROCUREMENT => &mut self.procurement,
            rows::LITIGATION => &mut self.litigation,
            rows::FINDINGS => &mut self.findings,
            _ => return Err(format!("no dataset {set}")),
        })
    }

    /// Closes every file; the datasets stay in the staging folder until
    /// `Staged::publish`.
    pub fn close(self) -> Result<Staged, Error> {
        self.first.remove();
        let mut written = self.written;
        written.digest = crate::digest::hex(&self.digest.finalize());
        for d in [
            self.reports,
            self.counts,
            self.procurement,
            self.litigation,
            self.findings,
        ] {
            let name = d.name;
            let rows = d.close()?;
            written.rows.insert(name, rows);
        }
        Ok(Staged {
            staging: self.staging,
            out: self.out,
            shard: self.shard,
            written,
        })
    }

    /// Removes the staging folder: nothing is published.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// A chunk's batches lent with the encoders of their files (`Sink::lend`):
/// pure work, for the worker pool; it touches no file.
pub struct Encode {
    jobs: Vec<(usize, writer::Job)>,
    /// How long `run` took.
    pub elapsed: std::time::Duration,
}

impl Encode {
    /// Encodes and compresses every batch, each file's and each column's
    /// on its own task.
    pub fn run(mut self) -> Encode {
        let clock = std::time::Instant::now();
        let mut jobs: Vec<&mut writer::Job> = self.jobs.iter_mut().map(|(_, j)| j).collect();
        writer::Job::run_all(&mut jobs);
        self.elapsed = clock.elapsed();
        self
    }
}

/// A run's datasets, closed and waiting in the staging folder.
pub struct Staged {
    staging: PathBuf,
    out: PathBuf,
    shard: Shard,
    pub written: Written,
}

impl Staged {
    /// The staging folder, which holds one folder per dataset.
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// Moves the datasets into place, with `extra` datasets staged beside
    /// them (a whole run only), and gives what was written.
    pub fn publish(self, extra: &[&str]) -> Result<Written, Error> {
        if self.shard.n == 1 {
            for name in extra {
                let staged = self.staging.join(name);
                if staged.exists() {
                    crate::publish::swap_in(&staged, &self.out.join(name))?;
                }
            }
        }
        publish(&self.staging, &self.out, self.shard)?;
        Ok(self.written)
    }

    /// Removes the staging folder: nothing is published.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Moves the staged datasets into place. A whole run (no `--shard`)
/// swaps each dataset folder with its staged copy in one step, so a reader
/// sees either the whole old or the whole new dataset. A shard moves only
/// its own files (those tagged with its `part-K-of-N`), each by one rename,
/// then removes its own files of an earlier run that it did not write
/// again, never touching another shard's.
fn publish(staging: &Path, out: &Path, shard: Shard) -> Result<(), Error> {
    if shard.n == 1 {
        for name in schema::DATASETS {
            crate::publish::swap_in(&staging.join(name), &out.join(name))?;
        }
    } else {
        for name in schema::DATASETS {
            crate::publish::replace_tagged(&staging.join(name), &out.join(name), &shard.tag())?;
        }
    }
    std::fs::remove_dir_all(staging).map_err(|e| err(staging, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_paths_stably_and_name_their_files() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { k: 3, n: 8 }));
        for bad in ["8/8", "1", "a/2", "0/0", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let paths: Vec<String> = (0..1000)
            .map(|i| format!("r/{:03}/{i:07}.txt", i / 100))
            .collect();
        let shards: Vec<Shard> = (0..4).map(|k| Shard { k, n: 4 }).collect();
        for p in &paths {
            assert_eq!(shards.iter().filter(|s| s.takes(p)).count(), 1, "{p}");
        }
        let sizes: Vec<usize> = shards
            .iter()
            .map(|s| paths.iter().filter(|p| s.takes(p)).count())
            .collect();
        assert!(sizes.iter().all(|&n| (200..300).contains(&n)), "{sizes:?}");
        // The published FNV-1a test vectors: the split must never change.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
        assert_eq!(
            Shard { k: 2, n: 16 }.part_name(),
            "part-00002-of-00016.parquet"
        );
        assert_eq!(Shard { k: 2, n: 16 }.tag(), "part-00002-of-00016");
    }

    #[test]
    fn a_shard_clears_its_files_from_the_old_year_folders_only() {
        let d = tempfile::tempdir().unwrap();
        let mine = "part-00001-of-00002.parquet";
        let other = "part-00000-of-00002.parquet";
        for (dir, file) in [
            ("year=2020", mine),
            ("year=2020", other),
            ("year=__HIVE_DEFAULT_PARTITION__", mine),
        ] {
            std::fs::create_dir_all(d.path().join(dir)).unwrap();
            std::fs::write(d.path().join(dir).join(file), b"x").unwrap();
        }
        std::fs::write(d.path().join(format!("2020-{mine}")), b"x").unwrap();
        crate::publish::remove_hive_folders(d.path(), mine).unwrap();
        let mut left: Vec<String> = walkdir::WalkDir::new(d.path())
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                e.path()
                    .strip_prefix(d.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                format!("2020-{mine}"),
                "year=2020".to_string(),
                format!("year=2020/{other}"),
            ]
        );
    }
}
