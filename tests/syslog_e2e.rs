//! The syslog sink against a real rsyslogd (README, "What is recorded"; `audit::sink::syslog`):
//! the daemon runs with its own config on a private socket in a temporary directory and writes
//! the raw message of every `authpriv` record to a file, which is compared with the spool.
//!
//! Without /usr/sbin/rsyslogd each test says `SKIPPED: ...` on stderr and passes, unless
//! `AUDITSH_E2E=required`.

mod common;

use common::rsyslog::*;
use common::{kind, records, AuditEnv, TempDir, AUDITSH_LOG};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Each spool file's lines grouped by session (and checked: one session per file, a whole
/// chain).
fn spool_sessions(env: &AuditEnv) -> BTreeMap<String, Vec<Vec<u8>>> {
    let mut map = BTreeMap::new();
    for f in env.spool_files() {
        let text = std::fs::read(&f).unwrap();
        let mut s = by_session(&text);
        assert_eq!(s.len(), 1, "one session in {}", f.display());
        check_chain(&f.display().to_string(), &text);
        map.append(&mut s);
    }
    map
}

/// rsyslog's copy holds exactly the spool's lines, byte for byte, in the same order for each
/// session.
fn assert_same_lines(
    spool: &BTreeMap<String, Vec<Vec<u8>>>,
    syslog: &BTreeMap<String, Vec<Vec<u8>>>,
) {
    assert_eq!(
        spool.keys().collect::<Vec<_>>(),
        syslog.keys().collect::<Vec<_>>(),
        "the same sessions in the spool and in rsyslog's output"
    );
    for (session, lines) in spool {
        let got = &syslog[session];
        assert_eq!(got.len(), lines.len(), "session {session}: record count");
        for (i, (a, b)) in lines.iter().zip(got).enumerate() {
            assert!(
                a == b,
                "session {session}, record {i}: spool and rsyslog differ\nspool:  {}\nsyslog: {}",
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
    }
}

/// A test environment whose records go to the daemon.
fn env_for(rsyslog: &Rsyslog) -> AuditEnv {
    AuditEnv::builder()
        .tag("rsyslog-shell")
        .syslog_socket(&rsyslog.socket)
        .build()
}

/// The shell run in `env` with `args`, to be waited for with its output.
fn spawn(env: &AuditEnv, args: &[&str]) -> std::process::Child {
    env.command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start auditsh")
}

fn total(map: &BTreeMap<String, Vec<Vec<u8>>>) -> usize {
    map.values().map(Vec::len).sum()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn rsyslogd_receives_every_record_byte_for_byte() {
    if !rsyslogd_present("rsyslogd_receives_every_record_byte_for_byte") {
        return;
    }
    let _serial = serial();
    let tmp = TempDir::new("rsyslog-bytes");
    let rsyslog = Rsyslog::start(tmp.path());
    let env = env_for(&rsyslog);

    // Text that JSON must escape, non-ASCII text, bytes that are not UTF-8, control
    // characters from a program's output, a pipeline, a subshell and a command substitution.
    let tricky = "/bin/echo 'caf\u{e9} \"}' '\\' '{\"event\":1}' >/dev/null; \
                  x=$(/usr/bin/printf '\\033[2J\\001\\377\\t'); /bin/echo \"$x\" | /bin/cat >/dev/null; \
                  (/bin/true \"a  b\" '  lead'); /bin/false || /bin/true";
    let out = env.run(&["-c", tricky], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    // A command line far over max_record_bytes: the records are truncated, and the largest
    // datagrams the shell sends (about 64 KiB) arrive whole.
    let big = format!("/bin/true {}", "x".repeat(100_000));
    let out = env.run(&["-c", &big], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Commands on standard input: one command line each.
    let out = env.run(
        &[],
        Some(b"/bin/echo one >/dev/null\ncd /tmp\n/bin/true two\nexit 3\n"),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));

    let sessions = spool_sessions(&env);
    assert_eq!(sessions.len(), 3);
    let text = rsyslog.wait_for(total(&sessions), Duration::from_secs(30));
    let received = by_session(&text);
    assert_same_lines(&sessions, &received);

    // What was compared is what it should be: the tricky text escaped once, the big record
    // truncated, no audit failure anywhere.
    let all: Vec<Value> = records(&text);
    assert!(all.iter().all(|r| r["event"]["action"] != "audit-failure"));
    assert!(all.iter().any(|r| r["process"]["command_line"] == tricky));
    assert!(all
        .iter()
        .any(|r| r["process"]["args"][1] == "caf\u{e9} \"}"));
    assert!(all.iter().any(
        |r| r["process"]["args"][1] == "\u{1b}[2J\u{1}\\xff\t" && r["auditsh"]["lossy"] == true
    ));
    assert!(all
        .iter()
        .any(|r| r["process"]["args"] == serde_json::json!(["/bin/true", "a  b", "  lead"])));
    let truncated: Vec<&Value> = all
        .iter()
        .filter(|r| r["auditsh"]["truncated"] == true)
        .collect();
    assert!(
        truncated.len() >= 2,
        "the big command line and its exec are truncated"
    );
    assert!(text.len() > 120_000);
}

#[test]
fn fifty_concurrent_sessions_lose_nothing() {
    if !rsyslogd_present("fifty_concurrent_sessions_lose_nothing") {
        return;
    }
    let _serial = serial();
    const SESSIONS: usize = 50;
    const EXECS: usize = 100;
    let tmp = TempDir::new("rsyslog-load");
    let rsyslog = Rsyslog::start(tmp.path());
    let env = env_for(&rsyslog);
    let script = format!("i=0; while [ $i -lt {EXECS} ]; do /bin/true; i=$((i+1)); done");

    let children: Vec<_> = (0..SESSIONS)
        .map(|_| spawn(&env, &["-c", &script]))
        .collect();
    // Every shell finishes before anything is checked.
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let warned = outputs.iter().filter(|o| !o.stderr.is_empty()).count();
    for out in &outputs {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
        assert_eq!(
            stderr(out),
            "",
            "no sink may fail ({warned} of {SESSIONS} sessions warned)"
        );
    }

    let sessions = spool_sessions(&env);
    assert_eq!(sessions.len(), SESSIONS);
    for (session, lines) in &sessions {
        let recs = records(&joined(lines));
        let kinds: Vec<String> = recs.iter().map(kind).collect();
        let failures = kinds
            .iter()
            .filter(|k| k.starts_with("audit-failure"))
            .count();
        assert_eq!(failures, 0, "session {session}: a sink failed: {kinds:?}");
        assert_eq!(
            kinds.iter().filter(|k| *k == "exec/start").count(),
            EXECS,
            "session {session}"
        );
        assert_eq!(lines.len(), 2 * EXECS + 4, "session {session}: {kinds:?}");
        assert_eq!(
            kinds.iter().filter(|k| *k == "end/end").count(),
            EXECS,
            "session {session}: an end record for every program"
        );
        assert_eq!(kinds[0], "session-start/start");
        assert_eq!(kinds[lines.len() - 1], "session-end/end");
    }

    let text = rsyslog.wait_for(total(&sessions), Duration::from_secs(120));
    let received = by_session(&text);
    for (session, lines) in &received {
        check_chain(
            &format!("rsyslog's copy of session {session}"),
            &joined(lines),
        );
    }
    assert_same_lines(&sessions, &received);
}

/// Spool records of one session, as parsed values.
#[test]
fn syslog_daemon_stopped_and_restarted_mid_session() {
    if !rsyslogd_present("syslog_daemon_stopped_and_restarted_mid_session") {
        return;
    }
    let _serial = serial();
    const ROUNDS: usize = 40;
    let script =
        format!("i=0; while [ $i -lt {ROUNDS} ]; do /bin/true; sleep 0.05; i=$((i+1)); done");
    let tmp = TempDir::new("rsyslog-stop");

    // The same loop without syslog: how long it takes on this machine now.
    let quiet = AuditEnv::builder()
        .tag("rsyslog-quiet")
        .syslog(false)
        .build();
    let t = Instant::now();
    let out = quiet.run(&["-c", &script], None);
    let baseline = t.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let mut rsyslog = Rsyslog::start(tmp.path());
    let env = env_for(&rsyslog);
    let exec_count = |recs: &[Value]| recs.iter().filter(|r| kind(r) == "exec/start").count();
    let read_spool = || -> Vec<Value> {
        let files = env.spool_files();
        match files.first() {
            Some(f) => {
                let text = std::fs::read(f).unwrap();
                let end = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                records(&text[..end])
            }
            None => Vec::new(),
        }
    };
    let wait_until = |what: &str, pred: &dyn Fn(&[Value]) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if pred(&read_spool()) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    };

    let t = Instant::now();
    let mut child = spawn(&env, &["-c", &script]);
    // A quarter of the way in, the daemon dies.
    wait_until("a quarter of the loop", &|r| exec_count(r) >= ROUNDS / 2);
    rsyslog.kill();
    wait_until("the syslog failure record", &|r| {
        r.iter().any(|r| kind(r) == "audit-failure/error")
    });
    // It comes back on the same socket while the shell is still running.
    assert!(
        child.try_wait().unwrap().is_none(),
        "the shell is still running when the daemon comes back"
    );
    let restarted_at = exec_count(&read_spool());
    rsyslog.restart();
    let out = child.wait_with_output().unwrap();
    let elapsed = t.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Never blocked: a correctness bound (it must not wait on the dead socket), not a
    // benchmark.
    assert!(
        elapsed < baseline * 2 + Duration::from_secs(1),
        "with the daemon stopped the shell took {elapsed:?}, without syslog {baseline:?}"
    );
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one warning: {err}");
    assert!(err.starts_with("auditsh: audit: syslog: "), "{err}");

    let text = env.spool_text();
    let recs = records(&text);
    check_chain("spool", &text);
    assert_eq!(exec_count(&recs), 2 * ROUNDS, "every program recorded");
    let failures: Vec<&Value> = recs
        .iter()
        .filter(|r| kind(r) == "audit-failure/error")
        .collect();
    assert_eq!(failures.len(), 1, "one failure record for the episode");
    assert_eq!(failures[0]["auditsh"]["sink"], "syslog");
    assert!(failures[0]["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    let recoveries: Vec<&Value> = recs
        .iter()
        .filter(|r| kind(r) == "audit-failure/info")
        .collect();
    assert_eq!(recoveries.len(), 1, "one recovery record");
    let recovery = recoveries[0];
    assert_eq!(recovery["auditsh"]["sink"], "syslog");
    assert_eq!(recovery["auditsh"]["recovered"], true);
    let seq = |r: &Value| r["event"]["sequence"].as_u64().unwrap();
    assert!(seq(recovery) > seq(failures[0]));
    // The daemon came back before the loop ended, and records went on after the recovery.
    assert!(restarted_at < 2 * ROUNDS);
    let after: Vec<&Value> = recs.iter().filter(|r| seq(r) > seq(recovery)).collect();
    assert!(after.iter().any(|r| kind(r) == "exec/start"));

    // The restarted daemon has the recovery record and everything after it, in order.
    let lines = common::lines(&text);
    let from = seq(recovery) as usize;
    let want: Vec<Vec<u8>> = lines[from..].iter().map(|l| l.to_vec()).collect();
    let received = rsyslog.wait_for(want.len(), Duration::from_secs(30));
    let got = by_session(&received);
    let session = recs[0]["auditsh"]["session"].as_str().unwrap();
    let got = &got[session];
    assert!(
        got.ends_with(&want),
        "rsyslog has the records from the recovery on, in order"
    );
    // And nothing that the spool does not have.
    for l in got {
        assert!(lines.contains(&l.as_slice()));
    }
}

#[test]
fn unwritable_spool_refuses_and_syslog_has_the_denial() {
    if !rsyslogd_present("unwritable_spool_refuses_and_syslog_has_the_denial") {
        return;
    }
    let _serial = serial();
    let tmp = TempDir::new("rsyslog-refuse");
    let rsyslog = Rsyslog::start(tmp.path());
    // A directory under a regular file cannot be created, even by root.
    let file = tmp.join("not-a-directory");
    std::fs::write(&file, "").unwrap();
    let spool = file.join("spool");
    let env = AuditEnv::builder()
        .tag("rsyslog-refuse")
        .spool_dir(&spool)
        .top_toml("on_failure = \"refuse\"\nrequire = \"all\"")
        .syslog_socket(&rsyslog.socket)
        .build();
    let out = env.run(&["-c", "/bin/echo should-not-run"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "nothing ran");
    assert_eq!(out.status.code(), Some(126));
    let err = stderr(&out);
    let refused: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("command refused"))
        .collect();
    assert_eq!(refused.len(), 1, "one clear refusal line: {err}");
    assert!(
        refused[0].contains("the audit record could not be written (spool: "),
        "it says why and names the sink: {err}"
    );
    // Besides it, only the one warning of the spool's failure episode (at session start).
    let others: Vec<&str> = err
        .lines()
        .filter(|l| !l.contains("command refused"))
        .collect();
    assert!(others.len() <= 1, "{err}");
    for l in others {
        assert!(
            l.starts_with("auditsh: audit: spool: ")
                && l.ends_with("(commands are refused until it works again)"),
            "{err}"
        );
    }
    assert!(!spool.exists());

    // session-start, the spool's failure, the denial, session-end: all in syslog, chained.
    let text = rsyslog.wait_for(4, Duration::from_secs(30));
    let sessions = by_session(&text);
    assert_eq!(sessions.len(), 1);
    let lines = sessions.values().next().unwrap();
    check_chain("rsyslog's copy", &joined(lines));
    let recs = records(&text);
    let kinds: Vec<String> = recs.iter().map(kind).collect();
    let denied: Vec<&Value> = recs.iter().filter(|r| kind(r) == "denied/denied").collect();
    assert_eq!(denied.len(), 1, "{kinds:?}");
    assert_eq!(
        denied[0]["process"]["command_line"],
        "/bin/echo should-not-run"
    );
    assert!(denied[0]["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("spool")));
    let failures: Vec<&Value> = recs
        .iter()
        .filter(|r| kind(r) == "audit-failure/error")
        .collect();
    assert_eq!(failures.len(), 1, "{kinds:?}");
    assert_eq!(failures[0]["auditsh"]["sink"], "spool");
    assert!(!kinds.iter().any(|k| k == "exec/start"), "{kinds:?}");
    assert_eq!(kinds.last().map(String::as_str), Some("session-end/end"));
}

/// The JSON of a line rsyslog wrote, and the kernel's credentials of its sender when the line
/// carries them (`trusted(uid=U,gid=G,pid=P)`, packaging/rsyslog/auditsh.conf) with the pid of
/// its `auditsh[PID]` tag.
fn sender_and_json(line: &[u8]) -> (Option<(String, String)>, u32, &[u8]) {
    let brace = line.iter().position(|&b| b == b'{').expect("a record");
    let prefix = String::from_utf8_lossy(&line[..brace]).into_owned();
    let tag: u32 = prefix
        .split("auditsh[")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no auditsh[PID] tag in {prefix:?}"));
    let trusted = prefix.split("trusted(").nth(1).map(|r| {
        let inner = r.split(')').next().unwrap();
        let get = |k: &str| {
            inner
                .split(',')
                .find_map(|kv| kv.strip_prefix(k))
                .unwrap_or("")
                .to_string()
        };
        (get("uid="), get("pid="))
    });
    (trusted, tag, &line[brace..])
}

fn verify(paths: &[&Path]) -> (Option<i32>, String) {
    let out = std::process::Command::new(AUDITSH_LOG)
        .arg("verify")
        .args(paths)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// rsyslog cuts messages at its maxMessageSize, 8 KiB unless configured: with the shipped
/// snippet records of 20 KB arrive whole and carry their sender's credentials; without it
/// they are cut, and `verify` says so, proven by the spool copy, instead of calling them
/// altered.
#[test]
fn long_records_reach_syslog_whole_with_the_shipped_rsyslog_snippet() {
    if !rsyslogd_present("long_records_reach_syslog_whole_with_the_shipped_rsyslog_snippet") {
        return;
    }
    let _serial = serial();
    let long = format!("/bin/true {}", "y".repeat(20_000));
    for snippet in [true, false] {
        let tmp = TempDir::new("rsyslog-long");
        let rsyslog = Rsyslog::start_packaged(tmp.path(), snippet);
        let env = env_for(&rsyslog);
        let out = env.run(&["-c", &long], None);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let sessions = spool_sessions(&env);
        let spool_lines = sessions.values().next().unwrap().clone();
        assert_eq!(
            spool_lines.len(),
            6,
            "session start, command, exec, the program's end, command end, session end"
        );
        assert!(spool_lines[1].len() > 20_000 && spool_lines[2].len() > 20_000);
        let text = rsyslog.wait_for(spool_lines.len(), Duration::from_secs(30));
        let lines = common::lines(&text);
        assert_eq!(lines.len(), spool_lines.len(), "{}", rsyslog.stderr());
        let (code, said) = verify(&[env.spool_dir(), &rsyslog.out]);
        if snippet {
            // SAFETY: getuid cannot fail.
            let uid = unsafe { libc::getuid() }.to_string();
            for (line, whole) in lines.iter().zip(&spool_lines) {
                let (trusted, tag, json) = sender_and_json(line);
                assert!(json == &whole[..], "whole and byte for byte");
                let (sender_uid, sender_pid) = trusted.expect("the sender's credentials");
                assert_eq!(sender_uid, uid);
                assert_eq!(sender_pid, tag.to_string());
            }
            assert_eq!(code, Some(0), "{said}");
            assert!(said.contains(", 0 findings"), "{said}");
        } else {
            let (_, _, json) = sender_and_json(lines[1]);
            assert!(
                json.len() < 8192 && spool_lines[1].starts_with(json),
                "cut at 8 KiB"
            );
            assert_eq!(code, Some(1), "{said}");
            for seq in [1, 2] {
                assert!(
                    said.contains(&format!("record {seq} was cut by the transport after")),
                    "{said}"
                );
            }
            assert!(
                !said.contains("altered") && !said.contains("torn"),
                "{said}"
            );
        }
    }
}

/// Any local user can send a well-formed auditsh line with auditsh's tag to the syslog
/// socket (`logger -t 'auditsh[4242]'`); with the shipped snippet the line carries the
/// kernel's word on who sent it, and `verify` names the forgery.
#[test]
fn a_line_forged_with_logger_is_told_by_its_sender() {
    if !rsyslogd_present("a_line_forged_with_logger_is_told_by_its_sender") {
        return;
    }
    let _serial = serial();
    let tmp = TempDir::new("rsyslog-forged");
    let rsyslog = Rsyslog::start_packaged(tmp.path(), true);
    let env = env_for(&rsyslog);
    let out = env.run(&["-c", "/bin/true genuine"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Session start, command, exec, the program's end, command end, session end.
    let genuine = rsyslog.wait_for(6, Duration::from_secs(30));
    // A whole session, well chained, of another user, under a made-up shell pid.
    let forged: Vec<Vec<u8>> = common::lines(&genuine)
        .iter()
        .map(|l| {
            let (_, _, json) = sender_and_json(l);
            String::from_utf8_lossy(json)
                .replace(
                    "\"user\":{\"name\":\"root\",\"id\":\"0\"",
                    "\"user\":{\"name\":\"alice\",\"id\":\"1000\"",
                )
                .replace(&out_session(json), "0000000000000000000000000000f0f0")
                .into_bytes()
        })
        .collect();
    let mut prev = [0u8; 32];
    for line in &forged {
        // Re-chain: each forged line's prev is the hash of the forged line before it.
        let mut v: Value = serde_json::from_slice(line).unwrap();
        v["auditsh"]["prev"] = Value::String(auditsh::audit::record::hex(&prev));
        let text = serde_json::to_string(&v).unwrap();
        prev = auditsh::audit::chain::line_hash(text.as_bytes());
        let status = std::process::Command::new("logger")
            .args(["-u"])
            .arg(&rsyslog.socket)
            // Whole records: logger cuts messages at 1 KiB unless told otherwise.
            .args(["--size", "65536"])
            .args(["-p", "authpriv.info", "-t", "auditsh[4242]", "--", &text])
            .status()
            .unwrap();
        assert!(status.success());
    }
    rsyslog.wait_for(2 * forged.len(), Duration::from_secs(30));
    let (code, said) = verify(&[&rsyslog.out]);
    assert_eq!(code, Some(1), "{said}");
    let flagged = said
        .lines()
        .filter(|l| {
            l.contains("session 0000000000000000000000000000f0f0") && l.contains("(forged?)")
        })
        .count();
    assert_eq!(flagged, forged.len(), "every forged line: {said}");
    let (_, _, first) = sender_and_json(common::lines(&genuine)[0]);
    assert!(
        !said.contains(&out_session(first)),
        "the genuine session passes: {said}"
    );
}

/// The `auditsh.session` of a record.
fn out_session(json: &[u8]) -> String {
    let v: Value = serde_json::from_slice(json).unwrap();
    v["auditsh"]["session"].as_str().unwrap().to_string()
}

/// Where syslog gets a record before its program starts (no spool, or `require = "all"`),
/// the child that becomes the program sends the `exec` record itself: its syslog tag names
/// the pid the kernel vouches for, so the record is told genuine, and every copy is whole.
#[test]
fn records_sent_before_the_program_starts_are_told_genuine() {
    if !rsyslogd_present("records_sent_before_the_program_starts_are_told_genuine") {
        return;
    }
    let _serial = serial();
    for name in ["syslog only", "require all"] {
        let tmp = TempDir::new("rsyslog-sync");
        let rsyslog = Rsyslog::start_packaged(tmp.path(), true);
        let env = env_for(&rsyslog);
        let config = env.write_config("sync.toml", |c| match name {
            "syslog only" => c.spool_off(),
            _ => c.top("require = \"all\""),
        });
        let out = env
            .command()
            .env("AUDITSH_CONFIG", &config)
            .args(["-c", "/bin/true; /bin/echo a | /bin/cat"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        // Session start, command, 3 programs with their ends, command end, session end.
        let text = rsyslog.wait_for(10, Duration::from_secs(30));
        let lines = common::lines(&text);
        assert_eq!(
            lines.len(),
            10,
            "{name}: {}",
            String::from_utf8_lossy(&text)
        );
        for line in &lines {
            let (trusted, tag, _) = sender_and_json(line);
            let (_, pid) = trusted.expect("the sender's credentials");
            assert_eq!(pid, tag.to_string(), "{name}: the tag names the sender");
        }
        let (code, said) = verify(&[&rsyslog.out]);
        assert_eq!(code, Some(0), "{name}: {said}");
        assert!(said.contains(", 0 findings"), "{name}: {said}");
    }
}
