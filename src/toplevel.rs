//! The top level: open the audit session, give up the installed shell's privilege, start the
//! session, set up the shell from its invocation, read startup files, then read and run
//! commands until the end, recording each command line.

use crate::sys;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::audit::{self, EndReason, Mode};
use crate::exec::error::{unreported, Cause};
use crate::exec::eval::{self, AliasView, Context};
use crate::exec::{trap, Divert, ErrorKind, ShellError};
use crate::interactive::Handoff;
use crate::invocation::{self, Invocation, Request, Source};
use crate::state::{Frame, Shell};
use crate::syntax::{BytesSource, LineSource, ParseError, Parser, SyntaxStatus};
use crate::sys::fd;

/// Run the shell with this argv; returns only through `finish`.
pub fn main(argv: Vec<Vec<u8>>) -> ! {
    eval::mark_stack_top();
    std::panic::set_hook(Box::new(report_internal_error));
    // A record written past the user's file size limit fails with EFBIG, which the failure
    // policy reports, instead of killing the shell (before `session-start` is written).
    trap::shell_ignores_xfsz();
    trap::shell_waits_for_children();
    let runtime_variables = take_runtime_variables();
    let name = argv.first().cloned().unwrap_or_else(|| b"auditsh".to_vec());
    let inv = match invocation::parse(argv) {
        Ok(Request::Run(inv)) => inv,
        Ok(Request::Version) => {
            fd::write_all(
                1,
                format!("auditsh {}\n", env!("CARGO_PKG_VERSION")).as_bytes(),
            );
            std::process::exit(0);
        }
        Ok(Request::Help) => {
            fd::write_all(1, invocation::HELP.as_bytes());
            std::process::exit(0);
        }
        Err(e) => {
            let mut msg = name;
            msg.extend_from_slice(b": 0: ");
            msg.extend_from_slice(e.0.as_bytes());
            msg.push(b'\n');
            fd::write_all(2, &msg);
            std::process::exit(2);
        }
    };
    run(inv, runtime_variables)
}

/// The hook has reported a panic already (a panic while it writes `session-end` prints no
/// second line).
static PANIC_REPORTED: AtomicBool = AtomicBool::new(false);

/// The panic hook: one line on stderr, never a backtrace, whatever the environment says
/// (`RUST_BACKTRACE` is the user's, and the installed shell takes no input from it); then
/// the process aborts.
///
/// It also writes `session-end` (reason "error"), but only for a panic in the shell's own
/// code outside the audit (`src/`, not `src/audit/`), and only when the audit's state is not
/// in use (`Session::end_after_panic`): no record is half-written and no lock is held then. A
/// panic in the audit itself, or in a library, leaves the session unterminated, which
/// `verify` reports.
fn report_internal_error(info: &std::panic::PanicHookInfo<'_>) {
    if PANIC_REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let payload = info.payload();
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic");
    let at = info.location().map(|l| (l.file(), l.line()));
    fd::write_all(2, &internal_error_line(what, at));
    if at.is_some_and(|(file, _)| file.starts_with("src/") && !file.starts_with("src/audit/")) {
        audit::Session::end_after_panic();
    }
    // Every build ends here the way release builds do (panic = "abort"): nothing unwinds
    // into the C `main`, and the runtime adds no message of its own.
    std::process::abort();
}

/// `auditsh: internal error: WHAT (FILE:LINE)`, on one line.
fn internal_error_line(what: &str, at: Option<(&str, u32)>) -> Vec<u8> {
    let mut line = b"auditsh: internal error: ".to_vec();
    line.extend(
        what.bytes()
            .map(|b| if b.is_ascii_control() { b' ' } else { b }),
    );
    if let Some((file, n)) = at {
        line.extend_from_slice(format!(" ({file}:{n})").as_bytes());
    }
    line.push(b'\n');
    line
}

/// The Rust runtime's own environment inputs, taken out of the process environment before
/// anything else happens, so that a failed allocation prints one line and no backtrace
/// whatever the user set. They are the user's variables all the same: the shell puts them
/// among its variables, exported, once it has them.
fn take_runtime_variables() -> Vec<(&'static str, Vec<u8>)> {
    use std::os::unix::ffi::OsStringExt;
    let mut taken = Vec::new();
    for name in ["RUST_BACKTRACE", "RUST_LIB_BACKTRACE", "RUST_MIN_STACK"] {
        if let Some(value) = std::env::var_os(name) {
            std::env::remove_var(name);
            taken.push((name, value.into_vec()));
        }
    }
    taken
}

