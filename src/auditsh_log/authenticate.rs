//! `verify --key FILE`: was each record sealed by auditsh with this host's key?
//!
//! FILE is a verification key or a host's state file: the key of its epoch and of every later
//! day can be derived from it (`audit::mac`), no earlier one. Per record:
//!
//! - no `auditsh.mac`: not authenticated (a line anyone could have written, e.g. with
//!   `logger` to /dev/log). Each such record is a finding, so a file or session with no MAC at
//!   all can never pass;
//! - the MAC is not the HMAC of the line's bytes before it under the key of its
//!   `auditsh.key_epoch`: forged or altered;
//! - `auditsh.key_epoch` is not the UTC day of its `@timestamp`: sealed with another day's
//!   key (a record of an earlier day re-sealed with a later key, held by whoever took the host
//!   later);
//! - `auditsh.key_epoch` before the key file's: cannot be checked with this key.
//!
//! A `key-rollover` record is the exception to the day rule: the shell seals it with the key it
//! held before the day changed, and it names the new day (`auditsh.next_key_epoch`, the day of
//! its `@timestamp`). Which keys a session may use (its first record's, and those its rollover
//! records open) and their order are `verify`'s, which sees the sessions.

use super::digest::Fields;
use crate::audit::mac::{self, Deriver, Unavailable};
use std::path::Path;

/// Checks records' MACs with the keys derived from one key file (cloned for each file read
/// in parallel: the keys derived so far come along).
#[derive(Clone)]
pub struct Authenticator {
    keys: Deriver,
}

/// What one record's check found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Findings, one line each.
    pub problems: Vec<String>,
    /// The record's `auditsh.key_epoch`, when it has one.
    pub epoch: Option<u64>,
    /// An authenticated `key-rollover` record: the epoch it opens.
    pub opens: Option<u64>,
    /// The MAC checked and nothing else was wrong.
    pub authenticated: bool,
}

impl Authenticator {
    /// Read the key file (a symbolic link is followed: this is the security team's copy).
    pub fn load(path: &Path) -> Result<Authenticator, String> {
        let key = mac::Key::read(path, true)?;
        Ok(Authenticator {
            keys: Deriver::new(&key),
        })
    }

    /// Check one record: `json` its bytes as read (the JSON of a syslog line), `r` parsed.
    pub fn check(&mut self, json: &[u8], r: &Fields) -> Checked {
        let mut out = Checked::default();
        let mac_field = &r.auditsh.mac;
        let epoch_field = &r.auditsh.key_epoch;
        if mac_field.is_absent() && epoch_field.is_absent() {
            out.problems.push(
                "not authenticated: the record has no MAC (auditsh.mac); auditsh writes one with the host's key"
                    .to_string(),
            );
            return out;
        }
        let epoch = epoch_field.value();
        let sealed = mac::split_sealed(json)
            .filter(|(_, hex)| mac_field.str().map(str::as_bytes) == Some(hex));
        let (Some(epoch), Some((signed, hex))) = (epoch, sealed) else {
            out.problems.push(
                "not authenticated: auditsh.mac or auditsh.key_epoch is malformed, or the MAC is not the record's last field"
                    .to_string(),
            );
            return out;
        };
        out.epoch = Some(epoch);
        if epoch > mac::MAX_EPOCH {
            out.problems.push(format!(
                "not authenticated: auditsh.key_epoch {epoch} is no day a record can be sealed on"
            ));
            return out;
        }
        let rollover = r.action() == "key-rollover";
        let next = r.auditsh.next_key_epoch.value();
        match (r.timestamp.str().and_then(timestamp_day), rollover) {
            (Some(day), false) if day != epoch => out.problems.push(format!(
                "sealed with the key of another day: auditsh.key_epoch {epoch} ({}) is not the day of its @timestamp ({})",
                mac::date_of(epoch),
                mac::date_of(day)
            )),
            (day, true) if day.is_none() || next != day || next <= Some(epoch) => {
                out.problems.push(format!(
                    "a key-rollover record must be sealed with an earlier day's key and open its own day: auditsh.key_epoch {epoch}, auditsh.next_key_epoch {}, @timestamp's day {}",
                    next.map_or("none".to_string(), |n| n.to_string()),
                    day.map_or("none".to_string(), |d| d.to_string()),
                ));
            }
            _ => {}
        }
        match self.keys.check(epoch, signed, hex) {
            Ok(true) => {
                if out.problems.is_empty() {
                    out.authenticated = true;
                    if rollover {
                        out.opens = next;
                    }
                }
            }
            Ok(false) => out
                .problems
                .push("MAC does not match (forged or altered)".to_string()),
            Err(Unavailable::Before) => out.problems.push(format!(
                "cannot be checked with this key: sealed with the key of {} (epoch {epoch}), before the key file's first day {} (epoch {})",
                mac::date_of(epoch),
                mac::date_of(self.keys.base()),
                self.keys.base()
            )),
            Err(Unavailable::TooFar) => out.problems.push(format!(
                "not authenticated: auditsh.key_epoch {epoch} is more than {} days after the key file's ({})",
                mac::MAX_SPAN,
                self.keys.base()
            )),
        }
        out
    }
}

/// The UTC day (days since 1970-01-01) of a record's `@timestamp` ("YYYY-MM-DDT…").
pub fn timestamp_day(ts: &str) -> Option<u64> {
    let date = ts.get(..10)?;
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' || ts.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let year: i32 = date[..4].parse().ok()?;
    let month: u32 = date[5..7].parse().ok()?;
    let day: u32 = date[8..10].parse().ok()?;
    let d = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    u64::try_from(d.signed_duration_since(epoch).num_days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_days() {
        let day = timestamp_day;
        assert_eq!(day("1970-01-01T00:00:00.000000Z"), Some(0));
        assert_eq!(day("2025-12-03T23:59:59.999999Z"), Some(20425));
        assert_eq!(day("2025-12-04T00:00:00.000000Z"), Some(20426));
        assert_eq!(day("2025-13-04T00:00:00Z"), None);
        assert_eq!(day("2025-12-04"), None);
        assert_eq!(day("1969-12-31T00:00:00Z"), None);
        assert_eq!(day("x"), None);
        assert_eq!(day("2025-1é-04T00:00:00Z"), None);
    }
}
