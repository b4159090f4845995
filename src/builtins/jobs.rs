//! `wait`, `jobs`, `fg`, `bg`: the job table as a non-interactive shell sees it.

use crate::exec::jobs::ChildStatus;
use crate::exec::{trap, ExecResult};
use crate::state::Shell;

/// `wait [pid...]`: wait for the given children (or all); the status is the last one's, 127
/// for a pid that is not a child of this shell.
pub fn wait(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    if args.len() == 1 {
        while !sh.jobs.jobs.is_empty() {
            sh.jobs.wait_job(0);
            sh.jobs.remove(0);
            if trap::any_pending() {
                return Ok(128);
            }
        }
        return Ok(0);
    }
    let mut status = 0;
    for arg in &args[1..] {
        let index = if let Some(spec) = arg.strip_prefix(b"%") {
            resolve_job(sh, spec)
        } else {
            std::str::from_utf8(arg)
                .ok()
                .and_then(|s| s.parse::<i32>().ok())
                .and_then(|pid| sh.jobs.find_pid(pid))
        };
        status = match index {
            Some(i) => {
                let status = sh.jobs.wait_job(i);
                if let Some(st) = status {
                    crate::exec::eval::report_signal(sh, st);
                }
                sh.jobs.remove(i);
                status.map_or(127, ChildStatus::exit_status)
            }
            None => 127,
        };
    }
    Ok(status)
}

/// The job a `%` spec names: `%N`, `%%`, `%+`, `%-`, `%string` (command starts with it).
pub fn resolve_job(sh: &Shell, spec: &[u8]) -> Option<usize> {
    let jobs = &sh.jobs.jobs;
    match spec {
        b"" | b"%" | b"+" => jobs.len().checked_sub(1),
        b"-" => jobs.len().checked_sub(2),
        _ if spec.iter().all(u8::is_ascii_digit) => {
            let n: usize = std::str::from_utf8(spec).ok()?.parse().ok()?;
            jobs.iter().position(|j| j.number == n)
        }
        _ => jobs.iter().position(|j| j.text.starts_with(spec)),
    }
}

/// `jobs`: list background jobs as `[N] + Running|Done  text`.
pub fn jobs(sh: &mut Shell, _args: &[Vec<u8>]) -> ExecResult {
    sh.jobs.reap_nonblocking();
    let mut text = Vec::new();
    let n = sh.jobs.jobs.len();
    for (i, job) in sh.jobs.jobs.iter().enumerate() {
        let mark = if i + 1 == n {
            '+'
        } else if i + 2 == n {
            '-'
        } else {
            ' '
        };
        let state = match job.status() {
            Some(ChildStatus::Exited(0)) if job.is_done() => "Done".to_string(),
            Some(ChildStatus::Exited(c)) if job.is_done() => format!("Done({c})"),
            Some(ChildStatus::Signaled(s)) if job.is_done() => {
                crate::exec::signal::name(s).unwrap_or("Signal").to_string()
            }
            Some(ChildStatus::Stopped(_)) => "Stopped".to_string(),
            _ => "Running".to_string(),
        };
        text.extend_from_slice(format!("[{}] {} {:<24}", job.number, mark, state).as_bytes());
        text.extend_from_slice(&job.text);
        text.push(b'\n');
    }
    crate::exec::io::write_all(1, &text);
    sh.jobs.jobs.retain(|j| !j.is_done());
    Ok(0)
}

/// `fg [%job]`: wait for a background job in the foreground.
pub fn fg(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let spec = args
        .get(1)
        .map(|a| a.strip_prefix(b"%").unwrap_or(a))
        .unwrap_or(b"");
    let Some(i) = resolve_job(sh, spec) else {
        sh.error(if args.len() > 1 {
            "fg: No such job"
        } else {
            "fg: No current job"
        });
        return Ok(2);
    };
    let mut line = sh.jobs.jobs[i].text.clone();
    line.push(b'\n');
    crate::exec::io::write_all(1, &line);
    let status = sh.jobs.wait_job(i).map_or(127, ChildStatus::exit_status);
    sh.jobs.remove(i);
    Ok(status)
}

/// `bg [%job]`: background jobs already run; nothing to resume without job control.
pub fn bg(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let spec = args
        .get(1)
        .map(|a| a.strip_prefix(b"%").unwrap_or(a))
        .unwrap_or(b"");
    if resolve_job(sh, spec).is_none() {
        sh.error(if args.len() > 1 {
            "bg: No such job"
        } else {
            "bg: No current job"
        });
        return Ok(2);
    }
    Ok(0)
}
