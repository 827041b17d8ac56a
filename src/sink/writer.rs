//! The one Parquet writer of every dataset, the ingest's and the derive
//! stage's: rows in, one file per year (`layout`), batches of a fixed number
//! of rows, so the bytes depend on the rows and their order only.
//!
//! A file's open row group is a set of column writers (`Group`). The derive
//! stage encodes into them in place; the ingest lends them, with a chunk's
//! batches, to the worker pool (`Partitioned::lend`, `Job::run`), which
//! encodes and compresses every column on its own task and hands back the
//! groups and the encoded bytes of the row groups it closed; this thread only
//! appends those bytes to the files, in a fixed order (`Partitioned::take`).
//! A row group closes at `ROW_GROUP` rows, or after a batch once it holds
//! `ROW_GROUP_BYTES`: both depend on the rows only, so the bytes are the same
//! at any thread count. Jobs never touch a file.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory,
};
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;

use super::layout::{self, Holds, ROW_GROUP};
use super::schema::{Rows, V};

/// A row group is also closed once its writer holds this many bytes: the
/// one-row-per-report datasets (`reports`, `procurement`, `findings`) with
/// their long text columns would otherwise keep up to 64k reports' rows per
/// year partition in memory (heaptrack: the heap grew ~0.8 KiB per report up
/// to a 300k corpus). Byte counts of the same rows are the same, so the
/// output stays deterministic.
const ROW_GROUP_BYTES: usize = 4 * 1024 * 1024;
/// Rows buffered as Arrow arrays before they are handed to the Parquet
/// writer, which encodes and compresses them into the open row group: raw
/// rows cost far more memory than encoded pages, so this stays small.
const BATCH: usize = 8 * 1024;

/// Batches of fewer rows encode their columns on one task: a column of a
/// few hundred rows costs less than handing it to another thread.
const PARALLEL_ROWS: usize = 1024;

type Error = String;

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    format!("{}: {e}", path.display())
}

/// The open row group of a file: one column writer per leaf column, each
/// holding its encoded, compressed pages.
struct Group {
    columns: Vec<ArrowColumnWriter>,
    rows: usize,
}

