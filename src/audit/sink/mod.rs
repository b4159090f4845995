//! Where records go: the per-session spool file and syslog. Each sink takes one line per
//! record and says whether it got it; the failure policy (`policy`) decides what follows.

pub mod spool;
pub mod syslog;

use super::record::SinkName;
use crate::sys;
use crate::sys::fd;
use std::io;
use std::os::unix::io::RawFd;

/// Where the audit's descriptors go when there is room: well above the user's 0–9 and the
/// shell's own copies, which start at 10.
pub const FD_FLOOR: RawFd = 100;

/// The lowest descriptor the audit may ever take: 0–9 are the user's (redirections name
/// them), and the shell's own copies start at 10.
const FD_LOWEST: RawFd = 10;

/// Move `fd` out of the user's range, close-on-exec, closing the original: to the lowest free
/// descriptor >= [`FD_FLOOR`] when the soft `RLIMIT_NOFILE` leaves room there; else (a limit at
/// or below 100, or 100 and up all taken by whoever started the shell) to the highest free one
/// below [`FD_FLOOR`] and the limit, down to 10; else above the soft limit, raised towards the
/// hard one just for the duplication (the user's limit is put back at once: a descriptor above
/// the limit stays valid, and programs see the limit the user set). When all of this fails the
/// error is EMFILE, and the sink cannot be opened.
pub fn move_high(fd: RawFd) -> io::Result<RawFd> {
    if fd >= FD_LOWEST {
        // Already out of the user's range (opened with the low descriptors all taken).
        fd::set_private(fd);
        if fd >= FD_FLOOR {
            return Ok(fd);
        }
    }
    match duplicate_elsewhere(fd) {
        Ok(high) => {
            fd::close(fd); // ours, and no longer used
            Ok(high)
        }
        // An fd already above the user's range (10..100) is good enough where it is.
        Err(_) if fd >= FD_LOWEST => Ok(fd),
        Err(e) => {
            fd::close(fd); // ours, and not used after (the caller gets the error)
            Err(e)
        }
    }
}

/// Move one of the audit's descriptors to another number, closing the old one, so that a
/// redirection may name it (bash lets scripts use any descriptor the shell does not hold,
/// and moves its own out of the way). The copy goes where [`move_high`] would put it.
pub fn relocate(fd: RawFd) -> io::Result<RawFd> {
    let moved = duplicate_elsewhere(fd)?;
    fd::close(fd); // ours, replaced by `moved`
    Ok(moved)
}

/// A close-on-exec copy of `fd` out of the user's range (see [`move_high`]); `fd` stays open.
fn duplicate_elsewhere(fd: RawFd) -> io::Result<RawFd> {
    dup_at_or_above(fd, FD_FLOOR)
        .or_else(|_| dup_highest_free_below(fd))
        .or_else(|_| dup_above_soft_limit(fd))
}

fn dup_at_or_above(fd: RawFd, lowest: RawFd) -> io::Result<RawFd> {
    fd::dup_at_least(fd, lowest).map_err(io::Error::from_raw_os_error)
}

fn soft_nofile() -> sys::process::rlimit {
    #[allow(clippy::unnecessary_cast)] // c_uint with glibc, c_int with musl
    crate::sys::process::limit(sys::process::resource::NOFILE)
}

/// The highest free descriptor in 10..min(limit, 100). The shell is one thread, so nothing
/// takes the descriptor between the look and the dup.
fn dup_highest_free_below(fd: RawFd) -> io::Result<RawFd> {
    let limit = soft_nofile().rlim_cur.min(FD_FLOOR as sys::process::rlim_t) as RawFd;
    for candidate in (FD_LOWEST..limit).rev() {
        if candidate == fd || fd::is_open(candidate) {
            continue;
        }
        if fd::dup_to_private(fd, candidate).is_ok() {
            return Ok(candidate);
        }
    }
    Err(io::Error::from_raw_os_error(sys::errno::EMFILE))
}

/// Raise the soft limit to make room at or above 100, duplicate there, and put the user's
/// soft limit back.
fn dup_above_soft_limit(fd: RawFd) -> io::Result<RawFd> {
    let user = soft_nofile();
    let room = (FD_FLOOR as sys::process::rlim_t + 64).max(user.rlim_cur.saturating_add(64));
    let raised = sys::process::rlimit {
        rlim_cur: room.min(user.rlim_max),
        rlim_max: user.rlim_max,
    };
    if raised.rlim_cur <= user.rlim_cur {
        return Err(io::Error::from_raw_os_error(sys::errno::EMFILE));
    }
    #[allow(clippy::unnecessary_cast)] // c_uint with glibc, c_int with musl
    let nofile = sys::process::resource::NOFILE;
    crate::sys::process::set_limit(nofile, &raised).map_err(io::Error::from_raw_os_error)?;
    let lowest = FD_FLOOR.max(user.rlim_cur.min(RawFd::MAX as sys::process::rlim_t) as RawFd);
    let got = dup_at_or_above(fd, lowest);
    let _ = crate::sys::process::set_limit(nofile, &user); // the limits as they were
    got
}

