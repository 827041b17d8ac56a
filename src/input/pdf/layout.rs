//! Glyphs and ruling segments → lines and table rows, through `Builder`.
//!
//! Pure geometry: it takes each page's `PageContent` (source.rs) and writes
//! the document's lines and cells. Real reports draw every glyph on its own
//! and print no spaces, so words, numbers and cells exist only as distances
//! on a baseline (crates.md "PDF"):
//!
//! - Ruled tables: the segments that touch each other form a table; its
//!   vertical rules give the grid columns, its horizontal rules the rows. Two
//!   neighbouring slots with no rule between them are one cell, so a label
//!   wrapped over lines is one cell (joined without spaces between CJK), a
//!   number is never joined across a rule, and a cell spanning columns or
//!   rows is a cell once, on its first row and in its first column, as
//!   HTML's colspan/rowspan are read (src/input/html).
//! - Flow text: glyphs on one baseline are a line; a space goes between two
//!   Latin or digit glyphs a gap apart, never between CJK glyphs. A line
//!   whose glyphs stand in groups far apart is a borderless table row: its
//!   groups are cells, and their grid columns are the whitespace gutters
//!   shared by the consecutive rows of its block and, among the labels,
//!   where label pieces start. Label lines wrapped above and below a row's
//!   numbers, and group labels beside them, join that row in their column
//!   (`flush_block`); a label whose row is not sure stays where it stands.
//! - Page numbers (`- 3 -`, `第 3 页 共 6 页`) and lines repeated at the top
//!   or bottom of most pages (running headers, footers) are dropped.
//!
//! It knows nothing of what a table means and never reads the file.

use std::collections::HashMap;

use super::source::{Glyph, PageContent, Rule};
use crate::input::{Builder, Layout};

/// Segments closer than this (points) are one line; a rule this close to a
/// slot's edge is that edge.
const SNAP: f32 = 2.0;
/// A rule is taken to cover a slot edge when it reaches this close to its
/// middle.
const COVER: f32 = 1.0;
/// A gap wider than this many font sizes cuts a flow line into cells.
const CELL_GAP: f32 = 1.6;
/// Left of a borderless block's first gutter, a gap wider than this many
/// font sizes before a label column's start cuts a line.
const START_GAP: f32 = 0.5;
/// Label lines of one borderless cell stand at most this many font sizes
/// apart (baseline to baseline); rows stand further apart.
const STACK_PITCH: f32 = 1.6;
/// A wrapped label beside no row joins the nearest row up to this many font
/// sizes away.
const NEAR_ROW: f32 = 3.0;
/// A gap wider than this many font sizes between Latin or digit glyphs is a
/// space.
const SPACE_GAP: f32 = 0.3;
/// The share of the page height at its top and bottom where page numbers and
/// running headers stand.
const MARGIN: f32 = 0.1;
/// Above this many rules on a page (after merging), the page is read as if
/// it had none: the cost of finding tables grows with rules squared.
pub const MAX_RULES: usize = 4000;

/// A line of glyphs on one baseline (or one vertical column), in order.
#[derive(Debug, Clone)]
struct Line {
    top: f32,
    bottom: f32,
    glyphs: Vec<Glyph>,
}

impl Line {
    /// The mean baseline of its glyphs.
    fn base(&self) -> f32 {
        let n = self.glyphs.len().max(1) as f32;
        self.glyphs.iter().map(|g| g.base).sum::<f32>() / n
    }

    fn size(&self) -> f32 {
        let n = self.glyphs.len().max(1) as f32;
        self.glyphs.iter().map(|g| g.size).sum::<f32>() / n
    }
}

/// A ruled table's rows in order; each row its cells as (text, grid
/// column).
type Rows = Vec<Vec<(String, u16)>>;

enum Item {
    Line(Line),
    Table(Rows),
}

/// Writes every page's lines and rows; returns whether a ruled or
/// borderless table was cut into cells.
pub fn lay_out(pages: &[PageContent], b: &mut Builder) -> bool {
    let repeated = running_lines(pages);
    let mut cut = false;
    for page in pages {
        b.page();
        let items = page_items(page, &repeated);
        // A borderless block: gap-cut lines, and the single lines between
        // them (a label wrapped around its row's numbers) held in `pending`
        // until the next gap-cut line shows they are inside the block. Before
        // a block, `pending` holds the last lines, which may be the head of
        // its first row's label.
        let mut block: Vec<Line> = Vec::new();
        let mut pending: Vec<Line> = Vec::new();
        for item in items {
            match item {
                Item::Line(l) => {
                    if cells_of(&l).len() > 1 {
                        if block.is_empty() {
                            // The lines a line pitch above the first row.
                            let mut keep = pending.len();
                            let mut below = &l;
                            for p in pending.iter().rev() {
                                let size = p.size().max(below.size());
                                if below.base() - p.base() > STACK_PITCH * size {
                                    break;
                                }
                                keep -= 1;
                                below = p;
                            }
                            for p in pending.drain(..keep) {
                                b.line(&text_of(&p.glyphs));
                            }
                            block.append(&mut pending);
                        }
                        let near = block.last().is_some_and(|last| {
                            l.top - last.bottom
                                <= (pending.len() + 1) as f32 * 2.5 * l.size().max(last.size())
                        }) && !crosses_gutters(&block, &pending);
                        if near {
                            block.append(&mut pending);
                        } else {
                            cut |= close_block(&mut block, &mut pending, b);
                        }
                        block.push(l);
                    } else if pending.len() < 3 {
                        pending.push(l);
                    } else if block.is_empty() {
                        let p = pending.remove(0);
                        b.line(&text_of(&p.glyphs));
                        pending.push(l);
                    } else {
                        cut |= close_block(&mut block, &mut pending, b);
                        pending.push(l);
                    }
                }
                Item::Table(rows) => {
                    cut |= close_block(&mut block, &mut pending, b);
                    for row in &rows {
                        b.row(row.iter().map(|(s, c)| (s.as_str(), *c)));
                        cut = true;
                    }
                }
            }
        }
        cut |= close_block(&mut block, &mut pending, b);
    }
    if cut {
        b.layout(Layout::Pdf);
    }
    cut
}

