//! Cross-year findings: each `[[derive.cross_year]]` check between a body's
//! reports of consecutive years, as a warning on year N's report.

use super::config::{expression, Each, Term};
use super::keys::Keys;
use super::spill::{self, Cell, Cells, Rep};
use crate::settings::Settings;

type Error = String;

/// One term of a side, for one free key: its cell's key number (none: the
/// templates have no such cell), sign and year.
type Part = (Option<u32>, i64, bool);

/// A check as key numbers: per free key (a column for `each = "column"`, a
/// row for `each = "row"`), the parts of each side.
pub struct Check {
    code: String,
    table: String,
    each: Each,
    templates: Vec<String>,
    first_left: Option<String>,
    left_text: String,
    right_text: String,
    n: [usize; 2],
    frees: Vec<(String, [Vec<Part>; 2])>,
}

/// The configured checks.
pub struct Checks(Vec<Check>);

impl Checks {
    pub fn new(settings: &Settings, keys: &Keys) -> Result<Checks, Error> {
        let mut out = Vec::new();
        for c in &settings.derive.cross_year {
            let parse = |terms: &[String]| -> Result<Vec<Term>, Error> {
                terms.iter().map(|t| Term::parse(t, 1, true)).collect()
            };
            let (left, right) = (parse(&c.left)?, parse(&c.right)?);
            let mut frees: Vec<String> = keys
                .list
                .iter()
                .filter(|k| k.0 == c.table && !k.3)
                .map(|k| match c.each {
                    Each::Column => k.2.clone(),
                    Each::Row => k.1.clone(),
                })
                .collect();
            frees.sort();
            frees.dedup();
            let parts = |side: &[Term], free: &str| -> Vec<Part> {
                side.iter()
                    .map(|t| {
                        let term = t.parts[0].as_str();
                        let kid = match c.each {
                            Each::Column => keys.kid(&c.table, term, free),
                            Each::Row => keys.kid(&c.table, free, term),
                        };
                        (kid, t.sign, t.prior)
                    })
                    .collect()
            };
            let frees = frees
                .into_iter()
                .map(|f| {
                    let sides = [parts(&left, &f), parts(&right, &f)];
                    (f, sides)
                })
                .collect();
            out.push(Check {
                code: c.code.clone(),
                table: c.table.clone(),
                each: c.each,
                templates: c.templates.clone(),
                first_left: left.first().map(|t| t.parts[0].clone()),
                left_text: expression(&left),
                right_text: expression(&right),
                n: [left.len(), right.len()],
                frees,
            });
        }
        Ok(Checks(out))
    }
}

/// A cross-year finding, before it is a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Year N's report (index into the bucket's reports).
    pub report: u32,
    pub code: String,
    pub table: String,
    pub row: Option<String>,
    pub col: Option<String>,
    pub message: String,
}

/// A side's sum, if each of its `n` terms is printed.
fn side(parts: &[Part], n: usize, now: &[Cell], before: &[Cell]) -> Option<i64> {
    let terms = parts
        .iter()
        .map(|&(kid, sign, prior)| (if prior { before } else { now }, kid, sign));
    spill::signed_sum(terms, n)
}

/// The failed checks of the pairs (year N's report, year N − 1's), in pair
/// order, then by code, row and column.
pub fn findings(
    reports: &[Rep],
    pairs: &[(u32, u32)],
    cur: &Cells,
    prior: &Cells,
    checks: &Checks,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for &(c, p) in pairs {
        let (Some(rc), Some(rp)) = (reports.get(c as usize), reports.get(p as usize)) else {
            continue;
        };
        let (now, before) = (cur.of(c), prior.of(p));
        let from = out.len();
        for check in &checks.0 {
            let on = |t: &str| check.templates.is_empty() || check.templates.iter().any(|x| x == t);
            if !on(&rc.template) || !on(&rp.template) {
                continue;
            }
            for (free, [l, r]) in &check.frees {
                let (Some(lv), Some(rv)) = (
                    side(l, check.n[0], now, before),
                    side(r, check.n[1], now, before),
                ) else {
                    continue;
                };
                if lv == rv {
                    continue;
                }
                let (row, col, what) = match check.each {
                    Each::Column => (check.first_left.clone(), Some(free.clone()), "column"),
                    Each::Row => (Some(free.clone()), check.first_left.clone(), "row"),
                };
                out.push(Finding {
                    report: c,
                    code: check.code.clone(),
                    table: check.table.clone(),
                    row,
                    col,
                    message: format!(
                        "{}, {what} {free}: {} = {lv} does not equal {} = {rv} (last year's report: {}); the printed values are kept",
                        check.table, check.left_text, check.right_text, rp.source_path
                    ),
                });
            }
        }
        out[from..].sort_by(|a, b| (&a.code, &a.row, &a.col).cmp(&(&b.code, &b.row, &b.col)));
    }
    out
}
