//! The record schema: what each event is and what each of its fields means. A record is one
//! JSON object on one line, with Elastic Common Schema field names ([`ECS_VERSION`]) as nested
//! objects, following ECS's process model (the fields Kibana's Session View draws a session's
//! process tree from); what ECS has no field for lives under `auditsh`, and `user.audit` is
//! the login user as Elastic's auditd integration names it. `schema/record.schema.json` is the
//! same contract as a JSON Schema. `encode` writes it (in the field
//! order its comment gives); this file is where the names and their meanings live. A field
//! marked `?` is left out when it does not apply or is not known.
//!
//! # In every record
//!
//! - `@timestamp`: when the record was written, UTC, to the microsecond
//!   (`2026-11-21T13:04:48.752211Z`).
//! - `ecs.version`: [`ECS_VERSION`].
//! - `event.kind`: `event`. `event.category`, `event.type`: one value each, by event (below).
//!   `event.action`: the event's name ([`Action::name`]).
//! - `event.sequence`: the record's place in its session, 0, 1, 2 …: one sequence for the
//!   shell and its forked children. A record that no sink took still takes its number, so that
//!   a loss shows as a gap. `event.id`: `<auditsh.session>-<event.sequence>`.
//! - `message`: one line for people: `user@host tty: ` (the user name, or the uid; the tty
//!   without `/dev/`, and no tty without a terminal) and what happened, as each event says
//!   below. Text taken from the command line, the program and its arguments, or an error is
//!   cut to `encode::MESSAGE_TEXT_MAX` bytes, with `...` where it was cut.
//! - `host.hostname`.
//! - `user.id`, `user.name`?: the real user; `user.effective.id`, `user.effective.name`?: the
//!   effective user; `user.audit.id`, `user.audit.name`?: the login user the kernel keeps
//!   across `su` and `sudo` (`/proc/self/loginuid`), no `user.audit` when it is unset.
//!   `group.id`, `group.name`?: the real group. Ids are decimal strings, as in ECS; a name is
//!   left out when it cannot be looked up.
//! - `process.*`: the process the record is about. In `exec` and `end` records, the program
//!   (below). In every other record, the session's shell: `process.pid` (the process that
//!   wrote the record: the shell, or a forked child of it, a subshell or a part of a pipeline,
//!   which is part of the shell here), `process.entity_id` (`<session>-p0`), `process.start`
//!   (when the session started), `process.name` (argv\[0\]'s file name, without a login
//!   shell's `-`), `process.executable`? (`/proc/self/exe`), `process.interactive` (the shell
//!   reads commands at a prompt), `process.tty.char_device.{major,minor}`? (the terminal it
//!   runs on), `process.parent.pid` (the writing process's parent).
//! - `process.entry_leader.*` and `process.session_leader.*`: the session's shell, the same
//!   in every record: `entity_id`, `pid`, `start`, `name`, `executable`?, `args` (at most
//!   `identity::LEADER_ARGS_MAX` bytes of them, the last cut one ending in `...`),
//!   `args_count`, `working_directory`? (where the session started), `interactive`,
//!   `user.{id, name?}` (the real user), `tty`?, and `same_as_process` (true in the shell's own
//!   records). `process.entry_leader.entry_meta.type`: how the session was entered, from the
//!   parent's name (`auditsh.parent_trusted` says whether that name can be believed) and the
//!   terminal: `sshd` (sshd or sshd-session), `console` (login on a console), `terminal`
//!   (login elsewhere, or any parent with a terminal), `su` (su, runuser), `sudo`, `cron`
//!   (cron, crond, anacron, atd), `init` (a parent of pid 1), `unknown`;
//!   `entry_meta.source.ip`?: the SSH client, as `source.ip`. Whether or not the shell is the
//!   kernel's session leader (a login through sshd makes it one; `auditsh -c` from a terminal
//!   does not), `session_leader` names the shell: the audited session is what it leads.
//! - `source.ip`, `source.port`?: the client of a remote login; no `source` otherwise. The
//!   installed shell takes them from the PAM module's facts of its login (`pam_auditsh.so`,
//!   keyed by the kernel audit session, readable only by the audit account) when there are
//!   current ones, else from `SSH_CONNECTION`, which the user can set. `source.domain`?: the
//!   remote host as PAM gave it (`PAM_RHOST`) when that is a name, not an address (no DNS
//!   lookup is made). `auditsh.source_from`?: where `source` came from, `pam` or
//!   `environment` (with a `source` only).
//! - `auditsh.version`: [`SCHEMA_VERSION`]. `auditsh.session`: the session's id, 32 random hex
//!   digits. `auditsh.audit_session`?: the kernel's audit session (`/proc/self/sessionid`),
//!   when set. `auditsh.tty`?: the terminal on standard input, output or error
//!   (`/dev/pts/3`). `auditsh.mode`: how the shell reads its commands ([`Mode`]).
//! - `auditsh.prev`: the SHA-256 (hex) of the session's previous line as written, without its
//!   newline and with its MAC; 64 zeros for sequence 0 (`chain`). A line no sink took is
//!   chained all the same.
//! - `auditsh.lossy`?: `true` when some text of the record was not UTF-8 (Strings, below).
//! - `auditsh.truncated`?, `auditsh.full`?: the record was cut to fit (Size, below).
//! - `auditsh.key_epoch`?, `auditsh.mac`?: a sealed record's last two fields, so that the MAC
//!   covers every byte before it: the UTC day of the key that sealed it (days since
//!   1970-01-01), and the HMAC-SHA-256 (hex) of the line up to `,"mac":"` (`mac` says how the
//!   key is kept). A record written without a key has neither.
//!
//! # The events
//!
//! Each is an [`Action`]; `event.category`/`event.type` after its name.
//!
//! - `session-start` (`session`/`start`): the session began. `process.args`,
//!   `process.args_count`: the shell's own argv. `process.parent.name`?: the parent's name
//!   (`/proc/PPID/comm`), and beside it `auditsh.parent_trusted`: a process's name is the file
//!   name it was exec'd by, or what it set, so whoever started it chose it; `true` only when the
//!   parent runs with root's real uid (`/proc/PPID/status`) and the session user is not root,
//!   `false` for a parent started by the user or another unprivileged user, or that cannot be
//!   looked at. `auditsh.login`: a login shell. `auditsh.pam_session`?: the PAM module's
//!   session of this login (the `auditsh.session` of its `pam-session-open`), when the
//!   installed shell found the module's current facts. `auditsh.start_waited_ms`?: how long the start waited
//!   for the user's session rate (`limits.sessions_per_second`). Message: `session start`, or
//!   `login session start`.
//! - `command`, start (`process`/`start`): a command line is about to run; written before
//!   anything in it runs. `process.command_line`: its text as read. `process.working_directory`?:
//!   the physical working directory, getcwd(2) when the record is written (left out when it
//!   cannot be known); `auditsh.logical_cwd`?: the shell's `$PWD` when that differs (a
//!   directory renamed under the shell, or entered through a symlink). `auditsh.script`? (`path`,
//!   `sha256`): in script mode, the script and the SHA-256 of its contents. Message: the text.
//! - `command`, end (`process`/`end`): that command line finished. `process.exit_code`;
//!   `event.duration` (nanoseconds); `event.outcome`: `success` for status 0 not killed,
//!   `failure` otherwise; `auditsh.command`: the `event.id` of its start record;
//!   `auditsh.signal`?: the signal that killed it, without `SIG` ([`signal_name`]; `UNKNOWN`
//!   for one without a name). Message: `command exit N`, or `command killed by KILL`.
//! - `exec` (`process`/`start`): a program is about to start; written before its first
//!   instruction, also in pipelines, subshells and command substitutions, by the process that
//!   becomes the program (a spawned program's record is written by the spawning child, after
//!   the clone and before the `execve`, so that it knows its pid). The program: `process.pid`
//!   (its own), `process.entity_id` (`<session>-p<n>`; under a forked child's own id
//!   `<its id>.<n>`: numbered by the process that makes it, so that no two share one and none
//!   needs a lock), `process.start` (when the shell made the process), `process.name` (the
//!   executable's file name), `process.interactive` (its standard input and error are the
//!   session's terminal; then also `process.tty`), `process.parent.pid` and
//!   `process.parent.entity_id` (the shell, by the pid of the process that started it and by
//!   the shell's entity), `process.group_leader` (the program itself when it leads a job of
//!   its own, `same_as_process` true; the session's shell, described as a leader; or another
//!   process: a pipeline's first, by `pid` and `entity_id`, or one outside the session, by
//!   `pid` alone). `process.executable`: the path it is
//!   run by, made absolute against the physical working directory (`./x` in /tmp/real is
//!   `/tmp/real/x`). `process.args`, `process.args_count`: its argv, argv\[0\] included.
//!   `process.working_directory`?, `auditsh.logical_cwd`?: as in a `command` start.
//!   `auditsh.command`?: the `event.id` of the command line it belongs to. `auditsh.source`?
//!   (`file`, `line`): the startup file and line it came from (commands of startup files have
//!   no `command` records). `auditsh.executable`? (`device`, `inode`, `target`?): the file that
//!   path names when the record is written, its device and inode as decimal strings (as ECS's
//!   `file.device`/`file.inode`, `stat -c %d` and `%i`), and its resolved path when that is not
//!   `process.executable` (a symlink on the way, `.` or `..`); left out when the file cannot be
//!   opened (the exec then fails). Message: the path and the arguments after argv\[0\].
//! - `end` (`process`/`end`, with `record_exit`): a program the shell waited for ended, or one
//!   never started. The program's `process.pid`, `entity_id`, `start`, `parent`,
//!   `group_leader`, `interactive` as in its `exec` record; `process.end` (the record's time);
//!   `process.exit_code` (128 + the signal when killed); `event.duration` (nanoseconds from
//!   `start`); `event.outcome` (`success` for 0 not killed); `auditsh.command`?; `auditsh.signal`?
//!   (as in a `command` end); `process.executable` and `process.name`, when the waiting process
//!   knows them (it spawned the program; a pipeline's member exec'd in a forked child is known
//!   by its `exec` record). A program that never started: `event.outcome` `failure`,
//!   `process.exit_code` 127 (not found) or 126, `error.code` (the errno's name: `ENOENT`,
//!   `EACCES`, `E2BIG`, `ENOMEM`, ...) and `error.message`; a name not found in PATH has no
//!   `exec` record and no `process.pid`, and carries `process.args` and `process.name`
//!   (argv\[0\]). Message: `NAME exit N`, `NAME killed by KILL`, or `NAME not started:
//!   MESSAGE`.
//! - `session-end` (`session`/`end`): the session ended, written once, by the shell that
//!   started it. `process.exit_code`?: the shell's exit status, when it has one;
//!   `event.duration` (nanoseconds); `auditsh.end_reason` ([`EndReason`]). Message:
//!   `session end (REASON) exit N`, without ` exit N` when there is no status.
//! - `audit-failure`, four kinds:
//!   - a sink failed (`session`/`error`): `auditsh.sink` ([`SinkName`]), `error.message` (for
//!     the spool, naming the file). Written once when the sink starts failing, to the sinks
//!     that still work. Message: `audit sink SINK failed: ERROR`.
//!   - a failed sink took a record again (`session`/`info`): `auditsh.sink`,
//!     `auditsh.recovered: true`, and `auditsh.lost` (`count`, `first_sequence`): the records
//!     F to F+N-1 that sink did not take. Each of them still took its sequence number, so the
//!     sink's copy shows exactly that gap. Message: `audit sink SINK recovered (N records
//!     lost from sequence F)`.
//!   - records go out without a MAC, or the key state could not be written back
//!     (`session`/`error`): `auditsh.sink: "mac"`, `error.message` saying why. Message:
//!     `audit key: ERROR`.
//!   - the session passed a byte budget of `[limits]` (`session`/`error`): `auditsh.budget`
//!     (`name`: `session_bytes` or `user_day_bytes`; `bytes`: its size). From here on its
//!     records are cut as an oversized one is, to at most `budget::OVER_BUDGET_RECORD_BYTES`.
//!     Message: `audit budget NAME (N bytes) passed: …`.
//! - `key-rollover` (`session`/`change`): the session's record key moves on to a later day's
//!   (a session past midnight). Written before the first record sealed with the new key, and
//!   sealed with the old one: its `auditsh.key_epoch` is the old day, its `@timestamp` the
//!   new. `auditsh.next_key_epoch`: the new day. Message: `record key moves on to DATE`.
//! - `pam-session-open` (`session`/`start`), `pam-session-close` (`session`/`end`): written
//!   by the PAM module (`pam_auditsh.so`) when the application (sshd, login, su ...) opens and
//!   closes the login's PAM session: the two are a session of their own (`auditsh.mode`
//!   `pam`, the open at sequence 0 and the close last, chained and sealed as the shell's),
//!   complete with its close, open while the process that opened it lives.
//!   `process.*`: the process that ran the PAM stack (`user.*` is its user, `user.audit` the
//!   login's). `auditsh.pam.service`, `.user`?, `.ruser`?, `.tty`?: PAM's items;
//!   `source.ip` from `PAM_RHOST` when it is an address (`source.port` when the application
//!   exported `SSH_CONNECTION` into PAM's environment), else `source.domain`. Message:
//!   `pam session open (SERVICE)` or `pam session close (SERVICE)`.
//! - `denied` (`process`/`denied`): under `on_failure = "refuse"`, a command line or a program
//!   that did not run because the required sinks did not take its record. It carries the fields
//!   of what was refused (a `command` start or an `exec`) and `error.message` saying why.
//!   Message: `denied: ` and the refused record's.
//!
//! # Strings
//!
//! Valid UTF-8 is kept; a byte that is not becomes `\xNN` and the record carries
//! `auditsh.lossy: true`. In a record so marked every string taken from bytes (message,
//! command line, arguments, paths, names, error text) is in the lossy form, where a backslash
//! of the text is written as two: the byte 0xff reads `\xff`, the typed text `\xff` reads
//! `\\xff` (`text::decode_lossy` gives the bytes back). A record not marked lossy carries its
//! text exactly. Besides JSON's own escapes, DEL, the C1 controls, the bidirectional marks,
//! embeddings, overrides and isolates, and the line and paragraph separators are written as
//! `\uXXXX`, so that no viewer shows other text than the record holds; a JSON parser reads back
//! the exact characters.
//!
//! # Size
//!
//! A record with its newline fits `max_record_bytes`. One that would not keeps its fixed
//! fields and cuts its payload (`process.command_line`, or `process.args` from the end); when
//! even no payload at all is too much, it also cuts every other string to
//! `encode::OTHER_TEXT_MAX` bytes. A record
//! so cut says `auditsh.truncated: true` and, when it has a payload, `auditsh.full` (`field`:
//! `process.command_line` or `process.args`; `sha256`: the hex SHA-256 of the full value;
//! `length`: its length in bytes). The full value of `process.args` is the arguments each
//! followed by a NUL byte, as in `/proc/PID/cmdline`. `process.args_count` always counts them
//! all.

