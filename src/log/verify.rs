//! `auditsh-log verify`: are the sessions' records intact?
//!
//! Records are grouped by `auditsh.session` (and by copy: a session's spool records and its
//! syslog records are two copies, each checked on its own), in the order the files and lines
//! are read. Per session:
//!
//! - every line is a JSON object with the fields every record carries;
//! - `event.sequence` runs 0, 1, 2 ... with no gap, duplicate or reordering (a gap that a
//!   recovery record of the copy's sink accounts for, `auditsh.lost`, is reported as records
//!   lost while that sink failed, still a finding);
//! - `auditsh.prev` is the SHA-256 of the previous record's line as written;
//! - `event.id` is `<session>-<sequence>`;
//! - sequence 0 is `session-start`, and the last record is `session-end`;
//! - with `--key`, each record's MAC (`authenticate`), and `auditsh.key_epoch` never going
//!   back within a session.
//!
//! Findings point at the line where the damage is: an altered record at its own line (the next
//! record's `auditsh.prev` shows it), missing records at the line after the gap, a reordered or
//! duplicated record at the line that came too late, an unterminated session at its last line.

use super::authenticate::Authenticator;
use super::input::{self, Format, Line};
use super::line::{classify, Classified, Copy};
use super::printable;
use super::{error, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::audit::chain::{hex64, line_hash, GENESIS};
use crate::audit::text::os_error_text;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files and directories to read (directories are walked; any file holding records is
    /// read: spool files, syslog files, plain, gzip'd or zstd'd). Default: the installed spool
    /// /var/log/auditsh for the installed auditsh-log, else the development spool
    /// ($XDG_STATE_HOME/auditsh or ~/.local/state/auditsh)
    #[arg(value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,

    /// Print only the findings, no summary
    #[arg(short, long)]
    pub quiet: bool,

    /// Also check that each record was sealed by auditsh with this host's key: FILE is the
    /// verification key (auditsh-log key init) or a state file, which checks its own day and
    /// every later one. A record without a valid MAC is a finding
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Run `verify`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    let operands = if args.paths.is_empty() {
        vec![input::default_spool_dir()]
    } else {
        args.paths.clone()
    };
    let (collected, errors) = input::collect(&operands);
    let mut failed = !errors.is_empty();
    for e in &errors {
        error(e);
    }
    let mut v = Verifier::new();
    v.spool_days(&collected.spool_days);
    if let Some(path) = &args.key {
        match Authenticator::load(path) {
            Ok(a) => v.authenticator = Some(a),
            Err(e) => {
                error(&e);
                return EXIT_ERROR;
            }
        }
    }
    for f in &collected.files {
        if let Err(e) = v.read_file(&f.path, f.format) {
            error(&e);
            failed = true;
        }
    }
    let report = v.finish();
    // The empty-run rule: no record read (and nothing wrong found) is an error, never
    // "0 findings".
    if report.records == 0 && report.findings.is_empty() {
        if !(failed && report.files == 0) {
            super::select::no_records(&operands, report.files);
        }
        return EXIT_ERROR;
    }
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let written = report
        .findings
        .iter()
        .try_for_each(|f| writeln!(out, "{f}"))
        .and_then(|()| {
            if args.quiet {
                Ok(())
            } else {
                writeln!(out, "{}", report.summary())
            }
        })
        .and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            error(&format!("standard output: {}", os_error_text(&e)));
        }
        return EXIT_ERROR;
    }
    if failed {
        EXIT_ERROR
    } else if report.findings.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// Where a line is: the file's index among those read, and its 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    pub file: usize,
    pub line: u64,
}

