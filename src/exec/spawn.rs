//! The one exec path: every external program the shell starts is started here, after the audit
//! module has recorded it. Simple commands, `exec`, `command`, pipeline members, and the children
//! of subshells and command substitutions all come through [`spawn_program`] or
//! [`exec_program`]; [`fork_shell`] is the only other way a process is created, and it runs
//! shell code, never a program.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::RawFd;

use crate::state::Shell;

/// Why a program could not be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnError {
    /// No such command in PATH (status 127).
    NotFound,
    /// The kernel refused it: permission, not executable, a directory... (status 126 unless
    /// ENOENT, which is 127).
    Os(i32),
    /// The audit policy refused it (status 126).
    Denied(String),
}

impl SpawnError {
    /// The exit status dash gives for this failure.
    pub fn status(&self) -> i32 {
        match self {
            SpawnError::NotFound => 127,
            SpawnError::Os(e) if *e == libc::ENOENT => 127,
            SpawnError::Os(_) | SpawnError::Denied(_) => 126,
        }
    }

    /// Print dash's message for this failure: `NAME: LINE: cmd: not found` and the like.
    pub fn report(&self, sh: &Shell, name: &[u8]) {
        self.report_prefixed(sh, b"", name);
    }

    /// The same, for a built-in that starts programs: `exec: cmd: not found`.
    pub fn report_as(&self, sh: &Shell, builtin: &str, name: &[u8]) {
        let mut prefix = builtin.as_bytes().to_vec();
        prefix.extend_from_slice(b": ");
        self.report_prefixed(sh, &prefix, name);
    }

    fn report_prefixed(&self, sh: &Shell, prefix: &[u8], name: &[u8]) {
        let mut msg = prefix.to_vec();
        msg.extend_from_slice(name);
        match self {
            SpawnError::NotFound | SpawnError::Os(libc::ENOENT) => {
                msg.extend_from_slice(b": not found")
            }
            SpawnError::Os(e) => {
                msg.extend_from_slice(b": ");
                msg.extend_from_slice(os_error_text(*e).as_bytes());
            }
            SpawnError::Denied(why) => {
                msg.extend_from_slice(b": ");
                msg.extend_from_slice(why.as_bytes());
            }
        }
        sh.error_bytes(&msg);
    }
}

/// The C library's text for an errno value, as dash prints it ("Permission denied").
pub fn os_error_text(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    // std appends " (os error N)"; dash prints strerror alone.
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// How a program is to be started.
#[derive(Default)]
pub struct SpawnOptions {
    /// Put the child in this process group (0: a new group led by the child).
    pub process_group: Option<libc::pid_t>,
    /// Hand this terminal to the child's process group before it runs (a foreground job).
    pub terminal: Option<RawFd>,
}

/// Find a command in PATH (or take a name with a slash as it is). Returns the path to run.
/// Like dash, a candidate must exist and not be a directory; whether it is executable is for
/// the kernel to say (so a non-executable file gives 126, not 127).
pub fn find_in_path(sh: &mut Shell, name: &[u8]) -> Option<Vec<u8>> {
    if name.contains(&b'/') {
        return Some(name.to_vec());
    }
    if name.is_empty() {
        return None;
    }
    if let Some(found) = sh.hash.get(name) {
        return Some(found.clone());
    }
    let path = sh.get_var(b"PATH").map(|p| p.to_vec()).unwrap_or_default();
    let found = search(&path, name)?;
    sh.hash.insert(name.to_vec(), found.clone());
    Some(found)
}

/// Search the default PATH (`command -p`), bypassing the hash table.
pub fn find_in_default_path(name: &[u8]) -> Option<Vec<u8>> {
    search(crate::state::DEFAULT_PATH, name)
}

/// Search a given PATH value (a temporary `PATH=... cmd`), bypassing the hash table.
pub fn search(path: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    if name.contains(&b'/') {
        return Some(name.to_vec());
    }
    // Like dash, a file that exists but may not be executed is passed over for a later one
    // that may; if there is none, it is the one run (and the kernel's refusal is reported).
    let mut fallback = None;
    for dir in path.split(|&b| b == b':') {
        let mut candidate = if dir.is_empty() {
            b".".to_vec()
        } else {
            dir.to_vec()
        };
        candidate.push(b'/');
        candidate.extend_from_slice(name);
        if is_candidate(&candidate) {
            if check_executable(&candidate).is_none() {
                return Some(candidate);
            }
            fallback.get_or_insert(candidate);
        }
    }
    fallback
}

/// Whether the kernel would run `path`, checked before a step that cannot be undone (`exec`
/// ends the audit session first).
pub fn check_executable(path: &[u8]) -> Option<SpawnError> {
    let c = c_string(path);
    // SAFETY: c is a valid C string.
    if unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
        return Some(SpawnError::Os(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EACCES),
        ));
    }
    match std::fs::metadata(std::ffi::OsStr::from_bytes(path)) {
        Ok(m) if m.is_dir() => Some(SpawnError::Os(libc::EACCES)),
        Ok(_) => None,
        Err(e) => Some(SpawnError::Os(e.raw_os_error().unwrap_or(libc::ENOENT))),
    }
}

