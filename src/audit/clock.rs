//! Clocks: wall time for `@timestamp` (RFC 3339, UTC, microseconds, `Z`), monotonic time for
//! durations. Formatting writes into fixed buffers (no allocation).

use chrono::{Datelike, Timelike};

/// CLOCK_REALTIME as (seconds, nanoseconds).
pub use crate::sys::time::realtime;

/// CLOCK_MONOTONIC in nanoseconds.
pub fn monotonic_ns() -> u64 {
    let (s, ns) = crate::sys::time::monotonic();
    u64::try_from(s)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(ns))
}

/// "2026-11-21T13:04:48.752211Z": 27 bytes.
pub type Timestamp = [u8; 27];

/// Format a wall time as `@timestamp`.
pub fn timestamp(secs: i64, nanos: u32) -> Timestamp {
    let mut out = *b"1970-01-01T00:00:00.000000Z";
    if let Some(t) = chrono::DateTime::from_timestamp(secs, nanos.min(999_999_999)) {
        let year = u32::try_from(t.year()).unwrap_or(0).min(9999);
        put(&mut out[0..4], year);
        put(&mut out[5..7], t.month());
        put(&mut out[8..10], t.day());
        put(&mut out[11..13], t.hour());
        put(&mut out[14..16], t.minute());
        put(&mut out[17..19], t.second());
        put(&mut out[20..26], nanos.min(999_999_999) / 1000);
    }
    out
}

/// The UTC date "YYYY-MM-DD" of a wall time (the spool's day directory).
pub fn date(secs: i64) -> String {
    let ts = timestamp(secs, 0);
    String::from_utf8_lossy(&ts[..10]).into_owned()
}

/// Zero-padded decimal into exactly `out.len()` digits.
fn put(out: &mut [u8], mut v: u32) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// The timestamp as text (it is ASCII by construction).
pub fn as_str(ts: &Timestamp) -> &str {
    std::str::from_utf8(ts).unwrap_or("1970-01-01T00:00:00.000000Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_micros() {
        let ts = timestamp(1_795_266_288, 752_211_999);
        assert_eq!(as_str(&ts), "2026-11-21T13:04:48.752211Z");
        assert_eq!(as_str(&timestamp(0, 0)), "1970-01-01T00:00:00.000000Z");
        assert_eq!(date(1_795_266_288), "2026-11-21");
    }
}
