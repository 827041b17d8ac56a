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
}

/// Folds one character: full-width ASCII forms to ASCII (U+FF01..U+FF5E).
pub fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
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

/// Is the first enumerator of `raw` a group's (`一、`, `（一）`), rather than
/// an item's (`1.`, `(1)`)? `None` when `raw` starts with none.
pub fn group_enumerator(raw: &str) -> Option<bool> {
    // The first characters folded as `label_into` folds them, without an
    // allocation: an enumerator is at most 5 characters.
    let mut buf = [0u8; 32];
    let mut n = 0;
    for c in raw.chars().filter(|c| !c.is_whitespace()).take(6) {
        n += fold_width(c).encode_utf8(&mut buf[n..]).len();
    }
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    enumerator_len(head)?;
    let numeral = head.chars().find(|&c| c != '(')?;
    Some(is_cn_numeral(numeral))
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
        Ok(Normaliser {
            has_traditional: CharSet::new(traditional.iter().map(|&(t, _)| t)),
            traditional,
            drop: CharSet::new(drop.chars().map(fold_width)),
        })
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

    /// Appends the normalised label form of `raw` to `out`, using `scratch`
    /// as working space.
    pub fn label_into(&self, raw: &str, scratch: &mut String, out: &mut String) {
        scratch.clear();
        for c in raw.chars() {
            if c.is_whitespace() || c == '\u{FEFF}' {
                continue;
            }
            scratch.push(self.fold(c));
        }
        let mut pos = 0;
        while let Some(n) = enumerator_len(&scratch[pos..]) {
            pos += n;
        }
        for c in scratch[pos..].chars() {
            if !self.drop.contains(c) {
                out.push(c);
            }
        }
    }

    /// The normalised label form of `raw`, allocated: for templates and tests.
    pub fn label(&self, raw: &str) -> String {
        let mut out = String::new();
        self.label_into(raw, &mut String::new(), &mut out);
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
    fn rejects_bad_traditional_pairs() {
        assert!(Normaliser::new("規规x", "").is_err());
    }
}
