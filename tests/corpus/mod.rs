//! A deterministic fleet of audit records for `auditsh-log`'s tests and benchmarks.
//!
//! [`Fleet`] generates sessions of several hosts over several days from a seed, each session a
//! list of records in the exact form the shell writes them (field order, escaping, hash chain),
//! and keeps them as plain values too: the tests compute what `auditsh-log` must answer from
//! those values, never by parsing the files written nor with the product's code.
//!
//! Records are of schema 2 (the process model: entity ids, leaders, a program's `end`), but for
//! the sessions of the fleet's first day on some hosts, written before the upgrade in schema 1
//! ([`Fleet::is_v1`]): the tools read both.
//!
//! Files ([`Fleet::write`]): a spool tree per spool host (`spool/HOST/YYYY-MM-DD/ID.jsonl`,
//! some gzip'd) and the collector's files of every host (`remote/HOST/auditsh.log`, older days
//! rotated to `auditsh.log.N.gz` and `auditsh.log.N.zst`), records interleaved in time order
//! with other programs' lines, in the traditional or the RFC 3339 syslog form. Sessions are
//! generated one host-day at a time, so a large corpus streams to disk.
#![allow(dead_code)]

use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// splitmix64: small, fast and good enough to pick names and times.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

// ---------------------------------------------------------------------------------------------
// Times: microseconds since the epoch, UTC.

pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// 0 = Monday ... 6 = Sunday.
pub fn weekday(us: i64) -> i64 {
    (us.div_euclid(MICROS_PER_DAY) + 3).rem_euclid(7)
}

pub fn hour(us: i64) -> i64 {
    us.rem_euclid(MICROS_PER_DAY) / 3_600_000_000
}

/// `2026-11-06`.
pub fn date(us: i64) -> String {
    let (y, m, d) = civil_from_days(us.div_euclid(MICROS_PER_DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `@timestamp`: `2026-11-06T13:04:48.752211Z`.
pub fn stamp(us: i64) -> String {
    let (y, m, d) = civil_from_days(us.div_euclid(MICROS_PER_DAY));
    let t = us.rem_euclid(MICROS_PER_DAY);
    let s = t / 1_000_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        t % 1_000_000
    )
}

/// A table's time with `--utc`: `2026-11-06 13:04:48`.
pub fn shown(us: i64) -> String {
    stamp(us)[..19].replace('T', " ")
}

/// The traditional syslog time: `Nov  6 13:04:48`.
pub fn syslog_time(us: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_, m, d) = civil_from_days(us.div_euclid(MICROS_PER_DAY));
    format!("{} {d:>2} {}", MONTHS[(m - 1) as usize], &stamp(us)[11..19])
}

/// The RFC 3339 syslog time (rsyslog's high precision form): `2026-11-06T13:04:48.752211+00:00`.
pub fn syslog_time_rfc3339(us: i64) -> String {
    let s = stamp(us);
    format!("{}+00:00", &s[..26])
}

// ---------------------------------------------------------------------------------------------
// The model.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: &'static str,
    pub id: &'static str,
    pub group: &'static str,
    pub gid: &'static str,
    pub home: &'static str,
}

pub const ROOT: Person = Person {
    name: "root",
    id: "0",
    group: "root",
    gid: "0",
    home: "/root",
};

pub const PEOPLE: [Person; 6] = [
    Person {
        name: "alice",
        id: "1001",
        group: "alice",
        gid: "1001",
        home: "/home/alice",
    },
    Person {
        name: "bob",
        id: "1002",
        group: "bob",
        gid: "1002",
        home: "/home/bob",
    },
    Person {
        name: "carol",
        id: "1003",
        group: "carol",
        gid: "1003",
        home: "/home/carol",
    },
    Person {
        name: "dave",
        id: "1004",
        group: "dave",
        gid: "1004",
        home: "/home/dave",
    },
    Person {
        name: "erin",
        id: "1005",
        group: "erin",
        gid: "1005",
        home: "/home/erin",
    },
    Person {
        name: "deploy",
        id: "998",
        group: "deploy",
        gid: "998",
        home: "/srv/deploy",
    },
];

/// Where a session's records were collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Spool,
    Syslog,
    /// Both copies: every record must still be counted and printed once.
    Both,
}

/// Damage done to a session's spool file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// One byte of a record's `message` edited: the next record's `auditsh.prev` does not match.
    Altered,
    /// A record removed.
    Gap,
    /// Two neighbouring records swapped.
    Reordered,
    /// The `session-end` record removed.
    Unterminated,
    /// Schema 2: the `process.entity_id` of a program's record in the middle changed (the next
    /// record's `auditsh.prev` does not match).
    Entity,
    /// Schema 2: an argument of `process.entry_leader.args` of the last record (`session-end`)
    /// changed: no record follows to show it by its hash; the leaders no longer name the shell
    /// the session's other records name.
    Leader,
}

impl Damage {
    /// The integrity kind `sessions` and `report` give it.
    pub fn kind(self) -> &'static str {
        match self {
            Damage::Altered | Damage::Entity | Damage::Leader => "altered",
            Damage::Gap => "gap",
            Damage::Reordered => "reordered",
            Damage::Unterminated => "unterminated",
        }
    }

    /// Whether it can be done to `s` (the schema 2 kinds need schema 2 records).
    pub fn applies(self, s: &Session) -> bool {
        match self {
            Damage::Entity | Damage::Leader => s.version == 2,
            _ => true,
        }
    }

    pub const ALL: [Damage; 6] = [
        Damage::Altered,
        Damage::Gap,
        Damage::Reordered,
        Damage::Unterminated,
        Damage::Entity,
        Damage::Leader,
    ];
}

/// Who leads a program's process group (schema 2's `process.group_leader`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupLeader {
    /// The program itself (a job under job control).
    Itself,
    /// The session's shell.
    Shell,
    /// A pipeline's first member: its pid and entity id.
    Other(u64, String),
}

/// A program as schema 2's `exec` and `end` records describe it.
#[derive(Debug, Clone)]
pub struct Program {
    /// `process.entity_id`.
    pub entity: String,
    /// None: it never started.
    pub pid: Option<u64>,
    /// `process.start`.
    pub start: i64,
    pub interactive: bool,
    pub group_leader: GroupLeader,
    /// `process.name` (its `end` record has one only when the shell that waited knows it).
    pub name: Option<String>,
}

/// One record as plain values, and its line as written.
#[derive(Debug, Clone)]
pub struct Rec {
    pub seq: u64,
    pub ts: i64,
    pub action: &'static str,
    pub category: &'static str,
    pub etype: &'static str,
    pub message: String,
    pub cwd: Option<String>,
    pub executable: Option<String>,
    pub args: Option<Vec<String>>,
    pub command_line: Option<String>,
    pub exit_code: Option<i64>,
    pub outcome: Option<&'static str>,
    pub signal: Option<&'static str>,
    pub duration_ns: Option<u64>,
    pub end_reason: Option<&'static str>,
    pub sink: Option<&'static str>,
    pub error: Option<String>,
    /// The sequence of the command line an exec or command end belongs to.
    pub command: Option<u64>,
    pub script: Option<(String, String)>,
    /// `auditsh.executable` (device, inode) of an exec.
    pub file_id: Option<(u64, u64)>,
    /// Schema 2: the program an `exec` or `end` record is about.
    pub program: Option<Program>,
    /// `error.code` (an `end` of a program never started).
    pub error_code: Option<&'static str>,
    /// The JSON text as written (after any damage), without the newline.
    pub line: String,
}

impl Rec {
    fn new(
        seq: u64,
        ts: i64,
        action: &'static str,
        category: &'static str,
        etype: &'static str,
    ) -> Rec {
        Rec {
            seq,
            ts,
            action,
            category,
            etype,
            message: String::new(),
            cwd: None,
            executable: None,
            args: None,
            command_line: None,
            exit_code: None,
            outcome: None,
            signal: None,
            duration_ns: None,
            end_reason: None,
            sink: None,
            error: None,
            command: None,
            script: None,
            file_id: None,
            program: None,
            error_code: None,
            line: String::new(),
        }
    }

