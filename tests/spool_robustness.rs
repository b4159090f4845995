//! Where the records go when the obvious place is wrong: a development build with no home
//! never falls back to the installed spool, and the installed shell facing a day directory it
//! cannot write still records, in another directory of its spool, and says why once.
//!
//! The development cases run as any user (the no-home case needs root, to run as a user with
//! no account). The installed case needs root: it installs the shell setuid with
//! packaging/install.sh into a private directory and uses /var/log/auditsh, as installed. It
//! changes today's directory there for the length of one session, so it lives in a test binary
//! of its own (test binaries run one after another).

mod common;

use common::{Config, TempDir, AUDITSH, AUDITSH_LOG};
use serde_json::Value;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INSTALLED_SPOOL: &str = "/var/log/auditsh";
const BINDIR: &str = "/usr/local/libexec/auditsh-spool-tests";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The files under `dir` whose text contains `marker`.
fn files_with(dir: &Path, marker: &str) -> Vec<PathBuf> {
    common::spool_files(dir)
        .into_iter()
        .filter(|f| {
            let t = std::fs::read(f).unwrap_or_default();
            t.windows(marker.len()).any(|w| w == marker.as_bytes())
        })
        .collect()
}

/// The development shell with a private config (syslog off, no spool directory named) and
/// no `HOME` or `XDG_STATE_HOME`.
fn homeless(config: &Path) -> Command {
    let mut c = Command::new(AUDITSH);
    c.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AUDITSH_CONFIG", config);
    c
}

/// The home directory /etc/passwd gives the current real user.
fn passwd_home() -> Option<PathBuf> {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 5 && f[2] == uid.to_string()).then(|| PathBuf::from(f[5]))
    })
}

#[test]
fn without_home_a_development_build_records_under_the_accounts_home_not_the_installed_spool() {
    let Some(home) = passwd_home().filter(|h| h.is_dir() && h != Path::new("/")) else {
        common::skip(
            "development spool without HOME",
            "the current user has no home directory in /etc/passwd",
        );
        return;
    };
    let t = TempDir::new("spool-homeless");
    let config = t.join("auditsh.toml");
    Config::private(&t.join("unused"))
        .default_spool()
        .write(&config);
    let marker = format!("homeless-{}", common::run_tag());
    let out = homeless(&config)
        .args(["-c", &format!(": {marker}")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let spool = home.join(".local/state/auditsh");
    let found = files_with(&spool, &marker);
    assert_eq!(found.len(), 1, "in {}: {found:?}", spool.display());
    let records = common::records(&std::fs::read(&found[0]).unwrap());
    assert_eq!(records.first().unwrap()["event"]["action"], "session-start");
    assert_eq!(records.last().unwrap()["event"]["action"], "session-end");
    assert!(files_with(Path::new(INSTALLED_SPOOL), &marker).is_empty());
    std::fs::remove_file(&found[0]).unwrap();
}

#[test]
fn a_development_build_does_not_write_into_the_installed_spool_even_when_told_to() {
    let t = TempDir::new("spool-installed-named");
    let config = t.join("auditsh.toml");
    Config::private(Path::new(INSTALLED_SPOOL))
        .syslog_off()
        .write(&config);
    let marker = format!("named-installed-{}", common::run_tag());
    let out = homeless(&config)
        .args(["-c", &format!("echo {marker}")])
        .output()
        .unwrap();
    // Auditing continues as the failure policy says ("warn": the command runs, the user is
    // told), and the installed spool is left alone.
    assert_eq!(text(&out.stdout).trim(), marker);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("/var/log/auditsh: the installed spool"),
        "{stderr}"
    );
    assert!(files_with(Path::new(INSTALLED_SPOOL), &marker).is_empty());
}

#[test]
fn a_user_with_no_home_at_all_is_told_how_to_name_a_spool() {
    if !common::is_root() {
        common::skip("a user with no home", "not running as root");
        return;
    }
    let t = TempDir::new("spool-no-account");
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = t.join("auditsh.toml");
    Config::private(&t.join("unused"))
        .default_spool()
        .write(&config);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A uid with no line in /etc/passwd: no HOME, no home.
    let uid = 3_987_654;
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    assert!(!passwd.contains(&format!(":{uid}:")));
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
            "--",
        ])
        .arg(AUDITSH)
        .args(["-c", "echo ran"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AUDITSH_CONFIG", &config)
        .current_dir("/")
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "ran\n");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no spool directory: HOME is not set") && stderr.contains("[spool] dir"),
        "{stderr}"
    );
}

