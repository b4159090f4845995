//! The terminal: its modes, its foreground process group, and what waits to be read on it.

/// Terminal modes with every flag clear: what a shell keeps when its terminal's cannot be read.
pub fn blank_modes() -> libc::termios {
    // SAFETY: an all-zero termios is a valid value.
    unsafe { std::mem::zeroed() }
}

/// The terminal modes of `fd` (`tcgetattr`); the error number when it is not a terminal
/// (`ENOTTY`) or the terminal has hung up (`EIO`).
pub fn modes(fd: i32) -> Result<libc::termios, i32> {
    let mut t = blank_modes();
    // SAFETY: t is a valid termios to fill.
    match unsafe { libc::tcgetattr(fd, &mut t) } {
        0 => Ok(t),
        _ => Err(super::errno::last()),
    }
}

/// Set the terminal modes of `fd` once what was written has been sent (`TCSADRAIN`).
pub fn set_modes(fd: i32, modes: &libc::termios) {
    // SAFETY: modes is a valid termios; a bad descriptor only fails.
    unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, modes) };
}

/// The foreground process group of the terminal on `fd` (`tcgetpgrp`), None when there is
/// none to be had.
pub fn foreground(fd: i32) -> Option<libc::pid_t> {
    // SAFETY: tcgetpgrp has no memory effects.
    let pgid = unsafe { libc::tcgetpgrp(fd) };
    (pgid >= 0).then_some(pgid)
}

/// Make `pgid` the foreground process group of the terminal on `fd` (`tcsetpgrp`).
pub fn set_foreground(fd: i32, pgid: libc::pid_t) -> Result<(), i32> {
    // SAFETY: tcsetpgrp has no memory effects.
    match unsafe { libc::tcsetpgrp(fd, pgid) } {
        0 => Ok(()),
        _ => Err(super::errno::last()),
    }
}

/// The bytes that wait to be read on `fd` (`FIONREAD`), None when it cannot say.
pub fn waiting(fd: i32) -> Option<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD stores an int.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
    (rc == 0).then(|| usize::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_is_no_terminal() {
        use super::super::fd;
        let (r, w) = fd::pipe().unwrap();
        assert_eq!(modes(r).map(|_| ()), Err(libc::ENOTTY));
        assert_eq!(foreground(r), None);
        assert_eq!(set_foreground(r, 1), Err(libc::ENOTTY));
        assert!(fd::write_all(w, b"abc"));
        assert_eq!(waiting(r), Some(3));
        fd::close(r);
        fd::close(w);
    }
}
