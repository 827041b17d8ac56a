//! The plain structs that pass between stages: what one report became.
//!
//! A `ReportOut` owns the decoded text its cells point into, so the writer can
//! take the raw text of every cell without copies. Nothing here does work.

use crate::validate::money::{Decimal, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// An input format: how a file's text is turned into cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Txt,
    Html,
    Docx,
    /// Legacy Word and WPS files (OLE compound documents): recognised and
    /// refused with a way to convert them.
    Doc,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Txt,
        Format::Html,
        Format::Pdf,
        Format::Docx,
        Format::Doc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Doc => "doc",
            Format::Pdf => "pdf",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// One thing a reader must know about a report's rows (datasets.md, findings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: String,
    pub table_key: Option<String>,
    pub row_key: Option<String>,
    pub col_key: Option<String>,
    /// The 1-based page of a paged format (PDF) the finding is about.
    pub page: Option<u32>,
    pub message: String,
}

impl Finding {
    pub fn new(severity: Severity, code: &str, message: String) -> Finding {
        Finding {
            severity,
            code: code.to_string(),
            table_key: None,
            row_key: None,
            col_key: None,
            page: None,
            message,
        }
    }

    pub fn at(mut self, table: &str, row: Option<&str>, col: Option<&str>) -> Finding {
        self.table_key = Some(table.to_string());
        self.row_key = row.map(str::to_string);
        self.col_key = col.map(str::to_string);
        self
    }
}

/// What happened to a file (datasets.md, reports.status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Ok,
    Partial,
    NoTables,
    Unreadable,
    Duplicate,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Partial => "partial",
            Status::NoTables => "no_tables",
            Status::Unreadable => "unreadable",
            Status::Duplicate => "duplicate",
        }
    }
}

/// A byte range of the report text: the cell as printed, trimmed.
pub type Raw = Option<(u32, u32)>;

/// A count cell: its value (null for blank, not applicable or unreadable) and
/// the text it was read from (null when the report did not print the cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountCell {
    pub value: Option<i64>,
    pub raw: Raw,
}

/// A money cell (tables.md, "Money").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MoneyCell {
    /// The number as written.
    pub value: Option<Decimal>,
    /// The unit that applies: the cell's, else the header's.
    pub unit: Option<Unit>,
    pub yuan: Option<Decimal>,
    pub raw: Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellOut {
    Count(CountCell),
    Money(MoneyCell),
}

impl CellOut {
    pub fn raw(&self) -> Raw {
        match self {
            CellOut::Count(c) => c.raw,
            CellOut::Money(m) => m.raw,
        }
    }
}

/// One extracted table: the chosen template variant and its cells, row-major
/// in template order (`rows × columns`).
#[derive(Debug, Clone)]
pub struct TableOut {
    /// Index into `Templates::tables`.
    pub def: usize,
    pub cells: Vec<CellOut>,
}

/// Where the year, org name or template of a report came from.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// `window`, `title`, `prose`, `signature` …
    pub source: Option<&'static str>,
    /// The text it was read from.
    pub text: Option<String>,
}

/// Everything one input file became.
#[derive(Debug, Clone)]
pub struct ReportOut {
    pub report_id: String,
    pub source_path: String,
    pub format: &'static str,
    pub encoding: &'static str,
    pub bytes: u64,
    pub text: String,
    pub year: Option<i32>,
    pub year_evidence: Evidence,
    pub org_name: Option<String>,
    pub org_evidence: Evidence,
    /// The body across years (`org` module); null without a name.
    pub org_key: Option<String>,
    /// Region fields of the path, when `[org] path_pattern` is set.
    pub region: Option<String>,
    /// Index into `Templates::templates`; `None` prints as `none`.
    pub template: Option<usize>,
    pub layout: &'static str,
    pub status: Status,
    pub duplicate_of: Option<String>,
    /// Pages of a paged format (PDF).
    pub pages: Option<u32>,
    pub tables: Vec<TableOut>,
    pub findings: Vec<Finding>,
    /// Time spent in each stage on this report (not written anywhere but
    /// the `--timings` summary).
    pub stages: Stages,
}

/// Nanoseconds per stage of one report, or summed over many.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stages(pub [u64; Stages::NAMES.len()]);

impl Stages {
    pub const NAMES: [&'static str; 9] = [
        "walk",
        "read",
        "hash+decode",
        "html",
        "segment",
        "extract",
        "meta+checks",
        "rows",
        "write",
    ];
    pub const WALK: usize = 0;
    pub const READ: usize = 1;
    pub const DECODE: usize = 2;
    pub const HTML: usize = 3;
    pub const SEGMENT: usize = 4;
    pub const EXTRACT: usize = 5;
    pub const CHECKS: usize = 6;
    /// Building a chunk's Arrow batches (`sink::rows`), in the workers.
    pub const ROWS: usize = 7;
    pub const WRITE: usize = 8;

    /// Adds the time since `*since` to `stage` and restarts the clock.
    pub fn lap(&mut self, stage: usize, since: &mut std::time::Instant) {
        let now = std::time::Instant::now();
        self.0[stage] += now.duration_since(*since).as_nanos() as u64;
        *since = now;
    }

    pub fn add(&mut self, other: &Stages) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

impl ReportOut {
    /// The cell text for a raw range.
    pub fn raw(&self, raw: Raw) -> Option<&str> {
        raw.and_then(|(a, b)| self.text.get(a as usize..b as usize))
    }

    /// Number of cells the report printed and the extractor placed.
    pub fn cells_found(&self) -> usize {
        self.tables
            .iter()
            .flat_map(|t| t.cells.iter())
            .filter(|c| c.raw().is_some())
            .count()
    }
}
