//! The report's statistics year and issuing body, read from its text.
//!
//! It takes the document text, the `[meta]` words of the config and the
//! label normaliser (width and traditional forms, so a traditional-script
//! copy matches the same words), and gives the year and the org name, each
//! with where it came from, plus findings when the evidence disagrees or is
//! absent. It never guesses past its evidence: no name is cut out of the
//! middle of a run of characters, and page chrome or boilerplate is never a
//! title, a name line or a name.
//!
//! Year, best first (real-world.md, "Whole reports"): the statistics window
//! (`2020年1月1日至2020年12月31日`, `从2019年1月1日到12月31日止`), the title
//! (which may be split over up to three lines), the year the prose names
//! most. A date with month and day (the publication date) is never the year.
//!
//! Org name, best first: the title; a line holding only the body's name, at
//! the end above the date (signature) or near the top (header); the prose's
//! self-reference (`XX局2020年…`, `2020年，XX局…`), else the name the prose
//! repeats. `我局` is no name: a name never starts with a stop character.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::model::{Evidence, Finding, Severity};
use crate::segment::normalise::{fold_width, Normaliser};

/// The `[meta]` section of the config.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaConfig {
    /// A title holds one word of every group.
    pub title_words: Vec<Vec<String>>,
    pub title_cut: Vec<String>,
    pub org_suffixes: Vec<String>,
    /// A name found in prose never starts with these (`我局`, `本局`).
    #[serde(default)]
    pub org_stop_chars: String,
    /// Inside a run of characters, a name starts only right after one of
    /// these (`请与XX局`, `由XX局`); elsewhere only where the run starts.
    #[serde(default)]
    pub org_lead_chars: String,
    /// A name never starts with these (`市住房…` of `我市住房…`).
    #[serde(default)]
    pub org_no_lead: String,
    /// Page chrome and boilerplate: a line holding one is never a title or a
    /// name line, and a name holding one is no name.
    #[serde(default)]
    pub boilerplate: Vec<String>,
    /// Marks opening a quoted document title: a name right after one is the
    /// title of someone else's document, not the prose's self-reference.
    #[serde(default)]
    pub quote_marks: String,
}

#[derive(Debug, Default)]
pub struct Meta {
    pub year: Option<i32>,
    pub year_evidence: Evidence,
    pub org: Option<String>,
    pub org_evidence: Evidence,
    pub findings: Vec<Finding>,
}

/// Lines scanned for a title and header, and at the end for a signature.
const TITLE_LINES: usize = 8;
const SIGNATURE_LINES: usize = 12;
/// A title is split over at most this many lines and is at most this long.
const TITLE_SPAN: usize = 3;
const TITLE_MAX_CHARS: usize = 80;
/// A name line is at most this long.
const NAME_MAX_CHARS: usize = 30;
/// The prose is searched this far back from an org suffix for the start of
/// a name; a name whose start is not found is not taken (never cut).
const PROSE_RUN: usize = 24;
/// Characters allowed between the two dates of a statistics window.
const WINDOW_GAP: usize = 8;
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// One non-empty line: `raw` its characters without white space and
/// width-folded (names are cut from it), `key` the same characters with
/// traditional forms folded (words are matched on it). Both are made on
/// first use, so only the lines searched cost anything; both have the same
/// length.
struct Line<'t, 'n> {
    text: &'t str,
    raw: OnceCell<Vec<char>>,
    key: OnceCell<Vec<char>>,
    /// `Words::junk` of `key`.
    junk: OnceCell<bool>,
    norm: &'n Normaliser,
}

impl<'t, 'n> Line<'t, 'n> {
    fn new(text: &'t str, norm: &'n Normaliser) -> Line<'t, 'n> {
        Line {
            text,
            raw: OnceCell::new(),
            key: OnceCell::new(),
            junk: OnceCell::new(),
            norm,
        }
    }

    fn raw(&self) -> &[char] {
        self.raw.get_or_init(|| {
            // At most one character a byte: one allocation, never a regrowth.
            let mut raw = Vec::with_capacity(self.text.len());
            raw.extend(
                self.text
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
                    .map(fold_width),
            );
            raw
        })
    }

    fn key(&self) -> &[char] {
        self.key
            .get_or_init(|| self.raw().iter().map(|&c| self.norm.fold(c)).collect())
    }

