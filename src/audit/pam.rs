//! The PAM module's records and the login's trusted facts (`pam_auditsh.so`).
//!
//! When the application (sshd, login, su ...) opens a login's PAM session, the module writes a
//! `pam-session-open` record with PAM's own items, and at close a `pam-session-close`: the two
//! are a small session of their own (mode `pam`, the open at sequence 0 and the close last), written with the shell's
//! writer, chain and key. It also leaves the login's facts in [`FACTS_DIR`], one file per
//! kernel audit session (`/proc/self/sessionid`, which `pam_loginuid` fixed and the user
//! cannot change), readable only by root and the `auditsh` group that the installed shell runs
//! with: the shell takes the login's address from there rather than from `SSH_CONNECTION`,
//! which the user sets as they like.

use super::identity::{parse_ssh_connection, Identity, ShellFacts, UNSET_ID};
use super::record::{Action, Fixed, Mode, PamItems};
use super::shared::Shared;
use super::sink::{self, spool::Spool, Sinks};
use super::writer::Writer;
use super::{budget, chain, clock, mac, new_session_id, policy};
use crate::config::{Config, OnFailure};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where the facts are: `<FACTS_DIR>/<audit session id>`.
pub const FACTS_DIR: &str = "/run/auditsh/pam";
/// The group that may read them: the installed shell's.
pub const FACTS_GROUP: &str = "auditsh";

/// What PAM says of the login, as the module read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Login {
    pub service: Option<String>,
    pub user: Option<String>,
    pub ruser: Option<String>,
    pub rhost: Option<String>,
    pub tty: Option<String>,
    /// `SSH_CONNECTION` from PAM's own environment (sshd puts it there), not the user's.
    pub ssh_connection: Option<String>,
}

/// The facts of one login, written at open and read by the installed shell and at close.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub login: Login,
    /// `source.ip`/`source.port`, or `source.domain` for a host name.
    pub ip: Option<String>,
    pub port: Option<u16>,
    pub domain: Option<String>,
    /// The PAM session's `auditsh.session`, handed to the shell as `auditsh.pam_session`.
    pub pam_session: String,
    /// The kernel audit session the facts belong to.
    pub audit_session: u32,
    /// The process that opened the session and its start time (`/proc/PID/stat`, clock
    /// ticks since boot), and the boot: facts whose opener is gone are stale.
    pub pid: u32,
    pub pid_start: u64,
    pub boot_id: String,
    /// For the close record: the open's day directory, the next sequence and the hash (hex)
    /// of the last line written at the open, and the open's time.
    pub day: String,
    pub next: u64,
    pub prev: String,
    pub started: (i64, u32),
}

