//! Traps (XCU 2.14, trap): what the shell does on a signal or at EXIT. Signal handlers only
//! mark the signal pending; the evaluator runs the trap's command between commands.

use crate::sys;
use crate::sys::signal;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// The highest signal number we track (Linux real-time signals end at 64).
const MAX_SIGNAL: usize = 65;

static PENDING: [AtomicBool; MAX_SIGNAL] = [const { AtomicBool::new(false) }; MAX_SIGNAL];
static ANY_PENDING: AtomicBool = AtomicBool::new(false);
/// What this process set each signal's disposition to ([`DEFAULT`], [`CAUGHT`], [`IGNORED`]):
/// a signal it never set keeps the disposition it inherited.
static SET_TO: [AtomicU8; MAX_SIGNAL] = [const { AtomicU8::new(DEFAULT) }; MAX_SIGNAL];
const DEFAULT: u8 = 0;
const CAUGHT: u8 = 1;
const IGNORED: u8 = 2;

extern "C" fn mark_pending(sig: i32) {
    if let Some(flag) = PENDING.get(sig as usize) {
        flag.store(true, Ordering::SeqCst);
        ANY_PENDING.store(true, Ordering::SeqCst);
    }
}

/// What a trap does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `trap '' SIG`
    Ignore,
    /// `trap 'cmd' SIG`
    Command(Vec<u8>),
}

/// bash's conditions that are not signals, by the numbers the trap table keeps them under.
pub const ERR: i32 = -1;
pub const DEBUG: i32 = -2;
pub const RETURN: i32 = -3;

/// The trap table: signal number (0 for EXIT) → action. Signals not in it have their default
/// disposition (or the shell's own, for an interactive shell).
#[derive(Debug, Default)]
pub struct Traps {
    actions: BTreeMap<i32, Action>,
    /// Signals ignored when a non-interactive shell started: they cannot be trapped (XCU 2.11).
    ignored_at_entry: Vec<i32>,
    /// Signals whose disposition at entry has been looked at (bit per signal number).
    checked: u64,
    /// Signals the shell catches for itself, and those it ignores for itself (bit per signal
    /// number): `trap - SIG` puts these back, not the default (an interactive shell still
    /// ignores SIGTERM; a script still writes `session-end` when SIGTERM ends it).
    own_caught: u64,
    own_ignored: u64,
    /// Signals an asynchronous list's child ignores (bit per signal number): bash still
    /// takes traps on them, dash does not.
    async_ignored: u64,
    /// In a subshell (bash), the commands the parent had trapped, shown by `trap` until the
    /// subshell changes a trap: `$(trap -p)` lists the parent's traps.
    inherited: Vec<(i32, Vec<u8>)>,
}

fn bit(sig: i32) -> u64 {
    u64::try_from(sig)
        .ok()
        .filter(|&b| b < 64)
        .map_or(0, |b| 1u64 << b)
}

/// The signals whose dispositions an interactive shell changes for itself (so their state at
/// entry must be known before it does).
const SHELL_HANDLED: [i32; 9] = [
    sys::signal::SIGXFSZ,
    sys::signal::SIGHUP,
    sys::signal::SIGINT,
    sys::signal::SIGQUIT,
    sys::signal::SIGPIPE,
    sys::signal::SIGTERM,
    sys::signal::SIGTSTP,
    sys::signal::SIGTTIN,
    sys::signal::SIGTTOU,
];

/// Those a non-interactive shell changes: it catches them to write `session-end` before it
/// dies of them (and SIGXFSZ, see [`shell_default`]).
const SCRIPT_HANDLED: [i32; 4] = [
    sys::signal::SIGXFSZ,
    sys::signal::SIGHUP,
    sys::signal::SIGINT,
    sys::signal::SIGTERM,
];

/// How SIGXFSZ was found when the shell started to ignore it for itself (before it writes its
/// first record): 0, not yet; 1, at its default or caught; 2, ignored already (programs then
/// inherit it ignored, as from dash).
static XFSZ_AT_ENTRY: AtomicU8 = AtomicU8::new(0);

