//! Session tests on real sinks: a temporary spool directory and a private syslog socket that
//! the test binds itself.

use super::*;
use crate::config::{Config, OnFailure, Require, SpoolSync};
use crate::sys;
use serde_json::Value;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::testutil::TempDir;

/// `Session::exec` for a program run in place by this process, under the shell's group.
trait ExecForTest {
    fn exec_for_test(
        &mut self,
        executable: &[u8],
        argv: &[Vec<u8>],
        cwd: &[u8],
        origin: Origin<'_>,
    ) -> Result<(), Denied>;
}

impl ExecForTest for Session {
    fn exec_for_test(
        &mut self,
        executable: &[u8],
        argv: &[Vec<u8>],
        cwd: &[u8],
        origin: Origin<'_>,
    ) -> Result<(), Denied> {
        let process = self.new_process();
        let starting = Starting {
            process: &process,
            pid: Some(sys::process::pid() as u32),
            parent_pid: sys::process::parent_pid() as u32,
            interactive: false,
            group_leader: GroupLeader::Shell,
            in_place: false,
        };
        let written = self.exec(executable, argv, cwd, origin, &starting);
        // As the shell does when it waits for the program.
        self.flush();
        written
    }
}

/// A syslog daemon stand-in: a bound datagram socket read by a thread.
struct Receiver {
    got: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn bind(path: &Path) -> Receiver {
        let sock = UnixDatagram::bind(path).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, s) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 20];
            while !s.load(Ordering::SeqCst) {
                if let Ok(n) = sock.recv(&mut buf) {
                    g.lock().unwrap().push(buf[..n].to_vec());
                }
            }
        });
        Receiver {
            got,
            stop,
            thread: Some(thread),
        }
    }

    /// Wait for `n` messages (or a second), then return everything received.
    fn take(&self, n: usize) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.got.lock().unwrap().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.got.lock().unwrap().clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The JSON part of a syslog message: after "auditsh[PID]: " and an optional "@cee: ".
fn syslog_json(msg: &[u8]) -> &[u8] {
    let at = msg
        .windows(3)
        .position(|w| w == b"]: ")
        .expect("syslog header");
    let rest = &msg[at + 3..];
    rest.strip_prefix(b"@cee: ").unwrap_or(rest)
}

fn config(dir: &Path) -> Config {
    let mut c = Config::default();
    c.spool.dir = Some(dir.join("spool"));
    c.syslog.socket = dir.join("log.sock");
    c
}

fn start(c: Config) -> Session {
    let args = vec![b"auditsh".to_vec(), b"-c".to_vec(), b"x".to_vec()];
    Session::open_with(
        c,
        StartInfo {
            mode: Mode::Command,
            login: false,
            args: &args,
        },
    )
    .start(privilege::drop_if_installed())
}

fn spool_text(s: &Session) -> Vec<u8> {
    std::fs::read(s.spool_path().expect("spool open")).unwrap()
}

/// Every record of a spool's text, each checked against the record schema.
fn records(text: &[u8]) -> Vec<Value> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(crate::testutil::checked_record)
        .collect()
}

fn lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn actions(recs: &[Value]) -> Vec<String> {
    recs.iter()
        .map(|r| {
            let t = r["event"]["type"][0].as_str().unwrap_or("");
            format!("{}/{t}", r["event"]["action"].as_str().unwrap_or(""))
        })
        .collect()
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

#[test]
fn both_sinks_get_the_same_chained_records() {
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let mut s = start(config(t.path()));
    let id = s
        .command_start(b"true; /bin/echo hi", b"/tmp", None)
        .unwrap();
    s.exec_for_test(b"/bin/echo", &argv(&["echo", "hi"]), b"/tmp", None)
        .unwrap();
    s.command_end(id, 0, None);
    s.exec_for_test(
        b"/bin/true",
        &argv(&["true"]),
        b"/",
        Some((b"/etc/auditsh/auditshrc", 3)),
    )
    .unwrap();
    s.end(Some(0), EndReason::Exit);
    s.end(Some(0), EndReason::Exit); // once only

    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(6));
    let recs = records(&text);
    assert_eq!(
        actions(&recs),
        [
            "session-start/start",
            "command/start",
            "exec/start",
            "command/end",
            "exec/start",
            "session-end/end"
        ]
    );
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["event"]["sequence"], i);
        assert_eq!(r["auditsh"]["session"], s.id());
        assert_eq!(r["auditsh"]["mode"], "command");
    }
    assert_eq!(
        recs[0]["process"]["args"],
        serde_json::json!(["auditsh", "-c", "x"])
    );
    assert_eq!(recs[0]["auditsh"]["login"], false);
    assert_eq!(recs[0]["auditsh"]["prev"], "0".repeat(64));
    assert_eq!(recs[1]["process"]["command_line"], "true; /bin/echo hi");
    assert_eq!(recs[2]["auditsh"]["command"], recs[1]["event"]["id"]);
    assert_eq!(recs[2]["process"]["executable"], "/bin/echo");
    assert_eq!(recs[3]["auditsh"]["command"], recs[1]["event"]["id"]);
    assert_eq!(recs[3]["process"]["exit_code"], 0);
    assert!(recs[4]["auditsh"].get("command").is_none());
    assert_eq!(recs[4]["auditsh"]["source"]["line"], 3);
    assert_eq!(recs[5]["auditsh"]["end_reason"], "exit");
    assert_eq!(recs[5]["process"]["exit_code"], 0);

    // The syslog copy is the same bytes.
    let msgs = rx.take(6);
    let spool_lines = lines(&text);
    assert_eq!(msgs.len(), 6);
    for (m, l) in msgs.iter().zip(&spool_lines) {
        assert!(
            m.starts_with(b"<86>"),
            "authpriv.info: {}",
            String::from_utf8_lossy(m)
        );
        let tag = format!(" auditsh[{}]: {{", std::process::id());
        assert!(m.windows(tag.len()).any(|w| w == tag.as_bytes()));
        assert_eq!(syslog_json(m), l.as_slice());
    }
}

