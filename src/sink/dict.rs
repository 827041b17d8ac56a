//! Column chunks of the cell datasets' repeated string columns, encoded
//! here from their dictionary keys instead of by the Parquet writer from
//! strings.
//!
//! The cell datasets repeat, row after row, a few hundred strings known
//! before the run (`rows::Labels`: templates, table, row and column keys and
//! labels) and the report's id. Their batches carry them as Arrow
//! dictionaries (one table per run, or per batch for the report columns);
//! the Parquet writer would still hash and compare every row's string to
//! rebuild a dictionary of its own. This module builds that dictionary from
//! the keys (a table entry is looked up once per row group, never hashed
//! per row) and writes the chunk the Parquet writer writes for the same
//! rows: a dictionary page of the strings in first-use order, then
//! RLE_DICTIONARY data pages cut at the same rows, compressed with the same
//! codec, with the same statistics, column index, offset index and memory
//! estimate (which decides where a row group closes, `writer::Group`). The
//! file bytes are the same as the Parquet writer's: the writer's tests
//! compare them (`run_table_columns_write_the_bytes_of_the_arrow_writer`).
//! A column or setting this module does not reproduce (`Spec::new` returns
//! `None`, `Table::fits` false) stays with the Parquet writer, and a batch
//! it cannot take as the Parquet writer would (`Column::write` gives
//! `false`: its dictionary could outgrow the page at which Parquet falls
//! back to plain pages) goes there too (`writer::Column`). It decides no
//! value; it only encodes strings it is given.

use std::cell::RefCell;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, StringArray};
use bytes::Bytes;
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use parquet::basic::{
    BoundaryOrder, Compression, Encoding, EncodingMask, LogicalType, PageType, Type,
};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::data_type::ByteArray;
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnIndexBuilder, OffsetIndexBuilder, PageEncodingStats,
};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

type Error = String;

/// Values of a bit-packed group and of the shortest RLE run (parquet's
/// RLE/bit-packing hybrid).
const GROUP: usize = 8;
/// Groups of one bit-packed run, at most (its header is one byte).
const MAX_GROUPS: usize = 64;
/// A key not yet in the chunk's dictionary.
const UNSET: u32 = u32::MAX;
/// The hash of `Column::known`.
const HASH: FixedState = FixedState::with_seed(0x9e37_79b9_7f4a_7c15);

/// The bytes of dictionary entry `d`: its range of `entries` in `dict`
/// (empty for an entry it does not have).
fn entry<'a>(dict: &'a [u8], entries: &[Range<usize>], d: u32) -> &'a [u8] {
    entries
        .get(d as usize)
        .and_then(|r| dict.get(r.clone()))
        .unwrap_or(&[])
}

