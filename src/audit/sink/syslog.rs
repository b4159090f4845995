//! Syslog: the `syslog` crate's Unix datagram backend on a non-blocking socket to the
//! configured path (default /dev/log). Message = the JSON line, optionally behind `@cee: `.
//! A missing listener is a sink failure at once. A full socket (EAGAIN) is waited for, a
//! bounded time ([`FULL_QUEUE_WAIT_MS`]) and only while the sink is healthy, then it is a
//! sink failure too; after a failure the next record tries to connect again.

use crate::audit::record::push_u64;
use crate::sys;
use crate::sys::errno;
use std::cell::{Cell, RefCell};
use std::io::{self, Write};
use std::os::unix::io::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use syslog::{LogFormat, Logger, LoggerBackend, Severity};

/// The RFC 3164 header (`<PRI>Mmm dd hh:mm:ss auditsh[PID]: `) and the JSON line, formatted
/// into a buffer reused across records and handed to the backend as one datagram.
pub struct JsonFormatter {
    pub facility: syslog::Facility,
    pub pid: u32,
    pub cee_cookie: bool,
    buf: RefCell<Vec<u8>>,
    /// The last header time made, and for which second.
    time: Cell<(i64, [u8; 15])>,
}

impl<'m> LogFormat<&'m [u8]> for JsonFormatter {
    fn format<W: Write>(
        &self,
        w: &mut W,
        severity: Severity,
        message: &'m [u8],
    ) -> syslog::Result<()> {
        let Ok(mut buf) = self.buf.try_borrow_mut() else {
            return Err(syslog::Error::Write(io::Error::other(
                "syslog formatter busy",
            )));
        };
        buf.clear();
        let pri = (self.facility as u8) | (severity as u8);
        buf.push(b'<');
        push_u64(&mut buf, u64::from(pri));
        buf.push(b'>');
        let (secs, _) = crate::audit::clock::realtime();
        buf.extend_from_slice(&self.header_time(secs));
        buf.extend_from_slice(b" auditsh[");
        push_u64(&mut buf, u64::from(self.pid));
        buf.extend_from_slice(b"]: ");
        if self.cee_cookie {
            buf.extend_from_slice(b"@cee: ");
        }
        buf.extend_from_slice(message);
        let n = w.write(&buf).map_err(syslog::Error::Write)?;
        if n != buf.len() {
            return Err(syslog::Error::Write(io::Error::new(
                io::ErrorKind::WriteZero,
                "datagram cut short",
            )));
        }
        Ok(())
    }
}

impl JsonFormatter {
    /// "Mmm dd hh:mm:ss" (UTC; local syslog daemons stamp messages on receipt anyway), made
    /// once per second.
    fn header_time(&self, secs: i64) -> [u8; 15] {
        let (cached_secs, cached) = self.time.get();
        if cached_secs == secs {
            return cached;
        }
        let stamp = rfc3164_time(secs);
        self.time.set((secs, stamp));
        stamp
    }
}

