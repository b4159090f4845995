//! Walking the tree (XCU 2.9): lists, and-or lists, pipelines, compound commands, function
//! calls and simple commands, with exit statuses and `set -e` as dash applies them.

use crate::sys;
use std::rc::Rc;

use super::jobs::wait_pid;
use super::pipeline::{job_group, run_async, run_pipeline, run_subshell, wait_foreground};
use super::redirect::{self, SavedFds};
use super::spawn::{self, Forked, SpawnError, SpawnOptions};
use super::{compound, trap, Divert, ExecResult};
use crate::builtins;
use crate::expand::{self, ExpandError};
use crate::state::Shell;
use crate::syntax::ast::{AndOr, AndOrOp, Assign, Command, CompoundCommand, List, SimpleCommand};

/// How a node is evaluated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags {
    /// The status is tested (a condition, the left of `&&`/`||`, under `!`): `set -e` does
    /// not apply.
    pub tested: bool,
    /// Nothing runs in this process after this node: a program may replace the process
    /// instead of being waited for (a forked child's last command).
    pub exit_after: bool,
}

impl Flags {
    pub(super) fn tested(self) -> Flags {
        Flags {
            tested: true,
            exit_after: false,
        }
    }

    pub(super) fn not_last(self) -> Flags {
        Flags {
            exit_after: false,
            ..self
        }
    }
}

/// Stack the evaluator may use before refusing to nest deeper (bytes below the limit).
const STACK_RESERVE: usize = 256 * 1024;

