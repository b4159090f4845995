//! The one exec path: every external program the shell starts is started here, after the audit
//! module has recorded it. Simple commands, `exec`, `command`, pipeline members, and the children
//! of subshells and command substitutions all come through [`spawn_program`] or
//! [`exec_program`]; [`fork_shell`] is the only other way a process is created, and it runs
//! shell code, never a program.
//!
//! [`spawn_program`] starts a program the way `vfork` does, with
//! `clone(CLONE_VM | CLONE_VFORK)`: the child shares the shell's memory instead of copying it,
//! and the shell is suspended until the child has called `execve` (or failed to). With all
//! signals blocked across the `clone`, the child puts back to their defaults the signals the
//! shell catches or keeps for itself, joins the job's process group and takes the terminal when
//! asked, clears its signal mask and execs; a failed exec hands its errno back through shared
//! memory.
//!
//! These are the semantics and the attributes glibc's `posix_spawn` gave (process group,
//! terminal, signal mask, default dispositions), without what it costs per call: `posix_spawn`
//! maps and unmaps a fresh stack for every child, and its child calls `rt_sigaction` for each of
//! the 64 signals, to learn which have handlers. Here the stack is mapped once per process and
//! the shell knows which signals it set, so the child resets only those (three in a `-c`
//! shell). Starting a thousand `/bin/true` from a loop (`while [ $i -lt 1000 ]; ...`, audit
//! off, on a 2-core VM): the system calls per program on this side of the exec went from about
//! 120 to 8 (dash, which vforks, makes 7); the shell's own CPU time (`perf stat -i`) from 40 ms
//! to 31 ms (dash: 29 ms); the whole run from 483 ms to 457 ms of CPU, level with dash (454 ms).

use std::cell::RefCell;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::audit::{Leader, NewProcess, Starting};
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
    /// The exit status for this failure: dash counts a path that cannot lead to a file
    /// (`ENOTDIR`, `ENAMETOOLONG`) as not found, 127; bash gives 126 for those.
    pub fn status(&self, bash: bool) -> i32 {
        match self {
            SpawnError::NotFound => 127,
            SpawnError::Os(libc::ENOENT) => 127,
            SpawnError::Os(libc::ENOTDIR | libc::ENAMETOOLONG) if !bash => 127,
            SpawnError::Os(_) | SpawnError::Denied(_) => 126,
        }
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
    // `set +h`: no table is kept or read.
    let hashing = !sh.options.no_hashall;
    // bash's `checkhash`: a remembered path that is no longer a program is searched again.
    let checked = sh.options.bash() && sh.options.shopt.on(crate::state::shopt::CHECKHASH);
    if let Some(found) = sh.hash.hit(name).filter(|_| hashing).map(<[u8]>::to_vec) {
        if !checked || (is_candidate(&found) && check_executable(&found).is_none()) {
            return Some(found);
        }
        sh.hash.remove(name);
    }
    let path = sh.get_var(b"PATH").map(|p| p.to_vec()).unwrap_or_default();
    let found = search(&path, name)?;
    if hashing {
        sh.hash.insert(name, found.clone(), 1);
    }
    Some(found)
}

/// What bash adds to a program's environment: `_` as the path it was started from (not
/// for the `exec` built-in's program, which gets the environment as it is), the option
/// lists `SHELLOPTS` and `BASHOPTS` when exported, as they stand now, and the functions of
/// `export -f` as `BASH_FUNC_NAME%%=() { ...}`, which a bash it starts defines. Nothing in
/// posix mode.
fn bash_environment(sh: &Shell, path: Option<&[u8]>) -> Vec<Vec<u8>> {
    if !sh.options.bash() {
        return Vec::new();
    }
    let mut extra: Vec<Vec<u8>> = path.map(|p| [&b"_="[..], p].concat()).into_iter().collect();
    if sh.exported_options & crate::state::SHELLOPTS_BIT != 0 {
        extra.push([&b"SHELLOPTS="[..], &sh.options.shellopts()].concat());
    }
    if sh.exported_options & crate::state::BASHOPTS_BIT != 0 {
        let names = sh.options.shopt.enabled_names();
        extra.push([&b"BASHOPTS="[..], &names].concat());
    }
    if sh.functions_exported {
        let mut exported: Vec<_> = sh.functions.iter().filter(|(_, f)| f.exported).collect();
        exported.sort_by(|a, b| a.0.cmp(b.0));
        for (name, f) in exported {
            // `NAME () \n{ ...}\n` as `declare -f` has it, without the name: `() { ...}`.
            let text = crate::syntax::print::function(name, &f.body);
            let body = text.get(name.len() + 5..).unwrap_or_default();
            let body = body.strip_suffix(b"\n").unwrap_or(body);
            extra.push([&b"BASH_FUNC_"[..], name, b"%%=() ", body].concat());
        }
    }
    extra
}

