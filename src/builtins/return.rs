//! `return`: leaving a function or a dot script, as a diversion that they catch (see
//! `exec::Divert`).

use super::util::parse_status;
use crate::exec::{Context, Divert, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `return [n]`: leave the function or dot script with n (default: the last status).
pub fn return_(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() && sh.calls.is_empty() {
        let message = "can only `return' from a function or sourced script";
        return ShellError::builtin("return", ErrorKind::text(message))
            .fails()
            .with_status(2)
            .raise();
    }
    let operand = super::util::bash_single_operand(sh, "return", args)?;
    let status = match operand {
        Some(a) => match parse_status(sh, "return", a) {
            Ok(status) => status,
            // bash returns all the same, with status 2.
            Err(e) if sh.options.bash() => {
                sh.report(&e);
                return Err(Divert::Return(2));
            }
            Err(e) => return Err(e.into()),
        },
        None => match sh.return_in_trap {
            Some((before, depth))
                if sh.calls.len() == depth || (sh.options.bash() && sh.calls.len() > depth) =>
            {
                before
            }
            _ => sh.last_status(),
        },
    };
    Err(Divert::Return(status))
}
