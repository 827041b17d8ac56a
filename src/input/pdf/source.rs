//! PDF bytes → per page, its glyphs and ruling segments: the only file that
//! uses the PDF crate (hayro-interpret, crates.md "PDF").
//!
//! It takes the file's bytes and the `[pdf]` limits and gives a `Document`:
//! for each page read, a `PageContent` in displayed page coordinates (the
//! page's /Rotate and CropBox applied, origin top left, y down, points).
//! Glyphs outside the page are dropped, the second copy of fake-bold text
//! (drawn again in stroke mode, or twice on one spot) is dropped, CJK
//! radicals are mapped to their ideographs, and glyphs without Unicode are
//! counted. Stroked segments and thin filled rectangles become `Rule`s.
//! It knows nothing of lines, cells or tables (that is `layout`), and never
//! panics on a file: what the crate cannot read is a `Refused`.

use std::collections::HashMap;

use hayro_interpret::font::GlyphRun;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::object::{Dict, Name, Stream};
use hayro_interpret::hayro_syntax::page::{Page, Resources};
use hayro_interpret::hayro_syntax::DecryptionError;
use hayro_interpret::hayro_syntax::{LoadPdfError, Pdf};
use hayro_interpret::kurbo::{Affine, BezPath, PathEl, Point, Rect};
use hayro_interpret::{
    interpret_page, BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image,
    ImageDrawProps, InterpreterCache, InterpreterSettings, Paint, RenderContent, SoftMask,
};

use super::PdfConfig;
use crate::input::Refused;

/// One glyph as displayed: its box and baseline in page points (y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    pub ch: char,
    /// Left and right edges of the glyph's advance box.
    pub x0: f32,
    pub x1: f32,
    /// Top and bottom of the em box, and the baseline.
    pub top: f32,
    pub bottom: f32,
    pub base: f32,
    /// The font size on the page (Tf × the text and graphics scale).
    pub size: f32,
    /// Set in a vertical font (Identity-V) or turned off the horizontal.
    pub vertical: bool,
}

/// A horizontal or vertical ruling segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// A horizontal rule runs from `a` to `b` along x at `at` (a y); a
    /// vertical one from `a` to `b` along y at `at` (an x).
    pub horizontal: bool,
    pub at: f32,
    pub a: f32,
    pub b: f32,
}

/// What one page shows.
#[derive(Debug, Clone, Default)]
pub struct PageContent {
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    /// Glyphs drawn without a Unicode mapping (not in `glyphs`).
    pub unmapped: u32,
    /// Images drawn (a scan is images and no glyphs).
    pub images: u32,
    /// Content operators counted (the page's and its forms').
    pub operators: u64,
    /// The page was not interpreted: it exceeded `pdf.max_operators`.
    pub skipped: bool,
}

/// A read document.
#[derive(Debug, Default)]
pub struct Document {
    /// Pages in the file (all of them, also those beyond the limit).
    pub page_count: usize,
    /// The pages read, in order.
    pub pages: Vec<PageContent>,
}

/// Loads a document and reads its first `max_pages` pages.
pub fn read(bytes: Vec<u8>, cfg: &PdfConfig) -> Result<Document, Refused> {
    let pdf =
        match Pdf::new(bytes) {
            Ok(p) => p,
            Err(LoadPdfError::Decryption(e)) => return Err(encrypted(e)),
            Err(LoadPdfError::Invalid) => return Err(Refused::new(
                "pdf.damaged",
                "the file is not a readable PDF (no cross-reference table or page tree could be \
                 found, also after repair)",
            )),
        };
    let pages = pdf.pages();
    let mut doc = Document {
        page_count: pages.len(),
        pages: Vec::new(),
    };
    let settings = InterpreterSettings {
        render_content: RenderContent::PAGE,
        ..InterpreterSettings::default()
    };
    let cache = InterpreterCache::new();
    for page in pages.iter().take(cfg.max_pages) {
        doc.pages
            .push(read_page(page, &pdf, &cache, &settings, cfg));
    }
    Ok(doc)
}

fn encrypted(e: DecryptionError) -> Refused {
    let what = match e {
        DecryptionError::PasswordProtected => "it is encrypted with a password",
        DecryptionError::UnsupportedAlgorithm => "it is encrypted with an unsupported algorithm",
        DecryptionError::MissingIDEntry | DecryptionError::InvalidEncryption => {
            "its encryption dictionary is damaged"
        }
    };
    Refused::new("pdf.encrypted", format!("{what}; not read"))
}

