//! File descriptors: small, allocation-free I/O on raw descriptors (for built-ins and error
//! messages), what a descriptor is, and the terminal one may be (its modes, its foreground
//! process group).

/// Flags of `open` the rest of the shell names.
pub use libc::{
    O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR,
    O_TRUNC, O_WRONLY,
};

/// Write all of `data` to `fd`, retrying on EINTR and short writes. Errors (EPIPE, EBADF) are
/// returned so a built-in like `echo` can report failure; most callers ignore them.
pub fn write_all(fd: i32, mut data: &[u8]) -> bool {
    while !data.is_empty() {
        // SAFETY: data points to data.len() readable bytes.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n < 0 {
            if super::errno::last() == libc::EINTR {
                continue;
            }
            return false;
        }
        data = &data[n as usize..];
    }
    true
}

/// One `write(2)` of `data`: the bytes written, or the error number (EINTR included).
pub fn write(fd: i32, data: &[u8]) -> Result<usize, i32> {
    // SAFETY: data is valid for data.len() bytes.
    let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
    usize::try_from(n).map_err(|_| super::errno::last())
}

/// One `writev(2)` of `first` then `second`: the bytes written, or the error number.
pub fn write_two(fd: i32, first: &[u8], second: &[u8]) -> Result<usize, i32> {
    let iov = [
        libc::iovec {
            iov_base: first.as_ptr() as *mut libc::c_void,
            iov_len: first.len(),
        },
        libc::iovec {
            iov_base: second.as_ptr() as *mut libc::c_void,
            iov_len: second.len(),
        },
    ];
    // SAFETY: both buffers are valid for their lengths; writev only reads them.
    let n = unsafe { libc::writev(fd, iov.as_ptr(), 2) };
    usize::try_from(n).map_err(|_| super::errno::last())
}

