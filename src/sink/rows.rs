//! A chunk of reports turned into Arrow batches, in a worker.
//!
//! It takes the `ReportOut`s of one chunk, in corpus order and already
//! admitted by the sink (duplicates marked, `Sink::admit`), and gives per
//! dataset and year one `RecordBatch` of their rows, in that order: a report
//! and then its cells, as the derive stage expects (`derive::spill`). It is a
//! pure function, run on the worker pool so that the one writer thread only
//! encodes (STYLE, habit 5); it never touches a file.
//!
//! The cell datasets (`disclosure_counts`, `litigation`) repeat per row the
//! report's id, name and template and the template's keys and labels. Their
//! batches carry those columns as Arrow dictionaries: the keys and labels
//! index arrays built once from the templates (`Labels`), the report's
//! columns one value per report, so no row copies a string but its `raw`
//! text. The Parquet files store plain strings either way (the writer
//! dictionary-encodes every string column), and they are written without
//! the Arrow schema (`layout::create`), so every reader sees `string`
//! columns as datasets.md fixes them, not categoricals.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Int32Builder, Int64Builder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::schema::{self, Rows, V};
use crate::model::{CellOut, ReportOut, Severity};
use crate::template::{ColumnKind, Dataset, Templates};
use crate::validate::money::Decimal;

type Error = String;

/// The datasets a chunk fills, in `schema::DATASETS` order.
pub const REPORTS: usize = 0;
pub const COUNTS: usize = 1;
pub const PROCUREMENT: usize = 2;
pub const LITIGATION: usize = 3;
pub const FINDINGS: usize = 4;

/// One chunk's rows: per dataset (`schema::DATASETS` order), per year, one
/// batch.
#[derive(Default)]
pub struct Batches(pub [BTreeMap<Option<i32>, RecordBatch>; 5]);

const SCHEMAS: [fn() -> arrow_schema::Schema; 5] = [
    schema::reports,
    schema::disclosure_counts,
    schema::procurement,
    schema::litigation,
    schema::findings,
];

/// Builders of one chunk, per dataset and year: rows for the datasets of
/// one row per report or finding, cells for the cell datasets.
struct Builder<'t> {
    templates: &'t Templates,
    labels: &'t Labels,
    sets: [BTreeMap<Option<i32>, Rows>; 5],
    cells: [BTreeMap<Option<i32>, Cells>; 2],
}

/// The key and label columns of the cell datasets, as the values of Arrow
/// dictionaries: built once per run from the templates.
pub struct Labels {
    template: ArrayRef,
    table_key: ArrayRef,
    table_label: ArrayRef,
    /// Every table's rows, table after table; `row_start[t]` is table `t`'s
    /// first.
    row_key: ArrayRef,
    row_label: ArrayRef,
    row_start: Vec<i32>,
    col_key: ArrayRef,
    col_label: ArrayRef,
    col_start: Vec<i32>,
    /// The schemas the cell batches are written with.
    counts: SchemaRef,
    litigation: SchemaRef,
    /// Every dataset's schema (`SCHEMAS`), built once.
    schemas: [SchemaRef; 5],
}

fn strings<'a>(values: impl Iterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// Starts of each table's items in a concatenation of all tables' items.
fn starts(counts: impl Iterator<Item = usize>) -> Vec<i32> {
    let mut at = 0usize;
    counts
        .map(|n| {
            let start = at;
            at += n;
            start.min(i32::MAX as usize) as i32
        })
        .collect()
}

/// The field metadata key of a dictionary column of these batches: the
/// writer encodes it from its keys (`sink::dict`). Its value says whether
/// the dictionary's values are one table per run (`Labels`) or one per
/// batch (`PER_BATCH`: the report columns). The Arrow schema of these
/// batches is not stored in the files (`layout::create`), so the key never
/// reaches a reader.
pub const KEYED: &str = "xxgk.keyed";
pub const PER_RUN: &str = "run";
pub const PER_BATCH: &str = "batch";

