//! The audit trail: records (schema in `record::schema`), the hash chain, the spool and syslog
//! sinks, and the session that ties them together. Knows nothing of the shell language: it is
//! told what is about to run and what happened.
//!
//! - `record`: the schema (every event and field, in `schema`), and the encoder that writes
//!   a record as its line into a reused buffer, truncation included (`encode`).
//! - `chain`: the SHA-256 chain (`auditsh.prev`) and a verifier.
//! - `shared`: sequence, chain head and sink failure flags in a shared page, behind a POSIX
//!   record lock, so that forked children continue the session's one gapless sequence.
//! - `sink`: the spool file and syslog; `policy`: what a sink failure means.
//! - `mac`: the records' forward-secure MAC key (loaded before the privilege drop, held only in
//!   memory) and the seal each record ends with.
//! - `identity`: who, where, which tty, looked up once at start; `text`: bytes as JSON text;
//!   `clock`: timestamps and durations; `place`: the physical working directory and the
//!   identity of the file a program is, looked at for each record that names them.
//!
//! Writing a record: take the lock, read sequence and previous hash, serialize, seal, hash, one
//! write(2) to the spool and one non-blocking send to syslog, advance the shared state,
//! release the lock; then failure or recovery notices as the policy says.

pub mod budget;
pub mod chain;
pub mod clock;
pub mod identity;
pub mod mac;
pub mod place;
pub mod policy;
pub mod privilege;
pub mod record;
pub mod shared;
pub mod sink;
pub mod text;

use crate::config::{Config, OnFailure, SpoolSync};
use identity::Identity;
use record::{Action, Fixed, Header, Program, SinkName};
pub use record::{EndReason, GroupLeader, Mode};
use sha2::{Digest, Sha256};
use shared::Shared;
use sink::{spool::Spool, syslog::Syslog, Delivery, Sinks, ALL};
use std::cell::RefCell;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::RawFd;
use std::path::PathBuf;
use std::rc::{Rc, Weak};

/// What the session records when it starts.
pub struct StartInfo<'a> {
    pub mode: Mode,
    pub login: bool,
    /// The shell's own argv.
    pub args: &'a [Vec<u8>],
}

/// A command line being run: the `event.id` its records refer to, and when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandId {
    pub sequence: u64,
    pub started_ns: u64,
}