    pub fn timestamp(&self) -> String {
        stamp(self.ts)
    }

    pub fn is_command_start(&self) -> bool {
        self.action == "command" && self.etype == "start"
    }

    pub fn is_command_end(&self) -> bool {
        self.action == "command" && self.etype == "end"
    }

    pub fn is_failed_command(&self) -> bool {
        self.is_command_end() && self.exit_code.is_some_and(|c| c != 0)
    }

    /// A program's `end` (schema 2).
    pub fn is_program_end(&self) -> bool {
        self.action == "end"
    }

    /// A record about the shell itself (schema 2: its `process` is the shell, `-p0`; a
    /// refused command line's too).
    pub fn is_shell_record(&self) -> bool {
        match self.action {
            "exec" | "end" => false,
            "denied" => self.command_line.is_some(),
            _ => true,
        }
    }

    /// The program's file name.
    pub fn program(&self) -> Option<&str> {
        self.executable
            .as_deref()
            .map(|p| p.rsplit('/').next().unwrap_or(p))
    }

    pub fn args_joined(&self) -> Option<String> {
        self.args.as_ref().map(|a| a.join(" "))
    }
}

/// The programs whose start is privileged (the contract's list).
pub const PRIVILEGED: &[&str] = &[
    "sudo", "su", "sudoedit", "pkexec", "doas", "runuser", "passwd", "chsh", "chfn", "visudo",
    "useradd", "usermod", "userdel", "groupadd", "groupmod", "gpasswd", "chpasswd", "newgrp",
    "setcap",
];

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub host: String,
    pub user: Person,
    pub effective: Person,
    pub login: Option<Person>,
    pub audit_session: Option<String>,
    pub tty: Option<String>,
    pub source: Option<(String, u16)>,
    pub mode: &'static str,
    pub parent: &'static str,
    pub login_shell: bool,
    pub pid: u64,
    pub ppid: u64,
    /// `auditsh.version`: 1 (written before the upgrade) or 2.
    pub version: u8,
    /// Schema 2: the shell as a process (`process.start`, and the session's leaders).
    pub shell_start: i64,
    pub shell_args: Vec<String>,
    pub home_cwd: String,
    /// In file order (damage may have changed it).
    pub records: Vec<Rec>,
    pub placement: Placement,
    pub gzip: bool,
    pub damage: Option<Damage>,
}

impl Session {
    pub fn start(&self) -> Option<&Rec> {
        self.records.iter().find(|r| r.action == "session-start")
    }

    pub fn end(&self) -> Option<&Rec> {
        self.records.iter().find(|r| r.action == "session-end")
    }

    /// `login_user`: the login user's name.
    pub fn login_name(&self) -> Option<&'static str> {
        self.login.as_ref().map(|p| p.name)
    }

    /// Why a record of this session is privileged, if it is. A program's `end` never is.
    pub fn privileged(&self, r: &Rec) -> Option<&'static str> {
        if r.is_program_end() {
            return None;
        }
        if r.action == "exec" && r.program().is_some_and(|p| PRIVILEGED.contains(&p)) {
            return Some("program");
        }
        (self.effective.id == "0" && self.user.id != "0").then_some("effective-root")
    }

    /// Records in sequence order.
    pub fn in_order(&self) -> Vec<&Rec> {
        let mut v: Vec<&Rec> = self.records.iter().collect();
        v.sort_by_key(|r| r.seq);
        v
    }

    pub fn spool_path(&self, root: &Path) -> PathBuf {
        let name = if self.gzip {
            format!("{}.jsonl.gz", self.id)
        } else {
            format!("{}.jsonl", self.id)
        };
        root.join("spool")
            .join(&self.host)
            .join(date(self.records[0].ts))
            .join(name)
    }

    /// The `sessions` CSV row the contract gives this session (integrity as `verify` must find
    /// it).
    pub fn row(&self) -> Vec<String> {
        let start = self.start().map(|r| r.ts);
        let end = self.end().map(|r| r.ts);
        let s = |o: Option<&str>| o.unwrap_or("").to_string();
        vec![
            self.id.clone(),
            self.host.clone(),
            self.user.name.to_string(),
            s(self.login_name()),
            s(self.tty.as_deref()),
            s(self.source.as_ref().map(|x| x.0.as_str())),
            self.mode.to_string(),
            start.map(stamp).unwrap_or_default(),
            end.map(stamp).unwrap_or_default(),
            match (start, end) {
                (Some(a), Some(b)) => {
                    format!("{}.{:03}", (b - a) / 1_000_000, (b - a) % 1_000_000 / 1000)
                }
                _ => String::new(),
            },
            self.records
                .iter()
                .filter(|r| r.is_command_start())
                .count()
                .to_string(),
            self.records
                .iter()
                .filter(|r| r.action == "exec")
                .count()
                .to_string(),
            self.records
                .iter()
                .filter(|r| r.is_failed_command())
                .count()
                .to_string(),
            s(self.end().and_then(|r| r.end_reason)),
            self.damage.map_or("ok", Damage::kind).to_string(),
        ]
    }

    /// A search CSV row of one of this session's records.
    pub fn csv_row(&self, r: &Rec) -> Vec<String> {
        let s = |o: Option<&str>| o.unwrap_or("").to_string();
        vec![
            r.timestamp(),
            self.host.clone(),
            self.id.clone(),
            r.seq.to_string(),
            r.action.to_string(),
            r.etype.to_string(),
            self.user.name.to_string(),
            self.effective.name.to_string(),
            s(self.login_name()),
            s(self.tty.as_deref()),
            s(self.source.as_ref().map(|x| x.0.as_str())),
            s(r.cwd.as_deref()),
            // Schema 2's shell records name the shell's executable.
            match (&r.executable, self.version) {
                (Some(e), _) => e.clone(),
                (None, 2) if r.is_shell_record() => SHELL_EXE.to_string(),
                _ => String::new(),
            },
            r.args_joined().unwrap_or_default(),
            s(r.command_line.as_deref()),
            r.exit_code.map(|c| c.to_string()).unwrap_or_default(),
            s(r.outcome),
            r.message.clone(),
        ]
    }

    /// Whether the session starts outside `hours` (start inclusive, end exclusive, UTC) or on
    /// a weekend.
    pub fn off_hours(&self, from: i64, to: i64) -> bool {
        let Some(st) = self.start() else { return false };
        weekday(st.ts) >= 5 || hour(st.ts) < from || hour(st.ts) >= to
    }
}

// ---------------------------------------------------------------------------------------------
// Serialising, exactly as `src/audit/record.rs` writes.

fn esc(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn esc_args(out: &mut String, args: &[String]) {
    out.push('[');
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        esc(out, a);
    }
    out.push(']');
}

fn named(out: &mut String, p: &Person) {
    out.push_str("{\"name\":");
    esc(out, p.name);
    out.push_str(",\"id\":");
    esc(out, p.id);
    out.push('}');
}

/// `message`'s `user@host tty: ` prefix.
fn message_prefix(s: &Session) -> String {
    let mut m = format!("{}@{}", s.user.name, s.host);
    if let Some(t) = &s.tty {
        m.push(' ');
        m.push_str(t.strip_prefix("/dev/").unwrap_or(t));
    }
    m.push_str(": ");
    m
}

/// The record's line with `prev` as its `auditsh.prev`, in the session's schema.
pub fn serialize(s: &Session, r: &Rec, prev: &str) -> String {
    if s.version == 1 {
        serialize_v1(s, r, prev)
    } else {
        serialize_v2(s, r, prev)
    }
}

/// Schema 2's shell: its executable, and its name (argv[0]'s file name, without a login
/// shell's `-`).
pub const SHELL_EXE: &str = "/usr/bin/auditsh";

fn shell_name(s: &Session) -> String {
    let a0 = s.shell_args.first().map_or("auditsh", String::as_str);
    let base = a0.rsplit('/').next().unwrap_or(a0);
    base.strip_prefix('-').unwrap_or(base).to_string()
}

