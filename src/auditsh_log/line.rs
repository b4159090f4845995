//! One line of a log file → the JSON text of a record, if it holds one.
//!
//! A spool line is the record as written. A syslog line has a prefix (timestamp, host,
//! `auditsh[PID]: `) and maybe an `@cee: ` cookie before the record: the JSON is taken from the
//! first `{`, and that text is what the hash chain covers. Lines of other programs in a syslog
//! file are not records.

use super::input::Format;

/// Which copy of a session a record belongs to: the shell writes every record to the spool
/// and to syslog, and both copies may be read together; each is checked on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Copy {
    /// The line is the record (a spool file).
    Spool,
    /// The record came behind a syslog prefix or cookie.
    Syslog,
}

/// What a line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classified<'a> {
    /// A record, or what should be one. `sure`: the line is auditsh's (a spool file's line, or
    /// a syslog line tagged `auditsh`), so a line that does not parse is a finding; when not
    /// sure, a line that is not an auditsh record is another program's and is skipped.
    Record {
        json: &'a [u8],
        copy: Copy,
        sure: bool,
    },
    /// Not a record (another program's syslog line).
    Other,
}

/// The cookie rsyslog's mmjsonparse looks for.
pub const CEE_COOKIE: &[u8] = b"@cee:";

/// Classify one line (without its newline) of a file in `format`.
pub fn classify(line: &[u8], format: Format) -> Classified<'_> {
    if format == Format::Spool {
        return Classified::Record {
            json: line,
            copy: Copy::Spool,
            sure: true,
        };
    }
    if line.first() == Some(&b'{') {
        return Classified::Record {
            json: line,
            copy: Copy::Spool,
            sure: false,
        };
    }
    let Some(brace) = line.iter().position(|&b| b == b'{') else {
        return Classified::Other;
    };
    let prefix = &line[..brace];
    // "auditsh[PID]: " or "auditsh: " as the syslog tag.
    let sure = prefix.windows(7).any(|w| w == b"auditsh");
    Classified::Record {
        json: &line[brace..],
        copy: Copy::Syslog,
        sure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spool_lines_are_records_as_they_are() {
        assert_eq!(
            classify(b"x{\"a\":1}", Format::Spool),
            Classified::Record {
                json: b"x{\"a\":1}",
                copy: Copy::Spool,
                sure: true
            }
        );
    }

    #[test]
    fn syslog_prefix_and_cookie_are_dropped() {
        let line = b"Nov 21 13:04:48 web01 auditsh[4242]: @cee: {\"a\":1}";
        assert_eq!(
            classify(line, Format::Syslog),
            Classified::Record {
                json: b"{\"a\":1}",
                copy: Copy::Syslog,
                sure: true
            }
        );
        let line = b"<86>Nov 21 13:04:48 auditsh[1]: {\"a\"";
        assert!(matches!(
            classify(line, Format::Syslog),
            Classified::Record { sure: true, .. }
        ));
        let line = b"Nov 21 13:04:48 web01 sshd[1]: Accepted publickey for alice";
        assert_eq!(classify(line, Format::Syslog), Classified::Other);
        let line = b"Nov 21 13:04:48 web01 app[1]: {\"x\":1}";
        assert!(matches!(
            classify(line, Format::Syslog),
            Classified::Record { sure: false, .. }
        ));
    }
}
