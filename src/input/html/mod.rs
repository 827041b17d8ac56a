//! HTML page → rendered text and table cells, for the one segmenter.
//!
//! It takes a decoded page and the `[html]` words of the config and gives the
//! page as lines of text plus, for every row of every data table, the byte
//! range and grid column of each cell in those lines. The page is parsed by
//! html5ever into a light tree of our own (`dom`); nothing here reads markup
//! by hand.
//!
//! - Flow text (headings, paragraphs, list items, layout-table cells) becomes
//!   lines, white space collapsed as a browser does; `<pre>` keeps its lines.
//!   These lines go through the segmenter's text rules like any text file.
//! - A data table (one holding no other table and no long prose cell) becomes
//!   one line per `<tr>`, cells separated by tabs, with `colspan`/`rowspan`
//!   expanded into grid columns by `input::grid`: a cell's column is its
//!   first grid column.
//!   A slot covered by a span is not a cell of its own, so a value is never
//!   repeated into rows or columns it was not printed in.
//! - Scripts, styles, forms' controls, `<nav>`/`<header>`/`<footer>` and
//!   elements whose class or id names chrome (config) are skipped unless they
//!   hold a table; a line made only of links (menus, lists of other reports)
//!   is dropped. The `<title>` is the first line.
//!
//! It does no I/O and allocates per page and per table, not per character.

mod dom;

use std::cell::Cell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts, TreeSink};
use html5ever::{local_name, LocalName, TokenizerResult};
use serde::Deserialize;

use self::dom::{Dom, Edge, Edges, Id, Kind, Sink, Words, ROOT};
use super::decode::{decode, Decoded};
use super::grid::{Grid, Slot};
use super::Refused;
use crate::settings::Settings;

/// The `[html]` section of the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlConfig {
    /// Elements skipped with everything inside them.
    pub skip_tags: Vec<String>,
    /// Class or id words (split at `-`, `_`, spaces) that mark page chrome.
    pub chrome_words: Vec<String>,
    /// A table with a cell longer than this (in characters) is page layout,
    /// not data: its cells are read as flow text.
    pub max_cell_chars: usize,
    /// A page whose elements nest deeper than this is not parsed (the tree
    /// builder's work grows with depth × elements).
    pub max_depth: usize,
}

/// Why a page is not read.
#[derive(Debug, PartialEq, Eq)]
pub struct TooDeep {
    pub depth: usize,
    pub limit: usize,
}

pub use super::Span;

/// A rendered page.
#[derive(Debug, Default)]
pub struct Page {
    pub text: String,
    /// Table cells in reading order.
    pub spans: Vec<Span>,
}

/// Is this byte ASCII white space (what a browser collapses in flow text)?
fn ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r')
}

struct Renderer<'c> {
    cfg: &'c HtmlConfig,
    out: Page,
    /// Current line number (1-based) and where it starts in `out.text`.
    line: u32,
    line_start: usize,
    /// A space is owed before the next visible character.
    space: bool,
    /// Visible characters on this line outside and inside links.
    plain: bool,
    linked: bool,
    links: u32,
    pre: u32,
    /// Cell texts of the table being laid out (kept between tables).
    buf: String,
}

impl Renderer<'_> {
    /// Ends the current line: an empty line or one made only of links is
    /// removed.
    fn flush(&mut self) {
        let line = &self.out.text[self.line_start..];
        let keep = if self.pre > 0 {
            !line.is_empty()
        } else {
            !line.trim().is_empty() && (self.plain || !self.linked)
        };
        if keep {
            self.out.text.push('\n');
            self.line += 1;
        } else {
            self.out.text.truncate(self.line_start);
        }
        self.line_start = self.out.text.len();
        self.space = false;
        self.plain = false;
        self.linked = false;
    }

    /// Marks the line as holding visible characters, in or out of a link.
    fn visible(&mut self) {
        if self.links > 0 {
            self.linked = true;
        } else {
            self.plain = true;
        }
    }

    fn text(&mut self, s: &str) {
        if self.pre > 0 {
            return self.pre_text(s);
        }
        // Runs between ASCII white space are copied whole: within a run
        // nothing is collapsed.
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes.get(i).copied().is_some_and(ascii_space) {
                self.space = true;
                i += 1;
                continue;
            }
            let end = bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|&b| ascii_space(b)))
                .map_or(bytes.len(), |n| i + n);
            let Some(run) = s.get(i..end) else {
                return;
            };
            if self.space && self.out.text.len() > self.line_start {
                self.out.text.push(' ');
            }
            self.space = false;
            self.out.text.push_str(run);
            if run.chars().any(|c| !c.is_whitespace()) {
                self.visible();
            }
            i = end;
        }
    }

    /// Text inside `<pre>`: its line breaks end lines.
    fn pre_text(&mut self, s: &str) {
        for c in s.chars() {
            match c {
                '\n' => {
                    self.flush();
                    continue;
                }
                '\r' => continue,
                _ => self.out.text.push(c),
            }
            if !c.is_whitespace() {
                self.visible();
            }
        }
    }
}

