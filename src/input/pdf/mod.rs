//! PDF bytes → `Rendered`: the text layer of a PDF report as lines and
//! table rows, for the one segmenter.
//!
//! It takes the file's bytes and the `[pdf]` limits and gives its pages'
//! lines and cells through `Builder`, one `Builder::page` per page read.
//! `source` is the only part that knows the PDF crate (glyphs and ruling
//! segments per page); `layout` turns that geometry into lines and cells;
//! `scan` bounds what the streams inflate to before the crate touches them.
//!
//! It refuses a file rather than read it wrong: no text layer (a scan) is
//! `pdf.no_text_layer`, text without Unicode is `pdf.no_unicode` (a page of
//! it is left out with a note; a document of it is refused), a password is
//! `pdf.encrypted`, an unreadable file `pdf.damaged`, a file past the
//! inflate limit `pdf.too_large`. It never panics on a file and a hostile
//! one costs bounded time and memory.

pub mod layout;
mod scan;
pub mod source;

use serde::Deserialize;

use super::{Builder, Refused, Rendered};
use crate::settings::Settings;

/// The `[pdf]` section of the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfConfig {
    /// Pages read; later pages are left out with a note.
    pub max_pages: usize,
    /// What the file's compressed streams (images aside) may inflate to,
    /// in all; a larger file is refused before it is parsed.
    pub max_inflated_bytes: u64,
    /// Content operators one page may run (its forms' included); a page with
    /// more is left out with a note.
    pub max_operators: u64,
    /// A page whose glyphs lack Unicode in this share or more is left out
    /// (`pdf.no_unicode`).
    pub max_unmapped_share: f64,
}

/// Reads a PDF.
pub fn read(bytes: Vec<u8>, settings: &Settings) -> Result<Rendered, Refused> {
    read_with(bytes, &settings.pdf)
}

/// Reads a PDF with these limits.
pub fn read_with(bytes: Vec<u8>, cfg: &PdfConfig) -> Result<Rendered, Refused> {
    let inflated = scan::inflated_bytes(&bytes, cfg.max_inflated_bytes);
    if inflated > cfg.max_inflated_bytes {
        return Err(Refused::new(
            "pdf.too_large",
            format!(
                "its streams inflate to more than pdf.max_inflated_bytes = {}; not read",
                cfg.max_inflated_bytes
            ),
        ));
    }
    // The crate is not ours to trust with every byte: a panic inside it is
    // a damaged file, not a crashed run.
    let doc = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| source::read(bytes, cfg)))
        .map_err(|_| {
            Refused::new(
                "pdf.damaged",
                "the PDF library failed on this file (a damaged or hostile file); not read",
            )
        })??;
    let mut b = Builder::new("utf-8");
    let mut pages: Vec<source::PageContent> = Vec::with_capacity(doc.pages.len());
    let (mut glyphs, mut unmapped, mut images) = (0u64, 0u64, 0u64);
    for (n, mut page) in doc.pages.into_iter().enumerate() {
        let n = n + 1;
        glyphs += page.glyphs.len() as u64;
        unmapped += u64::from(page.unmapped);
        images += u64::from(page.images);
        if page.skipped {
            b.note(
                "pdf.limit",
                format!(
                    "page {n} runs more than pdf.max_operators = {} content operators; its text \
                     is not read",
                    cfg.max_operators
                ),
            );
        }
        let drawn = page.glyphs.len() as f64 + f64::from(page.unmapped);
        if page.unmapped > 0 {
            if f64::from(page.unmapped) >= drawn * cfg.max_unmapped_share {
                b.note(
                    "pdf.no_unicode",
                    format!(
                        "page {n}: {} of {} glyphs have no Unicode mapping; the page is not read",
                        page.unmapped, drawn
                    ),
                );
                page.glyphs.clear();
            } else {
                b.note(
                    "pdf.unmapped_glyphs",
                    format!(
                        "page {n}: {} of {} glyphs have no Unicode mapping and are left out",
                        page.unmapped, drawn
                    ),
                );
            }
        }
        pages.push(page);
    }
    if doc.page_count > pages.len() {
        b.note(
            "pdf.limit",
            format!(
                "the file has {} pages; only the first pdf.max_pages = {} are read",
                doc.page_count, cfg.max_pages
            ),
        );
    }
    let kept: usize = pages.iter().map(|p| p.glyphs.len()).sum();
    if kept == 0 {
        let count = doc.page_count;
        if pages.iter().any(|p| p.skipped) {
            return Err(Refused::new(
                "pdf.limit",
                format!(
                    "its pages run more than pdf.max_operators = {} content operators; not read",
                    cfg.max_operators
                ),
            )
            .with_pages(count));
        }
        if unmapped > 0 {
            return Err(Refused::new(
                "pdf.no_unicode",
                format!(
                    "none of its {} glyphs on {count} pages has a Unicode mapping (fonts without \
                     ToUnicode); its text cannot be read",
                    glyphs + unmapped
                ),
            )
            .with_pages(count));
        }
        let what = if images > 0 {
            "images only (a scan)"
        } else {
            "no text"
        };
        return Err(Refused::new(
            "pdf.no_text_layer",
            format!("its {count} pages hold {what}: there is no text layer to read"),
        )
        .with_pages(count));
    }
    layout::lay_out(&pages, &mut b);
    Ok(b.finish())
}
