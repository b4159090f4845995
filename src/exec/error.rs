//! Shell errors as values. Whatever finds an error (an expansion, a redirection, a built-in,
//! the tree walk) returns a [`ShellError`]: what went wrong, in dash's words, the status it
//! leaves and what follows it. The command runner reports it once, as `NAME: LINE: message`,
//! where the command's result comes back and before its redirections are undone ([`settle`]),
//! so the message goes where dash sends it (`f 2>/dev/null`, `cmd 2>&1 | cat`).

use std::fmt;

use super::spawn::SpawnError;
use super::{Divert, ExecResult};
use crate::expand::ExpandError;
use crate::state::{Shell, VarError};
use crate::syntax::ParseError;
use crate::sys::errno;

/// What follows an error once it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The command fails with the status and the shell goes on (a regular built-in's error, a
    /// file a redirection cannot open, a program not found).
    Fails,
    /// A shell error (XCU 2.8.1): a non-interactive shell exits with the status, an
    /// interactive one abandons the command line (a special built-in's error, an expansion or
    /// syntax error). `command` makes a special built-in's error the command's status.
    Aborts,
    /// The shell exits with the status (`exec` could not run its program).
    Exits,
    /// bash: the top-level command is abandoned, the shell goes on ([`Divert::Discard`]).
    Discards,
    /// bash: everything up to the top-level command is abandoned, even where an error would
    /// only fail a command, and the whole of a `-c` string ([`Divert::Unwind`]).
    Unwinds,
}

/// Why a file could not be opened: the system's errno, or the text of an I/O error that has
/// none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    Errno(i32),
    Other(String),
}

impl Cause {
    pub fn of(e: &std::io::Error) -> Cause {
        match e.raw_os_error() {
            Some(n) => Cause::Errno(n),
            None => Cause::Other(e.to_string()),
        }
    }

    /// The system's words for it.
    fn text(&self) -> String {
        match self {
            Cause::Errno(e) => errno::text(*e),
            Cause::Other(text) => text.clone(),
        }
    }
}

/// The families of errors, each with dash's wording (the text after `NAME: LINE: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The parser's `Syntax error: ...`, after `eval: ` or a `.` file's `FILE: ` (the label).
    Syntax {
        label: Vec<u8>,
        message: String,
    },
    /// The commands could not be read.
    Input(String),
    /// A word could not be expanded (`x: parameter not set`, command substitution): the
    /// expander's words.
    Expansion(Vec<u8>),
    /// An arithmetic expression could not be evaluated: the evaluator's words.
    Arithmetic(Vec<u8>),
    /// Memory for a size the user chose could not be had.
    OutOfSpace,
    /// A variable could not be set or unset (`x: is read only`).
    Variable(VarError),
    /// `NAME: bad variable name`
    BadName(Vec<u8>),
    /// `Illegal number: ARG`
    IllegalNumber(Vec<u8>),
    /// `cannot open FILE: REASON`, or `cannot create` for output.
    CannotOpen {
        create: bool,
        path: Vec<u8>,
        cause: Cause,
    },
    /// A redirection names a descriptor above 9.
    BadFdNumber,
    /// `N: Bad file descriptor`: a redirection copies a descriptor that is not open.
    BadDescriptor(Vec<u8>),
    /// bash's errors of a redirection: a target that is not one word, or a `{name}` unset
    /// (`ambiguous redirect`), `{name}` read-only (`cannot assign fd to variable`).
    BadRedirection(Vec<u8>, &'static str),
    /// A here-document's descriptor could not be made.
    HereDocument(i32),
    CannotFork(i32),
    PipeFailed(i32),
    /// Runaway recursion, refused before the stack runs out.
    TooDeep,
    /// `NAME: not found`: no such file in PATH (`.`, `hash`).
    NotFound(Vec<u8>),
    /// A program could not be started: `NAME: not found`, `NAME: Permission denied`, the
    /// audit policy's reason.
    CannotRun {
        name: Vec<u8>,
        error: SpawnError,
    },
    /// The audit policy refused the command line: its message.
    Denied(String),
    /// A built-in's own words (`can't shift that many`, `Illegal option -Z`).
    Message(Vec<u8>),
}

impl ErrorKind {
    pub fn text(message: impl Into<Vec<u8>>) -> ErrorKind {
        ErrorKind::Message(message.into())
    }

