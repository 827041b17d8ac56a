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
//! at any thread count. Jobs never touch a file. The dictionary columns of
//! the cell datasets (`rows::KEYED`) are encoded by `dict` from their keys,
//! into the bytes Parquet's own column writer writes.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use bytes::Bytes;
use parquet::arrow::arrow_writer::{
    compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory,
};
use parquet::basic::Compression;
use parquet::column::writer::ColumnCloseResult;
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;

use super::dict::{self, Spec, Table};
use super::layout::{self, Holds, ROW_GROUP};
use super::rows::{KEYED, PER_BATCH};
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
    columns: Vec<Column>,
    rows: usize,
}

/// A column's writer: Parquet's, or for a column of a table of strings,
/// `dict`'s, which writes the same bytes from the keys. For a column whose
/// table changes from batch to batch, `dict`'s keeps Parquet's writer as a
/// spare and the batches written so far: should `dict` refuse a batch, they
/// go to the spare, which writes the chunk on from there as if it had from
/// the start. (An idle Parquet column writer holds a ZSTD decompression
/// context; the other columns drop theirs.)
enum Column {
    Arrow(Box<ArrowColumnWriter>),
    Own {
        own: Box<dict::Column>,
        spare: Option<Box<ArrowColumnWriter>>,
        written: Option<Vec<ArrayRef>>,
    },
}

/// `array`, a dictionary column `dict` took, with keys of its own: a
/// batch's piece would otherwise keep the whole batch's keys while the row
/// group is open.
fn own_keys(array: &ArrayRef) -> Result<ArrayRef, String> {
    let d = array
        .as_any()
        .downcast_ref::<DictionaryArray<Int32Type>>()
        .ok_or("not a dictionary column")?;
    let keys = arrow_array::Int32Array::new(
        d.keys().values().to_vec().into(),
        arrow_array::Array::nulls(d.keys()).cloned(),
    );
    let d = DictionaryArray::<Int32Type>::try_new(keys, d.values().clone())
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(d))
}

/// Writes `array` into Parquet's writer `w`.
fn write_arrow(
    w: &mut ArrowColumnWriter,
    field: &arrow_schema::Field,
    array: &ArrayRef,
) -> Result<(), String> {
    let e = |e: parquet::errors::ParquetError| e.to_string();
    for leaf in compute_leaves(field, array).map_err(e)? {
        w.write(&leaf).map_err(e)?;
    }
    Ok(())
}

impl Column {
    fn write(&mut self, field: &arrow_schema::Field, array: &ArrayRef) -> Result<(), String> {
        let (spare, written) = match self {
            Column::Arrow(w) => return write_arrow(w, field, array),
            Column::Own {
                own,
                spare,
                written,
            } => {
                if own.write(array)? {
                    if let Some(w) = written {
                        w.push(own_keys(array)?);
                    }
                    return Ok(());
                }
                (spare.take(), written.take())
            }
        };
        let (Some(mut w), Some(written)) = (spare, written) else {
            return Err("a column's table of strings changed inside a row group".into());
        };
        for a in written.iter().chain([array]) {
            write_arrow(&mut w, field, a)?;
        }
        *self = Column::Arrow(w);
        Ok(())
    }

    fn memory_size(&self) -> usize {
        match self {
            Column::Arrow(w) => w.memory_size(),
            Column::Own { own, .. } => own.memory_size(),
        }
    }

    fn close(self) -> Result<Chunk, String> {
        match self {
            Column::Arrow(w) => Ok(Chunk::Arrow(Box::new(
                w.close().map_err(|e| e.to_string())?,
            ))),
            Column::Own { own, .. } => {
                let (bytes, close) = own.close()?;
                Ok(Chunk::Own(bytes, Box::new(close)))
            }
        }
    }
}

