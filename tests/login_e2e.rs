//! The shell as a user's login shell, driven by the real clients: a private sshd on 127.0.0.1
//! (`ssh host cmd`, `ssh -tt`, `ssh host < script`, scp in both protocols, sftp, rsync, git)
//! and `su -l`. Every test checks what the client got and the records the session left in
//! the spool: the command lines and the programs started, in whole sessions (chain, sequences,
//! start and end).
//!
//! These tests need root (to create the test user) and /usr/sbin/sshd. Without them they say
//! so on stderr and pass; with `AUDITSH_E2E=required` a missing component is a failure.

mod common;

use common::sshd::{self, args, command_lines, execs_of, marker, run_bounded, Sshd, USER};
use common::{kind, of_kind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The record of one action/type, which must be the only one of its kind.
fn only<'a>(recs: &'a [Value], k: &str) -> &'a Value {
    let found = of_kind(recs, k);
    assert_eq!(found.len(), 1, "one {k} record: {recs:#?}");
    found[0]
}

/// The checks every session started by sshd passes: who, from where, started by sshd.
fn check_ssh_session(recs: &[Value], mode: &str, login: bool) {
    let start = &recs[0];
    assert_eq!(start["user"]["name"], USER, "{start}");
    assert_eq!(start["auditsh"]["mode"], mode, "{start}");
    assert_eq!(start["auditsh"]["login"], login, "{start}");
    assert_eq!(start["process"]["parent"]["name"], "sshd", "{start}");
    // sshd's process for the login runs as the user: its name is not beyond the user's reach.
    assert_eq!(start["auditsh"]["parent_trusted"], false, "{start}");
    for r in recs {
        assert_eq!(r["source"]["ip"], "127.0.0.1", "{r}");
    }
}

/// Each exec record belongs to a command line of the session (`auditsh.command` is the
/// event.id of a command start record).
fn check_exec_links(recs: &[Value]) {
    let ids: Vec<&Value> = of_kind(recs, "command/start")
        .iter()
        .map(|r| &r["event"]["id"])
        .collect();
    for e in of_kind(recs, "exec/start") {
        assert!(
            ids.contains(&&e["auditsh"]["command"]),
            "exec record not tied to a command line: {e}"
        );
    }
}

/// Exit status the session ended with.
fn session_exit(recs: &[Value]) -> &Value {
    &recs.last().unwrap()["process"]["exit_code"]
}

/// Bytes of every value, in an order that is not a simple pattern.
fn binary_content(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    let mut v: Vec<u8> = (0..=255u8).collect();
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x >> 11) as u8);
    }
    v.truncate(len);
    v
}

#[test]
fn ssh_command_runs_and_is_recorded() {
    let test = "ssh_command_runs_and_is_recorded";
    let Some(inst) = sshd::ready(test, &[]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "cmd");
    let m = marker("ssh-cmd");
    let text = format!("echo {m}; /bin/echo $((2+3))");
    let out = s.run_ssh(&[], &[&text], None).ok("ssh host cmd");
    assert_eq!(out.stdout(), format!("{m}\n5\n"));
    assert_eq!(out.stderr(), "");

    let recs = s.session_with(&m);
    check_ssh_session(&recs, "command", false);
    assert_eq!(command_lines(&recs), [text.as_str()]);
    let start = &recs[0];
    assert_eq!(
        args(start),
        ["auditsh", "-c", text.as_str()],
        "sshd runs the shell with -c and the text as sent"
    );
    let echo = execs_of(&recs, "/bin/echo");
    assert_eq!(echo.len(), 1, "{recs:#?}");
    assert_eq!(args(echo[0]), ["/bin/echo", "5"]);
    assert_eq!(
        echo[0]["process"]["working_directory"],
        inst.home.to_str().unwrap()
    );
    check_exec_links(&recs);
    assert_eq!(only(&recs, "command/end")["process"]["exit_code"], 0);
    assert_eq!(*session_exit(&recs), 0);
}

