//! The command history of an interactive shell: the commands entered, numbered from 1 for the
//! session (entries loaded from the history file count too), kept in memory for `fc` and the
//! line editor, and appended one entry per line to the history file (`HISTFILE`, by default
//! `~/.auditsh_history`) when the shell ends, as bash does, so that the next session can recall
//! them.
//!
//! The history file is a convenience for the user, not part of the audit trail: the audit never
//! reads it, and removing or editing it changes nothing in the records.
//!
//! File format: one entry per line; a newline inside an entry (a multi-line command) is written
//! as `\n` and a backslash as `\\`. While `HISTTIMEFORMAT` is set, an entry is preceded by its
//! time as a line `#SECONDS`, as bash writes it; such a line gives the next entry its time when
//! the file is read.

use std::collections::VecDeque;
use std::io::Write;

/// How many entries are kept when `HISTSIZE` is unset or not a number.
pub const DEFAULT_SIZE: usize = 500;

/// An upper bound on `HISTSIZE`, so that a huge value cannot exhaust memory.
const MAX_SIZE: usize = 1_000_000;

/// When an entry was added, and whether times were marked then.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    time: i64,
    marked: bool,
}

#[derive(Debug, Default)]
pub struct History {
    /// The kept entries, oldest first.
    entries: VecDeque<Vec<u8>>,
    /// When each entry was added (seconds since the epoch), for `HISTTIMEFORMAT`, and whether
    /// times were marked then ([`History::keep_times`]).
    times: VecDeque<Stamp>,
    /// How far into the history file this session has read or written (`history -n` reads
    /// what other sessions appended after it).
    file_offset: u64,
    /// The number of the first kept entry.
    first: usize,
    /// The limit on kept entries.
    size: usize,
    /// The command being run was added as the last entry (so `fc` does not count it).
    current_is_last: bool,
    /// Text that `fc` asks the shell to run as the next command line.
    rerun: Option<Vec<u8>>,
    /// Entries not yet handed to the line editor.
    unsynced: Vec<Vec<u8>>,
    /// Set when the kept entries were replaced (the editor must start over).
    reset: bool,
    /// The history file has been read (once, at the start of the session).
    loaded: bool,
    /// Commands entered in this session (the prompt's `\#`).
    entered: usize,
    /// Each entry written to the history file is preceded by its time, as `#SECONDS` on a
    /// line of its own (bash does so when `HISTTIMEFORMAT` is set).
    write_times: bool,
    /// Times are marked (see [`History::keep_times`]).
    marked: bool,
    /// How many entries this session added (not read from a file) since it last appended to
    /// the history file: bash appends that many of the last entries (`history -a`, the end).
    session_added: usize,
}

impl History {
    pub fn new() -> History {
        History {
            first: 1,
            size: DEFAULT_SIZE,
            ..History::default()
        }
    }

