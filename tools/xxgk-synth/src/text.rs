//! A plan → the text of a report in layouts 1–6 (real-world.md, "How a
//! table arrives as text"), prose included.
//!
//! It takes a `Plan` and appends the report to a caller's buffer. Every table
//! is first laid out as logical rows of cells (the shape tab-separated PDF
//! text has, as in data/fixtures/twin_report.txt); each layout then prints
//! those rows its own way. It never decides a value: the plan did.

use std::fmt::Write;

use super::plan::{in_outcomes, noise, subgroup, Kind, Layout, PTable, Plan};
use super::rng::Rng;

/// A cell of a logical row.
#[derive(Debug, Clone, Copy)]
pub enum C<'a> {
    /// An empty cell that only keeps the grid (merged headers, group columns).
    Pad,
    /// An empty value cell (null).
    Blank,
    Text(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Caption,
    Header,
    /// A value row of the table (row index).
    Data(usize),
    /// A line the page put there: a page number, a running header, a
    /// piece of a label printed on its own line.
    Page,
}

pub struct Line<'a> {
    pub cells: Vec<C<'a>>,
    pub role: Role,
}

impl Line<'_> {
    /// Empty cells before the first printed one.
    fn leading_pads(&self) -> usize {
        self.cells
            .iter()
            .take_while(|c| matches!(c, C::Pad))
            .count()
    }
}

/// The corner header of table 2 items (the templates list it as `ignore`).
pub const CONTENT: &str = "信息内容";
/// The header over the applicant columns of table 3.
pub const APPLICANTS: &str = "申请人情况";
/// The header over the two litigation proceedings of table 4.
pub const LITIGATION: &str = "行政诉讼";

fn cell(text: &str) -> C<'_> {
    if text.is_empty() {
        C::Blank
    } else {
        C::Text(text)
    }
}

/// Width of table 2 when all of it is one grid: the label and three values.
pub fn item_width(p: &Plan) -> usize {
    1 + p
        .tables
        .iter()
        .filter(|t| t.kind == Kind::Item)
        .map(PTable::ncols)
        .max()
        .unwrap_or(3)
}

fn pad_to<'a>(mut cells: Vec<C<'a>>, width: usize) -> Vec<C<'a>> {
    while cells.len() < width {
        cells.push(C::Pad);
    }
    cells
}