#[test]
fn spool_file_is_where_and_how_the_readme_says() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    let s = start(c);
    let path = s.spool_path().unwrap().to_path_buf();
    let (now, _) = clock::realtime();
    assert_eq!(
        path,
        t.join("spool")
            .join(clock::date(now))
            .join(format!("{}.jsonl", s.id()))
    );
    assert_eq!(s.id().len(), 32);
    assert!(s
        .id()
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // The spool file, which is also the lock of the shared state (an anonymous mapping, no
    // descriptor of its own).
    let fds = s.owned_fds();
    assert_eq!(fds.len(), 1, "the spool: {fds:?}");
    for fd in fds {
        assert!(fd >= 100, "{fd}");
        assert!(sys::fd::is_private(fd), "fd {fd}");
    }
}

#[test]
fn owned_fds_include_the_syslog_socket() {
    let t = TempDir::new("unit");
    let _rx = Receiver::bind(&t.join("log.sock"));
    let s = start(config(t.path()));
    let fds = s.owned_fds();
    assert_eq!(fds.len(), 2, "spool and syslog: {fds:?}");
    assert!(fds.iter().all(|&fd| fd >= 100));
    assert_eq!(s.system_rc(), Some(b"/etc/auditsh/auditshrc".to_vec()));
}

#[test]
fn without_a_spool_the_shared_state_has_its_own_descriptor() {
    let t = TempDir::new("unit");
    let _rx = Receiver::bind(&t.join("log.sock"));
    let mut c = config(t.path());
    c.spool.enabled = false;
    let s = start(c);
    let fds = s.owned_fds();
    assert_eq!(fds.len(), 2, "syslog and the shared state's memfd: {fds:?}");
    assert!(fds.iter().all(|&fd| fd >= 100));
}

/// A command line during which the shell and a forked child each start 50 programs at once,
/// then the session's end: 104 records. Returns the child's pid.
fn shell_and_child_write_50_each(s: &mut Session) -> sys::process::pid_t {
    let id = s.command_start(b"(loop) & loop", b"/", None).unwrap();
    s.before_fork();
    let pid = sys::process::fork_running(|| {
        let me = s.new_process();
        s.after_fork(me);
        for i in 0..50 {
            let _ = s.exec_for_test(b"/bin/child", &argv(&["child", &i.to_string()]), b"/", None);
        }
        // A child never writes session-end.
        s.end(Some(0), EndReason::Exit);
    });
    for i in 0..50 {
        s.exec_for_test(
            b"/bin/parent",
            &argv(&["parent", &i.to_string()]),
            b"/",
            None,
        )
        .unwrap();
    }
    let status = sys::process::wait(pid, 0).unwrap().unwrap().1;
    assert!(sys::process::exited_zero(status));
    s.command_end(id, 0, None);
    s.end(Some(0), EndReason::Exit);
    pid
}

#[test]
fn forked_children_continue_one_gapless_chain() {
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let mut s = start(config(t.path()));
    let pid = shell_and_child_write_50_each(&mut s);

    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(104));
    let recs = records(&text);
    let mut seen = std::collections::BTreeSet::new();
    let (mut parent, mut child) = (0, 0);
    for r in &recs {
        assert!(seen.insert(r["event"]["sequence"].as_u64().unwrap()));
        if r["event"]["action"] == "exec" {
            assert_eq!(r["auditsh"]["command"], recs[1]["event"]["id"]);
            if r["process"]["executable"] == "/bin/child" {
                child += 1;
                assert_eq!(r["process"]["pid"], pid);
                assert_eq!(r["process"]["parent"]["pid"], std::process::id());
            } else {
                parent += 1;
                assert_eq!(r["process"]["pid"], std::process::id());
            }
        }
    }
    assert_eq!((parent, child), (50, 50));
    assert_eq!(seen.len(), 104);
    assert_eq!(
        recs.iter()
            .filter(|r| r["event"]["action"] == "session-end")
            .count(),
        1
    );
    assert_eq!(recs.last().unwrap()["event"]["action"], "session-end");
    // Each process sends its records' syslog copies when it would block, so the two
    // processes' copies may interleave differently from the spool's lines: every line, once.
    let msgs = rx.take(104);
    let mut got: Vec<&[u8]> = msgs.iter().map(|m| syslog_json(m)).collect();
    let spool_lines = lines(&text);
    let mut want: Vec<&[u8]> = spool_lines.iter().map(|l| l.as_slice()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn forked_children_keep_one_chain_without_a_spool() {
    // The lock is then on the shared state's memfd: syslog alone must still get one gapless
    // chain, in order, from the shell and a child writing at once.
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let mut c = config(t.path());
    c.spool.enabled = false;
    let mut s = start(c);
    shell_and_child_write_50_each(&mut s);
    let mut text = Vec::new();
    for m in rx.take(104) {
        text.extend_from_slice(syslog_json(&m));
        text.push(b'\n');
    }
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(104));
}

