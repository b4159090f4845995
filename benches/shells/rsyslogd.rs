//! A real rsyslogd as the syslog reader of one bench runner ("auditsh (audit on, rsyslogd)"):
//! Debian's daemon started by the bench in the foreground (`-n`), with a private config, socket,
//! PID file, work directory and output file in the bench's temporary directory. Nothing
//! system-wide is used: no /dev/log (`SysSock.Use="off"`), no /etc/rsyslog.conf.
//!
//! The input and the output are those of an installed machine (packaging/install.sh): imuxsock
//! with the sender's credentials (`Annotate`, `ParseTrusted`), and omfile writing each message
//! with the template of packaging/rsyslog/auditsh.conf, so every record costs the daemon what it
//! costs there: a wake-up, a parse, a formatted line written to disk.
//!
//! The daemon is killed when the guard drops (the bench's error paths included), and gets
//! SIGTERM if the bench itself dies first (the release profile aborts on panic, so no drop
//! runs then).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Debian's rsyslog package installs the daemon.
pub const RSYSLOGD: &str = "/usr/sbin/rsyslogd";

/// A running rsyslogd, killed on drop.
pub struct Rsyslogd {
    child: Child,
    pub conf: PathBuf,
    pub socket: PathBuf,
    pub out: PathBuf,
    errlog: PathBuf,
}

/// The config. `maxMessageSize` is set before the input module is loaded (it sizes the input
/// buffers); the default 8k would cut long records. Rate limiting is off, as it is by default
/// for an imuxsock input (said here so that a change of default cannot thin out a burst).
fn config_text(dir: &Path, socket: &Path, out: &Path) -> String {
    format!(
        r#"global(workDirectory="{work}" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
template(name="auditsh.trusted" type="string"
         string="%TIMESTAMP:::date-rfc3339% %HOSTNAME% %syslogtag% trusted(uid=%$!uid%,gid=%$!gid%,pid=%$!pid%)%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n")
input(type="imuxsock" Socket="{socket}" CreatePath="on" RateLimit.Interval="0"
      Annotate="on" ParseTrusted="on")
action(type="omfile" file="{out}" template="auditsh.trusted")
"#,
        work = dir.display(),
        socket = socket.display(),
        out = out.display(),
    )
}

impl Rsyslogd {
    /// Write the config to `dir/rsyslog.conf`, start the daemon on `dir/rsyslog.sock`, and wait
    /// until the socket exists (at most 20 s).
    pub fn start(dir: &Path) -> Result<Rsyslogd, String> {
        let conf = dir.join("rsyslog.conf");
        let socket = dir.join("rsyslog.sock");
        let out = dir.join("rsyslog.out");
        let errlog = dir.join("rsyslogd.err");
        let pidfile = dir.join("rsyslogd.pid");
        std::fs::write(&conf, config_text(dir, &socket, &out))
            .map_err(|e| format!("{}: {e}", conf.display()))?;
        let err =
            std::fs::File::create(&errlog).map_err(|e| format!("{}: {e}", errlog.display()))?;
        let err2 = err
            .try_clone()
            .map_err(|e| format!("{}: {e}", errlog.display()))?;
        let mut cmd = Command::new(RSYSLOGD);
        cmd.arg("-n")
            .arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(&pidfile)
            .stdin(Stdio::null())
            .stdout(err)
            .stderr(err2);
        // SAFETY: the hook runs in the child between fork and exec and only calls prctl, which
        // is async-signal-safe; it allocates nothing and touches no memory of the parent.
        unsafe { cmd.pre_exec(die_with_parent) };
        let child = cmd.spawn().map_err(|e| format!("{RSYSLOGD}: {e}"))?;
        // From here the guard owns the daemon: every return below kills it.
        let mut daemon = Rsyslogd {
            child,
            conf,
            socket,
            out,
            errlog,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !daemon.socket.exists() {
            if let Ok(Some(status)) = daemon.child.try_wait() {
                return Err(format!(
                    "rsyslogd exited ({status}) before binding {}: {}",
                    daemon.socket.display(),
                    daemon.said()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "rsyslogd did not bind {} within 20 s: {}",
                    daemon.socket.display(),
                    daemon.said()
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(daemon)
    }

    /// Whether the daemon has exited.
    pub fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the daemon wrote on stdout and stderr, on one line.
    pub fn said(&self) -> String {
        let text = std::fs::read(&self.errlog).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            "(nothing on stderr)".into()
        } else {
            text
        }
    }

    /// Whole lines of the output file: those containing `auditsh[` (the shell's records, by
    /// their tag) and the others (the daemon's own messages, say about lost messages).
    pub fn count_lines(&self) -> (usize, usize) {
        let text = std::fs::read(&self.out).unwrap_or_default();
        let whole = match text.iter().rposition(|&b| b == b'\n') {
            Some(i) => &text[..i],
            None => return (0, 0),
        };
        let tag = b"auditsh[";
        let (mut ours, mut others) = (0, 0);
        for line in whole.split(|&b| b == b'\n') {
            if line.windows(tag.len()).any(|w| w == tag) {
                ours += 1;
            } else {
                others += 1;
            }
        }
        (ours, others)
    }

    /// Wait until the daemon has written at least `expected` lines of auditsh's, or until the
    /// file has not grown for 2 s (at most 60 s in all), and 0.3 s more; then the counts of
    /// `count_lines`.
    pub fn settle(&self, expected: usize) -> (usize, usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = self.count_lines();
        let mut since = Instant::now();
        while last.0 < expected
            && since.elapsed() < Duration::from_secs(2)
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
            let now = self.count_lines();
            if now != last {
                last = now;
                since = Instant::now();
            }
        }
        // A moment more, so that lines beyond the expected ones would show too.
        std::thread::sleep(Duration::from_millis(300));
        self.count_lines()
    }
}

/// In the daemon before exec: SIGTERM when the bench dies.
fn die_with_parent() -> std::io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number and changes only this process's state.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

impl Drop for Rsyslogd {
    /// SIGTERM, up to 5 s for the daemon to stop, then SIGKILL; reaped either way.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
                // SAFETY: kill has no memory effects; pid is our own unreaped child.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while let Ok(None) = self.child.try_wait() {
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.wait();
    }
}
