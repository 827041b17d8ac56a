//! `xxgk derive OUT --emit-sql duckdb|spark`: the scripts, run in DuckDB and
//! on Spark (local mode, one JVM for every folder) by tests/sql.py, give
//! every row xxgk's own derive stage wrote, read back from Parquet, value
//! for value (floats bit for bit). Four runs: the multi-year bodies of
//! tests/years with the oracle's config; the same corpus with the default
//! config (two bodies then share a key and one report per year is chosen),
//! plus a duplicate and two unreadable files; an empty corpus; and a noisy
//! synthetic corpus of three years, where sums are null, checks fail and
//! cross-year findings occur (the last folder also runs the mutants of
//! tests/sql.py: scripts one rule off must give other rows).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{ingest, root, xxgk, years_config, years_expected};
use serde_json::Value;

/// Writes the script of `dialect` for `out` next to it; gives its path.
fn emit(out: &Path, dialect: &str, config: &[&str]) -> String {
    let mut args = vec!["derive", out.to_str().unwrap(), "--emit-sql", dialect];
    args.extend_from_slice(config);
    let o = xxgk(&args);
    assert!(
        o.status.success(),
        "--emit-sql {dialect}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.ends_with(";\n") && text.contains("CREATE OR REPLACE TEMPORARY VIEW"));
    let path = out.with_extension(format!("{dialect}.sql"));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn emitted_sql_gives_every_row_the_derive_stage_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let years = root().join("tests/years/corpus");
    let cfg = years_config(dir.path(), &years_expected());
    let cfg = ["--config", cfg.to_str().unwrap()];

    let oracle = dir.path().join("years");
    ingest(&years, &oracle, &cfg);

    // The default config: the two 城关镇 are one body. A copy of a report
    // (status duplicate) and unreadable files (template none, no year).
    let plain_corpus = dir.path().join("plain");
    common::copy_tree(&years, &plain_corpus);
    let one = "湖北省/襄阳市/南漳县/2020/城关镇人民政府2020年政府信息公开工作年度报告.txt";
    std::fs::copy(years.join(one), plain_corpus.join("copy.txt")).unwrap();
    std::fs::write(
        plain_corpus.join("binary.txt"),
        b"\x00\x01\x02 not a report",
    )
    .unwrap();
    std::fs::write(plain_corpus.join("empty.txt"), b"").unwrap();
    let plain = dir.path().join("plain-out");
    ingest(&plain_corpus, &plain, &[]);

    let synth_corpus = dir.path().join("synth");
    common::synth(&synth_corpus, 300, 6, &["--years", "3", "--noisy", "0.5"]);
    let synth = dir.path().join("synth-out");
    ingest(&synth_corpus.join("r"), &synth, &[]);

    // No report at all: every view empty, with its types.
    let nothing = dir.path().join("nothing");
    std::fs::create_dir_all(&nothing).unwrap();
    let empty = dir.path().join("empty-out");
    ingest(&nothing, &empty, &[]);

    let mut args = Vec::new();
    let runs = [
        (&oracle, &cfg[..]),
        (&plain, &[][..]),
        (&empty, &[][..]),
        (&synth, &[][..]),
    ];
    for (out, config) in runs {
        args.push(out.to_str().unwrap().to_string());
        args.push(emit(out, "duckdb", config));
        args.push(emit(out, "spark", config));
    }
    let stdout = common::python("sql.py", &args, "sql");

    // What the compared rows hold: the corners the SQL must get right.
    let mut total: BTreeMap<String, i64> = BTreeMap::new();
    let mut per_out: BTreeMap<String, Value> = BTreeMap::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let v: Value = serde_json::from_str(line).unwrap();
        for (k, n) in v.as_object().unwrap() {
            if let Some(n) = n.as_i64() {
                *total.entry(k.clone()).or_default() += n;
            }
        }
        per_out.insert(v["out"].as_str().unwrap().to_string(), v);
    }
    assert_eq!(per_out.len(), runs.len(), "{stdout}");
    assert_eq!(per_out[empty.to_str().unwrap()]["metrics"], 0);
    // Seed 6 breaks both cross-year checks.
    for name in [
        "yearly_comparison",
        "metrics",
        "findings_cross_year.carried_over",
        "findings_cross_year.in_force",
    ] {
        let synth_rows = per_out[synth.to_str().unwrap()][name].as_i64();
        assert!(synth_rows > Some(0), "no {name} rows in the synthetic run");
    }
    for (what, at_least) in [
        ("findings_cross_year.carried_over", 3),
        ("findings_cross_year.in_force", 1),
        ("comparison_sum", 10),
        ("comparison_sum_null", 1),
        ("comparison_null_value", 1),
        ("comparison_null_pct", 1),
        ("comparison_yuan", 1),
        ("comparison_checks_failed", 1),
        ("metrics_null", 1),
        ("metrics_numerator_only", 1),
        ("metrics_rate", 1),
    ] {
        let n = total.get(what).copied().unwrap_or(0);
        assert!(n >= at_least, "{what}: {n} rows compared\n{stdout}");
    }
}

/// The option only prints: nothing is derived or written, and it needs no
/// datasets to be there.
#[test]
fn emit_sql_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("none-yet");
    let o = xxgk(&["derive", out.to_str().unwrap(), "--emit-sql", "spark"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.exists());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(&format!("parquet.`{}/reports`", out.display())));
    let bad = xxgk(&["derive", out.to_str().unwrap(), "--emit-sql", "mysql"]);
    assert_eq!(bad.status.code(), Some(2));
    let help = xxgk(&["derive", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--emit-sql") && help.contains("duckdb") && help.contains("spark"));
}
