//! `printf format [arg...]` (XCU printf), as dash does it; also the backslash escapes that
//! `echo` and `%b` share.

use super::util::{add_line, is_space};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys;

/// The largest field width or precision honoured: beyond it output would only exhaust memory.
const MAX_FIELD: i64 = 1 << 24;

/// What one printf run produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    pub out: Vec<u8>,
    /// Messages (without the `printf: ` prefix), in order.
    pub errors: Vec<Vec<u8>>,
    /// Where in `out` each message stands: after the last line the output had when it came
    /// (bash writes those lines first).
    pub error_at: Vec<usize>,
    pub status: i32,
    /// `%n` (bash): each variable named and the bytes its pass of the format had written.
    pub counts: Vec<(Vec<u8>, usize)>,
}

fn is_odigit(c: Option<&u8>) -> bool {
    matches!(c, Some(b'0'..=b'7'))
}

/// One backslash escape of a format, `s[i]` being the byte after the backslash: the byte it
/// stands for and the index after it. Unknown escapes stand for a backslash, consuming nothing.
pub(crate) fn conv_escape(s: &[u8], i: usize) -> (u8, usize) {
    let v = match s.get(i) {
        Some(b'0'..=b'7') => {
            let mut value: u32 = 0;
            let mut j = i;
            while j < s.len() && j < i + 3 && is_odigit(s.get(j)) {
                value = (value << 3) + u32::from(s[j] - b'0');
                j += 1;
            }
            return (value as u8, j);
        }
        Some(b'\\') => b'\\',
        Some(b'a') => 0x07,
        Some(b'b') => 0x08,
        Some(b'e') => 0x1b,
        Some(b'f') => 0x0c,
        Some(b'n') => b'\n',
        Some(b'r') => b'\r',
        Some(b't') => b'\t',
        Some(b'v') => 0x0b,
        _ => return (b'\\', i),
    };
    (v, i + 1)
}

/// The escapes bash's printf adds to dash's, in a format (`format`) or a `%b` argument:
/// `\xHH`, `\uHHHH`, `\UHHHHHHHH`, `\E`; in a format also `\'` `\"` `\?`. `s[i]` is the
/// byte after the backslash; the index after the escape, or None when it is not one of these.
fn bash_escape(
    s: &[u8],
    i: usize,
    format: bool,
    out: &mut Vec<u8>,
    errors: &mut Vec<Vec<u8>>,
) -> Option<usize> {
    let e = *s.get(i)?;
    let max = match e {
        b'E' => {
            out.push(0x1b);
            return Some(i + 1);
        }
        b'\'' | b'"' | b'?' if format => {
            out.push(e);
            return Some(i + 1);
        }
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let digits = s[i + 1..]
        .iter()
        .take(max)
        .take_while(|d| d.is_ascii_hexdigit())
        .count();
    if digits == 0 {
        let what = if e == b'x' { "hex" } else { "unicode" };
        errors.push(format!("missing {what} digit for \\{}", e as char).into_bytes());
        out.extend_from_slice(&[b'\\', e]);
        return Some(i + 1);
    }
    let text = std::str::from_utf8(&s[i + 1..i + 1 + digits]).unwrap_or("0");
    let v = u32::from_str_radix(text, 16).unwrap_or(0);
    if e == b'x' {
        out.push(v as u8);
    } else {
        crate::syntax::ansi_c::push_char(out, v, e, crate::state::locale::chars());
    }
    Some(i + 1 + digits)
}

/// The escapes of `echo` and `%b`: those of formats, `\0NNN` for octal, and `\c` which ends
/// all output (the bool is true then).
pub(crate) fn conv_escape_str(s: &[u8]) -> (Vec<u8>, bool) {
    conv_escape_arg(s, None)
}

/// [`conv_escape_str`]; with `bash_errors`, bash's `%b` (its escapes too, and its messages).
fn conv_escape_arg(s: &[u8], mut bash_errors: Option<&mut Vec<Vec<u8>>>) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let ch = s[i];
        i += 1;
        if ch != b'\\' {
            out.push(ch);
            continue;
        }
        if s.get(i) == Some(&b'c') {
            return (out, true);
        }
        if let Some(errors) = bash_errors.as_deref_mut() {
            if let Some(next) = bash_escape(s, i, false, &mut out, errors) {
                i = next;
                continue;
            }
        }
        if s.get(i) == Some(&b'0') && is_odigit(s.get(i + 1)) {
            i += 1;
        }
        let (c, next) = conv_escape(s, i);
        out.push(c);
        i = next;
    }
    (out, false)
}

