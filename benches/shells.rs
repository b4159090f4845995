//! auditsh against dash, bash, dash with snoopy preloaded, auditsh with auditing off, a
//! posix_spawn floor, and the floor making the records' system calls (what the record contract
//! costs with no shell around it): side by side, interleaved, medians and ratios. Prints
//! numbers; asserts nothing about time. See BENCHMARKS.md for what each number means.
//!
//! One runner sends its syslog copies to a real rsyslogd the bench starts on a private socket
//! (`shells/rsyslogd.rs`), as on an installed machine; the other syslog rows use a socket the
//! bench drains itself.
//!
//! ```text
//! cargo bench --bench shells                 # 30 rounds
//! cargo bench --bench shells -- --quick      # 3 rounds (CI)
//! cargo bench --bench shells -- --rounds 50 --only startup,arith
//! ```
//!
//! `AUDITSH_BENCH_ROUNDS=N` sets the rounds too. Cargo builds `target/release/auditsh` (the
//! bench profile is the release profile) before this runs, and this measures that binary.

use std::ffi::{CStr, CString};
use std::fmt::Write as _;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "shells/rsyslogd.rs"]
mod rsyslogd;
use rsyslogd::{Rsyslogd, RSYSLOGD};

const AUDITSH: &str = env!("CARGO_BIN_EXE_auditsh");
const SNOOPY_LIBS: &[&str] = &[
    "/lib/x86_64-linux-gnu/libsnoopy.so",
    "/usr/lib/x86_64-linux-gnu/libsnoopy.so",
    "/lib/aarch64-linux-gnu/libsnoopy.so",
    "/usr/lib/aarch64-linux-gnu/libsnoopy.so",
];
/// How many times `-c true` runs per shell in one round (it is short, so more samples).
const STARTUP_PER_ROUND: usize = 10;
const PROGRAMS: usize = 1000;
/// The programs workload of the rsyslogd runner's targets (the 1,000 one stays as it was, so
/// that its numbers compare with earlier runs).
const PROGRAMS_RSYSLOGD: usize = 500;
const ITERATIONS: usize = 100_000;

/// The floor: start `/bin/true` with posix_spawn and wait for it, N times. Nothing else.
/// Given a spool directory and a socket as well (`floor N DIR SOCKET`), it also makes the
/// system calls the record contract asks for, and nothing else: a new file for the session, a
/// connected datagram socket, and per record one `write` of a 700-byte line and one 735-byte
/// datagram (a record and its syslog header are about that long): two records at the start
/// (session start, command start), one before each program, two at the end. No record is
/// built or hashed.
const FLOOR_C: &str = r#"#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
static int spool = -1, sock = -1;
static char line[735];
static int record(void) {
    if (spool < 0) return 0;
    if (write(spool, line, 700) != 700) return -1;
    return send(sock, line, sizeof line, 0) == sizeof line ? 0 : -1;
}
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    if (argc > 3) {
        unsigned char id[16];
        char path[4096];
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (getrandom(id, sizeof id, 0) != sizeof id) return 1;
        int len = snprintf(path, sizeof path - 40, "%s/", argv[2]);
        for (int i = 0; i < 16; i++) len += sprintf(path + len, "%02x", id[i]);
        strcpy(path + len, ".jsonl");
        spool = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        strncpy(addr.sun_path, argv[3], sizeof addr.sun_path - 1);
        if (spool < 0 || sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) return 1;
        memset(line, 'x', sizeof line);
        line[699] = '\n';
    }
    if (record() || record()) return 1;
    char *args[] = {"true", NULL};
    for (int i = 0; i < n; i++) {
        pid_t pid;
        int st;
        if (record()) return 1;
        if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) != 0) return 1;
        if (waitpid(pid, &st, 0) != pid || st != 0) return 1;
    }
    return record() || record();
}
"#;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    AuditOn,
    AuditOff,
    /// Audit on with one sink: where the cost of auditing a program goes.
    SpoolOnly,
    SyslogOnly,
    /// Audit on, the syslog copy read by a real rsyslogd writing to disk.
    AuditRsyslogd,
    Dash,
    Bash,
    Snoopy,
    Floor,
    /// The floor making the records' system calls too: what the record contract costs.
    FloorSinks,
}

impl Kind {
    fn is_floor(self) -> bool {
        matches!(self, Kind::Floor | Kind::FloorSinks)
    }
}

/// One program the bench runs: a shell (given `-c SCRIPT`) or a floor (given a count, then
/// its `pre_args`).
struct Runner {
    kind: Kind,
    name: String,
    path: CString,
    pre_args: Vec<CString>,
    env: Vec<CString>,
}

struct Workload {
    key: &'static str,
    /// The name `--only` selects it by (several workloads may share one).
    group: &'static str,
    /// The runner the table's auditsh/X column divides by X.
    reference: Kind,
    title: String,
    script: String,
    /// Runs per shell per round.
    per_round: usize,
    /// How many programs the floors start for this workload (they run only where it is set).
    floor_count: Option<usize>,
    /// Written in the bash language: run by auditsh and bash only.
    bash_only: bool,
}

#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    maxrss_kib: i64,
}

