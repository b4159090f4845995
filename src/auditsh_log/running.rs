//! Is a session still running on this host? Its shell is alive (the pid of its
//! `session-start`, a process started when the session started), or a process holds its spool
//! file open. Read from `/proc`, only for sessions with no end, and only once per run.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The kernel's clock ticks per second in `/proc/PID/stat` (USER_HZ): 100 on every Linux
/// architecture a shell runs on, whatever the kernel's own HZ.
const TICKS_PER_SECOND: i64 = 100;

/// How long before its `session-start` a shell may have started (a login's start-up files,
/// a slow PAM stack), and how far after it the clocks may disagree.
const STARTED_BEFORE: i64 = 120;
const STARTED_AFTER: i64 = 2;

/// What `/proc` says, read as it is asked for.
#[derive(Default)]
pub struct Running {
    hostname: Option<Option<String>>,
    boot: Option<Option<i64>>,
    held: Option<HashSet<PathBuf>>,
}

impl Running {
    pub fn new() -> Running {
        Running::default()
    }

    /// The shell `pid` of a session that started at `start` (seconds since the epoch) on
    /// `host` is still alive here: this is `host`, and the process with that pid started
    /// when the session did (not a later process that reused the pid).
    pub fn shell_alive(&mut self, host: &str, pid: u64, start: i64) -> bool {
        let here = self.hostname.get_or_insert_with(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        });
        if here.as_deref() != Some(host) {
            return false;
        }
        let Some(boot) = *self.boot.get_or_insert_with(boot_time) else {
            return false;
        };
        let Some(ticks) = process_start_ticks(pid) else {
            return false;
        };
        let started = boot + ticks / TICKS_PER_SECOND;
        (start - STARTED_BEFORE..=start + STARTED_AFTER).contains(&started)
    }

    /// Some process on this host has `path` open (as far as this user may see: root sees
    /// every process's files).
    pub fn held(&mut self, path: &Path) -> bool {
        let Ok(path) = std::fs::canonicalize(path) else {
            return false;
        };
        self.held.get_or_insert_with(open_files).contains(&path)
    }
}

/// Seconds since the epoch at which the machine booted (`btime` of `/proc/stat`).
fn boot_time() -> Option<i64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|n| n.trim().parse().ok())
}

/// When process `pid` started, in clock ticks after boot (field 22 of `/proc/PID/stat`).
fn process_start_ticks(pid: u64) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold anything: count from after
    // its closing one, where field 3 begins.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// Every file some process has open, as `/proc/PID/fd/N` links show them.
fn open_files() -> HashSet<PathBuf> {
    let mut out = HashSet::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.flatten() {
        if !p
            .file_name()
            .as_encoded_bytes()
            .iter()
            .all(u8::is_ascii_digit)
        {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                out.insert(target);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_later_start_is_not_it() {
        let mut r = Running::new();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        let pid = u64::from(std::process::id());
        let boot = boot_time().unwrap();
        let started = boot + process_start_ticks(pid).unwrap() / TICKS_PER_SECOND;
        assert!(r.shell_alive(host.trim(), pid, started));
        // A session that started an hour after this process: the pid was reused.
        assert!(!r.shell_alive(host.trim(), pid, started + 3600));
        assert!(!r.shell_alive("another-host", pid, started));
    }

    #[test]
    fn a_file_held_open_is_seen() {
        let dir = std::env::temp_dir().join(format!("auditsh-running-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (held, closed) = (dir.join("held"), dir.join("closed"));
        std::fs::write(&closed, "").unwrap();
        let _file = std::fs::File::create(&held).unwrap();
        let mut r = Running::new();
        assert!(r.held(&held));
        assert!(!r.held(&closed));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
