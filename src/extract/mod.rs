//! Cells × templates → tables: the one matcher every layout goes through.
//!
//! It takes a segmented document and the compiled templates and gives the
//! chosen template, each table found (cells in template order, with the raw
//! text they were read from) and the findings of extraction. It is a pure
//! function: no I/O, no template label of its own, no value repaired. Where
//! the text does not say which value is which, the cells stay null and a
//! finding says why (Standards: "a wrong number is worse than a null").
//!
//! How it reads a table (tables.md, real-world.md):
//! 1. anchors: cells holding a table's caption (plus a short prefix);
//! 2. for each table key and each template variant of it, the cells from the
//!    anchor to the next anchor are read: text before the first row label is
//!    the header; each row label opens a row and takes the cells after it;
//!    fragments of a label broken across lines continue the row;
//! 3. the variant whose rows and header match best is chosen; the report's
//!    template is the one most tables follow;
//! 4. each row's cells are fitted to its columns (blank layout cells at the
//!    edges are dropped); a row that does not fit stays null with a finding.

pub mod meta;

use crate::model::{CellOut, CountCell, Finding, MoneyCell, Severity, TableOut};
use crate::segment::{CellKind, Doc};
use crate::template::{bloom, ColumnKind, Label, Shape, ShortRow, TableDef, Templates};
use crate::validate::money::{parse_money, to_yuan, unit_in_header, Money, Unit};
use crate::validate::values::{parse_count, Count};

/// Text this short, where a value is expected, is read as a (bad) value.
const SHORT_TEXT: usize = 6;
/// At most this many cells before the first row label count as header when a
/// table has no caption.
const HEADER_WINDOW: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// A short label (under 4 characters) covering at most half the cell:
    /// `其他` in `2.其他法律行政`. It names the cell only when nothing else
    /// does.
    Partial,
    /// The cell is the start or the end of a label (a label broken in two).
    Fragment,
    /// The cell contains the label (a suffix such as 规章（市政府令）).
    Contains,
    Exact,
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    strength: Strength,
    len: usize,
    suffix: bool,
}

impl Hit {
    fn rank(self) -> (Strength, usize) {
        (self.strength, self.len)
    }
}

/// A text cell's normalised form, prepared for matching.
#[derive(Debug, Clone, Copy)]
struct Probe<'a> {
    norm: &'a str,
    chars: usize,
    bloom: u64,
}

impl<'a> Probe<'a> {
    fn new(norm: &'a str) -> Probe<'a> {
        Probe {
            norm,
            chars: norm.chars().count(),
            bloom: bloom(norm),
        }
    }
}

/// Substring test for short strings (labels are a few dozen bytes): a plain
/// scan beats building a two-way searcher per call. Byte-wise is exact for
/// UTF-8.
fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    match n.first() {
        None => true,
        Some(_) if n.len() > h.len() => false,
        Some(&first) => (0..=h.len() - n.len()).any(|i| h[i] == first && &h[i..i + n.len()] == n),
    }
}

fn match_alias(cell: &Probe, alias: &Label) -> Option<Hit> {
    let (norm, nchars, achars) = (cell.norm, cell.chars, alias.chars);
    // The cell can hold the alias only if it has all its characters, and be
    // a piece of it only if the alias has all the cell's.
    let may_contain = alias.bloom & !cell.bloom == 0;
    let may_be_piece = nchars >= 3 && nchars < achars && cell.bloom & !alias.bloom == 0;
    if !may_contain && !may_be_piece {
        return None;
    }
    let hit = |strength, suffix| {
        Some(Hit {
            strength,
            len: achars,
            suffix,
        })
    };
    if may_contain && norm == alias.text {
        hit(Strength::Exact, false)
    } else if may_contain && (achars >= 4 || nchars <= achars * 4) && contains(norm, alias) {
        if achars < 4 && achars * 2 <= nchars {
            hit(Strength::Partial, false)
        } else {
            hit(Strength::Contains, false)
        }
    } else if may_be_piece && alias.starts_with(norm) {
        hit(Strength::Fragment, false)
    } else if may_be_piece && alias.ends_with(norm) {
        hit(Strength::Fragment, true)
    } else {
        None
    }
}

fn best_hit<'a>(cell: &Probe, aliases: impl Iterator<Item = &'a Label>) -> Option<Hit> {
    aliases
        .filter_map(|a| match_alias(cell, a))
        .max_by_key(|h| h.rank())
}

