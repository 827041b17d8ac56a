//! Cell values: what a located cell holds, by its column's rules.
//!
//! It takes the matcher's placement of a table (which document cell stands in
//! which template slot, and the unit each money column's header names) and
//! gives the table's typed cells with findings for what is wrong in them:
//! unreadable text, a negative count, an amount without a unit or with two.
//! It never moves a value to another slot and never drops a printed one
//! (tables.md, "Cell values", "Money").

use crate::model::{CellOut, CountCell, Finding, MoneyCell, Severity, TableOut};
use crate::segment::Doc;
use crate::template::{ColumnKind, TableDef};
use crate::validate::money::{parse_money, to_yuan, Money, Unit};
use crate::validate::values::{parse_count, Count};

/// Where the matcher found a table's cells: per template slot (row-major,
/// `rows × columns`), the document cell printed there, if any.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Index into `Templates::tables`.
    pub def: usize,
    pub slots: Vec<Option<u32>>,
    /// The unit each column's header names (money columns).
    pub units: Vec<Option<crate::validate::money::Unit>>,
    /// A short flat row whose printed values are all 0, read as all 0
    /// (`short_row = "zero_if_all_zero"`): every slot is 0, not printed.
    pub zero_fill: bool,
}

/// Reads every slot of a placed table.
pub fn read_table(
    doc: &Doc,
    def: &TableDef,
    placed: &Placed,
    findings: &mut Vec<Finding>,
) -> TableOut {
    let ncols = def.columns.len().max(1);
    let cells = placed
        .slots
        .iter()
        .enumerate()
        .map(|(i, slot)| {
            let (r, c) = (i / ncols, i % ncols);
            match (slot, placed.zero_fill) {
                (_, true) => CellOut::Count(CountCell {
                    value: Some(0),
                    raw: None,
                }),
                (Some(cell), false) => read_cell(
                    doc,
                    *cell as usize,
                    def,
                    r,
                    c,
                    placed.units.get(c).copied().flatten(),
                    findings,
                ),
                (None, false) => match def.columns[c].kind {
                    ColumnKind::Money => CellOut::Money(MoneyCell::default()),
                    _ => CellOut::Count(CountCell::default()),
                },
            }
        })
        .collect();
    TableOut {
        def: placed.def,
        cells,
    }
}

/// Reads one cell by its column's rules, with findings for what is wrong.
fn read_cell(
    doc: &Doc,
    cell: usize,
    def: &TableDef,
    r: usize,
    c: usize,
    header_unit: Option<Unit>,
    findings: &mut Vec<Finding>,
) -> CellOut {
    let raw_text = doc.raw(cell);
    let raw = Some((doc.cells[cell].start, doc.cells[cell].end));
    let column = &def.columns[c];
    let (row_key, col_key) = (def.rows[r].key.as_str(), column.key.as_str());
    let line = doc.cells[cell].line;
    let mut finding = |severity, code: &str, message: String| {
        findings.push(
            Finding::new(
                severity,
                code,
                format!(
                    "{}, row {row_key}, column {col_key} (line {line}): {message}",
                    def.key
                ),
            )
            .at(&def.key, Some(row_key), Some(col_key)),
        );
    };
    match column.kind {
        ColumnKind::Money => {
            let mut out = MoneyCell {
                raw,
                ..MoneyCell::default()
            };
            match parse_money(raw_text) {
                Money::Blank | Money::NotApplicable => {}
                Money::Unreadable => finding(
                    Severity::Warning,
                    "cell.unreadable",
                    format!("\"{raw_text}\" is not an amount; the value is null"),
                ),
                Money::Amount(value, cell_unit) => {
                    if let (Some(a), Some(b)) = (cell_unit, header_unit) {
                        if a != b {
                            finding(
                                Severity::Warning,
                                "amount.unit_conflict",
                                format!(
                                    "the cell says {} and the header {}; the cell's unit is used",
                                    a.as_str(),
                                    b.as_str()
                                ),
                            );
                        }
                    }
                    let unit = cell_unit.or(header_unit);
                    out.value = Some(value);
                    out.unit = unit;
                    out.yuan = to_yuan(value, unit);
                    if unit.is_none() && !value.is_zero() {
                        finding(
                            Severity::Warning,
                            "amount.unit_unknown",
                            format!("\"{raw_text}\" names no unit, in the cell or the header; the amount in yuan is null"),
                        );
                    }
                }
            }
            CellOut::Money(out)
        }
        kind => {
            let value = match parse_count(raw_text) {
                Count::Number(v) => {
                    if v < 0 && kind != ColumnKind::Change {
                        finding(
                            Severity::Warning,
                            "value.negative",
                            format!("{v} is negative where a count is expected; the value is kept"),
                        );
                    }
                    Some(v)
                }
                Count::Blank | Count::NotApplicable => None,
                Count::Unreadable => {
                    finding(
                        Severity::Warning,
                        "cell.unreadable",
                        format!("\"{raw_text}\" is not a number; the value is null"),
                    );
                    None
                }
            };
            CellOut::Count(CountCell { value, raw })
        }
    }
}
