//! `mapfile` and `readarray` (bash): lines of input into an indexed array.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::vars::{Array, Key};
use crate::state::Shell;

fn usage(message: String) -> ExecResult {
    ShellError::builtin("mapfile", ErrorKind::text(message))
        .with_status(1)
        .fails()
        .raise()
}

/// `mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [array]`; the array is
/// `MAPFILE` when none is named. `-C`/`-c` (a callback every so many lines) are accepted and
/// the callback is run as bash runs it.
pub fn mapfile(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    sh.audit.flush();
    let mut delim = b'\n';
    let mut count: Option<usize> = None;
    let mut origin: Option<i64> = None;
    let mut skip = 0usize;
    let mut trim = false;
    let mut fd = 0;
    let mut callback: Option<Vec<u8>> = None;
    let mut quantum = 5000usize;
    let mut opts = super::getopts::NextOpt::new(args.get(1..).unwrap_or(&[]));
    loop {
        match opts.next(b"d:n:O:s:tu:C:c:") {
            Ok(Some((c, a))) => {
                let a = a.unwrap_or_default();
                let text = String::from_utf8_lossy(a).into_owned();
                let number = || text.parse::<i64>().ok().filter(|n| *n >= 0);
                match c {
                    b'd' => delim = a.first().copied().unwrap_or(0),
                    b'n' => match number() {
                        Some(n) => count = Some(n as usize).filter(|n| *n > 0),
                        None => return usage(format!("{text}: invalid line count")),
                    },
                    b'O' => match number() {
                        Some(n) => origin = Some(n),
                        None => return usage(format!("{text}: invalid array origin")),
                    },
                    b's' => match number() {
                        Some(n) => skip = n as usize,
                        None => return usage(format!("{text}: invalid line count")),
                    },
                    b't' => trim = true,
                    b'u' => match super::util::input_fd(&text) {
                        Ok(n) => fd = n,
                        Err(message) => return usage(message),
                    },
                    b'C' => callback = Some(a.to_vec()),
                    b'c' => match number() {
                        Some(n) if n > 0 => quantum = n as usize,
                        _ => return usage(format!("{text}: invalid callback quantum")),
                    },
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(m) => {
                return ShellError::builtin("mapfile", ErrorKind::Message(m))
                    .fails()
                    .raise()
            }
        }
    }
    let rest = opts.rest();
    let name = rest.first().cloned().unwrap_or_else(|| b"MAPFILE".to_vec());
    if !crate::state::vars::is_name(&name) {
        let m = format!(
            "`{}': not a valid identifier",
            String::from_utf8_lossy(&name)
        );
        return ShellError::builtin("mapfile", ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    if sh.vars.array(&name).is_some_and(|a| a.is_assoc()) {
        let m = format!("{}: not an indexed array", String::from_utf8_lossy(&name));
        return ShellError::builtin("mapfile", ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    // Without -O the array is emptied first; with it, lines go from that index on (a string
    // variable becomes the array's element 0, as an array assignment makes it).
    let mut array = match (origin, sh.vars.array(&name)) {
        (Some(_), Some(a)) => a.clone(),
        (Some(_), None) => {
            let mut a = Array::indexed();
            if let Some(v) = sh.vars.get(&name) {
                a.set(Key::Index(0), v.to_vec());
            }
            a
        }
        _ => Array::indexed(),
    };
    let mut index = origin.unwrap_or(0);
    let mut read_lines = 0usize;
    let mut stored = 0usize;
    let mut line = Vec::new();
    let mut input = crate::sys::fd::ByteReader::new(fd);
    loop {
        if count.is_some_and(|n| stored >= n) {
            break;
        }
        let got = input.byte().ok().flatten();
        match got {
            Some(b) => {
                line.push(b);
                if b != delim {
                    continue;
                }
            }
            None if line.is_empty() => break,
            None => {}
        }
        let at_end = got.is_none();
        read_lines += 1;
        if read_lines > skip {
            let mut value = std::mem::take(&mut line);
            // A NUL delimiter is always dropped: no value can hold one.
            if (trim || delim == 0) && value.last() == Some(&delim) {
                value.pop();
            }
            // bash keeps a line up to its first NUL.
            if let Some(nul) = value.iter().position(|&c| c == 0) {
                value.truncate(nul);
            }
            if let Some(cb) = &callback {
                if stored % quantum == quantum - 1 || quantum == 1 {
                    let mut text = cb.clone();
                    text.push(b' ');
                    text.extend_from_slice(index.to_string().as_bytes());
                    text.push(b' ');
                    text.extend_from_slice(&crate::builtins::quote_for_reuse(&value));
                    // The callback may read the same file: it starts where the line ends.
                    input = crate::sys::fd::ByteReader::new(fd);
                    let _ = crate::exec::eval::run_text(sh, &text, None, Context::default());
                }
            }
            array.set(Key::Index(index), value);
            index += 1;
            stored += 1;
        } else {
            line.clear();
        }
        if at_end {
            break;
        }
    }
    if let Err(e) = sh.vars.set_array(&name, array) {
        // bash names the variable alone (`a: readonly variable`).
        return ShellError::new(ErrorKind::Variable(e))
            .with_status(1)
            .fails()
            .raise();
    }
    Ok(0)
}
