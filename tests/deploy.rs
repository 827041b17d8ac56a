//! The Kubernetes and Slurm examples of deploy/ run as written: their
//! commands, with the variables their schedulers set, then `xxgk derive`,
//! give what one unsharded run gives.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ingest, root, row_set, xxgk, years_corpus};

/// PATH with the built `xxgk` first, as the examples call it by name.
fn path_with_xxgk() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_xxgk"))
        .parent()
        .unwrap()
        .to_path_buf();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn derive_and_compare(sharded: &Path, whole: &Path) {
    let o = xxgk(&["derive", sharded.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for d in [
        "reports",
        "disclosure_counts",
        "litigation",
        "procurement",
        "findings",
        "yearly_comparison",
        "metrics",
    ] {
        let (a, b) = (row_set(&sharded.join(d)), row_set(&whole.join(d)));
        assert!(!b.is_empty(), "{d} is empty");
        assert!(a == b, "{d}: the shards and derive differ from one run");
    }
}

fn whole_run(dir: &Path) -> PathBuf {
    let whole = dir.join("whole");
    ingest(&years_corpus(), &whole, &[]);
    whole
}

#[test]
fn the_slurm_array_job_then_derive_gives_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sharded");
    let script = root().join("deploy/slurm/xxgk.sbatch");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("#SBATCH --array=0-15"), "the example's array");
    // Three tasks of an array 0-2, as Slurm would set them.
    for k in 0..3 {
        let o = Command::new("bash")
            .arg(&script)
            .arg(years_corpus())
            .arg(&out)
            .env("PATH", path_with_xxgk())
            .env("SLURM_ARRAY_TASK_ID", k.to_string())
            .env("SLURM_ARRAY_TASK_MAX", "2")
            .env("SLURM_CPUS_PER_TASK", "1")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(std::fs::read_dir(out.join("_run")).unwrap().count(), 3);
    derive_and_compare(&out, &whole_run(dir.path()));
}

#[test]
fn the_kubernetes_indexed_job_then_derive_gives_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sharded");
    let yaml = std::fs::read_to_string(root().join("deploy/kubernetes/xxgk-job.yaml")).unwrap();
    assert!(yaml.contains("completionMode: Indexed") && yaml.contains("completions: 16"));
    // The ingest pod's shell command, as the YAML folds it onto one line.
    let lines: Vec<&str> = yaml.lines().map(str::trim).collect();
    let from = lines
        .iter()
        .position(|l| l.starts_with("- exec xxgk ingest"))
        .expect("the ingest command");
    let command = format!("{} {}", &lines[from][2..], lines[from + 1]);
    assert!(
        command.contains("--shard \"$JOB_COMPLETION_INDEX/16\""),
        "{command}"
    );
    // The image's config: the embedded one, written out.
    let o = xxgk(&[
        "config",
        "--write",
        dir.path().join("cfg").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let config = dir.path().join("cfg/xxgk.toml");
    let command = command
        .replace("/data/corpus", years_corpus().to_str().unwrap())
        .replace("/data/xxgk", out.to_str().unwrap())
        .replace("/etc/xxgk/xxgk.toml", config.to_str().unwrap());
    for k in 0..16 {
        let o = Command::new("sh")
            .args(["-c", &command])
            .env("PATH", path_with_xxgk())
            .env("JOB_COMPLETION_INDEX", k.to_string())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(std::fs::read_dir(out.join("_run")).unwrap().count(), 16);
    derive_and_compare(&out, &whole_run(dir.path()));
}
