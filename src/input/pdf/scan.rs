//! A bound on what a PDF's streams inflate to, taken before the PDF crate
//! decodes any of them (it decodes cross-reference and object streams while
//! it opens the file, and content, font and form streams as it draws, with
//! no limit of its own).
//!
//! It takes the raw bytes and gives the bytes the compressed streams that
//! are not images inflate to, counting no further than the limit: a Flate
//! bomb costs at most `limit` bytes of inflating, never the allocation. It
//! finds streams lexically (`stream` … `endstream`, the dictionary before
//! it), so it works on damaged files too. Images are left out: the reader
//! never decodes them. It never fails: what does not inflate counts what
//! came out before the error.

use std::io::Read;

use flate2::read::{DeflateDecoder, ZlibDecoder};

/// Deflate's largest expansion (258 bytes from 2 bits, plus block headers).
const MAX_RATIO: u64 = 1032;

/// How far back from `stream` the stream's dictionary is looked for.
const DICT_WINDOW: usize = 4096;

/// A compressed stream found in the file.
struct Found<'a> {
    data: &'a [u8],
    flates: usize,
    lzw: usize,
}

impl Found<'_> {
    /// The most it can inflate to.
    fn bound(&self) -> u64 {
        let n = self.data.len() as u64;
        if self.lzw > 0 {
            // LZW is not inflated here: it expands at most ~2,700 times.
            n.saturating_mul(2730u64.saturating_mul(self.lzw as u64))
        } else {
            n.saturating_mul(MAX_RATIO.saturating_pow(self.flates.min(3) as u32))
        }
    }
}

/// The inflated size of the compressed non-image streams, summed; stops
/// counting once the sum passes `limit` (the result is then > `limit`).
/// Streams are inflated only as far as their bounds do not already prove
/// the sum within the limit, largest first: a report inflates one or two.
pub fn inflated_bytes(bytes: &[u8], limit: u64) -> u64 {
    let mut found = streams(bytes);
    let mut sum: u64 = found.iter().fold(0u64, |s, f| s.saturating_add(f.bound()));
    found.sort_by_key(|f| std::cmp::Reverse(f.bound()));
    let mut actual: u64 = 0;
    for f in &found {
        if sum <= limit {
            break;
        }
        let bound = f.bound();
        let n = if f.lzw > 0 {
            bound
        } else {
            inflate_count(
                f.data,
                f.flates,
                limit.saturating_sub(actual).saturating_add(1),
            )
        };
        actual = actual.saturating_add(n);
        sum = sum.saturating_sub(bound).saturating_add(n);
        if actual > limit {
            return actual;
        }
    }
    sum
}

/// The compressed non-image streams of the file, found lexically.
fn streams(bytes: &[u8]) -> Vec<Found<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(at) = find(&bytes[pos..], b"stream").map(|i| i + pos) {
        pos = at + 6;
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        // The data starts after the end of line that follows the keyword.
        let mut start = pos;
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        } else if start == pos {
            continue;
        }
        let dict_from = at.saturating_sub(DICT_WINDOW);
        let dict = &bytes[dict_from..at];
        let dict = match rfind(dict, b"obj") {
            Some(i) => &dict[i..],
            None => dict,
        };
        let end = find(&bytes[start..], b"endstream").map_or(bytes.len(), |i| start + i);
        pos = end.max(pos);
        if is_image(dict) {
            continue;
        }
        let flates = count(dict, b"/FlateDecode");
        let lzw = count(dict, b"/LZWDecode");
        if flates > 0 || lzw > 0 {
            out.push(Found {
                data: &bytes[start..end],
                flates,
                lzw,
            });
        }
    }
    out
}

/// Bytes `data` inflates to through `layers` Flate filters, at most `cap`.
fn inflate_count(data: &[u8], layers: usize, cap: u64) -> u64 {
    let zlib = data.len() >= 2
        && data[0] & 0x0F == 8
        && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0;
    let first: Box<dyn Read + '_> = if zlib {
        Box::new(ZlibDecoder::new(data))
    } else {
        Box::new(DeflateDecoder::new(data))
    };
    let mut reader = first;
    for _ in 1..layers.min(3) {
        reader = Box::new(ZlibDecoder::new(reader));
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut n: u64 = 0;
    while n < cap {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => n = n.saturating_add(k as u64),
        }
    }
    n
}

fn is_image(dict: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = find(&dict[from..], b"/Image") {
        let after = dict.get(from + i + 6).copied().unwrap_or(b' ');
        if !after.is_ascii_alphanumeric() {
            return true;
        }
        from += i + 6;
    }
    [
        "/DCTDecode",
        "/JPXDecode",
        "/CCITTFaxDecode",
        "/JBIG2Decode",
    ]
    .iter()
    .any(|f| find(dict, f.as_bytes()).is_some())
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = find(&hay[from..], needle) {
        n += 1;
        from += i + needle.len();
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn pdf_with(stream: &[u8], dict: &str) -> Vec<u8> {
        let mut f = b"%PDF-1.4\n1 0 obj\n".to_vec();
        f.extend_from_slice(dict.as_bytes());
        f.extend_from_slice(b"\nstream\n");
        f.extend_from_slice(stream);
        f.extend_from_slice(b"\nendstream\nendobj\n");
        f
    }

    #[test]
    fn counts_inflated_bytes_and_stops_at_the_limit() {
        let body = vec![b'0'; 1_000_000];
        let z = deflate(&body);
        let f = pdf_with(&z, "<< /Length 9 /Filter /FlateDecode >>");
        // Within the limit by its bound alone: not inflated.
        assert!(inflated_bytes(&f, u64::MAX) >= 1_000_000);
        assert_eq!(inflate_count(&z, 1, u64::MAX), 1_000_000);
        let over = inflated_bytes(&f, 100_000);
        assert!(over > 100_000 && over < 200_000, "{over}");
        // Images are not counted, nor uncompressed streams.
        let img = pdf_with(&z, "<< /Subtype /Image /Filter /FlateDecode >>");
        assert_eq!(inflated_bytes(&img, 10), 0);
        assert_eq!(inflated_bytes(&pdf_with(&body, "<< >>"), 10), 0);
    }
}