/// Cut the file open on `fd` to `len` bytes (`ftruncate`).
pub fn truncate(fd: i32, len: u64) -> Result<(), i32> {
    let len = libc::off_t::try_from(len).map_err(|_| libc::EFBIG)?;
    // SAFETY: ftruncate has no memory effects.
    match unsafe { libc::ftruncate(fd, len) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// Flush the file's data to its disk (`fdatasync`).
pub fn sync_data(fd: i32) -> Result<(), i32> {
    // SAFETY: fdatasync has no memory effects.
    match unsafe { libc::fdatasync(fd) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// Set the permission bits of the file open on `fd` (`fchmod`).
pub fn set_mode(fd: i32, mode: libc::mode_t) -> Result<(), i32> {
    // SAFETY: fchmod has no memory effects.
    match unsafe { libc::fchmod(fd, mode) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// `fd` is open on a terminal.
pub fn is_terminal(fd: i32) -> bool {
    // SAFETY: isatty only queries the descriptor, whatever its number.
    unsafe { libc::isatty(fd) == 1 }
}

/// One `read(2)` into `buf`: the bytes read (0 at the end), or the error number (EINTR
/// included: the caller decides whether a signal ends the wait).
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize, i32> {
    // SAFETY: buf is valid for buf.len() writable bytes.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    usize::try_from(n).map_err(|_| super::errno::last())
}

/// The name of the terminal open on `fd` (`ttyname`), None when it is not one.
pub fn tty_name(fd: i32) -> Option<Vec<u8>> {
    let mut buf = [0u8; 256];
    // SAFETY: buf is valid for buf.len() bytes; ttyname_r NUL-terminates on success.
    let rc = unsafe { libc::ttyname_r(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(buf[..end].to_vec())
}

/// The device numbers (major, minor) of the terminal open on `fd`, None when it is not a
/// character device.
pub fn char_device(fd: i32) -> Option<(u32, u32)> {
    let st = stat(fd)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFCHR {
        return None;
    }
    Some((libc::major(st.st_rdev), libc::minor(st.st_rdev)))
}

/// The status of the file open on `fd` (`fstat`), None when it cannot be had.
pub fn stat(fd: i32) -> Option<libc::stat> {
    // SAFETY: an all-zero stat is a valid value to be filled in.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: st is a valid, writable stat buffer; a bad fd only fails.
    (unsafe { libc::fstat(fd, &mut st) } == 0).then_some(st)
}

/// A pipe, both ends closed on exec: (read end, write end), or the error number.
pub fn pipe() -> Result<(i32, i32), i32> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(super::errno::last());
    }
    Ok((fds[0], fds[1]))
}

/// A duplicate of `fd` numbered `lowest` or above, closed on exec (`F_DUPFD_CLOEXEC`); the
/// error number when it fails.
pub fn dup_at_least(fd: i32, lowest: i32) -> Result<i32, i32> {
    // SAFETY: fcntl with F_DUPFD_CLOEXEC and an integer argument has no memory effects.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, lowest) };
    if new < 0 {
        Err(super::errno::last())
    } else {
        Ok(new)
    }
}

/// Make `target` a copy of `src`, closed on exec (`dup3` with `O_CLOEXEC`).
pub fn dup_to_private(src: i32, target: i32) -> Result<(), i32> {
    // SAFETY: dup3 has no memory effects.
    if unsafe { libc::dup3(src, target, libc::O_CLOEXEC) } < 0 {
        return Err(super::errno::last());
    }
    Ok(())
}

/// Set close-on-exec on `fd`: the programs the shell starts do not inherit it.
pub fn set_private(fd: i32) {
    // SAFETY: F_SETFD with FD_CLOEXEC has no other effect.
    unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
}

/// `fd` is open and closed on exec.
pub fn is_private(fd: i32) -> bool {
    // SAFETY: F_GETFD only queries.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags >= 0 && flags & libc::FD_CLOEXEC != 0
}

/// A Unix datagram socket, non-blocking and closed on exec.
pub fn datagram_socket() -> Result<i32, i32> {
    let kind = libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK;
    // SAFETY: a plain socket(2) call with valid constants.
    let fd = unsafe { libc::socket(libc::AF_UNIX, kind, 0) };
    if fd < 0 {
        return Err(super::errno::last());
    }
    // The kernel attaches the sender's credentials to a datagram only when the sender or the
    // reader asks at send time; a daemon that turns SO_PASSCRED on after binding its socket
    // would otherwise see the first records as from uid 65534. Asking here makes the
    // credentials travel with every record. Failure is harmless: the reader may still ask.
    let on: libc::c_int = 1;
    // SAFETY: setsockopt on the socket just made, with a pointer to a live c_int.
    unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_PASSCRED,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    Ok(fd)
}

/// The socket on `fd` (from [`datagram_socket`], perhaps moved) as a `UnixDatagram`, which owns
/// it from now on: the caller gives the descriptor up.
pub fn adopt_datagram(fd: i32) -> std::os::unix::net::UnixDatagram {
    use std::os::fd::FromRawFd;
    // SAFETY: the caller owns fd, a socket, and hands it over.
    unsafe { std::os::unix::net::UnixDatagram::from_raw_fd(fd) }
}

/// Send each of `messages` as one datagram on the connected socket `fd`, as many as it takes
/// in one `sendmmsg`: how many went, or the error of the first that did not (EAGAIN: the
/// queue is full).
pub fn send_datagrams(fd: i32, messages: &[&[u8]]) -> Result<usize, i32> {
    if messages.is_empty() {
        return Ok(0);
    }
    let mut iovs: Vec<libc::iovec> = messages
        .iter()
        .map(|m| libc::iovec {
            iov_base: m.as_ptr() as *mut libc::c_void,
            iov_len: m.len(),
        })
        .collect();
    let mut headers: Vec<libc::mmsghdr> = iovs
        .iter_mut()
        .map(|iov| {
            // SAFETY: an all-zero msghdr is a valid value (no name, no control data).
            let mut h: libc::mmsghdr = unsafe { std::mem::zeroed() };
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            h
        })
        .collect();
    let count = headers.len().min(libc::c_uint::MAX as usize) as libc::c_uint;
    #[allow(clippy::useless_conversion)] // flags are c_int with glibc, c_uint with musl
    let flags = libc::MSG_NOSIGNAL.try_into().unwrap_or_default();
    // SAFETY: headers point at iovecs that point at the messages, all alive for the call.
    let sent = unsafe { libc::sendmmsg(fd, headers.as_mut_ptr(), count, flags) };
    if sent < 0 {
        return Err(super::errno::last());
    }
    Ok(sent as usize)
}

/// Wait up to `ms` milliseconds for `fd` to take a write (`poll`): None when the time ran
/// out; Some(true) when it will take one, or has failed or hung up (the write says how);
/// Some(false) when poll reported something else (an invalid descriptor); the error number
/// when the wait failed (EINTR included).
pub fn wait_writable(fd: i32, ms: i32) -> Result<Option<bool>, i32> {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: p is one valid pollfd.
    match unsafe { libc::poll(&mut p, 1, ms) } {
        0 => Ok(None),
        n if n > 0 => Ok(Some(
            p.revents & (libc::POLLOUT | libc::POLLERR | libc::POLLHUP) != 0,
        )),
        _ => Err(super::errno::last()),
    }
}

/// Wait up to `ms` milliseconds for `fd` to have input (or end of input, or an error):
/// false when the time ran out.
pub fn wait_readable(fd: i32, ms: i32) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: p is one valid pollfd.
    let n = unsafe { libc::poll(&mut p, 1, ms) };
    n != 0
}

/// Make `target` a copy of `src` (`dup2`; the copy is inherited across exec).
pub fn dup_to(src: i32, target: i32) -> Result<(), i32> {
    // SAFETY: dup2 has no memory effects.
    if unsafe { libc::dup2(src, target) } < 0 {
        return Err(super::errno::last());
    }
    Ok(())
}

/// Clear close-on-exec on `fd`: the programs the shell starts inherit it.
pub fn set_inherited(fd: i32) {
    // SAFETY: F_GETFD only queries.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags >= 0 {
        // SAFETY: F_SETFD with an integer argument has no memory effects.
        unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) };
    }
}

/// `fd` is an open descriptor.
pub fn is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD only queries.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

/// Open `path` with `flags` and close-on-exec, creating it with mode 0666 (less the umask)
/// when `flags` say so, retrying when a signal interrupts; the error number when it fails.
pub fn open(path: &std::ffi::CStr, flags: i32) -> Result<i32, i32> {
    open_with_mode(path, flags, 0o666)
}

/// As [`open`], creating the file with `mode` (less the umask).
pub fn open_with_mode(path: &std::ffi::CStr, flags: i32, mode: libc::mode_t) -> Result<i32, i32> {
    loop {
        // SAFETY: path is a valid C string.
        let fd =
            unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC, mode as libc::c_uint) };
        if fd >= 0 {
            return Ok(fd);
        }
        match super::errno::last() {
            libc::EINTR => {}
            e => return Err(e),
        }
    }
}

