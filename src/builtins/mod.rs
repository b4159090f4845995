//! Built-in utilities, each in the file of its name (`.` and `source` in dot.rs); a family that
//! shares its code in one file (truefalse.rs: `:`, `true`, `false`; test.rs: `test`, `[`;
//! breakcontinue.rs; fgbg.rs); util.rs holds what several share. [`lookup`] maps names to them.

pub mod alias;
pub mod bind;
pub mod breakcontinue;
pub mod builtin;
pub mod caller;
pub mod cd;
pub mod command;
pub mod complete;
pub mod declare;
pub mod disown;
pub mod dot;
pub mod echo;
pub mod enable;
pub mod eval;
pub mod exec;
pub mod exit;
pub mod export;
pub mod fc;
pub mod fgbg;
pub mod getopts;
pub mod hash;
pub mod help;
pub mod history;
pub mod jobs;
pub mod kill;
// `let` is a Rust keyword too.
#[path = "let.rs"]
pub mod let_;
pub mod local;
pub mod mapfile;
pub mod newgrp;
mod options;
pub mod printf;
pub mod pushd;
pub mod pwd;
pub mod read;
pub mod readonly;
// `return` and `type` are Rust keywords: the modules take a `_`, the files keep the name.
#[path = "return.rs"]
pub mod return_;
pub mod set;
pub mod shift;
pub mod shopt;
pub mod suspend;
pub mod test;
pub mod times;
pub mod trap;
pub mod truefalse;
#[path = "type.rs"]
pub mod type_;
pub mod ulimit;
pub mod umask;
pub mod unalias;
pub mod unset;
pub mod util;
pub mod wait;

pub use util::quote_for_reuse;

use crate::exec::{Context, ExecResult};
use crate::state::Shell;

/// A built-in: called with its argv (`args[0]` is its name); output goes to descriptors 1 and
/// 2 as redirected by the caller.
pub type BuiltinFn = fn(&mut Shell, &[Vec<u8>], Context) -> ExecResult;

#[derive(Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub func: BuiltinFn,
    /// A special built-in (XCU 2.14): assignments before it persist, its errors end a
    /// non-interactive shell, and functions cannot override it.
    pub special: bool,
    /// Part of the bash language only: not a built-in in posix mode.
    pub bash_only: bool,
}

impl Builtin {
    /// Run the built-in. Output it could not write (a full disk, a closed pipe) is its
    /// failure, status 1, as in dash and bash, whichever writes it made.
    pub fn run(&self, sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
        // bash: `NAME --help` is `help NAME`, status 2, for the built-ins that read options.
        if sh.options.bash()
            && args.get(1).is_some_and(|a| a == b"--help")
            && !matches!(self.name, "echo" | ":" | "true" | "false" | "test" | "[")
        {
            help::help(sh, &[b"help".to_vec(), self.name.as_bytes().to_vec()], cx)?;
            return Ok(2);
        }
        if args.get(1).is_some_and(|a| a.first() == Some(&b'-')) && sh.options.bash() {
            if let Some(e) = options::refused(self.name, args) {
                return e.raise();
            }
        }
        let outer = util::take_write_error();
        let result = (self.func)(sh, args, cx);
        let failed = util::take_write_error();
        util::restore_write_error(outer);
        match (result, failed) {
            (Ok(_), Some(errno)) => {
                let e = util::write_error(self.name, errno, sh.options.bash());
                sh.report(&e);
                Ok(1)
            }
            (result, _) => result,
        }
    }
}

