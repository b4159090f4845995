//! bash's brace expansion (`{a,b}`, `{1..10..2}`, `{a..z}`): the first expansion, on the word
//! as written. Only unquoted literal text takes part: a quoted brace or comma, or one that an
//! expansion produces, is text. `${` is never a brace (the parser has made it an expansion).

use crate::syntax::ast::{Param, ParamOp, Word, WordPart};

/// The most words one brace expansion may make: past it the command fails instead of
/// filling the memory (`{1..1000000000}`, `{a,b}` written thirty times).
pub const MAX_WORDS: usize = 1 << 20;

/// The most characters those words may hold together: long words multiplied (`{a..z}` four
/// times around two hundred characters) fail too, instead of taking gigabytes.
const MAX_CHARS: usize = 1 << 23;

/// What one brace expansion may still make.
struct Budget {
    words: usize,
    chars: usize,
}

#[derive(Clone, Copy)]
enum Tok<'a> {
    Ch(u8),
    Part(&'a WordPart),
    /// Nothing, quoted: a word made of it is still a field.
    Nothing,
}

/// Does the word have an unquoted `{` at all (the cheap test before [`expand`])?
#[inline]
pub fn may_expand(word: &Word) -> bool {
    word.parts
        .iter()
        .any(|p| matches!(p, WordPart::Literal(t) | WordPart::Tilde(t) if t.contains(&b'{')))
}

/// The words `word` expands to, in bash's order; None when there would be more than
/// [`MAX_WORDS`].
pub fn expand(word: &Word) -> Option<Vec<Word>> {
    let mut toks = Vec::new();
    for p in &word.parts {
        match p {
            WordPart::Literal(t) => toks.extend(t.iter().map(|&c| Tok::Ch(c))),
            // A tilde prefix is text to brace expansion, which comes first (`~{/a,root}`);
            // each word it makes is looked at for a tilde prefix again.
            WordPart::Tilde(name) => {
                toks.push(Tok::Ch(b'~'));
                toks.extend(name.iter().map(|&c| Tok::Ch(c)));
            }
            other => toks.push(Tok::Part(other)),
        }
    }
    let mut budget = Budget {
        words: MAX_WORDS,
        chars: MAX_CHARS,
    };
    let seqs = expand_toks(&toks, &mut budget).ok()?;
    Some(seqs.iter().map(|s| to_word(s)).collect())
}

fn to_word(toks: &[Tok]) -> Word {
    let mut parts: Vec<WordPart> = Vec::new();
    for t in toks {
        match t {
            Tok::Ch(c) => {
                if let Some(WordPart::Literal(l)) = parts.last_mut() {
                    l.push(*c);
                } else {
                    parts.push(WordPart::Literal(vec![*c]));
                }
            }
            Tok::Part(p) => parts.push((*p).clone()),
            Tok::Nothing => parts.push(WordPart::Quoted(Vec::new())),
        }
    }
    lengthen_names(&mut parts);
    Word::new(crate::syntax::lexer::bash_word_tildes(parts))
}

/// A `$x` that stood before a brace takes the name characters the expansion put after it
/// (`$x{a,b}` is `$xa`, `$xb`, as bash expands the text before reading it again).
fn lengthen_names(parts: &mut Vec<WordPart>) {
    let mut i = 0;
    while i < parts.len() {
        let (head, rest) = parts.split_at_mut(i + 1);
        let WordPart::Param(pe) = &mut head[i] else {
            i += 1;
            continue;
        };
        if pe.op != ParamOp::BeforeBrace {
            i += 1;
            continue;
        }
        pe.op = ParamOp::Plain;
        if let (Param::Var(name), Some(WordPart::Literal(next))) = (&mut pe.param, rest.first_mut())
        {
            let n = next
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            name.extend(next.drain(..n));
            if next.is_empty() {
                parts.remove(i + 1);
            }
        }
        i += 1;
    }
}

/// What the text between a `{` and its `}` is.
enum Inner {
    /// Alternatives, split at the top-level commas: their ranges of tokens.
    Alternatives(Vec<(usize, usize)>),
    /// A sequence, already made.
    Sequence(Vec<Vec<u8>>),
}

