//! What `sessions` and `report` count, in one pass over the files.
//!
//! Worker threads turn each record into a [`Fact`]: a few numbers, and text only where the
//! answer needs it (a session's first record in the file, command lines, privileged programs,
//! failures). The calling thread folds the facts, in file order and each record once, into
//! per-session state ([`SessionTally`]) and the report's lists: memory grows with the number
//! of sessions and with what the report lists, not with the corpus.

use super::filter::Filter;
use super::once::{session_key, Seen};
use super::scan::{Line, Visitor};
use super::view::{Privileged, Record};
use std::collections::{HashMap, HashSet};

static SESSION_START: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"action\":\"session-start\""));

/// What kind of record a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SessionStart,
    CommandStart,
    CommandEnd,
    Exec,
    /// A program's end (schema 2): neither a program started nor a command line that failed.
    ProgramEnd,
    Denied,
    AuditFailure,
    SessionEnd,
    Other,
}

/// Text a fact carries when the answer needs it.
#[derive(Debug, Default, Clone)]
pub struct Info {
    pub session: String,
    pub stamp: String,
    pub host: String,
    pub user: String,
    pub effective_user: String,
    pub login_user: String,
    pub tty: String,
    pub source_ip: String,
    pub mode: String,
    pub end_reason: String,
    pub command_line: String,
    pub executable: String,
    pub args: String,
    pub signal: String,
    pub sink: String,
    pub message: String,
    pub action: String,
}

/// One record, as `sessions` and `report` need it.
#[derive(Debug)]
pub struct Fact {
    pub session: u128,
    pub sequence: Option<u64>,
    pub kind: Kind,
    /// It passes the filters.
    pub matched: bool,
    /// `@timestamp`'s day as YYYYMMDD (0: none).
    pub day: u32,
    pub exit: Option<i64>,
    pub privileged: Option<Privileged>,
    /// The command start this command end belongs to (`auditsh.command`'s sequence).
    pub command: Option<u64>,
    pub info: Option<Box<Info>>,
}

/// The facts of one file.
pub struct Facts<'f> {
    filter: &'f Filter,
    /// Only what matches counts (`report`): other records need not be parsed, but for a
    /// session's start (the session's time and people).
    matching_only: bool,
    /// Sessions met in this file (their first record carries the session's text).
    met: HashSet<u128>,
    pub facts: Vec<Fact>,
}

impl<'f> Facts<'f> {
    pub fn new(filter: &'f Filter, matching_only: bool) -> Facts<'f> {
        Facts {
            filter,
            matching_only,
            met: HashSet::new(),
            facts: Vec::new(),
        }
    }
}

fn day_of(stamp: &str) -> u32 {
    let b = stamp.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return 0;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(y), Some(m), Some(d)) => y * 10_000 + m * 100 + d,
        _ => 0,
    }
}

/// The sequence in an `event.id`-like reference `<session>-<sequence>`.
fn sequence_of(reference: &str) -> Option<u64> {
    reference.rsplit('-').next()?.parse().ok()
}

fn kind_of(r: &Record) -> Kind {
    match r.action() {
        // A PAM module's login is a session of its own: its open and close are its start and end.
        "session-start" | "pam-session-open" => Kind::SessionStart,
        "command" if r.has_type("end") => Kind::CommandEnd,
        "command" => Kind::CommandStart,
        "exec" => Kind::Exec,
        "end" => Kind::ProgramEnd,
        "denied" => Kind::Denied,
        "audit-failure" => Kind::AuditFailure,
        "session-end" | "pam-session-close" => Kind::SessionEnd,
        _ => Kind::Other,
    }
}

fn info(r: &Record) -> Info {
    let s = |f: Option<&str>| f.unwrap_or("").to_string();
    Info {
        session: s(r.session()),
        stamp: s(r.timestamp.str()),
        host: s(r.host.hostname.str()),
        user: s(r.user_name()),
        effective_user: s(r.user.effective.name.str().or(r.user.effective.id.str())),
        login_user: s(r.login_user()),
        tty: s(r.auditsh.tty.str()),
        source_ip: s(r.source.ip.str()),
        mode: s(r.auditsh.mode.str()),
        end_reason: s(r.auditsh.end_reason.str()),
        command_line: s(r.process.command_line.str()),
        executable: s(r.program_executable()),
        args: r.args_joined().unwrap_or_default(),
        signal: s(r.auditsh.signal.str()),
        sink: s(r.auditsh.sink.str()),
        message: s(r.error.message.str().or(r.message.str())),
        action: r.action().to_string(),
    }
}

