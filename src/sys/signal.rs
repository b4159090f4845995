//! Signals: their names and numbers, as `kill -l` and `trap` spell them, and their
//! dispositions.
//!
//! The names are dash's: without the `SIG` prefix, matched without regard to case, `EXIT` for
//! 0 (trap's pseudo-signal), a bare number for signals with no name (16, 32, 33 on Linux), and
//! `RTMIN+n` / `RTMAX-n` for the realtime signals.

use std::sync::OnceLock;

/// One more than the highest signal number (Linux).
/// The signals and dispositions the rest of the shell names.
pub use libc::{
    sighandler_t as Handler, SIGCHLD, SIGCONT, SIGHUP, SIGINT, SIGKILL, SIGPIPE, SIGQUIT, SIGRTMIN,
    SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ, SIG_DFL, SIG_IGN,
};

/// A handler function as a [`Handler`] for [`set_handler`].
pub fn catcher(f: extern "C" fn(i32)) -> Handler {
    f as Handler
}

/// A signal's disposition, as `sigaction` reports and takes it.
pub type Disposition = libc::sigaction;

pub const NSIG: i32 = 65;

/// The classic signals, by their libc numbers.
const NAMED: &[(i32, &str)] = &[
    (libc::SIGHUP, "HUP"),
    (libc::SIGINT, "INT"),
    (libc::SIGQUIT, "QUIT"),
    (libc::SIGILL, "ILL"),
    (libc::SIGTRAP, "TRAP"),
    (libc::SIGABRT, "ABRT"),
    (libc::SIGBUS, "BUS"),
    (libc::SIGFPE, "FPE"),
    (libc::SIGKILL, "KILL"),
    (libc::SIGUSR1, "USR1"),
    (libc::SIGSEGV, "SEGV"),
    (libc::SIGUSR2, "USR2"),
    (libc::SIGPIPE, "PIPE"),
    (libc::SIGALRM, "ALRM"),
    (libc::SIGTERM, "TERM"),
    (libc::SIGCHLD, "CHLD"),
    (libc::SIGCONT, "CONT"),
    (libc::SIGSTOP, "STOP"),
    (libc::SIGTSTP, "TSTP"),
    (libc::SIGTTIN, "TTIN"),
    (libc::SIGTTOU, "TTOU"),
    (libc::SIGURG, "URG"),
    (libc::SIGXCPU, "XCPU"),
    (libc::SIGXFSZ, "XFSZ"),
    (libc::SIGVTALRM, "VTALRM"),
    (libc::SIGPROF, "PROF"),
    (libc::SIGWINCH, "WINCH"),
    (libc::SIGIO, "IO"),
    (libc::SIGPWR, "PWR"),
    (libc::SIGSYS, "SYS"),
];

/// The first realtime signal a program may use. The C library reserves the ones below it:
/// glibc two (RTMIN is 34), musl three. The musl build counts as glibc does, so that
/// `kill -s RTMIN` means what it means to the glibc programs around it, and `kill -l` matches
/// dash's.
fn realtime_min() -> i32 {
    if cfg!(all(target_os = "linux", target_env = "musl")) {
        34
    } else {
        libc::SIGRTMIN()
    }
}

/// Every signal 1..NSIG with its name, in number order (the order of `kill -l`).
fn table() -> &'static [(i32, &'static str)] {
    static TABLE: OnceLock<Vec<(i32, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let (rtmin, rtmax) = (realtime_min(), libc::SIGRTMAX());
        let mut names: Vec<String> = (0..NSIG).map(|n| n.to_string()).collect();
        for &(num, name) in NAMED {
            if (1..NSIG).contains(&num) {
                names[num as usize] = name.to_string();
            }
        }
        if 0 < rtmin && rtmin <= rtmax && rtmax < NSIG {
            let mid = (rtmin + rtmax) / 2;
            for n in rtmin..=rtmax {
                names[n as usize] = if n == rtmin {
                    "RTMIN".to_string()
                } else if n == rtmax {
                    "RTMAX".to_string()
                } else if n <= mid {
                    format!("RTMIN+{}", n - rtmin)
                } else {
                    format!("RTMAX-{}", rtmax - n)
                };
            }
        }
        // Built once per process; the strings live as long as the program.
        names
            .into_iter()
            .enumerate()
            .skip(1)
            .map(|(n, s)| (n as i32, &*Box::leak(s.into_boxed_str())))
            .collect()
    })
}