/// One thing wrong, at one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file's name as it is printed.
    pub file: String,
    pub loc: Loc,
    /// The session (printable) and which copy, when the line could be tied to one.
    pub session: Option<(String, Copy)>,
    pub what: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: ", self.file, self.loc.line)?;
        if let Some((s, copy)) = &self.session {
            write!(f, "session {s}")?;
            if *copy == Copy::Syslog {
                write!(f, " (syslog copy)")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.what)
    }
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Report {
    pub files: usize,
    pub sessions: usize,
    pub records: u64,
    /// With `--key`: the records whose MAC checked.
    pub authenticated: Option<u64>,
    /// In file order, then line order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// `N files, M sessions, K records, F findings` (with `--key`, `A authenticated` before
    /// the findings).
    pub fn summary(&self) -> String {
        let authenticated = self
            .authenticated
            .map(|a| format!("{a} authenticated, "))
            .unwrap_or_default();
        format!(
            "{}, {}, {}, {authenticated}{}",
            plural(self.files as u64, "file"),
            plural(self.sessions as u64, "session"),
            plural(self.records, "record"),
            plural(self.findings.len() as u64, "finding")
        )
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A session's copy: the key records are grouped by.
type Key = (String, Copy);

/// What is known of one session's copy so far.
struct Session {
    /// The next sequence in order.
    next: u64,
    /// Hash of the last record in order, its place and sequence (none before the first).
    last_hash: [u8; 32],
    last: Option<(Loc, u64)>,
    /// The last record in order was damaged: the next one's `auditsh.prev` is not checked
    /// against it (the damage is already a finding).
    last_broken: bool,
    /// The last line of this session in file order.
    last_line: Loc,
    /// `session-end`: its sequence and place.
    end: Option<(u64, Loc)>,
    /// The shell's own pid (from `session-start`): records after the end are allowed only
    /// from other processes of the session (a background job that outlived the shell).
    shell_pid: Option<u64>,
    /// Sequences not seen yet below `next`: first → (last, where the gap showed).
    gaps: BTreeMap<u64, (u64, Loc)>,
    /// The UTC day (`YYYY-MM-DD`) of `session-start`, the day directory of its spool file.
    start_day: Option<String>,
    /// `host.hostname` of `session-start`: whose spool tree must hold its file.
    host: Option<String>,
    /// The first line of this session in file order.
    first_line: Loc,
    /// With `--key`: the last `auditsh.key_epoch` seen (of a record other than a
    /// `key-rollover`), and its record's sequence.
    key_epoch: Option<(u64, Option<u64>)>,
    /// With `--key`: the epochs whose keys this session may use: its first sealed record's,
    /// and those its authenticated `key-rollover` records opened.
    opened: Vec<u64>,
    /// The losses this copy's sink reported on recovering (`auditsh.lost`): first and last
    /// sequence lost, and the recovery record's sequence.
    accounted: Vec<(u64, u64, u64)>,
    /// The places (sequences) taken by lines that are not records (a fragment of a record
    /// whose write was cut short takes the place of the first record its sink lost).
    torn: Vec<u64>,
}

impl Session {
    fn new(at: Loc) -> Session {
        Session {
            start_day: None,
            host: None,
            first_line: at,
            next: 0,
            last_hash: GENESIS,
            last: None,
            last_broken: false,
            last_line: at,
            end: None,
            shell_pid: None,
            gaps: BTreeMap::new(),
            key_epoch: None,
            opened: Vec::new(),
            accounted: Vec::new(),
            torn: Vec::new(),
        }
    }

    /// The gap holding `seq`, split around it; false when `seq` is in none.
    fn take_from_gap(&mut self, seq: u64) -> bool {
        let Some((&first, &(last, at))) = self.gaps.range(..=seq).next_back() else {
            return false;
        };
        if seq > last {
            return false;
        }
        self.gaps.remove(&first);
        if first < seq {
            self.gaps.insert(first, (seq - 1, at));
        }
        if seq < last {
            self.gaps.insert(seq + 1, (last, at));
        }
        true
    }
}

/// The fields every record carries, and what each must be.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    Array,
    Hash,
}

const REQUIRED: &[(&str, Ty)] = &[
    ("@timestamp", Ty::Str),
    ("ecs.version", Ty::Str),
    ("event.kind", Ty::Str),
    ("event.category", Ty::Array),
    ("event.type", Ty::Array),
    ("event.action", Ty::Str),
    ("event.sequence", Ty::Int),
    ("event.id", Ty::Str),
    ("message", Ty::Str),
    ("host.hostname", Ty::Str),
    ("user.id", Ty::Str),
    ("user.effective.id", Ty::Str),
    ("group.id", Ty::Str),
    ("process.pid", Ty::Int),
    ("process.parent.pid", Ty::Int),
    ("auditsh.version", Ty::Int),
    ("auditsh.session", Ty::Str),
    ("auditsh.mode", Ty::Str),
    ("auditsh.prev", Ty::Hash),
];

/// The value at a dotted path (`@timestamp` has no dots).
fn field<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    if path.starts_with('@') {
        return v.get(path);
    }
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The fields that are missing or not what they must be.
fn bad_fields(v: &Value) -> Vec<&'static str> {
    REQUIRED
        .iter()
        .filter(|(path, ty)| {
            let Some(x) = field(v, path) else {
                return true;
            };
            !match ty {
                Ty::Str => x.is_string(),
                Ty::Int => x.is_u64(),
                Ty::Array => x.is_array(),
                Ty::Hash => x.as_str().is_some_and(is_hash),
            }
        })
        .map(|(path, _)| *path)
        .collect()
}

