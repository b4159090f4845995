//! Jobs: children the shell has started and not yet reaped; `$!`, `wait`, `jobs`, `fg`, `bg`.
//! (Full interactive job control — process groups and the terminal — builds on this table.)

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

    fn from_raw(raw: i32) -> ChildStatus {
        if libc::WIFEXITED(raw) {
            ChildStatus::Exited(libc::WEXITSTATUS(raw))
        } else if libc::WIFSIGNALED(raw) {
            ChildStatus::Signaled(libc::WTERMSIG(raw))
        } else if libc::WIFSTOPPED(raw) {
            ChildStatus::Stopped(libc::WSTOPSIG(raw))
        } else {
            ChildStatus::Exited(0)
        }
    }
}

/// Wait for one child, retrying when a signal interrupts the wait. `on_signal` runs when the
/// wait was interrupted (the shell uses it to notice pending traps later).
pub fn wait_pid(pid: libc::pid_t, untraced: bool) -> ChildStatus {
    let mut raw = 0;
    let flags = if untraced { libc::WUNTRACED } else { 0 };
    loop {
        // SAFETY: raw is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut raw, flags) };
        if r == pid {
            return ChildStatus::from_raw(raw);
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            // Already reaped or not our child: nothing to report.
            return ChildStatus::Exited(127);
        }
    }
}

/// A background job: the processes of one pipeline started with `&`.
#[derive(Debug, Clone)]
pub struct Job {
    pub number: usize,
    pub pids: Vec<libc::pid_t>,
    /// The status of each process once known.
    pub statuses: Vec<Option<ChildStatus>>,
    pub text: Vec<u8>,
}

impl Job {
    pub fn is_done(&self) -> bool {
        self.statuses
            .iter()
            .all(|s| matches!(s, Some(ChildStatus::Exited(_) | ChildStatus::Signaled(_))))
    }

    /// The job's status: that of its last process.
    pub fn status(&self) -> Option<ChildStatus> {
        self.statuses.last().copied().flatten()
    }
}

/// The job table.
#[derive(Debug, Default)]
pub struct Jobs {
    pub jobs: Vec<Job>,
}

impl Jobs {
    /// Remember a background job; returns its number.
    pub fn add(&mut self, pids: Vec<libc::pid_t>, text: Vec<u8>) -> usize {
        let number = self.jobs.iter().map(|j| j.number).max().unwrap_or(0) + 1;
        let statuses = vec![None; pids.len()];
        self.jobs.push(Job {
            number,
            pids,
            statuses,
            text,
        });
        number
    }

    /// A subshell does not own its parent's jobs.
    pub fn clear_for_subshell(&mut self) {
        self.jobs.clear();
    }

    /// Reap whatever children have finished, without blocking.
    pub fn reap_nonblocking(&mut self) {
        loop {
            let mut raw = 0;
            // SAFETY: raw is a valid out-pointer.
            let pid = unsafe { libc::waitpid(-1, &mut raw, libc::WNOHANG | libc::WUNTRACED) };
            if pid <= 0 {
                return;
            }
            self.record(pid, ChildStatus::from_raw(raw));
        }
    }

    fn record(&mut self, pid: libc::pid_t, status: ChildStatus) {
        for job in &mut self.jobs {
            if let Some(i) = job.pids.iter().position(|&p| p == pid) {
                job.statuses[i] = Some(status);
            }
        }
    }

    /// Wait until the job is done; returns its status.
    pub fn wait_job(&mut self, index: usize) -> Option<ChildStatus> {
        let pids: Vec<_> = self.jobs.get(index)?.pids.clone();
        for (i, pid) in pids.iter().enumerate() {
            if self.jobs[index].statuses[i].is_none() {
                let status = wait_pid(*pid, false);
                self.jobs[index].statuses[i] = Some(status);
            }
        }
        self.jobs[index].status()
    }

    /// The job containing `pid`, by index.
    pub fn find_pid(&self, pid: libc::pid_t) -> Option<usize> {
        self.jobs.iter().position(|j| j.pids.contains(&pid))
    }

    /// Forget jobs that are done (after their status was reported or waited for).
    pub fn remove(&mut self, index: usize) {
        if index < self.jobs.len() {
            self.jobs.remove(index);
        }
    }
}
