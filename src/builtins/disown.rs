//! `disown [-h] [-ar] [JOB...]` (bash): forget jobs, so that the shell neither reports nor
//! waits for them, nor sends them SIGHUP when the terminal hangs up (`-h`: keep them in the
//! table, only spare them the SIGHUP).

use super::jobs::job_of_operand;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

pub fn disown(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let (mut keep, mut all, mut running) = (false, false, false);
    let mut specs = Vec::new();
    for (i, a) in args.iter().enumerate().skip(1) {
        match a.as_slice() {
            b"--" => {
                specs.extend(args[i + 1..].iter().cloned());
                break;
            }
            [b'-', flags @ ..] if !flags.is_empty() && specs.is_empty() => {
                for &f in flags {
                    match f {
                        b'h' => keep = true,
                        b'a' => all = true,
                        b'r' => running = true,
                        _ => {
                            let message = format!("-{}: invalid option", f as char);
                            return super::util::usage_error(
                                "disown",
                                &message,
                                "disown [-h] [-ar] [jobspec ... | pid ...]",
                            )
                            .raise();
                        }
                    }
                }
            }
            _ => specs.push(a.clone()),
        }
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut status = 0;
    if all || (running && specs.is_empty()) {
        chosen = (0..sh.jobs.jobs.len())
            .filter(|&i| !running || !(sh.jobs.jobs[i].is_done() || sh.jobs.jobs[i].is_stopped()))
            .collect();
    } else if specs.is_empty() {
        match sh.jobs.current(0) {
            Some(i) => chosen.push(i),
            None => {
                sh.report(&no_such_job(b"current"));
                return Ok(1);
            }
        }
    } else {
        for spec in &specs {
            match job_of_operand(sh, spec) {
                Some(i) => chosen.push(i),
                None => {
                    sh.report(&no_such_job(spec));
                    status = 1;
                }
            }
        }
    }
    if keep {
        for &i in &chosen {
            if let Some(job) = sh.jobs.jobs.get_mut(i) {
                job.no_hangup = true;
            }
        }
    } else {
        chosen.sort_unstable();
        for &i in chosen.iter().rev() {
            sh.jobs.forget(i);
        }
    }
    Ok(status)
}

fn no_such_job(spec: &[u8]) -> ShellError {
    let message = format!("{}: no such job", String::from_utf8_lossy(spec));
    ShellError::builtin("disown", ErrorKind::text(message)).fails()
}
