//! Bytes of any format → `Rendered`: the readers' half of the one intermediate.
//!
//! One module per format, as calamine has: `text` (plain text in any
//! encoding), `html`, `docx` (legacy Word files are recognised and refused),
//! and the ones that follow; `grid` expands table spans for all of them. Each gives the same thing, a
//! `Rendered`: lines of text, and for the lines that are table rows, their
//! cells with a grid column. `segment` takes a `Rendered` and the matcher
//! sees only `segment::Doc`, whatever the format was. `read` holds the only
//! `match` on the format.

pub mod decode;
pub mod docx;
pub mod grid;
pub mod html;
pub mod pdf;
pub mod text;

use crate::model::Format;
use crate::settings::Settings;

/// One table cell of a `Rendered`: its line in the text, byte range and grid
/// column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub line: u32,
    pub start: u32,
    pub end: u32,
    pub col: u16,
}

/// How the text carried its tables: set by a reader that built the table
/// grid itself (HTML, DOCX, PDF), else told from the lines by `segment`.
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
    /// Cells from a DOCX file's Word tables.
    Docx,
    /// Cells cut from a PDF page's geometry (ruling lines, gaps).
    Pdf,
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
            Layout::Docx => "docx",
            Layout::Pdf => "pdf",
            Layout::Prose => "prose",
        }
    }
}

/// A document as its reader gives it.
#[derive(Debug, Default)]
pub struct Rendered {
    /// The text, lines separated by `\n`.
    pub text: String,
    /// Table cells in reading order (lines without cells go through
    /// `segment`'s text rules).
    pub cells: Vec<Span>,
    /// The layout, when the reader knows it (a table grid it built itself);
    /// `None` lets `segment` tell it from the lines.
    pub layout: Option<Layout>,
    /// The text encoding it was read in (`utf-8` for formats that carry
    /// Unicode).
    pub encoding: &'static str,
    /// Warnings about the reading (code, message without the path).
    pub notes: Vec<(&'static str, String)>,
    /// Pages of a paged format, and the 1-based line each page starts on.
    pub pages: Option<u32>,
    pub page_starts: Vec<u32>,
}

impl Rendered {
    /// The 1-based page of a 1-based text line (`None` for a format without
    /// pages).
    pub fn page_of_line(&self, line: u32) -> Option<u32> {
        self.pages?;
        let after = self.page_starts.partition_point(|&s| s <= line);
        Some(after.max(1) as u32)
    }
}

/// Why a file is not read: a `reports` row with status `unreadable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
    /// Pages of a paged file refused after its pages were counted (a scan).
    pub pages: Option<u32>,
}

impl Refused {
    pub fn new(code: &'static str, message: impl Into<String>) -> Refused {
        Refused {
            code,
            message: message.into(),
            pages: None,
        }
    }

    /// The same refusal, saying how many pages the file has.
    pub fn with_pages(mut self, pages: usize) -> Refused {
        self.pages = Some(pages.min(u32::MAX as usize) as u32);
        self
    }
}

/// Builds a `Rendered` line by line: the one way a reader that cuts its own
/// cells (a table grid, a page's geometry) writes them.
#[derive(Debug, Default)]
pub struct Builder {
    out: Rendered,
    lines: u32,
}

impl Builder {
    pub fn new(encoding: &'static str) -> Builder {
        Builder {
            out: Rendered {
                encoding,
                ..Rendered::default()
            },
            lines: 0,
        }
    }

    fn start_line(&mut self) -> u32 {
        if self.lines > 0 {
            self.out.text.push('\n');
        }
        self.lines = self.lines.saturating_add(1);
        self.lines
    }

    /// A line of flow text (a paragraph, a caption). Line breaks inside it
    /// become lines of their own.
    pub fn line(&mut self, text: &str) {
        for part in text.split('\n') {
            self.start_line();
            self.out.text.push_str(part.trim_end_matches('\r'));
        }
    }

    /// A table row: each cell's text and grid column, in column order. The
    /// line's text is the cells joined by tabs, so a reader of `text` sees
    /// the row too; a cell's own tabs and line breaks become spaces.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = (&'a str, u16)>) {
        let line = self.start_line();
        let mut first = true;
        for (text, col) in cells {
            if !first {
                self.out.text.push('\t');
            }
            first = false;
            let start = self.out.text.len();
            for c in text.trim().chars() {
                self.out.text.push(if matches!(c, '\t' | '\n' | '\r') {
                    ' '
                } else {
                    c
                });
            }
            let end = self.out.text.len();
            self.out.cells.push(Span {
                line,
                start: start.min(u32::MAX as usize) as u32,
                end: end.min(u32::MAX as usize) as u32,
                col,
            });
        }
    }

    /// The next line starts a new page.
    pub fn page(&mut self) {
        let next = self.lines.saturating_add(1);
        self.out.page_starts.push(next);
        self.out.pages = Some(self.out.page_starts.len() as u32);
    }

    pub fn note(&mut self, code: &'static str, message: String) {
        self.out.notes.push((code, message));
    }

    pub fn layout(&mut self, layout: Layout) {
        self.out.layout = Some(layout);
    }

    pub fn finish(self) -> Rendered {
        self.out
    }
}

