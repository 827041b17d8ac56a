//! A corpus of the files a crawl really leaves behind: every one gets a
//! `reports` row with a status and a finding naming its problem, the run
//! publishes with exit 0, and `--strict` turns the errors into exit 1.

#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, rows, Val};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("data/fixtures").join(name)).unwrap()
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    p
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs the binary; as root (where file modes do not bind) it runs as
/// `nobody` from a copy of the binary, so a mode-000 file is unreadable.
fn run(work: &Path, args: &[&str]) -> std::process::Output {
    if !is_root() {
        return Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args(args)
            .output()
            .unwrap();
    }
    let bin = work.join("xxgk");
    if !bin.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_xxgk"), &bin).unwrap();
    }
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(args)
        .output()
        .expect("setpriv runs")
}

fn open_up(p: &Path) {
    for e in walk(p) {
        let mode = if e.is_dir() { 0o777 } else { 0o644 };
        let _ = std::fs::set_permissions(&e, std::fs::Permissions::from_mode(mode));
    }
}

fn walk(p: &Path) -> Vec<PathBuf> {
    let mut out = vec![p.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        let d = out[i].clone();
        i += 1;
        if d.is_symlink() || !d.is_dir() {
            continue;
        }
        for e in std::fs::read_dir(&d).unwrap() {
            out.push(e.unwrap().path());
        }
    }
    out
}

