//! Header resolution: which printed column is which, and the unit a money
//! column's header names.
//!
//! It takes the header cells of a region and a table variant and gives the
//! printed column order, or the template's with a finding when the header does
//! not say it without ambiguity (a flattened two-row header, a header cut
//! short). A permutation is never taken from weak evidence: a value under the
//! wrong column is the worst failure.

use std::collections::HashMap;

use super::hits::{Fnv, Variant};
use super::labels::{contains, Rel, MIN_PIECE};
use crate::segment::{CellKind, Doc};
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
    /// The tail of a word broken over two lines (`务机构`): it names the word
    /// but not its place, which is where the head was printed.
    pub tail: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Col(usize),
    Group(usize),
}

/// A header cell longer than this (normalised characters) is prose, not a
/// header: a word such as 总计 or 其他 in a sentence names no column.
pub(super) const MAX_HEADER_CHARS: usize = 60;
/// A piece of a header word broken over two lines names it from this many
/// characters on, when no other header word holds the same piece.
const MIN_FRAGMENT_CHARS: usize = 3;

/// A variant's header words, prepared once per run: its column aliases and
/// group labels, longest first, and the character pairs of its column
/// aliases (for `likeness`).
#[derive(Debug, Default)]
pub(super) struct Words {
    labels: Vec<(String, Item)>,
    /// Per word, at its place in `header_labels` order (the `pos` of its
    /// header role in the hits): its place in `labels`.
    rank: Vec<u32>,
    /// Places in `labels` of words that normalise to nothing (no cell is
    /// found holding them: every cell does).
    empty: Vec<u32>,
    /// Bytes of the longest word.
    longest: usize,
    /// Each distinct pair of adjacent characters of the column aliases
    /// (`pair`), sorted, with how often the aliases print it.
    pairs: Vec<(u64, u32)>,
    /// Every head and tail of a word (`MIN_FRAGMENT_CHARS` characters or
    /// more, shorter than the word) the one word `fragment_of` names: a
    /// text not here is a piece of no word, or of two.
    fragments: HashMap<Box<str>, (Item, bool), Fnv>,
    /// The first character of every word, sorted: a head starts with one.
    firsts: Vec<char>,
    /// Pairs of the column aliases, each occurrence counted.
    total: i64,
}

impl Words {
    pub(super) fn new(def: &TableDef) -> Words {
        let labels: Vec<(String, Item)> = def
            .columns
            .iter()
            .enumerate()
            .flat_map(|(c, col)| {
                col.aliases
                    .iter()
                    .map(move |a| (a.text.clone(), Item::Col(c)))
            })
            .chain(
                def.groups
                    .iter()
                    .enumerate()
                    .map(|(g, gr)| (gr.label.text.clone(), Item::Group(g))),
            )
            .collect();
        let mut by_length: Vec<usize> = (0..labels.len()).collect();
        by_length.sort_by_key(|&p| std::cmp::Reverse(labels[p].0.len()));
        let mut rank = vec![0u32; labels.len()];
        for (r, &p) in by_length.iter().enumerate() {
            rank[p] = r as u32;
        }
        let labels: Vec<(String, Item)> = by_length.iter().map(|&p| labels[p].clone()).collect();
        let empty = (0..labels.len() as u32)
            .filter(|&r| labels[r as usize].0.is_empty())
            .collect();
        let mut all: Vec<u64> = Vec::new();
        for alias in def.columns.iter().flat_map(|c| c.aliases.iter()) {
            let mut chars = alias.chars();
            let Some(mut prev) = chars.next() else {
                continue;
            };
            for c in chars {
                all.push(pair(prev, c));
                prev = c;
            }
        }
        let total = all.len() as i64;
        all.sort_unstable();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for p in all {
            match pairs.last_mut() {
                Some((q, n)) if *q == p => *n += 1,
                _ => pairs.push((p, 1)),
            }
        }
        let mut fragments = HashMap::with_hasher(Fnv);
        for (alias, _) in &labels {
            let cuts = alias.char_indices().map(|(b, _)| b).skip(1);
            for b in cuts {
                for piece in [&alias[..b], &alias[b..]] {
                    if let Some(f) = fragment_of(&labels, piece) {
                        fragments.insert(piece.into(), f);
                    }
                }
            }
        }
        let mut firsts: Vec<char> = labels
            .iter()
            .filter_map(|(a, _)| a.chars().next())
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        Words {
            longest: labels.iter().map(|(a, _)| a.len()).max().unwrap_or(0),
            fragments,
            firsts,
            labels,
            rank,
            empty,
            pairs,
            total,
        }
    }

