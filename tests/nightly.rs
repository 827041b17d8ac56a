//! The nightly contract: a run killed (SIGKILL) at any moment — while it
//! writes, while it publishes, while it derives — leaves the previous
//! datasets complete and readable, and the next run publishes cleanly.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{ingest, rows, synth, DATASETS};

/// One dataset's files: path relative to it → bytes.
fn dataset(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files(dir)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn snapshot(out: &Path) -> Vec<BTreeMap<String, Vec<u8>>> {
    DATASETS.iter().map(|d| dataset(&out.join(d))).collect()
}

/// Does a staging folder hold a Parquet file with bytes in it yet? Staging
/// folders hold one folder per dataset; any of them may vanish as the run
/// publishes.
fn writing(out: &Path) -> bool {
    let Ok(dirs) = std::fs::read_dir(out) else {
        return false;
    };
    dirs.flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".xxgk-staging"))
        .filter_map(|e| std::fs::read_dir(e.path()).ok())
        .flat_map(|datasets| datasets.flatten())
        .filter_map(|d| std::fs::read_dir(d.path()).ok())
        .flat_map(|files| files.flatten())
        .any(|f| {
            f.path().extension().is_some_and(|x| x == "parquet")
                && f.metadata().is_ok_and(|m| m.len() > 0)
        })
}

#[test]
fn a_killed_run_leaves_the_previous_datasets_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (old_corpus, new_corpus) = (dir.path().join("c1"), dir.path().join("c2"));
    synth(&old_corpus, 300, 1, &[]);
    synth(&new_corpus, 600, 2, &[]);
    let out = dir.path().join("out");
    ingest(&old_corpus, &out, &[]);
    let old = snapshot(&out);
    // What the new run publishes when it is not killed.
    let reference = dir.path().join("ref");
    let started = Instant::now();
    ingest(&new_corpus, &reference, &[]);
    let full = started.elapsed();
    let new = snapshot(&reference);
    assert!(old.iter().zip(&new).all(|(a, b)| a != b), "the runs differ");

    // Kill once as soon as the writer has put bytes into a staged file,
    // then at fractions of a full run's time (the last ones land in the
    // publish and derive phases or after the end).
    let mut waits: Vec<Option<Duration>> = vec![None];
    waits.extend([0.3, 0.6, 0.85, 0.95, 1.0, 1.05].map(|f| Some(full.mul_f64(f))));
    let (mut during_write, mut mixed_new) = (0, 0);
    for wait in waits {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args(["ingest", new_corpus.to_str().unwrap(), "--out"])
            .arg(&out)
            .arg("--quiet")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        match wait {
            None => {
                while !writing(&out) && t.elapsed() < full * 3 {
                    std::thread::sleep(Duration::from_millis(5));
                }
                assert!(writing(&out), "the run never wrote a staged file");
                during_write += 1;
            }
            Some(w) => std::thread::sleep(w),
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Every dataset is the previous run's or the new run's, whole, and
        // loads with a real reader.
        let now = snapshot(&out);
        for (i, name) in DATASETS.iter().enumerate() {
            let is_old = now[i] == old[i];
            let is_new = now[i] == new[i];
            assert!(
                is_old || is_new,
                "{name} after a kill at {wait:?}: neither run's files"
            );
            if is_new && !is_old {
                mixed_new += 1;
            }
            let n = rows(&out.join(name)).len();
            assert!(n > 0 || name == &"yearly_comparison", "{name} is empty");
        }
    }
    assert_eq!(during_write, 1);
    // A run that is let finish publishes the new datasets, and no staging
    // folder is left behind.
    ingest(&new_corpus, &out, &[]);
    assert!(
        snapshot(&out) == new,
        "the finished run publishes the new datasets"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    eprintln!("kills: {during_write} during the write; {mixed_new} dataset(s) seen already new");
}
