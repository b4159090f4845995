//! `set -x`: the trace of each command on standard error, after `PS4`.
//!
//! In posix mode the trace is dash's: the words as they are, one line per simple command.
//! In bash mode it is bash's: words quoted so that they read back (`'a b'`), each assignment
//! on a line of its own before the command's words, `for`, `case`, `[[ ]]` and `(( ))`
//! traced too, and the first character of `PS4` repeated once more for each level of `eval`,
//! `source`, trap and command substitution the command runs in.

use crate::state::Shell;

/// `PS4`, expanded, its first character repeated for the nesting level (bash).
fn prefix(sh: &mut Shell) -> Vec<u8> {
    // Commands PS4 runs (`PS4='$(date) '`) are not traced: tracing them would expand PS4
    // again, without end (dash loops there; bash does not trace them).
    let tracing = std::mem::replace(&mut sh.options.xtrace, false);
    let ps4 = crate::interactive::prompt::expand(sh, b"PS4");
    sh.options.xtrace = tracing;
    if sh.options.posix || sh.trace_level == 0 || ps4.is_empty() {
        return ps4;
    }
    let mut line = vec![ps4[0]; sh.trace_level as usize];
    line.extend_from_slice(&ps4);
    line
}

/// Write one trace line: the prefix, then `text`.
pub fn line(sh: &mut Shell, text: &[u8]) {
    let line = rendered(sh, text);
    write(sh, &line);
}

/// A trace line: the prefix, `text`, a newline.
fn rendered(sh: &mut Shell, text: &[u8]) -> Vec<u8> {
    let mut line = prefix(sh);
    line.extend_from_slice(text);
    line.push(b'\n');
    line
}

/// Write trace lines where the trace goes.
fn write(sh: &Shell, lines: &[u8]) {
    // bash's BASH_XTRACEFD names another descriptor for the trace; one not open falls back
    // to standard error.
    let fd = sh
        .options
        .bash()
        .then(|| sh.get_var(b"BASH_XTRACEFD"))
        .flatten()
        .and_then(|v| std::str::from_utf8(v).ok()?.parse::<i32>().ok())
        .filter(|&fd| fd >= 0 && crate::sys::fd::is_open(fd))
        .unwrap_or(2);
    crate::sys::fd::write_all(fd, lines);
}

/// bash's warning when `BASH_XTRACEFD` is given what names no open descriptor (the trace
/// then goes to standard error).
pub fn check_trace_fd(sh: &Shell, value: &[u8]) {
    let open = std::str::from_utf8(value)
        .ok()
        .and_then(|v| v.parse::<i32>().ok())
        .is_some_and(|fd| fd >= 0 && crate::sys::fd::is_open(fd));
    if !value.is_empty() && !open {
        let m = [
            b"BASH_XTRACEFD: ",
            value,
            b": invalid value for trace file descriptor",
        ]
        .concat();
        sh.report(&crate::exec::ShellError::new(crate::exec::ErrorKind::text(
            m,
        )));
    }
}

/// A character that makes bash quote a traced word (`sh_contains_shell_metas`): blanks,
/// quoting and expansion characters, operators, pattern characters; `~` where a tilde
/// expansion could start and `#` at the start.
pub fn needs_quotes(w: &[u8]) -> bool {
    w.iter().enumerate().any(|(i, &c)| match c {
        b' ' | b'\t' | b'\n' | b'\'' | b'"' | b'\\' | b'|' | b'&' | b';' | b'(' | b')' | b'<'
        | b'>' | b'!' | b'{' | b'}' | b'*' | b'[' | b'?' | b']' | b'^' | b'$' | b'`' => true,
        b'~' => i == 0 || matches!(w[i - 1], b'=' | b':'),
        b'#' => i == 0,
        _ => false,
    })
}

/// `'w'`, with each `'` as `'\''`; a lone `'` is `\'`.
pub fn single_quoted(w: &[u8]) -> Vec<u8> {
    if w == b"'" {
        return b"\\'".to_vec();
    }
    crate::syntax::quote::single_quoted(w)
}

/// A word of a traced command as bash shows it.
pub fn word(w: &[u8]) -> Vec<u8> {
    if w.is_empty() {
        b"''".to_vec()
    } else if needs_quotes(w) {
        single_quoted(w)
    } else {
        crate::syntax::ansi_c::encode(w).unwrap_or_else(|| w.to_vec())
    }
}

