//! The processes the session's records describe (ECS's process model): the entity ids of the
//! processes the shell makes, how a program comes to run (its `exec` record), and the `end`
//! record of each program the shell waits for, or of one that never started.

use super::record::{self, Action, GroupLeader, Program};
use super::{clock, shared, Denied, Session};

/// At most this many syslog copies wait for the batch (`Session::flush`).
const MAX_DEFERRED: usize = 32;

/// Where a command came from, for records of startup files: (file, line).
pub type Origin<'a> = Option<(&'a [u8], u32)>;

/// A process the shell makes (a program it spawns, a subshell it forks): its entity id
/// (`process.entity_id`: `<session>-p<n>`, and under a forked child's own id, `<its id>.<n>`,
/// so that no two processes of a session share one and none needs a lock) and when it was
/// made (`process.start`).
#[derive(Debug, Clone, Default)]
pub struct NewProcess {
    pub entity: String,
    start: clock::Timestamp,
    start_ns: u64,
}

impl NewProcess {
    /// `process.start` as written.
    pub fn start(&self) -> &str {
        clock::as_str(&self.start)
    }
}

/// How a program comes to run, for its `exec` record.
#[derive(Debug, Clone, Copy)]
pub struct Starting<'a> {
    pub process: &'a NewProcess,
    /// The program's pid; None when the child that will exec fills it in.
    pub pid: Option<u32>,
    /// The shell (or subshell) that starts it.
    pub parent_pid: u32,
    /// Its standard input and error are the session's terminal.
    pub interactive: bool,
    pub group_leader: GroupLeader<'a>,
    /// This process becomes the program (`exec` in place): in a forked child, the process
    /// that waits for it writes its `end` record.
    pub in_place: bool,
}

impl Starting<'_> {
    /// The program as its records describe it.
    fn program(&self) -> Program<'_> {
        Program {
            entity: &self.process.entity,
            pid: self.pid,
            start: self.process.start(),
            parent_pid: self.parent_pid,
            interactive: self.interactive,
            group_leader: self.group_leader,
        }
    }
}

/// A process of this shell's that the session will write an `end` record for when it is
/// waited for (for a forked child, only if it became a program).
#[derive(Debug)]
pub(super) struct Running {
    pid: u32,
    pub(super) process: NewProcess,
    /// The program's path (spawned programs); a forked child's is its own to know.
    executable: Option<Vec<u8>>,
    forked: bool,
    interactive: bool,
    group_leader: Leader,
    command: Option<u64>,
}

/// A program's process group leader ([`GroupLeader`]), kept past the call that knew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leader {
    Itself,
    Shell,
    Other { pid: u32, entity: Option<String> },
}

impl Leader {
    pub fn of(g: GroupLeader<'_>) -> Leader {
        match g {
            GroupLeader::Itself => Leader::Itself,
            GroupLeader::Shell => Leader::Shell,
            GroupLeader::Other { pid, entity } => Leader::Other {
                pid,
                entity: entity.map(str::to_string),
            },
        }
    }

    pub fn borrow(&self) -> GroupLeader<'_> {
        match self {
            Leader::Itself => GroupLeader::Itself,
            Leader::Shell => GroupLeader::Shell,
            Leader::Other { pid, entity } => GroupLeader::Other {
                pid: *pid,
                entity: entity.as_deref(),
            },
        }
    }
}

/// Decimal text of `v` (no allocation beyond the small string).
fn itoa_u64(v: u64) -> String {
    let mut b = Vec::with_capacity(20);
    record::push_u64(&mut b, v);
    String::from_utf8(b).unwrap_or_default()
}

impl Session {
    /// A process is about to be made (a program spawned, a subshell forked): its entity id and
    /// start. Costs nothing when the session records nothing.
    pub fn new_process(&mut self) -> NewProcess {
        let Some(cell) = &self.inner else {
            return NewProcess::default();
        };
        let inner = &mut *cell.borrow_mut();
        if !inner.w.sinks.any_enabled() {
            return NewProcess::default();
        }
        if inner.w.deferred.len() >= MAX_DEFERRED {
            // A shell that starts programs without waiting for them (`cmd &` in a loop) holds
            // no more than this many copies back.
            let mut guard = inner.shared.lock();
            inner.w.flush_syslog(&mut guard);
        }
        let (secs, nanos) = clock::realtime();
        let mut entity = String::with_capacity(inner.entity_prefix.len() + 8);
        entity.push_str(&inner.entity_prefix);
        entity.push_str(itoa_u64(inner.next_child).as_str());
        inner.next_child += 1;
        NewProcess {
            entity,
            start: clock::timestamp(secs, nanos),
            start_ns: clock::monotonic_ns(),
        }
    }

    /// The process that a forked child is, made by [`Session::new_process`] before the fork.
    pub fn own_process(&self) -> Option<NewProcess> {
        self.inner.as_ref()?.borrow().own.clone()
    }

