//! The shell's configuration, resolved: which file (`/etc/auditsh/auditsh.toml`, or
//! `AUDITSH_CONFIG` when not installed setuid), reading and checking it (TOML, read with
//! serde), and the defaults of what it leaves out ([`resolve`]).
//!
//! Every key of the README's Configuration section is here; unknown keys are an error naming
//! them. A missing file means the embedded defaults ([`DEFAULT_TOML`] documents them, and a
//! unit test keeps it equal to [`Config::default`]); a malformed one is reported in one line,
//! and the shell audits with the defaults.

use serde::{Deserialize, Deserializer};
use std::fmt;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The installed config file.
pub const SYSTEM_CONFIG: &str = "/etc/auditsh/auditsh.toml";

/// The installed spool directory.
pub const INSTALLED_SPOOL_DIR: &str = "/var/log/auditsh";

/// The smallest accepted `max_record_bytes`: a record without its payload must fit.
pub const MIN_RECORD_BYTES: usize = 4096;

/// The largest accepted `max_record_bytes`: a record must fit one syslog datagram, and Linux
/// limits a datagram to the socket's send buffer (about 208 KiB by default).
pub const MAX_RECORD_BYTES: usize = 128 * 1024;

/// The defaults, as a config file would spell them: the file the package installs.
pub const DEFAULT_TOML: &str = include_str!("../packaging/auditsh.toml");

/// What happens when a record does not reach the required sinks (`on_failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnFailure {
    /// Keep running, warn once, write `audit-failure` records to the sinks that still work.
    #[default]
    Warn,
    /// A command whose record the required sinks did not accept does not run.
    Refuse,
}

/// Which enabled sinks must accept a record (`require`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Require {
    #[default]
    Any,
    All,
}

/// When the spool file is fdatasync'ed (`spool.sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpoolSync {
    #[default]
    None,
    SessionEnd,
    Record,
}

/// A syslog facility by name (`syslog.facility`): kern, user, mail, daemon, auth, syslog, lpr,
/// news, uucp, cron, authpriv, ftp, local0 ... local7 (an optional `log_` prefix is accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facility(pub u8);

impl Facility {
    pub const AUTHPRIV: Facility = Facility(10 << 3);

    /// The facilities by name, in the order of their codes (RFC 5424: code = place; the
    /// value is the code shifted left by three, as `<PRI>` wants it).
    const NAMES: [&'static str; 24] = [
        "kern",
        "user",
        "mail",
        "daemon",
        "auth",
        "syslog",
        "lpr",
        "news",
        "uucp",
        "cron",
        "authpriv",
        "ftp",
        "ntp",
        "audit",
        "alert",
        "clock_daemon",
        "local0",
        "local1",
        "local2",
        "local3",
        "local4",
        "local5",
        "local6",
        "local7",
    ];
}

impl FromStr for Facility {
    type Err = String;
    fn from_str(s: &str) -> Result<Facility, String> {
        let lower = s.to_ascii_lowercase();
        let name = lower.strip_prefix("log_").unwrap_or(&lower);
        match Facility::NAMES.iter().position(|&n| n == name) {
            Some(code) => Ok(Facility((code as u8) << 3)),
            None => Err(format!("unknown syslog facility `{s}`")),
        }
    }
}

impl<'de> Deserialize<'de> for Facility {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Facility, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub on_failure: OnFailure,
    pub require: Require,
    #[serde(deserialize_with = "de_record_bytes")]
    pub max_record_bytes: usize,
    /// Write `exec` records (command records are always written).
    pub record_exec: bool,
    /// Write an `end` record for every program the shell waits for (and for one that never
    /// started).
    pub record_exit: bool,
    /// The system rc file read before any user startup file; empty: none.
    pub system_rc: PathBuf,
    pub spool: SpoolConfig,
    pub syslog: SyslogConfig,
    pub mac: MacConfig,
    pub limits: LimitsConfig,
    pub retention: RetentionConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpoolConfig {
    pub enabled: bool,
    /// `None`: the mode's default (installed `/var/log/auditsh`, development
    /// `$XDG_STATE_HOME/auditsh` or `~/.local/state/auditsh`).
    pub dir: Option<PathBuf>,
    pub sync: SpoolSync,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyslogConfig {
    pub enabled: bool,
    pub socket: PathBuf,
    pub facility: Facility,
    /// Put `@cee: ` before the JSON (rsyslog mmjsonparse).
    pub cee_cookie: bool,
}

/// Authenticated records (`[mac]`): the key state file the records' MAC key is read from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MacConfig {
    /// `None`: installed, `/var/lib/auditsh/key`; run from a checkout, no MAC.
    pub key_file: Option<PathBuf>,
}

/// What one user may make the audit write (`[limits]`); 0: no limit. Past a byte budget,
/// records keep their fixed fields and truncate their text (with the full text's SHA-256 and
/// length); past the session rate, a session start waits (at most a few seconds).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Bytes of records one session writes whole.
    pub session_bytes: u64,
    /// Bytes of records all of one user's sessions of one (UTC) day write whole.
    pub user_day_bytes: u64,
    /// Sessions one user starts per second.
    pub sessions_per_second: u32,
}

