//! Property tests over decode → HTML rendering → segmentation → matching, fed
//! with mutations of the fixtures and seeds (bytes flipped, cut, repeated,
//! removed; markup, separators, labels and encodings' marks inserted).
//! Properties: no panic; what each stage builds is bounded by its input
//! (memory cannot run away); cells point inside their text.
//!
//! Cases per property: `XXGK_PROPTEST_CASES` (default 2000). A failure is
//! shrunk and saved under `tests/props.proptest-regressions`.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;

use xxgk::input::{decode, html};
use xxgk::model::Format;
use xxgk::settings::Settings;
use xxgk::{extract, report, segment};

fn settings() -> &'static Settings {
    static S: OnceLock<Settings> = OnceLock::new();
    S.get_or_init(|| xxgk::settings::load(None, None).unwrap())
}

/// Every report under data/, with its format.
fn corpus() -> &'static Vec<(Vec<u8>, Format)> {
    static C: OnceLock<Vec<(Vec<u8>, Format)>> = OnceLock::new();
    C.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
        let mut out = Vec::new();
        for sub in ["seeds", "fixtures"] {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join(sub))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file())
                .collect();
            paths.sort();
            for p in paths {
                let format = match p.extension().and_then(|e| e.to_str()) {
                    Some("html") => Format::Html,
                    _ => Format::Txt,
                };
                out.push((std::fs::read(&p).unwrap(), format));
            }
        }
        assert!(out.len() >= 30);
        out
    })
}

/// Snippets that stress the stages: markup, spans, separators, labels,
/// numbers, byte-order marks, NUL, half characters.
const SNIPPETS: &[&[u8]] = &[
    b"<td colspan=\"99999\">",
    b"<td rowspan=0>",
    b"<tr>",
    b"</tr>",
    b"<table>",
    b"</table>",
    b"<td>",
    b"<pre>",
    b"<!--",
    b"<script>",
    b"&nbsp;",
    b"<br/>",
    b"\t",
    b"|",
    b" | ",
    b"\n",
    b"\r\n",
    b"\n\n",
    "\u{3000}".as_bytes(),
    "\u{FEFF}".as_bytes(),
    b"\xFF\xFE",
    b"\0",
    b"\xE4\xB8",
    b"\xB9",
    "1,113".as_bytes(),
    "-".as_bytes(),
    "增3".as_bytes(),
    "总计".as_bytes(),
    "万元".as_bytes(),
    "第二十条第（一）项".as_bytes(),
    "四、政府信息公开行政复议、行政诉讼情况".as_bytes(),
    "（三）不予公开".as_bytes(),
    "2023年1月1日至2023年12月31日".as_bytes(),
];

#[derive(Debug, Clone)]
enum Op {
    Flip(Index, u8),
    Insert(Index, usize),
    Delete(Index, usize),
    Repeat(Index, usize, usize),
    Cut(Index),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Op::Flip(i, b)),
        (any::<Index>(), 0..SNIPPETS.len()).prop_map(|(i, s)| Op::Insert(i, s)),
        (any::<Index>(), 1usize..400).prop_map(|(i, n)| Op::Delete(i, n)),
        (any::<Index>(), 1usize..300, 1usize..20).prop_map(|(i, n, k)| Op::Repeat(i, n, k)),
        any::<Index>().prop_map(Op::Cut),
    ]
}

fn mutate(mut b: Vec<u8>, ops: &[Op]) -> Vec<u8> {
    for op in ops {
        let at = |i: &Index, b: &Vec<u8>| i.index(b.len() + 1);
        match op {
            Op::Flip(i, v) if !b.is_empty() => {
                let k = i.index(b.len());
                b[k] = *v;
            }
            Op::Flip(..) => {}
            Op::Insert(i, s) => {
                let k = at(i, &b);
                b.splice(k..k, SNIPPETS[*s].iter().copied());
            }
            Op::Delete(i, n) => {
                let k = at(i, &b);
                let end = (k + n).min(b.len());
                b.drain(k..end);
            }
            Op::Repeat(i, n, times) => {
                let k = at(i, &b);
                let end = (k + n).min(b.len());
                let piece = b[k..end].to_vec();
                for _ in 0..*times {
                    b.splice(end..end, piece.iter().copied());
                }
            }
            Op::Cut(i) => {
                let k = at(i, &b);
                b.truncate(k);
            }
        }
    }
    b
}

fn cases() -> u32 {
    std::env::var("XXGK_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Each stage on its own: sizes bounded by the input, spans and cells
    /// inside their text, lines in order.
    #[test]
    fn stages_stay_bounded_on_mutated_reports(f in any::<Index>(), as_html in any::<bool>(), ops in prop::collection::vec(op(), 0..12)) {
        let (bytes, format) = &corpus()[f.index(corpus().len())];
        let bytes = mutate(bytes.clone(), &ops);
        let s = settings();
        let html_page = as_html || *format == Format::Html;
        let len = bytes.len();
        let Ok(d) = decode::decode(bytes, html_page, &s.legacy) else { return Ok(()) };
        // UTF-8 is at most 3 bytes per input byte (UTF-16 and GBK: 1.5).
        prop_assert!(d.text.len() <= 3 * len + 3);
        let page;
        let (text, spans): (&str, &[html::Span]) = if html_page {
            match html::render(&d.text, &s.html) {
                Ok(r) => {
                    page = r;
                    (&page.text, &page.spans)
                }
                Err(deep) => {
                    prop_assert!(deep.depth > deep.limit);
                    return Ok(());
                }
            }
        } else {
            (&d.text, &[])
        };
        // Rendering adds at most one separator or line end per character.
        prop_assert!(text.len() <= 2 * d.text.len() + 16);
        let mut last = (0u32, 0u32);
        for sp in spans {
            prop_assert!(sp.start <= sp.end && (sp.end as usize) <= text.len());
            prop_assert!((sp.line, sp.start) >= last);
            last = (sp.line, sp.end);
        }
        let doc = segment::segment_with(text, spans, &s.templates.normaliser);
        let lines = text.matches('\n').count() + 1;
        prop_assert!(doc.cells.len() <= text.len() + lines);
        prop_assert!(doc.norm.len() <= 4 * text.len() + 4);
        for i in 0..doc.cells.len() {
            let c = &doc.cells[i];
            prop_assert!(c.start <= c.end && (c.end as usize) <= text.len());
            prop_assert!(text.is_char_boundary(c.start as usize) && text.is_char_boundary(c.end as usize));
        }
        let ex = extract::extract(&doc, &s.templates);
        let max_cells: usize = s.templates.tables.iter().map(|t| t.values_per_table()).sum();
        let cells: usize = ex.tables.iter().map(|t| t.cells.len()).sum();
        prop_assert!(cells <= max_cells);
        prop_assert!(ex.findings.len() <= 4 * max_cells + 64);
    }

    /// The whole report: never a panic, every finding with a message, the
    /// report's text bounded by its bytes.
    #[test]
    fn mutated_reports_become_reports(f in any::<Index>(), ops in prop::collection::vec(op(), 0..12)) {
        let (bytes, format) = &corpus()[f.index(corpus().len())];
        let bytes = mutate(bytes.clone(), &ops);
        let len = bytes.len();
        let r = report::from_bytes("mutant", bytes, *format, settings());
        prop_assert!(r.findings.iter().all(|f| !f.message.is_empty() && !f.code.is_empty()));
        prop_assert!(r.text.len() <= 6 * len + 16);
        prop_assert_eq!(r.bytes as usize, len);
    }
}
