//! `bind` (bash): the line editor's key bindings and variables, in readline's language
//! (`bind '"\e[A": history-search-backward'`, `bind 'set bell-style none'`), as a `.bashrc`
//! sets them. The editor takes them before the next prompt.

use super::util::{out, usage_error};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::interactive::inputrc::{self, key_text, Directive};
use crate::state::Shell;

pub(super) const USAGE: &str = "bind [-lpsvPSVX] [-m keymap] [-f filename] [-q name] [-u name] [-r keyseq] [-x keyseq:shell-command] [keyseq:readline-function or readline-command]";

fn fail(message: String, status: i32) -> ExecResult {
    ShellError::builtin("bind", ErrorKind::text(message))
        .with_status(status)
        .fails()
        .raise()
}

fn warn(sh: &Shell, message: &str) {
    let e = ShellError::builtin("bind", ErrorKind::text(message.to_string()));
    sh.report(&e);
}

/// `bind [-lpPsSvVX] [-m keymap] [-f file] [-q name] [-u name] [-r keyseq] [line ...]`
pub fn bind(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.interactive {
        inputrc::start(sh);
    } else {
        warn(sh, "warning: line editing not enabled");
    }
    let mut i = 1;
    let mut status = 0;
    // bash reads every option before it acts: `-m` names the keymap of `-x`, `-X` and `-r`
    // wherever it stands.
    let mut keymap = None;
    let mut command_keys = Vec::new();
    let mut list_commands = false;
    let mut removals = Vec::new();
    while let Some(arg) = args.get(i) {
        let Some(flags) = arg.strip_prefix(b"-").filter(|f| !f.is_empty()) else {
            break;
        };
        i += 1;
        if flags == b"-" {
            break;
        }
        for (at, &flag) in flags.iter().enumerate() {
            // An option that takes an argument takes the rest of the word, or the next word.
            let mut operand = || -> Option<String> {
                let rest = &flags[at + 1..];
                let word = if rest.is_empty() {
                    let w = args.get(i)?.clone();
                    i += 1;
                    w
                } else {
                    rest.to_vec()
                };
                Some(String::from_utf8_lossy(&word).into_owned())
            };
            match flag {
                b'l' => list_functions(),
                b'p' | b'P' => list_keys(sh, flag == b'p', false),
                b's' | b'S' => list_keys(sh, flag == b's', true),
                b'v' | b'V' => list_vars(sh, flag == b'v'),
                b'X' => list_commands = true,
                b'm' | b'f' | b'q' | b'u' | b'r' | b'x' => {
                    let Some(value) = operand() else {
                        let message = format!("-{}: option requires an argument", flag as char);
                        return usage_error("bind", &message, USAGE).raise();
                    };
                    match flag {
                        b'm' => match inputrc::keymap(&value) {
                            Some(k) => keymap = Some(k),
                            None => return fail(format!("`{value}': invalid keymap name"), 1),
                        },
                        b'x' => command_keys.push(value),
                        b'r' => removals.push(value),
                        _ => status = status.max(with_operand(sh, flag, &value)?),
                    }
                    break;
                }
                other => {
                    let message = format!("-{}: invalid option", other as char);
                    return usage_error("bind", &message, USAGE).raise();
                }
            }
        }
    }
    // Without `-m`, the keymap of the editing mode.
    let keymap = keymap.unwrap_or(if sh.options.vi { "vi-insert" } else { "emacs" });
    for keys in removals {
        let bytes = inputrc::key_bytes(&keys, true);
        sh.readline.unbind(|k, _, _| k != bytes.as_slice());
        sh.readline.unbind_command(&bytes, keymap);
    }
    for binding in command_keys {
        match inputrc::parse_command_binding(&binding) {
            Ok((keys, command)) => sh.readline.bind_command(keys, keymap, command),
            Err(e) => {
                warn(sh, &e);
                status = 1;
            }
        }
    }
    if list_commands {
        list_command_keys(sh, keymap);
    }
    for line in &args[i..] {
        let line = String::from_utf8_lossy(line);
        match inputrc::parse(&line) {
            Ok(Some(Directive::Conditional(_))) | Ok(None) => {}
            Ok(Some(d)) => {
                let mut vi = sh.options.vi;
                sh.readline.apply(d, &mut vi);
                sh.options.vi = vi;
                sh.options.emacs = !vi;
            }
            Err(e) => {
                warn(sh, &format!("`{line}': {e}"));
                status = 1;
            }
        }
    }
    Ok(status)
}

