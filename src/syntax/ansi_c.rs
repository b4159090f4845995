//! bash's ANSI-C quoting, `$'...'`: the backslash escapes of C, decoded when the word is read.

/// `v` as bash writes a value it must quote with `$'...'` (`${x@Q}`, `declare -p`), or None
/// when every character prints: control characters, and bytes that are not characters of
/// the locale (any byte past ASCII outside UTF-8), make the `$'...'` form.
pub fn encode(v: &[u8]) -> Option<Vec<u8>> {
    let utf8 = crate::state::locale::chars();
    let prints = |rest: &[u8]| printable_len(rest, utf8);
    let mut i = 0;
    while i < v.len() {
        match prints(&v[i..]) {
            0 => break,
            n => i += n,
        }
    }
    if i == v.len() {
        return None;
    }
    let mut out = b"$'".to_vec();
    let mut i = 0;
    while i < v.len() {
        let c = v[i];
        let escape: &[u8] = match c {
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x1b => b"\\E",
            0x07 => b"\\a",
            0x08 => b"\\b",
            0x0b => b"\\v",
            0x0c => b"\\f",
            b'\\' => b"\\\\",
            b'\'' => b"\\'",
            _ => b"",
        };
        if !escape.is_empty() {
            out.extend_from_slice(escape);
            i += 1;
            continue;
        }
        match prints(&v[i..]) {
            0 => {
                out.extend_from_slice(format!("\\{c:03o}").as_bytes());
                i += 1;
            }
            n => {
                out.extend_from_slice(&v[i..i + n]);
                i += n;
            }
        }
    }
    out.push(b'\'');
    Some(out)
}

/// The length of the printable character `rest` starts with; 0 when it does not print.
fn printable_len(rest: &[u8], utf8: bool) -> usize {
    let c = rest[0];
    if (0x20..0x7f).contains(&c) {
        return 1;
    }
    if c < 0x80 || !utf8 {
        return 0;
    }
    let n = match c {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return 0,
    };
    match rest.get(..n).map(std::str::from_utf8) {
        Some(Ok(s)) if !s.chars().next().is_some_and(char::is_control) => n,
        _ => 0,
    }
}

/// Decode the text between `$'` and `'`. `utf8`: the locale's character set is UTF-8, so
/// `\u`/`\U` give UTF-8; otherwise a character outside ASCII stays as the escape, as bash
/// writes it (`\u00E9`). A NUL ends the text, as in bash (a C string).
pub fn decode(raw: &[u8], utf8: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = raw.get(i) else {
            out.push(b'\\');
            break;
        };
        i += 1;
        let byte = match e {
            b'a' => 0x07,
            b'b' => 0x08,
            b'e' | b'E' => 0x1b,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'v' => 0x0b,
            b'\\' | b'\'' | b'"' | b'?' => e,
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                (v & 0xff) as u8
            }
            // `\x{HHH}` (bash, after ksh93): any number of hex digits, the low byte kept;
            // the `}` is optional and `\x{}` is a NUL, which ends the text.
            b'x' if raw.get(i) == Some(&b'{') => {
                i += 1;
                let mut v: u32 = 0;
                while let Some(d) = raw.get(i).and_then(|&d| (d as char).to_digit(16)) {
                    v = v.wrapping_mul(16).wrapping_add(d);
                    i += 1;
                }
                if raw.get(i) == Some(&b'}') {
                    i += 1;
                }
                (v & 0xff) as u8
            }
            b'x' | b'u' | b'U' => {
                let max = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let mut v: u32 = 0;
                let mut n = 0;
                while n < max {
                    match raw.get(i).and_then(|&d| (d as char).to_digit(16)) {
                        Some(d) => {
                            v = v.wrapping_mul(16).wrapping_add(d);
                            i += 1;
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push(b'\\');
                    out.push(e);
                    continue;
                }
                if e == b'x' {
                    v as u8
                } else {
                    push_char(&mut out, v, e, utf8);
                    continue;
                }
            }
            b'c' => match raw.get(i) {
                Some(&x) => {
                    i += 1;
                    if x == b'?' {
                        0x7f
                    } else {
                        // `\c\\` is one backslash after `\c`, as in bash.
                        if x == b'\\' && raw.get(i) == Some(&b'\\') {
                            i += 1;
                        }
                        x.to_ascii_uppercase() & 0x1f
                    }
                }
                None => {
                    out.extend_from_slice(b"\\c");
                    continue;
                }
            },
            other => {
                out.push(b'\\');
                other
            }
        };
        if byte == 0 {
            break;
        }
        out.push(byte);
    }
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    out
}

/// A `\u`/`\U` character (of `$'...'`, `echo -e`, `printf`): ASCII as itself, else UTF-8
/// (any value below 2^31 as the extended encoding bash uses, surrogates included; nothing
/// above) or, outside UTF-8, the escape again.
pub fn push_char(out: &mut Vec<u8>, v: u32, e: u8, utf8: bool) {
    if v > 0x7fff_ffff {
        return;
    }
    if v < 0x80 {
        if v != 0 {
            out.push(v as u8);
        } else {
            out.push(0);
        }
        return;
    }
    if !utf8 {
        if e == b'u' {
            out.extend_from_slice(format!("\\u{v:04X}").as_bytes());
        } else {
            out.extend_from_slice(format!("\\U{v:08X}").as_bytes());
        }
        return;
    }
    let (len, first) = match v {
        0..=0x7ff => (2, 0xc0),
        0x800..=0xffff => (3, 0xe0),
        0x1_0000..=0x1f_ffff => (4, 0xf0),
        0x20_0000..=0x3ff_ffff => (5, 0xf8),
        _ => (6, 0xfc),
    };
    let mut bytes = [0u8; 6];
    let mut rest = v;
    for slot in bytes[1..len].iter_mut().rev() {
        *slot = 0x80 | (rest & 0x3f) as u8;
        rest >>= 6;
    }
    bytes[0] = first | rest as u8;
    out.extend_from_slice(&bytes[..len]);
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn escapes() {
        assert_eq!(decode(br"a\tb\n", false), b"a\tb\n");
        assert_eq!(
            decode(br"\a\b\e\E\f\r\v", false),
            b"\x07\x08\x1b\x1b\x0c\r\x0b"
        );
        assert_eq!(decode(br#"\\\'\"\?"#, false), b"\\'\"?");
        assert_eq!(decode(br"\101\0101\777", false), b"A\x081\xff");
        assert_eq!(decode(br"\x41\x4g\x", false), b"A\x04g\\x");
        assert_eq!(decode(br"\cA\cz\c?\c", false), b"\x01\x1a\x7f\\c");
        assert_eq!(decode(br"\q", false), b"\\q");
        assert_eq!(decode(br"a\0b", false), b"a");
        assert_eq!(decode(br"\u41\u00e9", false), b"A\\u00E9");
        assert_eq!(decode(br"\u00e9\U1F600", true), "é😀".as_bytes());
        assert_eq!(decode(br"\U1F600", false), b"\\U0001F600");
        assert_eq!(decode(br"x\", false), b"x\\");
    }
}
