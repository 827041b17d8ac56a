//! Templates as data: the TOML files of `config/templates/` parsed, checked and
//! compiled into the structures the matcher uses.
//!
//! It takes template sources (name + text) and gives a `Templates` value whose
//! labels are already normalised. It rejects unknown fields, duplicate keys and
//! checks naming keys that do not exist, with the file and line. It never
//! holds a table label of its own: every label comes from the files.

use serde::Deserialize;
use toml::Spanned;

use crate::segment::normalise::Normaliser;

/// A normalised label as the matcher uses it: its text, its length in
/// characters and the bloom of its characters, so most cells are ruled out
/// without comparing strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub text: String,
    pub chars: usize,
    pub bloom: u64,
}

impl Label {
    pub fn new(text: String) -> Label {
        Label {
            chars: text.chars().count(),
            bloom: bloom(&text),
            text,
        }
    }
}

impl std::ops::Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// One bit per character (hashed into 64): if `a` contains `b`, every bit of
/// `bloom(b)` is set in `bloom(a)`.
pub fn bloom(s: &str) -> u64 {
    s.chars().fold(0u64, |m, c| {
        m | 1 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 26)
    })
}

/// All templates of a run, with every table variant they define.
#[derive(Debug)]
pub struct Templates {
    pub templates: Vec<Template>,
    /// Every table variant of every template; `Template::tables` indexes this.
    pub tables: Vec<TableDef>,
    /// Distinct table keys in order of first definition.
    pub table_keys: Vec<String>,
    pub normaliser: Normaliser,
    /// Every label text of `tables`, for matching each cell once.
    pub(crate) index: crate::extract::hits::Index,
}

#[derive(Debug)]
pub struct Template {
    pub name: String,
    pub title: String,
    pub tables: Vec<usize>,
    pub checks: Vec<Check>,
}

/// Which dataset a table's count cells go to. Money and project-count columns
/// always go to `procurement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    #[default]
    DisclosureCounts,
    Litigation,
}

/// `grid`: each row is printed as a label followed by its values.
/// `flat`: no row labels; all values follow the header, row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    #[default]
    Grid,
    Flat,
}

/// What to do with a row printing fewer values than it has columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ShortRow {
    /// Every value of the row is null, with a `row.short` finding.
    #[default]
    Null,
    /// When every printed value is 0, the row is all 0 (`row.short_zero`).
    ZeroIfAllZero,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A whole number.
    #[default]
    Count,
    /// 本年增/减: a whole number whose sign may be written in words.
    Change,
    /// An amount of money with a unit (tables.md, "Money").
    Money,
    /// The count printed beside a money cell (采购项目数量).
    ProjectCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Each {
    Column,
    Row,
}

#[derive(Debug)]
pub struct TableDef {
    pub key: String,
    pub label: String,
    pub template: usize,
    pub dataset: Dataset,
    pub shape: Shape,
    pub short_row: ShortRow,
    /// Normalised caption aliases.
    pub captions: Vec<Label>,
    /// How many characters a caption cell may hold beyond the caption (a
    /// prefix such as 《中华人民共和国政府信息公开条例》).
    pub caption_max_extra: usize,
    pub columns: Vec<ColumnDef>,
    pub rows: Vec<RowDef>,
    pub groups: Vec<GroupDef>,
    /// Normalised labels that stand in the table without values.
    pub ignore: Vec<Label>,
}

#[derive(Debug)]
pub struct ColumnDef {
    pub key: String,
    pub label: String,
    pub kind: ColumnKind,
    /// Normalised label and aliases, longest first.
    pub aliases: Vec<Label>,
}

#[derive(Debug)]
pub struct RowDef {
    pub key: String,
    pub label: String,
    /// Normalised label and aliases, longest first.
    pub aliases: Vec<Label>,
}

#[derive(Debug)]
pub struct GroupDef {
    pub label: Label,
    pub columns: Vec<usize>,
}

#[derive(Debug)]
pub struct Check {
    pub code: String,
    /// Index into `Templates::tables`.
    pub table: usize,
    pub each: Each,
    /// Row indexes (`each = column`) or column indexes (`each = row`).
    pub left: Vec<usize>,
    pub right: Vec<usize>,
}

impl TableDef {
    pub fn values_per_table(&self) -> usize {
        self.rows.len() * self.columns.len()
    }
}

