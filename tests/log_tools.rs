//! `auditsh-log` against a generated fleet (tests/corpus): every answer is checked against
//! what the generator's own model says it must be.

mod common;
mod corpus;

use common::{TempDir, AUDITSH_LOG};
use corpus::{Fleet, Placement, Rec, Session};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fleet written to a private directory, with its model; removed when dropped.
struct Corpus {
    tmp: TempDir,
    fleet: Fleet,
    sessions: Vec<Session>,
}

fn temp_dir(what: &str) -> TempDir {
    TempDir::new(&format!("log-tools-{what}"))
}

/// 5 hosts, 3 days (Friday to Sunday), 4 sessions per host and day.
fn fleet() -> Fleet {
    Fleet::new(20261106, 5, 3, 4)
}

fn write(fleet: Fleet, what: &str) -> Corpus {
    let tmp = temp_dir(what);
    let mut sessions = Vec::new();
    fleet
        .write(tmp.path(), &mut |s| sessions.push(s.clone()))
        .expect("the corpus is written (needs the zstd program)");
    Corpus {
        tmp,
        fleet,
        sessions,
    }
}

fn clean() -> Corpus {
    write(fleet(), "clean")
}

fn damaged() -> Corpus {
    write(fleet().with_damage(), "damaged")
}

fn log(args: &[&str], paths: &[&Path]) -> Output {
    Command::new(AUDITSH_LOG)
        .args(args)
        .args(paths)
        .env("TZ", "UTC")
        .env_remove("XDG_STATE_HOME")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        text(&o.stdout).chars().take(3000).collect::<String>(),
        text(&o.stderr).chars().take(3000).collect::<String>()
    )
}

type Key = (String, u64);

impl Corpus {
    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn all(&self) -> impl Iterator<Item = (&Session, &Rec)> {
        self.sessions
            .iter()
            .flat_map(|s| s.records.iter().map(move |r| (s, r)))
    }

    /// The records `pred` selects, by session and sequence.
    fn expect(&self, pred: &dyn Fn(&Session, &Rec) -> bool) -> BTreeMap<Key, (&Session, &Rec)> {
        self.all()
            .filter(|(s, r)| pred(s, r))
            .map(|(s, r)| ((s.id.clone(), r.seq), (s, r)))
            .collect()
    }

    fn records(&self) -> usize {
        self.all().count()
    }

    fn search(&self, args: &[&str]) -> Output {
        let mut a = vec!["search"];
        a.extend_from_slice(args);
        log(&a, &[self.dir()])
    }

    /// `search --format csv FILTERS` gives exactly the records `pred` selects, each row's cells
    /// as the model has them; the exit status says whether any matched.
    fn check(&self, filters: &[&str], pred: &dyn Fn(&Session, &Rec) -> bool) {
        let want = self.expect(pred);
        assert!(
            !want.is_empty() && want.len() < self.records(),
            "{filters:?} selects {} of {} records: not a test of the filter",
            want.len(),
            self.records()
        );
        let mut args = vec!["--format", "csv"];
        args.extend_from_slice(filters);
        let out = self.search(&args);
        assert_eq!(out.status.code(), Some(0), "{filters:?}: {}", show(&out));
        let rows = csv_rows(&out.stdout);
        assert_eq!(rows[0], HEADER, "{filters:?}: the CSV header");
        let mut got = BTreeSet::new();
        for row in &rows[1..] {
            let key = (row[2].clone(), row[3].parse::<u64>().expect("sequence"));
            let Some((s, r)) = want.get(&key) else {
                panic!("{filters:?}: {row:?} matched, and must not");
            };
            assert_eq!(*row, s.csv_row(r), "{filters:?}: the row of {key:?}");
            got.insert(key);
        }
        let missing: Vec<_> = want.keys().filter(|k| !got.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "{filters:?}: {} of {} records missing, e.g. {:?}",
            missing.len(),
            want.len(),
            &missing[..missing.len().min(5)]
        );
    }
}

const HEADER: [&str; 18] = [
    "timestamp",
    "host",
    "session",
    "sequence",
    "action",
    "type",
    "user",
    "effective_user",
    "login_user",
    "tty",
    "source_ip",
    "cwd",
    "executable",
    "args",
    "command_line",
    "exit_code",
    "outcome",
    "message",
];

fn csv_rows(b: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(b)
        .records()
        .map(|r| r.expect("CSV").iter().map(str::to_string).collect())
        .collect()
}