/// C's strtoimax/strtoumax with base 0: (value, bytes used, overflowed). Unsigned results of
/// a `-` are negated modulo 2^64, as C does.
fn strtoint(s: &[u8], signed: bool) -> (u64, usize, bool) {
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if let Some(&c) = s.get(i) {
        if c == b'-' || c == b'+' {
            neg = c == b'-';
            i += 1;
        }
    }
    let mut base = 10;
    if s.get(i) == Some(&b'0') {
        if matches!(s.get(i + 1), Some(b'x' | b'X'))
            && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            base = 16;
            i += 2;
        } else {
            base = 8;
        }
    }
    let start = i;
    let mut mag: u64 = 0;
    let mut over = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        match mag
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => mag = m,
            None => over = true,
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    if signed {
        let limit = if neg { 1u64 << 63 } else { (1u64 << 63) - 1 };
        if over || mag > limit {
            let v = if neg {
                i64::MIN as u64
            } else {
                i64::MAX as u64
            };
            return (v, i, true);
        }
        let v = if neg {
            (mag as i64).wrapping_neg() as u64
        } else {
            mag
        };
        (v, i, false)
    } else if over {
        (u64::MAX, i, true)
    } else {
        (if neg { mag.wrapping_neg() } else { mag }, i, false)
    }
}

/// The arguments being consumed, and the diagnostics their conversion produced.
struct Args<'a> {
    args: &'a [Vec<u8>],
    next: usize,
    /// Each message, with where in the output it stands.
    errors: Vec<(usize, Vec<u8>)>,
    /// The output's length when the conversion being made began.
    at: usize,
    status: i32,
    /// bash's diagnostics: `invalid number` for any argument that is not one.
    bash: bool,
    /// `'c` is the character's code point (bash in a UTF-8 locale), not its first byte.
    utf8: bool,
}

impl<'a> Args<'a> {
    fn take(&mut self) -> Option<&'a [u8]> {
        let a = self.args.get(self.next)?;
        self.next += 1;
        Some(a)
    }

    fn check(&mut self, s: &[u8], used: usize, erange: bool) {
        let what: &[u8] = if used < s.len() {
            if self.bash {
                // bash names the base the text starts in.
                match s {
                    [b'0', d, ..] if d.is_ascii_digit() => b"invalid octal number",
                    [b'0', b'x', ..] => b"invalid hex number",
                    _ => b"invalid number",
                }
            } else if used == 0 {
                b"expected numeric value"
            } else {
                b"not completely converted"
            }
        } else if erange && self.bash {
            // bash warns of a number out of range and goes on with the nearest, status 0.
            let m = [b"warning: ", s, b": Numerical result out of range"].concat();
            self.errors.push((self.at, m));
            return;
        } else if erange {
            b"Numerical result out of range"
        } else {
            return;
        };
        let mut m = s.to_vec();
        m.extend_from_slice(b": ");
        m.extend_from_slice(what);
        self.errors.push((self.at, m));
        self.status = 1;
    }

    fn int(&mut self, signed: bool) -> u64 {
        let Some(s) = self.take() else { return 0 };
        if let Some(b'"' | b'\'') = s.first() {
            if let Some(code) = leading_code(&s[1..]).filter(|_| self.utf8) {
                return u64::from(code);
            }
            return u64::from(s.get(1).copied().unwrap_or(0));
        }
        let (v, used, erange) = strtoint(s, signed);
        self.check(s, used, erange);
        v
    }

    fn float(&mut self) -> f64 {
        let Some(s) = self.take() else { return 0.0 };
        if let Some(b'"' | b'\'') = s.first() {
            return f64::from(s.get(1).copied().unwrap_or(0));
        }
        let (v, used, erange) = sys::clib::strtod(s);
        self.check(s, used, erange);
        v
    }

    fn str(&mut self) -> &'a [u8] {
        self.take().unwrap_or(b"")
    }
}

/// The code of the UTF-8 character `s` starts with, read as the C library's decoder reads it:
/// a lead byte and up to three continuation bytes, values past U+10FFFF included (bash gives
/// `printf %x "'$c"` as 111111 for the bytes F4 91 84 91). None when the bytes are no character
/// or an overlong form of one.
fn leading_code(s: &[u8]) -> Option<u32> {
    let (&lead, rest) = s.split_first()?;
    let (len, bits) = match lead {
        0x00..=0x7f => return Some(u32::from(lead)),
        0xc2..=0xdf => (1, lead & 0x1f),
        0xe0..=0xef => (2, lead & 0x0f),
        0xf0..=0xf7 => (3, lead & 0x07),
        _ => return None,
    };
    let code = rest.get(..len)?.iter().try_fold(u32::from(bits), |v, &b| {
        (b & 0xc0 == 0x80).then_some(v << 6 | u32::from(b & 0x3f))
    })?;
    // An overlong form (E0 81 81 for `A`) is no character.
    let least = [0x80, 0x800, 0x10000][len - 1];
    (code >= least).then_some(code)
}

