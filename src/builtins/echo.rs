//! `echo [-n] [arg...]`, as dash does it: only a first `-n` is an option, and backslash
//! escapes are always interpreted (`\c` ends the output).

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

pub fn echo(_sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let out = render(args.get(1..).unwrap_or(&[]));
    super::util::write_output("echo", &out)?;
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
