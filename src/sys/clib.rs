//! What the shell takes from the C library rather than the kernel: conversions whose exact
//! output is the C library's (`strtod`, `printf`'s floating conversions, `strftime`), and
//! overwriting secrets in a way the compiler may not remove.

use std::ffi::CStr;

/// C's `strtod` on the text up to the first NUL: the value, the bytes it used, and whether it
/// was out of range (ERANGE). Through the C library for its exact syntax (hex, inf, nan,
/// exponents), which `printf` must accept as dash does.
pub fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
    let Ok(c) = std::ffi::CString::new(&s[..end]) else {
        return (0.0, 0, false);
    };
    let mut ep: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: __errno_location has no preconditions.
    let errno = unsafe { libc::__errno_location() };
    // SAFETY: it points to this thread's errno, cleared so that ERANGE from strtod can be seen.
    unsafe { *errno = 0 };
    // SAFETY: c is a valid NUL-terminated string that outlives the call; ep receives a pointer
    // into it.
    let v = unsafe { libc::strtod(c.as_ptr(), &mut ep) };
    let erange = super::errno::last() == libc::ERANGE;
    // strtod leaves ep inside c (at its start when nothing converted).
    let used = (ep as usize).saturating_sub(c.as_ptr() as usize).min(end);
    (v, used, erange)
}

/// Append `v` formatted by the C library's `snprintf` with `format`, a format of exactly one
/// floating conversion taking a width and a precision (`%*.*e` and the like, with flags).
/// `width` is negative for left alignment, `precision` -1 for the default. Nothing is appended
/// when the format is refused or the result cannot be allocated.
pub fn format_double(out: &mut Vec<u8>, format: &CStr, width: i32, precision: i32, v: f64) {
    let fmt = format.as_ptr();
    // SAFETY: fmt is a NUL-terminated format with one conversion, which takes two ints and a
    // double, as passed; a null buffer of size 0 only measures.
    let n = unsafe { libc::snprintf(std::ptr::null_mut(), 0, fmt, width, precision, v) };
    let Ok(n) = usize::try_from(n) else { return };
    // Written straight into `out`: the field may be 16 MiB wide.
    if n == 0 || out.try_reserve(n + 1).is_err() {
        return;
    }
    let spare = out.spare_capacity_mut();
    // SAFETY: spare has room for n bytes and the terminating NUL; arguments as above.
    let m = unsafe {
        libc::snprintf(
            spare.as_mut_ptr().cast(),
            spare.len(),
            fmt,
            width,
            precision,
            v,
        )
    };
    if let Ok(m) = usize::try_from(m) {
        // SAFETY: snprintf initialised the first m bytes (at most n) of the spare room.
        unsafe { out.set_len(out.len() + m.min(n)) };
    }
}

extern "C" {
    /// POSIX `tzset` (the `libc` crate declares it only for Windows).
    fn tzset();
}

thread_local! {
    /// The time zone last handed to the C library (None until the first time).
    static ZONE: std::cell::RefCell<Option<Option<Vec<u8>>>> = const { std::cell::RefCell::new(None) };
}

/// Make `tz` (the `TZ` a program would be given; None for none) the C library's time zone
/// for [`local_time`], as bash does when `TZ` changes. The shell is one thread, and nothing
/// else reads its own environment: programs get theirs from the shell's variables.
pub fn use_time_zone(tz: Option<&[u8]>) {
    let same = ZONE.with(|z| {
        z.borrow()
            .as_ref()
            .is_some_and(|last| last.as_deref() == tz)
    });
    if same {
        return;
    }
    match tz.and_then(|v| std::ffi::CString::new(v).ok()) {
        // SAFETY: both strings are NUL-terminated; one thread (see above).
        Some(value) => unsafe {
            libc::setenv(c"TZ".as_ptr(), value.as_ptr(), 1);
        },
        // SAFETY: as above.
        None => unsafe {
            libc::unsetenv(c"TZ".as_ptr());
        },
    }
    // SAFETY: tzset reads TZ, set above.
    unsafe { tzset() };
    ZONE.with(|z| *z.borrow_mut() = Some(tz.map(<[u8]>::to_vec)));
}

/// The local time now, formatted by the C library's `strftime` (as the prompt's `\D{...}`
/// and `\t` are); empty when it cannot be.
pub fn local_now(format: &[u8]) -> Vec<u8> {
    // SAFETY: time with a null pointer only returns the time.
    let now = unsafe { libc::time(std::ptr::null_mut()) };
    local_time(format, now)
}

/// The local time `secs` (since the epoch), formatted by `strftime` (`HISTTIMEFORMAT`);
/// empty when it cannot be.
pub fn local_time(format: &[u8], secs: i64) -> Vec<u8> {
    let Ok(fmt) = std::ffi::CString::new(format) else {
        return Vec::new();
    };
    // `time_t` by inference: its alias is deprecated on musl, whose width may change.
    let now = secs as _;
    // SAFETY: an all-zero tm is a valid value to be filled in.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call.
    if unsafe { libc::localtime_r(&now, &mut tm) }.is_null() {
        return Vec::new();
    }
    let mut buf = [0u8; 4096];
    // SAFETY: buf is valid for its length, fmt is NUL-terminated, tm was filled in.
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm) };
    buf[..n.min(buf.len())].to_vec()
}

/// Overwrite secret bytes with zeros in a way the compiler may not remove.
pub fn erase(bytes: &mut [u8]) {
    // SAFETY: bytes is valid for bytes.len() writable bytes.
    unsafe { libc::explicit_bzero(bytes.as_mut_ptr().cast(), bytes.len()) };
}

/// Replace the value in `place` by `value` with a write the compiler may not remove (a secret
/// state replaced by a blank one). The old value is not dropped: it must own nothing.
pub fn overwrite<T: 'static>(place: &mut T, value: T) {
    // SAFETY: place is a valid, aligned, exclusive reference; value is a valid T.
    unsafe { std::ptr::write_volatile(place, value) };
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_reads_what_c_reads() {
        assert_eq!(strtod(b"1.5e3xyz"), (1500.0, 5, false));
        assert_eq!(strtod(b"0x10"), (16.0, 4, false));
        assert_eq!(strtod(b"abc"), (0.0, 0, false));
        let (v, used, erange) = strtod(b"1e999");
        assert!(v.is_infinite() && used == 5 && erange);
        assert_eq!(strtod(b"2\0junk").1, 1);
    }

    #[test]
    fn doubles_format_as_c_does() {
        let mut out = b"<".to_vec();
        format_double(&mut out, c"%*.*e", 0, 2, 1234.5);
        format_double(&mut out, c"%-*.*g", -6, -1, 0.5);
        format_double(&mut out, c"%*.*f", 8, 3, -1.0);
        out.push(b'>');
        assert_eq!(out, b"<1.23e+030.5     -1.000>");
    }

    #[test]
    fn local_time_formats_and_secrets_erase() {
        let year = String::from_utf8(local_now(b"%Y")).unwrap();
        assert_eq!(year.len(), 4);
        assert!(local_now(b"").is_empty());
        let mut secret = *b"key!";
        erase(&mut secret);
        assert_eq!(secret, [0; 4]);
        let mut n = 7u64;
        overwrite(&mut n, 9);
        assert_eq!(n, 9);
    }
}
