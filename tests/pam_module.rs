//! `pam_auditsh.so` under a real libpam (pamtester, root): the open and close records of a
//! PAM session in the spool, chained and verified; the facts it leaves for the shell while
//! the session is open, gone after the close; `source.ip` from PAM_RHOST and a host name as
//! `source.domain`; and the installed (setuid) shell started inside that PAM session taking
//! its address from the facts, whatever its `SSH_CONNECTION` says, where without the module
//! it takes the environment's; and a real sshd with `UsePAM yes` and the module, in whose
//! login the installed shell, forged `SSH_CONNECTION` or not, records the client's address
//! and port as PAM gave them.
//!
//! The module is built by `pam/build-module` (the workspace's own gnu build is static, which a
//! shared object cannot be). Each service file is private to the test and removed after it.

mod common;

use common::{checked_record, TempDir, AUDITSH, AUDITSH_LOG};
use serde_json::Value;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const BINDIR: &str = "/usr/local/libexec/auditsh-pam-tests";
const FACTS_DIR: &str = "/run/auditsh/pam";
const INSTALLED_SPOOL: &str = "/var/log/auditsh";

/// A service file in /etc/pam.d, removed when dropped.
struct Service {
    name: String,
}

impl Service {
    fn new(tag: &str, lines: &str) -> Service {
        let name = format!("auditsh-test-{tag}-{}", std::process::id());
        std::fs::write(Path::new("/etc/pam.d").join(&name), lines).expect("write /etc/pam.d");
        Service { name }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(Path::new("/etc/pam.d").join(&self.name));
    }
}

/// Build the module, once for the tests here; None (and a note) where they cannot run.
fn module() -> Option<PathBuf> {
    static MODULE: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);
    let mut built = MODULE.lock().unwrap_or_else(|e| e.into_inner());
    if built.is_none() {
        *built = build_module();
    }
    built.clone()
}