    fn write(&self, out: &mut Vec<u8>, bash: bool) {
        if bash && self.write_as_bash(out) {
            return;
        }
        match self {
            ErrorKind::Syntax { label, message } => {
                out.extend_from_slice(label);
                out.extend_from_slice(message.as_bytes());
            }
            ErrorKind::Input(text) | ErrorKind::Denied(text) => {
                out.extend_from_slice(text.as_bytes())
            }
            ErrorKind::Expansion(text) | ErrorKind::Arithmetic(text) | ErrorKind::Message(text) => {
                out.extend_from_slice(text)
            }
            ErrorKind::OutOfSpace => out.extend_from_slice(b"Out of space"),
            ErrorKind::Variable(e) => out.extend_from_slice(e.message().as_bytes()),
            ErrorKind::BadName(name) => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": bad variable name");
            }
            ErrorKind::IllegalNumber(arg) => {
                out.extend_from_slice(b"Illegal number: ");
                out.extend_from_slice(arg);
            }
            ErrorKind::CannotOpen {
                create,
                path,
                cause,
            } => {
                out.extend_from_slice(if *create {
                    b"cannot create "
                } else {
                    b"cannot open "
                });
                out.extend_from_slice(path);
                out.extend_from_slice(b": ");
                let reason = match (create, cause) {
                    (false, Cause::Errno(errno::ENOENT)) => "No such file".to_string(),
                    (true, Cause::Errno(errno::ENOENT)) => "Directory nonexistent".to_string(),
                    (_, cause) => cause.text(),
                };
                out.extend_from_slice(reason.as_bytes());
            }
            ErrorKind::BadFdNumber => out.extend_from_slice(b"Syntax error: Bad fd number"),
            ErrorKind::BadRedirection(name, what) => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": ");
                out.extend_from_slice(what.as_bytes());
            }
            ErrorKind::BadDescriptor(fd) => {
                out.extend_from_slice(fd);
                out.extend_from_slice(b": Bad file descriptor");
            }
            ErrorKind::HereDocument(e) => out.extend_from_slice(errno::text(*e).as_bytes()),
            ErrorKind::CannotFork(e) => {
                out.extend_from_slice(format!("Cannot fork: {}", errno::text(*e)).as_bytes())
            }
            ErrorKind::PipeFailed(e) => {
                out.extend_from_slice(format!("Pipe call failed: {}", errno::text(*e)).as_bytes())
            }
            ErrorKind::TooDeep => {
                out.extend_from_slice(b"nesting too deep: recursion limit reached")
            }
            ErrorKind::NotFound(name) => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": not found");
            }
            ErrorKind::CannotRun { name, error } => match error {
                SpawnError::NotFound | SpawnError::Os(errno::ENOENT | libc::ENOTDIR) => {
                    ErrorKind::NotFound(name.clone()).write(out, false)
                }
                SpawnError::Os(e) => {
                    out.extend_from_slice(name);
                    out.extend_from_slice(b": ");
                    out.extend_from_slice(errno::text(*e).as_bytes());
                }
                SpawnError::Denied(why) => {
                    out.extend_from_slice(name);
                    out.extend_from_slice(b": ");
                    out.extend_from_slice(why.as_bytes());
                }
            },
        }
    }
}

/// Why bash says the file `name` could not run: it looks at the file, so a directory says so,
/// and a file whose interpreter is missing is not itself missing.
pub fn cannot_run_reason(name: &[u8], e: i32) -> String {
    let meta = name
        .contains(&b'/')
        .then(|| std::fs::metadata(crate::state::os(name)).ok())
        .flatten();
    match (e, meta) {
        (errno::EACCES, Some(m)) if m.is_dir() => "Is a directory".into(),
        (errno::ENOENT, Some(_)) => "cannot execute: required file not found".into(),
        (errno::ENOEXEC, _) => "cannot execute binary file: Exec format error".into(),
        _ => errno::text(e),
    }
}