thread_local! {
    /// One ZSTD context per thread and level, for every chunk: making one
    /// costs more than compressing a small page (it asks the CPU for its
    /// features, which traps under a hypervisor), and the same context
    /// gives the same bytes page after page.
    static ZSTD: RefCell<Option<(i32, zstd::bulk::Compressor<'static>)>> =
        const { RefCell::new(None) };
}

/// `raw` compressed at ZSTD `level`, as the Parquet writer's codec does.
fn compress(level: i32, raw: &[u8]) -> Result<Vec<u8>, Error> {
    ZSTD.with(|slot| {
        let mut slot = slot
            .try_borrow_mut()
            .map_err(|_| "the ZSTD context is in use")?;
        let c = match &mut *slot {
            Some((l, c)) if *l == level => c,
            other => {
                let c = zstd::bulk::Compressor::new(level).map_err(|e| e.to_string())?;
                &mut other.insert((level, c)).1
            }
        };
        c.compress(raw).map_err(|e| e.to_string())
    })
}

/// How the Parquet writer would write one column, when this module writes
/// the same bytes for it.
#[derive(Clone)]
pub struct Spec {
    descr: ColumnDescPtr,
    compression: Compression,
    /// ZSTD's level; `None` for uncompressed pages.
    zstd: Option<i32>,
    statistics: bool,
    /// An optional column: each page opens with its definition levels.
    nullable: bool,
    batch: usize,
    page_rows: usize,
    page_bytes: usize,
    dict_bytes: usize,
    /// Statistics of values longer than this would be truncated.
    truncate: usize,
}

impl Spec {
    /// The column `descr` written with `props`; `None` when the writer would
    /// do anything this module does not: repetition levels, statistics of an
    /// optional column (null counts, level histograms), page header
    /// statistics, bloom filters, format v2 pages, a codec other than ZSTD,
    /// distinct counts.
    pub fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Option<Spec> {
        let path = descr.path();
        let zstd = match props.compression(path) {
            Compression::ZSTD(level) => Some(level.compression_level()),
            Compression::UNCOMPRESSED => None,
            _ => return None,
        };
        let statistics = match props.statistics_enabled(path) {
            EnabledStatistics::None => false,
            EnabledStatistics::Page => true,
            EnabledStatistics::Chunk => return None,
        };
        let nullable = descr.max_def_level() == 1;
        let plain = descr.physical_type() == Type::BYTE_ARRAY
            && (descr.max_def_level() == 0 || (nullable && !statistics))
            && descr.max_rep_level() == 0
            && matches!(descr.logical_type_ref(), Some(LogicalType::String))
            && props.writer_version() == WriterVersion::PARQUET_1_0
            && props.dictionary_enabled(path)
            && props.dictionary_page_encoding() == Encoding::PLAIN
            && !props.write_page_header_statistics(path)
            && props.bloom_filter_properties(path).is_none()
            && !props.offset_index_disabled()
            && !props.write_row_group_number_distinct_values()
            && props.content_defined_chunking().is_none()
            && props.write_batch_size() > 0;
        if !plain {
            return None;
        }
        let truncate = [
            props.column_index_truncate_length(),
            props.statistics_truncate_length(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(usize::MAX);
        Some(Spec {
            compression: props.compression(path),
            zstd,
            statistics,
            nullable,
            batch: props.write_batch_size(),
            page_rows: props.column_data_page_row_count_limit(path),
            page_bytes: props.column_data_page_size_limit(path),
            dict_bytes: props.column_dictionary_page_size_limit(path),
            truncate,
            descr,
        })
    }
}

/// A run's table of strings (the values of the batches' dictionaries), with
/// what encoding needs per entry.
pub struct Table {
    values: ArrayRef,
    strings: StringArray,
    /// The first entry with the same string: equal strings are one
    /// dictionary entry.
    canon: Vec<u32>,
    /// Each entry's place in byte order (equal strings, equal ranks), and
    /// its length in bytes.
    rank: Vec<u32>,
    len: Vec<u32>,
    /// An entry of each rank.
    ranked: Vec<u32>,
    /// The dictionary page bytes of every distinct string.
    page_bytes: usize,
    longest: usize,
}

impl Table {
    /// The table of `values`, a string array; `None` for any other.
    pub fn new(values: &ArrayRef) -> Option<Table> {
        let strings = values.as_any().downcast_ref::<StringArray>()?.clone();
        if strings.null_count() > 0 {
            return None;
        }
        let n = strings.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| {
            strings
                .value(a as usize)
                .as_bytes()
                .cmp(strings.value(b as usize).as_bytes())
                .then(a.cmp(&b))
        });
        let mut canon = vec![0u32; n];
        let mut rank = vec![0u32; n];
        let mut ranked = Vec::new();
        let (mut page_bytes, mut longest, mut r) = (0usize, 0usize, 0u32);
        for (i, &e) in order.iter().enumerate() {
            let s = strings.value(e as usize);
            let first = match i.checked_sub(1).map(|p| order[p]) {
                Some(p) if strings.value(p as usize) == s => canon[p as usize],
                _ => {
                    if i > 0 {
                        r += 1;
                    }
                    page_bytes += 4 + s.len();
                    longest = longest.max(s.len());
                    ranked.push(e);
                    e
                }
            };
            canon[e as usize] = first;
            rank[e as usize] = r;
        }
        let len = (0..n).map(|e| strings.value_length(e) as u32).collect();
        Some(Table {
            len,
            values: values.clone(),
            strings,
            canon,
            rank,
            ranked,
            page_bytes,
            longest,
        })
    }

    /// Is this the table of `values`?
    pub fn is(&self, values: &ArrayRef) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.values), Arc::as_ptr(values))
    }

    /// The string of rank `r`.
    fn ranked(&self, r: u32) -> &[u8] {
        self.ranked
            .get(r as usize)
            .map_or(&[], |&e| self.strings.value(e as usize).as_bytes())
    }

    /// Can a chunk of `spec` whose dictionary holds `used` bytes take its
    /// keys without the Parquet writer falling back from the dictionary or
    /// truncating a statistic?
    pub fn fits(&self, spec: &Spec, used: usize) -> bool {
        used + self.page_bytes < spec.dict_bytes
            && (!spec.statistics || self.longest <= spec.truncate)
    }
}

