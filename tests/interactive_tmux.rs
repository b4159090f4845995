//! The interactive front end at a real terminal: the shell runs in a detached tmux session
//! (its own server socket, a private HOME and spool), the test types with `send-keys` and reads
//! the screen with `capture-pane`, polling until what it expects shows up.
//!
//! Without /usr/bin/tmux each test says `SKIPPED: ...` on stderr and passes, unless
//! `AUDITSH_E2E=required`.

mod common;

use common::{AuditEnv, AUDITSH, AUDITSH_LOG};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(15);

/// False (after saying so) when tmux is missing and the end-to-end tests are not required.
fn tmux_available(test: &str) -> bool {
    if Path::new("/usr/bin/tmux").exists() {
        return true;
    }
    common::skip(test, "tmux is not installed");
    false
}

/// One test's terminal: a tmux server of its own, a directory with HOME, the spool, the
/// config, a bin directory on PATH, and the file the exit status is written to.
struct Term {
    socket: String,
    env: AuditEnv,
    sessions: usize,
}

impl Term {
    fn new(test: &str) -> Term {
        let env = AuditEnv::builder()
            .tag(&format!("tmux-{test}"))
            .syslog(false)
            .build();
        std::fs::create_dir_all(env.dir().join("home/sub")).unwrap();
        std::fs::create_dir_all(env.dir().join("bin")).unwrap();
        // The server's socket is named as the directory is: of this test alone.
        let socket = env.dir().file_name().unwrap().to_str().unwrap().to_string();
        Term {
            socket,
            env,
            sessions: 0,
        }
    }

    fn dir(&self) -> &Path {
        self.env.dir()
    }

