//! The record schema: every field a record can carry, as serde structs that mirror the JSON
//! (ECS 8.x nested objects; what ECS lacks lives under `auditsh`). The contract is
//! `audit-records.md`; this file is where the names live.
//!
//! Field names chosen here where the spec is silent:
//!
//! - `auditsh.source.file` / `auditsh.source.line`: the startup file and line an `exec` came
//!   from (the shell's `Origin`).
//! - `auditsh.truncated: true` with `auditsh.full.field` (the truncated field's name, e.g.
//!   `"process.command_line"` or `"process.args"`), `auditsh.full.sha256` (hex SHA-256 of the
//!   full value) and `auditsh.full.length` (its length in bytes). For `process.args` the full
//!   value is the arguments each followed by a NUL byte, as in `/proc/PID/cmdline`.
//! - `denied` records carry what was refused (the command line, or the program with its
//!   arguments) and `error.message` saying why.
//! - a recovered sink is an `audit-failure` record with `event.type: ["info"]`, its
//!   `auditsh.sink` and `auditsh.recovered: true`.
//! - `auditsh.pam_session` is part of the schema, written once the PAM module hands one over.
//!
//! Records are serialized by [`encode`] into a buffer reused across records; the structs
//! borrow everything (identity strings, argv bytes) so that nothing is copied per record.

use super::identity::Identity;
use super::text::{self, Args, Lossy, Text};
use super::{EndReason, Mode};
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

pub const ECS_VERSION: &str = "8.11.0";
/// `auditsh.version`: the record schema version.
pub const SCHEMA_VERSION: u32 = 1;
/// `message` keeps at most this many bytes of command text.
pub const MESSAGE_TEXT_MAX: usize = 200;
/// When a record is too large even with its payload dropped, other strings keep this many.
pub const OTHER_TEXT_MAX: usize = 256;

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

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Interactive => "interactive",
            Mode::Command => "command",
            Mode::Script => "script",
            Mode::Stdin => "stdin",
        }
    }
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

/// What a record is about: the per-action input, borrowed from the caller.
#[derive(Clone, Copy)]
pub enum Action<'a> {
    SessionStart {
        login: bool,
        args: &'a [Vec<u8>],
        pam_session: Option<&'a str>,
    },
    CommandStart {
        text: &'a [u8],
        cwd: &'a [u8],
        /// Script path and the hex SHA-256 of its contents.
        script: Option<(&'a [u8], &'a str)>,
    },
    CommandEnd {
        command: u64,
        duration_ns: u64,
        exit_code: i32,
        signal: Option<i32>,
    },
    Exec {
        executable: &'a [u8],
        argv: &'a [Vec<u8>],
        cwd: &'a [u8],
        origin: Option<(&'a [u8], u32)>,
        command: Option<u64>,
    },
    SessionEnd {
        exit_code: Option<i32>,
        duration_ns: u64,
        reason: EndReason,
    },
    AuditFailure {
        sink: SinkName,
        error: &'a str,
    },
    AuditRecovery {
        sink: SinkName,
    },
    /// The refused action (a `CommandStart` or an `Exec`) and why.
    Denied {
        refused: &'a Action<'a>,
        reason: &'a str,
    },
}