impl Facts {
    /// The address facts of `login`: an IP address as `source.ip` (with the port of PAM's
    /// `SSH_CONNECTION` when that names the same address), else the name as `source.domain`.
    /// No name is looked up.
    pub fn address(login: &Login) -> (Option<String>, Option<u16>, Option<String>) {
        let Some(rhost) = login.rhost.as_deref().filter(|h| !h.is_empty()) else {
            return (None, None, None);
        };
        match rhost.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                let ip = ip.to_string();
                let port = login
                    .ssh_connection
                    .as_deref()
                    .map(|c| parse_ssh_connection(c.as_bytes()))
                    .filter(|(cip, _)| cip.as_deref() == Some(ip.as_str()))
                    .and_then(|(_, port)| port);
                (Some(ip), port, None)
            }
            Err(_) => (None, None, Some(rhost.to_string())),
        }
    }

    /// The file's text: `key=value` lines, each value with `%`, controls and DEL as `%XX`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                out.push_str(k);
                out.push('=');
                for c in v.chars() {
                    if c == '%' || c.is_control() {
                        let mut b = [0u8; 4];
                        for byte in c.encode_utf8(&mut b).bytes() {
                            out.push_str(&format!("%{byte:02X}"));
                        }
                    } else {
                        out.push(c);
                    }
                }
                out.push('\n');
            }
        };
        let l = &self.login;
        put("service", l.service.as_deref());
        put("user", l.user.as_deref());
        put("ruser", l.ruser.as_deref());
        put("rhost", l.rhost.as_deref());
        put("tty", l.tty.as_deref());
        put("ssh_connection", l.ssh_connection.as_deref());
        put("ip", self.ip.as_deref());
        put("port", self.port.map(|p| p.to_string()).as_deref());
        put("domain", self.domain.as_deref());
        put("pam_session", Some(&self.pam_session));
        put("audit_session", Some(&self.audit_session.to_string()));
        put("pid", Some(&self.pid.to_string()));
        put("pid_start", Some(&self.pid_start.to_string()));
        put("boot_id", Some(&self.boot_id));
        put("day", Some(&self.day));
        put("next", Some(&self.next.to_string()));
        put("prev", Some(&self.prev));
        put(
            "started",
            Some(&format!("{}.{:09}", self.started.0, self.started.1)),
        );
        out
    }

    /// Read the file's text back; None when a required key is missing or malformed.
    pub fn from_text(text: &str) -> Option<Facts> {
        let mut f = Facts::default();
        let mut seen = 0u8;
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            let v = unescape(v)?;
            match k {
                "service" => f.login.service = Some(v),
                "user" => f.login.user = Some(v),
                "ruser" => f.login.ruser = Some(v),
                "rhost" => f.login.rhost = Some(v),
                "tty" => f.login.tty = Some(v),
                "ssh_connection" => f.login.ssh_connection = Some(v),
                "ip" => f.ip = Some(v),
                "port" => f.port = Some(v.parse().ok()?),
                "domain" => f.domain = Some(v),
                "pam_session" => (f.pam_session, seen) = (v, seen | 1),
                "audit_session" => (f.audit_session, seen) = (v.parse().ok()?, seen | 2),
                "pid" => (f.pid, seen) = (v.parse().ok()?, seen | 4),
                "pid_start" => (f.pid_start, seen) = (v.parse().ok()?, seen | 8),
                "boot_id" => (f.boot_id, seen) = (v, seen | 16),
                "day" => f.day = v,
                "next" => f.next = v.parse().ok()?,
                "prev" => f.prev = v,
                "started" => {
                    let (s, ns) = v.split_once('.')?;
                    f.started = (s.parse().ok()?, ns.parse().ok()?);
                }
                // A later version's key: not ours to understand.
                _ => {}
            }
        }
        (seen == 31).then_some(f)
    }

    /// Whether these facts describe a login that still exists on this boot: the process
    /// that opened its PAM session is still the same process.
    pub fn current(&self) -> bool {
        boot_id().as_deref() == Some(self.boot_id.as_str())
            && process_start(self.pid) == Some(self.pid_start)
    }
}

fn unescape(v: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(v.len());
    let mut it = v.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next()?, it.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok()
}

/// This boot's id (`/proc/sys/kernel/random/boot_id`).
fn boot_id() -> Option<String> {
    let b = crate::sys::fs::read_small("/proc/sys/kernel/random/boot_id").ok()?;
    Some(String::from_utf8(b).ok()?.trim().to_string())
}

/// A process's start time in clock ticks since boot (field 22 of `/proc/PID/stat`).
pub fn process_start(pid: u32) -> Option<u64> {
    let b = crate::sys::fs::read_small(format!("/proc/{pid}/stat")).ok()?;
    let s = String::from_utf8_lossy(&b);
    // The name (field 2) is in parentheses and may hold anything: count after its end.
    let rest = &s[s.rfind(')')? + 1..];
    rest.split_ascii_whitespace().nth(19)?.parse().ok()
}

/// This process's kernel audit session, when set.
pub fn audit_session() -> Option<u32> {
    let b = crate::sys::fs::read_small("/proc/self/sessionid").ok()?;
    let id: u32 = String::from_utf8(b).ok()?.trim().parse().ok()?;
    (id != UNSET_ID).then_some(id)
}

