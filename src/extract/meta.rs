//! The report's statistics year and issuing body, read from its prose.
//!
//! It takes the document text and the `[meta]` words of the config and gives
//! the year and the org name, each with where it came from, plus findings when
//! the evidence disagrees or is absent. Evidence, best first
//! (real-world.md, "Whole reports"): the statistics window
//! `2020年1月1日至2020年12月31日`, the title line, the years the prose names
//! most. A date with month and day (the publication date) is never the year.

use std::collections::HashMap;

use crate::model::{Evidence, Finding, Severity};
use crate::segment::normalise::fold_width;

/// The `[meta]` section of the config.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaConfig {
    pub title_words: Vec<String>,
    pub title_cut: Vec<String>,
    pub org_suffixes: Vec<String>,
    #[serde(default)]
    pub org_stop_chars: String,
}

#[derive(Debug, Default)]
pub struct Meta {
    pub year: Option<i32>,
    pub year_evidence: Evidence,
    pub org: Option<String>,
    pub org_evidence: Evidence,
    pub findings: Vec<Finding>,
}

/// Lines scanned for a title, and at the end for a signature.
const TITLE_LINES: usize = 8;
const SIGNATURE_LINES: usize = 12;
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The characters of a text without white space, width-folded.
fn squeeze(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
        .map(fold_width)
        .collect()
}

/// A year `YYYY年` starting at `i`, not preceded by a digit.
fn year_at(c: &[char], i: usize) -> Option<i32> {
    let digits = c.get(i..i + 4)?;
    if !digits.iter().all(char::is_ascii_digit) || c.get(i + 4) != Some(&'年') {
        return None;
    }
    if i > 0 && c[i - 1].is_ascii_digit() {
        return None;
    }
    let y = digits
        .iter()
        .fold(0i32, |y, d| y * 10 + d.to_digit(10).unwrap_or(0) as i32);
    YEARS.contains(&y).then_some(y)
}

/// Does `c[i..]` start with `word`?
fn starts(c: &[char], i: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, w)| c.get(i + k) == Some(&w))
}

/// A month number after `年` at `i`: `1月`, `01月`, `12月`.
fn month_at(c: &[char], i: usize) -> bool {
    let d = c.get(i..).unwrap_or(&[]);
    matches!(d, [a, '月', ..] if a.is_ascii_digit())
        || matches!(d, [a, b, '月', ..] if a.is_ascii_digit() && b.is_ascii_digit())
}

/// The year of a statistics window `Y年1月1日 … Y年12月31日`.
fn window_year(c: &[char]) -> Option<(i32, String)> {
    for i in 0..c.len() {
        let Some(y) = year_at(c, i) else { continue };
        let after = i + 5;
        let start = ["1月1日", "01月01日", "1月01日"]
            .iter()
            .find(|w| starts(c, after, w));
        let Some(start) = start else { continue };
        let from = after + start.chars().count();
        for j in from..(from + 12).min(c.len()) {
            if year_at(c, j) == Some(y) && ["12月31日"].iter().any(|w| starts(c, j + 5, w)) {
                let end = (j + 5 + 6).min(c.len());
                return Some((y, c[i..end].iter().collect()));
            }
        }
    }
    None
}

/// The first `YYYY年` in a line, with the index after it.
fn first_year(c: &[char]) -> Option<(i32, usize)> {
    (0..c.len()).find_map(|i| year_at(c, i).map(|y| (y, i)))
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Cleans the org part of a title: drops `[bookmark…]` marks, years and
/// leading 关于.
fn clean_org(s: &[char]) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s[i] == '[' {
            if let Some(k) = s[i..].iter().position(|&c| c == ']') {
                i += k + 1;
                continue;
            }
        }
        if year_at(s, i).is_some() {
            i += 5;
            if s.get(i) == Some(&'度') {
                i += 1;
            }
            continue;
        }
        out.push(s[i]);
        i += 1;
    }
    let text: String = out.into_iter().collect();
    let text = text.trim_start_matches("关于");
    text.trim_matches(|c: char| !is_cjk(c) && !c.is_alphanumeric())
        .to_string()
}

