//! Tests of the synthetic corpus: determinism, the checks the values
//! satisfy (or break on purpose), and oracles naming every key.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{self, Kind, PTable};
use super::*;
use crate::template::{Check, Each};

fn settings() -> Settings {
    crate::settings::load(None, None).unwrap()
}

fn plans<'t>(s: &'t Settings, n: usize, seed: u64, share: f64) -> Vec<plan::Plan<'t>> {
    let forms = Forms::new(&s.templates).unwrap();
    let by_year = move |y| forms.by_year(y);
    (0..n)
        .map(|i| plan::plan(&s.templates, &by_year, i, seed, share, noise::EVERY))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let s = settings();
    for i in 0..60 {
        let a = generate(&s, i, 42, 0.5).unwrap();
        let b = generate(&s, i, 42, 0.5).unwrap();
        assert_eq!(a.file, b.file);
        assert_eq!(a.bytes, b.bytes, "report {i}");
        assert_eq!(a.oracle, b.oracle, "oracle {i}");
    }
    let differ = (0..10).any(|i| {
        generate(&s, i, 42, 0.5).unwrap().bytes != generate(&s, i, 43, 0.5).unwrap().bytes
    });
    assert!(differ, "another seed gives other reports");
}

fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_files_do_not_depend_on_the_thread_count() {
    let s = settings();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let sa = one
        .install(|| run(&Options::new(a.path(), 1203, 7), &s))
        .unwrap();
    let sb = four
        .install(|| run(&Options::new(b.path(), 1203, 7), &s))
        .unwrap();
    assert_eq!(sa.reports, 1203);
    assert_eq!((sa.bytes, &sa.by_layout), (sb.bytes, &sb.by_layout));
    let (ta, tb) = (read_tree(a.path()), read_tree(b.path()));
    assert_eq!(ta.len(), 2 * 1203);
    assert!(
        ta.contains_key(Path::new("r/001/0001202.txt"))
            || ta.contains_key(Path::new("r/001/0001202.html"))
    );
    assert!(ta.contains_key(Path::new("expected/0001202.json")));
    assert!(ta == tb, "the two runs wrote different files");
    // Every layout is drawn, roughly evenly.
    for (name, n) in &sa.by_layout {
        assert!(*n > 1203 / 7 / 2, "{name}: {n}");
    }
}

/// The codes of the checks that fail on a plan's printed values, evaluated
/// as the engine does (validate/checks.rs): skipped when a cell is null.
fn failing(t: &Template, tables: &[PTable<'_>], templates: &Templates) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for check in &t.checks {
        let def = &templates.tables[check.table];
        let Some(table) = tables.iter().find(|x| std::ptr::eq(x.def, def)) else {
            continue;
        };
        if !holds(check, table) {
            out.insert(check.code.clone());
        }
    }
    out
}

fn holds(check: &Check, t: &PTable<'_>) -> bool {
    let ncols = t.ncols();
    let outer = match check.each {
        Each::Column => ncols,
        Each::Row => t.labels.len(),
    };
    (0..outer).all(|o| {
        let v = |i: usize| match check.each {
            Each::Column => t.values[i * ncols + o],
            Each::Row => t.values[o * ncols + i],
        };
        let side = |ks: &[usize]| ks.iter().map(|&i| v(i)).sum::<Option<i64>>();
        match (side(&check.left), side(&check.right)) {
            (Some(l), Some(r)) => l == r,
            _ => true,
        }
    })
}

#[test]
fn values_satisfy_every_check_unless_one_is_broken_on_purpose() {
    let s = settings();
    let mut broken = 0;
    for p in plans(&s, 3000, 11, 0.3) {
        let fails = failing(p.template, &p.tables, &s.templates);
        let want: BTreeSet<String> = p.broken.iter().map(|c| c.to_string()).collect();
        assert_eq!(fails, want, "report {}", p.index);
        broken += usize::from(p.broken.is_some());
        // Checked cells are never null (unless the page stops before
        // them), never negative.
        if p.truncate.is_some() {
            continue;
        }
        for t in p.tables.iter().filter(|t| t.kind != Kind::Item) {
            assert!(t.values.iter().all(|v| v.is_some_and(|x| x >= 0)));
        }
    }
    assert!((20..=110).contains(&broken), "{broken} of 3000 broken");
}

