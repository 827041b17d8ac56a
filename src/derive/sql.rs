//! `xxgk derive OUT --emit-sql duckdb|spark`: the derive stage as one SQL
//! script, for running it in DuckDB or on Spark over the same Parquet.
//!
//! It takes the `[derive]` config, the templates' cell keys (`Keys`) and the
//! folder OUT, and gives text: `CREATE OR REPLACE TEMPORARY VIEW` statements,
//! each ending with `;` and a newline and none holding `;` and a newline
//! inside, so a runner can split on `";\n"`. The script first reads OUT's
//! datasets (`xxgk_reports`, `xxgk_disclosure_counts`, `xxgk_litigation`,
//! `xxgk_procurement`), then states the config as tables (`xxgk_keys`,
//! `xxgk_sum_map`, `xxgk_metric_terms`, `xxgk_metric_defs`), and ends with
//! the views `yearly_comparison`, `metrics` and `derived_findings`: the same
//! columns, types and rows as xxgk's `yearly_comparison` and `metrics`
//! datasets and its `findings/*-derived.parquet` files (docs/derive.md says
//! what they hold). Everything the config names comes from the config; no
//! metric or check is written here by hand. It never reads the findings
//! dataset, runs nothing and touches no file.

use std::path::Path;

use super::config::{expression, CrossYearDef, Each, Term};
use super::keys::Keys;
use crate::settings::Settings;

/// The SQL engine a script is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB: `read_parquet`, string literals without backslash escapes.
    DuckDb,
    /// Spark SQL: `parquet.` paths, backslash escapes in literals.
    Spark,
}

/// The views the script ends with, in order.
pub const OUTPUTS: [&str; 3] = ["yearly_comparison", "metrics", "derived_findings"];

/// The datasets the script reads, as the views `xxgk_<name>`.
pub const INPUTS: [&str; 4] = ["reports", "disclosure_counts", "litigation", "procurement"];

/// Cell values, compared as one exact type (compute.rs: `VALUE`).
const VALUE: &str = "DECIMAL(38,4)";

/// What ends every statement; a runner splits the script on it.
pub const END: &str = ";\n";

