//! Who and where: everything about the session that does not change, looked up once at start
//! (user and group names may go through NSS; nothing here runs per record).

use super::text::{is_lossy, to_record_text};
use crate::sys;

/// `/proc/self/loginuid` and `/proc/self/sessionid` when unset.
pub const UNSET_ID: u32 = u32::MAX;

/// The constant part of every record.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub hostname: String,
    pub uid: String,
    pub user_name: Option<String>,
    pub euid: String,
    pub effective_name: Option<String>,
    pub gid: String,
    pub group_name: Option<String>,
    /// loginuid and its name, when set.
    pub audit_id: Option<String>,
    pub audit_name: Option<String>,
    pub audit_session: Option<String>,
    pub pid: u32,
    pub ppid: u32,
    /// The parent's name (`/proc/PPID/comm`): whoever started the parent program chose it.
    pub parent_name: Option<String>,
    /// The parent runs with root's real uid in a session of another user, so the user did not
    /// choose its name (`auditsh.parent_trusted`).
    pub parent_trusted: bool,
    pub tty: Option<String>,
    pub source_ip: Option<String>,
    pub source_port: Option<u16>,
    /// The remote host as a name (`PAM_RHOST` that is not an address): `source.domain`.
    pub source_domain: Option<String>,
    /// Where `source` came from: `pam` (the module's facts) or `environment`
    /// (`SSH_CONNECTION`): `auditsh.source_from`.
    pub source_from: Option<&'static str>,
    /// The session's shell as a process: its own records' `process.*` and every record's
    /// `process.session_leader`/`entry_leader`.
    pub shell: ShellProcess,
    /// Some identity text was not UTF-8: every record says `auditsh.lossy: true`, and all
    /// the text here is in the lossy form (each backslash doubled, see `text`).
    pub lossy: bool,
}

/// At most this many bytes of the shell's arguments are in every record's leaders (a `-c`
/// script can be long); `args_count` counts them all.
pub const LEADER_ARGS_MAX: usize = 256;

/// The session's shell, as ECS describes a process, fixed at start.
#[derive(Debug, Clone, Default)]
pub struct ShellProcess {
    /// The shell's pid (its forked children keep it here).
    pub pid: u32,
    /// When the session started, as `@timestamp` is written.
    pub start: String,
    /// argv\[0\]'s file name, without a login shell's `-`.
    pub name: String,
    /// The shell's executable (`/proc/self/exe`), when it can be read.
    pub executable: Option<String>,
    /// Its arguments, [`LEADER_ARGS_MAX`] bytes of them at most (an argument cut short ends
    /// in `...`).
    pub args: Vec<String>,
    pub args_count: usize,
    /// The working directory it started in.
    pub working_directory: Option<String>,
    pub interactive: bool,
    /// The terminal's device numbers (major, minor).
    pub tty_device: Option<(u32, u32)>,
    /// How the session was entered (`process.entry_leader.entry_meta.type`), from the parent's
    /// name and the terminal: `sshd`, `console`, `terminal`, `su`, `sudo`, `cron`, `init` or
    /// `unknown`.
    pub entry_type: &'static str,
}

/// What the shell tells the audit about itself when it starts.
#[derive(Debug, Clone, Copy)]
pub struct ShellFacts<'a> {
    pub args: &'a [Vec<u8>],
    pub interactive: bool,
    /// When the session started (wall clock).
    pub start: (i64, u32),
}

