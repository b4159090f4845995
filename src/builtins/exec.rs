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
        return cannot_exec(name, SpawnError::NotFound);
    };
    if let Some(e) = spawn::check_executable(&path) {
        spawn::record_never_started(sh, Some(&path), &args[1..], &e);
        return cannot_exec(name, e);
    }
    let err = spawn::exec_program(sh, &path, &args[1..], |sh| {
        if !sh.in_subshell {
            sh.audit.end(None, EndReason::Exec);
        }
    });
    cannot_exec(name, err)
}

/// The program could not replace the shell: the shell exits (`exec: cmd: not found`).
fn cannot_exec(name: &[u8], error: SpawnError) -> ExecResult {
    let status = error.status();
    let kind = ErrorKind::CannotRun {
        name: name.to_vec(),
        error,
    };
    ShellError::builtin("exec", kind)
        .with_status(status)
        .exits()
        .raise()
}