/// The script for the datasets under `out` (made absolute), in `dialect`.
pub fn script(out: &Path, settings: &Settings, dialect: Dialect) -> Result<String, String> {
    let out = std::path::absolute(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let out = out
        .to_str()
        .ok_or_else(|| format!("{}: not UTF-8", out.display()))?
        .trim_end_matches('/')
        .to_string();
    let keys = Keys::new(settings);
    let q = Sql { dialect };
    let mut views: Vec<(String, String)> = Vec::new();
    for name in INPUTS {
        views.push((format!("xxgk_{name}"), q.input(&out, name)?));
    }
    views.push(("xxgk_keys".into(), q.keys(&keys)));
    views.push(("xxgk_cells".into(), q.cells()));
    views.push(("xxgk_counts".into(), COUNTS.into()));
    views.push(("xxgk_chosen".into(), CHOSEN.into()));
    let map = q.sum_map(settings, &keys);
    let summed = map.is_some();
    if let Some(map) = map {
        views.push(("xxgk_sum_map".into(), map));
    }
    views.push(("xxgk_values".into(), values(summed)));
    views.push(("xxgk_pairs".into(), PAIRS.into()));
    let (terms, defs) = q.metric_tables(settings, &keys)?;
    views.push(("xxgk_metric_terms".into(), terms));
    views.push(("xxgk_metric_defs".into(), defs));
    views.push(("xxgk_metric_parts".into(), METRIC_PARTS.into()));
    views.push(("yearly_comparison".into(), COMPARISON.into()));
    views.push(("metrics".into(), METRICS.into()));
    views.push(("derived_findings".into(), q.findings(settings)?));
    let mut text = String::new();
    for (name, body) in views {
        let statement = format!("CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{body}");
        if statement.contains(END) {
            return Err(format!(
                "derive --emit-sql: the view {name} would hold \";\" before a line break, \
                 which a runner takes for the end of a statement"
            ));
        }
        text.push_str(&statement);
        text.push_str(END);
    }
    Ok(text)
}

struct Sql {
    dialect: Dialect,
}

impl Sql {
    /// A string literal. Control characters (a label's line break) are
    /// `chr(n)`, so no literal spans lines; Spark reads backslashes as
    /// escapes, DuckDB does not.
    fn lit(&self, s: &str) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut run = String::new();
        for c in s.chars() {
            if c.is_control() {
                if !run.is_empty() {
                    parts.push(self.quoted(&run));
                    run.clear();
                }
                parts.push(format!("chr({})", u32::from(c)));
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() || parts.is_empty() {
            parts.push(self.quoted(&run));
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" || "))
        }
    }

    fn quoted(&self, s: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("'{}'", s.replace('\'', "''")),
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// Fails the query with `message` (a string expression) when evaluated.
    fn raise(&self, message: &str) -> String {
        match self.dialect {
            Dialect::DuckDb => format!("error({message})"),
            Dialect::Spark => format!("raise_error({message})"),
        }
    }

    /// Every Parquet file of one dataset folder of `out`.
    fn input(&self, out: &str, name: &str) -> Result<String, String> {
        let dir = format!("{out}/{name}");
        match self.dialect {
            Dialect::DuckDb => Ok(format!(
                "SELECT * FROM read_parquet({}, union_by_name = true, hive_partitioning = false)",
                self.lit(&format!("{dir}/*.parquet"))
            )),
            Dialect::Spark => {
                if dir.chars().any(char::is_control) {
                    return Err(format!("{dir}: a control character in the path"));
                }
                Ok(format!(
                    "SELECT * FROM parquet.`{}`",
                    dir.replace('`', "``")
                ))
            }
        }
    }

    /// `SELECT * FROM VALUES … AS t(columns)`, or no rows of `empty`'s
    /// types when there is none.
    fn table(&self, columns: &[&str], rows: &[Vec<String>], empty: &[&str]) -> String {
        if rows.is_empty() {
            let nulls: Vec<String> = columns
                .iter()
                .zip(empty)
                .map(|(c, t)| format!("CAST(NULL AS {t}) AS {c}"))
                .collect();
            return format!("SELECT {} WHERE 1 = 0", nulls.join(", "));
        }
        let lines: Vec<String> = rows
            .iter()
            .map(|r| format!("  ({})", r.join(", ")))
            .collect();
        format!(
            "SELECT * FROM VALUES\n{}\nAS t({})",
            lines.join(",\n"),
            columns.join(", ")
        )
    }

    /// Every cell key with its labels and unit.
    fn keys(&self, keys: &Keys) -> String {
        let rows: Vec<Vec<String>> = keys
            .list
            .iter()
            .map(|(t, r, c, yuan)| {
                let key = (t.clone(), r.clone(), c.clone());
                let labels = keys.labels.get(&key);
                let label = |i: usize| labels.map_or("", |l| l[i].as_str());
                vec![
                    self.lit(t),
                    self.lit(r),
                    self.lit(c),
                    self.lit(label(0)),
                    self.lit(label(1)),
                    self.lit(label(2)),
                    self.lit(if *yuan { "yuan" } else { "count" }),
                ]
            })
            .collect();
        let columns = [
            "table_key",
            "row_key",
            "col_key",
            "table_label",
            "row_label",
            "col_label",
            "unit",
        ];
        self.table(&columns, &rows, &["STRING"; 7])
    }

    /// Every value of the three cell datasets as (report_id, key, unit,
    /// value): counts, litigation, project counts where printed, amounts in
    /// yuan. A key no template defines fails the query, as it fails xxgk.
    fn cells(&self) -> String {
        let message = "concat('derive: the datasets hold a cell ', c.table_key, '.', \
                       c.row_key, '.', c.col_key, ' that no template of this config defines; \
                       run derive with the config the ingest used')";
        format!(
            "SELECT c.report_id, c.table_key, c.row_key, c.col_key,
  CASE WHEN k.unit IS NULL THEN {} ELSE k.unit END AS unit,
  c.value
FROM (
  SELECT report_id, table_key, row_key, col_key, CAST(value AS {VALUE}) AS value
  FROM xxgk_disclosure_counts
  UNION ALL
  SELECT report_id, 'litigation', proceeding_key, outcome_key, CAST(value AS {VALUE})
  FROM xxgk_litigation
  UNION ALL
  SELECT report_id, 'procurement', item_key, 'project_count', CAST(project_count AS {VALUE})
  FROM xxgk_procurement WHERE project_count IS NOT NULL
  UNION ALL
  SELECT report_id, 'procurement', item_key, 'amount_yuan', CAST(amount_yuan AS {VALUE})
  FROM xxgk_procurement
) AS c
LEFT JOIN xxgk_keys AS k
  ON k.table_key = c.table_key AND k.row_key = c.row_key AND k.col_key = c.col_key",
            self.raise(message)
        )
    }

    /// `[[derive.sum]]` as rows (rule, template, component key, target row,
    /// rows the rule sums); `None` when no rule has a component.
    fn sum_map(&self, settings: &Settings, keys: &Keys) -> Option<String> {
        let mut rows = Vec::new();
        for (i, rule) in settings.derive.sum.iter().enumerate() {
            for (t, r, c, _) in &keys.list {
                if *t == rule.table && rule.rows.contains(r) && keys.kid(t, &rule.into, c).is_some()
                {
                    rows.push(vec![
                        i.to_string(),
                        self.lit(&rule.template),
                        self.lit(t),
                        self.lit(r),
                        self.lit(c),
                        self.lit(&rule.into),
                        rule.rows.len().to_string(),
                    ]);
                }
            }
        }
        if rows.is_empty() {
            return None;
        }
        let columns = [
            "rule",
            "template",
            "table_key",
            "row_key",
            "col_key",
            "into_row",
            "n",
        ];
        Some(self.table(&columns, &rows, &[]))
    }

    /// `[[derive.metric]]` as two tables: the signed terms of each part
    /// (`n` numerator, `d` denominator) and one row per metric.
    fn metric_tables(&self, settings: &Settings, keys: &Keys) -> Result<(String, String), String> {
        let (mut terms, mut defs) = (Vec::new(), Vec::new());
        for m in &settings.derive.metric {
            for (part, list) in [("n", &m.numerator), ("d", &m.denominator)] {
                for text in list {
                    let term = Term::parse(text, 3, false)?;
                    let (t, r, c) = (&term.parts[0], &term.parts[1], &term.parts[2]);
                    if keys.kid(t, r, c).is_none() {
                        return Err(format!(
                            "derive.metric {}: {text:?} names no cell of the templates",
                            m.key
                        ));
                    }
                    terms.push(vec![
                        self.lit(&m.key),
                        self.lit(part),
                        self.lit(t),
                        self.lit(r),
                        self.lit(c),
                        term.sign.to_string(),
                    ]);
                }
            }
            defs.push(vec![
                self.lit(&m.key),
                self.lit(&m.label),
                m.numerator.len().to_string(),
                m.denominator.len().to_string(),
            ]);
        }
        let terms = self.table(
            &[
                "metric_key",
                "part",
                "table_key",
                "row_key",
                "col_key",
                "sign",
            ],
            &terms,
            &["STRING", "STRING", "STRING", "STRING", "STRING", "BIGINT"],
        );
        let defs = self.table(
            &["metric_key", "metric_label", "n_num", "n_den"],
            &defs,
            &["STRING", "STRING", "INT", "INT"],
        );
        Ok((terms, defs))
    }

    /// `[[derive.cross_year]]`: the failed checks as findings rows.
    fn findings(&self, settings: &Settings) -> Result<String, String> {
        let mut parts = Vec::new();
        for check in &settings.derive.cross_year {
            parts.push(self.check(check)?);
        }
        if parts.is_empty() {
            let nulls: Vec<String> = FINDINGS
                .iter()
                .map(|(c, t)| format!("CAST(NULL AS {t}) AS {c}"))
                .collect();
            return Ok(format!("SELECT {} WHERE 1 = 0", nulls.join(", ")));
        }
        Ok(format!(
            "SELECT * FROM (\n{}\n) AS f\nORDER BY source_path, code, row_key, col_key",
            parts.join("\nUNION ALL\n")
        ))
    }

    /// One check: per pair of consecutive years (on its templates) and free
    /// key, both sides complete and unequal.
    fn check(&self, check: &CrossYearDef) -> Result<String, String> {
        let parse = |terms: &[String]| -> Result<Vec<Term>, String> {
            terms.iter().map(|t| Term::parse(t, 1, true)).collect()
        };
        let (left, right) = (parse(&check.left)?, parse(&check.right)?);
        let (term_col, free_col, what) = match check.each {
            Each::Column => ("row_key", "col_key", "column"),
            Each::Row => ("col_key", "row_key", "row"),
        };
        let pairs = if check.templates.is_empty() {
            "xxgk_pairs".to_string()
        } else {
            let list: Vec<String> = check.templates.iter().map(|t| self.lit(t)).collect();
            let list = list.join(", ");
            format!(
                "(SELECT * FROM xxgk_pairs WHERE template IN ({list}) \
                 AND prior_template IN ({list}))"
            )
        };
        let side = |terms: &[Term]| -> String {
            let mut selects = Vec::new();
            for prior in [false, true] {
                let these: Vec<String> = terms
                    .iter()
                    .filter(|t| t.prior == prior)
                    .map(|t| format!("({}, {})", self.lit(&t.parts[0]), t.sign))
                    .collect();
                if these.is_empty() {
                    continue;
                }
                let id = if prior {
                    "prior_report_id"
                } else {
                    "report_id"
                };
                selects.push(format!(
                    "    SELECT p.org_key, p.year, c.{free_col} AS free, c.value * t.sign AS v
    FROM {pairs} AS p
    JOIN xxgk_counts AS c ON c.report_id = p.{id}
    JOIN (VALUES {}) AS t(term, sign) ON c.{term_col} = t.term
    WHERE c.table_key = {}",
                    these.join(", "),
                    self.lit(&check.table)
                ));
            }
            format!(
                "  SELECT s.org_key, s.year, s.free, SUM(s.v) AS v FROM (\n{}\n  ) AS s
  GROUP BY s.org_key, s.year, s.free HAVING COUNT(s.v) = {}",
                selects.join("\n    UNION ALL\n"),
                terms.len()
            )
        };
        let first = left.first().map(|t| self.lit(&t.parts[0]));
        let first =
            first.ok_or_else(|| format!("derive.cross_year {}: no left term", check.code))?;
        let (row, col) = match check.each {
            Each::Column => (first, "l.free".to_string()),
            Each::Row => ("l.free".to_string(), first),
        };
        let message = [
            self.lit(&format!("{}, {what} ", check.table)),
            "l.free".into(),
            self.lit(&format!(": {} = ", expression(&left))),
            "CAST(CAST(l.v AS BIGINT) AS STRING)".into(),
            self.lit(&format!(" does not equal {} = ", expression(&right))),
            "CAST(CAST(r.v AS BIGINT) AS STRING)".into(),
            self.lit(" (last year's report: "),
            "p.prior_path".into(),
            self.lit("); the printed values are kept"),
        ];
        Ok(format!(
            "SELECT p.report_id, p.source_path, CAST(p.year AS INT) AS year,
  'warning' AS severity, {code} AS code, {table} AS table_key,
  CAST({row} AS STRING) AS row_key, CAST({col} AS STRING) AS col_key,
  CAST(NULL AS INT) AS page,
  concat({message}) AS message
FROM {pairs} AS p
JOIN (\n{l}\n) AS l ON l.org_key = p.org_key AND l.year = p.year
JOIN (\n{r}\n) AS r ON r.org_key = p.org_key AND r.year = p.year AND r.free = l.free
WHERE l.v <> r.v",
            code = self.lit(&check.code),
            table = self.lit(&check.table),
            message = message.join(", "),
            l = side(&left),
            r = side(&right),
        ))
    }
}

/// The findings dataset's columns and types (`sink::schema::findings`).
const FINDINGS: [(&str, &str); 10] = [
    ("report_id", "STRING"),
    ("source_path", "STRING"),
    ("year", "INT"),
    ("severity", "STRING"),
    ("code", "STRING"),
    ("table_key", "STRING"),
    ("row_key", "STRING"),
    ("col_key", "STRING"),
    ("page", "INT"),
    ("message", "STRING"),
];

/// Every count cell as an integer.
const COUNTS: &str = "SELECT report_id, table_key, row_key, col_key, CAST(value AS BIGINT) AS value
FROM xxgk_cells WHERE unit = 'count'";

/// One report per body and year: `ok` before `partial`, then the first
/// source_path; reports without body or year are not compared.
const CHOSEN: &str = "SELECT report_id, source_path, year, template, org_key, org_name, errors
FROM (
  SELECT r.*, ROW_NUMBER() OVER (
    PARTITION BY org_key, year
    ORDER BY CASE WHEN status = 'ok' THEN 0 ELSE 1 END, source_path
  ) AS xxgk_rank
  FROM xxgk_reports AS r
  WHERE status IN ('ok', 'partial') AND org_key IS NOT NULL AND year IS NOT NULL
) AS ranked
WHERE xxgk_rank = 1";

/// A chosen report and the one of its body's year before.
const PAIRS: &str = "SELECT a.report_id, a.source_path, a.year, a.org_key, a.template,
  b.report_id AS prior_report_id, b.source_path AS prior_path, b.template AS prior_template
FROM xxgk_chosen AS a
JOIN xxgk_chosen AS b ON b.org_key = a.org_key AND b.year + 1 = a.year";

/// The chosen reports' values, and with `summed` the configured sums: null
/// unless every row summed is there and not null.
fn values(summed: bool) -> String {
    let mut v = String::from(
        "SELECT ch.org_key, ch.year, ch.report_id, ch.org_name, ch.template, ch.errors,
  c.table_key, c.row_key, c.col_key, c.value
FROM xxgk_chosen AS ch
JOIN xxgk_cells AS c ON c.report_id = ch.report_id",
    );
    if summed {
        v.push_str(&format!(
            "
UNION ALL
SELECT ch.org_key, ch.year, ch.report_id, ch.org_name, ch.template, ch.errors,
  m.table_key, m.into_row, m.col_key,
  CAST(CASE WHEN COUNT(c.value) = m.n THEN SUM(c.value) END AS {VALUE})
FROM xxgk_chosen AS ch
JOIN xxgk_counts AS c ON c.report_id = ch.report_id
JOIN xxgk_sum_map AS m
  ON m.template = ch.template AND m.table_key = c.table_key
  AND m.row_key = c.row_key AND m.col_key = c.col_key
GROUP BY m.rule, m.n, ch.org_key, ch.year, ch.report_id, ch.org_name, ch.template,
  ch.errors, m.table_key, m.into_row, m.col_key"
        ));
    }
    v
}

/// Year N's value beside year N − 1's, per body and key both have.
/// pct_change: the delta and prior value as doubles, divided, times 100.
const COMPARISON: &str = "SELECT cur.org_key, CAST(cur.year AS INT) AS year,
  CAST(pr.year AS INT) AS prior_year,
  cur.table_key, cur.row_key, cur.col_key,
  k.table_label, k.row_label, k.col_label, k.unit,
  CAST(cur.value AS DECIMAL(38,4)) AS value,
  CAST(pr.value AS DECIMAL(38,4)) AS prior_value,
  CAST(cur.value - pr.value AS DECIMAL(38,4)) AS delta,
  CAST(CASE WHEN CAST(pr.value AS DOUBLE) <> 0
    THEN CAST(CAST(cur.value - pr.value AS DECIMAL(38,4)) AS DOUBLE)
      / CAST(pr.value AS DOUBLE) * CAST(100 AS DOUBLE)
  END AS DOUBLE) AS pct_change,
  cur.org_name, cur.report_id, pr.report_id AS prior_report_id,
  cur.template, pr.template AS prior_template,
  CAST(cur.errors > 0 OR pr.errors > 0 AS BOOLEAN) AS checks_failed
FROM xxgk_values AS cur
JOIN xxgk_values AS pr
  ON pr.org_key = cur.org_key AND pr.year + 1 = cur.year
  AND pr.table_key = cur.table_key AND pr.row_key = cur.row_key AND pr.col_key = cur.col_key
JOIN xxgk_keys AS k
  ON k.table_key = cur.table_key AND k.row_key = cur.row_key AND k.col_key = cur.col_key
ORDER BY org_key, year, table_key, row_key, col_key";

/// Each report's sum and count of present cells per metric part.
const METRIC_PARTS: &str = "SELECT c.report_id, t.metric_key, t.part,
  SUM(c.value * t.sign) AS total, COUNT(c.value) AS present
FROM xxgk_counts AS c
JOIN xxgk_metric_terms AS t
  ON t.table_key = c.table_key AND t.row_key = c.row_key AND t.col_key = c.col_key
GROUP BY c.report_id, t.metric_key, t.part";

/// Every metric of every report with a template that is not a duplicate;
/// null when a cell is missing or blank, or the denominator is 0.
const METRICS: &str = "SELECT report_id, year, org_key, org_name, template, source_path,
  metric_key, metric_label, numerator, denominator,
  CAST(CASE
    WHEN n_den = 0 THEN CAST(numerator AS DOUBLE)
    WHEN denominator <> 0 THEN CAST(numerator AS DOUBLE) / CAST(denominator AS DOUBLE)
  END AS DOUBLE) AS value,
  checks_failed
FROM (
  SELECT r.report_id, CAST(r.year AS INT) AS year, r.org_key, r.org_name, r.template,
    r.source_path, d.metric_key, d.metric_label, d.n_den,
    CAST(CASE WHEN n.present = d.n_num THEN n.total END AS BIGINT) AS numerator,
    CAST(CASE WHEN d.n_den > 0 AND dn.present = d.n_den THEN dn.total END AS BIGINT)
      AS denominator,
    CAST(r.errors > 0 AS BOOLEAN) AS checks_failed
  FROM xxgk_reports AS r
  CROSS JOIN xxgk_metric_defs AS d
  LEFT JOIN xxgk_metric_parts AS n
    ON n.report_id = r.report_id AND n.metric_key = d.metric_key AND n.part = 'n'
  LEFT JOIN xxgk_metric_parts AS dn
    ON dn.report_id = r.report_id AND dn.metric_key = d.metric_key AND dn.part = 'd'
  WHERE r.template <> 'none' AND r.status <> 'duplicate'
) AS m
ORDER BY source_path, report_id, metric_key";

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(text: &str) -> Vec<&str> {
        assert!(text.ends_with(END));
        text[..text.len() - END.len()].split(END).collect()
    }

    #[test]
    fn the_script_is_views_split_on_semicolon_newline() {
        let s = crate::settings::load(None, None).unwrap();
        for dialect in [Dialect::DuckDb, Dialect::Spark] {
            let text = script(Path::new("/data/out"), &s, dialect).unwrap();
            let views: Vec<&str> = statements(&text)
                .iter()
                .map(|st| {
                    let head = st.lines().next().unwrap();
                    let name = head
                        .strip_prefix("CREATE OR REPLACE TEMPORARY VIEW ")
                        .and_then(|h| h.strip_suffix(" AS"));
                    name.unwrap_or_else(|| panic!("{head}"))
                })
                .collect();
            assert_eq!(&views[..4], &INPUTS.map(|n| format!("xxgk_{n}"))[..]);
            assert_eq!(views[views.len() - 3..], OUTPUTS);
            assert!(
                !text.contains("findings/"),
                "the findings dataset is never read"
            );
        }
    }

    #[test]
    fn inputs_are_absolute_folders_of_out() {
        let s = crate::settings::load(None, None).unwrap();
        let duck = script(Path::new("rel/o'ut"), &s, Dialect::DuckDb).unwrap();
        let cwd = std::env::current_dir().unwrap();
        let want = format!(
            "read_parquet('{}/rel/o''ut/reports/*.parquet'",
            cwd.display()
        );
        assert!(duck.contains(&want), "{}", &duck[..300]);
        let spark = script(Path::new("/x/out/"), &s, Dialect::Spark).unwrap();
        assert!(spark.contains("FROM parquet.`/x/out/procurement`"));
    }

    #[test]
    fn literals_never_span_lines_and_escape_per_dialect() {
        let duck = Sql {
            dialect: Dialect::DuckDb,
        };
        let spark = Sql {
            dialect: Dialect::Spark,
        };
        assert_eq!(duck.lit("it's a\\b"), "'it''s a\\b'");
        assert_eq!(spark.lit("it's a\\b"), "'it\\'s a\\\\b'");
        assert_eq!(duck.lit("a;\nb"), "('a;' || chr(10) || 'b')");
        assert_eq!(duck.lit(""), "''");
        assert_eq!(spark.lit("\n"), "chr(10)");
    }

    #[test]
    fn the_checks_and_metrics_come_from_the_config() {
        let s = crate::settings::load(None, None).unwrap();
        let text = script(Path::new("/o"), &s, Dialect::DuckDb).unwrap();
        for c in &s.derive.cross_year {
            assert!(
                text.contains(&format!("'{}' AS code", c.code)),
                "{}",
                c.code
            );
        }
        for m in &s.derive.metric {
            assert!(text.contains(&format!("('{}', '{}',", m.key, m.label)));
        }
        assert!(text.contains("does not equal last year''s in_force + issued - repealed = "));
    }
}