thread_local! {
    /// The lowest stack address the evaluator may reach (0: no limit known).
    static STACK_FLOOR: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static STACK_TOP: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
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
    if top == 0 {
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

/// True when the evaluator is close to the end of its stack.
fn stack_exhausted() -> bool {
    let here = 0u8;
    let here = &here as *const u8 as usize;
    let floor = STACK_FLOOR.with(|f| f.get());
    floor != 0 && here < floor
}

fn too_deep(sh: &Shell) -> Divert {
    sh.error("nesting too deep: recursion limit reached");
    Divert::Error(2)
}

/// An expansion ran out of memory (a size the user chose): the command does not run, its
/// status is 1, and the shell goes on (dash says the same words, then dies).
fn out_of_space(sh: &mut Shell) -> i32 {
    sh.error("Out of space");
    sh.last_status = 1;
    1
}

/// Print an expansion error and turn it into the diversion that aborts the command.
pub fn expansion_failed(sh: &Shell, e: ExpandError) -> Divert {
    sh.error_bytes(&e.message);
    Divert::Error(e.status)
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
        if sig == sys::signal::SIGINT && sh.traps.get(sig).is_none() && sh.options.interactive {
            // Ctrl-C in an interactive shell abandons the command line being run (a loop of
            // built-ins included) and goes back to the prompt.
            crate::sys::fd::write_all(2, b"\n");
            return Err(Divert::Error(128 + sys::signal::SIGINT));
        }
        if let Some(trap::Action::Command(cmd)) = sh.traps.get(sig).cloned() {
            let saved = sh.last_status;
            match run_text(sh, &cmd, None) {
                Ok(_) => sh.last_status = saved,
                Err(Divert::Exit(s)) => return Err(Divert::Exit(s)),
                Err(_) => sh.last_status = saved,
            }
        }
    }
    Ok(())
}

pub fn run_list(sh: &mut Shell, list: &List, flags: Flags) -> ExecResult {
    let mut status = 0;
    let n = list.items.len();
    for (i, item) in list.items.iter().enumerate() {
        let last = i + 1 == n;
        let item_flags = if last { flags } else { flags.not_last() };
        status = if item.is_async {
            run_async(sh, &item.and_or)?
        } else {
            run_and_or(sh, &item.and_or, item_flags)?
        };
        sh.last_status = status;
        run_pending_traps(sh)?;
    }
    Ok(status)
}

pub(super) fn run_and_or(sh: &mut Shell, ao: &AndOr, flags: Flags) -> ExecResult {
    if ao.rest.is_empty() {
        return run_pipeline(sh, &ao.first, flags);
    }
    let mut status = run_pipeline(sh, &ao.first, flags.tested())?;
    let n = ao.rest.len();
    for (i, (op, pipeline)) in ao.rest.iter().enumerate() {
        let run = match op {
            AndOrOp::And => status == 0,
            AndOrOp::Or => status != 0,
        };
        if run {
            let f = if i + 1 == n { flags } else { flags.tested() };
            status = run_pipeline(sh, pipeline, f)?;
        }
    }
    Ok(status)
}

/// `set -e`: a failing command whose status is not tested ends the shell.
pub(super) fn check_errexit(sh: &Shell, status: i32, flags: Flags) -> Result<(), Divert> {
    if status != 0 && sh.options.errexit && !flags.tested {
        return Err(Divert::Exit(status));
    }
    Ok(())
}

pub fn run_command(sh: &mut Shell, cmd: &Command, flags: Flags) -> ExecResult {
    if stack_exhausted() {
        return Err(too_deep(sh));
    }
    match cmd {
        Command::Simple(sc) => run_simple(sh, sc, flags),
        Command::Compound(cc, redirects, line) => {
            sh.lineno = *line;
            if let CompoundCommand::Subshell(list) = cc {
                // Redirections of a subshell are performed in the child, as dash does.
                let status = run_subshell(sh, list, redirects, flags)?;
                sh.last_status = status;
                check_errexit(sh, status, flags)?;
                return Ok(status);
            }
            let f = if redirects.is_empty() {
                flags
            } else {
                flags.not_last()
            };
            redirect::with_redirections(sh, redirects, |sh| compound::run_compound(sh, cc, f))
        }
        Command::FunctionDef(def) => compound::define_function(sh, def),
    }
}

/// The status a diversion leaves a finished child (or the whole shell) with.
pub fn divert_status(sh: &Shell, result: ExecResult) -> i32 {
    match result {
        Ok(s) => s,
        Err(Divert::Exit(s)) | Err(Divert::Error(s)) | Err(Divert::Return(s)) => s,
        Err(Divert::Break(_)) | Err(Divert::Continue(_)) => sh.last_status,
    }
}

/// Leave a forked child: run its EXIT trap, then end the process without running any of the
/// parent's cleanup.
pub fn exit_child(sh: &mut Shell, status: i32) -> ! {
    let status = run_exit_trap(sh, status);
    crate::sys::process::exit_now(status & 0xff)
}

/// End the session and die of `sig`, so the parent sees what it would have seen from dash.
pub fn die_of_signal(sh: &mut Shell, sig: i32, reason: crate::audit::EndReason) -> ! {
    if !sh.in_subshell {
        sh.audit.end(Some(128 + sig), reason);
    }
    trap::default(sig);
    crate::sys::process::die_of(sig)
}

/// Run the EXIT trap, if any; returns the status to exit with.
pub fn run_exit_trap(sh: &mut Shell, status: i32) -> i32 {
    if let Some(cmd) = sh.traps.take_exit() {
        sh.last_status = status;
        match run_text(sh, &cmd, None) {
            Err(Divert::Exit(s)) => return s,
            _ => return status,
        }
    }
    status
}

/// Parse and run `text` (for `eval`, traps, and `.`), command by command, so that aliases
/// defined early apply later. `origin` names the file for error messages.
pub fn run_text(sh: &mut Shell, text: &[u8], label: Option<&[u8]>) -> ExecResult {
    if sh.depth >= 1000 || stack_exhausted() {
        return Err(too_deep(sh));
    }
    sh.depth += 1;
    let result = run_text_inner(sh, text, label);
    sh.depth -= 1;
    result
}

fn run_text_inner(sh: &mut Shell, text: &[u8], label: Option<&[u8]>) -> ExecResult {
    use crate::syntax::{BytesSource, ParseError, Parser};
    let first_line = sh.lineno;
    let mut parser = Parser::new(Box::new(BytesSource::new(text)), first_line);
    let mut status = 0;
    let flags = Flags {
        tested: sh.condition,
        exit_after: false,
    };
    loop {
        let aliases = AliasView(&sh.aliases);
        let parsed = parser.next_command(&aliases);
        match parsed {
            Ok(Some(cmd)) => {
                status = run_list(sh, &cmd.list, flags)?;
            }
            Ok(None) => return Ok(status),
            Err(ParseError::Syntax(e)) => {
                sh.lineno = e.line;
                let mut msg = label.map(<[u8]>::to_vec).unwrap_or_default();
                msg.extend_from_slice(e.message.as_bytes());
                sh.error_bytes(&msg);
                return Err(Divert::Error(2));
            }
            Err(ParseError::Io(e)) => {
                sh.error(&e.to_string());
                return Err(Divert::Error(2));
            }
        }
    }
}

/// The alias table as the parser sees it.
pub struct AliasView<'a>(pub &'a crate::state::vars::NameMap<Vec<u8>>);

