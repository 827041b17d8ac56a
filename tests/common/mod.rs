//! Test helpers: run the real binary, read the datasets back with a real
//! Parquet reader (arrow-rs), and load the oracles.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float64Type, Int32Type, Int64Type};
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

/// Every Parquet file of a dataset, sorted. The layout is flat: a folder
/// inside a dataset folder fails the test.
pub fn files(dataset: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dataset).unwrap() {
        let p = e.unwrap().path();
        assert!(!p.is_dir(), "a folder inside a dataset: {}", p.display());
        if p.extension().is_some_and(|x| x == "parquet") {
            out.push(p);
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
    Float(f64),
    Bool(bool),
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
                        DataType::Boolean => Val::Bool(col.as_boolean().value(i)),
                        DataType::Float64 => Val::Float(col.as_primitive::<Float64Type>().value(i)),
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

/// Compares the datasets under `out` with oracles (path relative to the
/// corpus, JSON): every cell, year, template, org, amount, encoding, format
/// and listed finding. Returns one line per mismatch, prefixed by the path.
pub fn score(out: &Path, oracles: &[(String, serde_json::Value)]) -> Vec<String> {
    let reports = rows(&out.join("reports"));
    let counts = rows(&out.join("disclosure_counts"));
    let procurement = rows(&out.join("procurement"));
    let litigation = rows(&out.join("litigation"));
    let findings = rows(&out.join("findings"));
    // Indexes: (report_id, table, row, col) → value; report_id → rows.
    let s = |v: &Val| v.str().unwrap_or("").to_string();
    let mut cell: HashMap<(String, String, String, String), Val> = HashMap::new();
    for r in &counts {
        cell.insert(
            (
                s(&r["report_id"]),
                s(&r["table_key"]),
                s(&r["row_key"]),
                s(&r["col_key"]),
            ),
            r["value"].clone(),
        );
    }
    for r in &litigation {
        cell.insert(
            (
                s(&r["report_id"]),
                "litigation".into(),
                s(&r["proceeding_key"]),
                s(&r["outcome_key"]),
            ),
            r["value"].clone(),
        );
    }
    let mut money: HashMap<(String, String), &BTreeMap<String, Val>> = HashMap::new();
    for r in &procurement {
        cell.insert(
            (
                s(&r["report_id"]),
                String::new(),
                s(&r["item_key"]),
                "project_count".into(),
            ),
            r["project_count"].clone(),
        );
        money.insert((s(&r["report_id"]), s(&r["item_key"])), r);
    }
    let mut by_report: HashMap<String, Vec<&BTreeMap<String, Val>>> = HashMap::new();
    // The oracles describe one report each; cross-year findings (the derive
    // stage) are about two, and are scored by tests/years.rs.
    for f in findings
        .iter()
        .filter(|f| !s(&f["code"]).starts_with("cross_year."))
    {
        by_report.entry(s(&f["report_id"])).or_default().push(f);
    }
    let by_path: HashMap<String, &BTreeMap<String, Val>> =
        reports.iter().map(|r| (s(&r["source_path"]), r)).collect();

    let mut diffs: Vec<String> = Vec::new();
    for (path, o) in oracles {
        let Some(rep) = by_path.get(path.as_str()) else {
            diffs.push(format!("{path}: no reports row"));
            continue;
        };
        let id = rep["report_id"].str().unwrap().to_string();
        let mut diff = |what: String| diffs.push(format!("{path}: {what}"));
        if rep["year"].int() != o["year"].as_i64() {
            diff(format!("year {:?}, expected {}", rep["year"], o["year"]));
        }
        if rep["template"].str() != o["template"].as_str() {
            diff(format!(
                "template {:?}, expected {}",
                rep["template"], o["template"]
            ));
        }
        if let Some(enc) = o.get("encoding").and_then(|e| e.as_str()) {
            if rep["encoding"].str() != Some(enc) {
                diff(format!("encoding {:?}, expected {enc}", rep["encoding"]));
            }
        }
        if let Some(format) = o.get("format").and_then(|e| e.as_str()) {
            if rep["format"].str() != Some(format) {
                diff(format!("format {:?}, expected {format}", rep["format"]));
            }
        }
        let org = o["org_contains"].as_str().unwrap_or("");
        if !rep["org_name"].str().unwrap_or("").contains(org) {
            diff(format!(
                "org_name {:?} does not contain {org}",
                rep["org_name"]
            ));
        }
        // Every oracle cell.
        for (key, want) in o["cells"].as_object().unwrap() {
            let parts: Vec<&str> = key.split('.').collect();
            let [table, row, col] = parts[..] else {
                panic!("bad key {key}")
            };
            let got: Option<&Val> = if col == "project_count" {
                cell.get(&(id.clone(), String::new(), row.to_string(), col.to_string()))
            } else {
                cell.get(&(
                    id.clone(),
                    table.to_string(),
                    row.to_string(),
                    col.to_string(),
                ))
            };
            match got {
                None => diff(format!("{key}: no row, expected {want}")),
                Some(v) => {
                    if v.int() != want.as_i64() {
                        diff(format!("{key}: {v:?}, expected {want}"));
                    }
                }
            }
        }
        // Money.
        for (key, want) in o["money"].as_object().into_iter().flatten() {
            let row = key.split('.').nth(1).unwrap();
            let Some(p) = money.get(&(id.clone(), row.to_string())) else {
                diff(format!("{key}: no procurement row"));
                continue;
            };
            let yuan = match (&p["amount_yuan"], want["yuan"].as_str()) {
                (Val::Dec(m, s), Some(w)) => *m == parse_decimal(w, *s),
                (Val::Null, None) => true,
                _ => false,
            };
            if !yuan {
                diff(format!(
                    "{key}: amount_yuan {:?}, expected {}",
                    p["amount_yuan"], want["yuan"]
                ));
            }
            if p["amount_raw"].str() != want["raw"].as_str() {
                diff(format!(
                    "{key}: amount_raw {:?}, expected {}",
                    p["amount_raw"], want["raw"]
                ));
            }
        }
        // Findings of severity warning or error, where the oracle lists them.
        if let Some(list) = o.get("findings").and_then(|f| f.as_array()) {
            let want: BTreeSet<&str> = list.iter().filter_map(|v| v.as_str()).collect();
            let mine = by_report.get(&id).cloned().unwrap_or_default();
            let got: BTreeSet<&str> = mine
                .iter()
                .filter(|f| f["severity"].str() != Some("info"))
                .filter_map(|f| f["code"].str())
                .collect();
            if want != got {
                let msgs: Vec<&str> = mine
                    .iter()
                    .filter(|f| f["severity"].str() != Some("info"))
                    .filter_map(|f| f["message"].str())
                    .collect();
                diff(format!(
                    "findings {got:?}, expected {want:?}\n    {}",
                    msgs.join("\n    ")
                ));
            }
        }
    }
    diffs
}
