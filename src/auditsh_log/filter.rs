//! The filters `search`, `sessions`, `show` and `report` share, combined with AND.
//!
//! A filter is checked in two steps. [`Filter::prefilter`] looks at the raw bytes of the
//! record's JSON before it is parsed: literals that any matching record must contain (a user
//! name as `"alice"`, a session prefix, the fixed part of a glob, the literal prefixes of a
//! regular expression) and the time bounds, compared with `@timestamp`'s text. It never rejects
//! a record that matches; most records of a large corpus fail it and are never parsed.
//! [`Filter::matches`] then decides on the parsed record.

use super::view::Record;
use super::when::{self, Zone};
use globset::{Glob, GlobBuilder, GlobMatcher};
use ipnet::IpNet;
use memchr::memmem::Finder;
use regex::Regex;
use std::net::IpAddr;

#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Filters (all given must hold)")]
pub struct FilterArgs {
    /// The real or the login user, by name or id
    #[arg(long, value_name = "NAME|UID")]
    pub user: Option<String>,
    /// The login user (user.audit: who logged in, whatever su made of them), by name or id
    #[arg(long, value_name = "NAME|UID")]
    pub login_user: Option<String>,
    /// Host name (glob: 'db*')
    #[arg(long, value_name = "GLOB")]
    pub host: Option<String>,
    /// Session id, or the start of one
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// From this time on (inclusive): RFC 3339, a date (2026-11-21), a local time
    /// ('2026-11-21 13:00'), or a time ago (30m, 2h, 7d, 2w, today, yesterday)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Before this time (exclusive), as --since
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// event.action: session-start, command, exec, end, denied, audit-failure, session-end,
    /// key-rollover (several separated by commas)
    #[arg(long, value_name = "ACTION", value_delimiter = ',')]
    pub action: Vec<String>,
    /// The command line as typed (process.command_line), a regular expression
    #[arg(long, value_name = "REGEX")]
    pub command: Option<String>,
    /// The program started or ended (process.executable of exec and end records): a glob
    /// without '/' is matched against the file name ('sudo', 'py*'), one with '/' against the
    /// whole path ('/usr/sbin/*')
    #[arg(long, value_name = "GLOB")]
    pub exe: Option<String>,
    /// The program's arguments joined by single spaces, argv[0] first, a regular expression
    #[arg(long, value_name = "REGEX")]
    pub args: Option<String>,
    /// Records with this exit status (command ends, session ends, program ends), or any
    /// status but 0 with 'nonzero'
    #[arg(long, value_name = "N|nonzero")]
    pub exit: Option<String>,
    /// The terminal (pts/3 or /dev/pts/3)
    #[arg(long, value_name = "TTY")]
    pub tty: Option<String>,
    /// The remote address (source.ip), or a network (10.0.0.0/8, 2001:db8::/32)
    #[arg(long, value_name = "ADDR|CIDR")]
    pub source_ip: Option<String>,
    /// The working directory (glob: '/etc*')
    #[arg(long, value_name = "GLOB")]
    pub cwd: Option<String>,
    /// Privileged records only: programs such as sudo, su, passwd, useradd, visudo, setcap
    /// (and any --privileged-program), and anything run as root by a user who is not root
    #[arg(long)]
    pub privileged: bool,
    /// Also count this program (a file name) as privileged; repeat or separate by commas
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub privileged_program: Vec<String>,
}

/// What `--exit` asks for.
#[derive(Debug, Clone, Copy)]
enum Exit {
    Is(i64),
    NonZero,
}

/// The filters, compiled.
#[derive(Debug, Default)]
pub struct Filter {
    user: Option<String>,
    login_user: Option<String>,
    host: Option<GlobMatcher>,
    session: Option<String>,
    since: Option<String>,
    until: Option<String>,
    actions: Vec<String>,
    command: Option<Regex>,
    exe: Option<(GlobMatcher, bool)>,
    args: Option<Regex>,
    exit: Option<Exit>,
    tty: Option<String>,
    source: Option<IpNet>,
    cwd: Option<GlobMatcher>,
    privileged: bool,
    /// Programs counted as privileged besides the built-in list.
    pub extra_privileged: Vec<String>,
    /// Groups of literals: every group must have one literal in the JSON text.
    needles: Vec<Vec<Finder<'static>>>,
}