impl ErrorKind {
    /// bash's words for the errors whose text a bash user sees most (`f: No such file or
    /// directory`, `x: command not found`); false for the rest, which keep dash's.
    fn write_as_bash(&self, out: &mut Vec<u8>) -> bool {
        match self {
            ErrorKind::CannotOpen { path, cause, .. } => {
                out.extend_from_slice(path);
                out.extend_from_slice(b": ");
                // Only `set -C` opens a file to create it anew (O_EXCL).
                match cause {
                    Cause::Errno(errno::EEXIST) => {
                        out.extend_from_slice(b"cannot overwrite existing file")
                    }
                    _ => out.extend_from_slice(cause.text().as_bytes()),
                }
            }
            ErrorKind::Variable(VarError::ReadOnly(name)) => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": readonly variable");
            }
            ErrorKind::BadName(name) => {
                out.push(b'`');
                out.extend_from_slice(name);
                out.extend_from_slice(b"': not a valid identifier");
            }
            ErrorKind::CannotRun {
                name,
                error: SpawnError::NotFound,
            } => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": command not found");
            }
            ErrorKind::CannotRun {
                name,
                error: SpawnError::Os(e),
            } => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": ");
                out.extend_from_slice(cannot_run_reason(name, *e).as_bytes());
            }
            _ => return false,
        }
        true
    }

    /// A failed redirection (the file, the descriptor).
    fn is_redirection(&self) -> bool {
        matches!(
            self,
            ErrorKind::CannotOpen { .. }
                | ErrorKind::BadDescriptor(_)
                | ErrorKind::BadRedirection(..)
        )
    }
}

/// An error on its way to be reported: what went wrong, the status it leaves (2 unless said
/// otherwise, as in dash) and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellError {
    pub kind: ErrorKind,
    /// The built-in that failed, whose name begins each line (`cd: can't cd to /x`).
    pub builtin: Option<&'static str>,
    pub status: i32,
    pub effect: Effect,
    /// Further lines of the same failure, each a message of its own (`fc`'s usage line, each
    /// name `hash` did not find).
    pub more: Vec<ErrorKind>,
}

impl ShellError {
    /// A shell error: status 2, and a non-interactive shell exits.
    pub fn new(kind: ErrorKind) -> ShellError {
        ShellError {
            kind,
            builtin: None,
            status: 2,
            effect: Effect::Aborts,
            more: Vec::new(),
        }
    }

    /// A built-in's error, its name before the message; a shell error until [`Self::fails`]
    /// says otherwise (a special built-in's errors are shell errors, a regular one's are not).
    pub fn builtin(name: &'static str, kind: ErrorKind) -> ShellError {
        ShellError {
            builtin: Some(name),
            ..ShellError::new(kind)
        }
    }

    /// Only the command fails; the shell goes on.
    pub fn fails(self) -> ShellError {
        if self.effect == Effect::Unwinds {
            return self;
        }
        ShellError {
            effect: Effect::Fails,
            ..self
        }
    }

    /// A shell error, whatever it was made as (a special built-in's redirection).
    pub fn aborts(self) -> ShellError {
        ShellError {
            effect: Effect::Aborts,
            ..self
        }
    }

    /// The shell exits once it is reported.
    pub fn exits(self) -> ShellError {
        ShellError {
            effect: Effect::Exits,
            ..self
        }
    }

    pub fn with_status(self, status: i32) -> ShellError {
        ShellError { status, ..self }
    }

    /// Another line of the same failure.
    pub fn and(mut self, kind: ErrorKind) -> ShellError {
        self.more.push(kind);
        self
    }

    /// Return it: the `Err` a built-in or the evaluator gives back for it.
    pub fn raise<T>(self) -> Result<T, Divert> {
        Err(self.into())
    }

    /// The message's lines as they follow `NAME: LINE: ` (bytes: names and paths need not be
    /// UTF-8).
    pub fn lines(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        std::iter::once(&self.kind)
            .chain(&self.more)
            .map(move |kind| {
                let mut line = Vec::new();
                self.write_line(kind, &mut line, false);
                line
            })
    }