#[test]
fn ssh_compound_command_string() {
    let test = "ssh_compound_command_string";
    let Some(inst) = sshd::ready(test, &[]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "compound");
    let m = marker("compound");
    let text = format!(
        "if [ -d /etc ] && ! [ -e /nonexistent ]; then echo \"{m} if\"; else echo wrong; fi\n\
         for i in 1 2 3; do printf '%s.' \"$i\"; done; echo\n\
         n=$(/bin/echo {m} | /usr/bin/tr a-z A-Z)\n\
         echo \"got $n\"\n\
         /bin/echo one two three | /usr/bin/wc -w\n\
         case $n in *COMPOUND*) echo matched;; *) echo no;; esac\n\
         exit 7"
    );
    let out = s.run_ssh(&[], &[&text], None);
    assert_eq!(out.code(), Some(7), "stderr: {}", out.stderr());
    assert_eq!(
        out.stdout(),
        format!(
            "{m} if\n1.2.3.\ngot {}\n3\nmatched\n",
            m.to_ascii_uppercase()
        )
    );

    let recs = s.session_with(&m);
    check_ssh_session(&recs, "command", false);
    assert_eq!(command_lines(&recs), [text.as_str()], "the whole -c string");
    let programs: Vec<Vec<String>> = of_kind(&recs, "exec/start")
        .iter()
        .map(|r| args(r))
        .collect();
    for want in [
        vec!["/bin/echo".to_string(), m.clone()],
        vec!["/usr/bin/tr".into(), "a-z".into(), "A-Z".into()],
        vec![
            "/bin/echo".into(),
            "one".into(),
            "two".into(),
            "three".into(),
        ],
        vec!["/usr/bin/wc".into(), "-w".into()],
    ] {
        assert!(programs.contains(&want), "exec of {want:?} in {programs:?}");
    }
    assert_eq!(programs.len(), 4, "built-ins are not execs: {programs:?}");
    check_exec_links(&recs);
    assert_eq!(only(&recs, "command/end")["process"]["exit_code"], 7);
    assert_eq!(*session_exit(&recs), 7);
}

#[test]
fn ssh_tty_session_with_typed_lines() {
    let test = "ssh_tty_session_with_typed_lines";
    let Some(inst) = sshd::ready(test, &[]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "tty");
    let m = marker("tt-marker");
    // Both lines in one write: they reach the shell's terminal together, and a front end
    // that dropped the rest of what it read with the first line would wait for more input
    // forever (hence the shorter limit).
    let keys = format!("echo {m}\nexit 3\n");
    let out = s.run_ssh_within(
        &["-tt"],
        &[],
        Some(keys.as_bytes()),
        Duration::from_secs(20),
    );
    let stdout = out.stdout();
    assert_eq!(
        out.code(),
        Some(3),
        "exit 3 ends the session\nstdout: {stdout:?}\nstderr: {}",
        out.stderr()
    );
    // The terminal echoes what was typed; the command's own output is a line by itself.
    assert!(
        stdout.split("\r\n").any(|l| l == m),
        "the output line {m:?} in {stdout:?}"
    );

    let recs = s.session_with(&m);
    check_ssh_session(&recs, "interactive", true);
    let tty = recs[0]["auditsh"]["tty"].as_str().unwrap_or("");
    assert!(tty.starts_with("/dev/pts/"), "a pty: {}", recs[0]);
    assert_eq!(
        command_lines(&recs),
        [format!("echo {m}"), "exit 3".to_string()]
    );
    assert_eq!(recs.last().unwrap()["auditsh"]["end_reason"], "exit");
    assert_eq!(*session_exit(&recs), 3);
}

#[test]
fn ssh_script_on_stdin() {
    let test = "ssh_script_on_stdin";
    let Some(inst) = sshd::ready(test, &[]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "stdin");
    let m = marker("stdin");
    // `read` takes the line after it: a shell that read ahead would run it as a command.
    let script = format!(
        "echo {m} one\n\
         x=5\n\
         if [ $x -gt 3 ]; then\n\
         \x20 echo big\n\
         fi\n\
         /bin/echo {m} two\n\
         read line\n\
         this line is data for read\n\
         echo \"read: $line\"\n\
         /bin/cat\n\
         this line is data for cat\n"
    );
    let out = s
        .run_ssh(&[], &[], Some(script.as_bytes()))
        .ok("ssh host < script");
    assert_eq!(
        out.stdout(),
        format!(
            "{m} one\nbig\n{m} two\nread: this line is data for read\nthis line is data for cat\n"
        )
    );

    let recs = s.session_with(&m);
    check_ssh_session(&recs, "stdin", true);
    assert_eq!(
        command_lines(&recs),
        [
            format!("echo {m} one"),
            "x=5".to_string(),
            "if [ $x -gt 3 ]; then\n  echo big\nfi".to_string(),
            format!("/bin/echo {m} two"),
            "read line".to_string(),
            "echo \"read: $line\"".to_string(),
            "/bin/cat".to_string(),
        ],
        "one record per command, none for the data lines"
    );
    assert_eq!(of_kind(&recs, "command/end").len(), 7);
    let echo = execs_of(&recs, "/bin/echo");
    assert_eq!(echo.len(), 1);
    assert_eq!(args(echo[0]), ["/bin/echo", &m, "two"]);
    assert_eq!(execs_of(&recs, "/bin/cat").len(), 1);
    assert_eq!(recs.last().unwrap()["auditsh"]["end_reason"], "eof");
    assert_eq!(*session_exit(&recs), 0);
}