#[test]
fn dead_syslog_socket_is_one_failure_and_no_wait() {
    let t = TempDir::new("unit");
    let before = Instant::now();
    let mut s = start(config(t.path())); // nothing bound at log.sock
    for i in 0..20 {
        s.exec_for_test(b"/bin/true", &argv(&["true", &i.to_string()]), b"/", None)
            .unwrap();
    }
    s.end(Some(0), EndReason::Exit);
    assert!(
        before.elapsed() < Duration::from_secs(2),
        "{:?}",
        before.elapsed()
    );
    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(23));
    let recs = records(&text);
    let failures: Vec<&Value> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "audit-failure")
        .collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["auditsh"]["sink"], "syslog");
    assert_eq!(failures[0]["event"]["type"][0], "error");
    let msg = failures[0]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("log.sock"), "{msg}");
    // The first exec's syslog copy, sent when the shell waits for it, finds syslog gone.
    assert_eq!(recs[2]["event"]["action"], "audit-failure");
}

#[test]
fn syslog_recovery_is_recorded() {
    let t = TempDir::new("unit");
    let mut s = start(config(t.path()));
    s.exec_for_test(b"/bin/a", &argv(&["a"]), b"/", None)
        .unwrap();
    let rx = Receiver::bind(&t.join("log.sock"));
    s.exec_for_test(b"/bin/b", &argv(&["b"]), b"/", None)
        .unwrap();
    s.end(Some(0), EndReason::Exit);
    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(6));
    let recs = records(&text);
    assert_eq!(
        actions(&recs),
        [
            "session-start/start",
            "exec/start",
            "audit-failure/error",
            "exec/start",
            "audit-failure/info",
            "session-end/end"
        ]
    );
    assert_eq!(recs[4]["auditsh"]["sink"], "syslog");
    assert_eq!(recs[4]["auditsh"]["recovered"], true);
    // Syslog lost session-start, the failure notice and the first exec.
    assert_eq!(recs[4]["auditsh"]["lost"]["count"], 3);
    assert_eq!(recs[4]["auditsh"]["lost"]["first_sequence"], 0);
    let msgs = rx.take(3);
    let spool_lines = lines(&text);
    let got: Vec<&[u8]> = msgs.iter().map(|m| syslog_json(m)).collect();
    assert_eq!(
        got,
        [
            &spool_lines[3][..],
            &spool_lines[4][..],
            &spool_lines[5][..]
        ]
    );
}

#[test]
fn syslog_daemon_restart_is_a_failure_then_a_recovery() {
    let t = TempDir::new("unit");
    let sock = t.join("log.sock");
    let rx = Receiver::bind(&sock);
    let mut s = start(config(t.path()));
    s.exec_for_test(b"/bin/a", &argv(&["a"]), b"/", None)
        .unwrap();
    assert_eq!(rx.take(2).len(), 2);
    drop(rx); // the daemon goes away
    std::fs::remove_file(&sock).unwrap();
    s.exec_for_test(b"/bin/b", &argv(&["b"]), b"/", None)
        .unwrap();
    let rx = Receiver::bind(&sock); // and comes back
    s.exec_for_test(b"/bin/c", &argv(&["c"]), b"/", None)
        .unwrap();
    s.end(Some(0), EndReason::Exit);
    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(7));
    // Syslog lost the exec of b and the failure notice.
    let recovery = &records(&text)[5];
    assert_eq!(recovery["auditsh"]["lost"]["count"], 2);
    assert_eq!(recovery["auditsh"]["lost"]["first_sequence"], 2);
    assert_eq!(
        actions(&records(&text)),
        [
            "session-start/start",
            "exec/start",
            "exec/start",
            "audit-failure/error",
            "exec/start",
            "audit-failure/info",
            "session-end/end"
        ]
    );
    let spool_lines = lines(&text);
    let msgs = rx.take(3);
    let got: Vec<&[u8]> = msgs.iter().map(|m| syslog_json(m)).collect();
    assert_eq!(
        got,
        [
            &spool_lines[4][..],
            &spool_lines[5][..],
            &spool_lines[6][..]
        ]
    );
}

