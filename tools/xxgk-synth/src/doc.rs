//! A plan → the blocks of a paged document (paragraphs and ruled tables with
//! spanning cells), what `docx` and `pdf` both print.
//!
//! The tables are the grids of the HTML page (`html`), as Word and WPS lay
//! the report out: 第二十条 one table with caption rows or one table per
//! item; the requests table with 申请人情况 over the applicant columns, 法人或
//! 其他组织 over five, 自然人 and 总计 down two header rows, 三、本年度办理结果
//! down the outcome rows and each sub-group down its own; table 4's three
//! header levels. It never decides a value: the plan did.

use super::plan::{in_outcomes, subgroup, Kind, PTable, Plan};
use super::text::{self, APPLICANTS, CONTENT, LITIGATION};

/// What a cell holds, which decides how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A 第二十条 item caption spanning the table (filled, bold).
    Caption,
    /// A column header (bold).
    Header,
    /// A row label.
    Label,
    /// A group label down several rows (三、本年度办理结果 and the sub-groups).
    Group,
    Value,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub role: Role,
    pub text: String,
}

/// Which table of the form a grid prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Items,
    Requests,
    Litigation,
}

/// One table: cells at their top-left grid position, with spans.
#[derive(Debug, Clone)]
pub struct Grid {
    pub what: What,
    pub nrows: usize,
    pub ncols: usize,
    /// Rows at the top that are header rows (repeated on a new page when
    /// the document repeats headers).
    pub header_rows: usize,
    /// Relative column widths.
    pub widths: Vec<u32>,
    pub cells: Vec<Cell>,
}

impl Grid {
    fn new(what: What, ncols: usize, widths: Vec<u32>) -> Grid {
        Grid {
            what,
            nrows: 0,
            ncols,
            header_rows: 0,
            widths,
            cells: Vec::new(),
        }
    }

    fn put(&mut self, row: usize, col: usize, span: (usize, usize), role: Role, text: &str) {
        self.cells.push(Cell {
            row,
            col,
            rowspan: span.0,
            colspan: span.1,
            role,
            text: text.to_string(),
        });
        self.nrows = self.nrows.max(row + span.0);
    }

    /// The cell covering grid position (row, col), if any.
    pub fn covering(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells.iter().find(|c| {
            (c.row..c.row + c.rowspan).contains(&row) && (c.col..c.col + c.colspan).contains(&col)
        })
    }
}

#[derive(Debug, Clone)]
pub enum Block {
    Title(String),
    /// A section heading (bold).
    Heading(String),
    /// A body paragraph, first line indented.
    Para(String),
    /// A centred caption line above a table.
    Caption(String),
    /// A right-aligned line (signature, date).
    Right(String),
    Table(Grid),
}

/// 第二十条: one grid, or one per item; its captions inside as spanning
/// rows, or as lines above.
fn items(p: &Plan, out: &mut Vec<Block>) {
    let w = text::item_width(p);
    let widths = |w: usize| {
        let mut v = vec![34u32];
        v.extend((1..w).map(|_| 22));
        v
    };
    let mut grid = Grid::new(What::Items, w, widths(w));
    for t in p.tables.iter().filter(|t| t.kind == Kind::Item) {
        if !p.one_table {
            if !text::uncaptioned(p, t) {
                out.push(Block::Caption(t.caption.clone()));
            }
            grid = Grid::new(What::Items, w, widths(w));
        } else if !text::uncaptioned(p, t) {
            let r = grid.nrows;
            grid.put(r, 0, (1, w), Role::Caption, &t.caption);
        }
        let n = t.ncols();
        // The last column spans what the item does not use of the grid.
        let span = |c: usize| if c + 1 == n { w - n } else { 1 };
        let r = grid.nrows;
        grid.put(r, 0, (1, 1), Role::Header, CONTENT);
        let mut col = 1;
        for (c, h) in t.headers.iter().enumerate() {
            grid.put(r, col, (1, span(c)), Role::Header, h);
            col += span(c);
        }
        if !p.one_table {
            grid.header_rows = 1;
        }
        for (ri, label) in t.labels.iter().enumerate() {
            let r = grid.nrows;
            grid.put(r, 0, (1, 1), Role::Label, label);
            let mut col = 1;
            for c in 0..n {
                let v = t.cell(ri, c);
                grid.put(r, col, (1, span(c)), Role::Value, v);
                col += span(c);
            }
        }
        if !p.one_table {
            out.push(Block::Table(std::mem::replace(
                &mut grid,
                Grid::new(What::Items, w, Vec::new()),
            )));
        }
    }
    if p.one_table && grid.nrows > 0 {
        out.push(Block::Table(grid));
    }
}