    /// The limit on kept entries from the value of `HISTSIZE`.
    pub fn size_from(value: Option<&[u8]>) -> usize {
        value
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.trim().parse::<usize>().ok())
            .map(|n| n.min(MAX_SIZE))
            .unwrap_or(DEFAULT_SIZE)
    }

    /// Change the limit; drops the oldest entries beyond it. As in bash, the first kept entry
    /// is then numbered by how many were dropped (one less than counting on would give).
    pub fn set_size(&mut self, size: usize) {
        self.size = size;
        let dropped = self.entries.len().saturating_sub(size);
        self.trim();
        if dropped > 0 {
            self.first = dropped;
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    fn trim(&mut self) {
        while self.entries.len() > self.size {
            self.entries.pop_front();
            self.times.pop_front();
            self.first += 1;
        }
    }

    /// Add a command as entered; trailing newlines are not kept. Empty entries are ignored.
    /// The entry as added.
    pub fn add(&mut self, text: &[u8]) -> Option<Vec<u8>> {
        let added = self.push(text);
        self.session_added += added.is_some() as usize;
        added
    }

    /// More entries were added this session than the list keeps (HISTSIZE dropped some).
    pub fn session_outgrew_list(&self) -> bool {
        self.session_added > self.entries.len()
    }

    fn push(&mut self, text: &[u8]) -> Option<Vec<u8>> {
        let mut text = text.to_vec();
        while text.last() == Some(&b'\n') {
            text.pop();
        }
        if text.iter().all(|b| b.is_ascii_whitespace()) || self.size == 0 {
            return None;
        }
        self.entries.push_back(text.clone());
        self.times.push_back(Stamp {
            time: now(),
            marked: self.marked,
        });
        self.unsynced.push(text.clone());
        self.trim();
        Some(text)
    }

    /// Count a command entered at the prompt.
    pub fn count_entered(&mut self) {
        self.entered += 1;
    }

    pub fn commands_entered(&self) -> usize {
        self.entered
    }

    /// Note whether the last entry is the command now running.
    pub fn set_current_is_last(&mut self, yes: bool) {
        self.current_is_last = yes;
    }

    /// Remove the entry of the command now running (`fc` that re-runs a command is replaced in
    /// the history by the command it runs).
    pub fn remove_current(&mut self) {
        if self.current_is_last && self.entries.pop_back().is_some() {
            self.times.pop_back();
            self.session_added = self.session_added.saturating_sub(1);
            self.current_is_last = false;
            self.reset = true;
        }
    }

    /// The entries as `fc` sees them (the running command excluded): (number, text).
    pub fn visible(&self) -> Vec<(usize, &[u8])> {
        let n = if self.current_is_last {
            self.entries.len().saturating_sub(1)
        } else {
            self.entries.len()
        };
        self.entries
            .iter()
            .take(n)
            .enumerate()
            .map(|(i, e)| (self.first + i, e.as_slice()))
            .collect()
    }

    /// Every entry, the running command's too (as `history` lists them): (number, text,
    /// time added).
    pub fn all(&self) -> impl Iterator<Item = (usize, &[u8], Option<i64>)> {
        self.entries
            .iter()
            .zip(&self.times)
            .enumerate()
            .map(|(i, (e, &t))| (self.first + i, e.as_slice(), self.valid_time(t)))
    }

    /// The last entry, if any.
    pub fn last(&self) -> Option<&[u8]> {
        self.entries.back().map(|e| e.as_slice())
    }

    /// The number of kept entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of the first kept entry.
    pub fn first_number(&self) -> usize {
        self.first
    }

    /// Forget every entry (`history -c`); numbering starts again at 1.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.times.clear();
        self.first = 1;
        self.session_added = 0;
        self.current_is_last = false;
        self.reset = true;
    }

    /// Remove the entry numbered `n` (`history -d`); the later ones move down a number. False
    /// when there is no such entry.
    pub fn delete(&mut self, n: usize) -> bool {
        let Some(k) = n
            .checked_sub(self.first)
            .filter(|&k| k < self.entries.len())
        else {
            return false;
        };
        self.entries.remove(k);
        self.times.remove(k);
        if k == self.entries.len() {
            self.current_is_last = false;
        }
        self.reset = true;
        true
    }

    /// Remove every earlier entry equal to `text` (HISTCONTROL=erasedups).
    pub fn erase(&mut self, text: &[u8]) {
        let before = self.entries.len();
        let mut k = 0;
        while k < self.entries.len() {
            if self.entries[k] == text {
                self.entries.remove(k);
                self.times.remove(k);
            } else {
                k += 1;
            }
        }
        if self.entries.len() != before {
            self.reset = true;
        }
    }

    /// The number the running command has (or the next command will have).
    pub fn current_number(&self) -> usize {
        if self.current_is_last {
            self.first + self.entries.len() - 1
        } else {
            self.first + self.entries.len()
        }
    }

    pub fn set_rerun(&mut self, text: Vec<u8>) {
        self.rerun = Some(text);
    }

    pub fn take_rerun(&mut self) -> Option<Vec<u8>> {
        self.rerun.take()
    }

    /// What the line editor needs: Some(all entries) when it must start over, else the new ones.
    pub fn take_for_editor(&mut self) -> (bool, Vec<Vec<u8>>) {
        if self.reset {
            self.reset = false;
            self.unsynced.clear();
            (true, self.entries.iter().cloned().collect())
        } else {
            (false, std::mem::take(&mut self.unsynced))
        }
    }

    /// Read the history file once, at the start of the session. A file much longer than the
    /// limit is rewritten with its last entries.
    pub fn load(&mut self, path: Option<&[u8]>) {
        if self.loaded {
            return;
        }
        self.loaded = true;
        let Some(path) = path else {
            return;
        };
        let Ok(data) = std::fs::read(crate::state::os(path)) else {
            return;
        };
        self.file_offset = data.len() as u64;
        let entries = parse_file(&data, self.write_times);
        let skip = entries.len().saturating_sub(self.size);
        for (text, time) in &entries[skip..] {
            self.add_with_time(text, *time);
        }
        if entries.len() > self.size.saturating_mul(2).max(DEFAULT_SIZE) {
            let kept = file_text(
                entries[skip..]
                    .iter()
                    .map(|(t, time)| (t.as_slice(), *time)),
            );
            let lines = file_lines(&kept);
            rewrite(path, &lines);
        }
        self.reset = true;
    }

    /// Whether entries written to the history file carry their times (`HISTTIMEFORMAT` set).
    /// Only the entries kept with one have one ([`History::keep_times`]).
    pub fn set_write_times(&mut self, yes: bool) {
        self.write_times = yes;
    }

    /// Entries get their times from now on (bash: always at a prompt; in a script once
    /// HISTTIMEFORMAT has been set).
    pub fn keep_times(&mut self) {
        self.marked = true;
    }

    /// bash keeps a time with every entry, marked as the times are when it is added (marked
    /// once HISTTIMEFORMAT has been seen); a time is shown only while the marking is the
    /// same as the entry's, so an entry added before it was first seen shows `??`.
    fn valid_time(&self, stamp: Stamp) -> Option<i64> {
        (stamp.marked == self.marked).then_some(stamp.time)
    }

    /// The time written before an entry in the history file: only a marked one, and only
    /// while HISTTIMEFORMAT is set.
    fn written_time(&self, stamp: Stamp) -> Option<i64> {
        (stamp.marked && self.write_times).then_some(stamp.time)
    }

    /// Add an entry read from a file, with the time the file gave it, if any.
    fn add_with_time(&mut self, text: &[u8], time: Option<i64>) {
        if self.push(text).is_some() {
            if let (Some(last), Some(time)) = (self.times.back_mut(), time) {
                // A time the file gave is a marked one (`#SECONDS`).
                *last = Stamp { time, marked: true };
            }
        }
    }

    /// Add the entries of a history file to the list (`history -r`); with `only_new`, just
    /// the lines added to it since this session last read or wrote it (`history -n`).
    pub fn read_file(&mut self, path: &[u8], only_new: bool) -> std::io::Result<()> {
        let data = std::fs::read(crate::state::os(path))?;
        let from = if only_new {
            (self.file_offset as usize).min(data.len())
        } else {
            0
        };
        for (text, time) in parse_file(&data[from..], self.write_times) {
            self.add_with_time(&text, time);
            // bash counts the lines `history -n` reads as the session's own.
            self.session_added += only_new as usize;
        }
        self.file_offset = data.len() as u64;
        self.reset = true;
        Ok(())
    }

    /// Write the whole list to a history file (`history -w`), keeping its last `limit` lines.
    pub fn write_file(&mut self, path: &[u8], limit: Option<usize>) -> std::io::Result<()> {
        let skip = self
            .entries
            .len()
            .saturating_sub(limit.unwrap_or(usize::MAX));
        let out = file_text(
            self.entries
                .iter()
                .zip(&self.times)
                .skip(skip)
                .map(|(e, &t)| (e.as_slice(), self.written_time(t))),
        );
        std::fs::write(crate::state::os(path), &out)?;
        self.file_offset = out.len() as u64;
        Ok(())
    }

    /// Cut a history file to its last `limit` lines (HISTFILESIZE).
    pub fn truncate_file(path: &[u8], limit: usize) {
        let Ok(data) = std::fs::read(crate::state::os(path)) else {
            return;
        };
        let lines = file_lines(&data);
        if lines.len() > limit {
            rewrite(path, &lines[lines.len() - limit..]);
        }
    }

    /// Some entries are not yet in the history file.
    pub fn has_unappended(&self) -> bool {
        self.session_added > 0 && !self.entries.is_empty()
    }

    /// Append the entries not yet in the history file (`history -a`).
    pub fn append_new(&mut self, path: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let skip = self.entries.len().saturating_sub(self.session_added);
        if skip >= self.entries.len() {
            return Ok(());
        }
        let new = self.entries.iter().zip(&self.times).skip(skip);
        let text = file_text(new.map(|(e, &t)| (e.as_slice(), self.written_time(t))));
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(crate::state::os(path))?
            .write_all(&text)?;
        self.session_added = 0;
        Ok(())
    }
}

