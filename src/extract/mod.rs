//! Cells × templates → tables: the one matcher every layout goes through.
//!
//! It takes a segmented document and the compiled templates and gives the
//! chosen template, each table found (cells in template order, with the raw
//! text they were read from) and the findings of extraction. It is a pure
//! function: no I/O, no template label of its own, no value repaired. Where
//! the text does not say which value is which, the cells stay null and a
//! finding says why (Standards: "a wrong number is worse than a null").
//!
//! How it reads a table (tables.md, real-world.md):
//! 1. anchors: cells holding a table's caption (plus a short prefix);
//! 2. for each table key and each template variant of it, the cells from the
//!    anchor to the next anchor are read: text before the first row label is
//!    the header; each row label opens a row and takes the cells after it;
//!    fragments of a label broken across lines continue the row;
//! 3. the variant whose rows and header match best is chosen; the report's
//!    template is the one most tables follow;
//! 4. each row's cells are fitted to its columns (blank layout cells at the
//!    edges are dropped); a row that does not fit stays null with a finding.

mod form;
mod header;
pub(crate) mod hits;
mod labels;
pub mod meta;
mod read;
mod regions;
#[cfg(test)]
mod tests;

use crate::model::{Finding, Severity, TableOut};
use crate::segment::{CellKind, Doc};
use crate::template::{Each, Shape, ShortRow, TableDef, Templates};
use crate::validate::cells::{read_table, Placed};
use crate::validate::checks::row_checks;
use crate::validate::values::{parse_count, Count};
use form::Candidate;
use header::Header;
use read::{fit, Fit};

/// What extraction found in one document.
#[derive(Debug, Default)]
pub struct Extraction {
    pub template: Option<usize>,
    pub tables: Vec<TableOut>,
    pub findings: Vec<Finding>,
    /// Table keys the report's template has and the text did not show.
    pub missing: Vec<String>,
}

/// Where the matcher found each table of a document: the template, each
/// table's placement and the findings of matching. No value is read yet.
#[derive(Debug, Default)]
pub struct Located {
    pub template: Option<usize>,
    pub tables: Vec<Placed>,
    pub findings: Vec<Finding>,
    pub missing: Vec<String>,
}

/// Reads every table of the templates from a document: the matcher places
/// the cells (`locate`), `validate::cells` reads what they hold.
pub fn extract(doc: &Doc, t: &Templates) -> Extraction {
    let Located {
        template,
        tables,
        mut findings,
        missing,
    } = locate(doc, t);
    let tables = tables
        .iter()
        .map(|p| read_table(doc, &t.tables[p.def], p, &mut findings))
        .collect();
    Extraction {
        template,
        tables,
        findings,
        missing,
    }
}

