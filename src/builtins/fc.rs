//! `fc` (XCU fc): list, edit and re-run commands from the history of an interactive shell.
//!
//! ```text
//! fc [-r] [-e editor] [first [last]]
//! fc -l [-nr] [first [last]]
//! fc -s [old=new] [first]          (also: fc -e - [old=new] [first])
//! ```
//!
//! A command that `fc` re-runs is not run inside `fc`: it is handed to the read-eval loop as
//! the next command line, so it is read, entered into the history and recorded like a command
//! typed at the prompt. The `fc` command itself leaves the history (POSIX).

use crate::builtins::util::write_output;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

#[derive(Default)]
struct Args {
    list: bool,
    numbers: bool,
    reverse: bool,
    substitute: bool,
    editor: Option<Vec<u8>>,
    operands: Vec<Vec<u8>>,
}

fn usage(msg: &str) -> ExecResult {
    super::util::usage_error(
        "fc",
        msg,
        "fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]",
    )
    .raise()
}

/// `fc`'s other errors: status 1, the shell goes on.
fn failure(msg: &str) -> ExecResult {
    ShellError::builtin("fc", ErrorKind::text(msg))
        .with_status(1)
        .fails()
        .raise()
}

fn out_of_range() -> ExecResult {
    failure("history specification out of range")
}

/// A negative number is an operand, not options.
fn is_negative_number(arg: &[u8]) -> bool {
    arg.len() > 1 && arg[0] == b'-' && arg[1..].iter().all(u8::is_ascii_digit)
}

fn parse(args: &[Vec<u8>]) -> Result<Args, String> {
    let mut a = Args {
        numbers: true,
        ..Args::default()
    };
    let mut i = 1;
    while i < args.len() {
        let arg = &args[i];
        if arg.as_slice() == b"--" {
            i += 1;
            break;
        }
        if arg.len() < 2 || arg[0] != b'-' || is_negative_number(arg) {
            break;
        }
        let mut j = 1;
        while j < arg.len() {
            match arg[j] {
                b'l' => a.list = true,
                b'n' => a.numbers = false,
                b'r' => a.reverse = true,
                b's' => a.substitute = true,
                b'e' => {
                    let Some(value) = super::util::option_value(args, &mut i, j) else {
                        return Err("-e: option requires an argument".to_string());
                    };
                    a.editor = Some(value);
                    j = arg.len();
                    continue;
                }
                c => return Err(format!("-{}: invalid option", c as char)),
            }
            j += 1;
        }
        i += 1;
    }
    a.operands = args[i.min(args.len())..].to_vec();
    if a.editor.as_deref() == Some(b"-") {
        a.editor = None;
        a.substitute = true;
    }
    Ok(a)
}

/// The entry a `first`/`last` operand names: a number (negative: counted back from the
/// current command), or the most recent command starting with the text.
fn resolve(entries: &[(usize, &[u8])], current: usize, spec: &[u8]) -> Option<usize> {
    let as_number = std::str::from_utf8(spec)
        .ok()
        .and_then(|s| s.parse::<i64>().ok());
    match as_number {
        Some(n) if n > 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        Some(n) if n < 0 => {
            let back = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
            Some(current.saturating_sub(back))
        }
        Some(_) => Some(current.saturating_sub(1)),
        None => entries
            .iter()
            .rev()
            .find(|(_, text)| text.starts_with(spec))
            .map(|(n, _)| *n),
    }
}

pub fn fc(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let a = match parse(args) {
        Ok(a) => a,
        Err(msg) => return usage(&msg),
    };
    if !sh.options.interactive && !sh.options.history && !a.list {
        return failure("no command found");
    }
    if a.list {
        list(sh, &a)
    } else if a.substitute {
        substitute(sh, &a)
    } else {
        edit(sh, &a)
    }
}

