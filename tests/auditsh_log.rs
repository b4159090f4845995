//! `auditsh-log verify` against spool and syslog files written by the real shell: clean ones
//! verify, and each kind of damage (an edited, removed, swapped, duplicated or torn line, a
//! missing end, a shell killed with SIGKILL) is found at the right file and line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::{AuditEnv, AUDITSH_LOG};

/// A private directory whose spool is `<dir>/spool`, syslog off.
fn env() -> AuditEnv {
    AuditEnv::builder().tag("log-it").syslog(false).build()
}

/// As `env`, with syslog to a socket the test binds.
fn env_with_syslog() -> AuditEnv {
    AuditEnv::builder().tag("log-it").build()
}

fn log(args: &[&Path]) -> Output {
    Command::new(AUDITSH_LOG)
        .arg("verify")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn log_args(args: &[&str]) -> Output {
    Command::new(AUDITSH_LOG)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The findings (every line but the summary).
fn findings(o: &Output) -> Vec<String> {
    let out = stdout(o);
    let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
    let summary = lines.pop().unwrap_or_default();
    assert!(
        summary.ends_with(" findings") || summary.ends_with(" finding"),
        "{out}"
    );
    lines
}

fn session_of(file: &Path) -> String {
    file.file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .trim_end_matches(".gz")
        .trim_end_matches(".jsonl")
        .to_string()
}

fn lines_of(file: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read(file).unwrap();
    let body = text.strip_suffix(b"\n").unwrap_or(&text);
    body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn write_lines(file: &Path, lines: &[Vec<u8>]) {
    let mut text = Vec::new();
    for l in lines {
        text.extend_from_slice(l);
        text.push(b'\n');
    }
    std::fs::write(file, text).unwrap();
}

/// A copy of `file` in a new directory `name`, its lines changed by `edit`.
fn damaged_copy(
    env: &AuditEnv,
    file: &Path,
    name: &str,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> PathBuf {
    let copy = env.subdir(name).join(file.file_name().unwrap());
    let mut lines = lines_of(file);
    edit(&mut lines);
    write_lines(&copy, &lines);
    copy
}

/// `verify` of `file` finds exactly one thing, at `line`, about `file`'s session, saying `what`.
fn assert_one_finding(file: &Path, line: usize, what: &str) {
    let o = log(&[file]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let f = findings(&o);
    assert_eq!(f.len(), 1, "{}", stdout(&o));
    let want = format!("{}:{line}: session {}: ", file.display(), session_of(file));
    assert!(f[0].starts_with(&want), "want {want}…, got {}", f[0]);
    assert!(f[0].contains(what), "want {what:?} in {}", f[0]);
    assert!(stdout(&o).ends_with("1 finding\n"), "{}", stdout(&o));
}

const SCRIPT: &str = "true; /bin/echo hi | /bin/cat; for i in 1 2; do /bin/true $i; done";

#[test]
fn a_clean_spool_verifies() {
    let env = env();
    let file = env.session(SCRIPT).file;
    assert!(lines_of(&file).len() >= 8);
    let o = log(&[env.spool_dir()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "1 file, 1 session, {} records, 0 findings\n",
            lines_of(&file).len()
        )
    );
    assert_eq!(stderr(&o), "");
    // The file itself, named directly, too.
    let o = log(&[&file]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // --quiet prints nothing when there is nothing to say.
    let o = log_args(&["verify", "--quiet", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
}

#[test]
fn an_edited_line_is_found_at_its_line() {
    let env = env();
    let file = env.session(SCRIPT).file;
    // One character inside a string of the third record (its message) changed.
    let copy = damaged_copy(&env, &file, "edited", |lines| {
        let l = &mut lines[2];
        let at = l.windows(11).position(|w| w == b"\"message\":\"").unwrap() + 11;
        l[at] = if l[at] == b'x' { b'y' } else { b'x' };
    });
    assert_one_finding(&copy, 3, "record 2 was altered");
}

#[test]
fn a_removed_line_is_found_where_it_is_missing() {
    let env = env();
    let file = env.session(SCRIPT).file;
    let copy = damaged_copy(&env, &file, "removed", |lines| {
        lines.remove(3);
    });
    assert_one_finding(&copy, 4, "record 3 is missing");
    // The first line (session-start) removed.
    let copy = damaged_copy(&env, &file, "removed-start", |lines| {
        lines.remove(0);
    });
    assert_one_finding(&copy, 1, "record 0 is missing, the session's start");
}

#[test]
fn swapped_lines_are_found() {
    let env = env();
    let file = env.session(SCRIPT).file;
    let copy = damaged_copy(&env, &file, "swapped", |lines| lines.swap(2, 3));
    assert_one_finding(
        &copy,
        4,
        "sequence 2 is out of order: it comes after sequence 3, line 3",
    );
}

#[test]
fn a_duplicated_line_is_found() {
    let env = env();
    let file = env.session(SCRIPT).file;
    let copy = damaged_copy(&env, &file, "duplicated", |lines| {
        let l = lines[2].clone();
        lines.insert(3, l);
    });
    assert_one_finding(&copy, 4, "sequence 2 again, as at line 3");
}

#[test]
fn a_removed_end_leaves_the_session_unterminated() {
    let env = env();
    let file = env.session(SCRIPT).file;
    let n = lines_of(&file).len();
    let copy = damaged_copy(&env, &file, "no-end", |lines| {
        lines.pop();
    });
    assert_one_finding(&copy, n - 1, "has no end (unterminated)");
}

/// The line of `lines` whose `event.action` is `action`, and its index.
fn line_of(lines: &[Vec<u8>], action: &str) -> usize {
    let key = format!("\"action\":\"{action}\"");
    lines
        .iter()
        .position(|l| l.windows(key.len()).any(|w| w == key.as_bytes()))
        .unwrap_or_else(|| panic!("no {action} record"))
}

/// Schema 2's fields are the record's as much as any: a program's entity id or the session's
/// entry leader changed is found, in the middle of the session (by the next record's
/// `auditsh.prev`) and in its last record (which no record's hash covers: by the leaders every
/// other record names).
#[test]
fn schema_2_fields_altered_are_found() {
    let env = env();
    let file = env.session(SCRIPT).file;
    let lines = lines_of(&file);
    let text = String::from_utf8(lines.concat()).unwrap();
    assert!(text.contains("\"version\":2"), "{text}");
    assert!(text.contains("\"action\":\"end\""), "{text}");
    let session = session_of(&file);
    let edit = |name: &str, i: usize, change: &dyn Fn(String) -> String| {
        damaged_copy(&env, &file, name, |lines| {
            let text = String::from_utf8(lines[i].clone()).unwrap();
            let changed = change(text.clone());
            assert_ne!(changed, text, "{name}");
            lines[i] = changed.into_bytes();
        })
    };
    // A program's end names another process of the session.
    let end = line_of(&lines, "end");
    let copy = edit("entity", end, &|t| {
        let at = t.find("\"entity_id\":\"").unwrap() + 13;
        let id = t[at..].split('"').next().unwrap().to_string();
        t.replacen(&id, &format!("{session}-p77"), 1)
    });
    assert_one_finding(&copy, end + 1, &format!("record {end} was altered"));
    // The shell's arguments as the last record's entry leader names them.
    let last = lines.len() - 1;
    let copy = edit("entry-leader", last, &|mut t| {
        let at = t.find("\"entry_leader\":").unwrap();
        let args = at + t[at..].find("\"args\":[\"").unwrap() + 9;
        t.insert_str(args, "/tmp/evil");
        t
    });
    assert_one_finding(
        &copy,
        last + 1,
        "process.session_leader and process.entry_leader name different processes",
    );
    // Both leaders changed alike: not the shell the session's start names.
    let copy = edit("both-leaders", last, &|t| {
        t.replace("\"args_count\":3", "\"args_count\":4")
    });
    assert_one_finding(
        &copy,
        last + 1,
        "process.session_leader and entry_leader are not the session's shell as its session-start (line 1) names it",
    );
}

/// A record marked lossy (here an argument that is not UTF-8) writes all its text in the
/// lossy form, the leaders' too: a backslash of the shell's arguments is two there. It still
/// names the shell as the session's other records do.
#[test]
fn a_lossy_record_names_the_same_shell() {
    let env = env();
    let file = env
        .session(r#"x="a\b"; /bin/echo "$(printf '\377')" >/dev/null; /bin/true"#)
        .file;
    let text = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    assert!(text.contains("\"lossy\":true"), "{text}");
    let o = log(&[&file]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_truncated_line_is_found() {
    let env = env();
    let file = env.session(SCRIPT).file;
    // A line cut in half in the middle of the file.
    let copy = damaged_copy(&env, &file, "torn", |lines| {
        let l = &mut lines[4];
        l.truncate(l.len() / 2);
    });
    assert_one_finding(&copy, 5, "not a JSON record: torn or altered line");

    // The file cut in the middle of a line: that line is torn, and it is the session's last.
    let text = std::fs::read(&file).unwrap();
    let starts: Vec<usize> = text
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let cut = env.subdir("cut").join(file.file_name().unwrap());
    std::fs::write(&cut, &text[..starts[4] + 40]).unwrap();
    let o = log(&[&cut]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&o);
    let at = format!("{}:6: session {}: ", cut.display(), session_of(&file));
    assert_eq!(f.len(), 2, "{}", stdout(&o));
    assert!(
        f[0].starts_with(&at) && f[0].contains("a line cut short, where the file ends"),
        "{}",
        f[0]
    );
    assert!(
        f[1].starts_with(&at) && f[1].contains("has no end (unterminated)"),
        "{}",
        f[1]
    );
}

#[test]
fn a_shell_killed_with_sigkill_is_unterminated_and_nothing_else() {
    // Repeated, killing at a different point each time (the kill may land while a record is
    // being written, or between a fork and the child's record).
    for round in 0..5 {
        let env = env();
        let mut child = env
            .command()
            .args(["-c", "while :; do /bin/true; done"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let enough = 20 + 7 * round;
        let deadline = Instant::now() + Duration::from_secs(60);
        let file = loop {
            let files = env.spool_files();
            if let Some(f) = files.first() {
                if lines_of(f).len() >= enough {
                    break f.clone();
                }
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the spool file never reached {enough} lines");
            }
            std::thread::sleep(Duration::from_millis(3 * round as u64 + 1));
        };
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // A child forked just before may still write its exec record: let it.
        std::thread::sleep(Duration::from_millis(300));
        let text = std::fs::read(&file).unwrap();
        assert!(text.ends_with(b"\n"), "round {round}: every line whole");
        let n = lines_of(&file).len();
        assert_one_finding(
            &file,
            n,
            "has no end (unterminated): no session-end after this record",
        );
        let o = log(&[env.spool_dir()]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(findings(&o).len(), 1, "round {round}: {}", stdout(&o));
    }
}

fn gzip(src: &Path, dst: &Path) {
    let data = std::fs::read(src).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&data).unwrap();
    std::fs::write(dst, enc.finish().unwrap()).unwrap();
}

#[test]
fn gzipped_files_verify_the_same() {
    let env = env();
    let file = env.session(SCRIPT).file;
    let n = lines_of(&file).len();
    let dir = env.subdir("rotated");
    let gz = dir.join(format!("{}.jsonl.gz", session_of(&file)));
    gzip(&file, &gz);
    let o = log(&[&dir]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("1 file, 1 session, {n} records, 0 findings\n")
    );

    // Damage inside the compressed copy is found at the same line.
    let copy = damaged_copy(&env, &file, "plain-removed", |lines| {
        lines.remove(3);
    });
    let gzdir = env.subdir("gz-removed");
    let gz = gzdir.join(format!("{}.jsonl.gz", session_of(&file)));
    gzip(&copy, &gz);
    assert_one_finding(&gz, 4, "record 3 is missing");

    // Compressed data cut short: a finding, not a crash.
    let data = std::fs::read(&gz).unwrap();
    let cutdir = env.subdir("gz-cut");
    let cut = cutdir.join(format!("{}.jsonl.gz", session_of(&file)));
    std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
    let o = log(&[&cut]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("compressed data is damaged or cut short"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_directory_of_several_sessions() {
    let env = env();
    let a = env.session("/bin/true a").file;
    let b = env.session(SCRIPT).file;
    let c = env.session("/bin/echo c >/dev/null; exit 3").file;
    let total: usize = [&a, &b, &c].iter().map(|f| lines_of(f).len()).sum();
    let o = log(&[env.spool_dir()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("3 files, 3 sessions, {total} records, 0 findings\n")
    );

    // One of them damaged: only it is reported, with its file and session.
    let mut lines = lines_of(&b);
    lines.remove(2);
    write_lines(&b, &lines);
    let o = log(&[env.spool_dir()]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&o);
    assert_eq!(f.len(), 1, "{}", stdout(&o));
    assert!(
        f[0].starts_with(&format!(
            "{}:3: session {}: record 2 is missing",
            b.display(),
            session_of(&b)
        )),
        "{}",
        f[0]
    );
    assert!(stdout(&o).ends_with(&format!(
        "3 files, 3 sessions, {} records, 1 finding\n",
        total - 1
    )));
}

#[test]
fn syslog_files_interleaving_sessions_verify() {
    let env = env_with_syslog();
    let a = env.session(SCRIPT).file;
    let a_lines = env.syslog_lines();
    let b = env
        .session("/bin/true b; /bin/echo b | /bin/cat >/dev/null")
        .file;
    let b_lines = env.syslog_lines();
    assert_eq!(a_lines.len(), lines_of(&a).len());
    assert_eq!(b_lines.len(), lines_of(&b).len());
    // Interleave the two sessions, with another program's lines between them, one session
    // behind an @cee: cookie.
    let mut syslog = Vec::new();
    let (mut ia, mut ib) = (a_lines.iter(), b_lines.iter());
    loop {
        let (x, y) = (ia.next(), ib.next());
        if x.is_none() && y.is_none() {
            break;
        }
        if let Some(x) = x {
            syslog.push(x.clone());
        }
        syslog.push(b"Nov 21 13:04:48 web01 sshd[77]: Accepted publickey for alice".to_vec());
        if let Some(y) = y {
            let i = y.iter().position(|&c| c == b'{').unwrap();
            let mut l = y[..i].to_vec();
            l.extend_from_slice(b"@cee: ");
            l.extend_from_slice(&y[i..]);
            syslog.push(l);
        }
    }
    let logdir = env.subdir("var-log");
    let auth = logdir.join("auth.log");
    write_lines(&auth, &syslog);
    let o = log(&[&auth]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let records = a_lines.len() + b_lines.len();
    assert_eq!(
        stdout(&o),
        format!("1 file, 2 sessions, {records} records, 0 findings\n")
    );

    // Spool and syslog together: the two copies of each session are checked each on its own.
    let o = log(&[env.spool_dir(), &auth]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("3 files, 2 sessions, {} records, 0 findings\n", 2 * records)
    );

    // Split over two (rotated, one gzip'd) files.
    let half = syslog.len() / 2;
    let old = logdir.join("auth.log.1");
    write_lines(&old, &syslog[..half]);
    gzip(&old, &logdir.join("auth.log.1.gz"));
    std::fs::remove_file(&old).unwrap();
    write_lines(&auth, &syslog[half..]);
    let o = log(&[&logdir.join("auth.log.1.gz"), &auth]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // A record of session b removed: found in the file, at the line after it.
    write_lines(&auth, &syslog);
    let victim = syslog
        .iter()
        .position(|l| {
            String::from_utf8_lossy(l).contains(&format!("\"id\":\"{}-2\"", session_of(&b)))
        })
        .unwrap();
    let mut damaged = syslog.clone();
    damaged.remove(victim);
    write_lines(&auth, &damaged);
    let o = log(&[&auth]);
    assert_eq!(o.status.code(), Some(1));
    let f = findings(&o);
    assert_eq!(f.len(), 1, "{}", stdout(&o));
    let next_b = damaged[victim..]
        .iter()
        .position(|l| String::from_utf8_lossy(l).contains(&session_of(&b)))
        .unwrap()
        + victim
        + 1;
    assert!(
        f[0].starts_with(&format!(
            "{}:{next_b}: session {} (syslog copy): record 2 is missing",
            auth.display(),
            session_of(&b)
        )),
        "{}",
        f[0]
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let env = env();
    let file = env.session("true").file;
    let missing = env.dir().join("no-such-file.jsonl");
    let o = log(&[&file, &missing]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "auditsh-log: {}: No such file or directory\n",
            missing.display()
        )
    );
    // What could be read was still checked.
    assert!(
        stdout(&o).ends_with("1 file, 1 session, 4 records, 0 findings\n"),
        "{}",
        stdout(&o)
    );

    // An unreadable spool file inside a directory, likewise (not as root: root reads it).
    let o = log(&[&env.dir().join("no-such-dir")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no-such-dir: No such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn hostile_input_gives_findings_not_crashes() {
    let env = env();
    let dir = env.subdir("hostile");
    let mut junk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    junk.extend_from_slice(b"\n{\"auditsh\":{\"session\":\"x\\n/etc/passwd:1: fake\"}}\n");
    junk.extend_from_slice(&vec![b'{'; 3_000_000]);
    junk.extend_from_slice(b"\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n\n\0\0");
    std::fs::write(dir.join("junk.jsonl"), &junk).unwrap();
    std::fs::write(dir.join("empty.jsonl"), b"").unwrap();
    std::fs::write(dir.join("fake.jsonl.gz"), b"\x1f\x8b\x08garbage").unwrap();
    let o = log(&[&dir, &dir.join("junk.jsonl")]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    // Every finding names a file; nothing from the data starts a line of its own.
    for l in out.lines() {
        assert!(
            l.starts_with(dir.to_str().unwrap()) || l.contains(" findings"),
            "{l}"
        );
    }
    assert!(out.contains("longer than any record"), "{out}");
    assert!(
        out.contains("session x\\x0a/etc/passwd:1: fake: missing or malformed"),
        "{out}"
    );
}

#[test]
fn help_and_version() {
    let o = log_args(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("verify"), "{}", stdout(&o));
    let o = log_args(&["verify", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--quiet"), "{}", stdout(&o));
    let o = log_args(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!("auditsh-log {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = log_args(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = log_args(&["verify", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_manual_page_and_completions_come_from_the_command_line_definition() {
    let o = log_args(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH auditsh-log 1"), "{page}");
    for sub in ["search", "sessions", "show", "report", "verify"] {
        assert!(page.contains(sub), "{sub} missing from the page");
    }
    // The examples an auditor starts from are in the page.
    assert!(page.contains("\\-\\-source\\-ip"), "{page}");
    let o = log_args(&["man", "search"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(page.contains(".TH auditsh-log-search 1"), "{page}");
    assert!(page.contains("\\-\\-privileged"), "{page}");
    let o = log_args(&["man", "frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such subcommand"), "{}", stderr(&o));

    let o = log_args(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0));
    let script = stdout(&o);
    assert!(script.contains("--source-ip"), "{script}");
    assert!(script.contains("complete -F"), "{script}");
    // The script is valid bash.
    let env = env();
    let file = env.subdir("completions").join("auditsh-log.bash");
    std::fs::write(&file, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let o = log_args(&["completions", "zsh"]);
    assert!(
        stdout(&o).contains("#compdef auditsh-log"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_job_outliving_the_shell_is_not_a_finding() {
    let env = env();
    let out = env
        .command()
        .args(["-c", "(sleep 0.3; /bin/true) & exit 0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The job's programs are recorded after the shell's session-end: their exec records, and
    // the end records the job's subshells write when they have waited for them (that of
    // /bin/true, the job's last, comes last).
    let deadline = Instant::now() + Duration::from_secs(20);
    let file = loop {
        let files = env.spool_files();
        if let Some(f) = files.first() {
            let lines = lines_of(f);
            let entity = lines.iter().find_map(|l| {
                let l = String::from_utf8_lossy(l);
                if !l.contains("\"executable\":\"/bin/true\"") {
                    return None;
                }
                let at = l.find("\"entity_id\":\"")? + 13;
                Some(l[at..].split('"').next()?.to_string())
            });
            let ended = entity.is_some_and(|e| {
                let id = format!("\"entity_id\":\"{e}\"");
                lines.iter().any(|l| {
                    let l = String::from_utf8_lossy(l);
                    l.contains("\"action\":\"end\"") && l.contains(&id)
                })
            });
            if ended {
                break f.clone();
            }
        }
        assert!(Instant::now() < deadline, "the job's records never came");
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = String::from_utf8(std::fs::read(&file).unwrap()).unwrap();
    let end_at = text.find("\"action\":\"session-end\"").unwrap();
    assert!(
        text[end_at..].contains("\"action\":\"end\""),
        "an end record after the session's: {text}"
    );
    let o = log(&[&file]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// A session whose spool stops taking records for a while (`ulimit -f` under the shell
/// itself: records 2 to 6, the sink's failure notice and the exec and end records of two
/// programs) and takes them again; what the shell said and its spool file.
fn spool_outage(env: &AuditEnv) -> (std::process::Output, PathBuf) {
    let s = env
        .session("ulimit -S -f 1; /bin/true a; /bin/true b; ulimit -S -f unlimited; /bin/true c");
    assert_eq!(s.out.status.code(), Some(0), "{}", stderr(&s.out));
    (s.out, s.file)
}

/// The spool stops taking records for a while (`ulimit -f` under the shell itself) and takes
/// them again: the records it lost keep their sequence numbers, the recovery record says which
/// they are, and `verify` reports the gap as a loss while the spool failed, not as removed
/// records. The warning on stderr does not name the session's spool file.
#[test]
fn records_lost_while_the_spool_failed_are_a_loss_not_a_removal() {
    let env = env();
    let (out, file) = spool_outage(&env);
    let warning = stderr(&out);
    assert!(warning.contains("auditsh: audit: spool: "), "{warning}");
    assert!(!warning.contains(&session_of(&file)), "{warning}");
    assert!(
        !warning.contains(env.spool_dir().to_str().unwrap()),
        "{warning}"
    );

    let recs = common::records(&std::fs::read(&file).unwrap());
    let seqs: Vec<u64> = recs
        .iter()
        .map(|r| r["event"]["sequence"].as_u64().unwrap())
        .collect();
    // The third program's exec record (7) is the spool's first again: the recovery record
    // follows it.
    assert_eq!(seqs, [0, 1, 7, 8, 9, 10, 11]);
    let recovery = &recs[3];
    assert_eq!(recovery["auditsh"]["recovered"], true);
    assert_eq!(recovery["auditsh"]["lost"]["count"], 5);
    assert_eq!(recovery["auditsh"]["lost"]["first_sequence"], 2);
    let record_error = recs
        .iter()
        .find(|r| r["auditsh"]["recovered"] == true)
        .map(|r| r["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        record_error.contains("5 records lost from sequence 2"),
        "{record_error}"
    );
    assert_one_finding(
        &file,
        3,
        "records 2 to 6 (5 records) lost while the spool failed, as its recovery record (sequence 8) says",
    );

    // Without the recovery record nothing accounts for the gap: records are missing.
    let copy = damaged_copy(&env, &file, "no-recovery", |lines| {
        lines.remove(3);
    });
    let o = log(&[&copy]);
    let f = findings(&o);
    assert!(
        f.iter().any(|l| l.contains("records 2 to 6 are missing")),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("lost while"), "{}", stdout(&o));
}

/// A fragment of the first lost record left in the spool (a cut write the shell could not
/// take back) is a finding of its own, and the loss after it is still a loss.
#[test]
fn a_fragment_before_a_loss_is_a_finding_and_the_loss_still_a_loss() {
    let env = env();
    let (_, file) = spool_outage(&env);
    let copy = damaged_copy(&env, &file, "fragment", |lines| {
        let fragment = lines[1][..120].to_vec();
        lines.insert(2, fragment);
    });
    let o = log(&[&copy]);
    let f = findings(&o);
    assert_eq!(f.len(), 2, "{}", stdout(&o));
    assert!(f[0].contains(":3: "), "{}", f[0]);
    assert!(
        f[1].contains(":4: ")
            && f[1].contains("records 3 to 6 (4 records) lost while the spool failed"),
        "{}",
        f[1]
    );
}

/// A session still running is `open`: not a finding, counted in the summary and shown as such
/// by `sessions`; once it ends it verifies clean; and a shell that died without an end is
/// unterminated again (its pid gone), whatever `open` said before.
#[test]
fn a_running_session_is_open_not_unterminated() {
    let env = env();
    let mut child = env
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"/bin/true\n").unwrap();
    stdin.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let file = loop {
        if let Some(f) = env.spool_files().first() {
            if lines_of(f)
                .iter()
                .any(|l| l.windows(6).any(|w| w == b"\"exec\""))
            {
                break f.clone();
            }
        }
        assert!(Instant::now() < deadline, "the shell never ran /bin/true");
        std::thread::sleep(Duration::from_millis(20));
    };
    let o = log(&[env.spool_dir()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(findings(&o).is_empty(), "{}", stdout(&o));
    let summary = stdout(&o);
    assert!(
        summary.starts_with("1 file, 1 session (1 open), ")
            && summary.ends_with(" records, 0 findings\n"),
        "{summary}"
    );
    let sessions = log_args(&[
        "sessions",
        "--format",
        "csv",
        env.spool_dir().to_str().unwrap(),
    ]);
    let csv = stdout(&sessions);
    assert!(
        csv.lines().nth(1).is_some_and(|row| row.ends_with(",open")),
        "{csv}"
    );

    // Ended: clean, and nothing open.
    drop(stdin);
    child.wait().unwrap();
    let o = log(&[env.spool_dir()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("open"), "{}", stdout(&o));

    // Its end removed: the shell is gone, so the session is unterminated.
    let mut lines = lines_of(&file);
    lines.pop();
    write_lines(&file, &lines);
    let o = log(&[env.spool_dir()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        findings(&o)[0].ends_with("has no end (unterminated): no session-end after this record"),
        "{}",
        stdout(&o)
    );
}