fn is_candidate(path: &[u8]) -> bool {
    match std::fs::metadata(std::ffi::OsStr::from_bytes(path)) {
        Ok(m) => !m.is_dir(),
        Err(_) => false,
    }
}

/// The absolute form of `path` for the record (`process.executable`).
fn absolute(sh: &Shell, path: &[u8]) -> Vec<u8> {
    if path.first() == Some(&b'/') {
        return path.to_vec();
    }
    let mut abs = sh.cwd();
    if abs.last() != Some(&b'/') {
        abs.push(b'/');
    }
    let rel = path.strip_prefix(b"./").unwrap_or(path);
    abs.extend_from_slice(rel);
    abs
}

/// Bytes to a C string; a NUL byte (which no argument can carry) ends the string.
pub fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // The slice has no NUL, so this cannot fail; fall back to empty all the same.
    CString::new(&bytes[..end]).unwrap_or_default()
}

/// Record the program in the audit trail; the caller must not start it on Err.
fn record(sh: &mut Shell, path: &[u8], argv: &[Vec<u8>]) -> Result<(), SpawnError> {
    let executable = absolute(sh, path);
    let cwd = sh.cwd();
    // A program started by a startup file carries that file and the line being run.
    let origin = sh.origin.clone();
    let origin = origin.as_ref().map(|(f, _)| (f.as_slice(), sh.lineno));
    sh.audit
        .exec(&executable, argv, &cwd, origin)
        .map_err(|d| SpawnError::Denied(d.message))
}

/// Signals the shell catches or ignores for itself; a program must start with them at their
/// defaults unless the user's trap ignores them.
fn signals_to_default(sh: &Shell) -> Vec<i32> {
    let mut sigs = vec![
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTERM,
        libc::SIGTSTP,
        libc::SIGTTIN,
        libc::SIGTTOU,
        libc::SIGCHLD,
        libc::SIGHUP,
        libc::SIGPIPE,
        libc::SIGWINCH,
    ];
    sigs.retain(|&s| !sh.traps.is_ignored(s));
    sigs
}

/// Start an external program and return its pid. The audit record is written first; if the
/// policy refuses it, nothing starts.
pub fn spawn_program(
    sh: &mut Shell,
    path: &[u8],
    argv: &[Vec<u8>],
    opts: &SpawnOptions,
) -> Result<libc::pid_t, SpawnError> {
    record(sh, path, argv)?;
    let c_path = c_string(path);
    let c_argv: Vec<CString> = argv.iter().map(|a| c_string(a)).collect();
    let mut argv_ptrs: Vec<*mut libc::c_char> = c_argv
        .iter()
        .map(|a| a.as_ptr() as *mut libc::c_char)
        .collect();
    argv_ptrs.push(std::ptr::null_mut());
    let c_env = sh.vars.environ_c();
    let mut env_ptrs: Vec<*mut libc::c_char> = c_env
        .iter()
        .map(|e| e.as_ptr() as *mut libc::c_char)
        .collect();
    env_ptrs.push(std::ptr::null_mut());

    let defaults = signals_to_default(sh);
    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer handed to posix_spawn points into the vectors above, which live
    // until the call returns; the attribute object is initialised before use and destroyed
    // after.
    let rc = unsafe {
        let mut actions: libc::posix_spawn_file_actions_t = std::mem::zeroed();
        libc::posix_spawn_file_actions_init(&mut actions);
        if let Some(tty) = opts.terminal {
            // The child takes the terminal for its new group before it execs, so a program
            // that reads the terminal at once is never stopped by SIGTTIN.
            libc::posix_spawn_file_actions_addtcsetpgrp_np(&mut actions, tty);
        }
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        libc::posix_spawnattr_init(&mut attr);
        let mut flags = libc::POSIX_SPAWN_SETSIGMASK | libc::POSIX_SPAWN_SETSIGDEF;
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::posix_spawnattr_setsigmask(&mut attr, &empty);
        let mut def: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut def);
        for s in defaults {
            libc::sigaddset(&mut def, s);
        }
        libc::posix_spawnattr_setsigdefault(&mut attr, &def);
        if let Some(pg) = opts.process_group {
            flags |= libc::POSIX_SPAWN_SETPGROUP;
            libc::posix_spawnattr_setpgroup(&mut attr, pg);
        }
        libc::posix_spawnattr_setflags(&mut attr, flags as libc::c_short);
        let rc = libc::posix_spawn(
            &mut pid,
            c_path.as_ptr(),
            &actions,
            &attr,
            argv_ptrs.as_ptr(),
            env_ptrs.as_ptr(),
        );
        libc::posix_spawnattr_destroy(&mut attr);
        libc::posix_spawn_file_actions_destroy(&mut actions);
        rc
    };
    if rc != 0 {
        return Err(SpawnError::Os(rc));
    }
    Ok(pid)
}

