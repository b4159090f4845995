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
pub mod pam;
pub mod place;
pub mod policy;
pub mod privilege;
pub mod process;
pub mod record;
pub mod shared;
pub mod sink;
pub mod text;
mod writer;

use crate::config::{Config, OnFailure, SpoolSync};
use identity::Identity;
use process::Running;
pub use process::{Leader, NewProcess, Origin, Starting};
use record::{Action, Fixed, SinkName};
pub use record::{EndReason, GroupLeader, Mode};
use sha2::{Digest, Sha256};
use shared::Shared;
use sink::{spool::Spool, syslog::Syslog, Sinks, ALL};
use std::cell::RefCell;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::RawFd;
use std::path::PathBuf;
use std::rc::{Rc, Weak};
use writer::Writer;

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
    /// A spawned file the kernel would not run, about to be run as a script by a subshell
    /// (`process::Session::spawned_as_script`).
    script: Option<Running>,
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
    /// Why the spool file is not in the day's own directory (`Spool::open`).
    spool_detour: Option<String>,
    /// The PAM module's current facts of this login (installed shell only).
    pam_facts: Option<pam::Facts>,
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
        let mut spool_detour = None;
        if config.spool.enabled {
            // The notice is for someone running a checkout on its default spool; a config
            // that names the directory was written by someone who knows where it is.
            let default_dir = config.spool.dir.is_none();
            let dir = match config.spool.dir.clone() {
                Some(dir) => Ok(dir),
                None => crate::config::default_spool_dir(secure),
            };
            // A development build never writes into the installed spool (see
            // `config::default_spool_dir`), not even when a config names it.
            let dir = dir.and_then(|dir| {
                if !secure && crate::config::is_installed_spool(&dir) {
                    Err(format!(
                        "{}: the installed spool, which only the installed (setuid) shell writes; a development build needs its own ([spool] dir in the file AUDITSH_CONFIG names)",
                        dir.display()
                    ))
                } else {
                    Ok(dir)
                }
            });
            match dir.and_then(|dir| {
                Spool::open(&dir, &clock::date(now), &session, secure).map(|o| (dir, o))
            }) {
                Ok((dir, opened)) => {
                    if !secure
                        && default_dir
                        && (opened.created_dir || info.mode == Mode::Interactive)
                    {
                        say(&format!(
                            "auditsh: audit records go to {}, which is not protected (auditsh is not installed setuid)\n",
                            dir.display()
                        ));
                    }
                    spool_detour = opened.detour;
                    sinks.spool = Some(opened.spool);
                }
                Err(e) => sinks.missing[sink::index(SinkName::Spool)] = Some(e),
            }
        }
        open_syslog(&config, &mut sinks);
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
        // Readable only with the audit group: looked at before the drop. A shell run from a
        // checkout takes nothing from there (its records are the user's anyway).
        let pam_facts = if secure { pam::current_facts() } else { None };
        Opened {
            pam_facts,
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
            spool_detour,
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
        let mut identity = Identity::gather(ssh.as_ref().map(|s| s.as_bytes()), facts);
        if let Some(f) = &self.pam_facts {
            pam::apply(&mut identity, f);
        }
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
            script: None,
            group_leader: None,
        });
        let start = Action::SessionStart {
            login: self.info.login,
            args: self.info.args,
            pam_session: self.pam_facts.as_ref().map(|f| f.pam_session.as_str()),
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
        if let Some(detour) = &self.spool_detour {
            say(&format!("auditsh: audit: spool: {detour}\n"));
            inner.emit(&Action::AuditFailure {
                sink: SinkName::Spool,
                error: detour,
            });
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
        // `exec` ends the session before it replaces the shell; when the exec then fails,
        // the shell exits, and the session has already said how it ended.
        if inner.ended {
            return;
        }
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
            // The subshell that runs a script is the program its `exec` record named.
            let script = inner
                .script
                .take()
                .is_some_and(|s| s.process.entity == me.entity);
            inner.entity_prefix.clear();
            inner.entity_prefix.push_str(&me.entity);
            inner.entity_prefix.push('.');
            inner.next_child = 1;
            inner.own = Some(me);
            inner.running.clear();
            // The parent sends the copies it was holding. A child sends its own at once, under
            // the session's lock, so that the records of a pipeline's members reach syslog in
            // their order (a child gains nothing by holding them: one that execs a program
            // would send them before the exec anyway).
            inner.w.deferred.clear();
            inner.w.defer_syslog = false;
            inner.shared.share();
            inner.w.identity.refresh_pids();
            inner.w.fixed = Fixed::new(&inner.w.identity, inner.w.fixed.session(), inner.w.mode);
            if script {
                let entity = inner.entity_prefix.trim_end_matches('.').to_string();
                inner.w.fixed.set_program_parent(&entity);
            }
            if let Some(s) = &mut inner.w.sinks.syslog {
                s.forget_batch();
            }
        }
    }

    /// The shell is about to fork a child that may write records too: from now on records
    /// are written under the session's lock.
    pub fn before_fork(&mut self) {
        if let Some(cell) = &self.inner {
            let inner = &mut *cell.borrow_mut();
            inner.shared.share();
            // The child's records go to syslog as it writes them; the copies held here go
            // first, so that syslog gets the session's records in order (but for children
            // running at the same time as the shell goes on).
            let mut guard = inner.shared.lock();
            inner.w.flush_syslog(&mut guard);
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

    /// A redirection names `fd`, one of [`Audit::owned_fds`]: move it to another descriptor,
    /// as bash moves its own out of a script's way. False when the audit does not hold `fd`
    /// or there is no room elsewhere (the redirection then fails).
    pub fn release_fd(&self, fd: RawFd) -> bool {
        let Some(cell) = &self.inner else {
            return false;
        };
        let inner = &mut *cell.borrow_mut();
        if let Some(new) = inner.w.sinks.relocate(fd) {
            // The spool's descriptor is also the lock of the session's shared state.
            inner.shared.relocate(fd, Some(new));
            return true;
        }
        inner.shared.relocate(fd, None).is_some()
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

/// Open the syslog sink when the config enables it.
fn open_syslog(config: &Config, sinks: &mut Sinks) {
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

// The session's tests check the trail with the shipped verifier, which is the tool's.
#[cfg(all(test, feature = "tool"))]
mod tests;
