//! SIGINT and SIGTERM sent to a running ingest: it removes its staging
//! folder, exits 130 or 143, and the previous run's datasets stay whole.

#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ingest, root, rows, DATASETS};

/// Rows per dataset, and the reports' paths.
fn state(out: &Path) -> (BTreeMap<&'static str, usize>, Vec<String>) {
    let counts = DATASETS
        .iter()
        .filter(|d| out.join(d).is_dir())
        .map(|d| (*d, rows(&out.join(d)).len()))
        .collect();
    let mut paths: Vec<String> = rows(&out.join("reports"))
        .iter()
        .map(|r| r["source_path"].str().unwrap().to_string())
        .collect();
    paths.sort();
    (counts, paths)
}

fn staging(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".xxgk-staging"))
        .collect()
}

/// Every Parquet file under `dir`, with its size. The run being watched
/// renames and removes folders meanwhile: a folder gone is skipped.
fn parquet_under(dir: &Path) -> Vec<(String, u64)> {
    let mut stack = vec![dir.to_path_buf()];
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                let len = std::fs::metadata(&p).map_or(0, |m| m.len());
                found.push((p.display().to_string(), len));
            }
        }
    }
    found
}

fn zero_byte_parquet(out: &Path) -> Vec<String> {
    parquet_under(out)
        .into_iter()
        .filter(|(_, len)| *len == 0)
        .map(|(p, _)| p)
        .collect()
}

#[test]
fn a_signal_removes_the_staging_folder_and_leaves_the_previous_datasets() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("synth");
    common::synth(&corpus, 1500, 7, &[]);
    let out = work.path().join("out");
    ingest(&root().join("data/fixtures"), &out, &[]);
    let before = state(&out);
    assert!(before.0["reports"] > 20);
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args(["ingest", corpus.to_str().unwrap(), "--out"])
            .arg(&out)
            .args(["--quiet", "--threads", "1"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until it writes into its staging folder.
        let start = Instant::now();
        let mut writing = false;
        while start.elapsed() < Duration::from_secs(60) && !writing {
            std::thread::sleep(Duration::from_millis(20));
            writing = staging(&out)
                .iter()
                .any(|s| !parquet_under(&out.join(s)).is_empty());
        }
        assert!(writing, "the ingest did not start writing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ingest ended before the signal: make the corpus bigger"
        );
        let kill = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(kill.success());
        let result = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(code), "SIG{signal}: {err}");
        assert!(
            err.contains(&format!("interrupted by SIG{signal}")),
            "{err}"
        );
        assert_eq!(staging(&out), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(zero_byte_parquet(&out), Vec::<String>::new());
        assert_eq!(state(&out), before, "SIG{signal}: the previous datasets");
    }
}
