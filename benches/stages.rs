//! Criterion benches per stage on real fixtures: decode (UTF-8, GBK), HTML
//! rendering, segmentation, matching, and one whole report.
//!
//!     cargo bench --bench stages
//!
//! The end-to-end figures against the floor come from `benches/bench.py`.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use xxgk::input::{decode, html};
use xxgk::model::Format;
use xxgk::{extract, report, segment, settings};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/fixtures")
        .join(name);
    std::fs::read(p).unwrap()
}

fn stages(c: &mut Criterion) {
    let s = settings::load(None, None).unwrap();
    let text_bytes = fixture("layout1_pdf_tabs_split_labels.txt");
    let gbk_bytes = fixture("enc_gbk.txt");
    let page_bytes = fixture("html_spans_one_page.html");
    let text = String::from_utf8(text_bytes.clone()).unwrap();
    let page = String::from_utf8(page_bytes.clone()).unwrap();
    let rendered = html::render(&page, &s.html).unwrap();

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Bytes(text_bytes.len() as u64));
    g.bench_function("decode utf-8", |b| {
        b.iter(|| decode::decode(text_bytes.clone(), false, &s.legacy).unwrap())
    });
    g.throughput(Throughput::Bytes(gbk_bytes.len() as u64));
    g.bench_function("decode gbk (detected)", |b| {
        b.iter(|| decode::decode(gbk_bytes.clone(), false, &s.legacy).unwrap())
    });
    g.throughput(Throughput::Bytes(page_bytes.len() as u64));
    g.bench_function("html render", |b| {
        b.iter(|| html::render(&page, &s.html).unwrap())
    });
    g.throughput(Throughput::Bytes(text_bytes.len() as u64));
    g.bench_function("segment text", |b| {
        b.iter(|| segment::segment(&text, &s.templates.normaliser))
    });
    let doc = segment::segment(&text, &s.templates.normaliser);
    g.bench_function("extract text", |b| {
        b.iter(|| extract::extract(&doc, &s.templates))
    });
    let hdoc = segment::segment_with(&rendered.text, &rendered.spans, &s.templates.normaliser);
    g.bench_function("extract html", |b| {
        b.iter(|| extract::extract(&hdoc, &s.templates))
    });
    g.bench_function("report text (all stages)", |b| {
        b.iter(|| report::from_bytes("t.txt", text_bytes.clone(), Format::Txt, &s))
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