    /// Does the line hold page chrome or boilerplate?
    fn junk(&self, w: &Words) -> bool {
        *self.junk.get_or_init(|| w.junk(self.key()))
    }
}

/// A list of words, folded as the text is, in one buffer.
#[derive(Debug, Default)]
struct List {
    chars: Vec<char>,
    /// Where each word ends in `chars`.
    ends: Vec<usize>,
}

impl List {
    fn push(&mut self, word: impl Iterator<Item = char>) {
        self.chars.extend(word);
        self.ends.push(self.chars.len());
    }

    fn iter(&self) -> impl Iterator<Item = &[char]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, &b)| self.chars.get(a..b).unwrap_or(&[]))
    }
}

/// The config's words, folded as the text is.
#[derive(Debug)]
struct Words {
    /// Per group, its words (none empty).
    title: Vec<List>,
    cut: List,
    suffixes: List,
    boilerplate: List,
    stop: Vec<char>,
    lead: Vec<char>,
    no_lead: Vec<char>,
    quotes: Vec<char>,
}

impl Words {
    fn new(cfg: &MetaConfig, norm: &Normaliser) -> Words {
        let list = |ws: &[String], keep_empty: bool| {
            let mut out = List::default();
            for w in ws {
                let mut word = w
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| norm.fold(c))
                    .peekable();
                if keep_empty || word.peek().is_some() {
                    out.push(word);
                }
            }
            out
        };
        let chars = |s: &str| s.chars().map(|c| norm.fold(c)).collect::<Vec<_>>();
        Words {
            title: cfg.title_words.iter().map(|g| list(g, false)).collect(),
            cut: list(&cfg.title_cut, true),
            suffixes: list(&cfg.org_suffixes, true),
            boilerplate: list(&cfg.boilerplate, true),
            stop: chars(&cfg.org_stop_chars),
            lead: chars(&cfg.org_lead_chars),
            no_lead: chars(&cfg.org_no_lead),
            quotes: chars(&cfg.quote_marks),
        }
    }

    /// Does `key` hold page chrome or boilerplate?
    fn junk(&self, key: &[char]) -> bool {
        self.boilerplate.iter().any(|w| find(key, w).is_some())
    }

    /// Does `key` hold a word of every title group?
    fn is_title(&self, key: &[char]) -> bool {
        !self.title.is_empty()
            && self
                .title
                .iter()
                .all(|g| g.iter().any(|w| find(key, w).is_some()))
    }

    /// Does `key` hold any title or cut word?
    fn has_title_word(&self, key: &[char]) -> bool {
        self.title
            .iter()
            .flat_map(List::iter)
            .chain(self.cut.iter())
            .any(|w| find(key, w).is_some())
    }

    /// Does `key` end with an org suffix and hold more than the suffix?
    fn ends_with_suffix(&self, key: &[char]) -> bool {
        self.suffixes
            .iter()
            .any(|s| key.len() > s.len() && key.ends_with(s))
    }

    /// Could `key` (already known to be CJK) be a body's name?
    fn name_ok(&self, key: &[char]) -> bool {
        key.len() >= 2
            && key.len() <= NAME_MAX_CHARS
            && !self.junk(key)
            && !self.has_title_word(key)
            && key
                .first()
                .is_some_and(|c| !self.stop.contains(c) && !self.no_lead.contains(c))
    }

    /// Is this line a body's name, with at most a year (`XX局2018年度`), so
    /// the start of a title split over lines?
    fn name_piece(&self, l: &Line) -> bool {
        if l.raw().len() > TITLE_MAX_CHARS || l.junk(self) {
            return false;
        }
        let name: Vec<char> = clean_org(l.key()).chars().collect();
        name.iter().all(|&c| is_cjk(c)) && self.ends_with_suffix(&name) && self.name_ok(&name)
    }

    /// Is this line the body's name alone (a header or signature line)?
    fn name_line(&self, l: &Line) -> bool {
        // Cheap tests on the raw line first: most lines are long prose.
        if l.raw().len() > NAME_MAX_CHARS || !l.raw().iter().all(|&c| is_cjk(c)) {
            return false;
        }
        let key = l.key();
        self.ends_with_suffix(key) && self.name_ok(key)
    }
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[char], needle: &[char]) -> Option<usize> {
    let &first = needle.first()?;
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len())
        .position(|w| w[0] == first && w == needle)
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

