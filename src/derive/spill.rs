//! Bounded memory: every report and every cell is written once into the
//! bucket of its body, and the derive stage then holds one bucket at a time.
//!
//! Buckets are ranges of the body key (`org_key`; a report without one is
//! keyed by its path, after every body), cut at quantiles of a fixed-size
//! sample of the keys. So a body's reports share a bucket, buckets in order
//! are bodies in order, and the output is the same whatever the number of
//! buckets, which follows the corpus: the two largest consecutive years'
//! cells over `[derive] bucket_cells`.
//!
//! A cell names its report by `report_id`; the datasets of one writer hold a
//! year's reports and their cells in the same order (the sink writes a
//! report and then its cells), so cells are matched to reports by walking
//! both files side by side, without a map of every report.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use arrow_array::{Array, RecordBatch};
use rayon::prelude::*;

use super::keys::Keys;
use super::read::{self, Batches, Files, CELL_DATASETS};
use crate::sink::fnv1a;

type Error = String;

/// Values are compared at this decimal scale (`yearly_comparison.value`).
pub const SCALE: u32 = 4;
const ONE: i128 = 10_i128.pow(SCALE);
/// Keys sampled per bucket to cut the ranges.
const SAMPLE_PER_BUCKET: usize = 64;
/// At most this many buckets: each has an open spill file while a year is
/// routed.
const MAX_BUCKETS: usize = 1024;
const SPILL_BUFFER: usize = 32 * 1024;

/// A report as the derive stage needs it.
#[derive(Debug, Clone)]
pub struct Rep {
    /// Its number in the order the datasets list reports.
    pub rno: u32,
    pub report_id: String,
    pub source_path: String,
    pub year: Option<i32>,
    pub template: String,
    pub org_key: Option<String>,
    pub org_name: Option<String>,
    pub status: String,
    /// Findings of severity error: its own checks failed.
    pub errors: i32,
}

/// A cell: its report (index into the bucket's reports), key number and
/// value at `SCALE` (null: blank or unreadable).
#[derive(Debug, Clone, Copy)]
pub struct Cell {
    /// The value; meaningless when `blank`. Not an `Option<i128>`, which
    /// takes 32 bytes: a cell is 32 bytes instead of 48.
    number: i128,
    pub report: u32,
    pub kid: u32,
    blank: bool,
}

impl Cell {
    pub fn new(report: u32, kid: u32, value: Option<i128>) -> Cell {
        Cell {
            number: value.unwrap_or(0),
            report,
            kid,
            blank: value.is_none(),
        }
    }

    pub fn value(&self) -> Option<i128> {
        (!self.blank).then_some(self.number)
    }
}

/// Where bucket boundaries sort a report: bodies first, by key, then the
/// reports without a body, by path.
fn sort_key<'a>(org: Option<&'a str>, path: &'a str) -> (u8, &'a str) {
    match org {
        Some(k) => (0, k),
        None => (1, path),
    }
}

/// The buckets of a derive run and their spill files.
pub struct Plan {
    dir: PathBuf,
    bounds: Vec<(u8, String)>,
    /// Every year with reports, in order (`None`, the unknown year, first).
    pub years: Vec<Option<i32>>,
}

impl Plan {
    pub fn buckets(&self) -> usize {
        self.bounds.len() + 1
    }

    fn bucket(&self, org: Option<&str>, path: &str) -> usize {
        let k = sort_key(org, path);
        self.bounds.partition_point(|b| (b.0, b.1.as_str()) <= k)
    }

    fn file(&self, what: &str, year: Option<i32>, b: usize) -> PathBuf {
        let y = year.map_or("unknown".to_string(), |y| y.to_string());
        self.dir.join(format!("{what}-{y}-{b:05}.bin"))
    }
}

/// The reports' columns the derive stage reads.
const REPORT_COLUMNS: [&str; 8] = [
    "report_id",
    "source_path",
    "year",
    "template",
    "org_key",
    "org_name",
    "status",
    "errors",
];

