//! Org identity across years: an `org_key` that names the same body in every
//! year's report, and two namesakes in different places differently.
//!
//! It takes the corpus-relative path and the issuing body's name as printed,
//! and gives the region (fields of the path, when `[org] path_pattern` is
//! set) and the key: `region/name`, where the name is normalised as labels
//! are (width, traditional forms, spaces and punctuation dropped), one
//! configured suffix such as 人民政府 is cut, and configured renames map an
//! old name to the current one.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::segment::normalise::Normaliser;

#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct OrgConfig {
    /// `{field}/{field}/**`: `{…}` takes one folder, `**` the rest of the
    /// path, anything else must equal the folder name. Empty: no region.
    #[serde(default)]
    pub path_pattern: String,
    /// Endings cut from a normalised name (one, the longest that fits).
    #[serde(default)]
    pub strip_suffixes: Vec<String>,
    /// Old name → current name, both as normalised and cut.
    #[serde(default)]
    pub renames: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Field,
    Literal(String),
    Rest,
}

/// The compiled `[org]` section.
#[derive(Debug, Clone)]
pub struct OrgKeys {
    pattern: Vec<Seg>,
    suffixes: Vec<String>,
    renames: HashMap<String, String>,
}

/// What a report's path and name give.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgId {
    pub region: Option<String>,
    pub key: Option<String>,
    /// A pattern is configured and the path does not follow it.
    pub region_unmatched: bool,
}

impl OrgKeys {
    pub fn new(cfg: &OrgConfig, norm: &Normaliser) -> Result<OrgKeys, String> {
        let mut pattern = Vec::new();
        let text = cfg.path_pattern.trim_matches('/');
        if !text.is_empty() {
            let parts: Vec<&str> = text.split('/').collect();
            for (i, p) in parts.iter().enumerate() {
                let seg = if *p == "**" {
                    if i + 1 != parts.len() {
                        return Err(format!(
                            "org.path_pattern {:?}: `**` must come last",
                            cfg.path_pattern
                        ));
                    }
                    Seg::Rest
                } else if p.len() > 2 && p.starts_with('{') && p.ends_with('}') {
                    Seg::Field
                } else if p.is_empty() || p.contains(['{', '}', '*']) {
                    return Err(format!(
                        "org.path_pattern {:?}: {p:?} is neither {{field}}, ** nor a folder name",
                        cfg.path_pattern
                    ));
                } else {
                    Seg::Literal((*p).to_string())
                };
                pattern.push(seg);
            }
        }
        let mut suffixes: Vec<String> = cfg
            .strip_suffixes
            .iter()
            .map(|s| norm.label(s))
            .filter(|s| !s.is_empty())
            .collect();
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        let mut keys = OrgKeys {
            pattern,
            suffixes,
            renames: HashMap::new(),
        };
        for (from, to) in &cfg.renames {
            let (f, t) = (keys.name(from, norm), keys.name(to, norm));
            if f.is_empty() || t.is_empty() {
                return Err(format!("org.renames: {from:?} = {to:?}: an empty name"));
            }
            keys.renames.insert(f, t);
        }
        Ok(keys)
    }

    /// A name normalised and cut of one suffix (never down to nothing).
    fn name(&self, raw: &str, norm: &Normaliser) -> String {
        let mut n = norm.label(raw);
        if let Some(s) = self
            .suffixes
            .iter()
            .find(|s| n.len() > s.len() && n.ends_with(s.as_str()))
        {
            n.truncate(n.len() - s.len());
        }
        n
    }

    /// The region fields of a corpus-relative path, joined with `/`.
    fn region(&self, rel: &str) -> Option<String> {
        let folders: Vec<&str> = match rel.rsplit_once('/') {
            Some((dirs, _file)) => dirs.split('/').collect(),
            None => Vec::new(),
        };
        let mut fields: Vec<&str> = Vec::new();
        let mut i = 0;
        for seg in &self.pattern {
            match seg {
                Seg::Rest => return Some(fields.join("/")),
                Seg::Field => fields.push(folders.get(i)?),
                Seg::Literal(l) => {
                    if folders.get(i) != Some(&l.as_str()) {
                        return None;
                    }
                }
            }
            i += 1;
        }
        (i == folders.len()).then(|| fields.join("/"))
    }

