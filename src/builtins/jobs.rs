//! `jobs`: the job table listed; and what the other job built-ins share with it: `%` job
//! specs, and forgetting a finished job.

use crate::exec::jobs::{self, Job};
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys::fd;

/// Forget a finished job; if a command line waited for it, its end record is written now.
pub(super) fn finish(sh: &mut Shell, index: usize) {
    if let Some(job) = sh.jobs.remove(index) {
        jobs::record_end(&mut sh.audit, &job);
    }
}

/// The job an operand names: a `%` spec ([`resolve_job`]) or the pid of one of its processes.
pub fn job_of_operand(sh: &Shell, operand: &[u8]) -> Option<usize> {
    match operand.strip_prefix(b"%") {
        Some(spec) => resolve_job(sh, spec),
        None => std::str::from_utf8(operand)
            .ok()
            .and_then(|t| t.parse().ok())
            .and_then(|pid| sh.jobs.find_pid(pid)),
    }
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
pub fn jobs(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    sh.jobs.reap_nonblocking(&mut sh.audit);
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
    let listing_inherited =
        sh.options.bash() && sh.jobs.jobs.is_empty() && !sh.jobs.inherited.is_empty();
    let indices: Vec<usize> = if listing_inherited || (specs.is_empty() && sh.options.bash()) {
        (0..sh.jobs.jobs.len()).collect()
    } else if specs.is_empty() {
        // The most recent job first, as dash lists them.
        (0..sh.jobs.jobs.len()).rev().collect()
    } else {
        let mut v = Vec::new();
        for s in &specs {
            match resolve_job(sh, s) {
                Some(i) => v.push(i),
                None => {
                    let mut msg = b"%".to_vec();
                    msg.extend_from_slice(s);
                    msg.extend_from_slice(b": no such job");
                    return ShellError::builtin("jobs", ErrorKind::Message(msg))
                        .with_status(1)
                        .fails()
                        .raise();
                }
            }
        }
        v
    };
    let mut text = Vec::new();
    if listing_inherited {
        // A subshell lists its parent's jobs, as they were when it started.
        let named = |job: &Job, mark: char| {
            specs.is_empty()
                || specs.iter().any(|s| match s.as_slice() {
                    b"" | b"%" | b"+" => mark == '+',
                    b"-" => mark == '-',
                    n if n.iter().all(u8::is_ascii_digit) => n == job.number.to_string().as_bytes(),
                    prefix => job.text.starts_with(prefix),
                })
        };
        for (job, mark) in sh.jobs.inherited.iter().filter(|(j, m)| named(j, *m)) {
            if pids_only {
                text.extend_from_slice(format!("{}\n", job.pids[0]).as_bytes());
            } else {
                text.extend_from_slice(&jobs::describe_bash(job, *mark, long));
            }
        }
    }
    for &i in &indices {
        let job: &Job = &sh.jobs.jobs[i];
        let mark = sh.jobs.mark(i);
        if pids_only {
            let pid = if job.pgid > 0 { job.pgid } else { job.pids[0] };
            text.extend_from_slice(format!("{pid}\n").as_bytes());
        } else if sh.options.bash() {
            text.extend_from_slice(&jobs::describe_bash(job, mark, long));
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