/// The end of a window's closing date at `j`: `Y年12月31日` with the same
/// year, or `12月31日` alone. `Err` when a date of another year starts there.
fn window_end(c: &[char], j: usize, y: i32) -> Result<Option<usize>, ()> {
    match year_at(c, j) {
        Some(y2) if y2 == y && starts(c, j + 5, "12月31日") => Ok(Some(j + 11)),
        Some(_) => Err(()),
        None if starts(c, j, "12月31日") => Ok(Some(j + 6)),
        None => Ok(None),
    }
}

/// The end of a statistics window `Y年1月1日 … [Y年]12月31日` opening with
/// the year `y` at `i`. Between the two dates only a few characters without
/// digits (`至`, `到`, `起至`, `—`).
fn window_at(c: &[char], i: usize, y: i32) -> Option<usize> {
    let after = i + 5;
    let start = ["1月1日", "01月01日", "1月01日", "01月1日"]
        .iter()
        .find(|w| starts(c, after, w))?;
    let from = after + start.chars().count();
    for j in from..(from + WINDOW_GAP + 1).min(c.len()) {
        match window_end(c, j, y) {
            Ok(Some(end)) => return Some(end),
            Err(()) => return None,
            Ok(None) if c[j].is_ascii_digit() => return None,
            Ok(None) => {}
        }
    }
    None
}

/// Every statistics window (year and text), and how often the text names
/// each year other than in a date, in one pass over `c` (the text's
/// characters without white space, width-folded).
#[cfg_attr(not(test), allow(dead_code))]
fn years(c: &[char]) -> (Vec<(i32, String)>, HashMap<i32, usize>) {
    let mut wins = Vec::new();
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for i in 0..c.len() {
        year_here(c, i, &mut wins, &mut counts);
    }
    (wins, counts)
}

/// What `years` counts of a year at `c[i]`, if one starts there.
fn year_here(
    c: &[char],
    i: usize,
    wins: &mut Vec<(i32, String)>,
    counts: &mut HashMap<i32, usize>,
) {
    let Some(y) = year_at(c, i) else { return };
    if let Some(end) = window_at(c, i, y) {
        wins.push((y, c[i..end].iter().collect()));
    }
    if !month_at(c, i + 5) {
        *counts.entry(y).or_default() += 1;
    }
}

/// Characters after a year's `年` that `year_here` may look at: a window's
/// opening date, the gap and its closing date with its year.
const YEAR_REACH: usize = 40;

/// `years` of the text's characters without white space, width-folded,
/// read around each `年` only: a year ends in one, and what `years` asks of
/// a year starting at a character lies among the one before it and the
/// `YEAR_REACH` after its `年`.
fn years_in(text: &str) -> (Vec<(i32, String)>, HashMap<i32, usize>) {
    let kept = |c: &char| !c.is_whitespace() && *c != '\u{FEFF}';
    let mut wins = Vec::new();
    let mut counts: HashMap<i32, usize> = HashMap::new();
    let mut around: Vec<char> = Vec::with_capacity(YEAR_REACH + 6);
    // memchr's search for the three bytes of `年` finds what
    // `match_indices('年')` finds (a whole UTF-8 sequence only ever matches
    // at a character boundary) without stopping at every byte `B4`, the
    // last byte of `年` and of many Chinese characters.
    for at in memchr::memmem::find_iter(text.as_bytes(), "年".as_bytes()) {
        // The four characters before the `年` and the one before them. Most
        // `年` end a word (本年, 年度), not a year: only four digits before it
        // make one worth reading on.
        around.clear();
        let mut back = text[..at].chars().rev().filter(kept).map(fold_width);
        while around.len() < 5 {
            let Some(c) = back.next() else { break };
            around.push(c);
            if around.len() <= 4 && !c.is_ascii_digit() {
                break;
            }
        }
        if around.len() < 4 || !around[..4].iter().all(char::is_ascii_digit) {
            continue;
        }
        around.reverse();
        let i = around.len() - 4;
        around.push('年');
        around.extend(
            text[at + '年'.len_utf8()..]
                .chars()
                .filter(kept)
                .map(fold_width)
                .take(YEAR_REACH),
        );
        year_here(&around, i, &mut wins, &mut counts);
    }
    (wins, counts)
}