/// The matcher: which document cell stands in which template slot.
pub fn locate(doc: &Doc, t: &Templates) -> Located {
    let hits = hits::Hits::new(doc, &t.index);
    let anchors = regions::anchors(doc, t, &hits);
    // Best candidate per table variant.
    let mut read: Vec<Candidate> = Vec::with_capacity(t.tables.len() * 2);
    for k in 0..t.table_keys.len() {
        for (lo, hi) in regions::regions(doc, t, &hits, &anchors, k) {
            for d in (0..t.tables.len()).filter(|&d| t.tables[d].key == t.table_keys[k]) {
                read.push(form::read_table(doc, t, &hits, d, lo, hi));
            }
        }
    }
    // Padding is the layout's: a table of a row or two takes the largest
    // table's, rather than guessing from its own edges.
    let pad = form::document_padding(doc, t, &read);
    let mut best: Vec<Option<Candidate>> = (0..t.tables.len()).map(|_| None).collect();
    for mut c in read {
        // Lent only to a table every row of which carries more cells than
        // columns and a blank where the padding goes, as padded rows do: a
        // row without shows the layout pads none of this table's rows.
        if !c.run.pad.decided() && padded_alike(doc, &c, t.tables[c.def].columns.len(), pad) {
            // Weak where the document prints stray blanks, unless a row
            // printing every column and the padding shows the padding is
            // this table's too (rows with blank cells of their own do not).
            let shown = shows_padding(doc, &c, t.tables[c.def].columns.len(), pad);
            c.run.pad = read::Pad {
                weak: shown == 0 && pad.weak,
                ..pad
            };
        }
        form::score(doc, t, &mut c);
        let d = c.def;
        if best[d].as_ref().is_none_or(|b| c.score > b.score) {
            best[d] = Some(c);
        }
    }
    let choice = form::choose(t, &best);
    let mut out = Located {
        template: choice.template,
        ..Located::default()
    };
    let mut mixed: Vec<&str> = Vec::new();
    for pick in &choice.picks {
        if let (form::Pick::Table(d), Some(tpl)) = (pick, choice.template) {
            let def = &t.tables[*d];
            // A table whose key the report's template has too, read in
            // another form (a table both forms print alike is not mixed).
            let differs = t.templates[tpl]
                .tables
                .iter()
                .map(|&o| &t.tables[o])
                .any(|o| o.key == def.key && !same_keys(o, def));
            if def.template != tpl && differs {
                mixed.push(&def.key);
            }
        }
    }
    if let (false, Some(tpl)) = (mixed.is_empty(), choice.template) {
        out.findings.push(Finding::new(
            Severity::Info,
            "template.mixed",
            format!(
                "the report follows the {} form; {} print another form and are read with its keys",
                t.templates[tpl].name,
                mixed.join(", ")
            ),
        ));
    }
    for pick in choice.picks {
        match pick {
            form::Pick::Table(d) => {
                if let Some(c) = best[d].take() {
                    let placed = settle(doc, t, c, &mut out.findings);
                    out.tables.push(placed);
                }
            }
            form::Pick::Missing(key) => out.missing.push(key),
        }
    }
    out
}

