//! The real binary's audit trail (the fields: `audit::record::schema`): run `auditsh` with `AUDITSH_CONFIG`
//! pointing at a temporary spool and a private syslog socket, parse every record line and
//! check fields, sequences, chain and the syslog copy.

mod common;

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::os::unix::process::ExitStatusExt;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The exec records of `executable`.
fn execs<'a>(recs: &'a [Value], executable: &str) -> Vec<&'a Value> {
    recs.iter()
        .filter(|r| r["event"]["action"] == "exec" && r["process"]["executable"] == executable)
        .collect()
}

#[test]
fn command_string() {
    let env = AuditEnv::new();
    let out = env.run(&["-c", "true; /bin/echo hi"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));

    let recs = check_session(&env);
    let cwd = path_str(env.dir());
    let start = &recs[0];
    assert_eq!(start["auditsh"]["mode"], "command");
    assert_eq!(start["auditsh"]["login"], false);
    assert_eq!(start["process"]["args"][1], "-c");
    assert_eq!(start["process"]["args"][2], "true; /bin/echo hi");

    let starts = of_kind(&recs, "command/start");
    assert_eq!(starts.len(), 1);
    assert_eq!(starts[0]["process"]["command_line"], "true; /bin/echo hi");
    assert_eq!(starts[0]["process"]["working_directory"], cwd.as_str());
    let ends = of_kind(&recs, "command/end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0]["auditsh"]["command"], starts[0]["event"]["id"]);
    assert_eq!(ends[0]["process"]["exit_code"], 0);
    assert_eq!(ends[0]["event"]["outcome"], "success");
    assert!(ends[0]["event"]["duration"].as_u64().is_some());

    // `true` is a built-in: the only program started is /bin/echo.
    let all_execs: Vec<&Value> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "exec")
        .collect();
    assert_eq!(all_execs.len(), 1);
    let e = execs(&recs, "/bin/echo");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["process"]["args"], json!(["/bin/echo", "hi"]));
    assert_eq!(e[0]["process"]["args_count"], 2);
    assert_eq!(e[0]["process"]["working_directory"], cwd.as_str());
    assert_eq!(e[0]["auditsh"]["command"], starts[0]["event"]["id"]);
    let seq = |r: &Value| r["event"]["sequence"].as_u64().unwrap();
    assert!(seq(starts[0]) < seq(e[0]) && seq(e[0]) < seq(ends[0]));

    let end = recs.last().unwrap();
    assert_eq!(end["process"]["exit_code"], 0);
    assert!(matches!(
        end["auditsh"]["end_reason"].as_str(),
        Some("exit" | "eof")
    ));
    assert_eq!(of_kind(&recs, "audit-failure/error").len(), 0);
}

#[test]
fn exit_status_reaches_command_end_and_session_end() {
    let env = AuditEnv::new();
    let out = env.run(&["-c", "/bin/false || exit 7"], None);
    assert_eq!(out.status.code(), Some(7));
    let recs = check_session(&env);
    let ends = of_kind(&recs, "command/end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0]["process"]["exit_code"], 7);
    assert_eq!(ends[0]["event"]["outcome"], "failure");
    assert_eq!(recs.last().unwrap()["process"]["exit_code"], 7);
    assert_eq!(recs.last().unwrap()["auditsh"]["end_reason"], "exit");
    assert_eq!(execs(&recs, "/bin/false").len(), 1);
}

#[test]
fn script_file() {
    let env = AuditEnv::new();
    let script = env.dir().join("job.sh");
    let contents = b"echo a\n/bin/true x y\nexit 3\n";
    std::fs::write(&script, contents).unwrap();
    let out = env.run(&[&path_str(&script)], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(3));

    let recs = check_session(&env);
    assert_eq!(recs[0]["auditsh"]["mode"], "script");
    let starts = of_kind(&recs, "command/start");
    assert_eq!(starts.len(), 1);
    let s = starts[0];
    assert_eq!(s["auditsh"]["script"]["path"], path_str(&script).as_str());
    assert_eq!(
        s["auditsh"]["script"]["sha256"],
        hex(&Sha256::digest(contents)).as_str()
    );
    assert_eq!(
        s["process"]["command_line"],
        "echo a\n/bin/true x y\nexit 3\n"
    );
    let e = execs(&recs, "/bin/true");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["process"]["args"], json!(["/bin/true", "x", "y"]));
    assert_eq!(e[0]["process"]["args_count"], 3);
    assert_eq!(e[0]["auditsh"]["command"], s["event"]["id"]);
    let ends = of_kind(&recs, "command/end");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0]["auditsh"]["command"], s["event"]["id"]);
    assert_eq!(ends[0]["process"]["exit_code"], 3);
    assert_eq!(recs.last().unwrap()["process"]["exit_code"], 3);
}