#[test]
fn every_oracle_names_every_key_of_its_template() {
    let s = settings();
    for i in 0..300 {
        let g = generate(&s, i, 5, 0.3).unwrap();
        let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        assert_eq!(o["file"].as_str(), Some(g.file.as_str()));
        let name = o["template"].as_str().unwrap();
        let t = s
            .templates
            .templates
            .iter()
            .find(|t| t.name == name)
            .unwrap();
        let year = o["year"].as_i64().unwrap();
        assert_eq!(name, if year <= 2020 { "gb2019" } else { "gb2021" });
        let noise: Vec<&str> = o["noise"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n.as_str())
            .collect();
        if noise.contains(&"mixed_forms") || noise.contains(&"litigation_alone") {
            // Keyed by what is printed: mixed_forms_key_each_table_by_its_printed_form.
            continue;
        }
        let mut want = BTreeSet::new();
        for &d in &t.tables {
            let def = &s.templates.tables[d];
            for r in &def.rows {
                for c in &def.columns {
                    want.insert(format!("{}.{}.{}", def.key, r.key, c.key));
                }
            }
        }
        let mut got: BTreeSet<String> = o["cells"].as_object().unwrap().keys().cloned().collect();
        let money: Vec<&String> = o["money"].as_object().unwrap().keys().collect();
        assert!(!money.is_empty(), "every form has a money cell");
        for k in money {
            assert!(got.insert(k.clone()), "{k} is both a cell and money");
            let m = &o["money"][k];
            assert!(m["yuan"].is_string() || m["yuan"].is_null());
            assert!(m["raw"].as_str().is_some());
        }
        assert_eq!(got, want, "report {i}");
        for f in [
            "layout",
            "encoding",
            "format",
            "noise",
            "findings",
            "org_contains",
        ] {
            assert!(!o[f].is_null(), "{f}");
        }
    }
}

