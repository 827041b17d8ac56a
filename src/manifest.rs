//! The run manifest: `OUT/_run.json`, how a nightly job knows whether the
//! night went well, and `xxgk summary OUT`, which prints it.
//!
//! Each ingest (each shard) writes its own manifest under `OUT/_run/`, named
//! like its part files; `_run.json` is those combined, plus what the derive
//! stage wrote. Both are written to a temporary file and renamed into place.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::publish;

pub const FILE: &str = "_run.json";
pub const SHARDS_DIR: &str = "_run";

/// One ingest run (one shard) or, combined, the whole dataset folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub xxgk_version: String,
    pub parser_version: String,
    /// `K/N` of one shard; `0/1` for an unsharded run; `N shards` combined.
    pub shard: String,
    pub started: String,
    pub finished: String,
    pub corpus: String,
    pub config: String,
    pub config_hash: String,
    pub inputs: Inputs,
    /// Rows per dataset.
    pub rows: BTreeMap<String, u64>,
    /// Files per status.
    pub files_by_status: BTreeMap<String, u64>,
    /// Findings per code.
    pub findings_by_code: BTreeMap<String, u64>,
    /// The severity of each code of `findings_by_code`: `error`, `warning`
    /// or `info`.
    #[serde(default)]
    pub severity_by_code: BTreeMap<String, String>,
    /// Findings of severity error.
    pub errors: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardRun>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derive: Option<DeriveRun>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Inputs {
    /// Files read (every status, duplicates included).
    pub files: u64,
    /// Hex SHA-256 over `path NUL report_id LF` of every file, in corpus
    /// order (for a combination: over the shards' digests in shard order).
    pub digest: String,
    pub other_formats: u64,
    pub other_shards: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ShardRun {
    pub shard: String,
    pub started: String,
    pub finished: String,
    pub files: u64,
    pub digest: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DeriveRun {
    pub started: String,
    pub finished: String,
    pub rows: BTreeMap<String, u64>,
    pub findings_by_code: BTreeMap<String, u64>,
    /// Buckets of bodies the stage held one at a time (`[derive]
    /// bucket_cells`).
    #[serde(default)]
    pub buckets: u64,
}

fn err(path: &Path, e: impl std::fmt::Display) -> String {
    format!("{}: {e}", path.display())
}

/// `2026-11-23T10:47:15Z`.
pub fn utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn to_json(m: &Manifest) -> Result<Vec<u8>, String> {
    let mut s = serde_json::to_string_pretty(m).map_err(|e| format!("manifest: {e}"))?;
    s.push('\n');
    Ok(s.into_bytes())
}

/// Writes one shard's manifest as `OUT/_run/<part>.json`. An unsharded run
/// replaced every dataset, so it also removes the other shards' manifests.
pub fn write_shard(out: &Path, part: &str, m: &Manifest, whole: bool) -> Result<(), String> {
    let dir = out.join(SHARDS_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| err(&dir, e))?;
    let name = format!("{}.json", part.trim_end_matches(".parquet"));
    publish::write_atomic(&dir.join(&name), &to_json(m)?)?;
    if whole {
        for e in std::fs::read_dir(&dir).map_err(|e| err(&dir, e))?.flatten() {
            if e.file_name().to_string_lossy() != name.as_str() {
                let p = e.path();
                std::fs::remove_file(&p).map_err(|e| err(&p, e))?;
            }
        }
    }
    Ok(())
}

/// The shard manifests under `OUT/_run/`, by shard, checked complete: one
/// shard count, every shard present (`Error::ShardsMissing` if not).
pub fn read_shards(out: &Path) -> Result<Vec<Manifest>, Error> {
    let dir = out.join(SHARDS_DIR);
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        err(
            &dir,
            format!("{e} (no ingest has published into this folder)"),
        )
    })?;
    let mut found = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&p).map_err(|e| err(&p, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| err(&p, e))?;
        let (k, n) = m
            .shard
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
            .ok_or_else(|| err(&p, format!("shard {:?} is not K/N", m.shard)))?;
        found.push((n, k, m));
    }
    found.sort_by_key(|(n, k, _)| (*n, *k));
    let Some(&(n, _, _)) = found.first() else {
        return Err(err(&dir, "no shard manifest").into());
    };
    if found.iter().any(|(m, _, _)| *m != n) {
        let counts: Vec<String> = found.iter().map(|(n, k, _)| format!("{k}/{n}")).collect();
        return Err(err(
            &dir,
            format!(
                "shards of different splits are mixed ({}); remove the stale ones",
                counts.join(", ")
            ),
        )
        .into());
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !found.iter().any(|(_, j, _)| j == k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::ShardsMissing { dir, missing, n });
    }
    Ok(found.into_iter().map(|(_, _, m)| m).collect())
}

