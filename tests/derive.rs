//! The derive stage at any size: it holds one bucket of bodies at a time,
//! and the number of buckets (`[derive] bucket_cells`) changes neither the
//! rows nor the bytes of what it writes.

mod common;

use std::path::{Path, PathBuf};

use common::{ingest, root, xxgk};

/// A copy of the shipped config folder in `dir` with `bucket_cells` set.
fn config(dir: &Path, bucket_cells: u64) -> PathBuf {
    let to = dir.join(format!("config-{bucket_cells}"));
    std::fs::create_dir_all(to.join("templates")).unwrap();
    for t in ["gb2019.toml", "gb2021.toml"] {
        let from = root().join("config/templates").join(t);
        std::fs::copy(from, to.join("templates").join(t)).unwrap();
    }
    let text = std::fs::read_to_string(root().join("config/xxgk.toml")).unwrap();
    let edited = text.replace(
        "bucket_cells = 2000000",
        &format!("bucket_cells = {bucket_cells}"),
    );
    assert_ne!(edited, text, "the config's bucket_cells line changed");
    std::fs::write(to.join("xxgk.toml"), edited).unwrap();
    to.join("xxgk.toml")
}

/// Every derived file (name, bytes), sorted.
fn derived(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for d in ["yearly_comparison", "metrics", "findings"] {
        for e in std::fs::read_dir(out.join(d)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if d != "findings" || name.ends_with("-derived.parquet") {
                files.push((format!("{d}/{name}"), std::fs::read(&p).unwrap()));
            }
        }
    }
    files.sort();
    files
}

fn buckets(out: &Path) -> u64 {
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("_run.json")).unwrap()).unwrap();
    run["derive"]["buckets"].as_u64().unwrap()
}

#[test]
fn the_derived_files_are_the_same_bytes_whatever_the_bucket_count() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::synth(&corpus, 600, 11, &["--years", "4", "--noisy", "0.5"]);
    let out = dir.path().join("out");
    ingest(&corpus.join("r"), &out, &[]);
    assert_eq!(buckets(&out), 1, "the default holds this corpus at once");
    let one = derived(&out);
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("-derived.parquet"))
            && names.iter().any(|n| n.starts_with("yearly_comparison/2"))
            && names.iter().any(|n| n.starts_with("metrics/2")),
        "comparison, metrics and cross-year findings all written: {names:?}"
    );

    for cells in [3_000, 40_000] {
        let cfg = config(dir.path(), cells);
        let o = xxgk(&[
            "derive",
            out.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let n = buckets(&out);
        assert!(n > 1, "bucket_cells {cells}: {n} bucket");
        let again = derived(&out);
        assert_eq!(
            again.iter().map(|f| &f.0).collect::<Vec<_>>(),
            one.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for ((name, a), (_, b)) in one.iter().zip(&again) {
            assert!(a == b, "{name} differs with {n} buckets");
        }
    }
}

/// A derive stage killed mid-way leaves its bucket files; the next run
/// starts from none of them.
#[test]
fn buckets_left_by_a_killed_run_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    common::synth(&corpus, 200, 12, &["--years", "2"]);
    let out = dir.path().join("out");
    ingest(&corpus.join("r"), &out, &[]);
    let before = derived(&out);
    // What a killed `xxgk derive OUT` leaves: its staging folder, with
    // bucket files of cells that belong to no report of this run.
    let spill = out.join(".xxgk-staging-derive/.xxgk-derive-spill");
    std::fs::create_dir_all(&spill).unwrap();
    for name in [
        "cells-2023-00000.bin",
        "cells-2024-00000.bin",
        "reports-2024-00000.bin",
    ] {
        std::fs::write(spill.join(name), [0xffu8; 25]).unwrap();
    }
    let o = xxgk(&["derive", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(derived(&out) == before, "the derived files changed");
    assert!(!out.join(".xxgk-staging-derive").exists());
}
