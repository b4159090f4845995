//! Installed mode: the shell is setuid/setgid `auditsh` so that it can open the protected spool;
//! as soon as the audit's descriptors are open it gives that privilege up for good, before it
//! reads any user file or runs anything. The top level makes the drop a step of its own, between
//! `Session::open` and `Opened::start` ([`drop_if_installed`]).

/// The running binary's own file is set-user-ID or set-group-ID: it is the installed shell,
/// whether or not the kernel gave it that identity (under `no_new_privs`, or on a `nosuid`
/// mount, it does not). `owner`/`group` are the identities the bits name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstalledFile {
    pub owner: Option<u32>,
    pub group: Option<u32>,
}

/// The identity bits of the running binary's file: `/proc/self/exe` is the file the kernel
/// executed (not a path the caller could swap); where /proc is not mounted, the path the
/// program was executed by (`AT_EXECFN`). None when neither can be looked at or neither bit
/// is set.
pub fn installed_file() -> Option<InstalledFile> {
    let st = crate::sys::fs::stat(b"/proc/self/exe", true).or_else(|| {
        let path = crate::sys::process::exec_path()?;
        crate::sys::fs::stat(path.to_bytes(), true)
    })?;
    let file = InstalledFile {
        owner: (st.st_mode & crate::sys::fs::S_ISUID != 0).then_some(st.st_uid),
        group: (st.st_mode & crate::sys::fs::S_ISGID != 0).then_some(st.st_gid),
    };
    (file.owner.is_some() || file.group.is_some()).then_some(file)
}

/// Whether the process runs with the identity its installed file names: the effective user
/// (group) is the file's owner (group) for each bit that is set. Root running the installed
/// shell runs as `auditsh` after the exec, so this holds for root too; under `no_new_privs`
/// the effective ids stay the caller's and it does not.
pub fn holds(file: InstalledFile) -> bool {
    let (euid, egid) = (crate::sys::process::euid(), crate::sys::process::egid());
    file.owner.is_none_or(|u| u == euid) && file.group.is_none_or(|g| g == egid)
}

/// Whether the process runs in the initial user namespace, where the ids it has are the ids
/// the rest of the system sees. In another one (`unshare -U`) the kernel does not honour the
/// installed file's set-user-ID bit, and the file's owner and the process may both show as
/// the overflow id, which would look like the privilege being held. Unreadable: not known to
/// be the initial one.
pub fn in_initial_user_namespace() -> bool {
    let Ok(map) = crate::sys::fs::read_small("/proc/self/uid_map") else {
        return false;
    };
    let fields: Vec<&[u8]> = map
        .split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
        .collect();
    fields == [&b"0"[..], b"0", b"4294967295"]
}

/// Drop the setuid/setgid identity: real, effective and saved ids all become the caller's,
/// then check that none of the privileged ones is left, and make the process non-dumpable (no
/// ptrace, no /proc/PID/fd for the user). Supplementary groups are the caller's already (a
/// setuid exec does not change them).
pub fn drop_for_good() -> Result<(), String> {
    let (uid, gid) = (crate::sys::process::uid(), crate::sys::process::gid());
    crate::sys::process::set_ids_for_good(uid, gid)
        .map_err(|(call, e)| format!("{call}: {}", crate::sys::errno::text(e)))?;
    let ids = crate::sys::process::all_ids();
    if ids != Some(([uid; 3], [gid; 3])) {
        return Err("privilege is still held after dropping it".to_string());
    }
    // Setting the effective uid back to the real one would make the process dumpable again.
    crate::sys::process::set_not_dumpable()
        .map_err(|e| format!("prctl(PR_SET_DUMPABLE): {}", crate::sys::errno::text(e)))?;
    Ok(())
}

/// Proof that the process holds no privilege it did not start with: the installed shell gave
/// its identity up ([`drop_if_installed`]), or never had one. A session starts only with it
/// ([`super::Opened::start`]), so that no record is written, and nothing of the user's looked
/// up, while the process still holds the identity.
pub struct Unprivileged(());