fn read_page<'a>(
    page: &Page<'a>,
    pdf: &'a Pdf,
    cache: &InterpreterCache<'a>,
    settings: &InterpreterSettings,
    cfg: &PdfConfig,
) -> PageContent {
    let (width, height) = page.render_dimensions();
    let mut out = PageContent {
        width,
        height,
        ..PageContent::default()
    };
    out.operators = operators(page, cfg.max_operators);
    if out.operators > cfg.max_operators {
        out.skipped = true;
        return out;
    }
    let initial = Affine::new(page.initial_transform(true).as_coeffs());
    let mut context = Context::new(
        initial,
        Rect::new(0.0, 0.0, width as f64, height as f64),
        cache,
        pdf.xref(),
        settings.clone(),
    );
    let mut device = Collector {
        out,
        filled: HashMap::new(),
    };
    interpret_page(page, &mut context, &mut device);
    device.out
}

/// Counts the page's content operators and those of the forms it draws
/// (each form once per `Do`), stopping past `limit`.
fn operators(page: &Page<'_>, limit: u64) -> u64 {
    let Some(data) = page.page_stream() else {
        return 0;
    };
    let mut memo: HashMap<(u32, i32), u64> = HashMap::new();
    count_ops(data, page.resources(), limit, 0, &mut memo)
}

/// Form nesting followed when counting (hayro stops at 50; a deeper chain
/// is cut by the operator limit anyway).
const MAX_FORM_DEPTH: u32 = 12;

fn count_ops(
    data: &[u8],
    resources: &Resources<'_>,
    limit: u64,
    depth: u32,
    memo: &mut HashMap<(u32, i32), u64>,
) -> u64 {
    use hayro_interpret::hayro_syntax::content::UntypedIter;
    let mut n: u64 = 0;
    let mut iter = UntypedIter::new(data);
    while let Some(op) = iter.next() {
        n = n.saturating_add(1);
        if &**op.operator == b"Do" && depth < MAX_FORM_DEPTH {
            let name = op.operands().next().and_then(|o| o.clone().into_name());
            if let Some(form) = name.and_then(|nm| form_of(resources, &nm)) {
                n = n.saturating_add(form_ops(&form, resources, limit, depth, memo));
            }
        }
        if n > limit {
            break;
        }
    }
    n
}

fn form_of<'a>(resources: &Resources<'a>, name: &Name<'_>) -> Option<Stream<'a>> {
    let s = resources.get_x_object(name)?;
    let subtype = s.dict().get::<Name<'_>>(b"Subtype".as_slice())?;
    (&*subtype == b"Form").then_some(s)
}

fn form_ops(
    form: &Stream<'_>,
    parent: &Resources<'_>,
    limit: u64,
    depth: u32,
    memo: &mut HashMap<(u32, i32), u64>,
) -> u64 {
    let id = form.obj_id();
    let key = (id.obj_number, id.gen_number);
    if let Some(&n) = memo.get(&key) {
        return n;
    }
    // Mark it before descending: a form that draws itself counts as over.
    memo.insert(key, limit.saturating_add(1));
    let Ok(data) = form.decoded() else {
        memo.insert(key, 0);
        return 0;
    };
    let resources = match form.dict().get::<Dict<'_>>(b"Resources".as_slice()) {
        Some(d) => Resources::new(d),
        None => parent.clone(),
    };
    let n = count_ops(&data, &resources, limit, depth + 1, memo);
    memo.insert(key, n);
    n
}

/// The hayro device: keeps glyphs and rules, draws nothing.
struct Collector {
    out: PageContent,
    /// Filled glyphs by (char, rounded baseline): their x, to drop a copy.
    filled: HashMap<(char, i32), Vec<f32>>,
}

