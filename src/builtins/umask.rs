//! `umask [-S] [mask]` (XCU umask), as dash does it: octal (`0022`) or symbolic
//! (`u=rwx,g=rx,o=rx`) display; octal or symbolic (`u=rwx,g=,o-w`, `a+x`) setting.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// The mask as `umask -S` shows it: the permissions it leaves.
pub fn symbolic(mask: u32) -> String {
    let perms = !mask;
    let mut out = String::new();
    for (i, who) in ['u', 'g', 'o'].into_iter().enumerate() {
        out.push(who);
        out.push('=');
        for (j, what) in ['r', 'w', 'x'].into_iter().enumerate() {
            if perms & (1 << (8 - (3 * i + j))) != 0 {
                out.push(what);
            }
        }
        out.push(',');
    }
    out.pop();
    out
}

/// The new mask for argument `arg` given the current mask, or dash's error message.
pub fn parse(arg: &[u8], current: u32) -> Result<u32, String> {
    if arg.first().is_some_and(u8::is_ascii_digit) {
        let mut m: u32 = 0;
        for &c in arg {
            if !(b'0'..=b'7').contains(&c) {
                return Err(format!("Illegal number: {}", String::from_utf8_lossy(arg)));
            }
            m = m.wrapping_shl(3).wrapping_add(u32::from(c - b'0'));
        }
        return Ok(m & 0o777);
    }
    let perms = !current & 0o777;
    let mut new = perms;
    let mut i = 0;
    let mut positions = 0u32;
    while i < arg.len() {
        while let Some(&c) = arg.get(i).filter(|c| b"augo".contains(c)) {
            positions |= match c {
                b'a' => 0o111,
                b'u' => 0o100,
                b'g' => 0o010,
                _ => 0o001,
            };
            i += 1;
        }
        if positions == 0 {
            positions = 0o111;
        }
        if i == arg.len() {
            // dash reads past the end here; it ends with an error.
            return Err(format!("Illegal mode: {}", String::from_utf8_lossy(arg)));
        }
        let Some(&op) = arg.get(i).filter(|c| b"=+-".contains(c)) else {
            break;
        };
        i += 1;
        let mut val = 0u32;
        while let Some(&c) = arg.get(i).filter(|c| b"rwxugoXs".contains(c)) {
            val |= match c {
                b'r' => 0o4,
                b'w' => 0o2,
                b'x' => 0o1,
                b'u' => perms >> 6,
                b'g' => perms >> 3,
                b'o' => perms,
                b'X' if perms & 0o111 != 0 => 0o1,
                _ => 0,
            };
            i += 1;
        }
        let val = (val & 0o7) * positions;
        match op {
            b'-' => new &= !val,
            b'=' => new = val | (new & !(positions * 0o7)),
            _ => new |= val,
        }
        match arg.get(i) {
            Some(b',') => {
                positions = 0;
                i += 1;
            }
            Some(c) if b"=+-".contains(c) => {}
            _ => break,
        }
    }
    if i < arg.len() {
        return Err(format!("Illegal mode: {}", String::from_utf8_lossy(arg)));
    }
    Ok(!new & 0o777)
}

/// The new mask for `arg` as bash reads it: octal up to 07777, of which the permission bits
/// count, or clauses `[ugoa]*[-+=][rwx]*` separated by commas; bash's message otherwise.
pub fn parse_bash(arg: &[u8], current: u32) -> Result<u32, String> {
    if arg.first().is_some_and(u8::is_ascii_digit) {
        let mut m: u32 = 0;
        for &c in arg {
            if !(b'0'..=b'7').contains(&c) || m > 0o7777 {
                break;
            }
            m = m * 8 + u32::from(c - b'0');
        }
        if m > 0o7777 || arg.iter().any(|c| !(b'0'..=b'7').contains(c)) {
            return Err(format!(
                "{}: octal number out of range",
                String::from_utf8_lossy(arg)
            ));
        }
        return Ok(m & 0o777);
    }
    // bash shows the end of the text as the NUL that ends its C string.
    let shown = |c: Option<&u8>| char::from(c.copied().unwrap_or(0));
    let mut perms = !current & 0o777;
    let mut i = 0;
    loop {
        let mut positions = 0u32;
        while let Some(&c) = arg.get(i).filter(|c| b"augo".contains(c)) {
            positions |= match c {
                b'a' => 0o777,
                b'u' => 0o700,
                b'g' => 0o070,
                _ => 0o007,
            };
            i += 1;
        }
        if positions == 0 {
            positions = 0o777;
        }
        let op = arg.get(i).copied();
        if !matches!(op, Some(b'=' | b'+' | b'-')) {
            return Err(format!(
                "`{}': invalid symbolic mode operator",
                shown(arg.get(i))
            ));
        }
        i += 1;
        let mut bits = 0u32;
        while let Some(&c) = arg.get(i).filter(|c| b"rwx".contains(c)) {
            bits |= match c {
                b'r' => 0o444,
                b'w' => 0o222,
                _ => 0o111,
            };
            i += 1;
        }
        if !matches!(arg.get(i), None | Some(b',')) {
            return Err(format!(
                "`{}': invalid symbolic mode character",
                shown(arg.get(i))
            ));
        }
        let bits = bits & positions;
        perms = match op {
            Some(b'+') => perms | bits,
            Some(b'-') => perms & !bits,
            _ => (perms & !positions) | bits,
        };
        if arg.get(i).is_none() {
            return Ok(!perms & 0o777);
        }
        i += 1;
    }
}