    /// The pairs (bit k: `pairs[k]`) text prints within itself; 0 where
    /// the aliases have more pairs than bits (`likeness` then reads the
    /// text).
    pub(super) fn pairs_in(&self, text: &str) -> u64 {
        if self.pairs.len() > PAIR_BITS {
            return 0;
        }
        let mut mask = 0;
        let mut chars = text.chars();
        if let Some(mut prev) = chars.next() {
            for c in chars {
                mask |= self.bit(pair(prev, c));
                prev = c;
            }
        }
        mask
    }

    /// The bit of one pair, 0 for a pair no alias prints.
    fn bit(&self, key: u64) -> u64 {
        match self.pairs.binary_search_by(|(p, _)| p.cmp(&key)) {
            Ok(k) if k < PAIR_BITS => 1 << k,
            _ => 0,
        }
    }

    /// 0–10: the share of the column aliases' character pairs the header
    /// holds (its cells' text run together: a pair may span two cells).
    /// Each cell's own pairs come memorised with what it says (`Said`);
    /// only the pairs across cells are looked up here.
    fn likeness(&self, doc: &Doc, m: Variant, header: &[u32]) -> i64 {
        if self.total == 0 {
            return 0;
        }
        if self.pairs.len() > PAIR_BITS {
            return self.likeness_of_text(doc, header);
        }
        let mut mask = 0u64;
        let mut last: Option<char> = None;
        for &i in header {
            let norm = doc.norm(i as usize);
            let Some(first) = norm.chars().next() else {
                continue;
            };
            if let Some(prev) = last {
                mask |= self.bit(pair(prev, first));
            }
            last = norm.chars().next_back();
            mask |= match doc.cells.get(i as usize) {
                Some(c) if c.kind == CellKind::Text => m.said(doc, i as usize).pairs,
                _ => self.pairs_in(norm),
            };
        }
        let found: i64 = self
            .pairs
            .iter()
            .enumerate()
            .filter(|&(k, _)| mask >> k & 1 == 1)
            .map(|(_, (_, n))| i64::from(*n))
            .sum();
        found * 10 / self.total
    }

    /// `likeness` read off the header's text run together.
    fn likeness_of_text(&self, doc: &Doc, header: &[u32]) -> i64 {
        let mut seen = vec![false; self.pairs.len()];
        let mut text = header.iter().flat_map(|&i| doc.norm(i as usize).chars());
        if let Some(mut prev) = text.next() {
            for c in text {
                let key = pair(prev, c);
                if let Ok(k) = self.pairs.binary_search_by(|(p, _)| p.cmp(&key)) {
                    seen[k] = true;
                }
                prev = c;
            }
        }
        let found: i64 = self
            .pairs
            .iter()
            .zip(&seen)
            .filter(|(_, &s)| s)
            .map(|((_, n), _)| i64::from(*n))
            .sum();
        found * 10 / self.total
    }