struct Opts {
    rounds: usize,
    only: Option<Vec<String>>,
    keep: bool,
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("shells: {e}");
            eprintln!("usage: cargo bench --bench shells -- [--quick] [--rounds N] [--only startup,programs,arith,case,bash] [--keep]");
            eprintln!("(programs selects both the 1,000-program workload and the 500-program one of the rsyslogd runner)");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&opts) {
        eprintln!("shells: {e}");
        std::process::exit(1);
    }
}

fn parse_args() -> Result<Opts, String> {
    let mut rounds = match std::env::var("AUDITSH_BENCH_ROUNDS") {
        Ok(v) => v
            .parse()
            .map_err(|_| format!("AUDITSH_BENCH_ROUNDS={v}: not a number"))?,
        Err(_) => 30,
    };
    let mut only = None;
    let mut keep = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            // cargo bench passes --bench to every bench binary
            "--bench" => {}
            "--quick" => rounds = 3,
            "--keep" => keep = true,
            "--rounds" => {
                let v = args.next().ok_or("--rounds needs a number")?;
                rounds = v
                    .parse()
                    .map_err(|_| format!("--rounds {v}: not a number"))?;
            }
            "--only" => {
                let v = args.next().ok_or("--only needs a list")?;
                only = Some(v.split(',').map(str::to_string).collect());
            }
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if rounds == 0 {
        return Err("rounds must be at least 1".into());
    }
    Ok(Opts { rounds, only, keep })
}

fn cstr(s: impl AsRef<[u8]>) -> CString {
    CString::new(s.as_ref()).expect("no NUL in bench strings")
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/local/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
}

