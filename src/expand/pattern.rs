//! Pattern matching notation (XCU 2.13): `*`, `?`, bracket expressions, backslash escapes.
//!
//! Patterns are bytes in which a backslash makes the next character literal (the expander
//! escapes quoted characters that way). Bracket expressions are read as dash reads them: `]`
//! first in the bracket is literal, `\` escapes inside it too, `[:class:]` names one of the
//! twelve POSIX classes (an unknown name is just characters), and a `[` that has no closing `]`
//! is a literal `[`. `[!...]` negates; `[^...]` does too in the bash language, and is a set
//! containing `^` in the posix mode, as in dash (POSIX leaves it unspecified).
//!
//! Matching is by byte, as in the C locale and as dash always does. In the bash language
//! under a UTF-8 locale ([`crate::state::locale`]), a text or pattern that holds non-ASCII
//! bytes is matched by character instead, as bash does: `?` takes `é` whole, ranges and
//! classes compare code points. Both run the same code over "units": bytes, or code points
//! (a byte that is not part of valid UTF-8 stands for itself, as a unit no character equals).
//!
//! A pattern is compiled to a list of elements that each match exactly one unit, plus `*`.
//! Whole matches use the single-backtrack-point algorithm for `*`; prefix and suffix removal
//! run the pattern as a set of states over the text. Both take time proportional to the
//! pattern length times the text length, whatever the input.

use crate::state::locale;

/// A byte, or a code point when matching by character.
pub(crate) trait Unit: Copy {
    /// Units are characters, not bytes: a class holds characters from 128 up.
    const CHARACTER: bool;
    fn code(self) -> u32;
}

impl Unit for u8 {
    const CHARACTER: bool = false;
    fn code(self) -> u32 {
        u32::from(self)
    }
}

impl Unit for u32 {
    const CHARACTER: bool = true;
    fn code(self) -> u32 {
        self
    }
}

/// The unit at `i` as a number.
fn at<U: Unit>(s: &[U], i: usize) -> Option<u32> {
    s.get(i).map(|u| u.code())
}

/// A byte of invalid UTF-8, as a unit: above every code point, so no character equals it.
const STRAY_BYTE: u32 = 0x11_0000;

/// `s` as code points, invalid bytes as [`STRAY_BYTE`] + the byte; with the byte offset of
/// each unit, and `s.len()` at the end.
pub(crate) fn decode(s: &[u8]) -> (Vec<u32>, Vec<usize>) {
    let mut units = Vec::with_capacity(s.len());
    let mut offsets = Vec::with_capacity(s.len() + 1);
    let mut i = 0;
    while i < s.len() {
        offsets.push(i);
        let (unit, len) = decode_one(&s[i..]);
        units.push(unit);
        i += len;
    }
    offsets.push(s.len());
    (units, offsets)
}

/// The first unit of non-empty `s` and its length in bytes.
fn decode_one(s: &[u8]) -> (u32, usize) {
    let first = s[0];
    let len = match first {
        0x00..=0x7f => return (u32::from(first), 1),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (STRAY_BYTE + u32::from(first), 1),
    };
    match s.get(..len).and_then(|c| std::str::from_utf8(c).ok()) {
        Some(c) => (c.chars().next().map_or(0, u32::from), len),
        None => (STRAY_BYTE + u32::from(first), 1),
    }
}

/// True when `s` should be taken by character: the bash language in a UTF-8 locale, and a
/// byte that is not ASCII.
fn by_char(parts: &[&[u8]]) -> bool {
    parts.iter().any(|p| !p.is_ascii()) && locale::chars()
}

/// One unit-matching element of a compiled pattern, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Elem {
    Star,
    Any,
    Unit(u32),
    Set(Box<UnitSet>),
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
}

/// What a bracket expression matches: units below 256 by bit, wider ones (code points) by
/// range and by class.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct UnitSet {
    low: ByteSet,
    wide: Vec<(u32, u32)>,
    wide_classes: Vec<usize>,
    negated: bool,
}

impl UnitSet {
    fn insert_range(&mut self, lo: u32, hi: u32) {
        for b in lo..=hi.min(255) {
            self.low.insert(b as u8);
        }
        if hi > 255 {
            self.wide.push((lo.max(256), hi));
        }
    }