fn expand_toks<'a>(toks: &[Tok<'a>], budget: &mut Budget) -> Result<Vec<Vec<Tok<'a>>>, ()> {
    let mut start = 0;
    while let Some(open) = find_ch(toks, start, b'{') {
        let Some((close, inner)) = brace_at(toks, open) else {
            start = open + 1;
            continue;
        };
        let prefix = &toks[..open];
        let suffixes = expand_toks(&toks[close + 1..], budget)?;
        let mut middles: Vec<Vec<Tok<'a>>> = Vec::new();
        match inner {
            Inner::Alternatives(alts) => {
                for (from, to) in alts {
                    middles.extend(expand_toks(&toks[from..to], budget)?);
                }
            }
            Inner::Sequence(items) => {
                if items.len() > budget.words {
                    return Err(());
                }
                middles.extend(items.into_iter().map(|i| match i.is_empty() {
                    true => vec![Tok::Nothing],
                    false => i.into_iter().map(Tok::Ch).collect(),
                }));
            }
        }
        let n = middles.len().saturating_mul(suffixes.len());
        let length = |words: &[Vec<Tok>]| words.iter().map(Vec::len).sum::<usize>();
        let chars = n
            .saturating_mul(prefix.len())
            .saturating_add(suffixes.len().saturating_mul(length(&middles)))
            .saturating_add(middles.len().saturating_mul(length(&suffixes)));
        if n > budget.words || chars > budget.chars {
            return Err(());
        }
        budget.words -= n;
        budget.chars -= chars;
        let mut out = Vec::with_capacity(n);
        for m in &middles {
            for s in &suffixes {
                let mut w = Vec::with_capacity(prefix.len() + m.len() + s.len());
                w.extend_from_slice(prefix);
                w.extend_from_slice(m);
                w.extend_from_slice(s);
                out.push(w);
            }
        }
        return Ok(out);
    }
    Ok(vec![toks.to_vec()])
}

fn find_ch(toks: &[Tok], from: usize, c: u8) -> Option<usize> {
    toks.iter()
        .skip(from)
        .position(|t| matches!(t, Tok::Ch(x) if *x == c))
        .map(|i| i + from)
}