    /// Where the head of a longer word at the end of `norm` starts
    /// (`head_at_end`), when that head holds a shorter word and is the head
    /// of that one word: the piece `claims` reads there. It depends on the
    /// text alone, so `hits::Said` keeps it with what a text says.
    pub(super) fn end_head(&self, norm: &str) -> Option<u32> {
        let pos = head_at_end(self, norm)?;
        let piece = norm.get(pos..)?;
        let holds_word = self
            .labels
            .iter()
            .any(|(a, _)| a.len() < piece.len() && piece.contains(a.as_str()));
        match (holds_word, self.fragment(piece)) {
            (true, Some((_, false))) => u32::try_from(pos).ok(),
            _ => None,
        }
    }

    /// `fragment_of(labels, piece)`, looked up.
    fn fragment(&self, piece: &str) -> Option<(Item, bool)> {
        self.fragments.get(piece).copied()
    }
}

/// The word a text is a piece of, and whether it is the tail.
#[cfg(test)]
pub(super) type Piece = Option<(Item, bool)>;

/// Every text made of a run of a word's characters, or of two words' run
/// together, with what `fragment_of` and the lookup say of it (tests that
/// they agree).
#[cfg(test)]
pub(super) fn fragments_both(words: &Words) -> Vec<(String, [Piece; 2])> {
    let mut texts: Vec<String> = Vec::new();
    for (a, _) in &words.labels {
        let cuts: Vec<usize> = a.char_indices().map(|(b, _)| b).chain([a.len()]).collect();
        for (k, &i) in cuts.iter().enumerate() {
            texts.extend(cuts[k..].iter().map(|&j| a[i..j].to_string()));
        }
        for (b, _) in &words.labels {
            texts.push(format!("{a}{b}"));
        }
    }
    texts
        .into_iter()
        .map(|t| {
            let both = [fragment_of(&words.labels, &t), words.fragment(&t)];
            (t, both)
        })
        .collect()
}

/// Pairs a `u64` of bits holds: a variant's column aliases print fewer.
const PAIR_BITS: usize = 64;

