//! Which file formats a corpus is written in (`--formats`), and the format
//! of each report.
//!
//! Text and HTML come from the layout a plan draws (six text layouts, one
//! HTML: real-world.md items 1–7), exactly as before PDF and DOCX existed, so
//! the default `txt,html` gives the same bytes as ever. PDF and DOCX take a
//! share of the reports on a stream of their own: a report that stays text
//! or HTML is the report the same seed gave without them.

use super::plan::Layout;
use super::rng::Rng;

/// Salts the seed of the stream that chooses a report's PDF or DOCX format.
const FORMAT_STREAM: u64 = 0x666F_726D_6174_0001;

/// How many layouts each format stands for when the shares are left to the
/// generator: six text layouts, HTML, PDF and DOCX one each.
const WEIGHTS: [(&str, f64); 4] = [("txt", 6.0), ("html", 1.0), ("pdf", 1.0), ("docx", 1.0)];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Formats {
    pub txt: bool,
    pub html: bool,
    /// Share of PDF reports, 0–1.
    pub pdf: f64,
    /// Share of DOCX reports, 0–1.
    pub docx: f64,
}

impl Default for Formats {
    /// `txt,html`: every report text or HTML, as the layout falls.
    fn default() -> Formats {
        Formats {
            txt: true,
            html: true,
            pdf: 0.0,
            docx: 0.0,
        }
    }
}

impl Formats {
    /// `txt,html,pdf=0.3,docx`: formats by name, PDF and DOCX with a share
    /// or without (then the formats named without one split what the
    /// shares leave, each by the layouts it stands for: txt 6, html, pdf and
    /// docx 1). Text and HTML take no share of their own: they split theirs
    /// as the layouts fall.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut named = [false; 4];
        let mut share: [Option<f64>; 4] = [None; 4];
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = match item.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (item, None),
            };
            let i = WEIGHTS
                .iter()
                .position(|(n, _)| *n == name)
                .ok_or_else(|| {
                    format!("--formats: unknown format {name:?} (known: txt, html, pdf, docx)")
                })?;
            if named[i] {
                return Err(format!("--formats: {name} named twice"));
            }
            named[i] = true;
            if let Some(v) = value {
                if i < 2 {
                    return Err(format!(
                        "--formats: {name} takes no share (txt and html split what pdf and docx leave, as the layouts fall)"
                    ));
                }
                let x: f64 = v
                    .parse()
                    .ok()
                    .filter(|x: &f64| (0.0..=1.0).contains(x))
                    .ok_or_else(|| format!("--formats: {name}={v}: a share is between 0 and 1"))?;
                share[i] = Some(x);
            }
        }
        if !named.contains(&true) {
            return Err("--formats: no format named".to_string());
        }
        let given: f64 = share.iter().flatten().sum();
        if given > 1.0 + 1e-9 {
            return Err(format!(
                "--formats: the shares add up to {given}, more than 1"
            ));
        }
        let rest = (1.0 - given).max(0.0);
        let weight: f64 = (0..4)
            .filter(|&i| named[i] && share[i].is_none())
            .map(|i| WEIGHTS[i].1)
            .sum();
        if weight == 0.0 && rest > 1e-9 {
            return Err(format!(
                "--formats: the shares add up to {given}, not 1, and no format takes the rest"
            ));
        }
        let of = |i: usize| match share[i] {
            Some(x) => x,
            None if named[i] => rest * WEIGHTS[i].1 / weight,
            None => 0.0,
        };
        Ok(Formats {
            txt: named[0],
            html: named[1],
            pdf: of(2),
            docx: of(3),
        })
    }

    /// The layouts a report that stays text or HTML draws from: every one
    /// when both are named (the draw of old), else those of the one named.
    pub fn text_layouts(&self) -> &'static [Layout] {
        match (self.txt, self.html) {
            (true, false) => &Layout::TEXT,
            (false, true) => &[Layout::Html],
            _ => &Layout::ALL,
        }
    }

    /// PDF or DOCX for unit `unit` (a report, or a body followed over the
    /// years) of the corpus of `seed`, or `None`: the drawn layout stays.
    pub fn draw(&self, seed: u64, unit: usize) -> Option<Layout> {
        if self.pdf + self.docx <= 0.0 {
            return None;
        }
        let u = Rng::for_report(seed ^ FORMAT_STREAM, unit as u64).unit();
        if u < self.pdf {
            Some(Layout::Pdf)
        } else if u < self.pdf + self.docx || !(self.txt || self.html) {
            // Without txt and html the shares add up to 1: a rounding
            // remainder is DOCX, never a text report nobody asked for.
            Some(if self.docx > 0.0 {
                Layout::Docx
            } else {
                Layout::Pdf
            })
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_follow_the_names_and_the_layouts() {
        assert_eq!(Formats::parse("txt,html"), Ok(Formats::default()));
        let f = Formats::parse("txt,html,pdf,docx").unwrap();
        assert!((f.pdf - 1.0 / 9.0).abs() < 1e-12 && (f.docx - 1.0 / 9.0).abs() < 1e-12);
        let f = Formats::parse("pdf").unwrap();
        assert_eq!((f.txt, f.html, f.pdf, f.docx), (false, false, 1.0, 0.0));
        let f = Formats::parse("txt, html, pdf=0.3, docx=0.2").unwrap();
        assert_eq!((f.pdf, f.docx), (0.3, 0.2));
        let f = Formats::parse("pdf=0.5,docx").unwrap();
        assert_eq!((f.pdf, f.docx), (0.5, 0.5));
        for bad in [
            "",
            "rtf",
            "txt=0.5",
            "pdf=1.5",
            "pdf=0.7,docx=0.7",
            "pdf=0.5",
            "pdf,pdf",
        ] {
            assert!(Formats::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_draw_gives_the_shares() {
        let f = Formats::parse("txt,html,pdf=0.3,docx=0.2").unwrap();
        let mut n = [0usize; 3];
        for i in 0..10_000 {
            n[match f.draw(7, i) {
                Some(Layout::Pdf) => 0,
                Some(_) => 1,
                None => 2,
            }] += 1;
        }
        assert!((2700..3300).contains(&n[0]), "{n:?}");
        assert!((1700..2300).contains(&n[1]), "{n:?}");
        assert!(Formats::default().draw(7, 3).is_none());
        let only = Formats::parse("docx").unwrap();
        assert!((0..500).all(|i| only.draw(1, i) == Some(Layout::Docx)));
    }
}