impl Default for LimitsConfig {
    fn default() -> LimitsConfig {
        LimitsConfig {
            session_bytes: 256 << 20,
            user_day_bytes: 1 << 30,
            sessions_per_second: 20,
        }
    }
}

/// How long spool files stay as they are (`[retention]`, applied by `auditsh-log retain`):
/// counted in whole UTC days from the day directory a file lives in; 0: never.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Gzip a session's file once its day is this many days back and no process holds it open.
    pub compress_after_days: u32,
    /// Delete a day directory's files once the day is this many days back.
    pub delete_after_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> RetentionConfig {
        // A week stays plain for tools that read the files as they are; nothing is deleted
        // unless the administrator sets how long records must be kept (that duty is theirs).
        RetentionConfig {
            compress_after_days: 7,
            delete_after_days: 0,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            on_failure: OnFailure::Warn,
            require: Require::Any,
            max_record_bytes: 65536,
            record_exec: true,
            record_exit: true,
            system_rc: PathBuf::from("/etc/auditsh/auditshrc"),
            spool: SpoolConfig::default(),
            syslog: SyslogConfig::default(),
            mac: MacConfig::default(),
            limits: LimitsConfig::default(),
            retention: RetentionConfig::default(),
        }
    }
}

impl Default for SpoolConfig {
    fn default() -> SpoolConfig {
        SpoolConfig {
            enabled: true,
            dir: None,
            sync: SpoolSync::None,
        }
    }
}

impl Default for SyslogConfig {
    fn default() -> SyslogConfig {
        SyslogConfig {
            enabled: true,
            socket: PathBuf::from("/dev/log"),
            facility: Facility::AUTHPRIV,
            cee_cookie: false,
        }
    }
}

fn de_record_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = i64::deserialize(d)?;
    match usize::try_from(n) {
        Ok(n) if (MIN_RECORD_BYTES..=MAX_RECORD_BYTES).contains(&n) => Ok(n),
        _ => Err(serde::de::Error::custom(format!(
            "max_record_bytes must be between {MIN_RECORD_BYTES} and {MAX_RECORD_BYTES}, not {n}"
        ))),
    }
}

/// A config file that could not be used: names the file and, when known, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line of the error.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        // One line, whatever the parser said.
        let mut first = true;
        for part in self
            .message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if !first {
                f.write_str("; ")?;
            }
            f.write_str(part)?;
            first = false;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parse config text; `path` is only used to name the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str::<Config>(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|span| line_of(text, span.start.min(text.len()))),
            message: e.message().to_string(),
        })
    }

    /// Read a config file. A missing file is `Ok(None)`: the caller uses the defaults.
    pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
        let bytes = match crate::sys::fs::read_small(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    line: None,
                    message: crate::sys::errno::io_text(&e),
                })
            }
        };
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t,
            Err(e) => {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    line: Some(line_of_bytes(&bytes, e.valid_up_to())),
                    message: "not valid UTF-8".to_string(),
                })
            }
        };
        Config::parse(text, path).map(Some)
    }

    /// The system rc file, if the config names one.
    pub fn system_rc(&self) -> Option<&Path> {
        if self.system_rc.as_os_str().is_empty() {
            None
        } else {
            Some(&self.system_rc)
        }
    }
}

/// The configuration a session runs with: the config file ([`config_path`]) or, without one,
/// the embedded defaults. `secure`: the installed shell, which takes no input from the
/// environment.
pub fn resolve(secure: bool) -> Config {
    let path = config_path(secure);
    let (mut config, config_file) = load_config(&path);
    // Run from a checkout with no config file at all, the shell sends to syslog only
    // where there is one: a machine or container without a syslog daemon should not get
    // a warning from every `sh -c`. Installed, or configured, a missing socket is a
    // failure like any other.
    if syslog_absent_by_default(secure, config_file, || config.syslog.socket.exists()) {
        config.syslog.enabled = false;
    }
    config
}