/// A record that no required sink accepted under `on_failure = "refuse"`: the command must not
/// run. `message` says why, in one line, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub message: String,
}

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
struct Running {
    pid: u32,
    process: NewProcess,
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

/// One shell session's audit state.
pub struct Session {
    /// Shared with [`PANIC_SESSION`] only: the cell is borrowed exactly while the audit's own
    /// code runs, which is how the panic hook knows whether the state is whole.
    inner: Option<Rc<RefCell<Inner>>>,
}

thread_local! {
    /// The session [`Session::end_after_panic`] ends: the top-level shell's.
    static PANIC_SESSION: RefCell<Weak<RefCell<Inner>>> = const { RefCell::new(Weak::new()) };
}

struct Inner {
    shared: Shared,
    w: Writer,
    started_ns: u64,
    start_pid: u32,
    child: bool,
    ended: bool,
    /// The command line running now (its sequence), for `auditsh.command`.
    current_command: Option<u64>,
    /// Buffers for what `place` looks up per record, reused.
    places: Places,
    /// Entity ids of the processes this one makes: this prefix and a number.
    entity_prefix: String,
    next_child: u64,
    /// A forked child's own process (the program it becomes if it execs in place).
    own: Option<NewProcess>,
    /// The processes whose `end` records are due when they are waited for.
    running: Vec<Running>,
    /// The last process made to lead a new process group (a pipeline's first), for the
    /// group's other members' `group_leader`.
    group_leader: Option<(u32, String)>,
}

/// The physical working directory, the executable's absolute path and its resolved path.
#[derive(Default)]
struct Places {
    cwd: Vec<u8>,
    executable: Vec<u8>,
    target: Vec<u8>,
    root_only_dirs: place::RootOnlyDirs,
}

impl Places {
    /// Look at the physical working directory and, for an `exec`, make `executable` absolute
    /// against it and identify the file: its device and inode, its resolved path left in
    /// `target`. Nothing is looked at when auditing is off (`recording` false): no record
    /// will be built.
    fn look(&mut self, recording: bool, executable: Option<&[u8]>) -> Option<(u64, u64)> {
        self.cwd.clear();
        self.executable.clear();
        self.target.clear();
        if !recording {
            return None;
        }
        place::physical_cwd(&mut self.cwd);
        place::absolute(executable?, &self.cwd, &mut self.executable);
        place::identify(&self.executable, &mut self.target, &mut self.root_only_dirs)
    }
}

/// What building and writing a record needs (everything but the shared state).
struct Writer {
    config: Config,
    identity: Identity,
    mode: Mode,
    /// The parts of every record that the session does not change, serialized once.
    fixed: Fixed,
    sinks: Sinks,
    /// The line being written, reused across records.
    buf: Vec<u8>,
    /// The records' MAC key (`mac`), held only in this process's memory; `None`: records go
    /// out without a MAC.
    sealer: Option<mac::Sealer>,
    /// The byte budgets (`limits`).
    budgets: budget::Budgets,
    /// A budget the last record passed first: its notice is written next.
    budget_notice: Option<(&'static str, u64)>,
    /// The sequence numbers of the records whose syslog copies wait in the syslog sink's
    /// batch, in order.
    deferred: Vec<u64>,
    /// Syslog copies may wait for the batch (not once the session is ending).
    defer_syslog: bool,
    /// Records written along with the last one (a `key-rollover` before it, a budget notice
    /// after it) and what became of them: for `handle_failures`, which is given the record's
    /// own delivery. Empty (no allocation) but on those rare records.
    side_records: Vec<(u64, Delivery)>,
}

/// The process is the installed shell (its file is setuid/setgid) or runs with privilege it
/// did not start with: environment inputs to the audit are ignored. Asked once: it cannot
/// change before the privilege drop, and after it the answer must stay the one the session
/// started with.
pub fn is_secure() -> bool {
    standing().secure
}

/// The binary is the installed one but the kernel did not give it the identity its file names
/// (`no_new_privs`, a `nosuid` mount, another user namespace): it cannot open the protected
/// sinks, so it runs nothing.
pub fn installed_without_privilege() -> bool {
    standing().without_privilege
}

#[derive(Clone, Copy)]
struct Standing {
    secure: bool,
    without_privilege: bool,
}

fn standing() -> Standing {
    static STANDING: std::sync::OnceLock<Standing> = std::sync::OnceLock::new();
    *STANDING.get_or_init(|| {
        use crate::sys::process;
        let raised = process::secure_exec()
            || process::uid() != process::euid()
            || process::gid() != process::egid();
        if raised {
            // The setuid exec took effect: no need to look at the file.
            return Standing {
                secure: true,
                without_privilege: false,
            };
        }
        match privilege::installed_file() {
            // Without AT_SECURE the identity is only real when the caller already is the
            // file's owner (the `auditsh` account itself) in the initial user namespace.
            Some(file) => Standing {
                secure: true,
                without_privilege: !privilege::holds(file)
                    || !privilege::in_initial_user_namespace(),
            },
            None => Standing {
                secure: false,
                without_privilege: false,
            },
        }
    })
}

/// Decimal text of `v` (no allocation beyond the small string).
fn itoa_u64(v: u64) -> String {
    let mut b = Vec::with_capacity(20);
    record::push_u64(&mut b, v);
    String::from_utf8(b).unwrap_or_default()
}

/// Write to stderr; never fails, never panics.
fn say(msg: &str) {
    let _ = std::io::stderr().write_all(msg.as_bytes());
}

/// 128 random bits as 32 lowercase hex characters.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    if crate::sys::process::random_fill(&mut bytes, true).is_err() {
        // No getrandom: time, pid and a stack address, hashed (unique enough, not secret).
        let (s, ns) = clock::realtime();
        let mut h = Sha256::new();
        h.update(s.to_le_bytes());
        h.update(ns.to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        h.update((&bytes as *const _ as usize).to_le_bytes());
        h.update(clock::monotonic_ns().to_le_bytes());
        bytes.copy_from_slice(&h.finalize()[..16]);
    }
    record::hex(&bytes)
}

/// A session whose sinks, user counters and record key are open, and that has written
/// nothing yet: installed, the process still holds the `auditsh` identity it opened them with.
/// [`Opened::start`] takes the proof that it gave the identity up, then writes `session-start`.
pub struct Opened<'a> {
    info: StartInfo<'a>,
    secure: bool,
    config: Config,
    started_ns: u64,
    started_wall: (i64, u32),
    session: String,
    sinks: Sinks,
    shared: Shared,
    user_counters: Option<budget::UserCounters>,
    sealer: Option<mac::Sealer>,
    key_problem: Option<String>,
}

