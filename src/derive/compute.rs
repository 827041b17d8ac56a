//! The derive stage on polars: scans, joins, sums, and the writers.
//!
//! It reads the datasets' files by the year in their names and writes its
//! frames through the sink's one Parquet configuration (`sink::layout`),
//! converted to arrow-rs batches column by column, so the derived datasets
//! have the same string type, names and settings as the others.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use polars::prelude::*;

use super::config::{expression, Each, Term};
use super::keys::Keys;
use super::DATASETS;
use crate::publish;
use crate::settings::Settings;
use crate::sink::layout::{self, Holds};
use crate::sink::schema::{self, Rows, V};
use crate::sink::Shard;

type Error = String;

fn perr(what: &str, e: PolarsError) -> Error {
    format!("derive: {what}: {e}")
}

/// Yuan and counts compared as one exact type.
const VALUE: DataType = DataType::Decimal(38, 4);
const STAGING: &str = ".xxgk-staging-derive";

/// What a derive run wrote.
#[derive(Debug, Default, Clone)]
pub struct Derived {
    pub rows: BTreeMap<String, u64>,
    pub findings: BTreeMap<String, u64>,
}

/// The Parquet files of a dataset by year (`None`: the unknown year),
/// sorted, without zero-row files and the derive stage's own.
fn partitions(dir: &Path) -> Result<BTreeMap<Option<i32>, Vec<PathBuf>>, Error> {
    let mut by_year: BTreeMap<Option<i32>, Vec<PathBuf>> = BTreeMap::new();
    for (path, holds, tag) in layout::files(dir)? {
        if let Holds::Year(year) = holds {
            if tag != layout::DERIVED {
                by_year.entry(year).or_default().push(path);
            }
        }
    }
    Ok(by_year)
}

/// Files as one lazy frame; an empty one of the ingest's schema when none.
fn scan(paths: &[PathBuf], what: &str, empty: arrow_schema::Schema) -> Result<LazyFrame, Error> {
    if paths.is_empty() {
        let fields = empty.fields().iter().map(|f| {
            let dt = match f.data_type() {
                arrow_schema::DataType::Int32 => DataType::Int32,
                arrow_schema::DataType::Int64 => DataType::Int64,
                arrow_schema::DataType::Decimal128(p, s) => {
                    DataType::Decimal(*p as usize, *s as usize)
                }
                _ => DataType::String,
            };
            Field::new(f.name().as_str().into(), dt)
        });
        return Ok(DataFrame::empty_with_schema(&Schema::from_iter(fields)).lazy());
    }
    let mut sources = Vec::with_capacity(paths.len());
    for p in paths {
        sources.push(PlRefPath::try_from_path(p).map_err(|e| perr(what, e))?);
    }
    let args = ScanArgsParquet {
        hive_options: HiveOptions {
            enabled: Some(false),
            ..HiveOptions::default()
        },
        glob: false,
        ..ScanArgsParquet::default()
    };
    LazyFrame::scan_parquet_files(sources.into_iter().collect(), args).map_err(|e| perr(what, e))
}

/// A one-column string frame.
fn strings(name: &str, values: &[&str]) -> Result<LazyFrame, Error> {
    let c = Column::new(name.into(), values);
    DataFrame::new_infer_height(vec![c])
        .map(IntoLazy::lazy)
        .map_err(|e| perr(name, e))
}

/// kid, table_key, row_key, col_key, their labels, unit.
fn key_frame(keys: &Keys) -> Result<LazyFrame, Error> {
    let label = |i: usize| -> Vec<&str> {
        keys.list
            .iter()
            .map(|(t, r, c, _)| {
                keys.labels
                    .get(&(t.clone(), r.clone(), c.clone()))
                    .map_or("", |l| l[i].as_str())
            })
            .collect()
    };
    let part = |f: fn(&(String, String, String, bool)) -> &str| -> Vec<&str> {
        keys.list.iter().map(f).collect()
    };
    let kids: Vec<u32> = (0..keys.list.len() as u32).collect();
    let units: Vec<&str> = keys
        .list
        .iter()
        .map(|k| if k.3 { "yuan" } else { "count" })
        .collect();
    DataFrame::new_infer_height(vec![
        Column::new("kid".into(), kids),
        Column::new("table_key".into(), part(|k| &k.0)),
        Column::new("row_key".into(), part(|k| &k.1)),
        Column::new("col_key".into(), part(|k| &k.2)),
        Column::new("table_label".into(), label(0)),
        Column::new("row_label".into(), label(1)),
        Column::new("col_label".into(), label(2)),
        Column::new("unit".into(), units),
    ])
    .map(IntoLazy::lazy)
    .map_err(|e| perr("keys", e))
}

/// The inputs of one or two years, as lazy frames over collected data.
/// Reports are numbered (`rid`) and cell keys too (`kid`), so the cell
/// frames carry two 4-byte numbers instead of four strings.
struct Inputs {
    /// rid, oid, report_id, source_path, year, template, org_key,
    /// org_name, status: every report.
    reports: LazyFrame,
    /// rid, kid, value (Int64): every count.
    counts: LazyFrame,
    /// rid, kid, value (VALUE): every count and amount.
    values: LazyFrame,
    keys: LazyFrame,
}