/// The brace expression opening at `open`, if it is one: its closing index and contents.
fn brace_at(toks: &[Tok], open: usize) -> Option<(usize, Inner)> {
    let mut depth = 0usize;
    let mut commas = Vec::new();
    let mut i = open + 1;
    while let Some(t) = toks.get(i) {
        match t {
            Tok::Ch(b'{') => depth += 1,
            Tok::Ch(b'}') if depth == 0 => {
                let inner = &toks[open + 1..i];
                if !commas.is_empty() {
                    let mut alts = Vec::new();
                    let mut from = open + 1;
                    for &c in &commas {
                        alts.push((from, c));
                        from = c + 1;
                    }
                    alts.push((from, i));
                    return Some((i, Inner::Alternatives(alts)));
                }
                return sequence(inner).map(|s| (i, Inner::Sequence(s)));
            }
            Tok::Ch(b'}') => depth -= 1,
            Tok::Ch(b',') if depth == 0 => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// A character of a letter range as a word: the backslash between `Z` and `a` is removed as a
/// quoting character would be, which leaves an empty field (bash).
fn letter(c: u8) -> Vec<u8> {
    if c == b'\\' {
        return Vec::new();
    }
    vec![c]
}

/// `X..Y[..STEP]` with integers or single letters.
fn sequence(inner: &[Tok]) -> Option<Vec<Vec<u8>>> {
    let mut text = Vec::with_capacity(inner.len());
    for t in inner {
        match t {
            Tok::Ch(c) => text.push(*c),
            Tok::Part(_) | Tok::Nothing => return None,
        }
    }
    let text = std::str::from_utf8(&text).ok()?;
    let fields: Vec<&str> = text.split("..").collect();
    let (a, b, step) = match fields.as_slice() {
        [a, b] => (*a, *b, None),
        [a, b, s] => (*a, *b, Some(*s)),
        _ => return None,
    };
    let step = match step {
        Some(s) => parse_int(s)?.checked_abs()?,
        None => 1,
    };
    let step = step.max(1);
    if let (Some(x), Some(y)) = (parse_int(a), parse_int(b)) {
        let width = if padded(a) || padded(b) {
            a.len().max(b.len())
        } else {
            0
        };
        let count = (x.abs_diff(y) / step.unsigned_abs()).saturating_add(1);
        if count > MAX_WORDS as u64 {
            return Some(vec![Vec::new(); MAX_WORDS + 1]);
        }
        let mut out = Vec::with_capacity(count as usize);
        let mut v = x;
        for _ in 0..count {
            let s = if width > 0 && v < 0 {
                format!("-{:0w$}", v.unsigned_abs(), w = width - 1)
            } else {
                format!("{v:0width$}")
            };
            out.push(s.into_bytes());
            v = if x <= y {
                v.wrapping_add(step)
            } else {
                v.wrapping_sub(step)
            };
        }
        return Some(out);
    }
    let (&[x], &[y]) = (a.as_bytes(), b.as_bytes()) else {
        return None;
    };
    if !x.is_ascii_alphabetic() || !y.is_ascii_alphabetic() {
        return None;
    }
    let step = usize::try_from(step).ok()?;
    let out: Vec<Vec<u8>> = if x <= y {
        (x..=y).step_by(step).map(letter).collect()
    } else {
        (y..=x).rev().step_by(step).map(letter).collect()
    };
    Some(out)
}

fn parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Past i64 bash is not a sequence either.
    s.parse().ok()
}

/// A leading zero asks for zero padding to the wider end's width.
fn padded(s: &str) -> bool {
    let d = s.strip_prefix('-').unwrap_or(s);
    d.len() > 1 && d.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::Command;
    use crate::syntax::parse_all_in;

    fn words(text: &str) -> Vec<String> {
        let list = parse_all_in(format!("echo {text}").as_bytes(), true).unwrap();
        let Command::Simple(s) = &list.items[0].and_or.first.commands[0] else {
            panic!()
        };
        expand(&s.words[1])
            .unwrap()
            .iter()
            .map(|w| {
                w.parts
                    .iter()
                    .map(|p| match p {
                        WordPart::Literal(t) => String::from_utf8_lossy(t).into_owned(),
                        WordPart::Quoted(t) => format!("Q({})", String::from_utf8_lossy(t)),
                        _ => "P".into(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn alternatives_and_sequences() {
        assert_eq!(words("a{b,c}d"), ["abd", "acd"]);
        assert_eq!(words("{a,b}{1,2}"), ["a1", "a2", "b1", "b2"]);
        assert_eq!(words("{a,{b,c}d}"), ["a", "bd", "cd"]);
        assert_eq!(words("{1..3}"), ["1", "2", "3"]);
        assert_eq!(words("{3..1}"), ["3", "2", "1"]);
        assert_eq!(words("{01..10..3}"), ["01", "04", "07", "10"]);
        assert_eq!(words("{a..e..2}"), ["a", "c", "e"]);
        assert_eq!(words("{-2..2..2}"), ["-2", "0", "2"]);
        assert_eq!(words("{a}"), ["{a}"]);
        assert_eq!(words("{a{b,c}}"), ["{ab}", "{ac}"]);
        assert_eq!(words("{a..5}"), ["{a..5}"]);
        assert_eq!(words("'{a,b}'"), ["Q({a,b})"]);
        assert_eq!(words("{a,'b,c'}"), ["a", "Q(b,c)"]);
        assert_eq!(words("{a,$x}"), ["a", "P"]);
        assert_eq!(words("${x}{a,b}"), ["Pa", "Pb"]);
        assert_eq!(words("{,a}"), ["", "a"]);
    }

    #[test]
    fn too_many_words_is_an_error() {
        let list = parse_all_in(b"echo {1..100000000}", true).unwrap();
        let Command::Simple(s) = &list.items[0].and_or.first.commands[0] else {
            panic!()
        };
        assert!(expand(&s.words[1]).is_none());
        let many = "{a,b}".repeat(30);
        let list = parse_all_in(format!("echo {many}").as_bytes(), true).unwrap();
        let Command::Simple(s) = &list.items[0].and_or.first.commands[0] else {
            panic!()
        };
        assert!(expand(&s.words[1]).is_none());
    }

    #[test]
    fn long_words_multiplied_are_an_error() {
        let long = "x".repeat(100);
        let expanded = |text: String| {
            let list = parse_all_in(format!("echo {text}").as_bytes(), true).unwrap();
            let Command::Simple(s) = &list.items[0].and_or.first.commands[0] else {
                panic!()
            };
            expand(&s.words[1]).map(|w| w.len())
        };
        // 456,976 words of 204 characters: 93 million characters.
        assert_eq!(
            expanded(format!("{long}{{a..z}}{{a..z}}{{a..z}}{{a..z}}{long}")),
            None
        );
        // The same count of short words is fine, and so are long words not multiplied.
        assert_eq!(expanded("{a..z}{a..z}{a..z}{a..z}".into()), Some(456_976));
        assert_eq!(expanded(format!("{long}{{a..z}}{{a..z}}{long}")), Some(676));
    }
}