impl Identity {
    /// Look everything up. `ssh_connection` is the value of `SSH_CONNECTION`, if any.
    pub fn gather(ssh_connection: Option<&[u8]>, facts: ShellFacts<'_>) -> Identity {
        // Whether any of the text is not UTF-8 decides the form of all of it (every record
        // is then lossy): looked at before anything is converted.
        let lossy = std::cell::Cell::new(false);
        let raw = |b: Vec<u8>| {
            lossy.set(lossy.get() | is_lossy(&b));
            b
        };
        use crate::sys::process;
        let (uid, euid, gid) = (process::uid(), process::euid(), process::gid());
        let (pid, ppid) = (process::pid(), process::parent_pid());
        let hostname = raw(hostname());
        let user_name = lookup_user(uid).map(raw);
        let effective_name = if euid == uid {
            user_name.clone()
        } else {
            lookup_user(euid).map(raw)
        };
        let group_name = lookup_group(gid).map(raw);
        let loginuid = read_proc_u32("/proc/self/loginuid").filter(|&v| v != UNSET_ID);
        let audit_name = match loginuid {
            Some(l) if l == uid => user_name.clone(),
            Some(l) => lookup_user(l).map(raw),
            None => None,
        };
        let audit_session = read_proc_u32("/proc/self/sessionid")
            .filter(|&v| v != UNSET_ID)
            .map(|v| v.to_string());
        let parent_name = crate::sys::fs::read_small(format!("/proc/{ppid}/comm"))
            .ok()
            .map(|mut b| {
                while b.last() == Some(&b'\n') {
                    b.pop();
                }
                b
            })
            .map(raw);
        let parent_trusted = parent_name.is_some() && parent_trusted(ppid, uid);
        let tty_fd = (0..3).find(|&fd| crate::sys::fd::is_terminal(fd));
        let tty = tty_fd.and_then(crate::sys::fd::tty_name).map(raw);
        let tty_device = tty_fd.and_then(crate::sys::fd::char_device);
        let entry_type = entry_type(parent_name.as_deref(), ppid, tty.as_deref());
        let (shell_args, args_cut) = leader_args(facts.args);
        let shell_args: Vec<Vec<u8>> = shell_args.into_iter().map(raw).collect();
        let mut exe = Vec::new();
        crate::sys::fs::read_link(c"/proc/self/exe", &mut exe);
        let exe = (!exe.is_empty()).then(|| raw(exe));
        let mut cwd = Vec::new();
        super::place::physical_cwd(&mut cwd);
        let cwd = (!cwd.is_empty()).then(|| raw(cwd));
        let name = raw(shell_name(
            facts.args.first().map_or(&b"auditsh"[..], |a| a),
        ));
        let lossy = lossy.get();
        let text = |b: Vec<u8>| to_record_text(&b, lossy);
        let (source_ip, source_port) = ssh_connection.map(parse_ssh_connection).unwrap_or_default();
        Identity {
            hostname: text(hostname),
            uid: uid.to_string(),
            user_name: user_name.map(text),
            euid: euid.to_string(),
            effective_name: effective_name.map(text),
            gid: gid.to_string(),
            group_name: group_name.map(text),
            audit_id: loginuid.map(|l| l.to_string()),
            audit_name: audit_name.map(text),
            audit_session,
            pid: u32::try_from(pid).unwrap_or(0),
            ppid: u32::try_from(ppid).unwrap_or(0),
            parent_name: parent_name.map(text),
            parent_trusted,
            tty: tty.map(text),
            shell: ShellProcess {
                pid: u32::try_from(pid).unwrap_or(0),
                start: super::clock::as_str(&super::clock::timestamp(facts.start.0, facts.start.1))
                    .to_string(),
                name: text(name),
                executable: exe.map(text),
                args: shell_args.into_iter().map(text).collect(),
                args_count: facts.args.len(),
                working_directory: cwd.map(text),
                interactive: facts.interactive,
                tty_device,
                entry_type,
            },
            source_from: source_ip.is_some().then_some("environment"),
            source_ip,
            source_port,
            source_domain: None,
            lossy,
        }
        .with_cut_args(args_cut)
    }

    /// Mark the last leader argument as cut (`...` after it).
    fn with_cut_args(mut self, cut: bool) -> Identity {
        if cut {
            if let Some(last) = self.shell.args.last_mut() {
                last.push_str("...");
            }
        }
        self
    }

    /// In a forked child: the writer is now this process.
    pub fn refresh_pids(&mut self) {
        let (pid, ppid) = (
            crate::sys::process::pid(),
            crate::sys::process::parent_pid(),
        );
        self.pid = u32::try_from(pid).unwrap_or(0);
        self.ppid = u32::try_from(ppid).unwrap_or(0);
        self.parent_name = None;
        self.parent_trusted = false;
    }

    /// The session's shell's entity id (`<session>-p0`).
    pub fn shell_entity(session: &str) -> String {
        format!("{session}-p0")
    }