/// What becomes of a command line under `HISTCONTROL` and `HISTIGNORE`.
#[derive(Debug, PartialEq, Eq)]
pub enum Keep {
    /// It is not saved.
    No,
    Yes,
    /// It is saved, and the earlier entries equal to it are removed (erasedups).
    ErasingOthers,
}

/// Whether `line` is saved in the history, given `HISTCONTROL` (`ignorespace`, `ignoredups`,
/// `ignoreboth`, `erasedups`, separated by colons), `HISTIGNORE` (patterns separated by colons,
/// matched against the whole line; `&` is the previous entry) and the previous entry.
pub fn keep(control: &[u8], ignore: &[u8], previous: Option<&[u8]>, line: &[u8]) -> Keep {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let mut erase = false;
    for word in control.split(|&b| b == b':') {
        match word {
            b"ignorespace" | b"ignoreboth" if line.first() == Some(&b' ') => return Keep::No,
            b"ignoredups" | b"ignoreboth" if previous == Some(line) => return Keep::No,
            b"erasedups" => erase = true,
            _ => {}
        }
    }
    for pattern in ignore.split(|&b| b == b':').filter(|p| !p.is_empty()) {
        let hit = if pattern == b"&" {
            previous == Some(line)
        } else {
            crate::expand::pattern::matches(pattern, line)
        };
        if hit {
            return Keep::No;
        }
    }
    if erase {
        Keep::ErasingOthers
    } else {
        Keep::Yes
    }
}

