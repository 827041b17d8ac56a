//! The same bodies over two to four years (tests/years: a generator and its
//! independent oracle; README there says what each body tests): org keys,
//! the yearly comparison, the metrics and the cross-year findings, read back
//! from Parquet; a sharded run plus `xxgk derive` gives the same; `_run.json`
//! and `xxgk summary` tell the run. A corpus of `xxgk-synth --years 3`
//! compares year over year with no cross-year finding but those its
//! deliberately broken reports call for.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{ingest, parse_decimal, root, rows, xxgk, years_config, years_expected, Val};
use serde_json::Value;

fn corpus() -> PathBuf {
    root().join("tests/years/corpus")
}

fn s(v: &Val) -> String {
    v.str().unwrap_or("null").to_string()
}

/// A decimal read back, as a number at scale 4.
fn dec(v: &Val) -> Option<i128> {
    match v {
        Val::Dec(m, scale) => Some(m * 10i128.pow(4 - *scale as u32)),
        Val::Null => None,
        other => panic!("not a decimal: {other:?}"),
    }
}

fn oracle_dec(v: &Value) -> Option<i128> {
    match v {
        Value::Null => None,
        Value::String(t) => Some(parse_decimal(t, 4)),
        Value::Number(n) => Some(i128::from(n.as_i64().unwrap()) * 10_000),
        other => panic!("{other}"),
    }
}

fn float(v: &Val) -> Option<f64> {
    match v {
        Val::Float(f) => Some(*f),
        Val::Null => None,
        other => panic!("not a float: {other:?}"),
    }
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        _ => false,
    }
}

/// Checks a published folder against the oracle; the mismatches.
fn check(out: &Path, exp: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    // org_key per report.
    let reports = rows(&out.join("reports"));
    let keys: BTreeMap<String, String> = reports
        .iter()
        .map(|r| (s(&r["source_path"]), s(&r["org_key"])))
        .collect();
    for (path, key) in exp["org_keys"].as_object().unwrap() {
        if keys.get(path).map(String::as_str) != key.as_str() {
            bad.push(format!(
                "org_key of {path}: {:?}, expected {key}",
                keys.get(path)
            ));
        }
    }
    // The comparison, every field of every row, and no extra row.
    let got = rows(&out.join("yearly_comparison"));
    let mut by_key: BTreeMap<String, &BTreeMap<String, Val>> = BTreeMap::new();
    for r in &got {
        let k = format!(
            "{} {} {}.{}.{}",
            s(&r["org_key"]),
            r["year"].int().unwrap(),
            s(&r["table_key"]),
            s(&r["row_key"]),
            s(&r["col_key"])
        );
        assert!(by_key.insert(k.clone(), r).is_none(), "{k} twice");
    }
    let want = exp["yearly_comparison"].as_array().unwrap();
    if got.len() != want.len() {
        bad.push(format!(
            "yearly_comparison: {} rows, expected {}",
            got.len(),
            want.len()
        ));
    }
    for w in want {
        let k = format!(
            "{} {} {}.{}.{}",
            w["org_key"].as_str().unwrap(),
            w["year"],
            w["table_key"].as_str().unwrap(),
            w["row_key"].as_str().unwrap(),
            w["col_key"].as_str().unwrap()
        );
        let Some(g) = by_key.get(&k) else {
            bad.push(format!("yearly_comparison: no row {k}"));
            continue;
        };
        for f in ["value", "prior_value", "delta"] {
            if dec(&g[f]) != oracle_dec(&w[f]) {
                bad.push(format!("{k} {f}: {:?}, expected {}", g[f], w[f]));
            }
        }
        if !close(float(&g["pct_change"]), w["pct_change"].as_f64()) {
            bad.push(format!(
                "{k} pct_change: {:?}, expected {}",
                g["pct_change"], w["pct_change"]
            ));
        }
        if s(&g["unit"]) != w["unit"].as_str().unwrap()
            || g["prior_year"].int() != w["prior_year"].as_i64()
        {
            bad.push(format!("{k}: unit or prior_year"));
        }
    }
    // Metrics.
    let got = rows(&out.join("metrics"));
    let want = exp["metrics"].as_array().unwrap();
    if got.len() != want.len() {
        bad.push(format!(
            "metrics: {} rows, expected {}",
            got.len(),
            want.len()
        ));
    }
    for w in want {
        let (path, key) = (
            w["source_path"].as_str().unwrap(),
            w["metric_key"].as_str().unwrap(),
        );
        let Some(g) = got
            .iter()
            .find(|r| s(&r["source_path"]) == path && s(&r["metric_key"]) == key)
        else {
            bad.push(format!("metrics: no {key} for {path}"));
            continue;
        };
        if g["numerator"].int() != w["numerator"].as_i64()
            || g["denominator"].int() != w["denominator"].as_i64()
            || !close(float(&g["value"]), w["value"].as_f64())
        {
            bad.push(format!("metrics {key} of {path}: {g:?}, expected {w}"));
        }
    }
    // Cross-year findings: exactly the oracle's.
    let mut got: Vec<String> = rows(&out.join("findings"))
        .iter()
        .filter(|r| s(&r["code"]).starts_with("cross_year."))
        .map(|r| {
            assert_eq!(s(&r["severity"]), "warning");
            assert!(s(&r["message"]).contains("the printed values are kept"));
            format!(
                "{} {} {}.{}.{}",
                s(&r["source_path"]),
                s(&r["code"]),
                s(&r["table_key"]),
                s(&r["row_key"]),
                s(&r["col_key"])
            )
        })
        .collect();
    let mut want: Vec<String> = exp["cross_year_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let f = |k: &str| w[k].as_str().unwrap().to_string();
            format!(
                "{} {} {}.{}.{}",
                f("source_path"),
                f("code"),
                f("table_key"),
                f("row_key"),
                f("col_key")
            )
        })
        .collect();
    got.sort();
    want.sort();
    if got != want {
        bad.push(format!("cross-year findings: {got:?}\nexpected {want:?}"));
    }
    bad
}

