//! auditsh: argv in, the shell runs; see `toplevel`.
//!
//! The C `main` is the entry point: the Rust runtime's start-up (which reads
//! /proc/self/maps to find the main thread's stack, and sets up handlers the shell replaces
//! anyway) would cost every `sh -c` a measurable part of its start-up.

#![no_main]

use std::ffi::{c_char, c_int, CStr};

/// The musl build's allocator: see `auditsh::musl`.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[global_allocator]
static ALLOCATOR: auditsh::musl::OneThreadAllocator = auditsh::musl::OneThreadAllocator::new();

/// # Safety
/// Called by the C runtime with `argc` valid, NUL-terminated strings in `argv`.
#[no_mangle]
pub unsafe extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    let count = usize::try_from(argc).unwrap_or(0);
    let args: Vec<Vec<u8>> = (0..count)
        .filter_map(|i| {
            // SAFETY: the C runtime passes argc valid pointers in argv.
            let at = unsafe { argv.add(i) };
            // SAFETY: as above.
            let arg = unsafe { *at };
            // SAFETY: each non-null argument is a NUL-terminated string.
            (!arg.is_null()).then(|| unsafe { CStr::from_ptr(arg) }.to_bytes().to_vec())
        })
        .collect();
    auditsh::toplevel::main(args)
}
