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
        assert_eq!(io_text(&io::Error::other("cut short")), "cut short");
        let e = std::fs::File::open("/nonexistent/x").unwrap_err();
        assert_eq!(io_text(&e), "No such file or directory");
    }
}
