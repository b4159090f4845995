//! `eval`: its arguments, joined by spaces, parsed and run as commands in this shell.

use crate::exec::eval::run_text;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `eval [arg...]`: the arguments joined by spaces, run as commands.
pub fn eval(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    // bash: `eval -- text`; dash runs `--` as a command.
    if sh.options.bash() && args.get(1).is_some_and(|a| a == b"--") {
        return eval(sh, &super::without_first_operand(args), cx);
    }
    // bash: eval takes no options (`-` alone is a word to run).
    if let Some(option) = args
        .get(1)
        .filter(|a| sh.options.bash() && a.len() > 1 && a[0] == b'-')
    {
        let message = format!("{}: invalid option", String::from_utf8_lossy(option));
        return super::util::usage_error("eval", &message, "eval [arg ...]").raise();
    }
    // One argument (`eval "$x"`) runs as it is; several are joined, fallibly (the text is as
    // large as the user made it).
    let joined;
    let text: &[u8] = match &args[1..] {
        [one] => one,
        rest => {
            let mut t = Vec::new();
            if t.try_reserve_exact(rest.iter().map(|a| a.len() + 1).sum())
                .is_err()
            {
                return ShellError::builtin("eval", ErrorKind::OutOfSpace)
                    .fails()
                    .raise();
            }
            for (i, a) in rest.iter().enumerate() {
                if i > 0 {
                    t.push(b' ');
                }
                t.extend_from_slice(a);
            }
            joined = t;
            &joined
        }
    };
    if text.is_empty() {
        return Ok(0);
    }
    sh.trace_level += 1;
    let result = run_text(sh, text, Some(b"eval: "), cx);
    sh.trace_level -= 1;
    match result {
        // bash: an error that abandons a command (an arithmetic one, an assignment to a
        // read-only variable) ends the eval's text only; eval fails.
        Err(crate::exec::Divert::Discard(s)) => Ok(s),
        other => other,
    }
}