/// The page's lines and tables, top to bottom, page marks and running
/// lines left out.
fn page_items(page: &PageContent, repeated: &[String]) -> Vec<Item> {
    let rules = if page.rules.len() > MAX_RULES * 4 {
        Vec::new()
    } else {
        merge_rules(&page.rules)
    };
    let rules = if rules.len() > MAX_RULES {
        Vec::new()
    } else {
        rules
    };
    let grids = tables(&rules);
    let mut free: Vec<Glyph> = Vec::new();
    let mut inside: Vec<Vec<Glyph>> = vec![Vec::new(); grids.len()];
    for g in &page.glyphs {
        let (cx, cy) = ((g.x0 + g.x1) / 2.0, (g.top + g.bottom) / 2.0);
        match grids.iter().position(|t| t.contains(cx, cy)) {
            Some(i) => inside[i].push(*g),
            None => free.push(*g),
        }
    }
    let mut items: Vec<(f32, Item)> = Vec::new();
    for (grid, glyphs) in grids.iter().zip(inside) {
        let rows = grid.rows(&rules, &glyphs);
        if !rows.is_empty() {
            items.push((grid.ys[0], Item::Table(rows)));
        }
    }
    for l in lines(free) {
        let text = text_of(&l.glyphs);
        if in_margin(&l, page.height) && (is_page_number(&text) || repeated.contains(&key(&text))) {
            continue;
        }
        items.push((l.top, Item::Line(l)));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    items.into_iter().map(|(_, i)| i).collect()
}

fn in_margin(l: &Line, height: f32) -> bool {
    l.bottom < height * MARGIN || l.top > height * (1.0 - MARGIN)
}

/// A line's text with its digits as `#`: a running footer with the page
/// number in it is one text on every page.
fn key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Texts printed in the top or bottom margin of at least half the pages
/// (and two): running headers and footers.
fn running_lines(pages: &[PageContent]) -> Vec<String> {
    if pages.len() < 2 {
        return Vec::new();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in pages {
        let margin: Vec<Glyph> = page
            .glyphs
            .iter()
            .filter(|g| g.bottom < page.height * MARGIN || g.top > page.height * (1.0 - MARGIN))
            .copied()
            .collect();
        let mut keys: Vec<String> = lines(margin)
            .iter()
            .map(|l| key(&text_of(&l.glyphs)))
            .filter(|k| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *seen.entry(k).or_default() += 1;
        }
    }
    let need = pages.len().div_ceil(2).max(2);
    seen.into_iter()
        .filter(|(_, n)| *n >= need)
        .map(|(k, _)| k)
        .collect()
}

/// `- 3 -`, `— 3 —`, `3`, `3/6`, `第 3 页`, `第 3 页 共 6 页`, `共 6 页 第 3 页`.
pub fn is_page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_matches(|c| matches!(c, '-' | '—' | '–' | '－' | '―' | '─' | '·'));
    if t.is_empty() {
        return false;
    }
    if t.chars().all(|c| c.is_ascii_digit()) && t.len() <= 4 {
        return true;
    }
    if let Some((a, z)) = t.split_once('/') {
        return is_num(a) && is_num(z);
    }
    // Pieces 第N页 and 共N页, in either order, with nothing else.
    let mut rest = t;
    let mut pieces = 0;
    while !rest.is_empty() {
        let Some(after) = rest.strip_prefix('第').or_else(|| rest.strip_prefix('共')) else {
            return false;
        };
        let Some((n, tail)) = after.split_once('页') else {
            return false;
        };
        if !is_num(n) {
            return false;
        }
        rest = tail.trim_start_matches(['，', ',', '、']);
        pieces += 1;
    }
    pieces > 0
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit())
}

/// Collinear segments that touch or overlap become one.
fn merge_rules(rules: &[Rule]) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for horizontal in [true, false] {
        let mut rs: Vec<Rule> = rules
            .iter()
            .filter(|r| r.horizontal == horizontal)
            .copied()
            .collect();
        rs.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.a.total_cmp(&b.a)));
        // Group by position (within SNAP), then merge along.
        let mut i = 0;
        while i < rs.len() {
            let mut j = i + 1;
            while j < rs.len() && rs[j].at - rs[j - 1].at <= SNAP / 2.0 {
                j += 1;
            }
            let mut group: Vec<Rule> = rs[i..j].to_vec();
            let at = group.iter().map(|r| r.at).sum::<f32>() / group.len() as f32;
            group.sort_by(|a, b| a.a.total_cmp(&b.a));
            let mut cur: Option<Rule> = None;
            for r in group {
                match &mut cur {
                    Some(c) if r.a <= c.b + SNAP => c.b = c.b.max(r.b),
                    _ => {
                        if let Some(c) = cur.take() {
                            out.push(c);
                        }
                        cur = Some(Rule { at, ..r });
                    }
                }
            }
            out.extend(cur);
            i = j;
        }
    }
    out
}

/// A ruled table's grid: the x of its column edges and y of its row edges.
#[derive(Debug, Clone)]
struct Grid {
    xs: Vec<f32>,
    ys: Vec<f32>,
}

impl Grid {
    fn contains(&self, x: f32, y: f32) -> bool {
        let (Some(&x0), Some(&x1), Some(&y0), Some(&y1)) = (
            self.xs.first(),
            self.xs.last(),
            self.ys.first(),
            self.ys.last(),
        ) else {
            return false;
        };
        x >= x0 - COVER && x <= x1 + COVER && y >= y0 - COVER && y <= y1 + COVER
    }