impl Group {
    /// Encodes `batch` (at most the rows the group has room for) into the
    /// columns: each column on its own task when `parallel`.
    fn write(
        &mut self,
        schema: &SchemaRef,
        batch: &RecordBatch,
        parallel: bool,
    ) -> Result<(), String> {
        let fields = schema.fields();
        let e = |e: parquet::errors::ParquetError| e.to_string();
        let flat = fields.len() == self.columns.len() && batch.num_columns() == fields.len();
        if parallel && flat && batch.num_rows() >= PARALLEL_ROWS {
            // Flat schemas (every dataset's): one leaf per field.
            self.columns
                .par_iter_mut()
                .zip(fields.par_iter().zip(batch.columns().par_iter()))
                .try_for_each(|(w, (field, array))| {
                    for leaf in compute_leaves(field, array).map_err(e)? {
                        w.write(&leaf).map_err(e)?;
                    }
                    Ok::<(), String>(())
                })?;
        } else {
            let mut writers = self.columns.iter_mut();
            for (field, array) in fields.iter().zip(batch.columns()) {
                for leaf in compute_leaves(field, array).map_err(e)? {
                    let w = writers.next().ok_or("more leaves than column writers")?;
                    w.write(&leaf).map_err(e)?;
                }
            }
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    /// Bytes the group holds, encoded pages and buffered values.
    fn memory_size(&self) -> usize {
        self.columns.iter().map(|c| c.memory_size()).sum()
    }

    fn is_full(&self) -> bool {
        self.rows >= ROW_GROUP || self.memory_size() >= ROW_GROUP_BYTES
    }

    /// Closes every column: their encoded chunks, in column order.
    fn close(self, parallel: bool) -> Result<Vec<ArrowColumnChunk>, String> {
        let e = |e: parquet::errors::ParquetError| e.to_string();
        if parallel {
            self.columns
                .into_par_iter()
                .map(|c| c.close().map_err(e))
                .collect()
        } else {
            self.columns
                .into_iter()
                .map(|c| c.close().map_err(e))
                .collect()
        }
    }
}

/// What encodes a file's batches: its schema, the factory of its column
/// writers, its open row group and the row groups closed but not yet
/// appended.
struct Encoder {
    schema: SchemaRef,
    factory: ArrowRowGroupWriterFactory,
    group: Option<Group>,
    /// Row groups of the file so far, appended or in `closed`.
    groups: usize,
    closed: Vec<Vec<ArrowColumnChunk>>,
}

impl Encoder {
    /// Encodes `batch` into the open row group, splitting it where a group
    /// reaches `ROW_GROUP` rows and closing a group that is full.
    fn write(&mut self, batch: &RecordBatch, parallel: bool) -> Result<(), String> {
        let e = |e: parquet::errors::ParquetError| e.to_string();
        let mut rest = batch.clone();
        while rest.num_rows() > 0 {
            let group = match &mut self.group {
                Some(g) => g,
                slot => slot.insert(Group {
                    columns: self.factory.create_column_writers(self.groups).map_err(e)?,
                    rows: 0,
                }),
            };
            let take = ROW_GROUP
                .saturating_sub(group.rows)
                .clamp(1, rest.num_rows());
            let piece = rest.slice(0, take);
            rest = rest.slice(take, rest.num_rows() - take);
            group.write(&self.schema, &piece, parallel)?;
            if group.is_full() {
                self.close_group(parallel)?;
            }
        }
        Ok(())
    }

    /// Closes the open row group, if any, into `closed`.
    fn close_group(&mut self, parallel: bool) -> Result<(), String> {
        if let Some(g) = self.group.take() {
            self.closed.push(g.close(parallel)?);
            self.groups += 1;
        }
        Ok(())
    }
}

/// One year's open file and buffered rows.
struct Part {
    rows: Rows,
    file: SerializedFileWriter<File>,
    /// `None` while lent to a `Job`.
    encoder: Option<Encoder>,
    path: PathBuf,
}

impl Part {
    /// Appends the closed row groups to the file.
    fn append(&mut self) -> Result<(), Error> {
        let Some(enc) = &mut self.encoder else {
            return Err(err(&self.path, "row groups still being encoded"));
        };
        let e = |e: parquet::errors::ParquetError| err(&self.path, e);
        for chunks in enc.closed.drain(..) {
            let mut group = self.file.next_row_group().map_err(e)?;
            for c in chunks {
                c.append_to_row_group(&mut group).map_err(e)?;
            }
            group.close().map_err(e)?;
        }
        Ok(())
    }

    /// Encodes `batch` here, and appends the row groups it closes.
    fn write(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        let Some(enc) = &mut self.encoder else {
            return Err(err(&self.path, "row groups still being encoded"));
        };
        enc.write(batch, false).map_err(|e| err(&self.path, e))?;
        self.append()
    }

    /// Writes the rows still buffered and closes the file.
    fn close(mut self) -> Result<(), Error> {
        if !self.rows.is_empty() {
            let batch = self.rows.finish().map_err(|e| err(&self.path, e))?;
            self.write(&batch)?;
        }
        if let Some(enc) = &mut self.encoder {
            enc.close_group(false).map_err(|e| err(&self.path, e))?;
        }
        self.append()?;
        self.file.close().map_err(|e| err(&self.path, e))?;
        Ok(())
    }
}

/// A file's batch and its encoder, lent to the worker pool
/// (`Partitioned::lend`): encoding touches no file.
pub struct Job {
    year: Option<i32>,
    batch: RecordBatch,
    encoder: Encoder,
    result: Result<(), String>,
}

impl Job {
    /// Encodes the batch, every column on its own task.
    fn run(&mut self) {
        self.result = self.encoder.write(&self.batch, true);
    }

    /// Runs `jobs`, each on its own task.
    pub fn run_all(jobs: &mut [&mut Job]) {
        jobs.par_iter_mut().for_each(|j| j.run());
    }
}

/// A dataset: one Parquet file per year, side by side in its folder.
pub struct Partitioned {
    pub name: &'static str,
    dir: PathBuf,
    tag: String,
    make: fn() -> arrow_schema::Schema,
    parts: BTreeMap<Option<i32>, Part>,
    rows: u64,
    /// A year's file was closed early (`close_year`): the dataset has one.
    closed: bool,
    /// No zero-row file when there are no rows (files beside other
    /// writers' in one dataset).
    no_empty: bool,
}

impl Partitioned {
    pub fn new(
        name: &'static str,
        root: &Path,
        make: fn() -> arrow_schema::Schema,
        tag: &str,
    ) -> Result<Partitioned, Error> {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| err(&dir, e))?;
        Ok(Partitioned {
            name,
            dir,
            tag: tag.to_string(),
            make,
            parts: BTreeMap::new(),
            rows: 0,
            closed: false,
            no_empty: false,
        })
    }

    /// Opens the file of `holds`.
    fn open(&self, holds: Holds) -> Result<Part, Error> {
        self.open_as(holds, None)
    }

    /// Opens the file of `holds` for batches of `schema` (the dataset's
    /// schema, or one with dictionary columns: `rows::Labels`).
    fn open_as(&self, holds: Holds, schema: Option<&SchemaRef>) -> Result<Part, Error> {
        let path = self.dir.join(layout::file_name(holds, &self.tag));
        let rows = Rows::new((self.make)()).map_err(|e| err(&path, e))?;
        let schema = schema.unwrap_or(&rows.schema).clone();
        let (file, factory) = layout::create(&path, &schema)?
            .into_serialized_writer()
            .map_err(|e| err(&path, e))?;
        let encoder = Encoder {
            schema,
            factory,
            group: None,
            groups: 0,
            closed: Vec::new(),
        };
        Ok(Part {
            rows,
            file,
            encoder: Some(encoder),
            path,
        })
    }

    pub fn part(&mut self, year: Option<i32>) -> Result<&mut Rows, Error> {
        if !self.parts.contains_key(&year) {
            let part = self.open(Holds::Year(year))?;
            self.parts.insert(year, part);
        }
        self.rows += 1;
        match self.parts.get_mut(&year) {
            Some(p) => Ok(&mut p.rows),
            None => Err(err(&self.dir, "partition vanished")),
        }
    }

    /// Encodes every year's full batch (closing a row group every
    /// `ROW_GROUP` rows or `ROW_GROUP_BYTES`).
    pub fn flush_full(&mut self) -> Result<(), Error> {
        for p in self.parts.values_mut() {
            if p.rows.len() >= BATCH {
                let batch = p.rows.finish().map_err(|e| err(&p.path, e))?;
                p.write(&batch)?;
            }
        }
        Ok(())
    }

    /// Closes every file. A dataset with no rows still gets one zero-row
    /// file, so readers see its schema.
    pub fn close(mut self) -> Result<u64, Error> {
        if self.parts.is_empty() && !self.closed && !self.no_empty {
            self.open(Holds::Empty)?.close()?;
        }
        for (_, p) in std::mem::take(&mut self.parts) {
            p.close()?;
        }
        Ok(self.rows)
    }
}

impl Partitioned {
    /// Leaves a dataset without rows with no file of this writer.
    pub fn without_empty_file(mut self) -> Partitioned {
        self.no_empty = true;
        self
    }

