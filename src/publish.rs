//! Publishing: staged folders and files moved into place so that a reader —
//! or a run killed at any moment — only ever sees a complete old or a
//! complete new dataset.
//!
//! A dataset folder is swapped with its staged copy in one step
//! (`renameat2(RENAME_EXCHANGE)` on Linux); elsewhere, or on a file system
//! without exchange, the old folder is renamed aside first, which leaves a
//! moment without the folder. A file is written beside its target and
//! renamed over it.

use std::io::Write;
use std::path::Path;

fn err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

/// Exchanges two existing paths atomically; `Ok(false)` when the platform or
/// file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; the call reads them only.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Puts the staged folder `staged` in place of `target`, and removes what
/// was there.
pub fn swap_in(staged: &Path, target: &Path) -> Result<(), String> {
    if !target.exists() {
        return std::fs::rename(staged, target).map_err(|e| err(target, e));
    }
    if exchange(staged, target).map_err(|e| err(target, e))? {
        // `staged` now holds the old dataset.
        return std::fs::remove_dir_all(staged).map_err(|e| err(staged, e));
    }
    let aside = staged.with_extension("old");
    std::fs::rename(target, &aside).map_err(|e| err(target, e))?;
    std::fs::rename(staged, target).map_err(|e| err(target, e))?;
    std::fs::remove_dir_all(&aside).map_err(|e| err(&aside, e))
}

/// Writes `bytes` to `path` through a temporary file renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(|e| err(&tmp, e))?;
    f.write_all(bytes).map_err(|e| err(&tmp, e))?;
    f.sync_all().map_err(|e| err(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| err(path, e))
}

/// Moves the files of writer `tag` (`layout::file_name`) from the staged
/// dataset folder `staged` into `target`, one rename each, then removes
/// `target`'s files of that tag this run did not write, and the tag's files
/// in the Hive folders of earlier versions: another writer's files (another
/// shard's, the ingest's beside the derive stage's) are never touched.
pub fn replace_tagged(staged: &Path, target: &Path, tag: &str) -> Result<(), String> {
    use crate::sink::layout;
    std::fs::create_dir_all(target).map_err(|e| err(target, e))?;
    let mut moved = Vec::new();
    for (from, _, t) in layout::files(staged)? {
        let Some(file) = from.file_name().map(|n| n.to_os_string()) else {
            continue;
        };
        if t == tag {
            let to = target.join(&file);
            std::fs::rename(&from, &to).map_err(|e| err(&to, e))?;
            moved.push(file);
        }
    }
    for (stale, _, t) in layout::files(target)? {
        let fresh = stale
            .file_name()
            .is_some_and(|n| moved.iter().any(|m| m == n));
        if t == tag && !fresh {
            std::fs::remove_file(&stale).map_err(|e| err(&stale, e))?;
        }
    }
    remove_hive_folders(target, &format!("{tag}.parquet"))
}

/// Removes `file` from the `year=…` folders of the Hive layout of earlier
/// versions, and each folder left empty: a shard of this version
/// publishing into an older run's folder leaves no file of its own there
/// twice.
pub fn remove_hive_folders(dataset: &Path, file: &str) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dataset) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let dir = e.path();
        if !e.file_name().to_string_lossy().starts_with("year=") || !dir.is_dir() {
            continue;
        }
        let old = dir.join(file);
        if old.exists() {
            std::fs::remove_file(&old).map_err(|e| err(&old, e))?;
        }
        if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none()) {
            std::fs::remove_dir(&dir).map_err(|e| err(&dir, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_leaves_the_new_folder_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let (staged, target) = (d.path().join(".stage"), d.path().join("data"));
        for (dir, file) in [(&staged, "new"), (&target, "old")] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(file), file).unwrap();
        }
        swap_in(&staged, &target).unwrap();
        assert!(target.join("new").exists() && !target.join("old").exists());
        assert!(!staged.exists());
        std::fs::create_dir_all(&staged).unwrap();
        swap_in(&staged, &d.path().join("fresh")).unwrap();
        assert!(d.path().join("fresh").is_dir() && !staged.exists());
        write_atomic(&d.path().join("m.json"), b"{}").unwrap();
        write_atomic(&d.path().join("m.json"), b"[]").unwrap();
        let names: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(std::fs::read(d.path().join("m.json")).unwrap(), b"[]");
    }
}
