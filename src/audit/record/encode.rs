//! The encoder: a record written as its one JSON line into a buffer, by hand, in the field order
//! below (`schema` says what each field means). The record is built on the exec path of every
//! program, so the buffer is reused across records, what a session never changes is
//! serialized once ([`Fixed`]), and inputs are borrowed (argv bytes, paths), never copied.
//! Text goes through `text` (the lossy form, JSON's escapes and the viewer controls'). A
//! record longer than `max_record_bytes` allows is cut to fit ([`encode`]). The hex helpers
//! serve the chain and the MAC as well.

use super::fixed::Fixed;
use super::schema::{signal_name, Action, GroupLeader, Header, PamItems, Program, ECS_VERSION};
use crate::audit::text::{self, push_args, push_escaped, push_lossy, push_string};
use sha2::{Digest, Sha256};

/// `message` keeps at most this many bytes of command text.
pub const MESSAGE_TEXT_MAX: usize = 200;
/// When a record is too large even with its payload dropped, other strings keep this many.
pub const OTHER_TEXT_MAX: usize = 256;

impl Action<'_> {
    /// Any byte input that is not UTF-8 (the record is then marked lossy).
    fn lossy(&self) -> bool {
        match *self {
            Action::SessionStart { args, .. } => args.iter().any(|a| text::is_lossy(a)),
            Action::CommandStart {
                text,
                cwd,
                script,
                logical_cwd,
            } => {
                text::is_lossy(text)
                    || text::is_lossy(cwd)
                    || script.is_some_and(|(p, _)| text::is_lossy(p))
                    || logical_cwd.is_some_and(text::is_lossy)
            }
            Action::Exec {
                executable,
                argv,
                cwd,
                origin,
                logical_cwd,
                file,
                ..
            } => {
                text::is_lossy(executable)
                    || text::is_lossy(cwd)
                    || argv.iter().any(|a| text::is_lossy(a))
                    || origin.is_some_and(|(f, _)| text::is_lossy(f))
                    || logical_cwd.is_some_and(text::is_lossy)
                    || file.and_then(|f| f.target).is_some_and(text::is_lossy)
            }
            Action::End {
                executable, argv, ..
            } => {
                executable.is_some_and(text::is_lossy)
                    || argv.is_some_and(|a| a.iter().any(|a| text::is_lossy(a)))
            }
            Action::Denied { refused, .. } => refused.lossy(),
            _ => false,
        }
    }

    /// The payload that truncation shortens first: its field name and source length.
    fn payload(&self) -> Option<(&'static str, usize)> {
        match *self {
            Action::SessionStart { args, .. }
            | Action::Exec { argv: args, .. }
            | Action::End {
                argv: Some(args), ..
            } => Some((
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
            Action::SessionStart { args, .. }
            | Action::Exec { argv: args, .. }
            | Action::End {
                argv: Some(args), ..
            } => {
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

/// The untruncated value of a truncated field.
pub struct Full<'a> {
    pub field: &'static str,
    pub sha256: &'a str,
    pub length: usize,
}

// ---------------------------------------------------------------------------------------------
// The JSON line.
//
// Records are written by hand into the reused buffer, in this field order (the chain hashes
// the bytes as written; `?` marks a field a record may leave out):
//
//   @timestamp, ecs{version},
//   event{kind, category, type, action, sequence, id, duration?, outcome?},
//   message, host{hostname},
//   user{name?, id, effective{name?, id}, audit?{name?, id}}, group{id, name?},
//   process{pid?, entity_id, start?, end?, name?, executable?, args?, args_count?,
//           command_line?, working_directory?, exit_code?, interactive, tty?{char_device},
//           parent{pid, entity_id?, name?}, group_leader?{…}, session_leader{…},
//           entry_leader{…, entry_meta{type, source?{ip}}}},
//   source?{ip, port?}, error?{code?, message},
//   auditsh{version, session, audit_session?, tty?, mode, login?, pam_session?,
//           parent_trusted?, start_waited_ms?, command?, script?{path, sha256},
//           source?{file, line}, logical_cwd?, executable?{device, inode, target?}, signal?,
//           end_reason?, sink?, budget?{name, bytes}, recovered?, lost?{count, first_sequence},
//           next_key_epoch?, lossy?, truncated?, full?{field, sha256, length}, prev,
//           key_epoch?, mac?}
//
// `key_epoch` and `mac` are last so that the MAC covers every byte before it (`mac.rs`); the
// encoder writes `key_epoch` and the sealer appends `mac`. What never changes in a session is
// serialized once, into a [`Fixed`] (`fixed.rs`).
//
/// `,"entity_id":"…","start":"…","name":"…"`.
pub(super) fn push_names(buf: &mut Vec<u8>, entity: &str, start: &str, name: &str) {
    buf.extend_from_slice(b",\"entity_id\":");
    push_str(buf, entity);
    buf.extend_from_slice(b",\"start\":");
    push_str(buf, start);
    buf.extend_from_slice(b",\"name\":");
    push_str(buf, name);
}

/// `key` (with its comma and colon) and `true` or `false`.
pub(super) fn push_bool(buf: &mut Vec<u8>, key: &[u8], v: bool) {
    buf.extend_from_slice(key);
    buf.extend_from_slice(if v { b"true" } else { b"false" });
}

pub(super) fn push_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    push_escaped(buf, s);
    buf.push(b'"');
}

/// `{"name":…,"id":…}`, the name left out when unknown.
pub(super) fn push_named(buf: &mut Vec<u8>, name: Option<&str>, id: &str) {
    buf.push(b'{');
    if let Some(name) = name {
        buf.extend_from_slice(b"\"name\":");
        push_str(buf, name);
        buf.push(b',');
    }
    buf.extend_from_slice(b"\"id\":");
    push_str(buf, id);
    buf.push(b'}');
}

/// Decimal digits of `v`.
pub fn push_u64(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// Decimal digits of `v`, a minus sign first when it is negative.
pub fn push_i64(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    push_u64(buf, v.unsigned_abs());
}

/// A string the shell made itself that needs no escaping (hex, digits, a timestamp).
pub(super) fn push_plain(buf: &mut Vec<u8>, s: &str) {
    debug_assert!(s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\'));
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
}

/// `"<session>-<sequence>"`: an `event.id`.
pub(super) fn push_event_id(buf: &mut Vec<u8>, session: &[u8], sequence: u64) {
    buf.push(b'"');
    buf.extend_from_slice(session);
    buf.push(b'-');
    push_u64(buf, sequence);
    buf.push(b'"');
}

// ---------------------------------------------------------------------------------------------
// `message`: "user@host tty: text", written as escaped JSON text.

fn push_body(buf: &mut Vec<u8>, action: &Action<'_>, lf: bool) {
    match *action {
        Action::SessionStart { login, .. } => buf.extend_from_slice(if login {
            b"login session start"
        } else {
            b"session start"
        }),
        Action::CommandStart { text, .. } => {
            let mut left = MESSAGE_TEXT_MAX;
            push_capped(buf, &mut left, text, lf);
        }
        Action::CommandEnd {
            exit_code, signal, ..
        } => match signal {
            Some(sig) => {
                buf.extend_from_slice(b"command killed by ");
                buf.extend_from_slice(signal_name(sig).unwrap_or("signal").as_bytes());
            }
            None => {
                buf.extend_from_slice(b"command exit ");
                push_i64(buf, i64::from(exit_code));
            }
        },
        Action::Exec {
            executable, argv, ..
        } => {
            let mut left = MESSAGE_TEXT_MAX;
            push_capped(buf, &mut left, executable, lf);
            for a in argv.iter().skip(1) {
                if left == 0 {
                    break;
                }
                buf.push(b' ');
                push_capped(buf, &mut left, a, lf);
            }
        }
        Action::End {
            executable,
            argv,
            exit_code,
            signal,
            error,
            ..
        } => {
            let mut left = MESSAGE_TEXT_MAX;
            push_capped(buf, &mut left, program_name(executable, argv), lf);
            match (error, signal) {
                (Some((_, message)), _) => {
                    buf.extend_from_slice(b" not started: ");
                    let mut left = MESSAGE_TEXT_MAX;
                    push_capped(buf, &mut left, message.as_bytes(), lf);
                }
                (None, Some(sig)) => {
                    buf.extend_from_slice(b" killed by ");
                    buf.extend_from_slice(signal_name(sig).unwrap_or("signal").as_bytes());
                }
                (None, None) => {
                    buf.extend_from_slice(b" exit ");
                    push_i64(buf, i64::from(exit_code));
                }
            }
        }
        Action::SessionEnd {
            exit_code, reason, ..
        } => {
            buf.extend_from_slice(b"session end (");
            buf.extend_from_slice(reason.as_str().as_bytes());
            buf.push(b')');
            if let Some(code) = exit_code {
                buf.extend_from_slice(b" exit ");
                push_i64(buf, i64::from(code));
            }
        }
        Action::AuditFailure { sink, error } => {
            buf.extend_from_slice(b"audit sink ");
            buf.extend_from_slice(sink.as_str().as_bytes());
            buf.extend_from_slice(b" failed: ");
            let mut left = MESSAGE_TEXT_MAX;
            push_capped(buf, &mut left, error.as_bytes(), lf);
        }
        Action::AuditRecovery { sink, lost } => {
            buf.extend_from_slice(b"audit sink ");
            buf.extend_from_slice(sink.as_str().as_bytes());
            buf.extend_from_slice(b" recovered (");
            push_u64(buf, lost.count);
            buf.extend_from_slice(if lost.count == 1 {
                b" record lost from sequence "
            } else {
                b" records lost from sequence "
            });
            push_u64(buf, lost.first_sequence);
            buf.push(b')');
        }
        Action::KeyFailure { error } => {
            buf.extend_from_slice(b"audit key: ");
            let mut left = MESSAGE_TEXT_MAX;
            push_capped(buf, &mut left, error.as_bytes(), lf);
        }
        Action::OverBudget { budget, bytes } => {
            buf.extend_from_slice(b"audit budget ");
            buf.extend_from_slice(budget.as_bytes());
            buf.extend_from_slice(b" (");
            push_u64(buf, bytes);
            buf.extend_from_slice(
                b" bytes) passed: records keep the SHA-256 and length of long text",
            );
        }
        Action::KeyRollover { next_epoch } => {
            buf.extend_from_slice(b"record key moves on to ");
            buf.extend_from_slice(crate::audit::mac::date_of(next_epoch).as_bytes());
        }
        Action::Denied { refused, .. } => {
            buf.extend_from_slice(b"denied: ");
            push_body(buf, refused, lf);
        }
        Action::PamSession { open, pam } => {
            buf.extend_from_slice(if open {
                b"pam session open ("
            } else {
                b"pam session close ("
            });
            let mut left = MESSAGE_TEXT_MAX;
            push_capped(buf, &mut left, pam.service.unwrap_or("").as_bytes(), lf);
            buf.push(b')');
        }
    }
}

/// A program's name for people: its executable's file name, else its argv\[0\].
fn program_name<'a>(executable: Option<&'a [u8]>, argv: Option<&'a [Vec<u8>]>) -> &'a [u8] {
    match (executable, argv.and_then(|a| a.first())) {
        (Some(path), _) => base_name(path),
        (None, Some(arg0)) => arg0,
        (None, None) => b"program",
    }
}

/// The last component of a path.
fn base_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

/// At most `*left` bytes of `bytes` (lossy, escaped; `lf`: in the lossy form), "..." when cut.
fn push_capped(buf: &mut Vec<u8>, left: &mut usize, bytes: &[u8], lf: bool) {
    let kept = text::cut(bytes, *left);
    push_lossy(buf, kept, lf);
    *left = left.saturating_sub(kept.len());
    if kept.len() < bytes.len() {
        *left = 0;
        buf.extend_from_slice(b"...");
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding.

/// Serialize the record for `action` into `buf` (cleared first) as one JSON line without its
/// newline, truncating long strings so that the line with its newline fits `max_bytes`.
pub fn encode(
    buf: &mut Vec<u8>,
    fixed: &Fixed,
    h: &Header<'_>,
    action: &Action<'_>,
    max_bytes: usize,
) {
    // A sealed record grows by its MAC after encoding: leave room for it.
    let max_bytes = max_bytes - h.key_epoch.map_or(0, |_| crate::audit::mac::SEAL_LEN);
    // Whether the record is marked lossy is known before any string is written: in such a
    // record every byte string is in the lossy form.
    let lossy = fixed.lossy || action.lossy();
    write_record(buf, fixed, h, action, lossy, Limits::NONE, None);
    if buf.len() < max_bytes {
        return;
    }
    // Too large: the rare path, allowed to allocate.
    let payload = action.payload();
    let sha = payload.map(|_| action.payload_sha256());
    let full = match (payload, &sha) {
        (Some((field, length)), Some(sha256)) => Some(Full {
            field,
            sha256,
            length,
        }),
        _ => None,
    };
    let attempt = |buf: &mut Vec<u8>, limits: Limits| {
        let f = Some(full.as_ref());
        write_record(buf, fixed, h, action, lossy, limits, f);
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

/// One record. `truncated` is `None` for a record written whole, `Some(full)` for one whose
/// long strings were cut to `limits` (`full`: the payload's untruncated hash and length).
fn write_record(
    buf: &mut Vec<u8>,
    fixed: &Fixed,
    h: &Header<'_>,
    action: &Action<'_>,
    lossy: bool,
    limits: Limits,
    truncated: Option<Option<&Full<'_>>>,
) {
    let lf = lossy;
    let fixed = match &fixed.lossy_form {
        Some(doubled) if lossy => doubled,
        _ => fixed,
    };
    // A denied record carries the fields of what it refused.
    let (what, reason) = match *action {
        Action::Denied { refused, reason } => (refused, Some(reason)),
        _ => (action, None),
    };
    let session = fixed.session_text.as_slice();
    buf.clear();

    buf.extend_from_slice(b"{\"@timestamp\":");
    push_plain(buf, h.timestamp);
    buf.extend_from_slice(b",\"ecs\":{\"version\":\"");
    buf.extend_from_slice(ECS_VERSION.as_bytes());
    buf.extend_from_slice(b"\"},\"event\":{\"kind\":\"event\",\"category\":[\"");
    buf.extend_from_slice(action.category().as_bytes());
    buf.extend_from_slice(b"\"],\"type\":[\"");
    buf.extend_from_slice(action.event_type().as_bytes());
    buf.extend_from_slice(b"\"],\"action\":\"");
    buf.extend_from_slice(action.name().as_bytes());
    buf.extend_from_slice(b"\",\"sequence\":");
    push_u64(buf, h.sequence);
    buf.extend_from_slice(b",\"id\":");
    push_event_id(buf, session, h.sequence);
    match *what {
        Action::CommandEnd {
            duration_ns,
            exit_code,
            signal,
            ..
        } => {
            buf.extend_from_slice(b",\"duration\":");
            push_u64(buf, duration_ns);
            buf.extend_from_slice(if exit_code == 0 && signal.is_none() {
                b",\"outcome\":\"success\""
            } else {
                b",\"outcome\":\"failure\""
            });
        }
        Action::End {
            duration_ns,
            exit_code,
            signal,
            error,
            ..
        } => {
            buf.extend_from_slice(b",\"duration\":");
            push_u64(buf, duration_ns);
            buf.extend_from_slice(if exit_code == 0 && signal.is_none() && error.is_none() {
                b",\"outcome\":\"success\""
            } else {
                b",\"outcome\":\"failure\""
            });
        }
        Action::SessionEnd { duration_ns, .. } => {
            buf.extend_from_slice(b",\"duration\":");
            push_u64(buf, duration_ns);
        }
        _ => {}
    }

    buf.extend_from_slice(b"},\"message\":\"");
    buf.extend_from_slice(&fixed.message_prefix);
    push_body(buf, action, lf);
    buf.push(b'"');

    // host, user, group, and the process the record is about: a program, or the shell.
    buf.extend_from_slice(&fixed.identity);
    match *what {
        Action::Exec {
            program,
            executable,
            argv,
            cwd,
            ..
        } => {
            push_program_head(buf, &program, h.timestamp, false);
            let name = base_name(executable);
            buf.extend_from_slice(b",\"name\":");
            push_string(buf, name, limits.other, lf);
            buf.extend_from_slice(b",\"executable\":");
            push_string(buf, executable, limits.other, lf);
            buf.extend_from_slice(b",\"args\":");
            push_args(buf, argv, limits.payload, lf);
            buf.extend_from_slice(b",\"args_count\":");
            push_u64(buf, argv.len() as u64);
            push_cwd(buf, cwd, limits.other, lf);
            push_program_tail(buf, fixed, &program);
        }
        Action::End {
            program,
            executable,
            argv,
            exit_code,
            ..
        } => {
            push_program_head(buf, &program, h.timestamp, true);
            let name = executable
                .map(base_name)
                .or(argv.and_then(|a| a.first().map(|a| &a[..])));
            if let Some(name) = name {
                buf.extend_from_slice(b",\"name\":");
                push_string(buf, name, limits.other, lf);
            }
            if let Some(executable) = executable {
                buf.extend_from_slice(b",\"executable\":");
                push_string(buf, executable, limits.other, lf);
            }
            if let Some(argv) = argv {
                buf.extend_from_slice(b",\"args\":");
                push_args(buf, argv, limits.payload, lf);
                buf.extend_from_slice(b",\"args_count\":");
                push_u64(buf, argv.len() as u64);
            }
            buf.extend_from_slice(b",\"exit_code\":");
            push_i64(buf, i64::from(exit_code));
            push_program_tail(buf, fixed, &program);
        }
        _ => {
            buf.extend_from_slice(&fixed.shell_head);
            match *what {
                Action::SessionStart { args, .. } => {
                    buf.extend_from_slice(b",\"args\":");
                    push_args(buf, args, limits.payload, lf);
                    buf.extend_from_slice(b",\"args_count\":");
                    push_u64(buf, args.len() as u64);
                }
                Action::CommandStart { text, cwd, .. } => {
                    buf.extend_from_slice(b",\"command_line\":");
                    push_string(buf, text, limits.payload, lf);
                    push_cwd(buf, cwd, limits.other, lf);
                }
                Action::CommandEnd { exit_code, .. }
                | Action::SessionEnd {
                    exit_code: Some(exit_code),
                    ..
                } => {
                    buf.extend_from_slice(b",\"exit_code\":");
                    push_i64(buf, i64::from(exit_code));
                }
                _ => {}
            }
            buf.extend_from_slice(&fixed.shell_tail);
            buf.extend_from_slice(&fixed.parent);
            if let Action::SessionStart { .. } = what {
                buf.extend_from_slice(&fixed.parent_name);
            }
            buf.push(b'}');
            buf.extend_from_slice(&fixed.leaders_self);
        }
    }
    buf.push(b'}');

    buf.extend_from_slice(&fixed.source);
    let (code, error) = match *what {
        Action::AuditFailure { error, .. } | Action::KeyFailure { error } => (None, Some(error)),
        Action::End {
            error: Some((code, message)),
            ..
        } => (Some(code), Some(message)),
        _ => (None, reason),
    };
    if let Some(message) = error {
        buf.extend_from_slice(b",\"error\":{");
        if let Some(code) = code {
            buf.extend_from_slice(b"\"code\":");
            push_plain(buf, code);
            buf.push(b',');
        }
        buf.extend_from_slice(b"\"message\":");
        push_string(buf, message.as_bytes(), limits.other, lf);
        buf.push(b'}');
    }

    buf.extend_from_slice(&fixed.auditsh);
    match *what {
        Action::SessionStart {
            login,
            pam_session,
            waited_ms,
            ..
        } => {
            buf.extend_from_slice(if login {
                b",\"login\":true"
            } else {
                b",\"login\":false"
            });
            if let Some(p) = pam_session {
                buf.extend_from_slice(b",\"pam_session\":");
                push_str(buf, p);
            }
            buf.extend_from_slice(fixed.parent_trusted);
            if let Some(ms) = waited_ms {
                buf.extend_from_slice(b",\"start_waited_ms\":");
                push_u64(buf, ms);
            }
        }
        Action::CommandStart {
            script,
            logical_cwd,
            ..
        } => {
            if let Some((path, sha256)) = script {
                buf.extend_from_slice(b",\"script\":{\"path\":");
                push_string(buf, path, limits.other, lf);
                buf.extend_from_slice(b",\"sha256\":");
                push_plain(buf, sha256);
                buf.push(b'}');
            }
            push_logical_cwd(buf, logical_cwd, limits.other, lf);
        }
        Action::CommandEnd {
            command, signal, ..
        } => {
            buf.extend_from_slice(b",\"command\":");
            push_event_id(buf, session, command);
            if let Some(sig) = signal {
                buf.extend_from_slice(b",\"signal\":\"");
                buf.extend_from_slice(signal_name(sig).unwrap_or("UNKNOWN").as_bytes());
                buf.push(b'"');
            }
        }
        Action::Exec {
            origin,
            command,
            logical_cwd,
            file,
            ..
        } => {
            if let Some(command) = command {
                buf.extend_from_slice(b",\"command\":");
                push_event_id(buf, session, command);
            }
            if let Some((file, line)) = origin {
                buf.extend_from_slice(b",\"source\":{\"file\":");
                push_string(buf, file, limits.other, lf);
                buf.extend_from_slice(b",\"line\":");
                push_u64(buf, u64::from(line));
                buf.push(b'}');
            }
            push_logical_cwd(buf, logical_cwd, limits.other, lf);
            if let Some(f) = file {
                buf.extend_from_slice(b",\"executable\":{\"device\":\"");
                push_u64(buf, f.device);
                buf.extend_from_slice(b"\",\"inode\":\"");
                push_u64(buf, f.inode);
                buf.push(b'"');
                if let Some(target) = f.target {
                    buf.extend_from_slice(b",\"target\":");
                    push_string(buf, target, limits.other, lf);
                }
                buf.push(b'}');
            }
        }
        Action::End {
            command, signal, ..
        } => {
            if let Some(command) = command {
                buf.extend_from_slice(b",\"command\":");
                push_event_id(buf, session, command);
            }
            if let Some(sig) = signal {
                buf.extend_from_slice(b",\"signal\":\"");
                buf.extend_from_slice(signal_name(sig).unwrap_or("UNKNOWN").as_bytes());
                buf.push(b'"');
            }
        }
        Action::SessionEnd { reason, .. } => {
            buf.extend_from_slice(b",\"end_reason\":\"");
            buf.extend_from_slice(reason.as_str().as_bytes());
            buf.push(b'"');
        }
        Action::AuditFailure { sink, .. } => {
            buf.extend_from_slice(b",\"sink\":\"");
            buf.extend_from_slice(sink.as_str().as_bytes());
            buf.push(b'"');
        }
        Action::AuditRecovery { sink, lost } => {
            buf.extend_from_slice(b",\"sink\":\"");
            buf.extend_from_slice(sink.as_str().as_bytes());
            buf.extend_from_slice(b"\",\"recovered\":true,\"lost\":{\"count\":");
            push_u64(buf, lost.count);
            buf.extend_from_slice(b",\"first_sequence\":");
            push_u64(buf, lost.first_sequence);
            buf.push(b'}');
        }
        Action::KeyFailure { .. } => buf.extend_from_slice(b",\"sink\":\"mac\""),
        Action::OverBudget { budget, bytes } => {
            buf.extend_from_slice(b",\"budget\":{\"name\":\"");
            buf.extend_from_slice(budget.as_bytes());
            buf.extend_from_slice(b"\",\"bytes\":");
            push_u64(buf, bytes);
            buf.push(b'}');
        }
        Action::KeyRollover { next_epoch } => {
            buf.extend_from_slice(b",\"next_key_epoch\":");
            push_u64(buf, next_epoch);
        }
        Action::PamSession { pam, .. } => push_pam(buf, &pam, limits.other, lf),
        _ => {}
    }
    if lossy {
        buf.extend_from_slice(b",\"lossy\":true");
    }
    if let Some(full) = truncated {
        buf.extend_from_slice(b",\"truncated\":true");
        if let Some(full) = full {
            buf.extend_from_slice(b",\"full\":{\"field\":\"");
            buf.extend_from_slice(full.field.as_bytes());
            buf.extend_from_slice(b"\",\"sha256\":");
            push_plain(buf, full.sha256);
            buf.extend_from_slice(b",\"length\":");
            push_u64(buf, full.length as u64);
            buf.push(b'}');
        }
    }
    buf.extend_from_slice(b",\"prev\":");
    push_plain(buf, h.prev);
    if let Some(epoch) = h.key_epoch {
        buf.extend_from_slice(b",\"key_epoch\":");
        push_u64(buf, epoch);
    }
    buf.extend_from_slice(b"}}");
}

/// `,"pam":{"service":…,"user":…,"ruser":…,"tty":…}`, each item only when PAM has it.
fn push_pam(buf: &mut Vec<u8>, pam: &PamItems<'_>, limit: usize, lf: bool) {
    buf.extend_from_slice(b",\"pam\":{");
    let items = [
        ("service", pam.service),
        ("user", pam.user),
        ("ruser", pam.ruser),
        ("tty", pam.tty),
    ];
    let mut first = true;
    for (name, value) in items {
        let Some(value) = value else { continue };
        if !first {
            buf.push(b',');
        }
        first = false;
        buf.push(b'"');
        buf.extend_from_slice(name.as_bytes());
        buf.extend_from_slice(b"\":");
        push_string(buf, value.as_bytes(), limit, lf);
    }
    buf.push(b'}');
}

/// The program's pid (left out of a record about a program that never had a process), entity
/// id and start, and for an `end` its end (the record's time).
fn push_program_head(buf: &mut Vec<u8>, p: &Program<'_>, now: &str, end: bool) {
    if let Some(pid) = p.pid {
        buf.extend_from_slice(b"\"pid\":");
        push_u64(buf, u64::from(pid));
        buf.push(b',');
    }
    buf.extend_from_slice(b"\"entity_id\":");
    push_plain(buf, p.entity);
    buf.extend_from_slice(b",\"start\":");
    push_plain(buf, p.start);
    if end {
        buf.extend_from_slice(b",\"end\":");
        push_plain(buf, now);
    }
}

/// What follows a program's own fields: `interactive`, the terminal, its parent (the shell),
/// its group leader and the session's leaders.
fn push_program_tail(buf: &mut Vec<u8>, fixed: &Fixed, p: &Program<'_>) {
    push_bool(buf, b",\"interactive\":", p.interactive);
    if p.interactive {
        buf.extend_from_slice(&fixed.tty);
    }
    buf.extend_from_slice(b",\"parent\":{\"pid\":");
    push_u64(buf, u64::from(p.parent_pid));
    buf.extend_from_slice(b",\"entity_id\":\"");
    buf.extend_from_slice(&fixed.program_parent);
    buf.extend_from_slice(b"\"}");
    match p.group_leader {
        GroupLeader::Shell => buf.extend_from_slice(&fixed.shell_group_leader),
        // A program that never had a process leads no group.
        GroupLeader::Itself if p.pid.is_none() => {}
        GroupLeader::Itself => {
            buf.extend_from_slice(b",\"group_leader\":{");
            push_program_head(buf, p, "", false);
            buf.extend_from_slice(b",\"same_as_process\":true}");
        }
        GroupLeader::Other { pid, entity } => {
            buf.extend_from_slice(b",\"group_leader\":{");
            if let Some(entity) = entity {
                buf.extend_from_slice(b"\"entity_id\":");
                push_plain(buf, entity);
                buf.push(b',');
            }
            buf.extend_from_slice(b"\"pid\":");
            push_u64(buf, u64::from(pid));
            buf.extend_from_slice(b",\"same_as_process\":false}");
        }
    }
    buf.extend_from_slice(&fixed.leaders_other);
}

/// `,"working_directory":"…"` (`process.*`), left out when the directory is not known.
fn push_cwd(buf: &mut Vec<u8>, cwd: &[u8], limit: usize, lf: bool) {
    if !cwd.is_empty() {
        buf.extend_from_slice(b",\"working_directory\":");
        push_string(buf, cwd, limit, lf);
    }
}

/// `,"logical_cwd":"…"` (`auditsh.*`), when the shell's `$PWD` is not the physical directory.
fn push_logical_cwd(buf: &mut Vec<u8>, logical: Option<&[u8]>, limit: usize, lf: bool) {
    if let Some(dir) = logical {
        buf.extend_from_slice(b",\"logical_cwd\":");
        push_string(buf, dir, limit, lf);
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
    use super::super::schema::{EndReason, FileId, Lost, Mode, SinkName};
    use super::*;
    use crate::audit::identity::Identity;
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
            source_domain: None,
            source_from: Some("environment"),
            parent_trusted: false,
            shell: crate::audit::identity::ShellProcess {
                pid: 4242,
                start: "2026-11-21T13:00:00.000000Z".into(),
                name: "auditsh".into(),
                executable: Some("/usr/bin/auditsh".into()),
                args: vec!["-auditsh".into()],
                args_count: 1,
                working_directory: Some("/home/alice".into()),
                interactive: true,
                tty_device: Some((136, 3)),
                entry_type: "sshd",
            },
            lossy: false,
        }
    }

    /// A program as the exec tests describe it: pid 5000, started by the shell, in its own
    /// process group.
    fn program() -> Program<'static> {
        Program {
            entity: "9f2c00112233445566778899aabbccdd-p7",
            pid: Some(5000),
            start: "2026-11-21T13:04:48.700000Z",
            parent_pid: 4242,
            interactive: true,
            group_leader: GroupLeader::Itself,
        }
    }

    const SESSION: &str = "9f2c00112233445566778899aabbccdd";
    const PREV: &str = "5d1e000000000000000000000000000000000000000000000000000000000000";

    fn encode_with(id: &Identity, action: &Action<'_>, max: usize) -> (Vec<u8>, Value) {
        let h = Header {
            timestamp: "2026-11-21T13:04:48.752211Z",
            sequence: 4,
            prev: PREV,
            key_epoch: None,
        };
        let mut buf = Vec::new();
        let fixed = Fixed::new(id, SESSION, Mode::Interactive);
        encode(&mut buf, &fixed, &h, action, max);
        assert!(!buf.contains(&b'\n'), "raw newline in {}", to_s(&buf));
        let v = crate::testutil::checked_record(&buf);
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
        assert_eq!(v["ecs"]["version"], "9.4.0");
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
        if action == "exec" || action == "end" {
            // A program: its own pid, the shell as its parent.
            assert_eq!(v["process"]["parent"]["pid"], 4242);
            assert_eq!(v["process"]["parent"]["entity_id"], format!("{SESSION}-p0"));
            assert_eq!(v["process"]["session_leader"]["same_as_process"], false);
        } else {
            assert_eq!(v["process"]["pid"], 4242);
            assert_eq!(v["process"]["entity_id"], format!("{SESSION}-p0"));
            assert_eq!(v["process"]["parent"]["pid"], 4241);
            assert_eq!(v["process"]["session_leader"]["same_as_process"], true);
            assert_eq!(v["process"]["interactive"], true);
        }
        for leader in ["session_leader", "entry_leader"] {
            let l = &v["process"][leader];
            assert_eq!(l["entity_id"], format!("{SESSION}-p0"), "{leader}");
            assert_eq!(l["pid"], 4242);
            assert_eq!(l["name"], "auditsh");
            assert_eq!(l["args"], serde_json::json!(["-auditsh"]));
            assert_eq!(l["user"]["id"], "1000");
            assert_eq!(l["tty"]["char_device"]["major"], 136);
        }
        assert_eq!(v["process"]["entry_leader"]["entry_meta"]["type"], "sshd");
        assert_eq!(
            v["process"]["entry_leader"]["entry_meta"]["source"]["ip"],
            "192.0.2.7"
        );
        assert_eq!(v["source"]["ip"], "192.0.2.7");
        assert_eq!(v["source"]["port"], 51234);
        assert_eq!(v["auditsh"]["version"], 2);
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
            waited_ms: None,
        });
        check_common(&v, "session-start", "session", "start");
        assert_eq!(v["auditsh"]["login"], true);
        assert_eq!(v["process"]["args"], serde_json::json!(["-auditsh", "-l"]));
        assert_eq!(v["process"]["parent"]["name"], "sshd");
        assert_eq!(v["auditsh"]["parent_trusted"], false);
        assert!(v["auditsh"].get("pam_session").is_none());
        let start_of = |id: &Identity| {
            let start = Action::SessionStart {
                login: false,
                args: &args,
                pam_session: None,
                waited_ms: None,
            };
            encode_with(id, &start, 65536).1
        };
        let mut id = identity();
        id.parent_trusted = true;
        assert_eq!(start_of(&id)["auditsh"]["parent_trusted"], true);
        id.parent_name = None;
        assert!(start_of(&id)["auditsh"].get("parent_trusted").is_none());
        assert!(v.get("error").is_none());
        assert!(v["event"].get("duration").is_none());
    }

    #[test]
    fn command_start_and_end() {
        let v = rec(&Action::CommandStart {
            text: b"rm -rf /tmp/x",
            cwd: b"/home/alice",
            script: None,
            logical_cwd: None,
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
            logical_cwd: None,
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
            signal: Some(crate::sys::signal::SIGKILL),
        });
        assert_eq!(v["event"]["outcome"], "failure");
        assert_eq!(v["process"]["exit_code"], 137);
        assert_eq!(v["auditsh"]["signal"], "KILL");
    }

    #[test]
    fn exec() {
        let argv = vec![b"rm".to_vec(), b"-rf".to_vec(), b"/tmp/x".to_vec()];
        let v = rec(&Action::Exec {
            program: program(),
            executable: b"/usr/bin/rm",
            argv: &argv,
            cwd: b"/home/alice",
            origin: None,
            command: Some(3),
            logical_cwd: None,
            file: None,
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
        assert_eq!(v["process"]["pid"], 5000);
        assert_eq!(v["process"]["name"], "rm");
        assert_eq!(v["process"]["group_leader"]["pid"], 5000);
        assert_eq!(v["process"]["group_leader"]["same_as_process"], true);
        assert_eq!(v["process"]["tty"]["char_device"]["minor"], 3);
        assert_eq!(
            keys(&v["process"]),
            [
                "args",
                "args_count",
                "entity_id",
                "entry_leader",
                "executable",
                "group_leader",
                "interactive",
                "name",
                "parent",
                "pid",
                "session_leader",
                "start",
                "tty",
                "working_directory"
            ]
        );

        let v = rec(&Action::Exec {
            program: program(),
            executable: b"/bin/ls",
            argv: &argv[..1],
            cwd: b"/",
            origin: Some((b"/etc/auditsh/auditshrc", 12)),
            command: None,
            logical_cwd: None,
            file: None,
        });
        assert_eq!(v["auditsh"]["source"]["file"], "/etc/auditsh/auditshrc");
        assert_eq!(v["auditsh"]["source"]["line"], 12);
        assert!(v["auditsh"].get("command").is_none());
        assert!(v["auditsh"].get("executable").is_none());
        assert!(v["auditsh"].get("logical_cwd").is_none());

        let v = rec(&Action::Exec {
            program: program(),
            executable: b"/home/alice/bin/x",
            argv: &argv[..1],
            cwd: b"/home/alice",
            origin: None,
            command: Some(3),
            logical_cwd: Some(b"/home/decoy"),
            file: Some(FileId {
                device: 64769,
                inode: 18446744073709551615,
                target: Some(b"/opt/x"),
            }),
        });
        assert_eq!(v["process"]["working_directory"], "/home/alice");
        assert_eq!(v["auditsh"]["logical_cwd"], "/home/decoy");
        assert_eq!(
            v["auditsh"]["executable"],
            serde_json::json!({"device": "64769", "inode": "18446744073709551615", "target": "/opt/x"})
        );
        // An unknown working directory is left out.
        let v = rec(&Action::Exec {
            program: program(),
            executable: b"/bin/x",
            argv: &argv[..1],
            cwd: b"",
            origin: None,
            command: None,
            logical_cwd: Some(b"/gone"),
            file: Some(FileId {
                device: 1,
                inode: 2,
                target: None,
            }),
        });
        assert!(v["process"].get("working_directory").is_none());
        assert_eq!(
            v["auditsh"]["executable"],
            serde_json::json!({"device": "1", "inode": "2"})
        );
    }

    #[test]
    fn identity_text_follows_the_records_form() {
        // A parent that named itself with a backslash: exact in a record that is not lossy,
        // doubled in one that is.
        let mut id = identity();
        id.parent_name = Some("a\\xff".into());
        let args = vec![b"-auditsh".to_vec()];
        let start = |args: &[Vec<u8>]| {
            encode_with(
                &id,
                &Action::SessionStart {
                    login: true,
                    args,
                    pam_session: None,
                    waited_ms: None,
                },
                65536,
            )
            .1
        };
        let v = start(&args);
        assert_eq!(v["process"]["parent"]["name"], "a\\xff");
        assert!(v["auditsh"].get("lossy").is_none());
        let lossy_args = vec![b"-auditsh\xff".to_vec()];
        let v = start(&lossy_args);
        assert_eq!(v["auditsh"]["lossy"], true);
        assert_eq!(v["process"]["parent"]["name"], "a\\\\xff");
        assert_eq!(v["process"]["args"][0], "-auditsh\\xff");
    }

    #[test]
    fn viewer_controls_are_escaped_in_every_field() {
        let text = "ls \u{202e}txt.exe\u{85}\u{7f}";
        let (buf, v) = encode_with(
            &identity(),
            &Action::CommandStart {
                text: text.as_bytes(),
                cwd: "/tmp/\u{2067}".as_bytes(),
                script: None,
                logical_cwd: None,
            },
            65536,
        );
        let line = String::from_utf8(buf).unwrap();
        for raw in ['\u{202e}', '\u{85}', '\u{7f}', '\u{2067}'] {
            assert!(!line.contains(raw), "{raw:?} in {line}");
        }
        assert!(line.contains("\\u202etxt.exe\\u0085\\u007f"), "{line}");
        assert_eq!(v["process"]["command_line"], text);
        assert_eq!(v["process"]["working_directory"], "/tmp/\u{2067}");
        assert!(v["message"].as_str().unwrap().ends_with(text));
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
            lost: Lost {
                count: 27,
                first_sequence: 12,
            },
        });
        check_common(&v, "audit-failure", "session", "info");
        assert_eq!(v["auditsh"]["sink"], "spool");
        assert_eq!(v["auditsh"]["recovered"], true);
        assert_eq!(v["auditsh"]["lost"]["count"], 27);
        assert_eq!(v["auditsh"]["lost"]["first_sequence"], 12);
        assert!(v.get("error").is_none());
    }

    #[test]
    fn denied() {
        let refused = Action::CommandStart {
            text: b"rm -rf /",
            cwd: b"/",
            script: None,
            logical_cwd: None,
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
                lost: Lost {
                    count: 1,
                    first_sequence: 1,
                },
            },
            65536,
        );
        assert!(v["user"].get("audit").is_none());
        assert!(v["auditsh"].get("tty").is_none());
        assert!(v["auditsh"].get("audit_session").is_none());
        assert!(v.get("source").is_none());
        assert_eq!(
            v["message"],
            "alice@web01: audit sink spool recovered (1 record lost from sequence 1)"
        );
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
                logical_cwd: None,
            },
            65536,
        );
        // Lossy: the text's own backslash is doubled, the bad bytes are `\xNN`.
        assert_eq!(
            v["process"]["command_line"],
            "echo \"}\n{\"event\":1}\r\x1b[2J\x00\x01\t\\\\ \\xff\\xfe end"
        );
        assert_eq!(v["auditsh"]["lossy"], true);
        assert_eq!(
            text::decode_lossy(v["process"]["command_line"].as_str().unwrap()).unwrap(),
            text
        );
    }

    #[test]
    fn lossy_args_and_paths() {
        let argv = vec![b"cat".to_vec(), b"caf\xe9".to_vec()];
        let (_, v) = encode_with(
            &identity(),
            &Action::Exec {
                program: program(),
                executable: b"/bin/cat",
                argv: &argv,
                cwd: b"/tmp/\xff",
                origin: None,
                command: None,
                logical_cwd: None,
                file: None,
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
                lost: Lost {
                    count: 1,
                    first_sequence: 1,
                },
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
                logical_cwd: None,
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
                program: program(),
                executable: b"/bin/rm",
                argv: &argv,
                cwd: b"/",
                origin: None,
                command: None,
                logical_cwd: None,
                file: None,
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
                logical_cwd: None,
            },
            max,
        );
        assert!(buf.len() < max, "{} bytes", buf.len());
        assert_eq!(v["auditsh"]["truncated"], true);
        assert_eq!(v["auditsh"]["lossy"], true);
    }
}
