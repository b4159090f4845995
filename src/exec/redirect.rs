//! Redirections (XCU 2.7). They are performed in the shell process, saving what they replace,
//! so one mechanism serves built-ins, functions, compound commands and programs alike (a
//! program the shell starts inherits the redirected descriptors; the shell then puts its
//! own back).

use crate::sys;
use std::ffi::CString;
use std::os::unix::io::RawFd;

use super::error::Cause;
use super::spawn::c_string;
use super::{settle, Divert, ErrorKind, ShellError};
use crate::expand;
use crate::state::shopt;
use crate::state::Shell;
use crate::syntax::ast::{RedirOp, RedirTarget, Redirect};
use crate::sys::fd;

/// Descriptors the shell keeps for itself (saved copies) start here; user redirections may
/// only name 0–9, as in dash.
pub const FIRST_INTERNAL_FD: RawFd = 10;

/// A descriptor replaced by a redirection, and the copy that restores it (None: it was closed).
#[derive(Debug)]
pub struct Saved {
    fd: RawFd,
    copy: Option<RawFd>,
}

/// Redirections that were performed and can be undone.
#[derive(Debug, Default)]
pub struct SavedFds {
    saved: Vec<Saved>,
}

impl SavedFds {
    fn save(&mut self, fd: RawFd) {
        if self.saved.iter().any(|s| s.fd == fd) {
            return;
        }
        // EBADF: it was closed (and is closed again on restore).
        let copy = fd::dup_at_least(fd, FIRST_INTERNAL_FD).ok();
        self.saved.push(Saved { fd, copy });
    }

    /// Put every saved descriptor back, in reverse order.
    pub fn restore(self) {
        for s in self.saved.into_iter().rev() {
            match s.copy {
                Some(copy) => {
                    let _ = fd::dup_to(copy, s.fd);
                    fd::close(copy);
                }
                None => fd::close(s.fd),
            }
        }
    }

