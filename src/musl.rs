//! What the musl build replaces in its C library.
//!
//! The shell is installed as a static musl binary (README, "Installed mode"). The reason is
//! start-up: glibc's start-up asks the CPU about its features and caches with about forty
//! `cpuid` instructions, and a hypervisor traps each one (3.8 µs each on the machine of
//! BENCHMARKS.md: about a third of dash's `sh -c` start). musl asks nothing. Two parts of
//! musl are slow for a shell, whose loops make many small allocations and copies, so the musl
//! build replaces them:
//!
//! - `memcpy` and `memmove`: musl's copy with `rep movsq` even for a few bytes (15 % of an
//!   arithmetic loop). [`copy`] moves up to 64 bytes with a few unaligned loads and stores and
//!   leaves longer copies to `rep movsb`. Both symbols must be replaced together: musl's
//!   `memmove` jumps into the object that defines its `memcpy`.
//! - the allocator: [`OneThreadAllocator`] is dlmalloc without a lock. The shell never starts a
//!   thread, and a lock (two atomic operations per allocation) cost more than the allocator.
//!
//! [`copy`] is compiled, and tested, on every x86_64 build; the symbols and the allocator
//! exist only in the musl build.

use std::ptr::{read_unaligned, write_unaligned};

/// Copy `n` bytes from `src` to `dest`; the two may overlap (`memmove`'s contract, which also
/// serves `memcpy`).
///
/// Up to 64 bytes, everything is loaded before anything is stored, so overlap cannot matter.
/// Longer copies run forward unless `dest` starts inside the source, then backward.
///
/// # Safety
/// `src` must be valid for reads and `dest` for writes of `n` bytes.
#[inline]
// One contract covers every access of the copy, each bounded by the size test before it: a
// block per load and store would repeat that sentence forty times.
#[allow(clippy::multiple_unsafe_ops_per_block)]
pub unsafe fn copy(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: (for every access below) the caller guarantees `n` readable bytes at `src` and `n`
    // writable bytes at `dest`; each access is inside them by the size test before it.
    unsafe {
        if n <= 16 {
            if n >= 8 {
                let a: u64 = read_unaligned(src.cast());
                let b: u64 = read_unaligned(src.add(n - 8).cast());
                write_unaligned(dest.cast(), a);
                write_unaligned(dest.add(n - 8).cast(), b);
            } else if n >= 4 {
                let a: u32 = read_unaligned(src.cast());
                let b: u32 = read_unaligned(src.add(n - 4).cast());
                write_unaligned(dest.cast(), a);
                write_unaligned(dest.add(n - 4).cast(), b);
            } else if n > 0 {
                let (a, m, z) = (*src, *src.add(n / 2), *src.add(n - 1));
                *dest = a;
                *dest.add(n / 2) = m;
                *dest.add(n - 1) = z;
            }
        } else if n <= 32 {
            let a: u128 = read_unaligned(src.cast());
            let b: u128 = read_unaligned(src.add(n - 16).cast());
            write_unaligned(dest.cast(), a);
            write_unaligned(dest.add(n - 16).cast(), b);
        } else if n <= 64 {
            let a: u128 = read_unaligned(src.cast());
            let b: u128 = read_unaligned(src.add(16).cast());
            let c: u128 = read_unaligned(src.add(n - 32).cast());
            let d: u128 = read_unaligned(src.add(n - 16).cast());
            write_unaligned(dest.cast(), a);
            write_unaligned(dest.add(16).cast(), b);
            write_unaligned(dest.add(n - 32).cast(), c);
            write_unaligned(dest.add(n - 16).cast(), d);
        } else if (dest as usize).wrapping_sub(src as usize) >= n {
            // `dest` does not start inside the source: forward is safe.
            std::arch::asm!(
                "rep movsb",
                inout("rcx") n => _,
                inout("rdi") dest => _,
                inout("rsi") src => _,
                options(nostack, preserves_flags)
            );
        } else {
            // Backward, from the last byte: the direction flag is set for the copy and
            // cleared again, as the ABI requires at every call and return.
            std::arch::asm!(
                "std",
                "rep movsb",
                "cld",
                inout("rcx") n => _,
                inout("rdi") dest.add(n - 1) => _,
                inout("rsi") src.add(n - 1) => _,
                options(nostack)
            );
        }
    }
}

