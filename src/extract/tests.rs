//! The matcher's own rules, each on a few lines of text: label scoring,
//! header resolution, fitting a row, and form choice. Whole documents are
//! tested by tests/golden.rs; these pin the rule each one relies on.

use super::header::read_header;
use super::hits::Hits;
use super::labels::{match_alias, match_row, Probe, Strength};
use super::read::{fit, read_grid, Fit, Pad, Run};
use crate::segment::{segment, Doc};
use crate::settings::{load, Settings};
use crate::template::{Label, TableDef};
use crate::validate::money::Unit;

fn settings() -> Settings {
    load(None, None).expect("the embedded config loads")
}

fn table<'s>(s: &'s Settings, template: &str, key: &str) -> (usize, &'s TableDef) {
    let t = &s.templates;
    (0..t.tables.len())
        .map(|d| (d, &t.tables[d]))
        .find(|(_, d)| d.key == key && t.templates[d.template].name == template)
        .expect("the table exists")
}

fn probe_hit(text: &str, alias: &str) -> Option<Strength> {
    let label = Label::new(alias.to_string());
    match_alias(&Probe::new(text), &label).map(|h| h.strength)
}

#[test]
fn label_strengths() {
    assert_eq!(probe_hit("规章", "规章"), Some(Strength::Exact));
    assert_eq!(
        probe_hit("行政许可事项", "行政许可"),
        Some(Strength::Contains)
    );
    // A short alias covering under half the cell names it only weakly.
    assert_eq!(probe_hit("2其他法律行政", "其他"), Some(Strength::Partial));
    // Head and tail of a label broken over lines.
    assert_eq!(
        probe_hit("保护第三", "保护第三方合法权益"),
        Some(Strength::Fragment)
    );
    assert_eq!(
        probe_hit("方合法权益", "保护第三方合法权益"),
        Some(Strength::Fragment)
    );
    assert_eq!(probe_hit("行政许可", "行政处罚"), None);
}

#[test]
fn a_head_two_rows_share_names_neither() {
    let s = settings();
    let (_, def) = table(&s, "gb2019", "requests");
    let norm = s.templates.normaliser.label("7.属于行政");
    assert!(match_row(def, &Probe::new(&norm)).is_none());
    let norm = s.templates.normaliser.label("执法案卷");
    let (r, h) = match_row(def, &Probe::new(&norm)).expect("a tail names its row");
    assert_eq!(def.rows[r].key, "denied_enforcement_files");
    assert!(h.suffix);
}

/// The header of the requests table read from `text` (its lines, then one
/// data row so the region has a body).
fn requests_header(s: &Settings, text: &str) -> (Vec<String>, bool, Option<Vec<String>>) {
    let (d, def) = table(s, "gb2019", "requests");
    let text = format!("{text}\n一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n");
    let doc = segment(&text, &s.templates.normaliser);
    let hits = Hits::new(&doc, &s.templates.index);
    let run = read_grid(&doc, def, 0, doc.cells.len(), hits.of(d));
    let h = read_header(&doc, def, hits.of(d), &run.header);
    let keys = |o: &[usize]| o.iter().map(|&c| def.columns[c].key.clone()).collect();
    (
        keys(&h.order),
        h.confirmed,
        h.alternative.as_deref().map(keys),
    )
}

const TEMPLATE_ORDER: [&str; 7] = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
];

#[test]
fn a_flattened_two_row_header_resolves_to_its_columns() {
    let s = settings();
    // Read cell by cell: the span's children after its siblings.
    let flat = "自然人\n法人或其他组织\n总计\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他";
    assert_eq!(requests_header(&s, flat).0, TEMPLATE_ORDER);
    // The spanning word broken over two cells still names the span.
    let broken = flat.replace("法人或其他组织", "法人或其\n\n他组织");
    let (order, confirmed, _) = requests_header(&s, &broken);
    assert_eq!(order, TEMPLATE_ORDER);
    assert!(confirmed);
}

#[test]
fn a_flattened_header_without_its_span_only_suggests_an_order() {
    let s = settings();
    let lost = "自然人\n总计\n商业企业\n科研机构\n社会公益组织\n法律服务机构\n其他";
    let (order, confirmed, alt) = requests_header(&s, lost);
    // The template's order stays; the reading order is left to the checks.
    assert_eq!(order, TEMPLATE_ORDER);
    assert!(!confirmed);
    let alt = alt.expect("the reading order is suggested");
    assert_eq!(alt[1], "total");
}