/// bash: a program that replaces the shell (`exec`, a subshell's last command) takes its
/// place one level down, so `SHLVL` goes down by one in its environment.
fn lowered_shell_level(sh: &Shell) -> Option<Vec<u8>> {
    if sh.keeps_shell_level {
        return None;
    }
    let var = sh
        .vars
        .var(b"SHLVL")
        .filter(|v| v.exported && sh.options.bash())?;
    let level = var.scalar().unwrap_or_default();
    let level = std::str::from_utf8(level)
        .ok()?
        .trim()
        .parse::<i64>()
        .unwrap_or(0);
    Some(format!("SHLVL={}", (level - 1).max(0)).into_bytes())
}

/// `entry` (`NAME=value`) is one of the variables `extra` gives anew.
fn replaced(entry: &[u8], extra: &[Vec<u8>]) -> bool {
    extra.iter().any(|e| {
        let name_eq = e.iter().position(|&c| c == b'=').map_or(e.len(), |i| i + 1);
        entry.starts_with(&e[..name_eq])
    })
}

/// Search the default PATH (`command -p`), bypassing the hash table.
pub fn find_in_default_path(sh: &Shell, name: &[u8]) -> Option<Vec<u8>> {
    // bash's is the system's standard path (`getconf PATH`), dash's its own.
    let path: &[u8] = if sh.options.bash() {
        b"/bin:/usr/bin"
    } else {
        crate::state::DEFAULT_PATH
    };
    search(path, name)
}

/// Search a given PATH value (a temporary `PATH=... cmd`), bypassing the hash table.
pub fn search(path: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    if name.contains(&b'/') {
        return Some(name.to_vec());
    }
    // Like dash, a file that exists but may not be executed is passed over for a later one
    // that may; if there is none, it is the one run (and the kernel's refusal is reported).
    let mut fallback = None;
    for candidate in path_candidates(path, name) {
        if is_candidate(&candidate) {
            if check_executable(&candidate).is_none() {
                return Some(candidate);
            }
            fallback.get_or_insert(candidate);
        }
    }
    fallback
}

/// Every executable `name` in PATH, in order (`type -a`).
pub fn all_in_path(sh: &Shell, name: &[u8]) -> Vec<Vec<u8>> {
    if name.contains(&b'/') {
        return vec![name.to_vec()];
    }
    let path = sh.get_var(b"PATH").map(|p| p.to_vec()).unwrap_or_default();
    path_candidates(&path, name)
        .filter(|c| is_candidate(c) && check_executable(c).is_none())
        .collect()
}

