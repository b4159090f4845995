//! Clocks and the local time.

/// CLOCK_REALTIME as (seconds, nanoseconds).
pub fn realtime() -> (i64, u32) {
    read(libc::CLOCK_REALTIME)
}

/// CLOCK_MONOTONIC as (seconds, nanoseconds).
pub fn monotonic() -> (i64, u32) {
    read(libc::CLOCK_MONOTONIC)
}

fn read(clock: libc::clockid_t) -> (i64, u32) {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec to fill; the clock ids are valid.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    (ts.tv_sec, u32::try_from(ts.tv_nsec).unwrap_or(0))
}

/// The local time now, formatted by the C library's `strftime` (as the prompt's `\D{...}`
/// and `\t` are); empty when it cannot be.
pub fn local_now(format: &str) -> Vec<u8> {
    let Ok(fmt) = std::ffi::CString::new(format) else {
        return Vec::new();
    };
    // SAFETY: time with a null pointer only returns the time.
    let now = unsafe { libc::time(std::ptr::null_mut()) };
    // SAFETY: an all-zero tm is a valid value to be filled in.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::localtime_r(&now, &mut tm) }.is_null() {
        return Vec::new();
    }
    let mut buf = [0u8; 64];
    // SAFETY: buf is valid for its length, fmt is NUL-terminated, tm was filled in.
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm) };
    buf[..n.min(buf.len())].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_move_and_local_time_formats() {
        let (a, b) = (monotonic(), monotonic());
        assert!(b >= a);
        let (secs, nanos) = realtime();
        assert!(secs > 1_700_000_000 && nanos < 1_000_000_000);
        let year = String::from_utf8(local_now("%Y")).unwrap();
        assert_eq!(year.len(), 4);
        assert!(year.starts_with('2'));
        assert!(local_now("").is_empty());
    }
}
