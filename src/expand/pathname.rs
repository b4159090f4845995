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

/// The paths matching `pat` (a pattern with backslash escapes), sorted; empty if none.
pub fn expand(pat: &[u8]) -> Vec<Vec<u8>> {
    let comps: Vec<&[u8]> = pat.split(|&c| c == b'/').collect();
    let mut out = Vec::new();
    let mut prefix = Vec::with_capacity(pat.len() + 32);
    walk(&mut prefix, &comps, &mut out);
    out.sort();
    out
}

fn walk(prefix: &mut Vec<u8>, comps: &[&[u8]], out: &mut Vec<Vec<u8>>) {
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
    let last = i + 1 == comps.len();
    let dir: &[u8] = if prefix.is_empty() { b"." } else { prefix };
    let Ok(entries) = std::fs::read_dir(OsStr::from_bytes(dir)) else {
        return;
    };
    let mut names: Vec<Vec<u8>> = Vec::new();
    if comp.first() == Some(&b'.') || comp.starts_with(b"\\.") {
        names.push(b".".to_vec());
        names.push(b"..".to_vec());
    }
    for entry in entries.flatten() {
        names.push(entry.file_name().as_bytes().to_vec());
    }
    let base = prefix.len();
    for name in names {
        if !pattern::matches_path_component(comp, &name) {
            continue;
        }
        prefix.truncate(base);
        prefix.extend_from_slice(&name);
        if last {
            out.push(prefix.clone());
        } else {
            prefix.push(b'/');
            walk(prefix, &comps[i + 1..], out);
        }
    }
    prefix.truncate(base);
}