/// Every report, numbered.
fn reports(out: &Path) -> Result<DataFrame, Error> {
    let files: Vec<PathBuf> = partitions(&out.join("reports"))?
        .into_values()
        .flatten()
        .collect();
    let every = scan(&files, "reports", schema::reports())?
        .select([
            col("report_id"),
            col("source_path"),
            col("year"),
            col("template"),
            col("org_key"),
            col("org_name"),
            col("status"),
            col("errors"),
        ])
        .sort(["source_path"], SortMultipleOptions::default())
        .with_row_index("rid", None);
    // Bodies numbered too (`oid`), for the joins across years.
    let orgs = every
        .clone()
        .select([col("org_key")])
        .filter(col("org_key").is_not_null())
        .unique_stable_generic(None, UniqueKeepStrategy::First)
        .sort(["org_key"], SortMultipleOptions::default())
        .with_row_index("oid", None);
    left(every, orgs, &["org_key"])
        .collect()
        .map_err(|e| perr("reports", e))
}

/// The cells of one year partition: rid, keys, unit, value (VALUE).
/// The value datasets' files by year partition, listed once per run.
struct CellFiles(BTreeMap<&'static str, BTreeMap<Option<i32>, Vec<PathBuf>>>);

impl CellFiles {
    fn list(out: &Path) -> Result<CellFiles, Error> {
        let names = ["disclosure_counts", "litigation", "procurement"];
        let mut all = BTreeMap::new();
        for n in names {
            all.insert(n, partitions(&out.join(n))?);
        }
        Ok(CellFiles(all))
    }

    fn of(&self, name: &str, year: Option<i32>) -> Vec<PathBuf> {
        self.0
            .get(name)
            .and_then(|by_year| by_year.get(&year))
            .cloned()
            .unwrap_or_default()
    }
}

fn year_cells(
    cell_files: &CellFiles,
    year: Option<i32>,
    ids: &LazyFrame,
    keys: LazyFrame,
) -> Result<DataFrame, Error> {
    let files = |name: &str| cell_files.of(name, year);
    let disclosure = scan(
        &files("disclosure_counts"),
        "disclosure_counts",
        schema::disclosure_counts(),
    )?
    .select([
        col("report_id"),
        col("table_key"),
        col("row_key"),
        col("col_key"),
        lit("count").alias("unit"),
        col("value").cast(VALUE),
    ]);
    let litigation = scan(&files("litigation"), "litigation", schema::litigation())?.select([
        col("report_id"),
        lit("litigation").alias("table_key"),
        col("proceeding_key").alias("row_key"),
        col("outcome_key").alias("col_key"),
        lit("count").alias("unit"),
        col("value").cast(VALUE),
    ]);
    let procurement = scan(&files("procurement"), "procurement", schema::procurement())?;
    let projects = procurement
        .clone()
        .filter(col("project_count").is_not_null())
        .select([
            col("report_id"),
            lit("procurement").alias("table_key"),
            col("item_key").alias("row_key"),
            lit("project_count").alias("col_key"),
            lit("count").alias("unit"),
            col("project_count").cast(VALUE).alias("value"),
        ]);
    let amounts = procurement.select([
        col("report_id"),
        lit("procurement").alias("table_key"),
        col("item_key").alias("row_key"),
        lit("amount_yuan").alias("col_key"),
        lit("yuan").alias("unit"),
        col("amount_yuan").cast(VALUE).alias("value"),
    ]);
    let all = concat(
        [disclosure, litigation, projects, amounts],
        UnionArgs::default(),
    )
    .map_err(|e| perr("cells", e))?;
    // Key strings → key number first, then report id → report number:
    // each join drops the strings it consumed.
    let keyed = left(
        all,
        keys.select([col("table_key"), col("row_key"), col("col_key"), col("kid")]),
        &["table_key", "row_key", "col_key"],
    )
    .collect()
    .map_err(|e| perr("cells", e))?;
    let unknown = keyed
        .clone()
        .lazy()
        .filter(col("kid").is_null())
        .select([col("table_key"), col("row_key"), col("col_key")])
        .limit(1)
        .collect()
        .map_err(|e| perr("cells", e))?;
    if unknown.height() > 0 {
        let k: Vec<String> = ["table_key", "row_key", "col_key"]
            .iter()
            .map(|c| column_str(&unknown, c).map(|v| v[0].clone().unwrap_or_default()))
            .collect::<Result<_, _>>()?;
        return Err(format!(
            "derive: the datasets hold a cell {} that no template of this config defines; \
             run derive with the config the ingest used",
            k.join(".")
        ));
    }
    let lean = keyed
        .lazy()
        .select([col("report_id"), col("kid"), col("value")])
        .collect()
        .map_err(|e| perr("cells", e))?;
    inner(lean.lazy(), ids.clone(), &["report_id"])
        .select([col("rid"), col("kid"), col("value")])
        .collect()
        .map_err(|e| perr("cells", e))
}

impl Inputs {
    fn new(reports: &DataFrame, keys: &LazyFrame, cells: &[&DataFrame]) -> Result<Inputs, Error> {
        let parts: Vec<LazyFrame> = cells.iter().map(|d| (*d).clone().lazy()).collect();
        let values = concat(parts, UnionArgs::default()).map_err(|e| perr("cells", e))?;
        let counts = inner(
            values.clone(),
            keys.clone()
                .filter(col("unit").eq(lit("count")))
                .select([col("kid")]),
            &["kid"],
        )
        .select([col("rid"), col("kid"), col("value").cast(DataType::Int64)]);
        Ok(Inputs {
            reports: reports.clone().lazy(),
            counts,
            values,
            keys: keys.clone(),
        })
    }
}

/// One report per body and year: `ok` before `partial`, then the first path.
fn chosen(reports: LazyFrame) -> LazyFrame {
    let status = col("status");
    reports
        .filter(
            status
                .clone()
                .eq(lit("ok"))
                .or(status.clone().eq(lit("partial")))
                .and(col("org_key").is_not_null())
                .and(col("year").is_not_null()),
        )
        .with_column(
            when(status.eq(lit("ok")))
                .then(lit(0i32))
                .otherwise(lit(1i32))
                .alias("rank"),
        )
        .sort(
            ["org_key", "year", "rank", "source_path"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .unique_stable_generic(
            Some(vec![col("org_key"), col("year")]),
            UniqueKeepStrategy::First,
        )
        .drop(cols(["rank"]))
}

fn inner(a: LazyFrame, b: LazyFrame, on: &[&str]) -> LazyFrame {
    let keys: Vec<Expr> = on.iter().map(|k| col(*k)).collect();
    a.join(b, keys.clone(), keys, JoinArgs::new(JoinType::Inner))
}

fn left(a: LazyFrame, b: LazyFrame, on: &[&str]) -> LazyFrame {
    let keys: Vec<Expr> = on.iter().map(|k| col(*k)).collect();
    a.join(b, keys.clone(), keys, JoinArgs::new(JoinType::Left))
}

/// The configured sums (`[[derive.sum]]`) as extra value cells.
fn sums(
    settings: &Settings,
    keys: &Keys,
    reports: &LazyFrame,
    counts: &LazyFrame,
) -> Result<Vec<LazyFrame>, Error> {
    let mut extra = Vec::new();
    for rule in &settings.derive.sum {
        // (component kid → target kid) for every column of the table.
        let (mut from, mut to) = (Vec::new(), Vec::new());
        for (t, r, c, _) in &keys.list {
            if *t == rule.table && rule.rows.contains(r) {
                if let Some(target) = keys.kid(t, &rule.into, c) {
                    from.push(keys.kid(t, r, c).unwrap_or(u32::MAX));
                    to.push(target);
                }
            }
        }
        let map = DataFrame::new_infer_height(vec![
            Column::new("kid".into(), from),
            Column::new("target".into(), to),
        ])
        .map_err(|e| perr("derive.sum", e))?
        .lazy();
        let of_template = reports
            .clone()
            .filter(col("template").eq(lit(rule.template.as_str())))
            .select([col("rid")]);
        let n = rule.rows.len() as u32;
        let summed = inner(inner(counts.clone(), of_template, &["rid"]), map, &["kid"])
            .group_by([col("rid"), col("target")])
            .agg([
                col("value").sum().alias("sum"),
                col("value").count().alias("present"),
            ])
            .select([
                col("rid"),
                col("target").alias("kid"),
                when(col("present").eq(lit(n)))
                    .then(col("sum"))
                    .otherwise(lit(NULL))
                    .cast(VALUE)
                    .alias("value"),
            ]);
        extra.push(summed);
    }
    Ok(extra)
}

fn comparison(
    settings: &Settings,
    keys: &Keys,
    i: &Inputs,
    chosen: &LazyFrame,
) -> Result<LazyFrame, Error> {
    let mut all = vec![i.values.clone()];
    all.extend(sums(settings, keys, &i.reports, &i.counts)?);
    let values = concat(all, UnionArgs::default()).map_err(|e| perr("sums", e))?;
    let cur = inner(
        chosen.clone().select([col("rid"), col("oid"), col("year")]),
        values,
        &["rid"],
    );
    let prior = cur.clone().select([
        col("oid"),
        (col("year") + lit(1i32))
            .cast(DataType::Int32)
            .alias("year"),
        col("year").alias("prior_year"),
        col("kid"),
        col("value").alias("prior_value"),
        col("rid").alias("prior_rid"),
    ]);
    // Sorted on the numbers, which are numbered in key order: the same order
    // as org_key, year, table_key, row_key, col_key.
    Ok(inner(cur, prior, &["oid", "year", "kid"]).sort(
        ["oid", "year", "kid"],
        SortMultipleOptions::default().with_maintain_order(true),
    ))
}

/// Comparison rows with their names, for a slice of the numbered rows; the
/// slice's order is kept.
fn named_comparison(numbered: LazyFrame, i: &Inputs) -> LazyFrame {
    let keep = |a: LazyFrame, b: LazyFrame, on: &str| {
        let mut args = JoinArgs::new(JoinType::Left);
        args.maintain_order = MaintainOrderJoin::Left;
        a.join(b, [col(on)], [col(on)], args)
    };
    let named = keep(
        keep(
            keep(
                numbered,
                i.reports.clone().select([
                    col("rid"),
                    col("org_key"),
                    col("report_id"),
                    col("org_name"),
                    col("template"),
                    col("errors"),
                ]),
                "rid",
            ),
            i.reports.clone().select([
                col("rid").alias("prior_rid"),
                col("report_id").alias("prior_report_id"),
                col("template").alias("prior_template"),
                col("errors").alias("prior_errors"),
            ]),
            "prior_rid",
        ),
        i.keys.clone(),
        "kid",
    );
    let prior_f = col("prior_value").cast(DataType::Float64);
    let delta = (col("value") - col("prior_value")).cast(VALUE);
    named.select([
        col("org_key"),
        col("year"),
        col("prior_year"),
        col("table_key"),
        col("row_key"),
        col("col_key"),
        col("table_label"),
        col("row_label"),
        col("col_label"),
        col("unit"),
        col("value"),
        col("prior_value"),
        delta.clone().alias("delta"),
        when(prior_f.clone().neq(lit(0.0)))
            .then(delta.cast(DataType::Float64) / prior_f * lit(100.0))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("pct_change"),
        col("org_name"),
        col("report_id"),
        col("prior_report_id"),
        col("template"),
        col("prior_template"),
        // Either year's report failed one of its own checks (an error
        // finding): its figures, and so this comparison, are in doubt.
        col("errors")
            .gt(lit(0i32))
            .or(col("prior_errors").gt(lit(0i32)))
            .alias("checks_failed"),
    ])
}

/// Rows named and written at a time: the comparison's output is as large
/// as its input, and names are most of its bytes.
const NAMED_CHUNK: usize = 128 * 1024;

/// Writes one year's comparison into `dir/{year}-part-00000-of-00001.parquet`,
/// naming `NAMED_CHUNK` rows at a time; gives the rows written and an empty
/// frame of the output's schema.
fn write_comparison(
    numbered: &DataFrame,
    i: &Inputs,
    dir: &Path,
    year: Option<i32>,
) -> Result<(u64, DataFrame), Error> {
    let empty = named_comparison(numbered.clear().lazy(), i)
        .collect()
        .map_err(|e| perr("yearly_comparison", e))?;
    let rows = numbered.height();
    if rows == 0 {
        return Ok((0, empty));
    }
    let mut w = FrameWriter::create(dir, Holds::Year(year), &empty)?;
    let mut at = 0;
    while at < rows {
        let part = numbered.slice(at as i64, NAMED_CHUNK);
        at += part.height();
        let named = named_comparison(part.lazy(), i)
            .collect()
            .map_err(|e| perr(&w.what, e))?;
        w.write(&named)?;
    }
    w.close()?;
    Ok((rows as u64, empty))
}

/// A frame of signed terms: name, part, table_key, row_key, col_key, sign.
fn metric_terms(settings: &Settings, keys: &Keys) -> Result<(LazyFrame, LazyFrame), Error> {
    let (mut key, mut part, mut kid, mut sign) = (vec![], vec![], vec![], vec![]);
    let (mut mkey, mut mlabel, mut nn, mut nd) = (vec![], vec![], vec![], vec![]);
    for m in &settings.derive.metric {
        for (p, terms) in [("n", &m.numerator), ("d", &m.denominator)] {
            for text in terms {
                let term = Term::parse(text, 3, false)?;
                let (t, r, c) = (&term.parts[0], &term.parts[1], &term.parts[2]);
                let k = keys.kid(t, r, c).ok_or_else(|| {
                    format!(
                        "derive.metric {}: {text:?} names no cell of the templates",
                        m.key
                    )
                })?;
                key.push(m.key.clone());
                part.push(p);
                kid.push(k);
                sign.push(term.sign);
            }
        }
        mkey.push(m.key.clone());
        mlabel.push(m.label.clone());
        nn.push(m.numerator.len() as u32);
        nd.push(m.denominator.len() as u32);
    }
    let terms = DataFrame::new_infer_height(vec![
        Column::new("metric_key".into(), key),
        Column::new("part".into(), part),
        Column::new("kid".into(), kid),
        Column::new("sign".into(), sign),
    ])
    .map_err(|e| perr("metric terms", e))?;
    let defs = DataFrame::new_infer_height(vec![
        Column::new("metric_key".into(), mkey),
        Column::new("metric_label".into(), mlabel),
        Column::new("n_num".into(), nn),
        Column::new("n_den".into(), nd),
    ])
    .map_err(|e| perr("metrics", e))?;
    Ok((terms.lazy(), defs.lazy()))
}

fn metrics(
    settings: &Settings,
    keys: &Keys,
    i: &Inputs,
    year: Option<i32>,
) -> Result<LazyFrame, Error> {
    let (terms, defs) = metric_terms(settings, keys)?;
    let parts = inner(i.counts.clone(), terms, &["kid"])
        .group_by([col("rid"), col("metric_key"), col("part")])
        .agg([
            (col("value") * col("sign")).sum().alias("sum"),
            col("value").count().alias("present"),
        ]);
    let part = |p: &str, name: &str, present: &str| {
        parts.clone().filter(col("part").eq(lit(p))).select([
            col("rid"),
            col("metric_key"),
            col("sum").alias(name),
            col("present").alias(present),
        ])
    };
    let base = i
        .reports
        .clone()
        .filter(
            col("template")
                .neq(lit("none"))
                .and(col("status").neq(lit("duplicate")))
                .and(match year {
                    Some(y) => col("year").eq(lit(y)),
                    None => col("year").is_null(),
                }),
        )
        .select([
            col("rid"),
            col("report_id"),
            col("source_path"),
            col("year"),
            col("org_key"),
            col("org_name"),
            col("template"),
            col("errors").gt(lit(0i32)).alias("checks_failed"),
            lit(1i32).alias("one"),
        ]);
    let grid = inner(base, defs.with_column(lit(1i32).alias("one")), &["one"]);
    let with_parts = left(
        left(
            grid,
            part("n", "num", "num_present"),
            &["rid", "metric_key"],
        ),
        part("d", "den", "den_present"),
        &["rid", "metric_key"],
    );
    let num = when(col("num_present").eq(col("n_num")))
        .then(col("num"))
        .otherwise(lit(NULL).cast(DataType::Int64));
    let den = when(
        col("n_den")
            .gt(lit(0u32))
            .and(col("den_present").eq(col("n_den"))),
    )
    .then(col("den"))
    .otherwise(lit(NULL).cast(DataType::Int64));
    let value = when(col("n_den").eq(lit(0u32)))
        .then(col("numerator").cast(DataType::Float64))
        .otherwise(
            when(col("denominator").neq(lit(0i64)))
                .then(
                    col("numerator").cast(DataType::Float64)
                        / col("denominator").cast(DataType::Float64),
                )
                .otherwise(lit(NULL).cast(DataType::Float64)),
        );
    Ok(with_parts
        .with_columns([num.alias("numerator"), den.alias("denominator")])
        .with_column(value.alias("value"))
        .select([
            col("report_id"),
            col("year"),
            col("org_key"),
            col("org_name"),
            col("template"),
            col("source_path"),
            col("metric_key"),
            col("metric_label"),
            col("numerator"),
            col("denominator"),
            col("value"),
            col("checks_failed"),
        ])
        .sort(
            ["source_path", "report_id", "metric_key"],
            SortMultipleOptions::default().with_maintain_order(true),
        ))
}

/// A cross-year finding, before it is a row.
struct Finding {
    report_id: String,
    source_path: String,
    year: Option<i32>,
    code: String,
    table: String,
    row: Option<String>,
    col: Option<String>,
    message: String,
}

fn column_str(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, Error> {
    let c = df.column(name).map_err(|e| perr(name, e))?;
    let s = c.str().map_err(|e| perr(name, e))?;
    Ok(s.iter().map(|v| v.map(str::to_string)).collect())
}

fn column_i64(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, Error> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(|e| perr(name, e))?;
    let s = c.i64().map_err(|e| perr(name, e))?;
    Ok(s.iter().collect())
}

fn cross_year(settings: &Settings, i: &Inputs, chosen: &LazyFrame) -> Result<Vec<Finding>, Error> {
    let reports = chosen.clone().select([
        col("rid"),
        col("report_id"),
        col("source_path"),
        col("org_key"),
        col("year"),
        col("template"),
    ]);
    let prior_reports = reports.clone().select([
        col("org_key"),
        (col("year") + lit(1i32))
            .cast(DataType::Int32)
            .alias("year"),
        col("rid").alias("prior_rid"),
        col("source_path").alias("prior_path"),
        col("template").alias("prior_template"),
    ]);
    let pairs = inner(reports, prior_reports, &["org_key", "year"]);
    let mut found = Vec::new();
    for check in &settings.derive.cross_year {
        let mut pairs = pairs.clone();
        if !check.templates.is_empty() {
            let t: Vec<&str> = check.templates.iter().map(String::as_str).collect();
            pairs = inner(pairs, strings("template", &t)?, &["template"]);
            pairs = inner(pairs, strings("prior_template", &t)?, &["prior_template"]);
        }
        let (term_col, free_col) = match check.each {
            Each::Column => ("row_key", "col_key"),
            Each::Row => ("col_key", "row_key"),
        };
        // The table's keys, as (kid, term, free): strings only for its cells.
        let table_keys = i
            .keys
            .clone()
            .filter(col("table_key").eq(lit(check.table.as_str())))
            .select([
                col("kid"),
                col(term_col).alias("term"),
                col(free_col).alias("free"),
            ]);
        let cells = inner(i.counts.clone(), table_keys, &["kid"]).select([
            col("rid"),
            col("term"),
            col("free"),
            col("value"),
        ]);
        let mut sides = Vec::new();
        for (name, terms) in [("left", &check.left), ("right", &check.right)] {
            let parsed: Vec<Term> = terms
                .iter()
                .map(|t| Term::parse(t, 1, true))
                .collect::<Result<_, _>>()?;
            let mut parts = Vec::new();
            for prior in [false, true] {
                let keys: Vec<&str> = parsed
                    .iter()
                    .filter(|t| t.prior == prior)
                    .map(|t| t.parts[0].as_str())
                    .collect();
                if keys.is_empty() {
                    continue;
                }
                let signs: Vec<i64> = parsed
                    .iter()
                    .filter(|t| t.prior == prior)
                    .map(|t| t.sign)
                    .collect();
                let term_frame = DataFrame::new_infer_height(vec![
                    Column::new("term".into(), keys),
                    Column::new("sign".into(), signs),
                ])
                .map_err(|e| perr(&check.code, e))?
                .lazy();
                let id = if prior { "prior_rid" } else { "rid" };
                let these = inner(
                    cells.clone().rename(["rid"], [id], true),
                    term_frame,
                    &["term"],
                );
                parts.push(
                    inner(
                        pairs.clone().select([col("rid"), col("prior_rid")]),
                        these,
                        &[id],
                    )
                    .select([
                        col("rid"),
                        col("free"),
                        (col("value") * col("sign")).alias("v"),
                    ]),
                );
            }
            let n = parsed.len() as u32;
            let side = concat(parts, UnionArgs::default())
                .map_err(|e| perr(&check.code, e))?
                .group_by([col("rid"), col("free")])
                .agg([
                    col("v").sum().alias(name),
                    col("v").count().alias("present"),
                ])
                .filter(col("present").eq(lit(n)))
                .select([col("rid"), col("free"), col(name)]);
            sides.push((parsed, side));
        }
        let right = sides.pop().ok_or("derive: a check without sides")?;
        let left_side = sides.pop().ok_or("derive: a check without sides")?;
        let failed = inner(
            inner(left_side.1, right.1, &["rid", "free"]).filter(col("left").neq(col("right"))),
            pairs.clone(),
            &["rid"],
        )
        .sort(
            ["source_path", "free"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
        .map_err(|e| perr(&check.code, e))?;
        let ids = column_str(&failed, "report_id")?;
        let paths = column_str(&failed, "source_path")?;
        let prior_paths = column_str(&failed, "prior_path")?;
        let years = column_i64(&failed, "year")?;
        let frees = column_str(&failed, "free")?;
        let ls = column_i64(&failed, "left")?;
        let rs = column_i64(&failed, "right")?;
        let first_left = left_side.0.first().map(|t| t.parts[0].clone());
        for k in 0..failed.height() {
            let (Some(id), Some(path)) = (ids[k].clone(), paths[k].clone()) else {
                continue;
            };
            let free = frees[k].clone().unwrap_or_default();
            let (row, column) = match check.each {
                Each::Column => (first_left.clone(), Some(free.clone())),
                Each::Row => (Some(free.clone()), first_left.clone()),
            };
            let what = match check.each {
                Each::Column => "column",
                Each::Row => "row",
            };
            found.push(Finding {
                report_id: id,
                source_path: path,
                year: years[k].and_then(|y| i32::try_from(y).ok()),
                code: check.code.clone(),
                table: check.table.clone(),
                row,
                col: column,
                message: format!(
                    "{}, {what} {free}: {} = {} does not equal {} = {} (last year's report: {}); the printed values are kept",
                    check.table,
                    expression(&left_side.0),
                    ls[k].map_or("null".into(), |v| v.to_string()),
                    expression(&right.0),
                    rs[k].map_or("null".into(), |v| v.to_string()),
                    prior_paths[k].as_deref().unwrap_or("?"),
                ),
            });
        }
    }
    Ok(found)
}

/// A polars frame's schema in arrow-rs terms: the types the datasets use,
/// strings as plain Utf8 (polars' own writer would store string views).
fn arrow_schema(df: &DataFrame) -> Result<arrow_schema::SchemaRef, Error> {
    use arrow_schema::DataType as A;
    let mut fields = Vec::with_capacity(df.width());
    for c in df.columns() {
        let ty = match c.dtype() {
            DataType::String => A::Utf8,
            DataType::Int32 => A::Int32,
            DataType::Int64 => A::Int64,
            DataType::Float64 => A::Float64,
            DataType::Boolean => A::Boolean,
            &DataType::Decimal(precision, scale) => A::Decimal128(
                u8::try_from(precision).map_err(|e| format!("derive: {}: {e}", c.name()))?,
                i8::try_from(scale).map_err(|e| format!("derive: {}: {e}", c.name()))?,
            ),
            other => {
                return Err(format!(
                    "derive: column {} is {other}, which the datasets do not use",
                    c.name()
                ))
            }
        };
        fields.push(arrow_schema::Field::new(c.name().as_str(), ty, true));
    }
    Ok(std::sync::Arc::new(arrow_schema::Schema::new(fields)))
}

/// A polars frame as an arrow-rs batch of `schema` (`arrow_schema(df)`).
fn to_batch(
    df: &DataFrame,
    schema: &arrow_schema::SchemaRef,
) -> Result<arrow_array::RecordBatch, Error> {
    use arrow_array::{
        ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int32Array, Int64Array, StringArray,
    };
    use std::sync::Arc;
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(df.width());
    for (c, f) in df.columns().iter().zip(schema.fields()) {
        let e = |e: PolarsError| perr(c.name(), e);
        let a: ArrayRef = match f.data_type() {
            arrow_schema::DataType::Utf8 => {
                Arc::new(c.str().map_err(e)?.iter().collect::<StringArray>())
            }
            arrow_schema::DataType::Int32 => {
                Arc::new(c.i32().map_err(e)?.iter().collect::<Int32Array>())
            }
            arrow_schema::DataType::Int64 => {
                Arc::new(c.i64().map_err(e)?.iter().collect::<Int64Array>())
            }
            arrow_schema::DataType::Float64 => {
                Arc::new(c.f64().map_err(e)?.iter().collect::<Float64Array>())
            }
            arrow_schema::DataType::Boolean => {
                Arc::new(c.bool().map_err(e)?.iter().collect::<BooleanArray>())
            }
            &arrow_schema::DataType::Decimal128(p, s) => Arc::new(
                c.decimal()
                    .map_err(e)?
                    .physical()
                    .iter()
                    .collect::<Decimal128Array>()
                    .with_precision_and_scale(p, s)
                    .map_err(|e| format!("derive: {}: {e}", c.name()))?,
            ),
            other => return Err(format!("derive: {}: no conversion for {other}", c.name())),
        };
        arrays.push(a);
    }
    arrow_array::RecordBatch::try_new(schema.clone(), arrays).map_err(|e| format!("derive: {e}"))
}

/// One derived dataset file, written through the sink's writer settings.
struct FrameWriter {
    schema: arrow_schema::SchemaRef,
    writer: parquet::arrow::ArrowWriter<File>,
    what: String,
}

impl FrameWriter {
    /// Opens the file of `holds` in `dir` for frames shaped like `like`.
    fn create(dir: &Path, holds: Holds, like: &DataFrame) -> Result<FrameWriter, Error> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(layout::file_name(holds, &Shard::WHOLE.tag()));
        let schema = arrow_schema(like)?;
        let writer = layout::create(&path, &schema)?;
        Ok(FrameWriter {
            schema,
            writer,
            what: path.display().to_string(),
        })
    }

    fn write(&mut self, df: &DataFrame) -> Result<(), Error> {
        let batch = to_batch(df, &self.schema)?;
        self.writer
            .write(&batch)
            .map_err(|e| format!("{}: {e}", self.what))
    }

    fn close(self) -> Result<(), Error> {
        self.writer
            .close()
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", self.what))
    }
}

/// Writes one year's rows into `dir/{year}-part-00000-of-00001.parquet` (no
/// file for no rows); gives the rows written.
fn write_year(df: &DataFrame, dir: &Path, year: Option<i32>) -> Result<u64, Error> {
    if df.height() > 0 {
        let mut w = FrameWriter::create(dir, Holds::Year(year), df)?;
        w.write(df)?;
        w.close()?;
    }
    Ok(df.height() as u64)
}

/// Writes the findings with the ingest's findings schema, one file per
/// year, `{year}-derived.parquet`; gives the file names.
fn write_findings(found: &[Finding], dir: &Path) -> Result<Vec<String>, Error> {
    let mut by_year: BTreeMap<Option<i32>, Vec<&Finding>> = BTreeMap::new();
    for f in found {
        by_year.entry(f.year).or_default().push(f);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for (year, rows) in by_year {
        let name = layout::file_name(Holds::Year(year), layout::DERIVED);
        let mut b = Rows::new(schema::findings()).map_err(|e| format!("derive: {e}"))?;
        for f in rows {
            b.push(&[
                V::S(Some(&f.report_id)),
                V::S(Some(&f.source_path)),
                V::I32(f.year),
                V::S(Some("warning")),
                V::S(Some(&f.code)),
                V::S(Some(&f.table)),
                V::S(f.row.as_deref()),
                V::S(f.col.as_deref()),
                V::I32(None),
                V::S(Some(&f.message)),
            ]);
        }
        let batch = b.finish().map_err(|e| format!("derive: {e}"))?;
        let path = dir.join(&name);
        let mut w = layout::create(&path, &batch.schema())?;
        w.write(&batch)
            .and_then(|_| w.close().map(|_| ()))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        names.push(name);
    }
    Ok(names)
}

/// Runs the derive stage over the published datasets in `out` (after a
/// sharded run) and publishes what it wrote.
pub fn run(out: &Path, settings: &Settings, bar: &ProgressBar) -> Result<Derived, Error> {
    let staging = out.join(STAGING);
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let result = compute(out, settings, bar, &staging).and_then(|(derived, parts)| {
        bar.set_message("publishing");
        publish_derived(out, &staging, &parts)?;
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
    compute(staging, settings, bar, staging).map(|(d, _)| d)
}

/// Moves the derived datasets and findings files from `staging` into `out`;
/// removes derived findings files this run did not write (and those of the
/// Hive layout of earlier versions).
fn publish_derived(out: &Path, staging: &Path, names: &[String]) -> Result<(), Error> {
    for name in DATASETS {
        publish::swap_in(&staging.join(name), &out.join(name))?;
    }
    let findings = out.join("findings");
    std::fs::create_dir_all(&findings).map_err(|e| format!("{}: {e}", findings.display()))?;
    for name in names {
        let to = findings.join(name);
        std::fs::rename(staging.join("findings").join(name), &to)
            .map_err(|e| format!("{}: {e}", to.display()))?;
    }
    for (stale, _, tag) in layout::files(&findings)? {
        let fresh = stale
            .file_name()
            .is_some_and(|n| names.iter().any(|m| n == m.as_str()));
        if tag == layout::DERIVED && !fresh {
            std::fs::remove_file(&stale).map_err(|e| format!("{}: {e}", stale.display()))?;
        }
    }
    crate::sink::remove_hive_folders(&findings, "derived.parquet")?;
    std::fs::remove_dir_all(staging).map_err(|e| format!("{}: {e}", staging.display()))
}

/// Writes a frame with no rows as `dir/empty-part-00000-of-00001.parquet`,
/// so readers still see the schema.
fn write_empty(df: &DataFrame, dir: &Path) -> Result<(), Error> {
    FrameWriter::create(dir, Holds::Empty, df)?.close()
}

/// Reads the datasets under `src` and writes the derived ones under `dst`
/// (which may be `src`); gives the counts and the findings partitions.
///
/// One year at a time: the cells of years N − 1 and N are all that is in
/// memory, keyed by a report number instead of the report id, so memory
/// follows the largest year, not the corpus.
fn compute(
    src: &Path,
    settings: &Settings,
    bar: &ProgressBar,
    dst: &Path,
) -> Result<(Derived, Vec<String>), Error> {
    let mut derived = Derived::default();
    bar.set_message("reports");
    let keys = Keys::new(settings);
    let key_frame = key_frame(&keys)?;
    let reports = reports(src)?;
    let cell_files = CellFiles::list(src)?;
    let ids = reports
        .clone()
        .lazy()
        .select([col("report_id"), col("rid")]);
    let chosen = chosen(reports.clone().lazy())
        .collect()
        .map_err(|e| perr("reports", e))?
        .lazy();
    let mut years: Vec<Option<i32>> = column_i64(&reports, "year")?
        .into_iter()
        .map(|y| y.and_then(|y| i32::try_from(y).ok()))
        .collect();
    years.sort();
    years.dedup();
    if years.is_empty() {
        // No reports at all: one pass over nothing still gives the output
        // schemas, so each derived dataset gets its zero-row file.
        years.push(None);
    }
    crate::progress::phase(bar, "derive", years.len() as u64);
    let mut prev: Option<(i32, DataFrame)> = None;
    let (mut n_cmp, mut n_met) = (0u64, 0u64);
    let (mut last_cmp, mut last_met) = (None, None);
    let mut found = Vec::new();
    for year in years {
        bar.set_message(year.map_or("year unknown".to_string(), |y| format!("year {y}")));
        let cells = year_cells(&cell_files, year, &ids, key_frame.clone())?;
        let pair: Vec<&DataFrame> = match (&prev, year) {
            (Some((p, before)), Some(y)) if *p == y - 1 => vec![before, &cells],
            _ => vec![&cells],
        };
        let i = Inputs::new(&reports, &key_frame, &pair)?;
        let numbered = comparison(settings, &keys, &i, &chosen)?
            .collect()
            .map_err(|e| perr("yearly_comparison", e))?;
        let (n, cmp) = write_comparison(&numbered, &i, &dst.join(DATASETS[0]), year)?;
        drop(numbered);
        n_cmp += n;
        let m = metrics(settings, &keys, &i, year)?
            .collect()
            .map_err(|e| perr("metrics", e))?;
        n_met += write_year(&m, &dst.join(DATASETS[1]), year)?;
        found.extend(cross_year(settings, &i, &chosen)?);
        (last_cmp, last_met) = (Some(cmp), Some(m.clear()));
        prev = year.map(|y| (y, cells));
        bar.inc(1);
    }
    for (name, n, last) in [
        (DATASETS[0], n_cmp, last_cmp),
        (DATASETS[1], n_met, last_met),
    ] {
        // Always a folder, if an empty one: it replaces an earlier run's.
        let dir = dst.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        if n == 0 {
            if let Some(df) = last {
                write_empty(&df, &dst.join(name))?;
            }
        }
        derived.rows.insert(name.into(), n);
    }
    found.sort_by(|a, b| {
        (&a.source_path, &a.code, &a.row, &a.col).cmp(&(&b.source_path, &b.code, &b.row, &b.col))
    });
    for f in &found {
        *derived.findings.entry(f.code.clone()).or_default() += 1;
    }
    let parts = write_findings(&found, &dst.join("findings"))?;
    derived
        .rows
        .insert("findings (derived)".into(), found.len() as u64);
    Ok((derived, parts))
}
