//! Pattern matching notation (XCU 2.13): `*`, `?`, bracket expressions, backslash escapes.
//!
//! Patterns are bytes in which a backslash makes the next byte literal (the expander escapes
//! quoted characters that way). Matching is byte-oriented, as in the C locale. Bracket
//! expressions are read as dash reads them: `]` first in the bracket is literal, `\` escapes
//! inside it too, `[:class:]` names one of the twelve POSIX classes (an unknown name is just
//! characters), and a `[` that has no closing `]` is a literal `[`. `[^...]` is a set containing
//! `^`, as in dash (POSIX leaves it unspecified; `[!...]` negates). Ranges compare bytes as unsigned values.
//!
//! A pattern is compiled to a list of elements that each match exactly one byte, plus `*`. Whole
//! matches use the single-backtrack-point algorithm for `*`; prefix and suffix removal run the
//! pattern as a set of states over the text. Both take time proportional to the pattern length
//! times the text length, whatever the input.

/// One byte-matching element of a compiled pattern, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Elem {
    Star,
    Any,
    Byte(u8),
    Set(ByteSet),
}

/// A set of bytes, one bit per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, b: u8) {
        if let Some(w) = self.0.get_mut(usize::from(b >> 6)) {
            *w |= 1u64 << (b & 63);
        }
    }

    fn contains(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b >> 6))
            .is_some_and(|w| w & (1u64 << (b & 63)) != 0)
    }

    fn invert(&mut self) {
        for w in &mut self.0 {
            *w = !*w;
        }
    }
}

impl Elem {
    /// True if this element (not `*`) matches byte `c`.
    fn accepts(&self, c: u8) -> bool {
        match self {
            Elem::Star => false,
            Elem::Any => true,
            Elem::Byte(b) => *b == c,
            Elem::Set(set) => set.contains(c),
        }
    }
}

/// Whether a byte belongs to a character class.
type ClassFn = fn(u8) -> bool;

/// The character classes of the C locale, by the name dash recognises after `[`.
const CLASSES: &[(&[u8], ClassFn)] = &[
    (b":alnum:]", |c| c.is_ascii_alphanumeric()),
    (b":cntrl:]", |c| c.is_ascii_control()),
    (b":lower:]", |c| c.is_ascii_lowercase()),
    (b":space:]", |c| matches!(c, b' ' | b'\t'..=b'\r')),
    (b":alpha:]", |c| c.is_ascii_alphabetic()),
    (b":digit:]", |c| c.is_ascii_digit()),
    (b":print:]", |c| matches!(c, b' '..=b'~')),
    (b":upper:]", |c| c.is_ascii_uppercase()),
    (b":blank:]", |c| c == b' ' || c == b'\t'),
    (b":graph:]", |c| c.is_ascii_graphic()),
    (b":punct:]", |c| c.is_ascii_punctuation()),
    (b":xdigit:]", |c| c.is_ascii_hexdigit()),
];

/// Parse the bracket expression whose `[` is just before `start`. Returns the set it matches
/// and the index after its closing `]`, or None when it is not terminated (then the `[` is
/// an ordinary character).
fn parse_bracket(pat: &[u8], start: usize) -> Option<(ByteSet, usize)> {
    let mut set = ByteSet::default();
    let mut i = start;
    let invert = matches!(pat.get(i), Some(b'!'));
    if invert {
        i += 1;
    }
    let mut first = true;
    loop {
        let c = *pat.get(i)?;
        if c == b']' && !first {
            if invert {
                set.invert();
            }
            return Some((set, i + 1));
        }
        first = false;
        i += 1;
        let lo = match c {
            b'[' => {
                let rest = pat.get(i..).unwrap_or_default();
                if let Some((name, class)) = CLASSES.iter().find(|(n, _)| rest.starts_with(n)) {
                    for b in 0..=u8::MAX {
                        if class(b) {
                            set.insert(b);
                        }
                    }
                    i += name.len();
                    continue;
                }
                b'['
            }
            b'\\' => {
                let e = *pat.get(i)?;
                i += 1;
                e
            }
            _ => c,
        };
        if pat.get(i) == Some(&b'-') && pat.get(i + 1) != Some(&b']') {
            i += 1;
            let mut hi = *pat.get(i)?;
            if hi == b'\\' {
                i += 1;
                hi = *pat.get(i)?;
            }
            i += 1;
            for b in lo..=hi {
                set.insert(b);
            }
        } else {
            set.insert(lo);
        }
    }
}

