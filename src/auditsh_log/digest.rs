//! What `verify` needs of each line, worked out where the line is read.
//!
//! Checking a session's chain is sequential (each record's `auditsh.prev` is the hash of the
//! one before it, and a session's copies may be spread over many files), but almost all of the
//! work is not: parsing the record, hashing its line, checking its fields, its `event.id`, its
//! sender and its MAC. A [`Digester`] does that on the worker thread that reads the file
//! ([`super::scan`]) and keeps a small [`Fact`] per line; the [`super::verify::Verifier`]
//! then walks the facts in file order and keeps each session's state.

use super::authenticate::{Authenticator, Checked};
use super::input::{self, Format, Line as Read};
use super::line::{classify, Classified, Copy};
use super::printable;
use super::scan::{Line, Visitor};
use super::verify::Kind;
use super::view::{Field, Leader, Lost, Parent, Record, Strings, Text, Tty};
use crate::audit::chain::line_hash;
use serde::Deserialize;
use serde_json::Value;

/// What one file's lines held, for the verifier.
#[derive(Debug, Default)]
pub struct FileDigest {
    /// The lines that hold records or should, in order.
    pub facts: Vec<Fact>,
    /// Lines read in all.
    pub lines: u64,
    /// `host.hostname` of the file's first spool record: whose spool tree the file is in.
    pub spool_host: Option<String>,
    /// The sessions of the file's records, each once (`Rec::session` numbers them).
    pub sessions: Vec<String>,
}

/// One line that holds a record, or should.
#[derive(Debug)]
pub enum Fact {
    Record(Rec),
    Damaged(Damaged),
}

/// A line that should be a record and is not.
#[derive(Debug)]
pub struct Damaged {
    pub no: u64,
    pub copy: Copy,
    pub kind: Kind,
    pub what: String,
    /// The session and sequence its `event.id` names, when what is left shows one.
    pub torn_id: Option<(String, u64)>,
    /// A syslog line that may be a record cut by the transport: its length and hash (the
    /// spool copy of the record decides).
    pub cut: Option<(usize, [u8; 32])>,
}

impl Damaged {
    /// What is left where a damaged line was taken out of a digest.
    pub fn placeholder() -> Damaged {
        Damaged {
            no: 0,
            copy: Copy::Spool,
            kind: Kind::Torn,
            what: String::new(),
            torn_id: None,
            cut: None,
        }
    }
}

/// A record: what the verifier's state needs of it.
#[derive(Debug)]
pub struct Rec {
    pub no: u64,
    pub copy: Copy,
    /// The record's session: its number in [`FileDigest::sessions`].
    pub session: u32,
    pub seq: Option<u64>,
    pub action: Action,
    /// The pids of the processes that may have written it (`process.pid`, but for `end`
    /// records: see [`writers`]); of `session-start`, the first is the shell's.
    pub writers: [Option<u64>; 2],
    /// Schema 2: the fingerprint of the session's shell as the record's leaders name it
    /// (`process.session_leader` and `entry_leader`, [`Leader::fingerprint`]), when both are
    /// there and agree with each other.
    pub leaders: Option<u64>,
    /// SHA-256 of the JSON text: the next record's `auditsh.prev`.
    pub hash: [u8; 32],
    /// `auditsh.prev`, when it is 64 hex digits.
    pub prev: Option<[u8; 32]>,
    /// What is wrong with the record on its own, in the order it is reported.
    pub problems: Vec<(Kind, String)>,
    /// Of `session-start`: where and when the session began.
    pub start: Option<Box<Start>>,
    /// A recovery record of this copy's sink: the first and last sequence it lost.
    pub loss: Option<(u64, u64)>,
    /// With `--key`: what the MAC check found.
    pub sealed: Option<Box<Checked>>,
    /// Of schema 2 (`auditsh.version` 2 or later): its syslog copy may arrive out of order
    /// among the records of processes running alongside.
    pub v2: bool,
}

/// The actions the verifier's rules name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SessionStart,
    SessionEnd,
    /// `exec`, `end` or `audit-failure`: may come from a background job after the shell's end.
    FromJob,
    KeyRollover,
    Other,
}

/// Where and when a session began (its `session-start`).
#[derive(Debug, Clone)]
pub struct Start {
    pub host: Option<String>,
    /// `YYYY-MM-DD` (UTC): the spool's day directory of its file.
    pub day: Option<String>,
    /// Seconds since the epoch.
    pub unix: Option<i64>,
}