/// Whether a missing syslog socket means "no syslog here" rather than a sink failure: only
/// for a shell run from a checkout (not setuid) on the embedded defaults (no config file).
/// The socket is looked at only then.
pub fn syslog_absent_by_default(
    secure: bool,
    config_file: bool,
    socket_exists: impl FnOnce() -> bool,
) -> bool {
    !secure && !config_file && !socket_exists()
}

/// The config file to read: `AUDITSH_CONFIG` unless the process is setuid/setgid.
pub fn config_path(secure: bool) -> PathBuf {
    if !secure {
        if let Some(p) = std::env::var_os("AUDITSH_CONFIG").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
    }
    PathBuf::from(SYSTEM_CONFIG)
}

/// Read the config file: a missing file means the defaults, a malformed one prints one line
/// on stderr and means the (auditing) defaults. Also says whether there is a file at all.
pub fn load_config(path: &Path) -> (Config, bool) {
    match Config::load(path) {
        Ok(Some(c)) => (c, true),
        Ok(None) => (Config::default(), false),
        Err(e) => {
            let _ = std::io::stderr().write_all(
                format!("auditsh: {e} (auditing continues with the default settings)\n").as_bytes(),
            );
            (Config::default(), true)
        }
    }
}

/// The spool directory when the config names none. Installed: `/var/log/auditsh`.
/// Development mode: `$XDG_STATE_HOME/auditsh`, else `~/.local/state/auditsh` with the home
/// from `HOME` or, without it, the real user's entry in /etc/passwd. It never falls back to
/// the installed spool: a development build run by root would create that day's directory
/// as root, and the installed shell could then write no session there until midnight. With
/// no home at all there is no default: the error says how to name one.
pub fn default_spool_dir(secure: bool) -> Result<PathBuf, String> {
    if secure {
        return Ok(PathBuf::from(INSTALLED_SPOOL_DIR));
    }
    if let Some(x) = std::env::var_os("XDG_STATE_HOME").filter(|x| x.as_bytes().starts_with(b"/")) {
        return Ok(Path::new(&x).join("auditsh"));
    }
    let home = std::env::var_os("HOME")
        .map(|h| h.as_bytes().to_vec())
        .filter(|h| h.starts_with(b"/"))
        .or_else(|| {
            let uid = crate::sys::process::uid();
            crate::accounts::user_name(uid)
                .and_then(|name| crate::accounts::home_of(&name))
                .filter(|h| h.starts_with(b"/") && h.as_slice() != b"/")
        });
    match home {
        Some(h) => Ok(Path::new(std::ffi::OsStr::from_bytes(&h)).join(".local/state/auditsh")),
        None => Err(format!(
            "no spool directory: HOME is not set and user {} has no home directory in /etc/passwd (name one with [spool] dir in the file AUDITSH_CONFIG names)",
            crate::sys::process::uid()
        )),
    }
}

/// Whether `dir` names the installed spool or a directory in it (compared by its
/// components, without touching the file system: a development build's start-up stays free
/// of look-ups). A development build does not write there (see [`default_spool_dir`]).
pub fn is_installed_spool(dir: &Path) -> bool {
    use std::path::Component;
    let mut plain = PathBuf::new();
    for c in dir.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                plain.pop();
            }
            other => plain.push(other),
        }
    }
    plain.starts_with(INSTALLED_SPOOL_DIR)
}

fn line_of(text: &str, offset: usize) -> usize {
    line_of_bytes(text.as_bytes(), offset)
}

