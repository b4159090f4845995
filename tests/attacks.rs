//! The attacks of security.md, run as an unprivileged user in sessions of the installed
//! (setuid) shell: every one must fail, and the trail must stay whole.
//!
//! These tests need root (to install the shell setuid and to create the test user). Without
//! root they say so on stderr and pass; with `AUDITSH_E2E=required` a missing prerequisite is a
//! failure. They install into a private directory for the binary, but use the system's
//! /etc/auditsh/auditsh.toml and /var/log/auditsh, as an installed shell does.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const USER: &str = "auditsh-attacker";
const BINDIR: &str = "/usr/local/libexec/auditsh-attack-tests";
const SPOOL: &str = "/var/log/auditsh";

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
    if std::env::var("AUDITSH_E2E").as_deref() == Ok("required") {
        panic!("attack tests cannot run: {why} (AUDITSH_E2E=required)");
    }
    eprintln!("SKIPPED: attack tests: {why}");
    None
}

fn install() -> Option<Installed> {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
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
            env!("CARGO_BIN_EXE_auditsh"),
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
        let mut c = Command::new("setpriv");
        c.arg(format!("--reuid={}", self.uid))
            .arg(format!("--regid={}", self.gid))
            .arg("--clear-groups")
            .arg("--")
            .arg(&self.shell)
            .args(["-c", script])
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &self.home)
            .current_dir(&self.home);
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

/// Every spool file of the installed shell.
fn spool_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for day in std::fs::read_dir(SPOOL).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(day.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if f.path().extension().and_then(|e| e.to_str()) == Some("jsonl") {
                files.push(f.path());
            }
        }
    }
    files
}

/// The spool file of the session whose records contain `marker`.
fn session_with(marker: &str) -> (PathBuf, Vec<u8>) {
    let mut found = Vec::new();
    for f in spool_files() {
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
    static RUN: OnceLock<String> = OnceLock::new();
    RUN.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{}-{t}", std::process::id())
    })
}

/// `text` with `{RUN}` replaced by this run's tag.
fn r(text: &str) -> String {
    text.replace("{RUN}", run())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A whole session: chain intact from session-start to session-end.
fn assert_whole(text: &[u8]) {
    auditsh::audit::chain::verify(text).expect("the chain holds");
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
    let out = Command::new("setpriv")
        .arg(format!("--reuid={}", inst.uid))
        .arg(format!("--regid={}", inst.gid))
        .args(["--clear-groups", "--", "/usr/bin/dash", "-c"])
        .arg("ls /proc/self/fd | tr '\\n' ' '")
        .env_clear()
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
         exec 100>&- 2>/dev/null; \
         /bin/echo descriptors-done-91a-{RUN}");
    let out = inst.attack(&script, &[]);
    let stdout = text(&out.stdout);
    let mut lines = stdout.lines();
    // `ls /proc/self/fd` run by the shell sees what `ls` run by dash sees (0, 1, 2, its own
    // directory descriptor, and whatever the test itself inherited): none of the shell's own.
    let seen: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    let baseline = baseline_fds(inst);
    let baseline: Vec<&str> = baseline.split_whitespace().collect();
    assert_eq!(seen, baseline, "{stdout}");
    // `exec 100>&-` parses as dash does: `exec 100` with stdout closed, which fails ("not
    // found") and ends the session; the records must still be whole.
    assert_eq!(lines.next(), None, "{stdout}");
    let msg = text(&out.stderr);
    assert!(!msg.contains("wrote") && !msg.contains("proc-"), "{msg}");
    let (_, session) = session_with(&r(": descriptors-{RUN}"));
    assert_whole(&session);
}

#[test]
fn the_audit_configuration_and_ld_preload_are_ignored() {
    let Some(inst) = installed() else { return };
    let evil_dir = inst.home.join("evil-spool");
    let evil_conf = inst.home.join("evil.toml");
    std::fs::write(
        &evil_conf,
        format!(
            "[spool]\nenabled = false\ndir = \"{}\"\n[syslog]\nenabled = false\n",
            evil_dir.display()
        ),
    )
    .unwrap();
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
    let verify = Command::new(env!("CARGO_BIN_EXE_auditsh-log"))
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(1));
    let report = text(&verify.stdout);
    let findings: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": session "))
        .collect();
    assert_eq!(findings.len(), 1, "{report}");
    assert!(findings[0].contains("unterminated"), "{report}");
    let n = auditsh::audit::chain::verify(&session).expect("every line whole, chain intact");
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
