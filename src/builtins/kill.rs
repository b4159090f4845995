//! `kill [-s sig | -sig | -num] pid|%job...` and `kill -l [status]` (XCU kill), as dash does
//! them.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys;
use crate::sys::signal;

const USAGE: &str =
    "Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]";

/// What `kill %job` signals: the job's process group under job control, else each of its
/// processes not known to have ended (a background pipeline has several); and whether the
/// job is stopped.
fn resolve_job_pids(sh: &Shell, spec: &[u8]) -> Option<(Vec<i32>, bool)> {
    let spec = spec.strip_prefix(b"%").unwrap_or(spec);
    let job = &sh.jobs.jobs[super::jobs::resolve_job(sh, spec)?];
    let pids = if job.pgid > 0 {
        vec![-job.pgid]
    } else {
        let running: Vec<i32> = (job.pids.iter().zip(&job.statuses))
            .filter(|(_, s)| s.is_none())
            .map(|(p, _)| *p)
            .collect();
        if running.is_empty() {
            vec![job.pids[0]]
        } else {
            running
        }
    };
    Some((pids, job.is_stopped()))
}

/// dash's `decode_signal(s, 1)`: a number below NSIG, or a name other than EXIT.
fn decode(s: &[u8]) -> Option<i32> {
    let n = signal::number(s)?;
    if n == 0 && !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(n)
}

/// What `kill` was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// `kill -l`: the full list.
    ListAll,
    /// `kill -l N`: one name.
    Name(&'static str),
    /// Send `signal` to each target (pids, `-pgid`s, `%job`s).
    Send { signal: i32, targets: Vec<Vec<u8>> },
}

/// Parse the arguments (without the command name). Err is dash's message (status 2).
pub fn parse(args: &[Vec<u8>]) -> Result<Action, Vec<u8>> {
    if args.is_empty() {
        return Err(USAGE.as_bytes().to_vec());
    }
    let mut signo: Option<i32> = None;
    let mut list = false;
    let mut rest: &[Vec<u8>] = args;
    if args[0].first() == Some(&b'-') {
        signo = decode(&args[0][1..]);
        if signo.is_none() {
            let mut opts = super::getopts::NextOpt::new(args);
            while let Some((c, arg)) = opts.next(b"ls:")? {
                if c == b'l' {
                    list = true;
                } else {
                    let a = arg.unwrap_or(b"");
                    signo = decode(a);
                    if signo.is_none() {
                        let mut m = b"invalid signal number or name: ".to_vec();
                        m.extend_from_slice(a);
                        return Err(m);
                    }
                }
            }
            rest = opts.rest();
        } else {
            rest = &args[1..];
            // `kill -1 -- -PGID`: POSIX's `--` may end the options after the signal too
            // (dash took it for a process, and a script that signalled a group went on).
            if rest.first().is_some_and(|a| a == b"--") {
                rest = &rest[1..];
            }
        }
    }
    if !list && signo.is_none() {
        signo = Some(sys::signal::SIGTERM);
    }
    if (signo.is_none() || rest.is_empty()) ^ list {
        return Err(USAGE.as_bytes().to_vec());
    }
    if list {
        let Some(a) = rest.first() else {
            return Ok(Action::ListAll);
        };
        let n = number(a)?;
        let n = if n > 128 { n - 128 } else { n };
        return match (0 < n && n < i64::from(signal::NSIG))
            .then(|| signal::name(n as i32))
            .flatten()
        {
            Some(name) => Ok(Action::Name(name)),
            None => {
                let mut m = b"invalid signal number or exit status: ".to_vec();
                m.extend_from_slice(a);
                Err(m)
            }
        };
    }
    Ok(Action::Send {
        signal: signo.unwrap_or(sys::signal::SIGTERM),
        targets: rest.to_vec(),
    })
}

/// dash's `number()`, with its message.
fn number(s: &[u8]) -> Result<i64, Vec<u8>> {
    super::getopts::parse_number(s).ok_or_else(|| {
        let mut m = b"Illegal number: ".to_vec();
        m.extend_from_slice(s);
        m
    })
}

/// `kill -l`'s output.
pub fn list_all() -> Vec<u8> {
    let mut out = b"0\n".to_vec();
    for (_, name) in signal::all() {
        out.extend_from_slice(name.as_bytes());
        out.push(b'\n');
    }
    out
}