/// Reads lines and keeps each session's state; `finish` gives the findings.
#[derive(Default)]
pub struct Verifier {
    files: Vec<String>,
    /// Per file read (same index as `files`): its path and format, to read a spool file again.
    paths: Vec<(PathBuf, Format)>,
    sessions: HashMap<Key, Session>,
    findings: Vec<Finding>,
    records: u64,
    /// Torn syslog lines that may be records cut by the transport, by (session, sequence):
    /// the spool copy of the same record decides.
    cuts: HashMap<(String, u64), Cut>,
    /// Spool day directories read: `YYYY-MM-DD` → each such directory (several spool trees,
    /// one per host, may be read at once).
    spool_days: HashMap<String, Vec<PathBuf>>,
    /// Per spool tree (the parent of its day directories): the hosts whose records its files
    /// hold. A session is missing from a tree only if the tree is its host's.
    tree_hosts: HashMap<PathBuf, HashSet<String>>,
    /// Sessions whose spool file is empty.
    empty_spool: HashSet<String>,
    /// `--key`: checks each record's MAC.
    pub authenticator: Option<Authenticator>,
}

/// A syslog line that is the start of a record and no more: cut by the transport (a syslog
/// daemon's message size limit) when the spool copy of that record begins with exactly these
/// bytes, else torn or altered.
struct Cut {
    at: Loc,
    key: Key,
    len: usize,
    hash: [u8; 32],
    /// The finding when the spool copy does not show a cut.
    otherwise: String,
}

