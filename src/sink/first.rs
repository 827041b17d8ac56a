//! The first path of every file's bytes, for naming duplicates, in bounded
//! memory.
//!
//! It takes report ids (hex SHA-256 of the bytes) and paths in corpus order
//! and answers, for each, the first path with the same id, if any. In memory
//! it keeps 16 bytes per distinct id: its first 64 bits and where its record
//! is in a file beside the datasets in the staging folder, which holds the
//! full id and the path. A duplicate, rare, reads its record back; the full
//! id is compared, so two files whose ids share 64 bits are never taken for
//! one another. It never decides what a duplicate is worth; the sink does.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

type Error = String;

/// The first paths of a run.
pub struct FirstPaths {
    /// First 64 bits of an id → offset of its first record.
    seen: HashMap<u64, u64>,
    /// Full id → offset, for the ids whose first 64 bits an earlier,
    /// different id already has.
    collided: HashMap<String, u64>,
    file: BufWriter<File>,
    reader: File,
    path: PathBuf,
    /// Bytes written so far: the offset of the next record.
    end: u64,
}

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    format!("{}: {e}", path.display())
}

/// The first 64 bits of a hex id, if it is hex.
fn key(id: &str) -> Option<u64> {
    u64::from_str_radix(id.get(..16)?, 16).ok()
}

impl FirstPaths {
    /// Keeps the records in the file `path` (created, or emptied).
    pub fn create(path: &Path) -> Result<FirstPaths, Error> {
        let file = File::create(path).map_err(|e| err(path, e))?;
        let reader = File::open(path).map_err(|e| err(path, e))?;
        Ok(FirstPaths {
            seen: HashMap::new(),
            collided: HashMap::new(),
            file: BufWriter::new(file),
            reader,
            path: path.to_path_buf(),
            end: 0,
        })
    }

    /// The first path with the bytes of `id`, or `None` when `path` is the
    /// first (it is then remembered). Ids that are not hex are not compared.
    pub fn first(&mut self, id: &str, path: &str) -> Result<Option<String>, Error> {
        let Some(k) = key(id) else {
            return Ok(None);
        };
        let Some(&at) = self.seen.get(&k) else {
            let at = self.append(id, path)?;
            self.seen.insert(k, at);
            return Ok(None);
        };
        let (first_id, first_path) = self.read(at)?;
        if first_id == id {
            return Ok(Some(first_path));
        }
        if let Some(&at) = self.collided.get(id) {
            return Ok(Some(self.read(at)?.1));
        }
        let at = self.append(id, path)?;
        self.collided.insert(id.to_string(), at);
        Ok(None)
    }

    /// Appends a record: the id's and the path's lengths (u32, little
    /// endian), then both.
    fn append(&mut self, id: &str, path: &str) -> Result<u64, Error> {
        let at = self.end;
        let len =
            |s: &str| u32::try_from(s.len()).map_err(|_| err(&self.path, "a path over 4 GiB"));
        let (a, b) = (len(id)?, len(path)?);
        let mut w = || -> std::io::Result<()> {
            self.file.write_all(&a.to_le_bytes())?;
            self.file.write_all(&b.to_le_bytes())?;
            self.file.write_all(id.as_bytes())?;
            self.file.write_all(path.as_bytes())
        };
        w().map_err(|e| err(&self.path, e))?;
        self.end += 8 + u64::from(a) + u64::from(b);
        Ok(at)
    }

    /// The record at `at`.
    fn read(&mut self, at: u64) -> Result<(String, String), Error> {
        let e = |e: std::io::Error| err(&self.path, e);
        self.file.flush().map_err(e)?;
        let mut r = || -> std::io::Result<(String, String)> {
            self.reader.seek(SeekFrom::Start(at))?;
            let mut lens = [0u8; 8];
            self.reader.read_exact(&mut lens)?;
            let a = u32::from_le_bytes([lens[0], lens[1], lens[2], lens[3]]) as usize;
            let b = u32::from_le_bytes([lens[4], lens[5], lens[6], lens[7]]) as usize;
            let mut bytes = vec![0u8; a + b];
            self.reader.read_exact(&mut bytes)?;
            let path = String::from_utf8_lossy(&bytes[a..]).into_owned();
            bytes.truncate(a);
            Ok((String::from_utf8_lossy(&bytes).into_owned(), path))
        };
        r().map_err(|e| err(&self.path, e))
    }

    /// Removes the file.
    pub fn remove(self) {
        drop(self.file);
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_path_and_tells_ids_sharing_64_bits_apart() {
        let d = tempfile::tempdir().unwrap();
        let mut f = FirstPaths::create(&d.path().join("first")).unwrap();
        let a = format!("{:064x}", 1u8);
        // The same first 64 bits as `a`, another id.
        let b = format!("{}{:048x}", &a[..16], 2u8);
        assert_eq!(f.first(&a, "r/a.txt").unwrap(), None);
        assert_eq!(f.first(&b, "r/b.txt").unwrap(), None);
        assert_eq!(f.first(&a, "r/c.txt").unwrap().as_deref(), Some("r/a.txt"));
        assert_eq!(f.first(&b, "r/d.txt").unwrap().as_deref(), Some("r/b.txt"));
        assert_eq!(f.first("", "r/e.txt").unwrap(), None);
        assert_eq!(f.first("", "r/f.txt").unwrap(), None);
        let c = format!("{:064x}", 3u8);
        assert_eq!(f.first(&c, "r/路径 g.txt").unwrap(), None);
        assert_eq!(
            f.first(&c, "r/h.txt").unwrap().as_deref(),
            Some("r/路径 g.txt")
        );
        f.remove();
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    }
}