/// The fields `verify` reads of a record: fewer than [`Record`]'s, and none allocated (a
/// record is parsed about 1.5 times as fast). Lenient per field, as [`Record`] is.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Fields<'a> {
    #[serde(rename = "@timestamp", borrow)]
    pub timestamp: Text<'a>,
    #[serde(borrow)]
    pub ecs: EcsFields<'a>,
    #[serde(borrow)]
    pub event: EventFields<'a>,
    #[serde(borrow)]
    pub message: Text<'a>,
    #[serde(borrow)]
    pub host: HostFields<'a>,
    #[serde(borrow)]
    pub user: UserFields<'a>,
    #[serde(borrow)]
    pub group: IdFields<'a>,
    #[serde(borrow)]
    pub process: ProcessFields<'a>,
    #[serde(borrow)]
    pub error: ErrorFields<'a>,
    #[serde(borrow)]
    pub auditsh: AuditshFields<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EcsFields<'a> {
    #[serde(borrow)]
    pub version: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EventFields<'a> {
    #[serde(borrow)]
    pub kind: Text<'a>,
    pub category: Field<Strings>,
    #[serde(rename = "type")]
    pub kind_of: Field<Strings>,
    #[serde(borrow)]
    pub action: Text<'a>,
    pub sequence: Field<u64>,
    #[serde(borrow)]
    pub id: Text<'a>,
    pub duration: Field<u64>,
    #[serde(borrow)]
    pub outcome: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HostFields<'a> {
    #[serde(borrow)]
    pub hostname: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IdFields<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserFields<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow)]
    pub effective: IdFields<'a>,
}

/// `process`: of schema 1 the pids; of schema 2 also what names the process and its leaders.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProcessFields<'a> {
    pub pid: Field<u64>,
    #[serde(borrow)]
    pub parent: Parent<'a>,
    #[serde(borrow)]
    pub entity_id: Text<'a>,
    #[serde(borrow)]
    pub start: Text<'a>,
    #[serde(borrow)]
    pub end: Text<'a>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub executable: Text<'a>,
    pub args: Field<Strings>,
    pub args_count: Field<u64>,
    pub exit_code: Field<i64>,
    pub interactive: Field<bool>,
    pub tty: Field<Tty>,
    #[serde(borrow)]
    pub group_leader: Field<Leader<'a>>,
    #[serde(borrow)]
    pub session_leader: Field<Leader<'a>>,
    #[serde(borrow)]
    pub entry_leader: Field<Leader<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ErrorFields<'a> {
    #[serde(borrow)]
    pub code: Text<'a>,
    #[serde(borrow)]
    pub message: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditshFields<'a> {
    pub version: Field<u64>,
    #[serde(borrow)]
    pub session: Text<'a>,
    #[serde(borrow)]
    pub mode: Text<'a>,
    #[serde(borrow)]
    pub prev: Text<'a>,
    #[serde(borrow)]
    pub sink: Text<'a>,
    pub recovered: Field<bool>,
    pub lost: Option<Lost>,
    pub key_epoch: Field<u64>,
    pub next_key_epoch: Field<u64>,
    #[serde(borrow)]
    pub mac: Text<'a>,
    pub lossy: Field<bool>,
}

impl<'a> Fields<'a> {
    /// The fields of a record the tools' view already parsed (the same leniency: one parse
    /// serves both when `sessions` and `report` digest what they read).
    pub fn from_record(r: &Record<'a>) -> Fields<'a> {
        let strings = |f: &Field<Vec<std::borrow::Cow<'a, str>>>| match f {
            Field::Ok(_) => Field::Ok(Strings),
            Field::Bad => Field::Bad,
            Field::Absent => Field::Absent,
        };
        let a = &r.auditsh;
        let p = &r.process;
        Fields {
            timestamp: r.timestamp.clone(),
            ecs: EcsFields {
                version: r.ecs.version.clone(),
            },
            event: EventFields {
                kind: r.event.kind.clone(),
                category: strings(&r.event.category),
                kind_of: strings(&r.event.kind_of),
                action: r.event.action.clone(),
                sequence: r.event.sequence.clone(),
                id: r.event.id.clone(),
                duration: r.event.duration.clone(),
                outcome: r.event.outcome.clone(),
            },
            message: r.message.clone(),
            host: HostFields {
                hostname: r.host.hostname.clone(),
            },
            user: UserFields {
                id: r.user.id.clone(),
                effective: IdFields {
                    id: r.user.effective.id.clone(),
                },
            },
            group: IdFields {
                id: r.group.id.clone(),
            },
            process: ProcessFields {
                pid: r.process.pid.clone(),
                parent: r.process.parent.clone(),
                entity_id: p.entity_id.clone(),
                start: p.start.clone(),
                end: p.end.clone(),
                name: p.name.clone(),
                executable: p.executable.clone(),
                args: strings(&p.args),
                args_count: p.args_count.clone(),
                exit_code: p.exit_code.clone(),
                interactive: p.interactive.clone(),
                tty: p.tty.clone(),
                group_leader: p.group_leader.clone(),
                session_leader: p.session_leader.clone(),
                entry_leader: p.entry_leader.clone(),
            },
            error: ErrorFields {
                code: r.error.code.clone(),
                message: r.error.message.clone(),
            },
            auditsh: AuditshFields {
                version: a.version.clone(),
                session: a.session.clone(),
                mode: a.mode.clone(),
                prev: a.prev.clone(),
                sink: a.sink.clone(),
                recovered: a.recovered.clone(),
                lost: a.lost.clone(),
                key_epoch: a.key_epoch.clone(),
                next_key_epoch: a.next_key_epoch.clone(),
                mac: a.mac.clone(),
                lossy: a.lossy.clone(),
            },
        }
    }