pub const ECS_VERSION: &str = "9.4.0";
/// `auditsh.version`: the record schema version.
pub const SCHEMA_VERSION: u32 = 2;

/// How the shell reads its commands (`auditsh.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// With a prompt: standard input and error are a terminal, or `-i`.
    Interactive,
    /// The `-c` string.
    Command,
    /// A script file (`auditsh FILE`).
    Script,
    /// Commands from standard input, without a prompt (`ssh host < script`).
    Stdin,
    /// Not a shell: the PAM module's records of a login (`pam-session-open`/`-close`).
    Pam,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Interactive => "interactive",
            Mode::Command => "command",
            Mode::Script => "script",
            Mode::Stdin => "stdin",
            Mode::Pam => "pam",
        }
    }
}

/// Why a session ended (`auditsh.end_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// `exit`, or the end of the `-c` string or the script.
    Exit,
    /// The end of standard input (Ctrl-D at the prompt).
    Eof,
    /// `exec` replaced the shell with a program.
    Exec,
    /// The terminal hung up (SIGHUP).
    Hangup,
    /// An error or a fatal signal ended it (a syntax error in a script, SIGTERM, an internal
    /// error).
    Error,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Exit => "exit",
            EndReason::Eof => "eof",
            EndReason::Exec => "exec",
            EndReason::Hangup => "hangup",
            EndReason::Error => "error",
        }
    }
}