impl Session {
    /// Read the config, open the sinks, the user's counters and the record key: all that the
    /// installed shell needs its privilege for. In development mode it never fails: a sink
    /// that cannot be opened is an audit failure handled by the failure policy. The installed
    /// shell exits with status 126 instead when it runs without its privilege (and later,
    /// in [`Opened::start`], when it cannot record the session's start).
    pub fn open(info: StartInfo<'_>) -> Opened<'_> {
        if installed_without_privilege() {
            refuse_to_start(
                "the installed shell runs without its privilege (no_new_privs, a nosuid mount or a user namespace), so it cannot record",
            );
        }
        Session::open_with(crate::config::resolve(is_secure()), info)
    }

    /// `open` with a given config (the environment still chooses the default spool
    /// directory in development mode when the config names none).
    pub fn open_with(config: Config, info: StartInfo<'_>) -> Opened<'_> {
        let secure = is_secure();
        let started_ns = clock::monotonic_ns();
        let started_wall = clock::realtime();
        let now = started_wall.0;
        let session = new_session_id();

        let mut sinks = Sinks::default();
        if config.spool.enabled {
            // The notice is for someone running a checkout on its default spool; a config
            // that names the directory was written by someone who knows where it is.
            let default_dir = config.spool.dir.is_none();
            let dir = config
                .spool
                .dir
                .clone()
                .unwrap_or_else(|| crate::config::default_spool_dir(secure));
            match Spool::open(&dir, &clock::date(now), &session) {
                Ok(opened) => {
                    if !secure
                        && default_dir
                        && (opened.created_dir || info.mode == Mode::Interactive)
                    {
                        say(&format!(
                            "auditsh: audit records go to {}, which is not protected (auditsh is not installed setuid)\n",
                            dir.display()
                        ));
                    }
                    sinks.spool = Some(opened.spool);
                }
                Err(e) => sinks.missing[sink::index(SinkName::Spool)] = Some(e),
            }
        }
        if config.syslog.enabled {
            match Syslog::open(
                &config.syslog.socket,
                config.syslog.facility.0,
                config.syslog.cee_cookie,
            ) {
                // A failed connection is retried (and reported) by the first record.
                Ok(s) => sinks.syslog = Some(s),
                Err(e) => sinks.missing[sink::index(SinkName::Syslog)] = Some(e),
            }
        }
        let shared = Shared::new(sinks.spool.as_ref().and_then(|s| s.fd()));
        // The user's day and rate counters sit beside the spool file, where only the audit
        // account may write: opened before the drop, and only when a limit uses them.
        let limits = &config.limits;
        let counted = limits.user_day_bytes != 0 || limits.sessions_per_second != 0;
        let user_counters = sinks
            .spool
            .as_ref()
            .filter(|_| counted)
            .and_then(|s| s.path().parent())
            .and_then(|day| budget::UserCounters::open(day, crate::sys::process::uid()).ok());
        // The record key is readable only with the audit account's privilege: load it (and
        // bring the state forward to today) before the drop.
        let (sealer, key_problem) = match mac::key_file(config.mac.key_file.as_deref(), secure) {
            Some(path) => mac::session_key(&path, mac::day_of(now)),
            None => (None, None),
        };
        Opened {
            info,
            secure,
            config,
            started_ns,
            started_wall,
            session,
            sinks,
            shared,
            user_counters,
            sealer,
            key_problem,
        }
    }
}

impl Opened<'_> {
    /// Look up who the user is and write `session-start`, once the privilege is given up
    /// (`privilege::drop_if_installed`). The installed shell exits with status 126 when it
    /// cannot record the session's start (`Inner::start_or_refuse`).
    pub fn start(self, _dropped: privilege::Unprivileged) -> Session {
        // Who the user is, looked up once, after the drop (the effective ids are theirs).
        let ssh = std::env::var_os("SSH_CONNECTION");
        let facts = identity::ShellFacts {
            args: self.info.args,
            interactive: self.info.mode == Mode::Interactive,
            start: self.started_wall,
        };
        let identity = Identity::gather(ssh.as_ref().map(|s| s.as_bytes()), facts);
        let entity_prefix = format!("{}-p", self.session);
        let fixed = Fixed::new(&identity, &self.session, self.info.mode);
        let identity_pid = identity.pid;
        let limits = &self.config.limits;
        let waited_ms = self
            .user_counters
            .as_ref()
            .and_then(|u| u.admit(limits.sessions_per_second));
        let budgets = budget::Budgets {
            session: limits.session_bytes,
            user_day: limits.user_day_bytes,
            user: self.user_counters,
        };
        let mut inner = Box::new(Inner {
            shared: self.shared,
            w: Writer {
                // A record is about 700 bytes; the buffer grows once for a longer one and keeps it.
                buf: Vec::with_capacity(1024),
                identity,
                fixed,
                mode: self.info.mode,
                sinks: self.sinks,
                config: self.config,
                sealer: self.sealer,
                budgets,
                budget_notice: None,
                deferred: Vec::new(),
                defer_syslog: true,
                side_records: Vec::new(),
            },
            started_ns: self.started_ns,
            start_pid: identity_pid,
            child: false,
            ended: false,
            current_command: None,
            places: Places::default(),
            entity_prefix,
            next_child: 1,
            own: None,
            running: Vec::new(),
            group_leader: None,
        });
        let start = Action::SessionStart {
            login: self.info.login,
            args: self.info.args,
            pam_session: None,
            waited_ms,
        };
        if self.secure {
            inner.start_or_refuse(&start);
        } else {
            inner.emit(&start);
        }
        if let Some(problem) = &self.key_problem {
            say(&format!("auditsh: audit: {problem}\n"));
            inner.emit(&Action::KeyFailure { error: problem });
        }
        Session {
            inner: Some(Rc::new(RefCell::new(*inner))),
        }
    }
}

impl Session {
    /// A session that records nothing (unit tests of other modules).
    pub fn disabled() -> Session {
        Session { inner: None }
    }

