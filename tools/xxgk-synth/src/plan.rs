//! One synthetic report as data: its year, form, body, layout, encoding and
//! noise, every table's values (the oracle) and the text each cell prints.
//!
//! It takes the compiled templates and a report's random stream and gives a
//! `Plan` that `text` and `html` render and `oracle` writes out. Labels,
//! captions and column headers come from the templates; only the structure of
//! the 勾稽 checks (tables.md, "Consistency checks") and the group labels the
//! templates list as `ignore` are spelled here, by canonical keys. It never
//! touches the file system.

use super::body::{Body, Values, LAST_YEAR};
use super::format::Formats;
use super::rng::Rng;
use xxgk::template::{ColumnKind, Dataset, Shape, TableDef, Template, Templates};

/// How a report's tables arrive as text (real-world.md, "How a table arrives
/// as text", items 1–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 1: tab-separated rows (PDF text).
    TabRows,
    /// 2: one cell per line with a leading tab, a blank line between rows (DOCX).
    DocxCells,
    /// 3: one cell per line, a blank line between every cell (web page text).
    WebCells,
    /// 4: pipe rows `规章 | 0 | 0 | 0 |`.
    PipeRows,
    /// 5: one cell per line with pipes (two variants).
    PipeLines,
    /// 6: space-separated rows (PDF page text), headers over two lines.
    SpaceRows,
    /// 7: an HTML page.
    Html,
    /// A PDF file (`pdf`): ruled tables drawn glyph by glyph.
    Pdf,
    /// A Word file (`docx`): Word tables.
    Docx,
}

impl Layout {
    pub const ALL: [Layout; 7] = [
        Layout::TabRows,
        Layout::DocxCells,
        Layout::WebCells,
        Layout::PipeRows,
        Layout::PipeLines,
        Layout::SpaceRows,
        Layout::Html,
    ];

    /// Every layout a corpus may hold: the seven of `ALL` (what a plan
    /// draws from), then PDF and DOCX (what `--formats` gives a share).
    pub const WRITTEN: [Layout; 9] = {
        let mut all = [Layout::Docx; 9];
        let mut i = 0;
        while i < Layout::ALL.len() {
            all[i] = Layout::ALL[i];
            i += 1;
        }
        all[7] = Layout::Pdf;
        all
    };

    /// The text layouts: `ALL` but HTML (its last).
    pub const TEXT: [Layout; 6] = {
        let mut text = [Layout::TabRows; 6];
        let mut i = 0;
        while i < text.len() {
            text[i] = Layout::ALL[i];
            i += 1;
        }
        text
    };

    pub fn name(self) -> &'static str {
        match self {
            Layout::TabRows => "tab_rows",
            Layout::DocxCells => "docx_cells",
            Layout::WebCells => "web_cells",
            Layout::PipeRows => "pipe_rows",
            Layout::PipeLines => "pipe_lines",
            Layout::SpaceRows => "space_rows",
            Layout::Html => "html",
            Layout::Pdf => "pdf",
            Layout::Docx => "docx",
        }
    }

    /// The file name extension, which is the `reports.format` xxgk gives.
    pub fn extension(self) -> &'static str {
        match self {
            Layout::Html => "html",
            Layout::Pdf => "pdf",
            Layout::Docx => "docx",
            _ => "txt",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The bytes a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
    Utf16LeBom,
}

impl Encoding {
    /// The name the `reports` dataset gives it (a BOM is not part of it).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => "utf-8",
            Encoding::Gbk => "gbk",
            Encoding::Utf16LeBom => "utf-16le",
        }
    }
}

/// Noise kinds, each one of the things real-world.md lists, as bits.
pub mod noise {
    /// `1,113`: thousands separators in counts from 1000 up.
    pub const THOUSANDS: u32 = 1 << 0;
    /// `１２`: full-width digits in some counts.
    pub const FULLWIDTH: u32 = 1 << 1;
    /// `0件`: a count suffix on some zeros.
    pub const ZERO_SUFFIX: u32 = 1 << 2;
    /// `增3`, `+3`, `减2`, `减少2` in 本年增/减.
    pub const CHANGE_SIGNS: u32 = 1 << 3;
    /// `本年新 制作数量`, `本年增\减`, a template alias as the header.
    pub const HEADER_VARIANTS: u32 = 1 << 4;
    /// A row label broken across lines around its values (PDF text: tab and
    /// space-separated rows), heads two rows share and heads holding a
    /// column word included.
    pub const SPLIT_LABELS: u32 = 1 << 5;
    /// `《中华人民共和国政府信息公开条例》第二十条第（一）项`, with or without 《》.
    pub const CAPTION_PREFIX: u32 = 1 << 6;
    /// `第二十条第(一)项`, `(一)予以公开`.
    pub const HALFWIDTH_BRACKETS: u32 = 1 << 7;
    /// Empty cells (null) where no check reads them; `/` or `—` where the
    /// layout cannot show an empty cell.
    pub const BLANK_CELLS: u32 = 1 << 8;
    /// The requests table's two-row header in reading order (自然人,
    /// 法人或其他组织, 总计, then 商业企业 … 其他), in cell-by-cell text.
    pub const FLATTENED_HEADER: u32 = 1 << 9;
    /// Page numbers, running headers and a repeated table header inside a
    /// table (PDF text); a group label cut by the break.
    pub const PAGE_BREAKS: u32 = 1 << 10;
    /// Group labels printed one character per line (PDF text).
    pub const VERTICAL_GROUPS: u32 = 1 << 11;
    /// Header cells and long labels broken mid-word over two lines (PDF
    /// text), a money unit cut by the break included.
    pub const BROKEN_HEADERS: u32 = 1 << 12;
    /// Characters spaced apart in labels and headers (`结 果 维 持`).
    pub const SPACED_CHARS: u32 = 1 << 13;
    /// A row shifted by a stray empty cell.
    pub const STRAY_BLANK: u32 = 1 << 14;
    /// The requests table with 总计 printed before 自然人.
    pub const TOTAL_FIRST: u32 = 1 << 15;
    /// A 2021+ report printing one table on the gb2019 form.
    pub const MIXED_FORMS: u32 = 1 << 16;
    /// The title over two lines, years of other kinds in the prose.
    pub const SPLIT_TITLE: u32 = 1 << 17;
    /// A document holding only table 4, space-separated.
    pub const LITIGATION_ALONE: u32 = 1 << 18;
    /// Label variants: 规章（市政府令）, 七、总计, quote characters.
    pub const LABEL_VARIANTS: u32 = 1 << 19;
    /// Labels, headers and captions in traditional script (mirrored sites).
    pub const TRADITIONAL: u32 = 1 << 20;
    /// A non-zero amount printed with no unit, in the cell or the header
    /// (`808`, `153103.83`): its yuan value is unknown.
    pub const MONEY_NO_UNIT: u32 = 1 << 21;
    /// Section captions with typos (`行政法复议`, `申情况`) and a 第二十条
    /// item printed without its caption.
    pub const CAPTION_TYPOS: u32 = 1 << 22;
    /// A saved page that stops in the middle of the requests table: the
    /// cells after the cut are not printed (null in the oracle).
    pub const TRUNCATED: u32 = 1 << 23;

    /// Every kind with its name in the oracle, in a fixed order.
    pub const ALL: [(u32, &str); 24] = [
        (THOUSANDS, "thousands_separators"),
        (FULLWIDTH, "fullwidth_digits"),
        (ZERO_SUFFIX, "zero_suffix"),
        (CHANGE_SIGNS, "change_signs"),
        (HEADER_VARIANTS, "header_variants"),
        (SPLIT_LABELS, "split_labels"),
        (CAPTION_PREFIX, "caption_prefix"),
        (HALFWIDTH_BRACKETS, "halfwidth_brackets"),
        (BLANK_CELLS, "blank_cells"),
        (FLATTENED_HEADER, "flattened_header"),
        (PAGE_BREAKS, "page_breaks"),
        (VERTICAL_GROUPS, "vertical_group_labels"),
        (BROKEN_HEADERS, "broken_headers"),
        (SPACED_CHARS, "spaced_chars"),
        (STRAY_BLANK, "stray_blank"),
        (TOTAL_FIRST, "total_first"),
        (MIXED_FORMS, "mixed_forms"),
        (SPLIT_TITLE, "split_title"),
        (LITIGATION_ALONE, "litigation_alone"),
        (LABEL_VARIANTS, "label_variants"),
        (TRADITIONAL, "traditional_script"),
        (MONEY_NO_UNIT, "money_no_unit"),
        (CAPTION_TYPOS, "caption_typos"),
        (TRUNCATED, "truncated"),
    ];

