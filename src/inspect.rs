//! `xxgk inspect FILE`: what xxgk reads in one report, for debugging a report
//! and writing a fixture.
//!
//! It takes one processed report and gives text: the detected template, year
//! and org with their evidence, the layout, each table as a grid (row key and
//! label, then `raw → value` per column), and the findings.

use std::fmt::Write;

use crate::model::{CellOut, ReportOut};
use crate::template::Templates;

fn show(r: &ReportOut, c: &CellOut) -> String {
    let raw = match r.raw(c.raw()) {
        Some(s) => format!("{s:?}"),
        None => "·".to_string(),
    };
    let value = match c {
        CellOut::Count(x) => x.value.map_or("null".to_string(), |v| v.to_string()),
        CellOut::Money(m) => match (m.value, m.yuan) {
            (Some(v), Some(y)) => format!("{v} {} = {y} 元", m.unit.map_or("", |u| u.as_str())),
            (Some(v), None) => format!("{v} (unit unknown)"),
            _ => "null".to_string(),
        },
    };
    format!("{raw} → {value}")
}

pub fn render(r: &ReportOut, t: &Templates) -> String {
    let mut o = String::new();
    let template = r.template.map_or("none", |i| t.templates[i].name.as_str());
    let ev = |e: &crate::model::Evidence| match (&e.source, &e.text) {
        (Some(s), Some(x)) => format!(" (from {s}: {x})"),
        (Some(s), None) => format!(" (from {s})"),
        _ => String::new(),
    };
    let _ = writeln!(o, "file      {}", r.source_path);
    let _ = writeln!(o, "report_id {}", r.report_id);
    let pages = r.pages.map_or(String::new(), |p| format!("   pages {p}"));
    let _ = writeln!(
        o,
        "encoding  {}   format {}   layout {}{pages}",
        r.encoding, r.format, r.layout
    );
    let _ = writeln!(
        o,
        "status    {}   cells {}",
        r.status.as_str(),
        r.cells_found()
    );
    let _ = writeln!(o, "template  {template}");
    let _ = writeln!(
        o,
        "year      {}{}",
        r.year.map_or("unknown".to_string(), |y| y.to_string()),
        ev(&r.year_evidence)
    );
    let _ = writeln!(
        o,
        "org       {}{}",
        r.org_name.as_deref().unwrap_or("unknown"),
        ev(&r.org_evidence)
    );
    for table in &r.tables {
        let def = &t.tables[table.def];
        let _ = writeln!(
            o,
            "\n[{}] {} ({})",
            def.key, def.label, t.templates[def.template].name
        );
        let ncols = def.columns.len();
        for (ri, row) in def.rows.iter().enumerate() {
            let _ = writeln!(o, "  {} · {}", row.key, row.label);
            for (ci, col) in def.columns.iter().enumerate() {
                if let Some(c) = table.cells.get(ri * ncols + ci) {
                    let _ = writeln!(o, "      {:<24} {}", col.key, show(r, c));
                }
            }
        }
    }
    let _ = writeln!(o, "\nfindings: {}", r.findings.len());
    for f in &r.findings {
        let page = f.page.map_or(String::new(), |p| format!("p.{p} "));
        let _ = writeln!(
            o,
            "  {:<7} {:<22} {page}{}",
            f.severity.as_str(),
            f.code,
            f.message
        );
    }
    o
}
