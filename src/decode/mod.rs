//! Bytes → text. Only the decoding of a file's bytes lives here.
//!
//! It takes a file's bytes and its format and gives the text and the name of
//! the encoding, or the reason it cannot be read. It never guesses silently:
//! what it cannot decode is an error for the caller to report as an
//! `unreadable` report. (Legacy encodings and HTML arrive with the next
//! stage of work; today: UTF-8 with or without BOM.)

/// A decoded document.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Decodes a text file: UTF-8, with or without a byte-order mark.
pub fn decode_text(bytes: &[u8]) -> Result<Decoded, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("UTF-16 text is not read yet".to_string());
    }
    let (body, encoding) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, "utf-8"),
        None => (bytes, "utf-8"),
    };
    match std::str::from_utf8(body) {
        Ok(s) => {
            if s.contains('\0') {
                return Err("the file holds NUL bytes: it is binary, not text".to_string());
            }
            Ok(Decoded {
                text: s.to_string(),
                encoding,
            })
        }
        Err(e) => Err(format!(
            "not valid UTF-8 at byte {} (other encodings are not read yet)",
            e.valid_up_to() + (bytes.len() - body.len())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode_text("规章".as_bytes()).unwrap().encoding, "utf-8");
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("规章".as_bytes());
        let d = decode_text(&b).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("规章", "utf-8"));
    }

    #[test]
    fn undecodable_bytes_are_errors() {
        assert!(decode_text(&[0xB9, 0xE6, 0xD5, 0xC2])
            .unwrap_err()
            .contains("byte 0"));
        assert!(decode_text(b"%PDF-1.4\0\x01").is_err());
        assert!(decode_text(&[0xFF, 0xFE, 0x41, 0x00]).is_err());
    }
}
