//! Built-in utilities, each in its own file; [`lookup`] maps names to them.

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
static BUILTINS: &[Builtin] = &[];

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