/// The row a text cell names, if one does without ambiguity.
fn match_row(def: &TableDef, cell: &Probe) -> Option<(usize, Hit)> {
    let mut best: Option<(usize, Hit)> = None;
    let mut tied = false;
    for (r, row) in def.rows.iter().enumerate() {
        let Some(h) = best_hit(cell, row.aliases.iter()) else {
            continue;
        };
        match best {
            Some((_, b)) if h.rank() < b.rank() => {}
            Some((_, b)) if h.rank() == b.rank() => tied = true,
            _ => {
                best = Some((r, h));
                tied = false;
            }
        }
    }
    // Two rows sharing a fragment: it names neither. Equal full matches go to
    // the first row in printed order.
    match best {
        Some((_, h)) if tied && h.strength == Strength::Fragment => None,
        b => b,
    }
}

/// Column labels and group labels of a table.
fn header_labels(def: &TableDef) -> impl Iterator<Item = &Label> {
    def.columns
        .iter()
        .flat_map(|c| c.aliases.iter())
        .chain(def.groups.iter().map(|g| &g.label))
}

/// A table read from one region with one variant.
#[derive(Debug, Default)]
struct Run {
    /// Per template row: the cell of its label and its candidate range.
    rows: Vec<Option<RowSpan>>,
    /// Candidate value cells, in order; each row's are contiguous.
    cands: Vec<u32>,
    /// Header text cells.
    header: Vec<u32>,
    /// Text that named no row, with the number of values after it.
    unknown: Vec<(u32, usize)>,
    /// Labels of rows already read.
    duplicates: Vec<u32>,
    /// Flat tables: a header label was seen.
    header_seen: bool,
}

#[derive(Debug, Clone, Copy)]
struct RowSpan {
    label: u32,
    start: u32,
    end: u32,
}

impl Run {
    fn found(&self, def: &TableDef) -> bool {
        match def.shape {
            Shape::Grid => self.rows.iter().any(Option::is_some),
            // One header word (总计 ends the requests table's header too) is
            // not a flat table's header: it takes two header cells.
            Shape::Flat => self.header.len() >= 2 && !self.cands.is_empty(),
        }
    }
}

fn nonempty(doc: &Doc, cands: &[u32]) -> usize {
    cands
        .iter()
        .filter(|&&i| doc.cells[i as usize].kind != CellKind::Empty)
        .count()
}

fn read_grid(doc: &Doc, def: &TableDef, lo: usize, hi: usize) -> Run {
    let mut run = Run {
        rows: vec![None; def.rows.len()],
        ..Run::default()
    };
    let k = def.columns.len();
    let mut body = false;
    let mut current: Option<usize> = None;
    let mut open_unknown: Option<usize> = None;
    for i in lo..hi {
        let cell = &doc.cells[i];
        if cell.kind != CellKind::Text {
            if !body {
                continue;
            }
            if let Some(r) = current {
                run.cands.push(i as u32);
                if let Some(span) = run.rows[r].as_mut() {
                    span.end = run.cands.len() as u32;
                }
            } else if let (Some(u), CellKind::Value) = (open_unknown, cell.kind) {
                run.unknown[u].1 += 1;
            }
            continue;
        }
        let probe = Probe::new(doc.norm(i));
        let n = probe.chars;
        if n == 0 {
            continue;
        }
        let row = match_row(def, &probe);
        let head = best_hit(&probe, header_labels(def));
        let ignore = best_hit(&probe, def.ignore.iter());
        let other = match (head, ignore) {
            (Some(a), Some(b)) => Some(if a.rank() >= b.rank() { a } else { b }),
            (a, b) => a.or(b),
        };
        if !body {
            let starts = match row {
                Some((_, h)) => !h.suffix && other.is_none_or(|o| o.strength < h.strength),
                None => false,
            };
            if !starts {
                run.header.push(i as u32);
                continue;
            }
            body = true;
        }
        // A row label wins over a group or header label, unless that one is
        // printed alone (exact) and the row label only partly: a group label
        // fused onto its first sub-row (（三）不予公开1.属于国家秘密) names the row.
        let row = match (row, other) {
            (Some((r, h)), Some(o))
                if h.strength == Strength::Exact
                    || (h.strength >= Strength::Partial
                        && h.strength <= Strength::Contains
                        && o.strength == h.strength
                        && h.strength != Strength::Fragment)
                    || (h.strength == Strength::Contains && o.strength != Strength::Exact)
                    || o.strength < h.strength =>
            {
                Some((r, h))
            }
            (Some((r, h)), None) => Some((r, h)),
            _ => None,
        };
        if let Some((r, h)) = row {
            match run.rows[r] {
                None => {
                    let at = run.cands.len() as u32;
                    run.rows[r] = Some(RowSpan {
                        label: i as u32,
                        start: at,
                        end: at,
                    });
                    current = Some(r);
                    open_unknown = None;
                }
                Some(_) if current == Some(r) || h.strength == Strength::Fragment => {}
                Some(_) => {
                    run.duplicates.push(i as u32);
                    current = None;
                }
            }
            continue;
        }
        if other.is_some() {
            continue;
        }
        if let Some(r) = current {
            if let Some(span) = run.rows[r] {
                let have = nonempty(doc, &run.cands[span.start as usize..span.end as usize]);
                if n <= SHORT_TEXT && have < k {
                    run.cands.push(i as u32);
                    run.rows[r] = Some(RowSpan {
                        end: run.cands.len() as u32,
                        ..span
                    });
                    continue;
                }
            }
        }
        current = None;
        run.unknown.push((i as u32, 0));
        open_unknown = Some(run.unknown.len() - 1);
    }
    if run.header.len() > HEADER_WINDOW {
        run.header.drain(..run.header.len() - HEADER_WINDOW);
    }
    run
}

