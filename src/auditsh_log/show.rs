//! `auditsh-log show SESSION`: one session as a timeline, or its records as stored.
//!
//! The timeline has each command line with its working directory when it changed, the
//! programs it started indented under it, how it ended (status, signal, duration), and each
//! of `verify`'s findings just before the record it is about.

use super::filter::Filter;
use super::integrity::{self, Integrity};
use super::printable;
use super::scan::{self, FileReport, Line, Visitor};
use super::search::duration;
use super::select::Selection;
use super::view::Record;
use super::when::Zone;
use super::{error, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::sys::errno;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A timeline for reading
    Text,
    /// The session's records exactly as stored, in sequence order
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The session: its id, or the start of one
    #[arg(id = "session_id", value_name = "SESSION")]
    pub session: String,

    #[command(flatten)]
    pub selection: Selection,

    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// One record of the session, kept.
struct Kept {
    session: String,
    sequence: Option<u64>,
    file: usize,
    line: u64,
    json: Vec<u8>,
}

struct Collector<'f> {
    filter: &'f Filter,
    prefix: &'f str,
    kept: Vec<Kept>,
}

impl Visitor for Collector<'_> {
    fn wants(&mut self, json: &[u8]) -> bool {
        self.filter.prefilter(json)
    }

    fn record(&mut self, line: &Line, r: Record<'_>) {
        let Some(session) = r.session().filter(|s| s.starts_with(self.prefix)) else {
            return;
        };
        if !self.filter.matches(&r) {
            return;
        }
        self.kept.push(Kept {
            session: session.to_string(),
            sequence: r.event.sequence.value(),
            file: line.file,
            line: line.no,
            json: line.json.to_vec(),
        });
    }
}

/// Run `show`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    if args.session.is_empty() {
        error("show: the session id is empty; name a session (auditsh-log sessions lists them)");
        return EXIT_ERROR;
    }
    let mut selection = args.selection.clone();
    // The session's own filter makes the prefilter skip every other session's lines.
    selection.filters.session = Some(args.session.clone());
    let ready = match selection.ready(None) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let filter = &ready.filter;
    let prefix = args.session.as_str();
    let mut kept: Vec<Kept> = Vec::new();
    let totals = scan::scan(
        &ready.collected.files,
        ready.threads,
        &|i, input, counter| {
            let mut v = Collector {
                filter,
                prefix,
                kept: Vec::new(),
            };
            let report: FileReport = scan::read_file(input, i, Some(counter), &mut v);
            (v.kept, report)
        },
        &mut |_, mut k| {
            kept.append(&mut k);
            true
        },
    );
    if let Some(status) = ready.finish(&totals) {
        return status;
    }
    let ids: BTreeSet<&str> = kept.iter().map(|k| k.session.as_str()).collect();
    let names = || {
        ready
            .operands
            .iter()
            .map(|p| printable::path(p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let id = match ids.len() {
        0 => {
            error(&format!(
                "no session {} in {} (with these filters); auditsh-log sessions lists them",
                printable::value(prefix),
                names()
            ));
            return EXIT_FINDINGS;
        }
        1 => ids.iter().next().map(|s| s.to_string()).unwrap_or_default(),
        n => {
            let some: Vec<String> = ids.iter().take(10).map(|s| printable::value(s)).collect();
            let more = if n > 10 { ", ..." } else { "" };
            error(&format!(
                "{} is the start of {n} sessions: {}{more}; give more of the id",
                printable::value(prefix),
                some.join(", ")
            ));
            return EXIT_ERROR;
        }
    };
    // The files that hold the session's records (either copy): those its check reads.
    let files: BTreeSet<usize> = kept.iter().map(|k| k.file).collect();
    let files: Vec<usize> = files.into_iter().collect();
    // In sequence order, each record once (a syslog copy of a spool record is the same one).
    let mut by_seq: BTreeMap<(u64, usize), Kept> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (n, k) in kept.into_iter().enumerate() {
        match k.sequence {
            Some(q) if !seen.insert(q) => {}
            Some(q) => {
                by_seq.insert((q, 0), k);
            }
            None => {
                by_seq.insert((u64::MAX, n), k);
            }
        }
    }
    let records: Vec<Kept> = by_seq.into_values().collect();
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let written = match args.format {
        Format::Jsonl => records.iter().try_for_each(|k| {
            out.write_all(&k.json)?;
            out.write_all(b"\n")
        }),
        Format::Text => {
            let integrity = integrity::Checker::check(&ready.collected, &files, ready.threads);
            out.write_all(timeline(&id, &records, &integrity, &ready.zone).as_bytes())
        }
    }
    .and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            error(&format!("standard output: {}", errno::io_text(&e)));
            return EXIT_ERROR;
        }
    }
    EXIT_OK
}

