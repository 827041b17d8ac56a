//! Text normalisation for label matching: full-width → half-width, traditional
//! → simplified, whitespace and punctuation dropped, leading enumerators
//! (`一、`, `（三）`, `1.`) stripped.
//!
//! It takes raw cell text and appends its normalised form to a caller's
//! buffer; it never allocates once the buffers are warm, because it runs for
//! every text cell of every report. Template labels go through the same
//! function when templates are loaded, so both sides compare alike
//! (tables.md: "Matching must tolerate that").

use std::collections::HashMap;

/// A set of characters: a bit per Basic Multilingual Plane character, and a
/// sorted list for the rest. A lookup costs a shift and a mask, since it runs
/// for every character of every text cell.
#[derive(Clone)]
struct CharSet {
    bmp: Box<[u64; 1024]>,
    astral: Vec<char>,
}

impl CharSet {
    fn new(chars: impl IntoIterator<Item = char>) -> CharSet {
        let mut set = CharSet {
            bmp: Box::new([0; 1024]),
            astral: Vec::new(),
        };
        for c in chars {
            let u = c as usize;
            match set.bmp.get_mut(u >> 6) {
                Some(word) => *word |= 1 << (u & 63),
                None => set.astral.push(c),
            }
        }
        set.astral.sort_unstable();
        set.astral.dedup();
        set
    }

    fn contains(&self, c: char) -> bool {
        let u = c as usize;
        match self.bmp.get(u >> 6) {
            Some(word) => (word >> (u & 63)) & 1 == 1,
            None => self.astral.binary_search(&c).is_ok(),
        }
    }

    /// Length of the UTF-8 character opening `bytes` (which are valid
    /// UTF-8) when it is a plane-0 character outside the set, else `None`.
    /// Read from the bytes: of a character's code point `u`, `u >> 6` (its
    /// word) is the bits its first bytes carry, and `u & 63` (its bit) those
    /// of its last byte, so nothing is decoded.
    fn outside_at(&self, bytes: &[u8]) -> Option<usize> {
        let &b0 = bytes.first()?;
        let tail = |k: usize| bytes.get(k).map_or(0, |&b| usize::from(b & 0x3F));
        let (word, bit, len) = if b0 < 0x80 {
            (usize::from(b0) >> 6, usize::from(b0) & 63, 1)
        } else if b0 < 0xE0 {
            (usize::from(b0 & 0x1F), tail(1), 2)
        } else if b0 < 0xF0 {
            ((usize::from(b0 & 0x0F) << 6) | tail(1), tail(2), 3)
        } else {
            return None;
        };
        let set = self.bmp.get(word)?;
        ((set >> bit) & 1 == 0).then_some(len)
    }

    /// Is the three-byte UTF-8 character `b0 b1 b2` (`b0` in `E0..=EF`)
    /// outside the set? As in `outside_at`, its word is the bits of `b0` and
    /// `b1`, at most 1023, and its bit those of `b2`.
    #[inline]
    fn outside3(&self, b0: u8, b1: u8, b2: u8) -> bool {
        let word = (usize::from(b0 & 0x0F) << 6) | usize::from(b1 & 0x3F);
        (self.bmp[word & 1023] >> (b2 & 0x3F)) & 1 == 0
    }
}

impl std::fmt::Debug for CharSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bmp = (0..0x10000u32)
            .filter_map(char::from_u32)
            .filter(|&c| self.contains(c));
        f.debug_set()
            .entries(bmp.chain(self.astral.iter().copied()))
            .finish()
    }
}

/// Normalises labels. Built once from the config and shared by all workers.
#[derive(Debug, Clone)]
pub struct Normaliser {
    /// Traditional → simplified pairs, sorted by the traditional form.
    traditional: Vec<(char, char)>,
    /// The traditional forms of `traditional`: most characters are not one.
    has_traditional: CharSet,
    drop: CharSet,
    /// Plane-0 characters `label_into` cannot copy as they stand: white
    /// space, U+FEFF, and those that fold to another character or to a
    /// dropped one. Most text holds none, so it is copied in whole runs.
    special: CharSet,
    /// Plane-0 characters a label may open with when it opens with an
    /// enumerator (`(`, a digit, 一 … 十, after folding) or with what
    /// `enumerators_end` skips: a label opening with any other has no
    /// enumerator to strip, told from its first bytes.
    enum_open: CharSet,
}