fn read_flat(doc: &Doc, def: &TableDef, lo: usize, hi: usize) -> Run {
    let mut run = Run::default();
    let labels = || {
        header_labels(def)
            .chain(def.rows.iter().flat_map(|r| r.aliases.iter()))
            .chain(def.ignore.iter())
    };
    for i in lo..hi {
        let cell = &doc.cells[i];
        let started = nonempty(doc, &run.cands) > 0;
        match cell.kind {
            CellKind::Text => {
                let probe = Probe::new(doc.norm(i));
                let n = probe.chars;
                let hit = best_hit(&probe, labels());
                if !started {
                    if hit.is_some() {
                        run.header_seen = true;
                        run.header.push(i as u32);
                    }
                } else if hit.is_none() && n <= SHORT_TEXT {
                    run.cands.push(i as u32);
                } else {
                    break;
                }
            }
            CellKind::Value if run.header_seen => run.cands.push(i as u32),
            CellKind::Empty if started => run.cands.push(i as u32),
            _ => {}
        }
    }
    run
}

/// How a row's candidates fit its columns.
#[derive(Debug, PartialEq, Eq)]
enum Fit {
    /// Exactly these candidates, one per column.
    Exact(usize, usize),
    Short,
    Excess,
}

/// Drops blank cells at the edges (layout padding, merged label cells) while
/// there are more candidates than columns.
fn fit(doc: &Doc, cands: &[u32], k: usize) -> Fit {
    let empty = |i: usize| doc.cells[cands[i] as usize].kind == CellKind::Empty;
    let (mut a, mut b) = (0, cands.len());
    while b - a > k && empty(b - 1) {
        b -= 1;
    }
    while b - a > k && empty(a) {
        a += 1;
    }
    match (b - a).cmp(&k) {
        std::cmp::Ordering::Equal => Fit::Exact(a, b),
        std::cmp::Ordering::Less => Fit::Short,
        std::cmp::Ordering::Greater => Fit::Excess,
    }
}

/// A header label found in a header cell.
#[derive(Debug, Clone, Copy)]
struct Claim {
    order: usize,
    line: u32,
    col: u16,
    pos: usize,
    end: usize,
    item: Item,
    cell: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Col(usize),
    Group(usize),
}

fn claims(doc: &Doc, def: &TableDef, header: &[u32]) -> Vec<Claim> {
    let mut labels: Vec<(&str, Item)> = def
        .columns
        .iter()
        .enumerate()
        .flat_map(|(c, col)| {
            col.aliases
                .iter()
                .map(move |a| (a.text.as_str(), Item::Col(c)))
        })
        .chain(
            def.groups
                .iter()
                .enumerate()
                .map(|(g, gr)| (gr.label.text.as_str(), Item::Group(g))),
        )
        .collect();
    labels.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    let mut out = Vec::new();
    for (order, &i) in header.iter().enumerate() {
        let norm = doc.norm(i as usize);
        let first = out.len();
        for &(alias, item) in &labels {
            for (pos, m) in norm.match_indices(alias) {
                let end = pos + m.len();
                let overlaps = out[first..]
                    .iter()
                    .any(|c: &Claim| pos < c.end && c.pos < end);
                if !overlaps {
                    let cell = &doc.cells[i as usize];
                    out.push(Claim {
                        order,
                        line: cell.line,
                        col: cell.col,
                        pos,
                        end,
                        item,
                        cell: i,
                    });
                }
            }
        }
        out[first..].sort_by_key(|c| c.pos);
    }
    out
}