/// The RLE/bit-packing hybrid encoding of dictionary indices, value for
/// value the runs the Parquet writer chooses: groups of eight values are
/// bit-packed, except that eight equal values aligned on a group start a
/// run, which lasts as long as the value repeats.
struct Rle {
    width: u8,
    out: Vec<u8>,
    pending: Vec<u32>,
    current: u64,
    repeat: usize,
}

impl Rle {
    fn new(width: u8, out: Vec<u8>) -> Rle {
        Rle {
            width,
            out,
            pending: Vec::new(),
            current: 0,
            repeat: 0,
        }
    }

    /// `put` of every value, a run's repeats counted at once.
    fn put_all(&mut self, values: &[u32]) {
        let mut rest = values;
        while let Some(&v) = rest.first() {
            let n = rest.iter().take_while(|&&x| x == v).count();
            self.put_n(v, n);
            rest = rest.get(n..).unwrap_or(&[]);
        }
    }

    /// `put` of `n` times `v`: inside a run, `put` only counts an equal
    /// value.
    fn put_n(&mut self, v: u32, mut n: usize) {
        while n > 0 && !(self.repeat >= GROUP && self.current == u64::from(v)) {
            self.put(v);
            n -= 1;
        }
        self.repeat += n;
    }

    fn put(&mut self, v: u32) {
        let v64 = u64::from(v);
        if self.current == v64 {
            self.repeat += 1;
            if self.repeat > GROUP {
                return;
            }
        } else {
            if self.repeat >= GROUP {
                self.run();
            }
            self.repeat = 1;
            self.current = v64;
        }
        self.pending.push(v);
        if self.pending.len().is_multiple_of(GROUP) {
            self.group_done();
        }
    }

    fn group_done(&mut self) {
        if self.repeat >= GROUP {
            self.pending.truncate(self.pending.len() - GROUP);
            if !self.pending.is_empty() {
                self.packed();
            }
            return;
        }
        if self.pending.len() / GROUP + 1 >= MAX_GROUPS {
            self.packed();
        }
        self.repeat = 0;
    }