    /// The same identity with its text in the lossy form (each backslash doubled), for the
    /// records marked lossy; None when no text has a backslash (the forms are the same). Only
    /// for an identity whose text is exact (not `lossy`).
    pub fn in_lossy_form(&self) -> Option<Identity> {
        let shell = &self.shell;
        let shell_texts = [
            Some(&shell.name),
            shell.executable.as_ref(),
            shell.working_directory.as_ref(),
        ];
        let texts = [
            Some(&self.hostname),
            self.user_name.as_ref(),
            self.effective_name.as_ref(),
            self.group_name.as_ref(),
            self.audit_name.as_ref(),
            self.parent_name.as_ref(),
            self.tty.as_ref(),
        ];
        let backslash = |t: &&String| t.contains('\\');
        if !texts
            .iter()
            .chain(shell_texts.iter())
            .flatten()
            .any(&backslash)
            && !shell.args.iter().any(|a| backslash(&a))
        {
            return None;
        }
        let double = |t: &String| t.replace('\\', "\\\\");
        Some(Identity {
            hostname: double(&self.hostname),
            user_name: self.user_name.as_ref().map(double),
            effective_name: self.effective_name.as_ref().map(double),
            group_name: self.group_name.as_ref().map(double),
            audit_name: self.audit_name.as_ref().map(double),
            parent_name: self.parent_name.as_ref().map(double),
            tty: self.tty.as_ref().map(double),
            shell: ShellProcess {
                name: double(&shell.name),
                executable: shell.executable.as_ref().map(double),
                args: shell.args.iter().map(double).collect(),
                working_directory: shell.working_directory.as_ref().map(double),
                ..shell.clone()
            },
            ..self.clone()
        })
    }

    /// The name used in `message`: the user name, or the uid.
    pub fn who(&self) -> &str {
        self.user_name.as_deref().unwrap_or(&self.uid)
    }

    /// The tty without `/dev/` for `message` ("pts/3").
    pub fn short_tty(&self) -> Option<&str> {
        self.tty
            .as_deref()
            .map(|t| t.strip_prefix("/dev/").unwrap_or(t))
    }
}

/// `SSH_CONNECTION` is "client_ip client_port server_ip server_port".
pub fn parse_ssh_connection(v: &[u8]) -> (Option<String>, Option<u16>) {
    let Ok(v) = std::str::from_utf8(v) else {
        return (None, None);
    };
    let mut fields = v.split_ascii_whitespace();
    let ip = fields
        .next()
        .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_string());
    let port = fields.next().and_then(|p| p.parse::<u16>().ok());
    match ip {
        Some(ip) => (Some(ip), port),
        None => (None, None),
    }
}

/// Whether the parent's name is beyond the session user's choice: the name a process has is
/// the file name it was exec'd by (a symlink named `sshd` to any program will do) or whatever
/// it set, so it is only trusted when the parent runs with root's real uid and the session is
/// not root's. A parent started by the user, or by another unprivileged user (`su` through a
/// symlink of their own), or one that cannot be looked at, is not trusted.
fn parent_trusted(ppid: sys::process::pid_t, session_uid: sys::process::uid_t) -> bool {
    session_uid != 0 && parent_real_uid(ppid) == Some(0)
}

/// The real uid of process `pid` (the first number of the `Uid:` line of its status).
fn parent_real_uid(pid: sys::process::pid_t) -> Option<u32> {
    let status = crate::sys::fs::read_small(format!("/proc/{pid}/status")).ok()?;
    let status = String::from_utf8_lossy(&status);
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    line.split_ascii_whitespace().next()?.parse().ok()
}

fn read_proc_u32(path: &str) -> Option<u32> {
    let s = String::from_utf8(crate::sys::fs::read_small(path).ok()?).ok()?;
    s.trim().parse().ok()
}

fn hostname() -> Vec<u8> {
    crate::sys::process::hostname().unwrap_or_default()
}

/// The shell's arguments as the leaders carry them: [`LEADER_ARGS_MAX`] bytes in all; true
/// when some were cut.
fn leader_args(args: &[Vec<u8>]) -> (Vec<Vec<u8>>, bool) {
    let mut left = LEADER_ARGS_MAX;
    let mut kept = Vec::with_capacity(args.len());
    for a in args {
        if left == 0 {
            return (kept, true);
        }
        let part = super::text::cut(a, left);
        left -= part.len();
        kept.push(part.to_vec());
        if part.len() < a.len() {
            return (kept, true);
        }
    }
    (kept, false)
}

/// A process name from argv\[0\]: its file name, without a login shell's leading `-`.
fn shell_name(arg0: &[u8]) -> Vec<u8> {
    let base = arg0.rsplit(|&b| b == b'/').next().unwrap_or(arg0);
    let base = base.strip_prefix(b"-").unwrap_or(base);
    if base.is_empty() {
        b"auditsh".to_vec()
    } else {
        base.to_vec()
    }
}