/// A file in memory, closed on exec (`memfd_create`), named `name` in /proc.
pub fn memory_file(name: &std::ffi::CStr) -> Result<i32, i32> {
    // SAFETY: the name is a valid C string.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(super::errno::last());
    }
    Ok(fd)
}

/// Move the offset of `fd` by `by` bytes from where it is (`lseek(SEEK_CUR)`); the new
/// offset, or the error number (`ESPIPE` on a pipe or a terminal).
pub fn seek_by(fd: i32, by: i64) -> Result<u64, i32> {
    // SAFETY: lseek has no memory effects.
    let at = unsafe { libc::lseek(fd, by as libc::off_t, libc::SEEK_CUR) };
    u64::try_from(at).map_err(|_| super::errno::last())
}

/// Bytes read from a descriptor for `read` and `mapfile`: one at a time from a pipe or a
/// terminal (what is not used must stay there for the next reader), in blocks from a regular
/// file, whose offset is put back just after the last byte used when the reader is dropped
/// (as bash does: a `while read` loop over a large file is not a system call per byte).
pub struct ByteReader {
    fd: i32,
    buf: Vec<u8>,
    pos: usize,
    /// The size of the next block (0: one byte at a time); it grows, for a long read.
    block: usize,
}

impl ByteReader {
    const FIRST_BLOCK: usize = 128;
    const LAST_BLOCK: usize = 64 * 1024;