/// Per file: the session of the last record read, to which a torn line that follows belongs
/// (in a spool file every line is of one session).
struct FileCtx {
    index: usize,
    format: Format,
    last_key: Option<Key>,
    /// A spool file is named after its session.
    stem_session: Option<String>,
    /// The host of this spool file's records is noted for its tree.
    host_noted: bool,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier::default()
    }

    /// The spool's day directories that were read: a session that the syslog copy shows
    /// starting on one of those days must have its spool file there.
    pub fn spool_days(&mut self, dirs: &[PathBuf]) {
        for d in dirs {
            if let Some(day) = d.file_name().and_then(|n| n.to_str()) {
                self.spool_days
                    .entry(day.to_string())
                    .or_default()
                    .push(d.clone());
            }
        }
    }

    /// Read and check one file. An I/O error (cannot open, read error) is returned as one
    /// line; what was read before it is checked. Damaged gzip data is a finding.
    pub fn read_file(&mut self, path: &std::path::Path, format: Format) -> Result<(), String> {
        let name = printable::path(path);
        let reader = input::open(path).map_err(|e| format!("{name}: {}", os_error_text(&e)))?;
        self.read(path, format, reader)
    }

    /// Check the lines of `reader`, read from `path`.
    pub fn read(
        &mut self,
        path: &std::path::Path,
        format: Format,
        mut reader: input::Reader,
    ) -> Result<(), String> {
        let name = printable::path(path);
        let mut ctx = self.start_file(&name, format, path);
        let mut buf = Vec::new();
        let mut line_no: u64 = 0;
        loop {
            match reader.next_line(&mut buf) {
                Ok(None) => {
                    if line_no == 0 && format == Format::Spool {
                        self.empty_spool_file(&ctx);
                    }
                    return Ok(());
                }
                Ok(Some(kind)) => {
                    line_no += 1;
                    self.line(&mut ctx, line_no, &buf, kind);
                }
                Err(e) if reader.compressed && is_data_error(&e) => {
                    let at = Loc {
                        file: ctx.index,
                        line: line_no + 1,
                    };
                    self.finding(
                        at,
                        None,
                        format!(
                            "compressed data is damaged or cut short ({})",
                            os_error_text(&e)
                        ),
                    );
                    return Ok(());
                }
                Err(e) => {
                    return Err(format!(
                        "{name}: read error after line {line_no}: {}",
                        os_error_text(&e)
                    ))
                }
            }
        }
    }

    fn start_file(&mut self, name: &str, format: Format, path: &std::path::Path) -> FileCtx {
        self.files.push(name.to_string());
        self.paths.push((path.to_path_buf(), format));
        let stem_session = (format == Format::Spool)
            .then(|| path.file_name().and_then(|n| n.to_str()))
            .flatten()
            .map(|n| n.trim_end_matches(".gz").trim_end_matches(".jsonl"))
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        FileCtx {
            index: self.files.len() - 1,
            format,
            last_key: None,
            stem_session,
            host_noted: false,
        }
    }

    fn finding(&mut self, loc: Loc, key: Option<&Key>, what: String) {
        self.findings.push(Finding {
            file: self.files.get(loc.file).cloned().unwrap_or_default(),
            loc,
            session: key.map(|(s, c)| (printable::value(s), *c)),
            what,
        });
    }

    /// One line of a file.
    fn line(&mut self, ctx: &mut FileCtx, line_no: u64, bytes: &[u8], kind: Line) {
        let at = Loc {
            file: ctx.index,
            line: line_no,
        };
        let Classified::Record { json, copy, sure } = classify(bytes, ctx.format) else {
            return;
        };
        let newline = match kind {
            Line::Text { newline } => newline,
            Line::TooLong { len } => {
                if sure {
                    self.damaged(
                        ctx,
                        at,
                        copy,
                        json,
                        format!("a line of {len} bytes, longer than any record"),
                    );
                }
                return;
            }
        };
        let v: Value = match serde_json::from_slice(json) {
            Ok(v) => v,
            Err(e) => {
                if sure {
                    let what = if json.is_empty() {
                        "an empty line, not a record".to_string()
                    } else if !newline {
                        format!("a line cut short, where the file ends ({e})")
                    } else {
                        format!("not a JSON record: torn or altered line ({e})")
                    };
                    self.damaged(ctx, at, copy, json, what);
                }
                return;
            }
        };
        let session = match v.get("auditsh").map(|a| a.get("session")) {
            None if !sure => return, // another program's JSON
            Some(Some(Value::String(s))) => s.clone(),
            _ => {
                let what = if v.is_object() {
                    "a record with no auditsh.session".to_string()
                } else {
                    "a JSON value that is not a record (not an object)".to_string()
                };
                self.damaged(ctx, at, copy, json, what);
                return;
            }
        };
        self.records += 1;
        let key: Key = (session, copy);
        ctx.last_key = Some(key.clone());
        if copy == Copy::Syslog {
            let prefix = &bytes[..bytes.len() - json.len()];
            if let Some(what) = foreign_sender(prefix, &v) {
                self.finding(at, Some(&key), what);
            }
        }
        if copy == Copy::Spool && !self.cuts.is_empty() {
            self.settle_cut(&key.0, at, json, &v);
        }
        if copy == Copy::Spool && !ctx.host_noted {
            ctx.host_noted = true;
            self.note_tree_host(ctx.index, &v);
        }
        self.record(key, at, json, &v, newline);
    }

    /// An empty spool file: the shell writes `session-start` as soon as it makes the file, so
    /// an empty one lost every record of its session (removed, or the spool failed).
    fn empty_spool_file(&mut self, ctx: &FileCtx) {
        let at = Loc {
            file: ctx.index,
            line: 1,
        };
        let key = ctx.stem_session.clone().map(|s| (s, Copy::Spool));
        if let Some((s, _)) = &key {
            self.empty_spool.insert(s.clone());
        }
        self.finding(
            at,
            key.as_ref(),
            "an empty spool file: none of its session's records are in it".to_string(),
        );
    }

    /// A spool record: is it the whole of a syslog line that was cut?
    fn settle_cut(&mut self, session: &str, at: Loc, json: &[u8], v: &Value) {
        let Some(seq) = field(v, "event.sequence").and_then(Value::as_u64) else {
            return;
        };
        let Some(cut) = self.cuts.remove(&(session.to_string(), seq)) else {
            return;
        };
        self.settle(cut, seq, at, json);
    }

    /// The finding for a cut syslog line of record `seq`, given its spool copy `whole` at
    /// `spool_at`: cut by the transport when the copy proves it, else what the line looked like.
    fn settle(&mut self, cut: Cut, seq: u64, spool_at: Loc, whole: &[u8]) {
        let what = if cut.proven_by(whole) {
            let place = place_of(&self.files, spool_at, cut.at);
            format!(
                "record {seq} was cut by the transport after {} of its {} bytes; the spool copy ({place}) is whole: raise the syslog daemon's message size (packaging/rsyslog/auditsh.conf)",
                cut.len,
                whole.len()
            )
        } else {
            cut.otherwise
        };
        self.finding(cut.at, Some(&cut.key), what);
    }

    /// A line that should be a record and is not: a finding, tied to a session where one can
    /// be told, in which it takes the next sequence. In a spool file (one session) that is the
    /// session of the record before it, or the one the file is named after; in a syslog file
    /// (sessions interleaved) only the line's own `event.id`, when what is left shows it.
    fn damaged(&mut self, ctx: &mut FileCtx, at: Loc, copy: Copy, json: &[u8], what: String) {
        let torn = torn_event_id(json);
        let key = match copy {
            Copy::Spool => ctx
                .last_key
                .clone()
                .or_else(|| ctx.stem_session.clone().map(|s| (s, copy))),
            Copy::Syslog => torn.as_ref().map(|(s, _)| (s.clone(), copy)),
        };
        match (copy, torn) {
            // Maybe cut by the transport: the spool copy, read before or after, decides.
            (Copy::Syslog, Some((session, seq))) if !json.is_empty() => {
                let cut = Cut {
                    at,
                    key: (session.clone(), copy),
                    len: json.len(),
                    hash: line_hash(json),
                    otherwise: what,
                };
                if let Some(old) = self.cuts.insert((session, seq), cut) {
                    self.finding(old.at, Some(&old.key), old.otherwise);
                }
            }
            _ => self.finding(at, key.as_ref(), what),
        }
        let Some(key) = key else {
            return;
        };
        if copy == Copy::Spool {
            ctx.last_key = Some(key.clone());
        }
        let s = self.sessions.entry(key).or_insert_with(|| Session::new(at));
        s.last_line = at;
        s.last = Some((at, s.next));
        s.torn.push(s.next);
        s.next = s.next.saturating_add(1);
        s.last_broken = true;
    }

    /// Check one parsed record of session `key`.
    fn record(&mut self, key: Key, at: Loc, json: &[u8], v: &Value, newline: bool) {
        let mut problems: Vec<String> = Vec::new();
        let bad = bad_fields(v);
        if !bad.is_empty() {
            problems.push(format!("missing or malformed: {}", bad.join(", ")));
        }
        if !newline {
            problems.push("no newline after the record: the file ends inside it".to_string());
        }
        let seq = field(v, "event.sequence").and_then(Value::as_u64);
        let action = field(v, "event.action").and_then(Value::as_str);
        if let (Some(seq), Some(id)) = (seq, field(v, "event.id").and_then(Value::as_str)) {
            let want = format!("{}-{seq}", key.0);
            if id != want {
                problems.push(format!(
                    "event.id {} is not the session and sequence ({})",
                    printable::value(id),
                    printable::value(&want)
                ));
            }
        }
        if let Some(seq) = seq {
            if action == Some("session-start") && seq != 0 {
                problems.push(format!(
                    "session-start with sequence {seq}: a session starts once, at 0"
                ));
            }
            if seq == 0 && action.is_some_and(|a| a != "session-start") {
                problems.push(format!(
                    "the first record (sequence 0) is {}, not session-start",
                    printable::value(action.unwrap_or(""))
                ));
            }
        }

        let sealed = self.authenticator.as_mut().map(|a| a.check(json, v));
        let s = self
            .sessions
            .entry(key.clone())
            .or_insert_with(|| Session::new(at));
        s.last_line = at;
        // What the MAC check finds is reported at the record; it is not damage to the chain
        // (the next record's auditsh.prev is still checked against this one).
        let mut unauthenticated: Vec<String> = Vec::new();
        if let Some(sealed) = sealed {
            unauthenticated = sealed.problems;
            let rollover = action == Some("key-rollover");
            if let Some(epoch) = sealed.epoch {
                if s.opened.is_empty() {
                    // The session's first authenticated record opens the key it was sealed
                    // with (a forged one is a finding already and opens nothing).
                    if unauthenticated.is_empty() {
                        s.opened.push(epoch);
                    }
                } else if !s.opened.contains(&epoch) {
                    unauthenticated.push(format!(
                        "sealed with the key of {} (epoch {epoch}), which this session never moved to: no key-rollover record sealed with one of its earlier keys opens it (a session of an earlier day continued with a later key?)",
                        crate::audit::mac::date_of(epoch),
                    ));
                }
                if let Some(next) = sealed.opens {
                    if s.opened.contains(&epoch) && !s.opened.contains(&next) {
                        s.opened.push(next);
                    }
                }
            }
            if let Some(epoch) = sealed.epoch.filter(|_| !rollover) {
                if let Some((before, before_seq)) = s.key_epoch.filter(|&(e, _)| epoch < e) {
                    let which = before_seq.map_or(String::new(), |q| format!(" of record {q}"));
                    unauthenticated.push(format!(
                        "auditsh.key_epoch {epoch} ({}) is earlier than {before} ({}){which} before it: a session's key never goes back",
                        crate::audit::mac::date_of(epoch),
                        crate::audit::mac::date_of(before),
                    ));
                }
                s.key_epoch = Some((epoch, seq));
            }
        }
        if let (Some(lost), Some(seq)) = (sink_loss(v, key.1), seq) {
            s.accounted.push((lost.0, lost.1, seq));
        }
        let pid = field(v, "process.pid").and_then(Value::as_u64);
        if action == Some("session-start") {
            s.shell_pid = pid;
            s.host = field(v, "host.hostname")
                .and_then(Value::as_str)
                .map(str::to_string);
            s.start_day = field(v, "@timestamp")
                .and_then(Value::as_str)
                .and_then(|t| t.get(..10))
                .filter(|d| input::is_day_name(d.as_bytes()))
                .map(str::to_string);
        }
        // A job started in the background may outlive the shell: its programs' records (and
        // its sinks' failure notices) follow the session's end, from its own pid.
        let from_a_job = matches!(action, Some("exec" | "audit-failure"))
            && pid.is_some()
            && s.shell_pid.is_some()
            && pid != s.shell_pid;
        let mut later: Vec<(Loc, String)> = Vec::new();
        if let (Some((end_seq, end_at)), Some(seq)) = (s.end, seq) {
            if seq > end_seq && !from_a_job {
                later.push((
                    at,
                    format!(
                        "a record after the session's end (session-end, sequence {end_seq}, {})",
                        place_of(&self.files, end_at, at)
                    ),
                ));
            }
        }
        let damaged = !problems.is_empty();
        match seq {
            None => {
                // Not placeable: it takes the next place, as a torn line does.
                s.last = Some((at, s.next));
                s.next = s.next.saturating_add(1);
                s.last_hash = line_hash(json);
                s.last_broken = true;
            }
            Some(seq) if seq >= s.next => {
                if seq > s.next {
                    s.gaps.insert(s.next, (seq - 1, at));
                } else if !s.last_broken {
                    let prev = field(v, "auditsh.prev").and_then(Value::as_str);
                    let want = hex64(&s.last_hash);
                    if prev.map(str::as_bytes) != Some(&want[..]) && prev.is_some_and(is_hash) {
                        match s.last {
                            None => later.push((
                                at,
                                "auditsh.prev of the first record (sequence 0) is not 64 zeros"
                                    .to_string(),
                            )),
                            Some((prev_at, prev_seq)) => later.push((
                                prev_at,
                                format!(
                                    "record {prev_seq} was altered: its SHA-256 is not the auditsh.prev of record {seq} ({})",
                                    place_of(&self.files, at, prev_at)
                                ),
                            )),
                        }
                    }
                }
                s.last = Some((at, seq));
                s.next = seq.saturating_add(1);
                s.last_hash = line_hash(json);
                s.last_broken = damaged;
                if action == Some("session-end") && s.end.is_none() {
                    s.end = Some((seq, at));
                }
            }
            Some(seq) => {
                let after = s
                    .last
                    .map(|(l, q)| format!("sequence {q}, {}", place_of(&self.files, l, at)))
                    .unwrap_or_default();
                if s.take_from_gap(seq) {
                    later.push((
                        at,
                        format!("sequence {seq} is out of order: it comes after {after}"),
                    ));
                } else if s.last.is_some_and(|(_, q)| q == seq) {
                    later.push((
                        at,
                        format!(
                            "sequence {seq} again, as at {}: a duplicated or replayed record",
                            s.last
                                .map(|(l, _)| place_of(&self.files, l, at))
                                .unwrap_or_default()
                        ),
                    ));
                } else {
                    later.push((
                        at,
                        format!("sequence {seq} again: a duplicated or replayed record (the last in order is {after})"),
                    ));
                }
                if action == Some("session-end") && s.end.is_none() {
                    s.end = Some((seq, at));
                }
            }
        }
        for p in problems.into_iter().chain(unauthenticated) {
            self.finding(at, Some(&key), p);
        }
        for (loc, what) in later {
            self.finding(loc, Some(&key), what);
        }
    }

    /// The findings: everything seen per line, then what only the end shows (records that
    /// never came, sessions with no end). Sorted by file and line.
    pub fn finish(mut self) -> Report {
        self.settle_cuts_from_files();
        self.missing_spool_files();
        let mut keys: Vec<Key> = self.sessions.keys().cloned().collect();
        keys.sort();
        for key in &keys {
            let Some(s) = self.sessions.remove(key) else {
                continue;
            };
            for (&first, &(last, at)) in &s.gaps {
                let which = if first == last {
                    format!("record {first} is missing")
                } else {
                    format!(
                        "records {first} to {last} are missing ({} records)",
                        (last - first).saturating_add(1)
                    )
                };
                let start = if first == 0 {
                    ", the session's start"
                } else {
                    ""
                };
                // The sink said it lost exactly these: a loss while it failed, not a removal.
                // A fragment of the first lost record may stand in its place.
                let accounts = |&&(f, l, _): &&(u64, u64, u64)| {
                    l == last && (f == first || (f + 1 == first && s.torn.contains(&f)))
                };
                if let Some(&(_, _, by)) = s.accounted.iter().find(accounts) {
                    let n = plural((last - first).saturating_add(1), "record");
                    let range = if first == last {
                        format!("record {first}")
                    } else {
                        format!("records {first} to {last}")
                    };
                    self.finding(
                        at,
                        Some(key),
                        format!(
                            "{range} ({n}) lost while the {} failed, as its recovery record (sequence {by}) says{start}, before this line",
                            copy_sink(key.1)
                        ),
                    );
                    continue;
                }
                self.finding(at, Some(key), format!("{which}{start}, before this line"));
            }
            if s.end.is_none() {
                self.finding(
                    s.last_line,
                    Some(key),
                    "has no end (unterminated): no session-end after this record".to_string(),
                );
            }
        }
        // Stable: findings at one line keep the order they were found in.
        self.findings.sort_by_key(|f| f.loc);
        let sessions: HashSet<&str> = keys.iter().map(|(s, _)| s.as_str()).collect();
        Report {
            files: self.files.len(),
            sessions: sessions.len(),
            records: self.records,
            authenticated: self.authenticator.as_ref().map(|a| a.authenticated),
            findings: self.findings,
        }
    }
}

