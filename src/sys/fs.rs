//! Files by their path: reading the small files the shell reads as it starts, and what a
//! path names.

/// A file's status (`struct stat`), and the mode bits and access modes the rest of the shell
/// names.
pub use libc::{
    stat as Stat, R_OK, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
    S_ISGID, S_ISUID, S_ISVTX, W_OK, X_OK,
};
use std::ffi::{CStr, CString};
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

/// `f` of `path` as a C string, built on the stack (the exec path reads paths without
/// allocating); None when the path holds a NUL or is too long for any system call.
fn with_c_path<T>(path: &[u8], f: impl FnOnce(&CStr) -> Option<T>) -> Option<T> {
    let mut buf = [0u8; libc::PATH_MAX as usize];
    if path.len() >= buf.len() {
        return None;
    }
    buf[..path.len()].copy_from_slice(path);
    f(CStr::from_bytes_until_nul(&buf[..=path.len()])
        .ok()
        .filter(|c| c.to_bytes().len() == path.len())?)
}

/// The status of what `path` names (`stat`), or of the link itself when `follow` is false
/// (`lstat`); None when it cannot be had.
pub fn stat(path: &[u8], follow: bool) -> Option<libc::stat> {
    with_c_path(path, |c| {
        // SAFETY: an all-zero stat is a valid value to be overwritten.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let r = if follow {
            // SAFETY: c is NUL-terminated and st is a valid, writable stat buffer.
            unsafe { libc::stat(c.as_ptr(), &mut st) }
        } else {
            // SAFETY: as above.
            unsafe { libc::lstat(c.as_ptr(), &mut st) }
        };
        (r == 0).then_some(st)
    })
}

/// The process's working directory into `out` (cleared first), as getcwd(2) gives it; false
/// when it fails (the directory was removed).
pub fn current_dir(out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut buf = [0u8; libc::PATH_MAX as usize];
    // SAFETY: the buffer is valid for its length; getcwd NUL-terminates what it writes.
    let p = unsafe { libc::getcwd(buf.as_mut_ptr().cast(), buf.len()) };
    if p.is_null() {
        return false;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    out.extend_from_slice(&buf[..end]);
    true
}

/// The target of the symbolic link `link` into `out` (cleared first; left empty when it is
/// not one or cannot be read).
pub fn read_link(link: &CStr, out: &mut Vec<u8>) {
    out.clear();
    let mut buf = [0u8; libc::PATH_MAX as usize];
    // SAFETY: link is NUL-terminated, the buffer valid for its length.
    let n = unsafe { libc::readlink(link.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n > 0 && (n as usize) < buf.len() {
        out.extend_from_slice(&buf[..n as usize]);
    }
}

/// realpath(3) of `path` into `out` (cleared first; left empty when it fails).
pub fn real_path(path: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut buf = [0u8; libc::PATH_MAX as usize + 1];
    let resolved = with_c_path(path, |c| {
        // SAFETY: c is NUL-terminated; realpath writes at most PATH_MAX bytes and a NUL.
        let p = unsafe { libc::realpath(c.as_ptr(), buf.as_mut_ptr().cast()) };
        (!p.is_null()).then_some(())
    });
    if resolved.is_some() {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        out.extend_from_slice(&buf[..end]);
    }
}

/// `path` opened as a place only (`O_PATH`: nothing is read, no permission is needed on the
/// file itself), closed when dropped.
pub fn open_place(path: &[u8]) -> Option<std::os::fd::OwnedFd> {
    with_c_path(path, |c| {
        // SAFETY: c is NUL-terminated.
        let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
        // SAFETY: fd was just opened and is owned by the OwnedFd from here on.
        (fd >= 0)
            .then(|| unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) })
    })
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

/// Make a FIFO at `path` (for tests of what refuses one).
#[cfg(test)]
pub fn make_fifo(path: &Path) -> io::Result<()> {
    let c = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: c is a valid NUL-terminated path.
    match unsafe { libc::mkfifo(c.as_ptr(), 0o600) } {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
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
        let long = vec![b'a'; libc::PATH_MAX as usize];
        assert!(stat(&long, true).is_none());
        let mut out = Vec::new();
        assert!(current_dir(&mut out));
        assert_eq!(out, std::env::current_dir().unwrap().as_os_str().as_bytes());
        read_link(c"/proc/self/cwd", &mut out);
        assert_eq!(out, std::env::current_dir().unwrap().as_os_str().as_bytes());
        read_link(c"/", &mut out);
        assert!(out.is_empty());
        real_path(b"/proc/self/../self/.", &mut out);
        assert_eq!(out, format!("/proc/{}", std::process::id()).as_bytes());
        real_path(b"/nonexistent/x", &mut out);
        assert!(out.is_empty());
        assert!(open_place(b"/").is_some() && open_place(b"/nonexistent").is_none());
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
