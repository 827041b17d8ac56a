//! Test helpers: run the real binary, read the datasets back with a real
//! Parquet reader (arrow-rs), and load the oracles.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn xxgk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .output()
        .expect("the xxgk binary runs")
}

/// Runs `xxgk ingest CORPUS --out OUT --quiet` and asserts it exits 0.
pub fn ingest(corpus: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "ingest",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = xxgk(&args);
    assert!(
        o.status.success(),
        "xxgk ingest failed: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Every Parquet file of a dataset, sorted.
pub fn files(dataset: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dataset.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn batches(dataset: &Path) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for f in files(dataset) {
        let file = std::fs::File::open(&f).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            out.push(b.unwrap());
        }
    }
    out
}

/// A cell read back, as a string: `null` or the value.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Str(String),
    /// Decimal: mantissa and scale.
    Dec(i128, i8),
}

impl Val {
    pub fn str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Every row of a dataset as column → value maps.
pub fn rows(dataset: &Path) -> Vec<BTreeMap<String, Val>> {
    let mut out = Vec::new();
    for b in batches(dataset) {
        for i in 0..b.num_rows() {
            let mut row = BTreeMap::new();
            for (f, col) in b.schema().fields().iter().zip(b.columns()) {
                let v = if col.is_null(i) {
                    Val::Null
                } else {
                    match f.data_type() {
                        DataType::Utf8 => Val::Str(col.as_string::<i32>().value(i).to_string()),
                        DataType::Int32 => {
                            Val::Int(i64::from(col.as_primitive::<Int32Type>().value(i)))
                        }
                        DataType::Int64 => Val::Int(col.as_primitive::<Int64Type>().value(i)),
                        DataType::Decimal128(_, s) => {
                            Val::Dec(col.as_primitive::<Decimal128Type>().value(i), *s)
                        }
                        other => panic!("unexpected type {other}"),
                    }
                };
                row.insert(f.name().clone(), v);
            }
            out.push(row);
        }
    }
    out
}

/// A decimal string as (mantissa, scale) normalised to `scale`.
pub fn parse_decimal(s: &str, scale: i8) -> i128 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let neg = int.starts_with('-');
    let digits = format!(
        "{}{:0<width$}",
        int.trim_start_matches('-'),
        frac,
        width = scale as usize
    );
    let v: i128 = digits.parse().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// The oracles under `data/`: (path relative to data/, JSON).
pub fn oracles() -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for sub in ["seeds", "fixtures"] {
        let dir = root().join("data").join(sub).join("expected");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for p in names {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let file = v["file"].as_str().unwrap().to_string();
            out.push((format!("{sub}/{file}"), v));
        }
    }
    out
}