    pub fn new(fd: i32) -> ByteReader {
        let regular = stat(fd).is_some_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG);
        ByteReader {
            fd,
            buf: Vec::new(),
            pos: 0,
            block: if regular { Self::FIRST_BLOCK } else { 0 },
        }
    }

    /// A byte is read already: none needs to be waited for.
    pub fn has_buffered(&self) -> bool {
        self.pos < self.buf.len()
    }

    /// The next byte, None at the end of input, or the error number (EINTR is retried).
    pub fn byte(&mut self) -> Result<Option<u8>, i32> {
        if let Some(&b) = self.buf.get(self.pos) {
            self.pos += 1;
            return Ok(Some(b));
        }
        let size = self.block.max(1);
        self.buf.resize(size, 0);
        let n = loop {
            match read(self.fd, &mut self.buf) {
                Err(libc::EINTR) => {}
                other => break other,
            }
        };
        let n = n.inspect_err(|_| self.buf.clear())?;
        self.buf.truncate(n);
        self.pos = 0;
        if self.block > 0 {
            self.block = (self.block * 2).min(Self::LAST_BLOCK);
        }
        Ok(self.buf.first().map(|&b| {
            self.pos = 1;
            b
        }))
    }
}

impl Drop for ByteReader {
    fn drop(&mut self) {
        let unused = self.buf.len() - self.pos;
        if unused > 0 {
            let _ = seek_by(self.fd, -(unused as i64));
        }
    }
}

/// Move the offset of `fd` back to its start.
pub fn rewind(fd: i32) {
    // SAFETY: lseek has no memory effects.
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
}

/// Close `fd`, ignoring errors (there is nothing to do about them).
pub fn close(fd: i32) {
    // SAFETY: closing a descriptor has no memory effects; the caller owns `fd`.
    unsafe { libc::close(fd) };
}

/// A file in memory, closed on exec, named `name` in /proc, of `size` zero bytes, which only
/// its owner may open through /proc/self/fd (mode 0600) and whose size is sealed (a mapping of
/// it can then not be cut short under a reader): those two where the kernel allows.
pub fn sealed_memory_file(name: &std::ffi::CStr, size: usize) -> Result<i32, i32> {
    // SAFETY: the name is a valid C string.
    let fd =
        unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
    if fd < 0 {
        return Err(super::errno::last());
    }
    if let Err(e) = truncate(fd, size as u64) {
        close(fd);
        return Err(e);
    }
    // Both best effort, as a memfd without them still serves.
    let _ = set_mode(fd, 0o600);
    let seals = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL;
    // SAFETY: F_ADD_SEALS takes an int and has no memory effects.
    unsafe { libc::fcntl(fd, libc::F_ADD_SEALS, seals) };
    Ok(fd)
}

/// Take (`exclusive`) or release the POSIX record lock on the first byte of `fd`, waiting for
/// other processes (`F_SETLKW`, retried on EINTR). Such locks belong to the process: forked
/// children are excluded, and the kernel releases them when a holder dies.
pub fn lock_first_byte(fd: i32, exclusive: bool) {
    // SAFETY: flock is plain data; all-zero is a valid value.
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = (if exclusive {
        libc::F_WRLCK
    } else {
        libc::F_UNLCK
    }) as libc::c_short;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_len = 1;
    loop {
        // SAFETY: fl is a valid flock; a bad descriptor only fails.
        let rc = unsafe { libc::fcntl(fd, libc::F_SETLKW, &fl) };
        if rc == 0 || super::errno::last() != libc::EINTR {
            return;
        }
    }
}

// Shared memory.

/// Map `len` bytes shared and writable: of the file on `fd`, or anonymous when `fd` is -1.
fn map_shared(fd: i32, len: usize) -> Result<std::ptr::NonNull<u8>, i32> {
    let flags = if fd < 0 {
        libc::MAP_SHARED | libc::MAP_ANONYMOUS
    } else {
        libc::MAP_SHARED
    };
    let prot = libc::PROT_READ | libc::PROT_WRITE;
    // SAFETY: a fresh mapping the kernel places; checked below.
    let p = unsafe { libc::mmap(std::ptr::null_mut(), len, prot, flags, fd, 0) };
    if p == libc::MAP_FAILED {
        return Err(super::errno::last());
    }
    std::ptr::NonNull::new(p.cast()).ok_or(libc::ENOMEM)
}

