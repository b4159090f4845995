//! A real sshd for end-to-end tests of the shell as a login shell: a test user whose login
//! shell is the built binary, and a private sshd on 127.0.0.1 with its own host key, config,
//! authorized keys and pid file in a temporary directory, started as a child (`sshd -D -e`)
//! and killed when the guard drops.
//!
//! The shell runs in development mode (not setuid). sshd passes no arbitrary environment, so
//! the private sshd_config sets `AUDITSH_CONFIG` with `SetEnv`: each `Sshd` has its own shell
//! config naming its own spool directory, owned by the test user, and nothing depends on
//! /etc/auditsh/auditsh.toml. Syslog is off in that config: these tests read the spool.
//!
//! What is installed once per test binary (root only): the shell at `BINDIR/auditsh` (0755,
//! root-owned, listed in /etc/shells), the user `USER` with home `/home/USER`, and
//! /run/sshd (sshd's privilege-separation directory).
//!
//! With `AUDITSH_E2E_SHELL=/usr/bin/auditsh` (an installed, setuid shell, e.g. the package's)
//! the user's login shell is that one instead of a copy: it ignores `AUDITSH_CONFIG` and writes
//! its installed spool (/var/log/auditsh), where a daemon's sessions are the files written
//! since it started. `AUDITSH_E2E_SSHD_PAM=yes` also runs sshd with `UsePAM yes`, so that the
//! system's PAM stack (pam_auditsh, when its profile is enabled) sees the logins; its session
//! modules then speak too (pam_motd prints the message of the day to a session without a
//! command, which the tests comparing such a session's output do not expect). `su` always goes
//! through PAM.

use super::{skip, AuditEnv};
use serde_json::Value;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Where Debian's openssh-server package installs the daemon.
pub const SSHD: &str = "/usr/sbin/sshd";
/// The test user; its login shell is the copy of the built shell in `BINDIR`.
pub const USER: &str = "auditsh-login";
/// A root-owned directory outside /tmp (which may be mounted noexec).
pub const BINDIR: &str = "/usr/local/libexec/auditsh-login-tests";
/// How long any one client run may take before it is killed and the test fails.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The installed spool, read when the suite runs against an installed shell.
const INSTALLED_SPOOL: &str = "/var/log/auditsh";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The installed shell named by `AUDITSH_E2E_SHELL`, when the suite runs against one.
pub fn installed_shell() -> Option<PathBuf> {
    std::env::var_os("AUDITSH_E2E_SHELL")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}
static SERIAL: Mutex<()> = Mutex::new(());

/// The test user and the installed shell.
pub struct Installed {
    pub shell: PathBuf,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

/// Root, sshd and the programs in `tools` present? Then the user and the shell are installed
/// (once) and returned; otherwise the test is skipped (None) or, when required, fails.
pub fn ready(test: &str, tools: &[&str]) -> Option<&'static Installed> {
    if !super::is_root() {
        skip(test, "not running as root");
        return None;
    }
    for tool in [
        SSHD,
        "/usr/bin/ssh",
        "/usr/bin/ssh-keygen",
        "/usr/sbin/useradd",
    ]
    .iter()
    .chain(tools)
    {
        if !Path::new(tool).exists() {
            skip(test, &format!("{tool} is not installed"));
            return None;
        }
    }
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    Some(INSTALLED.get_or_init(install))
}

/// Run the sshd tests one at a time: each starts a daemon and many processes, and their
/// time limits mean something only when the machine is not also running the others.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn check(what: &str, out: std::io::Result<std::process::Output>) -> std::process::Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn install() -> Installed {
    let shell = match installed_shell() {
        Some(shell) => {
            let mode = std::fs::metadata(&shell)
                .unwrap_or_else(|e| panic!("AUDITSH_E2E_SHELL={}: {e}", shell.display()))
                .permissions()
                .mode();
            assert!(
                mode & 0o6000 != 0,
                "AUDITSH_E2E_SHELL={}: not an installed (setuid) shell",
                shell.display()
            );
            shell
        }
        None => install_copy(),
    };

    let shells = std::fs::read_to_string("/etc/shells").unwrap_or_default();
    let listed = shells.lines().any(|l| l.trim() == shell.to_str().unwrap());
    if !listed {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open("/etc/shells")
            .unwrap();
        let sep = if shells.is_empty() || shells.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        writeln!(f, "{sep}{}", shell.display()).unwrap();
    }

    let home = PathBuf::from(format!("/home/{USER}"));
    let exists = Command::new("id")
        .arg(USER)
        .output()
        .is_ok_and(|o| o.status.success());
    if exists {
        check(
            "usermod",
            Command::new("usermod")
                .arg("--shell")
                .arg(&shell)
                .arg("--home")
                .arg(&home)
                .arg(USER)
                .output(),
        );
    } else {
        check(
            "useradd",
            Command::new("useradd")
                .arg("--create-home")
                .arg("--home-dir")
                .arg(&home)
                .arg("--shell")
                .arg(&shell)
                .arg(USER)
                .output(),
        );
    }
    // useradd leaves the account locked ("!"), and sshd without PAM refuses a locked
    // account even for a key; "*" is no password, not locked.
    check(
        "usermod -p",
        Command::new("usermod").args(["-p", "*", USER]).output(),
    );
    let id = |flag: &str| -> u32 {
        let out = check("id", Command::new("id").args([flag, USER]).output());
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let (uid, gid) = (id("-u"), id("-g"));
    std::fs::create_dir_all(&home).unwrap();
    chown(&home, uid, gid);
    std::fs::create_dir_all("/run/sshd").unwrap();
    Installed {
        shell,
        uid,
        gid,
        home,
    }
}

