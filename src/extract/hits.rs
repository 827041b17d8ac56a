//! Label hits: each text cell of a document matched once against every label
//! of every table variant, instead of once per variant and per pass.
//!
//! It takes the compiled templates (once per run: an `Index` of every
//! distinct label text, one Aho-Corasick automaton over them, and where each
//! text stands in each variant) and a segmented document (once per document:
//! `Hits`, how each text cell stands to each label text it meets). The
//! matcher's questions — which row does cell i name in variant d, how
//! strongly does it name a header word — are answered from the hits with the
//! rules of `labels` (`Hit::of`, `pick_row`), so the answers are exactly
//! those of `match_row` and `best_hit` asked cell by cell. A cell's hits
//! depend on its normalised text alone, and reports print the same labels
//! over and over: each thread keeps the hits of the texts it has met
//! (`Memo`, bounded), so a label is searched for once per thread, not once
//! per report. It allocates per new text, never per cell.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use foldhash::fast::FixedState;

use super::header::{Words, MAX_HEADER_CHARS};
use super::labels::{pick_row, Hit, Rel, MIN_PIECE};
use crate::segment::{CellKind, Doc};
use crate::template::{Shape, TableDef};

/// Where a label text stands in a table variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Caption,
    /// A column alias (`column`) or a group label, at `pos` in the order
    /// `header_labels` gives them.
    Header {
        column: bool,
    },
    /// An alias of row `row`, at `pos` among all the rows' aliases in order.
    Row {
        row: u32,
    },
    Ignore,
}

#[derive(Debug, Clone, Copy)]
struct Member {
    role: Role,
    pos: u32,
}

/// Every label text of the templates, the automaton that finds them in a
/// cell, and their roles per table variant.
#[derive(Debug, Default)]
pub struct Index {
    /// Tells this index's memorised hits from another's (0: an empty index).
    id: u64,
    /// Finds every non-empty label text inside a cell (overlapping); its
    /// pattern k is label text `searched[k]`.
    ac: Option<AhoCorasick>,
    searched: Vec<u32>,
    texts: Vec<String>,
    chars: Vec<u32>,
    /// Every head and tail of a label a cell may be (`MIN_PIECE` characters
    /// or more, shorter than the label): `pieces[..]` of the range it maps
    /// to, heads before tails.
    piece_of: HashMap<String, (u32, u32), Fnv>,
    pieces: Vec<(u32, Rel)>,
    /// Bytes of the longest label: a cell as long is no piece of one.
    longest: usize,
    /// The id of the empty label text, if a label normalises to nothing.
    empty: Option<u32>,
    variants: usize,
    /// `members[start[p * variants + d]..start[p * variants + d + 1]]`: the
    /// roles of label text `p` in variant `d`.
    start: Vec<u32>,
    members: Vec<Member>,
    /// Per variant: its shape and the extra characters a caption cell may
    /// hold.
    shapes: Vec<Shape>,
    caption_extra: Vec<usize>,
    /// Per variant: its header words, for `header::read_header`.
    words: Vec<Words>,
    /// `caption_of[caption_at[p]..caption_at[p + 1]]`: the variants label
    /// text `p` is a caption of.
    caption_at: Vec<u32>,
    caption_of: Vec<u32>,
}