/// The installed shell ([`super::is_secure`]) gives up its identity for good
/// ([`drop_for_good`]); one that cannot runs nothing: one line, status 126. Not installed,
/// there is nothing to give up.
pub fn drop_if_installed() -> Unprivileged {
    if super::is_secure() {
        // Running on with the privilege would be worse than not running.
        if let Err(e) = drop_for_good() {
            super::say(&format!("auditsh: cannot drop privilege: {e}\n"));
            std::process::exit(126);
        }
    }
    Unprivileged(())
}

/// Variables that steer the dynamic loader and the C library of the programs the shell
/// starts, and that glibc's start-up removes from the environment of a program run with
/// privilege it did not start with (ld.so(8), "secure-execution mode"). The musl build has
/// no such step, so the shell leaves them out of its variables itself in that case, whatever
/// its C library: a setuid shell never passes them on.
const LOADER_VARIABLES: &[&[u8]] = &[
    b"GCONV_PATH",
    b"GETCONF_DIR",
    b"GLIBC_TUNABLES",
    b"HOSTALIASES",
    b"LD_AUDIT",
    b"LD_DEBUG",
    b"LD_DEBUG_OUTPUT",
    b"LD_DYNAMIC_WEAK",
    b"LD_HWCAP_MASK",
    b"LD_LIBRARY_PATH",
    b"LD_ORIGIN_PATH",
    b"LD_PRELOAD",
    b"LD_PROFILE",
    b"LD_SHOW_AUXV",
    b"LD_USE_LOAD_BIAS",
    b"LOCALDOMAIN",
    b"LOCPATH",
    b"MALLOC_TRACE",
    b"NIS_PATH",
    b"NLSPATH",
    b"RESOLV_HOST_CONF",
    b"RES_OPTIONS",
    b"TMPDIR",
    b"TZDIR",
];

/// Whether an inherited variable is left out because the shell runs with privilege it did
/// not start with (see [`LOADER_VARIABLES`]).
pub fn dropped_from_environment(name: &[u8], privileged: bool) -> bool {
    privileged && LOADER_VARIABLES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::{dropped_from_environment, holds, installed_file, InstalledFile};

    #[test]
    fn the_tests_run_in_the_initial_user_namespace() {
        // The test suite runs on the host, never under `unshare -U`.
        assert!(super::in_initial_user_namespace());
    }

    #[test]
    fn the_test_binary_is_not_the_installed_shell() {
        // Test binaries are never setuid or setgid.
        assert_eq!(installed_file(), None);
    }

    #[test]
    fn the_privilege_is_held_only_as_the_files_owner_and_group() {
        let (euid, egid) = (crate::sys::process::euid(), crate::sys::process::egid());
        let other = |id: u32| id.wrapping_add(1);
        let file = |owner, group| InstalledFile { owner, group };
        assert!(holds(file(Some(euid), Some(egid))));
        assert!(holds(file(Some(euid), None)));
        assert!(holds(file(None, Some(egid))));
        assert!(!holds(file(Some(other(euid)), Some(egid))));
        assert!(!holds(file(Some(euid), Some(other(egid)))));
        assert!(!holds(file(None, Some(other(egid)))));
    }

    #[test]
    fn loader_variables_are_dropped_only_with_privilege() {
        for name in [
            &b"LD_PRELOAD"[..],
            b"LD_LIBRARY_PATH",
            b"TMPDIR",
            b"GLIBC_TUNABLES",
        ] {
            assert!(dropped_from_environment(name, true));
            assert!(!dropped_from_environment(name, false));
        }
        for name in [&b"PATH"[..], b"HOME", b"LD_PRELOADX", b"ld_preload"] {
            assert!(!dropped_from_environment(name, true));
        }
    }
}