pub fn detect(text: &str, cfg: &MetaConfig) -> Meta {
    let mut meta = Meta::default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();

    // The title: one of the first lines holding every title word.
    let title = lines.iter().take(TITLE_LINES).find_map(|l| {
        let sq: String = squeeze(l).into_iter().collect();
        (sq.chars().count() <= 80 && cfg.title_words.iter().all(|w| sq.contains(w.as_str())))
            .then_some(sq)
    });

    // The year.
    let all = squeeze(text);
    let window = window_year(&all);
    let title_year = title
        .as_ref()
        .and_then(|t| first_year(&t.chars().collect::<Vec<_>>()).map(|(y, _)| y));
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for i in 0..all.len() {
        if let Some(y) = year_at(&all, i) {
            if !month_at(&all, i + 5) {
                *counts.entry(y).or_default() += 1;
            }
        }
    }
    let mut prose: Vec<(i32, usize)> = counts.into_iter().collect();
    prose.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    if let Some((y, span)) = window {
        meta.year = Some(y);
        meta.year_evidence = Evidence {
            source: Some("window"),
            text: Some(span),
        };
        if let Some(ty) = title_year.filter(|&ty| ty != y) {
            meta.findings.push(Finding::new(
                Severity::Warning,
                "year.ambiguous",
                format!("the statistics window says {y} and the title {ty}; {y} is used"),
            ));
        }
    } else if let Some(y) = title_year {
        meta.year = Some(y);
        meta.year_evidence = Evidence {
            source: Some("title"),
            text: title.clone(),
        };
    } else if let Some(&(y, n)) = prose.first() {
        meta.year = Some(y);
        meta.year_evidence = Evidence {
            source: Some("prose"),
            text: Some(format!("{y}年 ×{n}")),
        };
        if let Some(&(other, m)) = prose.get(1).filter(|p| p.1 == n) {
            meta.findings.push(Finding::new(
                Severity::Warning,
                "year.ambiguous",
                format!("the prose names {y} and {other} as often ({n} and {m} times), with no statistics window or title year; {y} is used"),
            ));
        }
    } else {
        meta.findings.push(Finding::new(
            Severity::Warning,
            "year.missing",
            "no statistics year: no window, no year in a title, none in the prose".to_string(),
        ));
    }

    // The org: from the title, else a signature line, else the prose.
    if let Some(t) = &title {
        let cut = cfg
            .title_cut
            .iter()
            .filter_map(|w| t.find(w.as_str()))
            .min()
            .unwrap_or(t.len());
        let org = clean_org(&t[..cut].chars().collect::<Vec<_>>());
        if org.chars().count() >= 2 {
            meta.org = Some(org);
            meta.org_evidence = Evidence {
                source: Some("title"),
                text: Some(t.clone()),
            };
        }
    }
    if meta.org.is_none() {
        for l in lines.iter().rev().take(SIGNATURE_LINES) {
            let sq: String = squeeze(l).into_iter().collect();
            let n = sq.chars().count();
            if (2..=30).contains(&n)
                && sq.chars().all(is_cjk)
                && cfg
                    .org_suffixes
                    .iter()
                    .any(|s| sq.ends_with(s.as_str()) && sq != *s)
            {
                meta.org = Some(sq.clone());
                meta.org_evidence = Evidence {
                    source: Some("signature"),
                    text: Some(sq),
                };
                break;
            }
        }
    }
    if meta.org.is_none() {
        if let Some((org, n)) = prose_org(&all, cfg) {
            meta.org_evidence = Evidence {
                source: Some("prose"),
                text: Some(format!("{org} ×{n}")),
            };
            meta.org = Some(org);
        }
    }
    meta
}

/// The name the prose gives most often to a body: runs of characters before
/// an org suffix, counted at every length; the most frequent, then longest.
fn prose_org(all: &[char], cfg: &MetaConfig) -> Option<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut spans: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    let stop = |c: char| cfg.org_stop_chars.contains(c);
    for suffix in &cfg.org_suffixes {
        let sfx: Vec<char> = suffix.chars().collect();
        let mut i = 0;
        while i + sfx.len() <= all.len() {
            if all[i..i + sfx.len()] != sfx[..] {
                i += 1;
                continue;
            }
            let mut start = i;
            while start > 0 && i - start < 8 && is_cjk(all[start - 1]) {
                start -= 1;
            }
            for s in start..i.saturating_sub(1) {
                // Suffixes overlap (街道办事处, 办事处): count each span once.
                if stop(all[s]) || !spans.insert((s, i + sfx.len())) {
                    continue;
                }
                let name: String = all[s..i + sfx.len()].iter().collect();
                *counts.entry(name).or_default() += 1;
            }
            i += sfx.len();
        }
    }
    counts.into_iter().filter(|(_, n)| *n >= 2).max_by(|a, b| {
        a.1.cmp(&b.1)
            .then(a.0.chars().count().cmp(&b.0.chars().count()))
            .then(b.0.cmp(&a.0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> MetaConfig {
        MetaConfig {
            title_words: vec!["政府信息公开".into(), "报告".into()],
            title_cut: vec!["政府信息公开".into(), "政务公开".into()],
            org_suffixes: vec![
                "街道办事处".into(),
                "办事处".into(),
                "街道".into(),
                "局".into(),
            ],
            org_stop_chars: "我本该各请与在".into(),
        }
    }

    #[test]
    fn window_beats_title_and_prose() {
        let m = detect("某街道2021年政府信息公开工作年度报告\n本报告统计期限自2020年1月1日起至2020年12月31日止。\n2021年1月20日", &cfg());
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.year_evidence.source, Some("window"));
        assert_eq!(m.findings[0].code, "year.ambiguous");
    }

    #[test]
    fn title_year_with_spaces() {
        let m = detect(
            "\n坛山街道办事处 2021 年政府信息公开 工作年度报告\n\n2022年1月5日",
            &cfg(),
        );
        assert_eq!(m.year, Some(2021));
        assert_eq!(m.org.as_deref(), Some("坛山街道办事处"));
    }

    #[test]
    fn publication_dates_are_not_the_year() {
        let m = detect(
            "2020年，我街道做了工作。2020年度成效。较2019年增长。\n2021年1月27日",
            &cfg(),
        );
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.year_evidence.source, Some("prose"));
    }

    #[test]
    fn org_from_bookmarked_title_signature_and_prose() {
        let m = detect(
            "[bookmark: _GoBack]鹤岗市大陆街道办事处2020年政府信息公开工作报告\n正文",
            &cfg(),
        );
        assert_eq!(m.org.as_deref(), Some("鹤岗市大陆街道办事处"));
        let m = detect("正文\n荣市街道办事处\n2021年1月27日", &cfg());
        assert_eq!(m.org.as_deref(), Some("荣市街道办事处"));
        let m = detect("2020年,通济街道认真工作。请与通济街道办事处联系。", &cfg());
        assert_eq!(m.org.as_deref(), Some("通济街道"));
        assert_eq!(m.org_evidence.source, Some("prose"));
    }

    #[test]
    fn no_year_is_a_finding() {
        let m = detect("没有年份", &cfg());
        assert_eq!(m.year, None);
        assert_eq!(m.findings[0].code, "year.missing");
    }
}