/// `process.tty.char_device` of the session's terminal: pts are major 136, ttyN major 4.
fn char_device(s: &Session) -> Option<(u64, u64)> {
    let t = s.tty.as_deref()?;
    if let Some(n) = t.strip_prefix("/dev/pts/") {
        return Some((136, n.parse().ok()?));
    }
    Some((4, t.strip_prefix("/dev/tty")?.parse().ok()?))
}

fn push_tty(o: &mut String, s: &Session) {
    if let Some((major, minor)) = char_device(s) {
        o.push_str(&format!(
            ",\"tty\":{{\"char_device\":{{\"major\":{major},\"minor\":{minor}}}}}"
        ));
    }
}

/// How the session was entered (`entry_meta.type`), from the parent's name and the terminal.
fn entry_type(s: &Session) -> &'static str {
    match s.parent {
        "sshd" => "sshd",
        "login" => "console",
        "su" => "su",
        "cron" => "cron",
        _ => "unknown",
    }
}

/// The shell as a leader, without its closing brace: `same_as_process` and, for the entry
/// leader, `entry_meta` follow.
fn leader(o: &mut String, s: &Session, same: bool) {
    o.push_str(&format!(
        "{{\"entity_id\":\"{}-p0\",\"pid\":{},\"start\":\"{}\",\"name\":",
        s.id,
        s.pid,
        stamp(s.shell_start)
    ));
    esc(o, &shell_name(s));
    o.push_str(",\"executable\":");
    esc(o, SHELL_EXE);
    o.push_str(",\"args\":");
    esc_args(o, &s.shell_args);
    o.push_str(&format!(",\"args_count\":{}", s.shell_args.len()));
    o.push_str(",\"working_directory\":");
    esc(o, &s.home_cwd);
    o.push_str(if s.mode == "interactive" {
        ",\"interactive\":true"
    } else {
        ",\"interactive\":false"
    });
    o.push_str(",\"user\":{\"id\":");
    esc(o, s.user.id);
    o.push_str(",\"name\":");
    esc(o, s.user.name);
    o.push('}');
    push_tty(o, s);
    o.push_str(if same {
        ",\"same_as_process\":true"
    } else {
        ",\"same_as_process\":false"
    });
}

/// `,"session_leader":{…},"entry_leader":{…}`.
fn leaders(o: &mut String, s: &Session, same: bool) {
    o.push_str(",\"session_leader\":");
    leader(o, s, same);
    o.push_str("},\"entry_leader\":");
    leader(o, s, same);
    o.push_str(",\"entry_meta\":{\"type\":");
    esc(o, entry_type(s));
    if let Some((ip, _)) = &s.source {
        o.push_str(",\"source\":{\"ip\":");
        esc(o, ip);
        o.push('}');
    }
    o.push_str("}}");
}

/// Schema 2, as `src/audit/record/encode.rs` writes it.
pub fn serialize_v2(s: &Session, r: &Rec, prev: &str) -> String {
    let mut o = String::with_capacity(2400);
    o.push_str("{\"@timestamp\":\"");
    o.push_str(&stamp(r.ts));
    o.push_str("\",\"ecs\":{\"version\":\"9.4.0\"},\"event\":{\"kind\":\"event\",\"category\":[\"");
    o.push_str(r.category);
    o.push_str("\"],\"type\":[\"");
    o.push_str(r.etype);
    o.push_str("\"],\"action\":\"");
    o.push_str(r.action);
    o.push_str(&format!(
        "\",\"sequence\":{},\"id\":\"{}-{}\"",
        r.seq, s.id, r.seq
    ));
    if let Some(d) = r.duration_ns {
        o.push_str(&format!(",\"duration\":{d}"));
    }
    if let Some(out) = r.outcome {
        o.push_str(&format!(",\"outcome\":\"{out}\""));
    }
    o.push_str("},\"message\":");
    esc(&mut o, &r.message);
    o.push_str(",\"host\":{\"hostname\":");
    esc(&mut o, &s.host);
    o.push_str("},\"user\":{\"name\":");
    esc(&mut o, s.user.name);
    o.push_str(",\"id\":");
    esc(&mut o, s.user.id);
    o.push_str(",\"effective\":");
    named(&mut o, &s.effective);
    if let Some(l) = &s.login {
        o.push_str(",\"audit\":");
        named(&mut o, l);
    }
    o.push_str("},\"group\":{\"id\":");
    esc(&mut o, s.user.gid);
    o.push_str(",\"name\":");
    esc(&mut o, s.user.group);
    o.push_str("},\"process\":{");
    match &r.program {
        Some(p) => {
            if let Some(pid) = p.pid {
                o.push_str(&format!("\"pid\":{pid},"));
            }
            o.push_str(&format!(
                "\"entity_id\":\"{}\",\"start\":\"{}\"",
                p.entity,
                stamp(p.start)
            ));
            if r.action == "end" {
                o.push_str(&format!(",\"end\":\"{}\"", stamp(r.ts)));
            }
            if let Some(name) = &p.name {
                o.push_str(",\"name\":");
                esc(&mut o, name);
            }
            if let Some(e) = &r.executable {
                o.push_str(",\"executable\":");
                esc(&mut o, e);
            }
            if let Some(args) = &r.args {
                o.push_str(",\"args\":");
                esc_args(&mut o, args);
                o.push_str(&format!(",\"args_count\":{}", args.len()));
            }
            if let Some(c) = &r.cwd {
                o.push_str(",\"working_directory\":");
                esc(&mut o, c);
            }
            if let Some(code) = r.exit_code {
                o.push_str(&format!(",\"exit_code\":{code}"));
            }
            o.push_str(if p.interactive {
                ",\"interactive\":true"
            } else {
                ",\"interactive\":false"
            });
            if p.interactive {
                push_tty(&mut o, s);
            }
            o.push_str(&format!(
                ",\"parent\":{{\"pid\":{},\"entity_id\":\"{}-p0\"}}",
                s.pid, s.id
            ));
            o.push_str(",\"group_leader\":");
            match &p.group_leader {
                GroupLeader::Shell => {
                    leader(&mut o, s, false);
                    o.push('}');
                }
                GroupLeader::Itself => {
                    o.push('{');
                    if let Some(pid) = p.pid {
                        o.push_str(&format!("\"pid\":{pid},"));
                    }
                    o.push_str(&format!(
                        "\"entity_id\":\"{}\",\"start\":\"{}\",\"same_as_process\":true}}",
                        p.entity,
                        stamp(p.start)
                    ));
                }
                GroupLeader::Other(pid, entity) => o.push_str(&format!(
                    "{{\"entity_id\":\"{entity}\",\"pid\":{pid},\"same_as_process\":false}}"
                )),
            }
            leaders(&mut o, s, false);
        }
        None => {
            o.push_str(&format!(
                "\"pid\":{},\"entity_id\":\"{}-p0\",\"start\":\"{}\",\"name\":",
                s.pid,
                s.id,
                stamp(s.shell_start)
            ));
            esc(&mut o, &shell_name(s));
            o.push_str(",\"executable\":");
            esc(&mut o, SHELL_EXE);
            match r.action {
                "session-start" => {
                    o.push_str(",\"args\":");
                    esc_args(&mut o, &s.shell_args);
                    o.push_str(&format!(",\"args_count\":{}", s.shell_args.len()));
                }
                "command" | "denied" if r.etype != "end" => {
                    o.push_str(",\"command_line\":");
                    esc(&mut o, r.command_line.as_deref().unwrap_or(""));
                    if let Some(c) = &r.cwd {
                        o.push_str(",\"working_directory\":");
                        esc(&mut o, c);
                    }
                }
                _ => {}
            }
            if let Some(code) = r.exit_code {
                o.push_str(&format!(",\"exit_code\":{code}"));
            }
            o.push_str(if s.mode == "interactive" {
                ",\"interactive\":true"
            } else {
                ",\"interactive\":false"
            });
            push_tty(&mut o, s);
            o.push_str(&format!(",\"parent\":{{\"pid\":{}", s.ppid));
            if r.action == "session-start" {
                o.push_str(",\"name\":");
                esc(&mut o, s.parent);
            }
            o.push('}');
            leaders(&mut o, s, true);
        }
    }
    o.push('}');
    if let Some((ip, port)) = &s.source {
        o.push_str(",\"source\":{\"ip\":");
        esc(&mut o, ip);
        o.push_str(&format!(",\"port\":{port}}}"));
    }
    if let Some(e) = &r.error {
        o.push_str(",\"error\":{");
        if let Some(code) = r.error_code {
            o.push_str(&format!("\"code\":\"{code}\","));
        }
        o.push_str("\"message\":");
        esc(&mut o, e);
        o.push('}');
    }
    o.push_str(",\"auditsh\":{\"version\":2,\"session\":");
    esc(&mut o, &s.id);
    auditsh_tail(&mut o, s, r, prev);
    o
}

