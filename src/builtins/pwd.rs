//! `pwd`: the working directory, as `cd` left it (`-L`, the default) or as the system has it
//! (`-P`).

use super::cd::physical_cwd;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `pwd [-L|-P]`
pub fn pwd(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut physical = sh.options.physical;
    for a in &args[1..] {
        if let Some(p) = super::cd::view_option(a, physical, b"") {
            physical = p;
            continue;
        }
        match a.as_slice() {
            b"--" => break,
            [b'-', c, ..] => {
                let message = format!("Illegal option -{}", *c as char);
                return ShellError::builtin("pwd", ErrorKind::text(message))
                    .fails()
                    .raise();
            }
            _ => break,
        }
    }
    let mut path = if physical {
        match physical_cwd() {
            Some(p) => p,
            None if sh.options.bash() => {
                // bash's own line, without the script's name and line.
                let cause = crate::sys::errno::text(crate::sys::errno::last());
                let line = format!(
                    "pwd: error retrieving current directory: getcwd: cannot access parent \
                     directories: {cause}\n"
                );
                crate::sys::fd::write_all(2, line.as_bytes());
                return Ok(1);
            }
            None => {
                let message = ErrorKind::text("can't get the current directory");
                return ShellError::builtin("pwd", message).fails().raise();
            }
        }
    } else {
        sh.cwd.clone()
    };
    path.push(b'\n');
    super::util::write_output(sh, "pwd", &path)?;
    Ok(0)
}
