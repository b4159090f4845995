//! Jobs: children the shell has started and not yet reaped; `$!`, `wait`, `jobs`, `fg`, `bg`;
//! and, in an interactive shell, job control: each job in its own process group, the terminal
//! handed to the foreground job and taken back, stopped jobs kept for `fg` and `bg`.

use std::os::unix::io::RawFd;

use super::trap;
use crate::audit::{CommandId, Session};
use crate::sys::{self, fd, process};

/// How a child ended (or stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStatus {
    Exited(i32),
    Signaled(i32),
    Stopped(i32),
}

impl ChildStatus {
    /// The shell's `$?` for this status: the exit code, or 128 + the signal number.
    pub fn exit_status(self) -> i32 {
        match self {
            ChildStatus::Exited(c) => c,
            ChildStatus::Signaled(s) | ChildStatus::Stopped(s) => 128 + s,
        }
    }

    pub fn signal(self) -> Option<i32> {
        match self {
            ChildStatus::Signaled(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_stopped(self) -> bool {
        matches!(self, ChildStatus::Stopped(_))
    }

    fn from_raw(raw: i32) -> ChildStatus {
        if sys::process::WIFEXITED(raw) {
            ChildStatus::Exited(sys::process::WEXITSTATUS(raw))
        } else if sys::process::WIFSIGNALED(raw) {
            ChildStatus::Signaled(sys::process::WTERMSIG(raw))
        } else if sys::process::WIFSTOPPED(raw) {
            ChildStatus::Stopped(sys::process::WSTOPSIG(raw))
        } else {
            ChildStatus::Exited(0)
        }
    }
}

/// A child was waited for: the audit writes the `end` record of a program that ended.
fn reaped(audit: &mut Session, pid: sys::process::pid_t, status: ChildStatus) {
    if !status.is_stopped() {
        audit.reaped(pid as u32, status.exit_status(), status.signal());
    }
}

/// Wait for one child, retrying when a signal interrupts the wait. With `untraced`, a child
/// that stops is reported as stopped.
pub fn wait_pid(audit: &mut Session, pid: sys::process::pid_t, untraced: bool) -> ChildStatus {
    // With no interrupting signal the wait only ends when the child does.
    wait_child(audit, pid, untraced, None).unwrap_or(ChildStatus::Exited(127))
}

/// Wait for one child; when `interrupt_on` is given, a caught signal it accepts that arrives
/// before the child ends stops the wait (`Err(signal)`, still pending for its trap), as the
/// `wait` built-in must (XCU wait: it returns at once, with 128 + the signal).
fn wait_child(
    audit: &mut Session,
    pid: sys::process::pid_t,
    untraced: bool,
    interrupt_on: Option<fn(i32) -> bool>,
) -> Result<ChildStatus, i32> {
    // The records' syslog copies go while the child runs, before the shell sleeps.
    audit.flush();
    let flags = if untraced { sys::process::WUNTRACED } else { 0 };
    loop {
        if let Some(sig) = interrupt_on.and_then(trap::pending_among) {
            return Err(sig);
        }
        match process::wait(pid, flags) {
            Ok(Some((r, raw))) if r == pid => {
                let status = ChildStatus::from_raw(raw);
                reaped(audit, pid, status);
                return Ok(status);
            }
            Ok(_) | Err(sys::errno::EINTR) => {}
            // Already reaped or not our child: nothing to report.
            Err(_) => return Ok(ChildStatus::Exited(127)),
        }
    }
}

/// Collect `pid` if it has exited, without waiting: true when it is gone.
pub fn reap_if_done(audit: &mut Session, pid: sys::process::pid_t) -> bool {
    reap_status_if_done(audit, pid).is_some()
}

/// As [`reap_if_done`], with what the child left (127 for one that could not be waited for).
pub fn reap_status_if_done(audit: &mut Session, pid: sys::process::pid_t) -> Option<ChildStatus> {
    match process::wait(pid, sys::process::WNOHANG) {
        Ok(Some((r, raw))) if r == pid => {
            let status = ChildStatus::from_raw(raw);
            reaped(audit, pid, status);
            Some(status)
        }
        Ok(_) => None,
        Err(_) => Some(ChildStatus::Exited(127)),
    }
}

/// The terminal and process group of an interactive shell with job control.
#[derive(Debug, Clone, Copy)]
pub struct JobControl {
    /// The shell's own descriptor for the terminal (close-on-exec, above the user's range).
    pub tty: RawFd,
    pub shell_pgid: sys::process::pid_t,
    /// The process group the shell was started in, given the terminal back when it ends.
    pub original_pgid: sys::process::pid_t,
    /// The terminal modes to restore when the shell takes the terminal back.
    pub modes: fd::TerminalModes,
}

impl JobControl {
    /// Make the shell a job-control shell on its terminal: wait until it is in the foreground,
    /// put it in its own process group, and take the terminal. None when there is no terminal
    /// to control.
    pub fn start() -> Option<JobControl> {
        // With none of its standard descriptors on a terminal (`sh -m < script`), the
        // process's controlling terminal, as dash takes it.
        let std_tty = [2, 0, 1].into_iter().find(|&fd| sys::fd::is_terminal(fd));
        let tty = match std_tty {
            Some(fd) => sys::fd::dup_at_least(fd, super::redirect::FIRST_INTERNAL_FD).ok()?,
            None => {
                let flags = sys::fd::O_RDWR | sys::fd::O_CLOEXEC;
                let fd = sys::fd::open(c"/dev/tty", flags).ok()?;
                let high = sys::fd::dup_at_least(fd, super::redirect::FIRST_INTERNAL_FD);
                sys::fd::close(fd);
                high.ok()?
            }
        };
        // A job-control shell started in the background stops itself until it is brought to
        // the foreground (as every job-control shell does), SIGTTIN at its default for that
        // (a parent may have left it ignored, and the shell would spin). One whose terminal is
        // only its controlling one, not where it reads or writes, goes on without job control
        // rather than wait for a terminal it does not use.
        loop {
            let own = process::group();
            match fd::foreground_group(tty) {
                Some(fg) if fg != own && std_tty.is_none() => {
                    sys::fd::close(tty);
                    return None;
                }
                Some(fg) if fg != own => {
                    let old = sys::signal::set_handler(sys::signal::SIGTTIN, sys::signal::SIG_DFL);
                    let _ = process::kill(-own, sys::signal::SIGTTIN);
                    if let Some(old) = old {
                        sys::signal::restore(sys::signal::SIGTTIN, &old);
                    }
                }
                _ => break,
            }
        }
        let pid = process::pid();
        let original_pgid = process::group();
        if original_pgid != pid && process::set_group(0, pid).is_err() {
            sys::fd::close(tty);
            return None;
        }
        // Ignore SIGTTOU while taking the terminal: the shell may still be in the background
        // group at this instant.
        super::trap::ignore(sys::signal::SIGTTOU);
        let _ = fd::set_foreground_group(tty, pid);
        let modes = fd::terminal_modes(tty).unwrap_or_else(|_| fd::blank_terminal_modes());
        Some(JobControl {
            tty,
            shell_pgid: pid,
            original_pgid,
            modes,
        })
    }

    /// The shell ends (or becomes a program): the terminal goes back to the process group it
    /// was started in, and the shell into it, as bash does. Left to the shell's own group,
    /// the terminal would have no live foreground group, and a parent without job control
    /// (a script that ran `sh -m`, `sudo`) would be stopped the next time it used it.
    pub fn end(&self) {
        if self.original_pgid == self.shell_pgid {
            return;
        }
        let _ = fd::set_foreground_group(self.tty, self.original_pgid);
        let _ = process::set_group(0, self.original_pgid);
    }

    /// Give the terminal to a job's process group.
    pub fn give_terminal(&self, pgid: sys::process::pid_t) {
        let _ = fd::set_foreground_group(self.tty, pgid);
    }

    /// Take the terminal back after a foreground job, with the shell's terminal modes (a
    /// program that was stopped or killed may have left them raw).
    pub fn take_terminal(&self) {
        let _ = fd::set_foreground_group(self.tty, self.shell_pgid);
        fd::set_terminal_modes(self.tty, &self.modes);
    }
}

/// A job: the processes of one pipeline (or one program) started in the background, or
/// stopped in the foreground.
#[derive(Debug, Clone)]
pub struct Job {
    pub number: usize,
    /// Its process group under job control (0 without job control).
    pub pgid: sys::process::pid_t,
    pub pids: Vec<sys::process::pid_t>,
    /// The status of each process once known.
    pub statuses: Vec<Option<ChildStatus>>,
    pub text: Vec<u8>,
    /// Each process's own command, when the job is a pipeline started from this shell
    /// (bash's `jobs -l` gives each a line); empty otherwise.
    pub parts: Vec<Vec<u8>>,
    /// The command line whose end record waits for this job (it was stopped in the
    /// foreground; its end carries the final status).
    pub command: Option<CommandId>,
    /// `disown -h`: kept in the table, but not sent SIGHUP when the terminal hangs up.
    pub no_hangup: bool,
    /// Its death by a signal has been told, or needs no telling (bash, not interactive).
    pub told: bool,
}

impl Job {
    pub fn is_done(&self) -> bool {
        self.statuses
            .iter()
            .all(|s| matches!(s, Some(ChildStatus::Exited(_) | ChildStatus::Signaled(_))))
    }

    pub fn is_stopped(&self) -> bool {
        !self.is_done()
            && self
                .statuses
                .iter()
                .any(|s| matches!(s, Some(ChildStatus::Stopped(_))))
    }

    /// The job's status: that of its last process.
    pub fn status(&self) -> Option<ChildStatus> {
        self.statuses.last().copied().flatten()
    }

    /// Mark every process as running again (after SIGCONT).
    pub fn continued(&mut self) {
        for s in &mut self.statuses {
            if matches!(s, Some(ChildStatus::Stopped(_))) {
                *s = None;
            }
        }
    }

    /// The state word `jobs` shows.
    pub fn state(&self) -> String {
        if self.is_done() {
            return match self.status() {
                Some(ChildStatus::Exited(0)) | None => "Done".to_string(),
                Some(ChildStatus::Exited(c)) => format!("Done({c})"),
                Some(ChildStatus::Signaled(s)) => sys::signal::description(s),
                Some(ChildStatus::Stopped(_)) => "Stopped".to_string(),
            };
        }
        // dash names the stop signal as the C library does: "Stopped" (SIGTSTP), "Stopped
        // (signal)" (SIGSTOP), "Stopped (tty input)" (SIGTTIN).
        let stop = self.statuses.iter().rev().find_map(|s| match s {
            Some(ChildStatus::Stopped(sig)) => Some(*sig),
            _ => None,
        });
        if let Some(sig) = stop.filter(|_| !self.is_done()) {
            sys::signal::description(sig)
        } else {
            "Running".to_string()
        }
    }
}

/// The job table.
#[derive(Debug, Default)]
pub struct Jobs {
    pub jobs: Vec<Job>,
    /// Job numbers from least to most recently used: the last is `%+`, the one before `%-`.
    recency: Vec<usize>,
    /// Set in an interactive shell that controls its terminal.
    pub control: Option<JobControl>,
    /// In a subshell: the parent's jobs and their marks when it was made, to list only.
    pub inherited: Vec<(Job, char)>,
    /// The statuses of the processes of ended jobs that left the table (reported, or
    /// waited for), oldest first: bash's `wait PID` still returns them.
    ended: std::collections::VecDeque<(sys::process::pid_t, ChildStatus)>,
}

/// How many ended processes' statuses are kept (POSIX asks for at least CHILD_MAX's worth of
/// the most recent; Linux's default CHILD_MAX is far above what a session starts).
const ENDED_KEPT: usize = 1024;

impl Jobs {
    /// How many jobs the prompt's `\j` counts: a subshell's own, else those it inherited
    /// to list (bash's `echo "${PS1@P}" | cat`).
    pub fn count(&self) -> usize {
        if self.jobs.is_empty() {
            self.inherited.len()
        } else {
            self.jobs.len()
        }
    }

    /// Remember a job; returns its number.
    pub fn add(
        &mut self,
        pgid: sys::process::pid_t,
        pids: Vec<sys::process::pid_t>,
        text: Vec<u8>,
    ) -> usize {
        let statuses = vec![None; pids.len()];
        self.add_with(pgid, pids, statuses, text)
    }

    /// Remember a job whose processes' statuses are (partly) known.
    pub fn add_with(
        &mut self,
        pgid: sys::process::pid_t,
        pids: Vec<sys::process::pid_t>,
        statuses: Vec<Option<ChildStatus>>,
        text: Vec<u8>,
    ) -> usize {
        let number = self.jobs.iter().map(|j| j.number).max().unwrap_or(0) + 1;
        // A pid used again is a new process: what the old one left is forgotten.
        self.ended.retain(|(p, _)| !pids.contains(p));
        self.jobs.push(Job {
            number,
            pgid,
            pids,
            statuses,
            text,
            parts: Vec::new(),
            command: None,
            no_hangup: false,
            told: false,
        });
        self.touch(number);
        number
    }

    /// Make job `number` the current job (`%+`).
    pub fn touch(&mut self, number: usize) {
        self.recency.retain(|&n| n != number);
        self.recency.push(number);
    }

    /// The index of the current (`%+`) or previous (`%-`) job.
    pub fn current(&self, back: usize) -> Option<usize> {
        self.recency
            .iter()
            .rev()
            .filter_map(|&n| self.jobs.iter().position(|j| j.number == n))
            .nth(back)
    }

    /// The mark `jobs` shows beside a job: `+` current, `-` previous.
    pub fn mark(&self, index: usize) -> char {
        Self::mark_of(index, self.current(0), self.current(1))
    }

    fn mark_of(index: usize, current: Option<usize>, previous: Option<usize>) -> char {
        if current == Some(index) {
            '+'
        } else if previous == Some(index) {
            '-'
        } else {
            ' '
        }
    }

    /// A subshell does not own its parent's jobs, nor its terminal. It keeps what they were,
    /// with their marks, for bash's `jobs` (`jobs -p | wc -l`).
    /// A subshell of a subshell that started none keeps the jobs its parent kept
    /// (`$(jobs -p | wc -l)`).
    pub fn clear_for_subshell(&mut self) {
        if !self.jobs.is_empty() {
            let (current, previous) = (self.current(0), self.current(1));
            let marks: Vec<char> = (0..self.jobs.len())
                .map(|i| Self::mark_of(i, current, previous))
                .collect();
            self.inherited = std::mem::take(&mut self.jobs)
                .into_iter()
                .zip(marks)
                .collect();
        }
        self.recency.clear();
        self.forget_ended();
        if let Some(c) = self.control.take() {
            sys::fd::close(c.tty); // the subshell's copy of the terminal
        }
    }

    /// Reap whatever children have finished or stopped, without blocking.
    pub fn reap_nonblocking(&mut self, audit: &mut Session) {
        loop {
            let flags = sys::process::WNOHANG | sys::process::WUNTRACED | sys::process::WCONTINUED;
            let Ok(Some((pid, raw))) = process::wait(-1, flags) else {
                return;
            };
            if sys::process::WIFCONTINUED(raw) {
                self.set_continued(pid);
            } else {
                let status = ChildStatus::from_raw(raw);
                reaped(audit, pid, status);
                self.record(pid, status);
            }
        }
    }

    fn set_continued(&mut self, pid: sys::process::pid_t) {
        for job in &mut self.jobs {
            if let Some(i) = job.pids.iter().position(|&p| p == pid) {
                job.statuses[i] = None;
            }
        }
    }

    fn record(&mut self, pid: sys::process::pid_t, status: ChildStatus) {
        for job in &mut self.jobs {
            if let Some(i) = job.pids.iter().position(|&p| p == pid) {
                job.statuses[i] = Some(status);
            }
        }
    }

    /// Wait until the job is done (or, with `untraced`, stopped); returns its status.
    pub fn wait_job(
        &mut self,
        index: usize,
        untraced: bool,
        audit: &mut Session,
    ) -> Option<ChildStatus> {
        self.wait_job_unless(index, untraced, audit, None)
            .unwrap_or(None)
    }

    /// [`Jobs::wait_job`] for the `wait` built-in: a caught signal `interrupts` accepts ends
    /// the wait early, `Err(signal)`, the job left as it is.
    pub fn wait_job_interruptible(
        &mut self,
        index: usize,
        audit: &mut Session,
        interrupts: fn(i32) -> bool,
    ) -> Result<Option<ChildStatus>, i32> {
        self.wait_job_unless(index, false, audit, Some(interrupts))
    }

    fn wait_job_unless(
        &mut self,
        index: usize,
        untraced: bool,
        audit: &mut Session,
        interrupt_on: Option<fn(i32) -> bool>,
    ) -> Result<Option<ChildStatus>, i32> {
        let Some(job) = self.jobs.get(index) else {
            return Ok(None);
        };
        let pids = job.pids.clone();
        for (i, pid) in pids.iter().enumerate() {
            let known = self.jobs[index].statuses[i];
            let finished = matches!(
                known,
                Some(ChildStatus::Exited(_) | ChildStatus::Signaled(_))
            );
            if finished || (untraced && matches!(known, Some(ChildStatus::Stopped(_)))) {
                continue;
            }
            let status = wait_child(audit, *pid, untraced, interrupt_on)?;
            self.jobs[index].statuses[i] = Some(status);
        }
        // A trapped signal that came while the job ended still ends the wait (bash), but
        // the SIGCHLD of its end: the job's status is kept for the next one.
        if let Some(accept) = interrupt_on {
            if let Some(sig) = trap::pending_among(|sig| sig != sys::signal::SIGCHLD && accept(sig))
            {
                return Err(sig);
            }
        }
        let job = &self.jobs[index];
        if job.is_stopped() {
            return Ok(job
                .statuses
                .iter()
                .flatten()
                .find(|s| s.is_stopped())
                .copied());
        }
        Ok(job.status())
    }

    /// `wait -n` (bash): wait until some job is done, one of the jobs numbered in `among`
    /// when it is not empty; its index, or None when there is no such job (or a signal
    /// interrupted the wait).
    pub fn wait_any(
        &mut self,
        among: &[usize],
        audit: &mut Session,
        interrupts: fn(i32) -> bool,
    ) -> Result<Option<usize>, i32> {
        let counts = |j: &Job| among.is_empty() || among.contains(&j.number);
        loop {
            // Of the jobs that have ended already, the first in the table (bash).
            self.reap_nonblocking(audit);
            if let Some(i) = self.jobs.iter().position(|j| j.is_done() && counts(j)) {
                return Ok(Some(i));
            }
            if !self.jobs.iter().any(counts) {
                return Ok(None);
            }
            if let Some(sig) = trap::pending_among(interrupts) {
                return Err(sig);
            }
            audit.flush();
            match process::wait(-1, 0) {
                Ok(Some((pid, raw))) => {
                    let status = ChildStatus::from_raw(raw);
                    reaped(audit, pid, status);
                    self.record(pid, status);
                }
                Ok(None) | Err(sys::errno::EINTR) => {}
                Err(_) => return Ok(None),
            }
        }
    }

    /// The job containing `pid`, by index.
    pub fn find_pid(&self, pid: sys::process::pid_t) -> Option<usize> {
        self.jobs.iter().position(|j| j.pids.contains(&pid))
    }

    /// Take a job out of the table (after its status was reported or waited for); the
    /// statuses of its processes are kept if it has ended.
    pub fn remove(&mut self, index: usize) -> Option<Job> {
        let job = self.forget(index)?;
        if job.is_done() {
            for (&pid, status) in job.pids.iter().zip(&job.statuses) {
                if let Some(status) = *status {
                    self.keep_ended(pid, status);
                }
            }
        }
        Some(job)
    }

    /// Remember what a child that ended left, for a later `wait PID` (bash).
    pub fn keep_ended(&mut self, pid: sys::process::pid_t, status: ChildStatus) {
        if self.ended.len() == ENDED_KEPT {
            self.ended.pop_front();
        }
        self.ended.push_back((pid, status));
    }

    /// Take a job out of the table and keep nothing of it (`disown`).
    pub fn forget(&mut self, index: usize) -> Option<Job> {
        if index < self.jobs.len() {
            let job = self.jobs.remove(index);
            self.recency.retain(|&n| n != job.number);
            return Some(job);
        }
        None
    }

    /// Forget the statuses of every ended process.
    pub fn forget_ended(&mut self) {
        self.ended.clear();
    }

    /// The status of a process of a job that ended and left the table.
    pub fn ended_status(&self, pid: sys::process::pid_t) -> Option<ChildStatus> {
        self.ended
            .iter()
            .rev()
            .find(|(p, _)| *p == pid)
            .map(|(_, s)| *s)
    }

    /// Jobs that finished since they were last looked at, removed from the table (for the
    /// notice an interactive shell prints before its prompt, and for the end records of
    /// command lines that waited for them).
    pub fn take_finished(&mut self, audit: &mut Session) -> Vec<(Job, char)> {
        self.reap_nonblocking(audit);
        let mut done = Vec::new();
        let mut i = 0;
        while i < self.jobs.len() {
            if self.jobs[i].is_done() {
                let mark = self.mark(i);
                if let Some(job) = self.remove(i) {
                    done.push((job, mark));
                }
            } else {
                i += 1;
            }
        }
        done
    }

    pub fn has_stopped(&self) -> bool {
        self.jobs.iter().any(Job::is_stopped)
    }

    /// Send SIGHUP (and SIGCONT, so a stopped job sees it) to the jobs that `hangs_up` picks.
    pub fn hang_up(&self, hangs_up: impl Fn(&Job) -> bool) {
        for job in self.jobs.iter().filter(|j| !j.no_hangup && hangs_up(j)) {
            let target = if job.pgid > 0 { -job.pgid } else { job.pids[0] };
            let _ = process::kill(target, sys::signal::SIGHUP);
            let _ = process::kill(target, sys::signal::SIGCONT);
        }
    }
}

/// Where the command text starts in a `jobs` line (dash's layout).
const TEXT_COLUMN: usize = 33;

/// The line `jobs` and the notices print for a job: `[N] + State  text`, or with `pid` (`jobs
/// -l`) `[N] + PID State  text`, the text at dash's column.
pub fn describe_with(job: &Job, mark: char, pid: Option<sys::process::pid_t>) -> Vec<u8> {
    let mut head = format!("[{}] {} ", job.number, mark);
    if let Some(pid) = pid {
        head.push_str(&format!("{pid} "));
    }
    head.push_str(&job.state());
    let mut line = format!("{head:<width$} ", width = TEXT_COLUMN - 1).into_bytes();
    line.extend_from_slice(&job.text);
    line.push(b'\n');
    line
}

/// A job as bash's `jobs` lists it: `[1]+  Running                 sleep 5 &`; `long` adds
/// the process id before the state.
pub fn describe_bash(job: &Job, mark: char, long: bool) -> Vec<u8> {
    let state = if job.is_done() {
        match job.status() {
            Some(ChildStatus::Exited(0)) | None => "Done".to_string(),
            Some(ChildStatus::Exited(c)) => format!("Exit {c}"),
            Some(ChildStatus::Signaled(s)) => sys::signal::description(s),
            Some(ChildStatus::Stopped(_)) => "Stopped".to_string(),
        }
    } else if job.is_stopped() {
        "Stopped".to_string()
    } else {
        job.state()
    };
    let mut line = format!("[{}]{mark} ", job.number);
    match job.pids.first().filter(|_| long) {
        Some(pid) => line.push_str(&format!("{pid:>5} ")),
        None => line.push(' '),
    }
    line.push_str(&format!("{state:<24}"));
    let mut line = line.into_bytes();
    if long && job.parts.len() == job.pids.len() && job.parts.len() > 1 {
        // A line per process, the later ones under the first's command after a `|`.
        for (i, (pid, part)) in job.pids.iter().zip(&job.parts).enumerate() {
            if i > 0 {
                line.extend_from_slice(format!("\n     {pid:>5} {:22}| ", "").as_bytes());
            }
            line.extend_from_slice(part);
        }
    } else {
        line.extend_from_slice(&job.text);
    }
    if state == "Running" {
        line.extend_from_slice(b" &");
    }
    line.push(b'\n');
    line
}

/// `describe_with` without the pid.
pub fn describe(job: &Job, mark: char) -> Vec<u8> {
    describe_with(job, mark, None)
}

/// The line that tells of a job that stopped or ended, in the form of the shell's language:
/// bash's (`[1]+  Stopped                 vim`) or dash's (`[1] + Stopped (signal)   vim`).
pub fn notice(bash: bool, job: &Job, mark: char) -> Vec<u8> {
    match bash {
        true => describe_bash(job, mark, false),
        false => describe(job, mark),
    }
}

/// A job that was stopped in the foreground has finished: write the end record of the command
/// line it belongs to, with the job's final status.
pub fn record_end(audit: &mut crate::audit::Session, job: &Job) {
    if let (Some(id), Some(status)) = (job.command, job.status()) {
        audit.command_end(id, status.exit_status(), status.signal());
    }
}

/// bash, not interactive: a job that died of a signal is told on standard error, as
/// `NAME: line N:  PID Hangup                  cmd`, a line per process, when the signal is
/// not SIGINT, SIGTERM or SIGPIPE and the shell does not trap it. Of a foreground job killed
/// otherwise (SIGTERM, a trapped signal) only the signal's description is told. Nothing in a
/// command substitution. The job's status is its last process's (with `pipefail`, its last
/// failure's). `parts` gives each process's command when it is needed.
pub fn tell_death(
    sh: &crate::state::Shell,
    pids: &[sys::process::pid_t],
    statuses: &[Option<ChildStatus>],
    parts: impl FnOnce() -> Vec<Vec<u8>>,
    foreground: bool,
) {
    if sh.in_command_substitution {
        return;
    }
    let status = match sh.options.pipefail {
        true => statuses
            .iter()
            .flatten()
            .rev()
            .find(|s| s.exit_status() != 0)
            .copied(),
        false => statuses.last().copied().flatten(),
    };
    let Some(ChildStatus::Signaled(sig)) = status else {
        return;
    };
    let quiet = [
        sys::signal::SIGINT,
        sys::signal::SIGTERM,
        sys::signal::SIGPIPE,
    ];
    if !quiet.contains(&sig) && !sh.traps.is_trapped(sig) {
        let mut text = sh.arg0.clone();
        text.extend_from_slice(format!(": line {}: ", sh.lineno.max(1)).as_bytes());
        text.extend_from_slice(&process_lines(pids, statuses, &parts()));
        fd::write_all(2, &text);
    } else if foreground && sig != sys::signal::SIGINT && sig != sys::signal::SIGPIPE {
        let mut text = sys::signal::description(sig).into_bytes();
        text.push(b'\n');
        fd::write_all(2, &text);
    }
}

/// bash's lines for the processes of a job that is not interactive's: `PID STATUS  command`,
/// the later ones indented, after `| `, their status shown where it differs from the
/// first's.
fn process_lines(
    pids: &[sys::process::pid_t],
    statuses: &[Option<ChildStatus>],
    parts: &[Vec<u8>],
) -> Vec<u8> {
    let word = |s: &Option<ChildStatus>| match s {
        Some(ChildStatus::Exited(0)) => "Done".to_string(),
        Some(ChildStatus::Exited(c)) => format!("Exit {c}"),
        Some(ChildStatus::Signaled(sig)) => sys::signal::description(*sig),
        Some(ChildStatus::Stopped(_)) => "Stopped".to_string(),
        None => "Running".to_string(),
    };
    let mut out = Vec::new();
    for (i, pid) in pids.iter().enumerate() {
        let status = statuses.get(i).copied().flatten();
        let shown = match i {
            0 => word(&status),
            _ if status == statuses.first().copied().flatten() => String::new(),
            _ => word(&status),
        };
        let lead = if i == 0 { "" } else { "     " };
        let pipe = if i == 0 { "" } else { "| " };
        // The status fills 24 columns, `| ` counting as 2 when it is empty.
        let width = if shown.is_empty() { 22 } else { 24 };
        out.extend_from_slice(format!("{lead}{pid:>5} {shown:<width$}{pipe}").as_bytes());
        out.extend_from_slice(parts.get(i).or(parts.last()).map_or(&b""[..], |p| p));
        out.push(b'\n');
    }
    out
}

/// bash, not interactive: tell the deaths of the background jobs that ended since the last
/// time ([`tell_death`]).
pub fn tell_ended_jobs(sh: &mut crate::state::Shell) {
    let untold = |j: &Job| !j.told && j.is_done();
    if !sh.jobs.jobs.iter().any(untold) {
        return;
    }
    for i in 0..sh.jobs.jobs.len() {
        if untold(&sh.jobs.jobs[i]) {
            tell_job(sh, i);
        }
    }
}

/// Tell a background job's death once ([`tell_death`]).
pub fn tell_job(sh: &mut crate::state::Shell, index: usize) {
    let job = &sh.jobs.jobs[index];
    if job.told {
        return;
    }
    let parts = || match job.parts.len() == job.pids.len() {
        true => job.parts.clone(),
        false => vec![job.text.clone()],
    };
    tell_death(sh, &job.pids, &job.statuses, parts, false);
    sh.jobs.jobs[index].told = true;
}
