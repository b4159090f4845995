//! bash's extended patterns (`shopt -s extglob`): `?(p|q)` zero or one, `*(p|q)` any number,
//! `+(p|q)` one or more, `@(p|q)` exactly one, `!(p|q)` anything but; nested, mixed with the
//! ordinary notation. Matching computes, node by node, the set of text positions each
//! alternative can end at (a bitmap per step), so no input takes exponential time.

use super::{at, parse_bracket, Unit, UnitSet};

#[derive(Debug, Clone)]
enum Node {
    Unit(u32),
    Any,
    Star,
    Set(Box<UnitSet>),
    /// The operator (`? * + @ !`) and its alternatives.
    Ext(u8, Vec<Vec<Node>>),
}

/// True if `pat` holds an unescaped extended-pattern operator.
pub fn has_ext<U: Unit>(pat: &[U]) -> bool {
    let mut i = 0;
    while let Some(c) = at(pat, i) {
        match operator(c) {
            Some(_) if at(pat, i + 1) == Some(OPEN) => return true,
            _ if c == u32::from(b'\\') => i += 2,
            _ => i += 1,
        }
    }
    false
}

const OPEN: u32 = b'(' as u32;

/// The extended operator `c` is, if it is one.
fn operator(c: u32) -> Option<u8> {
    u8::try_from(c)
        .ok()
        .filter(|b| matches!(b, b'?' | b'*' | b'+' | b'@' | b'!'))
}

/// Parse from `i` up to the end, or (`inner`) to the `|` or `)` that ends an alternative.
fn parse<U: Unit>(pat: &[U], mut i: usize, inner: bool) -> (Vec<Node>, usize) {
    let mut seq = Vec::new();
    while let Some(c) = at(pat, i) {
        if inner && (c == u32::from(b'|') || c == u32::from(b')')) {
            break;
        }
        if let Some(op) = operator(c).filter(|_| at(pat, i + 1) == Some(OPEN)) {
            if let Some((alts, next)) = parse_group(pat, i + 2) {
                seq.push(Node::Ext(op, alts));
                i = next;
                continue;
            }
        }
        i += 1;
        seq.push(match c {
            0x2a /* * */ => Node::Star,
            0x3f /* ? */ => Node::Any,
            0x5c /* \ */ => {
                i += 1;
                Node::Unit(at(pat, i - 1).unwrap_or(c))
            }
            0x5b /* [ */ => match parse_bracket(pat, i) {
                Some((set, next)) => {
                    i = next;
                    Node::Set(Box::new(set))
                }
                None => Node::Unit(c),
            },
            _ => Node::Unit(c),
        });
    }
    (seq, i)
}

/// The alternatives after `X(`, and the index after the `)`; None when it is not closed.
fn parse_group<U: Unit>(pat: &[U], mut i: usize) -> Option<(Vec<Vec<Node>>, usize)> {
    let mut alts = Vec::new();
    loop {
        let (alt, next) = parse(pat, i, true);
        alts.push(alt);
        match at(pat, next).and_then(|c| u8::try_from(c).ok()) {
            Some(b'|') => i = next + 1,
            Some(b')') => return Some((alts, next + 1)),
            _ => return None,
        }
    }
}

/// The positions where `seq`, started at any position marked in `from`, can end.
fn ends<U: Unit>(seq: &[Node], text: &[U], from: Vec<bool>) -> Vec<bool> {
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
                        Node::Unit(u) => text[p].code() == *u,
                        Node::Any => true,
                        Node::Set(s) => s.contains(text[p].code()),
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
fn one_of<U: Unit>(alts: &[Vec<Node>], text: &[U], p: usize) -> Vec<bool> {
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

fn ext_ends<U: Unit>(op: u8, alts: &[Vec<Node>], text: &[U], p: usize) -> Vec<bool> {
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
pub fn matches<U: Unit>(pat: &[U], text: &[U]) -> bool {
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