/// Does `c` separate words in a cell? A no-break space and an ideographic
/// space are kept: a cell may hold only one.
fn cell_space(c: char) -> bool {
    c.is_whitespace() && c != '\u{A0}' && c != '\u{3000}'
}

/// The next character of `s` from byte `from` on that separates words in a
/// cell (`cell_space`): its byte offset and length. It looks at bytes, and
/// decodes a character only where a white space one can start (ASCII, or
/// the lead bytes of U+0085, U+1680 and U+2000 to U+205F).
fn next_cell_space(s: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = s.as_bytes().get(from..)?;
    for (n, &b) in bytes.iter().enumerate() {
        let i = from + n;
        match b {
            b'\t'..=b'\r' | b' ' => return Some((i, 1)),
            0xC2 | 0xE1 | 0xE2 => {
                if let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
                    if cell_space(c) {
                        return Some((i, c.len_utf8()));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Adds a word of a cell's text to `buf` (from `start`), after a space if
/// one is owed.
fn push_word(buf: &mut String, start: usize, space: &mut bool, word: &str) {
    if word.is_empty() {
        return;
    }
    if *space && buf.len() > start {
        buf.push(' ');
    }
    *space = false;
    buf.push_str(word);
}

/// The text of a node, white space collapsed, block edges as spaces, into
/// `buf`; skipped elements inside are left out. It holds no tab or line
/// break.
fn cell_text(dom: &Dom, n: Id, buf: &mut String) {
    let start = buf.len();
    let mut space = false;
    let mut edges = Edges::new(dom, n);
    while let Some(edge) = edges.next() {
        match edge {
            Edge::Open(d) => match dom.node(d).map(|x| &x.kind) {
                Some(Kind::Text(t)) => {
                    let mut run = 0;
                    while let Some((i, width)) = next_cell_space(t, run) {
                        push_word(buf, start, &mut space, t.get(run..i).unwrap_or(""));
                        space = true;
                        run = i + width;
                    }
                    push_word(buf, start, &mut space, t.get(run..).unwrap_or(""));
                }
                Some(Kind::Element(e)) => {
                    if d != n && e.skip {
                        edges.pass_over(d);
                    } else if e.name.local == local_name!("br") || e.block {
                        space = true;
                    }
                }
                _ => {}
            },
            Edge::Close(d) => {
                if dom
                    .node(d)
                    .and_then(|x| x.element())
                    .is_some_and(|e| e.block)
                {
                    space = true;
                }
            }
        }
    }
}

/// One cell of a table being laid out: its row, text in the buffer and
/// spans.
struct GridCell {
    row: u32,
    start: usize,
    end: usize,
    slot: Slot,
}

impl Renderer<'_> {
    /// Lays out a data table. Returns false (nothing written) when it turns
    /// out to be page layout: a cell longer than `max_cell_chars`.
    fn grid(&mut self, dom: &Dom, table: Id) -> bool {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let done = self.grid_with(dom, table, &mut buf);
        self.buf = buf;
        done
    }

    fn grid_with(&mut self, dom: &Dom, table: Id, buf: &mut String) -> bool {
        let mut cells: Vec<GridCell> = Vec::new();
        let mut captions: Vec<(usize, usize)> = Vec::new();
        let mut rows = 0u32;
        for edge in Edges::new(dom, table) {
            let Edge::Open(d) = edge else {
                continue;
            };
            let Some(node) = dom.node(d) else {
                continue;
            };
            match node.name() {
                Some(&local_name!("tr")) => {
                    let before = cells.len();
                    let mut child = node.first();
                    while let Some(c) = child {
                        let Some(cn) = dom.node(c) else {
                            break;
                        };
                        child = cn.next();
                        let Some(e) = cn.element() else {
                            continue;
                        };
                        if !matches!(e.name.local, local_name!("td") | local_name!("th")) {
                            continue;
                        }
                        let start = buf.len();
                        cell_text(dom, c, buf);
                        // A character is at least a byte: short cells are
                        // not counted.
                        let max = self.cfg.max_cell_chars;
                        if buf.len() - start > max
                            && buf.get(start..).is_some_and(|t| t.chars().count() > max)
                        {
                            return false;
                        }
                        cells.push(GridCell {
                            row: rows,
                            start,
                            end: buf.len(),
                            slot: Slot::Cell {
                                colspan: e.colspan,
                                rowspan: e.rowspan,
                            },
                        });
                    }
                    if cells.len() > before {
                        rows += 1;
                    }
                }
                Some(&local_name!("caption")) => {
                    let start = buf.len();
                    cell_text(dom, d, buf);
                    captions.push((start, buf.len()));
                }
                _ => {}
            }
        }
        self.flush();
        for &(a, z) in &captions {
            self.text(buf.get(a..z).unwrap_or(""));
            self.flush();
        }
        let mut grid = Grid::new();
        let mut cells = cells.iter().peekable();
        for row in 0..rows {
            let mut first = true;
            while let Some(cell) = cells.next_if(|c| c.row == row) {
                let Some(col) = grid.place(cell.slot) else {
                    continue;
                };
                if !first {
                    self.out.text.push('\t');
                }
                first = false;
                let start = self.out.text.len();
                // `cell_text` left no tab or line break in it.
                self.out
                    .text
                    .push_str(buf.get(cell.start..cell.end).unwrap_or(""));
                self.out.spans.push(Span {
                    line: self.line,
                    start: start as u32,
                    end: self.out.text.len() as u32,
                    col,
                });
            }
            grid.end_row();
            self.out.text.push('\n');
            self.line += 1;
            self.line_start = self.out.text.len();
        }
        true
    }
}

/// Elements that never nest: void elements and those a following sibling
/// closes implicitly. The depth estimate does not count them.
fn is_flat(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("area")
            | local_name!("base")
            | local_name!("br")
            | local_name!("col")
            | local_name!("embed")
            | local_name!("hr")
            | local_name!("img")
            | local_name!("input")
            | local_name!("link")
            | local_name!("meta")
            | local_name!("param")
            | local_name!("source")
            | local_name!("track")
            | local_name!("wbr")
            | local_name!("keygen")
            | local_name!("p")
            | local_name!("li")
            | local_name!("td")
            | local_name!("th")
            | local_name!("tr")
            | local_name!("dt")
            | local_name!("dd")
            | local_name!("option")
            | local_name!("optgroup")
            | local_name!("tbody")
            | local_name!("thead")
            | local_name!("tfoot")
            | local_name!("colgroup")
            | local_name!("rb")
            | local_name!("rt")
            | local_name!("rp")
    )
}

/// html5ever's tree builder behind a count of how deep the page's tags nest
/// (an upper bound for the tree's depth). The tree builder does work in
/// proportion to the open elements for every element, so once the count
/// passes `limit` no token reaches it any more: the rest of the page is only
/// tokenized, to report how deep it goes. One tokenizer pass either way.
struct Guarded<'c> {
    builder: TreeBuilder<Id, Sink<'c>>,
    limit: usize,
    depth: Cell<usize>,
    max: Cell<usize>,
}

impl Guarded<'_> {
    fn too_deep(&self) -> bool {
        self.max.get() > self.limit
    }
}

impl TokenSink for Guarded<'_> {
    type Handle = Id;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<Id> {
        if let Token::TagToken(tag) = &token {
            if !tag.self_closing && !is_flat(&tag.name) {
                let d = self.depth.get();
                let d = match tag.kind {
                    TagKind::StartTag => d + 1,
                    TagKind::EndTag => d.saturating_sub(1),
                };
                self.depth.set(d);
                self.max.set(self.max.get().max(d));
            }
        }
        if self.too_deep() {
            return TokenSinkResult::Continue;
        }
        self.builder.process_token(token, line)
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Parses a page into a `Dom` with one tokenizer pass, or says how deep its
/// tags nest when that is more than `limit` (the tree is then dropped half
/// built).
fn parse(source: &str, words: Words<'_>, limit: usize) -> Result<Dom, TooDeep> {
    // About one node per 16 bytes of a typical page.
    let sink = Sink::new(words, source.len() / 16);
    let guarded = Guarded {
        builder: TreeBuilder::new(sink, TreeBuilderOpts::default()),
        limit,
        depth: Cell::new(0),
        max: Cell::new(0),
    };
    let tokenizer = Tokenizer::new(guarded, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(source));
    // The tokenizer pauses for a script to run or at a `<meta charset>` (the
    // page is already decoded); neither needs anything done, so it goes on.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let guarded = tokenizer.sink;
    if guarded.too_deep() {
        return Err(TooDeep {
            depth: guarded.max.get(),
            limit,
        });
    }
    Ok(guarded.builder.sink.finish())
}

/// Renders a page, or refuses one that nests deeper than `max_depth`.
pub fn render(source: &str, cfg: &HtmlConfig) -> Result<Page, TooDeep> {
    let skip_tags: Vec<LocalName> = cfg
        .skip_tags
        .iter()
        .map(|t| LocalName::from(t.as_str()))
        .collect();
    let words = Words {
        skip_tags: &skip_tags,
        chrome_words: &cfg.chrome_words,
    };
    let dom = parse(source, words, cfg.max_depth)?;
    let mut r = Renderer {
        cfg,
        out: Page {
            text: String::with_capacity(source.len() / 2),
            spans: Vec::new(),
        },
        line: 1,
        line_start: 0,
        space: false,
        plain: false,
        linked: false,
        links: 0,
        pre: 0,
        buf: String::new(),
    };
    // The title first: the report's name is often only there.
    if let Some(title) = dom.find(&local_name!("title")) {
        let mut buf = String::new();
        cell_text(&dom, title, &mut buf);
        r.text(&buf);
        r.flush();
    }
    let mut edges = Edges::new(&dom, ROOT);
    while let Some(edge) = edges.next() {
        match edge {
            Edge::Open(id) => {
                let Some(n) = dom.node(id) else {
                    continue;
                };
                match &n.kind {
                    Kind::Text(t) => r.text(t),
                    Kind::Element(e) => {
                        let name = &e.name.local;
                        let tagged = e.skip || *name == local_name!("title");
                        if tagged || (e.chrome && !n.holds_table) {
                            edges.pass_over(id);
                            continue;
                        }
                        // A table holding another is page layout.
                        if *name == local_name!("table") && !n.holds_table && r.grid(&dom, id) {
                            edges.pass_over(id);
                            continue;
                        }
                        if *name == local_name!("br") || e.block {
                            r.flush();
                        }
                        match *name {
                            local_name!("a") => r.links += 1,
                            local_name!("pre") => r.pre += 1,
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(id) => {
                let Some(e) = dom.node(id).and_then(|n| n.element()) else {
                    continue;
                };
                if e.block {
                    r.flush();
                }
                match e.name.local {
                    local_name!("a") => r.links = r.links.saturating_sub(1),
                    local_name!("pre") => r.pre = r.pre.saturating_sub(1),
                    _ => {}
                }
            }
        }
    }
    r.flush();
    Ok(r.out)
}

/// Reads a page's bytes (decoded by its declared or detected charset).
pub fn read(bytes: Vec<u8>, settings: &Settings) -> Result<super::Rendered, Refused> {
    from_decoded(decode(bytes, true, &settings.legacy)?, settings)
}

/// Renders a decoded page.
pub fn from_decoded(decoded: Decoded, settings: &Settings) -> Result<super::Rendered, Refused> {
    let page = render(&decoded.text, &settings.html).map_err(|deep| {
        Refused::new(
            "html.too_deep",
            format!(
                "the page's tags nest {} deep, more than html.max_depth = {}; not parsed",
                deep.depth, deep.limit
            ),
        )
    })?;
    Ok(super::Rendered {
        text: page.text,
        cells: page.spans,
        encoding: decoded.encoding,
        notes: decoded.notes,
        ..super::Rendered::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> HtmlConfig {
        HtmlConfig {
            skip_tags: ["script", "style", "head", "noscript", "select", "button"]
                .map(String::from)
                .to_vec(),
            chrome_words: ["nav", "menu", "footer", "breadcrumb"]
                .map(String::from)
                .to_vec(),
            max_cell_chars: 300,
            max_depth: 400,
        }
    }

    /// (text, column) of each cell, per line.
    fn grid(r: &Page) -> Vec<Vec<(String, u16)>> {
        let mut out: Vec<Vec<(String, u16)>> = Vec::new();
        let mut last = 0;
        for s in &r.spans {
            if s.line != last {
                out.push(Vec::new());
                last = s.line;
            }
            let t = r.text[s.start as usize..s.end as usize].to_string();
            out.last_mut().unwrap().push((t, s.col));
        }
        out
    }

    #[test]
    fn cell_spaces_are_found_by_their_bytes_as_by_their_characters() {
        let all: String = (0..0x3100u32)
            .chain([0xFEFF, 0x1F600])
            .filter_map(char::from_u32)
            .flat_map(|c| [c, 'a'])
            .collect();
        let mut by_bytes = Vec::new();
        let mut from = 0;
        while let Some((i, width)) = next_cell_space(&all, from) {
            by_bytes.push((i, width));
            from = i + width;
        }
        let by_chars: Vec<(usize, usize)> = all
            .char_indices()
            .filter(|&(_, c)| cell_space(c))
            .map(|(i, c)| (i, c.len_utf8()))
            .collect();
        assert_eq!(by_bytes, by_chars);
        assert_eq!(by_chars.len(), 6 + 1 + 1 + 11 + 3 + 1);
    }

    #[test]
    fn spans_expand_to_grid_columns_without_repeating_cells() {
        let page = "<table>
            <tr><td rowspan=2 colspan=2>项目</td><td colspan=3>申请人情况</td></tr>
            <tr><td>自然人</td><td>法人</td><td>总计</td></tr>
            <tr><td rowspan=2>三、结果</td><td>（一）予以公开</td><td>1</td><td>2</td><td>3</td></tr>
            <tr><td>（二）部分公开</td><td>&nbsp;</td><td><p>4</p></td><td>4<br/></td></tr>
        </table>";
        let r = render(page, &cfg()).unwrap();
        let g = grid(&r);
        let row =
            |i: usize| -> Vec<(&str, u16)> { g[i].iter().map(|(t, c)| (t.as_str(), *c)).collect() };
        assert_eq!(row(0), [("项目", 0), ("申请人情况", 2)]);
        assert_eq!(row(1), [("自然人", 2), ("法人", 3), ("总计", 4)]);
        assert_eq!(
            row(2),
            [
                ("三、结果", 0),
                ("（一）予以公开", 1),
                ("1", 2),
                ("2", 3),
                ("3", 4)
            ]
        );
        // The rowspan's slot is not a cell: the row starts at column 1.
        assert_eq!(
            row(3),
            [("（二）部分公开", 1), ("\u{A0}", 2), ("4", 3), ("4", 4)]
        );
    }

    #[test]
    fn chrome_scripts_and_link_lines_are_not_text() {
        let page = r#"<html><head><meta charset="gbk"><title>某县2023年政府信息公开工作年度报告</title>
            <script>var t = "2019年报告";</script><style>p{}</style></head><body>
            <div class="top-nav"><a href="/">首页</a></div>
            <nav>政务公开</nav>
            <ul><li><a href="a">2022年政府信息公开工作年度报告</a></li></ul>
            <h1>某县2023年<br>政府信息公开工作年度报告</h1>
            <p>本报告    所列数据<a href="x">详见</a>附件。</p>
            <div id="footer">版权所有：某县人民政府办公室</div>
            </body></html>"#;
        let r = render(page, &cfg()).unwrap();
        assert_eq!(
            r.text,
            "某县2023年政府信息公开工作年度报告\n某县2023年\n政府信息公开工作年度报告\n本报告 所列数据详见附件。\n"
        );
        assert!(r.spans.is_empty());
    }

    #[test]
    fn the_tree_builders_fix_ups_are_kept() {
        let cells = |page: &str| {
            let r = render(page, &cfg()).unwrap();
            (r.text.clone(), grid(&r))
        };
        let c = |t: &str, col: u16| (t.to_string(), col);
        // Implied `</td>` and `<tr>` ends; an attribute's quotes and blanks.
        assert_eq!(
            cells("<table><tr><td>规章<td>5<tr><td>行政许可<td colspan=\" 2 \">3</table>"),
            (
                "规章\t5\n行政许可\t3\n".to_string(),
                vec![
                    vec![c("规章", 0), c("5", 1)],
                    vec![c("行政许可", 0), c("3", 1)]
                ]
            )
        );
        // Text misplaced in a table is moved before it (foster parenting).
        assert_eq!(
            cells("<p>前</p><table>游离<tr><td>1</td>文字</tr></table><p>后"),
            ("前\n游离文字\n1\n后\n".to_string(), vec![vec![c("1", 0)]])
        );
        // Misnested formatting is reparented (the adoption agency).
        assert_eq!(cells("<b>粗<p>段</b>尾</p>").0, "粗\n段尾\n");
        // A second `<body>` adds the attributes the first lacks: here a
        // chrome class, so the whole body is chrome.
        assert_eq!(cells("<body id=main><p>正文</p><body class=\"nav\">").0, "");
        assert_eq!(
            cells("<body class=main><p>正文</p><body class=\"nav\">").0,
            "正文\n"
        );
        // Chrome holding a table is read; a `<br>` in a cell is a space.
        assert_eq!(
            cells("<div class=nav><table><tr><td>a</td><td>1</td></tr></table>菜单</div>").0,
            "a\t1\n菜单\n"
        );
        assert_eq!(
            cells("<table><tr><td>甲<br>乙</td><td><script>x</script>1&nbsp;2</td></tr></table>"),
            (
                "甲 乙\t1\u{A0}2\n".to_string(),
                vec![vec![c("甲 乙", 0), c("1\u{A0}2", 1)]]
            )
        );
    }

    #[test]
    fn layout_tables_are_flow_and_their_inner_tables_are_grids() {
        let page = "<table><tr><td class=menu><a>首页</a></td></tr><tr><td><p>正文第一段</p>
            <table><tr><td>规章</td><td>5</td></tr></table><p>落款</p></td></tr></table>";
        let r = render(page, &cfg()).unwrap();
        assert_eq!(r.text, "正文第一段\n规章\t5\n落款\n");
        assert_eq!(
            grid(&r),
            vec![vec![("规章".to_string(), 0), ("5".to_string(), 1)]]
        );
        // A table with a long prose cell is layout too.
        let long = format!(
            "<table><tr><td>{}</td></tr><tr><td>规章</td><td>5</td></tr></table>",
            "字".repeat(301)
        );
        let r = render(&long, &cfg()).unwrap();
        assert!(r.spans.is_empty());
        assert!(r.text.ends_with("规章\n5\n"));
    }

    #[test]
    fn pre_keeps_its_lines_and_hostile_spans_are_clamped() {
        let r = render("<pre>规章\t1\t2\n\n行政许可\t3</pre>", &cfg()).unwrap();
        assert_eq!(r.text, "规章\t1\t2\n行政许可\t3\n");
        let r = render(
            "<table><tr><td colspan=99999999 rowspan=0>a</td><td colspan=-3>b</td></tr><tr><td>c</td></tr></table>",
            &cfg(),
        )
        .unwrap();
        let g = grid(&r);
        assert_eq!(g[0][1], ("b".to_string(), 1000));
        assert_eq!(g[1][0], ("c".to_string(), 1000));
    }

    #[test]
    fn deep_nesting_is_refused_and_counted_to_the_end_and_moderate_nesting_renders() {
        let deep = |n: usize| {
            format!(
                "{}规章{}",
                "<div><span>".repeat(n),
                "</span></div>".repeat(n)
            )
        };
        assert_eq!(
            render(&deep(100_000), &cfg()).unwrap_err(),
            TooDeep {
                depth: 200_000,
                limit: 400
            }
        );
        assert_eq!(render(&deep(200), &cfg()).unwrap().text, "规章\n");
        // Implicitly closed elements do not count: 5,000 open `<td>`s and
        // `<p>`s nest one deep (the table).
        let flat = format!(
            "<table><tr>{}</table>{}",
            "<td>1".repeat(5000),
            "<p>段".repeat(5000)
        );
        let shallow = |limit| HtmlConfig {
            max_depth: limit,
            ..cfg()
        };
        assert!(render(&flat, &shallow(1)).is_ok());
        assert_eq!(
            render(&flat, &shallow(0)).unwrap_err(),
            TooDeep { depth: 1, limit: 0 }
        );
        // Tags inside a script are its text, not elements.
        let script = format!("<script>{}</script><p>规章", "<div>".repeat(1000));
        assert_eq!(render(&script, &cfg()).unwrap().text, "规章\n");
    }
}
