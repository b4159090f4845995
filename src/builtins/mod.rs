//! Built-in utilities, each in the file of its name (`.` and `source` in dot.rs); a family that
//! shares its code in one file (truefalse.rs: `:`, `true`, `false`; test.rs: `test`, `[`;
//! breakcontinue.rs; fgbg.rs); util.rs holds what several share. [`lookup`] maps names to them.

pub mod alias;
pub mod breakcontinue;
pub mod cd;
pub mod command;
pub mod dot;
pub mod echo;
pub mod eval;
pub mod exec;
pub mod exit;
pub mod export;
pub mod fc;
pub mod fgbg;
pub mod getopts;
pub mod hash;
pub mod jobs;
pub mod kill;
pub mod local;
pub mod newgrp;
pub mod printf;
pub mod pwd;
pub mod read;
pub mod readonly;
// `return` and `type` are Rust keywords: the modules take a `_`, the files keep the name.
#[path = "return.rs"]
pub mod return_;
pub mod set;
pub mod shift;
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

use crate::exec::ExecResult;
use crate::state::Shell;

/// A built-in: called with its argv (`args[0]` is its name); output goes to descriptors 1 and
/// 2 as redirected by the caller.
pub type BuiltinFn = fn(&mut Shell, &[Vec<u8>]) -> ExecResult;

#[derive(Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub func: BuiltinFn,
    /// A special built-in (XCU 2.14): assignments before it persist, its errors end a
    /// non-interactive shell, and functions cannot override it.
    pub special: bool,
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

const fn b(name: &'static str, func: BuiltinFn, special: bool) -> Builtin {
    Builtin {
        name,
        func,
        special,
    }
}

pub fn lookup(name: &[u8]) -> Option<&'static Builtin> {
    BUILTINS
        .binary_search_by(|b| b.name.as_bytes().cmp(name))
        .ok()
        .map(|i| &BUILTINS[i])
}

/// Every built-in, for `type`, completion and `command -v`.
pub fn all() -> &'static [Builtin] {
    BUILTINS
}

#[cfg(test)]
mod tests {
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
