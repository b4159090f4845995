//! The packages and retention.
//!
//! - `auditsh-log retain` on a real spool (any user): old days gzip'd, then read by verify
//!   and search as they are; old days deleted; a file held open left alone.
//! - The man pages: `man --warnings` has nothing to say.
//! - The Debian package (root; run under `flock /tmp/auditsh-system.lock`): built with
//!   packaging/build-deb, lintian without errors, installed with dpkg on a machine where
//!   packaging/install.sh ran before, every file's owner and mode, the account, the conffile,
//!   /etc/shells, sessions of the installed shell as an unprivileged user and their records
//!   verified with the installed key; an upgrade keeps the edited config and the records;
//!   `dpkg -r` keeps them and stops no running session; `dpkg --purge` leaves nothing.
//! - The RPM (root, for rpmbuild's install of itself): built with packaging/build-rpm, its
//!   file list, modes and owners checked with `rpm -qlvp`.

mod common;

use common::{is_root, skip, AuditEnv, AUDITSH_LOG};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const TOP: &str = env!("CARGO_MANIFEST_DIR");

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Run `c` with no input; its output, checked successful.
fn ok(what: &str, c: &mut Command) -> String {
    let out = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sh(script: &str) -> Output {
    Command::new("sh")
        .args(["-c", script])
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The UTC date `back` days ago, as the spool names its day directories.
fn day_back(back: u32) -> String {
    let out = sh(&format!("date -u -d '{back} days ago' +%F"));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn retain(args: &[&str]) -> Output {
    Command::new(AUDITSH_LOG)
        .arg("retain")
        .args(["--config", "/nonexistent/auditsh.toml"])
        .args(args)
        .output()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Retention.

#[test]
fn retain_compresses_old_days_and_the_tools_still_read_them() {
    let env = AuditEnv::new();
    let marker = format!("retain-marker-{}", common::run_tag());
    let session = env.session(&format!("echo {marker}; true"));
    let spool = env.spool_dir();
    // The session's day, moved ten days back.
    let today_dir = session.file.parent().unwrap().to_path_buf();
    let old_dir = spool.join(day_back(10));
    std::fs::rename(&today_dir, &old_dir).unwrap();
    let name = session.file.file_name().unwrap();
    let plain = old_dir.join(name);
    let before = std::fs::read(&plain).unwrap();
    // A second file of that day that some process (this test) holds open.
    let held = old_dir.join("held.jsonl");
    std::fs::write(&held, b"").unwrap();
    let open = std::fs::File::open(&held).unwrap();

    let dir = spool.to_str().unwrap();
    let dry = retain(&["--compress-after", "7", "--dry-run", dir]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry).contains(&format!("would compress {}", plain.display())),
        "{}",
        text(&dry)
    );
    assert!(plain.exists(), "--dry-run changes nothing");

    let out = retain(&["--compress-after", "7", dir]);
    assert!(out.status.success(), "{}", text(&out));
    let gz = old_dir.join(format!("{}.gz", name.to_str().unwrap()));
    assert!(!plain.exists() && gz.exists(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "kept {} (a process holds it open)",
            held.display()
        )),
        "{}",
        text(&out)
    );
    assert!(held.exists());
    drop(open);
    std::fs::remove_file(&held).unwrap();
    let m = std::fs::metadata(&gz).unwrap();
    assert_eq!(
        m.permissions().mode() & 0o777,
        0o640,
        "the spool file's mode"
    );
    // The same bytes inside.
    let unzipped = Command::new("gzip").arg("-dc").arg(&gz).output().unwrap();
    assert_eq!(unzipped.stdout, before);

    let verify = Command::new(AUDITSH_LOG)
        .args(["verify", dir])
        .output()
        .unwrap();
    assert!(verify.status.success(), "verify: {}", text(&verify));
    let search = Command::new(AUDITSH_LOG)
        .args(["search", "--format", "jsonl", dir])
        .output()
        .unwrap();
    assert!(search.status.success(), "search: {}", text(&search));
    assert!(
        String::from_utf8_lossy(&search.stdout).contains(&marker),
        "search reads the .jsonl.gz: {}",
        text(&search)
    );

    // Deleted once past delete_after; the empty day directory goes with its files.
    let out = retain(&["--delete-after", "9", dir]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!gz.exists() && !old_dir.exists(), "{}", text(&out));
}

#[test]
fn retain_reads_its_days_from_the_config_and_rejects_a_bad_one() {
    let env = AuditEnv::new();
    let dir = env.subdir("spool-by-config");
    let old = dir.join(day_back(3));
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("a.jsonl"), b"{}\n").unwrap();
    let config = env.dir().join("retention.toml");
    std::fs::write(
        &config,
        format!(
            "[spool]\ndir = {:?}\n\n[retention]\ncompress_after_days = 2\n",
            dir.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = Command::new(AUDITSH_LOG)
        .args(["retain", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(old.join("a.jsonl.gz").exists(), "{}", text(&out));

    std::fs::write(&config, "[retention]\ncompress_after = 2\n").unwrap();
    let out = Command::new(AUDITSH_LOG)
        .args(["retain", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("compress_after") && err.lines().count() == 1,
        "{err}"
    );
    let out = retain(&["/nonexistent/spool"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("auditsh-log: retain: /nonexistent/spool: "),
        "{}",
        text(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Man pages.

#[test]
fn man_pages_have_no_warnings() {
    if !Path::new("/usr/bin/man").exists() {
        skip(
            "man_pages_have_no_warnings",
            "man (man-db) is not installed",
        );
        return;
    }
    let generated = std::env::temp_dir().join(format!("auditsh-log.1.{}", std::process::id()));
    let page = Command::new(AUDITSH_LOG).arg("man").output().unwrap();
    assert!(page.status.success());
    std::fs::write(&generated, &page.stdout).unwrap();
    let mut pages: Vec<PathBuf> = ["auditsh.1", "auditsh.toml.5", "pam_auditsh.8"]
        .iter()
        .map(|p| Path::new(TOP).join("packaging/man").join(p))
        .collect();
    pages.push(generated.clone());
    for page in &pages {
        let out = Command::new("man")
            .args(["--warnings", "-l"])
            .arg(page)
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .stdout(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", page.display(), text(&out));
        assert!(
            out.stderr.is_empty(),
            "{}: {}",
            page.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_file(generated);
}

// ---------------------------------------------------------------------------------------------
// The Debian package.

/// Root and dpkg? Otherwise skipped (or failed, when required).
fn can_install(test: &str) -> bool {
    if !is_root() {
        skip(test, "not running as root");
        return false;
    }
    for tool in [
        "/usr/bin/dpkg",
        "/usr/bin/apt-get",
        "/usr/sbin/useradd",
        "/usr/bin/setpriv",
    ] {
        if !Path::new(tool).exists() {
            skip(test, &format!("{tool} is missing"));
            return false;
        }
    }
    true
}

fn cargo_version() -> String {
    let toml = std::fs::read_to_string(Path::new(TOP).join("Cargo.toml")).unwrap();
    toml.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap()
        .to_string()
}

/// The two packages, built once per test binary: the version of Cargo.toml and a higher one.
fn debs() -> &'static (PathBuf, PathBuf) {
    static DEBS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    DEBS.get_or_init(|| {
        let v1 = cargo_version();
        let v2 = format!("{v1}.1");
        let build = |v: &str| {
            ok(
                "packaging/build-deb",
                Command::new(Path::new(TOP).join("packaging/build-deb")).args(["--version", v]),
            );
            let deb = Path::new(TOP).join(format!("target/debian/auditsh_{v}_amd64.deb"));
            assert!(deb.exists(), "{}", deb.display());
            deb
        };
        (build(&v1), build(&v2))
    })
}

fn dpkg(args: &[&str]) -> String {
    ok(
        &format!("dpkg {}", args.join(" ")),
        Command::new("dpkg").args(args),
    )
}

fn meta(path: &str) -> std::fs::Metadata {
    std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `path` has owner `uid`:`gid` and permission bits `mode`.
fn owned(path: &str, uid: u32, gid: u32, mode: u32) {
    let m = meta(path);
    assert_eq!(
        (m.uid(), m.gid(), m.mode() & 0o7777),
        (uid, gid, mode),
        "{path}: owner, group, mode"
    );
}

fn id_of(flag: &str, name: &str) -> Option<u32> {
    let out = Command::new("id").args([flag, name]).output().unwrap();
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn group_exists(name: &str) -> bool {
    Command::new("getent")
        .args(["group", name])
        .output()
        .unwrap()
        .status
        .success()
}

fn shells_lists(shell: &str) -> bool {
    std::fs::read_to_string("/etc/shells")
        .unwrap_or_default()
        .lines()
        .any(|l| l.trim() == shell)
}

const PKG_USER: &str = "auditsh-pkg";
const INSTALL_SH_BINDIR: &str = "/usr/local/libexec/auditsh-package-tests";

/// `auditsh -c SCRIPT` of the installed shell as the unprivileged test user.
fn as_user(uid: u32, gid: u32, script: &str) -> Command {
    let mut c = Command::new("setpriv");
    c.args([
        &format!("--reuid={uid}"),
        &format!("--regid={gid}"),
        "--clear-groups",
        "/usr/bin/auditsh",
        "-c",
        script,
    ])
    .current_dir("/")
    .env("HOME", "/");
    c
}

/// A session of the installed shell as the unprivileged test user, run to its end.
fn installed_session(uid: u32, gid: u32, script: &str) -> Output {
    as_user(uid, gid, script)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The installed spool's session files that contain `marker`.
fn spool_files_with(marker: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for day in std::fs::read_dir("/var/log/auditsh").unwrap().flatten() {
        let Ok(files) = std::fs::read_dir(day.path()) else {
            continue;
        };
        for f in files.flatten() {
            if std::fs::read(f.path())
                .is_ok_and(|t| t.windows(marker.len()).any(|w| w == marker.as_bytes()))
            {
                found.push(f.path());
            }
        }
    }
    found
}

/// Whether the PAM session stack pam-auth-update writes names pam_auditsh.
fn common_session_names_the_module() -> bool {
    std::fs::read_to_string("/etc/pam.d/common-session").is_ok_and(|t| t.contains("pam_auditsh"))
}

/// What a purge must leave behind: nothing of auditsh.
fn assert_nothing_left() {
    for path in [
        "/usr/bin/auditsh",
        "/usr/bin/auditsh-log",
        "/etc/auditsh",
        "/var/log/auditsh",
        "/var/lib/auditsh",
        "/run/auditsh",
        "/etc/rsyslog.d/auditsh.conf",
        "/var/log/auditsh-syslog.log",
        "/etc/cron.daily/auditsh",
        "/etc/cron.hourly/auditsh",
        "/etc/cron.hourly/auditsh-key",
        "/usr/lib/x86_64-linux-gnu/security/pam_auditsh.so",
        "/usr/share/pam-configs/auditsh",
        "/lib/systemd/system/auditsh-retain.timer",
        "/usr/lib/systemd/system/auditsh-retain.timer",
        "/etc/systemd/system/timers.target.wants/auditsh-retain.timer",
        "/etc/systemd/system/timers.target.wants/auditsh-key-evolve.timer",
        "/etc/systemd/system/auditsh-retain.timer",
        "/var/lib/systemd/deb-systemd-helper-enabled/auditsh-retain.timer.dsh-also",
    ] {
        assert!(
            std::fs::symlink_metadata(path).is_err(),
            "{path} is left after the purge"
        );
    }
    assert!(
        !common_session_names_the_module(),
        "/etc/pam.d/common-session"
    );
    assert_eq!(id_of("-u", "auditsh"), None, "the account is left");
    assert!(!group_exists("auditsh"), "the group is left");
    assert!(
        !shells_lists("/usr/bin/auditsh"),
        "/etc/shells still lists it"
    );
    let over = Command::new("dpkg-statoverride")
        .args(["--list", "/usr/bin/auditsh"])
        .output()
        .unwrap();
    assert!(!over.status.success(), "the statoverride is left");
    let status = Command::new("dpkg")
        .args(["-s", "auditsh"])
        .output()
        .unwrap();
    assert!(!status.status.success(), "dpkg still knows the package");
    let rsyslog = std::fs::read_to_string("/etc/rsyslog.conf").unwrap_or_default();
    assert!(
        !rsyslog.contains("SysSock.ParseTrusted"),
        "/etc/rsyslog.conf keeps the annotation"
    );
}

#[test]
fn debian_package_installs_upgrades_removes_and_purges() {
    let test = "debian_package_installs_upgrades_removes_and_purges";
    if !can_install(test) {
        return;
    }
    let (deb1, deb2) = debs();
    let deb1 = deb1.to_str().unwrap();
    let deb2 = deb2.to_str().unwrap();

    // lintian: no error (warnings are printed for whoever reads the log).
    let lint = Command::new("lintian")
        .args(["--fail-on", "error", "--display-level", ">=warning"])
        .arg(deb1)
        .output()
        .expect("lintian (build-deb installs it)");
    eprintln!("lintian: {}", text(&lint));
    assert!(lint.status.success(), "lintian: {}", text(&lint));

    // A clean start: no earlier package, no earlier install.sh.
    let install_sh = Path::new(TOP).join("packaging/install.sh");
    if Command::new("dpkg")
        .args(["-s", "auditsh"])
        .output()
        .unwrap()
        .status
        .success()
    {
        dpkg(&["--purge", "auditsh"]);
    }
    ok(
        "install.sh --uninstall --purge",
        Command::new("sh")
            .arg(&install_sh)
            .args(["--uninstall", "--purge"]),
    );
    // The machine as packaging/install.sh leaves it (account, config, key, spool, rsyslog),
    // with its shell elsewhere: the package must install over it.
    let musl = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(TOP).join("target"))
        .join("x86_64-unknown-linux-musl/release");
    ok(
        "install.sh",
        Command::new("sh")
            .arg(&install_sh)
            .args(["--bindir", INSTALL_SH_BINDIR, "--binary"])
            .arg(musl.join("auditsh"))
            .arg("--log-binary")
            .arg(musl.join("auditsh-log")),
    );
    let key_before = std::fs::read("/etc/auditsh/verify.key").unwrap();

    dpkg(&["-i", deb1]);
    let auditsh_uid = id_of("-u", "auditsh").expect("the account");
    let auditsh_gid = id_of("-g", "auditsh").unwrap();
    assert!(auditsh_uid < 1000, "a system account");
    let passwd = ok("getent", Command::new("getent").args(["passwd", "auditsh"]));
    assert!(
        passwd.trim_end().ends_with(":/usr/sbin/nologin"),
        "{passwd}"
    );

    owned("/usr/bin/auditsh", auditsh_uid, auditsh_gid, 0o6755);
    owned("/usr/bin/auditsh-log", 0, 0, 0o755);
    owned("/etc/auditsh", 0, 0, 0o755);
    owned("/etc/auditsh/auditsh.toml", 0, 0, 0o644);
    owned("/etc/auditsh/verify.key", 0, 0, 0o400);
    owned("/var/log/auditsh", auditsh_uid, auditsh_gid, 0o750);
    owned("/var/lib/auditsh", auditsh_uid, auditsh_gid, 0o700);
    owned("/var/lib/auditsh/key", auditsh_uid, auditsh_gid, 0o600);
    owned("/etc/rsyslog.d/auditsh.conf", 0, 0, 0o644);
    owned("/etc/cron.daily/auditsh", 0, 0, 0o755);
    owned("/etc/cron.hourly/auditsh", 0, 0, 0o755);
    for page in [
        "/usr/share/man/man1/auditsh.1.gz",
        "/usr/share/man/man1/auditsh-log.1.gz",
        "/usr/share/man/man5/auditsh.toml.5.gz",
        "/usr/share/man/man8/pam_auditsh.8.gz",
    ] {
        owned(page, 0, 0, 0o644);
    }
    let pam = Path::new(TOP).join("pam/Cargo.toml").exists();
    if pam {
        owned(
            "/usr/lib/x86_64-linux-gnu/security/pam_auditsh.so",
            0,
            0,
            0o644,
        );
        owned("/usr/share/pam-configs/auditsh", 0, 0, 0o644);
        ok(
            "pam-auth-update --enable auditsh",
            Command::new("pam-auth-update").args(["--enable", "auditsh"]),
        );
        assert!(
            common_session_names_the_module(),
            "pam-auth-update --enable"
        );
    }
    let units = ["/lib/systemd/system", "/usr/lib/systemd/system"]
        .into_iter()
        .find(|d| Path::new(d).join("auditsh-retain.timer").exists())
        .expect("the retention timer");
    for unit in [
        "auditsh-retain.service",
        "auditsh-retain.timer",
        "auditsh-key-evolve.service",
        "auditsh-key-evolve.timer",
    ] {
        owned(&format!("{units}/{unit}"), 0, 0, 0o644);
    }
    assert_eq!(
        std::fs::read("/etc/auditsh/verify.key").unwrap(),
        key_before,
        "the key install.sh made is kept"
    );
    assert_eq!(
        std::fs::read_to_string("/etc/auditsh/auditsh.toml").unwrap(),
        std::fs::read_to_string(Path::new(TOP).join("packaging/auditsh.toml")).unwrap()
    );
    let conffiles = ok(
        "dpkg-query",
        Command::new("dpkg-query").args(["-W", "-f=${Conffiles}", "auditsh"]),
    );
    assert!(
        conffiles.contains("/etc/auditsh/auditsh.toml "),
        "{conffiles}"
    );
    assert!(
        conffiles.contains("/etc/rsyslog.d/auditsh.conf "),
        "{conffiles}"
    );
    let snippet = std::fs::read_to_string("/etc/rsyslog.d/auditsh.conf").unwrap();
    assert!(!snippet.contains("@MAX_MESSAGE_SIZE@") && !snippet.contains("@LOG_FILE@"));
    assert!(shells_lists("/usr/bin/auditsh"));
    ok(
        "dpkg-statoverride",
        Command::new("dpkg-statoverride").args(["--list", "/usr/bin/auditsh"]),
    );
    // The daily jobs run (where systemd is not running, cron's).
    ok("cron.daily", &mut Command::new("/etc/cron.daily/auditsh"));
    ok("cron.hourly", &mut Command::new("/etc/cron.hourly/auditsh"));

    // Sessions of the installed shell as an unprivileged user.
    if id_of("-u", PKG_USER).is_none() {
        ok(
            "useradd",
            Command::new("useradd").args(["--no-create-home", "--shell", "/bin/sh", PKG_USER]),
        );
    }
    let uid = id_of("-u", PKG_USER).unwrap();
    let gid = id_of("-g", PKG_USER).unwrap();
    let marker = format!("pkg-marker-{}", common::run_tag());
    let out = installed_session(uid, gid, &format!("echo {marker}; /bin/true"));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{marker}\n"));
    let files = spool_files_with(&marker);
    assert_eq!(files.len(), 1, "{files:?}");
    let record_file = files[0].clone();
    let record_path = record_file.to_str().unwrap();
    owned(record_path, auditsh_uid, auditsh_gid, 0o640);
    let records = std::fs::read_to_string(&record_file).unwrap();
    assert!(
        records.contains(&format!("\"name\":\"{PKG_USER}\"")),
        "{records}"
    );
    assert!(
        records.contains("\"mac\":"),
        "sealed with the installed key: {records}"
    );
    let verify = |file: &str| {
        Command::new("/usr/bin/auditsh-log")
            .args(["verify", "--key", "/etc/auditsh/verify.key", file])
            .output()
            .unwrap()
    };
    let v = verify(record_path);
    assert!(v.status.success(), "verify: {}", text(&v));
    // The installed retain runs (as the timer and cron run it).
    ok(
        "auditsh-log retain --dry-run",
        Command::new("/usr/bin/auditsh-log").args(["retain", "--dry-run"]),
    );

    // Upgrade: the edited config and the records stay.
    let edited = std::fs::read_to_string("/etc/auditsh/auditsh.toml")
        .unwrap()
        .replace("compress_after_days = 7", "compress_after_days = 3");
    assert!(edited.contains("compress_after_days = 3"));
    std::fs::write("/etc/auditsh/auditsh.toml", &edited).unwrap();
    dpkg(&["-i", deb2]);
    let version = ok(
        "dpkg-query",
        Command::new("dpkg-query").args(["-W", "-f=${Version}", "auditsh"]),
    );
    assert_eq!(version, format!("{}.1", cargo_version()));
    assert_eq!(
        std::fs::read_to_string("/etc/auditsh/auditsh.toml").unwrap(),
        edited
    );
    assert_eq!(std::fs::read_to_string(&record_file).unwrap(), records);
    owned("/usr/bin/auditsh", auditsh_uid, auditsh_gid, 0o6755);
    assert_eq!(
        id_of("-u", "auditsh"),
        Some(auditsh_uid),
        "the same account"
    );
    let marker2 = format!("pkg-upgraded-{}", common::run_tag());
    let out = installed_session(uid, gid, &format!("echo {marker2}"));
    assert!(out.status.success(), "{}", text(&out));
    let after = spool_files_with(&marker2);
    assert_eq!(after.len(), 1);
    let v = verify(after[0].to_str().unwrap());
    assert!(v.status.success(), "verify after the upgrade: {}", text(&v));

    // Remove: config, records, keys and account stay; a running session keeps running.
    let mut running = as_user(uid, gid, "read line; echo still-here")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    dpkg(&["-r", "auditsh"]);
    assert!(!Path::new("/usr/bin/auditsh").exists());
    assert!(
        !common_session_names_the_module(),
        "the PAM stack names a module that is gone"
    );
    assert!(
        !shells_lists("/usr/bin/auditsh"),
        "/etc/shells after remove"
    );
    assert_eq!(
        std::fs::read_to_string("/etc/auditsh/auditsh.toml").unwrap(),
        edited
    );
    assert_eq!(std::fs::read_to_string(&record_file).unwrap(), records);
    assert!(Path::new("/var/lib/auditsh/key").exists());
    assert!(Path::new("/etc/auditsh/verify.key").exists());
    assert_eq!(id_of("-u", "auditsh"), Some(auditsh_uid));
    {
        use std::io::Write;
        let mut stdin = running.stdin.take().unwrap();
        writeln!(stdin, "go").unwrap();
    }
    let out = running.wait_with_output().unwrap();
    assert!(out.status.success(), "the running session: {}", text(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "still-here\n");

    // Purge: nothing is left.
    dpkg(&["--purge", "auditsh"]);
    // install.sh's shell of the start (the private bindir) goes too.
    ok(
        "install.sh --uninstall",
        Command::new("sh")
            .arg(&install_sh)
            .args(["--uninstall", "--bindir", INSTALL_SH_BINDIR]),
    );
    let _ = std::fs::remove_dir(INSTALL_SH_BINDIR);
    let _ = Command::new("userdel").arg(PKG_USER).output();
    assert_nothing_left();
}

// ---------------------------------------------------------------------------------------------
// The RPM.

#[test]
fn rpm_is_built_with_the_files_and_modes_of_the_spec() {
    let test = "rpm_is_built_with_the_files_and_modes_of_the_spec";
    if !can_install(test) {
        return;
    }
    let version = cargo_version();
    ok(
        "packaging/build-rpm",
        Command::new(Path::new(TOP).join("packaging/build-rpm")).args(["--version", &version]),
    );
    let rpm = Path::new(TOP).join(format!("target/rpm/x86_64/auditsh-{version}-1.x86_64.rpm"));
    let list = ok("rpm -qlvp", Command::new("rpm").arg("-qlvp").arg(&rpm));
    let line = |path: &str| -> Vec<String> {
        let l = list
            .lines()
            .find(|l| l.ends_with(&format!(" {path}")))
            .unwrap_or_else(|| panic!("{path} is not in the package:\n{list}"));
        // mode, links, owner, group: the first four columns.
        l.split_whitespace().take(4).map(String::from).collect()
    };
    let expect = |path: &str, mode: &str, owner: &str| {
        let l = line(path);
        assert_eq!(
            (l[0].as_str(), l[2].as_str(), l[3].as_str()),
            (mode, owner, owner),
            "{path}"
        );
    };
    expect("/usr/bin/auditsh", "-rwsr-sr-x", "auditsh");
    expect("/usr/bin/auditsh-log", "-rwxr-xr-x", "root");
    expect("/usr/lib64/security/pam_auditsh.so", "-rwxr-xr-x", "root");
    expect("/etc/auditsh/auditsh.toml", "-rw-r--r--", "root");
    expect("/etc/rsyslog.d/auditsh.conf", "-rw-r--r--", "root");
    expect("/var/log/auditsh", "drwxr-x---", "auditsh");
    expect("/var/lib/auditsh", "drwx------", "auditsh");
    for unit in ["auditsh-retain.timer", "auditsh-key-evolve.timer"] {
        expect(
            &format!("/usr/lib/systemd/system/{unit}"),
            "-rw-r--r--",
            "root",
        );
    }
    assert!(
        list.contains("/usr/share/man/man5/auditsh.toml.5"),
        "{list}"
    );
    assert!(list.contains("/usr/share/man/man8/pam_auditsh.8"), "{list}");
    let config = ok("rpm -qcp", Command::new("rpm").arg("-qcp").arg(&rpm));
    assert_eq!(
        config.lines().collect::<Vec<_>>(),
        ["/etc/auditsh/auditsh.toml", "/etc/rsyslog.d/auditsh.conf"]
    );
    let scripts = ok(
        "rpm --scripts",
        Command::new("rpm").args(["-qp", "--scripts"]).arg(&rpm),
    );
    assert!(scripts.contains("useradd --system"), "{scripts}");
    assert!(scripts.contains("key init"), "{scripts}");
    assert!(scripts.contains("/etc/shells"), "{scripts}");
}
