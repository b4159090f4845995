//! Text that comes from log files (session ids, event ids, file names) is hostile: it may hold
//! newlines, terminal escapes or megabytes. Everything printed goes through here first.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// At most this many characters of a value from a record are printed.
pub const VALUE_MAX: usize = 80;

/// `s` on one line: control characters (C0, DEL, C1), the Unicode bidirectional controls and
/// line separators, backslashes and bytes that are not UTF-8 as `\xNN` (each byte of the
/// character), cut to `max` characters with `...` when longer.
pub fn text(s: &[u8], max: usize) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(v) => (v, &[][..]),
            Err(e) => {
                let (v, after) = rest.split_at(e.valid_up_to());
                let n = e.error_len().unwrap_or(after.len());
                (std::str::from_utf8(v).unwrap_or(""), &after[..n])
            }
        };
        for c in valid.chars() {
            if shown == max {
                out.push_str("...");
                return out;
            }
            if c.is_control() || c == '\\' || reorders_or_breaks(c) {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            } else {
                out.push(c);
            }
            shown += 1;
        }
        for b in bad {
            if shown == max {
                out.push_str("...");
                return out;
            }
            out.push_str(&format!("\\x{b:02x}"));
            shown += 1;
        }
        rest = &rest[valid.len() + bad.len()..];
    }
    out
}

/// The characters that make a terminal show text in another order or on another line:
/// bidirectional marks, embeddings, overrides and isolates, line and paragraph separators.
fn reorders_or_breaks(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A value from a record (a session id, an event id), safe and short.
pub fn value(s: &str) -> String {
    text(s.as_bytes(), VALUE_MAX)
}

/// A path, whole, on one line.
pub fn path(p: &Path) -> String {
    text(p.as_os_str().as_bytes(), usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bad_bytes_are_escaped() {
        assert_eq!(text(b"a\nb\x1b[2J\\", 100), "a\\x0ab\\x1b[2J\\x5c");
        assert_eq!(text(b"\xffok", 100), "\\xffok");
        assert_eq!(text("wörld".as_bytes(), 100), "wörld");
        assert_eq!(
            text("a\u{202e}b\u{85}c\u{7f}\u{2066}".as_bytes(), 100),
            "a\\xe2\\x80\\xaeb\\xc2\\x85c\\x7f\\xe2\\x81\\xa6"
        );
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(text(b"abcdef", 3), "abc...");
        assert_eq!(text(b"abc", 3), "abc");
    }
}