fn with_operand(sh: &mut Shell, flag: u8, value: &str) -> Result<i32, crate::exec::Divert> {
    match flag {
        b'f' => {
            let path = std::path::Path::new(value);
            if std::fs::metadata(path).is_err() {
                return fail(
                    format!("{value}: cannot read: No such file or directory"),
                    1,
                );
            }
            inputrc::read_into(sh, path);
            Ok(0)
        }
        b'q' => {
            if inputrc::command(value).is_none() {
                return fail(format!("`{value}': unknown function name"), 1);
            }
            let keys = keys_of(sh, value);
            if keys.is_empty() {
                out(format!("{value} is not bound to any keys.\n").as_bytes());
                return Ok(1);
            }
            out(format!("{value} can be invoked via {}.\n", keys.join(", ")).as_bytes());
            Ok(0)
        }
        b'u' => {
            if inputrc::command(value).is_none() {
                return fail(format!("`{value}': unknown function name"), 1);
            }
            sh.readline.unbind(|_, t, m| m || t != value);
            Ok(0)
        }
        _ => Ok(0),
    }
}

/// `-X`: the keys of `keymap` that run shell commands, as `-x` takes them back.
fn list_command_keys(sh: &Shell, keymap: &str) {
    let mut text = String::new();
    for c in sh.readline.commands.iter().filter(|c| c.keymap == keymap) {
        let command = c.command.replace('\\', "\\\\").replace('"', "\\\"");
        text.push_str(&format!("\"{}\": \"{command}\"\n", key_text(&c.keys)));
    }
    out(text.as_bytes());
}

/// The keys bound to `function`, in readline's order, as `bind -q` names them.
fn keys_of(sh: &Shell, function: &str) -> Vec<String> {
    let mut keys: Vec<Vec<u8>> = sh
        .readline
        .effective_keys(sh.options.vi)
        .into_iter()
        .filter(|(_, t, m)| !m && t == function)
        .map(|(k, _, _)| k)
        .collect();
    keys.sort_unstable();
    keys.iter()
        .map(|k| format!("\"{}\"", key_text(k)))
        .collect()
}

fn list_functions() {
    let mut text = String::new();
    for f in inputrc::FUNCTIONS {
        text.push_str(f);
        text.push('\n');
    }
    out(text.as_bytes());
}

/// `-p`/`-s` (re-readable) or `-P`/`-S` (prose): the bindings to functions (every function,
/// the unbound ones said so, as bash lists them), or the macros.
fn list_keys(sh: &Shell, readable: bool, macros: bool) {
    let mut text = String::new();
    if !macros {
        for f in inputrc::FUNCTIONS {
            let keys = keys_of(sh, f);
            match (readable, keys.is_empty()) {
                (true, true) => text.push_str(&format!("# {f} (not bound)\n")),
                (true, false) => keys
                    .iter()
                    .for_each(|k| text.push_str(&format!("{k}: {f}\n"))),
                (false, true) => text.push_str(&format!("{f} is not bound to any keys\n")),
                (false, false) => {
                    text.push_str(&format!("{f} can be found on {}.\n", keys.join(", ")))
                }
            }
        }
        out(text.as_bytes());
        return;
    }
    let bound = sh.readline.keys.iter().filter(|(_, _, m)| *m);
    if readable {
        for (k, t, _) in bound {
            let (k, t) = (key_text(k), key_text(t.as_bytes()));
            text.push_str(&format!("\"{k}\": \"{t}\"\n"));
        }
    } else {
        for (k, t, _) in bound {
            let shown = key_text(t.as_bytes());
            text.push_str(&format!("{} outputs {shown}\n", key_text(k)));
        }
    }
    out(text.as_bytes());
}

fn list_vars(sh: &Shell, readable: bool) {
    let mut text = String::new();
    for (name, mut value) in sh.readline.all_vars() {
        // The editing mode is the shell's (`set -o vi`), whichever way it was chosen.
        let vi = sh.options.vi;
        match name.as_str() {
            "editing-mode" => value = if vi { "vi" } else { "emacs" }.to_string(),
            "keymap" => value = if vi { "vi-insert" } else { "emacs" }.to_string(),
            _ => {}
        }
        if readable {
            text.push_str(&format!("set {name} {value}\n"));
        } else {
            text.push_str(&format!("{name} is set to `{value}'\n"));
        }
    }
    out(text.as_bytes());
}
