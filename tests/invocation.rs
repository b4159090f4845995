//! The shell's command line and its handling of hostile input: what a case of the differential
//! suite cannot hold (inputs too large for one, a parent that ignores signals or sets PWD, the
//! shell's own options). The deliberate differences from dash that a case can show are cases
//! there (`#! differs`).

use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Output};

mod common;

use common::{AuditEnv, AUDITSH, DASH};

/// A private directory with the shell's config (spool there, syslog off), and the
/// environment the shell and dash run in.
struct Sandbox {
    env: AuditEnv,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        Sandbox {
            env: AuditEnv::builder()
                .tag(&format!("inv-{name}"))
                .syslog(false)
                .build(),
        }
    }

    fn dir(&self) -> &std::path::Path {
        self.env.dir()
    }

    fn shell(&self) -> Command {
        self.shell_at(AUDITSH)
    }

    /// `program` (auditsh, or dash to compare with) in the sandbox's environment.
    fn shell_at(&self, program: &str) -> Command {
        let mut c = self.env.command_at(program);
        c.env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LC_ALL", "C");
        c
    }

    /// Run a script file (for inputs larger than one argument may be).
    fn run_script(&self, script: &[u8]) -> Output {
        let path = self.dir().join("big.sh");
        std::fs::write(&path, script).unwrap();
        self.run(&[path.as_os_str().as_bytes()], b"")
    }

    fn run(&self, args: &[&[u8]], stdin: &[u8]) -> Output {
        let mut c = self.shell();
        c.args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)));
        common::run_with_stdin(c, Some(stdin))
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn version_and_help() {
    let sb = Sandbox::new("version");
    let out = sb.run(&[b"--version"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).starts_with("auditsh "),
        "{}",
        text(&out.stdout)
    );
    let out = sb.run(&[b"--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("-c string"));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let sb = Sandbox::new("usage");
    for (args, message) in [
        (&[&b"-c"[..]][..], "-c requires an argument"),
        (&[b"-Z"], "Illegal option -Z"),
        (&[b"-o", b"nosuch"], "Illegal option -o nosuch"),
    ] {
        let out = sb.run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(message), "{err}");
    }
    // A missing script: named by the shell, not by the script; dash's words and status in
    // posix mode, bash's in bash mode.
    let out = sb.run(&[b"--posix", b"/nonexistent/script"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.ends_with(": 0: cannot open /nonexistent/script: No such file\n"),
        "{err}"
    );
    assert!(!err.starts_with("/nonexistent"), "{err}");
    let out = sb.run(&[b"/nonexistent/script"], b"");
    assert_eq!(out.status.code(), Some(127));
    let err = text(&out.stderr);
    assert!(
        err.ends_with(": /nonexistent/script: No such file or directory\n"),
        "{err}"
    );
    assert!(!err.starts_with("/nonexistent"), "{err}");
}

#[test]
fn login_and_set_options_on_the_command_line() {
    let sb = Sandbox::new("opts");
    // bash's letters and order (the default language); posix mode has dash's.
    let out = sb.run(&[b"-eu", b"-c", b"echo $-"], b"");
    assert_eq!(text(&out.stdout), "ehuBc\n");
    let out = sb.run(&[b"-eu", b"-o", b"posix", b"-c", b"echo $-"], b"");
    assert_eq!(text(&out.stdout), "ue\n");
    let out = sb.run(&[b"-o", b"noglob", b"-c", b"echo *"], b"");
    assert_eq!(text(&out.stdout), "*\n");
    let out = sb.run(&[b"-c", b"echo $0 $1 $#", b"name", b"one", b"two"], b"");
    assert_eq!(text(&out.stdout), "name one 2\n");
    let out = sb.run(&[b"-s", b"a", b"b"], b"echo $1$2\n");
    assert_eq!(text(&out.stdout), "ab\n");
    // -n parses without running.
    let out = sb.run(&[b"-n", b"-c", b"echo no"], b"");
    assert_eq!(text(&out.stdout), "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let sb = Sandbox::new("nesting");
    // `( (` with a blank: in bash mode `((` opens an arithmetic command.
    for (open, close) in [("( ", ")"), ("$(", ")"), ("{ ", "; }"), ("${x:-", "}")] {
        let mut script = open.repeat(100_000);
        script.push_str("true");
        script.push_str(&close.repeat(100_000));
        let out = sb.run_script(script.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{open}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stderr).lines().count(),
            1,
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_megabyte_command_line() {
    let sb = Sandbox::new("megabyte");
    let word = "x".repeat(1 << 20);
    let script = format!("v={word}; echo ${{#v}}");
    let out = sb.run_script(script.as_bytes());
    assert_eq!(text(&out.stdout), "1048576\n");
}

#[test]
fn nul_bytes_and_invalid_utf8() {
    let sb = Sandbox::new("bytes");
    // A NUL in the input is dropped, as dash drops it.
    let out = sb.run(&[], b"echo a\0b\n");
    assert_eq!(text(&out.stdout), "ab\n");
    // Bytes that are not UTF-8 travel unchanged to arguments and file names.
    let out = sb.run(
        &[
            b"-c",
            b"printf '%s' \"$1\" > \"$1\"; cat ./\"$1\"",
            b"sh",
            b"\xff\xfe",
        ],
        b"",
    );
    assert_eq!(out.stdout, b"\xff\xfe");
    assert!(sb
        .dir()
        .join(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
        .exists());
}

/// Thousands of programs started from one shell leave nothing behind in it: no mapping, no
/// descriptor, no unreaped child (a start that fails included).
#[test]
fn thousands_of_programs_leave_nothing_behind() {
    let sb = Sandbox::new("programs");
    let script = br#"
/bin/true
before=$(wc -l < /proc/$$/maps)
set -- /proc/$$/fd/*; fds_before=$#
i=0
while [ $i -lt 3000 ]; do
    /bin/true
    i=$((i+1))
    case $i in *00) /nonexistent 2>/dev/null; /bin/false ;; esac
done
echo $i
after=$(wc -l < /proc/$$/maps)
set -- /proc/$$/fd/*; fds_after=$#
echo "maps $before $after"
echo "fds $fds_before $fds_after"
children=$(cat /proc/$$/task/$$/children 2>/dev/null || echo none)
echo "children: $children"
"#;
    let out = sb.run_script(script);
    let printed = text(&out.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"3000"),
        "{printed}{}",
        text(&out.stderr)
    );
    let pair = |prefix: &str| -> (u32, u32) {
        let line = lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {printed}"));
        let n: Vec<u32> = line.split(' ').map(|n| n.parse().unwrap()).collect();
        (n[0], n[1])
    };
    let (maps_before, maps_after) = pair("maps ");
    assert_eq!(maps_before, maps_after, "mappings grew");
    let (fds_before, fds_after) = pair("fds ");
    assert_eq!(fds_before, fds_after, "descriptors grew");
    // Only the `cat` that lists them (or the file is missing on this kernel).
    let children = lines
        .iter()
        .find_map(|l| l.strip_prefix("children: "))
        .unwrap();
    assert!(
        children == "none" || children.split_whitespace().count() <= 1,
        "unreaped children: {children}"
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn signals_ignored_at_entry_stay_ignored_for_programs_as_in_dash() {
    // A parent that ignores SIGQUIT and SIGPIPE (the `nohup`/Python way) starts the shell:
    // every program it runs, directly, in a subshell, in a pipeline or in the background,
    // inherits them ignored, as under dash; a `trap` cannot take them back.
    let sb = Sandbox::new("entry-ignored");
    let script = "trap 'echo caught' QUIT; \
        grep SigIgn /proc/self/status; \
        (grep SigIgn /proc/self/status); \
        grep SigIgn /proc/self/status | cat; \
        grep SigIgn /proc/self/status & wait";
    let run = |shell: &str| {
        let mut c = sb.shell();
        c.arg("-c")
            .arg(format!("trap '' QUIT PIPE; exec {shell} -c \"$0\""))
            .arg(script);
        let out = c.output().unwrap();
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    let ours = run(AUDITSH);
    assert_eq!(ours, run(DASH));
    // QUIT is signal 3 and PIPE 13: both bits set in every line; INT and QUIT of the
    // background job too (0x6), as XCU 2.11 asks.
    let lines: Vec<&str> = ours.lines().collect();
    assert_eq!(lines.len(), 4, "{ours}");
    for l in &lines {
        let mask = u64::from_str_radix(l.trim_start_matches("SigIgn:").trim(), 16).unwrap();
        assert_eq!(mask & 0x1004, 0x1004, "{l}");
    }
}

#[test]
fn statuses_are_kept_when_started_with_sigchld_ignored() {
    // With SIGCHLD ignored the kernel reaps children itself: a shell that kept it so would
    // lose every program's status (and its record's result). `trap '' CHLD` neither.
    let sb = Sandbox::new("chld-ignored");
    let script = "/bin/false; echo $?; x=$(exit 4); echo $?; /bin/true | /bin/false; echo $?; \
        (exit 3) & wait $!; echo $?; trap '' CHLD; /bin/false; echo $?; (exit 5) & wait $!; echo $?";
    let run = |shell: &str| {
        let mut c = sb.shell_at("env");
        c.args(["--ignore-signal=CHLD", shell, "-c", script]);
        let out = c.output().unwrap();
        (out.status.code(), text(&out.stdout))
    };
    let ours = run(AUDITSH);
    assert_eq!(ours, (Some(0), "1\n4\n1\n3\n1\n5\n".to_string()));
    assert_eq!(ours, run(DASH));
}

#[test]
fn inherited_pwd_is_kept_only_when_it_names_the_current_directory() {
    // Through a symbolic link, a stale PWD, a relative one and none: the same as dash.
    let sb = Sandbox::new("pwd");
    let real = sb.dir().join("real");
    std::fs::create_dir_all(&real).unwrap();
    let link = sb.dir().join("link");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let link_s = link.display().to_string();
    for pwd in [
        Some(link_s.as_str()),
        Some("/nonexistent"),
        Some("relative"),
        None,
    ] {
        let run = |shell: &str| {
            let mut c = sb.shell_at(shell);
            c.current_dir(&link)
                .arg("-c")
                .arg("echo \"$PWD\"; cd ..; pwd");
            if let Some(p) = pwd {
                c.env("PWD", p);
            }
            text(&c.output().unwrap().stdout)
        };
        let ours = run(AUDITSH);
        assert_eq!(ours, run(DASH), "PWD={pwd:?}");
        let first = ours.lines().next().unwrap_or("");
        let expected = if pwd == Some(link_s.as_str()) {
            link_s.clone()
        } else {
            std::fs::canonicalize(&real).unwrap().display().to_string()
        };
        assert_eq!(first, expected, "PWD={pwd:?}");
    }
}
