//! What the corpus benches share: the corpus from the command line, its
//! files of some extensions read into memory, and the CPU clock of a thread.

/// The corpus named on the command line; `cargo bench` passes `--bench`
/// before the arguments after `--`. Exits with a usage line naming `bench`
/// when there is none.
pub fn corpus_arg(bench: &str) -> String {
    match std::env::args().skip(1).find(|a| !a.starts_with("--")) {
        Some(c) => c,
        None => {
            eprintln!("usage: cargo bench --bench {bench} -- CORPUS");
            std::process::exit(2);
        }
    }
}

/// The bytes of every file under `corpus` whose extension is one of
/// `extensions` (any case), in file-name order. A walk error ends the
/// bench; a file that cannot be read is reported and left out.
pub fn read_files(bench: &str, corpus: &str, extensions: &[&str]) -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(corpus).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{bench}: {e}");
                std::process::exit(1);
            }
        };
        let wanted = entry
            .path()
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| extensions.iter().any(|e| x.eq_ignore_ascii_case(e)));
        if wanted {
            match std::fs::read(entry.path()) {
                Ok(bytes) => files.push(bytes),
                Err(e) => eprintln!("{bench}: {}: {e}", entry.path().display()),
            }
        }
    }
    files
}

/// CPU seconds this thread has run.
pub fn thread_cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}
