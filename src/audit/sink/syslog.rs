//! Syslog: RFC 3164 datagrams on a non-blocking Unix datagram socket connected to the
//! configured path (default /dev/log). Message = the JSON line, optionally behind `@cee: `.
//! A missing listener is a sink failure at once. A full socket (EAGAIN) is waited for, a
//! bounded time ([`FULL_QUEUE_WAIT_MS`]) and only while the sink is healthy, then it is a
//! sink failure too; after a failure the next record tries to connect again.
//!
//! A record can go at once ([`Syslog::send`]) or wait in the sink's batch ([`Syslog::queue`])
//! until [`Syslog::flush`] sends the batch with one `sendmmsg`: that is how the copies of
//! records the spool already took leave the exec path (`Session::flush`).

use crate::audit::record::push_u64;
use crate::sys;
use crate::sys::errno;
use std::cell::Cell;
use std::os::unix::io::{AsRawFd, RawFd};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Severities of the records: audit failures and denials are warnings.
const INFO: u8 = 6;
const WARNING: u8 = 4;

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
    sock: UnixDatagram,
    path: PathBuf,
    connected: bool,
    facility: u8,
    cee_cookie: bool,
    /// The last header time made, and for which second.
    time: Cell<(i64, [u8; 15])>,
    /// Lines waiting to be sent (one after another), and where each ends and whether it is a
    /// warning. They are formatted when sent: the tag names the process that sends them (the
    /// kernel tells the daemon its pid too).
    batch: Vec<u8>,
    ends: Vec<(usize, bool)>,
}

impl Syslog {
    /// Make the socket (non-blocking, close-on-exec, moved >= 100) and connect it. The sink
    /// exists even when the connection fails: each record tries to connect until it works,
    /// and the first record's failure is reported by the failure policy.
    pub fn open(path: &Path, facility: u8, cee_cookie: bool) -> Result<Syslog, String> {
        let fd =
            crate::sys::fd::datagram_socket().map_err(|e| format!("socket: {}", errno::text(e)))?;
        let fd = super::move_high(fd).map_err(|e| format!("socket: {}", errno::io_text(&e)))?;
        let mut s = Syslog {
            sock: crate::sys::fd::adopt_datagram(fd),
            path: path.to_path_buf(),
            connected: false,
            facility,
            cee_cookie,
            time: Cell::new((i64::MIN, [0; 15])),
            batch: Vec::new(),
            ends: Vec::new(),
        };
        let _ = s.connect();
        Ok(s)
    }

    fn connect(&mut self) -> Result<(), String> {
        match self.sock.connect(&self.path) {
            Ok(()) => {
                self.connected = true;
                Ok(())
            }
            Err(e) => Err(format!("{}: {}", self.path.display(), errno::io_text(&e))),
        }
    }

    pub fn fd(&self) -> Option<RawFd> {
        Some(self.sock.as_raw_fd())
    }

    /// Move the socket to another descriptor (see [`super::relocate`]); a copy of the same
    /// socket, so its connection is kept.
    pub fn relocate(&mut self) -> Option<RawFd> {
        let moved = super::relocate(self.sock.as_raw_fd()).ok()?;
        // The old descriptor is closed already: the socket it held must not close it again.
        let old = std::mem::replace(&mut self.sock, crate::sys::fd::adopt_datagram(moved));
        std::mem::forget(old);
        Some(moved)
    }

    /// In a forked child: the lines its parent was holding are the parent's to send.
    pub fn forget_batch(&mut self) {
        self.batch.clear();
        self.ends.clear();
    }

    /// `<PRI>Mmm dd hh:mm:ss auditsh[PID]: ` (and the cookie) and the line, onto `out`; `pid`:
    /// the sending process's.
    fn format(&self, out: &mut Vec<u8>, line: &[u8], warning: bool, pid: u32) {
        let pri = self.facility | if warning { WARNING } else { INFO };
        out.push(b'<');
        push_u64(out, u64::from(pri));
        out.push(b'>');
        let (secs, _) = crate::audit::clock::realtime();
        out.extend_from_slice(&self.header_time(secs));
        out.extend_from_slice(b" auditsh[");
        push_u64(out, u64::from(pid));
        out.extend_from_slice(b"]: ");
        if self.cee_cookie {
            out.extend_from_slice(b"@cee: ");
        }
        out.extend_from_slice(line);
    }

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

    /// Hold one line (without its newline) for the next [`Syslog::flush`].
    pub fn queue(&mut self, line: &[u8], warning: bool) {
        self.batch.extend_from_slice(line);
        self.ends.push((self.batch.len(), warning));
    }

    /// How many lines wait in the batch.
    pub fn queued(&self) -> usize {
        self.ends.len()
    }

    /// Send the batch (see [`Syslog::send`] for `patient`): how many of its lines went, and
    /// the error that stopped the rest (which are lost with it). The batch is empty after.
    pub fn flush(&mut self, patient: bool) -> (usize, Option<String>) {
        let pid = crate::sys::process::pid() as u32;
        let mut formatted = Vec::with_capacity(self.batch.len() + 64 * self.ends.len());
        let mut bounds = Vec::with_capacity(self.ends.len());
        let mut from = 0;
        for &(end, warning) in &self.ends {
            self.format(&mut formatted, &self.batch[from..end], warning, pid);
            bounds.push(formatted.len());
            from = end;
        }
        self.batch.clear();
        self.ends.clear();
        let mut messages = Vec::with_capacity(bounds.len());
        let mut from = 0;
        for end in bounds {
            messages.push(&formatted[from..end]);
            from = end;
        }
        self.send_all(&messages, patient)
    }

    /// Send one line (without its newline) as one datagram now. When the daemon's queue is
    /// full and `patient` (the sink is not in a failure episode), wait for room and send
    /// again, as often as room appears, for at most [`FULL_QUEUE_WAIT_MS`] in all; otherwise
    /// never wait.
    pub fn send(&mut self, line: &[u8], warning: bool, patient: bool) -> Result<(), String> {
        let mut message = Vec::with_capacity(line.len() + 48);
        self.format(
            &mut message,
            line,
            warning,
            crate::sys::process::pid() as u32,
        );
        match self.send_all(&[&message], patient) {
            (_, Some(e)) => Err(e),
            (_, None) => Ok(()),
        }
    }

    fn send_all(&mut self, messages: &[&[u8]], patient: bool) -> (usize, Option<String>) {
        if messages.is_empty() {
            return (0, None);
        }
        if !self.connected {
            if let Err(e) = self.connect() {
                return (0, Some(e));
            }
        }
        let fd = self.sock.as_raw_fd();
        let deadline = Instant::now() + Duration::from_millis(FULL_QUEUE_WAIT_MS);
        let mut sent = 0;
        while sent < messages.len() {
            match crate::sys::fd::send_datagrams(fd, &messages[sent..]) {
                Ok(n) if n > 0 => sent += n,
                Ok(_) | Err(sys::errno::EINTR) => {}
                Err(sys::errno::EAGAIN) if patient && self.wait_writable(deadline) => {}
                Err(e) => {
                    self.connected = false;
                    return (
                        sent,
                        Some(format!("{}: {}", self.path.display(), errno::text(e))),
                    );
                }
            }
        }
        (sent, None)
    }

    /// Wait until the socket can take a datagram (or has an error to report), at most until
    /// `deadline`. A signal (SIGCHLD from a finished program, say) does not end the wait.
    fn wait_writable(&self, deadline: Instant) -> bool {
        let fd = self.sock.as_raw_fd();
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
