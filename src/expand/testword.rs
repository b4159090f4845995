//! A small word parser for tests, so that expansion can be compared with dash on the same
//! text: quotes, backslashes, `$name`, `${...}` with every operator, `$((...))` and a leading
//! `~`. Not the shell's parser; it panics on what it does not know.

use crate::syntax::ast::{Param, ParamExp, ParamOp, Word, WordPart};

pub fn word(s: &str) -> Word {
    let b = s.as_bytes();
    let mut i = 0;
    let parts = parts(b, &mut i, Ctx::Top);
    assert_eq!(i, b.len(), "test word not fully parsed: {s}");
    Word::new(parts)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The whole word: a leading `~` is a tilde prefix.
    Top,
    /// The word inside `${x-...}`: ends at `}`.
    Brace,
    /// Inside `"..."`: ends at `"`.
    Dq,
    /// Inside `$((...))`: ends at `))`.
    Arith,
    /// The word inside `"${x-...}"`: ends at `}`, single quotes are not special.
    DqBrace,
}

fn flush_lit(parts: &mut Vec<WordPart>, lit: &mut Vec<u8>, ctx: Ctx) {
    if !lit.is_empty() {
        let t = std::mem::take(lit);
        parts.push(if ctx == Ctx::Dq {
            WordPart::Quoted(t)
        } else {
            WordPart::Literal(t)
        });
    }
}

fn parts(b: &[u8], i: &mut usize, ctx: Ctx) -> Vec<WordPart> {
    let mut parts = Vec::new();
    let mut lit = Vec::new();
    if ctx == Ctx::Top && b.first() == Some(&b'~') {
        let end = b.iter().position(|&c| c == b'/').unwrap_or(b.len());
        let name = &b[1..end];
        if !name.iter().any(|c| b"'\"\\$".contains(c)) {
            parts.push(WordPart::Tilde(name.to_vec()));
            *i = end;
        }
    }
    while *i < b.len() {
        let c = b[*i];
        match (ctx, c) {
            (Ctx::Brace | Ctx::DqBrace, b'}') => break,
            (Ctx::Dq, b'"') => break,
            (Ctx::Arith, b')') if b.get(*i + 1) == Some(&b')') => break,
            (Ctx::Dq, b'\\') => {
                let n = b[*i + 1];
                if !b"$`\"\\\n".contains(&n) {
                    lit.push(b'\\');
                }
                lit.push(n);
                *i += 2;
            }
            (_, b'\\') => {
                flush_lit(&mut parts, &mut lit, ctx);
                parts.push(WordPart::Quoted(vec![b[*i + 1]]));
                *i += 2;
            }
            (Ctx::Top | Ctx::Brace, b'\'') => {
                flush_lit(&mut parts, &mut lit, ctx);
                let end = *i + 1 + b[*i + 1..].iter().position(|&c| c == b'\'').unwrap();
                parts.push(WordPart::Quoted(b[*i + 1..end].to_vec()));
                *i = end + 1;
            }
            (Ctx::Top | Ctx::Brace | Ctx::DqBrace | Ctx::Arith, b'"') => {
                flush_lit(&mut parts, &mut lit, ctx);
                *i += 1;
                let inner = parts_dq(b, i);
                parts.push(WordPart::DoubleQuoted(inner));
            }
            (_, b'$') => {
                flush_lit(&mut parts, &mut lit, ctx);
                match dollar(b, i, ctx) {
                    Some(p) => parts.push(p),
                    None => lit.push(b'$'),
                }
            }
            _ => {
                lit.push(c);
                *i += 1;
            }
        }
    }
    flush_lit(&mut parts, &mut lit, ctx);
    parts
}

fn parts_dq(b: &[u8], i: &mut usize) -> Vec<WordPart> {
    let inner = parts(b, i, Ctx::Dq);
    assert_eq!(b[*i], b'"');
    *i += 1;
    inner
}

fn param_name(b: &[u8], i: &mut usize, braced: bool) -> Option<Param> {
    let c = *b.get(*i)?;
    if c.is_ascii_alphabetic() || c == b'_' {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_alphanumeric() || b[*i] == b'_') {
            *i += 1;
        }
        return Some(Param::Var(b[start..*i].to_vec()));
    }
    if c.is_ascii_digit() {
        let start = *i;
        *i += 1;
        if braced {
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
        }
        let n: usize = std::str::from_utf8(&b[start..*i]).ok()?.parse().ok()?;
        return Some(if n == 0 {
            Param::Special(b'0')
        } else {
            Param::Positional(n, false)
        });
    }
    if b"@*#?-$!".contains(&c) {
        *i += 1;
        return Some(Param::Special(c));
    }
    None
}

fn dollar(b: &[u8], i: &mut usize, ctx: Ctx) -> Option<WordPart> {
    let start = *i;
    *i += 1;
    match b.get(*i) {
        Some(b'(') if b.get(*i + 1) == Some(&b'(') => {
            *i += 2;
            let inner = parts(b, i, Ctx::Arith);
            *i += 2;
            Some(WordPart::Arith(Word::new(inner)))
        }
        Some(b'{') => {
            *i += 1;
            let mut length = false;
            if b[*i] == b'#' {
                let mut j = *i + 1;
                if param_name(b, &mut j, true).is_some() && b.get(j) == Some(&b'}') {
                    length = true;
                    *i += 1;
                }
            }
            let param = param_name(b, i, true).expect("parameter name");
            let wctx = if ctx == Ctx::Dq || ctx == Ctx::DqBrace {
                Ctx::DqBrace
            } else {
                Ctx::Brace
            };
            let op_word = |i: &mut usize| Word::new(parts(b, i, wctx));
            let op = if length {
                ParamOp::Length
            } else {
                let colon = b[*i] == b':';
                if colon {
                    *i += 1;
                }
                let c = b[*i];
                if c == b'}' {
                    ParamOp::Plain
                } else {
                    *i += 1;
                    let double = (c == b'#' || c == b'%') && b[*i] == c;
                    if double {
                        *i += 1;
                    }
                    let word = op_word(i);
                    match (c, double) {
                        (b'-', _) => ParamOp::Default { colon, word },
                        (b'=', _) => ParamOp::Assign { colon, word },
                        (b'?', _) => ParamOp::Error { colon, word },
                        (b'+', _) => ParamOp::Alternative { colon, word },
                        (b'#', false) => ParamOp::RemoveSmallestPrefix(word),
                        (b'#', true) => ParamOp::RemoveLargestPrefix(word),
                        (b'%', false) => ParamOp::RemoveSmallestSuffix(word),
                        (b'%', true) => ParamOp::RemoveLargestSuffix(word),
                        _ => panic!("unknown operator"),
                    }
                }
            };
            assert_eq!(b[*i], b'}');
            *i += 1;
            Some(WordPart::Param(Box::new(ParamExp { param, op })))
        }
        _ => match param_name(b, i, false) {
            Some(param) => Some(WordPart::Param(Box::new(ParamExp {
                param,
                op: ParamOp::Plain,
            }))),
            None => {
                *i = start + 1;
                None
            }
        },
    }
}