#[test]
fn refuse_policy_denies_and_still_ends() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.on_failure = OnFailure::Refuse;
    c.require = Require::All;
    let mut s = start(c); // syslog is dead
    let e = s.command_start(b"rm -rf /", b"/", None).unwrap_err();
    assert!(e.message.contains("syslog"), "{}", e.message);
    let e = s
        .exec_for_test(b"/bin/rm", &argv(&["rm", "-rf", "/"]), b"/", None)
        .unwrap_err();
    assert!(!e.message.contains('\n'));
    s.end(Some(126), EndReason::Exit);
    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(7));
    let recs = records(&text);
    assert_eq!(
        actions(&recs),
        [
            "session-start/start",
            "audit-failure/error",
            "command/start",
            "denied/denied",
            "exec/start",
            "denied/denied",
            "session-end/end"
        ]
    );
    assert_eq!(recs[3]["process"]["command_line"], "rm -rf /");
    assert!(recs[3]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("syslog"));
    assert_eq!(recs[5]["process"]["executable"], "/bin/rm");
}

#[test]
fn refuse_with_any_accepts_what_the_spool_took() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.on_failure = OnFailure::Refuse;
    c.require = Require::Any;
    let mut s = start(c);
    assert!(s.command_start(b"ls", b"/", None).is_ok());
    assert!(s
        .exec_for_test(b"/bin/ls", &argv(&["ls"]), b"/", None)
        .is_ok());
}

#[test]
fn refuse_when_no_sink_works() {
    let t = TempDir::new("unit");
    std::fs::write(t.join("file"), b"").unwrap();
    let mut c = config(t.path());
    c.on_failure = OnFailure::Refuse;
    c.spool.dir = Some(t.join("file").join("spool")); // cannot be created
    let mut s = start(c);
    assert!(s.spool_path().is_none());
    assert!(s.command_start(b"ls", b"/", None).is_err());
    assert!(s
        .exec_for_test(b"/bin/ls", &argv(&["ls"]), b"/", None)
        .is_err());
    s.end(Some(0), EndReason::Exit);
}

#[test]
fn record_exec_false_writes_no_exec_records() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.record_exec = false;
    c.syslog.enabled = false;
    let mut s = start(c);
    let id = s.command_start(b"ls", b"/", None).unwrap();
    s.exec_for_test(b"/bin/ls", &argv(&["ls"]), b"/", None)
        .unwrap();
    s.command_end(id, 1, None);
    s.end(Some(1), EndReason::Eof);
    let recs = records(&spool_text(&s));
    assert_eq!(
        actions(&recs),
        [
            "session-start/start",
            "command/start",
            "command/end",
            "session-end/end"
        ]
    );
    assert_eq!(recs[2]["event"]["outcome"], "failure");
    assert_eq!(recs[3]["auditsh"]["end_reason"], "eof");
}

#[test]
fn a_panic_ends_the_named_session_unless_the_audit_was_in_use() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    let s = start(c);
    s.end_on_panic();
    // A panic inside the audit's own code: its state is borrowed, and nothing is written.
    let held = s.inner.as_ref().unwrap().borrow_mut();
    Session::end_after_panic();
    drop(held);
    assert_eq!(actions(&records(&spool_text(&s))), ["session-start/start"]);
    // A panic anywhere else: session-end, reason "error", once.
    Session::end_after_panic();
    Session::end_after_panic();
    let recs = records(&spool_text(&s));
    assert_eq!(actions(&recs), ["session-start/start", "session-end/end"]);
    assert_eq!(recs[1]["auditsh"]["end_reason"], "error");
    // A session that is gone is not ended by a later panic.
    drop(s);
    Session::end_after_panic();
}

#[test]
fn script_mode_hash_and_child_end() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    c.spool.sync = SpoolSync::Record;
    let mut s = start(c);
    let contents = b"echo hi\n";
    let id = s
        .command_start(contents, b"/", Some((b"/tmp/s.sh", contents)))
        .unwrap();
    s.command_end(id, 0, None);
    let me = s.new_process();
    s.after_fork(me);
    s.end(Some(0), EndReason::Exit); // as a child: nothing
    let recs = records(&spool_text(&s));
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[1]["auditsh"]["script"]["path"], "/tmp/s.sh");
    assert_eq!(
        recs[1]["auditsh"]["script"]["sha256"],
        record::hex(&chain::line_hash(contents))
    );
}

#[test]
fn cee_cookie_and_facility() {
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let mut c = config(t.path());
    c.syslog.cee_cookie = true;
    c.syslog.facility = "local3".parse().unwrap();
    c.spool.enabled = false;
    let mut s = start(c);
    s.end(Some(0), EndReason::Exit);
    let msgs = rx.take(2);
    assert_eq!(msgs.len(), 2);
    // local3 (19) * 8 + info (6) = 158
    assert!(msgs[0].starts_with(b"<158>"));
    let text = String::from_utf8(msgs[0].clone()).unwrap();
    assert!(
        text.contains(&format!(" auditsh[{}]: @cee: {{", std::process::id())),
        "{text}"
    );
    let v: Value = serde_json::from_slice(syslog_json(&msgs[1])).unwrap();
    assert_eq!(v["event"]["action"], "session-end");
    assert_eq!(v["event"]["sequence"], 1);
}

