//! `cd`, with dash's logical (`-L`, default) and physical (`-P`) views of the path.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::util::out;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// Lexically clean an absolute path: drop `.` and empty components, let `..` remove the one
/// before it.
fn canonical(path: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for comp in path.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    // POSIX leaves a leading `//` to the implementation; dash keeps it.
    if path.starts_with(b"//") && !path.starts_with(b"///") {
        out.push(b'/');
    }
    for p in &parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if parts.is_empty() {
        out.push(b'/');
    }
    out
}

fn chdir(path: &[u8]) -> bool {
    std::env::set_current_dir(OsStr::from_bytes(path)).is_ok()
}

pub(super) fn physical_cwd() -> Option<Vec<u8>> {
    std::env::current_dir()
        .ok()
        .map(|p| p.as_os_str().as_bytes().to_vec())
}

/// Try to enter `dir`; on success return the new logical (or physical) path.
fn enter(sh: &Shell, dir: &[u8], physical: bool) -> Option<Vec<u8>> {
    if physical {
        return if chdir(dir) { physical_cwd() } else { None };
    }
    let full = if dir.first() == Some(&b'/') {
        dir.to_vec()
    } else {
        // From `/` (or `//`), `usr` is `/usr`: a second slash would read as `//`, which
        // POSIX lets mean something else.
        let mut f = sh.cwd.clone();
        if !f.ends_with(b"/") {
            f.push(b'/');
        }
        f.extend_from_slice(dir);
        f
    };
    // bash refuses `missing/..` rather than cancelling the name it cannot find.
    if sh.options.bash() && !dirs_before_dotdot_exist(&full) {
        return None;
    }
    let logical = canonical(&full);
    if chdir(&logical) {
        return Some(logical);
    }
    // The logical path may not exist when `..` crosses a symlink: try the path as written.
    if chdir(dir) {
        return physical_cwd();
    }
    None
}

/// Each directory a `..` of `path` (absolute) steps out of exists (the failed look-up leaves
/// its errno for the message).
fn dirs_before_dotdot_exist(path: &[u8]) -> bool {
    let mut so_far: Vec<u8> = Vec::with_capacity(path.len());
    for comp in path.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                let here: &[u8] = if so_far.is_empty() { b"/" } else { &so_far };
                if !std::fs::metadata(OsStr::from_bytes(here)).is_ok_and(|m| m.is_dir()) {
                    return false;
                }
                let cut = so_far.iter().rposition(|&b| b == b'/').unwrap_or(0);
                so_far.truncate(cut);
            }
            c => {
                so_far.push(b'/');
                so_far.extend_from_slice(c);
            }
        }
    }
    true
}

/// An option word of `cd` or `pwd` made of `L`, `P` and the letters of `also` (`-P`, `-LP`,
/// `-Pe`): the view it leaves, the last of `L` and `P` winning, or None if the word is
/// something else.
pub(super) fn view_option(word: &[u8], physical: bool, also: &[u8]) -> Option<bool> {
    let letters = word.strip_prefix(b"-").filter(|l| !l.is_empty())?;
    letters.iter().try_fold(physical, |view, c| match c {
        b'P' => Some(true),
        b'L' => Some(false),
        c if also.contains(c) => Some(view),
        _ => None,
    })
}

/// `cd [-L|-P] [dir|-]`; in bash's language also `-e`, which needs nothing more here: with
/// `-P`, a directory whose path cannot be found after entering it already fails `cd`.
pub fn cd(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    change_directory(sh, args, "cd")
}