/// Reads one file's bytes as `format`; gives the format it was read as (a
/// page saved under a text name is `Html`).
pub fn read(
    format: Format,
    bytes: Vec<u8>,
    settings: &Settings,
) -> Result<(Format, Rendered), Refused> {
    // What the bytes are wins over the file's name: a DOCX saved as `.doc`,
    // a web page saved as `.doc` or an error page saved as `.pdf` (both
    // common in crawls), a PDF saved as `.txt`.
    let sniffed = sniff(&bytes);
    let actual = match (format, sniffed) {
        // Office keeps a password-protected DOCX in an OLE file: the DOCX
        // reader tells it from a legacy document.
        (Format::Docx, Some(Format::Doc)) => Format::Docx,
        (f, Some(s)) if f != s => s,
        (Format::Docx | Format::Doc | Format::Pdf, None) => Format::Txt,
        (f, _) => f,
    };
    let mut out = read_as(actual, bytes, settings)?;
    if actual != format {
        out.1.notes.push((
            "file.misnamed",
            format!(
                "the file is named as {} but its bytes are {}; read as {}",
                format.as_str(),
                match sniffed {
                    Some(s) => s.as_str(),
                    None => "text",
                },
                out.0.as_str()
            ),
        ));
    }
    Ok(out)
}

/// The format a file's first bytes declare, for the formats with a
/// signature.
fn sniff(bytes: &[u8]) -> Option<Format> {
    // A PDF's header may follow up to 1,024 bytes of junk (ISO 32000 7.5.2).
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        Some(Format::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some(Format::Docx)
    } else if bytes.starts_with(&docx::OLE_MAGIC) {
        Some(Format::Doc)
    } else {
        None
    }
}

fn read_as(
    format: Format,
    bytes: Vec<u8>,
    settings: &Settings,
) -> Result<(Format, Rendered), Refused> {
    match format {
        Format::Txt => text::read(bytes, settings),
        Format::Html => html::read(bytes, settings).map(|r| (Format::Html, r)),
        Format::Docx => docx::read(bytes, settings).map(|r| (Format::Docx, r)),
        Format::Doc => Err(docx::legacy_word()),
        Format::Pdf => pdf::read(bytes, settings).map(|r| (Format::Pdf, r)),
    }
}

/// The lines of a `Rendered` as the readers' tests compare them: a line's
/// text, or its cells, each shown by `cell(column, text)`, joined by ` | `.
#[cfg(test)]
pub(crate) fn lines_shown(r: &Rendered, cell: impl Fn(u16, &str) -> String) -> Vec<String> {
    r.text
        .split('\n')
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<String> = r
                .cells
                .iter()
                .filter(|c| c.line as usize == i + 1)
                .map(|c| {
                    cell(
                        c.col,
                        r.text.get(c.start as usize..c.end as usize).unwrap_or(""),
                    )
                })
                .collect();
            if cells.is_empty() {
                line.to_string()
            } else {
                cells.join(" | ")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_writes_rows_as_tab_lines_with_cells_and_pages() {
        let mut b = Builder::new("utf-8");
        b.page();
        b.line("标题");
        b.row([("项目", 0), ("a\tb", 2)]);
        b.page();
        b.line("x\ny");
        let r = b.finish();
        assert_eq!(r.text, "标题\n项目\ta b\nx\ny");
        assert_eq!(r.cells.len(), 2);
        assert_eq!(
            &r.text[r.cells[1].start as usize..r.cells[1].end as usize],
            "a b"
        );
        assert_eq!((r.cells[1].line, r.cells[1].col), (2, 2));
        assert_eq!(r.pages, Some(2));
        assert_eq!(r.page_of_line(1), Some(1));
        assert_eq!(r.page_of_line(2), Some(1));
        assert_eq!(r.page_of_line(3), Some(2));
        assert_eq!(r.page_of_line(4), Some(2));
        assert_eq!(Rendered::default().page_of_line(1), None);
    }

    #[test]
    fn the_bytes_decide_the_format_over_the_name() {
        let s = crate::settings::load(None, None).expect("the embedded config loads");
        let page = b"<html><body><p>\xe6\xa0\x87\xe9\xa2\x98</p></body></html>".to_vec();
        let (f, r) = read(Format::Doc, page, &s).expect("a page saved as .doc is read");
        assert_eq!(f, Format::Html);
        assert!(r.notes.iter().any(|n| n.0 == "file.misnamed"));
        let docx = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/docx/html_spans_one_page.docx"
        ))
        .expect("the fixture");
        let (f, r) = read(Format::Txt, docx, &s).expect("a DOCX saved as .txt is read");
        assert_eq!(f, Format::Docx);
        assert!(r.notes.iter().any(|n| n.0 == "file.misnamed"));
        let mut ole = docx::OLE_MAGIC.to_vec();
        ole.extend([0, 0]);
        assert_eq!(
            read(Format::Docx, ole, &s).unwrap_err().code,
            "file.legacy_word"
        );
    }
}
