//! Bytes as record text: valid UTF-8 is kept as it is, each byte that is not part of valid
//! UTF-8 becomes the four characters `\xNN` (and the record carries `auditsh.lossy: true`).
//! JSON escaping ([`push_escaped`]) then guarantees no raw newline or control character in a
//! line.

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

/// Append `s` (valid UTF-8) JSON-escaped, without quotes: `"` and `\`, and every control
/// character below U+0020 (`\n`, `\t` ... or `\u00XX`), so that no text can end a line or
/// a string. The same escapes serde_json writes, so a line reads back as the text it holds.
pub fn push_escaped(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            buf.extend_from_slice(b"\\u00");
            buf.push(HEX[usize::from(b >> 4)]);
            buf.push(HEX[usize::from(b & 15)]);
        } else {
            buf.extend_from_slice(short);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// Append bytes as escaped text in their lossy form (each invalid byte as `\xNN`, whose
/// backslash is itself escaped), without quotes.
pub fn push_lossy(buf: &mut Vec<u8>, mut rest: &[u8]) {
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => return push_escaped(buf, s),
            Err(e) => {
                let good = e.valid_up_to();
                if let Ok(s) = std::str::from_utf8(&rest[..good]) {
                    push_escaped(buf, s);
                }
                let bad = e.error_len().unwrap_or(rest.len() - good).max(1);
                let end = (good + bad).min(rest.len());
                for &b in &rest[good..end] {
                    buf.extend_from_slice(b"\\\\x");
                    buf.push(HEX[usize::from(b >> 4)]);
                    buf.push(HEX[usize::from(b & 15)]);
                }
                rest = &rest[end..];
                if rest.is_empty() {
                    return;
                }
            }
        }
    }
}

/// Append a JSON string: the bytes cut to `limit` (see [`cut`]), lossy, escaped, quoted.
pub fn push_string(buf: &mut Vec<u8>, bytes: &[u8], limit: usize) {
    buf.push(b'"');
    push_lossy(buf, cut(bytes, limit));
    buf.push(b'"');
}

/// Append an argv as a JSON array of strings. With a `budget` (not `usize::MAX`), the
/// arguments together keep at most that many bytes: the argument that crosses it is cut, the
/// ones after it are left out (`process.args_count` keeps the real count).
pub fn push_args(buf: &mut Vec<u8>, args: &[Vec<u8>], budget: usize) {
    buf.push(b'[');
    let mut left = budget;
    for (i, arg) in args.iter().enumerate() {
        if left == 0 && budget != usize::MAX {
            break;
        }
        if i > 0 {
            buf.push(b',');
        }
        let kept = cut(arg, left);
        push_string(buf, kept, usize::MAX);
        left = left.saturating_sub(kept.len().max(1));
    }
    buf.push(b']');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

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

    fn string(bytes: &[u8]) -> String {
        let mut buf = Vec::new();
        push_string(&mut buf, bytes, usize::MAX);
        String::from_utf8(buf).expect("JSON text is UTF-8")
    }

    #[test]
    fn text_serializes_lossy_and_escaped() {
        let j = string(b"a\"}\n\x1b[2J\x00\xfe");
        assert_eq!(j, r#""a\"}\n\u001b[2J\u0000\\xfe""#);
        let back: String = serde_json::from_str(&j).unwrap();
        assert_eq!(back, "a\"}\n\x1b[2J\0\\xfe");
    }

    #[test]
    fn every_byte_reads_back_as_its_lossy_text() {
        // Each single byte, each pair, and strings mixing escapes, multi-byte characters and
        // invalid sequences: the JSON string parses back to exactly the lossy text, is
        // escaped the way serde_json escapes, and never holds a raw control character.
        let mut inputs: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        for a in (0..=255u8).step_by(7) {
            for b in (0..=255u8).step_by(5) {
                inputs.push(vec![a, b'x', b, 0xe2, 0x82, 0xac]);
            }
        }
        inputs.push("héllo \"wörld\" \\ € 😀\u{7f}\u{2028}".as_bytes().to_vec());
        inputs.push(b"\xf0\x9f\x98\xe2\x82\xc3(\xed\xa0\x80\xff\r\n\t\x08\x0c".to_vec());
        for input in inputs {
            let j = string(&input);
            assert!(j.bytes().all(|b| b >= 0x20), "raw control byte in {j:?}");
            let back: String = serde_json::from_str(&j).expect("valid JSON string");
            assert_eq!(back, to_text(&input), "for {input:?}");
            assert_eq!(
                j,
                serde_json::to_string(&to_text(&input)).unwrap(),
                "for {input:?}"
            );
        }
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
        let json = |budget| {
            let mut buf = Vec::new();
            push_args(&mut buf, &args, budget);
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(json(usize::MAX), r#"["echo","abcdef","xyz"]"#);
        assert_eq!(json(7), r#"["echo","abc"]"#);
    }

    #[test]
    fn os_error_without_suffix() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(os_error_text(&e), "No such file or directory");
    }
}
