//! Each record once: a session's spool copy and its syslog copy hold the same records, and a
//! record is one event however many copies of it are read. A record is known by its session
//! and `event.sequence`.

use std::collections::{HashMap, HashSet};

/// A session id as a compact key: its 128 bits when it is 32 hex digits (as auditsh makes
/// them), else a 128-bit hash of the text.
pub fn session_key(session: &str) -> u128 {
    let b = session.as_bytes();
    if b.len() == 32 {
        if let Ok(v) = u128::from_str_radix(session, 16) {
            if b.iter().all(|c| !c.is_ascii_uppercase() && *c != b'+') {
                return v;
            }
        }
    }
    // Two FNV-1a lanes with different offsets; the top bit marks a hashed key apart from a
    // parsed one only by chance, which is good enough for ids no shell wrote.
    let mut lo: u64 = 0xcbf2_9ce4_8422_2325;
    let mut hi: u64 = 0x6c62_272e_07bb_0142;
    for &c in b {
        lo = (lo ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
        hi = (hi ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3 ^ 0x1000);
    }
    (u128::from(hi) << 64) | u128::from(lo)
}

/// Sequences seen, per session: a bitmap for the dense numbers a session has, a set for any
/// number too large for one (a damaged or forged record).
#[derive(Default)]
pub struct Seen {
    sessions: HashMap<u128, Bits>,
}

#[derive(Default)]
struct Bits {
    words: Vec<u64>,
    far: HashSet<u64>,
}

/// Sequences above this are kept in a set rather than a bitmap (no session writes this many
/// records; a forged number must not make the bitmap huge).
const DENSE: u64 = 1 << 22;

impl Seen {
    /// True the first time `(session, sequence)` is offered. A record without a sequence is
    /// always new (nothing says it is the same as another).
    pub fn first(&mut self, session: u128, sequence: Option<u64>) -> bool {
        let Some(seq) = sequence else {
            return true;
        };
        let bits = self.sessions.entry(session).or_default();
        if seq >= DENSE {
            return bits.far.insert(seq);
        }
        let (word, bit) = ((seq / 64) as usize, seq % 64);
        if bits.words.len() <= word {
            bits.words.resize(word + 1, 0);
        }
        let mask = 1u64 << bit;
        let new = bits.words[word] & mask == 0;
        bits.words[word] |= mask;
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_new_once() {
        let mut seen = Seen::default();
        let a = session_key("55e6ae8ada2ff3ba271148bda1d14d4c");
        let b = session_key("not-hex");
        assert_ne!(a, b);
        assert!(seen.first(a, Some(3)));
        assert!(!seen.first(a, Some(3)));
        assert!(seen.first(b, Some(3)));
        assert!(seen.first(a, Some(u64::MAX)));
        assert!(!seen.first(a, Some(u64::MAX)));
        assert!(seen.first(a, None));
        assert!(seen.first(a, None));
    }

    #[test]
    fn hex_ids_are_their_own_key() {
        assert_eq!(session_key("00000000000000000000000000000010"), 16);
        assert_ne!(
            session_key("ABCDEF00000000000000000000000010"),
            session_key("abcdef00000000000000000000000010")
        );
    }
}
