//! `wait`, `jobs`, `fg`, `bg`: the job table, and job control in an interactive shell.

use crate::exec::jobs::{self, ChildStatus, Job};
use crate::exec::{trap, ExecResult};
use crate::state::Shell;
use crate::sys;
use crate::sys::fd;

/// Forget a finished job; if a command line waited for it, its end record is written now.
fn finish(sh: &mut Shell, index: usize) {
    if let Some(job) = sh.jobs.remove(index) {
        jobs::record_end(&mut sh.audit, &job);
    }
}

/// `wait [pid|%job...]`: wait for the given children (or all); the status is the last one's,
/// 127 for one that is not a child of this shell.
pub fn wait(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    if args.len() == 1 {
        while !sh.jobs.jobs.is_empty() {
            let status = sh.jobs.wait_job(0, false);
            if let Some(st) = status {
                crate::exec::pipeline::report_signal(st);
            }
            finish(sh, 0);
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
                let st = sh.jobs.wait_job(i, false);
                if let Some(st) = st {
                    crate::exec::pipeline::report_signal(st);
                }
                finish(sh, i);
                st.map_or(127, ChildStatus::exit_status)
            }
            None => 127,
        };
    }
    Ok(status)
}

/// The job a `%` spec names: `%N`, `%%`, `%+`, `%-`, `%string` (its command starts with
/// string), `%?string` (its command contains string).
pub fn resolve_job(sh: &Shell, spec: &[u8]) -> Option<usize> {
    let jobs = &sh.jobs.jobs;
    match spec {
        b"" | b"%" | b"+" => sh.jobs.current(0),
        b"-" => sh.jobs.current(1),
        _ if spec.iter().all(u8::is_ascii_digit) => {
            let n: usize = std::str::from_utf8(spec).ok()?.parse().ok()?;
            jobs.iter().position(|j| j.number == n)
        }
        [b'?', rest @ ..] => jobs
            .iter()
            .position(|j| j.text.windows(rest.len().max(1)).any(|w| w == rest)),
        _ => jobs.iter().position(|j| j.text.starts_with(spec)),
    }
}

/// `jobs [-l|-p] [%job...]`
pub fn jobs(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    sh.jobs.reap_nonblocking();
    let mut long = false;
    let mut pids_only = false;
    let mut specs = Vec::new();
    for a in &args[1..] {
        match a.as_slice() {
            b"-l" => long = true,
            b"-p" => pids_only = true,
            s => specs.push(s.strip_prefix(b"%").unwrap_or(s).to_vec()),
        }
    }
    let indices: Vec<usize> = if specs.is_empty() {
        // The most recent job first, as dash lists them.
        (0..sh.jobs.jobs.len()).rev().collect()
    } else {
        let mut v = Vec::new();
        for s in &specs {
            match resolve_job(sh, s) {
                Some(i) => v.push(i),
                None => {
                    let mut msg = b"jobs: %".to_vec();
                    msg.extend_from_slice(s);
                    msg.extend_from_slice(b": no such job");
                    sh.error_bytes(&msg);
                    return Ok(1);
                }
            }
        }
        v
    };
    let mut text = Vec::new();
    for &i in &indices {
        let job: &Job = &sh.jobs.jobs[i];
        let mark = sh.jobs.mark(i);
        if pids_only {
            let pid = if job.pgid > 0 { job.pgid } else { job.pids[0] };
            text.extend_from_slice(format!("{pid}\n").as_bytes());
        } else if long {
            text.extend_from_slice(&jobs::describe_with(job, mark, job.pids.first().copied()));
        } else {
            text.extend_from_slice(&jobs::describe(job, mark));
        }
    }
    fd::write_all(1, &text);
    // Finished jobs have now been reported.
    let mut i = 0;
    while i < sh.jobs.jobs.len() {
        if sh.jobs.jobs[i].is_done() {
            finish(sh, i);
        } else {
            i += 1;
        }
    }
    Ok(0)
}

fn no_job(sh: &Shell, builtin: &str, args: &[Vec<u8>]) -> ExecResult {
    if args.len() > 1 {
        let mut msg = format!("{builtin}: No such job: ").into_bytes();
        msg.extend_from_slice(&args[1]);
        sh.error_bytes(&msg);
    } else {
        sh.error(&format!("{builtin}: No current job"));
    }
    Ok(2)
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
pub fn fg(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let spec = args
        .get(1)
        .map(|a| a.strip_prefix(b"%").unwrap_or(a))
        .unwrap_or(b"");
    let Some(i) = resolve_job(sh, spec) else {
        return no_job(sh, "fg", args);
    };
    let mut line = sh.jobs.jobs[i].text.clone();
    line.push(b'\n');
    fd::write_all(1, &line);
    let control = sh.jobs.control;
    let pgid = sh.jobs.jobs[i].pgid;
    if let (Some(c), true) = (control, pgid > 0) {
        c.give_terminal(pgid);
    }
    continue_job(sh, i);
    let status = sh.jobs.wait_job(i, control.is_some());
    if let Some(c) = control {
        c.take_terminal();
    }
    match status {
        Some(st) if st.is_stopped() => {
            let mut line = b"\n".to_vec();
            line.extend_from_slice(&jobs::describe(&sh.jobs.jobs[i], '+'));
            fd::write_all(2, &line);
            Ok(st.exit_status())
        }
        st => {
            if let Some(st) = st {
                crate::exec::pipeline::report_signal(st);
            }
            finish(sh, i);
            Ok(st.map_or(127, ChildStatus::exit_status))
        }
    }
}

/// `bg [%job]`: continue a stopped job in the background.
pub fn bg(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let spec = args
        .get(1)
        .map(|a| a.strip_prefix(b"%").unwrap_or(a))
        .unwrap_or(b"");
    let Some(i) = resolve_job(sh, spec) else {
        return no_job(sh, "bg", args);
    };
    continue_job(sh, i);
    let job = &sh.jobs.jobs[i];
    let mut line = format!("[{}] ", job.number).into_bytes();
    line.extend_from_slice(&job.text);
    line.push(b'\n');
    fd::write_all(1, &line);
    Ok(0)
}
