//! `errno`: the last failed call's error number, and the C library's text for one, as dash
//! prints it ("Permission denied", without Rust's " (os error 13)").

use std::io;

/// The error numbers the rest of the shell names.
pub use libc::{
    EACCES, EAGAIN, EEXIST, EINTR, EINVAL, EIO, ELOOP, EMFILE, ENFILE, ENOENT, ENOEXEC, ENOTTY,
};

/// The error number the last failed system call left (0 when there is none).
pub fn last() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// The text of an error number ("No such file or directory").
pub fn text(errno: i32) -> String {
    io_text(&io::Error::from_raw_os_error(errno))
}

/// The symbolic name of an error number that an exec or a spawn can end in (`error.code` of a
/// program that never started), or its number for one not listed.
pub fn name(errno: i32) -> String {
    let known = [
        (libc::EPERM, "EPERM"),
        (libc::ENOENT, "ENOENT"),
        (libc::EIO, "EIO"),
        (libc::E2BIG, "E2BIG"),
        (libc::ENOEXEC, "ENOEXEC"),
        (libc::EAGAIN, "EAGAIN"),
        (libc::ENOMEM, "ENOMEM"),
        (libc::EACCES, "EACCES"),
        (libc::EFAULT, "EFAULT"),
        (libc::ENOTDIR, "ENOTDIR"),
        (libc::EISDIR, "EISDIR"),
        (libc::EINVAL, "EINVAL"),
        (libc::ENFILE, "ENFILE"),
        (libc::EMFILE, "EMFILE"),
        (libc::ETXTBSY, "ETXTBSY"),
        (libc::ENAMETOOLONG, "ENAMETOOLONG"),
        (libc::ELOOP, "ELOOP"),
        (libc::ELIBBAD, "ELIBBAD"),
    ];
    known
        .iter()
        .find(|(e, _)| *e == errno)
        .map_or_else(|| errno.to_string(), |(_, n)| (*n).to_string())
}

/// The text of an I/O error: an OS error's as [`text`] gives it, any other's as it is.
pub fn io_text(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_c_librarys_alone() {
        assert_eq!(text(libc::ENOENT), "No such file or directory");
        assert_eq!(text(libc::EACCES), "Permission denied");
        assert_eq!(name(libc::E2BIG), "E2BIG");
        assert_eq!(name(9999), "9999");
        assert_eq!(io_text(&io::Error::other("cut short")), "cut short");
        let e = std::fs::File::open("/nonexistent/x").unwrap_err();
        assert_eq!(io_text(&e), "No such file or directory");
    }
}
