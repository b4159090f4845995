//! `pam_auditsh.so`: the PAM session module of auditsh.
//!
//! At `pam_sm_open_session` it writes a `pam-session-open` record (PAM's service, user, remote
//! user, remote host and tty, the kernel audit session and login uid) to the same spool and
//! syslog as the shell, with the shell's record code, and leaves the login's facts for the
//! installed shell (`auditsh::audit::pam`); at `pam_sm_close_session` it writes
//! `pam-session-close` and removes them. It never fails a login unless the config makes a
//! failed audit fatal (`on_failure = "refuse"`); what went wrong goes to syslog.
//!
//! Module arguments: `config=PATH` (default `/etc/auditsh/auditsh.toml`).
//!
//! The binding to libpam is this crate's own few declarations (`ffi`): six functions of the
//! stable Linux-PAM ABI, linked against the runtime library every system has (`libpam.so.0`),
//! so that building needs no PAM development package.

/// The module's arguments: `config=PATH`; None for an argument it does not know.
pub fn config_arg(arg: &str) -> Option<Option<&str>> {
    match arg.split_once('=') {
        Some(("config", path)) if !path.is_empty() => Some(Some(path)),
        _ if arg == "debug" => Some(None),
        _ => None,
    }
}

// The module links libpam only in its real build (not in the unit tests' static executable),
// and only for the GNU target: PAM modules are loaded by glibc's libpam.
#[cfg(all(target_env = "gnu", not(test)))]
mod module;

#[cfg(test)]
mod tests {
    use super::config_arg;

    #[test]
    fn arguments() {
        assert_eq!(config_arg("config=/etc/x.toml"), Some(Some("/etc/x.toml")));
        assert_eq!(config_arg("debug"), Some(None));
        assert_eq!(config_arg("config="), None);
        assert_eq!(config_arg("colour=blue"), None);
    }
}
