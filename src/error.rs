//! The fatal errors a command ends with, by the kind a caller acts on, and
//! the exit codes they map to (README and `--help` list them).
//!
//! A caller matches on the variant, never on the text: `main` gives an
//! interrupted run 128 + the signal and everything else 2; `settings` names
//! `--config` before a config or template error but not before an argument
//! error; `xxgk summary` explains a `_run.json` that is not there, not one
//! that is broken. Every message still starts with the argument or the file
//! it is about (STYLE, habit 3). Problems inside a document are never an
//! `Error`: they are findings. It depends on nothing of the crate.

use std::path::PathBuf;

/// How a command ended; `Error::exit_code` gives the code of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Finished and published (bad files are rows, not failures).
    Ok = 0,
    /// Finished and published, but `--strict` found error findings.
    StrictErrors = 1,
    /// Fatal: nothing published.
    Fatal = 2,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command-line argument is wrong or names what cannot be used
    /// (`--shard 3/2`, `--formats`, an unreadable CORPUS, an unwritable
    /// `--out`); the message starts with the argument.
    #[error("{0}")]
    Argument(String),
    /// The config file is wrong: unreadable, bad TOML, an unknown field or
    /// value. `file` is its path (`(embedded)/xxgk.toml` for the default),
    /// or `--config PATH` when the command line named it.
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    /// A template the config names is wrong; the message starts with the
    /// template's file and line.
    #[error("{0}")]
    Template(String),
    /// `xxgk derive` before every shard has published (`missing`: `K/N`).
    #[error(
        "{}: shards {} have not published yet; derive runs once all {n} are in",
        dir.display(),
        missing.join(", ")
    )]
    ShardsMissing {
        dir: PathBuf,
        missing: Vec<String>,
        n: u32,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// SIGINT or SIGTERM arrived before publishing: the staging folder is
    /// removed, nothing is published.
    #[error(
        "interrupted by {}; the staging folder is removed, nothing published",
        signal_name(*signal)
    )]
    Interrupted { signal: i32 },
    /// Any other fatal error (writing the datasets, the derive stage); the
    /// message starts with the file it is about.
    #[error("{0}")]
    Fatal(String),
}

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error::Fatal(message)
    }
}

impl Error {
    /// The process exit code: 128 + the signal for an interrupted run, as a
    /// shell reports a process a signal stopped (130, 143); 2 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted { signal } => (128 + signal).clamp(0, 255) as u8,
            _ => Exit::Fatal as u8,
        }
    }
}

fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        s => format!("signal {s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_exits_128_plus_it_and_every_other_error_2() {
        let int = Error::Interrupted { signal: 2 };
        assert_eq!(int.exit_code(), 130);
        assert!(int.to_string().starts_with("interrupted by SIGINT;"));
        assert_eq!(Error::Interrupted { signal: 15 }.exit_code(), 143);
        let missing = Error::ShardsMissing {
            dir: "out/_run".into(),
            missing: vec!["1/3".into(), "2/3".into()],
            n: 3,
        };
        assert_eq!(
            missing.to_string(),
            "out/_run: shards 1/3, 2/3 have not published yet; derive runs once all 3 are in"
        );
        let config = Error::Config {
            file: "--config x.toml".into(),
            message: "unknown field".into(),
        };
        assert_eq!(config.to_string(), "--config x.toml: unknown field");
        for e in [missing, config, Error::Argument("--shard".into())] {
            assert_eq!(e.exit_code(), Exit::Fatal as u8, "{e}");
        }
    }
}
