//! Where a command runs and which file a program is, as the kernel sees them at the moment of
//! the record: the physical working directory (getcwd(2), not the shell's `$PWD`, which a
//! renamed directory leaves pointing at a decoy), the executable's path made absolute against
//! it, the device and inode of the file that path names, and its resolved path when a symlink
//! (or a `.`/`..` component) makes that a different one.
//!
//! Per program this costs getcwd, and open(O_PATH), fstat, readlink of its `/proc/self/fd`
//! entry and close: the kernel resolves the whole path once, whatever its depth, and names the
//! file it found. The buffers are the caller's, reused from record to record.

use std::io::Write as _;

/// The process's working directory into `out` (cleared first): getcwd(2), or, when that fails
/// (the directory was removed), the kernel's own description of it from `/proc/self/cwd`
/// (`/tmp/x (deleted)`). Left empty when neither answers.
pub fn physical_cwd(out: &mut Vec<u8>) {
    out.clear();
    let mut buf = [0u8; libc::PATH_MAX as usize];
    // SAFETY: the buffer is valid for its length; getcwd NUL-terminates what it writes.
    let p = unsafe { libc::getcwd(buf.as_mut_ptr().cast(), buf.len()) };
    if !p.is_null() && buf[0] == b'/' {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        out.extend_from_slice(&buf[..end]);
        return;
    }
    read_link(b"/proc/self/cwd\0", out);
}

/// `path` made absolute against `cwd` into `out` (cleared first): an absolute path as it is,
/// a relative one (`./x`, `bin/x`) after `cwd`.
pub fn absolute(path: &[u8], cwd: &[u8], out: &mut Vec<u8>) {
    out.clear();
    if path.first() == Some(&b'/') || cwd.is_empty() {
        out.extend_from_slice(path);
        return;
    }
    out.extend_from_slice(cwd);
    if out.last() != Some(&b'/') {
        out.push(b'/');
    }
    out.extend_from_slice(path.strip_prefix(b"./").unwrap_or(path));
}

/// The file `path` (absolute) names: (device, inode), with its resolved path in `target` when
/// that differs from `path` (else `target` is left empty). None when the file cannot be
/// opened (it does not exist, a directory on the way may not be searched...): the exec will
/// say why.
pub fn identify(path: &[u8], target: &mut Vec<u8>) -> Option<(u64, u64)> {
    target.clear();
    // The path as a C string, in `target` for now (no allocation once it has grown).
    if path.contains(&0) {
        return None;
    }
    target.extend_from_slice(path);
    target.push(0);
    // SAFETY: `target` holds a NUL-terminated string.
    let fd = unsafe { libc::open(target.as_ptr().cast(), libc::O_PATH | libc::O_CLOEXEC) };
    target.clear();
    if fd < 0 {
        return None;
    }
    // SAFETY: an all-zero stat is a valid value to be filled in; fd is open.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::fstat(fd, &mut st) } == 0;
    if ok {
        let mut link = [0u8; 32];
        let mut w = &mut link[..];
        let _ = write!(w, "/proc/self/fd/{fd}\0");
        read_link(&link, target);
        if target.is_empty() {
            resolve_without_proc(path, target);
        }
        if target.as_slice() == path {
            target.clear();
        }
    }
    // SAFETY: fd was opened above and is closed once.
    unsafe { libc::close(fd) };
    ok.then_some((st.st_dev, st.st_ino))
}

/// readlink(2) of the NUL-terminated `link` into `out` (cleared first; empty on failure).
fn read_link(link: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut buf = [0u8; libc::PATH_MAX as usize];
    // SAFETY: `link` is NUL-terminated (the callers build it so), the buffer valid for its
    // length.
    let n = unsafe { libc::readlink(link.as_ptr().cast(), buf.as_mut_ptr().cast(), buf.len()) };
    if n > 0 && (n as usize) < buf.len() {
        out.extend_from_slice(&buf[..n as usize]);
    }
}

/// realpath(3), for a system without /proc.
fn resolve_without_proc(path: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let Ok(c) = std::ffi::CString::new(path) else {
        return;
    };
    let mut buf = [0u8; libc::PATH_MAX as usize + 1];
    // SAFETY: c is NUL-terminated; realpath writes at most PATH_MAX bytes and a NUL.
    let p = unsafe { libc::realpath(c.as_ptr(), buf.as_mut_ptr().cast()) };
    if !p.is_null() {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        out.extend_from_slice(&buf[..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn the_working_directory_is_the_processes_own() {
        let mut out = Vec::new();
        physical_cwd(&mut out);
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(out, cwd.as_os_str().as_bytes());
    }

    #[test]
    fn relative_paths_are_made_absolute() {
        let mut out = Vec::new();
        absolute(b"./x", b"/real", &mut out);
        assert_eq!(out, b"/real/x");
        absolute(b"bin/x", b"/", &mut out);
        assert_eq!(out, b"/bin/x");
        absolute(b"/usr/bin/x", b"/real", &mut out);
        assert_eq!(out, b"/usr/bin/x");
        absolute(b"../x", b"/a/b", &mut out);
        assert_eq!(out, b"/a/b/../x");
    }

    #[test]
    fn a_file_is_identified_and_a_symlink_resolved() {
        let dir = std::env::temp_dir().join(format!("auditsh-place-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("real")).unwrap();
        let file = dir.join("real/prog");
        std::fs::write(&file, b"").unwrap();
        std::os::unix::fs::symlink("real", dir.join("via")).unwrap();
        std::os::unix::fs::symlink("prog", dir.join("real/link")).unwrap();
        let canonical = std::fs::canonicalize(&file).unwrap();
        let m = std::fs::metadata(&file).unwrap();
        let mut target = Vec::new();
        let bytes = |p: &std::path::Path| p.as_os_str().as_bytes().to_vec();

        let id = identify(&bytes(&canonical), &mut target);
        assert_eq!(id, Some((m.dev(), m.ino())));
        assert!(target.is_empty(), "{}", String::from_utf8_lossy(&target));
        for p in [
            dir.join("via/prog"),
            dir.join("real/link"),
            dir.join("real/../real/prog"),
        ] {
            assert_eq!(identify(&bytes(&p), &mut target), Some((m.dev(), m.ino())));
            assert_eq!(target, bytes(&canonical), "{}", p.display());
        }
        assert_eq!(identify(&bytes(&dir.join("nothing")), &mut target), None);
        assert!(target.is_empty());
        assert_eq!(identify(b"/a\0b", &mut target), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
