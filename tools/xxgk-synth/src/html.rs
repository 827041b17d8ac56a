//! A plan → an HTML page (layout 7 of real-world.md): tables with the
//! colspan/rowspan headers government sites print, `&nbsp;` for empty cells,
//! optional page chrome, and a `<meta charset>` naming the page's encoding.
//!
//! It takes a `Plan` and appends the page to a caller's buffer, following the
//! structure of data/fixtures/twin_report.html and html_spans_one_page.html.
//! It never decides a value: the plan did.

use std::fmt::Write;

use super::plan::{in_outcomes, subgroup, Encoding, Kind, PTable, Plan};
use super::rng::Rng;
use super::text::{self, APPLICANTS, CONTENT, LITIGATION};

/// Escapes element text (HTML, and the XML of `docx`).
pub(super) fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// How the page wraps its cells: 0 bare, 1 centred, 2 `<p><span>` as Word
/// exports them; `breaks` puts a `<br />` into long headers and labels,
/// `nbsp` wraps values as `&nbsp;7&nbsp;` (real-world.md item 7).
#[derive(Clone, Copy)]
struct Style {
    wrap: u8,
    breaks: bool,
    nbsp: bool,
}

/// `text` with a `<br />` in its middle (not inside an enumerator or a
/// bracket's first character).
fn broken(out: &mut String, text: &str) {
    let n = text.chars().count();
    let at = text
        .char_indices()
        .nth(n / 2)
        .map_or(text.len(), |(i, _)| i);
    esc(out, &text[..at]);
    out.push_str("<br />");
    esc(out, &text[at..]);
}

impl Style {
    /// `<td …>` with the given spans.
    fn open(self, out: &mut String, colspan: usize, rowspan: usize) {
        out.push_str("<td");
        if colspan > 1 {
            let _ = write!(out, " colspan=\"{colspan}\"");
        }
        if rowspan > 1 {
            let _ = write!(out, " rowspan=\"{rowspan}\"");
        }
        if self.wrap >= 1 {
            out.push_str(" style=\"text-align:center;vertical-align:middle;\"");
        }
        out.push('>');
    }

    fn td(self, out: &mut String, text: &str, colspan: usize, rowspan: usize) {
        self.cell(out, text, colspan, rowspan, false);
    }

    /// A header or label cell: long texts may carry a line break.
    fn label(self, out: &mut String, text: &str, colspan: usize, rowspan: usize) {
        self.cell(
            out,
            text,
            colspan,
            rowspan,
            self.breaks && text.chars().count() >= 6,
        );
    }

    fn cell(self, out: &mut String, text: &str, colspan: usize, rowspan: usize, br: bool) {
        self.open(out, colspan, rowspan);
        let value = text.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
        if text.is_empty() {
            out.push_str("&nbsp;");
        } else if value && self.nbsp {
            out.push_str("&nbsp;");
            esc(out, text);
            out.push_str("&nbsp;");
        } else {
            if self.wrap == 2 {
                out.push_str("<p><span style=\"font-family:宋体;font-size:14px;\">");
            }
            if br {
                broken(out, text);
            } else {
                esc(out, text);
            }
            if self.wrap == 2 {
                out.push_str("</span></p>");
            }
        }
        out.push_str("</td>");
    }
}

const TABLE_OPEN: &str = "<table border=\"1\" cellspacing=\"0\" cellpadding=\"0\" width=\"100%\" style=\"border-collapse:collapse;\">\n<tbody>\n";
const TABLE_CLOSE: &str = "</tbody>\n</table>\n";

