//! Text → cells: the one intermediate every input format becomes.
//!
//! It takes a decoded document and gives its cells in reading order, each with
//! its byte range in the text, line, column and kind (empty, value-like,
//! text), plus the normalised form of every text cell. Every text layout of
//! real-world.md ("How a table arrives as text", 1–6) is read by the same
//! per-line rules below; nothing here knows what a table is, and nothing is
//! dropped except layout characters (tabs, pipes, blank lines).

pub mod normalise;

use crate::input::{Layout, Rendered, Span};
use crate::validate::money::{parse_money, Money};
use crate::validate::values::{is_dash, parse_count, Count};
use normalise::Normaliser;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Nothing but white space: a blank cell.
    Empty,
    /// A number, amount, dash or 无: something a value column can hold.
    Value,
    /// Anything else: labels, captions, prose.
    Text,
}

/// One cell: a trimmed byte range of the document text and where it stood.
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    pub start: u32,
    pub end: u32,
    /// 1-based line of the text.
    pub line: u32,
    /// 0-based position of the cell within its line.
    pub col: u16,
    pub kind: CellKind,
    /// Byte range of the normalised label form in `Doc::norm` (text cells).
    pub norm_start: u32,
    pub norm_end: u32,
}

/// A segmented document.
#[derive(Debug)]
pub struct Doc<'t> {
    pub text: &'t str,
    pub cells: Vec<Cell>,
    pub norm: String,
    pub layout: Layout,
}

impl<'t> Doc<'t> {
    /// The cell's text as printed, trimmed.
    pub fn raw(&self, i: usize) -> &'t str {
        let c = &self.cells[i];
        self.text
            .get(c.start as usize..c.end as usize)
            .unwrap_or("")
    }

    /// The cell's normalised label form (empty for value and empty cells).
    pub fn norm(&self, i: usize) -> &str {
        let c = &self.cells[i];
        self.norm
            .get(c.norm_start as usize..c.norm_end as usize)
            .unwrap_or("")
    }
}

/// Classifies cell text.
pub fn classify(raw: &str) -> CellKind {
    if opens_as_text(raw) {
        return CellKind::Text;
    }
    classify_by_rules(raw)
}

/// Does `raw` open with a character no value starts with? Both
/// `parse_count` and `parse_money` read their first character after white
/// space and U+FEFF, folded in width, and read a value only when it is a
/// digit, a sign (`+`, `-`, `−`, `增`, `减`, `減`), a dash or `无`/`無`; a
/// cell opening with any other character is text, and most text cells
/// (labels, prose, `（一）…`) are such. Deciding that from one character
/// spares the two parsers' passes; a cell opening with white space or U+FEFF
/// is left to them.
fn opens_as_text(raw: &str) -> bool {
    raw.chars().next().is_some_and(|c| {
        if matches!(c, '\u{4E00}'..='\u{9FFF}') {
            return !matches!(c, '无' | '無' | '增' | '减' | '減');
        }
        if c.is_whitespace() || c == '\u{FEFF}' {
            return false;
        }
        let f = normalise::fold_width(c);
        !(f.is_ascii_digit() || is_dash(f) || matches!(f, '+' | '-' | '−'))
    })
}

/// `classify` by the value parsers alone.
fn classify_by_rules(raw: &str) -> CellKind {
    match parse_count(raw) {
        Count::Blank => CellKind::Empty,
        Count::Number(_) | Count::NotApplicable => CellKind::Value,
        Count::Unreadable => match parse_money(raw) {
            Money::Amount(..) => CellKind::Value,
            _ => CellKind::Text,
        },
    }
}

fn is_unit_only(s: &str) -> bool {
    matches!(s, "元" | "万元" | "亿元" | "件")
}

/// Per-line shape counts, for `Layout`.
#[derive(Default)]
struct Shapes {
    tab_rows: u32,
    cell_lines: u32,
    pipe_rows: u32,
    pipe_lines: u32,
    space_rows: u32,
    html_rows: u32,
}

struct Builder<'t, 'n> {
    text: &'t str,
    normaliser: &'n Normaliser,
    doc: Doc<'t>,
}