#[test]
fn a_header_on_one_line_places_its_columns() {
    let s = settings();
    let line = "\t总计\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他";
    let (order, confirmed, _) = requests_header(&s, line);
    assert!(confirmed);
    assert_eq!(order[0], "total");
    assert_eq!(order[1], "natural_person");
}

#[test]
fn the_tail_of_a_broken_word_does_not_place_its_column() {
    let s = settings();
    // 法律服 / 务机构: the tail comes after 其他 in reading order.
    let text = "自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 法律服 其他\n务机构";
    let (order, confirmed, _) = requests_header(&s, text);
    assert!(!confirmed, "legal_service_org is named by its tail only");
    assert_eq!(order, TEMPLATE_ORDER);
    // The head printed after a cell's last whole word places it.
    let text = "自然人 法人或其他组织 总计\n商业企业 科研机构 社会公益组织 其他 法律服\n务机构";
    let (order, confirmed, _) = requests_header(&s, text);
    assert!(confirmed);
    assert_eq!(&order[5..], ["legal_service_org", "total"]);
    // A cell that is the tail of a longer word is that piece, not 其他.
    let text = "\t\t自然人\t法人或\t\t\t总计\n\t\t\t其他组织\n\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他";
    let (order, _, alt) = requests_header(&s, text);
    assert_eq!(order, TEMPLATE_ORDER, "suggested: {alt:?}");
    assert!(alt.is_none_or(|a| a[0] == "natural_person" && a[1] != "other_org"));
}

fn unit_of(s: &Settings, header: &str) -> Option<Unit> {
    let (d, def) = table(s, "gb2021", "art20_8");
    let text = format!("{header}\n行政事业性收费\t23.5\n");
    let doc: Doc = segment(&text, &s.templates.normaliser);
    let hits = Hits::new(&doc, &s.templates.index);
    let run = read_grid(&doc, def, 0, doc.cells.len(), hits.of(d));
    read_header(&doc, def, hits.of(d), &run.header).units[0]
}

#[test]
fn a_money_header_broken_inside_its_unit() {
    let s = settings();
    assert_eq!(
        unit_of(&s, "信息内容\t本年收费金额（单位：万元）"),
        Some(Unit::Wan)
    );
    assert_eq!(unit_of(&s, "本年收费金额（单位：万\n元）"), Some(Unit::Wan));
    assert_eq!(unit_of(&s, "本年收费金额\n（单位：万元）"), Some(Unit::Wan));
    // Cut after 万 with no 元 to follow: unknown, never 元.
    assert_eq!(unit_of(&s, "本年收费金额（单位：万"), None);
}

fn fit_of(text: &str, k: usize, pad: Pad) -> Fit {
    let s = settings();
    let doc = segment(text, &s.templates.normaliser);
    let cands: Vec<u32> = (0..doc.cells.len() as u32).collect();
    fit(&doc, &cands, k, pad)
}

#[test]
fn fitting_a_row() {
    let none = Pad::default();
    assert_eq!(fit_of("1\t2\t3", 3, none), Fit::Exact(0, 3));
    // Every column printed and one stray blank: the blank is dropped.
    assert_eq!(fit_of("1\t\t2\t3", 3, none), Fit::Unique(0, 4, 1));
    // A real blank and a stray one: which is which is unknown.
    assert_eq!(fit_of("1\t\t2\t", 3, none), Fit::Excess);
    // Blanks only where dropping either gives the same columns.
    let f = fit_of("1\t\t\t2", 3, none);
    assert_eq!(f, Fit::Unique(0, 4, 1));
    let s = settings();
    let doc = segment("1\t\t\t2", &s.templates.normaliser);
    let cands: Vec<u32> = (0..doc.cells.len() as u32).collect();
    assert_eq!(f.nth(&doc, &cands, 0), Some(0));
    // The blank column was printed blank: a blank cell, not none.
    assert_eq!(f.nth(&doc, &cands, 1), Some(1));
    assert_eq!(f.nth(&doc, &cands, 2), Some(3));
    // A row of blanks: nothing to misplace.
    assert!(fit_of("\t\t\t", 2, none).fits());
    // The same row where the layout pads every row at its end.
    let trail = Pad {
        trail: true,
        ..Pad::default()
    };
    assert_eq!(fit_of("1\t\t2\t", 3, trail), Fit::Exact(0, 3));
    assert_eq!(fit_of("1\t2", 3, none), Fit::Short);
}

