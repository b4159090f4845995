//! Engine of the differential suites: parses case files, runs every case under the
//! reference shell and under auditsh in identical fresh directories and environments, and
//! reports every difference. Two suites use it (a [`Reference`] each): the POSIX one,
//! `tests/diff/` against dash with auditsh started as `sh` (posix mode), and the bash one,
//! `tests/bash/` against bash with auditsh started as `auditsh` (its default, bash mode).
//! Below, "dash" stands for the reference shell of the suite.
//!
//! Case file format (`tests/diff/<area>.cases`, `tests/bash/<area>.cases`):
//!
//! ```text
//! Free text before the first case is a comment for the reader.
//!
//! ### name of the case
//! #! stderr            compare stderr too
//! #! args: a b c       positional arguments (split on blanks)
//! #! stdin: l1\nl2\n   standard input (escapes: \n \t \\)
//! #! mode: script      c (default) | script | stdin | plain | pipe
//! #! flags: -e -o x    shell options placed before -c / the script / -s
//! #! differs: why      auditsh differs from dash here on purpose, for this reason;
//! #! expect: text      then: auditsh's stdout (escapes as for stdin),
//! #! expect-stderr: t  its stderr,
//! #! expect-status: 2  its exit status
//! echo the script body, up to the next "### " line
//! ```
//!
//! Modes:
//! * `c`      — `SHELL -c BODY sh ARGS...`
//! * `script` — BODY is written to `./script.sh`, run as `SHELL ./script.sh ARGS...`
//! * `stdin`  — `SHELL -s ARGS...` with BODY (then the `stdin:` text) on stdin
//! * `plain`  — `SHELL < file`: no operands, BODY (then the `stdin:` text) on stdin
//! * `pipe`   — as `plain`, with standard input a pipe instead of a file
//!
//! argv[0] is `sh` for both shells in the dash suite, so messages read `sh: 1: ...` for
//! both; in the bash suite it is `bash` and `auditsh`, and `$0` of a `-c` case is `sh`.
//!
//! A deliberate difference from dash is a case of its own: `differs` gives the reason, and
//! one `expect` directive or more say what auditsh gives instead of what dash gives. Those
//! streams are compared with the expectation, the others with dash as usual. Dash still runs
//! the case (twice: it must be deterministic), and must give something else than expected:
//! when it gives what the case expects of auditsh, the difference is gone and the case says so.
//! Against dash itself (`DIFF_SHELL`), these cases differ, as they should.
//!
//! Environment variables:
//! * `DIFF_FILTER=substring` — only cases whose name (or `area/name`) contains it;
//! * `DIFF_SHELL=/path`      — the shell under test (default: the built auditsh);
//! * `DIFF_JOBS=n`           — processes run at once over the whole suite (default 2).

use crate::common::{Config, TempDir, AUDITSH, DASH};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Wall-clock limit of one shell run.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Longest value printed in a report, in bytes of escaped text.
const SHOW_MAX: usize = 700;

/// A suite: its reference shell, where its cases are, and the names the shells run under.
#[derive(Clone, Copy, Debug)]
pub struct Reference {
    /// The reference's name in reports (`dash`, `bash`).
    pub name: &'static str,
    /// The reference shell.
    pub path: &'static str,
    /// argv[0] of the reference shell.
    pub arg0: &'static str,
    /// argv[0] of the shell under test (it selects auditsh's language: `sh` is posix mode).
    pub test_arg0: &'static str,
    /// The directory of the case files, under `tests/`.
    pub dir: &'static str,
    /// The test binary, for the rerun hint.
    pub test: &'static str,
}

/// The POSIX suite: dash, auditsh as `sh`.
#[allow(dead_code)] // each test binary runs one suite
pub const DASH_SUITE: Reference = Reference {
    name: "dash",
    path: DASH,
    arg0: "sh",
    test_arg0: "sh",
    dir: "diff",
    test: "differential",
};

