//! `builtin NAME [ARG...]` (bash): run the built-in NAME, even where a function of that name
//! exists (`cd() { builtin cd "$@"; }`).

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

pub fn builtin(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    // `builtin -- name`: the end of the (no) options.
    if args.get(1).is_some_and(|a| a == b"--") {
        return builtin(sh, &super::without_first_operand(args), cx);
    }
    let Some(name) = args.get(1) else {
        return Ok(0);
    };
    match super::lookup(name, sh.options.bash()).filter(|_| !sh.disabled_builtins.contains(name)) {
        Some(b) => b.run(sh, &args[1..], cx),
        None => {
            let message = format!("{}: not a shell builtin", String::from_utf8_lossy(name));
            ShellError::builtin("builtin", ErrorKind::text(message))
                .fails()
                .with_status(1)
                .raise()
        }
    }
}