    /// Parse the JSON text of a record (checked as UTF-8 once, as [`super::view::parse`]).
    pub fn parse(json: &[u8]) -> Result<Fields<'_>, serde_json::Error> {
        super::view::parse_as(json)
    }

    pub fn action(&self) -> &str {
        self.event.action.str().unwrap_or("")
    }

    pub fn session(&self) -> Option<&str> {
        self.auditsh.session.str()
    }
}

/// A line that holds a record: where it is and what of it is the record.
#[derive(Debug, Clone, Copy)]
pub struct Place<'b> {
    /// 1-based line number.
    pub no: u64,
    /// The whole line.
    pub raw: &'b [u8],
    /// The record's JSON text in it.
    pub json: &'b [u8],
    pub copy: Copy,
    /// The line is auditsh's (see [`classify`]).
    pub sure: bool,
    /// It ended with a newline.
    pub newline: bool,
}

/// Digests the lines of one file (a [`Visitor`] that asks for no parsed record: it parses
/// what it needs itself, every line).
pub struct Digester {
    format: Format,
    auth: Option<Authenticator>,
    pub digest: FileDigest,
    spool_seen: bool,
    /// The numbers of the sessions met, and the last one's (a spool file's records are all
    /// of one session).
    numbers: std::collections::HashMap<String, u32>,
    last: Option<u32>,
}

impl Digester {
    /// For a file in `format`; `auth` checks MACs (`--key`), a copy per file.
    pub fn new(format: Format, auth: Option<Authenticator>) -> Digester {
        Digester {
            format,
            auth,
            digest: FileDigest::default(),
            spool_seen: false,
            numbers: std::collections::HashMap::new(),
            last: None,
        }
    }

    /// The session's number in this file.
    fn number(&mut self, session: &str) -> u32 {
        let sessions = &mut self.digest.sessions;
        if let Some(n) = self.last.filter(|&n| sessions[n as usize] == session) {
            return n;
        }
        let n = match self.numbers.get(session) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(sessions.len()).unwrap_or(u32::MAX);
                sessions.push(session.to_string());
                self.numbers.insert(session.to_string(), n);
                n
            }
        };
        self.last = Some(n);
        n
    }

    fn damaged(&mut self, no: u64, copy: Copy, json: &[u8], kind: Kind, what: String) {
        let torn_id = torn_event_id(json);
        let cut = (copy == Copy::Syslog && torn_id.is_some() && !json.is_empty())
            .then(|| (json.len(), line_hash(json)));
        self.digest.facts.push(Fact::Damaged(Damaged {
            no,
            copy,
            kind,
            what,
            torn_id,
            cut,
        }));
    }

    /// A line the record parser refused: what it is, from a generic JSON parse (a rare path).
    fn unparsed(&mut self, no: u64, copy: Copy, sure: bool, json: &[u8], newline: bool, e: &str) {
        let (kind, what) = match serde_json::from_slice::<Value>(json) {
            Err(e) if sure => {
                let what = if json.is_empty() {
                    "an empty line, not a record".to_string()
                } else if !newline {
                    format!("a line cut short, where the file ends ({e})")
                } else {
                    format!("not a JSON record: torn or altered line ({e})")
                };
                (Kind::Torn, what)
            }
            Err(_) => return,
            Ok(v) => {
                let auditsh = v.get("auditsh");
                if auditsh.is_none() && !sure {
                    return; // another program's JSON
                }
                let what = if !v.is_object() {
                    "a JSON value that is not a record (not an object)".to_string()
                } else if auditsh
                    .and_then(|a| a.get("session"))
                    .is_none_or(|s| !s.is_string())
                {
                    "a record with no auditsh.session".to_string()
                } else {
                    format!("not a record as auditsh writes it ({e})")
                };
                (Kind::Altered, what)
            }
        };
        self.damaged(no, copy, json, kind, what);
    }
}

