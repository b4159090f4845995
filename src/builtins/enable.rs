//! `enable [-n] [-a] [-p] [-s] [NAME...]` (bash): list the built-ins, or turn some off (`-n`),
//! so that the name finds a function or a program instead, and on again.

use super::util::out;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

pub(super) const USAGE: &str = "enable [-a] [-dnps] [-f filename] [name ...]";

pub fn enable(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let (mut off, mut every, mut special_only) = (false, false, false);
    let mut names = Vec::new();
    let mut args = args[1..].iter();
    while let Some(a) = args.next() {
        match a.as_slice() {
            // `-f FILE`: no code is loaded into an audited shell; bash's words when the file
            // cannot be opened, which is what a script sees most.
            [b'-', flags @ ..] if flags.contains(&b'f') && names.is_empty() => {
                let Some(file) = args.next() else {
                    let m = "-f: option requires an argument";
                    return super::util::usage_error("enable", m, USAGE).raise();
                };
                let file = String::from_utf8_lossy(file);
                let why = match std::fs::File::open(&*file) {
                    Err(e) => {
                        let errno = e.raw_os_error().unwrap_or(crate::sys::errno::ENOENT);
                        let text = crate::sys::errno::text(errno);
                        format!("{file}: cannot open shared object file: {text}")
                    }
                    Ok(_) => "loadable built-ins are off in an audited shell".to_string(),
                };
                let m = format!("cannot open shared object {file}: {why}");
                return ShellError::builtin("enable", ErrorKind::text(m))
                    .with_status(1)
                    .fails()
                    .raise();
            }
            [b'-', flags @ ..] if !flags.is_empty() && names.is_empty() => {
                for &f in flags {
                    match f {
                        b'n' => off = true,
                        b'a' => every = true,
                        b's' => special_only = true,
                        b'p' => {}
                        _ => {
                            let message = format!("-{}: invalid option", f as char);
                            return ShellError::builtin("enable", ErrorKind::text(message))
                                .fails()
                                .with_status(2)
                                .raise();
                        }
                    }
                }
            }
            _ => names.push(a.clone()),
        }
    }
    let bash = sh.options.bash();
    if names.is_empty() {
        let mut all: Vec<&super::Builtin> = super::of_language(bash)
            .filter(|b| !special_only || is_special(b, bash))
            .collect();
        all.sort_by_key(|b| b.name);
        let mut text = Vec::new();
        for b in all {
            let disabled = sh.disabled_builtins.contains(b.name.as_bytes());
            if !every && disabled != off {
                continue;
            }
            text.extend_from_slice(if disabled { b"enable -n " } else { b"enable " });
            text.extend_from_slice(b.name.as_bytes());
            text.push(b'\n');
        }
        out(&text);
        return Ok(0);
    }
    let mut status = 0;
    for name in names {
        if super::lookup(&name, bash).is_none() {
            let message = format!("{}: not a shell builtin", String::from_utf8_lossy(&name));
            sh.report(&ShellError::builtin("enable", ErrorKind::text(message)).fails());
            status = 1;
        } else if off {
            sh.disabled_builtins.insert(name);
        } else {
            sh.disabled_builtins.remove(&name);
        }
    }
    Ok(status)
}

/// The special built-ins as bash lists them: `source` is one (it is `.`), `local` is not.
fn is_special(b: &super::Builtin, bash: bool) -> bool {
    match (bash, b.name) {
        (true, "source") => true,
        (true, "local") => false,
        _ => b.special,
    }
}
