//! SHA-256 digests in the one form xxgk writes them: lower-case hex.
//!
//! The report ids, the config hash (`settings`) and the run digests (`sink`,
//! `manifest`) all use it, so it is a leaf that depends on nothing of the
//! crate: loading the config must not need a pipeline stage.

/// Lower-case hex of bytes (the form of every SHA-256 xxgk writes).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
