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

/// Every dataset an unsharded ingest publishes, in the README's order.
pub const DATASETS: [&str; 7] = [
    "reports",
    "disclosure_counts",
    "procurement",
    "litigation",
    "findings",
    "yearly_comparison",
    "metrics",
];

/// The oracle of the multi-year corpus, tests/years/expected.json.
pub fn years_expected() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("tests/years/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The shipped config with the oracle's `[org]` settings (tests/years),
/// written into `dir`.
pub fn years_config(dir: &Path, exp: &serde_json::Value) -> PathBuf {
    let text = std::fs::read_to_string(root().join("config/xxgk.toml")).unwrap();
    let c = &exp["config"];
    let renames: Vec<String> = c["renames"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k:?} = {v}"))
        .collect();
    let templates = root().join("config/templates");
    let replaced = text
        .replace(
            "path_pattern = \"\"",
            &format!("path_pattern = {}", c["path_pattern"]),
        )
        .replace(
            "renames = {}",
            &format!("renames = {{ {} }}", renames.join(", ")),
        )
        .replace(
            "files = [\"templates/gb2019.toml\", \"templates/gb2021.toml\"]",
            &format!(
                "files = [{:?}, {:?}]",
                templates.join("gb2019.toml"),
                templates.join("gb2021.toml")
            ),
        );
    let suffixes = format!("strip_suffixes = {}", c["strip_suffixes"]);
    let replaced: String = replaced
        .lines()
        .map(|l| {
            if l.starts_with("strip_suffixes") {
                suffixes.clone()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(replaced, text, "the config's [org] lines changed");
    let p = dir.join("xxgk.toml");
    std::fs::write(&p, replaced).unwrap();
    p
}

/// Copies the files under `from` to `to`, folders included.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Runs `python3 tests/SCRIPT ARGS…` (a script that uses the packages of
/// tests/requirements.txt, Spark with a Java runtime), shows its output and
/// time (with --nocapture), asserts that it succeeds and ends with
/// `TOOL: ok`; gives its stdout.
pub fn python<S: AsRef<std::ffi::OsStr>>(script: &str, args: &[S], tool: &str) -> String {
    let started = std::time::Instant::now();
    let o = Command::new("python3")
        .arg(root().join("tests").join(script))
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    eprintln!(
        "{script}: {:.1} s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        o.status.success(),
        "{script} failed (pip install -r tests/requirements.txt; Spark needs java):\n{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains(&format!("{tool}: ok")), "{stdout}");
    stdout
}

/// Writes a synthetic corpus as `xxgk-synth DIR --n N --seed S EXTRA…` does
/// (tools/xxgk-synth, a dev-dependency: its library parses the same
/// arguments in-process) and asserts it succeeds.
pub fn synth(dir: &Path, n: usize, seed: u64, extra: &[&str]) {
    let o = synth_args(dir, n, seed, extra);
    assert!(o.is_ok(), "xxgk-synth: {}", o.unwrap_err());
}

/// `xxgk-synth DIR --n N --seed S EXTRA…`, in-process: the summary or the
/// error the binary would print.
pub fn synth_args(
    dir: &Path,
    n: usize,
    seed: u64,
    extra: &[&str],
) -> Result<xxgk_synth::Summary, String> {
    let (n, seed) = (n.to_string(), seed.to_string());
    let mut args = vec![
        "xxgk-synth",
        dir.to_str().unwrap(),
        "--n",
        &n,
        "--seed",
        &seed,
    ];
    args.extend_from_slice(extra);
    xxgk_synth::run_args(args)
}

/// The multi-year corpus of tests/years.
pub fn years_corpus() -> PathBuf {
    root().join("tests/years/corpus")
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

/// Rows of a dataset as sorted debug strings: a multiset to compare.
pub fn row_set(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = rows(dir).iter().map(|r| format!("{r:?}")).collect();
    v.sort();
    v
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
    // Every `data/*/expected/` folder.
    let mut subs: Vec<String> = std::fs::read_dir(root().join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected").is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    subs.sort();
    for sub in &subs {
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
/// corpus, JSON): every cell, year, template, org, amount, encoding, format,
/// status, pages (where the oracle has them) and listed finding. Returns one line per mismatch, prefixed by the path.
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
        if let Some(status) = o.get("status").and_then(|e| e.as_str()) {
            if rep["status"].str() != Some(status) {
                diff(format!("status {:?}, expected {status}", rep["status"]));
            }
        }
        if let Some(pages) = o.get("pages") {
            if rep["pages"].int() != pages.as_i64() {
                diff(format!("pages {:?}, expected {pages}", rep["pages"]));
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

/// How one oracle cell was read (tests/scale.rs, benches/score.py).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// The published value is the oracle's (both null included).
    Exact,
    /// A non-null value that is not the oracle's, or a value where the
    /// oracle says the cell is null or not printed: the worst failure.
    Wrong,
    /// Null where the oracle has a value, with a finding on that table.
    Miss,
    /// Null where the oracle has a value and no finding says why.
    SilentMiss,
}

/// A cell that was not read exactly.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The report's path relative to the corpus.
    pub path: String,
    /// `table.row.col`.
    pub key: String,
    pub outcome: Outcome,
    /// What the oracle says (`null`, a count, a yuan amount).
    pub want: String,
    /// What xxgk published, with the raw text.
    pub got: String,
    pub layout: String,
    pub noise: Vec<String>,
}

/// Cells by outcome: exact, wrong, miss (with a finding), silent miss.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub exact: usize,
    pub wrong: usize,
    pub miss: usize,
    pub silent: usize,
}

impl Tally {
    /// Cells counted: the oracle's, and each value published under a key
    /// the report never printed (a wrong one).
    pub fn total(&self) -> usize {
        self.exact + self.miss + self.silent + self.wrong
    }

    pub fn exact_share(&self) -> f64 {
        if self.total() == 0 {
            1.0
        } else {
            self.exact as f64 / self.total() as f64
        }
    }

    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Exact => self.exact += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Miss => self.miss += 1,
            Outcome::SilentMiss => self.silent += 1,
        }
    }
}

/// The accuracy of a run against a synthetic corpus's oracles.
#[derive(Debug, Default)]
pub struct Accuracy {
    /// Tallies by group: `all`, `clean`, `noisy`, `layout:NAME`,
    /// `noise:KIND` (a cell counts under every kind of its report).
    pub groups: BTreeMap<String, Tally>,
    pub mismatches: Vec<Mismatch>,
}

impl Accuracy {
    pub fn all(&self) -> Tally {
        self.groups.get("all").copied().unwrap_or_default()
    }

    /// The tallies as a table, one group a line.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:34} {:>9} {:>9} {:>7} {:>7} {:>7} {:>9}\n",
            "group", "cells", "exact", "wrong", "miss", "silent", "exact %"
        );
        for (g, t) in &self.groups {
            s.push_str(&format!(
                "{g:34} {:>9} {:>9} {:>7} {:>7} {:>7} {:>9.3}\n",
                t.total(),
                t.exact,
                t.wrong,
                t.miss,
                t.silent,
                100.0 * t.exact_share()
            ));
        }
        s
    }
}

/// An amount in yuan as published (mantissa and scale) and its raw text.
type PublishedMoney = (Option<(i128, i8)>, String);

/// Classifies every oracle cell of a synthetic corpus (count cells,
/// litigation cells, project counts and money in yuan) as exact, wrong or
/// missed, and every published value under a key the oracle does not have
/// as wrong. A miss must come with a finding on its table (or on the whole
/// report); one without is a silent miss.
pub fn accuracy(out: &Path, oracles: &[(String, serde_json::Value)]) -> Accuracy {
    let s = |v: &Val| v.str().unwrap_or("").to_string();
    let reports = rows(&out.join("reports"));
    let by_path: HashMap<String, String> = reports
        .iter()
        .map(|r| (s(&r["source_path"]), s(&r["report_id"])))
        .collect();
    // report_id → key → (value, raw) for every published count.
    let mut published: HashMap<String, BTreeMap<String, (Option<i64>, String)>> = HashMap::new();
    for r in rows(&out.join("disclosure_counts")) {
        let key = format!(
            "{}.{}.{}",
            s(&r["table_key"]),
            s(&r["row_key"]),
            s(&r["col_key"])
        );
        published
            .entry(s(&r["report_id"]))
            .or_default()
            .insert(key, (r["value"].int(), s(&r["raw"])));
    }
    for r in rows(&out.join("litigation")) {
        let key = format!(
            "litigation.{}.{}",
            s(&r["proceeding_key"]),
            s(&r["outcome_key"])
        );
        published
            .entry(s(&r["report_id"]))
            .or_default()
            .insert(key, (r["value"].int(), s(&r["raw"])));
    }
    // Money and project counts: the item names its table.
    let item_table = |item: &str| match item {
        "centralized_procurement" => "art20_9",
        _ => "art20_8",
    };
    let mut money: HashMap<String, BTreeMap<String, PublishedMoney>> = HashMap::new();
    for r in rows(&out.join("procurement")) {
        let item = s(&r["item_key"]);
        let t = item_table(&item);
        let id = s(&r["report_id"]);
        if item == "centralized_procurement" {
            published.entry(id.clone()).or_default().insert(
                format!("{t}.{item}.project_count"),
                (r["project_count"].int(), String::new()),
            );
        }
        let col = if item == "centralized_procurement" {
            "total_amount"
        } else {
            "amount"
        };
        let yuan = match &r["amount_yuan"] {
            Val::Dec(m, sc) => Some((*m, *sc)),
            _ => None,
        };
        money
            .entry(id)
            .or_default()
            .insert(format!("{t}.{item}.{col}"), (yuan, s(&r["amount_raw"])));
    }
    // report_id → tables with a finding ("" for one about the report).
    let mut flagged: HashMap<String, BTreeSet<String>> = HashMap::new();
    for f in rows(&out.join("findings")) {
        if s(&f["code"]).starts_with("cross_year.") {
            continue;
        }
        flagged
            .entry(s(&f["report_id"]))
            .or_default()
            .insert(s(&f["table_key"]));
    }

    let mut acc = Accuracy::default();
    let empty_p = BTreeMap::new();
    let empty_m = BTreeMap::new();
    let empty_f = BTreeSet::new();
    for (path, o) in oracles {
        let layout = o["layout"].as_str().unwrap_or("?").to_string();
        let noise: Vec<String> = o["noise"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let mut groups = vec![
            "all".to_string(),
            if noise.is_empty() { "clean" } else { "noisy" }.to_string(),
            format!("layout:{layout}"),
        ];
        groups.extend(noise.iter().map(|k| format!("noise:{k}")));
        let id = by_path.get(path.as_str()).cloned().unwrap_or_default();
        let mine = published.get(&id).unwrap_or(&empty_p);
        let my_money = money.get(&id).unwrap_or(&empty_m);
        let flags = flagged.get(&id).unwrap_or(&empty_f);
        let mut record = |key: &str, outcome: Outcome, want: String, got: String| {
            for g in &groups {
                acc.groups.entry(g.clone()).or_default().add(outcome);
            }
            if outcome != Outcome::Exact {
                acc.mismatches.push(Mismatch {
                    path: path.clone(),
                    key: key.to_string(),
                    outcome,
                    want,
                    got,
                    layout: layout.clone(),
                    noise: noise.clone(),
                });
            }
        };
        let missed = |key: &str| {
            let table = key.split('.').next().unwrap_or("");
            if flags.contains(table) || flags.contains("") {
                Outcome::Miss
            } else {
                Outcome::SilentMiss
            }
        };
        let cells = o["cells"].as_object().cloned().unwrap_or_default();
        for (key, want) in &cells {
            let want = want.as_i64();
            let (got, raw) = mine
                .get(key)
                .map_or((None, "<no row>"), |(v, r)| (*v, r.as_str()));
            let outcome = match (got, want) {
                (g, w) if g == w => Outcome::Exact,
                (Some(_), _) => Outcome::Wrong,
                (None, _) => missed(key),
            };
            record(
                key,
                outcome,
                want.map_or("null".into(), |v| v.to_string()),
                format!("{got:?} (raw {raw:?})"),
            );
        }
        let moneys = o["money"].as_object().cloned().unwrap_or_default();
        for (key, want) in &moneys {
            let want_s = want["yuan"].as_str();
            let (got, raw) = my_money
                .get(key)
                .map_or((None, "<no row>"), |(v, r)| (*v, r.as_str()));
            let outcome = match (got, want_s) {
                (None, None) => Outcome::Exact,
                (Some((m, sc)), Some(w)) if m == parse_decimal(w, sc) => Outcome::Exact,
                (Some(_), _) => Outcome::Wrong,
                (None, Some(_)) => missed(key),
            };
            record(
                key,
                outcome,
                format!("{} yuan", want_s.unwrap_or("null")),
                format!("{got:?} (raw {raw:?})"),
            );
        }
        // Values under keys the report never printed.
        for (key, (v, raw)) in mine {
            if v.is_some() && !cells.contains_key(key) {
                record(
                    key,
                    Outcome::Wrong,
                    "not printed".into(),
                    format!("{v:?} (raw {raw:?})"),
                );
            }
        }
        for (key, (v, raw)) in my_money {
            if v.is_some() && !moneys.contains_key(key) {
                record(
                    key,
                    Outcome::Wrong,
                    "not printed".into(),
                    format!("{v:?} (raw {raw:?})"),
                );
            }
        }
    }
    acc
}
