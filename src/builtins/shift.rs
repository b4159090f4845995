//! `shift`: dropping the first positional parameters.

use super::util::parse_count;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `shift [n]`
pub fn shift(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let operand = super::util::bash_single_operand(sh, "shift", args)?;
    let n = match operand {
        Some(a) if sh.options.bash() => bash_count(a)?,
        Some(a) => parse_count("shift", a)? as usize,
        None => 1,
    };
    // bash fails with 1, and says why only under `shopt -s shift_verbose`.
    if n > sh.positional.len() && sh.options.bash() {
        if sh.options.shopt.get("shift_verbose") != Some(true) {
            return Ok(1);
        }
        let message = format!("{n}: shift count out of range");
        return ShellError::builtin("shift", ErrorKind::text(message))
            .fails()
            .with_status(1)
            .raise();
    }
    if n > sh.positional.len() {
        return ShellError::builtin("shift", ErrorKind::text("can't shift that many")).raise();
    }
    sh.positional.drain(..n);
    Ok(0)
}

/// bash's operand of `shift`: an integer, not negative.
fn bash_count(arg: &[u8]) -> Result<usize, crate::exec::Divert> {
    let fail = |what: &str| {
        let message = format!("{}: {what}", String::from_utf8_lossy(arg));
        ShellError::builtin("shift", ErrorKind::text(message))
            .with_status(1)
            .fails()
    };
    let n = super::util::bash_integer(arg).ok_or_else(|| fail("numeric argument required"))?;
    usize::try_from(n).map_err(|_| fail("shift count out of range").into())
}