/// Ignore SIGXFSZ for the shell itself, from its very start: `session-start` is written before
/// anything else, and past the user's `ulimit -f` it must fail, not kill the shell.
pub fn shell_ignores_xfsz() {
    let ignored = signal::is_ignored(sys::signal::SIGXFSZ);
    XFSZ_AT_ENTRY.store(if ignored { 2 } else { 1 }, Ordering::SeqCst);
    ignore(sys::signal::SIGXFSZ);
}

/// Put `sig` back to what the shell itself needs when no trap is set: SIGXFSZ stays ignored
/// (a record written past the user's `ulimit -f` must fail with EFBIG and be reported, not
/// kill the shell); every other signal goes to its default. Programs still start with
/// SIGXFSZ at its default (`spawn` resets what the shell set for itself).
pub fn shell_default(sig: i32) {
    if sig == sys::signal::SIGXFSZ {
        ignore(sig);
    } else {
        default(sig);
    }
}

/// Put SIGCHLD at its default if the shell started with it ignored: ignored, the kernel
/// reaps the shell's children itself, and every program's status (and its record's result)
/// would be lost.
pub fn shell_waits_for_children() {
    if signal::is_ignored(sys::signal::SIGCHLD) {
        signal::set_handler(sys::signal::SIGCHLD, sys::signal::SIG_DFL);
    }
}

fn set_disposition(sig: i32, handler: sys::signal::Handler) {
    // `trap '' CHLD` is listed and kept, but the shell must still wait for its children.
    let handler = if sig == sys::signal::SIGCHLD && handler == sys::signal::SIG_IGN {
        sys::signal::SIG_DFL
    } else {
        handler
    };
    // The handler is SIG_DFL, SIG_IGN or `note`, which only stores atomics.
    let set = signal::set_handler(sig, handler).is_some();
    if let (true, Some(state)) = (set, SET_TO.get(sig as usize)) {
        let set_to = if handler == sys::signal::SIG_DFL {
            DEFAULT
        } else if handler == sys::signal::SIG_IGN {
            IGNORED
        } else {
            CAUGHT
        };
        state.store(set_to, Ordering::SeqCst);
    }
}

fn set_to(sig: i32) -> u8 {
    SET_TO
        .get(sig as usize)
        .map_or(DEFAULT, |s| s.load(Ordering::SeqCst))
}

/// True if `sig` is caught (its handler marks it pending): a program started from this
/// process must not inherit the handler before it execs.
pub fn is_caught(sig: i32) -> bool {
    set_to(sig) == CAUGHT
}

/// True if this process itself set `sig` to be ignored (for itself, or for a `trap ''`).
pub fn is_set_ignored(sig: i32) -> bool {
    set_to(sig) == IGNORED
}

/// Catch `sig`: the handler only marks it pending.
pub fn catch(sig: i32) {
    set_disposition(sig, sys::signal::catcher(mark_pending));
}

pub fn ignore(sig: i32) {
    set_disposition(sig, sys::signal::SIG_IGN);
}

pub fn default(sig: i32) {
    set_disposition(sig, sys::signal::SIG_DFL);
}

/// True (and cleared) if `sig` arrived since the last call.
pub fn take_pending(sig: i32) -> bool {
    PENDING
        .get(sig as usize)
        .is_some_and(|f| f.swap(false, Ordering::SeqCst))
}

/// True if any caught signal is pending.
pub fn any_pending() -> bool {
    ANY_PENDING.load(Ordering::SeqCst)
}

/// The lowest-numbered pending signal that `accept` takes, left pending.
pub fn pending_among(accept: impl Fn(i32) -> bool) -> Option<i32> {
    if !any_pending() {
        return None;
    }
    (1..MAX_SIGNAL as i32).find(|&s| accept(s) && PENDING[s as usize].load(Ordering::SeqCst))
}

/// The signals that are pending, cleared.
pub fn take_all_pending() -> Vec<i32> {
    ANY_PENDING.store(false, Ordering::SeqCst);
    (1..MAX_SIGNAL as i32)
        .filter(|&s| take_pending(s))
        .collect()
}