/// "Mmm dd hh:mm:ss" for a UTC time, the day padded with a space.
fn rfc3164_time(secs: i64) -> [u8; 15] {
    use chrono::{Datelike, Timelike};
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let mut out = *b"Jan  1 00:00:00";
    if let Some(t) = chrono::DateTime::from_timestamp(secs, 0) {
        out[..3].copy_from_slice(MONTHS.get(t.month0() as usize).copied().unwrap_or(b"Jan"));
        let two = |v: u32| [b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
        let day = two(t.day());
        out[4] = if day[0] == b'0' { b' ' } else { day[0] };
        out[5] = day[1];
        out[7..9].copy_from_slice(&two(t.hour()));
        out[10..12].copy_from_slice(&two(t.minute()));
        out[13..15].copy_from_slice(&two(t.second()));
    }
    out
}

/// The send failed because the daemon's queue (or this socket's buffer) is full.
fn queue_full(res: &syslog::Result<()>) -> bool {
    matches!(res, Err(syslog::Error::Write(e)) if e.kind() == io::ErrorKind::WouldBlock)
}

/// How long one record may wait, in all, for room in a full syslog queue. Only a healthy sink
/// waits (once the sink is in a failure episode records never wait), so a stopped or stuck
/// daemon costs a session this much once per episode; a missing daemon costs nothing (the
/// send fails at once).
///
/// The daemon's queue is short (`net.unix.max_dgram_qlen`, often 10 datagrams) and shared by
/// every writer on the machine: when many sessions write at once, each place the daemon frees
/// is taken by whichever writer runs first, and a waiting writer may lose that race many
/// times in a row while the daemon is working normally. Waiting is the backpressure that
/// lets it catch up; under 50 sessions starting programs as fast as they can on two cores the
/// longest wait seen was about 0.35 s.
pub const FULL_QUEUE_WAIT_MS: u64 = 2000;

pub struct Syslog {
    logger: Logger<LoggerBackend, JsonFormatter>,
    fd: RawFd,
    path: PathBuf,
    connected: bool,
}

impl Syslog {
    /// Make the socket (non-blocking, close-on-exec, moved >= 100) and connect it. The sink
    /// exists even when the connection fails: each record tries to connect until it works,
    /// and the first record's failure is reported by the failure policy.
    pub fn open(
        path: &Path,
        facility: syslog::Facility,
        cee_cookie: bool,
    ) -> Result<Syslog, String> {
        let fd =
            crate::sys::fd::datagram_socket().map_err(|e| format!("socket: {}", errno::text(e)))?;
        let fd = super::move_high(fd).map_err(|e| format!("socket: {}", errno::io_text(&e)))?;
        let sock = crate::sys::fd::adopt_datagram(fd);
        let mut s = Syslog {
            logger: Logger::new(
                LoggerBackend::Unix(sock),
                JsonFormatter {
                    facility,
                    pid: crate::sys::process::pid() as u32,
                    cee_cookie,
                    buf: RefCell::new(Vec::with_capacity(1024)),
                    time: Cell::new((i64::MIN, [0; 15])),
                },
            ),
            fd,
            path: path.to_path_buf(),
            connected: false,
        };
        let _ = s.connect();
        Ok(s)
    }

    fn connect(&mut self) -> Result<(), String> {
        let res = match &self.logger.backend {
            LoggerBackend::Unix(sock) => sock.connect(&self.path),
            _ => Err(io::Error::other("not a datagram socket")),
        };
        match res {
            Ok(()) => {
                self.connected = true;
                Ok(())
            }
            Err(e) => Err(format!("{}: {}", self.path.display(), errno::io_text(&e))),
        }
    }

    pub fn fd(&self) -> Option<RawFd> {
        match &self.logger.backend {
            LoggerBackend::Unix(sock) => Some(sock.as_raw_fd()),
            _ => Some(self.fd),
        }
    }

    /// The writer is now this (forked) process.
    pub fn set_pid(&mut self, pid: u32) {
        self.logger.formatter.pid = pid;
    }

    /// Send one line (without its newline) as one datagram. When the daemon's queue is full
    /// and `patient` (the sink is not in a failure episode), wait for room and send again,
    /// as often as room appears, for at most [`FULL_QUEUE_WAIT_MS`] in all; otherwise never
    /// wait.
    pub fn send(&mut self, line: &[u8], warning: bool, patient: bool) -> Result<(), String> {
        if !self.connected {
            self.connect()?;
        }
        let deadline = Instant::now() + Duration::from_millis(FULL_QUEUE_WAIT_MS);
        let mut res = self.send_once(line, warning);
        while patient && queue_full(&res) {
            if !self.wait_writable(deadline) {
                break;
            }
            res = self.send_once(line, warning);
        }
        res.map_err(|e| {
            self.connected = false;
            let msg = match &e {
                syslog::Error::Write(io) | syslog::Error::Io(io) => errno::io_text(io),
                other => other.to_string(),
            };
            format!("{}: {}", self.path.display(), msg)
        })
    }

    fn send_once(&mut self, line: &[u8], warning: bool) -> syslog::Result<()> {
        if warning {
            self.logger.warning(line)
        } else {
            self.logger.info(line)
        }
    }

    /// Wait until the socket can take a datagram (or has an error to report), at most until
    /// `deadline`. A signal (SIGCHLD from a finished program, say) does not end the wait.
    fn wait_writable(&self, deadline: Instant) -> bool {
        let Some(fd) = self.fd() else {
            return false;
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            // Round up: a 0 ms timeout would only spin.
            let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128);
            match crate::sys::fd::wait_writable(fd, ms as i32) {
                // Room, or an error (the daemon went away) that the next send reports.
                Ok(Some(ready)) => return ready,
                Ok(None) | Err(sys::errno::EINTR) => {}
                Err(_) => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_time_is_rfc3164() {
        assert_eq!(&rfc3164_time(1_795_266_288), b"Nov 21 13:04:48");
        assert_eq!(
            &rfc3164_time(1_795_266_288 - 20 * 86_400),
            b"Nov  1 13:04:48"
        );
        assert_eq!(&rfc3164_time(0), b"Jan  1 00:00:00");
    }
}
