//! `exec`: the shell replaced by a program, through the one exec path (which records it); the
//! session's end is recorded just before, since no shell is left to record it after.

use crate::audit::EndReason;
use crate::exec::spawn::{self, SpawnError};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `exec cmd [arg...]`: replace the shell with a program. (`exec` with only redirections is
/// handled by the evaluator, which keeps them in force.)
/// bash's `exec [-cl] [-a name] command [arguments]`: `-c` an empty environment, `-l` a
/// login program's `-` before its name, `-a` the name it is given (`argv[0]`).
#[derive(Default)]
struct Options {
    clear_environment: bool,
    login: bool,
    name: Option<Vec<u8>>,
}

/// The options before the command (bash mode); the index of the command.
fn options(args: &[Vec<u8>]) -> Result<(Options, usize), Vec<u8>> {
    let mut options = Options::default();
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        if arg == b"--" {
            return Ok((options, i + 1));
        }
        if arg.len() < 2 || arg[0] != b'-' {
            break;
        }
        for (at, &letter) in arg.iter().enumerate().skip(1) {
            match letter {
                b'c' => options.clear_environment = true,
                b'l' => options.login = true,
                b'a' => {
                    // The name is the rest of this word, or the next one.
                    let rest = &arg[at + 1..];
                    options.name = Some(if rest.is_empty() {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or(b"-a: option requires an argument".to_vec())?
                    } else {
                        rest.to_vec()
                    });
                    break;
                }
                other => return Err([b"-", &[other][..], b": invalid option"].concat()),
            }
        }
        i += 1;
    }
    Ok((options, i))
}

pub fn exec(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let (options, first) = match sh.options.bash() {
        true => match options(args) {
            Ok(parsed) => parsed,
            Err(mut message) => {
                message.extend_from_slice(
                    b"\nexec: usage: exec [-cl] [-a name] [command [argument ...]] [redirection ...]",
                );
                return ShellError::builtin("exec", ErrorKind::text(message))
                    .with_status(2)
                    .fails()
                    .raise();
            }
        },
        false => (Options::default(), 1),
    };
    let Some(name) = args.get(first) else {
        return Ok(0);
    };
    // bash: a name not found in PATH that is a directory here cannot be executed (126).
    let bash = sh.options.bash();
    let here_dir = |name: &[u8]| {
        use std::os::unix::ffi::OsStrExt;
        bash && std::fs::metadata(std::ffi::OsStr::from_bytes(name)).is_ok_and(|m| m.is_dir())
    };
    let path = match spawn::find_in_path(sh, name) {
        Some(path) => path,
        None if here_dir(name) => {
            let error = SpawnError::Os(libc::EISDIR);
            spawn::record_never_started(sh, Some(name), &args[first..], &error);
            return cannot_exec(sh, name, error);
        }
        None => {
            spawn::record_never_started(sh, None, &args[first..], &SpawnError::NotFound);
            return cannot_exec(sh, name, SpawnError::NotFound);
        }
    };
    if let Some(e) = spawn::check_executable(&path) {
        spawn::record_never_started(sh, Some(&path), &args[first..], &e);
        return cannot_exec(sh, &as_bash_names(sh, name), e);
    }
    let mut argv = args[first..].to_vec();
    if let Some(given) = options.name {
        argv[0] = given;
    }
    if options.login {
        argv[0].insert(0, b'-');
    }
    if options.clear_environment {
        sh.vars.unexport_all();
    }
    let err = spawn::exec_program(sh, &path, &argv, true, |sh| {
        if !sh.in_subshell {
            sh.audit.end(None, EndReason::Exec);
        }
        if let Some(control) = &sh.jobs.control {
            control.end();
        }
    });
    if err == SpawnError::Os(crate::sys::errno::ENOEXEC) {
        return exec_as_script(sh, name, &path, &argv);
    }
    cannot_exec(sh, name, err)
}

