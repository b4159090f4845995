//! Clocks, read through the standard library (the same vDSO calls as `clock_gettime`).

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// CLOCK_REALTIME as (seconds, nanoseconds); negative seconds before 1970.
pub fn realtime() -> (i64, u32) {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            }
        }
    }
}

/// CLOCK_MONOTONIC as (seconds, nanoseconds) since the process first read it: for durations.
/// A forked child shares its parent's origin, so a span begun before a fork ends right in the
/// child.
pub fn monotonic() -> (i64, u32) {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let d = ORIGIN.get_or_init(Instant::now).elapsed();
    (
        i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        d.subsec_nanos(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_move() {
        let (a, b) = (monotonic(), monotonic());
        assert!(b >= a);
        let (secs, nanos) = realtime();
        assert!(secs > 1_700_000_000 && nanos < 1_000_000_000);
    }
}