impl crate::syntax::Aliases for AliasView<'_> {
    fn alias(&self, name: &[u8]) -> Option<&[u8]> {
        self.0.get(name).map(|v| v.as_slice())
    }
}

/// Expanded assignments of a simple command: (name, value).
type Assignments = Vec<(Vec<u8>, Vec<u8>)>;

/// Variables saved while temporary assignments (`x=1 cmd`) are in force.
type SavedVars = Vec<(Vec<u8>, Option<crate::state::Var>)>;

/// Assign for good (special built-ins, assignment-only commands), left to right: each value
/// sees the assignments before it. Returns what was assigned, for `set -x`.
fn assign_permanently(sh: &mut Shell, assigns: &[Assign]) -> Result<Assignments, Divert> {
    let mut done = Vec::with_capacity(assigns.len());
    for a in assigns {
        let value = match expand::expand_word(sh, &a.value) {
            Ok(value) => value,
            Err(e) if e.is_out_of_space() => {
                // The variable keeps its value and the assignment's status is 1.
                sh.subst_status = Some(out_of_space(sh));
                continue;
            }
            Err(e) => return Err(expansion_failed(sh, e)),
        };
        if let Err(e) = sh.set_var(&a.name, value.clone()) {
            sh.error(&e.message());
            return Err(Divert::Error(2));
        }
        done.push((a.name.clone(), value));
    }
    Ok(done)
}

/// Assign for the duration of one command (built-in, function or program), left to right,
/// exported meanwhile, as dash does. Returns the saved variables to restore and what was
/// assigned.
fn assign_temporarily(
    sh: &mut Shell,
    assigns: &[Assign],
) -> Result<(SavedVars, Assignments), Divert> {
    let mut saved: SavedVars = Vec::with_capacity(assigns.len());
    let mut done = Vec::with_capacity(assigns.len());
    for a in assigns {
        let value = match expand::expand_word(sh, &a.value) {
            Ok(v) => v,
            Err(e) => {
                restore_temporary(sh, saved);
                return Err(expansion_failed(sh, e));
            }
        };
        saved.push((a.name.clone(), sh.vars.var(&a.name).cloned()));
        if let Err(e) = sh.vars.set(&a.name, value.clone()) {
            restore_temporary(sh, saved);
            sh.error(&e.message());
            return Err(Divert::Error(2));
        }
        sh.vars.set_exported(&a.name, true);
        if a.name == b"PATH" {
            sh.hash.clear();
        }
        done.push((a.name.clone(), value));
    }
    Ok((saved, done))
}

fn restore_temporary(sh: &mut Shell, saved: SavedVars) {
    if saved.iter().any(|(n, _)| n == b"PATH") {
        sh.hash.clear();
    }
    sh.vars.restore(saved);
}

/// `set -x`: print the command as it will run, after PS4 (dash does not quote the words).
fn trace(sh: &mut Shell, assigns: &[(Vec<u8>, Vec<u8>)], fields: &[Vec<u8>]) {
    if !sh.options.xtrace || (assigns.is_empty() && fields.is_empty()) {
        return;
    }
    let ps4 = crate::interactive::prompt::expand(sh, b"PS4");
    let mut line = ps4;
    let mut first = true;
    for (name, value) in assigns {
        if !first {
            line.push(b' ');
        }
        first = false;
        line.extend_from_slice(name);
        line.push(b'=');
        line.extend_from_slice(value);
    }
    for f in fields {
        if !first {
            line.push(b' ');
        }
        first = false;
        line.extend_from_slice(f);
    }
    line.push(b'\n');
    crate::sys::fd::write_all(2, &line);
}

