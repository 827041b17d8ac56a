//! A plan → a Word file (.docx): the report's paragraphs and real Word
//! tables, as a government office's Word or WPS saves them.
//!
//! It takes the blocks of `doc` and writes a zip (deflated entries, a fixed
//! 1980 time stamp, so the same plan gives the same bytes) holding the four
//! parts a reader needs: content types, the package relationships,
//! `word/document.xml` and its styles. Tables are `w:tbl` with a `w:tblGrid`;
//! a cell spanning columns has `w:gridSpan`, one spanning rows `w:vMerge`
//! restart then continue in every row below. Per document, drawn from the
//! render stream: the 三、本年度办理结果 cell set vertically (`tbRlV`), header
//! rows marked to repeat (`w:tblHeader`), long labels as two paragraphs or
//! with a `w:br` inside their cell, values split into two runs between
//! digits, captions filled light blue. XML is written as text, escaped as
//! HTML text is (`&`, `<`, `>`; the plan prints no control characters).

use std::fmt::Write as _;
use std::io::Write as _;

use super::doc::{self, Block, Grid, Role};
use super::html::esc;
use super::plan::Plan;
use super::rng::Rng;

/// The document's choices, drawn per report.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    vertical: bool,
    repeat_header: bool,
    /// 0: labels whole; 1: long labels as two paragraphs; 2: with a `w:br`.
    wrap: u8,
    split_runs: bool,
    fill: bool,
}

impl Style {
    fn draw(rng: &mut Rng) -> Style {
        Style {
            vertical: rng.chance(0.5),
            repeat_header: rng.chance(0.5),
            wrap: rng.weighted(&[50, 30, 20]) as u8,
            split_runs: rng.chance(0.3),
            fill: rng.chance(0.5),
        }
    }

    /// The traits, for the oracle's `about`.
    pub fn traits(&self) -> Vec<&'static str> {
        let mut t = vec!["Word tables with gridSpan and vMerge"];
        if self.vertical {
            t.push("the outcome group label set vertically (tbRlV)");
        }
        if self.repeat_header {
            t.push("header rows marked to repeat (tblHeader)");
        }
        match self.wrap {
            1 => t.push("long labels as two paragraphs in their cell"),
            2 => t.push("long labels broken by a w:br"),
            _ => {}
        }
        if self.split_runs {
            t.push("values split into two runs between digits");
        }
        if self.fill {
            t.push("captions filled light blue");
        }
        t
    }
}

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// The text width of an A4 page with 1800-twip side margins.
const TEXT_WIDTH: u32 = 8306;

fn run(out: &mut String, text: &str, bold: bool) {
    out.push_str("<w:r>");
    if bold {
        out.push_str("<w:rPr><w:b/></w:rPr>");
    }
    out.push_str("<w:t xml:space=\"preserve\">");
    esc(out, text);
    out.push_str("</w:t></w:r>");
}

/// A paragraph: alignment (`center`, `right`, or none), first-line indent,
/// bold.
fn para(out: &mut String, text: &str, jc: Option<&str>, indent: bool, bold: bool) {
    out.push_str("<w:p>");
    if jc.is_some() || indent {
        out.push_str("<w:pPr>");
        if indent {
            out.push_str("<w:ind w:firstLine=\"640\"/>");
        }
        if let Some(j) = jc {
            let _ = write!(out, "<w:jc w:val=\"{j}\"/>");
        }
        out.push_str("</w:pPr>");
    }
    if !text.is_empty() {
        run(out, text, bold);
    }
    out.push_str("</w:p>");
}

/// The byte offset of the middle character of `s`.
fn middle(s: &str) -> usize {
    let n = s.chars().count();
    s.char_indices().nth(n / 2).map_or(s.len(), |(i, _)| i)
}

/// The paragraphs of one cell.
fn cell_text(out: &mut String, c: &doc::Cell, st: Style) {
    let bold = matches!(c.role, Role::Header | Role::Caption);
    let jc = match c.role {
        Role::Label | Role::Caption => None,
        _ => Some("center"),
    };
    let long = c.role == Role::Label && c.text.chars().count() >= 10;
    if long && st.wrap == 1 {
        let at = middle(&c.text);
        para(out, &c.text[..at], jc, false, bold);
        para(out, &c.text[at..], jc, false, bold);
        return;
    }
    out.push_str("<w:p>");
    if let Some(j) = jc {
        let _ = write!(out, "<w:pPr><w:jc w:val=\"{j}\"/></w:pPr>");
    }
    let digits = c.text.len() >= 2 && c.text.bytes().all(|b| b.is_ascii_digit());
    if long && st.wrap == 2 {
        let at = middle(&c.text);
        run(out, &c.text[..at], bold);
        out.push_str("<w:r><w:br/></w:r>");
        run(out, &c.text[at..], bold);
    } else if c.role == Role::Value && st.split_runs && digits {
        // `1` + `023`: Word splits runs where an edit or a spell check
        // touched the text.
        run(out, &c.text[..1], false);
        run(out, &c.text[1..], false);
    } else if !c.text.is_empty() {
        run(out, &c.text, bold);
    }
    out.push_str("</w:p>");
}

