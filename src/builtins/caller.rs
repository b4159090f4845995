//! `caller [N]` (bash): where the running function was called from — the line and file, or
//! with N the line, function and file N calls out. Outside a function, or past the
//! outermost call, it fails with status 1.

use super::util::out;
use crate::exec::{Context, ExecResult};
use crate::state::Shell;

pub fn caller(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    // Also at the top of a sourced file, where `FUNCNAME` is not shown (bash).
    let funcs = sh.call_names();
    let lines = sh.computed_array(b"BASH_LINENO").unwrap_or_default();
    let files = sh.computed_array(b"BASH_SOURCE").unwrap_or_default();
    if lines.is_empty() {
        // Nothing called: bash fails before it reads the operand.
        return Ok(1);
    }
    let Some(arg) = args.get(1) else {
        // bash: the line of the innermost call and the file it was made in (NULL past the
        // outermost file).
        let Some(line) = lines.first() else {
            return Ok(1);
        };
        let file = files.get(1).map_or(&b"NULL"[..], |f| &f[..]);
        out(&[&line[..], b" ", file, b"\n"].concat());
        return Ok(0);
    };
    let Some(n) = std::str::from_utf8(arg)
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
    else {
        let m = format!("{}: invalid number", String::from_utf8_lossy(arg));
        return super::util::usage_error("caller", &m, "caller [expr]").raise();
    };
    match (lines.get(n), funcs.get(n + 1), files.get(n + 1)) {
        (Some(line), Some(func), Some(file)) => {
            out(&[&line[..], b" ", func, b" ", file, b"\n"].concat());
            Ok(0)
        }
        _ => Ok(1),
    }
}