/// The sinks of one session.
#[derive(Default)]
pub struct Sinks {
    pub spool: Option<spool::Spool>,
    pub syslog: Option<syslog::Syslog>,
    /// Enabled sinks that could not be opened at start, with the error (index: [`index`]).
    pub missing: [Option<String>; 2],
}

/// What happened to one record.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Per sink (index: [`index`]): `None` when not tried, else the result.
    pub results: [Option<Result<(), String>>; 2],
}

impl Delivery {
    pub fn ok(&self, sink: SinkName) -> bool {
        matches!(self.results[index(sink)], Some(Ok(())))
    }

    pub fn any_ok(&self) -> bool {
        self.results.iter().any(|r| matches!(r, Some(Ok(()))))
    }

    pub fn error(&self, sink: SinkName) -> Option<&str> {
        match &self.results[index(sink)] {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }
}

pub const ALL: [SinkName; 2] = [SinkName::Spool, SinkName::Syslog];

pub fn index(sink: SinkName) -> usize {
    match sink {
        SinkName::Spool => 0,
        SinkName::Syslog => 1,
    }
}

impl Sinks {
    pub fn enabled(&self, sink: SinkName) -> bool {
        self.missing[index(sink)].is_some()
            || match sink {
                SinkName::Spool => self.spool.is_some(),
                SinkName::Syslog => self.syslog.is_some(),
            }
    }

    /// Whether any sink is enabled (open, or failed to open): with none, auditing is off.
    pub fn any_enabled(&self) -> bool {
        ALL.iter().any(|&s| self.enabled(s))
    }

    /// Send `line` (with its trailing newline) to the sinks `try_sink` selects. `healthy`
    /// says per sink that it is not in a failure episode (a healthy syslog may wait a
    /// moment for room in a full queue). `spool_partial`: the spool file ends in a fragment
    /// (`Spool::write`). `defer_syslog`: when the spool takes the line, its syslog copy waits
    /// in the syslog sink's batch (its delivery says nothing of syslog then).
    pub fn write(
        &mut self,
        line: &[u8],
        warning: bool,
        healthy: [bool; 2],
        spool_partial: &mut u8,
        defer_syslog: bool,
        try_sink: impl Fn(SinkName) -> bool,
    ) -> Delivery {
        let mut d = Delivery::default();
        for s in ALL {
            if let Some(e) = &self.missing[index(s)] {
                if try_sink(s) {
                    d.results[index(s)] = Some(Err(e.clone()));
                }
            }
        }
        if let Some(spool) = &mut self.spool {
            if try_sink(SinkName::Spool) {
                d.results[0] = Some(spool.write(line, spool_partial));
            }
        }
        if let Some(syslog) = &mut self.syslog {
            if try_sink(SinkName::Syslog) {
                let body = line.strip_suffix(b"\n").unwrap_or(line);
                if defer_syslog && d.ok(SinkName::Spool) {
                    syslog.queue(body, warning);
                } else {
                    d.results[1] = Some(syslog.send(body, warning, healthy[1]));
                }
            }
        }
        d
    }

    /// Lines waiting in the syslog sink's batch.
    pub fn syslog_queued(&self) -> usize {
        self.syslog.as_ref().map_or(0, |s| s.queued())
    }

    /// Every descriptor the sinks hold.
    /// Move whichever sink holds descriptor `fd` to another; the new number, or `None` when
    /// no sink holds it or there is no room elsewhere.
    pub fn relocate(&mut self, fd: RawFd) -> Option<RawFd> {
        if let Some(s) = self.spool.as_mut().filter(|s| s.fd() == Some(fd)) {
            return s.relocate();
        }
        if let Some(s) = self.syslog.as_mut().filter(|s| s.fd() == Some(fd)) {
            return s.relocate();
        }
        None
    }

    pub fn fds(&self) -> Vec<RawFd> {
        let mut v = Vec::new();
        if let Some(s) = &self.spool {
            v.extend(s.fd());
        }
        if let Some(s) = &self.syslog {
            v.extend(s.fd());
        }
        v
    }
}