fn run(opts: &Opts) -> Result<(), String> {
    let auditsh = Path::new(AUDITSH);
    if !auditsh.exists() {
        return Err(format!(
            "{AUDITSH} is missing: run `cargo build --release` (or `cargo bench`, which builds it)"
        ));
    }
    let dir = std::env::temp_dir().join(format!("auditsh-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("spool")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = run_in(opts, &dir);
    if opts.keep {
        eprintln!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn run_in(opts: &Opts, dir: &Path) -> Result<(), String> {
    // Spool files are created on the disk of the temp dir: let its journal settle first (the
    // deletion of an earlier run's thousand files made creation several times slower for
    // the whole of the next run).
    // SAFETY: sync has no preconditions.
    unsafe { libc::sync() };
    let io_err = |what: &Path| {
        let what = what.display().to_string();
        move |e: io::Error| format!("{what}: {e}")
    };

    // The syslog socket auditsh sends to, bound here and drained by a thread, as a daemon would.
    // The syslog-only runs get a socket of their own, so that the count of messages on the
    // first one can be checked against the spool of the audit-on runs.
    let sock = dir.join("log.sock");
    let received = drain(&sock)?;
    let sock_only = dir.join("log-only.sock");
    let _ = drain(&sock_only)?;
    let sock_floor = dir.join("log-floor.sock");
    let _ = drain(&sock_floor)?;
    let floor_spool = dir.join("spool-floor");
    std::fs::create_dir_all(&floor_spool).map_err(io_err(&floor_spool))?;
    // The records' MAC key, as the installed shell has it (README, "Authenticated records"):
    // every auditing run seals its records. Today's epoch, so no run brings it forward.
    let key = dir.join("record.key");
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    std::fs::write(
        &key,
        format!("auditsh-key 1 epoch={today} key={}\n", "5a".repeat(32)),
    )
    .map_err(io_err(&key))?;
    // The configs: which sinks each auditsh run writes to.
    let config = |name: &str, spool: Option<&Path>, syslog: Option<&Path>| {
        let path = dir.join(name);
        let mut text = String::from("system_rc = \"\"\n\n[spool]\n");
        match spool {
            Some(d) => text += &format!("enabled = true\ndir = \"{}\"\n", d.display()),
            None => text += "enabled = false\n",
        }
        text += "\n[syslog]\n";
        match syslog {
            Some(s) => text += &format!("enabled = true\nsocket = \"{}\"\n", s.display()),
            None => text += "enabled = false\n",
        }
        if spool.is_some() || syslog.is_some() {
            text += &format!("\n[mac]\nkey_file = \"{}\"\n", key.display());
            // The bench starts sessions far faster than any user would: the per-user session
            // rate would make it measure waits (README, `[limits]`). The byte budgets stay on.
            text += "\n[limits]\nsessions_per_second = 0\n";
        }
        std::fs::write(&path, text).map_err(io_err(&path))?;
        Ok::<PathBuf, String>(path)
    };
    let on = config("on.toml", Some(&dir.join("spool")), Some(&sock))?;
    let spool_only = config("spool-only.toml", Some(&dir.join("spool-only")), None)?;
    let syslog_only = config("syslog-only.toml", None, Some(&sock_only))?;
    let off = config("off.toml", None, None)?;

    // The real syslog reader of the rsyslogd runner: started now, so that it is listening for
    // the check runs; killed when `daemon` drops (at the end, and on every error return).
    let mut notes = Vec::new();
    let mut daemon = if !Path::new(RSYSLOGD).is_file() {
        notes.push(format!(
            "rsyslogd: {RSYSLOGD} is not installed (apt-get install rsyslog), row skipped"
        ));
        None
    } else {
        match Rsyslogd::start(dir) {
            Ok(d) => {
                notes.push(format!(
                    "audit on, rsyslogd: spool in {}/spool-rsyslogd, syslog to {}, read by rsyslogd {} (pid {}, started by the bench with -n -f {}; imuxsock with the sender's credentials, omfile to {} with the installed template)",
                    dir.display(),
                    d.socket.display(),
                    command_line("dpkg-query", &["-W", "-f=${Version}", "rsyslog"]),
                    d.pid(),
                    d.conf.display(),
                    d.out.display(),
                ));
                Some(d)
            }
            Err(e) => {
                notes.push(format!("rsyslogd: did not start ({e}), row skipped"));
                None
            }
        }
    };
    let rsyslogd_spool = dir.join("spool-rsyslogd");
    let with_rsyslogd = match &daemon {
        Some(d) => Some(config(
            "rsyslogd.toml",
            Some(&rsyslogd_spool),
            Some(&d.socket),
        )?),
        None => None,
    };

    let base_env = |extra: &[(&str, &Path)]| -> Vec<CString> {
        let mut env = vec![
            cstr("PATH=/usr/bin:/bin"),
            cstr(format!("HOME={}", dir.display())),
        ];
        for (k, v) in extra {
            let mut s = format!("{k}=").into_bytes();
            s.extend_from_slice(v.as_os_str().as_bytes());
            env.push(cstr(s));
        }
        env
    };

    let mut runners = vec![
        Runner {
            kind: Kind::AuditOn,
            name: "auditsh (audit on)".into(),
            path: cstr(AUDITSH),
            pre_args: vec![],
            env: base_env(&[("AUDITSH_CONFIG", &on)]),
        },
        Runner {
            kind: Kind::AuditOff,
            name: "auditsh (audit off)".into(),
            path: cstr(AUDITSH),
            pre_args: vec![],
            env: base_env(&[("AUDITSH_CONFIG", &off)]),
        },
        Runner {
            kind: Kind::SpoolOnly,
            name: "auditsh (spool only)".into(),
            path: cstr(AUDITSH),
            pre_args: vec![],
            env: base_env(&[("AUDITSH_CONFIG", &spool_only)]),
        },
        Runner {
            kind: Kind::SyslogOnly,
            name: "auditsh (syslog only)".into(),
            path: cstr(AUDITSH),
            pre_args: vec![],
            env: base_env(&[("AUDITSH_CONFIG", &syslog_only)]),
        },
    ];
    if let Some(conf) = &with_rsyslogd {
        runners.push(Runner {
            kind: Kind::AuditRsyslogd,
            name: "auditsh (audit on, rsyslogd)".into(),
            path: cstr(AUDITSH),
            pre_args: vec![],
            env: base_env(&[("AUDITSH_CONFIG", conf)]),
        });
    }
    let dash = find_in_path("dash").ok_or("dash is not installed (apt-get install dash)")?;
    runners.push(Runner {
        kind: Kind::Dash,
        name: "dash".into(),
        path: cstr(dash.as_os_str().as_bytes()),
        pre_args: vec![],
        env: base_env(&[]),
    });
    match find_in_path("bash") {
        Some(bash) => runners.push(Runner {
            kind: Kind::Bash,
            name: "bash --posix".into(),
            path: cstr(bash.as_os_str().as_bytes()),
            pre_args: vec![cstr("--posix")],
            env: base_env(&[]),
        }),
        None => notes.push("bash: not installed, row skipped".to_string()),
    }
    match SNOOPY_LIBS.iter().map(Path::new).find(|p| p.exists()) {
        Some(lib) => {
            runners.push(Runner {
                kind: Kind::Snoopy,
                name: "dash + snoopy".into(),
                path: cstr(dash.as_os_str().as_bytes()),
                pre_args: vec![],
                env: base_env(&[("LD_PRELOAD", lib)]),
            });
            let dest = if Path::new("/dev/log").exists() {
                "/dev/log (a syslog daemon is listening)"
            } else {
                "/dev/log, which does not exist here: each message is formatted, the connect fails, the message is dropped"
            };
            notes.push(format!(
                "snoopy: LD_PRELOAD={} (config /etc/snoopy.ini); its messages go to {dest}",
                lib.display()
            ));
        }
        None => notes
            .push("snoopy: libsnoopy.so not found (apt-get install snoopy), row skipped".into()),
    }
    match build_floor(dir) {
        Ok(floor) => {
            runners.push(Runner {
                kind: Kind::Floor,
                name: "floor (posix_spawn+wait)".into(),
                path: cstr(floor.as_os_str().as_bytes()),
                pre_args: vec![],
                env: base_env(&[]),
            });
            runners.push(Runner {
                kind: Kind::FloorSinks,
                name: "floor + records' syscalls".into(),
                path: cstr(floor.as_os_str().as_bytes()),
                pre_args: vec![
                    cstr(floor_spool.as_os_str().as_bytes()),
                    cstr(sock_floor.as_os_str().as_bytes()),
                ],
                env: base_env(&[]),
            });
        }
        Err(e) => notes.push(format!("floor: not built ({e}), rows skipped")),
    }

    let all = vec![
        Workload {
            key: "startup",
            group: "startup",
            reference: Kind::AuditOn,
            title: "startup: X -c true".into(),
            script: "true".into(),
            per_round: STARTUP_PER_ROUND,
            floor_count: Some(0),
            bash_only: false,
        },
        Workload {
            key: "programs",
            group: "programs",
            reference: Kind::AuditOn,
            title: format!("{PROGRAMS} external programs: /bin/true in a while loop"),
            script: format!(
                "i=0; while [ $i -lt {PROGRAMS} ]; do /bin/true; i=$((i+1)); done; echo $i"
            ),
            per_round: 1,
            floor_count: Some(PROGRAMS),
            bash_only: false,
        },
        Workload {
            key: "programs-rsyslogd",
            group: "programs",
            reference: Kind::AuditRsyslogd,
            title: format!(
                "{PROGRAMS_RSYSLOGD} external programs: /bin/true in a while loop (the rsyslogd runner's workload; auditsh/X here is auditsh (audit on, rsyslogd) / X)"
            ),
            script: format!(
                "i=0; while [ $i -lt {PROGRAMS_RSYSLOGD} ]; do /bin/true; i=$((i+1)); done; echo $i"
            ),
            per_round: 1,
            floor_count: None,
            bash_only: false,
        },
        Workload {
            key: "arith",
            group: "arith",
            reference: Kind::AuditOn,
            title: format!("{ITERATIONS}-iteration while loop of arithmetic"),
            script: format!(
                "i=0; s=0; while [ $i -lt {ITERATIONS} ]; do i=$((i+1)); s=$(( (s + i * 7) % 1000003 )); done; echo $s"
            ),
            per_round: 1,
            floor_count: None,
            bash_only: false,
        },
        Workload {
            key: "case",
            group: "case",
            reference: Kind::AuditOn,
            title: format!("{ITERATIONS}-iteration while loop of case and ["),
            script: format!(
                "i=0; n=0; while [ $i -lt {ITERATIONS} ]; do case $i in *7) n=$((n+1));; *[02468]) [ -n \"$i\" ] && [ \"$i\" != x ];; *) [ \"$i\" = x ] || :;; esac; i=$((i+1)); done; echo $n"
            ),
            per_round: 1,
            floor_count: None,
            bash_only: false,
        },
        Workload {
            key: "bash-cond",
            group: "bash",
            reference: Kind::AuditOn,
            title: format!("{ITERATIONS}-iteration loop of [[ ]] with patterns (bash language)"),
            script: format!(
                "i=0; n=0; while [[ $i -lt {ITERATIONS} ]]; do if [[ $i == *7 && -n $i ]]; then n=$((n+1)); fi; i=$((i+1)); done; echo $n"
            ),
            per_round: 1,
            floor_count: None,
            bash_only: true,
        },
        Workload {
            key: "bash-arrays",
            group: "bash",
            reference: Kind::AuditOn,
            title: format!("{ITERATIONS} array elements set then summed (bash language)"),
            script: format!(
                "a=(); for ((i=0;i<{ITERATIONS};i++)); do a[i]=$((i*2)); done; s=0; for ((i=0;i<{ITERATIONS};i++)); do s=$((s+a[i])); done; echo $s ${{#a[@]}}"
            ),
            per_round: 1,
            floor_count: None,
            bash_only: true,
        },
        Workload {
            key: "bash-replace",
            group: "bash",
            reference: Kind::AuditOn,
            title: format!("{ITERATIONS}-iteration loop of ${{x//p/r}} (bash language)"),
            script: format!(
                "x=hello-world-foo-bar; n=0; for ((i=0;i<{ITERATIONS};i++)); do y=${{x//o/0}}; z=${{y/#h/H}}; n=$((n+${{#z}})); done; echo $n"
            ),
            per_round: 1,
            floor_count: None,
            bash_only: true,
        },
    ];
    // The 500-program workload is there for the rsyslogd runner only.
    let all: Vec<Workload> = all
        .into_iter()
        .filter(|w| w.reference != Kind::AuditRsyslogd || daemon.is_some())
        .collect();
    let workloads: Vec<Workload> = match &opts.only {
        None => all,
        Some(keys) => {
            for k in keys {
                if !all.iter().any(|w| w.group == k) {
                    return Err(format!(
                        "--only {k}: not one of startup, programs, arith, case, bash"
                    ));
                }
            }
            all.into_iter()
                .filter(|w| keys.iter().any(|k| k == w.group))
                .collect()
        }
    };

    let load_before = read_trim("/proc/loadavg");
    print_header(opts, &runners, &notes, dir);

    // Check and warm up: each program once per workload, its output compared with dash's.
    let out = dir.join("out");
    let err = dir.join("err");
    let out_c = cstr(out.as_os_str().as_bytes());
    let err_c = cstr(err.as_os_str().as_bytes());
    let devnull = cstr("/dev/null");
    for w in &workloads {
        let mut expected: Option<Vec<u8>> = None;
        for r in runners.iter().filter(|r| applies(r, w)) {
            run_once(r, w, &out_c, &err_c).map_err(|e| format!("{} {}: {e}", r.name, w.key))?;
            let got = std::fs::read(&out).unwrap_or_default();
            let stderr = std::fs::read(&err).unwrap_or_default();
            if !stderr.is_empty() {
                println!(
                    "note: {} on {} wrote to stderr: {}",
                    r.name,
                    w.key,
                    String::from_utf8_lossy(&stderr).trim()
                );
            }
            if r.kind.is_floor() {
                continue;
            }
            match &expected {
                None => expected = Some(got),
                Some(e) if *e != got => {
                    return Err(format!(
                        "{} on {}: output {:?} differs from {:?}",
                        r.name,
                        w.key,
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(e)
                    ))
                }
                Some(_) => {}
            }
        }
    }

    // Measure: round after round; within a round each workload, and within it each program in
    // turn (A, B, C, A, B, C ... for the short ones), the order rotated every round.
    let mut samples: Vec<Vec<Vec<Sample>>> = workloads
        .iter()
        .map(|_| runners.iter().map(|_| Vec::new()).collect())
        .collect();
    let started = Instant::now();
    for round in 0..opts.rounds {
        for (wi, w) in workloads.iter().enumerate() {
            let order: Vec<usize> = (0..runners.len())
                .map(|i| (i + round) % runners.len())
                .filter(|&i| applies(&runners[i], w))
                .collect();
            for _ in 0..w.per_round {
                for &ri in &order {
                    let s = run_once(&runners[ri], w, &devnull, &err_c)
                        .map_err(|e| format!("{} {}: {e}", runners[ri].name, w.key))?;
                    samples[wi][ri].push(s);
                }
            }
        }
        eprint!("\rround {}/{}", round + 1, opts.rounds);
    }
    eprintln!(" ({:.0} s)", started.elapsed().as_secs_f64());

    let mut report = String::new();
    let mut ratios: Vec<(String, f64, f64)> = Vec::new();
    // The rsyslogd runner's ratios: (label, ratio, target if there is one).
    let mut daemon_ratios: Vec<(String, f64, Option<f64>)> = Vec::new();
    let mut costs = String::new();
    for (wi, w) in workloads.iter().enumerate() {
        report_workload(&mut report, w, &runners, &samples[wi], opts.rounds);
        let med = |k: Kind| -> Option<f64> {
            let ri = runners.iter().position(|r| r.kind == k)?;
            median(
                &samples[wi][ri]
                    .iter()
                    .map(|s| secs(s.wall))
                    .collect::<Vec<_>>(),
            )
        };
        let on = med(Kind::AuditOn);
        let mut target = |label: &str, other: Kind, limit: f64| {
            if let (Some(a), Some(b)) = (on, med(other)) {
                ratios.push((label.to_string(), a / b, limit));
            }
        };
        match w.key {
            "startup" => target("startup -c true, audit on / dash", Kind::Dash, 1.0),
            "programs" => {
                target("1,000 programs, audit on / dash", Kind::Dash, 1.0);
                target("1,000 programs, audit on / floor", Kind::Floor, 1.05);
                target("1,000 programs, audit on / audit off", Kind::AuditOff, 1.03);
            }
            "arith" => target("arithmetic loop, audit on / dash", Kind::Dash, 0.8),
            "case" => target("case and [ loop, audit on / dash", Kind::Dash, 1.0),
            "bash-cond" => target("[[ ]] loop, audit on / bash", Kind::Bash, 0.5),
            "bash-arrays" => target("array loop, audit on / bash", Kind::Bash, 0.5),
            "bash-replace" => target("${x//p/r} loop, audit on / bash", Kind::Bash, 0.5),
            _ => {}
        }
        let with_daemon = med(Kind::AuditRsyslogd);
        let mut against = |label: &str, other: Kind, limit: Option<f64>| {
            if let (Some(a), Some(b)) = (with_daemon, med(other)) {
                daemon_ratios.push((label.to_string(), a / b, limit));
            }
        };
        let n = PROGRAMS_RSYSLOGD;
        match w.key {
            "startup" => {
                against(
                    "startup -c true, rsyslogd / audit off",
                    Kind::AuditOff,
                    None,
                );
                against("startup -c true, rsyslogd / dash", Kind::Dash, Some(0.70));
                against(
                    "startup -c true, rsyslogd / drained socket",
                    Kind::AuditOn,
                    None,
                );
            }
            "programs-rsyslogd" => {
                against(
                    &format!("{n} programs, rsyslogd / audit off"),
                    Kind::AuditOff,
                    Some(1.02),
                );
                against(
                    &format!("{n} programs, rsyslogd / dash"),
                    Kind::Dash,
                    Some(1.03),
                );
                against(
                    &format!("{n} programs, rsyslogd / drained socket"),
                    Kind::AuditOn,
                    None,
                );
            }
            _ => {}
        }
        report_costs(&mut costs, w, &med);
        if w.key == "startup" {
            report_rss(&mut report, &runners, &samples[wi]);
            let rss = |k: Kind| -> Option<f64> {
                let ri = runners.iter().position(|r| r.kind == k)?;
                median(
                    &samples[wi][ri]
                        .iter()
                        .map(|s| s.maxrss_kib as f64)
                        .collect::<Vec<_>>(),
                )
            };
            if let (Some(a), Some(b)) = (rss(Kind::AuditOn), rss(Kind::Bash)) {
                ratios.push(("peak RSS -c true, audit on / bash".into(), a / b, 1.0));
            }
        }
    }
    let _ = writeln!(
        report,
        "\n== targets (median ratios; met when ratio <= target)"
    );
    let _ = writeln!(report, "{:<42} {:>7} {:>7}  verdict", "", "ratio", "target");
    for (label, ratio, limit) in &ratios {
        let verdict = if *ratio <= *limit {
            "met".to_string()
        } else {
            format!("missed by {:.0}%", (ratio / limit - 1.0) * 100.0)
        };
        let _ = writeln!(report, "{label:<42} {ratio:>7.2} {limit:>7.2}  {verdict}");
    }
    if !daemon_ratios.is_empty() {
        let _ = writeln!(
            report,
            "\n== auditsh (audit on, rsyslogd), a real rsyslogd reading its syslog copy (median ratios; met when ratio <= target)"
        );
        let _ = writeln!(report, "{:<46} {:>7} {:>7}  verdict", "", "ratio", "target");
        for (label, ratio, limit) in &daemon_ratios {
            match limit {
                Some(limit) => {
                    let verdict = if ratio <= limit {
                        "met".to_string()
                    } else {
                        format!("missed by {:.0}%", (ratio / limit - 1.0) * 100.0)
                    };
                    let _ = writeln!(report, "{label:<46} {ratio:>7.2} {limit:>7.2}  {verdict}");
                }
                None => {
                    let _ = writeln!(report, "{label:<46} {ratio:>7.2} {:>7}", "-");
                }
            }
        }
    }
    if !costs.is_empty() {
        let _ = writeln!(
            report,
            "\n== what auditing costs, against what the records' system calls alone cost (median wall)"
        );
        let _ = writeln!(
            report,
            "{:<30} {:>16} {:>24} {:>16}",
            "", "auditsh on - off", "floor + syscalls - floor", "the difference"
        );
        report.push_str(&costs);
    }
    let (spool_lines, sealed) = count_spool_lines(&dir.join("spool"));
    let _ = writeln!(
        report,
        "\naudit trail written during the run: {spool_lines} spool lines ({sealed} sealed with a MAC), {} syslog messages received by the bench's socket",
        received.load(Ordering::Relaxed)
    );
    if let Some(d) = &mut daemon {
        // The daemon writes behind the shell: wait for it to catch up before counting.
        let (spool_lines, _) = count_spool_lines(&rsyslogd_spool);
        let (written, others) = d.settle(spool_lines);
        let _ = writeln!(
            report,
            "audit trail of auditsh (audit on, rsyslogd): {spool_lines} spool lines, {written} lines with `auditsh[` written by rsyslogd to {} (and {others} other lines)",
            d.out.display()
        );
        if written != spool_lines {
            let _ = writeln!(
                report,
                "!!! MISMATCH: rsyslogd wrote {written} lines for auditsh but the spool has {spool_lines}: records were lost or split between the shell and rsyslogd's file{}; rsyslogd said: {}",
                if d.exited() { " (rsyslogd is no longer running)" } else { "" },
                d.said()
            );
        }
    }
    let _ = writeln!(
        report,
        "load average: before {load_before}; after {}",
        read_trim("/proc/loadavg")
    );
    print!("{report}");
    Ok(())
}

/// One line of the cost table for start-up and programs: what auditing adds to auditsh, what
/// the records' system calls alone add to the floor (the part no shell can avoid), and the
/// difference (what auditsh spends on top: building, hashing and bookkeeping).
fn report_costs(out: &mut String, w: &Workload, med: &dyn Fn(Kind) -> Option<f64>) {
    let Some(count) = w.floor_count else { return };
    let (Some(on), Some(off), Some(floor), Some(sinks)) = (
        med(Kind::AuditOn),
        med(Kind::AuditOff),
        med(Kind::Floor),
        med(Kind::FloorSinks),
    ) else {
        return;
    };
    let per = count.max(1) as f64;
    let label = if count == 0 {
        "startup -c true (per run)".to_string()
    } else {
        format!("{count} programs (per program)")
    };
    let us = |s: f64| format!("{:+.1} us", s * 1e6 / per);
    let _ = writeln!(
        out,
        "{label:<30} {:>16} {:>24} {:>16}",
        us(on - off),
        us(sinks - floor),
        us((on - off) - (sinks - floor))
    );
}

/// Whether a program runs a workload: the floors run only start-up and programs, and the one-sink runs
/// matter only where auditing costs something (start-up and programs; the loops write no
/// records).
///
/// The rsyslogd runner runs start-up and its own 500-program workload, which runs only what
/// its ratios need beside it: auditing on with the drained socket, auditing off, and dash.
fn applies(r: &Runner, w: &Workload) -> bool {
    if w.bash_only {
        return matches!(r.kind, Kind::AuditOn | Kind::AuditOff | Kind::Bash);
    }
    if w.reference == Kind::AuditRsyslogd {
        return matches!(
            r.kind,
            Kind::AuditRsyslogd | Kind::AuditOn | Kind::AuditOff | Kind::Dash
        );
    }
    match r.kind {
        Kind::Floor | Kind::FloorSinks => w.floor_count.is_some(),
        Kind::SpoolOnly | Kind::SyslogOnly => matches!(w.key, "startup" | "programs"),
        Kind::AuditRsyslogd => w.key == "startup",
        _ => true,
    }
}

/// Bind a datagram socket at `path` and drain it with a thread, as a syslog daemon would;
/// the count of messages received.
fn drain(path: &Path) -> Result<Arc<AtomicU64>, String> {
    let sock = UnixDatagram::bind(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 17];
        while sock.recv(&mut buf).is_ok() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    Ok(received)
}

fn build_floor(dir: &Path) -> Result<PathBuf, String> {
    let src = dir.join("floor.c");
    let bin = dir.join("floor");
    std::fs::write(&src, FLOOR_C).map_err(|e| e.to_string())?;
    let out = Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .map_err(|e| format!("cc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cc: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(bin)
}

/// Start `r` on workload `w` with stdin /dev/null, stdout and stderr to the given files; wait
/// with wait4 for its own resource usage.
fn run_once(r: &Runner, w: &Workload, stdout: &CStr, stderr: &CStr) -> Result<Sample, String> {
    let mut args: Vec<CString> = vec![r.path.clone()];
    if r.kind.is_floor() {
        args.push(cstr(w.floor_count.unwrap_or(0).to_string()));
        args.extend(r.pre_args.iter().cloned());
    } else {
        args.extend(r.pre_args.iter().cloned());
        args.push(cstr("-c"));
        args.push(cstr(&w.script));
    }
    let mut argv: Vec<*mut libc::c_char> = args.iter().map(|a| a.as_ptr() as *mut _).collect();
    argv.push(std::ptr::null_mut());
    let mut envp: Vec<*mut libc::c_char> = r.env.iter().map(|a| a.as_ptr() as *mut _).collect();
    envp.push(std::ptr::null_mut());
    let devnull = cstr("/dev/null");

    // The file actions object is initialised before use and destroyed after; every pointer
    // passed (paths, argv, envp) points into CStrings that outlive the calls, and argv and envp
    // are NULL-terminated.
    // SAFETY: an all-zero file actions object is valid storage for init.
    let mut fa: libc::posix_spawn_file_actions_t = unsafe { std::mem::zeroed() };
    // SAFETY: fa is valid storage.
    if unsafe { libc::posix_spawn_file_actions_init(&mut fa) } != 0 {
        return Err("posix_spawn_file_actions_init failed".into());
    }
    let wr = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC;
    for (fd, path, flags, mode) in [
        (0, devnull.as_c_str(), libc::O_RDONLY, 0),
        (1, stdout, wr, 0o644),
        (2, stderr, wr, 0o644),
    ] {
        // SAFETY: fa was initialised; path is a valid C string that outlives the spawn.
        unsafe { libc::posix_spawn_file_actions_addopen(&mut fa, fd, path.as_ptr(), flags, mode) };
    }
    let start = Instant::now();
    let mut pid: libc::pid_t = 0;
    // SAFETY: see above.
    let rc = unsafe {
        libc::posix_spawn(
            &mut pid,
            r.path.as_ptr(),
            &fa,
            std::ptr::null(),
            argv.as_ptr(),
            envp.as_ptr(),
        )
    };
    // SAFETY: fa was initialised and is not used after.
    unsafe { libc::posix_spawn_file_actions_destroy(&mut fa) };
    if rc != 0 {
        return Err(format!("posix_spawn: {}", io::Error::from_raw_os_error(rc)));
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be filled in.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: status and ru are valid out-pointers; pid is our child.
        let got = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
        if got == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(format!("wait4: {e}"));
        }
    }
    let wall = start.elapsed();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("exited with wait status {status:#x}"));
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Ok(Sample {
        wall,
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        maxrss_kib: ru.ru_maxrss,
    })
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let pos = q * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(s[lo] + (s[hi] - s[lo]) * (pos - lo as f64))
}

fn median(v: &[f64]) -> Option<f64> {
    quantile(v, 0.5)
}

fn fmt_time(s: f64) -> String {
    if s < 1.0 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{s:.3} s ")
    }
}

fn report_workload(
    out: &mut String,
    w: &Workload,
    runners: &[Runner],
    samples: &[Vec<Sample>],
    rounds: usize,
) {
    let _ = writeln!(
        out,
        "\n== {} ({} runs each: {rounds} rounds x {})",
        w.title,
        rounds * w.per_round,
        w.per_round
    );
    let _ = writeln!(
        out,
        "{:<28} {:>12} {:>25} {:>12} {:>10}",
        "", "median wall", "p25 .. p75", "median cpu", "auditsh/X"
    );
    let on = runners
        .iter()
        .position(|r| r.kind == w.reference)
        .and_then(|i| median(&samples[i].iter().map(|s| secs(s.wall)).collect::<Vec<_>>()));
    for (ri, r) in runners.iter().enumerate() {
        let walls: Vec<f64> = samples[ri].iter().map(|s| secs(s.wall)).collect();
        let cpus: Vec<f64> = samples[ri].iter().map(|s| secs(s.cpu)).collect();
        let (Some(m), Some(p25), Some(p75), Some(c)) = (
            median(&walls),
            quantile(&walls, 0.25),
            quantile(&walls, 0.75),
            median(&cpus),
        ) else {
            continue;
        };
        let ratio = on.map(|o| format!("{:.2}", o / m)).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<28} {:>12} {:>25} {:>12} {:>10}",
            r.name,
            fmt_time(m),
            format!("{} .. {}", fmt_time(p25), fmt_time(p75)),
            fmt_time(c),
            ratio
        );
    }
}

fn report_rss(out: &mut String, runners: &[Runner], samples: &[Vec<Sample>]) {
    let _ = writeln!(
        out,
        "\n== peak RSS of X -c true (wait4 ru_maxrss of the child, median)"
    );
    // Linux keeps the peak of the address space an exec replaces, and a child started with
    // posix_spawn (a vfork) replaces the bench's own: no child reports less than the bench's
    // RSS of that moment. Say how high that went, so that such values are read as "at most".
    if let Some(own) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
    {
        let _ = writeln!(
            out,
            "(a child started with posix_spawn reports at least the bench's own RSS when it started, which peaked at {own} KiB: values up to that may be the bench's, not the child's)"
        );
    }
    let _ = writeln!(out, "{:<28} {:>12} {:>10}", "", "peak RSS", "auditsh/X");
    let rss = |ri: usize| {
        median(
            &samples[ri]
                .iter()
                .map(|s| s.maxrss_kib as f64)
                .collect::<Vec<_>>(),
        )
    };
    let on = runners
        .iter()
        .position(|r| r.kind == Kind::AuditOn)
        .and_then(rss);
    for (ri, r) in runners.iter().enumerate() {
        let Some(m) = rss(ri) else { continue };
        let ratio = on.map(|o| format!("{:.2}", o / m)).unwrap_or_default();
        let _ = writeln!(out, "{:<28} {:>9.0} KiB {:>10}", r.name, m, ratio);
    }
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn command_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| "?".into())
}

