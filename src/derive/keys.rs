//! Every cell key the datasets can hold, numbered, with its labels: what
//! the derive stage and its emitted SQL both name their rows with.

use std::collections::{BTreeSet, HashMap};

use crate::settings::Settings;
use crate::template::ColumnKind;

/// Every cell key the datasets can hold, numbered (`kid`): the templates'
/// count cells, the money items as `procurement.<item>.{project_count,
/// amount_yuan}`, and the configured sums. Joins then compare numbers, and
/// the key strings are attached to output rows only.
pub struct Keys {
    pub list: Vec<(String, String, String, bool)>,
    index: HashMap<(String, String, String), u32>,
    /// Table, row and column labels per key: the last template's that
    /// defines it (the newest form); money columns without their unit
    /// (the amount is in yuan).
    pub labels: HashMap<(String, String, String), [String; 3]>,
}

impl Keys {
    pub fn new(settings: &Settings) -> Keys {
        let t = &settings.templates;
        let mut set: BTreeSet<(String, String, String, bool)> = BTreeSet::new();
        let mut labels = HashMap::new();
        for def in &t.tables {
            for row in &def.rows {
                for c in &def.columns {
                    let (table, col, yuan) = match c.kind {
                        ColumnKind::Money => ("procurement", "amount_yuan", true),
                        ColumnKind::ProjectCount => ("procurement", "project_count", false),
                        _ => (def.key.as_str(), c.key.as_str(), false),
                    };
                    let key = (table.to_string(), row.key.clone(), col.to_string());
                    let col_label = match c.kind {
                        ColumnKind::Money => c.label.split('（').next().unwrap_or(&c.label),
                        _ => &c.label,
                    };
                    labels.insert(
                        key.clone(),
                        [def.label.clone(), row.label.clone(), col_label.to_string()],
                    );
                    set.insert((key.0, key.1, key.2, yuan));
                }
            }
        }
        for rule in &settings.derive.sum {
            for def in t.tables.iter().filter(|d| d.key == rule.table) {
                for c in &def.columns {
                    let key = (rule.table.clone(), rule.into.clone(), c.key.clone());
                    // A sum a template prints as a row of its own has that
                    // row's label; otherwise its key stands in.
                    labels
                        .entry(key.clone())
                        .or_insert_with(|| [def.label.clone(), rule.into.clone(), c.label.clone()]);
                    set.insert((key.0, key.1, key.2, false));
                }
            }
        }
        let list: Vec<_> = set.into_iter().collect();
        let index = list
            .iter()
            .enumerate()
            .map(|(i, (t, r, c, _))| ((t.clone(), r.clone(), c.clone()), i as u32))
            .collect();
        Keys {
            list,
            index,
            labels,
        }
    }

    pub fn kid(&self, t: &str, r: &str, c: &str) -> Option<u32> {
        self.index
            .get(&(t.to_string(), r.to_string(), c.to_string()))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_the_templates_labels() {
        let s = crate::settings::load(None, None).unwrap();
        let k = Keys::new(&s);
        let label = |t: &str, r: &str, c: &str| k.labels[&(t.into(), r.into(), c.into())].clone();
        assert_eq!(
            label("requests", "other", "total"),
            ["收到和处理政府信息公开申请情况", "（六）其他处理", "总计"]
        );
        assert_eq!(
            label("litigation", "administrative_review", "corrected"),
            ["政府信息公开行政复议、行政诉讼情况", "行政复议", "结果纠正"]
        );
        // The money column without its unit: the amount is in yuan.
        assert_eq!(
            label("procurement", "administrative_fees", "amount_yuan"),
            ["第二十条第（八）项", "行政事业性收费", "本年收费金额"]
        );
        assert_eq!(
            label("art20_1", "regulations", "in_force")[2],
            "现行有效件数"
        );
        // Every key has its three labels.
        for (t, r, c, _) in &k.list {
            let l = label(t, r, c);
            assert!(l.iter().all(|x| !x.is_empty()), "{t}.{r}.{c}: {l:?}");
        }
    }

    #[test]
    fn keys_cover_counts_money_and_sums() {
        let s = crate::settings::load(None, None).unwrap();
        let k = Keys::new(&s);
        for (t, r, c) in [
            ("requests", "other", "total"),
            ("requests", "other_other", "natural_person"),
            ("litigation", "administrative_review", "corrected"),
            ("art20_1", "regulations", "in_force"),
            ("procurement", "centralized_procurement", "amount_yuan"),
            ("procurement", "centralized_procurement", "project_count"),
            ("procurement", "administrative_fees", "amount_yuan"),
        ] {
            assert!(k.kid(t, r, c).is_some(), "{t}.{r}.{c}");
        }
        // Money is a procurement cell, not a count of its table.
        assert!(k
            .kid("art20_9", "centralized_procurement", "total_amount")
            .is_none());
        let yuan: Vec<&str> = k
            .list
            .iter()
            .filter(|x| x.3)
            .map(|x| x.2.as_str())
            .collect();
        assert!(yuan.iter().all(|c| *c == "amount_yuan") && !yuan.is_empty());
    }
}
