//! DOCX packages built here with the zip crate's writer: the parts Word
//! writes, with the XML of the case under test.

use std::io::Write;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;
use crate::settings::{load, Settings};

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn rels(target: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{target}"/></Relationships>"#
    )
}

fn document(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" mc:Ignorable="w14"><w:body>{body}<w:sectPr><w:headerReference w:type="default" r:id="rId7"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
    )
}

/// A zip of `(name, bytes)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A package whose main part has this body.
fn docx(body: &str) -> Vec<u8> {
    let doc = document(body);
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", rels("word/document.xml").as_bytes()),
        ("word/document.xml", doc.as_bytes()),
    ])
}

fn settings() -> Settings {
    load(None, None).unwrap()
}

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

/// A cell: `props` inside `w:tcPr`, one paragraph of text.
fn tc(props: &str, text: &str) -> String {
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"1000\" w:type=\"dxa\"/>{props}</w:tcPr>{}</w:tc>",
        p(text)
    )
}

fn tr(props: &str, cells: &[String]) -> String {
    format!("<w:tr><w:trPr>{props}</w:trPr>{}</w:tr>", cells.concat())
}

fn tbl(rows: &[String]) -> String {
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"1000\"/></w:tblGrid>{}</w:tbl>",
        rows.concat()
    )
}

/// Each line: flow text, or `[col]text` cells joined by ` | `.
fn show(r: &Rendered) -> Vec<String> {
    crate::input::lines_shown(r, |col, text| format!("[{col}]{text}"))
}

fn read_ok(bytes: Vec<u8>) -> Rendered {
    read(bytes, &settings()).unwrap()
}

