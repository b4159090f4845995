//! `alias` (XCU 2.3.1): defining and printing entries of the table the parser consults.

use super::util::{out, quote_for_reuse};
use crate::exec::{Context, ExecResult};
use crate::state::Shell;

fn line(name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut l = name.to_vec();
    l.push(b'=');
    l.extend_from_slice(&quote_for_reuse(value));
    l.push(b'\n');
    l
}

/// `alias [name[=value]...]`: define, or print `name='value'` (all, sorted, with no operands).
pub fn alias(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if args.len() == 1 {
        let mut names: Vec<_> = sh.aliases.iter().collect();
        names.sort();
        let mut text = Vec::new();
        for (n, v) in names {
            text.extend_from_slice(&line(n, v));
        }
        out(&text);
        return Ok(0);
    }
    let mut status = 0;
    for arg in &args[1..] {
        match arg.iter().position(|&b| b == b'=') {
            Some(eq) => {
                sh.aliases
                    .insert(arg[..eq].to_vec(), arg[eq + 1..].to_vec());
            }
            None => match sh.aliases.get(arg.as_slice()) {
                Some(v) => {
                    out(&line(arg, v));
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