    pub fn identify(&self, rel: &str, org_name: Option<&str>, norm: &Normaliser) -> OrgId {
        let region = if self.pattern.is_empty() {
            None
        } else {
            self.region(rel)
        };
        let region_unmatched = !self.pattern.is_empty() && region.is_none();
        let key = org_name.map(|n| self.name(n, norm)).and_then(|n| {
            if n.is_empty() {
                return None;
            }
            let n = self.renames.get(&n).cloned().unwrap_or(n);
            Some(match &region {
                Some(r) if !r.is_empty() => format!("{r}/{n}"),
                _ => n,
            })
        });
        OrgId {
            region,
            key,
            region_unmatched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normaliser {
        Normaliser::new("鄉乡 鎮镇", "()（）").unwrap()
    }

    fn keys(pattern: &str) -> OrgKeys {
        let cfg = OrgConfig {
            path_pattern: pattern.into(),
            strip_suffixes: vec!["人民政府".into(), "办事处".into(), "街道办事处".into()],
            renames: [("太阳乡人民政府".to_string(), "太阳镇".to_string())].into(),
        };
        OrgKeys::new(&cfg, &norm()).unwrap()
    }

    #[test]
    fn names_are_normalised_cut_and_renamed() {
        let k = keys("");
        let key = |n: &str| k.identify("a/b.txt", Some(n), &norm()).key;
        assert_eq!(key("沙河街道办事处").as_deref(), Some("沙河"));
        assert_eq!(key("沙河 街道").as_deref(), Some("沙河街道"));
        assert_eq!(key("城关鎮人民政府").as_deref(), Some("城关镇"));
        assert_eq!(key("太阳乡人民政府").as_deref(), Some("太阳镇"));
        assert_eq!(key("太阳鄉").as_deref(), Some("太阳镇"));
        // A suffix is never the whole name; an empty name has no key.
        assert_eq!(key("人民政府").as_deref(), Some("人民政府"));
        assert_eq!(key("（）"), None);
        assert_eq!(k.identify("a.txt", None, &norm()), OrgId::default());
    }

    #[test]
    fn the_path_pattern_gives_the_region() {
        let k = keys("{province}/{city}/{county}/**");
        let id = k.identify(
            "河南省/郑州市/登封市/2021/a.txt",
            Some("城关镇人民政府"),
            &norm(),
        );
        assert_eq!(id.region.as_deref(), Some("河南省/郑州市/登封市"));
        assert_eq!(id.key.as_deref(), Some("河南省/郑州市/登封市/城关镇"));
        let other = k.identify(
            "湖北省/襄阳市/南漳县/a.txt",
            Some("城关镇人民政府"),
            &norm(),
        );
        assert_eq!(other.key.as_deref(), Some("湖北省/襄阳市/南漳县/城关镇"));
        let short = k.identify("河南省/a.txt", Some("城关镇"), &norm());
        assert!(short.region_unmatched);
        assert_eq!(short.key.as_deref(), Some("城关镇"));
        let exact = keys("gov/{province}");
        assert_eq!(
            exact
                .identify("gov/河南省/x.txt", None, &norm())
                .region
                .as_deref(),
            Some("河南省")
        );
        assert!(
            exact
                .identify("gov/河南省/y/x.txt", None, &norm())
                .region_unmatched
        );
        assert!(
            exact
                .identify("web/河南省/x.txt", None, &norm())
                .region_unmatched
        );
        for bad in ["**/{a}", "{a}/x*", "{}/a"] {
            let cfg = OrgConfig {
                path_pattern: bad.into(),
                ..OrgConfig::default()
            };
            assert!(OrgKeys::new(&cfg, &norm()).is_err(), "{bad}");
        }
    }
}