    /// Writes the run of `current`.
    fn run(&mut self) {
        let mut n = (self.repeat as u64) << 1;
        while n >= 0x80 {
            self.out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
        let bytes = self.current.to_le_bytes();
        self.out
            .extend_from_slice(&bytes[..usize::from(self.width).div_ceil(8).min(8)]);
        self.pending.clear();
        self.repeat = 0;
    }

    /// Writes the pending groups bit-packed, least significant bit first.
    fn packed(&mut self) {
        let groups = self.pending.len() / GROUP;
        self.out.push(((groups << 1) | 1) as u8);
        let width = u32::from(self.width);
        if width <= 16 && self.pending.len().is_multiple_of(GROUP) {
            // A group's eight values fill `width` bytes exactly.
            for group in self.pending.chunks_exact(GROUP) {
                let mut acc = 0u128;
                for (j, &v) in (0u32..).zip(group) {
                    acc |= u128::from(v) << (j * width);
                }
                self.out
                    .extend_from_slice(&acc.to_le_bytes()[..usize::from(self.width)]);
            }
            self.pending.clear();
            return;
        }
        let (mut acc, mut bits) = (0u128, 0u32);
        for &v in &self.pending {
            acc |= u128::from(v) << bits;
            bits += width;
            while bits >= 8 {
                self.out.push(acc as u8);
                acc >>= 8;
                bits -= 8;
            }
        }
        if bits > 0 {
            self.out.push(acc as u8);
        }
        self.pending.clear();
    }

    fn finish(mut self) -> Vec<u8> {
        if !self.pending.is_empty() || self.repeat > 0 {
            let tail = self.pending.len() % GROUP;
            let all_repeat = self.pending.len() == tail && (self.repeat == tail || tail == 0);
            if self.repeat > 0 && all_repeat {
                self.run();
            } else {
                if tail > 0 {
                    self.pending.resize(self.pending.len() + GROUP - tail, 0);
                }
                if !self.pending.is_empty() {
                    self.packed();
                }
                self.repeat = 0;
            }
        }
        self.out
    }

    /// The largest encoding of `n` values of `width` bits.
    fn max_size(width: u8, n: usize) -> usize {
        let runs = n.div_ceil(GROUP);
        let packed = runs + runs * usize::from(width);
        let rle = runs * (1 + usize::from(width).div_ceil(8));
        packed.max(rle)
    }
}

/// Bits of the indices into a dictionary of `n` entries.
fn width(n: usize) -> u8 {
    (64 - (n.saturating_sub(1) as u64).leading_zeros()) as u8
}

/// The chunk of one column in the open row group.
pub struct Column {
    spec: Spec,
    table: Arc<Table>,
    /// Canonical table entry → index in this chunk's dictionary.
    map: Vec<u32>,
    /// Table entry → index in this chunk's dictionary, once looked up.
    keys: Vec<u32>,
    /// The dictionary page (each string after its length) and each entry's
    /// bytes in it; `dedup` only mirrors the Parquet writer's hash table,
    /// whose size counts in the memory estimate.
    dict: Vec<u8>,
    entries: Vec<Range<usize>>,
    dedup: HashTable<u64>,
    full: bool,
    /// Dictionary entry by its string, for a batch's new table to find the
    /// strings already in the chunk (`adopt`); kept from the first time a
    /// table is adopted after rows were written.
    known: Option<HashTable<u32>>,
    /// The open page: its indices, rows, string bytes, least and greatest
    /// entry by rank. (The Parquet writer holds its indices as `u64`; the
    /// memory estimate counts them so, `memory_size`.)
    indices: Vec<u32>,
    bytes: i64,
    /// The open page's rows, nulls included, and of an optional column its
    /// definition levels (after the four bytes their length goes in).
    open_rows: usize,
    levels: Option<Rle>,
    least: Option<u32>,
    most: Option<u32>,
    /// Closed data pages, header and body each, and what each was.
    pages: Vec<Bytes>,
    resident: usize,
    locations: Vec<(usize, i32)>,
    page_rows: Vec<i64>,
    page_bytes: Vec<i64>,
    ranks: Vec<(u32, u32)>,
    rows: u64,
    compressed: u64,
    uncompressed: u64,
}

impl Column {
    pub fn new(spec: Spec, table: Arc<Table>) -> Column {
        Column {
            map: vec![UNSET; table.canon.len()],
            keys: vec![UNSET; table.canon.len()],
            spec,
            table,
            dict: Vec::new(),
            entries: Vec::new(),
            dedup: HashTable::new(),
            full: true,
            known: None,
            indices: Vec::new(),
            bytes: 0,
            open_rows: 0,
            levels: None,
            least: None,
            most: None,
            pages: Vec::new(),
            resident: 0,
            locations: Vec::new(),
            page_rows: Vec::new(),
            page_bytes: Vec::new(),
            ranks: Vec::new(),
            rows: 0,
            compressed: 0,
            uncompressed: 0,
        }
    }

