//! `command`: running a name while bypassing functions, or saying what it is (`-v`, `-V`);
//! and how a name resolves (alias, keyword, function, built-in, program), which `type` says too.

use super::util::{out, quote_for_reuse};
use crate::exec::simple::{run_fields, Lookup};
use crate::exec::{spawn, Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// What a name resolves to.
pub enum Kind {
    Alias(Vec<u8>),
    Keyword,
    Function,
    SpecialBuiltin,
    Builtin,
    Tracked(Vec<u8>),
    Program(Vec<u8>),
    NotFound,
}

/// A file bash would name for a path (`type ./x`, `command -v ./x`): a regular file someone
/// may execute.
pub(super) fn runnable(path: &[u8]) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(crate::state::os(path))
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

pub fn resolve(sh: &mut Shell, name: &[u8], with_aliases: bool, default_path: bool) -> Kind {
    if with_aliases {
        if let Some(v) = sh.aliases.get(name) {
            return Kind::Alias(v.clone());
        }
    }
    let keyword = match sh.options.bash() {
        true => crate::syntax::parser::is_bash_keyword(name),
        false => crate::syntax::parser::is_reserved_word(name),
    };
    if keyword {
        return Kind::Keyword;
    }
    if sh.functions.contains_key(name) {
        return Kind::Function;
    }
    if let Some(b) = super::lookup(name, sh.options.bash()) {
        return if b.special {
            Kind::SpecialBuiltin
        } else {
            Kind::Builtin
        };
    }
    if default_path {
        return match spawn::find_in_default_path(sh, name) {
            Some(p) => Kind::Program(p),
            None => Kind::NotFound,
        };
    }
    if !name.contains(&b'/') {
        if let Some(p) = sh.hash.get(name) {
            return Kind::Tracked(p.to_vec());
        }
    }
    match spawn::find_in_path(sh, name) {
        Some(p) if name.contains(&b'/') => {
            let found = if sh.options.bash() {
                runnable(&p)
            } else {
                std::fs::metadata(crate::state::os(&p)).is_ok()
            };
            if found {
                Kind::Program(p)
            } else {
                Kind::NotFound
            }
        }
        Some(p) => Kind::Program(p),
        None => Kind::NotFound,
    }
}

/// `type`/`command -V` wording; returns (line, found).
pub(super) fn describe(sh: &mut Shell, name: &[u8], default_path: bool) -> (Vec<u8>, bool) {
    let mut line = name.to_vec();
    let found = match resolve(sh, name, true, default_path) {
        Kind::Alias(v) => {
            line.extend_from_slice(b" is an alias for ");
            line.extend_from_slice(&v);
            true
        }
        Kind::Keyword => {
            line.extend_from_slice(b" is a shell keyword");
            true
        }
        Kind::Function => {
            line.extend_from_slice(b" is a shell function");
            true
        }
        Kind::SpecialBuiltin => {
            line.extend_from_slice(b" is a special shell builtin");
            true
        }
        Kind::Builtin => {
            line.extend_from_slice(b" is a shell builtin");
            true
        }
        Kind::Tracked(p) => {
            line.extend_from_slice(b" is a tracked alias for ");
            line.extend_from_slice(&p);
            true
        }
        Kind::Program(p) => {
            line.extend_from_slice(b" is ");
            line.extend_from_slice(&p);
            true
        }
        Kind::NotFound => {
            line.extend_from_slice(b": not found");
            false
        }
    };
    line.push(b'\n');
    (line, found)
}

/// `command [-p] [-v|-V] name [arg...]`
pub fn command(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    let mut default_path = false;
    let mut verbose = None;
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if a == b"--" {
            i += 1;
            break;
        }
        if a.len() < 2 || a[0] != b'-' {
            break;
        }
        for &c in &a[1..] {
            match c {
                b'p' => default_path = true,
                b'v' => verbose = Some(false),
                b'V' => verbose = Some(true),
                _ => {
                    let message = format!("Illegal option -{}", c as char);
                    return ShellError::builtin("command", ErrorKind::text(message))
                        .fails()
                        .raise();
                }
            }
        }
        i += 1;
    }
    let operands = &args[i..];
    match verbose {
        // bash fails only when no name was found.
        Some(true) if sh.options.bash() => {
            let mut status = i32::from(!operands.is_empty());
            for name in operands {
                match resolve(sh, name, true, default_path) {
                    Kind::NotFound => {
                        sh.report(
                            &ShellError::builtin(
                                "command",
                                ErrorKind::text(format!(
                                    "{}: not found",
                                    String::from_utf8_lossy(name)
                                )),
                            )
                            .fails(),
                        );
                    }
                    kind => {
                        // bash's `command -v` does not fail when its output cannot be written.
                        crate::sys::fd::write_all(1, &super::type_::bash_words(sh, name, &kind));
                        status = 0;
                    }
                }
            }
            Ok(status)
        }
        Some(true) => {
            let mut status = 0;
            for name in operands {
                let (line, found) = describe(sh, name, default_path);
                out(&line);
                if !found {
                    status = 127;
                }
            }
            Ok(status)
        }
        Some(false) if sh.options.bash() => {
            let mut status = i32::from(!operands.is_empty());
            for name in operands {
                if command_v(sh, name, default_path) == 0 {
                    status = 0;
                }
            }
            Ok(status)
        }
        Some(false) => {
            let Some(name) = operands.first() else {
                return Ok(0);
            };
            Ok(command_v(sh, name, default_path))
        }
        None => {
            if operands.is_empty() {
                return Ok(0);
            }
            run_fields(
                sh,
                operands,
                &[],
                &[],
                cx.not_last(),
                Lookup {
                    no_functions: true,
                    no_special: true,
                    default_path,
                    traced: true,
                    written: None,
                },
            )
        }
    }
}

/// `command -v name`: how the shell would run it, on one line; the status.
fn command_v(sh: &mut Shell, name: &[u8], default_path: bool) -> i32 {
    let line = match resolve(sh, name, true, default_path) {
        Kind::Alias(v) => {
            let mut l = b"alias ".to_vec();
            l.extend_from_slice(name);
            l.push(b'=');
            l.extend_from_slice(&quote_for_reuse(&v));
            l
        }
        Kind::Keyword | Kind::Function | Kind::SpecialBuiltin | Kind::Builtin => name.to_vec(),
        Kind::Tracked(p) | Kind::Program(p) => p,
        Kind::NotFound => return 127,
    };
    let mut line = line;
    line.push(b'\n');
    // dash's `command -v` fails when its output cannot be written; bash's does not.
    match sh.options.bash() {
        true => drop(crate::sys::fd::write_all(1, &line)),
        false => drop(out(&line)),
    }
    0
}