impl<'t> Builder<'t, '_> {
    /// Adds the cell at byte range `start..end` of the text, trimmed.
    fn push(&mut self, start: usize, end: usize, line: u32, col: usize) {
        let piece = &self.text[start..end];
        let trimmed = trim(piece);
        // `trimmed` lies within `piece`: its offset there is the distance
        // between their first bytes.
        let start = start + (trimmed.as_ptr() as usize - piece.as_ptr() as usize);
        let end = start + trimmed.len();
        let kind = classify(trimmed);
        let norm_start = self.doc.norm.len();
        if kind == CellKind::Text {
            self.normaliser.label_into(trimmed, &mut self.doc.norm);
        }
        self.doc.cells.push(Cell {
            start: start as u32,
            end: end as u32,
            line,
            col: col.min(u16::MAX as usize) as u16,
            kind,
            norm_start: norm_start as u32,
            norm_end: self.doc.norm.len() as u32,
        });
    }
}

/// The bytes a white space character (`char::is_whitespace`) can open with
/// in UTF-8: an ASCII white space byte, or `C2`, `E1`, `E2`, `E3`.
const WS_LEAD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8 as char).is_whitespace();
        b += 1;
    }
    t[0xC2] = true;
    t[0xE1] = true;
    t[0xE2] = true;
    t[0xE3] = true;
    t
};

/// `s.trim_start().trim_end()` (a piece of nothing but white space becomes
/// the empty string at its end). The commonest piece neither opens nor ends
/// with white space, told from the lead bytes of its first and last
/// characters; the others have their ASCII white space stripped byte by
/// byte, and only an end whose character may be other white space (lead
/// byte `C2`, `E1`, `E2` or `E3`) is left to `str`'s methods, which decode
/// characters. It runs for every cell and every line.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let (Some(&first), Some(last)) = (b.first(), last_lead(b)) else {
        return s;
    };
    if !WS_LEAD[usize::from(first)] && !WS_LEAD[usize::from(last)] {
        return s;
    }
    let ascii_ws = |x: u8| x < 0x80 && WS_LEAD[usize::from(x)];
    let a = b.iter().position(|&x| !ascii_ws(x)).unwrap_or(b.len());
    let z = b
        .iter()
        .rposition(|&x| !ascii_ws(x))
        .map_or(a, |k| (k + 1).max(a));
    let inner = s.get(a..z).unwrap_or("");
    let open = inner
        .as_bytes()
        .first()
        .is_some_and(|&x| WS_LEAD[usize::from(x)]);
    let close = last_lead(inner.as_bytes()).is_some_and(|x| x >= 0x80 && WS_LEAD[usize::from(x)]);
    let out = match (open, close) {
        (false, false) => inner,
        _ => inner.trim_start().trim_end(),
    };
    // Nothing but white space: the empty string at the end, as `trim_start`
    // gives it.
    if out.is_empty() {
        return s.get(s.len()..).unwrap_or("");
    }
    out
}

/// The first byte of the last character of the UTF-8 `b` (`None` when empty).
fn last_lead(b: &[u8]) -> Option<u8> {
    let &last = b.last()?;
    if last < 0x80 {
        return Some(last);
    }
    match b.len().checked_sub(3).and_then(|k| b.get(k)) {
        // A three-byte character (Chinese text) ends the piece.
        Some(&x @ 0xE0..=0xEF) => Some(x),
        // At most three continuation bytes (`10xxxxxx`) end a character.
        _ => b.iter().rev().take(4).find(|&&x| x & 0xC0 != 0x80).copied(),
    }
}

/// Byte ranges of the whitespace-separated tokens of `line`, offset by `base`.
///
/// White space (`char::is_whitespace`) in UTF-8 is an ASCII byte or a
/// character opening with `C2`, `E1`, `E2` or `E3`; only there is a character
/// decoded, so a line of Chinese text costs a table lookup a byte.
fn tokens(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    const MAYBE: [bool; 256] = WS_LEAD;
    out.clear();
    let bytes = line.as_bytes();
    let mut start = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !MAYBE[b as usize] {
            if start.is_none() {
                start = Some(i);
            }
            i += 1;
            continue;
        }
        let c = line.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((base + s, base + i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
        i += c.len_utf8();
    }
    if let Some(s) = start {
        out.push((base + s, base + line.len()));
    }
}

/// Does `line` hold a tab, and a `|` or `｜`? One pass over its bytes rather
/// than a search per separator, since it runs for every line; `｜` is looked
/// for only when the line holds a byte that can start it. A table gives each
/// byte its flag (three comparisons a byte cost about twice as much).
fn separators(line: &str) -> (bool, bool) {
    const TAB: u8 = 1;
    const PIPE: u8 = 2;
    const WIDE: u8 = 4;
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        t[b'\t' as usize] = TAB;
        t[b'|' as usize] = PIPE;
        t[0xEF] = WIDE;
        t
    };
    let flags = line
        .as_bytes()
        .iter()
        .fold(0u8, |f, &x| f | CLASS[x as usize]);
    (
        flags & TAB != 0,
        flags & PIPE != 0 || (flags & WIDE != 0 && line.contains('｜')),
    )
}

