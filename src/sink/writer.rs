//! The one Parquet writer of every dataset, the ingest's and the derive
//! stage's: rows in, one file per year (`layout`), batches of a fixed number
//! of rows, so the bytes depend on the rows and their order only.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;

use super::layout::{self, Holds};
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

type Error = String;

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    format!("{}: {e}", path.display())
}

/// One year's open file and buffered rows.
struct Part {
    rows: Rows,
    writer: ArrowWriter<File>,
    path: PathBuf,
}

impl Part {
    /// Writes the rows still buffered and closes the file.
    fn close(mut self) -> Result<(), Error> {
        if !self.rows.is_empty() {
            let batch = self.rows.finish().map_err(|e| err(&self.path, e))?;
            self.writer.write(&batch).map_err(|e| err(&self.path, e))?;
        }
        self.writer.close().map_err(|e| err(&self.path, e))?;
        Ok(())
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
        let writer = layout::create(&path, schema.unwrap_or(&rows.schema))?;
        Ok(Part { rows, writer, path })
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

    /// Hands every year's full batch to its writer (which closes a row
    /// group every `ROW_GROUP` rows by itself), and closes a row group that
    /// holds `ROW_GROUP_BYTES`.
    pub fn flush_full(&mut self) -> Result<(), Error> {
        for p in self.parts.values_mut() {
            if p.rows.len() >= BATCH {
                let batch = p.rows.finish().map_err(|e| err(&p.path, e))?;
                p.writer.write(&batch).map_err(|e| err(&p.path, e))?;
                if p.writer.memory_size() >= ROW_GROUP_BYTES {
                    p.writer.flush().map_err(|e| err(&p.path, e))?;
                }
            }
        }
        Ok(())
    }

    /// Closes every file. A dataset with no rows still gets one zero-row
    /// file, so readers see its schema.
    pub fn close(mut self) -> Result<u64, Error> {
        if self.parts.is_empty() && !self.closed && !self.no_empty {
            let empty = self.open(Holds::Empty)?;
            empty.writer.close().map_err(|e| err(&empty.path, e))?;
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

    /// Writes a batch of rows (a chunk's, `rows::build`) into the file of
    /// `year`, opened for the first batch's schema, and closes the row group once
    /// it holds `ROW_GROUP_BYTES`. The batches' sizes depend on the corpus
    /// only, so the bytes do too.
    pub fn write_batch(&mut self, year: Option<i32>, batch: &RecordBatch) -> Result<(), Error> {
        if batch.num_rows() == 0 {
            return Ok(());
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
        p.writer.write(batch).map_err(|e| err(&p.path, e))?;
        if p.writer.memory_size() >= ROW_GROUP_BYTES {
            p.writer.flush().map_err(|e| err(&p.path, e))?;
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
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