/// The seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The entries of a history file, each with the time a `#SECONDS` line before it gave. The
/// format is bash's: an entry is a line, unless the file starts with a time and times are
/// kept (`times`: HISTTIMEFORMAT is set), when an entry is all the lines up to the next time
/// (so that a command of several lines comes back whole).
fn parse_file(data: &[u8], times: bool) -> Vec<(Vec<u8>, Option<i64>)> {
    let lines = file_lines(data);
    let several_lines = times && lines.first().is_some_and(|l| time_line(l).is_some());
    let mut entries: Vec<(Vec<u8>, Option<i64>)> = Vec::new();
    let mut time = None;
    let mut open = false;
    for line in lines {
        if let Some(t) = time_line(line) {
            time = Some(t);
            open = false;
            continue;
        }
        match entries.last_mut() {
            Some((entry, _)) if open => {
                entry.push(b'\n');
                entry.extend_from_slice(line);
            }
            _ if line.is_empty() && !several_lines => {}
            _ => {
                entries.push((line.to_vec(), time.take()));
                open = several_lines;
            }
        }
    }
    entries
}

/// The time a `#SECONDS` line of a history file gives.
fn time_line(line: &[u8]) -> Option<i64> {
    line.strip_prefix(b"#")
        .filter(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
        .and_then(|d| std::str::from_utf8(d).ok()?.parse().ok())
}

/// History file text for entries, as bash writes it: each as it is, after a `#SECONDS` line
/// for those that have a time.
fn file_text<'a>(entries: impl Iterator<Item = (&'a [u8], Option<i64>)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (text, time) in entries {
        if let Some(t) = time {
            out.extend_from_slice(format!("#{t}\n").as_bytes());
        }
        out.extend_from_slice(text);
        out.push(b'\n');
    }
    out
}