/// The installed shell, set up by packaging/install.sh (into a private directory for the
/// binaries; config, spool and key are the system's).
fn install() -> Option<PathBuf> {
    if !common::is_root() {
        common::skip("installed spool detour", "not running as root");
        return None;
    }
    let top = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("sh")
        .arg(top.join("packaging/install.sh"))
        .args(["--bindir", BINDIR, "--binary", AUDITSH, "--log-binary"])
        .arg(AUDITSH_LOG)
        .output()
        .expect("run install.sh");
    assert!(
        out.status.success(),
        "install.sh failed: {}",
        text(&out.stderr)
    );
    Some(Path::new(BINDIR).join("auditsh"))
}

/// Today's directory of the installed spool, owned by root and closed to the audit account
/// for as long as this lives; put back as it was when dropped.
struct ForeignDay {
    dir: PathBuf,
    was: Option<(u32, u32, u32)>,
}

impl ForeignDay {
    fn take(date: &str) -> ForeignDay {
        let dir = Path::new(INSTALLED_SPOOL).join(date);
        let was = std::fs::metadata(&dir)
            .ok()
            .map(|m| (m.uid(), m.gid(), m.mode() & 0o7777));
        if was.is_none() {
            std::fs::create_dir(&dir).unwrap();
        }
        chown(&dir, 0, 0);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o750)).unwrap();
        ForeignDay { dir, was }
    }
}

impl Drop for ForeignDay {
    fn drop(&mut self) {
        match self.was {
            Some((uid, gid, mode)) => {
                chown(&self.dir, uid, gid);
                let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(mode));
            }
            None => {
                let _ = std::fs::remove_dir(&self.dir);
            }
        }
    }
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

fn run_installed(shell: &Path, marker: &str) -> Output {
    Command::new(shell)
        .args(["-c", &format!(": {marker}")])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .current_dir("/")
        .output()
        .unwrap()
}

#[test]
fn the_installed_shell_records_past_a_day_directory_it_cannot_write_and_says_why_once() {
    let Some(shell) = install() else { return };
    let date = text(
        &Command::new("date")
            .args(["-u", "+%F"])
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    let marker = format!("detour-{}", common::run_tag());
    let (first, second) = {
        let _day = ForeignDay::take(&date);
        (
            run_installed(&shell, &format!("{marker}-1")),
            run_installed(&shell, &format!("{marker}-2")),
        )
    };
    let detour_dir = Path::new(INSTALLED_SPOOL).join(format!("{date}.1"));
    for (out, n) in [(&first, 1), (&second, 2)] {
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("{INSTALLED_SPOOL}/{date}: Permission denied")),
            "{stderr}"
        );
        let found = files_with(Path::new(INSTALLED_SPOOL), &format!("{marker}-{n}"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].parent().unwrap(), detour_dir);
        let records: Vec<Value> = common::records(&std::fs::read(&found[0]).unwrap());
        assert_eq!(records.first().unwrap()["event"]["action"], "session-start");
        assert_eq!(records.last().unwrap()["event"]["action"], "session-end");
        let failures: Vec<&Value> = records
            .iter()
            .filter(|r| r["event"]["action"] == "audit-failure" && r["auditsh"]["sink"] == "spool")
            .collect();
        assert_eq!(failures.len(), 1, "spool failures: {failures:?}");
        let message = failures[0]["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("{date}: Permission denied"))
                && message.contains(&format!("{date}.1")),
            "{message}"
        );
        // The chain holds across the notice; the file is where verify looks.
        let verify = Command::new(AUDITSH_LOG)
            .arg("verify")
            .arg(&found[0])
            .output()
            .unwrap();
        assert_eq!(
            verify.status.code(),
            Some(0),
            "{}{}",
            text(&verify.stdout),
            text(&verify.stderr)
        );
        std::fs::remove_file(&found[0]).unwrap();
    }
    let _ = std::fs::remove_dir(&detour_dir);
    // With the day's directory back in order, a session records there again.
    let marker3 = format!("{marker}-3");
    let out = run_installed(&shell, &marker3);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let found = files_with(Path::new(INSTALLED_SPOOL), &marker3);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].parent().unwrap(),
        Path::new(INSTALLED_SPOOL).join(&date)
    );
    std::fs::remove_file(&found[0]).unwrap();
}