fn list(sh: &mut Shell, a: &Args) -> ExecResult {
    if a.operands.len() > 2 && !sh.options.bash() {
        // bash reads the first two and ignores the rest.
        return usage("too many arguments");
    }
    let entries = sh.history.visible();
    let (Some(oldest), Some(newest)) = (entries.first().map(|e| e.0), entries.last().map(|e| e.0))
    else {
        return Ok(0);
    };
    let current = sh.history.current_number();
    let first_spec = a
        .operands
        .first()
        .cloned()
        .unwrap_or_else(|| b"-16".to_vec());
    let last_spec = a.operands.get(1).cloned().unwrap_or_else(|| b"-1".to_vec());
    let (Some(first), Some(last)) = (
        resolve(&entries, current, &first_spec),
        resolve(&entries, current, &last_spec),
    ) else {
        return out_of_range();
    };
    let first = first.clamp(oldest, newest);
    let last = last.clamp(oldest, newest);
    // A range given newest first is listed so; -r does not turn it back (bash).
    let (lo, hi, reverse) = if first <= last {
        (first, last, a.reverse)
    } else {
        (last, first, true)
    };
    let mut chosen: Vec<&(usize, &[u8])> = entries
        .iter()
        .filter(|(n, _)| *n >= lo && *n <= hi)
        .collect();
    if reverse {
        chosen.reverse();
    }
    let mut out = Vec::new();
    for (n, text) in chosen {
        if a.numbers {
            out.extend_from_slice(n.to_string().as_bytes());
        }
        if sh.options.bash() {
            // bash: a tab and a blank (a `*` marks an edited entry), then the entry as is.
            out.extend_from_slice(b"\t ");
            out.extend_from_slice(text);
            out.push(b'\n');
            continue;
        }
        for line in text.split(|&b| b == b'\n') {
            out.push(b'\t');
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    write_output(sh, "fc", &out)?;
    Ok(0)
}

/// The text of the entry named by `spec` (default: the previous command).
fn pick(sh: &Shell, spec: Option<&[u8]>) -> Option<(usize, Vec<u8>)> {
    let entries = sh.history.visible();
    let current = sh.history.current_number();
    let n = resolve(&entries, current, spec.unwrap_or(b"-1"))?;
    entries
        .iter()
        .find(|(m, _)| *m == n)
        .map(|(m, t)| (*m, t.to_vec()))
}

fn substitute(sh: &mut Shell, a: &Args) -> ExecResult {
    let mut operands = a.operands.as_slice();
    let mut replace: Option<(Vec<u8>, Vec<u8>)> = None;
    if let Some(first) = operands.first() {
        if let Some(eq) = first.iter().position(|&b| b == b'=') {
            replace = Some((first[..eq].to_vec(), first[eq + 1..].to_vec()));
            operands = &operands[1..];
        }
    }
    if operands.len() > 1 {
        return usage("too many arguments");
    }
    let Some((_, mut text)) = pick(sh, operands.first().map(Vec::as_slice)) else {
        return out_of_range();
    };
    if let Some((old, new)) = replace.filter(|(old, _)| !old.is_empty()) {
        // POSIX replaces the first occurrence; bash every one.
        let mut from = 0;
        while let Some(at) = text[from..]
            .windows(old.len())
            .position(|w| w == old.as_slice())
        {
            let at = from + at;
            text.splice(at..at + old.len(), new.iter().copied());
            from = at + new.len();
            if !sh.options.bash() {
                break;
            }
        }
    }
    rerun(sh, text)
}

/// Show `text` and run it in place of the `fc` command: at the prompt, handed to the
/// read-eval loop as the next command line; elsewhere (a script with `set -o history`), now.
fn rerun(sh: &mut Shell, text: Vec<u8>) -> ExecResult {
    let mut shown = text.clone();
    if shown.last() != Some(&b'\n') {
        shown.push(b'\n');
    }
    crate::sys::fd::write_all(2, &shown);
    sh.history.remove_current();
    if sh.options.interactive {
        sh.history.set_rerun(text);
        return Ok(0);
    }
    sh.history.add(&text);
    crate::exec::eval::run_text(sh, &text, None, Context::default())
}

fn edit(sh: &mut Shell, a: &Args) -> ExecResult {
    if a.operands.len() > 2 && !sh.options.bash() {
        // bash reads the first two and ignores the rest.
        return usage("too many arguments");
    }
    let entries = sh.history.visible();
    let current = sh.history.current_number();
    let first_spec = a
        .operands
        .first()
        .cloned()
        .unwrap_or_else(|| b"-1".to_vec());
    let first = resolve(&entries, current, &first_spec);
    let last = match a.operands.get(1) {
        Some(spec) => resolve(&entries, current, spec),
        None => first,
    };
    let (Some(first), Some(last)) = (first, last) else {
        return out_of_range();
    };
    let (lo, hi) = (first.min(last), first.max(last));
    let mut chosen: Vec<Vec<u8>> = entries
        .iter()
        .filter(|(n, _)| *n >= lo && *n <= hi)
        .map(|(_, t)| t.to_vec())
        .collect();
    if chosen.is_empty() {
        return out_of_range();
    }
    if first > last || a.reverse {
        chosen.reverse();
    }
    let mut body = Vec::new();
    for c in &chosen {
        body.extend_from_slice(c);
        body.push(b'\n');
    }
    let editor = match &a.editor {
        Some(e) => e.clone(),
        None => sh
            .get_var(b"FCEDIT")
            .filter(|e| !e.is_empty())
            .map(<[u8]>::to_vec)
            .unwrap_or_else(|| b"ed".to_vec()),
    };
    let Some(path) = temp_file(&body) else {
        return failure("cannot create a temporary file");
    };
    // The editor is started as a command of this `fc` (so it is recorded as a program run).
    let mut command = editor;
    command.push(b' ');
    command.extend_from_slice(&crate::builtins::quote_for_reuse(&path));
    let status = crate::exec::eval::run_text(sh, &command, None, Context::default())?;
    let edited = std::fs::read(crate::state::os(&path));
    let _ = std::fs::remove_file(crate::state::os(&path));
    if status != 0 {
        return Ok(status);
    }
    match edited {
        Ok(text) if !text.iter().all(u8::is_ascii_whitespace) => {
            let mut text = text;
            while text.last() == Some(&b'\n') {
                text.pop();
            }
            rerun(sh, text)
        }
        Ok(_) => Ok(0),
        Err(_) => failure("cannot read the edited file"),
    }
}

/// A new private file in $TMPDIR (or /tmp) holding `body`; its path.
fn temp_file(body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    let dir = std::env::var_os("TMPDIR")
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/tmp".into());
    let mut prefix = dir.as_bytes().to_vec();
    prefix.extend_from_slice(b"/auditsh-fc.");
    let (mut file, path) = crate::sys::fs::temp_file(&prefix).ok()?;
    if file.write_all(body).is_err() {
        let _ = std::fs::remove_file(crate::state::os(&path));
        return None;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn options_and_operands() {
        let a = parse(&v(&["fc", "-lnr", "-5", "x"])).unwrap_or_default();
        assert!(a.list && !a.numbers && a.reverse);
        assert_eq!(a.operands, v(&["-5", "x"]));
        let a = parse(&v(&["fc", "-e", "-", "a=b"])).unwrap_or_default();
        assert!(a.substitute && a.editor.is_none());
        let a = parse(&v(&["fc", "-evi", "3"])).unwrap_or_default();
        assert_eq!(a.editor, Some(b"vi".to_vec()));
        assert!(parse(&v(&["fc", "-e"])).is_err());
        assert!(parse(&v(&["fc", "-q"])).is_err());
    }

    #[test]
    fn specs_resolve() {
        let e: Vec<(usize, &[u8])> = vec![(3, b"echo a"), (4, b"ls -l"), (5, b"echo b")];
        assert_eq!(resolve(&e, 6, b"-1"), Some(5));
        assert_eq!(resolve(&e, 6, b"4"), Some(4));
        assert_eq!(resolve(&e, 6, b"echo"), Some(5));
        assert_eq!(resolve(&e, 6, b"ls"), Some(4));
        assert_eq!(resolve(&e, 6, b"nothing"), None);
        assert_eq!(resolve(&e, 6, b"-99999999999999999999"), None);
    }
}
