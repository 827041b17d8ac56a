//! Bytes → text. Only the decoding of a file's bytes lives here.
//!
//! It takes a file's bytes, whether it is an HTML page, and the legacy
//! encodings the config accepts, and gives the text, the name of the encoding
//! and notes on what was odd (a file cut inside a character, replaced bytes),
//! or the reason the bytes are not a text at all. The order of evidence:
//! a byte-order mark; binary signatures and NUL bytes; valid UTF-8; an HTML
//! page's declared charset; detection (chardetng) among the accepted legacy
//! encodings. It never guesses silently: each step says what it decided.
//!
//! Detection reads a prefix first: the detector is fed the first
//! `DETECT_PREFIX` bytes, and its guess is kept only when that prefix holds
//! `PREFIX_EVIDENCE` non-ASCII bytes, the guess is an accepted encoding, and
//! the whole file decodes in it without one malformed sequence. Otherwise the
//! detector is fed the rest (up to `DETECT_BYTES`) and guesses again: that is
//! exactly a detection over the whole sample, since the detector reads its
//! input as one stream however it is cut.

use encoding_rs::{DecoderResult, Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// A decoded document.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// As reported in `reports.encoding`: `utf-8`, `gbk`, `gb18030`, …
    pub encoding: &'static str,
    /// What was odd but readable: (code, message), warnings for the report.
    pub notes: Vec<(&'static str, String)>,
}

pub use super::Refused;

fn refused(code: &'static str, message: impl Into<String>) -> Refused {
    Refused::new(code, message)
}

/// Bytes scanned by the detector, and by the HTML charset prescan.
const DETECT_BYTES: usize = 1 << 20;
/// Bytes the detector reads before its first guess. The detector costs about
/// 0.15 µs a byte (every candidate encoding scores every byte), and a GBK
/// report of the benchmark corpora is ~3.5 KiB: it was the largest part of
/// decoding. On every file of /tmp/a20, /tmp/a21, /tmp/p20 and /tmp/mix/r
/// (7,658 detected, 7,232 of them decided by a 512-byte prefix) and on all
/// their UTF-8 reports re-encoded in GBK and in Big5, the encoding chosen
/// with a prefix of 512 bytes, and of 256, equals the one chosen with 1 KiB,
/// and every prefix's guess that was kept equals the guess from the whole
/// file; 512 bytes (~200 Chinese characters) keeps a margin over 256.
const DETECT_PREFIX: usize = 512;
/// Non-ASCII bytes the prefix must hold for its guess to count (64 Chinese
/// characters): a prefix of markup or ASCII prose says nothing about the
/// legacy encoding, and Big5 bytes would decode cleanly as GBK.
const PREFIX_EVIDENCE: usize = 128;
const PRESCAN_BYTES: usize = 4096;

/// Signatures of binary formats that arrive under text names.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"%PDF-", "a PDF document"),
    (
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        "an OLE file (DOC, XLS, WPS)",
    ),
    (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX, OFD, ZIP)"),
    (b"\x89PNG", "a PNG image"),
    (&[0xFF, 0xD8, 0xFF], "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xBC\xAF", "a 7-Zip archive"),
    (b"\x1F\x8B", "a gzip stream"),
    (b"\x7FELF", "an executable"),
    (b"{\\rtf", "an RTF document"),
];

/// The name `reports.encoding` gives an encoding_rs encoding.
fn name_of(enc: &'static Encoding, bytes: &[u8]) -> &'static str {
    if enc == UTF_8 {
        "utf-8"
    } else if enc == UTF_16LE {
        "utf-16le"
    } else if enc == UTF_16BE {
        "utf-16be"
    } else if enc == GB18030 || (enc == GBK && has_four_byte_gb18030(bytes)) {
        "gb18030"
    } else if enc == GBK {
        "gbk"
    } else if enc == BIG5 {
        "big5"
    } else {
        // Only the encodings above are accepted (see `legacy` in the config);
        // any other is named by encoding_rs's label.
        "other"
    }
}

/// Does a GBK-family byte stream use GB18030's four-byte sequences?
fn has_four_byte_gb18030(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&b) && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit())
        {
            return true;
        } else {
            i += 2;
        }
    }
    false
}

