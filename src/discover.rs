//! Corpus folder → the files to read, one at a time.
//!
//! It takes the corpus root, the include/exclude patterns and the chosen
//! formats, and hands every matching file to a callback in a deterministic
//! order (depth first, each folder's names sorted byte-wise), so memory does
//! not grow with the corpus. Symbolic links are followed while they lead to
//! a place inside the corpus; one leading outside it is not followed unless
//! asked (`--follow`, as ripgrep and fd do), so a crawled archive cannot make
//! xxgk read files elsewhere on the machine. Such a link, a loop, a place the
//! walk cannot enter and anything that is not a regular file (a FIFO, a
//! socket, a dangling link) are entries too, with the problem named, so each
//! gets a `reports` row. A file name that is not UTF-8 is kept with its bad
//! bytes written `\xNN`. It never reads a file.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Error;
use crate::model::Format;
use crate::settings::Settings;

/// Why a place of the corpus cannot be read: a finding code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

/// One file of the corpus, or a place the walk could not enter.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to the corpus, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    /// The format it is read as; `None` for a walk problem outside the
    /// chosen formats (a folder, a link loop).
    pub format: Option<Format>,
    /// The file name was not UTF-8 (`rel` shows its bytes as `\xNN`).
    pub name_not_utf8: bool,
    /// Why the walk could not read this place.
    pub problem: Option<Problem>,
}

/// A path component as text; bytes that are not UTF-8 become `\xNN`.
fn component(s: &std::ffi::OsStr, lossy: &mut bool) -> String {
    if let Some(t) = s.to_str() {
        return t.to_string();
    }
    *lossy = true;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in s.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        s.to_string_lossy().into_owned()
    }
}

/// `p` relative to `root`, `/`-separated, and whether a name was not UTF-8.
fn rel_path(root: &Path, p: &Path) -> (String, bool) {
    let r = p.strip_prefix(root).unwrap_or(p);
    let mut lossy = false;
    let parts: Vec<String> = r
        .components()
        .map(|c| component(c.as_os_str(), &mut lossy))
        .collect();
    let rel = if parts.is_empty() {
        p.file_name()
            .map_or_else(String::new, |n| component(n, &mut lossy))
    } else {
        parts.join("/")
    };
    (rel, lossy)
}

fn walk_problem(err: &walkdir::Error) -> Problem {
    if let Some(ancestor) = err.loop_ancestor() {
        return Problem {
            code: "file.symlink_loop",
            message: format!(
                "a symbolic link loops back to {}; not followed",
                ancestor.display()
            ),
        };
    }
    // ELOOP: a link that resolves to itself through links.
    #[cfg(target_os = "linux")]
    if err.io_error().and_then(std::io::Error::raw_os_error) == Some(40) {
        return Problem {
            code: "file.symlink_loop",
            message: format!("symbolic links loop: {err}"),
        };
    }
    match err.io_error().map(std::io::Error::kind) {
        Some(std::io::ErrorKind::PermissionDenied) => Problem {
            code: "file.permission",
            message: format!("cannot be read: {err}"),
        },
        Some(std::io::ErrorKind::NotFound) => Problem {
            code: "file.dangling_link",
            message: format!("a symbolic link to nothing: {err}"),
        },
        _ => Problem {
            code: "file.unreadable",
            message: format!("the walk could not enter it: {err}"),
        },
    }
}

fn not_regular() -> Problem {
    Problem {
        code: "file.not_regular",
        message: "not a regular file (a FIFO, socket or device); not read".to_string(),
    }
}

/// Checks that the corpus root can be walked at all (a fatal error, naming
/// the argument, if not).
pub fn check_root(root: &Path) -> Result<(), Error> {
    std::fs::metadata(root)
        .map(|_| ())
        .map_err(|e| unreadable_root(root, e))
}

fn unreadable_root(root: &Path, e: std::io::Error) -> Error {
    Error::Argument(format!("CORPUS {}: cannot be read: {e}", root.display()))
}

/// Where a symbolic link leads when that is outside `root` (canonical).
fn leads_outside(root: &Path, link: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(link).ok()?;
    (!target.starts_with(root)).then_some(target)
}

/// Walks `root` (a folder, or a single file), calling `take` with each entry
/// until it returns false. Symbolic links leading outside `root` are
/// followed only when `follow` is set. Returns how many files matched the
/// patterns but none of the chosen formats.
pub fn walk(
    root: &Path,
    settings: &Settings,
    follow: bool,
    mut take: impl FnMut(Entry) -> bool,
) -> Result<usize, Error> {
    let meta = std::fs::metadata(root).map_err(|e| unreadable_root(root, e))?;
    if meta.is_file() {
        let name = root.file_name().unwrap_or(root.as_os_str());
        let (rel, lossy) = rel_path(Path::new(""), Path::new(name));
        take(Entry {
            format: Some(settings.format_of(&rel).unwrap_or(Format::Txt)),
            rel,
            abs: root.to_path_buf(),
            name_not_utf8: lossy,
            problem: None,
        });
        return Ok(0);
    }
    let mut other_formats = 0;
    // The root as links resolve: what lies under it is inside the corpus.
    let inside = if follow {
        None
    } else {
        Some(std::fs::canonicalize(root).map_err(|e| unreadable_root(root, e))?)
    };
    let mut items = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(item) = items.next() {
        let (path, problem, is_file) = match &item {
            Ok(e) => {
                let ft = e.file_type();
                let outside = if e.path_is_symlink() && e.depth() > 0 {
                    inside.as_deref().and_then(|r| leads_outside(r, e.path()))
                } else {
                    None
                };
                if let Some(target) = outside {
                    // Not entered: the link itself is the entry.
                    if ft.is_dir() {
                        items.skip_current_dir();
                    }
                    let problem = Problem {
                        code: "file.link_outside",
                        message: format!(
                            "a symbolic link leading outside CORPUS, to {}; not followed \
                             (--follow follows it)",
                            target.display()
                        ),
                    };
                    (e.path().to_path_buf(), Some(problem), !ft.is_dir())
                } else {
                    if ft.is_dir() {
                        continue;
                    }
                    let problem = (!ft.is_file()).then(not_regular);
                    (e.path().to_path_buf(), problem, true)
                }
            }
            Err(err) => {
                let p = err
                    .path()
                    .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                // A link to nothing is reported by walkdir as an error on
                // the link itself: it stands where a file would.
                let is_file = std::fs::symlink_metadata(&p)
                    .is_ok_and(|m| m.file_type().is_symlink())
                    && std::fs::metadata(&p).is_err()
                    && err.loop_ancestor().is_none();
                (p, Some(walk_problem(err)), is_file)
            }
        };
        let (rel, lossy) = rel_path(root, &path);
        if !settings.include.is_match(&rel) || settings.exclude.is_match(&rel) {
            continue;
        }
        let format = settings.format_of(&rel);
        // A file of no chosen format is not part of this run; a walk problem
        // on a folder or a loop is reported whatever its name.
        if format.is_none() && (problem.is_none() || is_file) {
            other_formats += 1;
            continue;
        }
        let go_on = take(Entry {
            rel,
            abs: path,
            format,
            name_not_utf8: lossy,
            problem,
        });
        if !go_on {
            break;
        }
    }
    Ok(other_formats)
}
