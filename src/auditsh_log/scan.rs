//! Reading many files fast: files are read in parallel (one per worker thread, as many
//! workers as cores) and their results handed on in file order, with a bounded number of
//! files in flight, so that memory does not grow with the corpus. Each line is classified
//! (record or another program's line), checked cheaply for being whole, shown to the
//! caller's prefilter, and parsed (borrowed) only when the prefilter lets it through.
//!
//! What goes wrong in a file (it cannot be read, its compressed data is cut, some of its
//! lines are not records) becomes one warning line for that file, and counts in [`Totals`].

use super::input::{self, Format, Input, Line as Read};
use super::line::{classify, Classified, Copy};
use super::printable;
use super::view::{self, Record};
use crate::sys::errno;
use memchr::memmem;
use std::collections::BTreeMap;
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};

/// One record's line, as the caller sees it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'b> {
    /// The file's index among those scanned.
    pub file: usize,
    /// 1-based line number.
    pub no: u64,
    /// The record's JSON text exactly as stored (syslog prefix and cookie removed).
    pub json: &'b [u8],
    /// The whole line.
    pub raw: &'b [u8],
    pub copy: Copy,
    /// It ended with a newline (the last line of a cut file has none).
    pub newline: bool,
    /// The line is auditsh's by its form, not only by its fields (see [`classify`]).
    pub sure: bool,
}

/// What a scan does with the records of one file.
pub trait Visitor {
    /// Every line of the file as read, before anything is made of it (`verify` digests them
    /// all, whatever they hold). `kind` says whether it was cut at the length limit.
    fn line(&mut self, _no: u64, _raw: &[u8], _kind: Read) {}
    /// A line that [`Visitor::record`] is not shown: not a record, not whole, not wanted or
    /// not JSON.
    fn passed(&mut self, _no: u64, _raw: &[u8], _kind: Read) {}
    /// Whether the record with this JSON text may be wanted (parsed only then).
    fn wants(&mut self, json: &[u8]) -> bool;
    /// A record the prefilter let through.
    fn record(&mut self, line: &Line, record: Record<'_>);
}

/// What reading one file found.
#[derive(Debug, Default, Clone)]
pub struct FileReport {
    /// Lines that hold a record (parsed or not).
    pub records: u64,
    /// Lines that should be records and are not (cut short, not JSON, too long).
    pub bad_lines: u64,
    /// The first of them: its line number and what is wrong.
    pub first_bad: Option<(u64, String)>,
    /// The file's compressed data is damaged or cut short (after this many lines).
    pub damaged: Option<String>,
    /// The decoder's error for it.
    pub damage: Option<String>,
    /// The file could not be opened or read.
    pub unreadable: Option<String>,
    /// No record, and bytes no text file has (NUL).
    pub binary: bool,
}

impl FileReport {
    /// One warning line for the file, when anything went wrong.
    pub fn warning(&self, name: &str) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(e) = &self.unreadable {
            parts.push(format!("cannot be read: {e}"));
        }
        if let Some(d) = &self.damaged {
            parts.push(d.clone());
        }
        if self.binary && self.records == 0 {
            parts.push("binary data, no records".to_string());
        }
        if let Some((at, what)) = &self.first_bad {
            let n = self.bad_lines;
            let lines = if n == 1 { "1 line" } else { "lines" };
            let count = if n == 1 {
                String::new()
            } else {
                format!("{n} ")
            };
            parts.push(format!(
                "{count}{lines} that should be records and are not, skipped (line {at}: {what})"
            ));
        }
        (!parts.is_empty()).then(|| format!("{name}: {}", parts.join("; ")))
    }
}

/// A line of a syslog file that is not tagged `auditsh` is a record only if it has auditsh's
/// fields (another program's JSON is not).
static MARK: std::sync::LazyLock<memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memmem::Finder::new(b"\"auditsh\":"));