impl Action<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Action::SessionStart { .. } => "session-start",
            Action::CommandStart { .. } | Action::CommandEnd { .. } => "command",
            Action::Exec { .. } => "exec",
            Action::SessionEnd { .. } => "session-end",
            Action::AuditFailure { .. } | Action::AuditRecovery { .. } => "audit-failure",
            Action::Denied { .. } => "denied",
        }
    }

    fn category(&self) -> &'static str {
        match self {
            Action::SessionStart { .. }
            | Action::SessionEnd { .. }
            | Action::AuditFailure { .. }
            | Action::AuditRecovery { .. } => "session",
            _ => "process",
        }
    }

    fn event_type(&self) -> &'static str {
        match self {
            Action::SessionStart { .. } | Action::CommandStart { .. } | Action::Exec { .. } => {
                "start"
            }
            Action::CommandEnd { .. } | Action::SessionEnd { .. } => "end",
            Action::AuditFailure { .. } => "error",
            Action::AuditRecovery { .. } => "info",
            Action::Denied { .. } => "denied",
        }
    }

    /// Any byte input that is not UTF-8 (the record is then marked lossy).
    fn lossy(&self) -> bool {
        match *self {
            Action::SessionStart { args, .. } => args.iter().any(|a| text::is_lossy(a)),
            Action::CommandStart { text, cwd, script } => {
                text::is_lossy(text)
                    || text::is_lossy(cwd)
                    || script.is_some_and(|(p, _)| text::is_lossy(p))
            }
            Action::Exec {
                executable,
                argv,
                cwd,
                origin,
                ..
            } => {
                text::is_lossy(executable)
                    || text::is_lossy(cwd)
                    || argv.iter().any(|a| text::is_lossy(a))
                    || origin.is_some_and(|(f, _)| text::is_lossy(f))
            }
            Action::Denied { refused, .. } => refused.lossy(),
            _ => false,
        }
    }

    /// The payload that truncation shortens first: its field name and source length.
    fn payload(&self) -> Option<(&'static str, usize)> {
        match *self {
            Action::SessionStart { args, .. } | Action::Exec { argv: args, .. } => Some((
                "process.args",
                args.iter().map(|a| a.len() + 1).sum::<usize>(),
            )),
            Action::CommandStart { text, .. } => Some(("process.command_line", text.len())),
            Action::Denied { refused, .. } => refused.payload(),
            _ => None,
        }
    }

    /// SHA-256 (hex) of the full payload.
    fn payload_sha256(&self) -> String {
        let mut h = Sha256::new();
        match *self {
            Action::SessionStart { args, .. } | Action::Exec { argv: args, .. } => {
                for a in args {
                    h.update(a);
                    h.update([0u8]);
                }
            }
            Action::CommandStart { text, .. } => h.update(text),
            Action::Denied { refused, .. } => return refused.payload_sha256(),
            _ => {}
        }
        hex(&h.finalize())
    }
}

/// How much of the long strings a serialization keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the payload (command line, or all arguments together).
    pub payload: usize,
    /// Bytes of every other byte-string field.
    pub other: usize,
}

impl Limits {
    pub const NONE: Limits = Limits {
        payload: usize::MAX,
        other: usize::MAX,
    };
}

/// Per-record values the session supplies.
pub struct Header<'a> {
    pub timestamp: &'a str,
    pub session: &'a str,
    pub sequence: u64,
    pub mode: Mode,
    /// Hex SHA-256 of the previous line.
    pub prev: &'a str,
}

// ---------------------------------------------------------------------------------------------
// The JSON shape.

#[derive(Serialize)]
pub struct Record<'a> {
    #[serde(rename = "@timestamp")]
    pub timestamp: &'a str,
    pub ecs: Ecs,
    pub event: Event<'a>,
    pub message: Message<'a>,
    pub host: Host<'a>,
    pub user: User<'a>,
    pub group: Group<'a>,
    pub process: Process<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceAddr<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo<'a>>,
    pub auditsh: Auditsh<'a>,
}

#[derive(Serialize)]
pub struct Ecs {
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct Event<'a> {
    pub kind: &'static str,
    pub category: [&'static str; 1],
    #[serde(rename = "type")]
    pub type_: [&'static str; 1],
    pub action: &'static str,
    pub sequence: u64,
    pub id: EventId<'a>,
    /// Nanoseconds (command end, session end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    /// "success" | "failure" (command end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<&'static str>,
}

/// `"<session>-<sequence>"`, written without allocating.
#[derive(Clone, Copy)]
pub struct EventId<'a> {
    pub session: &'a str,
    pub sequence: u64,
}

impl fmt::Display for EventId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.session, self.sequence)
    }
}

impl Serialize for EventId<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Serialize)]
pub struct Host<'a> {
    pub hostname: &'a str,
}

#[derive(Serialize)]
pub struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub id: &'a str,
    pub effective: Named<'a>,
    /// loginuid; omitted when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<Named<'a>>,
}

#[derive(Serialize)]
pub struct Named<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub id: &'a str,
}

#[derive(Serialize)]
pub struct Group<'a> {
    pub id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Process<'a> {
    pub pid: u32,
    pub parent: Parent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executable: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Args<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_line: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
}

#[derive(Serialize)]
pub struct Parent<'a> {
    pub pid: u32,
    /// session-start only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
}

#[derive(Serialize)]
pub struct SourceAddr<'a> {
    pub ip: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

#[derive(Serialize)]
pub struct ErrorInfo<'a> {
    pub message: Text<'a>,
}

#[derive(Serialize)]
pub struct Auditsh<'a> {
    pub version: u32,
    pub session: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_session: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<&'a str>,
    pub mode: &'static str,
    /// session-start: a login shell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pam_session: Option<&'a str>,
    /// exec, command end, denied: `event.id` of the command line it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<EventId<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<Script<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Origin<'a>>,
    /// Signal name ("KILL") when the command was killed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<&'static str>,
    /// audit-failure: "spool" | "syslog".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sink: Option<&'static str>,
    /// audit-failure with event.type info: the sink works again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lossy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<Full<'a>>,
    pub prev: &'a str,
}