// ---- the TOML model ---------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    tables: Vec<TableToml>,
    #[serde(default)]
    checks: Vec<CheckToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableToml {
    key: Spanned<String>,
    label: String,
    #[serde(default)]
    captions: Vec<String>,
    #[serde(default)]
    caption_max_extra: Option<usize>,
    #[serde(default)]
    dataset: Dataset,
    #[serde(default)]
    shape: Shape,
    #[serde(default)]
    short_row: ShortRow,
    #[serde(default)]
    ignore: Vec<String>,
    columns: Vec<ColumnToml>,
    rows: Vec<RowToml>,
    #[serde(default)]
    groups: Vec<GroupToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnToml {
    key: Spanned<String>,
    label: String,
    #[serde(default)]
    kind: ColumnKind,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowToml {
    key: Spanned<String>,
    label: String,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupToml {
    label: String,
    columns: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckToml {
    code: String,
    table: Spanned<String>,
    each: Each,
    left: Vec<Spanned<String>>,
    right: Vec<Spanned<String>>,
}

/// Default extra characters a caption cell may carry.
const CAPTION_MAX_EXTRA: usize = 24;

/// A template source: where it came from (for messages) and its text.
pub struct Source<'a> {
    pub name: String,
    pub text: &'a str,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Loads and checks every template; the error names the file and line.
pub fn compile(sources: &[Source<'_>], normaliser: Normaliser) -> Result<Templates, String> {
    let mut out = Templates {
        templates: Vec::new(),
        tables: Vec::new(),
        table_keys: Vec::new(),
        normaliser,
        index: Default::default(),
    };
    for src in sources {
        let file: TemplateFile =
            toml::from_str(src.text).map_err(|e| format!("{}: {}", src.name, e))?;
        let at =
            |s: &Spanned<String>| format!("{}:{}", src.name, line_of(src.text, s.span().start));
        if out.templates.iter().any(|t| t.name == file.name) {
            return Err(format!(
                "{}: template {:?} is defined twice",
                src.name, file.name
            ));
        }
        let t_index = out.templates.len();
        let mut template = Template {
            name: file.name.clone(),
            title: file.title.clone(),
            tables: Vec::new(),
            checks: Vec::new(),
        };
        for table in &file.tables {
            let key = table.key.get_ref();
            if template.tables.iter().any(|&i| out.tables[i].key == *key) {
                return Err(format!(
                    "{}: table {key:?} is defined twice",
                    at(&table.key)
                ));
            }
            let def = compile_table(table, t_index, &out.normaliser, &at)?;
            if let Some(other) = out.tables.iter().find(|o| o.key == def.key) {
                if other.dataset != def.dataset {
                    return Err(format!(
                        "{}: table {key:?} goes to another dataset than in template {:?}",
                        at(&table.key),
                        out.templates[other.template].name
                    ));
                }
            } else {
                out.table_keys.push(def.key.clone());
            }
            template.tables.push(out.tables.len());
            out.tables.push(def);
        }
        for check in &file.checks {
            let table_key = check.table.get_ref();
            let Some(&table) = template
                .tables
                .iter()
                .find(|&&i| out.tables[i].key == *table_key)
            else {
                return Err(format!(
                    "{}: check {:?} names table {table_key:?}, which this template does not define",
                    at(&check.table),
                    check.code
                ));
            };
            let def = &out.tables[table];
            let resolve = |keys: &[Spanned<String>]| -> Result<Vec<usize>, String> {
                keys.iter()
                    .map(|k| {
                        let found = match check.each {
                            Each::Column => def.rows.iter().position(|r| r.key == *k.get_ref()),
                            Each::Row => def.columns.iter().position(|c| c.key == *k.get_ref()),
                        };
                        found.ok_or_else(|| {
                            let what = match check.each {
                                Each::Column => "row",
                                Each::Row => "column",
                            };
                            format!(
                                "{}: check {:?}: table {table_key:?} has no {what} {:?}",
                                at(k),
                                check.code,
                                k.get_ref()
                            )
                        })
                    })
                    .collect()
            };
            template.checks.push(Check {
                code: check.code.clone(),
                table,
                each: check.each,
                left: resolve(&check.left)?,
                right: resolve(&check.right)?,
            });
        }
        out.templates.push(template);
    }
    if out.templates.is_empty() {
        return Err("no templates configured".to_string());
    }
    out.index = crate::extract::hits::Index::new(&out.tables);
    Ok(out)
}

fn aliases(
    n: &Normaliser,
    label: &str,
    extra: &[String],
    what: &str,
) -> Result<Vec<Label>, String> {
    let mut all: Vec<String> = std::iter::once(label)
        .chain(extra.iter().map(String::as_str))
        .map(|a| n.label(a))
        .collect();
    if all.iter().any(String::is_empty) {
        return Err(format!("{what}: a label or alias is empty once normalised"));
    }
    all.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    all.dedup();
    Ok(all.into_iter().map(Label::new).collect())
}

fn compile_table(
    t: &TableToml,
    template: usize,
    n: &Normaliser,
    at: &dyn Fn(&Spanned<String>) -> String,
) -> Result<TableDef, String> {
    let key = t.key.get_ref().clone();
    let mut columns: Vec<ColumnDef> = Vec::new();
    for c in &t.columns {
        if columns.iter().any(|o| o.key == *c.key.get_ref()) {
            return Err(format!(
                "{}: column {:?} is defined twice",
                at(&c.key),
                c.key.get_ref()
            ));
        }
        columns.push(ColumnDef {
            key: c.key.get_ref().clone(),
            label: c.label.clone(),
            kind: c.kind,
            aliases: aliases(n, &c.label, &c.aliases, &at(&c.key))?,
        });
    }
    let mut rows: Vec<RowDef> = Vec::new();
    for r in &t.rows {
        if rows.iter().any(|o| o.key == *r.key.get_ref()) {
            return Err(format!(
                "{}: row {:?} is defined twice",
                at(&r.key),
                r.key.get_ref()
            ));
        }
        rows.push(RowDef {
            key: r.key.get_ref().clone(),
            label: r.label.clone(),
            aliases: aliases(n, &r.label, &r.aliases, &at(&r.key))?,
        });
    }
    if columns.is_empty() || rows.is_empty() {
        return Err(format!(
            "{}: table {key:?} needs columns and rows",
            at(&t.key)
        ));
    }
    let mut groups = Vec::new();
    for g in &t.groups {
        let mut idx = Vec::new();
        for c in &g.columns {
            let i = columns
                .iter()
                .position(|col| col.key == *c.get_ref())
                .ok_or_else(|| {
                    format!("{}: group names unknown column {:?}", at(c), c.get_ref())
                })?;
            idx.push(i);
        }
        groups.push(GroupDef {
            label: Label::new(n.label(&g.label)),
            columns: idx,
        });
    }
    let mut captions: Vec<String> = t.captions.iter().map(|c| n.label(c)).collect();
    if captions.iter().any(String::is_empty) {
        return Err(format!(
            "{}: a caption is empty once normalised",
            at(&t.key)
        ));
    }
    captions.sort_by_key(|c| std::cmp::Reverse(c.chars().count()));
    let captions: Vec<Label> = captions.into_iter().map(Label::new).collect();
    Ok(TableDef {
        key,
        label: t.label.clone(),
        template,
        dataset: t.dataset,
        shape: t.shape,
        short_row: t.short_row,
        captions,
        caption_max_extra: t.caption_max_extra.unwrap_or(CAPTION_MAX_EXTRA),
        columns,
        rows,
        groups,
        ignore: t
            .ignore
            .iter()
            .map(|s| n.label(s))
            .filter(|s| !s.is_empty())
            .map(Label::new)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normaliser {
        Normaliser::new("", "()（）、.").unwrap()
    }

    const MINI: &str = r#"
name = "t"
[[tables]]
key = "a"
label = "A"
columns = [{ key = "x", label = "甲" }, { key = "y", label = "乙" }]
rows = [{ key = "r", label = "一、行一" }]
[[checks]]
code = "a.sum"
table = "a"
each = "row"
left = ["x"]
right = ["y"]
"#;

    #[test]
    fn compiles_a_small_template() {
        let t = compile(
            &[Source {
                name: "mini.toml".into(),
                text: MINI,
            }],
            norm(),
        )
        .unwrap();
        assert_eq!(t.tables[0].rows[0].aliases, vec!["行一"]);
        assert_eq!(t.templates[0].checks[0].left, vec![0]);
    }

    #[test]
    fn rejects_unknown_fields_with_the_file() {
        let bad = MINI.replace("label = \"A\"", "label = \"A\"\ncolour = 1");
        let e = compile(
            &[Source {
                name: "bad.toml".into(),
                text: &bad,
            }],
            norm(),
        )
        .unwrap_err();
        assert!(e.starts_with("bad.toml"), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn rejects_checks_naming_missing_keys_with_the_line() {
        let bad = MINI.replace("right = [\"y\"]", "right = [\"z\"]");
        let e = compile(
            &[Source {
                name: "bad.toml".into(),
                text: &bad,
            }],
            norm(),
        )
        .unwrap_err();
        assert!(e.starts_with("bad.toml:13:"), "{e}");
        assert!(e.contains("no column \"z\""), "{e}");
    }

    #[test]
    fn rejects_duplicate_keys() {
        let bad = MINI.replace("key = \"y\"", "key = \"x\"");
        let e = compile(
            &[Source {
                name: "bad.toml".into(),
                text: &bad,
            }],
            norm(),
        )
        .unwrap_err();
        assert!(e.contains("defined twice"), "{e}");
    }
}
