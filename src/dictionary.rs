//! The data dictionary: every column of every dataset with its type, what its
//! null means and the values it takes, then every table, row and column key
//! with its Chinese label per template.
//!
//! It takes the Arrow schemas and the column descriptions of `sink::schema`,
//! the derived datasets' schemas below and the loaded settings (templates and
//! metrics), and gives text: `xxgk schema` prints it, `--markdown` as the
//! document committed as docs/dictionary.md (a test fails when the two
//! differ). It reads no file and knows no label of its own: labels come from
//! the templates, meanings from `sink::schema::COLUMN_DOCS`.

use std::fmt::Write as _;

use arrow_schema::{DataType, Schema};

use crate::input::Layout;
use crate::model::{Format, Severity, Status};
use crate::settings::Settings;
use crate::sink::schema::{self, ColumnDoc, COLUMN_DOCS};
use crate::template::{ColumnKind, Dataset, TableDef};
use crate::validate::money::Unit;

/// Every dataset in the order the README lists them, with its schema.
pub fn datasets() -> Vec<(&'static str, Schema)> {
    vec![
        ("reports", schema::reports()),
        ("disclosure_counts", schema::disclosure_counts()),
        ("procurement", schema::procurement()),
        ("litigation", schema::litigation()),
        ("findings", schema::findings()),
        ("yearly_comparison", schema::yearly_comparison()),
        ("metrics", schema::metrics()),
    ]
}

/// The description of one column: the dataset's own, else the shared one.
pub fn describe(dataset: &str, column: &str) -> Option<&'static ColumnDoc> {
    COLUMN_DOCS
        .iter()
        .find(|d| d.dataset == dataset && d.column == column)
        .or_else(|| {
            COLUMN_DOCS
                .iter()
                .find(|d| d.dataset == "*" && d.column == column)
        })
}

/// A type as the readers name it.
pub fn type_name(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "string".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::Float64 => "float64".into(),
        DataType::Decimal128(p, s) => format!("decimal({p},{s})"),
        other => other.to_string().to_lowercase(),
    }
}

// Each list below names every variant of an enum; the `match` after it stops
// the build when a variant is added and not listed.
const STATUSES: [Status; 5] = [
    Status::Ok,
    Status::Partial,
    Status::NoTables,
    Status::Unreadable,
    Status::Duplicate,
];
const _: fn(Status) = |s| match s {
    Status::Ok | Status::Partial | Status::NoTables | Status::Unreadable | Status::Duplicate => {}
};
const LAYOUTS: [Layout; 9] = [
    Layout::TabRows,
    Layout::CellLines,
    Layout::PipeRows,
    Layout::PipeLines,
    Layout::SpaceRows,
    Layout::Html,
    Layout::Docx,
    Layout::Pdf,
    Layout::Prose,
];
const _: fn(Layout) = |l| match l {
    Layout::TabRows
    | Layout::CellLines
    | Layout::PipeRows
    | Layout::PipeLines
    | Layout::SpaceRows
    | Layout::Html
    | Layout::Docx
    | Layout::Pdf
    | Layout::Prose => {}
};
const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];
const _: fn(Severity) = |s| match s {
    Severity::Error | Severity::Warning | Severity::Info => {}
};
const UNITS: [Unit; 3] = [Unit::Yuan, Unit::Wan, Unit::Yi];
const _: fn(Unit) = |u| match u {
    Unit::Yuan | Unit::Wan | Unit::Yi => {}
};

/// What `reports.encoding` can hold (decode: `name_of`, and `unknown` for a
/// file that was not decoded).
const ENCODINGS: [&str; 8] = [
    "utf-8", "utf-16le", "utf-16be", "gbk", "gb18030", "big5", "other", "unknown",
];
/// Where `extract::meta` reads a year and a name.
const YEAR_SOURCES: [&str; 3] = ["window", "title", "prose"];
const ORG_SOURCES: [&str; 3] = ["title", "signature", "prose"];

/// Where the count or money cells of a table column go.
fn dataset_of(def: &TableDef, kind: ColumnKind) -> &'static str {
    match (kind, def.dataset) {
        (ColumnKind::Money | ColumnKind::ProjectCount, _) => "procurement",
        (_, Dataset::Litigation) => "litigation",
        (_, Dataset::DisclosureCounts) => "disclosure_counts",
    }
}

/// Distinct strings in order of first appearance.
fn distinct<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.iter().any(|o| o == i) {
            out.push(i.to_string());
        }
    }
    out
}

