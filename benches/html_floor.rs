//! What the HTML parser alone costs on a corpus: html5ever's tokenizer over
//! every `.html`/`.htm` page, with a sink that only counts the tokens: no
//! tree, no rendering, no decoding beyond UTF-8. This is a floor under the
//! `html` stage that no work in xxgk can go below while it reads pages with
//! a real HTML parser (BENCHMARKS.md, issue 14).
//!
//!     cargo bench --bench html_floor -- CORPUS
//!
//! The pages are read into memory first, so only the tokenizer is timed, in
//! CPU seconds of its thread (the machine may be shared) and in wall seconds.
//! Then the whole reader (`html::render`) over the same pages, for what
//! tree building and rendering add.

use std::cell::Cell;
use std::time::Instant;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer};

mod common;

struct Count(Cell<u64>);

impl TokenSink for Count {
    type Handle = ();

    fn process_token(&self, _token: Token, _line: u64) -> TokenSinkResult<()> {
        self.0.set(self.0.get() + 1);
        TokenSinkResult::Continue
    }
}

fn main() {
    let corpus = common::corpus_arg("html_floor");
    let pages = common::read_files("html_floor", &corpus, &["html", "htm"]);
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let clock = Instant::now();
    let cpu = common::thread_cpu();
    let mut tokens = 0;
    for page in &pages {
        let text = String::from_utf8_lossy(page);
        let tokenizer = Tokenizer::new(Count(Cell::new(0)), Default::default());
        let queue = BufferQueue::default();
        queue.push_back(StrTendril::from_slice(&text));
        let _ = tokenizer.feed(&queue);
        tokenizer.end();
        tokens += tokenizer.sink.0.get();
    }
    let secs = common::thread_cpu() - cpu;
    println!(
        "{} pages, {:.1} MB, {tokens} tokens: tokenizer {secs:.2} CPU s ({:.2} s wall) \
         on one thread ({:.0} MB/s, {:.0} µs a page)",
        pages.len(),
        bytes as f64 / 1e6,
        clock.elapsed().as_secs_f64(),
        bytes as f64 / 1e6 / secs,
        secs * 1e6 / pages.len().max(1) as f64,
    );
    // The whole reader over the same pages (tree building and rendering on
    // top of the tokenizer), best of three passes.
    let settings = match xxgk::settings::load(None, None) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("html_floor: {e}");
            std::process::exit(1);
        }
    };
    let texts: Vec<String> = pages
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let mut best = f64::INFINITY;
    let mut chars = 0;
    for _ in 0..3 {
        let cpu = common::thread_cpu();
        chars = 0;
        for text in &texts {
            if let Ok(page) = xxgk::input::html::render(text, &settings.html) {
                chars += page.text.len();
            }
        }
        best = best.min(common::thread_cpu() - cpu);
    }
    println!(
        "html::render {best:.2} CPU s (best of 3; {:.0} µs a page, {chars} bytes of text): \
         {:.2} s above the tokenizer",
        best * 1e6 / pages.len().max(1) as f64,
        best - secs,
    );
}