    /// The leader of process group `pgid`, for a program that runs in it (`program_pid`, when
    /// known): the program itself, the shell, the last process made to lead a group (a
    /// pipeline's first member), or a process the session did not make.
    pub fn group_leader(&self, pgid: u32, program_pid: Option<u32>) -> Leader {
        if Some(pgid) == program_pid {
            return Leader::Itself;
        }
        let Some(inner) = self.inner.as_ref().map(|c| c.borrow()) else {
            return Leader::Other {
                pid: pgid,
                entity: None,
            };
        };
        if pgid == inner.w.identity.shell.pid {
            return Leader::Shell;
        }
        let entity = match &inner.group_leader {
            Some((pid, entity)) if *pid == pgid => Some(entity.clone()),
            _ => None,
        };
        Leader::Other { pid: pgid, entity }
    }

    /// The shell's pid (the session's first process, also in its forked children).
    pub fn shell_pid(&self) -> u32 {
        self.inner
            .as_ref()
            .map_or(0, |c| c.borrow().w.identity.shell.pid)
    }

    /// Whether a program with standard input and error as they are now in this process runs
    /// on the session's terminal (`process.interactive`): both are the terminal the session
    /// started on. No system call when the session has no terminal.
    pub fn on_terminal(&self) -> bool {
        let Some(inner) = self.inner.as_ref().map(|c| c.borrow()) else {
            return false;
        };
        let Some(tty) = inner.w.identity.shell.tty_device else {
            return false;
        };
        crate::sys::fd::char_device(0) == Some(tty) && crate::sys::fd::char_device(2) == Some(tty)
    }

    /// An external program is about to start: `executable` is the path it is run by (found in
    /// PATH, or as given: `./x`), `argv` its arguments (argv[0] included), `cwd` the shell's
    /// logical working directory. The record names the physical working directory, the path
    /// made absolute against it, and the file that path names (device, inode, resolved path).
    pub fn exec(
        &mut self,
        executable: &[u8],
        argv: &[Vec<u8>],
        cwd: &[u8],
        origin: Origin<'_>,
        starting: &Starting<'_>,
    ) -> Result<(), Denied> {
        let Some(cell) = &self.inner else {
            return Ok(());
        };
        let inner = &mut *cell.borrow_mut();
        // A forked child that becomes a program says so, for the end record its parent writes.
        let mark = (starting.in_place && inner.child && inner.w.config.record_exit)
            .then(|| {
                starting
                    .pid
                    .map(|pid| u64::from(pid) << 1 | u64::from(starting.interactive))
            })
            .flatten();
        if !inner.w.config.record_exec {
            if let Some(mark) = mark {
                inner.mark_exec(mark);
            }
            return Ok(());
        }
        let mut places = std::mem::take(&mut inner.places);
        let file = places
            .look(inner.w.sinks.any_enabled(), Some(executable))
            .map(|(device, inode)| record::FileId {
                device,
                inode,
                target: Some(places.target.as_slice()).filter(|t| !t.is_empty()),
            });
        let action = Action::Exec {
            program: starting.program(),
            executable: &places.executable,
            argv,
            cwd: &places.cwd,
            origin,
            command: inner.current_command,
            logical_cwd: Some(cwd).filter(|&l| !l.is_empty() && l != places.cwd.as_slice()),
            file,
        };
        let written = inner.emit_checked(&action, mark);
        inner.places = places;
        written.map(|_| ())
    }

    /// A program was spawned as `pid` (its `exec` record written): its `end` record is due when
    /// it is waited for.
    pub fn spawned(&mut self, pid: u32, executable: &[u8], starting: &Starting<'_>) {
        let running = self.program(pid, executable, starting);
        self.track(running);
    }

    /// The kernel would not run a spawned file (ENOEXEC: no `#!` line), so a subshell runs it
    /// as a script (XCU 2.9.1.1). That subshell is the program the `exec` record named: it
    /// takes the record's entity id ([`Session::script_process`]), the programs it starts are
    /// its children, and its end is the program's end ([`Session::script_forked`]).
    pub fn spawned_as_script(&mut self, executable: &[u8], starting: &Starting<'_>) {
        let running = self.program(0, executable, starting);
        if let Some(cell) = &self.inner {
            cell.borrow_mut().script = Some(running);
        }
    }

    /// The process a script's subshell is to be (see [`Session::spawned_as_script`]).
    pub fn script_process(&self) -> Option<NewProcess> {
        let inner = self.inner.as_ref()?.borrow();
        inner.script.as_ref().map(|r| r.process.clone())
    }

    /// The script's subshell was forked as `pid` (None: the fork failed): its end is due when
    /// it is waited for.
    pub fn script_forked(&mut self, pid: Option<u32>) {
        let Some(mut running) = self
            .inner
            .as_ref()
            .and_then(|c| c.borrow_mut().script.take())
        else {
            return;
        };
        if let Some(pid) = pid {
            running.pid = pid;
            self.track(running);
        }
    }

    /// This forked child, which was to become a program (`exec` in a subshell), runs it as a
    /// script instead (no `#!` line): the programs it starts are that program's children.
    pub fn became_script(&mut self) {
        let Some(cell) = &self.inner else {
            return;
        };
        let inner = &mut *cell.borrow_mut();
        if let Some(own) = &inner.own {
            inner.w.fixed.set_program_parent(&own.entity);
        }
    }

