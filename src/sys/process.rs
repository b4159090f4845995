//! The process and the machine it runs on: its ids and its users' and groups', its limits,
//! umask and CPU times, the host's name, random bytes from the kernel.

/// The C types of ids and limits, and the wait-status tests, as the rest of the shell names them.
pub use libc::{
    gid_t, pid_t, rlim_t, rlimit, uid_t, RLIM_INFINITY, WCONTINUED, WEXITSTATUS, WIFCONTINUED,
    WIFEXITED, WIFSIGNALED, WIFSTOPPED, WNOHANG, WSTOPSIG, WTERMSIG, WUNTRACED,
};

/// The resources of [`limit`] and [`set_limit`], as `i32` (glibc's are `c_uint`, musl's `c_int`).
#[allow(clippy::unnecessary_cast)]
pub mod resource {
    pub const CPU: i32 = libc::RLIMIT_CPU as i32;
    pub const FSIZE: i32 = libc::RLIMIT_FSIZE as i32;
    pub const DATA: i32 = libc::RLIMIT_DATA as i32;
    pub const STACK: i32 = libc::RLIMIT_STACK as i32;
    pub const CORE: i32 = libc::RLIMIT_CORE as i32;
    pub const RSS: i32 = libc::RLIMIT_RSS as i32;
    pub const MEMLOCK: i32 = libc::RLIMIT_MEMLOCK as i32;
    pub const NPROC: i32 = libc::RLIMIT_NPROC as i32;
    pub const NOFILE: i32 = libc::RLIMIT_NOFILE as i32;
    pub const AS: i32 = libc::RLIMIT_AS as i32;
    pub const LOCKS: i32 = libc::RLIMIT_LOCKS as i32;
    pub const RTPRIO: i32 = libc::RLIMIT_RTPRIO as i32;
    pub const RTTIME: i32 = libc::RLIMIT_RTTIME as i32;
    pub const NICE: i32 = libc::RLIMIT_NICE as i32;
    pub const SIGPENDING: i32 = libc::RLIMIT_SIGPENDING as i32;
    pub const MSGQUEUE: i32 = libc::RLIMIT_MSGQUEUE as i32;
}

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

/// The groups the process is in, its real group first (bash's `GROUPS`).
pub fn groups() -> Vec<libc::gid_t> {
    let primary = gid();
    // SAFETY: a size of 0 asks for the count only; nothing is written.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let mut list: Vec<libc::gid_t> = vec![0; usize::try_from(count).unwrap_or(0)];
    // SAFETY: the buffer holds `count` group ids.
    let got = unsafe { libc::getgroups(count.max(0), list.as_mut_ptr()) };
    list.truncate(usize::try_from(got).unwrap_or(0));
    list.retain(|&g| g != primary);
    list.insert(0, primary);
    list
}

/// The effective group id.
pub fn egid() -> libc::gid_t {
    // SAFETY: getegid has no preconditions and cannot fail.
    unsafe { libc::getegid() }
}

/// The kernel ran this program with privilege it did not start with (`AT_SECURE`: a setuid
/// or setgid file, or file capabilities).
pub fn secure_exec() -> bool {
    // SAFETY: getauxval has no preconditions.
    unsafe { libc::getauxval(libc::AT_SECURE) != 0 }
}

/// The path this program was executed by (`AT_EXECFN`), when the kernel gave one.
pub fn exec_path() -> Option<&'static std::ffi::CStr> {
    // SAFETY: getauxval has no preconditions; AT_EXECFN is a NUL-terminated string the
    // kernel placed on the stack for the life of the process, or 0.
    let p = unsafe { libc::getauxval(libc::AT_EXECFN) } as *const libc::c_char;
    // SAFETY: as above.
    (!p.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(p) })
}

/// Set the real, effective and saved group ids to `gid`, then the user ids to `uid` (the
/// order that leaves no way back); the call and its error when one fails.
pub fn set_ids_for_good(uid: libc::uid_t, gid: libc::gid_t) -> Result<(), (&'static str, i32)> {
    // SAFETY: a plain system call with integer arguments.
    if unsafe { libc::setresgid(gid, gid, gid) } != 0 {
        return Err(("setresgid", super::errno::last()));
    }
    // SAFETY: as above.
    if unsafe { libc::setresuid(uid, uid, uid) } != 0 {
        return Err(("setresuid", super::errno::last()));
    }
    Ok(())
}

/// The real, effective and saved user ids, and the same of the group ids.
pub fn all_ids() -> Option<([libc::uid_t; 3], [libc::gid_t; 3])> {
    let (mut r, mut e, mut s) = (0, 0, 0);
    let (mut rg, mut eg, mut sg) = (0, 0, 0);
    // SAFETY: the out-pointers are valid locals.
    let ok = unsafe { libc::getresuid(&mut r, &mut e, &mut s) == 0 };
    // SAFETY: as above.
    let ok = ok && unsafe { libc::getresgid(&mut rg, &mut eg, &mut sg) == 0 };
    ok.then_some(([r, e, s], [rg, eg, sg]))
}