/// Maps CJK radicals to the ideographs they stand for (a HeadlessChrome PDF
/// maps 民 to U+2EA0): the Kangxi block as NFKC does, and the supplement's
/// radicals that are characters of their own.
fn unradical(c: char) -> char {
    const KANGXI: &str = "一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈戶手支攴文斗斤方无日曰月木欠止歹殳毋比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠";
    const SUPPLEMENT: &[(char, char)] = &[
        ('⺟', '母'),
        ('⺠', '民'),
        ('⺩', '王'),
        ('⻄', '西'),
        ('⻅', '见'),
        ('⻆', '角'),
        ('⻉', '贝'),
        ('⻋', '车'),
        ('⻌', '辶'),
        ('⻓', '长'),
        ('⻔', '门'),
        ('⻘', '青'),
        ('⻙', '韦'),
        ('⻚', '页'),
        ('⻛', '风'),
        ('⻜', '飞'),
        ('⻝', '食'),
        ('⻢', '马'),
        ('⻣', '骨'),
        ('⻤', '鬼'),
        ('⻥', '鱼'),
        ('⻦', '鸟'),
        ('⻧', '卤'),
        ('⻨', '麦'),
        ('⻩', '黄'),
        ('⻪', '黾'),
        ('⻬', '齐'),
        ('⻮', '齿'),
        ('⻰', '龙'),
        ('⻳', '龟'),
    ];
    match c as u32 {
        0x2F00..=0x2FD5 => KANGXI
            .chars()
            .nth((c as u32 - 0x2F00) as usize)
            .unwrap_or(c),
        0x2E80..=0x2EFF => SUPPLEMENT
            .iter()
            .find(|(r, _)| *r == c)
            .map_or(c, |(_, i)| *i),
        _ => c,
    }
}

/// The glyph em box in glyph space (1000 units): descent and ascent.
const DESCENT: f64 = -120.0;
const ASCENT: f64 = 880.0;

impl Collector {
    fn glyphs(&mut self, run: &GlyphRun<'_, '_>, props: &DrawProps<'_>, stroke: bool) {
        let vertical_font = matches!(
            run.writing_mode(),
            hayro_interpret::hayro_cmap::WritingMode::Vertical
        );
        for g in run.glyphs() {
            let t: Affine = props.transform * g.transform();
            let advance = match &**g {
                hayro_interpret::font::Glyph::Outline(o) => o.advance_width(),
                hayro_interpret::font::Glyph::Type3(t3) => t3.advance_width(),
            }
            .filter(|a| a.is_finite() && *a > 0.0)
            .unwrap_or(1000.0) as f64;
            let Some(text) = g.as_unicode() else {
                if !stroke {
                    self.out.unmapped = self.out.unmapped.saturating_add(1);
                }
                continue;
            };
            let origin = t * Point::ZERO;
            let up = t * Point::new(0.0, 1000.0) - origin;
            let along = t * Point::new(1000.0, 0.0) - origin;
            let size = up.hypot();
            if !(size.is_finite() && size > 0.01 && origin.x.is_finite() && origin.y.is_finite()) {
                continue;
            }
            // Upright text has its up vector pointing up the page (y down).
            let upright = up.y < 0.0 && up.x.abs() < up.y.abs() * 0.2 && along.x > 0.0;
            let vertical = vertical_font || !upright;
            let chars: Vec<char> = match text {
                BfString::Char(c) => vec![c],
                BfString::String(s) => s.chars().filter(|c| !c.is_control()).collect(),
            };
            let n = chars.len().max(1) as f64;
            for (i, c) in chars.into_iter().enumerate() {
                let c = unradical(c);
                if c.is_whitespace() {
                    continue;
                }
                let from = advance * i as f64 / n;
                let to = advance * (i + 1) as f64 / n;
                let corners = [
                    t * Point::new(from, DESCENT),
                    t * Point::new(to, DESCENT),
                    t * Point::new(from, ASCENT),
                    t * Point::new(to, ASCENT),
                ];
                let bbox = corners
                    .iter()
                    .fold(Rect::from_points(corners[0], corners[0]), |r, p| {
                        r.union_pt(*p)
                    });
                let glyph = Glyph {
                    ch: c,
                    x0: bbox.x0 as f32,
                    x1: bbox.x1 as f32,
                    top: bbox.y0 as f32,
                    bottom: bbox.y1 as f32,
                    base: origin.y as f32,
                    size: size as f32,
                    vertical,
                };
                self.push(glyph, stroke);
            }
        }
    }

    /// Keeps a glyph on the page that is not a copy of one already drawn.
    fn push(&mut self, g: Glyph, stroke: bool) {
        let (cx, cy) = ((g.x0 + g.x1) / 2.0, (g.top + g.bottom) / 2.0);
        let (w, h) = (self.out.width, self.out.height);
        if !(0.0..=w).contains(&cx) || !(0.0..=h).contains(&cy) {
            return;
        }
        let key = (g.ch, g.base.round() as i32);
        let near = g.size * 0.2;
        let seen = [key.1 - 1, key.1, key.1 + 1].iter().any(|&b| {
            self.filled
                .get(&(g.ch, b))
                .is_some_and(|xs| xs.iter().any(|&x| (x - g.x0).abs() <= near))
        });
        if seen {
            return;
        }
        // Text drawn in stroke mode only (outlined) is kept; a stroke copy
        // of filled text was dropped above.
        let _ = stroke;
        self.filled.entry(key).or_default().push(g.x0);
        self.out.glyphs.push(g);
    }

