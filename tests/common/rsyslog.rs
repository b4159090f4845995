//! A real rsyslogd for end-to-end tests: its own config, socket, work directory and output file
//! in a temporary directory, started as a child (`rsyslogd -n`) and killed when the guard
//! drops. Nothing system-wide is touched: no /dev/log, no /etc/rsyslog.conf, no kernel log.
//!
//! The output file holds only `authpriv.*` messages, each written as the raw message text and
//! a newline, so that it can be compared byte for byte with the spool.

use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Where Debian's rsyslog package installs the daemon.
pub const RSYSLOGD: &str = "/usr/sbin/rsyslogd";

static SERIAL: Mutex<()> = Mutex::new(());

/// Is rsyslogd installed? When it is not, the test is skipped (and the caller returns), or
/// under `AUDITSH_E2E=required` it fails.
pub fn rsyslogd_present(test: &str) -> bool {
    if Path::new(RSYSLOGD).is_file() {
        return true;
    }
    super::skip(test, &format!("{RSYSLOGD} is not installed"));
    false
}

/// Run the daemon tests one at a time: they start many processes, and one of them compares
/// elapsed times, which only means something when nothing else of ours runs beside it.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running rsyslogd (or a stopped one that can be started again on the same socket).
pub struct Rsyslog {
    pub dir: PathBuf,
    pub conf: PathBuf,
    pub socket: PathBuf,
    pub out: PathBuf,
    pidfile: PathBuf,
    errlog: PathBuf,
    /// A command that runs the daemon elsewhere (`ip netns exec NS ...`), ending in the exec
    /// of its arguments: the child is the daemon itself.
    prefix: Vec<OsString>,
    child: Option<Child>,
}

/// The daemon's config. Notes:
/// - `maxMessageSize` is set before any module is loaded (it sizes the input buffers), and
///   128k is the shell's largest `max_record_bytes`.
/// - `SysSock.Use="off"`: imuxsock must not take /dev/log; only our socket is an input.
/// - `RateLimit.Interval="0"`: a burst from one process is not thinned out.
/// - The RFC 3164 message after `auditsh[PID]:` starts with the space that follows the colon,
///   and rsyslog keeps that space in `%msg%`. The input therefore skips imuxsock's own
///   parser and goes through a pmrfc3164 parser with `remove.msgFirstSpace="on"`, which takes
///   away exactly that one space, so `%msg%` is the JSON line exactly as the shell sent it.
/// - One main-queue worker and one file action: messages are written in the order they were
///   received, which for one session is the order of its sequence numbers.
fn config_text(dir: &Path, socket: &Path, out: &Path) -> String {
    format!(
        r#"global(workDirectory="{work}" maxMessageSize="128k")
main_queue(queue.workerThreads="1")
module(load="imuxsock" SysSock.Use="off")
template(name="auditsh.raw" type="string" string="%msg%\n")
parser(name="auditsh.rfc3164" type="pmrfc3164" remove.msgFirstSpace="on")
ruleset(name="auditsh" parser="auditsh.rfc3164") {{
    if prifilt("authpriv.*") then {{
        action(type="omfile" file="{out}" template="auditsh.raw")
    }}
}}
input(type="imuxsock" Socket="{socket}" CreatePath="on" RateLimit.Interval="0"
      UseSpecialParser="off" ruleset="auditsh")
"#,
        work = dir.join("work").display(),
        out = out.display(),
        socket = socket.display(),
    )
}

impl Rsyslog {
    /// Write the config under `dir/rsyslog/` and start the daemon on `dir/rsyslog/log.sock`.
    pub fn start(dir: &Path) -> Rsyslog {
        let dir = dir.join("rsyslog");
        std::fs::create_dir_all(dir.join("work")).unwrap();
        let socket = dir.join("log.sock");
        let out = dir.join("out.log");
        let conf = dir.join("rsyslog.conf");
        std::fs::write(&conf, config_text(&dir, &socket, &out)).unwrap();
        Rsyslog::launch(dir, conf, socket, out)
    }

