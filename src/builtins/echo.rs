//! `echo [-n] [arg...]`, as dash does it: only a first `-n` is an option, and backslash
//! escapes are always interpreted (`\c` ends the output). In the bash language, bash's echo:
//! leading `-n`, `-e`, `-E` options (combinable, `-neE`), escapes only with `-e`.

use crate::exec::{Context, ExecResult};
use crate::state::Shell;

/// The bytes echo writes for `args` (without the command name).
pub fn render(args: &[Vec<u8>]) -> Vec<u8> {
    let (args, newline) = match args.first() {
        Some(a) if a.as_slice() == b"-n" => (&args[1..], false),
        _ => (args, true),
    };
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let (s, stop) = super::printf::conv_escape_str(a);
        out.extend_from_slice(&s);
        if stop {
            return out;
        }
        if i + 1 < args.len() {
            out.push(b' ');
        }
    }
    if newline {
        out.push(b'\n');
    }
    out
}

/// The bytes bash's echo writes for `args` (without the command name); `xpg`: escapes
/// are read unless `-E` (`shopt -s xpg_echo`).
pub fn render_bash(args: &[Vec<u8>], utf8: bool, xpg: bool) -> Vec<u8> {
    let mut newline = true;
    let mut escapes = xpg;
    let mut rest = args;
    while let Some(a) = rest.first() {
        let is_option =
            a.len() > 1 && a[0] == b'-' && a[1..].iter().all(|c| matches!(c, b'n' | b'e' | b'E'));
        if !is_option {
            break;
        }
        for &c in &a[1..] {
            match c {
                b'n' => newline = false,
                b'e' => escapes = true,
                _ => escapes = false,
            }
        }
        rest = &rest[1..];
    }
    let mut out = Vec::new();
    for (i, a) in rest.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if escapes {
            if bash_escapes(a, &mut out, utf8) {
                return out;
            }
        } else {
            out.extend_from_slice(a);
        }
    }
    if newline {
        out.push(b'\n');
    }
    out
}

/// `echo -e`'s escapes appended to `out`; true when `\c` ended the output.
/// `\u` and `\U` need a UTF-8 locale (`utf8`) for characters past ASCII; bash writes them
/// back as escapes, in upper case, otherwise.
fn bash_escapes(s: &[u8], out: &mut Vec<u8>, utf8: bool) -> bool {
    let digits = |s: &[u8], from: usize, max: usize, radix: u32| -> (u32, usize) {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match s.get(from + n).and_then(|&c| (c as char).to_digit(radix)) {
                Some(d) => v = v * radix + d,
                None => break,
            }
            n += 1;
        }
        (v, n)
    };
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' || i + 1 == s.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = s[i + 1];
        i += 2;
        match e {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'c' => return true,
            b'e' | b'E' => out.push(0x1b),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'\\' => out.push(b'\\'),
            b'0' => {
                let (v, n) = digits(s, i, 3, 8);
                out.push(v as u8);
                i += n;
            }
            b'x' => {
                let (v, n) = digits(s, i, 2, 16);
                if n == 0 {
                    out.extend_from_slice(b"\\x");
                } else {
                    out.push(v as u8);
                    i += n;
                }
            }
            b'u' | b'U' => {
                let (v, n) = digits(s, i, if e == b'u' { 4 } else { 8 }, 16);
                if n == 0 {
                    out.push(b'\\');
                    out.push(e);
                } else {
                    crate::syntax::ansi_c::push_char(out, v, e, utf8);
                    i += n;
                }
            }
            _ => {
                out.push(b'\\');
                out.push(e);
            }
        }
    }
    false
}

pub fn echo(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let args = args.get(1..).unwrap_or(&[]);
    let out = if sh.options.bash() {
        let xpg = sh.options.shopt.on(crate::state::shopt::XPG_ECHO);
        render_bash(args, sh.utf8_locale(), xpg)
    } else {
        render(args)
    };
    super::util::write_output(sh, "echo", &out)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dash;

    fn check(args: &[&[u8]]) {
        let v: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
        let mine = render(&v);
        let Some(d) = dash("echo \"$@\"").byte_args(args.iter().copied()).run() else {
            return;
        };
        assert_eq!(mine, d.stdout, "echo {args:?}");
    }

    #[test]
    fn against_dash() {
        let cases: &[&[&[u8]]] = &[
            &[],
            &[b"-n"],
            &[b"a", b"b"],
            &[b"-n", b"a", b"b"],
            &[b"-n", b"-n", b"x"],
            &[b"-e", b"x"],
            &[b"-en", b"x"],
            &[b"--", b"z"],
            &[b"a\\cb", b"c"],
            &[b"a", b"b\\c", b"c"],
            &[b"\\x41\\0101\\101\\e\\a\\v\\q\\\\"],
            &[b"a\\0b"],
            &[b"\\b\\f\\n\\r\\t"],
            &[b"\\"],
            &[b"x\\"],
            &[b"\\0777\\08\\0"],
            &[b"x", b"", b"y"],
            &[b"\xff\xfe"],
            &[b"-n", b"\\c"],
            &[b"\\1\\12\\123\\1234"],
        ];
        for c in cases {
            check(c);
        }
    }
}
