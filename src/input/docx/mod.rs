//! A DOCX file's bytes → `Rendered`: the body's paragraphs as lines and its
//! tables as rows of cells with grid columns.
//!
//! It takes the bytes of a WordprocessingML package (a zip) and the `[docx]`
//! limits, and gives a `Rendered`, or a `Refused` for a damaged package, a
//! zip bomb or an encrypted document. Only the main document part is read:
//! headers, footers, footnotes, comments and the other parts are not body.
//! `body` reads the part's XML; here the package is opened and the blocks are
//! laid out:
//!
//! - A paragraph is a line (a line break inside it starts a new line; empty
//!   paragraphs are dropped).
//! - A data table is one line per row, cells as `Builder::row` writes them,
//!   with `gridSpan`, `vMerge` and `gridBefore`/`gridAfter` placed by
//!   `input::grid`: a merged slot is not a cell, so no value is repeated. A
//!   cell's paragraphs join with a space, white space collapsed.
//! - A table holding another table, or a cell longer than
//!   `docx.max_cell_chars`, is page layout (as in `input::html`): its cells'
//!   paragraphs are lines and its inner tables are read in their place.
//!
//! Every entry is read through a bounded reader: the declared sizes of a zip
//! are never trusted. It does no I/O.

pub mod body;

use std::io::{Cursor, Read};

use serde::Deserialize;
use zip::ZipArchive;

use self::body::{Block, BodyError, Table};
use super::grid::{Grid, Slot};
use super::{Builder, Layout, Refused, Rendered};
use crate::settings::Settings;

/// The `[docx]` section of the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocxConfig {
    /// An entry that unpacks to more bytes than this is not read.
    pub max_entry_bytes: u64,
    /// An entry that unpacks to more than this many times its packed size
    /// (past `RATIO_FLOOR` bytes) is a zip bomb.
    pub max_ratio: u64,
    /// A package with more entries than this is not opened.
    pub max_entries: u64,
    /// XML nesting deeper than this is not read (`docx.too_deep`).
    pub max_depth: usize,
    /// A table with a cell longer than this (in characters) is page layout.
    pub max_cell_chars: usize,
}

/// The compression ratio is checked once an entry has unpacked this much:
/// a small part may compress very well and costs nothing.
const RATIO_FLOOR: u64 = 1 << 20;

/// The first bytes of an OLE compound file (legacy DOC, WPS, and Office's
/// encrypted packages).
pub const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The relationship type of the main document part, transitional and strict.
const OFFICE_DOCUMENT: [&str; 2] = [
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
];
const STANDARD_PATH: &str = "word/document.xml";

fn damaged(why: impl std::fmt::Display) -> Refused {
    Refused::new(
        "docx.damaged",
        format!("the DOCX package is damaged: {why}"),
    )
}

/// The message for a legacy Word or WPS file.
pub fn legacy_word() -> Refused {
    Refused::new(
        "file.legacy_word",
        "the file is a legacy Word/WPS file (an OLE compound document), which xxgk does not \
         read; convert it, e.g. `libreoffice --headless --convert-to docx FILE`, and run again",
    )
}

/// An OLE compound file under a DOCX name: Office's encrypted package (it
/// holds a stream named `EncryptedPackage`), else a legacy document.
fn ole(bytes: &[u8]) -> Refused {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    if bytes.windows(name.len()).any(|w| w == name.as_slice()) {
        return Refused::new(
            "docx.encrypted",
            "the DOCX is encrypted with a password (Office stores it as an OLE compound file); \
             save an unprotected copy and run again",
        );
    }
    legacy_word()
}

/// The entry count the zip's end record declares (`None` when it is not
/// found or the archive is zip64, which says it elsewhere).
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const END: &[u8; 4] = b"PK\x05\x06";
    let tail = &bytes[bytes.len().saturating_sub(22 + 0xFFFF)..];
    let at = tail.windows(4).rposition(|w| w == END)?;
    let count = tail.get(at + 10..at + 12)?;
    let n = u16::from_le_bytes([*count.first()?, *count.get(1)?]);
    (n != 0xFFFF).then_some(u64::from(n))
}