/// The bash suite: bash, auditsh in its default mode.
#[allow(dead_code)] // each test binary runs one suite
pub const BASH_SUITE: Reference = Reference {
    name: "bash",
    path: "/usr/bin/bash",
    arg0: "bash",
    test_arg0: "auditsh",
    dir: "bash",
    test: "bash_differential",
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    C,
    Script,
    Stdin,
    Plain,
    Pipe,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub area: String,
    pub name: String,
    pub line: usize,
    pub mode: Mode,
    pub args: Vec<String>,
    pub flags: Vec<String>,
    pub stdin: Option<Vec<u8>>,
    pub compare_stderr: bool,
    /// Why auditsh differs from dash in this case, on purpose (`differs`).
    pub differs: Option<String>,
    /// What auditsh gives instead of dash: stdout, stderr, status (`expect...`).
    pub expect_stdout: Option<Vec<u8>>,
    pub expect_stderr: Option<Vec<u8>>,
    pub expect_status: Option<String>,
    pub body: String,
}

impl Case {
    /// What the shell under test must give: dash's outcome, but for the streams the case
    /// expects otherwise.
    fn wanted(&self, dash: &Outcome) -> Outcome {
        Outcome {
            stdout: self.expect_stdout.clone().unwrap_or(dash.stdout.clone()),
            stderr: self.expect_stderr.clone().unwrap_or(dash.stderr.clone()),
            status: self.expect_status.clone().unwrap_or(dash.status.clone()),
        }
    }

    /// Does dash give everything the case expects of auditsh?
    fn dash_agrees(&self, dash: &Outcome) -> bool {
        fn agrees<T: PartialEq>(expected: &Option<T>, got: &T) -> bool {
            expected.as_ref().is_none_or(|e| e == got)
        }
        agrees(&self.expect_stdout, &dash.stdout)
            && agrees(&self.expect_stderr, &dash.stderr)
            && agrees(&self.expect_status, &dash.status)
    }
}

/// What one run of a shell produced, with the run's private directory
/// replaced by `$BASE` so that paths compare equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: String,
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push(b'\n'),
                Some('t') => out.push(b'\t'),
                Some('\\') => out.push(b'\\'),
                Some(o) => {
                    out.push(b'\\');
                    let mut b = [0; 4];
                    out.extend_from_slice(o.encode_utf8(&mut b).as_bytes());
                }
                None => out.push(b'\\'),
            }
        } else {
            let mut b = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        }
    }
    out
}

/// Parses one case file. Errors name the file and line.
pub fn parse_cases(area: &str, text: &str) -> Result<Vec<Case>, String> {
    let mut cases: Vec<Case> = Vec::new();
    let mut seen = HashSet::new();
    let mut in_directives = false;
    let mut body: Vec<&str> = Vec::new();

    fn finish(cases: &mut [Case], body: &mut Vec<&str>) {
        if let Some(c) = cases.last_mut() {
            while body.last().is_some_and(|l| l.trim().is_empty()) {
                body.pop();
            }
            c.body = body.join("\n");
        }
        body.clear();
    }

    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if let Some(name) = line.strip_prefix("### ") {
            finish(&mut cases, &mut body);
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(format!("{area}.cases:{lineno}: case without a name"));
            }
            if !seen.insert(name.clone()) {
                return Err(format!(
                    "{area}.cases:{lineno}: duplicate case name {name:?}"
                ));
            }
            cases.push(Case {
                area: area.to_string(),
                name,
                line: lineno,
                mode: Mode::C,
                args: Vec::new(),
                flags: Vec::new(),
                stdin: None,
                compare_stderr: false,
                differs: None,
                expect_stdout: None,
                expect_stderr: None,
                expect_status: None,
                body: String::new(),
            });
            in_directives = true;
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue; // file header comment
        };
        if in_directives {
            if let Some(d) = line.strip_prefix("#!") {
                // A value keeps its blanks at the end (an expected output may end in one).
                let d = d.trim_start();
                let (key, value) = match d.split_once(':') {
                    Some((k, v)) => (k.trim(), Some(v.strip_prefix(' ').unwrap_or(v))),
                    None => (d.trim_end(), None),
                };
                match (key, value) {
                    ("stderr", None) => case.compare_stderr = true,
                    ("args", Some(v)) => {
                        case.args = v.split_whitespace().map(str::to_string).collect()
                    }
                    ("flags", Some(v)) => {
                        case.flags = v.split_whitespace().map(str::to_string).collect()
                    }
                    ("stdin", Some(v)) => case.stdin = Some(unescape(v)),
                    ("mode", Some(v)) => {
                        case.mode = match v.trim() {
                            "c" => Mode::C,
                            "script" => Mode::Script,
                            "stdin" => Mode::Stdin,
                            "plain" => Mode::Plain,
                            "pipe" => Mode::Pipe,
                            other => {
                                return Err(format!(
                                    "{area}.cases:{lineno}: unknown mode {other:?}"
                                ))
                            }
                        }
                    }
                    ("differs", Some(v)) if !v.trim().is_empty() => {
                        case.differs = Some(v.trim().to_string())
                    }
                    ("expect", Some(v)) => case.expect_stdout = Some(unescape(v)),
                    ("expect-stderr", Some(v)) => case.expect_stderr = Some(unescape(v)),
                    ("expect-status", Some(v)) => match v.trim().parse::<u8>() {
                        Ok(n) => case.expect_status = Some(format!("exit {n}")),
                        Err(_) => {
                            return Err(format!(
                                "{area}.cases:{lineno}: expect-status is not a status: {v:?}"
                            ))
                        }
                    },
                    _ => return Err(format!("{area}.cases:{lineno}: unknown directive {line:?}")),
                }
                continue;
            }
            in_directives = false;
        }
        body.push(line);
    }
    finish(&mut cases, &mut body);
    for c in &cases {
        if c.body.is_empty() && c.mode == Mode::C {
            return Err(format!(
                "{area}.cases:{}: case {:?} has no script",
                c.line, c.name
            ));
        }
        let expects =
            c.expect_stdout.is_some() || c.expect_stderr.is_some() || c.expect_status.is_some();
        if expects != c.differs.is_some() {
            return Err(format!(
                "{area}.cases:{}: case {:?}: `differs` (the reason) and `expect...` (what \
                 auditsh gives instead) go together",
                c.line, c.name
            ));
        }
    }
    Ok(cases)
}

