//! auditsh: an audited POSIX login shell.
//!
//! The data flows one way (see the architecture notes in the README):
//! invocation → config → audit session → source → syntax → exec (expand, builtins, spawn).
//!
//! The record code (`audit`, `sys`, `config`, `accounts`) knows nothing of the shell: without
//! the `shell` and `tool` features it is the whole library (Cargo.toml, `[features]`).

pub mod accounts;
pub mod audit;
/// The security team's tool, `auditsh-log` (not the shell's logging: that is [`audit`]).
#[cfg(feature = "tool")]
pub mod auditsh_log;
#[cfg(feature = "shell")]
pub mod builtins;
pub mod config;
#[cfg(feature = "shell")]
pub mod exec;
#[cfg(feature = "shell")]
pub mod expand;
#[cfg(feature = "shell")]
pub mod interactive;
#[cfg(feature = "shell")]
pub mod invocation;
#[cfg(all(feature = "shell", target_arch = "x86_64"))]
pub mod musl;
#[cfg(feature = "shell")]
pub mod state;
#[cfg(feature = "shell")]
pub mod syntax;
pub mod sys;
#[cfg(test)]
// The record code alone uses only part of it.
#[cfg_attr(not(all(feature = "shell", feature = "tool")), allow(dead_code))]
mod testutil;
#[cfg(feature = "shell")]
pub mod toplevel;
