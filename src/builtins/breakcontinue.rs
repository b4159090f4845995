//! `break` and `continue`: leaving or going on with enclosing loops, as a diversion the loops
//! catch (see `exec::Divert`).

use super::util::parse_count;
use crate::exec::{Context, Divert, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

fn loop_count(
    sh: &mut Shell,
    name: &'static str,
    args: &[Vec<u8>],
) -> Result<Option<u32>, ShellError> {
    let n = match args.get(1) {
        Some(a) => parse_count(name, a)?,
        None => 1,
    };
    if n == 0 {
        let arg = args.get(1).map_or(&b"0"[..], |a| a.as_slice());
        return Err(ShellError::builtin(
            name,
            ErrorKind::IllegalNumber(arg.to_vec()),
        ));
    }
    match sh.loop_depth() {
        0 => Ok(None),
        depth => Ok(Some(n.min(i64::from(depth)) as u32)),
    }
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
        Some(n) => Err(Divert::Continue(n)),
        None => Ok(0),
    }
}
