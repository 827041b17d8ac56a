//! Header resolution: which printed column is which, and the unit a money
//! column's header names.
//!
//! It takes the header cells of a region and a table variant and gives the
//! printed column order, or the template's with a finding when the header does
//! not say it without ambiguity (a flattened two-row header, a header cut
//! short). A permutation is never taken from weak evidence: a value under the
//! wrong column is the worst failure.

use crate::segment::Doc;
use crate::template::{ColumnKind, TableDef};
use crate::validate::money::{unit_in_header, Unit};

/// A header label found in a header cell.
#[derive(Debug, Clone, Copy)]
pub(super) struct Claim {
    pub order: usize,
    pub line: u32,
    pub col: u16,
    pub pos: usize,
    pub end: usize,
    pub item: Item,
    pub cell: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Col(usize),
    Group(usize),
}

pub(super) fn claims(doc: &Doc, def: &TableDef, header: &[u32]) -> Vec<Claim> {
    let mut labels: Vec<(&str, Item)> = def
        .columns
        .iter()
        .enumerate()
        .flat_map(|(c, col)| {
            col.aliases
                .iter()
                .map(move |a| (a.text.as_str(), Item::Col(c)))
        })
        .chain(
            def.groups
                .iter()
                .enumerate()
                .map(|(g, gr)| (gr.label.text.as_str(), Item::Group(g))),
        )
        .collect();
    labels.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    let mut out = Vec::new();
    for (order, &i) in header.iter().enumerate() {
        let norm = doc.norm(i as usize);
        let first = out.len();
        for &(alias, item) in &labels {
            for (pos, m) in norm.match_indices(alias) {
                let end = pos + m.len();
                let overlaps = out[first..]
                    .iter()
                    .any(|c: &Claim| pos < c.end && c.pos < end);
                if !overlaps {
                    let cell = &doc.cells[i as usize];
                    out.push(Claim {
                        order,
                        line: cell.line,
                        col: cell.col,
                        pos,
                        end,
                        item,
                        cell: i,
                    });
                }
            }
        }
        out[first..].sort_by_key(|c| c.pos);
    }
    out
}

/// The printed column order the claims describe, when every column is named
/// once (a group's columns fill the group's place).
pub(super) fn resolve(def: &TableDef, claims: &[Claim]) -> Option<Vec<usize>> {
    let n = def.columns.len();
    let group_of = |c: usize| def.groups.iter().position(|g| g.columns.contains(&c));
    let mut slots: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    let mut placed = vec![false; n];
    for claim in claims {
        match claim.item {
            Item::Group(g) => {
                if !slots.iter().any(|s| s.0 == Some(g)) {
                    slots.push((Some(g), Vec::new()));
                }
            }
            Item::Col(c) => {
                if placed[c] {
                    continue;
                }
                placed[c] = true;
                match group_of(c).and_then(|g| slots.iter_mut().find(|s| s.0 == Some(g))) {
                    Some(slot) => slot.1.push(c),
                    None => slots.push((None, vec![c])),
                }
            }
        }
    }
    placed
        .iter()
        .all(|&p| p)
        .then(|| slots.into_iter().flat_map(|s| s.1).collect())
}

/// What the header says: the printed order of the columns and the unit each
/// money column's header names.
pub(super) struct Header {
    pub order: Vec<usize>,
    pub reordered: bool,
    pub unparsed: bool,
    pub units: Vec<Option<Unit>>,
    /// 0–10: how much of the variant's header vocabulary the header holds.
    pub likeness: i64,
}

pub(super) fn read_header(doc: &Doc, def: &TableDef, header: &[u32]) -> Header {
    let n = def.columns.len();
    let template: Vec<usize> = (0..n).collect();
    let mut claims = claims(doc, def, header);
    let reading = resolve(def, &claims);
    claims.sort_by_key(|c| (c.col, c.line, c.order, c.pos));
    let by_column = resolve(def, &claims);
    let (order, reordered, unparsed) = match (&reading, &by_column) {
        (r, c) if r.as_ref() == Some(&template) || c.as_ref() == Some(&template) => {
            (template, false, false)
        }
        (Some(r), None) => (r.clone(), true, false),
        (Some(r), Some(c)) if r == c => (r.clone(), true, false),
        (None, Some(c)) => (c.clone(), true, false),
        _ => (template, false, !claims.is_empty()),
    };
    let mut units = vec![None; n];
    claims.sort_by_key(|c| (c.order, c.pos));
    for (j, claim) in claims.iter().enumerate() {
        if let Item::Col(c) = claim.item {
            if def.columns[c].kind == ColumnKind::Money && units[c].is_none() {
                let norm = doc.norm(claim.cell as usize);
                let next = claims.get(j + 1).filter(|next| next.cell == claim.cell);
                let end = next.map_or(norm.len(), |next| next.pos);
                units[c] = norm.get(claim.pos..end).and_then(unit_in_header);
                if units[c].is_none() && next.is_none() {
                    // A header wrapped onto the next line: `本年收费金额` /
                    // `（单位：万元）`. The header cells after this one that
                    // name no column continue it.
                    let at = header
                        .iter()
                        .position(|&h| h == claim.cell)
                        .map_or(header.len(), |p| p + 1);
                    units[c] = header[at..]
                        .iter()
                        .take_while(|&&h| !claims.iter().any(|o| o.cell == h))
                        .find_map(|&h| unit_in_header(doc.norm(h as usize)));
                }
            }
        }
    }
    // Likeness: the share of the variant's header bigrams the header holds.
    let text: String = header.iter().map(|&i| doc.norm(i as usize)).collect();
    let (mut total, mut found) = (0i64, 0i64);
    for alias in def.columns.iter().flat_map(|c| c.aliases.iter()) {
        let idx: Vec<usize> = alias
            .char_indices()
            .map(|(i, _)| i)
            .chain([alias.len()])
            .collect();
        for w in idx.windows(3) {
            total += 1;
            if text.contains(&alias[w[0]..w[2]]) {
                found += 1;
            }
        }
    }
    Header {
        order,
        reordered,
        unparsed,
        units,
        likeness: if total == 0 { 0 } else { found * 10 / total },
    }
}
