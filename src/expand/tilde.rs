//! Tilde expansion (XCU 2.6.1).

use crate::state::Shell;

/// The expansion of `~name` (`name` empty: `~`), or None to leave the text unchanged: when
/// HOME is unset for `~` (as dash does), or the user is unknown.
pub fn expand(sh: &Shell, name: &[u8]) -> Option<Vec<u8>> {
    if name.is_empty() {
        return sh.get_var(b"HOME").map(|h| h.to_vec());
    }
    home_of(name)
}

/// The home directory of user `name` from the user database.
fn home_of(name: &[u8]) -> Option<Vec<u8>> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf: Vec<libc::c_char> = vec![0; 4096];
    loop {
        // SAFETY: an all-zero passwd is a valid value of a plain C struct (null pointers).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call: `cname` is NUL-terminated, `buf` has
        // `buf.len()` writable bytes, `pwd` and `result` are live locals.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < (1 << 20) {
            let len = buf.len() * 4;
            buf.resize(len, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        // SAFETY: on success pw_dir points to a NUL-terminated string inside `buf`, which is
        // still alive here.
        let dir = unsafe { std::ffi::CStr::from_ptr(pwd.pw_dir) };
        return Some(dir.to_bytes().to_vec());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_unknown_users() {
        assert_eq!(home_of(b"root").as_deref(), Some(&b"/root"[..]));
        assert_eq!(home_of(b"no-such-user-xyzzy"), None);
        assert_eq!(home_of(b"a\0b"), None);
    }
}
