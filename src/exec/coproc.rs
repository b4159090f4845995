//! `coproc [NAME] command` (bash): the command runs as a background job whose standard input
//! and output are pipes to the shell. The shell's ends go in the array `NAME` (`[0]` reads
//! the coprocess's output, `[1]` writes its input) and its process id in `NAME_PID`. The
//! descriptors are numbered from 10 up and, unlike bash's, inherited by the programs the shell
//! starts: only the shell's own descriptors are closed on exec, which is what keeps the user
//! from naming those in a redirection.

use super::pipeline::{fork_failed, job_group, move_fd};
use super::{spawn, Context, ExecResult};
use crate::state::vars::{Array, Key};
use crate::state::Shell;
use crate::syntax::ast::Command;
use crate::sys::fd;

pub(super) fn run_coproc(sh: &mut Shell, name: &[u8], body: &Command) -> ExecResult {
    if !crate::state::vars::is_name(name) {
        // bash reads any word before a compound command as the name, and refuses a bad one
        // when it runs.
        return super::ShellError::new(super::ErrorKind::BadName(name.to_vec()))
            .with_status(1)
            .fails()
            .raise();
    }
    sh.jobs.reap_nonblocking(&mut sh.audit);
    let pipes = fd::pipe().and_then(|input| match fd::pipe() {
        Ok(output) => Ok((input, output)),
        Err(e) => {
            fd::close(input.0);
            fd::close(input.1);
            Err(e)
        }
    });
    let ((their_input, our_input), (our_output, their_output)) =
        pipes.map_err(|e| super::ShellError::new(super::ErrorKind::PipeFailed(e)))?;
    let group = job_group(sh, false);
    match spawn::fork_job(sh, group) {
        Ok(spawn::Forked::Child) => {
            fd::close(our_input);
            fd::close(our_output);
            move_fd(their_input, 0);
            move_fd(their_output, 1);
            let result = super::eval::run_command(
                sh,
                body,
                Context {
                    tested: false,
                    negated: false,
                    exit_after: true,
                },
            );
            let status = super::eval::divert_status(sh, result);
            super::eval::exit_child(sh, status)
        }
        Ok(spawn::Forked::Parent(pid)) => {
            fd::close(their_input);
            fd::close(their_output);
            let read = above_nine(our_output);
            let write = above_nine(our_input);
            let mut ends = Array::indexed();
            ends.set(Key::Index(0), read.to_string().into_bytes());
            ends.set(Key::Index(1), write.to_string().into_bytes());
            let _ = sh.vars.set_array(name, ends);
            let _ = sh.set_var(&[name, b"_PID"].concat(), pid.to_string().into_bytes());
            sh.last_bg_pid = Some(pid);
            let pgid = if group.is_some() { pid } else { 0 };
            let text =
                crate::syntax::print::test_command(&crate::syntax::ast::CompoundCommand::Coproc {
                    name: name.to_vec(),
                    body: Box::new(body.clone()),
                });
            let number = sh.jobs.add(pgid, vec![pid], text);
            if sh.options.interactive && !sh.in_subshell {
                fd::write_all(2, format!("[{number}] {pid}\n").as_bytes());
            }
            Ok(0)
        }
        Err(e) => {
            for end in [their_input, our_input, our_output, their_output] {
                fd::close(end);
            }
            Err(fork_failed(e))
        }
    }
}

/// `end` moved to a descriptor from 10 up, out of the user's 0 to 9, and inherited.
fn above_nine(end: i32) -> i32 {
    let end = match fd::dup_at_least(end, super::redirect::FIRST_INTERNAL_FD) {
        Ok(moved) => {
            fd::close(end);
            moved
        }
        Err(_) => end,
    };
    fd::set_inherited(end);
    end
}
