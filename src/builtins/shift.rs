//! `shift`: dropping the first positional parameters.

use super::util::parse_count;
use crate::exec::{Divert, ExecResult};
use crate::state::Shell;

/// `shift [n]`
pub fn shift(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let n = match args.get(1) {
        Some(a) => parse_count(sh, "shift", a)? as usize,
        None => 1,
    };
    if n > sh.positional.len() {
        sh.error("shift: can't shift that many");
        return Err(Divert::Error(2));
    }
    sh.positional.drain(..n);
    Ok(0)
}