    /// Every kind the generator knows (the default of `--noise-kinds`).
    pub const EVERY: u32 = {
        let mut m = 0;
        let mut i = 0;
        while i < ALL.len() {
            m |= ALL[i].0;
            i += 1;
        }
        m
    };

    /// The mask of kinds named in a comma-separated list (`all` for every
    /// kind); an unknown name is an error naming it.
    pub fn parse(list: &str) -> Result<u32, String> {
        let mut m = 0;
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "all" {
                m |= EVERY;
                continue;
            }
            match ALL.iter().find(|(_, n)| *n == name) {
                Some((bit, _)) => m |= bit,
                None => {
                    let known: Vec<&str> = ALL.iter().map(|(_, n)| *n).collect();
                    return Err(format!(
                        "unknown noise kind {name:?} (known: all, {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(m)
    }

    /// The names of the kinds in a mask, in the order of `ALL`.
    pub fn names(mask: u32) -> Vec<&'static str> {
        ALL.iter()
            .filter(|(bit, _)| mask & bit != 0)
            .map(|(_, n)| *n)
            .collect()
    }
}

/// The finding codes of the checks a report may break on purpose
/// (config/templates/*.toml, `[[checks]]`).
pub const BREAKABLE: [&str; 4] = [
    "requests.balance",
    "requests.row_total",
    "requests.outcome_total",
    "litigation.total",
];

/// What a table is, by its place in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A 第二十条 item of table 2.
    Item,
    /// Table 3, `requests`.
    Requests,
    /// Table 4, `litigation` (a flat table).
    Litigation,
}

/// A row label printed across three lines (layout 1): its head, the values,
/// its tail (`4.保护第三` / values / `方合法权益`, real-world.md item 1).
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub row: usize,
    /// Byte offset in the printed label.
    pub at: usize,
}

/// One table as printed.
#[derive(Debug)]
pub struct PTable<'t> {
    pub def: &'t TableDef,
    pub kind: Kind,
    /// The item caption as printed (items only).
    pub caption: String,
    /// Column headers as printed.
    pub headers: Vec<String>,
    /// Row labels as printed.
    pub labels: Vec<String>,
    /// Cell text as printed, row-major; empty means an empty cell.
    pub cells: Vec<String>,
    /// The oracle: count values, row-major; `None` for a null or a money cell.
    pub values: Vec<Option<i64>>,
    pub splits: Vec<Split>,
    /// The printed order of the columns (indexes into `def.columns`): the
    /// template's, or 总计 first (`noise::TOTAL_FIRST`).
    pub order: Vec<usize>,
}

impl PTable<'_> {
    pub fn ncols(&self) -> usize {
        self.def.columns.len()
    }

    pub fn cell(&self, r: usize, c: usize) -> &str {
        &self.cells[r * self.ncols() + c]
    }
}

/// A money cell of the oracle.
#[derive(Debug)]
pub struct MoneyCell {
    pub key: String,
    /// The amount in yuan; `None` when no unit is printed.
    pub yuan: Option<String>,
    pub raw: String,
}

/// Numbers and words of the prose.
#[derive(Debug)]
pub struct Prose {
    pub phone: String,
    /// The site the report is published on (region + site name).
    pub site: String,
    pub posted: u32,
    pub pushed: u32,
    pub briefings: u32,
    pub trainings: u32,
    pub trainees: u32,
    pub growth: u32,
    pub proposals: (u32, u32),
    pub sign: (u32, u32),
    pub intro: usize,
    pub we: &'static str,
    /// The county or town whose site publishes the page (HTML chrome).
    pub region: String,
}

/// Everything about one report.
#[derive(Debug)]
pub struct Plan<'t> {
    pub index: usize,
    pub year: i32,
    pub template: &'t Template,
    pub org: String,
    pub layout: Layout,
    /// Layout 5 variant: each cell followed by a lone `|` line.
    pub pipe_after: bool,
    pub encoding: Encoding,
    pub noise: u32,
    pub broken: Option<&'static str>,
    /// The warning and error codes xxgk must report: the broken check, and
    /// what the printing calls for (`amount.unit_unknown`); sorted.
    pub findings: Vec<&'static str>,
    /// The table (an item of table 2) printed without its caption.
    pub no_caption: Option<usize>,
    /// A truncated page: the requests row it stops in and how many of its
    /// values (in printed order) are printed.
    pub truncate: Option<(usize, usize)>,
    pub tables: Vec<PTable<'t>>,
    pub money: Vec<MoneyCell>,
    /// Printed group labels of the requests table: 三、本年度办理结果, then
    /// （三）不予公开, （四）无法提供, （五）不予处理, （六）其他处理.
    pub groups: [String; 5],
    /// The note in the requests header corner.
    pub corner: String,
    /// HTML: all of table 2 in one `<table>` (else one per item).
    pub one_table: bool,
    /// HTML: page chrome around the article (0 none, 1 light, 2 full).
    pub chrome: u8,
    pub prose: Prose,
    /// Seeds the renderer's own choices (spacing, cell wrapping).
    pub render_seed: u64,
}

// ---- the words of a report ---------------------------------------------------

const PLACES: &[&str] = &[
    "临江", "宁远", "白河", "东湖", "青州", "梅江", "北塘", "松阳", "黎川", "永泰", "岳西", "桃源",
    "金牛", "衡川", "柳溪", "泽源", "云岭", "枫溪", "长丰", "西峰", "安平", "清河", "新化", "广昌",
    "龙泉", "石门", "平江", "江华", "兴宁", "南丰", "崇仁", "德安", "武宁", "修水", "安远", "定南",
    "峡江", "泰和", "遂川", "万载", "宜丰", "铜鼓", "靖安", "奉新", "高安", "丰城", "樟树", "新干",
    "永丰", "吉水", "宜黄", "金溪", "资溪", "进贤", "南城", "黎平", "榕江", "从江", "锦屏", "天柱",
    "三穗", "施秉", "台江", "剑河", "雷山", "麻江", "丹寨", "荔波", "独山", "平塘", "罗甸", "长顺",
    "惠水", "龙里", "贵定", "瓮安", "福泉", "凤阳", "怀远", "灵璧", "泗阳", "沭阳", "睢宁", "丰宁",
];

const TOWNS: &[&str] = &[
    "城关", "白沙", "河口", "新街", "石桥", "大坪", "马坡", "柳林", "桥头", "高峰", "凤凰", "青山",
    "龙门", "太平", "永安", "黄田", "水口", "沙田", "长岭", "茶园", "枫林", "梅林", "花桥", "双溪",
];

const DEPTS: &[&str] = &[
    "财政局",
    "教育局",
    "教育体育局",
    "卫生健康局",
    "自然资源局",
    "市场监督管理局",
    "生态环境局",
    "交通运输局",
    "住房和城乡建设局",
    "农业农村局",
    "司法局",
    "公安局",
    "水务局",
    "水利局",
    "民政局",
    "人力资源和社会保障局",
    "商务局",
    "文化旅游体育局",
    "应急管理局",
    "统计局",
    "审计局",
    "林业局",
    "医疗保障局",
    "退役军人事务局",
    "发展和改革局",
    "发展和改革委员会",
    "卫生健康委员会",
    "城市管理局",
    "数据资源管理局",
];