fn table(out: &mut String, g: &Grid, st: Style) {
    let total: u32 = g.widths.iter().sum::<u32>().max(1);
    let widths: Vec<u32> = g.widths.iter().map(|w| w * TEXT_WIDTH / total).collect();
    out.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblBorders>",
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            out,
            "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        );
    }
    out.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>");
    for w in &widths {
        let _ = write!(out, "<w:gridCol w:w=\"{w}\"/>");
    }
    out.push_str("</w:tblGrid>");
    for r in 0..g.nrows {
        out.push_str("<w:tr>");
        if st.repeat_header && r < g.header_rows {
            out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        let mut col = 0;
        while col < g.ncols {
            let Some(c) = g.covering(r, col) else {
                // A grid position no cell covers (none in the plan's
                // tables): an empty cell keeps the row whole.
                let _ = write!(
                    out,
                    "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/></w:tcPr><w:p/></w:tc>",
                    widths[col]
                );
                col += 1;
                continue;
            };
            let w: u32 = widths[c.col..c.col + c.colspan].iter().sum();
            let _ = write!(out, "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
            if c.colspan > 1 {
                let _ = write!(out, "<w:gridSpan w:val=\"{}\"/>", c.colspan);
            }
            let origin = c.row == r;
            if c.rowspan > 1 {
                out.push_str(if origin {
                    "<w:vMerge w:val=\"restart\"/>"
                } else {
                    "<w:vMerge/>"
                });
            }
            if c.role == Role::Caption && st.fill {
                out.push_str("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"DEEAF6\"/>");
            }
            if st.vertical && c.role == Role::Group && c.col == 0 {
                out.push_str("<w:textDirection w:val=\"tbRlV\"/>");
            }
            out.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
            if origin {
                cell_text(out, c, st);
            } else {
                out.push_str("<w:p/>");
            }
            out.push_str("</w:tc>");
            col = c.col + c.colspan;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// `word/document.xml`.
fn document(p: &Plan, st: Style) -> String {
    let mut out = String::with_capacity(160 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W_NS}\"><w:body>"
    );
    for b in doc::blocks(p) {
        match &b {
            Block::Title(t) => para(&mut out, t, Some("center"), false, true),
            Block::Heading(t) => para(&mut out, t, None, true, true),
            Block::Para(t) => para(&mut out, t, None, true, false),
            Block::Caption(t) => para(&mut out, t, Some("center"), false, false),
            Block::Right(t) => para(&mut out, t, Some("right"), false, false),
            Block::Table(g) => {
                table(&mut out, g, st);
                // Word needs a paragraph between two tables, or it joins them.
                para(&mut out, "", None, false, false);
            }
        }
    }
    out.push_str("<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1800\" w:bottom=\"1440\" w:left=\"1800\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>");
    out
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/></Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>";

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:eastAsia=\"宋体\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/><w:sz w:val=\"24\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style><w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblCellMar><w:left w:w=\"108\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style></w:styles>";

/// The .docx bytes of `p`, and the document's traits.
pub fn render(p: &Plan, rng: &mut Rng) -> Result<(Vec<u8>, Vec<&'static str>), String> {
    let st = Style::draw(rng);
    let body = document(p, st);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(48 * 1024)));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(zip::DateTime::default());
    let parts: [(&str, &str); 5] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/document.xml", &body),
        ("word/styles.xml", STYLES),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts)
            .and_then(|()| zip.write_all(text.as_bytes()).map_err(Into::into))
            .map_err(|e| format!("docx {name}: {e}"))?;
    }
    let bytes = zip.finish().map_err(|e| format!("docx: {e}"))?.into_inner();
    Ok((bytes, st.traits()))
}

/// `word/document.xml` of `p` as `render` writes it (for tests).
#[cfg(test)]
pub fn document_xml(p: &Plan, rng: &mut Rng) -> String {
    document(p, Style::draw(rng))
}