/// Adds counts into counts.
fn add(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// Adds severities into severities; the graver wins where they differ.
pub fn graver(into: &mut BTreeMap<String, String>, from: &BTreeMap<String, String>) {
    let rank = |s: &str| crate::model::Severity::parse(s).map_or(3, |s| s as u8);
    for (code, sev) in from {
        let e = into.entry(code.clone()).or_insert_with(|| sev.clone());
        if rank(sev) < rank(e) {
            *e = sev.clone();
        }
    }
}

/// The shards' manifests as one.
pub fn combine(shards: &[Manifest]) -> Manifest {
    if let [one] = shards {
        return one.clone();
    }
    let mut all = Manifest {
        shard: format!("{} shards", shards.len()),
        ..Manifest::default()
    };
    let mut digest = Sha256::default();
    for s in shards {
        digest.update(s.digest_line());
        if all.started.is_empty() || s.started < all.started {
            all.started = s.started.clone();
        }
        all.finished = all.finished.max(s.finished.clone());
        all.inputs.files += s.inputs.files;
        // Every shard's walk counts the same files of other formats.
        all.inputs.other_formats = s.inputs.other_formats;
        all.errors += s.errors;
        add(&mut all.rows, &s.rows);
        add(&mut all.files_by_status, &s.files_by_status);
        add(&mut all.findings_by_code, &s.findings_by_code);
        graver(&mut all.severity_by_code, &s.severity_by_code);
        all.shards.push(ShardRun {
            shard: s.shard.clone(),
            started: s.started.clone(),
            finished: s.finished.clone(),
            files: s.inputs.files,
            digest: s.inputs.digest.clone(),
        });
    }
    all.inputs.digest = crate::digest::hex(&digest.finalize());
    if let Some(first) = shards.first() {
        all.xxgk_version = first.xxgk_version.clone();
        all.parser_version = first.parser_version.clone();
        all.corpus = first.corpus.clone();
        all.config = first.config.clone();
        all.config_hash = first.config_hash.clone();
    }
    // A split run's shards must agree on these, or the folder mixes runs.
    for s in shards {
        for (what, a, b) in [
            ("parser_version", &s.parser_version, &all.parser_version),
            ("config_hash", &s.config_hash, &all.config_hash),
        ] {
            if a != b {
                *all.findings_by_code
                    .entry(format!("run.shards_differ.{what}"))
                    .or_default() += 1;
            }
        }
    }
    all
}

impl Manifest {
    fn digest_line(&self) -> Vec<u8> {
        format!("{}\0{}\n", self.shard, self.inputs.digest).into_bytes()
    }
}

/// Writes `OUT/_run.json`.
pub fn write(out: &Path, m: &Manifest) -> Result<(), String> {
    publish::write_atomic(&out.join(FILE), &to_json(m)?)
}

/// Reads `OUT/_run.json` (`Error::Io` when it cannot be read).
pub fn read(out: &Path) -> Result<Manifest, Error> {
    let path = out.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(source) => return Err(Error::Io { path, source }),
    };
    Ok(serde_json::from_str(&text).map_err(|e| err(&path, e))?)
}