    /// Whether records are written at all (some sink is enabled).
    pub fn recording(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|c| c.borrow().w.sinks.any_enabled())
    }

    /// The session id (`auditsh.session`), empty when disabled.
    pub fn id(&self) -> String {
        self.inner
            .as_ref()
            .map_or(String::new(), |i| i.borrow().w.fixed.session().to_string())
    }

    /// The spool file, when the spool is open.
    pub fn spool_path(&self) -> Option<PathBuf> {
        let inner = self.inner.as_ref()?.borrow();
        inner.w.sinks.spool.as_ref().map(|s| s.path().to_path_buf())
    }

    /// Make this the session a panic ends ([`Session::end_after_panic`]): the top-level
    /// shell's.
    pub fn end_on_panic(&self) {
        if let Some(inner) = &self.inner {
            let _ = PANIC_SESSION.try_with(|p| *p.borrow_mut() = Rc::downgrade(inner));
        }
    }

    /// For the panic hook: write `session-end` (reason "error") for the session
    /// [`Session::end_on_panic`] named, unless the panic happened in the audit's own code (its
    /// state is in use then, and may be half-changed): that session is left unterminated,
    /// which `verify` reports.
    pub fn end_after_panic() {
        let _ = PANIC_SESSION.try_with(|p| {
            let Some(cell) = p.borrow().upgrade() else {
                return;
            };
            let inner = cell.try_borrow_mut();
            if let Ok(mut inner) = inner {
                inner.end(None, EndReason::Error);
            }
        });
    }

    /// A command line is about to run. `script` is (path, contents) in script mode; `cwd` is
    /// the shell's logical working directory (`$PWD`): the record names the physical one, and
    /// this one too when they differ.
    pub fn command_start(
        &mut self,
        text: &[u8],
        cwd: &[u8],
        script: Option<(&[u8], &[u8])>,
    ) -> Result<CommandId, Denied> {
        let started_ns = clock::monotonic_ns();
        let Some(cell) = &self.inner else {
            return Ok(CommandId {
                sequence: 0,
                started_ns,
            });
        };
        let inner = &mut *cell.borrow_mut();
        let sha;
        let script = match script {
            Some((path, contents)) => {
                sha = chain::hex64(&chain::line_hash(contents));
                Some((path, std::str::from_utf8(&sha).unwrap_or("")))
            }
            None => None,
        };
        // Taken out while the record borrows them (moving Vecs allocates nothing).
        let mut places = std::mem::take(&mut inner.places);
        places.look(inner.w.sinks.any_enabled(), None);
        let action = Action::CommandStart {
            text,
            cwd: &places.cwd,
            script,
            logical_cwd: Some(cwd).filter(|&l| !l.is_empty() && l != places.cwd.as_slice()),
        };
        let written = inner.emit_checked(&action, None);
        inner.places = places;
        let sequence = written?;
        inner.current_command = Some(sequence);
        Ok(CommandId {
            sequence,
            started_ns,
        })
    }

    /// That command line finished with `exit_code` (or was killed by `signal`).
    pub fn command_end(&mut self, id: CommandId, exit_code: i32, signal: Option<i32>) {
        let Some(cell) = &self.inner else {
            return;
        };
        let inner = &mut *cell.borrow_mut();
        let action = Action::CommandEnd {
            command: id.sequence,
            duration_ns: clock::monotonic_ns().saturating_sub(id.started_ns),
            exit_code,
            signal,
        };
        inner.emit(&action);
        if inner.current_command == Some(id.sequence) {
            inner.current_command = None;
        }
    }