/// The values a column takes, where they are a closed list; empty otherwise.
pub fn allowed_values(settings: &Settings, dataset: &str, column: &str) -> Vec<String> {
    let t = &settings.templates;
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let tables_of = |ds: &str| -> Vec<&TableDef> {
        t.tables
            .iter()
            .filter(|d| d.columns.iter().any(|c| dataset_of(d, c.kind) == ds))
            .collect()
    };
    match (dataset, column) {
        (_, "template" | "prior_template") => {
            let mut v: Vec<String> = t.templates.iter().map(|t| t.name.clone()).collect();
            if dataset == "reports" {
                v.push("none".into());
            }
            v
        }
        ("reports", "status") => STATUSES.iter().map(|s| s.as_str().to_string()).collect(),
        ("reports", "format") => {
            let mut v: Vec<String> = Format::ALL.iter().map(|f| f.as_str().to_string()).collect();
            v.push("other".into());
            v
        }
        ("reports", "encoding") => owned(&ENCODINGS),
        ("reports", "layout") => LAYOUTS.iter().map(|l| l.as_str().to_string()).collect(),
        ("reports", "year_source") => owned(&YEAR_SOURCES),
        ("reports", "org_source") => owned(&ORG_SOURCES),
        ("findings", "severity") => SEVERITIES.iter().map(|s| s.as_str().to_string()).collect(),
        ("procurement", "amount_unit") => UNITS.iter().map(|u| u.as_str().to_string()).collect(),
        ("yearly_comparison", "unit") => owned(&["count", "yuan"]),
        ("disclosure_counts", "table_key") => distinct(
            tables_of("disclosure_counts")
                .iter()
                .map(|d| d.key.as_str()),
        ),
        ("procurement", "table_key") => {
            distinct(tables_of("procurement").iter().map(|d| d.key.as_str()))
        }
        ("procurement", "item_key") => distinct(
            tables_of("procurement")
                .iter()
                .flat_map(|d| d.rows.iter().map(|r| r.key.as_str())),
        ),
        ("litigation", "proceeding_key") => distinct(
            tables_of("litigation")
                .iter()
                .flat_map(|d| d.rows.iter().map(|r| r.key.as_str())),
        ),
        ("litigation", "outcome_key") => distinct(
            tables_of("litigation")
                .iter()
                .flat_map(|d| d.columns.iter().map(|c| c.key.as_str())),
        ),
        ("yearly_comparison", "table_key") => {
            let mut v = distinct(
                tables_of("disclosure_counts")
                    .iter()
                    .map(|d| d.key.as_str()),
            );
            v.extend(owned(&["litigation", "procurement"]));
            v
        }
        ("metrics", "metric_key") => settings
            .derive
            .metric
            .iter()
            .map(|m| format!("{} ({})", m.key, m.label))
            .collect(),
        _ => Vec::new(),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| match v.split_once(" (") {
            // `key (label)`: the key as code, the label as text.
            Some((k, rest)) => format!("`{k}` ({rest}"),
            None => format!("`{v}`"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

const INTRO: &str = "\
This file is generated: `cargo run -- schema --markdown > docs/dictionary.md` writes it from
the schema code (`src/sink/schema.rs`: types and one description per column;
`src/dictionary.rs`: the derived datasets), the embedded config and the templates
(`config/templates/*.toml`). Do not edit it by hand; `tests/dictionary.rs` fails when it is
stale.

Every dataset is a folder of Parquet files under `OUT/`. Types are as Arrow, pyarrow, polars and
DuckDB read them: `string`, `int32`, `int64`, `float64`, `decimal(precision,scale)`. \"Null\"
says what a null means; \"never\" marks a column that always holds a value.
";

/// The dictionary as Markdown: docs/dictionary.md.
pub fn markdown(settings: &Settings) -> String {
    let mut s = String::from("# Data dictionary\n\n");
    s += INTRO;
    s += "\n## Datasets\n";
    for (name, schema) in datasets() {
        let _ = write!(s, "\n### `{name}`\n\n");
        s += "| column | type | meaning | null | values |\n|---|---|---|---|---|\n";
        for f in schema.fields() {
            let (meaning, null) = match describe(name, f.name()) {
                Some(d) => (d.meaning, d.null),
                None => ("(undocumented)", ""),
            };
            let null = if f.is_nullable() { null } else { "never" };
            let values = code_list(&allowed_values(settings, name, f.name()));
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} |",
                f.name(),
                type_name(f.data_type()),
                cell(meaning),
                cell(null),
                cell(&values)
            );
        }
    }
    s += "\n## Keys and labels\n\n";
    s += "The keys of every table, row and column each template reads, with the Chinese label \
the template gives them (reports print variants of these labels: the templates' `aliases`). \
`disclosure_counts` holds them as `table_key`/`row_key`/`col_key` and `_label`; \
`litigation` as `proceeding_key` (row) and `outcome_key` (column); `procurement` as \
`table_key` and `item_key` (row), its columns being `project_count` and the `amount_*` \
columns. `yearly_comparison` names litigation cells `litigation.<proceeding>.<outcome>` and \
money cells `procurement.<item>.project_count`/`amount_yuan`. A key means the same on every \
template (tables.md); where the forms differ, the keys differ.\n";
    for tpl in &settings.templates.templates {
        let _ = write!(s, "\n### `{}` — {}\n", tpl.name, cell(&tpl.title));
        for &i in &tpl.tables {
            let def = &settings.templates.tables[i];
            let datasets = distinct(def.columns.iter().map(|c| dataset_of(def, c.kind)));
            let _ = write!(
                s,
                "\n#### `{}` {} → {}\n\n",
                def.key,
                cell(&def.label),
                datasets
                    .iter()
                    .map(|d| format!("`{d}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            s += "| | key | label |\n|---|---|---|\n";
            for c in &def.columns {
                let kind = match c.kind {
                    ColumnKind::Count => "column",
                    ColumnKind::Change => "column (change, signed)",
                    ColumnKind::Money => "column (money → `amount_*`)",
                    ColumnKind::ProjectCount => "column (→ `project_count`)",
                };
                let _ = writeln!(s, "| {kind} | `{}` | {} |", c.key, cell(&c.label));
            }
            for r in &def.rows {
                let _ = writeln!(s, "| row | `{}` | {} |", r.key, cell(&r.label));
            }
        }
    }
    s += "\n## Metrics\n\n| metric_key | label | numerator | denominator |\n|---|---|---|---|\n";
    for m in &settings.derive.metric {
        let terms = |t: &[String]| {
            if t.is_empty() {
                "—".to_string()
            } else {
                let mut out = String::new();
                for (i, x) in t.iter().enumerate() {
                    let (sign, x) = match x.strip_prefix('-') {
                        Some(x) => (" − ", x),
                        None if i > 0 => (" + ", x.as_str()),
                        None => ("", x.as_str()),
                    };
                    let _ = write!(out, "{sign}`{x}`");
                }
                out
            }
        };
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            m.key,
            cell(&m.label),
            terms(&m.numerator),
            terms(&m.denominator)
        );
    }
    s
}

/// The dictionary as plain text, one column a line, tab-separated: dataset,
/// column, type, null meaning, description, values. For grep.
pub fn plain(settings: &Settings) -> String {
    let mut s = String::new();
    for (name, schema) in datasets() {
        for f in schema.fields() {
            let d = describe(name, f.name());
            let null = if f.is_nullable() {
                d.map_or("", |d| d.null)
            } else {
                "never"
            };
            let _ = writeln!(
                s,
                "{name}\t{}\t{}\tnull: {null}\t{}\t{}",
                f.name(),
                type_name(f.data_type()),
                d.map_or("", |d| d.meaning),
                allowed_values(settings, name, f.name()).join(", ")
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_description_and_every_description_a_field() {
        let sets = datasets();
        for (name, schema) in &sets {
            for f in schema.fields() {
                let own = COLUMN_DOCS
                    .iter()
                    .filter(|d| d.dataset == *name && d.column == f.name())
                    .count();
                assert!(own <= 1, "{name}.{} is described {own} times", f.name());
                let d = describe(name, f.name())
                    .unwrap_or_else(|| panic!("{name}.{} has no description", f.name()));
                assert!(!d.meaning.is_empty());
                assert!(
                    !f.is_nullable() || !d.null.is_empty(),
                    "{name}.{} may be null: say what a null means",
                    f.name()
                );
            }
        }
        for d in COLUMN_DOCS {
            let used = sets.iter().any(|(name, schema)| {
                (d.dataset == "*" || d.dataset == *name)
                    && schema.fields().iter().any(|f| f.name() == d.column)
            });
            assert!(used, "{}.{} describes no column", d.dataset, d.column);
            if d.dataset == "*" {
                let n = COLUMN_DOCS
                    .iter()
                    .filter(|e| e.dataset == "*" && e.column == d.column)
                    .count();
                assert_eq!(n, 1, "*.{} is described twice", d.column);
            }
        }
    }

    #[test]
    fn the_dictionary_names_every_key_and_label_of_the_templates() {
        let settings = crate::settings::load(None, None).unwrap();
        let md = markdown(&settings);
        for def in &settings.templates.tables {
            assert!(md.contains(&format!("`{}` {}", def.key, def.label)));
            for r in &def.rows {
                assert!(md.contains(&format!("| row | `{}` | {} |", r.key, r.label)));
            }
        }
        for needle in [
            "`project_count_raw`",
            "`tab_rows`",
            "`window`",
            "`signature`",
            "`万元`",
            "`no_tables`",
            "`yuan`",
            "`gb18030`",
            "`substantive_disclosure_rate` (实质公开率)",
        ] {
            assert!(md.contains(needle), "{needle} is in the dictionary");
        }
        assert!(!md.contains("(undocumented)"));
    }
}