/// Read one file, showing each record to `visitor`; `counter` gets the bytes read from disk.
pub fn read_file(
    input: &Input,
    index: usize,
    counter: Option<Arc<AtomicU64>>,
    visitor: &mut dyn Visitor,
) -> FileReport {
    match input::open_counted(&input.path, counter) {
        Ok(reader) => read_lines(reader, input.format, index, visitor),
        Err(e) => FileReport {
            unreadable: Some(errno::io_text(&e)),
            ..FileReport::default()
        },
    }
}

/// Read the lines of `reader` (file number `index`, in `format`), showing each record to
/// `visitor`.
pub fn read_lines(
    mut reader: input::Reader,
    format: Format,
    index: usize,
    visitor: &mut dyn Visitor,
) -> FileReport {
    let mut report = FileReport::default();
    let mut spill = Vec::new();
    let mut no: u64 = 0;
    let mut nul = false;
    loop {
        let (line, kind) = match reader.next_line(&mut spill) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                let what = errno::io_text(&e);
                if reader.compressed && is_data_error(&e) {
                    report.damaged = Some(format!(
                        "compressed data damaged or cut short after line {no} ({what})"
                    ));
                    report.damage = Some(what);
                } else {
                    report.unreadable = Some(format!("read error after line {no}: {what}"));
                }
                break;
            }
        };
        no += 1;
        visitor.line(no, line, kind);
        if !nul && memchr::memchr(0, line).is_some() {
            nul = true;
        }
        let at = Place {
            file: index,
            no,
            format,
            kind,
        };
        if !show_record(&mut report, visitor, at, line) {
            visitor.passed(no, line, kind);
        }
    }
    report.binary = nul;
    report
}

/// Where a line is, and how it was read.
#[derive(Clone, Copy)]
struct Place {
    file: usize,
    no: u64,
    format: Format,
    kind: Read,
}

/// Show the line `buf` to `visitor` as a record, if it is one, whole, wanted and parsed;
/// false when it was not shown.
fn show_record(report: &mut FileReport, visitor: &mut dyn Visitor, at: Place, buf: &[u8]) -> bool {
    let Place {
        file,
        no,
        format,
        kind,
    } = at;
    let Classified::Record { json, copy, sure } = classify(buf, format) else {
        return false;
    };
    let ours = sure || MARK.find(json).is_some();
    if !ours || json.is_empty() && format != Format::Spool {
        return false;
    }
    let problem = match kind {
        Read::TooLong { len } => Some(format!("{len} bytes, longer than any record")),
        Read::Text { .. } if json.is_empty() => Some("an empty line".to_string()),
        Read::Text { .. } if trim_end(json).last() != Some(&b'}') => Some("cut short".to_string()),
        Read::Text { .. } => None,
    };
    if let Some(p) = problem {
        report.bad(no, p);
        return false;
    }
    report.records += 1;
    if !visitor.wants(json) {
        return false;
    }
    match view::parse(json) {
        Ok(rec) if rec.session().is_some() => {
            let line = Line {
                file,
                no,
                json,
                raw: buf,
                copy,
                newline: matches!(kind, Read::Text { newline: true }),
                sure,
            };
            visitor.record(&line, rec);
            return true;
        }
        Ok(_) if !sure => report.records -= 1, // another program's JSON
        Ok(_) => {
            report.records -= 1;
            report.bad(no, "no auditsh.session".to_string());
        }
        Err(e) => {
            report.records -= 1;
            report.bad(no, format!("not JSON ({e})"));
        }
    }
    false
}

impl FileReport {
    fn bad(&mut self, no: u64, what: String) {
        self.bad_lines += 1;
        if self.first_bad.is_none() {
            self.first_bad = Some((no, what));
        }
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    &b[..end]
}

/// A read error that means the (compressed) data is bad rather than the file unreadable.
pub fn is_data_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof
    )
}

/// What a whole scan read.
#[derive(Debug, Default)]
pub struct Totals {
    pub files: usize,
    pub records: u64,
    pub bad_lines: u64,
    /// Files with a warning.
    pub files_with_problems: usize,
    /// Files that could not be read (an error, not damage).
    pub unreadable: usize,
}