/// The first `YYYY年` in a text that is not a date (`2021年1月15日`).
fn first_year(c: &[char]) -> Option<i32> {
    (0..c.len()).find_map(|i| year_at(c, i).filter(|_| !month_at(c, i + 5)))
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

fn join_raw(lines: &[Line]) -> Vec<char> {
    let mut raw = Vec::with_capacity(lines.iter().map(|l| l.raw().len()).sum());
    for l in lines {
        raw.extend_from_slice(l.raw());
    }
    raw
}

fn join_key(lines: &[Line]) -> Vec<char> {
    let mut key = Vec::with_capacity(lines.iter().map(|l| l.raw().len()).sum());
    for l in lines {
        key.extend_from_slice(l.key());
    }
    key
}

/// The org part of a joined title, cleaned; empty when there is none.
fn title_org(raw: &[char], key: &[char], w: &Words) -> String {
    let cut = w
        .cut
        .iter()
        .filter_map(|c| find(key, c))
        .min()
        .unwrap_or(key.len());
    clean_org(&raw[..cut.min(raw.len())])
}

/// The title: the first span of one to three lines among the first lines
/// that holds a word of every title group, with no chrome or boilerplate in
/// it. When the span names no body and the line above is a name (with at
/// most a year), that line belongs to the title (`乌海市工业和信息化局` /
/// `2019年度…年报`). Gives the title's lines joined: (raw, key).
fn find_title(lines: &[Line], w: &Words) -> Option<(Vec<char>, Vec<char>)> {
    for end in 0..lines.len().min(TITLE_LINES) {
        let mut found = None;
        for start in (end.saturating_sub(TITLE_SPAN - 1)..=end).rev() {
            let line = &lines[start];
            if line.raw().len() > TITLE_MAX_CHARS || line.raw().contains(&'。') || line.junk(w) {
                break;
            }
            // A line's key is as long as its raw form: the span's length is
            // known before it is joined, and its raw form is needed only
            // when it is the title.
            let span = &lines[start..=end];
            if span.iter().map(|l| l.raw().len()).sum::<usize>() > TITLE_MAX_CHARS {
                break;
            }
            let key = join_key(span);
            if w.is_title(&key) {
                found = Some((start, join_raw(span), key));
                break;
            }
        }
        let Some((start, raw, key)) = found else {
            continue;
        };
        if start > 0
            && end - start + 1 < TITLE_SPAN
            && title_org(&raw, &key, w).is_empty()
            && w.name_piece(&lines[start - 1])
        {
            let span = &lines[start - 1..=end];
            return Some((join_raw(span), join_key(span)));
        }
        return Some((raw, key));
    }
    None
}

/// The `[meta]` words folded by the label normaliser, once for a run:
/// folding them for every document cost a tenth of `detect`.
#[derive(Debug)]
pub struct Reader {
    words: Words,
}

impl Reader {
    pub fn new(cfg: &MetaConfig, norm: &Normaliser) -> Reader {
        Reader {
            words: Words::new(cfg, norm),
        }
    }

    /// The year and org of a document's text (see the module doc), its
    /// words folded by `norm`, the normaliser the reader was made with (the
    /// templates' one, which `Settings` holds).
    pub fn detect(&self, text: &str, norm: &Normaliser) -> Meta {
        read(text, &self.words, norm)
    }
}

fn read<'t>(text: &'t str, w: &Words, norm: &Normaliser) -> Meta {
    let mut meta = Meta::default();
    // Lines are built only where words are searched: the first and the
    // last few, and every line only when the prose must name the body.
    let blank = |l: &&str| l.chars().all(|c| c.is_whitespace() || c == '\u{FEFF}');
    let make = |ls: &mut dyn Iterator<Item = &'t str>| -> Vec<Line<'t, '_>> {
        ls.map(|l| Line::new(l, norm)).collect()
    };
    let head = make(&mut text.lines().filter(|l| !blank(l)).take(TITLE_LINES));
    let mut tail = make(
        &mut text
            .lines()
            .rev()
            .filter(|l| !blank(l))
            .take(SIGNATURE_LINES),
    );
    tail.reverse();
    let title = find_title(&head, w);
    let title_text = title
        .as_ref()
        .map(|(raw, _)| raw.iter().collect::<String>());

    // The year: digits and 年月日 are the same in either script.
    let (wins, counts) = years_in(text);
    let title_year = title.as_ref().and_then(|(_, key)| first_year(key));
    let mut prose: Vec<(i32, usize)> = counts.into_iter().collect();
    prose.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    if let Some((y, span)) = wins.first().cloned() {
        meta.year = Some(y);
        meta.year_evidence = Evidence {
            source: Some("window"),
            text: Some(span),
        };
        if let Some((other, _)) = wins.iter().find(|(o, _)| *o != y) {
            meta.findings.push(Finding::new(
                Severity::Warning,
                "year.ambiguous",
                format!("two statistics windows, of {y} and {other}; the first, {y}, is used"),
            ));
        }
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
            text: title_text.clone(),
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

    // The org: the title, a signature or header line, the prose.
    if let Some((raw, key)) = &title {
        let org = title_org(raw, key, w);
        let org_key: Vec<char> = org.chars().map(|c| norm.fold(c)).collect();
        if org.chars().count() >= 2 && !w.junk(&org_key) {
            meta.org = Some(org);
            meta.org_evidence = Evidence {
                source: Some("title"),
                text: title_text.clone(),
            };
        }
    }
    if meta.org.is_none() {
        let signature = tail
            .iter()
            .rev()
            .find(|l| w.name_line(l))
            .map(|l| ("signature", l));
        let header = || head.iter().find(|l| w.name_line(l)).map(|l| ("header", l));
        if let Some((source, l)) = signature.or_else(header) {
            let name: String = l.raw().iter().collect();
            meta.org = Some(name.clone());
            meta.org_evidence = Evidence {
                source: Some(source),
                text: Some(name),
            };
        }
    }
    if meta.org.is_none() {
        match prose_org(&make(&mut text.lines().filter(|l| !blank(l))), w) {
            Some(Prose::Name(org, n)) => {
                meta.org_evidence = Evidence {
                    source: Some("prose"),
                    text: Some(format!("{org} ×{n}")),
                };
                meta.org = Some(org);
            }
            Some(Prose::Tie(a, b)) => meta.findings.push(Finding::new(
                Severity::Warning,
                "org.ambiguous",
                format!(
                    "no title or name line, and the prose names {a} and {b} as often; no org name"
                ),
            )),
            None => {}
        }
    }
    meta
}

