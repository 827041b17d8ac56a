//! The file layout and writer settings every dataset shares, the derived
//! ones included: one flat folder per dataset, one file per year and writer.
//!
//! A file is named `{year}-{tag}.parquet`: the year (`unknown` when null,
//! `empty` for a zero-row file that only carries the schema) and the writer's
//! tag (`part-00002-of-00016` for a shard, `derived` for the derive stage's
//! findings). No Hive `year=` folders and no `=` in a name: pandas, pyarrow,
//! polars, DuckDB and Spark then all read `year` from the files, as int32,
//! and since a file holds one year its statistics let each of them skip it
//! on a filter (datasets.md). Every file is written with the same
//! properties: ZSTD, plain Utf8 strings, row groups of at most 64k rows,
//! statistics on `year` and the key columns only, and
//! pandas metadata naming nullable dtypes. This module decides names and
//! settings; it never decides what a value is.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_schema::{DataType, Schema};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

/// Rows per row group.
pub const ROW_GROUP: usize = 64 * 1024;
/// The name prefix of rows whose year is unknown (null).
pub const UNKNOWN: &str = "unknown";
/// The name prefix of a zero-row file: a writer that had no rows for a
/// dataset still leaves its schema.
pub const EMPTY: &str = "empty";
/// The tag of the derive stage's findings files in `findings/`.
pub const DERIVED: &str = "derived";

/// What a file of a dataset holds, read from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holds {
    /// The rows of one year; `None` for the unknown year.
    Year(Option<i32>),
    /// No rows.
    Empty,
}

/// The file name of `holds` written by the writer `tag`.
pub fn file_name(holds: Holds, tag: &str) -> String {
    match holds {
        Holds::Year(Some(y)) => format!("{y}-{tag}.parquet"),
        Holds::Year(None) => format!("{UNKNOWN}-{tag}.parquet"),
        Holds::Empty => format!("{EMPTY}-{tag}.parquet"),
    }
}

/// Splits a file name made by `file_name` into what it holds and its tag;
/// `None` for any other name.
pub fn parse(name: &str) -> Option<(Holds, &str)> {
    let stem = name.strip_suffix(".parquet")?;
    // A year may be negative: the prefix ends at the first '-' after its
    // first character.
    let cut = stem.get(1..)?.find('-')? + 1;
    let (prefix, tag) = (&stem[..cut], &stem[cut + 1..]);
    if tag.is_empty() {
        return None;
    }
    let holds = match prefix {
        UNKNOWN => Holds::Year(None),
        EMPTY => Holds::Empty,
        y => Holds::Year(Some(y.parse().ok()?)),
    };
    Some((holds, tag))
}

