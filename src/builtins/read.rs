//! `read [-r] [-p prompt] name...` (XCU read), as dash does it: one byte at a time from
//! descriptor 0 (so the rest of the input stays for the next command), backslash escapes
//! unless `-r`, and IFS field splitting where the last name takes the rest of the line.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::expand::ifs_char_len;
use crate::state::Shell;
use crate::sys;

/// A line as read: each byte with whether a backslash quoted it (quoted bytes never split).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Line {
    pub bytes: Vec<u8>,
    pub quoted: Vec<bool>,
    /// The input ended before a newline (exit status 1).
    pub eof: bool,
    /// The line did not fit in memory (its length is the input's to choose): reading stopped.
    pub out_of_space: bool,
}

impl Line {
    fn push(&mut self, c: u8, quoted: bool) -> bool {
        if self.bytes.len() == self.bytes.capacity() {
            let more = self.bytes.capacity().max(64);
            if self.bytes.try_reserve(more).is_err() || self.quoted.try_reserve(more).is_err() {
                *self = Line {
                    out_of_space: true,
                    ..Line::default()
                };
                return false;
            }
        }
        self.bytes.push(c);
        self.quoted.push(quoted);
        true
    }
}

/// Read one line from `next` (None at end of input). NUL bytes are dropped; without `raw`, a
/// backslash quotes the next byte and backslash-newline joins lines.
pub fn read_line(next: impl FnMut() -> Option<u8>, raw: bool) -> Line {
    read_until(next, raw, Some(b'\n'))
}

/// As [`read_line`], up to `delim` (bash's `read -d`); with None, up to the end of input.
pub fn read_until(mut next: impl FnMut() -> Option<u8>, raw: bool, delim: Option<u8>) -> Line {
    let mut line = Line::default();
    let mut backslash = false;
    loop {
        let Some(c) = next() else {
            line.eof = true;
            return line;
        };
        if c == 0 && delim != Some(0) {
            continue;
        }
        if backslash {
            backslash = false;
            if c != b'\n' && !line.push(c, true) {
                return line;
            }
            continue;
        }
        if !raw && c == b'\\' {
            backslash = true;
            continue;
        }
        if Some(c) == delim {
            return line;
        }
        if !line.push(c, false) {
            return line;
        }
    }
}

const DEFAULT_IFS: &[u8] = b" \t\n";

/// Split `line` into at most `max` fields with `ifs` (dash's ifsbreakup for read): the last
/// field keeps the rest of the line, less trailing IFS white space. Fewer fields may result.
/// In dash a quoted byte after the last field's trailing white space is cut with it; in bash
/// (`bash`) it ends that white space's claim to be trailing (`a \i` reads as `a i`), unless
/// it is white space itself.
pub fn split(line: &Line, ifs: &[u8], max: usize, bash: bool) -> Vec<Vec<u8>> {
    let s = &line.bytes;
    let n = s.len();
    let mut fields = Vec::new();
    let mut maxargs = max;
    let mut start = 0usize;
    // Where to cut the last field (its trailing IFS), if anywhere.
    let mut r: Option<usize> = None;
    // bash in a UTF-8 locale: an IFS character may be several bytes (`IFS=→`).
    let multibyte = bash && !ifs.is_ascii() && crate::state::locale::chars();
    // The length of the IFS character at `q`, 0 when there is none.
    let ifs_len = |q: usize| -> usize {
        ifs_char_len(s, q, ifs, multibyte, |a, b| {
            !line.quoted[a..b].contains(&true)
        })
    };
    let mut p = 0usize;
    while p < n {
        // Quoted bytes are outside the regions that split; skip them.
        if line.quoted[p] {
            if bash && maxargs == 0 {
                // An escaped space, tab or newline counts as trailing white space too
                // (bash strips `a\ ` to `a`); any other quoted byte ends it.
                if matches!(s[p], b' ' | b'\t' | b'\n') {
                    r = r.or(Some(p));
                } else {
                    r = None;
                }
            }
            p += 1;
            continue;
        }
        let mut ifsspc = false;
        while p < n && !line.quoted[p] {
            let q = p;
            let c = s[p];
            let len = ifs_len(q);
            p += len.max(1);
            let isifs = len > 0;
            let isdefifs = isifs && DEFAULT_IFS.contains(&c);
            if maxargs == 0 {
                if isdefifs {
                    if r.is_none() {
                        r = Some(q);
                    }
                    continue;
                }
                if !(isifs && ifsspc) {
                    r = None;
                }
                ifsspc = false;
                continue;
            }
            if ifsspc {
                // After white space, more white space and one other IFS byte still
                // belong to the same separator.
                start = if isifs { p } else { q };
                if isdefifs {
                    continue;
                }
                ifsspc = false;
                if isifs {
                    continue;
                }
            }
            if isifs {
                ifsspc = isdefifs;
                if q == start && ifsspc {
                    start = p;
                    ifsspc = false;
                    continue;
                }
                maxargs -= 1;
                if maxargs == 0 {
                    r = Some(q);
                    continue;
                }
                fields.push(s[start..q].to_vec());
                start = p;
                continue;
            }
            ifsspc = false;
        }
    }
    let end = r.unwrap_or(n).max(start);
    if start < end {
        fields.push(s[start..end].to_vec());
    }
    fields
}

