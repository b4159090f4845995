//! Bytes as record text: valid UTF-8 is kept as it is, each byte that is not part of valid
//! UTF-8 becomes the four characters `\xNN` (and the record carries `auditsh.lossy: true`).
//! In a record so marked every byte string is in that lossy form, where a backslash of the
//! text is written as two backslashes, so that the typed text `\xff` (`\\xff`) cannot pass for
//! the byte 0xff (`\xff`); [`decode_lossy`] reads it back. A record not marked lossy carries
//! its text exactly.
//!
//! JSON escaping ([`push_escaped`]) then guarantees no raw newline or control character in a
//! line, nor a character that makes a log viewer show text other than what is there: C1
//! controls, DEL, and the Unicode bidirectional controls and line separators are written as
//! `\uXXXX` (which every JSON parser reads back as the character itself).

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

/// The text form for a record: in the lossy form (`lossy`), each backslash doubled first.
pub fn to_record_text(bytes: &[u8], lossy: bool) -> String {
    if !lossy {
        return to_text(bytes);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    // Backslashes of the input (not those of the `\xNN` escapes) are the ones doubled.
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(&s.replace('\\', "\\\\"));
                return out;
            }
            Err(e) => {
                let good = e.valid_up_to();
                let end =
                    (good + e.error_len().unwrap_or(rest.len() - good).max(1)).min(rest.len());
                if let Ok(s) = std::str::from_utf8(&rest[..good]) {
                    out.push_str(&s.replace('\\', "\\\\"));
                }
                out.push_str(&to_text(&rest[good..end]));
                rest = &rest[end..];
                if rest.is_empty() {
                    return out;
                }
            }
        }
    }
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

/// Append `s` (valid UTF-8) JSON-escaped, without quotes: `"` and `\`, every control
/// character below U+0020 (`\n`, `\t` ... or `\u00XX`), so that no text can end a line or a
/// string; and as `\uXXXX` the characters a viewer would act on rather than show: DEL, the C1
/// controls (U+0080..U+009F), the bidirectional marks, embeddings, overrides and isolates
/// (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the line and paragraph
/// separators (U+2028, U+2029). A line reads back as exactly the text it holds.
pub fn push_escaped(buf: &mut Vec<u8>, s: &str) {
    push_escaped_form(buf, s, false);
}

