//! Thin: parse options, write the corpus, print one summary line (with the
//! time it took). Exit 0 when
//! the corpus is written, 2 on a fatal error (as xxgk's own exit codes).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = xxgk_synth::cli::Cli::parse();
    let start = std::time::Instant::now();
    match xxgk_synth::run_cli(cli) {
        Ok(s) => {
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "xxgk-synth: {} in {secs:.2} s ({:.0} reports/s)",
                s.line(),
                s.reports as f64 / secs.max(1e-9)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xxgk-synth: {e}");
            ExitCode::from(2)
        }
    }
}
