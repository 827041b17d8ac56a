//! Form choice: each table's variant by its printed rows and headers, and the
//! report's template by majority (tables.md: "the form printed decides").
//!
//! It takes the candidates read from every region with every variant and
//! gives, per table key, the one to keep. Rows decide first; a header that
//! names one variant's columns and not the other's decides a tie of rows;
//! only then does the report's majority form.

use super::header::{read_header, Header};
use super::read::{fit, padding, read_flat, read_grid, Pad, Run};
use crate::segment::Doc;
use crate::template::{Shape, Templates};

/// A table as read from one region with one variant, scored.
pub(super) struct Candidate {
    pub def: usize,
    pub score: i64,
    /// The score without the header's likeness: rows matched and fitting.
    pub rows_score: i64,
    pub run: Run,
    pub header: Option<Header>,
}

pub(super) fn read_table(doc: &Doc, t: &Templates, d: usize, lo: usize, hi: usize) -> Candidate {
    let def = &t.tables[d];
    match def.shape {
        Shape::Grid => {
            let mut run = read_grid(doc, def, lo, hi);
            run.pad = padding(doc, &run, def.columns.len());
            let header = read_header(doc, def, &run.header);
            let k = def.columns.len();
            let (mut score, mut rows_score) = (0, 0);
            if run.found(def) {
                let mut fitting = 0;
                for span in run.rows.iter().flatten() {
                    let c = &run.cands[span.start as usize..span.end as usize];
                    if fit(doc, c, k, run.pad).fits() {
                        fitting += 1;
                    }
                }
                let matched = run.rows.iter().flatten().count() as i64;
                rows_score = matched * 10 + fitting * 2;
                score = rows_score + header.likeness;
            }
            Candidate {
                def: d,
                score,
                rows_score,
                run,
                header: Some(header),
            }
        }
        Shape::Flat => {
            let mut run = read_flat(doc, def, lo, hi);
            run.pad = Pad::EDGES;
            let score = if run.found(def) {
                let fits = fit(doc, &run.cands, def.values_per_table(), run.pad).fits();
                10 + if fits { 10 } else { 0 }
            } else {
                0
            };
            Candidate {
                def: d,
                score,
                rows_score: score,
                run,
                header: None,
            }
        }
    }
}

/// What to keep of a table key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pick {
    /// This variant (index into `Templates::tables`).
    Table(usize),
    /// The report's template has this table and the text did not show it.
    Missing(String),
}

#[derive(Debug, Default)]
pub(super) struct Choice {
    pub template: Option<usize>,
    pub picks: Vec<Pick>,
}

/// The report's template and, per table key, the variant to keep.
pub(super) fn choose(t: &Templates, best: &[Option<Candidate>]) -> Choice {
    // Votes: a table votes for a template when its variant there reads
    // strictly better than in any other template.
    let mut votes = vec![0usize; t.templates.len()];
    // On a tie of votes, the largest table decides (the requests table's 23
    // or 25 rows tell gb2019 and gb2021 apart, tables.md).
    let mut largest: Option<(usize, usize)> = None;
    for key in &t.table_keys {
        let scores: Vec<(usize, i64, usize)> = (0..t.tables.len())
            .filter(|&d| t.tables[d].key == *key)
            .map(|d| {
                let score = best[d].as_ref().map_or(0, |c| c.score);
                (t.tables[d].template, score, t.tables[d].rows.len())
            })
            .collect();
        let top = scores.iter().map(|s| s.1).max().unwrap_or(0);
        let winners: Vec<&(usize, i64, usize)> = scores.iter().filter(|s| s.1 == top).collect();
        if let [winner] = winners[..] {
            if top > 0 {
                votes[winner.0] += 1;
                let rows = scores.iter().map(|s| s.2).max().unwrap_or(0);
                if largest.is_none_or(|(n, _)| rows > n) {
                    largest = Some((rows, winner.0));
                }
            }
        }
    }
    let most = votes.iter().copied().max().unwrap_or(0);
    let template = if most == 0 {
        // Tables that read alike in every template (litigation) still make a
        // report with tables; take the first template that has them.
        (0..t.tables.len())
            .find(|&d| best[d].as_ref().is_some_and(|c| c.score > 0))
            .map(|d| t.tables[d].template)
    } else {
        let tied: Vec<usize> = (0..votes.len()).filter(|&i| votes[i] == most).collect();
        match largest {
            Some((_, r)) if tied.contains(&r) => Some(r),
            _ => tied.first().copied(),
        }
    };
    let mut out = Choice {
        template,
        picks: Vec::new(),
    };
    let Some(tpl) = template else {
        return out;
    };
    for key in &t.table_keys {
        // The variant whose rows read best; when rows read equally, the one
        // whose columns the printed header names, every one (tables.md: the
        // column keys follow the headers each table prints); then the
        // report template's. Header likeness alone never decides: a header
        // variant must not pull a row into a variant with other columns.
        let pick = (0..t.tables.len())
            .filter(|&d| t.tables[d].key == *key)
            .filter_map(|d| best[d].as_ref().map(|c| (d, c)))
            .filter(|(_, c)| c.score > 0)
            .max_by_key(|&(d, c)| {
                let named = c.header.as_ref().is_some_and(|h| h.complete);
                (c.rows_score, named, t.tables[d].template == tpl, c.score)
            })
            .map(|(d, _)| d);
        match pick {
            Some(d) => out.picks.push(Pick::Table(d)),
            None => {
                if t.templates[tpl]
                    .tables
                    .iter()
                    .any(|&d| t.tables[d].key == *key)
                {
                    out.picks.push(Pick::Missing(key.clone()));
                }
            }
        }
    }
    out
}
