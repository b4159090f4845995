//! `trap`: set, reset, ignore and list the actions for signals and EXIT.

use super::util::{out, quote_for_reuse};
use crate::exec::trap::Action;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys::signal;

/// The condition number of a trap operand: 0 or EXIT, a signal name or number.
fn condition(name: &[u8]) -> Option<i32> {
    if name == b"EXIT" || name == b"0" {
        return Some(0);
    }
    signal::number(name).filter(|&n| n > 0 && n < 65)
}

fn condition_name(sig: i32) -> String {
    if sig == 0 {
        "EXIT".to_string()
    } else {
        signal::name(sig).map_or_else(|| sig.to_string(), |n| n.to_string())
    }
}

/// `trap [action condition...]`
pub fn trap(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut operands = &args[1..];
    match operands.first().map(|a| a.as_slice()) {
        Some(b"--") => operands = &operands[1..],
        Some([b'-', c, ..]) => {
            let message = format!("Illegal option -{}", *c as char);
            return ShellError::builtin("trap", ErrorKind::text(message)).raise();
        }
        _ => {}
    }
    if operands.is_empty() {
        let mut text = Vec::new();
        for (sig, action) in sh.traps.all() {
            let cmd: &[u8] = match action {
                Action::Ignore => b"",
                Action::Command(c) => c,
            };
            text.extend_from_slice(b"trap -- ");
            text.extend_from_slice(&quote_for_reuse(cmd));
            text.push(b' ');
            text.extend_from_slice(condition_name(*sig).as_bytes());
            text.push(b'\n');
        }
        out(&text);
        return Ok(0);
    }
    // A first operand that is a condition number means "reset these" (POSIX).
    let (action, conditions) =
        if condition(&operands[0]).is_some() && operands[0].iter().all(u8::is_ascii_digit) {
            (None, operands)
        } else {
            let action = match operands[0].as_slice() {
                b"-" => None,
                b"" => Some(Action::Ignore),
                cmd => Some(Action::Command(cmd.to_vec())),
            };
            (action, &operands[1..])
        };
    let mut status = 0;
    for name in conditions {
        match condition(name) {
            Some(sig) => {
                sh.traps.set(sig, action.clone());
            }
            None => {
                let mut msg = b"trap: ".to_vec();
                msg.extend_from_slice(name);
                msg.extend_from_slice(b": bad trap\n");
                crate::sys::fd::write_all(2, &msg);
                status = 1;
            }
        }
    }
    Ok(status)
}