/// `dir/name` for each directory of a PATH value, in order (an empty entry is the current
/// directory).
pub fn path_candidates<'a>(path: &'a [u8], name: &'a [u8]) -> impl Iterator<Item = Vec<u8>> + 'a {
    path.split(|&b| b == b':').map(move |dir| {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let mut candidate = Vec::with_capacity(dir.len() + 1 + name.len());
        candidate.extend_from_slice(dir);
        candidate.push(b'/');
        candidate.extend_from_slice(name);
        candidate
    })
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

/// Bytes to a C string; a NUL byte (which no argument can carry) ends the string.
pub fn c_string(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // The slice has no NUL, so this cannot fail; fall back to empty all the same.
    CString::new(&bytes[..end]).unwrap_or_default()
}

/// Record the program in the audit trail; the caller must not start it on Err. The record
/// names the program by `path` made absolute against the physical working directory, where
/// the kernel will look for it, and the shell's `$PWD` beside it when that differs.
fn record(
    sh: &mut Shell,
    path: &[u8],
    argv: &[Vec<u8>],
    starting: &Starting<'_>,
) -> Result<(), SpawnError> {
    sh.record_exec(path, argv, starting)
        .map_err(|d| SpawnError::Denied(d.message))
}

/// How a program about to start runs, for its records: `pid` None for one spawned (its child
/// fills it in), `group` the process group it will join (0: one of its own; None: this
/// process's).
fn starting_of<'a>(
    sh: &Shell,
    process: &'a NewProcess,
    leader: &'a Leader,
    pid: Option<u32>,
    in_place: bool,
) -> Starting<'a> {
    if !sh.audit.recording() {
        // Nothing will be written: no need to look anything up.
        return Starting {
            process,
            pid,
            parent_pid: 0,
            interactive: false,
            group_leader: leader.borrow(),
            in_place,
        };
    }
    let own = crate::sys::process::pid() as u32;
    Starting {
        process,
        pid,
        // A program that replaces this process was started by the shell this process forked
        // from; one that replaces the shell itself, by the shell.
        parent_pid: if in_place && sh.in_subshell {
            crate::sys::process::parent_pid() as u32
        } else {
            own
        },
        interactive: sh.audit.on_terminal(),
        group_leader: leader.borrow(),
        in_place,
    }
}

/// The leader of the process group a program will be in (`group`: as `SpawnOptions` says).
fn leader_of(sh: &Shell, group: Option<libc::pid_t>, program_pid: Option<u32>) -> Leader {
    match group {
        Some(0) => Leader::Itself,
        Some(pgid) => sh.audit.group_leader(pgid as u32, program_pid),
        None => sh
            .audit
            .group_leader(crate::sys::process::group() as u32, program_pid),
    }
}

/// A program that never started: its `end` record (status, the errno's name and text).
pub fn record_not_started(
    sh: &mut Shell,
    starting: &Starting<'_>,
    path: Option<&[u8]>,
    argv: &[Vec<u8>],
    error: &SpawnError,
) {
    let (code, message) = match error {
        SpawnError::NotFound => ("ENOENT".to_string(), "not found".to_string()),
        SpawnError::Os(e) => (crate::sys::errno::name(*e), crate::sys::errno::text(*e)),
        // A refused record is in the trail as `denied`.
        SpawnError::Denied(_) => return,
    };
    let bash = sh.options.bash();
    sh.audit
        .not_started(starting, path, argv, error.status(bash), &code, &message);
}

/// A program the shell gave up on before writing its `exec` record (a name not found in
/// PATH, a file `exec` found it could not run): its `end` record, as one that never started.
pub fn record_never_started(
    sh: &mut Shell,
    path: Option<&[u8]>,
    argv: &[Vec<u8>],
    error: &SpawnError,
) {
    if !sh.audit.recording() {
        return;
    }
    let process = sh.audit.new_process();
    let leader = leader_of(sh, None, None);
    let starting = starting_of(sh, &process, &leader, None, false);
    record_not_started(sh, &starting, path, argv, error);
}

/// The signals a program must start with at their defaults: those the shell catches (a child
/// must not run the shell's handler before it execs; exec would reset them anyway) and those
/// it ignores for itself, unless the user's trap ignores them or they were ignored when the
/// shell started (a program inherits those ignored). A signal the shell never set keeps the
/// disposition the shell inherited, for the program too. Under job control the stop signals
/// are the shell's to manage: a job always starts with them at their defaults, as in dash
/// (a terminal multiplexer may well have started the shell with them ignored).
fn signals_to_default(sh: &Shell) -> impl Iterator<Item = i32> + '_ {
    let job_control = sh.jobs.control.is_some();
    (1..crate::sys::signal::NSIG).filter(move |&s| shell_set(sh, s, job_control))
}