/// The facts file of audit session `id` under `dir`.
pub fn facts_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(id.to_string())
}

/// The current facts of this process's login, for the installed shell (which can read the
/// directory before it gives up its group): None without an audit session, a file, or when
/// the file's opener is gone.
pub fn current_facts() -> Option<Facts> {
    let id = audit_session()?;
    let b = crate::sys::fs::read_small(facts_path(Path::new(FACTS_DIR), id)).ok()?;
    let facts = Facts::from_text(std::str::from_utf8(&b).ok()?)?;
    (facts.audit_session == id && facts.current()).then_some(facts)
}

/// Put the login's facts into an identity the shell gathered: its `source` is theirs, whatever
/// `SSH_CONNECTION` said.
pub fn apply(identity: &mut Identity, facts: &Facts) {
    identity.source_ip = facts.ip.clone();
    identity.source_port = facts.ip.as_ref().and(facts.port);
    identity.source_domain = facts.domain.clone();
    identity.source_from = Some("pam");
}

/// Where the module writes: the config, and the facts directory.
pub struct Place {
    pub config: Config,
    pub facts_dir: PathBuf,
}

/// What the module does after a failure: the login goes on unless the config makes a failed
/// audit fatal (`on_failure = "refuse"`).
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub fatal: bool,
}

/// A writer for the PAM session `session`, continuing at `sequence` after `prev`.
struct PamWriter {
    shared: Shared,
    w: Writer,
    key_problem: Option<String>,
}

fn pam_writer(
    config: &Config,
    session: &str,
    day: &str,
    identity: Identity,
) -> Result<PamWriter, String> {
    let mut sinks = Sinks::default();
    if config.spool.enabled {
        let dir = config
            .spool
            .dir
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from(crate::config::INSTALLED_SPOOL_DIR));
        // A day directory it cannot use is passed by as the installed shell passes it.
        match Spool::open(&dir, day, session, true) {
            Ok(opened) => sinks.spool = Some(opened.spool),
            Err(e) => sinks.missing[sink::index(super::SinkName::Spool)] = Some(e),
        }
    }
    super::open_syslog(config, &mut sinks);
    if !sinks.any_enabled() {
        return Err(if sinks.missing.iter().any(Option::is_some) {
            super::cannot_write(|s| sinks.missing[sink::index(s)].as_deref())
        } else {
            "no sink is enabled".to_string()
        });
    }
    let shared = Shared::new(sinks.spool.as_ref().and_then(|s| s.fd()));
    let (secs, _) = clock::realtime();
    let (sealer, key_problem) = match mac::key_file(config.mac.key_file.as_deref(), true) {
        Some(path) => mac::session_key(&path, mac::day_of(secs)),
        None => (None, None),
    };
    let fixed = Fixed::new(&identity, session, Mode::Pam);
    Ok(PamWriter {
        shared,
        w: Writer {
            buf: Vec::with_capacity(1024),
            identity,
            fixed,
            mode: Mode::Pam,
            sinks,
            config: config.clone(),
            sealer,
            budgets: budget::Budgets {
                session: 0,
                user_day: 0,
                user: None,
            },
            budget_notice: None,
            deferred: Vec::new(),
            defer_syslog: false,
            side_records: Vec::new(),
        },
        key_problem,
    })
}

