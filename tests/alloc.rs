//! The matcher's hot path allocates nothing per cell: heap allocations
//! during `extract` are counted (a counting global allocator, this test
//! binary only) on real fixtures, then on the same fixtures with thousands of
//! prose cells added that the matcher must scan and reject. The allocations
//! must not grow with those cells. Prints the profile (allocations per
//! report and per cell) that BENCHMARKS.md quotes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use xxgk::{extract, segment, settings};

struct Counting;

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn count() -> u64 {
    COUNT.with(Cell::get)
}

/// (allocations in extract, cells scanned, tables found and findings).
fn measure(text: &str, s: &settings::Settings) -> (u64, usize, (usize, usize)) {
    let t = &s.templates;
    let doc = segment::segment(text, &t.normaliser);
    let before = count();
    let out = extract::extract(&doc, t);
    let n = count() - before;
    let found = (out.tables.len(), out.findings.len());
    drop(out);
    (n, doc.cells.len(), found)
}

#[test]
fn extract_allocations_do_not_grow_with_cells() {
    let s = settings::load(None, None).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    // Prose a report might carry: lines of words, numbers and near-labels.
    // In a report whose tables have no caption, a near-label (行政许可…)
    // starts a table: the filler then changes what is found, and the
    // allocations of what is found, but never per cell — which the doubled
    // filler shows for every fixture.
    let filler = |n: usize| -> String {
        (0..n)
            .map(|i| format!("本机关第{i}次会议研究了公开工作\t共计{i}件\t行政许可事项说明\n"))
            .collect()
    };
    let (short, long) = (filler(3000), filler(6000));
    let (mut allocs, mut cells, mut reports, mut grown) = (0u64, 0usize, 0u64, 0u64);
    for p in &names {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue; // GBK / UTF-16 fixtures: decoding is not under test
        };
        let (base, base_cells, base_found) = measure(&text, &s);
        // The filler before the tables: every added cell is scanned.
        let (more, more_cells, more_found) = measure(&format!("{short}{text}"), &s);
        let (most, most_cells, _) = measure(&format!("{long}{text}"), &s);
        let added = (more_cells - base_cells) as u64;
        assert!(added >= 9000, "{}: {added} cells added", p.display());
        // A few vectors may grow (log of the cells); nothing per cell.
        assert!(
            most <= more + 32,
            "{}: {more} allocations for {more_cells} cells, {most} for {most_cells}",
            p.display()
        );
        if base_found == more_found {
            assert!(
                more <= base + 32,
                "{}: {base} allocations for {base_cells} cells, {more} for {more_cells}",
                p.display()
            );
            // The thread's memo of label hits may make the later call the cheaper.
            grown = grown.max(more.saturating_sub(base));
        }
        allocs += base;
        cells += base_cells;
        reports += 1;
    }
    assert!(reports >= 15, "{reports} fixtures read");
    eprintln!(
        "extract: {reports} reports, {cells} cells, {allocs} allocations: {:.0} per report, \
         {:.3} per cell (the output's raw text and findings); 9000 more prose cells: at most \
         {grown} more allocations",
        allocs as f64 / reports as f64,
        allocs as f64 / cells as f64
    );
}
