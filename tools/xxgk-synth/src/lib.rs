//! A deterministic synthetic corpus: annual reports in the layouts,
//! encodings and noise of real-world.md, each with an oracle of what xxgk
//! must read from it.
//!
//! It takes `Options` (output folder, number of reports, seed, share of noisy
//! reports, formats) and the compiled templates, and writes
//! `OUT/r/NNN/xxxxxxx.{txt,html,pdf,docx}` (1,000 reports per folder) and `OUT/expected/xxxxxxx.json` in the seeds'
//! oracle format (see `oracle`). Report `i` depends only on `(seed, i)`: the
//! files are byte-identical whatever the thread count. Labels, captions and
//! headers come from the templates; the generator never reads a report back
//! and never calls the engine.
//!
//! Layouts (`Layout`, real-world.md items 1–7) are drawn evenly: tab rows,
//! DOCX cell lines, web cell lines, pipe rows, pipe lines, space-separated
//! rows, HTML. `--formats` gives PDF (`pdf`) and Word (`docx`) files a
//! share on a stream of their own (`format`): the same plan printed as
//! ruled tables on A4 pages or as Word tables, through one document model
//! (`doc`); the other reports stay byte for byte what the seed gives
//! without them. Encodings: UTF-8 mostly, ~10 % GBK (text undeclared, pages
//! with `<meta charset>`), ~3 % UTF-16LE with a BOM (text only), some UTF-8
//! with a BOM. Every report's values satisfy the template's 勾稽 checks,
//! except ~2 % that break exactly one check on purpose (the oracle lists its
//! code). A `noisy_share` of the reports carry 3–7 kinds of noise
//! (`plan::noise`, limited to `Options::kinds`), each a thing real reports
//! do, in every layout where real text shows it, whether or not xxgk reads
//! it yet; the oracle lists the kinds that changed the text and stays the
//! printed truth (each cell's value is what the report prints there, keyed
//! by the form that table prints). What xxgk misreads is listed in
//! tests/known_misreads.toml and reported apart by the accuracy test; it is
//! never left out of the corpus.
//!
//! With `Options::years` (`--years Y`), report `i` is year `i % Y` of body
//! `i / Y` (the Y years up to 2024): the same name, region, layout and size
//! every year, requests carried forward into next year's carried over, a
//! stock of rules in force, other counts growing or shrinking a little
//! (`body`), so that year-over-year comparisons over the corpus mean
//! something. Without it every report is an unrelated body, as before.
//!
//! The files are written straight from the rayon workers, one write call
//! each: every report owns its two paths, so no order has to be kept.

pub mod cli;

mod body;
mod doc;
mod docx;
pub mod format;
mod html;
mod oracle;
mod pdf;
mod plan;
mod rng;
mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use xxgk::settings::Settings;
use xxgk::template::{Template, Templates};

pub use format::Formats;
pub use plan::{noise, Draw, Encoding, Layout, BREAKABLE};

/// The share of reports that carry noise unless told otherwise.
pub const DEFAULT_NOISY_SHARE: f64 = 0.3;

/// Reports per folder under `OUT/r/`.
const PER_FOLDER: usize = 1000;

#[derive(Debug, Clone)]
pub struct Options {
    /// The corpus folder: reports under `r/`, oracles under `expected/`.
    pub out: PathBuf,
    /// How many reports.
    pub n: usize,
    pub seed: u64,
    /// The share of reports that carry noise, 0.0–1.0 (default 0.3).
    pub noisy_share: f64,
    /// The noise kinds a noisy report may carry (`noise::*` bits; default
    /// every kind).
    pub kinds: u32,
    /// `--years Y` (1–6): report `i` is year `i % Y` of body `i / Y`, the
    /// years ending in 2024, its values following from the year before
    /// (`body`); `None`: every report an unrelated body.
    pub years: Option<u8>,
    /// The formats and their shares (`--formats`; default text and HTML).
    pub formats: Formats,
}

impl Options {
    pub fn new(out: impl Into<PathBuf>, n: usize, seed: u64) -> Options {
        Options {
            out: out.into(),
            n,
            seed,
            noisy_share: DEFAULT_NOISY_SHARE,
            kinds: noise::EVERY,
            years: None,
            formats: Formats::default(),
        }
    }

