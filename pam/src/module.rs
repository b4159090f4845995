//! The PAM entry points and the few libpam functions they call.

use auditsh::audit::pam::{self, Facts, Failure, Login, Place};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::{Path, PathBuf};

mod ffi {
    use std::ffi::{c_char, c_int, c_void};

    /// `pam_handle_t`, opaque.
    #[repr(C)]
    pub struct PamHandle {
        _private: [u8; 0],
    }

    pub const PAM_SUCCESS: c_int = 0;
    pub const PAM_SESSION_ERR: c_int = 14;
    pub const PAM_IGNORE: c_int = 25;
    pub const PAM_SERVICE: c_int = 1;
    pub const PAM_USER: c_int = 2;
    pub const PAM_TTY: c_int = 3;
    pub const PAM_RHOST: c_int = 4;
    pub const PAM_RUSER: c_int = 8;
    pub const LOG_ERR: c_int = 3;
    pub const LOG_WARNING: c_int = 4;

    pub type Cleanup = unsafe extern "C" fn(*mut PamHandle, *mut c_void, c_int);

    // `libpam.so.0` by its file name: the runtime library, present wherever PAM is, without
    // the development package's `libpam.so` link.
    #[link(name = "libpam.so.0", kind = "dylib", modifiers = "+verbatim")]
    extern "C" {
        pub fn pam_get_item(
            pamh: *const PamHandle,
            item_type: c_int,
            item: *mut *const c_void,
        ) -> c_int;
        pub fn pam_set_data(
            pamh: *mut PamHandle,
            name: *const c_char,
            data: *mut c_void,
            cleanup: Option<Cleanup>,
        ) -> c_int;
        pub fn pam_get_data(
            pamh: *const PamHandle,
            name: *const c_char,
            data: *mut *const c_void,
        ) -> c_int;
        pub fn pam_getenv(pamh: *mut PamHandle, name: *const c_char) -> *const c_char;
        pub fn pam_syslog(pamh: *const PamHandle, priority: c_int, fmt: *const c_char, ...);
    }
}

use ffi::PamHandle;

/// The name the open's facts are kept under with PAM's handle, for the close.
const DATA_NAME: &CStr = c"auditsh_pam_facts";

/// A string item, when set.
fn item(pamh: *mut PamHandle, which: c_int) -> Option<String> {
    let mut p: *const c_void = std::ptr::null();
    // SAFETY: pamh is the handle PAM passed us; p receives a pointer PAM owns.
    let rc = unsafe { ffi::pam_get_item(pamh, which, &mut p) };
    if rc != ffi::PAM_SUCCESS || p.is_null() {
        return None;
    }
    // SAFETY: string items are NUL-terminated C strings owned by PAM, alive during the call.
    let s = unsafe { CStr::from_ptr(p.cast::<c_char>()) };
    Some(String::from_utf8_lossy(s.to_bytes()).into_owned())
}