/// A file the kernel would not run (no `#!` line) replaces the shell as a script, as in dash.
/// A subshell runs it itself; the session's shell, whose session has just ended, execs a new
/// shell on it (dash execs /bin/sh), which records a session of its own.
fn exec_as_script(sh: &mut Shell, name: &[u8], path: &[u8], argv: &[Vec<u8>]) -> ExecResult {
    let text = match std::fs::read(crate::state::os(path)) {
        Ok(t) => t,
        Err(e) => {
            let errno = e.raw_os_error().unwrap_or(crate::sys::errno::EACCES);
            return cannot_exec(sh, name, SpawnError::Os(errno));
        }
    };
    if crate::toplevel::looks_binary(&text) {
        let error = SpawnError::Os(crate::sys::errno::ENOEXEC);
        return cannot_exec(sh, &as_bash_names(sh, name), error);
    }
    if sh.in_subshell {
        sh.audit.became_script();
        crate::exec::simple::become_script(sh, &text, argv);
    }
    let err = spawn::exec_shell_on(sh, path, &argv[1..]);
    cannot_exec(sh, name, err)
}

/// A relative path with a slash as bash's `exec` names it in an error: from the working
/// directory (`./x` is `/dir/x`).
fn as_bash_names(sh: &Shell, name: &[u8]) -> Vec<u8> {
    if !sh.options.bash() || name.starts_with(b"/") || !name.contains(&b'/') {
        return name.to_vec();
    }
    let relative = name.strip_prefix(b"./").unwrap_or(name);
    let cwd = sh.cwd();
    let dir = cwd.strip_suffix(b"/").unwrap_or(&cwd);
    [dir, b"/", relative].concat()
}

/// The program could not replace the shell: the shell exits (`exec: cmd: not found`).
fn cannot_exec(sh: &mut Shell, name: &[u8], error: SpawnError) -> ExecResult {
    let bash = sh.options.bash();
    let status = error.status(bash);
    let replaced = !sh.options.interactive && !sh.in_subshell;
    if bash && replaced && !sh.options.shopt.on(crate::state::shopt::EXECFAIL) {
        // The shell ends without running its EXIT trap (bash); a subshell runs it.
        sh.traps.set(0, None, true);
    }
    // bash's `shopt -s execfail`: the shell goes on after the failure.
    let ends = |e: ShellError| {
        if bash && sh.options.shopt.on(crate::state::shopt::EXECFAIL) {
            e.fails()
        } else {
            e.exits()
        }
    };
    // bash says a missing file is missing without naming `exec` (a name not found in PATH
    // keeps it: `exec: x: not found`).
    let missing = matches!(
        error,
        SpawnError::Os(crate::sys::errno::ENOENT | crate::sys::errno::ENOEXEC)
    );
    if bash && error == SpawnError::NotFound {
        let message = format!("{}: not found", String::from_utf8_lossy(name));
        return ends(ShellError::builtin("exec", ErrorKind::text(message)).with_status(status))
            .raise();
    }
    if bash && error == SpawnError::Os(libc::EISDIR) {
        let message = format!(
            "{}: cannot execute: Is a directory",
            String::from_utf8_lossy(name)
        );
        return ends(ShellError::builtin("exec", ErrorKind::text(message)).with_status(status))
            .raise();
    }
    let denied = bash && error == SpawnError::Os(crate::sys::errno::EACCES);
    let kind = ErrorKind::CannotRun {
        name: name.to_vec(),
        error,
    };
    let error = if bash && missing {
        ShellError::new(kind)
    } else if denied {
        // bash tells why the file would not run, then that `exec` could not run it.
        let why = crate::exec::error::cannot_run_reason(name, crate::sys::errno::EACCES);
        let second = [b"exec: ", name, b": cannot execute: ", why.as_bytes()].concat();
        ShellError::new(kind).and(ErrorKind::Message(second))
    } else {
        ShellError::builtin("exec", kind)
    };
    ends(error.with_status(status)).raise()
}
