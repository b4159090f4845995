//! `let expr...` (bash): each argument an arithmetic expression; status 0 when the last one's
//! value is not zero.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

pub fn let_(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    // A first `--` ends the options (it has none).
    let args = match args.get(1) {
        Some(a) if a == b"--" => &args[1..],
        _ => args,
    };
    if args.len() < 2 {
        return ShellError::builtin("let", ErrorKind::Message(b"expression expected".to_vec()))
            .with_status(1)
            .fails()
            .raise();
    }
    let mut last = 0;
    for expr in &args[1..] {
        last = match crate::expand::arith::eval(sh, expr) {
            Ok(v) => v,
            Err(e) if e.is_unbound() || e.unwinds => return Err(ShellError::from(e).into()),
            Err(e) => {
                return ShellError::builtin("let", ErrorKind::Expansion(e.message))
                    .with_status(1)
                    .fails()
                    .raise()
            }
        };
    }
    Ok(i32::from(last == 0))
}