fn items(out: &mut String, p: &Plan, st: Style) {
    let w = text::item_width(p);
    let items: Vec<&PTable> = p.tables.iter().filter(|t| t.kind == Kind::Item).collect();
    if p.one_table {
        out.push_str(TABLE_OPEN);
    }
    for t in items {
        if text::uncaptioned(p, t) {
            if !p.one_table {
                out.push_str(TABLE_OPEN);
            }
        } else if p.one_table {
            out.push_str("<tr>");
            st.open(out, w, 1);
            out.push_str("<strong>");
            esc(out, &t.caption);
            out.push_str("</strong></td></tr>\n");
        } else {
            out.push_str("<p style=\"text-align:center;\">");
            esc(out, &t.caption);
            out.push_str("</p>\n");
            out.push_str(TABLE_OPEN);
        }
        let n = t.ncols();
        // The last column spans what the item does not use of the grid.
        let span = |c: usize| if c + 1 == n { w - n } else { 1 };
        out.push_str("<tr>");
        st.label(out, CONTENT, 1, 1);
        for (c, h) in t.headers.iter().enumerate() {
            st.label(out, h, span(c), 1);
        }
        out.push_str("</tr>\n");
        for r in 0..t.labels.len() {
            out.push_str("<tr>");
            st.label(out, &t.labels[r], 1, 1);
            for c in 0..n {
                st.td(out, t.cell(r, c), span(c), 1);
            }
            out.push_str("</tr>\n");
        }
        if !p.one_table {
            out.push_str(TABLE_CLOSE);
        }
    }
    if p.one_table {
        out.push_str(TABLE_CLOSE);
    }
}

fn requests(out: &mut String, p: &Plan, t: &PTable, st: Style) {
    let def = t.def;
    let n = t.ncols();
    let group_of = |c: usize| def.groups.iter().find(|g| g.columns.contains(&c));
    out.push_str(TABLE_OPEN);
    out.push_str("<tr>");
    st.label(out, &p.corner, 3, 3);
    st.label(out, APPLICANTS, n, 1);
    out.push_str("</tr>\n<tr>");
    for &c in &t.order {
        match group_of(c) {
            Some(g) if g.columns.first() == Some(&c) => st.label(out, &g.label, g.columns.len(), 1),
            Some(_) => {}
            None => st.label(out, &t.headers[c], 1, 2),
        }
    }
    out.push_str("</tr>\n<tr>");
    for &c in &t.order {
        if group_of(c).is_some() {
            st.label(out, &t.headers[c], 1, 1);
        }
    }
    out.push_str("</tr>\n");
    let keys: Vec<&str> = def.rows.iter().map(|r| r.key.as_str()).collect();
    let outcomes = keys.iter().filter(|k| in_outcomes(k)).count();
    let mut first_outcome = true;
    let mut seen = [false; 5];
    for (r, key) in keys.iter().enumerate() {
        out.push_str("<tr>");
        if !in_outcomes(key) {
            st.label(out, &t.labels[r], 3, 1);
        } else {
            if first_outcome {
                st.label(out, &p.groups[0], 1, outcomes);
                first_outcome = false;
            }
            match subgroup(key) {
                Some(g) => {
                    if !seen[g] {
                        let len = keys.iter().filter(|k| subgroup(k) == Some(g)).count();
                        st.label(out, &p.groups[g], 1, len);
                        seen[g] = true;
                    }
                    st.label(out, &t.labels[r], 1, 1);
                }
                None => st.label(out, &t.labels[r], 2, 1),
            }
        }
        for &c in &t.order {
            st.td(out, t.cell(r, c), 1, 1);
        }
        out.push_str("</tr>\n");
    }
    out.push_str(TABLE_CLOSE);
}

fn litigation(out: &mut String, t: &PTable, st: Style) {
    let n = t.ncols();
    let nrows = t.labels.len();
    out.push_str(TABLE_OPEN);
    out.push_str("<tr>");
    st.label(out, &t.labels[0], n, 1);
    st.label(out, LITIGATION, n * (nrows - 1), 1);
    out.push_str("</tr>\n<tr>");
    for h in &t.headers {
        st.label(out, h, 1, 2);
    }
    for label in &t.labels[1..] {
        st.label(out, label, n, 1);
    }
    out.push_str("</tr>\n<tr>");
    for _ in 1..nrows {
        for h in &t.headers {
            st.label(out, h, 1, 1);
        }
    }
    out.push_str("</tr>\n<tr>");
    for v in &t.cells {
        st.td(out, v, 1, 1);
    }
    out.push_str("</tr>\n");
    out.push_str(TABLE_CLOSE);
}