/// A variable of PAM's own environment (what the application put there, not the user).
fn pam_env(pamh: *mut PamHandle, name: &CStr) -> Option<String> {
    // SAFETY: pamh is PAM's handle; name is a C string; the result is PAM's or null.
    let p = unsafe { ffi::pam_getenv(pamh, name.as_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-null result is a NUL-terminated string owned by PAM.
    Some(String::from_utf8_lossy(unsafe { CStr::from_ptr(p) }.to_bytes()).into_owned())
}

fn log(pamh: *mut PamHandle, priority: c_int, message: &str) {
    let text = CString::new(format!("pam_auditsh: {message}").replace('\0', " "))
        .unwrap_or_else(|_| CString::from(c"pam_auditsh: (message)"));
    // SAFETY: a "%s" format with one C string argument.
    unsafe { ffi::pam_syslog(pamh, priority, c"%s".as_ptr(), text.as_ptr()) };
}

/// The arguments PAM passed, as strings.
fn args(argc: c_int, argv: *const *const c_char) -> Vec<String> {
    let n = usize::try_from(argc).unwrap_or(0);
    if argv.is_null() {
        return Vec::new();
    }
    (0..n)
        .filter_map(|i| {
            // SAFETY: PAM passes argc valid pointers in argv.
            let p = unsafe { *argv.add(i) };
            // SAFETY: each argument is a NUL-terminated string.
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        })
        .collect()
}

fn place(pamh: *mut PamHandle, argc: c_int, argv: *const *const c_char) -> Place {
    let mut config_path = PathBuf::from(auditsh::config::SYSTEM_CONFIG);
    for a in args(argc, argv) {
        match crate::config_arg(&a) {
            Some(Some(path)) => config_path = PathBuf::from(path),
            Some(None) => {}
            None => log(pamh, ffi::LOG_WARNING, &format!("unknown argument {a:?}")),
        }
    }
    let (config, _) = auditsh::config::load_config(&config_path);
    Place {
        config,
        facts_dir: PathBuf::from(pam::FACTS_DIR),
    }
}

fn login(pamh: *mut PamHandle) -> Login {
    Login {
        service: item(pamh, ffi::PAM_SERVICE),
        user: item(pamh, ffi::PAM_USER),
        ruser: item(pamh, ffi::PAM_RUSER),
        rhost: item(pamh, ffi::PAM_RHOST),
        tty: item(pamh, ffi::PAM_TTY),
        ssh_connection: pam_env(pamh, c"SSH_CONNECTION"),
    }
}

/// What PAM is told after a failure: the login goes on (the module is ignored) unless the
/// config makes a failed audit fatal.
fn outcome(pamh: *mut PamHandle, result: Result<(), Failure>) -> c_int {
    match result {
        Ok(()) => ffi::PAM_SUCCESS,
        Err(f) if f.fatal => {
            log(
                pamh,
                ffi::LOG_ERR,
                &format!(
                    "{} (on_failure = \"refuse\": the session is refused)",
                    f.message
                ),
            );
            ffi::PAM_SESSION_ERR
        }
        Err(f) => {
            log(pamh, ffi::LOG_ERR, &f.message);
            ffi::PAM_IGNORE
        }
    }
}

unsafe extern "C" fn free_facts(_pamh: *mut PamHandle, data: *mut c_void, _status: c_int) {
    if !data.is_null() {
        // SAFETY: data is the Box<Facts> open_session leaked into PAM; PAM calls this once.
        drop(unsafe { Box::from_raw(data.cast::<Facts>()) });
    }
}

/// Run `f`, turning a panic into a logged PAM_IGNORE: a module must not take its host down
/// (the module is built with unwinding for this, `pam/build-module`).
fn guarded(pamh: *mut PamHandle, f: impl FnOnce() -> c_int) -> c_int {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(rc) => rc,
        Err(_) => {
            log(pamh, ffi::LOG_ERR, "internal error; the session goes on");
            ffi::PAM_IGNORE
        }
    }
}

/// # Safety
/// Called by libpam with its handle and the module's arguments.
#[no_mangle]
pub unsafe extern "C" fn pam_sm_open_session(
    pamh: *mut PamHandle,
    _flags: c_int,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    guarded(pamh, || {
        let place = place(pamh, argc, argv);
        let (facts, result) = pam::open(&place, login(pamh));
        let data = Box::into_raw(Box::new(facts));
        // SAFETY: PAM keeps the pointer with the handle and gives it to free_facts at the end.
        let rc =
            unsafe { ffi::pam_set_data(pamh, DATA_NAME.as_ptr(), data.cast(), Some(free_facts)) };
        if rc != ffi::PAM_SUCCESS {
            // SAFETY: PAM did not take the pointer: it is still ours.
            drop(unsafe { Box::from_raw(data) });
        }
        outcome(pamh, result)
    })
}

/// # Safety
/// Called by libpam with its handle and the module's arguments.
#[no_mangle]
pub unsafe extern "C" fn pam_sm_close_session(
    pamh: *mut PamHandle,
    _flags: c_int,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    guarded(pamh, || {
        let place = place(pamh, argc, argv);
        let mut p: *const c_void = std::ptr::null();
        // SAFETY: pamh is PAM's handle; p receives the pointer open_session stored, or nothing.
        let rc = unsafe { ffi::pam_get_data(pamh, DATA_NAME.as_ptr(), &mut p) };
        let kept = (rc == ffi::PAM_SUCCESS && !p.is_null())
            // SAFETY: the only data under this name is the Facts open_session stored.
            .then(|| unsafe { &*p.cast::<Facts>() }.clone());
        // Another handle than the open's (an application that closes elsewhere): the facts
        // file of this audit session.
        let Some(facts) = kept.or_else(|| pam::read_facts(Path::new(&place.facts_dir))) else {
            log(
                pamh,
                ffi::LOG_WARNING,
                "close without an open session: nothing recorded",
            );
            return ffi::PAM_IGNORE;
        };
        outcome(pamh, pam::close(&place, &facts))
    })
}