fn unmap(p: std::ptr::NonNull<u8>, len: usize) {
    // SAFETY: the caller's mapping of len bytes, not used after.
    unsafe { libc::munmap(p.as_ptr().cast(), len) };
}

/// One `T` in memory mapped shared: a forked child sees and changes the same value (its
/// processes must agree among themselves, e.g. by [`lock_first_byte`], who changes it when).
/// Unmapped when dropped.
pub struct SharedValue<T: Copy + 'static> {
    at: std::ptr::NonNull<T>,
}

impl<T: Copy + 'static> SharedValue<T> {
    /// A mapping of its own (reachable by no descriptor), holding `init`.
    pub fn anonymous(init: T) -> Result<SharedValue<T>, i32> {
        SharedValue::of_file(-1, init)
    }

    /// The start of the file on `fd` (at least `size_of::<T>()` bytes long, e.g. a
    /// [`sealed_memory_file`]), set to `init`; anonymous when `fd` is -1.
    pub fn of_file(fd: i32, init: T) -> Result<SharedValue<T>, i32> {
        let at = map_shared(fd, std::mem::size_of::<T>())?.cast::<T>();
        // SAFETY: the mapping is page-aligned, at least size_of::<T>() bytes, and ours; a
        // valid T is written before any reference to it exists.
        unsafe { at.as_ptr().write(init) };
        Ok(SharedValue { at })
    }

    pub fn get(&self) -> &T {
        // SAFETY: the mapping lives as long as self and holds a T written by `of_file` (or by
        // another process of this one's, which only writes whole T values' fields).
        unsafe { self.at.as_ref() }
    }

    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: as for `get`; &mut self excludes every other reference in this process.
        unsafe { self.at.as_mut() }
    }
}

impl<T: Copy + 'static> Drop for SharedValue<T> {
    fn drop(&mut self) {
        unmap(self.at.cast(), std::mem::size_of::<T>());
    }
}

/// `N` counters in a file mapped shared: every process that maps the file adds to the same
/// counters. The file is grown to hold them (new counters are zero). Unmapped when dropped.
pub struct SharedCounters<const N: usize> {
    at: std::ptr::NonNull<[std::sync::atomic::AtomicU64; N]>,
}

impl<const N: usize> SharedCounters<N> {
    const LEN: usize = N * 8;

    /// Map the counters of the regular file open for reading and writing on `fd` (EINVAL when
    /// it is not a regular file). The descriptor may be closed after.
    pub fn of_file(fd: i32) -> Result<SharedCounters<N>, i32> {
        let st = stat(fd).ok_or_else(super::errno::last)?;
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(libc::EINVAL);
        }
        // Growing a file another process has grown already changes nothing.
        if u64::try_from(st.st_size).unwrap_or(0) < Self::LEN as u64 {
            truncate(fd, Self::LEN as u64)?;
        }
        let at = map_shared(fd, Self::LEN)?.cast();
        Ok(SharedCounters { at })
    }

    pub fn get(&self) -> &[std::sync::atomic::AtomicU64; N] {
        // SAFETY: the mapping is LEN bytes, page-aligned, lives as long as self, any bytes are
        // valid counters, and they are only ever accessed through atomics.
        unsafe { self.at.as_ref() }
    }
}

impl<const N: usize> Drop for SharedCounters<N> {
    fn drop(&mut self) {
        unmap(self.at.cast(), Self::LEN);
    }
}

// Terminals.

/// A terminal's modes (`struct termios`).
pub type TerminalModes = libc::termios;

/// Whether the modes are canonical (line by line) input.
pub fn is_canonical(modes: &TerminalModes) -> bool {
    modes.c_lflag & libc::ICANON != 0
}