    /// Append each line after `prefix`, each ended by a newline: what goes to standard error.
    pub fn write_lines(&self, prefix: &[u8], out: &mut Vec<u8>, bash: bool) {
        for kind in std::iter::once(&self.kind).chain(&self.more) {
            let start = out.len();
            out.extend_from_slice(prefix);
            self.write_line(kind, out, bash);
            if matches!(kind, ErrorKind::Syntax { .. }) && out[start..].contains(&b'\n') {
                // bash's syntax error shows the line under it, with the prefix again.
                let text = out.split_off(start);
                for (i, line) in text.split(|&c| c == b'\n').enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                        out.extend_from_slice(prefix);
                    }
                    out.extend_from_slice(line);
                }
            }
            out.push(b'\n');
        }
    }

    fn write_line(&self, kind: &ErrorKind, out: &mut Vec<u8>, bash: bool) {
        if let Some(name) = self.builtin {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
        }
        kind.write(out, bash);
    }

    /// What the error does in bash mode. bash outside its posix mode ends a script for an
    /// expansion error or `exit`, but not for a special built-in's error (`: > /nodir/f`,
    /// `shift 5`, `eval '('`, `return` outside a function): those only fail. A redirection
    /// that fails, and a built-in's error that is not a usage error, leave status 1.
    fn in_bash_mode(mut self) -> ShellError {
        let special = self.builtin.is_some_and(|b| b != "exit")
            || self.kind.is_redirection()
            || matches!(&self.kind, ErrorKind::Syntax { label, .. } if !label.is_empty());
        if self.effect == Effect::Aborts && special {
            self.effect = Effect::Fails;
        }
        // An arithmetic error or an assignment to a read-only variable abandons only the
        // command being run at the top level.
        let discards = match &self.kind {
            ErrorKind::Variable(
                VarError::ReadOnly(_) | VarError::Circular(_) | VarError::BadSubscript(_),
            ) => true,
            ErrorKind::Arithmetic(_) => true,
            ErrorKind::Expansion(m) => {
                m.starts_with(b"no match: ")
                    || m.ends_with(b": invalid indirect expansion")
                    || m.ends_with(b": invalid variable name")
                    || m.ends_with(b": cannot assign list to array member")
                    || m.ends_with(b"': not a valid identifier")
                    || (m.ends_with(b": bad substitution") && !names_a_transform(m))
                    || m.ends_with(b": bad array subscript")
                    || m.ends_with(b": readonly variable")
                    || m.ends_with(b": substring expression < 0")
                    || m.ends_with(b": cannot assign in this way")
            }
            _ => false,
        };
        if self.effect == Effect::Aborts && discards {
            self.effect = Effect::Discards;
            self.status = 1;
        }
        if self.status == 2 && (self.kind.is_redirection() || self.builtin_fails_with_one()) {
            self.status = 1;
        }
        // `. FILE` names the file alone, as a redirection would.
        if self.builtin == Some(".")
            && matches!(
                self.kind,
                ErrorKind::NotFound(_) | ErrorKind::CannotOpen { .. }
            )
        {
            self.builtin = None;
            if let ErrorKind::NotFound(name) = &mut self.kind {
                self.kind = ErrorKind::CannotOpen {
                    create: false,
                    path: std::mem::take(name),
                    cause: Cause::Errno(errno::ENOENT),
                };
            }
        }
        self
    }

    /// The built-ins whose failures bash reports with status 1 where dash gives 2.
    fn builtin_fails_with_one(&self) -> bool {
        matches!(
            self.builtin,
            Some(
                "cd" | "shift"
                    | "unset"
                    | "."
                    | "source"
                    | "pushd"
                    | "popd"
                    | "export"
                    | "readonly"
                    | "umask"
            )
        ) && !matches!(&self.kind, ErrorKind::Message(m) if m.starts_with(b"Illegal option")
            // A usage error (the usage line follows the message) keeps bash's status 2.
            || m.windows(8).any(|w| w == b": usage:"))
    }

    pub fn too_deep() -> ShellError {
        ShellError::new(ErrorKind::TooDeep)
    }

    /// The commands could not be parsed (`label` begins a syntax error: `eval: `, a `.`
    /// file's name); with a syntax error, the line it was found on, the `LINE` of the message.
    pub fn parse(e: ParseError, label: &[u8]) -> (ShellError, Option<u32>) {
        match e {
            ParseError::Syntax(e) => {
                let kind = ErrorKind::Syntax {
                    label: label.to_vec(),
                    message: e.message,
                };
                (ShellError::new(kind), Some(e.line))
            }
            ParseError::Io(e) => (ShellError::new(ErrorKind::Input(e.to_string())), None),
        }
    }
}

