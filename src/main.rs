//! Thin: parse options, run, map the outcome to an exit code (STYLE, habit 1).

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;

use xxgk::cli::{Cli, Command, SqlDialect};
use xxgk::error::{Error, Exit};
use xxgk::model::Format;
use xxgk::sink::Shard;
use xxgk::{dictionary, ingest, inspect, manifest, progress, report, run, settings};

fn command(cli: Cli) -> Result<Exit, Error> {
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
                Some(s) => Shard::parse(&s).map_err(Error::Argument)?,
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
            let outcome = run::ingest(&opts, &settings, &bar)?;
            bar.finish_and_clear();
            if !quiet {
                eprint!("{}", run::summary(&outcome));
                if let Some(d) = &outcome.derived {
                    eprint!("{}", run::derive_summary(d));
                }
            }
            if timings {
                eprint!("{}", run::timings(&outcome));
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
                xxgk::recorded::record_published(&out)?
            } else {
                let settings = settings::load_cli(config.as_deref(), None)?;
                if let Some(dialect) = emit_sql {
                    let dialect = match dialect {
                        SqlDialect::Duckdb => xxgk::derive::sql::Dialect::DuckDb,
                        SqlDialect::Spark => xxgk::derive::sql::Dialect::Spark,
                    };
                    print!("{}", xxgk::derive::sql::script(&out, &settings, dialect)?);
                    return Ok(Exit::Ok);
                }
                let bar = progress::bar(quiet);
                let m = run::derive(&out, &settings, &bar)?;
                bar.finish_and_clear();
                m
            };
            if !quiet {
                if let Some(d) = &m.derive {
                    eprint!("{}", run::derive_summary(d));
                }
            }
            Ok(Exit::Ok)
        }
        Command::Summary { out } => {
            let m = manifest::read(&out).map_err(|e| match e {
                Error::Io { ref source, .. } if source.kind() == ErrorKind::NotFound => {
                    Error::Fatal(format!(
                        "{e} (a sharded run writes it with `xxgk derive OUT` once every shard is in)"
                    ))
                }
                e => e,
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
                settings::write_copy(&dir, |p| eprintln!("xxgk: wrote {}", p.display()))?;
            }
            Ok(Exit::Ok)
        }
        Command::Inspect { file, config } => {
            let settings = settings::load_cli(config.as_deref(), None)?;
            let bytes = std::fs::read(&file).map_err(|source| Error::Io {
                path: file.clone(),
                source,
            })?;
            let name = file.display().to_string();
            let format = settings.format_of(&name).unwrap_or(Format::Txt);
            let r = report::from_bytes(&name, bytes, format, &settings);
            print!("{}", inspect::render(&r, &settings.templates));
            Ok(Exit::Ok)
        }
    }
}

fn main() -> ExitCode {
    match command(Cli::parse()) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("xxgk: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
