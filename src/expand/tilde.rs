//! Tilde expansion (XCU 2.6.1).

use crate::state::Shell;

/// The expansion of `~name` (`name` empty: `~`), or None to leave the text unchanged: when
/// HOME is unset for `~` (as dash does; bash uses the user's home directory), or the user is
/// unknown. In the bash language `~+` is
/// `$PWD` and `~-` is `$OLDPWD` (unchanged when the variable is unset); `~N`, `~+N` and `~-N`
/// are entries of the directory stack, as `dirs +N` and `dirs -N` count them.
pub fn expand(sh: &Shell, name: &[u8]) -> Option<Vec<u8>> {
    if name.is_empty() {
        return match sh.get_var(b"HOME") {
            Some(home) => Some(home.to_vec()),
            None if sh.options.bash() => crate::accounts::home_of_uid(crate::sys::process::uid()),
            None => None,
        };
    }
    if sh.options.bash() {
        match name {
            b"+" => return sh.get_var(b"PWD").map(|d| d.to_vec()),
            b"-" => return sh.get_var(b"OLDPWD").map(|d| d.to_vec()),
            _ => {
                if let Some(dir) = crate::builtins::pushd::stack_entry(sh, name) {
                    return Some(dir);
                }
            }
        }
    }
    crate::accounts::home_of(name)
}

#[cfg(test)]
mod tests {

    #[test]
    fn root_and_unknown_users() {
        use crate::accounts::home_of;
        assert_eq!(home_of(b"root").as_deref(), Some(&b"/root"[..]));
        assert_eq!(home_of(b"no-such-user-xyzzy"), None);
        assert_eq!(home_of(b"a\0b"), None);
    }
}