/// Is this `|`-split line a Markdown alignment row (`---|:---:`)?
fn is_rule_row(line: &str) -> bool {
    line.split('|')
        .all(|p| p.trim().chars().all(|c| matches!(c, '-' | ':' | ' ')))
}

/// Segments a text document into cells (layouts 1–6 of real-world.md).
pub fn segment<'t>(text: &'t str, normaliser: &Normaliser) -> Doc<'t> {
    segment_with(text, &[], normaliser)
}

/// Segments what a reader gave: its cut cells and its lines; a layout the
/// reader knows wins over the one the lines suggest.
pub fn rendered<'t>(r: &'t Rendered, normaliser: &Normaliser) -> Doc<'t> {
    let mut doc = segment_with(&r.text, &r.cells, normaliser);
    if let Some(layout) = r.layout {
        doc.layout = layout;
    }
    doc
}

/// Segments a document whose table rows are already cut into cells (an HTML
/// page rendered by `crate::input::html`): a line that has spans is those cells, in
/// their grid columns; every other line goes through the text rules.
pub fn segment_with<'t>(text: &'t str, spans: &[Span], normaliser: &Normaliser) -> Doc<'t> {
    let mut b = Builder {
        text,
        normaliser,
        doc: Doc {
            text,
            // Reports hold about a cell to 14 bytes of text (5.4 million
            // cells in 75 MB of /tmp/p20's text files): room for one to 10
            // bytes, so most documents' cells never move in a regrowth.
            cells: Vec::with_capacity((text.len() / 10).min(1 << 16)),
            norm: String::with_capacity(text.len()),
            layout: Layout::Prose,
        },
    };
    let mut shapes = Shapes::default();
    let mut toks: Vec<(usize, usize)> = Vec::new();
    // The cells' byte ranges within a tab or pipe row, reused line to line.
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut prev_ended_with_pipe = false;
    let mut offset = 0usize;
    let mut spans = spans.iter().peekable();
    // The first line of text: a later line equal to it is a running header.
    let mut title: Option<&str> = None;
    // The lines as `split('\n')` gives them; memchr's SIMD search costs a
    // fraction of `split`'s for lines this short (~14 bytes).
    let line_ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
    for (n, end) in line_ends.enumerate() {
        let line_start = offset;
        let raw_line = text.get(line_start..end).unwrap_or("");
        offset = end + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let line_no = (n + 1).min(u32::MAX as usize) as u32;
        let mut is_row = false;
        while let Some(s) = spans.next_if(|s| s.line <= line_no) {
            if s.line == line_no && (s.end as usize) <= text.len() && s.start <= s.end {
                b.push(s.start as usize, s.end as usize, line_no, s.col as usize);
                is_row = true;
            }
        }
        if is_row {
            shapes.html_rows += 1;
            prev_ended_with_pipe = false;
            continue;
        }
        if line.is_empty() {
            // A blank line separates rows or cells; it is not a cell.
            continue;
        }
        let trimmed_line = trim(line);
        if is_page_mark(trimmed_line) {
            prev_ended_with_pipe = false;
            continue;
        }
        match title {
            None if !trimmed_line.is_empty() => title = Some(trimmed_line),
            Some(t) if t == trimmed_line && t.chars().count() >= MIN_RUNNING_HEADER => continue,
            _ => {}
        }
        let before = b.doc.cells.len();
        let (tab, pipe) = separators(line);
        if tab {
            // Tab-separated cells. A leading tab is indentation (DOCX text puts
            // one before every cell), so the empty piece before it is dropped.
            pieces.clear();
            let mut s = 0;
            for (i, _) in line.match_indices('\t') {
                pieces.push((s, i));
                s = i + 1;
            }
            pieces.push((s, line.len()));
            let skip = usize::from(pieces.first().is_some_and(|&(a, z)| a == z));
            for (col, &(a, z)) in pieces.iter().enumerate().skip(skip) {
                b.push(line_start + a, line_start + z, line_no, col - skip);
            }
            let real = pieces.len() - skip;
            if real > 1 {
                shapes.tab_rows += 1;
            } else {
                shapes.cell_lines += 1;
            }
            prev_ended_with_pipe = false;
        } else if pipe {
            let trimmed = line.trim();
            if trimmed == "|" || trimmed == "｜" {
                // A lone `|` closes the cell on the line before it; after a
                // line that already ended with `|` it stands for an empty cell.
                if prev_ended_with_pipe {
                    let at = line_start + (line.len() - line.trim_start().len());
                    b.push(at, at, line_no, 0);
                }
                shapes.pipe_lines += 1;
                prev_ended_with_pipe = true;
                continue;
            }
            if is_rule_row(line) {
                continue;
            }
            pieces.clear();
            let mut s = 0;
            for (i, c) in line.char_indices() {
                if c == '|' || c == '｜' {
                    pieces.push((s, i));
                    s = i + c.len_utf8();
                }
            }
            pieces.push((s, line.len()));
            // A trailing `|` closes the row; a leading one is a border.
            if line[pieces.last().map_or(0, |p| p.0)..].trim().is_empty() {
                pieces.pop();
            }
            if pieces.len() > 1 && line[pieces[0].0..pieces[0].1].trim().is_empty() {
                pieces.remove(0);
            }
            let count = pieces.len();
            for (col, &(a, z)) in pieces.iter().enumerate() {
                b.push(line_start + a, line_start + z, line_no, col);
            }
            if count > 1 {
                shapes.pipe_rows += 1;
            } else {
                shapes.pipe_lines += 1;
            }
            prev_ended_with_pipe = trimmed.ends_with('|') || trimmed.ends_with('｜');
        } else {
            prev_ended_with_pipe = false;
            tokens(line, line_start, &mut toks);
            if toks.is_empty() {
                // Only spaces or U+3000: an empty cell.
                b.push(line_start, line_start + line.len(), line_no, 0);
                shapes.cell_lines += 1;
                continue;
            }
            // A run of value tokens at the end of the line is a row's values;
            // what stands before them is one text cell (its label). A line of
            // one token is one cell whatever it holds: `push` classifies it,
            // so it is not classified here as well.
            let tok = |i: usize| &text[toks[i].0..toks[i].1];
            let mut k = toks.len();
            while k > 0 && toks.len() > 1 {
                if k >= 2 && is_unit_only(tok(k - 1)) && classify(tok(k - 2)) == CellKind::Value {
                    k -= 2;
                } else if classify(tok(k - 1)) == CellKind::Value {
                    k -= 1;
                } else {
                    break;
                }
            }
            if k == toks.len() || toks.len() == 1 {
                b.push(toks[0].0, toks[toks.len() - 1].1, line_no, 0);
                shapes.cell_lines += 1;
            } else {
                let mut col = 0;
                if k > 0 {
                    b.push(toks[0].0, toks[k - 1].1, line_no, 0);
                    col = 1;
                }
                let mut i = k;
                while i < toks.len() {
                    let start = toks[i].0;
                    // A unit token (`0 元`) belongs to the number before it.
                    if i + 1 < toks.len() && is_unit_only(tok(i + 1)) {
                        i += 1;
                    }
                    b.push(start, toks[i].1, line_no, col);
                    col += 1;
                    i += 1;
                }
                shapes.space_rows += 1;
            }
        }
        debug_assert!(b.doc.cells.len() >= before);
    }
    merge_vertical(&mut b);
    b.doc.layout = pick_layout(&shapes);
    b.doc
}

