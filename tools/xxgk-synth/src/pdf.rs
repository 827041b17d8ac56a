//! A plan → a PDF report as WPS, Word and Java (iText) generators export
//! them (crates.md "PDF", real-pdf/README.md), written by hand.
//!
//! It takes the blocks of `doc` and lays them out on A4 pages: paragraphs
//! wrapped at any character, ruled tables whose cells are stroked as line
//! segments (four edges each, caption rows filled light blue), text wrapped
//! inside its cell with a value centred on the label's middle line, rows
//! that do not fit moved to the next page, a cell spanning rows cut by the
//! break (its text continuing on the next page), page numbers `- N -`.
//! Every glyph is its own string (`<code> Tj`, moved by `Td`); no space
//! glyph is ever drawn: a space is a distance.
//!
//! Per document, drawn from the render stream: the font (a Type0 font with
//! Identity-H, codes assigned per character in order of first use and a
//! ToUnicode CMap, no font program; or `STSong-Light` with the predefined
//! `UniGB-UCS2-H`, not embedded, as iText writes it), fake bold (render mode
//! 2, or a second stroke-only pass over the same glyphs), the outcome group
//! label one glyph per line in a narrow column, header rows repeated on the
//! next page, a running header, deflated content streams. The same plan and
//! stream give the same bytes: no dates, no ids.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

use super::doc::{self, Block, Cell, Grid, Role, What};
use super::plan::Plan;
use super::rng::Rng;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 72.0;
const TOP: f32 = 72.0;
const BOTTOM: f32 = 72.0;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;
/// Cell padding.
const PAD: f32 = 3.0;
/// Table text size (五号, as WPS sets report tables) and line height: the
/// requests table is taller than a page, as in real reports.
const CELL_SIZE: f32 = 10.5;
const CELL_LH: f32 = 15.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    /// Type0, Identity-H, own codes, ToUnicode.
    Cid,
    /// STSong-Light, UniGB-UCS2-H.
    StSong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bold {
    None,
    /// Text render mode 2: fill, then stroke, in one drawing.
    Mode2,
    /// The glyphs drawn again in stroke-only mode.
    Twice,
}

#[derive(Debug, Clone, Copy)]
struct Style {
    font: Font,
    bold: Bold,
    vertical: bool,
    repeat_header: bool,
    running_header: bool,
    compress: bool,
}

impl Style {
    fn draw(rng: &mut Rng) -> Style {
        Style {
            font: if rng.chance(0.25) {
                Font::StSong
            } else {
                Font::Cid
            },
            bold: match rng.weighted(&[40, 30, 30]) {
                0 => Bold::None,
                1 => Bold::Mode2,
                _ => Bold::Twice,
            },
            vertical: rng.chance(0.4),
            repeat_header: rng.chance(0.5),
            running_header: rng.chance(0.5),
            compress: rng.chance(0.8),
        }
    }

    fn traits(&self) -> Vec<&'static str> {
        let mut t = vec![match self.font {
            Font::Cid => "Type0 font, Identity-H, ToUnicode, not embedded",
            Font::StSong => "STSong-Light, UniGB-UCS2-H, not embedded",
        }];
        match self.bold {
            Bold::Mode2 => t.push("bold headers in render mode 2"),
            Bold::Twice => t.push("bold headers drawn twice (fill, then stroke)"),
            Bold::None => {}
        }
        if self.vertical {
            t.push("the outcome group label one glyph per line");
        }
        t.push(if self.repeat_header {
            "table headers repeated after a page break"
        } else {
            "table headers not repeated after a page break"
        });
        if self.running_header {
            t.push("a running header");
        }
        t
    }
}

/// A glyph's advance in em.
fn advance(c: char) -> f32 {
    if c.is_ascii() {
        0.5
    } else {
        1.0
    }
}

fn width(s: &str, size: f32) -> f32 {
    s.chars().map(advance).sum::<f32>() * size
}

/// `s` broken into lines no wider than `first` (the first line) and `rest`.
fn wrap(s: &str, size: f32, first: f32, rest: f32) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut w, mut limit) = (0, 0.0f32, first);
    for (i, c) in s.char_indices() {
        let a = advance(c) * size;
        if w + a > limit + 0.01 && i > start {
            out.push(&s[start..i]);
            start = i;
            w = 0.0;
            limit = rest;
        }
        w += a;
    }
    if start < s.len() || out.is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// The x of every column edge of a table spanning the text width.
pub(crate) fn column_xs(g: &Grid) -> Vec<f32> {
    let total: u32 = g.widths.iter().sum::<u32>().max(1);
    let mut xs = Vec::with_capacity(g.widths.len() + 1);
    let mut x = LEFT;
    xs.push(x);
    for w in &g.widths {
        x += WIDTH * *w as f32 / total as f32;
        xs.push(x);
    }
    xs
}

