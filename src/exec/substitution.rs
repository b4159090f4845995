//! Command substitution (XCU 2.6.3): the body runs in a forked child whose standard output
//! is a pipe the shell reads to the end.

use crate::sys;
use crate::sys::fd;

use super::eval::{divert_status, exit_child, run_list, Context};
use super::jobs::{wait_pid, ChildStatus};
use super::pipeline::move_fd;
use super::spawn::{self, Forked};
use super::{ErrorKind, ShellError};
use crate::expand::ExpandError;
use crate::state::Shell;
use crate::syntax::ast::List;

/// In the forked child of a substitution: close the shell's end of the pipe, make the child's
/// end descriptor `target`, run `body` and exit with its status.
fn run_child(sh: &mut Shell, body: &List, ours: i32, theirs: i32, target: i32) -> ! {
    fd::close(ours);
    move_fd(theirs, target);
    let result = run_list(
        sh,
        body,
        Context {
            tested: false,
            negated: false,
            exit_after: true,
        },
    );
    let status = divert_status(sh, result);
    exit_child(sh, status)
}

/// Run `body` in a forked child with its standard output to a pipe; return what it wrote.
pub fn command_substitution(sh: &mut Shell, body: &List) -> Result<Vec<u8>, ExpandError> {
    if sh.options.bash() {
        if let Some(file) = lone_input_redirection(body) {
            return read_file_substitution(sh, file);
        }
    }
    let (read, write) = crate::sys::fd::pipe()
        .map_err(|e| ExpandError::new(ShellError::new(ErrorKind::PipeFailed(e)).to_string()))?;
    match spawn::fork_shell(sh) {
        Ok(Forked::Child) => {
            sh.trace_level += 1;
            sh.in_command_substitution = true;
            // bash: a command substitution runs without `set -e` unless `inherit_errexit`,
            // and never in a tested command's words (POSIX, and posix mode, keep it).
            let inherits = sh.options.shopt.on(crate::state::shopt::INHERIT_ERREXIT);
            if sh.options.bash() && (!inherits || sh.words_tested) {
                sh.options.errexit = false;
            }
            run_child(sh, body, read, write, 1)
        }
        Ok(Forked::Parent(pid)) => {
            fd::close(write);
            // Reading the output blocks: the records' syslog copies go first.
            sh.audit.flush();
            let mut out = Vec::new();
            let mut buf = [0u8; 8192];
            let mut out_of_space = false;
            loop {
                match crate::sys::fd::read(read, &mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        // The output's size is the user's to choose: running out of memory
                        // fails the command, not the shell (the writer gets SIGPIPE when we
                        // close).
                        if out.try_reserve(n).is_err() {
                            out_of_space = true;
                            out = Vec::new();
                            break;
                        }
                        out.extend_from_slice(&buf[..n]);
                    }
                    Err(sys::errno::EINTR) => {}
                    Err(_) => break,
                }
            }
            fd::close(read);
            // `$?` changes only when the command completes (dash: `echo $(exit 4) $?` is 0).
            let status = wait_pid(&mut sh.audit, pid, false).exit_status();
            sh.subst_status = Some(status);
            if out_of_space {
                return Err(ExpandError::out_of_space());
            }
            Ok(out)
        }
        Err(e) => {
            fd::close(read);
            fd::close(write);
            Err(ExpandError::new(
                ShellError::new(ErrorKind::CannotFork(e)).to_string(),
            ))
        }
    }
}

/// `$(< file)` (bash): the file's name, when that is the whole body.
fn lone_input_redirection(body: &List) -> Option<&crate::syntax::ast::Word> {
    use crate::syntax::ast::{Command, RedirOp, RedirTarget};
    let [item] = body.items.as_slice() else {
        return None;
    };
    if item.is_async || !item.and_or.rest.is_empty() || item.and_or.first.negated {
        return None;
    }
    let [Command::Simple(sc)] = item.and_or.first.commands.as_slice() else {
        return None;
    };
    match (
        sc.assigns.as_slice(),
        sc.words.as_slice(),
        sc.redirects.as_slice(),
    ) {
        ([], [], [r]) if r.op == RedirOp::Input && r.fd.is_none_or(|f| f == 0) => match &r.target {
            RedirTarget::Word(w) => Some(w),
            RedirTarget::HereDoc(_) => None,
        },
        _ => None,
    }
}

