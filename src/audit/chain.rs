//! The hash chain: each record's `auditsh.prev` is the SHA-256 (hex) of the previous record's
//! line as written, without its newline; the first record (sequence 0) has 64 zeros.

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

/// Why a sequence of lines is not one intact session chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// 1-based line number.
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Check the lines of one session's spool file (newline-separated, as written): one session,
/// sequences 0, 1, 2 ... without a gap, `event.id` matching, and each `auditsh.prev` the hash
/// of the line before. Returns the number of records.
pub fn verify(text: &[u8]) -> Result<u64, ChainError> {
    let mut prev = GENESIS;
    let mut session: Option<String> = None;
    let mut expected = 0u64;
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if body.is_empty() {
        return Ok(0);
    }
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let err = |reason: String| ChainError {
            line: i + 1,
            reason,
        };
        let v: serde_json::Value =
            serde_json::from_slice(line).map_err(|e| err(format!("not JSON: {e}")))?;
        let seq = v["event"]["sequence"]
            .as_u64()
            .ok_or_else(|| err("no event.sequence".into()))?;
        if seq != expected {
            return Err(err(format!("sequence {seq}, expected {expected}")));
        }
        let s = v["auditsh"]["session"]
            .as_str()
            .ok_or_else(|| err("no auditsh.session".into()))?;
        match &session {
            None => session = Some(s.to_string()),
            Some(first) if first != s => {
                return Err(err(format!("session {s}, expected {first}")));
            }
            Some(_) => {}
        }
        if v["event"]["id"].as_str() != Some(format!("{s}-{seq}").as_str()) {
            return Err(err("event.id does not match session and sequence".into()));
        }
        let want = hex64(&prev);
        if v["auditsh"]["prev"].as_str().map(str::as_bytes) != Some(&want[..]) {
            return Err(err(
                "auditsh.prev is not the hash of the previous line".into()
            ));
        }
        prev = line_hash(line);
        expected += 1;
    }
    Ok(expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(session: &str, seq: u64, prev: &[u8; 32]) -> String {
        let p = hex64(prev);
        format!(
            r#"{{"event":{{"sequence":{seq},"id":"{session}-{seq}"}},"auditsh":{{"session":"{session}","prev":"{}"}}}}"#,
            std::str::from_utf8(&p).unwrap()
        )
    }

    fn chain(n: u64) -> Vec<String> {
        let mut prev = GENESIS;
        (0..n)
            .map(|i| {
                let l = line("s1", i, &prev);
                prev = line_hash(l.as_bytes());
                l
            })
            .collect()
    }

    fn text(lines: &[String]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    #[test]
    fn intact_chain() {
        assert_eq!(verify(&text(&chain(5))), Ok(5));
        assert_eq!(verify(b""), Ok(0));
    }

    #[test]
    fn edits_are_found_and_named() {
        let mut c = chain(5);
        c[2] = c[2].replace("\"s1\"", "\"s1\" ");
        assert_eq!(verify(&text(&c)).unwrap_err().line, 4);

        let mut c = chain(5);
        c.remove(2);
        assert_eq!(verify(&text(&c)).unwrap_err().line, 3);

        let mut c = chain(5);
        c.swap(1, 2);
        assert_eq!(verify(&text(&c)).unwrap_err().line, 2);

        let c = chain(5);
        assert_eq!(verify(&text(&c[1..])).unwrap_err().line, 1);
    }
}
