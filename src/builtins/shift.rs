//! `shift`: dropping the first positional parameters.

use super::util::parse_count;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `shift [n]`
pub fn shift(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let n = match args.get(1) {
        Some(a) => parse_count("shift", a)? as usize,
        None => 1,
    };
    if n > sh.positional.len() {
        return ShellError::builtin("shift", ErrorKind::text("can't shift that many")).raise();
    }
    sh.positional.drain(..n);
    Ok(0)
}
