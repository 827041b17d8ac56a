//! A body followed over the years (`xxgk synth --years Y`): the same name,
//! region, layout and size every year, and values that follow from the
//! year before.
//!
//! It takes the corpus seed, a body's number and the template of each
//! year, and gives the count values of one year of that body, keyed
//! `table.row.col`, by replaying the body's own random stream from its first
//! year: report `i` still depends only on `(seed, i)`, and never reads
//! another report. What carries over: the requests table's
//! `carried_forward` becomes next year's `carried_over` (every column);
//! gb2021's `art20_1.*.in_force` is last year's plus `issued` minus
//! `repealed` (gb2019's `total_published` grows the same way, by
//! `new_published`); gb2019's `prior_year_items` is last year's plus its
//! `change`. Other counts grow or shrink by up to about 30 % a year and are
//! never negative. Every value satisfies the templates' checks: the plan
//! spreads the processed requests over the outcome rows and sums the total
//! column, as it does for an unrelated report.

use std::collections::BTreeMap;

use super::plan::{item_value, litigation_values, org_name, Size};
use super::rng::Rng;
use super::Layout;
use xxgk::template::{ColumnKind, Dataset, Shape, Template, Templates};

/// Salts the seed of a body's own stream.
const BODY_STREAM: u64 = 0x626F_6479_0000_0001;

/// The last year of a `--years` corpus: its bodies report on the `Y` years
/// up to it.
pub const LAST_YEAR: i32 = 2024;

/// Who a body is: the same every year.
pub struct Body {
    pub org: String,
    pub we: &'static str,
    pub region: String,
    pub layout: Layout,
    pub pipe_after: bool,
    pub size: Size,
    rng: Rng,
}

/// Count values of one year, `table.row.col` → value.
pub type Values = BTreeMap<String, i64>;

impl Body {
    /// Body `b` of the corpus of `seed`, printed in one of `layouts`.
    pub fn new(seed: u64, b: usize, layouts: &[Layout]) -> Body {
        let mut rng = Rng::for_report(seed ^ BODY_STREAM, b as u64);
        let (org, we, region) = org_name(&mut rng);
        let layout = *rng.pick(layouts);
        let pipe_after = layout == Layout::PipeLines && rng.chance(0.35);
        let size = Size(rng.weighted(&[30, 35, 23, 12]) as u8);
        Body {
            org,
            we,
            region,
            layout,
            pipe_after,
            size,
            rng,
        }
    }