/// Whether the shell caught or ignored `sig` for itself: caught, or set to be ignored where it
/// was not ignored by the user's trap or at entry (or is a stop signal under job control).
fn shell_set(sh: &Shell, sig: i32, job_control: bool) -> bool {
    use super::trap::{is_caught, is_set_ignored};
    let stop = matches!(sig, libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU);
    is_caught(sig) || (is_set_ignored(sig) && (!sh.traps.is_ignored(sig) || (job_control && stop)))
}

/// Size of the stack the child of [`spawn_program`] runs on until it execs. It writes the
/// program's `exec` record (the audit's whole write path, whose deepest frames hold a few
/// path buffers of 4 KiB), then makes a few system calls. Only the pages it touches are ever
/// backed by memory.
const CHILD_STACK_SIZE: usize = 512 * 1024;

/// A stack for the children of [`spawn_program`]: `CHILD_STACK_SIZE` bytes above a guard page.
struct ChildStack {
    base: *mut libc::c_void,
    len: usize,
}

impl ChildStack {
    fn map() -> Result<ChildStack, i32> {
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .ok()
            .filter(|&p| p > 0)
            .unwrap_or(4096);
        let len = CHILD_STACK_SIZE + page;
        // SAFETY: a fresh anonymous private mapping; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(last_errno(libc::ENOMEM));
        }
        let stack = ChildStack { base, len };
        // The lowest page is a guard: a child that overran the stack would fault instead of
        // writing over whatever lies below it.
        // SAFETY: the page is the start of the mapping made above.
        if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
            return Err(last_errno(libc::ENOMEM));
        }
        Ok(stack)
    }

    /// Where the child's stack pointer starts: the end of the mapping (the stack grows down;
    /// page-aligned, so aligned as the ABI wants).
    fn top(&self) -> *mut libc::c_void {
        self.base.wrapping_byte_add(self.len)
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: the mapping is this struct's, and no child runs on it once it is dropped
        // (every spawn waits, suspended, until its child has left the stack).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

thread_local! {
    /// The child stack, mapped on first use and then kept for the life of the thread (a forked
    /// subshell inherits it). One stack serves every spawn from a thread: the thread is
    /// suspended until its child execs or exits, so no two children ever run on it at once.
    static CHILD_STACK: RefCell<Option<ChildStack>> = const { RefCell::new(None) };
}

/// The top of this thread's child stack, mapping it if it is not yet.
fn child_stack() -> Result<*mut libc::c_void, i32> {
    CHILD_STACK.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(ChildStack::map()?);
        }
        Ok(slot.as_ref().map_or(std::ptr::null_mut(), ChildStack::top))
    })
}

/// errno as the last call left it, `or` if it left none.
fn last_errno(or: i32) -> i32 {
    match crate::sys::errno::last() {
        0 => or,
        e => e,
    }
}

/// What the child does before anything else: write the program's `exec` record with its own
/// pid. Err: the record was refused, and the program must not start.
type WriteRecord<'a> = dyn FnMut() -> Result<(), SpawnError> + 'a;

/// Everything the child of [`spawn_program`] needs, prepared by the parent: the child runs on
/// memory it shares with the suspended parent and may touch nothing else.
struct ChildArgs<'a> {
    /// Write the `exec` record (None: the session records nothing).
    record: Option<*mut WriteRecord<'a>>,
    /// Why the record stopped the program (set by the child before it exits).
    refused: *mut Option<SpawnError>,
    path: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    /// Signals to put back to SIG_DFL before the program runs.
    defaults: crate::sys::signal::Mask,
    /// `setpgid(0, pgid)`.
    process_group: Option<libc::pid_t>,
    /// Hand this terminal to the child's process group.
    terminal: Option<RawFd>,
    /// errno of the step that failed (0: the program is running).
    err: AtomicI32,
}

