//! `fg` and `bg`: a stopped or background job continued, in the foreground (waited for, with
//! the terminal) or in the background.

use super::jobs::resolve_job;
use crate::exec::jobs::{self, ChildStatus};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys;
use crate::sys::fd;

fn no_job(builtin: &'static str, args: &[Vec<u8>]) -> ExecResult {
    let message = if args.len() > 1 {
        let mut msg = b"No such job: ".to_vec();
        msg.extend_from_slice(&args[1]);
        msg
    } else {
        b"No current job".to_vec()
    };
    ShellError::builtin(builtin, ErrorKind::Message(message))
        .fails()
        .raise()
}

/// Without job control (`set +m`, a script) there is no job to bring back. bash says so
/// before looking for the job (status 1); dash finds the job, then refuses it as not
/// created under job control (status 2), naming the operand as given.
fn without_job_control(sh: &Shell, builtin: &'static str, args: &[Vec<u8>]) -> ExecResult {
    let (message, status) = if sh.options.bash() {
        (b"no job control".to_vec(), 1)
    } else {
        let operand = args.get(1).map_or(&b"(null)"[..], Vec::as_slice);
        (
            [b"job ", operand, b" not created under job control"].concat(),
            2,
        )
    };
    ShellError::builtin(builtin, ErrorKind::text(message))
        .with_status(status)
        .fails()
        .raise()
}

fn continue_job(sh: &mut Shell, index: usize) {
    let job = &mut sh.jobs.jobs[index];
    let target = if job.pgid > 0 { -job.pgid } else { job.pids[0] };
    let _ = crate::sys::process::kill(target, sys::signal::SIGCONT);
    job.continued();
    let number = job.number;
    sh.jobs.touch(number);
}

/// `fg [%job]`: continue a job in the foreground and wait for it.
pub fn fg(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if !sh.options.monitor && sh.options.bash() {
        return without_job_control(sh, "fg", args);
    }
    let spec = args
        .get(1)
        .map(|a| a.strip_prefix(b"%").unwrap_or(a))
        .unwrap_or(b"");
    let Some(i) = resolve_job(sh, spec) else {
        return no_job("fg", args);
    };
    if !sh.options.monitor {
        return without_job_control(sh, "fg", args);
    }
    let mut line = sh.jobs.jobs[i].text.clone();
    line.push(b'\n');
    fd::write_all(1, &line);
    let control = sh.jobs.control;
    let pgid = sh.jobs.jobs[i].pgid;
    if let (Some(c), true) = (control, pgid > 0) {
        c.give_terminal(pgid);
    }
    continue_job(sh, i);
    let status = sh.jobs.wait_job(i, control.is_some(), &mut sh.audit);
    if let Some(c) = control {
        c.take_terminal();
    }
    match status {
        Some(st) if st.is_stopped() => {
            let mut line = b"\n".to_vec();
            line.extend_from_slice(&jobs::notice(sh.options.bash(), &sh.jobs.jobs[i], '+'));
            fd::write_all(2, &line);
            Ok(st.exit_status())
        }
        st => {
            if let Some(st) = st {
                crate::exec::pipeline::report_signal(st);
            }
            // A job brought to the foreground is no background job any more: `wait PID`
            // finds no status of it afterwards (bash; dash forgets every reaped job).
            if let Some(job) = sh.jobs.forget(i) {
                jobs::record_end(&mut sh.audit, &job);
            }
            Ok(st.map_or(127, ChildStatus::exit_status))
        }
    }
}

/// `bg [%job...]`: continue stopped jobs in the background (the current one without an
/// operand). A job that cannot be found is reported and the others are still continued.
pub fn bg(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if !sh.options.monitor && sh.options.bash() {
        return without_job_control(sh, "bg", args);
    }
    let operands: Vec<&[u8]> = match args.get(1..) {
        Some(rest) if !rest.is_empty() => rest.iter().map(Vec::as_slice).collect(),
        _ => vec![b"" as &[u8]],
    };
    let mut result = Ok(0);
    for operand in operands {
        let spec = operand.strip_prefix(b"%").unwrap_or(operand);
        let one: Vec<Vec<u8>> = match operand {
            b"" => vec![args[0].clone()],
            _ => vec![args[0].clone(), operand.to_vec()],
        };
        let Some(i) = resolve_job(sh, spec) else {
            result = Ok(report_and_fail(sh, no_job("bg", &one))?);
            continue;
        };
        if !sh.options.monitor {
            result = Ok(report_and_fail(sh, without_job_control(sh, "bg", &one))?);
            continue;
        }
        continue_job(sh, i);
        let job = &sh.jobs.jobs[i];
        let mut line = format!("[{}] ", job.number).into_bytes();
        line.extend_from_slice(&job.text);
        line.push(b'\n');
        fd::write_all(1, &line);
    }
    result
}

/// An operand's error is told at once and, in bash, the next operands are still done (the
/// built-in fails with its status in the end); dash stops at it.
fn report_and_fail(sh: &Shell, error: ExecResult) -> ExecResult {
    match error {
        Err(crate::exec::Divert::Error(e)) if sh.options.bash() => {
            sh.report(&e);
            Ok(e.status)
        }
        other => other,
    }
}