#[test]
fn commands_on_stdin() {
    let env = AuditEnv::new();
    let out = env.run(&[], Some(b"echo a\n/bin/true\n"));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(0));

    let recs = check_session(&env);
    assert_eq!(recs[0]["auditsh"]["mode"], "stdin");
    let starts = of_kind(&recs, "command/start");
    let texts: Vec<&str> = starts
        .iter()
        .map(|r| {
            r["process"]["command_line"]
                .as_str()
                .unwrap()
                .trim_end_matches('\n')
        })
        .collect();
    assert_eq!(texts, ["echo a", "/bin/true"]);
    let ends = of_kind(&recs, "command/end");
    assert_eq!(ends.len(), 2);
    for (s, e) in starts.iter().zip(&ends) {
        assert_eq!(e["auditsh"]["command"], s["event"]["id"]);
        assert_eq!(e["process"]["exit_code"], 0);
    }
    let e = execs(&recs, "/bin/true");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["process"]["args"], json!(["/bin/true"]));
    assert_eq!(e[0]["auditsh"]["command"], starts[1]["event"]["id"]);
    assert_eq!(
        recs.iter()
            .filter(|r| r["event"]["action"] == "exec")
            .count(),
        1
    );
    let end = recs.last().unwrap();
    assert_eq!(end["auditsh"]["end_reason"], "eof");
    assert_eq!(end["process"]["exit_code"], 0);
}

#[test]
fn programs_in_pipelines_and_subshells_share_the_chain() {
    let env = AuditEnv::new();
    let out = env.run(
        &[
            "-c",
            "/bin/echo a | /bin/cat; (/bin/true); x=$(/bin/echo b); /bin/echo $x",
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\nb\n");
    let recs = check_session(&env);
    let starts = of_kind(&recs, "command/start");
    assert_eq!(starts.len(), 1);
    assert_eq!(execs(&recs, "/bin/echo").len(), 3);
    assert_eq!(execs(&recs, "/bin/cat").len(), 1);
    assert_eq!(execs(&recs, "/bin/true").len(), 1);
    for r in recs.iter().filter(|r| r["event"]["action"] == "exec") {
        assert_eq!(r["auditsh"]["command"], starts[0]["event"]["id"]);
    }
    assert_eq!(of_kind(&recs, "session-end/end").len(), 1);
}

#[test]
fn hostile_command_text_is_one_exact_record() {
    use std::os::unix::ffi::OsStrExt;
    let env = AuditEnv::new();
    let text: &[u8] = b": '\"}' \"\x1b[2J\"\n: '\x01\xff\xfe' # {\"event\":1}";
    let mut c = env.command();
    c.arg("-c").arg(std::ffi::OsStr::from_bytes(text));
    let out = run_with_stdin(c, None);
    assert_eq!(out.status.code(), Some(0));
    let recs = check_session(&env);
    let starts = of_kind(&recs, "command/start");
    assert_eq!(starts.len(), 1);
    assert_eq!(
        starts[0]["process"]["command_line"],
        ": '\"}' \"\x1b[2J\"\n: '\x01\\xff\\xfe' # {\"event\":1}"
    );
    assert_eq!(starts[0]["auditsh"]["lossy"], true);
}

#[test]
fn malformed_config_is_named_and_auditing_continues() {
    let env = AuditEnv::new();
    std::fs::write(&env.config, "on_failure = \"warn\"\nrequire = = \"any\"\n").unwrap();
    let state = env.dir().join("state");
    let mut c = env.command();
    c.env("XDG_STATE_HOME", &state).args(["-c", "/bin/true"]);
    let out = run_with_stdin(c, None);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let want = format!("auditsh: {}: line 2: ", env.config.display());
    assert!(stderr.starts_with(&want), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.contains("line 2")).count(), 1);
    // The defaults: development spool under $XDG_STATE_HOME.
    let day = std::fs::read_dir(state.join("auditsh"))
        .expect("default spool")
        .flatten()
        .next()
        .unwrap();
    let file = std::fs::read_dir(day.path())
        .unwrap()
        .flatten()
        .find(|f| f.path().extension().is_some_and(|e| e == "jsonl"))
        .unwrap();
    let text = std::fs::read(file.path()).unwrap();
    let recs = records(&text);
    assert_eq!(execs(&recs, "/bin/true").len(), 1);
}

#[test]
fn dead_syslog_leaves_the_spool_complete() {
    let env = AuditEnv::new();
    std::fs::remove_file(env.dir().join("log.sock")).unwrap();
    let t = std::time::Instant::now();
    let out = env.run(&["-c", "/bin/true; /bin/true"], None);
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one warning: {stderr}");
    assert!(stderr.starts_with("auditsh: audit: syslog: "), "{stderr}");
    let text = env.spool_text();
    let recs = records(&text);
    assert_eq!(
        auditsh::auditsh_log::verify::one_session(&text),
        Ok(recs.len() as u64)
    );
    let failures = of_kind(&recs, "audit-failure/error");
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["auditsh"]["sink"], "syslog");
    assert_eq!(execs(&recs, "/bin/true").len(), 2);
}

