//! The `[derive]` section: what the derive stage compares, computes and
//! checks, as data. Parsed and checked with the rest of the config, whether
//! or not the binary was built with the derive stage.

use serde::Deserialize;

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct DeriveConfig {
    /// Cells added for the comparison: the sum of some rows of a table, per
    /// column, in the reports of one template (gb2021's three `other_*`
    /// request rows → `other`, which gb2019 prints).
    #[serde(default)]
    pub sum: Vec<SumRule>,
    /// The `metrics` dataset.
    #[serde(default)]
    pub metric: Vec<MetricDef>,
    /// Checks between a body's reports of consecutive years.
    #[serde(default)]
    pub cross_year: Vec<CrossYearDef>,
    /// Cells held in memory at once, at most (two consecutive years of one
    /// bucket of bodies): the number of buckets follows the corpus, the
    /// memory does not. The output is the same whatever the number.
    #[serde(default = "default_bucket_cells")]
    pub bucket_cells: u64,
}

fn default_bucket_cells() -> u64 {
    2_000_000
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SumRule {
    pub template: String,
    pub table: String,
    pub into: String,
    pub rows: Vec<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    pub key: String,
    pub label: String,
    /// Terms `table.row.col`, each optionally signed `-`.
    pub numerator: Vec<String>,
    /// Empty: the metric is the numerator itself.
    #[serde(default)]
    pub denominator: Vec<String>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Each {
    Row,
    Column,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct CrossYearDef {
    pub code: String,
    pub table: String,
    /// `column`: the terms are row keys and the check runs per column;
    /// `row`: the terms are column keys and it runs per row.
    pub each: Each,
    /// Both years' reports must be on one of these templates (empty: any).
    #[serde(default)]
    pub templates: Vec<String>,
    /// Terms: a key, optionally signed `-`, prefixed `prior.` for last
    /// year's report. The sums of the two sides must be equal.
    pub left: Vec<String>,
    pub right: Vec<String>,
}

impl Default for DeriveConfig {
    fn default() -> DeriveConfig {
        DeriveConfig {
            sum: Vec::new(),
            metric: Vec::new(),
            cross_year: Vec::new(),
            bucket_cells: default_bucket_cells(),
        }
    }
}

/// A parsed term: sign, whether it is last year's, and its key parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub sign: i64,
    pub prior: bool,
    pub parts: Vec<String>,
}

impl Term {
    /// Parses `[-][prior.]a.b.c` with exactly `n` key parts.
    pub fn parse(text: &str, n: usize, allow_prior: bool) -> Result<Term, String> {
        let t = text.trim();
        let (sign, t) = match t.strip_prefix('-') {
            Some(rest) => (-1, rest.trim_start()),
            None => (1, t.strip_prefix('+').unwrap_or(t).trim_start()),
        };
        let (prior, t) = match t.strip_prefix("prior.") {
            Some(rest) if allow_prior => (true, rest),
            _ => (false, t),
        };
        let parts: Vec<String> = t.split('.').map(str::to_string).collect();
        if parts.len() != n || parts.iter().any(String::is_empty) {
            let shape = if n == 3 { "table.row.col" } else { "key" };
            return Err(format!("term {text:?}: expected [-]{shape}"));
        }
        Ok(Term { sign, prior, parts })
    }

    /// The term as the config writes it, for messages.
    pub fn text(&self) -> String {
        format!(
            "{}{}",
            if self.prior { "last year's " } else { "" },
            self.parts.join(".")
        )
    }
}

/// `a + b − c` from terms.
pub fn expression(terms: &[Term]) -> String {
    let mut s = String::new();
    for (i, t) in terms.iter().enumerate() {
        match (i, t.sign) {
            (0, -1) => s.push('-'),
            (0, _) => {}
            (_, -1) => s.push_str(" - "),
            _ => s.push_str(" + "),
        }
        s.push_str(&t.text());
    }
    s
}

impl DeriveConfig {
    /// Checks every term, naming the entry at fault.
    pub fn check(&self) -> Result<(), String> {
        for m in &self.metric {
            if m.numerator.is_empty() {
                return Err(format!("derive.metric {}: no numerator", m.key));
            }
            for t in m.numerator.iter().chain(&m.denominator) {
                Term::parse(t, 3, false).map_err(|e| format!("derive.metric {}: {e}", m.key))?;
            }
        }
        for c in &self.cross_year {
            if c.left.is_empty() || c.right.is_empty() {
                return Err(format!("derive.cross_year {}: a side has no term", c.code));
            }
            for t in c.left.iter().chain(&c.right) {
                Term::parse(t, 1, true)
                    .map_err(|e| format!("derive.cross_year {}: {e}", c.code))?;
            }
        }
        if self.bucket_cells == 0 {
            return Err("derive.bucket_cells: must be at least 1".into());
        }
        for s in &self.sum {
            if s.rows.is_empty() {
                return Err(format!("derive.sum {}.{}: no rows", s.table, s.into));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse_with_sign_and_year() {
        let t = Term::parse("-prior.in_force", 1, true).unwrap();
        assert_eq!(
            (t.sign, t.prior, t.parts.as_slice()),
            (-1, true, &["in_force".to_string()][..])
        );
        let t = Term::parse("requests.new_received.total", 3, false).unwrap();
        assert_eq!(t.parts, ["requests", "new_received", "total"]);
        assert!(Term::parse("requests.total", 3, false).is_err());
        assert!(Term::parse("prior.a.b.c", 3, false).is_err());
        assert!(Term::parse("a..b", 3, false).is_err());
        let terms: Vec<Term> = ["prior.in_force", "issued", "-repealed"]
            .iter()
            .map(|t| Term::parse(t, 1, true).unwrap())
            .collect();
        assert_eq!(
            expression(&terms),
            "last year's in_force + issued - repealed"
        );
    }
}