/// The printed column order the claims describe, when every column is named
/// once (a group's columns fill the group's place).
fn resolve(def: &TableDef, claims: &[Claim]) -> Option<Vec<usize>> {
    let n = def.columns.len();
    let group_of = |c: usize| def.groups.iter().position(|g| g.columns.contains(&c));
    let mut slots: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    let mut placed = vec![false; n];
    for claim in claims {
        match claim.item {
            Item::Group(g) => {
                if !slots.iter().any(|s| s.0 == Some(g)) {
                    slots.push((Some(g), Vec::new()));
                }
            }
            Item::Col(c) => {
                if placed[c] {
                    continue;
                }
                placed[c] = true;
                match group_of(c).and_then(|g| slots.iter_mut().find(|s| s.0 == Some(g))) {
                    Some(slot) => slot.1.push(c),
                    None => slots.push((None, vec![c])),
                }
            }
        }
    }
    placed
        .iter()
        .all(|&p| p)
        .then(|| slots.into_iter().flat_map(|s| s.1).collect())
}

/// What the header says: the printed order of the columns and the unit each
/// money column's header names.
struct Header {
    order: Vec<usize>,
    reordered: bool,
    unparsed: bool,
    units: Vec<Option<Unit>>,
    /// 0–10: how much of the variant's header vocabulary the header holds.
    likeness: i64,
}

fn read_header(doc: &Doc, def: &TableDef, header: &[u32]) -> Header {
    let n = def.columns.len();
    let template: Vec<usize> = (0..n).collect();
    let mut claims = claims(doc, def, header);
    let reading = resolve(def, &claims);
    claims.sort_by_key(|c| (c.col, c.line, c.order, c.pos));
    let by_column = resolve(def, &claims);
    let (order, reordered, unparsed) = match (&reading, &by_column) {
        (r, c) if r.as_ref() == Some(&template) || c.as_ref() == Some(&template) => {
            (template, false, false)
        }
        (Some(r), None) => (r.clone(), true, false),
        (Some(r), Some(c)) if r == c => (r.clone(), true, false),
        (None, Some(c)) => (c.clone(), true, false),
        _ => (template, false, !claims.is_empty()),
    };
    let mut units = vec![None; n];
    claims.sort_by_key(|c| (c.order, c.pos));
    for (j, claim) in claims.iter().enumerate() {
        if let Item::Col(c) = claim.item {
            if def.columns[c].kind == ColumnKind::Money && units[c].is_none() {
                let norm = doc.norm(claim.cell as usize);
                let next = claims.get(j + 1).filter(|next| next.cell == claim.cell);
                let end = next.map_or(norm.len(), |next| next.pos);
                units[c] = norm.get(claim.pos..end).and_then(unit_in_header);
                if units[c].is_none() && next.is_none() {
                    // A header wrapped onto the next line: `本年收费金额` /
                    // `（单位：万元）`. The header cells after this one that
                    // name no column continue it.
                    let at = header
                        .iter()
                        .position(|&h| h == claim.cell)
                        .map_or(header.len(), |p| p + 1);
                    units[c] = header[at..]
                        .iter()
                        .take_while(|&&h| !claims.iter().any(|o| o.cell == h))
                        .find_map(|&h| unit_in_header(doc.norm(h as usize)));
                }
            }
        }
    }
    // Likeness: the share of the variant's header bigrams the header holds.
    let text: String = header.iter().map(|&i| doc.norm(i as usize)).collect();
    let (mut total, mut found) = (0i64, 0i64);
    for alias in def.columns.iter().flat_map(|c| c.aliases.iter()) {
        let idx: Vec<usize> = alias
            .char_indices()
            .map(|(i, _)| i)
            .chain([alias.len()])
            .collect();
        for w in idx.windows(3) {
            total += 1;
            if text.contains(&alias[w[0]..w[2]]) {
                found += 1;
            }
        }
    }
    Header {
        order,
        reordered,
        unparsed,
        units,
        likeness: if total == 0 { 0 } else { found * 10 / total },
    }
}