/// A line repeating the first line of text is a running header from this
/// many characters on (a shorter first line may be a real cell).
const MIN_RUNNING_HEADER: usize = 8;

/// Is this line a page number (`- 3 -`, `—3—`, `第 3 页`, `第3页 共6页`,
/// `第 3 页，共 6 页`, `共 6 页 第 3 页`)? PDF text puts them, and footers, in
/// the middle of a table broken across pages; they are not cells.
fn is_page_mark(line: &str) -> bool {
    // Most lines are ruled out before any work: a page mark is short and
    // opens with a dash, 第 or 共.
    let opens = line
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '-' | '—' | '–' | '－' | '第' | '共'));
    if !opens || line.len() > 40 {
        return false;
    }
    let s: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，'))
        .map(normalise::fold_width)
        .collect();
    let digits = |t: &str| !t.is_empty() && t.len() <= 4 && t.chars().all(|c| c.is_ascii_digit());
    let dash = |c: char| matches!(c, '-' | '—' | '–' | '－');
    // - 3 -
    if let Some(inner) = s
        .strip_prefix(|c: char| dash(c))
        .and_then(|t| t.strip_suffix(|c: char| dash(c)))
    {
        return digits(inner.trim_matches(dash));
    }
    // 第 3 页 [共 6 页], or 共 6 页 第 3 页.
    let page = |t: &str| {
        t.strip_prefix('第')
            .and_then(|t| t.strip_suffix('页'))
            .is_some_and(digits)
    };
    let total = |t: &str| {
        t.strip_prefix('共')
            .and_then(|t| t.strip_suffix('页'))
            .is_some_and(digits)
    };
    let split = |t: &str, at: char| -> Option<(String, String)> {
        let i = t.char_indices().skip(1).find(|&(_, c)| c == at)?.0;
        Some((t[..i].to_string(), t[i..].to_string()))
    };
    page(&s)
        || split(&s, '共').is_some_and(|(a, b)| page(&a) && total(&b))
        || split(&s, '第').is_some_and(|(a, b)| total(&a) && page(&b))
}

