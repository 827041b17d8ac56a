//! Reading a region: the cells from a caption to the next one, read with one
//! template variant into a header, rows and their candidate value cells.
//!
//! It takes the document, a table variant and a cell range and gives a `Run`:
//! which cell labels each row and which cells follow it. It reads no value
//! and never decides which value is which column (`header` and `fit` do).

use super::hits::{Said, Variant};
#[cfg(test)]
use super::labels::{match_row, Probe};
use super::labels::{Hit, Strength, SHORT_LABEL};
use crate::input::Layout;
use crate::segment::normalise::group_enumerator;
use crate::segment::{CellKind, Doc};
use crate::template::{Shape, TableDef};

/// Do the head `u` and the tail `i` of a label broken around its values
/// (`7.属于行政` / values / `执法案卷`) make row `r`'s label, whole?
fn joins(doc: &Doc, def: &TableDef, u: u32, i: usize, r: usize) -> bool {
    joined_row(def, doc.norm(u as usize), doc.norm(i)) == Some(r)
}

/// The row `match_row` reads, exactly, in `head` and `tail` run together:
/// the first row one of whose aliases is that text (an exact hit outranks
/// every other, and rows tied on one go to the first), found without
/// building the text.
pub(super) fn joined_row(def: &TableDef, head: &str, tail: &str) -> Option<usize> {
    let is =
        |a: &str| a.len() == head.len() + tail.len() && a.starts_with(head) && a.ends_with(tail);
    def.rows
        .iter()
        .position(|row| row.aliases.iter().any(|a| is(&a.text)))
}

/// `joined_row` asked of `match_row` (tests that they agree).
#[cfg(test)]
pub(super) fn joined_by_match_row(def: &TableDef, head: &str, tail: &str) -> Option<usize> {
    let whole = format!("{head}{tail}");
    match_row(def, &Probe::new(&whole))
        .filter(|(_, h)| h.strength == Strength::Exact)
        .map(|(row, _)| row)
}

/// Takes the value and blank cells between a label's head `u` and its tail
/// `i` as the row's, less the blanks on the tail's line (they stand before
/// it).
fn take_between(doc: &Doc, cands: &mut Vec<u32>, repeated: &[u32], u: u32, i: usize) {
    let at = cands.len();
    for j in u as usize + 1..i {
        let c = &doc.cells[j];
        if c.kind != CellKind::Text && !repeated.contains(&c.line) {
            cands.push(j as u32);
        }
    }
    let line = doc.cells[i].line;
    while cands.len() > at
        && cands.last().is_some_and(|&j| {
            let c = &doc.cells[j as usize];
            c.kind == CellKind::Empty && c.line == line
        })
    {
        cands.pop();
    }
}

/// Text this short, where a value is expected, is read as a (bad) value
/// (`暂无`, `不详`, `未统计`); longer text is a label, even of another table.
const SHORT_TEXT: usize = 4;
/// At most this many cells before the first row label count as header when a
/// table has no caption.
pub(super) const HEADER_WINDOW: usize = 60;
/// Candidates a region's run is first given room for.
const RUN_CAPACITY: usize = 512;