#[test]
fn large_records_are_cut_to_the_configured_size() {
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let mut c = config(t.path());
    c.max_record_bytes = 4096;
    let mut s = start(c);
    let long = vec![b'y'; 50_000];
    s.command_start(&long, b"/", None).unwrap();
    s.flush();
    let text = spool_text(&s);
    for l in lines(&text) {
        assert!(l.len() < 4096);
    }
    let recs = records(&text);
    assert_eq!(recs[1]["auditsh"]["truncated"], true);
    assert_eq!(recs[1]["auditsh"]["full"]["length"], 50_000);
    assert_eq!(rx.take(2).len(), 2);
}

#[test]
fn disabled_session_records_nothing() {
    let mut s = Session::disabled();
    assert!(s.command_start(b"x", b"/", None).is_ok());
    assert!(s
        .exec_for_test(b"/bin/x", &argv(&["x"]), b"/", None)
        .is_ok());
    s.end(Some(0), EndReason::Exit);
    assert!(s.owned_fds().is_empty());
    assert!(s.system_rc().is_none());
    assert!(s.spool_path().is_none());
}

/// A key state file in `dir`, of `days_ago` days before today, from `seed`.
fn key_state(dir: &Path, seed: [u8; 32], days_ago: u64) -> (PathBuf, u64) {
    let today = mac::day_of(clock::realtime().0);
    let path = dir.join("key");
    mac::Key::new(today - days_ago, seed)
        .replace_file(&path, 0o600)
        .unwrap();
    (path, today)
}

/// Every line sealed with the key of `day`, as derived from `seed` of `seed_day`.
fn assert_sealed(text: &[u8], seed: [u8; 32], seed_day: u64, day: u64) {
    let mut d = mac::Deriver::new(&mac::Key::new(seed_day, seed));
    for l in lines(text) {
        let v: Value = serde_json::from_slice(&l).unwrap();
        assert_eq!(
            v["auditsh"]["key_epoch"],
            day,
            "{}",
            String::from_utf8_lossy(&l)
        );
        let (signed, mac_hex) = mac::split_sealed(&l).expect("sealed line");
        assert_eq!(v["auditsh"]["mac"].as_str().unwrap().as_bytes(), mac_hex);
        assert_eq!(d.check(day, signed, mac_hex), Ok(true));
    }
}

#[test]
fn records_of_the_shell_and_its_children_are_sealed_with_todays_key() {
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let seed = [0x5a; 32];
    let (key, today) = key_state(t.path(), seed, 3);
    let mut c = config(t.path());
    c.mac.key_file = Some(key.clone());
    let mut s = start(c);
    shell_and_child_write_50_each(&mut s);
    let text = spool_text(&s);
    // The chain covers the lines as written, MAC included.
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(104));
    assert_sealed(&text, seed, today - 3, today);
    let msgs = rx.take(104);
    let mut got: Vec<&[u8]> = msgs.iter().map(|m| syslog_json(m)).collect();
    let spool_lines = lines(&text);
    let mut want: Vec<&[u8]> = spool_lines.iter().map(|l| l.as_slice()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "every line sealed the same in both copies");
    // The state on disk was brought forward: the key of three days ago is gone from it.
    let mut want = mac::Key::new(today - 3, seed);
    want.evolve_to(today);
    let mut d = mac::Deriver::new(&mac::Key::read(&key, false).unwrap());
    assert_eq!(d.base(), today);
    let line = lines(&text).remove(0);
    let (signed, mac_hex) = mac::split_sealed(&line).unwrap();
    assert_eq!(d.check(today, signed, mac_hex), Ok(true));
    assert_eq!(
        d.check(today - 1, signed, mac_hex),
        Err(mac::Unavailable::Before)
    );
}

#[test]
fn a_sealed_record_still_fits_the_configured_size() {
    let t = TempDir::new("unit");
    let (key, today) = key_state(t.path(), [1; 32], 0);
    let mut c = config(t.path());
    c.syslog.enabled = false;
    c.max_record_bytes = 4096;
    c.mac.key_file = Some(key);
    let mut s = start(c);
    // Every length of payload around the limit.
    for n in 3000..3200 {
        s.command_start(&vec![b'y'; n], b"/", None).unwrap();
    }
    let text = spool_text(&s);
    for l in lines(&text) {
        assert!(l.len() < 4096, "{} bytes", l.len());
    }
    assert_sealed(&text, [1; 32], today, today);
    assert_eq!(records(&text).last().unwrap()["auditsh"]["truncated"], true);
}

#[test]
fn without_its_key_a_session_says_so_and_records_without_mac() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    c.mac.key_file = Some(t.join("no-key"));
    let mut s = start(c);
    s.command_start(b"true", b"/", None).unwrap();
    let recs = records(&spool_text(&s));
    assert_eq!(
        actions(&recs),
        [
            "session-start/start",
            "audit-failure/error",
            "command/start"
        ]
    );
    assert_eq!(recs[1]["auditsh"]["sink"], "mac");
    let msg = recs[1]["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("records are not authenticated: ") && msg.contains("no-key"),
        "{msg}"
    );
    assert!(recs
        .iter()
        .all(|r| r["auditsh"].get("mac").is_none() && r["auditsh"].get("key_epoch").is_none()));
}