/// The variant chosen for `key` in a report.
fn chosen(text: &str, key: &str) -> (String, Vec<String>, Vec<String>) {
    let s = settings();
    let doc = segment(text, &s.templates.normaliser);
    let located = super::locate(&doc, &s.templates);
    let t = &s.templates;
    let p = located
        .tables
        .iter()
        .find(|p| t.tables[p.def].key == key)
        .expect("the table is found");
    let def = &t.tables[p.def];
    let codes = located.findings.iter().map(|f| f.code.clone()).collect();
    (
        t.templates[def.template].name.clone(),
        def.columns.iter().map(|c| c.key.clone()).collect(),
        codes,
    )
}

#[test]
fn each_table_takes_the_form_its_header_prints() {
    let gb2021_items = "第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t12\n\
        第二十条第（六）项\n信息内容\t本年处理决定数量\n行政处罚\t3\n行政强制\t1\n\
        第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t1.5\n";
    let gb2019_art20_1 = "第二十条第（一）项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t1\t2\t3\n规范性文件\t4\t5\t6\n";
    let text = format!("{gb2019_art20_1}{gb2021_items}");
    let (form, cols, codes) = chosen(&text, "art20_1");
    assert_eq!(form, "gb2019");
    assert_eq!(cols, ["new_made", "new_published", "total_published"]);
    assert!(codes.iter().any(|c| c == "template.mixed"));
    let (form, _, _) = chosen(&text, "art20_5");
    assert_eq!(form, "gb2021");
    // The same rows under gb2021's header: gb2021's keys, nothing mixed.
    let text = text.replace(
        "本年新制作数量\t本年新公开数量\t对外公开总数量",
        "本年制发件数\t本年废止件数\t现行有效件数",
    );
    let (form, cols, codes) = chosen(&text, "art20_1");
    assert_eq!(form, "gb2021");
    assert_eq!(cols, ["issued", "repealed", "in_force"]);
    assert!(!codes.iter().any(|c| c == "template.mixed"));
}

#[test]
fn a_head_of_the_spanning_word_is_the_span_not_the_short_word_inside() {
    let s = settings();
    // Space-separated PDF text, total first, the span broken after 其他.
    let text = "申请人情况\n总计 自然人 法人或其他\n组织\n商业企业 科研机构 社会公益组织 法律服务机构 其他";
    let (order, _, alt) = requests_header(&s, text);
    // The template's order with 总计 first.
    let mut expect = TEMPLATE_ORDER.map(String::from).to_vec();
    expect.rotate_right(1);
    assert!(
        order == expect || alt.as_ref() == Some(&expect),
        "order {order:?}, suggested {alt:?}"
    );
}

#[test]
fn a_piece_of_a_long_row_label_is_that_row_not_the_short_label_inside() {
    let s = settings();
    let (_, def) = table(&s, "gb2021", "requests");
    let norm = s.templates.normaliser.label("2.其他法");
    let (r, _) = match_row(def, &Probe::new(&norm)).expect("the head names its row");
    assert_eq!(def.rows[r].key, "denied_prohibited_by_law");
}

/// The raw text of the cells `run` gives row `key`.
fn row_values<'d>(doc: &'d Doc, def: &TableDef, run: &Run, key: &str) -> Vec<&'d str> {
    let r = def.rows.iter().position(|x| x.key == key).expect("row");
    let span = run.rows[r].expect("the row is found");
    run.cands[span.start as usize..span.end as usize]
        .iter()
        .map(|&i| doc.raw(i as usize))
        .collect()
}

#[test]
fn a_bare_ordinal_before_values_gives_them_to_the_label_after_them() {
    let s = settings();
    let (d, def) = table(&s, "gb2019", "requests");
    let text = "申请人情况\n自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n\
                一、 0 1 0 0 0 1 2\n本年新收政府信息公开申请数量\n\
                二、 0 0 0 0 1 0 1\n上年结转政府信息公开申请数量\n";
    let doc = segment(text, &s.templates.normaliser);
    let run = read_grid(
        &doc,
        def,
        0,
        doc.cells.len(),
        Hits::new(&doc, &s.templates.index).of(d),
    );
    let values = |key: &str| row_values(&doc, def, &run, key);
    assert_eq!(values("new_received"), ["0", "1", "0", "0", "0", "1", "2"]);
    assert_eq!(values("carried_over"), ["0", "0", "0", "0", "1", "0", "1"]);
}

