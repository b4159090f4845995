//! The operating system's facts and calls, behind names the rest of the shell reads: error
//! numbers and their text, signal names and numbers.
//!
//! Knows nothing of the language or of the records: the shell (`exec`, `builtins`) and the
//! audit trail (`audit`) both use it.

pub mod errno;
pub mod signal;