#[test]
fn encodings_decode_back_to_the_same_text() {
    let s = settings();
    let mut seen = BTreeSet::new();
    for i in 0..400 {
        let g = generate(&s, i, 3, 0.3).unwrap();
        let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        let enc = o["encoding"].as_str().unwrap().to_string();
        let text = match enc.as_str() {
            "gbk" => {
                let (t, bad) = encoding_rs::GBK.decode_without_bom_handling(&g.bytes);
                assert!(!bad);
                t.into_owned()
            }
            "utf-16le" => {
                assert_eq!(&g.bytes[..2], &[0xFF, 0xFE]);
                let u: Vec<u16> = g.bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&u).unwrap()
            }
            _ => String::from_utf8(g.bytes.clone())
                .unwrap()
                .trim_start_matches('\u{FEFF}')
                .to_string(),
        };
        let org = o["org_contains"].as_str().unwrap();
        let year = o["year"].as_i64().unwrap();
        if o["noise"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "split_title")
        {
            let lf = text.replace("\r\n", "\n");
            assert!(lf.contains(&format!("{org}\n{year}年")));
            assert!(text.contains(&format!("统计期限从{year}年1月1日到12月31日止")));
        } else {
            assert!(text.contains(&format!("{org}{year}年政府信息公开工作年度报告")));
            if !o["noise"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n == "litigation_alone")
            {
                assert!(text.contains(&format!("统计期限自{year}年1月1日起至{year}年12月31日止")));
            }
        }
        seen.insert(enc);
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[test]
fn noisy_reports_carry_several_kinds_and_clean_ones_none() {
    let s = settings();
    let mut kinds = BTreeSet::new();
    let mut noisy = 0;
    for p in plans(&s, 2000, 9, 0.3) {
        let n = p.noise.count_ones();
        assert!(n <= 7);
        noisy += usize::from(n > 0);
    }
    assert!((450..=750).contains(&noisy), "{noisy} of 2000 noisy");
    let mut total = 0;
    for p in plans(&s, 2000, 9, 1.0) {
        let n = p.noise.count_ones();
        assert!(n >= 1, "report {} carries no noise at --noisy 1", p.index);
        total += n;
        kinds.extend(noise::names(p.noise));
    }
    assert!(total >= 2 * 2000, "{total} kinds on 2000 reports");
    assert_eq!(kinds.len(), noise::ALL.len(), "{kinds:?}");
    assert!(plans(&s, 200, 9, 0.0).iter().all(|p| p.noise == 0));
}

#[test]
fn noise_kinds_parse_by_name() {
    assert_eq!(noise::parse("all"), Ok(noise::EVERY));
    assert_eq!(
        noise::parse("split_labels, page_breaks"),
        Ok(noise::SPLIT_LABELS | noise::PAGE_BREAKS)
    );
    assert_eq!(noise::parse(""), Ok(0));
    assert!(noise::parse("split_label").is_err());
    assert_eq!(noise::names(noise::EVERY).len(), noise::ALL.len());
}

/// The kinds that change what is printed in a cell, or which cells there
/// are; every other kind only moves text around.
const CHANGE_THE_ORACLE: u32 = noise::THOUSANDS
    | noise::BLANK_CELLS
    | noise::MIXED_FORMS
    | noise::LITIGATION_ALONE
    | noise::TRUNCATED;

/// Each kind, alone, changes the text of the reports it is drawn for; a
/// printing-only kind leaves every cell of the oracle as it was.
#[test]
fn each_kind_changes_the_text_and_printing_only_kinds_keep_the_oracle() {
    let s = settings();
    let forms = Forms::new(&s.templates).unwrap();
    let by_year = |y| forms.by_year(y);
    let cells = |g: &Generated| {
        let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        o["cells"].clone()
    };
    for (bit, name) in noise::ALL {
        let mut seen = 0;
        for i in 0..400 {
            let p = plan::plan(&s.templates, &by_year, i, 17, 1.0, bit);
            if p.noise & bit == 0 {
                continue;
            }
            assert_eq!(p.noise, bit, "{name}: only the kind asked for");
            seen += 1;
            let on = generate_kinds(&s, i, 17, 1.0, bit).unwrap();
            let off = generate_kinds(&s, i, 17, 1.0, 0).unwrap();
            assert!(on.bytes != off.bytes, "{name}: report {i} unchanged");
            let o: serde_json::Value = serde_json::from_str(&on.oracle).unwrap();
            assert!(
                o["noise"].as_array().unwrap().iter().any(|n| n == name),
                "{name}: listed in the oracle"
            );
            if bit & CHANGE_THE_ORACLE == 0 {
                assert_eq!(cells(&on), cells(&off), "{name}: report {i}'s cells");
            }
        }
        assert!(seen >= 10, "{name}: drawn for {seen} of 400 reports");
    }
}

/// A mixed report keys each table by the form it prints and keeps the
/// majority form as its template.
#[test]
fn mixed_forms_key_each_table_by_its_printed_form() {
    let s = settings();
    let (mut art20_1, mut requests) = (0, 0);
    for i in 0..400 {
        let g = generate_kinds(&s, i, 23, 1.0, noise::MIXED_FORMS).unwrap();
        let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        if !o["noise"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "mixed_forms")
        {
            continue;
        }
        assert_eq!(o["template"], "gb2021");
        assert!(o["year"].as_i64().unwrap() >= 2021);
        let c = o["cells"].as_object().unwrap();
        if c.contains_key("art20_1.regulations.new_made") {
            assert!(!c.contains_key("art20_1.regulations.issued"));
            art20_1 += 1;
        }
        if c.contains_key("requests.other.total") {
            assert!(!c.contains_key("requests.other_other.total"));
            requests += 1;
        }
    }
    assert!(art20_1 >= 5 && requests >= 5, "{art20_1} {requests}");
}

/// The printed shapes of the PDF-text kinds, on one report each.
#[test]
fn pdf_kinds_print_what_real_text_shows() {
    let s = settings();
    let text = |g: &Generated| String::from_utf8_lossy(&g.bytes).into_owned();
    let find = |bit: u32, want: &dyn Fn(&str) -> bool| {
        (0..600).any(|i| {
            let g = generate_kinds(&s, i, 31, 1.0, bit).unwrap();
            g.oracle.contains(noise::names(bit)[0]) && want(&text(&g))
        })
    };
    assert!(find(noise::PAGE_BREAKS, &|t| t.contains("第 ")
        && t.contains(" 页")
        || t.contains("- ")));
    assert!(find(noise::PAGE_BREAKS, &|t| t.contains("（四）无\n")
        || t.contains("\t（四）无\n")));
    assert!(find(noise::VERTICAL_GROUPS, &|t| t.contains("三、\n本\n")
        || t.contains("三、\n")));
    assert!(find(noise::FLATTENED_HEADER, &|t| t.contains("法人或其\n")
        || t.contains("法人或其\t他组织")));
    assert!(find(noise::SPLIT_LABELS, &|t| t.contains("7.属于行政\n")));
    assert!(find(noise::SPLIT_LABELS, &|t| t.contains("2.其他法律\n")));
    assert!(find(noise::BROKEN_HEADERS, &|t| t.contains("万\n")
        || t.contains("万\t")
        || t.contains("万 ")));
    assert!(find(noise::SPACED_CHARS, &|t| t.contains("结 果 维 持")
        || t.contains("自 然 人")));
    assert!(find(noise::TOTAL_FIRST, &|t| t.contains("总计\t自然人")
        || t.contains("总计 自然人")
        || t.contains("总计\n\n自然人")));
    assert!(find(noise::SPLIT_TITLE, &|t| t.contains("统计期限从")));
    assert!(find(noise::LITIGATION_ALONE, &|t| !t.contains("第二十条")
        && t.contains("未经复议直接起诉 复议后起诉\n")));
    assert!(find(noise::TRADITIONAL, &|t| t.contains("規章")
        || t.contains("行政許可")));
    assert!(find(noise::CAPTION_TYPOS, &|t| t.contains("行政法复议")));
}

/// A truncated page stops inside the requests table: the oracle has its
/// first rows, nulls after the cut and none of table 4, and expects the
/// findings that say so.
#[test]
fn a_truncated_page_has_nulls_after_the_cut() {
    let s = settings();
    let mut seen = 0;
    for i in 0..200 {
        let g = generate_kinds(&s, i, 41, 1.0, noise::TRUNCATED).unwrap();
        let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        if !o["noise"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "truncated")
        {
            continue;
        }
        seen += 1;
        let c = o["cells"].as_object().unwrap();
        assert!(c["requests.new_received.total"].is_i64());
        assert!(c["requests.carried_forward.total"].is_null());
        assert!(c["litigation.administrative_review.total"].is_null());
        let f: Vec<&str> = o["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(f, ["row.missing", "row.short", "table.missing"]);
        let text = String::from_utf8_lossy(&g.bytes);
        assert!(!text.contains("结果维持"), "report {i} prints table 4");
    }
    assert!(seen >= 30, "{seen}");
}

/// An amount printed with no unit is null in yuan, and the oracle expects
/// the warning that says so.
#[test]
fn an_amount_with_no_unit_has_no_yuan_value() {
    let s = settings();
    let mut seen = 0;
    for i in 0..300 {
        let g = generate_kinds(&s, i, 37, 1.0, noise::MONEY_NO_UNIT).unwrap();
        let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        if !o["noise"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "money_no_unit")
        {
            continue;
        }
        seen += 1;
        let f = o["findings"].as_array().unwrap();
        assert!(f.iter().any(|c| c == "amount.unit_unknown"), "report {i}");
        let m = o["money"].as_object().unwrap();
        assert!(m
            .values()
            .any(|v| v["yuan"].is_null() && !v["raw"].as_str().unwrap().contains('元')));
    }
    assert!(seen >= 30, "{seen}");
}

/// Writes a corpus for checking against the real binary or for a benchmark:
/// `SYNTH_OUT=/tmp/synth-out SYNTH_N=300 SYNTH_SEED=1 cargo test --release
/// --lib synth::tests::write_corpus -- --ignored --nocapture`.
#[test]
#[ignore]
fn write_corpus() {
    let out = std::env::var("SYNTH_OUT").unwrap_or_else(|_| "/tmp/synth-out".to_string());
    let n = std::env::var("SYNTH_N").map_or(300, |v| v.parse().unwrap());
    let seed = std::env::var("SYNTH_SEED").map_or(1, |v| v.parse().unwrap());
    let share = std::env::var("SYNTH_NOISY").map_or(DEFAULT_NOISY_SHARE, |v| v.parse().unwrap());
    let s = settings();
    let start = std::time::Instant::now();
    let opts = Options {
        noisy_share: share,
        ..Options::new(&out, n, seed)
    };
    let sum = run(&opts, &s).unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "synth: {} reports, {} bytes in {out} in {secs:.2}s ({:.0} reports/s); {:?}",
        sum.reports,
        sum.bytes,
        sum.reports as f64 / secs,
        sum.by_layout
    );
}