// ---------------------------------------------------------------- running

/// Limits the number of shells running at once over the whole test binary.
struct Slots {
    free: Mutex<usize>,
    cv: Condvar,
}

static SLOTS: Mutex<Option<Arc<Slots>>> = Mutex::new(None);

fn slots() -> Arc<Slots> {
    let mut g = SLOTS.lock().unwrap();
    g.get_or_insert_with(|| {
        let n = std::env::var("DIFF_JOBS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or(2);
        Arc::new(Slots {
            free: Mutex::new(n),
            cv: Condvar::new(),
        })
    })
    .clone()
}

struct Slot(Arc<Slots>);

impl Slot {
    fn take() -> Slot {
        let s = slots();
        let mut free = s.free.lock().unwrap();
        while *free == 0 {
            free = s.cv.wait(free).unwrap();
        }
        *free -= 1;
        drop(free);
        Slot(s)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap() += 1;
        self.0.cv.notify_one();
    }
}

/// A private directory tree for one run; removed on drop. Its name has the length of
/// every other's, so that `${#PWD}` and the like agree between runs.
struct Sandbox {
    base: TempDir,
}

impl Sandbox {
    fn new() -> std::io::Result<Sandbox> {
        let sb = Sandbox {
            base: TempDir::new("diff"),
        };
        sb.populate()?;
        Ok(sb)
    }

    fn work(&self) -> PathBuf {
        self.base.join("work")
    }

    /// The standard contents every case may rely on.
    fn populate(&self) -> std::io::Result<()> {
        let w = self.work();
        fs::create_dir_all(w.join("d"))?;
        fs::create_dir_all(self.base.join("cfg"))?;
        fs::create_dir_all(self.base.join("state"))?;
        fs::create_dir_all(self.base.join("out"))?;
        fs::write(
            self.base.join("cfg").join("auditsh.toml"),
            Config::private(&self.base.join("state").join("spool")).text(),
        )?;
        let files: &[(&str, &str, u32)] = &[
            ("a.txt", "alpha\n", 0o644),
            ("b.txt", "beta\n", 0o644),
            ("c.c", "int main;\n", 0o644),
            ("lines.txt", "one\ntwo two\n  three  \n\nfive\n", 0o644),
            ("d/x", "x\n", 0o644),
            ("d/.hidden", "hidden\n", 0o644),
            ("noexec.sh", "echo should not run\n", 0o644),
            (
                "exec.sh",
                "#!/bin/sh\necho \"exec.sh:$#:$*\"\nexit 7\n",
                0o755,
            ),
            (
                "lib.sh",
                "libvar=loaded\nlibfn() { echo \"libfn:$#:$*\"; }\n",
                0o644,
            ),
        ];
        for (name, content, mode) in files {
            let p = w.join(name);
            fs::write(&p, content)?;
            fs::set_permissions(&p, fs::Permissions::from_mode(*mode))?;
        }
        Ok(())
    }

    fn normalize(&self, bytes: Vec<u8>) -> Vec<u8> {
        let needle = self.base.path().to_string_lossy().into_owned().into_bytes();
        replace_all(&bytes, &needle, b"$BASE")
    }
}

fn replace_all(hay: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() {
        return hay.to_vec();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// Runs `case` under `shell`, started as `arg0`, in a fresh sandbox.
pub fn run_case(shell: &str, arg0: &str, case: &Case) -> Outcome {
    match run_case_inner(shell, arg0, case) {
        Ok(o) => o,
        Err(e) => Outcome {
            stdout: Vec::new(),
            stderr: Vec::new(),
            status: format!("runner error: {e}"),
        },
    }
}

fn run_case_inner(shell: &str, arg0: &str, case: &Case) -> std::io::Result<Outcome> {
    let sb = Sandbox::new()?;
    let work = sb.work();
    let out = sb.base.join("out");

    let mut cmd = Command::new(shell);
    cmd.arg0(arg0)
        .current_dir(&work)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &work)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .env("AUDITSH_CONFIG", sb.base.join("cfg").join("auditsh.toml"))
        .process_group(0)
        .args(&case.flags);

    let mut input: Option<Vec<u8>> = case.stdin.clone();
    match case.mode {
        Mode::C => {
            cmd.arg("-c").arg(&case.body).arg("sh").args(&case.args);
        }
        Mode::Script => {
            let p = work.join("script.sh");
            fs::write(&p, format!("{}\n", case.body))?;
            cmd.arg("./script.sh").args(&case.args);
        }
        Mode::Stdin | Mode::Plain | Mode::Pipe => {
            let mut all = format!("{}\n", case.body).into_bytes();
            all.extend_from_slice(case.stdin.as_deref().unwrap_or_default());
            input = Some(all);
            if case.mode == Mode::Stdin {
                cmd.arg("-s").args(&case.args);
            }
        }
    }
    let mut piped = None;
    match input {
        Some(bytes) if case.mode == Mode::Pipe => {
            cmd.stdin(Stdio::piped());
            piped = Some(bytes);
        }
        Some(bytes) => {
            let p = out.join("stdin");
            fs::write(&p, bytes)?;
            cmd.stdin(fs::File::open(p)?);
        }
        None => {
            cmd.stdin(Stdio::null());
        }
    }
    cmd.stdout(fs::File::create(out.join("stdout"))?);
    cmd.stderr(fs::File::create(out.join("stderr"))?);

    let _slot = Slot::take();
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    // All of it in one write: a shell that reads ahead gets all of it at its first read.
    let writer = match (piped, child.stdin.take()) {
        (Some(bytes), Some(mut pipe)) => Some(thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })),
        _ => None,
    };
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break Some(st);
        }
        if start.elapsed() > TIMEOUT {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(2));
    };
    drop(_slot);
    if let Some(w) = writer {
        let _ = w.join();
    }

    let status = match status {
        None => format!("timed out after {}s", TIMEOUT.as_secs()),
        Some(st) => match (st.code(), st.signal()) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            _ => format!("{st:?}"),
        },
    };
    let stdout = sb.normalize(fs::read(out.join("stdout"))?);
    let stderr = sb.normalize(fs::read(out.join("stderr"))?);
    Ok(Outcome {
        stdout,
        stderr,
        status,
    })
}

