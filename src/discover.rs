//! Corpus folder → the sorted list of files to read.
//!
//! It takes the corpus root and the include/exclude patterns and gives every
//! matching file, in a deterministic order (paths compared byte-wise, `/`
//! separated, relative to the root). Walk errors are entries too, so the
//! file they concern still gets a `reports` row. It never reads a file.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::settings::Settings;

/// One file of the corpus, or a place the walk could not enter.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to the corpus, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    /// Why the walk could not read this place.
    pub error: Option<String>,
}

fn rel_path(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap_or(p);
    let parts: Vec<String> = r
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    } else {
        parts.join("/")
    }
}

/// Walks `root` (a folder, or a single file).
pub fn discover(root: &Path, settings: &Settings) -> Result<Vec<Entry>, String> {
    let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if meta.is_file() {
        return Ok(vec![Entry {
            rel: rel_path(
                Path::new(""),
                Path::new(root.file_name().unwrap_or(root.as_os_str())),
            ),
            abs: root.to_path_buf(),
            error: None,
        }]);
    }
    let mut out = Vec::new();
    for item in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        match item {
            Ok(e) => {
                if !e.file_type().is_file() {
                    continue;
                }
                let rel = rel_path(root, e.path());
                if settings.include.is_match(&rel) && !settings.exclude.is_match(&rel) {
                    out.push(Entry {
                        rel,
                        abs: e.path().to_path_buf(),
                        error: None,
                    });
                }
            }
            Err(err) => {
                let p = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| root.to_path_buf());
                out.push(Entry {
                    rel: rel_path(root, &p),
                    abs: p,
                    error: Some(err.to_string()),
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    Ok(out)
}
