//! Whether text is taken by character or by byte. bash, in a UTF-8 locale, counts `${#x}`,
//! slices `${x:1:2}`, matches `?` and converts case by character; dash, and the C locale, by
//! byte. The locale is the first of `LC_ALL`, `LC_CTYPE` and `LANG` that is set and not empty,
//! among the shell's variables, as bash reads it (an assignment takes effect at once).
//!
//! A locale the system does not have changes nothing, as for bash.
//!
//! The answer is kept per thread (the shell is one thread; tests run many shells side by
//! side) so the pattern matcher can ask without the shell at hand. It is worked out again
//! whenever one of the three variables changes ([`crate::state::vars::Vars`] says so) or the
//! language changes (`set -o posix`).

use std::cell::Cell;
use std::os::unix::ffi::OsStrExt;

thread_local! {
    static UTF8: Cell<bool> = const { Cell::new(false) };
    static BASH: Cell<bool> = const { Cell::new(false) };
}

/// Text is taken by character: the bash language in a UTF-8 locale.
pub fn chars() -> bool {
    BASH.with(Cell::get) && UTF8.with(Cell::get)
}

/// The language is bash's: a bracket expression's `[^...]` negates, as `[!...]` does.
pub fn bash() -> bool {
    BASH.with(Cell::get)
}

/// The language is bash's (not `set -o posix`).
pub fn set_bash(on: bool) {
    BASH.with(|b| b.set(on));
}

/// One of the variables that choose the character set.
pub fn is_locale_var(name: &[u8]) -> bool {
    matches!(name, b"LC_ALL" | b"LC_CTYPE" | b"LANG")
}

/// The variables' values changed: record whether the locale they name is UTF-8.
pub fn note(value_of: impl Fn(&[u8]) -> Option<Vec<u8>>) {
    let name = [&b"LC_ALL"[..], b"LC_CTYPE", b"LANG"]
        .iter()
        .find_map(|n| value_of(n).filter(|v| !v.is_empty()));
    match name {
        None => UTF8.with(|u| u.set(false)),
        Some(v) if is_installed(&v) => UTF8.with(|u| u.set(names_utf8(&v))),
        // A locale the system cannot set leaves the one in effect (bash).
        Some(_) => {}
    }
}

/// The system has the locale, as the C library bash uses (glibc) finds it: `C`, `POSIX` and
/// `C.UTF-8` always; another in its directory under /usr/lib/locale (the codeset written as
/// glibc normalizes it: `en_US.UTF-8` is `en_US.utf8`), or, where locale-gen made an archive,
/// in it (which is not read: a name is taken as there). Looked at in the file system, so that
/// a build on another C library (musl takes any name) answers the same.
fn is_installed(name: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    if matches!(name, b"C" | b"POSIX") || lower.starts_with(b"c.utf") {
        return true;
    }
    let base = std::path::Path::new("/usr/lib/locale");
    let (lang, codeset, modifier) = split_locale(name);
    let mut normalized = lang.to_vec();
    if let Some(codeset) = codeset {
        normalized.push(b'.');
        let letters: Vec<u8> = codeset
            .iter()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(u8::to_ascii_lowercase)
            .collect();
        if letters.iter().all(u8::is_ascii_digit) {
            normalized.extend_from_slice(b"iso");
        }
        normalized.extend_from_slice(&letters);
    }
    if let Some(modifier) = modifier {
        normalized.push(b'@');
        normalized.extend_from_slice(modifier);
    }
    [&normalized[..], name]
        .iter()
        .any(|n| base.join(std::ffi::OsStr::from_bytes(n)).is_dir())
        || base.join("locale-archive").exists()
}

/// `lang_TERRITORY.codeset@modifier`: the three parts.
fn split_locale(name: &[u8]) -> (&[u8], Option<&[u8]>, Option<&[u8]>) {
    let (rest, modifier) = match name.iter().position(|&c| c == b'@') {
        Some(at) => (&name[..at], Some(&name[at + 1..])),
        None => (name, None),
    };
    match rest.iter().position(|&c| c == b'.') {
        Some(dot) => (&rest[..dot], Some(&rest[dot + 1..]), modifier),
        None => (rest, None, modifier),
    }
}

/// The locale name says its character set is UTF-8 (`C.UTF-8`, `en_US.utf8`).
pub fn names_utf8(name: &[u8]) -> bool {
    let v = name.to_ascii_lowercase();
    v.windows(5).any(|w| w == b"utf-8") || v.windows(4).any(|w| w == b"utf8")
}

/// The number of characters in `s` (a byte of invalid UTF-8 counts as one), or of bytes
/// when text is taken by byte.
pub fn char_count(s: &[u8]) -> usize {
    if s.is_ascii() || !chars() {
        return s.len();
    }
    crate::expand::pattern::decode(s).0.len()
}

/// The length in bytes of the first character of `s` (0 when empty): 1 when text is taken by
/// byte.
pub fn first_char_len(s: &[u8]) -> usize {
    match s.first() {
        None => 0,
        Some(c) if c.is_ascii() || !chars() => 1,
        Some(_) => char_starts(&s[..s.len().min(4)])
            .get(1)
            .copied()
            .unwrap_or(1),
    }
}

/// The byte offsets where each character of `s` starts, and `s.len()` last; one per byte
/// when text is taken by byte (or is ASCII).
pub fn char_starts(s: &[u8]) -> Vec<usize> {
    if s.is_ascii() || !chars() {
        return (0..=s.len()).collect();
    }
    crate::expand::pattern::decode(s).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names() {
        assert!(names_utf8(b"C.UTF-8"));
        assert!(names_utf8(b"en_US.utf8"));
        assert!(!names_utf8(b"C"));
        assert!(!names_utf8(b"POSIX"));
        assert!(!names_utf8(b"de_DE.ISO-8859-1"));
    }

    #[test]
    fn counts_by_character_only_in_bash_under_utf8() {
        let value = |v: &'static [u8]| move |n: &[u8]| (n == b"LANG").then(|| v.to_vec());
        set_bash(true);
        note(value(b"C.UTF-8"));
        assert_eq!(char_count("héllo".as_bytes()), 5);
        assert_eq!(char_starts("é1".as_bytes()), vec![0, 2, 3]);
        // A stray byte is one character.
        assert_eq!(char_count(b"a\xffb"), 3);
        note(value(b"C"));
        assert_eq!(char_count("héllo".as_bytes()), 6);
        note(value(b"C.UTF-8"));
        set_bash(false);
        assert_eq!(char_count("héllo".as_bytes()), 6);
    }
}
