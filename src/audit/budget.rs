//! What one user may make the audit write (`[limits]`): bytes per session, bytes per user per
//! day, sessions per user per second. Past a byte budget records keep their fixed fields and
//! truncate their text (`record::encode` with [`OVER_BUDGET_RECORD_BYTES`]), so that one user
//! cannot fill the disk every session's spool is on.
//!
//! The session's count lives in the shared state (`shared`: forked children add to it). The
//! user's day count and session rate live in a small file per user in the spool's day
//! directory, opened before the privilege drop (the user cannot write it), mapped shared and
//! closed: the shell keeps no descriptor for it, every session of the user adds to the same
//! counters, and a record costs one atomic add (no system call).

use crate::sys::fd::{self, SharedCounters};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// A record written past a budget is cut to about this many bytes (its newline included): its
/// text goes, its fixed fields (who, where, the program's path and identity, the session's
/// leaders, the chain and the seal) stay, and together those take about two kilobytes.
pub const OVER_BUDGET_RECORD_BYTES: usize = 4096;

/// The longest a session start waits for the user's session rate.
pub const MAX_START_WAIT_MS: u64 = 5000;

/// The user's counters, as the file holds them: bytes of records all the user's sessions of
/// the day wrote, and the session rate: the second (high 40 bits, of the realtime clock) and
/// the sessions started in it (low 24 bits).
const DAY_BYTES: usize = 0;
const RATE: usize = 1;

/// One user's counters for one day, shared by all of the user's sessions.
pub struct UserCounters {
    map: SharedCounters<2>,
}

impl UserCounters {
    /// Open (or create) `<day_dir>/.user-<uid>.limits`, mapped shared. Called with the audit's
    /// privilege; the file is the audit account's, mode 0600.
    pub fn open(day_dir: &Path, uid: u32) -> io::Result<UserCounters> {
        let path = day_dir.join(format!(".user-{uid}.limits"));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .custom_flags(fd::O_NOFOLLOW)
            .mode(0o600)
            .open(path)?;
        // The mapping stays valid after the file is closed.
        let map =
            SharedCounters::of_file(file.as_raw_fd()).map_err(io::Error::from_raw_os_error)?;
        Ok(UserCounters { map })
    }

    fn counters(&self) -> &[AtomicU64; 2] {
        self.map.get()
    }

    /// The day's bytes so far.
    pub fn day_bytes(&self) -> u64 {
        self.counters()[DAY_BYTES].load(Ordering::Relaxed)
    }

    pub fn add_day_bytes(&self, n: u64) {
        self.counters()[DAY_BYTES].fetch_add(n, Ordering::Relaxed);
    }

    /// Take a place among the user's sessions of second `now` (at most `per_second` of them):
    /// true when there was one.
    pub fn take_start(&self, now: u64, per_second: u32) -> bool {
        let rate = &self.counters()[RATE];
        let mut seen = rate.load(Ordering::Relaxed);
        loop {
            let (second, count) = (seen >> 24, seen & 0xff_ffff);
            let this = now & ((1 << 40) - 1);
            let next = if second == this {
                if count >= u64::from(per_second) {
                    return false;
                }
                seen + 1
            } else {
                (this << 24) | 1
            };
            match rate.compare_exchange_weak(seen, next, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(now_seen) => seen = now_seen,
            }
        }
    }

    /// Wait (at most [`MAX_START_WAIT_MS`]) until the user's session rate has room for this
    /// session; the time waited in ms, `None` when there was no wait.
    pub fn admit(&self, per_second: u32) -> Option<u64> {
        if per_second == 0 {
            return None;
        }
        let started = super::clock::monotonic_ns();
        loop {
            let (secs, nanos) = super::clock::realtime();
            if self.take_start(secs as u64, per_second) {
                break;
            }
            let waited = (super::clock::monotonic_ns() - started) / 1_000_000;
            if waited >= MAX_START_WAIT_MS {
                break;
            }
            // Until the next second begins.
            let left = 1_000_000_000 - u64::from(nanos.min(999_999_999));
            std::thread::sleep(std::time::Duration::from_nanos(left + 1000));
        }
        let waited = (super::clock::monotonic_ns() - started) / 1_000_000;
        (waited > 0).then_some(waited)
    }
}

/// The byte budgets of one session.
pub struct Budgets {
    /// `limits.session_bytes` (0: none).
    pub session: u64,
    /// `limits.user_day_bytes` (0: none), and the user's counters (none: not counted).
    pub user_day: u64,
    pub user: Option<UserCounters>,
}

/// Which budget a record of `len` bytes would pass, given the session's bytes so far.
pub fn passed(b: &Budgets, session_so_far: u64, len: usize) -> Option<(&'static str, u64)> {
    let len = len as u64;
    if b.session != 0 && session_so_far.saturating_add(len) > b.session {
        return Some(("session_bytes", b.session));
    }
    if b.user_day != 0 {
        if let Some(u) = &b.user {
            if u.day_bytes().saturating_add(len) > b.user_day {
                return Some(("user_day_bytes", b.user_day));
            }
        }
    }
    None
}
