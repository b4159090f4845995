//! `hash`: the paths that PATH searches found, kept so that a name runs again without a
//! search; listed, emptied (`-r`) or filled here. bash's form adds `-p` (remember a path),
//! `-d` (forget names), `-t` (print their paths) and `-l` (list as commands).

use super::util::{add_line, out, OptionLetters};
use crate::exec::{spawn, Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use std::os::unix::ffi::OsStrExt;

/// `hash [-r] [name...]`; in bash mode `hash [-lr] [-p pathname] [-dt] [name ...]`.
pub fn hash(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    if sh.options.bash() {
        return bash_hash(sh, args, cx);
    }
    // dash's one option, `-r` (also `-rr`, `-r -r`); any other letter is refused.
    let mut opts = super::getopts::NextOpt::new(&args[1..]);
    loop {
        match opts.next(b"r") {
            Ok(Some(_)) => sh.hash.clear(),
            Ok(None) => break,
            Err(m) => {
                return ShellError::builtin("hash", ErrorKind::Message(m))
                    .fails()
                    .raise()
            }
        }
    }
    let operands = opts.rest();
    if args.len() == 1 {
        let mut text = Vec::new();
        for (_, path, _) in sh.hash.sorted() {
            text.extend_from_slice(path);
            text.push(b'\n');
        }
        out(&text);
        return Ok(0);
    }
    remember(sh, operands)
}

/// Search PATH for each name and remember where it is; an error for those not found.
fn remember(sh: &mut Shell, names: &[Vec<u8>]) -> ExecResult {
    let mut not_found = None;
    for name in names {
        if super::lookup(name, sh.options.bash()).is_some()
            || sh.functions.contains_key(name.as_slice())
        {
            continue;
        }
        sh.hash.remove(name);
        match spawn::find_in_path(sh, name) {
            // Remembered, not yet used.
            Some(path) => sh.hash.insert(name, path, 0),
            None => not_found = Some(add_line(not_found, "hash", not_found_kind(name))),
        }
    }
    match not_found {
        Some(e) => e.with_status(1).fails().raise(),
        None => Ok(0),
    }
}

fn not_found_kind(name: &[u8]) -> ErrorKind {
    ErrorKind::NotFound(name.to_vec())
}

#[derive(Default)]
struct Request {
    clear: bool,
    path: Option<Vec<u8>>,
    forget: bool,
    print: bool,
    reusable: bool,
}

fn bash_hash(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.no_hashall {
        return ShellError::builtin("hash", ErrorKind::text("hashing disabled"))
            .with_status(1)
            .fails()
            .raise();
    }
    let mut r = Request::default();
    let mut letters = OptionLetters::new(args);
    while let Some(c) = letters.next_letter() {
        match c {
            b'r' => r.clear = true,
            b'd' => r.forget = true,
            b't' => r.print = true,
            b'l' => r.reusable = true,
            b'p' => match letters.value() {
                Some(p) => r.path = Some(p),
                None => return usage("-p: option requires an argument"),
            },
            c => return usage(&format!("-{}: invalid option", c as char)),
        }
    }
    let names = &args[letters.operands()..];
    if (r.forget || r.print) && names.is_empty() {
        let flag = if r.forget { 'd' } else { 't' };
        let m = format!("-{flag}: option requires an argument");
        return ShellError::builtin("hash", ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    if r.clear {
        sh.hash.clear();
    }
    if let Some(path) = r.path {
        // bash refuses a directory for each name, and passes over a name with a slash.
        let is_dir =
            std::fs::metadata(std::ffi::OsStr::from_bytes(&path)).is_ok_and(|m| m.is_dir());
        let mut status = 0;
        for name in names.iter().filter(|n| !n.contains(&b'/')) {
            if is_dir {
                let m = format!("{}: Is a directory", String::from_utf8_lossy(&path));
                sh.report(&ShellError::builtin("hash", ErrorKind::text(m)).fails());
                status = 1;
            } else {
                sh.hash.insert(name, path.clone(), 0);
            }
        }
        return Ok(status);
    }
    if r.forget || r.print {
        return forget_or_print(sh, names, &r);
    }
    if names.is_empty() {
        if !r.clear {
            list(sh, r.reusable);
        }
        return Ok(0);
    }
    remember(sh, names)
}

/// `-d` forgets the names; `-t` prints their paths (`name<TAB>path` for more than one, a
/// command with `-l`).
fn forget_or_print(sh: &mut Shell, names: &[Vec<u8>], r: &Request) -> ExecResult {
    let mut not_found = None;
    let mut text = Vec::new();
    for name in names {
        let found = if r.forget {
            // bash forgets a name without a word while it has remembered none ever.
            sh.hash.remove(name) || (sh.options.bash() && !sh.hash.was_used())
        } else if let Some(path) = sh.hash.hit(name) {
            // bash counts a look with `-t` as a use.
            if r.reusable {
                reusable_line(&mut text, name, path);
            } else {
                if names.len() > 1 {
                    text.extend_from_slice(name);
                    text.push(b'\t');
                }
                text.extend_from_slice(path);
                text.push(b'\n');
            }
            true
        } else {
            false
        };
        if !found {
            not_found = Some(add_line(not_found, "hash", not_found_kind(name)));
        }
    }
    out(&text);
    match not_found {
        Some(e) => e.with_status(1).fails().raise(),
        None => Ok(0),
    }
}

/// The table, as bash lists it: hits and path, or (`-l`) the commands that rebuild it.
fn list(sh: &Shell, reusable: bool) {
    let entries = sh.hash.sorted();
    if entries.is_empty() {
        // `hash -l` of an empty table prints nothing (bash).
        if !reusable {
            out(b"hash: hash table empty\n");
        }
        return;
    }
    let mut text = Vec::new();
    if !reusable {
        text.extend_from_slice(b"hits\tcommand\n");
    }
    for (name, path, hits) in entries {
        if reusable {
            reusable_line(&mut text, name, path);
        } else {
            text.extend_from_slice(format!("{hits:4}\t").as_bytes());
            text.extend_from_slice(path);
            text.push(b'\n');
        }
    }
    out(&text);
}

/// `builtin hash -p PATH NAME`, as bash writes it (unquoted).
fn reusable_line(text: &mut Vec<u8>, name: &[u8], path: &[u8]) {
    text.extend_from_slice(b"builtin hash -p ");
    text.extend_from_slice(path);
    text.push(b' ');
    text.extend_from_slice(name);
    text.push(b'\n');
}

fn usage(message: &str) -> ExecResult {
    let m = format!("{message}\nhash: usage: hash [-lr] [-p pathname] [-dt] [name ...]");
    ShellError::builtin("hash", ErrorKind::text(m))
        .with_status(2)
        .fails()
        .raise()
}
