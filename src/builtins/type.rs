//! `type`: what each name is (alias, keyword, function, built-in, program), in the words of
//! `command -V`.

use super::command::describe;
use super::util::out;
use crate::exec::{Context, ExecResult};
use crate::state::Shell;

/// `type name...`
pub fn type_(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut status = 0;
    for name in &args[1..] {
        let (line, found) = describe(sh, name, false);
        out(&line);
        if !found {
            status = 127;
        }
    }
    Ok(status)
}