/// At most this many printed characters make a piece of vertical text.
const VERTICAL_PIECE_CHARS: usize = 3;

/// Is cell `i` alone on its line, text, and at most a few characters?
fn vertical_piece(doc: &Doc, i: usize) -> bool {
    let c = &doc.cells[i];
    // The cheap tests first: most cells share their line or are values.
    let alone = (i == 0 || doc.cells[i - 1].line != c.line)
        && doc.cells.get(i + 1).is_none_or(|n| n.line != c.line);
    alone
        && c.kind == CellKind::Text
        && doc.norm(i).chars().nth(2).is_none()
        && doc
            .raw(i)
            .chars()
            .filter(|ch| !ch.is_whitespace())
            .nth(VERTICAL_PIECE_CHARS)
            .is_none()
}

/// Joins runs of short text cells on consecutive lines, each alone on its
/// line, into one cell spanning them: a group label set vertically (`三、` /
/// `本` / `年` / `度` / `办` / `理` / `结` / `果`) or a header word broken
/// into pieces (`自` / `然 人`). Cells on lines apart (a blank line between
/// them) stay separate.
fn merge_vertical(b: &mut Builder) {
    let n = b.doc.cells.len();
    let run_end = |doc: &Doc, i: usize| {
        let mut j = i + 1;
        while j < n && vertical_piece(doc, j) && doc.cells[j].line == doc.cells[j - 1].line + 1 {
            j += 1;
        }
        j
    };
    let first = (0..n).find(|&i| vertical_piece(&b.doc, i) && run_end(&b.doc, i) - i >= 2);
    let Some(first) = first else {
        return;
    };
    let mut out: Vec<Cell> = Vec::with_capacity(n);
    out.extend_from_slice(&b.doc.cells[..first]);
    let mut i = first;
    while i < n {
        let j = if vertical_piece(&b.doc, i) {
            run_end(&b.doc, i)
        } else {
            i + 1
        };
        if j - i < 2 {
            out.push(b.doc.cells[i]);
            i += 1;
            continue;
        }
        let (start, end) = (b.doc.cells[i].start, b.doc.cells[j - 1].end);
        let norm_start = b.doc.norm.len();
        b.normaliser
            .label_into(&b.text[start as usize..end as usize], &mut b.doc.norm);
        out.push(Cell {
            start,
            end,
            norm_start: norm_start as u32,
            norm_end: b.doc.norm.len() as u32,
            ..b.doc.cells[i]
        });
        i = j;
    }
    b.doc.cells = out;
}

