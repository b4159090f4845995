//! The attacks on the trail that README's "Installed mode" says must fail, run as an unprivileged user in sessions of the installed
//! (setuid) shell: every one must fail, and the trail must stay whole.
//!
//! These tests need root (to install the shell setuid and to create the test user). Without
//! root they say so on stderr and pass; with `AUDITSH_E2E=required` a missing prerequisite is a
//! failure. They install into a private directory for the binary, but use the system's
//! /etc/auditsh/auditsh.toml and /var/log/auditsh, as an installed shell does.

mod common;

use common::{Config, TempDir, AUDITSH, AUDITSH_LOG, DASH};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const USER: &str = "auditsh-attacker";
const BINDIR: &str = "/usr/local/libexec/auditsh-attack-tests";
const SPOOL: &str = "/var/log/auditsh";
const KEY_STATE: &str = "/var/lib/auditsh/key";
const VERIFY_KEY: &str = "/etc/auditsh/verify.key";

struct Installed {
    shell: PathBuf,
    uid: u32,
    gid: u32,
    /// A directory the attacker owns.
    home: PathBuf,
}

/// Install once per test run; None (and a note) when the prerequisites are missing.
fn installed() -> Option<&'static Installed> {
    static INSTALLED: OnceLock<Option<Installed>> = OnceLock::new();
    INSTALLED.get_or_init(install).as_ref()
}

fn skip(why: &str) -> Option<Installed> {
    common::skip("attack tests", why);
    None
}

