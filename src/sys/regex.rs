//! POSIX extended regular expressions through the C library's `regcomp`/`regexec`: what
//! bash's `[[ string =~ regex ]]` uses, so the same expressions match the same text (POSIX's
//! leftmost-longest rule, bracket classes, back-references) as they do in bash.

use std::ffi::CString;
use std::sync::atomic::{AtomicBool, Ordering};

/// The C library's LC_CTYPE is C.UTF-8 (else the C locale it starts in).
static CTYPE_UTF8: AtomicBool = AtomicBool::new(false);

/// Set the C library's character type to the shell's: in a UTF-8 locale `.` and a bracket
/// match a character and `nocasematch` folds `É`, as in bash. Of what the shell asks of the
/// C library only the regex functions depend on it, so it is set here, when a regex is about
/// to be used, not at start-up (loading a locale costs). C.UTF-8 stands for any UTF-8
/// locale: its classes are Unicode's and its ranges go by code point.
fn follow_locale(utf8: bool) {
    if CTYPE_UTF8.swap(utf8, Ordering::Relaxed) == utf8 {
        return;
    }
    let name: &std::ffi::CStr = if utf8 { c"C.UTF-8" } else { c"C" };
    // SAFETY: the shell is one thread; `name` is a C string. A failure leaves the locale as
    // it was, and byte semantics.
    unsafe { libc::setlocale(libc::LC_CTYPE, name.as_ptr()) };
}

pub struct Regex {
    compiled: libc::regex_t,
    groups: usize,
}

impl Regex {
    /// Compile `pattern` as an ERE; `icase`: ignore case (`shopt -s nocasematch`); `utf8`:
    /// text is taken by character. A pattern holding a NUL byte, or one `regcomp` refuses,
    /// is None.
    pub fn new(pattern: &[u8], icase: bool, utf8: bool) -> Option<Regex> {
        let c = CString::new(pattern).ok()?;
        follow_locale(utf8);
        let mut flags = libc::REG_EXTENDED;
        if icase {
            flags |= libc::REG_ICASE;
        }
        // SAFETY: regex_t is plain data (pointers and counts) for which all zeros is valid.
        let mut compiled: libc::regex_t = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a C string; regcomp fills `compiled`, freed by Drop only if it
        // succeeded.
        if unsafe { libc::regcomp(&mut compiled, c.as_ptr(), flags) } != 0 {
            return None;
        }
        // regex_t's group count is not a public field: counted from the text.
        let groups = count_groups(pattern);
        Some(Regex { compiled, groups })
    }

    /// The match and its groups as byte ranges (None for a group that took no part), or
    /// None when the text does not match (or holds a NUL byte, which no C string can).
    pub fn captures(&self, text: &[u8]) -> Option<Vec<Option<(usize, usize)>>> {
        let c = CString::new(text).ok()?;
        let mut slots = vec![
            libc::regmatch_t {
                rm_so: -1,
                rm_eo: -1
            };
            self.groups + 1
        ];
        // SAFETY: `compiled` was set up by regcomp; `slots` has room for every group.
        let r = unsafe {
            libc::regexec(
                &self.compiled,
                c.as_ptr(),
                slots.len(),
                slots.as_mut_ptr(),
                0,
            )
        };
        if r != 0 {
            return None;
        }
        Some(
            slots
                .iter()
                .map(|m| {
                    (m.rm_so >= 0 && m.rm_eo >= m.rm_so)
                        .then_some((m.rm_so as usize, m.rm_eo as usize))
                })
                .collect(),
        )
    }
}

/// The `(` that open groups: not escaped, not inside a bracket expression.
fn count_groups(pattern: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 1,
            b'(' => n += 1,
            b'[' => {
                i += 1;
                if pattern.get(i) == Some(&b'^') {
                    i += 1;
                }
                if pattern.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < pattern.len() && pattern[i] != b']' {
                    if pattern[i] == b'[' && matches!(pattern.get(i + 1), Some(b':' | b'.' | b'='))
                    {
                        let close = pattern[i + 1];
                        i += 2;
                        while i + 1 < pattern.len()
                            && !(pattern[i] == close && pattern[i + 1] == b']')
                        {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

impl Drop for Regex {
    fn drop(&mut self) {
        // SAFETY: compiled by regcomp and freed once.
        unsafe { libc::regfree(&mut self.compiled) }
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    #[test]
    fn groups_and_leftmost_longest() {
        let r = Regex::new(b"(a|ab)(c|bcd)", false, false).unwrap();
        let m = r.captures(b"xabcd").unwrap();
        assert_eq!(m[0], Some((1, 5)));
        assert!(Regex::new(b"(", false, false).is_none());
        assert!(Regex::new(b"^B", true, false)
            .unwrap()
            .captures(b"b")
            .is_some());
        assert!(Regex::new(b"^B", false, false)
            .unwrap()
            .captures(b"b")
            .is_none());
    }
}
