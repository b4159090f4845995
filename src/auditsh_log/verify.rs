//! `auditsh-log verify`: are the sessions' records intact?
//!
//! Records are grouped by `auditsh.session` (and by copy: a session's spool records and its
//! syslog records are two copies, each checked on its own), in the order the files and lines
//! are read. Per session:
//!
//! - every line is a JSON object with the fields every record carries (of schema 2 also the
//!   process model: entity ids of the session, the session's shell as every record's session
//!   and entry leader, named as `session-start` names it);
//! - `event.sequence` runs 0, 1, 2 ... with no gap, duplicate or reordering (a gap that a
//!   recovery record of the copy's sink accounts for, `auditsh.lost`, is reported as records
//!   lost while that sink failed, still a finding; a schema 2 syslog copy's record that comes
//!   a little late, in its place in the chain, is none);
//! - `auditsh.prev` is the SHA-256 of the previous record's line as written;
//! - `event.id` is `<session>-<sequence>`;
//! - sequence 0 is `session-start`, and the last record is `session-end` (but for the records
//!   of a job that outlived the shell: `exec`, `end`, `audit-failure` written by another of the
//!   session's processes);
//! - with `--key`, each record's MAC (`authenticate`), and `auditsh.key_epoch` never going
//!   back within a session.
//!
//! Findings point at the line where the damage is: an altered record at its own line (the next
//! record's `auditsh.prev` shows it), missing records at the line after the gap, a reordered or
//! duplicated record at the line that came too late, an unterminated session at its last line.
//! A session with no end whose shell is still running on this host, or whose spool file a
//! process holds open, is `open`, not unterminated.
//!
//! Files are read and their lines digested in parallel ([`super::digest`]); the digests are
//! walked here in file order. What is found, and the summary, are [`super::findings`].

