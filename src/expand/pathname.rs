//! Pathname expansion (XCU 2.6.6, 2.13.3), as dash does it.
//!
//! The pattern is matched one `/`-separated component at a time. A component without an
//! unescaped `*`, `?` or `[...]` is taken as it is (its escapes removed); the other components
//! are matched against the entries of the directory reached so far (`.` and `..` included,
//! which only a component starting with `.` can match). A full path is kept only if it exists
//! (`lstat`, so dangling symbolic links count). `*/` matches directories only, since `name/`
//! exists only for those. Unreadable directories are skipped. The matches of one field are
//! sorted in byte order.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::pattern;

/// bash's options of pathname expansion (`shopt`); all off in posix mode.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `*` and `?` match a leading `.` (never `.` and `..` themselves).
    pub dotglob: bool,
    /// Letters match either case.
    pub nocaseglob: bool,
    /// `**` alone in a component matches any number of directories.
    pub globstar: bool,
    /// A pattern that matches nothing expands to nothing.
    pub nullglob: bool,
    /// A pattern that matches nothing is an error.
    pub failglob: bool,
    /// `.` and `..` are never matched, not even by `.*` (bash's `globskipdots`, on by default).
    pub skip_dots: bool,
}

impl Options {
    pub fn of(sh: &crate::state::Shell) -> Options {
        if sh.options.posix {
            return Options::default();
        }
        let s = &sh.options.shopt;
        Options {
            dotglob: s.on(crate::state::shopt::DOTGLOB),
            nocaseglob: s.on(crate::state::shopt::NOCASEGLOB),
            globstar: s.on(crate::state::shopt::GLOBSTAR),
            nullglob: s.on(crate::state::shopt::NULLGLOB),
            failglob: s.on(crate::state::shopt::FAILGLOB),
            skip_dots: s.on(crate::state::shopt::GLOBSKIPDOTS),
        }
    }
}

/// The paths matching `pat` (a pattern with backslash escapes), sorted; empty if none.
pub fn expand(pat: &[u8], opts: Options) -> Vec<Vec<u8>> {
    let comps: Vec<&[u8]> = pat.split(|&c| c == b'/').collect();
    let mut out = Vec::new();
    let mut prefix = Vec::with_capacity(pat.len() + 32);
    walk(&mut prefix, &comps, &mut out, opts);
    out.sort();
    out.dedup();
    out
}