impl Visitor for Facts<'_> {
    fn wants(&mut self, json: &[u8]) -> bool {
        // `sessions` counts sessions whole, whatever the filters let through.
        !self.matching_only || self.filter.prefilter(json) || SESSION_START.find(json).is_some()
    }

    fn record(&mut self, _line: &Line, r: Record<'_>) {
        let session = session_key(r.session().unwrap_or(""));
        let kind = kind_of(&r);
        let matched = self.filter.matches(&r);
        let privileged = r.privileged(&self.filter.extra_privileged);
        let exit = r.process.exit_code.value();
        let first_here = self.met.insert(session);
        let failed_end = kind == Kind::CommandEnd && exit.is_some_and(|c| c != 0);
        // All the text for what may be listed or tells the session's people; for a command
        // line's start or a session's end only their own (most records: fewer copies).
        let whole = first_here
            || matches!(kind, Kind::SessionStart | Kind::Denied | Kind::AuditFailure)
            || failed_end
            || privileged.is_some();
        let info = if whole {
            Some(Box::new(info(&r)))
        } else if matches!(kind, Kind::CommandStart | Kind::SessionEnd) {
            Some(Box::new(Info {
                stamp: r.timestamp.str().unwrap_or("").to_string(),
                command_line: r.process.command_line.str().unwrap_or("").to_string(),
                end_reason: r.auditsh.end_reason.str().unwrap_or("").to_string(),
                ..Info::default()
            }))
        } else {
            None
        };
        self.facts.push(Fact {
            session,
            sequence: r.event.sequence.value(),
            kind,
            matched,
            day: r.timestamp.str().map_or(0, day_of),
            exit,
            privileged,
            command: r.auditsh.command.str().and_then(sequence_of),
            info,
        });
    }
}

/// Counts of one session, or of what a user or host did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub records: u64,
    pub commands: u64,
    pub programs: u64,
    pub failed_commands: u64,
    pub privileged: u64,
}

impl Counts {
    fn add(&mut self, f: &Fact) {
        self.records += 1;
        match f.kind {
            Kind::CommandStart => self.commands += 1,
            Kind::Exec => self.programs += 1,
            Kind::CommandEnd if f.exit.is_some_and(|c| c != 0) => self.failed_commands += 1,
            _ => {}
        }
        if f.privileged.is_some() {
            self.privileged += 1;
        }
    }
}

/// One session as the records read show it.
#[derive(Debug, Default)]
pub struct SessionTally {
    /// Its text (session id, host, users, tty ...) from `session-start`, else its first record.
    pub info: Info,
    pub has_start: bool,
    pub start: Option<String>,
    pub end: Option<String>,
    pub end_reason: Option<String>,
    /// The earliest and latest `@timestamp` of its records that carry text (its start, end,
    /// command lines): the first orders sessions with no start.
    pub first_stamp: String,
    pub last_stamp: String,
    /// Over all of its records.
    pub all: Counts,
    /// Over its records that pass the filters.
    pub matched: Counts,
    /// Command lines started and not yet ended, by sequence: the text a failed one is listed
    /// with (its end record has only the status).
    pending_commands: HashMap<u64, Box<str>>,
}

impl SessionTally {
    pub fn is_matched(&self) -> bool {
        self.matched.records > 0
    }
}

/// A privileged record, a failed command line, an audit failure: the report's lists.
#[derive(Debug, Clone)]
pub struct Listed {
    pub session: u128,
    pub info: Info,
    pub exit: Option<i64>,
    pub reason: Option<Privileged>,
}

/// Everything folded.
#[derive(Default)]
pub struct Tally {
    seen: Seen,
    /// The sessions, in the order met; `numbers` finds one by its key. (Not a map of
    /// tallies: a tally is large, and a map's growth moves every one of them.)
    sessions: Vec<SessionTally>,
    numbers: HashMap<u128, usize>,
    pub privileged: Vec<Listed>,
    pub failed: Vec<Listed>,
    pub audit_failures: Vec<Listed>,
    /// Matching records per day (YYYYMMDD).
    pub per_day: HashMap<u32, u64>,
    /// Failed command lines per day.
    pub failed_per_day: HashMap<u32, u64>,
    /// The report's lists are kept only when asked for (`sessions` needs none).
    pub lists: bool,
}

impl Tally {
    pub fn new(lists: bool) -> Tally {
        Tally {
            lists,
            ..Tally::default()
        }
    }

    /// Fold one file's facts.
    pub fn add(&mut self, facts: Vec<Fact>) {
        for f in facts {
            if self.seen.first(f.session, f.sequence) {
                self.fold(f);
            }
        }
    }

