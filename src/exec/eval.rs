//! Walking the tree (XCU 2.9): text parsed and run, lists and and-or lists, each command
//! handed to its module (compound, simple, pipeline), with exit statuses and `set -e` as dash
//! applies them; the stack guard that refuses runaway recursion; how a process leaves.

use crate::sys;

use super::pipeline::{run_async, run_pipeline, run_subshell};
use super::redirect;
use super::{compound, settle, simple, trap, Divert, ExecResult, ShellError};
use crate::state::{Frame, Shell};
use crate::syntax::ast::{AndOr, AndOrOp, Command, CompoundCommand, List};

/// How a node is evaluated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The status is tested (a condition, the left of `&&`/`||`, under `!`): `set -e` does
    /// not apply.
    pub tested: bool,
    /// Tested only because it is under `!`: in bash, a `set -e` run inside turns `set -e`
    /// back on for the rest of it ([`Shell::errexit_renewed`]).
    pub negated: bool,
    /// Nothing runs in this process after this node: a program may replace the process
    /// instead of being waited for (a forked child's last command).
    pub exit_after: bool,
}

impl Context {
    pub fn tested(self) -> Context {
        Context {
            tested: true,
            negated: false,
            exit_after: false,
        }
    }

    /// Under `!`: tested, unless something else tests it already.
    pub fn negated(self) -> Context {
        Context {
            tested: true,
            negated: self.negated || !self.tested,
            exit_after: false,
        }
    }

    /// Tested, and still the process's last command.
    pub fn tested_keeping_exit(self) -> Context {
        Context {
            tested: true,
            negated: false,
            ..self
        }
    }

    pub fn not_last(self) -> Context {
        Context {
            exit_after: false,
            ..self
        }
    }
}

/// Function calls, `eval`s and `.`s inside each other the shell allows (bash has no limit but
/// its stack; dash stops at 1,000 function calls).
pub(crate) const MAX_NESTING: u32 = 10_000;

/// Stack the evaluator keeps free below the deepest check (bytes above the end of the stack).
const STACK_RESERVE: usize = 256 * 1024;

/// The size of each further stack deep recursion runs on once the first is used up. Its pages
/// are only taken as they are touched.
const STACK_SEGMENT: usize = 8 << 20;

/// At most this many further stacks (256 MiB): recursion deeper than the shell's own limits
/// allow would need more.
const MAX_SEGMENTS: u32 = 32;