impl Filter {
    /// Compile the filters; times are read in `zone` relative to the current time.
    pub fn compile(a: &FilterArgs, zone: &Zone) -> Result<Filter, String> {
        let now = jiff::Timestamp::now();
        let mut f = Filter {
            user: a.user.clone(),
            login_user: a.login_user.clone(),
            session: a.session.clone(),
            actions: a.action.iter().map(|s| s.trim().to_string()).collect(),
            privileged: a.privileged,
            extra_privileged: a.privileged_program.clone(),
            ..Filter::default()
        };
        if let Some(h) = &a.host {
            f.host = Some(glob("--host", h, true)?);
        }
        if let Some(c) = &a.cwd {
            f.cwd = Some(glob("--cwd", c, false)?);
        }
        if let Some(e) = &a.exe {
            f.exe = Some((glob("--exe", e, false)?, !e.contains('/')));
        }
        if let Some(t) = &a.since {
            f.since = Some(when::bound(t, zone, now).map_err(|e| format!("--since {e}"))?);
        }
        if let Some(t) = &a.until {
            f.until = Some(when::bound(t, zone, now).map_err(|e| format!("--until {e}"))?);
        }
        if let Some(r) = &a.command {
            f.command = Some(regex("--command", r)?);
        }
        if let Some(r) = &a.args {
            f.args = Some(regex("--args", r)?);
        }
        if let Some(x) = &a.exit {
            f.exit = Some(match x.as_str() {
                "nonzero" | "non-zero" => Exit::NonZero,
                n => Exit::Is(n.parse().map_err(|_| {
                    format!("--exit {n}: give an exit status (0, 1, 127 ...) or 'nonzero'")
                })?),
            });
        }
        if let Some(t) = &a.tty {
            f.tty = Some(t.strip_prefix("/dev/").unwrap_or(t).to_string());
        }
        if let Some(s) = &a.source_ip {
            f.source = Some(network(s)?);
        }
        f.needles = needles(a, &f);
        Ok(f)
    }

    /// Whether a record whose JSON text is `json` may match: false only when it cannot.
    pub fn prefilter(&self, json: &[u8]) -> bool {
        if self.since.is_some() || self.until.is_some() {
            const HEAD: &[u8] = b"{\"@timestamp\":\"";
            if let Some(stamp) = json
                .strip_prefix(HEAD)
                .and_then(|rest| rest.get(..27))
                .filter(|s| when::is_canonical(s))
            {
                if self.since.as_ref().is_some_and(|s| stamp < s.as_bytes())
                    || self.until.as_ref().is_some_and(|u| stamp >= u.as_bytes())
                {
                    return false;
                }
            }
        }
        self.needles
            .iter()
            .all(|group| group.iter().any(|f| f.find(json).is_some()))
    }

    /// Whether the record matches every filter.
    pub fn matches(&self, r: &Record) -> bool {
        if self.since.is_some() || self.until.is_some() {
            let Some(t) = r.timestamp.str().and_then(when::canonical) else {
                return false;
            };
            if self.since.as_ref().is_some_and(|s| t < *s)
                || self.until.as_ref().is_some_and(|u| t >= *u)
            {
                return false;
            }
        }
        if let Some(u) = &self.user {
            let ids = [
                r.user.name.str(),
                r.user.id.str(),
                r.user.audit.name.str(),
                r.user.audit.id.str(),
            ];
            if !ids.contains(&Some(u.as_str())) {
                return false;
            }
        }
        if let Some(u) = &self.login_user {
            if r.user.audit.name.str() != Some(u) && r.user.audit.id.str() != Some(u) {
                return false;
            }
        }
        if let Some(h) = &self.host {
            if !r.host.hostname.str().is_some_and(|n| h.is_match(n)) {
                return false;
            }
        }
        if let Some(s) = &self.session {
            if !r.session().is_some_and(|id| id.starts_with(s.as_str())) {
                return false;
            }
        }
        if !self.actions.is_empty() && !self.actions.iter().any(|a| a == r.action()) {
            return false;
        }
        if let Some(re) = &self.command {
            if !r.process.command_line.str().is_some_and(|c| re.is_match(c)) {
                return false;
            }
        }
        if let Some((g, by_name)) = &self.exe {
            // A program's (`exec`, its `end`): in schema 2 the shell's own records name the
            // shell's executable, which is no program started.
            let Some(path) = r.program_executable() else {
                return false;
            };
            let subject = if *by_name {
                path.rsplit('/').next().unwrap_or(path)
            } else {
                path
            };
            if !g.is_match(subject) {
                return false;
            }
        }
        if let Some(re) = &self.args {
            if !r.args_joined().is_some_and(|a| re.is_match(&a)) {
                return false;
            }
        }
        if let Some(x) = self.exit {
            let Some(code) = r.process.exit_code.value() else {
                return false;
            };
            let ok = match x {
                Exit::Is(n) => code == n,
                Exit::NonZero => code != 0,
            };
            if !ok {
                return false;
            }
        }
        if let Some(t) = &self.tty {
            let Some(tty) = r.auditsh.tty.str() else {
                return false;
            };
            if tty.strip_prefix("/dev/").unwrap_or(tty) != t {
                return false;
            }
        }
        if let Some(net) = &self.source {
            let ip = r.source.ip.str().and_then(|s| s.parse::<IpAddr>().ok());
            if !ip.is_some_and(|ip| net.contains(&ip)) {
                return false;
            }
        }
        if let Some(g) = &self.cwd {
            let dirs = [
                r.process.working_directory.str(),
                r.auditsh.logical_cwd.str(),
            ];
            if !dirs.iter().flatten().any(|d| g.is_match(d)) {
                return false;
            }
        }
        if self.privileged && r.privileged(&self.extra_privileged).is_none() {
            return false;
        }
        true
    }

