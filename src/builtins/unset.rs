//! `unset`: removing variables (`-v`, the default) or functions (`-f`).

use super::util::bad_name;
use crate::exec::{Context, ErrorKind, ExecResult};
use crate::state::vars::is_name;
use crate::state::Shell;

/// `unset [-v|-f] name...`
pub fn unset(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut functions = false;
    let mut rest = &args[1..];
    while let Some(first) = rest.first() {
        match first.as_slice() {
            b"-f" => functions = true,
            b"-v" => functions = false,
            b"--" => {
                rest = &rest[1..];
                break;
            }
            _ => break,
        }
        rest = &rest[1..];
    }
    for name in rest {
        if !functions && !is_name(name) {
            return bad_name("unset", name).raise();
        }
        if functions {
            sh.functions.remove(name.as_slice());
        } else if let Err(e) = sh.vars.unset(name) {
            return crate::exec::ShellError::builtin("unset", ErrorKind::Variable(e)).raise();
        } else if name == b"PATH" {
            sh.hash.clear();
        }
    }
    Ok(0)
}
