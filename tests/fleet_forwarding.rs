//! Fleet forwarding (README, "Forwarding to a collector"): hosts whose rsyslogd forwards the
//! records with the shipped snippet's example (uncommented, the collector's address filled
//! in), to a collector rsyslogd with the shipped collector config, each in a network
//! namespace of its own joined by veth pairs (addresses in those namespaces only; nothing
//! leaves them). Sessions run on the hosts while the collector is stopped for 10 s and started
//! again; `auditsh-log verify` on the collector's files then finds every session whole, and
//! the files hold exactly the hosts' spool records. Then one host's rsyslogd restarts while
//! the collector is away again with records in its queue: they all arrive (verify finds none
//! missing; a few come out of order or twice, as README says).
//!
//! Needs root, `ip` (iproute2), `unshare`, rsyslogd and its RELP modules (rsyslog-relp);
//! without one of them the test says `SKIPPED: ...` and passes, unless `AUDITSH_E2E=required`.

mod common;

use common::rsyslog::{by_session, Rsyslog, RSYSLOGD};
use common::{is_root, kind, records, skip, AuditEnv, TempDir, AUDITSH, AUDITSH_LOG};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TEST: &str = "sessions_on_two_hosts_reach_the_collector_whole_across_its_restart";
const SESSIONS: usize = 20;
const PROGRAMS: usize = 100;
/// session-start, the command line's start, an exec and an end record per program, the
/// command line's end, session-end.
const RECORDS: usize = 2 * PROGRAMS + 4;
const BEGIN: &str = "# ---- forwarding example: begin ----";
const END: &str = "# ---- forwarding example: end ----";
const COLLECTOR_NAME: &str = "collector.example.org";
const REMOTE_DIR: &str = "/var/log/remote";
/// The long argument of each session's first program (2^14 bytes).
const LONG_ARG: usize = 1 << 14;
/// The hosts' maxMessageSize, as install.sh fills it in for the default max_record_bytes.
const MAX_MESSAGE_SIZE: usize = 65536 + 4096;

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Where Debian's rsyslog-relp puts its modules (the multiarch directory) or a plain build.
fn relp_present() -> bool {
    let dirs = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("rsyslog"))
        .chain([PathBuf::from("/usr/lib/rsyslog")]);
    dirs.into_iter()
        .any(|d| d.join("imrelp.so").is_file() && d.join("omrelp.so").is_file())
}