/// Terminal modes with every flag clear: what a shell keeps when its terminal's cannot be read.
pub fn blank_terminal_modes() -> TerminalModes {
    // SAFETY: an all-zero termios is a valid value.
    unsafe { std::mem::zeroed() }
}

/// The terminal modes of `fd` (`tcgetattr`); the error number when it is not a terminal
/// (`ENOTTY`) or the terminal has hung up (`EIO`).
pub fn terminal_modes(fd: i32) -> Result<TerminalModes, i32> {
    let mut t = blank_terminal_modes();
    // SAFETY: t is a valid termios to fill.
    match unsafe { libc::tcgetattr(fd, &mut t) } {
        0 => Ok(t),
        _ => Err(super::errno::last()),
    }
}

/// Set the terminal modes of `fd` once what was written has been sent (`TCSADRAIN`).
pub fn set_terminal_modes(fd: i32, modes: &TerminalModes) {
    // SAFETY: modes is a valid termios; a bad descriptor only fails.
    unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, modes) };
}

/// The foreground process group of the terminal on `fd` (`tcgetpgrp`), None when there is
/// none to be had.
pub fn foreground_group(fd: i32) -> Option<libc::pid_t> {
    // SAFETY: tcgetpgrp has no memory effects.
    let pgid = unsafe { libc::tcgetpgrp(fd) };
    (pgid >= 0).then_some(pgid)
}