thread_local! {
    /// The lowest stack address the evaluator may reach on the stack it runs on (0: no limit
    /// known).
    static STACK_FLOOR: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static STACK_TOP: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Further stacks in use (see [`with_stack`]).
    static SEGMENTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Remember where the stack starts, so deep recursion can be refused before it overflows.
pub fn mark_stack_top() {
    let here = 0u8;
    STACK_TOP.with(|t| t.set(&here as *const u8 as usize));
    refresh_stack_limit();
}

/// Recompute the lowest usable stack address from RLIMIT_STACK (at start, and after `ulimit
/// -s` changes it): checking depth is then one comparison, with no system call.
pub fn refresh_stack_limit() {
    let top = STACK_TOP.with(|t| t.get());
    if top == 0 || SEGMENTS.with(|s| s.get()) > 0 {
        return;
    }
    #[allow(clippy::unnecessary_cast)] // c_uint with glibc, c_int with musl
    let limit = crate::sys::process::limit(sys::process::resource::STACK);
    let size = if limit.rlim_cur == sys::process::RLIM_INFINITY || limit.rlim_cur > (1 << 30) {
        1 << 30
    } else {
        limit.rlim_cur as usize
    };
    let floor = top.saturating_sub(size.saturating_sub(STACK_RESERVE));
    STACK_FLOOR.with(|f| f.set(floor));
}

/// Bytes of stack left above the floor (usize::MAX where no limit is known).
fn stack_left() -> usize {
    let here = 0u8;
    let here = &here as *const u8 as usize;
    match STACK_FLOOR.with(|f| f.get()) {
        0 => usize::MAX,
        floor => here.saturating_sub(floor),
    }
}

/// True when the evaluator is close to the end of its stack.
pub(super) fn stack_exhausted() -> bool {
    stack_left() == 0
}

/// Run `f` with at least `needed` bytes of stack: on a further stack when the one in use has
/// less left, so deep recursion is bounded by the shell's own limits (10,000 function calls),
/// not by RLIMIT_STACK. Only when all further stacks are in use does it refuse, with
/// `nesting too deep`.
pub(super) fn with_stack<R>(needed: usize, f: impl FnOnce() -> R) -> Result<R, ShellError> {
    if stack_left() >= needed {
        return Ok(f());
    }
    let segments = SEGMENTS.with(|s| s.get());
    let floor = STACK_FLOOR.with(|fl| fl.get());
    if segments >= MAX_SEGMENTS || floor == 0 {
        return Err(ShellError::too_deep());
    }
    SEGMENTS.with(|s| s.set(segments + 1));
    let result = stacker::grow(STACK_SEGMENT, || {
        let top = 0u8;
        let top = &top as *const u8 as usize;
        STACK_FLOOR.with(|fl| fl.set(top - (STACK_SEGMENT - STACK_RESERVE)));
        f()
    });
    STACK_FLOOR.with(|fl| fl.set(floor));
    SEGMENTS.with(|s| s.set(segments));
    Ok(result)
}

/// True when deep recursion should stop: the stack is close to its end, or (where the stack's
/// start was not marked, as in a test thread) past a fixed, safe depth.
pub(crate) fn too_deep(depth: u32, safe_depth: u32) -> bool {
    depth >= safe_depth && (STACK_FLOOR.with(|f| f.get()) == 0 || stack_exhausted())
}

/// Run pending traps (between commands). `$?` is preserved across the trap's commands.
pub fn run_pending_traps(sh: &mut Shell) -> Result<(), Divert> {
    if !trap::any_pending() {
        return Ok(());
    }
    for sig in trap::take_all_pending() {
        let fatal = [
            sys::signal::SIGHUP,
            sys::signal::SIGINT,
            sys::signal::SIGTERM,
        ]
        .contains(&sig);
        if fatal && sh.traps.get(sig).is_none() && !sh.options.interactive {
            let reason = if sig == sys::signal::SIGHUP {
                crate::audit::EndReason::Hangup
            } else {
                crate::audit::EndReason::Error
            };
            die_of_signal(sh, sig, reason);
        }
        if sig == sys::signal::SIGHUP && sh.traps.get(sig).is_none() {
            // An interactive shell hung up: its jobs hung up too, the session ended.
            crate::toplevel::finish(sh, 128 + sig, crate::audit::EndReason::Hangup);
        }
        if sig == sys::signal::SIGINT && sh.traps.get(sig).is_none() && sh.options.interactive {
            // Ctrl-C in an interactive shell abandons the command line being run (a loop of
            // built-ins included) and goes back to the prompt.
            crate::sys::fd::write_all(2, b"\n");
            return Err(Divert::Abort(128 + sys::signal::SIGINT));
        }
        let Some(trap::Action::Command(cmd)) = sh.traps.get(sig).cloned() else {
            continue;
        };
        // bash runs the trap on SIGCHLD once for each child that ended (the signals of
        // several may have come as one), and not for the children of its own commands;
        // dash once for each signal.
        let chld = sig == sys::signal::SIGCHLD && sh.options.bash();
        if chld && sh.in_chld_trap {
            continue;
        }
        let times = if chld {
            sh.jobs.reap_nonblocking(&mut sh.audit);
            sys::process::take_ended()
        } else {
            1
        };
        let was_in_chld_trap = std::mem::replace(&mut sh.in_chld_trap, chld);
        let counting = chld && sys::process::count_waited_children(false);
        for _ in 0..times {
            let mut in_trap = sh.push_frame(Frame::KeepStatus);
            // bash's `exit` in a signal's trap uses `$?` as it stands.
            let before = (!in_trap.options.bash()).then(|| in_trap.last_status());
            let outer = std::mem::replace(&mut in_trap.status_before_trap, before);
            let returning = (in_trap.last_status(), in_trap.calls.len());
            let outer_return = in_trap.return_in_trap.replace(returning);
            let was_in_trap = std::mem::replace(&mut in_trap.in_trap, true);
            let line = trap_first_line(&mut in_trap);
            let pipestatus = in_trap.pipestatus.clone();
            let result = run_text(&mut in_trap, &cmd, None, Context::default());
            in_trap.pipestatus = pipestatus;
            in_trap.lineno = line;
            in_trap.in_trap = was_in_trap;
            in_trap.status_before_trap = outer;
            in_trap.return_in_trap = outer_return;
            // `exit`, or a shell error that ends a non-interactive shell, ends it from here;
            // `return` returns from the function the trap came in (bash and dash).
            let leaves = match result {
                Err(Divert::Exit(_) | Divert::Abort(_)) => true,
                Err(Divert::Return(_)) => in_trap.in_function(),
                // bash: `trap break USR1` leaves the loop the signal came in.
                Err(Divert::Break(_) | Divert::Continue(_)) => {
                    in_trap.options.bash() && in_trap.loop_depth() > 0
                }
                _ => false,
            };
            if leaves {
                in_trap.in_chld_trap = was_in_chld_trap;
                if counting {
                    sys::process::count_waited_children(true);
                }
                return result.map(|_| ());
            }
        }
        sh.in_chld_trap = was_in_chld_trap;
        if counting {
            sys::process::count_waited_children(true);
        }
    }
    Ok(())
}

/// Run the trap of one of bash's conditions (ERR, DEBUG, RETURN), if one is set, `$?` kept;
/// not from inside another.
pub fn run_condition_trap(sh: &mut Shell, condition: i32) -> Result<i32, Divert> {
    let debug = condition == trap::DEBUG;
    let err = condition == trap::ERR;
    // bash: the DEBUG trap runs for the commands of the others, and the ERR trap for those
    // of the DEBUG trap; none runs inside itself.
    let nests = (debug && !sh.in_debug_trap) || (err && !sh.in_err_trap);
    if sh.in_condition_trap && !(sh.options.bash() && nests) {
        return Ok(0);
    }
    let Some(cmd) = sh.traps.command(condition).map(<[u8]>::to_vec) else {
        return Ok(0);
    };
    let outer = (sh.in_condition_trap, sh.in_debug_trap, sh.in_err_trap);
    sh.in_condition_trap = true;
    sh.in_debug_trap |= debug;
    sh.in_err_trap |= err;
    sh.trace_level += 1;
    let status_before = sh.last_status();
    // The trap's pipelines leave PIPESTATUS as it was (bash).
    let pipestatus = sh.pipestatus.clone();
    let result = run_text(
        &mut sh.push_frame(Frame::KeepStatus),
        &cmd,
        None,
        Context::default(),
    );
    sh.pipestatus = pipestatus;
    (sh.in_condition_trap, sh.in_debug_trap, sh.in_err_trap) = outer;
    sh.trace_level -= 1;
    // bash: `return` in an ERR or RETURN trap returns from the function it came in, `break`
    // and `continue` in an ERR trap go on with the loop around it (`trap 'return 1' ERR`).
    let leaves = match &result {
        Err(Divert::Return(_)) => sh.options.bash() && condition != trap::DEBUG && sh.in_function(),
        Err(Divert::Break(_) | Divert::Continue(_)) => {
            sh.options.bash() && condition == trap::ERR && sh.loop_depth() > 0
        }
        _ => false,
    };
    match result {
        Err(d) if leaves => {
            match d {
                Divert::Return(_) => sh.returned_from_err_trap = condition == trap::ERR,
                // The loop's status is the failed command's, as the trap found it.
                _ => sh.break_status = status_before,
            }
            Err(d)
        }
        Err(Divert::Exit(s)) => Err(Divert::Exit(s)),
        Ok(s) | Err(Divert::Return(s) | Divert::Abort(s)) => Ok(s),
        _ => Ok(0),
    }
}

pub fn run_list(sh: &mut Shell, list: &List, cx: Context) -> ExecResult {
    let mut status = 0;
    let n = list.items.len();
    for (i, item) in list.items.iter().enumerate() {
        let last = i + 1 == n;
        let item_cx = if last { cx } else { cx.not_last() };
        status = if item.is_async {
            let result = run_async(sh, &item.and_or);
            let status = settle(sh, result)?;
            sh.set_last_status(status);
            status
        } else {
            run_and_or(sh, &item.and_or, item_cx)?
        };
        run_pending_traps(sh)?;
        if sh.options.noexec && !sh.options.interactive {
            // `set -n`: nothing more runs, even on the same line.
            break;
        }
    }
    Ok(status)
}

#[inline]
pub(super) fn run_and_or(sh: &mut Shell, ao: &AndOr, cx: Context) -> ExecResult {
    if ao.rest.is_empty() {
        return run_pipeline(sh, &ao.first, cx);
    }
    let mut status = run_pipeline(sh, &ao.first, cx.tested())?;
    let n = ao.rest.len();
    for (i, (op, pipeline)) in ao.rest.iter().enumerate() {
        let run = match op {
            AndOrOp::And => status == 0,
            AndOrOp::Or => status != 0,
        };
        if run {
            let f = if i + 1 == n { cx } else { cx.tested() };
            status = run_pipeline(sh, pipeline, f)?;
        }
    }
    Ok(status)
}

/// A command has finished with `status`: it is `$?` from now on, and under `set -e` a failure
/// whose status is not tested ends the shell. Every command's status passes here (a list's
/// and a pipeline's are those of their last command).
pub(super) fn command_finished(sh: &mut Shell, status: i32, cx: Context) -> ExecResult {
    // The ERR trap sees `PIPESTATUS` of this command (bash).
    sh.pipestatus.clear();
    sh.pipestatus.push(status);
    pipeline_finished(sh, status, cx)
}

/// As [`command_finished`], for a pipeline of several commands: `PIPESTATUS` is theirs.
pub(super) fn pipeline_finished(sh: &mut Shell, status: i32, cx: Context) -> ExecResult {
    sh.set_last_status(status);
    let checked = !sh.status_unchecked || sh.in_function();
    // The call of a function that returned from its ERR trap does not run the trap again,
    // but in a function under `set -E` (bash).
    let returned = std::mem::take(&mut sh.returned_from_err_trap)
        && (!sh.options.traces_errors() || !sh.in_function());
    if status != 0 && !cx.tested && checked && !returned && err_trap_reaches(sh) {
        run_condition_trap(sh, trap::ERR)?;
        sh.set_last_status(status);
    }
    if status != 0 && sh.options.errexit && (!cx.tested || (cx.negated && sh.errexit_renewed)) {
        return Err(Divert::Exit(status));
    }
    Ok(status)
}

/// The ERR trap runs here: outside functions, in every function under `set -E`, and in a
/// function that set it itself (bash does not pass it down to the functions it calls).
fn err_trap_reaches(sh: &Shell) -> bool {
    match sh.calls.iter().rev().find(|c| c.function) {
        None => true,
        Some(call) => sh.options.traces_errors() || call.err_trap_sets != sh.err_trap_sets,
    }
}

/// Run one command. An error it raised outside its redirections (an expansion of its words,
/// an assignment, a fork) comes back unreported: the caller reports it ([`settle`]).
pub fn run_command(sh: &mut Shell, cmd: &Command, cx: Context) -> ExecResult {
    with_stack(COMMAND_STACK, || run_command_on_stack(sh, cmd, cx))
        .unwrap_or_else(|error| error.raise())
}

/// Stack a command is given before it starts: enough for the deepest walk of the tree that
/// reaches no further [`run_command`].
const COMMAND_STACK: usize = 256 * 1024;

/// Stack the parser of `eval` and `.` text is given: its own budget, and a command's.
const TEXT_STACK: usize = crate::syntax::lexer::STACK_BUDGET + COMMAND_STACK;

fn run_command_on_stack(sh: &mut Shell, cmd: &Command, cx: Context) -> ExecResult {
    let mark = sh.process_substs.len();
    sh.words_tested = cx.tested;
    let result = run_command_inner(sh, cmd, cx);
    if sh.process_substs.len() > mark || !sh.process_subst_children.is_empty() {
        super::substitution::close_process_substitutions(sh, mark);
    }
    result
}

fn run_command_inner(sh: &mut Shell, cmd: &Command, cx: Context) -> ExecResult {
    match cmd {
        Command::Simple(sc) => simple::run_simple(sh, sc, cx),
        Command::Compound(cc, redirects, line) => {
            sh.lineno = *line;
            if let CompoundCommand::Subshell(list) = cc {
                // Redirections of a subshell are performed in the child, as dash does.
                let status = run_subshell(sh, list, redirects, cx)?;
                return command_finished(sh, status, cx);
            }
            let f = if redirects.is_empty() {
                cx
            } else {
                cx.not_last()
            };
            let mut ran = false;
            // bash: an asynchronous list inside keeps the input given here.
            let outer_input = sh.stdin_redirected;
            sh.stdin_redirected |= redirect::give_input(redirects);
            let result = redirect::with_redirections(sh, redirects, |sh| {
                ran = true;
                compound::run_compound(sh, cc, f)
            });
            sh.stdin_redirected = outer_input;
            match result {
                // Its redirections failed (bash: reported, the command fails): `set -e` and
                // the ERR trap see the failure, as bash 5.2 has them.
                Ok(status) if !ran => command_finished(sh, status, cx),
                other => other,
            }
        }
        Command::FunctionDef(def) => compound::define_function(sh, def),
    }
}

/// The status a diversion leaves a finished child (or the whole shell) with.
pub fn divert_status(sh: &Shell, result: ExecResult) -> i32 {
    match result {
        Ok(s) => s,
        Err(Divert::Exit(s))
        | Err(Divert::Abort(s))
        | Err(Divert::Discard(s))
        | Err(Divert::Unwind(s))
        | Err(Divert::Return(s)) => s,
        Err(Divert::Error(e)) => super::error::unreported(&e),
        Err(Divert::Break(_)) | Err(Divert::Continue(_)) => sh.last_status(),
    }
}

/// Leave a forked child: run its EXIT trap, then end the process without running any of the
/// parent's cleanup.
pub fn exit_child(sh: &mut Shell, status: i32) -> ! {
    let status = run_exit_trap(sh, status);
    sh.audit.flush();
    crate::sys::process::exit_now(status & 0xff)
}

/// End the session and die of `sig`, so the parent sees what it would have seen from dash.
/// bash runs the EXIT trap first (`trap cleanup EXIT` still cleans up after a SIGTERM).
pub fn die_of_signal(sh: &mut Shell, sig: i32, reason: crate::audit::EndReason) -> ! {
    if sh.options.bash() {
        run_exit_trap(sh, 128 + sig);
    }
    if !sh.in_subshell {
        sh.audit.end(Some(128 + sig), reason);
    }
    sh.audit.flush();
    trap::default(sig);
    crate::sys::process::die_of(sig)
}

/// bash counts the lines of a signal's or the EXIT trap's text from 1 (`$LINENO` there);
/// returns the line to put back after it.
fn trap_first_line(sh: &mut Shell) -> u32 {
    let line = sh.lineno;
    if sh.options.bash() {
        sh.lineno = 1;
    }
    line
}

/// Run the EXIT trap, if any; returns the status to exit with.
pub fn run_exit_trap(sh: &mut Shell, status: i32) -> i32 {
    if let Some(cmd) = sh.traps.take_exit() {
        sh.set_last_status(status);
        sh.status_before_trap = Some(status);
        sh.in_trap = true;
        trap_first_line(sh);
        match run_text(sh, &cmd, None, Context::default()) {
            Err(Divert::Exit(s)) => return s,
            // bash keeps the status after a trap text it cannot parse; dash exits with 2.
            Err(Divert::Abort(s)) if !sh.options.bash() => return s,
            _ => return status,
        }
    }
    status
}

/// Parse and run `text` (for `eval`, traps, and `.`), command by command, so that aliases
/// defined early apply later. `label` begins syntax error messages (`eval: `, or the file's
/// name for `.`). Its errors are reported here: traps and startup files run it outside any
/// command.
pub fn run_text(sh: &mut Shell, text: &[u8], label: Option<&[u8]>, cx: Context) -> ExecResult {
    if sh.nesting() >= MAX_NESTING {
        return settle(sh, ShellError::too_deep().raise());
    }
    let result = with_stack(TEXT_STACK, || {
        run_text_inner(&mut sh.push_frame(Frame::Text), text, label, cx)
    })
    .unwrap_or_else(|error| error.raise());
    settle(sh, result)
}

/// Whether the words read next keep their text as written: a trap that may read
/// `$BASH_COMMAND` is set (bash shows the command as written).
pub fn words_as_written(sh: &Shell) -> bool {
    sh.options.bash() && sh.traps.on_conditions()
}

fn run_text_inner(sh: &mut Shell, text: &[u8], label: Option<&[u8]>, cx: Context) -> ExecResult {
    use crate::syntax::{BytesSource, Parser};
    // bash numbers the lines of an `eval` or a trap from the line running it; dash from 1, as
    // it numbers a sourced file's.
    let first_line = if sh.options.bash() { sh.lineno } else { 1 };
    let mut parser = Parser::new(Box::new(BytesSource::new(text)), first_line);
    parser.set_string_input();
    let mut status = 0;
    let cx = cx.not_last();
    // `set -v` shows a sourced file's commands as they are read (bash: also eval's).
    let echo = label.is_some_and(|l| l != b"eval: " || sh.options.bash());
    loop {
        parser.set_bash(sh.options.bash());
        parser.set_utf8(sh.options.bash() && sh.utf8_locale());
        parser.set_extglob(sh.options.shopt.on(crate::state::shopt::EXTGLOB));
        parser.set_words_as_written(words_as_written(sh));
        let aliases = AliasView::of(sh);
        let parsed = parser.next_command(&aliases);
        tell_parse_warnings(sh, &mut parser);
        match parsed {
            Ok(Some(cmd)) => {
                if echo {
                    crate::toplevel::echo_verbose(sh, &cmd.text);
                }
                // The text's own parser, while its commands run (the outer one's after), and
                // dash's name for the errors they raise (`eval: `, the sourced file's).
                let outer_parser_line = std::mem::replace(&mut sh.parser_line, parser.line());
                let outer_label = match label.filter(|_| !sh.options.bash()) {
                    Some(label) => sh.text_label.replace(label.into()),
                    None => sh.text_label.clone(),
                };
                let ran = run_list(sh, &cmd.list, cx);
                sh.parser_line = outer_parser_line;
                sh.text_label = outer_label;
                status = match ran {
                    // bash goes on with a sourced file's next line after an arithmetic error
                    // discarded the rest of this one, and, in an interactive shell, after an
                    // expansion error (`~/.auditshrc` is read to its end).
                    Err(Divert::Discard(s)) if is_sourced(sh, label) => {
                        sh.set_last_status(s);
                        s
                    }
                    Err(Divert::Abort(s)) if is_sourced(sh, label) && sh.options.interactive => {
                        sh.set_last_status(s);
                        s
                    }
                    other => other?,
                };
            }
            Ok(None) => return Ok(status),
            Err(e) => {
                let (err, line) = ShellError::parse(e, label.unwrap_or_default());
                if let Some(line) = line {
                    sh.lineno = line;
                }
                return err.raise();
            }
        }
    }
}

/// Tell the warnings the parser found (bash's), each at its line.
pub fn tell_parse_warnings(sh: &mut Shell, parser: &mut crate::syntax::Parser) {
    for (line, text) in parser.take_warnings() {
        let current = std::mem::replace(&mut sh.lineno, line);
        sh.report(&ShellError::new(super::ErrorKind::text(text)));
        sh.lineno = current;
    }
}

/// Text read by `.`/`source` in bash mode (not `eval`'s, not posix mode's).
fn is_sourced(sh: &Shell, label: Option<&[u8]>) -> bool {
    sh.options.bash() && label.is_some_and(|l| l != b"eval: ")
}

/// The alias table as the parser sees it.
pub struct AliasView<'a>(pub &'a crate::state::vars::NameMap<Vec<u8>>, pub bool);

impl<'a> AliasView<'a> {
    /// The shell's aliases, none when `shopt -u expand_aliases` turned them off.
    pub fn of(sh: &'a Shell) -> Self {
        AliasView(&sh.aliases, !sh.aliases_off)
    }
}

impl crate::syntax::Aliases for AliasView<'_> {
    fn alias(&self, name: &[u8]) -> Option<&[u8]> {
        if !self.1 {
            return None;
        }
        self.0.get(name).map(|v| v.as_slice())
    }
}