/// Schema 1, as the shell wrote it before the upgrade.
fn serialize_v1(s: &Session, r: &Rec, prev: &str) -> String {
    let mut o = String::with_capacity(900);
    o.push_str("{\"@timestamp\":\"");
    o.push_str(&stamp(r.ts));
    o.push_str(
        "\",\"ecs\":{\"version\":\"8.11.0\"},\"event\":{\"kind\":\"event\",\"category\":[\"",
    );
    o.push_str(r.category);
    o.push_str("\"],\"type\":[\"");
    o.push_str(r.etype);
    o.push_str("\"],\"action\":\"");
    o.push_str(r.action);
    o.push_str(&format!(
        "\",\"sequence\":{},\"id\":\"{}-{}\"",
        r.seq, s.id, r.seq
    ));
    if let Some(d) = r.duration_ns {
        o.push_str(&format!(",\"duration\":{d}"));
    }
    if let Some(out) = r.outcome {
        o.push_str(&format!(",\"outcome\":\"{out}\""));
    }
    o.push_str("},\"message\":");
    esc(&mut o, &r.message);
    o.push_str(",\"host\":{\"hostname\":");
    esc(&mut o, &s.host);
    o.push_str("},\"user\":{\"name\":");
    esc(&mut o, s.user.name);
    o.push_str(",\"id\":");
    esc(&mut o, s.user.id);
    o.push_str(",\"effective\":");
    named(&mut o, &s.effective);
    if let Some(l) = &s.login {
        o.push_str(",\"audit\":");
        named(&mut o, l);
    }
    o.push_str("},\"group\":{\"id\":");
    esc(&mut o, s.user.gid);
    o.push_str(",\"name\":");
    esc(&mut o, s.user.group);
    o.push_str(&format!(
        "}},\"process\":{{\"pid\":{},\"parent\":{{\"pid\":{}",
        s.pid, s.ppid
    ));
    if r.action == "session-start" {
        o.push_str(",\"name\":");
        esc(&mut o, s.parent);
    }
    o.push('}');
    match r.action {
        "session-start" => {
            let args = r.args.as_deref().unwrap_or(&[]);
            o.push_str(",\"args\":");
            esc_args(&mut o, args);
            o.push_str(&format!(",\"args_count\":{}", args.len()));
        }
        "command" | "denied" if r.etype != "end" => {
            o.push_str(",\"command_line\":");
            esc(&mut o, r.command_line.as_deref().unwrap_or(""));
            if let Some(c) = &r.cwd {
                o.push_str(",\"working_directory\":");
                esc(&mut o, c);
            }
        }
        "exec" => {
            let args = r.args.as_deref().unwrap_or(&[]);
            o.push_str(",\"executable\":");
            esc(&mut o, r.executable.as_deref().unwrap_or(""));
            o.push_str(",\"args\":");
            esc_args(&mut o, args);
            o.push_str(&format!(",\"args_count\":{}", args.len()));
            if let Some(c) = &r.cwd {
                o.push_str(",\"working_directory\":");
                esc(&mut o, c);
            }
        }
        _ => {}
    }
    if let Some(code) = r.exit_code {
        o.push_str(&format!(",\"exit_code\":{code}"));
    }
    o.push('}');
    if let Some((ip, port)) = &s.source {
        o.push_str(",\"source\":{\"ip\":");
        esc(&mut o, ip);
        o.push_str(&format!(",\"port\":{port}}}"));
    }
    if let Some(e) = &r.error {
        o.push_str(",\"error\":{\"message\":");
        esc(&mut o, e);
        o.push('}');
    }
    o.push_str(",\"auditsh\":{\"version\":1,\"session\":");
    esc(&mut o, &s.id);
    auditsh_tail(&mut o, s, r, prev);
    o
}

/// `auditsh` after its `session`: the same in both schemas.
fn auditsh_tail(o: &mut String, s: &Session, r: &Rec, prev: &str) {
    if let Some(a) = &s.audit_session {
        o.push_str(",\"audit_session\":");
        esc(o, a);
    }
    if let Some(t) = &s.tty {
        o.push_str(",\"tty\":");
        esc(o, t);
    }
    o.push_str(",\"mode\":");
    esc(o, s.mode);
    match r.action {
        "session-start" => {
            o.push_str(if s.login_shell {
                ",\"login\":true"
            } else {
                ",\"login\":false"
            });
            o.push_str(",\"parent_trusted\":false");
        }
        "command" if r.etype == "start" => {
            if let Some((path, sha)) = &r.script {
                o.push_str(",\"script\":{\"path\":");
                esc(o, path);
                o.push_str(",\"sha256\":");
                esc(o, sha);
                o.push('}');
            }
        }
        "command" | "exec" | "end" => {
            if let Some(c) = r.command {
                o.push_str(&format!(",\"command\":\"{}-{c}\"", s.id));
            }
            if let Some(sig) = r.signal {
                o.push_str(&format!(",\"signal\":\"{sig}\""));
            }
            if let Some((dev, ino)) = r.file_id {
                o.push_str(&format!(
                    ",\"executable\":{{\"device\":\"{dev}\",\"inode\":\"{ino}\"}}"
                ));
            }
        }
        "session-end" => {
            o.push_str(&format!(
                ",\"end_reason\":\"{}\"",
                r.end_reason.unwrap_or("exit")
            ));
        }
        "audit-failure" => {
            o.push_str(&format!(",\"sink\":\"{}\"", r.sink.unwrap_or("syslog")));
        }
        _ => {}
    }
    o.push_str(",\"prev\":\"");
    o.push_str(prev);
    o.push_str("\"}}");
}

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Give every record its line, chained.
fn chain(s: &mut Session) {
    let mut prev = GENESIS.to_string();
    for i in 0..s.records.len() {
        let line = serialize(s, &s.records[i], &prev);
        prev = sha256_hex(line.as_bytes());
        s.records[i].line = line;
    }
}

/// `auditsh.prev` of a line.
fn prev_of(line: &str) -> String {
    let at = line.rfind("\"prev\":\"").expect("a record has prev") + 8;
    line[at..at + 64].to_string()
}

fn apply_damage(s: &mut Session, d: Damage) {
    let n = s.records.len();
    match d {
        Damage::Altered => {
            // A letter of the message of a record in the middle: the JSON stays valid, the
            // next record's prev no longer matches.
            let k = n / 2;
            let r = &mut s.records[k];
            let prev = prev_of(&r.line);
            r.message = r.message.replacen('@', "#", 1);
            let r = s.records[k].clone();
            s.records[k].line = serialize(s, &r, &prev);
        }
        Damage::Gap => {
            s.records.remove(n / 2);
        }
        Damage::Reordered => {
            s.records.swap(n / 2 - 1, n / 2);
        }
        Damage::Unterminated => {
            s.records.pop();
        }
        Damage::Entity => {
            // The program record nearest the middle names another process of the session.
            let k = (0..n)
                .filter(|&i| {
                    s.records[i]
                        .program
                        .as_ref()
                        .is_some_and(|p| p.pid.is_some())
                })
                .min_by_key(|&i| i.abs_diff(n / 2))
                .expect("a program's record to damage");
            let r = &mut s.records[k];
            let entity = r
                .program
                .as_ref()
                .map(|p| p.entity.clone())
                .unwrap_or_default();
            let from = format!("\"entity_id\":\"{entity}\"");
            let to = format!("\"entity_id\":\"{}-p99\"", s.id);
            assert!(r.line.contains(&from));
            r.line = r.line.replacen(&from, &to, 1);
        }
        Damage::Leader => {
            // The shell's arguments as the last record's entry leader names them.
            let r = s.records.last_mut().expect("records");
            let at = r.line.find("\"entry_leader\":").expect("an entry leader");
            let args = at + r.line[at..].find("\"args\":[\"").expect("its args") + 9;
            r.line.insert(args, 'x');
        }
    }
    s.damage = Some(d);
}