/// Make `pgid` the foreground process group of the terminal on `fd` (`tcsetpgrp`).
pub fn set_foreground_group(fd: i32, pgid: libc::pid_t) -> Result<(), i32> {
    // SAFETY: tcsetpgrp has no memory effects.
    match unsafe { libc::tcsetpgrp(fd, pgid) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// The bytes that wait to be read on `fd` (`FIONREAD`), None when it cannot say.
pub fn bytes_waiting(fd: i32) -> Option<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD stores an int.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
    (rc == 0).then(|| usize::try_from(n).unwrap_or(0))
}

/// The size of the terminal on `fd` in rows and columns (`TIOCGWINSZ`), None when it is not
/// a terminal or does not say.
pub fn window_size(fd: i32) -> Option<(u16, u16)> {
    // SAFETY: an all-zero winsize is valid; TIOCGWINSZ fills it.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ stores a winsize.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) };
    (rc == 0 && size.ws_col > 0).then_some((size.ws_row, size.ws_col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_a_pipe() {
        let (r, w) = pipe().unwrap();
        let fds = [r, w];
        assert_eq!(seek_by(r, 0), Err(libc::ESPIPE));
        assert_eq!(wait_writable(w, 0), Ok(Some(true)));
        assert_eq!(wait_writable(r, 0), Ok(None));
        assert!(write_all(fds[1], b"abc"));
        let mut buf = [0u8; 8];
        assert_eq!(read(fds[0], &mut buf), Ok(3));
        assert_eq!(&buf[..3], b"abc");
        assert!(!is_terminal(fds[0]));
        assert_eq!(tty_name(fds[0]), None);
        assert_eq!(stat(fds[0]).unwrap().st_mode & libc::S_IFMT, libc::S_IFIFO);
        let high = dup_at_least(fds[0], 100).unwrap();
        assert!(is_open(high));
        assert_eq!(dup_to(fds[0], high), Ok(()));
        assert_eq!(dup_to_private(fds[0], high), Ok(()));
        set_private(high);
        let s = datagram_socket().unwrap();
        assert!(is_open(s));
        close(s);
        assert!(high >= 100);
        close(high);
        close(fds[0]);
        close(fds[1]);
        // Not a descriptor (a closed number may be another test thread's by now).
        assert_eq!(read(-1, &mut buf), Err(libc::EBADF));
        assert_eq!(dup_at_least(-1, 100), Err(libc::EBADF));
        assert!(!is_open(-1));
        assert!(stat(-1).is_none());
        assert!(!write_all(-1, b"x"));
    }

    #[test]
    fn records_carry_the_senders_credentials_whenever_the_reader_asks() {
        use std::os::fd::AsRawFd;
        let path = std::env::temp_dir().join(format!("auditsh-passcred-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let reader = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        let sender = adopt_datagram(datagram_socket().unwrap());
        sender.connect(&path).unwrap();
        sender.send(b"record").unwrap();
        // The reader asks for credentials only after the datagram was queued, as a daemon
        // that enables SO_PASSCRED after binding may.
        let on: libc::c_int = 1;
        let size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        let fd = reader.as_raw_fd();
        // SAFETY: setsockopt with a live c_int.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_PASSCRED,
                (&on as *const libc::c_int).cast(),
                size,
            )
        };
        assert_eq!(rc, 0);
        let mut data = [0u8; 16];
        let mut control = [0u64; 8];
        let mut iov = libc::iovec {
            iov_base: data.as_mut_ptr().cast(),
            iov_len: data.len(),
        };
        // SAFETY: an all-zero msghdr is valid; the pointers set below outlive the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = std::mem::size_of_val(&control) as _;
        // SAFETY: msg describes live buffers.
        let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
        let _ = std::fs::remove_file(&path);
        assert_eq!(n, 6);
        // SAFETY: the kernel filled the control buffer that msg points to.
        let cmsg = unsafe { libc::CMSG_FIRSTHDR(&msg) };
        assert!(!cmsg.is_null(), "no credentials came with the datagram");
        // SAFETY: a non-null header from CMSG_FIRSTHDR inside the buffer.
        let header = unsafe { *cmsg };
        assert_eq!(
            (header.cmsg_level, header.cmsg_type),
            (libc::SOL_SOCKET, libc::SCM_CREDENTIALS)
        );
        // SAFETY: the data of that header lies inside the buffer.
        let data = unsafe { libc::CMSG_DATA(cmsg) };
        // SAFETY: SCM_CREDENTIALS data is a ucred, read unaligned.
        let cred: libc::ucred = unsafe { std::ptr::read_unaligned(data.cast::<libc::ucred>()) };
        // SAFETY: getuid has no preconditions.
        assert_eq!(cred.uid, unsafe { libc::getuid() });
        assert_eq!(cred.pid, std::process::id() as libc::pid_t);
    }

    #[test]
    fn files_written_cut_and_synced() {
        let m = memory_file(c"write").unwrap();
        assert_eq!(write(m, b"abc"), Ok(3));
        assert_eq!(write_two(m, b"de", b"fgh"), Ok(5));
        assert_eq!(stat(m).unwrap().st_size, 8);
        assert_eq!(truncate(m, 2), Ok(()));
        assert_eq!(stat(m).unwrap().st_size, 2);
        assert_eq!(sync_data(m), Ok(()));
        assert_eq!(set_mode(m, 0o600), Ok(()));
        assert_eq!(stat(m).unwrap().st_mode & 0o777, 0o600);
        close(m);
        assert_eq!(write(-1, b"x"), Err(libc::EBADF));
    }

    #[test]
    fn memory_files_and_opens() {
        let m = memory_file(c"test").unwrap();
        assert!(write_all(m, b"hello"));
        rewind(m);
        assert_eq!(seek_by(m, 2), Ok(2));
        assert_eq!(seek_by(m, -2), Ok(0));
        let mut buf = [0u8; 8];
        assert_eq!(read(m, &mut buf), Ok(5));
        set_inherited(m);
        assert!(!is_private(m));
        close(m);
        let f = open(c"/proc/self/stat", libc::O_RDONLY).unwrap();
        assert!(read(f, &mut buf).is_ok_and(|n| n > 0));
        close(f);
        assert_eq!(open(c"/nonexistent/x", libc::O_RDONLY), Err(libc::ENOENT));
    }

    #[test]
    fn a_pipe_is_no_terminal() {
        let (r, w) = pipe().unwrap();
        assert_eq!(terminal_modes(r).map(|_| ()), Err(libc::ENOTTY));
        assert_eq!(foreground_group(r), None);
        assert_eq!(set_foreground_group(r, 1), Err(libc::ENOTTY));
        assert!(write_all(w, b"abc"));
        assert_eq!(bytes_waiting(r), Some(3));
        close(r);
        close(w);
    }
}
