//! Process plumbing (XCU 2.9.2, 2.9.3, 2.12): pipelines, subshells and asynchronous lists,
//! each in forked children; waiting for a foreground job, with job control when the shell
//! has it.

use crate::sys;
use crate::sys::fd;
use std::os::unix::io::RawFd;

use super::eval::{
    divert_status, exit_child, pipeline_finished, run_and_or, run_command, run_list, Context,
};
use super::jobs::{wait_pid, ChildStatus};
use super::redirect;
use super::spawn::{self, Forked};
use super::trap;
use super::{settle, Divert, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::syntax::ast::{AndOr, Command, CompoundCommand, List, Pipeline};

/// A command that sets `PIPESTATUS` to its own status when it is a pipeline alone: a simple
/// command, a subshell, `(( ))`, `[[ ]]` (bash).
fn sets_pipestatus(cmd: &Command) -> bool {
    match cmd {
        Command::Compound(cc, _, _) => matches!(
            cc,
            CompoundCommand::Subshell(_)
                | CompoundCommand::Arith(_)
                | CompoundCommand::Cond(_)
                | CompoundCommand::Coproc { .. }
        ),
        _ => true,
    }
}

pub(super) fn run_pipeline(sh: &mut Shell, p: &Pipeline, cx: Context) -> ExecResult {
    if let Some(posix_format) = p.timed {
        return super::time::timed(sh, posix_format, |sh| run_untimed(sh, p, cx));
    }
    run_untimed(sh, p, cx)
}

fn run_untimed(sh: &mut Shell, p: &Pipeline, cx: Context) -> ExecResult {
    let inner = if p.negated {
        if !cx.tested {
            sh.errexit_renewed = false;
        }
        cx.negated()
    } else {
        cx
    };
    let status = if p.commands.len() == 1 {
        let result = run_command(sh, &p.commands[0], inner);
        let status = settle(sh, result)?;
        // bash: a compound command leaves PIPESTATUS to the commands it ran (`case` that
        // matched nothing, `for` over nothing, keep the one before).
        if sets_pipestatus(&p.commands[0]) || !sh.options.bash() {
            sh.pipestatus.clear();
            sh.pipestatus.push(status);
        }
        status
    } else {
        let result = run_multi_pipeline(sh, &p.commands, inner.tested);
        let status = settle(sh, result)?;
        pipeline_finished(sh, status, inner)?
    };
    let status = if p.negated {
        i32::from(status == 0)
    } else {
        status
    };
    sh.set_last_status(status);
    Ok(status)
}

pub(super) fn fork_failed(errno: i32) -> Divert {
    ShellError::new(ErrorKind::CannotFork(errno)).into()
}

pub(super) fn run_subshell(
    sh: &mut Shell,
    list: &List,
    redirects: &[crate::syntax::ast::Redirect],
    cx: Context,
) -> ExecResult {
    let group = job_group(sh, true);
    match spawn::fork_job(sh, group).map_err(fork_failed)? {
        Forked::Child => subshell_child(sh, list, redirects, cx.tested, false),
        Forked::Parent(pid) => {
            let pgid = if group.is_some() { pid } else { 0 };
            let text = sh.line.text.clone();
            let parts = || {
                let subshell = CompoundCommand::Subshell(list.clone());
                let cmd = Command::Compound(subshell, redirects.to_vec(), 0);
                vec![crate::syntax::print::command_line(&cmd)]
            };
            Ok(wait_foreground(sh, pgid, vec![pid], text, Some(&parts)))
        }
    }
}

/// The forked child of `( list )`: its redirections, then the list, then the child ends.
/// `waits`: the list's last program is waited for, not exec'd in place (the child of
/// `( list ) &`, which is the job itself: its programs' end records are written here).
fn subshell_child(
    sh: &mut Shell,
    list: &List,
    redirects: &[crate::syntax::ast::Redirect],
    tested: bool,
    waits: bool,
) -> ! {
    // The redirections stay in force to the end: the EXIT trap writes where the subshell's
    // commands did.
    let mut kept = redirect::SavedFds::default();
    if sh.options.bash() {
        sh.forget_loops();
        // A subshell has no jobs: bash's `(jobs)` lists none, where `jobs | cat` and
        // `$(jobs)` list the shell's.
        sh.jobs.inherited.clear();
    }
    sh.stdin_redirected |= redirect::give_input(redirects);
    let result = match redirect::apply(sh, redirects, &mut kept) {
        Ok(()) => run_list(
            sh,
            list,
            Context {
                tested,
                negated: false,
                exit_after: redirects.is_empty() && !waits,
            },
        ),
        Err(e) => e.raise(),
    };
    let result = settle(sh, result);
    let status = divert_status(sh, result);
    exit_child(sh, status)
}

/// The process group a new job gets when this shell controls jobs (an interactive shell,
/// not a subshell of it).
pub(super) fn job_group(sh: &Shell, foreground: bool) -> Option<spawn::JobGroup> {
    (sh.jobs.control.is_some() && !sh.in_subshell).then_some(spawn::JobGroup {
        pgid: 0,
        foreground,
    })
}

/// Wait for a foreground job: its status (the last process's, or with `pipefail` the last
/// failure). Under job control (`pgid` > 0) a job that stops goes to the job table, keeping
/// the command line it belongs to, and the shell takes the terminal back. `parts` names
/// each process, should bash tell of the job's death (None: bash tells nothing of it).
pub(super) fn wait_foreground(
    sh: &mut Shell,
    pgid: sys::process::pid_t,
    pids: Vec<sys::process::pid_t>,
    text: Vec<u8>,
    parts: Option<&dyn Fn() -> Vec<Vec<u8>>>,
) -> i32 {
    let control = sh.jobs.control.filter(|_| pgid > 0);
    let statuses: Vec<Option<ChildStatus>> = pids
        .iter()
        .map(|&pid| Some(wait_pid(&mut sh.audit, pid, control.is_some())))
        .collect();
    if let Some(c) = control {
        c.take_terminal();
    }
    if let Some(stop) = statuses.iter().flatten().copied().find(|s| s.is_stopped()) {
        let number = sh.jobs.add_with(pgid, pids, statuses, text);
        // A bash script (`bash -m`) tells nothing of a job that stops; `jobs` shows it.
        let tells_stop = !sh.options.bash() || sh.options.interactive;
        if let Some(job) = sh.jobs.jobs.iter_mut().find(|j| j.number == number) {
            job.command = sh.line.id;
            if tells_stop {
                let mut line = b"\n".to_vec();
                line.extend_from_slice(&super::jobs::notice(sh.options.bash(), job, '+'));
                crate::sys::fd::write_all(2, &line);
            }
        }
        return stop.exit_status();
    }
    let mut status = 0;
    let mut failed = 0;
    sh.pipestatus.clear();
    sh.pipestatus.extend(
        statuses
            .iter()
            .map(|s| s.map_or(0, ChildStatus::exit_status)),
    );
    sh.line.killed_by = statuses
        .last()
        .copied()
        .flatten()
        .and_then(ChildStatus::signal);
    let tells_jobs = sh.options.bash() && !sh.options.interactive;
    for st in statuses.iter().flatten() {
        status = match tells_jobs {
            true => st.exit_status(),
            false => foreground_status(*st),
        };
        if status != 0 {
            failed = status;
        }
    }
    if tells_jobs {
        if let Some(parts) = parts {
            super::jobs::tell_death(sh, &pids, &statuses, parts, true);
        }
        // The background jobs that ended meanwhile are told now, as bash does after each
        // foreground job.
        if sh.jobs.jobs.iter().any(|j| !j.told) {
            sh.jobs.reap_nonblocking(&mut sh.audit);
            super::jobs::tell_ended_jobs(sh);
        }
    }
    if sh.options.pipefail {
        failed
    } else {
        status
    }
}

/// Make `src` the descriptor `target` in this (child) process.
pub(super) fn move_fd(src: RawFd, target: RawFd) {
    if src != target {
        let _ = crate::sys::fd::dup_to(src, target);
        fd::close(src);
    }
}

/// `tested`: the pipeline's status is tested (`!`, `if`, `&&`), so `set -e` is off in its
/// members too, as in dash and bash.
fn run_multi_pipeline(sh: &mut Shell, commands: &[Command], tested: bool) -> ExecResult {
    // bash's `shopt -s lastpipe`, without job control: the last command runs in the shell
    // itself (`... | read x` sets x).
    let lastpipe = sh.options.bash()
        && sh.options.shopt.on(crate::state::shopt::LASTPIPE)
        && job_group(sh, true).is_none();
    if lastpipe {
        let (last, others) = commands.split_last().expect("a pipeline has commands");
        let (pids, read) = start_pipeline(sh, others, true, false, tested)?;
        return last_in_shell(sh, last, read, pids, tested);
    }
    let (pids, _) = start_pipeline(sh, commands, false, false, tested)?;
    let pgid = if job_group(sh, true).is_some() {
        pids.first().copied().unwrap_or(0)
    } else {
        0
    };
    let text = sh.line.text.clone();
    if let (true, Some(last)) = (sh.options.bash(), commands.last()) {
        // The line bash tells a job's death on: where its last command was started.
        sh.lineno = last.line();
    }
    let parts = || {
        commands
            .iter()
            .map(crate::syntax::print::command_line)
            .collect()
    };
    Ok(wait_foreground(sh, pgid, pids, text, Some(&parts)))
}

/// Fork one child per command, each reading the pipe from the one before: their pids, and
/// with `open_end` the read end of a last pipe the commands write into (for the shell to
/// read from). `background`: the pipeline is an asynchronous list of its own (XCU 2.9.3.1),
/// started from the shell so that `$!` is its last command. `tested`: `set -e` is off in the
/// commands.
fn start_pipeline(
    sh: &mut Shell,
    commands: &[Command],
    open_end: bool,
    background: bool,
    tested: bool,
) -> Result<(Vec<sys::process::pid_t>, Option<RawFd>), Divert> {
    let n = commands.len();
    let mut pids = Vec::with_capacity(n);
    let mut prev_read: Option<RawFd> = None;
    for (i, cmd) in commands.iter().enumerate() {
        let (next_read, write) = if i + 1 < n || open_end {
            match crate::sys::fd::pipe() {
                Ok((r, w)) => (Some(r), Some(w)),
                Err(e) => {
                    if let Some(r) = prev_read {
                        fd::close(r);
                    }
                    return Err(ShellError::new(ErrorKind::PipeFailed(e)).into());
                }
            }
        } else {
            (None, None)
        };
        let group = job_group(sh, !background).map(|g| spawn::JobGroup {
            pgid: pids.first().copied().unwrap_or(0),
            ..g
        });
        // bash runs the DEBUG trap before each of a pipeline's simple commands, in the shell
        // and in order, before the command's process starts.
        let mut debug_ran = false;
        let mut skip = false;
        if let Command::Simple(sc) = cmd {
            if sh.options.bash() && sh.traps.command(trap::DEBUG).is_some() {
                sh.lineno = sc.line;
                skip =
                    super::simple::about_to_run(sh, || crate::syntax::print::simple_command(sc))?;
                debug_ran = true;
            } else if sh.options.bash() && sh.traps.command(trap::ERR).is_some() {
                // The ERR trap the shell runs for the pipeline reads the last one's text
                // and line.
                sh.lineno = sc.line;
                sh.bash_command = crate::syntax::print::simple_command(sc);
            } else if sh.options.bash() && super::simple::records_bash_command(sh) {
                // As in bash, the shell's own `$BASH_COMMAND` (an EXIT trap reads it) is the
                // last member it started.
                sh.bash_command = crate::syntax::print::simple_command(sc);
            }
        }
        match spawn::fork_job(sh, group) {
            Ok(Forked::Child) => {
                if skip {
                    exit_child(sh, 0);
                }
                sh.debug_ran = debug_ran;
                sh.pipeline_member = sh.options.bash() && matches!(cmd, Command::Simple(_));
                sh.keeps_shell_level =
                    !matches!(cmd, Command::Compound(CompoundCommand::Subshell(_), _, _));
                if let Some(r) = next_read {
                    fd::close(r);
                }
                if background {
                    async_list_child(sh, i == 0);
                }
                if let Some(r) = prev_read {
                    move_fd(r, 0);
                    sh.stdin_redirected = true;
                }
                if let Some(w) = write {
                    move_fd(w, 1);
                }
                // bash counts a pipeline's simple command as run in the shell's own level, and
                // a `( )` in a pipeline as one subshell (its own fork counts it).
                if matches!(
                    cmd,
                    Command::Simple(_) | Command::Compound(CompoundCommand::Subshell(_), _, _)
                ) {
                    sh.subshell_depth = sh.subshell_depth.saturating_sub(1);
                }
                let result = run_command(
                    sh,
                    cmd,
                    Context {
                        tested,
                        negated: false,
                        exit_after: true,
                    },
                );
                let status = divert_status(sh, settle(sh, result));
                exit_child(sh, status);
            }
            Ok(Forked::Parent(pid)) => {
                pids.push(pid);
                if let Some(r) = prev_read {
                    fd::close(r);
                }
                if let Some(w) = write {
                    fd::close(w);
                }
                prev_read = next_read;
            }
            Err(e) => {
                for fd in [prev_read, next_read, write].into_iter().flatten() {
                    fd::close(fd);
                }
                for pid in pids {
                    wait_pid(&mut sh.audit, pid, false);
                }
                return Err(fork_failed(e));
            }
        }
    }
    Ok((pids, prev_read))
}

/// In the child of an asynchronous list without job control: SIGINT and SIGQUIT ignored
/// (XCU 2.11), and standard input /dev/null unless redirected (`reads_input`: the list's
/// first process, whose input is not a pipe).
fn async_list_child(sh: &mut Shell, reads_input: bool) {
    if sh.options.monitor {
        return;
    }
    sh.traps.ignore_for_good(sys::signal::SIGINT);
    sh.traps.ignore_for_good(sys::signal::SIGQUIT);
    // bash leaves an input a pipe or a redirection gave (`{ cat & wait; } < f`).
    if reads_input && !(sh.options.bash() && sh.stdin_redirected) {
        if let Ok(null) = std::fs::File::open("/dev/null") {
            use std::os::unix::io::IntoRawFd;
            move_fd(null.into_raw_fd(), 0);
        }
    }
}

/// The last command of a pipeline run in the shell, its standard input the pipe (`lastpipe`),
/// then the others waited for. The status is the last command's (with `pipefail`, the last
/// failure's).
fn last_in_shell(
    sh: &mut Shell,
    cmd: &Command,
    input: Option<RawFd>,
    pids: Vec<sys::process::pid_t>,
    tested: bool,
) -> ExecResult {
    let saved = crate::sys::fd::dup_at_least(0, 10).ok();
    if let Some(r) = input {
        move_fd(r, 0);
    }
    let cx = Context {
        tested,
        ..Context::default()
    };
    let result = run_command(sh, cmd, cx);
    let result = settle(sh, result);
    match saved {
        Some(s) => {
            let _ = crate::sys::fd::dup_to(s, 0);
            fd::close(s);
        }
        None => fd::close(0),
    }
    let text = sh.line.text.clone();
    // bash tells nothing of the programs before the last command, run by the shell itself.
    let others = wait_foreground(sh, 0, pids, text, None);
    let status = match &result {
        Ok(s) => *s,
        Err(_) => sh.last_status(),
    };
    sh.pipestatus.push(status);
    result?;
    Ok(if sh.options.pipefail && status == 0 {
        others
    } else {
        status
    })
}

/// `list &`: run in a forked child; `$!` is its pid.
pub(super) fn run_async(sh: &mut Shell, ao: &AndOr) -> ExecResult {
    // Collect finished jobs now and then, so a script that starts many never leaves zombies
    // behind (their statuses stay in the table for `wait`).
    sh.jobs.reap_nonblocking(&mut sh.audit);
    // A lone pipeline is started from the shell itself, as dash does: `$!` is its last
    // command, which `kill $!` reaches (not a shell waiting for the pipeline).
    let p = &ao.first;
    if ao.rest.is_empty() && p.commands.len() > 1 && !p.negated && p.timed.is_none() {
        let (pids, _) = start_pipeline(sh, &p.commands, false, true, false)?;
        let pgid = if job_group(sh, false).is_some() {
            pids.first().copied().unwrap_or(0)
        } else {
            0
        };
        let last = pids.last().copied().unwrap_or(0);
        background_job(sh, ao, pgid, pids, last);
        if sh.options.bash() {
            let parts = p.commands.iter().map(crate::syntax::print::command_line);
            if let Some(job) = sh.jobs.jobs.last_mut() {
                job.parts = parts.collect();
            }
        }
        return Ok(0);
    }
    let group = job_group(sh, false);
    match spawn::fork_job(sh, group).map_err(fork_failed)? {
        Forked::Child => {
            async_list_child(sh, true);
            // `( list ) &` is one process, as in bash and dash: `$!` is the subshell, which
            // `kill $!` reaches.
            if let (true, [Command::Compound(CompoundCommand::Subshell(list), redirects, _)]) = (
                ao.rest.is_empty() && !p.negated && p.timed.is_none(),
                p.commands.as_slice(),
            ) {
                subshell_child(sh, list, redirects, false, true);
            }
            // bash looks at a lone command's status in the shell that waits for it, never in
            // the child: an ERR trap does not run for `false &`.
            sh.status_unchecked = ao.rest.is_empty()
                && !p.negated
                && matches!(
                    p.commands.as_slice(),
                    [crate::syntax::ast::Command::Simple(_)]
                );
            let result = run_and_or(
                sh,
                ao,
                Context {
                    tested: false,
                    negated: false,
                    exit_after: true,
                },
            );
            let status = divert_status(sh, result);
            exit_child(sh, status)
        }
        Forked::Parent(pid) => {
            let pgid = if group.is_some() { pid } else { 0 };
            Ok(background_job(sh, ao, pgid, vec![pid], pid))
        }
    }
}

/// A background job started: in the job table, `$!` its last process, announced at an
/// interactive shell's prompt. The status of `&`: 0.
fn background_job(
    sh: &mut Shell,
    ao: &AndOr,
    pgid: sys::process::pid_t,
    pids: Vec<sys::process::pid_t>,
    last: sys::process::pid_t,
) -> i32 {
    sh.last_bg_pid = Some(last);
    // A job is named by its own commands; dash keeps no text without job control.
    let text = if sh.options.bash() || sh.jobs.control.is_some() {
        crate::syntax::print::and_or_line(ao)
    } else {
        Vec::new()
    };
    let number = sh.jobs.add(pgid, pids, text);
    if sh.options.interactive && !sh.in_subshell {
        crate::sys::fd::write_all(2, format!("[{number}] {last}\n").as_bytes());
    }
    0
}

/// The status of a finished foreground program, its death by a signal reported.
fn foreground_status(status: ChildStatus) -> i32 {
    report_signal(status);
    status.exit_status()
}

/// dash tells on standard error when a foreground program was killed by a signal other than
/// SIGINT and SIGPIPE ("Killed", "Terminated", "Segmentation fault (core dumped)").
pub fn report_signal(status: ChildStatus) {
    if let ChildStatus::Signaled(sig) = status {
        if sig != sys::signal::SIGINT && sig != sys::signal::SIGPIPE {
            let mut text = crate::sys::signal::description(sig).into_bytes();
            text.push(b'\n');
            crate::sys::fd::write_all(2, &text);
        }
    }
}