/// The built-ins, sorted by name.
static BUILTINS: &[Builtin] = &[
    b(".", dot::dot, true),
    b(":", truefalse::colon, true),
    b("[", test::bracket, false),
    b("alias", alias::alias, false),
    b("bg", fgbg::bg, false),
    b("break", breakcontinue::break_, true),
    b("cd", cd::cd, false),
    b("command", command::command, false),
    b("continue", breakcontinue::continue_, true),
    b("echo", echo::echo, false),
    b("eval", eval::eval, true),
    b("exec", exec::exec, true),
    b("exit", exit::exit, true),
    b("export", export::export, true),
    b("false", truefalse::false_, false),
    b("fc", fc::fc, false),
    b("fg", fgbg::fg, false),
    b("getopts", getopts::getopts, false),
    b("hash", hash::hash, false),
    b("jobs", jobs::jobs, false),
    b("kill", kill::kill, false),
    b("local", local::local, true),
    b("newgrp", newgrp::newgrp, false),
    b("printf", printf::printf, false),
    b("pwd", pwd::pwd, false),
    b("read", read::read, false),
    b("readonly", readonly::readonly, true),
    b("return", return_::return_, true),
    b("set", set::set, true),
    b("shift", shift::shift, true),
    b("source", dot::dot, false),
    b("test", test::test, false),
    b("times", times::times, true),
    b("trap", trap::trap, true),
    b("true", truefalse::colon, false),
    b("type", type_::type_, false),
    b("ulimit", ulimit::ulimit, false),
    b("umask", umask::umask, false),
    b("unalias", unalias::unalias, false),
    b("unset", unset::unset, true),
    b("wait", wait::wait, false),
];

/// The built-ins of the bash language only, sorted by name: a table of their own, so that
/// posix mode looks up exactly what it did.
static BASH_BUILTINS: &[Builtin] = &[
    bash("bind", bind::bind),
    bash("builtin", builtin::builtin),
    bash("caller", caller::caller),
    bash("compgen", complete::compgen),
    bash("complete", complete::complete),
    bash("compopt", complete::compopt),
    bash("declare", declare::declare),
    bash("dirs", pushd::dirs),
    bash("disown", disown::disown),
    bash("enable", enable::enable),
    bash("help", help::help),
    bash("history", history::history),
    bash("let", let_::let_),
    bash("logout", exit::logout),
    bash("mapfile", mapfile::mapfile),
    bash("popd", pushd::popd),
    bash("pushd", pushd::pushd),
    bash("readarray", mapfile::mapfile),
    bash("shopt", shopt::shopt),
    bash("suspend", suspend::suspend),
    bash("typeset", declare::typeset),
];

const fn b(name: &'static str, func: BuiltinFn, special: bool) -> Builtin {
    Builtin {
        name,
        func,
        special,
        bash_only: false,
    }
}

/// A regular built-in of the bash language.
const fn bash(name: &'static str, func: BuiltinFn) -> Builtin {
    Builtin {
        name,
        func,
        special: false,
        bash_only: true,
    }
}

/// The built-in `name` in the shell's language (`bash`: not in posix mode).
pub fn lookup(name: &[u8], bash: bool) -> Option<&'static Builtin> {
    if bash && !in_bash(name) {
        return None;
    }
    find(BUILTINS, name).or_else(|| {
        if bash {
            find(BASH_BUILTINS, name)
        } else {
            None
        }
    })
}

fn find(table: &'static [Builtin], name: &[u8]) -> Option<&'static Builtin> {
    table
        .binary_search_by(|b| b.name.as_bytes().cmp(name))
        .ok()
        .map(|i| &table[i])
}

/// Every built-in of the POSIX language, for `type`, completion and `command -v`.
pub fn all() -> &'static [Builtin] {
    BUILTINS
}

/// The built-ins of the bash language only.
pub fn bash_only() -> &'static [Builtin] {
    BASH_BUILTINS
}

/// `newgrp` is POSIX's built-in (it replaces the shell); bash has none, and runs the program
/// as any other.
fn in_bash(name: &[u8]) -> bool {
    name != b"newgrp"
}

/// The built-ins of the language (bash's or POSIX's), in no order.
pub fn of_language(bash: bool) -> impl Iterator<Item = &'static Builtin> {
    BUILTINS
        .iter()
        .chain(BASH_BUILTINS.iter().filter(move |_| bash))
        .filter(move |b| !bash || in_bash(b.name.as_bytes()))
}