#[derive(Serialize)]
pub struct Script<'a> {
    pub path: Text<'a>,
    pub sha256: &'a str,
}

#[derive(Serialize)]
pub struct Origin<'a> {
    pub file: Text<'a>,
    pub line: u32,
}

/// The untruncated value of a truncated field.
#[derive(Serialize)]
pub struct Full<'a> {
    pub field: &'static str,
    pub sha256: &'a str,
    pub length: usize,
}

// ---------------------------------------------------------------------------------------------
// `message`: "user@host tty: text".

pub struct Message<'a> {
    pub identity: &'a Identity,
    pub action: &'a Action<'a>,
}

impl Serialize for Message<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.identity;
        write!(f, "{}@{}", id.who(), id.hostname)?;
        if let Some(tty) = id.short_tty() {
            write!(f, " {tty}")?;
        }
        f.write_str(": ")?;
        body(f, self.action)
    }
}

fn body(f: &mut fmt::Formatter<'_>, action: &Action<'_>) -> fmt::Result {
    match *action {
        Action::SessionStart { login, .. } => f.write_str(if login {
            "login session start"
        } else {
            "session start"
        }),
        Action::CommandStart { text, .. } => {
            let mut left = MESSAGE_TEXT_MAX;
            capped(f, &mut left, text)
        }
        Action::CommandEnd {
            exit_code, signal, ..
        } => match signal {
            Some(sig) => write!(
                f,
                "command killed by {}",
                signal_name(sig).unwrap_or("signal")
            ),
            None => write!(f, "command exit {exit_code}"),
        },
        Action::Exec {
            executable, argv, ..
        } => {
            let mut left = MESSAGE_TEXT_MAX;
            capped(f, &mut left, executable)?;
            for a in argv.iter().skip(1) {
                if left == 0 {
                    break;
                }
                f.write_str(" ")?;
                capped(f, &mut left, a)?;
            }
            Ok(())
        }
        Action::SessionEnd {
            exit_code, reason, ..
        } => {
            write!(f, "session end ({})", reason.as_str())?;
            if let Some(code) = exit_code {
                write!(f, " exit {code}")?;
            }
            Ok(())
        }
        Action::AuditFailure { sink, error } => {
            write!(f, "audit sink {} failed: ", sink.as_str())?;
            let mut left = MESSAGE_TEXT_MAX;
            capped(f, &mut left, error.as_bytes())
        }
        Action::AuditRecovery { sink } => write!(f, "audit sink {} recovered", sink.as_str()),
        Action::Denied { refused, .. } => {
            f.write_str("denied: ")?;
            body(f, refused)
        }
    }
}

/// Write at most `*left` bytes of `bytes` (lossy), "..." when cut.
fn capped(f: &mut fmt::Formatter<'_>, left: &mut usize, bytes: &[u8]) -> fmt::Result {
    let kept = text::cut(bytes, *left);
    write!(f, "{}", Lossy(kept))?;
    *left = left.saturating_sub(kept.len());
    if kept.len() < bytes.len() {
        *left = 0;
        f.write_str("...")?;
    }
    Ok(())
}

/// Signal names for `auditsh.signal`.
pub fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        libc::SIGHUP => "HUP",
        libc::SIGINT => "INT",
        libc::SIGQUIT => "QUIT",
        libc::SIGILL => "ILL",
        libc::SIGTRAP => "TRAP",
        libc::SIGABRT => "ABRT",
        libc::SIGBUS => "BUS",
        libc::SIGFPE => "FPE",
        libc::SIGKILL => "KILL",
        libc::SIGUSR1 => "USR1",
        libc::SIGSEGV => "SEGV",
        libc::SIGUSR2 => "USR2",
        libc::SIGPIPE => "PIPE",
        libc::SIGALRM => "ALRM",
        libc::SIGTERM => "TERM",
        libc::SIGCHLD => "CHLD",
        libc::SIGCONT => "CONT",
        libc::SIGSTOP => "STOP",
        libc::SIGTSTP => "TSTP",
        libc::SIGTTIN => "TTIN",
        libc::SIGTTOU => "TTOU",
        libc::SIGURG => "URG",
        libc::SIGXCPU => "XCPU",
        libc::SIGXFSZ => "XFSZ",
        libc::SIGVTALRM => "VTALRM",
        libc::SIGPROF => "PROF",
        libc::SIGWINCH => "WINCH",
        libc::SIGIO => "IO",
        libc::SIGPWR => "PWR",
        libc::SIGSYS => "SYS",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Building and encoding.