/// The sinks, as `auditsh.sink` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkName {
    Spool,
    Syslog,
}

impl SinkName {
    pub fn as_str(self) -> &'static str {
        match self {
            SinkName::Spool => "spool",
            SinkName::Syslog => "syslog",
        }
    }
}

/// What a record is about: one variant an event (the module's list says which fields each
/// fills), borrowed from the caller.
#[derive(Clone, Copy)]
pub enum Action<'a> {
    /// `session-start`.
    SessionStart {
        /// `auditsh.login`.
        login: bool,
        /// The shell's argv: `process.args`, `process.args_count`.
        args: &'a [Vec<u8>],
        /// `auditsh.pam_session`.
        pam_session: Option<&'a str>,
        /// How long the start waited for the user's session rate (`limits`), in ms:
        /// `auditsh.start_waited_ms`.
        waited_ms: Option<u64>,
    },
    /// `command`, start.
    CommandStart {
        /// `process.command_line`.
        text: &'a [u8],
        /// The physical working directory (empty: unknown): `process.working_directory`.
        cwd: &'a [u8],
        /// Script path and the hex SHA-256 of its contents: `auditsh.script`.
        script: Option<(&'a [u8], &'a str)>,
        /// The shell's logical working directory, when it is not `cwd`: `auditsh.logical_cwd`.
        logical_cwd: Option<&'a [u8]>,
    },
    /// `command`, end.
    CommandEnd {
        /// The sequence of the command line's start record: `auditsh.command`.
        command: u64,
        /// `event.duration`.
        duration_ns: u64,
        /// `process.exit_code`.
        exit_code: i32,
        /// `auditsh.signal`.
        signal: Option<i32>,
    },
    /// `exec`.
    Exec {
        /// The program as a process.
        program: Program<'a>,
        /// The absolute path the program is run by: `process.executable`.
        executable: &'a [u8],
        /// `process.args`, `process.args_count`.
        argv: &'a [Vec<u8>],
        /// The physical working directory (empty: unknown): `process.working_directory`.
        cwd: &'a [u8],
        /// The startup file and line: `auditsh.source`.
        origin: Option<(&'a [u8], u32)>,
        /// The sequence of the command line's start record: `auditsh.command`.
        command: Option<u64>,
        /// The shell's logical working directory, when it is not `cwd`: `auditsh.logical_cwd`.
        logical_cwd: Option<&'a [u8]>,
        /// The file that path names, when it could be looked at: `auditsh.executable`.
        file: Option<FileId<'a>>,
    },
    /// `end`: a program the shell waited for ended, or one that never started.
    End {
        /// The program as its `exec` record described it (`pid` None: it never started).
        program: Program<'a>,
        /// `process.executable` (and `process.name`), when known to the process that waited.
        executable: Option<&'a [u8]>,
        /// `process.args` of a program that never started (there is no `exec` record to
        /// name it).
        argv: Option<&'a [Vec<u8>]>,
        /// `process.exit_code`.
        exit_code: i32,
        /// `auditsh.signal`.
        signal: Option<i32>,
        /// `event.duration`: from the program's start to its end.
        duration_ns: u64,
        /// The sequence of the command line's start record: `auditsh.command`.
        command: Option<u64>,
        /// Why it never started: `error.code` (the errno's name, or `ENOENT` for a name not
        /// found in PATH) and `error.message`.
        error: Option<(&'a str, &'a str)>,
    },
    /// `session-end`.
    SessionEnd {
        /// `process.exit_code`.
        exit_code: Option<i32>,
        /// `event.duration`.
        duration_ns: u64,
        /// `auditsh.end_reason`.
        reason: EndReason,
    },
    /// `audit-failure`: a sink failed (`auditsh.sink`, `error.message`).
    AuditFailure { sink: SinkName, error: &'a str },
    /// `audit-failure` with `auditsh.recovered`: a failed sink took a record again.
    AuditRecovery {
        sink: SinkName,
        /// The records that sink did not take during the failure episode: `auditsh.lost`.
        lost: Lost,
    },
    /// Records go out without a MAC, or the key state could not be written back (`mac`):
    /// an `audit-failure` with `auditsh.sink: "mac"` and `error.message`.
    KeyFailure { error: &'a str },
    /// The session's record key moves on to a later day's (`mac`): written, before any record
    /// sealed with the new key, sealed with the old one, so that only a holder of the earlier
    /// key can continue a session into a later day. `key-rollover`.
    KeyRollover {
        /// `auditsh.next_key_epoch`.
        next_epoch: u64,
    },
    /// The session passed a byte budget (`limits`): records from here on keep their fixed
    /// fields and truncate their text. An `audit-failure` with `auditsh.budget`.
    OverBudget {
        /// The config key (`session_bytes`, `user_day_bytes`): `auditsh.budget.name`.
        budget: &'static str,
        /// The budget: `auditsh.budget.bytes`.
        bytes: u64,
    },
    /// `pam-session-open` (`open`) or `pam-session-close`: the PAM module's session of a login
    /// (`auditsh.pam.*`).
    PamSession { open: bool, pam: PamItems<'a> },
    /// `denied`: the refused action (a `CommandStart` or an `Exec`), whose fields the record
    /// carries, and why (`error.message`).
    Denied {
        refused: &'a Action<'a>,
        reason: &'a str,
    },
}

/// What PAM says of a login (`auditsh.pam.*`): its items as the application set them.
#[derive(Debug, Clone, Copy, Default)]
pub struct PamItems<'a> {
    /// `PAM_SERVICE`: `auditsh.pam.service`.
    pub service: Option<&'a str>,
    /// `PAM_USER`: `auditsh.pam.user`.
    pub user: Option<&'a str>,
    /// `PAM_RUSER`: `auditsh.pam.ruser`.
    pub ruser: Option<&'a str>,
    /// `PAM_TTY`: `auditsh.pam.tty`.
    pub tty: Option<&'a str>,
}

/// A program as its `exec` and `end` records describe it (`process.*`).
#[derive(Debug, Clone, Copy)]
pub struct Program<'a> {
    /// `process.entity_id`.
    pub entity: &'a str,
    /// `process.pid`; None where it is not known (a program that never started; an `exec`
    /// record the spawning child completes with the pid).
    pub pid: Option<u32>,
    /// `process.start`: when the shell made the process.
    pub start: &'a str,
    /// `process.parent.pid`: the shell (or subshell) that started it.
    pub parent_pid: u32,
    /// `process.interactive`: its standard input and error are the session's terminal
    /// (`process.tty` then names it).
    pub interactive: bool,
    /// `process.group_leader`.
    pub group_leader: GroupLeader<'a>,
}

/// The leader of a program's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupLeader<'a> {
    /// The program leads its own group (a job under job control).
    Itself,
    /// The session's shell.
    Shell,
    /// Another process: a pipeline's first process (with its entity id), or one outside the
    /// session (none).
    Other { pid: u32, entity: Option<&'a str> },
}

/// The file an `exec` runs (`auditsh.executable.*`): its device and inode numbers, and its
/// resolved path when that is not the path the program is run by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId<'a> {
    pub device: u64,
    pub inode: u64,
    pub target: Option<&'a [u8]>,
}