    /// Takes the table `values` for this batch's keys, if the chunk can
    /// take it and still be the Parquet writer's: its strings already in
    /// the dictionary keep their entries; with the rest, the dictionary must
    /// stay under the size at which the Parquet writer would fall back to
    /// plain pages; a column with statistics takes one table only.
    fn adopt(&mut self, values: &ArrayRef) -> bool {
        let Some(table) = Table::new(values) else {
            return false;
        };
        let written = !self.entries.is_empty() || self.rows > 0;
        if !table.fits(&self.spec, self.dict.len()) || (self.spec.statistics && written) {
            return false;
        }
        let mut map = vec![UNSET; table.canon.len()];
        if written {
            if self.known.is_none() {
                let mut known = HashTable::with_capacity(self.entries.len());
                for d in 0..self.entries.len() as u32 {
                    let hash = self.entry_hash(d);
                    known.insert_unique(hash, d, |&d| self.entry_hash(d));
                }
                self.known = Some(known);
            }
            if let Some(known) = &self.known {
                for (e, m) in map.iter_mut().enumerate() {
                    if table.canon[e] as usize == e {
                        let s = table.strings.value(e).as_bytes();
                        let found = known.find(HASH.hash_one(s), |&d| self.entry(d) == s);
                        if let Some(&d) = found {
                            *m = d;
                        }
                    }
                }
            }
        }
        self.keys = vec![UNSET; map.len()];
        self.map = map;
        self.table = Arc::new(table);
        true
    }

    /// Encodes one batch's column, a dictionary of strings (null keys in an
    /// optional column only); `false`, having written nothing, when the
    /// chunk cannot take it as the Parquet writer would (`adopt`): its keys
    /// go to that writer then.
    pub fn write(&mut self, array: &ArrayRef) -> Result<bool, Error> {
        let Some(dict) = array.as_any().downcast_ref::<DictionaryArray<Int32Type>>() else {
            return Ok(false);
        };
        let nulls = dict.keys().nulls();
        if nulls.is_some_and(|n| n.null_count() > 0) && !self.spec.nullable {
            return Ok(false);
        }
        if !self.table.is(dict.values()) && !self.adopt(dict.values()) {
            return Ok(false);
        }
        // The Parquet writer takes an optional column's levels in pieces of
        // a page's rows when they are all alike (no null buffer, or nulls
        // only), else in mini-batches; it checks its limits after each.
        let uniform = nulls.is_none_or(|n| n.null_count() == n.len());
        let step = match self.spec.nullable && uniform {
            true => self.spec.page_rows.max(1),
            false => self.spec.batch,
        };
        let keys = dict.keys().values();
        let mut valid = Vec::new();
        for (i, mini) in keys.chunks(step).enumerate() {
            let runs = nulls.map(|n| {
                valid.clear();
                let bits = n.inner().slice(i * step, mini.len());
                valid.extend(bits.set_slices());
                valid.as_slice()
            });
            self.put(mini, runs)?;
            if self.page_full() {
                self.close_page()?;
            }
            if self.dict.len() >= self.spec.dict_bytes {
                return Err("the dictionary outgrew its page".into());
            }
        }
        Ok(true)
    }

    /// The bytes of dictionary entry `d`.
    fn entry(&self, d: u32) -> &[u8] {
        entry(&self.dict, &self.entries, d)
    }

    fn entry_hash(&self, d: u32) -> u64 {
        HASH.hash_one(self.entry(d))
    }

