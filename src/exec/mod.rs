//! Execution: walking the tree (eval; compound, simple and pipeline commands, command
//! substitution), redirections, the one exec path (spawn), jobs, traps.

pub mod compound;
pub mod eval;
pub mod jobs;
pub mod pipeline;
pub mod redirect;
pub mod simple;
pub mod spawn;
pub mod substitution;
pub mod trap;

use crate::expand::ExpandError;
use crate::state::Shell;
use crate::syntax::ast::List;

/// A change in control flow that unwinds the evaluation until something handles it
/// (XCU 2.9.4 break/continue, return, exit). Errors that abort a command line travel the same
/// way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divert {
    /// `break N`: leave N enclosing loops.
    Break(u32),
    /// `continue N`: continue the Nth enclosing loop.
    Continue(u32),
    /// `return [N]`: leave the function or dot script, with this status.
    Return(i32),
    /// `exit [N]`: leave the shell (or the subshell), with this status.
    Exit(i32),
    /// A shell error (syntax error in `eval`, expansion error, special built-in error): a
    /// non-interactive shell exits with this status; an interactive one abandons the command
    /// line and prompts again.
    Error(i32),
}

/// The result of running something: its exit status, or a diversion of control.
pub type ExecResult = Result<i32, Divert>;

/// Run `body` in a subshell and return its standard output (XCU 2.6.3); `$?` becomes the
/// status of the subshell. Trailing newlines are kept here; the expander removes them.
pub fn command_substitution(sh: &mut Shell, body: &List) -> Result<Vec<u8>, ExpandError> {
    substitution::command_substitution(sh, body)
}