fn requests(p: &Plan, t: &PTable) -> Grid {
    let def = t.def;
    let n = t.ncols();
    let group_of = |c: usize| def.groups.iter().find(|g| g.columns.contains(&c));
    let mut widths = vec![8u32, 16, 40];
    widths.extend((0..n).map(|_| 12));
    let mut g = Grid::new(What::Requests, n + 3, widths);
    g.put(0, 0, (3, 3), Role::Header, &p.corner);
    g.put(0, 3, (1, n), Role::Header, APPLICANTS);
    for (i, &c) in t.order.iter().enumerate() {
        let col = 3 + i;
        match group_of(c) {
            Some(gr) if gr.columns.first() == Some(&c) => {
                g.put(1, col, (1, gr.columns.len()), Role::Header, &gr.label);
                g.put(2, col, (1, 1), Role::Header, &t.headers[c]);
            }
            Some(_) => g.put(2, col, (1, 1), Role::Header, &t.headers[c]),
            None => g.put(1, col, (2, 1), Role::Header, &t.headers[c]),
        }
    }
    g.header_rows = 3;
    let keys: Vec<&str> = def.rows.iter().map(|r| r.key.as_str()).collect();
    let outcomes = keys.iter().filter(|k| in_outcomes(k)).count();
    let mut first_outcome = true;
    let mut seen = [false; 5];
    for (ri, key) in keys.iter().enumerate() {
        let r = 3 + ri;
        if !in_outcomes(key) {
            g.put(r, 0, (1, 3), Role::Label, &t.labels[ri]);
        } else {
            if first_outcome {
                g.put(r, 0, (outcomes, 1), Role::Group, &p.groups[0]);
                first_outcome = false;
            }
            match subgroup(key) {
                Some(gi) => {
                    if !seen[gi] {
                        let len = keys.iter().filter(|k| subgroup(k) == Some(gi)).count();
                        g.put(r, 1, (len, 1), Role::Group, &p.groups[gi]);
                        seen[gi] = true;
                    }
                    g.put(r, 2, (1, 1), Role::Label, &t.labels[ri]);
                }
                None => g.put(r, 1, (1, 2), Role::Label, &t.labels[ri]),
            }
        }
        for (i, &c) in t.order.iter().enumerate() {
            let v = t.cell(ri, c);
            g.put(r, 3 + i, (1, 1), Role::Value, v);
        }
    }
    g
}

fn litigation(t: &PTable) -> Grid {
    let n = t.ncols();
    let nrows = t.labels.len();
    let mut g = Grid::new(What::Litigation, n * nrows, vec![10; n * nrows]);
    g.put(0, 0, (1, n), Role::Header, &t.labels[0]);
    g.put(0, n, (1, n * (nrows - 1)), Role::Header, LITIGATION);
    for (c, h) in t.headers.iter().enumerate() {
        g.put(1, c, (2, 1), Role::Header, h);
    }
    for (i, label) in t.labels[1..].iter().enumerate() {
        g.put(1, n * (i + 1), (1, n), Role::Header, label);
        for (c, h) in t.headers.iter().enumerate() {
            g.put(2, n * (i + 1) + c, (1, 1), Role::Header, h);
        }
    }
    g.header_rows = 3;
    for (i, v) in t.cells.iter().enumerate() {
        g.put(3, i, (1, 1), Role::Value, v);
    }
    g
}

/// The blocks of the whole report, in reading order.
pub fn blocks(p: &Plan) -> Vec<Block> {
    let mut out = vec![
        Block::Title(text::title(p)),
        Block::Para(text::intro(p)),
        Block::Heading(text::SECTION_1.to_string()),
        Block::Para(text::overview(p)),
        Block::Heading(text::SECTION_2.to_string()),
    ];
    items(p, &mut out);
    for t in &p.tables {
        match t.kind {
            Kind::Requests => {
                out.push(Block::Heading(text::section_caption(p, "三", t)));
                out.push(Block::Table(requests(p, t)));
            }
            Kind::Litigation => {
                out.push(Block::Heading(text::section_caption(p, "四", t)));
                out.push(Block::Table(litigation(t)));
            }
            Kind::Item => {}
        }
    }
    out.extend([
        Block::Heading(text::SECTION_5.to_string()),
        Block::Para(text::problems(p)),
        Block::Heading(text::SECTION_6.to_string()),
        Block::Para(text::other_matters(p)),
        Block::Right(p.org.clone()),
        Block::Right(text::signature_date(p)),
    ]);
    out
}
