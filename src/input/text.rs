//! Plain text in any encoding → `Rendered`: decoded, and read as a page when
//! it is one (an HTML page saved under a text name).

use super::decode::{decode, Decoded};
use super::{html, Refused, Rendered};
use crate::model::Format;
use crate::settings::Settings;

/// Does a text file hold an HTML page (a page saved under a `.txt` name)?
fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    let head = &head.as_bytes()[..head.len().min(64)];
    let lower = head.to_ascii_lowercase();
    lower.starts_with(b"<!doctype html") || lower.starts_with(b"<html")
}

/// Reads a text file; the format is `Html` when it holds a page.
pub fn read(bytes: Vec<u8>, settings: &Settings) -> Result<(Format, Rendered), Refused> {
    let decoded = decode(bytes, false, &settings.legacy)?;
    if looks_like_html(&decoded.text) {
        return html::from_decoded(decoded, settings).map(|r| (Format::Html, r));
    }
    let Decoded {
        text,
        encoding,
        notes,
    } = decoded;
    Ok((
        Format::Txt,
        Rendered {
            text,
            encoding,
            notes,
            ..Rendered::default()
        },
    ))
}