/// The record for `action`.
pub fn build<'a>(
    id: &'a Identity,
    h: &'a Header<'a>,
    action: &'a Action<'a>,
    limits: Limits,
    full: Option<Full<'a>>,
    truncated: bool,
) -> Record<'a> {
    let other = |b: &'a [u8]| Text::limited(b, limits.other);
    let event_id = |sequence| EventId {
        session: h.session,
        sequence,
    };
    let mut process = Process {
        pid: id.pid,
        parent: Parent {
            pid: id.ppid,
            name: None,
        },
        executable: None,
        args: None,
        args_count: None,
        command_line: None,
        working_directory: None,
        exit_code: None,
    };
    let mut auditsh = Auditsh {
        version: SCHEMA_VERSION,
        session: h.session,
        audit_session: id.audit_session.as_deref(),
        tty: id.tty.as_deref(),
        mode: h.mode.as_str(),
        login: None,
        pam_session: None,
        command: None,
        script: None,
        source: None,
        signal: None,
        end_reason: None,
        sink: None,
        recovered: None,
        lossy: (id.lossy || action.lossy()).then_some(true),
        truncated: truncated.then_some(true),
        full,
        prev: h.prev,
    };
    let mut duration = None;
    let mut outcome = None;
    let mut error = None;
    let mut fill = |action: &'a Action<'a>,
                    process: &mut Process<'a>,
                    auditsh: &mut Auditsh<'a>| match *action {
        Action::SessionStart {
            login,
            args,
            pam_session,
        } => {
            process.parent.name = id.parent_name.as_deref();
            process.args = Some(Args {
                args,
                budget: limits.payload,
            });
            process.args_count = Some(args.len());
            auditsh.login = Some(login);
            auditsh.pam_session = pam_session;
        }
        Action::CommandStart { text, cwd, script } => {
            process.command_line = Some(Text::limited(text, limits.payload));
            process.working_directory = Some(other(cwd));
            auditsh.script = script.map(|(path, sha256)| Script {
                path: other(path),
                sha256,
            });
        }
        Action::CommandEnd {
            command,
            duration_ns,
            exit_code,
            signal,
        } => {
            duration = Some(duration_ns);
            outcome = Some(if exit_code == 0 && signal.is_none() {
                "success"
            } else {
                "failure"
            });
            process.exit_code = Some(exit_code);
            auditsh.command = Some(event_id(command));
            auditsh.signal = signal.map(|s| signal_name(s).unwrap_or("UNKNOWN"));
        }
        Action::Exec {
            executable,
            argv,
            cwd,
            origin,
            command,
        } => {
            process.executable = Some(other(executable));
            process.args = Some(Args {
                args: argv,
                budget: limits.payload,
            });
            process.args_count = Some(argv.len());
            process.working_directory = Some(other(cwd));
            auditsh.command = command.map(event_id);
            auditsh.source = origin.map(|(file, line)| Origin {
                file: other(file),
                line,
            });
        }
        Action::SessionEnd {
            exit_code,
            duration_ns,
            reason,
        } => {
            duration = Some(duration_ns);
            process.exit_code = exit_code;
            auditsh.end_reason = Some(reason.as_str());
        }
        Action::AuditFailure { sink, error: e } => {
            auditsh.sink = Some(sink.as_str());
            error = Some(ErrorInfo {
                message: other(e.as_bytes()),
            });
        }
        Action::AuditRecovery { sink } => {
            auditsh.sink = Some(sink.as_str());
            auditsh.recovered = Some(true);
        }
        Action::Denied { .. } => {}
    };
    fill(action, &mut process, &mut auditsh);
    if let Action::Denied { refused, reason } = *action {
        fill(refused, &mut process, &mut auditsh);
        error = Some(ErrorInfo {
            message: other(reason.as_bytes()),
        });
    }
    Record {
        timestamp: h.timestamp,
        ecs: Ecs {
            version: ECS_VERSION,
        },
        event: Event {
            kind: "event",
            category: [action.category()],
            type_: [action.event_type()],
            action: action.name(),
            sequence: h.sequence,
            id: event_id(h.sequence),
            duration,
            outcome,
        },
        message: Message {
            identity: id,
            action,
        },
        host: Host {
            hostname: &id.hostname,
        },
        user: User {
            name: id.user_name.as_deref(),
            id: &id.uid,
            effective: Named {
                name: id.effective_name.as_deref(),
                id: &id.euid,
            },
            audit: id.audit_id.as_deref().map(|a| Named {
                name: id.audit_name.as_deref(),
                id: a,
            }),
        },
        group: Group {
            id: &id.gid,
            name: id.group_name.as_deref(),
        },
        process,
        source: id.source_ip.as_deref().map(|ip| SourceAddr {
            ip,
            port: id.source_port,
        }),
        error,
        auditsh,
    }
}

