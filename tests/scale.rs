//! Determinism, scale-out and accuracy at scale: the same corpus gives the
//! same bytes whatever the thread count, N shards written into one folder
//! hold exactly the rows of one full run, and a synthetic corpus carrying
//! every noise kind of real-world.md is read with no wrong value and at
//! least 99.5 % of its cells exact.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{ingest, root, row_set, xxgk};

const DATASETS: [&str; 5] = [
    "reports",
    "disclosure_counts",
    "procurement",
    "litigation",
    "findings",
];

/// Every file under `dir`: relative path → bytes; the run manifests, which
/// hold times, left out.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy();
            if name == "_run" || name == "_run.json" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn output_bytes_do_not_depend_on_threads_or_runs() {
    let corpus = root().join("data");
    let mut first: Option<BTreeMap<String, Vec<u8>>> = None;
    for threads in ["1", "2", "8", "2"] {
        let out = tempfile::tempdir().unwrap();
        ingest(&corpus, out.path(), &["--threads", threads]);
        let t = tree(out.path());
        assert!(t.len() >= 5 * 2, "{} files", t.len());
        match &first {
            None => first = Some(t),
            Some(f) => {
                assert_eq!(
                    f.keys().collect::<Vec<_>>(),
                    t.keys().collect::<Vec<_>>(),
                    "--threads {threads}: the same files"
                );
                for (name, bytes) in f {
                    assert!(t[name] == *bytes, "--threads {threads}: {name} differs");
                }
            }
        }
    }
}