    fn contains(&self, u: u32) -> bool {
        let found = match u8::try_from(u) {
            Ok(b) => self.low.contains(b) || (b >= 0x80 && self.in_wide_class(u)),
            Err(_) => {
                self.wide.iter().any(|&(lo, hi)| (lo..=hi).contains(&u)) || self.in_wide_class(u)
            }
        };
        found != self.negated
    }

    /// A code point (a unit from 128 up, when matching by character) in one of the classes
    /// named; classes hold no byte of a text matched by byte.
    fn in_wide_class(&self, u: u32) -> bool {
        if self.wide_classes.is_empty() {
            return false;
        }
        let Some(c) = char::from_u32(u) else {
            return false;
        };
        self.wide_classes
            .iter()
            .filter_map(|&k| CLASSES.get(k))
            .any(|class| (class.wide)(c))
    }
}

impl Elem {
    /// True if this element (not `*`) matches unit `c`.
    fn accepts(&self, c: u32) -> bool {
        match self {
            Elem::Star => false,
            Elem::Any => true,
            Elem::Unit(u) => *u == c,
            Elem::Set(set) => set.contains(c),
        }
    }
}

/// A character class: its name as written after `[`, the bytes it holds (the C locale's
/// ASCII classes) and, matching by character, which wider characters it holds.
struct Class {
    name: &'static [u8],
    ascii: fn(u8) -> bool,
    wide: fn(char) -> bool,
}

/// The character classes, by the name dash recognises after `[`. Their wider members are
/// those of a UTF-8 locale as bash sees them: `é` is alpha and lower, `€` punct.
const CLASSES: &[Class] = &[
    Class {
        name: b":alnum:]",
        ascii: |c| c.is_ascii_alphanumeric(),
        wide: char::is_alphanumeric,
    },
    Class {
        name: b":cntrl:]",
        ascii: |c| c.is_ascii_control(),
        wide: char::is_control,
    },
    Class {
        name: b":lower:]",
        ascii: |c| c.is_ascii_lowercase(),
        wide: char::is_lowercase,
    },
    Class {
        name: b":space:]",
        ascii: |c| matches!(c, b' ' | b'\t'..=b'\r'),
        wide: char::is_whitespace,
    },
    Class {
        name: b":alpha:]",
        ascii: |c| c.is_ascii_alphabetic(),
        wide: char::is_alphabetic,
    },
    Class {
        name: b":digit:]",
        ascii: |c| c.is_ascii_digit(),
        wide: |_| false,
    },
    Class {
        name: b":print:]",
        ascii: |c| matches!(c, b' '..=b'~'),
        wide: |c| !c.is_control(),
    },
    Class {
        name: b":upper:]",
        ascii: |c| c.is_ascii_uppercase(),
        wide: char::is_uppercase,
    },
    Class {
        name: b":blank:]",
        ascii: |c| c == b' ' || c == b'\t',
        wide: |c| c.is_whitespace() && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'),
    },
    Class {
        name: b":graph:]",
        ascii: |c| c.is_ascii_graphic(),
        wide: |c| !c.is_control() && !c.is_whitespace(),
    },
    Class {
        name: b":punct:]",
        ascii: |c| c.is_ascii_punctuation(),
        wide: |c| !c.is_control() && !c.is_whitespace() && !c.is_alphanumeric(),
    },
    Class {
        name: b":xdigit:]",
        ascii: |c| c.is_ascii_hexdigit(),
        wide: |_| false,
    },
    // bash's own; last, so dash's lookup can leave it out.
    Class {
        name: b":ascii:]",
        ascii: |c| c.is_ascii(),
        wide: |_| false,
    },
];

/// After a bracket's `[` at `i - 1`, bash's `[:name:]` with a name it has no class for: the
/// index after it (it matches nothing). dash reads it as characters.
fn unknown_class_end<U: Unit>(pat: &[U], i: usize) -> Option<usize> {
    if !locale::bash() || at(pat, i) != Some(u32::from(b':')) {
        return None;
    }
    let colon = (i + 1..pat.len()).find(|&j| at(pat, j) == Some(u32::from(b':')))?;
    (at(pat, colon + 1) == Some(u32::from(b']'))).then_some(colon + 2)
}

