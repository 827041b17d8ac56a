//! SHA-256 digests in the one form xxgk writes them: lower-case hex.
//!
//! The report ids, the config hash (`settings`) and the run digests (`sink`,
//! `manifest`) all use it, so it is a leaf that depends on nothing of the
//! crate: loading the config must not need a pipeline stage.

/// Lower-case hex of bytes (the form of every SHA-256 xxgk writes). Two
/// table lookups a byte: it runs for every report id, where a `write!` per
/// byte cost ~8,000 instructions a report.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0F)]));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lower_case_and_two_digits_a_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let by_format: String = all.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::hex(&all), by_format);
        assert_eq!(super::hex(&[]), "");
    }
}
