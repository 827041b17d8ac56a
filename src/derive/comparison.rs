//! `yearly_comparison`: every cell a body's report of year N shares with its
//! report of year N − 1, the configured sums (`[[derive.sum]]`) included.

use super::keys::Keys;
use super::spill::{Cell, Cells, Rep};
use crate::settings::Settings;

/// One comparison row, before it is named: the two reports (indices into
/// the bucket's reports), the key number and the two values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub cur: u32,
    pub prior: u32,
    pub kid: u32,
    pub value: Option<i128>,
    pub prior_value: Option<i128>,
}

/// A configured sum: for the reports of `template`, each target cell is
/// the sum of its component cells, null unless all `n` are printed.
struct Rule {
    template: String,
    n: usize,
    targets: Vec<(u32, Vec<u32>)>,
}

/// The `[[derive.sum]]` rules, as key numbers.
pub struct Sums(Vec<Rule>);

impl Sums {
    pub fn new(settings: &Settings, keys: &Keys) -> Sums {
        let mut rules = Vec::new();
        for rule in &settings.derive.sum {
            let mut targets: Vec<(u32, Vec<u32>)> = Vec::new();
            for (t, r, c, yuan) in &keys.list {
                if *t != rule.table || !rule.rows.contains(r) || *yuan {
                    continue;
                }
                let (Some(target), Some(from)) = (keys.kid(t, &rule.into, c), keys.kid(t, r, c))
                else {
                    continue;
                };
                match targets.iter_mut().find(|(k, _)| *k == target) {
                    Some((_, parts)) => parts.push(from),
                    None => targets.push((target, vec![from])),
                }
            }
            rules.push(Rule {
                template: rule.template.clone(),
                n: rule.rows.len(),
                targets,
            });
        }
        Sums(rules)
    }

    /// A report's values with its sums added, by key number.
    pub fn values(&self, template: &str, cells: &[Cell]) -> Vec<(u32, Option<i128>)> {
        let mut out: Vec<(u32, Option<i128>)> = cells.iter().map(|c| (c.kid, c.value())).collect();
        for rule in self.0.iter().filter(|r| r.template == template) {
            for (target, parts) in &rule.targets {
                let (mut seen, mut present, mut sum) = (false, 0usize, 0i128);
                for kid in parts {
                    for c in super::spill::with_kid(cells, *kid) {
                        seen = true;
                        if let Some(v) = c.value() {
                            present += 1;
                            sum = sum.saturating_add(v);
                        }
                    }
                }
                if seen {
                    out.push((*target, (present == rule.n).then_some(sum)));
                }
            }
        }
        // Stable: a printed cell stays before a sum of the same key.
        out.sort_by_key(|p| p.0);
        out
    }
}

/// The comparison rows of the pairs (year N's report, year N − 1's), in
/// pair order, then key order.
pub fn rows(
    reports: &[Rep],
    pairs: &[(u32, u32)],
    cur: &Cells,
    prior: &Cells,
    sums: &Sums,
) -> Vec<Row> {
    let mut out = Vec::new();
    for &(c, p) in pairs {
        let (Some(rc), Some(rp)) = (reports.get(c as usize), reports.get(p as usize)) else {
            continue;
        };
        let now = sums.values(&rc.template, cur.of(c));
        let before = sums.values(&rp.template, prior.of(p));
        let mut j = 0;
        for &(kid, value) in &now {
            while before.get(j).is_some_and(|b| b.0 < kid) {
                j += 1;
            }
            for &(_, prior_value) in before[j..].iter().take_while(|b| b.0 == kid) {
                out.push(Row {
                    cur: c,
                    prior: p,
                    kid,
                    value,
                    prior_value,
                });
            }
        }
    }
    out
}

/// A value at `spill::SCALE` as a float, the way the comparison has always
/// computed `pct_change`: the unscaled integer over the power of ten.
pub fn float(v: i128) -> f64 {
    v as f64 / 10f64.powi(super::spill::SCALE as i32)
}

/// `(value − prior) / prior × 100`; null when either is null or prior is 0.
pub fn pct_change(value: Option<i128>, prior: Option<i128>) -> Option<f64> {
    let (v, p) = (value?, prior?);
    let pf = float(p);
    if pf == 0.0 {
        return None;
    }
    Some(float(v.checked_sub(p)?) / pf * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pct_change_is_null_without_a_base() {
        assert_eq!(pct_change(Some(150_0000), Some(100_0000)), Some(50.0));
        assert_eq!(pct_change(Some(1), Some(0)), None);
        assert_eq!(pct_change(None, Some(1)), None);
        assert_eq!(pct_change(Some(1), None), None);
    }
}