#[test]
fn bodies_over_years_give_the_expected_comparison_metrics_and_findings() {
    let exp = years_expected();
    let dir = tempfile::tempdir().unwrap();
    let cfg = years_config(dir.path(), &exp);
    let out = dir.path().join("out");
    ingest(&corpus(), &out, &["--config", cfg.to_str().unwrap()]);
    let bad = check(&out, &exp);
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // The manifest says what happened.
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("_run.json")).unwrap()).unwrap();
    assert_eq!(m["inputs"]["files"], 14);
    assert_eq!(m["files_by_status"]["ok"], 14);
    assert_eq!(
        m["derive"]["findings_by_code"]["cross_year.carried_over"],
        2
    );
    assert_eq!(
        m["derive"]["rows"]["yearly_comparison"],
        exp["yearly_comparison"].as_array().unwrap().len()
    );
    assert_eq!(m["config_hash"].as_str().unwrap().len(), 64);
    let o = xxgk(&["summary", out.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success());
    for needle in ["yearly_comparison", "cross_year.in_force", "ok", "14 files"] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }
    // Without a path pattern the two 城关镇 are one body: the comparison
    // then has to pick one report per year, and the oracle no longer holds.
    let plain = dir.path().join("plain");
    ingest(&corpus(), &plain, &[]);
    let keys: Vec<String> = rows(&plain.join("reports"))
        .iter()
        .map(|r| s(&r["org_key"]))
        .filter(|k| k.contains("城关镇"))
        .collect();
    assert_eq!(keys, ["城关镇"; 4]);
}

#[test]
fn shards_then_derive_give_what_one_run_gives() {
    let exp = years_expected();
    let dir = tempfile::tempdir().unwrap();
    let cfg = years_config(dir.path(), &exp);
    let cfg = cfg.to_str().unwrap();
    let whole = dir.path().join("whole");
    ingest(&corpus(), &whole, &["--config", cfg]);
    let sharded = dir.path().join("sharded");
    let derive = || xxgk(&["derive", sharded.to_str().unwrap(), "--config", cfg, "-q"]);
    for k in 0..2 {
        ingest(
            &corpus(),
            &sharded,
            &["--config", cfg, "--shard", &format!("{k}/3")],
        );
    }
    // Not before every shard is in; nothing derived is published.
    let early = derive();
    assert_eq!(early.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("2/3"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );
    assert!(!sharded.join("yearly_comparison").exists());
    assert!(!sharded.join("_run.json").exists());
    ingest(&corpus(), &sharded, &["--config", cfg, "--shard", "2/3"]);
    let o = derive();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bad = check(&sharded, &exp);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The derived files are the same bytes whichever way the data came.
    for name in ["yearly_comparison", "metrics"] {
        let (a, b) = (
            common::files(&whole.join(name)),
            common::files(&sharded.join(name)),
        );
        assert_eq!(a.len(), b.len(), "{name}");
        for (x, y) in a.iter().zip(&b) {
            assert!(
                std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
                "{}",
                x.display()
            );
        }
    }
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(sharded.join("_run.json")).unwrap()).unwrap();
    assert_eq!(m["inputs"]["files"], 14);
    assert_eq!(m["shards"].as_array().unwrap().len(), 3);
    // Derive again: the same, no stale file.
    assert!(derive().status.success());
    assert!(check(&sharded, &exp).is_empty());
}