    fn home(&self) -> PathBuf {
        self.dir().join("home")
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    /// Start the shell in a new tmux session (the previous one must have ended); `ps1`: the
    /// PS1 in its environment (None: none).
    fn start(&mut self, ps1: Option<&str>) {
        self.start_with(ps1, "");
    }

    /// `start`, with arguments for the shell (`-l`).
    fn start_with(&mut self, ps1: Option<&str>, args: &str) {
        self.sessions += 1;
        let _ = std::fs::remove_file(self.dir().join("status"));
        let script = self.dir().join("run.sh");
        let ps1_env = match ps1 {
            Some(p) => format!("PS1='{}'", p.replace('\'', "'\\''")),
            None => String::new(),
        };
        std::fs::write(
            &script,
            format!(
                "cd '{home}' || exit 1\n\
                 env -i TERM=\"$TERM\" HOME='{home}' PATH='{bin}:/usr/bin:/bin' \
                 AUDITSH_CONFIG='{config}' {ps1_env} '{shell}' {args}\n\
                 echo \"status $?\" > '{status}'\n",
                home = self.home().display(),
                bin = self.dir().join("bin").display(),
                config = self.env.config.display(),
                shell = AUDITSH,
                status = self.dir().join("status").display(),
            ),
        )
        .unwrap();
        let ok = self
            .tmux()
            .args(["new-session", "-d", "-s", "t", "-x", "100", "-y", "40"])
            .arg(format!("/bin/sh {}", script.display()))
            // The server stays when the shell ends, for the next login of the same test.
            .args([";", "set-option", "-s", "exit-empty", "off"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "tmux new-session");
    }

    /// Type text as it is.
    fn text(&self, s: &str) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "t", "-l", s])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "send-keys -l {s:?}");
    }

    /// Press keys by their tmux names (Enter, Left, C-a, ...), or type text among them.
    fn keys(&self, keys: &[&str]) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", "t"])
            .args(keys)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "send-keys {keys:?}");
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "t"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        out
    }

    /// Wait until the screen satisfies `pred`; the screen then.
    fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until `needle` is on the screen (capture-pane drops blanks at the end of a line,
    /// so those of `needle` do not count).
    fn wait_for(&self, needle: &str) -> String {
        let needle = needle.trim_end();
        self.wait_until(&format!("{needle:?}"), |s| s.contains(needle))
    }

    /// Wait until a screen line is exactly `line` (after trailing blanks).
    fn wait_line(&self, line: &str) -> String {
        self.wait_until(&format!("line {line:?}"), |s| {
            s.lines().any(|l| l.trim_end() == line)
        })
    }

    /// Wait until `needle` is on the screen `n` times.
    fn wait_count(&self, needle: &str, n: usize) -> String {
        let needle = needle.trim_end();
        self.wait_until(&format!("{n} x {needle:?}"), |s| {
            s.matches(needle).count() >= n
        })
    }

    /// Wait for the shell to end; its exit status.
    fn wait_exit(&self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(text) = std::fs::read_to_string(self.dir().join("status")) {
                if let Some(n) = text.trim().strip_prefix("status ") {
                    return n.parse().unwrap_or(-1);
                }
            }
            if Instant::now() > deadline {
                panic!("the shell did not end; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every record of every session in the spool, the sessions in the order they started.
    fn records(&self) -> Vec<serde_json::Value> {
        let mut sessions: Vec<Vec<serde_json::Value>> = self
            .env
            .spool_files()
            .iter()
            .map(|f| common::records(&std::fs::read(f).unwrap()))
            .collect();
        sessions.sort_by_key(|recs| {
            recs.first()
                .and_then(|r| r["@timestamp"].as_str())
                .unwrap_or("")
                .to_string()
        });
        sessions.into_iter().flatten().collect()
    }

    /// The command lines recorded (command start records), in order.
    fn commands(&self) -> Vec<String> {
        self.records()
            .iter()
            .filter(|r| r["event"]["action"] == "command" && r["event"]["type"][0] == "start")
            .map(|r| {
                r["process"]["command_line"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }

    /// Type `typed`, press Tab, type `after`; wait for `expected` on the screen, then clear
    /// the line.
    fn tab_then(&self, typed: &str, after: &str, expected: &str) {
        self.text(typed);
        self.keys(&["Tab"]);
        self.text(after);
        self.wait_for(expected);
        self.keys(&["C-u"]);
    }

    /// An executable script in the bin directory on PATH.
    fn program(&self, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir().join("bin").join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

const P: &str = "P> ";

#[test]
fn typed_lines_run_and_each_is_one_record() {
    if !tmux_available("typed_lines_run_and_each_is_one_record") {
        return;
    }
    let mut t = Term::new("records");
    t.start(Some(P));
    t.wait_for(P);
    t.text("echo hel''lo-world");
    t.keys(&["Enter"]);
    t.wait_line("hello-world");
    // Ctrl-C discards a half-typed line; the shell lives on.
    t.text("echo never-run-this");
    t.keys(&["C-c"]);
    t.wait_count(P, 3);
    t.text("echo alive");
    t.keys(&["Enter"]);
    t.wait_line("alive");
    t.text("exit 7");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 7);
    assert_eq!(
        t.commands(),
        vec!["echo hel''lo-world", "echo alive", "exit 7"]
    );
    let recs = t.records();
    assert_eq!(recs[0]["event"]["action"], "session-start");
    assert_eq!(recs.last().unwrap()["event"]["action"], "session-end");
    for r in &recs {
        assert!(!r.to_string().contains("never-run-this"), "{r}");
    }
}

#[test]
fn errors_at_the_prompt_are_worded_as_bash_words_them() {
    if !tmux_available("errors_at_the_prompt_are_worded_as_bash_words_them") {
        return;
    }
    let mut t = Term::new("errors");
    t.start(Some(P));
    t.wait_for(P);
    // No line number at the prompt, and no line shown under a syntax error. A long path to
    // the shell wraps its messages, and capture-pane drops the blank a line may wrap at, so
    // screen and needle are compared with their blanks taken out.
    let squeezed = |s: &str| s.split_whitespace().collect::<String>();
    let joined = |t: &Term, needle: &str| {
        let needle = squeezed(needle);
        let screen = t.wait_until(&needle, |s| squeezed(s).contains(&needle));
        squeezed(&screen)
    };
    t.text("cd /nonexistent-q7");
    t.keys(&["Enter"]);
    let screen = joined(
        &t,
        "auditsh: cd: /nonexistent-q7: No such file or directory",
    );
    assert!(!screen.contains("line1"), "{screen}");
    t.text("fi");
    t.keys(&["Enter"]);
    let screen = joined(&t, "auditsh: syntax error near unexpected token `fi'");
    assert!(!screen.contains(":`fi'"), "{screen}");
    assert!(!screen.contains("line2"), "{screen}");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 2);
}

#[test]
fn cursor_movement_and_deletion_edit_the_line() {
    if !tmux_available("cursor_movement_and_deletion_edit_the_line") {
        return;
    }
    let mut t = Term::new("editing");
    t.start(Some(P));
    t.wait_for(P);
    // BSpace, Home, End.
    t.text("cho abcX");
    t.keys(&["BSpace", "Home"]);
    t.text("e");
    t.keys(&["End"]);
    t.text("d");
    t.keys(&["Enter"]);
    t.wait_line("abcd");
    // C-a, C-e, Left.
    t.text("ho xy13");
    t.keys(&["C-a"]);
    t.text("ec");
    t.keys(&["C-e", "Left"]);
    t.text("2");
    t.keys(&["Enter"]);
    t.wait_line("xy123");
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(t.commands(), vec!["echo abcd", "echo xy123"]);
}

#[test]
fn history_recall_also_after_a_new_login() {
    if !tmux_available("history_recall_also_after_a_new_login") {
        return;
    }
    let mut t = Term::new("history");
    t.start(Some(P));
    t.wait_for(P);
    t.text("echo first-$((40+2))");
    t.keys(&["Enter"]);
    t.wait_line("first-42");
    t.text("echo other");
    t.keys(&["Enter"]);
    t.wait_line("other");
    t.keys(&["Up", "Up"]);
    t.wait_count("P> echo first-$((40+2))", 2);
    t.keys(&["Enter"]);
    t.wait_count("first-42", 2);
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    assert!(t.home().join(".auditsh_history").exists());

    // A new login with the same HOME recalls the last session's commands.
    t.start(Some(P));
    t.wait_for(P);
    t.keys(&["Up"]);
    t.wait_for("P> exit");
    t.keys(&["Up"]);
    t.wait_for("P> echo first-$((40+2))");
    t.keys(&["Enter"]);
    t.wait_line("first-42");
    // Ctrl-R searches backwards.
    t.keys(&["C-r"]);
    t.text("oth");
    t.wait_for("echo other");
    t.keys(&["Enter"]);
    t.wait_line("other");
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
    let commands = t.commands();
    assert_eq!(
        &commands[commands.len() - 2..],
        ["echo first-$((40+2))", "echo other"]
    );
}

#[test]
fn a_command_of_several_lines_is_recalled_as_one_line() {
    if !tmux_available("a_command_of_several_lines_is_recalled_as_one_line") {
        return;
    }
    let mut t = Term::new("cmdhist");
    t.start(Some(P));
    t.wait_for(P);
    for line in ["for i in 1 2", "do echo loop-$i", "done"] {
        t.text(line);
        t.keys(&["Enter"]);
    }
    t.wait_line("loop-2");
    // A comment runs nothing but is kept, as bash keeps it.
    t.text("# a note");
    t.keys(&["Enter"]);
    t.keys(&["Up"]);
    t.wait_for("P> # a note");
    t.keys(&["Up"]);
    t.wait_for("P> for i in 1 2; do echo loop-$i; done");
    t.keys(&["Enter"]);
    t.wait_count("loop-2", 2);
    t.text("history 3");
    t.keys(&["Enter"]);
    t.wait_line("    2  # a note");
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn tab_completes_commands_and_quoted_file_names() {
    if !tmux_available("tab_completes_commands_and_quoted_file_names") {
        return;
    }
    let mut t = Term::new("complete");
    t.program("auditsh-probe-zq7", "echo probe-ran");
    std::fs::write(t.home().join("my file.txt"), "in-the-spaced-file\n").unwrap();
    t.start(Some(P));
    t.wait_for(P);
    t.text("auditsh-probe-z");
    t.keys(&["Tab"]);
    t.wait_for("P> auditsh-probe-zq7");
    t.keys(&["Enter"]);
    t.wait_line("probe-ran");
    t.text("cat my");
    t.keys(&["Tab"]);
    t.wait_for("P> cat my\\ file.txt");
    t.keys(&["Enter"]);
    t.wait_line("in-the-spaced-file");
    t.text("cd su");
    t.keys(&["Tab"]);
    t.wait_for("P> cd sub/");
    t.keys(&["Enter"]);
    // `$HO` alone is also HOSTNAME and HOSTTYPE, which the bash language sets.
    t.text("echo $HOM");
    t.keys(&["Tab"]);
    t.wait_for("P> echo $HOME");
    t.keys(&["C-u"]);
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(
        t.commands(),
        vec!["auditsh-probe-zq7 ", "cat my\\ file.txt ", "cd sub/"]
    );
}

#[test]
fn multi_line_commands_and_typed_ahead_lines() {
    if !tmux_available("multi_line_commands_and_typed_ahead_lines") {
        return;
    }
    let mut t = Term::new("typeahead");
    t.start(Some(P));
    t.wait_for(P);
    // Both lines arrive at once while the editor waits at the prompt.
    t.keys(&["for i in 1 2", "Enter", "do echo n$i; done", "Enter"]);
    t.wait_line("n2");
    let s = t.screen();
    assert!(s.contains("P> for i in 1 2"), "{s}");
    assert!(s.contains("> do echo n$i; done"), "PS2 shown:\n{s}");
    // Lines typed while a command runs.
    t.keys(&[
        "sleep 1",
        "Enter",
        "echo ahead-1",
        "Enter",
        "echo ahead-2",
        "Enter",
    ]);
    t.wait_line("ahead-2");
    // Lines typed while a command runs, the first for the command's `read`, the second for
    // the shell: the shell takes only its own line.
    t.text("echo started; sleep 1; read x; echo got=$x");
    t.keys(&["Enter"]);
    t.wait_line("started");
    t.keys(&["for-read", "Enter", "echo for-shell", "Enter"]);
    t.wait_line("got=for-read");
    t.wait_line("for-shell");
    t.text("exit 3");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 3);
    assert_eq!(
        t.commands(),
        vec![
            "for i in 1 2\ndo echo n$i; done",
            "sleep 1",
            "echo ahead-1",
            "echo ahead-2",
            "echo started; sleep 1; read x; echo got=$x",
            "echo for-shell",
            "exit 3"
        ]
    );
}

#[test]
fn vi_mode_after_set_o_vi() {
    if !tmux_available("vi_mode_after_set_o_vi") {
        return;
    }
    let mut t = Term::new("vi");
    t.start(Some(P));
    t.wait_for(P);
    t.text("set -o vi");
    t.keys(&["Enter"]);
    t.wait_count(P, 2);
    t.text("xecho vi-mode-ok");
    t.keys(&["Escape"]);
    // The escape key must reach the editor on its own, not as the start of a sequence.
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["0"]);
    std::thread::sleep(Duration::from_millis(100));
    t.keys(&["x"]);
    t.wait_for("P> echo vi-mode-ok");
    t.keys(&["Enter"]);
    t.wait_line("vi-mode-ok");
    t.text("set -o emacs");
    t.keys(&["Enter"]);
    t.wait_count(P, 4);
    t.text("ho emacs-again");
    t.keys(&["C-a"]);
    t.text("ec");
    t.keys(&["Enter"]);
    t.wait_line("emacs-again");
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
}

fn user_and_sign() -> (String, char) {
    let user = Command::new("id")
        .arg("-un")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let sign = if common::is_root() { '#' } else { '$' };
    (user, sign)
}

#[test]
fn prompt_escapes_render() {
    if !tmux_available("prompt_escapes_render") {
        return;
    }
    let (user, sign) = user_and_sign();
    let mut t = Term::new("prompt");
    t.start(Some("[\\u|\\W|\\w|\\$] "));
    t.wait_for(&format!("[{user}|~|~|{sign}] "));
    t.text("cd sub");
    t.keys(&["Enter"]);
    t.wait_for(&format!("[{user}|sub|~/sub|{sign}] "));
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);

    // Without PS1 in the environment: user@host:dir.
    let mut host = [0u8; 256];
    // SAFETY: host is valid for its length.
    unsafe { libc::gethostname(host.as_mut_ptr().cast(), host.len() - 1) };
    let end = host.iter().position(|&b| b == 0).unwrap_or(0);
    let host = String::from_utf8_lossy(&host[..end]).to_string();
    let short = host.split('.').next().unwrap_or("").to_string();
    t.start(None);
    t.wait_for(&format!("{user}@{short}:~{sign} "));
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn fc_lists_and_reruns_as_a_recorded_command() {
    if !tmux_available("fc_lists_and_reruns_as_a_recorded_command") {
        return;
    }
    let mut t = Term::new("fc");
    t.start(Some(P));
    t.wait_for(P);
    t.text("echo one");
    t.keys(&["Enter"]);
    t.wait_line("one");
    t.text("echo two");
    t.keys(&["Enter"]);
    t.wait_line("two");
    t.text("fc -l");
    t.keys(&["Enter"]);
    let s = t.wait_until("fc -l output", |s| {
        s.lines()
            .any(|l| l.starts_with('2') && l.trim_end().ends_with("echo two"))
    });
    assert!(
        s.lines()
            .any(|l| l.starts_with('1') && l.trim_end().ends_with("echo one")),
        "{s}"
    );
    t.text("fc -s one=three 1");
    t.keys(&["Enter"]);
    t.wait_line("three");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(
        t.commands(),
        vec![
            "echo one",
            "echo two",
            "fc -l",
            "fc -s one=three 1",
            "echo three",
            "exit"
        ]
    );
}

#[test]
fn ctrl_d_ends_the_shell_unless_ignoreeof() {
    if !tmux_available("ctrl_d_ends_the_shell_unless_ignoreeof") {
        return;
    }
    let mut t = Term::new("eof");
    t.start(Some(P));
    t.wait_for(P);
    t.text("set -o ignoreeof; false");
    t.keys(&["Enter"]);
    t.wait_count(P, 2);
    t.keys(&["C-d"]);
    t.wait_for("Use \"exit\" to leave shell.");
    t.text("set +o ignoreeof");
    t.keys(&["Enter"]);
    t.wait_count(P, 4);
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn ctrl_c_ends_a_program_and_the_shell_lives() {
    if !tmux_available("ctrl_c_ends_a_program_and_the_shell_lives") {
        return;
    }
    let mut t = Term::new("ctrlc");
    t.start(Some(P));
    t.wait_for(P);
    t.text("sleep 30");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.text("echo after=$?");
    t.keys(&["Enter"]);
    t.wait_line("after=130");
    // A loop of built-ins in the shell itself is interrupted too.
    t.text("while :; do :; done");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.text("echo alive=$?");
    t.keys(&["Enter"]);
    t.wait_line("alive=130");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_job_starts_with_the_shells_own_signals_at_their_defaults() {
    // The interactive shell ignores INT, QUIT, TERM, TSTP, TTIN and TTOU for itself (and
    // tmux may have started it with the stop signals ignored already): a program it starts
    // must have none of them ignored, or Ctrl-C and Ctrl-Z would not reach it.
    if !tmux_available("a_job_starts_with_the_shells_own_signals_at_their_defaults") {
        return;
    }
    let mut t = Term::new("sigdefaults");
    t.start(Some(P));
    t.wait_for(P);
    // A program alone (started directly) and one in a pipeline (in a forked member). The
    // marker is put together by the shell, so that the typed line does not show it.
    t.text("grep SigIgn /proc/self/status >sigign.txt; m=MA; sed \"s/^SigIgn:[[:space:]]*/${m}SK1=/\" sigign.txt");
    t.keys(&["Enter"]);
    t.wait_for("MASK1=");
    t.text("grep SigIgn /proc/self/status | sed \"s/^SigIgn:[[:space:]]*/${m}SK2=/\"");
    t.keys(&["Enter"]);
    let screen = t.wait_for("MASK2=");
    for marker in ["MASK1=", "MASK2="] {
        let mask = screen
            .lines()
            .find_map(|l| l.trim().strip_prefix(marker))
            .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .unwrap_or_else(|| panic!("no {marker} on screen: {screen}"));
        for sig in [
            libc::SIGINT,
            libc::SIGQUIT,
            libc::SIGTERM,
            libc::SIGTSTP,
            libc::SIGTTIN,
            libc::SIGTTOU,
        ] {
            assert_eq!(
                mask & (1 << (sig - 1)),
                0,
                "{marker} signal {sig} ignored: {mask:#x}"
            );
        }
    }
}

/// `read -e` at a terminal edits the line with the line editor, `-i` text already in it.
#[test]
fn read_e_edits_the_line_with_initial_text() {
    if !tmux_available("read_e") {
        return;
    }
    let mut t = Term::new("read_e");
    t.start(Some(P));
    t.wait_for(P);
    t.text("read -e -i draft -p 'name? ' v; echo \"got [$v]\"");
    t.keys(&["Enter"]);
    t.wait_for("name? draft");
    // Editing: the word is changed in place, not appended to raw input.
    t.keys(&["BSpace", "BSpace", "Home", "Right"]);
    t.text("X");
    t.keys(&["Enter"]);
    t.wait_line("got [dXra]");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn ctrl_z_stops_a_job_and_bg_fg_resume_it() {
    if !tmux_available("ctrl_z_stops_a_job_and_bg_fg_resume_it") {
        return;
    }
    let mut t = Term::new("ctrlz");
    t.program(
        "ticker",
        "i=0; while [ $i -lt 100 ]; do i=$((i+1)); sleep 0.1; done; echo ticker-done",
    );
    t.start(Some(P));
    t.wait_for(P);
    t.text("ticker");
    t.keys(&["Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-z"]);
    t.wait_for("Stopped");
    t.text("echo stopped=$?; jobs");
    t.keys(&["Enter"]);
    t.wait_line("stopped=148");
    let screen = t.wait_for("[1]+  Stopped");
    assert!(screen.contains("ticker"), "{screen}");
    t.text("bg");
    t.keys(&["Enter"]);
    t.wait_line("[1] ticker");
    t.text("jobs");
    t.keys(&["Enter"]);
    t.wait_for("Running");
    t.text("fg %1");
    t.keys(&["Enter"]);
    t.wait_line("ticker-done");
    t.text("echo fg=$?");
    t.keys(&["Enter"]);
    t.wait_line("fg=0");
    t.text("exit 7");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 7);
    // The stopped and resumed job keeps its one command record, whose end carries the final
    // status; `bg` and `fg` are command lines of their own.
    let recs = t.records();
    let start = recs
        .iter()
        .find(|r| r["event"]["type"][0] == "start" && r["process"]["command_line"] == "ticker")
        .expect("the command record of the job");
    let id = start["event"]["id"].clone();
    let ends: Vec<_> = recs
        .iter()
        .filter(|r| {
            r["event"]["action"] == "command"
                && r["event"]["type"][0] == "end"
                && r["auditsh"]["command"] == id
        })
        .collect();
    assert_eq!(ends.len(), 1, "one end for the job's command line");
    assert_eq!(
        ends[0]["process"]["exit_code"], 0,
        "the final status, not 148"
    );
    let fg_start = recs
        .iter()
        .find(|r| r["event"]["type"][0] == "start" && r["process"]["command_line"] == "fg %1")
        .expect("fg is a command line");
    assert!(
        ends[0]["event"]["sequence"].as_u64() > fg_start["event"]["sequence"].as_u64(),
        "the job's end comes when it finishes, after fg"
    );
    let commands = t.commands();
    for c in ["ticker", "bg", "fg %1"] {
        assert_eq!(
            commands.iter().filter(|x| *x == c).count(),
            1,
            "{commands:?}"
        );
    }
}

#[test]
fn a_hangup_ends_the_session_and_its_jobs() {
    if !tmux_available("a_hangup_ends_the_session_and_its_jobs") {
        return;
    }
    let mut t = Term::new("hangup");
    t.start(Some(P));
    t.wait_for(P);
    let pidfile = t.dir().join("bgpid");
    t.text(&format!("sleep 1000 & echo $! > {}", pidfile.display()));
    t.keys(&["Enter"]);
    let pid = read_pid(&pidfile);
    // Closing the terminal hangs up the shell.
    let _ = t.tmux().args(["kill-session", "-t", "t"]).output();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let ended = t
            .records()
            .iter()
            .any(|r| r["event"]["action"] == "session-end");
        let alive = alive(pid);
        if ended && !alive {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after the hangup: session ended {ended}, job alive {alive}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let recs = t.records();
    let end = recs.last().unwrap();
    assert_eq!(end["event"]["action"], "session-end");
    assert_eq!(end["auditsh"]["end_reason"], "hangup");
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}

#[test]
fn a_finished_background_job_is_reported_before_the_next_prompt() {
    if !tmux_available("a_finished_background_job_is_reported_before_the_next_prompt") {
        return;
    }
    let mut t = Term::new("notify");
    t.start(Some(P));
    t.wait_for(P);
    t.text("sleep 0.3 &");
    t.keys(&["Enter"]);
    t.wait_for("[1] ");
    std::thread::sleep(Duration::from_millis(600));
    // An empty line is enough: the notice comes before the new prompt.
    t.keys(&["Enter"]);
    let screen = t.wait_for("Done");
    assert!(
        screen.contains("[1]+  Done                    sleep 0.3"),
        "{screen}"
    );
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    // The empty line is not a command line.
    assert_eq!(t.commands(), vec!["sleep 0.3 &", "exit"]);
}

#[test]
fn each_line_of_a_pasted_block_is_its_own_command_record() {
    if !tmux_available("each_line_of_a_pasted_block_is_its_own_command_record") {
        return;
    }
    let mut t = Term::new("paste");
    t.start(Some(P));
    t.wait_for(P);
    let block = "/bin/echo paste-one\n\
                 for i in 1 2\n\
                 do /bin/echo loop-$i\n\
                 done\n\
                 cd sub && /bin/echo paste-two\n";
    // A bracketed paste, as a terminal sends one: tmux wraps the buffer in the paste markers
    // (the editor asked for them) and sends each newline as a carriage return.
    let ok = t
        .tmux()
        .args(["set-buffer", "-b", "block", block])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "set-buffer");
    let ok = t
        .tmux()
        .args(["paste-buffer", "-p", "-b", "block", "-t", "t"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "paste-buffer");
    t.keys(&["Enter"]);
    t.wait_line("paste-two");
    // The same block sent as raw bytes with the markers around it.
    t.text("\x1b[200~/bin/echo raw-one\r/bin/echo raw-two\x1b[201~");
    t.keys(&["Enter"]);
    t.wait_line("raw-two");
    t.text("exit 4");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 4);
    assert_eq!(
        t.commands(),
        vec![
            "/bin/echo paste-one",
            "for i in 1 2\ndo /bin/echo loop-$i\ndone",
            "cd sub && /bin/echo paste-two",
            "/bin/echo raw-one",
            "/bin/echo raw-two",
            "exit 4"
        ]
    );
    // Each program's record points at the command record of its own line.
    let recs = t.records();
    let id_of = |text: &str| {
        recs.iter()
            .find(|r| {
                r["event"]["action"] == "command"
                    && r["event"]["type"][0] == "start"
                    && r["process"]["command_line"] == text
            })
            .map(|r| r["event"]["id"].clone())
            .unwrap_or_else(|| panic!("no command record {text:?}"))
    };
    let exec_of = |arg: &str| {
        let e: Vec<&serde_json::Value> = recs
            .iter()
            .filter(|r| r["event"]["action"] == "exec" && r["process"]["args"][1] == arg)
            .collect();
        assert_eq!(e.len(), 1, "exec of {arg}");
        e[0]["auditsh"]["command"].clone()
    };
    assert_eq!(exec_of("paste-one"), id_of("/bin/echo paste-one"));
    let the_loop = id_of("for i in 1 2\ndo /bin/echo loop-$i\ndone");
    assert_eq!(exec_of("loop-1"), the_loop);
    assert_eq!(exec_of("loop-2"), the_loop);
    assert_eq!(exec_of("paste-two"), id_of("cd sub && /bin/echo paste-two"));
    assert_eq!(exec_of("raw-one"), id_of("/bin/echo raw-one"));
    assert_eq!(exec_of("raw-two"), id_of("/bin/echo raw-two"));
}

#[test]
fn ctrl_c_drops_the_rest_of_a_pasted_block() {
    if !tmux_available("ctrl_c_drops_the_rest_of_a_pasted_block") {
        return;
    }
    let mut t = Term::new("paste-intr");
    t.start(Some(P));
    t.wait_for(P);
    // As with lines typed ahead (the terminal flushes its input on Ctrl-C), the lines of a
    // paste that have not run yet are dropped when Ctrl-C interrupts one of them.
    t.text("\x1b[200~/bin/echo first-ran; sleep 30\r/bin/echo second-ran\x1b[201~");
    t.keys(&["Enter"]);
    t.wait_line("first-ran");
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-c"]);
    t.wait_count(P, 2);
    t.text("echo alive");
    t.keys(&["Enter"]);
    t.wait_line("alive");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    assert_eq!(
        t.commands(),
        vec!["/bin/echo first-ran; sleep 30", "echo alive", "exit"]
    );
    assert!(!t.screen().contains("second-ran"));
}

#[test]
fn auditsh_log_draws_its_progress_bar_at_a_terminal_only() {
    if !tmux_available("auditsh_log_draws_its_progress_bar_at_a_terminal_only") {
        return;
    }
    let mut t = Term::new("progress");
    // A named pipe as the second operand holds the scan open until the test writes to it.
    let fifo = t.dir().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    t.start(Some(P));
    t.wait_for(P);
    let log = AUDITSH_LOG;
    let spool = t.env.spool_dir();
    t.text(&format!(
        "'{log}' search --count -j1 '{}' '{}'; echo status-$?",
        spool.display(),
        fifo.display()
    ));
    t.keys(&["Enter"]);
    // The spool's file is read, the pipe not yet: the bar says so.
    let screen = t.wait_for("1/2 files");
    assert!(screen.contains('█') || screen.contains('░'), "{screen}");
    // An empty pipe ends the scan; the bar is cleared, the count printed.
    std::fs::write(&fifo, b"").unwrap();
    let screen = t.wait_for("status-0");
    assert!(!screen.contains("2 files"), "{screen}");

    // Not at a terminal: nothing of it on stderr.
    let out = Command::new(log)
        .args(["search", "--count"])
        .arg(spool)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn complete_specs_drive_tab_completion() {
    if !tmux_available("complete_specs_drive_tab_completion") {
        return;
    }
    let mut t = Term::new("complete-spec");
    t.program("probe-comp", "echo two; echo three");
    t.start(Some(P));
    t.wait_for(P);
    t.text(
        "complete -W 'alpha beta' -o nospace foo; \
         f(){ COMPREPLY=($(compgen -W \"$(probe-comp)\" -- \"$2\")); \
         echo \"$1|$2|$3|$COMP_CWORD|${COMP_WORDS[*]}|$COMP_LINE|$COMP_POINT\" > ~/args; \
         true; }; complete -F f mycmd; false",
    );
    t.keys(&["Enter"]);
    t.wait_count(P, 2);
    // A word list, and nospace: what is typed next sticks to the word.
    t.tab_then("foo al", "X", "P> foo alphaX");
    // -E: the empty line; -I: the first word of a command.
    t.text("complete -E -W emptyword; complete -I -W firstword; false");
    t.keys(&["Enter"]);
    t.wait_count(P, 3);
    t.keys(&["Tab"]);
    t.text("Z");
    t.wait_for("P> emptyword Z");
    t.keys(&["C-u"]);
    t.tab_then("echo a; fir", "Z", "P> echo a; firstword Z");
    // A function: its COMPREPLY, then a space after the one match.
    t.tab_then("mycmd x tw", "Z", "P> mycmd x two Z");
    // A program run in the foreground by a function leaves the editor in charge of the
    // terminal: the keys after Tab still edit the line.
    t.text("g(){ probe-comp > /dev/null; COMPREPLY=(zz); }; complete -F g gcmd");
    t.keys(&["Enter"]);
    t.wait_count(P, 4);
    t.text("gcmd ");
    t.keys(&["Tab"]);
    t.text("Z");
    t.keys(&["Left", "Left"]);
    t.text("Y");
    t.wait_for("P> gcmd zzY Z");
    t.keys(&["C-u"]);
    t.text("false");
    t.keys(&["Enter"]);
    t.wait_count(P, 5);
    t.text("mycmd x tw");
    t.keys(&["Tab"]);
    t.keys(&["C-u"]);
    // The function ran true and a program: `$?` is still false's.
    t.text("echo st $?");
    t.keys(&["Enter"]);
    t.wait_line("st 1");
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
    let args = std::fs::read_to_string(t.home().join("args")).unwrap();
    assert_eq!(args, "mycmd|tw|x|2|mycmd x tw|mycmd x tw|10\n");
    // The program the completion function started is recorded, as coming from `complete`.
    let probe: Vec<String> = t
        .records()
        .iter()
        .map(|r| r.to_string())
        .filter(|r| r.contains("probe-comp"))
        .collect();
    assert!(
        probe
            .iter()
            .any(|r| r.contains("\"source\":{\"file\":\"complete\"")),
        "{probe:#?}"
    );
}

#[test]
fn debian_bash_completion_works_when_sourced() {
    const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";
    if !tmux_available("debian_bash_completion_works_when_sourced") {
        return;
    }
    if !Path::new(BASH_COMPLETION).exists() {
        common::skip(
            "debian_bash_completion_works_when_sourced",
            "the bash-completion package is not installed",
        );
        return;
    }
    let mut t = Term::new("bash-completion");
    std::fs::write(t.home().join("my file.txt"), "").unwrap();
    std::fs::create_dir_all(t.home().join(".ssh")).unwrap();
    std::fs::write(
        t.home().join(".ssh/config"),
        "Host alpha\n    HostName 192.0.2.1\nHost beta\n    User nobody\n",
    )
    .unwrap();
    t.start(Some(P));
    t.wait_for(P);
    t.text(&format!(". {BASH_COMPLETION}; echo sourced $?"));
    t.keys(&["Enter"]);
    t.wait_line("sourced 0");
    let screen = t.wait_count(P, 2);
    // Sourcing it printed nothing else: the command, its line, the next prompt.
    assert_eq!(
        screen.lines().filter(|l| !l.trim().is_empty()).count(),
        3,
        "{screen}"
    );
    // ls: its long options, from `ls --help` (the first Tab adds what they share, the second
    // lists them).
    t.text("ls --al");
    t.keys(&["Tab"]);
    t.keys(&["Tab"]);
    let screen = t.wait_for("--almost-all");
    assert!(screen.contains("--all"), "{screen}");
    t.keys(&["C-u"]);
    // git: a subcommand, from git's own completion loaded on demand (`che` alone is also
    // cherry and cherry-pick, in bash too).
    t.tab_then("git chec", "Z", "P> git checkout Z");
    // File names through _filedir (-o filenames): quoted, a directory ends in `/`.
    t.tab_then("cat my", "Z", "P> cat my\\ file.txt Z");
    t.tab_then("cd su", "Z", "P> cd sub/Z");
    // ssh: the hosts of ~/.ssh/config.
    t.text("ssh ");
    t.keys(&["Tab"]);
    t.keys(&["Tab"]);
    let screen = t.wait_for("alpha");
    assert!(screen.contains("beta"), "{screen}");
    t.keys(&["C-u"]);
    t.keys(&["C-d"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn history_expansion_rewrites_the_line_before_it_runs() {
    if !tmux_available("history_expansion_rewrites_the_line_before_it_runs") {
        return;
    }
    let mut t = Term::new("histexpand");
    t.start(Some(P));
    t.wait_for(P);
    t.text("echo one two three");
    t.keys(&["Enter"]);
    t.wait_line("one two three");
    // The expanded line is shown before it runs, as bash shows it.
    t.text("!!");
    t.keys(&["Enter"]);
    t.wait_count("one two three", 4);
    t.text("echo !$ !^");
    t.keys(&["Enter"]);
    t.wait_line("echo three one");
    t.wait_line("three one");
    t.text("^three^3");
    t.keys(&["Enter"]);
    t.wait_line("3 one");
    // A failed reference runs nothing and leaves `$?` alone.
    t.text("false");
    t.keys(&["Enter"]);
    t.text("echo !nope-z9");
    t.keys(&["Enter"]);
    t.wait_for(": !nope-z9: event not found");
    t.text("echo status=$?");
    t.keys(&["Enter"]);
    t.wait_line("status=1");
    // `:p` shows the line and keeps it in the history without running it.
    t.text("echo printed-only !1:2:p");
    t.keys(&["Enter"]);
    t.wait_line("echo printed-only two");
    t.text("!!:s/printed-only/ran/");
    t.keys(&["Enter"]);
    t.wait_line("ran two");
    t.text("echo '!!' x!= a!");
    t.keys(&["Enter"]);
    t.wait_line("!! x!= a!");
    // As in bash, the line is expanded before `set +H` in it runs: it takes effect after.
    t.text("set +H");
    t.keys(&["Enter"]);
    t.text("echo !!");
    t.keys(&["Enter"]);
    t.wait_line("!!");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let commands = t.commands();
    assert_eq!(
        commands,
        vec![
            "echo one two three",
            "echo one two three",
            "echo three one",
            "echo 3 one",
            "false",
            "echo status=$?",
            "echo ran two",
            "echo '!!' x!= a!",
            "set +H",
            "echo !!",
            "exit"
        ]
    );
    assert!(!t.screen().contains("printed-only two\nprinted"));
    let saved = std::fs::read_to_string(t.home().join(".auditsh_history")).unwrap();
    assert!(saved.contains("echo printed-only two\n"), "{saved}");
    assert!(saved.contains("\necho ran two\n"), "{saved}");
}

#[test]
fn history_builtin_lists_deletes_and_obeys_histcontrol() {
    if !tmux_available("history_builtin_lists_deletes_and_obeys_histcontrol") {
        return;
    }
    let mut t = Term::new("historybuiltin");
    t.start(Some(P));
    t.wait_for(P);
    t.text("HISTCONTROL=ignoreboth HISTIGNORE='ls *'");
    t.keys(&["Enter"]);
    t.text(" echo hidden");
    t.keys(&["Enter"]);
    t.wait_line("hidden");
    for line in ["echo dup", "echo dup", "ls / >/dev/null"] {
        t.text(line);
        t.keys(&["Enter"]);
    }
    t.wait_count("P> ls /", 1);
    t.text("history -d 1; history");
    t.keys(&["Enter"]);
    let s = t.wait_line("    2  history -d 1; history");
    assert!(s.lines().any(|l| l == "    1  echo dup"), "{s}");
    assert!(
        !s.lines()
            .any(|l| l.starts_with("    ") && l.contains("hidden")),
        "{s}"
    );
    let year = Command::new("date").arg("+%Y").output().unwrap().stdout;
    let year = String::from_utf8_lossy(&year).trim().to_string();
    t.text("HISTTIMEFORMAT='[%Y] '; history 1");
    t.keys(&["Enter"]);
    t.wait_line(&format!(
        "    3  [{year}] HISTTIMEFORMAT='[%Y] '; history 1"
    ));
    t.text("unset HISTTIMEFORMAT; history -w ~/written; history -c; history -s from-s; history");
    t.keys(&["Enter"]);
    t.wait_line("    1  from-s");
    t.text("history -r ~/written; history 2");
    t.keys(&["Enter"]);
    // The file's entries come after this line's own (number 2), as in bash.
    t.wait_line("    5  HISTTIMEFORMAT='[%Y] '; history 1");
    t.wait_line(
        "    6  unset HISTTIMEFORMAT; history -w ~/written; history -c; history -s from-s; history",
    );
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let written = std::fs::read_to_string(t.home().join("written")).unwrap();
    assert_eq!(
        written.lines().collect::<Vec<_>>(),
        [
            "echo dup",
            "history -d 1; history",
            "HISTTIMEFORMAT='[%Y] '; history 1",
            "unset HISTTIMEFORMAT; history -w ~/written; history -c; history -s from-s; history"
        ]
    );
    // The history leaves lines out; the audit does not.
    let saved = std::fs::read_to_string(t.home().join(".auditsh_history")).unwrap();
    assert!(
        !saved.contains("hidden") && !saved.contains("ls /"),
        "{saved}"
    );
    let commands = t.commands();
    assert!(
        commands.iter().any(|c| c.contains("echo hidden")),
        "{commands:?}"
    );
    assert_eq!(commands.iter().filter(|c| *c == "echo dup").count(), 2);
}

#[test]
fn prompt_escapes_in_full_and_prompt_command() {
    if !tmux_available("prompt_escapes_in_full_and_prompt_command") {
        return;
    }
    let mut t = Term::new("promptfull");
    t.program("pc-probe", "echo pc-probe-ran-$$ > \"$HOME/pc-ran\"");
    let year = Command::new("date").arg("+%Y").output().unwrap().stdout;
    let year = String::from_utf8_lossy(&year).trim().to_string();
    let version = env!("CARGO_PKG_VERSION");
    t.start(Some("<\\j|\\#|\\!|\\s|\\V|\\D{%Y}|\\101|\\l> "));
    let tty = t
        .tmux()
        .args(["display-message", "-p", "-t", "t", "#{pane_tty}"])
        .output()
        .unwrap()
        .stdout;
    let tty = String::from_utf8_lossy(&tty)
        .trim()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    t.wait_for(&format!("<0|1|1|auditsh|{version}|{year}|A|{tty}> "));
    t.text("sleep 30 &");
    t.keys(&["Enter"]);
    t.wait_for(&format!("<1|2|2|auditsh|{version}|{year}|A|{tty}> "));
    // An array: each element runs before each primary prompt; `$?` is left for the prompt.
    t.text("PROMPT_COMMAND=(pc-probe 'echo pc-second' false); kill %1; (exit 3)");
    t.keys(&["Enter"]);
    t.wait_line("pc-second");
    t.text("echo status=$?");
    t.keys(&["Enter"]);
    t.wait_line("status=3");
    // `exit` in PROMPT_COMMAND ends the shell, as in bash.
    t.text("PROMPT_COMMAND='exit 6'");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 6);
    assert!(t.home().join("pc-ran").exists());
    // The program PROMPT_COMMAND started is recorded as coming from it.
    let recs = t.records();
    let probe: Vec<_> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "exec" && r["process"]["args"][0] == "pc-probe")
        .collect();
    assert!(!probe.is_empty(), "no exec record of pc-probe");
    for r in probe {
        assert_eq!(r["auditsh"]["source"]["file"], "PROMPT_COMMAND", "{r}");
    }
}

#[test]
fn a_login_shell_keeps_user_at_host_after_debians_etc_profile() {
    if !tmux_available("a_login_shell_keeps_user_at_host_after_debians_etc_profile") {
        return;
    }
    let (user, sign) = user_and_sign();
    let short = Command::new("hostname")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let short = short.split('.').next().unwrap_or("").to_string();
    let mut t = Term::new("loginprompt");
    std::fs::write(t.home().join(".profile"), "PROFILE_RAN=yes\n").unwrap();
    t.start_with(None, "-l");
    let prompt = format!("{user}@{short}:~{sign} ");
    t.wait_for(&prompt);
    // The system's /etc/profile ran (it sets PATH), then ~/.profile.
    t.text("echo ran=$PROFILE_RAN path=$PATH");
    t.keys(&["Enter"]);
    let s = t.wait_for("ran=yes");
    assert!(s.contains("path=/usr/local"), "{s}");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);

    // A prompt the user's own profile sets is kept, even the bare one.
    std::fs::write(t.home().join(".profile"), "PS1='$ '\n").unwrap();
    t.start_with(None, "-l");
    t.wait_line("$");
    t.text("echo mine");
    t.keys(&["Enter"]);
    t.wait_line("$ echo mine");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
}

/// The pid a program wrote to `file`, waiting for it.
fn read_pid(file: &Path) -> i32 {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(p) = std::fs::read_to_string(file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return p;
        }
        assert!(Instant::now() < deadline, "no pid in {}", file.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks whether the process exists.
    unsafe { libc::kill(pid, 0) == 0 && !is_zombie(pid) }
}

#[test]
fn kill_reaches_a_stopped_job_and_exit_hangs_up_only_stopped_jobs() {
    if !tmux_available("kill_reaches_a_stopped_job_and_exit_hangs_up_only_stopped_jobs") {
        return;
    }
    let mut t = Term::new("stoppedjobs");
    t.program("stopme", "echo $$ > \"$HOME/$1\"; exec sleep 200");
    t.start(Some(P));
    t.wait_for(P);
    // `kill %1` with TERM on a stopped job: bash continues it, so that it dies of TERM.
    t.text("stopme first");
    t.keys(&["Enter"]);
    let first = read_pid(&t.home().join("first"));
    t.keys(&["C-z"]);
    t.wait_for("Stopped");
    t.text("kill %1");
    t.keys(&["Enter"]);
    t.wait_count(P, 3);
    // The notice comes before a prompt once the job is reaped.
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["Enter"]);
    t.wait_for("Terminated");
    assert!(!alive(first), "the stopped job did not get TERM");
    // A running background job and a stopped one; exit warns (again after another command),
    // an exit right after a warning hangs up only the stopped one.
    t.text("stopme running &");
    t.keys(&["Enter"]);
    let running = read_pid(&t.home().join("running"));
    t.text("stopme stopped");
    t.keys(&["Enter"]);
    let stopped = read_pid(&t.home().join("stopped"));
    t.keys(&["C-z"]);
    t.wait_count("Stopped", 2);
    t.text("exit");
    t.keys(&["Enter"]);
    t.wait_for("There are stopped jobs.");
    t.text("true");
    t.keys(&["Enter"]);
    t.text("exit");
    t.keys(&["Enter"]);
    t.wait_count("There are stopped jobs.", 2);
    t.text("exit");
    t.keys(&["Enter"]);
    t.wait_exit();
    let deadline = Instant::now() + TIMEOUT;
    while alive(stopped) {
        assert!(Instant::now() < deadline, "the stopped job was not hung up");
        std::thread::sleep(Duration::from_millis(50));
    }
    let running_left = alive(running);
    // SAFETY: ends the job the test started.
    unsafe { libc::kill(running, libc::SIGKILL) };
    assert!(running_left, "a running background job was killed on exit");
    let recs = t.records();
    let end_of = |text: &str| {
        let start = recs
            .iter()
            .find(|r| r["event"]["type"][0] == "start" && r["process"]["command_line"] == text)
            .unwrap_or_else(|| panic!("no record of {text:?}"));
        recs.iter()
            .find(|r| {
                r["event"]["action"] == "command"
                    && r["event"]["type"][0] == "end"
                    && r["auditsh"]["command"] == start["event"]["id"]
            })
            .cloned()
    };
    let killed = end_of("stopme first").expect("an end for the killed job");
    assert_eq!(killed["auditsh"]["signal"], "TERM", "{killed}");
    let hung_up = end_of("stopme stopped").expect("an end for the stopped job");
    assert_eq!(hung_up["auditsh"]["signal"], "HUP", "{hung_up}");
    let background = end_of("stopme running &").expect("the background line's end");
    assert_ne!(background["auditsh"]["signal"], "HUP", "{background}");
    let hup_ends = recs
        .iter()
        .filter(|r| {
            r["event"]["action"] == "command"
                && r["event"]["type"][0] == "end"
                && r["auditsh"]["signal"] == "HUP"
        })
        .count();
    assert_eq!(hup_ends, 1, "only the stopped job is recorded as hung up");
}

#[test]
fn an_auditshrc_written_like_a_bashrc_is_read_and_used() {
    if !tmux_available("an_auditshrc_written_like_a_bashrc_is_read_and_used") {
        return;
    }
    let mut t = Term::new("bashrc");
    std::fs::write(t.home().join("a.txt"), "").unwrap();
    std::fs::write(t.home().join("b.log"), "").unwrap();
    std::fs::write(
        t.home().join(".auditshrc"),
        r#"# What people keep in ~/.bashrc
[ -z "$PS1" ] && return
shopt -s extglob
HISTCONTROL=ignoreboth
declare -a tools=(alpha beta gamma)
declare -A colour=([sky]=blue [grass]=green)
alias ll='echo ll-alias'
greet() {
    local who=${1:-world}
    echo "hello, $who (${#tools[@]} tools, sky ${colour[sky]})"
}
if [[ $- == *i* ]]; then
    PS1='rc:\W\$ '
fi
"#,
    )
    .unwrap();
    t.start(None);
    let (_, sign) = user_and_sign();
    let prompt = format!("rc:~{sign} ");
    t.wait_for(&prompt);
    t.text("ll; greet you; echo ${tools[1]} @(*.log)");
    t.keys(&["Enter"]);
    t.wait_line("ll-alias");
    t.wait_line("hello, you (3 tools, sky blue)");
    t.wait_line("beta b.log");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn alt_dot_ctrl_x_ctrl_e_ctrl_l_and_vi_escape_enter() {
    if !tmux_available("alt_dot_ctrl_x_ctrl_e_ctrl_l_and_vi_escape_enter") {
        return;
    }
    let mut t = Term::new("editkeys");
    // An editor that rewrites the file it is given.
    t.program(
        "rewrite-editor",
        "sed -i 's/before-edit/after-edit/' \"$1\"",
    );
    t.start(Some(P));
    t.wait_for(P);
    t.text("echo alpha beta");
    t.keys(&["Enter"]);
    t.wait_line("alpha beta");
    t.text("echo gamma delta");
    t.keys(&["Enter"]);
    t.wait_line("gamma delta");
    // Alt-. inserts the last word of the previous line; again, of the one before.
    t.text("echo ");
    t.keys(&["M-."]);
    t.wait_for("P> echo delta");
    t.keys(&["M-."]);
    t.wait_for("P> echo beta");
    t.keys(&["Enter"]);
    t.wait_line("beta");
    // Ctrl-X Ctrl-E: the line goes to $EDITOR, and runs as the editor left it.
    t.text("export EDITOR=rewrite-editor");
    t.keys(&["Enter"]);
    t.text("echo before-edit");
    t.keys(&["C-x", "C-e"]);
    t.wait_line("after-edit");
    // Ctrl-L clears the screen, the line being typed stays.
    t.text("echo clear-me");
    t.keys(&["Enter"]);
    t.wait_line("clear-me");
    t.text("echo kept");
    t.keys(&["C-l"]);
    t.wait_until("a cleared screen", |s| {
        !s.contains("clear-me") && s.lines().next() == Some("P> echo kept")
    });
    t.keys(&["Enter"]);
    t.wait_line("kept");
    // vi mode: Ctrl-L in insert mode too, and Enter right after Escape is not lost.
    t.text("set -o vi");
    t.keys(&["Enter"]);
    t.wait_count(P, 3);
    t.text("echo vi-typed");
    t.keys(&["C-l"]);
    t.wait_until("a cleared screen in vi mode", |s| {
        s.lines().next() == Some("P> echo vi-typed")
    });
    t.keys(&["Escape", "Enter"]);
    t.wait_line("vi-typed");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    let commands = t.commands();
    assert!(
        commands.iter().any(|c| c == "echo after-edit"),
        "{commands:?}"
    );
    assert!(
        !commands.iter().any(|c| c == "echo before-edit"),
        "{commands:?}"
    );
    assert!(
        commands.iter().any(|c| c == "echo vi-typed"),
        "{commands:?}"
    );
    // The editor ran as a program of the shell, recorded.
    let recs = t.records();
    assert!(
        recs.iter()
            .any(|r| r["event"]["action"] == "exec" && r["process"]["args"][0] == "rewrite-editor"),
        "no exec record of the editor"
    );
}

/// Key bindings in readline's language: ~/.inputrc read before the first prompt, `bind` in the
/// session, `bind -q`/`-p`/`-v` reporting them, `bind -r` taking one away.
#[test]
fn bind_and_inputrc_key_bindings_reach_the_editor() {
    if !tmux_available("bind_and_inputrc_key_bindings_reach_the_editor") {
        return;
    }
    let mut t = Term::new("bind");
    std::fs::write(
        t.home().join(".inputrc"),
        "set bell-style none\n$if mode=emacs\n\"\\C-o\": backward-char\n$endif\n",
    )
    .unwrap();
    t.start(Some(P));
    t.wait_for(P);
    // From the inputrc: Ctrl-O moves back over the z, the y goes before it.
    t.text("echo xz");
    t.keys(&["C-o"]);
    t.text("y");
    t.keys(&["Enter"]);
    t.wait_line("xyz");
    t.text("bind '\"\\C-t\": beginning-of-line'; bind -q beginning-of-line; bind -v | grep bell");
    t.keys(&["Enter"]);
    t.wait_line("beginning-of-line can be invoked via \"\\C-a\", \"\\C-t\".");
    t.wait_line("set bell-style none");
    // From `bind`: Ctrl-T goes to the start of the line.
    t.text("cho bound");
    t.keys(&["C-t"]);
    t.text("e");
    t.keys(&["Enter"]);
    t.wait_line("bound");
    t.text("bind -r '\\C-o'; bind -p | grep -e beginning-of-line -e '^# abort' -e C-o");
    t.keys(&["Enter"]);
    t.wait_line("\"\\C-t\": beginning-of-line");
    let s = t.wait_line("\"\\C-a\": beginning-of-line");
    assert!(!s.contains("\"\\C-o\""), "{s}");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn job_control_with_no_standard_descriptor_on_the_terminal_uses_the_controlling_one() {
    if !tmux_available(
        "job_control_with_no_standard_descriptor_on_the_terminal_uses_the_controlling_one",
    ) {
        return;
    }
    let mut t = Term::new("m-tty");
    // `sh -m < script > file 2>&1`: a job that stops itself is seen as stopped (the shell
    // waits with job control, through /dev/tty), resumed by `bg`, and the script ends. dash
    // tells of the stop; a bash script does not (only `jobs` would show it). A job `fg`
    // brought back and that ended is gone: bash's `wait PID` finds nothing of it (127).
    let script = t.dir().join("m.in");
    std::fs::write(
        &script,
        "sh -c 'kill -s STOP $$; echo resumed'\nbg >/dev/null\nwait\n\
         sh -c 'kill -s STOP $$; exit 3'\njobs -p > pid; read p < pid\n\
         fg >/dev/null; echo fg=$?\nwait $p 2>/dev/null; echo wait=$?\necho done\n",
    )
    .unwrap();
    let out = t.dir().join("m.out");
    for mode in ["--posix", ""] {
        t.start_with(
            None,
            &format!(
                "{mode} -m < '{}' > '{}' 2>&1",
                script.display(),
                out.display()
            ),
        );
        assert_eq!(t.wait_exit(), 0);
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(
            text.contains("Stopped (signal)"),
            !mode.is_empty(),
            "{mode}: {text}"
        );
        assert!(
            text.contains("resumed\n") && text.ends_with("fg=3\nwait=127\ndone\n"),
            "{mode}: {text}"
        );
    }
}

#[test]
fn the_terminal_goes_back_to_the_parents_process_group_when_the_shell_ends() {
    // The shell takes the terminal for its own process group under job control; when it ends
    // (or execs a program) the group it was started in gets it back. Otherwise a parent
    // without job control (here the /bin/sh running the test's script) is left in a
    // background group of its own terminal.
    if !tmux_available("terminal_back") {
        return;
    }
    let mut t = Term::new("terminal-back");
    let pg = t.dir().join("pg");
    for (args, typed) in [
        ("-m -c true", None),
        ("-m -c 'exec true'", None),
        ("", Some("exit")),
    ] {
        let _ = std::fs::remove_file(&pg);
        // The parent's process group and the terminal's foreground group, after the shell.
        let after = format!("{args}; ps -o pgid=,tpgid= -p $$ > '{}'", pg.display());
        t.start_with(Some(P), &after);
        if let Some(line) = typed {
            t.wait_for(P);
            t.text(line);
            t.keys(&["Enter"]);
        }
        t.wait_exit();
        let groups = std::fs::read_to_string(&pg).unwrap();
        let groups: Vec<&str> = groups.split_whitespace().collect();
        assert_eq!(groups.len(), 2, "{args}: {groups:?}");
        assert_eq!(
            groups[0], groups[1],
            "{args}: pgid and the terminal's tpgid"
        );
    }
}

#[test]
fn a_script_without_a_shebang_line_is_a_job_that_can_stop() {
    // A file with no `#!` runs as a script in a subshell; under job control that subshell is
    // the foreground job the program would have been: when it stops, the shell goes on and
    // `bg` resumes it (a plain wait for it would hang on the stopped process).
    if !tmux_available("script_job_stops") {
        return;
    }
    let mut t = Term::new("script-job");
    let job = t.home().join("job1");
    std::fs::write(&job, "exec /bin/sh -c 'kill -s STOP $$; echo resumed'\n").unwrap();
    let made = Command::new("chmod").arg("+x").arg(&job).status().unwrap();
    assert!(made.success());
    let out = t.dir().join("out");
    let args = format!(
        "-m -c './job1; echo stopped=$?; ./job1; bg %1 %2 >/dev/null; wait; echo waited=$?' > '{}'",
        out.display()
    );
    t.start_with(Some(P), &args);
    assert_eq!(t.wait_exit(), 0);
    let text = std::fs::read_to_string(&out).unwrap();
    // `bg` with two operands resumes both.
    assert_eq!(text, "stopped=147\nresumed\nresumed\nwaited=0\n");
}

#[test]
fn wait_still_knows_a_job_whose_end_was_told() {
    // POSIX: the status of a job the interactive shell reported as done is not lost; `wait`
    // with its pid gives it, in posix mode as in bash's language.
    if !tmux_available("wait_after_notice") {
        return;
    }
    let mut t = Term::new("wait-after-notice");
    for args in ["", "--posix"] {
        t.start_with(Some(P), args);
        t.wait_for(P);
        t.text("(exit 17) & p=$!");
        t.keys(&["Enter"]);
        std::thread::sleep(Duration::from_millis(300));
        t.keys(&["Enter"]);
        // bash's notice and dash's.
        t.wait_for(if args.is_empty() {
            "Exit 17"
        } else {
            "Done(17)"
        });
        t.text("wait $p; echo \"stat\"us=$?");
        t.keys(&["Enter"]);
        t.wait_for("status=17");
        t.text("exit");
        t.keys(&["Enter"]);
        assert_eq!(t.wait_exit(), 0, "{args}");
    }
}

#[test]
fn a_key_bound_with_bind_x_runs_a_recorded_shell_command_on_the_line() {
    if !tmux_available("a_key_bound_with_bind_x_runs_a_recorded_shell_command_on_the_line") {
        return;
    }
    let mut t = Term::new("bindx");
    t.program("key-probe", "echo key-probe-ran > \"$HOME/key-ran\"");
    std::fs::write(
        t.home().join(".auditshrc"),
        concat!(
            "bind -x '\"\\C-t\": READLINE_LINE=\"${READLINE_LINE:0:READLINE_POINT}INS",
            "${READLINE_LINE:READLINE_POINT}\"; READLINE_POINT=$((READLINE_POINT + 3))'\n",
            "bind -x '\"\\C-o\": key-probe; echo output-from-key'\n",
        ),
    )
    .unwrap();
    t.start(Some(P));
    t.wait_for(P);
    t.text("export LC_ALL=C.UTF-8");
    t.keys(&["Enter"]);
    // The command sees the line and the cursor (in characters), and sets both.
    t.text("echo äbc");
    t.keys(&["Left", "Left", "C-t"]);
    t.wait_for("P> echo äINSbc");
    t.text("x");
    t.wait_for("P> echo äINSxbc");
    // The line as it stood before the key was taken back: it is on the screen once.
    assert_eq!(t.screen().matches("P> echo ä").count(), 1, "{}", t.screen());
    // What the command writes goes above the line, which stays to be edited.
    t.keys(&["C-o"]);
    t.wait_line("output-from-key");
    t.text("y");
    t.keys(&["Enter"]);
    t.wait_line("äINSxybc");
    t.text("echo \"[${READLINE_LINE-unset}]\"");
    t.keys(&["Enter"]);
    t.wait_line("[unset]");
    t.text("exit");
    t.keys(&["Enter"]);
    assert_eq!(t.wait_exit(), 0);
    assert!(t.home().join("key-ran").exists());
    // The lines that ran are the commands recorded; the key's program is recorded as coming
    // from the binding.
    let commands = t.commands();
    assert!(
        commands.iter().any(|c| c == "echo äINSxybc"),
        "{commands:?}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("key-probe")),
        "{commands:?}"
    );
    let recs = t.records();
    let probe: Vec<_> = recs
        .iter()
        .filter(|r| r["event"]["action"] == "exec" && r["process"]["args"][0] == "key-probe")
        .collect();
    assert_eq!(probe.len(), 1, "exec records of key-probe");
    assert_eq!(
        probe[0]["auditsh"]["source"]["file"], "bind -x \"\\C-o\"",
        "{}",
        probe[0]
    );
}

#[test]
fn lines_and_columns_follow_the_terminal() {
    if !tmux_available("lines_and_columns_follow_the_terminal") {
        return;
    }
    let mut t = Term::new("winsize");
    t.start(Some(P));
    t.wait_for(P);
    t.text("echo \"size=$COLUMNS/$LINES\"");
    t.keys(&["Enter"]);
    t.wait_line("size=100/40");
    let ok = t
        .tmux()
        .args(["resize-window", "-t", "t", "-x", "70", "-y", "15"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "tmux resize-window");
    t.text("echo \"size=$COLUMNS/$LINES\"");
    t.keys(&["Enter"]);
    t.wait_line("size=70/15");
    // A value the user sets stays while the size does not change.
    t.text("COLUMNS=5");
    t.keys(&["Enter"]);
    t.text("echo \"cols=$COLUMNS\"");
    t.keys(&["Enter"]);
    t.wait_line("cols=5");
}

#[test]
fn ps0_is_shown_before_a_command_runs_and_autocd_enters_a_directory() {
    if !tmux_available("ps0_is_shown_before_a_command_runs_and_autocd_enters_a_directory") {
        return;
    }
    let mut t = Term::new("ps0");
    t.start(Some(P));
    t.wait_for(P);
    t.text("PS0='[ps0 \\#]\\n'");
    t.keys(&["Enter"]);
    t.text("echo ran");
    t.keys(&["Enter"]);
    // PS0 comes between the line and what the command writes; `\#` is this command's number.
    let screen = t.wait_line("ran");
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    let at = lines.iter().position(|l| *l == "ran").unwrap();
    assert_eq!(lines[at - 1], "[ps0 2]", "{screen}");
    assert_eq!(lines[at - 2], "P> echo ran", "{screen}");
    t.text("PS0=; shopt -s autocd; sub");
    t.keys(&["Enter"]);
    t.wait_line("cd -- sub");
    t.text("pwd");
    t.keys(&["Enter"]);
    t.wait_line(&t.home().join("sub").display().to_string());
    // Not a directory: not found as before.
    t.text("no-such-dir; echo \"st=$?\"");
    t.keys(&["Enter"]);
    t.wait_line("st=127");
}