#[test]
fn every_hostile_file_is_a_row_with_a_named_problem() {
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let corpus = work.path().join("corpus");
    let good = fixture("layout4_pipe_rows.txt");
    let page = fixture("html_spans_one_page.html");

    write(&corpus, "good.txt", &good);
    write(&corpus, "zz_same_bytes.txt", &good);
    write(&corpus, "empty.txt", b"");
    write(&corpus, "blank.html", b"  \n\t\r\n ");
    let mut pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    pdf.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));
    write(&corpus, "report.pdf.txt", &pdf);
    let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    doc.extend(std::iter::repeat_n(0u8, 512));
    write(&corpus, "saved_as.html", &doc);
    write(
        &corpus,
        "image.txt",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10",
    );
    // Random high bytes with no NUL and no signature: no Chinese encoding.
    let noise: Vec<u8> = (0..3000u32)
        .map(|i| 0x80 | (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    write(&corpus, "noise.txt", &noise);
    // A page saved half-way: cut inside the requests table.
    let cut = String::from_utf8_lossy(&page)
        .find("本年度办理结果")
        .unwrap();
    write(&corpus, "truncated.html", &page[..cut + 200]);
    // 200 MB of real text, above the default 32 MiB limit.
    let big = write(&corpus, "big.txt", b"");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        while f.get_ref().metadata().unwrap().len() < 200 << 20 {
            for _ in 0..1000 {
                f.write_all(&good).unwrap();
            }
            f.flush().unwrap();
        }
    }
    // A file name that is not UTF-8 (规.txt in GBK bytes).
    let gbk_name = corpus.join(std::ffi::OsStr::from_bytes(b"\xB9\xE6.txt"));
    std::fs::write(&gbk_name, fixture("layout1_pdf_tabs_split_labels.txt")).unwrap();
    // No read permission.
    let locked = write(
        &corpus,
        "locked.txt",
        &fixture("layout2_docx_cells_blanks.txt"),
    );
    // Links: a loop back to an ancestor, a link to itself, a link to nothing,
    // and a good link (followed, so a duplicate of its target).
    std::fs::create_dir_all(corpus.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", corpus.join("loop/up")).unwrap();
    std::os::unix::fs::symlink("self.txt", corpus.join("self.txt")).unwrap();
    std::os::unix::fs::symlink("nowhere.txt", corpus.join("dangling.txt")).unwrap();
    std::os::unix::fs::symlink("good.txt", corpus.join("link_to_good.txt")).unwrap();
    // A FIFO named like a report: reading it would block for ever.
    assert!(Command::new("mkfifo")
        .arg(corpus.join("fifo.txt"))
        .status()
        .unwrap()
        .success());
    // 120 nested folders with a report at the bottom.
    let deep_rel = format!("{}deep.txt", "d/".repeat(120));
    write(&corpus, &deep_rel, &fixture("layout6_space_separated.txt"));
    // A page nesting 100,000 elements.
    let nested = format!(
        "<html><body>{}规章{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    write(&corpus, "nested.html", nested.as_bytes());
    // Not a chosen format: not part of the run.
    write(&corpus, "notes.md", b"# not a report");

    open_up(&corpus);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = work.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    open_up(&out);

    let (c, o) = (corpus.to_str().unwrap(), out.to_str().unwrap());
    let run1 = run(work.path(), &["ingest", c, "--out", o]);
    assert_eq!(
        run1.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run1.stderr)
    );
    let summary = String::from_utf8_lossy(&run1.stderr);
    assert!(
        summary.contains("1 more files are of no format read"),
        "{summary}"
    );

    let reports = rows(&out.join("reports"));
    let findings = rows(&out.join("findings"));
    let by_path: BTreeMap<String, &BTreeMap<String, Val>> = reports
        .iter()
        .map(|r| (r["source_path"].str().unwrap().to_string(), r))
        .collect();
    let codes = |path: &str| -> Vec<String> {
        let id = by_path[path]["report_id"].str().unwrap();
        let mut v: Vec<String> = findings
            .iter()
            .filter(|f| f["report_id"].str() == Some(id) && f["source_path"].str() == Some(path))
            .map(|f| f["code"].str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let expect = |path: &str, status: &str, code: &str| {
        let Some(r) = by_path.get(path) else {
            panic!("no reports row for {path}; rows: {:?}", by_path.keys());
        };
        assert_eq!(r["status"].str(), Some(status), "{path}");
        assert!(
            codes(path).iter().any(|c| c == code),
            "{path}: {:?}, expected {code}",
            codes(path)
        );
    };
    expect("empty.txt", "unreadable", "file.empty");
    expect("blank.html", "unreadable", "file.empty");
    expect("report.pdf.txt", "unreadable", "pdf.damaged");
    // The bytes decide the format: an OLE file is a legacy Word file whatever its name.
    expect("saved_as.html", "unreadable", "file.legacy_word");
    expect("image.txt", "unreadable", "file.binary");
    expect("noise.txt", "unreadable", "file.not_text");
    expect("truncated.html", "partial", "table.missing");
    expect("big.txt", "unreadable", "file.too_large");
    expect("locked.txt", "unreadable", "file.permission");
    expect("\\xB9\\xE6.txt", "ok", "path.not_utf8");
    expect("loop/up", "unreadable", "file.symlink_loop");
    expect("self.txt", "unreadable", "file.symlink_loop");
    expect("dangling.txt", "unreadable", "file.dangling_link");
    expect("fifo.txt", "unreadable", "file.not_regular");
    expect("nested.html", "unreadable", "html.too_deep");
    assert_eq!(by_path[deep_rel.as_str()]["status"].str(), Some("ok"));
    // Duplicates: the later path names the first, and adds no rows.
    for dup in ["link_to_good.txt", "zz_same_bytes.txt"] {
        let r = by_path[dup];
        assert_eq!(r["status"].str(), Some("duplicate"), "{dup}");
        assert_eq!(r["duplicate_of"].str(), Some("good.txt"), "{dup}");
    }
    // Its one finding names both paths (the first looked up on disk, sink::first).
    let findings = rows(&out.join("findings"));
    let dup: Vec<_> = findings
        .iter()
        .filter(|f| f["source_path"].str() == Some("zz_same_bytes.txt"))
        .collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0]["code"].str(), Some("file.duplicate"));
    assert_eq!(
        dup[0]["message"].str(),
        Some("zz_same_bytes.txt: the same bytes as good.txt; its rows are not repeated")
    );
    let good_id = by_path["good.txt"]["report_id"].str().unwrap();
    let lit = rows(&out.join("litigation"));
    assert_eq!(
        lit.iter()
            .filter(|r| r["report_id"].str() == Some(good_id))
            .count(),
        15
    );
    assert!(!by_path.contains_key("notes.md"));
    // Every message of an unreadable file names it.
    for f in &findings {
        if f["severity"].str() == Some("error") && f["code"].str().unwrap().starts_with("file.") {
            let path = f["source_path"].str().unwrap();
            assert!(
                f["message"].str().unwrap().starts_with(&format!("{path}:")),
                "{f:?}"
            );
        }
    }

    // --strict: the same run exits 1.
    let out2 = work.path().join("out2");
    std::fs::create_dir_all(&out2).unwrap();
    open_up(&out2);
    let run2 = run(
        work.path(),
        &[
            "ingest",
            c,
            "--out",
            out2.to_str().unwrap(),
            "--quiet",
            "--strict",
        ],
    );
    assert_eq!(
        run2.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run2.stderr)
    );
    assert!(out2.join("reports").is_dir(), "published all the same");
}