/// Two adjacent characters as one key.
fn pair(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// How one header cell stands to a variant's header words.
#[derive(Default)]
struct Held {
    /// Places in `Words::labels` of the words the cell holds, ascending.
    words: Vec<u32>,
    /// The one word the whole cell is the head (false) or tail (true) of.
    piece: Option<(Item, bool)>,
}

impl Held {
    /// From the document's label hits: the words found inside the cell
    /// and the words it is a piece of, as `contains` and `fragment_of`
    /// would find them one by one.
    fn of(&mut self, m: Variant, words: &Words, i: usize) {
        self.words.clear();
        self.words.extend_from_slice(&words.empty);
        let mut piece: Option<Option<(Item, bool)>> = None;
        m.header_words(i, |pos, rel| {
            let Some(&r) = words.rank.get(pos as usize) else {
                return;
            };
            let Some(&(_, item)) = words.labels.get(r as usize) else {
                return;
            };
            let hit = match rel {
                Rel::Equal | Rel::Within => {
                    self.words.push(r);
                    return;
                }
                Rel::Head => (item, false),
                Rel::Tail => (item, true),
            };
            piece = match piece {
                None => Some(Some(hit)),
                Some(Some(f)) if f == hit => Some(Some(f)),
                _ => Some(None),
            };
        });
        self.words.sort_unstable();
        self.words.dedup();
        self.piece = piece.flatten();
    }

    /// By scanning the cell for every word.
    fn scan(&mut self, words: &Words, norm: &str) {
        self.words.clear();
        self.words
            .extend((0..words.labels.len() as u32).filter(|&r| {
                let alias = words.labels[r as usize].0.as_str();
                alias.is_empty() || contains(norm, alias)
            }));
        self.piece = fragment_of(&words.labels, norm);
    }
}

/// The places of the words a cell holds and the word it is a piece of.
#[cfg(test)]
pub(super) type HeldWords = (Vec<u32>, Option<(Item, bool)>);

/// The header words text cell i holds and is a piece of, read from the hits
/// and by scanning: (hits, scan), for tests that they agree.
#[cfg(test)]
pub(super) fn held_both(doc: &Doc, m: Variant, i: usize) -> [HeldWords; 2] {
    let (mut a, mut b) = (Held::default(), Held::default());
    a.of(m, m.words(), i);
    b.scan(m.words(), doc.norm(i));
    [(a.words, a.piece), (b.words, b.piece)]
}

/// The likeness of `header` from the memorised pairs and from the text run
/// together: (pairs, text), for tests that they agree.
#[cfg(test)]
pub(super) fn likeness_both(doc: &Doc, m: Variant, header: &[u32]) -> [i64; 2] {
    let words = m.words();
    let text = if words.total == 0 {
        0
    } else {
        words.likeness_of_text(doc, header)
    };
    [words.likeness(doc, m, header), text]
}

// A cell's pieces in the hits are those `fragment_of` reads.
const _: () = assert!(MIN_FRAGMENT_CHARS == MIN_PIECE);

pub(super) fn claims(doc: &Doc, m: Variant, header: &[u32]) -> Vec<Claim> {
    let words = m.words();
    let labels = &words.labels[..];
    let mut out = Vec::new();
    let mut held = Held::default();
    for (order, &i) in header.iter().enumerate() {
        let norm = doc.norm(i as usize);
        // The hits count every cell's characters.
        if m.chars(i as usize) > MAX_HEADER_CHARS {
            continue;
        }
        let Some(cell) = doc.cells.get(i as usize) else {
            continue;
        };
        // The hits hold text cells only; what a text's end is the head of
        // comes memorised with what it says.
        let end_head = if cell.kind == CellKind::Text {
            held.of(m, words, i as usize);
            m.said(doc, i as usize).end_head
        } else {
            held.scan(words, norm);
            words.end_head(norm)
        };
        let claim = |pos, end, item, tail| Claim {
            order,
            line: cell.line,
            col: cell.col,
            pos,
            end,
            item,
            cell: i,
            tail,
        };
        let first = out.len();
        // A cell that is itself the head or tail of a longer header word
        // (`其他组织` of 法人或其他组织) is that piece, not the shorter word
        // inside it (其他).
        if let Some((item, tail)) = held.piece {
            out.push(claim(0, norm.len(), item, tail));
            continue;
        }
        // The head of a longer word at the cell's end (`总计自然人法人或其他`
        // read as one cell, the span broken after 其他) is that piece, and
        // the short word inside it (其他) names nothing.
        if let Some(pos) = end_head {
            if let Some((item, false)) = norm.get(pos as usize..).and_then(|p| words.fragment(p)) {
                out.push(claim(pos as usize, norm.len(), item, false));
            }
        }
        // The words the cell holds, longest first.
        for &r in &held.words {
            let Some((alias, item)) = labels.get(r as usize) else {
                continue;
            };
            for pos in match_starts(norm, alias) {
                let end = pos + alias.len();
                let overlaps = out[first..]
                    .iter()
                    .any(|c: &Claim| pos < c.end && c.pos < end);
                if !overlaps {
                    out.push(claim(pos, end, *item, false));
                }
            }
        }
        // Pieces of words broken over two lines (`法人或其` / `他组织`): a
        // cell that holds no whole word, or the text after a cell's last
        // whole word (`…社会公益组织法律服` / `务机构`). A piece names a word
        // only when no other header word has it. (The whole cell is no
        // piece: that was asked first.)
        let rest = out[first..].iter().map(|c| c.end).max().unwrap_or(0);
        if let Some(piece) = norm.get(rest..).filter(|_| rest > 0) {
            if let Some((item, false)) = words.fragment(piece) {
                out.push(claim(rest, norm.len(), item, false));
            }
        }
        out[first..].sort_by_key(|c| c.pos);
    }
    out
}

/// Where the longest piece at the end of `norm` that is the head of exactly
/// one longer header word starts, if one does (and is not the whole cell).
fn head_at_end(words: &Words, norm: &str) -> Option<usize> {
    // Only a piece shorter than some word, starting as one does, can be
    // its head.
    norm.char_indices()
        .filter(|&(i, c)| {
            i > 0 && norm.len() - i < words.longest && words.firsts.binary_search(&c).is_ok()
        })
        .map(|(i, _)| i)
        .find(|&i| matches!(words.fragment(&norm[i..]), Some((_, false))))
}

/// Where `needle` starts in `hay`, left to right, each match after the
/// last one's end: `str::match_indices` without the searcher it builds per
/// call, for words of a few bytes.
fn match_starts<'a>(hay: &'a str, needle: &'a str) -> Starts<'a> {
    Starts { hay, needle, at: 0 }
}

struct Starts<'a> {
    hay: &'a str,
    needle: &'a str,
    at: usize,
}