#[test]
fn paragraphs_and_tables_come_in_document_order_with_their_grid_columns() {
    let body = [
        p("第二十条第（一）项"),
        tbl(&[
            tr(
                "",
                &[
                    tc("", "信息内容"),
                    tc("", "本年新制作数量"),
                    tc("", "本年新公开数量"),
                ],
            ),
            tr("", &[tc("", "规章"), tc("", "1"), tc("", "2")]),
        ]),
        p("三、收到和处理政府信息公开申请情况"),
        // A corner over two rows and two columns, 申请人情况 over two, a
        // group label merged down two rows, a row starting one column late
        // and ending one early.
        tbl(&[
            tr(
                "",
                &[
                    tc(
                        r#"<w:gridSpan w:val="2"/><w:vMerge w:val="restart"/>"#,
                        "（本列数据）",
                    ),
                    tc(r#"<w:gridSpan w:val="2"/>"#, "申请人情况"),
                ],
            ),
            tr(
                "",
                &[
                    tc(r#"<w:gridSpan w:val="2"/><w:vMerge/>"#, ""),
                    tc("", "自然人"),
                    tc("", "总计"),
                ],
            ),
            tr(
                "",
                &[
                    tc(r#"<w:vMerge w:val="restart"/>"#, "三、本年度办理结果"),
                    tc("", "（一）予以公开"),
                    tc("", "5"),
                    tc("", "5"),
                ],
            ),
            tr(
                "",
                &[
                    tc("<w:vMerge/>", ""),
                    tc("", "（二）部分公开"),
                    tc("", "0"),
                    tc("", "0"),
                ],
            ),
            tr(
                r#"<w:gridBefore w:val="1"/><w:gridAfter w:val="1"/>"#,
                &[tc("", "（三）不予公开"), tc("", "1")],
            ),
        ]),
        p("四、落款"),
    ]
    .concat();
    let r = read_ok(docx(&body));
    assert_eq!(
        show(&r),
        [
            "第二十条第（一）项",
            "[0]信息内容 | [1]本年新制作数量 | [2]本年新公开数量",
            "[0]规章 | [1]1 | [2]2",
            "三、收到和处理政府信息公开申请情况",
            "[0]（本列数据） | [2]申请人情况",
            "[2]自然人 | [3]总计",
            "[0]三、本年度办理结果 | [1]（一）予以公开 | [2]5 | [3]5",
            "[1]（二）部分公开 | [2]0 | [3]0",
            "[1]（三）不予公开 | [2]1",
            "四、落款",
        ]
    );
    assert_eq!(r.layout, Some(Layout::Docx));
    assert_eq!(r.encoding, "utf-8");
    // Without tables the reader leaves the layout to `segment`.
    assert_eq!(read_ok(docx(&p("正文"))).layout, None);
}

#[test]
fn a_layout_table_is_flow_text_and_its_inner_table_the_grid() {
    let inner = tbl(&[tr("", &[tc("", "规章"), tc("", "5")])]);
    let outer = tbl(&[
        tr("", &[tc("", "标题")]),
        tr(
            "",
            &[format!(
                "<w:tc>{}{inner}{}</w:tc>",
                p("正文第一段"),
                p("落款")
            )],
        ),
    ]);
    assert_eq!(
        show(&read_ok(docx(&outer))),
        ["标题", "正文第一段", "[0]规章 | [1]5", "落款"]
    );
    // A table with a prose cell is layout too.
    let long = tbl(&[
        tr("", &[tc("", &"字".repeat(301))]),
        tr("", &[tc("", "规章"), tc("", "5")]),
    ]);
    let r = read_ok(docx(&long));
    assert!(r.cells.is_empty());
    assert!(r.text.ends_with("规章\n5"), "{}", r.text);
}

#[test]
fn tabs_and_breaks_are_lines_in_flow_and_spaces_in_cells() {
    let body = [
        "<w:p><w:r><w:t>规章</w:t><w:tab/><w:t>1</w:t><w:br/><w:t>第二行</w:t><w:cr/><w:t>第三行</w:t></w:r></w:p>".to_string(),
        tbl(&[tr(
            "",
            &["<w:tc><w:p><w:r><w:t>其他法律</w:t><w:br/><w:t>行政法规</w:t></w:r></w:p><w:p><w:r><w:t>禁止公开</w:t></w:r></w:p></w:tc>".to_string(),
              "<w:tc><w:p><w:r><w:tab/><w:t>7</w:t><w:tab/></w:r></w:p></w:tc>".to_string()],
        )]),
    ]
    .concat();
    assert_eq!(
        show(&read_ok(docx(&body))),
        [
            "规章\t1",
            "第二行",
            "第三行",
            "[0]其他法律 行政法规 禁止公开 | [1]7"
        ]
    );
}

#[test]
fn fields_tracked_changes_text_boxes_and_controls_read_as_word_shows_them() {
    let field = "<w:p><w:r><w:t>共</w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> =SUM(ABOVE) </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>12</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t>件</w:t></w:r></w:p>";
    let tracked = "<w:p><w:r><w:t>本年新收</w:t></w:r><w:del w:id=\"1\" w:author=\"x\"><w:r><w:delText>8</w:delText></w:r></w:del><w:ins w:id=\"2\" w:author=\"x\"><w:r><w:t>9</w:t></w:r></w:ins></w:p>";
    let textbox = |t: &str| format!("<w:txbxContent>{}</w:txbxContent>", p(t));
    let boxed = format!(
        "<w:p><w:r><w:t>图</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:wsp><wps:txbx>{}</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>",
        textbox("文本框"),
        textbox("文本框")
    );
    let controls = "<w:sdt><w:sdtPr><w:alias w:val=\"年份\"/><w:placeholder><w:docPart w:val=\"x\"/></w:placeholder></w:sdtPr><w:sdtContent><w:p><w:smartTag w:uri=\"u\" w:element=\"date\"><w:r><w:t>2023</w:t></w:r></w:smartTag><w:hyperlink r:id=\"rId9\"><w:r><w:t>年度报告</w:t></w:r></w:hyperlink><w:r><w:commentReference w:id=\"0\"/></w:r></w:p></w:sdtContent></w:sdt>";
    let body = [field, tracked, &boxed, controls].concat();
    assert_eq!(
        show(&read_ok(docx(&body))),
        ["共12件", "本年新收9", "图", "文本框", "2023年度报告"]
    );
}

#[test]
fn headers_footers_footnotes_and_comments_are_not_body() {
    let doc = document(
        &[
            p("正文"),
            "<w:p><w:r><w:t>注</w:t></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r></w:p>"
                .to_string(),
        ]
        .concat(),
    );
    let part = |tag: &str, text: &str| {
        format!(
            "<w:{tag} xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:{tag}>"
        )
    };
    let (hdr, ftr) = (part("hdr", "页眉 2019年报告"), part("ftr", "第 1 页"));
    let comments = part("comments", "批注：核对数字 99");
    let notes = part("footnotes", "脚注 77");
    let bytes = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", rels("word/document.xml").as_bytes()),
        ("word/header1.xml", hdr.as_bytes()),
        ("word/document.xml", doc.as_bytes()),
        ("word/footer1.xml", ftr.as_bytes()),
        ("word/comments.xml", comments.as_bytes()),
        ("word/footnotes.xml", notes.as_bytes()),
    ]);
    assert_eq!(read_ok(bytes).text, "正文\n注");
}

#[test]
fn the_main_part_is_found_through_the_package_relationships() {
    let doc = document(&p("别处的正文"));
    let bytes = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", rels("/word/document2.xml").as_bytes()),
        ("word/document.xml", document(&p("旧的")).as_bytes()),
        ("word/document2.xml", doc.as_bytes()),
    ]);
    assert_eq!(read_ok(bytes).text, "别处的正文");
    // No relationships: Word's own path.
    let bytes = zip_of(&[("word/document.xml", document(&p("正文")).as_bytes())]);
    assert_eq!(read_ok(bytes).text, "正文");
}