/// bash's `${x@Z}: bad substitution` (an operator after `@` it does not have), which ends a
/// script as `set -u` does, unlike the other bad substitutions.
fn names_a_transform(message: &[u8]) -> bool {
    let Some(inner) = message
        .strip_prefix(b"${")
        .and_then(|m| m.strip_suffix(b"}: bad substitution"))
    else {
        return false;
    };
    let name = inner
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    let rest = &inner[name..];
    let rest = match rest.first() {
        Some(b'[') if name > 0 => match rest.iter().position(|&c| c == b']') {
            Some(close) => &rest[close + 1..],
            None => return false,
        },
        Some(b'#' | b'?' | b'-' | b'$' | b'!' | b'*' | b'@') if name == 0 => &rest[1..],
        _ => rest,
    };
    rest.first() == Some(&b'@')
}

impl fmt::Display for ShellError {
    /// The message as dash words it, without the `NAME: LINE: ` prefix (lines joined by
    /// newlines).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.lines().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&String::from_utf8_lossy(&line))?;
        }
        Ok(())
    }
}

impl std::error::Error for ShellError {}

impl From<ShellError> for Divert {
    fn from(e: ShellError) -> Divert {
        Divert::Error(Box::new(e))
    }
}

/// An expansion error is a shell error with the expander's status (1 when out of space).
impl From<ExpandError> for ShellError {
    fn from(e: ExpandError) -> ShellError {
        let kind = if e.is_out_of_space() {
            ErrorKind::OutOfSpace
        } else if e.arith {
            ErrorKind::Arithmetic(e.message)
        } else {
            ErrorKind::Expansion(e.message)
        };
        let error = ShellError::new(kind).with_status(e.status);
        if e.unwinds {
            return ShellError {
                effect: Effect::Unwinds,
                ..error
            };
        }
        error
    }
}

impl From<ExpandError> for Divert {
    fn from(e: ExpandError) -> Divert {
        ShellError::from(e).into()
    }
}

/// The status of an error found where every error has been reported already (a forked child
/// ending, the top level): a mistake of the tree walk, which debug builds refuse.
pub fn unreported(e: &ShellError) -> i32 {
    if cfg!(debug_assertions) {
        panic!("an error left unreported: {e}");
    }
    e.status
}

/// Where a command's result comes back, before its redirections are undone: the error it
/// raised, if any, is reported here, once, and becomes what it stands for (the command's
/// status, an abandoned command line, the shell's exit). Every other result passes through.
#[inline]
pub fn settle(sh: &Shell, result: ExecResult) -> ExecResult {
    let result = match result {
        Err(Divert::Error(e)) => reported(sh, e),
        other => other,
    };
    if sh.unwind_pending.get() {
        return unwound(sh, result);
    }
    result
}

/// A command during which an error reported deep inside must abandon everything up to the
/// top-level command ([`Shell::unwind_pending`]).
#[cold]
#[inline(never)]
fn unwound(sh: &Shell, result: ExecResult) -> ExecResult {
    sh.unwind_pending.set(false);
    match result {
        Ok(_) | Err(Divert::Discard(_)) => Err(Divert::Unwind(1)),
        other => other,
    }
}