pub fn umask(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let bash = sh.options.bash();
    let mut opts = super::getopts::NextOpt::new(args.get(1..).unwrap_or(&[]));
    let mut symbolic_mode = false;
    // `umask -p` (bash): the mask as a command that sets it.
    let mut reusable = false;
    loop {
        match opts.next(if bash { b"pS" } else { b"S" }) {
            Ok(Some((b'p', _))) => reusable = true,
            Ok(Some(_)) => symbolic_mode = true,
            Ok(None) => break,
            Err(m) => {
                return ShellError::builtin("umask", ErrorKind::Message(m))
                    .fails()
                    .raise();
            }
        }
    }
    let current = crate::sys::process::umask() as u32;
    match opts.rest().first() {
        None => {
            let shown = if symbolic_mode {
                symbolic(current)
            } else {
                format!("{:04o}", current)
            };
            let out = match (reusable, symbolic_mode) {
                (true, true) => format!("umask -S {shown}\n"),
                (true, false) => format!("umask {shown}\n"),
                _ => format!("{shown}\n"),
            };
            super::util::out(out.as_bytes());
            Ok(0)
        }
        Some(arg) => match if bash {
            parse_bash(arg, current)
        } else {
            parse(arg, current)
        } {
            Ok(m) => {
                crate::sys::process::set_umask(m);
                if bash && symbolic_mode {
                    // bash shows the mask it set.
                    super::util::out(format!("{}\n", symbolic(m)).as_bytes());
                }
                Ok(0)
            }
            Err(e) => ShellError::builtin("umask", ErrorKind::text(e))
                .fails()
                .raise(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    /// dash's result of `umask START; umask ARG; umask` and its stderr.
    fn dash(start: u32, arg: &str) -> Option<(String, i32)> {
        let d = testutil::dash("umask $1; umask \"$2\" 2>&1; s=$?; umask; umask -S; echo $s")
            .arg(format!("{start:o}"))
            .arg(arg)
            .run()?;
        Some((String::from_utf8_lossy(&d.stdout).into_owned(), 0))
    }

    fn mine(start: u32, arg: &str) -> String {
        match parse(arg.as_bytes(), start) {
            Ok(m) => format!("{:04o}\n{}\n0\n", m, symbolic(m)),
            Err(e) => format!("sh: 1: umask: {e}\n{:04o}\n{}\n2\n", start, symbolic(start)),
        }
    }

    #[test]
    fn against_dash() {
        let cases: &[(u32, &str)] = &[
            (0o022, "027"),
            (0o027, "u=rwx,g=,o-w"),
            (0o077, "a+x"),
            (0o066, "g+w,o=r"),
            (0o022, "8"),
            (0o022, "0778"),
            (0o022, "x"),
            (0o022, "u=rz"),
            (0o022, "u"),
            (0o022, "="),
            (0o022, "7777"),
            (0o001, "+w"),
            (0o001, "o=u"),
            (0o000, "u=g,g+X"),
            (0o022, ""),
            (0o022, "go-rwx"),
            (0o077, "u-w+x"),
            (0o022, "a=rx,u+w"),
            (0o022, "ug=rw,o="),
            (0o022, "o=g"),
            (0o027, "g=o,o=u"),
            (0o022, "u+s,g+t"),
            (0o022, "a+X"),
            (0o777, "a+X"),
            (0o022, "u=r,"),
            (0o022, ",u=r"),
            (0o022, "0"),
            (0o022, "00077"),
            (0o022, "77777777777777"),
            (0o022, "u=r,u"),
            (0o022, "u+"),
            (0o022, "u+s"),
            (0o022, "u+t"),
            (0o022, "u+ug"),
            (0o022, "u=rwx g="),
            (0o022, "u=rw;"),
        ];
        for &(start, arg) in cases {
            if let Some((d, _)) = dash(start, arg) {
                assert_eq!(mine(start, arg), d, "umask {start:o} then {arg:?}");
            }
        }
    }
}