impl Index {
    pub fn new(tables: &[TableDef]) -> Index {
        let mut texts: Vec<String> = Vec::new();
        let mut id = std::collections::HashMap::<String, u32>::new();
        // (label id, variant, role, pos), in the order the roles are listed.
        let mut roles: Vec<(u32, usize, Member)> = Vec::new();
        for (d, def) in tables.iter().enumerate() {
            let mut add = |text: &str, role: Role, pos: usize| {
                let p = *id.entry(text.to_string()).or_insert_with(|| {
                    texts.push(text.to_string());
                    (texts.len() - 1) as u32
                });
                let pos = pos as u32;
                roles.push((p, d, Member { role, pos }));
            };
            for (pos, c) in def.captions.iter().enumerate() {
                add(c, Role::Caption, pos);
            }
            let columns = def.columns.iter().flat_map(|c| c.aliases.iter());
            let groups = def.groups.iter().map(|g| &g.label);
            let ncols = columns.clone().count();
            for (pos, a) in columns.chain(groups).enumerate() {
                add(
                    a,
                    Role::Header {
                        column: pos < ncols,
                    },
                    pos,
                );
            }
            let rows = def
                .rows
                .iter()
                .enumerate()
                .flat_map(|(r, row)| row.aliases.iter().map(move |a| (r, a)));
            for (pos, (r, a)) in rows.enumerate() {
                add(a, Role::Row { row: r as u32 }, pos);
            }
            for (pos, a) in def.ignore.iter().enumerate() {
                add(a, Role::Ignore, pos);
            }
        }
        let variants = tables.len();
        roles.sort_by_key(|&(p, d, _)| (p, d));
        let mut start = Vec::with_capacity(texts.len() * variants + 1);
        let mut at = 0;
        for slot in 0..texts.len() * variants {
            start.push(at as u32);
            while roles
                .get(at)
                .is_some_and(|&(p, d, _)| p as usize * variants + d == slot)
            {
                at += 1;
            }
        }
        start.push(at as u32);
        // The roles are in label text order: each text's caption variants,
        // each once.
        let mut caption_at = Vec::with_capacity(texts.len() + 1);
        let mut caption_of: Vec<u32> = Vec::new();
        let mut at = 0;
        for p in 0..texts.len() as u32 {
            let from = caption_of.len();
            caption_at.push(from as u32);
            while let Some(&(_, d, m)) = roles.get(at).filter(|r| r.0 == p) {
                if m.role == Role::Caption && caption_of[from..].last() != Some(&(d as u32)) {
                    caption_of.push(d as u32);
                }
                at += 1;
            }
        }
        caption_at.push(caption_of.len() as u32);
        let members = roles.into_iter().map(|(_, _, m)| m).collect();
        // An empty text cannot be searched for: a label that normalises to
        // nothing names only an empty text cell (a bare ordinal).
        let empty = texts.iter().position(String::is_empty).map(|p| p as u32);
        let searched: Vec<u32> = (0..texts.len() as u32)
            .filter(|&p| Some(p) != empty)
            .collect();
        // A DFA: one table lookup per byte of every text cell, for a few
        // megabytes built once per run.
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(searched.iter().map(|&p| &texts[p as usize]))
            .ok();
        // (piece, 0 head / 1 tail, label id)
        let mut cut: Vec<(&str, u8, u32)> = Vec::new();
        for (p, text) in texts.iter().enumerate() {
            let bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).skip(1).collect();
            let n = bounds.len() + 1;
            for (k, &b) in bounds.iter().enumerate() {
                // `text[..b]` has k + 1 characters, `text[b..]` the n - k - 1
                // after them.
                let (head, tail) = (k + 1, n - k - 1);
                if head >= MIN_PIECE {
                    cut.push((&text[..b], 0, p as u32));
                }
                if tail >= MIN_PIECE {
                    cut.push((&text[b..], 1, p as u32));
                }
            }
        }
        cut.sort_unstable();
        let mut piece_of = HashMap::with_hasher(Fnv);
        let mut pieces = Vec::with_capacity(cut.len());
        for (k, &(piece, rel, p)) in cut.iter().enumerate() {
            if k == 0 || cut[k - 1].0 != piece {
                let at = pieces.len() as u32;
                piece_of.insert(piece.to_string(), (at, at));
            }
            pieces.push((p, if rel == 0 { Rel::Head } else { Rel::Tail }));
            if let Some(range) = piece_of.get_mut(piece) {
                range.1 = pieces.len() as u32;
            }
        }
        // Ids from 1: every index built is another, even at the same address.
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Index {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            ac,
            searched,
            chars: texts.iter().map(|t| t.chars().count() as u32).collect(),
            longest: texts.iter().map(String::len).max().unwrap_or(0),
            texts,
            piece_of,
            pieces,
            empty,
            variants,
            start,
            members,
            shapes: tables.iter().map(|d| d.shape).collect(),
            caption_extra: tables.iter().map(|d| d.caption_max_extra).collect(),
            words: tables.iter().map(Words::new).collect(),
            caption_at,
            caption_of,
        }
    }

    /// Variant `d`'s header words.
    pub(super) fn words(&self, d: usize) -> &Words {
        static NONE: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
        self.words
            .get(d)
            .unwrap_or_else(|| NONE.get_or_init(Words::default))
    }

    fn roles(&self, p: u32, d: usize) -> &[Member] {
        let slot = p as usize * self.variants + d;
        match (self.start.get(slot), self.start.get(slot + 1)) {
            (Some(&a), Some(&b)) => self.members.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// FNV-1a: the pieces are looked up once per text cell, and SipHash's
/// guard against chosen keys buys nothing for keys the templates chose.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Fnv;

pub(super) struct FnvHasher(u64);

impl BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// How one cell stands to one label text.
#[derive(Debug, Clone, Copy)]
struct CellHit {
    label: u32,
    rel: Rel,
}

/// A row's hit on the way to `pick_row`: its best alias so far.
#[derive(Debug, Clone, Copy)]
struct RowHit {
    row: u32,
    pos: u32,
    hit: Hit,
}

/// The hits of the texts one thread has met, with one index: `spans[e]`
/// is text e's range in `hits` and its characters. Texts longer than
/// `MEMO_TEXT` (prose, seldom printed twice) are searched each time: their
/// entries have no key and go when the memo is cleared. The texts kept are
/// run together in one string, so a new text costs no allocation of its own
/// (tests/alloc.rs): `ids` maps a text's hash to the entry, whose text is
/// compared before it is taken (a text whose hash another's has is searched).
#[derive(Default)]
struct Memo {
    index: u64,
    ids: HashMap<u64, u32, FixedState>,
    /// Hashes the texts, keyed anew for each memo.
    text_hash: FixedState,
    /// The kept texts, entry e's at `keys[key_at[e]]`.
    keys: String,
    key_at: Vec<(u32, u32)>,
    spans: Vec<(u32, u32, u32)>,
    hits: Vec<CellHit>,
    /// Per label text: the stamp of the text it was last recorded for.
    seen: Vec<u32>,
    stamp: u32,
    /// What each text says in each variant, once asked.
    said: RefCell<SaidMemo>,
}

/// `Variant::said` of text e in variant d, at `at[e * variants + d]` in
/// `said` once asked (`NO_ENTRY` until then): it depends on the text's
/// hits alone.
#[derive(Default)]
struct SaidMemo {
    variants: usize,
    at: Vec<u32>,
    said: Vec<Said>,
}

impl SaidMemo {
    fn get(&self, e: u32, d: usize) -> Option<Said> {
        let slot = (e as usize).checked_mul(self.variants)?.checked_add(d)?;
        let &k = self.at.get(slot)?;
        self.said.get(k as usize).copied()
    }

    fn put(&mut self, e: u32, d: usize, said: Said) {
        let slot = e as usize * self.variants + d;
        if d < self.variants {
            if let Some(k) = self.at.get_mut(slot) {
                *k = self.said.len() as u32;
                self.said.push(said);
            }
        }
    }
}

/// Bytes of the longest text memorised.
const MEMO_TEXT: usize = 192;
/// A memo grown past any of these is cleared between documents: memory per
/// thread stays a few megabytes, whatever the documents print.
const MEMO_ENTRIES: usize = 1 << 15;
const MEMO_SAID: usize = 1 << 16;
const MEMO_HITS: usize = 1 << 18;
const MEMO_BYTES: usize = 1 << 21;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::default();
}

impl Memo {
    /// The thread's memo, for `index` (cleared when it was another's or
    /// has grown too large).
    fn take(index: &Index) -> Memo {
        let mut memo = MEMO.with(|m| std::mem::take(&mut *m.borrow_mut()));
        if memo.index != index.id || memo.over() {
            // Keyed anew for each memo: a document's texts cannot be chosen
            // to collide.
            let seed = RandomState::new().hash_one(index.id);
            memo = Memo {
                index: index.id,
                ids: HashMap::with_hasher(FixedState::with_seed(seed)),
                text_hash: FixedState::with_seed(seed),
                seen: vec![0; index.texts.len()],
                said: RefCell::new(SaidMemo {
                    variants: index.variants,
                    ..SaidMemo::default()
                }),
                ..Memo::default()
            };
        }
        memo
    }

    fn over(&self) -> bool {
        self.spans.len() > MEMO_ENTRIES
            || self.hits.len() > MEMO_HITS
            || self.keys.len() > MEMO_BYTES
            || self.said.borrow().said.len() > MEMO_SAID
    }

    /// The entry of a text cell's normalised text, searched if new.
    fn entry(&mut self, index: &Index, norm: &str) -> u32 {
        let hash = (norm.len() <= MEMO_TEXT).then(|| self.text_hash.hash_one(norm));
        if let Some(&e) = hash.and_then(|h| self.ids.get(&h)) {
            if self.key(e) == Some(norm) {
                return e;
            }
        }
        let e = self.search(index, norm);
        let from = self.keys.len() as u32;
        if let Some(h) = hash {
            self.keys.push_str(norm);
            // A text whose hash another's has takes its place: the memo
            // only forgets the other.
            self.ids.insert(h, e);
        }
        self.key_at.push((from, self.keys.len() as u32));
        e
    }

    /// The text entry e was kept for.
    fn key(&self, e: u32) -> Option<&str> {
        let &(a, b) = self.key_at.get(e as usize)?;
        self.keys.get(a as usize..b as usize)
    }

    /// How a text stands to every label text: each label it holds (once,
    /// however often it is printed), and each label it is a head or tail of.
    fn search(&mut self, index: &Index, norm: &str) -> u32 {
        let from = self.hits.len() as u32;
        let nchars = norm.chars().count();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let seen = &mut self.seen;
        let hits = &mut self.hits;
        // A label printed twice in a cell, or found both as its head and
        // tail, counts once.
        let mut record = |label: u32, rel: Rel| {
            if let Some(s) = seen.get_mut(label as usize) {
                if *s != stamp {
                    *s = stamp;
                    hits.push(CellHit { label, rel });
                }
            }
        };
        if norm.is_empty() {
            if let Some(p) = index.empty {
                record(p, Rel::Equal);
            }
        } else {
            if let Some(ac) = &index.ac {
                for m in ac.find_overlapping_iter(norm) {
                    let Some(&p) = index.searched.get(m.pattern().as_usize()) else {
                        continue;
                    };
                    let rel = if m.len() == norm.len() {
                        Rel::Equal
                    } else {
                        Rel::Within
                    };
                    record(p, rel);
                }
            }
            if nchars >= MIN_PIECE && norm.len() < index.longest {
                if let Some(&(a, b)) = index.piece_of.get(norm) {
                    for &(p, rel) in index.pieces.get(a as usize..b as usize).unwrap_or(&[]) {
                        record(p, rel);
                    }
                }
            }
        }
        self.spans
            .push((from, self.hits.len() as u32, nchars as u32));
        let said = self.said.get_mut();
        let slots = said.at.len() + said.variants;
        said.at.resize(slots, NO_ENTRY);
        (self.spans.len() - 1) as u32
    }
}

/// Each text cell's label hits, for one document.
pub(super) struct Hits<'i> {
    index: &'i Index,
    /// The thread's memo, lent for the document (given back on drop).
    memo: Memo,
    /// Per cell: its normalised characters.
    chars: Vec<u32>,
    /// Per cell: its entry in the memo (`NO_ENTRY` for a cell not text).
    entry: Vec<u32>,
    /// Scratch for `Variant::row`: rows met by one cell.
    rows: RefCell<Vec<RowHit>>,
    /// Scratch for `Variant::said_range`, lent to one region's reading at a
    /// time: one allocation per document, not one per region and variant.
    said: std::cell::Cell<Vec<Said>>,
}

