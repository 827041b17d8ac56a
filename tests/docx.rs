//! DOCX reports made by python-docx (tests/docx/make.py) from two HTML
//! fixtures: real Word tables with merged cells (gridSpan, vMerge), runs
//! split inside numbers, a formula field, a tracked change, a comment, a
//! header and a footer. Ingested by the real binary and read back from
//! Parquet, they must give every cell of the HTML fixture's oracle, and the
//! same value rows as the HTML page itself. Cut and mutated, they are
//! refused or read, never a panic, in bounded time.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use common::{ingest, root, rows, score, Val};

const NAMES: [&str; 2] = ["html_spans_one_page", "html_table_per_item_gb2019"];

fn docx(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/docx").join(format!("{name}.docx"))).unwrap()
}

/// The HTML fixture's oracle, for its DOCX twin at `path`.
fn oracle(name: &str, path: &str) -> (String, serde_json::Value) {
    let p = root().join(format!("data/fixtures/expected/{name}.json"));
    let mut o: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    o["file"] = path.into();
    o["format"] = "docx".into();
    (path.to_string(), o)
}

#[test]
fn docx_reports_give_their_oracle_cells_read_back_from_parquet() {
    let corpus = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut oracles = Vec::new();
    for name in NAMES {
        let path = format!("{name}.docx");
        std::fs::write(corpus.path().join(&path), docx(name)).unwrap();
        oracles.push(oracle(name, &path));
    }
    ingest(corpus.path(), out.path(), &[]);
    let diffs = score(out.path(), &oracles);
    assert!(
        diffs.is_empty(),
        "{} mismatches:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    for r in rows(&out.path().join("reports")) {
        assert_eq!(r["format"].str(), Some("docx"), "{r:?}");
        assert_eq!(r["layout"].str(), Some("docx"), "{r:?}");
        assert_eq!(r["status"].str(), Some("ok"), "{r:?}");
    }
}

/// The value rows of one report, without its id.
fn values(out: &Path, id: &str) -> Vec<BTreeMap<String, Val>> {
    let mut all = Vec::new();
    for dataset in ["disclosure_counts", "procurement", "litigation"] {
        for mut r in rows(&out.join(dataset)) {
            if r["report_id"].str() == Some(id) {
                r.remove("report_id");
                r.remove("source_path");
                all.push(r);
            }
        }
    }
    all
}

#[test]
fn a_docx_and_the_page_it_was_made_from_give_identical_value_rows() {
    let corpus = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for name in NAMES {
        std::fs::write(corpus.path().join(format!("{name}.docx")), docx(name)).unwrap();
        std::fs::copy(
            root().join(format!("data/fixtures/{name}.html")),
            corpus.path().join(format!("{name}.html")),
        )
        .unwrap();
    }
    ingest(corpus.path(), out.path(), &[]);
    let reports = rows(&out.path().join("reports"));
    let id = |path: &str| {
        reports
            .iter()
            .find(|r| r["source_path"].str() == Some(path))
            .and_then(|r| r["report_id"].str())
            .unwrap()
            .to_string()
    };
    for name in NAMES {
        let html = values(out.path(), &id(&format!("{name}.html")));
        let word = values(out.path(), &id(&format!("{name}.docx")));
        assert!(html.len() > 150, "{name}: {} rows", html.len());
        assert_eq!(html, word, "{name}: the page and the DOCX differ");
    }
}

#[test]
fn cut_and_mutated_reports_are_refused_or_read_in_bounded_time() {
    let settings = xxgk::settings::load(None, None).unwrap();
    for name in NAMES {
        let good = docx(name);
        // Milliseconds per file (debug build), for the report.
        let started = Instant::now();
        let reps = 20;
        for _ in 0..reps {
            let r = xxgk::input::docx::read(good.clone(), &settings).unwrap();
            assert!(r.cells.len() > 150);
        }
        eprintln!(
            "{name}: {} bytes, {:.2} ms per read",
            good.len(),
            started.elapsed().as_secs_f64() * 1000.0 / f64::from(reps)
        );
        let started = Instant::now();
        let step = good.len() / 400;
        let (mut read, mut refused) = (0, 0);
        for at in (0..good.len()).step_by(step) {
            let cut = xxgk::input::docx::read(good[..at].to_vec(), &settings);
            let mut bad = good.clone();
            bad[at] ^= 0x5A;
            let mutated = xxgk::input::docx::read(bad, &settings);
            for r in [cut, mutated] {
                match r {
                    Ok(_) => read += 1,
                    Err(e) => {
                        assert!(e.code.starts_with("docx."), "{e:?}");
                        refused += 1;
                    }
                }
            }
        }
        eprintln!(
            "{name}: {read} read, {refused} refused in {:?}",
            started.elapsed()
        );
        assert!(refused > 400, "{name}: {refused}");
        assert!(started.elapsed().as_secs() < 120);
    }
}