impl PamWriter {
    /// Write `action` at `sequence` after the line whose hash is `prev`, with a key failure
    /// (records without a MAC) after an open and before a close, so that the open is the
    /// session's first record and the close its last. Returns the next sequence and the chain
    /// head, and why the required sinks did not take the record, if they did not.
    fn write(
        &mut self,
        sequence: u64,
        prev: [u8; 32],
        action: &Action<'_>,
    ) -> (u64, [u8; 32], Option<String>) {
        let mut guard = self.shared.lock();
        guard.next_sequence = sequence;
        guard.prev = prev;
        let opening = matches!(action, Action::PamSession { open: true, .. });
        let problem = self.key_problem.take();
        let key_failure = problem.as_deref().map(|error| Action::KeyFailure { error });
        if let Some(k) = key_failure.as_ref().filter(|_| !opening) {
            let (kseq, kd) = self.w.write_one(&mut guard, k, |_| true);
            self.w.handle_failures(&mut guard, kseq, &kd);
        }
        let (seq, d) = self.w.write_one(&mut guard, action, |_| true);
        let accepted = policy::accepted(self.w.config.require, &self.w.sinks, &d);
        self.w.handle_failures(&mut guard, seq, &d);
        if let Some(k) = key_failure.as_ref().filter(|_| opening) {
            let (kseq, kd) = self.w.write_one(&mut guard, k, |_| true);
            self.w.handle_failures(&mut guard, kseq, &kd);
        }
        let problem = (!accepted).then(|| policy::denied_message(&d));
        (guard.next_sequence, guard.prev, problem)
    }
}

/// The identity of the process running the PAM stack, with the login's address.
fn pam_identity(facts: &Facts, started: (i64, u32)) -> Identity {
    let args = std::fs::read("/proc/self/cmdline")
        .map(|c| {
            c.split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut identity = Identity::gather(
        None,
        ShellFacts {
            args: &args,
            interactive: false,
            start: started,
        },
    );
    identity.source_ip = facts.ip.clone();
    identity.source_port = facts.port;
    identity.source_domain = facts.domain.clone();
    identity.source_from = (facts.ip.is_some() || facts.domain.is_some()).then_some("pam");
    identity
}

fn items(login: &Login) -> PamItems<'_> {
    PamItems {
        service: login.service.as_deref(),
        user: login.user.as_deref(),
        ruser: login.ruser.as_deref(),
        tty: login.tty.as_deref(),
    }
}

/// The session opens: write `pam-session-open` and the facts file. The facts come back for
/// the close (the module keeps them with PAM's handle) even when something failed; `Err` only
/// says what failed and whether that is fatal.
pub fn open(place: &Place, login: Login) -> (Facts, Result<(), Failure>) {
    let started = clock::realtime();
    let (ip, port, domain) = Facts::address(&login);
    let mut facts = Facts {
        login,
        ip,
        port,
        domain,
        pam_session: new_session_id(),
        audit_session: audit_session().unwrap_or(UNSET_ID),
        pid: std::process::id(),
        pid_start: process_start(std::process::id()).unwrap_or(0),
        boot_id: boot_id().unwrap_or_default(),
        day: clock::date(started.0).to_string(),
        next: 0,
        prev: String::new(),
        started,
    };
    let fatal = place.config.on_failure == OnFailure::Refuse;
    let mut problems = Vec::new();
    match pam_writer(
        &place.config,
        &facts.pam_session,
        &facts.day,
        pam_identity(&facts, started),
    ) {
        Ok(mut w) => {
            let action = Action::PamSession {
                open: true,
                pam: items(&facts.login),
            };
            let (next, head, problem) = w.write(0, [0; 32], &action);
            facts.next = next;
            facts.prev = String::from_utf8_lossy(&chain::hex64(&head)).into_owned();
            problems.extend(problem);
        }
        Err(e) => problems.push(e),
    }
    // A PAM session inside a login (su, sudo with pam_loginuid absent) keeps the login's
    // audit session: the login's facts, while current, stay the ones the shell reads.
    let login_has_facts = read_facts_of(&place.facts_dir, facts.audit_session)
        .is_some_and(|f| f.pid != facts.pid && f.current());
    if facts.audit_session != UNSET_ID && !login_has_facts {
        if let Err(e) = write_facts(&place.facts_dir, &facts) {
            problems.push(e);
        }
    }
    let result = if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: problems.join("; "),
            fatal,
        })
    };
    (facts, result)
}

