//! Options and config → validated settings and compiled templates: all the
//! engine sees. The default config is embedded so `xxgk` runs with no file.
//!
//! It takes an optional config path and gives `Settings`, or an error naming
//! the file (and line, for templates). It never touches the corpus.

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::derive::config::DeriveConfig;
use crate::error::Error;
use crate::extract::meta::{self, MetaConfig};
use crate::input::docx::DocxConfig;
use crate::input::html::HtmlConfig;
use crate::input::pdf::PdfConfig;
use crate::model::Format;
use crate::org::{OrgConfig, OrgKeys};
use crate::segment::normalise::Normaliser;
use crate::template::{self, Templates};

/// The default config, as `xxgk config --print` shows it.
pub const DEFAULT_CONFIG: &str = include_str!("../config/xxgk.toml");
/// The shipped templates, by the path the default config names them with.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "templates/gb2019.toml",
        include_str!("../config/templates/gb2019.toml"),
    ),
    (
        "templates/gb2021.toml",
        include_str!("../config/templates/gb2021.toml"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    corpus: CorpusConfig,
    formats: BTreeMap<String, Vec<String>>,
    decode: DecodeConfig,
    html: HtmlConfig,
    docx: DocxConfig,
    pdf: PdfConfig,
    templates: TemplatesConfig,
    normalise: NormaliseConfig,
    meta: MetaConfig,
    #[serde(default)]
    org: OrgConfig,
    #[serde(default)]
    derive: DeriveConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusConfig {
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_file_bytes: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecodeConfig {
    legacy: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplatesConfig {
    files: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NormaliseConfig {
    traditional: String,
    drop: String,
}

impl Settings {
    /// The format a corpus path is read as, if its extension is chosen.
    pub fn format_of(&self, rel: &str) -> Option<Format> {
        let ext = rel.rsplit_once('.')?.1;
        if ext.contains('/') {
            return None;
        }
        self.extensions
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(ext))
            .map(|(_, f)| *f)
    }
}

/// Everything the engine needs, checked.
pub struct Settings {
    pub include: GlobSet,
    pub exclude: GlobSet,
    /// Lower-case extension → the format it is read as; only the formats
    /// chosen with `--formats` (all by default).
    pub extensions: Vec<(String, Format)>,
    pub max_file_bytes: u64,
    pub legacy: Vec<&'static Encoding>,
    pub html: HtmlConfig,
    pub docx: DocxConfig,
    pub pdf: PdfConfig,
    pub templates: Templates,
    pub meta: meta::Reader,
    pub org: OrgKeys,
    pub derive: DeriveConfig,
    /// Where the config came from: a path or `(embedded)`.
    pub config_name: String,
    /// Hex SHA-256 of the config and template texts, for the run manifest.
    pub config_hash: String,
}

/// An error in the config file `file`.
fn bad(file: &str, message: impl std::fmt::Display) -> Error {
    Error::Config {
        file: file.to_string(),
        message: message.to_string(),
    }
}

fn globs(patterns: &[String], what: &str, name: &str) -> Result<GlobSet, Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| bad(name, format!("corpus.{what}: {e}")))?;
        b.add(g);
    }
    b.build()
        .map_err(|e| bad(name, format!("corpus.{what}: {e}")))
}

/// `load` for a command line: an error about the config file or its
/// templates names the `--config` option it came from.
pub fn load_cli(config: Option<&Path>, formats: Option<&[String]>) -> Result<Settings, Error> {
    load(config, formats).map_err(|e| match (config, e) {
        (Some(p), Error::Config { message, .. }) => Error::Config {
            file: format!("--config {}", p.display()),
            message,
        },
        (Some(p), Error::Template(t)) => Error::Template(format!("--config {}: {t}", p.display())),
        (_, e) => e,
    })
}

/// `xxgk config --write DIR`: the embedded config and templates as files
/// in DIR, never overwriting one; `wrote` hears of each file written.
pub fn write_copy(dir: &Path, mut wrote: impl FnMut(&Path)) -> Result<(), Error> {
    let arg = |e: std::io::Error, what: &Path| {
        Error::Argument(format!(
            "--write {}: {}: {e}",
            dir.display(),
            what.display()
        ))
    };
    let mut files = vec![(dir.join("xxgk.toml"), DEFAULT_CONFIG)];
    files.extend(EMBEDDED.iter().map(|(n, t)| (dir.join(n), *t)));
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
        wrote(&path);
    }
    Ok(())
}