// Out of line: every command passes through `settle`, few with an error.
#[cold]
#[inline(never)]
fn reported(sh: &Shell, mut e: Box<ShellError>) -> ExecResult {
    if sh.options.bash() {
        *e = e.in_bash_mode();
        // bash: under `set -e` an error that abandons the command line (an assignment to a
        // read-only variable, a bad substitution, failglob's no match) ends the shell, even
        // where `set -e` is otherwise ignored; an arithmetic error does not.
        let arithmetic = matches!(&e.kind, ErrorKind::Arithmetic(_));
        if e.effect == Effect::Discards && sh.options.errexit && !arithmetic {
            e.effect = Effect::Exits;
        }
    }
    sh.report(&e);
    match e.effect {
        Effect::Fails => Ok(e.status),
        Effect::Aborts => Err(Divert::Abort(e.status)),
        Effect::Exits => Err(Divert::Exit(e.status)),
        Effect::Discards => Err(Divert::Discard(e.status)),
        Effect::Unwinds => Err(Divert::Unwind(e.status)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(e: &ShellError) -> String {
        e.to_string()
    }

    #[test]
    fn a_bad_transform_is_told_from_other_bad_substitutions() {
        for m in ["${x@Z}", "${a[@]@Z}", "${#@Z}", "${1@Z}", "${a[k]@}"] {
            let m = format!("{m}: bad substitution");
            assert!(names_a_transform(m.as_bytes()), "{m}");
        }
        for m in ["${a b}", "${x!y}", "${(k)x}", "${a b@Q}", "${}", "${x:}"] {
            let m = format!("{m}: bad substitution");
            assert!(!names_a_transform(m.as_bytes()), "{m}");
        }
        assert!(!names_a_transform(b"${x@Z}: unbound variable"));
    }

    #[test]
    fn each_kind_in_dashs_words() {
        let cases: Vec<(ErrorKind, &str)> = vec![
            (
                ErrorKind::Syntax {
                    label: b"eval: ".to_vec(),
                    message: "Syntax error: \"(\" unexpected".into(),
                },
                "eval: Syntax error: \"(\" unexpected",
            ),
            (ErrorKind::Expansion(b"x: boom".to_vec()), "x: boom"),
            (ErrorKind::OutOfSpace, "Out of space"),
            (
                ErrorKind::Variable(VarError::ReadOnly(b"r".to_vec())),
                "r: is read only",
            ),
            (ErrorKind::BadName(b"1x".to_vec()), "1x: bad variable name"),
            (ErrorKind::IllegalNumber(b"x".to_vec()), "Illegal number: x"),
            (
                ErrorKind::CannotOpen {
                    create: false,
                    path: b"f".to_vec(),
                    cause: Cause::Errno(errno::ENOENT),
                },
                "cannot open f: No such file",
            ),
            (
                ErrorKind::CannotOpen {
                    create: true,
                    path: b"d/f".to_vec(),
                    cause: Cause::Errno(errno::ENOENT),
                },
                "cannot create d/f: Directory nonexistent",
            ),
            (
                ErrorKind::CannotOpen {
                    create: true,
                    path: b"/f".to_vec(),
                    cause: Cause::Errno(errno::EACCES),
                },
                "cannot create /f: Permission denied",
            ),
            (ErrorKind::BadFdNumber, "Syntax error: Bad fd number"),
            (
                ErrorKind::BadDescriptor(b"5".to_vec()),
                "5: Bad file descriptor",
            ),
            (
                // Errors whose text glibc and musl share (EIO, EMFILE differ).
                ErrorKind::CannotFork(errno::EAGAIN),
                "Cannot fork: Resource temporarily unavailable",
            ),
            (
                ErrorKind::PipeFailed(errno::ENFILE),
                "Pipe call failed: Too many open files in system",
            ),
            (
                ErrorKind::TooDeep,
                "nesting too deep: recursion limit reached",
            ),
            (ErrorKind::NotFound(b"f".to_vec()), "f: not found"),
            (
                ErrorKind::CannotRun {
                    name: b"x".to_vec(),
                    error: SpawnError::NotFound,
                },
                "x: not found",
            ),
            (
                ErrorKind::CannotRun {
                    name: b"./x".to_vec(),
                    error: SpawnError::Os(errno::EACCES),
                },
                "./x: Permission denied",
            ),
            (
                ErrorKind::CannotRun {
                    name: b"./x".to_vec(),
                    error: SpawnError::Os(errno::ENOENT),
                },
                "./x: not found",
            ),
        ];
        for (kind, want) in cases {
            assert_eq!(text(&ShellError::new(kind)), want);
        }
    }

    #[test]
    fn a_builtins_name_begins_every_line() {
        let e = ShellError::builtin("fc", ErrorKind::text("too many arguments"))
            .and(ErrorKind::text("usage: fc"));
        let lines: Vec<Vec<u8>> = e.lines().collect();
        assert_eq!(
            lines,
            [
                b"fc: too many arguments".to_vec(),
                b"fc: usage: fc".to_vec()
            ]
        );
        assert_eq!(text(&e), "fc: too many arguments\nfc: usage: fc");
    }

    #[test]
    fn status_and_effect() {
        let e = ShellError::new(ErrorKind::TooDeep);
        assert_eq!((e.status, e.effect), (2, Effect::Aborts));
        let e = ShellError::builtin("cd", ErrorKind::text("x")).fails();
        assert_eq!((e.status, e.effect), (2, Effect::Fails));
        let e = ShellError::new(ErrorKind::OutOfSpace)
            .with_status(1)
            .exits();
        assert_eq!((e.status, e.effect), (1, Effect::Exits));
        let out_of_space = ShellError::from(ExpandError::out_of_space());
        assert_eq!(out_of_space.kind, ErrorKind::OutOfSpace);
        assert_eq!(out_of_space.status, 1);
    }
}
