//! One Arrow schema per dataset, as `../shared/spec/datasets.md` fixes them,
//! and the builders that fill them row by row.
//!
//! It takes typed values and gives record batches; it never decides what a
//! value is. Key columns are plain Utf8: Parquet dictionary-encodes them.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

/// `amount_value`: the number as written.
pub const VALUE_SCALE: i8 = 8;
/// `amount_yuan`: yuan with 4 decimals (datasets.md asks for scale ≥ 2).
pub const YUAN_SCALE: i8 = 4;
pub const PRECISION: u8 = 38;

pub const DATASETS: [&str; 5] = [
    "reports",
    "disclosure_counts",
    "procurement",
    "litigation",
    "findings",
];

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

pub fn reports() -> Schema {
    Schema::new(vec![
        utf8("report_id", false),
        utf8("source_path", false),
        Field::new("year", DataType::Int32, true),
        utf8("template", false),
        utf8("org_name", true),
        utf8("format", false),
        // Pages of a paged format (PDF); null for txt and html.
        Field::new("pages", DataType::Int32, true),
        utf8("encoding", false),
        utf8("status", false),
        Field::new("cells_found", DataType::Int32, false),
        Field::new("findings", DataType::Int32, false),
        // Findings of severity error: the report's own checks failed or a
        // cell or the file could not be read.
        Field::new("errors", DataType::Int32, false),
        utf8("parser_version", false),
        utf8("year_source", true),
        utf8("year_evidence", true),
        utf8("org_source", true),
        utf8("layout", false),
        Field::new("bytes", DataType::Int64, false),
        utf8("duplicate_of", true),
        utf8("org_key", true),
        utf8("region", true),
    ])
}

/// The columns every table dataset starts with.
fn report_columns() -> Vec<Field> {
    vec![
        utf8("report_id", false),
        Field::new("year", DataType::Int32, true),
        utf8("org_name", true),
        utf8("template", false),
    ]
}

pub fn disclosure_counts() -> Schema {
    let mut f = report_columns();
    f.extend([
        utf8("table_key", false),
        utf8("table_label", false),
        utf8("row_key", false),
        utf8("row_label", false),
        utf8("col_key", false),
        utf8("col_label", false),
        Field::new("value", DataType::Int64, true),
        utf8("raw", true),
    ]);
    Schema::new(f)
}

pub fn procurement() -> Schema {
    let mut f = report_columns();
    f.extend([
        utf8("table_key", false),
        utf8("item_key", false),
        utf8("item_label", false),
        Field::new("project_count", DataType::Int64, true),
        utf8("project_count_raw", true),
        Field::new(
            "amount_value",
            DataType::Decimal128(PRECISION, VALUE_SCALE),
            true,
        ),
        utf8("amount_unit", true),
        Field::new(
            "amount_yuan",
            DataType::Decimal128(PRECISION, YUAN_SCALE),
            true,
        ),
        utf8("amount_raw", true),
    ]);
    Schema::new(f)
}

pub fn litigation() -> Schema {
    let mut f = report_columns();
    f.extend([
        utf8("proceeding_key", false),
        utf8("proceeding_label", false),
        utf8("outcome_key", false),
        utf8("outcome_label", false),
        Field::new("value", DataType::Int64, true),
        utf8("raw", true),
    ]);
    Schema::new(f)
}

pub fn findings() -> Schema {
    Schema::new(vec![
        utf8("report_id", false),
        utf8("source_path", false),
        Field::new("year", DataType::Int32, true),
        utf8("severity", false),
        utf8("code", false),
        utf8("table_key", true),
        utf8("row_key", true),
        utf8("col_key", true),
        // The page of a paged format the finding is on (datasets.md).
        Field::new("page", DataType::Int32, true),
        utf8("message", false),
    ])
}