/// The child of [`spawn_program`], between `clone` and `execve`. It shares the parent's memory
/// and the parent is suspended (it is as if the parent's one thread went on here): first it
/// writes the program's `exec` record, which names this process's pid, with the audit's own
/// code on the parent's state, opening no descriptor that the parent would not have (the
/// records' descriptors are all open already); then only system calls and reads of its
/// argument. All signals are blocked when it starts.
extern "C" fn spawn_child(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the `ChildArgs` the parent passed to clone; the parent is suspended
    // until this process execs or exits, so the struct outlives every use here.
    let args = unsafe { &*(arg as *const ChildArgs) };
    if let Some(record) = args.record {
        // SAFETY: the closure is the parent's, alive and unused by it until clone returns.
        let record = unsafe { &mut *record };
        // A panic must not unwind out of the clone entry point.
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(record));
        let refused = match written {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some(SpawnError::Os(libc::EIO)),
        };
        if let Some(e) = refused {
            // SAFETY: the parent's slot, read by it only after this process has exited.
            unsafe { *args.refused = Some(e) };
            args.err.store(-1, Ordering::SeqCst);
            // SAFETY: _exit ends the child without running any of the parent's exit handlers.
            unsafe { libc::_exit(126) }
        }
        // A spool write past `ulimit -f` raised SIGXFSZ, held by the blocked mask: it was the
        // record's, not the program's, and must not kill the program when it is unblocked.
        crate::sys::signal::discard_pending(libc::SIGXFSZ);
    }
    let fail = |args: &ChildArgs| -> ! {
        // SAFETY: __errno_location has no preconditions.
        let errno_at = unsafe { libc::__errno_location() };
        // SAFETY: it points to this thread's errno.
        let errno = unsafe { *errno_at };
        args.err.store(
            if errno == 0 { libc::ENOEXEC } else { errno },
            Ordering::SeqCst,
        );
        // SAFETY: _exit ends the child without running any of the parent's exit handlers or
        // touching its buffers.
        unsafe { libc::_exit(127) }
    };
    // Only async-signal-safe system-call wrappers from here, on local values and the pointers
    // the parent prepared (valid C strings and NULL-terminated arrays of them).
    //
    // A handler of the parent's must not run here (signals are unblocked before the exec), and
    // the program must start with the shell's own dispositions undone.
    // SAFETY: an all-zero sigaction is a valid value.
    let mut dfl: libc::sigaction = unsafe { std::mem::zeroed() };
    dfl.sa_sigaction = libc::SIG_DFL;
    for sig in 1..crate::sys::signal::NSIG {
        if crate::sys::signal::in_mask(&args.defaults, sig) {
            // SAFETY: dfl is a valid sigaction; the old one is not asked for.
            unsafe { libc::sigaction(sig, &dfl, std::ptr::null_mut()) };
        }
    }
    if let Some(pgid) = args.process_group {
        // SAFETY: setpgid has no memory effects.
        if unsafe { libc::setpgid(0, pgid) } != 0 {
            fail(args);
        }
    }
    if let Some(tty) = args.terminal {
        // Signals are still blocked, so taking the terminal from the background does not
        // stop the child with SIGTTOU; a program that reads the terminal at once is never
        // stopped by SIGTTIN.
        let pgid = match args.process_group {
            Some(p) if p != 0 => p,
            // SAFETY: getpgrp has no preconditions.
            _ => unsafe { libc::getpgrp() },
        };
        // SAFETY: tcsetpgrp has no memory effects.
        if unsafe { libc::tcsetpgrp(tty, pgid) } != 0 {
            fail(args);
        }
    }
    crate::sys::signal::set_mask(&crate::sys::signal::mask_of([]));
    // SAFETY: path, argv and envp are the parent's valid C strings and NULL-terminated arrays.
    unsafe { libc::execve(args.path, args.argv, args.envp) };
    fail(args)
}