/// `$(< file)`: the file's contents, read by the shell itself (as bash does: no child).
fn read_file_substitution(
    sh: &mut Shell,
    file: &crate::syntax::ast::Word,
) -> Result<Vec<u8>, ExpandError> {
    let name = crate::expand::expand_word(sh, file)?;
    match std::fs::read(crate::state::os(&name)) {
        Ok(text) => {
            sh.subst_status = Some(0);
            Ok(text)
        }
        Err(e) => {
            let reason = crate::sys::errno::io_text(&e);
            let mut m = name.clone();
            m.extend_from_slice(b": ");
            m.extend_from_slice(reason.as_bytes());
            sh.report(&ShellError::new(ErrorKind::Message(m)).fails());
            sh.subst_status = Some(1);
            Ok(Vec::new())
        }
    }
}

/// Process substitution (bash): `<(body)` (`input`) runs `body` with its standard output to
/// a pipe, `>(body)` with its standard input from one; the shell keeps the other end open,
/// inherited by the command, until that command finishes ([`close_process_substitutions`]),
/// and gives its path, `/dev/fd/N`. The child is a subshell like any other: its programs
/// start through the exec path and are recorded.
pub fn process_substitution(
    sh: &mut Shell,
    body: &List,
    input: bool,
) -> Result<Vec<u8>, ExpandError> {
    let failed = |kind| ExpandError::new(ShellError::new(kind).to_string());
    let (read, write) = crate::sys::fd::pipe().map_err(|e| failed(ErrorKind::PipeFailed(e)))?;
    let (ours, theirs) = if input { (read, write) } else { (write, read) };
    match spawn::fork_shell(sh) {
        Ok(Forked::Child) => {
            sh.traps.forget_inherited();
            // Traced one level in, as a command substitution is.
            sh.trace_level += 1;
            // `<(< file)` gives the file, as `$(< file)` does.
            if let Some(file) = lone_input_redirection(body).filter(|_| input) {
                fd::close(ours);
                move_fd(theirs, 1);
                let status = match read_file_substitution(sh, file) {
                    Ok(text) => match fd::write_all(1, &text) {
                        true => sh.subst_status.unwrap_or(0),
                        false => 1,
                    },
                    Err(e) => {
                        sh.report(&ShellError::new(ErrorKind::Expansion(e.message)).fails());
                        e.status
                    }
                };
                exit_child(sh, status);
            }
            run_child(sh, body, ours, theirs, if input { 1 } else { 0 })
        }
        Ok(Forked::Parent(pid)) => {
            fd::close(theirs);
            // Out of the way of the descriptors a script names (0 to 9), and inherited.
            let kept = match fd::dup_at_least(ours, 63) {
                Ok(n) => {
                    fd::close(ours);
                    n
                }
                Err(_) => ours,
            };
            fd::set_inherited(kept);
            sh.process_substs.push((kept, pid));
            sh.last_bg_pid = Some(pid);
            Ok(format!("/dev/fd/{kept}").into_bytes())
        }
        Err(e) => {
            fd::close(read);
            fd::close(write);
            Err(failed(ErrorKind::CannotFork(e)))
        }
    }
}

/// Close the shell's ends of the process substitutions opened since `mark` (the command that
/// used them has finished), and collect the children that have exited.
pub fn close_process_substitutions(sh: &mut Shell, mark: usize) {
    let mut pids = Vec::new();
    for (fd, pid) in sh.process_substs.drain(mark..) {
        fd::close(fd);
        pids.push(pid);
    }
    sh.process_subst_children.extend(pids);
    let (audit, jobs) = (&mut sh.audit, &mut sh.jobs);
    sh.process_subst_children.retain(|&pid| {
        let done = super::jobs::reap_status_if_done(audit, pid);
        // bash's `wait $!` gives what a process substitution left.
        if let Some(status) = done {
            jobs.keep_ended(pid, status);
        }
        done.is_none()
    });
}

/// Wait for a process substitution's child (`wait $!`, bash); None if `pid` is none.
pub fn wait_process_substitution(sh: &mut Shell, pid: i32) -> Option<ChildStatus> {
    let k = sh.process_subst_children.iter().position(|&p| p == pid)?;
    sh.process_subst_children.remove(k);
    let status = wait_pid(&mut sh.audit, pid, false);
    sh.jobs.keep_ended(pid, status);
    Some(status)
}