/// Decodes `bytes` with `enc`, counting malformed sequences; one at the very
/// end (a cut inside a character) is dropped and reported as truncation.
fn decode_with(
    enc: &'static Encoding,
    bytes: &[u8],
    notes: &mut Vec<(&'static str, String)>,
) -> Result<String, Refused> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let mut src = bytes;
    let (mut malformed, mut at_end) = (0usize, false);
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, true);
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.reserve(src.len().max(16) * 3),
            DecoderResult::Malformed(..) => {
                malformed += 1;
                if src.is_empty() {
                    at_end = true;
                } else {
                    out.push('\u{FFFD}');
                }
            }
        }
    }
    if at_end {
        notes.push((
            "file.truncated",
            "the file ends inside a character: it was cut short".to_string(),
        ));
        malformed -= 1;
    }
    if malformed > 0 {
        let chars = out.chars().count().max(1);
        if malformed * 100 > chars {
            return Err(refused(
                "file.not_text",
                format!(
                    "{malformed} byte sequences are not {}: not a text in that encoding",
                    name_of(enc, bytes)
                ),
            ));
        }
        notes.push((
            "text.replaced",
            format!(
                "{malformed} byte sequences invalid in {} were replaced by U+FFFD",
                name_of(enc, bytes)
            ),
        ));
    }
    Ok(out)
}