/// A cell's lines and text size as a table prints them: the outcome group
/// label one glyph per line (`vertical`), a value on one line (smaller if
/// it must), any other text wrapped to the cell.
pub(crate) fn cell_lines<'c>(
    g: &Grid,
    c: &'c Cell,
    xs: &[f32],
    vertical: bool,
) -> (Vec<&'c str>, f32) {
    let inner = xs[c.col + c.colspan] - xs[c.col] - 2.0 * PAD;
    if c.role == Role::Group && c.col == 0 && g.what == What::Requests && vertical {
        let lines = c
            .text
            .char_indices()
            .map(|(i, ch)| &c.text[i..i + ch.len_utf8()]);
        (lines.collect(), CELL_SIZE)
    } else if c.role == Role::Value {
        let w = width(&c.text, CELL_SIZE);
        let size = if w > inner {
            (CELL_SIZE * inner / w).max(5.0)
        } else {
            CELL_SIZE
        };
        (vec![c.text.as_str()], size)
    } else {
        (wrap(&c.text, CELL_SIZE, inner, inner), CELL_SIZE)
    }
}

struct Writer {
    st: Style,
    pages: Vec<String>,
    /// Top of the free space on the last page.
    y: f32,
    /// Identity-H codes in order of first use.
    cids: HashMap<char, u16>,
    chars: Vec<char>,
}

impl Writer {
    fn new_page(&mut self) {
        self.pages.push(String::with_capacity(64 * 1024));
        self.y = PAGE_H - TOP;
    }

    fn page(&self) -> usize {
        self.pages.len() - 1
    }

    /// The code of `c` as four hex digits.
    fn code(&mut self, c: char) -> u32 {
        match self.st.font {
            Font::StSong => c as u32 & 0xFFFF,
            Font::Cid => {
                let next = self.chars.len() as u16 + 1;
                let cid = *self.cids.entry(c).or_insert(next);
                if cid == next {
                    self.chars.push(c);
                }
                u32::from(cid)
            }
        }
    }

    /// Draws `text` on `page` from (x, y), one string per glyph.
    fn glyphs(&mut self, page: usize, x: f32, y: f32, size: f32, text: &str, bold: bool) {
        let passes: &[&str] = match (bold, self.st.bold) {
            (true, Bold::Mode2) => &["2 Tr 0.3 w "],
            (true, Bold::Twice) => &["0 Tr ", "1 Tr 0.3 w "],
            _ => &[""],
        };
        let codes: Vec<(f32, Option<u32>)> = {
            let mut at = x;
            let mut v = Vec::with_capacity(text.len() / 2);
            for c in text.chars() {
                let code = (!c.is_whitespace()).then(|| self.code(c));
                v.push((at, code));
                at += advance(c) * size;
            }
            v
        };
        let out = &mut self.pages[page];
        for pass in passes {
            let _ = write!(out, "BT {pass}/F1 {size:.1} Tf 1 0 0 1 {x:.2} {y:.2} Tm ");
            let mut last = x;
            for &(gx, code) in &codes {
                let Some(code) = code else { continue };
                if gx != last {
                    let _ = write!(out, "{:.2} 0 Td ", gx - last);
                    last = gx;
                }
                let _ = write!(out, "<{code:04X}> Tj ");
            }
            out.push_str("ET\n");
        }
        if bold && self.st.bold != Bold::None {
            out.push_str("BT 0 Tr ET\n");
        }
    }

    /// A paragraph from the cursor; new pages as needed.
    fn para(&mut self, text: &str, size: f32, lh: f32, align: u8, bold: bool) {
        let indent = if align == 0 { 2.0 * size } else { 0.0 };
        for (i, line) in wrap(text, size, WIDTH - indent, WIDTH)
            .into_iter()
            .enumerate()
        {
            if self.y - lh < BOTTOM {
                self.new_page();
            }
            let w = width(line, size);
            let x = match align {
                1 => LEFT + (WIDTH - w) / 2.0,
                2 => LEFT + WIDTH - w,
                _ => LEFT + if i == 0 { indent } else { 0.0 },
            };
            let base = self.y - (lh + size) / 2.0 + 1.0;
            let page = self.page();
            self.glyphs(page, x, base, size, line, bold);
            self.y -= lh;
        }
    }