    /// Is the vertical edge at `xs[j]` drawn along row band `i`?
    fn v_edge(&self, rules: &[Rule], j: usize, i: usize) -> bool {
        let mid = (self.ys[i] + self.ys[i + 1]) / 2.0;
        rules.iter().any(|r| {
            !r.horizontal
                && (r.at - self.xs[j]).abs() <= SNAP
                && r.a <= mid + COVER
                && r.b >= mid - COVER
        })
    }

    /// Is the horizontal edge at `ys[i]` drawn along column band `j`?
    fn h_edge(&self, rules: &[Rule], i: usize, j: usize) -> bool {
        let mid = (self.xs[j] + self.xs[j + 1]) / 2.0;
        rules.iter().any(|r| {
            r.horizontal
                && (r.at - self.ys[i]).abs() <= SNAP
                && r.a <= mid + COVER
                && r.b >= mid - COVER
        })
    }

    /// The table's rows: slots joined into cells where no rule parts them,
    /// each cell on its first row in its first column.
    fn rows(&self, rules: &[Rule], glyphs: &[Glyph]) -> Vec<Vec<(String, u16)>> {
        let (nr, nc) = (self.ys.len() - 1, self.xs.len() - 1);
        // Union-find over slots r * nc + c.
        let mut parent: Vec<usize> = (0..nr * nc).collect();
        fn root(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        for r in 0..nr {
            for c in 0..nc {
                if c + 1 < nc && !self.v_edge(rules, c + 1, r) {
                    let (a, z) = (
                        root(&mut parent, r * nc + c),
                        root(&mut parent, r * nc + c + 1),
                    );
                    parent[z.max(a)] = z.min(a);
                }
                if r + 1 < nr && !self.h_edge(rules, r + 1, c) {
                    let (a, z) = (
                        root(&mut parent, r * nc + c),
                        root(&mut parent, (r + 1) * nc + c),
                    );
                    parent[z.max(a)] = z.min(a);
                }
            }
        }
        // A cell is its root slot, the first in reading order (the union
        // always keeps the smaller index as root).
        let mut text: HashMap<usize, Vec<Glyph>> = HashMap::new();
        for g in glyphs {
            let (cx, cy) = ((g.x0 + g.x1) / 2.0, (g.top + g.bottom) / 2.0);
            let c = self.xs.partition_point(|&x| x <= cx).clamp(1, nc) - 1;
            let r = self.ys.partition_point(|&y| y <= cy).clamp(1, nr) - 1;
            let cell = root(&mut parent, r * nc + c);
            text.entry(cell).or_default().push(*g);
        }
        let mut rows = Vec::new();
        for r in 0..nr {
            let mut row: Vec<(String, u16)> = Vec::new();
            for c in 0..nc {
                let slot = r * nc + c;
                if root(&mut parent, slot) != slot {
                    continue;
                }
                let t = text.remove(&slot).map(cell_text).unwrap_or_default();
                row.push((t, c.min(u16::MAX as usize) as u16));
            }
            if row.iter().any(|(t, _)| !t.is_empty()) {
                rows.push(row);
            }
        }
        rows
    }
}

/// The ruled tables among a page's rules: groups of touching segments with
/// at least two rules each way.
fn tables(rules: &[Rule]) -> Vec<Grid> {
    let n = rules.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let (h, v) = match (rules[i].horizontal, rules[j].horizontal) {
                (true, false) => (&rules[i], &rules[j]),
                (false, true) => (&rules[j], &rules[i]),
                _ => continue,
            };
            let touch = v.at >= h.a - SNAP
                && v.at <= h.b + SNAP
                && h.at >= v.a - SNAP
                && h.at <= v.b + SNAP;
            if touch {
                let (a, z) = (root(&mut parent, i), root(&mut parent, j));
                parent[a.max(z)] = a.min(z);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<Rule>> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        let k = root(&mut parent, i);
        groups.entry(k).or_default().push(*r);
    }
    let mut out: Vec<Grid> = Vec::new();
    for (_, g) in groups {
        // A table open at a side (cut by a page break, or drawn without
        // outer borders) ends where the rules across that side end.
        let ends = |h: bool| {
            let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
            for r in g.iter().filter(|r| r.horizontal == h) {
                lo = lo.min(r.a);
                hi = hi.max(r.b);
            }
            [lo, hi]
        };
        let xs = edges(
            g.iter()
                .filter(|r| !r.horizontal)
                .map(|r| r.at)
                .chain(ends(true)),
        );
        let ys = edges(
            g.iter()
                .filter(|r| r.horizontal)
                .map(|r| r.at)
                .chain(ends(false)),
        );
        if xs.len() >= 2 && ys.len() >= 2 {
            out.push(Grid { xs, ys });
        }
    }
    out.sort_by(|a, b| a.ys[0].total_cmp(&b.ys[0]));
    out
}

/// Sorted positions, those within SNAP of each other as one.
fn edges(at: impl Iterator<Item = f32>) -> Vec<f32> {
    let mut v: Vec<f32> = at.filter(|x| x.is_finite()).collect();
    v.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for x in v {
        match out.last() {
            Some(&l) if x - l <= SNAP => {}
            _ => out.push(x),
        }
    }
    out
}

/// Glyphs → lines: horizontal glyphs by baseline, vertical glyphs by column.
fn lines(glyphs: Vec<Glyph>) -> Vec<Line> {
    let (mut hor, ver): (Vec<Glyph>, Vec<Glyph>) = glyphs.into_iter().partition(|g| !g.vertical);
    hor.sort_by(|a, b| a.base.total_cmp(&b.base));
    let mut out: Vec<Line> = Vec::new();
    let mut cur: Vec<Glyph> = Vec::new();
    let mut base = f32::NAN;
    for g in hor {
        if !cur.is_empty() && (g.base - base).abs() > 0.3 * g.size.min(cur[0].size) {
            out.push(line_of(std::mem::take(&mut cur), false));
        }
        if cur.is_empty() {
            base = g.base;
        }
        cur.push(g);
    }
    if !cur.is_empty() {
        out.push(line_of(cur, false));
    }
    // Vertical glyphs: columns by their middle, read top to bottom.
    let mut ver = ver;
    ver.sort_by(|a, b| ((a.x0 + a.x1) / 2.0).total_cmp(&((b.x0 + b.x1) / 2.0)));
    let mut col: Vec<Glyph> = Vec::new();
    for g in ver {
        let mid = (g.x0 + g.x1) / 2.0;
        if let Some(f) = col.first() {
            if (mid - (f.x0 + f.x1) / 2.0).abs() > 0.5 * f.size {
                out.push(line_of(std::mem::take(&mut col), true));
            }
        }
        col.push(g);
    }
    if !col.is_empty() {
        out.push(line_of(col, true));
    }
    out.sort_by(|a, b| a.top.total_cmp(&b.top));
    out
}

fn line_of(mut glyphs: Vec<Glyph>, vertical: bool) -> Line {
    if vertical {
        glyphs.sort_by(|a, b| a.top.total_cmp(&b.top));
    } else {
        glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    let top = glyphs.iter().map(|g| g.top).fold(f32::INFINITY, f32::min);
    let bottom = glyphs
        .iter()
        .map(|g| g.bottom)
        .fold(f32::NEG_INFINITY, f32::max);
    Line {
        top,
        bottom,
        glyphs,
    }
}

/// Latin letters and digits (and what goes inside numbers) take spaces
/// between them; CJK glyphs never do.
fn spaced(c: char) -> bool {
    c.is_ascii_graphic()
}

/// The text of glyphs in reading order, a space where two Latin or digit
/// glyphs stand a gap apart.
fn text_of(glyphs: &[Glyph]) -> String {
    let mut s = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in glyphs {
        if let Some(p) = prev {
            let gap = g.x0 - p.x1;
            if !g.vertical && spaced(p.ch) && spaced(g.ch) && gap > SPACE_GAP * g.size.max(p.size) {
                s.push(' ');
            }
        }
        s.push(g.ch);
        prev = Some(g);
    }
    s
}

/// A ruled cell's text: its lines top to bottom, joined with a space only
/// between Latin or digit text.
fn cell_text(glyphs: Vec<Glyph>) -> String {
    let mut s = String::new();
    for l in lines(glyphs) {
        let t = text_of(&l.glyphs);
        if let (Some(a), Some(z)) = (s.chars().last(), t.chars().next()) {
            if spaced(a) && spaced(z) {
                s.push(' ');
            }
        }
        s.push_str(&t);
    }
    s
}

/// A flow line cut at wide gaps: each piece's glyphs.
fn cells_of(l: &Line) -> Vec<&[Glyph]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..l.glyphs.len() {
        let (p, g) = (&l.glyphs[i - 1], &l.glyphs[i]);
        if !g.vertical && g.x0 - p.x1 > CELL_GAP * g.size.max(p.size) {
            out.push(&l.glyphs[start..i]);
            start = i;
        }
    }
    out.push(&l.glyphs[start..]);
    out
}

/// Ends a borderless block: the lines right under its last row, a line
/// pitch apart and within its columns, are the end of wrapped labels and
/// stay in it; the other pending lines are flow text.
fn close_block(block: &mut Vec<Line>, pending: &mut Vec<Line>, b: &mut Builder) -> bool {
    let mut take = 0;
    if let Some(mut above) = block.last() {
        for p in pending.iter() {
            let size = p.size().max(above.size());
            if p.base() - above.base() > STACK_PITCH * size
                || crosses_gutters(block, std::slice::from_ref(p))
            {
                break;
            }
            take += 1;
            above = p;
        }
    }
    block.extend(pending.drain(..take));
    let cut = flush_block(block, b);
    for l in pending.drain(..) {
        b.line(&text_of(&l.glyphs));
    }
    cut
}

/// Does one of `lines` reach across a gutter of `block` (a heading or a
/// paragraph after the table, not a label inside its first column)?
fn crosses_gutters(block: &[Line], lines: &[Line]) -> bool {
    let size = block.iter().map(Line::size).fold(0.0f32, f32::max);
    let gutters = gutters(block, size);
    lines.iter().any(|l| {
        let (Some(a), Some(z)) = (l.glyphs.first(), l.glyphs.last()) else {
            return false;
        };
        gutters.iter().any(|&(from, to)| a.x0 <= from && z.x1 >= to)
    })
}

/// Whitespace gutters of a borderless block: x intervals (from, to) that no
/// glyph of its gap-cut lines covers, at least half a cell gap wide.
fn gutters(lines: &[Line], size: f32) -> Vec<(f32, f32)> {
    let mut spans: Vec<(f32, f32)> = lines
        .iter()
        .filter(|l| cells_of(l).len() > 1)
        .flat_map(|l| l.glyphs.iter().map(|g| (g.x0, g.x1)))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    let mut reach = f32::NEG_INFINITY;
    for (a, z) in spans {
        if reach.is_finite() && a - reach > CELL_GAP * size * 0.5 {
            out.push((reach, a));
        }
        reach = reach.max(z);
    }
    out
}

/// Where label columns start, left of `limit` (the block's first gutter):
/// there labels merged over columns (一、本年新收… across the group, item and
/// sub-item columns) leave no gutter, and a column is where the pieces of at
/// least two lines start.
fn label_starts(lines: &[Line], limit: f32) -> Vec<f32> {
    let mut xs: Vec<f32> = lines
        .iter()
        .flat_map(cells_of)
        .filter_map(|gs| gs.first().map(|g| g.x0))
        .filter(|&x| x < limit)
        .collect();
    xs.sort_by(f32::total_cmp);
    let mut out = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let mut j = i + 1;
        while j < xs.len() && xs[j] - xs[i] <= SNAP {
            j += 1;
        }
        if j - i >= 2 {
            out.push(xs[i]);
        }
        i = j;
    }
    out
}