impl Verifier {
    /// The cut syslog lines whose spool copy was read before them: read those spool files
    /// again for the records in question.
    fn settle_cuts_from_files(&mut self) {
        let mut by_file: BTreeMap<usize, Vec<(String, u64)>> = BTreeMap::new();
        for (session, seq) in self.cuts.keys() {
            if let Some(s) = self.sessions.get(&(session.clone(), Copy::Spool)) {
                by_file
                    .entry(s.last_line.file)
                    .or_default()
                    .push((session.clone(), *seq));
            }
        }
        for (file, wanted) in by_file {
            let Some((path, format)) = self.paths.get(file).cloned() else {
                continue;
            };
            let Ok(mut reader) = input::open(&path) else {
                continue;
            };
            let mut buf = Vec::new();
            let mut line_no = 0u64;
            while let Ok(Some(Line::Text { .. })) = reader.next_line(&mut buf) {
                line_no += 1;
                let Classified::Record { json, .. } = classify(&buf, format) else {
                    continue;
                };
                let Some(id) = torn_event_id(json) else {
                    continue;
                };
                if !wanted.contains(&id) {
                    continue;
                }
                let Some(cut) = self.cuts.remove(&id) else {
                    continue;
                };
                let at = Loc {
                    file,
                    line: line_no,
                };
                self.settle(cut, id.1, at, json);
            }
        }
        // No spool copy to tell: what the line looks like is all there is.
        let mut rest: Vec<Cut> = self.cuts.drain().map(|(_, c)| c).collect();
        rest.sort_by_key(|c| c.at);
        for c in rest {
            self.finding(c.at, Some(&c.key), c.otherwise);
        }
    }