#[test]
fn a_session_past_midnight_seals_with_the_new_days_key() {
    let t = TempDir::new("unit");
    let seed = [0x77; 32];
    // The state of yesterday: the session starts with today's key derived from it.
    let (key, today) = key_state(t.path(), seed, 1);
    let mut c = config(t.path());
    c.syslog.enabled = false;
    c.mac.key_file = Some(key);
    let mut s = start(c);
    // The session started yesterday: its key in memory is yesterday's.
    s.inner.as_ref().unwrap().borrow_mut().w.sealer =
        Some(mac::Sealer::new(mac::Key::new(today - 1, seed)));
    s.command_start(b"true", b"/", None).unwrap();
    let text = spool_text(&s);
    let mut all = lines(&text);
    let last = all.pop().unwrap();
    // Sealed with today's key, derived in memory from yesterday's.
    assert_sealed(&last, seed, today - 1, today);
    // Before it, and sealed with yesterday's key, the record that moves the key on.
    let rollover = all.pop().unwrap();
    let v: Value = serde_json::from_slice(&rollover).unwrap();
    assert_eq!(v["event"]["action"], "key-rollover");
    assert_eq!(v["event"]["type"], serde_json::json!(["change"]));
    assert_eq!(v["auditsh"]["next_key_epoch"], today);
    assert_sealed(&rollover, seed, today - 1, today - 1);
    // With the key, the rollover opens today's key for the session. (Its session-start was
    // sealed today, before the test took the key back a day: only what follows is checked.)
    let seed_file = t.join("seed");
    mac::Key::new(today - 1, seed)
        .replace_file(&seed_file, 0o600)
        .unwrap();
    let rest = t.join("rest.jsonl");
    let mut text = rollover.clone();
    text.push(b'\n');
    text.extend_from_slice(&last);
    text.push(b'\n');
    std::fs::write(&rest, text).unwrap();
    let mut verifier = crate::auditsh_log::verify::Verifier::new();
    verifier.authenticator =
        Some(crate::auditsh_log::authenticate::Authenticator::load(&seed_file).unwrap());
    verifier
        .read_file(&rest, crate::auditsh_log::input::Format::Spool)
        .unwrap();
    let report = verifier.finish();
    let found: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].contains("record 0 is missing"), "{found:?}");
    assert!(found[1].contains("has no end"), "{found:?}");
    assert_eq!(report.authenticated, Some(2));
}