    /// Send the syslog copies waiting in the batch. The shell calls this before it blocks
    /// (waiting for a program, reading input) and before it ends or execs: the copies of
    /// records the spool has taken leave while programs run, not before they start.
    pub fn flush(&mut self) {
        let Some(cell) = &self.inner else {
            return;
        };
        let inner = &mut *cell.borrow_mut();
        if inner.w.deferred.is_empty() {
            return;
        }
        let mut guard = inner.shared.lock();
        inner.w.flush_syslog(&mut guard);
    }

    /// A process is about to be made (a program spawned, a subshell forked): its entity id and
    /// start. Costs nothing when the session records nothing.
    pub fn new_process(&mut self) -> NewProcess {
        let Some(cell) = &self.inner else {
            return NewProcess::default();
        };
        let inner = &mut *cell.borrow_mut();
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
        self.track(Running {
            pid,
            process: starting.process.clone(),
            executable: Some(executable.to_vec()),
            forked: false,
            interactive: starting.interactive,
            group_leader: Leader::of(starting.group_leader),
            command: None,
        });
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

    /// The session ends. Written once, by the process that started the session (never by a
    /// forked child).
    pub fn end(&mut self, exit_code: Option<i32>, reason: EndReason) {
        if let Some(inner) = &self.inner {
            inner.borrow_mut().end(exit_code, reason);
        }
    }

    /// Called in a forked child, which is `me` (made before the fork by
    /// [`Session::new_process`]): it may write records (continuing the session's sequence and
    /// chain) but never `session-end`; the processes it makes are numbered under its own id;
    /// its parent's processes are not its to wait for.
    pub fn after_fork(&mut self, me: NewProcess) {
        if let Some(cell) = &self.inner {
            let inner = &mut *cell.borrow_mut();
            inner.child = true;
            inner.entity_prefix.clear();
            inner.entity_prefix.push_str(&me.entity);
            inner.entity_prefix.push('.');
            inner.next_child = 1;
            inner.own = Some(me);
            inner.running.clear();
            // The parent sends the copies it was holding.
            inner.w.deferred.clear();
            inner.shared.share();
            inner.w.identity.refresh_pids();
            inner.w.fixed = Fixed::new(&inner.w.identity, inner.w.fixed.session(), inner.w.mode);
            if let Some(s) = &mut inner.w.sinks.syslog {
                s.set_pid(inner.w.identity.pid);
            }
        }
    }

    /// The shell is about to fork a child that may write records too: from now on records
    /// are written under the session's lock.
    pub fn before_fork(&mut self) {
        if let Some(cell) = &self.inner {
            let inner = &mut *cell.borrow_mut();
            inner.shared.share();
        }
    }

    /// Descriptors the shell holds for the audit: user redirections may not name them.
    pub fn owned_fds(&self) -> Vec<RawFd> {
        let Some(cell) = &self.inner else {
            return Vec::new();
        };
        let inner = cell.borrow();
        let mut v = inner.w.sinks.fds();
        v.extend(inner.shared.fd());
        v.sort_unstable();
        v
    }

    /// The system rc file the config names, read before any user startup file.
    pub fn system_rc(&self) -> Option<Vec<u8>> {
        let inner = self.inner.as_ref()?.borrow();
        inner
            .w
            .config
            .system_rc()
            .map(|p| p.as_os_str().as_bytes().to_vec())
    }
}

/// Why a session cannot start: each sink's error, as `error` gives it.
fn cannot_write<'a>(error: impl Fn(SinkName) -> Option<&'a str>) -> String {
    let reasons: Vec<String> = ALL
        .iter()
        .filter_map(|&s| error(s).map(|e| format!("{}: {e}", s.as_str())))
        .collect();
    format!("the audit trail cannot be written ({})", reasons.join("; "))
}

/// The installed shell cannot record this session: one line, status 126, nothing has run.
fn refuse_to_start(why: &str) -> ! {
    say(&format!("auditsh: {why}: not running anything\n"));
    std::process::exit(126);
}

impl Inner {
    /// See [`Session::end`].
    fn end(&mut self, exit_code: Option<i32>, reason: EndReason) {
        let inner = self;
        if inner.child || inner.ended || std::process::id() != inner.start_pid {
            return;
        }
        inner.ended = true;
        // The copies still waiting go first, so that what their sending shows of syslog's
        // health is recorded before the end, and the end goes at once: nothing follows it.
        let mut guard = inner.shared.lock();
        inner.w.flush_syslog(&mut guard);
        inner.w.defer_syslog = false;
        drop(guard);
        let action = Action::SessionEnd {
            exit_code,
            duration_ns: clock::monotonic_ns().saturating_sub(inner.started_ns),
            reason,
        };
        inner.emit(&action);
        if inner.w.config.spool.sync == SpoolSync::SessionEnd {
            if let Some(spool) = &mut inner.w.sinks.spool {
                let _ = spool.sync();
            }
        }
    }

