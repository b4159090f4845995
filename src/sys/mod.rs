//! The operating system's facts and calls, behind names the rest of the shell reads: error
//! numbers and their text, file descriptors, files by path, the process's ids, signal names and numbers, the terminal, clocks,
//! and the C library's own conversions (`clib`).
//!
//! Knows nothing of the language or of the records: the shell (`exec`, `builtins`) and the
//! audit trail (`audit`) both use it.

pub mod clib;
pub mod errno;
pub mod fd;
pub mod fs;
pub mod process;
pub mod regex;
pub mod signal;
pub mod time;
