//! `wait`: waiting for background jobs, and their statuses.

use super::jobs::{finish, job_of_operand, resolve_job};
use crate::exec::jobs::ChildStatus;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// dash tells when a job it waited for was killed ("Terminated"); bash, when it is not
/// interactive, tells it in its own way ([`crate::exec::jobs::tell_death`]).
/// `waited`: the status the wait collected (None when the job had ended before).
fn report(sh: &mut Shell, index: usize, waited: Option<ChildStatus>) {
    if !sh.options.bash() {
        if let Some(st) = waited {
            crate::exec::pipeline::report_signal(st);
        }
    } else if !sh.options.interactive {
        crate::exec::jobs::tell_job(sh, index);
    }
}

/// Which caught signals end a wait early. A trapped SIGCHLD does not in bash (its trap runs
/// for each child that ends); dash returns on it as on any other.
fn interrupting(sh: &Shell) -> fn(i32) -> bool {
    if sh.options.bash() {
        |sig| sig != crate::sys::signal::SIGCHLD
    } else {
        |_| true
    }
}

/// `wait [-fn] [-p var] [pid|%job...]`: wait for the given children (or all); the status is
/// the last one's, 127 for one that is not a child of this shell. bash's `-n` waits for the
/// next to end, `-p var` names it (`-f` changes nothing without job control).
pub fn wait(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut any = false;
    let mut var = None;
    let mut first = 1;
    while sh.options.bash() && first < args.len() {
        let arg = &args[first];
        if arg == b"--" {
            first += 1;
            break;
        }
        if arg.len() < 2 || arg[0] != b'-' || !arg[1].is_ascii_alphabetic() {
            break;
        }
        first += 1;
        const USAGE: &str = "wait [-fn] [-p var] [id ...]";
        for (k, &c) in arg.iter().enumerate().skip(1) {
            match c {
                b'n' => any = true,
                b'f' => {}
                b'p' if k + 1 < arg.len() => {
                    var = Some(arg[k + 1..].to_vec());
                    break;
                }
                b'p' => {
                    let Some(name) = args.get(first) else {
                        let message = "-p: option requires an argument";
                        return super::util::usage_error("wait", message, USAGE).raise();
                    };
                    var = Some(name.clone());
                    first += 1;
                }
                _ => {
                    let message = format!("-{}: invalid option", char::from(c));
                    return super::util::usage_error("wait", &message, USAGE).raise();
                }
            }
        }
    }
    if let Some(name) = &var {
        let _ = sh.vars.unset(name);
    }
    let mut waited = None;
    let result = wait_for(sh, any, &args[first..], &mut waited);
    if let (Some(name), Some(pid)) = (&var, waited) {
        if let Err(e) = sh.set_var(name, pid.to_string().into_bytes()) {
            return ShellError::new(ErrorKind::Variable(e)).fails().raise();
        }
    }
    result
}

