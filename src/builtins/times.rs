//! `times` (XCU 2.14, times): user and system times of the shell, then of its children, as
//! dash prints them (`0m0.010000s 0m0.002000s`), or bash to the millisecond (`0m0.010s`).

use crate::exec::{Context, ExecResult};
use crate::state::Shell;

/// Clock ticks as `MmS.SSSSSSs`.
fn minutes(ticks: i64, per_second: i64) -> String {
    let secs = ticks as f64 / per_second.max(1) as f64;
    let m = (secs / 60.0) as i64;
    format!("{}m{:.6}s", m, secs - m as f64 * 60.0)
}

/// The two lines for the given tick counts.
pub fn render(user: i64, sys: i64, cuser: i64, csys: i64, per_second: i64) -> String {
    format!(
        "{} {}\n{} {}\n",
        minutes(user, per_second),
        minutes(sys, per_second),
        minutes(cuser, per_second),
        minutes(csys, per_second)
    )
}

/// bash's form of a time: `0m0.004s`, to the millisecond.
fn bash_minutes(t: std::time::Duration) -> String {
    let ms = t.as_millis();
    format!("{}m{}.{:03}s", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

pub fn times(sh: &mut Shell, _args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() {
        let (user, sys) = crate::sys::process::cpu_usage(false);
        let (cuser, csys) = crate::sys::process::cpu_usage(true);
        let out = format!(
            "{} {}\n{} {}\n",
            bash_minutes(user),
            bash_minutes(sys),
            bash_minutes(cuser),
            bash_minutes(csys)
        );
        super::util::out(out.as_bytes());
        return Ok(0);
    }
    let (t, hz) = crate::sys::process::cpu_times();
    // clock_t and long are i64 on 64-bit Linux but not everywhere.
    #[allow(clippy::useless_conversion)]
    let out = render(
        i64::from(t.tms_utime),
        i64::from(t.tms_stime),
        i64::from(t.tms_cutime),
        i64::from(t.tms_cstime),
        i64::from(hz),
    );
    super::util::out(out.as_bytes());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dash;

    #[test]
    fn format() {
        assert_eq!(
            render(0, 0, 0, 0, 100),
            "0m0.000000s 0m0.000000s\n0m0.000000s 0m0.000000s\n"
        );
        assert_eq!(
            render(1, 250, 6000, 6123, 100),
            "0m0.010000s 0m2.500000s\n1m0.000000s 1m1.230000s\n"
        );
        assert_eq!(
            render(360_000, 59_999, 7, 12_345, 100),
            "60m0.000000s 9m59.990000s\n0m0.070000s 2m3.450000s\n"
        );
        assert_eq!(
            render(5, 5, 5, 5, 0),
            "0m5.000000s 0m5.000000s\n0m5.000000s 0m5.000000s\n"
        );
    }

    #[test]
    fn shape_matches_dash() {
        let Some(d) = dash("times").run() else {
            return;
        };
        let s = String::from_utf8_lossy(&d.stdout);
        let shape = |s: &str| {
            s.chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect::<String>()
        };
        let lines: Vec<String> = s.lines().map(shape).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            shape(render(1, 2, 3, 4, 100).lines().next().unwrap_or("")),
            lines[0]
        );
    }
}