    /// One mini-batch of keys into the open page (the Parquet writer checks
    /// its limits after each); with `valid` ranges, the other rows null.
    fn put(&mut self, keys: &[i32], valid: Option<&[(usize, usize)]>) -> Result<(), Error> {
        let values = valid.map_or(keys.len(), |v| v.iter().map(|(s, e)| e - s).sum());
        self.indices.reserve(values);
        self.open_rows += keys.len();
        if self.spec.nullable {
            let levels = self.levels.get_or_insert_with(|| Rle::new(1, vec![0; 4]));
            match valid {
                None => levels.put_n(1, keys.len()),
                Some(v) => {
                    let mut at = 0;
                    for &(start, end) in v {
                        levels.put_n(0, start - at);
                        levels.put_n(1, end - start);
                        at = end;
                    }
                    levels.put_n(0, keys.len() - at);
                }
            }
        }
        match valid {
            None => self.put_values(keys),
            Some(v) => {
                for &(start, end) in v {
                    self.put_values(keys.get(start..end).ok_or("a key outside the batch")?)?;
                }
                Ok(())
            }
        }
    }

    /// Keys of rows that are not null into the open page.
    fn put_values(&mut self, keys: &[i32]) -> Result<(), Error> {
        let table = Arc::clone(&self.table);
        let (mut least, mut most) = (u32::MAX, 0u32);
        let mut bytes = 0i64;
        // Keys come in runs: each run's entry is looked up once.
        let mut rest = keys;
        while let Some((&key, tail)) = rest.split_first() {
            if self.full {
                // The Parquet writer's interner makes room before every
                // lookup, so a full table grows on the next row.
                self.dedup.reserve(1, |&k| k);
                self.full = false;
            }
            let run = 1 + tail.iter().take_while(|&&x| x == key).count();
            let k = usize::try_from(key).map_err(|_| "a negative key")?;
            let mut d = *self.keys.get(k).ok_or("a key outside its table")?;
            if d == UNSET {
                let c = table.canon[k] as usize;
                d = self.map[c];
                if d == UNSET {
                    d = self.intern(c as u32);
                    if self.full && run > 1 {
                        // The run's next row finds the table full.
                        self.dedup.reserve(1, |&k| k);
                        self.full = false;
                    }
                }
                self.keys[k] = d;
            }
            self.indices.extend(std::iter::repeat_n(d, run));
            bytes += i64::from(table.len[k]) * run as i64;
            if self.spec.statistics {
                least = least.min(table.rank[k]);
                most = most.max(table.rank[k]);
            }
            rest = rest.get(run..).unwrap_or(&[]);
        }
        self.bytes += bytes;
        if self.spec.statistics && !keys.is_empty() {
            self.least = Some(self.least.map_or(least, |l| l.min(least)));
            self.most = Some(self.most.map_or(most, |m| m.max(most)));
        }
        Ok(())
    }

    /// Adds table entry `c` to the chunk's dictionary, as the Parquet
    /// writer's interner stores a new string.
    fn intern(&mut self, c: u32) -> u32 {
        let s = self.table.strings.value(c as usize).as_bytes();
        let d = self.entries.len() as u32;
        self.dict.reserve(4 + s.len());
        self.dict.extend_from_slice(&(s.len() as u32).to_le_bytes());
        let start = self.dict.len();
        self.dict.extend_from_slice(s);
        self.entries.push(start..self.dict.len());
        self.map[c as usize] = d;
        if let Some(known) = &mut self.known {
            let (dict, entries) = (&self.dict, &self.entries);
            let hash = |d: u32| HASH.hash_one(entry(dict, entries, d));
            known.insert_unique(hash(d), d, |&e| hash(e));
        }
        let hash = u64::from(d);
        self.dedup
            .entry(hash, |&k| k == hash, |&k| k)
            .or_insert(hash);
        self.full = self.dedup.len() == self.dedup.capacity();
        d
    }

    fn page_full(&self) -> bool {
        self.open_rows > 0
            && (self.open_rows >= self.spec.page_rows
                || 1 + Rle::max_size(width(self.entries.len()), self.indices.len())
                    >= self.spec.page_bytes)
    }