fn install() -> Option<Installed> {
    if !common::is_root() {
        return skip("not running as root");
    }
    for tool in ["/usr/sbin/useradd", "/usr/bin/setpriv", "/usr/bin/gcc"] {
        if !Path::new(tool).exists() {
            return skip(&format!("{tool} is missing"));
        }
    }
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("sh")
        .arg(top.join("packaging/install.sh"))
        .args([
            "--bindir",
            BINDIR,
            "--binary",
            AUDITSH,
            "--log-binary",
            AUDITSH_LOG,
        ])
        .output()
        .expect("run install.sh");
    assert!(
        out.status.success(),
        "install.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let home = PathBuf::from(format!("/tmp/{USER}-home"));
    let exists = Command::new("id")
        .arg(USER)
        .output()
        .unwrap()
        .status
        .success();
    if !exists {
        let out = Command::new("useradd")
            .args(["--no-create-home", "--home-dir"])
            .arg(&home)
            .args(["--shell", "/bin/sh", USER])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "useradd: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, USER]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    let (uid, gid) = (id("-u"), id("-g"));
    std::fs::create_dir_all(&home).unwrap();
    let c = std::ffi::CString::new(home.as_os_str().as_bytes()).unwrap();
    // SAFETY: c is a valid path.
    unsafe { libc::chown(c.as_ptr(), uid, gid) };
    Some(Installed {
        shell: PathBuf::from(BINDIR).join("auditsh"),
        uid,
        gid,
        home,
    })
}

impl Installed {
    /// Run `script` as the attacker in a session of the installed shell.
    fn attack(&self, script: &str, env: &[(&str, &str)]) -> Output {
        let mut c = attacker_command(self, &[], &self.shell, &["-c", script]);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run the installed shell")
    }

    /// Compile a small C program or library into the attacker's directory.
    fn compile(&self, name: &str, source: &str, shared: bool) -> PathBuf {
        let src = self.home.join(format!("{name}.c"));
        let out = self.home.join(name);
        std::fs::write(&src, source).unwrap();
        let mut c = Command::new("gcc");
        if shared {
            c.args(["-shared", "-fPIC"]);
        }
        let status = c.arg("-o").arg(&out).arg(&src).status().unwrap();
        assert!(status.success(), "gcc {name}");
        out
    }
}

/// The spool file of the session whose records contain `marker`.
fn session_with(marker: &str) -> (PathBuf, Vec<u8>) {
    let mut found = Vec::new();
    for f in common::spool_files(Path::new(SPOOL)) {
        let text = std::fs::read(&f).unwrap_or_default();
        if text.windows(marker.len()).any(|w| w == marker.as_bytes()) {
            found.push((f, text));
        }
    }
    assert_eq!(
        found.len(),
        1,
        "sessions with {marker}: {:?}",
        found.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    found.pop().unwrap()
}

fn execs_of(text: &[u8], executable: &str) -> Vec<Value> {
    common::records(text)
        .into_iter()
        .filter(|r| r["event"]["action"] == "exec" && r["process"]["executable"] == executable)
        .collect()
}

/// A tag unique to this test run, so markers never match a session of an earlier run.
fn run() -> &'static str {
    common::run_tag()
}

/// `text` with `{RUN}` replaced by this run's tag.
fn r(text: &str) -> String {
    text.replace("{RUN}", run())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The key to check records with: the verification key install.sh made, or, when it has
/// been moved off the host, the state file (it verifies today's records).
fn record_key() -> &'static str {
    if Path::new(VERIFY_KEY).exists() {
        VERIFY_KEY
    } else {
        KEY_STATE
    }
}

/// `auditsh-log verify [--key KEY] PATH`: its exit status and what it printed on stdout.
fn verify(key: Option<&str>, path: &Path) -> (Option<i32>, String) {
    let mut c = Command::new(AUDITSH_LOG);
    c.arg("verify");
    if let Some(key) = key {
        c.args(["--key", key]);
    }
    let out = c.arg(path).output().unwrap();
    (out.status.code(), text(&out.stdout))
}

/// A whole session: chain intact from session-start to session-end.
fn assert_whole(text: &[u8]) {
    auditsh::auditsh_log::verify::one_session(text).expect("the chain holds");
    let recs = common::records(text);
    assert_eq!(recs.first().unwrap()["event"]["action"], "session-start");
    assert_eq!(recs.last().unwrap()["event"]["action"], "session-end");
}

#[test]
fn the_spool_cannot_be_written_truncated_renamed_or_deleted() {
    let Some(inst) = installed() else { return };
    let out = inst.attack(&r("/bin/echo victim-session-7c1-{RUN}"), &[]);
    assert_eq!(text(&out.stdout), r("victim-session-7c1-{RUN}\n"));
    let (path, before) = session_with(&r("victim-session-7c1-{RUN}"));
    let p = path.display().to_string();
    let script = format!(
        "ls {SPOOL} >/dev/null 2>&1 && echo listed; \
         echo forged >> {p} && echo appended; \
         true > {p} && echo truncated; \
         mv {p} $HOME/x 2>/dev/null && echo renamed; \
         rm {p} 2>/dev/null && echo deleted; \
         ln {p} $HOME/link 2>/dev/null && echo linked; \
         cat {p} >/dev/null 2>&1 && echo read; \
         /bin/echo attack-done-7c1-{RUN}",
        RUN = run()
    );
    let out = inst.attack(&script, &[]);
    assert_eq!(
        text(&out.stdout),
        r("attack-done-7c1-{RUN}\n"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the victim's spool file changed"
    );
    let (_, attack) = session_with(&r("attack-done-7c1-{RUN}"));
    assert_whole(&attack);
}

/// The descriptors a program sees when dash starts it as the attacker.
fn baseline_fds(inst: &Installed) -> String {
    let out = attacker_command(
        inst,
        &[],
        Path::new(DASH),
        &["-c", "ls /proc/self/fd | tr '\\n' ' '"],
    )
    .env("PATH", "/usr/bin:/bin")
    .output()
    .unwrap();
    text(&out.stdout)
}

#[test]
fn the_shells_own_descriptors_are_refused_and_never_inherited() {
    let Some(inst) = installed() else { return };
    let script = r(": descriptors-{RUN}; for fd in 100 101 102 103; do \
           ( echo forged >&$fd ) 2>/dev/null && echo wrote-$fd; \
           ( cat <&$fd ) 2>/dev/null && echo read-$fd; \
           echo forged 2>/dev/null > /proc/$$/fd/$fd && echo proc-$fd; \
         done; \
         ls /proc/$$/fd >/dev/null 2>&1 && echo listed; \
         ls /proc/self/fd | tr '\\n' ' '; echo; \
         exec 100>&- 101>&- 102>&-; exec 100>/dev/null 101>&1 102>/dev/null; \
         echo mine >&101; /bin/echo descriptors-done-91a-{RUN}");
    let out = inst.attack(&script, &[]);
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    // `ls /proc/self/fd` run by the shell sees what `ls` run by dash sees (0, 1, 2, its own
    // directory descriptor, and whatever the test itself inherited): none of the shell's own.
    let seen: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    let baseline = baseline_fds(inst);
    let baseline: Vec<&str> = baseline.split_whitespace().collect();
    assert_eq!(seen, baseline, "{stdout}");
    // `exec 100>&-` and `exec 100>file` name descriptors the audit held: as bash moves its
    // own, the audit's move elsewhere, the user's redirections take the numbers, and the
    // records go on (the program after them is recorded, the chain whole).
    assert_eq!(lines.next(), Some("mine"), "{stdout}");
    let done = r("descriptors-done-91a-{RUN}");
    assert_eq!(lines.next(), Some(done.as_str()), "{stdout}");
    let msg = text(&out.stderr);
    assert!(!msg.contains("wrote") && !msg.contains("proc-"), "{msg}");
    assert!(!msg.contains("Bad file descriptor"), "{msg}");
    let (_, session) = session_with(&r(": descriptors-{RUN}"));
    assert_whole(&session);
    assert_eq!(execs_of(&session, "/bin/echo").len(), 1, "{stdout}");
}

#[test]
fn the_audit_configuration_and_ld_preload_are_ignored() {
    let Some(inst) = installed() else { return };
    let evil_dir = inst.home.join("evil-spool");
    let evil_conf = inst.home.join("evil.toml");
    Config::installed()
        .spool_off()
        .spool_dir(&evil_dir)
        .syslog_off()
        .write(&evil_conf);
    let lib = inst.compile(
        "evil.so",
        "#define _GNU_SOURCE\n#include <errno.h>\n#include <stdio.h>\n\
         __attribute__((constructor)) static void evil(void) {\n\
         fprintf(stderr, \"EVIL:%s\\n\", program_invocation_short_name); }\n",
        true,
    );
    let out = inst.attack(
        &r("echo \"[$AUDITSH_CONFIG][$LD_PRELOAD]\"; /bin/echo env-done-4b2-{RUN}"),
        &[
            ("AUDITSH_CONFIG", evil_conf.to_str().unwrap()),
            ("AUDITSH_SPOOL", evil_dir.to_str().unwrap()),
            ("LD_PRELOAD", lib.to_str().unwrap()),
        ],
    );
    let stdout = text(&out.stdout);
    // AUDITSH_CONFIG is an ordinary variable for the user; it steers nothing.
    assert!(
        stdout.ends_with(&r("][]\nenv-done-4b2-{RUN}\n")),
        "{stdout}"
    );
    // setpriv, which starts the shell, is not setuid and loads the library; the shell and the
    // programs it starts must not.
    let stderr = text(&out.stderr);
    let loaded: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("EVIL:"))
        .collect();
    assert_eq!(loaded, ["setpriv"], "LD_PRELOAD was loaded into {loaded:?}");
    assert!(!evil_dir.exists());
    let (_, session) = session_with(&r("env-done-4b2-{RUN}"));
    assert_whole(&session);
    assert_eq!(execs_of(&session, "/bin/echo").len(), 1);
}

#[test]
fn the_shell_cannot_be_traced() {
    let Some(inst) = installed() else { return };
    let tracer = inst.compile(
        "tracer",
        "#include <stdio.h>\n#include <stdlib.h>\n#include <sys/ptrace.h>\n\
         int main(int c, char **v) { long r = ptrace(PTRACE_ATTACH, atoi(v[1]), 0, 0);\n\
         puts(r == 0 ? \"attached\" : \"refused\"); return r == 0; }\n",
        false,
    );
    let script = format!(
        "{} $$; cat /proc/$$/environ >/dev/null 2>&1 && echo environ; \
         cat /proc/$$/mem >/dev/null 2>&1 && echo mem; /bin/echo trace-done-55e-{RUN}",
        tracer.display(),
        RUN = run()
    );
    let out = inst.attack(&script, &[]);
    assert_eq!(
        text(&out.stdout),
        r("refused\ntrace-done-55e-{RUN}\n"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn options_traps_unset_aliases_and_functions_do_not_stop_records() {
    let Some(inst) = installed() else { return };
    let script = r(
        "set +o errexit +o nounset +o xtrace +o verbose +o noexec 2>/dev/null; \
         set +e +u +x +v +f; \
         trap '' HUP INT TERM QUIT EXIT; \
         unset PATH IFS HOME PS4 ENV 2>/dev/null; \
         alias command=: exec=: ls=:; \
         command() { :; }; type() { :; }; cd() { :; }; echo() { :; }; printf() { :; }; \
         /bin/echo records-go-on-e1-{RUN}; \
         eval '/bin/echo from-eval-e1-{RUN}'; \
         (/bin/echo from-subshell-e1-{RUN}); \
         x=$(/bin/echo from-substitution-e1-{RUN}); \
         /bin/echo $x | /bin/cat",
    );
    let out = inst.attack(&script, &[]);
    assert_eq!(
        text(&out.stdout),
        r("records-go-on-e1-{RUN}\nfrom-eval-e1-{RUN}\nfrom-subshell-e1-{RUN}\nfrom-substitution-e1-{RUN}\n"),
        "{}",
        text(&out.stderr)
    );
    let (_, session) = session_with(&r("records-go-on-e1-{RUN}"));
    assert_whole(&session);
    let echoes: Vec<String> = execs_of(&session, "/bin/echo")
        .iter()
        .map(|r| r["process"]["args"][1].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        echoes,
        [
            "records-go-on-e1-{RUN}",
            "from-eval-e1-{RUN}",
            "from-subshell-e1-{RUN}",
            "from-substitution-e1-{RUN}",
            "from-substitution-e1-{RUN}"
        ]
        .map(r)
    );
    assert_eq!(execs_of(&session, "/bin/cat").len(), 1);
}

#[test]
fn kill_9_leaves_every_line_whole_and_no_end() {
    let Some(inst) = installed() else { return };
    let out = inst.attack(
        &r("/bin/echo killed-session-3d0-{RUN}; /bin/true; /bin/true; kill -9 $$; /bin/echo never"),
        &[],
    );
    assert_eq!(text(&out.stdout), r("killed-session-3d0-{RUN}\n"));
    let (path, session) = session_with(&r("killed-session-3d0-{RUN}"));
    // The security team's tool reports exactly this: a session with no end.
    let (code, report) = verify(None, &path);
    assert_eq!(code, Some(1), "{report}");
    let findings: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": session "))
        .collect();
    assert_eq!(findings.len(), 1, "{report}");
    assert!(findings[0].contains("unterminated"), "{report}");
    let n = auditsh::auditsh_log::verify::one_session(&session)
        .expect("every line whole, chain intact");
    let recs = common::records(&session);
    assert_eq!(recs.len() as u64, n);
    assert_ne!(recs.last().unwrap()["event"]["action"], "session-end");
    assert_eq!(execs_of(&session, "/bin/true").len(), 2);
    assert!(execs_of(&session, "/bin/echo")
        .iter()
        .all(|r| r["process"]["args"][1] != "never"));
}

#[test]
fn a_renamed_directory_or_a_symlink_cannot_hide_the_program_that_ran() {
    use std::os::unix::fs::MetadataExt;
    let Some(inst) = installed() else { return };
    let dir = inst.home.join(r("decoy-{RUN}"));
    let d = dir.display();
    // The attacker runs ./x from a directory renamed under the shell, with a decoy of the old
    // name in its place, and a program through a symlink.
    let out = inst.attack(
        &format!(
            "mkdir -p {d}/a && printf '#!/bin/sh\\necho ran-real\\n' > {d}/a/x && chmod +x {d}/a/x \
             && ln -s x {d}/a/link && cd {d}/a && /bin/mv {d}/a {d}/real && /bin/mkdir {d}/a \
             && ./x && {d}/real/link"
        ),
        &[],
    );
    assert_eq!(text(&out.stdout), "ran-real\nran-real\n", "{out:?}");
    let real = dir.join("real");
    let m = std::fs::metadata(real.join("x")).unwrap();
    let (_, session) = session_with(&format!("{d}/real/link"));
    assert_whole(&session);
    let x = execs_of(&session, &format!("{d}/real/x"));
    assert_eq!(x.len(), 1, "{}", text(&session));
    assert_eq!(x[0]["process"]["args"][0], "./x");
    assert_eq!(x[0]["process"]["working_directory"], format!("{d}/real"));
    assert_eq!(x[0]["auditsh"]["logical_cwd"], format!("{d}/a"));
    assert_eq!(x[0]["auditsh"]["executable"]["device"], m.dev().to_string());
    assert_eq!(x[0]["auditsh"]["executable"]["inode"], m.ino().to_string());
    let link = execs_of(&session, &format!("{d}/real/link"));
    assert_eq!(link.len(), 1);
    assert_eq!(
        link[0]["auditsh"]["executable"]["target"],
        format!("{d}/real/x")
    );
    assert_eq!(
        link[0]["auditsh"]["executable"]["inode"],
        m.ino().to_string()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_parent_named_sshd_by_the_user_is_marked_untrusted() {
    let Some(inst) = installed() else { return };
    let dir = inst.home.join(r("fake-sshd-{RUN}"));
    let d = dir.display();
    let shell = inst.shell.display();
    let out = inst.attack(
        &format!(
            "mkdir -p {d} && cp /bin/sh {d}/sshd && \
             {d}/sshd -c '{shell} -c \"/bin/echo inner-$((40+2))-{run}\"; :'",
            run = run()
        ),
        &[],
    );
    assert_eq!(text(&out.stdout), r("inner-42-{RUN}\n"), "{out:?}");
    let (_, inner) = session_with(&r("inner-42-{RUN}"));
    let start = &common::records(&inner)[0];
    assert_eq!(start["process"]["parent"]["name"], "sshd", "{start}");
    assert_eq!(start["auditsh"]["parent_trusted"], false, "{start}");
    // The attacker's own session was started by this test, running as root: trusted.
    let (_, outer) = session_with(&format!("{d}/sshd -c"));
    let start = &common::records(&outer)[0];
    assert_eq!(start["auditsh"]["parent_trusted"], true, "{start}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Syslog as install.sh leaves it.

/// install.sh sets rsyslog up so that records arrive whole and name their sender: its snippet
/// with the message size above `max_record_bytes`, the system socket's annotation turned on,
/// and a configuration rsyslogd accepts.
#[test]
fn install_sets_rsyslog_up_for_whole_records_and_their_senders() {
    let Some(_inst) = installed() else { return };
    if !Path::new("/etc/rsyslog.d").is_dir() {
        if std::env::var("AUDITSH_E2E").as_deref() == Ok("required") {
            panic!("rsyslog is not installed (AUDITSH_E2E=required)");
        }
        eprintln!("SKIPPED: install_sets_rsyslog_up: rsyslog is not installed");
        return;
    }
    let snippet = std::fs::read_to_string("/etc/rsyslog.d/auditsh.conf").expect("the snippet");
    assert!(
        !snippet.contains('@'),
        "every placeholder filled in: {snippet}"
    );
    let config = std::fs::read_to_string("/etc/auditsh/auditsh.toml").unwrap();
    let max: u64 = config
        .lines()
        .find_map(|l| l.trim().strip_prefix("max_record_bytes"))
        .and_then(|v| v.trim().trim_start_matches('=').split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(65536);
    assert!(
        snippet.contains(&format!("maxMessageSize=\"{}\"", max + 4096)),
        "{snippet}"
    );
    let main = std::fs::read_to_string("/etc/rsyslog.conf").unwrap();
    assert!(
        main.lines().any(|l| l.starts_with(
            "module(load=\"imuxsock\" SysSock.Annotate=\"on\" SysSock.ParseTrusted=\"on\")"
        )),
        "{main}"
    );
    let check = Command::new("rsyslogd").arg("-N1").output().unwrap();
    assert!(
        check.status.success(),
        "rsyslogd -N1: {}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
}

/// A session forged as root's, well chained, sent by the attacker to a real rsyslogd set up
/// as install.sh sets it up (`logger -t 'auditsh[4242]'`): it lands beside genuine records
/// with auditsh's tag, and `verify` names every line of it by the sender the kernel saw.
#[test]
fn a_session_forged_into_syslog_is_reported() {
    let Some(inst) = installed() else { return };
    if !common::rsyslog::rsyslogd_present("a_session_forged_into_syslog_is_reported") {
        return;
    }
    let tmp = TempDir::new("attack-forged-syslog");
    let rsyslog = common::rsyslog::Rsyslog::start_packaged(tmp.path(), true);
    let session = format!("{:032x}", 0xf0f0_u128 + u128::from(std::process::id()));
    let mut prev = [0u8; 32];
    let mut script = String::new();
    for (seq, action) in ["session-start", "command", "session-end"]
        .iter()
        .enumerate()
    {
        let line = format!(
            concat!(
                r#"{{"@timestamp":"2026-12-03T10:00:0{seq}.000000Z","ecs":{{"version":"8.11.0"}},"#,
                r#""event":{{"kind":"event","category":["session"],"type":["info"],"action":"{a}","#,
                r#""sequence":{seq},"id":"{s}-{seq}"}},"message":"root@web01: forged","#,
                r#""host":{{"hostname":"web01"}},"user":{{"name":"root","id":"0","#,
                r#""effective":{{"name":"root","id":"0"}}}},"group":{{"id":"0"}},"#,
                r#""process":{{"pid":4242,"parent":{{"pid":1}}}},"#,
                r#""auditsh":{{"version":1,"session":"{s}","mode":"command","prev":"{p}"}}}}"#
            ),
            seq = seq,
            a = action,
            s = session,
            p = auditsh::audit::record::hex(&prev),
        );
        prev = auditsh::audit::chain::line_hash(line.as_bytes());
        script.push_str(&format!(
            "logger -u '{}' -p authpriv.info -t 'auditsh[4242]' -- '{}' || exit 1\n",
            rsyslog.socket.display(),
            line
        ));
    }
    let out = inst.attack(&script, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    rsyslog.wait_for(3, std::time::Duration::from_secs(30));
    let (code, report) = verify(None, &rsyslog.out);
    assert_eq!(code, Some(1), "{report}");
    let forged = report
        .lines()
        .filter(|l| {
            l.contains(&format!(
                "session {session} (syslog copy): sent by uid {}",
                inst.uid
            )) && l.contains("(user.id 0)")
        })
        .count();
    assert_eq!(forged, 3, "every forged line is named: {report}");

    // And with the host's record key: none of them carries a MAC the attacker could make.
    let (code, report) = verify(Some(record_key()), &rsyslog.out);
    assert_eq!(code, Some(1), "{report}");
    let unauthenticated = report
        .lines()
        .filter(|l| {
            l.contains(&format!(
                "session {session} (syslog copy): not authenticated"
            ))
        })
        .count();
    assert_eq!(unauthenticated, 3, "{report}");
}

#[test]
fn the_record_key_cannot_be_read_and_the_records_carry_its_mac() {
    let Some(inst) = installed() else { return };
    // install.sh made the key: the state for the account only, the seed for root only.
    use std::os::unix::fs::MetadataExt;
    let state = std::fs::metadata(KEY_STATE).expect("install.sh created the key state");
    assert_eq!(state.mode() & 0o777, 0o600);
    let dir = std::fs::metadata("/var/lib/auditsh").unwrap();
    assert_eq!(dir.mode() & 0o777, 0o700);
    let script = r("cat /var/lib/auditsh/key 2>/dev/null && echo read-state; \
         ls /var/lib/auditsh 2>/dev/null && echo listed; \
         cat /etc/auditsh/verify.key 2>/dev/null && echo read-seed; \
         grep -l auditsh-key /proc/$$/environ /proc/self/environ 2>/dev/null; \
         tr '\\0' '\\n' </proc/self/environ | grep -c KEY; \
         /bin/echo key-done-8f3-{RUN}");
    let out = inst.attack(&script, &[]);
    assert_eq!(
        text(&out.stdout),
        r("0\nkey-done-8f3-{RUN}\n"),
        "{}",
        text(&out.stderr)
    );
    let (path, session) = session_with(&r("key-done-8f3-{RUN}"));
    assert_whole(&session);
    let recs = common::records(&session);
    assert!(recs.iter().all(|r| r["auditsh"]["mac"].is_string()));
    // The security team's check: with the verification key (or, moved off the host, the
    // state file of today), every record is authenticated.
    let (code, report) = verify(Some(record_key()), &path);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.ends_with(&format!(
            "{n} records, {n} authenticated, 0 findings\n",
            n = recs.len()
        )),
        "{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// Start-up under hostile limits and without privilege: an installed shell that cannot record
// runs nothing (status 126); one that can records everything.
// ---------------------------------------------------------------------------------------------

/// `program` (with `args`) run as the attacker with no supplementary groups, `extra` options
/// for setpriv before the `--`, and a clean environment: `PATH`, `HOME`, and the attacker's
/// directory as the working directory.
fn attacker_command(inst: &Installed, extra: &[&str], program: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("setpriv");
    c.arg(format!("--reuid={}", inst.uid))
        .arg(format!("--regid={}", inst.gid))
        .arg("--clear-groups")
        .args(extra)
        .arg("--")
        .arg(program)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &inst.home)
        .current_dir(&inst.home);
    c
}

/// Run `program` as `attacker_command` has it.
fn as_attacker(inst: &Installed, extra: &[&str], program: &Path, args: &[&str]) -> Output {
    attacker_command(inst, extra, program, args)
        .output()
        .expect("run as the attacker")
}

/// The installed shell either refused to start (126, nothing ran) or recorded the whole
/// session, with the marker's program among its exec records. Returns whether it ran.
fn recorded_or_refused(out: &Output, marker: &str) -> bool {
    let stdout = text(&out.stdout);
    if out.status.code() == Some(126) {
        assert!(!stdout.contains(marker), "ran while refusing: {stdout}");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        return false;
    }
    assert_eq!(stdout, format!("{marker}\n"), "{}", text(&out.stderr));
    let (_, session) = session_with(marker);
    assert_whole(&session);
    let echoes = execs_of(&session, "/bin/echo");
    assert_eq!(echoes.len(), 1, "the marker's program has no exec record");
    assert_eq!(echoes[0]["process"]["args"][1], marker);
    true
}

#[test]
fn a_low_descriptor_limit_never_runs_commands_unrecorded() {
    let Some(inst) = installed() else { return };
    // Descriptors the attacker's own programs inherit (dash's `ls` sees them too) are theirs.
    let inherited = baseline_fds(inst);
    for limit in [100, 20] {
        let marker = r(&format!("nofile-{limit}-{{RUN}}"));
        // Wherever the shell's descriptors end up below 100, the user cannot name them.
        let file = inst.home.join(format!("nofile-{limit}.sh"));
        std::fs::write(
            &file,
            format!(
                "/bin/echo {marker}\n\
                 i=10; while [ $i -lt 100 ]; do\n\
                 case ' {inherited} ' in *\" $i \"*) i=$((i + 1)); continue;; esac\n\
                 (echo forged >&$i) 2>/dev/null && echo wrote-$i\n\
                 (cat <&$i) 2>/dev/null && echo read-$i\n\
                 i=$((i + 1)); done\n"
            ),
        )
        .unwrap();
        // dash's `ulimit -n` sets the soft and the hard limit: the shell cannot raise it.
        let script = format!(
            "ulimit -n {limit} && exec {} {}",
            inst.shell.display(),
            file.display()
        );
        let out = as_attacker(inst, &[], Path::new(DASH), &["-c", &script]);
        assert!(
            recorded_or_refused(&out, &marker),
            "limit {limit}: refused: {}",
            text(&out.stderr)
        );
    }
    // A soft limit of 10 with a higher hard one: the shell places its descriptors above the
    // soft limit, and what it runs still sees the limit the user set.
    let marker = r("nofile-soft-10-{RUN}");
    let script = format!(
        "ulimit -Sn 10 && exec {} -c '/bin/echo {marker}; /bin/sh -c \"ulimit -Sn\"'",
        inst.shell.display()
    );
    let out = as_attacker(inst, &[], Path::new(DASH), &["-c", &script]);
    assert_eq!(
        text(&out.stdout),
        format!("{marker}\n10\n"),
        "{}",
        text(&out.stderr)
    );
    let (_, session) = session_with(&marker);
    assert_whole(&session);
    assert_eq!(execs_of(&session, "/bin/sh").len(), 1);
    // Too low for any descriptor above the user's 0-9: refused, with one line.
    let marker = r("nofile-8-{RUN}");
    let script = format!(
        "ulimit -n 8 && exec {} -c '/bin/echo {marker}'",
        inst.shell.display()
    );
    let out = as_attacker(inst, &[], Path::new(DASH), &["-c", &script]);
    assert!(
        !recorded_or_refused(&out, &marker),
        "ran with 8 descriptors"
    );
}

#[test]
fn descriptors_taken_above_100_never_run_commands_unrecorded() {
    let Some(inst) = installed() else { return };
    let filler = inst.compile(
        "fill-descriptors",
        "#include <fcntl.h>\n#include <sys/resource.h>\n#include <unistd.h>\n\
         int main(int c, char **v) { struct rlimit l = { 1024, 1024 };\n\
         if (setrlimit(RLIMIT_NOFILE, &l)) return 126;\n\
         int fd = open(\"/dev/null\", O_RDWR);\n\
         for (int i = 100; i < 1024; i++) if (dup2(fd, i) != i) return 125;\n\
         execv(v[1], v + 1); return 127; }\n",
        false,
    );
    let marker = r("filled-fds-{RUN}");
    let script = format!("/bin/echo {marker}");
    let shell = inst.shell.to_str().unwrap();
    let out = as_attacker(inst, &[], &filler, &[shell, "-c", &script]);
    assert!(
        recorded_or_refused(&out, &marker),
        "refused: {}",
        text(&out.stderr)
    );
}

#[test]
fn no_new_privs_refuses_instead_of_running_unaudited() {
    let Some(inst) = installed() else { return };
    let off = inst.home.join("off.toml");
    Config::installed().spool_off().syslog_off().write(&off);
    let witness = inst.home.join(r("nnp-ran-{RUN}"));
    let script = format!("touch {}", witness.display());
    let out = attacker_command(inst, &["--no-new-privs"], &inst.shell, &["-c", &script])
        .env("PATH", "/usr/bin:/bin")
        .env("AUDITSH_CONFIG", &off)
        .env("XDG_STATE_HOME", &inst.home)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{stderr}");
    assert!(!witness.exists(), "the command ran");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("without its privilege"), "{stderr}");
}

/// The installed shell's config, replaced for one test and put back when dropped. Tests that
/// replace it run one at a time (the others of this file run on the config as installed).
struct SystemConfigSwap {
    saved: Option<Vec<u8>>,
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

const SYSTEM_CONFIG: &str = "/etc/auditsh/auditsh.toml";
/// The config as it was, kept on disk while a test has replaced it: a test run that was
/// killed mid-test leaves it, and the next swap puts it back first.
const SYSTEM_CONFIG_SAVED: &str = "/etc/auditsh/auditsh.toml.attack-test-saved";

impl SystemConfigSwap {
    fn with(config: &Config) -> SystemConfigSwap {
        static SWAPPING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let guard = SWAPPING.lock().unwrap_or_else(|e| e.into_inner());
        if let Ok(left) = std::fs::read(SYSTEM_CONFIG_SAVED) {
            std::fs::write(SYSTEM_CONFIG, left).unwrap();
        }
        let saved = std::fs::read(SYSTEM_CONFIG).ok();
        if let Some(saved) = &saved {
            std::fs::write(SYSTEM_CONFIG_SAVED, saved).unwrap();
        }
        config.write(Path::new(SYSTEM_CONFIG));
        SystemConfigSwap {
            saved,
            _one_at_a_time: guard,
        }
    }
}

impl Drop for SystemConfigSwap {
    fn drop(&mut self) {
        match &self.saved {
            Some(text) => std::fs::write(SYSTEM_CONFIG, text).unwrap(),
            None => std::fs::remove_file(SYSTEM_CONFIG).unwrap(),
        }
        let _ = std::fs::remove_file(SYSTEM_CONFIG_SAVED);
    }
}

/// A syslog socket of the test's own that anyone may send to, read as messages arrive (the
/// kernel queues only a few datagrams per socket).
struct SyslogSink {
    path: PathBuf,
    received: std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
}

impl SyslogSink {
    fn bind(tag: &str) -> SyslogSink {
        use std::os::unix::fs::PermissionsExt;
        let path = PathBuf::from(format!("/tmp/auditsh-{tag}-{}.sock", run()));
        let _ = std::fs::remove_file(&path);
        let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let into = std::sync::Arc::clone(&received);
        // Ends with the test process (a reader blocked in recv holds nothing of the test's).
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 20];
            while let Ok(n) = socket.recv(&mut buf) {
                into.lock().unwrap().push(buf[..n].to_vec());
            }
        });
        SyslogSink { path, received }
    }

    /// The records received for `session`.
    fn records_of(&self, session: &str) -> Vec<Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter_map(|m| serde_json::from_slice::<Value>(common::syslog_json(m)).ok())
            .filter(|v| v["auditsh"]["session"] == session)
            .collect()
    }
}

impl Drop for SyslogSink {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The records of a spool file that are whole lines (a spool cut by a file size limit may end
/// in a fragment).
fn whole_records(text: &[u8]) -> Vec<Value> {
    text.split(|&b| b == b'\n')
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect()
}

#[test]
fn a_file_size_limit_is_reported_and_does_not_kill_the_shell() {
    let Some(inst) = installed() else { return };
    let syslog = SyslogSink::bind("xfsz");
    let _config = SystemConfigSwap::with(&Config::installed().syslog_socket(&syslog.path));
    // The spool already holds more than 1024 bytes when `ulimit -f 2` takes effect: every
    // later record written there fails with EFBIG. `dd` past the limit must still die of
    // SIGXFSZ, as under dash; the shell itself must not.
    let script = r(": xfsz-{RUN}; ulimit -f 2; /bin/true; /bin/true; \
         grep SigIgn /proc/self/status; \
         dd if=/dev/zero of=$HOME/xfsz-big bs=1024 count=4 2>/dev/null; echo dd=$?; \
         echo after");
    let out = inst.attack(&script, &[]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let mut lines = stdout.lines();
    let sigign = lines.next().unwrap_or("");
    let mask = u64::from_str_radix(sigign.trim_start_matches("SigIgn:").trim(), 16)
        .unwrap_or_else(|_| panic!("{stdout}"));
    assert_eq!(
        mask & (1 << (libc::SIGXFSZ - 1)),
        0,
        "a program inherits SIGXFSZ ignored"
    );
    assert_eq!(lines.next(), Some("dd=153"), "{stdout}");
    assert_eq!(lines.next(), Some("after"), "{stdout}");
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("spool")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("File too large"), "{stderr}");
    let _ = std::fs::remove_file(inst.home.join("xfsz-big"));

    let (_, spool) = session_with(&r(": xfsz-{RUN}"));
    let spooled = whole_records(&spool);
    let session = spooled[0]["auditsh"]["session"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let logged = syslog.records_of(&session);
    let actions: Vec<&str> = logged
        .iter()
        .map(|r| r["event"]["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions.first(), Some(&"session-start"), "{actions:?}");
    assert_eq!(actions.last(), Some(&"session-end"), "{actions:?}");
    assert!(actions.contains(&"audit-failure"), "{actions:?}");
    // syslog has every record, in one gapless sequence; the spool stops where the limit hit.
    let seqs: Vec<u64> = logged
        .iter()
        .map(|r| r["event"]["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
    assert!(spooled.len() < logged.len());
    assert_eq!(execs_of(&joined_records(&logged), "/bin/true").len(), 2);
}

fn joined_records(records: &[Value]) -> Vec<u8> {
    let mut text = Vec::new();
    for r in records {
        text.extend_from_slice(r.to_string().as_bytes());
        text.push(b'\n');
    }
    text
}

#[test]
fn running_out_of_memory_is_an_error_not_a_crash() {
    let Some(inst) = installed() else { return };
    // The limit leaves the shell a little room above what it uses now: 2 MB, too little for a
    // 5 MB printf field; 50 MB, too little for a 200 MB command substitution.
    let vm = "$(sed -n 's/^VmSize: *\\([0-9]*\\).*/\\1/p' /proc/$$/status)";
    for (room, command) in [
        (2_000, "printf '%*d' 5000000 1"),
        (50_000, "x=$(head -c 200000000 /dev/zero | tr '\\0' a)"),
    ] {
        let marker = r(&format!("oom-{room}-{{RUN}}"));
        let script = format!(
            ": {marker}; ulimit -v $(({vm} + {room})); {command}; echo status=$?; echo after"
        );
        let out = inst.attack(&script, &[("RUST_BACKTRACE", "1")]);
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        assert!(stdout.ends_with("after\n"), "{command}: {stdout}{stderr}");
        assert!(
            stdout.contains("status=1") || stdout.contains("status=2"),
            "{command}: {stdout}"
        );
        // Beside the audit's own warnings (a machine without /dev/log has one), one line.
        let said: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with("auditsh: audit: "))
            .collect();
        assert_eq!(said.len(), 1, "{command}: {stderr}");
        assert!(said[0].ends_with("Out of space"), "{command}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"));
        let (_, session) = session_with(&marker);
        assert_whole(&session);
    }
}

#[test]
fn a_user_namespace_refuses_instead_of_running_unaudited() {
    let Some(inst) = installed() else { return };
    // Where unprivileged user namespaces are not allowed this is no attack at all.
    let allowed = as_attacker(inst, &[], Path::new("/usr/bin/unshare"), &["-U", "true"]);
    if !allowed.status.success() {
        eprintln!(
            "user namespaces are not available to users here: nothing to attack ({})",
            text(&allowed.stderr).trim()
        );
        return;
    }
    // In a new user namespace the kernel ignores the set-user-ID bit of a file whose owner is
    // not mapped there; the file's owner and the process then both show as the overflow id.
    let witness = inst.home.join(r("userns-ran-{RUN}"));
    let script = format!("touch {}", witness.display());
    let shell = inst.shell.to_str().unwrap();
    for how in [&["-U"][..], &["-U", "-r"]] {
        let mut args = how.to_vec();
        args.extend([shell, "-c", &script]);
        let out = as_attacker(inst, &[], Path::new("/usr/bin/unshare"), &args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(126), "unshare {how:?}: {stderr}");
        assert!(!witness.exists(), "unshare {how:?}: the command ran");
        assert!(stderr.contains("without its privilege"), "{stderr}");
    }
}

#[test]
fn a_session_start_that_cannot_be_written_runs_nothing() {
    let Some(inst) = installed() else { return };
    // The spool is the only sink; `ulimit -f 0` (a limits.conf `fsize` line does the same)
    // makes its first write fail with EFBIG. Under `on_failure = "warn"` the installed shell
    // must still not run anything unrecorded, and must not die of SIGXFSZ either.
    let _config = SystemConfigSwap::with(
        &Config::installed()
            .top("on_failure = \"warn\"")
            .syslog_off(),
    );
    let witness = inst.home.join(r("fsize-0-ran-{RUN}"));
    let script = format!(
        "ulimit -f 0 && exec {} -c 'touch {}'",
        inst.shell.display(),
        witness.display()
    );
    let out = as_attacker(inst, &[], Path::new(DASH), &["-c", &script]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(126), "{stderr}");
    assert!(!witness.exists(), "the command ran");
    let refusal: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("auditsh: audit: "))
        .collect();
    assert_eq!(refusal.len(), 1, "{stderr}");
    assert!(refusal[0].contains("File too large"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Records that reach syslog, and pasted blocks, against the installed shell.

/// A command line of 20 KB run by the attacker: its records (over rsyslog's 8 KiB default)
/// reach an rsyslogd set up as install.sh sets it up whole, byte for byte as in the spool,
/// behind the attacker's own kernel credentials, and the two copies verify with the key.
#[test]
fn long_records_of_the_installed_shell_reach_syslog_whole() {
    let Some(inst) = installed() else { return };
    if !common::rsyslog::rsyslogd_present("long_records_of_the_installed_shell_reach_syslog_whole")
    {
        return;
    }
    let tmp = TempDir::new("attack-long-syslog");
    let rsyslog = common::rsyslog::Rsyslog::start_packaged(tmp.path(), true);
    let _config = SystemConfigSwap::with(&Config::installed().syslog_socket(&rsyslog.socket));
    let script = r(&format!("/bin/true long-{{RUN}} {}", "z".repeat(20_000)));
    let out = inst.attack(&script, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (path, session) = session_with(&r("long-{RUN} zzz"));
    assert_whole(&session);
    let spool_lines = common::lines(&session);
    assert!(spool_lines.iter().filter(|l| l.len() > 20_000).count() >= 2);
    let received = rsyslog.wait_for(spool_lines.len(), std::time::Duration::from_secs(30));
    let id = common::records(&session)[0]["auditsh"]["session"]
        .as_str()
        .unwrap()
        .to_string();
    let ours: Vec<&[u8]> = common::lines(&received)
        .into_iter()
        .filter(|l| l.windows(id.len()).any(|w| w == id.as_bytes()))
        .collect();
    assert_eq!(ours.len(), spool_lines.len(), "{}", rsyslog.stderr());
    let sender = format!("trusted(uid={},gid={},", inst.uid, inst.gid);
    for (got, want) in ours.iter().zip(&spool_lines) {
        let brace = got.iter().position(|&b| b == b'{').unwrap();
        assert!(&got[brace..] == *want, "whole and byte for byte");
        assert!(
            text(&got[..brace]).contains(&sender),
            "{}",
            text(&got[..brace])
        );
    }
    let both = tmp.join("both");
    std::fs::create_dir_all(&both).unwrap();
    std::fs::copy(&path, both.join(path.file_name().unwrap())).unwrap();
    std::fs::copy(&rsyslog.out, both.join("auditsh-syslog.log")).unwrap();
    let (code, report) = verify(Some(record_key()), &both);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.ends_with(" 0 findings\n"), "{report}");
}

/// A block pasted at the installed shell's prompt (bracketed paste, as a terminal sends it):
/// each command line of it runs under a command record of its own text, and each program's
/// record points at its own line's.
#[test]
fn a_pasted_block_is_recorded_line_by_line() {
    let Some(inst) = installed() else { return };
    if !Path::new("/usr/bin/tmux").exists() {
        if std::env::var("AUDITSH_E2E").as_deref() == Ok("required") {
            panic!("tmux is not installed (AUDITSH_E2E=required)");
        }
        eprintln!("SKIPPED: a_pasted_block_is_recorded_line_by_line: no tmux");
        return;
    }
    let socket = r("auditsh-attack-paste-{RUN}");
    let tmux = || {
        let mut c = Command::new("tmux");
        c.args(["-L", &socket, "-f", "/dev/null"]);
        c
    };
    let login = format!(
        "setpriv --reuid={uid} --regid={gid} --clear-groups -- env -i TERM=xterm HOME={home} \
         PATH=/usr/bin:/bin PS1='attacker$ ' {shell}",
        uid = inst.uid,
        gid = inst.gid,
        home = inst.home.display(),
        shell = inst.shell.display()
    );
    let ok = tmux()
        .args([
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "40",
            &login,
        ])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "tmux new-session");
    let screen = || {
        let out = tmux()
            .args(["capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        text(&out.stdout)
    };
    let wait_for = |what: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let s = screen();
            if s.lines().any(|l| l.trim_end() == what || l.ends_with(what)) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waiting for {what:?}:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    wait_for("attacker$");
    let block = r("/bin/echo pasted-one-{RUN}\n/bin/true second\n/bin/echo pasted-three-{RUN}\n");
    let pasted = tmux()
        .args(["set-buffer", "-b", "block", &block])
        .status()
        .is_ok_and(|s| s.success())
        && tmux()
            .args(["paste-buffer", "-p", "-b", "block", "-t", "t"])
            .status()
            .is_ok_and(|s| s.success());
    assert!(pasted, "paste");
    wait_for(&r("pasted-three-{RUN}"));
    // The same as the raw bytes a terminal sends, the paste markers around the lines.
    let raw = r("\x1b[200~/bin/echo raw-one-{RUN}\r/bin/echo raw-two-{RUN}\x1b[201~");
    let _ = tmux().args(["send-keys", "-t", "t", "-l", &raw]).status();
    let _ = tmux().args(["send-keys", "-t", "t", "Enter"]).status();
    wait_for(&r("raw-two-{RUN}"));
    let _ = tmux().args(["send-keys", "-t", "t", "-l", "exit"]).status();
    let _ = tmux().args(["send-keys", "-t", "t", "Enter"]).status();
    // The shell reads `exit` once the pasted commands have run: wait for its window to
    // close (a loaded machine may take a while), then take the server down.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline
        && tmux()
            .args(["has-session", "-t", "t"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = tmux().arg("kill-server").status();

    let (_, session) = session_with(&r("pasted-one-{RUN}"));
    let recs = common::records(&session);
    let starts: Vec<&Value> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "command" && r["event"]["type"][0] == "start")
        .collect();
    let texts: Vec<&str> = starts
        .iter()
        .filter_map(|r| r["process"]["command_line"].as_str())
        .collect();
    assert_eq!(
        texts,
        [
            r("/bin/echo pasted-one-{RUN}").as_str(),
            "/bin/true second",
            r("/bin/echo pasted-three-{RUN}").as_str(),
            r("/bin/echo raw-one-{RUN}").as_str(),
            r("/bin/echo raw-two-{RUN}").as_str(),
            "exit"
        ],
        "{}",
        text(&session)
    );
    for (exec_arg, line) in [
        (r("pasted-one-{RUN}"), 0),
        ("second".to_string(), 1),
        (r("pasted-three-{RUN}"), 2),
        (r("raw-one-{RUN}"), 3),
        (r("raw-two-{RUN}"), 4),
    ] {
        let exec = recs
            .iter()
            .find(|r| {
                r["event"]["action"] == "exec" && r["process"]["args"][1] == exec_arg.as_str()
            })
            .unwrap_or_else(|| panic!("no exec of {exec_arg}"));
        assert_eq!(exec["auditsh"]["command"], starts[line]["event"]["id"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets: one user cannot flood the spool or start sessions without bound.

/// The user's day count of record bytes, as the installed shell keeps it (the first 8 bytes
/// of the user's counters file in today's spool directory); 0 when there is none yet.
fn user_day_bytes(uid: u32) -> (PathBuf, u64) {
    let (secs, _) = auditsh::audit::clock::realtime();
    let day = auditsh::audit::clock::date(secs);
    let path = Path::new(SPOOL)
        .join(day)
        .join(format!(".user-{uid}.limits"));
    let bytes = std::fs::read(&path).unwrap_or_default();
    let count = bytes
        .get(..8)
        .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()));
    (path, count)
}

#[test]
fn one_user_cannot_flood_the_spool() {
    let Some(inst) = installed() else { return };
    // A loop of 60 KB command lines: past the session's budget its records keep their fixed
    // fields and the text's SHA-256 and length, and one audit-failure says so.
    let flood = |marker: &str| {
        r(&format!(
            ": {marker}-{{RUN}}; L=$(head -c 60000 /dev/zero | tr '\\0' x); i=0; \
             while [ $i -lt 20 ]; do /bin/true \"$L\"; i=$((i+1)); done; \
             echo 0 > {SPOOL}/*/.user-{}.limits; echo done",
            inst.uid
        ))
    };
    {
        let _config = SystemConfigSwap::with(
            &Config::installed()
                .syslog_off()
                .tables("[limits]\nsession_bytes = 32768"),
        );
        let out = inst.attack(&flood("flood-session"), &[]);
        assert_eq!(text(&out.stdout), "done\n", "{}", text(&out.stderr));
    }
    let (file, spool) = session_with(&r(": flood-session-{RUN}"));
    // The 20 programs' records stay near their fixed fields (a few kilobytes each), a small
    // part of the 1.2 MB of text the loop passed.
    assert!(spool.len() < 240 * 1024, "{} bytes", spool.len());
    assert_whole(&spool);
    let recs = common::records(&spool);
    let trues = execs_of(&spool, "/bin/true");
    assert_eq!(trues.len(), 20);
    for t in &trues {
        assert_eq!(t["auditsh"]["truncated"], true);
        assert_eq!(
            t["auditsh"]["full"]["length"],
            "/bin/true".len() + 1 + 60000 + 1
        );
        assert_eq!(t["user"]["id"], inst.uid.to_string());
    }
    let notices: Vec<&Value> = recs
        .iter()
        .filter(|r| r["auditsh"]["budget"].is_object())
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["auditsh"]["budget"]["name"], "session_bytes");
    assert_eq!(verify(None, &file).0, Some(0));

    // The user's day count is the audit account's: the user can neither read nor reset it.
    let (counter, before) = user_day_bytes(inst.uid);
    assert!(before >= spool.len() as u64, "{before}");
    use std::os::unix::fs::MetadataExt;
    let md = std::fs::metadata(&counter).unwrap();
    assert_ne!(md.uid(), inst.uid);
    assert_eq!(md.mode() & 0o777, 0o600);

    // A second session of the same user is held to the day's budget of all its sessions.
    {
        let _config = SystemConfigSwap::with(&Config::installed().syslog_off().tables(&format!(
            "[limits]\nuser_day_bytes = {}",
            before + 16 * 1024
        )));
        let out = inst.attack(&flood("flood-day"), &[]);
        assert_eq!(text(&out.stdout), "done\n", "{}", text(&out.stderr));
    }
    let (_, spool) = session_with(&r(": flood-day-{RUN}"));
    assert!(spool.len() < 240 * 1024, "{} bytes", spool.len());
    assert_whole(&spool);
    let recs = common::records(&spool);
    assert!(execs_of(&spool, "/bin/true")
        .iter()
        .all(|t| t["auditsh"]["truncated"] == true));
    let notices: Vec<&Value> = recs
        .iter()
        .filter(|r| r["auditsh"]["budget"].is_object())
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["auditsh"]["budget"]["name"], "user_day_bytes");
    assert!(user_day_bytes(inst.uid).1 > before);
}

#[test]
fn a_burst_of_sessions_waits_for_the_rate_and_every_one_is_recorded() {
    let Some(inst) = installed() else { return };
    let _config = SystemConfigSwap::with(
        &Config::installed()
            .syslog_off()
            .tables("[limits]\nsessions_per_second = 4"),
    );
    let script = r(&format!(
        "i=0; while [ $i -lt 12 ]; do {} -c \": rate-{{RUN}}-$i\" & i=$((i+1)); done; wait; echo done",
        inst.shell.display()
    ));
    let started = std::time::Instant::now();
    let out = inst.attack(&script, &[]);
    assert_eq!(text(&out.stdout), "done\n", "{}", text(&out.stderr));
    // 13 sessions (the outer one too) at 4 a second take more than two seconds.
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Each inner session, by its session-start's arguments (the outer session's exec records
    // carry the same text). The installed spool also holds earlier runs' sessions, written by
    // earlier versions: only this run's are held to the record schema.
    let starts: Vec<(Value, Vec<u8>)> = common::spool_files(Path::new(SPOOL))
        .into_iter()
        .filter_map(|f| {
            let text = std::fs::read(f).ok()?;
            let first = text.split(|&b| b == b'\n').next()?;
            let first: Value = serde_json::from_slice(first).ok()?;
            Some((first, text))
        })
        .collect();
    let mut waited = 0;
    for i in 0..12 {
        let marker = r(&format!(": rate-{{RUN}}-{i}"));
        let sessions: Vec<&(Value, Vec<u8>)> = starts
            .iter()
            .filter(|(first, _)| first["process"]["args"][2] == marker.as_str())
            .collect();
        assert_eq!(sessions.len(), 1, "session {i}");
        let (first, text) = sessions[0];
        assert_whole(text);
        common::records(text);
        if first["auditsh"]["start_waited_ms"].is_u64() {
            waited += 1;
        }
    }
    assert!(waited >= 6, "{waited} of 12 sessions waited");
}