// ---------------------------------------------------------------------------------------------
// What sessions do.

/// A command line: its text, the programs it starts (path, argv), its exit status and signal,
/// and the directory it leaves the shell in.
struct Cmd {
    text: String,
    programs: Vec<(String, Vec<String>)>,
    exit: i64,
    signal: Option<&'static str>,
    cd: Option<String>,
    fate: Fate,
}

/// What became of a command line's (only) program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// It ran (or none was asked for).
    Ran,
    /// Its name was not found in PATH: no `exec` record; schema 2 writes its `end` (127).
    NotFound,
    /// The kernel refused it after its `exec` record (EACCES): schema 2 writes its `end` (126).
    Refused,
}

fn cmd(text: &str, programs: &[(&str, &[&str])], exit: i64) -> Cmd {
    Cmd {
        text: text.to_string(),
        programs: programs
            .iter()
            .map(|(p, a)| (p.to_string(), a.iter().map(|s| s.to_string()).collect()))
            .collect(),
        exit,
        signal: None,
        cd: None,
        fate: Fate::Ran,
    }
}

const DIRS: &[&str] = &[
    "/etc",
    "/var/www/app",
    "/srv/git/infra",
    "/tmp",
    "/var/log",
    "/srv/data/Q3 reports",
    "/home/shared/café",
];

/// A command line from the catalogue for `user` in `cwd`.
fn pick_command(rng: &mut Rng, user: &Person) -> Cmd {
    match rng.range(0, 28) {
        0 => cmd("ls -la", &[("/usr/bin/ls", &["ls", "-la"])], 0),
        1 => cmd("git status", &[("/usr/bin/git", &["git", "status"])], 0),
        2 => cmd(
            "git log --oneline | head -5",
            &[
                ("/usr/bin/git", &["git", "log", "--oneline"]),
                ("/usr/bin/head", &["head", "-5"]),
            ],
            0,
        ),
        3 => cmd(
            "vim /etc/hosts",
            &[("/usr/bin/vim", &["vim", "/etc/hosts"])],
            0,
        ),
        4 => cmd(
            "sudo systemctl restart nginx",
            &[("/usr/bin/sudo", &["sudo", "systemctl", "restart", "nginx"])],
            0,
        ),
        5 => cmd("sudo -i", &[("/usr/bin/sudo", &["sudo", "-i"])], 0),
        6 => cmd("su - root", &[("/usr/bin/su", &["su", "-", "root"])], 1),
        7 => cmd("passwd", &[("/usr/bin/passwd", &["passwd"])], 0),
        8 => cmd(
            "usermod -aG docker bob",
            &[("/usr/sbin/usermod", &["usermod", "-aG", "docker", "bob"])],
            0,
        ),
        9 => cmd(
            "grep -r password /etc/app.conf",
            &[(
                "/usr/bin/grep",
                &["grep", "-r", "password", "/etc/app.conf"],
            )],
            1,
        ),
        10 => cmd("make test", &[("/usr/bin/make", &["make", "test"])], 2),
        11 => {
            let mut c = cmd("sleep 600", &[("/usr/bin/sleep", &["sleep", "600"])], 130);
            c.signal = Some("INT");
            c
        }
        12 => {
            let mut c = cmd(
                "python3 train.py --epochs 90",
                &[(
                    "/usr/bin/python3",
                    &["python3", "train.py", "--epochs", "90"],
                )],
                137,
            );
            c.signal = Some("KILL");
            c
        }
        13 => cmd(
            "cat /etc/shadow",
            &[("/usr/bin/cat", &["cat", "/etc/shadow"])],
            1,
        ),
        14 => cmd(
            "tar czf /tmp/backup.tgz /srv/data",
            &[(
                "/usr/bin/tar",
                &["tar", "czf", "/tmp/backup.tgz", "/srv/data"],
            )],
            0,
        ),
        15 => cmd("echo \"done\" \\ ok", &[], 0),
        16 => cmd(
            "ssh db01 uptime",
            &[("/usr/bin/ssh", &["ssh", "db01", "uptime"])],
            0,
        ),
        17 => cmd(
            "/opt/tools/deploy.sh --prod",
            &[("/opt/tools/deploy.sh", &["/opt/tools/deploy.sh", "--prod"])],
            0,
        ),
        18 | 19 => {
            let dir = if rng.one_in(3) {
                user.home.to_string()
            } else {
                rng.pick(DIRS).to_string()
            };
            let mut c = cmd(&format!("cd '{dir}'"), &[], 0);
            c.cd = Some(dir);
            c
        }
        20 => {
            let mut c = cmd(
                "cd /var/log && ls -t | head -3",
                &[
                    ("/usr/bin/ls", &["ls", "-t"]),
                    ("/usr/bin/head", &["head", "-3"]),
                ],
                0,
            );
            c.cd = Some("/var/log".to_string());
            c
        }
        21 => cmd("df -h", &[("/usr/bin/df", &["df", "-h"])], 0),
        22 => cmd("false", &[("/usr/bin/false", &["false"])], 1),
        23 => cmd(
            "sudoedit /etc/ssh/sshd_config",
            &[("/usr/bin/sudoedit", &["sudoedit", "/etc/ssh/sshd_config"])],
            0,
        ),
        24 => {
            let mut c = cmd(
                "cd /etc && git diff",
                &[("/usr/bin/git", &["git", "diff"])],
                0,
            );
            c.cd = Some("/etc".to_string());
            c
        }
        26 => {
            let mut c = cmd("sl", &[("sl", &["sl"])], 127);
            c.fate = Fate::NotFound;
            c
        }
        27 => {
            let mut c = cmd(
                "/opt/tools/build.sh --fast",
                &[("/opt/tools/build.sh", &["/opt/tools/build.sh", "--fast"])],
                126,
            );
            c.fate = Fate::Refused;
            c
        }
        _ => cmd(
            "git commit -m \"fix: quote \\\"x\\\"\"",
            &[("/usr/bin/git", &["git", "commit", "-m", "fix: quote \"x\""])],
            0,
        ),
    }
}

const SOURCES_V4: &[&str] = &["192.0.2.7", "192.0.2.44", "198.51.100.23", "10.20.30.40"];
const SOURCES_V6: &[&str] = &["2001:db8::7", "2001:db8:0:1::23", "2001:db8:ffff::1"];

const HOSTS: &[&str] = &["web01", "web02", "db01", "bastion", "build01"];

/// The name of host `i`.
pub fn host_name(i: usize) -> String {
    HOSTS
        .get(i)
        .map_or_else(|| format!("node{i:03}"), |s| s.to_string())
}

/// The fleet: `hosts` hosts over `days` days from 2026-11-06 (a Friday: the weekend's
/// sessions are off hours), `per_host_day` sessions per host and day.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub seed: u64,
    pub hosts: usize,
    pub days: usize,
    pub per_host_day: usize,
    /// Damage the spool copies of four sessions, one of each kind in [`Damage::ALL`].
    pub damage: bool,
    pub first_day: i64,
}

impl Fleet {
    pub fn new(seed: u64, hosts: usize, days: usize, per_host_day: usize) -> Fleet {
        Fleet {
            seed,
            hosts,
            days,
            per_host_day,
            damage: false,
            first_day: days_from_civil(2026, 11, 6),
        }
    }

    pub fn with_damage(mut self) -> Fleet {
        self.damage = true;
        self
    }

