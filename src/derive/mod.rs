//! `xxgk derive OUT`: what is computed from the published datasets rather
//! than read from one report — the yearly comparison, per-report metrics and
//! the checks between a body's consecutive years.
//!
//! It takes the datasets under `OUT/` (every part file, whatever the shards)
//! and the `[derive]` config, and gives `yearly_comparison` and `metrics`
//! (one file per year, written by the sink's writer) plus cross-year
//! findings in `findings/{year}-derived.parquet`, all staged and then
//! published in place.
//!
//! Memory is bounded, whatever the corpus: `spill` writes each report and
//! cell once into the bucket of its body, and the stage then holds one
//! bucket's reports and two years of its cells at a time. Each derived
//! dataset is a function of one bucket (`comparison`, `metrics`,
//! `cross_year`); this module names their rows and writes them, buckets in
//! order, so the files are the same whatever the number of buckets. `sql`
//! writes the same computation as a DuckDB or Spark SQL script
//! (`--emit-sql`), from the same config and keys.

mod bodies;
mod comparison;
pub mod config;
mod cross_year;
pub mod keys;
mod metrics;
pub(crate) mod read;
mod spill;
pub mod sql;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use indicatif::ProgressBar;

use crate::publish;
use crate::settings::Settings;
use crate::sink::layout;
use crate::sink::schema::{self, V};
use crate::sink::{Partitioned, Shard};
use keys::Keys;
use spill::{Cells, Reports};

type Error = String;

/// The datasets the derive stage writes.
pub const DATASETS: [&str; 2] = ["yearly_comparison", "metrics"];

const STAGING: &str = ".xxgk-staging-derive";
const SPILL: &str = ".xxgk-derive-spill";

/// What a derive run wrote.
#[derive(Debug, Default, Clone)]
pub struct Derived {
    pub rows: BTreeMap<String, u64>,
    pub findings: BTreeMap<String, u64>,
    /// Buckets of bodies held one at a time.
    pub buckets: u64,
}

