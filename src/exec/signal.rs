//! Signal names and numbers, as `kill -l` and `trap` spell them.

/// The number of a signal given by name (`INT`, `SIGINT`) or number.
pub fn number(name: &[u8]) -> Option<i32> {
    let name = name.strip_prefix(b"SIG").unwrap_or(name);
    if let Ok(n) = std::str::from_utf8(name).unwrap_or("").parse::<i32>() {
        return Some(n);
    }
    all()
        .iter()
        .find(|(_, n)| n.as_bytes() == name)
        .map(|(s, _)| *s)
}

/// The name of a signal, without `SIG`.
pub fn name(num: i32) -> Option<&'static str> {
    all().iter().find(|(s, _)| *s == num).map(|(_, n)| *n)
}

pub fn all() -> &'static [(i32, &'static str)] {
    &[
        (libc::SIGHUP, "HUP"),
        (libc::SIGINT, "INT"),
        (libc::SIGQUIT, "QUIT"),
        (libc::SIGKILL, "KILL"),
        (libc::SIGUSR1, "USR1"),
        (libc::SIGUSR2, "USR2"),
        (libc::SIGPIPE, "PIPE"),
        (libc::SIGALRM, "ALRM"),
        (libc::SIGTERM, "TERM"),
        (libc::SIGCHLD, "CHLD"),
        (libc::SIGCONT, "CONT"),
        (libc::SIGSTOP, "STOP"),
        (libc::SIGTSTP, "TSTP"),
        (libc::SIGTTIN, "TTIN"),
        (libc::SIGTTOU, "TTOU"),
        (libc::SIGWINCH, "WINCH"),
    ]
}
