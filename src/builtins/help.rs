//! `help [-dms] [pattern ...]` (bash): what each built-in and keyword of the language is,
//! and how it is called. Without a pattern, the list of them all in two columns; a pattern
//! (`ec*`) selects topics by name. `-s` prints the usage line alone, `-d` the one-line
//! summary, `-m` the topic as a manual page.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// A topic: its name, how it is called, and what it does in a line.
struct Topic {
    name: &'static str,
    usage: &'static str,
    summary: &'static str,
}

const fn t(name: &'static str, usage: &'static str, summary: &'static str) -> Topic {
    Topic {
        name,
        usage,
        summary,
    }
}

/// Every topic, the built-ins (listed when the shell has them) and the keywords, in the
/// order bash lists its own.
static TOPICS: &[Topic] = &[
    t("job_spec", "job_spec [&]", "Resume a job in the foreground, or in the background with `&'."),
    t("(( ... ))", "(( expression ))", "Evaluate an arithmetic expression; true when it is not zero."),
    t(".", ". filename [arguments]", "Read and run the commands of a file in this shell."),
    t(":", ":", "Do nothing, successfully."),
    t("[", "[ arg... ]", "Evaluate a conditional expression; the last argument is `]'."),
    t("[[ ... ]]", "[[ expression ]]", "Evaluate a conditional expression without splitting or globbing its words."),
    t("alias", "alias [-p] [name[=value] ... ]", "Define or show aliases."),
    t("bg", "bg [job_spec ...]", "Resume stopped jobs in the background."),
    t("bind", super::bind::USAGE, "Set the line editor's key bindings and variables, in readline's language."),
    t("break", "break [n]", "Leave the innermost (or the n-th enclosing) loop."),
    t("builtin", "builtin [shell-builtin [arg ...]]", "Run a built-in, even where a function has its name."),
    t("caller", "caller [expr]", "Show where the current function or sourced file was called from."),
    t("case", "case WORD in [PATTERN [| PATTERN]...) COMMANDS ;;]... esac", "Run the commands of the first pattern that matches the word."),
    t("cd", "cd [-L|[-P [-e]] [-@]] [dir]", "Change the working directory."),
    t("command", "command [-pVv] command [arg ...]", "Run a command without looking up functions, or tell how a name would be run."),
    t("compgen", "compgen [-abcdefgjksuv] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [word]", "Print the completions of a word."),
    t("complete", "complete [-abcdefgjksuv] [-pr] [-DEI] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [name ...]", "Say how the arguments of a command are completed."),
    t("compopt", "compopt [-o|+o option] [-DEI] [name ...]", "Change the completion options of the current completion or of commands."),
    t("continue", "continue [n]", "Go on with the next turn of the innermost (or the n-th enclosing) loop."),
    t("coproc", "coproc [NAME] command [redirections]", "Run a command in the background with pipes to its input and output."),
    t("declare", "declare [-aAfFgiIlnrtux] [name[=value] ...] or declare -p [-aAfFilnrtux] [name ...]", "Set variables and their attributes, or show them."),
    t("dirs", "dirs [-clpv] [+N] [-N]", "Show the directory stack."),
    t("disown", "disown [-h] [-ar] [jobspec ... | pid ...]", "Forget jobs, or keep them from getting SIGHUP."),
    t("echo", "echo [-neE] [arg ...]", "Write the arguments."),
    t("enable", super::enable::USAGE, "Turn built-ins on or off."),
    t("eval", "eval [arg ...]", "Run the arguments, joined, as commands."),
    t("exec", "exec [-cl] [-a name] [command [argument ...]] [redirection ...]", "Replace the shell with a program, or keep redirections in force."),
    t("exit", "exit [n]", "Leave the shell with status n."),
    t("export", "export [-fn] [name[=value] ...] or export -p", "Give variables to the programs the shell starts."),
    t("false", "false", "Fail."),
    t("fc", "fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]", "List, edit and run commands from the history."),
    t("fg", "fg [job_spec]", "Bring a job to the foreground."),
    t("for", "for NAME [in WORDS ... ] ; do COMMANDS; done", "Run commands once for each word."),
    t("for ((", "for (( exp1; exp2; exp3 )); do COMMANDS; done", "Arithmetic loop: exp1 once, then the commands and exp3 while exp2 is not zero."),
    t("function", "function name { COMMANDS ; } or name () { COMMANDS ; }", "Define a function."),
    t("getopts", "getopts optstring name [arg ...]", "Read the options of a command line, one at a time."),
    t("hash", "hash [-lr] [-p pathname] [-dt] [name ...]", "Remember or show where programs are."),
    t("help", "help [-dms] [pattern ...]", "Show what built-ins and keywords do."),
    t("history", "history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]", "Show or change the command history."),
    t("if", "if COMMANDS; then COMMANDS; [ elif COMMANDS; then COMMANDS; ]... [ else COMMANDS; ] fi", "Run commands depending on the status of others."),
    t("jobs", "jobs [-lnprs] [jobspec ...] or jobs -x command [args]", "List jobs."),
    t("kill", "kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]", "Send a signal to processes or jobs, or list signals."),
    t("let", "let arg [arg ...]", "Evaluate arithmetic expressions."),
    t("local", "local [option] name[=value] ...", "Make variables local to a function."),
    t("logout", "logout [n]", "Leave a login shell."),
    t("mapfile", "mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]", "Read lines into an indexed array."),
    t("popd", "popd [-n] [+N | -N]", "Take a directory off the stack and go to the new top."),
    t("printf", "printf [-v var] format [arguments]", "Write the arguments under the control of a format."),
    t("pushd", "pushd [-n] [+N | -N | dir]", "Put a directory on the stack and go there."),
    t("pwd", "pwd [-LP]", "Print the working directory."),
    t("read", "read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]", "Read a line and split it into variables."),
    t("readarray", "readarray [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]", "Read lines into an indexed array."),
    t("readonly", "readonly [-aAf] [name[=value] ...] or readonly -p", "Make variables unchangeable."),
    t("return", "return [n]", "Leave a function or sourced file with status n."),
    t("select", "select NAME [in WORDS ... ;] do COMMANDS; done", "Offer a numbered menu of words and run commands for each choice."),
    t("set", "set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]", "Set options and the positional parameters, or list variables."),
    t("shift", "shift [n]", "Drop the first n positional parameters."),
    t("shopt", "shopt [-pqsu] [-o] [optname ...]", "Set or show the shell's behaviour options."),
    t("source", "source filename [arguments]", "Read and run the commands of a file in this shell."),
    t("suspend", "suspend [-f]", "Stop the shell until it gets SIGCONT."),
    t("test", "test [expr]", "Evaluate a conditional expression."),
    t("time", "time [-p] pipeline", "Run a pipeline and report the time it took."),
    t("times", "times", "Show the time the shell and its children have used."),
    t("trap", "trap [-lp] [[arg] signal_spec ...]", "Run commands when the shell gets a signal or meets a condition."),
    t("true", "true", "Succeed."),
    t("type", "type [-afptP] name [name ...]", "Tell how each name would be run."),
    t("typeset", "typeset [-aAfFgiIlnrtux] name[=value] ... or typeset -p [-aAfFilnrtux] [name ...]", "Set variables and their attributes, or show them."),
    t("ulimit", "ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]", "Set or show resource limits."),
    t("umask", "umask [-p] [-S] [mode]", "Set or show the file creation mask."),
    t("unalias", "unalias [-a] name [name ...]", "Remove aliases."),
    t("unset", "unset [-f] [-v] [-n] [name ...]", "Remove variables or functions."),
    t("until", "until COMMANDS; do COMMANDS-2; done", "Run commands as long as a test fails."),
    t("variables", "variables - Names and meanings of some shell variables", "Variables the shell sets or reads."),
    t("wait", "wait [-fn] [-p var] [id ...]", "Wait for jobs to end and give their status."),
    t("while", "while COMMANDS; do COMMANDS-2; done", "Run commands as long as a test succeeds."),
    t("{ ... }", "{ COMMANDS ; }", "Run commands as a group."),
];