/// Loads the config at `path`, or the embedded default, reading the formats
/// named in `formats` (all of them when `None`).
pub fn load(path: Option<&Path>, formats: Option<&[String]>) -> Result<Settings, Error> {
    let (name, text, dir): (String, String, Option<PathBuf>) = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| bad(&p.display().to_string(), e))?;
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            (p.display().to_string(), text, Some(dir))
        }
        None => (
            "(embedded)/xxgk.toml".to_string(),
            DEFAULT_CONFIG.to_string(),
            None,
        ),
    };
    let cfg: ConfigFile = toml::from_str(&text).map_err(|e| bad(&name, e))?;
    let normaliser = Normaliser::new(&cfg.normalise.traditional, &cfg.normalise.drop)
        .map_err(|e| bad(&name, format!("normalise.traditional: {e}")))?;
    let mut texts: Vec<(String, String)> = Vec::new();
    for file in &cfg.templates.files {
        match &dir {
            Some(d) => {
                let p = d.join(file);
                let t = std::fs::read_to_string(&p).map_err(|e| {
                    bad(
                        &name,
                        format!(
                            "templates.files: {}: {e} (paths are relative to the config \
                         file: copy config/templates/ beside it, or write a working copy \
                         with `xxgk config --write DIR`; `xxgk config --print` shows the \
                         embedded config)",
                            p.display()
                        ),
                    )
                })?;
                texts.push((p.display().to_string(), t));
            }
            None => {
                let t = EMBEDDED
                    .iter()
                    .find(|(n, _)| n == file)
                    .ok_or_else(|| bad(&name, format!("template {file:?} is not embedded")))?;
                texts.push((format!("(embedded)/{file}"), t.1.to_string()));
            }
        }
    }
    let sources: Vec<template::Source<'_>> = texts
        .iter()
        .map(|(n, t)| template::Source {
            name: n.clone(),
            text: t,
        })
        .collect();
    let config_hash = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(text.as_bytes());
        for (n, t) in &texts {
            h.update(n.rsplit('/').next().unwrap_or(n).as_bytes());
            h.update([0]);
            h.update(t.as_bytes());
        }
        crate::digest::hex(&h.finalize())
    };
    let templates = template::compile(&sources, normaliser).map_err(Error::Template)?;
    let org = OrgKeys::new(&cfg.org, &templates.normaliser).map_err(|e| bad(&name, e))?;
    cfg.derive.check().map_err(|e| bad(&name, e))?;
    let mut extensions = Vec::new();
    for (format, exts) in &cfg.formats {
        let f = Format::from_name(format).ok_or_else(|| {
            bad(
                &name,
                format!(
                    "formats.{format}: unknown format (xxgk reads {})",
                    Format::ALL.map(Format::as_str).join(", ")
                ),
            )
        })?;
        extensions.extend(
            exts.iter()
                .map(|e| (e.trim_start_matches('.').to_ascii_lowercase(), f)),
        );
    }
    if let Some(chosen) = formats {
        for c in chosen {
            if !cfg.formats.contains_key(c.as_str()) {
                let known: Vec<&str> = cfg.formats.keys().map(String::as_str).collect();
                return Err(Error::Argument(format!(
                    "--formats: unknown format {c:?} (the config knows {})",
                    known.join(", ")
                )));
            }
        }
        extensions.retain(|(_, f)| chosen.iter().any(|c| c == f.as_str()));
    }
    let mut legacy = Vec::new();
    for label in &cfg.decode.legacy {
        legacy.push(
            Encoding::for_label(label.as_bytes())
                .ok_or_else(|| bad(&name, format!("decode.legacy: unknown encoding {label:?}")))?,
        );
    }
    let meta = meta::Reader::new(&cfg.meta, &templates.normaliser);
    Ok(Settings {
        include: globs(&cfg.corpus.include, "include", &name)?,
        exclude: globs(&cfg.corpus.exclude, "exclude", &name)?,
        extensions,
        max_file_bytes: cfg.corpus.max_file_bytes,
        legacy,
        html: cfg.html,
        docx: cfg.docx,
        pdf: cfg.pdf,
        templates,
        meta,
        org,
        derive: cfg.derive,
        config_name: name,
        config_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_config_and_every_shipped_template_load() {
        let s = load(None, None).unwrap();
        let names: Vec<&str> = s
            .templates
            .templates
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["gb2019", "gb2021"]);
        // The request table's 23 and 25 rows (tables.md).
        let rows = |n: &str| {
            let t = s.templates.templates.iter().find(|t| t.name == n).unwrap();
            let d = t
                .tables
                .iter()
                .map(|&i| &s.templates.tables[i])
                .find(|d| d.key == "requests")
                .unwrap();
            d.rows.len()
        };
        assert_eq!((rows("gb2019"), rows("gb2021")), (23, 25));
    }

    #[test]
    fn the_config_files_on_disk_load_too() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/xxgk.toml");
        let s = load(Some(&p), None).unwrap();
        assert_eq!(s.templates.templates.len(), 2);
    }

    #[test]
    fn a_config_error_names_the_config_option_and_an_argument_error_does_not() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/xxgk.toml");
        let nope = ["nope".to_string()];
        let e = load_cli(Some(&p), Some(&nope)).err().unwrap();
        assert!(
            matches!(&e, Error::Argument(m) if m.starts_with("--formats: ")),
            "{e}"
        );
        let missing = p.with_file_name("missing.toml");
        let e = load_cli(Some(&missing), None).err().unwrap();
        let want = format!("--config {}", missing.display());
        assert!(
            matches!(&e, Error::Config { file, .. } if *file == want),
            "{e}"
        );
        assert!(e.to_string().starts_with(&format!("{want}: ")), "{e}");
    }
}