    /// The host of a spool file's records belongs to the spool tree the file is in (the
    /// parent of its day directory).
    fn note_tree_host(&mut self, file: usize, v: &Value) {
        let Some(host) = field(v, "host.hostname").and_then(Value::as_str) else {
            return;
        };
        let Some(root) = self
            .paths
            .get(file)
            .and_then(|(p, _)| p.parent())
            .and_then(|day| day.parent())
        else {
            return;
        };
        self.tree_hosts
            .entry(root.to_path_buf())
            .or_default()
            .insert(host.to_string());
    }

    /// Sessions the syslog copy shows starting on a day whose spool directory was read, with
    /// no spool file there.
    fn missing_spool_files(&mut self) {
        let mut missing: Vec<(Loc, Key, String)> = Vec::new();
        let trees: HashSet<&Path> = self
            .spool_days
            .values()
            .flatten()
            .filter_map(|d| d.parent())
            .collect();
        let one_tree = trees.len() <= 1;
        for ((session, copy), s) in &self.sessions {
            if *copy != Copy::Syslog
                || self.empty_spool.contains(session)
                || self.sessions.contains_key(&(session.clone(), Copy::Spool))
            {
                continue;
            }
            let Some(dirs) = s.start_day.as_ref().and_then(|d| self.spool_days.get(d)) else {
                continue;
            };
            // The day directory of this host's tree. A tree whose files are another host's
            // is not expected to hold the session; one with no file to tell is, when it is
            // the only tree read (one host's spool beside its syslog).
            let Some(dir) = dirs.iter().find(|d| {
                let hosts = d.parent().and_then(|root| self.tree_hosts.get(root));
                match (&s.host, hosts) {
                    (Some(h), Some(hosts)) => hosts.contains(h),
                    (_, None) => one_tree,
                    (None, Some(_)) => false,
                }
            }) else {
                continue;
            };
            let dir = printable::path(dir);
            missing.push((
                s.first_line,
                (session.clone(), Copy::Syslog),
                format!(
                    "no spool file for this session ({dir}/{}.jsonl): removed, or the spool failed",
                    printable::value(session)
                ),
            ));
        }
        missing.sort_by_key(|m| m.0);
        for (at, key, what) in missing {
            self.finding(at, Some(&key), what);
        }
    }
}