fn pick_layout(s: &Shapes) -> Layout {
    if s.html_rows >= 3 {
        return Layout::Html;
    }
    let candidates = [
        (s.tab_rows, Layout::TabRows),
        (s.pipe_rows, Layout::PipeRows),
        (s.pipe_lines, Layout::PipeLines),
        (s.space_rows, Layout::SpaceRows),
    ];
    let best = candidates.iter().max_by_key(|(n, _)| *n).copied();
    match best {
        Some((n, layout)) if n >= 3 => layout,
        _ if s.cell_lines > 20 => Layout::CellLines,
        _ => Layout::Prose,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normaliser {
        Normaliser::new("", "()（）、.|").unwrap()
    }

    fn cells(text: &str) -> Vec<(String, CellKind)> {
        let n = norm();
        let d = segment(text, &n);
        (0..d.cells.len())
            .map(|i| (d.raw(i).to_string(), d.cells[i].kind))
            .collect()
    }

    fn texts(text: &str) -> Vec<String> {
        cells(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn tab_rows_keep_inner_empty_cells() {
        assert_eq!(texts("规章\t1\t\t3\n"), ["规章", "1", "", "3"]);
        assert_eq!(texts("\t\t2.重复申请\t0"), ["", "2.重复申请", "0"]);
    }

    #[test]
    fn docx_cell_lines() {
        // A leading tab is indentation; a tab-only line is an empty cell; a
        // blank line separates rows.
        assert_eq!(
            texts("\t规章\n\t0\n\t\n\t\u{3000}\n\n\t行政许可"),
            ["规章", "0", "", "", "行政许可"]
        );
    }

    #[test]
    fn pipe_rows() {
        assert_eq!(texts("规章 | 0 | 12 | 3 |"), ["规章", "0", "12", "3"]);
        assert_eq!(
            texts("第二十条第(一)项 | |||"),
            ["第二十条第(一)项", "", "", ""]
        );
        assert_eq!(texts("| 规章 | 1 |\n|---|---|"), ["规章", "1"]);
    }

    #[test]
    fn pipe_lines() {
        // Cells ending in ` |`, a lone `|` for an empty cell.
        assert_eq!(texts("规章 |\n1 |\n|\n3 |"), ["规章", "1", "", "3"]);
        // Every cell followed by a lone `|`: the `|` only closes the cell.
        assert_eq!(texts("规章\n|\n1\n|\n\n|\n3\n|"), ["规章", "1", "", "3"]);
    }

    #[test]
    fn space_rows_split_trailing_values() {
        assert_eq!(texts("4.保护第三 0 1 2"), ["4.保护第三", "0", "1", "2"]);
        assert_eq!(
            texts("政府集中采购 33 6054 万元"),
            ["政府集中采购", "33", "6054 万元"]
        );
        assert_eq!(texts("0 0 0"), ["0", "0", "0"]);
        assert_eq!(
            texts("结 果 维 持 结 果 纠 正"),
            ["结 果 维 持 结 果 纠 正"]
        );
        assert_eq!(
            texts("收到建议 0 件、提案 5 件，已办结"),
            ["收到建议 0 件、提案 5 件，已办结"]
        );
    }

    #[test]
    fn kinds() {
        let c = cells("规章\t0\t\t—\t0 元\t暂无");
        let kinds: Vec<CellKind> = c.iter().map(|x| x.1).collect();
        use CellKind::*;
        assert_eq!(kinds, [Text, Value, Empty, Value, Value, Text]);
    }

    #[test]
    fn page_marks_are_not_cells() {
        for mark in [
            "- 3 -",
            "—3—",
            "－ 12 －",
            "第 3 页",
            "第3页 共6页",
            "第 3 页，共 6 页",
            "共6页 第3页",
        ] {
            assert!(is_page_mark(mark), "{mark}");
            assert!(
                texts(&format!("规章\t1\n{mark}\n规范性文件\t2")).len() == 4,
                "{mark}"
            );
        }
        for not in ["- 3 - 4", "3", "第三页", "第 3 项", "-", "— —", "1 - 2"] {
            assert!(!is_page_mark(not), "{not}");
        }
    }

    #[test]
    fn running_title_is_not_a_cell() {
        let t = "某县2020年政府信息公开工作年度报告\n规章\t1\n某县2020年政府信息公开工作年度报告\n规范性文件\t2";
        assert_eq!(
            texts(t),
            [
                "某县2020年政府信息公开工作年度报告",
                "规章",
                "1",
                "规范性文件",
                "2"
            ]
        );
    }

    #[test]
    fn vertical_text_is_one_cell() {
        let n = norm();
        let d = segment("三、\n本\n年\n度\n\t（一）予以公开\t1", &n);
        assert_eq!(d.raw(0), "三、\n本\n年\n度");
        assert_eq!(d.norm(0), "本年度");
        assert_eq!(d.cells.len(), 3);
        // Pieces of a header word.
        assert_eq!(texts("自\n然 人\n商业企业"), ["自\n然 人", "商业企业"]);
        // Apart (a blank line between them), or beside other cells: kept.
        assert_eq!(texts("其他\n\n总计"), ["其他", "总计"]);
        assert_eq!(texts("规章\n0\n0"), ["规章", "0", "0"]);
        assert_eq!(texts("本\t1\n年\t2"), ["本", "1", "年", "2"]);
    }

    /// `tokens` as it was written before it scanned bytes.
    fn tokens_by_char(line: &str, base: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in line.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    out.push((base + s, base + i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push((base + s, base + line.len()));
        }
        out
    }

    /// Every white space character (`char::is_whitespace`): all lie below
    /// U+3100.
    fn white_space_below_3100() -> Vec<char> {
        (0..0x3100u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect()
    }

    #[test]
    fn tokens_split_at_every_white_space_character() {
        // Every white space character, and characters sharing its first
        // byte, between and around words.
        let ws = white_space_below_3100();
        let near = [
            '\u{80}', '\u{A1}', '\u{1681}', '\u{200B}', '\u{2030}', '\u{3001}', '、', '规',
        ];
        let mut out = Vec::new();
        for &w in ws.iter().chain(&near) {
            for line in [
                format!("{w}"),
                format!("规章{w}0"),
                format!("{w}{w}a{w}b{w}"),
                format!("x{w}\u{3000}y\u{A0}z"),
            ] {
                tokens(&line, 7, &mut out);
                assert_eq!(out, tokens_by_char(&line, 7), "{line:?}");
            }
        }
    }

    #[test]
    fn a_cell_is_classified_by_its_first_character_as_the_parsers_read_it() {
        // Every plane-0 character and a few beyond it, as the first
        // character of a cell.
        let firsts = (0..0x10000u32).filter_map(char::from_u32).chain([
            '\u{1F600}',
            '\u{20000}',
            '\u{E0001}',
        ]);
        for c in firsts {
            for tail in ["", "1", "10件", "0元", "万元", "加5", "少3", " 2", "—"] {
                let raw = format!("{c}{tail}");
                assert_eq!(classify(&raw), classify_by_rules(&raw), "{raw:?}");
            }
        }
    }

    #[test]
    fn trim_is_strs_trim_from_both_ends() {
        // Every white space character, characters sharing its lead byte, and
        // others, at either end, alone and around words.
        let ws = white_space_below_3100();
        let near = [
            'a',
            '0',
            '\u{7F}',
            '\u{80}',
            '\u{A1}',
            '\u{1681}',
            '\u{200B}',
            '\u{2030}',
            '\u{3001}',
            '规',
            '\u{FEFF}',
            '\u{1F600}',
        ];
        let all: Vec<char> = ws.iter().chain(&near).copied().collect();
        for &x in &all {
            for &y in &all {
                for s in [
                    format!("{x}"),
                    format!("{x}{y}"),
                    format!("{x}规章{y}"),
                    format!("{x}{x}a b{y}{y}"),
                ] {
                    let t = trim(&s);
                    let want = s.trim_start().trim_end();
                    assert_eq!(t, want, "{s:?}");
                    assert_eq!(t.as_ptr(), want.as_ptr(), "{s:?}");
                }
            }
        }
        assert_eq!(trim(""), "");
    }

    #[test]
    fn whitespace_only_line_is_an_empty_cell() {
        assert_eq!(cells("\u{3000}")[0].1, CellKind::Empty);
        assert!(cells("\n\n").is_empty());
    }
}