const NO_ENTRY: u32 = u32::MAX;

impl std::fmt::Debug for Hits<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hits")
            .field("cells", &self.entry.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Hits<'_> {
    fn drop(&mut self) {
        let memo = std::mem::take(&mut self.memo);
        if !memo.over() {
            // `try_with`: a thread being torn down keeps nothing.
            let _ = MEMO.try_with(|m| *m.borrow_mut() = memo);
        }
    }
}

impl<'i> Hits<'i> {
    pub(super) fn new(doc: &Doc, index: &'i Index) -> Hits<'i> {
        let n = doc.cells.len();
        let mut out = Hits {
            index,
            memo: Memo::take(index),
            chars: Vec::with_capacity(n),
            entry: Vec::with_capacity(n),
            rows: RefCell::new(Vec::new()),
            said: std::cell::Cell::new(Vec::new()),
        };
        for i in 0..n {
            let norm = doc.norm(i);
            if doc.cells[i].kind != CellKind::Text {
                out.chars.push(norm.chars().count() as u32);
                out.entry.push(NO_ENTRY);
                continue;
            }
            let e = out.memo.entry(index, norm);
            let nchars = out.memo.spans.get(e as usize).map_or(0, |s| s.2);
            out.chars.push(nchars);
            out.entry.push(e);
        }
        out
    }

    /// `f(d)` for each table variant `d` cell i holds a caption of, with at
    /// most the variant's extra characters around it (`Variant::caption`
    /// asked of every variant), possibly more than once.
    pub(super) fn captions(&self, i: usize, mut f: impl FnMut(usize)) {
        let index = self.index;
        let nchars = self.chars(i);
        for h in self.cell(i) {
            if !matches!(h.rel, Rel::Equal | Rel::Within) {
                continue;
            }
            let p = h.label as usize;
            let achars = index.chars.get(p).map_or(0, |&c| c as usize);
            let of = match (index.caption_at.get(p), index.caption_at.get(p + 1)) {
                (Some(&a), Some(&b)) => index.caption_of.get(a as usize..b as usize),
                _ => None,
            };
            for &d in of.unwrap_or(&[]) {
                let extra = index.caption_extra.get(d as usize).copied().unwrap_or(0);
                if nchars <= achars + extra {
                    f(d as usize);
                }
            }
        }
    }

    /// The hits as table variant `d` (index into `Templates::tables`) sees
    /// them.
    pub(super) fn of(&self, d: usize) -> Variant<'_, 'i> {
        Variant { hits: self, d }
    }

    /// A cell's normalised characters.
    pub(super) fn chars(&self, i: usize) -> usize {
        self.chars.get(i).map_or(0, |&c| c as usize)
    }

    fn cell(&self, i: usize) -> &[CellHit] {
        let memo = &self.memo;
        match self.entry.get(i).and_then(|&e| memo.spans.get(e as usize)) {
            Some(&(a, b, _)) => memo.hits.get(a as usize..b as usize).unwrap_or(&[]),
            None => &[],
        }
    }
}

/// The row a cell names, from its row hits (`pick_row` over each row's best
/// alias, as `best_hit` over the row's aliases in order).
fn pick(rows: &mut [RowHit], chars: usize) -> Option<(usize, Hit)> {
    if rows.is_empty() {
        return None;
    }
    rows.sort_unstable_by_key(|r| (r.row, r.pos));
    let mut w = 0;
    for k in 0..rows.len() {
        let r = rows[k];
        if w > 0 && rows[w - 1].row == r.row {
            if r.hit.rank() >= rows[w - 1].hit.rank() {
                rows[w - 1] = r;
            }
        } else {
            rows[w] = r;
            w += 1;
        }
    }
    let bests = rows[..w].iter().map(|r| (r.row as usize, r.hit));
    pick_row(bests, chars)
}

/// What one text cell says in one variant: the row it names, its best
/// header word and its best ignored word, and the character pairs of the
/// variant's column aliases it prints (`Words::pairs_in`).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Said {
    pub row: Option<(usize, Hit)>,
    pub header: Option<Hit>,
    pub ignore: Option<Hit>,
    pub pairs: u64,
    /// `Words::end_head` of the text, for a text short enough to be a
    /// header cell.
    pub end_head: Option<u32>,
}