/// The class whose name starts at `i` of `pat`.
fn class_at<U: Unit>(pat: &[U], i: usize) -> Option<(usize, &'static Class)> {
    let known = if locale::bash() {
        CLASSES
    } else {
        &CLASSES[..CLASSES.len() - 1]
    };
    known.iter().enumerate().find(|(_, class)| {
        class
            .name
            .iter()
            .enumerate()
            .all(|(k, &b)| at(pat, i + k) == Some(u32::from(b)))
    })
}

/// A collating symbol `[.c.]` or an equivalence class `[=c=]` whose `.` or `=` is at `i`:
/// the character it stands for (the locales bash runs in have no multi-character collating
/// elements, and each character is its own class) and the index after it. A name longer than
/// a character is one of POSIX's names of the portable characters (`[.hyphen.]`); None for
/// the character of a name it does not know.
fn symbol_at<U: Unit>(pat: &[U], i: usize) -> Option<(Option<u32>, usize)> {
    let delim = at(pat, i).filter(|&d| d == u32::from(b'.') || d == u32::from(b'='))?;
    let end = (i + 2..pat.len())
        .find(|&j| at(pat, j) == Some(delim) && at(pat, j + 1) == Some(u32::from(b']')))?;
    let inside = &pat[i + 1..end];
    if let [one] = inside {
        return Some((Some(one.code()), end + 2));
    }
    let name: Option<Vec<u8>> = inside.iter().map(|u| u8::try_from(u.code()).ok()).collect();
    let code = name.and_then(|name| {
        PORTABLE_NAMES
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|&(_, c)| u32::from(c))
    });
    Some((code, end + 2))
}

/// POSIX's names of the portable characters that are not letters or digits written as
/// themselves (XBD 6.1), as collating symbols may name them.
const PORTABLE_NAMES: &[(&str, u8)] = &[
    ("NUL", 0),
    ("alert", 7),
    ("backspace", 8),
    ("tab", b'\t'),
    ("newline", b'\n'),
    ("vertical-tab", 11),
    ("form-feed", 12),
    ("carriage-return", b'\r'),
    ("space", b' '),
    ("exclamation-mark", b'!'),
    ("quotation-mark", b'"'),
    ("number-sign", b'#'),
    ("dollar-sign", b'$'),
    ("percent-sign", b'%'),
    ("ampersand", b'&'),
    ("apostrophe", b'\''),
    ("left-parenthesis", b'('),
    ("right-parenthesis", b')'),
    ("asterisk", b'*'),
    ("plus-sign", b'+'),
    ("comma", b','),
    ("hyphen", b'-'),
    ("hyphen-minus", b'-'),
    ("period", b'.'),
    ("full-stop", b'.'),
    ("slash", b'/'),
    ("solidus", b'/'),
    ("zero", b'0'),
    ("one", b'1'),
    ("two", b'2'),
    ("three", b'3'),
    ("four", b'4'),
    ("five", b'5'),
    ("six", b'6'),
    ("seven", b'7'),
    ("eight", b'8'),
    ("nine", b'9'),
    ("colon", b':'),
    ("semicolon", b';'),
    ("less-than-sign", b'<'),
    ("equals-sign", b'='),
    ("greater-than-sign", b'>'),
    ("question-mark", b'?'),
    ("commercial-at", b'@'),
    ("left-square-bracket", b'['),
    ("backslash", b'\\'),
    ("reverse-solidus", b'\\'),
    ("right-square-bracket", b']'),
    ("circumflex", b'^'),
    ("circumflex-accent", b'^'),
    ("underscore", b'_'),
    ("low-line", b'_'),
    ("grave-accent", b'`'),
    ("left-brace", b'{'),
    ("left-curly-bracket", b'{'),
    ("vertical-line", b'|'),
    ("right-brace", b'}'),
    ("right-curly-bracket", b'}'),
    ("tilde", b'~'),
    ("DEL", 127),
];