/// [`push_escaped`]; with `double_backslash`, each backslash of `s` is written as two (the
/// lossy form).
fn push_escaped_form(buf: &mut Vec<u8>, s: &str, double_backslash: bool) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // (escape, bytes of the character); an empty escape means `\uXXXX` of `code`.
        let (short, len, code): (&[u8], usize, u32) = match b {
            b'"' => (b"\\\"", 1, 0),
            b'\\' if double_backslash => (b"\\\\\\\\", 1, 0),
            b'\\' => (b"\\\\", 1, 0),
            b'\n' => (b"\\n", 1, 0),
            b'\r' => (b"\\r", 1, 0),
            b'\t' => (b"\\t", 1, 0),
            0x08 => (b"\\b", 1, 0),
            0x0c => (b"\\f", 1, 0),
            0x00..=0x1f | 0x7f => (b"", 1, u32::from(b)),
            0xc2 | 0xd8 | 0xe2 => match viewer_control(&bytes[i..]) {
                Some((len, code)) => (b"", len, code),
                None => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            buf.extend_from_slice(b"\\u");
            for shift in [12, 8, 4, 0] {
                buf.push(HEX[((code >> shift) & 15) as usize]);
            }
        } else {
            buf.extend_from_slice(short);
        }
        i += len;
        start = i;
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// The multi-byte character at the start of `b` (valid UTF-8) if it is one that
/// [`push_escaped`] writes as `\uXXXX`: its length and code point.
fn viewer_control(b: &[u8]) -> Option<(usize, u32)> {
    match *b {
        // C1 controls: U+0080..U+009F.
        [0xc2, c, ..] if (0x80..=0x9f).contains(&c) => Some((2, u32::from(c))),
        // U+061C ARABIC LETTER MARK.
        [0xd8, 0x9c, ..] => Some((2, 0x061c)),
        // U+200E, U+200F, U+2028..U+202E.
        [0xe2, 0x80, c, ..] if matches!(c, 0x8e | 0x8f | 0xa8..=0xae) => {
            Some((3, 0x2000 + u32::from(c & 0x3f)))
        }
        // U+2066..U+2069.
        [0xe2, 0x81, c, ..] if (0xa6..=0xa9).contains(&c) => {
            Some((3, 0x2040 + u32::from(c & 0x3f)))
        }
        _ => None,
    }
}

/// Append bytes as escaped text in their lossy form (each invalid byte as `\xNN`, whose
/// backslash is itself escaped), without quotes. With `lossy_form` (the record is marked
/// lossy), a backslash of the bytes is written as two.
pub fn push_lossy(buf: &mut Vec<u8>, mut rest: &[u8], lossy_form: bool) {
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => return push_escaped_form(buf, s, lossy_form),
            Err(e) => {
                let good = e.valid_up_to();
                if let Ok(s) = std::str::from_utf8(&rest[..good]) {
                    push_escaped_form(buf, s, lossy_form);
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
pub fn push_string(buf: &mut Vec<u8>, bytes: &[u8], limit: usize, lossy_form: bool) {
    buf.push(b'"');
    push_lossy(buf, cut(bytes, limit), lossy_form);
    buf.push(b'"');
}

/// Append an argv as a JSON array of strings. With a `budget` (not `usize::MAX`), the
/// arguments together keep at most that many bytes: the argument that crosses it is cut, the
/// ones after it are left out (`process.args_count` keeps the real count).
pub fn push_args(buf: &mut Vec<u8>, args: &[Vec<u8>], budget: usize, lossy_form: bool) {
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
        push_string(buf, kept, usize::MAX, lossy_form);
        left = left.saturating_sub(kept.len().max(1));
    }
    buf.push(b']');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The bytes a string of a record marked `auditsh.lossy: true` stands for: `\\` is one
/// backslash, `\xNN` the byte NN, every other character itself. None when the string is not
/// in that form (a lone backslash, a bad escape).
pub fn decode_lossy(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'\\') => {
                out.push(b'\\');
                i += 2;
            }
            Some(b'x') => {
                let hex = std::str::from_utf8(b.get(i + 2..i + 4)?).ok()?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 4;
            }
            _ => return None,
        }
    }
    Some(out)
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
        string_in(bytes, false)
    }

    fn string_in(bytes: &[u8], lossy_form: bool) -> String {
        let mut buf = Vec::new();
        push_string(&mut buf, bytes, usize::MAX, lossy_form);
        String::from_utf8(buf).expect("JSON text is UTF-8")
    }

    #[test]
    fn text_serializes_lossy_and_escaped() {
        let j = string(b"a\"}\n\x1b[2J\x00\xfe");
        assert_eq!(j, r#""a\"}\n\u001b[2J\u0000\\xfe""#);
        let back: String = serde_json::from_str(&j).unwrap();
        assert_eq!(back, "a\"}\n\x1b[2J\0\\xfe");
    }

    /// Characters no line may carry raw: they would make a viewer show other text.
    fn viewer_controls() -> Vec<char> {
        let mut v: Vec<char> = (0x80..=0x9f).filter_map(char::from_u32).collect();
        v.extend([
            '\u{7f}', '\u{61c}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}',
        ]);
        v.extend((0x202a..=0x202e).filter_map(char::from_u32));
        v.extend((0x2066..=0x2069).filter_map(char::from_u32));
        v
    }

    #[test]
    fn viewer_controls_are_escaped_and_read_back() {
        for c in viewer_controls() {
            let text = format!("a{c}b");
            let j = string(text.as_bytes());
            assert_eq!(j, format!("\"a\\u{:04x}b\"", u32::from(c)), "{c:?}");
            let back: String = serde_json::from_str(&j).unwrap();
            assert_eq!(back, text);
        }
        // Their neighbours stay as they are.
        for c in [
            '\u{a0}', '\u{61b}', '\u{200d}', '\u{2027}', '\u{202f}', '\u{2065}', '\u{206a}', 'é',
        ] {
            let text = format!("a{c}b");
            assert_eq!(string(text.as_bytes()), format!("\"{text}\""));
        }
    }

    #[test]
    fn every_byte_reads_back_as_its_lossy_text() {
        // Each single byte, each pair, and strings mixing escapes, multi-byte characters and
        // invalid sequences: the JSON string parses back to exactly the lossy text and never
        // holds a raw control character; in the lossy form it decodes to the exact bytes.
        let mut inputs: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        for a in (0..=255u8).step_by(7) {
            for b in (0..=255u8).step_by(5) {
                inputs.push(vec![a, b'x', b, 0xe2, 0x82, 0xac]);
                inputs.push(vec![0xc2, a, 0xe2, 0x80, b, 0xe2, 0x81, a, 0xd8, b]);
            }
        }
        inputs.push(
            "héllo \"wörld\" \\ € 😀\u{7f}\u{2028}\u{202e}"
                .as_bytes()
                .to_vec(),
        );
        inputs.push(b"\xf0\x9f\x98\xe2\x82\xc3(\xed\xa0\x80\xff\r\n\t\x08\x0c\\xff".to_vec());
        let controls = viewer_controls();
        for input in inputs {
            let j = string(&input);
            assert!(j.bytes().all(|b| b >= 0x20), "raw control byte in {j:?}");
            assert!(!j.chars().any(|c| controls.contains(&c)), "{j:?}");
            let back: String = serde_json::from_str(&j).expect("valid JSON string");
            assert_eq!(back, to_text(&input), "for {input:?}");

            let j = string_in(&input, true);
            assert!(
                !j.chars().any(|c| controls.contains(&c) || c < ' '),
                "{j:?}"
            );
            let back: String = serde_json::from_str(&j).expect("valid JSON string");
            assert_eq!(back, to_record_text(&input, true), "for {input:?}");
            assert_eq!(decode_lossy(&back), Some(input.clone()), "{back:?}");
        }
    }

    #[test]
    fn the_lossy_form_keeps_a_byte_apart_from_its_typed_text() {
        let byte = to_record_text(b"\xff", true);
        let typed = to_record_text(b"\\xff", true);
        assert_eq!(byte, "\\xff");
        assert_eq!(typed, "\\\\xff");
        assert_eq!(decode_lossy(&byte), Some(b"\xff".to_vec()));
        assert_eq!(decode_lossy(&typed), Some(b"\\xff".to_vec()));
        // Outside the lossy form text is exact.
        assert_eq!(to_record_text(b"a\\b", false), "a\\b");
        assert_eq!(decode_lossy("a\\b"), None);
        assert_eq!(decode_lossy("\\x4"), None);
        assert_eq!(decode_lossy("\\xzz"), None);
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
            push_args(&mut buf, &args, budget, false);
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(json(usize::MAX), r#"["echo","abcdef","xyz"]"#);
        assert_eq!(json(7), r#"["echo","abc"]"#);
    }
}