    /// Hosts whose spool tree is collected (the others are only in syslog).
    pub fn is_spool_host(host: usize) -> bool {
        host % 2 == 0
    }

    /// Sessions written before the upgrade to schema 2: the first day's on every third host
    /// (a spool host and a syslog-only one among them).
    pub fn is_v1(host: usize, day: usize) -> bool {
        day == 0 && host % 3 == 0
    }

    /// Hosts whose collector writes RFC 3339 times with the `@cee:` cookie.
    pub fn is_rfc3339_host(host: usize) -> bool {
        host % 4 >= 2
    }

    /// Every session, host by host and day by day, generated as it is asked for.
    pub fn sessions(&self) -> impl Iterator<Item = Session> + '_ {
        let mut damages = if self.damage {
            Damage::ALL.to_vec()
        } else {
            Vec::new()
        };
        (0..self.hosts)
            .flat_map(move |h| (0..self.days).map(move |d| (h, d)))
            .flat_map(move |(h, d)| {
                let mut v = self.host_day(h, d);
                damage_some(&mut v, &mut damages);
                v
            })
    }

    /// The sessions of host `h` on day `d`, in start order.
    pub fn host_day(&self, h: usize, d: usize) -> Vec<Session> {
        let mut rng = Rng::new(
            self.seed
                .wrapping_mul(0x100_0000_01b3)
                .wrapping_add((h as u64) << 20 | d as u64),
        );
        let day_us = (self.first_day + d as i64) * MICROS_PER_DAY;
        let mut out: Vec<Session> = (0..self.per_host_day)
            .map(|_| self.session(&mut rng, h, day_us, if Fleet::is_v1(h, d) { 1 } else { 2 }))
            .collect();
        out.sort_by_key(|s| (s.records[0].ts, s.id.clone()));
        out
    }

    fn session(&self, rng: &mut Rng, h: usize, day_us: i64, version: u8) -> Session {
        let host = host_name(h);
        let hour = if rng.one_in(4) {
            *rng.pick(&[0, 2, 5, 7, 18, 20, 22, 23])
        } else {
            rng.range(8, 18) as i64
        };
        let start = day_us + hour * 3_600_000_000 + rng.range(0, 3_600_000_000 - 1) as i64;
        let id = format!("{:016x}{:016x}", rng.next(), rng.next());
        let person = rng.pick(&PEOPLE[..5]).clone();
        let source = if rng.one_in(3) {
            rng.pick(SOURCES_V6).to_string()
        } else {
            rng.pick(SOURCES_V4).to_string()
        };
        let port = rng.range(32768, 61000) as u16;
        let pts = format!("/dev/pts/{}", rng.range(0, 12));
        let audit = Some(rng.range(1, 900).to_string());
        let mut s = Session {
            id,
            host,
            user: person.clone(),
            effective: person.clone(),
            login: Some(person.clone()),
            audit_session: audit,
            tty: Some(pts),
            source: Some((source, port)),
            mode: "interactive",
            parent: "sshd",
            login_shell: true,
            pid: rng.range(1000, 60000),
            ppid: rng.range(1000, 60000),
            version,
            shell_start: start - rng.range(200, 2_000) as i64,
            shell_args: Vec::new(),
            home_cwd: person.home.to_string(),
            records: Vec::new(),
            placement: Placement::Syslog,
            gzip: rng.one_in(3),
            damage: None,
        };
        let kind = rng.range(0, 20);
        let mut n_commands = rng.range(2, 7);
        let mut shell_args = vec!["-bash".to_string()];
        match kind {
            // su - root: root's shell, the login user still the one who logged in.
            0..=2 => {
                s.user = ROOT;
                s.effective = ROOT;
                s.parent = "su";
                shell_args = vec!["-su".to_string()];
            }
            // `ssh host CMD`: no terminal.
            3..=5 => {
                s.mode = "command";
                s.tty = None;
                s.login_shell = false;
                n_commands = 1;
            }
            // A service's script: no login user, no terminal, no source.
            6 | 7 => {
                s.user = PEOPLE[5].clone();
                s.effective = PEOPLE[5].clone();
                s.login = None;
                s.audit_session = None;
                s.tty = None;
                s.source = None;
                s.mode = "script";
                s.parent = "cron";
                s.login_shell = false;
                n_commands = 1;
                shell_args = vec![
                    "auditsh".to_string(),
                    "/usr/local/bin/nightly.sh".to_string(),
                ];
            }
            // A shell whose effective user is root (a setuid wrapper).
            8 => {
                s.effective = ROOT;
            }
            // The console.
            9 => {
                s.tty = Some("/dev/tty1".to_string());
                s.source = None;
                s.parent = "login";
            }
            _ => {}
        }
        let prefix_fixed;
        {
            prefix_fixed = message_prefix(&s);
        }
        let mut ts = start;
        let mut seq = 0u64;
        let mut recs = Vec::new();
        let mut cwd = s.user.home.to_string();

        let mut r = Rec::new(seq, ts, "session-start", "session", "start");
        r.message = format!(
            "{prefix_fixed}{}",
            if s.login_shell {
                "login session start"
            } else {
                "session start"
            }
        );
        let mut cmds: Vec<Cmd> = (0..n_commands)
            .map(|_| pick_command(rng, &s.user))
            .collect();
        if s.mode == "interactive" && rng.one_in(2) {
            // Work somewhere first: the later records carry that directory.
            let dir = rng.pick(DIRS).to_string();
            let mut c = cmd(&format!("cd '{dir}'"), &[], 0);
            c.cd = Some(dir);
            cmds.insert(0, c);
        }
        if s.mode == "command" {
            shell_args = vec!["auditsh".into(), "-c".into(), cmds[0].text.clone()];
        }
        if s.mode == "script" {
            let mut c = cmd(
                "#!/usr/bin/env auditsh\ncd /srv/app\nrsync -a /srv/app/ backup01:/backup/app/\n",
                &[(
                    "/usr/bin/rsync",
                    &["rsync", "-a", "/srv/app/", "backup01:/backup/app/"],
                )],
                if rng.one_in(3) { 23 } else { 0 },
            );
            c.cd = Some("/srv/app".to_string());
            cmds = vec![c];
        }
        s.home_cwd = s.user.home.to_string();
        s.shell_args = shell_args.clone();
        r.args = Some(shell_args);
        recs.push(r);

        // An audit sink failure and a refused command only where the spool is collected
        // (the syslog copy of such a session would miss records).
        let spool_host = Fleet::is_spool_host(h);
        let failure = spool_host && rng.one_in(8);
        let denied = spool_host && rng.one_in(8);
        if failure {
            seq += 1;
            ts += rng.range(100, 5_000) as i64;
            let mut r = Rec::new(seq, ts, "audit-failure", "session", "error");
            let e = "/dev/log: Connection refused";
            r.message = format!("{prefix_fixed}audit sink syslog failed: {e}");
            r.error = Some(e.to_string());
            r.sink = Some("syslog");
            recs.push(r);
        }
        let mut last_exit = 0;
        let mut entities = 0u32;
        for (i, c) in cmds.iter().enumerate() {
            if denied && i == 1 {
                seq += 1;
                ts += rng.range(1_000_000, 20_000_000) as i64;
                let mut r = Rec::new(seq, ts, "denied", "process", "denied");
                let text = "rm -rf /var/log/auditsh";
                r.message = format!("{prefix_fixed}denied: {text}");
                r.command_line = Some(text.to_string());
                r.cwd = Some(cwd.clone());
                r.error = Some("policy: the audit spool is protected".to_string());
                recs.push(r);
            }
            seq += 1;
            ts += rng.range(500_000, 90_000_000) as i64;
            let started = ts;
            let cmd_seq = seq;
            let mut r = Rec::new(seq, ts, "command", "process", "start");
            r.message = format!("{prefix_fixed}{}", c.text);
            r.command_line = Some(c.text.clone());
            r.cwd = Some(cwd.clone());
            if s.mode == "script" {
                r.script = Some((
                    "/usr/local/bin/nightly.sh".to_string(),
                    sha256_hex(c.text.as_bytes()),
                ));
            }
            recs.push(r);
            if let Some(d) = &c.cd {
                cwd = d.clone();
            }
            // Schema 2: each program as a process, and the records of their ends after the
            // last has started (a pipeline's members exec'd in forked children are named only
            // by their exec records).
            let interactive = s.mode == "interactive";
            let forked = c.programs.len() > 1;
            let mut made: Vec<(Program, &String, &Vec<String>)> = Vec::new();
            for (path, argv) in &c.programs {
                entities += 1;
                let entity = format!("{}-p{entities}", s.id);
                if c.fate == Fate::NotFound {
                    if version == 2 {
                        let p = Program {
                            entity,
                            pid: None,
                            start: ts + rng.range(20, 200) as i64,
                            interactive,
                            group_leader: GroupLeader::Shell,
                            name: Some(argv[0].clone()),
                        };
                        made.push((p, path, argv));
                    }
                    continue;
                }
                seq += 1;
                ts += rng.range(50, 3_000) as i64;
                let pid = rng.range(1000, 60000);
                let group_leader = match (interactive, made.first()) {
                    (false, _) => GroupLeader::Shell,
                    (true, None) => GroupLeader::Itself,
                    (true, Some((first, _, _))) => {
                        GroupLeader::Other(first.pid.unwrap_or(0), first.entity.clone())
                    }
                };
                let program = Program {
                    entity,
                    pid: Some(pid),
                    start: ts - rng.range(20, 200) as i64,
                    interactive,
                    group_leader,
                    name: Some(path.rsplit('/').next().unwrap_or(path).to_string()),
                };
                let mut r = Rec::new(seq, ts, "exec", "process", "start");
                let mut m = format!("{prefix_fixed}{path}");
                for a in argv.iter().skip(1) {
                    m.push(' ');
                    m.push_str(a);
                }
                r.message = m;
                r.executable = Some(path.clone());
                r.args = Some(argv.clone());
                r.cwd = Some(cwd.clone());
                r.command = Some(cmd_seq);
                if rng.one_in(2) {
                    r.file_id = Some((65024, rng.range(100_000, 999_999)));
                }
                if version == 2 {
                    r.program = Some(program.clone());
                    made.push((program, path, argv));
                }
                recs.push(r);
            }
            let last = made.len().saturating_sub(1);
            for (i, (mut p, path, argv)) in made.into_iter().enumerate() {
                seq += 1;
                ts += rng.range(100, 5_000_000) as i64;
                let mut r = Rec::new(seq, ts, "end", "process", "end");
                let (exit, signal) = if i == last {
                    (c.exit, c.signal)
                } else {
                    (0, None)
                };
                r.exit_code = Some(exit);
                r.signal = signal;
                r.duration_ns = Some((ts - p.start) as u64 * 1000 + rng.range(0, 999));
                r.command = Some(cmd_seq);
                let (error, code) = match c.fate {
                    Fate::NotFound => (Some("not found"), Some("ENOENT")),
                    Fate::Refused => (Some("Permission denied"), Some("EACCES")),
                    Fate::Ran => (None, None),
                };
                r.outcome = Some(if exit == 0 && signal.is_none() && error.is_none() {
                    "success"
                } else {
                    "failure"
                });
                if forked {
                    p.name = None;
                } else if c.fate == Fate::NotFound {
                    r.args = Some(argv.clone());
                } else {
                    r.executable = Some(path.clone());
                }
                let name = r
                    .program()
                    .map(str::to_string)
                    .or_else(|| r.args.as_ref().map(|a| a[0].clone()))
                    .unwrap_or_else(|| "program".to_string());
                r.message = match (error, signal) {
                    (Some(e), _) => format!("{prefix_fixed}{name} not started: {e}"),
                    (None, Some(sig)) => format!("{prefix_fixed}{name} killed by {sig}"),
                    (None, None) => format!("{prefix_fixed}{name} exit {exit}"),
                };
                r.error = error.map(str::to_string);
                r.error_code = code;
                r.program = Some(p);
                recs.push(r);
            }
            seq += 1;
            ts += rng.range(1_000, 60_000_000) as i64;
            let mut r = Rec::new(seq, ts, "command", "process", "end");
            r.message = match c.signal {
                Some(sig) => format!("{prefix_fixed}command killed by {sig}"),
                None => format!("{prefix_fixed}command exit {}", c.exit),
            };
            r.exit_code = Some(c.exit);
            r.outcome = Some(if c.exit == 0 { "success" } else { "failure" });
            r.signal = c.signal;
            r.duration_ns = Some((ts - started) as u64 * 1000 + rng.range(0, 999));
            r.command = Some(cmd_seq);
            recs.push(r);
            last_exit = c.exit;
        }
        seq += 1;
        // The session lasts a whole number of milliseconds: `duration_s` has three decimals
        // and no rounding question.
        ts += rng.range(100_000, 30_000_000) as i64;
        ts += (1000 - (ts - start).rem_euclid(1000)) % 1000;
        let mut r = Rec::new(seq, ts, "session-end", "session", "end");
        let reason = match s.mode {
            "interactive" => *rng.pick(&["exit", "eof", "eof", "hangup"]),
            _ => "exit",
        };
        r.end_reason = Some(reason);
        r.exit_code = (reason != "hangup").then_some(last_exit);
        r.duration_ns = Some((ts - start) as u64 * 1000);
        r.message = match r.exit_code {
            Some(c) => format!("{prefix_fixed}session end ({reason}) exit {c}"),
            None => format!("{prefix_fixed}session end ({reason})"),
        };
        recs.push(r);
        s.records = recs;
        s.placement = if !spool_host {
            Placement::Syslog
        } else if !failure && !denied && rng.one_in(3) {
            Placement::Both
        } else {
            Placement::Spool
        };
        chain(&mut s);
        s
    }

    /// Write the fleet under `root` (`spool/` and `remote/`), calling `each` with every
    /// session as it is written. Returns the bytes written (compressed files as compressed).
    pub fn write(&self, root: &Path, each: &mut dyn FnMut(&Session)) -> io::Result<u64> {
        let mut damages = if self.damage {
            Damage::ALL.to_vec()
        } else {
            Vec::new()
        };
        let mut bytes = 0;
        for h in 0..self.hosts {
            let host = host_name(h);
            let remote = root.join("remote").join(&host);
            fs::create_dir_all(&remote)?;
            for d in 0..self.days {
                let mut sessions = self.host_day(h, d);
                damage_some(&mut sessions, &mut damages);
                let mut lines: Vec<(i64, String)> = Vec::new();
                let mut rng = Rng::new(self.seed ^ ((h as u64) << 32 | d as u64));
                for s in &sessions {
                    if s.placement != Placement::Syslog {
                        bytes += write_spool(s, root)?;
                    }
                    if s.placement != Placement::Spool {
                        for r in &s.records {
                            lines.push((r.ts, syslog_line(h, &s.host, s.pid, r)));
                        }
                    }
                    if s.mode != "script" {
                        if let (Some((ip, port)), Some(l)) = (&s.source, &s.login) {
                            let t = s.records[0].ts - 150_000;
                            let text = format!(
                                "Accepted publickey for {} from {ip} port {port} ssh2: ED25519 SHA256:q8Zx0c5v",
                                l.name
                            );
                            lines.push((
                                t,
                                other_line(h, &s.host, t, "sshd", 900 + s.pid % 97, &text),
                            ));
                        }
                    }
                    each(s);
                }
                let day_us = (self.first_day + d as i64) * MICROS_PER_DAY;
                for i in 0..24 {
                    let t =
                        day_us + i * 3_600_000_000 + 17 * 60_000_000 + rng.range(0, 999_999) as i64;
                    lines.push((
                        t,
                        other_line(
                            h,
                            &host,
                            t,
                            "CRON",
                            4000 + i as u64,
                            "(root) CMD (cd / && run-parts --report /etc/cron.hourly)",
                        ),
                    ));
                    let t = t + 1_234_567;
                    lines.push((
                        t,
                        other_line(h, &host, t, "healthd", 777, "{\"level\":\"info\",\"msg\":\"healthcheck ok\",\"session\":\"none\",\"latency_ms\":3}"),
                    ));
                }
                lines.sort_by_key(|l| l.0);
                let age = self.days - 1 - d;
                bytes += write_syslog(&remote, age, &lines)?;
            }
        }
        Ok(bytes)
    }
}