/// A table as read from one region with one variant, scored.
struct Candidate {
    def: usize,
    score: i64,
    /// The score without the header's likeness: rows matched and fitting.
    rows_score: i64,
    run: Run,
    header: Option<Header>,
}

fn read_table(doc: &Doc, t: &Templates, d: usize, lo: usize, hi: usize) -> Candidate {
    let def = &t.tables[d];
    match def.shape {
        Shape::Grid => {
            let run = read_grid(doc, def, lo, hi);
            let header = read_header(doc, def, &run.header);
            let k = def.columns.len();
            let (mut score, mut rows_score) = (0, 0);
            if run.found(def) {
                let mut fitting = 0;
                for span in run.rows.iter().flatten() {
                    let c = &run.cands[span.start as usize..span.end as usize];
                    if matches!(fit(doc, c, k), Fit::Exact(..)) {
                        fitting += 1;
                    }
                }
                let matched = run.rows.iter().flatten().count() as i64;
                rows_score = matched * 10 + fitting * 2;
                score = rows_score + header.likeness;
            }
            Candidate {
                def: d,
                score,
                rows_score,
                run,
                header: Some(header),
            }
        }
        Shape::Flat => {
            let run = read_flat(doc, def, lo, hi);
            let score = if run.found(def) {
                let fits = matches!(fit(doc, &run.cands, def.values_per_table()), Fit::Exact(..));
                10 + if fits { 10 } else { 0 }
            } else {
                0
            };
            Candidate {
                def: d,
                score,
                rows_score: score,
                run,
                header: None,
            }
        }
    }
}

/// Cells holding a caption: (cell, table key index), in reading order.
fn anchors(doc: &Doc, t: &Templates) -> Vec<(usize, usize)> {
    // Each table variant's key index, once (not a string compare per cell).
    let key_of: Vec<usize> = t
        .tables
        .iter()
        .map(|d| {
            t.table_keys
                .iter()
                .position(|k| *k == d.key)
                .unwrap_or(usize::MAX)
        })
        .collect();
    let mut out = Vec::new();
    for i in 0..doc.cells.len() {
        if doc.cells[i].kind != CellKind::Text {
            continue;
        }
        let probe = Probe::new(doc.norm(i));
        for (d, def) in t.tables.iter().enumerate() {
            let k = key_of[d];
            let hit = def.captions.iter().any(|c| {
                c.bloom & !probe.bloom == 0
                    && probe.chars <= c.chars + def.caption_max_extra
                    && contains(probe.norm, c)
            });
            if hit && !out.contains(&(i, k)) {
                out.push((i, k));
            }
        }
    }
    // In reading order, and per cell in key order, as before.
    out.sort_unstable();
    out
}

/// Regions `[lo, hi)` where table key `k` may stand.
fn regions(doc: &Doc, t: &Templates, anchors: &[(usize, usize)], k: usize) -> Vec<(usize, usize)> {
    let next_after = |i: usize| {
        anchors
            .iter()
            .map(|a| a.0)
            .find(|&a| a > i)
            .unwrap_or(doc.cells.len())
    };
    let own: Vec<(usize, usize)> = anchors
        .iter()
        .filter(|a| a.1 == k)
        .map(|a| (a.0, next_after(a.0)))
        .collect();
    if !own.is_empty() {
        return own;
    }
    // No caption: start from the first cell naming one of the table's labels.
    let key = &t.table_keys[k];
    let first = (0..doc.cells.len()).find(|&i| {
        if doc.cells[i].kind != CellKind::Text {
            return false;
        }
        let probe = Probe::new(doc.norm(i));
        let n = probe.chars;
        // Two concrete iterators, not a boxed one: this runs for every cell.
        t.tables.iter().filter(|d| d.key == *key).any(|d| {
            let hit = match d.shape {
                Shape::Grid => best_hit(&probe, d.rows.iter().flat_map(|r| r.aliases.iter())),
                Shape::Flat => best_hit(&probe, d.columns.iter().flat_map(|c| c.aliases.iter())),
            };
            hit.is_some_and(|h| h.strength >= Strength::Contains) && n <= 40
        })
    });
    match first {
        Some(i) => {
            let lo = anchors
                .iter()
                .map(|a| a.0)
                .rfind(|&a| a < i)
                .unwrap_or(0)
                .max(i.saturating_sub(HEADER_WINDOW));
            vec![(lo, next_after(i))]
        }
        None => Vec::new(),
    }
}