/// A table read from one region with one variant.
#[derive(Debug, Default)]
pub(super) struct Run {
    /// Per template row: the cell of its label and its candidate range.
    pub rows: Vec<Option<RowSpan>>,
    /// Candidate value cells, in order; each row's are contiguous.
    pub cands: Vec<u32>,
    /// Header text cells.
    pub header: Vec<u32>,
    /// Text that named no row, with the number of values after it.
    pub unknown: Vec<(u32, usize)>,
    /// Labels of rows already read.
    pub duplicate: Option<u32>,
    /// How many labels named a row read before.
    pub duplicates: usize,
    /// Flat tables: a header label was seen.
    pub header_seen: bool,
    /// Blank cells the layout puts at the edges of the rows.
    pub pad: Pad,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct RowSpan {
    pub label: u32,
    pub start: u32,
    pub end: u32,
}

impl Run {
    pub(super) fn found(&self, def: &TableDef) -> bool {
        match def.shape {
            Shape::Grid => self.rows.iter().any(Option::is_some),
            // One header word (总计 ends the requests table's header too) is
            // not a flat table's header: it takes two header cells.
            Shape::Flat => self.header.len() >= 2 && !self.cands.is_empty(),
        }
    }
}

pub(super) fn nonempty(doc: &Doc, cands: &[u32]) -> usize {
    cands
        .iter()
        .filter(|&&i| doc.cells[i as usize].kind != CellKind::Empty)
        .count()
}

pub(super) fn read_grid(doc: &Doc, def: &TableDef, lo: usize, hi: usize, m: Variant) -> Run {
    // Sized for most regions at once: grown a push at a time, these
    // vectors cost more reallocation than the reading does (callgrind).
    let mut run = Run {
        rows: vec![None; def.rows.len()],
        cands: Vec::with_capacity((hi - lo).min(RUN_CAPACITY)),
        header: Vec::with_capacity((hi - lo).min(HEADER_WINDOW)),
        ..Run::default()
    };
    let k = def.columns.len();
    let mut body = false;
    let mut current: Option<usize> = None;
    // Text that named no row, and its entry in `run.unknown` once a value
    // follows it (prose followed by no value costs nothing).
    let mut open_unknown: Option<u32> = None;
    let mut open_index: Option<usize> = None;
    // Where the values after a bare ordinal (`一、`, its label broken off
    // after the values) start in `run.cands`.
    let mut ordinal: Option<u32> = None;
    // What each text cell of the region says in this variant, asked once.
    let said = m.said_range(doc, lo, hi);
    let repeated = repeated_header_lines(doc, lo, &said);
    // The cell before the first row label: the head of that label when it
    // is broken around its values before the body starts.
    let mut first_head: Option<u32> = None;
    for i in lo..hi {
        let cell = &doc.cells[i];
        // The header printed again after a page break is not rows (其他 and
        // 总计 name rows as well as columns).
        if body && repeated.contains(&cell.line) {
            continue;
        }
        if cell.kind != CellKind::Text {
            if current.is_none() && ordinal.is_some() && cell.kind == CellKind::Value {
                run.cands.push(i as u32);
            }
            if !body {
                continue;
            }
            if let Some(r) = current {
                run.cands.push(i as u32);
                if let Some(span) = run.rows[r].as_mut() {
                    span.end = run.cands.len() as u32;
                }
            } else if let (Some(u), CellKind::Value) = (open_unknown, cell.kind) {
                match open_index {
                    Some(x) => run.unknown[x].1 += 1,
                    None => {
                        run.unknown.push((u, 1));
                        open_index = Some(run.unknown.len() - 1);
                    }
                }
            }
            continue;
        }
        let n = m.chars(i);
        if n == 0 {
            // A bare ordinal in the body opens a row whose label follows its
            // values (`一、` / values / `本年新收…数量`).
            if !doc.raw(i).is_empty() {
                if let Some(open) = current.take() {
                    trim_tail(doc, &mut run, open, Some(cell.line));
                }
                open_unknown = Some(i as u32);
                open_index = None;
                ordinal = Some(run.cands.len() as u32);
            }
            continue;
        }
        let after_ordinal = ordinal.take();
        // A short label read under a group's enumerator (`（六）其 他`, a
        // piece of （六）其他处理) is not the item row it names (3.其他).
        let Said {
            row,
            header: head,
            ignore,
            ..
        } = said[i - lo];
        let row = row.filter(|&(r, h)| {
            // The row's label asked first: most name no item.
            h.len as usize >= SHORT_LABEL
                || group_enumerator(&def.rows[r].label) != Some(false)
                || group_enumerator(doc.raw(i)) != Some(true)
        });
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
            first_head = run.header.last().copied();
        }
        // Set only where this cell starts the body.
        let head_before = first_head.take();
        // A row label wins over a group or header label, unless that one is
        // printed alone (exact) and the row label only partly: a group label
        // fused onto its first sub-row (（三）不予公开1.属于国家秘密) names the row.
        // A cell that is a piece of a longer header or group word is that
        // piece, not the short row label inside it (`其他处` of a broken
        // `其他处理` is not the row `其他`).
        let piece = |o: Option<Hit>| {
            o.is_some_and(|o| o.strength == Strength::Fragment && o.len as usize > n)
        };
        let piece_of_longer = |h: Hit| {
            h.strength == Strength::Contains
                && (h.len as usize) < SHORT_LABEL
                && (piece(head) || piece(ignore))
        };
        // And the other way round: a piece of a longer row label is that
        // row, not the short header word inside it.
        let short_word =
            |o: Hit| o.strength == Strength::Contains && (o.len as usize) < SHORT_LABEL;
        let row = match (row, other) {
            (Some((_, h)), Some(_)) if piece_of_longer(h) => None,
            (Some((r, h)), Some(o)) if piece(Some(h)) && short_word(o) => Some((r, h)),
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
        if let Some(open) = current {
            if row.is_some_and(|(r, _)| r != open) {
                trim_tail(doc, &mut run, open, Some(cell.line));
            }
        }
        if let Some((r, h)) = row {
            match run.rows[r] {
                // The tail of a label broken around its values (`8.属于行政`
                // / values / `查询事项`) whose head named no row: the values
                // before it were this row's, those after it are the next
                // row's. The row stays empty rather than take the next one's.
                // The label after a bare ordinal and its values: they are
                // this row's, and what follows is the next row's.
                None if after_ordinal.is_some_and(|at| (at as usize) < run.cands.len()) => {
                    let at = after_ordinal.unwrap_or_default();
                    if let Some(x) = open_index.take() {
                        run.unknown.remove(x);
                    }
                    run.rows[r] = Some(RowSpan {
                        label: i as u32,
                        start: at,
                        end: run.cands.len() as u32,
                    });
                    current = None;
                    open_unknown = Some(i as u32);
                }
                None if h.suffix && open_index.is_some() => {
                    let at = run.cands.len() as u32;
                    // Unless head and tail together are this row's label:
                    // then the values between them are its own.
                    if let Some(u) = open_unknown.filter(|&u| joins(doc, def, u, i, r)) {
                        take_between(doc, &mut run.cands, &repeated, u, i);
                        if let Some(x) = open_index.take() {
                            run.unknown.remove(x);
                        }
                    }
                    run.rows[r] = Some(RowSpan {
                        label: i as u32,
                        start: at,
                        end: run.cands.len() as u32,
                    });
                    current = None;
                    open_unknown = Some(i as u32);
                    open_index = None;
                }
                None if head_before.is_some_and(|u| {
                    doc.cells[u as usize].kind == CellKind::Text && joins(doc, def, u, i, r)
                }) =>
                {
                    // The first row's label broken around its values, its
                    // head read as header (`行 政` / 10.59 / `事 业 性 收 费`).
                    let at = run.cands.len() as u32;
                    if let Some(u) = run.header.pop() {
                        take_between(doc, &mut run.cands, &repeated, u, i);
                    }
                    run.rows[r] = Some(RowSpan {
                        label: i as u32,
                        start: at,
                        end: run.cands.len() as u32,
                    });
                    current = None;
                    open_unknown = Some(i as u32);
                    open_index = None;
                }
                None => {
                    let at = run.cands.len() as u32;
                    run.rows[r] = Some(RowSpan {
                        label: i as u32,
                        start: at,
                        end: at,
                    });
                    current = Some(r);
                    open_unknown = None;
                    open_index = None;
                }
                Some(_) if current == Some(r) || h.strength == Strength::Fragment => {}
                Some(_) => {
                    run.duplicate = run.duplicate.or(Some(i as u32));
                    run.duplicates += 1;
                    current = None;
                }
            }
            continue;
        }
        // The head of a row label that two rows share (`1.申请人` of
        // 1.申请人无正当理由… and 2.申请人逾期…) is a label, even when it is
        // also a piece of a header word (申请人情况): it ends the row before.
        let row_head = || {
            m.any_row(i)
                .is_some_and(|h| h.strength == Strength::Fragment && !h.suffix)
        };
        if other.is_some_and(|o| o.strength != Strength::Fragment)
            || (other.is_some() && !row_head())
        {
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
        if let Some(open) = current {
            trim_tail(doc, &mut run, open, Some(cell.line));
        }
        current = None;
        open_unknown = Some(i as u32);
        open_index = None;
    }
    if let Some(open) = current {
        trim_tail(doc, &mut run, open, None);
    }
    if run.header.len() > HEADER_WINDOW {
        run.header.drain(..run.header.len() - HEADER_WINDOW);
    }
    m.give_back(said);
    run
}

/// Header cells on one line, without a value, from which the line is the
/// table's header printed again (after a page break).
const REPEATED_HEADER_WORDS: usize = 3;

/// Lines of `[lo, hi)` that hold only header words, at least
/// `REPEATED_HEADER_WORDS` of them, and no value.
fn repeated_header_lines(doc: &Doc, lo: usize, said: &[Said]) -> Vec<u32> {
    let hi = lo + said.len();
    let mut out = Vec::new();
    let mut i = lo;
    while i < hi {
        let line = doc.cells[i].line;
        let (mut words, mut other) = (0usize, false);
        while i < hi && doc.cells[i].line == line {
            match doc.cells[i].kind {
                CellKind::Empty => {}
                CellKind::Value => other = true,
                CellKind::Text => {
                    let Said { row, header, .. } = said[i - lo];
                    let header = header.is_some_and(|h| h.strength >= Strength::Contains);
                    let row = row.is_some_and(|(_, h)| h.strength == Strength::Exact);
                    // A word that names a row and no column is a row.
                    if header {
                        words += 1;
                    } else if row {
                        other = true;
                    }
                }
            }
            i += 1;
        }
        if words >= REPEATED_HEADER_WORDS && !other {
            out.push(line);
        }
    }
    out
}

/// Gives back the blank cells at the end of row `r` that belong to what
/// follows it: those on the line of the next label (`\t\t2.重复申请` in tab
/// rows), and, where a row's cells stand on consecutive lines and a blank
/// line ends the row (DOCX text), blank cells after that blank line (the
/// merged label cells of the next row, printed before its label).
fn trim_tail(doc: &Doc, run: &mut Run, r: usize, next_line: Option<u32>) {
    let Some(Some(span)) = run.rows.get(r).copied() else {
        return;
    };
    let Some(cands) = run.cands.get(span.start as usize..span.end as usize) else {
        return;
    };
    let line = |i: usize| doc.cells[cands[i] as usize].line;
    let empty = |i: usize| doc.cells[cands[i] as usize].kind == CellKind::Empty;
    let mut end = cands.len();
    while end > 0 && empty(end - 1) && Some(line(end - 1)) == next_line {
        end -= 1;
    }
    let label_line = doc.cells[span.label as usize].line;
    let gap = (1..end).find(|&j| line(j) > line(j - 1) + 1);
    if let Some(j) = gap {
        let consecutive = line(0) <= label_line + 1 && (1..j).all(|x| line(x) <= line(x - 1) + 1);
        if consecutive && (j..end).all(empty) {
            end = j;
        }
    }
    if let Some(Some(span)) = run.rows.get_mut(r) {
        span.end = span.start + end as u32;
    }
}

pub(super) fn read_flat(doc: &Doc, lo: usize, hi: usize, m: Variant) -> Run {
    let mut run = Run::default();
    for i in lo..hi {
        let cell = &doc.cells[i];
        let started = nonempty(doc, &run.cands) > 0;
        match cell.kind {
            CellKind::Text => {
                let n = m.chars(i);
                let hit = m.any(i);
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
pub(super) enum Fit {
    /// Exactly these candidates, one per column.
    Exact(usize, usize),
    /// More candidates in `a..b` than columns, this many of them blank and
    /// to be dropped, and every printed value landing in the same column
    /// whichever blanks are dropped (a stray blank cell in a row whose values
    /// leave no doubt).
    Unique(usize, usize, usize),
    Short,
    Excess,
}

impl Fit {
    pub(super) fn fits(&self) -> bool {
        matches!(self, Fit::Exact(..) | Fit::Unique(..))
    }

    /// The candidate standing in printed column `j` of a fitting row. A
    /// blank column of a `Unique` row was printed blank, whichever of the
    /// row's blanks is its own: it gets the blank left there once the last
    /// `drop` blanks are dropped, so its `raw` is the printed "" as in a row
    /// that prints no stray blank (datasets.md, `raw`).
    pub(super) fn nth(&self, doc: &Doc, cands: &[u32], j: usize) -> Option<u32> {
        match *self {
            Fit::Exact(a, _) => cands.get(a + j).copied(),
            Fit::Unique(a, b, drop) => {
                let row = cands.get(a..b)?;
                let printed = columns_of(doc, row, drop)
                    .find(|&(_, col)| col == Some(j))
                    .map(|(i, _)| row[i]);
                if printed.is_some() {
                    return printed;
                }
                // The row without its last `drop` blanks: every printed value
                // stands in its own column there (that is what `Unique`
                // means), so column `j`, holding none, holds a blank. The
                // blanks from `kept_blanks` on are the dropped ones.
                let kept_blanks = blanks(doc, row).saturating_sub(drop);
                let (mut blank_at, mut col) = (0, 0);
                for &c in row {
                    let blank = is_blank(doc, c);
                    if blank {
                        blank_at += 1;
                        if blank_at > kept_blanks {
                            continue;
                        }
                    }
                    if col == j {
                        return blank.then_some(c);
                    }
                    col += 1;
                }
                None
            }
            Fit::Short | Fit::Excess => None,
        }
    }

    /// `nth` as it read a `Unique` row before it counted the row's blanks
    /// once (tests that they agree).
    #[cfg(test)]
    pub(super) fn nth_by_rescanning(&self, doc: &Doc, cands: &[u32], j: usize) -> Option<u32> {
        match *self {
            Fit::Unique(a, b, drop) => {
                let row = cands.get(a..b)?;
                let printed = (0..row.len())
                    .filter(|&i| !is_blank(doc, row[i]))
                    .find(|&i| column_of(doc, row, drop, i) == Some(j))
                    .map(|i| row[i]);
                if printed.is_some() {
                    return printed;
                }
                let mut dropped = 0;
                let mut kept: Vec<u32> = Vec::with_capacity(row.len());
                for &c in row.iter().rev() {
                    if dropped < drop && is_blank(doc, c) {
                        dropped += 1;
                    } else {
                        kept.push(c);
                    }
                }
                kept.reverse();
                kept.get(j).copied().filter(|&c| is_blank(doc, c))
            }
            _ => self.nth(doc, cands, j),
        }
    }
}

fn is_blank(doc: &Doc, cell: u32) -> bool {
    doc.cells[cell as usize].kind == CellKind::Empty
}

/// Do the printed values of `cands[a..b]` (with `drop` stray blanks) land in
/// the same columns when the padding dropped at the edges is counted among
/// the stray blanks instead?
fn padding_holds(doc: &Doc, cands: &[u32], a: usize, b: usize, drop: usize) -> bool {
    if a == 0 && b == cands.len() {
        return true;
    }
    let row = &cands[a..b];
    let whole = drop + (cands.len() - row.len());
    // The printed cells of `row` are those of `cands` in `a..b`, in order.
    columns_of(doc, cands, whole)
        .filter(|&(i, _)| (a..b).contains(&i))
        .map(|(_, col)| col)
        .eq(columns_of(doc, row, drop).map(|(_, col)| col))
}

/// `padding_holds` as it was before the blanks were counted once per row
/// (tests that they agree).
#[cfg(test)]
pub(super) fn padding_holds_by_rescanning(
    doc: &Doc,
    cands: &[u32],
    a: usize,
    b: usize,
    drop: usize,
) -> bool {
    if a == 0 && b == cands.len() {
        return true;
    }
    let row = &cands[a..b];
    let whole = drop + (cands.len() - row.len());
    (0..row.len())
        .filter(|&i| !is_blank(doc, row[i]))
        .all(|i| column_of(doc, cands, whole, a + i) == column_of(doc, row, drop, i))
}

/// The column of the printed cell `row[i]` once `drop` blank cells of the
/// row are dropped, if every choice of blanks puts it there: as many blanks
/// must go before it whichever are chosen.
#[cfg(test)]
fn column_of(doc: &Doc, row: &[u32], drop: usize, i: usize) -> Option<usize> {
    let before = row[..i].iter().filter(|&&c| is_blank(doc, c)).count();
    let after = row[i + 1..].iter().filter(|&&c| is_blank(doc, c)).count();
    let (least, most) = (drop.saturating_sub(after), drop.min(before));
    (least == most).then(|| i - least)
}

fn blanks(doc: &Doc, row: &[u32]) -> usize {
    row.iter().filter(|&&c| is_blank(doc, c)).count()
}

/// `(i, column_of(row, drop, i))` for every printed cell `row[i]`, in
/// order, from one count of the row's blanks: the blanks after a printed
/// cell are those not before it.
fn columns_of<'a>(
    doc: &'a Doc,
    row: &'a [u32],
    drop: usize,
) -> impl Iterator<Item = (usize, Option<usize>)> + 'a {
    let total = blanks(doc, row);
    let mut before = 0;
    row.iter().enumerate().filter_map(move |(i, &c)| {
        if is_blank(doc, c) {
            before += 1;
            return None;
        }
        let after = total - before;
        let (least, most) = (drop.saturating_sub(after), drop.min(before));
        Some((i, (least == most).then(|| i - least)))
    })
}

/// Blank cells the layout puts at the edges of rows: a trailing empty cell
/// DOCX text gives every row, an empty cell after a label merged over two
/// columns. Only padding that most rows of a table carry is padding; a blank
/// at the edge of one row may as well be a blank cell of the table, with a
/// stray blank elsewhere in the row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Pad {
    pub lead: bool,
    pub trail: bool,
    /// Any number of blanks at either edge (a flat table's one row, where
    /// the layout's blank slots under a multi-level header stand at its edges).
    pub edges: bool,
    /// Rows the padding was judged on: a table of fewer than
    /// `MIN_PAD_ROWS` takes the padding of the document's largest table.
    pub rows: usize,
    /// Not shown by the table's own rows where the document prints stray
    /// blanks (lent by a largest table that shows them, or read off a
    /// broken header line's empty end): a blank at a row's edge may as well
    /// be a blank cell, with a stray blank elsewhere.
    pub weak: bool,
}

impl Pad {
    pub(super) const EDGES: Pad = Pad {
        lead: false,
        trail: false,
        edges: true,
        rows: 0,
        weak: false,
    };

    /// Was this padding judged on enough rows to stand for the layout?
    pub(super) fn decided(&self) -> bool {
        self.edges || self.rows >= MIN_PAD_ROWS
    }
}

/// Rows that must carry a blank at an edge before it is taken for padding:
/// in a table of one or two rows a blank at the edge may be a real blank cell.
pub(super) const MIN_PAD_ROWS: usize = 3;

/// The padding most rows of a read table carry beyond its `k` columns.
pub(super) fn padding(doc: &Doc, run: &Run, k: usize) -> Pad {
    let empty = |i: u32| doc.cells[i as usize].kind == CellKind::Empty;
    let (mut rows, mut lead, mut trail) = (0usize, 0usize, 0usize);
    for span in run.rows.iter().flatten() {
        let Some(cands) = run.cands.get(span.start as usize..span.end as usize) else {
            continue;
        };
        rows += 1;
        if cands.len() > k {
            lead += usize::from(cands.first().is_some_and(|&i| empty(i)));
            trail += usize::from(cands.last().is_some_and(|&i| empty(i)));
        }
    }
    let most = |n: usize| n >= MIN_PAD_ROWS && n * 2 > rows;
    // A header line printed cell by cell (tab or pipe rows) that ends in an
    // empty cell shows the grid is wider than this table: its rows end in
    // the same padding (`行政许可\t1,215\t\t` under `信息内容\t本年处理决定数量\t\t`),
    // whatever the number of rows.
    let grid_trail = run.header.iter().rev().find_map(|&h| line_end(doc, h));
    // A row of exactly `k` cells ending in a blank carries no padding: its
    // blank is its last cell (the empty end of a header's second line is a
    // column whose word was not broken, not a wider grid).
    let unpadded_row = run.rows.iter().flatten().any(|span| {
        run.cands
            .get(span.start as usize..span.end as usize)
            .is_some_and(|c| c.len() == k && c.last().is_some_and(|&i| empty(i)))
    });
    // Every header line printed cell by cell ending in an empty cell shows
    // the grid; the second line of a broken header alone may end in one
    // because the last column's word was not broken.
    let every_line_ends_empty = || {
        run.header
            .iter()
            .all(|&h| line_end(doc, h).is_none_or(|(empty, _)| empty))
    };
    match grid_trail {
        Some((true, _)) if !most(trail) && !unpadded_row => {
            return Pad {
                lead: most(lead),
                trail: true,
                edges: false,
                rows: rows.max(MIN_PAD_ROWS),
                weak: !every_line_ends_empty(),
            };
        }
        // A header line of exactly a label and the columns: the grid has no
        // padding, and a blank beyond the columns is a stray, wherever it is.
        Some((false, width)) if width == k + 1 && !most(trail) && !most(lead) => {
            return Pad {
                rows: rows.max(MIN_PAD_ROWS),
                ..Pad::default()
            };
        }
        _ => {}
    }
    Pad {
        lead: most(lead),
        trail: most(trail),
        edges: false,
        rows,
        weak: false,
    }
}

/// The line of cell `h`, when it holds more than one cell: whether its last
/// cell is empty, and how many cells it holds.
fn line_end(doc: &Doc, h: u32) -> Option<(bool, usize)> {
    let line = doc.cells.get(h as usize)?.line;
    let same = |j: &usize| doc.cells[*j].line == line;
    let last = (h as usize..doc.cells.len()).take_while(same).last()?;
    let first = (0..=h as usize).rev().take_while(same).last()?;
    (last > first).then(|| (doc.cells[last].kind == CellKind::Empty, last + 1 - first))
}

/// The printed part of a row the document ends in: a saved page cut off in
/// the middle of a table (real-world.md, "Truncated documents"). When the
/// row's candidates are the last non-blank cells of the whole document and
/// the layout shows every cell it prints, blank ones included (not space
/// rows, where a blank cell leaves no trace), its values stand in its first
/// columns, in printed order: what the cut took is the columns after them.
/// Gives the first candidate and how many values were printed; `None` when
/// the row is not cut so, or when a blank or text among its values leaves
/// the columns in doubt (a stray blank shifts them).
pub(super) fn cut_row(doc: &Doc, cands: &[u32], k: usize, pad: Pad) -> Option<(usize, usize)> {
    if matches!(doc.layout, Layout::SpaceRows | Layout::Prose) {
        return None;
    }
    let &last = cands.last()?;
    let ends = doc.cells[last as usize + 1..]
        .iter()
        .all(|c| c.kind == CellKind::Empty);
    if !ends {
        return None;
    }
    let kind = |i: usize| doc.cells[cands[i] as usize].kind;
    let mut a = 0;
    if pad.lead && kind(0) == CellKind::Empty {
        a = 1;
    }
    // Blanks after the last value are the cut's or the layout's: they hold
    // no value either way.
    let mut b = cands.len();
    while b > a && kind(b - 1) == CellKind::Empty {
        b -= 1;
    }
    let printed = b - a;
    let values = (a..b).all(|i| kind(i) == CellKind::Value);
    (values && printed > 0 && printed < k).then_some((a, printed))
}

/// Fits a row's candidates to its `k` columns. The table's padding is
/// dropped first. A row that still has more candidates, all the extra ones
/// blank, had stray blank cells in it (PDF text shifts cells so): it is read
/// when every printed value lands in one column whichever blanks are dropped
/// (every column printed, or a row of blanks). Any other excess stays
/// unread: which value is which is unknown.
pub(super) fn fit(doc: &Doc, cands: &[u32], k: usize, pad: Pad) -> Fit {
    let kind = |i: usize| doc.cells[cands[i] as usize].kind;
    let empty = |i: usize| kind(i) == CellKind::Empty;
    let (mut a, mut b) = (0, cands.len());
    if pad.trail && b - a > k && empty(b - 1) {
        b -= 1;
    }
    if pad.lead && b - a > k && empty(a) {
        a += 1;
    }
    while pad.edges && b - a > k && empty(b - 1) {
        b -= 1;
    }
    while pad.edges && b - a > k && empty(a) {
        a += 1;
    }
    match (b - a).cmp(&k) {
        // Padding the table's rows do not show may be this row's own blank
        // cell, with a stray blank elsewhere in the row.
        std::cmp::Ordering::Equal if pad.weak && !padding_holds(doc, cands, a, b, 0) => Fit::Excess,
        std::cmp::Ordering::Equal => Fit::Exact(a, b),
        std::cmp::Ordering::Less => Fit::Short,
        std::cmp::Ordering::Greater => {
            let row = &cands[a..b];
            let drop = row.len() - k;
            let blanks = (a..b).filter(|&i| empty(i)).count();
            let all_values = (a..b).all(|i| matches!(kind(i), CellKind::Empty | CellKind::Value));
            let unique = columns_of(doc, row, drop).all(|(_, col)| col.is_some());
            // Blanks taken for the layout's padding may be this row's own
            // blank cells, with the stray blanks elsewhere (a table's padding
            // is judged on most of its rows, not this one).
            if drop <= blanks && all_values && unique && padding_holds(doc, cands, a, b, drop) {
                Fit::Unique(a, b, drop)
            } else {
                Fit::Excess
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The columns of a row's printed cells, counted once per row, are
    //! those `column_of` counts cell by cell: on every window of rows of
    //! values and blanks made at random, for every edge and stray count.

    use super::{column_of, columns_of, padding_holds, padding_holds_by_rescanning, Fit};
    use crate::segment::{segment, CellKind};
    use crate::settings::load;

    #[test]
    fn columns_counted_once_are_those_counted_per_cell() {
        let s = load(None, None).expect("the embedded config loads");
        // A fixed xorshift: the same rows every run.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut compared = 0;
        for _ in 0..60 {
            let cells: Vec<&str> = (0..14)
                .map(|_| if next() % 3 == 0 { "7" } else { "" })
                .collect();
            let text = format!("行\t{}", cells.join("\t"));
            let doc = segment(&text, &s.templates.normaliser);
            let row: Vec<u32> = (0..doc.cells.len() as u32)
                .filter(|&i| doc.cells[i as usize].kind != CellKind::Text)
                .collect();
            for len in 0..=row.len().min(10) {
                let cands = &row[..len];
                for drop in 0..=len + 1 {
                    let fast: Vec<(usize, Option<usize>)> = columns_of(&doc, cands, drop).collect();
                    let slow: Vec<(usize, Option<usize>)> = (0..len)
                        .filter(|&i| doc.cells[cands[i] as usize].kind != CellKind::Empty)
                        .map(|i| (i, column_of(&doc, cands, drop, i)))
                        .collect();
                    assert_eq!(fast, slow, "{text:?} {len} {drop}");
                    for a in 0..=len {
                        for b in a..=len {
                            assert_eq!(
                                padding_holds(&doc, cands, a, b, drop),
                                padding_holds_by_rescanning(&doc, cands, a, b, drop),
                                "{text:?} {len} {a}..{b} {drop}"
                            );
                            let f = Fit::Unique(a, b, drop);
                            for j in 0..=len {
                                assert_eq!(
                                    f.nth(&doc, cands, j),
                                    f.nth_by_rescanning(&doc, cands, j),
                                    "{text:?} {len} {a}..{b} {drop} {j}"
                                );
                                compared += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(compared > 100_000, "{compared}");
    }
}