    /// Forget the saved copies: the redirections become permanent (`exec >file`).
    pub fn keep(self) {
        for s in self.saved {
            if let Some(copy) = s.copy {
                fd::close(copy);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.saved.is_empty()
    }
}

fn open_error(create: bool, name: &[u8], err: i32) -> ShellError {
    // dash's wording: "cannot open f: No such file", "cannot create d/f: Directory nonexistent".
    ShellError::new(ErrorKind::CannotOpen {
        create,
        path: name.to_vec(),
        cause: Cause::Errno(err),
    })
    .fails()
}

/// A descriptor above 9: dash's syntax error, which ends a non-interactive shell.
fn bad_fd_number() -> ShellError {
    ShellError::new(ErrorKind::BadFdNumber)
}

fn bad_descriptor(fd: &[u8]) -> ShellError {
    ShellError::new(ErrorKind::BadDescriptor(fd.to_vec())).fails()
}

fn open_file(path: &[u8], flags: i32) -> Result<RawFd, i32> {
    let c: CString = c_string(path);
    fd::open(&c, flags)
}

/// `set -C`: refuse to overwrite an existing regular file (other files, like /dev/null, are fine).
fn open_noclobber(path: &[u8]) -> Result<RawFd, i32> {
    match open_file(path, sys::fd::O_WRONLY | sys::fd::O_CREAT | sys::fd::O_EXCL) {
        Err(sys::errno::EEXIST) => {
            let meta = std::fs::metadata(crate::state::os(path));
            match meta {
                Ok(m) if !m.is_file() => open_file(path, sys::fd::O_WRONLY),
                _ => Err(sys::errno::EEXIST),
            }
        }
        other => other,
    }
}

/// Move `src` onto `target` (closing `src`), clearing close-on-exec on the result.
fn install(src: RawFd, target: RawFd) {
    if src == target {
        fd::set_inherited(target);
    } else {
        let _ = fd::dup_to(src, target);
        fd::close(src);
    }
}

/// Create a descriptor from which a here-document body can be read: a pipe when the body fits
/// in its buffer, otherwise an anonymous memory file.
fn here_document(body: &[u8]) -> Result<RawFd, i32> {
    const PIPE_SAFE: usize = 4096;
    if body.len() <= PIPE_SAFE {
        let (read, write) = crate::sys::fd::pipe()?;
        crate::sys::fd::write_all(write, body);
        crate::sys::fd::close(write);
        return Ok(read);
    }
    let file = fd::memory_file(c"here-document")?;
    fd::write_all(file, body);
    fd::rewind(file);
    Ok(file)
}

/// Perform `redirects` in order, saving what they replace into `saved`. On error, the
/// redirections done so far are still in `saved`: the caller reports the error (dash prints it
/// with them in force), then restores.
pub fn apply(
    sh: &mut Shell,
    redirects: &[Redirect],
    saved: &mut SavedFds,
) -> Result<(), ShellError> {
    for r in redirects {
        if let Some(name) = &r.fd_var {
            let opened = named_descriptor(sh, r, name)?;
            if let Some(fd) = opened.filter(|_| sh.options.shopt.on(shopt::VARREDIR_CLOSE)) {
                // Closed when the command ends; `exec`'s are kept.
                saved.saved.push(Saved { fd, copy: None });
            }
            continue;
        }
        let fd = r.fd.unwrap_or_else(|| r.op.default_fd());
        // dash has ten descriptors for scripts; bash any the shell does not use itself.
        let fd = match RawFd::try_from(fd) {
            Ok(fd) if fd <= 9 => fd,
            Ok(fd) if sh.options.bash() => {
                // The audit's descriptors move out of the way (as bash moves its own); the
                // shell's other ones (copies saved for the duration of a command) are refused.
                if !is_users(fd) && !sh.audit.release_fd(fd) {
                    return Err(bad_descriptor(fd.to_string().as_bytes()));
                }
                fd
            }
            _ => return Err(bad_fd_number()),
        };
        match (&r.op, &r.target) {
            (RedirOp::HereDoc { .. }, RedirTarget::HereDoc(body))
            | (RedirOp::HereDoc { .. }, RedirTarget::Word(body)) => {
                // dash expands a here-document in a separate writer process: an error there
                // fails the command, not the shell.
                let text =
                    expand::expand_word(sh, body).map_err(|e| ShellError::from(e).fails())?;
                let src = here_document(&text)
                    .map_err(|e| ShellError::new(ErrorKind::HereDocument(e)).fails())?;
                saved.save(fd);
                install(src, fd);
            }
            (op, RedirTarget::Word(word)) | (op, RedirTarget::HereDoc(word)) => {
                let target = redirect_target(sh, word)?;
                match op {
                    RedirOp::DupInput | RedirOp::DupOutput => {
                        if target == b"-" {
                            saved.save(fd);
                            fd::close(fd);
                            continue;
                        }
                        // bash names the descriptor as the word was written (`$fd`).
                        let written = if sh.options.bash() {
                            crate::syntax::print::word_text(word)
                        } else {
                            target.clone()
                        };
                        // bash: `n>&m-` moves m to n (m is closed).
                        let moved = target
                            .strip_suffix(b"-")
                            .filter(|_| sh.options.bash())
                            .and_then(parse_fd);
                        if let Some(src) = moved.filter(|&m| m != fd) {
                            if !fd::is_open(src) || (src > 9 && !is_users(src)) {
                                return Err(bad_descriptor(&written));
                            }
                            saved.save(fd);
                            let _ = fd::dup_to(src, fd);
                            saved.save(src);
                            fd::close(src);
                            continue;
                        }
                        let Some(src) = parse_fd(&target) else {
                            if !sh.options.bash() {
                                return Err(bad_fd_number());
                            }
                            // bash: `>&file` (and `1>&file`) is `&>file`; with another
                            // descriptor or `<&`, ambiguous.
                            if *op != RedirOp::DupOutput || r.fd.is_some_and(|n| n != 1) {
                                let kind = ErrorKind::BadRedirection(written, "ambiguous redirect");
                                return Err(ShellError::new(kind).fails());
                            }
                            let file = open_target(sh, &RedirOp::Output, &target)?;
                            saved.save(1);
                            install(file, 1);
                            saved.save(2);
                            let _ = fd::dup_to(1, 2);
                            continue;
                        };
                        if src > 9 && sh.options.bash() {
                            // The shell's own descriptors are closed on exec; the user's not.
                            if !fd::is_open(src) || !is_users(src) {
                                return Err(bad_descriptor(&written));
                            }
                        } else if src > 9 {
                            // The audit's own descriptors are refused as if they were not
                            // open; other large numbers are dash's syntax error.
                            if sh.audit.owned_fds().contains(&src) {
                                return Err(bad_descriptor(&target));
                            }
                            return Err(bad_fd_number());
                        }
                        // `n>&n` is no change at all, open or not (dash, bash).
                        if src == fd {
                            continue;
                        }
                        if !fd::is_open(src) {
                            return Err(bad_descriptor(&written));
                        }
                        if src != fd {
                            saved.save(fd);
                            let _ = fd::dup_to(src, fd);
                        }
                    }
                    _ => {
                        let src = open_target(sh, op, &target)?;
                        saved.save(fd);
                        install(src, fd);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Open a file as the redirection `op` does.
fn open_target(sh: &Shell, op: &RedirOp, target: &[u8]) -> Result<RawFd, ShellError> {
    let (create, result) = match op {
        RedirOp::Input => (false, open_file(target, sys::fd::O_RDONLY)),
        RedirOp::ReadWrite => (false, open_file(target, sys::fd::O_RDWR | sys::fd::O_CREAT)),
        RedirOp::Append => (
            true,
            open_file(
                target,
                sys::fd::O_WRONLY | sys::fd::O_CREAT | sys::fd::O_APPEND,
            ),
        ),
        RedirOp::Output if sh.options.noclobber => (true, open_noclobber(target)),
        _ => (
            true,
            open_file(
                target,
                sys::fd::O_WRONLY | sys::fd::O_CREAT | sys::fd::O_TRUNC,
            ),
        ),
    };
    result.map_err(|e| open_error(create, target, e))
}

/// A redirection's target. bash expands it as a command's words (braces, splitting,
/// pathnames) and wants one word of it; dash expands it as one word.
fn redirect_target(sh: &mut Shell, word: &crate::syntax::ast::Word) -> Result<Vec<u8>, ShellError> {
    if sh.options.posix {
        return expand::expand_word(sh, word).map_err(ShellError::from);
    }
    let mut fields = expand::expand_words(sh, std::slice::from_ref(word))?;
    match fields.pop() {
        Some(one) if fields.is_empty() => Ok(one),
        _ => {
            let written = crate::syntax::print::word_text(word);
            Err(ShellError::new(ErrorKind::BadRedirection(written, "ambiguous redirect")).fails())
        }
    }
}

/// `{name}>file`, `{name}<&3`, `{name}>&-` (bash): open (or copy) onto a new descriptor from
/// 10 up and put its number in `name`; or close the descriptor `name` holds. Nothing is
/// saved: the descriptor outlasts the command. Returns the descriptor opened, if any.
fn named_descriptor(
    sh: &mut Shell,
    r: &Redirect,
    name: &[u8],
) -> Result<Option<RawFd>, ShellError> {
    let closes = matches!(r.op, RedirOp::DupInput | RedirOp::DupOutput)
        && matches!(&r.target, RedirTarget::Word(w) if w.as_plain_literal() == Some(b"-"));
    if closes {
        let value = named_value(sh, name);
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            let kind = ErrorKind::BadRedirection(name.to_vec(), "ambiguous redirect");
            return Err(ShellError::new(kind).fails());
        };
        // A value that is not a descriptor of the user's is left alone, as bash does.
        if let Some(n) = parse_fd(&value).filter(|&n| fd::is_open(n) && is_users(n)) {
            fd::close(n);
        }
        return Ok(None);
    }
    // Do the redirection onto a scratch descriptor, then move it above 9 for the variable.
    let scratch = Redirect {
        fd: Some(0),
        fd_var: None,
        op: r.op,
        target: r.target.clone(),
    };
    let mut saved = SavedFds::default();
    let result = apply(sh, std::slice::from_ref(&scratch), &mut saved);
    let moved = result.and_then(|()| {
        fd::dup_at_least(0, FIRST_INTERNAL_FD).map_err(|e| {
            ShellError::new(ErrorKind::Message(sys::errno::text(e).into_bytes())).fails()
        })
    });
    saved.restore();
    let mut new = moved?;
    // The saved standard input held the lowest free descriptor above 9 until now: take it,
    // as bash would have (`exec {fd}>f` is 10 in a fresh shell).
    if let Ok(lower) = fd::dup_at_least(new, FIRST_INTERNAL_FD) {
        if lower < new {
            fd::close(new);
            new = lower;
        } else {
            fd::close(lower);
        }
    }
    fd::set_inherited(new);
    if let Err(e) = set_named(sh, name, new.to_string().into_bytes()) {
        fd::close(new);
        sh.report(&e);
        let kind = ErrorKind::BadRedirection(name.to_vec(), "cannot assign fd to variable");
        return Err(ShellError::new(kind).fails());
    }
    Ok(Some(new))
}

/// The value of the variable or element (`fds[1]`) of `{name}>&-`.
fn named_value(sh: &mut Shell, name: &[u8]) -> Option<Vec<u8>> {
    match name.iter().position(|&c| c == b'[') {
        Some(open) => {
            let sub = &name[open + 1..name.len() - 1];
            let key = expand::subscript::key_of_text(sh, &name[..open], sub, false).ok()??;
            expand::subscript::element(sh, &name[..open], &key)
        }
        None => sh.get_var(name).map(<[u8]>::to_vec),
    }
}

/// Set the variable or element (`fds[1]`) of `{name}>file` to the descriptor.
fn set_named(sh: &mut Shell, name: &[u8], value: Vec<u8>) -> Result<(), ShellError> {
    match name.iter().position(|&c| c == b'[') {
        Some(open) => crate::exec::assign::assign_element_with(
            sh,
            &name[..open],
            &name[open + 1..name.len() - 1],
            value,
            false,
            expand::subscript::key_of_text,
        )
        .map_err(ShellError::from),
        None => sh
            .set_var(name, value)
            .map_err(|e| ShellError::new(ErrorKind::Variable(e))),
    }
}

/// A descriptor above 9 the user may name: not one the shell keeps for itself (those, and
/// only those, are closed on exec).
fn is_users(fd: RawFd) -> bool {
    !fd::is_private(fd)
}

fn parse_fd(text: &[u8]) -> Option<RawFd> {
    if text.is_empty() || text.len() > 9 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Whether the redirections give the command its standard input.
pub fn give_input(redirects: &[Redirect]) -> bool {
    redirects
        .iter()
        .any(|r| r.fd_var.is_none() && r.fd.unwrap_or_else(|| r.op.default_fd()) == 0)
}

/// Apply redirections around `f` and restore them after: the common case for built-ins,
/// functions and compound commands. An error, theirs or `f`'s, is reported before they are
/// undone; with no redirections, the caller reports it.
pub fn with_redirections(
    sh: &mut Shell,
    redirects: &[Redirect],
    f: impl FnOnce(&mut Shell) -> Result<i32, Divert>,
) -> Result<i32, Divert> {
    if redirects.is_empty() {
        return f(sh);
    }
    let mut saved = SavedFds::default();
    let result = match apply(sh, redirects, &mut saved) {
        Ok(()) => f(sh),
        Err(e) => e.raise(),
    };
    let result = settle(sh, result);
    saved.restore();
    result
}