/// A closed column chunk, waiting to be appended to its file.
enum Chunk {
    Arrow(Box<ArrowColumnChunk>),
    Own(Bytes, Box<ColumnCloseResult>),
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
        // Flat schemas (every dataset's): one leaf per field.
        if fields.len() != self.columns.len() || batch.num_columns() != fields.len() {
            return Err("a nested schema".into());
        }
        if parallel && batch.num_rows() >= PARALLEL_ROWS {
            self.columns
                .par_iter_mut()
                .zip(fields.par_iter().zip(batch.columns().par_iter()))
                .try_for_each(|(w, (field, array))| w.write(field, array))?;
        } else {
            for (w, (field, array)) in self
                .columns
                .iter_mut()
                .zip(fields.iter().zip(batch.columns()))
            {
                w.write(field, array)?;
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
    fn close(self, parallel: bool) -> Result<Vec<Chunk>, String> {
        if parallel {
            self.columns.into_par_iter().map(Column::close).collect()
        } else {
            self.columns.into_iter().map(Column::close).collect()
        }
    }
}

/// What encodes a file's batches: its schema, the factory of its column
/// writers, its open row group and the row groups closed but not yet
/// appended.
struct Encoder {
    schema: SchemaRef,
    factory: ArrowRowGroupWriterFactory,
    /// The factory of the row groups' writers when `dict` writes columns
    /// of a run's table (`light`).
    light: Option<ArrowRowGroupWriterFactory>,
    group: Option<Group>,
    /// Row groups of the file so far, appended or in `closed`.
    groups: usize,
    closed: Vec<Vec<Chunk>>,
    /// Per column, how `dict` writes it, for the dictionary columns
    /// (`rows::KEYED`) that it writes as Parquet would, and whether their
    /// table changes from batch to batch; and the table the last row group
    /// started with.
    specs: Vec<Option<(Spec, bool)>>,
    tables: Vec<Option<Arc<Table>>>,
}

impl Encoder {
    /// Encodes `batch` into the open row group, splitting it where a group
    /// reaches `ROW_GROUP` rows and closing a group that is full.
    fn write(&mut self, batch: &RecordBatch, parallel: bool) -> Result<(), String> {
        let e = |e: parquet::errors::ParquetError| e.to_string();
        let mut rest = batch.clone();
        while rest.num_rows() > 0 {
            if self.group.is_none() {
                let factory = self.light.as_ref().unwrap_or(&self.factory);
                let writers = factory.create_column_writers(self.groups).map_err(e)?;
                let columns = writers
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| self.column(i, w, &rest))
                    .collect::<Result<_, _>>()?;
                self.group = Some(Group { columns, rows: 0 });
            }
            let Some(group) = &mut self.group else {
                return Err("no open row group".into());
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

    /// The writer of column `i` in a new row group, whose first rows are
    /// `batch`'s: `dict`'s when the column indexes a table it can write,
    /// else Parquet's `w` (or, when `w` is a `light` writer that would not
    /// compress, one of the file's own).
    fn column(
        &mut self,
        i: usize,
        w: ArrowColumnWriter,
        batch: &RecordBatch,
    ) -> Result<Column, String> {
        let Some((spec, per_batch)) = self.specs.get(i).and_then(Option::as_ref) else {
            return Ok(Column::Arrow(Box::new(w)));
        };
        let arrow = |enc: &Self, w: ArrowColumnWriter| -> Result<Column, String> {
            if enc.light.is_none() || *per_batch {
                return Ok(Column::Arrow(Box::new(w)));
            }
            let e = |e: parquet::errors::ParquetError| e.to_string();
            let mut all = enc.factory.create_column_writers(enc.groups).map_err(e)?;
            if i >= all.len() {
                return Err("a column without a writer".into());
            }
            Ok(Column::Arrow(Box::new(all.swap_remove(i))))
        };
        let Some(values) = batch
            .columns()
            .get(i)
            .and_then(|a| a.as_any().downcast_ref::<DictionaryArray<Int32Type>>())
            .map(|d| d.values())
        else {
            return arrow(self, w);
        };
        let table = match self.tables.get(i).and_then(Option::as_ref) {
            Some(t) if t.is(values) => Some(t.clone()),
            _ => Table::new(values).map(Arc::new),
        };
        match table {
            Some(t) if t.fits(spec, 0) => {
                if let Some(slot) = self.tables.get_mut(i) {
                    *slot = Some(t.clone());
                }
                Ok(Column::Own {
                    own: Box::new(dict::Column::new(spec.clone(), t)),
                    spare: per_batch.then(|| Box::new(w)),
                    written: per_batch.then(Vec::new),
                })
            }
            _ => arrow(self, w),
        }
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

/// A factory of the same column writers as `file`'s, except that those of
/// the columns `dict` writes from a run's table (`specs`, not per batch)
/// compress nothing: such a writer is dropped unused, and a ZSTD codec,
/// which every writer of the file makes (a compression and a decompression
/// context), costs more than a small column's pages. `None` when no column
/// is such.
fn light(
    file: &SerializedFileWriter<File>,
    schema: &SchemaRef,
    specs: &[Option<(Spec, bool)>],
) -> Result<Option<ArrowRowGroupWriterFactory>, String> {
    let leaves = file.schema_descr().columns();
    let mut props = file.properties().as_ref().clone().into_builder();
    let mut any = false;
    for (leaf, spec) in leaves.iter().zip(specs) {
        if let Some((_, false)) = spec {
            props = props.set_column_compression(leaf.path().clone(), Compression::UNCOMPRESSED);
            any = true;
        }
    }
    if !any {
        return Ok(None);
    }
    let e = |e: parquet::errors::ParquetError| e.to_string();
    let root = file.schema_descr().root_schema_ptr();
    let dummy =
        SerializedFileWriter::new(std::io::sink(), root, Arc::new(props.build())).map_err(e)?;
    Ok(Some(ArrowRowGroupWriterFactory::new(
        &dummy,
        schema.clone(),
    )))
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
                match c {
                    Chunk::Arrow(c) => c.append_to_row_group(&mut group).map_err(e)?,
                    Chunk::Own(bytes, close) => group.append_column(&bytes, *close).map_err(e)?,
                }
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
        let leaves = file.schema_descr().columns();
        let specs: Vec<Option<(Spec, bool)>> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let keyed = f.metadata().get(KEYED)?;
                let strings = matches!(f.data_type(), DataType::Dictionary(k, v)
                        if **k == DataType::Int32 && **v == DataType::Utf8);
                let leaf = leaves
                    .get(i)
                    .filter(|_| strings && leaves.len() == schema.fields().len())?;
                let spec = Spec::new(leaf.clone(), file.properties())?;
                Some((spec, keyed.as_str() == PER_BATCH))
            })
            .collect();
        let light = light(&file, &schema, &specs).map_err(|e| err(&path, e))?;
        let encoder = Encoder {
            light,
            schema,
            factory,
            group: None,
            groups: 0,
            closed: Vec::new(),
            tables: vec![None; specs.len()],
            specs,
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

#[cfg(test)]
mod dict_tests {
    use super::*;
    use crate::sink::rows::dictionary_schema;
    use arrow_array::{Int32Array, StringArray};
    use arrow_schema::{Field, Schema};

    /// A run's table of strings: ASCII keys and Chinese labels of many
    /// lengths, some strings twice (as a key shared by two tables is).
    fn table(n: usize, label: bool) -> ArrayRef {
        let s = (0..n).map(|i| {
            let i = if i % 97 == 5 { i - 5 } else { i };
            if label {
                format!("{}第{i}项", "申请".repeat(i % 23))
            } else {
                format!("k{:x}", i * 7919 % 100_003)
            }
        });
        Arc::new(StringArray::from_iter_values(s))
    }

    /// The dictionary columns: the first two and the last with one table
    /// per batch.
    const NAMES: [&str; 7] = [
        "report_id",
        "source",
        "template",
        "table_key",
        "table_label",
        "row_key",
        "org",
    ];

    fn schema(marked: bool) -> Schema {
        let plain = Schema::new(vec![
            Field::new("report_id", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
            Field::new("year", DataType::Int32, true),
            Field::new("template", DataType::Utf8, false),
            Field::new("table_key", DataType::Utf8, false),
            Field::new("table_label", DataType::Utf8, false),
            Field::new("row_key", DataType::Utf8, false),
            Field::new("raw", DataType::Utf8, true),
            Field::new("org", DataType::Utf8, true),
        ]);
        let s = dictionary_schema(plain, &NAMES, &[NAMES[0], NAMES[1], NAMES[6]]);
        if marked {
            return s;
        }
        let fields: Vec<Field> = s
            .fields()
            .iter()
            .map(|f| {
                f.as_ref()
                    .clone()
                    .with_metadata(std::collections::HashMap::<String, String>::new())
            })
            .collect();
        Schema::new(fields)
    }

    struct Tables {
        template: ArrayRef,
        table_key: ArrayRef,
        table_label: ArrayRef,
        row_key: ArrayRef,
    }

    fn tables() -> Tables {
        Tables {
            template: Arc::new(StringArray::from_iter_values(["gb2019", "gb2021", "none"])),
            table_key: table(40, false),
            table_label: table(40, true),
            row_key: table(900, false),
        }
    }

    /// Cell-shaped rows `from..from + n`: report runs of ~180 rows, keys
    /// in runs, in strides and scattered, a raw text now and then long.
    fn batch(schema: &SchemaRef, t: &Tables, from: usize, n: usize) -> RecordBatch {
        let rows = from..from + n;
        let dict = |keys: Vec<i32>, values: &ArrayRef| -> ArrayRef {
            Arc::new(
                DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), values.clone())
                    .unwrap(),
            )
        };
        let reports: Vec<String> = rows.clone().map(|i| format!("{:064x}", i / 181)).collect();
        let first = from / 181;
        let report_ids: ArrayRef = Arc::new(StringArray::from_iter_values(
            (first..=(from + n) / 181).map(|r| format!("{r:064x}")),
        ));
        let report_keys = reports
            .iter()
            .enumerate()
            .map(|(i, _)| ((from + i) / 181 - first) as i32)
            .collect();
        let scatter = |i: usize, m: usize| (i.wrapping_mul(2654435761) >> 7) % m;
        // One value per 181 rows, but one per row from 30k to 100k rows:
        // a dictionary that outgrows its page.
        let source = |i: usize| {
            if (30_000..100_000).contains(&i) {
                format!("{:064x}", scatter(i, usize::MAX >> 1))
            } else {
                format!("r/{}.txt", i / 181)
            }
        };
        let sources: ArrayRef = Arc::new(StringArray::from_iter_values(rows.clone().map(source)));
        // A report's body, or none (a null key, its table entry empty, as
        // `rows::Cells` writes them): every fifth report, and every report
        // from 40k to 75k rows, pages of nulls only; but every report from
        // 100k to 140k rows has one.
        let unnamed = |r: usize| {
            (r % 5 == 2 && !(100_000 / 181..140_000 / 181).contains(&r))
                || (40_000 / 181..75_000 / 181).contains(&r)
        };
        let orgs: ArrayRef = Arc::new(StringArray::from_iter_values(
            (first..=(from + n) / 181).map(|r| {
                if unnamed(r) {
                    String::new()
                } else {
                    format!("{}局{}", "某市".repeat(r % 3), r % 17)
                }
            }),
        ));
        // Keys without a null buffer when none is null, as a builder
        // gives them.
        let org_keys = rows
            .clone()
            .map(|i| (!unnamed(i / 181)).then_some((i / 181 - first) as i32));
        let org_keys = match org_keys.clone().all(|k| k.is_some()) {
            true => Int32Array::from_iter_values(org_keys.flatten()),
            false => Int32Array::from_iter(org_keys),
        };
        let columns: Vec<ArrayRef> = vec![
            dict(report_keys, &report_ids),
            dict((0..n as i32).collect(), &sources),
            Arc::new(Int32Array::from_iter(rows.clone().map(|i| (i % 11 != 3).then_some(2020)))),
            dict(rows.clone().map(|i| (i / 5000 % 3) as i32).collect(), &t.template),
            dict(rows.clone().map(|i| (i / 23 % 40) as i32).collect(), &t.table_key),
            dict(
                rows.clone()
                    .map(|i| if i / 9000 % 2 == 0 { i / 23 % 40 } else { scatter(i, 40) } as i32)
                    .collect(),
                &t.table_label,
            ),
            dict(
                rows.clone()
                    .map(|i| match i / 7000 % 3 {
                        0 => i % 900,
                        1 => scatter(i, 900),
                        _ => i / 13 % 900,
                    } as i32)
                    .collect(),
                &t.row_key,
            ),
            Arc::new(StringArray::from_iter(rows.map(|i| {
                let noise: String = (0..8).map(|k| format!("{:016x}", scatter(i * 8 + k, usize::MAX >> 1))).collect();
                (i % 7 != 0).then(|| format!("{noise}{}", "说".repeat(i % 61)))
            }))),
            Arc::new(DictionaryArray::<Int32Type>::try_new(org_keys, orgs).unwrap()),
        ];
        RecordBatch::try_new(schema.clone(), columns).unwrap()
    }

    /// Sizes that cross mini-batches, pages, 64k-row and 4 MiB row groups
    /// at odd rows.
    const SIZES: [usize; 9] = [9000, 30000, 40000, 1, 70000, 5000, 30000, 1500, 20480];

    #[test]
    fn run_table_columns_write_the_bytes_of_the_arrow_writer() {
        let groups = pool_writes_the_bytes_of_the_arrow_writer(0, &SIZES);
        assert!(
            groups.len() >= 4 && groups.iter().any(|&n| n < 60_000),
            "{groups:?}"
        );
    }

    #[test]
    fn an_optional_column_of_nulls_only_writes_the_bytes_of_the_arrow_writer() {
        // Rows of unnamed reports only: an empty dictionary.
        let groups = pool_writes_the_bytes_of_the_arrow_writer(41_000, &[1000, 20000, 5]);
        assert_eq!(groups, [21005]);
    }

    #[test]
    fn an_optional_column_without_nulls_writes_the_bytes_of_the_arrow_writer() {
        // Rows of named reports only, their keys without a null buffer.
        let groups = pool_writes_the_bytes_of_the_arrow_writer(100_500, &[30000, 9000, 1]);
        assert_eq!(groups.iter().sum::<i64>(), 39001);
    }

    /// Writes batches of `sizes` rows from row `from` on through the pool
    /// and through the ArrowWriter, requires the same bytes, and gives the
    /// rows of each row group.
    fn pool_writes_the_bytes_of_the_arrow_writer(start: usize, sizes: &[usize]) -> Vec<i64> {
        let d = tempfile::tempdir().unwrap();
        let t = tables();
        let marked: SchemaRef = Arc::new(schema(true));
        let mut lent = Partitioned::new("cells", d.path(), || schema(false), "pool").unwrap();
        let mut from = start;
        for &n in sizes {
            let mut jobs = vec![lent
                .lend(Some(2020), batch(&marked, &t, from, n))
                .unwrap()
                .unwrap()];
            Job::run_all(&mut jobs.iter_mut().collect::<Vec<_>>());
            lent.take(jobs.pop().unwrap()).unwrap();
            from += n;
        }
        // `dict` wrote the dictionary columns.
        let p = lent.parts.get(&Some(2020)).unwrap();
        let enc = p.encoder.as_ref().unwrap();
        assert_eq!(enc.specs.iter().filter(|s| s.is_some()).count(), 7);
        assert_eq!(enc.tables.iter().filter(|s| s.is_some()).count(), 7);
        // The optional column too, to the last row group.
        let open = enc.group.as_ref().unwrap();
        assert!(matches!(open.columns[8], Column::Own { .. }));
        assert_eq!(lent.close().unwrap(), (from - start) as u64);
        let path = d.path().join("reference.parquet");
        let plain: SchemaRef = Arc::new(schema(false));
        let mut w = layout::create(&path, &plain).unwrap();
        let mut from = start;
        for &n in sizes {
            let b = batch(&plain, &t, from, n);
            let mut rest = b.clone();
            // The pool's rule: a row group at 64k rows, and after a batch
            // (or the piece of it that filled the last group) once it
            // holds 4 MiB.
            while rest.num_rows() > 0 {
                let room = ROW_GROUP - w.in_progress_rows();
                let take = room.min(rest.num_rows());
                w.write(&rest.slice(0, take)).unwrap();
                rest = rest.slice(take, rest.num_rows() - take);
                if w.in_progress_rows() > 0 && w.memory_size() >= ROW_GROUP_BYTES {
                    w.flush().unwrap();
                }
            }
            from += n;
        }
        let meta = w.close().unwrap();
        let ours = std::fs::read(d.path().join("cells/2020-pool.parquet")).unwrap();
        assert!(ours == std::fs::read(&path).unwrap(), "the files differ");
        meta.row_groups().iter().map(|g| g.num_rows()).collect()
    }

    #[test]
    fn a_run_table_column_reports_the_memory_of_the_arrow_writer() {
        let d = tempfile::tempdir().unwrap();
        let t = tables();
        let marked: SchemaRef = Arc::new(schema(true));
        let (file, factory) = layout::create(&d.path().join("m.parquet"), &marked)
            .unwrap()
            .into_serialized_writer()
            .unwrap();
        let mut arrow = factory.create_column_writers(0).unwrap();
        let mut from = 0;
        let mut own: Vec<(usize, dict::Column)> = Vec::new();
        for n in [1, 7, 1023, 1025, 3000, 19999, 2, 40000] {
            let b = batch(&marked, &t, from, n);
            if own.is_empty() {
                for i in [3, 4, 5, 6, 8] {
                    let spec = Spec::new(file.schema_descr().column(i), file.properties()).unwrap();
                    let values = b
                        .column(i)
                        .as_any()
                        .downcast_ref::<DictionaryArray<Int32Type>>()
                        .unwrap()
                        .values();
                    own.push((
                        i,
                        dict::Column::new(spec, Arc::new(Table::new(values).unwrap())),
                    ));
                }
            }
            for (i, c) in &mut own {
                assert!(c.write(b.column(*i)).unwrap());
                let a = &mut arrow[*i];
                for leaf in compute_leaves(marked.field(*i), b.column(*i)).unwrap() {
                    a.write(&leaf).unwrap();
                }
                assert_eq!(
                    c.memory_size(),
                    a.memory_size(),
                    "column {i} after {} rows",
                    from + n
                );
            }
            from += n;
        }
    }
}
