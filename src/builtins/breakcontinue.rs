//! `break` and `continue`: leaving or going on with enclosing loops, as a diversion the loops
//! catch (see `exec::Divert`).

use super::util::parse_count;
use crate::exec::{Divert, ExecResult};
use crate::state::Shell;

fn loop_count(sh: &mut Shell, name: &str, args: &[Vec<u8>]) -> Result<Option<u32>, Divert> {
    let n = match args.get(1) {
        Some(a) => parse_count(sh, name, a)?,
        None => 1,
    };
    if n == 0 {
        let mut msg = format!("{name}: Illegal number: ").into_bytes();
        msg.extend_from_slice(args.get(1).map_or(&b"0"[..], |a| a.as_slice()));
        sh.error_bytes(&msg);
        return Err(Divert::Error(2));
    }
    if sh.loop_depth == 0 {
        return Ok(None);
    }
    Ok(Some(n.min(i64::from(sh.loop_depth)) as u32))
}

/// `break [n]`: leave n enclosing loops (all of them if fewer; nothing outside a loop).
pub fn break_(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    match loop_count(sh, "break", args)? {
        Some(n) => Err(Divert::Break(n)),
        None => Ok(0),
    }
}

/// `continue [n]`: go on with the nth enclosing loop.
pub fn continue_(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    match loop_count(sh, "continue", args)? {
        Some(n) => Err(Divert::Continue(n)),
        None => Ok(0),
    }
}