/// Serialize the record for `action` into `buf` (cleared first) as one JSON line without its
/// newline, truncating long strings so that the line with its newline fits `max_bytes`.
pub fn encode(
    buf: &mut Vec<u8>,
    id: &Identity,
    h: &Header<'_>,
    action: &Action<'_>,
    max_bytes: usize,
) {
    write_record(buf, id, h, action, Limits::NONE, None, false);
    if buf.len() < max_bytes {
        return;
    }
    // Too large: the rare path, allowed to allocate.
    let payload = action.payload();
    let sha = payload.map(|_| action.payload_sha256());
    let full = |sha: &Option<String>| match (payload, sha) {
        (Some((field, length)), Some(sha)) => Some((field, sha.clone(), length)),
        _ => None,
    };
    let full = full(&sha);
    let attempt = |buf: &mut Vec<u8>, limits: Limits| {
        let f = full.as_ref().map(|(field, sha256, length)| Full {
            field,
            sha256,
            length: *length,
        });
        write_record(buf, id, h, action, limits, f, true);
        buf.len() < max_bytes
    };
    // Without its payload: what is left for it?
    let mut limits = Limits {
        payload: 0,
        other: usize::MAX,
    };
    if !attempt(buf, limits) {
        limits.other = OTHER_TEXT_MAX;
        attempt(buf, limits);
        return; // as small as it gets
    }
    if payload.is_none() {
        return;
    }
    // Each unit of payload budget is at least one byte of the line, so taking the excess off
    // the budget comes to a fit in a few rounds.
    limits.payload = max_bytes - 1 - buf.len();
    while limits.payload > 0 {
        if attempt(buf, limits) {
            return;
        }
        let over = (buf.len() + 1).saturating_sub(max_bytes).max(1);
        limits.payload = limits.payload.saturating_sub(over);
    }
    attempt(buf, limits);
}