fn run(inv: Invocation, runtime_variables: Vec<(&'static str, Vec<u8>)>) -> ! {
    let interactive = inv.force_interactive
        || (inv.source == Source::Stdin && fd::is_terminal(0) && fd::is_terminal(2));
    let mode = match (&inv.source, interactive) {
        (_, true) => Mode::Interactive,
        (Source::Command(_), _) => Mode::Command,
        (Source::Script(_), _) => Mode::Script,
        (Source::Stdin, _) => Mode::Stdin,
    };
    // The audit opens first: the config, the spool file and the syslog socket, the user's
    // record counters and the record key. The spool, the counters and the key are the
    // `auditsh` account's, which the installed (setuid) shell runs as until here to open them.
    let opened = audit::Session::open(audit::StartInfo {
        mode,
        login: inv.login,
        args: &inv.argv,
    });
    // Then it gives that identity up for good: what it opened stays open without it (the key
    // is in memory), and it has not yet looked up who the user is, written a record, or read a
    // file of the user's. `start` takes the proof that this step ran. A shell that cannot drop
    // the identity runs nothing (status 126).
    let unprivileged = audit::privilege::drop_if_installed();
    let session = opened.start(unprivileged);
    let mut sh = Shell::new(inv.dollar0.clone(), session);
    for (name, value) in runtime_variables {
        // The user's variables like any other: exported to the programs the shell starts.
        if sh.vars.set(name.as_bytes(), value).is_ok() {
            sh.vars.set_exported(name.as_bytes(), true);
        }
    }
    sh.audit.end_on_panic();
    sh.positional = inv.positional.clone();
    sh.start_args = inv.positional.clone().into();
    sh.traps.note_ignored_at_entry(interactive);
    sh.options.posix = inv.posix_name;
    crate::state::locale::set_bash(!inv.posix_name);
    sh.options.shopt.set("login_shell", inv.login);
    // bash expands history references at an interactive prompt unless told not to.
    sh.options.histexpand = interactive;
    sh.options.history = interactive;
    for (name, on) in &inv.options {
        sh.options.set_by_name(name, *on);
    }
    for (name, on) in &inv.shopts {
        sh.options.shopt.set(name, *on);
    }
    sh.options.interactive = interactive;
    if let Source::Script(path) = &inv.source {
        sh.script = Some(path.clone());
    }
    if sh.options.bash() {
        bash_variables(&mut sh);
        options_from_environment(&mut sh);
        if let Source::Command(text) = &inv.source {
            // bash keeps the `-c` string where the commands can read it.
            let _ = sh.vars.set(b"BASH_EXECUTION_STRING", text.clone());
        }
    }
    if interactive && !inv.options.contains(&("monitor", false)) {
        sh.options.monitor = true;
    }
    if interactive {
        if sh.options.bash() && sh.get_var(b"HISTFILE").is_none() {
            // As bash sets HISTFILE: the file is the variable's (unset, none is kept).
            if let Some(file) = crate::interactive::default_history_file(&sh) {
                let _ = sh.set_var(b"HISTFILE", file);
            }
        }
        // A prompt that shows where the user is, unless the environment gives one.
        if std::env::var_os("PS1").is_none() {
            let _ = sh.set_var(
                b"PS1",
                crate::interactive::prompt::DEFAULT_INTERACTIVE_PS1.to_vec(),
            );
        }
    }
    if matches!(inv.source, Source::Stdin) {
        sh.options.stdin = true;
    }
    sh.options.command_string = matches!(inv.source, Source::Command(_));
    install_signal_handlers(&mut sh);
    start_job_control(&mut sh);

    // The script is read before anything runs, so the record carries exactly what will run.
    let script = match &inv.source {
        Source::Script(path) => match read_script(&sh, path) {
            Ok((_, text)) if sh.options.bash() && looks_binary(&text) => {
                // bash will not run a program's image as a script.
                let m = [
                    &path[..],
                    b": ",
                    &path[..],
                    b": cannot execute binary file\n",
                ]
                .concat();
                crate::sys::fd::write_all(2, &m);
                finish(&mut sh, 126, EndReason::Error);
            }
            Ok((path, text)) => Some((path, text)),
            Err(e) => {
                // The shell's own name begins the message, not the script's: dash says
                // `sh: 0: cannot open f: No such file` (status 2), bash `bash: f: No such
                // file or directory` (status 127, 126 for a file it may not read).
                let kind = ErrorKind::CannotOpen {
                    create: false,
                    path: path.clone(),
                    cause: Cause::of(&e),
                };
                let err = ShellError::new(kind);
                let name = inv.argv.first().cloned().unwrap_or_default();
                let mut text = name;
                let status = if sh.options.bash() {
                    text.extend_from_slice(b": ");
                    if e.kind() == std::io::ErrorKind::NotFound {
                        127
                    } else {
                        126
                    }
                } else {
                    text.extend_from_slice(b": 0: ");
                    2
                };
                let mut line = Vec::new();
                err.write_lines(&text, &mut line, sh.options.bash());
                crate::sys::fd::write_all(2, &line);
                finish(&mut sh, status, EndReason::Error);
            }
        },
        _ => None,
    };

    read_startup_files(&mut sh, &inv, interactive);

    match &inv.source {
        Source::Command(text) => {
            let text = text.clone();
            let (status, reason) = run_recorded(&mut sh, &text, None);
            finish(&mut sh, status, reason)
        }
        Source::Script(_) => {
            let (path, text) = script.unwrap_or_default();
            let (status, reason) = run_recorded(&mut sh, &text, Some(&path));
            finish(&mut sh, status, reason)
        }
        Source::Stdin => {
            let handoff = Rc::new(RefCell::new(Handoff::default()));
            let source: Box<dyn LineSource> = if interactive {
                let mut terminal = crate::interactive::TerminalSource::new(Rc::clone(&handoff));
                if inv.no_editing {
                    terminal.without_editor();
                }
                Box::new(terminal)
            } else {
                Box::new(crate::interactive::FdSource::new(0))
            };
            let reading = Reading {
                one_text: false,
                record_each: true,
                at_end: EndReason::Eof,
            };
            let handoff = interactive.then_some(handoff);
            let (status, reason) = read_eval_loop(&mut sh, source, handoff, reading);
            finish(&mut sh, status, reason)
        }
    }
}

/// Catch the signals that end a non-interactive shell, so that it can write `session-end`
/// before it goes (it then dies of the same signal, as a caller expects). An interactive shell
/// ignores SIGTERM and SIGQUIT, and SIGINT only abandons the line.
fn install_signal_handlers(sh: &mut Shell) {
    for sig in [
        sys::signal::SIGHUP,
        sys::signal::SIGINT,
        sys::signal::SIGTERM,
    ] {
        if !sh.traps.is_ignored(sig) {
            sh.traps.catch_for_shell(sig);
        }
    }
    if sh.options.interactive {
        sh.traps.ignore_for_shell(sys::signal::SIGQUIT);
        sh.traps.ignore_for_shell(sys::signal::SIGTERM);
    }
}

/// Job control for an interactive shell (`-m`, on by default there): its own process group,
/// the terminal, and the stop signals ignored by the shell itself.
fn start_job_control(sh: &mut Shell) {
    if !sh.options.monitor {
        return;
    }
    sh.jobs.control = crate::exec::jobs::JobControl::start();
    if sh.jobs.control.is_some() {
        for sig in [
            sys::signal::SIGTSTP,
            sys::signal::SIGTTIN,
            sys::signal::SIGTTOU,
        ] {
            sh.traps.ignore_for_shell(sig);
        }
    }
}

/// Read the startup files: the config's system rc (always), then for a login shell
/// /etc/profile and ~/.profile (not with `--noprofile`), then for an interactive shell
/// `--rcfile`'s file, or $ENV or ~/.auditshrc (none with `--norc`).
fn read_startup_files(sh: &mut Shell, inv: &Invocation, interactive: bool) {
    let mut files: Vec<Vec<u8>> = Vec::new();
    if let Some(rc) = sh.audit.system_rc() {
        files.push(rc);
    }
    if inv.login && !inv.no_profile {
        files.push(b"/etc/profile".to_vec());
        if let Some(home) = sh.get_var(b"HOME") {
            let mut p = home.to_vec();
            p.extend_from_slice(b"/.profile");
            files.push(p);
        }
    }
    for file in files {
        if interactive && file == b"/etc/profile" {
            run_system_profile(sh);
        } else {
            run_startup_file(sh, &file);
        }
    }
    if interactive && !inv.no_rc {
        let env_file = match sh.get_var(b"ENV").map(|e| e.to_vec()) {
            _ if inv.rc_file.is_some() => inv.rc_file.clone(),
            Some(env) => crate::expand::expand_word(sh, &crate::syntax::ast::Word::literal(&env))
                .ok()
                .filter(|f| !f.is_empty()),
            None => sh.get_var(b"HOME").map(|h| {
                let mut p = h.to_vec();
                p.extend_from_slice(b"/.auditshrc");
                p
            }),
        };
        if let Some(file) = env_file {
            run_startup_file(sh, &file);
        }
    }
}

/// Run /etc/profile. Debian's (and others derived from it) sets `PS1='$ '` (`'# '` for
/// root) for every shell but bash, which would hide the user@host:dir prompt a bash user
/// expects: that bare prompt is taken back right after the file ran, so ~/.profile and
/// ~/.auditshrc can still set any prompt, that one included.
fn run_system_profile(sh: &mut Shell) {
    let before = sh.get_var(b"PS1").map(|p| p.to_vec());
    run_startup_file(sh, b"/etc/profile");
    let after = sh.get_var(b"PS1").map(|p| p.to_vec());
    let bare = matches!(after.as_deref(), Some(b"$ " | b"# "));
    if let Some(before) = before.filter(|b| bare && Some(b) != after.as_ref()) {
        let _ = sh.set_var(b"PS1", before);
    }
}

/// Run one startup file if it can be read; its programs' records carry the file and line.
fn run_startup_file(sh: &mut Shell, path: &[u8]) {
    let Ok(text) = std::fs::read(crate::state::os(path)) else {
        return;
    };
    let saved_arg0 = sh.arg0.clone();
    let origin = Frame::Origin {
        name: path.to_vec(),
        line: 1,
    };
    // bash names the file in its errors (`bash: ~/.bashrc: line 3: syntax error ...`).
    let label = sh.options.bash().then(|| [path, b": "].concat());
    let result = eval::run_text(
        &mut sh.push_frame(origin),
        &text,
        label.as_deref(),
        Context::default(),
    );
    sh.arg0 = saved_arg0;
    if let Err(Divert::Exit(s)) = result {
        finish(sh, s, EndReason::Exit);
    }
}

/// bash's `SHELLOPTS` and `BASHOPTS` in the environment: the options they name are turned
/// on (`export SHELLOPTS` passes `set -x` on to the shells a script starts), and from then on
/// the two follow the options, exported still.
fn options_from_environment(sh: &mut Shell) {
    use crate::state::{BASHOPTS_BIT, SHELLOPTS_BIT};
    for (name, bit) in [
        (&b"SHELLOPTS"[..], SHELLOPTS_BIT),
        (b"BASHOPTS", BASHOPTS_BIT),
    ] {
        let Some(var) = sh.vars.var_unresolved(name).cloned() else {
            continue;
        };
        for option in var.scalar().unwrap_or_default().split(|&c| c == b':') {
            let Ok(option) = std::str::from_utf8(option) else {
                continue;
            };
            if bit == SHELLOPTS_BIT {
                sh.options.set_by_name(option, true);
            } else {
                sh.options.shopt.set(option, true);
            }
        }
        let _ = sh.vars.unset_unresolved(name);
        if var.exported {
            sh.exported_options |= bit;
        }
    }
}

/// bash's (and dash's) test for a binary file given as a script: a NUL in its first line,
/// within the first 80 bytes; bash's also: an ELF header.
pub(crate) fn looks_binary(text: &[u8]) -> bool {
    if text.starts_with(b"\x7fELF") {
        return true;
    }
    let head = &text[..text.len().min(80)];
    let line = head.split(|&c| c == b'\n').next().unwrap_or_default();
    line.contains(&0)
}

/// Run a whole text (the `-c` string, a script) as one recorded command line.
fn run_recorded(sh: &mut Shell, text: &[u8], script: Option<&[u8]>) -> (i32, EndReason) {
    let cwd = sh.cwd();
    let id = match sh
        .audit
        .command_start(text, &cwd, script.map(|p| (p, text)))
    {
        Ok(id) => id,
        Err(denied) => {
            sh.report(&ShellError::new(ErrorKind::Denied(denied.message)));
            return (126, EndReason::Exit);
        }
    };
    sh.line.id = Some(id);
    sh.line.text = text.to_vec();
    let reading = Reading {
        one_text: script.is_none(),
        record_each: false,
        at_end: EndReason::Exit,
    };
    let source = Box::new(BytesSource::new(text));
    let (status, reason) = read_eval_loop(sh, source, None, reading);
    let signal = killed_by(sh, status);
    sh.audit.command_end(id, status, signal);
    (status, reason)
}

/// What the loop does after one command.
enum Next {
    Continue(i32),
    Stop(i32, EndReason),
}

/// Handle the result of a command: a diversion may end the shell.
fn after_command(
    sh: &mut Shell,
    result: Result<i32, Divert>,
    interactive: bool,
    one_text: bool,
) -> Next {
    match result {
        Err(Divert::Unwind(s)) if one_text && !interactive => Next::Stop(s, EndReason::Error),
        Ok(s) => Next::Continue(s),
        Err(Divert::Exit(s)) => Next::Stop(s, EndReason::Exit),
        Err(Divert::Return(s)) if !interactive => Next::Stop(s, EndReason::Exit),
        Err(Divert::Abort(s)) if !interactive => Next::Stop(s, EndReason::Error),
        Err(Divert::Abort(s))
        | Err(Divert::Return(s))
        | Err(Divert::Discard(s))
        | Err(Divert::Unwind(s)) => Next::Continue(s),
        Err(Divert::Error(e)) => {
            let abort = Err(Divert::Abort(unreported(&e)));
            after_command(sh, abort, interactive, one_text)
        }
        Err(Divert::Break(_)) | Err(Divert::Continue(_)) => Next::Continue(sh.last_status()),
    }
}

/// How the read-eval loop records what it runs.
struct Reading {
    /// The text is a `-c` string, abandoned whole where bash unwinds to the top level.
    one_text: bool,
    /// Each complete command is a command line of its own, with its own records (standard
    /// input, a terminal); otherwise the caller recorded the whole text (`-c`, a script).
    record_each: bool,
    /// Why the session ends when the input does.
    at_end: EndReason,
}

/// Read commands one at a time and run them. `handoff` is the interactive front end's state
/// (None when the shell is not interactive).
fn read_eval_loop(
    sh: &mut Shell,
    source: Box<dyn LineSource + '_>,
    handoff: Option<Rc<RefCell<Handoff>>>,
    reading: Reading,
) -> (i32, EndReason) {
    let interactive = handoff.is_some();
    let mut parser = Parser::new(source, 1);
    if interactive {
        parser.stop_at_blank_lines();
    }
    if reading.one_text {
        parser.set_string_input();
    }
    let mut status = 0;
    let mut warned_stopped = false;
    loop {
        if let Some(handoff) = &handoff {
            notify_finished_jobs(sh);
            if let Some(status) = crate::interactive::prompt::run_prompt_command(sh) {
                return (status, EndReason::Exit);
            }
            crate::interactive::before_prompt(sh, handoff);
        }
        // Reading may block: the records' syslog copies go first.
        sh.audit.flush();
        parser.set_bash(sh.options.bash());
        parser.set_utf8(sh.options.bash() && sh.utf8_locale());
        parser.set_extglob(sh.options.shopt.on(crate::state::shopt::EXTGLOB));
        parser.set_words_as_written(eval::words_as_written(sh));
        if !interactive {
            parser.set_stop_at_blank_lines(sh.options.history && sh.options.bash());
        }
        let parsed = match &handoff {
            // The completer may run shell functions while the line is read: the shell is
            // lent to it, and the parser reads a copy of the aliases.
            Some(handoff) => {
                let aliases = sh.aliases.clone();
                let on = !sh.aliases_off;
                let access = handoff.borrow().shell.clone();
                access.lend(sh, || parser.next_command(&AliasView(&aliases, on)))
            }
            None => parser.next_command(&AliasView::of(sh)),
        };
        crate::exec::eval::tell_parse_warnings(sh, &mut parser);
        sh.parser_line = parser.line();
        match parsed {
            Ok(Some(cmd)) if cmd.list.items.is_empty() => {
                // A blank line at the prompt: nothing ran, nothing to record. A comment is
                // kept in the history.
                if handoff.is_some() || (sh.options.history && !reading.one_text) {
                    crate::interactive::comment_read(sh, handoff.as_deref(), &cmd.text);
                }
            }
            Ok(Some(cmd)) => {
                echo_verbose(sh, &cmd.text);
                if sh.options.noexec && !interactive {
                    continue;
                }
                if let Some(handoff) = &handoff {
                    crate::interactive::entered(sh, handoff, &cmd.text);
                } else if sh.options.history && sh.options.bash() && !reading.one_text {
                    // A script's lines go into the history as they are read; a `-c` string
                    // does not (bash).
                    sh.history.set_current_is_last(false);
                    let size =
                        crate::interactive::history::History::size_from(sh.get_var(b"HISTSIZE"));
                    if size != sh.history.size() {
                        sh.history.set_size(size);
                    }
                    crate::interactive::read_into_history(sh, &cmd.text);
                }
                let id = if reading.record_each {
                    let cwd = sh.cwd();
                    match sh.audit.command_start(&cmd.text, &cwd, None) {
                        Ok(id) => Some(id),
                        // Refusing commands must never trap the user in the shell: `exit`
                        // always works (its denial is recorded where a sink still works).
                        Err(_) if is_plain_exit(&cmd.list) => None,
                        Err(denied) => {
                            sh.report(&ShellError::new(ErrorKind::Denied(denied.message)));
                            status = 126;
                            sh.set_last_status(status);
                            continue;
                        }
                    }
                } else {
                    None
                };
                if id.is_some() {
                    sh.line.id = id;
                    sh.line.text = cmd.text.clone();
                }
                sh.line.killed_by = None;
                sh.unwind_pending.set(false);
                let result = eval::run_list(sh, &cmd.list, Context::default());
                if handoff.is_none() && !sh.options.command_string {
                    // `\#` of a script's or standard input's next command.
                    sh.history.count_entered();
                }
                let interrupted =
                    matches!(result, Err(Divert::Abort(s)) if s == 128 + sys::signal::SIGINT);
                // bash -i on a script: an error abandons the command, as at a prompt (dash
                // ends the shell).
                let forgiving = interactive || (sh.options.interactive && sh.options.bash());
                let mut next = after_command(sh, result, forgiving, reading.one_text);
                if let Next::Stop(s, EndReason::Exit) = next {
                    if interactive && sh.jobs.has_stopped() && !warned_stopped {
                        // Leaving would hang up stopped jobs: say so once; an exit right
                        // after goes.
                        let warning: &[u8] = if sh.options.bash() {
                            b"There are stopped jobs.\n"
                        } else {
                            b"You have stopped jobs.\n"
                        };
                        fd::write_all(2, warning);
                        warned_stopped = true;
                        next = Next::Continue(s);
                    }
                } else {
                    // Another command in between: the next exit warns again.
                    warned_stopped = false;
                }
                let s = match next {
                    Next::Continue(s) | Next::Stop(s, _) => s,
                };
                if let Some(handoff) = &handoff {
                    if interrupted || killed_by(sh, s) == Some(sys::signal::SIGINT) {
                        crate::interactive::interrupted(handoff);
                    }
                }
                // A job stopped in this line carries its command record: the end is written
                // when the job finishes, with its final status.
                if let Some(id) = id {
                    if !sh.jobs.jobs.iter().any(|j| j.command == Some(id)) {
                        let signal = killed_by(sh, s);
                        sh.audit.command_end(id, s, signal);
                    }
                    sh.line.id = None;
                }
                match next {
                    Next::Continue(s) => {
                        status = s;
                        sh.set_last_status(s);
                    }
                    Next::Stop(s, reason) => return (s, reason),
                }
                // bash's `-t` (`set -o onecmd`): one command read from the input, then exit.
                if sh.options.onecmd && reading.record_each {
                    return (status, EndReason::Exit);
                }
                if let Some((s, reason)) = check_fatal_signals(sh) {
                    return (s, reason);
                }
            }
            Ok(None) => {
                if interactive && terminal_hung_up(sh) {
                    // The terminal went away: that is why the input ended.
                    return (128 + sys::signal::SIGHUP, EndReason::Hangup);
                }
                if interactive {
                    fd::write_all(2, b"\n");
                }
                return (status, reading.at_end);
            }
            Err(ParseError::Io(e)) if crate::interactive::history_stop(&e).is_some() => {
                // History expansion failed (its message is out) or was only to be shown: the
                // command is abandoned and `$?` stays as it was.
                parser.recover();
                let keep = crate::interactive::history_stop(&e).is_some_and(|s| s.keep);
                if let Some(handoff) = &handoff {
                    crate::interactive::abandoned(sh, handoff, keep);
                }
            }
            Err(ParseError::Io(e))
                if interactive && e.kind() == std::io::ErrorKind::Interrupted =>
            {
                // Ctrl-C while typing: the command is abandoned, the shell prompts again.
                parser.recover();
                if let Some(handoff) = &handoff {
                    crate::interactive::abandoned(sh, handoff, false);
                }
                status = 130;
                sh.set_last_status(status);
            }
            Err(ParseError::Io(_)) if interactive && terminal_hung_up(sh) => {
                return (128 + sys::signal::SIGHUP, EndReason::Hangup);
            }
            Err(ParseError::Io(e))
                if sh.options.bash() && e.raw_os_error() == Some(libc::EBADF) =>
            {
                // The commands closed the shell's own input (`exec 0<&-`): as in bash, that
                // is its end.
                return (status, reading.at_end);
            }
            Err(e) => {
                // A syntax error abandons the command at a terminal; any other ends the shell.
                let syntax_status = match &e {
                    ParseError::Syntax(s) if sh.options.bash() => s.status,
                    _ => SyntaxStatus::Two,
                };
                let (err, line) = ShellError::parse(e, b"");
                if let Some(line) = line {
                    sh.lineno = line;
                }
                sh.report(&err);
                // bash drops the rest of the line of an array's bad element and reads on.
                let goes_on = interactive || syntax_status == SyntaxStatus::One;
                if !goes_on || line.is_none() {
                    let status = syntax_status.of(sh.last_status());
                    return (status, EndReason::Error);
                }
                parser.recover();
                if let Some(handoff) = &handoff {
                    crate::interactive::abandoned(sh, handoff, true);
                }
                status = match syntax_status {
                    SyntaxStatus::One => 1,
                    _ => 2,
                };
                sh.set_last_status(status);
            }
        }
    }
}

/// The signal a command line's status stands for, when its last program was killed by it
/// (`auditsh.signal` in the end record).
fn killed_by(sh: &Shell, status: i32) -> Option<i32> {
    sh.line.killed_by.filter(|&sig| status == 128 + sig)
}

/// `set -v`: the shell writes its input to standard error as it reads it.
pub(crate) fn echo_verbose(sh: &Shell, text: &[u8]) {
    if sh.options.verbose {
        let mut echo = text.to_vec();
        echo.push(b'\n');
        fd::write_all(2, &echo);
    }
}

/// The input of an interactive shell ended or failed: was it because the terminal hung up?
/// The SIGHUP may not have arrived yet when the read fails, so the terminal is asked too (a
/// hung-up terminal answers EIO).
fn terminal_hung_up(sh: &Shell) -> bool {
    if trap::take_pending(sys::signal::SIGHUP) {
        return true;
    }
    let fd = sh.jobs.control.map_or(0, |c| c.tty);
    crate::sys::fd::terminal_modes(fd).err() == Some(sys::errno::EIO)
}

/// A command line that is only `exit [n]` (no expansion, no redirection).
fn is_plain_exit(list: &crate::syntax::ast::List) -> bool {
    use crate::syntax::ast::Command;
    match list.items.as_slice() {
        [item] if !item.is_async && item.and_or.rest.is_empty() => {
            match item.and_or.first.commands.as_slice() {
                [Command::Simple(sc)] if sc.assigns.is_empty() && sc.redirects.is_empty() => {
                    sc.words.first().and_then(|w| w.as_plain_literal()) == Some(b"exit")
                        && sc.words.iter().all(|w| w.as_plain_literal().is_some())
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Before a prompt: report the jobs that finished since the last one, and write the end
/// records of command lines that waited for them.
fn notify_finished_jobs(sh: &mut Shell) {
    for (job, mark) in sh.jobs.take_finished(&mut sh.audit) {
        fd::write_all(2, &crate::exec::jobs::notice(sh.options.bash(), &job, mark));
        crate::exec::jobs::record_end(&mut sh.audit, &job);
    }
}

/// The shell is leaving: jobs still stopped (or all jobs, on a hangup) get SIGHUP, and the
/// command lines that waited for them get their end records. On `exit`, jobs running in the
/// background are left running, as bash leaves them.
fn hang_up_jobs(sh: &mut Shell, all: bool) {
    if sh.jobs.jobs.is_empty() || sh.in_subshell {
        return;
    }
    let hangs_up = |job: &crate::exec::jobs::Job| all || job.is_stopped();
    sh.jobs.hang_up(hangs_up);
    for job in std::mem::take(&mut sh.jobs.jobs) {
        if !hangs_up(&job) {
            continue;
        }
        if let Some(id) = job.command {
            sh.audit
                .command_end(id, 128 + sys::signal::SIGHUP, Some(sys::signal::SIGHUP));
        }
    }
}

/// A signal that ends the shell (HUP, INT, TERM with no trap) arrived: the status and reason.
fn check_fatal_signals(sh: &mut Shell) -> Option<(i32, EndReason)> {
    if sh.options.interactive {
        if trap::take_pending(sys::signal::SIGHUP) {
            return Some((128 + sys::signal::SIGHUP, EndReason::Hangup));
        }
        trap::take_pending(sys::signal::SIGINT);
        return None;
    }
    for sig in [
        sys::signal::SIGHUP,
        sys::signal::SIGINT,
        sys::signal::SIGTERM,
    ] {
        if sh.traps.get(sig).is_none() && trap::take_pending(sig) {
            let reason = if sig == sys::signal::SIGHUP {
                EndReason::Hangup
            } else {
                EndReason::Error
            };
            eval::die_of_signal(sh, sig, reason);
        }
    }
    None
}

/// Leave the shell: the EXIT trap, then `session-end`, then exit.
pub fn finish(sh: &mut Shell, status: i32, reason: EndReason) -> ! {
    let status = eval::run_exit_trap(sh, status);
    if !sh.in_subshell {
        crate::interactive::save_history_at_exit(sh);
    }
    hang_up_jobs(sh, reason == EndReason::Hangup);
    if let Some(control) = &sh.jobs.control {
        control.end();
    }
    if !sh.in_subshell {
        sh.audit.end(Some(status), reason);
    }
    if reason == EndReason::Hangup && status == 128 + sys::signal::SIGHUP {
        // As bash and dash: a hung-up shell dies of the hangup, which its parent sees.
        sh.audit.flush();
        trap::default(sys::signal::SIGHUP);
        sys::process::die_of(sys::signal::SIGHUP);
    }
    std::process::exit(status & 0xff)
}

/// The script operand's text and the path it was read from: bash looks for a name without a
/// slash in PATH when the current directory has no such file.
fn read_script(sh: &Shell, path: &[u8]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let err = match std::fs::read(crate::state::os(path)) {
        Ok(text) => return Ok((path.to_vec(), text)),
        Err(e) => e,
    };
    if !sh.options.bash() || path.contains(&b'/') || err.kind() != std::io::ErrorKind::NotFound {
        return Err(err);
    }
    let search = sh.get_var(b"PATH").map(<[u8]>::to_vec).unwrap_or_default();
    let found = crate::exec::spawn::path_candidates(&search, path)
        .filter(|p| std::fs::metadata(crate::state::os(p)).is_ok_and(|m| m.is_file()))
        .find_map(|p| {
            std::fs::read(crate::state::os(&p))
                .ok()
                .map(|text| (p, text))
        });
    found.ok_or(err)
}

/// The variables bash sets at start-up that scripts read: who the user is (`UID`, `EUID`),
/// the machine (`HOSTNAME`, `OSTYPE`, `HOSTTYPE`, `MACHTYPE`), the nesting (`SHLVL`, one
/// more than inherited, exported), where completion splits words (`COMP_WORDBREAKS`), and
/// `TERM` when there is none. `BASH_VERSION` is deliberately not set: scripts test it to
/// decide they run under bash itself, which this shell is not.
pub(crate) fn bash_variables(sh: &mut Shell) {
    let uid = crate::sys::process::uid();
    // SAFETY: geteuid has no failure mode.
    let euid = unsafe { libc::geteuid() };
    let host = crate::sys::process::hostname().unwrap_or_default();
    let arch = std::env::consts::ARCH.as_bytes();
    let machtype = [arch, b"-pc-linux-gnu"].concat();
    let shlvl = sh
        .vars
        .get(b"SHLVL")
        .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .saturating_add(1)
        .max(0);
    for (name, value, readonly) in [
        (&b"UID"[..], uid.to_string().into_bytes(), true),
        (b"EUID", euid.to_string().into_bytes(), true),
        (b"HOSTNAME", host, false),
        (b"OSTYPE", b"linux-gnu".to_vec(), false),
        (b"HOSTTYPE", arch.to_vec(), false),
        (b"MACHTYPE", machtype, false),
        (b"OPTERR", b"1".to_vec(), false),
        // bash gives a shell without a terminal type the dumb one (not exported).
        (b"TERM", b"dumb".to_vec(), false),
        (
            b"COMP_WORDBREAKS",
            crate::interactive::complete::programmable::WORD_BREAKS.to_vec(),
            false,
        ),
    ] {
        if sh.vars.var(name).is_none() || readonly {
            let _ = sh.vars.set(name, value);
        }
        if readonly {
            sh.vars.set_readonly(name);
        }
    }
    // bash gives these the integer attribute (`declare -p` shows it), and PPID is read-only.
    for name in [&b"UID"[..], b"EUID", b"PPID", b"OPTIND"] {
        sh.vars.set_attrs(name, crate::state::vars::INTEGER, 0);
    }
    sh.vars.set_readonly(b"PPID");
    // A shell that is not interactive has no prompts, even from the environment (`[ -z
    // "$PS1" ] && return`, the usual test of a bashrc, relies on it).
    if !sh.options.interactive {
        for prompt in [&b"PS1"[..], b"PS2"] {
            let _ = sh.vars.unset(prompt);
        }
    } else {
        // An interactive shell edits in emacs mode until told otherwise, and names its
        // history file (bash), before the startup files may change either.
        if !sh.options.vi {
            sh.options.emacs = true;
        }
        if sh.vars.var(b"HISTFILE").is_none() {
            if let Some(file) = crate::interactive::history_file(sh) {
                let _ = sh.vars.set(b"HISTFILE", file);
            }
        }
    }
    // `$_` is the shell's own (the last argument of the last command), not inherited; it
    // starts as `$0`.
    let _ = sh.vars.unset(b"_");
    sh.last_arg = sh.arg0.clone();
    // An unset SHELL is the user's login shell, as bash sets it (not exported).
    if sh.vars.var(b"SHELL").is_none() {
        if let Some(shell) = crate::accounts::shell_of(uid) {
            let _ = sh.vars.set(b"SHELL", shell);
        }
    }
    let _ = sh.vars.set(b"SHLVL", shlvl.to_string().into_bytes());
    sh.vars.set_exported(b"SHLVL", true);
    // bash exports the PWD it set, so programs started in it see where they are.
    if sh.vars.get(b"PWD").is_some() {
        sh.vars.set_exported(b"PWD", true);
    }
    // OLDPWD is kept only when it names a directory; otherwise it is exported with no value,
    // so that `~-` and `cd -` do not go to a place another program left behind.
    let oldpwd_is_dir = sh.vars.get(b"OLDPWD").is_some_and(|d| {
        std::fs::metadata(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(d))
            .is_ok_and(|m| m.is_dir())
    });
    if !oldpwd_is_dir {
        let _ = sh.vars.unset(b"OLDPWD");
        sh.vars.set_exported(b"OLDPWD", true);
    }
}

#[cfg(test)]
mod tests {
    use super::internal_error_line;

    #[test]
    fn an_internal_error_is_one_line() {
        assert_eq!(
            internal_error_line("index out of\nbounds\x1b[2J", Some(("src/x.rs", 7))),
            b"auditsh: internal error: index out of bounds [2J (src/x.rs:7)\n"
        );
        assert_eq!(
            internal_error_line("boom", None),
            b"auditsh: internal error: boom\n"
        );
    }
}