fn build_module() -> Option<PathBuf> {
    if cfg!(target_env = "musl") {
        // The module is a glibc shared object, built and tested by the default (gnu) run.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: pam module: built for the gnu target only; `cargo test` without --target runs this test\n",
        );
        return None;
    }
    if !common::is_root() {
        common::skip("pam module", "not running as root");
        return None;
    }
    if !Path::new("/usr/bin/pamtester").exists() {
        common::skip(
            "pam module",
            "pamtester is missing (apt-get install pamtester)",
        );
        return None;
    }
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(top.join("pam/build-module"))
        .arg("--debug")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("run pam/build-module");
    assert!(
        out.status.success(),
        "pam/build-module failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

fn pamtester(service: &Service, rhost: &str) {
    let out = Command::new("pamtester")
        .args(["-I", &format!("rhost={rhost}"), "-I", "tty=pts/9"])
        .args([&service.name, "nobody", "open_session", "close_session"])
        .output()
        .expect("run pamtester");
    assert!(
        out.status.success(),
        "pamtester {} ({}): {}{}",
        service.name,
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every record under `dir`, in file order, each checked against the JSON Schema. The
/// installed spool is shared with whatever else runs on the machine (the attack tests write
/// into it on purpose): there a line that is not JSON is passed over.
fn records(dir: &Path) -> Vec<Value> {
    let shared = dir == Path::new(INSTALLED_SPOOL);
    let mut out = Vec::new();
    let Ok(days) = std::fs::read_dir(dir) else {
        return out;
    };
    for day in days.flatten() {
        for file in std::fs::read_dir(day.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            // Session files only (the day directory also holds the users' counters).
            if file.path().extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            let Ok(text) = std::fs::read(file.path()) else {
                continue;
            };
            for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                if !shared {
                    out.push(checked_record(line));
                } else if let Ok(v) = serde_json::from_slice::<Value>(line) {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// The pam session (open and close) whose `pam.service` is `service`.
fn pam_session<'a>(all: &'a [Value], service: &Service) -> Vec<&'a Value> {
    let mut v: Vec<&Value> = all
        .iter()
        .filter(|r| r["auditsh"]["pam"]["service"] == service.name.as_str())
        .collect();
    v.sort_by_key(|r| r["event"]["sequence"].as_u64());
    v
}

/// Install the shell setuid into a private bindir (as the attack tests do).
fn install_shell() -> PathBuf {
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("sh")
        .arg(top.join("packaging/install.sh"))
        .args(["--bindir", BINDIR, "--binary", AUDITSH])
        .args(["--log-binary", AUDITSH_LOG])
        .output()
        .expect("run install.sh");
    assert!(
        out.status.success(),
        "install.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(BINDIR).join("auditsh")
}

fn uninstall_shell() {
    let _ = Command::new("sh")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/install.sh"))
        .args(["--uninstall", "--bindir", BINDIR])
        .output();
}

/// The installed shell's `session-start` whose command line ran `marker`.
fn shell_start(marker: &str) -> Value {
    let all = records(Path::new(INSTALLED_SPOOL));
    let session = all
        .iter()
        .find(|r| {
            r["event"]["action"] == "command"
                && r["process"]["command_line"]
                    .as_str()
                    .is_some_and(|c| c.contains(marker))
        })
        .unwrap_or_else(|| panic!("no command record with {marker} in {INSTALLED_SPOOL}"))
        ["auditsh"]["session"]
        .clone();
    all.into_iter()
        .find(|r| r["auditsh"]["session"] == session && r["event"]["action"] == "session-start")
        .expect("the session's session-start")
}

/// The module's config in `dir`: its own spool (returned with the config's path), no syslog.
fn module_config(dir: &Path) -> (PathBuf, PathBuf) {
    let spool = dir.join("spool");
    let config = dir.join("auditsh.toml");
    let text = format!(
        "[spool]\nenabled = true\ndir = \"{}\"\n[syslog]\nenabled = false\n",
        spool.display()
    );
    std::fs::write(&config, text).unwrap();
    (spool, config)
}

#[test]
fn pam_sessions_record_and_hand_the_trusted_address_to_the_shell() {
    let Some(so) = module() else {
        return;
    };
    // One at a time with the sshd tests: they share the installed shell and the facts.
    let _serial = common::sshd::serial();
    let dir = TempDir::new("pam");
    let (spool, config) = module_config(dir.path());
    let run_dir_existed = Path::new("/run/auditsh").exists();
    // What the session's facts are while it is open: pam_exec, after the module, copies them
    // at the open and at the close (PAM_TYPE says which).
    let seen = dir.path().join("seen");
    std::fs::create_dir(&seen).unwrap();
    let copy = dir.path().join("copy-facts");
    std::fs::write(
        &copy,
        format!(
            "#!/bin/sh\nmkdir -p {seen}/$PAM_TYPE && cp -p {FACTS_DIR}/* {seen}/$PAM_TYPE/ 2>/dev/null; exit 0\n",
            seen = seen.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let module_line = format!(
        "session required {} config={}\n",
        so.display(),
        config.display()
    );
    // And what verify says of the PAM session while it is open (its opener alive).
    let verify_open = dir.path().join("verify-open");
    std::fs::write(
        &verify_open,
        format!(
            "#!/bin/sh\n[ \"$PAM_TYPE\" = open_session ] || exit 0\n{AUDITSH_LOG} verify {} > {}.out 2>&1\nexit 0\n",
            spool.display(),
            verify_open.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&verify_open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let service = Service::new(
        "ip",
        &format!(
            "session required pam_loginuid.so\n{module_line}session optional pam_exec.so {}\nsession optional pam_exec.so {}\n",
            copy.display(),
            verify_open.display()
        ),
    );

    pamtester(&service, "203.0.113.7");
    let all = records(&spool);
    let pam = pam_session(&all, &service);
    assert_eq!(pam.len(), 2, "an open and a close: {pam:?}");
    let (open, close) = (pam[0], pam[1]);
    assert_eq!(open["event"]["action"], "pam-session-open");
    assert_eq!(close["event"]["action"], "pam-session-close");
    assert_eq!(open["auditsh"]["session"], close["auditsh"]["session"]);
    for r in [open, close] {
        assert_eq!(r["event"]["category"][0], "session");
        assert_eq!(r["source"]["ip"], "203.0.113.7");
        assert_eq!(r["auditsh"]["source_from"], "pam");
        assert_eq!(r["auditsh"]["pam"]["user"], "nobody");
        assert_eq!(r["auditsh"]["pam"]["tty"], "pts/9");
        assert_eq!(r["auditsh"]["mode"], "pam");
        // pam_loginuid made the login nobody's, in an audit session of its own.
        assert_eq!(r["user"]["audit"]["name"], "nobody");
        assert!(r["auditsh"]["audit_session"].is_string());
    }
    let pam_id = open["auditsh"]["session"].as_str().unwrap().to_string();
    let audit_session = open["auditsh"]["audit_session"].as_str().unwrap();

    // The facts while open: this session's, readable by root and the audit group only.
    let facts_file = seen.join("open_session").join(audit_session);
    let facts = std::fs::read_to_string(&facts_file).expect("facts while the session was open");
    assert!(
        facts.contains(&format!("pam_session={pam_id}\n")),
        "{facts}"
    );
    assert!(facts.contains("ip=203.0.113.7\n"), "{facts}");
    assert!(facts.contains("rhost=203.0.113.7\n"), "{facts}");
    assert!(facts.contains("service=auditsh-test-ip-"), "{facts}");
    let meta = std::fs::metadata(&facts_file).unwrap();
    assert_eq!(meta.uid(), 0);
    let group = Command::new("getent")
        .args(["group", "auditsh"])
        .output()
        .unwrap();
    if group.status.success() {
        assert_eq!(meta.mode() & 0o777, 0o640, "facts file mode");
        let gid: u32 = String::from_utf8_lossy(&group.stdout)
            .split(':')
            .nth(2)
            .and_then(|g| g.parse().ok())
            .unwrap();
        assert_eq!(meta.gid(), gid, "facts file group");
        let dmeta = std::fs::metadata(FACTS_DIR).unwrap();
        assert_eq!((dmeta.mode() & 0o777, dmeta.gid()), (0o750, gid));
    } else {
        assert_eq!(
            meta.mode() & 0o777,
            0o600,
            "facts file mode without the group"
        );
    }
    // Open while its opener lives: not unterminated.
    let report = std::fs::read_to_string(dir.path().join("verify-open.out")).unwrap();
    assert!(
        report.contains("1 session (1 open)") && report.contains(" 0 findings"),
        "verify while open: {report}"
    );
    // ... and gone after the close.
    assert!(
        !seen.join("close_session").join(audit_session).exists(),
        "the facts outlived the close"
    );
    assert!(!Path::new(FACTS_DIR).join(audit_session).exists());

    // A host name is source.domain, never looked up.
    let named = Service::new("name", &module_line);
    pamtester(&named, "client.example.org");
    let all = records(&spool);
    let pam = pam_session(&all, &named);
    assert_eq!(pam.len(), 2, "{pam:?}");
    for r in pam {
        assert_eq!(r["source"]["domain"], "client.example.org");
        assert!(r["source"].get("ip").is_none());
    }

    // A PAM session inside the login (su: no pam_loginuid, the same audit session) is
    // recorded, and leaves the login's facts alone.
    let inner = Service::new("inner", &module_line);
    let nested = dir.path().join("nested");
    let after_inner = dir.path().join("after-inner");
    std::fs::write(
        &nested,
        format!(
            "#!/bin/sh\n[ \"$PAM_TYPE\" = open_session ] || exit 0\n\
             pamtester -I rhost=198.51.100.1 {} nobody open_session close_session >/dev/null 2>&1\n\
             cat {FACTS_DIR}/$(cat /proc/self/sessionid) > {} 2>&1\nexit 0\n",
            inner.name,
            after_inner.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o755)).unwrap();
    let outer = Service::new(
        "outer",
        &format!(
            "session required pam_loginuid.so\n{module_line}session optional pam_exec.so {}\n",
            nested.display()
        ),
    );
    pamtester(&outer, "203.0.113.7");
    let all = records(&spool);
    let inner_pam = pam_session(&all, &inner);
    assert_eq!(inner_pam.len(), 2, "{inner_pam:?}");
    assert_eq!(inner_pam[0]["source"]["ip"], "198.51.100.1");
    let outer_id = pam_session(&all, &outer)[0]["auditsh"]["session"].clone();
    let facts = std::fs::read_to_string(&after_inner).unwrap();
    assert!(
        facts.contains(&format!("pam_session={}\n", outer_id.as_str().unwrap()))
            && facts.contains("rhost=203.0.113.7\n"),
        "the login's facts after a PAM session inside it: {facts}"
    );

    // The security team's tool reads PAM sessions as complete sessions: no finding.
    let out = Command::new(AUDITSH_LOG)
        .arg("verify")
        .arg(&spool)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("0 findings"),
        "verify: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(AUDITSH_LOG)
        .arg("sessions")
        .arg(&spool)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        list.contains(&pam_id) && list.contains("203.0.113.7"),
        "{list}"
    );

    // The installed shell inside the PAM session (run at its open; pam_exec runs at the close
    // too): the address is PAM's, not the forged
    // SSH_CONNECTION's; without the module, the environment's (and the record says so).
    let shell = install_shell();
    let tag = common::run_tag().replace('-', "");
    let run_shell = dir.path().join("run-shell");
    // What the shell said, shown when the test fails.
    let shell_err = dir.path().join("shell.err");
    std::fs::write(
        &run_shell,
        format!(
            "#!/bin/sh\n[ \"$PAM_TYPE\" = open_session ] || exit 0\n/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/env SSH_CONNECTION='203.0.113.9 1 10.0.0.1 22' {} -c \"echo $1\" 2>>{}\nexit 0\n",
            shell.display(),
            shell_err.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&run_shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    let with_module = Service::new(
        "shell",
        &format!(
            "session required pam_loginuid.so\n{module_line}session required pam_exec.so {} pam{tag}\n",
            run_shell.display()
        ),
    );
    pamtester(&with_module, "203.0.113.7");
    let without = Service::new(
        "noshell",
        &format!(
            "session required pam_loginuid.so\nsession required pam_exec.so {} env{tag}\n",
            run_shell.display()
        ),
    );
    pamtester(&without, "203.0.113.7");
    let all = records(&spool);
    let pam_id = pam_session(&all, &with_module)[0]["auditsh"]["session"].clone();

    eprintln!(
        "the shell said: {}",
        std::fs::read_to_string(&shell_err).unwrap_or_default()
    );
    let start = shell_start(&format!("pam{tag}"));
    assert_eq!(start["source"]["ip"], "203.0.113.7", "{start}");
    assert!(start["source"].get("port").is_none(), "{start}");
    assert_eq!(start["auditsh"]["source_from"], "pam");
    assert_eq!(start["auditsh"]["pam_session"], pam_id);
    let start = shell_start(&format!("env{tag}"));
    assert_eq!(start["source"]["ip"], "203.0.113.9", "{start}");
    assert_eq!(start["auditsh"]["source_from"], "environment");
    assert!(start["auditsh"].get("pam_session").is_none());

    uninstall_shell();
    if !run_dir_existed {
        let _ = std::fs::remove_dir(FACTS_DIR);
        let _ = std::fs::remove_dir("/run/auditsh");
    }
}

/// A private sshd with `UsePAM yes` and the module in its service's session stack. sshd's PAM
/// service is its program name: it runs as a symlink of its own name, whose /etc/pam.d file
/// is the test's.
struct PamSshd {
    child: std::process::Child,
    port: u16,
    key: PathBuf,
    link: PathBuf,
    _service: Service,
}

impl Drop for PamSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.link);
    }
}

fn pam_sshd(dir: &Path, module_line: &str) -> PamSshd {
    for name in ["host_key", "client_key"] {
        let out = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "ssh-keygen");
    }
    let authorized = dir.join("authorized_keys");
    std::fs::copy(dir.join("client_key.pub"), &authorized).unwrap();
    for p in [dir, authorized.as_path()] {
        let mode = if p == dir { 0o755 } else { 0o644 };
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::create_dir_all(BINDIR).unwrap();
    let program = format!("auditsh-pamsshd-{}", std::process::id());
    let link = Path::new(BINDIR).join(&program);
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(common::sshd::SSHD, &link).unwrap();
    let service = Service {
        name: program.clone(),
    };
    std::fs::write(
        Path::new("/etc/pam.d").join(&program),
        format!(
            "auth required pam_permit.so\naccount required pam_permit.so\n\
             session required pam_loginuid.so\n{module_line}"
        ),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = dir.join("sshd_config");
    std::fs::write(
        &conf,
        format!(
            "ListenAddress 127.0.0.1\nPort {port}\nHostKey {}\nPidFile {}\nUsePAM yes\n\
             PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PubkeyAuthentication yes\nAuthorizedKeysFile {}\nStrictModes no\nAllowUsers {}\n\
             PrintMotd no\nPrintLastLog no\n",
            dir.join("host_key").display(),
            dir.join("sshd.pid").display(),
            authorized.display(),
            common::sshd::USER,
        ),
    )
    .unwrap();
    let log = dir.join("sshd.log");
    let child = Command::new(&link)
        .args(["-D", "-e", "-f"])
        .arg(&conf)
        .stdin(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start sshd");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("Server listening on")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "sshd did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    PamSshd {
        child,
        port,
        key: dir.join("client_key"),
        link,
        _service: service,
    }
}

/// A real sshd login through PAM: the module records it with sshd's PAM_RHOST, and the
/// installed shell run in the login, even with a forged `SSH_CONNECTION`, records the real
/// address with `source_from: "pam"`.
#[test]
fn an_sshd_login_through_pam_gives_the_shell_its_real_address() {
    let Some(so) = module() else {
        return;
    };
    let Some(inst) = common::sshd::ready("pam sshd login", &[]) else {
        return;
    };
    let _serial = common::sshd::serial();
    let dir = TempDir::new("pamsshd");
    let (spool, config) = module_config(dir.path());
    let shell = install_shell();
    let run_dir_existed = Path::new("/run/auditsh").exists();
    let sshd = pam_sshd(
        dir.path(),
        &format!(
            "session required {} config={}\n",
            so.display(),
            config.display()
        ),
    );
    let tag = common::run_tag().replace('-', "");
    let remote = format!(
        "{shell} -c 'echo plain{tag}'; SSH_CONNECTION='203.0.113.9 1 10.0.0.1 22' {shell} -c 'echo forged{tag}'",
        shell = shell.display()
    );
    let mut c = Command::new("ssh");
    c.args(["-F", "/dev/null", "-i"])
        .arg(&sshd.key)
        .args([
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
        ])
        .args(["-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-p"])
        .arg(sshd.port.to_string())
        .arg(format!("{}@127.0.0.1", common::sshd::USER))
        .arg(&remote);
    let out = common::sshd::run_bounded(c, None, common::sshd::CLIENT_TIMEOUT);
    assert!(
        out.stdout().contains(&format!("plain{tag}"))
            && out.stdout().contains(&format!("forged{tag}")),
        "ssh: {}{}",
        out.stdout(),
        out.stderr()
    );
    let _ = inst;
    for marker in [format!("plain{tag}"), format!("forged{tag}")] {
        let start = shell_start(&marker);
        assert_eq!(start["source"]["ip"], "127.0.0.1", "{marker}: {start}");
        assert_eq!(start["auditsh"]["source_from"], "pam", "{marker}: {start}");
        assert!(start["auditsh"]["pam_session"].is_string(), "{start}");
    }
    // The module's own record of the login: sshd's service name and PAM_RHOST. sshd closes
    // the PAM session after the client has gone: wait for the close.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let pam = loop {
        let all = records(&spool);
        let pam: Vec<Value> = pam_session(&all, &sshd._service)
            .into_iter()
            .cloned()
            .collect();
        if pam.len() == 2 || std::time::Instant::now() > deadline {
            break pam;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(pam.len(), 2, "{pam:?}");
    assert_eq!(pam[0]["event"]["action"], "pam-session-open");
    assert_eq!(pam[1]["event"]["action"], "pam-session-close");
    assert_eq!(pam[0]["source"]["ip"], "127.0.0.1");
    // sshd puts SSH_CONNECTION into PAM's environment (not the user's): the client's port.
    let port = &pam[0]["source"]["port"];
    assert!(port.as_u64().is_some_and(|p| p > 1), "{}", pam[0]);
    for marker in [format!("plain{tag}"), format!("forged{tag}")] {
        assert_eq!(&shell_start(&marker)["source"]["port"], port, "{marker}");
    }
    assert_eq!(pam[0]["auditsh"]["pam"]["user"], common::sshd::USER);
    let start = shell_start(&format!("plain{tag}"));
    assert_eq!(
        start["auditsh"]["pam_session"],
        pam[0]["auditsh"]["session"]
    );
    drop(sshd);
    uninstall_shell();
    if !run_dir_existed {
        let _ = std::fs::remove_dir(FACTS_DIR);
        let _ = std::fs::remove_dir("/run/auditsh");
    }
}
