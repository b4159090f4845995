//! The harness of the integration tests: a temporary directory and dash (shared with the unit
//! tests), the shell's config for a test (every config a test writes is written by [`Config`]),
//! and [`AuditEnv`], a directory with a spool, a syslog socket (bound by the test, a daemon's,
//! or none) and a config naming them, in which the real binary runs and whose records the test
//! reads.

#![allow(dead_code)]

pub mod rsyslog;
pub mod sshd;
// The unit tests' helpers: one temp-dir type and one dash for every test.
#[path = "../../src/testutil.rs"]
mod testutil;

// Each test binary uses some of the harness, none all of it.
#[allow(unused_imports)]
pub use testutil::{check_record, checked_record, TempDir, DASH};

use serde_json::Value;
use std::ffi::OsStr;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The shell under test, as cargo built it.
pub const AUDITSH: &str = env!("CARGO_BIN_EXE_auditsh");
/// The security team's tool, as cargo built it.
pub const AUDITSH_LOG: &str = env!("CARGO_BIN_EXE_auditsh-log");

/// Say that `test` is skipped and why (straight to the process's stderr: the harness
/// captures `eprintln!` of passing tests, and a skip must be seen), or panic under
/// `AUDITSH_E2E=required`, where a missing component is a failure.
pub fn skip(test: &str, why: &str) {
    if std::env::var("AUDITSH_E2E").as_deref() == Ok("required") {
        panic!("{test}: {why} (AUDITSH_E2E=required: a missing component is a failure)");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {test}: {why}");
}

/// A tag unique to this run of the test binary, so that a marker never matches what an
/// earlier run left in a shared place (the installed shell's spool, a user's home).
pub fn run_tag() -> &'static str {
    static RUN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{}-{t}", std::process::id())
    })
}

/// Is the effective user root? Tests that need root skip (or, when required, fail) without it.
pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

// ---------------------------------------------------------------------------------------------
// The shell's config.

/// A config file for the shell: top-level keys, the two sinks, more tables. Both sinks are
/// always named with `enabled`, so that the text says all it means.
#[derive(Clone, Debug)]
pub struct Config {
    top: String,
    system_rc: bool,
    spool: bool,
    spool_dir: Option<PathBuf>,
    syslog: bool,
    syslog_socket: Option<PathBuf>,
    tables: String,
}

impl Config {
    /// The installed shell's defaults: the system rc file, both sinks on where they are by
    /// default.
    pub fn installed() -> Config {
        Config {
            top: String::new(),
            system_rc: true,
            spool: true,
            spool_dir: None,
            syslog: true,
            syslog_socket: None,
            tables: String::new(),
        }
    }

    /// A test's own: no system rc file (nothing of the machine's may change a session), the
    /// spool in `spool`, syslog off.
    pub fn private(spool: &Path) -> Config {
        let mut c = Config::installed().spool_dir(spool).syslog_off();
        c.system_rc = false;
        c
    }

    /// Top-level keys (`on_failure`, `require` ...), one a line.
    pub fn top(mut self, keys: &str) -> Config {
        self.top.push_str(keys);
        self.top.push('\n');
        self
    }

    /// More tables (`[limits]`, `[mac]` ...), after the sinks'.
    pub fn tables(mut self, text: &str) -> Config {
        self.tables.push_str(text);
        self.tables.push('\n');
        self
    }

    pub fn spool_dir(mut self, dir: &Path) -> Config {
        self.spool_dir = Some(dir.to_path_buf());
        self
    }

    /// The spool on, in the directory the shell picks by default.
    pub fn default_spool(mut self) -> Config {
        self.spool_dir = None;
        self
    }

    pub fn spool_off(mut self) -> Config {
        self.spool = false;
        self
    }

    pub fn syslog_socket(mut self, socket: &Path) -> Config {
        self.syslog = true;
        self.syslog_socket = Some(socket.to_path_buf());
        self
    }

