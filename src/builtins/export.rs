//! `export`: variables passed to the programs the shell runs; and the operands and `-p`
//! listing that `readonly` shares with it.

use super::util::{bad_name, out, quote_for_reuse, split_assignment};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::vars::is_name;
use crate::state::Shell;

pub(super) fn list(sh: &Shell, prefix: &str, pick: impl Fn(&crate::state::Var) -> bool) {
    let mut text = Vec::new();
    for (name, var) in sh.vars.sorted() {
        if pick(var) {
            text.extend_from_slice(prefix.as_bytes());
            text.push(b' ');
            text.extend_from_slice(name);
            if let Some(v) = &var.value {
                text.push(b'=');
                text.extend_from_slice(&quote_for_reuse(v));
            }
            text.push(b'\n');
        }
    }
    out(&text);
}

pub(super) fn operands(args: &[Vec<u8>]) -> (bool, &[Vec<u8>]) {
    let mut rest = &args[1..];
    let mut print = false;
    while let Some(first) = rest.first() {
        match first.as_slice() {
            b"-p" => print = true,
            b"--" => {
                rest = &rest[1..];
                break;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    (print || rest.is_empty(), rest)
}

/// `export [-p] [name[=value]...]`
pub fn export(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() {
        return super::declare::export(sh, args);
    }
    let (print, names) = operands(args);
    if print && names.is_empty() {
        list(sh, "export", |v| v.exported);
        return Ok(0);
    }
    for arg in names {
        let (name, value) = split_assignment(arg);
        if !is_name(name) {
            return bad_name("export", name).raise();
        }
        if let Some(v) = value {
            if let Err(e) = sh.vars.set(name, v.to_vec()) {
                return ShellError::new(ErrorKind::Variable(e)).raise();
            }
        }
        sh.vars.set_exported(name, true);
    }
    Ok(0)
}
