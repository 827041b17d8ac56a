//! Text → cells: the one intermediate every input format becomes.
//!
//! It takes a decoded document and gives its cells in reading order, each with
//! its byte range in the text, line, column and kind (empty, value-like,
//! text), plus the normalised form of every text cell. Every text layout of
//! real-world.md ("How a table arrives as text", 1–6) is read by the same
//! per-line rules below; nothing here knows what a table is, and nothing is
//! dropped except layout characters (tabs, pipes, blank lines).

pub mod normalise;

use crate::html::Span;
use crate::validate::money::{parse_money, Money};
use crate::validate::values::{parse_count, Count};
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

/// How the text carried its tables, as far as the lines show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Rows of tab-separated cells (PDF text, layout 1).
    TabRows,
    /// One cell per line (DOCX or web text, layouts 2 and 3).
    CellLines,
    /// Rows of `|`-separated cells (layout 4).
    PipeRows,
    /// One cell per line with `|` marks (layout 5).
    PipeLines,
    /// Rows of space-separated cells (PDF page text, layout 6).
    SpaceRows,
    /// Cells from an HTML table.
    Html,
    /// No line carries more than prose.
    Prose,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::TabRows => "tab_rows",
            Layout::CellLines => "cell_lines",
            Layout::PipeRows => "pipe_rows",
            Layout::PipeLines => "pipe_lines",
            Layout::SpaceRows => "space_rows",
            Layout::Html => "html",
            Layout::Prose => "prose",
        }
    }
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
    scratch: String,
    doc: Doc<'t>,
}

impl<'t> Builder<'t, '_> {
    /// Adds the cell at byte range `start..end` of the text, trimmed.
    fn push(&mut self, start: usize, end: usize, line: u32, col: usize) {
        let piece = &self.text[start..end];
        let trimmed_start = piece.len() - piece.trim_start().len();
        let trimmed = piece.trim();
        let start = start + trimmed_start;
        let end = start + trimmed.len();
        let kind = classify(trimmed);
        let norm_start = self.doc.norm.len();
        if kind == CellKind::Text {
            self.normaliser
                .label_into(trimmed, &mut self.scratch, &mut self.doc.norm);
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

/// Byte ranges of the whitespace-separated tokens of `line`, offset by `base`.
fn tokens(line: &str, base: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
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

/// Segments a document whose table rows are already cut into cells (an HTML
/// page rendered by `crate::html`): a line that has spans is those cells, in
/// their grid columns; every other line goes through the text rules.
pub fn segment_with<'t>(text: &'t str, spans: &[Span], normaliser: &Normaliser) -> Doc<'t> {
    let mut b = Builder {
        text,
        normaliser,
        scratch: String::new(),
        doc: Doc {
            text,
            cells: Vec::with_capacity((text.len() / 16).min(1 << 16)),
            norm: String::with_capacity(text.len()),
            layout: Layout::Prose,
        },
    };
    let mut shapes = Shapes::default();
    let mut toks: Vec<(usize, usize)> = Vec::new();
    let mut prev_ended_with_pipe = false;
    let mut offset = 0usize;
    let mut spans = spans.iter().peekable();
    for (n, raw_line) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw_line.len() + 1;
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
        let before = b.doc.cells.len();
        if line.contains('\t') {
            // Tab-separated cells. A leading tab is indentation (DOCX text puts
            // one before every cell), so the empty piece before it is dropped.
            let mut pieces = Vec::new();
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
        } else if line.contains('|') || line.contains('｜') {
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
            let mut pieces = Vec::new();
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
            // what stands before them is one text cell (its label).
            let tok = |i: usize| &text[toks[i].0..toks[i].1];
            let mut k = toks.len();
            while k > 0 {
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
    b.doc.layout = pick_layout(&shapes);
    b.doc
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
    fn whitespace_only_line_is_an_empty_cell() {
        assert_eq!(cells("\u{3000}")[0].1, CellKind::Empty);
        assert!(cells("\n\n").is_empty());
    }
}