/// What `compgen -A signal` offers, in bash's order: `EXIT`, each signal by its `SIG` name
/// (`SIGJUNK(N)` for a number without one), then the shell's own conditions.
pub fn signal_names_for_completion() -> Vec<Vec<u8>> {
    let mut names = vec![b"EXIT".to_vec()];
    for &(n, _) in signal::all() {
        names.push(match bash_name(n) {
            Some(name) => format!("SIG{name}").into_bytes(),
            None => format!("SIGJUNK({n})").into_bytes(),
        });
    }
    names.extend([b"DEBUG".to_vec(), b"ERR".to_vec(), b"RETURN".to_vec()]);
    names
}

/// A signal's name as bash has it: dash's, and `STKFLT`, which dash leaves a number.
fn bash_name(n: i32) -> Option<&'static str> {
    if n == libc::SIGSTKFLT {
        return Some("STKFLT");
    }
    signal::name(n).filter(|name| !name.bytes().all(|c| c.is_ascii_digit()))
}

/// A signal's number from a name bash accepts: any case, `SIG` or not.
fn bash_number(a: &[u8]) -> Option<i32> {
    let bare = if a.len() > 3 && a[..3].eq_ignore_ascii_case(b"SIG") {
        &a[3..]
    } else {
        a
    };
    if bare.eq_ignore_ascii_case(b"STKFLT") {
        return Some(libc::SIGSTKFLT);
    }
    signal::number(bare)
}