const LEVELS: &[&str] = &["县", "区", "市"];

/// Site names after the region (宜黄区人民政府门户网站).
const SITES: &[&str] = &[
    "人民政府门户网站",
    "人民政府网站",
    "政府门户网站",
    "政务公开网",
];

/// A body's name, how it calls itself, and the region of its site.
pub(super) fn org_name(rng: &mut Rng) -> (String, &'static str, String) {
    let p = *rng.pick(PLACES);
    let level = *rng.pick(LEVELS);
    let t = *rng.pick(TOWNS);
    let region = format!("{p}{level}");
    match rng.weighted(&[10, 8, 5, 3, 6, 30]) {
        0 => {
            let we = match level {
                "县" => "我县",
                "区" => "我区",
                _ => "我市",
            };
            (format!("{p}{level}人民政府"), we, region)
        }
        1 => {
            let level = if level == "区" { "县" } else { level };
            (
                format!("{p}{level}{t}镇人民政府"),
                "我镇",
                format!("{p}{level}"),
            )
        }
        2 => (format!("{t}镇人民政府"), "我镇", format!("{t}镇")),
        3 => (format!("{t}乡人民政府"), "我乡", format!("{t}乡")),
        4 => (format!("{p}区{t}街道办事处"), "我街道", format!("{p}区")),
        _ => (format!("{p}{level}{}", rng.pick(DEPTS)), "我局", region),
    }
}

/// `（` → `(` and the like, for half-width captions and labels.
pub fn halfwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            _ => c,
        })
        .collect()
}

const CORNER: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// The group labels of the requests table, which the templates list only as
/// `ignore` words (tables.md, table 3).
const GROUPS: [&str; 5] = [
    "三、本年度办理结果",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
];

/// The group (index into `GROUPS`, 1–4) a requests row sits in, by key.
pub fn subgroup(key: &str) -> Option<usize> {
    if key.starts_with("denied_") {
        Some(1)
    } else if key.starts_with("unavailable_") {
        Some(2)
    } else if key.starts_with("not_processed_") {
        Some(3)
    } else if key.starts_with("other_") {
        Some(4)
    } else {
        None
    }
}

/// Is a requests row one of the outcome rows (under 三、本年度办理结果,
/// `total_processed` included)?
pub fn in_outcomes(key: &str) -> bool {
    !matches!(key, "new_received" | "carried_over" | "carried_forward")
}

/// The caption prefix of real reports (real-world.md, "Captions").
const ACT: &str = "中华人民共和国政府信息公开条例";

// ---- values ----------------------------------------------------------------

/// How busy the body is: 0 tiny … 3 large.
#[derive(Clone, Copy)]
pub(super) struct Size(pub(super) u8);

impl Size {
    /// A typical upper bound for a small item count.
    pub(super) fn k(self) -> i64 {
        [4, 15, 40, 150][self.0 as usize]
    }
}

/// Weight of an outcome row in a column's processed requests.
fn outcome_weight(key: &str) -> u32 {
    match key {
        "granted" => 60,
        "partially_granted" => 10,
        "denied_third_party_rights" | "denied_process_info" => 3,
        "denied_prohibited_by_law" | "denied_internal_affairs" | "denied_query_matters" => 2,
        "unavailable_not_held" => 15,
        "unavailable_needs_creation" => 4,
        "unavailable_unclear" => 3,
        "not_processed_petition" => 5,
        "not_processed_duplicate" => 4,
        "not_processed_confirmation" => 2,
        "other" => 4,
        "other_overdue_correction" | "other_other" => 3,
        _ => 1,
    }
}

/// Counts of one item table, by column kind and key.
pub(super) fn item_value(rng: &mut Rng, size: Size, row: &str, col: &str, kind: ColumnKind) -> i64 {
    let k = size.k();
    match kind {
        ColumnKind::Change => {
            if rng.chance(0.4) {
                0
            } else {
                rng.range(-(k / 2).max(3), (k / 2).max(3))
            }
        }
        ColumnKind::ProjectCount => {
            if rng.chance(0.25) {
                0
            } else {
                rng.range(1, k * 3)
            }
        }
        _ => {
            if row == "regulations" && rng.chance(0.85) {
                return 0;
            }
            match col {
                "total_published" | "in_force" => rng.range(0, k * 8),
                "prior_year_items" => rng.range(0, k * 4),
                "decisions" => {
                    if rng.chance(0.3) {
                        0
                    } else {
                        rng.range(0, k * if size.0 == 3 { 30 } else { 12 })
                    }
                }
                _ => {
                    if rng.chance(0.3) {
                        0
                    } else {
                        rng.range(0, k)
                    }
                }
            }
        }
    }
}

/// Splits `total` units over rows with the given weights.
fn distribute(rng: &mut Rng, total: i64, weights: &[u32], out: &mut [i64]) {
    out.iter_mut().for_each(|v| *v = 0);
    if total <= 0 {
        return;
    }
    if total <= 150 {
        for _ in 0..total {
            out[rng.weighted(weights)] += 1;
        }
        return;
    }
    let sum: i64 = weights.iter().map(|&w| i64::from(w)).sum();
    let mut left = total;
    let mut heaviest = 0;
    for (i, &w) in weights.iter().enumerate() {
        let share = total * i64::from(w) / sum;
        // A little jitter so large tables do not look proportional.
        let share = (share - rng.range(0, share / 5)).max(0);
        out[i] = share;
        left -= share;
        if w > weights[heaviest] {
            heaviest = i;
        }
    }
    out[heaviest] += left;
}

/// Fills the requests table so that every check holds: per column, the
/// outcome rows sum to `total_processed` and new + carried over = processed
/// + carried forward; the `total` column is the sum of the six others.
///
/// With `carried`, a body's year (`super::body`): each column's new,
/// carried-over and carried-forward requests come from it.
fn requests_values(
    rng: &mut Rng,
    def: &TableDef,
    size: Size,
    carried: Option<&Values>,
    out: &mut [i64],
) {
    let ncols = def.columns.len();
    let row = |k: &str| def.rows.iter().position(|r| r.key == k);
    let total_col = def.columns.iter().position(|c| c.key == "total");
    let (Some(new), Some(over), Some(done), Some(fwd)) = (
        row("new_received"),
        row("carried_over"),
        row("total_processed"),
        row("carried_forward"),
    ) else {
        return;
    };
    let outcome_rows: Vec<usize> = (0..def.rows.len())
        .filter(|&r| in_outcomes(&def.rows[r].key) && r != done)
        .collect();
    // Which outcomes this body ever uses: many rows are zero all year.
    let weights: Vec<u32> = outcome_rows
        .iter()
        .map(|&r| {
            let w = outcome_weight(&def.rows[r].key);
            let p = (0.08 + f64::from(w) / 20.0 + 0.1 * f64::from(size.0)).min(0.95);
            if def.rows[r].key == "granted" || rng.chance(p) {
                w
            } else {
                0
            }
        })
        .collect();
    let mut shares = vec![0i64; outcome_rows.len()];
    for c in 0..ncols {
        if Some(c) == total_col {
            continue;
        }
        let (n, o, f) = match carried {
            Some(m) => {
                let get = |row: &str| {
                    m.get(&format!("{}.{row}.{}", def.key, def.columns[c].key))
                        .copied()
                        .unwrap_or(0)
                };
                (
                    get("new_received"),
                    get("carried_over"),
                    get("carried_forward"),
                )
            }
            None => {
                let n =
                    super::body::first_requests(rng, size, def.columns[c].key == "natural_person");
                let o = if rng.chance(0.3) {
                    rng.range(0, n / 10 + 1)
                } else {
                    0
                };
                let f = if n + o > 0 && rng.chance(0.35) {
                    rng.range(0, (n + o) / 8 + 1).min(n + o)
                } else {
                    0
                };
                (n, o, f)
            }
        };
        out[new * ncols + c] = n;
        out[over * ncols + c] = o;
        out[fwd * ncols + c] = f;
        out[done * ncols + c] = n + o - f;
        if weights.iter().all(|&w| w == 0) {
            shares[0] = n + o - f;
        } else {
            distribute(rng, n + o - f, &weights, &mut shares);
        }
        for (i, &r) in outcome_rows.iter().enumerate() {
            out[r * ncols + c] = shares[i];
        }
    }
    if let Some(t) = total_col {
        for r in 0..def.rows.len() {
            out[r * ncols + t] = (0..ncols)
                .filter(|&c| c != t)
                .map(|c| out[r * ncols + c])
                .sum();
        }
    }
}