/// Read one byte from descriptor 0, retrying on EINTR; None at end of input or on error.
pub(crate) fn read_byte() -> Option<u8> {
    let mut c = [0u8];
    loop {
        match crate::sys::fd::read(0, &mut c) {
            Ok(1) => return Some(c[0]),
            Err(sys::errno::EINTR) => {}
            _ => return None,
        }
    }
}

/// `read`'s errors fail the command only.
fn failure(kind: ErrorKind) -> ExecResult {
    ShellError::builtin("read", kind).fails().raise()
}

pub fn read(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    // Reading may block: the records' syslog copies go first.
    sh.audit.flush();
    if sh.options.bash() {
        return bash_read(sh, args);
    }
    let mut opts = super::getopts::NextOpt::new(args.get(1..).unwrap_or(&[]));
    let mut raw = false;
    let mut prompt: Option<&[u8]> = None;
    loop {
        match opts.next(b"p:r") {
            Ok(Some((b'p', a))) => prompt = a,
            Ok(Some(_)) => raw = true,
            Ok(None) => break,
            Err(m) => return failure(ErrorKind::Message(m)),
        }
    }
    if let Some(p) = prompt {
        if crate::sys::fd::is_terminal(0) {
            crate::sys::fd::write_all(2, p);
        }
    }
    let names = opts.rest();
    if names.is_empty() {
        return failure(ErrorKind::text("arg count"));
    }
    let line = read_line(read_byte, raw);
    if line.out_of_space {
        return failure(ErrorKind::OutOfSpace);
    }
    let ifs = sh.ifs().unwrap_or(DEFAULT_IFS).to_vec();
    let mut fields = split(&line, &ifs, names.len(), false).into_iter();
    for name in names {
        if !crate::state::vars::is_name(name) {
            return failure(ErrorKind::BadName(name.clone()));
        }
        if let Err(e) = sh.set_var(name, fields.next().unwrap_or_default()) {
            return failure(ErrorKind::Variable(e));
        }
    }
    Ok(i32::from(line.eof))
}

/// bash's options of `read`.
struct BashRead {
    array: Option<Vec<u8>>,
    delim: u8,
    /// `-n`: at most this many bytes; `-N`: exactly, the delimiter not special.
    count: Option<(usize, bool)>,
    prompt: Option<Vec<u8>>,
    raw: bool,
    silent: bool,
    /// `-t`: milliseconds.
    timeout: Option<i32>,
    fd: i32,
    /// `-e`: at a terminal, the line is read with the line editor, `-i` text already in it.
    edit: bool,
    initial: Vec<u8>,
}

/// `read -e` at a terminal: the line typed with the line editor (the prompt shown, the `-i`
/// text already there), ending in the delimiter; None at the end of input or on Ctrl-C.
fn edited_line(o: &BashRead) -> Option<Vec<u8>> {
    let mut editor = rustyline::DefaultEditor::new().ok()?;
    let prompt = String::from_utf8_lossy(o.prompt.as_deref().unwrap_or_default()).into_owned();
    let initial = String::from_utf8_lossy(&o.initial).into_owned();
    let text = editor.readline_with_initial(&prompt, (&initial, "")).ok()?;
    let mut bytes = text.into_bytes();
    bytes.push(o.delim);
    Some(bytes)
}

fn bash_usage(m: &str) -> ExecResult {
    ShellError::builtin("read", ErrorKind::text(m.to_string()))
        .with_status(1)
        .fails()
        .raise()
}