impl Visitor for Digester {
    fn line(&mut self, no: u64, raw: &[u8], kind: Read) {
        self.digest.lines = no;
        let Classified::Record { json, copy, sure } = classify(raw, self.format) else {
            return;
        };
        let newline = match kind {
            Read::Text { newline } => newline,
            Read::TooLong { len } => {
                if sure {
                    let what = format!("a line of {len} bytes, longer than any record");
                    self.damaged(no, copy, json, Kind::Torn, what);
                }
                return;
            }
        };
        match Fields::parse(json) {
            Ok(rec) => {
                let at = Place {
                    no,
                    raw,
                    json,
                    copy,
                    sure,
                    newline,
                };
                self.fields(&at, &rec)
            }
            Err(e) => self.unparsed(no, copy, sure, json, newline, &e.to_string()),
        }
    }

    fn wants(&mut self, _json: &[u8]) -> bool {
        false
    }

    fn record(&mut self, _line: &Line, _record: Record<'_>) {}
}

impl Digester {
    /// Digest a line that parsed, given its fields.
    pub fn fields(&mut self, at: &Place, rec: &Fields) {
        let Place {
            no,
            raw,
            json,
            copy,
            sure,
            newline,
        } = *at;
        self.digest.lines = self.digest.lines.max(no);
        let Some(session) = rec.session() else {
            if sure || !matches!(rec.auditsh.session, Field::Absent) {
                let what = "a record with no auditsh.session".to_string();
                self.damaged(no, copy, json, Kind::Altered, what);
            }
            return;
        };
        if copy == Copy::Spool && !self.spool_seen {
            self.spool_seen = true;
            self.digest.spool_host = rec.host.hostname.str().map(str::to_string);
        }
        let mut problems = Vec::new();
        if copy == Copy::Syslog {
            let prefix = &raw[..raw.len() - json.len()];
            if let Some(what) = foreign_sender(prefix, rec) {
                problems.push((Kind::Forged, what));
            }
        }
        let prev = rec.auditsh.prev.str().and_then(|p| {
            let mut out = [0u8; 32];
            crate::audit::mac::decode_hex(p.as_bytes(), &mut out).then_some(out)
        });
        record_problems(rec, session, prev.as_ref(), newline, &mut problems);
        let action = match rec.action() {
            // The PAM module's login (`pam-session-open`/`-close`) is a session of its own.
            "session-start" | "pam-session-open" => Action::SessionStart,
            "session-end" | "pam-session-close" => Action::SessionEnd,
            "exec" | "end" | "audit-failure" => Action::FromJob,
            "key-rollover" => Action::KeyRollover,
            _ => Action::Other,
        };
        let start = (action == Action::SessionStart).then(|| {
            let ts = rec.timestamp.str();
            Box::new(Start {
                host: rec.host.hostname.str().map(str::to_string),
                day: ts
                    .and_then(|t| t.get(..10))
                    .filter(|d| input::is_day_name(d.as_bytes()))
                    .map(str::to_string),
                unix: ts
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.timestamp()),
            })
        });
        let sealed = self.auth.as_mut().map(|a| Box::new(a.check(json, rec)));
        let session = self.number(session);
        self.digest.facts.push(Fact::Record(Rec {
            no,
            copy,
            session,
            seq: rec.event.sequence.value(),
            action,
            writers: writers(rec),
            leaders: leaders(rec),
            hash: line_hash(json),
            prev,
            problems,
            start,
            loss: sink_loss(rec, copy),
            sealed,
            v2: version(rec) >= 2,
        }));
    }
}

/// The pids of the processes that may have written a record. A record's `process.pid` is its
/// writer's (schema 1; in schema 2 an `exec` record is written by the process that becomes the
/// program). An `end` record's is the program's: it was written by the shell that waited for
/// the program (`process.parent.pid`), or, for a program that never started after its `exec`
/// record (`error`), maybe by the forked child that tried to become it (that `process.pid`).
pub fn writers(r: &Fields) -> [Option<u64>; 2] {
    let pid = r.process.pid.value();
    if r.action() == "end" {
        let refused = !r.error.code.is_absent() || !r.error.message.is_absent();
        [r.process.parent.pid.value(), pid.filter(|_| refused)]
    } else {
        [pid, None]
    }
}

/// The session's shell as a schema 2 record names it in `process.session_leader` and
/// `process.entry_leader` (with `entry_meta`), fingerprinted; none when either is missing or
/// the two name different processes (a finding of its own).
fn leaders(r: &Fields) -> Option<u64> {
    let p = &r.process;
    if !leader_fields(&p.session_leader, false).is_empty()
        || !leader_fields(&p.entry_leader, true).is_empty()
    {
        return None;
    }
    let s = p.session_leader.get()?;
    let e = p.entry_leader.get()?;
    let lossy = r.auditsh.lossy.value() == Some(true);
    let fingerprint = s.fingerprint(lossy);
    if fingerprint != e.fingerprint(lossy) {
        return None;
    }
    let mut f = super::view::Fingerprint(fingerprint);
    f.number(Some(e.entry_fingerprint()));
    Some(f.0)
}

