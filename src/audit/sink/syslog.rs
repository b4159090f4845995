//! Syslog: the `syslog` crate's Unix datagram backend on a non-blocking socket to the
//! configured path (default /dev/log). Message = the JSON line, optionally behind `@cee: `.
//! A full socket (EAGAIN) or a missing listener is a sink failure, never a wait; after a
//! failure the next record tries to connect again.

use crate::audit::text::os_error_text;
use std::cell::RefCell;
use std::io::{self, Write};
use std::os::unix::io::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use syslog::{LogFormat, Logger, LoggerBackend, Severity};

/// The RFC 3164 header (`<PRI>Mmm dd hh:mm:ss auditsh[PID]: `) and the JSON line, formatted
/// into a buffer reused across records and handed to the backend as one datagram.
pub struct JsonFormatter {
    pub facility: syslog::Facility,
    pub pid: u32,
    pub cee_cookie: bool,
    buf: RefCell<Vec<u8>>,
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
        let _ = write!(buf, "<{pri}>");
        header_time(&mut buf);
        let _ = write!(buf, " auditsh[{}]: ", self.pid);
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

/// "Mmm dd hh:mm:ss" (UTC; local syslog daemons stamp messages on receipt anyway).
fn header_time(buf: &mut Vec<u8>) {
    use chrono::{Datelike, Timelike};
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (secs, _) = crate::audit::clock::realtime();
    if let Some(t) = chrono::DateTime::from_timestamp(secs, 0) {
        let month = MONTHS.get(t.month0() as usize).copied().unwrap_or("Jan");
        let _ = write!(
            buf,
            "{month} {:>2} {:02}:{:02}:{:02}",
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    }
}

/// How long a record may wait for room in a full syslog queue (a burst of records against a
/// slow daemon), once, when the sink is healthy.
pub const FULL_QUEUE_WAIT_MS: libc::c_int = 20;

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
        // SAFETY: plain socket(2) call with valid constants.
        let fd = unsafe {
            libc::socket(
                libc::AF_UNIX,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                0,
            )
        };
        if fd < 0 {
            return Err(format!(
                "socket: {}",
                os_error_text(&io::Error::last_os_error())
            ));
        }
        let fd = super::move_high(fd).map_err(|e| format!("socket: {}", os_error_text(&e)))?;
        // SAFETY: fd is a datagram socket we own; the UnixDatagram takes ownership.
        let sock = unsafe { UnixDatagram::from_raw_fd(fd) };
        let mut s = Syslog {
            logger: Logger::new(
                LoggerBackend::Unix(sock),
                JsonFormatter {
                    facility,
                    // SAFETY: getpid cannot fail.
                    pid: unsafe { libc::getpid() } as u32,
                    cee_cookie,
                    buf: RefCell::new(Vec::with_capacity(4096)),
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
            Err(e) => Err(format!("{}: {}", self.path.display(), os_error_text(&e))),
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
    /// and `patient` (the sink is not in a failure episode), wait for room at most
    /// [`FULL_QUEUE_WAIT_MS`] once; otherwise never wait.
    pub fn send(&mut self, line: &[u8], warning: bool, patient: bool) -> Result<(), String> {
        if !self.connected {
            self.connect()?;
        }
        let mut res = self.send_once(line, warning);
        if patient {
            if let Err(syslog::Error::Write(e)) = &res {
                if e.kind() == io::ErrorKind::WouldBlock && self.wait_writable() {
                    res = self.send_once(line, warning);
                }
            }
        }
        res.map_err(|e| {
            self.connected = false;
            let msg = match &e {
                syslog::Error::Write(io) | syslog::Error::Io(io) => os_error_text(io),
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

    fn wait_writable(&self) -> bool {
        let Some(fd) = self.fd() else {
            return false;
        };
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: p is one valid pollfd; the timeout is bounded.
        let n = unsafe { libc::poll(&mut p, 1, FULL_QUEUE_WAIT_MS) };
        n == 1 && (p.revents & libc::POLLOUT) != 0
    }
}
