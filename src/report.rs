//! One file → one `ReportOut`: decode, segment, extract, read the year and
//! org, run the checks. The stage a rayon worker runs.
//!
//! It takes a file's relative path and bytes and gives everything that file
//! became; a file it cannot read is a report with status `unreadable` and a
//! finding, never an error or a panic. Apart from reading the file in
//! `from_file`, it does no I/O.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::decode::decode_text;
use crate::discover::Entry;
use crate::extract::{self, meta};
use crate::model::{Evidence, Finding, ReportOut, Severity, Status};
use crate::segment::{self, Layout};
use crate::settings::Settings;
use crate::validate::checks;

/// The version of the extractor, written beside every report.
pub const PARSER_VERSION: &str = env!("CARGO_PKG_VERSION");

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn format_of(rel: &str) -> &'static str {
    let ext = Path::new(rel)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" => "txt",
        "html" | "htm" | "shtml" => "html",
        _ => "other",
    }
}

fn unreadable(rel: &str, id: String, bytes: u64, why: String) -> ReportOut {
    ReportOut {
        report_id: id,
        source_path: rel.to_string(),
        format: format_of(rel),
        encoding: "unknown",
        bytes,
        text: String::new(),
        year: None,
        year_evidence: Evidence::default(),
        org_name: None,
        org_evidence: Evidence::default(),
        template: None,
        layout: Layout::Prose.as_str(),
        status: Status::Unreadable,
        duplicate_of: None,
        tables: Vec::new(),
        findings: vec![Finding::new(
            Severity::Error,
            "file.unreadable",
            format!("{rel}: {why}"),
        )],
    }
}

/// Reads and processes one discovered file.
pub fn from_entry(entry: &Entry, settings: &Settings) -> ReportOut {
    if let Some(err) = &entry.error {
        let id = hex(&Sha256::digest(entry.rel.as_bytes()));
        return unreadable(&entry.rel, id, 0, err.clone());
    }
    match std::fs::read(&entry.abs) {
        Ok(bytes) => from_bytes(&entry.rel, &bytes, settings),
        Err(e) => {
            // No bytes, no content hash: the id is the hash of the path.
            let id = hex(&Sha256::digest(entry.rel.as_bytes()));
            unreadable(&entry.rel, id, 0, e.to_string())
        }
    }
}

/// Processes one file's bytes.
pub fn from_bytes(rel: &str, bytes: &[u8], settings: &Settings) -> ReportOut {
    let id = hex(&Sha256::digest(bytes));
    let decoded = match decode_text(bytes) {
        Ok(d) => d,
        Err(why) => return unreadable(rel, id, bytes.len() as u64, why),
    };
    let t = &settings.templates;
    let (layout, extraction) = {
        let doc = segment::segment(&decoded.text, &t.normaliser);
        (doc.layout, extract::extract(&doc, t))
    };
    let meta = meta::detect(&decoded.text, &settings.meta);
    let mut findings = meta.findings;
    findings.extend(extraction.findings);
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
    ReportOut {
        report_id: id,
        source_path: rel.to_string(),
        format: format_of(rel),
        encoding: decoded.encoding,
        bytes: bytes.len() as u64,
        text: decoded.text,
        year: meta.year,
        year_evidence: meta.year_evidence,
        org_name: meta.org,
        org_evidence: meta.org_evidence,
        template: extraction.template,
        layout: layout.as_str(),
        status,
        duplicate_of: None,
        tables: extraction.tables,
        findings,
    }
}