impl Traps {
    /// Note which of the signals the shell itself handles were ignored at entry (a
    /// non-interactive shell keeps them ignored). Other signals are looked at when a trap is
    /// first set for them: until then their disposition is still the one inherited, and
    /// programs and subshells inherit it too.
    pub fn note_ignored_at_entry(&mut self, interactive: bool) {
        let handled: &[i32] = if interactive {
            &SHELL_HANDLED
        } else {
            &SCRIPT_HANDLED
        };
        for &sig in handled {
            self.check_entry(sig);
        }
    }

    /// The shell catches `sig` for itself (the disposition is set here).
    pub fn catch_for_shell(&mut self, sig: i32) {
        catch(sig);
        self.own_caught |= bit(sig);
        self.own_ignored &= !bit(sig);
    }

    /// The shell ignores `sig` for itself (the disposition is set here).
    pub fn ignore_for_shell(&mut self, sig: i32) {
        ignore(sig);
        self.own_ignored |= bit(sig);
        self.own_caught &= !bit(sig);
    }

    /// Put `sig` back to the shell's own disposition when no trap is set for it.
    fn untrapped(&self, sig: i32) {
        if self.own_caught & bit(sig) != 0 {
            catch(sig);
        } else if self.own_ignored & bit(sig) != 0 {
            ignore(sig);
        } else {
            shell_default(sig);
        }
    }

    /// Record whether `sig` is ignored now, the first time it is asked.
    fn check_entry(&mut self, sig: i32) {
        let bit = bit(sig);
        if bit == 0 || self.checked & bit != 0 {
            return;
        }
        self.checked |= bit;
        // SIGXFSZ is the shell's own to ignore from its start: its state at entry was noted then.
        let noted = XFSZ_AT_ENTRY.load(Ordering::SeqCst);
        let at_entry = (sig == sys::signal::SIGXFSZ && noted != 0).then_some(noted == 2);
        let ignored = at_entry.unwrap_or_else(|| signal::is_ignored(sig));
        if ignored {
            self.ignored_at_entry.push(sig);
        }
    }

    pub fn get(&self, sig: i32) -> Option<&Action> {
        self.actions.get(&sig)
    }

    /// Set or reset (`None`) the action for a signal (0 = EXIT) and install the disposition.
    /// A signal ignored when the shell started stays ignored whatever the trap says (XCU
    /// 2.11); the trap is still kept and listed, as dash does. Returns false in that case.
    pub fn set(&mut self, sig: i32, action: Option<Action>, bash: bool) -> bool {
        self.inherited.clear();
        self.check_entry(sig);
        // bash takes traps on the signals an asynchronous list ignores.
        let settable =
            !self.ignored_at_entry.contains(&sig) || (bash && self.async_ignored & bit(sig) != 0);
        if sig > 0 && settable {
            match &action {
                Some(Action::Ignore) => ignore(sig),
                Some(Action::Command(_)) => catch(sig),
                None => self.untrapped(sig),
            }
        }
        match action {
            Some(a) => {
                self.actions.insert(sig, a);
            }
            None => {
                self.actions.remove(&sig);
            }
        }
        settable
    }

    /// Ignore `sig` for good, as if it had been ignored when the shell started: it cannot be
    /// trapped and every program started from here inherits it ignored (XCU 2.11: the
    /// commands of an asynchronous list without job control ignore SIGINT and SIGQUIT).
    pub fn ignore_for_good(&mut self, sig: i32) {
        self.check_entry(sig);
        ignore(sig);
        self.actions.remove(&sig);
        if !self.ignored_at_entry.contains(&sig) {
            self.ignored_at_entry.push(sig);
            self.async_ignored |= bit(sig);
        }
    }

    pub fn is_ignored(&self, sig: i32) -> bool {
        matches!(self.actions.get(&sig), Some(Action::Ignore))
            || self.ignored_at_entry.contains(&sig)
    }