#[test]
fn a_header_repeated_after_a_page_break_names_no_row() {
    let s = settings();
    let (d, def) = table(&s, "gb2021", "requests");
    let header = "\t申请人情况\n\t自然人\t法人或其他组织\t总计\n\
                  \t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\n";
    // The table breaks after 2.重复申请 and prints its header again: its 总计
    // and 其他 are the header's, not the rows （七）总计 and 3.其他.
    let text = format!(
        "{header}一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n\
         2.重复申请\t1\t2\t3\t4\t5\t6\t21\n{header}\
         3.其他\t1\t1\t1\t1\t1\t1\t6\n（七）总计\t9\t9\t9\t9\t9\t9\t54\n"
    );
    let doc = segment(&text, &s.templates.normaliser);
    let run = read_grid(
        &doc,
        def,
        0,
        doc.cells.len(),
        Hits::new(&doc, &s.templates.index).of(d),
    );
    let values = |key: &str| row_values(&doc, def, &run, key);
    assert_eq!(
        values("not_processed_duplicate"),
        ["1", "2", "3", "4", "5", "6", "21"]
    );
    assert_eq!(values("other_other"), ["1", "1", "1", "1", "1", "1", "6"]);
    assert_eq!(
        values("total_processed"),
        ["9", "9", "9", "9", "9", "9", "54"]
    );
    assert_eq!(run.duplicates, 0);
}

#[test]
fn the_tail_of_a_label_broken_around_its_values_takes_them_with_its_head() {
    let s = settings();
    let (d, def) = table(&s, "gb2021", "requests");
    // `7.属于行政` names no row alone (8.属于行政查询事项 starts alike); with
    // its tail it is 7.属于行政执法案卷, and the values between are its own.
    let text = "申请人情况\n自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n\
                6.属于四类过程性信息 1 0 0 0 0 0 1\n7.属于行政\n0 2 0 0 0 0 2\n执法案卷\n\
                8.属于行政查询事项 3 0 0 0 0 0 3\n";
    let doc = segment(text, &s.templates.normaliser);
    let hits = Hits::new(&doc, &s.templates.index);
    let run = read_grid(&doc, def, 0, doc.cells.len(), hits.of(d));
    let values = |key: &str| row_values(&doc, def, &run, key);
    assert_eq!(
        values("denied_enforcement_files"),
        ["0", "2", "0", "0", "0", "0", "2"]
    );
    assert_eq!(
        values("denied_query_matters"),
        ["3", "0", "0", "0", "0", "0", "3"]
    );
    assert!(run.unknown.is_empty(), "{:?}", run.unknown);
}

#[test]
fn padding_no_row_of_the_table_shows_is_weak() {
    let weak_trail = Pad {
        trail: true,
        weak: true,
        ..Pad::default()
    };
    let trail = Pad {
        trail: true,
        ..Pad::default()
    };
    // Lent padding, or a stray blank before the values and a blank last cell:
    // which is unknown.
    // (A line's first tab is its indent, not a cell.)
    assert_eq!(fit_of("\t\t1\t", 2, trail), Fit::Exact(0, 2));
    assert_eq!(fit_of("\t\t1\t", 2, weak_trail), Fit::Excess);
    // Every column printed: the trailing blank holds no value either way.
    assert_eq!(fit_of("1\t2\t", 2, weak_trail), Fit::Exact(0, 2));
    // A stray blank in a padded row, padding shown or not: read only if the
    // columns come out the same with the padding taken for a stray blank.
    assert_eq!(fit_of("\t\t1\t2\t", 2, weak_trail), Fit::Unique(0, 3, 1));
    assert_eq!(fit_of("\t\t1\t2\t", 2, trail), Fit::Unique(0, 3, 1));
    assert_eq!(fit_of("\t\t\t1\t", 2, trail), Fit::Excess);
    assert_eq!(fit_of("\t\t\t1\t", 2, weak_trail), Fit::Excess);
}

