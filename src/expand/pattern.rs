//! Pattern matching notation (XCU 2.13): `*`, `?`, bracket expressions, backslash escapes.

/// True if `text` matches `pattern` as a whole.
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    pattern == text
}

// Interface stubs: simple implementations of the functions word expansion calls, to be replaced
// by the full matcher.

/// Like [`matches`], but a leading `.` of `name` must be matched by a literal `.` in `pattern`.
pub fn matches_path_component(pattern: &[u8], name: &[u8]) -> bool {
    if name.first() == Some(&b'.') {
        let explicit = pattern.first() == Some(&b'.') || pattern.starts_with(b"\\.");
        if !explicit {
            return false;
        }
    }
    simple_match(pattern, name)
}

/// True if `pattern` has a `*`, `?` or `[` not escaped by a backslash.
pub fn has_unescaped_glob(pattern: &[u8]) -> bool {
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 1,
            b'*' | b'?' => return true,
            b'[' if bracket_end(pattern, i).is_some() => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// The pattern with its backslash escapes removed.
pub fn unescape(pattern: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut i = 0;
    while i < pattern.len() {
        if pattern[i] == b'\\' && i + 1 < pattern.len() {
            i += 1;
        }
        out.push(pattern[i]);
        i += 1;
    }
    out
}

/// `${x#pat}` (`largest`: `${x##pat}`): `value` without the prefix `pattern` matches.
pub fn remove_prefix<'a>(value: &'a [u8], pattern: &[u8], largest: bool) -> &'a [u8] {
    let mut lens: Box<dyn Iterator<Item = usize>> = if largest {
        Box::new((0..=value.len()).rev())
    } else {
        Box::new(0..=value.len())
    };
    match lens.find(|&n| simple_match(pattern, &value[..n])) {
        Some(n) => &value[n..],
        None => value,
    }
}

/// `${x%pat}` (`largest`: `${x%%pat}`): `value` without the suffix `pattern` matches.
pub fn remove_suffix<'a>(value: &'a [u8], pattern: &[u8], largest: bool) -> &'a [u8] {
    let mut starts: Box<dyn Iterator<Item = usize>> = if largest {
        Box::new(0..=value.len())
    } else {
        Box::new((0..=value.len()).rev())
    };
    match starts.find(|&n| simple_match(pattern, &value[n..])) {
        Some(n) => &value[..n],
        None => value,
    }
}

/// The index of the `]` closing the bracket expression that starts at `pattern[open]`.
fn bracket_end(pattern: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if matches!(pattern.get(i), Some(b'!') | Some(b'^')) {
        i += 1;
    }
    if pattern.get(i) == Some(&b']') {
        i += 1;
    }
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 1,
            b']' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn bracket_matches(set: &[u8], c: u8) -> bool {
    let (negate, set) = match set.first() {
        Some(b'!') | Some(b'^') => (true, &set[1..]),
        _ => (false, set),
    };
    let mut items = Vec::new();
    let mut i = 0;
    while i < set.len() {
        if set[i] == b'\\' && i + 1 < set.len() {
            i += 1;
        }
        items.push(set[i]);
        i += 1;
    }
    let mut found = false;
    let mut j = 0;
    while j < items.len() {
        if j + 2 < items.len() && items[j + 1] == b'-' {
            if items[j] <= c && c <= items[j + 2] {
                found = true;
            }
            j += 3;
        } else {
            if items[j] == c {
                found = true;
            }
            j += 1;
        }
    }
    found != negate
}

fn simple_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' if t < text.len() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' if t < text.len() => {
                    if let Some(end) = bracket_end(pattern, p) {
                        if bracket_matches(&pattern[p + 1..end], text[t]) {
                            p = end + 1;
                            t += 1;
                            continue;
                        }
                    } else if text[t] == b'[' {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    let escaped_match = t < text.len() && pattern[p + 1] == text[t];
                    if escaped_match {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c if c != b'?' && c != b'[' => {
                    let literal_match = t < text.len() && c == text[t];
                    if literal_match {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                _ => {}
            }
        } else if t == text.len() {
            return true;
        }
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}