    fn table(&mut self, g: &Grid) {
        let xs = column_xs(g);
        let vertical = self.st.vertical;
        let laid: Vec<(Vec<&str>, f32)> = g
            .cells
            .iter()
            .map(|c| cell_lines(g, c, &xs, vertical))
            .collect();
        let need = |i: usize| laid[i].0.len() as f32 * CELL_LH + 2.0 * PAD;
        let mut heights = vec![CELL_LH + 2.0 * PAD; g.nrows];
        for (i, c) in g.cells.iter().enumerate() {
            if c.rowspan == 1 {
                heights[c.row] = heights[c.row].max(need(i));
            }
        }
        for (i, c) in g.cells.iter().enumerate() {
            let span = c.row..c.row + c.rowspan;
            let sum: f32 = heights[span.clone()].iter().sum();
            if c.rowspan > 1 && need(i) > sum {
                heights[span.end - 1] += need(i) - sum;
            }
        }
        // Rows on pages: header rows stay with the first body row.
        let head = g.header_rows.min(g.nrows);
        let head_h: f32 = heights[..head].iter().sum();
        let first = heights.get(head).copied().unwrap_or(0.0);
        if self.y - head_h - first < BOTTOM {
            self.new_page();
        }
        let mut place = Vec::with_capacity(g.nrows);
        let mut repeats = Vec::new();
        for (r, h) in heights.iter().enumerate() {
            if self.y - h < BOTTOM && r > 0 {
                self.new_page();
                if self.st.repeat_header && r >= head && head > 0 {
                    repeats.push((self.page(), self.y));
                    self.y -= head_h;
                }
            }
            place.push((self.page(), self.y));
            self.y -= h;
        }
        for (i, c) in g.cells.iter().enumerate() {
            self.cell(c, &laid[i], &xs, &heights, &place);
        }
        for (page, top) in repeats {
            let mut at = Vec::with_capacity(head);
            let mut y = top;
            for h in &heights[..head] {
                at.push((page, y));
                y -= h;
            }
            for (i, c) in g.cells.iter().enumerate() {
                if c.row + c.rowspan <= head {
                    self.cell(c, &laid[i], &xs, &heights[..head], &at);
                }
            }
        }
        self.y -= 10.0;
    }

    /// One cell: its box on every page it reaches, then its lines, each on
    /// the page its place in the cell falls on.
    fn cell(
        &mut self,
        c: &Cell,
        (lines, size): &(Vec<&str>, f32),
        xs: &[f32],
        heights: &[f32],
        place: &[(usize, f32)],
    ) {
        let (x0, x1) = (xs[c.col], xs[c.col + c.colspan]);
        let rows = c.row..(c.row + c.rowspan).min(place.len());
        let mut r = rows.start;
        while r < rows.end {
            let (page, top) = place[r];
            let mut last = r;
            while last + 1 < rows.end && place[last + 1].0 == page {
                last += 1;
            }
            let bottom = place[last].1 - heights[last];
            let out = &mut self.pages[page];
            if c.role == Role::Caption {
                let _ = writeln!(
                    out,
                    "0.87 0.92 0.97 rg {x0:.2} {bottom:.2} {:.2} {:.2} re f 0 g",
                    x1 - x0,
                    top - bottom
                );
            }
            let _ = writeln!(
                out,
                "0.5 w {x0:.2} {top:.2} m {x1:.2} {top:.2} l S {x1:.2} {top:.2} m {x1:.2} {bottom:.2} l S {x1:.2} {bottom:.2} m {x0:.2} {bottom:.2} l S {x0:.2} {bottom:.2} m {x0:.2} {top:.2} l S"
            );
            r = last + 1;
        }
        let total: f32 = heights[rows.clone()].iter().sum();
        let block = lines.len() as f32 * CELL_LH;
        let off0 = (total - block) / 2.0;
        let bold = matches!(c.role, Role::Header | Role::Caption);
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            // The line's middle, measured down from the cell's top.
            let o = off0 + (i as f32 + 0.5) * CELL_LH;
            let mut k = rows.start;
            let mut from = 0.0;
            while k + 1 < rows.end && from + heights[k] <= o {
                from += heights[k];
                k += 1;
            }
            let (page, top) = place[k];
            let base = top - (o - from) - size * 0.35;
            let w = width(line, *size);
            let x = match c.role {
                Role::Label | Role::Caption => x0 + PAD,
                _ => x0 + (x1 - x0 - w) / 2.0,
            };
            self.glyphs(page, x, base, *size, line, bold);
        }
    }

    /// Page numbers and running headers on every page.
    fn furniture(&mut self, header: &str) {
        let n = self.pages.len();
        for i in 0..n {
            let num = format!("- {} -", i + 1);
            let x = (PAGE_W - width(&num, 10.5)) / 2.0;
            self.glyphs(i, x, 40.0, 10.5, &num, false);
            if self.st.running_header && i > 0 {
                let x = (PAGE_W - width(header, 9.0)) / 2.0;
                self.glyphs(i, x, PAGE_H - 48.0, 9.0, header, false);
                let y = PAGE_H - 52.0;
                let _ = writeln!(
                    self.pages[i],
                    "0.5 w {LEFT:.2} {y:.2} m {:.2} {y:.2} l S",
                    LEFT + WIDTH
                );
            }
        }
    }
}