fn line_of_bytes(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/auditsh/auditsh.toml"))
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn embedded_default_text_matches_the_defaults() {
        assert_eq!(parse(DEFAULT_TOML).unwrap(), Config::default());
    }

    #[test]
    fn default_values() {
        let c = Config::default();
        assert_eq!(c.on_failure, OnFailure::Warn);
        assert_eq!(c.require, Require::Any);
        assert_eq!(c.max_record_bytes, 65536);
        assert!(c.record_exec);
        assert!(c.record_exit);
        assert_eq!(c.system_rc(), Some(Path::new("/etc/auditsh/auditshrc")));
        assert!(c.spool.enabled);
        assert_eq!(c.spool.dir, None);
        assert_eq!(c.spool.sync, SpoolSync::None);
        assert!(c.syslog.enabled);
        assert_eq!(c.syslog.socket, Path::new("/dev/log"));
        assert_eq!(c.syslog.facility, Facility::AUTHPRIV);
        assert!(!c.syslog.cee_cookie);
        assert_eq!(c.mac.key_file, None);
        assert_eq!(c.retention.compress_after_days, 7);
        assert_eq!(c.retention.delete_after_days, 0);
    }

    #[test]
    fn every_key() {
        let c = parse(
            r#"
on_failure = "refuse"
require = "all"
max_record_bytes = 8192
record_exec = false
system_rc = ""

[spool]
enabled = false
dir = "/tmp/spool"
sync = "session-end"

[syslog]
enabled = false
socket = "/run/x.sock"
facility = "local3"
cee_cookie = true

[mac]
key_file = "/tmp/key"

[retention]
compress_after_days = 2
delete_after_days = 400
"#,
        )
        .unwrap();
        assert_eq!(c.on_failure, OnFailure::Refuse);
        assert_eq!(c.require, Require::All);
        assert_eq!(c.max_record_bytes, 8192);
        assert!(!c.record_exec);
        assert_eq!(c.system_rc(), None);
        assert!(!c.spool.enabled);
        assert_eq!(c.spool.dir.as_deref(), Some(Path::new("/tmp/spool")));
        assert_eq!(c.spool.sync, SpoolSync::SessionEnd);
        assert!(!c.syslog.enabled);
        assert_eq!(c.syslog.socket, Path::new("/run/x.sock"));
        assert_eq!(c.syslog.facility, Facility(19 << 3));
        assert_eq!("LOG_local3".parse::<Facility>(), Ok(Facility(19 << 3)));
        assert_eq!("kern".parse::<Facility>(), Ok(Facility(0)));
        assert!("local8".parse::<Facility>().is_err());
        assert!(c.syslog.cee_cookie);
        assert_eq!(c.mac.key_file.as_deref(), Some(Path::new("/tmp/key")));
        assert_eq!(c.retention.compress_after_days, 2);
        assert_eq!(c.retention.delete_after_days, 400);
        assert_eq!(
            parse("[spool]\nsync = \"record\"\n").unwrap().spool.sync,
            SpoolSync::Record
        );
    }

    #[test]
    fn malformed_file_names_the_line() {
        let e = parse("on_failure = \"warn\"\nrequire = \"any\"\nmax_record_bytes = = 3\n")
            .unwrap_err();
        assert_eq!(e.line, Some(3));
        let s = e.to_string();
        assert!(s.starts_with("/etc/auditsh/auditsh.toml: line 3: "), "{s}");
        assert!(!s.contains('\n'), "{s}");
    }

    #[test]
    fn unknown_key_is_named() {
        let e = parse("on_failure = \"warn\"\n\n[spool]\nenabeld = true\n").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.to_string().contains("enabeld"), "{e}");
        let e = parse("colour = 1\n").unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn bad_values() {
        let e = parse("on_failure = \"ignore\"\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.to_string().contains("ignore"), "{e}");
        let e = parse("\n[syslog]\nfacility = \"nope\"\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("nope"), "{e}");
        let e = parse("max_record_bytes = 10\n").unwrap_err();
        assert!(e.to_string().contains("max_record_bytes"), "{e}");
        let e = parse("max_record_bytes = -1\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse("[spool]\nsync = \"always\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse("record_exec = \"yes\"\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse("[retention]\ndelete_after_days = -1\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn missing_file_is_none() {
        assert_eq!(
            Config::load(Path::new("/nonexistent/auditsh/auditsh.toml")),
            Ok(None)
        );
    }

    #[test]
    fn a_missing_syslog_is_quiet_only_on_the_development_defaults() {
        use super::syslog_absent_by_default as quiet;
        assert!(quiet(false, false, || false));
        assert!(
            !quiet(false, false, || true),
            "a socket that is there is used"
        );
        assert!(
            !quiet(false, true, || false),
            "a config file's syslog is expected to work"
        );
        assert!(
            !quiet(true, false, || false),
            "installed, a missing syslog is a failure"
        );
        // Installed or configured, start-up does not even look at the socket.
        assert!(!quiet(true, false, || unreachable!("socket looked at")));
        assert!(!quiet(false, true, || unreachable!("socket looked at")));
    }

    #[test]
    fn the_installed_spool_is_known_however_it_is_written() {
        for yes in [
            "/var/log/auditsh",
            "/var/log/auditsh/",
            "/var//log/./auditsh/2026-12-04",
            "/var/log/x/../auditsh",
        ] {
            assert!(is_installed_spool(Path::new(yes)), "{yes}");
        }
        for no in [
            "/var/log/auditsh-dev",
            "/tmp/auditsh",
            "/var/log",
            "relative/auditsh",
        ] {
            assert!(!is_installed_spool(Path::new(no)), "{no}");
        }
    }
}