/// The spool file stops taking records part-way through one (here `ulimit -f`, as a full disk
/// would): the fragment does not stay, the records the spool lost keep their sequence numbers
/// (syslog has them), the next record in the spool chains to the last lost line, and the
/// recovery record says what was lost.
#[test]
fn records_the_spool_lost_leave_a_gap_and_no_fragment() {
    let t = TempDir::new("unit");
    let rx = Receiver::bind(&t.join("log.sock"));
    let mut s = start(config(t.path()));
    s.exec_for_test(b"/bin/a", &argv(&["a"]), b"/", None)
        .unwrap(); // 1
    let path = s.spool_path().unwrap().to_path_buf();
    let size = std::fs::metadata(&path).unwrap().len();
    s.before_fork();
    let pid = sys::process::fork_running(|| {
        let me = s.new_process();
        s.after_fork(me);
        use sys::process::{limit, resource::FSIZE, rlimit, set_limit};
        let _ = sys::signal::set_handler(sys::signal::SIGXFSZ, sys::signal::SIG_IGN);
        let lim = limit(FSIZE);
        let small = rlimit {
            rlim_cur: size + 100,
            rlim_max: lim.rlim_max,
        };
        set_limit(FSIZE, &small).unwrap();
        // 2: written in part (100 bytes), 3: the failure notice (syslog only), 4 to 7: refused.
        for i in 0..5 {
            let _ = s.exec_for_test(b"/bin/lost", &argv(&["lost", &i.to_string()]), b"/", None);
        }
        // The soft limit goes back up to what it was.
        set_limit(FSIZE, &lim).unwrap();
        let _ = s.exec_for_test(b"/bin/back", &argv(&["back"]), b"/", None); // 8, then the recovery: 9
    });
    let status = sys::process::wait(pid, 0).unwrap().unwrap().1;
    assert!(sys::process::exited_zero(status));
    s.end(Some(0), EndReason::Exit); // 10

    let text = spool_text(&s);
    // Every line is a whole record: the fragment of record 2 was not left behind.
    let recs = records(&text);
    let seqs: Vec<u64> = recs
        .iter()
        .map(|r| r["event"]["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [0, 1, 8, 9, 10]);
    assert_eq!(recs[3]["event"]["action"], "audit-failure");
    assert_eq!(recs[3]["auditsh"]["sink"], "spool");
    assert_eq!(recs[3]["auditsh"]["recovered"], true);
    assert_eq!(recs[3]["auditsh"]["lost"]["count"], 6);
    assert_eq!(recs[3]["auditsh"]["lost"]["first_sequence"], 2);

    // Syslog has every record, and the chain runs through the lost ones.
    let msgs = rx.take(11);
    let got: Vec<&[u8]> = msgs.iter().map(|m| syslog_json(m)).collect();
    assert_eq!(got.len(), 11);
    assert_eq!(
        crate::auditsh_log::verify::one_session(&got.join(&b'\n')),
        Ok(11)
    );
    let failure: Value = serde_json::from_slice(got[3]).unwrap();
    assert_eq!(failure["event"]["action"], "audit-failure");
    let msg = failure["error"]["message"].as_str().unwrap();
    assert!(msg.contains("short write (100 of "), "{msg}");
    assert!(
        msg.contains(path.to_str().unwrap()),
        "the record names the file: {msg}"
    );
    assert_eq!(
        recs[2]["auditsh"]["prev"].as_str().unwrap().as_bytes(),
        &chain::hex64(&chain::line_hash(got[7]))[..]
    );
}

/// A day directory that cannot be written (here a file stands in its place, which stops
/// root too) sends the installed shell's session to `<date>.1`, and says why; without the
/// detour the error stands.
#[test]
fn a_day_that_cannot_be_written_detours_to_another_directory_of_the_spool() {
    let t = TempDir::new("unit");
    let spool = t.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    std::fs::write(spool.join("2026-12-03"), b"not a directory").unwrap();
    let e = sink::spool::Spool::open(&spool, "2026-12-03", "x", false)
        .err()
        .expect("no detour: the error stands");
    assert!(e.contains("2026-12-03"), "{e}");
    let opened = sink::spool::Spool::open(&spool, "2026-12-03", "x", true).unwrap();
    assert_eq!(opened.spool.path(), spool.join("2026-12-03.1/x.jsonl"));
    let why = opened.detour.expect("the detour is said");
    assert!(why.starts_with(&e), "{why} / {e}");
    assert!(why.contains("2026-12-03.1"), "{why}");
    // The next session finds the detour directory there and uses it too.
    std::fs::write(spool.join("2026-12-03.1/y.jsonl"), b"").unwrap();
    let again = sink::spool::Spool::open(&spool, "2026-12-03", "y", true).unwrap();
    assert_eq!(again.spool.path(), spool.join("2026-12-03.1/y.jsonl"));
    // A day that can be written takes no detour.
    let fine = sink::spool::Spool::open(&spool, "2026-12-04", "z", true).unwrap();
    assert!(fine.detour.is_none());
    assert_eq!(fine.spool.path(), spool.join("2026-12-04/z.jsonl"));
}

/// A fragment the spool could not remove is ended by the next record's write: the record
/// starts its own line.
#[test]
fn the_next_record_ends_a_fragment_left_in_the_spool() {
    let t = TempDir::new("unit");
    let opened = sink::spool::Spool::open(&t.join("spool"), "2026-12-03", "x", false).unwrap();
    let mut spool = opened.spool;
    std::fs::write(spool.path(), b"{\"torn").unwrap();
    let mut partial = 1;
    spool.write(b"{\"whole\":1}\n", &mut partial).unwrap();
    assert_eq!(partial, 0);
    assert_eq!(
        std::fs::read(spool.path()).unwrap(),
        b"{\"torn\n{\"whole\":1}\n"
    );
    spool.write(b"{\"next\":2}\n", &mut partial).unwrap();
    assert!(std::fs::read(spool.path())
        .unwrap()
        .ends_with(b"1}\n{\"next\":2}\n"));
}

/// Past `limits.session_bytes`, records keep their fixed fields and cut their text to its
/// SHA-256 and length, and one audit-failure says so.
#[test]
fn past_the_session_budget_records_are_cut_and_one_notice_says_so() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    let long = "x".repeat(3000);
    // session-start and two of these records fit, the third does not: sizes measured on a
    // session without a budget (the shell's own path and arguments are in every record).
    let mut probe = start(c.clone());
    for _ in 0..3 {
        probe
            .exec_for_test(b"/bin/true", &argv(&["true", &long]), b"/", None)
            .unwrap();
    }
    let sizes: Vec<usize> = lines(&spool_text(&probe))
        .iter()
        .map(|l| l.len() + 1)
        .collect();
    c.limits.session_bytes = (sizes[0] + sizes[1] + sizes[2] + sizes[3] / 2) as u64;
    let budget = c.limits.session_bytes;
    let mut s = start(c);
    for _ in 0..6 {
        s.exec_for_test(b"/bin/true", &argv(&["true", &long]), b"/", None)
            .unwrap();
    }
    s.end(Some(0), EndReason::Exit);
    let text = spool_text(&s);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(9));
    let recs = records(&text);
    let whole: Vec<&Value> = recs
        .iter()
        .filter(|r| r["process"]["args"][1].as_str() == Some(long.as_str()))
        .collect();
    assert_eq!(whole.len(), 2, "{text:?}");
    let notices: Vec<&Value> = recs
        .iter()
        .filter(|r| r["auditsh"]["budget"].is_object())
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["event"]["action"], "audit-failure");
    assert_eq!(notices[0]["auditsh"]["budget"]["name"], "session_bytes");
    assert_eq!(notices[0]["auditsh"]["budget"]["bytes"], budget);
    // The first record past the budget, then the notice.
    assert_eq!(recs[3]["auditsh"]["truncated"], true);
    assert_eq!(recs[4]["auditsh"]["budget"]["name"], "session_bytes");
    let full_sha = {
        let mut h = Sha256::new();
        h.update(b"true\0");
        h.update(long.as_bytes());
        h.update(b"\0");
        record::hex(&h.finalize())
    };
    for (r, line) in recs[5..8].iter().zip(&lines(&text)[5..8]) {
        assert_eq!(r["event"]["action"], "exec");
        assert_eq!(r["auditsh"]["truncated"], true);
        assert_eq!(r["auditsh"]["full"]["sha256"], full_sha.as_str());
        assert_eq!(r["auditsh"]["full"]["length"], 3006);
        assert_eq!(r["user"]["id"], recs[0]["user"]["id"]);
        assert!(
            line.len() < budget::OVER_BUDGET_RECORD_BYTES,
            "{} bytes: {}",
            line.len(),
            String::from_utf8_lossy(line)
        );
    }
    assert_eq!(recs[8]["event"]["action"], "session-end");
}