#[test]
fn damaged_legacy_and_encrypted_files_are_refused_by_name() {
    let s = settings();
    let code = |bytes: Vec<u8>| read(bytes, &s).unwrap_err().code;
    assert_eq!(code(b"not a zip at all".to_vec()), "docx.damaged");
    assert_eq!(code(Vec::new()), "docx.damaged");
    let other = zip_of(&[("xl/workbook.xml", b"<workbook/>".as_slice())]);
    let e = read(other, &s).unwrap_err();
    assert_eq!(e.code, "docx.damaged");
    assert!(e.message.contains("word/document.xml"), "{}", e.message);
    let bad_xml = zip_of(&[("word/document.xml", b"<w:document><w:body>".as_slice())]);
    assert_eq!(code(bad_xml), "docx.damaged");
    let not_utf8 = zip_of(&[("word/document.xml", b"<a>\xff\xfe\xfd</a>".as_slice())]);
    assert_eq!(code(not_utf8), "docx.damaged");
    let mut ole = OLE_MAGIC.to_vec();
    ole.extend([0u8; 600]);
    let e = read(ole.clone(), &s).unwrap_err();
    assert_eq!(e.code, "file.legacy_word");
    assert!(e
        .message
        .contains("libreoffice --headless --convert-to docx"));
    ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(code(ole), "docx.encrypted");
    // Through the one `match` on the format (a `.doc` that holds text or a
    // page is read as what it holds: see input's tests).
    let mut doc = OLE_MAGIC.to_vec();
    doc.extend([0u8; 600]);
    let e = crate::input::read(crate::model::Format::Doc, doc, &s).unwrap_err();
    assert_eq!(e.code, "file.legacy_word");
}

#[test]
fn zip_bombs_are_refused_with_bounded_memory() {
    let mut s = settings();
    s.docx.max_entry_bytes = 4 << 20;
    // One entry of 8 MiB of one character: over the size limit, and over
    // the ratio long before that.
    let big = document(&p(&"0".repeat(8 << 20)));
    let bomb = zip_of(&[("word/document.xml", big.as_bytes())]);
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    let e = read(bomb.clone(), &s).unwrap_err();
    assert_eq!(e.code, "docx.too_large");
    assert!(e.message.contains("docx.max_ratio"), "{}", e.message);
    s.docx.max_ratio = u64::MAX;
    let e = read(bomb, &s).unwrap_err();
    assert_eq!(e.code, "docx.too_large");
    assert!(e.message.contains("docx.max_entry_bytes"), "{}", e.message);
    // Many entries.
    s.docx.max_entries = 50;
    let names: Vec<String> = (0..60)
        .map(|i| format!("word/media/image{i}.png"))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"x".as_slice()))
        .collect();
    let doc = document(&p("正文"));
    entries.push(("word/document.xml", doc.as_bytes()));
    let e = read(zip_of(&entries), &s).unwrap_err();
    assert_eq!(e.code, "docx.too_large");
    assert!(e.message.contains("61 entries"), "{}", e.message);
    // Under the limits it reads.
    s.docx.max_entries = 100;
    assert_eq!(read(zip_of(&entries), &s).unwrap().text, "正文");
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!(
        "{}{}{}",
        "<w:sdt><w:sdtContent>".repeat(5_000),
        p("x"),
        "</w:sdtContent></w:sdt>".repeat(5_000)
    );
    let e = read(docx(&deep), &settings()).unwrap_err();
    assert_eq!(e.code, "docx.too_deep");
    // Tables nested 20 deep are well within the limit.
    let mut t = p("核心");
    for _ in 0..20 {
        t = tbl(&[tr("", &[format!("<w:tc>{t}</w:tc>")])]);
    }
    assert_eq!(read_ok(docx(&t)).text, "核心");
}

#[test]
fn cut_and_mutated_packages_are_refused_or_read_never_a_panic() {
    let body = [
        p("某县2023年政府信息公开工作年度报告"),
        tbl(&[
            tr(
                "",
                &[tc(r#"<w:gridSpan w:val="2"/>"#, "项目"), tc("", "总计")],
            ),
            tr(
                "",
                &[
                    tc(r#"<w:vMerge w:val="restart"/>"#, "组"),
                    tc("", "规章"),
                    tc("", "3"),
                ],
            ),
            tr(
                "",
                &[tc("<w:vMerge/>", ""), tc("", "规范性文件"), tc("", "4")],
            ),
        ]),
    ]
    .concat();
    let good = docx(&body);
    // Stored, not deflated: a mutated byte reaches the XML parser.
    let stored = {
        let mut z = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        z.start_file("word/document.xml", opts).unwrap();
        z.write_all(document(&body).as_bytes()).unwrap();
        z.finish().unwrap().into_inner()
    };
    let s = settings();
    let started = std::time::Instant::now();
    let mut refused = 0;
    for bytes in [&good, &stored] {
        let step = (bytes.len() / 300).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            if read(bytes[..cut].to_vec(), &s).is_err() {
                refused += 1;
            }
        }
        for at in (0..bytes.len()).step_by(step) {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut m = bytes.clone();
                m[at] ^= flip;
                // Read or refused; a read never invents a cell.
                if let Ok(r) = read(m, &s) {
                    assert!(r.cells.len() <= 9, "{:?}", r.cells);
                } else {
                    refused += 1;
                }
            }
        }
    }
    assert!(refused > 600, "{refused}");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}