/// bash's ways of naming the signal, in dash's terms: `-n N` and `-s N` as `-N`, a `SIG`
/// prefix or any case as the bare number.
/// A signal bash does not know is `N: invalid signal specification` (status 1).
fn bash_signal_options(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, Vec<u8>> {
    let mut out = args.to_vec();
    let as_number = |a: &[u8]| match bash_number(a) {
        Some(n) => Ok(format!("-{n}").into_bytes()),
        None => Err([a, b": invalid signal specification"].concat()),
    };
    match args.get(1).map(Vec::as_slice) {
        Some(b"-n" | b"-s") if args.len() > 2 => {
            out.splice(1..3, [as_number(&args[2])?]);
        }
        Some(option @ (b"-n" | b"-s")) => {
            return Err([option, b": option requires an argument"].concat());
        }
        Some([b'-', rest @ ..]) if !rest.is_empty() && !matches!(rest, b"l" | b"L" | b"-") => {
            out[1] = as_number(rest)?;
        }
        _ => {}
    }
    // A `--` after the signal (or `-l`) ends the options (bash).
    if out.len() > 2 && out[1].first() == Some(&b'-') && out[1] != b"--" && out[2] == b"--" {
        out.remove(2);
    }
    Ok(out)
}

/// bash's `kill -l`: the table, five to a line.
fn bash_list_all() -> Vec<u8> {
    let mut out = Vec::new();
    let named = signal::all()
        .iter()
        .filter_map(|&(n, _)| bash_name(n).map(|name| (n, name)));
    for (i, (n, name)) in named.enumerate() {
        out.extend_from_slice(format!("{n:2}) SIG{name}").as_bytes());
        out.push(if i % 5 == 4 { b'\n' } else { b'\t' });
    }
    if out.last() == Some(&b'\t') {
        out.push(b'\n');
    }
    out
}

/// bash's `kill -l ARG...`: a number (or an exit status above 128) gives its name, a name
/// (with or without `SIG`) its number.
/// One operand of bash's `kill -l`: the signal's name for a number (an exit status above 128
/// counts as the signal that caused it), the number for a name.
fn bash_list_one(a: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    let bad = || [a, b": invalid signal specification"].concat();
    let mut out = Vec::new();
    if !a.is_empty() && a.iter().all(u8::is_ascii_digit) {
        let n: i64 = std::str::from_utf8(a)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(-1);
        let n = if n > 128 { n - 128 } else { n };
        if n == 0 {
            out.extend_from_slice(b"EXIT");
        } else {
            let name = i32::try_from(n).ok().filter(|n| *n > 0).and_then(bash_name);
            out.extend_from_slice(name.ok_or_else(bad)?.as_bytes());
        }
    } else {
        let n = bash_number(a).filter(|n| *n >= 0).ok_or_else(bad)?;
        out.extend_from_slice(n.to_string().as_bytes());
    }
    out.push(b'\n');
    Ok(out)
}

pub fn kill(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let rewritten;
    let args = if sh.options.bash() {
        rewritten = match bash_signal_options(args) {
            Ok(rewritten) => rewritten,
            Err(m) => {
                return ShellError::builtin("kill", ErrorKind::Message(m))
                    .with_status(1)
                    .fails()
                    .raise();
            }
        };
        &rewritten
    } else {
        args
    };
    if sh.options.bash() && matches!(args.get(1).map(Vec::as_slice), Some(b"-l" | b"-L")) {
        // bash's `kill -l` does not fail when its output cannot be written.
        if args.len() == 2 {
            crate::sys::fd::write_all(1, &bash_list_all());
            return Ok(0);
        }
        // Each operand in turn: a bad one is reported and the others are still listed.
        let mut status = 0;
        for a in &args[2..] {
            match bash_list_one(a) {
                Ok(text) => drop(crate::sys::fd::write_all(1, &text)),
                Err(m) => {
                    sh.report(&ShellError::builtin("kill", ErrorKind::Message(m)).fails());
                    status = 1;
                }
            }
        }
        return Ok(status);
    }
    let fail = |m: Vec<u8>| {
        ShellError::builtin("kill", ErrorKind::Message(m))
            .fails()
            .raise()
    };
    let (signo, targets) = match parse(args.get(1..).unwrap_or(&[])) {
        Err(m) if m == USAGE.as_bytes() && sh.options.bash() => {
            // bash's usage line, without the line's prefix.
            let usage = "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n";
            crate::sys::fd::write_all(2, usage.as_bytes());
            return Ok(2);
        }
        Err(m) => return fail(m),
        Ok(Action::ListAll) => {
            super::util::out(&list_all());
            return Ok(0);
        }
        Ok(Action::Name(n)) => {
            super::util::out(format!("{n}\n").as_bytes());
            return Ok(0);
        }
        Ok(Action::Send { signal, targets }) => (signal, targets),
    };
    let mut status = 0;
    let mut sent = false;
    for t in &targets {
        let mut stopped_job = false;
        let pids = if t.first() == Some(&b'%') {
            match resolve_job_pids(sh, t) {
                Some((pids, stopped)) => {
                    stopped_job = stopped;
                    pids
                }
                None if sh.options.bash() => {
                    let m = [&t[..], b": no such job"].concat();
                    sh.report(&ShellError::builtin("kill", ErrorKind::Message(m)));
                    status = 1;
                    continue;
                }
                None => {
                    let mut m = b"No such job: ".to_vec();
                    m.extend_from_slice(t);
                    return fail(m);
                }
            }
        } else if let Some(neg) = t.strip_prefix(b"-") {
            match number(neg) {
                Ok(n) => vec![-(n as i32)],
                Err(m) => return fail(m),
            }
        } else {
            match number(t) {
                Ok(n) => vec![n as i32],
                // bash names the operand and goes on with the next.
                Err(_) if sh.options.bash() => {
                    let m = [&t[..], b": arguments must be process or job IDs"].concat();
                    sh.report(&ShellError::builtin("kill", ErrorKind::Message(m)));
                    status = 1;
                    continue;
                }
                Err(m) => return fail(m),
            }
        };
        for pid in pids {
            let result = crate::sys::process::kill(pid, signo);
            sent |= result.is_ok();
            if let Err(e) = result {
                // kill goes on to the next process: the message comes now, before any signal
                // that follows it (one may end this shell). dash's message ends with an extra
                // newline, which shows as a blank line.
                let message = if sh.options.bash() {
                    format!("({pid}) - {}", crate::sys::errno::text(e))
                } else {
                    format!("{}\n", crate::sys::errno::text(e))
                };
                sh.report(&ShellError::builtin("kill", ErrorKind::text(message)));
                status = 1;
            } else if stopped_job
                && signo != 0
                && signo != crate::sys::signal::SIGKILL
                && signo != crate::sys::signal::SIGCONT
            {
                // A stopped job would not see the signal until continued: bash continues it.
                let _ = crate::sys::process::kill(pid, crate::sys::signal::SIGCONT);
            }
        }
    }
    // bash fails only when no process got the signal.
    if sh.options.bash() && sent {
        return Ok(0);
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dash;

    fn w(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn send(sig: i32, t: &[&str]) -> Result<Action, Vec<u8>> {
        Ok(Action::Send {
            signal: sig,
            targets: w(t),
        })
    }

    fn err(m: &str) -> Result<Action, Vec<u8>> {
        Err(m.as_bytes().to_vec())
    }

    #[test]
    fn parsing() {
        assert_eq!(parse(&w(&["1"])), send(15, &["1"]));
        assert_eq!(parse(&w(&["-9", "1", "2"])), send(9, &["1", "2"]));
        assert_eq!(parse(&w(&["-KILL", "1"])), send(9, &["1"]));
        assert_eq!(parse(&w(&["-kill", "1"])), send(9, &["1"]));
        assert_eq!(parse(&w(&["-s", "hup", "1"])), send(1, &["1"]));
        assert_eq!(parse(&w(&["-shup", "1"])), send(1, &["1"]));
        assert_eq!(parse(&w(&["-0", "1"])), send(0, &["1"]));
        assert_eq!(parse(&w(&["--", "1"])), send(15, &["1"]));
        // POSIX's `--` after the signal (dash takes it for a process).
        assert_eq!(parse(&w(&["-9", "--", "1"])), send(9, &["1"]));
        assert_eq!(
            parse(&w(&["-s", "SIGTERM", "1"])),
            err("invalid signal number or name: SIGTERM")
        );
        assert_eq!(
            parse(&w(&["-s", "EXIT", "1"])),
            err("invalid signal number or name: EXIT")
        );
        assert_eq!(parse(&w(&["-9x", "1"])), err("Illegal option -9"));
        assert_eq!(parse(&w(&[])), err(USAGE));
        assert_eq!(parse(&w(&["-9"])), err(USAGE));
        assert_eq!(parse(&w(&["-s"])), err("No arg for -s option"));
        assert_eq!(parse(&w(&["-l"])), Ok(Action::ListAll));
        assert_eq!(parse(&w(&["-l", "9"])), Ok(Action::Name("KILL")));
        assert_eq!(parse(&w(&["-l", "137"])), Ok(Action::Name("KILL")));
        assert_eq!(parse(&w(&["-l", " 9 "])), Ok(Action::Name("KILL")));
        assert_eq!(parse(&w(&["-l", "1", "2"])), Ok(Action::Name("HUP")));
        assert_eq!(
            parse(&w(&["-l", "0"])),
            err("invalid signal number or exit status: 0")
        );
        assert_eq!(
            parse(&w(&["-l", "65"])),
            err("invalid signal number or exit status: 65")
        );
        assert_eq!(parse(&w(&["-l", "abc"])), err("Illegal number: abc"));
        assert_eq!(parse(&w(&["-l", "-s", "1"])), Ok(Action::ListAll));
        assert_eq!(parse(&w(&["-s", "1", "-l", "9"])), err(USAGE));
        assert_eq!(parse(&w(&["-"])), send(15, &["-"]));
    }

    /// Error cases through dash, comparing messages and statuses.
    #[test]
    fn errors_against_dash() {
        let cases: &[&[&str]] = &[
            &[],
            &["-l", "0"],
            &["-l", "abc"],
            &["-l", "200"],
            &["-s", "SIGTERM", "1"],
            &["-9x", "1"],
            &["-s"],
            &["%1"],
            &["abc"],
            &["-"],
            &["-l", "-1"],
        ];
        for c in cases {
            let Some(d) = dash("kill \"$@\"").args(*c).run() else {
                return;
            };
            let e = String::from_utf8_lossy(&d.stderr);
            let e = e
                .strip_suffix('\n')
                .unwrap_or(&e)
                .strip_prefix("sh: 1: kill: ")
                .unwrap_or(&e)
                .to_string();
            let mine = match parse(&w(c)) {
                Err(m) => String::from_utf8_lossy(&m).into_owned(),
                Ok(Action::Send { targets, .. }) => {
                    let t = &targets[0];
                    if t.starts_with(b"%") {
                        format!("No such job: {}", String::from_utf8_lossy(t))
                    } else {
                        let n = t.strip_prefix(b"-").unwrap_or(t);
                        match number(n) {
                            Err(m) => String::from_utf8_lossy(&m).into_owned(),
                            Ok(_) => String::new(),
                        }
                    }
                }
                Ok(_) => String::new(),
            };
            assert_eq!((mine, Some(2)), (e, d.status.code()), "kill {c:?}");
        }
    }

    #[test]
    fn list() {
        let l = list_all();
        assert!(l.starts_with(b"0\nHUP\nINT\n"));
        assert!(l.ends_with(b"RTMAX\n"));
    }
}
