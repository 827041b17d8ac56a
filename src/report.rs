//! One file → one `ReportOut`: decode, segment, extract, read the year and
//! org, run the checks. The stage a rayon worker runs.
//!
//! It takes a file's relative path and bytes and gives everything that file
//! became; a file it cannot read is a report with status `unreadable` and a
//! finding, never an error or a panic. Apart from reading the file in
//! `from_file`, it does no I/O.

use std::io::Read;
use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::discover::Entry;
use crate::extract;
use crate::input::{self, Layout};
use crate::model::{Evidence, Finding, Format, ReportOut, Severity, Stages, Status};
use crate::segment;
use crate::settings::Settings;
use crate::validate::checks;

/// The version of the extractor, written beside every report.
pub const PARSER_VERSION: &str = env!("CARGO_PKG_VERSION");

fn unreadable(
    rel: &str,
    format: Option<Format>,
    id: String,
    bytes: u64,
    code: &str,
    why: String,
) -> ReportOut {
    ReportOut {
        report_id: id,
        source_path: rel.to_string(),
        format: format.map_or("other", Format::as_str),
        encoding: "unknown",
        bytes,
        text: String::new(),
        year: None,
        year_evidence: Evidence::default(),
        org_name: None,
        org_evidence: Evidence::default(),
        org_key: None,
        region: None,
        template: None,
        layout: Layout::Prose.as_str(),
        status: Status::Unreadable,
        duplicate_of: None,
        pages: None,
        tables: Vec::new(),
        findings: vec![Finding::new(Severity::Error, code, format!("{rel}: {why}"))],
        stages: Stages::default(),
    }
}

/// The code of an I/O error's finding.
fn io_code(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "file.permission",
        _ => "file.unreadable",
    }
}

