//! `word/document.xml` → the body's paragraphs and tables, in document order.
//!
//! It takes the XML text of a WordprocessingML main part and gives `Block`s:
//! a paragraph's visible text, or a table as rows of cells with their
//! `gridSpan`, `vMerge` and `gridBefore`/`gridAfter`, each cell holding
//! blocks of its own (nested tables, text boxes). Visible means what Word
//! shows: text runs (`w:t`), tabs, breaks and no-break hyphens; a field's
//! result, not its code; tracked insertions, not deletions or the source of
//! a move; the content of content controls, smart tags and hyperlinks; a
//! text box's paragraphs after the paragraph that anchors it, read once
//! when `mc:AlternateContent` gives it twice. Properties, section settings
//! and anything outside the body are not text.
//!
//! Elements are matched by namespace, not by prefix. The XML is parsed by
//! quick-xml with end names checked; nesting deeper than `max_depth` is
//! refused before it costs more than that many frames.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// WordprocessingML, transitional and strict.
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
/// Markup compatibility (`mc:AlternateContent`).
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// At most this many fields open inside one another; deeper `begin`s are
/// counted but not tracked (real documents nest two or three).
const MAX_FIELDS: usize = 64;

/// A paragraph or a table of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph's text: tabs as `\t`, breaks as `\n`.
    Para(String),
    Table(Table),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Grid columns skipped before the first cell and after the last.
    pub before: u32,
    pub after: u32,
    pub cells: Vec<Cell>,
    /// A tracked deletion of the whole row.
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Grid columns the cell spans (`gridSpan`, 1 when absent).
    pub span: u32,
    /// Merged into the cell above (`vMerge` without `restart`), or into the
    /// cell on its left (the legacy `hMerge`): not a cell of its own.
    pub merged: bool,
    pub blocks: Vec<Block>,
}

/// Why the part was not read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Not well-formed XML, at this byte offset.
    Xml { offset: u64, what: String },
    /// Elements nest deeper than the limit.
    TooDeep { limit: usize },
}

/// The elements this reader acts on; everything else is a transparent
/// container (`w:body`, `w:sdtContent`, `w:hyperlink`, `w:smartTag`,
/// `w:ins`, `w:fldSimple`, drawing wrappers …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    P,
    R,
    T,
    Tab,
    Br,
    NoBreakHyphen,
    FldChar,
    Tbl,
    Tr,
    Tc,
    TrPr,
    TcPr,
    GridBefore,
    GridAfter,
    GridSpan,
    VMerge,
    HMerge,
    Del,
    TxbxContent,
    AlternateContent,
    Choice,
    /// Skipped with everything inside it.
    Skip,
    Other,
}

fn tag(ns: &ResolveResult<'_>, local: &str) -> Tag {
    let ResolveResult::Bound(ns) = ns else {
        return Tag::Other;
    };
    if ns.0 == MC {
        return match local {
            "AlternateContent" => Tag::AlternateContent,
            "Choice" | "Fallback" => Tag::Choice,
            _ => Tag::Other,
        };
    }
    if ns.0 != W && ns.0 != W_STRICT {
        return Tag::Other;
    }
    match local {
        "p" => Tag::P,
        "r" => Tag::R,
        "t" => Tag::T,
        "tab" | "ptab" => Tag::Tab,
        "br" | "cr" => Tag::Br,
        "noBreakHyphen" => Tag::NoBreakHyphen,
        "fldChar" => Tag::FldChar,
        "tbl" => Tag::Tbl,
        "tr" => Tag::Tr,
        "tc" => Tag::Tc,
        "trPr" => Tag::TrPr,
        "tcPr" => Tag::TcPr,
        "gridBefore" => Tag::GridBefore,
        "gridAfter" => Tag::GridAfter,
        "gridSpan" => Tag::GridSpan,
        "vMerge" => Tag::VMerge,
        "hMerge" => Tag::HMerge,
        "del" => Tag::Del,
        "txbxContent" => Tag::TxbxContent,
        // Properties and settings (their `w:tab`s are tab stops, their
        // `w:del`s marks), deleted and moved-away text, field codes, and
        // content-control settings, ruby text (the reading printed above
        // its base): never text. `w:delText` and `w:instrText` sit in runs.
        "pPr" | "rPr" | "tblPr" | "tblGrid" | "tblPrEx" | "sectPr" | "sdtPr" | "sdtEndPr"
        | "moveFrom" | "delText" | "instrText" | "delInstrText" | "fldData" | "ffData"
        | "footnoteReference" | "endnoteReference" | "object" | "rt" => Tag::Skip,
        _ => Tag::Other,
    }
}