#[test]
fn formats_and_patterns_choose_the_files() {
    let corpus = tempfile::tempdir().unwrap();
    write(corpus.path(), "a.txt", &fixture("layout4_pipe_rows.txt"));
    write(corpus.path(), "b.HTM", &fixture("twin_report.html"));
    write(
        corpus.path(),
        "skip/c.txt",
        &fixture("layout6_space_separated.txt"),
    );
    let config = corpus.path().join("xxgk.toml");
    let text = std::fs::read_to_string(root().join("config/xxgk.toml"))
        .unwrap()
        .replace(
            "exclude = [\"**/expected/**\", \"**/.*/**\"]",
            "exclude = [\"**/expected/**\", \"**/.*/**\", \"skip/**\"]",
        )
        .replace(
            "templates/gb20",
            &format!("{}/config/templates/gb20", root().display()),
        );
    std::fs::write(&config, text).unwrap();
    let paths = |extra: &[&str]| -> Vec<String> {
        let out = tempfile::tempdir().unwrap();
        let mut args = vec!["--config", config.to_str().unwrap()];
        args.extend_from_slice(extra);
        common::ingest(corpus.path(), out.path(), &args);
        let mut v: Vec<String> = rows(&out.path().join("reports"))
            .iter()
            .map(|r| {
                format!(
                    "{}:{}",
                    r["source_path"].str().unwrap(),
                    r["format"].str().unwrap()
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(paths(&[]), ["a.txt:txt", "b.HTM:html"]);
    assert_eq!(paths(&["--formats", "html"]), ["b.HTM:html"]);
    assert_eq!(paths(&["--formats", "txt"]), ["a.txt:txt"]);
    let bad = common::xxgk(&[
        "ingest",
        corpus.path().to_str().unwrap(),
        "--out",
        "/tmp/x",
        "--formats",
        "xlsx",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown format \"xlsx\""));
}

/// A symbolic link leading outside CORPUS (to a file or a folder) is not
/// followed: it gets an unreadable row with `file.link_outside`, and nothing
/// outside is read; `--follow` follows it. Links inside are followed.
#[test]
fn links_leading_outside_the_corpus_are_not_followed_unless_asked() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    let elsewhere = work.path().join("elsewhere");
    write(&elsewhere, "secret.txt", &fixture("twin_report.txt"));
    write(&corpus, "sub/inside.txt", &fixture("layout4_pipe_rows.txt"));
    std::os::unix::fs::symlink("../elsewhere/secret.txt", corpus.join("to_file.txt")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, corpus.join("to_folder")).unwrap();
    std::os::unix::fs::symlink("sub", corpus.join("inside_link")).unwrap();
    let ingest = |extra: &[&str]| {
        let out = work.path().join(format!("out{}", extra.len()));
        let mut args = vec![
            "ingest",
            corpus.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_xxgk"))
            .args(&args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let status: BTreeMap<String, String> = rows(&out.join("reports"))
            .iter()
            .map(|r| {
                (
                    r["source_path"].str().unwrap().to_string(),
                    r["status"].str().unwrap().to_string(),
                )
            })
            .collect();
        let codes: Vec<(String, String, String)> = rows(&out.join("findings"))
            .iter()
            .map(|f| {
                (
                    f["source_path"].str().unwrap().to_string(),
                    f["code"].str().unwrap().to_string(),
                    f["message"].str().unwrap().to_string(),
                )
            })
            .collect();
        (status, codes)
    };
    let (status, codes) = ingest(&[]);
    let want: BTreeMap<String, String> = [
        ("inside_link/inside.txt", "ok"),
        ("sub/inside.txt", "duplicate"),
        ("to_file.txt", "unreadable"),
        ("to_folder", "unreadable"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(status, want);
    for path in ["to_file.txt", "to_folder"] {
        let f = codes
            .iter()
            .find(|c| c.0 == path && c.1 == "file.link_outside")
            .unwrap_or_else(|| panic!("{path}: {codes:?}"));
        assert!(f.2.starts_with(&format!("{path}: ")), "{}", f.2);
        assert!(f.2.contains("--follow"), "{}", f.2);
    }
    let (status, _) = ingest(&["--follow"]);
    assert_eq!(status["to_file.txt"], "ok");
    assert_eq!(status["to_folder/secret.txt"], "duplicate");
    assert!(!status.contains_key("to_folder"));
}