    fn compress(&self, raw: Vec<u8>) -> Result<Vec<u8>, Error> {
        match self.spec.zstd {
            Some(level) => compress(level, &raw),
            None => Ok(raw),
        }
    }

    /// Serialises `page` (header, then body), as the Parquet writer's page
    /// writer does: its bytes and its size on disk before compression.
    fn serialise(page: CompressedPage) -> Result<(Bytes, usize), Error> {
        let e = |e: parquet::errors::ParquetError| e.to_string();
        let size = 64 + page.compressed_size();
        let mut sink = TrackedWrite::new(Vec::with_capacity(size));
        let spec = SerializedPageWriter::new(&mut sink)
            .write_page(page)
            .map_err(e)?;
        let all = sink.into_inner().map_err(e)?;
        Ok((Bytes::from(all), spec.uncompressed_size))
    }

    fn close_page(&mut self) -> Result<(), Error> {
        let rows = std::mem::take(&mut self.open_rows);
        let w = width(self.entries.len());
        // An optional column's page opens with its definition levels, after
        // their length.
        let mut raw = match self.levels.take() {
            Some(levels) => {
                let mut raw = levels.finish();
                let len = u32::try_from(raw.len() - 4).map_err(|_| "levels too long")?;
                raw[..4].copy_from_slice(&len.to_le_bytes());
                raw
            }
            None => Vec::new(),
        };
        raw.reserve(1 + Rle::max_size(w, self.indices.len()));
        raw.push(w);
        let mut rle = Rle::new(w, raw);
        rle.put_all(&self.indices);
        let raw = rle.finish();
        self.indices.clear();
        let size = raw.len();
        let mut body = self.compress(raw)?;
        body.shrink_to_fit();
        let page = Page::DataPage {
            buf: Bytes::from(body),
            num_values: rows as u32,
            encoding: Encoding::RLE_DICTIONARY,
            def_level_encoding: Encoding::RLE,
            rep_level_encoding: Encoding::RLE,
            statistics: None,
        };
        let (page, uncompressed) = Self::serialise(CompressedPage::new(page, size))?;
        let on_disk = page.len();
        self.locations.push((self.resident, on_disk as i32));
        self.resident += on_disk;
        self.pages.push(page);
        self.uncompressed += uncompressed as u64;
        self.compressed += on_disk as u64;
        self.page_rows.push(rows as i64);
        self.page_bytes.push(std::mem::take(&mut self.bytes));
        if let (Some(l), Some(m)) = (self.least.take(), self.most.take()) {
            self.ranks.push((l, m));
        }
        self.rows += rows as u64;
        Ok(())
    }

    /// The string of rank `r`.
    fn ranked(&self, r: u32) -> &[u8] {
        self.table.ranked(r)
    }

    /// What the Parquet writer's column writer would report as its memory:
    /// its dictionary and indices as allocated, the page's least and
    /// greatest string, and the pages it holds.
    pub fn memory_size(&self) -> usize {
        let stats = match (self.least, self.most) {
            (Some(l), Some(m)) => self.ranked(l).len() + self.ranked(m).len(),
            _ => 0,
        };
        self.dict.capacity()
            + self.entries.capacity() * std::mem::size_of::<Range<usize>>()
            + self.dedup.allocation_size()
            + self.indices.capacity() * std::mem::size_of::<u64>()
            + stats
            + self.resident
    }