impl Totals {
    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        self.records += r.records;
        self.bad_lines += r.bad_lines;
        if r.unreadable.is_some() {
            self.unreadable += 1;
        }
        if r.unreadable.is_some()
            || r.damaged.is_some()
            || r.bad_lines > 0
            || (r.binary && r.records == 0)
        {
            self.files_with_problems += 1;
        }
    }

    /// The summary line on stderr when anything was skipped, e.g. `auditsh-log: 1,204 files,
    /// 3,456,789 records read; 2 files with problems (above), 3 lines skipped`.
    pub fn summary(&self) -> Option<String> {
        (self.files_with_problems > 0).then(|| {
            format!(
                "{} files, {} records read; {} with problems (above), {} skipped",
                self.files,
                self.records,
                plural(self.files_with_problems as u64, "file"),
                plural(self.bad_lines, "line"),
            )
        })
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// How many files to read at once: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `work(i)` for `i` in `0..n` on `threads` threads, `consume(i, result)` on the calling
/// thread in order of `i`. At most a few files per thread are ahead of the one consumed.
/// `consume` returning false stops the run (e.g. the reader of the output went away).
pub fn ordered<T: Send>(
    n: usize,
    threads: usize,
    work: &(dyn Fn(usize) -> T + Sync),
    consume: &mut dyn FnMut(usize, T) -> bool,
) {
    // Each "file" as large as the budget: a few per thread ahead, no more.
    ordered_files(&vec![BYTES_AHEAD; n], threads, work, consume);
}

/// How far the workers may read ahead of the file being consumed, in bytes on disk, beside a
/// few files per thread: many small files in flight cost little memory, and keep the
/// workers busy while one large file is read.
const BYTES_AHEAD: u64 = 8 << 20;
/// And never more runs than this (of empty files, say).
const RUNS_AHEAD_MAX: usize = 1024;
/// A run of small files handed to a worker at once: up to this many bytes, or files.
const RUN_BYTES: u64 = 1 << 20;
const RUN_FILES: usize = 64;

/// As [`ordered`] for files of these `sizes` (bytes): workers run ahead of the consumer by
/// up to `BYTES_AHEAD`, or a few files per thread, whichever goes further.
pub fn ordered_files<T: Send>(
    sizes: &[u64],
    threads: usize,
    work: &(dyn Fn(usize) -> T + Sync),
    consume: &mut dyn FnMut(usize, T) -> bool,
) {
    let n = sizes.len();
    if threads <= 1 || n <= 1 {
        for i in 0..n {
            if !consume(i, work(i)) {
                return;
            }
        }
        return;
    }
    // Small files go to a worker in runs (a spool holds one file per session): one hand-over
    // per run, not per file.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut run_bytes: Vec<u64> = Vec::new();
    let mut start = 0;
    let mut bytes = 0u64;
    for (i, &size) in sizes.iter().enumerate() {
        bytes = bytes.saturating_add(size);
        if bytes >= RUN_BYTES || i + 1 - start >= RUN_FILES || i + 1 == n {
            runs.push(start..i + 1);
            run_bytes.push(bytes);
            start = i + 1;
            bytes = 0;
        }
    }
    let runs_n = runs.len();
    // before[r]: the bytes of the runs before run r.
    let before: Vec<u64> = std::iter::once(0)
        .chain(run_bytes.iter().scan(0u64, |sum, &s| {
            *sum = sum.saturating_add(s);
            Some(*sum)
        }))
        .collect();
    let runs_ahead = threads * 4;
    let too_far = |r: usize, done: usize| {
        r >= done + runs_ahead
            && (r >= done + RUNS_AHEAD_MAX
                || before[r].saturating_sub(before[done.min(runs_n)]) > BYTES_AHEAD)
    };
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let consumed = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, Vec<T>)>();
    std::thread::scope(|s| {
        for _ in 0..threads.min(runs_n) {
            let tx = tx.clone();
            let (next, stop, consumed, too_far, runs) = (&next, &stop, &consumed, &too_far, &runs);
            s.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let r = next.fetch_add(1, Ordering::Relaxed);
                if r >= runs_n {
                    break;
                }
                {
                    let (lock, cv) = consumed;
                    let mut done = lock.lock().unwrap_or_else(|p| p.into_inner());
                    while too_far(r, *done) && !stop.load(Ordering::Relaxed) {
                        done = cv.wait(done).unwrap_or_else(|p| p.into_inner());
                    }
                }
                let results = runs[r].clone().map(work).collect();
                if tx.send((r, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Vec<T>> = BTreeMap::new();
        let mut want = 0;
        'recv: for (r, t) in rx.iter() {
            pending.insert(r, t);
            while let Some(results) = pending.remove(&want) {
                let mut go_on = true;
                for (i, t) in runs[want].clone().zip(results) {
                    if !consume(i, t) {
                        go_on = false;
                        break;
                    }
                }
                want += 1;
                let (lock, cv) = &consumed;
                *lock.lock().unwrap_or_else(|p| p.into_inner()) = want;
                if !go_on {
                    stop.store(true, Ordering::Relaxed);
                }
                cv.notify_all();
                if !go_on {
                    break 'recv;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        consumed.1.notify_all();
        // Drain what the workers still send, so that none waits on a full channel.
        for _ in rx.iter() {}
    });
}

/// A progress bar on stderr for a scan of `total` bytes in `files` files: only when stderr is
/// a terminal.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    pub bytes: Arc<AtomicU64>,
}

impl Progress {
    pub fn new(total: u64, files: usize) -> Progress {
        let bar = io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(total),
                indicatif::ProgressDrawTarget::stderr_with_hz(8),
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{bar:30} {binary_bytes}/{binary_total_bytes} {msg} {elapsed}",
            ) {
                bar.set_style(style);
            }
            bar.set_message(format!("0/{files} files"));
            bar
        });
        Progress {
            bar,
            bytes: Arc::new(AtomicU64::new(0)),
        }
    }

    /// `done` files of `files` are read.
    pub fn update(&self, done: usize, files: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.bytes.load(Ordering::Relaxed));
            bar.set_message(format!("{done}/{files} files"));
        }
    }

    /// Print a line on stderr above the bar.
    pub fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| super::error(line)),
            None => super::error(line),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// What a worker does with one file: given its index, the file, and the byte counter.
