//! Execution: walking the tree (eval; compound, simple and pipeline commands, command
//! substitution), redirections, the one exec path (spawn), jobs, traps.

pub mod assign;
pub mod compound;
pub(crate) mod cond;
mod coproc;
pub mod error;
pub mod eval;
pub mod jobs;
pub mod pipeline;
pub mod redirect;
mod select;
pub mod simple;
pub mod spawn;
pub mod substitution;
pub mod time;
pub mod trap;
pub mod xtrace;

pub use error::{settle, Effect, ErrorKind, ShellError};
pub use eval::Context;

use crate::expand::ExpandError;
use crate::state::Shell;
use crate::syntax::ast::List;

/// A change in control flow that unwinds the evaluation until something handles it
/// (XCU 2.9.4 break/continue, return, exit). Errors travel the same way: first unreported, to
/// the command runner that reports them ([`settle`]), then, if they end the command line, as
/// [`Divert::Abort`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Divert {
    /// `break N`: leave N enclosing loops.
    Break(u32),
    /// `continue N`: continue the Nth enclosing loop.
    Continue(u32),
    /// `return [N]`: leave the function or dot script, with this status.
    Return(i32),
    /// `exit [N]`: leave the shell (or the subshell), with this status.
    Exit(i32),
    /// An error not yet reported, on its way back to the command that raised it (boxed: the
    /// diversions that are not errors stay small on every return).
    Error(Box<ShellError>),
    /// The command line is abandoned, its error reported (a shell error: a syntax error in
    /// `eval`, an expansion error, a special built-in's error), or Ctrl-C at a terminal: a
    /// non-interactive shell exits with this status; an interactive one prompts again.
    Abort(i32),
    /// bash outside posix mode: the command being run at the top level is abandoned, its
    /// error reported (an arithmetic error, an assignment to a read-only variable), and the
    /// shell goes on with the next one; a subshell ends.
    Discard(i32),
    /// bash: an array subscript's arithmetic failed: everything up to the command being run
    /// at the top level is abandoned (a sourced file, an `eval`, a function, even `(( ))`),
    /// and with it the rest of a `-c` string; a subshell ends.
    Unwind(i32),
}

/// The result of running something: its exit status, or a diversion of control.
pub type ExecResult = Result<i32, Divert>;

/// Run `body` in a subshell and return its standard output (XCU 2.6.3); `$?` becomes the
/// status of the subshell. Trailing newlines are kept here; the expander removes them.
pub fn command_substitution(sh: &mut Shell, body: &List) -> Result<Vec<u8>, ExpandError> {
    substitution::command_substitution(sh, body)
}