    fn fold(&mut self, mut f: Fact) {
        let n = *self.numbers.entry(f.session).or_insert_with(|| {
            self.sessions.push(SessionTally::default());
            self.sessions.len() - 1
        });
        let s = &mut self.sessions[n];
        if let Some(info) = &f.info {
            // clone_from: the string's room is reused (most facts are command lines).
            if s.first_stamp.is_empty() || (!info.stamp.is_empty() && info.stamp < s.first_stamp) {
                s.first_stamp.clone_from(&info.stamp);
            }
            if info.stamp > s.last_stamp {
                s.last_stamp.clone_from(&info.stamp);
            }
            if f.kind == Kind::SessionStart && !s.has_start {
                s.has_start = true;
                s.start = Some(info.stamp.clone());
                s.info = (**info).clone();
            } else if s.info.session.is_empty() {
                s.info = (**info).clone();
            }
            if f.kind == Kind::SessionEnd {
                s.end = Some(info.stamp.clone());
                s.end_reason = Some(info.end_reason.clone()).filter(|r| !r.is_empty());
            }
        }
        s.all.add(&f);
        if !f.matched {
            return;
        }
        s.matched.add(&f);
        *self.per_day.entry(f.day).or_default() += 1;
        if !self.lists {
            return;
        }
        if let (Some(reason), Some(info)) = (f.privileged, &f.info) {
            self.privileged.push(Listed {
                session: f.session,
                info: (**info).clone(),
                exit: f.exit,
                reason: Some(reason),
            });
        }
        let failed = f.kind == Kind::CommandEnd && f.exit.is_some_and(|c| c != 0);
        match (f.kind, f.info.take()) {
            (Kind::CommandStart, Some(mut info)) => {
                if let Some(seq) = f.sequence {
                    let line = std::mem::take(&mut info.command_line);
                    s.pending_commands.insert(seq, line.into_boxed_str());
                }
            }
            (Kind::CommandEnd, info) => {
                let line = f.command.and_then(|c| s.pending_commands.remove(&c));
                if let (true, Some(mut info)) = (failed, info) {
                    info.command_line = line.map(String::from).unwrap_or_default();
                    *self.failed_per_day.entry(f.day).or_default() += 1;
                    self.failed.push(Listed {
                        session: f.session,
                        info: *info,
                        exit: f.exit,
                        reason: None,
                    });
                }
            }
            (Kind::Denied | Kind::AuditFailure, Some(info)) => {
                self.audit_failures.push(Listed {
                    session: f.session,
                    info: *info,
                    exit: f.exit,
                    reason: None,
                });
            }
            _ => {}
        }
    }

    /// The sessions with a matching record, by start time (or first record), then id.
    pub fn matched_sessions(&self) -> Vec<&SessionTally> {
        let mut v: Vec<&SessionTally> = self.sessions.iter().filter(|s| s.is_matched()).collect();
        v.sort_by(|a, b| {
            let ka = a.start.as_deref().unwrap_or(&a.first_stamp);
            let kb = b.start.as_deref().unwrap_or(&b.first_stamp);
            ka.cmp(kb).then_with(|| a.info.session.cmp(&b.info.session))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schema 2: a program's `exec` and `end` records are one program, started once; a failed
    /// program is no failed command line; its end is not privileged, even run as root by a user
    /// who is not.
    #[test]
    fn a_program_counts_once_by_its_start() {
        use crate::auditsh_log::filter::{Filter, FilterArgs};
        use crate::auditsh_log::line::Copy;
        use crate::auditsh_log::when::Zone;
        let rec = |action: &str, kind: &str, extra: &str| {
            format!(
                r#"{{"@timestamp":"2026-12-03T17:18:58.968104Z","event":{{"action":"{action}","type":["{kind}"],"sequence":1}},"user":{{"id":"1000","effective":{{"id":"0"}}}},"process":{{"pid":9,"entity_id":"s-p1","executable":"/usr/bin/sudo"{extra}}},"auditsh":{{"session":"s"}}}}"#
            )
        };
        let filter = Filter::compile(&FilterArgs::default(), &Zone::utc()).unwrap();
        let mut facts = Facts::new(&filter, false);
        for json in [
            rec("exec", "start", ""),
            rec("end", "end", r#","exit_code":1"#),
        ] {
            let line = Line {
                file: 0,
                no: 1,
                json: json.as_bytes(),
                raw: json.as_bytes(),
                copy: Copy::Spool,
                newline: true,
                sure: true,
            };
            facts.record(&line, super::super::view::parse(json.as_bytes()).unwrap());
        }
        let kinds: Vec<Kind> = facts.facts.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [Kind::Exec, Kind::ProgramEnd]);
        let mut counts = Counts::default();
        for f in &facts.facts {
            counts.add(f);
        }
        assert_eq!(
            counts,
            Counts {
                records: 2,
                commands: 0,
                programs: 1,
                failed_commands: 0,
                privileged: 1,
            }
        );
        assert_eq!(facts.facts[0].privileged, Some(Privileged::Program));
        assert_eq!(facts.facts[1].privileged, None);
    }

    #[test]
    fn days_and_references() {
        assert_eq!(day_of("2026-12-03T17:18:58.968104Z"), 20261203);
        assert_eq!(day_of("garbage"), 0);
        assert_eq!(sequence_of("55e6ae8ada2ff3ba271148bda1d14d4c-17"), Some(17));
        assert_eq!(sequence_of("x"), None);
    }
}
