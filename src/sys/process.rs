//! The process's identity: its ids and its users' and groups', which cannot fail to be read.

/// This process's id.
pub fn pid() -> libc::pid_t {
    // SAFETY: getpid has no preconditions and cannot fail.
    unsafe { libc::getpid() }
}

/// The parent process's id.
pub fn parent_pid() -> libc::pid_t {
    // SAFETY: getppid has no preconditions and cannot fail.
    unsafe { libc::getppid() }
}

/// The real user id.
pub fn uid() -> libc::uid_t {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The effective user id.
pub fn euid() -> libc::uid_t {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The real group id.
pub fn gid() -> libc::gid_t {
    // SAFETY: getgid has no preconditions and cannot fail.
    unsafe { libc::getgid() }
}

/// The effective group id.
pub fn egid() -> libc::gid_t {
    // SAFETY: getegid has no preconditions and cannot fail.
    unsafe { libc::getegid() }
}

/// Send `signal` to `pid` (a process group when negative); the error number when it fails.
pub fn kill(pid: libc::pid_t, signal: i32) -> Result<(), i32> {
    // SAFETY: kill has no memory effects.
    match unsafe { libc::kill(pid, signal) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_this_processs() {
        assert_eq!(pid() as u32, std::process::id());
        assert!(parent_pid() > 0);
        assert_eq!(kill(pid(), 0), Ok(()));
        assert_eq!(kill(-1_000_000_000, 0), Err(libc::ESRCH));
        // The ids read as the file the process creates shows them.
        let dir = std::env::temp_dir().join(format!("auditsh-ids-{}", pid()));
        std::fs::write(&dir, b"").unwrap();
        let m = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&dir).unwrap());
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(m, euid());
        let _ = (uid(), gid(), egid());
    }
}
