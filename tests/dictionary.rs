//! The data dictionary against what it describes: docs/dictionary.md must be
//! what `xxgk schema --markdown` prints, and every dataset a run writes must
//! have the dictionary's columns and types, with values from its lists.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use arrow_schema::DataType;
use common::{files, ingest, root, rows, xxgk, Val};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use xxgk::dictionary;

const REGENERATE: &str = "cargo run -- schema --markdown > docs/dictionary.md";

#[test]
fn the_committed_dictionary_is_what_the_binary_prints() {
    let o = xxgk(&["schema", "--markdown"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8(o.stdout).unwrap();
    let path = root().join("docs/dictionary.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if printed != committed {
        let line = printed
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| printed.lines().count().min(committed.lines().count()));
        panic!(
            "docs/dictionary.md is stale (first difference at line {}):\n  printed:   {:?}\n  committed: {:?}\nregenerate it with `{REGENERATE}`",
            line + 1,
            printed.lines().nth(line).unwrap_or("(end)"),
            committed.lines().nth(line).unwrap_or("(end)"),
        );
    }
    // The plain listing has one line per column of the Markdown tables.
    let plain = String::from_utf8(xxgk(&["schema"]).stdout).unwrap();
    let columns: usize = dictionary::datasets()
        .iter()
        .map(|(_, s)| s.fields().len())
        .sum();
    assert_eq!(plain.lines().count(), columns);
    assert!(plain.contains("procurement\tproject_count_raw\tstring\t"));
}

/// Strings are strings whichever Arrow layout a writer chose.
fn same_type(a: &DataType, b: &DataType) -> bool {
    let s = |t: &DataType| matches!(t, DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8);
    (s(a) && s(b)) || a == b
}

/// Checks every file of every dataset under `out` against the dictionary;
/// gives the datasets that had files.
fn check_run(out: &Path, settings: &xxgk::settings::Settings, bad: &mut Vec<String>) -> usize {
    let mut seen = 0;
    for (name, schema) in dictionary::datasets() {
        let dir = out.join(name);
        let list = if dir.is_dir() {
            files(&dir)
        } else {
            Vec::new()
        };
        if list.is_empty() {
            continue;
        }
        seen += 1;
        for f in &list {
            let file = std::fs::File::open(f).unwrap();
            let got = ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap()
                .schema()
                .clone();
            let want: Vec<(&str, &DataType)> = schema
                .fields()
                .iter()
                .map(|f| (f.name().as_str(), f.data_type()))
                .collect();
            let have: Vec<(&str, &DataType)> = got
                .fields()
                .iter()
                .map(|f| (f.name().as_str(), f.data_type()))
                .collect();
            let same = want.len() == have.len()
                && want
                    .iter()
                    .zip(&have)
                    .all(|(w, h)| w.0 == h.0 && same_type(w.1, h.1));
            if !same {
                bad.push(format!(
                    "{}: columns {have:?}, the dictionary says {want:?}",
                    f.display()
                ));
            }
        }
        // Every value of a listed column is in its list.
        let mut allowed: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for f in schema.fields() {
            let v = dictionary::allowed_values(settings, name, f.name());
            if !v.is_empty() {
                let keys = v
                    .iter()
                    .map(|x| x.split(" (").next().unwrap_or(x).to_string())
                    .collect();
                allowed.insert(f.name().as_str(), keys);
            }
        }
        for r in rows(&dir) {
            for (col, list) in &allowed {
                match &r[*col] {
                    Val::Str(v) if !list.contains(v) => {
                        bad.push(format!("{name}.{col}: {v:?} is not in {list:?}"))
                    }
                    Val::Null if !schema.field_with_name(col).unwrap().is_nullable() => {
                        bad.push(format!("{name}.{col}: null, the dictionary says never"))
                    }
                    _ => {}
                }
            }
        }
    }
    seen
}

#[test]
fn every_dataset_written_has_the_dictionarys_columns_and_values() {
    let settings = xxgk::settings::load(None, None).unwrap();
    let mut bad = Vec::new();
    // The sample corpus, and files that are not reports (empty, binary).
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    let seen = check_run(out.path(), &settings, &mut bad);
    let odd = tempfile::tempdir().unwrap();
    std::fs::write(odd.path().join("empty.txt"), b"").unwrap();
    std::fs::write(odd.path().join("doc.txt"), b"%PDF-1.4\n\x00\x01binary").unwrap();
    std::fs::copy(
        root().join("data/fixtures/twin_report.html"),
        odd.path().join("page.html"),
    )
    .unwrap();
    let out2 = tempfile::tempdir().unwrap();
    ingest(odd.path(), out2.path(), &[]);
    check_run(out2.path(), &settings, &mut bad);
    let formats: Vec<Val> = rows(&out2.path().join("reports"))
        .into_iter()
        .map(|r| r["encoding"].clone())
        .collect();
    assert!(formats.contains(&Val::Str("unknown".into())), "{formats:?}");
    let expected = 7;
    assert_eq!(seen, expected, "datasets with files");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