/// Make the process not dumpable (no core file, no ptrace by its user); the error number when
/// it fails.
pub fn set_not_dumpable() -> Result<(), i32> {
    // SAFETY: prctl with these arguments only changes the dumpable flag.
    match unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// This process's process group.
pub fn group() -> libc::pid_t {
    // SAFETY: getpgrp has no preconditions and cannot fail.
    unsafe { libc::getpgrp() }
}

/// Put process `pid` (0: this one) in process group `pgid` (`setpgid`); the error number
/// when it fails.
pub fn set_group(pid: libc::pid_t, pgid: libc::pid_t) -> Result<(), i32> {
    // SAFETY: setpgid has no memory effects.
    match unsafe { libc::setpgid(pid, pgid) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// How many children have ended (been collected dead) since [`take_ended`] was last asked:
/// bash runs a trap on SIGCHLD once for each.
static ENDED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// While set, a child waited for by its pid is not counted in [`ENDED`]: the trap on
/// SIGCHLD is running, and those are its own commands'.
static UNCOUNTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The number of children collected dead since the last call.
pub fn take_ended() -> u32 {
    ENDED.swap(0, std::sync::atomic::Ordering::Relaxed)
}

/// Count the children waited for by pid from now on (false while the SIGCHLD trap runs).
pub fn count_waited_children(on: bool) -> bool {
    !UNCOUNTED.swap(!on, std::sync::atomic::Ordering::Relaxed)
}

/// Wait for a child (`waitpid`): its pid and raw status, None when `WNOHANG` found none,
/// or the error number (EINTR included: the caller decides whether a signal ends the wait).
pub fn wait(pid: libc::pid_t, flags: i32) -> Result<Option<(libc::pid_t, i32)>, i32> {
    let mut raw = 0;
    // SAFETY: raw is a valid out-pointer.
    match unsafe { libc::waitpid(pid, &mut raw, flags) } {
        0 => Ok(None),
        p if p > 0 => {
            let counted = pid <= 0 || !UNCOUNTED.load(std::sync::atomic::Ordering::Relaxed);
            if counted && (libc::WIFEXITED(raw) || libc::WIFSIGNALED(raw)) {
                ENDED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(Some((p, raw)))
        }
        _ => Err(super::errno::last()),
    }
}

/// Fork (`fork`): `Ok(0)` in the child, the child's pid in the parent, or the error number.
/// The child goes on running the shell's code: sound because the shell is one thread (the
/// tool, `auditsh-log`, which runs threads, never forks).
pub fn fork() -> Result<pid_t, i32> {
    // SAFETY: see above: no other thread can hold a lock the child would need.
    match unsafe { libc::fork() } {
        -1 => Err(super::errno::last()),
        pid => Ok(pid),
    }
}

/// End the process now with `status` (`_exit`: no destructors, nothing flushed; the shell
/// buffers nothing).
pub fn exit_now(status: i32) -> ! {
    // SAFETY: _exit ends the process at once.
    unsafe { libc::_exit(status) }
}

/// Die of `sig` with its default action (unblocked first), as a parent expects a child killed
/// by it to; `_exit(128 + sig)` should it not end the process. The caller has set the default
/// action.
pub fn die_of(sig: i32) -> ! {
    // SAFETY: an all-zero sigset_t is valid; the set is a local one.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: set is a valid sigset_t.
    unsafe { libc::sigemptyset(&mut set) };
    // SAFETY: as above; a bad signal number only fails.
    unsafe { libc::sigaddset(&mut set, sig) };
    // SAFETY: unblocking one signal with a valid set.
    unsafe { libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut()) };
    // SAFETY: raise has no memory effects.
    unsafe { libc::raise(sig) };
    exit_now(128 + sig)
}

/// Send `signal` to `pid` (a process group when negative); the error number when it fails.
pub fn kill(pid: libc::pid_t, signal: i32) -> Result<(), i32> {
    // SAFETY: kill has no memory effects.
    match unsafe { libc::kill(pid, signal) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// The host's name (`gethostname`), None when it cannot be read.
pub fn hostname() -> Option<Vec<u8>> {
    let mut buf = [0u8; 256];
    // SAFETY: buf is valid for buf.len() - 1 bytes, so the name always ends in a NUL within it.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(buf[..end].to_vec())
}

/// Fill `buf` with random bytes from the kernel (`getrandom`), retrying when a signal or a
/// short read interrupts; `wait`: wait for the kernel's pool at boot (a key must), else fail
/// rather than wait. The error number when it fails (then `buf` may be partly filled).
pub fn random_fill(buf: &mut [u8], wait: bool) -> Result<(), i32> {
    let flags = if wait { 0 } else { libc::GRND_NONBLOCK };
    let mut got = 0;
    while got < buf.len() {
        let rest = &mut buf[got..];
        // SAFETY: the pointer and length describe the unfilled rest of buf.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), flags) };
        match usize::try_from(n) {
            Ok(n) if n > 0 => got += n,
            _ => match super::errno::last() {
                libc::EINTR => {}
                e => return Err(e),
            },
        }
    }
    Ok(())
}

/// A resource limit (`getrlimit`); both zero for a resource the kernel does not know.
pub fn limit(resource: i32) -> libc::rlimit {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: r is a valid rlimit to fill; an unknown resource only fails with EINVAL.
    unsafe { libc::getrlimit(resource as _, &mut r) };
    r
}

/// Set a resource limit (`setrlimit`); the error number when it fails.
pub fn set_limit(resource: i32, r: &libc::rlimit) -> Result<(), i32> {
    // SAFETY: r is a valid rlimit.
    match unsafe { libc::setrlimit(resource as _, r) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// The file mode creation mask.
pub fn umask() -> libc::mode_t {
    // SAFETY: umask cannot fail.
    let m = unsafe { libc::umask(0) };
    // SAFETY: as above; the value the first call read is put back.
    unsafe { libc::umask(m) };
    m
}

/// Set the file mode creation mask.
pub fn set_umask(mask: libc::mode_t) {
    // SAFETY: umask cannot fail.
    unsafe { libc::umask(mask) };
}

/// The CPU times of the process and of its waited-for children (`times`), and the clock
/// ticks per second they count in.
/// The user and system CPU time of this process, or (`children`) of its waited-for
/// children, to the microsecond.
pub fn cpu_usage(children: bool) -> (std::time::Duration, std::time::Duration) {
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    // SAFETY: an all-zero rusage is valid; getrusage fills it.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: r is a valid rusage to fill.
    unsafe { libc::getrusage(who, &mut r) };
    let tv = |t: libc::timeval| {
        std::time::Duration::new(t.tv_sec.max(0) as u64, (t.tv_usec.max(0) as u32) * 1000)
    };
    (tv(r.ru_utime), tv(r.ru_stime))
}

pub fn cpu_times() -> (libc::tms, i64) {
    let mut t = libc::tms {
        tms_utime: 0,
        tms_stime: 0,
        tms_cutime: 0,
        tms_cstime: 0,
    };
    // SAFETY: t is a valid tms to fill.
    unsafe { libc::times(&mut t) };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    #[allow(clippy::useless_conversion)] // long is i64 on 64-bit Linux, not everywhere
    (t, i64::from(hz))
}

/// Fork a copy of this process that runs `child` and exits 0 after it (nothing else of the copy
/// runs: no destructor, no atexit handler); the copy's pid. For tests of what several processes
/// do to shared state; [`wait`] for it.
#[cfg(test)]
pub fn fork_running(child: impl FnOnce()) -> pid_t {
    // SAFETY: the copy runs only `child` and `_exit`; the tests that use this fork from a
    // thread that holds no lock the child's code takes.
    let pid = unsafe { libc::fork() };
    assert!(
        pid >= 0,
        "fork: {}",
        super::errno::text(super::errno::last())
    );
    if pid == 0 {
        child();
        exit_now(0);
    }
    pid
}

/// A [`wait`] status that says the process exited 0.
pub fn exited_zero(status: i32) -> bool {
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
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
        assert_eq!(wait(-1_000_000, libc::WNOHANG), Err(libc::ECHILD));
        // The ids read as the file the process creates shows them.
        let dir = std::env::temp_dir().join(format!("auditsh-ids-{}", pid()));
        std::fs::write(&dir, b"").unwrap();
        let m = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&dir).unwrap());
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(m, euid());
        let _ = (uid(), gid(), egid());
        let (uids, gids) = all_ids().unwrap();
        assert_eq!(
            (uids[0], uids[1], gids[0], gids[1]),
            (uid(), euid(), gid(), egid())
        );
        assert!(!secure_exec());
        assert!(exec_path().is_some_and(|p| !p.to_bytes().is_empty()));
    }

    #[test]
    fn limits_mask_and_times() {
        #[allow(clippy::unnecessary_cast)] // c_uint with glibc, c_int with musl
        let nofile = libc::RLIMIT_NOFILE as i32;
        let files = limit(nofile);
        assert!(files.rlim_cur > 0 && files.rlim_cur <= files.rlim_max);
        assert_eq!(set_limit(nofile, &files), Ok(()));
        let above = libc::rlimit {
            rlim_cur: files.rlim_max,
            rlim_max: files.rlim_max.saturating_add(1),
        };
        if files.rlim_max != libc::RLIM_INFINITY && euid() != 0 {
            assert_eq!(set_limit(nofile, &above), Err(libc::EPERM));
        }
        let (_, hz) = cpu_times();
        assert!(hz > 0);
        let _ = umask();
    }

    #[test]
    fn host_name_and_random_bytes() {
        let name = hostname().unwrap();
        assert!(!name.is_empty() && !name.contains(&0));
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        assert_eq!(random_fill(&mut a, true), Ok(()));
        assert_eq!(random_fill(&mut b, false), Ok(()));
        assert_ne!(a, b);
    }
}
