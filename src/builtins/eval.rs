//! `eval`, `.` and `exec`: running text as commands, and replacing the shell.

use crate::sys;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::audit::EndReason;
use crate::exec::eval::run_text;
use crate::exec::spawn::{self, SpawnError};
use crate::exec::{Divert, ExecResult};
use crate::state::Shell;

/// `eval [arg...]`: the arguments joined by spaces, run as commands.
pub fn eval(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    // One argument (`eval "$x"`) runs as it is; several are joined, fallibly (the text is as
    // large as the user made it).
    let joined;
    let text: &[u8] = match &args[1..] {
        [one] => one,
        rest => {
            let mut t = Vec::new();
            if t.try_reserve_exact(rest.iter().map(|a| a.len() + 1).sum())
                .is_err()
            {
                sh.error("eval: Out of space");
                return Ok(2);
            }
            for (i, a) in rest.iter().enumerate() {
                if i > 0 {
                    t.push(b' ');
                }
                t.extend_from_slice(a);
            }
            joined = t;
            &joined
        }
    };
    if text.is_empty() {
        return Ok(0);
    }
    run_text(sh, text, Some(b"eval: "))
}

/// `. file`: run the commands of a file (found in PATH when it has no slash) in this shell.
pub fn dot(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let Some(name) = args.get(1) else {
        return Ok(0);
    };
    let path = if name.contains(&b'/') {
        Some(name.clone())
    } else {
        let path_var = sh.get_var(b"PATH").map(|p| p.to_vec()).unwrap_or_default();
        let found = spawn::path_candidates(&path_var, name)
            .find(|p| std::fs::metadata(OsStr::from_bytes(p)).is_ok_and(|m| m.is_file()));
        found
    };
    let Some(path) = path else {
        let mut msg = b".: ".to_vec();
        msg.extend_from_slice(name);
        msg.extend_from_slice(b": not found");
        sh.error_bytes(&msg);
        return Err(Divert::Error(2));
    };
    let text = match std::fs::read(OsStr::from_bytes(&path)) {
        Ok(t) => t,
        Err(e) => {
            let mut msg = b".: cannot open ".to_vec();
            msg.extend_from_slice(&path);
            msg.extend_from_slice(b": ");
            let reason = match e.raw_os_error() {
                Some(sys::errno::ENOENT) => "No such file".to_string(),
                Some(n) => crate::sys::errno::text(n),
                None => e.to_string(),
            };
            msg.extend_from_slice(reason.as_bytes());
            sh.error_bytes(&msg);
            return Err(Divert::Error(2));
        }
    };
    let saved_line = sh.lineno;
    sh.lineno = 1;
    let mut label = path.clone();
    label.extend_from_slice(b": ");
    let result = run_text(sh, &text, Some(&label));
    sh.lineno = saved_line;
    match result {
        Err(Divert::Return(s)) => Ok(s),
        other => other,
    }
}

/// `exec cmd [arg...]`: replace the shell with a program. (`exec` with only redirections is
/// handled by the evaluator, which keeps them in force.)
pub fn exec(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let Some(name) = args.get(1) else {
        return Ok(0);
    };
    let Some(path) = spawn::find_in_path(sh, name) else {
        SpawnError::NotFound.report_as(sh, "exec", name);
        return Err(Divert::Exit(127));
    };
    if let Some(e) = spawn::check_executable(&path) {
        e.report_as(sh, "exec", name);
        return Err(Divert::Exit(e.status()));
    }
    let err = spawn::exec_program(sh, &path, &args[1..], |sh| {
        if !sh.in_subshell {
            sh.audit.end(None, EndReason::Exec);
        }
    });
    err.report_as(sh, "exec", name);
    Err(Divert::Exit(err.status()))
}
