//! Writing a value back as shell input.

/// `'text'`, each `'` inside written `'\''`: read back by any POSIX shell as `text`.
pub fn single_quoted(text: &[u8]) -> Vec<u8> {
    let mut q = Vec::with_capacity(text.len() + 2);
    q.push(b'\'');
    for &c in text {
        if c == b'\'' {
            q.extend_from_slice(b"'\\''");
        } else {
            q.push(c);
        }
    }
    q.push(b'\'');
    q
}
