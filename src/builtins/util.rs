//! Helpers shared by built-ins: number parsing, quoting for re-input, output.

use crate::exec::{io, Divert};
use crate::state::Shell;

/// Parse a non-negative decimal number as dash does for `exit`, `shift`, `break`...; prints
/// `NAME: Illegal number: ARG` and returns the error that ends a non-interactive shell.
pub fn parse_count(sh: &Shell, builtin: &str, arg: &[u8]) -> Result<i64, Divert> {
    let ok = !arg.is_empty() && arg.len() <= 18 && arg.iter().all(u8::is_ascii_digit);
    match std::str::from_utf8(arg)
        .ok()
        .filter(|_| ok)
        .and_then(|s| s.parse().ok())
    {
        Some(n) => Ok(n),
        None => {
            let mut msg = format!("{builtin}: Illegal number: ").into_bytes();
            msg.extend_from_slice(arg);
            sh.error_bytes(&msg);
            Err(Divert::Error(2))
        }
    }
}

/// Quote a value so the shell reads it back as the same bytes, as dash's `set`, `export -p`
/// and `alias` print values: runs of other bytes in `'...'`, runs of `'` in `"..."`
/// (`a'b` → `'a'"'"'b'`).
pub fn quote_for_reuse(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 2);
    let mut rest = value;
    loop {
        let run = rest.iter().position(|&b| b == b'\'').unwrap_or(rest.len());
        out.push(b'\'');
        out.extend_from_slice(&rest[..run]);
        out.push(b'\'');
        rest = &rest[run..];
        let quotes = rest.iter().take_while(|&&b| b == b'\'').count();
        if quotes > 0 {
            out.push(b'"');
            out.extend_from_slice(&rest[..quotes]);
            out.push(b'"');
            rest = &rest[quotes..];
        }
        if rest.is_empty() {
            return out;
        }
    }
}

/// Write to standard output; a failed write is the built-in's failure (status 1).
pub fn out(bytes: &[u8]) -> bool {
    io::write_all(1, bytes)
}

/// Write a built-in's output to standard output; if that fails, say so as dash does
/// (`echo: echo: I/O error`) and return status 1.
pub fn write_output(sh: &Shell, builtin: &str, bytes: &[u8]) -> i32 {
    if bytes.is_empty() || io::write_all(1, bytes) {
        return 0;
    }
    sh.error(&format!("{builtin}: {builtin}: I/O error"));
    1
}