/// Upload `content` with `scp [mode]`, download it back, and return the local copy.
fn scp_round_trip(s: &Sshd, mode: &[&str], name: &str, content: &[u8]) -> Vec<u8> {
    let local = s.env.dir().join(format!("{name}.up"));
    std::fs::write(&local, content).unwrap();
    let remote = format!("{}:{}/{name}", s.host(), s.remote_dir);
    let mut up = s.scp();
    up.args(mode).arg(&local).arg(&remote);
    run_bounded(up, None, sshd::CLIENT_TIMEOUT).ok("scp upload");
    assert_eq!(
        std::fs::read(s.remote_path.join(name)).unwrap(),
        content,
        "the uploaded file"
    );
    let back = s.env.dir().join(format!("{name}.down"));
    let mut down = s.scp();
    down.args(mode).arg(&remote).arg(&back);
    run_bounded(down, None, sshd::CLIENT_TIMEOUT).ok("scp download");
    std::fs::read(&back).unwrap()
}

#[test]
fn scp_legacy_protocol() {
    let test = "scp_legacy_protocol";
    let Some(inst) = sshd::ready(test, &["/usr/bin/scp"]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "scp-legacy");
    let content = binary_content(300_000, 1);
    let back = scp_round_trip(&s, &["-O"], "legacy.bin", &content);
    assert!(back == content, "the downloaded file is byte-identical");

    let target = format!("{}/legacy.bin", s.remote_dir);
    for (flag, what) in [("-t", "upload"), ("-f", "download")] {
        let sessions: Vec<Vec<Value>> = s
            .sessions_executing("scp")
            .into_iter()
            .filter(|recs| {
                execs_of(recs, "scp")
                    .iter()
                    .any(|e| args(e).iter().any(|a| a == flag))
            })
            .collect();
        assert_eq!(sessions.len(), 1, "one session for the {what}");
        let recs = &sessions[0];
        check_ssh_session(recs, "command", false);
        let scp = execs_of(recs, "scp");
        assert_eq!(scp.len(), 1);
        let argv = args(scp[0]);
        assert_eq!(argv[0], "scp");
        assert_eq!(argv.last().unwrap(), &target, "{argv:?}");
        assert_eq!(command_lines(recs).len(), 1);
        assert!(command_lines(recs)[0].starts_with(&format!("scp {flag}")));
        check_exec_links(recs);
        assert_eq!(*session_exit(recs), 0);
    }
}

const SFTP_SERVER: &str = "/usr/lib/openssh/sftp-server";

/// The sessions that ran the sftp server, each a `-c /usr/lib/openssh/sftp-server`.
fn sftp_sessions(s: &Sshd) -> Vec<Vec<Value>> {
    let sessions = s.sessions_executing(SFTP_SERVER);
    for recs in &sessions {
        check_ssh_session(recs, "command", false);
        assert_eq!(command_lines(recs), [SFTP_SERVER]);
        let e = execs_of(recs, SFTP_SERVER);
        assert_eq!(e.len(), 1);
        assert_eq!(args(e[0]), [SFTP_SERVER]);
        check_exec_links(recs);
        assert_eq!(*session_exit(recs), 0);
    }
    sessions
}

#[test]
fn scp_sftp_protocol() {
    let test = "scp_sftp_protocol";
    let Some(inst) = sshd::ready(test, &["/usr/bin/scp", SFTP_SERVER]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "scp-sftp");
    let content = binary_content(300_000, 2);
    let back = scp_round_trip(&s, &[], "sftp-mode.bin", &content);
    assert!(back == content, "the downloaded file is byte-identical");
    assert_eq!(sftp_sessions(&s).len(), 2, "one session each way");
    assert!(s.sessions_executing("scp").is_empty(), "no legacy scp");
}