/// `yearly_comparison`, as the derive stage writes it (docs/derive.md).
pub fn yearly_comparison() -> Schema {
    let s = |n: &str, nullable| Field::new(n, DataType::Utf8, nullable);
    let dec = |n: &str| Field::new(n, DataType::Decimal128(PRECISION, 4), true);
    Schema::new(vec![
        s("org_key", false),
        Field::new("year", DataType::Int32, false),
        Field::new("prior_year", DataType::Int32, false),
        s("table_key", false),
        s("row_key", false),
        s("col_key", false),
        s("table_label", false),
        s("row_label", false),
        s("col_label", false),
        s("unit", false),
        dec("value"),
        dec("prior_value"),
        dec("delta"),
        Field::new("pct_change", DataType::Float64, true),
        s("org_name", true),
        s("report_id", false),
        s("prior_report_id", false),
        s("template", false),
        s("prior_template", false),
        Field::new("checks_failed", DataType::Boolean, false),
    ])
}

/// `metrics`, as the derive stage writes it.
pub fn metrics() -> Schema {
    let s = |n: &str, nullable| Field::new(n, DataType::Utf8, nullable);
    Schema::new(vec![
        s("report_id", false),
        Field::new("year", DataType::Int32, true),
        s("org_key", true),
        s("org_name", true),
        s("template", false),
        s("source_path", false),
        s("metric_key", false),
        s("metric_label", false),
        Field::new("numerator", DataType::Int64, true),
        Field::new("denominator", DataType::Int64, true),
        Field::new("value", DataType::Float64, true),
        Field::new("checks_failed", DataType::Boolean, false),
    ])
}

/// A column builder of any type the datasets use.
pub enum Col {
    Str(StringBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    Dec(Decimal128Builder),
    F64(Float64Builder),
    Bool(BooleanBuilder),
}

/// Builds one dataset's batches: one builder per schema field.
pub struct Rows {
    pub schema: SchemaRef,
    pub cols: Vec<Col>,
    len: usize,
}

/// A value for one column of a row.
pub enum V<'a> {
    S(Option<&'a str>),
    I32(Option<i32>),
    I64(Option<i64>),
    D(Option<i128>),
    F64(Option<f64>),
    B(Option<bool>),
}

impl Rows {
    pub fn new(schema: Schema) -> Result<Rows, ArrowError> {
        Rows::of(Arc::new(schema))
    }

