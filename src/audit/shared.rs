//! The session state shared by the shell and its forked children: the next sequence number,
//! the previous line's hash, the sinks' failure flags (with where each sink's loss began and
//! whether the spool ends in a fragment) and the session's record bytes (`budget`) live in
//! one shared memory page (an anonymous MAP_SHARED mapping, inherited across fork and
//! reachable by no descriptor), and writers take a POSIX record lock on the session's spool
//! file. POSIX locks belong to a process, so they exclude forked children, and the kernel
//! releases them when a holder dies (even by SIGKILL). Without a spool file the lock is on a memfd of the shell's own (made
//! before the privilege drop, owner-only and sealed), which then also holds the page.

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
}

const INITIAL: State = State {
    next_sequence: 0,
    prev: [0; 32],
    failed: [0; 2],
    spool_partial: 0,
    lost_from: [0; 2],
    session_bytes: 0,
    over_budget: 0,
};

/// The mapping and the lock descriptor.
pub struct Shared {
    fd: RawFd,
    /// `fd` is the spool file's, not ours to close.
    borrowed_fd: bool,
    map: *mut State,
    /// The fd exists and is lockable (otherwise records are serialized only in-process).
    lockable: bool,
    /// `map` is a heap allocation (no shared mapping could be made).
    heap: bool,
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
        match made {
            Ok(s) => s,
            Err(_) => Shared {
                fd: -1,
                borrowed_fd: false,
                map: Box::into_raw(Box::new(INITIAL)),
                lockable: false,
                heap: true,
                shared: false,
            },
        }
    }

    /// The page as an anonymous shared mapping, locked through `lock_fd`.
    fn anonymous(lock_fd: RawFd) -> io::Result<Shared> {
        let map = map_state(-1, libc::MAP_SHARED | libc::MAP_ANONYMOUS)?;
        Ok(Shared {
            fd: lock_fd,
            borrowed_fd: true,
            map,
            lockable: true,
            heap: false,
            shared: false,
        })
    }

    fn mapped() -> io::Result<Shared> {
        let size = std::mem::size_of::<State>();
        // SAFETY: the name is a valid NUL-terminated string; flags are valid.
        let fd = unsafe {
            libc::memfd_create(
                c"auditsh-session".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            )
        };
        let (fd, flags, lockable) = if fd >= 0 {
            let fd = super::sink::move_high(fd)?;
            // SAFETY: fd is a memfd we own; the length is positive.
            if unsafe { libc::ftruncate(fd, size as libc::off_t) } != 0 {
                let e = io::Error::last_os_error();
                // SAFETY: fd is ours and not used after.
                unsafe { libc::close(fd) };
                return Err(e);
            }
            // The shell can reopen its own descriptors through /proc/self/fd; the user it runs
            // for must not reach this one that way: only its creator (the `auditsh` account
            // when installed) may open it, and its size is sealed (a truncation would make
            // the next record fault).
            // SAFETY: fchmod and fcntl on our own descriptor.
            unsafe {
                libc::fchmod(fd, 0o600);
                libc::fcntl(
                    fd,
                    libc::F_ADD_SEALS,
                    libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL,
                );
            }
            (fd, libc::MAP_SHARED, true)
        } else {
            (-1, libc::MAP_SHARED | libc::MAP_ANONYMOUS, false)
        };
        let map = match map_state(fd, flags) {
            Ok(map) => map,
            Err(e) => {
                if fd >= 0 {
                    // SAFETY: fd is ours and not used after.
                    unsafe { libc::close(fd) };
                }
                return Err(e);
            }
        };
        Ok(Shared {
            fd,
            borrowed_fd: false,
            map,
            lockable,
            heap: false,
            shared: false,
        })
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
            lock(self.fd, libc::F_WRLCK);
        }
        Guard {
            shared: self,
            locked,
        }
    }
}

/// Map the state's page (of `fd`, or anonymous) and put the initial state in it.
fn map_state(fd: RawFd, flags: libc::c_int) -> io::Result<*mut State> {
    let size = std::mem::size_of::<State>();
    // SAFETY: a fresh mapping of `size` bytes of fd (or anonymous); checked below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            flags,
            fd,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    let map = p.cast::<State>();
    // SAFETY: the mapping is at least size_of::<State>() bytes, page-aligned, and ours.
    unsafe { map.write(INITIAL) };
    Ok(map)
}

fn lock(fd: RawFd, kind: libc::c_int) {
    // SAFETY: flock is plain data.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = kind as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = 0;
    fl.l_len = 1;
    loop {
        // SAFETY: fd is the spool file or our memfd, fl is a valid flock.
        let rc = unsafe { libc::fcntl(fd, libc::F_SETLKW, &fl) };
        if rc == 0 || crate::sys::errno::last() != libc::EINTR {
            return;
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if self.heap {
            // SAFETY: map came from Box::into_raw in `new` and is not used after.
            drop(unsafe { Box::from_raw(self.map) });
            return;
        }
        // SAFETY: map is our mapping of that size; fd is ours. Nothing uses them after.
        unsafe {
            libc::munmap(self.map.cast(), std::mem::size_of::<State>());
            if self.fd >= 0 && !self.borrowed_fd {
                libc::close(self.fd);
            }
        }
    }
}

/// Held while a record is built, written and the state advanced.
pub struct Guard<'a> {
    shared: &'a mut Shared,
    locked: bool,
}

impl std::ops::Deref for Guard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        // SAFETY: the mapping lives as long as Shared; other processes change it only while
        // they hold the lock, which we hold.
        unsafe { &*self.shared.map }
    }
}

impl std::ops::DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        // SAFETY: as for deref; &mut self guarantees no other reference in this process.
        unsafe { &mut *self.shared.map }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if self.locked {
            lock(self.shared.fd, libc::F_UNLCK);
        }
    }
}