// ---------------------------------------------------------------- reporting

fn show(bytes: &[u8]) -> String {
    let mut s = String::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(v) => (v, 0),
            Err(e) => {
                let v = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                (v, e.error_len().unwrap_or(rest.len() - e.valid_up_to()))
            }
        };
        for c in valid.chars() {
            match c {
                '\n' => s.push_str("\\n"),
                '\t' => s.push_str("\\t"),
                '\\' => s.push_str("\\\\"),
                '"' => s.push_str("\\\""),
                c if c.is_control() => {
                    let _ = write!(s, "\\x{:02x}", c as u32);
                }
                c => s.push(c),
            }
        }
        for b in &rest[valid.len()..valid.len() + bad] {
            let _ = write!(s, "\\x{b:02x}");
        }
        rest = &rest[valid.len() + bad..];
    }
    if s.len() > SHOW_MAX {
        let mut cut = SHOW_MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("\"{}\"... ({} bytes in all)", &s[..cut], bytes.len())
    } else {
        format!("\"{s}\"")
    }
}

fn describe(rf: &Reference, case: &Case) -> String {
    let mut r = String::new();
    let _ = writeln!(
        r,
        "--- {}/{}  (tests/{}/{}.cases:{})",
        case.area, case.name, rf.dir, case.area, case.line
    );
    let _ = write!(r, "    mode {:?}", case.mode);
    if !case.flags.is_empty() {
        let _ = write!(r, ", flags {:?}", case.flags);
    }
    if !case.args.is_empty() {
        let _ = write!(r, ", args {:?}", case.args);
    }
    if let Some(i) = &case.stdin {
        let _ = write!(r, ", stdin {}", show(i));
    }
    let _ = writeln!(r);
    if let Some(why) = &case.differs {
        let _ = writeln!(r, "    differs from {} on purpose: {why}", rf.name);
    }
    for l in case.body.lines().take(25) {
        let _ = writeln!(r, "    | {l}");
    }
    if case.body.lines().count() > 25 {
        let _ = writeln!(r, "    | ...");
    }
    r
}