    /// A spawned program, for the end record due when it is waited for.
    fn program(&self, pid: u32, executable: &[u8], starting: &Starting<'_>) -> Running {
        // Named as its exec record names it: made absolute against the physical working
        // directory, which the record's child looked up into the session's buffers.
        let executable = match &self.inner {
            Some(cell) if executable.first() != Some(&b'/') => {
                let mut absolute = Vec::new();
                super::place::absolute(executable, &cell.borrow().places.cwd, &mut absolute);
                absolute
            }
            _ => executable.to_vec(),
        };
        Running {
            pid,
            process: starting.process.clone(),
            executable: Some(executable),
            forked: false,
            interactive: starting.interactive,
            group_leader: Leader::of(starting.group_leader),
            command: None,
        }
    }

    /// A subshell was forked as `pid`: if it becomes a program, its `end` record is due when
    /// it is waited for. `leads_group`: it leads a new process group (a job's first member).
    pub fn forked(&mut self, pid: u32, process: NewProcess, group_leader: GroupLeader<'_>) {
        if let Some(cell) = &self.inner {
            if group_leader == GroupLeader::Itself {
                cell.borrow_mut().group_leader = Some((pid, process.entity.clone()));
            }
        }
        self.track(Running {
            pid,
            process,
            executable: None,
            forked: true,
            interactive: false,
            group_leader: Leader::of(group_leader),
            command: None,
        });
    }

    fn track(&mut self, mut running: Running) {
        let Some(cell) = &self.inner else {
            return;
        };
        let inner = &mut *cell.borrow_mut();
        if !inner.w.config.record_exit || !inner.w.sinks.any_enabled() {
            return;
        }
        running.command = inner.current_command;
        inner.running.push(running);
    }

    /// A child was waited for and has ended: with `exit_code`, or killed by `signal`. Writes
    /// the `end` record of a program the session is tracking.
    pub fn reaped(&mut self, pid: u32, exit_code: i32, signal: Option<i32>) {
        let Some(cell) = &self.inner else {
            return;
        };
        let inner = &mut *cell.borrow_mut();
        let Some(i) = inner.running.iter().position(|r| r.pid == pid) else {
            return;
        };
        let r = inner.running.swap_remove(i);
        let ended_ns = clock::monotonic_ns();
        let mut guard = inner.shared.lock();
        let mut interactive = r.interactive;
        if r.forked {
            // Only a forked child that became a program has an end of its own.
            let slot = pid as usize % shared::EXEC_SLOTS;
            let mark = guard.execs[slot];
            if mark >> 1 != u64::from(pid) {
                return;
            }
            guard.execs[slot] = 0;
            interactive = mark & 1 == 1;
        }
        let action = Action::End {
            program: Program {
                entity: &r.process.entity,
                pid: Some(pid),
                start: r.process.start(),
                parent_pid: inner.w.identity.pid,
                interactive,
                group_leader: r.group_leader.borrow(),
            },
            executable: r.executable.as_deref(),
            argv: None,
            exit_code,
            signal,
            duration_ns: ended_ns.saturating_sub(r.process.start_ns),
            command: r.command,
            error: None,
        };
        let (seq, d) = inner.w.write_one(&mut guard, &action, |_| true);
        inner.w.handle_failures(&mut guard, seq, &d);
    }

    /// A program that never started: not found (no `exec` record was written), or refused by
    /// the kernel after its `exec` record (`pid`: the process that tried). Its `end` record at
    /// once: status 126 or 127, `error.code` (an errno's name) and `error.message`.
    #[allow(clippy::too_many_arguments)]
    pub fn not_started(
        &mut self,
        starting: &Starting<'_>,
        executable: Option<&[u8]>,
        argv: &[Vec<u8>],
        status: i32,
        code: &str,
        message: &str,
    ) {
        let Some(cell) = &self.inner else {
            return;
        };
        let inner = &mut *cell.borrow_mut();
        // After `session-end` (a failed `exec`) the session has nothing more to say.
        if !inner.w.config.record_exit || inner.ended {
            return;
        }
        let action = Action::End {
            program: starting.program(),
            executable,
            // A program that had an exec record is named there.
            argv: if starting.pid.is_some() {
                None
            } else {
                Some(argv)
            },
            exit_code: status,
            signal: None,
            duration_ns: clock::monotonic_ns().saturating_sub(starting.process.start_ns),
            command: inner.current_command,
            error: Some((code, message)),
        };
        let mut guard = inner.shared.lock();
        if starting.in_place && inner.child {
            // The parent must not write a second end for this child.
            if let Some(pid) = starting.pid {
                let slot = pid as usize % shared::EXEC_SLOTS;
                if guard.execs[slot] >> 1 == u64::from(pid) {
                    guard.execs[slot] = 0;
                }
            }
        }
        let (seq, d) = inner.w.write_one(&mut guard, &action, |_| true);
        inner.w.handle_failures(&mut guard, seq, &d);
    }
}