    /// A process substitution's subshell does not list its parent's traps (bash).
    pub fn forget_inherited(&mut self) {
        self.inherited.clear();
    }

    /// In a subshell, traps with commands are reset to the default; ignored stay ignored,
    /// and so do the conditions in `keep` (bash's DEBUG, RETURN and ERR under `set -T`/`-E`).
    pub fn reset_for_subshell(&mut self, keep: &[i32], remember: bool) {
        // A subshell handles no signal for itself: `trap -` gives the default there.
        self.own_caught = 0;
        self.own_ignored = 0;
        let caught: Vec<i32> = self
            .actions
            .iter()
            .filter(|(s, a)| matches!(a, Action::Command(_)) && !keep.contains(s))
            .map(|(s, _)| *s)
            .collect();
        for sig in caught {
            if let (true, Some(Action::Command(c))) = (remember, self.actions.remove(&sig)) {
                self.inherited.push((sig, c));
            }
            if sig > 0 && !self.ignored_at_entry.contains(&sig) {
                shell_default(sig);
            }
        }
    }

    /// All set traps, for `trap` with no operands.
    pub fn all(&self) -> impl Iterator<Item = (&i32, &Action)> {
        self.actions.iter()
    }

    /// A signal ignored when the shell started: a trap on it is not taken (bash keeps none;
    /// dash keeps the text and leaves the signal ignored).
    pub fn ignored_at_entry(&mut self, sig: i32) -> bool {
        self.check_entry(sig);
        sig > 0 && self.ignored_at_entry.contains(&sig) && self.async_ignored & bit(sig) == 0
    }

    /// The traps `trap` lists: the set ones, and in a subshell that has changed none, the
    /// commands its parent had. `bash`: the signals ignored since the shell started too, as
    /// ignored.
    pub fn listed(&mut self, bash: bool) -> Vec<(i32, &[u8])> {
        if bash {
            for &(sig, _) in signal::all() {
                self.check_entry(sig);
            }
        }
        // Of the signals an asynchronous list ignores, bash lists SIGINT.
        let async_ignored = self.async_ignored & !bit(sys::signal::SIGINT);
        let entry_ignored = self
            .ignored_at_entry
            .iter()
            .filter(|_| bash)
            .filter(|s| !self.actions.contains_key(s) && async_ignored & bit(**s) == 0)
            .map(|s| (*s, &b""[..]));
        let mut all: Vec<(i32, &[u8])> = self
            .actions
            .iter()
            .map(|(s, a)| match a {
                Action::Ignore => (*s, &b""[..]),
                Action::Command(c) => (*s, &c[..]),
            })
            .collect();
        all.extend(self.inherited.iter().map(|(s, c)| (*s, &c[..])));
        all.extend(entry_ignored);
        all.sort_by_key(|(s, _)| *s);
        all.dedup_by_key(|(s, _)| *s);
        all
    }

    /// The command of a trap (signal, EXIT or one of bash's conditions), if it has one.
    /// A trap on EXIT or one of bash's conditions (ERR, DEBUG, RETURN) is set: one that may
    /// read `$BASH_COMMAND`.
    pub fn on_conditions(&self) -> bool {
        self.actions.range(..=0).next().is_some()
    }

    /// Some trap has a command to run: the shell must outlive its last program to run it
    /// (it cannot become that program).
    pub fn any_command(&self) -> bool {
        self.actions
            .values()
            .any(|a| matches!(a, Action::Command(_)))
    }

    /// A trap is set on `sig`, to a command or to ignore it.
    pub fn is_trapped(&self, sig: i32) -> bool {
        self.actions.contains_key(&sig)
    }

    pub fn command(&self, sig: i32) -> Option<&[u8]> {
        match self.actions.get(&sig) {
            Some(Action::Command(c)) => Some(c),
            _ => None,
        }
    }

    /// The EXIT trap's command, taken (it runs once).
    pub fn take_exit(&mut self) -> Option<Vec<u8>> {
        match self.actions.remove(&0) {
            Some(Action::Command(c)) => Some(c),
            _ => None,
        }
    }
}