#[test]
fn a_megabyte_command_line_is_one_truncated_record_with_the_full_hash() {
    let env = AuditEnv::new();
    // Script mode: the command line is the file (argv cannot carry a megabyte).
    let mut script = b"v='".to_vec();
    script.extend(std::iter::repeat_n(b'x', 1 << 20));
    script.extend_from_slice(b"'\n/bin/echo ${#v}\n");
    let path = env.dir().join("big.sh");
    std::fs::write(&path, &script).unwrap();
    let out = env.run(&[path.to_str().unwrap()], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1048576\n");
    let recs = check_session(&env);
    let start = of_kind(&recs, "command/start")[0];
    assert_eq!(start["auditsh"]["truncated"], true);
    assert_eq!(start["auditsh"]["full"]["field"], "process.command_line");
    assert_eq!(start["auditsh"]["full"]["length"], script.len() as u64);
    assert_eq!(
        start["auditsh"]["full"]["sha256"],
        hex(&Sha256::digest(&script))
    );
    let kept = start["process"]["command_line"].as_str().unwrap();
    assert!(kept.len() < 65536 && script.starts_with(kept.as_bytes()));
    // Every line, truncated or not, fits the configured maximum.
    for line in lines(&env.spool_text()) {
        assert!(line.len() <= 65536, "a line of {} bytes", line.len());
    }
}

#[test]
fn a_newline_in_a_command_never_makes_a_second_record_or_syslog_line() {
    let env = AuditEnv::new();
    let out = env.run(
        &[],
        Some(b"/bin/echo 'line one\n{\"event\":{\"action\":\"session-end\"}}\nline three'\n"),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "line one\n{\"event\":{\"action\":\"session-end\"}}\nline three\n"
    );
    let recs = check_session(&env);
    let starts = of_kind(&recs, "command/start");
    assert_eq!(starts.len(), 1, "one multi-line command, one record");
    assert_eq!(of_kind(&recs, "session-end/end").len(), 1);
    let spool = env.spool_text();
    let spool_lines = lines(&spool);
    assert_eq!(spool_lines.len(), recs.len());
    // Each syslog datagram is one record: no newline inside.
    for msg in env.syslog_messages(recs.len()) {
        assert!(!syslog_json(&msg).contains(&b'\n'));
    }
}

#[test]
fn exit_always_works_when_commands_are_refused() {
    let env = AuditEnv::builder()
        .top_toml("on_failure = \"refuse\"\nrequire = \"all\"")
        .build();
    // Make the spool unusable: its directory is a regular file.
    std::fs::remove_dir_all(env.dir().join("spool")).unwrap();
    std::fs::write(env.dir().join("spool"), b"not a directory").unwrap();
    let out = env.run(
        &[],
        Some(b"/bin/echo refused\nexit 5\n/bin/echo not reached\n"),
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn startup_files_run_in_order_and_their_programs_carry_file_and_line() {
    let env = AuditEnv::new();
    let rc = env.dir().join("system.rc");
    std::fs::write(&rc, "SYSTEM_RC=read\n/bin/echo system-rc\n").unwrap();
    // The config names the system rc; the user's ~/.profile and $ENV follow it.
    let config = std::fs::read_to_string(&env.config).unwrap().replace(
        "system_rc = \"\"",
        &format!("system_rc = \"{}\"", rc.display()),
    );
    std::fs::write(&env.config, config).unwrap();
    std::fs::write(
        env.dir().join(".profile"),
        "# the user's profile\n\n/bin/echo profile \"$SYSTEM_RC\"\n",
    )
    .unwrap();
    std::fs::write(env.dir().join("env.sh"), "/bin/echo env-file\n").unwrap();
    let mut c = env.command();
    // A login shell (-l) that is interactive (-i, without a terminal): system rc, then
    // /etc/profile and ~/.profile, then $ENV, then the commands.
    c.args(["-l", "-i"]).env("ENV", env.dir().join("env.sh"));
    let out = run_with_stdin(c, Some(b"/bin/echo typed\n"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let order: Vec<&str> = stdout
        .lines()
        .filter(|l| ["system-rc", "profile read", "env-file", "typed"].contains(l))
        .collect();
    assert_eq!(
        order,
        ["system-rc", "profile read", "env-file", "typed"],
        "{stdout}"
    );
    let recs = check_session(&env);
    let echo = |arg: &str| {
        execs(&recs, "/bin/echo")
            .into_iter()
            .find(|r| r["process"]["args"][1] == arg)
            .cloned()
            .unwrap_or_else(|| panic!("no exec record for /bin/echo {arg}"))
    };
    let rc_rec = echo("system-rc");
    assert_eq!(rc_rec["auditsh"]["source"]["file"], rc.to_str().unwrap());
    assert_eq!(rc_rec["auditsh"]["source"]["line"], 2);
    let profile = echo("profile");
    assert_eq!(
        profile["auditsh"]["source"]["file"],
        env.dir().join(".profile").to_str().unwrap()
    );
    assert_eq!(profile["auditsh"]["source"]["line"], 3);
    let typed = echo("typed");
    assert!(typed["auditsh"].get("source").is_none());
    assert_eq!(recs[0]["auditsh"]["login"], true);
}

#[test]
fn exec_records_the_program_then_ends_the_session() {
    let env = AuditEnv::new();
    let out = env.run(&["-c", "/bin/echo first; exec /bin/echo replaced"], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "first\nreplaced\n");
    let recs = check_session(&env);
    let n = recs.len();
    // The program the shell became is recorded before the session's end, which is last.
    assert_eq!(recs[n - 2]["event"]["action"], "exec");
    assert_eq!(recs[n - 2]["process"]["args"][1], "replaced");
    assert_eq!(recs[n - 1]["event"]["action"], "session-end");
    assert_eq!(recs[n - 1]["auditsh"]["end_reason"], "exec");
}

#[test]
fn a_command_line_ended_by_a_killed_program_names_the_signal() {
    let env = AuditEnv::new();
    let out = env.run(&[], Some(b"/bin/sh -c 'kill -TERM $$'\n/bin/true\n"));
    assert_eq!(out.status.code(), Some(0));
    let recs = check_session(&env);
    let ends = of_kind(&recs, "command/end");
    assert_eq!(ends.len(), 2);
    assert_eq!(ends[0]["process"]["exit_code"], 143);
    assert_eq!(ends[0]["auditsh"]["signal"], "TERM");
    assert_eq!(ends[0]["event"]["outcome"], "failure");
    assert!(ends[1]["auditsh"].get("signal").is_none());
}

/// An audit environment whose spool is a tmpfs of its own, unmounted when dropped.
struct SmallSpool(AuditEnv);

impl std::ops::Deref for SmallSpool {
    type Target = AuditEnv;
    fn deref(&self) -> &AuditEnv {
        &self.0
    }
}

impl Drop for SmallSpool {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.spool_dir())
            .status();
    }
}

/// A spool of `size` (a tmpfs: root only; without root `test` is skipped).
fn small_spool(test: &str, size: &str, top_toml: &str) -> Option<SmallSpool> {
    if !is_root() {
        skip(test, "not running as root");
        return None;
    }
    let env = AuditEnv::builder().top_toml(top_toml).build();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(env.spool_dir())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(mounted, "mount a tmpfs for the spool");
    Some(SmallSpool(env))
}

/// A full disk under the spool (a tiny tmpfs, root only): the shell goes on under `warn`,
/// says so once, and the failure is recorded in syslog with the reason.
#[test]
fn a_full_disk_is_an_audit_failure_not_a_stop() {
    let Some(env) = small_spool("a_full_disk_is_an_audit_failure_not_a_stop", "16k", "") else {
        return;
    };
    let spool = env.spool_dir().to_path_buf();
    // Fill the disk, then start a session whose command line will not fit.
    let _ = std::fs::write(spool.join("filler"), vec![b'x'; 10 * 1024]);
    let script = env.dir().join("big.sh");
    let mut text = format!("# {}\n", "y".repeat(20 * 1024)).into_bytes();
    text.extend_from_slice(b"/bin/echo still-running\n");
    std::fs::write(&script, &text).unwrap();
    let out = env.run(&[script.to_str().unwrap()], None);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still-running\n");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The disk takes part of the line (a short write) or none of it (ENOSPC): either way one
    // warning, naming the spool.
    let full = |l: &str| l.contains("No space left") || l.contains("short write");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| full(l) && l.contains("spool"))
            .count(),
        1,
        "one warning: {stderr}"
    );
    let messages = env.syslog_messages(4);
    let failures: Vec<Value> = messages
        .iter()
        .filter_map(|m| serde_json::from_slice::<Value>(syslog_json(m)).ok())
        .filter(|r| r["event"]["action"] == "audit-failure")
        .collect();
    assert!(!failures.is_empty(), "an audit-failure record in syslog");
    assert_eq!(failures[0]["auditsh"]["sink"], "spool");
    assert!(full(failures[0]["error"]["message"].as_str().unwrap_or("")));
}

/// A here-document or a `read` line larger than the memory `ulimit -v` leaves: one error line
/// (no abort, no backtrace), and the session still ends with its `session-end`.
#[test]
fn input_larger_than_memory_is_an_error_and_the_session_ends() {
    let env = AuditEnv::new();
    let room =
        "ulimit -v $(( $(sed -n 's/^VmSize: *\\([0-9]*\\).*/\\1/p' /proc/$$/status) + 4000 ))";
    let body = "a".repeat(24 << 20);
    let script = env.dir().join("big-heredoc.sh");
    std::fs::write(
        &script,
        format!("{room}\ncat <<EOF | wc -c\n{body}\nEOF\necho after\n"),
    )
    .unwrap();
    let mut c = env.command();
    c.arg(&script).env("RUST_BACKTRACE", "1");
    let out = common::run_with_stdin(c, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.trim_end().ends_with("Out of space"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("after"));
    let recs = common::records(&env.spool_text());
    let last = recs.last().unwrap();
    assert_eq!(last["event"]["action"], "session-end");
    assert_eq!(last["auditsh"]["end_reason"], "error");
}

/// A real full disk under the spool (a 256 KiB tmpfs, root only), freed again by a command of
/// the same session: no line of the spool is glued to a fragment, the records the spool lost
/// keep their sequence numbers (syslog has them all), the recovery record says which they are,
/// `auditsh-log verify` reports them as lost while the spool failed, and the warning on stderr
/// does not name the session's spool file.
#[test]
fn a_full_disk_loses_records_visibly_and_corrupts_none() {
    // Without end records, whose smaller lines would fit where the programs' did not and
    // make the spool fail and recover again and again as the disk fills.
    let Some(env) = small_spool(
        "a_full_disk_loses_records_visibly_and_corrupts_none",
        "256k",
        "record_exit = false",
    ) else {
        return;
    };
    let spool = env.spool_dir().to_path_buf();
    // Leave room for a few records only; the session's own records fill the rest.
    let filler = spool.join("filler");
    std::fs::write(&filler, vec![b'x'; 236 * 1024]).unwrap();
    let script = format!(
        "L=$(printf %2000s x)\n\
         for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true \"$L\"; done\n\
         /bin/rm {}\n\
         /bin/echo back\n\
         /bin/true again\n",
        filler.display()
    );
    // The harness reads the socket while the session runs (its queue holds 10 datagrams).
    let out = env.run(&["-c", &script], None);
    let msgs = env.syslog_messages(usize::MAX);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "back\n");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("spool")).collect();
    assert_eq!(warnings.len(), 1, "one warning: {stderr}");
    assert!(warnings[0].contains("No space left"), "{stderr}");
    assert!(!stderr.contains(spool.to_str().unwrap()), "{stderr}");
    assert!(!stderr.contains(".jsonl"), "{stderr}");

    // Every line of the spool is one whole record.
    let files = env.spool_files();
    assert_eq!(files.len(), 1);
    let text = std::fs::read(&files[0]).unwrap();
    let recs = records(&text);
    let seqs: Vec<u64> = recs
        .iter()
        .map(|r| r["event"]["sequence"].as_u64().unwrap())
        .collect();
    let recovery: Vec<&Value> = recs
        .iter()
        .filter(|r| r["auditsh"]["recovered"] == true)
        .collect();
    assert_eq!(recovery.len(), 1, "{seqs:?}");
    let recovery = recovery[0];
    assert_eq!(recovery["auditsh"]["sink"], "spool");
    let first = recovery["auditsh"]["lost"]["first_sequence"]
        .as_u64()
        .unwrap();
    let count = recovery["auditsh"]["lost"]["count"].as_u64().unwrap();
    assert!(
        first > 2 && count >= 10,
        "lost {count} from {first}: {seqs:?}"
    );
    // The spool has every sequence but the lost ones, in order.
    let last = *seqs.last().unwrap();
    let want: Vec<u64> = (0..=last)
        .filter(|q| !(first..first + count).contains(q))
        .collect();
    assert_eq!(seqs, want);
    assert_eq!(recs.last().unwrap()["event"]["action"], "session-end");

    // Syslog has them all, the lost ones included, chained.
    let syslog: Vec<&[u8]> = msgs.iter().map(|m| syslog_json(m)).collect();
    assert_eq!(syslog.len() as u64, last + 1);
    assert_eq!(
        auditsh::auditsh_log::verify::one_session(&syslog.join(&b'\n')),
        Ok(last + 1)
    );
    let failure: Value = serde_json::from_slice(syslog[first as usize + 1]).unwrap();
    assert_eq!(failure["event"]["action"], "audit-failure");
    assert_eq!(failure["auditsh"]["sink"], "spool");
    // The record names the file.
    let message = failure["error"]["message"].as_str().unwrap();
    assert!(message.contains(files[0].to_str().unwrap()), "{message}");
    eprintln!("the spool's failure: {message}");

    // verify: a loss while the spool failed, not missing records.
    let o = std::process::Command::new(AUDITSH_LOG)
        .arg("verify")
        .arg(&files[0])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!(
            "records {first} to {} ({count} records) lost while the spool failed",
            first + count - 1
        )),
        "{report}"
    );
    assert!(!report.contains("missing"), "{report}");
    assert!(report.ends_with("1 finding\n"), "{report}");
}