impl Iterator for Starts<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let (h, n) = (self.hay.as_bytes(), self.needle.as_bytes());
        while self.at <= h.len() {
            let at = self.at;
            // An empty word matches at every character boundary.
            if n.is_empty() {
                self.at += 1;
                if self.hay.is_char_boundary(at) {
                    return Some(at);
                }
                continue;
            }
            if h.get(at..).is_some_and(|rest| rest.starts_with(n)) {
                self.at += n.len();
                return Some(at);
            }
            self.at += 1;
        }
        None
    }
}

/// The one header word whose head or tail `piece` is, if exactly one is,
/// and whether it is the tail.
fn fragment_of(labels: &[(String, Item)], piece: &str) -> Option<(Item, bool)> {
    // Fewer than `MIN_FRAGMENT_CHARS` characters name no word.
    piece.chars().nth(MIN_FRAGMENT_CHARS - 1)?;
    let mut found: Option<(Item, bool)> = None;
    for (alias, item) in labels {
        // Longest first: no word after a short one is longer.
        if alias.len() <= piece.len() {
            break;
        }
        let item = *item;
        let hit = match (alias.starts_with(piece), alias.ends_with(piece)) {
            (true, _) => (item, false),
            (false, true) => (item, true),
            (false, false) => continue,
        };
        match found {
            Some(f) if f != hit => return None,
            _ => found = Some(hit),
        }
    }
    found
}

/// The columns the claims name, in the order they name them (a group's
/// columns fill the group's place), and which columns are named. Tails of
/// broken words name no place.
fn placed(def: &TableDef, claims: &[Claim]) -> (Vec<usize>, Vec<bool>) {
    let group_of = |c: usize| def.groups.iter().position(|g| g.columns.contains(&c));
    // Slots in the order they open: a group's (its columns gather there) or
    // one column's. Each column named is kept with its slot, in the order
    // named; the order is theirs by slot.
    let mut slots: Vec<Option<usize>> = Vec::new();
    let mut named: Vec<(usize, usize)> = Vec::new();
    let mut placed = vec![false; def.columns.len()];
    for claim in claims.iter().filter(|c| !c.tail) {
        match claim.item {
            Item::Group(g) => {
                if !slots.contains(&Some(g)) {
                    slots.push(Some(g));
                }
            }
            Item::Col(c) if !placed[c] => {
                placed[c] = true;
                let slot = group_of(c).and_then(|g| slots.iter().position(|&s| s == Some(g)));
                let slot = slot.unwrap_or_else(|| {
                    slots.push(None);
                    slots.len() - 1
                });
                named.push((slot, c));
            }
            Item::Col(_) => {}
        }
    }
    // Stable: within a slot, the order named.
    named.sort_by_key(|&(slot, _)| slot);
    (named.into_iter().map(|(_, c)| c).collect(), placed)
}

/// The printed column order the claims describe, when every column is named.
pub(super) fn resolve(def: &TableDef, claims: &[Claim]) -> Option<Vec<usize>> {
    // A column no claim places (`placed` marks the columns of claims that
    // are no tail) leaves no order: told before the order is built.
    let every =
        (0..def.columns.len()).all(|c| claims.iter().any(|x| !x.tail && x.item == Item::Col(c)));
    if !every {
        return None;
    }
    let (order, placed) = placed(def, claims);
    placed.iter().all(|&p| p).then_some(order)
}