/// Where a borderless block's labels end: the first gutter (by `mids`)
/// whose column to its right holds numbers in most of its pieces. Left of
/// it, a gutter between two label columns (no label merged over both on
/// this page) is not the edge. With no column of numbers, the first gutter.
fn value_edge(lines: &[Line], mids: &[f32]) -> f32 {
    let mut pieces: Vec<(f32, bool)> = Vec::new();
    for l in lines {
        let mut start = 0;
        for i in 1..=l.glyphs.len() {
            let cut = match (l.glyphs.get(i - 1), l.glyphs.get(i)) {
                (Some(p), Some(g)) => mids.iter().any(|&m| m > p.x1 && m < g.x0),
                _ => true,
            };
            if cut {
                let gs = &l.glyphs[start..i];
                if let Some(g) = gs.first() {
                    pieces.push((g.x0, numeric(&text_of(gs))));
                }
                start = i;
            }
        }
    }
    for (k, &m) in mids.iter().enumerate() {
        let next = mids.get(k + 1).copied().unwrap_or(f32::INFINITY);
        let (n, digits) = pieces
            .iter()
            .filter(|(x, _)| *x > m && *x < next)
            .fold((0, 0), |(n, d), (_, num)| (n + 1, d + usize::from(*num)));
        if n > 0 && digits * 2 > n {
            return m;
        }
    }
    mids.first().copied().unwrap_or(f32::INFINITY)
}