/// Turns a chosen candidate into cells, with findings for what did not fit.
fn settle(doc: &Doc, t: &Templates, c: Candidate, findings: &mut Vec<Finding>) -> Placed {
    let def = &t.tables[c.def];
    let ncols = def.columns.len();
    let mut slots: Vec<Option<u32>> = vec![None; def.values_per_table()];
    let mut zero_fill = false;
    let line = |i: u32| doc.cells[i as usize].line;
    let printed = |cands: &[u32]| -> String {
        let v: Vec<&str> = cands
            .iter()
            .filter(|&&i| doc.cells[i as usize].kind != CellKind::Empty)
            .map(|&i| doc.raw(i as usize))
            .collect();
        v.join(", ")
    };
    let run = &c.run;
    let no_units = vec![None; ncols];
    let units = c.header.as_ref().map_or(&no_units, |h| &h.units);
    match def.shape {
        Shape::Grid => {
            let template_order: Vec<usize> = (0..ncols).collect();
            let moved: Vec<usize>;
            let order: Option<&[usize]> = match &c.header {
                Some(Header {
                    alternative: Some(alt),
                    unparsed,
                    ..
                }) => {
                    // An order the header suggests without establishing it
                    // (some columns named, or a two-row header read flat):
                    // the row checks can place the column they total into
                    // (总计), not the addends, which add up in any order; so
                    // only the total moves from the template's order.
                    moved = move_totals(t, c.def, alt);
                    weigh_orders(doc, t, &c, &template_order, &moved, *unparsed, findings)
                }
                Some(h) if h.reordered => {
                    findings.push(reordered(def, &h.order, "values are read in that order"));
                    Some(&h.order)
                }
                // Neither the header nor its absence confirms the template's
                // order: the row checks must not refute it.
                Some(h) if !h.confirmed => {
                    let order = unrefuted(doc, t, &c, &template_order, findings);
                    if h.unparsed && order.is_some() {
                        findings.push(
                            Finding::new(
                                Severity::Info,
                                "header.unparsed",
                                format!("{}: the header does not name every column once; values are read in the template's order", def.key),
                            )
                            .at(&def.key, None, None),
                        );
                    }
                    order
                }
                Some(h) => Some(&h.order),
                None => Some(&template_order),
            };
            let Some(order) = order else {
                return Placed {
                    def: c.def,
                    slots,
                    units: units.clone(),
                    zero_fill,
                };
            };
            for (r, span) in run.rows.iter().enumerate() {
                let row = &def.rows[r];
                let Some(span) = span else {
                    findings.push(
                        Finding::new(
                            Severity::Warning,
                            "row.missing",
                            format!(
                                "{}: no row labelled {} was found; its cells are null",
                                def.key, row.label
                            ),
                        )
                        .at(&def.key, Some(&row.key), None),
                    );
                    continue;
                };
                let cands = &run.cands[span.start as usize..span.end as usize];
                let fitted = fit(doc, cands, ncols, run.pad);
                let cut = match fitted {
                    Fit::Short => read::cut_row(doc, cands, ncols, run.pad),
                    _ => None,
                };
                match (fitted, cut) {
                    (f, _) if f.fits() => {
                        for (j, &col) in order.iter().enumerate() {
                            slots[r * ncols + col] = f.nth(doc, cands, j);
                        }
                    }
                    (_, Some((a, n))) => {
                        for (j, &col) in order.iter().enumerate().take(n) {
                            slots[r * ncols + col] = cands.get(a + j).copied();
                        }
                        findings.push(
                            Finding::new(
                                Severity::Warning,
                                "row.truncated",
                                format!(
                                    "{}, row {} (line {}): the document ends after {n} of its {ncols} cells ({}); they are read as its first {n} columns in printed order, the rest are null",
                                    def.key, row.key, line(span.label), printed(cands)
                                ),
                            )
                            .at(&def.key, Some(&row.key), None),
                        );
                    }
                    (fit, None) => findings.push(misfit(
                        def,
                        Some(&row.key),
                        &fit,
                        &format!("row {} (line {})", row.key, line(span.label)),
                        ncols,
                        &printed(cands),
                    )),
                }
            }
            for &(cell, values) in &run.unknown {
                if values > 0 {
                    findings.push(
                        Finding::new(
                            Severity::Warning,
                            "row.unknown_label",
                            format!(
                                "{}: \"{}\" (line {}) names no row of the table; the {values} values after it are not read",
                                def.key, doc.raw(cell as usize), line(cell)
                            ),
                        )
                        .at(&def.key, None, None),
                    );
                }
            }
            // One finding per table, however often the text repeats a row's
            // label (prose that names a row costs no finding per line).
            if let Some(cell) = run.duplicate {
                let more = match run.duplicates.saturating_sub(1) {
                    0 => String::new(),
                    n => format!(" and {n} more such labels"),
                };
                findings.push(
                    Finding::new(
                        Severity::Info,
                        "row.duplicate",
                        format!("{}: \"{}\" (line {}){more} name a row read before; the cells after them are not read", def.key, doc.raw(cell as usize), line(cell)),
                    )
                    .at(&def.key, None, None),
                );
            }
        }
        Shape::Flat => {
            let k = def.values_per_table();
            match fit(doc, &run.cands, k, run.pad) {
                f if f.fits() => {
                    for (j, slot) in slots.iter_mut().enumerate().take(k) {
                        *slot = f.nth(doc, &run.cands, j);
                    }
                }
                fit => {
                    let shown: Vec<Count> = run
                        .cands
                        .iter()
                        .filter(|&&i| doc.cells[i as usize].kind != CellKind::Empty)
                        .map(|&i| parse_count(doc.raw(i as usize)))
                        .collect();
                    let all_zero =
                        !shown.is_empty() && shown.iter().all(|c| *c == Count::Number(0));
                    let first_line = run.cands.first().map_or(0, |&i| line(i));
                    if fit == Fit::Short && all_zero && def.short_row == ShortRow::ZeroIfAllZero {
                        zero_fill = true;
                        findings.push(
                            Finding::new(
                                Severity::Warning,
                                "row.short_zero",
                                format!(
                                    "{} (line {first_line}): {} values printed for {k} cells, all 0; the cells not printed are read as 0",
                                    def.key,
                                    shown.len()
                                ),
                            )
                            .at(&def.key, None, None),
                        );
                    } else {
                        findings.push(misfit(
                            def,
                            None,
                            &fit,
                            &format!("line {first_line}"),
                            k,
                            &printed(&run.cands),
                        ));
                    }
                }
            }
        }
    }
    Placed {
        def: c.def,
        slots,
        units: units.clone(),
        zero_fill,
    }
}