/// `limits.user_day_bytes` counts all of one user's sessions of the day: a second session
/// starts where the first left off.
#[test]
fn the_user_day_budget_is_shared_by_the_users_sessions() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    let long = "y".repeat(3000);
    let mut first = start(c.clone());
    for _ in 0..2 {
        first
            .exec_for_test(b"/bin/true", &argv(&["true", &long]), b"/", None)
            .unwrap();
    }
    first.end(Some(0), EndReason::Exit);
    let text = spool_text(&first);
    assert!(records(&text)
        .iter()
        .all(|r| r["auditsh"]["truncated"].is_null()));
    // Room for the second session's start, not for one of these records.
    let start_len = lines(&text)[0].len() as u64 + 1;
    c.limits.user_day_bytes = text.len() as u64 + start_len + 500;
    let mut second = start(c);
    for _ in 0..2 {
        second
            .exec_for_test(b"/bin/true", &argv(&["true", &long]), b"/", None)
            .unwrap();
    }
    second.end(Some(0), EndReason::Exit);
    let recs = records(&spool_text(&second));
    assert_eq!(recs[1]["auditsh"]["truncated"], true, "{recs:?}");
    assert_eq!(recs[2]["auditsh"]["budget"]["name"], "user_day_bytes");
    assert_eq!(recs[3]["auditsh"]["truncated"], true);
    assert_eq!(
        recs.iter()
            .filter(|r| r["auditsh"]["budget"].is_object())
            .count(),
        1
    );
}

/// A session whose `session-end` is the record that passes the user's day budget still ends
/// with it: no notice after the end (the day's next record carries the notice instead).
#[test]
fn a_session_end_past_the_day_budget_is_still_the_last_record() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    let mut first = start(c.clone());
    first
        .exec_for_test(b"/bin/true", &argv(&["true"]), b"/", None)
        .unwrap();
    first.end(Some(0), EndReason::Exit);
    let text = spool_text(&first);
    let end_len = lines(&text).last().unwrap().len() as u64 + 1;
    // The second session's start and exec fit; its end passes the budget.
    c.limits.user_day_bytes = text.len() as u64 * 2 - end_len / 2;
    let mut second = start(c);
    second
        .exec_for_test(b"/bin/true", &argv(&["true"]), b"/", None)
        .unwrap();
    second.end(Some(0), EndReason::Exit);
    let text = spool_text(&second);
    assert_eq!(crate::auditsh_log::verify::one_session(&text), Ok(3));
    let recs = records(&text);
    assert_eq!(recs.last().unwrap()["event"]["action"], "session-end");
    assert!(
        recs.iter().all(|r| r["auditsh"]["budget"].is_null()),
        "{recs:?}"
    );
}

/// Sessions one user starts per second beyond `limits.sessions_per_second` wait for the next
/// second, and their session-start records say how long.
#[test]
fn sessions_beyond_the_rate_wait_and_say_so() {
    let t = TempDir::new("unit");
    let mut c = config(t.path());
    c.syslog.enabled = false;
    c.limits.sessions_per_second = 2;
    let before = Instant::now();
    let sessions: Vec<Session> = (0..5).map(|_| start(c.clone())).collect();
    assert!(
        before.elapsed() >= Duration::from_millis(900),
        "{:?}",
        before.elapsed()
    );
    let waited: Vec<bool> = sessions
        .iter()
        .map(|s| records(&spool_text(s))[0]["auditsh"]["start_waited_ms"].is_u64())
        .collect();
    assert!(waited.iter().filter(|&&w| w).count() >= 2, "{waited:?}");
    assert!(!waited[0]);
}

#[test]
fn rate_counter_takes_per_second_places() {
    let t = TempDir::new("unit");
    let u = budget::UserCounters::open(t.path(), 4242).unwrap();
    assert!(u.take_start(100, 2));
    assert!(u.take_start(100, 2));
    assert!(!u.take_start(100, 2));
    assert!(u.take_start(101, 2));
    // Another session of the same user sees the same counters.
    let other = budget::UserCounters::open(t.path(), 4242).unwrap();
    assert!(other.take_start(101, 2));
    assert!(!u.take_start(101, 2));
    other.add_day_bytes(10);
    u.add_day_bytes(5);
    assert_eq!(other.day_bytes(), 15);
}
