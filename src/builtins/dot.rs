//! `.` and `source` (bash's name for it): the commands of a file run in this shell, as if
//! typed here; `return` ends them.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::exec::error::Cause;
use crate::exec::eval::run_text;
use crate::exec::spawn;
use crate::exec::{Context, Divert, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `. file`: run the commands of a file (found in PATH when it has no slash) in this shell.
pub fn dot(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    // `. -- file`: the end of the (no) options, as dash and bash take it.
    if args.get(1).is_some_and(|a| a == b"--") {
        return dot(sh, &super::without_first_operand(args), cx);
    }
    let Some(name) = args.get(1) else {
        // dash: nothing to do; bash: a usage error.
        if !sh.options.bash() {
            return Ok(0);
        }
        let builtin = bash_name(args);
        let usage = format!("{builtin} filename [arguments]");
        return super::util::usage_error(builtin, "filename argument required", &usage).raise();
    };
    // bash's `shopt -u sourcepath`: the name is a path, PATH is not searched.
    let no_search = sh.options.bash() && !sh.options.shopt.on(crate::state::shopt::SOURCEPATH);
    let path = if name.contains(&b'/') || no_search {
        Some(name.clone())
    } else {
        let path_var = sh.get_var(b"PATH").map(|p| p.to_vec()).unwrap_or_default();
        let found = spawn::path_candidates(&path_var, name)
            .find(|p| std::fs::metadata(OsStr::from_bytes(p)).is_ok_and(|m| m.is_file()));
        // bash looks in the current directory after PATH (where a directory is found, and
        // refused as one).
        found.or_else(|| {
            (sh.options.bash() && std::fs::metadata(OsStr::from_bytes(name)).is_ok())
                .then(|| name.clone())
        })
    };
    // A shell error for `source` too, which is not special.
    let Some(path) = path else {
        return ShellError::builtin(".", ErrorKind::NotFound(name.clone())).raise();
    };
    let text = match std::fs::read(OsStr::from_bytes(&path)) {
        Ok(t) => t,
        Err(e) if sh.options.bash() && e.raw_os_error() == Some(libc::EISDIR) => {
            let m = [&name[..], b": is a directory"].concat();
            return ShellError::builtin(bash_name(args), ErrorKind::Message(m))
                .with_status(1)
                .raise();
        }
        Err(e) => {
            let kind = ErrorKind::CannotOpen {
                create: false,
                path,
                cause: Cause::of(&e),
            };
            return ShellError::builtin(".", kind).raise();
        }
    };
    // bash takes a file with more than 256 NUL bytes for a program's image, and drops the
    // NUL bytes of any other.
    let text = match sh.options.bash() && text.contains(&0) {
        true if text.iter().filter(|&&c| c == 0).count() > 256 => {
            let m = [&path[..], b": cannot execute binary file"].concat();
            return ShellError::builtin(bash_name(args), ErrorKind::Message(m))
                .with_status(126)
                .raise();
        }
        true => text.into_iter().filter(|&c| c != 0).collect(),
        false => text,
    };
    let saved_line = sh.lineno;
    sh.lineno = 1;
    let mut label = path.clone();
    label.extend_from_slice(b": ");
    // Unlike `eval`'s, the file's commands meet `set -e` even where `.` itself is tested
    // (`. f || x`), as in dash; bash tests them as it tests `.`.
    // bash: operands after the file are its positional parameters while it runs.
    let sets_before = sh.positional_sets;
    let saved_args = (sh.options.bash() && args.len() > 2)
        .then(|| std::mem::replace(&mut sh.positional, args[2..].to_vec()));
    sh.calls.push(crate::state::Call {
        name: b"source".to_vec(),
        line: saved_line,
        source: path.as_slice().into(),
        function: false,
        traced: false,
        // Without arguments of its own, bash shows the file's name as the frame's one.
        args: sh.options.bash().then(|| match args.get(2..) {
            Some(a) if !a.is_empty() => a.to_vec(),
            _ => vec![path.clone()],
        }),
        err_trap_sets: sh.err_trap_sets,
    });
    sh.trace_level += 1;
    let cx = Context {
        tested: cx.tested && sh.options.bash(),
        negated: false,
        exit_after: false,
    };
    let result = run_text(sh, &text, Some(&label), cx);
    sh.trace_level -= 1;
    sh.calls.pop();
    if let Some(saved) = saved_args {
        // Parameters the file set (`set --`, not `shift`) stay, as in bash.
        if sh.positional_sets == sets_before {
            sh.positional = saved;
        }
    }
    sh.lineno = saved_line;
    let result = match result {
        Err(Divert::Return(s)) => Ok(s),
        other => other,
    };
    if sh.options.bash() {
        if let Ok(s) = result {
            sh.set_last_status(s);
            crate::exec::eval::run_condition_trap(sh, crate::exec::trap::RETURN)?;
        }
    }
    result
}

/// The name bash gives the built-in in its messages: as it was called.
fn bash_name(args: &[Vec<u8>]) -> &'static str {
    if args[0] == b"source" {
        "source"
    } else {
        "."
    }
}
