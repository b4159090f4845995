//! `:`, `true`, `false`.

use crate::exec::{Context, ExecResult};
use crate::state::Shell;

pub fn colon(_sh: &mut Shell, _args: &[Vec<u8>], _cx: Context) -> ExecResult {
    Ok(0)
}

pub fn false_(_sh: &mut Shell, _args: &[Vec<u8>], _cx: Context) -> ExecResult {
    Ok(1)
}