/// The lines of a history file.
fn file_lines(data: &[u8]) -> Vec<&[u8]> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    match data.is_empty() {
        true => Vec::new(),
        false => data.split(|&b| b == b'\n').collect(),
    }
}

/// Write the kept (encoded) lines to a new file and put it in place of the old one.
fn rewrite(path: &[u8], lines: &[&[u8]]) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut tmp = path.to_vec();
    tmp.extend_from_slice(format!(".{}.tmp", std::process::id()).as_bytes());
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(crate::state::os(&tmp));
    let Ok(mut file) = file else {
        return;
    };
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    if file.write_all(&out).is_ok() {
        let _ = std::fs::rename(crate::state::os(&tmp), crate::state::os(path));
    } else {
        let _ = std::fs::remove_file(crate::state::os(&tmp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_bash_s_and_entries_of_several_lines_come_back_after_a_time() {
        let entries = [&b"echo a\\nb"[..], b"echo 'x\n\ny'", b"\\"];
        let text = file_text(entries.iter().map(|e| (*e, Some(1700000000))));
        assert!(text.starts_with(b"#1700000000\necho a\\nb\n#"));
        let read: Vec<Vec<u8>> = parse_file(&text, true)
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        assert_eq!(read, entries);
        // Unless times are kept, a line is an entry; blank lines are none.
        assert_eq!(parse_file(&text, false).len(), 4);
        let plain = parse_file(b"echo 'x\n\ny'\n#12\n: z\n", true);
        assert_eq!(
            plain,
            [
                (b"echo 'x".to_vec(), None),
                (b"y'".to_vec(), None),
                (b": z".to_vec(), Some(12))
            ]
        );
    }

    #[test]
    fn numbering_and_limit() {
        let mut h = History::new();
        h.set_size(3);
        for c in ["a", "b", "  ", "c", "d"] {
            h.add(c.as_bytes());
        }
        let v: Vec<_> = h
            .visible()
            .into_iter()
            .map(|(n, t)| (n, t.to_vec()))
            .collect();
        assert_eq!(
            v,
            vec![(2, b"b".to_vec()), (3, b"c".to_vec()), (4, b"d".to_vec())]
        );
        h.add(b"fc -l");
        h.set_current_is_last(true);
        assert_eq!(h.visible().len(), 2);
        assert_eq!(h.current_number(), 5);
        h.remove_current();
        assert_eq!(h.visible().last().map(|e| e.0), Some(4));
    }

    #[test]
    fn histcontrol_and_histignore() {
        let k = |control: &str, ignore: &str, prev: Option<&str>, line: &str| {
            keep(
                control.as_bytes(),
                ignore.as_bytes(),
                prev.map(str::as_bytes),
                line.as_bytes(),
            )
        };
        assert_eq!(k("", "", Some("ls"), "ls"), Keep::Yes);
        assert_eq!(k("ignorespace", "", None, " ls"), Keep::No);
        assert_eq!(k("ignorespace", "", Some("ls"), "ls"), Keep::Yes);
        assert_eq!(k("ignoredups", "", Some("ls"), "ls\n"), Keep::No);
        assert_eq!(k("ignoreboth", "", Some("ls"), " pwd"), Keep::No);
        assert_eq!(k("ignoreboth", "", Some("ls"), "ls"), Keep::No);
        assert_eq!(k("erasedups", "", Some("ls"), "ls"), Keep::ErasingOthers);
        assert_eq!(k("", "ls:cd *", None, "cd /tmp"), Keep::No);
        assert_eq!(k("", "ls:cd *", None, "ls -l"), Keep::Yes);
        assert_eq!(k("", "&", Some("pwd"), "pwd"), Keep::No);
    }

    #[test]
    fn delete_clear_and_erase() {
        let mut h = History::new();
        for c in ["a", "b", "a", "c"] {
            h.add(c.as_bytes());
        }
        assert!(h.delete(2));
        assert!(!h.delete(9));
        let texts = |h: &History| -> Vec<(usize, Vec<u8>)> {
            h.all().map(|(n, t, _)| (n, t.to_vec())).collect()
        };
        assert_eq!(
            texts(&h),
            vec![(1, b"a".to_vec()), (2, b"a".to_vec()), (3, b"c".to_vec())]
        );
        h.erase(b"a");
        assert_eq!(texts(&h), vec![(1, b"c".to_vec())]);
        h.clear();
        assert!(h.is_empty());
        h.add(b"d");
        assert_eq!(texts(&h), vec![(1, b"d".to_vec())]);
    }

    /// A history file with `content` in a directory of its own: (directory, file, path).
    fn history_file(
        tag: &str,
        content: &[u8],
    ) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
        use std::os::unix::ffi::OsStrExt;
        let dir = std::env::temp_dir().join(format!("auditsh-{tag}-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("h");
        let _ = std::fs::write(&file, content);
        let path = file.as_os_str().as_bytes().to_vec();
        (dir, file, path)
    }

    #[test]
    fn times_go_to_the_file_and_come_back() {
        let (dir, file, path) = history_file("histtime", b"#1700000000\none\ntwo\n#12\n");
        let mut h = History::new();
        // As at a prompt: times marked from the start.
        h.keep_times();
        h.load(Some(&path));
        let entries: Vec<(Vec<u8>, Option<i64>)> =
            h.all().map(|(_, t, time)| (t.to_vec(), time)).collect();
        assert_eq!(entries[0], (b"one".to_vec(), Some(1_700_000_000)));
        // A line without a time gets the time it was read (bash).
        let read_at = entries[1].1.unwrap_or(0);
        assert_eq!(entries[1].0, b"two".to_vec());
        assert!(read_at >= 1_700_000_000, "{entries:?}");
        h.set_write_times(true);
        h.add(b"three");
        h.append_new(&path).unwrap();
        let data = String::from_utf8(std::fs::read(&file).unwrap_or_default()).unwrap();
        let tail: Vec<&str> = data.lines().rev().take(2).collect();
        assert_eq!(tail[0], "three");
        assert!(tail[1].starts_with('#') && tail[1].len() > 5, "{data}");
        h.write_file(&path, Some(2)).unwrap();
        let data = String::from_utf8(std::fs::read(&file).unwrap_or_default()).unwrap();
        let lines: Vec<&str> = data.lines().collect();
        assert_eq!(lines.len(), 4, "{data}");
        assert_eq!(lines[0], format!("#{read_at}"));
        assert_eq!((lines[1], lines[3]), ("two", "three"));
        assert!(lines[2].starts_with('#'), "{data}");
        // Unmarked times (a script that never set HISTTIMEFORMAT) are listed, not written.
        let mut script = History::new();
        script.set_write_times(true);
        script.add(b"four");
        assert!(script.all().next().is_some_and(|(_, _, t)| t.is_some()));
        script.write_file(&path, None).unwrap();
        assert_eq!(std::fs::read(&file).unwrap_or_default(), b"four\n");
        // Marked later, the entry added before shows no time.
        script.keep_times();
        assert!(script.all().next().is_some_and(|(_, _, t)| t.is_none()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn load_reads_the_file_once() {
        let (dir, file, path) = history_file("hist", b"one\ntwo\\nlines\n\nthree\n");
        // bash's format: lines as they are, a blank one no entry.
        let mut h = History::new();
        h.load(Some(&path));
        h.load(Some(&path));
        let v: Vec<_> = h.visible().into_iter().map(|(_, t)| t.to_vec()).collect();
        assert_eq!(
            v,
            vec![b"one".to_vec(), b"two\\nlines".to_vec(), b"three".to_vec()]
        );
        h.add(b"four\nfive");
        h.append_new(&path).unwrap();
        let data = std::fs::read(&file).unwrap_or_default();
        assert!(data.ends_with(b"three\nfour\nfive\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