/// What extraction found in one document.
#[derive(Debug, Default)]
pub struct Extraction {
    pub template: Option<usize>,
    pub tables: Vec<TableOut>,
    pub findings: Vec<Finding>,
    /// Table keys the report's template has and the text did not show.
    pub missing: Vec<String>,
}

/// Reads every table of the templates from a document.
pub fn extract(doc: &Doc, t: &Templates) -> Extraction {
    let anchors = anchors(doc, t);
    // Best candidate per table variant.
    let mut best: Vec<Option<Candidate>> = (0..t.tables.len()).map(|_| None).collect();
    for k in 0..t.table_keys.len() {
        for (lo, hi) in regions(doc, t, &anchors, k) {
            for d in (0..t.tables.len()).filter(|&d| t.tables[d].key == t.table_keys[k]) {
                let c = read_table(doc, t, d, lo, hi);
                if best[d].as_ref().is_none_or(|b| c.score > b.score) {
                    best[d] = Some(c);
                }
            }
        }
    }
    // Votes: a table votes for a template when its variant there reads
    // strictly better than in any other template.
    let mut votes = vec![0usize; t.templates.len()];
    // On a tie of votes, the largest table decides (the requests table's 23
    // or 25 rows tell gb2019 and gb2021 apart, tables.md).
    let mut largest: Option<(usize, usize)> = None;
    for key in &t.table_keys {
        let scores: Vec<(usize, i64, usize)> = (0..t.tables.len())
            .filter(|&d| t.tables[d].key == *key)
            .map(|d| {
                let score = best[d].as_ref().map_or(0, |c| c.score);
                (t.tables[d].template, score, t.tables[d].rows.len())
            })
            .collect();
        let top = scores.iter().map(|s| s.1).max().unwrap_or(0);
        let winners: Vec<&(usize, i64, usize)> = scores.iter().filter(|s| s.1 == top).collect();
        if let [winner] = winners[..] {
            if top > 0 {
                votes[winner.0] += 1;
                let rows = scores.iter().map(|s| s.2).max().unwrap_or(0);
                if largest.is_none_or(|(n, _)| rows > n) {
                    largest = Some((rows, winner.0));
                }
            }
        }
    }
    let most = votes.iter().copied().max().unwrap_or(0);
    let template = if most == 0 {
        // Tables that read alike in every template (litigation) still make a
        // report with tables; take the first template that has them.
        (0..t.tables.len())
            .find(|&d| best[d].as_ref().is_some_and(|c| c.score > 0))
            .map(|d| t.tables[d].template)
    } else {
        let tied: Vec<usize> = (0..votes.len()).filter(|&i| votes[i] == most).collect();
        match largest {
            Some((_, r)) if tied.contains(&r) => Some(r),
            _ => tied.first().copied(),
        }
    };
    let mut out = Extraction {
        template,
        ..Extraction::default()
    };
    let Some(tpl) = template else {
        return out;
    };
    for key in &t.table_keys {
        // The variant whose rows read best; when rows read equally, the
        // report template's, whatever the header's likeness (a header
        // variant must not pull a row into a variant with other columns).
        let pick = (0..t.tables.len())
            .filter(|&d| t.tables[d].key == *key)
            .filter_map(|d| best[d].as_ref().map(|c| (d, c.score, c.rows_score)))
            .filter(|&(_, s, _)| s > 0)
            .max_by_key(|&(d, s, rows)| (rows, t.tables[d].template == tpl, s))
            .map(|(d, s, _)| (d, s));
        match pick {
            Some((d, _)) => {
                if let Some(c) = best[d].take() {
                    let table = settle(doc, t, c, &mut out.findings);
                    out.tables.push(table);
                }
            }
            None => {
                if t.templates[tpl]
                    .tables
                    .iter()
                    .any(|&d| t.tables[d].key == *key)
                {
                    out.missing.push(key.clone());
                }
            }
        }
    }
    out
}