/// The logical rows of one table.
pub fn lines<'a>(p: &'a Plan, t: &'a PTable) -> Vec<Line<'a>> {
    let ncols = t.ncols();
    let mut out = Vec::new();
    match t.kind {
        Kind::Item => {
            let w = item_width(p);
            if !uncaptioned(p, t) {
                out.push(Line {
                    cells: pad_to(vec![C::Text(&t.caption)], w),
                    role: Role::Caption,
                });
            }
            let mut h = vec![C::Text(CONTENT)];
            h.extend(t.order.iter().map(|&c| C::Text(&t.headers[c])));
            out.push(Line {
                cells: pad_to(h, w),
                role: Role::Header,
            });
            for r in 0..t.labels.len() {
                let mut cells = vec![C::Text(&t.labels[r])];
                cells.extend(t.order.iter().map(|&c| cell(t.cell(r, c))));
                out.push(Line {
                    cells: pad_to(cells, w),
                    role: Role::Data(r),
                });
            }
        }
        Kind::Requests => {
            let def = t.def;
            let group_of = |c: usize| def.groups.iter().find(|g| g.columns.contains(&c));
            let mut h1 = vec![C::Text(&p.corner), C::Pad, C::Text(APPLICANTS)];
            h1.extend((1..ncols).map(|_| C::Pad));
            let mut h2 = vec![C::Pad, C::Pad];
            let mut h3 = vec![C::Pad, C::Pad];
            for &c in &t.order {
                match group_of(c) {
                    Some(g) if g.columns.first() == Some(&c) => {
                        h2.push(C::Text(&g.label));
                        h3.push(C::Text(&t.headers[c]));
                    }
                    Some(_) => {
                        h2.push(C::Pad);
                        h3.push(C::Text(&t.headers[c]));
                    }
                    None => {
                        h2.push(C::Text(&t.headers[c]));
                        h3.push(C::Pad);
                    }
                }
            }
            for h in [h1, h2, h3] {
                out.push(Line {
                    cells: h,
                    role: Role::Header,
                });
            }
            let mut first_outcome = true;
            let mut seen_group = [false; 5];
            for r in 0..def.rows.len() {
                let key = def.rows[r].key.as_str();
                let mut cells = Vec::with_capacity(ncols + 3);
                if !in_outcomes(key) {
                    cells.push(C::Text(&t.labels[r]));
                    cells.push(C::Pad);
                } else {
                    cells.push(if first_outcome {
                        C::Text(&p.groups[0])
                    } else {
                        C::Pad
                    });
                    first_outcome = false;
                    if let Some(g) = subgroup(key) {
                        cells.push(if seen_group[g] {
                            C::Pad
                        } else {
                            C::Text(&p.groups[g])
                        });
                        seen_group[g] = true;
                    }
                    cells.push(C::Text(&t.labels[r]));
                }
                cells.extend(t.order.iter().map(|&c| cell(t.cell(r, c))));
                out.push(Line {
                    cells,
                    role: Role::Data(r),
                });
            }
        }
        Kind::Litigation => {
            let def = t.def;
            let nrows = def.rows.len();
            let mut h1 = Vec::new();
            let mut h2 = Vec::new();
            let mut h3 = Vec::new();
            for r in 0..nrows {
                if r == 0 {
                    // 行政复议: its outcomes stand in the second header row.
                    h1.push(C::Text(t.labels[0].as_str()));
                    h1.extend((1..ncols).map(|_| C::Pad));
                    h2.extend(t.headers.iter().map(|s| C::Text(s)));
                    h3.extend((0..ncols).map(|_| C::Pad));
                } else {
                    if r == 1 {
                        h1.push(C::Text(LITIGATION));
                    } else {
                        h1.push(C::Pad);
                    }
                    h1.extend((1..ncols).map(|_| C::Pad));
                    h2.push(C::Text(&t.labels[r]));
                    h2.extend((1..ncols).map(|_| C::Pad));
                    h3.extend(t.headers.iter().map(|s| C::Text(s)));
                }
            }
            for h in [h1, h2, h3] {
                out.push(Line {
                    cells: h,
                    role: Role::Header,
                });
            }
            out.push(Line {
                cells: t.cells.iter().map(|s| cell(s)).collect(),
                role: Role::Data(0),
            });
        }
    }
    out
}

fn text_of<'a>(c: &C<'a>) -> &'a str {
    match c {
        C::Text(s) => s,
        _ => "",
    }
}

// ---- the layouts ---------------------------------------------------------------

fn tab_line(out: &mut String, cells: &[C<'_>]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.push_str(text_of(c));
    }
    out.push('\n');
}

/// A byte offset to break a header at mid-word, as a narrow PDF column
/// does: inside a money unit (`本年收费金额（单位：万` / `元）`) or anywhere
/// at least two characters from either end. `h.len()` when it stays whole.
fn header_break(rng: &mut Rng, h: &str) -> usize {
    if let Some(i) = h.find("万元").filter(|_| rng.chance(0.5)) {
        return i + "万".len();
    }
    let offsets: Vec<usize> = h.char_indices().map(|(i, _)| i).collect();
    if offsets.len() < 4 {
        return h.len();
    }
    offsets[rng.range(2, offsets.len() as i64 - 2) as usize]
}

