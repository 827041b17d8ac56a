//! The 勾稽 checks a template declares, run over a report's tables.
//!
//! It takes the extracted tables and gives one finding per failed check; it
//! never changes a value. A check whose cells are not all printed numbers is
//! not evaluated: a blank is not a zero (tables.md, "Cell values").

use crate::model::{CellOut, Finding, Severity, TableOut};
use crate::template::{Each, TableDef, Templates};

type KeyOf = fn(&TableDef, usize) -> &str;

fn row_key(d: &TableDef, i: usize) -> &str {
    &d.rows[i].key
}

fn col_key(d: &TableDef, i: usize) -> &str {
    &d.columns[i].key
}

fn count(table: &TableOut, ncols: usize, r: usize, c: usize) -> Option<i64> {
    match table.cells.get(r * ncols + c) {
        Some(CellOut::Count(cell)) => cell.value,
        _ => None,
    }
}

/// `a 5 + b 1 = 6`, from (key, value) pairs.
fn sum_text(parts: &[(&str, i64)]) -> String {
    let terms: Vec<String> = parts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let total: i64 = parts.iter().map(|p| p.1).sum();
    if parts.len() == 1 {
        terms.join("")
    } else {
        format!("{} = {total}", terms.join(" + "))
    }
}

pub fn run(t: &Templates, tables: &[TableOut], findings: &mut Vec<Finding>) {
    for table in tables {
        let def = &t.tables[table.def];
        let ncols = def.columns.len();
        for check in t.templates[def.template]
            .checks
            .iter()
            .filter(|c| c.table == table.def)
        {
            let (outer, outer_key, inner_key): (usize, KeyOf, KeyOf) = match check.each {
                Each::Column => (ncols, col_key, row_key),
                Each::Row => (def.rows.len(), row_key, col_key),
            };
            let key_of_outer = |i| outer_key(def, i);
            let key_of_inner = |i| inner_key(def, i);
            for o in 0..outer {
                let value = |i: usize| match check.each {
                    Each::Column => count(table, ncols, i, o),
                    Each::Row => count(table, ncols, o, i),
                };
                // Summed first: the terms are spelt out only for a finding.
                let total = |keys: &[usize]| keys.iter().map(|&i| value(i)).sum::<Option<i64>>();
                let (Some(l), Some(r)) = (total(&check.left), total(&check.right)) else {
                    continue;
                };
                if l != r {
                    let side = |keys: &[usize]| -> Vec<(&str, i64)> {
                        keys.iter()
                            .filter_map(|&i| value(i).map(|v| (key_of_inner(i), v)))
                            .collect()
                    };
                    let (left, right) = (side(&check.left), side(&check.right));
                    let what = match check.each {
                        Each::Column => "column",
                        Each::Row => "row",
                    };
                    let (row, col) = match check.each {
                        Each::Column => (None, Some(key_of_outer(o))),
                        Each::Row => (Some(key_of_outer(o)), None),
                    };
                    findings.push(
                        Finding::new(
                            Severity::Error,
                            &check.code,
                            format!(
                                "{}, {what} {}: {} does not equal {}; the printed values are kept",
                                def.key,
                                key_of_outer(o),
                                sum_text(&left),
                                sum_text(&right)
                            ),
                        )
                        .at(&def.key, row, col),
                    );
                }
            }
        }
    }
}

/// How many rows a table's per-row checks hold on and fail on, for values
/// given by `value(row, column)` (null where not a printed number). The
/// matcher weighs two readings of an unclear header with it: the order in
/// which the report's own row totals add up is the order it printed.
pub fn row_checks(
    t: &Templates,
    table: usize,
    value: impl Fn(usize, usize) -> Option<i64>,
) -> (usize, usize) {
    let def = &t.tables[table];
    let (mut holds, mut fails) = (0, 0);
    for check in t.templates[def.template]
        .checks
        .iter()
        .filter(|c| c.table == table && c.each == Each::Row)
    {
        for r in 0..def.rows.len() {
            let side = |keys: &[usize]| -> Option<i64> {
                keys.iter().map(|&c| value(r, c)).sum::<Option<i64>>()
            };
            match (side(&check.left), side(&check.right)) {
                (Some(l), Some(r)) if l == r => holds += 1,
                (Some(_), Some(_)) => fails += 1,
                _ => {}
            }
        }
    }
    (holds, fails)
}
