//! Where records go: the per-session spool file and syslog. Each sink takes one line per
//! record and says whether it got it; the failure policy (`policy`) decides what follows.

pub mod spool;
pub mod syslog;

use super::record::SinkName;
use std::io;
use std::os::unix::io::RawFd;

/// The lowest descriptor number the audit uses: below it is the user's range.
pub const FD_FLOOR: RawFd = 100;

/// Move `fd` to the lowest free descriptor >= [`FD_FLOOR`], close-on-exec, closing the
/// original.
pub fn move_high(fd: RawFd) -> io::Result<RawFd> {
    if fd >= FD_FLOOR {
        // SAFETY: fd is a descriptor we own; F_SETFD with FD_CLOEXEC has no other effect.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        return Ok(fd);
    }
    // SAFETY: fd is a descriptor we own; F_DUPFD_CLOEXEC returns a new one or -1.
    let high = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, FD_FLOOR) };
    let err = io::Error::last_os_error();
    // SAFETY: fd is ours and no longer used (on failure too: the caller gets the error).
    unsafe { libc::close(fd) };
    if high < 0 {
        Err(err)
    } else {
        Ok(high)
    }
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
    /// moment for room in a full queue).
    pub fn write(
        &mut self,
        line: &[u8],
        warning: bool,
        healthy: [bool; 2],
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
                d.results[0] = Some(spool.write(line));
            }
        }
        if let Some(syslog) = &mut self.syslog {
            if try_sink(SinkName::Syslog) {
                let body = line.strip_suffix(b"\n").unwrap_or(line);
                d.results[1] = Some(syslog.send(body, warning, healthy[1]));
            }
        }
        d
    }

    /// Every descriptor the sinks hold.
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
