//! Local account lookups: names and home directories from /etc/passwd and /etc/group.
//!
//! The shell never asks a directory service (NSS): it must not wait on the network as it
//! starts, and it is linked statically, where glibc's NSS cannot be used safely. An account
//! known only to a directory is recorded by its id, and `~name` for it stays as written.

/// The name of user `uid`.
pub fn user_name(uid: u32) -> Option<Vec<u8>> {
    field_where(&read("/etc/passwd")?, 2, &uid.to_string().into_bytes(), 0)
}

/// The login shell of user `uid`.
pub fn shell_of(uid: u32) -> Option<Vec<u8>> {
    field_where(&read("/etc/passwd")?, 2, &uid.to_string().into_bytes(), 6)
}

/// The home directory of user `uid`.
pub fn home_of_uid(uid: u32) -> Option<Vec<u8>> {
    field_where(&read("/etc/passwd")?, 2, &uid.to_string().into_bytes(), 5)
}

/// The name of group `gid`.
pub fn group_name(gid: u32) -> Option<Vec<u8>> {
    field_where(&read("/etc/group")?, 2, &gid.to_string().into_bytes(), 0)
}

/// The home directory of user `name`.
pub fn home_of(name: &[u8]) -> Option<Vec<u8>> {
    if name.is_empty() {
        return None;
    }
    field_where(&read("/etc/passwd")?, 0, name, 5)
}

fn read(path: &str) -> Option<Vec<u8>> {
    crate::sys::fs::read_small(path).ok()
}

/// In a colon-separated file, field `want` of the first line whose field `key` is `value`
/// (`name:x:id:...`; numeric ids compare as written, so `007` is not `7`, as in glibc's files
/// backend).
fn field_where(file: &[u8], key: usize, value: &[u8], want: usize) -> Option<Vec<u8>> {
    file.split(|&b| b == b'\n').find_map(|line| {
        let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        let found = fields.get(key)? == &value && !fields[0].is_empty();
        found
            .then(|| fields.get(want).map(|f| f.to_vec()))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n\nbad line\n:x:7:7::/:\n";

    #[test]
    fn lookups_in_passwd_format() {
        assert_eq!(field_where(PASSWD, 2, b"0", 0), Some(b"root".to_vec()));
        assert_eq!(field_where(PASSWD, 2, b"1000", 0), Some(b"alice".to_vec()));
        assert_eq!(
            field_where(PASSWD, 0, b"alice", 5),
            Some(b"/home/alice".to_vec())
        );
        assert_eq!(field_where(PASSWD, 2, b"7", 0), None);
        assert_eq!(field_where(PASSWD, 2, b"4242", 0), None);
        assert_eq!(field_where(PASSWD, 0, b"bad line", 5), None);
    }

    #[test]
    fn the_real_files() {
        assert_eq!(user_name(0).as_deref(), Some(&b"root"[..]));
        assert_eq!(group_name(0).as_deref(), Some(&b"root"[..]));
        assert_eq!(home_of(b"root").as_deref(), Some(&b"/root"[..]));
        assert_eq!(home_of(b"no-such-user-xyzzy"), None);
        assert_eq!(home_of(b""), None);
    }
}