/// The built shell copied to `BINDIR`.
fn install_copy() -> PathBuf {
    let bindir = Path::new(BINDIR);
    std::fs::create_dir_all(bindir).unwrap();
    std::fs::set_permissions(bindir, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Copy, then rename over the old copy: a running session of an earlier copy keeps its
    // file, and writing into a running executable would fail (ETXTBSY).
    let shell = bindir.join("auditsh");
    let fresh = bindir.join(format!(".auditsh.{}", std::process::id()));
    std::fs::copy(env!("CARGO_BIN_EXE_auditsh"), &fresh).unwrap();
    std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o755)).unwrap();
    chown(&fresh, 0, 0);
    std::fs::rename(&fresh, &shell).unwrap();
    shell
}

pub fn chown(path: &Path, uid: u32, gid: u32) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: c is a valid NUL-terminated path.
    let rc = unsafe { libc::chown(c.as_ptr(), uid, gid) };
    assert_eq!(rc, 0, "chown {}", path.display());
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// What a bounded client run gave.
pub struct Out {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Out {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// Panic with everything the client said unless it exited 0.
    pub fn ok(self, what: &str) -> Out {
        assert!(
            self.status.success(),
            "{what}: {}\nstdout: {}\nstderr: {}",
            self.status,
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// Run `c` in its own process group with `stdin` (or /dev/null), and kill the whole group
/// if it has not finished after `timeout` (then the test fails, showing what it said).
pub fn run_bounded(mut c: Command, stdin: Option<&[u8]>, timeout: Duration) -> Out {
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .process_group(0);
    let shown = format!("{c:?}");
    let mut child = c.spawn().unwrap_or_else(|e| panic!("{shown}: {e}"));
    let writer = stdin.map(|input| {
        let mut i = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = i.write_all(&input);
        })
    });
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = reader(Box::new(child.stdout.take().unwrap()));
    let err = reader(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            timed_out = true;
            // SAFETY: signalling the process group we created.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if timed_out {
        // The group is dead; a grandchild that left it could hold the pipes open.
        // SAFETY: as above.
        unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    }
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    if let Some(w) = writer {
        let _ = w.join();
    }
    let o = Out {
        status,
        stdout,
        stderr,
    };
    assert!(
        !timed_out,
        "{shown} did not finish in {timeout:?} and was killed\nstdout: {}\nstderr: {}",
        o.stdout(),
        o.stderr()
    );
    o
}

/// A running private sshd and everything a client needs to reach the test user.
pub struct Sshd {
    /// Its directory, and the shell config sshd hands to every session (`SetEnv
    /// AUDITSH_CONFIG=...`), whose spool the test user owns.
    pub env: AuditEnv,
    pub port: u16,
    /// The client's private key.
    pub key: PathBuf,
    /// A directory of this daemon's own in the user's home (relative name, and full path):
    /// files that tests copy there do not meet those of another test.
    pub remote_dir: String,
    pub remote_path: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    /// When the daemon was started: against an installed shell, its sessions are the spool
    /// files written since.
    since: std::time::SystemTime,
}

impl Sshd {
    pub fn start(inst: &Installed, tag: &str) -> Sshd {
        let env = AuditEnv::builder()
            .tag(&format!("sshd-{tag}"))
            .syslog(false)
            .build();
        let d = env.dir().to_path_buf();
        // Root-owned, but the user must reach the config and its spool through it.
        chmod(&d, 0o755);
        for name in ["host_key", "client_key"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(d.join(name))
                .output();
            check("ssh-keygen", out);
        }
        let authorized = d.join("authorized_keys");
        std::fs::copy(d.join("client_key.pub"), &authorized).unwrap();
        chmod(&authorized, 0o644);
        chown(env.spool_dir(), inst.uid, inst.gid);
        chmod(env.spool_dir(), 0o700);
        chmod(&env.config, 0o644);

        let remote_dir = format!(
            "e2e-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let remote_path = inst.home.join(&remote_dir);
        let _ = std::fs::remove_dir_all(&remote_path);
        std::fs::create_dir(&remote_path).unwrap();
        chown(&remote_path, inst.uid, inst.gid);

        std::fs::create_dir_all("/run/sshd").unwrap();
        let log = d.join("sshd.log");
        let mut s = Sshd {
            port: 0,
            key: d.join("client_key"),
            remote_dir,
            remote_path,
            log,
            child: None,
            env,
            since: std::time::SystemTime::now(),
        };
        // A free port can be taken by someone else before sshd binds it: try a few.
        for _ in 0..5 {
            if s.launch() {
                return s;
            }
        }
        panic!("sshd did not start: {}", s.log_text());
    }

    /// Pick a port, write the config and start the daemon; true once it listens.
    fn launch(&mut self) -> bool {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let d = self.env.dir();
        let conf = d.join("sshd_config");
        std::fs::write(
            &conf,
            format!(
                "ListenAddress 127.0.0.1\n\
                 Port {port}\n\
                 HostKey {host_key}\n\
                 PidFile {pid}\n\
                 UsePAM {pam}\n\
                 PermitRootLogin no\n\
                 PasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\n\
                 AuthorizedKeysFile {auth}\n\
                 StrictModes no\n\
                 AllowUsers {USER}\n\
                 PrintMotd no\n\
                 PrintLastLog no\n\
                 Subsystem sftp /usr/lib/openssh/sftp-server\n\
                 SetEnv AUDITSH_CONFIG={config}\n",
                host_key = d.join("host_key").display(),
                pid = d.join("sshd.pid").display(),
                auth = d.join("authorized_keys").display(),
                config = self.env.config.display(),
                pam = if std::env::var("AUDITSH_E2E_SSHD_PAM").as_deref() == Ok("yes") {
                    "yes"
                } else {
                    "no"
                },
            ),
        )
        .unwrap();
        let log = std::fs::File::create(&self.log).unwrap();
        let mut c = Command::new(SSHD);
        c.arg("-D")
            .arg("-e")
            .arg("-f")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        // SAFETY: prctl is async-signal-safe; the daemon dies with the thread that started it
        // (the test) even if the test process is killed before the guard drops.
        let die_with_parent = || {
            // SAFETY: as above.
            unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
            Ok(())
        };
        // SAFETY: the closure only makes the async-signal-safe call above.
        unsafe { c.pre_exec(die_with_parent) };
        let mut child = c.spawn().expect("start sshd");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.log_text().contains("Server listening on") {
                self.port = port;
                self.child = Some(child);
                return true;
            }
            if child.try_wait().unwrap().is_some() {
                let text = self.log_text();
                assert!(
                    text.contains("Address already in use"),
                    "sshd exited: {text}"
                );
                return false;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("sshd did not listen in time: {}", self.log_text());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the daemon said.
    pub fn log_text(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// `USER@127.0.0.1`
    pub fn host(&self) -> String {
        format!("{USER}@127.0.0.1")
    }

    /// Client options shared by ssh, scp, sftp (without the port, whose flag differs).
    pub fn client_options(&self) -> Vec<String> {
        [
            "-F",
            "/dev/null",
            "-i",
            self.key.to_str().unwrap(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The ssh command line as one string, for `rsync -e` and `GIT_SSH_COMMAND`.
    pub fn ssh_command_line(&self) -> String {
        format!("ssh {} -p {}", self.client_options().join(" "), self.port)
    }

    /// `ssh [opts] -p PORT`, ready for more arguments (the host first).
    pub fn ssh(&self) -> Command {
        let mut c = Command::new("ssh");
        c.args(self.client_options())
            .arg("-p")
            .arg(self.port.to_string());
        c
    }

    /// `scp [opts] -P PORT`.
    pub fn scp(&self) -> Command {
        let mut c = Command::new("scp");
        c.args(self.client_options())
            .arg("-P")
            .arg(self.port.to_string());
        c
    }

    /// `sftp [opts] -P PORT`.
    pub fn sftp(&self) -> Command {
        let mut c = Command::new("sftp");
        c.args(self.client_options())
            .arg("-P")
            .arg(self.port.to_string());
        c
    }

    /// Run `ssh HOST remote...` with `stdin`, bounded by `CLIENT_TIMEOUT`.
    pub fn run_ssh(&self, extra: &[&str], remote: &[&str], stdin: Option<&[u8]>) -> Out {
        self.run_ssh_within(extra, remote, stdin, CLIENT_TIMEOUT)
    }

    /// `run_ssh` with its own time limit.
    pub fn run_ssh_within(
        &self,
        extra: &[&str],
        remote: &[&str],
        stdin: Option<&[u8]>,
        timeout: Duration,
    ) -> Out {
        let mut c = self.ssh();
        c.args(extra).arg(self.host()).args(remote);
        run_bounded(c, stdin, timeout)
    }

    /// Every session in the spool: its records, in order.
    pub fn sessions(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let files = if installed_shell().is_some() {
            self.installed_spool_files()
        } else {
            self.env.spool_files()
        };
        for f in files {
            let text = std::fs::read(&f).unwrap();
            out.push((f, text));
        }
        out
    }

    /// The installed spool's session files written since this daemon started.
    fn installed_spool_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(days) = std::fs::read_dir(INSTALLED_SPOOL) else {
            return out;
        };
        for day in days.flatten() {
            let Ok(files) = std::fs::read_dir(day.path()) else {
                continue;
            };
            for f in files.flatten() {
                let p = f.path();
                let recent = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= self.since);
                if recent && p.extension().is_some_and(|e| e == "jsonl") {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// The one shell session whose records contain `marker`, checked whole: its chain and
    /// sequences verify, it starts with session-start and ends with session-end. The PAM
    /// module's sessions (under an installed package with its profile on) name the process
    /// that opened them, `su -c ... marker` too: they are not the shell's.
    pub fn session_with(&self, marker: &str) -> Vec<Value> {
        let pam = b"\"action\":\"pam-session-open\"";
        let found: Vec<_> = self
            .sessions()
            .into_iter()
            .filter(|(_, t)| t.windows(marker.len()).any(|w| w == marker.as_bytes()))
            .filter(|(_, t)| {
                let first = t.split(|&b| b == b'\n').next().unwrap_or_default();
                !first.windows(pam.len()).any(|w| w == pam)
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one session with {marker:?} in {}; found {:?}",
            self.env.spool_dir().display(),
            found.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        let (path, text) = &found[0];
        whole_session(path, text)
    }

    /// Every session (checked whole) that has an exec record of `executable`.
    pub fn sessions_executing(&self, executable: &str) -> Vec<Vec<Value>> {
        self.sessions()
            .iter()
            .map(|(p, t)| whole_session(p, t))
            .filter(|recs| !execs_of(recs, executable).is_empty())
            .collect()
    }
}

/// The records of one spool file, after checking that it is one whole session.
pub fn whole_session(path: &Path, text: &[u8]) -> Vec<Value> {
    let what = path.display().to_string();
    let n = super::rsyslog::check_chain(&what, text);
    let recs = super::records(text);
    assert_eq!(n as usize, recs.len(), "{what}");
    assert_eq!(
        super::kind(&recs[0]),
        "session-start/start",
        "{what} starts"
    );
    assert_eq!(
        super::kind(recs.last().unwrap()),
        "session-end/end",
        "{what} ends"
    );
    recs
}

/// The `process.command_line` of each command start record.
pub fn command_lines(recs: &[Value]) -> Vec<String> {
    super::of_kind(recs, "command/start")
        .iter()
        .map(|r| {
            r["process"]["command_line"]
                .as_str()
                .unwrap_or_else(|| panic!("command start without command_line: {r}"))
                .to_string()
        })
        .collect()
}

/// The exec records of `executable` (an absolute path, or a bare name matching the last
/// component of the path).
pub fn execs_of<'a>(recs: &'a [Value], executable: &str) -> Vec<&'a Value> {
    super::of_kind(recs, "exec/start")
        .into_iter()
        .filter(|r| {
            let exe = r["process"]["executable"].as_str().unwrap_or("");
            exe == executable
                || (!executable.contains('/') && exe.rsplit('/').next() == Some(executable))
        })
        .collect()
}

/// The argv of an exec record.
pub fn args(r: &Value) -> Vec<String> {
    r["process"]["args"]
        .as_array()
        .unwrap_or_else(|| panic!("exec without args: {r}"))
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A connection's processes finish a moment after the client has gone; let them,
            // so that the daemon reaps them rather than leaving them to init.
            let children = format!("/proc/{0}/task/{0}/children", child.id());
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline
                && !std::fs::read_to_string(&children)
                    .unwrap_or_default()
                    .trim()
                    .is_empty()
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("sshd said:\n{}", self.log_text());
        } else {
            let _ = std::fs::remove_dir_all(&self.remote_path);
        }
    }
}

/// A marker unique to this run of the test binary.
pub fn marker(name: &str) -> String {
    format!("{name}-{}", super::run_tag())
}