// The memo holds up to `MEMO_SAID` of these.
const _: () = assert!(std::mem::size_of::<Said>() <= 48);

/// One table variant's view of the hits.
#[derive(Clone, Copy)]
pub(super) struct Variant<'h, 'i> {
    hits: &'h Hits<'i>,
    d: usize,
}

impl<'i> Variant<'_, 'i> {
    /// Cell i's normalised characters.
    pub(super) fn chars(&self, i: usize) -> usize {
        self.hits.chars(i)
    }

    /// Cell i's hits in this variant: the role, its position and the hit.
    fn each(&self, i: usize) -> impl Iterator<Item = (Member, Hit)> + '_ {
        let index = self.hits.index;
        let nchars = self.hits.chars(i);
        self.hits.cell(i).iter().flat_map(move |h| {
            let achars = index.chars.get(h.label as usize).map_or(0, |&c| c as usize);
            let hit = Hit::of(h.rel, nchars, achars);
            index
                .roles(h.label, self.d)
                .iter()
                .filter_map(move |&m| hit.map(|hit| (m, hit)))
        })
    }

    /// The best hit among the roles `seg` puts in order (`Some(segment)`;
    /// `None` leaves a role out): the one of highest rank, and of those the
    /// last in order, as `best_hit` picks.
    fn best(&self, i: usize, seg: impl Fn(Role) -> Option<u32>) -> Option<Hit> {
        self.each(i)
            .filter_map(|(m, h)| seg(m.role).map(|s| (h, (s, m.pos))))
            .max_by_key(|&(h, at)| (h.rank(), at))
            .map(|(h, _)| h)
    }

    /// `match_row(def, cell i)`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) fn row(&self, i: usize) -> Option<(usize, Hit)> {
        let mut rows = self.hits.rows.borrow_mut();
        rows.clear();
        rows.extend(self.each(i).filter_map(|(m, hit)| match m.role {
            Role::Row { row } => Some(RowHit {
                row,
                pos: m.pos,
                hit,
            }),
            _ => None,
        }));
        pick(&mut rows, self.hits.chars(i))
    }

    /// `row`, `header` and `ignore` of cell i, from one pass over its hits,
    /// and its pairs (once per text and variant: the memo keeps it).
    pub(super) fn said(&self, doc: &Doc, i: usize) -> Said {
        self.said_in(&mut self.hits.memo.said.borrow_mut(), doc, i)
    }

    /// `said`, with the memo borrowed by the caller (once for a region).
    fn said_in(&self, memo: &mut SaidMemo, doc: &Doc, i: usize) -> Said {
        let entry = self.hits.entry.get(i).copied().filter(|&e| e != NO_ENTRY);
        let Some(e) = entry else {
            return self.said_now(doc, i);
        };
        if let Some(said) = memo.get(e, self.d) {
            return said;
        }
        let said = self.said_now(doc, i);
        memo.put(e, self.d, said);
        said
    }

    /// `said` of every cell of `lo..hi` (the default for a cell not text),
    /// in the document's scratch vector: give it back with `give_back`.
    pub(super) fn said_range(&self, doc: &Doc, lo: usize, hi: usize) -> Vec<Said> {
        let mut out = self.hits.said.take();
        out.clear();
        out.reserve(hi.saturating_sub(lo));
        let mut memo = self.hits.memo.said.borrow_mut();
        for i in lo..hi {
            let said = match doc.cells.get(i).map(|c| c.kind) {
                Some(CellKind::Text) => self.said_in(&mut memo, doc, i),
                _ => Said::default(),
            };
            out.push(said);
        }
        out
    }

    /// Gives `said_range`'s vector back for the next region.
    pub(super) fn give_back(&self, said: Vec<Said>) {
        self.hits.said.set(said);
    }

    fn said_now(&self, doc: &Doc, i: usize) -> Said {
        let mut rows = self.hits.rows.borrow_mut();
        rows.clear();
        // The best hit and its position, the last of the best in order, as
        // `best` picks.
        let mut header: Option<(Hit, u32)> = None;
        let mut ignore: Option<(Hit, u32)> = None;
        let better = |b: Option<(Hit, u32)>, hit: Hit, pos: u32| {
            b.is_none_or(|(h, p)| (hit.rank(), pos) >= (h.rank(), p))
        };
        for (m, hit) in self.each(i) {
            match m.role {
                Role::Header { .. } if better(header, hit, m.pos) => header = Some((hit, m.pos)),
                Role::Ignore if better(ignore, hit, m.pos) => ignore = Some((hit, m.pos)),
                Role::Row { row } => rows.push(RowHit {
                    row,
                    pos: m.pos,
                    hit,
                }),
                _ => {}
            }
        }
        Said {
            row: pick(&mut rows, self.hits.chars(i)),
            header: header.map(|h| h.0),
            ignore: ignore.map(|h| h.0),
            pairs: self.words().pairs_in(doc.norm(i)),
            end_head: match self.hits.chars(i) <= MAX_HEADER_CHARS {
                true => self.words().end_head(doc.norm(i)),
                false => None,
            },
        }
    }

    /// The variant's header words.
    pub(super) fn words(&self) -> &'i Words {
        self.hits.index.words(self.d)
    }

    /// `f(pos, rel)` for each column alias and group label (at `pos` in
    /// `header_labels` order) cell i holds or is a piece of.
    pub(super) fn header_words(&self, i: usize, mut f: impl FnMut(u32, Rel)) {
        for h in self.hits.cell(i) {
            for m in self.hits.index.roles(h.label, self.d) {
                if let Role::Header { .. } = m.role {
                    f(m.pos, h.rel);
                }
            }
        }
    }

    /// `best_hit(cell i, header_labels(def))`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) fn header(&self, i: usize) -> Option<Hit> {
        self.best(i, |r| matches!(r, Role::Header { .. }).then_some(0))
    }

    /// `best_hit(cell i, def.ignore)`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) fn ignore(&self, i: usize) -> Option<Hit> {
        self.best(i, |r| (r == Role::Ignore).then_some(0))
    }

    /// `best_hit` over every row alias of the variant, in order.
    pub(super) fn any_row(&self, i: usize) -> Option<Hit> {
        self.best(i, |r| matches!(r, Role::Row { .. }).then_some(0))
    }

    /// `best_hit` over the header labels, then the row aliases, then the
    /// ignored labels.
    pub(super) fn any(&self, i: usize) -> Option<Hit> {
        self.best(i, |r| match r {
            Role::Header { .. } => Some(0),
            Role::Row { .. } => Some(1),
            Role::Ignore => Some(2),
            Role::Caption => None,
        })
    }

    /// The hit by which cell i opens this variant's table printed without its
    /// caption: a row alias (grid), a column or row alias (flat).
    pub(super) fn opener(&self, i: usize) -> Option<Hit> {
        let flat = self.hits.index.shapes.get(self.d) == Some(&Shape::Flat);
        self.best(i, |r| match r {
            Role::Header { column: true } if flat => Some(0),
            Role::Row { .. } => Some(1),
            _ => None,
        })
    }

    /// Does cell i hold one of the variant's captions, with at most the
    /// variant's extra characters around it?
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) fn caption(&self, i: usize) -> bool {
        let index = self.hits.index;
        let nchars = self.hits.chars(i);
        let extra = index.caption_extra.get(self.d).copied().unwrap_or(0);
        self.hits.cell(i).iter().any(|h| {
            let achars = index.chars.get(h.label as usize).map_or(0, |&c| c as usize);
            matches!(h.rel, Rel::Equal | Rel::Within)
                && nchars <= achars + extra
                && index
                    .roles(h.label, self.d)
                    .iter()
                    .any(|m| m.role == Role::Caption)
        })
    }
}