fn write_record(
    buf: &mut Vec<u8>,
    id: &Identity,
    h: &Header<'_>,
    action: &Action<'_>,
    limits: Limits,
    full: Option<Full<'_>>,
    truncated: bool,
) {
    buf.clear();
    let rec = build(id, h, action, limits, full, truncated);
    if serde_json::to_writer(&mut *buf, &rec).is_err() {
        // Serializing into a Vec cannot fail; keep the line well-formed regardless.
        buf.clear();
        buf.extend_from_slice(b"{}");
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

pub const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex into a fixed buffer (no allocation).
pub fn hex_into(bytes: &[u8; 32], out: &mut [u8; 64]) {
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 15)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn identity() -> Identity {
        Identity {
            hostname: "web01".into(),
            uid: "1000".into(),
            user_name: Some("alice".into()),
            euid: "1000".into(),
            effective_name: Some("alice".into()),
            gid: "1001".into(),
            group_name: Some("staff".into()),
            audit_id: Some("1000".into()),
            audit_name: Some("alice".into()),
            audit_session: Some("12".into()),
            pid: 4242,
            ppid: 4241,
            parent_name: Some("sshd".into()),
            tty: Some("/dev/pts/3".into()),
            source_ip: Some("192.0.2.7".into()),
            source_port: Some(51234),
            lossy: false,
        }
    }

    const SESSION: &str = "9f2c00112233445566778899aabbccdd";
    const PREV: &str = "5d1e000000000000000000000000000000000000000000000000000000000000";

    fn encode_with(id: &Identity, action: &Action<'_>, max: usize) -> (Vec<u8>, Value) {
        let h = Header {
            timestamp: "2026-11-21T13:04:48.752211Z",
            session: SESSION,
            sequence: 4,
            mode: Mode::Interactive,
            prev: PREV,
        };
        let mut buf = Vec::new();
        encode(&mut buf, id, &h, action, max);
        assert!(!buf.contains(&b'\n'), "raw newline in {}", to_s(&buf));
        let v: Value = serde_json::from_slice(&buf).expect("record is JSON");
        (buf, v)
    }

    fn to_s(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    fn rec(action: &Action<'_>) -> Value {
        encode_with(&identity(), action, 65536).1
    }

    fn check_common(v: &Value, action: &str, category: &str, type_: &str) {
        assert_eq!(v["@timestamp"], "2026-11-21T13:04:48.752211Z");
        assert_eq!(v["ecs"]["version"], "8.11.0");
        assert_eq!(v["event"]["kind"], "event");
        assert_eq!(v["event"]["category"], serde_json::json!([category]));
        assert_eq!(v["event"]["type"], serde_json::json!([type_]));
        assert_eq!(v["event"]["action"], action);
        assert_eq!(v["event"]["sequence"], 4);
        assert_eq!(v["event"]["id"], format!("{SESSION}-4"));
        assert_eq!(v["host"]["hostname"], "web01");
        assert_eq!(v["user"]["name"], "alice");
        assert_eq!(v["user"]["id"], "1000");
        assert_eq!(v["user"]["effective"]["name"], "alice");
        assert_eq!(v["user"]["effective"]["id"], "1000");
        assert_eq!(v["user"]["audit"]["id"], "1000");
        assert_eq!(v["user"]["audit"]["name"], "alice");
        assert_eq!(v["group"]["id"], "1001");
        assert_eq!(v["group"]["name"], "staff");
        assert_eq!(v["process"]["pid"], 4242);
        assert_eq!(v["process"]["parent"]["pid"], 4241);
        assert_eq!(v["source"]["ip"], "192.0.2.7");
        assert_eq!(v["source"]["port"], 51234);
        assert_eq!(v["auditsh"]["version"], 1);
        assert_eq!(v["auditsh"]["session"], SESSION);
        assert_eq!(v["auditsh"]["audit_session"], "12");
        assert_eq!(v["auditsh"]["tty"], "/dev/pts/3");
        assert_eq!(v["auditsh"]["mode"], "interactive");
        assert_eq!(v["auditsh"]["prev"], PREV);
        assert!(v["auditsh"].get("lossy").is_none());
        assert!(v["auditsh"].get("truncated").is_none());
        let msg = v["message"].as_str().unwrap();
        assert!(msg.starts_with("alice@web01 pts/3: "), "{msg}");
    }

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    #[test]
    fn session_start() {
        let args = vec![b"-auditsh".to_vec(), b"-l".to_vec()];
        let v = rec(&Action::SessionStart {
            login: true,
            args: &args,
            pam_session: None,
        });
        check_common(&v, "session-start", "session", "start");
        assert_eq!(v["auditsh"]["login"], true);
        assert_eq!(v["process"]["args"], serde_json::json!(["-auditsh", "-l"]));
        assert_eq!(v["process"]["parent"]["name"], "sshd");
        assert!(v["auditsh"].get("pam_session").is_none());
        assert!(v.get("error").is_none());
        assert!(v["event"].get("duration").is_none());
    }

    #[test]
    fn command_start_and_end() {
        let v = rec(&Action::CommandStart {
            text: b"rm -rf /tmp/x",
            cwd: b"/home/alice",
            script: None,
        });
        check_common(&v, "command", "process", "start");
        assert_eq!(v["process"]["command_line"], "rm -rf /tmp/x");
        assert_eq!(v["process"]["working_directory"], "/home/alice");
        assert_eq!(v["message"], "alice@web01 pts/3: rm -rf /tmp/x");
        assert!(v["auditsh"].get("script").is_none());
        assert!(v["process"].get("parent").unwrap().get("name").is_none());

        let sha = "ab".repeat(32);
        let v = rec(&Action::CommandStart {
            text: b"echo hi\n",
            cwd: b"/",
            script: Some((b"/home/alice/s.sh", &sha)),
        });
        assert_eq!(v["auditsh"]["script"]["path"], "/home/alice/s.sh");
        assert_eq!(v["auditsh"]["script"]["sha256"], sha.as_str());
        assert_eq!(v["process"]["command_line"], "echo hi\n");

        let v = rec(&Action::CommandEnd {
            command: 3,
            duration_ns: 1_500_000,
            exit_code: 0,
            signal: None,
        });
        check_common(&v, "command", "process", "end");
        assert_eq!(v["event"]["duration"], 1_500_000);
        assert_eq!(v["event"]["outcome"], "success");
        assert_eq!(v["process"]["exit_code"], 0);
        assert_eq!(v["auditsh"]["command"], format!("{SESSION}-3"));
        assert!(v["auditsh"].get("signal").is_none());

        let v = rec(&Action::CommandEnd {
            command: 3,
            duration_ns: 7,
            exit_code: 137,
            signal: Some(libc::SIGKILL),
        });
        assert_eq!(v["event"]["outcome"], "failure");
        assert_eq!(v["process"]["exit_code"], 137);
        assert_eq!(v["auditsh"]["signal"], "KILL");
    }

    #[test]
    fn exec() {
        let argv = vec![b"rm".to_vec(), b"-rf".to_vec(), b"/tmp/x".to_vec()];
        let v = rec(&Action::Exec {
            executable: b"/usr/bin/rm",
            argv: &argv,
            cwd: b"/home/alice",
            origin: None,
            command: Some(3),
        });
        check_common(&v, "exec", "process", "start");
        assert_eq!(v["process"]["executable"], "/usr/bin/rm");
        assert_eq!(
            v["process"]["args"],
            serde_json::json!(["rm", "-rf", "/tmp/x"])
        );
        assert_eq!(v["process"]["args_count"], 3);
        assert_eq!(v["process"]["working_directory"], "/home/alice");
        assert_eq!(v["auditsh"]["command"], format!("{SESSION}-3"));
        assert_eq!(v["message"], "alice@web01 pts/3: /usr/bin/rm -rf /tmp/x");
        assert!(v["auditsh"].get("source").is_none());
        assert_eq!(
            keys(&v["process"]),
            [
                "args",
                "args_count",
                "executable",
                "parent",
                "pid",
                "working_directory"
            ]
        );

        let v = rec(&Action::Exec {
            executable: b"/bin/ls",
            argv: &argv[..1],
            cwd: b"/",
            origin: Some((b"/etc/auditsh/auditshrc", 12)),
            command: None,
        });
        assert_eq!(v["auditsh"]["source"]["file"], "/etc/auditsh/auditshrc");
        assert_eq!(v["auditsh"]["source"]["line"], 12);
        assert!(v["auditsh"].get("command").is_none());
    }

    #[test]
    fn session_end() {
        let v = rec(&Action::SessionEnd {
            exit_code: Some(2),
            duration_ns: 99,
            reason: EndReason::Exit,
        });
        check_common(&v, "session-end", "session", "end");
        assert_eq!(v["process"]["exit_code"], 2);
        assert_eq!(v["event"]["duration"], 99);
        assert_eq!(v["auditsh"]["end_reason"], "exit");
        let v = rec(&Action::SessionEnd {
            exit_code: None,
            duration_ns: 1,
            reason: EndReason::Hangup,
        });
        assert!(v["process"].get("exit_code").is_none());
        assert_eq!(v["auditsh"]["end_reason"], "hangup");
    }

    #[test]
    fn audit_failure_and_recovery() {
        let v = rec(&Action::AuditFailure {
            sink: SinkName::Syslog,
            error: "/dev/log: Connection refused",
        });
        check_common(&v, "audit-failure", "session", "error");
        assert_eq!(v["error"]["message"], "/dev/log: Connection refused");
        assert_eq!(v["auditsh"]["sink"], "syslog");
        let v = rec(&Action::AuditRecovery {
            sink: SinkName::Spool,
        });
        check_common(&v, "audit-failure", "session", "info");
        assert_eq!(v["auditsh"]["sink"], "spool");
        assert_eq!(v["auditsh"]["recovered"], true);
        assert!(v.get("error").is_none());
    }

    #[test]
    fn denied() {
        let refused = Action::CommandStart {
            text: b"rm -rf /",
            cwd: b"/",
            script: None,
        };
        let v = rec(&Action::Denied {
            refused: &refused,
            reason: "syslog: gone",
        });
        check_common(&v, "denied", "process", "denied");
        assert_eq!(v["process"]["command_line"], "rm -rf /");
        assert_eq!(v["error"]["message"], "syslog: gone");
        assert_eq!(v["message"], "alice@web01 pts/3: denied: rm -rf /");
    }

    #[test]
    fn optional_identity_fields_are_omitted() {
        let mut id = identity();
        id.audit_id = None;
        id.audit_name = None;
        id.tty = None;
        id.source_ip = None;
        id.source_port = None;
        id.audit_session = None;
        let (_, v) = encode_with(
            &id,
            &Action::AuditRecovery {
                sink: SinkName::Spool,
            },
            65536,
        );
        assert!(v["user"].get("audit").is_none());
        assert!(v["auditsh"].get("tty").is_none());
        assert!(v["auditsh"].get("audit_session").is_none());
        assert!(v.get("source").is_none());
        assert_eq!(v["message"], "alice@web01: audit sink spool recovered");
    }

    #[test]
    fn hostile_text_stays_one_exact_line() {
        let text: &[u8] = b"echo \"}\n{\"event\":1}\r\x1b[2J\x00\x01\t\\ \xff\xfe end";
        let (_, v) = encode_with(
            &identity(),
            &Action::CommandStart {
                text,
                cwd: b"/",
                script: None,
            },
            65536,
        );
        assert_eq!(
            v["process"]["command_line"],
            "echo \"}\n{\"event\":1}\r\x1b[2J\x00\x01\t\\ \\xff\\xfe end"
        );
        assert_eq!(v["auditsh"]["lossy"], true);
    }

    #[test]
    fn lossy_args_and_paths() {
        let argv = vec![b"cat".to_vec(), b"caf\xe9".to_vec()];
        let (_, v) = encode_with(
            &identity(),
            &Action::Exec {
                executable: b"/bin/cat",
                argv: &argv,
                cwd: b"/tmp/\xff",
                origin: None,
                command: None,
            },
            65536,
        );
        assert_eq!(v["process"]["args"][1], "caf\\xe9");
        assert_eq!(v["process"]["working_directory"], "/tmp/\\xff");
        assert_eq!(v["auditsh"]["lossy"], true);
        let mut id = identity();
        id.lossy = true;
        let (_, v) = encode_with(
            &id,
            &Action::AuditRecovery {
                sink: SinkName::Spool,
            },
            65536,
        );
        assert_eq!(v["auditsh"]["lossy"], true);
    }

    #[test]
    fn long_command_line_is_truncated_with_full_hash() {
        let text = "x".repeat(100_000);
        let max = 8192;
        let (buf, v) = encode_with(
            &identity(),
            &Action::CommandStart {
                text: text.as_bytes(),
                cwd: b"/",
                script: None,
            },
            max,
        );
        assert!(buf.len() < max, "{} bytes", buf.len());
        assert!(buf.len() > max - 1024, "{} bytes: cut too much", buf.len());
        let kept = v["process"]["command_line"].as_str().unwrap();
        assert!(text.starts_with(kept) && kept.len() < text.len());
        assert_eq!(v["auditsh"]["truncated"], true);
        assert_eq!(v["auditsh"]["full"]["field"], "process.command_line");
        assert_eq!(v["auditsh"]["full"]["length"], 100_000);
        assert_eq!(
            v["auditsh"]["full"]["sha256"],
            hex(&Sha256::digest(text.as_bytes()))
        );
        assert!(v["message"].as_str().unwrap().ends_with("..."));
    }

    #[test]
    fn many_args_are_truncated() {
        let argv: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("file{i}").into_bytes())
            .collect();
        let max = 16384;
        let (buf, v) = encode_with(
            &identity(),
            &Action::Exec {
                executable: b"/bin/rm",
                argv: &argv,
                cwd: b"/",
                origin: None,
                command: None,
            },
            max,
        );
        assert!(buf.len() < max);
        assert_eq!(v["process"]["args_count"], 20_000);
        let kept = v["process"]["args"].as_array().unwrap();
        assert!(!kept.is_empty() && kept.len() < 20_000);
        assert_eq!(kept[0], "file0");
        assert_eq!(v["auditsh"]["full"]["field"], "process.args");
        let mut h = Sha256::new();
        let mut len = 0;
        for a in &argv {
            h.update(a);
            h.update([0]);
            len += a.len() + 1;
        }
        assert_eq!(v["auditsh"]["full"]["sha256"], hex(&h.finalize()));
        assert_eq!(v["auditsh"]["full"]["length"], len);
    }

    #[test]
    fn escapes_do_not_defeat_truncation() {
        // Each byte becomes 6 characters (\u0001) or 5 (\\xff) in the line.
        let text: Vec<u8> = [b"\x01\xff".as_slice()].concat().repeat(20_000);
        let max = 4096;
        let (buf, v) = encode_with(
            &identity(),
            &Action::CommandStart {
                text: &text,
                cwd: &vec![b'd'; 5000],
                script: None,
            },
            max,
        );
        assert!(buf.len() < max, "{} bytes", buf.len());
        assert_eq!(v["auditsh"]["truncated"], true);
        assert_eq!(v["auditsh"]["lossy"], true);
    }

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(libc::SIGKILL), Some("KILL"));
        assert_eq!(signal_name(libc::SIGTERM), Some("TERM"));
        assert_eq!(signal_name(1000), None);
    }
}
