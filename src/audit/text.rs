//! Bytes as record text: valid UTF-8 is kept as it is, each byte that is not part of valid
//! UTF-8 becomes the four characters `\xNN` (and the record carries `auditsh.lossy: true`).
//! JSON escaping (serde_json) then guarantees no raw newline or control character in a line.

use serde::{Serialize, Serializer};
use std::fmt;

/// True when `bytes` is not valid UTF-8 (the record must say `auditsh.lossy: true`).
pub fn is_lossy(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_err()
}

/// Writes bytes as text, invalid bytes as `\xNN`, without allocating.
pub struct Lossy<'a>(pub &'a [u8]);

impl fmt::Display for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => return f.write_str(s),
                Err(e) => {
                    let good = e.valid_up_to();
                    if let Ok(s) = std::str::from_utf8(&rest[..good]) {
                        f.write_str(s)?;
                    }
                    let bad = e.error_len().unwrap_or(rest.len() - good).max(1);
                    for b in &rest[good..(good + bad).min(rest.len())] {
                        write!(f, "\\x{b:02x}")?;
                    }
                    rest = &rest[(good + bad).min(rest.len())..];
                    if rest.is_empty() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// The text form as an owned string (tests and rare paths; records use [`Text`]).
pub fn to_text(bytes: &[u8]) -> String {
    Lossy(bytes).to_string()
}

/// At most `limit` bytes of `bytes`, cut back so that a valid multi-byte character is not
/// split (a cut through a character would otherwise show up as `\xNN` bytes).
pub fn cut(bytes: &[u8], limit: usize) -> &[u8] {
    if bytes.len() <= limit {
        return bytes;
    }
    let mut end = limit;
    // Back up over at most 3 continuation bytes to the start of the character.
    let floor = limit.saturating_sub(3);
    while end > floor && end < bytes.len() && (bytes[end] & 0xc0) == 0x80 {
        end -= 1;
    }
    if (bytes[end] & 0xc0) == 0x80 {
        // Not a valid character boundary within reach: cut at the limit.
        end = limit;
    }
    &bytes[..end]
}

/// A byte string serialized as a JSON string (lossy form), optionally cut to `limit` bytes.
#[derive(Clone, Copy)]
pub struct Text<'a> {
    pub bytes: &'a [u8],
    pub limit: usize,
}

impl<'a> Text<'a> {
    pub fn new(bytes: &'a [u8]) -> Text<'a> {
        Text {
            bytes,
            limit: usize::MAX,
        }
    }

    pub fn limited(bytes: &'a [u8], limit: usize) -> Text<'a> {
        Text { bytes, limit }
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = cut(self.bytes, self.limit);
        match std::str::from_utf8(bytes) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.collect_str(&Lossy(bytes)),
        }
    }
}

/// An argv serialized as a JSON array of strings. With a `budget`, the arguments together
/// keep at most that many bytes: the argument that crosses it is cut, the ones after it are
/// left out (`process.args_count` keeps the real count).
#[derive(Clone, Copy)]
pub struct Args<'a> {
    pub args: &'a [Vec<u8>],
    pub budget: usize,
}

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut left = self.budget;
        let mut seq = s.serialize_seq(None)?;
        for arg in self.args {
            if left == 0 && self.budget != usize::MAX {
                break;
            }
            let kept = cut(arg, left);
            seq.serialize_element(&Text::new(kept))?;
            left = left.saturating_sub(kept.len().max(1));
        }
        seq.end()
    }
}

/// An OS error as text, without Rust's " (os error N)" suffix.
pub fn os_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_text_is_unchanged() {
        assert_eq!(to_text(b"hello w\xc3\xb6rld"), "hello wörld");
        assert!(!is_lossy("wörld".as_bytes()));
    }

    #[test]
    fn bad_bytes_become_backslash_x() {
        assert_eq!(to_text(b"a\xffb"), "a\\xffb");
        assert_eq!(to_text(b"\xc3"), "\\xc3");
        assert_eq!(to_text(b"\xe2\x82x\x80"), "\\xe2\\x82x\\x80");
        assert_eq!(to_text(b"\xf0\x9f\x98\x80\xf0"), "😀\\xf0");
        assert!(is_lossy(b"a\xffb"));
    }

    #[test]
    fn text_serializes_lossy_and_escaped() {
        let j = serde_json::to_string(&Text::new(b"a\"}\n\x1b[2J\x00\xfe")).unwrap();
        assert_eq!(j, r#""a\"}\n\u001b[2J\u0000\\xfe""#);
        let back: String = serde_json::from_str(&j).unwrap();
        assert_eq!(back, "a\"}\n\x1b[2J\0\\xfe");
    }

    #[test]
    fn cut_keeps_characters_whole() {
        let s = "aé€".as_bytes(); // 1 + 2 + 3 bytes
        assert_eq!(cut(s, 10), s);
        assert_eq!(cut(s, 2), b"a");
        assert_eq!(cut(s, 3), "aé".as_bytes());
        assert_eq!(cut(s, 5), "aé".as_bytes());
        assert_eq!(cut(b"\x80\x80\x80\x80\x80", 2), b"\x80\x80");
    }

    #[test]
    fn args_budget() {
        let args = vec![b"echo".to_vec(), b"abcdef".to_vec(), b"xyz".to_vec()];
        let all = Args {
            args: &args,
            budget: usize::MAX,
        };
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            r#"["echo","abcdef","xyz"]"#
        );
        let some = Args {
            args: &args,
            budget: 7,
        };
        assert_eq!(serde_json::to_string(&some).unwrap(), r#"["echo","abc"]"#);
    }

    #[test]
    fn os_error_without_suffix() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(os_error_text(&e), "No such file or directory");
    }
}
