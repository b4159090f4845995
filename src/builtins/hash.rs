//! `hash`: the paths that PATH searches found, kept so that a name runs again without a
//! search; listed, emptied (`-r`) or filled here.

use super::util::{add_line, out};
use crate::exec::{spawn, Context, ErrorKind, ExecResult};
use crate::state::Shell;

/// `hash [-r] [name...]`
pub fn hash(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut operands = &args[1..];
    if operands.first().map(|a| a.as_slice()) == Some(b"-r") {
        sh.hash.clear();
        operands = &operands[1..];
    }
    if args.len() == 1 {
        let mut paths: Vec<_> = sh.hash.values().cloned().collect();
        paths.sort();
        let mut text = Vec::new();
        for p in paths {
            text.extend_from_slice(&p);
            text.push(b'\n');
        }
        out(&text);
        return Ok(0);
    }
    let mut not_found = None;
    for name in operands {
        if super::lookup(name, sh.options.bash()).is_some()
            || sh.functions.contains_key(name.as_slice())
        {
            continue;
        }
        sh.hash.remove(name.as_slice());
        if spawn::find_in_path(sh, name).is_none() {
            not_found = Some(add_line(
                not_found,
                "hash",
                ErrorKind::NotFound(name.clone()),
            ));
        }
    }
    match not_found {
        Some(e) => e.with_status(1).fails().raise(),
        None => Ok(0),
    }
}
