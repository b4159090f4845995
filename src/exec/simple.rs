//! Simple commands (XCU 2.9.1): assignments, for good or for one command; `set -x` tracing;
//! then the name's lookup, in dash's order: special built-in, function, built-in, program.

use crate::sys;
use std::rc::Rc;

use super::eval::{command_finished, divert_status, exit_child, run_command, run_text, Context};
use super::jobs::wait_pid;
use super::pipeline::{job_group, wait_foreground};
use super::redirect::{self, SavedFds};
use super::spawn::{self, Forked, SpawnError, SpawnOptions};
use super::{settle, Divert, ErrorKind, ExecResult, ShellError};
use crate::builtins;
use crate::expand;
use crate::state::{Frame, Shell};
use crate::syntax::ast::{Assign, SimpleCommand};

/// An expansion ran out of memory (a size the user chose): the command does not run, its
/// status is 1, and the shell goes on (dash says the same words, then dies).
fn out_of_space() -> ShellError {
    ShellError::new(ErrorKind::OutOfSpace)
        .with_status(1)
        .fails()
}

/// Expanded assignments of a simple command: (name, value).
type Assignments = Vec<super::xtrace::Assigned>;

/// `(x y)` before a command, as bash makes it a string: each element expanded as one word,
/// joined by spaces, between parentheses.
fn list_as_text(
    sh: &mut Shell,
    words: &[crate::syntax::ast::Word],
) -> Result<Vec<u8>, expand::ExpandError> {
    let mut text = b"(".to_vec();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            text.push(b' ');
        }
        text.extend_from_slice(&expand::expand_word(sh, w)?);
    }
    text.push(b')');
    Ok(text)
}

/// Variables saved while temporary assignments (`x=1 cmd`) are in force.
type SavedVars = Vec<(Vec<u8>, Option<crate::state::Var>)>;

