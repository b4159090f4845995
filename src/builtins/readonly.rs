//! `readonly`: variables that can no longer be assigned or unset.

use super::export::{list, operands};
use super::util::{bad_name, split_assignment};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::vars::is_name;
use crate::state::Shell;

/// `readonly [-p] [name[=value]...]`
pub fn readonly(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() {
        return super::declare::readonly(sh, args);
    }
    let (print, names) = operands(args);
    if print && names.is_empty() {
        list(sh, "readonly", |v| v.readonly);
        return Ok(0);
    }
    for arg in names {
        let (name, value) = split_assignment(arg);
        if !is_name(name) {
            return bad_name("readonly", name).raise();
        }
        if let Some(v) = value {
            if let Err(e) = sh.set_var(name, v.to_vec()) {
                return ShellError::new(ErrorKind::Variable(e)).raise();
            }
        }
        sh.vars.set_readonly(name);
    }
    Ok(0)
}
