//! The shell's state: variables, parameters, options, functions, aliases, traps, jobs, and the
//! audit session. Everything the interpreter changes lives in [`Shell`].

pub mod array;
pub mod frame;
pub mod hash;
pub mod locale;
pub mod options;
pub mod shopt;
mod table_arrays;
pub mod vars;

use std::rc::Rc;
use vars::NameMap;

use crate::audit;
use crate::exec::jobs::Jobs;
use crate::exec::trap::Traps;
use crate::syntax::ast::Command;
pub use frame::Frame;
pub use options::Options;
pub use vars::{Var, VarError, Vars};

/// The whole state of one shell (a forked subshell gets a copy by fork).
pub struct Shell {
    pub vars: Vars,
    /// `$1`, `$2`, ...
    pub positional: Vec<Vec<u8>>,
    /// The arguments the shell was started with (`BASH_ARGV`'s last frame for a script).
    pub start_args: Rc<[Vec<u8>]>,
    /// `$0`: the shell's or script's name; also the prefix of error messages.
    pub arg0: Vec<u8>,
    pub options: Options,
    /// `$?`: written when a command finishes ([`Shell::set_last_status`]), put back by the
    /// frames that must not change it.
    last_status: i32,
    /// `$!`
    pub last_bg_pid: Option<i32>,
    /// `$$`: the pid of the main shell, unchanged in subshells.
    pub pid: i32,
    /// Functions by name.
    pub functions: NameMap<Function>,
    /// `export -f` has been used: only then does starting a program look for exported
    /// functions (the exec path does not walk the functions otherwise).
    pub functions_exported: bool,
    pub aliases: NameMap<Vec<u8>>,
    pub traps: Traps,
    pub jobs: Jobs,
    /// Remembered command locations (`hash`).
    pub hash: hash::HashTable,
    pub audit: audit::Session,
    /// The line of the command being run: the `LINE` in `NAME: LINE: message`.
    pub lineno: u32,
    /// The line the parser reading the commands has reached (past the newline that ended
    /// the command being run): dash tells "Bad fd number", raised as a syntax error while a
    /// command runs, at this line.
    pub parser_line: u32,
    /// dash's name for the errors of the commands an `eval` or a sourced file runs (`eval: `,
    /// `FILE: `), written after the line unless a built-in names itself there.
    pub text_label: Option<Rc<[u8]>>,
    /// True in a forked child (subshell, pipeline member, command substitution).
    pub in_subshell: bool,
    /// This process runs a command substitution (bash tells no job's death there).
    pub in_command_substitution: bool,
    /// The last argument of the last simple command (bash's `$_`).
    pub last_arg: Vec<u8>,
    /// How many subshells deep this process is (bash's `$BASH_SUBSHELL`).
    pub subshell_depth: u32,
    /// The text of the simple command being run, kept while a trap that may read it is set
    /// (bash's `$BASH_COMMAND`).
    pub bash_command: Vec<u8>,
    /// Function calls, `.` and `eval` currently active (bounded, so no input overflows the
    /// stack); frames keep it.
    depth: u32,
    /// Nesting of loops, for `break` and `continue`; frames keep it.
    loop_depth: u32,
    /// The working directory as the shell tracks it (logical, like PWD, but not changeable by
    /// assigning PWD: the audit records this one).
    pub cwd: Vec<u8>,
    /// The startup file (or prompt variable) being run, for the audit record of programs it
    /// starts; [`Frame::Origin`] sets it.
    origin: Option<Vec<u8>>,
    /// The status of the last command substitution in the current command (the status of a
    /// command that has only assignments).
    pub subst_status: Option<i32>,
    /// The array values of a declaration utility's operands (`declare a=(...)`), by operand
    /// index: set when its words are expanded, taken by the built-in.
    pub compound_args: Vec<(usize, Vec<crate::exec::assign::Element>)>,
    /// The shell's ends of the process substitutions (bash's `<(...)`) of the commands being
    /// run, with their children: closed when the command finishes.
    pub process_substs: Vec<(i32, i32)>,
    /// Process substitution children not yet collected.
    pub process_subst_children: Vec<i32>,
    /// A trap on ERR, DEBUG or RETURN is running (they do not run inside each other, but
    /// for the DEBUG trap inside an ERR or RETURN trap's commands and the ERR trap inside the
    /// DEBUG trap's, as bash).
    pub in_condition_trap: bool,
    /// The DEBUG trap is running.
    pub in_debug_trap: bool,
    /// The ERR trap is running (bash runs it inside the DEBUG trap, not inside itself).
    pub in_err_trap: bool,
    /// In the child of `cmd &`: the status of `cmd` itself is the waiting shell's to look
    /// at, so no ERR trap runs for it here (those of a function's commands still do).
    pub status_unchecked: bool,
    /// bash: `set -e` was run since the outermost `!` being run began (see
    /// [`crate::exec::Context::negated`]).
    pub errexit_renewed: bool,
    /// `shopt -u expand_aliases` was run: aliases are not expanded. Otherwise they are, in
    /// every mode (POSIX's rule; bash's non-interactive default is off).
    pub aliases_off: bool,
    /// How many times `set` gave new positional parameters (a sourced file that does keeps
    /// them, in bash).
    pub positional_sets: u32,
    /// bash: the trap on SIGCHLD is running; the children its commands start do not run it.
    pub in_chld_trap: bool,
    /// bash: an error was reported deep in a command (the arithmetic of an integer
    /// variable's value, of a subscript `test -v` reads) that abandons everything up to the
    /// top-level command: the command's result becomes [`crate::exec::Divert::Unwind`].
    pub unwind_pending: std::cell::Cell<bool>,
    /// The words being expanded are those of a command whose status is tested (`if`,
    /// `&&`, `!`): bash's command substitutions in them run without `set -e`, even with
    /// `inherit_errexit`.
    pub words_tested: bool,
    /// `export SHELLOPTS` / `export BASHOPTS` (bash): programs get the options' names as
    /// they are when each starts (bit [`SHELLOPTS_BIT`], [`BASHOPTS_BIT`]).
    pub exported_options: u8,
    /// In a pipeline member: the shell ran the DEBUG trap for its simple command already.
    pub debug_ran: bool,
    /// In a pipeline member's process, its simple command: the command's own failure runs
    /// no ERR trap there (bash runs it once, in the shell, for the pipeline).
    pub pipeline_member: bool,
    /// In a pipeline member's process other than a `( )`'s: a program that replaces it does
    /// not take the shell's place, and `SHLVL` stays as it is (bash).
    pub keeps_shell_level: bool,
    /// bash: standard input was given by a pipe or by a redirection of an enclosing
    /// command; an asynchronous list then keeps it instead of reading /dev/null.
    pub stdin_redirected: bool,
    /// The status the last `break` or `continue` leaves its loops with: 0, or 1 for bash's
    /// out-of-range count, which leaves every loop.
    pub break_status: i32,
    /// In an interactive shell, the line before the running function's definition: bash
    /// counts `LINENO` and the call stack's lines from a function's start there.
    pub line_base: u32,
    /// A signal's or the EXIT trap is running: `$BASH_COMMAND` stays the command it came
    /// upon (bash).
    pub in_trap: bool,
    /// Inside an EXIT trap (and, in posix mode, a signal's): the status before the trap ran,
    /// which `exit` without an operand uses (POSIX.1-2024).
    pub status_before_trap: Option<i32>,
    /// Inside a signal's trap: the status before it ran and how many calls deep the shell
    /// was. `return` without an operand leaves the function the signal came in with that
    /// status (POSIX.1-2024); bash 5.2 uses it for a `return` in any function the trap
    /// calls too.
    pub return_in_trap: Option<(i32, usize)>,
    /// How many times a RETURN trap has been set: a function whose call set one runs it.
    pub return_trap_sets: u64,
    /// How many times an ERR trap has been set (or reset).
    pub err_trap_sets: u64,
    /// A function returned from its ERR trap (`trap 'return 1' ERR`): its call does not run
    /// the trap again (bash).
    pub returned_from_err_trap: bool,
    /// `pushd`'s stack, below the current directory (bash's `DIRSTACK` from index 1).
    pub dirstack: Vec<Vec<u8>>,
    /// The statuses of the last foreground pipeline's commands (bash's `PIPESTATUS`).
    pub pipestatus: Vec<i32>,
    /// The functions and `source`d files being run, innermost last (bash's `FUNCNAME`,
    /// `BASH_SOURCE` and `BASH_LINENO`, and `caller`).
    pub calls: Vec<Call>,
    /// Levels of `eval`, `source`, trap and command substitution around the command being
    /// run: bash repeats `PS4`'s first character once more for each (`set -x`).
    pub trace_level: u32,
    /// The script being run, if the shell runs one (bash's `BASH_SOURCE`, and `main` at the
    /// bottom of `FUNCNAME`).
    pub script: Option<Vec<u8>>,
    /// Built-ins turned off by `enable -n` (the name finds a function or a program).
    pub disabled_builtins: std::collections::HashSet<Vec<u8>>,
    /// Per active function call: the options to restore on return, if `local -` saved them.
    local_options: Vec<Option<Options>>,
    /// The command line being run.
    pub line: CommandLine,
    /// When `$SECONDS` was 0: the shell's start, or the time of an assignment to it (less
    /// the value assigned).
    pub started: std::time::Instant,
    /// bash: `RANDOM=seed` makes `$RANDOM` a repeatable sequence in this process (the state,
    /// and the process it belongs to: a subshell draws at random again).
    random_seeded: std::cell::Cell<Option<(u32, crate::sys::process::pid_t)>>,
    /// The last `$RANDOM` given: never the same twice in a row (bash).
    random_last: std::cell::Cell<u32>,
    /// bash: the computed variables an `unset` made ordinary ([`ORDINARY_ONCE_UNSET`]).
    made_ordinary: Vec<&'static [u8]>,
    /// The commands entered at the terminal (for `fc` and the line editor).
    pub history: crate::interactive::history::History,
    /// The line editor's bindings and variables (`bind`, the inputrc file).
    pub readline: crate::interactive::inputrc::Readline,
    /// The completion specifications `complete` defined.
    pub completion: crate::builtins::complete::Specs,
    /// The options of the completion under way (`compopt` changes them); None outside one.
    pub completing: Option<crate::builtins::complete::CompOptions>,
    /// The status the last completion function returned (124: try again).
    pub completion_status: i32,
}