/// Expanded array elements as bash traces them: `('1' '2 3')`, `(['k']='v')`.
fn array_elements(elements: &[crate::exec::assign::Element]) -> Vec<u8> {
    let mut out = b"(".to_vec();
    for (i, e) in elements.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if let Some(key) = &e.key {
            out.push(b'[');
            out.extend_from_slice(&single_quoted(key));
            out.extend_from_slice(if e.append { b"]+=" } else { b"]=" });
        }
        out.extend_from_slice(&single_quoted(&e.value));
    }
    out.push(b')');
    out
}

/// The value of a traced assignment as bash shows it (empty stays empty).
fn value(v: &[u8]) -> Vec<u8> {
    if needs_quotes(v) {
        single_quoted(v)
    } else {
        v.to_vec()
    }
}

/// An assignment made, as the trace shows it.
#[derive(Debug, Clone)]
pub struct Assigned {
    /// The name, with its subscript and `+` for `+=` (`a[1]+`).
    pub name: Vec<u8>,
    pub value: Vec<u8>,
    /// The value is shown as it was written (`a=(1 "$x")`), not quoted again.
    pub as_written: bool,
}

impl Assigned {
    pub fn plain(name: &[u8], value: Vec<u8>) -> Assigned {
        Assigned {
            name: name.to_vec(),
            value,
            as_written: false,
        }
    }
}

/// A simple command: its assignments and fields.
pub fn simple(sh: &mut Shell, assigns: &[Assigned], fields: &[Vec<u8>]) {
    if !sh.options.xtrace || (assigns.is_empty() && fields.is_empty()) {
        return;
    }
    let bash = sh.options.bash();
    let assignment = |a: &Assigned| {
        let v = match bash && !a.as_written {
            true => value(&a.value),
            false => a.value.clone(),
        };
        [&a.name[..], b"=", &v].concat()
    };
    if bash {
        // bash: each assignment on a line of its own, then the command; written at once,
        // so that a pipeline's members do not mix their lines.
        let mut lines = Vec::new();
        for a in assigns {
            let text = assignment(a);
            lines.extend(rendered(sh, &text));
        }
        if !fields.is_empty() {
            // A declaration's array operand (`declare -a b=(1 2)`): its assignment on a
            // line of its own, then the command with the name alone.
            let compound = sh.compound_args.clone();
            for (i, elements) in &compound {
                if let Some(field) = fields.get(*i) {
                    let name = field.strip_suffix(b"=").unwrap_or(field);
                    let text = [name, b"=", &array_elements(elements)].concat();
                    lines.extend(rendered(sh, &text));
                }
            }
            let words: Vec<Vec<u8>> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| match compound.iter().any(|(at, _)| *at == i) {
                    true => f
                        .split(|&c| c == b'+' || c == b'=')
                        .next()
                        .unwrap_or(f)
                        .to_vec(),
                    false => word(f),
                })
                .collect();
            lines.extend(rendered(sh, &words.join(&b' ')));
        }
        write(sh, &lines);
        return;
    }
    let mut text = Vec::new();
    let words = assigns.iter().map(assignment).chain(fields.iter().cloned());
    for (i, w) in words.enumerate() {
        if i > 0 {
            text.push(b' ');
        }
        text.extend_from_slice(&w);
    }
    line(sh, &text);
}

/// A bash compound command's head (`for x in ...`, `case w in`, `[[ ... ]]`, `(( ... ))`),
/// traced in bash mode only.
pub fn compound(sh: &mut Shell, text: impl FnOnce() -> Vec<u8>) {
    if sh.options.xtrace && sh.options.bash() {
        let text = text();
        line(sh, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::word;

    #[test]
    fn words_are_quoted_as_bash_traces_them() {
        assert_eq!(word(b"plain"), b"plain");
        assert_eq!(word(b""), b"''");
        assert_eq!(word(b"a b"), b"'a b'");
        assert_eq!(word(b"d'e"), b"'d'\\''e'");
        assert_eq!(word(b"'"), b"\\'");
        assert_eq!(word(b"~a"), b"'~a'");
        assert_eq!(word(b"a~"), b"a~");
        assert_eq!(word(b"x=~"), b"'x=~'");
        assert_eq!(word(b"#b"), b"'#b'");
        assert_eq!(word(b"a#b"), b"a#b");
        assert_eq!(word(b"\x01"), b"$'\\001'");
    }
}