/// The first sessions that can take it get the damage still to do, one kind each (a spool
/// copy only, long enough to have records between its start and end to damage).
fn damage_some(sessions: &mut [Session], left: &mut Vec<Damage>) {
    for s in sessions {
        if s.placement != Placement::Spool || s.records.len() < 6 {
            continue;
        }
        let program = s.records.iter().any(|r| r.action == "exec");
        if let Some(i) = left
            .iter()
            .position(|d| d.applies(s) && (*d != Damage::Entity || program))
        {
            apply_damage(s, left.remove(i));
        }
    }
}

/// A record's line as the collector writes it.
pub fn syslog_line(h: usize, host: &str, pid: u64, r: &Rec) -> String {
    if Fleet::is_rfc3339_host(h) {
        format!(
            "{} {host} auditsh[{pid}]: @cee: {}",
            syslog_time_rfc3339(r.ts),
            r.line
        )
    } else {
        format!("{} {host} auditsh[{pid}]: {}", syslog_time(r.ts), r.line)
    }
}

fn other_line(h: usize, host: &str, t: i64, prog: &str, pid: u64, text: &str) -> String {
    let time = if Fleet::is_rfc3339_host(h) {
        syslog_time_rfc3339(t)
    } else {
        syslog_time(t)
    };
    format!("{time} {host} {prog}[{pid}]: {text}")
}