impl Cut {
    /// The spool copy `whole` begins with exactly the bytes the syslog line kept.
    fn proven_by(&self, whole: &[u8]) -> bool {
        whole.len() > self.len && line_hash(&whole[..self.len]) == self.hash
    }
}

/// A syslog line's sender, as rsyslog's trusted properties show it (`trusted(uid=U,gid=G,
/// pid=P)` before the record; packaging/rsyslog/auditsh.conf), against what the record and
/// its syslog tag say: a line that another process sent with auditsh's tag is forged.
fn foreign_sender(prefix: &[u8], v: &Value) -> Option<String> {
    let trusted = trusted_credentials(prefix)?;
    let tag_pid = tag_pid(prefix);
    let user = field(v, "user.id").and_then(Value::as_str);
    if let (Some(uid), Some(user)) = (trusted.uid, user) {
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
struct Credentials {
    uid: Option<u64>,
    pid: Option<u64>,
}

fn trusted_credentials(prefix: &[u8]) -> Option<Credentials> {
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
fn tag_pid(prefix: &[u8]) -> Option<u64> {
    const TAG: &[u8] = b"auditsh[";
    let start = prefix.windows(TAG.len()).position(|w| w == TAG)? + TAG.len();
    let rest = &prefix[start..];
    let digits = &rest[..rest.iter().position(|&b| b == b']')?];
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// `line L` in the same file as `from`, `FILE:L` in another.
fn place_of(files: &[String], at: Loc, from: Loc) -> String {
    if at.file == from.file {
        format!("line {}", at.line)
    } else {
        format!(
            "{}:{}",
            files.get(at.file).map_or("?", String::as_str),
            at.line
        )
    }
}

/// The sink a copy of the records comes from, as `auditsh.sink` names it.
fn copy_sink(copy: Copy) -> &'static str {
    match copy {
        Copy::Spool => "spool",
        Copy::Syslog => "syslog",
    }
}

/// A recovery record of the sink of `copy`: the first and last sequence it says that sink
/// lost (`auditsh.lost`).
fn sink_loss(v: &Value, copy: Copy) -> Option<(u64, u64)> {
    if field(v, "event.action").and_then(Value::as_str) != Some("audit-failure")
        || field(v, "auditsh.recovered").and_then(Value::as_bool) != Some(true)
        || field(v, "auditsh.sink").and_then(Value::as_str) != Some(copy_sink(copy))
    {
        return None;
    }
    let first = field(v, "auditsh.lost.first_sequence").and_then(Value::as_u64)?;
    let count = field(v, "auditsh.lost.count").and_then(Value::as_u64)?;
    Some((first, first.checked_add(count.checked_sub(1)?)?))
}

/// The session and sequence named by the `event.id` (`"id":"SESSION-SEQ"`, the first `"id"`
/// of a record) of what is left of a torn line.
fn torn_event_id(json: &[u8]) -> Option<(String, u64)> {
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

/// A read error that means the (gzip) data is bad rather than the file unreadable.
fn is_data_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests;
