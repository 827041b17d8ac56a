//! A plan → the text of a report in layouts 1–6 (real-world.md, "How a
//! table arrives as text"), prose included.
//!
//! It takes a `Plan` and appends the report to a caller's buffer. Every table
//! is first laid out as logical rows of cells (the shape tab-separated PDF
//! text has, as in data/fixtures/twin_report.txt); each layout then prints
//! those rows its own way. It never decides a value: the plan did.

use std::fmt::Write;

use super::plan::{in_outcomes, subgroup, Kind, Layout, PTable, Plan};
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
            out.push(Line {
                cells: pad_to(vec![C::Text(&t.caption)], w),
                role: Role::Caption,
            });
            let mut h = vec![C::Text(CONTENT)];
            h.extend(t.headers.iter().map(|s| C::Text(s)));
            out.push(Line {
                cells: pad_to(h, w),
                role: Role::Header,
            });
            for r in 0..t.labels.len() {
                let mut cells = vec![C::Text(&t.labels[r])];
                cells.extend((0..ncols).map(|c| cell(t.cell(r, c))));
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
            for c in 0..ncols {
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
                cells.extend((0..ncols).map(|c| cell(t.cell(r, c))));
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

/// Layout 1, with labels broken across lines where the plan says so.
fn tab_table(out: &mut String, t: &PTable, lines: &[Line<'_>]) {
    for line in lines {
        let split = match line.role {
            Role::Data(r) => t.splits.iter().find(|s| s.row == r),
            _ => None,
        };
        let Some(split) = split else {
            tab_line(out, &line.cells);
            continue;
        };
        let Role::Data(r) = line.role else { continue };
        let label = t.labels[r].as_str();
        let Some(li) = line
            .cells
            .iter()
            .position(|c| matches!(c, C::Text(s) if std::ptr::eq(*s, label)))
        else {
            tab_line(out, &line.cells);
            continue;
        };
        let (head, tail) = label.split_at(split.at);
        let mut first = line.cells.clone();
        first[li] = C::Text(head);
        tab_line(out, &first[..=li]);
        // The values line holds only the values (data/fixtures/
        // layout1_pdf_tabs_split_labels.txt): group labels stay above.
        let mut values = line.cells.clone();
        values[..=li].iter_mut().for_each(|c| *c = C::Pad);
        tab_line(out, &values);
        let mut last: Vec<C<'_>> = line.cells.iter().map(|_| C::Pad).collect();
        last[li] = C::Text(tail);
        tab_line(out, &last);
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

/// Layout 6: cells separated by a space; table-2 headers and the requests
/// corner over two lines.
fn space_table(out: &mut String, t: &PTable, lines: &[Line<'_>]) {
    for line in lines {
        match (t.kind, line.role) {
            (Kind::Item, Role::Header) => {
                let mut heads = vec![CONTENT];
                let mut tails = Vec::new();
                for h in &t.headers {
                    let (a, b) = header_halves(h);
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
                continue;
            }
            (Kind::Requests, Role::Header) if matches!(line.cells[0], C::Text(_)) => {
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
                out.push_str(APPLICANTS);
                out.push('\n');
                continue;
            }
            _ => {}
        }
        let mut first = true;
        for c in &line.cells {
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
}

fn table(out: &mut String, p: &Plan, t: &PTable, rng: &mut Rng) {
    let lines = lines(p, t);
    match p.layout {
        Layout::TabRows => tab_table(out, t, &lines),
        Layout::DocxCells => docx_table(out, t, &lines, rng),
        Layout::WebCells => web_table(out, &lines),
        Layout::PipeRows => pipe_rows_table(out, &lines),
        Layout::PipeLines => pipe_lines_table(out, &lines, p.pipe_after),
        Layout::SpaceRows => space_table(out, t, &lines),
        Layout::Html => unreachable!("HTML is rendered by synth::html"),
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
    let window = format!("本报告所列数据统计期限自{y}年1月1日起至{y}年12月31日止。");
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

/// Section captions of tables 3 and 4: the number and the table's label.
pub fn section_caption(n: &str, t: &PTable) -> String {
    format!("{n}、{}", t.def.label)
}

/// Appends the whole report in the plan's text layout.
pub fn render(p: &Plan, rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "{}\n\n{}\n\n{SECTION_1}\n{}\n\n{SECTION_2}\n\n",
        title(p),
        intro(p),
        overview(p)
    );
    for t in p.tables.iter().filter(|t| t.kind == Kind::Item) {
        table(out, p, t, rng);
    }
    for (n, kind) in [("三", Kind::Requests), ("四", Kind::Litigation)] {
        for t in p.tables.iter().filter(|t| t.kind == kind) {
            let _ = write!(out, "\n{}\n\n", section_caption(n, t));
            table(out, p, t, rng);
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
