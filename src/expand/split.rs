//! Field splitting (XCU 2.6.5), as dash does it.
//!
//! Only bytes from unquoted expansions (flag [`SPLIT`]) can delimit fields. IFS white space
//! (the characters of IFS among space, tab and newline) at the start of a field is skipped;
//! a delimiter ends a field, and a run of IFS white space around at most one other IFS
//! character counts as one delimiter. A run of separators never continues into the next
//! expansion ([`START`]). A field is produced at the end only if something (text or a quote)
//! remains, so `a:` gives one field while `a::b` gives three.

use super::fields::{Field, SPLIT, START};

/// The default IFS, used when IFS is unset.
pub const DEFAULT_IFS: &[u8] = b" \t\n";

fn is_ifs_white(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n')
}

/// The length of the IFS character that starts at `text[i]`, 0 when none does. With
/// `multibyte` (bash in a UTF-8 locale) an IFS character may be several bytes, and counts only
/// when `may_delimit(i, i + len)` holds for all of its bytes; a single byte is the caller's to
/// vet.
pub fn ifs_char_len(
    text: &[u8],
    i: usize,
    ifs: &[u8],
    multibyte: bool,
    may_delimit: impl Fn(usize, usize) -> bool,
) -> usize {
    if !multibyte {
        return usize::from(ifs.contains(&text[i]));
    }
    let mut k = 0;
    while k < ifs.len() {
        let len = crate::state::locale::first_char_len(&ifs[k..]);
        let c = &ifs[k..k + len];
        if text[i..].starts_with(c) && may_delimit(i, i + len) {
            return len;
        }
        k += len;
    }
    0
}

/// Split `field` by `ifs`, appending the resulting fields to `out`.
pub fn split_field(field: Field, ifs: &[u8], out: &mut Vec<Field>) {
    let n = field.text.len();
    if ifs.is_empty() || !field.flags.iter().any(|f| f & SPLIT != 0) {
        if field.exists() {
            out.push(field);
        }
        return;
    }
    let (text, flags) = (&field.text, &field.flags);
    // bash in a UTF-8 locale: an IFS character may be several bytes.
    let multibyte = !ifs.is_ascii() && crate::state::locale::chars();
    // The length of the IFS character at `i`, 0 when there is none.
    let delimiter = |i: usize| -> usize {
        if flags[i] & SPLIT == 0 {
            return 0;
        }
        ifs_char_len(text, i, ifs, multibyte, |a, b| {
            flags[a..b].iter().all(|f| f & SPLIT != 0)
        })
    };
    let emit = |out: &mut Vec<Field>, a: usize, b: usize| {
        out.push(Field {
            text: text[a..b].to_vec(),
            flags: flags[a..b].to_vec(),
        })
    };
    let before = out.len();
    let mut start = 0;
    let mut i = 0;
    while i < n {
        let len = delimiter(i);
        if len == 0 {
            i += 1;
            continue;
        }
        let mut white = is_ifs_white(text[i]);
        if i == start && white {
            i += 1;
            start = i;
            continue;
        }
        emit(out, start, i);
        i += len;
        // Swallow the rest of the delimiter inside this expansion's result: white space, and
        // one non-white IFS character if the delimiter so far was white space.
        while i < n && flags[i] & START == 0 {
            let len = delimiter(i);
            if len == 0 {
                break;
            }
            if is_ifs_white(text[i]) {
                i += 1;
            } else if white {
                white = false;
                i += len;
            } else {
                break;
            }
        }
        start = i;
    }
    if start == 0 && out.len() == before {
        // Nothing split: keep the field as it is.
        if field.exists() {
            out.push(field);
        }
    } else if start < n {
        emit(out, start, n);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fields::QUOTED;
    use super::*;

    fn split(parts: &[(&[u8], u8)], ifs: &[u8]) -> Vec<Vec<u8>> {
        let mut f = Field::default();
        for (t, fl) in parts {
            let first = f.text.len();
            f.push(t, *fl);
            if *fl == SPLIT && !t.is_empty() {
                f.flags[first] |= START;
            }
        }
        let mut out = Vec::new();
        split_field(f, ifs, &mut out);
        out.into_iter().map(|f| f.into_text()).collect()
    }

    #[test]
    fn default_ifs() {
        assert_eq!(split(&[(b" a  b ", SPLIT)], DEFAULT_IFS), vec![b"a", b"b"]);
        assert_eq!(
            split(&[(b"   ", SPLIT)], DEFAULT_IFS),
            Vec::<Vec<u8>>::new()
        );
    }

    #[test]
    fn colon() {
        let r = split(&[(b"a::b:", SPLIT)], b":");
        assert_eq!(r, vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split(&[(b":a", SPLIT)], b":"), vec![&b""[..], b"a"]);
        assert_eq!(split(&[(b"::", SPLIT)], b":"), vec![b"", b""]);
    }

    #[test]
    fn space_colon() {
        let r = split(&[(b" a : b :: c : ", SPLIT)], b" :");
        assert_eq!(r, vec![&b"a"[..], b"b", b"", b"c"]);
        assert_eq!(split(&[(b" : ", SPLIT)], b" :"), vec![b""]);
    }

    #[test]
    fn quoted_text_and_literals_never_split() {
        assert_eq!(split(&[(b"a b", QUOTED)], DEFAULT_IFS), vec![b"a b"]);
        assert_eq!(split(&[(b"a b", 0)], DEFAULT_IFS), vec![b"a b"]);
    }

    #[test]
    fn separators_do_not_run_across_expansions() {
        let r = split(&[(b"a ", SPLIT), (b": b", SPLIT)], b" :");
        assert_eq!(r, vec![&b"a"[..], b"", b"b"]);
    }

    #[test]
    fn empty_ifs_does_not_split() {
        assert_eq!(split(&[(b"a b", SPLIT)], b""), vec![b"a b"]);
    }
}
