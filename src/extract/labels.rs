//! Label scoring: how well one text cell names a row, a column or a caption.
//!
//! It takes a cell's normalised text and the template's normalised labels and
//! gives a `Hit` (how strongly, how long a label) or nothing. It is pure and
//! allocation-free: it runs for every text cell against every alias, so a
//! 64-bit character bloom rules most pairs out before any string compare.

use crate::template::{bloom, Label, TableDef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Strength {
    /// A short label (under 4 characters) covering at most half the cell:
    /// `其他` in `2.其他法律行政`. It names the cell only when nothing else
    /// does.
    Partial,
    /// The cell is the start or the end of a label (a label broken in two).
    Fragment,
    /// The cell contains the label (a suffix such as 规章（市政府令）).
    Contains,
    Exact,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Hit {
    pub strength: Strength,
    /// The label's characters (u32: the hits of every text are memorised,
    /// `hits::Said` holds three).
    pub len: u32,
    pub suffix: bool,
}

impl Hit {
    pub(super) fn rank(self) -> (Strength, u32) {
        (self.strength, self.len)
    }
}

#[cfg_attr(not(test), allow(dead_code))]
/// A text cell's normalised form, prepared for matching.
#[derive(Debug, Clone, Copy)]
pub(super) struct Probe<'a> {
    pub norm: &'a str,
    pub chars: usize,
    pub bloom: u64,
}

#[cfg_attr(not(test), allow(dead_code))]
impl<'a> Probe<'a> {
    pub(super) fn new(norm: &'a str) -> Probe<'a> {
        Probe {
            norm,
            chars: norm.chars().count(),
            bloom: bloom(norm),
        }
    }
}

/// Substring test for short strings (labels are a few dozen bytes): a plain
/// scan beats building a two-way searcher per call. Byte-wise is exact for
/// UTF-8.
pub(super) fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    match n.first() {
        None => true,
        Some(_) if n.len() > h.len() => false,
        Some(&first) => (0..=h.len() - n.len()).any(|i| h[i] == first && &h[i..i + n.len()] == n),
    }
}

/// How a cell's text stands to a label's, whatever the label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rel {
    /// The same text.
    Equal,
    /// The label inside the cell.
    Within,
    /// The cell (3 characters or more) is the head of the longer label.
    Head,
    /// The cell (3 characters or more) is the tail of the longer label, and
    /// not its head.
    Tail,
}

/// Characters a cell must have to be read as a piece of a longer label.
pub(super) const MIN_PIECE: usize = 3;

impl Hit {
    /// The hit a cell of `nchars` characters gives a label of `achars` it
    /// stands to as `rel`: the scoring rules, apart from finding `rel`.
    pub(super) fn of(rel: Rel, nchars: usize, achars: usize) -> Option<Hit> {
        let hit = |strength, suffix| {
            Some(Hit {
                strength,
                len: u32::try_from(achars).unwrap_or(u32::MAX),
                suffix,
            })
        };
        match rel {
            Rel::Equal => hit(Strength::Exact, false),
            // A label a quarter of the cell or less, under 4 characters, is
            // a word inside prose, not the cell's name.
            Rel::Within if achars >= 4 || nchars <= achars * 4 => {
                if achars < 4 && achars * 2 <= nchars {
                    hit(Strength::Partial, false)
                } else {
                    hit(Strength::Contains, false)
                }
            }
            Rel::Within => None,
            Rel::Head => hit(Strength::Fragment, false),
            Rel::Tail => hit(Strength::Fragment, true),
        }
    }
}

#[cfg_attr(not(test), allow(dead_code))]
/// How a cell's text stands to a label's, if it does.
pub(super) fn relation(cell: &Probe, alias: &Label) -> Option<Rel> {
    let (norm, nchars, achars) = (cell.norm, cell.chars, alias.chars);
    // The cell can hold the alias only if it has all its characters, and be
    // a piece of it only if the alias has all the cell's.
    let may_contain = alias.bloom & !cell.bloom == 0;
    let may_be_piece = nchars >= MIN_PIECE && nchars < achars && cell.bloom & !alias.bloom == 0;
    if may_contain && norm == alias.text {
        Some(Rel::Equal)
    } else if may_contain && contains(norm, alias) {
        Some(Rel::Within)
    } else if may_be_piece && alias.starts_with(norm) {
        Some(Rel::Head)
    } else if may_be_piece && alias.ends_with(norm) {
        Some(Rel::Tail)
    } else {
        None
    }
}

#[cfg_attr(not(test), allow(dead_code))]
pub(super) fn match_alias(cell: &Probe, alias: &Label) -> Option<Hit> {
    // A label the cell holds but scores nothing for is not a piece of it
    // either: a piece is shorter than its label.
    let achars = alias.chars;
    let scores_within = achars >= 4 || cell.chars <= achars * 4;
    if !scores_within && cell.chars >= achars {
        return None;
    }
    Hit::of(relation(cell, alias)?, cell.chars, achars)
}

#[cfg_attr(not(test), allow(dead_code))]
pub(super) fn best_hit<'a>(cell: &Probe, aliases: impl Iterator<Item = &'a Label>) -> Option<Hit> {
    aliases
        .filter_map(|a| match_alias(cell, a))
        .max_by_key(|h| h.rank())
}

#[cfg_attr(not(test), allow(dead_code))]
/// The row a text cell names, if one does without ambiguity.
pub(super) fn match_row(def: &TableDef, cell: &Probe) -> Option<(usize, Hit)> {
    let bests = def
        .rows
        .iter()
        .enumerate()
        .filter_map(|(r, row)| best_hit(cell, row.aliases.iter()).map(|h| (r, h)));
    pick_row(bests, cell.chars)
}

/// The row a cell of `chars` characters names, from each row's best hit
/// (rows in printed order, rows without a hit left out).
pub(super) fn pick_row(
    bests: impl Iterator<Item = (usize, Hit)> + Clone,
    chars: usize,
) -> Option<(usize, Hit)> {
    let mut best: Option<(usize, Hit)> = None;
    let mut tied = false;
    for (r, h) in bests.clone() {
        match best {
            Some((_, b)) if h.rank() < b.rank() => {}
            Some((_, b)) if h.rank() == b.rank() => tied = true,
            _ => {
                best = Some((r, h));
                tied = false;
            }
        }
    }
    // A cell that is the head or tail of a longer row label (`2.其他法` of
    // 2.其他法律行政法规禁止公开) is that row, not the short label inside it
    // (3.其他).
    if let Some((_, h)) = best {
        if h.strength == Strength::Contains && (h.len as usize) < SHORT_LABEL {
            let pieces =
                bests.filter(|(_, p)| p.strength == Strength::Fragment && p.len as usize > chars);
            let mut pieces = pieces.take(2);
            if let (Some(only), None) = (pieces.next(), pieces.next()) {
                return Some(only);
            }
        }
    }
    // Two rows sharing a fragment: it names neither. Equal full matches go to
    // the first row in printed order.
    match best {
        Some((_, h)) if tied && h.strength == Strength::Fragment => None,
        b => b,
    }
}

/// A label shorter than this (characters) inside a cell may be a piece of a
/// longer word the cell is broken from.
pub(super) const SHORT_LABEL: usize = 4;

#[cfg_attr(not(test), allow(dead_code))]
/// Column labels and group labels of a table.
pub(super) fn header_labels(def: &TableDef) -> impl Iterator<Item = &Label> {
    def.columns
        .iter()
        .flat_map(|c| c.aliases.iter())
        .chain(def.groups.iter().map(|g| &g.label))
}
