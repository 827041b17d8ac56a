//! The whole job on Spark (deploy/spark/xxgk_job.py): the multi-year corpus
//! of tests/years ingested in 3 shards as Spark tasks and derived with the
//! emitted Spark SQL, in a local SparkSession (tests/spark.py), gives every
//! dataset row for row as one unsharded `xxgk ingest`, in the same file
//! layout, loads in every reader with the contract's types, and replaces an
//! earlier run of another split; a failing shard fails the job. Also
//! `xxgk derive --manifest-only`, which writes `_run.json` for a derive
//! stage that ran elsewhere. Needs pyspark and Java, as tests/readers.py.

mod common;

use std::path::Path;

use common::{
    ingest, row_set, xxgk, years_config, years_corpus as corpus, years_expected, DATASETS,
};
use serde_json::Value;

fn run_json(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("_run.json")).unwrap()).unwrap()
}

/// The file names of a dataset folder.
fn names(dataset: &Path) -> Vec<String> {
    common::files(dataset)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The Arrow fields a Parquet file stores.
fn fields(file: &Path) -> arrow_schema::Fields {
    let f = std::fs::File::open(file).unwrap();
    let b = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    b.schema().fields().clone()
}

#[test]
fn the_spark_job_gives_what_one_run_gives() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = years_config(dir.path(), &years_expected());
    let cfg = cfg.to_str().unwrap();
    let whole = dir.path().join("whole");
    ingest(&corpus(), &whole, &["--config", cfg]);
    // What an earlier night left in the job's folder: an unsharded run, one
    // shard of a 4-way split, and derived files of a year no longer derived.
    let out = dir.path().join("spark");
    ingest(&corpus(), &out, &["--config", cfg]);
    ingest(&corpus(), &out, &["--config", cfg, "--shard", "1/4"]);
    let derived = whole.join("findings/2022-derived.parquet");
    assert!(derived.exists(), "the corpus has derived findings");
    std::fs::copy(&derived, out.join("findings/1999-derived.parquet")).unwrap();
    std::fs::copy(
        whole.join("metrics/2020-part-00000-of-00001.parquet"),
        out.join("metrics/1999-part-00000-of-00001.parquet"),
    )
    .unwrap();

    common::python(
        "spark.py",
        &[
            env!("CARGO_BIN_EXE_xxgk"),
            corpus().to_str().unwrap(),
            cfg,
            dir.path().to_str().unwrap(),
        ],
        "spark",
    );

    // Every dataset, derived ones included, row for row.
    for name in DATASETS {
        let (a, b) = (row_set(&whole.join(name)), row_set(&out.join(name)));
        assert!(
            !a.is_empty() || name == "findings",
            "{name}: the corpus gives rows"
        );
        assert_eq!(a.len(), b.len(), "{name}: rows");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{name}: the Spark job's rows differ");
        }
    }
    // Every file of every dataset with the Arrow fields of one run's files
    // (names, order, types, nullability): the contract's types.
    for name in DATASETS {
        let want = fields(&common::files(&whole.join(name))[0]);
        for f in common::files(&out.join(name)) {
            assert_eq!(fields(&f), want, "{}", f.display());
        }
    }
    // The derived findings among them.
    let derived: Vec<String> = row_set(&out.join("findings"))
        .into_iter()
        .filter(|r| r.contains("cross_year."))
        .collect();
    assert_eq!(derived.len(), 3, "{derived:?}");
    // The layout: this split's part files only, the derived files named as
    // `xxgk derive` names them, the stale ones gone, no staging left.
    for name in ["reports", "disclosure_counts", "litigation"] {
        let files = names(&out.join(name));
        assert!(
            files.iter().all(|f| f.contains("-of-00003.parquet")),
            "{name}: {files:?}"
        );
    }
    for name in ["yearly_comparison", "metrics"] {
        assert_eq!(names(&out.join(name)), names(&whole.join(name)), "{name}");
    }
    let findings = names(&out.join("findings"));
    assert!(
        findings.contains(&"2022-derived.parquet".to_string())
            && !findings.iter().any(|f| f.starts_with("1999-")),
        "{findings:?}"
    );
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let mut manifests: Vec<String> = std::fs::read_dir(out.join("_run"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    manifests.sort();
    assert_eq!(
        manifests,
        (0..3)
            .map(|k| format!("part-0000{k}-of-00003.json"))
            .collect::<Vec<_>>()
    );
    // `_run.json`: the three shards and the derive, counting what one run
    // counts.
    let (m, w) = (run_json(&out), run_json(&whole));
    assert_eq!(m["shard"], "3 shards");
    assert_eq!(m["inputs"]["files"], w["inputs"]["files"]);
    assert_eq!(m["rows"], w["rows"]);
    assert_eq!(m["derive"]["rows"], w["derive"]["rows"]);
    assert_eq!(
        m["derive"]["findings_by_code"],
        w["derive"]["findings_by_code"]
    );
    let s = xxgk(&["summary", out.to_str().unwrap()]);
    assert!(s.status.success());
    assert!(String::from_utf8_lossy(&s.stdout).contains("3 shards"));
}

#[test]
fn derive_manifest_only_records_the_derived_files_as_published() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = years_config(dir.path(), &years_expected());
    let cfg = cfg.to_str().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    for k in 0..3 {
        ingest(
            &corpus(),
            &out,
            &["--config", cfg, "--shard", &format!("{k}/3")],
        );
    }
    // No derived files yet.
    let early = xxgk(&["derive", o, "--manifest-only"]);
    assert_eq!(early.status.code(), Some(2));
    let err = String::from_utf8_lossy(&early.stderr);
    assert!(
        err.contains("yearly_comparison") && err.contains("derive"),
        "{err}"
    );
    let derive = xxgk(&["derive", o, "--config", cfg, "-q"]);
    assert!(derive.status.success());
    let derived = run_json(&out);
    std::fs::remove_file(out.join("_run.json")).unwrap();
    let recorded = xxgk(&["derive", o, "--manifest-only"]);
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let m = run_json(&out);
    for key in ["shard", "inputs", "rows", "findings_by_code", "shards"] {
        assert_eq!(m[key], derived[key], "{key}");
    }
    assert_eq!(m["derive"]["rows"], derived["derive"]["rows"]);
    assert_eq!(
        m["derive"]["findings_by_code"],
        derived["derive"]["findings_by_code"]
    );
    assert!(m["derive"]["started"].as_str() <= m["derive"]["finished"].as_str());
    // A shard run again after the derive: its files are older than the
    // shard, so no manifest says they follow it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ingest(&corpus(), &out, &["--config", cfg, "--shard", "1/3"]);
    let stale = xxgk(&["derive", o, "--manifest-only"]);
    assert_eq!(stale.status.code(), Some(2));
    let err = String::from_utf8_lossy(&stale.stderr);
    assert!(err.contains("older than shard 1/3"), "{err}");
}