/// Start an external program and return its pid. The audit record is written first; if the
/// policy refuses it, nothing starts.
pub fn spawn_program(
    sh: &mut Shell,
    path: &[u8],
    argv: &[Vec<u8>],
    opts: &SpawnOptions,
) -> Result<libc::pid_t, SpawnError> {
    let process = sh.audit.new_process();
    let recording = sh.audit.recording();
    let leader = if recording {
        leader_of(sh, opts.process_group, None)
    } else {
        Leader::Shell
    };
    let starting = starting_of(sh, &process, &leader, None, false);
    let stack = child_stack().map_err(SpawnError::Os)?;

    // The path and the arguments, each NUL-terminated, in one buffer; then one array of
    // pointers: argv, NULL, the environment, NULL.
    let extra = bash_environment(sh, Some(path));
    let mut strings: Vec<u8> = Vec::with_capacity(
        path.len()
            + 1
            + argv.iter().map(|a| a.len() + 1).sum::<usize>()
            + extra.iter().map(|e| e.len() + 1).sum::<usize>(),
    );
    push_c_str(&mut strings, path);
    for a in argv {
        push_c_str(&mut strings, a);
    }
    let extra_at: Vec<usize> = extra
        .iter()
        .map(|e| {
            let at = strings.len();
            push_c_str(&mut strings, e);
            at
        })
        .collect();
    let env = sh.vars.environ_c();
    let mut ptrs: Vec<*const libc::c_char> =
        Vec::with_capacity(argv.len() + env.len() + extra.len() + 2);
    let base = strings.as_ptr() as *const libc::c_char;
    // Each argument starts after a NUL: the path's, then each argument's but the last.
    let starts = strings.iter().enumerate().filter(|&(_, &b)| b == 0);
    ptrs.extend(
        starts
            .take(argv.len())
            .map(|(i, _)| base.wrapping_add(i + 1)),
    );
    ptrs.push(std::ptr::null());
    let env_start = ptrs.len();
    let kept = |e: &&CString| !replaced(e.as_bytes(), &extra);
    ptrs.extend(env.iter().filter(kept).map(|e| e.as_ptr()));
    ptrs.extend(extra_at.iter().map(|&at| base.wrapping_add(at)));
    ptrs.push(std::ptr::null());

    let defaults = crate::sys::signal::mask_of(signals_to_default(sh));
    // The child writes the record: only it knows its pid before the program runs.
    let mut write_record = || {
        let pid = Some(crate::sys::process::pid() as u32);
        record(sh, path, argv, &Starting { pid, ..starting })
    };
    let mut refused: Option<SpawnError> = None;
    let args = ChildArgs {
        record: recording.then_some(&mut write_record as *mut WriteRecord<'_>),
        refused: &mut refused,
        path: base,
        argv: ptrs.as_ptr(),
        envp: ptrs.as_ptr().wrapping_add(env_start),
        defaults,
        process_group: opts.process_group,
        terminal: opts.terminal,
        err: AtomicI32::new(0),
    };

    // Signals are blocked across the clone: the child must not run a handler of the parent's
    // on the shared memory before it has put its dispositions back.
    let old = crate::sys::signal::block_all();
    // SAFETY: `stack` is the top of a mapping only the children of this thread use, one at a
    // time: CLONE_VFORK suspends this thread until the child execs or exits, so the stack is
    // free again when clone returns, and `args`, `strings`, `ptrs`, `env` and the record's
    // closure outlive the child's use of them. The parent does not touch the shell's state
    // until clone returns; the child writes the record on it as the parent would.
    let pid = unsafe {
        libc::clone(
            spawn_child,
            stack,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            &args as *const ChildArgs as *mut libc::c_void,
        )
    };
    let clone_err = last_errno(libc::EAGAIN);
    let exec_err = args.err.load(Ordering::SeqCst);
    if pid > 0 && exec_err != 0 {
        // The child has exited (127): collect it now, so that no job ever sees it (counted
        // as any child that ended, for bash's SIGCHLD trap).
        while crate::sys::process::wait(pid, 0) == Err(libc::EINTR) {}
    }
    crate::sys::signal::set_mask(&old);
    if pid < 0 {
        let err = SpawnError::Os(clone_err);
        record_not_started(sh, &starting, Some(path), argv, &err);
        return Err(err);
    }
    let started = Starting {
        pid: Some(pid as u32),
        ..starting
    };
    if let Some(denied) = refused {
        return Err(denied);
    }
    if exec_err != 0 {
        let err = SpawnError::Os(exec_err);
        // A file without `#!` is run as a script by a subshell instead (its caller's), which
        // is then the program this record named.
        if exec_err == libc::ENOEXEC {
            sh.audit.spawned_as_script(path, &started);
        } else {
            record_not_started(sh, &started, Some(path), argv, &err);
        }
        return Err(err);
    }
    sh.audit.spawned(pid as u32, path, &started);
    Ok(pid)
}

/// Append `bytes` as a C string; a NUL byte (which no argument can carry) ends it.
fn push_c_str(buf: &mut Vec<u8>, bytes: &[u8]) {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    buf.extend_from_slice(&bytes[..end]);
    buf.push(0);
}

/// Replace this process with a program (`exec cmd`, or the last command of a forked child).
/// Returns only on failure. The audit record is written first; `before` runs between the
/// record and the exec (the `exec` built-in ends the session there, so that the session's
/// last record is its end). `builtin`: the `exec` built-in's program, whose environment
/// bash leaves as it is.
pub fn exec_program(
    sh: &mut Shell,
    path: &[u8],
    argv: &[Vec<u8>],
    builtin: bool,
    before: impl FnOnce(&mut Shell),
) -> SpawnError {
    // A forked child becomes the program its parent made it for; the shell itself (`exec`),
    // a program of its own.
    let process = match sh.audit.own_process() {
        Some(own) => own,
        None => sh.audit.new_process(),
    };
    let (leader, own) = if sh.audit.recording() {
        let own = crate::sys::process::pid() as u32;
        (leader_of(sh, None, Some(own)), Some(own))
    } else {
        (Leader::Shell, None)
    };
    let starting = starting_of(sh, &process, &leader, own, true);
    if let Err(e) = record(sh, path, argv, &starting) {
        return e;
    }
    before(sh);
    // Nothing of this process is left to send them after the exec.
    sh.audit.flush();
    let errno = execve(sh, path, argv, !builtin);
    let err = SpawnError::Os(errno);
    if errno != libc::ENOEXEC {
        record_not_started(sh, &starting, Some(path), argv, &err);
    }
    err
}

/// Replace the session's shell, whose session has ended (`exec` of a file with no `#!`
/// line), with a new shell running `script` with `args`, as dash execs /bin/sh. Returns only
/// on failure.
pub fn exec_shell_on(sh: &mut Shell, script: &[u8], args: &[Vec<u8>]) -> SpawnError {
    let me = std::env::current_exe()
        .map(|p| std::os::unix::ffi::OsStringExt::into_vec(p.into_os_string()))
        .unwrap_or_else(|_| b"auditsh".to_vec());
    let mut argv = Vec::with_capacity(args.len() + 4);
    argv.push(me);
    // The new shell speaks the language this one speaks.
    if sh.options.posix {
        argv.extend([b"-o".to_vec(), b"posix".to_vec()]);
    }
    argv.push(script.to_vec());
    argv.extend_from_slice(args);
    SpawnError::Os(execve(sh, b"/proc/self/exe", &argv, true))
}

/// execve(2) with the shell's exported variables, signals as a new program gets them.
/// Returns the error.
fn execve(sh: &mut Shell, path: &[u8], argv: &[Vec<u8>], names_itself: bool) -> i32 {
    let c_path = c_string(path);
    let c_argv: Vec<CString> = argv.iter().map(|a| c_string(a)).collect();
    let mut argv_ptrs: Vec<*const libc::c_char> = c_argv.iter().map(|a| a.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let c_env = sh.vars.environ_c();
    let mut extra = bash_environment(sh, names_itself.then_some(path));
    if let Some(level) = lowered_shell_level(sh) {
        extra.push(level);
    }
    let c_extra: Vec<CString> = extra.iter().map(|e| c_string(e)).collect();
    let kept = |e: &&CString| !replaced(e.as_bytes(), &extra);
    let mut env_ptrs: Vec<*const libc::c_char> =
        c_env.iter().filter(kept).map(|e| e.as_ptr()).collect();
    env_ptrs.extend(c_extra.iter().map(|e| e.as_ptr()));
    env_ptrs.push(std::ptr::null());
    for s in signals_to_default(sh) {
        let _ = crate::sys::signal::set_handler(s, libc::SIG_DFL);
    }
    crate::sys::signal::set_mask(&crate::sys::signal::mask_of([]));
    // SAFETY: the pointers are valid C strings and NULL-terminated arrays of them, which live
    // until execve returns (it returns only on failure).
    unsafe { libc::execve(c_path.as_ptr(), argv_ptrs.as_ptr(), env_ptrs.as_ptr()) };
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::ENOEXEC)
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
    let me = sh.audit.new_process();
    fork_as(sh, group, me, false)
}

/// Fork the subshell that runs a file the kernel would not run (no `#!` line) as a script:
/// it is the program the file's `exec` record named (`audit::Session::spawned_as_script`).
/// `group`: under job control, the job it is.
pub fn fork_script(sh: &mut Shell, group: Option<JobGroup>) -> Result<Forked, i32> {
    match sh.audit.script_process() {
        Some(me) => fork_as(sh, group, me, true),
        None => fork_job(sh, group),
    }
}

/// Fork a child that is the process `me`: a subshell, or a script's subshell (`script`).
fn fork_as(
    sh: &mut Shell,
    group: Option<JobGroup>,
    me: crate::audit::NewProcess,
    script: bool,
) -> Result<Forked, i32> {
    let tty = sh.jobs.control.map(|c| c.tty);
    sh.audit.before_fork();
    // Signals are blocked across the fork so that one sent to the child before it has put its
    // dispositions back is not taken by the parent's handler (and lost): once unblocked, it
    // acts as it would on any new subshell.
    let old = crate::sys::signal::block_all();
    let forked = crate::sys::process::fork();
    let pid = forked.unwrap_or(-1);
    if let (Some(g), true) = (group, pid >= 0) {
        let child = if pid == 0 {
            crate::sys::process::pid()
        } else {
            pid
        };
        let pgid = if g.pgid == 0 { child } else { g.pgid };
        let _ = crate::sys::process::set_group(child, pgid);
        if pid == 0 && g.foreground {
            if let Some(tty) = tty {
                let _ = crate::sys::fd::set_foreground_group(tty, pgid);
            }
        }
    }
    if pid == 0 {
        sh.in_subshell = true;
        if !script {
            sh.subshell_depth += 1;
        }
        sh.audit.after_fork(me.clone());
        sh.jobs.clear_for_subshell();
        let mut keep = Vec::new();
        if sh.options.traces_functions() {
            keep.extend([super::trap::DEBUG, super::trap::RETURN]);
        }
        if sh.options.traces_errors() {
            keep.push(super::trap::ERR);
        }
        sh.traps.reset_for_subshell(&keep, sh.options.bash());
        // The shell's own handling of signals is not a subshell's: what it catches or ignores
        // for itself goes back to the default (a signal it never set keeps what it inherited).
        // Under job control the stop signals are defaults in a job even if the shell inherited
        // them ignored.
        let job_control = tty.is_some();
        for sig in [
            libc::SIGHUP,
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGQUIT,
            libc::SIGTSTP,
            libc::SIGTTIN,
            libc::SIGTTOU,
        ] {
            if sh.traps.get(sig).is_none() && shell_set(sh, sig, job_control) {
                super::trap::default(sig);
            }
        }
        super::trap::take_all_pending();
    }
    crate::sys::signal::set_mask(&old);
    if script {
        if pid != 0 {
            sh.audit.script_forked(forked.ok().map(|p| p as u32));
        }
    } else if let Some(child) = forked.ok().filter(|&p| p > 0) {
        if sh.audit.recording() {
            let leader = leader_of(sh, group.map(|g| g.pgid), Some(child as u32));
            sh.audit.forked(child as u32, me, leader.borrow());
        }
    }
    match forked {
        Err(e) => Err(e),
        Ok(0) => Ok(Forked::Child),
        Ok(p) => Ok(Forked::Parent(p)),
    }
}