/// UTF-16 without a byte-order mark: NUL bytes mostly at even or mostly at
/// odd offsets, and the text they make is valid and free of controls. Gives
/// that text, so the bytes are decoded once.
fn sniff_utf16(bytes: &[u8]) -> Option<(&'static Encoding, String)> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    // ASCII characters put their NUL on one side; a few CJK characters
    // (U+xx00) put one on the other.
    let enc = if odd >= 4 * even.max(1) {
        UTF_16LE
    } else if even >= 4 * odd.max(1) {
        UTF_16BE
    } else {
        return None;
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    (!had_errors && controls(&text) == 0).then(|| (enc, text.into_owned()))
}

/// Control characters (Unicode `Cc`, as `char::is_control`) other than tab,
/// line feed, carriage return and form feed.
///
/// Counted on the bytes, since it runs over every file: C0 controls and DEL
/// are single bytes, and C1 controls (U+0080..U+009F) are `C2 80`..`C2 9F`
/// in UTF-8, where `C2` is never a continuation byte. A chunk of at most 255
/// bytes counts into a byte, which lets the compiler count many at a time.
fn controls(text: &str) -> usize {
    const CHUNK: usize = 255;
    let b = text.as_bytes();
    let c0 = |x: u8| {
        u8::from(
            ((x < 0x20) & (x != b'\t') & (x != b'\n') & (x != b'\r') & (x != 0x0C)) | (x == 0x7F),
        )
    };
    let c1 = |x: u8, y: u8| u8::from((x == 0xC2) & (y < 0xA0));
    let singles: usize = b
        .chunks(CHUNK)
        .map(|c| c.iter().fold(0u8, |n, &x| n.wrapping_add(c0(x))) as usize)
        .sum();
    let pairs: usize = b
        .chunks(CHUNK)
        .zip(b.get(1..).unwrap_or_default().chunks(CHUNK))
        .map(|(c, next)| {
            c.iter()
                .zip(next)
                .fold(0u8, |n, (&x, &y)| n.wrapping_add(c1(x, y))) as usize
        })
        .sum();
    singles + pairs
}

/// The charset an HTML page declares in its first bytes (`<meta charset>` or
/// `http-equiv` content), as encoding_rs knows it.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(k) = find(&lower[from..], b"charset") {
        let mut i = from + k + b"charset".len();
        from = i;
        while lower.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while lower
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
        {
            i += 1;
        }
        let start = i;
        while lower
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        {
            i += 1;
        }
        if let Some(enc) = Encoding::for_label(&lower[start..i]) {
            // A page that declares UTF-16 is read as UTF-8 (HTML standard).
            return Some(if enc == UTF_16LE || enc == UTF_16BE {
                UTF_8
            } else {
                enc
            });
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes a file's bytes. `legacy` are the encodings detection may choose.
pub fn decode(
    bytes: Vec<u8>,
    html: bool,
    legacy: &[&'static Encoding],
) -> Result<Decoded, Refused> {
    let mut notes = Vec::new();
    if bytes.is_empty() {
        return Err(refused("file.empty", "the file is empty"));
    }
    // 1. A byte-order mark decides.
    if let Some((enc, bom)) = Encoding::for_bom(&bytes) {
        let text = decode_with(enc, &bytes[bom..], &mut notes)?;
        return finish(text, name_of(enc, &bytes), notes);
    }
    // 2. Binary formats under a text name.
    if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Err(refused(
            "file.binary",
            format!("the bytes are {what}, not text"),
        ));
    }
    if bytes.contains(&0) {
        if let Some((enc, text)) = sniff_utf16(&bytes) {
            // Valid and free of controls: what `decode_with` and `finish`
            // would check again holds.
            return finish(text, name_of(enc, &bytes), notes);
        }
        return Err(refused(
            "file.binary",
            "the file holds NUL bytes: it is binary, not text",
        ));
    }
    // 3. Valid UTF-8 is UTF-8, whatever a page declares (crawlers re-encode
    //    pages and leave their `<meta charset>` behind). encoding_rs checks
    //    with SIMD, several times faster than `String::from_utf8` on Chinese
    //    text, and the bytes it passed become the text without a copy.
    let valid = Encoding::utf8_valid_up_to(&bytes);
    if valid == bytes.len() {
        // SAFETY: encoding_rs just found every byte of `bytes` valid UTF-8.
        let text = unsafe { String::from_utf8_unchecked(bytes) };
        return finish(text, "utf-8", notes);
    }
    // Cut inside the last character: what follows the valid part is the
    // start of one character and nothing after it. Only that tail is read
    // again.
    let cut = bytes
        .get(valid..)
        .and_then(|rest| std::str::from_utf8(rest).err())
        .is_some_and(|e| e.error_len().is_none());
    if cut {
        let text = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default()).into_owned();
        notes.push((
            "file.truncated",
            "the file ends inside a character: it was cut short".to_string(),
        ));
        return finish(text, "utf-8", notes);
    }
    // 4. What the page declares.
    let declared = if html { declared_charset(&bytes) } else { None };
    if let Some(enc) = declared.filter(|&e| e != UTF_8) {
        let text = decode_with(enc, &bytes, &mut notes)?;
        return finish(text, name_of(enc, &bytes), notes);
    }
    if declared == Some(UTF_8) {
        notes.push((
            "encoding.mismatch",
            "the page declares UTF-8 but its bytes are not UTF-8; the encoding was detected"
                .to_string(),
        ));
    }
    // 5. Detection, among the accepted legacy encodings.
    let guess = match detect(&bytes, legacy) {
        Detected::Clean(enc, text) => return finish(text, name_of(enc, &bytes), notes),
        Detected::Guess(enc) => enc,
    };
    if !legacy.contains(&guess) {
        return Err(refused(
            "file.not_text",
            format!(
                "the bytes are not UTF-8 and read best as {}, which is not an accepted encoding (decode.legacy)",
                guess.name()
            ),
        ));
    }
    let text = decode_with(guess, &bytes, &mut notes)?;
    finish(text, name_of(guess, &bytes), notes)
}

/// What detection gave: a prefix's guess with the file decoded cleanly in
/// it, or the guess over the whole sample, to be decoded and judged.
enum Detected {
    Clean(&'static Encoding, String),
    Guess(&'static Encoding),
}

/// Guesses the encoding of `bytes` (not UTF-8), reading a prefix first (see
/// the module doc).
fn detect(bytes: &[u8], legacy: &[&'static Encoding]) -> Detected {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    let (head, rest) = sample.split_at(sample.len().min(DETECT_PREFIX));
    // Never `last`: a file cut inside its final character must not rule out
    // its encoding (the cut is reported by `decode_with`).
    detector.feed(head, false);
    if !rest.is_empty() {
        if head.iter().filter(|b| !b.is_ascii()).count() >= PREFIX_EVIDENCE {
            let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
            if legacy.contains(&guess) {
                if let Some(text) = guess.decode_without_bom_handling_and_without_replacement(bytes)
                {
                    return Detected::Clean(guess, text.into_owned());
                }
            }
        }
        detector.feed(rest, false);
    }
    Detected::Guess(detector.guess(None, chardetng::Utf8Detection::Deny))
}

fn finish(
    text: String,
    encoding: &'static str,
    notes: Vec<(&'static str, String)>,
) -> Result<Decoded, Refused> {
    let bad = controls(&text);
    if bad > 0 && bad * 100 > text.chars().count() {
        let chars = text.chars().count();
        return Err(refused(
            "file.binary",
            format!("{bad} of {chars} characters are control characters: binary, not text"),
        ));
    }
    if text.trim().is_empty() {
        return Err(refused("file.empty", "the file holds only white space"));
    }
    Ok(Decoded {
        text,
        encoding,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &[&Encoding] = &[GBK, GB18030, BIG5];

    fn dec(bytes: &[u8]) -> Result<Decoded, Refused> {
        decode(bytes.to_vec(), false, LEGACY)
    }

    const REPORT: &str = "城关镇人民政府2023年政府信息公开工作年度报告\n规章\t1\t2\n行政许可\t3\n本年新收政府信息公开申请数量\t12\n";

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(dec("规章".as_bytes()).unwrap().encoding, "utf-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("规章".as_bytes());
        let d = dec(&b).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("规章", "utf-8"));
    }

    #[test]
    fn utf16_with_bom_and_without() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(REPORT.encode_utf16().flat_map(u16::to_le_bytes));
        let d = dec(&le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (REPORT, "utf-16le"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(REPORT.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(dec(&be).unwrap().encoding, "utf-16be");
        // No BOM: the NUL bytes of the ASCII characters give it away.
        assert_eq!(dec(&le[2..]).unwrap().encoding, "utf-16le");
        assert_eq!(dec(&be[2..]).unwrap().text, REPORT);
    }

    #[test]
    fn gbk_is_detected_and_gb18030_named_by_its_four_byte_sequences() {
        let (gbk, _, _) = GBK.encode(REPORT);
        let d = dec(&gbk).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (REPORT, "gbk"));
        let rare = format!("{REPORT}联系人：王𠀾\n");
        let (gb, _, _) = GB18030.encode(&rare);
        let d = dec(&gb).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (rare.as_str(), "gb18030"));
    }

    #[test]
    fn a_page_declares_its_charset_but_utf8_bytes_win() {
        let page = format!("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>{REPORT}</body></html>");
        let (gbk, _, _) = GBK.encode(&page);
        let d = decode(gbk.into_owned(), true, &[]).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (page.as_str(), "gbk"));
        let d = decode(page.clone().into_bytes(), true, &[]).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert_eq!(declared_charset(b"<meta charset='GB18030'>"), Some(GB18030));
        assert_eq!(declared_charset(b"<meta charset=\"utf-16\">"), Some(UTF_8));
        assert_eq!(declared_charset(b"charset is nice <p>"), None);
    }

    #[test]
    fn a_cut_inside_the_last_character_is_read_with_a_note() {
        let b = "规章\t1\n结束".as_bytes();
        let d = dec(&b[..b.len() - 1]).unwrap();
        assert_eq!(d.text, "规章\t1\n结");
        assert_eq!(d.notes[0].0, "file.truncated");
        let cut = format!("{REPORT}结束");
        let (gbk, _, _) = GBK.encode(&cut);
        let d = dec(&gbk[..gbk.len() - 1]).unwrap();
        assert_eq!(d.text, format!("{REPORT}结"));
        assert_eq!(d.notes.len(), 1);
        assert_eq!(d.notes[0].0, "file.truncated");
    }

    #[test]
    fn binaries_and_empties_are_refused_by_name() {
        assert_eq!(dec(b"").unwrap_err().code, "file.empty");
        assert_eq!(dec(b" \n\t\n").unwrap_err().code, "file.empty");
        let pdf = dec(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n").unwrap_err();
        assert_eq!(pdf.code, "file.binary");
        assert!(pdf.message.contains("PDF"));
        assert_eq!(
            dec(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err().code,
            "file.binary"
        );
        assert_eq!(
            dec(b"abc\0\x01\x02\x03\0\0").unwrap_err().code,
            "file.binary"
        );
        let controls: Vec<u8> = (0..200u8)
            .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
            .collect();
        assert_eq!(dec(&controls).unwrap_err().code, "file.binary");
    }

    #[test]
    fn controls_are_counted_on_bytes_as_char_is_control_counts_them() {
        let by_char = |t: &str| {
            t.chars()
                .filter(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C'))
                .count()
        };
        let pieces = [
            "规章", "a", "\t", "\n", "\r", "\x0C", "\x0B", "\x01", "\x7F", "\u{80}", "\u{85}",
            "\u{9F}", "\u{A0}", "·", "×", "\u{3000}", "𠀾", "\u{FEFF}",
        ];
        // Every piece at every offset around the 255-byte chunks, so a
        // C1 control's two bytes also fall across a chunk's end.
        for (k, p) in pieces.iter().enumerate() {
            for pad in [0, 1, 252, 253, 254, 255, 256, 509, 510] {
                let t = format!(
                    "{}{p}{}{}",
                    "x".repeat(pad),
                    pieces[(k + 3) % pieces.len()],
                    p
                );
                assert_eq!(controls(&t), by_char(&t), "{t:?}");
            }
        }
        let all: String = (0..0x300u32).filter_map(char::from_u32).collect();
        assert_eq!(controls(&all), by_char(&all));
        assert_eq!(controls(""), 0);
    }

    /// The guess of one detector fed the whole sample at once: detection
    /// before it read a prefix first.
    fn whole_guess(bytes: &[u8]) -> &'static Encoding {
        let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        d.feed(&bytes[..bytes.len().min(DETECT_BYTES)], false);
        d.guess(None, chardetng::Utf8Detection::Deny)
    }

    #[test]
    fn a_prefix_decides_when_the_whole_file_decodes_in_its_guess() {
        let long = REPORT.repeat(40);
        let (gbk, _, _) = GBK.encode(&long);
        assert!(gbk.len() > 2 * DETECT_PREFIX);
        match detect(&gbk, LEGACY) {
            Detected::Clean(enc, text) => assert_eq!((enc, text.as_str()), (GBK, long.as_str())),
            Detected::Guess(enc) => panic!("the prefix did not decide: {}", enc.name()),
        }
        let d = dec(&gbk).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (long.as_str(), "gbk"));
        assert!(d.notes.is_empty());
        // GB18030's four-byte sequences after the prefix still name it.
        let rare = format!("{long}联系人：王𠀾\n");
        let (gb, _, _) = GB18030.encode(&rare);
        assert!(matches!(detect(&gb, LEGACY), Detected::Clean(..)));
        assert_eq!(dec(&gb).unwrap().encoding, "gb18030");
    }

    #[test]
    fn the_whole_sample_decides_when_the_prefix_guess_fails() {
        // A GBK prefix, then a byte no GBK sequence starts with: the prefix's
        // guess does not decode the file, so the detector reads it all.
        let mut bytes = GBK.encode(&REPORT.repeat(20)).0.into_owned();
        assert!(bytes.len() > DETECT_PREFIX);
        bytes.extend_from_slice(b"\xFF\xFF");
        bytes.extend_from_slice(&GBK.encode(REPORT).0);
        match detect(&bytes, LEGACY) {
            Detected::Guess(enc) => assert_eq!(enc, whole_guess(&bytes)),
            Detected::Clean(enc, _) => panic!("the prefix decided: {}", enc.name()),
        }
        // A prefix of ASCII holds no evidence: the whole sample decides.
        let mut late = "Annual report, plain ASCII before the Chinese text.\n".repeat(40);
        late.push_str(&REPORT.repeat(5));
        let (late, _, _) = GBK.encode(&late);
        assert!(!late[..DETECT_PREFIX].iter().any(|b| !b.is_ascii()));
        match detect(&late, LEGACY) {
            Detected::Guess(enc) => assert_eq!(enc, whole_guess(&late)),
            Detected::Clean(enc, _) => panic!("the prefix decided: {}", enc.name()),
        }
        assert_eq!(dec(&late).unwrap().encoding, "gbk");
    }

    #[test]
    fn bytes_in_no_accepted_encoding_are_not_text() {
        // Latin-1 prose: detection says windows-1252, which is not accepted.
        let latin1: Vec<u8> =
            "Caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e, na\u{ef}ve fa\u{e7}ade d\u{e9}j\u{e0} vu"
                .chars()
                .map(|c| c as u32 as u8)
                .collect();
        assert_eq!(dec(&latin1).unwrap_err().code, "file.not_text");
    }
}