/// Assign for good (special built-ins, assignment-only commands), left to right: each value
/// sees the assignments before it. Returns what was assigned, for `set -x`.
fn assign_permanently(sh: &mut Shell, assigns: &[Assign]) -> Result<Assignments, Divert> {
    let mut done = Vec::with_capacity(assigns.len());
    for a in assigns {
        if a.append || a.index.is_some() || a.array.is_some() {
            match super::assign::assign_extended(sh, a) {
                Ok(shown) if sh.options.xtrace && sh.options.bash() => {
                    super::xtrace::simple(sh, &[shown], &[]);
                }
                Ok(shown) => done.push(shown),
                // bash abandons the command line at a subscript that names no element or
                // that is a bad expression.
                Err(e)
                    if e.status == 1
                        && !e.is_out_of_space()
                        && !e.message.ends_with(b": bad array subscript")
                        && !e.arith =>
                {
                    // bash: the assignment fails with status 1, the shell goes on.
                    sh.report(&ShellError::from(e).with_status(1));
                    sh.set_last_status(1);
                    sh.subst_status = Some(1);
                }
                Err(e) => return Err(e.into()),
            }
            continue;
        }
        let value = match expand::expand_word(sh, &a.value) {
            Ok(value) => value,
            Err(e) if e.is_out_of_space() => {
                // The variable keeps its value, the assignment's status is 1, and the next
                // assignments are made: the message comes now, before what they print.
                sh.report(&out_of_space());
                sh.set_last_status(1);
                sh.subst_status = Some(1);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        status_of_substitution(sh);
        let shown = super::xtrace::Assigned::plain(&a.name, value.clone());
        if sh.options.bash() && sh.options.xtrace {
            // bash traces an assignment before it is made (`PS4=...` with the old PS4).
            super::xtrace::simple(sh, &[shown], &[]);
        } else {
            done.push(shown);
        }
        if a.name == b"BASH_XTRACEFD" && sh.options.bash() {
            super::xtrace::check_trace_fd(sh, &value);
        }
        if let Err(e) = sh.set_var(&a.name, value) {
            return ShellError::new(ErrorKind::Variable(e)).raise();
        }
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
        // `A+=b cmd` on a plain variable is temporary like `A=ab cmd` (bash).
        // `A=(x y) cmd` is a string too: the elements expanded, between parentheses (bash).
        let list = a.array.is_some();
        let plain_append = a.append
            && a.index.is_none()
            && (list
                || sh
                    .vars
                    .var(sh.vars.resolve(&a.name))
                    .is_none_or(|v| v.array.is_none()));
        if let (Some(index), true) = (&a.index, sh.options.bash()) {
            // An element cannot be a command's temporary variable: bash says so and runs
            // the command without it.
            let index = crate::syntax::print::word_text(index);
            let element = [&a.name[..], b"[", &index[..], b"]"].concat();
            sh.report(&ShellError::new(ErrorKind::BadName(element)).fails());
            continue;
        }
        if (a.append && !plain_append) || a.index.is_some() {
            // Made for good, even before a command.
            match super::assign::assign_extended(sh, a) {
                Ok(shown) => done.push(shown),
                Err(e) => {
                    restore_temporary(sh, saved);
                    return Err(e.into());
                }
            }
            continue;
        }
        let expanded = match &a.array {
            Some(words) => list_as_text(sh, words),
            None => expand::expand_word(sh, &a.value),
        };
        let mut value = match expanded {
            Ok(v) => v,
            Err(e) => {
                restore_temporary(sh, saved);
                return Err(e.into());
            }
        };
        status_of_substitution(sh);
        // Through a name reference, the variable it stands for is the one saved and set.
        let name = sh.vars.resolve(&a.name).to_vec();
        if plain_append {
            let old = sh.vars.get(&name).map(<[u8]>::to_vec);
            let integer = sh.vars.attrs(&name) & crate::state::vars::INTEGER != 0;
            value = match super::assign::appended(sh, old.as_deref(), &value, integer) {
                Ok(v) => v,
                Err(e) => {
                    restore_temporary(sh, saved);
                    return Err(e.into());
                }
            };
        }
        saved.push((name.clone(), sh.vars.var(&name).cloned()));
        if sh
            .vars
            .var(&name)
            .is_some_and(|v| v.array.is_some() && !v.readonly)
        {
            // The temporary variable is a string of its own, not the array's element 0.
            let _ = sh.vars.unset_unresolved(&name);
        }
        if sh.options.bash() && !plain_append {
            // bash's temporary variable is a new one: the value as written, no attributes
            // (`A+=b` is the variable's own value and b, as an assignment makes it).
            use crate::state::vars::{CASES, INTEGER};
            sh.vars.set_attrs(&name, 0, INTEGER | CASES);
        }
        if let Err(e) = sh.vars.set(&name, value.clone()) {
            if sh.options.bash() && matches!(e, crate::state::vars::VarError::ReadOnly(_)) {
                // bash says so and runs the command without this assignment.
                sh.report(&ShellError::new(ErrorKind::Variable(e)).fails());
                continue;
            }
            restore_temporary(sh, saved);
            return ShellError::new(ErrorKind::Variable(e)).raise();
        }
        sh.vars.set_exported(&name, true);
        if a.name == b"PATH" {
            sh.hash.clear();
        }
        done.push(super::xtrace::Assigned::plain(&a.name, value));
    }
    Ok((saved, done))
}

/// bash: a command substitution in an assignment's value sets `$?` for the assignments
/// after it (`out=$(cmd) rc=$?`).
fn status_of_substitution(sh: &mut Shell) {
    if let (Some(status), true) = (sh.subst_status, sh.options.bash()) {
        sh.set_last_status(status);
    }
}

fn restore_temporary(sh: &mut Shell, saved: SavedVars) {
    if saved.iter().any(|(n, _)| n == b"PATH") {
        sh.hash.clear();
    }
    sh.vars.restore(saved);
}

/// Run a built-in with the temporary assignments before it. bash lets a declaration built-in
/// act on them (`x=1 export x` keeps x, `x=1 local x` makes the local 1), and runs `eval`,
/// `source`, `unset` and `mapfile` with them as a scope; returns what is left to restore.
fn run_declaring(
    sh: &mut Shell,
    fields: &[Vec<u8>],
    saved: SavedVars,
    run: impl FnOnce(&mut Shell) -> ExecResult,
) -> (ExecResult, SavedVars) {
    if opens_scope(sh, fields, &saved) {
        // What these run sees the assignments as a scope of their own, which `unset` peels
        // and `local` (in a function) takes over, as it does a function's (bash).
        let path = saved.iter().any(|(n, _)| n == b"PATH");
        sh.vars.push_temporary_frame(saved, false);
        let result = run(sh);
        sh.vars.pop_frame();
        if path {
            sh.hash.clear();
        }
        return (result, Vec::new());
    }
    let declares = is_declaration_builtin(&fields[0]) || matches!(&fields[0][..], b"builtin");
    if saved.is_empty() || !declares || !sh.options.bash() {
        return (run(sh), saved);
    }
    let outer = sh.vars.enter_command_scope(saved);
    let result = run(sh);
    (result, sh.vars.leave_command_scope(outer))
}

/// The declaration utilities (and `command`, which may run one): their operands that are
/// assignments are assignment words, and bash lets them keep the assignments before them.
fn is_declaration_builtin(name: &[u8]) -> bool {
    matches!(
        name,
        b"export" | b"readonly" | b"declare" | b"typeset" | b"local" | b"command"
    )
}

/// The index of the first operand when the command is a declaration utility (`export`,
/// `readonly`, `local`; in bash also `declare` and `typeset`), also after `command`: its
/// operands that are assignments are expanded as assignments (POSIX.1-2024, XCU 2.9.1).
fn declaration_operands(sh: &Shell, words: &[crate::syntax::ast::Word]) -> Option<usize> {
    let mut i = 0;
    loop {
        let name = words.get(i)?.as_plain_literal()?;
        match name {
            // POSIX.1-2024 keeps the assignments after `command` whole; bash reads the words
            // after `builtin` (a bash built-in) as any command's (split).
            b"command" => i += 1,
            b"declare" | b"typeset" if !sh.options.bash() => return None,
            _ if is_declaration_builtin(name) => return Some(i + 1),
            _ => return None,
        }
    }
}

/// The words of a declaration utility: operands that are assignments are neither split nor
/// globbed, and get tilde expansion after `=` and `:`; an array's elements are kept aside for
/// the built-in.
#[cold]
#[inline(never)]
fn expand_declaration(
    sh: &mut Shell,
    words: &[crate::syntax::ast::Word],
    first: usize,
) -> Result<Vec<Vec<u8>>, expand::ExpandError> {
    let mut fields = expand::expand_words(sh, &words[..first])?;
    let mut compound = Vec::new();
    for w in &words[first..] {
        let a = match crate::syntax::split_assignment(w.clone(), sh.options.bash()) {
            Ok(a) => a,
            Err(_) => {
                fields.extend(expand::expand_words(sh, std::slice::from_ref(w))?);
                continue;
            }
        };
        let mut field = a.name.clone();
        if let Some(index) = &a.index {
            field.push(b'[');
            field.extend(expand::expand_word(sh, index)?);
            field.push(b']');
        }
        if a.append {
            field.push(b'+');
        }
        field.push(b'=');
        match &a.array {
            Some(elements) => {
                // `declare -A m=(k v)`, or an associative array already: the words are keys
                // and values, each one word.
                let assoc = fields[1..]
                    .iter()
                    .any(|f| f.len() > 1 && f[0] == b'-' && f.contains(&b'A'))
                    || (a.index.is_none()
                        && sh
                            .vars
                            .array(sh.vars.resolve(&a.name))
                            .is_some_and(|v| v.is_assoc()));
                let elements =
                    super::assign::declared(super::assign::expand_elements(sh, elements, assoc)?);
                compound.push((fields.len(), elements));
            }
            None => field.extend(expand::expand_word(sh, &a.value)?),
        }
        fields.push(field);
    }
    sh.compound_args = compound;
    Ok(fields)
}

/// `$BASH_COMMAND` is kept up to date: a trap that may read it is set, or some text read it;
/// not while a trap runs (it sees the command it interrupted).
pub(super) fn records_bash_command(sh: &Shell) -> bool {
    !sh.in_condition_trap
        && !sh.in_trap
        && (sh.traps.on_conditions() || crate::syntax::lexer::bash_command_read())
}

/// Before a simple command, `[[ ]]` or `(( ))`: its text becomes `$BASH_COMMAND` (when a trap
/// or the script may read it), and the DEBUG trap runs. True: the command is to be skipped
/// (`shopt -s extdebug` and the trap failed; a status of 2 inside a function or a sourced
/// file returns from it instead).
pub(super) fn about_to_run(sh: &mut Shell, text: impl FnOnce() -> Vec<u8>) -> Result<bool, Divert> {
    if std::mem::take(&mut sh.debug_ran) {
        // The shell ran it before starting this pipeline member.
        return Ok(false);
    }
    if records_bash_command(sh) {
        sh.bash_command = text();
    }
    if sh.traps.command(super::trap::DEBUG).is_some() && (!sh.in_function() || sh.traces_here()) {
        let status = super::eval::run_condition_trap(sh, super::trap::DEBUG)?;
        if status != 0 && sh.options.shopt.on(crate::state::shopt::EXTDEBUG) {
            if status == 2 && !sh.calls.is_empty() {
                return Err(Divert::Return(status));
            }
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn run_simple(sh: &mut Shell, sc: &SimpleCommand, cx: Context) -> ExecResult {
    if sh.options.keyword && sh.options.bash() {
        if let Some(moved) = keyword_assignments(sc) {
            return run_simple(sh, &moved, cx);
        }
    }
    // A pipeline member's own status is the pipeline's to trap (its process ends with it, so
    // `set -e` has nothing left to stop either); a function it calls traps its own commands'
    // failures as anywhere else, so only the finish is tested.
    let finish_cx = match std::mem::take(&mut sh.pipeline_member) {
        true => cx.tested_keeping_exit(),
        false => cx,
    };
    sh.lineno = sc.line;
    if about_to_run(sh, || crate::syntax::print::simple_command(sc))? {
        return Ok(0);
    }
    if sh.options.bash()
        && !sh.in_trap
        && !sh.in_condition_trap
        && sc.words.first().and_then(|w| w.as_plain_literal()) == Some(b"trap")
    {
        // The `trap` that sets the first trap is `$BASH_COMMAND` until the next command.
        sh.bash_command = crate::syntax::print::simple_command(sc);
    }
    sh.subst_status = None;
    let declaration = declaration_operands(sh, &sc.words);
    let expanded = match declaration {
        Some(first) => expand_declaration(sh, &sc.words, first),
        None => expand::expand_words(sh, &sc.words),
    };
    let mut fields = match expanded {
        Ok(fields) => fields,
        Err(e) if e.is_out_of_space() => return out_of_space().raise(),
        Err(e) => return Err(e.into()),
    };

    if fields.is_empty() {
        // Assignments and redirections only: assignments persist; redirections are performed
        // and undone; the status is that of the last command substitution. dash performs the
        // redirections first (a failed one leaves the variables alone, and they are in force
        // while the values are expanded); bash assigns first.
        let status = if sh.options.posix {
            // The trace goes where standard error was before the redirections.
            let mut done = Vec::new();
            let status = redirect::with_redirections(sh, &sc.redirects, |sh| {
                done = assign_permanently(sh, &sc.assigns)?;
                Ok(sh.subst_status.unwrap_or(0))
            })?;
            super::xtrace::simple(sh, &done, &[]);
            status
        } else {
            let done = assign_permanently(sh, &sc.assigns)?;
            super::xtrace::simple(sh, &done, &[]);
            redirect::with_redirections(sh, &sc.redirects, |sh| Ok(sh.subst_status.unwrap_or(0)))?
        };
        sh.last_arg.clear();
        if sh.options.bash() {
            shell_owns_underscore(sh);
        }
        return command_finished(sh, status, finish_cx);
    }

    let array_operand_last =
        declaration.is_some() && sh.compound_args.iter().any(|(i, _)| *i + 1 == fields.len());
    let status = run_fields(
        sh,
        &fields,
        &sc.assigns,
        &sc.redirects,
        cx,
        Lookup {
            written: Some(sc),
            ..Lookup::default()
        },
    )?;
    if sh.options.bash() {
        set_last_arg(sh, &mut fields, array_operand_last);
    }
    command_finished(sh, status, finish_cx)
}

/// `set -k` (bash): every argument written as an assignment is one, given to the command as
/// those before its name are. None when no argument is.
fn keyword_assignments(sc: &SimpleCommand) -> Option<SimpleCommand> {
    let (name, args) = sc.words.split_first()?;
    let mut moved = SimpleCommand {
        assigns: sc.assigns.clone(),
        words: vec![name.clone()],
        redirects: sc.redirects.clone(),
        line: sc.line,
    };
    for word in args {
        let assign = word
            .parts
            .first()
            .is_some_and(
                |p| matches!(p, crate::syntax::ast::WordPart::Literal(t) if t.contains(&b'=')),
            )
            .then(|| {
                crate::syntax::parser::parse_assignment(&crate::syntax::print::word_text(word))
            })
            .flatten();
        match assign {
            Some(a) => moved.assigns.push(a),
            None => moved.words.push(word.clone()),
        }
    }
    (moved.words.len() < sc.words.len()).then_some(moved)
}

/// `$_` (bash) after a command: its last argument, moved out of the fields; for an array
/// assignment operand of `declare` (`a=(1 2)`), the name alone.
fn set_last_arg(sh: &mut Shell, fields: &mut Vec<Vec<u8>>, array_operand: bool) {
    let mut arg = fields.pop().unwrap_or_default();
    if array_operand {
        let name_len = arg
            .iter()
            .position(|&c| c == b'=' || c == b'+')
            .unwrap_or(arg.len());
        arg.truncate(name_len);
    }
    sh.last_arg = arg;
    shell_owns_underscore(sh);
}

/// A `_` the user set (or exported) gives way to the shell's own after each command, as in
/// bash.
fn shell_owns_underscore(sh: &mut Shell) {
    if sh.vars.var_unresolved(b"_").is_some() {
        let _ = sh.vars.unset_unresolved(b"_");
    }
}

/// How a command name is looked up (`command` changes it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// Skip functions (`command name`).
    pub no_functions: bool,
    /// Special built-ins lose their special properties (`command name`).
    pub no_special: bool,
    /// Search the default PATH instead of $PATH (`command -p`).
    pub default_path: bool,
    /// `set -x` traced the command already (as `command name ...`).
    pub traced: bool,
    /// The command as written, to name it should bash tell of its program's death.
    pub written: Option<&'a SimpleCommand>,
}

/// Run a command given as expanded fields, with its assignments and redirections.
pub fn run_fields(
    sh: &mut Shell,
    fields: &[Vec<u8>],
    assigns: &[Assign],
    redirects: &[crate::syntax::ast::Redirect],
    cx: Context,
    lookup: Lookup<'_>,
) -> ExecResult {
    if !sh.options.bash() || assigns.is_empty() || redirects.is_empty() {
        return run_assigned(sh, fields, assigns, None, redirects, cx, lookup);
    }
    // bash: the assignments' values are expanded first, then the redirections are performed
    // as if the assignments had not been made (`n=new cmd >$n` opens the old `$n`), then
    // the command runs with them in force.
    let (mut made, done) = assign_temporarily(sh, assigns)?;
    // The trace goes where standard error was before the redirections.
    if !lookup.traced {
        super::xtrace::simple(sh, &done, fields);
    }
    let path = made.iter().any(|(n, _)| n == b"PATH");
    sh.vars.exchange_temporary(&mut made, true);
    let mut fds = SavedFds::default();
    let applied = redirect::apply(sh, redirects, &mut fds);
    sh.vars.exchange_temporary(&mut made, false);
    if path {
        sh.hash.clear();
    }
    if let Err(e) = applied {
        restore_temporary(sh, made);
        let result = settle(sh, e.raise());
        fds.restore();
        return result;
    }
    let lookup = Lookup {
        traced: true,
        ..lookup
    };
    let result = run_assigned(sh, fields, assigns, Some((made, done)), &[], cx, lookup);
    let result = settle(sh, result);
    // `n=x exec >file` keeps the redirections in force.
    match result {
        Ok(_) if exec_alone(sh, fields) => fds.keep(),
        _ => fds.restore(),
    }
    result
}

/// `exec` with only redirections (bash: also `exec --`), which keeps them in force.
fn exec_alone(sh: &Shell, fields: &[Vec<u8>]) -> bool {
    fields[0] == b"exec"
        && (fields.len() == 1 || (sh.options.bash() && fields.len() == 2 && fields[1] == b"--"))
}

/// [`run_fields`], with the temporary assignments made already when `made` holds them.
fn run_assigned(
    sh: &mut Shell,
    fields: &[Vec<u8>],
    assigns: &[Assign],
    mut made: Option<(SavedVars, Assignments)>,
    redirects: &[crate::syntax::ast::Redirect],
    cx: Context,
    lookup: Lookup<'_>,
) -> ExecResult {
    let name = fields[0].as_slice();
    let builtin = builtins::lookup(name, sh.options.bash())
        .filter(|_| sh.disabled_builtins.is_empty() || !sh.disabled_builtins.contains(name));

    // dash (and XCU 2.9.1's order): redirections are performed before the assignments'
    // values are expanded; bash expands the assignments first.
    let redirect_first = !sh.options.bash() && !assigns.is_empty() && !redirects.is_empty();
    // bash outside posix mode looks a function up before a special built-in of its name.
    let shadowed =
        |sh: &Shell| sh.options.bash() && !lookup.no_functions && sh.functions.contains_key(name);
    if let Some(b) = builtin.filter(|b| b.special && !shadowed(sh)) {
        let mut saved = SavedFds::default();
        if redirect_first {
            if let Err(e) = redirect::apply(sh, redirects, &mut saved) {
                let result = settle(sh, e.aborts().raise());
                saved.restore();
                return result;
            }
        }
        // bash outside posix mode: assignments before a special built-in last only while
        // it runs, as before any command.
        let assigned = if let Some((saved, done)) = made.take() {
            Ok((Some(saved), done))
        } else if lookup.no_special || sh.options.bash() {
            assign_temporarily(sh, assigns).map(|(saved, done)| (Some(saved), done))
        } else {
            assign_permanently(sh, assigns).map(|done| (None, done))
        };
        let (mut saved_vars, done) = match assigned {
            Ok(a) => a,
            Err(d) => {
                saved.restore();
                return Err(d);
            }
        };
        let exec_alone = exec_alone(sh, fields);
        // `x=1 exec prog`: the program gets the assignments in its environment.
        if name == b"exec" && !exec_alone {
            for a in assigns {
                sh.vars.set_exported(&a.name, true);
            }
        }
        if !lookup.traced {
            super::xtrace::simple(sh, &done, fields);
        }
        let redirected = if redirect_first {
            Ok(())
        } else {
            redirect::apply(sh, redirects, &mut saved)
        };
        let result = match redirected {
            Ok(()) if exec_alone => {
                saved.keep();
                saved = SavedFds::default();
                Ok(0)
            }
            Ok(()) => match saved_vars.take() {
                Some(vars) => {
                    let (result, left) =
                        run_declaring(sh, fields, vars, |sh| b.run(sh, fields, cx.not_last()));
                    saved_vars = Some(left);
                    result
                }
                None => b.run(sh, fields, cx.not_last()),
            },
            // Any redirection error of a special built-in is a shell error.
            Err(e) => e.aborts().raise(),
        };
        let result = settle(sh, result);
        saved.restore();
        if let Some(v) = saved_vars {
            restore_temporary(sh, v);
        }
        return match result {
            // `command` keeps a special built-in's error from ending the shell.
            Err(Divert::Abort(s)) if lookup.no_special => Ok(s),
            other => other,
        };
    }

    if redirect_first {
        return redirect::with_redirections(sh, redirects, |sh| {
            run_fields(sh, fields, assigns, &[], cx, lookup)
        });
    }
    let (mut saved_vars, done) = match made.take() {
        Some(made) => made,
        None => assign_temporarily(sh, assigns)?,
    };
    if !lookup.traced {
        super::xtrace::simple(sh, &done, fields);
    }
    let result = if let Some(body) = sh
        .functions
        .get(name)
        .filter(|_| !lookup.no_functions)
        .cloned()
    {
        if sh.options.bash() && !saved_vars.is_empty() {
            // The assignments are a scope of their own below the function's: its `unset`
            // of one of them shows the variable it hid again, as a caller's local would.
            let path = saved_vars.iter().any(|(n, _)| n == b"PATH");
            sh.vars.push_temporary_frame(saved_vars, true);
            let result = redirect::with_redirections(sh, redirects, |sh| {
                call_function(sh, &body, fields, cx)
            });
            sh.vars.pop_frame();
            if path {
                sh.hash.clear();
            }
            return settle(sh, result);
        }
        redirect::with_redirections(sh, redirects, |sh| call_function(sh, &body, fields, cx))
    } else if let Some(b) = builtin {
        let vars = std::mem::take(&mut saved_vars);
        let (result, left) = run_declaring(sh, fields, vars, |sh| {
            redirect::with_redirections(sh, redirects, |sh| b.run(sh, fields, cx.not_last()))
        });
        saved_vars = left;
        result
    } else if autocd(sh, name) {
        // bash shows the command it runs instead, untraced as it is.
        let mut words = vec![b"cd".to_vec(), b"--".to_vec()];
        words.extend_from_slice(fields);
        let shown: Vec<Vec<u8>> = words.iter().map(|w| super::xtrace::word(w)).collect();
        crate::sys::fd::write_all(2, &[shown.join(&b' '), b"\n".to_vec()].concat());
        let function = sh.functions.get(&b"cd"[..]).cloned();
        redirect::with_redirections(sh, redirects, |sh| {
            match (function, builtins::lookup(b"cd", true)) {
                (Some(body), _) => call_function(sh, &body, &words, cx),
                (None, Some(cd)) => cd.run(sh, &words, cx.not_last()),
                (None, None) => Ok(1),
            }
        })
    } else {
        run_external(sh, fields, redirects, cx, lookup)
    };
    restore_temporary(sh, saved_vars);
    settle(sh, result)
}

/// bash runs `eval`, `source` (`.`), `unset` and `mapfile` with their temporary assignments
/// as a scope, as it does a function.
fn opens_scope(sh: &Shell, fields: &[Vec<u8>], saved: &SavedVars) -> bool {
    !saved.is_empty()
        && sh.options.bash()
        && matches!(
            &fields[0][..],
            b"eval" | b"source" | b"." | b"unset" | b"mapfile" | b"readarray"
        )
}

/// bash's `shopt -s autocd` in an interactive shell: a command that is no function, built-in
/// or program, but the name of a directory, is run as `cd -- NAME`.
fn autocd(sh: &mut Shell, name: &[u8]) -> bool {
    use std::os::unix::ffi::OsStrExt;
    if !sh.options.interactive
        || !sh.options.bash()
        || !sh.options.shopt.on(crate::state::shopt::AUTOCD)
    {
        return false;
    }
    let program = spawn::find_in_path(sh, name);
    let path = program.as_deref().unwrap_or(name);
    std::fs::metadata(std::ffi::OsStr::from_bytes(path)).is_ok_and(|m| m.is_dir())
}

fn run_external(
    sh: &mut Shell,
    fields: &[Vec<u8>],
    redirects: &[crate::syntax::ast::Redirect],
    cx: Context,
    lookup: Lookup<'_>,
) -> ExecResult {
    let name = fields[0].as_slice();
    let path = if lookup.default_path {
        spawn::find_in_default_path(sh, name)
    } else {
        spawn::find_in_path(sh, name)
    };
    let Some(path) = path else {
        // Redirections are still performed (and their errors reported) before "not found",
        // which goes where they send standard error.
        spawn::record_never_started(sh, None, fields, &SpawnError::NotFound);
        if let Some(handler) = not_found_handler(sh) {
            return redirect::with_redirections(sh, redirects, |sh| {
                run_not_found_handler(sh, &handler, fields, cx)
            });
        }
        return redirect::with_redirections(sh, redirects, |sh| {
            cannot_run(sh, name, SpawnError::NotFound).raise()
        });
    };

    let mut saved = SavedFds::default();
    if let Err(e) = redirect::apply(sh, redirects, &mut saved) {
        let result = settle(sh, e.raise());
        saved.restore();
        return result;
    }
    if cx.exit_after && !sh.traps.any_command() {
        // Nothing follows in this process: become the program.
        let err = spawn::exec_program(sh, &path, fields, false, |_| {});
        return exec_failure(sh, &path, fields, err, saved, true);
    }
    let group = job_group(sh, true);
    let opts = SpawnOptions {
        process_group: group.map(|_| 0),
        terminal: group.and(sh.jobs.control.map(|c| c.tty)),
    };
    let pid = match spawn::spawn_program(sh, &path, fields, &opts) {
        Ok(pid) => pid,
        Err(err) => return exec_failure(sh, &path, fields, err, saved, false),
    };
    saved.restore();
    let parts = || match lookup.written {
        Some(sc) => vec![crate::syntax::print::simple_command(sc)],
        None => vec![quoted_fields(fields)],
    };
    // The command's text, as written, is kept only for a job that stops, which needs job
    // control.
    let (pgid, text) = match group {
        Some(_) => (pid, parts().concat()),
        None => (0, Vec::new()),
    };
    Ok(wait_foreground(sh, pgid, vec![pid], text, Some(&parts)))
}

/// A program's arguments as one line, each quoted where bash's `set -x` would.
fn quoted_fields(fields: &[Vec<u8>]) -> Vec<u8> {
    let quoted: Vec<Vec<u8>> = fields
        .iter()
        .map(|f| match super::xtrace::needs_quotes(f) {
            true => super::xtrace::single_quoted(f),
            false => f.clone(),
        })
        .collect();
    quoted.join(&b' ')
}

/// A program that could not start: the command's status (127 or 126), the shell goes on.
fn cannot_run(sh: &Shell, name: &[u8], error: SpawnError) -> ShellError {
    let status = error.status(sh.options.bash());
    ShellError::new(ErrorKind::CannotRun {
        name: name.to_vec(),
        error,
    })
    .with_status(status)
    .fails()
}

/// A program that could not start, reported while its redirections are in force (dash
/// reports it from the child it forked), then they are undone. A file the kernel will not run
/// for lack of a `#!` line is run as a shell script in a subshell (XCU 2.9.1.1).
fn exec_failure(
    sh: &mut Shell,
    path: &[u8],
    fields: &[Vec<u8>],
    err: SpawnError,
    saved: SavedFds,
    in_place: bool,
) -> ExecResult {
    if err == SpawnError::Os(sys::errno::ENOEXEC) {
        // The script runs with the command's redirections, as the program would have, and
        // a file refused is reported under them.
        let result = run_as_script(sh, path, fields, in_place);
        let result = settle(sh, result);
        saved.restore();
        return result;
    }
    // bash names the file it found (`/usr/local/bin/x: Permission denied`), dash the command.
    let name = if sh.options.bash() { path } else { &fields[0] };
    let result = settle(sh, cannot_run(sh, name, err).raise());
    saved.restore();
    result
}

/// Run a file with no `#!` line as a script, in a forked copy of the shell reset as a new
/// shell would be: no functions, aliases or traps; the arguments as positional parameters.
/// `in_place`: this subshell was to become the program, and becomes the script instead.
fn run_as_script(sh: &mut Shell, path: &[u8], fields: &[Vec<u8>], in_place: bool) -> ExecResult {
    let text = match std::fs::read(crate::state::os(path)) {
        Ok(t) => t,
        Err(e) => {
            let err = SpawnError::Os(e.raw_os_error().unwrap_or(sys::errno::EACCES));
            return cannot_run(sh, &fields[0], err).raise();
        }
    };
    if crate::toplevel::looks_binary(&text) {
        // A program's image for another system, not a script: bash names the file found.
        let name = if sh.options.bash() { path } else { &fields[0] };
        return cannot_run(sh, name, SpawnError::Os(sys::errno::ENOEXEC)).raise();
    }
    // `$0` is the file found, as when a shell is started on it.
    let mut fields = fields.to_vec();
    fields[0] = path.to_vec();
    let fields = &fields[..];
    if in_place && sh.in_subshell {
        // A subshell that was becoming the program runs the script itself.
        sh.audit.became_script();
        become_script(sh, &text, fields);
    }
    // Under job control the script is a foreground job, as the program would have been: it
    // may stop, and `fg`/`bg` see it.
    let group = job_group(sh, true);
    match spawn::fork_script(sh, group) {
        Ok(Forked::Child) => become_script(sh, &text, fields),
        Ok(Forked::Parent(pid)) if group.is_some() => {
            let text = fields.join(&b' ');
            Ok(wait_foreground(sh, pid, vec![pid], text, None))
        }
        Ok(Forked::Parent(pid)) => Ok(wait_pid(&mut sh.audit, pid, false).exit_status()),
        // Unlike a pipeline's, this failure is the command's only.
        Err(e) => ShellError::new(ErrorKind::CannotFork(e)).fails().raise(),
    }
}

const NOT_FOUND_HANDLER: &[u8] = b"command_not_found_handle";

/// bash's `command_not_found_handle` function, when one is defined.
fn not_found_handler(sh: &Shell) -> Option<crate::state::Function> {
    if !sh.options.bash() {
        return None;
    }
    sh.functions.get(NOT_FOUND_HANDLER).cloned()
}

/// A command not found, in bash: the `command_not_found_handle` function runs in a subshell
/// with the command's words as its arguments, and its status is the command's.
fn run_not_found_handler(
    sh: &mut Shell,
    handler: &crate::state::Function,
    fields: &[Vec<u8>],
    cx: Context,
) -> ExecResult {
    let mut args = vec![NOT_FOUND_HANDLER.to_vec()];
    args.extend_from_slice(fields);
    match spawn::fork_job(sh, None).map_err(super::pipeline::fork_failed)? {
        Forked::Child => {
            sh.forget_loops();
            let result = call_function(sh, handler, &args, cx.not_last());
            let result = settle(sh, result);
            let status = divert_status(sh, result);
            exit_child(sh, status)
        }
        Forked::Parent(pid) => Ok(wait_foreground(sh, 0, vec![pid], Vec::new(), None)),
    }
}

/// Run `text`, a file with no `#!` line, in this (forked) process as a new shell would (dash
/// execs /bin/sh on it, bash starts afresh): only the exported variables, with the defaults a
/// new shell sets, its own `$$`, the options a shell starts with, no functions, aliases or
/// traps; `fields` as `$0` and the positional parameters. Exits with the script's status.
pub fn become_script(sh: &mut Shell, text: &[u8], fields: &[Vec<u8>]) -> ! {
    let environment: Vec<_> = sh.vars.exported_pairs().collect();
    let mut vars = crate::state::Vars::from_environment(environment.into_iter());
    sh.cwd = crate::state::set_new_shell_defaults(&mut vars);
    sh.vars = vars;
    sh.pid = sys::process::pid();
    sh.options = crate::state::Options {
        posix: sh.options.posix,
        ..Default::default()
    };
    if sh.options.bash() {
        crate::toplevel::bash_variables(sh);
    }
    sh.functions.clear();
    sh.aliases.clear();
    // A new shell lists no trap of the one that started it (bash's subshells do).
    sh.traps.forget_inherited();
    sh.arg0 = fields[0].clone();
    sh.positional = fields[1..].to_vec();
    sh.lineno = 1;
    let result = run_text(sh, text, None, Context::default());
    let status = divert_status(sh, result);
    exit_child(sh, status)
}

/// bash's `FUNCNEST`: how many function calls may be active at once (none: no limit but
/// the shell's own).
fn function_nesting_limit(sh: &Shell) -> Option<usize> {
    if !sh.options.bash() {
        return None;
    }
    let value = sh.vars.get(b"FUNCNEST")?;
    let n: usize = std::str::from_utf8(value).ok()?.trim().parse().ok()?;
    (n > 0).then_some(n)
}

/// Call a function: new positional parameters and a scope for `local`; `return` ends it.
pub fn call_function(
    sh: &mut Shell,
    function: &crate::state::Function,
    args: &[Vec<u8>],
    cx: Context,
) -> ExecResult {
    if sh.nesting() >= super::eval::MAX_NESTING {
        return ShellError::too_deep().raise();
    }
    if let Some(limit) = function_nesting_limit(sh) {
        if sh.calls.iter().filter(|c| c.function).count() >= limit {
            let message = format!(
                "{}: maximum function nesting level exceeded ({limit})",
                String::from_utf8_lossy(&args[0])
            );
            // bash abandons the command being run at the top level.
            let error = ShellError::new(ErrorKind::text(message)).with_status(1);
            return ShellError {
                effect: super::Effect::Discards,
                ..error
            }
            .raise();
        }
    }
    let positional = args[1..].to_vec();
    let call_line = sh.lineno;
    sh.calls.push(crate::state::Call {
        name: args[0].clone(),
        line: sh.lineno.saturating_sub(sh.line_base),
        source: Rc::clone(&function.source),
        function: true,
        traced: function.traced,
        args: sh
            .options
            .shopt
            .on(crate::state::shopt::EXTDEBUG)
            .then(|| positional.clone()),
        err_trap_sets: sh.err_trap_sets,
    });
    let return_sets = sh.return_trap_sets;
    let base = match sh.options.interactive {
        true => function.line.saturating_sub(1),
        false => 0,
    };
    let outer_base = std::mem::replace(&mut sh.line_base, base);
    // bash: a function that leaves OPTIND as it found it (its own was local) leaves the
    // caller's getopts where it was in a word.
    let getopts_place = sh.options.bash().then(|| {
        let optind = sh.vars.get(b"OPTIND").map(<[u8]>::to_vec);
        (crate::builtins::getopts::place(), optind)
    });
    let result = {
        let sh = &mut *sh.push_frame(Frame::Function { positional });
        // Traced, a function meets the DEBUG trap once more on entry, as in bash.
        let traced = sh.traces_here();
        match traced && sh.traps.command(super::trap::DEBUG).is_some() {
            true => super::eval::run_condition_trap(sh, super::trap::DEBUG).map(|_| 0),
            false => Ok(0),
        }
        .and_then(|_| run_command(sh, &function.body, cx.not_last()))
    };
    if let Some((place, optind)) = getopts_place {
        if sh.vars.get(b"OPTIND") == optind.as_deref() {
            crate::builtins::getopts::return_to(place);
        }
    }
    // The RETURN trap runs while the function is still on the call stack (`FUNCNAME`), and
    // `$?` there is the last command's (not `return`'s operand), as in bash.
    let trap = match &result {
        Ok(_) | Err(Divert::Return(_))
            if sh.traps.command(super::trap::RETURN).is_some()
                && (sh.traces_here() || sh.return_trap_sets != return_sets) =>
        {
            super::eval::run_condition_trap(sh, super::trap::RETURN).map(|_| ())
        }
        _ => Ok(()),
    };
    sh.calls.pop();
    sh.line_base = outer_base;
    // Back in the caller, LINENO is the call's line again (the ERR trap of a failed call
    // shows it, as in bash).
    sh.lineno = call_line;
    match trap {
        // `return` in the RETURN trap gives the function its status (bash).
        Err(Divert::Return(s)) => return Ok(s),
        other => other?,
    }
    match result {
        Err(Divert::Return(s)) => Ok(s),
        other => other,
    }
}
