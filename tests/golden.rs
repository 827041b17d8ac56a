//! Golden tests: ingest `data/` with the real binary, read the datasets back
//! from Parquet, and compare every oracle cell, year, template, org, money
//! amount and (where the oracle lists them) the warning and error findings.
//! All mismatches are printed before the test fails.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{ingest, oracles, parse_decimal, root, rows, Val};

#[test]
fn every_oracle_matches_the_datasets_read_back() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    let reports = rows(&out.path().join("reports"));
    let counts = rows(&out.path().join("disclosure_counts"));
    let procurement = rows(&out.path().join("procurement"));
    let litigation = rows(&out.path().join("litigation"));
    let findings = rows(&out.path().join("findings"));

    let mut diffs: Vec<String> = Vec::new();
    let oracles = oracles();
    assert!(oracles.len() >= 5, "the seeds' oracles are there");
    for (path, o) in &oracles {
        let Some(rep) = reports
            .iter()
            .find(|r| r["source_path"].str() == Some(path.as_str()))
        else {
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
            let got: Option<&Val> = if table == "litigation" {
                litigation
                    .iter()
                    .find(|r| {
                        r["report_id"].str() == Some(&id)
                            && r["proceeding_key"].str() == Some(row)
                            && r["outcome_key"].str() == Some(col)
                    })
                    .map(|r| &r["value"])
            } else if col == "project_count" {
                procurement
                    .iter()
                    .find(|r| r["report_id"].str() == Some(&id) && r["item_key"].str() == Some(row))
                    .map(|r| &r["project_count"])
            } else {
                counts
                    .iter()
                    .find(|r| {
                        r["report_id"].str() == Some(&id)
                            && r["table_key"].str() == Some(table)
                            && r["row_key"].str() == Some(row)
                            && r["col_key"].str() == Some(col)
                    })
                    .map(|r| &r["value"])
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
            let Some(p) = procurement
                .iter()
                .find(|r| r["report_id"].str() == Some(&id) && r["item_key"].str() == Some(row))
            else {
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
            let got: BTreeSet<&str> = findings
                .iter()
                .filter(|f| {
                    f["report_id"].str() == Some(&id) && f["severity"].str() != Some("info")
                })
                .filter_map(|f| f["code"].str())
                .collect();
            if want != got {
                let msgs: Vec<&str> = findings
                    .iter()
                    .filter(|f| {
                        f["report_id"].str() == Some(&id) && f["severity"].str() != Some("info")
                    })
                    .filter_map(|f| f["message"].str())
                    .collect();
                diff(format!(
                    "findings {got:?}, expected {want:?}\n    {}",
                    msgs.join("\n    ")
                ));
            }
        }
    }
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