/// The order of the columns a header names, in reading order (a group's
/// columns in its place), with each column it does not name put after the
/// one the template puts before it.
fn partial_order(def: &TableDef, claims: &[Claim]) -> Vec<usize> {
    let (mut order, placed) = placed(def, claims);
    for (c, &was) in placed.iter().enumerate() {
        if !was {
            let at = match c.checked_sub(1) {
                Some(before) => order
                    .iter()
                    .position(|&x| x == before)
                    .map_or(order.len(), |p| p + 1),
                None => 0,
            };
            order.insert(at, c);
        }
    }
    order
}

/// What the header says: the printed order of the columns and the unit each
/// money column's header names.
pub(super) struct Header {
    pub order: Vec<usize>,
    pub reordered: bool,
    pub unparsed: bool,
    /// A printed order the header may mean but does not establish (a
    /// two-row header read flat without its spanning word): `order` stays the
    /// template's and the caller weighs this one against the table's checks.
    pub alternative: Option<Vec<usize>>,
    pub units: Vec<Option<Unit>>,
    /// 0–10: how much of the variant's header vocabulary the header holds.
    pub likeness: i64,
    /// Every column of the variant is named in the header.
    pub complete: bool,
    /// How many of the variant's columns the header names.
    pub named: usize,
    /// The header names every column and says their order.
    pub confirmed: bool,
}

/// Does a group's word go unprinted while its columns are printed? A header
/// read flat then does not show whether the group's columns stand where they
/// are read (`自然人, 总计, 商业企业…` is the reading order of a two-row
/// header whose spanning `法人或其他组织` was lost).
fn group_unclaimed(def: &TableDef, claims: &[Claim]) -> bool {
    def.groups.iter().enumerate().any(|(g, group)| {
        // A tail piece (`他组织`) names the group but not its place.
        !claims.iter().any(|c| c.item == Item::Group(g) && !c.tail)
            && claims
                .iter()
                .any(|c| matches!(c.item, Item::Col(x) if group.columns.contains(&x)))
    })
}

/// The printed order the claims establish (`Ok`), or the one they suggest
/// without establishing it (`Err(Some)`), or none (`Err(None)`).
fn printed_order(
    def: &TableDef,
    claims: &mut [Claim],
) -> Result<Option<Vec<usize>>, Option<Vec<usize>>> {
    let n = def.columns.len();
    // No claim names a column: only a template without columns is in its
    // order (what `resolve` gives both ways below), without its vectors.
    if claims.is_empty() {
        return if n == 0 { Ok(None) } else { Err(None) };
    }
    let template: Vec<usize> = (0..n).collect();
    let reading = resolve(def, claims);
    claims.sort_by_key(|c| (c.col, c.line, c.order, c.pos));
    let by_column = resolve(def, claims);
    claims.sort_by_key(|c| (c.order, c.pos));
    match (reading, by_column) {
        (r, c) if r.as_ref() == Some(&template) || c.as_ref() == Some(&template) => Ok(None),
        (Some(r), Some(c)) if r == c => {
            let cols: std::collections::BTreeSet<u16> = claims.iter().map(|c| c.col).collect();
            let lines: std::collections::BTreeSet<u32> = claims.iter().map(|c| c.line).collect();
            // Cells side by side on one line place the columns themselves;
            // cells read one after another only in reading order, which a
            // flattened two-row header scrambles.
            // A piece of a broken word on the line shows the header had a
            // second line, read into this one.
            let placed_by_position =
                lines.len() == 1 && cols.len() == claims.len() && !claims.iter().any(|c| c.tail);
            if group_unclaimed(def, claims) && !placed_by_position {
                Err(Some(r))
            } else {
                Ok(Some(r))
            }
        }
        // The reading order and the positions disagree. Where every
        // spanning word is printed, the reading order is the two-row
        // header's own (positions on its second line count from that line's
        // first cell, not from the grid); otherwise it is a suggestion.
        (Some(r), Some(_)) if !def.groups.is_empty() && !group_unclaimed(def, claims) => {
            Ok(Some(r))
        }
        (Some(r), Some(_)) => Err(Some(r)),
        _ => Err(None),
    }
}