/// # Safety
/// The C contract of `memcpy`.
#[cfg(target_env = "musl")]
#[no_mangle]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller keeps memcpy's contract, which is narrower than copy's.
    unsafe { copy(dest, src, n) };
    dest
}

/// # Safety
/// The C contract of `memmove`.
#[cfg(target_env = "musl")]
#[no_mangle]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller keeps memmove's contract, which is copy's.
    unsafe { copy(dest, src, n) };
    dest
}

/// dlmalloc for a process with one thread: no lock. A second thread that allocates is not
/// served: the process says so on stderr and aborts, rather than corrupt its heap.
#[cfg(target_env = "musl")]
pub struct OneThreadAllocator {
    heap: std::cell::UnsafeCell<dlmalloc::Dlmalloc>,
    owner: std::sync::atomic::AtomicUsize,
}

#[cfg(target_env = "musl")]
impl OneThreadAllocator {
    pub const fn new() -> OneThreadAllocator {
        OneThreadAllocator {
            heap: std::cell::UnsafeCell::new(dlmalloc::Dlmalloc::new()),
            owner: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The heap, after checking that the calling thread is the one that first allocated.
    /// A thread is known by the address of a thread-local byte, which a forked child keeps.
    #[allow(clippy::mut_from_ref)]
    fn heap(&self) -> &mut dlmalloc::Dlmalloc {
        use std::sync::atomic::Ordering::Relaxed;
        thread_local!(static MARK: u8 = const { 0 });
        let me = MARK.with(|m| m as *const u8 as usize);
        let owner = self.owner.load(Relaxed);
        if owner != me {
            if owner != 0 {
                const MSG: &[u8] = b"auditsh: a second thread allocated memory; the shell's allocator serves one\n";
                // SAFETY: writing a static buffer to stderr.
                unsafe { libc::write(2, MSG.as_ptr().cast(), MSG.len()) };
                // SAFETY: abort has no preconditions.
                unsafe { libc::abort() };
            }
            self.owner.store(me, Relaxed);
        }
        // SAFETY: only the owning thread gets here, and it never holds two of these at once
        // (every use below is one call into dlmalloc).
        unsafe { &mut *self.heap.get() }
    }
}

#[cfg(target_env = "musl")]
impl Default for OneThreadAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: `heap` is only reached by the owning thread (checked on every call).
#[cfg(target_env = "musl")]
unsafe impl Sync for OneThreadAllocator {}

// SAFETY: dlmalloc returns blocks of the requested size and alignment, or null.
#[cfg(target_env = "musl")]
unsafe impl std::alloc::GlobalAlloc for OneThreadAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc's contract is dlmalloc's.
        unsafe { self.heap().malloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` came from this allocator with this layout.
        unsafe { self.heap().free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as alloc.
        unsafe { self.heap().calloc(layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with this layout.
        unsafe { self.heap().realloc(ptr, layout.size(), layout.align(), new) }
    }
}

#[cfg(test)]
mod tests {
    use super::copy;

    /// Every length up to 300, at unaligned offsets, without overlap and overlapping in both
    /// directions.
    #[test]
    fn copies_like_memmove() {
        let pattern: Vec<u8> = (0..800u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..300 {
            for (from, to) in [
                (0, 400),
                (3, 405),
                (400, 1),
                (10, 10),
                (20, 21),
                (20, 37),
                (21, 20),
                (37, 20),
                (5, 5 + n / 2),
                (5 + n / 2, 5),
            ] {
                let mut got = pattern.clone();
                // Built byte by byte from the untouched pattern (black_box keeps the compiler
                // from turning the loop into a call of the copy under test).
                let mut want = pattern.clone();
                for i in 0..n {
                    want[to + i] = std::hint::black_box(pattern[from + i]);
                }
                let base = got.as_mut_ptr();
                let (dest, src) = (base.wrapping_add(to), base.wrapping_add(from));
                // SAFETY: both ranges lie inside `got` (800 bytes; from + n and to + n are at most 704).
                unsafe { copy(dest, src, n) };
                assert!(got == want, "n {n}, from {from} to {to}");
            }
        }
    }
}