#[test]
fn the_union_of_shards_is_one_full_run() {
    let corpus = root().join("data");
    let full = tempfile::tempdir().unwrap();
    ingest(&corpus, full.path(), &[]);
    let sharded = tempfile::tempdir().unwrap();
    let n = 3;
    for k in 0..n {
        let o = ingest(&corpus, sharded.path(), &["--shard", &format!("{k}/{n}")]);
        assert!(o.status.success());
    }
    // A shard run again replaces its own files, and nothing else.
    ingest(&corpus, sharded.path(), &["--shard", "1/3"]);
    // The derive stage, which the full run ran at its end.
    let o = xxgk(&["derive", sharded.path().to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in DATASETS.iter().chain(&["yearly_comparison", "metrics"]) {
        let (a, b) = (
            row_set(&full.path().join(name)),
            row_set(&sharded.path().join(name)),
        );
        assert!(
            !a.is_empty() || ["procurement", "yearly_comparison"].contains(name),
            "{name} has rows"
        );
        assert_eq!(a.len(), b.len(), "{name}: row count");
        assert!(
            a == b,
            "{name}: the shards' rows differ from the full run's"
        );
    }
    // Each shard's part files carry its name; every shard published some.
    let names: Vec<String> = tree(&sharded.path().join("reports")).into_keys().collect();
    for k in 0..n {
        let tag = format!("part-{k:05}-of-{n:05}.parquet");
        assert!(
            names.iter().any(|p| p.ends_with(&tag)),
            "{tag} in {names:?}"
        );
    }
    assert!(
        names.iter().all(|p| !p.contains(".xxgk")),
        "no staging left"
    );
}

/// Oracles of a synthetic corpus: (path relative to it, JSON).
fn synth_oracles(dir: &Path) -> Vec<(String, serde_json::Value)> {
    let mut names: Vec<_> = std::fs::read_dir(dir.join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (v["file"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// The noise kinds this test keeps to: those xxgk read when the generator
/// had no others (split_labels left out: it now breaks labels in
/// space-separated rows and at heads two rows share too). The accuracy test
/// below takes every kind.
/// A corpus size: the environment variable `var` when it holds a number,
/// else `default`.
fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const FIRST_KINDS: &str = "thousands_separators,fullwidth_digits,zero_suffix,change_signs,\
header_variants,caption_prefix,halfwidth_brackets,blank_cells";

/// A generated corpus in every layout, format and encoding, read back and
/// scored cell by cell against the generator's oracles: clean reports must
/// match entirely; a noisy report's miss is printed with its noise kinds.
#[test]
fn a_synthetic_corpus_is_read_exactly() {
    let n = size("XXGK_SYNTH_N", 700);
    let corpus = tempfile::tempdir().unwrap();
    common::synth(corpus.path(), n, 11, &["--noise-kinds", FIRST_KINDS]);
    let out = tempfile::tempdir().unwrap();
    ingest(corpus.path(), out.path(), &[]);
    let oracles = synth_oracles(corpus.path());
    assert_eq!(oracles.len(), n);
    let noise: BTreeMap<&str, String> = oracles
        .iter()
        .map(|(p, o)| (p.as_str(), o["noise"].to_string()))
        .collect();
    let diffs = common::score(out.path(), &oracles);
    let (mut clean, mut noisy) = (Vec::new(), Vec::new());
    for d in &diffs {
        let path = d.split(':').next().unwrap_or("");
        match noise.get(path).map(String::as_str) {
            Some("[]") | None => clean.push(d.clone()),
            Some(kinds) => noisy.push(format!("{d}   [noise {kinds}]")),
        }
    }
    assert!(
        clean.is_empty() && noisy.is_empty(),
        "{} misses on clean reports, {} on noisy ones:\n{}\n{}",
        clean.len(),
        noisy.len(),
        clean.join("\n"),
        noisy.join("\n")
    );
}

/// One entry of tests/known_misreads.toml: a report, the keys xxgk
/// publishes a wrong value under, and why.
struct Known {
    path: String,
    keys: Vec<String>,
    reason: String,
}

fn known_misreads() -> Vec<Known> {
    let text = std::fs::read_to_string(root().join("tests/known_misreads.toml")).unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    let field = |e: &toml::Value, k: &str| e[k].as_str().unwrap().to_string();
    v.get("misread")
        .and_then(|m| m.as_array())
        .map(|a| {
            a.iter()
                .map(|e| Known {
                    path: field(e, "path"),
                    keys: e["keys"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| k.as_str().unwrap().to_string())
                        .collect(),
                    reason: field(e, "reason"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The share of cells the accuracy test must read exactly: a floor that only
/// rises, under what the engine reads today (99.73 % at seed 29) and above
/// issue 10's target of 99.5 %.
const EXACT_FLOOR: f64 = 0.996;

/// Every noise kind on every report that can show it (`--noisy 1.0`), in
/// every layout, 3,000 reports, about 590,000 cells: enough to see a misread
/// of 1 report in 1,000 (`XXGK_ACCURACY_N` changes the size). It fails on
/// any value published under a key whose printed value differs that is not
/// listed, cell by cell, in tests/known_misreads.toml; on any miss without
/// a finding; and below the exact share's floor.
#[test]
fn every_noise_kind_is_read_without_an_unlisted_wrong_value() {
    let n = size("XXGK_ACCURACY_N", 3000);
    let corpus = tempfile::tempdir().unwrap();
    common::synth(
        corpus.path(),
        n,
        29,
        &["--noisy", "1.0", "--noise-kinds", "all"],
    );
    let out = tempfile::tempdir().unwrap();
    ingest(corpus.path(), out.path(), &[]);
    let oracles = synth_oracles(corpus.path());
    assert_eq!(oracles.len(), n);
    let acc = common::accuracy(out.path(), &oracles);
    println!("{}", acc.table());
    let known = known_misreads();
    let listed = |m: &common::Mismatch| {
        known
            .iter()
            .find(|k| k.path == m.path && k.keys.contains(&m.key))
    };
    let line = |m: &common::Mismatch| {
        format!(
            "  {:?} {}: {}: {}, expected {}   [{} | {}]",
            m.outcome,
            m.path,
            m.key,
            m.got,
            m.want,
            m.layout,
            m.noise.join(" ")
        )
    };
    let wrong: Vec<&common::Mismatch> = acc
        .mismatches
        .iter()
        .filter(|m| m.outcome == common::Outcome::Wrong)
        .collect();
    let (known_wrong, new_wrong): (Vec<&common::Mismatch>, Vec<&common::Mismatch>) =
        wrong.iter().partition(|m| listed(m).is_some());
    println!(
        "{} wrong values listed in tests/known_misreads.toml:",
        known_wrong.len()
    );
    for m in &known_wrong {
        println!(
            "{}   ({})",
            line(m),
            listed(m).map_or("", |k| k.reason.as_str())
        );
    }
    let fixed: Vec<String> = known
        .iter()
        .flat_map(|k| k.keys.iter().map(move |key| (k, key)))
        .filter(|(k, key)| !wrong.iter().any(|m| m.path == k.path && &m.key == *key))
        .map(|(k, key)| format!("  {}: {key}", k.path))
        .collect();
    if !fixed.is_empty() {
        println!(
            "listed but read right now (remove them from the list):\n{}",
            fixed.join("\n")
        );
    }
    let misses: Vec<&common::Mismatch> = acc
        .mismatches
        .iter()
        .filter(|m| m.outcome != common::Outcome::Wrong)
        .collect();
    println!("{} misses (first 25):", misses.len());
    for m in misses.iter().take(25) {
        println!("{}", line(m));
    }
    let all = acc.all();
    let new: Vec<String> = new_wrong.iter().map(|m| line(m)).collect();
    assert!(
        new.is_empty() && all.silent == 0 && all.exact_share() >= EXACT_FLOOR,
        "{} wrong values not in tests/known_misreads.toml, {} silent misses; {:.3} % of {} cells exact \
         (floor {:.1} %, target 99.5 %); {} wrong in all, {} misses:\n{}",
        new.len(),
        all.silent,
        100.0 * all.exact_share(),
        all.total(),
        100.0 * EXACT_FLOOR,
        all.wrong,
        all.miss,
        new.join("\n")
    );
}

/// PDF and DOCX reports written by the generator (ruled tables across pages,
/// fake bold, vertical group labels, both font kinds; Word tables with spans)
/// are read with no wrong value and at least 99.5 % of cells exact, every
/// miss with a finding. BENCHMARKS.md has the 10,000-report figures.
#[test]
fn pdf_and_docx_reports_are_read_without_a_wrong_value() {
    let n = 300;
    let corpus = tempfile::tempdir().unwrap();
    common::synth(
        corpus.path(),
        n,
        41,
        &[
            "--formats",
            "pdf=0.5,docx=0.5",
            "--noisy",
            "1.0",
            "--noise-kinds",
            "all",
        ],
    );
    let out = tempfile::tempdir().unwrap();
    ingest(corpus.path(), out.path(), &[]);
    let oracles = synth_oracles(corpus.path());
    assert_eq!(oracles.len(), n);
    let acc = common::accuracy(out.path(), &oracles);
    println!("{}", acc.table());
    for group in ["layout:pdf", "layout:docx"] {
        assert!(
            acc.groups.get(group).is_some_and(|t| t.total() > 10_000),
            "{group} is in the corpus"
        );
    }
    let all = acc.all();
    let shown: Vec<String> = acc
        .mismatches
        .iter()
        .take(20)
        .map(|m| {
            format!(
                "  {:?} {}: {}: {}, expected {}",
                m.outcome, m.path, m.key, m.got, m.want
            )
        })
        .collect();
    assert!(
        all.wrong == 0 && all.silent == 0 && all.exact_share() >= 0.995,
        "{} wrong, {} silent, {:.3} % of {} cells exact:\n{}",
        all.wrong,
        all.silent,
        100.0 * all.exact_share(),
        all.total(),
        shown.join("\n")
    );
}
