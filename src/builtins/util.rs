//! Helpers shared by built-ins: number parsing, quoting for re-input, output, variable names
//! and `name=value` operands.

use crate::exec::{ErrorKind, ShellError};
use crate::state::Shell;
use crate::sys::fd;
use std::sync::atomic::{AtomicI32, Ordering};

/// Parse a non-negative decimal number as dash does for `exit`, `shift`, `break`...; else
/// `NAME: Illegal number: ARG`, an error that ends a non-interactive shell.
pub fn parse_count(builtin: &'static str, arg: &[u8]) -> Result<i64, ShellError> {
    let ok = !arg.is_empty() && arg.len() <= 18 && arg.iter().all(u8::is_ascii_digit);
    match std::str::from_utf8(arg)
        .ok()
        .filter(|_| ok)
        .and_then(|s| s.parse().ok())
    {
        Some(n) => Ok(n),
        None => Err(ShellError::builtin(
            builtin,
            ErrorKind::IllegalNumber(arg.to_vec()),
        )),
    }
}

/// The status operand of `exit` and `return`. bash takes any integer (blanks around it, a
/// sign) and keeps its low eight bits; dash, a count.
pub fn parse_status(
    sh: &crate::state::Shell,
    builtin: &'static str,
    arg: &[u8],
) -> Result<i32, ShellError> {
    if !sh.options.bash() {
        return parse_count(builtin, arg).map(|n| n as i32);
    }
    bash_integer(arg).map(|n| (n & 0xff) as i32).ok_or_else(|| {
        let message = [arg, b": numeric argument required"].concat();
        ShellError::builtin(builtin, ErrorKind::text(message)).with_status(2)
    })
}

/// The one operand of `exit`, `return` or `shift`, after a first `--` in bash. bash's `exit 1
/// 2`, `return 1 2`: the command line is abandoned with status 1 (a script ends), after the
/// message.
pub fn bash_single_operand<'a>(
    sh: &crate::state::Shell,
    builtin: &'static str,
    args: &'a [Vec<u8>],
) -> Result<Option<&'a Vec<u8>>, crate::exec::Divert> {
    // bash reads a first `--` as the end of options (`exit -- 3`).
    let operands = match args.get(1) {
        Some(first) if sh.options.bash() && first == b"--" => &args[2..],
        _ => args.get(1..).unwrap_or_default(),
    };
    if sh.options.bash() && operands.len() > 1 {
        sh.report(&ShellError::builtin(
            builtin,
            ErrorKind::text("too many arguments"),
        ));
        // The command being run at the top level is abandoned and a script goes on; a `-c`
        // string ends (bash).
        if sh.options.command_string {
            return Err(crate::exec::Divert::Abort(1));
        }
        return Err(crate::exec::Divert::Discard(1));
    }
    Ok(operands.first())
}

/// `-u FD` of `read` and `mapfile`: an open descriptor, or bash's message for what it is not.
pub fn input_fd(text: &str) -> Result<i32, String> {
    match text.parse::<i32>() {
        Ok(fd) if fd >= 0 && crate::sys::fd::is_open(fd) => Ok(fd),
        Ok(fd) if fd >= 0 => Err(format!(
            "{text}: invalid file descriptor: {}",
            crate::sys::errno::text(libc::EBADF)
        )),
        _ => Err(format!("{text}: invalid file descriptor specification")),
    }
}