/// Parse the bracket expression whose `[` is just before `start`. Returns the set it matches
/// and the index after its closing `]`, or None when it is not terminated (then the `[` is
/// an ordinary character).
fn parse_bracket<U: Unit>(pat: &[U], start: usize) -> Option<(UnitSet, usize)> {
    const CLOSE: u32 = b']' as u32;
    let mut set = UnitSet::default();
    let mut i = start;
    // dash reads `[^...]` as a set holding `^`; bash as `[!...]`.
    set.negated = at(pat, i) == Some(u32::from(b'!'))
        || (at(pat, i) == Some(u32::from(b'^')) && locale::bash());
    if set.negated {
        i += 1;
    }
    let mut first = true;
    loop {
        let c = at(pat, i)?;
        if c == CLOSE && !first {
            return Some((set, i + 1));
        }
        first = false;
        i += 1;
        let lo = match c {
            0x5b /* [ */ => {
                if let Some((k, class)) = class_at(pat, i) {
                    for b in 0..=u8::MAX {
                        if (class.ascii)(b) {
                            set.low.insert(b);
                        }
                    }
                    if U::CHARACTER {
                        set.wide_classes.push(k);
                    }
                    i += class.name.len();
                    continue;
                }
                if let Some(next) = unknown_class_end(pat, i) {
                    i = next;
                    continue;
                }
                // dash reads them as characters.
                match symbol_at(pat, i).filter(|_| locale::bash()) {
                    Some((Some(u), next)) => {
                        i = next;
                        u
                    }
                    // A name no character has: the element holds nothing.
                    Some((None, next)) => {
                        i = next;
                        continue;
                    }
                    None => c,
                }
            }
            0x5c /* \ */ => {
                let e = at(pat, i)?;
                i += 1;
                e
            }
            _ => c,
        };
        if at(pat, i) == Some(u32::from(b'-')) && at(pat, i + 1) != Some(CLOSE) {
            i += 1;
            let mut hi = at(pat, i)?;
            if hi == u32::from(b'\\') {
                i += 1;
                hi = at(pat, i)?;
            }
            i += 1;
            // bash: a collating symbol ends a range too (`[[.a.]-[.z.]]`); a range to a
            // name no character has holds nothing.
            if hi == u32::from(b'[') && locale::bash() {
                if let Some((code, next)) = symbol_at(pat, i) {
                    i = next;
                    if let Some(hi) = code {
                        set.insert_range(lo, hi);
                    }
                    continue;
                }
            }
            set.insert_range(lo, hi);
        } else {
            set.insert_range(lo, lo);
        }
    }
}

/// Compile a pattern to its elements, with runs of `*` collapsed to one.
fn compile<U: Unit>(pat: &[U]) -> Vec<Elem> {
    let mut elems = Vec::with_capacity(pat.len());
    let mut i = 0;
    while let Some(c) = at(pat, i) {
        let elem = match c {
            0x2a /* * */ => {
                i += 1;
                if elems.last() == Some(&Elem::Star) {
                    continue;
                }
                Elem::Star
            }
            0x3f /* ? */ => {
                i += 1;
                Elem::Any
            }
            0x5c /* \ */ => match at(pat, i + 1) {
                Some(e) => {
                    i += 2;
                    Elem::Unit(e)
                }
                // A trailing backslash stands for itself.
                None => {
                    i += 1;
                    Elem::Unit(c)
                }
            },
            0x5b /* [ */ => match parse_bracket(pat, i + 1) {
                Some((set, next)) => {
                    i = next;
                    Elem::Set(Box::new(set))
                }
                None => {
                    i += 1;
                    Elem::Unit(c)
                }
            },
            _ => {
                i += 1;
                Elem::Unit(c)
            }
        };
        elems.push(elem);
    }
    elems
}