/// Turns a chosen candidate into cells, with findings for what did not fit.
fn settle(doc: &Doc, t: &Templates, c: Candidate, findings: &mut Vec<Finding>) -> TableOut {
    let def = &t.tables[c.def];
    let ncols = def.columns.len();
    let mut cells: Vec<CellOut> = (0..def.values_per_table())
        .map(|i| match def.columns[i % ncols].kind {
            ColumnKind::Money => CellOut::Money(MoneyCell::default()),
            _ => CellOut::Count(CountCell::default()),
        })
        .collect();
    let line = |i: u32| doc.cells[i as usize].line;
    let printed = |cands: &[u32]| -> String {
        let v: Vec<&str> = cands
            .iter()
            .filter(|&&i| doc.cells[i as usize].kind != CellKind::Empty)
            .map(|&i| doc.raw(i as usize))
            .collect();
        v.join(", ")
    };
    let run = &c.run;
    let no_units = vec![None; ncols];
    let units = c.header.as_ref().map_or(&no_units, |h| &h.units);
    match def.shape {
        Shape::Grid => {
            let template_order: Vec<usize> = (0..ncols).collect();
            let order = c.header.as_ref().map_or(&template_order, |h| &h.order);
            if let Some(h) = &c.header {
                if h.reordered {
                    let keys: Vec<&str> = h
                        .order
                        .iter()
                        .map(|&i| def.columns[i].key.as_str())
                        .collect();
                    findings.push(
                        Finding::new(
                            Severity::Info,
                            "header.reordered",
                            format!("{}: the header prints the columns as {}; values are read in that order", def.key, keys.join(", ")),
                        )
                        .at(&def.key, None, None),
                    );
                } else if h.unparsed {
                    findings.push(
                        Finding::new(
                            Severity::Info,
                            "header.unparsed",
                            format!("{}: the header does not name every column once; values are read in the template's order", def.key),
                        )
                        .at(&def.key, None, None),
                    );
                }
            }
            for (r, span) in run.rows.iter().enumerate() {
                let row = &def.rows[r];
                let Some(span) = span else {
                    findings.push(
                        Finding::new(
                            Severity::Warning,
                            "row.missing",
                            format!(
                                "{}: no row labelled {} was found; its cells are null",
                                def.key, row.label
                            ),
                        )
                        .at(&def.key, Some(&row.key), None),
                    );
                    continue;
                };
                let cands = &run.cands[span.start as usize..span.end as usize];
                match fit(doc, cands, ncols) {
                    Fit::Exact(a, _) => {
                        for (j, &col) in order.iter().enumerate() {
                            let cell = cands[a + j] as usize;
                            cells[r * ncols + col] =
                                read_cell(doc, cell, def, r, col, units[col], findings);
                        }
                    }
                    fit => findings.push(misfit(
                        def,
                        Some(&row.key),
                        &fit,
                        &format!("row {} (line {})", row.key, line(span.label)),
                        ncols,
                        &printed(cands),
                    )),
                }
            }
            for &(cell, values) in &run.unknown {
                if values > 0 {
                    findings.push(
                        Finding::new(
                            Severity::Warning,
                            "row.unknown_label",
                            format!(
                                "{}: \"{}\" (line {}) names no row of the table; the {values} values after it are not read",
                                def.key, doc.raw(cell as usize), line(cell)
                            ),
                        )
                        .at(&def.key, None, None),
                    );
                }
            }
            for &cell in &run.duplicates {
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "row.duplicate",
                        format!("{}: \"{}\" (line {}) names a row read before; the cells after it are not read", def.key, doc.raw(cell as usize), line(cell)),
                    )
                    .at(&def.key, None, None),
                );
            }
        }
        Shape::Flat => {
            let k = def.values_per_table();
            match fit(doc, &run.cands, k) {
                Fit::Exact(a, _) => {
                    for j in 0..k {
                        let cell = run.cands[a + j] as usize;
                        cells[j] = read_cell(
                            doc,
                            cell,
                            def,
                            j / ncols,
                            j % ncols,
                            units[j % ncols],
                            findings,
                        );
                    }
                }
                fit => {
                    let shown: Vec<Count> = run
                        .cands
                        .iter()
                        .filter(|&&i| doc.cells[i as usize].kind != CellKind::Empty)
                        .map(|&i| parse_count(doc.raw(i as usize)))
                        .collect();
                    let all_zero =
                        !shown.is_empty() && shown.iter().all(|c| *c == Count::Number(0));
                    let first_line = run.cands.first().map_or(0, |&i| line(i));
                    if fit == Fit::Short && all_zero && def.short_row == ShortRow::ZeroIfAllZero {
                        for cell in cells.iter_mut() {
                            *cell = CellOut::Count(CountCell {
                                value: Some(0),
                                raw: None,
                            });
                        }
                        findings.push(
                            Finding::new(
                                Severity::Warning,
                                "row.short_zero",
                                format!(
                                    "{} (line {first_line}): {} values printed for {k} cells, all 0; the cells not printed are read as 0",
                                    def.key,
                                    shown.len()
                                ),
                            )
                            .at(&def.key, None, None),
                        );
                    } else {
                        findings.push(misfit(
                            def,
                            None,
                            &fit,
                            &format!("line {first_line}"),
                            k,
                            &printed(&run.cands),
                        ));
                    }
                }
            }
        }
    }
    TableOut { def: c.def, cells }
}

