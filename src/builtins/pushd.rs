//! `pushd`, `popd` and `dirs` (bash): a stack of directories beside the current one. The
//! stack's entries below the current directory live in the shell (`Shell::dirstack`);
//! `DIRSTACK` shows the whole list.

use super::util::out;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

fn fail(builtin: &'static str, message: String) -> ExecResult {
    ShellError::builtin(builtin, ErrorKind::text(message))
        .with_status(1)
        .fails()
        .raise()
}

/// bash's refusal of an operand (`-z: invalid number`, `zzz: invalid argument`), with the
/// usage line, status 2.
fn usage_error(builtin: &'static str, arg: &[u8], what: &str) -> ExecResult {
    let usage = match builtin {
        "pushd" => "pushd [-n] [+N | -N | dir]",
        "popd" => "popd [-n] [+N | -N]",
        _ => "dirs [-clpv] [+N] [-N]",
    };
    let message = format!("{}: {what}", String::from_utf8_lossy(arg));
    super::util::usage_error(builtin, &message, usage).raise()
}

/// An operand that begins with `+` or `-` and is not a count (`-z`, `+x`, `-`).
fn bad_count(arg: &[u8]) -> bool {
    match arg.split_first() {
        Some((b'+' | b'-', digits)) => digits.is_empty() || !digits.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// The whole list: the current directory, then the stack.
fn list(sh: &Shell) -> Vec<Vec<u8>> {
    std::iter::once(sh.cwd.clone())
        .chain(sh.dirstack.iter().cloned())
        .collect()
}

/// A directory as `dirs` shows it: `~` for HOME unless `long`.
fn shown(sh: &Shell, dir: &[u8], long: bool) -> Vec<u8> {
    if !long {
        if let Some(home) = sh.get_var(b"HOME").filter(|h| !h.is_empty() && *h != b"/") {
            if dir == home {
                return b"~".to_vec();
            }
            if dir.starts_with(home) && dir.get(home.len()) == Some(&b'/') {
                return [b"~", &dir[home.len()..]].concat();
            }
        }
    }
    dir.to_vec()
}

fn print_stack(sh: &Shell) {
    let mut line = Vec::new();
    for (i, d) in list(sh).iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        line.extend_from_slice(&shown(sh, d, false));
    }
    line.push(b'\n');
    out(&line);
}

/// `+N` (from the left, 0 the current directory) or `-N` (from the right) as an index into
/// the whole list of `len` entries.
fn position(arg: &[u8], len: usize) -> Option<usize> {
    let (sign, digits) = arg.split_first()?;
    let n: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
    match sign {
        b'+' if n < len => Some(n),
        b'-' if n < len => Some(len - 1 - n),
        _ => None,
    }
}

/// The entry `~N`, `~+N` or `~-N` names (`name` without the `~`), if the stack has it.
pub fn stack_entry(sh: &Shell, name: &[u8]) -> Option<Vec<u8>> {
    let digits = name
        .strip_prefix(b"+")
        .or(name.strip_prefix(b"-"))
        .unwrap_or(name);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let all = list(sh);
    let signed = match name.first()? {
        b'+' | b'-' => name.to_vec(),
        _ => [b"+", name].concat(),
    };
    position(&signed, all.len()).map(|i| all[i].clone())
}

fn change_to(sh: &mut Shell, dir: &[u8], cx: Context) -> Result<bool, crate::exec::Divert> {
    let status = super::cd::cd(sh, &[b"cd".to_vec(), dir.to_vec()], cx)?;
    Ok(status == 0)
}

/// `pushd [-n] [dir | +N | -N]`
pub fn pushd(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    let mut no_cd = false;
    let mut operand = None;
    for a in &args[1..] {
        match a.as_slice() {
            b"-n" => no_cd = true,
            b"--" => {}
            // `pushd -` is `cd -` kept on the stack.
            b"-" => operand = Some(a.clone()),
            _ if bad_count(a) => return usage_error("pushd", a, "invalid number"),
            _ if operand.is_some() => return fail("pushd", "too many arguments".into()),
            _ => operand = Some(a.clone()),
        }
    }
    match operand {
        None => {
            let Some(top) = sh.dirstack.first().cloned() else {
                return fail("pushd", "no other directory".into());
            };
            let here = sh.cwd.clone();
            if !no_cd && !change_to(sh, &top, cx)? {
                return Ok(1);
            }
            sh.dirstack[0] = here;
        }
        Some(a) if matches!(a.first(), Some(b'+' | b'-')) && a.len() > 1 => {
            if sh.dirstack.is_empty() {
                return fail("pushd", "directory stack empty".into());
            }
            let all = list(sh);
            let Some(n) = position(&a, all.len()) else {
                return fail(
                    "pushd",
                    format!(
                        "{}: directory stack index out of range",
                        String::from_utf8_lossy(&a)
                    ),
                );
            };
            let mut rotated = all[n..].to_vec();
            rotated.extend_from_slice(&all[..n]);
            if !no_cd && !change_to(sh, &rotated[0], cx)? {
                return Ok(1);
            }
            sh.dirstack = rotated[1..].to_vec();
            if no_cd {
                // bash shows the stack after a rotation only when it changed directory.
                return Ok(0);
            }
        }
        Some(dir) => {
            let here = sh.cwd.clone();
            if no_cd {
                let dir = match &dir[..] {
                    b"-" => match sh.get_var(b"OLDPWD") {
                        Some(old) => old.to_vec(),
                        None => return fail("pushd", "OLDPWD not set".into()),
                    },
                    _ => dir,
                };
                sh.dirstack.insert(0, dir);
            } else {
                // Where `cd` would go (CDPATH, cdable_vars, `-`), and what it would print.
                let args = [b"cd".to_vec(), dir];
                if super::cd::change_directory(sh, &args, "pushd")? != 0 {
                    return Ok(1);
                }
                sh.dirstack.insert(0, here);
            }
        }
    }
    print_stack(sh);
    Ok(0)
}

/// `popd [-n] [+N | -N]`
pub fn popd(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    let mut no_cd = false;
    let mut which = None;
    for a in &args[1..] {
        match a.as_slice() {
            b"-n" => no_cd = true,
            b"--" => {}
            _ if bad_count(a) => return usage_error("popd", a, "invalid number"),
            [b'+' | b'-', ..] => which = Some(a.clone()),
            _ => return usage_error("popd", a, "invalid argument"),
        }
    }
    if sh.dirstack.is_empty() {
        return fail("popd", "directory stack empty".into());
    }
    let all = list(sh);
    let n = match &which {
        None => 0,
        Some(a) => match position(a, all.len()) {
            Some(n) => n,
            None => {
                return fail(
                    "popd",
                    format!(
                        "{}: directory stack index out of range",
                        String::from_utf8_lossy(a)
                    ),
                )
            }
        },
    };
    if n == 0 {
        if no_cd {
            sh.dirstack.remove(0);
        } else {
            let next = sh.dirstack[0].clone();
            if !change_to(sh, &next, cx)? {
                return Ok(1);
            }
            sh.dirstack.remove(0);
        }
    } else {
        sh.dirstack.remove(n - 1);
    }
    print_stack(sh);
    Ok(0)
}

/// `dirs [-clpv] [+N | -N]`
pub fn dirs(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let (mut long, mut lines, mut numbered, mut clear) = (false, false, false, false);
    let mut which = None;
    // bash reads each option as a word of its own (`-lv` is no number) and clears the
    // stack only once every word has been read.
    for a in &args[1..] {
        match a.as_slice() {
            b"-c" => clear = true,
            b"-l" => long = true,
            b"-p" => lines = true,
            b"-v" => numbered = true,
            b"--" => break,
            _ if bad_count(a) => return usage_error("dirs", a, "invalid number"),
            [b'+' | b'-', ..] => which = Some(a.clone()),
            _ => return usage_error("dirs", a, "invalid option"),
        }
    }
    if clear {
        sh.dirstack.clear();
        return Ok(0);
    }
    let all = list(sh);
    if let Some(a) = which {
        let Some(n) = position(&a, all.len()) else {
            if all.len() == 1 {
                return fail("dirs", "directory stack empty".into());
            }
            // `dirs` names the position without its sign (pushd and popd keep it).
            return fail(
                "dirs",
                format!(
                    "{}: directory stack index out of range",
                    String::from_utf8_lossy(&a[1..])
                ),
            );
        };
        let mut line = match numbered {
            true => format!("{n:2}  ").into_bytes(),
            false => Vec::new(),
        };
        line.extend_from_slice(&shown(sh, &all[n], long));
        line.push(b'\n');
        out(&line);
        return Ok(0);
    }
    let mut text = Vec::new();
    for (i, d) in all.iter().enumerate() {
        let d = shown(sh, d, long);
        if numbered {
            text.extend_from_slice(format!("{i:2}  ").as_bytes());
            text.extend_from_slice(&d);
            text.push(b'\n');
        } else if lines {
            text.extend_from_slice(&d);
            text.push(b'\n');
        } else {
            if i > 0 {
                text.push(b' ');
            }
            text.extend_from_slice(&d);
        }
    }
    if !numbered && !lines {
        text.push(b'\n');
    }
    out(&text);
    Ok(0)
}