/// One printed line of PDF text: tab-separated (layout 1) or the text cells
/// joined by a space (layout 6).
fn pdf_line(out: &mut String, cells: &[C<'_>], tabs: bool) {
    if tabs {
        tab_line(out, cells);
        return;
    }
    let mut first = true;
    for c in cells {
        if let C::Text(s) = c {
            if !first {
                out.push(' ');
            }
            first = false;
            out.push_str(s);
        }
    }
    out.push('\n');
}

/// Layouts 1 and 6 (PDF text): labels broken across lines with the values
/// between where the plan says so; with `broken_headers`, header cells and
/// long first-column labels broken over two lines.
fn pdf_table(out: &mut String, p: &Plan, t: &PTable, lines: &[Line<'_>], rng: &mut Rng) {
    let tabs = p.layout == Layout::TabRows;
    let broken = p.noise & noise::BROKEN_HEADERS != 0;
    let mut broke_one = false;
    for (i, line) in lines.iter().enumerate() {
        if line.role == Role::Header {
            if !tabs && space_header(out, t, line, broken, rng) {
                continue;
            }
            if broken {
                // Heads on one line, tails on the next, each in its column.
                let last_header = !lines[i + 1..].iter().any(|l| l.role == Role::Header);
                let mut heads = line.cells.clone();
                let mut tails: Vec<C<'_>> = line.cells.iter().map(|_| C::Pad).collect();
                let mut any = false;
                for (k, c) in line.cells.iter().enumerate() {
                    let C::Text(h) = c else { continue };
                    let must = t.kind == Kind::Item && last_header && !broke_one;
                    if h.chars().count() >= 4 && (must || rng.chance(0.6)) {
                        let at = header_break(rng, h);
                        if at < h.len() {
                            heads[k] = C::Text(&h[..at]);
                            tails[k] = C::Text(&h[at..]);
                            any = true;
                            broke_one = true;
                        }
                    }
                }
                pdf_line(out, &heads, tabs);
                if any {
                    pdf_line(out, &tails, tabs);
                }
                continue;
            }
            pdf_line(out, &line.cells, tabs);
            continue;
        }
        let Role::Data(r) = line.role else {
            pdf_line(out, &line.cells, tabs);
            continue;
        };
        let label = t.labels[r].as_str();
        let li = line
            .cells
            .iter()
            .position(|c| matches!(c, C::Text(s) if std::ptr::eq(*s, label)));
        let split = t.splits.iter().find(|s| s.row == r);
        match (split, li) {
            (Some(split), Some(li)) if split.at < label.len() => {
                let (head, tail) = label.split_at(split.at);
                let mut first = line.cells.clone();
                first[li] = C::Text(head);
                pdf_line(out, &first[..=li], tabs);
                // The values line holds only the values (data/fixtures/
                // layout1_pdf_tabs_split_labels.txt): group labels stay above.
                let mut values = line.cells.clone();
                values[..=li].iter_mut().for_each(|c| *c = C::Pad);
                pdf_line(out, &values, tabs);
                let mut last: Vec<C<'_>> = line.cells.iter().map(|_| C::Pad).collect();
                last[li] = C::Text(tail);
                pdf_line(out, &last, tabs);
            }
            // 一、本年新收政府信息公开申 … values / 请数量.
            (None, Some(0))
                if broken
                    && t.kind == Kind::Requests
                    && label.chars().count() >= 12
                    && rng.chance(0.6) =>
            {
                let at = header_break(rng, label);
                let mut first = line.cells.clone();
                first[0] = C::Text(&label[..at]);
                pdf_line(out, &first, tabs);
                if at < label.len() {
                    pdf_line(out, &[C::Text(&label[at..])], tabs);
                }
            }
            _ => pdf_line(out, &line.cells, tabs),
        }
    }
}

const SPACES: [&str; 6] = ["", " ", "\u{3000}", "  ", " \u{3000}", "\u{3000}\u{3000}"];

/// What an empty DOCX cell line holds after its tab.
fn spaces(rng: &mut Rng) -> &'static str {
    SPACES[rng.below(SPACES.len() as u64) as usize]
}

/// Layout 2: a cell per line after a tab, a blank line after each row.
fn docx_table(out: &mut String, t: &PTable, lines: &[Line<'_>], rng: &mut Rng) {
    for line in lines {
        let lead = line.leading_pads();
        for _ in 0..lead {
            out.push('\t');
            out.push_str(spaces(rng));
            out.push('\n');
        }
        for c in &line.cells[lead..] {
            match c {
                C::Pad => {}
                C::Blank => {
                    out.push('\t');
                    out.push_str(spaces(rng));
                    out.push('\n');
                }
                C::Text(s) => {
                    out.push('\t');
                    out.push_str(s);
                    out.push('\n');
                }
            }
        }
        if t.kind == Kind::Requests && matches!(line.role, Role::Data(_)) && rng.chance(0.5) {
            out.push('\t');
            out.push_str(spaces(rng));
            out.push('\n');
        }
        out.push('\n');
    }
}

/// Layout 3: every cell on its own line, a blank line after each.
fn web_table(out: &mut String, lines: &[Line<'_>]) {
    for line in lines {
        for c in &line.cells {
            if let C::Text(s) = c {
                out.push_str(s);
                out.push_str("\n\n");
            }
        }
    }
}

/// Layout 4: `label | v | v |`.
fn pipe_rows_table(out: &mut String, lines: &[Line<'_>]) {
    for line in lines {
        if line.role == Role::Caption {
            out.push_str(text_of(&line.cells[0]));
            out.push_str(" | |||\n");
            continue;
        }
        let mut first = true;
        for c in &line.cells {
            if matches!(c, C::Pad) {
                continue;
            }
            if !first {
                out.push_str(" | ");
            }
            first = false;
            out.push_str(text_of(c));
        }
        out.push_str(" |\n");
    }
}

/// Layout 5: a lone `|` opening each row, each cell as `text |`, a lone `|`
/// for an empty cell; or (the variant) each cell followed by a `|` line.
fn pipe_lines_table(out: &mut String, lines: &[Line<'_>], after: bool) {
    for line in lines {
        if after {
            for c in &line.cells {
                if let C::Text(s) = c {
                    out.push_str(s);
                    out.push_str("\n|\n");
                }
            }
            continue;
        }
        out.push_str("|\n");
        let lead = line.leading_pads();
        for _ in 0..lead {
            out.push_str("|\n");
        }
        for c in &line.cells[lead..] {
            match c {
                C::Pad => {}
                C::Blank => out.push_str("|\n"),
                C::Text(s) => {
                    out.push_str(s);
                    out.push_str(" |\n");
                }
            }
        }
    }
}

/// A header broken over two lines as PDF page text prints it: before a
/// bracket, else in the middle.
fn header_halves(h: &str) -> (&str, &str) {
    if let Some(i) = h.find(['（', '(']).filter(|&i| i > 0) {
        return h.split_at(i);
    }
    let n = h.chars().count();
    let at = h.char_indices().nth(n / 2).map_or(h.len(), |(i, _)| i);
    h.split_at(if n >= 4 { at } else { h.len() })
}

/// Layout 6's own header lines: table-2 headers over two lines (broken
/// before a bracket or in the middle, or anywhere with `broken_headers`),
/// the requests corner over two lines then 申请人情况. False when the line
/// is printed as any other.
fn space_header(
    out: &mut String,
    t: &PTable,
    line: &Line<'_>,
    broken: bool,
    rng: &mut Rng,
) -> bool {
    match t.kind {
        Kind::Item => {
            let mut heads = vec![CONTENT];
            let mut tails = Vec::new();
            for &c in &t.order {
                let h = t.headers[c].as_str();
                let (a, b) = if broken {
                    h.split_at(header_break(rng, h))
                } else {
                    header_halves(h)
                };
                heads.push(a);
                if !b.is_empty() {
                    tails.push(b);
                }
            }
            out.push_str(&heads.join(" "));
            out.push('\n');
            if !tails.is_empty() {
                out.push_str(&tails.join(" "));
                out.push('\n');
            }
            true
        }
        Kind::Requests if matches!(line.cells[0], C::Text(_)) => {
            let corner = text_of(&line.cells[0]);
            match corner.find(['，', ',']) {
                Some(i) => {
                    let cut = i + corner[i..].chars().next().map_or(0, char::len_utf8);
                    out.push_str(&corner[..cut]);
                    out.push('\n');
                    out.push_str(&corner[cut..]);
                    out.push('\n');
                }
                None => {
                    out.push_str(corner);
                    out.push('\n');
                }
            }
            if line
                .cells
                .iter()
                .any(|c| matches!(c, C::Text(s) if *s == APPLICANTS))
            {
                out.push_str(APPLICANTS);
                out.push('\n');
            }
            true
        }
        _ => false,
    }
}

// ---- noise on the logical rows ---------------------------------------------------

/// The requests header read cell by cell (real-world.md, "Headers"): the
/// corner, then one row holding 申请人情况 (or not), the top row's cells
/// (自然人, 法人或其他组织 — sometimes broken `法人或其` / `他组织` — 总计) and
/// then the span's children (商业企业 … 其他). The values keep their columns.
fn flatten_header<'a>(p: &'a Plan, t: &'a PTable, lines: &mut Vec<Line<'a>>, rng: &mut Rng) {
    let Some(first) = lines.iter().position(|l| l.role == Role::Header) else {
        return;
    };
    let n = lines[first..]
        .iter()
        .take_while(|l| l.role == Role::Header)
        .count();
    let def = t.def;
    let group_of = |c: usize| def.groups.iter().find(|g| g.columns.contains(&c));
    let mut applicants = rng.chance(0.5);
    let mut cut = rng.chance(0.5);
    let text_only = p.layout == Layout::WebCells || (p.layout == Layout::PipeLines && p.pipe_after);
    if text_only && applicants && !cut {
        // These already print the header's cells in reading order: change
        // something.
        if rng.chance(0.5) {
            applicants = false;
        } else {
            cut = true;
        }
    }
    let mut row = vec![C::Pad, C::Pad];
    if applicants {
        row.push(C::Text(APPLICANTS));
    }
    for &c in &t.order {
        match group_of(c) {
            Some(g) if g.columns.first() == Some(&c) => {
                let at = g
                    .label
                    .char_indices()
                    .nth(4)
                    .map_or(g.label.len(), |(i, _)| i);
                if cut && at < g.label.len() {
                    row.push(C::Text(&g.label[..at]));
                    row.push(C::Text(&g.label[at..]));
                } else {
                    row.push(C::Text(&g.label));
                }
            }
            Some(_) => {}
            None => row.push(C::Text(&t.headers[c])),
        }
    }
    for &c in &t.order {
        if group_of(c).is_some() {
            row.push(C::Text(&t.headers[c]));
        }
    }
    let new = [
        Line {
            cells: vec![C::Text(&p.corner)],
            role: Role::Header,
        },
        Line {
            cells: row,
            role: Role::Header,
        },
    ];
    lines.splice(first..first + n, new);
}

/// A stray empty cell in one to three value rows: after the label (the
/// common case), between two values, at the start or at the end of the row.
fn stray_blanks(t: &PTable, lines: &mut [Line<'_>], rng: &mut Rng) {
    let data: Vec<usize> = (0..lines.len())
        .filter(|&i| matches!(lines[i].role, Role::Data(_)))
        .collect();
    if data.is_empty() {
        return;
    }
    for _ in 0..rng.range(1, 3) {
        let line = &mut lines[*rng.pick(&data)];
        let Role::Data(r) = line.role else { continue };
        let label = t.labels[r].as_str();
        let label = line
            .cells
            .iter()
            .position(|c| matches!(c, C::Text(s) if std::ptr::eq(*s, label)))
            .map_or(0, |i| i + 1);
        let len = line.cells.len();
        let at = match rng.weighted(&[4, 3, 1, 2]) {
            0 => label,
            // Between two values.
            1 if label + 1 < len => rng.range(label as i64 + 1, len as i64 - 1) as usize,
            2 => 0,
            _ => len,
        };
        line.cells.insert(at, C::Blank);
    }
}

/// The pieces of a label printed one character per line: its enumerator
/// (`三、`) whole, then each character.
fn vertical_pieces(label: &str) -> Vec<&str> {
    let start = super::plan::enumerator_len(label);
    let mut out = Vec::new();
    if start > 0 {
        out.push(&label[..start]);
    }
    for (i, c) in label[start..].char_indices() {
        let end = start + i + c.len_utf8();
        out.push(&label[start + i..end]);
    }
    out
}

/// Group labels of the requests table set vertically (PDF text): the label
/// leaves its row and its pieces stand on lines of their own, before the
/// group's rows or one between each two of them.
fn vertical_groups<'a>(p: &'a Plan, t: &PTable, lines: &mut Vec<Line<'a>>, rng: &mut Rng) {
    for (g, label) in p.groups.iter().enumerate() {
        if g > 0 && !rng.chance(0.5) {
            continue;
        }
        let found = lines.iter().enumerate().find_map(|(i, l)| {
            l.cells
                .iter()
                .position(|c| matches!(c, C::Text(s) if std::ptr::eq(*s, label.as_str())))
                .map(|k| (i, k))
        });
        let Some((i, k)) = found else { continue };
        lines[i].cells[k] = C::Pad;
        let pieces = vertical_pieces(label);
        // The rows of the group.
        let rows = lines[i..]
            .iter()
            .take_while(|l| match l.role {
                Role::Data(r) => {
                    let key = t.def.rows[r].key.as_str();
                    if g == 0 {
                        in_outcomes(key)
                    } else {
                        subgroup(key) == Some(g)
                    }
                }
                _ => false,
            })
            .count();
        let piece = |s: &'a str| {
            let mut cells = vec![C::Pad; k];
            cells.push(C::Text(s));
            Line {
                cells,
                role: Role::Page,
            }
        };
        if rows > pieces.len() && rng.chance(0.5) {
            // One piece before each row, from the group's first.
            for (n, s) in pieces.into_iter().enumerate().rev() {
                lines.insert(i + n, piece(s));
            }
        } else {
            for s in pieces.into_iter().rev() {
                lines.insert(i, piece(s));
            }
        }
    }
}

/// A page break inside the table (PDF text): the page's footer, perhaps a
/// running header repeating the title, perhaps the table header again; a
/// group label starting the next row is cut by it (`（四）无` / `法提供`).
fn page_break<'a>(p: &'a Plan, lines: &mut Vec<Line<'a>>, page: &'a [String], rng: &mut Rng) {
    let data: Vec<usize> = (0..lines.len())
        .filter(|&i| matches!(lines[i].role, Role::Data(_)) && i > 0)
        .collect();
    if data.is_empty() {
        return;
    }
    // Rows that open a group, where the label can be cut.
    let opens: Vec<(usize, usize, &'a str)> = data
        .iter()
        .filter_map(|&i| {
            lines[i]
                .cells
                .iter()
                .enumerate()
                .find_map(|(k, c)| match c {
                    C::Text(s) if p.groups[1..].iter().any(|g| std::ptr::eq(*s, g.as_str())) => {
                        Some((i, k, *s))
                    }
                    _ => None,
                })
        })
        .collect();
    let mut at = *rng.pick(&data);
    let mut before: Vec<Line<'a>> = Vec::new();
    if !opens.is_empty() && rng.chance(0.5) {
        let (i, k, label) = *rng.pick(&opens);
        at = i;
        let n = label.chars().count();
        let cut = label
            .char_indices()
            .nth(n.saturating_sub(3).max(1))
            .map_or(label.len(), |(b, _)| b);
        let mut head = vec![C::Pad; k];
        head.push(C::Text(&label[..cut]));
        before.push(Line {
            cells: head,
            role: Role::Page,
        });
        lines[i].cells[k] = C::Text(&label[cut..]);
    }
    for s in page {
        before.push(Line {
            cells: vec![C::Text(s)],
            role: Role::Page,
        });
    }
    if rng.chance(0.4) {
        let header: Vec<Line<'a>> = lines
            .iter()
            .filter(|l| l.role == Role::Header)
            .map(|l| Line {
                cells: l.cells.clone(),
                role: Role::Header,
            })
            .collect();
        before.extend(header);
    }
    lines.splice(at..at, before);
}

/// The lines a page break prints: the footer of the page that ends, the
/// running header of the next (the title) or not.
fn page_lines(p: &Plan, rng: &mut Rng) -> Vec<String> {
    let n = rng.range(2, 5);
    let mut out = vec![match rng.below(3) {
        0 => format!("- {n} -"),
        1 => format!("第 {n} 页"),
        _ => format!("第 {n} 页 共 {} 页", n + rng.range(1, 4)),
    }];
    if rng.chance(0.5) {
        out.push(title(p));
    }
    out
}

fn table(out: &mut String, p: &Plan, t: &PTable, rng: &mut Rng) {
    let pdf = matches!(p.layout, Layout::TabRows | Layout::SpaceRows);
    let page = if pdf && t.kind == Kind::Requests && p.noise & noise::PAGE_BREAKS != 0 {
        page_lines(p, rng)
    } else {
        Vec::new()
    };
    let mut lines = lines(p, t);
    if t.kind == Kind::Requests && p.noise & noise::FLATTENED_HEADER != 0 {
        flatten_header(p, t, &mut lines, rng);
    }
    if t.kind != Kind::Litigation && p.noise & noise::STRAY_BLANK != 0 {
        stray_blanks(t, &mut lines, rng);
    }
    if pdf && t.kind == Kind::Requests && p.noise & noise::VERTICAL_GROUPS != 0 {
        vertical_groups(p, t, &mut lines, rng);
    }
    if !page.is_empty() {
        page_break(p, &mut lines, &page, rng);
    }
    if let (Kind::Requests, Some((r, k))) = (t.kind, p.truncate) {
        // The page stops after `k` values of row `r`.
        if let Some(i) = lines.iter().position(|l| l.role == Role::Data(r)) {
            lines.truncate(i + 1);
            let label = t.labels[r].as_str();
            let li = lines[i]
                .cells
                .iter()
                .position(|c| matches!(c, C::Text(s) if std::ptr::eq(*s, label)))
                .unwrap_or(0);
            lines[i].cells.truncate(li + 1 + k);
        }
    }
    match p.layout {
        Layout::TabRows | Layout::SpaceRows => pdf_table(out, p, t, &lines, rng),
        Layout::DocxCells => docx_table(out, t, &lines, rng),
        Layout::WebCells => web_table(out, &lines),
        Layout::PipeRows => pipe_rows_table(out, &lines),
        Layout::PipeLines => pipe_lines_table(out, &lines, p.pipe_after),
        Layout::Html | Layout::Pdf | Layout::Docx => {
            unreachable!("HTML, PDF and DOCX have renderers of their own")
        }
    }
}

// ---- prose --------------------------------------------------------------------

/// The title line.
pub fn title(p: &Plan) -> String {
    format!("{}{}年政府信息公开工作年度报告", p.org, p.year)
}

/// The opening paragraph, with the statistics window (the year's best
/// evidence, real-world.md "Whole reports").
pub fn intro(p: &Plan) -> String {
    let (y, org, pr) = (p.year, &p.org, &p.prose);
    let window = if p.noise & noise::SPLIT_TITLE != 0 {
        format!(
            "本报告于{}年{}月{}日发布，统计期限从{y}年1月1日到12月31日止。",
            y + 1,
            pr.sign.0,
            pr.sign.1
        )
    } else {
        format!("本报告所列数据统计期限自{y}年1月1日起至{y}年12月31日止。")
    };
    match pr.intro {
        0 => format!(
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和上级有关要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。{window}本报告电子版可在{}政府信息公开专栏下载。如对本报告有疑问，请与{org}办公室联系（电话：{}）。",
            pr.site, pr.phone
        ),
        1 => format!(
            "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府信息公开工作年度报告格式》（{}）要求编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。{window}本报告电子版可在{}查阅或下载。如对本报告有疑问，请与{org}办公室联系（电话：{}）。",
            p.template.title, pr.site, pr.phone
        ),
        _ => format!(
            "根据《中华人民共和国政府信息公开条例》规定，现公布{org}政府信息公开工作年度报告。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。{window}如对本报告有疑问，请与{org}办公室联系（电话：{}）。",
            pr.phone
        ),
    }
}

pub const SECTION_1: &str = "一、总体情况";
pub const SECTION_2: &str = "二、主动公开政府信息情况";
pub const SECTION_5: &str = "五、存在的主要问题及改进情况";
pub const SECTION_6: &str = "六、其他需要报告的事项";

pub fn overview(p: &Plan) -> String {
    let pr = &p.prose;
    format!(
        "{}年，{}坚持以公开为常态、不公开为例外，通过{}发布信息{}条，政务新媒体推送信息{}条，召开新闻发布会{}场，组织政务公开业务培训{}次、参训人员{}人次。与{}年相比，主动公开信息数量增长{}%，依申请公开答复按期率保持100%。",
        p.year, p.org, pr.site, pr.posted, pr.pushed, pr.briefings, pr.trainings, pr.trainees,
        p.year - 1, pr.growth
    )
}

pub fn problems(p: &Plan) -> String {
    format!(
        "{}年，{}政府信息公开工作取得了一定成效，但仍存在公开内容不够全面、政策解读形式较为单一等问题。{}年，{}将从三个方面加以改进：一是加强业务培训，全年计划培训不少于{}次；二是丰富政策解读形式；三是完善依申请公开办理流程。",
        p.year,
        p.org,
        p.year + 1,
        p.prose.we,
        p.prose.trainings
    )
}

pub fn other_matters(p: &Plan) -> String {
    format!(
        "本年度未收取信息处理费。{}年共办理人大代表建议{}件、政协委员提案{}件，办结率100%。",
        p.year, p.prose.proposals.0, p.prose.proposals.1
    )
}

pub fn signature_date(p: &Plan) -> String {
    format!("{}年{}月{}日", p.year + 1, p.prose.sign.0, p.prose.sign.1)
}

/// Section captions of tables 3 and 4: the number and the table's label,
/// with the typos of real reports under `noise::CAPTION_TYPOS`.
pub fn section_caption(p: &Plan, n: &str, t: &PTable) -> String {
    let label = if p.noise & noise::CAPTION_TYPOS != 0 {
        t.def
            .label
            .replace("行政复议", "行政法复议")
            .replace("申请情况", "申情况")
    } else {
        t.def.label.clone()
    };
    format!("{n}、{label}")
}

/// Is `t` the item the plan prints without its caption?
pub fn uncaptioned(p: &Plan, t: &PTable) -> bool {
    p.no_caption
        .is_some_and(|i| p.tables.get(i).is_some_and(|x| std::ptr::eq(x, t)))
}

/// A page holding table 4 alone, space-separated, its three-level header
/// over four lines: 行政复议 / 行政诉讼, the two kinds of suit, the outcomes
/// of review and direct suit, the outcomes of suit after review.
fn litigation_alone(p: &Plan, t: &PTable, out: &mut String) {
    let _ = write!(out, "{}\n\n{}\n\n", title(p), section_caption(p, "四", t));
    let heads = t.headers.join(" ");
    let _ = writeln!(out, "{} {LITIGATION}", t.labels[0]);
    let _ = writeln!(out, "{}", t.labels[1..].join(" "));
    let _ = writeln!(out, "{heads} {heads}");
    let _ = writeln!(out, "{heads}");
    let vals: Vec<&str> = t.cells.iter().map(String::as_str).collect();
    let _ = writeln!(out, "{}", vals.join(" "));
    let _ = writeln!(out, "\n{}\n{}", p.org, signature_date(p));
}

/// Appends the whole report in the plan's text layout.
pub fn render(p: &Plan, rng: &mut Rng, out: &mut String) {
    if p.noise & noise::LITIGATION_ALONE != 0 {
        if let Some(t) = p.tables.iter().find(|t| t.kind == Kind::Litigation) {
            litigation_alone(p, t, out);
            return;
        }
    }
    let head = if p.noise & noise::SPLIT_TITLE != 0 {
        // The org on one line, the year's title on the next; the prose
        // names the next year (publication, plans) and the last.
        const SECOND: [&str; 3] = [
            "年度政府信息公开工作年度报告",
            "年度政府信息公开年报",
            "年政府信息公开工作年度报告",
        ];
        format!(
            "{}\n{}{}\n\n{}年{}月，{}发布上一年度报告，{}年将继续做好政府信息公开工作。",
            p.org,
            p.year,
            SECOND[p.index % SECOND.len()],
            p.year + 1,
            p.prose.sign.0,
            p.prose.we,
            p.year + 1
        )
    } else {
        title(p)
    };
    let _ = write!(
        out,
        "{head}\n\n{}\n\n{SECTION_1}\n{}\n\n{SECTION_2}\n\n",
        intro(p),
        overview(p)
    );
    for t in p.tables.iter().filter(|t| t.kind == Kind::Item) {
        table(out, p, t, rng);
    }
    for (n, kind) in [("三", Kind::Requests), ("四", Kind::Litigation)] {
        for t in p.tables.iter().filter(|t| t.kind == kind) {
            let _ = write!(out, "\n{}\n\n", section_caption(p, n, t));
            table(out, p, t, rng);
            if kind == Kind::Requests && p.truncate.is_some() {
                // The saved page ends here.
                return;
            }
        }
    }
    let _ = write!(
        out,
        "\n{SECTION_5}\n{}\n\n{SECTION_6}\n{}\n\n{}\n{}\n",
        problems(p),
        other_matters(p),
        p.org,
        signature_date(p)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_break_before_a_bracket_or_in_the_middle() {
        assert_eq!(header_halves("本年新制作数量"), ("本年新", "制作数量"));
        assert_eq!(
            header_halves("采购总金额（万元）"),
            ("采购总金额", "（万元）")
        );
        assert_eq!(header_halves("本年增/减"), ("本年", "增/减"));
        assert_eq!(header_halves("本年处理决定数量"), ("本年处理", "决定数量"));
    }
}