/// Whole-string match of compiled elements: `*` keeps a single backtrack point (the latest
/// one), which suffices because every other element matches exactly one unit.
fn match_elems<U: Unit>(elems: &[Elem], text: &[U]) -> bool {
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
                if let Some(c) = at(text, t) {
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

/// For every `n` in `0..=text.len()`, whether the first `n` units of `text` match `elems`
/// as a whole: a simulation of the pattern as a set of states.
fn matching_prefixes(elems: &[Elem], text: impl Iterator<Item = u32>) -> Vec<bool> {
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
    for c in text {
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

thread_local! {
    /// `shopt -s extglob` is on: the extended operators of bash are patterns (a per-thread
    /// switch, as the matching functions are called from everywhere without the shell; the
    /// shell is one thread).
    static EXTGLOB: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub fn set_extglob(on: bool) {
    EXTGLOB.with(|e| e.set(on));
}

pub fn extglob() -> bool {
    EXTGLOB.with(std::cell::Cell::get)
}

/// The pattern uses an extended operator that is on.
fn is_extended(pattern: &[u8]) -> bool {
    extglob() && extglob::has_ext(pattern)
}

/// True if `text` matches `pattern` as a whole.
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    if by_char(&[pattern, text]) {
        let (pattern, _) = decode(pattern);
        let (text, _) = decode(text);
        return matches_units(&pattern, &text);
    }
    matches_units(pattern, text)
}

fn matches_units<U: Unit>(pattern: &[U], text: &[U]) -> bool {
    if extglob() && extglob::has_ext(pattern) {
        return extglob::matches(pattern, text);
    }
    match_elems(&compile(pattern), text)
}

/// For an extended pattern: whether each prefix length (or, `suffix`, each suffix length)
/// of `value` matches.
fn extended_lengths<U: Unit>(value: &[U], pattern: &[U], suffix: bool) -> Vec<bool> {
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

/// How many characters bash reckons every match of `pattern` spans, or None when that
/// varies (`*`, an extended pattern). bash's `${x/pat/r}` tries only substrings of this length,
/// so where its count is wrong nothing matches: it ends a bracket expression at a `]` right
/// after `!` or `^` (`[^]]` counts 2).
pub fn bash_fixed_len(pattern: &[u8]) -> Option<usize> {
    let at = |k: usize| pattern.get(k).copied().unwrap_or(0);
    let by_char = crate::state::locale::chars();
    let mut len = 0;
    let mut p = 0;
    while p < pattern.len() {
        let c = pattern[p];
        p += 1;
        match c {
            b'*' => return None,
            b'?' | b'+' | b'!' | b'@' if at(p) == b'(' => return None,
            b'\\' if p == pattern.len() => return Some(len + 1),
            b'\\' => {
                len += 1;
                p += 1;
            }
            b'[' => {
                let mut bracket_len = 1;
                let mut in_class = false;
                // The `.` or `=` that closes an open `[.` or `[=`; 0 when none is open.
                let mut open_closer = 0u8;
                let mut c = at(p);
                p += 1;
                loop {
                    let next = at(p);
                    match c {
                        // No `]` closes it: its characters count one each.
                        0 => return Some(len + bracket_len),
                        b'\\' => {
                            bracket_len += 1;
                            if next == 0 || at(p + 1) == 0 {
                                return Some(len + bracket_len);
                            }
                            p += 1;
                        }
                        b'[' if next == b':' => {
                            p += 1;
                            bracket_len += 1;
                            in_class = true;
                        }
                        b':' if in_class && next == b']' => {
                            p += 1;
                            bracket_len += 1;
                            in_class = false;
                        }
                        b'[' if matches!(next, b'.' | b'=') => {
                            p += 1;
                            bracket_len += 1;
                            if at(p) == b']' {
                                p += 1;
                                bracket_len += 1;
                            }
                            open_closer = next;
                        }
                        b'.' | b'=' if c == open_closer && next == b']' => {
                            p += 1;
                            bracket_len += 1;
                            open_closer = 0;
                        }
                        _ => bracket_len += 1,
                    }
                    c = at(p);
                    p += 1;
                    if c == b']' {
                        break;
                    }
                }
                len += 1;
            }
            // A character's continuation bytes add nothing to its count.
            0x80..=0xbf if by_char => {}
            _ => len += 1,
        }
    }
    Some(len)
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

/// Whether each prefix (or, `suffix`, each suffix) of `value`, by length in units, matches
/// `pattern` as a whole.
fn affix_lengths<U: Unit>(value: &[U], pattern: &[U], suffix: bool) -> Vec<bool> {
    if extglob() && extglob::has_ext(pattern) {
        return extended_lengths(value, pattern, suffix);
    }
    let mut elems = compile(pattern);
    if suffix {
        // A suffix matches the pattern exactly when, read backwards, it matches the elements
        // in reverse order.
        elems.reverse();
        matching_prefixes(&elems, value.iter().rev().map(|u| u.code()))
    } else {
        matching_prefixes(&elems, value.iter().map(|u| u.code()))
    }
}

/// The length in bytes of the smallest or largest prefix (`suffix`: suffix) of `value` that
/// matches, if one does.
fn affix_len(value: &[u8], pattern: &[u8], largest: bool, suffix: bool) -> Option<usize> {
    let pick = |lens: Vec<bool>| {
        if largest {
            lens.iter().rposition(|&m| m)
        } else {
            lens.iter().position(|&m| m)
        }
    };
    if by_char(&[pattern, value]) {
        let (pattern, _) = decode(pattern);
        let (units, offsets) = decode(value);
        let n = pick(affix_lengths(&units, &pattern, suffix))?;
        let at = if suffix { units.len() - n } else { n };
        let byte = offsets.get(at).copied().unwrap_or(value.len());
        return Some(if suffix { value.len() - byte } else { byte });
    }
    pick(affix_lengths(value, pattern, suffix))
}

/// The longest match of a pattern at any place of a value, the pattern compiled and the
/// value decoded once: `${x//pat/with}` asks at every character, and a match ends where no
/// state of the pattern survives (`?` or `[ab]` after one character), so the search is
/// linear for a pattern without `*`.
pub struct LongestMatch<'a> {
    units: Units<'a>,
}

enum Units<'a> {
    /// By byte: the value and the pattern as they are; a unit's offset is its index.
    Bytes(&'a [u8], &'a [u8], Option<Vec<Elem>>),
    /// By character: the value's and the pattern's characters, and the byte offset of each
    /// of the value's (its length at the end).
    Chars(Vec<u32>, Vec<u32>, Option<Vec<Elem>>, Vec<usize>),
}

impl<'a> LongestMatch<'a> {
    pub fn new(value: &'a [u8], pattern: &'a [u8]) -> Self {
        // An extended pattern is matched whole, length by length.
        let plain = !is_extended(pattern);
        let units = if by_char(&[pattern, value]) {
            let (units, offsets) = decode(value);
            let (pat, _) = decode(pattern);
            let compiled = plain.then(|| compile(&pat));
            Units::Chars(units, pat, compiled, offsets)
        } else {
            Units::Bytes(value, pattern, plain.then(|| compile(pattern)))
        };
        LongestMatch { units }
    }

    /// The byte where the longest match that starts at byte `start` (a unit's start) ends.
    pub fn at(&self, start: usize) -> Option<usize> {
        match &self.units {
            Units::Bytes(v, p, e) => {
                let n = longest_prefix(v.get(start..)?, p, e.as_deref())?;
                Some(start + n)
            }
            Units::Chars(v, p, e, offsets) => {
                let k = offsets.binary_search(&start).ok()?;
                let n = longest_prefix(&v[k..], p, e.as_deref())?;
                offsets.get(k + n).copied()
            }
        }
    }
}

/// The length in units of the longest prefix of `value` that `pattern` (compiled: `elems`,
/// unless it is extended) matches.
fn longest_prefix<U: Unit>(value: &[U], pattern: &[U], elems: Option<&[Elem]>) -> Option<usize> {
    let lens = match elems {
        Some(elems) => matching_prefixes(elems, value.iter().map(|u| u.code())),
        None => extended_lengths(value, pattern, false),
    };
    lens.iter().rposition(|&m| m)
}

/// `${x#pattern}` (`largest` false) and `${x##pattern}` (`largest` true): `value` without
/// the smallest or largest prefix that matches; all of `value` when no prefix matches.
pub fn remove_prefix<'a>(value: &'a [u8], pattern: &[u8], largest: bool) -> &'a [u8] {
    match affix_len(value, pattern, largest, false) {
        Some(n) => value.get(n..).unwrap_or_default(),
        None => value,
    }
}

/// `${x%pattern}` (`largest` false) and `${x%%pattern}` (`largest` true): `value` without
/// the smallest or largest suffix that matches; all of `value` when no suffix matches.
pub fn remove_suffix<'a>(value: &'a [u8], pattern: &[u8], largest: bool) -> &'a [u8] {
    match affix_len(value, pattern, largest, true) {
        Some(n) => value
            .get(..value.len().saturating_sub(n))
            .unwrap_or_default(),
        None => value,
    }
}

#[cfg(test)]
mod tests;
