//! Small, allocation-free I/O on raw descriptors, for built-ins and error messages.

/// Write all of `data` to `fd`, retrying on EINTR and short writes. Errors (EPIPE, EBADF) are
/// returned so a built-in like `echo` can report failure; most callers ignore them.
pub fn write_all(fd: i32, mut data: &[u8]) -> bool {
    while !data.is_empty() {
        // SAFETY: data points to data.len() readable bytes.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n < 0 {
            if crate::sys::errno::last() == libc::EINTR {
                continue;
            }
            return false;
        }
        data = &data[n as usize..];
    }
    true
}