/// Compile a pattern to its elements, with runs of `*` collapsed to one.
fn compile(pat: &[u8]) -> Vec<Elem> {
    let mut elems = Vec::with_capacity(pat.len());
    let mut i = 0;
    while let Some(&c) = pat.get(i) {
        let elem = match c {
            b'*' => {
                i += 1;
                if elems.last() == Some(&Elem::Star) {
                    continue;
                }
                Elem::Star
            }
            b'?' => {
                i += 1;
                Elem::Any
            }
            b'\\' => match pat.get(i + 1) {
                Some(&e) => {
                    i += 2;
                    Elem::Byte(e)
                }
                // A trailing backslash stands for itself.
                None => {
                    i += 1;
                    Elem::Byte(b'\\')
                }
            },
            b'[' => match parse_bracket(pat, i + 1) {
                Some((set, next)) => {
                    i = next;
                    Elem::Set(set)
                }
                None => {
                    i += 1;
                    Elem::Byte(b'[')
                }
            },
            _ => {
                i += 1;
                Elem::Byte(c)
            }
        };
        elems.push(elem);
    }
    elems
}

/// Whole-string match of compiled elements: `*` keeps a single backtrack point (the latest
/// one), which suffices because every other element matches exactly one byte.
fn match_elems(elems: &[Elem], text: &[u8]) -> bool {
    let mut p = 0;
    let mut t = 0;
    // (element index after the latest `*`, text index that `*` currently extends to)
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        match elems.get(p) {
            Some(Elem::Star) => {
                p += 1;
                backtrack = Some((p, t));
                continue;
            }
            Some(e) => {
                if let Some(&c) = text.get(t) {
                    if e.accepts(c) {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
            None => {
                if t == text.len() {
                    return true;
                }
            }
        }
        match backtrack {
            Some((bp, bt)) if bt < text.len() => {
                backtrack = Some((bp, bt + 1));
                p = bp;
                t = bt + 1;
            }
            _ => return false,
        }
    }
}

/// For every `n` in `0..=text.len()`, whether the first `n` bytes of `text` match `elems`
/// as a whole: a simulation of the pattern as a set of states.
fn matching_prefixes<'t>(elems: &[Elem], text: impl Iterator<Item = &'t u8>) -> Vec<bool> {
    let k = elems.len();
    let mut active = vec![false; k + 1];
    let mut next = vec![false; k + 1];
    let closure = |states: &mut Vec<bool>| {
        for i in 0..k {
            if states.get(i) == Some(&true) && elems.get(i) == Some(&Elem::Star) {
                if let Some(s) = states.get_mut(i + 1) {
                    *s = true;
                }
            }
        }
    };
    if let Some(s) = active.first_mut() {
        *s = true;
    }
    closure(&mut active);
    let mut result = vec![active.get(k) == Some(&true)];
    for &c in text {
        next.iter_mut().for_each(|s| *s = false);
        let mut any = false;
        for (i, e) in elems.iter().enumerate() {
            if active.get(i) != Some(&true) {
                continue;
            }
            let target = match e {
                Elem::Star => i,
                e if e.accepts(c) => i + 1,
                _ => continue,
            };
            if let Some(s) = next.get_mut(target) {
                *s = true;
                any = true;
            }
        }
        closure(&mut next);
        std::mem::swap(&mut active, &mut next);
        result.push(active.get(k) == Some(&true));
        if !any {
            // No state survives: no longer prefix can match.
            break;
        }
    }
    result
}

mod extglob;

/// `shopt -s extglob` is on: the extended operators of bash are patterns (a process-wide
/// switch, as the matching functions are called from everywhere without the shell).
static EXTGLOB: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_extglob(on: bool) {
    EXTGLOB.store(on, std::sync::atomic::Ordering::Relaxed);
}

pub fn extglob() -> bool {
    EXTGLOB.load(std::sync::atomic::Ordering::Relaxed)
}

/// The pattern uses an extended operator that is on.
fn is_extended(pattern: &[u8]) -> bool {
    extglob() && extglob::has_ext(pattern)
}

/// True if `text` matches `pattern` as a whole.
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    if is_extended(pattern) {
        return extglob::matches(pattern, text);
    }
    match_elems(&compile(pattern), text)
}