/// The streams in which `other` is not what `want` is, `want` named by what it comes from:
/// dash, or for a stream the case expects, the expectation.
fn compare(
    rf: &Reference,
    case: &Case,
    want: &Outcome,
    other: &Outcome,
    other_name: &str,
) -> Option<String> {
    let from = |expected: bool| if expected { "expected" } else { rf.name };
    let mut diffs = String::new();
    if want.stdout != other.stdout {
        let w = from(case.expect_stdout.is_some());
        let _ = writeln!(diffs, "    stdout {w:>12}: {}", show(&want.stdout));
        let _ = writeln!(diffs, "    {other_name:>19}: {}", show(&other.stdout));
    }
    let stderr = case.compare_stderr || case.expect_stderr.is_some();
    if stderr && want.stderr != other.stderr {
        let w = from(case.expect_stderr.is_some());
        let _ = writeln!(diffs, "    stderr {w:>12}: {}", show(&want.stderr));
        let _ = writeln!(diffs, "    {other_name:>19}: {}", show(&other.stderr));
    }
    if want.status != other.status {
        let w = from(case.expect_status.is_some());
        let _ = writeln!(diffs, "    status {w:>12}: {}", want.status);
        let _ = writeln!(diffs, "    {other_name:>19}: {}", other.status);
    }
    if diffs.is_empty() {
        None
    } else {
        Some(format!("{}{}", describe(rf, case), diffs))
    }
}

enum Verdict {
    Same,
    Differs(String),
    Broken(String),
}

fn judge(rf: &Reference, case: &Case, shell: &str) -> Verdict {
    let d1 = run_case(rf.path, rf.arg0, case);
    let d2 = run_case(rf.path, rf.arg0, case);
    // Deterministic in what the case compares: dash's own stderr may vary where the case does
    // not look at it (whether it says "Terminated" for a killed background job is a race).
    let dash_only = Case {
        differs: None,
        expect_stdout: None,
        expect_stderr: None,
        expect_status: None,
        ..case.clone()
    };
    let again = format!("{} again", rf.name);
    let varies = compare(rf, &dash_only, &d1, &d2, &again).is_some();
    if varies || d1.status.starts_with("timed out") || d1.status.starts_with("runner error") {
        let mut r = describe(rf, case);
        if d1.status.starts_with("timed out") || d1.status.starts_with("runner error") {
            let _ = writeln!(r, "    {}: {}", rf.name, d1.status);
        } else {
            // Show what changed between the two dash runs.
            let mut c = dash_only.clone();
            c.compare_stderr = true;
            if let Some(d) = compare(rf, &c, &d1, &d2, &again) {
                r = d;
            }
        }
        return Verdict::Broken(r);
    }
    if case.differs.is_some() && case.dash_agrees(&d1) {
        let mut r = describe(rf, case);
        let _ = writeln!(
            r,
            "    {} gives what the case expects of auditsh: the difference is gone",
            rf.name
        );
        return Verdict::Broken(r);
    }
    let got = run_case(shell, rf.test_arg0, case);
    match compare(rf, case, &case.wanted(&d1), &got, "auditsh") {
        None => Verdict::Same,
        Some(r) => Verdict::Differs(r),
    }
}