/// The name of one of the classic signals (not a realtime one), as the records give it.
pub fn classic_name(num: i32) -> Option<&'static str> {
    NAMED
        .iter()
        .find(|&&(n, _)| n == num)
        .map(|&(_, name)| name)
}

/// Every signal 1..NSIG as `(number, name)`, in the order `kill -l` lists them (after its
/// leading `0`).
pub fn all() -> &'static [(i32, &'static str)] {
    table()
}

/// The name of signal `num` without `SIG` (`EXIT` for 0), or None outside 0..NSIG.
pub fn name(num: i32) -> Option<&'static str> {
    if num == 0 {
        return Some("EXIT");
    }
    table()
        .get(usize::try_from(num).ok()?.checked_sub(1)?)
        .map(|&(_, n)| n)
}

/// A signal number from a decimal number (below NSIG) or a name as dash's `kill` and `trap`
/// accept it: no `SIG` prefix, any case, `EXIT` for 0.
pub fn number(name: &[u8]) -> Option<i32> {
    if !name.is_empty() && name.iter().all(u8::is_ascii_digit) {
        let mut n: i32 = 0;
        for &d in name {
            n = n.checked_mul(10)?.checked_add(i32::from(d - b'0'))?;
        }
        return (n < NSIG).then_some(n);
    }
    if name.eq_ignore_ascii_case(b"EXIT") {
        return Some(0);
    }
    table()
        .iter()
        .find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|&(num, _)| num)
}