/// Keywords and other topics that are not built-ins: always listed.
fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "job_spec"
            | "(( ... ))"
            | "[[ ... ]]"
            | "case"
            | "coproc"
            | "for"
            | "for (("
            | "function"
            | "if"
            | "select"
            | "time"
            | "until"
            | "variables"
            | "while"
            | "{ ... }"
    )
}

/// The names `compgen -A helptopic` offers: every topic, sorted as bash sorts them (its
/// `job_spec` topic is named `%` there).
pub fn topic_names(sh: &Shell) -> Vec<Vec<u8>> {
    let mut names: Vec<&str> = topics(sh)
        .map(|topic| match topic.name {
            "job_spec" => "%",
            name => name,
        })
        .collect();
    names.sort_unstable();
    names.into_iter().map(|n| n.as_bytes().to_vec()).collect()
}

/// The topics this shell has: the keywords, and the built-ins it knows in its language.
fn topics(sh: &Shell) -> impl Iterator<Item = &'static Topic> + '_ {
    TOPICS.iter().filter(|topic| {
        is_keyword(topic.name) || super::lookup(topic.name.as_bytes(), sh.options.bash()).is_some()
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Full,
    Usage,
    Summary,
    Manual,
}

pub fn help(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut opts = super::getopts::NextOpt::new(args.get(1..).unwrap_or(&[]));
    let mut form = Form::Full;
    loop {
        match opts.next(b"dms") {
            Ok(Some((b'd', _))) => form = Form::Summary,
            Ok(Some((b'm', _))) => form = Form::Manual,
            Ok(Some(_)) => form = Form::Usage,
            Ok(None) => break,
            Err(m) => {
                return ShellError::builtin("help", ErrorKind::Message(m))
                    .with_status(2)
                    .raise()
            }
        }
    }
    let patterns = opts.rest();
    if patterns.is_empty() {
        crate::sys::fd::write_all(1, list(sh).as_bytes());
        return Ok(0);
    }
    let mut text = String::new();
    let mut found = false;
    for pattern in patterns {
        // A glob selects by pattern; a plain word its topic, else every name it begins.
        let glob = crate::expand::pattern::has_unescaped_glob(pattern);
        let exact: Vec<&Topic> = topics(sh)
            .filter(|topic| !glob && topic.name.as_bytes() == pattern.as_slice())
            .collect();
        let chosen: Vec<&Topic> = if exact.is_empty() {
            topics(sh)
                .filter(|topic| {
                    let name = topic.name.as_bytes();
                    if glob {
                        crate::expand::pattern::matches(pattern, name)
                    } else {
                        name.starts_with(pattern)
                    }
                })
                .collect()
        } else {
            exact
        };
        if chosen.is_empty() {
            continue;
        }
        found = true;
        if glob {
            text.push_str(&format!(
                "Shell commands matching keyword `{}'\n\n",
                String::from_utf8_lossy(pattern)
            ));
        }
        for topic in chosen {
            text.push_str(&describe(topic, form));
        }
    }
    // bash's help does not fail when its output cannot be written.
    crate::sys::fd::write_all(1, text.as_bytes());
    if found {
        return Ok(0);
    }
    // Nothing matched: bash names the last pattern.
    let p = String::from_utf8_lossy(patterns.last().map_or(&[][..], |p| p.as_slice()));
    let message =
        format!("no help topics match `{p}'.  Try `help help' or `man -k {p}' or `info {p}'.");
    ShellError::builtin("help", ErrorKind::text(message))
        .with_status(1)
        .fails()
        .raise()
}

/// One topic in the form asked for.
fn describe(topic: &Topic, form: Form) -> String {
    let Topic {
        name,
        usage,
        summary,
    } = topic;
    match form {
        Form::Usage => format!("{name}: {usage}\n"),
        Form::Summary => format!("{name} - {summary}\n"),
        Form::Manual => format!(
            "NAME\n    {name} - {summary}\n\nSYNOPSIS\n    {usage}\n\nDESCRIPTION\n    {summary}\n\n"
        ),
        Form::Full => format!("{name}: {usage}\n    {summary}\n"),
    }
}

/// `help` alone: who answers, then every usage line in two columns, each half of `COLUMNS`
/// (80 unset), cut with `>`; a `*` marks a built-in turned off with `enable -n`.
fn list(sh: &Shell) -> String {
    let mut text = String::from(
        "auditsh, an audited shell that speaks bash.\n\
         These shell commands are defined internally.  Type `help' to see this list.\n\
         Type `help name' to find out more about the function `name'.\n\
         Use `man auditsh' to find out more about the shell in general.\n\
         Use `man -k' or `info' to find out more about commands not in this list.\n\n\
         A star (*) next to a name means that the command is disabled.\n\n",
    );
    let columns = sh
        .get_var(b"COLUMNS")
        .and_then(|c| std::str::from_utf8(c).ok()?.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .unwrap_or(80);
    let width = match columns / 2 {
        w if w <= 3 => 40,
        w => w,
    };
    // bash cuts the right column one character shorter.
    let entry = |topic: &Topic, room: usize| {
        let off = sh.disabled_builtins.contains(topic.name.as_bytes());
        let mark = if off { '*' } else { ' ' };
        format!("{mark}{}", cut(topic.usage, room))
    };
    let all: Vec<&Topic> = topics(sh).collect();
    let half = all.len().div_ceil(2);
    for row in 0..half {
        let left = entry(all[row], width - 2);
        match all.get(row + half) {
            Some(right) => {
                let right = entry(right, width - 3);
                text.push_str(&format!("{left:<width$}{right}\n"));
            }
            None => text.push_str(&format!("{left}\n")),
        }
    }
    text
}

/// `usage` cut to `width` characters, a `>` marking the cut.
fn cut(usage: &str, width: usize) -> String {
    if usage.chars().count() <= width {
        return usage.to_string();
    }
    let mut short: String = usage.chars().take(width - 1).collect();
    short.push('>');
    short
}
