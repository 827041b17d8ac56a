//! A plan → its oracle: the JSON file beside the seeds' oracles
//! (data/fixtures/expected/*.json) that says what xxgk must read.
//!
//! It takes a `Plan` and the report's path relative to the corpus folder and
//! appends the JSON text to a caller's buffer, keys in template order so
//! the same plan always gives the same bytes. Fields: `file`, `year`,
//! `template`, `org_contains`, `about`, `layout`, `encoding`, `format`,
//! `pages` (PDF only),
//! `noise`, `findings` (the exact sorted set of warning and error codes),
//! `cells` (every `table.row.col` count key of the template; null where the
//! cell is empty) and `money` (`yuan` as an exact decimal string, null when
//! no unit is printed, and the cell's `raw` text). It never reads the
//! rendered report.

use std::fmt::Write;

use super::plan::{noise, Plan};
use xxgk::template::ColumnKind;

/// A JSON string literal.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The noise kinds of a plan, by name, in a fixed order.
pub fn noise_names(p: &Plan) -> Vec<&'static str> {
    noise::ALL
        .iter()
        .filter(|(bit, _)| p.noise & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

/// What the rendering of a paged file adds to its oracle: the page count
/// (PDF) and the document's traits (for `about`).
#[derive(Debug, Default)]
pub struct Paged {
    pub pages: Option<u32>,
    pub traits: Vec<&'static str>,
}

/// Appends the oracle of `p`, whose report is at `file`.
pub fn write(p: &Plan, file: &str, paged: &Paged, out: &mut String) {
    let names = noise_names(p);
    out.push_str("{\n \"file\": ");
    string(out, file);
    let _ = write!(out, ",\n \"year\": {},\n \"template\": ", p.year);
    string(out, &p.template.name);
    out.push_str(",\n \"org_contains\": ");
    string(out, &p.org);
    out.push_str(",\n \"about\": ");
    let mut about = format!(
        "Synthetic report {}: layout {}, {}, {} form",
        p.index,
        p.layout.name(),
        p.encoding.name(),
        p.template.name
    );
    if !names.is_empty() {
        let _ = write!(about, ", noise {}", names.join(" "));
    }
    if let Some(code) = p.broken {
        let _ = write!(about, ", printed values break {code}");
    }
    if !paged.traits.is_empty() {
        let _ = write!(about, "; {}", paged.traits.join(", "));
    }
    about.push('.');
    string(out, &about);
    out.push_str(",\n \"layout\": ");
    string(out, p.layout.name());
    out.push_str(",\n \"encoding\": ");
    string(out, p.encoding.name());
    out.push_str(",\n \"format\": ");
    string(out, p.layout.extension());
    if let Some(n) = paged.pages {
        let _ = write!(out, ",\n \"pages\": {n}");
    }
    out.push_str(",\n \"noise\": [");
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string(out, n);
    }
    out.push_str("],\n \"findings\": [");
    for (i, code) in p.findings.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string(out, code);
    }
    out.push_str("],\n \"cells\": {");
    let mut first = true;
    for t in &p.tables {
        let def = t.def;
        let ncols = def.columns.len();
        for (r, row) in def.rows.iter().enumerate() {
            for (c, col) in def.columns.iter().enumerate() {
                if col.kind == ColumnKind::Money {
                    continue;
                }
                out.push_str(if first { "\n  " } else { ",\n  " });
                first = false;
                let _ = write!(out, "\"{}.{}.{}\": ", def.key, row.key, col.key);
                match t.values[r * ncols + c] {
                    Some(v) => {
                        let _ = write!(out, "{v}");
                    }
                    None => out.push_str("null"),
                }
            }
        }
    }
    out.push_str("\n },\n \"money\": {");
    for (i, m) in p.money.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        string(out, &m.key);
        out.push_str(": {\"yuan\": ");
        match &m.yuan {
            Some(y) => string(out, y),
            None => out.push_str("null"),
        }
        out.push_str(", \"raw\": ");
        string(out, &m.raw);
        out.push('}');
    }
    out.push_str(if p.money.is_empty() {
        "}\n}\n"
    } else {
        "\n }\n}\n"
    });
}
