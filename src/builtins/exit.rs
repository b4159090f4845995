//! `exit`: leaving the shell, or the subshell, as a diversion that unwinds everything (see
//! `exec::Divert`).

use super::util::parse_status;
use crate::exec::{Context, Divert, ExecResult};
use crate::state::Shell;

/// `exit [n]`: leave the shell with n (default: the last status).
pub fn exit(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let operand = super::util::bash_single_operand(sh, "exit", args)?;
    let status = match operand {
        Some(a) => parse_status(sh, "exit", a)?,
        None => sh.status_before_trap.unwrap_or_else(|| sh.last_status()),
    };
    if sh.options.bash() && sh.in_function() {
        // bash runs the EXIT trap before leaving the function: it sees FUNCNAME and the
        // function's locals.
        let status = crate::exec::eval::run_exit_trap(sh, status);
        return Err(Divert::Exit(status));
    }
    Err(Divert::Exit(status))
}

/// `logout [n]` (bash): `exit`, in a login shell only.
pub fn logout(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    if !sh.options.shopt.on(crate::state::shopt::LOGIN_SHELL) {
        return crate::exec::ShellError::builtin(
            "logout",
            crate::exec::ErrorKind::text("not login shell: use `exit'"),
        )
        .fails()
        .with_status(1)
        .raise();
    }
    exit(sh, args, cx)
}