    /// Write `session-start` in installed mode, where a session that cannot record runs
    /// nothing, whatever `on_failure` says: with a required sink that could not be opened
    /// (`require = "any"`: every enabled sink; `"all"`: any of them), or a `session-start`
    /// the required sinks did not accept, the shell refuses to start. A config that enables
    /// no sink at all is the administrator's choice to record nothing, and is not refused.
    fn start_or_refuse(&mut self, start: &Action<'_>) {
        let sinks = &self.w.sinks;
        if !sinks.any_enabled() {
            return;
        }
        let enabled = || ALL.iter().copied().filter(|&s| sinks.enabled(s));
        let missing = |s: SinkName| sinks.missing[sink::index(s)].is_some();
        let unopened = match self.w.config.require {
            crate::config::Require::Any => enabled().all(missing),
            crate::config::Require::All => enabled().any(missing),
        };
        if unopened {
            refuse_to_start(&cannot_write(|s| sinks.missing[sink::index(s)].as_deref()));
        }
        let mut guard = self.shared.lock();
        let (seq, d) = self.w.write_one(&mut guard, start, |_| true);
        let accepted = policy::accepted(self.w.config.require, &self.w.sinks, &d);
        self.w.handle_failures(&mut guard, seq, &d);
        if !accepted {
            drop(guard);
            refuse_to_start(&cannot_write(|s| d.error(s)));
        }
    }

    /// Note, for the parent that will wait for this forked child, that it became a program.
    fn mark_exec(&mut self, mark: u64) {
        let mut guard = self.shared.lock();
        guard.execs[(mark >> 1) as usize % shared::EXEC_SLOTS] = mark;
    }

    /// Write a record whatever the policy says (session start and end, command end).
    fn emit(&mut self, action: &Action<'_>) -> u64 {
        let mut guard = self.shared.lock();
        let (seq, d) = self.w.write_one(&mut guard, action, |_| true);
        self.w.handle_failures(&mut guard, seq, &d);
        seq
    }

    /// Write a record that may be refused: under `on_failure = "refuse"`, when the required
    /// sinks did not accept it, a `denied` record goes to whatever still works and the caller
    /// gets `Denied`.
    fn emit_checked(&mut self, action: &Action<'_>, exec_mark: Option<u64>) -> Result<u64, Denied> {
        let mut guard = self.shared.lock();
        if let Some(mark) = exec_mark {
            guard.execs[(mark >> 1) as usize % shared::EXEC_SLOTS] = mark;
        }
        let (seq, d) = self.w.write_one(&mut guard, action, |_| true);
        let accepted = policy::accepted(self.w.config.require, &self.w.sinks, &d);
        self.w.handle_failures(&mut guard, seq, &d);
        if accepted || self.w.config.on_failure == OnFailure::Warn {
            return Ok(seq);
        }
        let message = policy::denied_message(&d);
        let denied = Action::Denied {
            refused: action,
            reason: &message,
        };
        let failed = guard.failed;
        let (seq2, d2) = self
            .w
            .write_one(&mut guard, &denied, |s| failed[sink::index(s)] == 0);
        self.w.handle_failures(&mut guard, seq2, &d2);
        Err(Denied { message })
    }
}

impl Writer {
    /// Build, write and chain one record under the lock. The sequence and the chain advance
    /// whether or not a sink took the line, so that a lost record shows as a gap.
    fn write_one(
        &mut self,
        state: &mut shared::State,
        action: &Action<'_>,
        try_sink: impl Fn(SinkName) -> bool,
    ) -> (u64, Delivery) {
        let sequence = state.next_sequence;
        if !self.sinks.any_enabled() {
            // Auditing is off: there is nowhere to write, so nothing to build.
            return (sequence, Delivery::default());
        }
        let (secs, nanos) = clock::realtime();
        let day = mac::day_of(secs);
        if let Some(sealer) = self.sealer.as_mut() {
            if day > sealer.epoch() && sequence > 0 {
                // The key moves on (a session past midnight). Before any record is sealed
                // with the new key, one sealed with the old key says so: whoever takes the host
                // later holds only the new key, and cannot continue an earlier day's session
                // with records of their own.
                let old = sealer.epoch();
                let rollover = Action::KeyRollover {
                    next_epoch: day.min(mac::MAX_EPOCH),
                };
                let written =
                    self.write_sealed(state, &rollover, (secs, nanos), Some(old), &try_sink);
                self.side_records.push(written);
            }
        }
        let key_epoch = self.sealer.as_mut().map(|k| k.epoch_for(day));
        let written = self.write_sealed(state, action, (secs, nanos), key_epoch, &try_sink);
        if let Some((budget, bytes)) = self.budget_notice.take() {
            // Once per budget and session: later records are cut without a word.
            let failed = state.failed;
            let notice = Action::OverBudget { budget, bytes };
            let side = self.write_sealed(state, &notice, (secs, nanos), key_epoch, &|o| {
                failed[sink::index(o)] == 0
            });
            self.side_records.push(side);
        }
        written
    }

