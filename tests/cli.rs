//! The binary on a temp dir: the datasets it publishes, their schemas against
//! datasets.md, exit codes, `inspect`, and no panic on any truncated input.

mod common;

use arrow_array::Array;
use arrow_schema::DataType;
use common::{batches, copy_tree, files, ingest, root, rows, xxgk};
use rayon::prelude::*;

/// The year a file's name gives (`2020-part-…`, `unknown-part-…`), checked
/// against the `year` column of every row in it.
fn year_of_name(p: &std::path::Path) -> Option<i32> {
    let name = p.file_name().unwrap().to_string_lossy().to_string();
    let (year, rest) = name.split_once('-').unwrap();
    assert_eq!(rest, "part-00000-of-00001.parquet", "{name}");
    assert!(!name.contains('='), "{name}");
    if year == "unknown" {
        None
    } else {
        Some(year.parse().unwrap())
    }
}

#[test]
fn ingest_publishes_five_datasets_a_file_per_year_and_no_staging() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    for name in [
        "reports",
        "disclosure_counts",
        "procurement",
        "litigation",
        "findings",
        "metrics",
    ] {
        let dir = out.path().join(name);
        let f = files(&dir);
        assert!(!f.is_empty(), "{name} has Parquet files");
        // The year column inside each file is the year of its name, in
        // every row: a filter on year can skip the file by its statistics.
        for p in &f {
            let want = year_of_name(p);
            let file = std::fs::File::open(p).unwrap();
            let reader =
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap();
            assert!(reader.metadata().num_row_groups() > 0);
            for b in reader.build().unwrap() {
                let b = b.unwrap();
                let years = b.column_by_name("year").unwrap();
                let years = arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Int32Type>(
                    years.as_ref(),
                );
                for i in 0..b.num_rows() {
                    let got = (!years.is_null(i)).then(|| years.value(i));
                    assert_eq!(got, want, "{}", p.display());
                }
            }
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging removed: {leftovers:?}");
    // Every file of a format read under data/ (but expected/) is a report;
    // every report ok, or the status its oracle names (a scan, a password).
    let reports = rows(&out.path().join("reports"));
    let mut n = 0;
    for sub in ["seeds", "fixtures", "years"] {
        for e in std::fs::read_dir(root().join("data").join(sub)).unwrap() {
            let p = e.unwrap().path();
            n += usize::from(
                p.extension()
                    .is_some_and(|x| ["txt", "html", "pdf", "docx"].iter().any(|e| x == *e)),
            );
        }
    }
    assert!(n >= 34);
    assert_eq!(reports.len(), n);
    // A fixture whose oracle expects `table.missing` holds some of the
    // tables only (a page with table 4 alone): partial; every other one ok.
    let oracles = common::oracles();
    let status_of = |path: &str| -> &str {
        let Some((_, o)) = oracles.iter().find(|(p, _)| p == path) else {
            return "ok";
        };
        let missing = o["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|c| c == "table.missing"));
        o["status"]
            .as_str()
            .unwrap_or(if missing { "partial" } else { "ok" })
    };
    for r in &reports {
        let path = r["source_path"].str().unwrap_or("");
        let want = status_of(path);
        assert_eq!(r["status"].str(), Some(want), "{path}");
        assert_eq!(r["parser_version"].str(), Some(env!("CARGO_PKG_VERSION")));
    }
}

/// The minimum columns and types of datasets.md.
#[test]
fn schemas_match_the_contract() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data").join("seeds"), out.path(), &[]);
    let s = || DataType::Utf8;
    let i32 = || DataType::Int32;
    let i64 = || DataType::Int64;
    // The columns every table dataset starts with (datasets.md).
    let with_report = |rest: Vec<(&'static str, DataType)>| {
        let mut cols = vec![
            ("report_id", s()),
            ("year", i32()),
            ("org_name", s()),
            ("template", s()),
        ];
        cols.extend(rest);
        cols
    };
    let contract: [(&str, Vec<(&str, DataType)>); 5] = [
        (
            "reports",
            vec![
                ("report_id", s()),
                ("source_path", s()),
                ("year", i32()),
                ("template", s()),
                ("org_name", s()),
                ("format", s()),
                ("pages", i32()),
                ("encoding", s()),
                ("status", s()),
                ("cells_found", i32()),
                ("findings", i32()),
                ("errors", i32()),
                ("parser_version", s()),
            ],
        ),
        (
            "disclosure_counts",
            with_report(vec![
                ("table_key", s()),
                ("row_key", s()),
                ("col_key", s()),
                ("value", i64()),
                ("raw", s()),
                ("table_label", s()),
                ("row_label", s()),
                ("col_label", s()),
            ]),
        ),
        (
            "procurement",
            with_report(vec![
                ("item_key", s()),
                ("project_count", i64()),
                ("amount_unit", s()),
                ("amount_raw", s()),
            ]),
        ),
        (
            "litigation",
            with_report(vec![
                ("proceeding_key", s()),
                ("outcome_key", s()),
                ("value", i64()),
                ("raw", s()),
            ]),
        ),
        (
            "findings",
            vec![
                ("report_id", s()),
                ("source_path", s()),
                ("year", i32()),
                ("severity", s()),
                ("code", s()),
                ("table_key", s()),
                ("row_key", s()),
                ("col_key", s()),
                ("page", i32()),
                ("message", s()),
            ],
        ),
    ];
    for (name, cols) in contract {
        let b = batches(&out.path().join(name));
        let schema = b[0].schema();
        for (col, ty) in cols {
            let f = schema
                .field_with_name(col)
                .unwrap_or_else(|_| panic!("{name}.{col} exists"));
            assert_eq!(f.data_type(), &ty, "{name}.{col}");
        }
    }
    let b = batches(&out.path().join("procurement"));
    let schema = b[0].schema();
    assert!(matches!(
        schema.field_with_name("amount_value").unwrap().data_type(),
        DataType::Decimal128(_, _)
    ));
    match schema.field_with_name("amount_yuan").unwrap().data_type() {
        DataType::Decimal128(_, scale) => assert!(*scale >= 2),
        other => panic!("amount_yuan is {other}"),
    }
}

#[test]
fn strict_exits_1_on_error_findings_and_still_publishes() {
    let out = tempfile::tempdir().unwrap();
    let corpus = root().join("data").join("fixtures");
    let o = xxgk(&[
        "ingest",
        corpus.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("requests.balance 1"), "{summary}");
    assert!(!files(&out.path().join("findings")).is_empty());
    // Without --strict the same run exits 0.
    ingest(&corpus, out.path(), &[]);
}

#[test]
fn fatal_errors_exit_2_naming_the_file() {
    let out = tempfile::tempdir().unwrap();
    let o = xxgk(&[
        "ingest",
        "/no/such/corpus",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .starts_with("xxgk: CORPUS /no/such/corpus: cannot be read:"));

    let cfg = out.path().join("bad.toml");
    std::fs::write(&cfg, "[corpus]\ninclude = [\"**/*.txt\"]\ncolour = 1\n").unwrap();
    let o = xxgk(&["inspect", "x.txt", "--config", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.toml") && err.contains("colour"), "{err}");
}

#[test]
fn inspect_shows_template_year_org_and_grids() {
    let f = root().join("data/seeds/004_654f76a9eb189add.txt");
    let o = xxgk(&["inspect", f.to_str().unwrap()]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for want in [
        "template  gb2019",
        "year      2020 (from prose",
        "org       祥符街道",
        "[litigation]",
        "[art20_9]",
        "\"5243.883073万元\" → 5243.883073 万元 = 52438830.73 元",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // A PDF's pages, and the page a finding is on (洪泽 2023 prints
    // table-4 totals that do not add up, on its page 4).
    let f = root().join("data/fixtures/pdf-hongze-2023.pdf");
    let o = xxgk(&["inspect", f.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("format pdf   layout pdf   pages 5"), "{text}");
    assert!(text.contains("litigation.total       p.4 "), "{text}");
}

/// No file of data/, cut at every 7th byte (a page: every 53rd), makes the
/// pipeline panic. The strides are prime, so cuts fall at every offset inside
/// two-, three- and four-byte characters; the property tests cut at random.
#[test]
fn no_truncation_of_any_data_file_panics() {
    use xxgk::model::Format;
    let settings = xxgk::settings::load(None, None).unwrap();
    let mut paths = Vec::new();
    for sub in ["seeds", "fixtures"] {
        for e in std::fs::read_dir(root().join("data").join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                paths.push(p);
            }
        }
    }
    assert!(paths.len() >= 30);
    let checked: usize = paths
        .par_iter()
        .map(|p: &std::path::PathBuf| {
            let bytes = std::fs::read(p).unwrap();
            // PDF and DOCX files are cut at 40 places here; tests/pdf.rs and
            // tests/docx.rs cut and mutate them further.
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            let (format, step) = match ext {
                "html" => (Format::Html, 53),
                "pdf" => (Format::Pdf, (bytes.len() / 40).max(1)),
                "docx" => (Format::Docx, (bytes.len() / 40).max(1)),
                _ => (Format::Txt, 7),
            };
            let mut n = 0;
            for cut in (0..=bytes.len()).step_by(step) {
                let r = xxgk::report::from_bytes("t", bytes[..cut].to_vec(), format, &settings);
                assert!(r.findings.iter().all(|f| !f.message.is_empty()));
                n += 1;
            }
            n
        })
        .sum();
    assert!(checked > 20_000, "{checked} cuts");
}

/// Every one-line idiom of datasets.md -- pandas (default and pyarrow
/// backend), pyarrow dataset, polars, DuckDB, Spark -- loads every dataset
/// with the contract's types, and the readers agree (tests/readers.py;
/// `pip install -r tests/requirements.txt`, and a Java runtime for Spark).
/// Four runs: data/ with the multi-year bodies of tests/years and two
/// unreadable files (rows of unknown year, comparison rows), the unreadable
/// files alone (empty datasets; reports of unknown year only), an empty
/// corpus (every dataset empty), and a 3,000-report synthetic corpus.
#[test]
fn real_readers_load_the_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let (full, bad) = (dir.path().join("c1"), dir.path().join("c2"));
    // All of data/ (the README's first command), and the multi-year test
    // corpus besides.
    copy_tree(&root().join("data"), &full.join("data"));
    copy_tree(&root().join("tests/years/corpus"), &full.join("years"));
    for c in [&full, &bad] {
        std::fs::create_dir_all(c).unwrap();
        std::fs::write(c.join("binary.txt"), b"\x00\x01\x02 not a report").unwrap();
        std::fs::write(c.join("empty.txt"), b"").unwrap();
    }
    let nothing = dir.path().join("c3");
    std::fs::create_dir_all(&nothing).unwrap();
    // A 3,000-report synthetic run: six years, every layout and noise kind.
    let synth = dir.path().join("c4");
    common::synth(&synth, 3000, 3, &[]);
    let outs = [
        dir.path().join("o1"),
        dir.path().join("o2"),
        dir.path().join("o3"),
        dir.path().join("o4"),
    ];
    ingest(&full, &outs[0], &[]);
    ingest(&bad, &outs[1], &[]);
    ingest(&nothing, &outs[2], &[]);
    ingest(&synth, &outs[3], &[]);
    common::python("readers.py", &outs, "readers");
}

/// An empty corpus still publishes every dataset, derived ones included, as
/// one zero-row file with the full schema.
#[test]
fn an_empty_corpus_gives_one_zero_row_file_per_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c");
    std::fs::create_dir_all(&corpus).unwrap();
    let out = dir.path().join("out");
    ingest(&corpus, &out, &[]);
    for name in common::DATASETS {
        let f = files(&out.join(name));
        let names: Vec<String> = f
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["empty-part-00000-of-00001.parquet"], "{name}");
        let file = std::fs::File::open(&f[0]).unwrap();
        let reader =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0, "{name}");
        let schema = reader.schema();
        assert_eq!(
            schema.field_with_name("year").unwrap().data_type(),
            &DataType::Int32,
            "{name}"
        );
        assert!(schema.fields().len() >= 9, "{name}: the full schema");
    }
}

/// Quality flags: `reports.errors` counts the report's error findings, and
/// `checks_failed` marks the metrics of such a report and the comparison rows
/// that involve it in either year. One body's 2021 report gets a wrong
/// review total (litigation.total); a second body stays clean.
#[test]
fn a_failed_check_flags_the_report_its_metrics_and_its_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c");
    let src = root().join("tests/years/corpus/四川省/成都市");
    copy_tree(&src, &corpus);
    let broken = corpus.join("武侯区/2021/武侯区市场监督管理局2021年政府信息公开工作年度报告.txt");
    let text = std::fs::read_to_string(&broken).unwrap();
    // The litigation row: fifteen numbers; the fifth is the review total.
    let mut changed = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            if cells.len() == 15 && cells.iter().all(|c| c.parse::<u32>().is_ok()) {
                changed += 1;
                let mut c: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                c[4] = (c[4].parse::<u32>().unwrap() + 1).to_string();
                c.join("\t")
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(changed, 1, "one litigation row in {}", broken.display());
    std::fs::write(&broken, lines.join("\n")).unwrap();
    let out = dir.path().join("out");
    ingest(&corpus, &out, &[]);

    let s = |v: &common::Val| v.str().unwrap_or("").to_string();
    // errors = the report's error findings, counted from `findings`.
    let mut counted: std::collections::BTreeMap<String, i64> = Default::default();
    for f in rows(&out.join("findings")) {
        if f["severity"].str() == Some("error") {
            *counted.entry(s(&f["report_id"])).or_default() += 1;
        }
    }
    let reports = rows(&out.join("reports"));
    assert_eq!(reports.len(), 4);
    let mut failed = std::collections::BTreeSet::new();
    for r in &reports {
        let id = s(&r["report_id"]);
        let errors = r["errors"].int().unwrap();
        assert_eq!(errors, counted.get(&id).copied().unwrap_or(0), "{id}");
        let want = i64::from(s(&r["source_path"]).contains("武侯区/2021"));
        assert_eq!(errors, want, "{:?}", r["source_path"]);
        if errors > 0 {
            failed.insert(id);
        }
    }
    let flag = |r: &std::collections::BTreeMap<String, common::Val>| match r["checks_failed"] {
        common::Val::Bool(b) => b,
        ref other => panic!("checks_failed is {other:?}"),
    };
    let metrics = rows(&out.join("metrics"));
    assert!(!metrics.is_empty());
    for m in &metrics {
        assert_eq!(flag(m), failed.contains(&s(&m["report_id"])), "{m:?}");
    }
    assert!(metrics.iter().any(flag) && !metrics.iter().all(flag));
    let cmp = rows(&out.join("yearly_comparison"));
    let (wuhou, jinjiang): (Vec<_>, Vec<_>) = cmp
        .iter()
        .partition(|r| s(&r["org_key"]).contains("武侯区"));
    assert!(
        !wuhou.is_empty() && !jinjiang.is_empty(),
        "{} rows",
        cmp.len()
    );
    assert!(
        wuhou.iter().all(|r| flag(r)),
        "the 2021 report failed a check"
    );
    assert!(jinjiang.iter().all(|r| !flag(r)));
}

/// Runs the binary and gives (exit code, stderr).
fn fails(args: &[&str]) -> (Option<i32>, String) {
    let o = xxgk(args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A fatal error names the argument that failed and what failed, exits 2 and
/// publishes nothing (fd/ripgrep style: `xxgk: --out FILE: …`).
#[test]
fn errors_name_the_argument_and_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let d = |p: &str| dir.path().join(p).to_str().unwrap().to_string();
    let seeds = root().join("data/seeds");
    let seeds = seeds.to_str().unwrap();
    std::fs::write(d("a_file"), b"").unwrap();
    let cases: [(Vec<String>, String); 6] = [
        (
            vec!["ingest".into(), seeds.into(), "--out".into(), d("a_file")],
            format!(
                "xxgk: --out {}: cannot create the output folder: File exists",
                d("a_file")
            ),
        ),
        (
            vec!["ingest".into(), d("nowhere"), "--out".into(), d("o")],
            format!(
                "xxgk: CORPUS {}: cannot be read: No such file",
                d("nowhere")
            ),
        ),
        (
            vec![
                "ingest".into(),
                seeds.into(),
                "--out".into(),
                d("o"),
                "--config".into(),
                d("missing.toml"),
            ],
            format!("xxgk: --config {}: No such file", d("missing.toml")),
        ),
        (
            vec![
                "ingest".into(),
                seeds.into(),
                "--out".into(),
                d("o"),
                "--shard".into(),
                "3/2".into(),
            ],
            "--shard \"3/2\": expected K/N".into(),
        ),
        (
            vec![
                "ingest".into(),
                seeds.into(),
                "--out".into(),
                d("o"),
                "--threads".into(),
                "0".into(),
            ],
            "'--threads <THREADS>': 0 is not in 1..".into(),
        ),
        (
            vec![
                "ingest".into(),
                seeds.into(),
                "--out".into(),
                d("o"),
                "--threads".into(),
                "many".into(),
            ],
            "invalid value 'many' for '--threads <THREADS>'".into(),
        ),
    ];
    for (args, want) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = fails(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains(&want), "{args:?}: {err:?} lacks {want:?}");
    }
    assert!(!dir.path().join("o").exists(), "nothing published");
}

/// A copy of config/xxgk.toml without its templates beside it: the error
/// names the template path and says how to get a working copy, and
/// `xxgk config --write` gives one.
#[test]
fn a_copied_config_without_templates_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("mine/xxgk.toml");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(root().join("config/xxgk.toml"), &copy).unwrap();
    let out = dir.path().join("o");
    let seeds = root().join("data/seeds");
    let args = |cfg: &std::path::Path| {
        vec![
            "ingest".to_string(),
            seeds.to_str().unwrap().to_string(),
            "--out".into(),
            out.to_str().unwrap().into(),
            "--quiet".into(),
            "--config".into(),
            cfg.to_str().unwrap().into(),
        ]
    };
    let a = args(&copy);
    let (code, err) = fails(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(2), "{err}");
    let missing = dir.path().join("mine/templates/gb2019.toml");
    for want in [
        format!("--config {}", copy.display()),
        missing.display().to_string(),
        "xxgk config --print".into(),
        "config/templates/".into(),
    ] {
        assert!(err.contains(&want), "{err:?} lacks {want:?}");
    }
    // `config --write DIR` writes a copy that loads, and refuses to
    // overwrite it.
    let w = dir.path().join("written");
    let o = xxgk(&["config", "--write", w.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = args(&w.join("xxgk.toml"));
    let o = xxgk(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (code, err) = fails(&["config", "--write", w.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--write") && err.contains("xxgk.toml"),
        "{err}"
    );
}

/// `xxgk config --print` is the embedded config, `--templates` the embedded
/// templates; without either it is a usage error.
#[test]
fn config_print_shows_the_embedded_config_and_templates() {
    let o = xxgk(&["config", "--print"]);
    assert!(o.status.success());
    let shipped = std::fs::read_to_string(root().join("config/xxgk.toml")).unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), shipped);
    let o = xxgk(&["config", "--templates"]);
    let text = String::from_utf8(o.stdout).unwrap();
    for name in ["gb2019", "gb2021"] {
        let t =
            std::fs::read_to_string(root().join(format!("config/templates/{name}.toml"))).unwrap();
        assert!(text.contains(&format!("# ==> templates/{name}.toml <==\n{t}")));
    }
    assert_eq!(xxgk(&["config"]).status.code(), Some(2));
}

/// `ingest --help` names all seven datasets and every exit code.
#[test]
fn ingest_help_lists_the_datasets_and_exit_codes() {
    let o = xxgk(&["ingest", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    for name in xxgk::dictionary::datasets().iter().map(|d| d.0) {
        assert!(help.contains(name), "--help lacks {name}:\n{help}");
    }
    for code in ["0 ", "1 ", "2 ", "130", "143", "--follow"] {
        assert!(help.contains(code), "--help lacks {code}:\n{help}");
    }
}
