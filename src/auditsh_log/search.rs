//! `auditsh-log search`: the records that match the filters.
//!
//! Formats: `table` (the default: local time, host, user, tty, action, exit status, and the
//! command line or the program's arguments), `jsonl` (each record exactly as stored, the
//! syslog prefix removed: byte for byte what the shell wrote), `csv` (the columns in
//! [`CSV_COLUMNS`]). `--count` prints the number of matches only. Exit status as grep's:
//! 0 something matched, 1 nothing did, 2 an error.

use super::once::{session_key, Seen};
use super::printable;
use super::scan::{self, FileReport, Line, Visitor};
use super::select::Selection;
use super::view::Record;
use super::when::Zone;
use super::{error, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::sys::errno;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading
    Table,
    /// Each record exactly as stored, one per line
    Jsonl,
    /// Comma-separated values with a header row
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub selection: Selection,

    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,

    /// Print only the number of matching records
    #[arg(long)]
    pub count: bool,
}

/// The CSV columns: the record's `@timestamp` as stored, `host.hostname`,
/// `auditsh.session`, `event.sequence`, `event.action`, `event.type` (joined by `;`),
/// `user.name`, `user.effective.name`, `user.audit.name`, `auditsh.tty`, `source.ip`,
/// `process.working_directory`, `process.executable`, `process.args` (joined by single
/// spaces), `process.command_line`, `process.exit_code`, `event.outcome`, `message`. A field
/// the record does not have is an empty cell.
pub const CSV_COLUMNS: &[&str] = &[
    "timestamp",
    "host",
    "session",
    "sequence",
    "action",
    "type",
    "user",
    "effective_user",
    "login_user",
    "tty",
    "source_ip",
    "cwd",
    "executable",
    "args",
    "command_line",
    "exit_code",
    "outcome",
    "message",
];

/// Run `search`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    let ready = match args.selection.ready(None) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let out = io::stdout();
    let mut out = io::BufWriter::with_capacity(256 * 1024, out.lock());
    let mut matched: u64 = 0;
    let mut write_error: Option<io::Error> = None;
    // The header goes out with the first match (a run that fails prints none); a CSV with no
    // match still gets its header, so that a script reading it sees the columns.
    let head = match args.format {
        _ if args.count => Vec::new(),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record(CSV_COLUMNS);
            w.into_inner().unwrap_or_default()
        }
        Format::Table => table_header().into_bytes(),
        Format::Jsonl => Vec::new(),
    };
    let mut head = Some(head);
    let filter = &ready.filter;
    let zone = &ready.zone;
    let mut seen = Seen::default();
    let totals = scan::scan(
        &ready.collected.files,
        ready.threads,
        &|i, input, counter| {
            let mut v = Matcher {
                filter,
                zone,
                format: args.format,
                count_only: args.count,
                matches: Vec::new(),
                out: Vec::new(),
            };
            let report: FileReport = scan::read_file(input, i, Some(counter), &mut v);
            ((v.matches, v.out), report)
        },
        &mut |_, (matches, bytes): (Vec<Match>, Vec<u8>)| {
            let mut from = 0;
            for m in matches {
                let text = &bytes[from..m.end];
                from = m.end;
                if !seen.first(m.session, m.sequence) {
                    continue;
                }
                matched += 1;
                if write_error.is_some() || text.is_empty() {
                    continue;
                }
                let head = head.take().unwrap_or_default();
                if let Err(e) = out.write_all(&head).and_then(|()| out.write_all(text)) {
                    write_error = Some(e);
                }
            }
            write_error.is_none()
        },
    );
    if write_error.is_none() && totals.records > 0 && args.format == Format::Csv {
        if let Some(head) = head.take() {
            if let Err(e) = out.write_all(&head) {
                write_error = Some(e);
            }
        }
    }
    if write_error.is_none() {
        let flushed = if args.count && totals.records > 0 {
            writeln!(out, "{matched}").and_then(|()| out.flush())
        } else {
            out.flush()
        };
        if let Err(e) = flushed {
            write_error = Some(e);
        }
    }
    if let Some(e) = write_error {
        // The reader went away (`| head`): what it wanted was written.
        if e.kind() == io::ErrorKind::BrokenPipe {
            return if matched > 0 { EXIT_OK } else { EXIT_FINDINGS };
        }
        error(&format!("standard output: {}", errno::io_text(&e)));
        return EXIT_ERROR;
    }
    if let Some(status) = ready.finish(&totals) {
        return status;
    }
    if matched > 0 {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// A matching record in a file's output: which record it is (a copy of one already printed
/// is not printed again), and where its text ends in the output.
struct Match {
    session: u128,
    sequence: Option<u64>,
    end: usize,
}

struct Matcher<'f> {
    filter: &'f super::filter::Filter,
    zone: &'f Zone,
    format: Format,
    count_only: bool,
    matches: Vec<Match>,
    out: Vec<u8>,
}