/// Runs the derive stage over the published datasets in `out` (after a
/// sharded run) and publishes what it wrote.
pub fn run(out: &Path, settings: &Settings, bar: &ProgressBar) -> Result<Derived, Error> {
    let staging = out.join(STAGING);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let result = compute(out, settings, bar, &staging).and_then(|derived| {
        bar.set_message("publishing");
        publish_derived(out, &staging)?;
        Ok(derived)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Runs the derive stage inside an ingest's staging folder, before the
/// ingest publishes: its datasets and findings files are then published with
/// the ingest's, in one step each.
pub fn run_staged(
    staging: &Path,
    settings: &Settings,
    bar: &ProgressBar,
) -> Result<Derived, Error> {
    compute(staging, settings, bar, staging)
}

/// The names of a key: table, row, column, their labels, and the unit.
struct Names<'k>(Vec<[&'k str; 7]>);

impl<'k> Names<'k> {
    fn new(keys: &'k Keys) -> Names<'k> {
        Names(
            keys.list
                .iter()
                .map(|k| {
                    let l = keys.labels.get(&(k.0.clone(), k.1.clone(), k.2.clone()));
                    let label = |i: usize| l.map_or("", |l| l[i].as_str());
                    let unit = if k.3 { "yuan" } else { "count" };
                    [&k.0, &k.1, &k.2, label(0), label(1), label(2), unit]
                })
                .collect(),
        )
    }

    fn of(&self, kid: u32) -> Result<&[&'k str; 7], Error> {
        self.0
            .get(kid as usize)
            .ok_or_else(|| format!("derive: key number {kid} out of range"))
    }
}

/// The three outputs, open.
struct Writers {
    comparison: Partitioned,
    metrics: Partitioned,
    findings: Partitioned,
}

fn write_comparison(
    w: &mut Partitioned,
    reports: &[spill::Rep],
    rows: &[comparison::Row],
    year: i32,
    names: &Names,
) -> Result<(), Error> {
    for row in rows {
        let (Some(c), Some(p)) = (
            reports.get(row.cur as usize),
            reports.get(row.prior as usize),
        ) else {
            return Err("derive: a comparison row without its reports".into());
        };
        let [t, r, col, tl, rl, cl, unit] = *names.of(row.kid)?;
        let delta = match (row.value, row.prior_value) {
            (Some(v), Some(p)) => v.checked_sub(p),
            _ => None,
        };
        w.push(
            Some(year),
            &[
                V::S(c.org_key.as_deref()),
                V::I32(Some(year)),
                V::I32(year.checked_sub(1)),
                V::S(Some(t)),
                V::S(Some(r)),
                V::S(Some(col)),
                V::S(Some(tl)),
                V::S(Some(rl)),
                V::S(Some(cl)),
                V::S(Some(unit)),
                V::D(row.value),
                V::D(row.prior_value),
                V::D(delta),
                V::F64(comparison::pct_change(row.value, row.prior_value)),
                V::S(c.org_name.as_deref()),
                V::S(Some(&c.report_id)),
                V::S(Some(&p.report_id)),
                V::S(Some(&c.template)),
                V::S(Some(&p.template)),
                V::B(Some(c.errors > 0 || p.errors > 0)),
            ],
        )?;
    }
    Ok(())
}

fn write_metrics(
    w: &mut Partitioned,
    reports: &[spill::Rep],
    rows: &[metrics::Row],
    defs: &metrics::Metrics,
) -> Result<(), Error> {
    for row in rows {
        let (Some(r), Some(m)) = (
            reports.get(row.report as usize),
            defs.0.get(row.metric as usize),
        ) else {
            return Err("derive: a metric row without its report".into());
        };
        w.push(
            r.year,
            &[
                V::S(Some(&r.report_id)),
                V::I32(r.year),
                V::S(r.org_key.as_deref()),
                V::S(r.org_name.as_deref()),
                V::S(Some(&r.template)),
                V::S(Some(&r.source_path)),
                V::S(Some(&m.key)),
                V::S(Some(&m.label)),
                V::I64(row.numerator),
                V::I64(row.denominator),
                V::F64(row.value),
                V::B(Some(r.errors > 0)),
            ],
        )?;
    }
    Ok(())
}

fn write_findings(
    w: &mut Partitioned,
    reports: &[spill::Rep],
    found: &[cross_year::Finding],
    derived: &mut Derived,
) -> Result<(), Error> {
    for f in found {
        let Some(r) = reports.get(f.report as usize) else {
            return Err("derive: a finding without its report".into());
        };
        w.push(
            r.year,
            &[
                V::S(Some(&r.report_id)),
                V::S(Some(&r.source_path)),
                V::I32(r.year),
                V::S(Some("warning")),
                V::S(Some(&f.code)),
                V::S(Some(&f.table)),
                V::S(f.row.as_deref()),
                V::S(f.col.as_deref()),
                V::I32(None),
                V::S(Some(&f.message)),
            ],
        )?;
        *derived.findings.entry(f.code.clone()).or_default() += 1;
    }
    Ok(())
}

/// One year's rows of a bucket.
struct YearRows {
    year: Option<i32>,
    metrics: Vec<metrics::Row>,
    comparison: Vec<comparison::Row>,
    findings: Vec<cross_year::Finding>,
}

/// What the computing thread hands the writer: a year's rows of a bucket
/// with the reports they point into, or the end of a year (its files are
/// complete).
///
/// The channel holds nothing: a hand-over waits for the writer to take it.
/// So a bucket's end is the writer's to count once its rows are written; a
/// second message for it would keep the computing thread waiting until they
/// were, and the two threads would take turns instead of working at once.
enum Handed {
    Rows(Arc<Vec<spill::Rep>>, YearRows),
    YearDone(Option<i32>),
}

/// The rows of `year` in bucket `b`: the bucket's reports and cells of
/// that year and the year before are all that is in memory.
fn compute_bucket(
    plan: &spill::Plan,
    year: Option<i32>,
    b: usize,
    sums: &comparison::Sums,
    metric_defs: &metrics::Metrics,
    checks: &cross_year::Checks,
) -> Result<Handed, Error> {
    // The year before, when the datasets have it.
    let before = year
        .and_then(|y| y.checked_sub(1))
        .filter(|p| plan.years.contains(&Some(*p)));
    let years: Vec<Option<i32>> = match before {
        Some(p) => vec![Some(p), year],
        None => vec![year],
    };
    let reports = Reports::load(plan, &years, b)?;
    let list = &reports.list;
    let cells = Cells::load(plan, year, b, &reports)?;
    let mut rows = YearRows {
        year,
        metrics: metrics::rows(list, year, &cells, metric_defs),
        comparison: Vec::new(),
        findings: Vec::new(),
    };
    if let (Some(y), Some(p)) = (year, before) {
        let prior = Cells::load(plan, Some(p), b, &reports)?;
        let pairs = bodies::pairs(list, y);
        rows.comparison = comparison::rows(list, &pairs, &cells, &prior, sums);
        rows.findings = cross_year::findings(list, &pairs, &cells, &prior, checks);
    }
    Ok(Handed::Rows(Arc::new(reports.list), rows))
}

/// Reads the datasets under `src` and writes the derived ones under `dst`
/// (which may be `src`); gives the counts.
fn compute(
    src: &Path,
    settings: &Settings,
    bar: &ProgressBar,
    dst: &Path,
) -> Result<Derived, Error> {
    let keys = Keys::new(settings);
    let names = Names::new(&keys);
    let sums = comparison::Sums::new(settings, &keys);
    let metric_defs = metrics::Metrics::new(settings, &keys)?;
    let checks = cross_year::Checks::new(settings, &keys)?;
    let spill_dir = dst.join(SPILL);
    let result = (|| {
        // A stage killed before it ended leaves its buckets: never read one
        // of another run.
        if spill_dir.exists() {
            std::fs::remove_dir_all(&spill_dir)
                .map_err(|e| format!("{}: {e}", spill_dir.display()))?;
        }
        crate::progress::phase(bar, "derive", 0);
        bar.set_message("bucketing");
        let mut tick = || bar.inc(1);
        let plan = spill::partition(
            src,
            &keys,
            settings.derive.bucket_cells,
            &spill_dir,
            &mut tick,
        )?;
        bar.set_length(bar.position() + (plan.buckets() * plan.years.len()) as u64);
        bar.set_message(format!("{} buckets", plan.buckets()));
        let whole = Shard::WHOLE.tag();
        let mut w = Writers {
            comparison: Partitioned::new(DATASETS[0], dst, schema::yearly_comparison, &whole)?,
            metrics: Partitioned::new(DATASETS[1], dst, schema::metrics, &whole)?,
            findings: Partitioned::new("findings", dst, schema::findings, layout::DERIVED)?
                .without_empty_file(),
        };
        let mut derived = Derived {
            buckets: plan.buckets() as u64,
            ..Derived::default()
        };
        // One thread computes a bucket while another names and writes the
        // one before: a bucket's rows are all it hands over.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Handed>(0);
        std::thread::scope(|s| -> Result<(), Error> {
            let writer = s.spawn(|| -> Result<(), Error> {
                for handed in rx {
                    match handed {
                        Handed::Rows(list, y) => {
                            write_metrics(&mut w.metrics, &list, &y.metrics, &metric_defs)?;
                            if let Some(year) = y.year {
                                write_comparison(
                                    &mut w.comparison,
                                    &list,
                                    &y.comparison,
                                    year,
                                    &names,
                                )?;
                            }
                            write_findings(&mut w.findings, &list, &y.findings, &mut derived)?;
                            // The bucket's rows and reports, freed, go back
                            // to the OS before the next bucket's arrive.
                            drop((list, y));
                            crate::memory::trim();
                            bar.inc(1);
                        }
                        // One year's files open at a time: their row
                        // groups are most of the stage's memory.
                        Handed::YearDone(year) => {
                            w.metrics.close_year(year)?;
                            w.comparison.close_year(year)?;
                            w.findings.close_year(year)?;
                        }
                    }
                }
                Ok(())
            });
            let computed = (|| -> Result<(), Error> {
                // A failed send: the writer stopped, and its error says why.
                for &year in &plan.years {
                    for b in 0..plan.buckets() {
                        let rows = compute_bucket(&plan, year, b, &sums, &metric_defs, &checks)?;
                        if tx.send(rows).is_err() {
                            return Ok(());
                        }
                    }
                    if tx.send(Handed::YearDone(year)).is_err() {
                        return Ok(());
                    }
                }
                Ok(())
            })();
            drop(tx);
            let written = writer
                .join()
                .map_err(|_| "derive: the writer thread panicked".to_string())?;
            computed.and(written)
        })?;
        let n = derived.findings.values().sum();
        derived
            .rows
            .insert(DATASETS[0].into(), w.comparison.close()?);
        derived.rows.insert(DATASETS[1].into(), w.metrics.close()?);
        w.findings.close()?;
        derived.rows.insert("findings (derived)".into(), n);
        Ok(derived)
    })();
    let _ = std::fs::remove_dir_all(&spill_dir);
    result
}

fn publish_derived(out: &Path, staging: &Path) -> Result<(), Error> {
    for name in DATASETS {
        publish::swap_in(&staging.join(name), &out.join(name))?;
    }
    publish::replace_tagged(
        &staging.join("findings"),
        &out.join("findings"),
        layout::DERIVED,
    )?;
    std::fs::remove_dir_all(staging).map_err(|e| format!("{}: {e}", staging.display()))
}
