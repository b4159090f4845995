//! Where a command runs and which file a program is, as the kernel sees them at the moment of
//! the record: the physical working directory (getcwd(2), not the shell's `$PWD`, which a
//! renamed directory leaves pointing at a decoy), the executable's path made absolute against
//! it, the device and inode of the file that path names, and its resolved path when a symlink
//! (or a `.`/`..` component) makes that a different one.
//!
//! Per program this costs getcwd and one lstat when the program's directory is one only root
//! can change (`/usr/bin`, and `/bin` when it is a symlink to it): such a directory is
//! resolved once ([`RootOnlyDirs`]), since nothing the user does can make its path lead
//! elsewhere. Anywhere else (the user's own directories, /tmp, a relative path) the whole
//! path is resolved for each program: open(O_PATH), fstat, readlink of its `/proc/self/fd`
//! entry and close, the kernel resolving the path once, whatever its depth, and naming the
//! file it found. The buffers are the caller's, reused from record to record.

use crate::sys;
use crate::sys::fs;
use std::io::Write as _;
use std::os::fd::AsRawFd;

/// The process's working directory into `out` (cleared first): getcwd(2), or, when that fails
/// (the directory was removed), the kernel's own description of it from `/proc/self/cwd`
/// (`/tmp/x (deleted)`). Left empty when neither answers.
pub fn physical_cwd(out: &mut Vec<u8>) {
    if fs::current_dir(out) && out.first() == Some(&b'/') {
        return;
    }
    fs::read_link(c"/proc/self/cwd", out);
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

/// Directories whose resolution only root can change, with their resolved paths (None: not
/// such a directory), looked up once per directory and kept for the session.
#[derive(Default)]
pub struct RootOnlyDirs {
    known: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

/// At most this many directories are remembered (then the list starts again).
const ROOT_ONLY_DIRS_MAX: usize = 64;

impl RootOnlyDirs {
    /// The resolved path of `dir` (absolute) if only root can change where it leads.
    fn resolved(&mut self, dir: &[u8]) -> Option<&[u8]> {
        let at = match self.known.iter().position(|(d, _)| d.as_slice() == dir) {
            Some(at) => at,
            None => {
                if self.known.len() >= ROOT_ONLY_DIRS_MAX {
                    self.known.clear();
                }
                self.known.push((dir.to_vec(), resolve_root_only(dir)));
                self.known.len() - 1
            }
        };
        self.known[at].1.as_deref()
    }
}

/// The file `path` (absolute) names: (device, inode), with its resolved path in `target` when
/// that differs from `path` (else `target` is left empty). None when the file cannot be
/// opened (it does not exist, a directory on the way may not be searched...): the exec will
/// say why.
pub fn identify(path: &[u8], target: &mut Vec<u8>, dirs: &mut RootOnlyDirs) -> Option<(u64, u64)> {
    target.clear();
    // In a directory only root can change, the last component is all there is to look at.
    if let Some(slash) = path.iter().rposition(|&b| b == b'/') {
        let (dir, name) = (&path[..slash.max(1)], &path[slash + 1..]);
        if !matches!(name, b"" | b"." | b"..") && !path.contains(&0) {
            if let Some(resolved) = dirs.resolved(dir) {
                target.extend_from_slice(resolved);
                if target.last() != Some(&b'/') {
                    target.push(b'/');
                }
                target.extend_from_slice(name);
                match fs::stat(target, false) {
                    Some(st) if st.st_mode & sys::fs::S_IFMT != sys::fs::S_IFLNK => {
                        if target.as_slice() == path {
                            target.clear();
                        }
                        return Some((st.st_dev, st.st_ino));
                    }
                    _ => target.clear(),
                }
            }
        }
    }
    identify_by_kernel(path, target)
}

/// [`identify`] by opening `path` and asking the kernel for the path of what it opened.
fn identify_by_kernel(path: &[u8], target: &mut Vec<u8>) -> Option<(u64, u64)> {
    target.clear();
    let place = fs::open_place(path)?;
    let fd = place.as_raw_fd();
    let st = crate::sys::fd::stat(fd)?;
    let mut link = [0u8; 32];
    let mut w = &mut link[..];
    let _ = write!(w, "/proc/self/fd/{fd}\0");
    if let Ok(link) = std::ffi::CStr::from_bytes_until_nul(&link) {
        fs::read_link(link, target);
    }
    if target.is_empty() {
        fs::real_path(path, target);
    }
    if target.as_slice() == path {
        target.clear();
    }
    Some((st.st_dev, st.st_ino))
}

/// A directory only root can change: owned by root, writable by no one else.
fn root_only(st: &sys::fs::Stat) -> bool {
    st.st_mode & sys::fs::S_IFMT == sys::fs::S_IFDIR && st.st_uid == 0 && st.st_mode & 0o022 == 0
}

/// The resolved path of `dir` (absolute), if every directory looked in on the way to it, and
/// it, only root can change (`root_only`): then no one else can make it lead elsewhere. Each
/// component is looked at, symlinks followed by hand (at most 40, as the kernel).
fn resolve_root_only(dir: &[u8]) -> Option<Vec<u8>> {
    if dir.first() != Some(&b'/') || !root_only(&fs::stat(b"/", false)?) {
        return None;
    }
    let mut resolved = b"/".to_vec();
    let mut pending: std::collections::VecDeque<Vec<u8>> =
        dir.split(|&b| b == b'/').map(|c| c.to_vec()).collect();
    let mut links = 0;
    while let Some(component) = pending.pop_front() {
        match component.as_slice() {
            b"" | b"." => continue,
            b".." => {
                // `resolved` has no symlink in it: its parent is the text before the last slash.
                let slash = resolved.iter().rposition(|&b| b == b'/').unwrap_or(0);
                resolved.truncate(slash.max(1));
                continue;
            }
            _ => {}
        }
        let parent_len = resolved.len();
        if resolved.last() != Some(&b'/') {
            resolved.push(b'/');
        }
        resolved.extend_from_slice(&component);
        let st = fs::stat(&resolved, false)?;
        if st.st_mode & sys::fs::S_IFMT == sys::fs::S_IFLNK {
            links += 1;
            let mut link = resolved.clone();
            link.push(0);
            let mut to = Vec::new();
            if let Ok(link) = std::ffi::CStr::from_bytes_with_nul(&link) {
                fs::read_link(link, &mut to);
            }
            if to.is_empty() || links > 40 {
                return None;
            }
            resolved.truncate(parent_len);
            if to.first() == Some(&b'/') {
                resolved.truncate(1);
            }
            for c in to.split(|&b| b == b'/').rev() {
                pending.push_front(c.to_vec());
            }
        } else if !root_only(&st) {
            return None;
        }
    }
    Some(resolved)
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
        let mut dirs = RootOnlyDirs::default();
        let bytes = |p: &std::path::Path| p.as_os_str().as_bytes().to_vec();

        let id = identify(&bytes(&canonical), &mut target, &mut dirs);
        assert_eq!(id, Some((m.dev(), m.ino())));
        assert!(target.is_empty(), "{}", String::from_utf8_lossy(&target));
        for p in [
            dir.join("via/prog"),
            dir.join("real/link"),
            dir.join("real/../real/prog"),
        ] {
            let id = identify(&bytes(&p), &mut target, &mut dirs);
            assert_eq!(id, Some((m.dev(), m.ino())));
            assert_eq!(target, bytes(&canonical), "{}", p.display());
        }
        let none = identify(&bytes(&dir.join("nothing")), &mut target, &mut dirs);
        assert_eq!(none, None);
        assert!(target.is_empty());
        assert_eq!(identify(b"/a\0b", &mut target, &mut dirs), None);
        // The temporary directory is everyone's: never taken as root's alone.
        assert!(dirs.known.iter().all(|(_, resolved)| resolved.is_none()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn root_only_directories_are_resolved_once_and_agree_with_the_kernel() {
        let mut dirs = RootOnlyDirs::default();
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        for p in [
            "/bin/sh",
            "/usr/bin/env",
            "/bin/../bin/env",
            "/usr/bin/../bin/env",
            "/sbin/../bin/sh",
            "/etc/passwd",
        ] {
            let by_kernel = identify_by_kernel(p.as_bytes(), &mut slow);
            assert!(by_kernel.is_some(), "{p}");
            // The first time resolves the directory, the second uses what was kept.
            for _ in 0..2 {
                assert_eq!(
                    identify(p.as_bytes(), &mut fast, &mut dirs),
                    by_kernel,
                    "{p}"
                );
                assert_eq!(fast, slow, "{p}");
            }
        }
        let root_owned = std::fs::metadata("/usr/bin")
            .map(|m| m.uid() == 0 && m.mode() & 0o022 == 0)
            .unwrap_or(false);
        if root_owned {
            assert!(resolve_root_only(b"/usr/bin").is_some());
            assert!(dirs.known.iter().any(|(_, resolved)| resolved.is_some()));
        }
        assert_eq!(resolve_root_only(b"/tmp"), None);
        assert_eq!(resolve_root_only(b"relative"), None);
        assert_eq!(resolve_root_only(b"/no/such/dir"), None);
    }
}