/// The command line being run, as its audit record knows it.
#[derive(Default)]
pub struct CommandLine {
    /// Its record's id: a job stopped in it keeps the id, so the line's end record can wait for
    /// the job's final status.
    pub id: Option<audit::CommandId>,
    /// Its text (for the job table).
    pub text: Vec<u8>,
    /// The signal that killed the last foreground job, if one did (for the end record).
    pub killed_by: Option<i32>,
}

/// The arrays the shell computes when they are read ([`Shell::dynamic_array`]).
const DYNAMIC_ARRAYS: [&[u8]; 8] = [
    b"GROUPS",
    b"PIPESTATUS",
    b"DIRSTACK",
    b"FUNCNAME",
    b"BASH_LINENO",
    b"BASH_SOURCE",
    b"BASH_ARGV",
    b"BASH_ARGC",
];

/// The scalars the shell computes when they are read ([`Shell::dynamic_var`]).
const DYNAMIC_SCALARS: [&[u8]; 14] = [
    b"RANDOM",
    b"SECONDS",
    b"EPOCHSECONDS",
    b"EPOCHREALTIME",
    b"SRANDOM",
    b"BASHPID",
    b"HISTCMD",
    b"BASH_SUBSHELL",
    b"BASH_ARGV0",
    b"_",
    b"SHELLOPTS",
    b"BASHOPTS",
    b"BASH_COMMAND",
    b"LINENO",
];

