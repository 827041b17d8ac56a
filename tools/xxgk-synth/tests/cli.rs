//! The `xxgk-synth` binary on a temp dir: a corpus and its oracles written,
//! exit 0 and a summary line; bad arguments exit 2 and write nothing.

use std::process::Command;

fn synth(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xxgk-synth"))
        .args(args)
        .output()
        .expect("the xxgk-synth binary runs")
}

#[test]
fn the_binary_writes_reports_and_oracles_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let o = synth(&[out.to_str().unwrap(), "--n", "12", "--seed", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("xxgk-synth: 12 reports, "), "{err}");
    let reports = std::fs::read_dir(out.join("r/000")).unwrap().count();
    let oracles = std::fs::read_dir(out.join("expected")).unwrap().count();
    assert_eq!((reports, oracles), (12, 12));

    let bad = dir.path().join("bad");
    for args in [
        vec!["--years", "7"],
        vec!["--noise-kinds", "no_such_kind"],
        vec!["--noisy", "1.5"],
    ] {
        let mut all = vec![bad.to_str().unwrap()];
        all.extend(args.iter().copied());
        let o = synth(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!bad.join("expected").exists(), "{args:?} wrote files");
    }
}
