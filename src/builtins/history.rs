//! `history` (bash): list and change the command history that `fc` and the line editor share.
//!
//! ```text
//! history [n]                 list (all, or the last n) as `%5d  %s`, HISTTIMEFORMAT before
//! history -c                  forget every entry
//! history -d offset[-last]    delete entries (a negative offset counts from the end)
//! history -a|-n|-r|-w [file]  append new / read new / read / write the history file
//! history -s arg...           add the arguments as one entry (in place of this command)
//! history -p arg...           print the arguments after history expansion
//! ```
//!
//! Every entry is appended to the history file as it is entered, so `-a` has nothing left
//! to write.

use crate::builtins::util::write_output;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::interactive::history_expand;
use crate::state::Shell;

const USAGE: &str =
    "history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]";

fn failure(msg: impl Into<Vec<u8>>) -> ExecResult {
    ShellError::builtin("history", ErrorKind::text(msg))
        .with_status(1)
        .fails()
        .raise()
}

fn usage(msg: impl Into<Vec<u8>>) -> ExecResult {
    let msg = String::from_utf8_lossy(&msg.into()).into_owned();
    super::util::usage_error("history", &msg, USAGE).raise()
}

fn with_arg(arg: &[u8], what: &str) -> Vec<u8> {
    let mut m = arg.to_vec();
    m.extend_from_slice(b": ");
    m.extend_from_slice(what.as_bytes());
    m
}

pub fn history(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut flags = Vec::new();
    let mut delete: Option<Vec<u8>> = None;
    let mut letters = super::util::OptionLetters::new(args);
    while let Some(c) = letters.next_letter() {
        match c {
            b'c' | b'a' | b'n' | b'r' | b'w' | b's' | b'p' => flags.push(c),
            b'd' => {
                let Some(value) = letters.value() else {
                    return usage("-d: option requires an argument");
                };
                delete = Some(value);
            }
            _ => return usage(with_arg(&[b'-', c], "invalid option")),
        }
    }
    let operands = &args[letters.operands()..];
    let mut file_ops = flags
        .iter()
        .copied()
        .filter(|c| matches!(c, b'a' | b'n' | b'r' | b'w'));
    let file_op = file_ops.next();
    if file_ops.any(|other| Some(other) != file_op) {
        return failure("cannot use more than one of -anrw");
    }
    let has = |c: u8| flags.contains(&c);
    if has(b'c') {
        sh.history.clear();
        return Ok(0);
    }
    if let Some(spec) = delete {
        return delete_entries(sh, &spec);
    }
    if has(b's') {
        // The `history -s` line itself gives way to the entry it adds.
        sh.history.remove_current();
        let text = operands.join(&b' ');
        crate::interactive::save(sh, &text);
        return Ok(0);
    }
    if has(b'p') {
        sh.history.remove_current();
        return print_expanded(sh, operands);
    }
    if let Some(op) = file_op {
        return file_operation(sh, op, operands.first());
    }
    list(sh, operands)
}

fn list(sh: &mut Shell, operands: &[Vec<u8>]) -> ExecResult {
    if operands.len() > 1 {
        return failure("too many arguments");
    }
    let count = match operands.first() {
        None => usize::MAX,
        Some(n) => match std::str::from_utf8(n)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
        {
            Some(n) if n >= 0 => n as usize,
            Some(_) => return failure(with_arg(n, "invalid option")),
            None => return failure(with_arg(n, "numeric argument required")),
        },
    };
    let format = sh.get_var(b"HISTTIMEFORMAT").map(|f| f.to_vec());
    if format.is_some() {
        sh.use_time_zone();
    }
    let skip = sh.history.len().saturating_sub(count);
    let mut out = Vec::new();
    for (n, text, time) in sh.history.all().skip(skip) {
        out.extend_from_slice(format!("{n:5}  ").as_bytes());
        match (&format, time) {
            (Some(format), Some(time)) => {
                out.extend_from_slice(&crate::sys::clib::local_time(format, time))
            }
            // Kept while HISTTIMEFORMAT was unset, the entry has no time (bash).
            (Some(_), None) => out.extend_from_slice(b"??"),
            (None, _) => {}
        }
        out.extend_from_slice(text);
        out.push(b'\n');
    }
    write_output(sh, "history", &out)?;
    Ok(0)
}

/// `-d N`, `-d -N` (from the end: -1 is the last entry), `-d FIRST-LAST`.
fn delete_entries(sh: &mut Shell, spec: &[u8]) -> ExecResult {
    let out_of_range = || failure(with_arg(spec, "history position out of range"));
    let first = sh.history.first_number() as i64;
    let len = sh.history.len() as i64;
    let number = |text: &[u8]| -> Option<i64> {
        let n: i64 = std::str::from_utf8(text).ok()?.parse().ok()?;
        let n = if n < 0 { first + len + n } else { n };
        (n >= first && n < first + len).then_some(n)
    };
    // A range is `a-b` with something before the dash (`-3` is an offset from the end).
    let range = spec
        .iter()
        .skip(1)
        .position(|&b| b == b'-')
        .map(|p| (&spec[..p + 1], &spec[p + 2..]));
    let (from, to) = match range {
        Some((a, b)) => match (number(a), number(b)) {
            (Some(a), Some(b)) if a <= b => (a, b),
            _ => return out_of_range(),
        },
        None => match number(spec) {
            Some(n) => (n, n),
            None => return out_of_range(),
        },
    };
    for n in (from..=to).rev() {
        sh.history.delete(n as usize);
    }
    Ok(0)
}

fn print_expanded(sh: &mut Shell, operands: &[Vec<u8>]) -> ExecResult {
    let entries: Vec<Vec<u8>> = sh.history.all().map(|(_, t, _)| t.to_vec()).collect();
    let events = history_expand::Events {
        entries: &entries,
        next_number: sh.history.first_number() + entries.len(),
    };
    let mut out = Vec::new();
    for arg in operands {
        match history_expand::expand(arg, &events) {
            Ok(Some(e)) => out.extend_from_slice(&e.line),
            Ok(None) => out.extend_from_slice(arg),
            Err(e) => {
                write_output(sh, "history", &out)?;
                return failure(e.0);
            }
        }
        out.push(b'\n');
    }
    write_output(sh, "history", &out)?;
    Ok(0)
}

fn file_operation(sh: &mut Shell, op: u8, file: Option<&Vec<u8>>) -> ExecResult {
    let Some(path) = file
        .cloned()
        .or_else(|| crate::interactive::history_file(sh))
    else {
        // bash: with no file there is nothing to append to (it fails, silently).
        return Ok(if op == b'a' { 1 } else { 0 });
    };
    // Times are written, and entries of several lines read back whole, while
    // HISTTIMEFORMAT is set (bash).
    let stamp = sh.get_var(b"HISTTIMEFORMAT").is_some();
    sh.history.set_write_times(stamp);
    let result = match op {
        b'r' => sh.history.read_file(&path, false),
        b'n' => sh.history.read_file(&path, true),
        b'w' => {
            let limit = crate::interactive::history_file_size(sh);
            sh.history.write_file(&path, limit)
        }
        // At the prompt entries are appended as they are entered; this writes the rest.
        _ => sh.history.append_new(&path),
    };
    match result {
        Ok(()) => Ok(0),
        Err(e) => {
            let cause = match e.raw_os_error() {
                Some(n) => crate::sys::errno::text(n),
                None => e.to_string(),
            };
            let mut m = path.clone();
            m.extend_from_slice(b": ");
            m.extend_from_slice(cause.as_bytes());
            failure(m)
        }
    }
}