fn timeline(id: &str, records: &[Kept], integrity: &Integrity, zone: &Zone) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let p = |s: &str| printable::text(s.as_bytes(), 4096);
    let parsed: Vec<Option<Record>> = records
        .iter()
        .map(|k| super::view::parse(&k.json).ok())
        .collect();
    let start = parsed
        .iter()
        .flatten()
        .find(|r| is_start(r.action()))
        .or_else(|| parsed.iter().flatten().next());
    let end = parsed
        .iter()
        .flatten()
        .find(|r| matches!(r.action(), "session-end" | "pam-session-close"));
    let _ = writeln!(o, "session {}", p(id));
    if let Some(r) = start {
        let or_dash = |v: Option<&str>| v.map_or("-".to_string(), p);
        let _ = writeln!(
            o,
            "  host {}  user {}  login user {}  tty {}  from {}  mode {}",
            or_dash(r.host.hostname.str()),
            or_dash(r.user_name()),
            or_dash(r.login_user()),
            or_dash(r.auditsh.tty.str()),
            or_dash(r.source.ip.str()),
            or_dash(r.auditsh.mode.str()),
        );
    }
    let when = |r: Option<&Record>| {
        r.and_then(|r| r.timestamp.str())
            .map_or("-".to_string(), |t| zone.show(t))
    };
    let ended = end.map_or("no end record".to_string(), |r| {
        let mut s = when(Some(r));
        if let Some(reason) = r.auditsh.end_reason.str() {
            s.push_str(&format!(" ({}", p(reason)));
            if let Some(c) = r.process.exit_code.value() {
                s.push_str(&format!(", status {c}"));
            }
            s.push(')');
        }
        s
    });
    let _ = writeln!(
        o,
        "  start {}  end {ended}  integrity {}\n",
        when(start.filter(|r| is_start(r.action()))),
        integrity.of(id)
    );
    // Each program's end (schema 2), by its entity id, shown on the line of its `exec`; an end
    // with no `exec` before it (a program never started, or whose `exec` record is not here)
    // has a line of its own.
    let mut ends: std::collections::HashMap<&str, &Record> = std::collections::HashMap::new();
    let mut started: BTreeSet<&str> = BTreeSet::new();
    for r in parsed.iter().flatten() {
        if let Some(entity) = r.process.entity_id.str() {
            match r.action() {
                "end" => {
                    ends.entry(entity).or_insert(r);
                }
                "exec" => {
                    started.insert(entity);
                }
                _ => {}
            }
        }
    }
    // Findings go just before the first record at or after their line in the same file.
    let findings = integrity.findings(id);
    let mut placed = vec![false; findings.len()];
    let mut cwd: Option<String> = None;
    for (k, r) in records.iter().zip(&parsed) {
        for (i, f) in findings.iter().enumerate() {
            if !placed[i] && f.loc.file == k.file && f.loc.line <= k.line {
                placed[i] = true;
                let _ = writeln!(o, "  !! {}", p(&f.to_string()));
            }
        }
        let Some(r) = r else {
            let _ = writeln!(o, "  !! a record that cannot be read as JSON");
            continue;
        };
        let time = r.timestamp.str().map_or("-".to_string(), |t| zone.show(t));
        let time = time.get(11..).unwrap_or(&time).to_string();
        match r.action() {
            "command" if r.has_type("start") => {
                if let Some(dir) = r.process.working_directory.str() {
                    if cwd.as_deref() != Some(dir) {
                        let _ = writeln!(o, "{:10}(in {})", "", p(dir));
                        cwd = Some(dir.to_string());
                    }
                }
                let line = r.process.command_line.str().unwrap_or("");
                let _ = writeln!(o, "{time}  $ {}", p(line));
            }
            "command" => {
                let mut s = match (r.auditsh.signal.str(), r.process.exit_code.value()) {
                    (Some(sig), _) => format!("killed by {}", p(sig)),
                    (None, Some(c)) => format!("exit {c}"),
                    _ => "ended".to_string(),
                };
                if let Some(d) = r.event.duration.value() {
                    s.push_str(&format!(" after {}", duration(d)));
                }
                let _ = writeln!(o, "{time}    = {s}");
            }
            "exec" => {
                let what = r
                    .args_joined()
                    .or_else(|| r.process.executable.str().map(str::to_string))
                    .unwrap_or_default();
                let exe = r.process.executable.str().unwrap_or("");
                let end = r
                    .process
                    .entity_id
                    .str()
                    .and_then(|e| ends.get(e))
                    .map_or(String::new(), |end| {
                        format!("  = {}", p(&super::search::how_ended(end)))
                    });
                let _ = writeln!(o, "{time}      > {}   [{}]{end}", p(&what), p(exe));
            }
            "end" => {
                if r.process
                    .entity_id
                    .str()
                    .is_some_and(|e| started.contains(e))
                {
                    continue; // shown with its `exec`
                }
                if r.error.message.is_ok() {
                    // Never started: what was asked for, and why not.
                    let what = r
                        .args_joined()
                        .or_else(|| r.program_executable().map(str::to_string))
                        .or_else(|| r.process.name.str().map(str::to_string))
                        .unwrap_or_default();
                    let exe = r
                        .program_executable()
                        .map_or(String::new(), |e| format!("   [{}]", p(e)));
                    let _ = writeln!(
                        o,
                        "{time}      > {}{exe}  = {}",
                        p(&what),
                        p(&super::search::how_ended(r))
                    );
                } else {
                    let _ = writeln!(o, "{time}      < {}", p(&super::search::program_end(r)));
                }
            }
            "session-start" | "session-end" | "pam-session-open" | "pam-session-close" => {
                let _ = writeln!(o, "{time}  -- {}", p(&super::search::what(r)));
            }
            other => {
                let _ = writeln!(o, "{time}  ** {}: {}", p(other), p(&super::search::what(r)));
            }
        }
    }
    for (i, f) in findings.iter().enumerate() {
        if !placed[i] {
            let _ = writeln!(o, "  !! {}", p(&f.to_string()));
        }
    }
    o
}

/// A session's first record: the shell's `session-start`, or the PAM module's open of a login
/// (a session of its own).
fn is_start(action: &str) -> bool {
    matches!(action, "session-start" | "pam-session-open")
}
