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

/// The same report in several shapes (a web page and its PDF text; UTF-8 and
/// GBK bytes; text, HTML, DOCX and PDF; a DOCX and its PDF export) gives the
/// same rows, value for value and raw text for raw text.
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
    let groups: [&[&str]; 4] = [
        &["twin_report.txt", "twin_report.html"],
        &["enc_utf8_bom_twin.txt", "enc_gbk_twin.txt"],
        &[
            "twin4_report.txt",
            "twin4_report.html",
            "twin4_report.docx",
            "twin4_report.pdf",
        ],
        &["docx_word_tables.docx", "pdf_libreoffice_export.pdf"],
    ];
    for group in groups {
        let a = group[0];
        let ia = id(a);
        for &b in &group[1..] {
            let ib = id(b);
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
}

/// The README's first command over `data/` gives comparison rows: the
/// bodies of `data/years/` over two or three years, each row's values equal
/// to the two reports' oracles, and no cross-year finding (the sample's
/// carried figures agree).
#[test]
fn the_sample_corpus_gives_yearly_comparison_rows() {
    use std::collections::BTreeSet;
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    let cmp = rows(&out.path().join("yearly_comparison"));
    assert!(!cmp.is_empty(), "yearly_comparison of data/ is empty");
    // Oracle cells by (org name, year).
    let mut cells: BTreeMap<(String, i64), &serde_json::Value> = BTreeMap::new();
    let oracles = oracles();
    for (path, o) in &oracles {
        if path.starts_with("years/") {
            let org = o["org_contains"].as_str().unwrap().to_string();
            cells.insert((org, o["year"].as_i64().unwrap()), &o["cells"]);
        }
    }
    assert_eq!(cells.len(), 14);
    let mut pairs = BTreeSet::new();
    let mut checked = 0;
    for r in &cmp {
        let org = r["org_name"].str().unwrap().to_string();
        let year = r["year"].int().unwrap();
        assert_eq!(r["prior_year"].int(), Some(year - 1));
        let (Some(now), Some(before)) = (
            cells.get(&(org.clone(), year)),
            cells.get(&(org.clone(), year - 1)),
        ) else {
            continue;
        };
        pairs.insert((org.clone(), year));
        if r["table_key"].str() != Some("requests") {
            continue;
        }
        let key = format!(
            "requests.{}.{}",
            r["row_key"].str().unwrap(),
            r["col_key"].str().unwrap()
        );
        let Some(want) = now.get(&key) else { continue };
        let want_prior = &before[&key];
        let dec = |v: &Val| match v {
            Val::Dec(m, s) => Some(*m / 10i128.pow(*s as u32)),
            _ => None,
        };
        assert_eq!(
            dec(&r["value"]),
            want.as_i64().map(i128::from),
            "{org} {year} {key}"
        );
        assert_eq!(
            dec(&r["prior_value"]),
            want_prior.as_i64().map(i128::from),
            "{org} {year} {key}"
        );
        assert!(r["row_label"].str().is_some_and(|l| !l.is_empty()));
        checked += 1;
    }
    // Four bodies over 2020–2022 and one over 2021–2022.
    assert_eq!(pairs.len(), 9, "{pairs:?}");
    assert!(checked > 9 * 100, "{checked} request cells compared");
    let cross: Vec<_> = rows(&out.path().join("findings"))
        .into_iter()
        .filter(|f| {
            f["code"]
                .str()
                .is_some_and(|c| c.starts_with("cross_year."))
        })
        .collect();
    assert!(cross.is_empty(), "{cross:?}");
}