/// A parsed conversion specification.
struct Spec<'a> {
    flags: &'a [u8],
    /// Negative: left-justify (as C does with a negative `*` width).
    width: Option<i64>,
    /// Negative: as if none was given.
    precision: Option<i64>,
}

impl Spec<'_> {
    fn has(&self, f: u8) -> bool {
        self.flags.contains(&f)
    }

    fn left(&self) -> bool {
        self.has(b'-') || self.width.is_some_and(|w| w < 0)
    }

    fn width(&self) -> usize {
        self.width
            .map_or(0, |w| w.unsigned_abs().min(MAX_FIELD as u64) as usize)
    }

    fn precision(&self) -> Option<usize> {
        match self.precision {
            Some(p) if p >= 0 => Some(p.min(MAX_FIELD) as usize),
            _ => None,
        }
    }

    /// Whether the field this makes fits in memory: the width and precision are the user's
    /// (up to 16 MiB each), so the room is reserved fallibly in `out` (with room for the
    /// longest number), and the conversions write into it without a copy of the field. Out of
    /// memory ends printf with an error, not the shell.
    fn fits(&self, out: &mut Vec<u8>) -> bool {
        let precision = self.precision().unwrap_or(0);
        out.try_reserve(self.width().max(precision).saturating_add(512))
            .is_ok()
    }

    /// Pad `body` to the width with spaces.
    fn pad(&self, out: &mut Vec<u8>, body: &[u8]) {
        self.pad_with(out, body.len(), |out| out.extend_from_slice(body));
    }

    /// Pad the `len` bytes `body` writes to the width with spaces.
    fn pad_with(&self, out: &mut Vec<u8>, len: usize, body: impl FnOnce(&mut Vec<u8>)) {
        let fill = self.width().saturating_sub(len);
        if self.left() {
            body(out);
            out.resize(out.len() + fill, b' ');
        } else {
            out.resize(out.len() + fill, b' ');
            body(out);
        }
    }

    /// `%s`, `%b`: the precision cuts the bytes.
    fn string(&self, out: &mut Vec<u8>, s: &[u8]) {
        let s = match self.precision() {
            Some(p) if p < s.len() => &s[..p],
            _ => s,
        };
        self.pad(out, s);
    }

    /// `%d %i %o %u %x %X` with C's rules for sign, precision, `#` and `0`.
    fn integer(&self, out: &mut Vec<u8>, conv: u8, v: u64) {
        let (neg, mag) = if matches!(conv, b'd' | b'i') {
            let s = v as i64;
            (s < 0, s.unsigned_abs())
        } else {
            (false, v)
        };
        let mut digits = match conv {
            b'o' => format!("{mag:o}"),
            b'x' => format!("{mag:x}"),
            b'X' => format!("{mag:X}"),
            _ => mag.to_string(),
        }
        .into_bytes();
        let prec = self.precision();
        if prec == Some(0) && mag == 0 {
            digits.clear();
        }
        // The precision's leading zeros, written straight into `out` (up to 16 MiB).
        let zeros = prec.map_or(0, |p| p.saturating_sub(digits.len()));
        if conv == b'o' && self.has(b'#') && zeros == 0 && digits.first() != Some(&b'0') {
            digits.insert(0, b'0');
        }
        let prefix: &[u8] = match conv {
            b'd' | b'i' if neg => b"-",
            b'd' | b'i' if self.has(b'+') => b"+",
            b'd' | b'i' if self.has(b' ') => b" ",
            b'x' if self.has(b'#') && mag != 0 => b"0x",
            b'X' if self.has(b'#') && mag != 0 => b"0X",
            _ => b"",
        };
        let len = prefix.len() + zeros + digits.len();
        if self.has(b'0') && !self.left() && prec.is_none() && self.width() > len {
            out.extend_from_slice(prefix);
            out.resize(out.len() + self.width() - len, b'0');
            out.extend_from_slice(&digits);
        } else {
            self.pad_with(out, len, |out| {
                out.extend_from_slice(prefix);
                out.resize(out.len() + zeros, b'0');
                out.extend_from_slice(&digits);
            });
        }
    }

    /// `%e %E %f %F %g %G %a %A`, formatted by the C library for C's exact output.
    fn float(&self, out: &mut Vec<u8>, conv: u8, v: f64) {
        let mut f = vec![b'%'];
        f.extend(self.flags.iter().filter(|c| b"#-+ 0".contains(c)));
        f.extend_from_slice(b"*.*");
        f.push(conv);
        let Ok(fmt) = std::ffi::CString::new(f) else {
            return;
        };
        let width = i32::try_from(self.width()).unwrap_or(i32::MAX);
        let width = if self.left() { -width } else { width };
        let prec = self
            .precision()
            .map_or(-1, |p| i32::try_from(p).unwrap_or(i32::MAX));
        sys::clib::format_double(out, &fmt, width, prec, v);
    }
}