#[cfg(test)]
mod tests {
    //! The hits answer every question exactly as the cell-by-cell functions
    //! of `labels` do, on every cell of every variant: the fixtures of
    //! data/, a corpus named by `XXGK_HITS_CORPUS` (ignored test), and
    //! cells made of pieces of the templates' own labels, where the rules
    //! (pieces, ties, suffixes, short words in long cells) are tested hardest.

    use super::Hits;
    use crate::extract::labels::{best_hit, header_labels, match_row, Hit, Probe};
    use crate::segment::normalise::Normaliser;
    use crate::segment::{self, CellKind, Doc};
    use crate::settings::{load, Settings};
    use crate::template::{compile, Label, Shape, Source, Templates};

    fn key(h: Option<Hit>) -> Option<(super::super::labels::Strength, u32, bool)> {
        h.map(|h| (h.strength, h.len, h.suffix))
    }

    /// Compares every text cell of `doc` in every variant; gives the cells
    /// compared.
    fn same(doc: &Doc, t: &Templates, what: &str) -> usize {
        let hits = Hits::new(doc, &t.index);
        let mut n = 0;
        let mut prev: Option<u32> = None;
        for i in 0..doc.cells.len() {
            if doc.cells[i].kind != CellKind::Text {
                continue;
            }
            n += 1;
            // A header of one cell, and of two (a pair may span them).
            let headers = [vec![i as u32], prev.into_iter().chain([i as u32]).collect()];
            prev = Some(i as u32);
            for (d, header) in (0..t.tables.len()).flat_map(|d| headers.iter().map(move |h| (d, h)))
            {
                let [memo, text] = crate::extract::header::likeness_both(doc, hits.of(d), header);
                assert_eq!(
                    memo, text,
                    "{what}: likeness of cells {header:?}, table {d}"
                );
            }
            let probe = Probe::new(doc.norm(i));
            assert_eq!(hits.chars(i), probe.chars, "{what}: cell {i}");
            let mut captions = Vec::new();
            hits.captions(i, |d| captions.push(d));
            captions.sort_unstable();
            captions.dedup();
            let each: Vec<usize> = (0..t.tables.len())
                .filter(|&d| hits.of(d).caption(i))
                .collect();
            assert_eq!(captions, each, "{what}: captions of cell {i}");
            for (d, def) in t.tables.iter().enumerate() {
                let m = hits.of(d);
                let at = || format!("{what}: cell {i} {:?}, table {d} {}", probe.norm, def.key);
                let rows = || def.rows.iter().flat_map(|r| r.aliases.iter());
                let direct = match_row(def, &probe).map(|(r, h)| (r, key(Some(h))));
                let cached = m.row(i).map(|(r, h)| (r, key(Some(h))));
                assert_eq!(cached, direct, "row: {}", at());
                let header = best_hit(&probe, header_labels(def));
                assert_eq!(key(m.header(i)), key(header), "header: {}", at());
                let ignore = best_hit(&probe, def.ignore.iter());
                assert_eq!(key(m.ignore(i)), key(ignore), "ignore: {}", at());
                let said = m.said(doc, i);
                let row = said.row.map(|(r, h)| (r, key(Some(h))));
                assert_eq!(row, direct, "said row: {}", at());
                assert_eq!(key(said.header), key(header), "said header: {}", at());
                assert_eq!(key(said.ignore), key(ignore), "said ignore: {}", at());
                assert_eq!(
                    key(m.any_row(i)),
                    key(best_hit(&probe, rows())),
                    "rows: {}",
                    at()
                );
                let any = best_hit(
                    &probe,
                    header_labels(def).chain(rows()).chain(def.ignore.iter()),
                );
                assert_eq!(key(m.any(i)), key(any), "any: {}", at());
                let opener = match def.shape {
                    Shape::Grid => best_hit(&probe, rows()),
                    Shape::Flat => best_hit(
                        &probe,
                        def.columns
                            .iter()
                            .flat_map(|c| c.aliases.iter())
                            .chain(rows()),
                    ),
                };
                assert_eq!(key(m.opener(i)), key(opener), "opener: {}", at());
                let caption = def.captions.iter().any(|c: &Label| {
                    probe.chars <= c.chars + def.caption_max_extra && probe.norm.contains(&**c)
                });
                assert_eq!(m.caption(i), caption, "caption: {}", at());
                let [held, scanned] = crate::extract::header::held_both(doc, m, i);
                assert_eq!(held, scanned, "header words: {}", at());
            }
        }
        n
    }

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    /// Every report file under `dir` the config reads: cells compared.
    fn corpus(dir: &std::path::Path, s: &Settings) -> (usize, usize) {
        let mut paths = Vec::new();
        files(dir, &mut paths);
        paths.sort();
        let (mut docs, mut cells) = (0, 0);
        for p in paths {
            let Some(format) = s.format_of(&p.to_string_lossy()) else {
                continue;
            };
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            let Ok((_, rendered)) = crate::input::read(format, bytes, s) else {
                continue;
            };
            let doc = segment::rendered(&rendered, &s.templates.normaliser);
            cells += same(&doc, &s.templates, &p.display().to_string());
            docs += 1;
        }
        (docs, cells)
    }