/// Folds one character: full-width ASCII forms to ASCII (U+FF01..U+FF5E).
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Is `c` left out of labels before anything else: white space, U+FEFF?
fn skipped(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// Is `c` a Chinese numeral used in enumerators (一 … 十)?
fn is_cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Length in bytes of one leading enumerator in `s` (already folded, without
/// whitespace), or `None`. Recognises `一、` `一.` `(一)` `(1)` `1.` `1、`.
fn enumerator_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().peekable();
    let (_, first) = *chars.peek()?;
    if first == '(' {
        chars.next();
        let mut n = 0;
        while let Some(&(_, c)) = chars.peek() {
            if is_cn_numeral(c) || c.is_ascii_digit() {
                n += 1;
                chars.next();
            } else {
                break;
            }
        }
        let (i, c) = chars.next()?;
        return (n > 0 && n <= 3 && c == ')').then_some(i + c.len_utf8());
    }
    let cn = is_cn_numeral(first);
    if !cn && !first.is_ascii_digit() {
        return None;
    }
    let mut n = 0;
    while let Some(&(_, c)) = chars.peek() {
        if (cn && is_cn_numeral(c)) || (!cn && c.is_ascii_digit()) {
            n += 1;
            chars.next();
        } else {
            break;
        }
    }
    let (i, c) = chars.next()?;
    let sep = matches!(c, '、' | '.' | ',' | '，');
    // `1.5` is a number, not an enumerator.
    let then_digit = s[i + c.len_utf8()..]
        .chars()
        .next()
        .is_some_and(|d| d.is_ascii_digit());
    (n <= 3 && sep && !then_digit).then_some(i + c.len_utf8())
}

/// `enumerator_len` reads at most five characters (`(123)`, or `123、` and
/// the one after it), so it gives the same answer on the first six folded
/// characters as on all of them.
const ENUMERATOR_WINDOW: usize = 6;

/// The first enumerator of `s`, read as `enumerator_len` reads it from the
/// characters of `s` that `skip` leaves, each folded by `fold`, without an
/// allocation: its numeral (the first character after any `(`) and the bytes
/// of `s` it spans, skipped characters inside it included.
fn leading_enumerator(
    s: &str,
    skip: impl Fn(char) -> bool,
    fold: impl Fn(char) -> char,
) -> Option<(char, usize)> {
    let mut buf = [0u8; 4 * ENUMERATOR_WINDOW];
    // (folded bytes, bytes of `s`) after each character folded.
    let mut ends = [(0usize, 0usize); ENUMERATOR_WINDOW];
    let (mut n, mut k) = (0, 0);
    for (i, c) in s.char_indices() {
        if skip(c) {
            continue;
        }
        if k == ENUMERATOR_WINDOW {
            break;
        }
        let f = fold(c);
        // Most labels open with no enumerator: leave before folding more.
        if k == 0 && !(f == '(' || f.is_ascii_digit() || is_cn_numeral(f)) {
            return None;
        }
        n += f.encode_utf8(&mut buf[n..]).len();
        ends[k] = (n, i + c.len_utf8());
        k += 1;
    }
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    let len = enumerator_len(head)?;
    let numeral = head.chars().find(|&c| c != '(')?;
    let used = ends[..k].iter().find(|e| e.0 == len)?.1;
    Some((numeral, used))
}

/// Is the first enumerator of `raw` a group's (`一、`, `（一）`), rather than
/// an item's (`1.`, `(1)`)? `None` when `raw` starts with none. Its
/// characters are folded in width only, as a template's labels are printed.
pub fn group_enumerator(raw: &str) -> Option<bool> {
    leading_enumerator(raw, char::is_whitespace, fold_width)
        .map(|(numeral, _)| is_cn_numeral(numeral))
}

impl Normaliser {
    /// `traditional` holds pairs "繁简" separated by whitespace; `drop` the
    /// characters removed before comparison.
    pub fn new(traditional: &str, drop: &str) -> Result<Normaliser, String> {
        let mut map = HashMap::new();
        for pair in traditional.split_whitespace() {
            let mut cs = pair.chars();
            match (cs.next(), cs.next(), cs.next()) {
                (Some(t), Some(s), None) => {
                    map.insert(t, s);
                }
                _ => return Err(format!("traditional pair {pair:?} is not two characters")),
            }
        }
        let mut traditional: Vec<(char, char)> = map.into_iter().collect();
        traditional.sort_unstable();
        let mut n = Normaliser {
            has_traditional: CharSet::new(traditional.iter().map(|&(t, _)| t)),
            traditional,
            drop: CharSet::new(drop.chars().map(fold_width)),
            special: CharSet::new([]),
            enum_open: CharSet::new([]),
        };
        let special = (0..0x10000u32)
            .filter_map(char::from_u32)
            .filter(|&c| skipped(c) || n.fold(c) != c || n.drop.contains(c))
            .collect::<Vec<char>>();
        n.special = CharSet::new(special);
        let opens = |f: char| f == '(' || f.is_ascii_digit() || is_cn_numeral(f);
        n.enum_open = CharSet::new(
            (0..0x10000u32)
                .filter_map(char::from_u32)
                .filter(|&c| skipped(c) || opens(n.fold(c))),
        );
        Ok(n)
    }

    /// Folds width and script of one character.
    pub fn fold(&self, c: char) -> char {
        let c = fold_width(c);
        if !self.has_traditional.contains(c) {
            return c;
        }
        self.traditional
            .binary_search_by_key(&c, |&(t, _)| t)
            .ok()
            .and_then(|i| self.traditional.get(i))
            .map_or(c, |&(_, s)| s)
    }

    /// Appends the normalised label form of `raw` to `out`: its characters
    /// without white space and U+FEFF, folded, without leading enumerators,
    /// without the dropped characters.
    ///
    /// One pass over `raw`: runs of characters that stay as they are are
    /// copied whole, and only the others are folded one by one.
    pub fn label_into(&self, raw: &str, out: &mut String) {
        // Most labels open with a character no enumerator starts with.
        let body = match self.enum_open.outside_at(raw.as_bytes()) {
            Some(_) => raw,
            None => &raw[self.enumerators_end(raw)..],
        };
        let bytes = body.as_bytes();
        let (mut run, mut i) = (0, 0);
        while i < bytes.len() {
            // A run of three-byte characters (Chinese text) copied as they
            // stand: the commonest case, told without `outside_at`'s checks.
            while let Some(&[b0 @ 0xE0..=0xEF, b1, b2]) = bytes.get(i..i + 3) {
                if !self.special.outside3(b0, b1, b2) {
                    break;
                }
                i += 3;
            }
            let Some(rest) = bytes.get(i..).filter(|r| !r.is_empty()) else {
                break;
            };
            // Characters copied as they stand are told from their bytes.
            if let Some(len) = self.special.outside_at(rest) {
                i += len;
                continue;
            }
            let Some(c) = body.get(i..).and_then(|t| t.chars().next()) else {
                break;
            };
            out.push_str(&body[run..i]);
            i += c.len_utf8();
            run = i;
            if skipped(c) {
                continue;
            }
            let f = self.fold(c);
            if !self.drop.contains(f) {
                out.push(f);
            }
        }
        out.push_str(body.get(run..).unwrap_or(""));
    }

    /// The byte offset in `raw` where its leading enumerators end: where
    /// `enumerator_len`, run again and again over the folded characters of
    /// `raw` without white space, stops finding one.
    fn enumerators_end(&self, raw: &str) -> usize {
        let mut start = 0;
        while let Some((_, used)) = raw
            .get(start..)
            .and_then(|rest| leading_enumerator(rest, skipped, |c| self.fold(c)))
        {
            start += used;
        }
        start
    }

    /// The normalised label form of `raw`, allocated: for templates and tests.
    pub fn label(&self, raw: &str) -> String {
        let mut out = String::new();
        self.label_into(raw, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normaliser {
        Normaliser::new("規规 許许 計计 總总", "()（）“”\"、.,，:：/").unwrap()
    }

    #[test]
    fn strips_enumerators_spaces_and_punctuation() {
        let n = norm();
        assert_eq!(
            n.label("一、本年新收政府信息公开申 请数量"),
            "本年新收政府信息公开申请数量"
        );
        assert_eq!(n.label("（三） 不予公 开"), "不予公开");
        assert_eq!(n.label("(三)不予公开"), "不予公开");
        assert_eq!(n.label("3.危及“三安 全一稳定”"), "危及三安全一稳定");
        assert_eq!(n.label("3. 危及\"三安全一稳定\""), "危及三安全一稳定");
        assert_eq!(n.label("七、总计"), "总计");
        assert_eq!(n.label("（七）总计"), "总计");
        assert_eq!(n.label("三、(一)予以公开"), "予以公开");
        assert_eq!(n.label("本年增/ 减"), "本年增减");
    }

    #[test]
    fn folds_width_and_traditional_forms() {
        let n = norm();
        assert_eq!(n.label("第二十条第（一）项"), n.label("第二十条第(一)项"));
        assert_eq!(n.label("規章"), "规章");
        assert_eq!(n.label("總　計"), "总计");
        assert_eq!(n.label("ＡＢ１２"), "AB12");
    }

    #[test]
    fn tells_a_group_enumerator_from_an_item_one() {
        assert_eq!(group_enumerator("（六）其 他"), Some(true));
        assert_eq!(group_enumerator(" 六、其他"), Some(true));
        assert_eq!(group_enumerator("3.其他"), Some(false));
        assert_eq!(group_enumerator("（３）其他"), Some(false));
        assert_eq!(group_enumerator("其他"), None);
    }

    /// `label_into` strips from `raw` what `enumerators_end` finds, also when
    /// a label's first character rules an enumerator out before it is read:
    /// every plane-0 character and a few beyond, before enumerators, words
    /// and white space. A traditional form folding to a numeral counts.
    #[test]
    fn a_label_opening_with_no_enumerator_is_copied_as_it_stands() {
        let n = Normaliser::new("壹一 貳二", "()（）、.").unwrap();
        // The same normaliser reading every label's enumerators.
        let plain = Normaliser {
            enum_open: CharSet::new((0..0x10000u32).filter_map(char::from_u32)),
            ..n.clone()
        };
        let firsts = (0..0x10000u32)
            .filter_map(char::from_u32)
            .chain(['\u{1F600}', '\u{20000}']);
        for c in firsts {
            for tail in [
                "",
                "、总计",
                "1.规章",
                "）其他",
                "二、一",
                " 三、x",
                "壹、a",
            ] {
                let raw = format!("{c}{tail}");
                let mut want = String::new();
                plain.label_into(&raw, &mut want);
                assert_eq!(n.label(&raw), want, "{raw:?}");
            }
        }
    }

    #[test]
    fn keeps_numbers_that_are_not_enumerators() {
        let n = norm();
        assert_eq!(n.label("1.5"), "15");
        assert_eq!(n.label("三安全一稳定"), "三安全一稳定");
        assert_eq!(n.label("三类内部事务"), "三类内部事务");
    }

    #[test]
    fn fold_and_drop_agree_with_a_map_and_a_list_for_every_character() {
        let n = norm();
        let pairs = "規规 許许 計计 總总";
        let map: HashMap<char, char> = pairs
            .split_whitespace()
            .map(|p| {
                let mut cs = p.chars();
                (cs.next().unwrap(), cs.next().unwrap())
            })
            .collect();
        let drop: Vec<char> = "()（）“”\"、.,，:：/".chars().map(fold_width).collect();
        for c in (0..0x11000u32)
            .chain(0x20000..0x20100)
            .filter_map(char::from_u32)
        {
            let w = fold_width(c);
            assert_eq!(n.fold(c), *map.get(&w).unwrap_or(&w), "{c:?}");
            assert_eq!(n.drop.contains(c), drop.contains(&c), "{c:?}");
        }
        let astral = Normaliser::new("𠀾a", "𠀿").unwrap();
        assert_eq!(astral.fold('𠀾'), 'a');
        assert_eq!(astral.label("x𠀾𠀿y"), "xay");
    }

    #[test]
    fn a_character_is_read_from_its_bytes_as_from_its_code_point() {
        let n = norm();
        let mut buf = [0u8; 4];
        for c in (0..0x11000u32).filter_map(char::from_u32) {
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            let copied = (c as u32) < 0x10000 && !n.special.contains(c);
            assert_eq!(
                n.special.outside_at(bytes),
                copied.then_some(bytes.len()),
                "{c:?}"
            );
            if let &[b0, b1, b2] = bytes {
                assert_eq!(n.special.outside3(b0, b1, b2), copied, "{c:?}");
            }
        }
    }

    /// `label` as it was built before it copied runs: fold everything into a
    /// scratch string, strip enumerators there, then drop.
    fn label_by_scratch(n: &Normaliser, raw: &str) -> String {
        let scratch: String = raw
            .chars()
            .filter(|&c| !skipped(c))
            .map(|c| n.fold(c))
            .collect();
        let mut pos = 0;
        while let Some(k) = enumerator_len(&scratch[pos..]) {
            pos += k;
        }
        scratch[pos..]
            .chars()
            .filter(|&c| !n.drop.contains(c))
            .collect()
    }

    /// Pieces that take every branch: enumerators of every length in both
    /// widths, white space, U+FEFF, traditional and dropped forms, plane 2.
    const PIECES: &[&str] = &[
        "一",
        "三",
        "十",
        "(",
        ")",
        "（",
        "）",
        "1",
        "５",
        "、",
        ".",
        "．",
        ",",
        "，",
        " ",
        "\u{3000}",
        "\t",
        "\n",
        "\u{FEFF}",
        "規",
        "总",
        "總",
        "計",
        "A",
        "ａ",
        "规",
        "章",
        "𠀾",
        "𠀿",
        "\"",
        "“",
        "/",
        ":",
        "\u{85}",
        "\u{A0}",
        "é",
        "(12)",
        "（１２３）",
        "(1234)",
        "123、",
        "1234、",
        "十一、",
        "１.",
        "1.5",
        "(一 二)",
        " 2 3 .",
    ];

    #[test]
    fn enumerators_as_long_as_the_window_holds_are_stripped_alike() {
        let n = norm();
        for raw in [
            "(123)规章",
            "（１２３）规章",
            "(1234)规章",
            "123、规章",
            "1234、规章",
            "123.5规章",
            "十一、(一)规章",
            " ( 1 2 3 ) 规章",
            "\u{FEFF}1 2 3 、规章",
        ] {
            assert_eq!(n.label(raw), label_by_scratch(&n, raw), "{raw:?}");
        }
        assert_eq!(n.label("(123)规章"), "规章");
        assert_eq!(n.label("(1234)规章"), "1234规章");
    }

    proptest::proptest! {
        #[test]
        fn one_pass_labels_equal_the_scratch_ones(
            picks in proptest::collection::vec(0..PIECES.len(), 0..10)
        ) {
            let raw: String = picks.iter().map(|&i| PIECES[i]).collect();
            let n = Normaliser::new("規规 許许 計计 總总 𠀾a", "()（）“”\"、.,，:：/𠀿").unwrap();
            let mut out = String::from("kept");
            n.label_into(&raw, &mut out);
            proptest::prop_assert_eq!(&out[4..], label_by_scratch(&n, &raw), "{:?}", raw);
        }
    }

    #[test]
    fn rejects_bad_traditional_pairs() {
        assert!(Normaliser::new("規规x", "").is_err());
    }
}
