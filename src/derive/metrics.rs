//! `metrics`: per report, each `[[derive.metric]]` of the config, a sum of
//! count cells over another (or the sum alone).

use super::config::Term;
use super::keys::Keys;
use super::spill::{self, Cell, Cells, Rep};
use crate::settings::Settings;

type Error = String;

/// A metric with its terms as (key number, sign).
pub struct Metric {
    pub key: String,
    pub label: String,
    /// (key number, sign); no key number for a money cell, which is not a
    /// count and so never printed as one.
    numerator: Vec<(Option<u32>, i64)>,
    denominator: Vec<(Option<u32>, i64)>,
}

/// The configured metrics, by key.
pub struct Metrics(pub Vec<Metric>);

impl Metrics {
    pub fn new(settings: &Settings, keys: &Keys) -> Result<Metrics, Error> {
        let mut list = Vec::new();
        for m in &settings.derive.metric {
            let terms = |texts: &[String]| -> Result<Vec<(Option<u32>, i64)>, Error> {
                let mut out = Vec::new();
                for text in texts {
                    let t = Term::parse(text, 3, false)?;
                    let kid = keys
                        .kid(&t.parts[0], &t.parts[1], &t.parts[2])
                        .ok_or_else(|| {
                            format!(
                                "derive.metric {}: {text:?} names no cell of the templates",
                                m.key
                            )
                        })?;
                    let count = keys.list.get(kid as usize).is_some_and(|k| !k.3);
                    out.push((count.then_some(kid), t.sign));
                }
                Ok(out)
            };
            list.push(Metric {
                key: m.key.clone(),
                label: m.label.clone(),
                numerator: terms(&m.numerator)?,
                denominator: terms(&m.denominator)?,
            });
        }
        list.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Metrics(list))
    }
}

/// One metric of one report, before it is named.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub report: u32,
    pub metric: u32,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub value: Option<f64>,
}

/// The count cells of `terms` summed with their signs, if every term is
/// printed.
fn sum(cells: &[Cell], terms: &[(Option<u32>, i64)]) -> Option<i64> {
    spill::signed_sum(
        terms.iter().map(|&(kid, sign)| (cells, kid, sign)),
        terms.len(),
    )
}

/// The metrics of the reports of `year` that have standard tables and are
/// not duplicates, in report order, then metric key order.
pub fn rows(reports: &[Rep], year: Option<i32>, cells: &Cells, metrics: &Metrics) -> Vec<Row> {
    let mut out = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        if r.year != year || r.template == "none" || r.status == "duplicate" {
            continue;
        }
        let own = cells.of(i as u32);
        for (m, def) in metrics.0.iter().enumerate() {
            let numerator = sum(own, &def.numerator);
            let denominator = match def.denominator.is_empty() {
                true => None,
                false => sum(own, &def.denominator),
            };
            let value = match (def.denominator.is_empty(), numerator, denominator) {
                (true, Some(n), _) => Some(n as f64),
                (false, Some(n), Some(d)) if d != 0 => Some(n as f64 / d as f64),
                _ => None,
            };
            out.push(Row {
                report: i as u32,
                metric: m as u32,
                numerator,
                denominator,
                value,
            });
        }
    }
    out
}
