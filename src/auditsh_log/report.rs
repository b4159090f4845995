//! `auditsh-log report`: what the matching records add up to, for the people who review them
//! (text), for programs (JSON, its keys a contract: doc/auditsh-log.md), for spreadsheets (one
//! CSV section at a time), and for auditors (one self-contained HTML page with charts).

use super::integrity::Integrity;
use super::select::Selection;
use super::sessions::tally;
use super::tally::{Listed, SessionTally, Tally};
use super::when::Zone;
use super::{error, html, EXIT_ERROR, EXIT_OK};
use crate::sys::errno;
use jiff::civil::{Time, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Sections of text for reading
    Text,
    /// One JSON object (keys: doc/auditsh-log.md)
    Json,
    /// One section as comma-separated values (--section)
    Csv,
    /// One self-contained page with charts (nothing fetched from the network)
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    Totals,
    Users,
    Hosts,
    Privileged,
    Failed,
    OffHours,
    AuditFailures,
    Integrity,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub selection: Selection,

    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// The section to print as CSV
    #[arg(long, value_enum, default_value = "totals")]
    pub section: Section,

    /// Write to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Business hours, start inclusive, end exclusive
    #[arg(long, value_name = "HH:MM-HH:MM", default_value = "08:00-18:00")]
    pub hours: String,

    /// Business days: a range or a list (Mon-Fri, Sun-Thu, Mon,Wed,Fri)
    #[arg(long, value_name = "DAYS", default_value = "Mon-Fri")]
    pub weekdays: String,

    /// The time zone business hours are in (default: the local zone)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

/// The report, as `--format json` prints it.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub totals: Totals,
    pub users: Vec<UserRow>,
    pub hosts: Vec<HostRow>,
    pub privileged: Vec<PrivilegedRow>,
    pub failed: Vec<FailedRow>,
    pub off_hours: Vec<OffHoursRow>,
    pub audit_failures: Vec<AuditFailureRow>,
    pub integrity: Vec<IntegrityRow>,
    /// Matching records per day (UTC), for the activity chart.
    pub activity: Vec<DayRow>,
    pub business_hours: BusinessHours,
    /// The first and last matching record's time.
    pub period: Period,
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub records: u64,
    pub sessions: u64,
    pub commands: u64,
    pub programs: u64,
    pub failed_commands: u64,
    pub hosts: u64,
    pub users: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct UserRow {
    pub user: String,
    pub sessions: u64,
    pub commands: u64,
    pub programs: u64,
    pub failed_commands: u64,
    pub privileged: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct HostRow {
    pub host: String,
    pub sessions: u64,
    pub commands: u64,
    pub programs: u64,
    pub failed_commands: u64,
}

#[derive(Debug, Serialize)]
pub struct PrivilegedRow {
    pub timestamp: String,
    pub host: String,
    pub session: String,
    pub user: String,
    pub effective_user: String,
    pub login_user: Option<String>,
    pub executable: Option<String>,
    pub args: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct FailedRow {
    pub timestamp: String,
    pub host: String,
    pub session: String,
    pub user: String,
    pub command_line: String,
    pub exit_code: Option<i64>,
    pub signal: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OffHoursRow {
    pub session: String,
    pub host: String,
    pub user: String,
    pub login_user: Option<String>,
    pub source_ip: Option<String>,
    pub start: String,
}

#[derive(Debug, Serialize)]
pub struct AuditFailureRow {
    pub timestamp: String,
    pub host: String,
    pub session: String,
    pub user: String,
    pub action: String,
    pub sink: Option<String>,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct IntegrityRow {
    pub session: String,
    pub host: String,
    pub user: String,
    pub integrity: String,
    pub findings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct DayRow {
    pub day: String,
    pub records: u64,
    pub failed_commands: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct BusinessHours {
    pub hours: String,
    pub weekdays: String,
    pub tz: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Period {
    pub first: Option<String>,
    pub last: Option<String>,
}

/// Business hours: when activity is expected.
#[derive(Debug, Clone)]
pub struct Hours {
    from: Time,
    to: Time,
    days: [bool; 7],
    zone: Zone,
}

fn parse_time(t: &str) -> Option<Time> {
    let (h, m) = t.split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return Some(Time::MAX);
    }
    Time::new(h, m, 0, 0).ok()
}

fn weekday(name: &str) -> Option<usize> {
    let n = name.trim().to_ascii_lowercase();
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    .iter()
    .position(|d| *d == n || d[..3] == n)
}

impl Hours {
    /// `--hours 08:00-18:00 --weekdays Mon-Fri` in `zone`.
    pub fn parse(hours: &str, weekdays: &str, zone: Zone) -> Result<Hours, String> {
        let bad_hours = || format!("--hours {hours}: not a range of times like 08:00-18:00");
        let (a, b) = hours.split_once('-').ok_or_else(bad_hours)?;
        let (from, to) = (
            parse_time(a.trim()).ok_or_else(bad_hours)?,
            parse_time(b.trim()).ok_or_else(bad_hours)?,
        );
        let bad_days = || {
            format!("--weekdays {weekdays}: not days like Mon-Fri or Mon,Wed,Fri (Mon Tue Wed Thu Fri Sat Sun)")
        };
        let mut days = [false; 7];
        for part in weekdays.split(',') {
            match part.split_once('-') {
                Some((x, y)) => {
                    let (x, y) = (
                        weekday(x).ok_or_else(bad_days)?,
                        weekday(y).ok_or_else(bad_days)?,
                    );
                    let mut d = x;
                    loop {
                        days[d] = true;
                        if d == y {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                None => days[weekday(part).ok_or_else(bad_days)?] = true,
            }
        }
        Ok(Hours {
            from,
            to,
            days,
            zone,
        })
    }

    /// The record time `stamp` is outside business hours (a time that cannot be read is not).
    pub fn outside(&self, stamp: &str) -> bool {
        let Some(z) = self.zone.zoned(stamp) else {
            return false;
        };
        let day = match z.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        let t = z.time();
        let inside = if self.from <= self.to {
            t >= self.from && t < self.to
        } else {
            // Hours across midnight (a night shift): 22:00-06:00.
            t >= self.from || t < self.to
        };
        !(self.days[day] && inside)
    }
}

fn privileged_row(l: &Listed) -> PrivilegedRow {
    let i = &l.info;
    PrivilegedRow {
        timestamp: i.stamp.clone(),
        host: i.host.clone(),
        session: i.session.clone(),
        user: i.user.clone(),
        effective_user: i.effective_user.clone(),
        login_user: present(&i.login_user),
        executable: present(&i.executable),
        args: present(&i.args),
        reason: l.reason.map_or("", |r| r.as_str()).to_string(),
    }
}

/// A value the record does not have is `null`, not an empty string.
fn present(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn failed_row(l: &Listed) -> FailedRow {
    let i = &l.info;
    FailedRow {
        timestamp: i.stamp.clone(),
        host: i.host.clone(),
        session: i.session.clone(),
        user: i.user.clone(),
        command_line: i.command_line.clone(),
        exit_code: l.exit,
        signal: (!i.signal.is_empty()).then(|| i.signal.clone()),
    }
}

fn audit_failure_row(l: &Listed) -> AuditFailureRow {
    let i = &l.info;
    AuditFailureRow {
        timestamp: i.stamp.clone(),
        host: i.host.clone(),
        session: i.session.clone(),
        user: i.user.clone(),
        action: i.action.clone(),
        sink: present(&i.sink),
        message: i.message.clone(),
    }
}

fn day_text(day: u32) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day / 10_000,
        day / 100 % 100,
        day % 100
    )
}

/// Build the report from what was folded.
pub fn build(tally: &Tally, integrity: &Integrity, hours: &Hours, spec: BusinessHours) -> Report {
    let sessions: Vec<&SessionTally> = tally.matched_sessions();
    let mut users: BTreeMap<&str, UserRow> = BTreeMap::new();
    let mut hosts: BTreeMap<&str, HostRow> = BTreeMap::new();
    let mut totals = Totals::default();
    let mut off_hours = Vec::new();
    let mut damaged = Vec::new();
    for s in &sessions {
        let (i, m) = (&s.info, &s.matched);
        totals.sessions += 1;
        totals.records += m.records;
        totals.commands += m.commands;
        totals.programs += m.programs;
        totals.failed_commands += m.failed_commands;
        let u = users.entry(&i.user).or_insert_with(|| UserRow {
            user: i.user.clone(),
            ..UserRow::default()
        });
        u.sessions += 1;
        u.commands += m.commands;
        u.programs += m.programs;
        u.failed_commands += m.failed_commands;
        u.privileged += m.privileged;
        let h = hosts.entry(&i.host).or_insert_with(|| HostRow {
            host: i.host.clone(),
            ..HostRow::default()
        });
        h.sessions += 1;
        h.commands += m.commands;
        h.programs += m.programs;
        h.failed_commands += m.failed_commands;
        if let Some(start) = s.start.as_deref().filter(|t| hours.outside(t)) {
            off_hours.push(OffHoursRow {
                session: i.session.clone(),
                host: i.host.clone(),
                user: i.user.clone(),
                login_user: present(&i.login_user),
                source_ip: present(&i.source_ip),
                start: start.to_string(),
            });
        }
        if let Some(found) = integrity.damage(&i.session) {
            damaged.push(IntegrityRow {
                session: i.session.clone(),
                host: i.host.clone(),
                user: i.user.clone(),
                integrity: found.0,
                findings: found.1,
            });
        }
    }
    totals.hosts = hosts.len() as u64;
    totals.users = users.len() as u64;
    let mut users: Vec<UserRow> = users.into_values().collect();
    users.sort_by(|a, b| {
        b.commands
            .cmp(&a.commands)
            .then_with(|| a.user.cmp(&b.user))
    });
    let mut hosts: Vec<HostRow> = hosts.into_values().collect();
    hosts.sort_by(|a, b| {
        b.commands
            .cmp(&a.commands)
            .then_with(|| a.host.cmp(&b.host))
    });
    let by_time = |v: &mut Vec<&Listed>| v.sort_by(|a, b| a.info.stamp.cmp(&b.info.stamp));
    let mut privileged: Vec<&Listed> = tally.privileged.iter().collect();
    let mut failed: Vec<&Listed> = tally.failed.iter().collect();
    let mut audit_failures: Vec<&Listed> = tally.audit_failures.iter().collect();
    by_time(&mut privileged);
    by_time(&mut failed);
    by_time(&mut audit_failures);
    let days: BTreeSet<u32> = tally.per_day.keys().copied().filter(|&d| d != 0).collect();
    let activity = days
        .iter()
        .map(|&d| DayRow {
            day: day_text(d),
            records: tally.per_day.get(&d).copied().unwrap_or(0),
            failed_commands: tally.failed_per_day.get(&d).copied().unwrap_or(0),
        })
        .collect();
    let stamps = sessions
        .iter()
        .flat_map(|s| [s.first_stamp.as_str(), s.last_stamp.as_str()]);
    let period = Period {
        first: stamps
            .clone()
            .filter(|t| !t.is_empty())
            .min()
            .map(str::to_string),
        last: stamps.filter(|t| !t.is_empty()).max().map(str::to_string),
    };
    off_hours.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then_with(|| a.session.cmp(&b.session))
    });
    Report {
        totals,
        users,
        hosts,
        privileged: privileged.into_iter().map(privileged_row).collect(),
        failed: failed.into_iter().map(failed_row).collect(),
        off_hours,
        audit_failures: audit_failures.into_iter().map(audit_failure_row).collect(),
        integrity: damaged,
        activity,
        business_hours: spec,
        period,
    }
}

/// Run `report`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    let ready = match args.selection.ready(args.tz.as_deref()) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let hours_zone = match Zone::pick(false, args.tz.as_deref()) {
        Ok(z) => z,
        Err(e) => {
            error(&e);
            return EXIT_ERROR;
        }
    };
    let tz_name = args
        .tz
        .clone()
        .or_else(|| hours_zone.0.iana_name().map(str::to_string))
        .unwrap_or_else(|| "local".to_string());
    let hours = match Hours::parse(&args.hours, &args.weekdays, hours_zone) {
        Ok(h) => h,
        Err(e) => {
            error(&e);
            return EXIT_ERROR;
        }
    };
    let (tally, integrity, totals) = tally(&ready, true);
    // Left to the process's end: freeing a fleet's per-session state takes longer.
    let (tally, integrity) = (ManuallyDrop::new(tally), ManuallyDrop::new(integrity));
    if let Some(status) = ready.finish(&totals) {
        return status;
    }
    let spec = BusinessHours {
        hours: args.hours.clone(),
        weekdays: args.weekdays.clone(),
        tz: tz_name,
    };
    let report = build(&tally, &integrity, &hours, spec);
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)
            .map(|mut s| {
                s.push('\n');
                s.into_bytes()
            })
            .map_err(|e| e.to_string()),
        Format::Csv => csv_section(&report, args.section),
        Format::Text => Ok(text(&report, &ready.zone).into_bytes()),
        Format::Html => Ok(html::page(&report, &ready.zone).into_bytes()),
    };
    let bytes = match text {
        Ok(b) => b,
        Err(e) => {
            error(&e);
            return EXIT_ERROR;
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| format!("{}: {}", super::printable::path(path), errno::io_text(&e))),
        None => {
            let out = io::stdout();
            let mut out = out.lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    Err(format!("standard output: {}", errno::io_text(&e)))
                }
                _ => Ok(()),
            }
        }
    };
    if let Err(e) = written {
        error(&e);
        return EXIT_ERROR;
    }
    EXIT_OK
}

fn csv_of<T: Serialize>(rows: &[T], header: &[&str]) -> Result<Vec<u8>, String> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(header).map_err(|e| e.to_string())?;
    for r in rows {
        w.serialize(r).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// One section as CSV: a header of the JSON keys, a row per entry.
pub fn csv_section(r: &Report, section: Section) -> Result<Vec<u8>, String> {
    match section {
        Section::Totals => csv_of(
            std::slice::from_ref(&r.totals),
            &[
                "records",
                "sessions",
                "commands",
                "programs",
                "failed_commands",
                "hosts",
                "users",
            ],
        ),
        Section::Users => csv_of(
            &r.users,
            &[
                "user",
                "sessions",
                "commands",
                "programs",
                "failed_commands",
                "privileged",
            ],
        ),
        Section::Hosts => csv_of(
            &r.hosts,
            &[
                "host",
                "sessions",
                "commands",
                "programs",
                "failed_commands",
            ],
        ),
        Section::Privileged => csv_of(
            &r.privileged,
            &[
                "timestamp",
                "host",
                "session",
                "user",
                "effective_user",
                "login_user",
                "executable",
                "args",
                "reason",
            ],
        ),
        Section::Failed => csv_of(
            &r.failed,
            &[
                "timestamp",
                "host",
                "session",
                "user",
                "command_line",
                "exit_code",
                "signal",
            ],
        ),
        Section::OffHours => csv_of(
            &r.off_hours,
            &[
                "session",
                "host",
                "user",
                "login_user",
                "source_ip",
                "start",
            ],
        ),
        Section::AuditFailures => csv_of(
            &r.audit_failures,
            &[
                "timestamp",
                "host",
                "session",
                "user",
                "action",
                "sink",
                "message",
            ],
        ),
        Section::Integrity => {
            // A list in a cell: the findings joined, one cell.
            #[derive(Serialize)]
            struct Row<'a> {
                session: &'a str,
                host: &'a str,
                user: &'a str,
                integrity: &'a str,
                findings: String,
            }
            let rows: Vec<Row> = r
                .integrity
                .iter()
                .map(|i| Row {
                    session: &i.session,
                    host: &i.host,
                    user: &i.user,
                    integrity: &i.integrity,
                    findings: i.findings.join(" | "),
                })
                .collect();
            csv_of(&rows, &["session", "host", "user", "integrity", "findings"])
        }
    }
}

/// The report as text: each section a heading and aligned lines.
pub fn text(r: &Report, zone: &Zone) -> String {
    use std::fmt::Write as _;
    let p = |s: &str, max: usize| super::printable::text(s.as_bytes(), max);
    let mut o = String::new();
    let t = &r.totals;
    let period = match (&r.period.first, &r.period.last) {
        (Some(a), Some(b)) => format!("{} to {}", zone.show(a), zone.show(b)),
        _ => "-".to_string(),
    };
    let _ = writeln!(o, "auditsh report: {period}");
    let _ = writeln!(
        o,
        "\nTotals\n  {} records, {} sessions, {} commands, {} programs, {} failed commands, {} hosts, {} users",
        t.records, t.sessions, t.commands, t.programs, t.failed_commands, t.hosts, t.users
    );
    let _ = writeln!(
        o,
        "\nUsers (by commands)\n  {:<20} {:>8} {:>8} {:>8} {:>8} {:>10}",
        "USER", "SESSIONS", "COMMANDS", "PROGRAMS", "FAILED", "PRIVILEGED"
    );
    for u in &r.users {
        let _ = writeln!(
            o,
            "  {:<20} {:>8} {:>8} {:>8} {:>8} {:>10}",
            p(&u.user, 20),
            u.sessions,
            u.commands,
            u.programs,
            u.failed_commands,
            u.privileged
        );
    }
    let _ = writeln!(
        o,
        "\nHosts (by commands)\n  {:<30} {:>8} {:>8} {:>8} {:>8}",
        "HOST", "SESSIONS", "COMMANDS", "PROGRAMS", "FAILED"
    );
    for h in &r.hosts {
        let _ = writeln!(
            o,
            "  {:<30} {:>8} {:>8} {:>8} {:>8}",
            p(&h.host, 30),
            h.sessions,
            h.commands,
            h.programs,
            h.failed_commands
        );
    }
    let _ = writeln!(o, "\nPrivileged commands ({})", r.privileged.len());
    for x in &r.privileged {
        let _ = writeln!(
            o,
            "  {}  {:<14} {:<10} as {:<8} {}",
            zone.show(&x.timestamp),
            p(&x.host, 30),
            p(&x.user, 20),
            p(&x.effective_user, 12),
            p(
                x.args.as_deref().or(x.executable.as_deref()).unwrap_or("-"),
                200
            )
        );
    }
    let _ = writeln!(o, "\nFailed commands ({})", r.failed.len());
    for x in &r.failed {
        let status = match (&x.signal, x.exit_code) {
            (Some(s), _) => s.clone(),
            (None, Some(c)) => c.to_string(),
            _ => "?".to_string(),
        };
        let _ = writeln!(
            o,
            "  {}  {:<14} {:<10} {:>6}  {}",
            zone.show(&x.timestamp),
            p(&x.host, 30),
            p(&x.user, 20),
            status,
            p(&x.command_line, 200)
        );
    }
    let b = &r.business_hours;
    let _ = writeln!(
        o,
        "\nSessions outside business hours ({} {} {}): {}",
        b.weekdays,
        b.hours,
        b.tz,
        r.off_hours.len()
    );
    for x in &r.off_hours {
        let _ = writeln!(
            o,
            "  {}  {:<14} {:<10} {:<15} {}",
            zone.show(&x.start),
            p(&x.host, 30),
            p(&x.user, 20),
            p(x.source_ip.as_deref().unwrap_or("-"), 40),
            p(&x.session, 64)
        );
    }
    let _ = writeln!(
        o,
        "\nAudit failures and denied commands ({})",
        r.audit_failures.len()
    );
    for x in &r.audit_failures {
        let _ = writeln!(
            o,
            "  {}  {:<14} {:<10} {:<13} {}",
            zone.show(&x.timestamp),
            p(&x.host, 30),
            p(&x.user, 20),
            p(&x.action, 20),
            p(&x.message, 200)
        );
    }
    let _ = writeln!(o, "\nIntegrity: {} damaged sessions", r.integrity.len());
    for x in &r.integrity {
        let _ = writeln!(
            o,
            "  {}  {:<14} {:<10} {}",
            p(&x.session, 64),
            p(&x.host, 30),
            p(&x.user, 20),
            x.integrity
        );
        for f in &x.findings {
            let _ = writeln!(o, "      {}", p(f, 300));
        }
    }
    o
}
