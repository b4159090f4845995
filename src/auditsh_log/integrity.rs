//! What `verify` finds, per session, for `sessions`, `show` and `report`: the kinds of damage
//! (the `integrity` column), the finding lines, and the sessions still running.

use super::digest::{Digester, Fields, FileDigest, Place};
use super::input::{Collected, Input};
use super::scan::{self, FileReport, Line, Visitor};
use super::verify::{Finding, Kind, Verifier};
use super::view::Record;
use std::collections::{BTreeMap, BTreeSet};

/// Per session: what is wrong with it.
#[derive(Debug, Default)]
pub struct Integrity {
    damaged: BTreeMap<String, Damage>,
    open: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Damage {
    kinds: BTreeSet<Kind>,
    findings: Vec<Finding>,
}

impl Integrity {
    /// What `verify` found, by session (findings not tied to a session are not here).
    pub fn from_report(report: super::verify::Report) -> Integrity {
        let mut damaged: BTreeMap<String, Damage> = BTreeMap::new();
        for f in report.findings {
            let Some((session, _)) = &f.session else {
                continue;
            };
            let d = damaged.entry(session.clone()).or_default();
            d.kinds.insert(f.kind);
            d.findings.push(f);
        }
        Integrity {
            damaged,
            open: report.open,
        }
    }

    /// The `integrity` cell: `ok`, `open`, or the kinds joined by `;`.
    pub fn of(&self, session: &str) -> String {
        match self.damaged.get(session) {
            Some(d) => d
                .kinds
                .iter()
                .map(|k| k.as_str())
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

/// A visitor that also digests every line for the integrity check. Every record the scan
/// parses for `inner` is digested from that parse; the scan is asked to parse them all (verify
/// needs every record), and `inner` sees only those it wants. A line the scan passes over
/// (not a record, cut short, not JSON) is digested from its bytes.
pub struct Both<V> {
    pub inner: V,
    digester: Digester,
    inner_wants: bool,
}

impl<V: Visitor> Both<V> {
    pub fn new(inner: V, input: &Input) -> Both<V> {
        Both {
            inner,
            digester: Digester::new(input.format, None),
            inner_wants: false,
        }
    }

    pub fn finish(self) -> (V, FileDigest) {
        (self.inner, self.digester.digest)
    }
}

impl<V: Visitor> Visitor for Both<V> {
    fn line(&mut self, no: u64, raw: &[u8], kind: super::input::Line) {
        self.inner.line(no, raw, kind);
    }

    fn passed(&mut self, no: u64, raw: &[u8], kind: super::input::Line) {
        self.digester.line(no, raw, kind);
        self.inner.passed(no, raw, kind);
    }

    fn wants(&mut self, json: &[u8]) -> bool {
        self.inner_wants = self.inner.wants(json);
        true
    }

    fn record(&mut self, line: &Line, record: Record<'_>) {
        let at = Place {
            no: line.no,
            raw: line.raw,
            json: line.json,
            copy: line.copy,
            sure: line.sure,
            newline: line.newline,
        };
        self.digester.fields(&at, &Fields::from_record(&record));
        if self.inner_wants {
            self.inner.record(line, record);
        } else {
            self.inner.passed(
                line.no,
                line.raw,
                super::input::Line::Text {
                    newline: line.newline,
                },
            );
        }
    }
}

/// Checks the sessions of the files it is given the digests of, in file order.
pub struct Checker {
    /// Left to the process's end (see [`Verifier::finish`]).
    verifier: std::mem::ManuallyDrop<Verifier>,
}

impl Checker {
    pub fn new(c: &Collected) -> Checker {
        let mut verifier = Verifier::new();
        verifier.spool_days(&c.spool_days);
        Checker {
            verifier: std::mem::ManuallyDrop::new(verifier),
        }
    }

    pub fn consume(&mut self, input: &Input, digest: FileDigest, report: &FileReport) {
        // An unreadable file is the scan's warning already.
        let _ = self
            .verifier
            .consume(&input.path, input.format, digest, report);
    }

    pub fn finish(mut self) -> Integrity {
        Integrity::from_report(self.verifier.finish())
    }

    /// Check the sessions in the files of `c` numbered `which`, reading them again. Findings
    /// keep the numbers of `c`'s files.
    pub fn check(c: &Collected, which: &[usize], threads: usize) -> Integrity {
        let files: Vec<&Input> = which.iter().filter_map(|&i| c.files.get(i)).collect();
        let mut checker = Checker::new(c);
        let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
        scan::ordered_files(
            &sizes,
            threads,
            &|i| {
                let mut d = Digester::new(files[i].format, None);
                let report = scan::read_file(files[i], i, None, &mut d);
                (d.digest, report)
            },
            &mut |i, (digest, report)| {
                checker.consume(files[i], digest, &report);
                true
            },
        );
        let mut report = checker.verifier.finish();
        for f in &mut report.findings {
            f.loc.file = which.get(f.loc.file).copied().unwrap_or(f.loc.file);
        }
        Integrity::from_report(report)
    }
}
