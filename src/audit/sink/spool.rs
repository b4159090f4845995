//! The spool: one file per session, `<dir>/<YYYY-MM-DD>/<session>.jsonl`, opened once at start
//! (O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, mode 0640); each record is one write(2) of the whole
//! line including its newline.

use crate::sys;
use crate::sys::{errno, fd};
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::io::RawFd;
use std::path::{Path, PathBuf};

pub const FILE_MODE: u32 = 0o640;
pub const DIR_MODE: u32 = 0o750;

pub struct Spool {
    fd: RawFd,
    path: PathBuf,
}

/// The spool file was opened; `created_dir` says the spool directory itself was new.
pub struct Opened {
    pub spool: Spool,
    pub created_dir: bool,
    /// Why the file is not in the day's own directory (see [`Spool::open`]), for an
    /// `audit-failure` record.
    pub detour: Option<String>,
}

/// How many other directories of a day are tried when its own cannot be written.
const DETOURS: u32 = 9;

impl Spool {
    /// Create the directories as needed and open this session's file. `detour`: when the
    /// day's directory cannot be written (made by another account, a wrong mode), use
    /// `<dir>/<date>.<n>` instead, the first of them that can be: a day directory left behind
    /// by someone else must not silence the trail until midnight. The installed shell does
    /// this; `auditsh-log` reads every file under the spool, whatever its directory.
    pub fn open(dir: &Path, date: &str, session: &str, detour: bool) -> Result<Opened, String> {
        let day = dir.join(date);
        let first = match Spool::open_in(dir, &day, session) {
            Ok(opened) => return Ok(opened),
            Err(e) => e,
        };
        if detour && dir.is_dir() {
            for n in 1..=DETOURS {
                let other = dir.join(format!("{date}.{n}"));
                if let Ok(mut opened) = Spool::open_in(dir, &other, session) {
                    opened.detour = Some(format!(
                        "{first}; this session's records go to {}",
                        other.display()
                    ));
                    return Ok(opened);
                }
            }
        }
        Err(first)
    }

    fn open_in(dir: &Path, day: &Path, session: &str) -> Result<Opened, String> {
        let path = day.join(format!("{session}.jsonl"));
        // Most sessions start on a day whose directory exists: try the file first, and make
        // the directories only when it is not there.
        let mut created_dir = false;
        let fd = match open_append(&path) {
            Err(e) if e.raw_os_error() == Some(sys::errno::ENOENT) => {
                created_dir = !dir.exists();
                make_dir(dir).map_err(|e| format!("{}: {}", dir.display(), errno::io_text(&e)))?;
                make_dir(day).map_err(|e| format!("{}: {}", day.display(), errno::io_text(&e)))?;
                open_append(&path)
            }
            other => other,
        }
        // The session's file name is not for the user's terminal: name its directory.
        .map_err(|e| format!("{}: {}", day.display(), errno::io_text(&e)))?;
        Ok(Opened {
            spool: Spool { fd, path },
            created_dir,
            detour: None,
        })
    }

    pub fn fd(&self) -> Option<RawFd> {
        Some(self.fd)
    }

    /// Move the file to another descriptor (see [`super::relocate`]).
    pub fn relocate(&mut self) -> Option<RawFd> {
        self.fd = super::relocate(self.fd).ok()?;
        Some(self.fd)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One write(2) of the whole line. `partial`: the file ends in a fragment of an earlier
    /// record, whose line this write ends first (in the same write(2)). A short write is
    /// continued; when the rest cannot be written (a full disk, `ulimit -f`), the fragment is
    /// cut off again, or, when that fails, `partial` says the next write must end its line.
    /// Errors name no path: they reach the user's terminal (the caller adds the path for the
    /// record).
    pub fn write(&mut self, line: &[u8], partial: &mut u8) -> Result<(), String> {
        let lead: &[u8] = if *partial != 0 { b"\n" } else { b"" };
        let total = lead.len() + line.len();
        let mut done = 0;
        let error = loop {
            let written = if done < lead.len() {
                fd::write_two(self.fd, &lead[done..], line)
            } else {
                fd::write(self.fd, &line[done - lead.len()..])
            };
            let n = match written {
                Ok(n) => n,
                Err(sys::errno::EINTR) => continue,
                Err(e) => break errno::text(e),
            };
            if n == 0 {
                break "the file takes no more".to_string();
            }
            done += n;
            if done == total {
                *partial = 0;
                return Ok(());
            }
        };
        if done >= lead.len() {
            // The earlier fragment's line is ended; what is left is this record's fragment.
            let fragment = done - lead.len();
            *partial = u8::from(fragment > 0 && !self.cut_off(fragment));
        }
        if done > lead.len() {
            let written = done - lead.len();
            return Err(format!(
                "short write ({written} of {} bytes): {error}",
                line.len()
            ));
        }
        Err(error)
    }

    /// Remove the last `fragment` bytes of the file (a record written in part). The session's
    /// writers hold its lock, so nothing was appended after them.
    fn cut_off(&self, fragment: usize) -> bool {
        let Some(st) = fd::stat(self.fd) else {
            return false;
        };
        let size = u64::try_from(st.st_size).unwrap_or(0);
        let Some(keep) = size.checked_sub(fragment as u64) else {
            return false;
        };
        fd::truncate(self.fd, keep).is_ok()
    }

    /// fdatasync the file.
    pub fn sync(&mut self) -> Result<(), String> {
        fd::sync_data(self.fd).map_err(|e| format!("{}: {}", self.path.display(), errno::text(e)))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        fd::close(self.fd); // ours, and not used after
    }
}

fn make_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    match std::fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
    {
        Ok(()) => {
            // The umask may have taken bits away: make the mode exact.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DIR_MODE))
        }
        Err(e) => Err(e),
    }
}

fn open_append(path: &Path) -> io::Result<RawFd> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
    let flags = sys::fd::O_WRONLY
        | sys::fd::O_APPEND
        | sys::fd::O_CREAT
        | sys::fd::O_CLOEXEC
        | sys::fd::O_NOFOLLOW;
    let file = fd::open_with_mode(&c, flags, FILE_MODE).map_err(io::Error::from_raw_os_error)?;
    let _ = fd::set_mode(file, FILE_MODE); // the umask may have narrowed it
    super::move_high(file)
}