/// Whose record it is (schema 2): the shell's own (`process` is the shell, `<session>-p0`), a
/// program's (`exec`, `end`, a refused `exec`), or an action this tool does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum About {
    Shell,
    Program,
    Unknown,
}

fn about(r: &Fields) -> About {
    match r.action() {
        "session-start" | "command" | "session-end" | "audit-failure" | "key-rollover"
        | "pam-session-open" | "pam-session-close" => About::Shell,
        "exec" | "end" => About::Program,
        "denied" if r.process.args.is_ok() && r.process.executable.is_ok() => About::Program,
        "denied" => About::Shell,
        _ => About::Unknown,
    }
}

/// The schema version a record says it is (1 when it says nothing readable: those fields are
/// a finding of their own).
fn version(r: &Fields) -> u64 {
    r.auditsh.version.value().unwrap_or(1)
}

/// The fields every record carries, and what each must be; of schema 2 also the process model
/// (`process.entity_id`, the leaders) and what each kind of record is made of.
fn bad_fields(r: &Fields, prev: Option<&[u8; 32]>) -> Vec<&'static str> {
    let str_ok = |f: &Field<std::borrow::Cow<str>>| f.is_ok();
    let hash_ok = prev.is_some();
    let v2 = version(r) >= 2;
    let about = about(r);
    // Of schema 2, a program that never started has no pid.
    let pid_ok = r.process.pid.is_ok() || (v2 && r.action() == "end" && r.process.pid.is_absent());
    let checks: [(&str, bool); 19] = [
        ("@timestamp", str_ok(&r.timestamp)),
        ("ecs.version", str_ok(&r.ecs.version)),
        ("event.kind", str_ok(&r.event.kind)),
        ("event.category", r.event.category.is_ok()),
        ("event.type", r.event.kind_of.is_ok()),
        ("event.action", str_ok(&r.event.action)),
        ("event.sequence", r.event.sequence.is_ok()),
        ("event.id", str_ok(&r.event.id)),
        ("message", str_ok(&r.message)),
        ("host.hostname", str_ok(&r.host.hostname)),
        ("user.id", str_ok(&r.user.id)),
        ("user.effective.id", str_ok(&r.user.effective.id)),
        ("group.id", str_ok(&r.group.id)),
        ("process.pid", pid_ok),
        ("process.parent.pid", r.process.parent.pid.is_ok()),
        ("auditsh.version", r.auditsh.version.is_ok()),
        ("auditsh.session", str_ok(&r.auditsh.session)),
        ("auditsh.mode", str_ok(&r.auditsh.mode)),
        ("auditsh.prev", hash_ok),
    ];
    let mut bad: Vec<&'static str> = checks
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(path, _)| *path)
        .collect();
    if !v2 {
        return bad;
    }
    let p = &r.process;
    let mut need = |path: &'static str, ok: bool| {
        if !ok {
            bad.push(path);
        }
    };
    need("process.entity_id", p.entity_id.is_ok());
    need("process.interactive", p.interactive.is_ok());
    need("process.tty", !matches!(p.tty, Field::Bad));
    match about {
        About::Shell => {
            need("process.start", p.start.is_ok());
            need("process.name", p.name.is_ok());
        }
        About::Program if r.action() == "exec" => {
            need("process.start", p.start.is_ok());
            need("process.name", p.name.is_ok());
            need("process.executable", p.executable.is_ok());
            need("process.args", p.args.is_ok());
            need("process.args_count", p.args_count.is_ok());
            match &p.group_leader {
                Field::Ok(g) => {
                    need("process.group_leader.pid", g.pid.is_ok());
                    need(
                        "process.group_leader.same_as_process",
                        g.same_as_process.is_ok(),
                    );
                }
                _ => need("process.group_leader", false),
            }
        }
        About::Program if r.action() == "end" => {
            need("process.start", p.start.is_ok());
            need("process.end", p.end.is_ok());
            need("process.exit_code", p.exit_code.is_ok());
            need("event.duration", r.event.duration.is_ok());
            need("event.outcome", r.event.outcome.is_ok());
        }
        _ => {}
    }
    bad.extend(leader_fields(&p.session_leader, false));
    bad.extend(leader_fields(&p.entry_leader, true));
    bad
}