    /// The builders of `schema`'s batches (a schema built once, shared).
    pub fn of(schema: SchemaRef) -> Result<Rows, ArrowError> {
        let cols = schema
            .fields()
            .iter()
            .map(|f| {
                Ok(match f.data_type() {
                    DataType::Int32 => Col::I32(Int32Builder::new()),
                    DataType::Int64 => Col::I64(Int64Builder::new()),
                    DataType::Float64 => Col::F64(Float64Builder::new()),
                    DataType::Boolean => Col::Bool(BooleanBuilder::new()),
                    DataType::Decimal128(p, s) => {
                        Col::Dec(Decimal128Builder::new().with_precision_and_scale(*p, *s)?)
                    }
                    _ => Col::Str(StringBuilder::new()),
                })
            })
            .collect::<Result<Vec<Col>, ArrowError>>()?;
        Ok(Rows {
            schema,
            cols,
            len: 0,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one row; `values` follow the schema's field order.
    pub fn push(&mut self, values: &[V<'_>]) {
        debug_assert_eq!(values.len(), self.cols.len());
        for (col, v) in self.cols.iter_mut().zip(values) {
            match (col, v) {
                (Col::Str(b), V::S(s)) => b.append_option(*s),
                (Col::I32(b), V::I32(x)) => b.append_option(*x),
                (Col::I64(b), V::I64(x)) => b.append_option(*x),
                (Col::Dec(b), V::D(x)) => b.append_option(*x),
                (Col::F64(b), V::F64(x)) => b.append_option(*x),
                (Col::Bool(b), V::B(x)) => b.append_option(*x),
                // A mismatch is a bug in this module; append a null so the
                // batch still builds and the schema test catches it.
                (Col::Str(b), _) => b.append_null(),
                (Col::I32(b), _) => b.append_null(),
                (Col::I64(b), _) => b.append_null(),
                (Col::Dec(b), _) => b.append_null(),
                (Col::F64(b), _) => b.append_null(),
                (Col::Bool(b), _) => b.append_null(),
            }
        }
        self.len += 1;
    }

    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::I32(b) => Arc::new(b.finish()),
                    Col::I64(b) => Arc::new(b.finish()),
                    Col::Dec(b) => Arc::new(b.finish()),
                    Col::F64(b) => Arc::new(b.finish()),
                    Col::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.len = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}

/// What one column holds and what its null means. `xxgk schema` prints one
/// per field, beside the field's type, for the schemas above and the derived
/// datasets; a test fails when a field has none or a description names a
/// column that no dataset has.
pub struct ColumnDoc {
    /// The dataset, or `*` for a column of that name in every dataset that
    /// has it and no description of its own.
    pub dataset: &'static str,
    pub column: &'static str,
    pub meaning: &'static str,
    /// What a null means; empty for a column that is never null.
    pub null: &'static str,
}

const fn doc(
    dataset: &'static str,
    column: &'static str,
    meaning: &'static str,
    null: &'static str,
) -> ColumnDoc {
    ColumnDoc {
        dataset,
        column,
        meaning,
        null,
    }
}

/// One description per field (datasets.md; docs/derive.md for the derived
/// datasets).
pub const COLUMN_DOCS: &[ColumnDoc] = &[
    doc("*", "report_id", "hex SHA-256 of the file's bytes; joins every dataset to `reports`", ""),
    doc("*", "source_path", "path relative to CORPUS, `/`-separated (bytes that are not UTF-8 written `\\xNN`)", ""),
    doc("*", "year", "statistics year of the report (the year the figures are about, not the year it was published)", "no year could be read (`year.missing`, unreadable files)"),
    doc("*", "org_name", "the issuing body, as the report names it", "no name found in the title, signature or prose"),
    doc("*", "template", "the table forms the report follows (`none`: no standard table found)", ""),
    doc("*", "table_key", "the table (keys of the template, see \"Keys and labels\")", ""),
    doc("*", "table_label", "the table's Chinese name as the template gives it", ""),
    doc("*", "row_key", "the row (keys of the template)", ""),
    doc("*", "row_label", "the row's Chinese label as the template gives it", ""),
    doc("*", "col_key", "the column (keys of the template)", ""),
    doc("*", "col_label", "the column's Chinese label as the template gives it", ""),
    doc("*", "raw", "the cell text as printed, trimmed", "the report did not print the cell"),
    doc("*", "org_key", "the body across years: normalised name, suffix cut, renames, region prefix (docs/derive.md)", "no org_name"),
    doc("reports", "format", "how the file was read (by its bytes where they carry a signature, else by its extension); `other` for a file of no format read", ""),
    doc("reports", "encoding", "the text encoding as detected; `unknown` when the file was not decoded", ""),
    doc("reports", "status", "what happened to the file", ""),
    doc("reports", "cells_found", "table cells the report printed and xxgk placed", ""),
    doc("reports", "findings", "rows this report has in `findings` from the ingest (the derive stage's cross-year findings are not counted)", ""),
    doc("reports", "errors", "findings of severity `error` this report has (a failed check, an unreadable cell or file); `status` stays `ok` when every table was found", ""),
    doc("reports", "parser_version", "version of xxgk that produced the rows", ""),
    doc("reports", "pages", "pages of a paged format (PDF), also of a PDF refused after its pages were counted (a scan)", "not a paged format (txt, html, docx), or a PDF refused before its pages were counted (damaged, encrypted)"),
    doc("reports", "year_source", "where the year was read", "no year"),
    doc("reports", "year_evidence", "the text the year was read from", "no year"),
    doc("reports", "org_source", "where the body's name was read", "no name"),
    doc("reports", "layout", "how the text carried its tables (real-world.md layouts); `prose` when no line held more than prose, and for unread files", ""),
    doc("reports", "bytes", "size of the file in bytes", ""),
    doc("reports", "duplicate_of", "the first path with the same bytes (status `duplicate`)", "not a duplicate"),
    doc("reports", "region", "the region fields of the path (`[org] path_pattern`), `/`-separated", "no pattern set, or the path does not follow it"),
    doc("disclosure_counts", "value", "the count as a number", "blank, `/` (not applicable), unreadable, or a row printing fewer or more values than columns"),
    doc("procurement", "item_key", "the money item", ""),
    doc("procurement", "item_label", "the item's Chinese label as the template gives it", ""),
    doc("procurement", "project_count", "采购项目数量 printed beside the amount (gb2019 政府集中采购)", "not printed (gb2021 fees have none), blank or unreadable"),
    doc("procurement", "project_count_raw", "the project count as printed, trimmed", "not printed"),
    doc("procurement", "amount_value", "the amount as written, in `amount_unit`", "blank, not applicable or unreadable"),
    doc("procurement", "amount_unit", "the unit printed in the cell, else in its column header", "no unit printed anywhere (`amount.unit_unknown` when the amount is not 0)"),
    doc("procurement", "amount_yuan", "the amount in yuan, exact", "no amount, or a non-zero amount with no unit"),
    doc("procurement", "amount_raw", "the amount cell as printed, trimmed", "the report did not print the cell"),
    doc("litigation", "proceeding_key", "the proceeding (row of table 4)", ""),
    doc("litigation", "proceeding_label", "the proceeding's Chinese label as the template gives it", ""),
    doc("litigation", "outcome_key", "the outcome (column of table 4)", ""),
    doc("litigation", "outcome_label", "the outcome's Chinese label as the template gives it", ""),
    doc("litigation", "value", "the count as a number", "blank, `/`, unreadable or a short row"),
    doc("findings", "severity", "`error`: the report's figures disagree or the file was not read; `warning`: read, but check it; `info`: how it was read", ""),
    doc("findings", "code", "stable dotted code (README, \"Finding codes\")", ""),
    doc("findings", "table_key", "the table the finding is about", "not about a table"),
    doc("findings", "row_key", "the row the finding is about", "not about a row"),
    doc("findings", "col_key", "the column the finding is about", "not about a column"),
    doc("findings", "page", "the page of a paged format the finding is about", "not a paged format, or not about a place in the document"),
    doc("findings", "message", "a sentence in plain words naming the values involved", ""),
    doc("yearly_comparison", "year", "N, the year compared", ""),
    doc("yearly_comparison", "prior_year", "N − 1", ""),
    doc("yearly_comparison", "org_name", "the body as year N's report names it", "year N's report names none"),
    doc("yearly_comparison", "table_key", "the cell's table; `litigation` for table 4 and `procurement` for the money items", ""),
    doc("yearly_comparison", "table_label", "the table's Chinese name (the newest template's where the templates differ)", ""),
    doc("yearly_comparison", "row_label", "the row's Chinese label (the newest template's)", ""),
    doc("yearly_comparison", "col_label", "the column's Chinese label (the newest template's)", ""),
    doc("yearly_comparison", "unit", "what `value` counts", ""),
    doc("yearly_comparison", "value", "the cell in year N", "blank or unreadable in year N"),
    doc("yearly_comparison", "prior_value", "the cell in year N − 1", "blank or unreadable in year N − 1"),
    doc("yearly_comparison", "delta", "`value − prior_value`", "either is null"),
    doc("yearly_comparison", "pct_change", "`delta / prior_value × 100`", "`prior_value` is 0 or null, or `value` is null"),
    doc("yearly_comparison", "checks_failed", "either year's report has a finding of severity `error` (its own checks fail): treat the comparison with care", ""),
    doc("yearly_comparison", "report_id", "year N's report", ""),
    doc("yearly_comparison", "prior_report_id", "year N − 1's report", ""),
    doc("yearly_comparison", "template", "year N's template", ""),
    doc("yearly_comparison", "prior_template", "year N − 1's template", ""),
    doc("metrics", "metric_key", "the metric (`[[derive.metric]]` of the config)", ""),
    doc("metrics", "metric_label", "the metric's Chinese name", ""),
    doc("metrics", "numerator", "the sum of the numerator's cells", "a cell of it is missing or blank"),
    doc("metrics", "denominator", "the sum of the denominator's cells", "the metric has no denominator, or a cell of it is missing or blank"),
    doc("metrics", "value", "numerator / denominator as a fraction (0.25, not 25 %); the numerator when there is no denominator", "numerator or denominator null, or denominator 0"),
    doc("metrics", "checks_failed", "the report has a finding of severity `error` (its own checks fail): the metric may be meaningless (实质公开率 above 1)", ""),
];