/// Drop from `found` the paths a `GLOBIGNORE` pattern matches and those ending in `.` or
/// `..`. The patterns are separated by colons outside bracket expressions (`[[:alnum:]]*`),
/// and are matched as paths are: component by component, `*` never taking a `/`.
pub fn drop_ignored(found: &mut Vec<Vec<u8>>, globignore: &[u8]) {
    let mut patterns = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < globignore.len() {
        match globignore[i] {
            b'\\' => i += 1,
            b'[' => i = bracket_end(globignore, i).unwrap_or(i),
            b':' => {
                patterns.push(&globignore[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    patterns.push(globignore.get(start..).unwrap_or_default());
    let matches_path = |pat: &[u8], path: &[u8]| {
        let pat: Vec<&[u8]> = pat.split(|&c| c == b'/').collect();
        let path: Vec<&[u8]> = path.split(|&c| c == b'/').collect();
        pat.len() == path.len() && pat.iter().zip(&path).all(|(p, n)| pattern::matches(p, n))
    };
    found.retain(|path| {
        let last = path.rsplit(|&c| c == b'/').next().unwrap_or(path);
        last != b"."
            && last != b".."
            && !patterns
                .iter()
                .any(|p| !p.is_empty() && matches_path(p, path))
    });
}

/// The index of the `]` closing the bracket expression opened at `open`, if it is closed.
fn bracket_end(text: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if matches!(text.get(i), Some(b'!' | b'^')) {
        i += 1;
    }
    if text.get(i) == Some(&b']') {
        i += 1;
    }
    while let Some(&c) = text.get(i) {
        match c {
            b']' => return Some(i),
            b'[' if text.get(i + 1) == Some(&b':') => {
                let close = text[i + 2..].windows(2).position(|w| w == b":]")?;
                i += close + 4;
            }
            _ => i += 1,
        }
    }
    None
}

/// The names in `dir` that a component can match: every entry, `.` and `..` only for a
/// pattern that starts with a dot (and never under `globskipdots`).
fn entries(dir: &[u8], comp: &[u8], skip_dots: bool) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(OsStr::from_bytes(dir)) else {
        return Vec::new();
    };
    let mut names: Vec<Vec<u8>> = Vec::new();
    if !skip_dots && (comp.first() == Some(&b'.') || comp.starts_with(b"\\.")) {
        names.push(b".".to_vec());
        names.push(b"..".to_vec());
    }
    for entry in entries.flatten() {
        names.push(entry.file_name().as_bytes().to_vec());
    }
    names
}

fn component_matches(comp: &[u8], name: &[u8], opts: Options) -> bool {
    if opts.dotglob && name.first() == Some(&b'.') && name != b"." && name != b".." {
        let (comp, name) = if opts.nocaseglob {
            (comp.to_ascii_lowercase(), name.to_ascii_lowercase())
        } else {
            (comp.to_vec(), name.to_vec())
        };
        return pattern::matches(&comp, &name);
    }
    if opts.nocaseglob {
        return pattern::matches_path_component(
            &comp.to_ascii_lowercase(),
            &name.to_ascii_lowercase(),
        );
    }
    pattern::matches_path_component(comp, name)
}

/// `**` under globstar: `prefix` itself and every directory below it (not following
/// symbolic links, skipping hidden ones unless dotglob), each then matched against the
/// rest of the pattern.
fn walk_globstar(prefix: &mut Vec<u8>, rest: &[&[u8]], out: &mut Vec<Vec<u8>>, opts: Options) {
    let base = prefix.len();
    if rest.is_empty() {
        // `**` last: the directory itself, then every file and directory below.
        if !prefix.is_empty() {
            out.push(prefix.clone());
        }
        let mut all = Vec::new();
        collect_tree(prefix, &mut all, opts);
        out.extend(all);
        return;
    }
    walk(prefix, rest, out, opts);
    let Some(entries) = read_dir_at(prefix) else {
        return;
    };
    let mut names: Vec<Vec<u8>> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().as_bytes().to_vec())
        .filter(|n| opts.dotglob || n.first() != Some(&b'.'))
        .collect();
    names.sort();
    for name in names {
        prefix.truncate(base);
        prefix.extend_from_slice(&name);
        prefix.push(b'/');
        walk_globstar(prefix, rest, out, opts);
    }
    prefix.truncate(base);
}

/// The entries of the directory a path prefix names (`.` for an empty one); None when it
/// cannot be read.
fn read_dir_at(prefix: &[u8]) -> Option<std::fs::ReadDir> {
    let dir: &[u8] = if prefix.is_empty() { b"." } else { prefix };
    std::fs::read_dir(OsStr::from_bytes(dir)).ok()
}

fn collect_tree(prefix: &mut Vec<u8>, out: &mut Vec<Vec<u8>>, opts: Options) {
    let base = prefix.len();
    let Some(entries) = read_dir_at(prefix) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().as_bytes().to_vec();
        if !opts.dotglob && name.first() == Some(&b'.') {
            continue;
        }
        prefix.truncate(base);
        prefix.extend_from_slice(&name);
        out.push(prefix.clone());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            prefix.push(b'/');
            collect_tree(prefix, out, opts);
        }
    }
    prefix.truncate(base);
}

/// Add to `out` the paths under `prefix` that `comps` match; `prefix` is left as it was.
fn walk(prefix: &mut Vec<u8>, comps: &[&[u8]], out: &mut Vec<Vec<u8>>, opts: Options) {
    let start = prefix.len();
    walk_from(prefix, comps, out, opts);
    prefix.truncate(start);
}

fn walk_from(prefix: &mut Vec<u8>, comps: &[&[u8]], out: &mut Vec<Vec<u8>>, opts: Options) {
    let mut i = 0;
    // Copy the components that are not patterns.
    while i < comps.len() && !pattern::has_unescaped_glob(comps[i]) {
        prefix.extend_from_slice(&pattern::unescape(comps[i]));
        i += 1;
        if i < comps.len() {
            prefix.push(b'/');
        }
    }
    if i == comps.len() {
        if std::fs::symlink_metadata(OsStr::from_bytes(prefix)).is_ok() {
            out.push(prefix.clone());
        }
        return;
    }
    let comp = comps[i];
    if opts.globstar && comp == b"**" {
        // `**/**` is `**`, as in bash (each would otherwise walk the tree again).
        let rest = comps[i + 1..]
            .iter()
            .position(|c| *c != b"**")
            .map_or(comps.len(), |n| i + 1 + n);
        let start = out.len();
        walk_globstar(prefix, &comps[rest..], out, opts);
        if rest == comps.len() && rest > i + 1 {
            // bash: `a/**/**` gives `a` where `a/**` gives `a/`.
            if let Some(first) = out.get_mut(start).filter(|p| p.len() > 1) {
                if first.ends_with(b"/") {
                    first.pop();
                }
            }
        }
        return;
    }
    let last = i + 1 == comps.len();
    let dir: &[u8] = if prefix.is_empty() { b"." } else { prefix };
    let names = entries(dir, comp, opts.skip_dots);
    let base = prefix.len();
    for name in names {
        if !component_matches(comp, &name, opts) {
            continue;
        }
        prefix.truncate(base);
        prefix.extend_from_slice(&name);
        if last {
            out.push(prefix.clone());
        } else {
            prefix.push(b'/');
            walk(prefix, &comps[i + 1..], out, opts);
        }
    }
    prefix.truncate(base);
}