/// The session closes: write `pam-session-close` (chained to the open record) and remove the
/// facts file if it is this session's.
pub fn close(place: &Place, facts: &Facts) -> Result<(), Failure> {
    let fatal = place.config.on_failure == OnFailure::Refuse;
    let mut problems = Vec::new();
    // Without the open record's hash (it was not written) the close still goes out, chained
    // to nothing: verify then reports the broken chain, as it should.
    let mut prev = [0u8; 32];
    mac::decode_hex(facts.prev.as_bytes(), &mut prev);
    match pam_writer(
        &place.config,
        &facts.pam_session,
        &facts.day,
        pam_identity(facts, facts.started),
    ) {
        Ok(mut w) => {
            let action = Action::PamSession {
                open: false,
                pam: items(&facts.login),
            };
            let (_, _, problem) = w.write(facts.next.max(1), prev, &action);
            problems.extend(problem);
        }
        Err(e) => problems.push(e),
    }
    if facts.audit_session != UNSET_ID {
        let path = facts_path(&place.facts_dir, facts.audit_session);
        let ours = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| Facts::from_text(&t))
            .is_some_and(|f| f.pam_session == facts.pam_session);
        if ours {
            if let Err(e) = std::fs::remove_file(&path) {
                problems.push(format!("{}: {e}", path.display()));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            message: problems.join("; "),
            fatal,
        })
    }
}

/// The facts of this process's audit session as the module left them (for a close in another
/// handle than the open's).
pub fn read_facts(dir: &Path) -> Option<Facts> {
    read_facts_of(dir, audit_session()?)
}

fn read_facts_of(dir: &Path, id: u32) -> Option<Facts> {
    let text = std::fs::read_to_string(facts_path(dir, id)).ok()?;
    Facts::from_text(&text)
}

/// The `auditsh` group's id, when the account exists.
fn facts_gid() -> Option<u32> {
    let name = std::ffi::CString::new(FACTS_GROUP).ok()?;
    // SAFETY: name is a valid C string; the result is read at once, before any other
    // group lookup could reuse its storage.
    let gr = unsafe { libc::getgrnam(name.as_ptr()) };
    if gr.is_null() {
        return None;
    }
    // SAFETY: gr is non-null and points to the static group entry getgrnam returned.
    Some(unsafe { (*gr).gr_gid })
}

