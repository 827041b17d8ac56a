//! Thin: parse options, run, map the outcome to an exit code (STYLE, habit 1).

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use xxgk::cli::{Cli, Command, SqlDialect};
use xxgk::model::Format;
use xxgk::sink::Shard;
use xxgk::{derive, dictionary, ingest, inspect, interrupt, manifest, progress, report, settings};

/// Named exit codes; README and `--help` list them.
#[derive(Debug, Clone, Copy)]
enum Exit {
    Ok = 0,
    StrictErrors = 1,
    Fatal = 2,
}

fn run(cli: Cli) -> Result<Exit, String> {
    match cli.command {
        Command::Ingest {
            corpus,
            out,
            config,
            formats,
            shard,
            threads,
            follow,
            quiet,
            timings,
            strict,
        } => {
            let settings = settings::load_cli(config.as_deref(), formats.as_deref())?;
            let shard = match shard {
                Some(s) => Shard::parse(&s)?,
                None => Shard::WHOLE,
            };
            let opts = ingest::Options {
                corpus,
                out,
                threads: threads.map(usize::from),
                shard,
                follow,
            };
            let bar = progress::bar(quiet);
            let outcome = ingest::run(&opts, &settings, &bar)?;
            // A shard leaves `_run.json` to `xxgk derive` once all are in.
            let run = if shard.n == 1 {
                Some(derive::write_run(&opts.out, outcome.derived.clone())?)
            } else {
                None
            };
            bar.finish_and_clear();
            if !quiet {
                eprint!("{}", ingest::summary(&outcome));
                if let Some(d) = run.as_ref().and_then(|m| m.derive.as_ref()) {
                    eprintln!("derive: {}", derive_line(d));
                }
            }
            if timings {
                eprint!("{}", ingest::timings(&outcome));
            }
            Ok(if strict && outcome.written.errors > 0 {
                Exit::StrictErrors
            } else {
                Exit::Ok
            })
        }
        Command::Derive {
            out,
            config,
            quiet,
            emit_sql,
            manifest_only,
        } => {
            let m = if manifest_only {
                derive::record_published(&out)?
            } else {
                let settings = settings::load_cli(config.as_deref(), None)?;
                if let Some(dialect) = emit_sql {
                    let dialect = match dialect {
                        SqlDialect::Duckdb => derive::sql::Dialect::DuckDb,
                        SqlDialect::Spark => derive::sql::Dialect::Spark,
                    };
                    print!("{}", derive::sql::script(&out, &settings, dialect)?);
                    return Ok(Exit::Ok);
                }
                let bar = progress::bar(quiet);
                let m = derive::derive_published(&out, &settings, &bar)?;
                bar.finish_and_clear();
                m
            };
            if !quiet {
                if let Some(d) = &m.derive {
                    eprintln!("derive: {}", derive_line(d));
                }
            }
            Ok(Exit::Ok)
        }
        Command::Summary { out } => {
            let m = manifest::read(&out).map_err(|e| {
                format!(
                    "{e} (a sharded run writes it with `xxgk derive OUT` once every shard is in)"
                )
            })?;
            print!("{}", manifest::render(&m));
            Ok(Exit::Ok)
        }
        Command::Schema { markdown, config } => {
            let settings = settings::load_cli(config.as_deref(), None)?;
            if markdown {
                print!("{}", dictionary::markdown(&settings));
            } else {
                print!("{}", dictionary::plain(&settings));
            }
            Ok(Exit::Ok)
        }
        Command::Config {
            print,
            templates,
            write,
        } => {
            if print {
                print!("{}", settings::DEFAULT_CONFIG);
            }
            if templates {
                for (name, text) in settings::EMBEDDED {
                    println!("# ==> {name} <==");
                    print!("{text}");
                }
            }
            if let Some(dir) = write {
                write_config(&dir)?;
            }
            Ok(Exit::Ok)
        }
        Command::Inspect { file, config } => {
            let settings = settings::load_cli(config.as_deref(), None)?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let name = file.display().to_string();
            let format = settings.format_of(&name).unwrap_or(Format::Txt);
            let r = report::from_bytes(&name, bytes, format, &settings);
            print!("{}", inspect::render(&r, &settings.templates));
            Ok(Exit::Ok)
        }
    }
}

/// `xxgk config --write DIR`: the embedded config and templates as files.
fn write_config(dir: &Path) -> Result<(), String> {
    let arg = |e: std::io::Error, what: &Path| {
        format!("--write {}: {}: {e}", dir.display(), what.display())
    };
    let mut files = vec![(dir.join("xxgk.toml"), settings::DEFAULT_CONFIG)];
    files.extend(settings::EMBEDDED.iter().map(|(n, t)| (dir.join(n), *t)));
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| arg(e, parent))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| arg(e, &path))?;
        std::io::Write::write_all(&mut f, text.as_bytes()).map_err(|e| arg(e, &path))?;
        eprintln!("xxgk: wrote {}", path.display());
    }
    Ok(())
}

/// `a 1, b 2`, or `none`.
fn listing<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a u64)>) -> String {
    let items: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k} {v}")).collect();
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn derive_line(d: &manifest::DeriveRun) -> String {
    format!(
        "{}; findings (warning): {}",
        listing(&d.rows),
        listing(&d.findings_by_code)
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("xxgk: {e}");
            // 128 + the signal, as a shell reports a process it stopped.
            match interrupt::received() {
                Some(signal) => ExitCode::from((128 + signal).clamp(0, 255) as u8),
                None => ExitCode::from(Exit::Fatal as u8),
            }
        }
    }
}
