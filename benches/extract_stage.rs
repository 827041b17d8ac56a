//! What the extract stage costs on a corpus: every `.txt` and `.html` file
//! read and segmented beforehand, then `extract::extract` timed alone over
//! the documents held in memory. CPU seconds of the one thread, best of
//! three passes (BENCHMARKS.md, issue 14). It also prints a digest of every
//! extraction (tables, cells, findings), so a change to the matcher that
//! should not change its answers can be checked on a corpus in seconds.
//!
//!     cargo bench --bench extract_stage -- CORPUS [--limit N]

use std::hash::{DefaultHasher, Hash, Hasher};

use xxgk::input;
use xxgk::model::Format;
use xxgk::{extract, segment, settings};

mod common;

fn main() {
    let corpus = common::corpus_arg("extract_stage");
    let limit = std::env::args()
        .skip_while(|a| a != "--limit")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let s = settings::load(None, None).unwrap_or_else(|e| {
        eprintln!("extract_stage: {e}");
        std::process::exit(2);
    });
    let mut rendered: Vec<input::Rendered> = Vec::new();
    for (ext, format) in [("txt", Format::Txt), ("html", Format::Html)] {
        let files = common::read_files("extract_stage", &corpus, &[ext]);
        rendered.extend(
            files
                .into_iter()
                .take(limit)
                .filter_map(|f| input::read(format, f, &s).ok())
                .map(|(_, r)| r),
        );
    }
    let t = &s.templates;
    let docs: Vec<segment::Doc> = rendered
        .iter()
        .map(|r| segment::rendered(r, &t.normaliser))
        .collect();
    let cells: usize = docs.iter().map(|d| d.cells.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let cpu = common::thread_cpu();
        let n: usize = docs
            .iter()
            .map(|d| extract::extract(d, t).tables.len())
            .sum();
        std::hint::black_box(n);
        best = best.min(common::thread_cpu() - cpu);
    }
    let mut digest = DefaultHasher::new();
    for d in &docs {
        format!("{:?}", extract::extract(d, t)).hash(&mut digest);
    }
    println!(
        "{} documents, {cells} cells: extract {best:.3} CPU s (best of 3), digest {:016x}",
        docs.len(),
        digest.finish()
    );
}