/// How the session was entered, from the parent's name (which only a trusted parent vouches
/// for: `auditsh.parent_trusted`) and the terminal.
fn entry_type(
    parent: Option<&[u8]>,
    ppid: sys::process::pid_t,
    tty: Option<&[u8]>,
) -> &'static str {
    let console = tty.is_some_and(|t| {
        t == b"/dev/console"
            || t.strip_prefix(b"/dev/tty")
                .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
    });
    match parent {
        Some(b"sshd" | b"sshd-session") => "sshd",
        Some(b"login" | b"agetty" | b"getty") if console => "console",
        Some(b"login" | b"agetty" | b"getty") => "terminal",
        Some(b"su" | b"runuser") => "su",
        Some(b"sudo") => "sudo",
        Some(b"cron" | b"CRON" | b"crond" | b"anacron" | b"atd") => "cron",
        _ if ppid == 1 => "init",
        _ if tty.is_some() => "terminal",
        _ => "unknown",
    }
}

fn lookup_user(uid: sys::process::uid_t) -> Option<Vec<u8>> {
    crate::accounts::user_name(uid)
}

fn lookup_group(gid: sys::process::gid_t) -> Option<Vec<u8>> {
    crate::accounts::group_name(gid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_connection() {
        assert_eq!(
            parse_ssh_connection(b"192.0.2.7 51234 192.0.2.1 22"),
            (Some("192.0.2.7".into()), Some(51234))
        );
        assert_eq!(
            parse_ssh_connection(b"2001:db8::7 50000 2001:db8::1 22"),
            (Some("2001:db8::7".into()), Some(50000))
        );
        assert_eq!(parse_ssh_connection(b"garbage 1 2 3"), (None, None));
        assert_eq!(parse_ssh_connection(b""), (None, None));
        assert_eq!(
            parse_ssh_connection(b"192.0.2.7 x"),
            (Some("192.0.2.7".into()), None)
        );
    }

    #[test]
    fn gather_knows_the_process() {
        let args = [b"-auditsh".to_vec()];
        let facts = ShellFacts {
            args: &args,
            interactive: false,
            start: (1_795_266_288, 0),
        };
        let id = Identity::gather(None, facts);
        assert_eq!(id.shell.name, "auditsh");
        assert_eq!(id.shell.start, "2026-11-21T13:04:48.000000Z");
        assert_eq!(id.shell.args, ["-auditsh"]);
        assert_eq!(id.pid, std::process::id());
        assert_eq!(id.uid, crate::sys::process::uid().to_string());
        assert!(!id.hostname.is_empty());
        assert!(id.source_ip.is_none());
        if let Some(a) = &id.audit_id {
            assert_ne!(a, "4294967295");
        }
    }

    #[test]
    fn entry_types() {
        let tty = Some(&b"/dev/pts/1"[..]);
        assert_eq!(entry_type(Some(b"sshd-session"), 900, tty), "sshd");
        assert_eq!(entry_type(Some(b"sshd"), 900, None), "sshd");
        assert_eq!(
            entry_type(Some(b"login"), 900, Some(b"/dev/tty1")),
            "console"
        );
        assert_eq!(entry_type(Some(b"login"), 900, tty), "terminal");
        assert_eq!(entry_type(Some(b"su"), 900, tty), "su");
        assert_eq!(entry_type(Some(b"CRON"), 900, None), "cron");
        assert_eq!(entry_type(Some(b"bash"), 1, None), "init");
        assert_eq!(entry_type(Some(b"tmux: server"), 900, tty), "terminal");
        assert_eq!(entry_type(Some(b"python3"), 900, None), "unknown");
    }

    #[test]
    fn leader_args_are_cut_to_their_budget() {
        let long = vec![b"auditsh".to_vec(), b"-c".to_vec(), vec![b'x'; 1000]];
        let (kept, cut) = leader_args(&long);
        assert!(cut);
        assert_eq!(kept.iter().map(Vec::len).sum::<usize>(), LEADER_ARGS_MAX);
        let short = vec![b"-auditsh".to_vec()];
        assert_eq!(leader_args(&short), (short.clone(), false));
        assert_eq!(shell_name(b"-auditsh"), b"auditsh");
        assert_eq!(shell_name(b"/usr/bin/auditsh"), b"auditsh");
        assert_eq!(shell_name(b""), b"auditsh");
    }
}
