//! Files by their path: reading the small files the shell reads as it starts, and what a
//! path names.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The contents of a small file (the config, an account file, a /proc entry), read with plain
/// `open`/`read`/`close`: the shell reads several at every start, and std's file reading
/// first asks the size (a `statx`) it does not need here.
pub fn read_small(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let c = CString::new(path.as_ref().as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
    // SAFETY: c is a valid NUL-terminated path.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut data: Vec<u8> = Vec::with_capacity(4096);
    let result = loop {
        if data.capacity() - data.len() < 1024 {
            data.reserve(data.capacity());
        }
        let spare = data.spare_capacity_mut();
        let spare_len = spare.len();
        // SAFETY: spare is valid for spare.len() bytes of writable memory.
        let n = unsafe { libc::read(fd, spare.as_mut_ptr().cast(), spare.len()) };
        if n > 0 {
            // SAFETY: read initialised the first n bytes of the spare capacity.
            unsafe { data.set_len(data.len() + n as usize) };
            // A regular file reads short only at its end, and the /proc files read here
            // hand over all they hold at once: no second read to see the end.
            if (n as usize) < spare_len {
                break Ok(());
            }
        } else if n == 0 {
            break Ok(());
        } else {
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINTR) {
                break Err(e);
            }
        }
    };
    // SAFETY: closing the descriptor opened above.
    unsafe { libc::close(fd) };
    result.map(|()| data)
}

/// The status of what `path` names (`stat`), or of the link itself when `follow` is false
/// (`lstat`); None when it cannot be had.
pub fn stat(path: &[u8], follow: bool) -> Option<libc::stat> {
    let c = CString::new(path).ok()?;
    // SAFETY: an all-zero stat is a valid value to be overwritten.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: c is NUL-terminated and st is a valid, writable stat buffer.
    let r = unsafe {
        if follow {
            libc::stat(c.as_ptr(), &mut st)
        } else {
            libc::lstat(c.as_ptr(), &mut st)
        }
    };
    (r == 0).then_some(st)
}

/// Whether the effective ids may access `path` as `mode` (`R_OK`, `W_OK`, `X_OK`, `F_OK`).
pub fn may_access(path: &[u8], mode: libc::c_int) -> bool {
    let Ok(c) = CString::new(path) else {
        return false;
    };
    // SAFETY: c is NUL-terminated; faccessat only reads it.
    unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), mode, libc::AT_EACCESS) == 0 }
}

/// A new file, private to the user (`mkstemp`), named `prefix` and six random characters; the
/// open file and its path.
pub fn temp_file(prefix: &[u8]) -> io::Result<(std::fs::File, Vec<u8>)> {
    let mut template = prefix.to_vec();
    template.extend_from_slice(b"XXXXXX\0");
    if template[..template.len() - 1].contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "path contains NUL",
        ));
    }
    // SAFETY: template is a writable NUL-terminated buffer ending in XXXXXX.
    let fd = unsafe { libc::mkstemp(template.as_mut_ptr().cast()) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    template.pop();
    // SAFETY: fd was just opened by mkstemp and is owned by the File from here on.
    let file = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    Ok((file, template))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_access() {
        let st = stat(b"/", true).unwrap();
        assert_eq!(st.st_mode & libc::S_IFMT, libc::S_IFDIR);
        assert!(stat(b"/nonexistent/x", true).is_none());
        assert!(stat(b"a\0b", false).is_none());
        let link = stat(b"/proc/self/exe", false).unwrap();
        assert_eq!(link.st_mode & libc::S_IFMT, libc::S_IFLNK);
        assert!(may_access(b"/", libc::X_OK));
        assert!(!may_access(b"/nonexistent/x", libc::F_OK));
    }

    #[test]
    fn temporary_files_are_new_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let prefix = std::env::temp_dir().join("auditsh-fs-test.");
        let (_, a) = temp_file(prefix.as_os_str().as_bytes()).unwrap();
        let (_, b) = temp_file(prefix.as_os_str().as_bytes()).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(prefix.as_os_str().as_bytes()));
        let path = std::ffi::OsStr::from_bytes(&a);
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_file(path).unwrap();
        std::fs::remove_file(std::ffi::OsStr::from_bytes(&b)).unwrap();
        assert!(temp_file(b"/nonexistent/dir/x.").is_err());
    }

    #[test]
    fn reads_whole_files_of_any_size() {
        let dir = std::env::temp_dir().join(format!("auditsh-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for len in [0usize, 1, 4095, 4096, 4097, 10_000, 70_000] {
            let path = dir.join(format!("f{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &data).unwrap();
            assert_eq!(read_small(&path).unwrap(), data, "length {len}");
        }
        assert_eq!(
            read_small(dir.join("missing")).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(
            read_small(&dir).unwrap_err().raw_os_error(),
            Some(libc::EISDIR)
        );
        assert!(read_small("/proc/self/comm").unwrap().ends_with(b"\n"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