/// The finding for a row (or a flat table) whose printed values do not fit
/// its cells: which value is which is unknown, so they stay null.
fn misfit(
    def: &TableDef,
    row: Option<&str>,
    fit: &Fit,
    at: &str,
    cells: usize,
    printed: &str,
) -> Finding {
    let (code, what) = match fit {
        Fit::Short => ("row.short", "fewer"),
        _ => ("row.excess", "more"),
    };
    let whole = if row.is_some() { "row" } else { "table" };
    Finding::new(
        Severity::Warning,
        code,
        format!(
            "{}, {at}: {what} values than its {cells} cells were printed ({printed}); which is which is unknown, so the {whole} is null",
            def.key
        ),
    )
    .at(&def.key, row, None)
}

fn reordered(def: &TableDef, order: &[usize], how: &str) -> Finding {
    let keys: Vec<&str> = order.iter().map(|&i| def.columns[i].key.as_str()).collect();
    Finding::new(
        Severity::Info,
        "header.reordered",
        format!(
            "{}: the header prints the columns as {}; {how}",
            def.key,
            keys.join(", ")
        ),
    )
    .at(&def.key, None, None)
}

/// Rows the table's row checks hold on and fail on, its values read in
/// `order`.
fn tally(doc: &Doc, t: &Templates, c: &Candidate, order: &[usize]) -> (usize, usize) {
    let ncols = t.tables[c.def].columns.len();
    row_checks(t, c.def, |r, col| {
        let span = c.run.rows.get(r).copied().flatten()?;
        let cands = c.run.cands.get(span.start as usize..span.end as usize)?;
        // A row of zeros adds up in every order: it tells none apart.
        let zero = |&i: &u32| matches!(parse_count(doc.raw(i as usize)), Count::Number(0));
        if cands.iter().all(zero) {
            return None;
        }
        let j = order.iter().position(|&x| x == col)?;
        let cell = fit(doc, cands, ncols, c.run.pad).nth(doc, cands, j)?;
        match parse_count(doc.raw(cell as usize)) {
            Count::Number(v) => Some(v),
            _ => None,
        }
    })
}

/// Do the row checks refute an order: fail on at least this many rows, and
/// on most rows they can be evaluated on? A report breaks a check or two by
/// its own error; columns read in the wrong order break nearly every row.
const REFUTED_ROWS: usize = 3;

fn refuted((holds, fails): (usize, usize)) -> bool {
    fails >= REFUTED_ROWS && fails > holds
}

fn unresolved(def: &TableDef, why: &str) -> Finding {
    Finding::new(
        Severity::Warning,
        "header.unresolved",
        format!(
            "{}: {why}; which column is which is unknown, so the table's cells are null",
            def.key
        ),
    )
    .at(&def.key, None, None)
}

/// The template's order where the header did not confirm it, unless the
/// table's row checks refute it (then none: the table stays null).
fn unrefuted<'o>(
    doc: &Doc,
    t: &Templates,
    c: &Candidate,
    template: &'o [usize],
    findings: &mut Vec<Finding>,
) -> Option<&'o [usize]> {
    if refuted(tally(doc, t, c, template)) {
        findings.push(unresolved(
            &t.tables[c.def],
            "the header does not name its columns and the row totals do not add up in the template's order",
        ));
        None
    } else {
        Some(template)
    }
}

