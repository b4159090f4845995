//! `break` and `continue`: leaving or going on with enclosing loops, as a diversion the loops
//! catch (see `exec::Divert`).

use super::util::{bash_integer, parse_count};
use crate::exec::{Context, Divert, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

fn loop_count(sh: &mut Shell, name: &'static str, args: &[Vec<u8>]) -> Result<Option<u32>, Divert> {
    sh.break_status = 0;
    if sh.options.bash() {
        return bash_loop_count(sh, name, args);
    }
    let n = match args.get(1) {
        Some(a) => parse_count(name, a)?,
        None => 1,
    };
    if n == 0 {
        let arg = args.get(1).map_or(&b"0"[..], |a| a.as_slice());
        return ShellError::builtin(name, ErrorKind::IllegalNumber(arg.to_vec())).raise();
    }
    match sh.loop_depth() {
        0 => Ok(None),
        depth => Ok(Some(n.min(i64::from(depth)) as u32)),
    }
}

/// bash's reading: more than one count abandons everything up to the top-level command (and
/// the rest of a `-c` string), a count that is not a number ends the shell (status 128), a
/// count below 1 leaves every loop with status 1.
fn bash_loop_count(
    sh: &mut Shell,
    name: &'static str,
    args: &[Vec<u8>],
) -> Result<Option<u32>, Divert> {
    let fail = |sh: &mut Shell, message: Vec<u8>| {
        sh.report(&ShellError::builtin(name, ErrorKind::text(message)));
    };
    let depth = sh.loop_depth();
    if depth == 0 {
        // Outside a loop the operands are not looked at.
        fail(
            sh,
            b"only meaningful in a `for', `while', or `until' loop".to_vec(),
        );
        return Ok(None);
    }
    let mut operands = &args[1..];
    if operands.first().is_some_and(|a| a == b"--") {
        operands = &operands[1..];
    }
    if operands.len() > 1 {
        fail(sh, b"too many arguments".to_vec());
        return Err(Divert::Unwind(1));
    }
    let n = match operands.first() {
        None => 1,
        Some(a) => match bash_integer(a) {
            Some(n) => n,
            None => {
                fail(sh, [&a[..], b": numeric argument required"].concat());
                return Err(Divert::Abort(128));
            }
        },
    };
    if n < 1 {
        fail(
            sh,
            [&operands[0][..], b": loop count out of range"].concat(),
        );
        sh.break_status = 1;
        return Ok(Some(depth));
    }
    Ok(Some(n.min(i64::from(depth)) as u32))
}

/// `break [n]`: leave n enclosing loops (all of them if fewer; nothing outside a loop).
pub fn break_(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    match loop_count(sh, "break", args)? {
        Some(n) => Err(Divert::Break(n)),
        None => Ok(0),
    }
}

/// `continue [n]`: go on with the nth enclosing loop.
pub fn continue_(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    match loop_count(sh, "continue", args)? {
        // bash: an out-of-range count leaves the loops, for `continue` too.
        Some(n) if sh.break_status != 0 => Err(Divert::Break(n)),
        Some(n) => Err(Divert::Continue(n)),
        None => Ok(0),
    }
}