    fn draw(&self) -> Draw {
        Draw {
            noisy_share: self.noisy_share,
            kinds: self.kinds,
            years: self.years,
            formats: self.formats,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub reports: usize,
    /// Bytes of the report files (oracles not counted).
    pub bytes: u64,
    /// Reports per layout name (`Layout::name`).
    pub by_layout: BTreeMap<&'static str, usize>,
}

impl Summary {
    /// `N reports, B bytes: layout n, …`, the line the binary prints.
    pub fn line(&self) -> String {
        let layouts: Vec<String> = self
            .by_layout
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        format!(
            "{} reports, {} bytes: {}",
            self.reports,
            self.bytes,
            layouts.join(", ")
        )
    }
}

/// The command line's options, checked, then the corpus written: what the
/// binary runs.
pub fn run_cli(cli: cli::Cli) -> Result<Summary, String> {
    let settings =
        xxgk::settings::load_cli(cli.config.as_deref(), None).map_err(|e| e.to_string())?;
    let kinds = noise::parse(&cli.noise_kinds)?;
    let opts = Options {
        out: cli.out,
        n: cli.n,
        seed: cli.seed,
        noisy_share: cli.noisy,
        kinds,
        years: cli.years,
        formats: Formats::parse(&cli.formats)?,
    };
    run(&opts, &settings)
}

/// `run_cli` on the arguments of a command line (the first is the program's
/// name), for the tests that make their corpus in-process: the same parsing
/// and checks as the binary, without a second build of it.
pub fn run_args<I, T>(args: I) -> Result<Summary, String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = <cli::Cli as clap::Parser>::try_parse_from(args).map_err(|e| e.to_string())?;
    run_cli(cli)
}

/// One generated report, not yet written.
pub struct Generated {
    /// The report's path relative to the corpus folder (`r/000/0000000.txt`).
    pub file: String,
    pub bytes: Vec<u8>,
    pub oracle: String,
    pub layout: Layout,
}

/// The two forms, chosen by year (tables.md: gb2019 for 2019–2020, gb2021
/// from 2021).
struct Forms<'t> {
    templates: &'t Templates,
    gb2019: &'t Template,
    gb2021: &'t Template,
}

impl<'t> Forms<'t> {
    fn new(t: &'t Templates) -> Result<Forms<'t>, String> {
        let find = |name: &str| {
            t.templates
                .iter()
                .find(|x| x.name == name)
                .ok_or_else(|| format!("synth: the templates define no {name:?}"))
        };
        Ok(Forms {
            templates: t,
            gb2019: find("gb2019")?,
            gb2021: find("gb2021")?,
        })
    }

    fn by_year(&self, year: i32) -> &'t Template {
        if year <= 2020 {
            self.gb2019
        } else {
            self.gb2021
        }
    }
}

/// The stem of report `i`: `NNN/xxxxxxx`.
fn stem(i: usize) -> (String, String) {
    (format!("{:03}", i / PER_FOLDER), format!("{i:07}"))
}

fn encode(text: String, enc: Encoding) -> Result<Vec<u8>, String> {
    Ok(match enc {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Utf8Bom => {
            let mut b = Vec::with_capacity(text.len() + 3);
            b.extend_from_slice(b"\xEF\xBB\xBF");
            b.extend_from_slice(text.as_bytes());
            b
        }
        Encoding::Gbk => {
            let (bytes, _, bad) = encoding_rs::GBK.encode(&text);
            if bad {
                return Err("a character has no GBK form".to_string());
            }
            bytes.into_owned()
        }
        Encoding::Utf16LeBom => {
            // Windows files: CRLF line ends, as data/fixtures/enc_utf16le_bom.txt.
            let mut b = Vec::with_capacity(text.len() * 2 + 2);
            b.extend_from_slice(&[0xFF, 0xFE]);
            for u in text.encode_utf16() {
                if u == u16::from(b'\n') {
                    b.extend_from_slice(&[b'\r', 0]);
                }
                b.extend_from_slice(&u.to_le_bytes());
            }
            b
        }
    })
}