fn run_simple(sh: &mut Shell, sc: &SimpleCommand, flags: Flags) -> ExecResult {
    sh.lineno = sc.line;
    sh.subst_status = None;
    let fields = match expand::expand_words(sh, &sc.words) {
        Ok(fields) => fields,
        Err(e) if e.is_out_of_space() => return Ok(out_of_space(sh)),
        Err(e) => return Err(expansion_failed(sh, e)),
    };

    if fields.is_empty() {
        // Assignments and redirections only: assignments persist; redirections are performed
        // and undone; the status is that of the last command substitution.
        let done = assign_permanently(sh, &sc.assigns)?;
        trace(sh, &done, &[]);
        let status =
            redirect::with_redirections(sh, &sc.redirects, |sh| Ok(sh.subst_status.unwrap_or(0)))?;
        sh.last_status = status;
        check_errexit(sh, status, flags)?;
        return Ok(status);
    }

    let status = run_fields(
        sh,
        &fields,
        &sc.assigns,
        &sc.redirects,
        flags,
        Lookup::default(),
    )?;
    sh.last_status = status;
    check_errexit(sh, status, flags)?;
    Ok(status)
}

/// How a command name is looked up (`command` changes it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup {
    /// Skip functions (`command name`).
    pub no_functions: bool,
    /// Special built-ins lose their special properties (`command name`).
    pub no_special: bool,
    /// Search the default PATH instead of $PATH (`command -p`).
    pub default_path: bool,
}

/// Run a command given as expanded fields, with its assignments and redirections.
pub fn run_fields(
    sh: &mut Shell,
    fields: &[Vec<u8>],
    assigns: &[Assign],
    redirects: &[crate::syntax::ast::Redirect],
    flags: Flags,
    lookup: Lookup,
) -> ExecResult {
    let name = fields[0].as_slice();
    let builtin = builtins::lookup(name);
    sh.condition = flags.tested;

    if let Some(b) = builtin.filter(|b| b.special) {
        let (saved_vars, done) = if lookup.no_special {
            let (saved, done) = assign_temporarily(sh, assigns)?;
            (Some(saved), done)
        } else {
            (None, assign_permanently(sh, assigns)?)
        };
        trace(sh, &done, fields);
        let mut saved = SavedFds::default();
        let result = match redirect::apply(sh, redirects, &mut saved) {
            // `exec` with only redirections: they stay in force.
            Ok(()) if name == b"exec" && fields.len() == 1 => {
                saved.keep();
                saved = SavedFds::default();
                Ok(0)
            }
            Ok(()) => (b.func)(sh, fields),
            Err(e) if lookup.no_special => Ok(e.status),
            Err(e) => Err(Divert::Error(e.status)),
        };
        saved.restore();
        if let Some(v) = saved_vars {
            restore_temporary(sh, v);
        }
        return match result {
            // `command` keeps a special built-in's error from ending the shell.
            Err(Divert::Error(s)) if lookup.no_special => Ok(s),
            other => other,
        };
    }

    let (saved_vars, done) = assign_temporarily(sh, assigns)?;
    trace(sh, &done, fields);
    let result = if let Some(body) = sh
        .functions
        .get(name)
        .filter(|_| !lookup.no_functions)
        .cloned()
    {
        redirect::with_redirections(sh, redirects, |sh| call_function(sh, &body, fields, flags))
    } else if let Some(b) = builtin {
        redirect::with_redirections(sh, redirects, |sh| (b.func)(sh, fields))
    } else {
        run_external(sh, fields, redirects, flags, lookup)
    };
    restore_temporary(sh, saved_vars);
    result
}