/// What is missing or malformed of `process.session_leader` (`entry`: `entry_leader`).
fn leader_fields(leader: &Field<Leader>, entry: bool) -> Vec<&'static str> {
    let Field::Ok(l) = leader else {
        return vec![if entry {
            "process.entry_leader"
        } else {
            "process.session_leader"
        }];
    };
    let fields: [(&'static str, &'static str, bool); 10] = [
        (
            "process.session_leader.entity_id",
            "process.entry_leader.entity_id",
            l.entity_id.is_ok(),
        ),
        (
            "process.session_leader.pid",
            "process.entry_leader.pid",
            l.pid.is_ok(),
        ),
        (
            "process.session_leader.start",
            "process.entry_leader.start",
            l.start.is_ok(),
        ),
        (
            "process.session_leader.name",
            "process.entry_leader.name",
            l.name.is_ok(),
        ),
        (
            "process.session_leader.args",
            "process.entry_leader.args",
            l.args.is_ok(),
        ),
        (
            "process.session_leader.args_count",
            "process.entry_leader.args_count",
            l.args_count.is_ok(),
        ),
        (
            "process.session_leader.interactive",
            "process.entry_leader.interactive",
            l.interactive.is_ok(),
        ),
        (
            "process.session_leader.user.id",
            "process.entry_leader.user.id",
            l.user.id.is_ok(),
        ),
        (
            "process.session_leader.same_as_process",
            "process.entry_leader.same_as_process",
            l.same_as_process.is_ok(),
        ),
        (
            "process.session_leader.tty",
            "process.entry_leader.tty",
            !matches!(l.tty, Field::Bad),
        ),
    ];
    let mut bad: Vec<&'static str> = fields
        .iter()
        .filter(|f| !f.2)
        .map(|&(s, e, _)| if entry { e } else { s })
        .collect();
    if entry && !l.entry_meta.get().is_some_and(|m| m.kind.is_ok()) {
        bad.push("process.entry_leader.entry_meta.type");
    }
    bad
}

/// `<session>-p0`: the session's shell as a process.
fn is_shell_entity(id: &str, session: &str) -> bool {
    id.strip_prefix(session) == Some("-p0")
}

/// `<session>-pN` or `<session>-pN.M…`, the numbers in decimal.
fn is_session_entity(id: &str, session: &str) -> bool {
    let Some(path) = id.strip_prefix(session).and_then(|r| r.strip_prefix("-p")) else {
        return false;
    };
    path.split('.').all(|n| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    })
}

/// What a schema 2 record says of its processes that cannot be: entity ids of another
/// session, leaders that are not the session's shell or not the same process, a shell's
/// record about another process and a program's about the shell.
fn process_problems(r: &Fields, session: &str, out: &mut Vec<(Kind, String)>) {
    if version(r) < 2 {
        return;
    }
    let p = &r.process;
    let mut altered = |what: String| out.push((Kind::Altered, what));
    let want_shell = format!("{session}-p0");
    let about = about(r);
    if let Some(id) = p.entity_id.str() {
        if !is_session_entity(id, session) {
            altered(format!(
                "process.entity_id {} is not a process of the session ({}, {}.N ...)",
                printable::value(id),
                printable::value(&want_shell),
                printable::value(&format!("{session}-p1"))
            ));
        } else if about == About::Shell && !is_shell_entity(id, session) {
            altered(format!(
                "process.entity_id {} of a {} record is not the session's shell ({})",
                printable::value(id),
                printable::value(r.action()),
                printable::value(&want_shell)
            ));
        } else if about == About::Program && is_shell_entity(id, session) {
            altered(format!(
                "process.entity_id {} of a {} record is the session's shell, not a program",
                printable::value(id),
                printable::value(r.action())
            ));
        }
    }
    if about == About::Program {
        if let Some(id) = p.parent.entity_id.str() {
            // A program's parent is the shell, or the program a subshell is (a file with no
            // `#!` run as a script), whose id its own extends: `<session>-p1` of `-p1.1`.
            let made_by = p.entity_id.str().and_then(|own| own.rsplit_once('.'));
            if !is_shell_entity(id, session) && made_by.map(|(parent, _)| parent) != Some(id) {
                altered(format!(
                    "process.parent.entity_id {} is not the session's shell ({}) or the process that made it",
                    printable::value(id),
                    printable::value(&want_shell)
                ));
            }
        }
    }
    let (Some(s), Some(e)) = (p.session_leader.get(), p.entry_leader.get()) else {
        return;
    };
    // Malformed leaders are a finding already (missing or malformed).
    let whole = leader_fields(&p.session_leader, false).is_empty()
        && leader_fields(&p.entry_leader, true).is_empty();
    for (name, l) in [("session_leader", s), ("entry_leader", e)] {
        if let Some(id) = l.entity_id.str().filter(|id| !is_shell_entity(id, session)) {
            altered(format!(
                "process.{name}.entity_id {} is not the session's shell ({})",
                printable::value(id),
                printable::value(&want_shell)
            ));
        }
        let own = l.same_as_process.value();
        let want = match about {
            About::Shell => Some(true),
            About::Program => Some(false),
            About::Unknown => None,
        };
        if let (Some(own), Some(want)) = (own, want) {
            if own != want {
                altered(format!(
                    "process.{name}.same_as_process is {own} in a {} record, whose process is {}",
                    printable::value(r.action()),
                    if want { "the shell" } else { "a program" }
                ));
            }
        }
    }
    if whole && s.fingerprint(false) != e.fingerprint(false) {
        altered(
            "process.session_leader and process.entry_leader name different processes (both are the session's shell)"
                .to_string(),
        );
    }
}

