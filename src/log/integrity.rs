//! What `verify` finds, per session, for `sessions`, `show` and `report`: the kinds of damage
//! (the `integrity` column), the finding lines, and the sessions still running.

use super::input::{Collected, Input};
use super::scan::{FileReport, Line, Visitor};
use super::verify::{Finding, Verifier};
use super::view::Record;
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of damage, in the order the `integrity` column lists them.
pub const KINDS: &[&str] = &[
    "altered",
    "gap",
    "lost",
    "reordered",
    "duplicate",
    "torn",
    "unterminated",
    "forged",
    "misplaced",
    "unauthenticated",
];

/// Per session: what is wrong with it.
#[derive(Debug, Default)]
pub struct Integrity {
    damaged: BTreeMap<String, Damage>,
    open: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Damage {
    kinds: BTreeSet<usize>,
    findings: Vec<Finding>,
}

impl Integrity {
    pub fn from_findings(
        findings: Vec<Finding>,
        open: BTreeSet<String>,
        kind: impl Fn(&Finding) -> &'static str,
    ) -> Integrity {
        let mut damaged: BTreeMap<String, Damage> = BTreeMap::new();
        for f in findings {
            let Some((session, _)) = &f.session else {
                continue;
            };
            let k = kind(&f);
            let d = damaged.entry(session.clone()).or_default();
            d.kinds
                .insert(KINDS.iter().position(|x| *x == k).unwrap_or(0));
            d.findings.push(f);
        }
        Integrity { damaged, open }
    }

    /// The `integrity` cell: `ok`, `open`, or the kinds joined by `;`.
    pub fn of(&self, session: &str) -> String {
        match self.damaged.get(session) {
            Some(d) => d
                .kinds
                .iter()
                .map(|&k| KINDS[k])
                .collect::<Vec<_>>()
                .join(";"),
            None if self.open.contains(session) => "open".to_string(),
            None => "ok".to_string(),
        }
    }

    /// A damaged session's kinds and finding lines.
    pub fn damage(&self, session: &str) -> Option<(String, Vec<String>)> {
        let d = self.damaged.get(session)?;
        Some((
            self.of(session),
            d.findings.iter().map(|f| f.to_string()).collect(),
        ))
    }

    /// A session's findings, with where each is (file index, line).
    pub fn findings(&self, session: &str) -> &[Finding] {
        self.damaged.get(session).map_or(&[], |d| &d.findings)
    }
}

/// A visitor that also feeds the integrity check.
pub struct Both<V> {
    pub inner: V,
}

impl<V: Visitor> Both<V> {
    pub fn new(inner: V, _index: usize, _input: &Input) -> Both<V> {
        Both { inner }
    }

    pub fn finish(self, _report: &FileReport) -> (V, ()) {
        (self.inner, ())
    }
}

impl<V: Visitor> Visitor for Both<V> {
    fn line(&mut self, no: u64, raw: &[u8], kind: super::input::Line) {
        self.inner.line(no, raw, kind);
    }
    fn wants(&mut self, json: &[u8]) -> bool {
        self.inner.wants(json)
    }
    fn record(&mut self, line: &Line, record: Record<'_>) {
        self.inner.record(line, record);
    }
}

/// Checks the files' sessions.
pub struct Checker {
    files: Vec<Input>,
    days: Vec<std::path::PathBuf>,
}

impl Checker {
    pub fn new(c: &Collected) -> Checker {
        Checker {
            files: c.files.clone(),
            days: c.spool_days.clone(),
        }
    }

    pub fn consume(&mut self, _digest: ()) {}

    pub fn finish(self) -> Integrity {
        let mut v = Verifier::new();
        v.spool_days(&self.days);
        for f in &self.files {
            let _ = v.read_file(&f.path, f.format);
        }
        let report = v.finish();
        Integrity::from_findings(report.findings, BTreeSet::new(), |f| kind_by_text(&f.what))
    }
}

fn kind_by_text(what: &str) -> &'static str {
    let has = |s: &str| what.contains(s);
    if has("unterminated") {
        "unterminated"
    } else if has("lost while") || has("lost") {
        "lost"
    } else if has("missing") && !has("missing or malformed") {
        "gap"
    } else if has("out of order") {
        "reordered"
    } else if has("duplicated") || has("again") {
        "duplicate"
    } else if has("cut short") || has("longer than") || has("empty line") {
        "torn"
    } else if has("spool file") {
        "misplaced"
    } else if has("MAC") || has("key") {
        "unauthenticated"
    } else if has("sent by") || has("sender") {
        "forged"
    } else {
        "altered"
    }
}
