//! auditsh: an audited POSIX login shell.
//!
//! The data flows one way (see the architecture notes in the README):
//! invocation → config → audit session → source → syntax → exec (expand, builtins, spawn).

pub mod accounts;
pub mod audit;
/// The security team's tool, `auditsh-log` (not the shell's logging: that is [`audit`]).
pub mod auditsh_log;
pub mod builtins;
pub mod config;
pub mod exec;
pub mod expand;
pub mod interactive;
pub mod invocation;
#[cfg(target_arch = "x86_64")]
pub mod musl;
pub mod state;
pub mod syntax;
pub mod sys;
#[cfg(test)]
mod testutil;
pub mod toplevel;
