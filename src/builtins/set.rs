//! `set`: options, positional parameters, and the listing of variables.

use super::util::{out, quote_for_reuse};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::options::OPTIONS;
use crate::state::Shell;

fn illegal(what: &[u8]) -> ShellError {
    let mut msg = b"Illegal option ".to_vec();
    msg.extend_from_slice(what);
    ShellError::builtin("set", ErrorKind::Message(msg))
}

/// Print the options, as `set -o` (a table) or `set +o` (commands that restore them).
fn list_options(sh: &Shell, as_commands: bool) {
    if sh.options.bash() {
        return list_bash_options(sh, as_commands);
    }
    let mut text = Vec::new();
    if !as_commands {
        text.extend_from_slice(b"Current option settings\n");
    }
    for name in OPTIONS.iter().map(|(_, n)| *n) {
        let on = sh.options.get_by_name(name).unwrap_or(false);
        // In posix mode the listing is dash's (plus pipefail): `posix` shows only in bash mode.
        if name == "posix" && on {
            continue;
        }
        if as_commands {
            text.extend_from_slice(
                format!("set {}o {name}\n", if on { '-' } else { '+' }).as_bytes(),
            );
        } else {
            text.extend_from_slice(
                format!("{name:<16}{}\n", if on { "on" } else { "off" }).as_bytes(),
            );
        }
    }
    out(&text);
}

/// bash's listing: its option names, `NAME<tab>on` padded to 15, or `set -o NAME`.
fn list_bash_options(sh: &Shell, as_commands: bool) {
    let mut text = Vec::new();
    for name in crate::state::options::BASH_OPTIONS {
        let on = sh
            .option_on(name)
            .unwrap_or(sh.options.interactive && *name == "histexpand");
        let line = if as_commands {
            format!("set {}o {name}\n", if on { '-' } else { '+' })
        } else {
            format!("{name:<15}\t{}\n", if on { "on" } else { "off" })
        };
        text.extend_from_slice(line.as_bytes());
    }
    out(&text);
}

/// Apply one option change, keeping what depends on it in step.
pub fn set_option(sh: &mut Shell, name: &str, on: bool) -> bool {
    if name == "errexit" && on && sh.options.bash() {
        sh.errexit_renewed = true;
    }
    if name == "ignoreeof" && sh.options.bash() {
        // bash keeps this option in IGNOREEOF, the number of end-of-files to refuse.
        let _ = match on {
            true => sh.set_var(b"IGNOREEOF", b"10".to_vec()),
            false => sh.vars.unset(b"IGNOREEOF"),
        };
    }
    let turns_history_on = name == "history" && on && !sh.options.history;
    let known = sh.options.set_by_name(name, on);
    if turns_history_on && sh.options.bash() && !sh.options.interactive {
        // bash reads the history file when a script turns history on; a terminal session
        // reads it before its first prompt.
        if let Some(file) = crate::interactive::history_file(sh) {
            crate::interactive::start_history(sh, Some(file));
        }
    }
    known
}

/// `set [-abCefhmnuvx] [-o name]... [--] [arg...]`
pub fn set(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if args.len() == 1 && sh.options.bash() {
        out(&super::declare::set_listing(sh));
        return Ok(0);
    }
    if args.len() == 1 {
        let mut text = Vec::new();
        for (name, var) in sh.vars.sorted() {
            if let Some(v) = &var.value {
                text.extend_from_slice(name);
                text.push(b'=');
                text.extend_from_slice(&quote_for_reuse(v));
                text.push(b'\n');
            }
        }
        out(&text);
        return Ok(0);
    }
    let mut i = 1;
    let mut set_positional = false;
    while let Some(arg) = args.get(i) {
        let (on, letters) = match arg.first() {
            Some(b'-') => (true, &arg[1..]),
            Some(b'+') => (false, &arg[1..]),
            _ => break,
        };
        if arg == b"--" {
            set_positional = true;
            i += 1;
            break;
        }
        if letters.is_empty() && !on {
            // A lone `+` is an option with no letter: nothing, and the options go on.
            i += 1;
            continue;
        }
        if letters.is_empty() {
            // `set -` ends the options and turns off -v and -x.
            sh.options.verbose = false;
            sh.options.xtrace = false;
            i += 1;
            set_positional = i < args.len();
            break;
        }
        i += 1;
        for &c in letters {
            if c == b'o' {
                match args.get(i) {
                    None => {
                        list_options(sh, !on);
                    }
                    Some(name) => {
                        let ok = std::str::from_utf8(name)
                            .map(|n| set_option(sh, n, on))
                            .unwrap_or(false);
                        if !ok && sh.options.bash() {
                            let m = [&name[..], b": invalid option name"].concat();
                            return ShellError::builtin("set", ErrorKind::Message(m)).raise();
                        }
                        if !ok {
                            let mut what = b"-o ".to_vec();
                            what.extend_from_slice(name);
                            return illegal(&what).raise();
                        }
                        i += 1;
                    }
                }
            } else if sh.options.bash()
                && matches!(c, b'E' | b'T' | b'H' | b'B' | b'h' | b'k' | b'P' | b't')
            {
                // bash's own letters (dash's -E is emacs).
                sh.options.set_by_letter(c, on);
            } else {
                let ok = OPTIONS
                    .iter()
                    .find(|(l, _)| *l == Some(c))
                    .map(|(_, n)| set_option(sh, n, on))
                    .unwrap_or(false);
                if !ok && sh.options.bash() {
                    let m = format!(
                        "{}{}: invalid option",
                        if on { '-' } else { '+' },
                        c as char
                    );
                    let usage = "set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]";
                    return super::util::usage_error("set", &m, usage).raise();
                }
                if !ok {
                    return illegal(&[if on { b'-' } else { b'+' }, c]).raise();
                }
            }
        }
    }
    if set_positional || i < args.len() {
        sh.positional = args[i..].to_vec();
        sh.positional_sets = sh.positional_sets.wrapping_add(1);
    }
    Ok(0)
}
