//! The command line, as clap derive types only. `settings` and `ingest` turn
//! these into what the engine sees; nothing else mentions clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0    the run finished and the datasets are published (bad files are rows, not failures)
  1    finished and published, but --strict found error findings
  2    fatal: bad arguments, config or templates, unwritable output; nothing published
  130  interrupted by SIGINT (Ctrl-C): the staging folder removed, nothing published
  143  terminated by SIGTERM: the same";

/// Government information-disclosure annual reports (政府信息公开工作年度报告)
/// → typed Parquet datasets.
#[derive(Parser, Debug)]
#[command(name = "xxgk", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The SQL dialects `xxgk derive --emit-sql` writes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlDialect {
    /// DuckDB (`read_parquet` of OUT's files)
    Duckdb,
    /// Spark SQL (`parquet.` paths of OUT's folders)
    Spark,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read every report under CORPUS and write the datasets under OUT, one
    /// folder of Parquet files each (one file per year): reports,
    /// disclosure_counts, procurement, litigation, findings, and (the derive
    /// stage, at the end of an unsharded run) yearly_comparison and metrics.
    /// `xxgk schema` lists their columns.
    #[command(after_help = EXIT_CODES)]
    Ingest {
        /// Folder of reports (or one report file).
        corpus: PathBuf,
        /// Folder the datasets are published into.
        #[arg(long)]
        out: PathBuf,
        /// Config file (TOML); default: the embedded config/xxgk.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Formats to read, comma-separated (`txt`, `html`); default: every
        /// format of the config's [formats] (file name extensions).
        #[arg(long, value_delimiter = ',')]
        formats: Option<Vec<String>>,
        /// Read only shard K of N (0 <= K < N): the files whose path hash is K
        /// modulo N. Each shard writes part files named after it into OUT and
        /// publishes only those, so N machines can fill one dataset folder.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Worker threads (1 or more); default: one per core.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        /// Follow symbolic links that lead outside CORPUS (by default such a
        /// link is not followed: it gets a `reports` row with
        /// `file.link_outside`). Links inside CORPUS are always followed.
        #[arg(long, short = 'L')]
        follow: bool,
        /// No progress bar and no summary.
        #[arg(long, short)]
        quiet: bool,
        /// Print the time spent per stage (walk, read, hash+decode, html,
        /// segment, extract, meta+checks, rows, write, derive) after the summary.
        #[arg(long)]
        timings: bool,
        /// Exit 1 when any finding has severity error.
        #[arg(long)]
        strict: bool,
    },
    /// Compute what needs every report: the yearly comparison, the metrics
    /// and the cross-year checks, from the datasets in OUT, and write
    /// OUT/_run.json. An unsharded ingest runs it at its end; after a
    /// sharded run, run it once every shard has published.
    #[command(after_help = EXIT_CODES)]
    Derive {
        /// The folder the datasets were published into.
        out: PathBuf,
        /// Config file (TOML); default: the embedded config/xxgk.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        /// No progress bar and no summary.
        #[arg(long, short)]
        quiet: bool,
        /// Print, instead of running the stage, an SQL script that computes
        /// the same from OUT's Parquet files in DuckDB or Spark SQL:
        /// `CREATE OR REPLACE TEMPORARY VIEW` statements, each ending with
        /// `;` and a line break, the last three `yearly_comparison`,
        /// `metrics` and `derived_findings` (the rows of
        /// findings/*-derived.parquet), with the datasets' columns and types.
        /// OUT is made absolute; nothing is read or written.
        #[arg(long, value_name = "DIALECT")]
        emit_sql: Option<SqlDialect>,
        /// Do not run the derive stage: write OUT/_run.json from the shard
        /// manifests and the derived files already published in OUT (rows
        /// and derived findings counted from the files), for a derive run
        /// elsewhere, e.g. the Spark job of deploy/spark. Fails when a
        /// derived dataset is missing or older than a shard's run.
        #[arg(long, conflicts_with = "emit_sql")]
        manifest_only: bool,
    },
    /// Print OUT/_run.json, the manifest of the last run, as a table: times,
    /// versions, config hash, inputs, files by status, rows per dataset,
    /// findings by code.
    Summary {
        /// The folder the datasets were published into.
        out: PathBuf,
    },
    /// Print the data dictionary: every column of every dataset (type, what a
    /// null means, the values it takes) and every table, row and column key
    /// with its Chinese label per template. docs/dictionary.md is
    /// `xxgk schema --markdown`.
    Schema {
        /// Print the Markdown document (default: one column a line,
        /// tab-separated: dataset, column, type, null, meaning, values).
        #[arg(long)]
        markdown: bool,
        /// Config file (TOML) whose templates and metrics are listed;
        /// default: the embedded config/xxgk.toml.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print or copy the embedded config and templates, to start a config of
    /// your own (`--config FILE` reads it; its template paths are relative
    /// to it).
    #[command(group(
        clap::ArgGroup::new("what")
            .required(true)
            .multiple(true)
            .args(["print", "templates", "write"])
    ))]
    Config {
        /// Print the embedded config/xxgk.toml.
        #[arg(long)]
        print: bool,
        /// Print the embedded templates (config/templates/*.toml), each
        /// after a `# ==> templates/NAME.toml <==` line.
        #[arg(long)]
        templates: bool,
        /// Write xxgk.toml and templates/ into DIR, a working copy for
        /// `--config DIR/xxgk.toml`; existing files are not overwritten.
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
    },
    /// Show what xxgk reads in one report: template, year and org with the
    /// text they came from, layout, every table as a grid of keys and raw
    /// cell text, then the findings.
    Inspect {
        /// The report file.
        file: PathBuf,
        /// Config file (TOML); default: the embedded config/xxgk.toml.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}