/// A `w:val`-like attribute (`val`, any prefix), as a number.
fn number(e: &BytesStart<'_>) -> Option<u32> {
    attr(e, "val").and_then(|v| v.trim().parse().ok())
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

/// What is being built, innermost last.
enum Frame {
    /// The body or a text box: blocks in order.
    Blocks(Vec<Block>),
    Table(Table),
    Row(Row),
    Cell(Cell),
    /// A paragraph's text and the text boxes anchored in it.
    Para(String, Vec<Block>),
}

struct Parser {
    frames: Vec<Frame>,
    /// The open elements (a copy of the XML's nesting).
    open: Vec<Tag>,
    /// Depth of the element being skipped, while inside it.
    skip: Option<usize>,
    /// Open fields, innermost last: true while in the field's code.
    fields: Vec<bool>,
    /// `begin`s past `MAX_FIELDS` not yet ended.
    fields_over: usize,
    /// Per open `mc:AlternateContent`: one of its choices was read.
    alternatives: Vec<bool>,
}

impl Parser {
    fn visible(&self) -> bool {
        self.skip.is_none() && self.fields.iter().all(|code| !code)
    }

    /// Adds text to the innermost paragraph.
    fn push_str(&mut self, s: &str) {
        if !self.visible() || self.open.last() != Some(&Tag::T) {
            return;
        }
        if let Some(Frame::Para(text, _)) = self.frames.last_mut() {
            text.push_str(s);
        }
    }

    fn push_char(&mut self, c: char) {
        if let Some(Frame::Para(text, _)) = self.frames.last_mut() {
            text.push(c);
        }
    }

    /// Adds a finished block to the innermost frame that holds blocks.
    fn add_block(&mut self, block: Block) {
        match self.frames.last_mut() {
            Some(Frame::Blocks(b) | Frame::Cell(Cell { blocks: b, .. })) => b.push(block),
            Some(Frame::Para(_, boxes)) => boxes.push(block),
            // A paragraph or table straight inside a table or row is not
            // WordprocessingML; it is dropped.
            _ => {}
        }
    }

    fn row(&mut self) -> Option<&mut Row> {
        self.frames.iter_mut().rev().find_map(|f| match f {
            Frame::Row(r) => Some(r),
            _ => None,
        })
    }

    fn cell(&mut self) -> Option<&mut Cell> {
        match self.frames.last_mut() {
            Some(Frame::Cell(c)) => Some(c),
            _ => None,
        }
    }

    fn start(&mut self, t: Tag, e: &BytesStart<'_>) {
        let parent = self.open.last().copied();
        self.open.push(t);
        if self.skip.is_some() {
            return;
        }
        let in_run = parent == Some(Tag::R);
        match t {
            Tag::Skip | Tag::Del => self.skip = Some(self.open.len()),
            Tag::Choice => match self.alternatives.last_mut() {
                Some(taken) if *taken => self.skip = Some(self.open.len()),
                Some(taken) => *taken = true,
                None => {}
            },
            Tag::AlternateContent => self.alternatives.push(false),
            Tag::P => self.frames.push(Frame::Para(String::new(), Vec::new())),
            Tag::TxbxContent => self.frames.push(Frame::Blocks(Vec::new())),
            Tag::Tbl => self.frames.push(Frame::Table(Table::default())),
            Tag::Tr => self.frames.push(Frame::Row(Row::default())),
            Tag::Tc => self.frames.push(Frame::Cell(Cell {
                span: 1,
                merged: false,
                blocks: Vec::new(),
            })),
            Tag::Tab if in_run && self.visible() => self.push_char('\t'),
            Tag::Br if in_run && self.visible() => self.push_char('\n'),
            Tag::NoBreakHyphen if in_run && self.visible() => self.push_char('-'),
            Tag::FldChar => match attr(e, "fldCharType").as_deref() {
                Some("begin") if self.fields.len() < MAX_FIELDS => self.fields.push(true),
                Some("begin") => self.fields_over += 1,
                Some("separate") if self.fields_over == 0 => {
                    if let Some(code) = self.fields.last_mut() {
                        *code = false;
                    }
                }
                Some("end") if self.fields_over > 0 => self.fields_over -= 1,
                Some("end") => {
                    self.fields.pop();
                }
                _ => {}
            },
            _ => self.property(t, parent, e),
        }
    }

    /// Reads a row's or cell's property.
    fn property(&mut self, t: Tag, parent: Option<Tag>, e: &BytesStart<'_>) {
        match (parent, t) {
            (Some(Tag::TrPr), Tag::GridBefore) => {
                let n = number(e).unwrap_or(0);
                if let Some(r) = self.row() {
                    r.before = n;
                }
            }
            (Some(Tag::TrPr), Tag::GridAfter) => {
                let n = number(e).unwrap_or(0);
                if let Some(r) = self.row() {
                    r.after = n;
                }
            }
            // A tracked deletion of the row (`w:trPr/w:del`) was skipped
            // as a `Del` above; it is seen here through `open`.
            (Some(Tag::TcPr), Tag::GridSpan) => {
                let n = number(e).unwrap_or(1);
                if let Some(c) = self.cell() {
                    c.span = n.max(1);
                }
            }
            (Some(Tag::TcPr), Tag::VMerge | Tag::HMerge) => {
                let restart = attr(e, "val").as_deref() == Some("restart");
                if let Some(c) = self.cell() {
                    c.merged = !restart;
                }
            }
            _ => {}
        }
    }

    fn end(&mut self) {
        let depth = self.open.len();
        let Some(t) = self.open.pop() else {
            return;
        };
        if let Some(d) = self.skip {
            if d == depth {
                self.skip = None;
                // `w:trPr/w:del`: the row is a tracked deletion.
                if t == Tag::Del && self.open.last() == Some(&Tag::TrPr) {
                    if let Some(r) = self.row() {
                        r.deleted = true;
                    }
                }
            }
            return;
        }
        match t {
            Tag::AlternateContent => {
                self.alternatives.pop();
            }
            Tag::P => {
                if let Some(Frame::Para(text, boxes)) = self.frames.pop() {
                    self.add_block(Block::Para(text));
                    for b in boxes {
                        self.add_block(b);
                    }
                }
            }
            Tag::TxbxContent => {
                if let Some(Frame::Blocks(blocks)) = self.frames.pop() {
                    for b in blocks {
                        self.add_block(b);
                    }
                }
            }
            Tag::Tbl => {
                if let Some(Frame::Table(table)) = self.frames.pop() {
                    self.add_block(Block::Table(table));
                }
            }
            Tag::Tr => {
                if let Some(Frame::Row(row)) = self.frames.pop() {
                    if let Some(Frame::Table(t)) = self.frames.last_mut() {
                        t.rows.push(row);
                    }
                }
            }
            Tag::Tc => {
                if let Some(Frame::Cell(cell)) = self.frames.pop() {
                    if let Some(Frame::Row(r)) = self.frames.last_mut() {
                        r.cells.push(cell);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Reads the body of a main document part.
pub fn parse(xml: &str, max_depth: usize) -> Result<Vec<Block>, BodyError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    reader.resolver_mut().set_max_namespace_bindings(512);
    let mut p = Parser {
        frames: vec![Frame::Blocks(Vec::new())],
        open: Vec::new(),
        skip: None,
        fields: Vec::new(),
        fields_over: 0,
        alternatives: Vec::new(),
    };
    loop {
        let event = reader.read_resolved_event();
        let (ns, event) = match event {
            Ok(x) => x,
            Err(e) => {
                return Err(BodyError::Xml {
                    offset: reader.error_position(),
                    what: e.to_string(),
                })
            }
        };
        match event {
            Event::Start(e) => {
                if p.open.len() >= max_depth {
                    return Err(BodyError::TooDeep { limit: max_depth });
                }
                let t = tag(&ns, e.local_name().as_ref());
                p.start(t, &e);
            }
            Event::End(_) => p.end(),
            Event::Text(t) => p.push_str(&t.xml10_content()),
            Event::CData(t) => p.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                    Err(_) => None,
                };
                if let Some(c) = c {
                    p.push_str(c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !p.open.is_empty() {
        return Err(BodyError::Xml {
            offset: reader.buffer_position(),
            what: format!("the part ends inside {} open elements", p.open.len()),
        });
    }
    match p.frames.into_iter().next() {
        Some(Frame::Blocks(b)) => Ok(b),
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml"><w:body>{body}<w:sectPr><w:pgSz w:w="11906"/></w:sectPr></w:body></w:document>"#
        )
    }

    fn paras(blocks: &[Block]) -> Vec<&str> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Para(t) => Some(t.as_str()),
                Block::Table(_) => None,
            })
            .collect()
    }

    #[test]
    fn runs_tabs_breaks_and_hyphens_make_the_paragraph_text() {
        let xml = doc(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs><w:rPr><w:b/></w:rPr></w:pPr>
            <w:r><w:t>规</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">章 </w:t></w:r>
            <w:r><w:tab/><w:t>1</w:t><w:t>2</w:t><w:br/><w:t>&lt;3&#x4E00;</w:t><w:noBreakHyphen/><w:t>4</w:t></w:r></w:p>
            <w:p/>"#,
        );
        let b = parse(&xml, 100).unwrap();
        assert_eq!(paras(&b), ["规章 \t12\n<3一-4", ""]);
        // Ruby: the base, not the reading above it.
        let ruby = doc("<w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>guī</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>规</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>");
        assert_eq!(paras(&parse(&ruby, 100).unwrap()), ["规"]);
    }

    #[test]
    fn fields_show_their_result_and_tracked_changes_their_insertions() {
        let xml = doc(r#"<w:p>
            <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> =SUM(ABOVE) </w:instrText></w:r>
            <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>15</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
            <w:r><w:t>件</w:t></w:r>
            <w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r></w:fldSimple>
            <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:t>code</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>
            </w:p>
            <w:p><w:ins w:id="1" w:author="a"><w:r><w:t>新增</w:t></w:r></w:ins><w:del w:id="2" w:author="a"><w:r><w:delText>删去</w:delText></w:r></w:del>
            <w:moveFrom w:id="3"><w:r><w:t>移走</w:t></w:r></w:moveFrom><w:moveTo w:id="4"><w:r><w:t>移来</w:t></w:r></w:moveTo></w:p>"#);
        let b = parse(&xml, 100).unwrap();
        assert_eq!(paras(&b), ["15件3", "新增移来"]);
    }

    #[test]
    fn a_text_box_given_twice_is_read_once_after_its_paragraph() {
        let tb = |s: &str| {
            format!("<w:txbxContent><w:p><w:r><w:t>{s}</w:t></w:r></w:p></w:txbxContent>")
        };
        let xml = doc(&format!(
            r#"<w:p><w:r><w:t>前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>{}</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>后</w:t></w:r></w:p>
            <w:p><w:r><w:pict><v:shape><v:textbox>{}</v:textbox></v:shape></w:pict></w:r></w:p>"#,
            tb("框"),
            tb("框"),
            tb("旧框")
        ));
        let b = parse(&xml, 100).unwrap();
        assert_eq!(paras(&b), ["前后", "框", "", "旧框"]);
    }

    #[test]
    fn tables_keep_spans_merges_grid_offsets_deleted_rows_and_nesting() {
        let xml = doc(
            r#"<w:tbl><w:tblPr><w:tblW w:w="0"/></w:tblPr><w:tblGrid><w:gridCol w:w="1"/></w:tblGrid>
            <w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="2"/></w:trPr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>
              <w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr>
            <w:tr><w:trPr><w:del w:id="9" w:author="a"/></w:trPr><w:tc><w:p><w:r><w:t>删</w:t></w:r></w:p></w:tc></w:tr>
            </w:tbl><w:p><w:r><w:t>后</w:t></w:r></w:p>"#,
        );
        let b = parse(&xml, 100).unwrap();
        let Block::Table(t) = &b[0] else {
            panic!("{b:?}")
        };
        assert_eq!(t.rows.len(), 3);
        let c = &t.rows[0].cells[0];
        assert_eq!((c.span, c.merged), (2, false));
        assert_eq!(c.blocks, [Block::Para("项目".into())]);
        let r = &t.rows[1];
        assert_eq!((r.before, r.after, r.deleted), (1, 2, false));
        assert!(r.cells[0].merged);
        let Block::Table(inner) = &r.cells[1].blocks[0] else {
            panic!()
        };
        assert_eq!(inner.rows[0].cells[0].blocks, [Block::Para("内".into())]);
        assert!(t.rows[2].deleted);
        assert_eq!(b[1], Block::Para("后".into()));
    }

    #[test]
    fn other_namespaces_and_prefixes_are_told_apart() {
        // A default namespace instead of `w:`, and an `m:t` (math) that is
        // not a text run of this reader.
        let xml = format!(
            r#"<document xmlns="{W}" xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><body><p><r><t>正文</t></r><m:oMath><m:r><m:t>x</m:t></m:r></m:oMath></p></body></document>"#
        );
        assert_eq!(paras(&parse(&xml, 100).unwrap()), ["正文"]);
    }

    #[test]
    fn bad_xml_and_deep_nesting_are_errors() {
        let deep = doc(&format!(
            "{}{}",
            "<w:sdt><w:sdtContent>".repeat(100_000),
            "</w:sdtContent></w:sdt>".repeat(100_000)
        ));
        assert_eq!(
            parse(&deep, 200).unwrap_err(),
            BodyError::TooDeep { limit: 200 }
        );
        let bad = doc("<w:p><w:r><w:t>x</w:r></w:p>");
        assert!(matches!(parse(&bad, 200), Err(BodyError::Xml { .. })));
    }
}
