//! `auditsh-log sessions`: one row per session that has a matching record, with numbers over
//! the whole session and what `verify` found in it (doc/auditsh-log.md has the columns).

use super::integrity::{self, Integrity};
use super::printable;
use super::scan::{self, FileReport};
use super::select::Selection;
use super::tally::{Facts, SessionTally, Tally};
use super::when::Zone;
use super::{error, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::sys::errno;
use jiff::Timestamp;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading
    Table,
    /// Comma-separated values with a header row
    Csv,
    /// One JSON object per session, the CSV's columns as keys
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub selection: Selection,

    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// The CSV header: these names, in this order.
pub const COLUMNS: &[&str] = &[
    "session",
    "host",
    "user",
    "login_user",
    "tty",
    "source_ip",
    "mode",
    "start",
    "end",
    "duration_s",
    "commands",
    "programs",
    "failed",
    "end_reason",
    "integrity",
];

/// Read every file once: the sessions' numbers and their integrity.
pub fn tally(ready: &super::select::Ready, for_report: bool) -> (Tally, Integrity, scan::Totals) {
    let mut tally = Tally::new(for_report);
    let mut checker = integrity::Checker::new(&ready.collected);
    let filter = &ready.filter;
    let totals = scan::scan(
        &ready.collected.files,
        ready.threads,
        &|i, input, counter| {
            let mut v = integrity::Both::new(Facts::new(filter, for_report), input);
            let report: FileReport = scan::read_file(input, i, Some(counter), &mut v);
            let (facts, digest) = v.finish();
            ((facts.facts, digest, report.clone()), report)
        },
        &mut |i, (facts, digest, report)| {
            checker.consume(&ready.collected.files[i], digest, &report);
            tally.add(facts);
            true
        },
    );
    (tally, checker.finish(), totals)
}

/// Seconds from `start` to `end`, three decimals.
pub fn duration_s(start: Option<&str>, end: Option<&str>) -> Option<String> {
    let (a, b) = (
        start?.parse::<Timestamp>().ok()?,
        end?.parse::<Timestamp>().ok()?,
    );
    let ns = b.as_nanosecond() - a.as_nanosecond();
    Some(format!("{:.3}", ns as f64 / 1e9))
}

/// A session's row: the cells of [`COLUMNS`], `None` for a value it does not have.
pub fn row(s: &SessionTally, integrity: &Integrity) -> Vec<Option<String>> {
    let text = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let i = &s.info;
    vec![
        text(&i.session),
        text(&i.host),
        text(&i.user),
        text(&i.login_user),
        text(&i.tty),
        text(&i.source_ip),
        text(&i.mode),
        s.start.clone(),
        s.end.clone(),
        duration_s(s.start.as_deref(), s.end.as_deref()),
        Some(s.all.commands.to_string()),
        Some(s.all.programs.to_string()),
        Some(s.all.failed_commands.to_string()),
        s.end_reason.clone(),
        Some(integrity.of(&i.session)),
    ]
}

/// Run `sessions`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    let ready = match args.selection.ready(None) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let (tally, integrity, totals) = tally(&ready, false);
    // Left to the process's end: freeing a fleet's per-session state takes longer.
    let (tally, integrity) = (
        std::mem::ManuallyDrop::new(tally),
        std::mem::ManuallyDrop::new(integrity),
    );
    if let Some(status) = ready.finish(&totals) {
        return status;
    }
    let sessions = tally.matched_sessions();
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let written =
        write(&mut out, args.format, &sessions, &integrity, &ready.zone).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            error(&format!("standard output: {}", errno::io_text(&e)));
            return EXIT_ERROR;
        }
    }
    if sessions.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn write(
    out: &mut dyn Write,
    format: Format,
    sessions: &[&SessionTally],
    integrity: &Integrity,
    zone: &Zone,
) -> io::Result<()> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(COLUMNS)?;
            for s in sessions {
                w.write_record(row(s, integrity).iter().map(|c| c.as_deref().unwrap_or("")))?;
            }
            w.flush()
        }
        Format::Jsonl => {
            for s in sessions {
                let mut obj = serde_json::Map::new();
                for (name, cell) in COLUMNS.iter().zip(row(s, integrity)) {
                    let value = match (*name, cell) {
                        (_, None) => serde_json::Value::Null,
                        ("commands" | "programs" | "failed", Some(c)) => {
                            serde_json::Value::from(c.parse::<u64>().unwrap_or(0))
                        }
                        ("duration_s", Some(c)) => c
                            .parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                            .map_or(serde_json::Value::Null, serde_json::Value::Number),
                        (_, Some(c)) => serde_json::Value::String(c),
                    };
                    obj.insert((*name).to_string(), value);
                }
                serde_json::to_writer(&mut *out, &obj)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Format::Table => {
            writeln!(
                out,
                "{:<19}  {:<14} {:<10} {:<8} {:<15} {:>8} {:>5} {:>6} {:>5}  {:<8} INTEGRITY  SESSION",
                "START", "HOST", "USER", "TTY", "FROM", "DURATION", "CMDS", "PROGS", "FAIL", "END"
            )?;
            for s in sessions {
                let cell = |v: &str, max: usize| {
                    if v.is_empty() {
                        "-".to_string()
                    } else {
                        printable::text(v.as_bytes(), max)
                    }
                };
                let i = &s.info;
                let start = s
                    .start
                    .as_deref()
                    .map_or_else(|| "-".to_string(), |t| zone.show(t));
                let duration = duration_s(s.start.as_deref(), s.end.as_deref())
                    .and_then(|d| d.parse::<f64>().ok())
                    .map_or_else(
                        || "-".to_string(),
                        |d| super::search::duration((d * 1e9) as u64),
                    );
                let tty = i.tty.strip_prefix("/dev/").unwrap_or(&i.tty);
                writeln!(
                    out,
                    "{start:<19}  {:<14} {:<10} {:<8} {:<15} {duration:>8} {:>5} {:>6} {:>5}  {:<8} {}  {}",
                    cell(&i.host, 30),
                    cell(&i.user, 20),
                    cell(tty, 12),
                    cell(&i.source_ip, 40),
                    s.all.commands,
                    s.all.programs,
                    s.all.failed_commands,
                    cell(s.end_reason.as_deref().unwrap_or(""), 10),
                    integrity.of(&i.session),
                    printable::text(i.session.as_bytes(), 64),
                )?;
            }
            Ok(())
        }
    }
}
