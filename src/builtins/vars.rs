//! `export`, `readonly`, `unset` and `local`: variable attributes and scopes.

use super::util::{out, quote_for_reuse};
use crate::exec::{Divert, ExecResult};
use crate::state::vars::is_name;
use crate::state::Shell;

fn bad_name(sh: &Shell, builtin: &str, name: &[u8]) -> Divert {
    let mut msg = format!("{builtin}: ").into_bytes();
    msg.extend_from_slice(name);
    msg.extend_from_slice(b": bad variable name");
    sh.error_bytes(&msg);
    Divert::Error(2)
}

/// Split `name=value` (value None when there is no `=`).
fn split_assignment(arg: &[u8]) -> (&[u8], Option<&[u8]>) {
    match arg.iter().position(|&b| b == b'=') {
        Some(eq) => (&arg[..eq], Some(&arg[eq + 1..])),
        None => (arg, None),
    }
}

fn list(sh: &Shell, prefix: &str, pick: impl Fn(&crate::state::Var) -> bool) {
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

fn operands(args: &[Vec<u8>]) -> (bool, &[Vec<u8>]) {
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
pub fn export(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let (print, names) = operands(args);
    if print && names.is_empty() {
        list(sh, "export", |v| v.exported);
        return Ok(0);
    }
    for arg in names {
        let (name, value) = split_assignment(arg);
        if !is_name(name) {
            return Err(bad_name(sh, "export", name));
        }
        if let Some(v) = value {
            if let Err(e) = sh.vars.set(name, v.to_vec()) {
                sh.error(&e.message());
                return Err(Divert::Error(2));
            }
        }
        sh.vars.set_exported(name, true);
    }
    Ok(0)
}

/// `readonly [-p] [name[=value]...]`
pub fn readonly(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let (print, names) = operands(args);
    if print && names.is_empty() {
        list(sh, "readonly", |v| v.readonly);
        return Ok(0);
    }
    for arg in names {
        let (name, value) = split_assignment(arg);
        if !is_name(name) {
            return Err(bad_name(sh, "readonly", name));
        }
        if let Some(v) = value {
            if let Err(e) = sh.set_var(name, v.to_vec()) {
                sh.error(&e.message());
                return Err(Divert::Error(2));
            }
        }
        sh.vars.set_readonly(name);
    }
    Ok(0)
}

/// `unset [-v|-f] name...`
pub fn unset(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let mut functions = false;
    let mut rest = &args[1..];
    while let Some(first) = rest.first() {
        match first.as_slice() {
            b"-f" => functions = true,
            b"-v" => functions = false,
            b"--" => {
                rest = &rest[1..];
                break;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    for name in rest {
        if !functions && !is_name(name) {
            return Err(bad_name(sh, "unset", name));
        }
        if functions {
            sh.functions.remove(name.as_slice());
        } else if let Err(e) = sh.vars.unset(name) {
            let mut msg = b"unset: ".to_vec();
            msg.extend_from_slice(e.message().as_bytes());
            sh.error_bytes(&msg);
            return Err(Divert::Error(2));
        } else if name == b"PATH" {
            sh.hash.clear();
        }
    }
    Ok(0)
}

/// `local [name[=value]...]`: variables restored when the function returns.
pub fn local(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    if !sh.vars.in_function() {
        sh.error("local: not in a function");
        return Err(Divert::Error(2));
    }
    for arg in &args[1..] {
        if arg == b"-" {
            // dash: `local -` makes the options local to the function.
            if let Some(slot) = sh.local_options.last_mut() {
                slot.get_or_insert_with(|| sh.options.clone());
            }
            continue;
        }
        let (name, value) = split_assignment(arg);
        if !is_name(name) {
            return Err(bad_name(sh, "local", name));
        }
        sh.vars.make_local(name);
        if let Some(v) = value {
            if let Err(e) = sh.set_var(name, v.to_vec()) {
                sh.error(&e.message());
                return Err(Divert::Error(2));
            }
        }
    }
    Ok(0)
}