/// `yearish[i]`: is `c[i]` part of a `YYYY年` or `YYYY年度`?
fn yearish(c: &[char]) -> Vec<bool> {
    let mut out = vec![false; c.len()];
    for i in 0..c.len() {
        if year_at(c, i).is_some() {
            let end = if c.get(i + 5) == Some(&'度') { 6 } else { 5 };
            for flag in out.iter_mut().skip(i).take(end) {
                *flag = true;
            }
        }
    }
    out
}

/// What the prose says of the body: a name and how often it is named, or
/// two names as well supported.
enum Prose {
    Name(String, usize),
    Tie(String, String),
}

/// A name the prose gives a body, with how often and how often as the
/// self-reference.
#[derive(Default)]
struct Seen {
    count: usize,
    own: usize,
}

/// The name the prose gives the body. Candidates end with an org suffix and
/// start where a run of Chinese characters starts (a line start, a
/// punctuation mark, a year) or right after a lead character (`请与`, `由`);
/// never in the middle of a run. A candidate is the self-reference when it
/// opens its clause after the year (`2020年，XX局…`) or is followed by a year
/// (`XX局2020年…`). The self-reference wins; else a name the prose repeats.
/// Among either, a name that is the end of a longer one is dropped, then the
/// most frequent, then the longest; two different names as well supported
/// are a tie, and no name is published.
fn prose_org(lines: &[Line], w: &Words) -> Option<Prose> {
    let mut seen: HashMap<String, Seen> = HashMap::new();
    let mut spans: HashSet<(usize, usize, usize)> = HashSet::new();
    for (n, l) in lines.iter().enumerate() {
        let key = l.key();
        let years = yearish(key);
        let word = |i: usize| is_cjk(key[i]) && !years[i];
        for sfx in w.suffixes.iter() {
            let mut from = 0;
            while let Some(k) = find(&key[from..], sfx) {
                let i = from + k;
                let e = i + sfx.len();
                from = i + 1;
                // The start of the run, if within reach.
                let mut b = i;
                while b > 0 && word(b - 1) && i - b < PROSE_RUN {
                    b -= 1;
                }
                let bounded = b == 0 || !word(b - 1);
                let followed_by_year = year_at(key, e).is_some();
                let after_year = {
                    let mut q = b;
                    while q > 0 && matches!(key[q - 1], ',' | '，' | '、' | ':' | '：') {
                        q -= 1;
                    }
                    q > 0 && years[q - 1]
                };
                let quoted = b > 0 && w.quotes.contains(&key[b - 1]);
                for s in b..i {
                    let at_boundary = s == b && bounded;
                    if !(at_boundary || (s > 0 && w.lead.contains(&key[s - 1]))) {
                        continue;
                    }
                    if e - s < 3 || !w.name_ok(&key[s..e]) || !spans.insert((n, s, e)) {
                        continue;
                    }
                    let own = !quoted && ((at_boundary && after_year) || followed_by_year);
                    let name: String = l.raw()[s..e].iter().collect();
                    let entry = seen.entry(name).or_default();
                    entry.count += 1;
                    entry.own += usize::from(own);
                }
            }
        }
    }
    let pick = |pool: Vec<(&String, &Seen)>| -> Option<Prose> {
        let mut best: Vec<(&String, &Seen)> = pool
            .iter()
            .filter(|(a, _)| {
                !pool
                    .iter()
                    .any(|(b, _)| b.chars().count() > a.chars().count() && b.ends_with(a.as_str()))
            })
            .copied()
            .collect();
        best.sort_by(|(a, x), (b, y)| {
            (y.own, y.count, b.chars().count())
                .cmp(&(x.own, x.count, a.chars().count()))
                .then(a.cmp(b))
        });
        let (name, top) = best.first()?;
        // As well supported and not the same body (通济街道 / 通济街道办事处
        // is): two bodies, no name.
        let rival = best.iter().skip(1).find(|(other, s)| {
            (s.own, s.count) == (top.own, top.count)
                && !name.contains(other.as_str())
                && !other.contains(name.as_str())
        });
        Some(match rival {
            Some((other, _)) => Prose::Tie((*name).clone(), (*other).clone()),
            None => Prose::Name((*name).clone(), top.count),
        })
    };
    let own: Vec<(&String, &Seen)> = seen.iter().filter(|(_, s)| s.own > 0).collect();
    if !own.is_empty() {
        return pick(own);
    }
    pick(seen.iter().filter(|(_, s)| s.count >= 2).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped `[meta]` words and traditional forms: the rules are
    /// tested with the data they run with.
    fn shipped() -> (MetaConfig, Normaliser) {
        #[derive(serde::Deserialize)]
        struct Normalise {
            traditional: String,
        }
        #[derive(serde::Deserialize)]
        struct File {
            meta: MetaConfig,
            normalise: Normalise,
        }
        let file: File = toml::from_str(include_str!("../../config/xxgk.toml")).unwrap();
        let norm = Normaliser::new(&file.normalise.traditional, "").unwrap();
        (file.meta, norm)
    }

    fn run(text: &str) -> Meta {
        let (cfg, norm) = shipped();
        Reader::new(&cfg, &norm).detect(text, &norm)
    }

    /// `years_in` reads around each `年` what `years` reads of the whole
    /// text: windows, dates and years with white space, full-width digits
    /// and page breaks inside, at the text's edges, and every fixture.
    #[test]
    fn years_read_around_each_nian_as_over_the_whole_text() {
        let all = |t: &str| -> Vec<char> {
            t.chars()
                .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
                .map(fold_width)
                .collect()
        };
        let sorted = |(w, c): (Vec<(i32, String)>, HashMap<i32, usize>)| {
            let mut c: Vec<(i32, usize)> = c.into_iter().collect();
            c.sort_unstable();
            (w, c)
        };
        let mut texts: Vec<String> = [
            "2020年",
            "年2020年",
            "12020年1月1日至2020年12月31日",
            "自 2 0 2 0 年 1 月 1 日起至 2020 年 12 月 31 日止",
            "从２０１９年１月１日到１２月３１日止，2019年度，2019年",
            "2019年1月1日——至\n\n2019年12月31日2021年1月15日\u{FEFF}2019年",
            "2019年01月01日至2020年12月31日，2018年1月1日至12月31日止2018",
            "本年度2021年\t \r\n2 021年1月1日至　2021年12月31日",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fixtures");
        for e in std::fs::read_dir(root).into_iter().flatten().flatten() {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                texts.push(t);
            }
        }
        assert!(texts.len() > 20, "{} texts", texts.len());
        for t in &texts {
            assert_eq!(sorted(years_in(t)), sorted(years(&all(t))), "{t}");
        }
    }

    #[test]
    fn window_beats_title_and_prose() {
        let m = run("某街道2021年政府信息公开工作年度报告\n本报告统计期限自2020年1月1日起至2020年12月31日止。\n2021年1月20日");
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.year_evidence.source, Some("window"));
        assert_eq!(m.findings[0].code, "year.ambiguous");
    }

    #[test]
    fn window_forms() {
        for (text, span) in [
            (
                "统计期限从2019年1月1日到12月31日止。",
                "2019年1月1日到12月31日",
            ),
            (
                "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止",
                "2021年1月1日起至2021年12月31日",
            ),
            ("统计时间段为2018年1月1日—12月31日", "2018年1月1日—12月31日"),
            (
                "期间 2017 年 01 月 01 日至 2017 年 12 月 31 日",
                "2017年01月01日至2017年12月31日",
            ),
        ] {
            let m = run(&format!("2025年，2025年，2025年。\n{text}"));
            assert_eq!(m.year_evidence.source, Some("window"), "{text}");
            assert_eq!(m.year_evidence.text.as_deref(), Some(span), "{text}");
        }
    }

    #[test]
    fn dates_that_are_no_window() {
        // A publication date; a span of two years; a window cut by a number.
        for text in [
            "2021年1月15日",
            "2019年1月1日至2020年12月31日",
            "2019年1月1日起共3件，12月31日",
        ] {
            let m = run(&format!("2022年工作。\n{text}"));
            assert_eq!(m.year_evidence.source, Some("prose"), "{text}");
            assert_eq!(m.year, Some(2022), "{text}");
        }
    }

    #[test]
    fn title_over_two_and_three_lines() {
        let m = run("乌海市工业和信息化局\n2019年度政府信息公开年报\n2020年计划。2020年目标。");
        assert_eq!(m.year, Some(2019));
        assert_eq!(m.year_evidence.source, Some("title"));
        assert_eq!(m.org.as_deref(), Some("乌海市工业和信息化局"));
        assert_eq!(m.org_evidence.source, Some("title"));
        let m = run("某某县民政局2018年度\n政府信息公开\n工作报告\n2020年，2020年。");
        assert_eq!(m.year, Some(2018));
        assert_eq!(m.org.as_deref(), Some("某某县民政局"));
        // Four lines are no title.
        let m = run("某某县民政局\n2018年度\n政府信息公开\n工作报告\n2020年。");
        assert_eq!(m.year_evidence.source, Some("prose"));
    }

    #[test]
    fn title_in_traditional_script() {
        let m = run("句容市住房和城鄉建設局\n2020年政府信息公開工作年度報告\n正文");
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.org.as_deref(), Some("句容市住房和城鄉建設局"));
    }

    #[test]
    fn a_date_in_the_title_is_no_year() {
        let m = run("政府信息公开工作报告（2021年1月15日发布）\n2020年。2020年。");
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.year_evidence.source, Some("prose"));
    }

    #[test]
    fn title_year_with_spaces() {
        let m = run("\n坛山街道办事处 2021 年政府信息公开 工作年度报告\n\n2022年1月5日");
        assert_eq!(m.year, Some(2021));
        assert_eq!(m.org.as_deref(), Some("坛山街道办事处"));
    }

    #[test]
    fn publication_dates_are_not_the_year() {
        let m = run("2020年，我街道做了工作。2020年度成效。较2019年增长。\n2021年1月27日");
        assert_eq!(m.year, Some(2020));
        assert_eq!(m.year_evidence.source, Some("prose"));
    }

    #[test]
    fn chrome_and_boilerplate_are_no_title() {
        let m = run("当前位置：首页 > 政府信息公开 > 年度报告\n东山区水务局2020年政府信息公开工作年度报告\n");
        assert_eq!(m.org.as_deref(), Some("东山区水务局"));
        assert_eq!(m.year, Some(2020));
        let m = run(
            "本报告依据《中华人民共和国政府信息公开条例》编制。\n正文\n东山区水务局\n2021年1月5日",
        );
        assert_eq!(m.org.as_deref(), Some("东山区水务局"));
        assert_eq!(m.org_evidence.source, Some("signature"));
        // Chrome alone gives no name at all.
        let m = run("当前位置：首页 > 政府信息公开 > 年度报告\n正文");
        assert_eq!(m.org, None);
    }

    #[test]
    fn header_line_names_the_body() {
        let body = "正文。\n".repeat(SIGNATURE_LINES);
        let m = run(&format!(
            "东山区水务局\n政府信息公开情况\n{body}2021年1月5日"
        ));
        assert_eq!(m.org.as_deref(), Some("东山区水务局"));
        assert_eq!(m.org_evidence.source, Some("header"));
    }

    #[test]
    fn names_are_not_cut() {
        // Longer than the old reach of eight characters, named twice.
        let m = run("正文\n乌海市工业和信息化局认真工作。请与乌海市工业和信息化局联系。");
        assert_eq!(m.org.as_deref(), Some("乌海市工业和信息化局"));
        // `我市住房…` is the city's bureau: not a name of its own.
        let m = run("句容市住房和城鄉建設局落实。我市住房和城鄉建設局推进。请与句容市住房和城鄉建設局联系。");
        assert_eq!(m.org.as_deref(), Some("句容市住房和城鄉建設局"));
        // Inside a run, a name starts only after a lead character: never
        // after 和 (工业和信息化局) or anywhere else.
        let m = run(
            "正文\n全年通过乌海市工业和信息化局网站发布。全年通过乌海市工业和信息化局网站更新。",
        );
        assert_eq!(m.org, None);
        // A verb opening the clause is no part of a name: no name at all.
        let m = run("正文\n通过乌海市工业和信息化局网站发布。通过乌海市工业和信息化局网站更新。");
        assert_eq!(m.org, None);
        // A run longer than the reach gives no name rather than its end.
        let m = run("一二三四五六七八九十一二三四五六七八九十一二三四五六局。一二三四五六七八九十一二三四五六七八九十一二三四五六局。");
        assert_eq!(m.org, None);
    }

    #[test]
    fn prose_self_reference() {
        let m = run(
            "2020年度报告\n东山区水务局2020年政府信息公开工作情况如下。我局认真工作。我局完成。",
        );
        assert_eq!(m.org.as_deref(), Some("东山区水务局"));
        assert_eq!(m.org_evidence.source, Some("prose"));
        let m = run("正文\n2020年，东山区水务局认真工作。我局完成。");
        assert_eq!(m.org.as_deref(), Some("东山区水务局"));
        // Two bodies named as often: no name, a finding.
        let m = run("正文\n东山区水务局认真工作。西山区林业局认真工作。东山区水务局完成。西山区林业局完成。");
        assert_eq!(m.org, None);
        assert!(m.findings.iter().any(|f| f.code == "org.ambiguous"));
        // `我局` alone is no name; a quoted document's author is not the body.
        let m = run("正文\n我局认真工作。我局完成。《西山区人民政府2020年工作要点》");
        assert_eq!(m.org, None);
    }

    #[test]
    fn org_from_bookmarked_title_signature_and_prose() {
        let m = run("[bookmark: _GoBack]鹤岗市大陆街道办事处2020年政府信息公开工作报告\n正文");
        assert_eq!(m.org.as_deref(), Some("鹤岗市大陆街道办事处"));
        let m = run("正文\n荣市街道办事处\n2021年1月27日");
        assert_eq!(m.org.as_deref(), Some("荣市街道办事处"));
        let m = run("2020年,通济街道认真工作。请与通济街道办事处联系。");
        assert_eq!(m.org.as_deref(), Some("通济街道"));
        assert_eq!(m.org_evidence.source, Some("prose"));
    }

    #[test]
    fn no_year_is_a_finding() {
        let m = run("没有年份");
        assert_eq!(m.year, None);
        assert_eq!(m.findings[0].code, "year.missing");
    }
}