    /// Appends one row to the file of `year`, handing a full batch to the
    /// writer at once: batches are `BATCH` rows whoever calls.
    pub fn push(&mut self, year: Option<i32>, values: &[V<'_>]) -> Result<(), Error> {
        self.part(year)?.push(values);
        self.flush_full()
    }

    /// Lends the encoder of the file of `year` (opened for the first
    /// batch's schema) with a batch of rows (a chunk's, `rows::build`) to a
    /// `Job`; `take` gets it back. The batches' sizes depend on the corpus
    /// only, so the bytes do too.
    pub fn lend(&mut self, year: Option<i32>, batch: RecordBatch) -> Result<Option<Job>, Error> {
        if batch.num_rows() == 0 {
            return Ok(None);
        }
        if !self.parts.contains_key(&year) {
            let part = self.open_as(Holds::Year(year), Some(batch.schema_ref()))?;
            self.parts.insert(year, part);
        }
        let Some(p) = self.parts.get_mut(&year) else {
            return Err(err(&self.dir, "partition vanished"));
        };
        if !p.rows.is_empty() {
            return Err(err(&p.path, "rows and batches written into one file"));
        }
        let Some(encoder) = p.encoder.take() else {
            return Err(err(&p.path, "row groups still being encoded"));
        };
        self.rows += batch.num_rows() as u64;
        Ok(Some(Job {
            year,
            batch,
            encoder,
            result: Ok(()),
        }))
    }

    /// Takes back the encoder of a `Job` that ran, and appends the row
    /// groups it closed to the file.
    pub fn take(&mut self, job: Job) -> Result<(), Error> {
        let Some(p) = self.parts.get_mut(&job.year) else {
            return Err(err(&self.dir, "partition vanished"));
        };
        job.result.map_err(|e| err(&p.path, e))?;
        p.encoder = Some(job.encoder);
        p.append()
    }

    /// Closes the file of `year`, if open: its rows are all written.
    pub fn close_year(&mut self, year: Option<i32>) -> Result<(), Error> {
        if let Some(p) = self.parts.remove(&year) {
            p.close()?;
            self.closed = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::schema;

    /// Findings-shaped batches: `n` rows from `from` on, with texts long
    /// enough that row groups close on `ROW_GROUP_BYTES` as well as on
    /// `ROW_GROUP` rows.
    fn batch(from: usize, n: usize) -> RecordBatch {
        let mut rows = Rows::new(schema::findings()).unwrap();
        for i in from..from + n {
            let id = format!("{:064x}", i / 7);
            let path = format!("r/{:03}/{:07}.txt", i % 13, i / 7);
            let message = format!(
                "{}: 表{} 行{} {}",
                path,
                i % 5,
                i % 31,
                "说明".repeat(i % 40)
            );
            rows.push(&[
                V::S(Some(&id)),
                V::S(Some(&path)),
                V::I32(Some(2020)),
                V::S(Some(["error", "warning", "info"][i % 3])),
                V::S(Some("check.sum")),
                V::S((i % 4 == 0).then_some("t1")),
                V::S(None),
                V::S(Some("total")),
                V::I32((i % 9 == 0).then_some(i as i32)),
                V::S(Some(&message)),
            ]);
        }
        rows.finish().unwrap()
    }

    #[test]
    fn the_pool_writes_the_bytes_of_the_arrow_writer() {
        let d = tempfile::tempdir().unwrap();
        // Sizes that cross 64k rows inside a batch and 4 MiB between them.
        let sizes = [9000, 30000, 40000, 1, 70000, 5000, 30000];
        let mut lent = Partitioned::new("findings", d.path(), schema::findings, "pool").unwrap();
        let mut from = 0;
        for n in sizes {
            let mut jobs = vec![lent.lend(Some(2020), batch(from, n)).unwrap().unwrap()];
            Job::run_all(&mut jobs.iter_mut().collect::<Vec<_>>());
            lent.take(jobs.pop().unwrap()).unwrap();
            from += n;
        }
        assert_eq!(lent.close().unwrap(), from as u64);
        // What the ArrowWriter writes with the same rule: a row group at 64k
        // rows, and after a batch once it holds 4 MiB.
        let path = d.path().join("reference.parquet");
        let schema = std::sync::Arc::new(schema::findings());
        let mut w = layout::create(&path, &schema).unwrap();
        let mut from = 0;
        for n in sizes {
            w.write(&batch(from, n)).unwrap();
            if w.memory_size() >= ROW_GROUP_BYTES {
                w.flush().unwrap();
            }
            from += n;
        }
        let meta = w.close().unwrap();
        assert!(meta.num_row_groups() >= 4, "{}", meta.num_row_groups());
        let ours = std::fs::read(d.path().join("findings/2020-pool.parquet")).unwrap();
        assert!(ours == std::fs::read(&path).unwrap(), "the files differ");
    }
}