/// Text of digits and what goes inside numbers only.
fn numeric(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '-' | ' '))
}

/// A piece of a borderless line: its text, where it starts, its baseline
/// and grid column.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    /// The line it was cut from.
    line: usize,
    x0: f32,
    base: f32,
    col: u16,
}

/// Writes a block of consecutive gap-cut lines as rows.
///
/// Lines are cut at wide gaps, at the block's gutters (`261  1359` a little
/// closer than a cell gap) and, left of the first gutter, at a narrower gap
/// before a label column's start (`（三）不  益`). A cell's grid column is the
/// number of gutters and label starts to its left.
///
/// A line with a piece right of the first gutter is a row; the label pieces
/// of the other lines (labels wrapped above and below their row's numbers,
/// group labels centred over their rows) join a row by column: pieces of one
/// column a line pitch apart are one label, which is the label of the one
/// row it stands beside, or else of the nearest row. A label beside no row
/// or beside several (a group label over many rows, or two rows' labels set
/// too close to tell apart) is left as it stands, piece by piece: a label
/// joined to the wrong row would put its values under the wrong key.
fn flush_block(block: &mut Vec<Line>, b: &mut Builder) -> bool {
    if block.is_empty() {
        return false;
    }
    let lines = std::mem::take(block);
    let size = lines.iter().map(Line::size).fold(0.0f32, f32::max);
    let gutters = gutters(&lines, size);
    let mids: Vec<f32> = gutters.iter().map(|g| (g.0 + g.1) / 2.0).collect();
    let first = value_edge(&lines, &mids);
    let starts = label_starts(&lines, first);
    // The block's left edge starts its first column; it bounds none.
    let left = lines
        .iter()
        .filter_map(|l| l.glyphs.first())
        .map(|g| g.x0)
        .fold(f32::INFINITY, f32::min);
    // A start just right of a gutter is that gutter's column, counted once.
    let mut bounds: Vec<f32> = starts
        .iter()
        .filter(|&&x| x > left + SNAP && !mids.iter().any(|&m| m <= x && m > x - size))
        .chain(&mids)
        .copied()
        .collect();
    bounds.sort_by(f32::total_cmp);
    let col_of = |x0: f32| {
        let n = bounds.iter().filter(|&&x| x <= x0 + SNAP).count();
        n.min(u16::MAX as usize) as u16
    };
    let pieces: Vec<Vec<Piece>> = lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let mut out = Vec::new();
            let mut start = 0;
            for i in 1..=l.glyphs.len() {
                let cut = match (l.glyphs.get(i - 1), l.glyphs.get(i)) {
                    (Some(p), Some(g)) if !g.vertical => {
                        let gap = g.x0 - p.x1;
                        let size = g.size.max(p.size);
                        gap > CELL_GAP * size
                            || mids.iter().any(|&m| m > p.x1 && m < g.x0)
                            || (gap > START_GAP * size
                                && g.x0 < first
                                && starts.iter().any(|&s| (g.x0 - s).abs() <= SNAP))
                    }
                    (_, None) => true,
                    _ => false,
                };
                if cut {
                    let gs = &l.glyphs[start..i];
                    if let Some(g) = gs.first() {
                        out.push(Piece {
                            text: text_of(gs),
                            line: n,
                            x0: g.x0,
                            base: gs.iter().map(|g| g.base).sum::<f32>() / gs.len() as f32,
                            col: col_of(g.x0),
                        });
                    }
                    start = i;
                }
            }
            out
        })
        .collect();
    // Rows: lines reaching right of the first gutter (all lines of a block
    // with no gutter).
    let anchor: Vec<bool> = pieces
        .iter()
        .map(|ps| !first.is_finite() || ps.iter().any(|p| p.x0 > first))
        .collect();
    let base_of = |i: usize| {
        let ps = &pieces[i];
        ps.iter().map(|p| p.base).sum::<f32>() / ps.len().max(1) as f32
    };
    // Label pieces (line, piece) by column, top to bottom, cut into stacks
    // where more than a line pitch parts them.
    let mut by_col: Vec<(u16, f32, usize, usize)> = Vec::new();
    for (i, ps) in pieces.iter().enumerate() {
        for (j, p) in ps.iter().enumerate() {
            // Numbers are never a wrapped label's piece.
            if p.x0 < first && !numeric(&p.text) {
                by_col.push((p.col, p.base, i, j));
            }
        }
    }
    by_col.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut stacks: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut last: Option<(u16, f32)> = None;
    for &(col, base, i, j) in &by_col {
        let joins = last.is_some_and(|(c, b)| c == col && base - b <= STACK_PITCH * size);
        match stacks.last_mut() {
            Some(s) if joins => s.push((i, j)),
            _ => stacks.push(vec![(i, j)]),
        }
        last = Some((col, base));
    }
    let anchors: Vec<usize> = (0..pieces.len()).filter(|&i| anchor[i]).collect();
    // A row with no piece of its own in a column can take a label there.
    let free = |a: usize, col: u16| !pieces[a].iter().any(|p| p.x0 < first && p.col == col);
    // The row a label no row owns stands beside: the one free row within
    // its lines, or else the clearly nearest free row.
    let beside = |group: &[(usize, usize)]| -> Option<usize> {
        let (first_piece, last_piece) = (group.first()?, group.last()?);
        let top = pieces[first_piece.0][first_piece.1].base;
        let bottom = pieces[last_piece.0][last_piece.1].base;
        let col = pieces[first_piece.0][first_piece.1].col;
        let rows: Vec<usize> = anchors.iter().copied().filter(|&a| free(a, col)).collect();
        let within: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&a| {
                let y = base_of(a);
                y >= top - 0.75 * size && y <= bottom + 0.75 * size
            })
            .collect();
        match within.as_slice() {
            [a] => Some(*a),
            [] => {
                let mid = (top + bottom) / 2.0;
                let mut near: Vec<(f32, usize)> = rows
                    .iter()
                    .map(|&a| ((base_of(a) - mid).abs(), a))
                    .filter(|(d, _)| *d <= NEAR_ROW * size)
                    .collect();
                near.sort_by(|a, b| a.0.total_cmp(&b.0));
                match near.as_slice() {
                    [(_, a)] => Some(*a),
                    [(d, a), (e, _), ..] if e - d > SNAP => Some(*a),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    // Each stack as groups of pieces, each with the row it joins.
    let mut groups: Vec<(Vec<(usize, usize)>, usize)> = Vec::new();
    for stack in &stacks {
        let owned: Vec<usize> = stack
            .iter()
            .map(|&(i, _)| i)
            .filter(|&i| anchor[i])
            .collect();
        match owned.as_slice() {
            [] => {
                if let Some(row) = beside(stack) {
                    groups.push((stack.clone(), row));
                }
            }
            [owner] => {
                // A piece nearer another row than the owner's is not the
                // owner's (the head of the next row's label set close under
                // it): runs of such pieces are placed as labels no row owns.
                let own = base_of(*owner);
                let stray = |&(li, pj): &(usize, usize)| {
                    let y = pieces[li][pj].base;
                    li != *owner
                        && anchors
                            .iter()
                            .any(|&a| a != *owner && (base_of(a) - y).abs() < (own - y).abs())
                };
                let mut kept = Vec::new();
                let mut run: Vec<(usize, usize)> = Vec::new();
                for m in stack {
                    if stray(m) {
                        run.push(*m);
                        continue;
                    }
                    if let Some(row) = beside(&run) {
                        groups.push((std::mem::take(&mut run), row));
                    }
                    run.clear();
                    kept.push(*m);
                }
                if let Some(row) = beside(&run) {
                    groups.push((run, row));
                }
                groups.push((kept, *owner));
            }
            // Labels of two rows run together: which piece is whose is
            // not sure, so they stay as they stand.
            _ => {}
        }
    }
    let mut taken: Vec<Vec<bool>> = pieces.iter().map(|ps| vec![false; ps.len()]).collect();
    let mut joined: Vec<Vec<Piece>> = vec![Vec::new(); pieces.len()];
    for (group, row) in &groups {
        let Some(&(i, j)) = group.first() else {
            continue;
        };
        let text: String = group
            .iter()
            .map(|&(li, pj)| pieces[li][pj].text.as_str())
            .collect();
        for &(li, pj) in group {
            taken[li][pj] = true;
        }
        let p = &pieces[i][j];
        joined[*row].push(Piece {
            text,
            line: p.line,
            x0: p.x0,
            base: p.base,
            col: p.col,
        });
    }
    // Each line's row: a row's own pieces (its merged labels in their
    // place) and the labels added to it; another line's pieces left in place.
    let mut rows: Vec<(f32, Vec<Piece>)> = Vec::new();
    for (i, ps) in pieces.iter().enumerate() {
        let mut row: Vec<Piece> = ps
            .iter()
            .enumerate()
            .filter(|&(j, _)| !taken[i][j])
            .map(|(_, p)| p.clone())
            .collect();
        row.append(&mut joined[i]);
        row.sort_by(|a, b| a.col.cmp(&b.col).then(a.base.total_cmp(&b.base)));
        // Label pieces of one column added to one row are one label.
        let mut merged: Vec<Piece> = Vec::with_capacity(row.len());
        for p in row {
            match merged.last_mut() {
                // Never two pieces of one line: a gap or gutter parted them.
                Some(m) if m.col == p.col && m.line != p.line && m.x0 < first && p.x0 < first => {
                    m.text.push_str(&p.text);
                    m.line = p.line;
                }
                _ => merged.push(p),
            }
        }
        let row = merged;
        if !row.is_empty() {
            rows.push((base_of(i), row));
        }
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, row) in &rows {
        b.row(row.iter().map(|p| (p.text.as_str(), p.col)));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Rendered;

    const SIZE: f32 = 10.0;

    /// Glyphs of `text` from `x` on baseline `base`: CJK a size wide, ASCII
    /// half a size, `gap` points between glyphs.
    fn run(text: &str, x: f32, base: f32, gap: f32) -> Vec<Glyph> {
        let mut out = Vec::new();
        let mut x = x;
        for ch in text.chars() {
            let w = if ch.is_ascii() { SIZE / 2.0 } else { SIZE };
            out.push(Glyph {
                ch,
                x0: x,
                x1: x + w,
                top: base - SIZE * 0.88,
                bottom: base + SIZE * 0.12,
                base,
                size: SIZE,
                vertical: false,
            });
            x += w + gap;
        }
        out
    }

    fn h(y: f32, a: f32, b: f32) -> Rule {
        Rule {
            horizontal: true,
            at: y,
            a,
            b,
        }
    }

    fn v(x: f32, a: f32, b: f32) -> Rule {
        Rule {
            horizontal: false,
            at: x,
            a,
            b,
        }
    }

    fn page(glyphs: Vec<Glyph>, rules: Vec<Rule>) -> PageContent {
        PageContent {
            width: 600.0,
            height: 800.0,
            glyphs,
            rules,
            ..PageContent::default()
        }
    }

    fn render(pages: &[PageContent]) -> Rendered {
        let mut b = Builder::new("utf-8");
        lay_out(pages, &mut b);
        b.finish()
    }

    /// Each line: its text, or its cells as (text, column).
    fn shown(r: &Rendered) -> Vec<String> {
        crate::input::lines_shown(r, |col, text| format!("{col}:{text}"))
    }

    #[test]
    fn glyphs_on_one_baseline_are_a_line_with_spaces_only_between_latin_runs() {
        let mut g = run("报告年度", 100.0, 200.0, 0.0);
        // The baseline wobbles a little; ASCII runs a gap apart get a space,
        // justified CJK glyphs never do.
        g.extend(run("2023", 150.0, 200.6, 0.0));
        g.extend(run("No.", 175.0, 199.7, 0.0));
        g.extend(run("5", 195.0, 200.0, 0.0));
        g.extend(run("政府信息公开", 100.0, 230.0, 3.0));
        let r = render(&[page(g, Vec::new())]);
        assert_eq!(shown(&r), ["报告年度2023 No. 5", "政府信息公开"]);
        assert_eq!(r.pages, Some(1));
        assert!(r.cells.is_empty());
    }

    /// A ruled table: column edges at x 100, 200, 300, 350, 400; row edges
    /// at y 100, 130, 190, 220. The header row draws only the edge at 300:
    /// 项目 spans columns 0–1 and 申请人情况 columns 2–3. Column 0 of rows
    /// 1–2 is one group label printed one glyph per line.
    fn ruled() -> PageContent {
        let rules = vec![
            h(100.0, 100.0, 400.0),
            h(130.0, 100.0, 400.0),
            // The edge between rows 1 and 2 leaves the group's column open.
            h(190.0, 200.0, 400.0),
            h(220.0, 100.0, 400.0),
            v(100.0, 100.0, 220.0),
            v(200.0, 130.0, 220.0),
            v(300.0, 100.0, 220.0),
            v(350.0, 130.0, 220.0),
            v(400.0, 100.0, 220.0),
        ];
        let mut g = run("项目", 110.0, 120.0, 0.0);
        g.extend(run("申请人情况", 310.0, 120.0, 0.0));
        for (i, ch) in "三本年".chars().enumerate() {
            g.extend(run(&ch.to_string(), 140.0, 150.0 + 20.0 * i as f32, 0.0));
        }
        // A label wrapped over two lines, its numbers on the middle line,
        // close to the rule at 350 on both sides of it.
        g.extend(run("（一）予以", 205.0, 145.0, 0.0));
        g.extend(run("公开", 205.0, 175.0, 0.0));
        g.extend(run("12", 339.0, 160.0, 0.0));
        g.extend(run("34", 352.0, 160.0, 0.0));
        g.extend(run("（二）部分公开", 205.0, 210.0, 0.0));
        g.extend(run("5", 370.0, 210.0, 0.0));
        page(g, rules)
    }

    #[test]
    fn ruled_cells_join_wrapped_text_and_span_like_html() {
        let r = render(&[ruled()]);
        assert_eq!(
            shown(&r),
            [
                "0:项目 | 2:申请人情况",
                "0:三本年 | 1:（一）予以公开 | 2:12 | 3:34",
                "1:（二）部分公开 | 2: | 3:5",
            ]
        );
        assert_eq!(r.layout, Some(Layout::Pdf));
    }

    #[test]
    fn a_table_open_at_the_page_break_ends_where_its_columns_end() {
        // No bottom rule: the last row is closed by where the vertical rules
        // end, and its numbers are cells, not a flow line.
        let mut p = ruled();
        p.rules.retain(|r| !(r.horizontal && r.at == 220.0));
        let r = render(&[p]);
        assert_eq!(shown(&r)[2], "1:（二）部分公开 | 2: | 3:5");
        // Two lines of numbers in one ruled cell are two numbers apart.
        let mut p = ruled();
        p.glyphs.extend(run("0", 370.0, 198.0, 0.0));
        assert_eq!(shown(&render(&[p]))[2], "1:（二）部分公开 | 2: | 3:0 5");
    }

    #[test]
    fn borderless_rows_are_cut_at_wide_gaps_into_aligned_columns() {
        let mut g = run("说明文字在这里", 100.0, 100.0, 0.0);
        g.extend(run("信息内容", 100.0, 130.0, 0.0));
        g.extend(run("本年新制发件数", 250.0, 130.0, 0.0));
        g.extend(run("现行有效件数", 400.0, 130.0, 0.0));
        g.extend(run("规章", 100.0, 150.0, 0.0));
        g.extend(run("3", 300.0, 150.0, 0.0));
        g.extend(run("12", 450.0, 150.0, 0.0));
        // A row whose middle cell is blank keeps its last value in column 2.
        g.extend(run("行政规范性文件", 100.0, 170.0, 0.0));
        g.extend(run("7", 450.0, 170.0, 0.0));
        // A label wrapped around its numbers.
        g.extend(run("（一）予以", 100.0, 185.0, 0.0));
        g.extend(run("5", 300.0, 197.0, 0.0));
        g.extend(run("9", 450.0, 197.0, 0.0));
        g.extend(run("公开", 100.0, 209.0, 0.0));
        let r = render(&[page(g, Vec::new())]);
        assert_eq!(
            shown(&r),
            [
                "说明文字在这里",
                "0:信息内容 | 1:本年新制发件数 | 2:现行有效件数",
                "0:规章 | 1:3 | 2:12",
                "0:行政规范性文件 | 2:7",
                "0:（一）予以公开 | 1:5 | 2:9",
            ]
        );
    }

    #[test]
    fn borderless_labels_join_their_rows_by_column() {
        let y = 300.0;
        // Group labels start at x 50, sub-group labels at 70, items at 120;
        // numbers in columns at 200, 240, 270. 261 and 1359 stand closer
        // than a cell gap, parted by the gutter every row leaves there.
        let mut g = run("一、本年新收", 50.0, y, 0.0);
        g.extend(run("221", 200.0, y, 0.0));
        g.extend(run("261", 240.0, y, 0.0));
        g.extend(run("1359", 270.0, y, 0.0));
        g.extend(run("二、上年结转", 50.0, y + 15.0, 0.0));
        g.extend(run("2", 200.0, y + 15.0, 0.0));
        g.extend(run("8", 240.0, y + 15.0, 0.0));
        g.extend(run("67", 275.0, y + 15.0, 0.0));
        // An item label wrapped above and below its numbers, and a group
        // label beside it, a little gap before the item on its line.
        g.extend(run("4.保护第三方", 120.0, y + 30.0, 0.0));
        g.extend(run("19", 200.0, y + 37.0, 0.0));
        g.extend(run("20", 240.0, y + 37.0, 0.0));
        g.extend(run("80", 275.0, y + 37.0, 0.0));
        g.extend(run("（三）不", 70.0, y + 44.0, 0.0));
        g.extend(run("权益", 120.0, y + 44.0, 0.0));
        g.extend(run("予公开", 70.0, y + 58.0, 0.0));
        g.extend(run("5.属于内部", 120.0, y + 72.0, 0.0));
        g.extend(run("6", 200.0, y + 72.0, 0.0));
        g.extend(run("6", 240.0, y + 72.0, 0.0));
        g.extend(run("66", 275.0, y + 72.0, 0.0));
        // A line right under the table across its gutters is text.
        g.extend(run("说明文字横跨表格的各个列直到右边", 50.0, y + 86.0, 0.0));
        let r = render(&[page(g, Vec::new())]);
        assert_eq!(
            shown(&r),
            [
                "0:一、本年新收 | 3:221 | 4:261 | 5:1359",
                "0:二、上年结转 | 3:2 | 4:8 | 5:67",
                "1:（三）不予公开 | 2:4.保护第三方权益 | 3:19 | 4:20 | 5:80",
                "2:5.属于内部 | 3:6 | 4:6 | 5:66",
                "说明文字横跨表格的各个列直到右边",
            ]
        );
    }

    #[test]
    fn page_numbers_and_running_lines_are_dropped() {
        let pages: Vec<PageContent> = (1..=3)
            .map(|n| {
                let mut g = run("某县人民政府办公室", 100.0, 40.0, 0.0);
                g.extend(run(&format!("第{n}段正文"), 100.0, 300.0, 0.0));
                g.extend(run(&format!("- {n} -"), 280.0, 770.0, 0.0));
                g.extend(run(&format!("第 {n} 页 共 3 页"), 400.0, 790.0, 0.0));
                page(g, Vec::new())
            })
            .collect();
        let r = render(&pages);
        assert_eq!(shown(&r), ["第1段正文", "第2段正文", "第3段正文"]);
        assert_eq!(r.page_starts, [1, 2, 3]);
        // One page alone: its header is not known to repeat and stays.
        let r = render(&pages[..1]);
        assert_eq!(shown(&r), ["某县人民政府办公室", "第1段正文"]);
    }

    #[test]
    fn page_number_forms() {
        for t in [
            "- 3 -",
            "—3—",
            "3",
            "3/6",
            "第3页",
            "第 3 页 共 6 页",
            "共6页，第3页",
        ] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["2023", "第二十条", "3.危及", "", "-", "共计3件", "12345"] {
            assert!(!is_page_number(t) || t == "2023", "{t}");
        }
    }

    #[test]
    fn vertical_glyphs_outside_tables_read_as_one_column() {
        let g: Vec<Glyph> = "办理结果"
            .chars()
            .enumerate()
            .map(|(i, ch)| Glyph {
                vertical: true,
                ..run(&ch.to_string(), 50.0, 300.0 + 12.0 * i as f32, 0.0)[0]
            })
            .collect();
        let r = render(&[page(g, Vec::new())]);
        assert_eq!(shown(&r), ["办理结果"]);
    }
}