fn digits_then(fmt: &[u8], mut i: usize, stop: &[u8]) -> usize {
    while i < fmt.len() && stop.contains(&fmt[i]) {
        i += 1;
    }
    i
}

fn parse_num(s: &[u8]) -> i64 {
    s.iter()
        .filter(|c| c.is_ascii_digit())
        .fold(0i64, |n, &d| (n * 10 + i64::from(d - b'0')).min(MAX_FIELD))
}

/// Run printf over `args` (without the command name).
pub fn format(args: &[Vec<u8>]) -> Output {
    format_in(args, None, false)
}

/// As [`format`]; `bash`: the bash language's conversions too (`%q`, `%(fmt)T`), given the
/// shell's start time (seconds since the epoch) for `%(...)T` of -2; `utf8`: `'c` gives the
/// character's code point, as bash in a UTF-8 locale.
pub fn format_in(args: &[Vec<u8>], bash: Option<i64>, utf8: bool) -> Output {
    let mut res = Output::default();
    let mut opts = super::getopts::NextOpt::new(args);
    if let Err(m) = opts.next(b"") {
        res.errors.push(m);
        res.status = 2;
        return res;
    }
    let args = opts.rest();
    let Some(fmt) = args.first() else {
        res.errors.push(b"usage: printf format [arg ...]".to_vec());
        res.status = 2;
        return res;
    };
    let mut a = Args {
        args: &args[1..],
        next: 0,
        errors: Vec::new(),
        at: 0,
        status: 0,
        bash: bash.is_some(),
        utf8: utf8 && bash.is_some(),
    };
    let out = &mut res.out;
    // Where each message stands: the output so far when it came (bash's standard output is
    // line-buffered, so [`format_in`]'s caller writes up to the line before it).
    let placed = |error_at: &mut Vec<usize>, errors: usize, at: usize| {
        error_at.resize(errors, at);
    };
    let fatal = 'run: loop {
        // `%n` counts from the start of the format's current pass, as bash does.
        let pass_start = out.len();
        let mut i = 0;
        while i < fmt.len() {
            let ch = fmt[i];
            i += 1;
            if ch == b'\\' {
                if bash.is_some() {
                    placed(&mut res.error_at, res.errors.len(), out.len());
                    if let Some(next) = bash_escape(fmt, i, true, out, &mut res.errors) {
                        i = next;
                        continue;
                    }
                }
                let (c, next) = conv_escape(fmt, i);
                out.push(c);
                i = next;
                continue;
            }
            if ch != b'%' {
                out.push(ch);
                continue;
            }
            if fmt.get(i) == Some(&b'%') {
                out.push(b'%');
                i += 1;
                continue;
            }
            let start = i - 1;
            placed(&mut res.error_at, res.errors.len(), out.len());
            a.at = out.len();
            // bash takes C's `'` (group thousands), which the C locale's numbers do without.
            let flag_bytes: &[u8] = if bash.is_some() { b"#-+ 0'" } else { b"#-+ 0" };
            let flags_end = digits_then(fmt, i, flag_bytes);
            let flags = &fmt[i..flags_end];
            i = flags_end;
            let mut width = None;
            let mut literal = false;
            if fmt.get(i) == Some(&b'*') {
                i += 1;
                width = Some(i64::from(a.int(true) as i64 as i32));
            } else {
                let end = digits_then(fmt, i, b"*0123456789");
                if end > i {
                    literal |= fmt[i..end].contains(&b'*');
                    width = Some(parse_num(&fmt[i..end]));
                }
                i = end;
            }
            let mut precision = None;
            if fmt.get(i) == Some(&b'.') {
                i += 1;
                if fmt.get(i) == Some(&b'*') {
                    i += 1;
                    precision = Some(i64::from(a.int(true) as i64 as i32));
                } else {
                    let end = digits_then(fmt, i, b"*0123456789");
                    literal |= fmt[i..end].contains(&b'*');
                    precision = Some(parse_num(&fmt[i..end]));
                    i = end;
                }
            }
            // `%(strftime)T` (bash): the format in parentheses.
            let mut time_format: Option<&[u8]> = None;
            if bash.is_some() && fmt.get(i) == Some(&b'(') {
                match fmt[i..].iter().position(|&c| c == b')') {
                    Some(close) => {
                        time_format = Some(&fmt[i + 1..i + close]);
                        i += close + 1;
                    }
                    None => break 'run Some(b"`(': missing closing parenthesis".to_vec()),
                }
            }
            if bash.is_some() {
                // bash reads and ignores C's length modifiers (`%ld`, `%zu`).
                while let Some(b'h' | b'j' | b'l' | b'L' | b't' | b'z') = fmt.get(i) {
                    i += 1;
                }
            }
            let Some(&conv) = fmt.get(i) else {
                break 'run Some(if bash.is_some() {
                    b"`%': missing format character".to_vec()
                } else {
                    b"missing format character".to_vec()
                });
            };
            i += 1;
            let spec = Spec {
                flags,
                width,
                precision,
            };
            if !spec.fits(out) {
                break 'run Some(b"Out of space".to_vec());
            }
            // The C library prints a specification it cannot parse as it is.
            let mut lit = fmt[start..i - 1].to_vec();
            if matches!(conv, b'd' | b'i' | b'o' | b'u' | b'x' | b'X') {
                lit.push(b'l');
            }
            lit.push(conv);
            match conv {
                b'b' => {
                    let (s, stop) = if bash.is_some() {
                        conv_escape_arg(a.str(), Some(&mut res.errors))
                    } else {
                        conv_escape_str(a.str())
                    };
                    if literal {
                        out.extend_from_slice(&lit);
                    } else {
                        spec.string(out, &s);
                    }
                    if stop {
                        break 'run None;
                    }
                }
                b'c' => {
                    let c = a.take().and_then(|s| s.first().copied()).unwrap_or(0);
                    if literal {
                        out.extend_from_slice(&lit);
                    } else {
                        spec.pad(out, &[c]);
                    }
                }
                b's' => {
                    let s = a.str();
                    if literal {
                        out.extend_from_slice(&lit);
                    } else {
                        spec.string(out, s);
                    }
                }
                b'd' | b'i' | b'o' | b'u' | b'x' | b'X' => {
                    let v = a.int(matches!(conv, b'd' | b'i'));
                    if literal {
                        out.extend_from_slice(&lit);
                    } else {
                        spec.integer(out, conv, v);
                    }
                }
                b'a' | b'A' | b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
                    let v = a.float();
                    if literal {
                        out.extend_from_slice(&lit);
                    } else {
                        spec.float(out, conv, v);
                    }
                }
                b'q' if bash.is_some() => {
                    let s = shell_quote(a.str());
                    spec.string(out, &s);
                }
                // `%Q` (bash): the precision cuts the argument, not its quoted form.
                b'Q' if bash.is_some() => {
                    let arg = a.str();
                    let cut = spec
                        .precision
                        .map_or(arg.len(), |p| arg.len().min(p.max(0) as usize));
                    let s = shell_quote(&arg[..cut]);
                    let whole = Spec {
                        precision: None,
                        ..spec
                    };
                    whole.string(out, &s);
                }
                b'n' if bash.is_some() => {
                    let name = a.str();
                    if !name.is_empty() {
                        if !crate::state::vars::is_name(name) {
                            let m = [b"`", name, b"': not a valid identifier"].concat();
                            break 'run Some(m);
                        }
                        res.counts.push((name.to_vec(), out.len() - pass_start));
                    }
                }
                b'T' if time_format.is_some() => {
                    // No argument is now; any other is read as a number (an empty one is 0,
                    // one that is not is reported).
                    let when = match a.next < a.args.len() {
                        true => a.int(true) as i64,
                        false => -1,
                    };
                    let when = match when {
                        -1 => now_epoch(),
                        -2 => bash.unwrap_or(0),
                        t => t,
                    };
                    // An empty format is the locale's time (bash).
                    let format = time_format.filter(|f| !f.is_empty()).unwrap_or(b"%X");
                    let s = strftime(format, when);
                    spec.string(out, &s);
                }
                _ if bash.is_some() => {
                    break 'run Some([b"`", &[conv][..], b"': invalid format character"].concat());
                }
                _ => {
                    let mut m = fmt[start..i].to_vec();
                    m.extend_from_slice(b": invalid directive");
                    break 'run Some(m);
                }
            }
        }
        if a.next == 0 || a.next >= a.args.len() {
            break None;
        }
    };
    placed(&mut res.error_at, res.errors.len(), res.out.len());
    let mut errors: Vec<(usize, Vec<u8>)> =
        res.error_at.drain(..).zip(res.errors.drain(..)).collect();
    errors.append(&mut a.errors);
    res.status = a.status;
    if let Some(m) = fatal {
        errors.push((res.out.len(), m));
        res.status = if bash.is_some() { 1 } else { 2 };
    }
    // A line-buffered output has written the lines before each message.
    for (at, _) in &mut errors {
        *at = res.out[..*at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
    }
    errors.sort_by_key(|(at, _)| *at);
    (res.error_at, res.errors) = errors.into_iter().unzip();
    res
}