/// The ToUnicode CMap of the Identity-H codes.
fn to_unicode(chars: &[char]) -> String {
    let mut s = String::from("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for (b, block) in chars.chunks(100).enumerate() {
        let _ = writeln!(s, "{} beginbfchar", block.len());
        for (i, c) in block.iter().enumerate() {
            let _ = write!(s, "<{:04X}> <", b * 100 + i + 1);
            let mut u = [0u16; 2];
            for unit in c.encode_utf16(&mut u) {
                let _ = write!(s, "{unit:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

fn stream(dict: &str, data: &[u8], compress: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    let deflated;
    let (body, filter) = if compress {
        deflated = miniz_oxide::deflate::compress_to_vec_zlib(data, 1);
        (&deflated[..], " /Filter /FlateDecode")
    } else {
        (data, "")
    };
    let _ = write!(out, "<< {dict}/Length {}{filter} >>\nstream\n", body.len());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendstream");
    out
}

/// The PDF file: catalog, page tree, pages, fonts, info, cross-reference.
fn assemble(w: &Writer) -> Vec<u8> {
    let n = w.pages.len();
    // 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, 6 info,
    // 7 ToUnicode (Identity-H only), then page and content pairs.
    let first_page = 8;
    let mut objs: Vec<Vec<u8>> = Vec::with_capacity(8 + 2 * n);
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..n)
        .map(|i| format!("{} 0 R", first_page + 2 * i))
        .collect();
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    match w.st.font {
        Font::Cid => {
            objs.push(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>".to_vec());
            let mut widths = String::new();
            for (i, c) in w.chars.iter().enumerate() {
                if c.is_ascii() {
                    let _ = write!(widths, "{} [500] ", i + 1);
                }
            }
            objs.push(format!("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W [{widths}] /CIDToGIDMap /Identity >>").into_bytes());
            objs.push(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [-8 -145 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>".to_vec());
        }
        Font::StSong => {
            objs.push(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>".to_vec());
            objs.push(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>".to_vec());
            objs.push(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_vec());
        }
    }
    objs.push(b"<< /Producer (xxgk-synth) >>".to_vec());
    objs.push(match w.st.font {
        Font::Cid => stream("", to_unicode(&w.chars).as_bytes(), false),
        // Unreferenced without a ToUnicode: an empty dictionary keeps the
        // numbering.
        Font::StSong => b"<< >>".to_vec(),
    });
    for (i, content) in w.pages.iter().enumerate() {
        objs.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", first_page + 2 * i + 1).into_bytes());
        objs.push(stream("", content.as_bytes(), w.st.compress));
    }
    let mut out = Vec::with_capacity(objs.iter().map(Vec::len).sum::<usize>() + 1024);
    out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let mut offsets = Vec::with_capacity(objs.len());
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        let _ = writeln!(out, "{} 0 obj", i + 1);
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1);
    for off in offsets {
        let _ = writeln!(out, "{off:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    );
    out
}

/// The PDF bytes of `p`, its page count and the document's traits.
pub fn render(p: &Plan, rng: &mut Rng) -> (Vec<u8>, u32, Vec<&'static str>) {
    let st = Style::draw(rng);
    let mut w = Writer {
        st,
        pages: Vec::new(),
        y: 0.0,
        cids: HashMap::with_capacity(600),
        chars: Vec::with_capacity(600),
    };
    w.new_page();
    w.y -= 20.0;
    for b in doc::blocks(p) {
        match &b {
            Block::Title(t) => {
                w.para(t, 18.0, 30.0, 1, true);
                w.y -= 12.0;
            }
            Block::Heading(t) => w.para(t, 12.0, 24.0, 0, true),
            Block::Para(t) => w.para(t, 12.0, 22.0, 0, false),
            Block::Caption(t) => w.para(t, 10.5, 20.0, 1, false),
            Block::Right(t) => w.para(t, 12.0, 22.0, 2, false),
            Block::Table(g) => w.table(g),
        }
    }
    w.furniture(&format!("{}{}年政府信息公开工作年度报告", p.org, p.year));
    let pages = w.pages.len() as u32;
    (assemble(&w), pages, st.traits())
}