/// The manifest as a readable table, for `xxgk summary`.
pub fn render(m: &Manifest) -> String {
    let mut s = String::new();
    let line = |s: &mut String, k: &str, v: String| s.push_str(&format!("{k:<16}{v}\n"));
    line(&mut s, "run", format!("{} → {}", m.started, m.finished));
    line(
        &mut s,
        "xxgk",
        format!("{} (parser {})", m.xxgk_version, m.parser_version),
    );
    line(&mut s, "corpus", m.corpus.clone());
    line(
        &mut s,
        "config",
        format!("{} sha256 {}", m.config, m.config_hash),
    );
    line(&mut s, "shard", m.shard.clone());
    let mut inputs = format!("{} files, digest {}", m.inputs.files, m.inputs.digest);
    if m.inputs.other_formats > 0 {
        inputs += &format!("; {} of other formats not read", m.inputs.other_formats);
    }
    if m.inputs.other_shards > 0 {
        inputs += &format!("; {} left to other shards", m.inputs.other_shards);
    }
    line(&mut s, "inputs", inputs);
    line(&mut s, "errors", m.errors.to_string());
    let table = |s: &mut String, head: &str, what: &str, map: &BTreeMap<String, u64>| {
        s.push('\n');
        let w = map
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
            .max(head.len());
        s.push_str(&format!("{head:<w$}  {what:>10}\n"));
        if map.is_empty() {
            s.push_str(&format!("{:<w$}  {:>10}\n", "(none)", ""));
        }
        for (k, v) in map {
            let pad = w - k.chars().count() + k.len();
            s.push_str(&format!("{k:<pad$}  {v:>10}\n"));
        }
    };
    table(&mut s, "status", "files", &m.files_by_status);
    let mut rows = m.rows.clone();
    let mut codes = m.findings_by_code.clone();
    let mut severity = m.severity_by_code.clone();
    if let Some(d) = &m.derive {
        rows.extend(d.rows.iter().map(|(k, v)| (k.clone(), *v)));
        add(&mut codes, &d.findings_by_code);
        // The derive stage's cross-year findings are warnings.
        let derived = d
            .findings_by_code
            .keys()
            .map(|k| (k.clone(), "warning".into()));
        graver(&mut severity, &derived.collect());
    }
    table(&mut s, "dataset", "rows", &rows);
    // Findings by severity, then code.
    s.push('\n');
    let w = codes
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    s.push_str(&format!(
        "{:<w$}  {:<8}  {:>10}\n",
        "finding", "severity", "count"
    ));
    if codes.is_empty() {
        s.push_str("(none)\n");
    }
    let mut listed: Vec<(u8, &String, &str, u64)> = codes
        .iter()
        .map(|(k, v)| {
            let sev = severity.get(k).map_or("?", String::as_str);
            let rank = crate::model::Severity::parse(sev).map_or(3, |s| s as u8);
            (rank, k, sev, *v)
        })
        .collect();
    listed.sort();
    for (_, k, sev, v) in listed {
        let pad = w - k.chars().count() + k.len();
        s.push_str(&format!("{k:<pad$}  {sev:<8}  {v:>10}\n"));
    }
    for sh in &m.shards {
        line(
            &mut s,
            "",
            format!(
                "shard {}: {} files, {} → {}",
                sh.shard, sh.files, sh.started, sh.finished
            ),
        );
    }
    match &m.derive {
        Some(d) => {
            s.push('\n');
            line(&mut s, "derive", format!("{} → {}", d.started, d.finished));
        }
        None => {
            s.push('\n');
            line(&mut s, "derive", "not run".into());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_utc() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_430_835);
        assert_eq!(utc(t), "2026-11-23T10:47:15Z");
        assert_eq!(utc(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(951_782_400);
        assert_eq!(utc(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn shards_combine_and_a_missing_one_is_named() {
        let d = tempfile::tempdir().unwrap();
        let shard = |k: u32, files: u64| Manifest {
            shard: format!("{k}/3"),
            started: format!("2026-01-0{}T00:00:00Z", k + 1),
            finished: format!("2026-01-0{}T01:00:00Z", k + 1),
            inputs: Inputs {
                files,
                digest: format!("d{k}"),
                ..Inputs::default()
            },
            rows: [("reports".to_string(), files)].into(),
            ..Manifest::default()
        };
        for k in [0, 2] {
            write_shard(
                d.path(),
                &format!("part-0000{k}-of-00003.parquet"),
                &shard(k, 5),
                false,
            )
            .unwrap();
        }
        let e = read_shards(d.path()).unwrap_err();
        assert!(
            matches!(&e, Error::ShardsMissing { missing, n: 3, .. } if missing == &["1/3"]),
            "{e}"
        );
        assert!(
            e.to_string().contains("shards 1/3 have not published"),
            "{e}"
        );
        write_shard(d.path(), "part-00001-of-00003.parquet", &shard(1, 7), false).unwrap();
        let all = combine(&read_shards(d.path()).unwrap());
        assert_eq!(all.inputs.files, 17);
        assert_eq!(all.rows["reports"], 17);
        assert_eq!(all.shards.len(), 3);
        assert_eq!(all.started, "2026-01-01T00:00:00Z");
        assert_eq!(all.finished, "2026-01-03T01:00:00Z");
        // An unsharded run's manifest replaces every shard's.
        let whole = Manifest {
            shard: "0/1".into(),
            ..shard(0, 1)
        };
        write_shard(d.path(), "part-00000-of-00001.parquet", &whole, true).unwrap();
        let one = read_shards(d.path()).unwrap();
        assert_eq!(one.len(), 1);
        assert!(render(&combine(&one)).contains("reports"));
    }

    #[test]
    fn the_summary_shows_each_codes_severity_gravest_first() {
        let shard = |k: u32, sev: &str| Manifest {
            shard: format!("{k}/2"),
            findings_by_code: [("a.code".to_string(), 2), ("z.code".to_string(), 1)].into(),
            severity_by_code: [
                ("a.code".to_string(), "info".to_string()),
                ("z.code".to_string(), sev.to_string()),
            ]
            .into(),
            ..Manifest::default()
        };
        let all = combine(&[shard(0, "warning"), shard(1, "error")]);
        assert_eq!(all.severity_by_code["z.code"], "error");
        assert_eq!(all.findings_by_code["a.code"], 4);
        let text = render(&all);
        let lines: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split_whitespace().collect())
            .filter(|w: &Vec<&str>| w.first().is_some_and(|c| c.ends_with(".code")))
            .collect();
        assert_eq!(
            lines,
            [["z.code", "error", "2"], ["a.code", "info", "4"]],
            "errors first:\n{text}"
        );
    }
}