    #[test]
    fn hits_answer_as_the_labels_do_on_every_fixture() {
        let s = load(None, None).expect("the embedded config loads");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (docs, cells) = corpus(&root.join("data"), &s);
        assert!(
            docs >= 60 && cells >= 5000,
            "{docs} documents, {cells} cells"
        );
    }

    /// `XXGK_HITS_CORPUS=/path cargo test --lib hits -- --ignored`: the same
    /// on a whole corpus (a synthetic one of xxgk-synth, a crawl).
    #[test]
    #[ignore]
    fn hits_answer_as_the_labels_do_on_a_corpus() {
        let Some(dir) = std::env::var_os("XXGK_HITS_CORPUS") else {
            return;
        };
        let s = load(None, None).expect("the embedded config loads");
        let (docs, cells) = corpus(std::path::Path::new(&dir), &s);
        eprintln!("{docs} documents, {cells} text cells compared");
    }

    /// Cells made of the templates' labels cut and joined: heads and tails
    /// of every length, a label with a prefix or a suffix, two labels run
    /// together, a short word inside prose, labels two variants share.
    fn pieces(t: &Templates) -> String {
        let mut labels: Vec<&str> = Vec::new();
        for def in &t.tables {
            labels.extend(def.captions.iter().map(|l| l.text.as_str()));
            labels.extend(header_labels(def).map(|l| l.text.as_str()));
            labels.extend(
                def.rows
                    .iter()
                    .flat_map(|r| r.aliases.iter().map(|l| l.text.as_str())),
            );
            labels.extend(def.ignore.iter().map(|l| l.text.as_str()));
        }
        labels.sort_unstable();
        labels.dedup();
        // A fixed xorshift: the same cells every run.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        };
        let mut text = String::new();
        let cell = |text: &mut String, c: &str| {
            text.push_str(c);
            text.push('\n');
        };
        for &a in &labels {
            let chars: Vec<char> = a.chars().collect();
            for k in 1..chars.len() {
                let head: String = chars[..k].iter().collect();
                let tail: String = chars[k..].iter().collect();
                cell(&mut text, &head);
                cell(&mut text, &tail);
                if k + 1 < chars.len() {
                    let mid: String = chars[1..=k].iter().collect();
                    cell(&mut text, &mid);
                }
            }
            cell(&mut text, a);
            cell(&mut text, &format!("（一）{a}"));
            cell(&mut text, &format!("{a}（市政府令）"));
            cell(&mut text, &format!("本机关{a}工作情况说明如下并已公开"));
            for _ in 0..8 {
                let b = labels[next(labels.len())];
                cell(&mut text, &format!("{a}{b}"));
                let cut: String = b.chars().take(next(6) + 1).collect();
                cell(&mut text, &format!("{cut}{a}"));
                let from = next(chars.len());
                let piece: String = chars[from..]
                    .iter()
                    .copied()
                    .chain(b.chars().take(2))
                    .collect();
                cell(&mut text, &piece);
                let to = next(chars.len()) + 1;
                let piece: String = b
                    .chars()
                    .rev()
                    .take(2)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .chain(chars[..to].iter().copied())
                    .collect();
                cell(&mut text, &piece);
            }
        }
        text
    }