/// Opens the package and reads its main document part as text.
fn main_part(bytes: &[u8], cfg: &DocxConfig) -> Result<String, Refused> {
    let too_many = |n: u64| {
        Refused::new(
            "docx.too_large",
            format!(
                "the DOCX package has {n} entries, more than docx.max_entries = {}",
                cfg.max_entries
            ),
        )
    };
    if let Some(n) = declared_entries(bytes).filter(|&n| n > cfg.max_entries) {
        return Err(too_many(n));
    }
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if zip.len() as u64 > cfg.max_entries {
        return Err(too_many(zip.len() as u64));
    }
    // The package relationships name the main part; Word's own path else.
    let mut path = None;
    if let Some(rels) = entry(&mut zip, "_rels/.rels", cfg)? {
        path = office_document(&String::from_utf8_lossy(&rels));
    }
    let path = path
        .filter(|p| zip.index_for_name(p).is_some())
        .unwrap_or_else(|| STANDARD_PATH.to_string());
    let Some(xml) = entry(&mut zip, &path, cfg)? else {
        return Err(damaged(format!(
            "it has no main document part ({path}): not a Word document"
        )));
    };
    xml_text(xml).map_err(|why| damaged(format!("{path}: {why}")))
}

/// The main part's path from the package relationships (`_rels/.rels`).
fn office_document(rels: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                let mut kind = None;
                let mut target = None;
                for a in e.attributes().flatten() {
                    match a.key.local_name().as_ref() {
                        "Type" => kind = Some(a.value.into_owned()),
                        "Target" => target = Some(a.value.into_owned()),
                        _ => {}
                    }
                }
                if kind.is_some_and(|k| OFFICE_DOCUMENT.contains(&k.as_str())) {
                    return target.map(|t| t.trim_start_matches('/').to_string());
                }
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// Reads one entry through a bounded reader: `None` when there is none.
fn entry(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    cfg: &DocxConfig,
) -> Result<Option<Vec<u8>>, Refused> {
    let Some(i) = zip.index_for_name(name) else {
        return Ok(None);
    };
    let mut file = zip
        .by_index(i)
        .map_err(|e| damaged(format!("{name}: {e}")))?;
    let packed = file.compressed_size().max(1);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut chunk)
            .map_err(|e| damaged(format!("{name}: {e}")))?;
        if n == 0 {
            return Ok(Some(out));
        }
        out.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let size = out.len() as u64;
        if size > cfg.max_entry_bytes {
            return Err(Refused::new(
                "docx.too_large",
                format!(
                    "{name} unpacks to more than docx.max_entry_bytes = {} bytes",
                    cfg.max_entry_bytes
                ),
            ));
        }
        if size > RATIO_FLOOR && size / packed > cfg.max_ratio {
            return Err(Refused::new(
                "docx.too_large",
                format!(
                    "{name} unpacks to more than docx.max_ratio = {} times its packed size \
                     ({packed} bytes): a zip bomb",
                    cfg.max_ratio
                ),
            ));
        }
    }
}

/// An XML part's bytes as text: UTF-8, or UTF-16 with a byte-order mark.
fn xml_text(bytes: Vec<u8>) -> Result<String, String> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(&bytes) {
        let rest = bytes.get(bom..).unwrap_or_default();
        return enc
            .decode_without_bom_handling_and_without_replacement(rest)
            .map(|t| t.into_owned())
            .ok_or_else(|| format!("the part is not valid {}", enc.name()));
    }
    String::from_utf8(bytes).map_err(|e| format!("the part is not UTF-8 ({e})"))
}