fn write_spool(s: &Session, root: &Path) -> io::Result<u64> {
    let path = s.spool_path(root);
    fs::create_dir_all(path.parent().expect("a day directory"))?;
    let mut text = String::new();
    for r in &s.records {
        text.push_str(&r.line);
        text.push('\n');
    }
    if s.gzip {
        let mut gz = GzEncoder::new(File::create(&path)?, Compression::fast());
        gz.write_all(text.as_bytes())?;
        gz.finish()?;
    } else {
        fs::write(&path, &text)?;
    }
    Ok(fs::metadata(&path)?.len())
}

/// The collector's file of a day `age` days before the newest: `auditsh.log`, then
/// `auditsh.log.N.gz` (odd N) and `auditsh.log.N.zst` (even N, compressed with the `zstd`
/// program).
fn write_syslog(remote: &Path, age: usize, lines: &[(i64, String)]) -> io::Result<u64> {
    let write_lines = |w: &mut dyn Write| -> io::Result<()> {
        for (_, l) in lines {
            w.write_all(l.as_bytes())?;
            w.write_all(b"\n")?;
        }
        Ok(())
    };
    if age % 2 == 1 {
        let path = remote.join(format!("auditsh.log.{age}.gz"));
        let mut gz = GzEncoder::new(BufWriter::new(File::create(&path)?), Compression::fast());
        write_lines(&mut gz)?;
        gz.finish()?.flush()?;
        return Ok(fs::metadata(&path)?.len());
    }
    let plain = match age {
        0 => remote.join("auditsh.log"),
        n => remote.join(format!("auditsh.log.{n}")),
    };
    let mut w = BufWriter::new(File::create(&plain)?);
    write_lines(&mut w)?;
    w.flush()?;
    drop(w);
    if age == 0 {
        return Ok(fs::metadata(&plain)?.len());
    }
    zstd(&plain)?;
    Ok(fs::metadata(remote.join(format!("auditsh.log.{age}.zst")))?.len())
}

/// `FILE` → `FILE.zst` with the `zstd` program (the crate reads zstd only).
fn zstd(plain: &Path) -> io::Result<()> {
    let st = Command::new("zstd")
        .args(["-q", "-f", "--rm", "-3"])
        .arg(plain)
        .status()
        .map_err(|e| io::Error::new(e.kind(), format!("zstd (apt package zstd): {e}")))?;
    if st.success() {
        Ok(())
    } else {
        Err(io::Error::other("zstd failed"))
    }
}

// ---------------------------------------------------------------------------------------------
// Files that are damaged as files, beside a fleet.

/// What [`write_bad_inputs`] wrote: the damaged files, and the sessions whose records can
/// still be read from them (only those records).
pub struct BadInputs {
    pub files: Vec<PathBuf>,
    pub sessions: Vec<Session>,
}

/// Under `dir`: a gzip'd syslog file cut short after a sync flush (the records before it are
/// readable), a spool file whose last line is cut, a file of binary junk, and a syslog file
/// with a 10 MB line among records. The sessions come from hosts the fleet does not have.
pub fn write_bad_inputs(fleet: &Fleet, dir: &Path) -> io::Result<BadInputs> {
    let base = fleet.hosts + 50;
    let pick = |h: usize| -> Session {
        let mut v: Vec<Session> = (0..fleet.days.max(1))
            .flat_map(|d| fleet.host_day(h, d))
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.records.len()));
        let mut s = v.swap_remove(0);
        s.placement = Placement::Syslog;
        s
    };
    let mut files = Vec::new();
    let mut sessions = Vec::new();

    // A cut gzip file: whole lines up to a sync flush, then nothing more.
    let mut s = pick(base);
    let keep = s.records.len() / 2;
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    for (i, r) in s.records.iter().enumerate() {
        writeln!(gz, "{}", syslog_line(0, &s.host, s.pid, r))?;
        if i + 1 == keep {
            gz.flush()?;
        }
        if i + 1 == keep {
            let at = gz.get_ref().len();
            gz.write_all(b"Nov  6 00:00:00 x sshd[1]: more\n")?;
            let mut bytes = gz.finish()?;
            bytes.truncate(at);
            let path = dir.join("remote").join(&s.host).join("auditsh.log.1.gz");
            fs::create_dir_all(path.parent().expect("a directory"))?;
            fs::write(&path, bytes)?;
            files.push(path);
            break;
        }
    }
    s.records.truncate(keep);
    sessions.push(s);

    // A spool file whose last line is cut in the middle, no newline after it.
    let mut s = pick(base + 1);
    s.placement = Placement::Spool;
    s.gzip = false;
    let path = dir.join("spool").join(&s.host).join(date(s.records[0].ts));
    fs::create_dir_all(&path)?;
    let path = path.join(format!("{}.jsonl", s.id));
    let mut text = String::new();
    let last = s.records.pop().expect("records");
    for r in &s.records {
        text.push_str(&r.line);
        text.push('\n');
    }
    let mut cut = last.line.len() / 2;
    while !last.line.is_char_boundary(cut) || last.line.as_bytes()[cut - 1] == b'}' {
        cut += 1;
    }
    text.push_str(&last.line[..cut]);
    fs::write(&path, text)?;
    files.push(path);
    sessions.push(s);

    // Binary junk.
    let mut rng = Rng::new(fleet.seed ^ 0xbad);
    let junk: Vec<u8> = (0..8192).map(|_| rng.next() as u8).collect();
    let path = dir.join("junk.bin");
    fs::write(&path, junk)?;
    files.push(path);

    // A 10 MB line tagged auditsh among a session's records.
    let s = pick(base + 2);
    let path = dir.join("remote").join(&s.host).join("auditsh.log");
    fs::create_dir_all(path.parent().expect("a directory"))?;
    let mut w = BufWriter::new(File::create(&path)?);
    for (i, r) in s.records.iter().enumerate() {
        writeln!(w, "{}", syslog_line(0, &s.host, s.pid, r))?;
        if i == 1 {
            write!(
                w,
                "Nov  6 12:00:00 {} auditsh[{}]: {{\"message\":\"",
                s.host, s.pid
            )?;
            let chunk = vec![b'A'; 1 << 20];
            for _ in 0..10 {
                w.write_all(&chunk)?;
            }
            w.write_all(b"\"}\n")?;
        }
    }
    w.flush()?;
    files.push(path);
    sessions.push(s);
    Ok(BadInputs { files, sessions })
}