/// A number as bash's built-ins read one: blanks around it, an optional sign, decimal digits.
pub fn bash_integer(arg: &[u8]) -> Option<i64> {
    std::str::from_utf8(arg)
        .ok()
        .map(|s| s.trim_matches([' ', '\t', '\n']))
        .filter(|s| {
            s.trim_start_matches(['+', '-'])
                .bytes()
                .all(|c| c.is_ascii_digit())
        })
        .and_then(|s| s.parse::<i64>().ok())
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

/// The value of the option letter at `arg[j]` (`-eVALUE` or `-e VALUE`, the next argument,
/// `i` then moving to it); None when it is missing.
pub fn option_value(args: &[Vec<u8>], i: &mut usize, j: usize) -> Option<Vec<u8>> {
    let arg = &args[*i];
    if j + 1 < arg.len() {
        return Some(arg[j + 1..].to_vec());
    }
    *i += 1;
    args.get(*i).cloned()
}

/// The error number of the first write to standard output that failed during the running
/// built-in (0: none). One shell thread runs built-ins; the atomic only avoids `unsafe`.
static WRITE_ERROR: AtomicI32 = AtomicI32::new(0);

/// Write to standard output; a failed write is remembered and makes the built-in fail
/// ([`super::Builtin::run`]).
pub fn out(bytes: &[u8]) -> bool {
    let written = fd::write_all(1, bytes);
    if !written {
        let errno = crate::sys::errno::last();
        let _ = WRITE_ERROR.compare_exchange(0, errno.max(1), Ordering::Relaxed, Ordering::Relaxed);
    }
    written
}

/// The failed write remembered since the last call, if any, and forget it.
pub fn take_write_error() -> Option<i32> {
    match WRITE_ERROR.swap(0, Ordering::Relaxed) {
        0 => None,
        errno => Some(errno),
    }
}

/// Put back what [`take_write_error`] took (a built-in run by another, `builtin type`).
pub fn restore_write_error(errno: Option<i32>) {
    WRITE_ERROR.store(errno.unwrap_or(0), Ordering::Relaxed);
}

/// A built-in's output could not be written: dash's `echo: echo: I/O error`, bash's
/// `echo: write error: No space left on device`, status 1.
pub fn write_error(builtin: &'static str, errno: i32, bash: bool) -> ShellError {
    let text = match bash {
        true => format!("write error: {}", crate::sys::errno::text(errno)),
        false => format!("{builtin}: I/O error"),
    };
    ShellError::builtin(builtin, ErrorKind::text(text))
        .with_status(1)
        .fails()
}

/// Write a built-in's output to standard output; if that fails, the built-in's error.
pub fn write_output(sh: &Shell, builtin: &'static str, bytes: &[u8]) -> Result<(), ShellError> {
    if bytes.is_empty() || fd::write_all(1, bytes) {
        return Ok(());
    }
    Err(write_error(
        builtin,
        crate::sys::errno::last(),
        sh.options.bash(),
    ))
}

/// bash's refusal of a built-in's arguments: `NAME: MESSAGE` and the usage line
/// (`NAME: usage: USAGE`), status 2.
pub fn usage_error(builtin: &'static str, message: &str, usage: &str) -> ShellError {
    let text = format!("{message}\n{builtin}: usage: {usage}");
    ShellError::builtin(builtin, ErrorKind::text(text))
        .with_status(2)
        .fails()
}

/// `NAME: ARG: bad variable name`, an error that ends a non-interactive shell.
pub fn bad_name(builtin: &'static str, name: &[u8]) -> ShellError {
    ShellError::builtin(builtin, ErrorKind::BadName(name.to_vec()))
}

/// Add a line to a built-in's error that has several (one per operand that failed), or
/// begin it.
pub fn add_line(err: Option<ShellError>, builtin: &'static str, kind: ErrorKind) -> ShellError {
    match err {
        Some(e) => e.and(kind),
        None => ShellError::builtin(builtin, kind),
    }
}

/// Split `name=value` (value None when there is no `=`).
pub fn split_assignment(arg: &[u8]) -> (&[u8], Option<&[u8]>) {
    match arg.iter().position(|&b| b == b'=') {
        Some(eq) => (&arg[..eq], Some(&arg[eq + 1..])),
        None => (arg, None),
    }
}

/// C's isspace in the C locale.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A decimal integer as dash's built-ins read one: blanks around it, an optional sign, the
/// whole i64 range; None for anything else (an empty string, other characters, overflow).
pub(crate) fn parse_decimal(s: &[u8]) -> Option<i64> {
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut mag: u64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        mag = mag.checked_mul(10)?.checked_add(u64::from(s[i] - b'0'))?;
        i += 1;
    }
    if i == start {
        return None;
    }
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    if neg {
        (mag <= 1u64 << 63).then(|| (mag as i64).wrapping_neg())
    } else {
        i64::try_from(mag).ok()
    }
}

/// Option letters as bash's built-ins take them: clustered (`-abc`), a value joined or in the
/// next argument (`-pVALUE`, `-p VALUE`), up to the first operand or `--`.
pub struct OptionLetters<'a> {
    args: &'a [Vec<u8>],
    /// The argument being read, and the letter in it.
    i: usize,
    j: usize,
}

impl<'a> OptionLetters<'a> {
    /// The options of `args` (`args[0]` is the built-in's name).
    pub fn new(args: &'a [Vec<u8>]) -> Self {
        OptionLetters { args, i: 1, j: 0 }
    }

    /// The next option letter; None at the first operand (or after `--`).
    pub fn next_letter(&mut self) -> Option<u8> {
        if self.j == 0 {
            let arg = self.args.get(self.i)?;
            if arg == b"--" {
                self.i += 1;
                return None;
            }
            if arg.len() < 2 || arg[0] != b'-' {
                return None;
            }
            self.j = 1;
        }
        let c = self.args[self.i][self.j];
        self.j += 1;
        if self.j == self.args[self.i].len() {
            self.i += 1;
            self.j = 0;
        }
        Some(c)
    }

    /// The value of the letter just read: the rest of its argument, or the next argument.
    pub fn value(&mut self) -> Option<Vec<u8>> {
        if self.j != 0 {
            let v = self.args[self.i][self.j..].to_vec();
            self.i += 1;
            self.j = 0;
            return Some(v);
        }
        let v = self.args.get(self.i).cloned();
        self.i += 1;
        v
    }

    /// Where the operands start.
    pub fn operands(&self) -> usize {
        self.i.min(self.args.len())
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_decimal, OptionLetters};

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal(b" 42 "), Some(42));
        assert_eq!(parse_decimal(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_decimal(b"9223372036854775808"), None);
        assert_eq!(parse_decimal(b"+"), None);
        assert_eq!(parse_decimal(b"1x"), None);
        assert_eq!(parse_decimal(b""), None);
    }

    fn args(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn option_letters_read_clusters_values_and_stop_at_operands() {
        let a = args(&["hash", "-lt", "-pVAL", "-d", "-p", "next", "name", "-x"]);
        let mut o = OptionLetters::new(&a);
        assert_eq!(o.next_letter(), Some(b'l'));
        assert_eq!(o.next_letter(), Some(b't'));
        assert_eq!(o.next_letter(), Some(b'p'));
        assert_eq!(o.value(), Some(b"VAL".to_vec()));
        assert_eq!(o.next_letter(), Some(b'd'));
        assert_eq!(o.next_letter(), Some(b'p'));
        assert_eq!(o.value(), Some(b"next".to_vec()));
        assert_eq!(o.next_letter(), None);
        assert_eq!(o.operands(), 6);

        let a = args(&["h", "-r", "--", "-t"]);
        let mut o = OptionLetters::new(&a);
        assert_eq!(o.next_letter(), Some(b'r'));
        assert_eq!(o.next_letter(), None);
        assert_eq!(o.operands(), 3);

        let a = args(&["h", "-p"]);
        let mut o = OptionLetters::new(&a);
        assert_eq!(o.next_letter(), Some(b'p'));
        assert_eq!(o.value(), None);
        assert_eq!(o.operands(), 2);
        assert_eq!(o.next_letter(), None);
    }
}