/// Writes every report and cell of the datasets under `src` into bucket
/// files under `dir`; gives the plan to read them back.
pub fn partition(
    src: &Path,
    keys: &Keys,
    bucket_cells: u64,
    dir: &Path,
    tick: &mut dyn FnMut(),
) -> Result<Plan, Error> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let reports = read::files(&src.join("reports"))?;
    let mut cells: Vec<(&str, Files)> = Vec::new();
    for name in CELL_DATASETS {
        let f = read::files(&src.join(name))?;
        for key in f.keys() {
            if !reports.contains_key(key) {
                return Err(format!(
                    "{}: no reports file of the same year and writer beside it",
                    f[key].display()
                ));
            }
        }
        cells.push((name, f));
    }
    let mut per_year: BTreeMap<Option<i32>, u64> = BTreeMap::new();
    for (_, files) in &cells {
        for ((year, _), path) in files {
            *per_year.entry(*year).or_default() += read::rows(path)?;
        }
    }
    let mut years: BTreeSet<Option<i32>> = reports.keys().map(|(y, _)| *y).collect();
    years.extend(per_year.keys().copied());
    let pair = per_year
        .iter()
        .map(|(y, n)| {
            let before = y
                .and_then(|y| y.checked_sub(1))
                .and_then(|p| per_year.get(&Some(p)))
                .unwrap_or(&0);
            n + before
        })
        .max()
        .unwrap_or(0);
    let wanted = pair
        .div_ceil(bucket_cells.max(1))
        .clamp(1, MAX_BUCKETS as u64) as usize;
    let bounds = if wanted > 1 {
        sample_bounds(&reports, wanted)?
    } else {
        Vec::new()
    };
    let plan = Plan {
        dir: dir.to_path_buf(),
        bounds,
        years: years.into_iter().collect(),
    };
    let bases = route_reports(&plan, &reports)?;
    tick();
    let index = KidIndex::new(keys);
    let mut year_groups: BTreeMap<Option<i32>, Vec<(&String, u32)>> = BTreeMap::new();
    for ((year, tag), base) in &bases {
        year_groups.entry(*year).or_default().push((tag, *base));
    }
    // Years go to their own files: route them in parallel.
    let groups: Vec<_> = year_groups.into_iter().collect();
    groups
        .into_par_iter()
        .map(|(year, groups)| {
            let mut index = index.clone();
            let mut out = SpillFiles::new(&plan, "cells", year);
            for (tag, base) in groups {
                let key = (year, tag.clone());
                let Some(report_file) = reports.get(&key) else {
                    continue;
                };
                for (name, files) in &cells {
                    if let Some(path) = files.get(&key) {
                        route_cells(&plan, name, path, report_file, base, &mut index, &mut out)?;
                    }
                }
            }
            out.finish()
        })
        .collect::<Result<Vec<()>, Error>>()?;
    tick();
    Ok(plan)
}

/// Bucket boundaries: the keys of the reports whose key hashes lowest
/// (a sample that does not depend on file order), sorted and cut into
/// `buckets` ranges.
fn sample_bounds(reports: &Files, buckets: usize) -> Result<Vec<(u8, String)>, Error> {
    let size = buckets * SAMPLE_PER_BUCKET;
    let mut sample: BTreeMap<(u64, (u8, String)), ()> = BTreeMap::new();
    for path in reports.values() {
        let mut b = Batches::open(path, &["org_key", "source_path"])?;
        while let Some(batch) = b.next_batch()? {
            let orgs = read::strings(&batch, "org_key", &b.path)?;
            let paths = read::strings(&batch, "source_path", &b.path)?;
            for i in 0..batch.num_rows() {
                let org = (!orgs.is_null(i)).then(|| orgs.value(i));
                let (tag, k) = sort_key(org, paths.value(i));
                let h = fnv1a(k.as_bytes()) ^ u64::from(tag);
                if sample.len() >= size {
                    match sample.keys().next_back() {
                        Some((top, _)) if *top > h => {}
                        _ => continue,
                    }
                }
                sample.insert((h, (tag, k.to_string())), ());
                if sample.len() > size {
                    sample.pop_last();
                }
            }
        }
    }
    let mut keys: Vec<(u8, String)> = sample.into_keys().map(|(_, k)| k).collect();
    keys.sort();
    keys.dedup();
    let mut bounds: Vec<(u8, String)> = (1..buckets)
        .filter_map(|i| keys.get(i * keys.len() / buckets).cloned())
        .collect();
    bounds.dedup();
    Ok(bounds)
}