/// A syntax error with `message` and no label (bash puts the label in the prefix).
fn unlabelled(err: &crate::exec::ShellError, message: String) -> crate::exec::ShellError {
    let mut e = err.clone();
    e.kind = crate::exec::ErrorKind::Syntax {
        label: Vec::new(),
        message,
    };
    e
}

/// bash: the computed variables an `unset` makes ordinary variables for good.
const ORDINARY_ONCE_UNSET: [&[u8]; 17] = [
    b"RANDOM",
    b"SECONDS",
    b"LINENO",
    b"HISTCMD",
    b"FUNCNAME",
    b"GROUPS",
    b"DIRSTACK",
    b"BASH_ALIASES",
    b"BASH_ARGV0",
    b"BASH_CMDS",
    b"BASH_COMMAND",
    b"BASH_SUBSHELL",
    b"BASHPID",
    b"EPOCHREALTIME",
    b"EPOCHSECONDS",
    b"SRANDOM",
    b"COMP_WORDBREAKS",
];

/// bash: the arrays of the call stack, which `unset` refuses.
const CANNOT_UNSET: [&[u8]; 4] = [b"BASH_SOURCE", b"BASH_LINENO", b"BASH_ARGV", b"BASH_ARGC"];

/// [`Shell::exported_options`]: `SHELLOPTS` is exported.
pub const SHELLOPTS_BIT: u8 = 1;
/// [`Shell::exported_options`]: `BASHOPTS` is exported.
pub const BASHOPTS_BIT: u8 = 2;

/// bash's read-only lists of the options that are on, by name: their bit, 0 for another name.
pub fn option_list_bit(name: &[u8]) -> u8 {
    match name {
        b"SHELLOPTS" => SHELLOPTS_BIT,
        b"BASHOPTS" => BASHOPTS_BIT,
        _ => 0,
    }
}

/// The search path dash uses when PATH is not in the environment.
pub const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

impl Shell {
    /// The locale's character set is UTF-8: the first of LC_ALL, LC_CTYPE, LANG that is set
    /// and not empty names it.
    pub fn utf8_locale(&self) -> bool {
        [&b"LC_ALL"[..], b"LC_CTYPE", b"LANG"]
            .iter()
            .find_map(|n| self.vars.get(n).filter(|v| !v.is_empty()))
            .is_some_and(locale::names_utf8)
    }

    /// A shell with variables from the environment and the defaults a new shell sets
    /// ([`set_new_shell_defaults`]).
    pub fn new(arg0: Vec<u8>, audit: audit::Session) -> Shell {
        let mut vars = Vars::from_env();
        locale::set_bash(true);
        let pid = crate::sys::process::pid();
        let cwd = set_new_shell_defaults(&mut vars);
        Shell {
            vars,
            positional: Vec::new(),
            start_args: Rc::from(Vec::new()),
            arg0,
            options: Options::default(),
            last_status: 0,
            last_bg_pid: None,
            pid,
            functions: NameMap::default(),
            functions_exported: false,
            aliases: NameMap::default(),
            traps: Traps::default(),
            jobs: Jobs::default(),
            hash: hash::HashTable::default(),
            audit,
            lineno: 1,
            parser_line: 1,
            text_label: None,
            in_subshell: false,
            subshell_depth: 0,
            last_arg: Vec::new(),
            bash_command: Vec::new(),
            depth: 0,
            loop_depth: 0,
            cwd,
            origin: None,
            subst_status: None,
            compound_args: Vec::new(),
            process_substs: Vec::new(),
            process_subst_children: Vec::new(),
            dirstack: Vec::new(),
            in_condition_trap: false,
            in_debug_trap: false,
            in_err_trap: false,
            status_unchecked: false,
            errexit_renewed: false,
            aliases_off: false,
            positional_sets: 0,
            in_chld_trap: false,
            in_command_substitution: false,
            unwind_pending: std::cell::Cell::new(false),
            words_tested: false,
            exported_options: 0,
            debug_ran: false,
            pipeline_member: false,
            keeps_shell_level: false,
            stdin_redirected: false,
            break_status: 0,
            in_trap: false,
            line_base: 0,
            status_before_trap: None,
            return_in_trap: None,
            return_trap_sets: 0,
            err_trap_sets: 0,
            returned_from_err_trap: false,
            pipestatus: Vec::new(),
            calls: Vec::new(),
            trace_level: 0,
            script: None,
            disabled_builtins: std::collections::HashSet::new(),
            local_options: Vec::new(),
            line: CommandLine::default(),
            started: std::time::Instant::now(),
            random_seeded: std::cell::Cell::new(None),
            random_last: std::cell::Cell::new(0),
            made_ordinary: Vec::new(),
            history: crate::interactive::history::History::new(),
            readline: Default::default(),
            completion: Default::default(),
            completing: None,
            completion_status: 0,
        }
    }

