//! What every reading subcommand takes: the files and directories to read, the filters, the
//! zone times are shown in, and how many files to read at once. Also the rule every one of
//! them keeps: a run that read no record at all is an error, never an empty answer.

use super::filter::{Filter, FilterArgs};
use super::input::{self, Collected};
use super::scan::{self, Totals};
use super::when::Zone;
use super::{error, printable, EXIT_ERROR};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Selection {
    /// Files and directories to read (directories are walked; any file holding records is
    /// read: spool files, syslog files, plain, gzip'd or zstd'd). Default: the installed spool
    /// /var/log/auditsh for the installed auditsh-log, else the development spool
    /// ($XDG_STATE_HOME/auditsh or ~/.local/state/auditsh)
    #[arg(value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Show times in UTC (default: the local time zone)
    #[arg(long, global = true)]
    pub utc: bool,

    /// Read this many files at once (default: one per core)
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

/// A selection made ready: the files to read and the compiled filter.
pub struct Ready {
    pub operands: Vec<PathBuf>,
    pub collected: Collected,
    pub filter: Filter,
    pub zone: Zone,
    pub threads: usize,
    /// An operand could not be read: the run's status is an error whatever it finds.
    pub failed: bool,
}

impl Selection {
    /// The operands (the default spool when there are none), walked; the filters compiled
    /// with times in `zone` (or the local zone). Errors are printed; `Err` is the exit status.
    pub fn ready(&self, tz: Option<&str>) -> Result<Ready, i32> {
        let zone = Zone::pick(self.utc, tz).map_err(|e| {
            error(&e);
            EXIT_ERROR
        })?;
        let filter = Filter::compile(&self.filters, &zone).map_err(|e| {
            error(&e);
            EXIT_ERROR
        })?;
        let operands = if self.paths.is_empty() {
            vec![input::default_spool_dir().map_err(|e| {
                error(&e);
                EXIT_ERROR
            })?]
        } else {
            self.paths.clone()
        };
        let (collected, errors) = input::collect(&operands);
        for e in &errors {
            error(e);
        }
        Ok(Ready {
            operands,
            collected,
            filter,
            zone,
            threads: self
                .threads
                .filter(|&n| n > 0)
                .unwrap_or_else(scan::default_threads),
            failed: !errors.is_empty(),
        })
    }
}

impl Ready {
    /// After the scan: the summary of what was skipped, and the empty-run rule. `Some(status)`
    /// when the run must end with an error.
    pub fn finish(&self, totals: &Totals) -> Option<i32> {
        if let Some(s) = totals.summary() {
            error(&s);
        }
        if totals.records == 0 && !(self.failed && totals.files == 0) {
            no_records(&self.operands, totals.files);
        }
        if totals.records == 0 {
            return Some(EXIT_ERROR);
        }
        (self.failed || totals.unreadable > 0).then_some(EXIT_ERROR)
    }
}

/// The empty-run rule's message: nothing was read that could answer anything.
pub fn no_records(operands: &[PathBuf], files: usize) {
    let names: Vec<String> = operands.iter().map(|p| printable::path(p)).collect();
    let files = match files {
        0 => "no file".to_string(),
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    error(&format!(
        "no audit records in {} ({files} read): nothing to answer from; name the spool or collected syslog files",
        names.join(", ")
    ));
}
