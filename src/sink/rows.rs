//! A chunk of reports turned into Arrow batches, in a worker.
//!
//! It takes the `ReportOut`s of one chunk, in corpus order and already
//! admitted by the sink (duplicates marked, `Sink::admit`), and gives per
//! dataset and year one `RecordBatch` of their rows, in that order: a report
//! and then its cells, as the derive stage expects (`derive::spill`). It is a
//! pure function, run on the worker pool so that the one writer thread only
//! encodes (STYLE, habit 5); it never touches a file.

use std::collections::BTreeMap;

use arrow_array::RecordBatch;

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

/// Builders of one chunk, per dataset and year.
struct Builder<'t> {
    templates: &'t Templates,
    sets: [BTreeMap<Option<i32>, Rows>; 5],
}

fn decimal(d: Option<Decimal>, scale: i8) -> Option<i128> {
    d.and_then(|d| d.at_scale(scale as u32))
}

/// The rows of `reports`, in their order.
pub fn build(templates: &Templates, reports: &[ReportOut]) -> Result<Batches, Error> {
    let mut b = Builder {
        templates,
        sets: Default::default(),
    };
    for r in reports {
        b.report(r)?;
        b.tables(r)?;
        b.findings(r)?;
    }
    let mut out = Batches::default();
    for (set, rows) in out.0.iter_mut().zip(b.sets.iter_mut()) {
        for (&year, rows) in rows.iter_mut() {
            set.insert(year, rows.finish().map_err(|e| e.to_string())?);
        }
    }
    Ok(out)
}

impl Builder<'_> {
    fn rows(&mut self, set: usize, year: Option<i32>) -> Result<&mut Rows, Error> {
        let rows = &mut self.sets[set];
        if !rows.contains_key(&year) {
            let new = Rows::new(SCHEMAS[set]()).map_err(|e| e.to_string())?;
            rows.insert(year, new);
        }
        rows.get_mut(&year)
            .ok_or_else(|| "rows vanished".to_string())
    }

    fn report(&mut self, r: &ReportOut) -> Result<(), Error> {
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
            V::I32(Some(r.cells_found().min(i32::MAX as usize) as i32)),
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

    fn tables(&mut self, r: &ReportOut) -> Result<(), Error> {
        let t = self.templates;
        let template = r.template.map_or("none", |i| t.templates[i].name.as_str());
        for table in &r.tables {
            let def = &t.tables[table.def];
            let ncols = def.columns.len();
            // Money and project counts of a row go to procurement.
            let money = def.columns.iter().position(|c| c.kind == ColumnKind::Money);
            let count = def
                .columns
                .iter()
                .position(|c| c.kind == ColumnKind::ProjectCount);
            for (ri, row) in def.rows.iter().enumerate() {
                let cells = table.cells.get(ri * ncols..(ri + 1) * ncols).unwrap_or(&[]);
                if let Some(m) = money {
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
                let set = match def.dataset {
                    Dataset::DisclosureCounts => COUNTS,
                    Dataset::Litigation => LITIGATION,
                };
                for (ci, col) in def.columns.iter().enumerate() {
                    if matches!(col.kind, ColumnKind::Money | ColumnKind::ProjectCount) {
                        continue;
                    }
                    let Some(CellOut::Count(cell)) = cells.get(ci) else {
                        continue;
                    };
                    let rows = self.rows(set, r.year)?;
                    match def.dataset {
                        Dataset::DisclosureCounts => rows.push(&[
                            V::S(Some(&r.report_id)),
                            V::I32(r.year),
                            V::S(r.org_name.as_deref()),
                            V::S(Some(template)),
                            V::S(Some(&def.key)),
                            V::S(Some(&def.label)),
                            V::S(Some(&row.key)),
                            V::S(Some(&row.label)),
                            V::S(Some(&col.key)),
                            V::S(Some(&col.label)),
                            V::I64(cell.value),
                            V::S(r.raw(cell.raw)),
                        ]),
                        Dataset::Litigation => rows.push(&[
                            V::S(Some(&r.report_id)),
                            V::I32(r.year),
                            V::S(r.org_name.as_deref()),
                            V::S(Some(template)),
                            V::S(Some(&row.key)),
                            V::S(Some(&row.label)),
                            V::S(Some(&col.key)),
                            V::S(Some(&col.label)),
                            V::I64(cell.value),
                            V::S(r.raw(cell.raw)),
                        ]),
                    }
                }
            }
        }
        Ok(())
    }
}