pub(super) fn litigation_values(rng: &mut Rng, def: &TableDef, size: Size, out: &mut [i64]) {
    let ncols = def.columns.len();
    let total_col = def.columns.iter().position(|c| c.key == "total");
    // Most bodies see no review or suit in a year; busy ones a few.
    let p = [0.02, 0.06, 0.2, 0.45][size.0 as usize];
    let hi = [2, 3, 8, 25][size.0 as usize];
    for r in 0..def.rows.len() {
        let active = rng.chance(p);
        for c in 0..ncols {
            out[r * ncols + c] = if active && Some(c) != total_col && rng.chance(0.5) {
                rng.range(1, hi)
            } else {
                0
            };
        }
        if let Some(t) = total_col {
            out[r * ncols + t] = (0..ncols)
                .filter(|&c| c != t)
                .map(|c| out[r * ncols + c])
                .sum();
        }
    }
}

/// Breaks exactly one check, changing printed values so that no other check
/// fails (the oracle lists only `code`).
fn break_check(rng: &mut Rng, code: &str, tables: &mut [(&TableDef, Kind, Vec<i64>)]) {
    let d = rng.range(1, 3);
    for (def, kind, v) in tables.iter_mut() {
        let ncols = def.columns.len();
        let row = |k: &str| def.rows.iter().position(|r| r.key == k).unwrap_or(0);
        let col = |k: &str| def.columns.iter().position(|c| c.key == k).unwrap_or(0);
        match (code, *kind) {
            // Carried over, one applicant column and its total: each row adds
            // up, the outcomes are untouched, the balance is off.
            ("requests.balance", Kind::Requests) => {
                let c = rng.below(ncols as u64 - 1) as usize;
                let c = if c >= col("total") { c + 1 } else { c };
                v[row("carried_over") * ncols + c] += d;
                v[row("carried_over") * ncols + col("total")] += d;
            }
            // Granted, one applicant column and its total: the rows add up,
            // the balance does not read granted, the outcome sum is off.
            ("requests.outcome_total", Kind::Requests) => {
                let c = rng.below(ncols as u64 - 1) as usize;
                let c = if c >= col("total") { c + 1 } else { c };
                v[row("granted") * ncols + c] += d;
                v[row("granted") * ncols + col("total")] += d;
            }
            // The totals of new_received and carried_forward: both sides of
            // the total column's balance move alike; only the rows are off.
            ("requests.row_total", Kind::Requests) => {
                v[row("new_received") * ncols + col("total")] += d;
                v[row("carried_forward") * ncols + col("total")] += d;
            }
            ("litigation.total", Kind::Litigation) => {
                let r = rng.below(def.rows.len() as u64) as usize;
                v[r * ncols + col("total")] += d;
            }
            _ => {}
        }
    }
}

// ---- printing ----------------------------------------------------------------