/// `cd`, or bash's `pushd DIR`, which goes where `cd` would and says so under its own name.
pub fn change_directory(sh: &mut Shell, args: &[Vec<u8>], name: &'static str) -> ExecResult {
    let mut physical = sh.options.physical;
    let also: &[u8] = if sh.options.bash() { b"e" } else { b"" };
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if let Some(p) = view_option(a, physical, also) {
            physical = p;
            i += 1;
            continue;
        }
        if a == b"--" {
            i += 1;
        }
        break;
    }
    if sh.options.bash() && args.len() > i + 1 {
        // dash ignores what follows the directory; bash refuses it.
        return ShellError::builtin(name, ErrorKind::text(b"too many arguments".to_vec()))
            .fails()
            .raise();
    }
    let mut print = false;
    let target: Vec<u8> = match args.get(i).map(|a| a.as_slice()) {
        // dash: with HOME unset or empty, `cd` does nothing and succeeds; bash fails when
        // it is unset.
        None => match sh.get_var(b"HOME") {
            Some(h) if !h.is_empty() => h.to_vec(),
            None if sh.options.bash() => {
                return ShellError::builtin(name, ErrorKind::text(b"HOME not set".to_vec()))
                    .fails()
                    .raise();
            }
            _ => return Ok(0),
        },
        // dash: with OLDPWD unset, `cd -` stays (and prints where); bash fails.
        Some(b"-") => {
            print = true;
            match sh.get_var(b"OLDPWD") {
                Some(o) if !o.is_empty() => o.to_vec(),
                // bash goes to the empty name, which leaves it where it is, and shows it.
                Some(_) if sh.options.bash() => {
                    out(b"\n");
                    return Ok(0);
                }
                None if sh.options.bash() => {
                    return ShellError::builtin(name, ErrorKind::text(b"OLDPWD not set".to_vec()))
                        .fails()
                        .raise();
                }
                _ => sh.cwd.clone(),
            }
        }
        Some(d) => d.to_vec(),
    };

    let mut new = None;
    let relative_search = !target.starts_with(b"/")
        && !target.starts_with(b"./")
        && !target.starts_with(b"../")
        && target != b"."
        && target != b"..";
    if relative_search {
        if let Some(cdpath) = sh.get_var(b"CDPATH").map(|c| c.to_vec()) {
            for entry in cdpath.split(|&b| b == b':') {
                let mut candidate = entry.to_vec();
                if !candidate.is_empty() && !candidate.ends_with(b"/") {
                    candidate.push(b'/');
                }
                candidate.extend_from_slice(&target);
                let is_dir = std::fs::metadata(OsStr::from_bytes(if candidate.is_empty() {
                    b"."
                } else {
                    &candidate
                }))
                .map(|m| m.is_dir())
                .unwrap_or(false);
                if is_dir {
                    if let Some(p) = enter(sh, &candidate, physical) {
                        print |= !entry.is_empty();
                        new = Some(p);
                        break;
                    }
                }
            }
        }
    }
    let mut new = new.or_else(|| enter(sh, &target, physical));
    // bash's `shopt -s cdable_vars`: a name that is no directory may be a variable holding one.
    if new.is_none() && sh.options.bash() && sh.options.shopt.on(crate::state::shopt::CDABLE_VARS) {
        let value = crate::syntax::lexer::is_name(&target)
            .then(|| sh.get_var(&target).map(<[u8]>::to_vec))
            .flatten();
        if let Some(mut dir) = value.filter(|d| !d.is_empty()) {
            new = enter(sh, &dir, physical);
            if new.is_some() && !print {
                // bash shows the value, as it is.
                dir.push(b'\n');
                out(&dir);
            }
        }
    }
    let new = match new {
        Some(p) => p,
        None => {
            // dash: `cd: can't cd to DIR`; bash: `cd: DIR: REASON` (the last chdir's errno),
            // status 1 (see `ShellError::in_bash_mode`).
            let mut msg = Vec::new();
            if sh.options.bash() {
                let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                msg.extend_from_slice(&target);
                msg.extend_from_slice(b": ");
                msg.extend_from_slice(crate::sys::errno::text(errno).as_bytes());
            } else {
                msg.extend_from_slice(b"can't cd to ");
                msg.extend_from_slice(&target);
            }
            return ShellError::builtin(name, ErrorKind::Message(msg))
                .fails()
                .raise();
        }
    };
    let old = std::mem::replace(&mut sh.cwd, new.clone());
    // A read-only OLDPWD or PWD fails `cd` after the move: bash says so for each and goes
    // on (status 1); dash stops at the first (status 2).
    let mut status = 0;
    for (var, value) in [(&b"OLDPWD"[..], old), (b"PWD", new.clone())] {
        if let Err(e) = sh.set_var(var, value) {
            if !sh.options.bash() {
                return ShellError::builtin(name, ErrorKind::Variable(e))
                    .fails()
                    .raise();
            }
            sh.report(&ShellError::new(ErrorKind::Variable(e)));
            status = 1;
        }
    }
    if print {
        let mut line = new;
        line.push(b'\n');
        out(&line);
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_paths() {
        assert_eq!(canonical(b"/a/./b/../c"), b"/a/c");
        assert_eq!(canonical(b"/.."), b"/");
        assert_eq!(canonical(b"//x//y/"), b"//x/y");
        assert_eq!(canonical(b"///x"), b"/x");
        assert_eq!(canonical(b"//"), b"//");
    }
}
