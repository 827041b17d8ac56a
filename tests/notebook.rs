//! The example notebook (examples/analysis.ipynb) runs over an ingest of
//! `data/` and writes its two plots (tests/notebook.py, nbclient).

mod common;

/// The notebook reads yearly_comparison and metrics: the derive stage.
#[test]
fn the_example_notebook_runs_and_writes_its_plots() {
    use common::{ingest, root};
    let out = tempfile::tempdir().unwrap();
    ingest(&root().join("data"), out.path(), &[]);
    let plots = out.path().join("plots");
    let o = std::process::Command::new("python3")
        .arg(root().join("tests/notebook.py"))
        .arg(out.path())
        .arg(&plots)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "the notebook failed (pip install -r tests/requirements.txt?):\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for png in ["requests_per_year.png", "disclosure_rate_by_year.png"] {
        let bytes = std::fs::read(plots.join(png)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 1000, "{png}");
    }
}
