//! Golden tests: ingest `data/` with the real binary, read the datasets back
//! from Parquet, and compare every oracle cell, year, template, org, money
//! amount and (where the oracle lists them) the warning and error findings.
//! All mismatches are printed before the test fails.

mod common;

use std::collections::BTreeMap;

use common::{ingest, oracles, root, rows, score, Val};

#[test]
fn every_oracle_matches_the_datasets_read_back() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    let oracles = oracles();
    assert!(
        oracles.len() >= 34,
        "the seeds' and fixtures' oracles are there"
    );
    let diffs = score(out.path(), &oracles);
    let mut by_file: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &diffs {
        *by_file
            .entry(d.split(':').next().unwrap_or(""))
            .or_default() += 1;
    }
    assert!(
        diffs.is_empty(),
        "{} mismatches ({by_file:?}):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The same report in two shapes (a web page and its PDF text; UTF-8 and
/// GBK bytes) gives the same rows, value for value and raw text for raw text.
#[test]
fn twins_give_identical_rows() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data/fixtures"), out.path(), &[]);
    let reports = rows(&out.path().join("reports"));
    let id = |path: &str| -> String {
        reports
            .iter()
            .find(|r| r["source_path"].str() == Some(path))
            .and_then(|r| r["report_id"].str())
            .unwrap_or_else(|| panic!("{path} has a reports row"))
            .to_string()
    };
    for (a, b) in [
        ("twin_report.txt", "twin_report.html"),
        ("enc_utf8_bom_twin.txt", "enc_gbk_twin.txt"),
    ] {
        let (ia, ib) = (id(a), id(b));
        assert_ne!(ia, ib);
        for dataset in ["disclosure_counts", "procurement", "litigation"] {
            let all = rows(&out.path().join(dataset));
            let of = |id: &str| -> Vec<BTreeMap<String, Val>> {
                all.iter()
                    .filter(|r| r["report_id"].str() == Some(id))
                    .map(|r| {
                        let mut r = r.clone();
                        r.remove("report_id");
                        r
                    })
                    .collect()
            };
            let (ra, rb) = (of(&ia), of(&ib));
            assert!(!ra.is_empty(), "{a}: {dataset} rows");
            assert_eq!(ra, rb, "{a} and {b} differ in {dataset}");
        }
    }
}
