//! Who and where: everything about the session that does not change, looked up once at start
//! (user and group names may go through NSS; nothing here runs per record).

use super::text::{is_lossy, to_text};

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
    pub parent_name: Option<String>,
    pub tty: Option<String>,
    pub source_ip: Option<String>,
    pub source_port: Option<u16>,
    /// Some identity text was not UTF-8: every record says `auditsh.lossy: true`.
    pub lossy: bool,
}

impl Identity {
    /// Look everything up. `ssh_connection` is the value of `SSH_CONNECTION`, if any.
    pub fn gather(ssh_connection: Option<&[u8]>) -> Identity {
        let mut lossy = false;
        let mut text = |b: Vec<u8>| {
            lossy |= is_lossy(&b);
            to_text(&b)
        };
        // SAFETY: these calls have no preconditions and cannot fail.
        let (uid, euid, gid, pid, ppid) = unsafe {
            (
                libc::getuid(),
                libc::geteuid(),
                libc::getgid(),
                libc::getpid(),
                libc::getppid(),
            )
        };
        let hostname = text(hostname());
        let user_name = lookup_user(uid).map(&mut text);
        let effective_name = if euid == uid {
            user_name.clone()
        } else {
            lookup_user(euid).map(&mut text)
        };
        let group_name = lookup_group(gid).map(&mut text);
        let loginuid = read_proc_u32("/proc/self/loginuid").filter(|&v| v != UNSET_ID);
        let audit_name = match loginuid {
            Some(l) if l == uid => user_name.clone(),
            Some(l) => lookup_user(l).map(&mut text),
            None => None,
        };
        let audit_session = read_proc_u32("/proc/self/sessionid")
            .filter(|&v| v != UNSET_ID)
            .map(|v| v.to_string());
        let parent_name = crate::files::read_small(format!("/proc/{ppid}/comm"))
            .ok()
            .map(|mut b| {
                while b.last() == Some(&b'\n') {
                    b.pop();
                }
                b
            })
            .map(&mut text);
        let tty = tty_name().map(&mut text);
        let (source_ip, source_port) = ssh_connection.map(parse_ssh_connection).unwrap_or_default();
        Identity {
            hostname,
            uid: uid.to_string(),
            user_name,
            euid: euid.to_string(),
            effective_name,
            gid: gid.to_string(),
            group_name,
            audit_id: loginuid.map(|l| l.to_string()),
            audit_name,
            audit_session,
            pid: u32::try_from(pid).unwrap_or(0),
            ppid: u32::try_from(ppid).unwrap_or(0),
            parent_name,
            tty,
            source_ip,
            source_port,
            lossy,
        }
    }

    /// In a forked child: the writer is now this process.
    pub fn refresh_pids(&mut self) {
        // SAFETY: getpid/getppid have no preconditions and cannot fail.
        let (pid, ppid) = unsafe { (libc::getpid(), libc::getppid()) };
        self.pid = u32::try_from(pid).unwrap_or(0);
        self.ppid = u32::try_from(ppid).unwrap_or(0);
        self.parent_name = None;
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

fn read_proc_u32(path: &str) -> Option<u32> {
    let s = String::from_utf8(crate::files::read_small(path).ok()?).ok()?;
    s.trim().parse().ok()
}

fn hostname() -> Vec<u8> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for buf.len() bytes; gethostname NUL-terminates on success
    // when the name fits, and we terminate the search at the buffer's end otherwise.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return Vec::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf[..end].to_vec()
}

fn tty_name() -> Option<Vec<u8>> {
    for fd in 0..3 {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for buf.len() bytes; ttyname_r NUL-terminates on success.
        let rc = unsafe { libc::ttyname_r(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if rc == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return Some(buf[..end].to_vec());
        }
    }
    None
}

fn lookup_user(uid: libc::uid_t) -> Option<Vec<u8>> {
    crate::accounts::user_name(uid)
}

fn lookup_group(gid: libc::gid_t) -> Option<Vec<u8>> {
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
        let id = Identity::gather(None);
        assert_eq!(id.pid, std::process::id());
        // SAFETY: getuid cannot fail.
        assert_eq!(id.uid, unsafe { libc::getuid() }.to_string());
        assert!(!id.hostname.is_empty());
        assert!(id.source_ip.is_none());
        if let Some(a) = &id.audit_id {
            assert_ne!(a, "4294967295");
        }
    }
}