    /// No filter at all: every record matches.
    pub fn is_empty(&self) -> bool {
        self.user.is_none()
            && self.login_user.is_none()
            && self.host.is_none()
            && self.session.is_none()
            && self.since.is_none()
            && self.until.is_none()
            && self.actions.is_empty()
            && self.command.is_none()
            && self.exe.is_none()
            && self.args.is_none()
            && self.exit.is_none()
            && self.tty.is_none()
            && self.source.is_none()
            && self.cwd.is_none()
            && !self.privileged
    }
}

fn glob(option: &str, pattern: &str, case_insensitive: bool) -> Result<GlobMatcher, String> {
    let g: Result<Glob, _> = GlobBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .backslash_escape(true)
        .build();
    g.map(|g| g.compile_matcher())
        .map_err(|e| format!("{option} {pattern}: not a glob pattern ({e})"))
}

fn regex(option: &str, pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        let first = e.to_string();
        let last = first.lines().last().unwrap_or("").trim().to_string();
        format!("{option} {pattern}: not a regular expression ({last})")
    })
}

fn network(text: &str) -> Result<IpNet, String> {
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
        format!(
            "--source-ip {text}: give an address (10.0.0.5, 2001:db8::1) or a network (10.0.0.0/8)"
        )
    })
}

/// Text that a JSON writer copies as it is: such a literal in a field's value is in the line.
fn verbatim(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

fn finder(bytes: &[u8]) -> Finder<'static> {
    Finder::new(bytes).into_owned()
}

/// `"text"` (the whole JSON string) as a literal group, when `text` is written verbatim.
fn quoted(text: &str) -> Option<Vec<Finder<'static>>> {
    verbatim(text).then(|| vec![finder(format!("\"{text}\"").as_bytes())])
}

/// The longest run of characters a glob matches only literally, if it is long enough to
/// be worth looking for.
fn glob_literal(pattern: &str) -> Option<Vec<Finder<'static>>> {
    let mut best = "";
    for run in pattern.split(['*', '?', '[', ']', '{', '}', '\\', ',']) {
        if run.len() > best.len() {
            best = run;
        }
    }
    (best.len() >= 3 && verbatim(best)).then(|| vec![finder(best.as_bytes())])
}

/// The literals one of which begins any match of `pattern` (from its syntax), when there
/// are few and each is long enough. With `words`, the text is an array's items joined by
/// spaces: of each literal only its longest piece without a space is in the JSON.
fn regex_literals(pattern: &str, words: bool) -> Option<Vec<Finder<'static>>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix);
    let seq = ex.extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.len() > 16 {
        return None;
    }
    let mut out = Vec::new();
    for l in lits {
        let mut text = std::str::from_utf8(l.as_bytes()).ok()?;
        if words {
            text = text.split(' ').max_by_key(|w| w.len()).unwrap_or("");
        }
        if text.len() < 2 || !verbatim(text) {
            return None;
        }
        out.push(finder(text.as_bytes()));
    }
    Some(out)
}