impl Visitor for Matcher<'_> {
    fn wants(&mut self, json: &[u8]) -> bool {
        self.filter.prefilter(json)
    }

    fn record(&mut self, line: &Line, r: Record<'_>) {
        if !self.filter.matches(&r) {
            return;
        }
        if !self.count_only {
            self.print(line, &r);
        }
        self.matches.push(Match {
            session: session_key(r.session().unwrap_or("")),
            sequence: r.event.sequence.value(),
            end: self.out.len(),
        });
    }
}

impl Matcher<'_> {
    fn print(&mut self, line: &Line, r: &Record) {
        match self.format {
            Format::Jsonl => {
                self.out.extend_from_slice(line.json);
                self.out.push(b'\n');
            }
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                let _ = w.write_record(csv_row(r));
                let _ = w.flush();
            }
            Format::Table => {
                self.out
                    .extend_from_slice(table_row(r, self.zone).as_bytes());
            }
        }
    }
}

/// A record's cells in [`CSV_COLUMNS`] order.
pub fn csv_row(r: &Record) -> Vec<String> {
    let s = |f: Option<&str>| f.unwrap_or("").to_string();
    vec![
        s(r.timestamp.str()),
        s(r.host.hostname.str()),
        s(r.session()),
        r.event
            .sequence
            .value()
            .map_or(String::new(), |n| n.to_string()),
        s(r.event.action.str()),
        r.event.kind_of.get().map_or(String::new(), |t| t.join(";")),
        s(r.user_name()),
        s(r.user.effective.name.str().or(r.user.effective.id.str())),
        s(r.login_user()),
        s(r.auditsh.tty.str()),
        s(r.source.ip.str()),
        s(r.process.working_directory.str()),
        s(r.process.executable.str()),
        r.args_joined().unwrap_or_default(),
        s(r.process.command_line.str()),
        r.process
            .exit_code
            .value()
            .map_or(String::new(), |n| n.to_string()),
        s(r.event.outcome.str()),
        s(r.message.str()),
    ]
}

const TABLE_TEXT_MAX: usize = 400;

fn table_header() -> String {
    format!(
        "{:<19}  {:<14} {:<10} {:<8} {:<13} {:>4}  {}\n",
        "TIME", "HOST", "USER", "TTY", "ACTION", "EXIT", "WHAT"
    )
}

/// One record as a table row: every value made printable and kept on one line.
pub fn table_row(r: &Record, zone: &Zone) -> String {
    let cell = |s: Option<&str>, max: usize| printable::text(s.unwrap_or("-").as_bytes(), max);
    let time = r.timestamp.str().map_or("-".to_string(), |t| zone.show(t));
    let tty = r
        .auditsh
        .tty
        .str()
        .map(|t| t.strip_prefix("/dev/").unwrap_or(t));
    let exit = r
        .process
        .exit_code
        .value()
        .map_or(String::new(), |c| c.to_string());
    let action = match r.action() {
        "command" if r.has_type("end") => "command-end",
        a => a,
    };
    format!(
        "{time:<19}  {:<14} {:<10} {:<8} {:<13} {exit:>4}  {}\n",
        cell(r.host.hostname.str(), 30),
        cell(r.user_name(), 20),
        cell(tty, 12),
        cell(Some(action), 20),
        printable::text(what(r).as_bytes(), TABLE_TEXT_MAX),
    )
}

