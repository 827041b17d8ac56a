//! The binary on a temp dir: the datasets it publishes, their schemas against
//! datasets.md, exit codes, `inspect`, and no panic on any truncated input.

mod common;

use arrow_schema::DataType;
use common::{batches, files, ingest, root, rows, xxgk};
use rayon::prelude::*;

#[test]
fn ingest_publishes_five_partitioned_datasets_and_no_staging() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    for name in [
        "reports",
        "disclosure_counts",
        "procurement",
        "litigation",
        "findings",
    ] {
        let dir = out.path().join(name);
        let f = files(&dir);
        assert!(!f.is_empty(), "{name} has Parquet files");
        for p in &f {
            let part = p
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            assert!(
                part.starts_with("year="),
                "{} is in a year partition",
                p.display()
            );
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging removed: {leftovers:?}");
    // Every .txt and .html file under data/ (but expected/) is a report;
    // every report ok.
    let reports = rows(&out.path().join("reports"));
    let mut n = 0;
    for sub in ["seeds", "fixtures", "years"] {
        for e in std::fs::read_dir(root().join("data").join(sub)).unwrap() {
            let p = e.unwrap().path();
            n += usize::from(p.extension().is_some_and(|x| x == "txt" || x == "html"));
        }
    }
    assert!(n >= 34);
    assert_eq!(reports.len(), n);
    // A fixture whose oracle expects `table.missing` holds some of the
    // tables only (a page with table 4 alone): partial; every other one ok.
    let partial: Vec<String> = common::oracles()
        .into_iter()
        .filter(|(_, o)| {
            o["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|c| c == "table.missing"))
        })
        .map(|(path, _)| path)
        .collect();
    for r in &reports {
        let path = r["source_path"].str().unwrap_or("");
        let want = if partial.iter().any(|p| p == path) {
            "partial"
        } else {
            "ok"
        };
        assert_eq!(r["status"].str(), Some(want), "{path}");
        assert_eq!(r["parser_version"].str(), Some(env!("CARGO_PKG_VERSION")));
    }
    // The year column inside the files agrees with the partition.
    for p in files(&out.path().join("litigation")) {
        let dir = p
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for b in batches(p.parent().unwrap()) {
            let years = b.column_by_name("year").unwrap();
            let y = arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Int32Type>(
                years.as_ref(),
            );
            // A report of unknown year sits in the null partition.
            let want = if arrow_array::Array::is_null(y, 0) {
                "year=__HIVE_DEFAULT_PARTITION__".to_string()
            } else {
                format!("year={}", y.value(0))
            };
            assert_eq!(dir, want);
        }
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
                ("encoding", s()),
                ("status", s()),
                ("cells_found", i32()),
                ("findings", i32()),
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
            let html = p.extension().is_some_and(|x| x == "html");
            let (format, step) = if html {
                (Format::Html, 53)
            } else {
                (Format::Txt, 7)
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

/// pyarrow/pandas, polars and DuckDB load every dataset with the contract's
/// types (tests/readers.py; install with `pip install -r tests/requirements.txt`).
#[test]
fn real_readers_load_the_datasets() {
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    let o = std::process::Command::new("python3")
        .arg(root().join("tests/readers.py"))
        .arg(out.path())
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "readers.py failed (pip install -r tests/requirements.txt?):\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
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