/// Reads a DOCX file.
pub fn read(bytes: Vec<u8>, settings: &Settings) -> Result<Rendered, Refused> {
    let cfg = &settings.docx;
    if bytes.starts_with(&OLE_MAGIC) {
        return Err(ole(&bytes));
    }
    let xml = main_part(&bytes, cfg)?;
    drop(bytes);
    let blocks = body::parse(&xml, cfg.max_depth).map_err(|e| match e {
        BodyError::Xml { offset, what } => damaged(format!(
            "the main document part is not well-formed XML at byte {offset}: {what}"
        )),
        BodyError::TooDeep { limit } => Refused::new(
            "docx.too_deep",
            format!(
                "the main document part's elements nest deeper than docx.max_depth = {limit}; \
                 not read"
            ),
        ),
    })?;
    let mut b = Builder::new("utf-8");
    if lay_out(&mut b, &blocks, cfg) {
        b.layout(Layout::Docx);
    }
    Ok(b.finish())
}

/// Writes blocks: true when a data table was among them.
fn lay_out(b: &mut Builder, blocks: &[Block], cfg: &DocxConfig) -> bool {
    let mut tables = false;
    for block in blocks {
        match block {
            Block::Para(text) => {
                for line in text.split('\n') {
                    let line = line.trim_end();
                    if !line.trim_start().is_empty() {
                        b.line(line);
                    }
                }
            }
            Block::Table(t) if is_layout(t, cfg) => {
                for row in t.rows.iter().filter(|r| !r.deleted) {
                    for cell in row.cells.iter().filter(|c| !c.merged) {
                        tables |= lay_out(b, &cell.blocks, cfg);
                    }
                }
            }
            Block::Table(t) => {
                tables |= grid(b, t);
            }
        }
    }
    tables
}

/// A table holding another table, or a cell of prose, is page layout.
fn is_layout(t: &Table, cfg: &DocxConfig) -> bool {
    let mut text = String::new();
    t.rows.iter().flat_map(|r| &r.cells).any(|c| {
        text.clear();
        cell_text(&c.blocks, &mut text);
        c.blocks.iter().any(|b| matches!(b, Block::Table(_)))
            || text.chars().count() > cfg.max_cell_chars
    })
}

/// A cell's text: its paragraphs (and anything inside them) joined with a
/// space, white space collapsed. No-break and ideographic spaces are kept:
/// they are what a blank cell may hold.
fn cell_text(blocks: &[Block], out: &mut String) {
    for block in blocks {
        match block {
            Block::Para(text) => {
                out.push(' ');
                for c in text.chars() {
                    if c.is_whitespace() && c != '\u{A0}' && c != '\u{3000}' {
                        if !out.ends_with(' ') {
                            out.push(' ');
                        }
                    } else {
                        out.push(c);
                    }
                }
            }
            Block::Table(t) => {
                for c in t.rows.iter().flat_map(|r| &r.cells) {
                    cell_text(&c.blocks, out);
                }
            }
        }
    }
}

/// Writes a data table, one line per row: true when it had a row.
fn grid(b: &mut Builder, t: &Table) -> bool {
    let mut grid = Grid::new();
    let mut cells: Vec<(String, u16)> = Vec::new();
    let mut any = false;
    for row in t.rows.iter().filter(|r| !r.deleted) {
        cells.clear();
        grid.place(Slot::Empty {
            columns: row.before,
        });
        for cell in &row.cells {
            let slot = if cell.merged {
                Slot::Covered { colspan: cell.span }
            } else {
                Slot::Cell {
                    colspan: cell.span,
                    rowspan: 1,
                }
            };
            if let Some(col) = grid.place(slot) {
                let mut text = String::new();
                cell_text(&cell.blocks, &mut text);
                cells.push((text, col));
            }
        }
        grid.place(Slot::Empty { columns: row.after });
        grid.end_row();
        if !cells.is_empty() {
            b.row(cells.iter().map(|(t, c)| (t.as_str(), *c)));
            any = true;
        }
    }
    any
}

#[cfg(test)]
mod tests;
