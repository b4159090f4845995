//! Times: what `--since`/`--until` accept, and how times are shown (the local zone, or UTC
//! with `--utc`).
//!
//! Records carry `@timestamp` as RFC 3339 in UTC with microseconds (`2026-11-21T13:04:48.752211Z`,
//! always 27 bytes): a bound is turned into that form once, and compared with the record's text
//! byte by byte, without parsing it.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan, Zoned};

/// The zone times are read and shown in.
#[derive(Debug, Clone)]
pub struct Zone(pub TimeZone);

impl Zone {
    /// UTC with `--utc`, else `--tz ZONE` when given, else the system's local zone.
    pub fn pick(utc: bool, tz: Option<&str>) -> Result<Zone, String> {
        if utc {
            return Ok(Zone(TimeZone::UTC));
        }
        match tz {
            Some(name) => TimeZone::get(name).map(Zone).map_err(|_| {
                format!("--tz {name}: not a time zone this system knows (e.g. UTC, Europe/Berlin)")
            }),
            None => Ok(Zone(TimeZone::system())),
        }
    }

    pub fn utc() -> Zone {
        Zone(TimeZone::UTC)
    }

    /// A record's timestamp shown in this zone: `2026-11-21 14:04:48` (seconds).
    pub fn show(&self, stamp: &str) -> String {
        match stamp.parse::<Timestamp>() {
            Ok(t) => t
                .to_zoned(self.0.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            Err(_) => stamp.to_string(),
        }
    }

    /// A record's timestamp as a date-time in this zone.
    pub fn zoned(&self, stamp: &str) -> Option<Zoned> {
        stamp
            .parse::<Timestamp>()
            .ok()
            .map(|t| t.to_zoned(self.0.clone()))
    }
}

/// A bound given on the command line, as a record's `@timestamp` text.
pub fn bound(text: &str, zone: &Zone, now: Timestamp) -> Result<String, String> {
    parse(text, zone, now)
        .map(stamp)
        .map_err(|why| format!("{text}: {why}"))
}

/// An instant as a record's `@timestamp` writes it.
pub fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

fn parse(text: &str, zone: &Zone, now: Timestamp) -> Result<Timestamp, String> {
    let t = text.trim();
    let today = || now.to_zoned(zone.0.clone()).date();
    let midnight = |d: Date| {
        d.to_zoned(zone.0.clone())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    match t {
        "now" => return Ok(now),
        "today" => return midnight(today()),
        "yesterday" => {
            return midnight(today().yesterday().map_err(|e| e.to_string())?);
        }
        _ => {}
    }
    if let Some(span) = relative(t) {
        return now
            .to_zoned(zone.0.clone())
            .checked_sub(span)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    // A date and time (which also reads a date alone, as its midnight) in the zone.
    if let Ok(dt) = t.parse::<DateTime>() {
        return dt
            .to_zoned(zone.0.clone())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    if let Ok(d) = t.parse::<Date>() {
        return midnight(d);
    }
    Err("not a time: give RFC 3339 (2026-11-21T13:04:48Z), a date (2026-11-21), a local time (2026-11-21 13:04), or a time ago (30m, 2h, 7d, 2w, today, yesterday)".to_string())
}

/// `30s`, `30m`, `2h`, `7d`, `2w`: that long ago.
fn relative(t: &str) -> Option<Span> {
    let unit = t.chars().last()?;
    let n: i64 = t[..t.len() - unit.len_utf8()].parse().ok()?;
    if n < 0 {
        return None;
    }
    Some(match unit {
        's' => n.seconds(),
        'm' => n.minutes(),
        'h' => n.hours(),
        'd' => n.days(),
        'w' => n.weeks(),
        _ => return None,
    })
}

/// The text of a record's `@timestamp` in the one form records are written in, or `None`.
pub fn is_canonical(stamp: &[u8]) -> bool {
    stamp.len() == 27
        && stamp[26] == b'Z'
        && stamp[10] == b'T'
        && stamp[4] == b'-'
        && stamp[19] == b'.'
}

/// `stamp` (any RFC 3339) made canonical, to compare with a bound.
pub fn canonical(stamp: &str) -> Option<String> {
    if is_canonical(stamp.as_bytes()) {
        return Some(stamp.to_string());
    }
    stamp.parse::<Timestamp>().ok().map(self::stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-21T13:04:48.5Z".parse().unwrap()
    }

    #[test]
    fn bounds_in_every_form() {
        let utc = Zone::utc();
        assert_eq!(
            bound("2026-11-21T13:04:48+01:00", &utc, now()).unwrap(),
            "2026-11-21T12:04:48.000000Z"
        );
        assert_eq!(
            bound("2026-11-20", &utc, now()).unwrap(),
            "2026-11-20T00:00:00.000000Z"
        );
        assert_eq!(
            bound("2026-11-20 08:30", &utc, now()).unwrap(),
            "2026-11-20T08:30:00.000000Z"
        );
        assert_eq!(
            bound("2h", &utc, now()).unwrap(),
            "2026-11-21T11:04:48.500000Z"
        );
        assert_eq!(
            bound("7d", &utc, now()).unwrap(),
            "2026-11-14T13:04:48.500000Z"
        );
        assert_eq!(
            bound("yesterday", &utc, now()).unwrap(),
            "2026-11-20T00:00:00.000000Z"
        );
        let berlin = Zone::pick(false, Some("Europe/Berlin")).unwrap();
        assert_eq!(
            bound("2026-11-20", &berlin, now()).unwrap(),
            "2026-11-19T23:00:00.000000Z"
        );
        assert!(bound("last tuesday", &utc, now()).is_err());
        assert!(bound("-3h", &utc, now()).is_err());
    }

    #[test]
    fn shown_in_the_zone() {
        let berlin = Zone::pick(false, Some("Europe/Berlin")).unwrap();
        assert_eq!(
            berlin.show("2026-11-21T13:04:48.752211Z"),
            "2026-11-21 14:04:48"
        );
        assert!(Zone::pick(false, Some("Mars/Olympus")).is_err());
    }
}