fn put_str(w: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            w.extend_from_slice(&(s.len() as u32).to_le_bytes());
            w.extend_from_slice(s.as_bytes());
        }
        None => w.extend_from_slice(&u32::MAX.to_le_bytes()),
    }
}

/// Writes each report into the file of its year and bucket; gives each
/// dataset file's first report number.
fn route_reports(
    plan: &Plan,
    reports: &Files,
) -> Result<BTreeMap<(Option<i32>, String), u32>, Error> {
    let mut open: Option<SpillFiles> = None;
    let mut bases = BTreeMap::new();
    let mut rno: u32 = 0;
    let mut rec = Vec::new();
    for (key, path) in reports {
        // Files come by year: one year's bucket files are open at a time.
        if open.as_ref().is_none_or(|o| o.year != key.0) {
            if let Some(files) = open.take() {
                files.finish()?;
            }
            open = Some(SpillFiles::new(plan, "reports", key.0));
        }
        let Some(out) = open.as_mut() else {
            return Err("derive: no open reports file".into());
        };
        bases.insert(key.clone(), rno);
        let mut b = Batches::open(path, &REPORT_COLUMNS)?;
        while let Some(batch) = b.next_batch()? {
            let p = &b.path;
            let ids = read::strings(&batch, "report_id", p)?;
            let paths = read::strings(&batch, "source_path", p)?;
            let years = read::int32s(&batch, "year", p)?;
            let templates = read::strings(&batch, "template", p)?;
            let orgs = read::strings(&batch, "org_key", p)?;
            let names = read::strings(&batch, "org_name", p)?;
            let status = read::strings(&batch, "status", p)?;
            let errors = read::int32s(&batch, "errors", p)?;
            for i in 0..batch.num_rows() {
                let org = (!orgs.is_null(i)).then(|| orgs.value(i));
                let bucket = plan.bucket(org, paths.value(i));
                rec.clear();
                rec.extend_from_slice(&rno.to_le_bytes());
                let year = (!years.is_null(i)).then(|| years.value(i));
                rec.push(u8::from(year.is_some()));
                rec.extend_from_slice(&year.unwrap_or(0).to_le_bytes());
                let errs = if errors.is_null(i) {
                    0
                } else {
                    errors.value(i)
                };
                rec.extend_from_slice(&errs.to_le_bytes());
                for a in [ids, paths, templates, status] {
                    put_str(&mut rec, (!a.is_null(i)).then(|| a.value(i)));
                }
                put_str(&mut rec, org);
                put_str(&mut rec, (!names.is_null(i)).then(|| names.value(i)));
                out.write(bucket, &rec)?;
                rno = rno
                    .checked_add(1)
                    .ok_or("derive: more than 4 billion reports")?;
            }
        }
    }
    if let Some(files) = open {
        files.finish()?;
    }
    Ok(bases)
}

/// Cell keys as `table\x1frow\x1fcol` → key number, looked up without
/// allocating.
#[derive(Clone)]
struct KidIndex {
    map: HashMap<String, u32>,
    buf: String,
}

impl KidIndex {
    fn new(keys: &Keys) -> KidIndex {
        let map = keys
            .list
            .iter()
            .enumerate()
            .map(|(i, (t, r, c, _))| (format!("{t}\x1f{r}\x1f{c}"), i as u32))
            .collect();
        KidIndex {
            map,
            buf: String::new(),
        }
    }

    fn kid(&mut self, t: &str, r: &str, c: &str) -> Result<u32, Error> {
        self.buf.clear();
        for (i, part) in [t, r, c].iter().enumerate() {
            if i > 0 {
                self.buf.push('\x1f');
            }
            self.buf.push_str(part);
        }
        self.map.get(self.buf.as_str()).copied().ok_or_else(|| {
            format!(
                "derive: the datasets hold a cell {t}.{r}.{c} that no template of this config \
                 defines; run derive with the config the ingest used"
            )
        })
    }
}

