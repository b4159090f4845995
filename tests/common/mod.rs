//! Helpers for audit tests of the real binary: a temporary directory with a config that points
//! the spool and syslog there, and a private syslog socket the test reads itself.

#![allow(dead_code)]

pub mod rsyslog;
pub mod sshd;

use serde_json::Value;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A path in the temp directory no other test (of this run or another) uses: `PREFIX-PID-N-NANOS`.
pub fn unique_dir(prefix: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ))
}

pub struct AuditEnv {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub syslog: UnixDatagram,
}

impl AuditEnv {
    /// A temp dir with `spool/` (created, so the shell has nothing to say on stderr),
    /// `log.sock` bound by the test, and `auditsh.toml` naming both.
    pub fn new() -> AuditEnv {
        AuditEnv::with_config_extra("")
    }

    /// As `new`, with more TOML appended to the config (top-level keys first).
    pub fn with_config_extra(top: &str) -> AuditEnv {
        let dir = unique_dir("auditsh-it");
        std::fs::create_dir_all(dir.join("spool")).unwrap();
        let sock = dir.join("log.sock");
        let syslog = UnixDatagram::bind(&sock).unwrap();
        let config = dir.join("auditsh.toml");
        std::fs::write(
            &config,
            format!(
                "{top}\nsystem_rc = \"\"\n\n[spool]\ndir = \"{}\"\n\n[syslog]\nsocket = \"{}\"\n",
                dir.join("spool").display(),
                sock.display()
            ),
        )
        .unwrap();
        AuditEnv {
            dir,
            config,
            syslog,
        }
    }

    /// The shell, with this environment's config and a clean, predictable environment.
    pub fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_auditsh"));
        c.env_clear()
            .env("AUDITSH_CONFIG", &self.config)
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &self.dir)
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        c
    }

    /// Run with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut c = self.command();
        c.args(args);
        run_with_stdin(c, stdin)
    }

    /// Every spool file's path (one per session).
    pub fn spool_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for day in std::fs::read_dir(self.dir.join("spool")).unwrap().flatten() {
            // The day directory also holds the users' limit counters.
            for f in std::fs::read_dir(day.path()).unwrap().flatten() {
                if f.path().extension().is_some_and(|e| e == "jsonl") {
                    files.push(f.path());
                }
            }
        }
        files.sort();
        files
    }

    /// The only session's spool file contents.
    pub fn spool(&self) -> Vec<u8> {
        let files = self.spool_files();
        assert_eq!(files.len(), 1, "one session: {files:?}");
        std::fs::read(&files[0]).unwrap()
    }

    /// The syslog messages received (waiting a little for `n`).
    pub fn syslog_messages(&self, n: usize) -> Vec<Vec<u8>> {
        self.syslog.set_nonblocking(true).unwrap();
        let mut got = Vec::new();
        let mut buf = vec![0u8; 1 << 20];
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.syslog.recv(&mut buf) {
                Ok(len) => got.push(buf[..len].to_vec()),
                Err(_) if got.len() >= n || Instant::now() > deadline => break,
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        got
    }
}

impl Drop for AuditEnv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn run_with_stdin(mut c: Command, stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("run auditsh");
    if let Some(input) = stdin {
        let mut i = child.stdin.take().unwrap();
        let _ = i.write_all(input);
    }
    child.wait_with_output().unwrap()
}

/// The lines of a spool file, without their newlines.
pub fn lines(text: &[u8]) -> Vec<&[u8]> {
    assert!(text.is_empty() || text.ends_with(b"\n"), "last line ends");
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

/// Every line parsed.
pub fn records(text: &[u8]) -> Vec<Value> {
    lines(text)
        .into_iter()
        .map(|l| {
            serde_json::from_slice(l)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(l)))
        })
        .collect()
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
    let text = env.spool();
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
        assert_eq!(r["ecs"]["version"], "8.11.0");
        assert_eq!(r["auditsh"]["version"], 1);
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