/// What is wrong with a record of `session` on its own: fields, newline, `event.id`, and
/// `session-start` being first.
fn record_problems(
    r: &Fields,
    session: &str,
    prev: Option<&[u8; 32]>,
    newline: bool,
    out: &mut Vec<(Kind, String)>,
) {
    let bad = bad_fields(r, prev);
    if !bad.is_empty() {
        out.push((
            Kind::Altered,
            format!("missing or malformed: {}", bad.join(", ")),
        ));
    }
    process_problems(r, session, out);
    if !newline {
        let what = "no newline after the record: the file ends inside it".to_string();
        out.push((Kind::Torn, what));
    }
    let seq = r.event.sequence.value();
    let action = r.event.action.str();
    if let (Some(seq), Some(id)) = (seq, r.event.id.str()) {
        let matches = names_record(id, session, seq);
        if !matches {
            let want = format!("{session}-{seq}");
            out.push((
                Kind::Altered,
                format!(
                    "event.id {} is not the session and sequence ({})",
                    printable::value(id),
                    printable::value(&want)
                ),
            ));
        }
    }
    if let Some(seq) = seq {
        let starts = |a: &str| a == "session-start" || a == "pam-session-open";
        if action.is_some_and(starts) && seq != 0 {
            out.push((
                Kind::Altered,
                format!(
                    "{} with sequence {seq}: a session starts once, at 0",
                    action.unwrap_or("")
                ),
            ));
        }
        if seq == 0 && action.is_some_and(|a| !starts(a)) {
            out.push((
                Kind::Altered,
                format!(
                    "the first record (sequence 0) is {}, not session-start",
                    printable::value(action.unwrap_or(""))
                ),
            ));
        }
    }
}

/// `id` is `<session>-<seq>`, the sequence in decimal as the shell writes it.
fn names_record(id: &str, session: &str, seq: u64) -> bool {
    let Some(n) = id.strip_prefix(session).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    n.bytes().all(|b| b.is_ascii_digit())
        && (n == "0" || !n.starts_with('0'))
        && n.parse::<u64>().ok() == Some(seq)
}

/// A syslog line's sender, as rsyslog's trusted properties show it (`trusted(uid=U,gid=G,
/// pid=P)` before the record; packaging/rsyslog/auditsh.conf), against what the record and
/// its syslog tag say: a line that another process sent with auditsh's tag is forged.
fn foreign_sender(prefix: &[u8], r: &Fields) -> Option<String> {
    let trusted = trusted_credentials(prefix)?;
    let tag_pid = tag_pid(prefix);
    if let (Some(uid), Some(user)) = (trusted.uid, r.user.id.str()) {
        if user != uid.to_string() {
            return Some(format!(
                "sent by uid {uid} (the kernel's credentials), not by the record's user (user.id {}): not written by that user's shell (forged?)",
                printable::value(user)
            ));
        }
    }
    if let (Some(pid), Some(tag)) = (trusted.pid, tag_pid) {
        if pid != tag {
            return Some(format!(
                "sent by pid {pid} (the kernel's credentials) under the tag auditsh[{tag}]: not written by an auditsh shell (forged?)"
            ));
        }
    }
    None
}

/// The kernel's credentials of a syslog line's sender, when the line carries them.
#[derive(Debug, PartialEq, Eq)]
pub struct Credentials {
    pub uid: Option<u64>,
    pub pid: Option<u64>,
}

pub fn trusted_credentials(prefix: &[u8]) -> Option<Credentials> {
    const OPEN: &[u8] = b"trusted(";
    let start = prefix.windows(OPEN.len()).rposition(|w| w == OPEN)? + OPEN.len();
    let rest = &prefix[start..];
    let inner = &rest[..rest.iter().position(|&b| b == b')')?];
    let mut c = Credentials {
        uid: None,
        pid: None,
    };
    for part in inner.split(|&b| b == b',') {
        let number = |name: &[u8]| {
            part.strip_prefix(name)
                .and_then(|n| std::str::from_utf8(n).ok())
                .and_then(|n| n.parse::<u64>().ok())
        };
        c.uid = c.uid.or_else(|| number(b"uid="));
        c.pid = c.pid.or_else(|| number(b"pid="));
    }
    Some(c)
}