fn push_int(out: &mut String, v: u64, thousands: bool) {
    let mut buf = [0u8; 32];
    let mut i = buf.len();
    let mut n = v;
    let mut digits = 0;
    loop {
        if thousands && digits > 0 && digits % 3 == 0 {
            i -= 1;
            buf[i] = b',';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        digits += 1;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// `１２３` for `123`.
fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The printed text of a count.
fn print_count(rng: &mut Rng, noise: u32, v: i64, kind: ColumnKind) -> String {
    let mut s = String::with_capacity(12);
    let change = kind == ColumnKind::Change;
    if change && noise & noise::CHANGE_SIGNS != 0 && v != 0 {
        let word = if v > 0 {
            *rng.pick(&["增", "+", "增加", ""])
        } else {
            *rng.pick(&["减", "-", "减少"])
        };
        s.push_str(word);
    } else if v < 0 {
        s.push('-');
    }
    push_int(
        &mut s,
        v.unsigned_abs(),
        noise & noise::THOUSANDS != 0 && v.abs() >= 1000,
    );
    if noise & noise::FULLWIDTH != 0 && rng.chance(0.3) {
        s = fullwidth(&s);
    }
    if v == 0 && !change && noise & noise::ZERO_SUFFIX != 0 && rng.chance(0.5) {
        s.push('件');
    }
    s
}

/// An amount of money: the printed cell, the header's unit words and the
/// amount in yuan as an exact decimal string.
struct Amount {
    cell: String,
    header_unit: bool,
    yuan: String,
}

/// `m × 10^(exp − k)` as a decimal string without trailing zeros.
fn decimal(m: u64, k: u32, exp: u32) -> String {
    if m == 0 {
        return "0".to_string();
    }
    if exp >= k {
        let mut s = m.to_string();
        s.extend(std::iter::repeat_n('0', (exp - k) as usize));
        return s;
    }
    let f = (k - exp) as usize;
    let digits = format!("{m:0>width$}", width = f + 1);
    let (int, frac) = digits.split_at(digits.len() - f);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// A number with `k` decimals: `m / 10^k` as printed.
fn printed(m: u64, k: u32) -> String {
    decimal(m, k, 0)
}

fn amount(rng: &mut Rng, zero: bool, spaces_ok: bool, fee: bool, pdf: bool) -> Amount {
    // 0: unit in the header; 1: 元 in the cell; 2: 万元 in the cell; 3: 亿元.
    // Report PDFs print the 万元 unit in the header, mostly.
    let weights = if pdf { [85, 5, 10, 0] } else { [45, 20, 30, 5] };
    let mode = rng.weighted(&[
        weights[0],
        weights[1],
        weights[2],
        if fee { 0 } else { weights[3] },
    ]);
    if zero {
        // Zero is zero in any unit (tables.md, "Money"): a bare 0 under a
        // header without unit is still 0 yuan.
        let cell = match (mode, rng.below(3)) {
            (0, _) | (_, 0) => "0".to_string(),
            (_, 1) if spaces_ok => "0 元".to_string(),
            (1, _) => "0元".to_string(),
            _ => "0万元".to_string(),
        };
        return Amount {
            cell,
            header_unit: mode == 0,
            yuan: "0".to_string(),
        };
    }
    match mode {
        1 => {
            let m = rng.range(1, if fee { 3_000_000 } else { 50_000_000 }) as u64;
            Amount {
                cell: format!("{m}元"),
                header_unit: false,
                yuan: m.to_string(),
            }
        }
        3 => {
            let k = *rng.pick(&[1u32, 2]);
            let m = rng.range(1, 10i64.pow(k) * 9) as u64;
            Amount {
                cell: format!("{}亿元", printed(m, k)),
                header_unit: false,
                yuan: decimal(m, k, 8),
            }
        }
        _ => {
            let k = *rng.pick(&[0u32, 1, 2, 2, 4, 6]);
            let int_hi = *rng.pick(&[10i64, 100, 1000, if fee { 500 } else { 8000 }]);
            let int = rng.range(0, int_hi) as u64;
            let mut frac = rng.below(10u64.pow(k));
            if k > 0 && frac.is_multiple_of(10) {
                frac += 1;
            }
            let m = (int * 10u64.pow(k) + frac).max(1);
            let num = printed(m, k);
            Amount {
                cell: if mode == 0 {
                    num
                } else {
                    format!("{num}万元")
                },
                header_unit: mode == 0,
                yuan: decimal(m, k, 4),
            }
        }
    }
}

/// A column header naming the unit 万元, from a template label that may or
/// may not name it.
fn header_with_unit(label: &str) -> String {
    if label.contains("万元") {
        label.to_string()
    } else {
        format!("{label}（万元）")
    }
}

/// A column header without a unit: the label up to its bracket.
fn header_without_unit(label: &str) -> String {
    label.split(['（', '(']).next().unwrap_or(label).to_string()
}

/// A printed header variant (real-world.md, "Headers"), or `None`.
fn header_variant(
    rng: &mut Rng,
    label: &str,
    col: &xxgk::template::ColumnDef,
    spaces_ok: bool,
) -> Option<String> {
    let chars: Vec<char> = label.chars().collect();
    let mut options: Vec<u8> = Vec::new();
    if spaces_ok && chars.len() >= 4 {
        options.push(0);
    }
    if label.contains('/') {
        options.push(1);
    }
    let norm_label: String = chars.iter().filter(|c| *c != &'/').collect();
    let alias = col
        .aliases
        .iter()
        .map(|a| &a[..])
        .find(|a| *a != norm_label && a.chars().count() >= 4);
    if alias.is_some() && col.kind != ColumnKind::Money {
        options.push(2);
    }
    if options.is_empty() {
        return None;
    }
    Some(match *rng.pick(&options) {
        0 => {
            let at = rng.range(2, chars.len() as i64 - 2) as usize;
            let mut s: String = chars[..at].iter().collect();
            s.push(' ');
            s.extend(&chars[at..]);
            s
        }
        1 => label.replace('/', if rng.chance(0.5) { "\\" } else { "／" }),
        _ => alias.unwrap_or(label).to_string(),
    })
}

/// The byte length of a leading enumerator (`一、`, `（一）`, `1.`).
pub fn enumerator_len(label: &str) -> usize {
    let mut it = label.char_indices().take(5);
    match it.next() {
        Some((_, '（' | '(')) => label
            .char_indices()
            .find(|&(_, c)| c == '）' || c == ')')
            .map_or(0, |(i, c)| i + c.len_utf8()),
        Some(_) => it
            .find(|&(_, c)| c == '、' || c == '.')
            .map_or(0, |(i, c)| i + c.len_utf8()),
        None => 0,
    }
}

/// A byte offset to break a label at, in its words: after the enumerator
/// and three characters (a narrow PDF column still holds that many), before
/// the last two.
fn split_point(rng: &mut Rng, label: &str) -> Option<usize> {
    let start = enumerator_len(label);
    let offsets: Vec<usize> = label[start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .collect();
    if offsets.len() < 6 {
        return None;
    }
    let i = rng.range(3, offsets.len() as i64 - 2) as usize;
    Some(offsets[i])
}

/// Simplified → traditional for the characters of the tables' labels,
/// headers and captions, as pairs "简繁" (real-world.md: "whole labels in
/// traditional characters on mirrored sites"). Written out here, not taken
/// from the engine's own table, so that a character it lacks shows.
const TRADITIONAL_PAIRS: &str = "万萬 业業 为為 举舉 于於 会會 关關 内內 决決 况況 减減 办辦 务務 \
区區 单單 发發 后後 国國 处處 复復 审審 对對 属屬 废廢 开開 强強 当當 执執 护護 报報 据據 数數 \
无無 机機 权權 条條 没沒 现現 类類 系係 纠糾 纳納 组組 织織 经經 结結 继繼 续續 维維 缴繳 罚罰 \
范範 获獲 补補 规規 计計 认認 议議 许許 讼訟 访訪 诉訴 询詢 请請 购購 费費 转轉 过過 这這 项項 \
额額 稳穩 确確 总總 亿億 门門 统統 问問 题題 应應 达達 产產 营營 财財 读讀 时時 价價 检檢";

/// `s` in traditional script (重复 → 重複, 反复 → 反覆, else 复 → 復).
pub fn to_traditional(s: &str) -> String {
    let s = s.replace("重复", "重複").replace("反复", "反覆");
    s.chars()
        .map(|c| {
            TRADITIONAL_PAIRS
                .split_whitespace()
                .find_map(|p| {
                    let mut it = p.chars();
                    (it.next() == Some(c)).then(|| it.next()).flatten()
                })
                .unwrap_or(c)
        })
        .collect()
}

/// The words after a label's enumerator.
fn words(label: &str) -> &str {
    &label[enumerator_len(label)..]
}

/// Splits where a PDF column breaks a label: anywhere in its words, and
/// most of all where the head alone is ambiguous — a head two rows share
/// (`7.属于行政` / `执法案卷`, 8.属于行政查询事项 starts alike) or one that
/// starts with a column word (`2.其他法律` / `行政法规禁止公开`).
fn choose_splits(rng: &mut Rng, tables: &mut [PTable<'_>]) {
    let mut plain: Vec<(usize, usize, usize)> = Vec::new();
    let mut hard: Vec<(usize, usize, usize)> = Vec::new();
    for (ti, t) in tables.iter().enumerate() {
        if t.kind == Kind::Litigation {
            continue;
        }
        for (r, l) in t.labels.iter().enumerate() {
            let start = enumerator_len(l);
            let w = words(l);
            let n = w.chars().count();
            if l.chars().count() >= 8 {
                plain.push((ti, r, usize::MAX));
            }
            // A head shared with another row of the table.
            for (o, other) in t.labels.iter().enumerate() {
                if o == r {
                    continue;
                }
                let common = w
                    .chars()
                    .zip(words(other).chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                if common >= 3 && common + 2 <= n {
                    let at = start + w.char_indices().nth(common).map_or(w.len(), |(i, _)| i);
                    hard.push((ti, r, at));
                }
            }
            // A head starting with a column word, and two more characters.
            for h in &t.headers {
                let hn = h.chars().count();
                if hn >= 2 && w.starts_with(h.as_str()) && hn + 4 <= n {
                    let at = start + w.char_indices().nth(hn + 2).map_or(w.len(), |(i, _)| i);
                    hard.push((ti, r, at));
                }
            }
        }
    }
    let n = rng.range(1, 3) as usize;
    for _ in 0..n {
        let pool = if !hard.is_empty() && (plain.is_empty() || rng.chance(0.5)) {
            &hard
        } else if !plain.is_empty() {
            &plain
        } else {
            return;
        };
        let (ti, r, at) = *rng.pick(pool);
        let t = &mut tables[ti];
        if t.splits.iter().any(|s| s.row == r) {
            continue;
        }
        let at = if at == usize::MAX {
            split_point(rng, &t.labels[r])
        } else {
            Some(at)
        };
        if let Some(at) = at {
            t.splits.push(Split { row: r, at });
        }
    }
}

/// `结 果 维 持`: the characters of a label's words spaced apart.
fn spaced(label: &str) -> String {
    let start = enumerator_len(label);
    let mut s = label[..start].to_string();
    for (i, c) in label[start..].chars().enumerate() {
        if i > 0 && c != ' ' {
            s.push(' ');
        }
        s.push(c);
    }
    s
}

/// Spaces apart the characters of some short labels and headers, as PDF
/// text of wide cells prints them (real-world.md item 1); at least one.
fn spaced_chars(rng: &mut Rng, tables: &mut [PTable<'_>]) {
    let mut any = false;
    let short = |s: &str| (2..=8).contains(&words(s).chars().count()) && !s.contains(' ');
    for t in tables.iter_mut() {
        for h in t.headers.iter_mut() {
            if short(h) && rng.chance(0.4) {
                *h = spaced(h);
                any = true;
            }
        }
        for l in t.labels.iter_mut() {
            if short(l) && rng.chance(0.3) {
                *l = spaced(l);
                any = true;
            }
        }
    }
    if !any {
        if let Some(h) = tables
            .iter_mut()
            .flat_map(|t| t.headers.iter_mut())
            .find(|h| short(h))
        {
            *h = spaced(h);
        }
    }
}

/// Label variants of real reports (real-world.md, "Row labels"): a suffix
/// naming the kind of rule (`规章（市政府令）`), `七、总计` for `（七）总计`,
/// other quote characters around 三安全一稳定. False when none applied.
fn label_variants(rng: &mut Rng, tables: &mut [PTable<'_>]) -> bool {
    let mut any = false;
    for t in tables.iter_mut() {
        for (r, row) in t.def.rows.iter().enumerate() {
            let l = &mut t.labels[r];
            match row.key.as_str() {
                "regulations" if rng.chance(0.5) => {
                    const SUFFIXES: [&str; 3] = ["（市政府令）", "（省政府令）", "(区政府令)"];
                    let suffix: &&str = rng.pick(&SUFFIXES);
                    l.push_str(suffix);
                    any = true;
                }
                "normative_documents" if rng.chance(0.4) => {
                    l.push_str("（有规范性文件登记号）");
                    any = true;
                }
                "total_processed" if rng.chance(0.6) => {
                    // （七）总计 → 七、总计: the enumerator without brackets.
                    let n = enumerator_len(l);
                    let inner: String = l[..n]
                        .chars()
                        .filter(|c| !matches!(c, '（' | '）' | '(' | ')'))
                        .collect();
                    if n > 0 && inner.chars().count() == 1 {
                        *l = format!("{inner}、{}", &l[n..]);
                        any = true;
                    }
                }
                _ if l.contains('“') && rng.chance(0.7) => {
                    let (a, b) = *rng.pick(&[("\"", "\""), ("‘", "’"), ("「", "」"), ("", "")]);
                    *l = l.replace('“', a).replace('”', b);
                    any = true;
                }
                _ => {}
            }
        }
    }
    any
}

/// Is a kind something real text shows in this layout (real-world.md,
/// "How a table arrives as text")?
fn applies(bit: u32, layout: Layout, pipe_after: bool, has_change: bool, year: i32) -> bool {
    use Layout::*;
    let pdf = matches!(layout, TabRows | SpaceRows);
    // A PDF or Word file prints its tables as ruled grids: what its pages
    // do to the text (wrapped labels, page breaks, vertical labels) is the
    // renderer's own (`pdf`, `docx`), in every such file; the kinds that
    // shape a text dump do not apply.
    let paged = matches!(layout, Pdf | Docx);
    if paged
        && bit
            & (noise::SPLIT_LABELS
                | noise::PAGE_BREAKS
                | noise::VERTICAL_GROUPS
                | noise::BROKEN_HEADERS
                | noise::FLATTENED_HEADER
                | noise::STRAY_BLANK
                | noise::SPLIT_TITLE
                | noise::LITIGATION_ALONE
                | noise::TRUNCATED)
            != 0
    {
        return false;
    }
    match bit {
        noise::CHANGE_SIGNS => has_change,
        noise::SPLIT_LABELS
        | noise::PAGE_BREAKS
        | noise::VERTICAL_GROUPS
        | noise::BROKEN_HEADERS => pdf,
        noise::HEADER_VARIANTS => layout != SpaceRows,
        noise::FLATTENED_HEADER => matches!(layout, TabRows | DocxCells | WebCells | PipeLines),
        // A space inside a label is a cell break in space-separated text.
        noise::SPACED_CHARS => layout != SpaceRows,
        noise::STRAY_BLANK => match layout {
            TabRows | DocxCells | PipeRows => true,
            PipeLines => !pipe_after,
            _ => false,
        },
        noise::MIXED_FORMS => year >= 2021,
        noise::SPLIT_TITLE => layout != Html,
        noise::LITIGATION_ALONE => layout == SpaceRows,
        noise::TRUNCATED => layout != Html,
        _ => true,
    }
}

/// Chooses the noise kinds of a noisy report: 3–7 of those that apply and
/// `kinds` allows. A document holding table 4 alone carries nothing else.
fn choose_noise(
    rng: &mut Rng,
    kinds: u32,
    layout: Layout,
    pipe_after: bool,
    has_change: bool,
    year: i32,
) -> u32 {
    let applicable: Vec<u32> = noise::ALL
        .iter()
        .map(|&(bit, _)| bit)
        .filter(|&bit| kinds & bit != 0 && bit != noise::LITIGATION_ALONE)
        .filter(|&bit| applies(bit, layout, pipe_after, has_change, year))
        .collect();
    let alone = kinds & noise::LITIGATION_ALONE != 0
        && applies(
            noise::LITIGATION_ALONE,
            layout,
            pipe_after,
            has_change,
            year,
        );
    if alone && (applicable.is_empty() || rng.chance(0.08)) {
        return noise::LITIGATION_ALONE;
    }
    let mut chosen = 0u32;
    let want = rng.range(3, 7).min(applicable.len() as i64);
    while (chosen.count_ones() as i64) < want {
        chosen |= *rng.pick(&applicable);
    }
    chosen
}

/// What a corpus asks of every plan: the share of noisy reports, the noise
/// kinds allowed, bodies over the years, the formats.
#[derive(Debug, Clone, Copy)]
pub struct Draw {
    pub noisy_share: f64,
    pub kinds: u32,
    pub years: Option<u8>,
    pub formats: Formats,
}

/// Salts the seed of the stream that chooses a report's noise.
const NOISE_STREAM: u64 = 0x6E6F_6973_6500_0001;

/// Builds the plan of report `index`.
pub fn plan<'t>(
    templates: &'t Templates,
    by_year: &dyn Fn(i32) -> &'t Template,
    index: usize,
    seed: u64,
    draw: &Draw,
) -> Plan<'t> {
    let Draw {
        noisy_share,
        kinds,
        years,
        formats,
    } = *draw;
    let mut rng = Rng::for_report(seed, index as u64);
    let rng = &mut rng;
    let mut year = 2019 + rng.below(6) as i32;
    let (mut org, mut we, mut region) = org_name(rng);
    let mut layout = *rng.pick(formats.text_layouts());
    let mut pipe_after = layout == Layout::PipeLines && rng.chance(0.35);
    // A body followed over the years: report `index` is year `index % Y`
    // of body `index / Y`, the last year being LAST_YEAR; who it is and its
    // values come from the body's own stream (`body`).
    let mut carried: Option<(Body, Values)> = None;
    let mut unit = index;
    if let Some(y) = years.filter(|&y| y > 0).map(usize::from) {
        let b = Body::new(seed, index / y, formats.text_layouts());
        unit = index / y;
        let first = LAST_YEAR + 1 - y as i32;
        year = first + (index % y) as i32;
        org.clone_from(&b.org);
        we = b.we;
        region.clone_from(&b.region);
        layout = b.layout;
        pipe_after = b.pipe_after;
        let v = b.values(templates, by_year, first, year);
        carried = Some((b, v));
    }
    // PDF and DOCX on a stream of their own (per body over the years): a
    // report left text or HTML is the one the seed gave without them.
    if let Some(l) = formats.draw(seed, unit) {
        layout = l;
        pipe_after = false;
    }
    let template = by_year(year);
    let encoding = match (layout, rng.unit()) {
        (Layout::Pdf | Layout::Docx, _) => Encoding::Utf8,
        (_, x) if x < 0.10 => Encoding::Gbk,
        (Layout::Html, _) => Encoding::Utf8,
        (_, x) if x < 0.135 => Encoding::Utf16LeBom,
        (_, x) if x < 0.185 => Encoding::Utf8Bom,
        _ => Encoding::Utf8,
    };
    let mut defs: Vec<&TableDef> = template
        .tables
        .iter()
        .map(|&i| &templates.tables[i])
        .collect();
    let has_change = defs
        .iter()
        .any(|d| d.columns.iter().any(|c| c.kind == ColumnKind::Change));
    // The choice of noise draws from a stream of its own, so that the
    // values (drawn next) do not depend on it: a printing-only kind leaves
    // the oracle's cells as they are.
    let nrng = &mut Rng::for_report(seed ^ NOISE_STREAM, index as u64);
    let mut noise = if nrng.chance(noisy_share) {
        choose_noise(nrng, kinds, layout, pipe_after, has_change, year)
    } else {
        0
    };
    // A 2021+ report printing one table on the gb2019 form (tables.md: the
    // keys follow the headers each table prints): 第二十条第（一）项 with
    // 本年新制作数量 …, or the 23-row requests table.
    if noise & noise::MIXED_FORMS != 0 {
        let old = by_year(2019);
        let key = if nrng.chance(0.5) {
            "art20_1"
        } else {
            "requests"
        };
        let swap = old
            .tables
            .iter()
            .map(|&i| &templates.tables[i])
            .find(|d| d.key == key);
        match (swap, defs.iter().position(|d| d.key == key)) {
            (Some(d), Some(at)) if !std::ptr::eq(d, defs[at]) => defs[at] = d,
            _ => noise &= !noise::MIXED_FORMS,
        }
    }
    if noise & noise::LITIGATION_ALONE != 0 {
        defs.retain(|d| d.shape == Shape::Flat || d.dataset == Dataset::Litigation);
    }
    // A broken check stays on pages that print the form's own tables.
    let broken = rng
        .chance(0.02)
        .then(|| *rng.pick(&BREAKABLE))
        .filter(|_| noise & (noise::MIXED_FORMS | noise::LITIGATION_ALONE | noise::TRUNCATED) == 0);
    // Noise that moves the rows of the requests table would land after the
    // cut of a truncated page, or cut it in two.
    if noise & noise::TRUNCATED != 0 {
        noise &= !(noise::PAGE_BREAKS | noise::VERTICAL_GROUPS | noise::STRAY_BLANK);
    }
    let size = if let Some((b, _)) = &carried {
        b.size
    } else if noise & noise::THOUSANDS != 0 {
        Size(3)
    } else {
        Size(rng.weighted(&[30, 35, 23, 12]) as u8)
    };
    let spaces_ok = layout != Layout::SpaceRows;

    // Values.
    let mut raw: Vec<(&TableDef, Kind, Vec<i64>)> = defs
        .iter()
        .map(|&def| {
            let kind = if def.key == "requests" {
                Kind::Requests
            } else if def.shape == Shape::Flat || def.dataset == Dataset::Litigation {
                Kind::Litigation
            } else {
                Kind::Item
            };
            let mut v = vec![0i64; def.values_per_table()];
            let body = carried.as_ref().map(|(_, v)| v);
            if let (Some(m), false) = (body, kind == Kind::Requests) {
                // A body's year: every count from its replay (a table of
                // the other form included).
                let ncols = def.columns.len();
                for (r, row) in def.rows.iter().enumerate() {
                    for (c, col) in def.columns.iter().enumerate() {
                        let key = format!("{}.{}.{}", def.key, row.key, col.key);
                        v[r * ncols + c] = match m.get(&key) {
                            Some(&x) => x,
                            None => item_value(rng, size, &row.key, &col.key, col.kind),
                        };
                    }
                }
                return (def, kind, v);
            }
            match kind {
                Kind::Requests => requests_values(rng, def, size, body, &mut v),
                Kind::Litigation => litigation_values(rng, def, size, &mut v),
                Kind::Item => {
                    let ncols = def.columns.len();
                    for (r, row) in def.rows.iter().enumerate() {
                        for (c, col) in def.columns.iter().enumerate() {
                            v[r * ncols + c] = item_value(rng, size, &row.key, &col.key, col.kind);
                        }
                    }
                }
            }
            (def, kind, v)
        })
        .collect();
    if let Some(code) = broken {
        break_check(rng, code, &mut raw);
    }

    // Printing.
    let half = noise & noise::HALFWIDTH_BRACKETS != 0;
    let half_labels = half && rng.chance(0.6);
    let hw = |s: &str, on: bool| if on { halfwidth(s) } else { s.to_string() };
    let mut money = Vec::new();
    // Warnings the report's printing calls for, beside a broken check.
    let mut findings: Vec<&'static str> = Vec::new();
    let mut tables = Vec::with_capacity(raw.len());
    let mut caption_prefixed = false;
    let mut header_changed = false;
    let mut blanked = false;
    let n_items = raw.iter().filter(|t| t.1 == Kind::Item).count();
    for (ti, (def, kind, v)) in raw.into_iter().enumerate() {
        let ncols = def.columns.len();
        let mut cells = Vec::with_capacity(v.len());
        let mut values = Vec::with_capacity(v.len());
        let mut unit_in_header = vec![false; ncols];
        for (r, row) in def.rows.iter().enumerate() {
            for (c, col) in def.columns.iter().enumerate() {
                let x = v[r * ncols + c];
                if col.kind == ColumnKind::Money {
                    let zero = def
                        .columns
                        .iter()
                        .position(|p| p.kind == ColumnKind::ProjectCount)
                        .map_or(rng.chance(0.35), |p| v[r * ncols + p] == 0);
                    let fee = !def
                        .columns
                        .iter()
                        .any(|p| p.kind == ColumnKind::ProjectCount);
                    let mut a = amount(rng, zero, spaces_ok, fee, layout == Layout::Pdf);
                    let mut yuan = Some(a.yuan);
                    if noise & noise::MONEY_NO_UNIT != 0 && !zero {
                        // The number as written, no unit anywhere.
                        for unit in ["亿元", "万元", "元"] {
                            if let Some(n) = a.cell.strip_suffix(unit) {
                                a.cell = n.to_string();
                                break;
                            }
                        }
                        a.header_unit = false;
                        yuan = None;
                        findings.push("amount.unit_unknown");
                    }
                    money.push(MoneyCell {
                        key: format!("{}.{}.{}", def.key, row.key, col.key),
                        yuan,
                        raw: a.cell.clone(),
                    });
                    cells.push(a.cell);
                    values.push(None);
                    // The header follows the cell's choice of unit.
                    unit_in_header[c] = a.header_unit;
                    continue;
                }
                cells.push(print_count(rng, noise, x, col.kind));
                values.push(Some(x));
            }
        }
        // Headers.
        let mut headers: Vec<String> = Vec::with_capacity(ncols);
        for (c, col) in def.columns.iter().enumerate() {
            let mut h = if col.kind == ColumnKind::Money {
                if unit_in_header[c] {
                    header_with_unit(&col.label)
                } else {
                    header_without_unit(&col.label)
                }
            } else {
                col.label.clone()
            };
            if kind == Kind::Item && noise & noise::HEADER_VARIANTS != 0 {
                let last_chance = ti + 1 == n_items && c + 1 == ncols && !header_changed;
                if rng.chance(0.5) || last_chance {
                    if let Some(var) = header_variant(rng, &h, col, spaces_ok) {
                        h = var;
                        header_changed = true;
                    }
                }
            }
            if half && (kind == Kind::Item || half_labels) {
                h = halfwidth(&h);
            }
            headers.push(h);
        }
        // Row labels and caption.
        let labels: Vec<String> = def.rows.iter().map(|r| hw(&r.label, half_labels)).collect();
        let mut caption = String::new();
        if kind == Kind::Item {
            caption = hw(&def.label, half);
            if noise & noise::CAPTION_PREFIX != 0 {
                let last = ti + 1 == n_items && !caption_prefixed;
                if rng.chance(0.6) || last {
                    caption = if rng.chance(0.5) {
                        format!("《{ACT}》{caption}")
                    } else {
                        format!("{ACT}{caption}")
                    };
                    caption_prefixed = true;
                }
            }
        }
        // Blank cells, where no check reads them: counts of table 2.
        if kind == Kind::Item && noise & noise::BLANK_CELLS != 0 {
            let whole_row = rng
                .chance(0.3)
                .then(|| rng.below(def.rows.len() as u64) as usize);
            for r in 0..def.rows.len() {
                for c in 0..ncols {
                    let k = def.columns[c].kind;
                    if !matches!(k, ColumnKind::Count | ColumnKind::Change)
                        || def.dataset != Dataset::DisclosureCounts
                    {
                        continue;
                    }
                    let last = ti + 1 == n_items && !blanked && r + 1 == def.rows.len();
                    if whole_row == Some(r) || rng.chance(0.15) || last {
                        let i = r * ncols + c;
                        values[i] = None;
                        blanked = true;
                        cells[i] = String::new();
                    }
                }
            }
        }
        tables.push(PTable {
            def,
            kind,
            caption,
            headers,
            labels,
            cells,
            values,
            splits: Vec::new(),
            order: (0..ncols).collect(),
        });
    }
    // Empty cells the layout cannot show become a dash (also null).
    let can_blank = match layout {
        Layout::TabRows
        | Layout::DocxCells
        | Layout::PipeRows
        | Layout::Html
        | Layout::Pdf
        | Layout::Docx => true,
        Layout::PipeLines => !pipe_after,
        Layout::WebCells | Layout::SpaceRows => false,
    };
    if !can_blank {
        let dash = *rng.pick(&["/", "—", "-", "／"]);
        for t in &mut tables {
            for cell in &mut t.cells {
                if cell.is_empty() {
                    cell.push_str(dash);
                }
            }
        }
    }
    // Record only the kinds that changed a printed cell: a report with no
    // count from 1000 up has no thousands separator to show.
    let printed_any =
        |f: &dyn Fn(&str) -> bool| tables.iter().any(|t| t.cells.iter().any(|c| f(c)));
    for (bit, shows) in [
        (
            noise::THOUSANDS,
            &(|c: &str| c.contains(',')) as &dyn Fn(&str) -> bool,
        ),
        (noise::FULLWIDTH, &|c: &str| {
            c.chars().any(|ch| ('０'..='９').contains(&ch))
        }),
        (noise::ZERO_SUFFIX, &|c: &str| c.ends_with('件')),
        (noise::CHANGE_SIGNS, &|c: &str| {
            c.starts_with(['增', '减', '+'])
        }),
    ] {
        if noise & bit != 0 && !printed_any(shows) {
            noise &= !bit;
        }
    }
    // 总计 printed before 自然人, header and values alike.
    if noise & noise::TOTAL_FIRST != 0 {
        let mut done = false;
        for t in tables.iter_mut().filter(|t| t.kind == Kind::Requests) {
            if let Some(total) = t.def.columns.iter().position(|c| c.key == "total") {
                t.order.retain(|&c| c != total);
                t.order.insert(0, total);
                done = true;
            }
        }
        if !done {
            noise &= !noise::TOTAL_FIRST;
        }
    }
    if noise & noise::LABEL_VARIANTS != 0 && !label_variants(rng, &mut tables) {
        noise &= !noise::LABEL_VARIANTS;
    }
    if noise & noise::MONEY_NO_UNIT != 0 && findings.is_empty() {
        noise &= !noise::MONEY_NO_UNIT;
    }
    findings.extend(broken);
    findings.sort_unstable();
    findings.dedup();
    let traditional = noise & noise::TRADITIONAL != 0;
    if traditional {
        for t in tables.iter_mut() {
            t.caption = to_traditional(&t.caption);
            for s in t.labels.iter_mut().chain(t.headers.iter_mut()) {
                *s = to_traditional(s);
            }
        }
    }
    // A 第二十条 item printed without its caption.
    let items: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].kind == Kind::Item)
        .collect();
    let no_caption = if noise & noise::CAPTION_TYPOS != 0 && !items.is_empty() {
        Some(*rng.pick(&items))
    } else {
        None
    };
    if noise & noise::SPACED_CHARS != 0 {
        spaced_chars(rng, &mut tables);
    }
    // Labels broken across lines with the values between (PDF text).
    if noise & noise::SPLIT_LABELS != 0 {
        choose_splits(rng, &mut tables);
        if tables.iter().all(|t| t.splits.is_empty()) {
            noise &= !noise::SPLIT_LABELS;
        }
    }

    // A page that stops in the middle of the requests table (real-world.md,
    // "Whole reports"): what is not printed is null, and xxgk must say that
    // a row is short, rows are missing, table 4 is missing.
    let mut truncate = None;
    if noise & noise::TRUNCATED != 0 {
        if let Some(t) = tables.iter_mut().find(|t| t.kind == Kind::Requests) {
            let nrows = t.labels.len();
            let ncols = t.ncols();
            let r = rng.range(3, nrows as i64 - 2) as usize;
            // At least one value of the row, never all (row.short).
            let k = rng.range(1, ncols as i64 - 1) as usize;
            for (i, v) in t.values.iter_mut().enumerate() {
                let (row, col) = (i / ncols, i % ncols);
                let printed = row < r || (row == r && t.order[..k].contains(&col));
                if !printed {
                    *v = None;
                }
            }
            t.splits.retain(|s| s.row < r);
            truncate = Some((r, k));
            findings.extend(["row.short", "row.missing"]);
        }
        for t in tables.iter_mut().filter(|t| t.kind == Kind::Litigation) {
            t.values.iter_mut().for_each(|v| *v = None);
            findings.push("table.missing");
        }
        findings.sort_unstable();
        findings.dedup();
        if truncate.is_none() {
            noise &= !noise::TRUNCATED;
        }
    }

    let tr = |s: String| if traditional { to_traditional(&s) } else { s };
    let groups = GROUPS.map(|g| tr(hw(g, half_labels)));
    let corner = tr(hw(CORNER, half_labels));
    let prose = Prose {
        phone: format!(
            "0{}-{}",
            rng.range(100, 999),
            rng.range(10_000_000, 89_999_999)
        ),
        site: format!("{region}{}", rng.pick(SITES)),
        posted: rng.range(20, 3000) as u32,
        pushed: rng.range(0, 800) as u32,
        briefings: rng.range(0, 12) as u32,
        trainings: rng.range(1, 8) as u32,
        trainees: rng.range(10, 300) as u32,
        growth: rng.range(1, 30) as u32,
        proposals: (rng.range(0, 40) as u32, rng.range(0, 30) as u32),
        sign: (rng.range(1, 3) as u32, rng.range(1, 28) as u32),
        intro: rng.below(3) as usize,
        we,
        region,
    };
    Plan {
        index,
        year,
        template,
        org,
        layout,
        pipe_after,
        encoding,
        noise,
        broken,
        findings,
        no_caption,
        truncate,
        tables,
        money,
        groups,
        corner,
        one_table: rng.chance(0.6),
        chrome: rng.below(3) as u8,
        prose,
        render_seed: rng.next_u64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(decimal(235, 1, 4), "235000");
        assert_eq!(decimal(5_243_883_073, 6, 4), "52438830.73");
        assert_eq!(decimal(12, 1, 8), "120000000");
        assert_eq!(decimal(0, 3, 4), "0");
        assert_eq!(printed(16465, 1), "1646.5");
        assert_eq!(printed(5, 2), "0.05");
        assert_eq!(printed(7, 0), "7");
    }

    #[test]
    fn counts_print_as_real_reports_do() {
        let mut s = String::new();
        push_int(&mut s, 1_234_567, true);
        assert_eq!(s, "1,234,567");
        s.clear();
        push_int(&mut s, 113, true);
        assert_eq!(s, "113");
        assert_eq!(fullwidth("1,2"), "１,２");
        assert_eq!(halfwidth("第二十条第（一）项"), "第二十条第(一)项");
        assert_eq!(
            header_without_unit("本年收费金额（单位：万元）"),
            "本年收费金额"
        );
        assert_eq!(header_with_unit("采购总金额"), "采购总金额（万元）");
    }

    #[test]
    fn enumerators_are_not_split() {
        assert_eq!(enumerator_len("（一）予以公开"), "（一）".len());
        assert_eq!(enumerator_len("1.属于国家秘密"), 2);
        assert_eq!(enumerator_len("一、本年新收"), "一、".len());
        assert_eq!(enumerator_len("规章"), 0);
    }
}