/// Replace this process with a program (`exec cmd`, or the last command of a forked child).
/// Returns only on failure. The audit record is written first; `before` runs between the
/// record and the exec (the `exec` built-in ends the session there, so that the session's
/// last record is its end).
pub fn exec_program(
    sh: &mut Shell,
    path: &[u8],
    argv: &[Vec<u8>],
    before: impl FnOnce(&mut Shell),
) -> SpawnError {
    if let Err(e) = record(sh, path, argv) {
        return e;
    }
    before(sh);
    let c_path = c_string(path);
    let c_argv: Vec<CString> = argv.iter().map(|a| c_string(a)).collect();
    let mut argv_ptrs: Vec<*const libc::c_char> = c_argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let c_env = sh.vars.environ_c();
    let mut env_ptrs: Vec<*const libc::c_char> = c_env.iter().map(|e| e.as_ptr()).collect();
    env_ptrs.push(std::ptr::null());
    for s in signals_to_default(sh) {
        // SAFETY: resetting a disposition to the default is always valid.
        unsafe {
            libc::signal(s, libc::SIG_DFL);
        }
    }
    // SAFETY: an empty mask is valid; the pointers live until execve returns (it returns only
    // on failure).
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
        libc::execve(c_path.as_ptr(), argv_ptrs.as_ptr(), env_ptrs.as_ptr());
    }
    SpawnError::Os(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOEXEC),
    )
}

/// Where a fork left us.
pub enum Forked {
    Parent(libc::pid_t),
    Child,
}

/// Fork a subshell. In the child the shell state is marked as a subshell and the audit session
/// as a child's (it goes on writing records in the session's sequence, never `session-end`).
pub fn fork_shell(sh: &mut Shell) -> Result<Forked, i32> {
    fork_job(sh, None)
}

/// A job's process group: join `pgid` (0: lead a new group); `foreground` also hands it the
/// terminal.
#[derive(Debug, Clone, Copy)]
pub struct JobGroup {
    pub pgid: libc::pid_t,
    pub foreground: bool,
}

/// Fork a subshell that is (part of) a job under job control: the child joins the job's
/// process group, and a foreground job gets the terminal, both while signals are still
/// blocked (so the child is not stopped by SIGTTOU for taking the terminal). The parent sets
/// the group too, so that neither side races the other.
pub fn fork_job(sh: &mut Shell, group: Option<JobGroup>) -> Result<Forked, i32> {
    let tty = sh.jobs.control.map(|c| c.tty);
    sh.audit.before_fork();
    // Signals are blocked across the fork so that one sent to the child before it has put its
    // dispositions back is not taken by the parent's handler (and lost): once unblocked, it
    // acts as it would on any new subshell.
    // SAFETY: sigset operations on local values; sigprocmask with valid pointers.
    let old = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::sigprocmask(libc::SIG_SETMASK, &all, &mut old);
        old
    };
    // SAFETY: the shell is single-threaded, so the child may go on running Rust code.
    let pid = unsafe { libc::fork() };
    if let (Some(g), true) = (group, pid >= 0) {
        let child = if pid == 0 {
            // SAFETY: getpid cannot fail.
            unsafe { libc::getpid() }
        } else {
            pid
        };
        let pgid = if g.pgid == 0 { child } else { g.pgid };
        // SAFETY: process-group and terminal calls on our own child and terminal.
        unsafe {
            libc::setpgid(child, pgid);
            if pid == 0 && g.foreground {
                if let Some(tty) = tty {
                    libc::tcsetpgrp(tty, pgid);
                }
            }
        }
    }
    if pid == 0 {
        sh.in_subshell = true;
        sh.audit.after_fork();
        sh.jobs.clear_for_subshell();
        sh.traps.reset_for_subshell();
        // The shell's own handling of these signals is not a subshell's.
        for sig in [
            libc::SIGHUP,
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGQUIT,
            libc::SIGTSTP,
            libc::SIGTTIN,
            libc::SIGTTOU,
        ] {
            if sh.traps.get(sig).is_none() && !sh.traps.is_ignored(sig) {
                super::trap::default(sig);
            }
        }
        super::trap::take_all_pending();
    }
    let err = std::io::Error::last_os_error().raw_os_error();
    // SAFETY: restoring the mask saved above.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    match pid {
        p if p < 0 => Err(err.unwrap_or(libc::EAGAIN)),
        0 => Ok(Forked::Child),
        p => Ok(Forked::Parent(p)),
    }
}