/// `addr` is in `net` (`a.b.c.d/n`, `x::/n`, or one address).
fn in_net(addr: &str, net: &str) -> bool {
    let (base, bits) = match net.split_once('/') {
        Some((b, n)) => (b, n.parse::<u32>().unwrap()),
        None => (net, 128),
    };
    match (
        addr.parse::<IpAddr>().unwrap(),
        base.parse::<IpAddr>().unwrap(),
    ) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let bits = bits.min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

fn source(s: &Session) -> Option<&str> {
    s.source.as_ref().map(|x| x.0.as_str())
}

// ---------------------------------------------------------------------------------------------
// search: each filter.

#[test]
fn the_corpus_has_what_the_filters_need() {
    let c = clean();
    let placements: BTreeSet<_> = c
        .sessions
        .iter()
        .map(|s| format!("{:?}", s.placement))
        .collect();
    assert_eq!(
        placements.len(),
        3,
        "spool, syslog and both: {placements:?}"
    );
    let modes: BTreeSet<_> = c.sessions.iter().map(|s| s.mode).collect();
    assert_eq!(modes.len(), 3, "{modes:?}");
    assert!(c
        .sessions
        .iter()
        .any(|s| s.login.as_ref().is_some_and(|l| l.name != s.user.name)));
    assert!(c.sessions.iter().any(|s| s.off_hours(8, 18)));
    assert!(c.sessions.iter().any(|s| !s.off_hours(8, 18)));
    for action in ["denied", "audit-failure", "session-end", "exec", "end"] {
        assert!(c.all().any(|(_, r)| r.action == action), "{action}");
    }
    // Both schemas, in the spool trees and in the collector's files; programs that ended,
    // were killed, were not found, were refused, and pipelines' members named only by their
    // exec records.
    for version in [1, 2] {
        for placement in [Placement::Spool, Placement::Syslog] {
            assert!(
                c.sessions
                    .iter()
                    .any(|s| s.version == version && s.placement == placement),
                "schema {version} in {placement:?}"
            );
        }
    }
    let ends: Vec<&Rec> = c
        .all()
        .map(|(_, r)| r)
        .filter(|r| r.is_program_end())
        .collect();
    assert!(ends.iter().any(|r| r.signal.is_some()));
    assert!(ends.iter().any(|r| r.error_code == Some("ENOENT")));
    assert!(ends.iter().any(|r| r.error_code == Some("EACCES")));
    assert!(ends
        .iter()
        .any(|r| r.executable.is_none() && r.args.is_none()));
    assert!(c.all().any(|(_, r)| r.signal.is_some()));
    let files = walk(c.dir());
    for end in [
        ".jsonl",
        ".jsonl.gz",
        "auditsh.log",
        ".log.1.gz",
        ".log.2.zst",
    ] {
        assert!(
            files.iter().any(|f| f.to_string_lossy().ends_with(end)),
            "a file *{end}"
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn search_by_user_name_and_id() {
    let c = clean();
    c.check(&["--user", "alice"], &|s, _| {
        s.user.name == "alice" || s.login_name() == Some("alice")
    });
    c.check(&["--user", "1002"], &|s, _| {
        s.user.id == "1002" || s.login.as_ref().is_some_and(|l| l.id == "1002")
    });
    c.check(&["--user", "root"], &|s, _| s.user.name == "root");
}

#[test]
fn search_by_login_user() {
    let c = clean();
    c.check(&["--login-user", "carol"], &|s, _| {
        s.login_name() == Some("carol")
    });
    c.check(&["--login-user", "1001"], &|s, _| {
        s.login_name() == Some("alice")
    });
}

#[test]
fn search_by_host_glob() {
    let c = clean();
    c.check(&["--host", "WEB*"], &|s, _| s.host.starts_with("web"));
    c.check(&["--host", "db01"], &|s, _| s.host == "db01");
    c.check(&["--host", "b?*"], &|s, _| s.host.starts_with('b'));
}

#[test]
fn search_by_session_prefix() {
    let c = clean();
    let id = c.sessions[7].id.clone();
    c.check(&["--session", &id], &|s, _| s.id == id);
    let prefix = &id[..5];
    c.check(&["--session", prefix], &|s, _| s.id.starts_with(prefix));
}

#[test]
fn search_by_time() {
    let c = clean();
    let day = corpus::MICROS_PER_DAY;
    let d1 = c.fleet.first_day * day + day;
    c.check(&["--since", "2026-11-07T12:00:00Z"], &|_, r| {
        r.ts >= d1 + 12 * 3_600_000_000
    });
    c.check(&["--until", "2026-11-07T12:00:00Z"], &|_, r| {
        r.ts < d1 + 12 * 3_600_000_000
    });
    // An offset: 06:30+02:00 is 04:30Z.
    c.check(&["--since", "2026-11-07T06:30:00+02:00"], &|_, r| {
        r.ts >= d1 + 4 * 3_600_000_000 + 30 * 60_000_000
    });
    // Dates in the local zone (TZ=UTC): the whole of Saturday.
    c.check(
        &["--since", "2026-11-07", "--until", "2026-11-08"],
        &|_, r| r.ts >= d1 && r.ts < d1 + day,
    );
    // Inclusive since, exclusive until, to the microsecond.
    let (s, r) = c.all().nth(40).unwrap();
    let t = r.timestamp();
    let (sid, seq) = (s.id.clone(), r.seq);
    let out = c.search(&["--format", "csv", "--since", &t, "--until", &t]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let next = corpus::stamp(r.ts + 1);
    let out = c.search(&[
        "--format",
        "csv",
        "--since",
        &t,
        "--until",
        &next,
        "--session",
        &sid,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let rows = csv_rows(&out.stdout);
    assert!(
        rows[1..].iter().all(|row| row[3] == seq.to_string()),
        "{rows:?}"
    );
}

#[test]
fn search_by_action() {
    let c = clean();
    c.check(&["--action", "exec"], &|_, r| r.action == "exec");
    c.check(&["--action", "session-start,session-end"], &|_, r| {
        r.action.starts_with("session-")
    });
    c.check(&["--action", "denied,audit-failure"], &|_, r| {
        r.action == "denied" || r.action == "audit-failure"
    });
}

#[test]
fn search_program_ends() {
    let c = clean();
    c.check(&["--action", "end"], &|_, r| r.is_program_end());
    // How programs ended: by their status, and the not found (127) and refused (126).
    c.check(&["--action", "end", "--exit", "nonzero"], &|_, r| {
        r.is_program_end() && r.exit_code.is_some_and(|x| x != 0)
    });
    c.check(&["--action", "end", "--exit", "127"], &|_, r| {
        r.is_program_end() && r.exit_code == Some(127)
    });
    // The end of a program that names its executable (a pipeline's member exec'd in a
    // forked child does not: only its exec record does).
    c.check(&["--action", "end", "--exe", "sudo"], &|_, r| {
        r.is_program_end() && r.program() == Some("sudo")
    });
    assert!(c
        .all()
        .any(|(_, r)| r.action == "exec" && r.program() == Some("head")));
    let out = c.search(&["--action", "end", "--exe", "head"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "head runs in pipelines only: {}",
        show(&out)
    );
    c.check(&["--action", "end", "--exe", "build.sh"], &|_, r| {
        r.is_program_end() && r.program() == Some("build.sh")
    });
    // A name not found carries its argv.
    c.check(&["--action", "end", "--args", "^sl$"], &|_, r| {
        r.is_program_end() && r.args_joined().as_deref() == Some("sl")
    });
    // The table says which program and how it ended.
    let out = c.search(&["--utc", "--action", "end", "--host", "bastion"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let t = text(&out.stdout);
    let want = c.expect(&|s, r| s.host == "bastion" && r.is_program_end());
    assert_eq!(t.lines().count() - 1, want.len(), "{t}");
    for (s, r) in want.values() {
        let p = r.program.as_ref().unwrap();
        let name = r
            .program()
            .map(str::to_string)
            .or_else(|| r.args_joined())
            .unwrap_or_else(|| format!("process {}", &p.entity[s.id.len() + 1..]));
        let how = match (&r.error, r.signal) {
            (Some(e), _) => format!("{name} not started: {e} (exit {})", r.exit_code.unwrap()),
            (None, Some(sig)) => format!("{name} killed by {sig} after "),
            (None, None) => format!("{name} exit {} after ", r.exit_code.unwrap()),
        };
        let row = t.lines().find(|l| {
            l.starts_with(&corpus::shown(r.ts))
                && l.contains(" end ")
                && l.contains(&format!(" {}  ", r.exit_code.unwrap()))
                && l.contains(&how)
        });
        assert!(
            row.is_some(),
            "no row {how:?} at {}: {t}",
            corpus::shown(r.ts)
        );
    }
}

#[test]
fn search_by_command_line() {
    let c = clean();
    c.check(&["--command", "^git "], &|_, r| {
        r.command_line
            .as_deref()
            .is_some_and(|t| t.starts_with("git "))
    });
    c.check(&["--command", "rsync"], &|_, r| {
        r.command_line
            .as_deref()
            .is_some_and(|t| t.contains("rsync"))
    });
    c.check(&["--command", r#"quote \\"x"#], &|_, r| {
        r.command_line
            .as_deref()
            .is_some_and(|t| t.contains("quote \\\"x"))
    });
}

#[test]
fn search_by_program() {
    let c = clean();
    c.check(&["--exe", "sudo"], &|_, r| r.program() == Some("sudo"));
    c.check(&["--exe", "py*"], &|_, r| {
        r.program().is_some_and(|p| p.starts_with("py"))
    });
    c.check(&["--exe", "/usr/sbin/*"], &|_, r| {
        r.executable
            .as_deref()
            .is_some_and(|p| p.starts_with("/usr/sbin/"))
    });
    c.check(&["--exe", "/opt/tools/deploy.sh"], &|_, r| {
        r.executable.as_deref() == Some("/opt/tools/deploy.sh")
    });
    // Without '/', the file name only: 'usr*' names no program.
    let out = c.search(&["--exe", "usr*"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
}

#[test]
fn search_by_arguments() {
    let c = clean();
    // Also a `-c` shell's own argv in its session-start record.
    c.check(&["--args", "restart nginx"], &|_, r| {
        r.args_joined().is_some_and(|a| a.contains("restart nginx"))
    });
    c.check(&["--args", "^ls -"], &|_, r| {
        r.args_joined().is_some_and(|a| a.starts_with("ls -"))
    });
}

#[test]
fn search_by_exit_status() {
    let c = clean();
    c.check(&["--exit", "2"], &|_, r| r.exit_code == Some(2));
    c.check(&["--exit", "0"], &|_, r| r.exit_code == Some(0));
    c.check(&["--exit", "nonzero"], &|_, r| {
        r.exit_code.is_some_and(|x| x != 0)
    });
}

#[test]
fn search_by_tty() {
    let c = clean();
    let tty = c
        .sessions
        .iter()
        .find_map(|s| s.tty.clone().filter(|t| t.starts_with("/dev/pts/")))
        .unwrap();
    let short = tty.strip_prefix("/dev/").unwrap().to_string();
    c.check(&["--tty", &tty], &|s, _| {
        s.tty.as_deref() == Some(tty.as_str())
    });
    c.check(&["--tty", &short], &|s, _| {
        s.tty.as_deref() == Some(tty.as_str())
    });
    c.check(&["--tty", "tty1"], &|s, _| {
        s.tty.as_deref() == Some("/dev/tty1")
    });
}

#[test]
fn search_by_source_address_and_network() {
    let c = clean();
    for net in [
        "192.0.2.7",
        "192.0.2.0/24",
        "10.0.0.0/8",
        "2001:db8::/32",
        "2001:db8::7",
        "2001:db8:0:1::/64",
    ] {
        c.check(&["--source-ip", net], &|s, _| {
            source(s).is_some_and(|ip| in_net(ip, net))
        });
    }
}

#[test]
fn search_by_working_directory() {
    let c = clean();
    c.check(&["--cwd", "/etc*"], &|_, r| {
        r.cwd.as_deref().is_some_and(|d| d.starts_with("/etc"))
    });
    c.check(&["--cwd", "*café"], &|_, r| {
        r.cwd.as_deref().is_some_and(|d| d.ends_with("café"))
    });
    c.check(&["--cwd", "/srv/data/Q3 reports"], &|_, r| {
        r.cwd.as_deref() == Some("/srv/data/Q3 reports")
    });
}

#[test]
fn search_privileged() {
    let c = clean();
    c.check(&["--privileged"], &|s, r| s.privileged(r).is_some());
    assert!(c
        .all()
        .any(|(s, r)| s.privileged(r) == Some("effective-root")));
    // An added program is privileged where it starts (its `end` is not).
    c.check(&["--privileged", "--privileged-program", "tar"], &|s, r| {
        s.privileged(r).is_some() || (r.action == "exec" && r.program() == Some("tar"))
    });
    // No program's end is privileged, by its name or its user.
    assert!(c.all().any(|(s, r)| r.is_program_end()
        && (s.effective.id == "0" && s.user.id != "0"
            || r.program().is_some_and(|p| corpus::PRIVILEGED.contains(&p)))));
}

#[test]
fn search_with_several_filters() {
    let c = clean();
    c.check(
        &["--user", "alice", "--action", "exec", "--exe", "sudo"],
        &|s, r| {
            (s.user.name == "alice" || s.login_name() == Some("alice"))
                && r.action == "exec"
                && r.program() == Some("sudo")
        },
    );
    c.check(
        &["--host", "web*", "--exit", "nonzero", "--action", "command"],
        &|s, r| s.host.starts_with("web") && r.is_failed_command(),
    );
    c.check(&["--privileged", "--since", "2026-11-07"], &|s, r| {
        s.privileged(r).is_some() && r.ts >= (c.fleet.first_day + 1) * corpus::MICROS_PER_DAY
    });
    c.check(
        &["--source-ip", "2001:db8::/32", "--cwd", "/home/*"],
        &|s, r| {
            source(s).is_some_and(|ip| ip.contains(':'))
                && r.cwd.as_deref().is_some_and(|d| d.starts_with("/home/"))
        },
    );
}

// ---------------------------------------------------------------------------------------------
// search: formats, counts, exit statuses.

/// The model's lines, each once: what `--format jsonl` must print for `pred`.
fn lines_of(c: &Corpus, pred: &dyn Fn(&Session, &Rec) -> bool) -> Vec<String> {
    let mut v: Vec<String> = c
        .all()
        .filter(|(s, r)| pred(s, r))
        .map(|(_, r)| r.line.clone())
        .collect();
    v.sort();
    v
}

fn out_lines(o: &Output) -> Vec<String> {
    let mut v: Vec<String> = text(&o.stdout).lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn jsonl_is_each_record_as_stored_once() {
    let c = clean();
    assert!(c.sessions.iter().any(|s| s.placement == Placement::Both));
    let out = c.search(&["--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(out.stdout.ends_with(b"}\n"));
    let got = out_lines(&out);
    let want = lines_of(&c, &|_, _| true);
    let dup = got.windows(2).filter(|w| w[0] == w[1]).count();
    assert_eq!(
        dup, 0,
        "records printed twice (a session's spool and syslog copies)"
    );
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the lines differ from the records as written");
}

#[test]
fn jsonl_of_a_filter_is_byte_identical() {
    let c = clean();
    // Sessions of one copy only: what is printed does not depend on dropping duplicates.
    let hosts = ["web02", "bastion"];
    for h in hosts {
        let out = c.search(&["--format", "jsonl", "--host", h, "--action", "command"]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        let want = lines_of(&c, &|s, r| s.host == h && r.action == "command");
        assert_eq!(out_lines(&out), want, "--host {h}");
    }
}

#[test]
fn each_record_counted_once() {
    let c = clean();
    let want = c.expect(&|_, r| r.action == "exec").len();
    let out = c.search(&["--count", "--action", "exec"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(text(&out.stdout).trim(), want.to_string());
    let out = c.search(&["--count"]);
    assert_eq!(text(&out.stdout).trim(), c.records().to_string());
    let out = c.search(&["--format", "csv"]);
    assert_eq!(csv_rows(&out.stdout).len() - 1, c.records());
}

#[test]
fn count_of_one_copy() {
    let c = clean();
    // bastion's sessions are in its syslog files only.
    let want = c
        .expect(&|s, r| s.host == "bastion" && r.action == "exec")
        .len();
    assert!(want > 0);
    let out = c.search(&["--count", "--action", "exec", "--host", "bastion"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(text(&out.stdout), format!("{want}\n"));
    let out = c.search(&["--count", "--user", "nobody-at-all"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(text(&out.stdout), "0\n");
}

#[test]
fn exit_statuses_are_greps() {
    let c = clean();
    assert_eq!(c.search(&["--user", "alice"]).status.code(), Some(0));
    let out = c.search(&["--user", "mallory"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let out = c.search(&["--format", "csv", "--user", "mallory"]);
    assert_eq!(
        csv_rows(&out.stdout),
        vec![HEADER.map(String::from).to_vec()]
    );
    let out = c.search(&["--command", "("]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(text(&out.stderr).contains("--command"), "{}", show(&out));
    let out = c.search(&["--source-ip", "not-an-address"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let out = log(&["search"], &[&c.dir().join("no-such-dir")]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}

#[test]
fn table_shows_the_rows() {
    let c = clean();
    // web02's sessions are in its syslog files only: each row once whatever the reading of
    // both copies does.
    let out = c.search(&["--utc", "--action", "command", "--host", "web02"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let t = text(&out.stdout);
    let lines: Vec<&str> = t.lines().collect();
    for w in ["TIME", "HOST", "USER", "TTY", "ACTION", "EXIT", "WHAT"] {
        assert!(lines[0].contains(w), "header {:?}", lines[0]);
    }
    let want = c.expect(&|s, r| s.host == "web02" && r.action == "command");
    assert_eq!(lines.len() - 1, want.len(), "{t}");
    for (s, r) in want.values() {
        let time = corpus::shown(r.ts);
        // Control characters and backslashes are shown escaped (`\x0a`).
        let what: Vec<String> = match r.command_line.as_deref() {
            Some(cl) if !cl.contains(['\n', '\\']) => vec![format!("  {cl}")],
            Some(_) => vec![" command ".to_string()],
            None => vec![
                " command-end ".to_string(),
                format!(" {}  ", r.exit_code.unwrap()),
            ],
        };
        let row = lines.iter().find(|l| {
            l.starts_with(&time)
                && l.contains(&s.host)
                && l.contains(s.user.name)
                && what.iter().all(|w| l.contains(w.as_str()))
        });
        assert!(
            row.is_some(),
            "no row at {time} on {} with {what:?}: {t}",
            s.host
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The empty-run rule, bad input.

fn no_records_dir() -> TempDir {
    let d = temp_dir("norecords");
    std::fs::write(d.join("README"), "not a log\n").unwrap();
    std::fs::create_dir_all(d.join("remote/web01")).unwrap();
    std::fs::write(
        d.join("remote/web01/messages"),
        "Nov  6 10:00:00 web01 sshd[12]: Accepted publickey for alice from 192.0.2.7 port 5 ssh2\n\
         Nov  6 10:00:01 web01 app[13]: {\"level\":\"info\",\"msg\":\"started\"}\n",
    )
    .unwrap();
    d
}

/// `auditsh-log SUB` on an empty directory and on one of files without records: exit 2 and
/// the message.
fn without_records(sub: &[&str]) {
    let empty = temp_dir("empty");
    let other = no_records_dir();
    for dir in [empty.path(), other.path()] {
        let out = log(sub, &[dir]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{sub:?} {}: {}",
            dir.display(),
            show(&out)
        );
        assert!(
            text(&out.stderr).contains("auditsh-log: no audit records in"),
            "{sub:?}: {}",
            show(&out)
        );
    }
}

#[test]
fn search_without_records_is_an_error() {
    without_records(&["search"]);
    without_records(&["search", "--count"]);
    without_records(&["search", "--format", "csv"]);
}

#[test]
fn verify_without_records_is_an_error() {
    without_records(&["verify"]);
}

#[test]
fn damaged_files_are_one_warning_each_and_the_rest_is_read() {
    let c = clean();
    let bad_dir = c.dir().join("bad");
    let bad = corpus::write_bad_inputs(&c.fleet, &bad_dir).unwrap();
    let extra: usize = bad.sessions.iter().map(|s| s.records.len()).sum();
    // The collector's files (each record once there) and the damaged files.
    let remote = c.dir().join("remote");
    let fleet_records = c
        .sessions
        .iter()
        .filter(|s| s.placement != Placement::Spool)
        .map(|s| s.records.len())
        .sum::<usize>();
    let out = log(&["search", "--count"], &[&remote, &bad_dir]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(
        text(&out.stdout).trim(),
        (fleet_records + extra).to_string(),
        "{}",
        show(&out)
    );
    let err = text(&out.stderr);
    for f in &bad.files {
        let name = f.to_string_lossy();
        let n = err.lines().filter(|l| l.contains(&*name)).count();
        assert_eq!(n, 1, "one warning for {name}: {err}");
    }
    let ok = walk(&remote).into_iter();
    for f in ok {
        assert!(
            !err.contains(&*f.to_string_lossy()),
            "{}: {err}",
            f.display()
        );
    }
    assert_eq!(
        err.lines().count(),
        bad.files.len() + 1,
        "and a summary: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    // The records that can be read are there, byte for byte.
    for s in &bad.sessions {
        let out = log(
            &["search", "--format", "jsonl", "--session", &s.id],
            &[&bad_dir],
        );
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        let mut want: Vec<String> = s.records.iter().map(|r| r.line.clone()).collect();
        want.sort();
        assert_eq!(out_lines(&out), want, "session {}", s.id);
    }
}

// ---------------------------------------------------------------------------------------------
// verify.

#[test]
fn verify_each_collection_of_a_clean_fleet() {
    let c = clean();
    for sub in ["spool", "remote"] {
        let out = log(&["verify"], &[&c.dir().join(sub)]);
        assert_eq!(out.status.code(), Some(0), "verify {sub}: {}", show(&out));
    }
}

#[test]
fn verify_a_clean_fleet() {
    let c = clean();
    let out = log(&["verify"], &[c.dir()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

#[test]
fn verify_finds_each_damaged_session() {
    let c = damaged();
    let hit: Vec<&Session> = c.sessions.iter().filter(|s| s.damage.is_some()).collect();
    assert_eq!(hit.len(), corpus::Damage::ALL.len());
    // Of both schemas.
    assert!(
        hit.iter().any(|s| s.version == 1),
        "a schema 1 session damaged"
    );
    assert!(
        hit.iter().any(|s| s.version == 2),
        "a schema 2 session damaged"
    );
    let out = log(&["verify"], &[&c.dir().join("spool")]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let t = text(&out.stdout);
    for s in &hit {
        assert!(t.contains(&s.id), "{:?} of {} found: {t}", s.damage, s.id);
    }
    for s in c.sessions.iter().filter(|s| s.damage.is_none()) {
        assert!(!t.contains(&s.id), "clean {} reported: {t}", s.id);
    }
}

// ---------------------------------------------------------------------------------------------
// sessions.

const SESSIONS_HEADER: [&str; 15] = [
    "session",
    "host",
    "user",
    "login_user",
    "tty",
    "source_ip",
    "mode",
    "start",
    "end",
    "duration_s",
    "commands",
    "programs",
    "failed",
    "end_reason",
    "integrity",
];

/// The model's `sessions` rows of `sessions`, in the contract's order: by start, then id.
fn session_rows<'a>(sessions: impl Iterator<Item = &'a Session>) -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = sessions.map(Session::row).collect();
    v.sort_by(|a, b| (&a[7], &a[0]).cmp(&(&b[7], &b[0])));
    v
}

fn check_sessions_csv(out: &Output, want: &[Vec<String>], what: &str) {
    assert_eq!(out.status.code(), Some(0), "{what}: {}", show(out));
    let rows = csv_rows(&out.stdout);
    assert_eq!(rows[0], SESSIONS_HEADER, "{what}: the header");
    let got = &rows[1..];
    let ids = |v: &[Vec<String>]| v.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    assert_eq!(ids(got), ids(want), "{what}: the sessions, in order");
    for (g, w) in got.iter().zip(want) {
        for (i, col) in SESSIONS_HEADER.iter().enumerate() {
            assert_eq!(g[i], w[i], "{what}: session {}, column {col}", w[0]);
        }
    }
}

#[test]
fn sessions_of_the_spool_trees() {
    let c = damaged();
    let out = log(&["sessions", "--format", "csv"], &[&c.dir().join("spool")]);
    let want = session_rows(
        c.sessions
            .iter()
            .filter(|s| s.placement != Placement::Syslog),
    );
    check_sessions_csv(&out, &want, "spool");
    // Each kind of damage in the integrity column.
    for d in corpus::Damage::ALL {
        assert!(want.iter().any(|r| r[14] == d.kind()), "{d:?}");
    }
    assert!(want.iter().any(|r| r[14] == "ok"));
}

#[test]
fn sessions_of_the_whole_fleet() {
    let c = damaged();
    let out = log(&["sessions", "--format", "csv"], &[c.dir()]);
    check_sessions_csv(&out, &session_rows(c.sessions.iter()), "fleet");
}

#[test]
fn sessions_with_a_matching_record_and_all_their_numbers() {
    let c = clean();
    let want = session_rows(
        c.sessions
            .iter()
            .filter(|s| s.records.iter().any(|r| r.program() == Some("sudo"))),
    );
    assert!(!want.is_empty() && want.len() < c.sessions.len());
    let out = log(
        &["sessions", "--format", "csv", "--exe", "sudo"],
        &[c.dir()],
    );
    check_sessions_csv(&out, &want, "--exe sudo");
    let want = session_rows(c.sessions.iter().filter(|s| s.host == "bastion"));
    let out = log(
        &["sessions", "--format", "csv", "--host", "bastion"],
        &[c.dir()],
    );
    check_sessions_csv(&out, &want, "--host bastion");
    let out = log(&["sessions", "--user", "mallory"], &[c.dir()]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let out = log(&["sessions", "--command", "("], &[c.dir()]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let empty = temp_dir("sessions-empty");
    let out = log(&["sessions"], &[empty.path()]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
}

#[test]
fn sessions_as_json_lines() {
    let c = damaged();
    let out = log(
        &["sessions", "--format", "jsonl"],
        &[&c.dir().join("spool")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let want = session_rows(
        c.sessions
            .iter()
            .filter(|s| s.placement != Placement::Syslog),
    );
    let got: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        for (i, key) in SESSIONS_HEADER.iter().enumerate() {
            let v = g.get(key).unwrap_or_else(|| panic!("{key} in {g}"));
            let what = format!("session {}, {key}: {v}", w[0]);
            match (key, w[i].as_str()) {
                (_, "") => assert!(v.is_null(), "{what}, want null"),
                (&"duration_s", x) => {
                    let x: f64 = x.parse().unwrap();
                    assert!((v.as_f64().expect("a number") - x).abs() < 1e-6, "{what}");
                }
                (&"commands" | &"programs" | &"failed", x) => {
                    assert_eq!(v.as_u64(), Some(x.parse().unwrap()), "{what}")
                }
                (_, x) => assert_eq!(v.as_str(), Some(x), "{what}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// show.

#[test]
fn show_as_json_lines_in_sequence_order() {
    let c = damaged();
    // A session of both copies, a reordered one and one with a gap.
    let picks: Vec<&Session> = c
        .sessions
        .iter()
        .filter(|s| {
            s.placement == Placement::Both
                || matches!(
                    s.damage,
                    Some(corpus::Damage::Reordered | corpus::Damage::Gap)
                )
        })
        .take(4)
        .collect();
    assert!(picks.iter().any(|s| s.damage.is_some()));
    assert!(picks.iter().any(|s| s.placement == Placement::Both));
    for s in picks {
        let out = log(&["show", &s.id, "--format", "jsonl"], &[c.dir()]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        let want: String = s
            .in_order()
            .iter()
            .map(|r| format!("{}\n", r.line))
            .collect();
        assert!(
            text(&out.stdout) == want,
            "show {} --format jsonl: {}",
            s.id,
            show(&out)
        );
        // A prefix that only this session has is as good as its id.
        let out = log(&["show", &s.id[..12], "--format", "jsonl"], &[c.dir()]);
        assert!(
            text(&out.stdout) == want,
            "show {}: {}",
            &s.id[..12],
            show(&out)
        );
    }
}

#[test]
fn show_a_timeline() {
    let c = clean();
    let s = c
        .sessions
        .iter()
        .filter(|s| s.mode == "interactive")
        .max_by_key(|s| s.records.len())
        .unwrap();
    let out = log(&["show", &s.id, "--utc"], &[c.dir()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let t = text(&out.stdout);
    assert!(t.contains(&s.host), "{t}");
    assert!(t.contains(s.user.name), "{t}");
    assert!(
        t.contains(&corpus::shown(s.start().unwrap().ts)),
        "the start: {t}"
    );
    for r in &s.records {
        if let Some(cl) = r
            .command_line
            .as_deref()
            .filter(|t| !t.contains(['\n', '\\']))
        {
            assert!(t.contains(cl), "{cl:?}: {t}");
        }
        if let Some(p) = r.program() {
            assert!(t.contains(p), "{p}: {t}");
        }
    }
}

#[test]
fn show_each_program_with_how_it_ended() {
    let c = clean();
    // Schema 2 sessions whose programs ended every way there is; and a schema 1 one.
    let mut picks: Vec<&Session> = Vec::new();
    for want in [
        &(|r: &Rec| r.signal.is_some()) as &dyn Fn(&Rec) -> bool,
        &|r: &Rec| r.error_code == Some("ENOENT"),
        &|r: &Rec| r.error_code == Some("EACCES"),
        &|r: &Rec| r.executable.is_none() && r.args.is_none(),
    ] {
        let s = c
            .sessions
            .iter()
            .find(|s| s.records.iter().any(|r| r.is_program_end() && want(r)))
            .unwrap();
        picks.push(s);
    }
    picks.push(
        c.sessions
            .iter()
            .find(|s| s.version == 1 && s.records.iter().any(|r| r.action == "exec"))
            .unwrap(),
    );
    for s in picks {
        let out = log(&["show", &s.id, "--utc"], &[c.dir()]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        let t = text(&out.stdout);
        let ends: BTreeMap<&str, &Rec> = s
            .records
            .iter()
            .filter(|r| r.is_program_end())
            .map(|r| (r.program.as_ref().unwrap().entity.as_str(), r))
            .collect();
        let how = |e: &Rec| match (&e.error, e.signal) {
            (Some(m), _) => format!("= not started: {m} (exit {})", e.exit_code.unwrap()),
            (None, Some(sig)) => format!("= killed by {sig} after "),
            (None, None) => format!("= exit {} after ", e.exit_code.unwrap()),
        };
        let mut lines = 0;
        for r in &s.records {
            let (what, end) = match r.action {
                "exec" => {
                    let end = r.program.as_ref().and_then(|p| ends.get(p.entity.as_str()));
                    let what = format!(
                        "> {}   [{}]",
                        r.args_joined().unwrap(),
                        r.executable.as_deref().unwrap()
                    );
                    (what, end.copied())
                }
                // Never started, with no exec record: a line of its own.
                "end" if r.error_code == Some("ENOENT") => {
                    (format!("> {}", r.args_joined().unwrap()), Some(r))
                }
                _ => continue,
            };
            lines += 1;
            if what.contains('\\') {
                continue;
            }
            let line = t
                .lines()
                .find(|l| l.starts_with(&corpus::shown(r.ts)[11..]) && l.contains(&what))
                .unwrap_or_else(|| panic!("{what:?} in {t}"));
            match end {
                Some(e) => assert!(line.contains(&how(e)), "{:?} in {line:?}", how(e)),
                None => assert!(!line.contains(" = "), "{line:?}: no end"),
            }
        }
        assert!(lines > 0, "{t}");
        // Every program line is one of those: no end has a line of its own.
        let programs = t.lines().filter(|l| l.contains("      > ")).count();
        assert_eq!(programs, lines, "{t}");
        assert!(!t.contains(" < "), "{t}");
    }
}

#[test]
fn show_unknown_and_ambiguous() {
    let c = clean();
    let out = log(&["show", "ffffffffffffffffffffffffffffffff0"], &[c.dir()]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(!out.stderr.is_empty() || !out.stdout.is_empty());
    // The shortest prefix that two sessions share.
    let prefix = (1..8)
        .rev()
        .find_map(|n| {
            let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for s in &c.sessions {
                by.entry(&s.id[..n]).or_default().push(&s.id);
            }
            by.into_iter().find(|(_, v)| v.len() >= 2)
        })
        .unwrap();
    let out = log(&["show", prefix.0], &[c.dir()]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    for id in prefix.1 {
        assert!(said.contains(id), "{id} named: {said}");
    }
}

// ---------------------------------------------------------------------------------------------
// report.

use serde_json::{json, Value};

const REPORT: &[&str] = &[
    "report",
    "--tz",
    "UTC",
    "--hours",
    "08:00-18:00",
    "--weekdays",
    "Mon-Fri",
];

fn report(dir: &Path, extra: &[&str]) -> Output {
    let mut a = REPORT.to_vec();
    a.extend_from_slice(extra);
    log(&a, &[dir])
}

fn report_json(dir: &Path) -> Value {
    let out = report(dir, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    serde_json::from_slice(&out.stdout).expect("report --format json is JSON")
}

/// `v`'s keys `keys` only (more may be added to the contract's).
fn project(v: &Value, keys: &[&str]) -> Value {
    let mut o = serde_json::Map::new();
    for k in keys {
        let x = v.get(k).unwrap_or_else(|| panic!("key {k} in {v}"));
        o.insert(k.to_string(), x.clone());
    }
    Value::Object(o)
}

fn list<'a>(r: &'a Value, key: &str) -> &'a Vec<Value> {
    r.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("a list {key} in the report"))
}

const USER_KEYS: &[&str] = &[
    "user",
    "sessions",
    "commands",
    "programs",
    "failed_commands",
    "privileged",
];
const HOST_KEYS: &[&str] = &[
    "host",
    "sessions",
    "commands",
    "programs",
    "failed_commands",
];
const PRIVILEGED_KEYS: &[&str] = &[
    "timestamp",
    "host",
    "session",
    "user",
    "effective_user",
    "login_user",
    "executable",
    "args",
    "reason",
];
const TOTALS_KEYS: &[&str] = &[
    "records",
    "sessions",
    "commands",
    "programs",
    "failed_commands",
    "hosts",
    "users",
];

/// What the report must say, from the model.
struct Want {
    totals: Value,
    users: Vec<Value>,
    hosts: Vec<Value>,
    privileged: Vec<Value>,
    failed: Vec<Value>,
    off_hours: Vec<Value>,
    audit_failures: Vec<(Value, [String; 2])>,
}

fn want_report(c: &Corpus) -> Want {
    let all: Vec<(&Session, &Rec)> = c.all().collect();
    let count = |p: &dyn Fn(&Session, &Rec) -> bool| all.iter().filter(|(s, r)| p(s, r)).count();
    let distinct =
        |f: &dyn Fn(&Session) -> String| c.sessions.iter().map(f).collect::<BTreeSet<_>>().len();
    let totals = json!({
        "records": all.len(),
        "sessions": c.sessions.len(),
        "commands": count(&|_, r| r.is_command_start()),
        "programs": count(&|_, r| r.action == "exec"),
        "failed_commands": count(&|_, r| r.is_failed_command()),
        "hosts": distinct(&|s| s.host.clone()),
        "users": distinct(&|s| s.user.name.to_string()),
    });
    let group = |key: &dyn Fn(&Session) -> String, with_privileged: bool, name: &str| {
        let keys: BTreeSet<String> = c.sessions.iter().map(key).collect();
        let mut v: Vec<Value> = keys
            .iter()
            .map(|k| {
                let of =
                    |p: &dyn Fn(&Session, &Rec) -> bool| count(&|s, r| key(s) == *k && p(s, r));
                let mut o = json!({
                    name: k,
                    "sessions": c.sessions.iter().filter(|s| key(s) == *k).count(),
                    "commands": of(&|_, r| r.is_command_start()),
                    "programs": of(&|_, r| r.action == "exec"),
                    "failed_commands": of(&|_, r| r.is_failed_command()),
                });
                if with_privileged {
                    o["privileged"] = json!(of(&|s, r| s.privileged(r).is_some()));
                }
                o
            })
            .collect();
        v.sort_by(|a, b| {
            b["commands"]
                .as_u64()
                .cmp(&a["commands"].as_u64())
                .then(a[name].as_str().cmp(&b[name].as_str()))
        });
        v
    };
    let mut timed: Vec<(&Session, &Rec)> = all.clone();
    timed.sort_by_key(|(s, r)| (r.ts, s.id.clone(), r.seq));
    let privileged = timed
        .iter()
        .filter_map(|(s, r)| {
            let reason = s.privileged(r)?;
            Some(json!({
                "timestamp": r.timestamp(),
                "host": s.host,
                "session": s.id,
                "user": s.user.name,
                "effective_user": s.effective.name,
                "login_user": s.login_name(),
                "executable": r.executable,
                "args": r.args_joined(),
                "reason": reason,
            }))
        })
        .collect();
    let failed = timed
        .iter()
        .filter(|(_, r)| r.is_failed_command())
        .map(|(s, r)| {
            let line = s
                .records
                .iter()
                .find(|x| x.is_command_start() && Some(x.seq) == r.command)
                .and_then(|x| x.command_line.clone());
            json!({
                "timestamp": r.timestamp(),
                "host": s.host,
                "session": s.id,
                "user": s.user.name,
                "command_line": line,
                "exit_code": r.exit_code,
                "signal": r.signal,
            })
        })
        .collect();
    let mut starts: Vec<&Session> = c.sessions.iter().filter(|s| s.off_hours(8, 18)).collect();
    starts.sort_by_key(|s| (s.start().unwrap().ts, s.id.clone()));
    let off_hours = starts
        .iter()
        .map(|s| {
            json!({
                "session": s.id,
                "host": s.host,
                "user": s.user.name,
                "login_user": s.login_name(),
                "source_ip": source(s),
                "start": s.start().unwrap().timestamp(),
            })
        })
        .collect();
    let audit_failures = timed
        .iter()
        .filter(|(_, r)| r.action == "audit-failure" || r.action == "denied")
        .map(|(s, r)| {
            let v = json!({
                "timestamp": r.timestamp(),
                "host": s.host,
                "session": s.id,
                "user": s.user.name,
                "action": r.action,
                "sink": r.sink,
            });
            (v, [r.message.clone(), r.error.clone().unwrap_or_default()])
        })
        .collect();
    Want {
        totals,
        users: group(&|s| s.user.name.to_string(), true, "user"),
        hosts: group(&|s| s.host.clone(), false, "host"),
        privileged,
        failed,
        off_hours,
        audit_failures,
    }
}

/// A time-ordered list, compared whatever the order of entries of one instant.
fn check_timed(got: &[Value], want: &[Value], keys: &[&str], time: &str, what: &str) {
    let got: Vec<Value> = got.iter().map(|v| project(v, keys)).collect();
    let times: Vec<&str> = got.iter().map(|v| v[time].as_str().unwrap_or("")).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "{what}: in time order"
    );
    let sorted = |v: &[Value]| {
        let mut v: Vec<String> = v.iter().map(Value::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(got.len(), want.len(), "{what}: entries");
    assert_eq!(sorted(&got), sorted(want), "{what}");
}

#[test]
fn report_as_json() {
    let c = damaged();
    let r = report_json(c.dir());
    let w = want_report(&c);
    assert_eq!(project(&r["totals"], TOTALS_KEYS), w.totals, "totals");
    let users: Vec<Value> = list(&r, "users")
        .iter()
        .map(|v| project(v, USER_KEYS))
        .collect();
    assert_eq!(users, w.users, "users");
    let hosts: Vec<Value> = list(&r, "hosts")
        .iter()
        .map(|v| project(v, HOST_KEYS))
        .collect();
    assert_eq!(hosts, w.hosts, "hosts");
    check_timed(
        list(&r, "privileged"),
        &w.privileged,
        PRIVILEGED_KEYS,
        "timestamp",
        "privileged",
    );
    let failed_keys = [
        "timestamp",
        "host",
        "session",
        "user",
        "command_line",
        "exit_code",
        "signal",
    ];
    check_timed(
        list(&r, "failed"),
        &w.failed,
        &failed_keys,
        "timestamp",
        "failed",
    );
    let off_keys = [
        "session",
        "host",
        "user",
        "login_user",
        "source_ip",
        "start",
    ];
    check_timed(
        list(&r, "off_hours"),
        &w.off_hours,
        &off_keys,
        "start",
        "off_hours",
    );
    // audit_failures: `message` is the record's message or its error's.
    let af = list(&r, "audit_failures");
    let af_keys = ["timestamp", "host", "session", "user", "action", "sink"];
    let wanted: Vec<Value> = w.audit_failures.iter().map(|(v, _)| v.clone()).collect();
    check_timed(af, &wanted, &af_keys, "timestamp", "audit_failures");
    for got in af {
        let (_, messages) = w
            .audit_failures
            .iter()
            .find(|(v, _)| *v == project(got, &af_keys))
            .unwrap();
        let m = got["message"].as_str().unwrap_or("");
        assert!(
            messages.iter().any(|x| x == m),
            "message {m:?}: {messages:?}"
        );
    }
}

#[test]
fn report_integrity_of_the_spool_trees() {
    let c = damaged();
    let r = report_json(&c.dir().join("spool"));
    check_integrity(&r, &c);
}

#[test]
fn report_integrity_of_the_whole_fleet() {
    let c = damaged();
    let r = report_json(c.dir());
    check_integrity(&r, &c);
}

fn check_integrity(r: &Value, c: &Corpus) {
    let got = list(r, "integrity");
    let mut want: Vec<&Session> = c.sessions.iter().filter(|s| s.damage.is_some()).collect();
    want.sort_by_key(|s| s.id.clone());
    let mut got_ids: Vec<&str> = got
        .iter()
        .map(|v| v["session"].as_str().unwrap_or(""))
        .collect();
    got_ids.sort();
    let want_ids: Vec<&str> = want.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(got_ids, want_ids, "the damaged sessions");
    for s in want {
        let v = got.iter().find(|v| v["session"] == s.id.as_str()).unwrap();
        let kind = s.damage.unwrap().kind();
        assert_eq!(v["host"], s.host.as_str());
        assert_eq!(v["user"], s.user.name);
        assert_eq!(v["integrity"], kind, "{}", s.id);
        let findings = &v["findings"];
        let n = findings
            .as_array()
            .map(|a| a.len())
            .or_else(|| findings.as_str().map(|t| t.lines().count()))
            .unwrap_or(0);
        assert!(n >= 1, "the findings of {}: {v}", s.id);
    }
}

#[test]
fn report_csv_sections() {
    let c = clean();
    let w = want_report(&c);
    let cells = |v: &Value, keys: &[&str]| -> Vec<String> {
        keys.iter()
            .map(|k| match &v[*k] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                x => x.to_string(),
            })
            .collect()
    };
    let section = |name: Option<&str>| {
        let mut a = vec!["--format", "csv"];
        if let Some(n) = name {
            a.extend(["--section", n]);
        }
        let out = report(c.dir(), &a);
        assert_eq!(out.status.code(), Some(0), "{name:?}: {}", show(&out));
        csv_rows(&out.stdout)
    };
    let rows = section(None);
    assert_eq!(rows[0], TOTALS_KEYS, "totals by default");
    assert_eq!(rows[1..], [cells(&w.totals, TOTALS_KEYS)]);
    let rows = section(Some("users"));
    assert_eq!(rows[0], USER_KEYS);
    let want: Vec<Vec<String>> = w.users.iter().map(|v| cells(v, USER_KEYS)).collect();
    assert_eq!(rows[1..], want[..], "users");
    let rows = section(Some("hosts"));
    assert_eq!(rows[0], HOST_KEYS);
    let want: Vec<Vec<String>> = w.hosts.iter().map(|v| cells(v, HOST_KEYS)).collect();
    assert_eq!(rows[1..], want[..], "hosts");
    let rows = section(Some("privileged"));
    assert_eq!(rows[0], PRIVILEGED_KEYS);
    let mut got = rows[1..].to_vec();
    let mut want: Vec<Vec<String>> = w
        .privileged
        .iter()
        .map(|v| cells(v, PRIVILEGED_KEYS))
        .collect();
    assert!(got.windows(2).all(|p| p[0][0] <= p[1][0]), "in time order");
    got.sort();
    want.sort();
    assert_eq!(got, want, "privileged");
}

#[test]
fn report_of_matching_records_only() {
    let c = clean();
    let out = report(c.dir(), &["--format", "json", "--host", "bastion"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let of =
        |p: &dyn Fn(&Rec) -> bool| c.all().filter(|(s, r)| s.host == "bastion" && p(r)).count();
    let want = json!({
        "records": of(&|_| true),
        "sessions": c.sessions.iter().filter(|s| s.host == "bastion").count(),
        "commands": of(&|r| r.is_command_start()),
        "programs": of(&|r| r.action == "exec"),
        "failed_commands": of(&|r| r.is_failed_command()),
        "hosts": 1,
        "users": c.sessions.iter().filter(|s| s.host == "bastion").map(|s| s.user.name).collect::<BTreeSet<_>>().len(),
    });
    assert_eq!(project(&r["totals"], TOTALS_KEYS), want);
    let file = c.dir().join("report.json");
    let out = report(
        c.dir(),
        &[
            "--format",
            "json",
            "-o",
            file.to_str().unwrap(),
            "--host",
            "bastion",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let r: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(project(&r["totals"], TOTALS_KEYS), want, "-o FILE");
}