    fn path(&mut self, path: &BezPath, props: &DrawProps<'_>, mode: &DrawMode) {
        let t = props.transform;
        let light = match &props.paint {
            Paint::Color(c) => c.to_rgba().to_rgba8().iter().take(3).all(|&v| v > 200),
            Paint::Pattern(_) => true,
        };
        match mode {
            DrawMode::Stroke(s) => {
                if light {
                    return;
                }
                let width = s.line_width as f64 * (t.determinant().abs().sqrt());
                if width > 4.0 {
                    return;
                }
                let mut start = Point::ZERO;
                let mut last = Point::ZERO;
                for el in path.elements() {
                    match *el {
                        PathEl::MoveTo(p) => {
                            start = t * p;
                            last = start;
                        }
                        PathEl::LineTo(p) => {
                            let p = t * p;
                            self.segment(last, p);
                            last = p;
                        }
                        PathEl::ClosePath => {
                            self.segment(last, start);
                            last = start;
                        }
                        PathEl::QuadTo(_, p) | PathEl::CurveTo(_, _, p) => last = t * p,
                    }
                }
            }
            DrawMode::Fill(_) | DrawMode::FillAndStroke(..) => {
                if light {
                    return;
                }
                // A thin filled rectangle is a rule drawn as a fill.
                let b = hayro_interpret::kurbo::Shape::bounding_box(&(t * path.clone()));
                let (w, h) = (b.width(), b.height());
                if h <= 2.5 && w > 2.0 * h && w >= 4.0 {
                    let y = (b.y0 + b.y1) / 2.0;
                    self.segment(Point::new(b.x0, y), Point::new(b.x1, y));
                } else if w <= 2.5 && h > 2.0 * w && h >= 4.0 {
                    let x = (b.x0 + b.x1) / 2.0;
                    self.segment(Point::new(x, b.y0), Point::new(x, b.y1));
                }
                if let DrawMode::FillAndStroke(_, s) = mode {
                    self.path(path, props, &DrawMode::Stroke(s.clone()));
                }
            }
            DrawMode::Invisible => {}
        }
    }

    fn segment(&mut self, p: Point, q: Point) {
        let (dx, dy) = ((q.x - p.x).abs(), (q.y - p.y).abs());
        if !(dx.is_finite() && dy.is_finite()) {
            return;
        }
        let rule = if dy <= 0.8 && dx >= 2.0 {
            Rule {
                horizontal: true,
                at: ((p.y + q.y) / 2.0) as f32,
                a: p.x.min(q.x) as f32,
                b: p.x.max(q.x) as f32,
            }
        } else if dx <= 0.8 && dy >= 2.0 {
            Rule {
                horizontal: false,
                at: ((p.x + q.x) / 2.0) as f32,
                a: p.y.min(q.y) as f32,
                b: p.y.max(q.y) as f32,
            }
        } else {
            return;
        };
        self.out.rules.push(rule);
    }
}

impl<'a> Device<'a> for Collector {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, draw_mode: &DrawMode) {
        self.path(path, &props, draw_mode);
    }

    fn push_clip_path(&mut self, _: &ClipPath) {}

    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, mode: &DrawMode) {
        // Invisible text (a scan's OCR layer) is text too.
        let stroke = matches!(mode, DrawMode::Stroke(_));
        self.glyphs(run, &props, stroke);
    }

    fn draw_image(&mut self, _: Image<'a, '_>, _: ImageDrawProps<'a>) {
        self.out.images = self.out.images.saturating_add(1);
    }

    fn pop_clip(&mut self) {}

    fn pop_transparency_group(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radicals_become_ideographs() {
        assert_eq!(unradical('⺠'), '民');
        assert_eq!(unradical('\u{2F00}'), '一');
        assert_eq!(unradical('\u{2FD5}'), '龠');
        assert_eq!(unradical('\u{2F08}'), '人');
        assert_eq!(unradical('民'), '民');
    }
}
