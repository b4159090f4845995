//! `exec`: the shell replaced by a program, through the one exec path (which records it); the
//! session's end is recorded just before, since no shell is left to record it after.

use crate::audit::EndReason;
use crate::exec::spawn::{self, SpawnError};
use crate::exec::{Divert, ExecResult};
use crate::state::Shell;

/// `exec cmd [arg...]`: replace the shell with a program. (`exec` with only redirections is
/// handled by the evaluator, which keeps them in force.)
pub fn exec(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let Some(name) = args.get(1) else {
        return Ok(0);
    };
    let Some(path) = spawn::find_in_path(sh, name) else {
        SpawnError::NotFound.report_as(sh, "exec", name);
        return Err(Divert::Exit(127));
    };
    if let Some(e) = spawn::check_executable(&path) {
        e.report_as(sh, "exec", name);
        return Err(Divert::Exit(e.status()));
    }
    let err = spawn::exec_program(sh, &path, &args[1..], |sh| {
        if !sh.in_subshell {
            sh.audit.end(None, EndReason::Exec);
        }
    });
    err.report_as(sh, "exec", name);
    Err(Divert::Exit(err.status()))
}