/// `schema` with the named Utf8 columns as dictionaries of Int32 keys
/// (`KEYED`), those in `per_batch` with one table of values per batch.
pub fn dictionary_schema(schema: Schema, names: &[&str], per_batch: &[&str]) -> Schema {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let name = f.name().as_str();
            if names.contains(&name) {
                let t = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
                let table = if per_batch.contains(&name) {
                    PER_BATCH
                } else {
                    PER_RUN
                };
                let mark: HashMap<String, String> = [(KEYED.to_string(), table.to_string())].into();
                f.as_ref().clone().with_data_type(t).with_metadata(mark)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Schema::new(fields)
}

/// The columns of the cell datasets written as dictionaries: the report's
/// two, then those of the run's tables.
const COUNTS_DICTIONARIES: [&str; 9] = [
    "report_id",
    "org_name",
    "template",
    "table_key",
    "table_label",
    "row_key",
    "row_label",
    "col_key",
    "col_label",
];
const LITIGATION_DICTIONARIES: [&str; 7] = [
    "report_id",
    "org_name",
    "template",
    "proceeding_key",
    "proceeding_label",
    "outcome_key",
    "outcome_label",
];

impl Labels {
    pub fn new(t: &Templates) -> Labels {
        let rows = || t.tables.iter().flat_map(|d| d.rows.iter());
        let cols = || t.tables.iter().flat_map(|d| d.columns.iter());
        Labels {
            template: strings(t.templates.iter().map(|t| t.name.as_str()).chain(["none"])),
            table_key: strings(t.tables.iter().map(|d| d.key.as_str())),
            table_label: strings(t.tables.iter().map(|d| d.label.as_str())),
            row_key: strings(rows().map(|r| r.key.as_str())),
            row_label: strings(rows().map(|r| r.label.as_str())),
            row_start: starts(t.tables.iter().map(|d| d.rows.len())),
            col_key: strings(cols().map(|c| c.key.as_str())),
            col_label: strings(cols().map(|c| c.label.as_str())),
            col_start: starts(t.tables.iter().map(|d| d.columns.len())),
            counts: Arc::new(dictionary_schema(
                schema::disclosure_counts(),
                &COUNTS_DICTIONARIES,
                &COUNTS_DICTIONARIES[..2],
            )),
            litigation: Arc::new(dictionary_schema(
                schema::litigation(),
                &LITIGATION_DICTIONARIES,
                &LITIGATION_DICTIONARIES[..2],
            )),
            schemas: SCHEMAS.map(|s| Arc::new(s())),
        }
    }
}

/// One year's cells of one cell dataset in a chunk: keys into `Labels` and
/// into this chunk's report columns.
#[derive(Default)]
struct Cells {
    /// One value per report with cells here.
    report_id: StringBuilder,
    org_name: StringBuilder,
    /// Per cell: the report (an index into the two above).
    report: Int32Builder,
    org: Int32Builder,
    year: Int32Builder,
    template: Int32Builder,
    table: Int32Builder,
    row: Int32Builder,
    col: Int32Builder,
    value: Int64Builder,
    raw: StringBuilder,
    /// The report the last cell belonged to, by its address in the chunk.
    last: Option<(usize, i32)>,
}

impl Cells {
    fn finish(&mut self, labels: &Labels, set: usize) -> Result<RecordBatch, Error> {
        let dict = |keys: Int32Array, values: &ArrayRef| -> Result<ArrayRef, Error> {
            let d = DictionaryArray::<Int32Type>::try_new(keys, values.clone())
                .map_err(|e| e.to_string())?;
            Ok(Arc::new(d))
        };
        let report_id: ArrayRef = Arc::new(self.report_id.finish());
        let org_name: ArrayRef = Arc::new(self.org_name.finish());
        let report = self.report.finish();
        let row = self.row.finish();
        let col = self.col.finish();
        let mut columns = vec![
            dict(report.clone(), &report_id)?,
            Arc::new(self.year.finish()) as ArrayRef,
            dict(self.org.finish(), &org_name)?,
            dict(self.template.finish(), &labels.template)?,
        ];
        let schema = if set == COUNTS {
            let table = self.table.finish();
            columns.push(dict(table.clone(), &labels.table_key)?);
            columns.push(dict(table, &labels.table_label)?);
            labels.counts.clone()
        } else {
            labels.litigation.clone()
        };
        columns.extend([
            dict(row.clone(), &labels.row_key)?,
            dict(row, &labels.row_label)?,
            dict(col.clone(), &labels.col_key)?,
            dict(col, &labels.col_label)?,
            Arc::new(self.value.finish()),
            Arc::new(self.raw.finish()),
        ]);
        RecordBatch::try_new(schema, columns).map_err(|e| e.to_string())
    }
}

fn decimal(d: Option<Decimal>, scale: i8) -> Option<i128> {
    d.and_then(|d| d.at_scale(scale as u32))
}

/// The rows of `reports`, in their order.
pub fn build(
    templates: &Templates,
    labels: &Labels,
    reports: &[ReportOut],
) -> Result<Batches, Error> {
    let mut b = Builder {
        templates,
        labels,
        sets: Default::default(),
        cells: Default::default(),
    };
    for (i, r) in reports.iter().enumerate() {
        // The tables first: they count the cells found, which the
        // report's row gives (each dataset's rows keep the reports' order).
        let found = b.tables(i, r)?;
        b.report(r, found)?;
        b.findings(r)?;
    }
    let mut out = Batches::default();
    for (set, rows) in out.0.iter_mut().zip(b.sets.iter_mut()) {
        for (&year, rows) in rows.iter_mut() {
            set.insert(year, rows.finish().map_err(|e| e.to_string())?);
        }
    }
    for (set, cells) in [COUNTS, LITIGATION].into_iter().zip(b.cells.iter_mut()) {
        for (&year, cells) in cells.iter_mut() {
            out.0[set].insert(year, cells.finish(labels, set)?);
        }
    }
    Ok(out)
}

impl Builder<'_> {
    fn rows(&mut self, set: usize, year: Option<i32>) -> Result<&mut Rows, Error> {
        match self.sets[set].entry(year) {
            std::collections::btree_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::btree_map::Entry::Vacant(e) => {
                let schema = self.labels.schemas[set].clone();
                Ok(e.insert(Rows::of(schema).map_err(|e| e.to_string())?))
            }
        }
    }

    /// The report's row; `found`: its cells found (`ReportOut::cells_found`).
    fn report(&mut self, r: &ReportOut, found: usize) -> Result<(), Error> {
        let template = r
            .template
            .map_or("none", |t| self.templates.templates[t].name.as_str());
        let errors = r
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        self.rows(REPORTS, r.year)?.push(&[
            V::S(Some(&r.report_id)),
            V::S(Some(&r.source_path)),
            V::I32(r.year),
            V::S(Some(template)),
            V::S(r.org_name.as_deref()),
            V::S(Some(r.format)),
            V::I32(r.pages.map(|p| p.min(i32::MAX as u32) as i32)),
            V::S(Some(r.encoding)),
            V::S(Some(r.status.as_str())),
            V::I32(Some(found.min(i32::MAX as usize) as i32)),
            V::I32(Some(r.findings.len().min(i32::MAX as usize) as i32)),
            V::I32(Some(errors.min(i32::MAX as usize) as i32)),
            V::S(Some(crate::report::PARSER_VERSION)),
            V::S(r.year_evidence.source),
            V::S(r.year_evidence.text.as_deref()),
            V::S(r.org_evidence.source),
            V::S(Some(r.layout)),
            V::I64(Some(r.bytes.min(i64::MAX as u64) as i64)),
            V::S(r.duplicate_of.as_deref()),
            V::S(r.org_key.as_deref()),
            V::S(r.region.as_deref()),
        ]);
        Ok(())
    }

    fn findings(&mut self, r: &ReportOut) -> Result<(), Error> {
        for f in &r.findings {
            self.rows(FINDINGS, r.year)?.push(&[
                V::S(Some(&r.report_id)),
                V::S(Some(&r.source_path)),
                V::I32(r.year),
                V::S(Some(f.severity.as_str())),
                V::S(Some(&f.code)),
                V::S(f.table_key.as_deref()),
                V::S(f.row_key.as_deref()),
                V::S(f.col_key.as_deref()),
                V::I32(f.page.map(|p| p.min(i32::MAX as u32) as i32)),
                V::S(Some(&f.message)),
            ]);
        }
        Ok(())
    }

    /// The cells of report `i` of the chunk: money items into
    /// `procurement` rows, counts into the cell datasets; gives the cells
    /// found (`ReportOut::cells_found`), counted on the way.
    fn tables(&mut self, i: usize, r: &ReportOut) -> Result<usize, Error> {
        let mut found = 0usize;
        let t = self.templates;
        let template = r.template.map_or("none", |i| t.templates[i].name.as_str());
        // `Labels::template` ends with `none`.
        let template_key = r
            .template
            .unwrap_or(t.templates.len())
            .min(i32::MAX as usize) as i32;
        for table in &r.tables {
            // Counted here, while the cells are read anyway.
            found += table.cells.iter().filter(|c| c.raw().is_some()).count();
            let def = &t.tables[table.def];
            let row_start = self.labels.row_start.get(table.def).copied().unwrap_or(0);
            let col_start = self.labels.col_start.get(table.def).copied().unwrap_or(0);
            let ncols = def.columns.len();
            // Money and project counts of a row go to procurement.
            let money = def.columns.iter().position(|c| c.kind == ColumnKind::Money);
            let count = def
                .columns
                .iter()
                .position(|c| c.kind == ColumnKind::ProjectCount);
            // A table with a money column: its rows go to procurement.
            if let Some(m) = money {
                for (ri, row) in def.rows.iter().enumerate() {
                    let cells = table.cells.get(ri * ncols..(ri + 1) * ncols).unwrap_or(&[]);
                    let (pc, pc_raw) = match count.and_then(|i| cells.get(i)) {
                        Some(CellOut::Count(c)) => (c.value, r.raw(c.raw)),
                        _ => (None, None),
                    };
                    if let Some(CellOut::Money(mc)) = cells.get(m) {
                        self.rows(PROCUREMENT, r.year)?.push(&[
                            V::S(Some(&r.report_id)),
                            V::I32(r.year),
                            V::S(r.org_name.as_deref()),
                            V::S(Some(template)),
                            V::S(Some(&def.key)),
                            V::S(Some(&row.key)),
                            V::S(Some(&row.label)),
                            V::I64(pc),
                            V::S(pc_raw),
                            V::D(decimal(mc.value, schema::VALUE_SCALE)),
                            V::S(mc.unit.map(|u| u.as_str())),
                            V::D(decimal(mc.yuan, schema::YUAN_SCALE)),
                            V::S(r.raw(mc.raw)),
                        ]);
                    }
                }
            }
            let set = match def.dataset {
                Dataset::DisclosureCounts => 0,
                Dataset::Litigation => 1,
            };
            // The table's count cells: the columns that vary per cell here,
            // those of the report and the table once for all of them. A
            // year's cells open with the table's first count cell.
            let mut year_cells: Option<&mut Cells> = None;
            let mut n = 0usize;
            for ri in 0..def.rows.len() {
                let cells = table.cells.get(ri * ncols..(ri + 1) * ncols).unwrap_or(&[]);
                for (ci, col) in def.columns.iter().enumerate() {
                    if matches!(col.kind, ColumnKind::Money | ColumnKind::ProjectCount) {
                        continue;
                    }
                    let Some(CellOut::Count(cell)) = cells.get(ci) else {
                        continue;
                    };
                    if year_cells.is_none() {
                        year_cells = Some(self.cells[set].entry(r.year).or_default());
                    }
                    let Some(c) = year_cells.as_deref_mut() else {
                        continue;
                    };
                    c.row.append_value(row_start.saturating_add(ri as i32));
                    c.col.append_value(col_start.saturating_add(ci as i32));
                    c.value.append_option(cell.value);
                    c.raw.append_option(r.raw(cell.raw));
                    n += 1;
                }
            }
            let Some(c) = year_cells else {
                continue;
            };
            let report = match c.last {
                Some((at, k)) if at == i => k,
                _ => {
                    let k = c.report_id.len().min(i32::MAX as usize) as i32;
                    c.report_id.append_value(&r.report_id);
                    // No null in the table (`sink::dict` takes none): a
                    // report without a name has null keys instead.
                    c.org_name.append_value(r.org_name.as_deref().unwrap_or(""));
                    c.last = Some((i, k));
                    k
                }
            };
            c.report.append_value_n(report, n);
            if r.org_name.is_some() {
                c.org.append_value_n(report, n);
            } else {
                c.org.append_nulls(n);
            }
            match r.year {
                Some(y) => c.year.append_value_n(y, n),
                None => c.year.append_nulls(n),
            }
            c.template.append_value_n(template_key, n);
            c.table
                .append_value_n(table.def.min(i32::MAX as usize) as i32, n);
        }
        Ok(found)
    }
}
