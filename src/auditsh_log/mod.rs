//! `auditsh-log`: the security team's tool for the records auditsh writes (spool files and
//! collected syslog files, plain, gzip'd or zstd'd).
//!
//! One file per subcommand (`search`, `sessions`, `show`, `report`, `verify`, `key`,
//! `retain`), over
//! what they share:
//!
//! - `input`: operands → files (directories walked, every regular file read; the default
//!   spool directory when there is no operand), opening them (gzip or zstd by their magic
//!   bytes), reading lines with a length limit.
//! - `line`: one line → the JSON text of a record (spool lines as they are; syslog lines from
//!   the first `{`, after a prefix and an optional `@cee: ` cookie).
//! - `view`: a record's fields, borrowed from the line, tolerant of what is missing or wrong.
//! - `filter`: the filters every reading subcommand takes, and their byte prefilter.
//! - `select`: operands, filters, zone and threads together; the empty-run rule.
//! - `scan`: many files read in parallel, results in file order, one warning per bad file.
//! - `when`: time bounds (`--since 2h`) and times shown in the local zone.
//! - `printable`: text from log files made safe to print on one line.
//! - `authenticate`: `verify --key`, each record's MAC checked with the host's key.

pub mod authenticate;
pub mod digest;
pub mod filter;
pub mod findings;
pub mod html;
pub mod input;
pub mod integrity;
pub mod key;
pub mod line;
pub mod once;
pub mod printable;
pub mod report;
pub mod retain;
pub mod running;
pub mod scan;
pub mod search;
pub mod select;
pub mod sessions;
pub mod show;
pub mod tally;
pub mod verify;
pub mod view;
pub mod when;

use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;

/// Exit status: nothing found.
pub const EXIT_OK: i32 = 0;
/// Exit status: findings.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status: usage or I/O errors.
pub const EXIT_ERROR: i32 = 2;

/// The questions auditors ask, as commands: `--help` and the manual page show them.
const EXAMPLES: &str = "\
Examples:
  Who ran sudo last week on the db hosts:
    auditsh-log search --exe sudo --host 'db*' --since 7d /var/log/remote
  Every session from this address, or this network:
    auditsh-log sessions --source-ip 203.0.113.7 /var/log/remote
    auditsh-log sessions --source-ip 10.20.0.0/16 --format csv /var/log/remote
  What did this session do:
    auditsh-log show 9f2c4e /var/log/remote
  Failed commands outside business hours, for the compliance file:
    auditsh-log report --since 2026-11-01 --until 2026-12-01 --format html -o november.html
    auditsh-log report --format csv --section off_hours --tz Europe/Berlin
  Are the records intact (exit status 1 on any finding):
    auditsh-log verify /var/log/auditsh

Output formats and their columns and keys: doc/auditsh-log.md; auditsh-log(1).";

#[derive(Debug, Parser)]
#[command(
    name = "auditsh-log",
    version,
    about = "Search, check and report on auditsh audit records (spool and syslog files, plain, gzip'd or zstd'd)",
    after_long_help = EXAMPLES,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the records that match the filters (as a table, as stored JSON lines, or CSV).
    ///
    /// Exit status: 0 something matched, 1 nothing did, 2 an error.
    Search(Box<search::Args>),
    /// List sessions, one row each, with their numbers and what verify found in them.
    ///
    /// Exit status: 0 a session listed, 1 none, 2 an error.
    Sessions(Box<sessions::Args>),
    /// Print one session as a timeline: command lines, the programs they started, exit
    /// statuses, and any damage where it is.
    ///
    /// Exit status: 0 shown, 1 no such session, 2 an error (or a prefix of several sessions).
    Show(Box<show::Args>),
    /// Totals, users, hosts, privileged and failed commands, off-hours activity, audit
    /// failures and integrity, as text, JSON, CSV or one HTML page.
    Report(Box<report::Args>),
    /// Check that every session's records are intact: hash chain, sequence, start and end.
    ///
    /// Prints one line per finding (FILE:LINE: session SESSION: what is wrong) and a summary.
    /// Exit status: 0 no findings, 1 findings, 2 usage or I/O errors.
    Verify(verify::Args),
    /// The host's record key: create it (`key init`), bring it forward (`key evolve`).
    Key(key::Args),
    /// Apply the config's [retention] to the spool: gzip the files of days at least
    /// compress_after_days back, delete those of days at least delete_after_days back.
    ///
    /// A file some process holds open (a session still running) is left as it is (run as
    /// root for the installed spool: every process's open files are looked at). The package
    /// runs it daily. Prints one line per file; verify, search and the others read the
    /// .jsonl.gz files as they are.
    /// Exit status: 0 done, 2 an error (each named on stderr).
    Retain(retain::Args),
    /// Print a completion script for a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page auditsh-log(1), or a subcommand's (roff, for man -l).
    Man {
        /// The subcommand whose page to print
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

/// Run `auditsh-log` with `argv` (program name first); returns the exit status.
pub fn main<I, T>(argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are "errors" with status 0; printing may fail (closed
            // stdout): the status says what happened either way.
            let _ = e.print();
            return if e.exit_code() == 0 {
                EXIT_OK
            } else {
                EXIT_ERROR
            };
        }
    };
    match cli.command {
        Command::Search(args) => search::run(&args),
        Command::Sessions(args) => sessions::run(&args),
        Command::Show(args) => show::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Key(args) => key::run(&args),
        Command::Retain(args) => retain::run(&args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "auditsh-log", &mut out);
            print_all(&out)
        }
        Command::Man { subcommand } => man(subcommand.as_deref()),
    }
}

/// Write `bytes` to stdout; the status says whether it went.
fn print_all(bytes: &[u8]) -> i32 {
    let out = std::io::stdout();
    let mut out = out.lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            error(&format!(
                "standard output: {}",
                crate::sys::errno::io_text(&e)
            ));
            EXIT_ERROR
        }
    }
}

/// The manual page, from the command-line definition: auditsh-log(1), or
/// auditsh-log-SUBCOMMAND(1).
fn man(subcommand: Option<&str>) -> i32 {
    use clap::CommandFactory;
    let top = Cli::command();
    let cmd = match subcommand {
        None => top,
        Some(name) => {
            if top.find_subcommand(name).is_none() {
                let names: Vec<&str> = top.get_subcommands().map(|c| c.get_name()).collect();
                error(&format!(
                    "man {name}: no such subcommand (one of: {})",
                    names.join(", ")
                ));
                return EXIT_ERROR;
            }
            // Built under the parent, so that its synopsis and name read `auditsh-log NAME`.
            let mut top = top;
            top.build();
            match top.find_subcommand(name) {
                Some(sub) => sub.clone().display_name(format!("auditsh-log-{name}")),
                None => return EXIT_ERROR,
            }
        }
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(cmd)
        .manual("auditsh manual")
        .render(&mut out)
    {
        error(&format!("man: {e}"));
        return EXIT_ERROR;
    }
    print_all(&out)
}

/// An error line on stderr: `auditsh-log: MESSAGE`.
pub fn error(msg: &str) {
    let mut line = String::with_capacity(msg.len() + 14);
    line.push_str("auditsh-log: ");
    line.push_str(msg);
    line.push('\n');
    let _ = std::io::stderr().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_holds_together() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