/// A zip of `(name, bytes)` entries, deflated.
fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn document(body: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
    .into_bytes()
}

/// Every bad Word file is a `reports` row with its own code, and the run
/// goes on with exit 0 and reads the good one.
#[test]
fn bad_word_files_are_rows_with_a_named_problem() {
    let corpus = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let put = |rel: &str, bytes: &[u8]| std::fs::write(corpus.path().join(rel), bytes).unwrap();
    let good = docx(NAMES[0]);
    put("good.docx", &good);
    put("cut.docx", &good[..good.len() / 2]);
    put("not_a_zip.docx", "规章\t1\t2".as_bytes());
    // 16 MiB of one character in one entry: a zip bomb by its ratio.
    let zeros = format!("<w:p><w:r><w:t>{}</w:t></w:r></w:p>", "0".repeat(16 << 20));
    put(
        "bomb.docx",
        &zip_of(&[("word/document.xml".into(), document(&zeros))]),
    );
    // More entries than docx.max_entries.
    let mut many: Vec<(String, Vec<u8>)> = (0..10_001)
        .map(|i| (format!("word/media/image{i}.png"), vec![b'x']))
        .collect();
    many.push(("word/document.xml".into(), document("")));
    put("many.docx", &zip_of(&many));
    let deep = format!(
        "{}{}",
        "<w:sdt><w:sdtContent>".repeat(300),
        "</w:sdtContent></w:sdt>".repeat(300)
    );
    put(
        "deep.docx",
        &zip_of(&[("word/document.xml".into(), document(&deep))]),
    );
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0u8; 1000]);
    put("old.doc", &ole);
    ole.push(1);
    put("old.WPS", &ole);
    ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    put("locked.docx", &ole);
    let started = Instant::now();
    ingest(corpus.path(), out.path(), &[]);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    let reports = rows(&out.path().join("reports"));
    let findings = rows(&out.path().join("findings"));
    let row = |path: &str| {
        reports
            .iter()
            .find(|r| r["source_path"].str() == Some(path))
            .unwrap_or_else(|| panic!("no reports row for {path}"))
    };
    assert_eq!(row("good.docx")["status"].str(), Some("ok"));
    // Text under a .docx name is read as the text it is, with a warning.
    let misnamed = row("not_a_zip.docx");
    assert_eq!(misnamed["format"].str(), Some("txt"));
    let id = misnamed["report_id"].str().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["report_id"].str() == Some(id) && f["code"].str() == Some("file.misnamed")));
    for (path, format, code) in [
        ("cut.docx", "docx", "docx.damaged"),
        ("bomb.docx", "docx", "docx.too_large"),
        ("many.docx", "docx", "docx.too_large"),
        ("deep.docx", "docx", "docx.too_deep"),
        ("old.doc", "doc", "file.legacy_word"),
        ("old.WPS", "doc", "file.legacy_word"),
        ("locked.docx", "docx", "docx.encrypted"),
    ] {
        let r = row(path);
        assert_eq!(r["status"].str(), Some("unreadable"), "{path}");
        assert_eq!(r["format"].str(), Some(format), "{path}");
        let id = r["report_id"].str().unwrap();
        let f = findings
            .iter()
            .find(|f| f["report_id"].str() == Some(id) && f["severity"].str() == Some("error"))
            .unwrap_or_else(|| panic!("{path}: no error finding"));
        assert_eq!(f["code"].str(), Some(code), "{path}: {f:?}");
        assert!(
            f["message"].str().unwrap().starts_with(&format!("{path}:")),
            "{f:?}"
        );
    }
}