/// A header that suggests a printed order without establishing it (a
/// two-row header read flat, its spanning word lost; a header naming some
/// columns only): the table's own row checks decide between it and the
/// template's order. The suggested order is taken only when every evaluable
/// row adds up in it and not in the template's. Otherwise the template's
/// order stays — with a finding that the header was unclear — unless the
/// checks refute it too: then the table stays null.
fn weigh_orders<'o>(
    doc: &Doc,
    t: &Templates,
    c: &Candidate,
    template: &'o [usize],
    alt: &'o [usize],
    partial: bool,
    findings: &mut Vec<Finding>,
) -> Option<&'o [usize]> {
    let def = &t.tables[c.def];
    let (t_holds, t_fails) = tally(doc, t, c, template);
    let (a_holds, a_fails) = tally(doc, t, c, alt);
    let keys: Vec<&str> = alt.iter().map(|&i| def.columns[i].key.as_str()).collect();
    if a_fails == 0 && a_holds > 0 && t_fails > 0 {
        let how = if partial {
            "the header names some columns in this order and the table's row totals add up only in it, so values are read in it"
        } else {
            "the header is read flat, and the table's row totals add up only in this order, so values are read in it"
        };
        findings.push(reordered(def, alt, how));
        Some(alt)
    } else if t_fails == 0 && t_holds > 0 && a_fails > 0 {
        Some(template)
    } else if refuted((t_holds, t_fails)) {
        findings.push(unresolved(
            def,
            &format!(
                "the header may print the columns as {} and the row totals add up neither in that order nor in the template's",
                keys.join(", ")
            ),
        ));
        None
    } else if a_holds > 0 && a_fails == 0 {
        // Both orders add up wherever the checks can be evaluated: which
        // column is which is a guess either way, so nothing is published.
        findings.push(
            Finding::new(
                Severity::Warning,
                "header.ambiguous",
                format!(
                    "{}: the header may print the columns as {} and the row totals add up in that order and in the template's; which column is which is unknown, so the table's cells are null",
                    def.key,
                    keys.join(", ")
                ),
            )
            .at(&def.key, None, None),
        );
        None
    } else {
        findings.push(
            Finding::new(
                Severity::Warning,
                "header.ambiguous",
                format!(
                    "{}: the header may print the columns as {} and the row totals do not tell; values are read in the template's order",
                    def.key,
                    keys.join(", ")
                ),
            )
            .at(&def.key, None, None),
        );
        Some(template)
    }
}

/// Do two table variants have the same row and column keys?
fn same_keys(a: &TableDef, b: &TableDef) -> bool {
    a.rows
        .iter()
        .map(|r| &r.key)
        .eq(b.rows.iter().map(|r| &r.key))
        && a.columns
            .iter()
            .map(|c| &c.key)
            .eq(b.columns.iter().map(|c| &c.key))
}

/// The template's order with each column a row check totals into (the left
/// side of an `each = "row"` check) at the place `suggested` gives it.
fn move_totals(t: &Templates, table: usize, suggested: &[usize]) -> Vec<usize> {
    let def = &t.tables[table];
    let totals: Vec<usize> = t.templates[def.template]
        .checks
        .iter()
        .filter(|c| c.table == table && c.each == Each::Row && c.left.len() == 1)
        .flat_map(|c| c.left.iter().copied())
        .collect();
    let mut order: Vec<usize> = (0..def.columns.len())
        .filter(|c| !totals.contains(c))
        .collect();
    for &total in &totals {
        if let Some(at) = suggested.iter().position(|&x| x == total) {
            order.insert(at.min(order.len()), total);
        }
    }
    order
}

/// Rows of a candidate that show the padding beyond doubt: every column
/// printed, and the padding's blanks beyond them.
fn shows_padding(doc: &Doc, c: &Candidate, k: usize, pad: read::Pad) -> usize {
    let width = k + usize::from(pad.lead) + usize::from(pad.trail);
    let kind = |i: &u32| doc.cells[*i as usize].kind;
    c.run
        .rows
        .iter()
        .flatten()
        .filter_map(|span| c.run.cands.get(span.start as usize..span.end as usize))
        .filter(|cells| {
            let inner =
                &cells[usize::from(pad.lead)..cells.len().saturating_sub(usize::from(pad.trail))];
            cells.len() == width
                && (!pad.lead || cells.first().is_some_and(|i| kind(i) == CellKind::Empty))
                && (!pad.trail || cells.last().is_some_and(|i| kind(i) == CellKind::Empty))
                && inner.iter().all(|i| kind(i) == CellKind::Value)
        })
        .count()
}

/// Does every row read in a candidate have more cells than `k`, and a blank
/// at each edge `pad` drops?
fn padded_alike(doc: &Doc, c: &Candidate, k: usize, pad: read::Pad) -> bool {
    let blank = |i: Option<&u32>| i.is_some_and(|&i| doc.cells[i as usize].kind == CellKind::Empty);
    let mut rows = c.run.rows.iter().flatten().peekable();
    rows.peek().is_some()
        && rows.all(|span| {
            let cells = c
                .run
                .cands
                .get(span.start as usize..span.end as usize)
                .unwrap_or(&[]);
            cells.len() > k
                && (!pad.trail || blank(cells.last()))
                && (!pad.lead || blank(cells.first()))
        })
}
