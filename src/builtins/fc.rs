//! `fc`: list, edit and re-run commands from the history of an interactive shell.

use crate::exec::ExecResult;
use crate::state::Shell;

pub fn fc(sh: &mut Shell, _args: &[Vec<u8>]) -> ExecResult {
    sh.error("fc: history is only kept by an interactive shell");
    Ok(1)
}
