//! `alias` (XCU 2.3.1): defining and printing entries of the table the parser consults.

use super::util::{out, quote_for_reuse};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `name='value'` as dash prints it; bash puts `alias ` before it and quotes as its
/// `alias` reads back (`'it'\''s'`).
fn line(name: &[u8], value: &[u8], bash: bool) -> Vec<u8> {
    let mut l = Vec::with_capacity(name.len() + value.len() + 10);
    if bash {
        l.extend_from_slice(b"alias ");
        // A name that looks like an option is written after `--`.
        if name.starts_with(b"-") {
            l.extend_from_slice(b"-- ");
        }
    }
    l.extend_from_slice(name);
    l.push(b'=');
    match bash {
        true => l.extend_from_slice(&crate::syntax::quote::single_quoted(value)),
        false => l.extend_from_slice(&quote_for_reuse(value)),
    }
    l.push(b'\n');
    l
}

/// bash's rule for a name it will define: no blank, quote, operator, `$` or `/`.
fn is_alias_name(name: &[u8]) -> bool {
    !name.iter().any(|c| b" \t\n|&;()<>'\"\\`$/".contains(c))
}

/// `alias [name[=value]...]`: define, or print `name='value'` (all, sorted, with no operands).
pub fn alias(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    // bash: `-p` prints the table (as no operand does), `--` ends the options.
    let mut first = 1;
    let mut print = false;
    while sh.options.bash() {
        match args.get(first).map(Vec::as_slice) {
            Some(b"-p") => print = true,
            Some(b"--") => {
                first += 1;
                break;
            }
            _ => break,
        }
        first += 1;
    }
    let args = &args[first - 1..];
    if args.len() == 1 || print {
        let mut names: Vec<_> = sh.aliases.iter().collect();
        names.sort();
        let mut text = Vec::new();
        for (n, v) in names {
            text.extend_from_slice(&line(n, v, sh.options.bash()));
        }
        out(&text);
        if args.len() == 1 {
            return Ok(0);
        }
    }
    let mut status = 0;
    for arg in &args[1..] {
        // bash: `=v` names no alias and is looked up whole.
        let eq = arg.iter().position(|&b| b == b'=');
        match eq.filter(|&eq| eq > 0 || !sh.options.bash()) {
            Some(eq) if sh.options.bash() && !is_alias_name(&arg[..eq]) => {
                let message = [b"`", &arg[..eq], b"': invalid alias name"].concat();
                sh.report(&ShellError::builtin("alias", ErrorKind::text(message)).fails());
                status = 1;
            }
            Some(eq) => {
                sh.aliases
                    .insert(arg[..eq].to_vec(), arg[eq + 1..].to_vec());
            }
            None => match sh.aliases.get(arg.as_slice()) {
                Some(v) => {
                    out(&line(arg, v, sh.options.bash()));
                }
                None if sh.options.bash() => {
                    let message = [&arg[..], b": not found"].concat();
                    sh.report(&ShellError::builtin("alias", ErrorKind::text(message)).fails());
                    status = 1;
                }
                None => {
                    let mut msg = b"alias: ".to_vec();
                    msg.extend_from_slice(arg);
                    msg.extend_from_slice(b" not found\n");
                    crate::sys::fd::write_all(2, &msg);
                    status = 1;
                }
            },
        }
    }
    Ok(status)
}
