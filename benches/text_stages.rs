//! What the text path's stages cost on a corpus, each timed alone over every
//! `.txt` file held in memory: the content hash, decoding (`input::read`),
//! and segmentation. CPU seconds of the one thread, best of three passes,
//! so a shared machine disturbs the figures little (BENCHMARKS.md, issue 14).
//!
//!     cargo bench --bench text_stages -- CORPUS

use std::hint::black_box;

use sha2::{Digest, Sha256};
use xxgk::input;
use xxgk::model::Format;
use xxgk::{segment, settings};

mod common;

fn main() {
    let corpus = common::corpus_arg("text_stages");
    let s = settings::load(None, None).unwrap_or_else(|e| {
        eprintln!("text_stages: {e}");
        std::process::exit(2);
    });
    let files = common::read_files("text_stages", &corpus, &["txt"]);
    let bytes: usize = files.iter().map(Vec::len).sum();
    let rendered: Vec<input::Rendered> = files
        .iter()
        .filter_map(|f| input::read(Format::Txt, f.clone(), &s).ok())
        .filter(|(f, _)| *f == Format::Txt)
        .map(|(_, r)| r)
        .collect();
    let best = |f: &mut dyn FnMut() -> usize| {
        let mut out = (f64::MAX, 0);
        for _ in 0..3 {
            let cpu = common::thread_cpu();
            let n = f();
            out = (out.0.min(common::thread_cpu() - cpu), n);
        }
        out
    };
    let copies = best(&mut || files.iter().map(|f| black_box(f.clone()).len()).sum());
    let hash = best(&mut || files.iter().map(|f| Sha256::digest(f)[0] as usize).sum());
    let decode = best(&mut || {
        files
            .iter()
            .filter_map(|f| input::read(Format::Txt, f.clone(), &s).ok())
            .map(|(_, r)| r.text.len())
            .sum()
    });
    let seg = best(&mut || {
        rendered
            .iter()
            .map(|r| segment::rendered(r, &s.templates.normaliser).cells.len())
            .sum()
    });
    println!(
        "{} text files, {:.1} MB, {} read as text, CPU s best of 3:",
        files.len(),
        bytes as f64 / 1e6,
        rendered.len()
    );
    println!("  copy bytes   {:.3} (in input::read below)", copies.0);
    println!("  sha-256      {:.3}", hash.0);
    println!("  input::read  {:.3} (copy included)", decode.0);
    println!("  segment      {:.3} ({} cells)", seg.0, seg.1);
}