    /// `$?`.
    pub fn last_status(&self) -> i32 {
        self.last_status
    }

    /// A command has finished with `status`: `$?` from now on. The evaluator calls it where a
    /// command, a pipeline or a command line ends (`exec::eval::command_finished`).
    pub fn set_last_status(&mut self, status: i32) {
        self.last_status = status;
    }

    /// Function calls, `.`, `eval` and traps being run (the caller bounds it).
    /// Whether the option of this `set -o` name is on (None: no such option). bash keeps
    /// `ignoreeof` in IGNOREEOF: it is on while the variable is set.
    pub fn option_on(&self, name: &str) -> Option<bool> {
        match name {
            "ignoreeof" if self.options.bash() => Some(self.vars.get(b"IGNOREEOF").is_some()),
            _ => self.options.get_by_name(name),
        }
    }

    pub fn nesting(&self) -> u32 {
        self.depth
    }

    /// Loops enclosing the command being run, in this function (for `break` and `continue`).
    pub fn loop_depth(&self) -> u32 {
        self.loop_depth
    }

    /// A subshell in bash starts outside any loop: `break` there reaches none of its parent's.
    pub fn forget_loops(&mut self) {
        self.loop_depth = 0;
    }

    /// `local -`: the options as they are now come back when the current function returns.
    /// False outside a function.
    pub fn keep_options_locally(&mut self) -> bool {
        match self.local_options.last_mut() {
            Some(slot) => {
                // A second `local -` saves the options as they are then.
                *slot = Some(self.options.clone());
                true
            }
            None => false,
        }
    }

    /// `local -` has been used in the function running now.
    pub fn options_are_local(&self) -> bool {
        matches!(self.local_options.last(), Some(Some(_)))
    }

    /// Write the `exec` record of the program at `path`, run from the working directory; one
    /// started by a startup file or a prompt carries that file (or variable) and the line.
    pub fn record_exec(
        &mut self,
        path: &[u8],
        argv: &[Vec<u8>],
        starting: &audit::Starting<'_>,
    ) -> Result<(), audit::Denied> {
        let origin = self.origin.as_deref().map(|name| (name, self.lineno));
        self.audit.exec(path, argv, &self.cwd, origin, starting)
    }

    /// Print an error on standard error in dash's format, `NAME: LINE: message`, a line for
    /// each line of the message. The command runner calls it (`exec::settle`), and the top
    /// level for what no command raised.
    pub fn report(&self, err: &crate::exec::ShellError) {
        if matches!(&err.kind, crate::exec::ErrorKind::Syntax { message, .. } if message.is_empty())
        {
            // A syntax error bash tells nothing of (`[[ ]]`).
            return;
        }
        // dash: `NAME: 3: message`; bash: `NAME: line 3: message`.
        let bash = self.options.bash();
        // bash names the file of the function or sourced file running (its `BASH_SOURCE`;
        // `environment` for a function the `-c` string defined), else `$0`.
        let name = match self.calls.last() {
            Some(call) if bash && !self.options.interactive && !call.source.is_empty() => {
                &call.source[..]
            }
            _ => &self.arg0[..],
        };
        let mut prefix = Vec::with_capacity(name.len() + 16);
        prefix.extend_from_slice(name);
        if bash && self.options.interactive {
            return self.report_at_prompt(err, prefix);
        }
        let relabelled;
        // bash: `NAME: eval: line N: ...` for a syntax error in `eval`'s text; one in a
        // sourced file's is named by the file already.
        let err = match &err.kind {
            crate::exec::ErrorKind::Syntax { label, message } if bash && !label.is_empty() => {
                if label == b"eval: " {
                    prefix.extend_from_slice(b": eval");
                }
                relabelled = unlabelled(err, message.clone());
                &relabelled
            }
            // A `-c` string's own: `NAME: -c: line N: ...`.
            crate::exec::ErrorKind::Syntax { .. } if bash && self.options.command_string => {
                prefix.extend_from_slice(b": -c");
                err
            }
            _ => err,
        };
        // `shopt -s gnu_errfmt`: GNU's `NAME:N: message`.
        prefix.extend_from_slice(match bash {
            true if self.options.shopt.on(shopt::GNU_ERRFMT) => b":",
            true => b": line ",
            false => b": ",
        });
        let line = match err.kind {
            crate::exec::ErrorKind::BadFdNumber if !bash => self.parser_line,
            _ => self.lineno,
        };
        prefix.extend_from_slice(line.to_string().as_bytes());
        prefix.extend_from_slice(b": ");
        if let Some(label) = self.text_label.as_deref().filter(|_| !bash) {
            if err.builtin.is_none() && !matches!(err.kind, crate::exec::ErrorKind::Syntax { .. }) {
                prefix.extend_from_slice(label);
            }
        }
        let mut text = Vec::with_capacity(prefix.len() + 128);
        err.write_lines(&prefix, &mut text, bash);
        crate::sys::fd::write_all(2, &text);
    }