    /// Closes the chunk: its bytes (dictionary page first) and what the row
    /// group records of it.
    pub fn close(mut self) -> Result<(Bytes, ColumnCloseResult), Error> {
        let e = |e: parquet::errors::ParquetError| e.to_string();
        if self.open_rows > 0 {
            self.close_page()?;
        }
        let size = self.dict.len();
        let entries = self.entries.len();
        let raw = std::mem::take(&mut self.dict);
        let body = self.compress(raw)?;
        let page = Page::DictionaryPage {
            buf: Bytes::from(body),
            num_values: entries as u32,
            encoding: Encoding::PLAIN,
            is_sorted: false,
        };
        let (dict, uncompressed) = Self::serialise(CompressedPage::new(page, size))?;
        let dict_len = dict.len();
        let mut out = Vec::with_capacity(dict_len + self.resident);
        out.extend_from_slice(&dict);
        for p in &self.pages {
            out.extend_from_slice(p);
        }
        let compressed = self.compressed + dict_len as u64;
        let uncompressed = self.uncompressed + uncompressed as u64;
        let data_pages = self.page_rows.len() as i32;
        let mut stats = vec![PageEncodingStats {
            page_type: PageType::DICTIONARY_PAGE,
            encoding: Encoding::PLAIN,
            count: 1,
        }];
        if data_pages > 0 {
            stats.push(PageEncodingStats {
                page_type: PageType::DATA_PAGE,
                encoding: Encoding::RLE_DICTIONARY,
                count: data_pages,
            });
        }
        let encodings = [Encoding::PLAIN, Encoding::RLE, Encoding::RLE_DICTIONARY];
        let mut meta = ColumnChunkMetaData::builder(self.spec.descr.clone())
            .set_compression(self.spec.compression)
            .set_encodings_mask(EncodingMask::new_from_encodings(encodings.iter()))
            .set_page_encoding_stats(stats)
            .set_total_compressed_size(compressed as i64)
            .set_total_uncompressed_size(uncompressed as i64)
            .set_num_values(self.rows as i64)
            .set_data_page_offset(dict_len as i64)
            .set_dictionary_page_offset(Some(0));
        let mut column_index = None;
        if self.spec.statistics {
            let mut index = ColumnIndexBuilder::new(Type::BYTE_ARRAY);
            let (mut ascending, mut descending) = (true, true);
            let mut last: Option<(u32, u32)> = None;
            for &(l, m) in &self.ranks {
                if let Some((pl, pm)) = last {
                    ascending &= !(pl > l || pm > m);
                    descending &= !(l > pl || m > pm);
                }
                last = Some((l, m));
                index.append(
                    false,
                    self.ranked(l).to_vec(),
                    self.ranked(m).to_vec(),
                    0,
                    None,
                );
            }
            index.set_boundary_order(match (ascending, descending) {
                (true, _) => BoundaryOrder::ASCENDING,
                (false, true) => BoundaryOrder::DESCENDING,
                (false, false) => BoundaryOrder::UNORDERED,
            });
            column_index = Some(index.build().map_err(e)?);
            let least = self.ranks.iter().map(|r| r.0).min();
            let most = self.ranks.iter().map(|r| r.1).max();
            let bound = |r: Option<u32>| r.map(|r| ByteArray::from(self.ranked(r).to_vec()));
            let statistics = ValueStatistics::new(bound(least), bound(most), None, Some(0), false)
                .with_max_is_exact(true)
                .with_min_is_exact(true);
            meta = meta
                .set_statistics(Statistics::ByteArray(statistics))
                .set_unencoded_byte_array_data_bytes(Some(self.page_bytes.iter().sum()));
        }
        let mut offsets = OffsetIndexBuilder::new();
        for ((&(at, size), &rows), &bytes) in self
            .locations
            .iter()
            .zip(&self.page_rows)
            .zip(&self.page_bytes)
        {
            offsets.append_row_count(rows);
            offsets.append_unencoded_byte_array_data_bytes(Some(bytes));
            offsets.append_offset_and_size((dict_len + at) as i64, size);
        }
        let close = ColumnCloseResult {
            bytes_written: compressed,
            rows_written: self.rows,
            metadata: meta.build().map_err(e)?,
            bloom_filter: None,
            column_index,
            offset_index: Some(offsets.build()),
        };
        Ok((Bytes::from(out), close))
    }
}
