//! Reading the small files the shell reads as it starts.

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

#[cfg(test)]
mod tests {
    use super::*;

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
