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

/// `jobs [-l|-p] [%job...]`; bash's also `-r`, `-s`, `-n` and `-x command`.
pub fn jobs(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    sh.jobs.reap_nonblocking(&mut sh.audit);
    let bash = sh.options.bash();
    // `-l` and `-p` undo each other: the last one given counts, as in dash and bash.
    let mut long = false;
    let mut pids_only = false;
    // bash: `-r` running jobs only, `-s` stopped ones only (the last given counts).
    let mut only: Option<bool> = None;
    let mut letters = super::util::OptionLetters::new(args);
    while let Some(c) = letters.next_letter() {
        match c {
            b'l' => (long, pids_only) = (true, false),
            b'p' => (long, pids_only) = (false, true),
            b'r' if bash => only = Some(false),
            b's' if bash => only = Some(true),
            // Every change has been told by the time a command runs here.
            b'n' if bash => {}
            b'x' if bash => return run_with_job_pids(sh, &args[letters.operands()..], cx),
            _ if bash => {
                let message = format!("-{}: invalid option", c as char);
                let usage = "jobs [-lnprs] [jobspec ...] or jobs -x command [args]";
                return super::util::usage_error("jobs", &message, usage)
                    .with_status(2)
                    .raise();
            }
            _ => {
                let message = format!("Illegal option -{}", c as char);
                return ShellError::builtin("jobs", ErrorKind::text(message))
                    .with_status(2)
                    .fails()
                    .raise();
            }
        }
    }
    let specs: Vec<Vec<u8>> = args[letters.operands()..]
        .iter()
        .map(|s| s.strip_prefix(b"%").unwrap_or(s).to_vec())
        .collect();
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
                    let written = &args[letters.operands() + v.len()];
                    let (msg, status) = match bash {
                        true => ([b"%", &s[..], b": no such job"].concat(), 1),
                        false => ([&b"No such job: "[..], written].concat(), 2),
                    };
                    return ShellError::builtin("jobs", ErrorKind::Message(msg))
                        .with_status(status)
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
            specs.is_empty() || specs.iter().any(|s| names_inherited(s, job, mark))
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
        if only.is_some_and(|stopped| stopped != job.is_stopped() || job.is_done()) {
            continue;
        }
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

/// bash's `jobs -x command [args]`: run the command with each job spec among its words
/// replaced by the job's process group.
fn run_with_job_pids(sh: &mut Shell, words: &[Vec<u8>], cx: Context) -> ExecResult {
    let mut fields = Vec::with_capacity(words.len());
    for w in words {
        match w.strip_prefix(b"%") {
            Some(spec) => {
                // A subshell (`jobs -x cmd %1 | ...`) names its parent's jobs.
                let job = match resolve_job(sh, spec) {
                    Some(i) => Some(&sh.jobs.jobs[i]),
                    None => sh
                        .jobs
                        .inherited
                        .iter()
                        .find(|(job, mark)| names_inherited(spec, job, *mark))
                        .map(|(job, _)| job),
                };
                let Some(job) = job else {
                    let msg = [&w[..], b": no such job"].concat();
                    return ShellError::builtin("jobs", ErrorKind::Message(msg))
                        .with_status(1)
                        .fails()
                        .raise();
                };
                let pid = if job.pgid > 0 { job.pgid } else { job.pids[0] };
                fields.push(pid.to_string().into_bytes());
            }
            None => fields.push(w.clone()),
        }
    }
    if fields.is_empty() {
        return Ok(0);
    }
    let lookup = crate::exec::simple::Lookup {
        traced: true,
        ..Default::default()
    };
    crate::exec::simple::run_fields(sh, &fields, &[], &[], cx.not_last(), lookup)
}

/// Whether a `%` spec names a job a subshell inherited, listed with its mark.
fn names_inherited(spec: &[u8], job: &Job, mark: char) -> bool {
    match spec {
        b"" | b"%" | b"+" => mark == '+',
        b"-" => mark == '-',
        n if n.iter().all(u8::is_ascii_digit) => n == job.number.to_string().as_bytes(),
        prefix => job.text.starts_with(prefix),
    }
}