    /// The daemon configured as on a Debian machine where packaging/install.sh installed
    /// auditsh: rsyslog.conf's own lines (the system socket, here a private one, with the
    /// annotation install.sh turns on; `$IncludeConfig` of a snippet directory; Debian's
    /// `auth,authpriv.*` rule) and, when `snippet`, packaging/rsyslog/auditsh.conf filled in
    /// as install.sh fills it (`max_record_bytes` 65536 plus its headroom). `out` is where
    /// records land: the snippet's file, or Debian's auth.log without it.
    pub fn start_packaged(dir: &Path, snippet: bool) -> Rsyslog {
        let included = Rsyslog::packaged_snippets(dir);
        let dir = dir.join("rsyslog");
        std::fs::create_dir_all(dir.join("work")).unwrap();
        std::fs::create_dir_all(&included).unwrap();
        let socket = dir.join("log.sock");
        let out = dir.join("out.log");
        let conf = dir.join("rsyslog.conf");
        let debian_out = if snippet {
            dir.join("auth.log")
        } else {
            out.clone()
        };
        std::fs::write(
            &conf,
            format!(
                concat!(
                    "module(load=\"imuxsock\" SysSock.Name=\"{socket}\" SysSock.Annotate=\"on\" SysSock.ParseTrusted=\"on\")\n",
                    "$WorkDirectory {work}\n",
                    "$IncludeConfig {included}/*.conf\n",
                    "auth,authpriv.*\t\t\t{auth}\n"
                ),
                socket = socket.display(),
                work = dir.join("work").display(),
                included = included.display(),
                auth = debian_out.display(),
            ),
        )
        .unwrap();
        if snippet {
            let top = Path::new(env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(top.join("packaging/rsyslog/auditsh.conf"))
                .unwrap()
                .replace("@MAX_MESSAGE_SIZE@", &(65536 + 4096).to_string())
                .replace("@LOG_FILE@", &out.display().to_string());
            std::fs::write(included.join("auditsh.conf"), text).unwrap();
        }
        Rsyslog::launch(dir, conf, socket, out)
    }

    /// The snippet directory `start_packaged(dir, ..)` includes (Debian's /etc/rsyslog.d): a
    /// test may put more `*.conf` files there before starting the daemon; they are read in the
    /// order of their names, with the snippet's `auditsh.conf`.
    pub fn packaged_snippets(dir: &Path) -> PathBuf {
        dir.join("rsyslog").join("rsyslog.d")
    }

    /// A daemon on a config of the caller's, in `dir` (created): `config` is given the
    /// socket the daemon must bind (`dir/log.sock`, how `restart` knows it is up) and its work
    /// directory (`dir/work`, created) and returns the config's text. The daemon is started
    /// through `prefix` (empty: directly), which must exec it. `out` is `dir/out.log`.
    pub fn start_with(
        dir: &Path,
        prefix: Vec<OsString>,
        config: impl FnOnce(&Path, &Path) -> String,
    ) -> Rsyslog {
        let work = dir.join("work");
        std::fs::create_dir_all(&work).unwrap();
        let socket = dir.join("log.sock");
        let conf = dir.join("rsyslog.conf");
        std::fs::write(&conf, config(&socket, &work)).unwrap();
        Rsyslog::launch_with(dir.to_path_buf(), conf, socket, dir.join("out.log"), prefix)
    }

    fn launch(dir: PathBuf, conf: PathBuf, socket: PathBuf, out: PathBuf) -> Rsyslog {
        Rsyslog::launch_with(dir, conf, socket, out, Vec::new())
    }

    fn launch_with(
        dir: PathBuf,
        conf: PathBuf,
        socket: PathBuf,
        out: PathBuf,
        prefix: Vec<OsString>,
    ) -> Rsyslog {
        let mut r = Rsyslog {
            pidfile: dir.join("rsyslogd.pid"),
            errlog: dir.join("rsyslogd.err"),
            dir,
            conf,
            socket,
            out,
            prefix,
            child: None,
        };
        r.restart();
        r
    }

    /// Start the daemon (again) on the same config and socket, and wait until the socket is
    /// bound: from then on datagrams queue in it even before the daemon reads them.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "rsyslogd is already running");
        // A killed daemon leaves its socket file and pid file behind.
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_file(&self.pidfile);
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.errlog)
            .unwrap();
        let mut command = match self.prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(RSYSLOGD);
                c
            }
            None => Command::new(RSYSLOGD),
        };
        let child = command
            .arg("-n")
            .arg("-f")
            .arg(&self.conf)
            .arg("-i")
            .arg(&self.pidfile)
            .stdin(Stdio::null())
            .stdout(err.try_clone().unwrap())
            .stderr(err)
            .spawn()
            .expect("start rsyslogd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.socket.exists() {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                panic!(
                    "rsyslogd exited ({status}) before binding {}: {}",
                    self.socket.display(),
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "rsyslogd did not bind {} in time: {}",
                self.socket.display(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kill the daemon (SIGKILL: as if it crashed) and reap it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stop the daemon as a service manager does (SIGTERM: it finishes or saves its queues and
    /// exits) and reap it; SIGKILL and a panic if it is still running after `timeout`.
    pub fn stop(&mut self, timeout: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = libc::pid_t::try_from(child.id()).expect("a pid");
        // SAFETY: the pid is our own unreaped child's.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + timeout;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("rsyslogd did not stop within {timeout:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Is the daemon running (started and not stopped or killed by the test)?
    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    /// What the daemon said on stdout and stderr.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.errlog).unwrap_or_default()).into_owned()
    }

    /// The complete lines of the output file so far (a line still being written is left out).
    pub fn lines(&self) -> Vec<Vec<u8>> {
        let text = std::fs::read(&self.out).unwrap_or_default();
        let complete = match text.iter().rposition(|&b| b == b'\n') {
            Some(i) => &text[..=i],
            None => &[][..],
        };
        super::lines(complete)
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect()
    }

    /// Wait until the output file has at least `n` lines (panics after `timeout`), then a
    /// moment more so that a line too many would show; returns the whole file, which must end
    /// with a newline.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.lines().len();
            if got >= n {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "rsyslogd wrote {got} of {n} lines to {}; daemon said: {}",
                self.out.display(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        let text = std::fs::read(&self.out).unwrap();
        assert!(text.ends_with(b"\n"), "output ends with a whole line");
        text
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Lines of text grouped by `auditsh.session`, in the order they appear. Every line must be
/// one JSON object (a torn or interleaved line fails here).
pub fn by_session(text: &[u8]) -> BTreeMap<String, Vec<Vec<u8>>> {
    let mut map: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    for (i, line) in super::lines(text).into_iter().enumerate() {
        let v: Value = serde_json::from_slice(line).unwrap_or_else(|e| {
            panic!(
                "line {} is not one JSON record ({e}): {}",
                i + 1,
                String::from_utf8_lossy(line)
            )
        });
        let s = v["auditsh"]["session"]
            .as_str()
            .unwrap_or_else(|| panic!("line {}: no auditsh.session", i + 1));
        map.entry(s.to_string()).or_default().push(line.to_vec());
    }
    map
}

/// Lines joined back into text, each with its newline.
pub fn joined(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut t = Vec::new();
    for l in lines {
        t.extend_from_slice(l);
        t.push(b'\n');
    }
    t
}

/// One session's lines are a whole chain: one session, sequences 0, 1, 2 ... with no gap,
/// each `auditsh.prev` the hash of the line before. Returns the number of records.
pub fn check_chain(what: &str, text: &[u8]) -> u64 {
    auditsh::auditsh_log::verify::one_session(text)
        .unwrap_or_else(|e| panic!("{what}: the chain is broken: {e}"))
}