/// What one `cpuid` costs: under a hypervisor that traps it, this (times the forty or so that
/// glibc runs when a program starts, in ld.so or in a static binary's start-up) is a large part
/// of every start-up measured here. See BENCHMARKS.md.
#[cfg(target_arch = "x86_64")]
fn cpuid_cost_ns() -> Option<f64> {
    const N: u32 = 1000;
    let start = Instant::now();
    for leaf in 0..N {
        // SAFETY: cpuid exists on every x86_64 CPU and has no side effects.
        #[allow(unused_unsafe)]
        let r = unsafe { std::arch::x86_64::__cpuid(leaf % 2) };
        std::hint::black_box(r);
    }
    Some(start.elapsed().as_nanos() as f64 / f64::from(N))
}

#[cfg(not(target_arch = "x86_64"))]
fn cpuid_cost_ns() -> Option<f64> {
    None
}

fn print_header(opts: &Opts, runners: &[Runner], notes: &[String], dir: &Path) {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    println!(
        "auditsh shell benchmark: {} rounds, runs interleaved, order rotated each round",
        opts.rounds
    );
    if let Some(ns) = cpuid_cost_ns() {
        println!(
            "cpuid: {ns:.0} ns per instruction here (1,000 timed; a hypervisor that traps it makes every C library's CPU probing at start-up slow)"
        );
    }
    println!(
        "machine: nproc {cpus}, CPU {model}, kernel {}, {} MiB RAM",
        read_trim("/proc/sys/kernel/osrelease"),
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| s
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok()))
            .map(|k| k / 1024)
            .unwrap_or(0)
    );
    let commit = command_line(
        "git",
        &[
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    let dirty = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "status",
            "--porcelain",
            "--",
            "src",
            "Cargo.toml",
            "Cargo.lock",
        ])
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
    println!(
        "auditsh: {AUDITSH} (commit {commit}{}); dash {}; bash {}",
        if dirty { ", src modified" } else { "" },
        command_line("dpkg-query", &["-W", "-f=${Version}", "dash"]),
        command_line("dpkg-query", &["-W", "-f=${Version}", "bash"]),
    );
    println!(
        "audit on: spool in {}/spool, syslog to {}/log.sock, a datagram socket the bench binds and drains (no syslog daemon involved); audit off: both sinks disabled",
        dir.display(),
        dir.display()
    );
    println!(
        "floor + records' syscalls: the floor given a spool directory ({}/spool-floor) and a drained socket of its own ({}/log-floor.sock)",
        dir.display(),
        dir.display()
    );
    for n in notes {
        println!("{n}");
    }
    println!(
        "shells run as `X -c SCRIPT` with stdin /dev/null, stdout /dev/null, env PATH=/usr/bin:/bin HOME=<tmp> only (+AUDITSH_CONFIG / LD_PRELOAD); wall = posix_spawn to wait4, cpu = user+sys from wait4"
    );
    println!(
        "programs: {}",
        runners
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Spool lines, and of them those sealed with a MAC.
fn count_spool_lines(dir: &Path) -> (usize, usize) {
    let (mut n, mut sealed) = (0, 0);
    let Ok(days) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    for day in days.flatten() {
        let Ok(files) = std::fs::read_dir(day.path()) else {
            continue;
        };
        // Session files only: the day directory also holds the users' counters.
        for f in files
            .flatten()
            .filter(|f| f.path().extension().is_some_and(|e| e == "jsonl"))
        {
            if let Ok(b) = std::fs::read(f.path()) {
                for line in b.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                    n += 1;
                    const MAC: &[u8] = b",\"mac\":\"";
                    sealed += usize::from(line.windows(MAC.len()).any(|w| w == MAC));
                }
            }
        }
    }
    (n, sealed)
}