#[test]
fn sftp_batch() {
    let test = "sftp_batch";
    let Some(inst) = sshd::ready(test, &["/usr/bin/sftp", SFTP_SERVER]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "sftp");
    let content = binary_content(100_000, 3);
    let local = s.env.dir().join("batch.up");
    std::fs::write(&local, &content).unwrap();
    let back = s.env.dir().join("batch.down");
    let rd = &s.remote_dir;
    let batch = s.env.dir().join("batch");
    std::fs::write(
        &batch,
        format!(
            "mkdir {rd}/sub\nput {} {rd}/sub/b.bin\nget {rd}/sub/b.bin {}\nls -l {rd}/sub\n",
            local.display(),
            back.display()
        ),
    )
    .unwrap();
    let mut c = s.sftp();
    c.arg("-b").arg(&batch).arg(s.host());
    let out = run_bounded(c, None, sshd::CLIENT_TIMEOUT).ok("sftp -b");
    assert!(std::fs::read(&back).unwrap() == content, "get: same bytes");
    assert!(
        std::fs::read(s.remote_path.join("sub/b.bin")).unwrap() == content,
        "put: same bytes"
    );
    let listing = out.stdout();
    assert!(
        listing
            .lines()
            .any(|l| l.ends_with("/sub/b.bin") && l.contains(" 100000 ") && l.contains(USER)),
        "ls -l shows the file: {listing}"
    );
    assert_eq!(sftp_sessions(&s).len(), 1);
}