    /// [`Shell::report`] in bash at its prompt: `NAME: message`, no line, and a syntax error
    /// (also `eval`'s) without the line under it; one in a sourced file is
    /// `NAME: FILE: line N: ...`.
    fn report_at_prompt(&self, err: &crate::exec::ShellError, mut prefix: Vec<u8>) {
        let relabelled;
        let err = match &err.kind {
            crate::exec::ErrorKind::Syntax { label, message } => {
                let sourced = !label.is_empty() && label != b"eval: ";
                let message = match sourced {
                    false => message.lines().next().unwrap_or_default().to_string(),
                    true => message.clone(),
                };
                if sourced {
                    prefix.extend_from_slice(b": ");
                    prefix.extend_from_slice(label.strip_suffix(b": ").unwrap_or(label));
                    prefix.extend_from_slice(b": line ");
                    prefix.extend_from_slice(self.lineno.to_string().as_bytes());
                }
                relabelled = unlabelled(err, message);
                &relabelled
            }
            _ => err,
        };
        prefix.extend_from_slice(b": ");
        let mut text = Vec::with_capacity(prefix.len() + 128);
        err.write_lines(&prefix, &mut text, true);
        crate::sys::fd::write_all(2, &text);
    }

    /// Set a variable, honouring `set -a` (allexport).
    pub fn set_var(&mut self, name: &[u8], value: Vec<u8>) -> Result<(), VarError> {
        let value = match self.options.bash() {
            true => match self.assign_computed(name, value)? {
                Some(value) => value,
                None => return Ok(()),
            },
            false => value,
        };
        if let Some((array, sub)) = self.vars.element_ref(name) {
            let (array, sub) = (array.to_vec(), sub.to_vec());
            return self.set_element_ref(&array, &sub, value);
        }
        let Some(value) = self.integer_value(name, value) else {
            return Ok(());
        };
        self.vars.set(name, value)?;
        if name == b"PATH" {
            self.hash.clear();
        }
        if name.starts_with(b"HIST") {
            self.history_limit_assigned(name);
        }
        if self.options.allexport {
            self.vars.set_exported(name, true);
        }
        Ok(())
    }

    /// bash: an assignment to `HISTSIZE` shrinks the kept history and one to `HISTFILESIZE`
    /// cuts the history file at once, not at the next prompt; one to `HISTTIMEFORMAT` starts
    /// keeping times.
    #[cold]
    fn history_limit_assigned(&mut self, name: &[u8]) {
        use crate::interactive::history::History;
        if !self.options.bash() {
            return;
        }
        match name {
            b"HISTSIZE" => {
                let size = History::size_from(self.get_var(b"HISTSIZE"));
                self.history.set_size(size);
            }
            // Entries kept from now on carry their times (in a script, only once the shell
            // itself sets HISTTIMEFORMAT: bash ignores one it inherits there).
            b"HISTTIMEFORMAT" => self.history.keep_times(),
            b"HISTFILESIZE" => {
                let file = crate::interactive::history_file(self);
                if let (Some(file), Some(limit)) =
                    (file, crate::interactive::history_file_size(self))
                {
                    History::truncate_file(&file, limit);
                }
            }
            _ => {}
        }
    }