/// The finding for a row (or a flat table) whose printed values do not fit
/// its cells: which value is which is unknown, so they stay null.
fn misfit(
    def: &TableDef,
    row: Option<&str>,
    fit: &Fit,
    at: &str,
    cells: usize,
    printed: &str,
) -> Finding {
    let (code, what) = match fit {
        Fit::Short => ("row.short", "fewer"),
        _ => ("row.excess", "more"),
    };
    let whole = if row.is_some() { "row" } else { "table" };
    Finding::new(
        Severity::Warning,
        code,
        format!(
            "{}, {at}: {what} values than its {cells} cells were printed ({printed}); which is which is unknown, so the {whole} is null",
            def.key
        ),
    )
    .at(&def.key, row, None)
}

/// Reads one cell by its column's rules, with findings for what is wrong.
fn read_cell(
    doc: &Doc,
    cell: usize,
    def: &TableDef,
    r: usize,
    c: usize,
    header_unit: Option<Unit>,
    findings: &mut Vec<Finding>,
) -> CellOut {
    let raw_text = doc.raw(cell);
    let raw = Some((doc.cells[cell].start, doc.cells[cell].end));
    let column = &def.columns[c];
    let (row_key, col_key) = (def.rows[r].key.as_str(), column.key.as_str());
    let line = doc.cells[cell].line;
    let mut finding = |severity, code: &str, message: String| {
        findings.push(
            Finding::new(
                severity,
                code,
                format!(
                    "{}, row {row_key}, column {col_key} (line {line}): {message}",
                    def.key
                ),
            )
            .at(&def.key, Some(row_key), Some(col_key)),
        );
    };
    match column.kind {
        ColumnKind::Money => {
            let mut out = MoneyCell {
                raw,
                ..MoneyCell::default()
            };
            match parse_money(raw_text) {
                Money::Blank | Money::NotApplicable => {}
                Money::Unreadable => finding(
                    Severity::Warning,
                    "cell.unreadable",
                    format!("\"{raw_text}\" is not an amount; the value is null"),
                ),
                Money::Amount(value, cell_unit) => {
                    if let (Some(a), Some(b)) = (cell_unit, header_unit) {
                        if a != b {
                            finding(
                                Severity::Warning,
                                "amount.unit_conflict",
                                format!(
                                    "the cell says {} and the header {}; the cell's unit is used",
                                    a.as_str(),
                                    b.as_str()
                                ),
                            );
                        }
                    }
                    let unit = cell_unit.or(header_unit);
                    out.value = Some(value);
                    out.unit = unit;
                    out.yuan = to_yuan(value, unit);
                    if unit.is_none() && !value.is_zero() {
                        finding(
                            Severity::Warning,
                            "amount.unit_unknown",
                            format!("\"{raw_text}\" names no unit, in the cell or the header; the amount in yuan is null"),
                        );
                    }
                }
            }
            CellOut::Money(out)
        }
        kind => {
            let value = match parse_count(raw_text) {
                Count::Number(v) => {
                    if v < 0 && kind != ColumnKind::Change {
                        finding(
                            Severity::Warning,
                            "value.negative",
                            format!("{v} is negative where a count is expected; the value is kept"),
                        );
                    }
                    Some(v)
                }
                Count::Blank | Count::NotApplicable => None,
                Count::Unreadable => {
                    finding(
                        Severity::Warning,
                        "cell.unreadable",
                        format!("\"{raw_text}\" is not a number; the value is null"),
                    );
                    None
                }
            };
            CellOut::Count(CountCell { value, raw })
        }
    }
}