/// Reads a file, refusing one larger than `max` bytes before reading it.
fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, (&'static str, String)> {
    let mut file = std::fs::File::open(path).map_err(|e| (io_code(&e), e.to_string()))?;
    let len = file
        .metadata()
        .map_err(|e| (io_code(&e), e.to_string()))?
        .len();
    let too_large = |n: u64| {
        (
            "file.too_large",
            format!("{n} bytes is more than corpus.max_file_bytes = {max}; not read"),
        )
    };
    if len > max {
        return Err(too_large(len));
    }
    // One `read` of one byte more than the file's length: a regular file
    // that gives fewer bytes than asked is at its end, so a file that did
    // not grow needs no second `read` to find its end (`read_to_end` makes
    // one). A file that gives that byte more grew since: it is read on to
    // its end, never past the limit.
    let want = len as usize + 1;
    let mut bytes = vec![0u8; want];
    let mut got = 0;
    while got < want {
        match file.read(&mut bytes[got..]) {
            Ok(0) => break,
            Ok(n) => {
                got += n;
                if got >= len as usize {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err((io_code(&e), e.to_string())),
        }
    }
    bytes.truncate(got);
    if got == want {
        file.take(max.saturating_add(1).saturating_sub(got as u64))
            .read_to_end(&mut bytes)
            .map_err(|e| (io_code(&e), e.to_string()))?;
    }
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads and processes one discovered file.
pub fn from_entry(entry: &Entry, settings: &Settings) -> ReportOut {
    // No bytes, no content hash: the id of an unread file is its path's hash.
    let path_id = || hex(&Sha256::digest(entry.rel.as_bytes()));
    let started = Instant::now();
    let mut report = if let Some(p) = &entry.problem {
        unreadable(
            &entry.rel,
            entry.format,
            path_id(),
            0,
            p.code,
            p.message.clone(),
        )
    } else {
        match read_bounded(&entry.abs, settings.max_file_bytes) {
            Ok(bytes) => {
                let read = started.elapsed().as_nanos() as u64;
                let format = entry.format.unwrap_or(Format::Txt);
                let mut r = from_bytes(&entry.rel, bytes, format, settings);
                r.stages.0[Stages::READ] += read;
                r
            }
            Err((code, why)) => unreadable(&entry.rel, entry.format, path_id(), 0, code, why),
        }
    };
    if entry.name_not_utf8 {
        report.findings.push(Finding::new(
            Severity::Warning,
            "path.not_utf8",
            format!(
                "{}: the file name is not UTF-8; its bad bytes are written \\xNN",
                entry.rel
            ),
        ));
    }
    report
}

/// Processes one file's bytes.
pub fn from_bytes(rel: &str, bytes: Vec<u8>, format: Format, settings: &Settings) -> ReportOut {
    let mut stages = Stages::default();
    let mut clock = Instant::now();
    let id = hex(&Sha256::digest(&bytes));
    let size = bytes.len() as u64;
    stages.lap(Stages::DECODE, &mut clock);
    let (format, mut rendered) = match input::read(format, bytes, settings) {
        Ok(r) => r,
        Err(r) => {
            let pages = r.pages;
            let mut out = unreadable(rel, Some(format), id, size, r.code, r.message);
            out.pages = pages;
            return out;
        }
    };
    // A page's decoding is counted with its rendering: the two are one call.
    let stage = if format == Format::Html {
        Stages::HTML
    } else {
        Stages::DECODE
    };
    stages.lap(stage, &mut clock);
    let t = &settings.templates;
    let (layout, extraction) = {
        let doc = segment::rendered(&rendered, &t.normaliser);
        stages.lap(Stages::SEGMENT, &mut clock);
        let extraction = extract::extract(&doc, t);
        stages.lap(Stages::EXTRACT, &mut clock);
        (doc.layout, extraction)
    };
    let meta = settings.meta.detect(&rendered.text, &t.normaliser);
    let mut findings: Vec<Finding> = std::mem::take(&mut rendered.notes)
        .into_iter()
        .map(|(code, why)| Finding::new(Severity::Warning, code, format!("{rel}: {why}")))
        .collect();
    findings.extend(meta.findings);
    findings.extend(extraction.findings);
    let org = settings
        .org
        .identify(rel, meta.org.as_deref(), &t.normaliser);
    if org.region_unmatched {
        findings.push(Finding::new(
            Severity::Info,
            "org.region_unmatched",
            format!("{rel}: the path does not follow org.path_pattern; org_key has no region"),
        ));
    }
    for key in &extraction.missing {
        findings.push(
            Finding::new(
                Severity::Warning,
                "table.missing",
                format!("table {key} of the report's template was not found"),
            )
            .at(key, None, None),
        );
    }
    checks::run(t, &extraction.tables, &mut findings);
    let status = match (extraction.tables.is_empty(), extraction.missing.is_empty()) {
        (true, _) => Status::NoTables,
        (false, true) => Status::Ok,
        (false, false) => Status::Partial,
    };
    if status == Status::NoTables {
        findings.push(Finding::new(
            Severity::Info,
            "table.none",
            "no standard table was found (a report from before 2019, or not a report)".to_string(),
        ));
    }
    if rendered.pages.is_some() {
        place_pages(&mut findings, &extraction.tables, t, &rendered);
    }
    ReportOut {
        report_id: id,
        source_path: rel.to_string(),
        format: format.as_str(),
        encoding: rendered.encoding,
        bytes: size,
        text: rendered.text,
        year: meta.year,
        year_evidence: meta.year_evidence,
        org_name: meta.org,
        org_evidence: meta.org_evidence,
        org_key: org.key,
        region: org.region,
        template: extraction.template,
        layout: layout.as_str(),
        status,
        duplicate_of: None,
        pages: rendered.pages,
        tables: extraction.tables,
        findings,
        stages: {
            stages.lap(Stages::CHECKS, &mut clock);
            stages
        },
    }
}

/// Gives each finding about a table, row or cell the page it stands on: the
/// page of that cell, else of the row's first printed cell, else of the
/// table's.
fn place_pages(
    findings: &mut [Finding],
    tables: &[crate::model::TableOut],
    t: &crate::template::Templates,
    rendered: &input::Rendered,
) {
    // Byte offset where each page starts.
    let mut line_starts = Vec::with_capacity(rendered.page_starts.len());
    let (mut line, mut offset) = (1u32, 0usize);
    let mut starts = rendered.page_starts.iter().peekable();
    for piece in rendered.text.split('\n') {
        while starts.next_if(|&&s| s <= line).is_some() {
            line_starts.push(offset);
        }
        line = line.saturating_add(1);
        offset += piece.len() + 1;
    }
    let page_at = |byte: u32| line_starts.partition_point(|&s| s <= byte as usize).max(1) as u32;
    for f in findings.iter_mut() {
        let Some(tk) = f.table_key.as_deref() else {
            continue;
        };
        let Some(table) = tables.iter().find(|x| t.tables[x.def].key == tk) else {
            continue;
        };
        let def = &t.tables[table.def];
        let ncols = def.columns.len();
        let row = f
            .row_key
            .as_deref()
            .and_then(|k| def.rows.iter().position(|r| r.key == k));
        let col = f
            .col_key
            .as_deref()
            .and_then(|k| def.columns.iter().position(|c| c.key == k));
        let cells = match row {
            Some(r) => table.cells.get(r * ncols..(r + 1) * ncols).unwrap_or(&[]),
            None => &table.cells[..],
        };
        let exact = col.and_then(|c| cells.get(c)).and_then(|c| c.raw());
        let first = || cells.iter().find_map(|c| c.raw());
        if let Some((start, _)) = exact.or_else(first) {
            f.page = Some(page_at(start));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_whole_and_one_over_the_limit_is_refused() {
        let d = tempfile::tempdir().unwrap();
        for n in [0usize, 1, 4095, 4096, 10_000] {
            let p = d.path().join(format!("f{n}"));
            let bytes: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            assert_eq!(read_bounded(&p, 10_000).unwrap(), bytes, "{n} bytes");
        }
        let p = d.path().join("f10000");
        assert_eq!(read_bounded(&p, 9_999).unwrap_err().0, "file.too_large");
    }

    /// A file longer than its length said when opened (here one that never
    /// ends) is read no further than one byte past the limit.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_grows_is_read_no_further_than_the_limit() {
        let (code, why) = read_bounded(Path::new("/dev/zero"), 100_000).unwrap_err();
        assert_eq!(code, "file.too_large");
        assert!(why.starts_with("100001 bytes"), "{why}");
    }
}