use super::authenticate::Authenticator;
use super::digest::{copy_sink, torn_event_id, Action, Damaged, Digester, Fact, FileDigest, Rec};
use super::findings::plural;
pub use super::findings::{Finding, Kind, Loc, Report};
use super::input::{self, Format, Line};
use super::line::{classify, Classified, Copy};
use super::printable;
use super::running::Running;
use super::scan::{self, FileReport};
use super::{error, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::audit::chain::{line_hash, GENESIS};
use crate::sys::errno;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

    /// Read this many files at once (default: one per core)
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    /// Also check that each record was sealed by auditsh with this host's key: FILE is the
    /// verification key (auditsh-log key init) or a state file, which checks its own day and
    /// every later one. A record without a valid MAC is a finding
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Run `verify`; returns the exit status.
/// Check one session's records, the lines of its spool file (the last newline optional), as
/// `verify` does: their number, or the first finding. No `session-end` yet is not a finding
/// here: the tests of the shell that wrote them check a session still running, or killed.
pub fn one_session(text: &[u8]) -> Result<u64, String> {
    let mut text = text.to_vec();
    if !text.is_empty() && !text.ends_with(b"\n") {
        text.push(b'\n');
    }
    let reader = input::Reader::new(Box::new(io::Cursor::new(text)), false);
    let mut v = Verifier::new();
    v.read(Path::new("session.jsonl"), Format::Spool, reader)?;
    let report = v.finish();
    if let Some(f) = report
        .findings
        .iter()
        .find(|f| f.kind != Kind::Unterminated)
    {
        return Err(f.to_string());
    }
    match report.sessions {
        0 | 1 => Ok(report.records),
        n => Err(format!("{n} sessions, not one")),
    }
}

pub fn run(args: &Args) -> i32 {
    let operands = if args.paths.is_empty() {
        match input::default_spool_dir() {
            Ok(dir) => vec![dir],
            Err(e) => {
                error(&e);
                return EXIT_ERROR;
            }
        }
    } else {
        args.paths.clone()
    };
    let (collected, errors) = input::collect(&operands);
    let mut failed = !errors.is_empty();
    for e in &errors {
        error(e);
    }
    let mut v = std::mem::ManuallyDrop::new(Verifier::new());
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
    let files = &collected.files;
    let progress = scan::Progress::new(collected.total_bytes(), files.len());
    let auth = v.authenticator.clone();
    let counter = progress.bytes.clone();
    let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
    scan::ordered_files(
        &sizes,
        args.threads
            .filter(|&n| n > 0)
            .unwrap_or_else(scan::default_threads),
        &|i| {
            let mut d = Digester::new(files[i].format, auth.clone());
            let report = scan::read_file(&files[i], i, Some(counter.clone()), &mut d);
            (d.digest, report)
        },
        &mut |i, (digest, report)| {
            if let Err(e) = v.consume(&files[i].path, files[i].format, digest, &report) {
                progress.say(&e);
                failed = true;
            }
            progress.update(i + 1, files.len());
            true
        },
    );
    progress.finish();
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
            error(&format!("standard output: {}", errno::io_text(&e)));
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
    /// Schema 2: the session's shell as `session-start` names it in its leaders (their
    /// fingerprint), and where: every record names the same.
    leaders: Option<(u64, Loc)>,
    /// Sequences not seen yet below `next`: first → (last, where the gap showed).
    gaps: BTreeMap<u64, (u64, Loc)>,
    /// Where and when `session-start` says the session began.
    start: Option<Box<super::digest::Start>>,
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
    /// Of a syslog copy of schema 2: the last records read, with their sequence, hash and
    /// `auditsh.prev`, to tell a record that came late from one moved (see `in_its_place`).
    recent: std::collections::VecDeque<(u64, [u8; 32], Option<[u8; 32]>)>,
}

/// How many of a syslog copy's last records `Session::recent` keeps (while the session runs or
/// has records missing: a session ended whole lets them go).
const RECENT: usize = 32;

impl Session {
    fn new(at: Loc) -> Session {
        Session {
            start: None,
            first_line: at,
            next: 0,
            last_hash: GENESIS,
            last: None,
            last_broken: false,
            last_line: at,
            end: None,
            shell_pid: None,
            leaders: None,
            gaps: BTreeMap::new(),
            key_epoch: None,
            opened: Vec::new(),
            accounted: Vec::new(),
            torn: Vec::new(),
            recent: std::collections::VecDeque::new(),
        }
    }

    /// A record that came late (`seq`, its hash and `auditsh.prev`) is in its place in the
    /// chain: its neighbours in sequence that were read are among the last records read, at
    /// least one of them, and each links to it (the record before is the one its
    /// `auditsh.prev` names, the one after names it). A neighbour not read yet checks the link
    /// when it comes.
    fn in_its_place(&self, seq: u64, hash: &[u8; 32], prev: Option<&[u8; 32]>) -> bool {
        let find = |q: u64| self.recent.iter().find(|(x, _, _)| *x == q);
        // Read already, but no longer among the last records: the link cannot be checked.
        let read = |q: u64| q < self.next && !self.is_missing(q);
        let before = match seq.checked_sub(1) {
            None => Some(prev == Some(&GENESIS)),
            Some(q) => match find(q) {
                Some((_, h, _)) => Some(Some(h) == prev),
                None => read(q).then_some(false),
            },
        };
        let after = match find(seq + 1) {
            Some((_, _, p)) => Some(p.as_ref() == Some(hash)),
            None => read(seq + 1).then_some(false),
        };
        (before.is_some() || after.is_some()) && before != Some(false) && after != Some(false)
    }

    /// `seq` is in a gap: below `next`, not read yet.
    fn is_missing(&self, seq: u64) -> bool {
        self.gaps
            .range(..=seq)
            .next_back()
            .is_some_and(|(_, &(last, _))| seq <= last)
    }

    fn remember(&mut self, seq: u64, hash: [u8; 32], prev: Option<[u8; 32]>) {
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((seq, hash, prev));
    }

    /// The session ended with nothing missing: the last records are not needed any more.
    fn settled(&mut self) {
        if self.end.is_some() && self.gaps.is_empty() && !self.recent.is_empty() {
            self.recent = std::collections::VecDeque::new();
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

/// Each session copy's state, numbered in the order first met: a file's records look their
/// session up once per file, not once per record.
#[derive(Default)]
struct Sessions {
    numbers: HashMap<Key, usize>,
    keys: Vec<Key>,
    states: Vec<Session>,
}

impl Sessions {
    /// The number of `key`'s state, made (first seen at `at`) if there is none.
    fn number(&mut self, key: &Key, at: Loc) -> usize {
        if let Some(&n) = self.numbers.get(key) {
            return n;
        }
        let n = self.states.len();
        self.numbers.insert(key.clone(), n);
        self.keys.push(key.clone());
        self.states.push(Session::new(at));
        n
    }

    fn get(&self, key: &Key) -> Option<&Session> {
        self.numbers.get(key).map(|&n| &self.states[n])
    }

    fn contains_key(&self, key: &Key) -> bool {
        self.numbers.contains_key(key)
    }

    fn iter(&self) -> impl Iterator<Item = (&Key, &Session)> {
        self.keys.iter().zip(&self.states)
    }
}

/// Walks the files' digests in order and keeps each session's state; `finish` gives the
/// findings.
#[derive(Default)]
pub struct Verifier {
    files: Vec<String>,
    /// Per file read (same index as `files`): its path and format, to read a spool file again.
    paths: Vec<(PathBuf, Format)>,
    sessions: Sessions,
    findings: Vec<Finding>,
    records: u64,
    authenticated: u64,
    /// Torn syslog lines that may be records cut by the transport, by (session, sequence):
    /// the spool copy of the same record decides (read again at the end).
    cuts: HashMap<(String, u64), Cut>,
    /// The spool file that holds the record of a cut read before it (the text is not kept:
    /// cuts are rare).
    cut_copies: HashMap<(String, u64), usize>,
    /// Spool day directories read: `YYYY-MM-DD` → each such directory (several spool trees,
    /// one per host, may be read at once).
    spool_days: HashMap<String, Vec<PathBuf>>,
    /// Per spool tree (the parent of its day directories): the hosts whose records its files
    /// hold. A session is missing from a tree only if the tree is its host's.
    tree_hosts: HashMap<PathBuf, HashSet<String>>,
    /// Sessions whose spool file is empty.
    empty_spool: HashSet<String>,
    /// `--key`: checks each record's MAC (a copy per file digested).
    pub authenticator: Option<Authenticator>,
}

/// A spool day directory, and the hosts whose records its tree holds (when known).
type DayDir<'a> = (&'a PathBuf, Option<&'a HashSet<String>>);

/// A syslog line that is the start of a record and no more: cut by the transport (a syslog
/// daemon's message size limit) when the spool copy of that record begins with exactly these
/// bytes, else torn or altered.
struct Cut {
    at: Loc,
    key: Key,
    len: usize,
    hash: [u8; 32],
    /// The finding when the spool copy does not show a cut.
    otherwise: (Kind, String),
}

/// Per file: the session of the last record read, to which a torn line that follows belongs
/// (in a spool file every line is of one session).
struct FileCtx {
    index: usize,
    /// The state number of the last spool record's session.
    last_spool: Option<usize>,
    /// The state number of each of the file's sessions (`FileDigest::sessions`), by copy.
    numbers: Vec<[Option<usize>; 2]>,
    /// A spool file is named after its session.
    stem_session: Option<String>,
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

    /// Read and check one file, here and now (the tools read files in parallel and
    /// [`Verifier::consume`] their digests). An I/O error is returned as one line; what was
    /// read before it is checked.
    pub fn read_file(&mut self, path: &Path, format: Format) -> Result<(), String> {
        let name = printable::path(path);
        let reader = input::open(path).map_err(|e| format!("{name}: {}", errno::io_text(&e)))?;
        self.read(path, format, reader)
    }

    /// Check the lines of `reader`, read from `path`.
    pub fn read(
        &mut self,
        path: &Path,
        format: Format,
        reader: input::Reader,
    ) -> Result<(), String> {
        let mut d = Digester::new(format, self.authenticator.clone());
        let report = scan::read_lines(reader, format, self.files.len(), &mut d);
        self.consume(path, format, d.digest, &report)
    }

    /// The digest of the next file, `path`, and how reading it ended. An I/O error is
    /// returned as one line; what was read before it is checked.
    pub fn consume(
        &mut self,
        path: &Path,
        format: Format,
        digest: FileDigest,
        report: &FileReport,
    ) -> Result<(), String> {
        let name = printable::path(path);
        self.files.push(name.clone());
        self.paths.push((path.to_path_buf(), format));
        let index = self.files.len() - 1;
        let stem_session = (format == Format::Spool)
            .then(|| path.file_name().and_then(|n| n.to_str()))
            .flatten()
            .map(|n| n.trim_end_matches(".gz").trim_end_matches(".jsonl"))
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let mut ctx = FileCtx {
            index,
            last_spool: None,
            numbers: vec![[None; 2]; digest.sessions.len()],
            stem_session,
        };
        if let Some(host) = digest.spool_host {
            self.note_tree_host(index, host);
        }
        let mut facts = digest.facts;
        // By reference: a fact is a few hundred bytes, and most of it is only looked at.
        for fact in &mut facts {
            match fact {
                Fact::Record(r) => {
                    if r.copy == Copy::Spool && !self.cuts.is_empty() {
                        if let Some(seq) = r.seq {
                            let id = (digest.sessions[r.session as usize].clone(), seq);
                            if self.cuts.contains_key(&id) {
                                self.cut_copies.insert(id, index);
                            }
                        }
                    }
                    let n = self.number(&mut ctx, &digest.sessions, r);
                    self.record(&mut ctx, r, n)
                }
                Fact::Damaged(d) => {
                    let d = std::mem::replace(d, Damaged::placeholder());
                    self.damaged(&mut ctx, d)
                }
            }
        }
        if let Some(e) = &report.unreadable {
            return Err(format!("{name}: {e}"));
        }
        if let Some(e) = &report.damage {
            let at = Loc {
                file: index,
                line: digest.lines + 1,
            };
            let what = format!("compressed data is damaged or cut short ({e})");
            self.finding(at, None, Kind::Torn, what);
        } else if digest.lines == 0 && format == Format::Spool {
            self.empty_spool_file(&ctx);
        }
        Ok(())
    }

    fn finding(&mut self, loc: Loc, key: Option<&Key>, kind: Kind, what: String) {
        self.findings.push(Finding {
            file: self.files.get(loc.file).cloned().unwrap_or_default(),
            loc,
            session: key.map(|(s, c)| (printable::value(s), *c)),
            kind,
            what,
        });
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
            Kind::Gap,
            "an empty spool file: none of its session's records are in it".to_string(),
        );
    }

    /// The finding for a cut syslog line of record `seq`, given its spool copy `whole` at
    /// `spool_at`: cut by the transport when the copy proves it, else what the line looked like.
    fn settle(&mut self, cut: Cut, seq: u64, spool_at: Loc, whole: &[u8]) {
        let (kind, what) = if cut.proven_by(whole) {
            let place = place_of(&self.files, spool_at, cut.at);
            (
                Kind::Torn,
                format!(
                    "record {seq} was cut by the transport after {} of its {} bytes; the spool copy ({place}) is whole: raise the syslog daemon's message size (packaging/rsyslog/auditsh.conf)",
                    cut.len,
                    whole.len()
                ),
            )
        } else {
            cut.otherwise
        };
        self.finding(cut.at, Some(&cut.key), kind, what);
    }

    /// A line that should be a record and is not: a finding, tied to a session where one can
    /// be told, in which it takes the next sequence. In a spool file (one session) that is the
    /// session of the record before it, or the one the file is named after; in a syslog file
    /// (sessions interleaved) only the line's own `event.id`, when what is left shows it.
    fn damaged(&mut self, ctx: &mut FileCtx, d: Damaged) {
        let at = Loc {
            file: ctx.index,
            line: d.no,
        };
        let key = match d.copy {
            Copy::Spool => ctx
                .last_spool
                .map(|n| self.sessions.keys[n].clone())
                .or_else(|| ctx.stem_session.clone().map(|s| (s, d.copy))),
            Copy::Syslog => d.torn_id.as_ref().map(|(s, _)| (s.clone(), d.copy)),
        };
        match (d.torn_id, d.cut) {
            // Maybe cut by the transport: the spool copy decides.
            (Some((session, seq)), Some((len, hash))) => {
                let cut = Cut {
                    at,
                    key: (session.clone(), d.copy),
                    len,
                    hash,
                    otherwise: (d.kind, d.what),
                };
                if let Some(old) = self.cuts.insert((session, seq), cut) {
                    let (kind, what) = old.otherwise;
                    self.finding(old.at, Some(&old.key), kind, what);
                }
            }
            _ => self.finding(at, key.as_ref(), d.kind, d.what),
        }
        let Some(key) = key else {
            return;
        };
        let n = self.sessions.number(&key, at);
        if d.copy == Copy::Spool {
            ctx.last_spool = Some(n);
        }
        let s = &mut self.sessions.states[n];
        s.last_line = at;
        s.last = Some((at, s.next));
        s.torn.push(s.next);
        s.next = s.next.saturating_add(1);
        s.last_broken = true;
    }

    /// The state number of a record's session copy (looked up once per file).
    fn number(&mut self, ctx: &mut FileCtx, sessions: &[String], r: &Rec) -> usize {
        let copy = usize::from(r.copy == Copy::Syslog);
        let i = r.session as usize;
        let n = match ctx.numbers.get(i).and_then(|c| c[copy]) {
            Some(n) => n,
            None => {
                let session = sessions.get(i).cloned().unwrap_or_default();
                let at = Loc {
                    file: ctx.index,
                    line: r.no,
                };
                let n = self.sessions.number(&(session, r.copy), at);
                if let Some(c) = ctx.numbers.get_mut(i) {
                    c[copy] = Some(n);
                }
                n
            }
        };
        if r.copy == Copy::Spool {
            ctx.last_spool = Some(n);
        }
        n
    }

    /// Check one record of session copy number `n`, given what its digest found of it on
    /// its own.
    fn record(&mut self, ctx: &mut FileCtx, r: &mut Rec, n: usize) {
        let at = Loc {
            file: ctx.index,
            line: r.no,
        };
        self.records += 1;
        let seq = r.seq;
        let problems = std::mem::take(&mut r.problems);
        let files = &self.files;
        let s = &mut self.sessions.states[n];
        s.last_line = at;
        // What the MAC check finds is reported at the record; it is not damage to the chain
        // (the next record's auditsh.prev is still checked against this one).
        let mut unauthenticated: Vec<String> = Vec::new();
        if let Some(sealed) = r.sealed.take() {
            if sealed.authenticated {
                self.authenticated += 1;
            }
            let sealed = *sealed;
            unauthenticated = sealed.problems;
            let rollover = r.action == Action::KeyRollover;
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
        if let (Some(lost), Some(seq)) = (r.loss, seq) {
            s.accounted.push((lost.0, lost.1, seq));
        }
        let mut later: Vec<(Loc, Kind, String)> = Vec::new();
        if r.action == Action::SessionStart {
            s.shell_pid = r.writers[0];
            s.start = r.start.take();
            if s.leaders.is_none() {
                s.leaders = r.leaders.map(|l| (l, at));
            }
        } else if let (Some((want, start_at)), Some(got)) = (s.leaders, r.leaders) {
            if got != want {
                later.push((
                    at,
                    Kind::Altered,
                    format!(
                        "process.session_leader and entry_leader are not the session's shell as its session-start ({}) names it",
                        place_of(files, start_at, at)
                    ),
                ));
            }
        }
        // A job started in the background may outlive the shell: its programs' records (and
        // its sinks' failure notices) follow the session's end, written by its own processes.
        let from_a_job = r.action == Action::FromJob
            && s.shell_pid.is_some()
            && r.writers.iter().any(|w| w.is_some() && *w != s.shell_pid);
        if let (Some((end_seq, end_at)), Some(seq)) = (s.end, seq) {
            if seq > end_seq && !from_a_job {
                later.push((
                    at,
                    Kind::Altered,
                    format!(
                        "a record after the session's end (session-end, sequence {end_seq}, {})",
                        place_of(files, end_at, at)
                    ),
                ));
            }
        }
        let damaged = !problems.is_empty();
        let is_end = r.action == Action::SessionEnd;
        match seq {
            None => {
                // Not placeable: it takes the next place, as a torn line does.
                s.last = Some((at, s.next));
                s.next = s.next.saturating_add(1);
                s.last_hash = r.hash;
                s.last_broken = true;
            }
            Some(seq) if seq >= s.next => {
                if seq > s.next {
                    s.gaps.insert(s.next, (seq - 1, at));
                } else if !s.last_broken && r.prev.is_some_and(|p| p != s.last_hash) {
                    match s.last {
                        None => later.push((
                            at,
                            Kind::Altered,
                            "auditsh.prev of the first record (sequence 0) is not 64 zeros"
                                .to_string(),
                        )),
                        Some((prev_at, prev_seq)) => later.push((
                            prev_at,
                            Kind::Altered,
                            format!(
                                "record {prev_seq} was altered: its SHA-256 is not the auditsh.prev of record {seq} ({})",
                                place_of(files, at, prev_at)
                            ),
                        )),
                    }
                }
                s.last = Some((at, seq));
                s.next = seq.saturating_add(1);
                s.last_hash = r.hash;
                s.last_broken = damaged;
                if is_end && s.end.is_none() {
                    s.end = Some((seq, at));
                }
            }
            Some(seq) => {
                let after = s
                    .last
                    .map(|(l, q)| format!("sequence {q}, {}", place_of(files, l, at)))
                    .unwrap_or_default();
                // Schema 2's shell sends its syslog copies in order, but for those of processes
                // running alongside (a pipeline's members, a job, the shell itself meanwhile):
                // a record may come a little late. In its place in the chain it is no finding;
                // moved far (its neighbours long read), or out of the chain, it is.
                let late = r.copy == Copy::Syslog
                    && r.v2
                    && damaged_free(&problems)
                    && s.in_its_place(seq, &r.hash, r.prev.as_ref());
                if s.take_from_gap(seq) {
                    if !late {
                        later.push((
                            at,
                            Kind::Reordered,
                            format!("sequence {seq} is out of order: it comes after {after}"),
                        ));
                    }
                } else if s.last.is_some_and(|(_, q)| q == seq) {
                    later.push((
                        at,
                        Kind::Duplicate,
                        format!(
                            "sequence {seq} again, as at {}: a duplicated or replayed record",
                            s.last
                                .map(|(l, _)| place_of(files, l, at))
                                .unwrap_or_default()
                        ),
                    ));
                } else {
                    later.push((
                        at,
                        Kind::Duplicate,
                        format!("sequence {seq} again: a duplicated or replayed record (the last in order is {after})"),
                    ));
                }
                if is_end && s.end.is_none() {
                    s.end = Some((seq, at));
                }
            }
        }
        if r.copy == Copy::Syslog && r.v2 {
            if let Some(seq) = seq {
                s.remember(seq, r.hash, r.prev);
            }
            s.settled();
        }
        if problems.is_empty() && unauthenticated.is_empty() && later.is_empty() {
            return;
        }
        let key = self.sessions.keys[n].clone();
        for (kind, p) in problems {
            self.finding(at, Some(&key), kind, p);
        }
        for p in unauthenticated {
            self.finding(at, Some(&key), Kind::Unauthenticated, p);
        }
        for (loc, kind, what) in later {
            self.finding(loc, Some(&key), kind, what);
        }
    }

    /// The findings: everything seen per line, then what only the end shows (records that
    /// never came, sessions with no end unless still running). Sorted by file and line.
    /// The state stays (to be dropped, or left to the process's end when the run is over:
    /// freeing a fleet's sessions one by one takes longer than the kernel reclaiming them).
    pub fn finish(&mut self) -> Report {
        self.settle_cuts_from_files();
        self.missing_spool_files();
        // Only the sessions with something to say, in order of session (the order of their
        // findings at one line).
        let mut keys: Vec<&Key> = self
            .sessions
            .iter()
            .filter(|(_, s)| !s.gaps.is_empty() || s.end.is_none())
            .map(|(k, _)| k)
            .collect();
        keys.sort();
        let keys: Vec<Key> = keys.into_iter().cloned().collect();
        let mut running = Running::new();
        let mut open = BTreeSet::new();
        for key in &keys {
            let Some(s) = self.sessions.get(key) else {
                continue;
            };
            let mut found: Vec<(Loc, Kind, String)> = Vec::new();
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
                    found.push((
                        at,
                        Kind::Lost,
                        format!(
                            "{range} ({n}) lost while the {} failed, as its recovery record (sequence {by}) says{start}, before this line",
                            copy_sink(key.1)
                        ),
                    ));
                    continue;
                }
                found.push((at, Kind::Gap, format!("{which}{start}, before this line")));
            }
            if s.end.is_none() {
                if self.is_running(&key.0, &mut running) {
                    open.insert(printable::value(&key.0));
                } else {
                    found.push((
                        s.last_line,
                        Kind::Unterminated,
                        "has no end (unterminated): no session-end after this record".to_string(),
                    ));
                }
            }
            for (at, kind, what) in found {
                self.finding(at, Some(key), kind, what);
            }
        }
        // Stable: findings at one line keep the order they were found in.
        self.findings.sort_by_key(|f| f.loc);
        // A running session with damage of another kind is damaged, not open.
        for f in &self.findings {
            if let Some((s, _)) = &f.session {
                open.remove(s);
            }
        }
        let sessions: HashSet<&str> = self.sessions.keys.iter().map(|(s, _)| s.as_str()).collect();
        Report {
            files: self.files.len(),
            sessions: sessions.len(),
            records: self.records,
            authenticated: self.authenticator.as_ref().map(|_| self.authenticated),
            findings: std::mem::take(&mut self.findings),
            open,
        }
    }

    /// The session is still running here: its shell (from `session-start`, either copy) is
    /// alive on this host, or a process holds its spool file open.
    fn is_running(&self, session: &str, running: &mut Running) -> bool {
        [Copy::Spool, Copy::Syslog].iter().any(|&copy| {
            let Some(s) = self.sessions.get(&(session.to_string(), copy)) else {
                return false;
            };
            let shell = s
                .start
                .as_ref()
                .and_then(|st| Some((st.host.as_deref()?, s.shell_pid?, st.unix?)));
            if let Some((host, pid, unix)) = shell {
                if running.shell_alive(host, pid, unix) {
                    return true;
                }
            }
            copy == Copy::Spool
                && self
                    .paths
                    .get(s.first_line.file)
                    .is_some_and(|(p, _)| running.held(p))
        })
    }
}

impl Cut {
    /// The spool copy `whole` begins with exactly the bytes the syslog line kept.
    fn proven_by(&self, whole: &[u8]) -> bool {
        whole.len() > self.len && line_hash(&whole[..self.len]) == self.hash
    }
}

/// A record with nothing wrong on its own.
fn damaged_free(problems: &[(Kind, String)]) -> bool {
    problems.is_empty()
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

mod copies;

#[cfg(test)]
mod tests;