/// `read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt]
/// [-t timeout] [-u fd] [name ...]` (bash): no name reads into `REPLY`, unsplit.
fn bash_read(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let mut o = BashRead {
        array: None,
        delim: b'\n',
        count: None,
        prompt: None,
        raw: false,
        silent: false,
        timeout: None,
        fd: 0,
        edit: false,
        initial: Vec::new(),
    };
    let mut opts = super::getopts::NextOpt::new(args.get(1..).unwrap_or(&[]));
    loop {
        match opts.next(b"a:d:ei:n:N:p:rst:u:") {
            Ok(Some((c, a))) => {
                let a = a.unwrap_or_default();
                let text = String::from_utf8_lossy(a);
                match c {
                    b'a' => o.array = Some(a.to_vec()),
                    b'd' => o.delim = a.first().copied().unwrap_or(0),
                    b'n' | b'N' => match text.parse::<usize>() {
                        Ok(n) => o.count = Some((n, c == b'N')),
                        Err(_) => {
                            return bash_usage(&format!("{text}: invalid number"));
                        }
                    },
                    b'p' => o.prompt = Some(a.to_vec()),
                    b'e' => o.edit = true,
                    b'i' => o.initial = a.to_vec(),
                    b'r' => o.raw = true,
                    b's' => o.silent = true,
                    b't' => match text.parse::<f64>() {
                        Ok(t) if t >= 0.0 => o.timeout = Some((t * 1000.0).round() as i32),
                        _ => return bash_usage(&format!("{text}: invalid timeout specification")),
                    },
                    b'u' => match super::util::input_fd(&text) {
                        Ok(fd) => o.fd = fd,
                        Err(message) => return bash_usage(&message),
                    },
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(m) => return failure(ErrorKind::Message(m)),
        }
    }
    let names = opts.rest().to_vec();
    for name in names.iter().chain(o.array.iter()) {
        let element = o.array.as_ref() != Some(name) && element_of(sh, name).is_some();
        if !crate::state::vars::is_name(name) && !element {
            let m = format!(
                "`{}': not a valid identifier",
                String::from_utf8_lossy(name)
            );
            return ShellError::builtin("read", ErrorKind::text(m))
                .with_status(1)
                .fails()
                .raise();
        }
    }
    if let Some(array) = o
        .array
        .as_ref()
        .filter(|a| sh.vars.array(a).is_some_and(|a| a.is_assoc()))
    {
        let m = format!("{}: not an indexed array", String::from_utf8_lossy(array));
        return ShellError::builtin("read", ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    let terminal = crate::sys::fd::is_terminal(o.fd);
    let edited = if o.edit && terminal && o.fd == 0 && o.count.is_none() && o.timeout.is_none() {
        match edited_line(&o) {
            Some(text) => Some(text),
            None => return Ok(1),
        }
    } else {
        None
    };
    if let (Some(p), true, None) = (&o.prompt, terminal, &edited) {
        crate::sys::fd::write_all(2, p);
    }
    if o.timeout == Some(0) {
        // `-t 0`: only whether input is waiting.
        return Ok(i32::from(!crate::sys::fd::wait_readable(o.fd, 0)));
    }
    let saved = if o.silent && terminal {
        crate::sys::fd::terminal_modes(o.fd).ok().inspect(|m| {
            let mut quiet = *m;
            quiet.c_lflag &= !libc::ECHO;
            crate::sys::fd::set_terminal_modes(o.fd, &quiet);
        })
    } else {
        None
    };
    let deadline = o
        .timeout
        .map(|ms| std::time::Instant::now() + std::time::Duration::from_millis(ms as u64));
    let mut timed_out = false;
    let mut read_error = None;
    let mut taken = 0usize;
    // In a UTF-8 locale (bash) `-n` and `-N` count characters: the bytes that continue one
    // are read without being counted.
    let by_char = crate::state::locale::chars();
    let mut continuing = 0u8;
    // Without -r, a backslash is not counted, nor the newline it joins (bash counts what is
    // stored).
    let mut escaping = false;
    let raw = o.raw;
    let (limit, exact) = o.count.unwrap_or((usize::MAX, false));
    let delim = if exact { None } else { Some(o.delim) };
    let fd = o.fd;
    let mut input = crate::sys::fd::ByteReader::new(fd);
    let line = if let Some(text) = edited {
        let mut bytes = text.into_iter();
        read_until(|| bytes.next(), o.raw, delim)
    } else if limit == 0 {
        Line::default()
    } else {
        read_until(
            || {
                if taken >= limit && continuing == 0 {
                    return None;
                }
                if let Some(d) = deadline.filter(|_| !input.has_buffered()) {
                    let left = d.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero()
                        || !crate::sys::fd::wait_readable(fd, left.as_millis().max(1) as i32)
                    {
                        timed_out = true;
                        return None;
                    }
                }
                let b = match input.byte() {
                    Ok(Some(b)) => b,
                    Ok(None) => return None,
                    Err(e) => {
                        read_error = Some(e);
                        return None;
                    }
                };
                if by_char && continuing > 0 && b & 0xc0 == 0x80 {
                    continuing -= 1;
                    return Some(b);
                }
                if !raw {
                    if std::mem::take(&mut escaping) {
                        if b == b'\n' {
                            return Some(b);
                        }
                    } else if b == b'\\' {
                        escaping = true;
                        return Some(b);
                    }
                }
                continuing = match (by_char, b) {
                    (true, 0xc2..=0xdf) => 1,
                    (true, 0xe0..=0xef) => 2,
                    (true, 0xf0..=0xf4) => 3,
                    _ => 0,
                };
                taken += 1;
                Some(b)
            },
            o.raw,
            delim,
        )
    };
    // What was read past the line goes back to the file.
    drop(input);
    if let Some(m) = saved {
        crate::sys::fd::set_terminal_modes(o.fd, &m);
    }
    if let Some(e) = read_error {
        // bash: `read error: 0: Is a directory`, and nothing is assigned.
        let m = format!("read error: {}: {}", o.fd, sys::errno::text(e));
        return ShellError::builtin("read", ErrorKind::text(m))
            .with_status(1)
            .fails()
            .raise();
    }
    if line.out_of_space {
        return failure(ErrorKind::OutOfSpace);
    }
    let ended = line.eof && !(o.count.is_some() && taken >= limit);
    let ifs = sh.ifs().unwrap_or(DEFAULT_IFS).to_vec();
    let result = if let Some(array) = &o.array {
        // -N reads the characters as they are: one field, not split.
        let fields = match exact {
            true => vec![line.bytes.clone()],
            false => split(&line, &ifs, usize::MAX, true),
        };
        let mut a = crate::state::vars::Array::indexed();
        for (i, f) in fields.into_iter().enumerate() {
            a.set(crate::state::vars::Key::Index(i as i64), f);
        }
        sh.vars.set_array(array, a)
    } else if names.is_empty() {
        sh.set_var(b"REPLY", line.bytes.clone())
    } else {
        let mut fields = match exact {
            true => vec![line.bytes.clone()],
            false => split(&line, &ifs, names.len(), true),
        }
        .into_iter();
        let mut result = Ok(());
        for name in &names {
            let value = fields.next().unwrap_or_default();
            // `read 'a[1]'`, `read 'm[$k]'`: an element, its subscript expanded as bash does.
            if let Some((array, sub)) = element_of(sh, name) {
                if let Err(e) = crate::exec::assign::assign_element_with(
                    sh,
                    array,
                    sub,
                    value,
                    false,
                    crate::expand::subscript::key_of_text,
                ) {
                    if e.unwinds {
                        return Err(e.into());
                    }
                    sh.report(&ShellError::new(ErrorKind::Expansion(e.message)).fails());
                    return Ok(1);
                }
                continue;
            }
            result = sh.set_var(name, value);
            if result.is_err() {
                break;
            }
        }
        result
    };
    if let Err(e) = result {
        // bash names the variable, not the built-in, and fails with 1.
        sh.report(
            &ShellError::new(ErrorKind::Variable(e))
                .with_status(1)
                .fails(),
        );
        return Ok(1);
    }
    if timed_out {
        return Ok(142);
    }
    Ok(i32::from(ended))
}

/// `name[subscript]`: the array's name and the subscript's text.
fn element_of<'n>(sh: &Shell, name: &'n [u8]) -> Option<(&'n [u8], &'n [u8])> {
    let open = name.iter().position(|&c| c == b'[')?;
    let (array, sub) = (&name[..open], name[open + 1..].strip_suffix(b"]")?);
    let reads = crate::expand::subscript::element_text_reads(sh, array, sub);
    (reads && crate::state::vars::is_name(array)).then_some((array, sub))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    /// Read `input` into `names` as the built-in would: the values, the status, and what
    /// is left unread.
    fn run(input: &[u8], raw: bool, ifs: &[u8], names: usize) -> (Vec<Vec<u8>>, i32, Vec<u8>) {
        let mut it = input.iter().copied();
        let line = read_line(|| it.next(), raw);
        let mut fields = split(&line, ifs, names, false).into_iter();
        let vals = (0..names)
            .map(|_| fields.next().unwrap_or_default())
            .collect();
        (vals, i32::from(line.eof), it.collect())
    }

    fn dash(
        input: &[u8],
        raw: bool,
        ifs: Option<&[u8]>,
        names: usize,
    ) -> Option<(Vec<Vec<u8>>, i32)> {
        let vars: Vec<String> = (0..names).map(|i| format!("v{i}")).collect();
        let script = format!(
            "{} read {} {}; s=$?; for v in {}; do eval \"printf '%s\\0' \\\"\\${{$v}}\\\"\"; done; echo $s",
            if ifs.is_some() { "IFS=$1;" } else { "unset IFS;" },
            if raw { "-r" } else { "" },
            vars.join(" "),
            vars.join(" ")
        );
        let out = testutil::dash(&script)
            .byte_args([ifs.unwrap_or(b"")])
            .stdin(input)
            .run()?;
        let parts: Vec<&[u8]> = out.stdout.split(|&c| c == 0).collect();
        let vals = parts[..names].iter().map(|p| p.to_vec()).collect();
        let status = String::from_utf8_lossy(parts[names]).trim().parse().ok()?;
        Some((vals, status))
    }

    fn check(input: &[u8], raw: bool, ifs: Option<&[u8]>, names: usize) {
        let (vals, st, _) = run(input, raw, ifs.unwrap_or(DEFAULT_IFS), names);
        if let Some(d) = dash(input, raw, ifs, names) {
            assert_eq!(
                (vals, st),
                d,
                "read {:?} raw={raw} ifs={:?} names={names}",
                String::from_utf8_lossy(input),
                ifs.map(String::from_utf8_lossy)
            );
        }
    }

    #[test]
    fn stops_after_the_line() {
        let (v, st, rest) = run(b"a b\nc d\n", false, DEFAULT_IFS, 1);
        assert_eq!((v, st, rest), (vec![b"a b".to_vec()], 0, b"c d\n".to_vec()));
        let (v, st, rest) = run(b"a\\\nb\nc", false, DEFAULT_IFS, 1);
        assert_eq!((v, st, rest), (vec![b"ab".to_vec()], 0, b"c".to_vec()));
    }

    /// Input, -r, IFS (None: unset), number of names.
    type Case<'a> = (&'a [u8], bool, Option<&'a [u8]>, usize);

    #[test]
    fn against_dash() {
        let sp: Option<&[u8]> = None;
        if std::path::Path::new(testutil::DASH).exists() {
            assert_eq!(
                dash(b"a b\n", false, sp, 2),
                Some((vec![b"a".to_vec(), b"b".to_vec()], 0))
            );
        }
        let cases: &[Case] = &[
            (b"a b  c  \n", false, sp, 2),
            (b"  a:b:c: \n", false, Some(b": "), 2),
            (b"a:b:c:\n", false, Some(b":"), 2),
            (b"a:b::\n", false, Some(b":"), 2),
            (b"a:b:\n", false, Some(b":"), 3),
            (b"a\\ b c\\\nd e\n", false, sp, 2),
            (b"a\\ b c\\\nd e\n", true, sp, 2),
            (b"abc", false, sp, 1),
            (b"a\0b\n", false, sp, 1),
            (b"a\\", false, sp, 1),
            (b"a\\\\", false, sp, 1),
            (b"a\\\\b\n", false, sp, 1),
            (b"  a  b  \n", false, Some(b""), 2),
            (b"a\\:b:c\n", false, Some(b":"), 2),
            (b" a b \n", false, sp, 2),
            (b" \\  b\n", false, sp, 2),
            (b"a \\ \n", false, sp, 2),
            (b"a b \\ \n", false, sp, 2),
            (b"a\\b \\c\n", false, sp, 2),
            (b"a \\b c\n", false, sp, 3),
            (b"a b \\ c\n", false, sp, 2),
            (b"\n", false, sp, 3),
            (b"", false, sp, 2),
            (b"a b c d\n", false, sp, 1),
            (b"a b c d\n", false, sp, 4),
            (b"a b c d\n", false, sp, 6),
            (b"a : b\n", false, Some(b" :"), 2),
            (b"a : b : \n", false, Some(b" :"), 2),
            (b"a :: b\n", false, Some(b" :"), 3),
            (b"::a\n", false, Some(b":"), 3),
            (b"a:\n", false, Some(b":"), 1),
            (b"a: \n", false, Some(b": "), 1),
            (b"a : \n", false, Some(b": "), 2),
            (b"\ta\t\tb\t\n", false, Some(b"\t"), 2),
            (b"x\xffy z\n", false, sp, 2),
            (b"a\\\\ b\n", false, sp, 2),
            (b"\\\n\n", false, sp, 1),
            (b"a\tb\n", false, Some(b" "), 2),
        ];
        for &(input, raw, ifs, names) in cases {
            check(input, raw, ifs, names);
        }
    }
}