fn para(out: &mut String, s: &str) {
    out.push_str("<p style=\"text-indent:2em;\">");
    esc(out, s);
    out.push_str("</p>\n");
}

fn heading(out: &mut String, s: &str) {
    out.push_str("<p style=\"text-indent:2em;\"><strong>");
    esc(out, s);
    out.push_str("</strong></p>\n");
}

/// Appends the page.
pub fn render(p: &Plan, rng: &mut Rng, out: &mut String) {
    let title = text::title(p);
    let site = format!("{}人民政府网站", p.prose.region);
    let charset = match p.encoding {
        Encoding::Gbk if rng.chance(0.3) => {
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
        }
        Encoding::Gbk => "<meta charset=\"gbk\">",
        _ => "<meta charset=\"utf-8\">",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n{charset}\n<title>{title}_{site}</title>\n"
    );
    if p.chrome == 2 {
        let _ = write!(
            out,
            "<style type=\"text/css\">\nbody {{ margin: 0; font-family: \"Microsoft YaHei\", \"微软雅黑\", sans-serif; }}\n.gk-table td {{ border: 1px solid #333; padding: 4px 6px; }}\n</style>\n<script type=\"text/javascript\">\n  var siteConfig = {{ siteName: \"{site}\", columnId: {}, pageSize: 20 }};\n  var relatedTitle = \"{}年政府信息公开工作年度报告\";\n</script>\n",
            rng.range(1000, 9999),
            p.year - 1
        );
    }
    out.push_str("</head>\n<body>\n");
    if p.chrome >= 1 {
        let _ = write!(
            out,
            "<div class=\"header\"><a href=\"/\">{site}</a></div>\n<div class=\"breadcrumb\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/xxgk/\">信息公开</a> &gt; <a href=\"/xxgk/ndbg/\">政府信息公开年度报告</a></div>\n"
        );
    }
    if p.chrome == 2 {
        out.push_str("<div class=\"sidebar\">\n<h3>年度报告</h3>\n<ul>\n");
        for y in (p.year - 3..p.year).rev() {
            let _ = writeln!(
                out,
                "<li><a href=\"/xxgk/ndbg/{y}/\">{}{y}年政府信息公开工作年度报告</a></li>",
                p.org
            );
        }
        out.push_str("</ul>\n</div>\n");
    }
    out.push_str("<div class=\"article\">\n<h1>");
    esc(out, &title);
    out.push_str("</h1>\n<div class=\"content\">\n");
    let st = Style {
        wrap: rng.below(3) as u8,
        breaks: rng.chance(0.4),
        nbsp: rng.chance(0.3),
    };
    para(out, &text::intro(p));
    heading(out, text::SECTION_1);
    para(out, &text::overview(p));
    heading(out, text::SECTION_2);
    items(out, p, st);
    for t in &p.tables {
        match t.kind {
            Kind::Requests => {
                heading(out, &text::section_caption(p, "三", t));
                requests(out, p, t, st);
            }
            Kind::Litigation => {
                heading(out, &text::section_caption(p, "四", t));
                litigation(out, t, st);
            }
            Kind::Item => {}
        }
    }
    heading(out, text::SECTION_5);
    para(out, &text::problems(p));
    heading(out, text::SECTION_6);
    para(out, &text::other_matters(p));
    let _ = write!(
        out,
        "<p style=\"text-align:right;\">{}</p>\n<p style=\"text-align:right;\">{}</p>\n</div>\n</div>\n",
        p.org,
        text::signature_date(p)
    );
    if p.chrome >= 1 {
        let _ = writeln!(
            out,
            "<div class=\"footer\">版权所有：{}人民政府办公室　<a href=\"https://beian.miit.gov.cn/\">ICP备{:08}号</a></div>",
            p.prose.region,
            rng.range(1, 99_999_999)
        );
    }
    out.push_str("</body>\n</html>\n");
}