/// Every file, directory and symlink under `root`: kind, mode, contents or target.
fn tree(root: &Path) -> BTreeMap<PathBuf, (String, u32, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (String, u32, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            let mode = md.mode() & 0o7777;
            if md.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.insert(
                    rel,
                    ("link".into(), 0, t.into_os_string().into_encoded_bytes()),
                );
            } else if md.is_dir() {
                out.insert(rel, ("dir".into(), mode, Vec::new()));
                walk(root, &p, out);
            } else {
                out.insert(rel, ("file".into(), mode, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn rsync_both_directions() {
    let test = "rsync_both_directions";
    let Some(inst) = sshd::ready(test, &["/usr/bin/rsync"]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "rsync");
    let src = s.env.dir().join("src");
    std::fs::create_dir_all(src.join("a/b c")).unwrap();
    std::fs::create_dir_all(src.join("empty")).unwrap();
    std::fs::write(src.join("top.txt"), "top\n").unwrap();
    std::fs::write(src.join("a/data.bin"), binary_content(50_000, 4)).unwrap();
    std::fs::write(src.join("a/b c/it's here.txt"), "quoted name\n").unwrap();
    std::fs::write(src.join("a/run.sh"), "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(src.join("a/run.sh"), PermissionsExt::from_mode(0o750)).unwrap();
    std::os::unix::fs::symlink("a/data.bin", src.join("link")).unwrap();
    let ssh = s.ssh_command_line();
    let remote = format!("{}:{}/tree/", s.host(), s.remote_dir);

    let mut push = Command::new("rsync");
    push.args(["-a", "-e", &ssh])
        .arg(format!("{}/", src.display()))
        .arg(&remote);
    run_bounded(push, None, sshd::CLIENT_TIMEOUT).ok("rsync push");
    let want = tree(&src);
    assert_eq!(tree(&s.remote_path.join("tree")), want, "pushed tree");

    let dst = s.env.dir().join("dst");
    let mut pull = Command::new("rsync");
    pull.args(["-a", "-e", &ssh])
        .arg(&remote)
        .arg(format!("{}/", dst.display()));
    run_bounded(pull, None, sshd::CLIENT_TIMEOUT).ok("rsync pull");
    assert_eq!(tree(&dst), want, "pulled tree");

    let sessions = s.sessions_executing("rsync");
    assert_eq!(sessions.len(), 2, "one session each way");
    let mut senders = 0;
    for recs in &sessions {
        check_ssh_session(recs, "command", false);
        let e = execs_of(recs, "rsync");
        assert_eq!(e.len(), 1);
        let argv = args(e[0]);
        assert_eq!(&argv[..2], ["rsync", "--server"], "{argv:?}");
        assert_eq!(
            argv.last().unwrap(),
            &format!("{}/tree/", s.remote_dir),
            "{argv:?}"
        );
        senders += argv.iter().filter(|a| *a == "--sender").count();
        assert!(command_lines(recs)[0].starts_with("rsync --server"));
        check_exec_links(recs);
        assert_eq!(*session_exit(recs), 0);
    }
    assert_eq!(senders, 1, "the pull runs the remote side as --sender");
}

#[test]
fn git_clone_and_push() {
    let test = "git_clone_and_push";
    let Some(inst) = sshd::ready(test, &["/usr/bin/git"]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "git");
    let repo = format!("{}/repo.git", s.remote_dir);
    s.run_ssh(&[], &["git", "init", "-q", "--bare", &repo], None)
        .ok("git init --bare");
    let url = format!("{}:{repo}", s.host());
    let work = s.env.dir().join("git");
    std::fs::create_dir(&work).unwrap();
    let git = |args: &[&str], cwd: &Path| {
        let mut c = Command::new("git");
        c.args([
            "-c",
            "user.name=Login Test",
            "-c",
            "user.email=login-test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .current_dir(cwd)
        .env("GIT_SSH_COMMAND", s.ssh_command_line())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", &work)
        .env("LC_ALL", "C");
        let what = format!("git {}", args.join(" "));
        run_bounded(c, None, sshd::CLIENT_TIMEOUT).ok(&what)
    };
    git(&["clone", "-q", &url, "one"], &work);
    let one = work.join("one");
    std::fs::write(one.join("README"), "pushed over ssh\n").unwrap();
    git(&["add", "README"], &one);
    let m = marker("git-commit");
    git(&["commit", "-q", "-m", &m], &one);
    git(&["push", "-q", "origin", "HEAD:refs/heads/main"], &one);
    git(&["clone", "-q", "-b", "main", &url, "two"], &work);
    let two = work.join("two");
    assert_eq!(
        std::fs::read_to_string(two.join("README")).unwrap(),
        "pushed over ssh\n"
    );
    let log = git(&["log", "-1", "--format=%s"], &two);
    assert_eq!(log.stdout().trim(), m);

    let upload = s.sessions_executing("git-upload-pack");
    let receive = s.sessions_executing("git-receive-pack");
    assert_eq!(upload.len(), 2, "one session per clone");
    assert_eq!(receive.len(), 1, "one session for the push");
    for (recs, prog) in upload
        .iter()
        .map(|r| (r, "git-upload-pack"))
        .chain(receive.iter().map(|r| (r, "git-receive-pack")))
    {
        check_ssh_session(recs, "command", false);
        assert_eq!(command_lines(recs), [format!("{prog} '{repo}'")]);
        let e = execs_of(recs, prog);
        assert_eq!(e.len(), 1);
        assert_eq!(args(e[0]), [prog, repo.as_str()]);
        check_exec_links(recs);
        assert_eq!(*session_exit(recs), 0);
    }
}

/// `su -l USER [args]` as root. su resets the environment of a login shell, so
/// AUDITSH_CONFIG (this test's spool) is let through with `-w`.
fn su(s: &Sshd, extra: &[&str], stdin: Option<&[u8]>) -> sshd::Out {
    let mut c = Command::new("su");
    c.args(["-l", "-w", "AUDITSH_CONFIG", USER])
        .args(extra)
        .env("AUDITSH_CONFIG", &s.env.config)
        .current_dir("/");
    run_bounded(c, stdin, sshd::CLIENT_TIMEOUT)
}

fn check_su_session(recs: &[Value], mode: &str) {
    let start = &recs[0];
    assert_eq!(kind(start), "session-start/start");
    assert_eq!(start["auditsh"]["login"], true, "{start}");
    assert_eq!(start["auditsh"]["mode"], mode, "{start}");
    assert_eq!(start["process"]["parent"]["name"], "su", "{start}");
    // su run by root keeps root's real uid.
    assert_eq!(start["auditsh"]["parent_trusted"], true, "{start}");
    assert_eq!(
        args(start)[0],
        "-auditsh",
        "su -l: a login shell by argv[0]"
    );
    assert_eq!(start["user"]["name"], USER, "{start}");
}

#[test]
fn su_login_with_command() {
    let test = "su_login_with_command";
    let Some(inst) = sshd::ready(test, &["/usr/bin/su"]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "su-c");
    let m = marker("su-marker");
    let text = format!("echo {m}");
    let out = su(&s, &["-c", &text], None).ok("su -l -c");
    assert_eq!(out.stdout(), format!("{m}\n"));
    let recs = s.session_with(&m);
    check_su_session(&recs, "command");
    assert_eq!(command_lines(&recs), [text.as_str()]);
    assert_eq!(*session_exit(&recs), 0);
}

#[test]
fn su_login_with_commands_on_stdin() {
    let test = "su_login_with_commands_on_stdin";
    let Some(inst) = sshd::ready(test, &["/usr/bin/su"]) else {
        return;
    };
    let _serial = sshd::serial();
    let s = Sshd::start(inst, "su-stdin");
    let m = marker("su-stdin-marker");
    let line = format!("echo {m}; exit 4");
    let out = su(
        &s,
        &[],
        Some(format!("{line}\necho not reached\n").as_bytes()),
    );
    assert_eq!(out.code(), Some(4), "stderr: {}", out.stderr());
    assert_eq!(out.stdout(), format!("{m}\n"));
    let recs = s.session_with(&m);
    check_su_session(&recs, "stdin");
    assert_eq!(command_lines(&recs), [line.as_str()]);
    assert_eq!(recs.last().unwrap()["auditsh"]["end_reason"], "exit");
    assert_eq!(*session_exit(&recs), 4);
}
