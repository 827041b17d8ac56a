//! Tests of the synthetic corpus: determinism, the checks the values
//! satisfy (or break on purpose), and oracles naming every key.

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{self, Kind, PTable};
use super::*;
use xxgk::template::{Check, Each};

fn settings() -> Settings {
    xxgk::settings::load(None, None).unwrap()
}

/// What a plan draws, text and HTML only (the default formats).
fn draw(noisy_share: f64, kinds: u32, years: Option<u8>) -> Draw {
    Draw {
        noisy_share,
        kinds,
        years,
        formats: Formats::default(),
    }
}

/// Does an oracle list this noise kind?
fn has_noise(o: &serde_json::Value, name: &str) -> bool {
    o["noise"]
        .as_array()
        .is_some_and(|a| a.iter().any(|n| n == name))
}

fn plans<'t>(s: &'t Settings, n: usize, seed: u64, share: f64) -> Vec<plan::Plan<'t>> {
    let forms = Forms::new(&s.templates).unwrap();
    let by_year = move |y| forms.by_year(y);
    (0..n)
        .map(|i| {
            plan::plan(
                &s.templates,
                &by_year,
                i,
                seed,
                &draw(share, noise::EVERY, None),
            )
        })
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
        if has_noise(&o, "split_title") {
            let lf = text.replace("\r\n", "\n");
            assert!(lf.contains(&format!("{org}\n{year}年")));
            assert!(text.contains(&format!("统计期限从{year}年1月1日到12月31日止")));
        } else {
            assert!(text.contains(&format!("{org}{year}年政府信息公开工作年度报告")));
            if !has_noise(&o, "litigation_alone") {
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
            let p = plan::plan(&s.templates, &by_year, i, 17, &draw(1.0, bit, None));
            if p.noise & bit == 0 {
                continue;
            }
            assert_eq!(p.noise, bit, "{name}: only the kind asked for");
            seen += 1;
            let on = generate_kinds(&s, i, 17, 1.0, bit).unwrap();
            let off = generate_kinds(&s, i, 17, 1.0, 0).unwrap();
            assert!(on.bytes != off.bytes, "{name}: report {i} unchanged");
            let o: serde_json::Value = serde_json::from_str(&on.oracle).unwrap();
            assert!(has_noise(&o, name), "{name}: listed in the oracle");
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
        if !has_noise(&o, "mixed_forms") {
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
        if !has_noise(&o, "truncated") {
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
        if !has_noise(&o, "money_no_unit") {
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

// ---- --years: bodies that carry over ---------------------------------------

/// Report `i` of a `--years` corpus, in memory, and its oracle parsed.
fn generate_years(s: &Settings, i: usize, seed: u64, years: u8) -> serde_json::Value {
    let opts = Options {
        years: Some(years),
        ..Options::new("", 0, seed)
    };
    let g = generate_opts(s, i, &opts).unwrap();
    serde_json::from_str(&g.oracle).unwrap()
}

/// The oracles of `bodies` bodies over `years` years, body by body.
fn bodies(s: &Settings, n: usize, seed: u64, years: u8) -> Vec<Vec<serde_json::Value>> {
    let y = usize::from(years);
    (0..n)
        .map(|b| {
            (0..y)
                .map(|k| generate_years(s, b * y + k, seed, years))
                .collect()
        })
        .collect()
}

fn cell(o: &serde_json::Value, key: &str) -> Option<i64> {
    o["cells"][key].as_i64()
}

fn broken(o: &serde_json::Value) -> bool {
    o["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| BREAKABLE.iter().any(|b| f == b))
}

#[test]
fn a_body_keeps_its_name_and_layout_over_its_years() {
    let s = settings();
    let all = bodies(&s, 60, 3, 3);
    let mut names = BTreeSet::new();
    for (b, years) in all.iter().enumerate() {
        let y: Vec<i64> = years.iter().map(|o| o["year"].as_i64().unwrap()).collect();
        assert_eq!(y, [2022, 2023, 2024], "body {b}");
        for o in years {
            assert_eq!(o["org_contains"], years[0]["org_contains"], "body {b}");
            assert_eq!(o["layout"], years[0]["layout"], "body {b}");
        }
        names.insert(years[0]["org_contains"].as_str().unwrap().to_string());
    }
    assert!(names.len() > 50, "{} names for 60 bodies", names.len());
    // Report i alone gives the same bytes as in a corpus.
    assert_eq!(generate_years(&s, 7, 3, 3), all[2][1]);
}

#[test]
fn carried_over_is_last_years_carried_forward() {
    let s = settings();
    let cols = [
        "natural_person",
        "commercial_enterprise",
        "research_institution",
        "social_welfare_org",
        "legal_service_org",
        "other_org",
        "total",
    ];
    let (mut checked, mut nonzero, mut grew) = (0, 0, [0; 2]);
    for years in bodies(&s, 150, 5, 3) {
        for w in years.windows(2) {
            let (prior, now) = (&w[0], &w[1]);
            // A broken balance moves carried_over; a broken row total,
            // last year's carried_forward total.
            if broken(prior) || broken(now) {
                continue;
            }
            for c in cols {
                let over = cell(now, &format!("requests.carried_over.{c}"));
                let fwd = cell(prior, &format!("requests.carried_forward.{c}"));
                if let (Some(o), Some(f)) = (over, fwd) {
                    assert_eq!(o, f, "{c}: {} after {}", now["file"], prior["file"]);
                    checked += 1;
                    nonzero += usize::from(o > 0);
                }
            }
            // New requests grow or shrink by about 30 % at most.
            let key = "requests.new_received.natural_person";
            if let (Some(a), Some(b)) = (cell(prior, key), cell(now, key)) {
                if a >= 20 {
                    let d = (a * 3 / 10).max(1);
                    assert!((a - d..=a + d).contains(&b), "{a} → {b}: {}", now["file"]);
                    grew[usize::from(b > a)] += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} cells compared");
    assert!(nonzero > 30, "{nonzero} non-zero carried_over");
    assert!(grew[0] > 10 && grew[1] > 10, "{grew:?}");
}

#[test]
fn rules_in_force_are_a_stock() {
    let s = settings();
    let (mut checked, mut moved) = (0, 0);
    for years in bodies(&s, 150, 6, 3) {
        for w in years.windows(2) {
            for row in ["regulations", "normative_documents"] {
                let k = |o: &serde_json::Value, col: &str| cell(o, &format!("art20_1.{row}.{col}"));
                let (Some(before), Some(issued), Some(repealed), Some(after)) = (
                    k(&w[0], "in_force"),
                    k(&w[1], "issued"),
                    k(&w[1], "repealed"),
                    k(&w[1], "in_force"),
                ) else {
                    continue;
                };
                assert_eq!(after, before + issued - repealed, "{}", w[1]["file"]);
                assert!(after >= 0);
                checked += 1;
                moved += usize::from(issued > 0 && repealed > 0);
            }
        }
    }
    assert!(checked > 150, "{checked}");
    assert!(moved > 5, "{moved} years both issue and repeal");
    // Over six years the gb2019 stock (total_published) grows by what is
    // published, and gb2021's in_force goes on from it.
    let mut across = 0;
    for years in bodies(&s, 60, 7, 6) {
        let y: Vec<i64> = years.iter().map(|o| o["year"].as_i64().unwrap()).collect();
        assert_eq!(y, [2019, 2020, 2021, 2022, 2023, 2024]);
        let row = "normative_documents";
        let k = |o: &serde_json::Value, col: &str| cell(o, &format!("art20_1.{row}.{col}"));
        if let (Some(a), Some(p), Some(b)) = (
            k(&years[0], "total_published"),
            k(&years[1], "new_published"),
            k(&years[1], "total_published"),
        ) {
            assert_eq!(b, a + p, "{}", years[1]["file"]);
        }
        if let (Some(a), Some(i), Some(r), Some(b)) = (
            k(&years[1], "total_published"),
            k(&years[2], "issued"),
            k(&years[2], "repealed"),
            k(&years[2], "in_force"),
        ) {
            assert_eq!(b, a + i - r, "{}", years[2]["file"]);
            across += 1;
        }
    }
    assert!(across > 20, "{across}");
}

#[test]
fn years_values_satisfy_every_check_unless_one_is_broken_on_purpose() {
    let s = settings();
    let forms = Forms::new(&s.templates).unwrap();
    let by_year = |y| forms.by_year(y);
    let mut broken = 0;
    for i in 0..1800 {
        let p = plan::plan(
            &s.templates,
            &by_year,
            i,
            12,
            &draw(0.3, noise::EVERY, Some(4)),
        );
        let fails = failing(p.template, &p.tables, &s.templates);
        let want: BTreeSet<String> = p.broken.iter().map(|c| c.to_string()).collect();
        assert_eq!(fails, want, "report {}", p.index);
        broken += usize::from(p.broken.is_some());
        if p.truncate.is_some() {
            continue;
        }
        for t in &p.tables {
            assert!(t
                .values
                .iter()
                .flatten()
                .all(|&x| x >= 0 || t.kind == Kind::Item));
        }
    }
    assert!((10..=80).contains(&broken), "{broken} of 1800 broken");
}

#[test]
fn a_years_corpus_does_not_depend_on_the_thread_count() {
    let s = settings();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let opts = |p: &Path| Options {
        years: Some(3),
        ..Options::new(p, 301, 9)
    };
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    pool(1).install(|| run(&opts(a.path()), &s)).unwrap();
    pool(4).install(|| run(&opts(b.path()), &s)).unwrap();
    run(&Options::new(c.path(), 301, 9), &s).unwrap();
    let (ta, tb) = (read_tree(a.path()), read_tree(b.path()));
    assert_eq!(ta.len(), 2 * 301);
    assert!(ta == tb, "the two runs wrote different files");
    assert!(ta != read_tree(c.path()), "--years changes the corpus");
    let bad = Options {
        years: Some(7),
        ..Options::new(a.path(), 3, 9)
    };
    assert!(run(&bad, &s).is_err());
}

/// Options for a corpus in the given formats.
fn formats(list: &str, seed: u64) -> Options {
    Options {
        formats: Formats::parse(list).unwrap(),
        ..Options::new("", 0, seed)
    }
}

/// Adding PDF and DOCX changes only the reports they take: every other
/// report is byte for byte the one the default gives.
#[test]
fn pdf_and_docx_take_reports_and_leave_the_others_as_they_were() {
    let s = settings();
    let mixed = formats("txt,html,pdf=0.3,docx=0.2", 4);
    let plain = formats("txt,html", 4);
    let mut by = BTreeMap::new();
    for i in 0..120 {
        let g = generate_opts(&s, i, &mixed).unwrap();
        *by.entry(g.layout.name()).or_insert(0) += 1;
        if matches!(g.layout, Layout::Pdf | Layout::Docx) {
            let o: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
            assert_eq!(o["format"], g.layout.extension(), "report {i}");
            assert_eq!(o["encoding"], "utf-8");
            assert!(g.file.ends_with(g.layout.extension()));
            continue;
        }
        let d = generate_opts(&s, i, &plain).unwrap();
        assert_eq!(
            (g.file, g.bytes, g.oracle),
            (d.file, d.bytes, d.oracle),
            "report {i}"
        );
    }
    assert!(by["pdf"] >= 20 && by["docx"] >= 12, "{by:?}");
}

#[test]
fn pdf_and_docx_are_the_same_bytes_for_a_seed() {
    let s = settings();
    for list in ["pdf", "docx"] {
        let o = formats(list, 42);
        for i in 0..12 {
            let a = generate_opts(&s, i, &o).unwrap();
            let b = generate_opts(&s, i, &o).unwrap();
            assert_eq!(a.bytes, b.bytes, "{list} report {i}");
            assert_eq!(a.oracle, b.oracle, "{list} oracle {i}");
        }
        let other = generate_opts(&s, 0, &formats(list, 43)).unwrap();
        assert_ne!(other.bytes, generate_opts(&s, 0, &o).unwrap().bytes);
    }
}

/// `s` without white space.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every label, header and caption of the report's tables is in `text`
/// (white space aside; with `pdf`, each line a PDF cell wraps it into), and
/// every value, in order.
fn holds_every_cell(p: &plan::Plan, text: &str, what: &str, pdf: bool) {
    let text = squeezed(text);
    let mut at = 0;
    for b in doc::blocks(p) {
        let doc::Block::Table(g) = b else { continue };
        let xs = pdf::column_xs(&g);
        for c in &g.cells {
            if pdf && !matches!(c.role, doc::Role::Value | doc::Role::Group) {
                for line in pdf::cell_lines(&g, c, &xs, false).0 {
                    let t = squeezed(line);
                    assert!(
                        text.contains(&t),
                        "{what}: {:?} line {t:?} not found",
                        c.role
                    );
                }
                continue;
            }
            let t = squeezed(&c.text);
            if t.is_empty() {
                continue;
            }
            if c.role == doc::Role::Value {
                match text[at..].find(&t) {
                    Some(k) => at += k + t.len(),
                    None => panic!(
                        "{what}: value {t:?} (row {}, col {}) not found in order",
                        c.row, c.col
                    ),
                }
            } else if c.role == doc::Role::Group {
                // A group label down many rows may be cut by a page break,
                // each piece on its page.
                let cut = t.char_indices().map(|(k, _)| k).chain([t.len()]);
                let found = cut
                    .into_iter()
                    .any(|k| text.contains(&t[..k]) && text.contains(&t[k..]));
                assert!(found, "{what}: group label {t:?} not found");
            } else {
                assert!(text.contains(&t), "{what}: {:?} {t:?} not found", c.role);
            }
        }
    }
}

fn plan_of<'t>(s: &'t Settings, forms: &Forms<'t>, i: usize, o: &Options) -> plan::Plan<'t> {
    let by_year = |y| forms.by_year(y);
    plan::plan(&s.templates, &by_year, i, o.seed, &o.draw())
}

/// pdftotext (poppler) reads every label and value back from the PDFs, in
/// both fonts, with and without fake bold and vertical labels.
#[test]
fn pdftotext_reads_every_label_and_value() {
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("note: pdftotext (poppler-utils) is not installed; PDF text not checked");
        return;
    }
    let s = settings();
    let forms = Forms::new(&s.templates).unwrap();
    let o = Options {
        noisy_share: 0.5,
        ..formats("pdf", 8)
    };
    let dir = tempfile::tempdir().unwrap();
    let mut traits = BTreeSet::new();
    for i in 0..24 {
        let g = generate_opts(&s, i, &o).unwrap();
        let path = dir.path().join(format!("{i}.pdf"));
        std::fs::write(&path, &g.bytes).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-raw", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "report {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        holds_every_cell(
            &plan_of(&s, &forms, i, &o),
            &text,
            &format!("pdf report {i}"),
            true,
        );
        let oracle: serde_json::Value = serde_json::from_str(&g.oracle).unwrap();
        let about = oracle["about"].as_str().unwrap();
        for t in [
            "STSong",
            "Identity-H",
            "render mode 2",
            "drawn twice",
            "one glyph per line",
        ] {
            if about.contains(t) {
                traits.insert(t);
            }
        }
        let pages = oracle["pages"].as_u64().unwrap();
        assert!(pages >= 2, "report {i}: {pages} pages");
        assert_eq!(
            text.matches('\u{c}').count() as u64,
            pages,
            "report {i}: pages"
        );
    }
    assert_eq!(traits.len(), 5, "{traits:?}");
}

/// The DOCX's document.xml holds every label and every value, in order.
#[test]
fn docx_holds_every_label_and_value() {
    let s = settings();
    let forms = Forms::new(&s.templates).unwrap();
    let o = Options {
        noisy_share: 0.5,
        ..formats("docx", 9)
    };
    let dir = tempfile::tempdir().unwrap();
    for i in 0..24 {
        let p = plan_of(&s, &forms, i, &o);
        let xml = docx::document_xml(&p, &mut rng::Rng::for_report(p.render_seed, i as u64));
        assert!(xml.contains("<w:gridSpan ") && xml.contains("<w:vMerge w:val=\"restart\"/>"));
        // The text of the runs, the markup dropped.
        let mut text = String::with_capacity(xml.len());
        let mut inside = false;
        for c in xml.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                c if !inside => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        holds_every_cell(&p, &text, &format!("docx report {i}"), false);
        let g = generate_opts(&s, i, &o).unwrap();
        assert_eq!(&g.bytes[..2], b"PK");
        if i < 4 {
            std::fs::write(dir.path().join(format!("{i}.docx")), &g.bytes).unwrap();
        }
    }
    // python-docx (tests/requirements.txt) opens them, spans resolved.
    let script = "import docx, sys\nfor f in sys.argv[1:]:\n    d = docx.Document(f)\n    t = max(d.tables, key=lambda t: len(t.rows))\n    print(len(d.tables), len(t.rows), len(t.columns))";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args((0..4).map(|i| dir.path().join(format!("{i}.docx"))))
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 4, "{text}");
            for l in lines {
                let n: Vec<usize> = l.split(' ').map(|x| x.parse().unwrap()).collect();
                // The requests table: 3 header rows and its rows, 3 label
                // columns and 7 applicant columns.
                assert!(n[0] >= 3 && n[1] >= 26 && n[2] == 10, "{l}");
            }
        }
        _ => println!("note: python3 with python-docx is not installed; DOCX not opened"),
    }
}