pub(super) fn read_header(doc: &Doc, def: &TableDef, m: Variant, header: &[u32]) -> Header {
    let n = def.columns.len();
    let template: Vec<usize> = (0..n).collect();
    let mut claims = claims(doc, m, header);
    let named = (0..n)
        .filter(|&c| claims.iter().any(|x| x.item == Item::Col(c)))
        .count();
    let complete = named == n;
    let resolved = printed_order(def, &mut claims);
    let confirmed = resolved.is_ok();
    let (order, reordered, unparsed, alternative) = match resolved {
        Ok(None) => (template, false, false, None),
        Ok(Some(r)) => (r, true, false, None),
        Err(Some(r)) => (template, false, false, Some(r)),
        // No claim: `partial_order` is the template's.
        Err(None) if claims.is_empty() => (template, false, false, None),
        Err(None) => {
            // Some columns named, not all: the order they are named in,
            // completed with the others where the template puts them, is
            // what the header suggests; the row checks weigh it.
            let partial = partial_order(def, &claims);
            let alt = (partial != template).then_some(partial);
            (template, false, !claims.is_empty(), alt)
        }
    };
    let mut units = vec![None; n];
    for (j, claim) in claims.iter().enumerate() {
        if let Item::Col(c) = claim.item {
            if def.columns[c].kind == ColumnKind::Money && units[c].is_none() {
                units[c] = header_unit(doc, header, &claims, j);
            }
        }
    }
    Header {
        order,
        reordered,
        unparsed,
        alternative,
        complete,
        named,
        confirmed,
        units,
        likeness: m.words().likeness(doc, m, header),
    }
}

/// How many header cells after a money column's may continue its words.
const UNIT_CONTINUATION_CELLS: usize = 3;

/// The unit a money column's header names: the text from its word to the next
/// column's, continued into the header cells after it that name no column —
/// a header wrapped over lines (`本年收费金额` / `（单位：万元）`), or broken
/// inside the unit (`本年收费金额（单位：万` / `元）`: 万元, not 元).
fn header_unit(doc: &Doc, header: &[u32], claims: &[Claim], j: usize) -> Option<Unit> {
    let claim = claims.get(j)?;
    let norm = doc.norm(claim.cell as usize);
    let next = claims.get(j + 1).filter(|next| next.cell == claim.cell);
    let end = next.map_or(norm.len(), |next| next.pos);
    let own = norm.get(claim.pos..end)?;
    if next.is_some() {
        return unit_in_header(own);
    }
    let at = header
        .iter()
        .position(|&h| h == claim.cell)
        .map_or(header.len(), |p| p + 1);
    let mut rest = String::new();
    for &h in header[at..]
        .iter()
        .take_while(|&&h| !claims.iter().any(|o| o.cell == h))
        .take(UNIT_CONTINUATION_CELLS)
    {
        rest.push_str(doc.norm(h as usize));
    }
    // A unit cut after its first character (`（万` / `元）`): the next line
    // may hold other columns' pieces between them (`项目数量 元）` in
    // space-separated text), so 万 and 元 need not meet again.
    let cut = match own.chars().last() {
        Some('万') => Some(Unit::Wan),
        Some('亿') => Some(Unit::Yi),
        _ => None,
    };
    if let Some(unit) = cut {
        return rest.contains('元').then_some(unit);
    }
    unit_in_header(own).or_else(|| unit_in_header(&format!("{own}{rest}")))
}