/// N of the syslog tag `auditsh[N]:`.
pub fn tag_pid(prefix: &[u8]) -> Option<u64> {
    const TAG: &[u8] = b"auditsh[";
    let start = prefix.windows(TAG.len()).position(|w| w == TAG)? + TAG.len();
    let rest = &prefix[start..];
    let digits = &rest[..rest.iter().position(|&b| b == b']')?];
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The sink a copy of the records comes from, as `auditsh.sink` names it.
pub fn copy_sink(copy: Copy) -> &'static str {
    match copy {
        Copy::Spool => "spool",
        Copy::Syslog => "syslog",
    }
}

/// A recovery record of the sink of `copy`: the first and last sequence it says that sink
/// lost (`auditsh.lost`).
fn sink_loss(r: &Fields, copy: Copy) -> Option<(u64, u64)> {
    if r.action() != "audit-failure"
        || r.auditsh.recovered.value() != Some(true)
        || r.auditsh.sink.str() != Some(copy_sink(copy))
    {
        return None;
    }
    let lost = r.auditsh.lost.as_ref()?;
    let first = lost.first_sequence.value()?;
    let count = lost.count.value()?;
    Some((first, first.checked_add(count.checked_sub(1)?)?))
}

/// The session and sequence named by the `event.id` (`"id":"SESSION-SEQ"`, the first `"id"`
/// of a record) of what is left of a torn line.
pub fn torn_event_id(json: &[u8]) -> Option<(String, u64)> {
    const KEY: &[u8] = b"\"id\":\"";
    let start = json.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let rest = &json[start..];
    let end = rest.iter().position(|&b| b == b'"')?;
    let id = std::str::from_utf8(&rest[..end]).ok()?;
    let (session, seq) = id.rsplit_once('-')?;
    if session.is_empty() || seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((session.to_string(), seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sessions` and `report` digest a record from the tools' parse of it, `verify` from its
    /// own: the two must find the same, for whole records and for malformed ones.
    #[test]
    fn a_record_digests_the_same_from_either_parse() {
        let whole = r#"{"@timestamp":"2026-11-21T13:04:48.752211Z","ecs":{"version":"8.11.0"},"event":{"kind":"event","category":["session"],"type":["start"],"action":"session-start","sequence":0,"id":"s1-0"},"message":"m","host":{"hostname":"h"},"user":{"id":"0","effective":{"id":"0"}},"group":{"id":"0"},"process":{"pid":7,"parent":{"pid":1}},"auditsh":{"version":1,"session":"s1","mode":"command","prev":"0000000000000000000000000000000000000000000000000000000000000000"}}"#;
        let lines = [
            whole.to_string(),
            whole.replace(r#""sequence":0"#, r#""sequence":"0""#),
            whole.replace(r#""category":["session"]"#, r#""category":"session""#),
            whole.replace(r#""type":["start"]"#, r#""type":["start",1]"#),
            whole.replace(r#","group":{"id":"0"}"#, ""),
            whole.replace(r#""id":"s1-0""#, r#""id":"s2-0""#),
            whole.replace(r#""action":"session-start""#, r#""action":"exec""#),
            whole.replace(r#""prev":"0000"#, r#""prev":"zz00"#),
        ];
        for line in &lines {
            let json = line.as_bytes();
            let at = Place {
                no: 1,
                raw: json,
                json,
                copy: Copy::Spool,
                sure: true,
                newline: true,
            };
            let mut own = Digester::new(Format::Spool, None);
            own.line(1, json, Read::Text { newline: true });
            let mut shared = Digester::new(Format::Spool, None);
            let record = super::super::view::parse(json).unwrap();
            shared.fields(&at, &Fields::from_record(&record));
            let (a, b) = (
                format!("{:?}", own.digest.facts),
                format!("{:?}", shared.digest.facts),
            );
            assert_eq!(a, b, "{line}");
            assert!(a.contains("Record"), "{a}");
        }
        // And the malformed ones are found.
        let mut d = Digester::new(Format::Spool, None);
        for (i, line) in lines.iter().enumerate() {
            d.line(i as u64 + 1, line.as_bytes(), Read::Text { newline: true });
        }
        let problems: Vec<usize> = d
            .digest
            .facts
            .iter()
            .map(|f| match f {
                Fact::Record(r) => r.problems.len(),
                Fact::Damaged(_) => 99,
            })
            .collect();
        assert_eq!(problems, [0, 1, 1, 1, 1, 1, 1, 1]);
    }
}