/// The wait itself; `waited`: the pid of the job whose status is returned.
fn wait_for(
    sh: &mut Shell,
    any: bool,
    operands: &[Vec<u8>],
    waited: &mut Option<i32>,
) -> ExecResult {
    if any {
        // Operands narrow the wait to those jobs; one that names none is reported.
        let mut among = Vec::new();
        for arg in operands {
            match job_of_operand(sh, arg) {
                Some(i) => among.push(sh.jobs.jobs[i].number),
                None => {
                    let m = format!("{}: no such job", String::from_utf8_lossy(arg));
                    sh.report(&ShellError::builtin("wait", ErrorKind::text(m)).fails());
                }
            }
        }
        if !operands.is_empty() && among.is_empty() {
            return Ok(127);
        }
        let interrupts = interrupting(sh);
        return match sh.jobs.wait_any(&among, &mut sh.audit, interrupts) {
            Ok(Some(i)) => {
                *waited = sh.jobs.jobs[i].pids.last().copied();
                let st = sh.jobs.jobs[i].status();
                report(sh, i, st);
                finish(sh, i);
                Ok(st.map_or(127, ChildStatus::exit_status))
            }
            Ok(None) => Ok(127),
            Err(sig) => Ok(128 + sig),
        };
    }
    if operands.is_empty() {
        while !sh.jobs.jobs.is_empty() {
            let interrupts = interrupting(sh);
            match sh.jobs.wait_job_interruptible(0, &mut sh.audit, interrupts) {
                Ok(st) => {
                    // dash tells a death only to a wait that named the job.
                    if sh.options.bash() {
                        report(sh, 0, st);
                    }
                    finish(sh, 0);
                }
                Err(sig) => return Ok(128 + sig),
            }
        }
        // bash waits for its process substitutions too.
        if sh.options.bash() {
            for pid in sh.process_subst_children.clone() {
                crate::exec::substitution::wait_process_substitution(sh, pid);
            }
        }
        // bash: having waited for them all, it forgets what they left.
        sh.jobs.forget_ended();
        return Ok(0);
    }
    let mut status = 0;
    for arg in operands {
        let index = if let Some(spec) = arg.strip_prefix(b"%") {
            resolve_job(sh, spec)
        } else if arg.is_empty() || !arg.iter().all(u8::is_ascii_digit) {
            // dash: not a number (bash: not a pid or job specification).
            let m = if sh.options.bash() {
                format!(
                    "`{}': not a pid or valid job spec",
                    String::from_utf8_lossy(arg)
                )
            } else {
                format!("Illegal number: {}", String::from_utf8_lossy(arg))
            };
            status = if sh.options.bash() { 1 } else { 2 };
            sh.report(&ShellError::builtin("wait", ErrorKind::text(m)).fails());
            continue;
        } else {
            std::str::from_utf8(arg)
                .ok()
                .and_then(|s| s.parse::<i32>().ok())
                .and_then(|pid| sh.jobs.find_pid(pid))
        };
        status = match index {
            Some(i) => {
                let interrupts = interrupting(sh);
                let st = match sh.jobs.wait_job_interruptible(i, &mut sh.audit, interrupts) {
                    Ok(st) => st,
                    Err(sig) => return Ok(128 + sig),
                };
                *waited = sh.jobs.jobs[i].pids.last().copied();
                report(sh, i, st);
                finish(sh, i);
                st.map_or(127, ChildStatus::exit_status)
            }
            None if sh.options.bash() && arg.starts_with(b"%") => {
                let m = format!("{}: no such job", String::from_utf8_lossy(arg));
                sh.report(&ShellError::builtin("wait", ErrorKind::text(m)).fails());
                127
            }
            None if sh.options.bash() && arg.iter().all(u8::is_ascii_digit) => {
                // bash remembers what its ended children left, reported or not.
                let pid = std::str::from_utf8(arg).ok().and_then(|s| s.parse().ok());
                let substitution = pid
                    .and_then(|pid| crate::exec::substitution::wait_process_substitution(sh, pid));
                if let Some(st) = substitution.or_else(|| pid.and_then(|p| sh.jobs.ended_status(p)))
                {
                    status = st.exit_status();
                    *waited = pid;
                    continue;
                }
                let m = format!(
                    "pid {} is not a child of this shell",
                    String::from_utf8_lossy(arg)
                );
                sh.report(&ShellError::builtin("wait", ErrorKind::text(m)).fails());
                127
            }
            // POSIX: a job an interactive shell told the end of keeps its status for `wait`.
            None if sh.options.interactive => {
                let pid = std::str::from_utf8(arg).ok().and_then(|s| s.parse().ok());
                match pid.and_then(|p| sh.jobs.ended_status(p)) {
                    Some(st) => {
                        *waited = pid;
                        st.exit_status()
                    }
                    None => 127,
                }
            }
            None => 127,
        };
    }
    Ok(status)
}