fn run_external(
    sh: &mut Shell,
    fields: &[Vec<u8>],
    redirects: &[crate::syntax::ast::Redirect],
    flags: Flags,
    lookup: Lookup,
) -> ExecResult {
    let name = fields[0].as_slice();
    let path = if lookup.default_path {
        spawn::find_in_default_path(name)
    } else {
        spawn::find_in_path(sh, name)
    };
    let Some(path) = path else {
        // Redirections are still performed (and their errors reported) before "not found".
        let r = redirect::with_redirections(sh, redirects, |_| Ok(0))?;
        if r != 0 {
            return Ok(r);
        }
        SpawnError::NotFound.report(sh, name);
        return Ok(127);
    };

    let mut saved = SavedFds::default();
    if let Err(e) = redirect::apply(sh, redirects, &mut saved) {
        saved.restore();
        return if e.fatal {
            Err(Divert::Error(e.status))
        } else {
            Ok(e.status)
        };
    }
    if flags.exit_after && sh.traps.get(0).is_none() {
        // Nothing follows in this process: become the program.
        let err = spawn::exec_program(sh, &path, fields, |_| {});
        saved.restore();
        return Ok(exec_failure(sh, &path, fields, err));
    }
    let group = job_group(sh, true);
    let opts = SpawnOptions {
        process_group: group.map(|_| 0),
        terminal: group.and(sh.jobs.control.map(|c| c.tty)),
    };
    let spawned = spawn::spawn_program(sh, &path, fields, &opts);
    saved.restore();
    match spawned {
        Ok(pid) => {
            // The command's text is kept only for a job that stops, which needs job control.
            let (pgid, text) = match group {
                Some(_) => (pid, fields.join(&b' ')),
                None => (0, Vec::new()),
            };
            Ok(wait_foreground(sh, pgid, vec![pid], text))
        }
        Err(err) => Ok(exec_failure(sh, &path, fields, err)),
    }
}

/// Report a program that could not start; returns the status. A file the kernel will not
/// run for lack of a `#!` line is run as a shell script in a subshell (XCU 2.9.1.1).
fn exec_failure(sh: &mut Shell, path: &[u8], fields: &[Vec<u8>], err: SpawnError) -> i32 {
    if err == SpawnError::Os(sys::errno::ENOEXEC) {
        return run_as_script(sh, path, fields);
    }
    err.report(sh, &fields[0]);
    err.status()
}

/// Run a file with no `#!` line as a script, in a forked copy of the shell reset as a new
/// shell would be: no functions, aliases or traps; the arguments as positional parameters.
fn run_as_script(sh: &mut Shell, path: &[u8], fields: &[Vec<u8>]) -> i32 {
    let text = match std::fs::read(crate::state::os(path)) {
        Ok(t) => t,
        Err(e) => {
            let err = SpawnError::Os(e.raw_os_error().unwrap_or(sys::errno::EACCES));
            err.report(sh, &fields[0]);
            return err.status();
        }
    };
    match spawn::fork_shell(sh) {
        Ok(Forked::Child) => {
            sh.functions.clear();
            sh.aliases.clear();
            sh.arg0 = fields[0].clone();
            sh.positional = fields[1..].to_vec();
            sh.lineno = 1;
            let result = run_text(sh, &text, None);
            let status = divert_status(sh, result);
            exit_child(sh, status)
        }
        Ok(Forked::Parent(pid)) => wait_pid(pid, false).exit_status(),
        Err(e) => {
            sh.error(&format!("Cannot fork: {}", crate::sys::errno::text(e)));
            2
        }
    }
}

/// Call a function: new positional parameters and a scope for `local`; `return` ends it.
pub fn call_function(
    sh: &mut Shell,
    body: &Rc<Command>,
    args: &[Vec<u8>],
    flags: Flags,
) -> ExecResult {
    if sh.depth >= 10_000 || stack_exhausted() {
        return Err(too_deep(sh));
    }
    let saved_positional = std::mem::replace(&mut sh.positional, args[1..].to_vec());
    let saved_loop_depth = std::mem::replace(&mut sh.loop_depth, 0);
    sh.vars.push_frame();
    sh.local_options.push(None);
    sh.depth += 1;
    let result = run_command(sh, body, flags.not_last());
    sh.depth -= 1;
    if let Some(Some(options)) = sh.local_options.pop() {
        sh.options = options;
    }
    sh.vars.pop_frame();
    sh.loop_depth = saved_loop_depth;
    sh.positional = saved_positional;
    match result {
        Err(Divert::Return(s)) => Ok(s),
        other => other,
    }
}