    /// The values of `year`, replaying every year from `first` (each year on
    /// its own form, as `by_year` gives it).
    pub fn values<'t>(
        &self,
        templates: &'t Templates,
        by_year: &dyn Fn(i32) -> &'t Template,
        first: i32,
        year: i32,
    ) -> Values {
        let mut rng = self.rng.clone();
        let mut last = Values::new();
        for y in first..=year {
            last = self.step(&mut rng, templates, by_year(y), &last, y == first);
        }
        last
    }

    /// One year after `last` (empty on the first year).
    fn step(
        &self,
        rng: &mut Rng,
        templates: &Templates,
        form: &Template,
        last: &Values,
        first: bool,
    ) -> Values {
        let size = self.size;
        let k = size.k();
        let mut now = Values::new();
        // Stocks of both forms' art20_1, and every key seen, carry on
        // across a change of form.
        for (key, v) in last {
            if key.starts_with("stock.") || key.starts_with("items.") {
                now.insert(key.clone(), *v);
            }
        }
        for &ti in &form.tables {
            let def = &templates.tables[ti];
            let t = &def.key;
            if def.key == "requests" {
                for col in &def.columns {
                    if col.key == "total" {
                        continue;
                    }
                    let key = |row: &str| format!("{t}.{row}.{}", col.key);
                    let person = col.key == "natural_person";
                    let prev = last.get(&key("new_received")).copied();
                    let n = match prev {
                        Some(p) if p > 0 => grow(rng, p),
                        Some(_) if !rng.chance(0.2) => 0,
                        _ => first_requests(rng, size, person),
                    };
                    let o = if first {
                        if rng.chance(0.3) {
                            rng.range(0, n / 10 + 1)
                        } else {
                            0
                        }
                    } else {
                        last.get(&key("carried_forward")).copied().unwrap_or(0)
                    };
                    let f = if n + o > 0 && rng.chance(0.35) {
                        rng.range(0, (n + o) / 8 + 1).min(n + o)
                    } else {
                        0
                    };
                    now.insert(key("new_received"), n);
                    now.insert(key("carried_over"), o);
                    now.insert(key("carried_forward"), f);
                }
                continue;
            }
            if def.shape == Shape::Flat || def.dataset == Dataset::Litigation {
                let ncols = def.columns.len();
                let total = def.columns.iter().position(|c| c.key == "total");
                let mut fresh = vec![0i64; def.values_per_table()];
                litigation_values(rng, def, size, &mut fresh);
                let p = [0.02, 0.06, 0.2, 0.45][size.0 as usize];
                for (r, row) in def.rows.iter().enumerate() {
                    let mut sum = 0;
                    for (c, col) in def.columns.iter().enumerate() {
                        if Some(c) == total {
                            continue;
                        }
                        let key = format!("{t}.{}.{}", row.key, col.key);
                        let v = match last.get(&key) {
                            Some(&prev) if prev > 0 && !rng.chance(0.25) => grow(rng, prev),
                            Some(_) if !rng.chance(p) => 0,
                            _ => fresh[r * ncols + c],
                        };
                        sum += v;
                        now.insert(key, v);
                    }
                    if let Some(tc) = total {
                        now.insert(format!("{t}.{}.{}", row.key, def.columns[tc].key), sum);
                    }
                }
                continue;
            }
            if def.key == "art20_1" {
                // One stock per row, printed as in_force (gb2021) or
                // total_published (gb2019), under both forms' keys so that
                // a table printed on the other form finds its values.
                for row in &def.rows {
                    let stock_key = format!("stock.{}", row.key);
                    let stock = match now.get(&stock_key) {
                        Some(&s) => s,
                        None if row.key == "regulations" && rng.chance(0.85) => -1,
                        None => rng.range(0, k * 8),
                    };
                    // A body that makes no rules of this kind: -1, all zero.
                    let (issued, repealed, after) = if stock < 0 {
                        (0, 0, 0)
                    } else {
                        let issued = if rng.chance(0.3) { 0 } else { rng.range(0, k) };
                        let repealed = if form.name == "gb2019" || rng.chance(0.5) {
                            0
                        } else {
                            rng.range(0, (stock / 10).max(1)).min(stock)
                        };
                        (issued, repealed, stock + issued - repealed)
                    };
                    now.insert(stock_key, if stock < 0 { -1 } else { after });
                    let made = issued + if issued > 0 { rng.range(0, 2) } else { 0 };
                    for (col, v) in [
                        ("issued", issued),
                        ("repealed", repealed),
                        ("in_force", after),
                        ("new_made", made),
                        ("new_published", issued),
                        ("total_published", after),
                    ] {
                        now.insert(format!("{t}.{}.{col}", row.key), v);
                    }
                }
                continue;
            }
            let has_prior = def.columns.iter().any(|c| c.key == "prior_year_items");
            for row in &def.rows {
                let items_key = format!("items.{t}.{}", row.key);
                for col in &def.columns {
                    let key = format!("{t}.{}.{}", row.key, col.key);
                    if has_prior && col.key == "prior_year_items" {
                        // Last year's items, then this year's change.
                        let prior = match now.get(&items_key) {
                            Some(&s) => s,
                            None => item_value(rng, size, &row.key, &col.key, col.kind),
                        };
                        let change = if rng.chance(0.5) {
                            0
                        } else {
                            rng.range(-(prior.min(k / 2)), (k / 2).max(1))
                        };
                        now.insert(items_key.clone(), prior + change);
                        now.insert(key, prior);
                        now.insert(format!("{t}.{}.change", row.key), change);
                        continue;
                    }
                    if has_prior && col.kind == ColumnKind::Change {
                        continue;
                    }
                    let v = match last.get(&key) {
                        Some(&prev) if prev > 0 => grow(rng, prev),
                        Some(_) if !rng.chance(0.15) => 0,
                        _ => item_value(rng, size, &row.key, &col.key, col.kind),
                    };
                    now.insert(key, v);
                }
            }
        }
        now
    }
}

/// A count a year on: up to about 30 % more or less, never negative.
fn grow(rng: &mut Rng, v: i64) -> i64 {
    let d = (v * 3 / 10).max(1);
    (v + rng.range(-d, d)).max(0)
}

/// New requests in one applicant column in a body's first year, by size.
pub(super) fn first_requests(rng: &mut Rng, size: Size, person: bool) -> i64 {
    let (lo, hi, p_zero) = match (size.0, person) {
        (0, true) => (0, 5, 0.2),
        (0, false) => (0, 1, 0.8),
        (1, true) => (3, 60, 0.0),
        (1, false) => (0, 8, 0.5),
        (2, true) => (40, 400, 0.0),
        (2, false) => (0, 40, 0.3),
        (_, true) => (300, 3000, 0.0),
        (_, false) => (5, 300, 0.1),
    };
    if rng.chance(p_zero) {
        0
    } else {
        rng.range(lo, hi)
    }
}