/// What a record is about, in a few words: the command line, the program's arguments, why a
/// command was refused or a sink failed.
pub fn what(r: &Record) -> String {
    let action = r.action();
    match action {
        "exec" => r
            .args_joined()
            .or_else(|| r.process.executable.str().map(str::to_string))
            .unwrap_or_default(),
        "end" => program_end(r),
        "command" if r.has_type("end") => {
            let mut s = String::from("command ended");
            if let Some(sig) = r.auditsh.signal.str() {
                s.push_str(&format!(", killed by {sig}"));
            }
            if let Some(d) = r.event.duration.value() {
                s.push_str(&format!(" after {}", duration(d)));
            }
            s
        }
        "command" | "denied" if r.process.command_line.is_ok() => {
            let mut s = r.process.command_line.str().unwrap_or("").to_string();
            if action == "denied" {
                if let Some(m) = r.error.message.str() {
                    s = format!("{s}  (refused: {m})");
                }
            }
            s
        }
        "session-start" => {
            let mut s = format!("session start ({})", r.auditsh.mode.str().unwrap_or("?"));
            if let Some(ip) = r.source.ip.str() {
                s.push_str(&format!(" from {ip}"));
            }
            s
        }
        "session-end" => format!(
            "session end ({})",
            r.auditsh.end_reason.str().unwrap_or("?")
        ),
        _ => r
            .error
            .message
            .str()
            .or(r.message.str())
            .unwrap_or("")
            .to_string(),
    }
}

/// How a program ended (an `end` record, schema 2): `ls exit 0 after 3ms`, `sh killed by KILL
/// after 2.0s`, `nosuch not started: not found (exit 127)`. A program exec'd in a forked child
/// (a pipeline's member) is named only by its `exec` record: then its entity id stands for it
/// (`process p3 exit 0`, the part after the session id).
pub fn program_end(r: &Record) -> String {
    let name = r
        .program_name()
        .map(str::to_string)
        .or_else(|| {
            let id = r.process.entity_id.str()?;
            let own = r
                .session()
                .and_then(|s| id.strip_prefix(s)?.strip_prefix('-'))
                .unwrap_or(id);
            Some(format!("process {own}"))
        })
        .unwrap_or_else(|| "program".to_string());
    format!("{name} {}", how_ended(r))
}

/// The status part of [`program_end`]: `exit 0 after 3ms`, `killed by KILL after 2.0s`,
/// `not started: not found (exit 127)`.
pub fn how_ended(r: &Record) -> String {
    if let Some(m) = r.error.message.str() {
        let mut s = format!("not started: {m}");
        if let Some(c) = r.process.exit_code.value() {
            s.push_str(&format!(" (exit {c})"));
        }
        return s;
    }
    let mut s = match (r.auditsh.signal.str(), r.process.exit_code.value()) {
        (Some(sig), _) => format!("killed by {sig}"),
        (None, Some(c)) => format!("exit {c}"),
        _ => "ended".to_string(),
    };
    if let Some(d) = r.event.duration.value() {
        s.push_str(&format!(" after {}", duration(d)));
    }
    s
}

/// Nanoseconds as a short duration: `850ms`, `12.3s`, `4m05s`, `2h10m`.
pub fn duration(ns: u64) -> String {
    let ms = ns / 1_000_000;
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = ns as f64 / 1e9;
    if s < 60.0 {
        return format!("{s:.1}s");
    }
    let secs = ns / 1_000_000_000;
    if secs < 3600 {
        return format!("{}m{:02}s", secs / 60, secs % 60);
    }
    format!("{}h{:02}m", secs / 3600, secs % 3600 / 60)
}
