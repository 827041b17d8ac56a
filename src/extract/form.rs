//! Form choice: each table's variant by its printed rows and headers, and the
//! report's template by majority (tables.md: "the form printed decides").
//!
//! It takes the candidates read from every region with every variant and
//! gives, per table key, the one to keep. Rows decide first; a header that
//! names one variant's columns and not the other's decides a tie of rows;
//! only then does the report's majority form.

use super::header::{read_header, Header};
use super::hits::Hits;
use super::read::{fit, padding, read_flat, read_grid, Pad, Run};
use crate::segment::{CellKind, Doc};
use crate::template::{Shape, Templates};

/// A table as read from one region with one variant, scored.
pub(super) struct Candidate {
    pub def: usize,
    pub score: i64,
    /// The score without the header's likeness: rows matched and fitting.
    pub rows_score: i64,
    /// Rows whose label was found.
    pub matched: usize,
    pub run: Run,
    pub header: Option<Header>,
}

/// Reads a region with one variant: its rows and header. The candidate is
/// scored by `score` once the document's padding is known.
pub(super) fn read_table(
    doc: &Doc,
    t: &Templates,
    hits: &Hits,
    d: usize,
    lo: usize,
    hi: usize,
) -> Candidate {
    let def = &t.tables[d];
    let (run, header) = match def.shape {
        Shape::Grid => {
            let mut run = read_grid(doc, def, lo, hi, hits.of(d));
            run.pad = padding(doc, &run, def.columns.len());
            let header = read_header(doc, def, hits.of(d), &run.header);
            (run, Some(header))
        }
        Shape::Flat => {
            let mut run = read_flat(doc, lo, hi, hits.of(d));
            run.pad = Pad::EDGES;
            (run, None)
        }
    };
    Candidate {
        def: d,
        score: 0,
        rows_score: 0,
        matched: 0,
        run,
        header,
    }
}

/// The padding a document's rows carry, judged on its largest table read:
/// for tables too small to show it themselves. It is weak where a row of
/// that table has its columns without the padding, or a blank before a value
/// among more cells than both: the document prints stray blanks, and a blank
/// at the edge of a small table's row may be one of them.
pub(super) fn document_padding(doc: &Doc, t: &Templates, cands: &[Candidate]) -> Pad {
    let Some(c) = cands
        .iter()
        .filter(|c| c.run.pad.decided() && !c.run.pad.edges)
        .max_by_key(|c| c.run.pad.rows)
    else {
        return Pad::default();
    };
    let pad = c.run.pad;
    let k = t.tables[c.def].columns.len();
    let width = k + usize::from(pad.lead) + usize::from(pad.trail);
    let blank = |i: &u32| doc.cells[*i as usize].kind == CellKind::Empty;
    let (mut unpadded, mut inner) = (0usize, false);
    for span in c.run.rows.iter().flatten() {
        let Some(cells) = c.run.cands.get(span.start as usize..span.end as usize) else {
            continue;
        };
        // Its columns without the padding (the last row of a table may end
        // without the separator the others end in; two such rows show the
        // padding is not the layout's).
        unpadded += usize::from(cells.len() == k && width > k);
        // A blank before a value beyond the columns and padding: a stray.
        inner |= cells.len() > width
            && cells
                .iter()
                .skip(usize::from(pad.lead))
                .skip_while(|i| !blank(i))
                .any(|i| !blank(i));
    }
    let strays = inner || unpadded >= 2;
    Pad {
        weak: strays,
        ..pad
    }
}

/// Scores a candidate: rows matched and fitting, and the header's likeness.
pub(super) fn score(doc: &Doc, t: &Templates, c: &mut Candidate) {
    let def = &t.tables[c.def];
    let run = &c.run;
    match (&c.header, def.shape) {
        (Some(header), Shape::Grid) => {
            if run.found(def) {
                let k = def.columns.len();
                let mut fitting = 0;
                for span in run.rows.iter().flatten() {
                    let cands = &run.cands[span.start as usize..span.end as usize];
                    if fit(doc, cands, k, run.pad).fits() {
                        fitting += 1;
                    }
                }
                let matched = run.rows.iter().flatten().count();
                c.matched = matched;
                c.rows_score = matched as i64 * 10 + fitting * 2;
                c.score = c.rows_score + header.likeness;
            }
        }
        _ => {
            if run.found(def) {
                let fits = fit(doc, &run.cands, def.values_per_table(), run.pad).fits();
                c.score = 10 + if fits { 10 } else { 0 };
                c.rows_score = c.score;
            }
        }
    }
}

/// How much more of one variant's header words (0–10) a header must hold
/// than of another's for its words to choose between variants.
const CLEAR_LIKENESS: i64 = 3;

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
        // The variant whose rows are found; then the one whose columns the
        // printed header names, every one (tables.md: the column keys follow
        // the headers each table prints); then the one whose rows fit; then
        // the report template's. Header likeness decides only between
        // variants alike in all that, and only when clearly.
        let cands: Vec<(usize, &Candidate)> = (0..t.tables.len())
            .filter(|&d| t.tables[d].key == *key)
            .filter_map(|d| best[d].as_ref().map(|c| (d, c)))
            .filter(|(_, c)| c.score > 0)
            .collect();
        // Columns named by a header that names all of the variant's: of two
        // variants a header names completely, the wider one (a header printing
        // 上一年项目数量, 本年增/减 and 处理决定数量 is the three-column form, though
        // it names the one column of the other too).
        let named = |c: &Candidate| {
            c.header
                .as_ref()
                .filter(|h| h.complete)
                .map_or(0, |_| t.tables[c.def].columns.len())
        };
        let likeness = |c: &Candidate| c.header.as_ref().map_or(0, |h| h.likeness);
        // Rows found first; then a header naming every column of the
        // variant, the most columns first (a row that fits a narrower variant
        // only by dropping its blank cells must not take it from the variant
        // its header names); then rows that fit.
        // A header naming some of one variant's columns and none of the
        // other's (a gb2019 header broken over two lines) is evidence too.
        let some_named = |c: &Candidate| c.header.as_ref().map_or(0, |h| h.named.min(1));
        let rank = |c: &Candidate| (c.matched, named(c), some_named(c), c.rows_score);
        let top = cands.iter().map(|(_, c)| rank(c)).max();
        let tied: Vec<(usize, &Candidate)> = cands
            .iter()
            .copied()
            .filter(|(_, c)| Some(rank(c)) == top)
            .collect();
        // Among variants that read the rows alike and whose headers are named
        // alike, a header far more like one variant's words than the
        // others' (a broken gb2019 header in a gb2021 report) decides.
        let mut by_likeness: Vec<i64> = tied.iter().map(|(_, c)| likeness(c)).collect();
        by_likeness.sort_unstable_by(|a, b| b.cmp(a));
        let clear = match by_likeness[..] {
            [first, second, ..] => first >= second + CLEAR_LIKENESS,
            _ => false,
        };
        let pick = tied
            .iter()
            .max_by_key(|&&(d, c)| {
                let like = if clear { likeness(c) } else { 0 };
                (like, t.tables[d].template == tpl, c.score)
            })
            .map(|&(d, _)| d);
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
