//! `suspend [-f]` (bash): stop the shell until it gets SIGCONT. A login shell, or a shell
//! without job control (a script), is not stopped unless forced: nothing would be left to
//! continue it.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

pub fn suspend(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let force = args.get(1).is_some_and(|a| a == b"-f");
    if sh.options.shopt.on(crate::state::shopt::LOGIN_SHELL) && !force {
        return ShellError::builtin("suspend", ErrorKind::text("cannot suspend a login shell"))
            .fails()
            .with_status(1)
            .raise();
    }
    if !sh.options.monitor && !force {
        return ShellError::builtin("suspend", ErrorKind::text("cannot suspend: no job control"))
            .fails()
            .with_status(1)
            .raise();
    }
    let _ = crate::sys::process::kill(crate::sys::process::pid(), libc::SIGSTOP);
    Ok(0)
}