/// The Parquet files of a dataset folder, by name: every file that
/// `parse` accepts, sorted.
pub fn files(dir: &Path) -> Result<Vec<(PathBuf, Holds, String)>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    let mut out = Vec::new();
    for e in entries {
        let e = e.map_err(|e| format!("{}: {e}", dir.display()))?;
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((holds, tag)) = parse(name) {
            if e.file_type().is_ok_and(|t| t.is_file()) {
                out.push((e.path(), holds, tag.to_string()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// pandas' own metadata (the `pandas` key pandas and pyarrow write), naming
/// for each column the dtype pandas should build: nullable `Int32`/`Int64`/
/// `boolean` instead of float64 for integer columns with nulls, so that the
/// default `pd.read_parquet(dir)` keeps `year` an integer. Decimals stay
/// Python `Decimal` objects there (`dtype_backend="pyarrow"` keeps them
/// decimal128); other readers ignore the key.
pub fn pandas_metadata(schema: &Schema) -> String {
    let columns: Vec<serde_json::Value> = schema
        .fields()
        .iter()
        .map(|f| {
            let (pandas_type, numpy_type) = match f.data_type() {
                DataType::Int32 => ("int32", "Int32"),
                DataType::Int64 => ("int64", "Int64"),
                DataType::Float64 => ("float64", "float64"),
                DataType::Boolean => ("bool", "boolean"),
                DataType::Decimal128(_, _) => ("decimal", "object"),
                _ => ("unicode", "object"),
            };
            serde_json::json!({
                "name": f.name(),
                "field_name": f.name(),
                "pandas_type": pandas_type,
                "numpy_type": numpy_type,
                "metadata": null,
            })
        })
        .collect();
    serde_json::json!({
        "index_columns": [],
        "column_indexes": [],
        "columns": columns,
        "creator": {"library": "xxgk", "version": env!("CARGO_PKG_VERSION")},
        // The metadata format's version, which readers interpret.
        "pandas_version": "2.0.0",
    })
    .to_string()
}

/// Does a reader's filter use the statistics of this column? `year`
/// (datasets.md: a filter on it skips the other years' files and row
/// groups) and the keys (`table_key`, `row_key`, … : low cardinality, in
/// runs within a report). The others (ids, names, labels, raw text,
/// messages, values) get none: their min and max cost a comparison per row
/// on the one writer thread and rule nothing out.
pub fn has_statistics(column: &str) -> bool {
    column == "year" || column.ends_with("_key")
}

/// The one writer configuration of every Parquet file xxgk writes: ZSTD
/// level 1, 64k-row groups, statistics on the columns filters use
/// (`has_statistics`), and the pandas metadata as a file key.
pub fn properties(schema: &Schema) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_statistics_enabled(EnabledStatistics::None)
        .set_key_value_metadata(Some(vec![KeyValue::new(
            PANDAS.to_string(),
            pandas_metadata(schema),
        )]));
    for f in schema.fields() {
        if has_statistics(f.name()) {
            b = b.set_column_statistics_enabled(
                ColumnPath::from(f.name().as_str()),
                EnabledStatistics::Page,
            );
        }
    }
    b.build()
}

const PANDAS: &str = "pandas";

/// Creates the Parquet file `path` for batches of `schema`, with
/// `properties`. The pandas metadata also goes into the Arrow schema stored
/// in the file, which is where pyarrow looks for it. A schema with
/// dictionary columns (the cell datasets' batches, `rows::Labels`) is not
/// stored: readers would build categoricals from it, and without it they
/// read the plain strings the Parquet columns hold (and pyarrow the pandas
/// metadata from the file's key).
pub fn create(path: &Path, schema: &arrow_schema::SchemaRef) -> Result<ArrowWriter<File>, String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = File::create(path).map_err(|e| err(&e))?;
    let mut metadata = schema.metadata().clone();
    metadata.insert(PANDAS.to_string(), pandas_metadata(schema));
    let stored = std::sync::Arc::new(schema.as_ref().clone().with_metadata(metadata));
    let dictionaries = schema
        .fields()
        .iter()
        .any(|f| matches!(f.data_type(), DataType::Dictionary(_, _)));
    let options = ArrowWriterOptions::new()
        .with_properties(properties(schema))
        .with_skip_arrow_metadata(dictionaries);
    ArrowWriter::try_new_with_options(file, stored, options).map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_year_and_the_writer_and_parse_back() {
        let tag = "part-00002-of-00016";
        for (holds, name) in [
            (Holds::Year(Some(2020)), "2020-part-00002-of-00016.parquet"),
            (Holds::Year(None), "unknown-part-00002-of-00016.parquet"),
            (Holds::Empty, "empty-part-00002-of-00016.parquet"),
            (Holds::Year(Some(-3)), "-3-part-00002-of-00016.parquet"),
        ] {
            assert_eq!(file_name(holds, tag), name);
            assert!(!name.contains('='), "{name}");
            assert_eq!(parse(name), Some((holds, tag)));
        }
        assert_eq!(
            parse("2021-derived.parquet"),
            Some((Holds::Year(Some(2021)), DERIVED))
        );
        for bad in [
            "derived.parquet",
            "2020-.parquet",
            "x-part-0.parquet",
            "2020-part.txt",
            "-.parquet",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn pandas_metadata_names_nullable_integer_dtypes() {
        let s = Schema::new(vec![
            arrow_schema::Field::new("year", DataType::Int32, true),
            arrow_schema::Field::new("value", DataType::Int64, true),
            arrow_schema::Field::new("raw", DataType::Utf8, true),
        ]);
        let m: serde_json::Value = serde_json::from_str(&pandas_metadata(&s)).unwrap();
        let cols = m["columns"].as_array().unwrap();
        assert_eq!(cols.len(), 3);
        assert_eq!(cols[0]["numpy_type"], "Int32");
        assert_eq!(cols[1]["numpy_type"], "Int64");
        assert_eq!(cols[2]["numpy_type"], "object");
        assert_eq!(m["index_columns"].as_array().map(Vec::len), Some(0));
    }
}