/// For an extended pattern: whether each prefix length (or, `suffix`, each suffix length)
/// of `value` matches.
fn extended_lengths(value: &[u8], pattern: &[u8], suffix: bool) -> Vec<bool> {
    (0..=value.len())
        .map(|n| {
            let part = if suffix {
                &value[value.len() - n..]
            } else {
                &value[..n]
            };
            extglob::matches(pattern, part)
        })
        .collect()
}

/// Match one component of a pathname for pathname expansion: as [`matches`], except that a
/// leading `.` of `name` must be matched by a `.` (or `\.`) at the start of the pattern, never
/// by `*`, `?` or a bracket expression.
pub fn matches_path_component(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') {
        let lead = match pattern.first() {
            Some(b'\\') => pattern.get(1),
            other => other,
        };
        if lead != Some(&b'.') {
            return false;
        }
    }
    matches(pattern, name)
}

/// True if the pattern contains an unescaped `*` or `?`, or a `[` that starts a bracket
/// expression (one with a closing `]`): a word without one is not subject to pathname
/// expansion.
pub fn has_unescaped_glob(pattern: &[u8]) -> bool {
    if is_extended(pattern) {
        return true;
    }
    let mut i = 0;
    while let Some(&c) = pattern.get(i) {
        match c {
            b'\\' => i += 2,
            b'*' | b'?' => return true,
            b'[' => {
                if parse_bracket(pattern, i + 1).is_some() {
                    return true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

/// The pattern with its escaping backslashes removed: the literal text it stands for when it
/// is not used as a pattern. A trailing lone backslash is kept.
pub fn unescape(pattern: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut i = 0;
    while let Some(&c) = pattern.get(i) {
        match (c, pattern.get(i + 1)) {
            (b'\\', Some(&e)) => {
                out.push(e);
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `${x#pattern}` (`largest` false) and `${x##pattern}` (`largest` true): `value` without
/// the smallest or largest prefix that matches; all of `value` when no prefix matches.
pub fn remove_prefix<'a>(value: &'a [u8], pattern: &[u8], largest: bool) -> &'a [u8] {
    let ends = if is_extended(pattern) {
        extended_lengths(value, pattern, false)
    } else {
        matching_prefixes(&compile(pattern), value.iter())
    };
    let len = if largest {
        ends.iter().rposition(|&m| m)
    } else {
        ends.iter().position(|&m| m)
    };
    match len {
        Some(n) => value.get(n..).unwrap_or_default(),
        None => value,
    }
}

/// `${x%pattern}` (`largest` false) and `${x%%pattern}` (`largest` true): `value` without
/// the smallest or largest suffix that matches; all of `value` when no suffix matches.
pub fn remove_suffix<'a>(value: &'a [u8], pattern: &[u8], largest: bool) -> &'a [u8] {
    // A suffix matches the pattern exactly when, read backwards, it matches the elements in
    // reverse order.
    let lens = if is_extended(pattern) {
        extended_lengths(value, pattern, true)
    } else {
        let mut elems = compile(pattern);
        elems.reverse();
        matching_prefixes(&elems, value.iter().rev())
    };
    let len = if largest {
        lens.iter().rposition(|&m| m)
    } else {
        lens.iter().position(|&m| m)
    };
    match len {
        Some(n) => value
            .get(..value.len().saturating_sub(n))
            .unwrap_or_default(),
        None => value,
    }
}

#[cfg(test)]
mod tests;
