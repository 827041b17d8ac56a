//! The published datasets read back a batch at a time (arrow-rs), never a
//! whole file: which files a dataset has, their row counts from the footers,
//! and typed access to a batch's columns that names the file when a column
//! is missing or of another type.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int32Type, Int64Type};
use arrow_array::{Decimal128Array, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use crate::sink::layout::{self, Holds};

type Error = String;

/// Rows per batch read.
const BATCH: usize = 8 * 1024;

/// The datasets the derive stage reads its cells from.
pub const CELL_DATASETS: [&str; 3] = ["disclosure_counts", "litigation", "procurement"];

/// A dataset's files by (year, writer tag), sorted: the year files of each
/// shard, without the derive stage's own (`DERIVED`) and zero-row files.
pub type Files = BTreeMap<(Option<i32>, String), PathBuf>;

/// The files of the dataset folder `dir`.
pub fn files(dir: &Path) -> Result<Files, Error> {
    let mut out = Files::new();
    for (path, holds, tag) in layout::files(dir)? {
        if let Holds::Year(year) = holds {
            if tag != layout::DERIVED {
                out.insert((year, tag), path);
            }
        }
    }
    Ok(out)
}

/// The rows of a Parquet file, from its footer.
pub fn rows(path: &Path) -> Result<u64, Error> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let b = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(u64::try_from(b.metadata().file_metadata().num_rows()).unwrap_or(0))
}

/// Some columns of one file, a batch at a time.
pub struct Batches {
    reader: ParquetRecordBatchReader,
    pub path: PathBuf,
}

impl Batches {
    pub fn open(path: &Path, columns: &[&str]) -> Result<Batches, Error> {
        let e = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        let file = File::open(path).map_err(|x| e(&x))?;
        let b = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|x| e(&x))?;
        let mask = ProjectionMask::columns(b.parquet_schema(), columns.iter().copied());
        let reader = b
            .with_projection(mask)
            .with_batch_size(BATCH)
            .build()
            .map_err(|x| e(&x))?;
        Ok(Batches {
            reader,
            path: path.to_path_buf(),
        })
    }

    /// The next batch, `None` at the end.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>, Error> {
        match self.reader.next() {
            None => Ok(None),
            Some(Ok(b)) => Ok(Some(b)),
            Some(Err(e)) => Err(format!("{}: {e}", self.path.display())),
        }
    }
}

fn missing(path: &Path, name: &str, ty: &str) -> Error {
    format!(
        "{}: no {ty} column {name:?}: not a dataset this xxgk wrote",
        path.display()
    )
}

pub fn strings<'a>(b: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a StringArray, Error> {
    b.column_by_name(name)
        .and_then(|c| c.as_string_opt::<i32>())
        .ok_or_else(|| missing(path, name, "string"))
}

pub fn int32s<'a>(b: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a Int32Array, Error> {
    b.column_by_name(name)
        .and_then(|c| c.as_primitive_opt::<Int32Type>())
        .ok_or_else(|| missing(path, name, "int32"))
}

pub fn int64s<'a>(b: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a Int64Array, Error> {
    b.column_by_name(name)
        .and_then(|c| c.as_primitive_opt::<Int64Type>())
        .ok_or_else(|| missing(path, name, "int64"))
}

/// A decimal column and its scale.
pub fn decimals<'a>(
    b: &'a RecordBatch,
    name: &str,
    path: &Path,
) -> Result<(&'a Decimal128Array, i8), Error> {
    let a = b
        .column_by_name(name)
        .and_then(|c| c.as_primitive_opt::<Decimal128Type>())
        .ok_or_else(|| missing(path, name, "decimal"))?;
    Ok((a, a.scale()))
}