/// The `end` record of the program whose `exec` record is `exec` (the same entity).
fn end_of<'a>(recs: &'a [Value], exec: &Value) -> &'a Value {
    let entity = &exec["process"]["entity_id"];
    let ends: Vec<&Value> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "end" && r["process"]["entity_id"] == *entity)
        .collect();
    assert_eq!(ends.len(), 1, "one end record for {entity}");
    ends[0]
}

/// An `exec` record names the program's own pid, whichever way the shell started it: a
/// simple command (spawned), a pipeline's member and a command substitution (forked, then
/// exec'd in place).
#[test]
fn an_exec_record_names_the_pid_the_program_has() {
    let env = AuditEnv::new();
    let out = env.run(
        &[
            "-c",
            "/bin/sh -c 'echo simple $$'; /bin/sh -c 'echo piped $$' | /bin/cat; \
             x=$(/bin/sh -c 'echo substituted $$'); echo $x",
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let recs = check_session(&env);
    let shells = execs(&recs, "/bin/sh");
    assert_eq!(shells.len(), 3);
    for (how, exec) in ["simple", "piped", "substituted"].iter().zip(&shells) {
        let pid = exec["process"]["pid"].as_u64().unwrap();
        assert!(
            stdout.contains(&format!("{how} {pid}\n")),
            "{how}: record says {pid}, the program said {stdout:?}"
        );
        assert_eq!(exec["process"]["name"], "sh");
        // The shell started it: its parent, by pid and by entity.
        assert_eq!(exec["process"]["parent"]["pid"], recs[0]["process"]["pid"]);
        assert_eq!(
            exec["process"]["parent"]["entity_id"],
            recs[0]["process"]["entity_id"]
        );
        assert_eq!(end_of(&recs, exec)["process"]["pid"], pid);
    }
}

/// Every program the shell waited for has an `end` record with its exit code: in a pipeline,
/// in a subshell, killed by a signal, and one that never started.
#[test]
fn end_records_carry_each_programs_exit() {
    let env = AuditEnv::new();
    let out = env.run(
        &[
            "-c",
            "/bin/sh -c 'exit 3' | /bin/sh -c 'exit 4'; \
             (/bin/sh -c 'exit 5'; /bin/sh -c 'exit 6'); \
             /bin/sh -c 'kill -9 $$'; \
             nosuchprogram-xyz; \
             /etc/passwd; \
             exit 0",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let recs = check_session(&env);
    let shells = execs(&recs, "/bin/sh");
    assert_eq!(shells.len(), 5);
    // The pipeline's two members write their exec records in either order.
    let mut piped: Vec<u64> = shells[..2]
        .iter()
        .map(|e| end_of(&recs, e)["process"]["exit_code"].as_u64().unwrap())
        .collect();
    piped.sort();
    assert_eq!(piped, [3, 4]);
    for (exec, code) in shells[2..].iter().zip([5, 6, 137]) {
        let end = end_of(&recs, exec);
        assert_eq!(end["process"]["exit_code"], code, "{end}");
    }
    for exec in &shells {
        let end = end_of(&recs, exec);
        assert_eq!(end["process"]["start"], exec["process"]["start"]);
        assert!(end["process"]["end"].as_str().unwrap() >= exec["@timestamp"].as_str().unwrap());
        assert_eq!(end["event"]["outcome"], "failure");
        assert!(end["event"]["duration"].as_u64().unwrap() > 0);
        assert_eq!(end["auditsh"]["command"], exec["auditsh"]["command"]);
    }
    let killed = end_of(&recs, shells[4]);
    assert_eq!(killed["auditsh"]["signal"], "KILL");
    assert!(killed["message"]
        .as_str()
        .unwrap()
        .ends_with("sh killed by KILL"));

    // Not found in PATH: no exec record, an end record that says so.
    let missing: Vec<&Value> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "end" && r["process"]["name"] == "nosuchprogram-xyz")
        .collect();
    assert_eq!(missing.len(), 1);
    let missing = missing[0];
    assert!(missing["process"].get("pid").is_none());
    assert_eq!(missing["process"]["exit_code"], 127);
    assert_eq!(missing["process"]["args"], json!(["nosuchprogram-xyz"]));
    assert_eq!(missing["error"]["code"], "ENOENT");
    assert_eq!(missing["event"]["outcome"], "failure");
    // Refused by the kernel: its exec record, then its end with the reason.
    let refused = execs(&recs, "/etc/passwd");
    assert_eq!(refused.len(), 1);
    let end = end_of(&recs, refused[0]);
    assert_eq!(end["process"]["exit_code"], 126);
    assert_eq!(end["error"]["code"], "EACCES");
    assert_eq!(end["error"]["message"], "Permission denied");
    assert_eq!(end["process"]["pid"], refused[0]["process"]["pid"]);
}

/// Entity ids tie the session together: every record names the session's shell as its entry
/// and session leader, every program names it as its parent, and no two processes share an
/// id.
#[test]
fn entity_ids_link_programs_to_the_shell_and_the_entry_leader() {
    let env = AuditEnv::new();
    env.run(
        &[
            "-c",
            "/bin/true; /bin/echo a | /bin/cat >/dev/null; (/bin/true; /bin/true); \
             x=$(/bin/echo b); /bin/true &\nwait",
        ],
        None,
    );
    let recs = check_session(&env);
    let shell = &recs[0]["process"];
    let shell_entity = shell["entity_id"].as_str().unwrap();
    assert_eq!(
        shell_entity,
        format!("{}-p0", recs[0]["auditsh"]["session"].as_str().unwrap())
    );
    for r in &recs {
        for leader in ["entry_leader", "session_leader"] {
            assert_eq!(r["process"][leader]["entity_id"], shell_entity, "{r}");
            assert_eq!(r["process"][leader]["pid"], shell["pid"]);
            assert_eq!(r["process"][leader]["start"], shell["start"]);
        }
        assert!(r["process"]["entry_leader"]["entry_meta"]["type"].is_string());
    }
    let programs: Vec<&Value> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "exec")
        .collect();
    assert_eq!(programs.len(), 7);
    let mut ids: Vec<&str> = programs
        .iter()
        .map(|r| r["process"]["entity_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), programs.len(), "one entity per program");
    for p in &programs {
        assert_eq!(p["process"]["parent"]["entity_id"], shell_entity);
        assert_eq!(p["process"]["session_leader"]["same_as_process"], false);
        let end = end_of(&recs, p);
        assert_eq!(end["process"]["exit_code"], 0);
        assert_eq!(end["process"]["parent"]["entity_id"], shell_entity);
        assert!(p["process"]["group_leader"]["pid"].is_u64());
    }
}

/// A shell killed (SIGKILL) right after it started a program loses nothing of the spool: the
/// program's record was written before it ran, and every line is whole.
#[test]
fn a_shell_killed_after_a_spawn_loses_nothing_in_the_spool() {
    let env = AuditEnv::new();
    let mut c = env.command();
    c.args(["-c", "/bin/sleep 30; /bin/true"]);
    c.stdin(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // Wait until the program's exec record is in the spool, then kill the shell.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let sleep_pid = loop {
        let text = env
            .spool_files()
            .first()
            .and_then(|f| std::fs::read(f).ok());
        if let Some(text) = text.filter(|t| t.ends_with(b"\n")) {
            let recs = records(&text);
            if let Some(e) = execs(&recs, "/bin/sleep").first() {
                break e["process"]["pid"].as_u64().unwrap();
            }
        }
        assert!(std::time::Instant::now() < deadline, "no exec record");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::process::Command::new("kill")
        .arg(sleep_pid.to_string())
        .status();
    let text = env.spool_text();
    let recs = records(&text);
    assert_eq!(
        kind_list(&recs),
        ["session-start/start", "command/start", "exec/start"]
    );
    // The chain is whole up to the kill; only the end is missing.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_auditsh-log"))
        .arg("verify")
        .arg(&env.spool_files()[0])
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("unterminated"), "{report}");
    assert!(
        !report.contains("altered") && !report.contains("gap"),
        "{report}"
    );
}

fn kind_list(recs: &[Value]) -> Vec<String> {
    recs.iter().map(kind).collect()
}

/// A script with no `#!` line, which the kernel will not run (ENOEXEC), is run by a subshell
/// (XCU 2.9.1.1): that subshell is the program its `exec` record named. Its `end` record
/// carries the script's status, the programs it starts are its children, and the command's
/// redirections apply to it.
#[test]
fn a_file_without_a_shebang_line_is_one_program_from_exec_to_end() {
    let env = AuditEnv::new();
    let script = env.dir().join("plain-script");
    std::fs::write(&script, "echo in-script \"$0\" \"$1\"\n/bin/true\nexit 3\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out_file = env.dir().join("out");
    let out = env.run(
        &[
            "-c",
            &format!(
                "{} arg > {}; echo status $?; (exec {}); echo status $?",
                script.display(),
                out_file.display(),
                script.display()
            ),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        format!("in-script {} arg\n", script.display())
    );
    assert!(
        stdout.starts_with("status 3\nin-script ") && stdout.ends_with("status 3\n"),
        "{stdout}"
    );
    let recs = check_session(&env);
    let runs = execs(&recs, script.to_str().unwrap());
    assert_eq!(runs.len(), 2);
    let trues = execs(&recs, "/bin/true");
    assert_eq!(trues.len(), 2);
    for (run, inner) in runs.iter().zip(&trues) {
        let end = end_of(&recs, run);
        assert_eq!(end["process"]["exit_code"], 3, "{end}");
        assert_eq!(end["process"]["start"], run["process"]["start"]);
        // The script's subshell started /bin/true: its parent, by pid and by entity.
        let entity = run["process"]["entity_id"].as_str().unwrap();
        assert_eq!(inner["process"]["parent"]["entity_id"], entity);
        assert_eq!(inner["process"]["parent"]["pid"], end["process"]["pid"]);
        assert!(inner["process"]["entity_id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{entity}.")));
        assert_eq!(end_of(&recs, inner)["process"]["exit_code"], 0);
    }
}

/// `exec` of a file with no `#!` line: the shell's session ends (reason `exec`), and a new
/// shell runs the file, as dash execs /bin/sh on it: a session of its own, with the script's
/// status. Nothing is written to the first session after its end.
#[test]
fn exec_of_a_file_without_a_shebang_line_ends_the_session_and_a_new_one_runs_it() {
    let env = AuditEnv::new();
    let script = env.dir().join("plain-exec");
    std::fs::write(&script, "echo in-script \"$@\"\n/bin/true\nexit 4\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = env.run(
        &[
            "-c",
            &format!("exec {} a b; echo not reached", script.display()),
        ],
        None,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "in-script a b\n");
    assert_eq!(out.status.code(), Some(4));
    let files = env.spool_files();
    assert_eq!(files.len(), 2, "{files:?}");
    let sessions: Vec<Vec<Value>> = files
        .iter()
        .map(|f| {
            let text = std::fs::read(f).unwrap();
            let recs = records(&text);
            assert_eq!(
                auditsh::auditsh_log::verify::one_session(&text),
                Ok(recs.len() as u64)
            );
            recs
        })
        .collect();
    let (first, second) = if sessions[0][0]["process"]["args"][1] == "-c" {
        (&sessions[0], &sessions[1])
    } else {
        (&sessions[1], &sessions[0])
    };
    let last = first.last().unwrap();
    assert_eq!(last["event"]["action"], "session-end");
    assert_eq!(last["auditsh"]["end_reason"], "exec");
    assert_eq!(execs(first, script.to_str().unwrap()).len(), 1);
    assert_eq!(
        second[0]["process"]["args"],
        json!([
            second[0]["process"]["executable"],
            script.to_str().unwrap(),
            "a",
            "b"
        ])
    );
    assert_eq!(second[0]["process"]["pid"], last["process"]["pid"]);
    assert_eq!(second.last().unwrap()["process"]["exit_code"], 4);
    assert_eq!(execs(second, "/bin/true").len(), 1);
}

/// `record_exit = false`: programs have their `exec` records and no `end` record; command
/// and session records are as always.
#[test]
fn record_exit_false_writes_no_end_records() {
    let env = AuditEnv::builder().top_toml("record_exit = false").build();
    let out = env.run(
        &[
            "-c",
            "/bin/true; /bin/sh -c 'exit 3' | /bin/cat; (/bin/false); nosuchprogram-xyz; exit 0",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let recs = check_session(&env);
    let kinds = kind_list(&recs);
    assert_eq!(
        recs.iter()
            .filter(|r| r["event"]["action"] == "exec")
            .count(),
        4,
        "{kinds:?}"
    );
    assert!(
        !recs.iter().any(|r| r["event"]["action"] == "end"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| k.as_str() == "command/end").count(),
        1,
        "{kinds:?}"
    );
}

/// `exec` that the kernel refuses after the session has ended (here E2BIG): the shell exits
/// 126, and the session's last record is still its end.
#[test]
fn a_failed_exec_writes_nothing_after_the_sessions_end() {
    let env = AuditEnv::new();
    let out = env.run(
        &[
            "-c",
            "x=$(/usr/bin/head -c 3000000 /dev/zero | /usr/bin/tr '\\0' a); exec /bin/true $x $x",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(126));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Argument list too long"));
    let recs = check_session(&env);
    let last = recs.last().unwrap();
    assert_eq!(last["auditsh"]["end_reason"], "exec");
}

/// `trap - TERM` gives the shell back its own handling of SIGTERM, not the bare default: a
/// script that clears its trap and is then killed by SIGTERM still writes `session-end`.
#[test]
fn a_cleared_term_trap_still_ends_the_session_on_sigterm() {
    let env = AuditEnv::new();
    let out = env.run(
        &[
            "-c",
            "trap 'echo t' TERM; trap - TERM; kill -s TERM $$; echo not reached",
        ],
        None,
    );
    assert_eq!(out.status.signal(), Some(15));
    assert!(out.stdout.is_empty());
    let recs = check_session(&env);
    let last = recs.last().unwrap();
    assert_eq!(last["event"]["action"], "session-end");
}

/// A loop that runs only built-ins and never finishes a command (`continue` in its condition or
/// body) still dies of SIGTERM sent from outside, and the session still ends.
#[test]
fn a_loop_of_continue_dies_of_sigterm_and_ends_the_session() {
    for script in [
        "for i in 1; do until continue; do :; done; done; while continue; do :; done",
        "for ((;;)) { continue; }",
        "set -- $(seq 1 1000000); for i; do continue; done; while :; do continue; done",
    ] {
        let env = AuditEnv::new();
        let mut child = env
            .command()
            .args(["-c", script])
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        // SAFETY: kill(2) with the pid of our own child, which has not been waited for.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("{script}: still running 10 s after SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.signal(), Some(15), "{script}");
        let recs = check_session(&env);
        assert_eq!(
            recs.last().unwrap()["event"]["action"],
            "session-end",
            "{script}"
        );
    }
}
