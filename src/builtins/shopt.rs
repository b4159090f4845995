//! `shopt` (bash): the bash options (`src/state/shopt.rs`), and with `-o` the options of
//! `set -o`.

use super::util::out;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::options::OPTIONS;
use crate::state::shopt::NAMES;
use crate::state::Shell;

fn fail(message: String, status: i32) -> ShellError {
    ShellError::builtin("shopt", ErrorKind::text(message))
        .with_status(status)
        .fails()
}

/// `shopt [-pqsu] [-o] [optname ...]`
pub fn shopt(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let (mut set, mut unset, mut print, mut quiet, mut set_o) = (false, false, false, false, false);
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if a == b"--" {
            i += 1;
            break;
        }
        if a.len() < 2 || a[0] != b'-' {
            break;
        }
        for &c in &a[1..] {
            match c {
                b's' => set = true,
                b'u' => unset = true,
                b'p' => print = true,
                b'q' => quiet = true,
                b'o' => set_o = true,
                _ => {
                    let m = format!(
                        "-{}: invalid option\nshopt: usage: shopt [-pqsu] [-o] [optname ...]",
                        c as char
                    );
                    return fail(m, 2).raise();
                }
            }
        }
        i += 1;
    }
    if set && unset {
        return fail(
            "cannot set and unset shell options simultaneously".to_string(),
            1,
        )
        .raise();
    }
    let names: Vec<String> = args[i..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let known: Vec<&str> = if set_o && sh.options.bash() {
        crate::state::options::BASH_OPTIONS.to_vec()
    } else if set_o {
        OPTIONS.iter().map(|(_, n)| *n).collect()
    } else {
        NAMES.iter().map(|(n, _)| *n).collect()
    };
    let value = |sh: &Shell, n: &str| -> Option<bool> {
        if set_o {
            sh.option_on(n)
        } else {
            sh.options.shopt.get(n)
        }
    };
    let mut status = 0;
    if set || unset {
        if names.is_empty() {
            // `shopt -s` alone lists the options that are on.
            list(sh, &known, set_o, print, |v| v == set, &value);
            return Ok(0);
        }
        for n in &names {
            let ok = if set_o {
                known.contains(&n.as_str()) && {
                    sh.options.set_by_name(n, set);
                    true
                }
            } else if n == "login_shell" {
                // Read-only: how the shell started, which bash lets no one change.
                true
            } else {
                sh.options.shopt.set(n, set)
            };
            if !ok {
                sh.report(&fail(invalid_name(n, set_o), 1));
                status = 1;
            } else if !set_o {
                crate::expand::pattern::set_extglob(
                    sh.options.shopt.on(crate::state::shopt::EXTGLOB),
                );
                if n == "expand_aliases" {
                    // Aliases are expanded unless turned off by name (see `Shell::aliases_off`).
                    sh.aliases_off = !set;
                }
            }
        }
        return Ok(status);
    }
    if names.is_empty() {
        if !quiet {
            list(sh, &known, set_o, print, |_| true, &value);
        }
        return Ok(0);
    }
    let mut text = Vec::new();
    for n in &names {
        match value(sh, n) {
            Some(v) => {
                if !quiet {
                    text.extend_from_slice(&line(n, v, set_o, print));
                }
                if !v {
                    status = 1;
                }
            }
            None => {
                // What came before is written first, as bash writes it.
                out(&std::mem::take(&mut text));
                sh.report(&fail(invalid_name(n, set_o), 1));
                status = 1;
            }
        }
    }
    out(&text);
    Ok(status)
}

fn line(name: &str, on: bool, set_o: bool, print: bool) -> Vec<u8> {
    if print {
        return if set_o {
            format!("set {}o {name}\n", if on { '-' } else { '+' })
        } else {
            format!("shopt {} {name}\n", if on { "-s" } else { "-u" })
        }
        .into_bytes();
    }
    format!("{name:<15}\t{}\n", if on { "on" } else { "off" }).into_bytes()
}

fn list(
    sh: &Shell,
    known: &[&str],
    set_o: bool,
    print: bool,
    pick: impl Fn(bool) -> bool,
    value: &dyn Fn(&Shell, &str) -> Option<bool>,
) {
    let mut text = Vec::new();
    for n in known {
        let v = value(sh, n).unwrap_or(false);
        if pick(v) {
            text.extend_from_slice(&line(n, v, set_o, print));
        }
    }
    out(&text);
}

/// bash's words for a name that is no option: `-o` names are the `set -o` ones.
fn invalid_name(name: &str, set_o: bool) -> String {
    match set_o {
        true => format!("{name}: invalid option name"),
        false => format!("{name}: invalid shell option name"),
    }
}