/// Every piece the test needs, or a skip note (a failure when required).
fn prerequisites() -> Option<(PathBuf, PathBuf)> {
    if !is_root() {
        skip(TEST, "not root (network namespaces need it)");
        return None;
    }
    let Some(ip) = find(&["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]) else {
        skip(TEST, "ip (iproute2) is not installed");
        return None;
    };
    let Some(unshare) = find(&["/usr/bin/unshare", "/bin/unshare"]) else {
        skip(TEST, "unshare (util-linux) is not installed");
        return None;
    };
    if !Path::new(RSYSLOGD).is_file() {
        skip(TEST, &format!("{RSYSLOGD} is not installed"));
        return None;
    }
    if !relp_present() {
        skip(
            TEST,
            "rsyslog's RELP modules (rsyslog-relp) are not installed",
        );
        return None;
    }
    Some((ip, unshare))
}

fn run(program: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {}: {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The test's network namespaces, deleted when dropped (after the processes in them: fields
/// of the test drop in the reverse order of their declaration).
struct Namespaces {
    ip: PathBuf,
    names: Vec<String>,
}

impl Namespaces {
    fn add(&mut self, name: &str) -> Result<(), String> {
        run(&self.ip, &["netns", "add", name])?;
        self.names.push(name.to_string());
        run(&self.ip, &["-n", name, "link", "set", "lo", "up"])
    }

    fn ip(&self, ns: &str, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["-n", ns];
        all.extend_from_slice(args);
        run(&self.ip, &all)
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in self.names.drain(..).rev() {
            let _ = run(&self.ip, &["netns", "del", &n]);
        }
    }
}

/// The shells still running, killed and reaped if the test ends early.
#[derive(Default)]
struct Shells(Vec<(usize, Child)>);

impl Drop for Shells {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Shells {
    /// Have all of host `host`'s shells ended?
    fn ended(&mut self, host: usize) -> bool {
        self.0
            .iter_mut()
            .filter(|(h, _)| *h == host)
            .all(|(_, c)| c.try_wait().unwrap().is_some())
    }

    /// Wait (bounded) for host `host`'s shells to end; their outputs.
    fn wait_host(&mut self, host: usize, timeout: Duration) -> Vec<Output> {
        let deadline = Instant::now() + timeout;
        let mut outputs = Vec::new();
        let mut i = 0;
        while i < self.0.len() {
            if self.0[i].0 != host {
                i += 1;
                continue;
            }
            if self.0[i].1.try_wait().unwrap().is_some() {
                let (_, c) = self.0.remove(i);
                outputs.push(c.wait_with_output().unwrap());
                continue;
            }
            assert!(
                Instant::now() < deadline,
                "host {host}'s sessions did not end within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        outputs
    }
}

/// `ip netns exec NS unshare --uts sh -c 'hostname NAME && exec "$@"'`: a command run in the
/// namespace under the host's own name (records carry it, the collector names files by it).
fn on_host(ip: &Path, unshare: &Path, ns: &str, name: &str) -> Vec<OsString> {
    [
        ip.as_os_str(),
        "netns".as_ref(),
        "exec".as_ref(),
        ns.as_ref(),
        unshare.as_os_str(),
        "--uts".as_ref(),
        "--".as_ref(),
        "/bin/sh".as_ref(),
        "-c".as_ref(),
        "hostname \"$0\" && exec \"$@\"".as_ref(),
        name.as_ref(),
    ]
    .iter()
    .map(|s| s.to_os_string())
    .collect()
}

/// The shipped snippet as install.sh fills it in, with its forwarding example uncommented and
/// pointed at `collector`: the text between the markers, each line without its "# ".
fn host_snippet(local_file: &Path, collector: &str) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/rsyslog/auditsh.conf"),
    )
    .unwrap();
    assert_eq!(shipped.matches(BEGIN).count(), 1, "one begin marker");
    assert_eq!(shipped.matches(END).count(), 1, "one end marker");
    let mut text = String::new();
    let mut inside = false;
    for line in shipped.lines() {
        if line == BEGIN {
            inside = true;
        } else if line == END {
            inside = false;
        } else if inside {
            let config = line
                .strip_prefix("# ")
                .unwrap_or_else(|| panic!("a line of the example is not commented: {line:?}"));
            text.push_str(config);
            text.push('\n');
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    assert_eq!(
        text.matches(COLLECTOR_NAME).count(),
        1,
        "the example names its collector once"
    );
    text.replace(COLLECTOR_NAME, collector)
        .replace("@MAX_MESSAGE_SIZE@", &MAX_MESSAGE_SIZE.to_string())
        .replace("@LOG_FILE@", &local_file.display().to_string())
}

/// The shipped collector config, writing under `remote` instead of /var/log/remote.
fn collector_snippet(remote: &Path) -> String {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/rsyslog/auditsh-collector.conf"),
    )
    .unwrap();
    let config: String = shipped
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(config.matches(REMOTE_DIR).count(), 1, "one output path");
    shipped.replace(REMOTE_DIR, &remote.display().to_string())
}

/// A main config as Debian's rsyslog.conf is to snippets: a private system socket with the
/// sender's credentials, a work directory, the snippet directory; no DNS (the namespaces
/// have none) and the host's name given, so that the daemon looks nothing up.
fn main_config(socket: &Path, work: &Path, name: &str, snippets: &Path) -> String {
    format!(
        concat!(
            "global(workDirectory=\"{work}\" localHostname=\"{name}\" net.enableDNS=\"off\")\n",
            "module(load=\"imuxsock\" SysSock.Name=\"{socket}\" SysSock.Annotate=\"on\" SysSock.ParseTrusted=\"on\")\n",
            "$IncludeConfig {snippets}/*.conf\n",
        ),
        work = work.display(),
        name = name,
        socket = socket.display(),
        snippets = snippets.display(),
    )
}

/// A daemon in `ns` under the host name `name`, with `snippet` as its only snippet.
fn daemon(dir: &Path, prefix: Vec<OsString>, name: &str, snippet: &str) -> Rsyslog {
    let snippets = dir.join("rsyslog.d");
    std::fs::create_dir_all(&snippets).unwrap();
    std::fs::write(snippets.join("auditsh.conf"), snippet).unwrap();
    Rsyslog::start_with(dir, prefix, |socket, work| {
        main_config(socket, work, name, &snippets)
    })
}

/// The namespaces: a veth pair from the collector to each host, a /24 of its own.
fn network(netns: &mut Namespaces, collector: &str, hosts: &[String]) -> Result<(), String> {
    netns.add(collector)?;
    for (i, ns) in hosts.iter().enumerate() {
        let n = i + 1;
        let link = format!("h{n}");
        netns.add(ns)?;
        netns.ip(
            collector,
            &[
                "link", "add", &link, "type", "veth", "peer", "name", "eth0", "netns", ns,
            ],
        )?;
        netns.ip(
            collector,
            &["addr", "add", &format!("10.231.{n}.1/24"), "dev", &link],
        )?;
        netns.ip(collector, &["link", "set", &link, "up"])?;
        netns.ip(
            ns,
            &["addr", "add", &format!("10.231.{n}.2/24"), "dev", "eth0"],
        )?;
        netns.ip(ns, &["link", "set", "eth0", "up"])?;
    }
    Ok(())
}

/// Start `auditsh -c SCRIPT` on a host, with the host environment's config.
fn spawn_session(env: &AuditEnv, on_host: &[OsString], script: &str) -> Child {
    let mut c = env.command_at(&on_host[0]);
    c.args(&on_host[1..])
        .arg(AUDITSH)
        .args(["-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c.spawn().expect("start auditsh")
}

/// Lines of a file (complete ones).
fn line_count(path: &Path) -> usize {
    let text = std::fs::read(path).unwrap_or_default();
    text.iter().filter(|&&b| b == b'\n').count()
}

/// Every file under `dir`, walked.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

/// A collector line's parts: the host name, the tag's pid, the credentials' uid and pid, and
/// the record.
fn parse_line(line: &[u8]) -> (String, String, String, String, &[u8]) {
    let brace = line.iter().position(|&b| b == b'{').expect("a record");
    let head = String::from_utf8_lossy(&line[..brace]).into_owned();
    let words: Vec<&str> = head.split_whitespace().collect();
    assert_eq!(words.len(), 4, "timestamp host tag credentials: {head:?}");
    let tag_pid = words[2]
        .strip_prefix("auditsh[")
        .and_then(|r| r.strip_suffix("]:"))
        .unwrap_or_else(|| panic!("tag: {head:?}"));
    let creds: BTreeMap<&str, &str> = words[3]
        .strip_prefix("trusted(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("credentials: {head:?}"))
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let get = |k: &str| creds.get(k).copied().unwrap_or_default().to_string();
    assert!(
        words[0].contains('T') && words[0].len() > 20,
        "an RFC 3339 timestamp: {head:?}"
    );
    (
        words[1].to_string(),
        tag_pid.to_string(),
        get("uid"),
        get("pid"),
        &line[brace..],
    )
}

#[test]
fn sessions_on_two_hosts_reach_the_collector_whole_across_its_restart() {
    let Some((ip, unshare)) = prerequisites() else {
        return;
    };
    let _serial = common::rsyslog::serial();
    let started = Instant::now();
    let tmp = TempDir::new("fleet");
    // Declared first, dropped last: the daemons and shells in them go before them.
    let mut netns = Namespaces {
        ip: ip.clone(),
        names: Vec::new(),
    };
    let tag = format!("auditsh-fwd-{}", std::process::id());
    let collector_ns = format!("{tag}-c");
    let hosts = ["fleet-h1", "fleet-h2"];
    let host_ns: Vec<String> = (1..=hosts.len()).map(|i| format!("{tag}-h{i}")).collect();
    if let Err(e) = network(&mut netns, &collector_ns, &host_ns) {
        skip(TEST, &format!("cannot make the network namespaces: {e}"));
        return;
    }

    let remote = tmp.join("collector").join("remote");
    let mut collector = daemon(
        &tmp.join("collector"),
        on_host(&ip, &unshare, &collector_ns, "fleet-collector"),
        "fleet-collector",
        &collector_snippet(&remote),
    );
    let prefixes: Vec<Vec<OsString>> = hosts
        .iter()
        .zip(&host_ns)
        .map(|(name, ns)| on_host(&ip, &unshare, ns, name))
        .collect();
    let start_host = |i: usize| {
        let dir = tmp.join(hosts[i]);
        let snippet = host_snippet(&dir.join("local.log"), &format!("10.231.{}.1", i + 1));
        daemon(&dir, prefixes[i].clone(), hosts[i], &snippet)
    };
    let envs: Vec<AuditEnv> = hosts
        .iter()
        .map(|name| {
            AuditEnv::builder()
                .tag(&format!("fleet-{name}"))
                .syslog_socket(&tmp.join(name).join("log.sock"))
                .build()
        })
        .collect();
    let mut daemons: Vec<Rsyslog> = (0..hosts.len()).map(start_host).collect();

    // The first program's argument is 16 KiB, made by the shell (no program, so no record):
    // its exec record is twice rsyslog's default message size, and must arrive whole.
    let script = |pause: &str| {
        format!(
            "x=y; for d in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do x=$x$x; done; \
             /bin/true \"$x\"; /bin/sleep {pause}; \
             i=1; while [ $i -lt {} ]; do /bin/true; /bin/sleep {pause}; i=$((i+1)); done",
            PROGRAMS / 2
        )
    };
    // When each session starts, and on which host: host 1's sessions start first and are
    // short, host 2's run through the collector's outage and its return.
    let mut plan: Vec<(Duration, usize, String)> = Vec::new();
    for k in 0..SESSIONS as u64 / 2 {
        plan.push((Duration::from_millis(250 * k), 0, script("0.05")));
        plan.push((Duration::from_millis(500 + 1000 * k), 1, script("0.1")));
    }
    plan.sort_by_key(|p| p.0);
    let collector_stop_at = Duration::from_secs(2);
    let outage = Duration::from_secs(10);
    let mut shells = Shells::default();
    let t0 = Instant::now();
    let launch_due = |plan: &mut Vec<(Duration, usize, String)>, shells: &mut Shells| {
        while plan.first().is_some_and(|p| p.0 <= t0.elapsed()) {
            let (_, host, script) = plan.remove(0);
            let child = spawn_session(&envs[host], &prefixes[host], &script);
            shells.0.push((host, child));
        }
    };
    let mut stopped_at: Option<Instant> = None;
    // One loop over the timeline, bounded in time.
    while stopped_at.is_none_or(|at| at.elapsed() < outage) {
        launch_due(&mut plan, &mut shells);
        if stopped_at.is_none() && t0.elapsed() >= collector_stop_at {
            collector.stop(Duration::from_secs(20));
            stopped_at = Some(Instant::now());
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the timeline did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let down_for = stopped_at.unwrap().elapsed();
    // Host 2's sessions are still running when the collector comes back.
    assert!(
        !plan.is_empty() || !shells.ended(1),
        "the collector comes back in the middle of the run"
    );
    collector.restart();
    while !plan.is_empty() {
        launch_due(&mut plan, &mut shells);
        std::thread::sleep(Duration::from_millis(20));
    }
    for host in 0..hosts.len() {
        for out in shells.wait_host(host, Duration::from_secs(60)) {
            assert_eq!(out.status.code(), Some(0), "{out:?}");
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{out:?}");
        }
    }

    // The queues drain: the collector's files reach every record (bounded), then a moment
    // more so that a record too many would show.
    let want = SESSIONS * RECORDS;
    let deadline = Instant::now() + Duration::from_secs(60);
    let count = || {
        files_under(&remote)
            .iter()
            .map(|f| line_count(f))
            .sum::<usize>()
    };
    while count() < want {
        assert!(
            Instant::now() < deadline,
            "the collector has {} of {want} records; it said: {}\nhost 1 said: {}\nhost 2 said: {}",
            count(),
            collector.stderr(),
            daemons[0].stderr(),
            daemons[1].stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));

    // One file per host, named by the host.
    let files = files_under(&remote);
    let expected: Vec<PathBuf> = hosts
        .iter()
        .map(|h| remote.join(h).join("auditsh.log"))
        .collect();
    assert_eq!(files, expected, "one file per host");

    // Each host's file holds exactly its spool's records, each session's in order, with the
    // sender's credentials (root's shells here) and the host's name.
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read(file).unwrap();
        let mut json = Vec::new();
        for line in common::lines(&text) {
            let (host, tag_pid, uid, pid, record) = parse_line(line);
            assert_eq!(host, hosts[i]);
            assert_eq!(uid, "0", "the sender's uid");
            assert_eq!(pid, tag_pid, "the sender's pid is the tag's");
            json.extend_from_slice(record);
            json.push(b'\n');
        }
        let collected = by_session(&json);
        let mut spooled = BTreeMap::new();
        for f in envs[i].spool_files() {
            spooled.append(&mut by_session(&std::fs::read(&f).unwrap()));
        }
        assert_eq!(spooled.len(), SESSIONS / 2, "host {}'s sessions", hosts[i]);
        // Compared session by session, line by line, so that a failure says where.
        assert_eq!(
            collected.keys().collect::<Vec<_>>(),
            spooled.keys().collect::<Vec<_>>(),
            "host {}: the same sessions on the collector as in the spool",
            hosts[i]
        );
        for (session, lines) in &spooled {
            let got = &collected[session];
            assert_eq!(got.len(), lines.len(), "session {session}: record count");
            if let Some(n) = (0..lines.len()).find(|&n| got[n] != lines[n]) {
                panic!(
                    "session {session}: the collector's record {n} differs from the spool's:\n{}\n{}",
                    String::from_utf8_lossy(&got[n]),
                    String::from_utf8_lossy(&lines[n])
                );
            }
        }
        for lines in spooled.values() {
            assert_eq!(lines.len(), RECORDS);
            assert!(
                lines.iter().any(|l| l.len() > LONG_ARG),
                "the record with the long argument"
            );
            let recs = records(&common::rsyslog::joined(lines));
            assert!(recs.iter().all(|r| r["host"]["hostname"] == hosts[i]));
            assert_eq!(
                recs.iter().filter(|r| kind(r) == "exec/start").count(),
                PROGRAMS
            );
        }
    }

    // And auditsh-log verify on the collector's files: every session complete, no finding.
    let out = Command::new(AUDITSH_LOG)
        .arg("verify")
        .arg(&remote)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "verify: {said}");
    assert!(
        said.contains(&format!(
            "2 files, {SESSIONS} sessions, {want} records, 0 findings"
        )),
        "verify: {said}"
    );
    assert!(down_for >= outage);

    // Then host 1's rsyslogd restarts while the collector is away and records wait in its
    // queue: saved to disk at the stop, read back at the start, forwarded when the collector
    // is back. It restarts once before the records come, so that they wait in rsyslog's
    // queue and none in RELP's window, which is only in memory (README).
    let first: Vec<PathBuf> = envs[0].spool_files();
    collector.stop(Duration::from_secs(20));
    daemons[0].stop(Duration::from_secs(30));
    daemons[0].restart();
    let local = tmp.join(hosts[0]).join("local.log");
    let local_want = line_count(&local) + 2 * RECORDS;
    let mut later = Shells::default();
    for _ in 0..2 {
        let child = spawn_session(&envs[0], &prefixes[0], &script("0.01"));
        later.0.push((0, child));
    }
    for out in later.wait_host(0, Duration::from_secs(60)) {
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while line_count(&local) < local_want {
        assert!(
            Instant::now() < deadline,
            "host 1's rsyslogd took the records"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    daemons[0].stop(Duration::from_secs(30));
    let work = tmp.join(hosts[0]).join("work");
    let saved: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    assert!(
        saved.iter().any(|n| n == "auditsh-forward.qi"),
        "the stopped rsyslogd saved its forwarding queue: {saved:?}; it said: {}",
        daemons[0].stderr()
    );
    daemons[0].restart();
    collector.restart();
    let collected = remote.join(hosts[0]).join("auditsh.log");
    let want = SESSIONS / 2 * RECORDS + 2 * RECORDS;
    let deadline = Instant::now() + Duration::from_secs(60);
    while line_count(&collected) < want {
        assert!(
            Instant::now() < deadline,
            "the collector has {} of {want} of host 1's records; host 1 said: {}",
            line_count(&collected),
            daemons[0].stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    // Every record of the two sessions arrived.
    let text = std::fs::read(&collected).unwrap();
    let arrived: std::collections::HashSet<&[u8]> = common::lines(&text)
        .into_iter()
        .map(|l| parse_line(l).4)
        .collect();
    for f in envs[0].spool_files() {
        if first.contains(&f) {
            continue;
        }
        let spool = std::fs::read(&f).unwrap();
        for line in common::lines(&spool) {
            assert!(
                arrived.contains(line),
                "lost on the way: {}",
                String::from_utf8_lossy(line)
            );
        }
    }
    // And verify says no record is missing (at most, as README says, that some came out of
    // order or twice).
    let out = Command::new(AUDITSH_LOG)
        .arg("verify")
        .arg(&collected)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    for finding in said.lines().filter(|l| l.contains(": session ")) {
        assert!(
            finding.contains(" is out of order") || finding.contains(" again: a duplicated"),
            "verify: {said}"
        );
    }
    assert!(
        said.contains(&format!("{} sessions,", SESSIONS / 2 + 2)),
        "verify: {said}"
    );

    assert!(
        started.elapsed() < Duration::from_secs(110),
        "the test took {:?}",
        started.elapsed()
    );
}