/// Write the facts file: the directory root:auditsh 0750, the file root:auditsh 0640, written
/// whole under a temporary name and renamed into place. Without the `auditsh` group only root
/// can read them.
fn write_facts(dir: &Path, facts: &Facts) -> Result<(), String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let gid = facts_gid();
    if let Some(parent) = dir.parent() {
        if !parent.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(parent)
                .map_err(|e| err(parent, e))?;
        }
    }
    match std::fs::DirBuilder::new().mode(0o750).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(err(dir, e)),
    }
    std::os::unix::fs::chown(dir, Some(0), gid).map_err(|e| err(dir, e))?;
    let (dir_mode, file_mode) = if gid.is_some() {
        (0o750, 0o640)
    } else {
        (0o700, 0o600)
    };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dir_mode))
        .map_err(|e| err(dir, e))?;
    let path = facts_path(dir, facts.audit_session);
    let tmp = dir.join(format!(".{}.{}", facts.audit_session, std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(file_mode)
        .open(&tmp)
        .map_err(|e| err(&tmp, e))?;
    let written = file
        .write_all(facts.to_text().as_bytes())
        .and_then(|()| std::os::unix::fs::fchown(&file, Some(0), gid))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(&path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(rhost: &str) -> Login {
        Login {
            service: Some("sshd".into()),
            user: Some("alice".into()),
            rhost: Some(rhost.into()),
            tty: Some("ssh".into()),
            ssh_connection: Some("203.0.113.7 50022 10.0.0.1 22".into()),
            ..Login::default()
        }
    }

    #[test]
    fn an_address_is_source_ip_and_a_name_source_domain() {
        let (ip, port, domain) = Facts::address(&login("203.0.113.7"));
        assert_eq!(ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(port, Some(50022));
        assert_eq!(domain, None);
        // The port only when PAM's SSH_CONNECTION names the same address.
        let (ip, port, _) = Facts::address(&login("::1"));
        assert_eq!((ip.as_deref(), port), (Some("::1"), None));
        let (ip, port, domain) = Facts::address(&login("client.example.org"));
        assert_eq!((ip, port), (None, None));
        assert_eq!(domain.as_deref(), Some("client.example.org"));
        assert_eq!(Facts::address(&login("")), (None, None, None));
    }

    #[test]
    fn facts_read_back_as_written() {
        let facts = Facts {
            login: Login {
                rhost: Some("odd%host\nname=x".into()),
                ..login("x")
            },
            ip: Some("203.0.113.7".into()),
            port: Some(22),
            pam_session: "ab".repeat(16),
            audit_session: 42,
            pid: 7,
            pid_start: 1234,
            boot_id: "b".into(),
            day: "2026-12-04".into(),
            next: 2,
            prev: "0".repeat(64),
            started: (1_700_000_000, 5),
            ..Facts::default()
        };
        let text = facts.to_text();
        assert_eq!(text.lines().count(), 16);
        assert_eq!(Facts::from_text(&text), Some(facts));
        assert_eq!(Facts::from_text("service=x\n"), None);
        assert_eq!(Facts::from_text("no equals sign"), None);
    }

    #[test]
    fn facts_of_a_gone_process_are_not_current() {
        let me = std::process::id();
        let mut facts = Facts {
            pid: me,
            pid_start: process_start(me).expect("own start time"),
            boot_id: boot_id().expect("boot id"),
            ..Facts::default()
        };
        assert!(facts.current());
        facts.pid_start += 1;
        assert!(!facts.current());
        facts.pid_start -= 1;
        facts.boot_id = "another boot".into();
        assert!(!facts.current());
    }

    #[test]
    fn the_records_carry_pam_items_and_the_source() {
        use crate::audit::record::{encode, Header};
        let login = login("client.example.org");
        let facts = Facts {
            domain: Some("client.example.org".into()),
            ..Facts::default()
        };
        let identity = pam_identity(&facts, clock::realtime());
        let fixed = Fixed::new(&identity, &"ab".repeat(16), Mode::Pam);
        let header = Header {
            timestamp: "2026-12-04T10:00:00.000000Z",
            sequence: 0,
            prev: &"0".repeat(64),
            key_epoch: None,
        };
        let mut buf = Vec::new();
        for open in [true, false] {
            let action = Action::PamSession {
                open,
                pam: items(&login),
            };
            encode(&mut buf, &fixed, &header, &action, 65536);
            // As the JSON Schema describes records.
            let v = crate::testutil::checked_record(&buf);
            let name = if open {
                "pam-session-open"
            } else {
                "pam-session-close"
            };
            assert_eq!(v["event"]["action"], name);
            assert_eq!(v["event"]["category"][0], "session");
            assert_eq!(v["event"]["type"][0], if open { "start" } else { "end" });
            assert_eq!(v["auditsh"]["mode"], "pam");
            assert_eq!(v["auditsh"]["pam"]["service"], "sshd");
            assert_eq!(v["auditsh"]["pam"]["user"], "alice");
            assert_eq!(v["auditsh"]["pam"]["tty"], "ssh");
            assert!(v["auditsh"]["pam"].get("ruser").is_none());
            assert_eq!(v["source"]["domain"], "client.example.org");
            assert!(v["source"].get("ip").is_none());
            assert_eq!(v["auditsh"]["source_from"], "pam");
            assert!(v["message"].as_str().unwrap().ends_with("(sshd)"));
        }
    }
}