fn now_epoch() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `strftime(3)` in the local time zone; nothing when the text would not fit bash's buffer of
/// 128 bytes (with its NUL), so a script gets bash's result whatever its length.
fn strftime(format: &[u8], when: i64) -> Vec<u8> {
    const BASH_BUFFER: usize = 128;
    let text = crate::sys::clib::local_time(format, when);
    if text.len() >= BASH_BUFFER {
        return Vec::new();
    }
    text
}

/// `%q` (bash): the text quoted so the shell reads it back as it is: `''` when empty, `$'...'`
/// when it holds what does not print, else with a backslash before each special character.
pub fn shell_quote(s: &[u8]) -> Vec<u8> {
    if s.is_empty() {
        return b"''".to_vec();
    }
    // Control characters, and bytes that are no character of the locale, need `$'...'`.
    if let Some(ansi_c) = crate::syntax::ansi_c::encode(s) {
        return ansi_c;
    }
    let mut out = Vec::with_capacity(s.len() + 4);
    for (i, &c) in s.iter().enumerate() {
        let special = matches!(
            c,
            b' ' | b'!'
                | b'"'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b','
                | b';'
                | b'<'
                | b'>'
                | b'?'
                | b'['
                | b'\\'
                | b']'
                | b'^'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
        ) || (i == 0 && matches!(c, b'~' | b'#'))
            // A tilde that would expand after `=` or `:` of an assignment.
            || (c == b'~' && i > 0 && matches!(s[i - 1], b'=' | b':'));
        if special {
            out.push(b'\\');
        }
        out.push(c);
    }
    out
}

