//! Installed mode: the shell is setuid/setgid `auditsh` so that it can open the protected spool;
//! as soon as the audit's descriptors are open it gives that privilege up for good, before it
//! reads any user file or runs anything.

/// Drop the setuid/setgid identity: real, effective and saved ids all become the caller's,
/// then check that none of the privileged ones is left, and make the process non-dumpable (no
/// ptrace, no /proc/PID/fd for the user). Supplementary groups are the caller's already (a
/// setuid exec does not change them).
pub fn drop_for_good() -> Result<(), String> {
    // SAFETY: getuid/getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // SAFETY: plain system calls with integer arguments.
    unsafe {
        if libc::setresgid(gid, gid, gid) != 0 {
            return Err(format!("setresgid: {}", std::io::Error::last_os_error()));
        }
        if libc::setresuid(uid, uid, uid) != 0 {
            return Err(format!("setresuid: {}", std::io::Error::last_os_error()));
        }
    }
    let (mut r, mut e, mut s) = (0, 0, 0);
    let (mut rg, mut eg, mut sg) = (0, 0, 0);
    // SAFETY: the out-pointers are valid locals.
    let ok = unsafe {
        libc::getresuid(&mut r, &mut e, &mut s) == 0
            && libc::getresgid(&mut rg, &mut eg, &mut sg) == 0
    };
    if !ok || [r, e, s] != [uid; 3] || [rg, eg, sg] != [gid; 3] {
        return Err("privilege is still held after dropping it".to_string());
    }
    // Setting the effective uid back to the real one would make the process dumpable again.
    // SAFETY: prctl with these arguments only changes the dumpable flag.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return Err(format!(
            "prctl(PR_SET_DUMPABLE): {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}
