//! `exec`: the shell replaced by a program, through the one exec path (which records it); the
//! session's end is recorded just before, since no shell is left to record it after.

use crate::audit::EndReason;
use crate::exec::spawn::{self, SpawnError};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `exec cmd [arg...]`: replace the shell with a program. (`exec` with only redirections is
/// handled by the evaluator, which keeps them in force.)
pub fn exec(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let Some(name) = args.get(1) else {
        return Ok(0);
    };
    let Some(path) = spawn::find_in_path(sh, name) else {
        spawn::record_never_started(sh, None, &args[1..], &SpawnError::NotFound);
        return cannot_exec(name, SpawnError::NotFound, sh.options.bash());
    };
    if let Some(e) = spawn::check_executable(&path) {
        spawn::record_never_started(sh, Some(&path), &args[1..], &e);
        return cannot_exec(name, e, sh.options.bash());
    }
    let err = spawn::exec_program(sh, &path, &args[1..], |sh| {
        if !sh.in_subshell {
            sh.audit.end(None, EndReason::Exec);
        }
    });
    if err == SpawnError::Os(crate::sys::errno::ENOEXEC) {
        return exec_as_script(sh, name, &path, &args[1..]);
    }
    cannot_exec(name, err, sh.options.bash())
}

/// A file the kernel would not run (no `#!` line) replaces the shell as a script, as in dash.
/// A subshell runs it itself; the session's shell, whose session has just ended, execs a new
/// shell on it (dash execs /bin/sh), which records a session of its own.
fn exec_as_script(sh: &mut Shell, name: &[u8], path: &[u8], argv: &[Vec<u8>]) -> ExecResult {
    let text = match std::fs::read(crate::state::os(path)) {
        Ok(t) => t,
        Err(e) => {
            let errno = e.raw_os_error().unwrap_or(crate::sys::errno::EACCES);
            return cannot_exec(name, SpawnError::Os(errno), sh.options.bash());
        }
    };
    if sh.in_subshell {
        sh.audit.became_script();
        crate::exec::simple::become_script(sh, &text, argv);
    }
    let err = spawn::exec_shell_on(sh, path, &argv[1..]);
    cannot_exec(name, err, sh.options.bash())
}

/// The program could not replace the shell: the shell exits (`exec: cmd: not found`).
fn cannot_exec(name: &[u8], error: SpawnError, bash: bool) -> ExecResult {
    let status = error.status(bash);
    let kind = ErrorKind::CannotRun {
        name: name.to_vec(),
        error,
    };
    ShellError::builtin("exec", kind)
        .with_status(status)
        .exits()
        .raise()
}
