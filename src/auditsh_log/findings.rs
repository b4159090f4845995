//! What `verify` finds: a finding's kind and place, and the run's report (the summary line and
//! the exit status it implies).

use super::line::Copy;
use std::collections::BTreeSet;

/// Where a line is: the file's index among those read, and its 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Loc {
    pub file: usize,
    pub line: u64,
}

/// The kinds of damage, in the order the `integrity` column of `sessions` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A record's bytes changed (its hash is not the next `auditsh.prev`), or a record that
    /// the shell never writes so (a field missing, an `event.id` that is not its own).
    Altered,
    /// Records missing from the middle or the start of a session's copy, or its whole file.
    Gap,
    /// Records the sink said it lost while it failed (`auditsh.lost`).
    Lost,
    /// A record that came after one with a later sequence.
    Reordered,
    /// A sequence seen twice.
    Duplicate,
    /// A line cut short or torn: not a whole record.
    Torn,
    /// No `session-end`, and the session is not running.
    Unterminated,
    /// Sent by a process other than the record's shell.
    Forged,
    /// A session's spool file is not in its host's spool tree.
    Misplaced,
    /// With `--key`: a MAC missing, wrong, or of a key the session may not use.
    Unauthenticated,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Altered,
        Kind::Gap,
        Kind::Lost,
        Kind::Reordered,
        Kind::Duplicate,
        Kind::Torn,
        Kind::Unterminated,
        Kind::Forged,
        Kind::Misplaced,
        Kind::Unauthenticated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Altered => "altered",
            Kind::Gap => "gap",
            Kind::Lost => "lost",
            Kind::Reordered => "reordered",
            Kind::Duplicate => "duplicate",
            Kind::Torn => "torn",
            Kind::Unterminated => "unterminated",
            Kind::Forged => "forged",
            Kind::Misplaced => "misplaced",
            Kind::Unauthenticated => "unauthenticated",
        }
    }
}

/// One thing wrong, at one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file's name as it is printed.
    pub file: String,
    pub loc: Loc,
    /// The session (printable) and which copy, when the line could be tied to one.
    pub session: Option<(String, Copy)>,
    pub kind: Kind,
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
    /// Sessions still running (printable ids): no end yet, and not a finding.
    pub open: BTreeSet<String>,
}

impl Report {
    /// `N files, M sessions (K open), R records, F findings` (with `--key`, `A authenticated`
    /// before the findings; no `(K open)` when none is).
    pub fn summary(&self) -> String {
        let authenticated = self
            .authenticated
            .map(|a| format!("{a} authenticated, "))
            .unwrap_or_default();
        let open = match self.open.len() {
            0 => String::new(),
            n => format!(" ({n} open)"),
        };
        format!(
            "{}, {}{open}, {}, {authenticated}{}",
            plural(self.files as u64, "file"),
            plural(self.sessions as u64, "session"),
            plural(self.records, "record"),
            plural(self.findings.len() as u64, "finding")
        )
    }
}

pub(super) fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
