//! The session state shared by the shell and its forked children: the next sequence number,
//! the previous line's hash, the sinks' failure flags (with where each sink's loss began and
//! whether the spool ends in a fragment) and the session's record bytes (`budget`) live in
//! one shared memory page (an anonymous MAP_SHARED mapping, inherited across fork and
//! reachable by no descriptor), and writers take a POSIX record lock on the session's spool
//! file. POSIX locks belong to a process, so they exclude forked children, and the kernel
//! releases them when a holder dies (even by SIGKILL). Without a spool file the lock is on a memfd of the shell's own (made
//! before the privilege drop, owner-only and sealed), which then also holds the page.

use crate::sys::fd::{self, SharedValue};
use std::io;
use std::os::unix::io::RawFd;

/// The shared page's contents.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct State {
    pub next_sequence: u64,
    pub prev: [u8; 32],
    /// Per sink (spool, syslog): in a failure episode.
    pub failed: [u8; 2],
    /// The spool file ends in a fragment of a record that could not be removed: the next
    /// write ends its line first.
    pub spool_partial: u8,
    /// Per sink: the sequence of the first record it did not take in the current failure
    /// episode.
    pub lost_from: [u64; 2],
    /// Bytes of records the session wrote (`budget`).
    pub session_bytes: u64,
    /// The budget (`budget`) the session passed and said so (records are cut from then on):
    /// 0 none, 1 the session's, 2 the user's day.
    pub over_budget: u8,
    /// Forked children that became programs (`exec` in place), so that the process that
    /// waits for one writes its `end` record: per slot `pid % EXEC_SLOTS`, `pid << 1 |
    /// interactive`, cleared when the end is written. A slot taken again before its child was
    /// waited for (that many children outstanding) costs that child its `end` record.
    pub execs: [u64; EXEC_SLOTS],
}

/// Slots of [`State::execs`].
pub const EXEC_SLOTS: usize = 64;

const INITIAL: State = State {
    next_sequence: 0,
    prev: [0; 32],
    failed: [0; 2],
    spool_partial: 0,
    lost_from: [0; 2],
    session_bytes: 0,
    over_budget: 0,
    execs: [0; EXEC_SLOTS],
};

/// Where the state lives: a shared mapping, or (when none could be made) this process's heap.
enum Page {
    Mapped(SharedValue<State>),
    Heap(Box<State>),
}

/// The mapping and the lock descriptor.
pub struct Shared {
    fd: RawFd,
    /// `fd` is the spool file's, not ours to close.
    borrowed_fd: bool,
    page: Page,
    /// The fd exists and is lockable (otherwise records are serialized only in-process).
    lockable: bool,
    /// Another process may write records of this session (a forked child exists or existed,
    /// or this is one): only then is the lock taken. Until the shell first forks, it is the
    /// only writer, and a record costs no locking system calls.
    shared: bool,
}

impl Default for Shared {
    fn default() -> Shared {
        Shared::new(None)
    }
}

impl Shared {
    /// Create the page; `lock` is the spool file's descriptor, when there is one (it stays
    /// the spool's: this never closes it). Without one the lock is on a memfd; without memfds,
    /// an anonymous mapping without a lock, and process-private memory when no mapping can be
    /// made (forked children then cannot continue the chain, but auditing stays on).
    pub fn new(lock: Option<RawFd>) -> Shared {
        let made = match lock {
            Some(fd) => Shared::anonymous(fd),
            None => Shared::mapped(),
        };
        made.unwrap_or_else(|_| Shared {
            fd: -1,
            borrowed_fd: false,
            page: Page::Heap(Box::new(INITIAL)),
            lockable: false,
            shared: false,
        })
    }

    /// The page as an anonymous shared mapping, locked through `lock_fd`.
    fn anonymous(lock_fd: RawFd) -> io::Result<Shared> {
        let page = SharedValue::anonymous(INITIAL).map_err(io::Error::from_raw_os_error)?;
        Ok(Shared {
            fd: lock_fd,
            borrowed_fd: true,
            page: Page::Mapped(page),
            lockable: true,
            shared: false,
        })
    }

    /// The page as a mapping of a memfd of the shell's own, which is also the lock. The shell
    /// can reopen its own descriptors through /proc/self/fd; the user it runs for must not
    /// reach this one that way (`sealed_memory_file`).
    fn mapped() -> io::Result<Shared> {
        let size = std::mem::size_of::<State>();
        let (fd, lockable) = match fd::sealed_memory_file(c"auditsh-session", size) {
            Ok(fd) => (super::sink::move_high(fd)?, true),
            Err(_) => (-1, false),
        };
        let page = match SharedValue::of_file(fd, INITIAL) {
            Ok(page) => page,
            Err(e) => {
                if fd >= 0 {
                    fd::close(fd);
                }
                return Err(io::Error::from_raw_os_error(e));
            }
        };
        Ok(Shared {
            fd,
            borrowed_fd: false,
            page: Page::Mapped(page),
            lockable,
            shared: false,
        })
    }

    /// The lock's descriptor `old` is now `new`: the spool file's moved, or (`new` is `None`)
    /// move the memfd this owns. The new number, when this held `old`.
    pub fn relocate(&mut self, old: RawFd, new: Option<RawFd>) -> Option<RawFd> {
        if self.fd != old || old < 0 {
            return None;
        }
        self.fd = match new {
            Some(new) if self.borrowed_fd => new,
            None if !self.borrowed_fd => super::sink::relocate(old).ok()?,
            _ => return None,
        };
        Some(self.fd)
    }

    /// The descriptor this owns (the memfd), if any.
    pub fn fd(&self) -> Option<RawFd> {
        (self.fd >= 0 && !self.borrowed_fd).then_some(self.fd)
    }

    /// From now on other processes (forked children) may write records: take the lock for
    /// every record. Called before a fork in the parent and after it in the child.
    pub fn share(&mut self) {
        self.shared = true;
    }

    /// Take the lock (waiting for other processes of the session) and give access to the
    /// state until the guard is dropped.
    pub fn lock(&mut self) -> Guard<'_> {
        let locked = self.lockable && self.shared;
        if locked {
            fd::lock_first_byte(self.fd, true);
        }
        Guard {
            shared: self,
            locked,
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if self.fd >= 0 && !self.borrowed_fd {
            fd::close(self.fd);
        }
    }
}

/// Held while a record is built, written and the state advanced.
pub struct Guard<'a> {
    shared: &'a mut Shared,
    locked: bool,
}

// Other processes change the state only while they hold the lock, which the guard holds.
impl std::ops::Deref for Guard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        match &self.shared.page {
            Page::Mapped(page) => page.get(),
            Page::Heap(state) => state,
        }
    }
}

impl std::ops::DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        match &mut self.shared.page {
            Page::Mapped(page) => page.get_mut(),
            Page::Heap(state) => state,
        }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.locked {
            fd::lock_first_byte(self.shared.fd, false);
        }
    }
}