#[test]
fn a_path_off_the_pattern_is_named_and_keyed_by_the_name_alone() {
    let exp = years_expected();
    let dir = tempfile::tempdir().unwrap();
    let cfg = years_config(dir.path(), &exp);
    // Two folders where the pattern wants three before the rest.
    let src = corpus().join("河南省/郑州市/登封市/2021");
    let name = std::fs::read_dir(&src)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let short = dir.path().join("c/河南省/郑州市");
    std::fs::create_dir_all(&short).unwrap();
    std::fs::copy(src.join(&name), short.join(&name)).unwrap();
    let out = dir.path().join("out");
    let o = ingest(
        &dir.path().join("c"),
        &out,
        &["--config", cfg.to_str().unwrap(), "--timings"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("stage seconds") && err.contains(" derive "),
        "{err}"
    );
    let reports = rows(&out.join("reports"));
    assert_eq!(reports.len(), 1);
    assert_eq!(s(&reports[0]["org_key"]), "城关镇");
    assert_eq!(reports[0]["region"], Val::Null);
    let codes: Vec<String> = rows(&out.join("findings"))
        .iter()
        .map(|r| s(&r["code"]))
        .collect();
    assert!(
        codes.contains(&"org.region_unmatched".to_string()),
        "{codes:?}"
    );
}

/// `xxgk-synth --years 3`, then `xxgk ingest` and `xxgk derive`: every body
/// is compared with its year before, and a cross-year finding comes only
/// from a report that breaks a check on purpose, or from the year after one
/// (a broken row total moves last year's carried_forward total).
#[test]
fn a_synthetic_years_corpus_compares_year_over_year() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    let out = dir.path().join("out");
    common::synth(&corpus, 300, 2, &["--years", "3"]);
    let bad = common::synth_args(&corpus, 300, 2, &["--years", "7"]);
    assert!(bad.is_err(), "--years 7 is refused");
    ingest(&corpus.join("r"), &out, &[]);
    let o = xxgk(&["derive", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The oracle of report `i`, and whether it breaks a check on purpose.
    let oracles: Vec<Value> = (0..300)
        .map(|i| {
            let p = corpus.join(format!("expected/{i:07}.json"));
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        })
        .collect();
    let oracle = |i: usize| &oracles[i];
    let broken = |i: usize| {
        oracle(i)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .any(|f| f.starts_with("requests.") || f == "litigation.total")
    };
    // `000/0000103.txt` → 103.
    let index = |path: &str| -> usize {
        let name = path.rsplit('/').next().unwrap();
        name.split('.').next().unwrap().parse().unwrap()
    };

    let path_of: BTreeMap<String, String> = rows(&out.join("reports"))
        .iter()
        .map(|r| (s(&r["report_id"]), s(&r["source_path"])))
        .collect();
    let mut names: BTreeMap<String, std::collections::BTreeSet<usize>> = BTreeMap::new();
    for i in 0..300 {
        let org = oracle(i)["org_contains"].as_str().unwrap().to_string();
        names.entry(org).or_default().insert(i / 3);
    }
    let cmp = rows(&out.join("yearly_comparison"));
    let mut compared = std::collections::BTreeSet::new();
    for r in &cmp {
        let i = index(&path_of[&s(&r["report_id"])]);
        let prior = index(&path_of[&s(&r["prior_report_id"])]);
        let shared = names[oracle(i)["org_contains"].as_str().unwrap()].len() > 1;
        // Year N is compared with year N − 1 of the same body.
        assert!(shared || prior + 1 == i, "report {i} compared with {prior}");
        compared.insert(i);
    }
    // 100 bodies, two comparisons each; names two bodies share aside.
    assert!(compared.len() >= 180, "{} reports compared", compared.len());
    assert!(compared.iter().all(|i| i % 3 != 0), "a first year compared");
    // This year's carried_over, as read, is last year's carried_forward.
    let mut carried = 0;
    for r in &cmp {
        if s(&r["table_key"]) != "requests" || s(&r["row_key"]) != "carried_over" {
            continue;
        }
        let i = index(&path_of[&s(&r["report_id"])]);
        let Some(v) = dec(&r["value"]) else { continue };
        if i % 3 == 0 || broken(i) || broken(i - 1) {
            continue;
        }
        let key = format!("requests.carried_forward.{}", s(&r["col_key"]));
        // Null where last year's page stops before it.
        let Some(fwd) = oracle_dec(&oracle(i - 1)["cells"][&key]) else {
            continue;
        };
        assert_eq!(v, fwd, "report {i}, {key}");
        carried += usize::from(v > 0);
    }
    assert!(carried > 10, "{carried} non-zero carried_over compared");

    let findings = rows(&out.join("findings"));
    let cross: Vec<_> = findings
        .iter()
        .filter(|r| s(&r["code"]).starts_with("cross_year."))
        .collect();
    let mut explained = 0;
    for f in &cross {
        let path = s(&f["source_path"]);
        let i = index(&path);
        assert_eq!(s(&f["code"]), "cross_year.carried_over", "{path}: {f:?}");
        assert!(
            broken(i) || (i % 3 != 0 && broken(i - 1)),
            "{path}: {:?} without a broken report",
            f["message"]
        );
        explained += 1;
    }
    // The run has broken reports whose next year shows it, and the test
    // sees them.
    let next_of_broken = (0..300).filter(|&i| i % 3 != 2 && broken(i)).count();
    assert!(
        next_of_broken > 0,
        "seed 2 breaks no report before its last year"
    );
    assert!(explained > 0, "no cross-year finding at all");
}