/// What a sink lost in a failure episode (`auditsh.lost`): the records from `first_sequence`
/// on that it did not take, `count` of them, up to the record it took again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    pub count: u64,
    pub first_sequence: u64,
}

/// Per-record values the session supplies.
pub struct Header<'a> {
    /// `@timestamp`.
    pub timestamp: &'a str,
    /// `event.sequence`.
    pub sequence: u64,
    /// Hex SHA-256 of the previous line: `auditsh.prev`.
    pub prev: &'a str,
    /// `auditsh.key_epoch`: the epoch of the key the record will be sealed with (`mac`), or
    /// `None` for a record written without a MAC.
    pub key_epoch: Option<u64>,
}

impl Action<'_> {
    /// `event.action`.
    pub fn name(&self) -> &'static str {
        match self {
            Action::SessionStart { .. } => "session-start",
            Action::CommandStart { .. } | Action::CommandEnd { .. } => "command",
            Action::Exec { .. } => "exec",
            Action::End { .. } => "end",
            Action::SessionEnd { .. } => "session-end",
            Action::AuditFailure { .. }
            | Action::AuditRecovery { .. }
            | Action::KeyFailure { .. }
            | Action::OverBudget { .. } => "audit-failure",
            Action::KeyRollover { .. } => "key-rollover",
            Action::Denied { .. } => "denied",
            Action::PamSession { open: true, .. } => "pam-session-open",
            Action::PamSession { open: false, .. } => "pam-session-close",
        }
    }

    /// `event.category`.
    pub fn category(&self) -> &'static str {
        match self {
            Action::SessionStart { .. }
            | Action::SessionEnd { .. }
            | Action::AuditFailure { .. }
            | Action::AuditRecovery { .. }
            | Action::KeyFailure { .. }
            | Action::OverBudget { .. }
            | Action::KeyRollover { .. }
            | Action::PamSession { .. } => "session",
            _ => "process",
        }
    }

    /// `event.type`.
    pub fn event_type(&self) -> &'static str {
        match self {
            Action::SessionStart { .. }
            | Action::CommandStart { .. }
            | Action::Exec { .. }
            | Action::PamSession { open: true, .. } => "start",
            Action::PamSession { open: false, .. } => "end",
            Action::CommandEnd { .. } | Action::End { .. } | Action::SessionEnd { .. } => "end",
            Action::AuditFailure { .. } | Action::KeyFailure { .. } | Action::OverBudget { .. } => {
                "error"
            }
            Action::KeyRollover { .. } => "change",
            Action::AuditRecovery { .. } => "info",
            Action::Denied { .. } => "denied",
        }
    }
}

/// Signal names for `auditsh.signal`: the classic ones (a realtime signal has none here).
pub fn signal_name(sig: i32) -> Option<&'static str> {
    crate::sys::signal::classic_name(sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(crate::sys::signal::SIGKILL), Some("KILL"));
        assert_eq!(signal_name(crate::sys::signal::SIGTERM), Some("TERM"));
        assert_eq!(signal_name(1000), None);
        assert_eq!(signal_name(crate::sys::signal::SIGRTMIN() + 1), None);
    }
}
