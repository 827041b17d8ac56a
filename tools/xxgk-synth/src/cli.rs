//! The command line of `xxgk-synth`, as clap derive types only; `crate::run_cli`
//! turns it into `Options` and nothing else mentions clap.

use std::path::PathBuf;

use clap::Parser;

/// Write a synthetic corpus for xxgk's benchmarks and accuracy tests: N
/// reports on both templates, in every layout, format and encoding xxgk
/// reads, with values that satisfy the checks (a few deliberately do not)
/// and noise from real reports, under OUT/r/, and an oracle per report under
/// OUT/expected/. The same N and seed give the same bytes.
#[derive(Parser, Debug)]
#[command(name = "xxgk-synth", version)]
pub struct Cli {
    /// Folder to write into.
    pub out: PathBuf,
    /// Number of reports.
    #[arg(long, default_value_t = 1000)]
    pub n: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of reports that carry noise (0–1).
    #[arg(long, default_value_t = 0.3)]
    pub noisy: f64,
    /// Noise kinds a noisy report may carry, comma-separated (names as in
    /// the oracles' `noise`), or `all`.
    #[arg(long, default_value = "all")]
    pub noise_kinds: String,
    /// Follow each body over Y years (1–6, the years up to 2024): report i
    /// is year i % Y of body i / Y, with the same name and layout, last
    /// year's carried-forward requests carried over, rules in force as a
    /// stock and other counts growing plausibly. Default: every report an
    /// unrelated body in a random year.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=6))]
    pub years: Option<u8>,
    /// File formats, comma-separated: txt, html, pdf, docx; pdf and docx
    /// may take a share (`pdf=0.3`). Formats named without a share split
    /// what the shares leave by the layouts they stand for (txt 6, html,
    /// pdf and docx 1 each); txt and html always split theirs as the seven
    /// layouts fall, so the default writes what it always wrote.
    #[arg(long, default_value = "txt,html")]
    pub formats: String,
    /// Config file (TOML) whose templates the reports follow; default: the
    /// config embedded in xxgk.
    #[arg(long)]
    pub config: Option<PathBuf>,
}
