//! The hash chain: each record's `auditsh.prev` is the SHA-256 (hex) of the previous record's
//! line as written, without its newline; the first record (sequence 0) has 64 zeros. The
//! chain is checked by `auditsh-log verify` (`crate::auditsh_log::verify`), and the tests of the
//! records check it with the same code.

use super::record::hex_into;
use sha2::{Digest, Sha256};

/// `auditsh.prev` of sequence 0.
pub const GENESIS: [u8; 32] = [0; 32];

/// SHA-256 of one line (without its newline).
pub fn line_hash(line: &[u8]) -> [u8; 32] {
    Sha256::digest(line).into()
}

/// Hex form of a hash.
pub fn hex64(hash: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    hex_into(hash, &mut out);
    out
}
