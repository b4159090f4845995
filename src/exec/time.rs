//! The `time` keyword (bash): a pipeline's real, user and system times on standard error,
//! in the format `TIMEFORMAT` gives (`%[p][l]R`, `U`, `S`, `%P`, `%%`).

use super::ExecResult;
use crate::state::Shell;
use std::time::{Duration, Instant};

/// bash's format when TIMEFORMAT is unset.
const DEFAULT_FORMAT: &[u8] = b"\nreal\t%3lR\nuser\t%3lU\nsys\t%3lS";
/// `time -p`'s format (POSIX).
const POSIX_FORMAT: &[u8] = b"real %2R\nuser %2U\nsys %2S";

/// User and system CPU time of the shell and its waited-for children.
fn cpu() -> (Duration, Duration) {
    let (su, ss) = crate::sys::process::cpu_usage(false);
    let (cu, cs) = crate::sys::process::cpu_usage(true);
    (su + cu, ss + cs)
}

/// Run `body`, then write its times.
pub fn timed(
    sh: &mut Shell,
    posix_format: bool,
    body: impl FnOnce(&mut Shell) -> ExecResult,
) -> ExecResult {
    let start = Instant::now();
    let (u0, s0) = cpu();
    let result = body(sh);
    let real = start.elapsed();
    let (u1, s1) = cpu();
    let format = if posix_format {
        POSIX_FORMAT.to_vec()
    } else {
        sh.get_var(b"TIMEFORMAT")
            .map_or_else(|| DEFAULT_FORMAT.to_vec(), <[u8]>::to_vec)
    };
    if !format.is_empty() {
        match render(&format, real, u1.saturating_sub(u0), s1.saturating_sub(s0)) {
            Ok(mut text) => {
                text.push(b'\n');
                crate::sys::fd::write_all(2, &text);
            }
            Err(c) => {
                let message = format!("TIMEFORMAT: `{}': invalid format character", c as char);
                sh.report(&crate::exec::ShellError::new(crate::exec::ErrorKind::text(
                    message,
                )));
            }
        }
    }
    result
}

/// `secs` with `precision` decimals, or in the long form `XmY.YYYs`.
fn seconds(d: Duration, precision: usize, long: bool) -> String {
    let total = d.as_secs_f64();
    // bash truncates rather than rounds.
    let scale = 10f64.powi(precision as i32);
    let cut = |v: f64| (v * scale).floor() / scale;
    if long {
        let minutes = (total / 60.0).floor();
        format!(
            "{}m{:.*}s",
            minutes as u64,
            precision,
            cut(total - minutes * 60.0)
        )
    } else {
        format!("{:.*}", precision, cut(total))
    }
}

/// The times in `format`; a character after `%` that names none fails it (bash prints
/// nothing then).
pub fn render(format: &[u8], real: Duration, user: Duration, sys: Duration) -> Result<Vec<u8>, u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < format.len() {
        let c = format[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        let mut precision = 3;
        let mut qualified = false;
        if let Some(d) = format.get(i).filter(|d| d.is_ascii_digit()) {
            precision = usize::from(d - b'0').min(3);
            qualified = true;
            i += 1;
        }
        let long = format.get(i) == Some(&b'l');
        if long {
            qualified = true;
            i += 1;
        }
        match format.get(i) {
            Some(b'R') => out.extend_from_slice(seconds(real, precision, long).as_bytes()),
            Some(b'U') => out.extend_from_slice(seconds(user, precision, long).as_bytes()),
            Some(b'S') => out.extend_from_slice(seconds(sys, precision, long).as_bytes()),
            // bash: `%P` takes neither a precision nor `l`.
            Some(b'P') if qualified => return Err(b'P'),
            Some(b'P') => {
                let r = real.as_secs_f64();
                let p = if r > 0.0 {
                    (user + sys).as_secs_f64() * 100.0 / r
                } else {
                    0.0
                };
                out.extend_from_slice(format!("{p:.2}").as_bytes());
            }
            Some(b'%') => out.push(b'%'),
            Some(&other) => return Err(other),
            // A precision or `l` with nothing after it: bash names the end, a NUL.
            None if qualified => return Err(0),
            None => {
                out.push(b'%');
                break;
            }
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(
            render(b"%R|%2U|%lS|%1lR|%%|%P", d(61_234), d(1_500), d(250)),
            Ok(b"61.234|1.50|0m0.250s|1m1.2s|%|2.86".to_vec())
        );
        assert_eq!(render(b"a%Qb", d(1), d(1), d(1)), Err(b'Q'));
    }
}
