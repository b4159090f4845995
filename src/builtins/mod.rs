//! Built-in utilities, each in its own file; [`lookup`] maps names to them.

mod echo;
mod getopts;
mod kill;
mod printf;
mod read;
mod test;
mod times;
mod ulimit;
mod umask;

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
    Builtin {
        name: "[",
        func: test::bracket,
        special: false,
    },
    Builtin {
        name: "echo",
        func: echo::echo,
        special: false,
    },
    Builtin {
        name: "getopts",
        func: getopts::getopts,
        special: false,
    },
    Builtin {
        name: "kill",
        func: kill::kill,
        special: false,
    },
    Builtin {
        name: "printf",
        func: printf::printf,
        special: false,
    },
    Builtin {
        name: "read",
        func: read::read,
        special: false,
    },
    Builtin {
        name: "test",
        func: test::test,
        special: false,
    },
    Builtin {
        name: "times",
        func: times::times,
        special: true,
    },
    Builtin {
        name: "ulimit",
        func: ulimit::ulimit,
        special: false,
    },
    Builtin {
        name: "umask",
        func: umask::umask,
        special: false,
    },
];

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