/// The arguments without the first operand (a `--` that ends no options).
pub(crate) fn without_first_operand(args: &[Vec<u8>]) -> Vec<Vec<u8>> {
    args.iter()
        .take(1)
        .chain(args.iter().skip(2))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::exec::{Divert, Effect, ShellError};
    use crate::state::Shell;

    /// The error a built-in returns for `args`, unreported (the runner reports it).
    fn error_of(args: &[&str]) -> ShellError {
        let mut sh = Shell::new(b"sh".to_vec(), crate::audit::Session::disabled());
        // dash's words: the built-ins as the posix mode has them.
        sh.options.set_by_name("posix", true);
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let builtin = super::lookup(&args[0], true).expect("a built-in");
        match (builtin.func)(&mut sh, &args, crate::exec::Context::default()) {
            Err(Divert::Error(e)) => *e,
            other => panic!("{args:?}: no error but {other:?}"),
        }
    }

    /// Each case: the built-in's arguments, its message (after `NAME: LINE: `), its status.
    type Cases<'a> = &'a [(&'a [&'a str], &'a str, i32)];

    fn check(cases: Cases, effect: Effect) {
        for (args, text, status) in cases {
            let e = error_of(args);
            assert_eq!(
                (e.to_string().as_str(), e.status, e.effect),
                (*text, *status, effect),
                "{args:?}"
            );
        }
    }

    #[test]
    fn special_builtin_errors_end_the_shell() {
        let cannot_open = ".: cannot open /nonexistent/f: No such file";
        check(
            &[
                (&["shift", "5"], "shift: can't shift that many", 2),
                (&["shift", "x"], "shift: Illegal number: x", 2),
                (&["break", "0"], "break: Illegal number: 0", 2),
                (&["set", "-Z"], "set: Illegal option -Z", 2),
                (&["export", "1x=y"], "export: 1x: bad variable name", 2),
                (&["local", "x"], "local: not in a function", 2),
                (&["trap", "-Z"], "trap: Illegal option -Z", 2),
                (&[".", "/nonexistent/f"], cannot_open, 2),
                // `source` is `.` under another name, not special, and ends the shell too.
                (&["source", "/nonexistent/f"], cannot_open, 2),
            ],
            Effect::Aborts,
        );
        check(
            &[(
                &["exec", "/nonexistent/f"],
                "exec: /nonexistent/f: not found",
                127,
            )],
            Effect::Exits,
        );
    }

    #[test]
    fn regular_builtin_errors_fail_the_command() {
        let fc_usage = "fc: -Z: invalid option\n\
                        fc: usage: fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]";
        check(
            &[
                (&["cd", "/nonexistent"], "cd: can't cd to /nonexistent", 2),
                (&["pwd", "-Z"], "pwd: Illegal option -Z", 2),
                (&["read"], "read: arg count", 2),
                (&["read", "-Z"], "read: Illegal option -Z", 2),
                (&["[", "1"], "[: missing ]", 2),
                (&["test", "1", "-eq"], "test: -eq: argument expected", 2),
                (&["umask", "8"], "umask: Illegal number: 8", 2),
                (
                    &["getopts"],
                    "getopts: Usage: getopts optstring var [arg...]",
                    2,
                ),
                (&["jobs", "%3"], "jobs: No such job: %3", 2),
                (&["fg"], "fg: No current job", 2),
                (&["kill", "%5"], "kill: No such job: %5", 2),
                (&["command", "-Z"], "command: Illegal option -Z", 2),
                (&["fc", "-s"], "fc: no command found", 1),
                (&["fc", "-Z"], fc_usage, 2),
                (
                    &["hash", "nosuch_a_zz", "nosuch_b_zz"],
                    "hash: nosuch_a_zz: not found\nhash: nosuch_b_zz: not found",
                    1,
                ),
            ],
            Effect::Fails,
        );
    }

    #[test]
    fn table_is_sorted_and_unique() {
        let names: Vec<_> = super::all().iter().map(|b| b.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn special_flags_agree_with_the_parser() {
        let special: Vec<_> = super::all()
            .iter()
            .filter(|b| b.special)
            .map(|b| b.name)
            .collect();
        assert_eq!(special, crate::syntax::SPECIAL_BUILTINS);
    }
}