pub fn printf(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut args = args.get(1..).unwrap_or(&[]);
    // `printf -v name` (bash): the output goes to the variable.
    let mut target: Option<Vec<u8>> = None;
    if sh.options.bash() {
        match args {
            [flag, name, rest @ ..] if flag == b"-v" => {
                target = Some(name.clone());
                args = rest;
            }
            // `-vNAME`, the name attached.
            [flag, rest @ ..] if flag.len() > 2 && flag.starts_with(b"-v") => {
                target = Some(flag[2..].to_vec());
                args = rest;
            }
            [flag] if flag == b"-v" => {
                let m = "-v: option requires an argument";
                return super::util::usage_error("printf", m, "printf [-v var] format [arguments]")
                    .raise();
            }
            _ => {}
        }
    }
    // bash looks at the variable's name before the format.
    if let Some(name) = &target {
        let (base, sub) = match name.iter().position(|&c| c == b'[') {
            Some(open) if name.ends_with(b"]") => (&name[..open], &name[open + 1..name.len() - 1]),
            _ => (&name[..], &b""[..]),
        };
        if !crate::state::vars::is_name(base)
            || !crate::expand::subscript::element_text_reads(sh, base, sub)
        {
            let m = [b"`", &name[..], b"': not a valid identifier"].concat();
            return ShellError::builtin("printf", ErrorKind::Message(m))
                .with_status(2)
                .fails()
                .raise();
        }
    }
    if sh.options.bash() && (args.is_empty() || args == [b"--".to_vec()]) {
        // bash's usage line, without the line's prefix.
        let usage = b"printf: usage: printf [-v var] format [arguments]\n";
        crate::sys::fd::write_all(2, usage);
        return Ok(2);
    }
    let bash = sh
        .options
        .bash()
        .then(|| now_epoch() - i64::try_from(sh.started.elapsed().as_secs()).unwrap_or(0));
    if bash.is_some()
        && args
            .first()
            .is_some_and(|f| f.windows(2).any(|w| w == b"%("))
    {
        sh.use_time_zone();
    }
    let res = format_in(args, bash, sh.utf8_locale());
    for (name, count) in &res.counts {
        if let Err(e) = sh.set_var(name, count.to_string().into_bytes()) {
            sh.report(&ShellError::new(ErrorKind::Variable(e)).fails());
        }
    }
    if let Some(name) = target {
        for e in &res.errors {
            sh.report(&ShellError::builtin("printf", ErrorKind::Message(e.clone())).fails());
        }
        let set = match name.iter().position(|&c| c == b'[') {
            Some(open) if name.ends_with(b"]") && crate::state::vars::is_name(&name[..open]) => {
                match crate::exec::assign::assign_element_with(
                    sh,
                    &name[..open],
                    &name[open + 1..name.len() - 1],
                    res.out,
                    false,
                    crate::expand::subscript::key_of_text,
                ) {
                    Err(e) if e.unwinds => return Err(e.into()),
                    other => other.map_err(|e| e.message),
                }
            }
            _ if crate::state::vars::is_name(&name) => {
                if let Err(e) = sh.set_var(&name, res.out) {
                    // bash: a read-only variable's message, without printf's name, status 1.
                    return ShellError::new(ErrorKind::Variable(e))
                        .with_status(1)
                        .fails()
                        .raise();
                }
                Ok(())
            }
            _ => Err([b"`", &name[..], b"': not a valid identifier"].concat()),
        };
        if let Err(m) = set {
            return ShellError::builtin("printf", ErrorKind::Message(m))
                .with_status(2)
                .fails()
                .raise();
        }
        return Ok(res.status);
    }
    // printf goes on after its messages. bash writes each after the lines before it; dash
    // writes them all first.
    let mut written = 0;
    let mut warnings = None;
    for (i, e) in res.errors.into_iter().enumerate() {
        let at = res.error_at.get(i).copied().unwrap_or(0).min(res.out.len());
        if sh.options.bash() && at > written {
            if let Err(e) = super::util::write_output(sh, "printf", &res.out[written..at]) {
                return e.raise();
            }
            written = at;
        }
        let message = ShellError::builtin("printf", ErrorKind::Message(e));
        match sh.options.bash() {
            true => sh.report(&message),
            false => warnings = Some(add_line(warnings, "printf", message.kind)),
        }
    }
    if let Some(w) = warnings {
        sh.report(&w);
    }
    if let Err(e) = super::util::write_output(sh, "printf", &res.out[written..]) {
        // A conversion's failure keeps its status.
        let status = if res.status == 0 {
            e.status
        } else {
            res.status
        };
        return e.with_status(status).raise();
    }
    Ok(res.status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dash;

    fn run(args: &[&[u8]]) -> Output {
        let v: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
        format(&v)
    }

    /// Compare with dash: stdout, the stderr lines (prefix removed) and the status.
    fn check(args: &[&[u8]]) {
        let mine = run(args);
        let Some(d) = dash("printf \"$@\"").byte_args(args.iter().copied()).run() else {
            return;
        };
        let errs: Vec<Vec<u8>> = d
            .stderr
            .split(|&c| c == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| l.strip_prefix(b"sh: 1: printf: ").unwrap_or(l).to_vec())
            .collect();
        let shown: Vec<String> = args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        assert_eq!(
            String::from_utf8_lossy(&mine.out),
            String::from_utf8_lossy(&d.stdout),
            "stdout of printf {shown:?}"
        );
        assert_eq!(mine.errors, errs, "stderr of printf {shown:?}");
        assert_eq!(
            Some(mine.status),
            d.status.code(),
            "status of printf {shown:?}"
        );
    }

    #[test]
    fn basics() {
        let r = run(&[b"%s-%d\n", b"a", b"1", b"b"]);
        assert_eq!(r.out, b"a-1\nb-0\n");
        assert_eq!(r.status, 0);
        let r = run(&[b"%d", b"abc"]);
        assert_eq!(r.out, b"0");
        assert_eq!(r.errors, vec![b"abc: expected numeric value".to_vec()]);
        assert_eq!(r.status, 1);
        assert_eq!(run(&[]).status, 2);
        assert_eq!(run(&[b"%b|", b"a\\cb"]).out, b"a");
        assert_eq!(run(&[b"\xff%s", b"\xfe"]).out, b"\xff\xfe");
    }

    #[test]
    fn no_panics_on_odd_input() {
        for f in [
            &b"%"[..],
            b"%*",
            b"%.*",
            b"%-",
            b"\\",
            b"%99999999999999999999999d",
            b"%.99999999999999999999f",
            b"%*.*e",
            b"\\0",
            b"%#",
            b"\\777",
        ] {
            let _ = run(&[f, b"1", b"-99999999999999999999999", b"\xff"]);
        }
    }

    #[test]
    fn against_dash() {
        let cases: &[&[&[u8]]] = &[
            &[b"%d %s\n", b"1", b"2"],
            &[b"%d", b"abc"],
            &[b"%d %s\n", b"1x", b"2"],
            &[b"%z"],
            &[b"abc%z"],
            &[
                b"%5.2f|%e|%g|%G|%E\n",
                b"3.14159",
                b"12345.678",
                b"0.0001",
                b"1e20",
                b"0",
            ],
            &[b"%d %d %x\n", b"'A", b"0x1f", b"010"],
            &[b"%d\n", b"99999999999999999999"],
            &[b"%d\n", b"--", b"5"],
            &[b"--", b"%s\n", b"x"],
            &[b"-v", b"x"],
            &[b"-"],
            &[b"%s-%s\n", b"a", b"b", b"c"],
            &[b"%b|\n", b"a\\cb", b"x"],
            &[b"a\\cb\n"],
            &[b"%*d|%-*d|%.*s\n", b"5", b"1", b"4", b"2", b"2", b"abcdef"],
            &[b"%c%c|\n", b"abc", b""],
            &[b"%c|"],
            &[b"\\101\\x41\\n"],
            &[b"%5%|\n"],
            &[b"%q\n", b"a"],
            &[b"%"],
            &[b"%10"],
            &[b"%05s|%-5s|%.1s|%5c|%-3c|", b"ab", b"cd", b"ef", b"g", b"h"],
            &[b"%*d|%-*d|%.*d|", b"-4", b"5", b"-4", b"6", b"-2", b"7"],
            &[b"%*d|", b"4294967297", b"5"],
            &[b"%5b|%-5b|%.2b|", b"ab", b"c\\n", b"xyz"],
            &[b"%d", b" 12 "],
            &[b"%d", b" +12"],
            &[b"%d|", b"'", b"\"ab", "'é".as_bytes()],
            &[b"%d %d\n", b"1"],
            &[
                b"%#.3g|%g|%g|%g|%.0f|%.0f|%e|%a",
                b"1",
                b"1e-5",
                b"123456789",
                b"0.5",
                b"0.5",
                b"1.5",
                b"inf",
                b"1",
            ],
            &[b"%f|%f", b"1e400", b"nan"],
            &[b"%f", b"1x"],
            &[b"%.20f", b"0.1"],
            &[
                b"%-+5d|%+-5d|%- d|%0-5d|%#5x|%#05x|%#.0o",
                b"1",
                b"2",
                b"3",
                b"4",
                b"255",
                b"255",
                b"0",
            ],
            &[b"\\e\\E\\\"\\x\\777|\\0|\\08"],
            &[b"%*5d|", b"3", b"7"],
            &[b"%5*d|", b"3", b"7"],
            &[b"%**d|", b"3", b"7", b"8"],
            &[b"%.*5d|", b"3", b"7"],
            &[b"%-0-5d|", b"3"],
            &[b"% +d|", b"3"],
            &[b"%#5.3x|%-#8o|", b"10", b"8"],
            &[b"%b", b"\\0777\\1234"],
            &[b"%b|", b"\\", b"x\\"],
            &[b"%.3c|", b"abc"],
            &[b"%i %d", b"0777", b"08"],
            &[b"%x", b"0x"],
            &[b"%d", b"-"],
            &[b"%d", b"-0x1f"],
            &[b"%u", b"18446744073709551616"],
            &[b"%u", b"-18446744073709551615"],
            &[b"%d", b"-9223372036854775809"],
            &[b"%d", b"9223372036854775807"],
            &[b"%x|%X|%o", b"-1", b"255", b"-8"],
            &[b"%c", "é".as_bytes()],
            &[
                b"%.3d|%+.0d|%#o|%#x|% d|%+d|%05d|%x|%o",
                b"5",
                b"0",
                b"0",
                b"0",
                b"3",
                b"3",
                b"-42",
                b"-1",
                b"-1",
            ],
            &[b"%ld", b"5"],
            &[b"%s"],
            &[b""],
            &[b"", b"a", b"b"],
            &[b"x", b"a", b"b"],
            &[b"%%%s%%\n", b"a", b"b"],
            &[
                b"%010.3f|%-10.2e|%+g|% G",
                b"3.14159",
                b"2.5",
                b"7",
                b"1e-10",
            ],
            &[b"%F|%.1F|%A", b"inf", b"2.25", b"0.5"],
            &[b"%g|%g|%g", b"100000", b"1000000", b"1e-4"],
            &[b"%f", b"0x1p3"],
            &[b"%f", b"'x"],
            &[b"%.2f\n", b"1.005", b"2.675", b"-0"],
            &[b"%s %s %s\n", b"a", b"b"],
            &[b"%5s|%-5s|", "é".as_bytes(), b"\xff"],
            &[b"%b", b"a\\0b\\c"],
            &[b"%b\n", b"\\x41\\0101\\101\\e\\a\\v\\q\\\\"],
            &[b"%d %d", b"1", b"2", b"3"],
            &[b"%.0s|%.s|", b"abc", b"def"],
            &[b"%+5s|%#s|% s", b"a", b"b", b"c"],
            &[b"\\"],
            &[b"%d", b""],
            &[b"%f", b""],
            &[b"%0*d|", b"5", b"-3"],
            &[b"%08.3d|", b"5"],
            &[b"%-08d|", b"5"],
            &[b"%#o|%#x", b"8", b"0"],
            &[b"%.5x|%#.5x", b"255", b"255"],
        ];
        for c in cases {
            check(c);
        }
    }
}