    #[test]
    fn hits_answer_as_the_labels_do_on_pieces_of_labels() {
        let s = load(None, None).expect("the embedded config loads");
        let t = &s.templates;
        let text = pieces(t);
        let doc = segment::segment(&text, &t.normaliser);
        let n = same(&doc, t, "pieces");
        assert!(n >= 5000, "{n} cells");
    }

    /// Labels made to tie: a cell that is the head of one alias and the
    /// tail of another of the same length (which one `best_hit` keeps
    /// decides `suffix`), in one row, across rows, in the header; a label
    /// two variants and two roles share; a group label; a flat table.
    const TIES: &str = r#"
name = "ties"
[[tables]]
key = "grid"
label = "甲表"
captions = ["甲表标题", "标题"]
ignore = ["东南西北中", "信息内容"]
columns = [
  { key = "a", label = "左右东南西", aliases = ["东南西北中"] },
  { key = "b", label = "上下左右前", aliases = ["总计"] },
  { key = "c", label = "前后上下左" },
]
groups = [{ label = "左右上下前", columns = ["a", "b"] }]
rows = [
  { key = "r1", label = "子丑寅卯辰", aliases = ["巳午子丑寅", "其他"] },
  { key = "r2", label = "甲乙丙丁戊", aliases = ["总计"] },
  { key = "r3", label = "己庚甲乙丙", aliases = ["丁戊己庚辛"] },
  { key = "r4", label = "其他丑寅卯" },
]

[[tables]]
key = "flat"
label = "乙表"
captions = ["乙表标题"]
shape = "flat"
ignore = ["行政诉讼"]
columns = [
  { key = "x", label = "行政复议结果", aliases = ["复议结果维持"] },
  { key = "y", label = "维持行政复议" },
]
rows = [{ key = "only", label = "行政复议" }]
"#;

    #[test]
    fn hits_answer_as_the_labels_do_when_labels_tie() {
        let other = TIES
            .replace("name = \"ties\"", "name = \"ties2\"")
            .replace("子丑寅卯辰", "辰卯寅丑子");
        let sources = [
            Source {
                name: "ties".into(),
                text: TIES,
            },
            Source {
                name: "ties2".into(),
                text: &other,
            },
        ];
        let n = Normaliser::new("", "()（）、.").expect("a normaliser");
        let t = compile(&sources, n).expect("the tie templates compile");
        let text = pieces(&t);
        let doc = segment::segment(&text, &t.normaliser);
        let n = same(&doc, &t, "ties");
        assert!(n >= 1000, "{n} cells");
    }
}