/// The shell under test.
pub fn shell_under_test() -> String {
    std::env::var("DIFF_SHELL").unwrap_or_else(|_| AUDITSH.to_string())
}

/// Runs every (selected) case of `tests/<dir>/<area>.cases` of the suite `rf`; panics with a
/// report naming every case that differs or that is not deterministic under the reference.
pub fn run_area_in(rf: &Reference, area: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rf.dir)
        .join(format!("{area}.cases"));
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases = parse_cases(area, &text).unwrap_or_else(|e| panic!("{e}"));
    assert!(!cases.is_empty(), "{} has no cases", path.display());

    let filter = std::env::var("DIFF_FILTER").unwrap_or_default();
    let selected: Vec<Case> = cases
        .into_iter()
        .filter(|c| {
            filter.is_empty()
                || c.name.contains(&filter)
                || format!("{}/{}", c.area, c.name).contains(&filter)
        })
        .collect();
    if selected.is_empty() {
        eprintln!("{area}: no case matches DIFF_FILTER={filter:?}");
        return;
    }

    let shell = shell_under_test();
    let total = selected.len();
    let queue = Arc::new(Mutex::new(selected.into_iter().enumerate()));
    let results: Arc<Mutex<Vec<(usize, Verdict)>>> = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let results = Arc::clone(&results);
            let shell = shell.clone();
            let rf = *rf;
            thread::spawn(move || loop {
                let next = queue.lock().unwrap().next();
                let Some((i, case)) = next else { break };
                let v = judge(&rf, &case, &shell);
                results.lock().unwrap().push((i, v));
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker thread panicked");
    }
    let mut results = std::mem::take(&mut *results.lock().unwrap());
    results.sort_by_key(|(i, _)| *i);

    let mut differ = Vec::new();
    let mut broken = Vec::new();
    for (_, v) in results {
        match v {
            Verdict::Same => {}
            Verdict::Differs(r) => differ.push(r),
            Verdict::Broken(r) => broken.push(r),
        }
    }
    if differ.is_empty() && broken.is_empty() {
        eprintln!("{area}: all {total} cases agree with {}", rf.name);
        return;
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "\n{area}: {} of {total} cases differ from {}, {} broken cases (shell under test: {shell})\n",
        differ.len(),
        rf.name,
        broken.len()
    );
    if !broken.is_empty() {
        let _ = writeln!(
            report,
            "=== BROKEN CASES (not deterministic under {0}, {0} itself failed to run them, or {0} gives what a case expects of auditsh)",
            rf.name
        );
        for r in &broken {
            let _ = writeln!(report, "{r}");
        }
    }
    if !differ.is_empty() {
        let _ = writeln!(report, "=== CASES THAT DIFFER");
        for r in &differ {
            let _ = writeln!(report, "{r}");
        }
    }
    let _ = writeln!(
        report,
        "(rerun one case with DIFF_FILTER=<name> cargo test --test {} {area})",
        rf.test
    );
    let _ = std::io::stderr().flush();
    panic!("{report}");
}

/// Names of all case files of the suite `rf`.
fn all_areas_in(rf: &Reference) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rf.dir);
    let mut v: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".cases").map(str::to_string)
        })
        .collect();
    v.sort();
    v
}

/// Every case file of the suite has a test in `areas`, and every name there a case file.
pub fn check_areas(rf: &Reference, areas: &[&str]) {
    let files = all_areas_in(rf);
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !areas.contains(&f.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "case files without a test in areas!(): {missing:?}"
    );
    let absent: Vec<&&str> = areas
        .iter()
        .filter(|a| !files.iter().any(|f| f == *a))
        .collect();
    assert!(
        absent.is_empty(),
        "areas!() names without a case file: {absent:?}"
    );
}