/// One year's bucket files of reports or cells, each opened when its
/// first record comes.
struct SpillFiles<'p> {
    plan: &'p Plan,
    what: &'static str,
    year: Option<i32>,
    open: Vec<Option<(BufWriter<File>, PathBuf)>>,
    rec: Vec<u8>,
}

impl<'p> SpillFiles<'p> {
    fn new(plan: &'p Plan, what: &'static str, year: Option<i32>) -> SpillFiles<'p> {
        SpillFiles {
            plan,
            what,
            year,
            open: (0..plan.buckets()).map(|_| None).collect(),
            rec: Vec::with_capacity(32),
        }
    }

    /// Appends a record to the file of `bucket`.
    fn write(&mut self, bucket: usize, record: &[u8]) -> Result<(), Error> {
        let slot = self
            .open
            .get_mut(bucket)
            .ok_or("derive: a bucket out of range")?;
        if slot.is_none() {
            let path = self.plan.file(self.what, self.year, bucket);
            let f = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            *slot = Some((BufWriter::with_capacity(SPILL_BUFFER, f), path));
        }
        let Some((w, path)) = slot.as_mut() else {
            return Err("derive: a spill file vanished".into());
        };
        w.write_all(record)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Appends a cell to the file of `bucket`.
    fn push(
        &mut self,
        bucket: usize,
        rno: u32,
        kid: u32,
        value: Option<i128>,
    ) -> Result<(), Error> {
        let mut r = std::mem::take(&mut self.rec);
        r.clear();
        r.extend_from_slice(&rno.to_le_bytes());
        r.extend_from_slice(&kid.to_le_bytes());
        match value {
            None => r.push(0),
            Some(v) => match i64::try_from(v) {
                Ok(small) => {
                    r.push(1);
                    r.extend_from_slice(&small.to_le_bytes());
                }
                Err(_) => {
                    r.push(2);
                    r.extend_from_slice(&v.to_le_bytes());
                }
            },
        }
        let written = self.write(bucket, &r);
        self.rec = r;
        written
    }

    fn finish(self) -> Result<(), Error> {
        for (mut w, path) in self.open.into_iter().flatten() {
            w.flush().map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// Walks a reports file beside a cells file of the same writer and year.
struct Cursor<'p> {
    plan: &'p Plan,
    batches: Batches,
    batch: Option<RecordBatch>,
    at: usize,
    rno: u32,
    /// The bucket of the report at `at`, once looked up.
    bucket: Option<usize>,
}

impl<'p> Cursor<'p> {
    fn new(plan: &'p Plan, path: &Path, base: u32) -> Result<Cursor<'p>, Error> {
        Ok(Cursor {
            plan,
            batches: Batches::open(path, &["report_id", "org_key", "source_path"])?,
            batch: None,
            at: 0,
            rno: base,
            bucket: None,
        })
    }

    /// The number and bucket of report `id`, at or after the current one.
    fn find(&mut self, id: &str) -> Result<Option<(u32, usize)>, Error> {
        loop {
            let len = self.batch.as_ref().map_or(0, RecordBatch::num_rows);
            if self.at >= len {
                match self.batches.next_batch()? {
                    Some(b) => {
                        self.batch = Some(b);
                        self.at = 0;
                        continue;
                    }
                    None => return Ok(None),
                }
            }
            let Some(batch) = self.batch.as_ref() else {
                return Ok(None);
            };
            let p = &self.batches.path;
            let ids = read::strings(batch, "report_id", p)?;
            if ids.value(self.at) == id {
                let bucket = match self.bucket {
                    Some(b) => b,
                    None => {
                        let orgs = read::strings(batch, "org_key", p)?;
                        let paths = read::strings(batch, "source_path", p)?;
                        let org = (!orgs.is_null(self.at)).then(|| orgs.value(self.at));
                        let b = self.plan.bucket(org, paths.value(self.at));
                        self.bucket = Some(b);
                        b
                    }
                };
                return Ok(Some((self.rno, bucket)));
            }
            self.at += 1;
            self.rno += 1;
            self.bucket = None;
        }
    }
}

/// A count as a value at `SCALE`.
fn count(v: i64) -> i128 {
    i128::from(v) * ONE
}

/// A decimal of `scale` at `SCALE`, if it converts exactly.
fn rescale(m: i128, scale: i8) -> Option<i128> {
    let s = i32::from(scale);
    let to = SCALE as i32;
    if s <= to {
        m.checked_mul(10_i128.checked_pow((to - s) as u32)?)
    } else {
        let d = 10_i128.checked_pow((s - to) as u32)?;
        (m % d == 0).then_some(m / d)
    }
}

fn route_cells(
    plan: &Plan,
    name: &str,
    path: &Path,
    reports: &Path,
    base: u32,
    index: &mut KidIndex,
    out: &mut SpillFiles,
) -> Result<(), Error> {
    let columns: &[&str] = match name {
        "procurement" => &["report_id", "item_key", "project_count", "amount_yuan"],
        "litigation" => &["report_id", "proceeding_key", "outcome_key", "value"],
        _ => &["report_id", "table_key", "row_key", "col_key", "value"],
    };
    let mut cursor = Cursor::new(plan, reports, base)?;
    let mut b = Batches::open(path, columns)?;
    let lost = |id: &str| {
        format!(
            "{}: report {id} is not in {} after the report before it: the datasets were \
             not written by one xxgk run",
            path.display(),
            reports.display()
        )
    };
    while let Some(batch) = b.next_batch()? {
        let p = &b.path;
        let ids = read::strings(&batch, "report_id", p)?;
        let mut place = |i: usize| cursor.find(ids.value(i))?.ok_or_else(|| lost(ids.value(i)));
        match name {
            "procurement" => {
                let items = read::strings(&batch, "item_key", p)?;
                let projects = read::int64s(&batch, "project_count", p)?;
                let (yuan, scale) = read::decimals(&batch, "amount_yuan", p)?;
                for i in 0..batch.num_rows() {
                    let (rno, bucket) = place(i)?;
                    let item = items.value(i);
                    if !projects.is_null(i) {
                        let kid = index.kid("procurement", item, "project_count")?;
                        out.push(bucket, rno, kid, Some(count(projects.value(i))))?;
                    }
                    let kid = index.kid("procurement", item, "amount_yuan")?;
                    let value = match yuan.is_null(i) {
                        true => None,
                        false => Some(rescale(yuan.value(i), scale).ok_or_else(|| {
                            format!("{}: amount_yuan at scale {scale}", p.display())
                        })?),
                    };
                    out.push(bucket, rno, kid, value)?;
                }
            }
            "litigation" => {
                let rows = read::strings(&batch, "proceeding_key", p)?;
                let cols = read::strings(&batch, "outcome_key", p)?;
                let values = read::int64s(&batch, "value", p)?;
                for i in 0..batch.num_rows() {
                    let (rno, bucket) = place(i)?;
                    let kid = index.kid("litigation", rows.value(i), cols.value(i))?;
                    let v = (!values.is_null(i)).then(|| count(values.value(i)));
                    out.push(bucket, rno, kid, v)?;
                }
            }
            _ => {
                let tables = read::strings(&batch, "table_key", p)?;
                let rows = read::strings(&batch, "row_key", p)?;
                let cols = read::strings(&batch, "col_key", p)?;
                let values = read::int64s(&batch, "value", p)?;
                for i in 0..batch.num_rows() {
                    let (rno, bucket) = place(i)?;
                    let kid = index.kid(tables.value(i), rows.value(i), cols.value(i))?;
                    let v = (!values.is_null(i)).then(|| count(values.value(i)));
                    out.push(bucket, rno, kid, v)?;
                }
            }
        }
    }
    Ok(())
}

fn open_spill(path: &Path) -> Result<Option<BufReader<File>>, Error> {
    match File::open(path) {
        Ok(f) => Ok(Some(BufReader::with_capacity(SPILL_BUFFER, f))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Reads exactly `buf.len()` bytes; false at a clean end of file.
fn read_exact_or_end(r: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<bool, Error> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(format!("{}: cut short", path.display())),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(true)
}

fn read_u32(r: &mut impl Read, path: &Path) -> Result<u32, Error> {
    let mut b = [0u8; 4];
    if !read_exact_or_end(r, &mut b, path)? {
        return Err(format!("{}: cut short", path.display()));
    }
    Ok(u32::from_le_bytes(b))
}

fn read_str(r: &mut impl Read, path: &Path) -> Result<Option<String>, Error> {
    let n = read_u32(r, path)?;
    if n == u32::MAX {
        return Ok(None);
    }
    let mut b = vec![0u8; n as usize];
    if !read_exact_or_end(r, &mut b, path)? && n > 0 {
        return Err(format!("{}: cut short", path.display()));
    }
    String::from_utf8(b)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Appends the reports of one spill file (none if there is no file).
fn read_reports(path: &Path, list: &mut Vec<Rep>) -> Result<(), Error> {
    let Some(mut r) = open_spill(path)? else {
        return Ok(());
    };
    let mut head = [0u8; 4];
    while read_exact_or_end(&mut r, &mut head, path)? {
        let rno = u32::from_le_bytes(head);
        let mut y = [0u8; 9];
        if !read_exact_or_end(&mut r, &mut y, path)? {
            return Err(format!("{}: cut short", path.display()));
        }
        let year = (y[0] == 1).then(|| i32::from_le_bytes([y[1], y[2], y[3], y[4]]));
        let errors = i32::from_le_bytes([y[5], y[6], y[7], y[8]]);
        let mut s = || -> Result<String, Error> { Ok(read_str(&mut r, path)?.unwrap_or_default()) };
        let (report_id, source_path, template, status) = (s()?, s()?, s()?, s()?);
        let org_key = read_str(&mut r, path)?;
        let org_name = read_str(&mut r, path)?;
        list.push(Rep {
            rno,
            report_id,
            source_path,
            year,
            template,
            org_key,
            org_name,
            status,
            errors,
        });
    }
    Ok(())
}

/// One bucket's reports, in output order (body key, then path), and the
/// report numbers → their index.
pub struct Reports {
    pub list: Vec<Rep>,
    by_rno: Vec<(u32, u32)>,
}

impl Reports {
    /// The reports of `years` in bucket `b`.
    pub fn load(plan: &Plan, years: &[Option<i32>], b: usize) -> Result<Reports, Error> {
        let mut list = Vec::new();
        for &year in years {
            let path = plan.file("reports", year, b);
            read_reports(&path, &mut list)?;
        }
        list.sort_by(|a, b| {
            sort_key(a.org_key.as_deref(), &a.source_path)
                .cmp(&sort_key(b.org_key.as_deref(), &b.source_path))
                .then_with(|| a.source_path.cmp(&b.source_path))
                .then_with(|| a.rno.cmp(&b.rno))
        });
        let mut by_rno: Vec<(u32, u32)> = list
            .iter()
            .enumerate()
            .map(|(i, r)| (r.rno, i as u32))
            .collect();
        by_rno.sort_unstable();
        Ok(Reports { list, by_rno })
    }

    fn index(&self, rno: u32) -> Option<u32> {
        self.by_rno
            .binary_search_by_key(&rno, |p| p.0)
            .ok()
            .and_then(|i| self.by_rno.get(i))
            .map(|p| p.1)
    }
}

/// One year's cells of a bucket, by report and key number.
pub struct Cells {
    list: Vec<Cell>,
    /// Where each report's cells start in `list` (one more entry than
    /// reports).
    start: Vec<u32>,
}

impl Cells {
    pub fn load(
        plan: &Plan,
        year: Option<i32>,
        b: usize,
        reports: &Reports,
    ) -> Result<Cells, Error> {
        let path = plan.file("cells", year, b);
        let mut list = Vec::new();
        // A report's cells come one after another: its index is looked up
        // once a run.
        let mut last: Option<(u32, u32)> = None;
        if let Some(mut r) = open_spill(&path)? {
            let mut head = [0u8; 9];
            while read_exact_or_end(&mut r, &mut head, &path)? {
                let rno = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
                let kid = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
                let value = match head[8] {
                    0 => None,
                    1 => {
                        let mut v = [0u8; 8];
                        if !read_exact_or_end(&mut r, &mut v, &path)? {
                            return Err(format!("{}: cut short", path.display()));
                        }
                        Some(i128::from(i64::from_le_bytes(v)))
                    }
                    _ => {
                        let mut v = [0u8; 16];
                        if !read_exact_or_end(&mut r, &mut v, &path)? {
                            return Err(format!("{}: cut short", path.display()));
                        }
                        Some(i128::from_le_bytes(v))
                    }
                };
                let report = match last {
                    Some((n, i)) if n == rno => i,
                    _ => reports.index(rno).ok_or_else(|| {
                        format!("{}: report {rno} not in its bucket", path.display())
                    })?,
                };
                last = Some((rno, report));
                list.push(Cell::new(report, kid, value));
            }
        }
        Ok(Cells::by_report(list, reports.list.len()))
    }

    /// Cells grouped by report (a counting sort: stable, linear), each
    /// report's by key number (stable: cells of one key keep the datasets'
    /// order).
    fn by_report(list: Vec<Cell>, reports: usize) -> Cells {
        let mut start = vec![0u32; reports + 1];
        for c in &list {
            if let Some(n) = start.get_mut(c.report as usize + 1) {
                *n += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let blank = Cell::new(0, 0, None);
        let mut sorted = vec![blank; list.len()];
        for c in list {
            if let Some(at) = next.get_mut(c.report as usize) {
                if let Some(slot) = sorted.get_mut(*at as usize) {
                    *slot = c;
                }
                *at += 1;
            }
        }
        for w in start.windows(2) {
            if let Some(cells) = sorted.get_mut(w[0] as usize..w[1] as usize) {
                cells.sort_by_key(|c| c.kid);
            }
        }
        Cells {
            list: sorted,
            start,
        }
    }

    /// The cells of report `report`, by key number.
    pub fn of(&self, report: u32) -> &[Cell] {
        let i = report as usize;
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&from), Some(&to)) => self.list.get(from as usize..to as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// A sum of signed count terms, each (a report's cells, the key number, its
/// sign), when `n` printed counts make it up (a term without a key counts
/// none): the rule of the metrics and of the cross-year checks.
pub fn signed_sum<'a>(
    terms: impl IntoIterator<Item = (&'a [Cell], Option<u32>, i64)>,
    n: usize,
) -> Option<i64> {
    let (mut total, mut present) = (0i64, 0usize);
    for (cells, kid, sign) in terms {
        let Some(kid) = kid else { continue };
        for c in with_kid(cells, kid) {
            if let Some(v) = c.value().and_then(|v| i64::try_from(v / ONE).ok()) {
                present += 1;
                total = total.wrapping_add(v.wrapping_mul(sign));
            }
        }
    }
    (present == n).then_some(total)
}

/// The cells of key `kid` among a report's cells (sorted by key).
pub fn with_kid(cells: &[Cell], kid: u32) -> &[Cell] {
    let from = cells.partition_point(|c| c.kid < kid);
    let to = cells.partition_point(|c| c.kid <= kid);
    cells.get(from..to).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_rescale_exactly_or_not_at_all() {
        assert_eq!(rescale(12345, 4), Some(12345));
        assert_eq!(rescale(12345, 2), Some(1234500));
        assert_eq!(rescale(1234500, 6), Some(12345));
        assert_eq!(rescale(1234501, 6), None);
        assert_eq!(rescale(i128::MAX, 0), None);
    }

    #[test]
    fn bodies_sort_before_reports_without_one() {
        assert!(sort_key(Some("zz"), "a") < sort_key(None, "a"));
        assert!(sort_key(Some("a"), "z") < sort_key(Some("b"), "a"));
    }
}