/// The located table `key`'s slots read as raw text, and the finding codes.
fn located(text: &str, key: &str) -> (Vec<Option<String>>, Vec<String>) {
    let s = settings();
    let doc = segment(text, &s.templates.normaliser);
    let located = super::locate(&doc, &s.templates);
    let p = located
        .tables
        .iter()
        .find(|p| s.templates.tables[p.def].key == key)
        .expect("the table is found");
    let slots = p
        .slots
        .iter()
        .map(|c| c.map(|i| doc.raw(i as usize).to_string()))
        .collect();
    let codes = located.findings.iter().map(|f| f.code.clone()).collect();
    (slots, codes)
}

#[test]
fn a_row_the_document_ends_in_gives_its_first_columns() {
    let table = "第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n\
                 规章\t1\t2\t3\n";
    // Tab rows show every cell: the cut took the columns after the values.
    let (slots, codes) = located(&format!("{table}行政规范性文件\t4\t5\n"), "art20_1");
    let got: Vec<Option<&str>> = slots.iter().map(|c| c.as_deref()).collect();
    assert_eq!(
        got,
        [Some("1"), Some("2"), Some("3"), Some("4"), Some("5"), None]
    );
    assert!(codes.iter().any(|c| c == "row.truncated"), "{codes:?}");
    // The same row with text after it is a short row, not a cut one.
    let (slots, codes) = located(
        &format!("{table}行政规范性文件\t4\t5\n五、存在的主要问题\n"),
        "art20_1",
    );
    assert_eq!(slots[3..], [None, None, None]);
    assert!(codes.iter().any(|c| c == "row.short"), "{codes:?}");
    // A blank among the printed cells may be a stray one: null.
    let (slots, _) = located(&format!("{table}行政规范性文件\t\t4\n"), "art20_1");
    assert_eq!(slots[3..], [None, None, None]);
}

#[test]
fn a_header_naming_every_column_of_two_forms_takes_the_wider() {
    // 处理决定数量 is gb2021's one column and gb2019's third: the header
    // printing all three is gb2019's, though a blank-dropping read of the rows
    // fits gb2021's single column.
    let text = "第二十条第（六）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\t\n\
                行政处罚\t\t3\t\t\t\n行政强制\t\t1\t0\t\t\t\n";
    let (form, cols, _) = chosen(text, "art20_6");
    assert_eq!(form, "gb2019");
    assert_eq!(cols, ["prior_year_items", "change", "decisions"]);
}

#[test]
fn the_first_label_broken_around_its_value_before_the_body_takes_it() {
    let s = settings();
    let (d, def) = table(&s, "gb2021", "art20_8");
    // `行 政` is read as header until the tail names the row.
    let text = "第二十条第（八）项\t\t\t\n信息内容\t本年收费金额（单位：万元）\t\t\n\
                行 政\n\t10.59\t\t\n 事 业 性 收 费\t\t\t\n\n三、收到和处理政府信息公开申请情况\n";
    let doc = segment(text, &s.templates.normaliser);
    let hits = Hits::new(&doc, &s.templates.index);
    let run = read_grid(&doc, def, 1, doc.cells.len(), hits.of(d));
    assert_eq!(
        row_values(&doc, def, &run, "administrative_fees"),
        ["10.59", "", ""]
    );
}

/// The lookups that stand in for a scan of every word or row answer as the
/// scan does: the header words' pieces (`fragment_of`) and a label broken
/// around its values read whole again (`match_row`).
#[test]
fn lookups_answer_as_the_scans_do() {
    let s = settings();
    let t = &s.templates;
    let mut n = 0;
    for (d, def) in t.tables.iter().enumerate() {
        for (text, [scanned, looked_up]) in super::header::fragments_both(t.index.words(d)) {
            assert_eq!(looked_up, scanned, "{}: fragment {text:?}", def.key);
            n += 1;
        }
        let aliases: Vec<&str> = def
            .rows
            .iter()
            .flat_map(|r| r.aliases.iter().map(|a| a.text.as_str()))
            .chain(def.captions.iter().map(|c| c.text.as_str()))
            .collect();
        for a in &aliases {
            let cuts = a.char_indices().map(|(b, _)| b).chain([a.len()]);
            for b in cuts {
                let (head, tail) = a.split_at(b);
                let pairs = [(head, tail), (tail, head), (head, a), (a, tail)];
                for (x, y) in pairs {
                    assert_eq!(
                        super::read::joined_row(def, x, y),
                        super::read::joined_by_match_row(def, x, y),
                        "{}: {x:?} + {y:?}",
                        def.key
                    );
                    n += 1;
                }
            }
        }
    }
    assert!(n >= 5_000, "{n} texts compared");
}