fn needles(a: &FilterArgs, f: &Filter) -> Vec<Vec<Finder<'static>>> {
    let mut groups = Vec::new();
    groups.extend(a.user.as_deref().and_then(quoted));
    groups.extend(a.login_user.as_deref().and_then(quoted));
    if let Some(s) = a.session.as_deref().filter(|s| verbatim(s)) {
        groups.push(vec![finder(format!("\"{s}").as_bytes())]);
    }
    if !f.actions.is_empty() && f.actions.iter().all(|x| verbatim(x)) {
        groups.push(
            f.actions
                .iter()
                .map(|x| finder(format!("\"{x}\"").as_bytes()))
                .collect(),
        );
    }
    groups.extend(a.host.as_deref().and_then(|h| {
        // Host names match without regard to case: only a literal with no letters is exact.
        glob_literal(h).filter(|_| !h.bytes().any(|b| b.is_ascii_alphabetic()))
    }));
    groups.extend(a.exe.as_deref().and_then(glob_literal));
    groups.extend(a.cwd.as_deref().and_then(glob_literal));
    groups.extend(a.command.as_deref().and_then(|r| regex_literals(r, false)));
    groups.extend(a.args.as_deref().and_then(|r| regex_literals(r, true)));
    if let Some(t) = f.tty.as_deref().filter(|t| verbatim(t)) {
        groups.push(vec![finder(t.as_bytes())]);
    }
    if f.exit.is_some() {
        groups.push(vec![finder(b"exit_code")]);
    }
    if let Some(net) = &f.source {
        if net.prefix_len() == net.max_prefix_len() && net.addr().is_ipv4() {
            groups.push(vec![finder(format!("\"{}\"", net.addr()).as_bytes())]);
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auditsh_log::view::parse;

    const EXEC: &[u8] = br#"{"@timestamp":"2026-11-21T13:04:48.752211Z","event":{"action":"exec","type":["start"]},"host":{"hostname":"db01"},"user":{"name":"alice","id":"1000","effective":{"name":"root","id":"0"},"audit":{"name":"alice","id":"1000"}},"process":{"executable":"/usr/bin/sudo","args":["sudo","systemctl","restart","nginx"],"working_directory":"/etc/nginx"},"source":{"ip":"10.1.2.3"},"auditsh":{"session":"abcdef0123","tty":"/dev/pts/3"}}"#;

    fn check(args: FilterArgs) -> (bool, bool) {
        let f = Filter::compile(&args, &Zone::utc()).unwrap();
        (f.prefilter(EXEC), f.matches(&parse(EXEC).unwrap()))
    }

    fn both(args: FilterArgs) -> bool {
        let shown = format!("{args:?}");
        let (pre, full) = check(args);
        assert!(pre || !full, "{shown}");
        // The prefilter never rejects a match.
        assert!(pre || !full);
        full
    }

    #[test]
    fn each_filter_matches_and_rejects() {
        let a = FilterArgs::default;
        assert!(both(FilterArgs {
            user: Some("alice".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            user: Some("1000".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            user: Some("bob".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            host: Some("DB*".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            host: Some("web*".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            session: Some("abc".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            session: Some("bc".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            exe: Some("sudo".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            exe: Some("/usr/*/sudo".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            exe: Some("/bin/*".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            args: Some("^sudo systemctl restart".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            args: Some("stop".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            tty: Some("pts/3".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            tty: Some("/dev/pts/3".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            source_ip: Some("10.0.0.0/8".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            source_ip: Some("10.1.2.4".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            cwd: Some("/etc*".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            privileged: true,
            ..a()
        }));
        assert!(both(FilterArgs {
            action: vec!["command".into(), "exec".into()],
            ..a()
        }));
        assert!(!both(FilterArgs {
            action: vec!["command".into()],
            ..a()
        }));
        assert!(!both(FilterArgs {
            exit: Some("nonzero".into()),
            ..a()
        }));
        assert!(both(FilterArgs {
            since: Some("2026-11-21".into()),
            until: Some("2026-11-22".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            since: Some("2026-11-21T13:04:48.752212Z".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            until: Some("2026-11-21T13:04:48.752211Z".into()),
            ..a()
        }));
        assert!(!both(FilterArgs {
            command: Some("x".into()),
            ..a()
        }));
    }

    #[test]
    fn bad_filters_say_what_to_give() {
        let a = FilterArgs::default;
        let e = |args| Filter::compile(&args, &Zone::utc()).unwrap_err();
        assert!(e(FilterArgs {
            command: Some("(".into()),
            ..a()
        })
        .starts_with("--command ("));
        assert!(e(FilterArgs {
            exit: Some("x".into()),
            ..a()
        })
        .contains("nonzero"));
        assert!(e(FilterArgs {
            source_ip: Some("10.0.0".into()),
            ..a()
        })
        .contains("network"));
        assert!(e(FilterArgs {
            since: Some("soon".into()),
            ..a()
        })
        .starts_with("--since soon:"));
    }
}
