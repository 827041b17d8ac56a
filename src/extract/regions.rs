//! Regions: where in the document each table may stand.
//!
//! It takes the document and the templates and gives, per table key, the cell
//! ranges to read: from each caption to the next caption, or, for a table
//! printed without its caption, from the first cell naming one of its labels.

use super::hits::Hits;
use super::labels::Strength;
use super::read::HEADER_WINDOW;
use crate::segment::{CellKind, Doc};
use crate::template::{Shape, Templates};

/// Cells holding a caption: (cell, table key index), in reading order.
pub(super) fn anchors(doc: &Doc, t: &Templates, hits: &Hits) -> Vec<(usize, usize)> {
    // Each table variant's key index, once (not a string compare per cell).
    let key_of: Vec<usize> = t
        .tables
        .iter()
        .map(|d| {
            t.table_keys
                .iter()
                .position(|k| *k == d.key)
                .unwrap_or(usize::MAX)
        })
        .collect();
    let mut out = Vec::new();
    for i in 0..doc.cells.len() {
        if doc.cells[i].kind != CellKind::Text {
            continue;
        }
        hits.captions(i, |d| {
            if let Some(&k) = key_of.get(d) {
                out.push((i, k));
            }
        });
    }
    // In reading order, and per cell in key order, each once.
    out.sort_unstable();
    out.dedup();
    out
}

/// Characters of the shortest label that opens a flat table printed without
/// its caption.
const MIN_FLAT_OPENER: usize = 4;
/// Characters of the longest cell that opens a table printed without its
/// caption (longer text is prose naming the table's words).
const MAX_OPENER_CELL: usize = 40;

/// Regions `[lo, hi)` where table key `k` may stand.
pub(super) fn regions(
    doc: &Doc,
    t: &Templates,
    hits: &Hits,
    anchors: &[(usize, usize)],
    k: usize,
) -> Vec<(usize, usize)> {
    let next_after = |i: usize| {
        anchors
            .iter()
            .map(|a| a.0)
            .find(|&a| a > i)
            .unwrap_or(doc.cells.len())
    };
    let own: Vec<(usize, usize)> = anchors
        .iter()
        .filter(|a| a.1 == k)
        .map(|a| (a.0, next_after(a.0)))
        .collect();
    if !own.is_empty() {
        return own;
    }
    // No caption: start from the first cell naming one of the table's labels.
    let key = &t.table_keys[k];
    let variants: Vec<usize> = (0..t.tables.len())
        .filter(|&d| t.tables[d].key == *key)
        .collect();
    let opens = |i: usize| {
        let n = hits.chars(i);
        // Asked before any variant's hits: longer text opens none.
        if doc.cells[i].kind != CellKind::Text || n > MAX_OPENER_CELL {
            return false;
        }
        variants.iter().any(|&v| {
            let d = &t.tables[v];
            // A flat table's header names its rows (行政复议) above its
            // columns: either opens a table printed without its caption.
            let hit = hits.of(v).opener(i);
            // A short word (总计) is printed in other tables too: a flat
            // table printed without its caption opens on a longer one.
            let long =
                d.shape == Shape::Grid || hit.is_some_and(|h| h.len as usize >= MIN_FLAT_OPENER);
            hit.is_some_and(|h| h.strength >= Strength::Contains) && long
        })
    };
    let flat = t
        .tables
        .iter()
        .any(|d| d.key == *key && d.shape == Shape::Flat);
    if flat {
        // A flat table's header starts at the word found: what stands before
        // it is another table's. Each stretch between captions may hold it
        // (a line of wrapped prose can name 行政复议 too): the first word in
        // each opens a region, and the matcher keeps the one that reads.
        let mut out: Vec<(usize, usize)> = Vec::new();
        for i in 0..doc.cells.len() {
            if out.last().is_some_and(|&(_, hi)| i < hi) || !opens(i) {
                continue;
            }
            out.push((i, next_after(i)));
        }
        return out;
    }
    match (0..doc.cells.len()).find(|&i| opens(i)) {
        Some(i) => {
            let lo = anchors
                .iter()
                .map(|a| a.0)
                .rfind(|&a| a < i)
                .unwrap_or(0)
                .max(i.saturating_sub(HEADER_WINDOW));
            vec![(lo, next_after(i))]
        }
        None => Vec::new(),
    }
}