/// Generates report `i` in memory; `buf` is reused between reports.
fn generate_with(
    forms: &Forms<'_>,
    i: usize,
    seed: u64,
    draw: &Draw,
    buf: &mut String,
) -> Result<Generated, String> {
    let by_year = |y| forms.by_year(y);
    let p = plan::plan(forms.templates, &by_year, i, seed, draw);
    let mut rng = rng::Rng::for_report(p.render_seed, i as u64);
    let (dir, name) = stem(i);
    let file = format!("r/{dir}/{name}.{}", p.layout.extension());
    let mut paged = oracle::Paged::default();
    let bytes = match p.layout {
        Layout::Pdf => {
            let (bytes, pages, traits) = pdf::render(&p, &mut rng);
            paged = oracle::Paged {
                pages: Some(pages),
                traits,
            };
            bytes
        }
        Layout::Docx => {
            let (bytes, traits) = docx::render(&p, &mut rng).map_err(|e| format!("{file}: {e}"))?;
            paged.traits = traits;
            bytes
        }
        layout => {
            buf.clear();
            if layout == Layout::Html {
                html::render(&p, &mut rng, buf);
            } else {
                text::render(&p, &mut rng, buf);
            }
            encode(std::mem::take(buf), p.encoding).map_err(|e| format!("{file}: {e}"))?
        }
    };
    let mut o = String::with_capacity(12 * 1024);
    oracle::write(&p, &file, &paged, &mut o);
    Ok(Generated {
        file,
        bytes,
        oracle: o,
        layout: p.layout,
    })
}

/// Generates report `i` of the corpus of `seed` in memory (for tests and
/// tools that want the bytes without the files), every noise kind allowed.
pub fn generate(
    settings: &Settings,
    i: usize,
    seed: u64,
    noisy_share: f64,
) -> Result<Generated, String> {
    generate_kinds(settings, i, seed, noisy_share, noise::EVERY)
}

/// `generate` with the noise kinds limited to `kinds`.
pub fn generate_kinds(
    settings: &Settings,
    i: usize,
    seed: u64,
    noisy_share: f64,
    kinds: u32,
) -> Result<Generated, String> {
    generate_opts(
        settings,
        i,
        &Options {
            noisy_share,
            kinds,
            ..Options::new("", 0, seed)
        },
    )
}

/// Report `i` of the corpus `opts` describes (its folder and size unused),
/// in memory.
pub fn generate_opts(settings: &Settings, i: usize, opts: &Options) -> Result<Generated, String> {
    let forms = Forms::new(&settings.templates)?;
    generate_with(&forms, i, opts.seed, &opts.draw(), &mut String::new())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

#[derive(Default)]
struct Tally {
    reports: usize,
    bytes: u64,
    by_layout: [usize; Layout::WRITTEN.len()],
}

impl Tally {
    fn merge(mut self, o: Tally) -> Tally {
        self.reports += o.reports;
        self.bytes += o.bytes;
        for (a, b) in self.by_layout.iter_mut().zip(o.by_layout) {
            *a += b;
        }
        self
    }
}

/// Writes the corpus; the first error (a path and what went wrong) stops it.
pub fn run(opts: &Options, settings: &Settings) -> Result<Summary, String> {
    if !(0.0..=1.0).contains(&opts.noisy_share) {
        return Err(format!(
            "synth: noisy_share {} is not between 0 and 1",
            opts.noisy_share
        ));
    }
    if let Some(y) = opts.years.filter(|y| !(1..=6).contains(y)) {
        return Err(format!("synth: --years {y} is not between 1 and 6"));
    }
    let templates = &settings.templates;
    let forms = Forms::new(templates)?;
    let draw = opts.draw();
    let expected = opts.out.join("expected");
    let mkdir = |p: &Path| std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()));
    mkdir(&expected)?;
    for d in 0..opts.n.div_ceil(PER_FOLDER) {
        mkdir(&opts.out.join("r").join(format!("{d:03}")))?;
    }
    let tally = (0..opts.n)
        .into_par_iter()
        .map_init(
            || String::with_capacity(32 * 1024),
            |buf, i| -> Result<Tally, String> {
                let g = generate_with(&forms, i, opts.seed, &draw, buf)?;
                write_file(&opts.out.join(&g.file), &g.bytes)?;
                let (_, name) = stem(i);
                write_file(&expected.join(format!("{name}.json")), g.oracle.as_bytes())?;
                let mut t = Tally {
                    reports: 1,
                    bytes: g.bytes.len() as u64,
                    ..Tally::default()
                };
                t.by_layout[g.layout.index()] = 1;
                Ok(t)
            },
        )
        .try_reduce(Tally::default, |a, b| Ok(a.merge(b)))?;
    Ok(Summary {
        reports: tally.reports,
        bytes: tally.bytes,
        // The seven drawn layouts always, PDF and DOCX when written.
        by_layout: Layout::WRITTEN
            .iter()
            .filter(|l| Layout::ALL.contains(l) || tally.by_layout[l.index()] > 0)
            .map(|l| (l.name(), tally.by_layout[l.index()]))
            .collect(),
    })
}