    /// bash: an assignment to a variable the shell computes, while it computes it, does what
    /// that variable means (RANDOM takes a seed, SECONDS a new count, BASH_ARGV0 sets `$0`),
    /// nothing, or is refused; None when it was taken so, else the value to assign as usual.
    fn assign_computed(
        &mut self,
        name: &[u8],
        value: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, VarError> {
        match name {
            // SHELLOPTS and BASHOPTS follow the options and take no value.
            b"SHELLOPTS" | b"BASHOPTS" => return Err(VarError::ReadOnly(name.to_vec())),
            b"FUNCNAME" | b"GROUPS" | b"BASH_LINENO" | b"BASH_ARGV0" | b"RANDOM" | b"SECONDS" => {}
            _ => return Ok(Some(value)),
        }
        if self.vars.var(name).is_some() || self.is_made_ordinary(name) {
            return Ok(Some(value));
        }
        match name {
            b"BASH_ARGV0" => self.arg0 = value,
            b"RANDOM" => {
                let n = self.integer_value_of(value);
                self.random_seeded
                    .set(Some((n as u32, crate::sys::process::pid())));
                self.random_last.set(0);
            }
            b"SECONDS" => {
                let n = self.integer_value_of(value);
                let back = std::time::Duration::from_secs(n.max(0) as u64);
                let now = std::time::Instant::now();
                self.started = now.checked_sub(back).unwrap_or(now);
            }
            _ => {}
        }
        Ok(None)
    }

    /// bash: `unset name` of a variable the shell computes. Most become ordinary variables
    /// for good; the arrays of the call stack cannot be unset (false).
    pub fn unset_computed(&mut self, name: &[u8]) -> bool {
        if CANNOT_UNSET.contains(&name) {
            return false;
        }
        if let Some(n) = ORDINARY_ONCE_UNSET.iter().find(|n| **n == name) {
            if !self.is_made_ordinary(name) {
                self.made_ordinary.push(n);
            }
        }
        true
    }

    pub(super) fn is_made_ordinary(&self, name: &[u8]) -> bool {
        !self.made_ordinary.is_empty() && self.made_ordinary.contains(&name)
    }

    /// `r=value` where `r` names an array element (`declare -n r='a[1]'`).
    #[cold]
    fn set_element_ref(
        &mut self,
        array: &[u8],
        sub: &[u8],
        value: Vec<u8>,
    ) -> Result<(), VarError> {
        let bad = || VarError::BadSubscript([array, b"[", sub, b"]"].concat());
        let key =
            crate::expand::subscript::key_of_text(self, array, sub, true).map_err(|_| bad())?;
        let Some(value) = self.integer_value(array, value) else {
            return Ok(());
        };
        self.vars.set_element(array, key.ok_or_else(bad)?, value)
    }

    /// bash: assignments to the arrays it keeps of the call stack, the groups and the
    /// statuses of the last pipeline have no effect (until one is unset and made an ordinary
    /// variable; `PIPESTATUS` never is).
    pub fn ignores_assignment(&self, name: &[u8]) -> bool {
        matches!(
            name,
            b"FUNCNAME" | b"GROUPS" | b"BASH_LINENO" | b"PIPESTATUS"
        ) && self.options.bash()
            && self.vars.var(name).is_none()
            && !self.is_made_ordinary(name)
    }

    /// `value` as an integer variable takes it (an expression that fails is 0).
    fn integer_value_of(&mut self, value: Vec<u8>) -> i64 {
        crate::expand::arith::eval(self, &value).unwrap_or(0)
    }

    /// The next `$RANDOM`, 0 to 32767: drawn from the kernel, or, once seeded, from the
    /// Park-Miller minimal standard generator folded to 15 bits as bash folds it, so that a
    /// seed gives bash's sequence.
    fn next_random(&self) -> u32 {
        let pid = crate::sys::process::pid();
        loop {
            let n = match self.random_seeded.get() {
                Some((state, seeded_in)) if seeded_in == pid => {
                    let x = if state == 0 {
                        123_459_876
                    } else {
                        state as i64
                    };
                    let (hi, lo) = (x / 127_773, x % 127_773);
                    let mut t = 16_807 * lo - 2_836 * hi;
                    if t < 0 {
                        t += 0x7fff_ffff;
                    }
                    self.random_seeded.set(Some((t as u32, pid)));
                    let t = t as u32;
                    ((t >> 16) ^ (t & 0xffff)) & 0x7fff
                }
                _ => {
                    let mut n = [0u8; 2];
                    let _ = crate::sys::process::random_fill(&mut n, false);
                    u32::from(u16::from_ne_bytes(n) & 0x7fff)
                }
            };
            if n != self.random_last.get() {
                self.random_last.set(n);
                return n;
            }
        }
    }

    /// For a variable with the integer attribute (`declare -i`), the value evaluated as
    /// arithmetic; None when the expression fails, after its message: the variable keeps its
    /// value, as in bash.
    pub fn integer_value(&mut self, name: &[u8], value: Vec<u8>) -> Option<Vec<u8>> {
        if self.vars.attrs(name) & vars::INTEGER == 0 {
            return Some(value);
        }
        match crate::expand::arith::eval(self, &value) {
            Ok(n) => Some(n.to_string().into_bytes()),
            Err(e) => {
                let err = crate::exec::ShellError::from(e);
                self.report(&err);
                self.unwind_pending.set(true);
                None
            }
        }
    }

    /// The value of a variable the shell computes when it is read (bash's `$RANDOM`, a number
    /// from 0 to 32767, and `$SECONDS`, the seconds since the shell started), unless the user
    /// has set a variable of that name.
    pub fn dynamic_var(&self, name: &[u8]) -> Option<Vec<u8>> {
        if self.is_made_ordinary(name) {
            return None;
        }
        match name {
            b"RANDOM" => Some(self.next_random().to_string().into_bytes()),
            b"SECONDS" => Some(self.started.elapsed().as_secs().to_string().into_bytes()),
            // POSIX's one computed variable (Debian's dash leaves it out).
            b"LINENO" => Some(
                self.lineno
                    .saturating_sub(self.line_base)
                    .to_string()
                    .into_bytes(),
            ),
            _ if self.options.posix => None,
            b"EPOCHSECONDS" => Some(epoch().as_secs().to_string().into_bytes()),
            b"EPOCHREALTIME" => {
                let t = epoch();
                Some(format!("{}.{:06}", t.as_secs(), t.subsec_micros()).into_bytes())
            }
            b"SRANDOM" => {
                let mut n = [0u8; 4];
                let _ = crate::sys::process::random_fill(&mut n, false);
                Some(u32::from_ne_bytes(n).to_string().into_bytes())
            }
            b"BASHPID" => Some(crate::sys::process::pid().to_string().into_bytes()),
            b"HISTCMD" => {
                let n = if self.options.history {
                    self.history.current_number()
                } else {
                    0
                };
                Some(n.to_string().into_bytes())
            }
            b"BASH_SUBSHELL" => Some(self.subshell_depth.to_string().into_bytes()),
            b"BASH_ARGV0" => Some(self.arg0.clone()),
            b"_" => Some(self.last_arg.clone()),
            b"SHELLOPTS" => Some(self.options.shellopts()),
            b"BASHOPTS" => Some(self.options.shopt.enabled_names()),
            b"BASH_COMMAND" => Some(self.bash_command.clone()),
            // An array's name alone is its element 0 (`$FUNCNAME`).
            _ => self.dynamic_array(name)?.into_iter().next(),
        }
    }

    /// The arrays the shell computes when they are read (bash): `PIPESTATUS`, `FUNCNAME`,
    /// `BASH_LINENO`, `BASH_SOURCE`, unless the user has set a variable of that name.
    pub fn dynamic_array(&self, name: &[u8]) -> Option<Vec<Vec<u8>>> {
        match self.is_made_ordinary(name) {
            true => None,
            false => self.computed_array(name),
        }
    }

    /// [`Shell::dynamic_array`], also when an `unset` made the name ordinary (`caller`
    /// reads the call stack still).
    pub fn computed_array(&self, name: &[u8]) -> Option<Vec<Vec<u8>>> {
        if self.options.posix {
            return None;
        }
        let text = |n: &dyn std::fmt::Display| n.to_string().into_bytes();
        let in_function = self.in_function();
        let script = self.script.as_ref();
        match name {
            b"PIPESTATUS" => Some(self.pipestatus.iter().map(|s| text(s)).collect()),
            b"GROUPS" => Some(
                crate::sys::process::groups()
                    .iter()
                    .map(|g| text(g))
                    .collect(),
            ),
            b"DIRSTACK" => Some(
                std::iter::once(self.cwd.clone())
                    .chain(self.dirstack.iter().cloned())
                    .collect(),
            ),
            // FUNCNAME exists only while a function runs.
            b"FUNCNAME" => in_function.then(|| self.call_names()),
            b"BASH_LINENO" => {
                let calls = self.calls.iter().rev().map(|c| text(&c.line));
                Some(calls.chain(script.map(|_| b"0".to_vec())).collect())
            }
            b"BASH_ARGV" => Some(
                self.argument_frames()
                    .flat_map(|args| args.iter().rev().cloned())
                    .collect(),
            ),
            b"BASH_ARGC" => Some(self.argument_frames().map(|a| text(&a.len())).collect()),
            b"BASH_SOURCE" => {
                let calls = self.calls.iter().rev().map(|c| c.source.to_vec());
                Some(calls.chain(script.cloned()).collect())
            }
            _ => None,
        }
    }

    /// The names of the calls being run, innermost first (`source` for a sourced file), and
    /// `main` for a script: `FUNCNAME` in a function, and what `caller` reads everywhere.
    pub fn call_names(&self) -> Vec<Vec<u8>> {
        let calls = self.calls.iter().rev().map(|c| c.name.clone());
        let main = self.script.as_ref().map(|_| b"main".to_vec());
        calls.chain(main).collect()
    }

    /// `name` is one of the arrays the shell computes (`FUNCNAME`, `PIPESTATUS`...).
    pub fn is_dynamic_array(&self, name: &[u8]) -> bool {
        !self.options.posix && DYNAMIC_ARRAYS.contains(&name)
    }

    /// The names of the values the shell computes that have one now, no variable of that
    /// name hiding it (for `${!prefix*}`).
    pub fn computed_names(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        DYNAMIC_SCALARS
            .iter()
            .filter(|n| self.dynamic_var(n).is_some())
            .chain(
                DYNAMIC_ARRAYS
                    .iter()
                    // PIPESTATUS is there once a command has run.
                    .filter(|n| {
                        self.dynamic_array(n)
                            .is_some_and(|a| !a.is_empty() || *n != b"PIPESTATUS")
                    }),
            )
            .copied()
            .filter(|n| self.vars.var_unresolved(n).is_none())
    }

    /// The arguments of each call `BASH_ARGV` shows, innermost first: the calls made under
    /// `extdebug`, then the script's or `-c` string's own (standard input has them only under
    /// `extdebug`).
    fn argument_frames(&self) -> impl Iterator<Item = &[Vec<u8>]> {
        let calls = self.calls.iter().rev().filter_map(|c| c.args.as_deref());
        let main = self.script.is_some()
            || self.options.command_string
            || self.options.shopt.on(shopt::EXTDEBUG)
            || self.calls.iter().any(|c| c.args.is_some());
        calls.chain(main.then_some(&self.start_args[..]))
    }

    /// A function is being run (`source`d files aside).
    pub fn in_function(&self) -> bool {
        self.calls.iter().any(|c| c.function)
    }

    /// The DEBUG and RETURN traps reach the function being run: `set -T` (or `extdebug`),
    /// or the function's trace attribute.
    pub fn traces_here(&self) -> bool {
        self.options.traces_functions()
            || self
                .calls
                .iter()
                .rev()
                .find(|c| c.function)
                .is_some_and(|c| c.traced)
    }

    /// The file whose commands run now, as bash's `BASH_SOURCE` names it: the innermost
    /// function's or sourced file's, else the start-up file's, the script's, `main` for
    /// standard input and `environment` for a `-c` string.
    pub fn current_source(&self) -> Rc<[u8]> {
        if let Some(c) = self.calls.last() {
            return Rc::clone(&c.source);
        }
        let name: &[u8] = match (&self.origin, &self.script) {
            (Some(o), _) => o,
            (None, Some(s)) => s,
            _ if self.options.command_string => b"environment",
            _ => b"main",
        };
        name.into()
    }

    /// A variable's value, or a dynamic one's when no variable of that name is set.
    pub fn get_var_or_dynamic(&self, name: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
        if let Some((array, sub)) = self.vars.element_ref(name) {
            return crate::expand::subscript::element_by_text(self, array, sub)
                .map(std::borrow::Cow::Owned);
        }
        match self.vars.var(name) {
            Some(v) => v.scalar().map(std::borrow::Cow::Borrowed),
            None if self.vars.is_circular(name) => {
                let e = crate::state::vars::VarError::Circular(name.to_vec());
                self.report(&crate::exec::ShellError::new(
                    crate::exec::ErrorKind::Variable(e),
                ));
                None
            }
            None => self
                .dynamic_var(self.vars.resolve(name))
                .map(std::borrow::Cow::Owned),
        }
    }

    /// The working directory for records and relative paths.
    pub fn cwd(&self) -> Vec<u8> {
        self.cwd.clone()
    }

    /// Hand the C library the `TZ` a program would be given (exported, or none), before it
    /// formats a local time (`printf '%(...)T'`, `HISTTIMEFORMAT`, the prompt's times).
    pub fn use_time_zone(&self) {
        let tz = self
            .vars
            .var(b"TZ")
            .filter(|v| v.exported)
            .and_then(|v| v.scalar());
        crate::sys::clib::use_time_zone(tz);
    }

    pub fn get_var(&self, name: &[u8]) -> Option<&[u8]> {
        self.vars.get(name)
    }

    /// The value of IFS as field splitting sees it: None when IFS is unset (then the default
    /// `<space><tab><newline>` applies).
    pub fn ifs(&self) -> Option<&[u8]> {
        self.vars.get(b"IFS")
    }
}

/// A function the shell knows: its body and where it was defined (the file is bash's
/// `BASH_SOURCE` entry for its calls; both show in `declare -F` under `shopt -s extdebug`).
#[derive(Debug, Clone)]
pub struct Function {
    pub body: Rc<Command>,
    pub source: Rc<[u8]>,
    pub line: u32,
    /// `readonly -f`: it can be neither defined again nor unset.
    pub readonly: bool,
    /// `export -f`: put in programs' environments as bash puts it, for a bash they start
    /// (auditsh itself reads none from its environment: that is code nobody typed).
    pub exported: bool,
    /// `declare -ft`: the DEBUG and RETURN traps reach it, as `set -T` makes them reach all.
    pub traced: bool,
}

/// One entry of bash's call stack: a function being run, or a file being `source`d.
#[derive(Debug, Clone)]
pub struct Call {
    /// The function's name (`FUNCNAME`), `source` for a file.
    pub name: Vec<u8>,
    /// The line it was called from (`BASH_LINENO`).
    pub line: u32,
    /// The file the function was defined in, or the file sourced (`BASH_SOURCE`).
    pub source: Rc<[u8]>,
    pub function: bool,
    /// A function with the trace attribute (`declare -ft`).
    pub traced: bool,
    /// Its arguments, kept when `shopt -s extdebug` was on at the call (`BASH_ARGV`,
    /// `BASH_ARGC`).
    pub args: Option<Vec<Vec<u8>>>,
    /// [`Shell::err_trap_sets`] when it was called: an ERR trap set since is the function's
    /// own, and runs in it without `set -E` (bash).
    pub err_trap_sets: u64,
}

/// The time since the epoch.
fn epoch() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

/// The variables a new shell sets on those of its environment, as dash does: IFS (always
/// reset: an inherited IFS is a well-known way to subvert scripts), PATH when absent,
/// PS1/PS2/PS4, OPTIND, PPID and PWD. Returns the working directory (PWD's value).
pub fn set_new_shell_defaults(vars: &mut Vars) -> Vec<u8> {
    let (uid, ppid) = (
        crate::sys::process::uid(),
        crate::sys::process::parent_pid(),
    );
    let _ = vars.set(b"IFS", b" \t\n".to_vec());
    if vars.get(b"PATH").is_none() {
        let _ = vars.set(b"PATH", DEFAULT_PATH.to_vec());
    }
    // Prompts from the environment are kept, as dash keeps them.
    if vars.get(b"PS1").is_none() {
        let root = uid == 0;
        let _ = vars.set(b"PS1", if root { b"# ".to_vec() } else { b"$ ".to_vec() });
    }
    if vars.get(b"PS2").is_none() {
        let _ = vars.set(b"PS2", b"> ".to_vec());
    }
    if vars.get(b"PS4").is_none() {
        let _ = vars.set(b"PS4", b"+ ".to_vec());
    }
    let _ = vars.set(b"OPTIND", b"1".to_vec());
    let _ = vars.set(b"PPID", ppid.to_string().into_bytes());
    // An inherited PWD naming the current directory is kept (as dash keeps it: the
    // logical path the user cd'd through); otherwise the physical one. Compared with "."
    // itself, so that a right PWD costs no getcwd.
    let mut cwd = Vec::new();
    match vars.get(b"PWD") {
        Some(p) if same_directory(p, b".") => cwd = p.to_vec(),
        _ => {
            if let Ok(physical) = std::env::current_dir() {
                use std::os::unix::ffi::OsStrExt;
                cwd = physical.as_os_str().as_bytes().to_vec();
            }
        }
    }
    if !cwd.is_empty() {
        let _ = vars.set(b"PWD", cwd.clone());
    }
    cwd
}

/// True if `logical` is an absolute path naming the same directory as `other` (so an
/// inherited PWD with symlinks in it can be kept, as dash does).
fn same_directory(logical: &[u8], other: &[u8]) -> bool {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    if logical.first() != Some(&b'/') {
        return false;
    }
    let a = std::fs::metadata(std::ffi::OsStr::from_bytes(logical));
    let b = std::fs::metadata(std::ffi::OsStr::from_bytes(other));
    match (a, b) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Bytes as a path for std::fs (the shell's text is bytes, never assumed UTF-8).
pub fn os(bytes: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes)
}