pub type Work<'a, T> = dyn Fn(usize, &Input, Arc<AtomicU64>) -> (T, FileReport) + Sync + 'a;

/// Scan `files`: each file is read by `work` on a worker thread (given its index, the file,
/// and the byte counter for the progress bar) and what it returns is given to `consume` in
/// file order. Warnings are printed per file as they come; the totals are returned.
pub fn scan<T: Send>(
    files: &[Input],
    threads: usize,
    work: &Work<'_, T>,
    consume: &mut dyn FnMut(usize, T) -> bool,
) -> Totals {
    let total: u64 = files.iter().map(|f| f.size).sum();
    let progress = Progress::new(total, files.len());
    let mut totals = Totals::default();
    let counter = progress.bytes.clone();
    let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
    ordered_files(
        &sizes,
        threads,
        &|i| work(i, &files[i], counter.clone()),
        &mut |i, (t, report): (T, FileReport)| {
            totals.add(&report);
            if let Some(w) = report.warning(&printable::path(&files[i].path)) {
                progress.say(&w);
            }
            progress.update(i + 1, files.len());
            consume(i, t)
        },
    );
    progress.finish();
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_from_many_threads() {
        let mut got = Vec::new();
        ordered(
            200,
            4,
            &|i| {
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                i * 2
            },
            &mut |i, t| {
                got.push((i, t));
                true
            },
        );
        assert_eq!(got, (0..200).map(|i| (i, i * 2)).collect::<Vec<_>>());
    }

    #[test]
    fn a_stop_ends_the_run() {
        let ran = AtomicUsize::new(0);
        let mut seen = 0;
        ordered(
            10_000,
            2,
            &|i| {
                ran.fetch_add(1, Ordering::Relaxed);
                i
            },
            &mut |i, _| {
                seen += 1;
                i < 5
            },
        );
        assert_eq!(seen, 6);
        assert!(ran.load(Ordering::Relaxed) < 100);
    }
}