/// The C library's description of a signal ("Killed"), as dash reports a job killed by it.
pub fn description(sig: i32) -> String {
    // SAFETY: strsignal returns a pointer to a static or thread-local string, or null.
    let ptr = unsafe { libc::strsignal(sig) };
    if ptr.is_null() {
        return format!("Signal {sig}");
    }
    // SAFETY: ptr is a valid NUL-terminated string from the C library, copied at once.
    unsafe { std::ffi::CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned()
}

/// The disposition of `sig` (`sigaction` without changing it), None when it has none (not a
/// signal).
pub fn disposition(sig: i32) -> Option<libc::sigaction> {
    // SAFETY: an all-zero sigaction is a valid value to be filled in.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries; old is a valid sigaction to fill.
    let r = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
    (r == 0).then_some(old)
}

/// `sig` is ignored (`SIG_IGN`).
pub fn is_ignored(sig: i32) -> bool {
    disposition(sig).is_some_and(|a| a.sa_sigaction == libc::SIG_IGN)
}

/// Set the disposition of `sig` to `handler` (`SIG_DFL`, `SIG_IGN`, or a handler that is
/// async-signal-safe), no signal blocked while it runs, no flags; the one it had, or None when
/// it cannot be set.
pub fn set_handler(sig: i32, handler: libc::sighandler_t) -> Option<libc::sigaction> {
    // SAFETY: an all-zero sigaction is a valid value.
    let mut new: libc::sigaction = unsafe { std::mem::zeroed() };
    new.sa_sigaction = handler;
    // SAFETY: sa_mask is a valid sigset_t to empty.
    unsafe { libc::sigemptyset(&mut new.sa_mask) };
    // SAFETY: as above.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: new and old are valid; the handler is one the caller vouches for.
    (unsafe { libc::sigaction(sig, &new, &mut old) } == 0).then_some(old)
}

/// Put back a disposition [`set_handler`] or [`disposition`] returned.
pub fn restore(sig: i32, old: &libc::sigaction) {
    // SAFETY: old was filled in by sigaction.
    unsafe { libc::sigaction(sig, old, std::ptr::null_mut()) };
}

/// Throw away `sig` if it is pending (blocked and sent), leaving its disposition as it was:
/// setting `SIG_IGN` discards a pending signal.
pub fn discard_pending(sig: i32) {
    let mut pending = mask_of([]);
    // SAFETY: pending is a valid sigset_t to fill.
    if unsafe { libc::sigpending(&mut pending) } != 0 || !in_mask(&pending, sig) {
        return;
    }
    if let Some(old) = set_handler(sig, libc::SIG_IGN) {
        restore(sig, &old);
    }
}

/// A set of signals, as the signal mask is one.
pub type Mask = libc::sigset_t;

/// The set of `signals` (numbers that are not signals are left out).
pub fn mask_of(signals: impl IntoIterator<Item = i32>) -> Mask {
    // SAFETY: an all-zero sigset_t is a valid value, emptied next.
    let mut set: Mask = unsafe { std::mem::zeroed() };
    // SAFETY: set is a valid sigset_t.
    unsafe { libc::sigemptyset(&mut set) };
    for sig in signals {
        // SAFETY: as above; a bad number only fails.
        unsafe { libc::sigaddset(&mut set, sig) };
    }
    set
}

/// Whether `sig` is in `set`.
pub fn in_mask(set: &Mask, sig: i32) -> bool {
    // SAFETY: set is a valid sigset_t.
    unsafe { libc::sigismember(set, sig) == 1 }
}

/// Block every signal; the mask there was, for [`set_mask`] to put back.
pub fn block_all() -> Mask {
    // SAFETY: an all-zero sigset_t is a valid value, filled next.
    let mut all: Mask = unsafe { std::mem::zeroed() };
    // SAFETY: all is a valid sigset_t.
    unsafe { libc::sigfillset(&mut all) };
    let mut old = mask_of([]);
    // SAFETY: both pointers are valid sigsets.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, &all, &mut old) };
    old
}

/// Make `mask` the blocked signals.
pub fn set_mask(mask: &Mask) {
    // SAFETY: mask is a valid sigset; the old mask is not asked for.
    unsafe { libc::sigprocmask(libc::SIG_SETMASK, mask, std::ptr::null_mut()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_the_c_librarys() {
        assert_eq!(description(libc::SIGKILL), "Killed");
        assert_eq!(description(libc::SIGTERM), "Terminated");
    }

    #[test]
    fn dispositions_are_set_and_put_back() {
        // SIGURG is ignored by default and used by nothing in the tests.
        let before = disposition(libc::SIGURG).unwrap();
        let old = set_handler(libc::SIGURG, libc::SIG_IGN).unwrap();
        assert!(is_ignored(libc::SIGURG));
        restore(libc::SIGURG, &old);
        assert_eq!(
            disposition(libc::SIGURG).unwrap().sa_sigaction,
            before.sa_sigaction
        );
        assert!(disposition(1000).is_none());
        assert!(set_handler(libc::SIGKILL, libc::SIG_IGN).is_none());
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(number(b"INT"), Some(2));
        assert_eq!(number(b"int"), Some(2));
        assert_eq!(number(b"SIGINT"), None);
        assert_eq!(number(b"9"), Some(9));
        assert_eq!(number(b"65"), None);
        assert_eq!(number(b"99999999999999"), None);
        assert_eq!(number(b"EXIT"), Some(0));
        assert_eq!(number(b""), None);
        assert_eq!(number(b"rtmin+3"), Some(37));
        assert_eq!(number(b"RTMAX-1"), Some(63));
        assert_eq!(number(b"16"), Some(16));
        assert_eq!(name(15), Some("TERM"));
        assert_eq!(name(0), Some("EXIT"));
        assert_eq!(name(16), Some("16"));
        assert_eq!(name(64), Some("RTMAX"));
        assert_eq!(name(65), None);
        assert_eq!(name(-1), None);
        assert_eq!(all().len(), 64);
    }

    #[test]
    fn kill_l_matches_dash() {
        let Some(out) = crate::testutil::dash("kill -l").run() else {
            return;
        };
        let mut mine = String::from("0\n");
        for (_, n) in all() {
            mine.push_str(n);
            mine.push('\n');
        }
        assert_eq!(String::from_utf8_lossy(&out.stdout), mine);
    }
}
