//! bash's extended patterns (`shopt -s extglob`): `?(p|q)` zero or one, `*(p|q)` any number,
//! `+(p|q)` one or more, `@(p|q)` exactly one, `!(p|q)` anything but; nested, mixed with the
//! ordinary notation. Matching computes, node by node, the set of text positions each
//! alternative can end at (a bitmap per step), so no input takes exponential time.

use super::{parse_bracket, ByteSet};

#[derive(Debug, Clone)]
enum Node {
    Byte(u8),
    Any,
    Star,
    Set(ByteSet),
    /// The operator (`? * + @ !`) and its alternatives.
    Ext(u8, Vec<Vec<Node>>),
}

/// True if `pat` holds an unescaped extended-pattern operator.
pub fn has_ext(pat: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&c) = pat.get(i) {
        match c {
            b'\\' => i += 2,
            b'?' | b'*' | b'+' | b'@' | b'!' if pat.get(i + 1) == Some(&b'(') => return true,
            _ => i += 1,
        }
    }
    false
}

/// Parse from `i` up to the end, or (`inner`) to the `|` or `)` that ends an alternative.
fn parse(pat: &[u8], mut i: usize, inner: bool) -> (Vec<Node>, usize) {
    let mut seq = Vec::new();
    while let Some(&c) = pat.get(i) {
        if inner && matches!(c, b'|' | b')') {
            break;
        }
        match c {
            b'?' | b'*' | b'+' | b'@' | b'!' if pat.get(i + 1) == Some(&b'(') => {
                if let Some((alts, next)) = parse_group(pat, i + 2) {
                    seq.push(Node::Ext(c, alts));
                    i = next;
                    continue;
                }
                seq.push(match c {
                    b'*' => Node::Star,
                    b'?' => Node::Any,
                    _ => Node::Byte(c),
                });
                i += 1;
            }
            b'*' => {
                seq.push(Node::Star);
                i += 1;
            }
            b'?' => {
                seq.push(Node::Any);
                i += 1;
            }
            b'\\' => {
                seq.push(Node::Byte(pat.get(i + 1).copied().unwrap_or(b'\\')));
                i += 2;
            }
            b'[' => match parse_bracket(pat, i + 1) {
                Some((set, next)) => {
                    seq.push(Node::Set(set));
                    i = next;
                }
                None => {
                    seq.push(Node::Byte(b'['));
                    i += 1;
                }
            },
            _ => {
                seq.push(Node::Byte(c));
                i += 1;
            }
        }
    }
    (seq, i)
}

/// The alternatives after `X(`, and the index after the `)`; None when it is not closed.
fn parse_group(pat: &[u8], mut i: usize) -> Option<(Vec<Vec<Node>>, usize)> {
    let mut alts = Vec::new();
    loop {
        let (alt, next) = parse(pat, i, true);
        alts.push(alt);
        match pat.get(next) {
            Some(b'|') => i = next + 1,
            Some(b')') => return Some((alts, next + 1)),
            _ => return None,
        }
    }
}

/// The positions where `seq`, started at any position marked in `from`, can end.
fn ends(seq: &[Node], text: &[u8], from: Vec<bool>) -> Vec<bool> {
    let n = text.len();
    let mut cur = from;
    for node in seq {
        let mut next = vec![false; n + 1];
        match node {
            Node::Star => {
                if let Some(first) = cur.iter().position(|&b| b) {
                    next[first..].iter_mut().for_each(|b| *b = true);
                }
            }
            Node::Ext(op, alts) => {
                for p in (0..=n).filter(|&p| cur[p]) {
                    for (e, m) in ext_ends(*op, alts, text, p).into_iter().enumerate() {
                        next[e] |= m;
                    }
                }
            }
            single => {
                for p in (0..n).filter(|&p| cur[p]) {
                    let ok = match single {
                        Node::Byte(b) => text[p] == *b,
                        Node::Any => true,
                        Node::Set(s) => s.contains(text[p]),
                        _ => false,
                    };
                    if ok {
                        next[p + 1] = true;
                    }
                }
            }
        }
        if !next.iter().any(|&b| b) {
            return next;
        }
        cur = next;
    }
    cur
}

/// Where one of the alternatives, started at `p`, can end.
fn one_of(alts: &[Vec<Node>], text: &[u8], p: usize) -> Vec<bool> {
    let mut start = vec![false; text.len() + 1];
    start[p] = true;
    let mut out = vec![false; text.len() + 1];
    for alt in alts {
        for (e, m) in ends(alt, text, start.clone()).into_iter().enumerate() {
            out[e] |= m;
        }
    }
    out
}

fn ext_ends(op: u8, alts: &[Vec<Node>], text: &[u8], p: usize) -> Vec<bool> {
    let n = text.len();
    match op {
        b'@' => one_of(alts, text, p),
        b'?' => {
            let mut out = one_of(alts, text, p);
            out[p] = true;
            out
        }
        b'*' | b'+' => {
            // Repetitions: positions reachable by one or more alternatives in a row.
            let mut reached = vec![false; n + 1];
            let mut todo = vec![p];
            let mut seen = vec![false; n + 1];
            seen[p] = true;
            while let Some(q) = todo.pop() {
                for (e, m) in one_of(alts, text, q).into_iter().enumerate() {
                    if m {
                        reached[e] = true;
                        if !seen[e] {
                            seen[e] = true;
                            todo.push(e);
                        }
                    }
                }
            }
            if op == b'*' {
                reached[p] = true;
            }
            reached
        }
        _ => {
            // `!(...)`: any end whose text from `p` matches none of the alternatives.
            let matched = one_of(alts, text, p);
            (0..=n).map(|e| e >= p && !matched[e]).collect()
        }
    }
}

/// Whole-text match of an extended pattern.
pub fn matches(pat: &[u8], text: &[u8]) -> bool {
    let (seq, _) = parse(pat, 0, false);
    let mut start = vec![false; text.len() + 1];
    start[0] = true;
    ends(&seq, text, start)[text.len()]
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn operators() {
        assert!(matches(b"@(abc|def)", b"def"));
        assert!(!matches(b"@(abc|def)", b"abcdef"));
        assert!(matches(b"+(ab)", b"ababab"));
        assert!(!matches(b"+(ab)", b""));
        assert!(matches(b"*(ab)", b""));
        assert!(matches(b"x?(y)z", b"xz"));
        assert!(matches(b"x?(y)z", b"xyz"));
        assert!(!matches(b"x?(y)z", b"xyyz"));
        assert!(matches(b"!(*.c)", b"main.h"));
        assert!(!matches(b"!(*.c)", b"main.c"));
        assert!(matches(b"*.@(jpg|png)", b"a.png"));
        assert!(matches(b"+([0-9])", b"12345"));
        assert!(!matches(b"+([0-9])", b"12a45"));
        assert!(matches(b"@(a|+(b|c))d", b"bcbd"));
        assert!(matches(b"\\@(a)", b"@(a)"));
        assert!(matches(
            b"*(a|aa|aaa)b",
            &[b"a".repeat(40), b"b".to_vec()].concat()
        ));
        assert!(!matches(b"*(a|aa|aaa)c", &b"a".repeat(40)));
    }
}