    pub fn syslog_off(mut self) -> Config {
        self.syslog = false;
        self.syslog_socket = None;
        self
    }

    pub fn text(&self) -> String {
        let mut t = self.top.clone();
        if !self.system_rc {
            t.push_str("system_rc = \"\"\n");
        }
        t.push_str(&format!("\n[spool]\nenabled = {}\n", self.spool));
        if let Some(dir) = &self.spool_dir {
            t.push_str(&format!("dir = {}\n", toml_path(dir)));
        }
        t.push_str(&format!("\n[syslog]\nenabled = {}\n", self.syslog));
        if let Some(socket) = &self.syslog_socket {
            t.push_str(&format!("socket = {}\n", toml_path(socket)));
        }
        if !self.tables.is_empty() {
            t.push('\n');
            t.push_str(&self.tables);
        }
        t
    }

    pub fn write(&self, path: &Path) {
        std::fs::write(path, self.text()).unwrap();
    }
}

/// A path as a TOML basic string.
pub fn toml_path(p: &Path) -> String {
    let s = p.display().to_string();
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

// ---------------------------------------------------------------------------------------------
// The audit environment.

/// Where a test environment's records go to syslog.
enum Syslog {
    /// `log.sock` in the directory, bound by the test.
    Bound,
    /// A daemon's socket.
    At(PathBuf),
    Off,
}

pub struct AuditEnvBuilder {
    tag: String,
    syslog: Syslog,
    spool_dir: Option<PathBuf>,
    top: String,
    tables: String,
}

impl AuditEnvBuilder {
    /// The directory's name says which test made it (`auditsh-TAG-...`).
    pub fn tag(mut self, tag: &str) -> AuditEnvBuilder {
        self.tag = tag.to_string();
        self
    }

    /// A socket the test binds and reads (the default), or syslog off.
    pub fn syslog(mut self, on: bool) -> AuditEnvBuilder {
        self.syslog = if on { Syslog::Bound } else { Syslog::Off };
        self
    }

    /// Syslog to a daemon's socket.
    pub fn syslog_socket(mut self, socket: &Path) -> AuditEnvBuilder {
        self.syslog = Syslog::At(socket.to_path_buf());
        self
    }

    /// The spool elsewhere than `spool/` in the directory; not created here.
    pub fn spool_dir(mut self, dir: &Path) -> AuditEnvBuilder {
        self.spool_dir = Some(dir.to_path_buf());
        self
    }

    /// Top-level keys for the config.
    pub fn top_toml(mut self, keys: &str) -> AuditEnvBuilder {
        self.top.push_str(keys);
        self
    }

    /// More tables for the config.
    pub fn extra_toml(mut self, tables: &str) -> AuditEnvBuilder {
        self.tables.push_str(tables);
        self
    }

    pub fn build(self) -> AuditEnv {
        let dir = TempDir::new(&self.tag);
        let spool = match self.spool_dir {
            Some(s) => s,
            None => {
                // Created, so that the shell has nothing to say on stderr.
                let s = dir.join("spool");
                std::fs::create_dir_all(&s).unwrap();
                s
            }
        };
        let mut settings = Config::private(&spool);
        if !self.top.is_empty() {
            settings = settings.top(&self.top);
        }
        if !self.tables.is_empty() {
            settings = settings.tables(&self.tables);
        }
        let syslog = match &self.syslog {
            Syslog::Bound => {
                let path = dir.join("log.sock");
                let sock = UnixDatagram::bind(&path).unwrap();
                settings = settings.syslog_socket(&path);
                Some(Drain::start(sock))
            }
            Syslog::At(path) => {
                settings = settings.syslog_socket(path);
                None
            }
            Syslog::Off => None,
        };
        let config = dir.join("auditsh.toml");
        settings.write(&config);
        AuditEnv {
            dir,
            config,
            spool,
            syslog,
            settings,
        }
    }
}

/// A private directory with a spool, a syslog socket and `auditsh.toml` naming them; the
/// real binary runs in it with a clean environment. Removed when dropped.
pub struct AuditEnv {
    dir: TempDir,
    pub config: PathBuf,
    spool: PathBuf,
    syslog: Option<Drain>,
    settings: Config,
}

/// The test's syslog socket, read all along by a thread as a daemon reads /dev/log (its
/// queue holds ten datagrams: a reader that waits for the shell to end would lose the rest).
struct Drain {
    got: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drain {
    fn start(sock: UnixDatagram) -> Drain {
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, st) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 20];
            while !st.load(Ordering::SeqCst) {
                if let Ok(n) = sock.recv(&mut buf) {
                    g.lock().unwrap().push(buf[..n].to_vec());
                }
            }
        });
        Drain {
            got,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Drain {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One session of the shell: what it did, and the spool file it wrote.
pub struct Session {
    pub out: Output,
    pub file: PathBuf,
}

impl AuditEnv {
    /// The spool in `spool/`, a syslog socket the test binds, no other setting.
    pub fn new() -> AuditEnv {
        AuditEnv::builder().build()
    }

    pub fn builder() -> AuditEnvBuilder {
        AuditEnvBuilder {
            tag: "it".to_string(),
            syslog: Syslog::Bound,
            spool_dir: None,
            top: String::new(),
            tables: String::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn spool_dir(&self) -> &Path {
        &self.spool
    }

    /// A new directory `name` in this one (for copies of records, files a test writes).
    pub fn subdir(&self, name: &str) -> PathBuf {
        let d = self.dir.join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Change this environment's config (and its file).
    pub fn reconfigure(&mut self, change: impl FnOnce(Config) -> Config) {
        self.settings = change(self.settings.clone());
        self.settings.write(&self.config);
    }

    /// Write another config `name` in the directory: this one's, as `change` makes it.
    pub fn write_config(&self, name: &str, change: impl FnOnce(Config) -> Config) -> PathBuf {
        let path = self.dir.join(name);
        change(self.settings.clone()).write(&path);
        path
    }

    /// `program` (the shell, or another program that starts it, or dash to compare with)
    /// with this environment's config and a clean, predictable environment, in the directory.
    pub fn command_at(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env("AUDITSH_CONFIG", &self.config)
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.dir())
            .current_dir(self.dir())
            .stdin(Stdio::null());
        c
    }

    /// The shell, as `command_at`.
    pub fn command(&self) -> Command {
        self.command_at(AUDITSH)
    }

    /// Run the shell with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut c = self.command();
        c.args(args);
        run_with_stdin(c, stdin)
    }

    /// Run `auditsh -c SCRIPT` to its end (not killed by a signal); its spool file is the one
    /// file new in the spool.
    pub fn session(&self, script: &str) -> Session {
        let before = self.spool_files();
        let out = self.run(&["-c", script], None);
        assert!(
            out.status.code().is_some(),
            "auditsh -c {script:?}: {out:?}"
        );
        let new: Vec<PathBuf> = self
            .spool_files()
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        assert_eq!(new.len(), 1, "one new spool file: {new:?}");
        Session {
            out,
            file: new.into_iter().next().unwrap(),
        }
    }

    /// Every spool file's path (one per session), sorted.
    pub fn spool_files(&self) -> Vec<PathBuf> {
        spool_files(&self.spool)
    }

    /// The only session's spool file contents.
    pub fn spool_text(&self) -> Vec<u8> {
        let files = self.spool_files();
        assert_eq!(files.len(), 1, "one session: {files:?}");
        std::fs::read(&files[0]).unwrap()
    }

    /// The only session's records.
    pub fn records(&self) -> Vec<Value> {
        records(&self.spool_text())
    }

    /// The syslog messages received so far (taken: a later call returns only newer ones),
    /// waiting a little for `n` of them.
    pub fn syslog_messages(&self, n: usize) -> Vec<Vec<u8>> {
        let drain = self
            .syslog
            .as_ref()
            .expect("a syslog socket bound by the test");
        // Past `n`, what is still on its way: until nothing new came for a moment.
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut seen = (0, Instant::now());
        loop {
            let have = drain.got.lock().unwrap().len();
            if have != seen.0 {
                seen = (have, Instant::now());
            }
            let quiet = seen.1.elapsed() > Duration::from_millis(100);
            if (have >= n && quiet) || Instant::now() > deadline {
                return std::mem::take(&mut *drain.got.lock().unwrap());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The syslog messages received so far as the lines a syslog daemon writes (`<PRI>`
    /// dropped).
    pub fn syslog_lines(&self) -> Vec<Vec<u8>> {
        self.syslog_messages(0)
            .into_iter()
            .map(|msg| match msg.iter().position(|&b| b == b'>') {
                Some(i) if msg.first() == Some(&b'<') => msg[i + 1..].to_vec(),
                _ => msg,
            })
            .collect()
    }
}

/// Every spool file (`*.jsonl`) under `spool`, sorted; none when there is no spool. The day
/// directories also hold the users' limit counters, which are not spool files.
pub fn spool_files(spool: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![spool.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "jsonl") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Run `c` to its end, with `stdin` as its standard input, its output captured.
pub fn run_with_stdin(c: Command, stdin: Option<&[u8]>) -> Output {
    testutil::output_with_input(c, stdin).expect("run the program")
}

/// The lines of a spool file, without their newlines.
pub fn lines(text: &[u8]) -> Vec<&[u8]> {
    assert!(text.is_empty() || text.ends_with(b"\n"), "last line ends");
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every line parsed, each checked against the record schema.
pub fn records(text: &[u8]) -> Vec<Value> {
    lines(text).into_iter().map(checked_record).collect()
}

/// The JSON of a syslog message: after the "auditsh[PID]: " header and an optional cookie.
pub fn syslog_json(msg: &[u8]) -> &[u8] {
    let at = msg
        .windows(3)
        .position(|w| w == b"]: ")
        .expect("syslog header");
    let rest = &msg[at + 3..];
    rest.strip_prefix(b"@cee: ").unwrap_or(rest)
}

/// `event.action` of a record, with its event.type: "command/start".
pub fn kind(r: &Value) -> String {
    format!(
        "{}/{}",
        r["event"]["action"].as_str().unwrap_or("?"),
        r["event"]["type"][0].as_str().unwrap_or("?")
    )
}

/// The checks every session must pass: one session, sequences 0..n without a gap, a valid
/// chain, session-start first and session-end last, and syslog carrying the same lines.
pub fn check_session(env: &AuditEnv) -> Vec<Value> {
    let text = env.spool_text();
    let recs = records(&text);
    assert!(!recs.is_empty());
    assert_eq!(
        auditsh::auditsh_log::verify::one_session(&text),
        Ok(recs.len() as u64),
        "chain and sequences"
    );
    let session = recs[0]["auditsh"]["session"].as_str().unwrap().to_string();
    assert_eq!(session.len(), 32);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["event"]["sequence"], i as u64);
        assert_eq!(r["event"]["id"], format!("{session}-{i}"));
        assert_eq!(r["auditsh"]["session"], session.as_str());
        assert_eq!(r["ecs"]["version"], "9.4.0");
        assert_eq!(r["auditsh"]["version"], 2);
        assert!(r["@timestamp"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(kind(&recs[0]), "session-start/start");
    assert_eq!(kind(recs.last().unwrap()), "session-end/end");
    let msgs = env.syslog_messages(recs.len());
    let spool_lines = lines(&text);
    assert_eq!(msgs.len(), spool_lines.len(), "syslog copy of every record");
    for (m, l) in msgs.iter().zip(&spool_lines) {
        assert_eq!(syslog_json(m), *l);
    }
    recs
}

/// The records of one action/type.
pub fn of_kind<'a>(recs: &'a [Value], k: &str) -> Vec<&'a Value> {
    recs.iter().filter(|r| kind(r) == k).collect()
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
