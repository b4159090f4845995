//! `trap`: set, reset, ignore and list the actions for signals and EXIT.

use super::util::{out, quote_for_reuse};
use crate::exec::trap::{self, Action};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys::signal;

/// The condition number of a trap operand: 0 or EXIT, a signal name or number; in bash
/// also with a `SIG` prefix, and ERR, DEBUG, RETURN.
fn condition(name: &[u8], bash: bool) -> Option<i32> {
    if name == b"EXIT" || name == b"0" {
        return Some(0);
    }
    if bash {
        let upper = name.to_ascii_uppercase();
        // Only a signal takes the `SIG` prefix (`SIGEXIT` is no condition).
        match upper.as_slice() {
            b"EXIT" => return Some(0),
            b"ERR" => return Some(trap::ERR),
            b"DEBUG" => return Some(trap::DEBUG),
            b"RETURN" => return Some(trap::RETURN),
            _ => {
                let bare = upper.strip_prefix(b"SIG").unwrap_or(&upper);
                return signal::number(bare).filter(|&n| n > 0 && n < 65);
            }
        }
    }
    signal::number(name).filter(|&n| n > 0 && n < 65)
}

fn condition_name(sig: i32, bash: bool) -> String {
    match sig {
        0 => "EXIT".to_string(),
        trap::ERR => "ERR".to_string(),
        trap::DEBUG => "DEBUG".to_string(),
        trap::RETURN => "RETURN".to_string(),
        _ => {
            let name = signal::name(sig).map_or_else(|| sig.to_string(), |n| n.to_string());
            if bash {
                format!("SIG{name}")
            } else {
                name
            }
        }
    }
}

/// `trap [action condition...]`
pub fn trap(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let bash = sh.options.bash();
    let mut operands = &args[1..];
    let mut only: Option<&[Vec<u8>]> = None;
    match operands.first().map(|a| a.as_slice()) {
        Some(b"--") => operands = &operands[1..],
        Some(b"-l") if bash => {
            return super::kill::kill(sh, &[b"kill".to_vec(), b"-l".to_vec()], _cx);
        }
        Some(b"-p") if bash => {
            let names = &operands[1..];
            only = Some(match names.first() {
                Some(first) if first == b"--" => &names[1..],
                _ => names,
            });
            operands = &[];
        }
        Some([b'-', c, ..]) => {
            let message = format!("Illegal option -{}", *c as char);
            return ShellError::builtin("trap", ErrorKind::text(message)).raise();
        }
        _ => {}
    }
    if operands.is_empty() {
        let mut text = Vec::new();
        let mut all: Vec<(i32, Vec<u8>)> = (sh.traps.listed(bash).into_iter())
            .map(|(sig, cmd)| (sig, cmd.to_vec()))
            .collect();
        let mut status = 0;
        let line = |text: &mut Vec<u8>, sig: i32, cmd: &[u8]| {
            text.extend_from_slice(b"trap -- ");
            if bash {
                text.extend_from_slice(&crate::syntax::quote::single_quoted(cmd));
            } else {
                text.extend_from_slice(&quote_for_reuse(cmd));
            }
            text.push(b' ');
            text.extend_from_slice(condition_name(sig, bash).as_bytes());
            text.push(b'\n');
        };
        match only.filter(|o| !o.is_empty()) {
            // `trap -p A B`: in the order asked; a name that is no condition is an error
            // written in its place, and the rest are listed.
            Some(wanted) => {
                for name in wanted {
                    match condition(name, bash) {
                        Some(sig) => {
                            if let Some((_, cmd)) = all.iter().find(|(s, _)| *s == sig) {
                                line(&mut text, sig, cmd);
                            }
                        }
                        None => {
                            out(&std::mem::take(&mut text));
                            let m = [&name[..], b": invalid signal specification"].concat();
                            sh.report(&ShellError::builtin("trap", ErrorKind::Message(m)));
                            status = 1;
                        }
                    }
                }
            }
            // bash lists EXIT first, then the signals, then DEBUG, ERR and RETURN.
            None => {
                if bash {
                    all.sort_by_key(|(s, _)| match *s {
                        trap::DEBUG => 1001,
                        trap::ERR => 1002,
                        trap::RETURN => 1003,
                        s => s,
                    });
                }
                for (sig, cmd) in &all {
                    line(&mut text, *sig, cmd);
                }
            }
        }
        out(&text);
        return Ok(status);
    }
    // A first operand that is a condition number, or a condition alone, means "reset these"
    // (POSIX).
    let resets = operands[0].iter().all(u8::is_ascii_digit) || operands.len() == 1;
    if operands.len() == 1 && bash && condition(&operands[0], bash).is_none() {
        // bash: an action with no condition is a usage error.
        crate::sys::fd::write_all(2, b"trap: usage: trap [-lp] [[arg] signal_spec ...]\n");
        return Ok(2);
    }
    let (action, conditions) =
        if resets && (condition(&operands[0], bash).is_some() || operands.len() == 1) {
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
        match condition(name, bash) {
            Some(sig) => {
                if sig == trap::RETURN {
                    sh.return_trap_sets += 1;
                }
                if sig == trap::ERR {
                    sh.err_trap_sets += 1;
                }
                if bash && !sh.options.interactive && sh.traps.ignored_at_entry(sig) {
                    // bash takes no trap on a signal ignored when it started.
                    continue;
                }
                sh.traps.set(sig, action.clone(), bash);
                if sig == crate::sys::signal::SIGCHLD {
                    // The children that ended before are none of the new trap's business.
                    crate::sys::process::take_ended();
                }
            }
            None if bash => {
                let m = format!(
                    "{}: invalid signal specification",
                    String::from_utf8_lossy(name)
                );
                sh.report(&ShellError::builtin("trap", ErrorKind::text(m)).fails());
                status = 1;
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