    /// `write_one` for a record sealed with the key of `key_epoch` (when there is a key).
    fn write_sealed(
        &mut self,
        state: &mut shared::State,
        action: &Action<'_>,
        (secs, nanos): (i64, u32),
        key_epoch: Option<u64>,
        try_sink: &impl Fn(SinkName) -> bool,
    ) -> (u64, Delivery) {
        let sequence = state.next_sequence;
        let prev = chain::hex64(&state.prev);
        let ts = clock::timestamp(secs, nanos);
        let header = Header {
            timestamp: clock::as_str(&ts),
            sequence,
            prev: std::str::from_utf8(&prev).unwrap_or(""),
            key_epoch,
        };
        // Past a budget the session stays past it: cut every record at once.
        let over_cap = budget::OVER_BUDGET_RECORD_BYTES.min(self.config.max_record_bytes);
        let cap = if state.over_budget != 0 {
            over_cap
        } else {
            self.config.max_record_bytes
        };
        record::encode(&mut self.buf, &self.fixed, &header, action, cap);
        if state.over_budget == 0 {
            if let Some((budget, bytes)) =
                budget::passed(&self.budgets, state.session_bytes, self.buf.len())
            {
                // The first record past a budget: the fixed fields, and the long text as its
                // SHA-256 and length; a notice follows it.
                record::encode(&mut self.buf, &self.fixed, &header, action, over_cap);
                state.over_budget = if budget == "session_bytes" { 1 } else { 2 };
                self.budget_notice = Some((budget, bytes));
            }
        }
        if let Some(sealer) = &self.sealer {
            sealer.seal(&mut self.buf);
        }
        let hash = chain::line_hash(&self.buf);
        self.buf.push(b'\n');
        let len = self.buf.len() as u64;
        state.session_bytes = state.session_bytes.saturating_add(len);
        if let Some(user) = &self.budgets.user {
            user.add_day_bytes(len);
        }
        let warning = matches!(action, Action::AuditFailure { .. } | Action::Denied { .. });
        let healthy = [state.failed[0] == 0, state.failed[1] == 0];
        // With `require = "any"` a record the spool takes is in the trail: its syslog copy can
        // wait for the batch the shell sends when it is about to block, off the exec path.
        let defer =
            self.defer_syslog && self.config.require == crate::config::Require::Any && healthy[0];
        if !defer && !self.deferred.is_empty() {
            // A copy sent now must not pass the ones still waiting.
            self.flush_syslog(state);
        }
        let d = self.sinks.write(
            &self.buf,
            warning,
            healthy,
            &mut state.spool_partial,
            defer,
            try_sink,
        );
        if defer && d.results[1].is_none() && self.sinks.syslog_queued() > self.deferred.len() {
            self.deferred.push(sequence);
        }
        if d.ok(SinkName::Spool) && self.config.spool.sync == SpoolSync::Record {
            if let Some(spool) = &mut self.sinks.spool {
                let _ = spool.sync();
            }
        }
        // Taken or not, the record keeps its place: a record no sink took is a gap in the
        // sequence, and the next one chains to the lost line.
        state.next_sequence = sequence + 1;
        state.prev = hash;
        (sequence, d)
    }

    /// Start and end failure episodes: a sink that failed for the first time gets one warning
    /// on stderr and an `audit-failure` record on the sinks that still work; a failed sink that
    /// took a record again gets a recovery record saying what it lost. `sequence`: the record
    /// `d` is about.
    fn handle_failures(&mut self, state: &mut shared::State, sequence: u64, d: &Delivery) {
        let mut notices: Vec<(SinkName, Notice)> = Vec::new();
        self.note_with_side_records(state, sequence, d, &mut notices);
        self.write_notices(state, notices);
    }

