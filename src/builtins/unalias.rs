//! `unalias`: removing entries from the alias table (XCU 2.3.1).

use crate::exec::{Context, ExecResult};
use crate::state::Shell;

/// `unalias -a | name...`
pub fn unalias(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut status = 0;
    let mut operands = &args[1..];
    if operands.is_empty() && sh.options.bash() {
        crate::sys::fd::write_all(2, b"unalias: usage: unalias [-a] name [name ...]\n");
        return Ok(2);
    }
    if operands.first().map(|a| a.as_slice()) == Some(b"-a") {
        sh.aliases.clear();
        operands = &operands[1..];
    } else if operands.first().map(|a| a.as_slice()) == Some(b"--") {
        operands = &operands[1..];
    }
    for name in operands {
        if sh.aliases.remove(name.as_slice()).is_some() {
            continue;
        }
        status = 1;
        if sh.options.bash() {
            let message = [&name[..], b": not found"].concat();
            let e =
                crate::exec::ShellError::builtin("unalias", crate::exec::ErrorKind::text(message));
            sh.report(&e.fails());
        } else {
            // dash's wording, without the usual NAME: LINE: prefix.
            let mut msg = b"unalias: ".to_vec();
            msg.extend_from_slice(name);
            msg.extend_from_slice(b" not found\n");
            crate::sys::fd::write_all(2, &msg);
        }
    }
    Ok(status)
}
