//! One Arrow schema per dataset, as `../shared/spec/datasets.md` fixes them,
//! and the builders that fill them row by row.
//!
//! It takes typed values and gives record batches; it never decides what a
//! value is. Key columns are plain Utf8: Parquet dictionary-encodes them.

use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Int32Builder, Int64Builder, StringBuilder};
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
        utf8("message", false),
    ])
}

/// A column builder of any type the datasets use.
pub enum Col {
    Str(StringBuilder),
    I32(Int32Builder),
    I64(Int64Builder),
    Dec(Decimal128Builder),
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
}

impl Rows {
    pub fn new(schema: Schema) -> Result<Rows, ArrowError> {
        let cols = schema
            .fields()
            .iter()
            .map(|f| {
                Ok(match f.data_type() {
                    DataType::Int32 => Col::I32(Int32Builder::new()),
                    DataType::Int64 => Col::I64(Int64Builder::new()),
                    DataType::Decimal128(p, s) => {
                        Col::Dec(Decimal128Builder::new().with_precision_and_scale(*p, *s)?)
                    }
                    _ => Col::Str(StringBuilder::new()),
                })
            })
            .collect::<Result<Vec<Col>, ArrowError>>()?;
        Ok(Rows {
            schema: Arc::new(schema),
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
                // A mismatch is a bug in this module; append a null so the
                // batch still builds and the schema test catches it.
                (Col::Str(b), _) => b.append_null(),
                (Col::I32(b), _) => b.append_null(),
                (Col::I64(b), _) => b.append_null(),
                (Col::Dec(b), _) => b.append_null(),
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
                }
            })
            .collect();
        self.len = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}