    /// Send the syslog copies waiting in the batch, in one go, and record what that shows of
    /// the sink's health: the copies before the first that failed reached syslog; that one
    /// and those after it are lost (the failure's notice says from where).
    fn flush_syslog(&mut self, state: &mut shared::State) {
        let Some(syslog) = self.sinks.syslog.as_mut() else {
            self.deferred.clear();
            return;
        };
        if self.deferred.is_empty() {
            return;
        }
        let sequences = std::mem::take(&mut self.deferred);
        let (sent, error) = syslog.flush(state.failed[1] == 0);
        let mut notices: Vec<(SinkName, Notice)> = Vec::new();
        for (i, &sequence) in sequences.iter().enumerate() {
            let result = match &error {
                _ if i < sent => Ok(()),
                Some(e) => Err(e.clone()),
                None => break,
            };
            let failed = result.is_err();
            let d = Delivery {
                results: [None, Some(result)],
            };
            note_changes(state, sequence, &d, &mut notices);
            if failed {
                break;
            }
        }
        self.write_notices(state, notices);
    }

    /// Write the notices of sinks that failed or recovered (and of what those records show
    /// in turn).
    fn write_notices(&mut self, state: &mut shared::State, mut notices: Vec<(SinkName, Notice)>) {
        // A sink starts failing at most once per episode and no notice is sent to a failed
        // sink, so this ends; the bound is a second guarantee.
        let mut rounds = 0;
        while !notices.is_empty() && rounds < 8 {
            rounds += 1;
            let (s, notice) = notices.remove(0);
            let located;
            let action = match &notice {
                Notice::Failed(e) => {
                    let working: Vec<SinkName> = ALL
                        .iter()
                        .copied()
                        .filter(|&o| {
                            o != s && self.sinks.enabled(o) && state.failed[sink::index(o)] == 0
                        })
                        .collect();
                    say(&policy::warning(
                        s,
                        e,
                        &working,
                        self.config.on_failure,
                        self.config.require,
                    ));
                    // The record names the file; the user's terminal does not.
                    located = match (s, &self.sinks.spool) {
                        (SinkName::Spool, Some(spool)) => {
                            format!("{}: {e}", spool.path().display())
                        }
                        _ => e.clone(),
                    };
                    Action::AuditFailure {
                        sink: s,
                        error: &located,
                    }
                }
                Notice::Recovered(lost) => Action::AuditRecovery {
                    sink: s,
                    lost: *lost,
                },
            };
            let failed = state.failed;
            let (seq, d2) = self.write_one(state, &action, |o| failed[sink::index(o)] == 0);
            self.note_with_side_records(state, seq, &d2, &mut notices);
        }
    }
}

impl Writer {
    /// `note_changes` for record `sequence` and the records written along with it, in
    /// sequence order.
    fn note_with_side_records(
        &mut self,
        state: &mut shared::State,
        sequence: u64,
        d: &Delivery,
        notices: &mut Vec<(SinkName, Notice)>,
    ) {
        if self.side_records.is_empty() {
            note_changes(state, sequence, d, notices);
            return;
        }
        let side = std::mem::take(&mut self.side_records);
        for (q, sd) in side.iter().filter(|(q, _)| *q < sequence) {
            note_changes(state, *q, sd, notices);
        }
        note_changes(state, sequence, d, notices);
        for (q, sd) in side.iter().filter(|(q, _)| *q > sequence) {
            note_changes(state, *q, sd, notices);
        }
    }
}

/// A change in a sink's health, to be recorded.
enum Notice {
    /// The sink failed (the error).
    Failed(String),
    /// The sink took a record again, after losing these.
    Recovered(record::Lost),
}

/// Failures and recoveries shown by the delivery of record `sequence`, recorded in the shared
/// state.
fn note_changes(
    state: &mut shared::State,
    sequence: u64,
    d: &Delivery,
    notices: &mut Vec<(SinkName, Notice)>,
) {
    for s in ALL {
        let i = sink::index(s);
        match (&d.results[i], state.failed[i]) {
            (Some(Err(e)), 0) => {
                state.failed[i] = 1;
                state.lost_from[i] = sequence;
                notices.push((s, Notice::Failed(e.clone())));
            }
            (Some(Ok(())), f) if f != 0 => {
                state.failed[i] = 0;
                let lost = record::Lost {
                    count: sequence.saturating_sub(state.lost_from[i]),
                    first_sequence: state.lost_from[i],
                };
                notices.push((s, Notice::Recovered(lost)));
            }
            _ => {}
        }
    }
}

// The session's tests check the trail with the shipped verifier, which is the tool's.
#[cfg(all(test, feature = "tool"))]
mod tests;
