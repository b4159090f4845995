//! `local` (dash's, not POSIX): variables, or with `-` the options, that a function's return
//! restores.

use super::util::{bad_name, split_assignment};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::vars::is_name;
use crate::state::Shell;

/// `local [name[=value]...]`: variables restored when the function returns.
pub fn local(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() {
        return super::declare::local(sh, args);
    }
    if !sh.vars.in_function() {
        return ShellError::builtin("local", ErrorKind::text("not in a function")).raise();
    }
    for arg in &args[1..] {
        if arg == b"-" {
            // dash: `local -` makes the options local to the function.
            sh.keep_options_locally();
            continue;
        }
        let (name, value) = split_assignment(arg);
        if !is_name(name) {
            return bad_name("local", name).raise();
        }
        sh.vars.make_local(name);
        if let Some(v) = value {
            if let Err(e) = sh.set_var(name, v.to_vec()) {
                return ShellError::new(ErrorKind::Variable(e)).raise();
            }
        }
    }
    Ok(0)
}
