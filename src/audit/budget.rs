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

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// A record written past a budget is cut to about this many bytes (its newline included): its
/// text goes, its fixed fields (who, where, the program's path and identity, the chain and the
/// seal) stay, and together those can take a kilobyte and more.
pub const OVER_BUDGET_RECORD_BYTES: usize = 2048;

/// The longest a session start waits for the user's session rate.
pub const MAX_START_WAIT_MS: u64 = 5000;

/// The user's counters, as the file holds them.
#[repr(C)]
struct Counters {
    /// Bytes of records all the user's sessions of the day wrote.
    day_bytes: AtomicU64,
    /// The session rate: the second (high 40 bits, of the realtime clock) and the sessions
    /// started in it (low 24 bits).
    rate: AtomicU64,
}

const SIZE: usize = std::mem::size_of::<Counters>();

/// One user's counters for one day, shared by all of the user's sessions.
pub struct UserCounters {
    map: *mut Counters,
}

impl UserCounters {
    /// Open (or create) `<day_dir>/.user-<uid>.limits`, mapped shared. Called with the audit's
    /// privilege; the file is the audit account's, mode 0600.
    pub fn open(day_dir: &Path, uid: u32) -> io::Result<UserCounters> {
        let path = day_dir.join(format!(".user-{uid}.limits"));
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let flags = libc::O_RDWR | libc::O_CREAT | libc::O_CLOEXEC | libc::O_NOFOLLOW;
        // SAFETY: c is a valid NUL-terminated path; flags and mode are valid.
        let fd = unsafe { libc::open(c.as_ptr(), flags, 0o600 as libc::c_uint) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let mapped = map(fd);
        // SAFETY: fd is ours; the mapping (if any) stays valid after the close.
        unsafe { libc::close(fd) };
        mapped.map(|map| UserCounters { map })
    }

    fn counters(&self) -> &Counters {
        // SAFETY: the mapping is SIZE bytes, page-aligned, lives as long as self, and is only
        // ever accessed through atomics.
        unsafe { &*self.map }
    }

    /// The day's bytes so far.
    pub fn day_bytes(&self) -> u64 {
        self.counters().day_bytes.load(Ordering::Relaxed)
    }

    pub fn add_day_bytes(&self, n: u64) {
        self.counters().day_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Take a place among the user's sessions of second `now` (at most `per_second` of them):
    /// true when there was one.
    pub fn take_start(&self, now: u64, per_second: u32) -> bool {
        let rate = &self.counters().rate;
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

impl Drop for UserCounters {
    fn drop(&mut self) {
        // SAFETY: our mapping of SIZE bytes, not used after.
        unsafe { libc::munmap(self.map.cast(), SIZE) };
    }
}

/// Grow the file to the counters' size (a new one is empty: zeros) and map it shared.
fn map(fd: libc::c_int) -> io::Result<*mut Counters> {
    // SAFETY: stat is plain data, filled by fstat on our descriptor.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fd is ours; st is a valid out-pointer.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if (st.st_mode & libc::S_IFMT) != libc::S_IFREG {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // Growing a file another session has grown already changes nothing.
    // SAFETY: fd is ours, open for writing.
    if st.st_size < SIZE as libc::off_t && unsafe { libc::ftruncate(fd, SIZE as libc::off_t) } != 0
    {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh shared mapping of SIZE bytes of fd; checked below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            SIZE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    Ok(p.cast())
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
