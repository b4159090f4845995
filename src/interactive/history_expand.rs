//! History expansion as bash does it at an interactive prompt (`set -H`, on by default): a line
//! is rewritten before the parser sees it, `!!`, `!n`, `!-n`, `!str`, `!?str?`, `!#` and
//! `^old^new` picking an earlier command, word designators (`:0 :n :^ :$ :% :x-y :* :x*`, or
//! `^ $ * -` right after the event) choosing some of its words, and modifiers (`:h :t :r :e
//! :p :q :x :s/old/new/ :& :g`) changing them.
//!
//! A `!` stays as it is inside single quotes, after a backslash, at the end of the line, before
//! a blank, `=` or `(`, before the closing `"` of a double-quoted string, in `$!` and `${!`,
//! after `[` in a bracket expression, and in a comment.

use crate::syntax::quote::single_quoted;

/// The history as expansion sees it: the entries oldest first, and the number the line being
/// read will have.
pub struct Events<'a> {
    pub entries: &'a [Vec<u8>],
    pub next_number: usize,
}

/// The line after expansion.
#[derive(Debug, PartialEq, Eq)]
pub struct Expanded {
    pub line: Vec<u8>,
    /// `:p` was used: the line is shown (and kept in the history), not run.
    pub print_only: bool,
}

/// Why a line could not be expanded: the message bash prints after the shell's name, e.g.
/// `!x: event not found`.
#[derive(Debug, PartialEq, Eq)]
pub struct ExpandError(pub Vec<u8>);

fn fail<T>(what: &[u8], why: &str) -> Result<T, ExpandError> {
    let mut m = what.to_vec();
    m.extend_from_slice(b": ");
    m.extend_from_slice(why.as_bytes());
    Err(ExpandError(m))
}

/// Expand the history references in `line`; None when it has none.
pub fn expand(line: &[u8], events: &Events<'_>) -> Result<Option<Expanded>, ExpandError> {
    if !line.contains(&b'!') && line.first() != Some(&b'^') {
        return Ok(None);
    }
    let mut x = Expander {
        line,
        events,
        out: Vec::with_capacity(line.len() + 32),
        changed: false,
        print_only: false,
        last_substitution: None,
        searched: None,
    };
    x.run()?;
    Ok(x.changed.then_some(Expanded {
        line: x.out,
        print_only: x.print_only,
    }))
}

struct Expander<'a, 'b> {
    line: &'a [u8],
    events: &'a Events<'b>,
    out: Vec<u8>,
    changed: bool,
    print_only: bool,
    /// The last `:s` on the line (old, new), which `:&` repeats.
    last_substitution: Option<(Vec<u8>, Vec<u8>)>,
    /// What the last `!?str?` searched for, whose word `%` designates.
    searched: Option<Vec<u8>>,
}

const OPERATOR: &[u8] = b";&|()<>";

impl Expander<'_, '_> {
    fn run(&mut self) -> Result<(), ExpandError> {
        let line = self.line;
        let mut i = 0;
        if line.first() == Some(&b'^') {
            i = self.quick_substitution()?;
        }
        let mut single = false;
        let mut double = false;
        while i < line.len() {
            let b = line[i];
            if single {
                single = b != b'\'';
                self.out.push(b);
                i += 1;
                continue;
            }
            match b {
                b'\\' => {
                    self.out
                        .extend_from_slice(&line[i..(i + 2).min(line.len())]);
                    i += 2;
                    continue;
                }
                b'\'' if !double => single = true,
                b'"' => double = !double,
                b'#' if !double && (i == 0 || word_boundary(line[i - 1])) => {
                    self.out.extend_from_slice(&line[i..]);
                    return Ok(());
                }
                b'!' if !self.literal_bang(i, double) => {
                    i = self.reference(i)?;
                    self.changed = true;
                    continue;
                }
                _ => {}
            }
            self.out.push(b);
            i += 1;
        }
        Ok(())
    }

    /// True when the `!` at `i` is an ordinary character.
    fn literal_bang(&self, i: usize, double: bool) -> bool {
        let line = self.line;
        let next = match line.get(i + 1) {
            None => return true,
            Some(&c) => c,
        };
        if matches!(next, b' ' | b'\t' | b'\n' | b'\r' | b'=' | b'(') {
            return true;
        }
        if double && next == b'"' {
            return true;
        }
        let prev = if i > 0 { line[i - 1] } else { 0 };
        if prev == b'$' || (prev == b'{' && i >= 2 && line[i - 2] == b'$') {
            return true;
        }
        prev == b'[' && line[i + 1..].contains(&b']')
    }

    /// `^old^new[^]`: the previous command with `old` replaced once.
    fn quick_substitution(&mut self) -> Result<usize, ExpandError> {
        let line = self.line;
        let (old, new, end) = substitution_parts(line, 1, b'^');
        let Some(previous) = self.events.entries.last() else {
            return fail(b"!!", "event not found");
        };
        let mut text = previous.clone();
        if !replace(&mut text, &old, &new, false) {
            let mut what = b":s".to_vec();
            what.extend_from_slice(&line[..end]);
            return fail(&what, "substitution failed");
        }
        self.out.extend_from_slice(&text);
        self.changed = true;
        Ok(end)
    }

    /// Expand the reference that starts with the `!` at `start`; where the line goes on.
    fn reference(&mut self, start: usize) -> Result<usize, ExpandError> {
        let line = self.line;
        let (event, mut i) = self.event(start)?;
        let words = split_words(&event);
        // The words chosen: by default the whole command.
        let mut chosen: Option<Vec<u8>> = None;
        let designator_start = i;
        let bare = matches!(line.get(i), Some(b'^' | b'$' | b'*' | b'%'))
            || (line.get(i) == Some(&b'-') && line[start + 1] != b'?');
        let colon_designator = line.get(i) == Some(&b':')
            && matches!(
                line.get(i + 1),
                Some(b'0'..=b'9' | b'^' | b'$' | b'*' | b'-' | b'%')
            );
        if bare || colon_designator {
            if colon_designator {
                i += 1;
            }
            let (range, end) = designator(line, i);
            let what = &line[designator_start..end];
            // `%`: the word that `!?str?` found.
            let matched = self
                .searched
                .as_ref()
                .and_then(|n| words.iter().position(|w| contains(w, n)));
            let range = match range {
                Some(_) if line[i] == b'%' => matched.map(|k| Range {
                    from: Bound::Word(k),
                    to: Bound::Word(k),
                }),
                r => r,
            };
            let Some((from, to)) = range.and_then(|r| r.resolve(words.len())) else {
                return fail(what, "bad word specifier");
            };
            chosen = Some(words[from..to].join(&b' '));
            i = end;
        }
        let mut text = chosen.unwrap_or(event);
        i = self.modifiers(&mut text, i)?;
        self.out.extend_from_slice(&text);
        Ok(i)
    }

    /// The event named at `start` (a `!`): its text and where the reference goes on.
    fn event(&mut self, start: usize) -> Result<(Vec<u8>, usize), ExpandError> {
        let line = self.line;
        let entries = self.events.entries;
        let first = self.events.next_number.saturating_sub(entries.len());
        let by_number = |n: usize| n.checked_sub(first).and_then(|k| entries.get(k)).cloned();
        let mut i = start + 1;
        let found = match line[i] {
            b'!' => {
                i += 1;
                entries.last().cloned()
            }
            b'#' => {
                i += 1;
                Some(self.out.clone())
            }
            b'0'..=b'9' => {
                let digits = run_of(line, i, |c| c.is_ascii_digit());
                i += digits.len();
                parse_number(digits).and_then(by_number)
            }
            b'-' if line.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let digits = run_of(line, i + 1, |c| c.is_ascii_digit());
                i += 1 + digits.len();
                parse_number(digits)
                    .filter(|&n| n > 0)
                    .and_then(|n| entries.len().checked_sub(n))
                    .and_then(|k| entries.get(k))
                    .cloned()
            }
            // `!$`, `!^`, `!*`, `!:...`: words of the previous command.
            b'^' | b'$' | b'*' | b'%' | b':' | b'-' => entries.last().cloned(),
            b'?' => {
                let rest = &line[i + 1..];
                let len = rest
                    .iter()
                    .position(|&c| c == b'?' || c == b'\n')
                    .unwrap_or(rest.len());
                let needle = &rest[..len];
                i += 1 + len;
                if line.get(i) == Some(&b'?') {
                    i += 1;
                }
                self.searched = Some(needle.to_vec());
                entries
                    .iter()
                    .rev()
                    .find(|e| !needle.is_empty() && contains(e, needle))
                    .cloned()
            }
            _ => {
                let prefix = run_of(line, i, |c| {
                    !c.is_ascii_whitespace() && c != b':' && !OPERATOR.contains(&c) && c != b'"'
                });
                i += prefix.len();
                entries
                    .iter()
                    .rev()
                    .find(|e| e.starts_with(prefix))
                    .cloned()
            }
        };
        match found {
            Some(text) => Ok((text, i)),
            None => fail(&line[start..i], "event not found"),
        }
    }

    /// Apply the modifiers (`:h`, `:s/a/b/`, ...) found at `i`; where the line goes on.
    fn modifiers(&mut self, text: &mut Vec<u8>, mut i: usize) -> Result<usize, ExpandError> {
        let line = self.line;
        while line.get(i) == Some(&b':') {
            let start = i;
            let mut global = false;
            let mut m = line.get(i + 1).copied();
            if matches!(m, Some(b'g' | b'a')) && matches!(line.get(i + 2), Some(b's' | b'&')) {
                global = true;
                i += 1;
                m = line.get(i + 1).copied();
            }
            i += 2;
            match m {
                Some(b'h') => {
                    if let Some(p) = text.iter().rposition(|&c| c == b'/') {
                        text.truncate(p.max(usize::from(p == 0)));
                    }
                }
                Some(b't') => {
                    if let Some(p) = text.iter().rposition(|&c| c == b'/') {
                        text.drain(..=p);
                    }
                }
                Some(b'r') => {
                    if let Some(p) = suffix_start(text) {
                        text.truncate(p);
                    }
                }
                Some(b'e') => match suffix_start(text) {
                    Some(p) => {
                        text.drain(..p);
                    }
                    None => text.clear(),
                },
                Some(b'p') => self.print_only = true,
                Some(b'q') => *text = single_quoted(text),
                Some(b'x') => {
                    let quoted: Vec<Vec<u8>> =
                        split_words(text).iter().map(|w| single_quoted(w)).collect();
                    *text = quoted.join(&b' ');
                }
                Some(b's') => {
                    let Some(&delim) = line.get(i) else {
                        return fail(&line[start..i], "substitution failed");
                    };
                    let (old, new, end) = substitution_parts(line, i + 1, delim);
                    i = end;
                    if !replace(text, &old, &new, global) {
                        return fail(&line[start..i], "substitution failed");
                    }
                    self.last_substitution = Some((old, new));
                }
                Some(b'&') => {
                    let done = match &self.last_substitution {
                        Some((old, new)) => replace(text, old, new, global),
                        None => false,
                    };
                    if !done {
                        return fail(&line[start..i], "substitution failed");
                    }
                }
                _ => {
                    let end = (start + 2).min(line.len());
                    return fail(&line[start..end], "unrecognized history modifier");
                }
            }
        }
        Ok(i)
    }
}

/// A character after which `#` starts a comment.
fn word_boundary(c: u8) -> bool {
    c.is_ascii_whitespace() || OPERATOR.contains(&c)
}

fn run_of(line: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> &[u8] {
    let rest = &line[from.min(line.len())..];
    let len = rest.iter().position(|&c| !pred(c)).unwrap_or(rest.len());
    &rest[..len]
}

fn parse_number(digits: &[u8]) -> Option<usize> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Where the suffix (`.gz` of `a/b.tar.gz`) of the last path component begins.
fn suffix_start(text: &[u8]) -> Option<usize> {
    let dot = text.iter().rposition(|&c| c == b'.')?;
    match text.iter().rposition(|&c| c == b'/') {
        Some(slash) if slash > dot => None,
        _ => Some(dot),
    }
}

/// `old` and `new` of `old<delim>new<delim>` starting at `from` (the last delimiter may be
/// left out; a backslash quotes the delimiter; `&` in `new` stands for `old`), and the index
/// after them.
fn substitution_parts(line: &[u8], from: usize, delim: u8) -> (Vec<u8>, Vec<u8>, usize) {
    let mut i = from;
    let part = |i: &mut usize| {
        let mut text = Vec::new();
        while *i < line.len() && line[*i] != delim && line[*i] != b'\n' {
            if line[*i] == b'\\' && line.get(*i + 1) == Some(&delim) {
                *i += 1;
            }
            text.push(line[*i]);
            *i += 1;
        }
        if line.get(*i) == Some(&delim) {
            *i += 1;
        }
        text
    };
    let old = part(&mut i);
    let new_raw = part(&mut i);
    let mut new = Vec::with_capacity(new_raw.len());
    for &c in &new_raw {
        if c == b'&' {
            new.extend_from_slice(&old);
        } else {
            new.push(c);
        }
    }
    (old, new, i)
}

/// Replace `old` by `new` in `text`, once or everywhere; false when `old` is not there.
fn replace(text: &mut Vec<u8>, old: &[u8], new: &[u8], global: bool) -> bool {
    if old.is_empty() {
        return false;
    }
    let mut out = Vec::with_capacity(text.len() + new.len());
    let mut i = 0;
    let mut found = false;
    while i < text.len() {
        if (global || !found) && text[i..].starts_with(old) {
            out.extend_from_slice(new);
            i += old.len();
            found = true;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    if found {
        *text = out;
    }
    found
}

/// Words `from..to` of a command (`to` exclusive), or none that fit.
#[derive(Debug, Clone, Copy)]
struct Range {
    from: Bound,
    to: Bound,
}

#[derive(Debug, Clone, Copy)]
enum Bound {
    Word(usize),
    Last,
    /// `x-`: up to the word before the last.
    BeforeLast,
}

impl Range {
    /// The half-open range of word indices among `count` words.
    fn resolve(self, count: usize) -> Option<(usize, usize)> {
        let at = |b: Bound| match b {
            Bound::Word(n) => Some(n),
            Bound::Last => count.checked_sub(1),
            Bound::BeforeLast => count.checked_sub(2),
        };
        let from = at(self.from)?;
        // `*` with only the command word chooses nothing.
        if matches!(self.from, Bound::Word(1)) && matches!(self.to, Bound::Last) && count == 1 {
            return Some((1, 1));
        }
        let to = at(self.to)?;
        (from <= to && to < count).then_some((from, to + 1))
    }
}

/// The word designator at `i`: the range (None: malformed) and the index after it.
fn designator(line: &[u8], i: usize) -> (Option<Range>, usize) {
    let number = |at: usize| {
        let d = run_of(line, at, |c| c.is_ascii_digit());
        (parse_number(d), at + d.len())
    };
    let range = |from, to| Some(Range { from, to });
    match line.get(i) {
        Some(b'^') => (range(Bound::Word(1), Bound::Word(1)), i + 1),
        Some(b'$') => (range(Bound::Last, Bound::Last), i + 1),
        Some(b'*') => (range(Bound::Word(1), Bound::Last), i + 1),
        // `%`: the word `!?str?` matched (the caller finds it).
        Some(b'%') => (range(Bound::Last, Bound::Last), i + 1),
        Some(b'-') => match number(i + 1) {
            (Some(n), end) => (range(Bound::Word(0), Bound::Word(n)), end),
            _ if line.get(i + 1) == Some(&b'$') => (range(Bound::Word(0), Bound::Last), i + 2),
            _ => (range(Bound::Word(0), Bound::BeforeLast), i + 1),
        },
        Some(b'0'..=b'9') => {
            let (Some(n), end) = number(i) else {
                return (None, i);
            };
            let from = Bound::Word(n);
            match line.get(end) {
                Some(b'*') => (range(from, Bound::Last), end + 1),
                Some(b'-') => match number(end + 1) {
                    (Some(m), e) => (range(from, Bound::Word(m)), e),
                    _ if line.get(end + 1) == Some(&b'$') => (range(from, Bound::Last), end + 2),
                    _ => (range(from, Bound::BeforeLast), end + 1),
                },
                _ => (range(from, from), end),
            }
        }
        _ => (None, i),
    }
}

/// A command split into words as history expansion counts them: blanks separate words,
/// quotes keep theirs together, and each operator (`|`, `&&`, `;`, `>`, ...) is a word.
pub fn split_words(text: &[u8]) -> Vec<Vec<u8>> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if OPERATOR.contains(&c) {
            while i < text.len() && OPERATOR.contains(&text[i]) {
                i += 1;
            }
            words.push(text[start..i].to_vec());
            continue;
        }
        let mut quote = 0u8;
        while i < text.len() {
            let c = text[i];
            if quote != 0 {
                if c == b'\\' && quote == b'"' {
                    i += 1;
                } else if c == quote {
                    quote = 0;
                }
            } else if c == b'\\' {
                i += 1;
            } else if c == b'\'' || c == b'"' {
                quote = c;
            } else if c.is_ascii_whitespace() || OPERATOR.contains(&c) {
                break;
            }
            i += 1;
        }
        let end = i.min(text.len());
        words.push(text[start..end].to_vec());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history() -> Vec<Vec<u8>> {
        [
            "echo one two three",
            "ls /a/b/c.tar.gz",
            "echo aa ab ac",
            "grep 'x y' f | wc -l",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect()
    }

    /// Expand with history entries numbered 10 to 13.
    fn ex(line: &str) -> Result<Option<String>, String> {
        let entries = history();
        let events = Events {
            entries: &entries,
            next_number: 14,
        };
        expand(line.as_bytes(), &events)
            .map(|o| o.map(|e| String::from_utf8_lossy(&e.line).into_owned()))
            .map_err(|e| String::from_utf8_lossy(&e.0).into_owned())
    }

    fn ok(line: &str) -> String {
        match ex(line) {
            Ok(Some(s)) => s,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    #[test]
    fn events() {
        assert_eq!(ok("!!"), "grep 'x y' f | wc -l");
        assert_eq!(ok("!10"), "echo one two three");
        assert_eq!(ok("!-3 x"), "ls /a/b/c.tar.gz x");
        assert_eq!(ok("!ec"), "echo aa ab ac");
        assert_eq!(ok("!?two?"), "echo one two three");
        assert_eq!(ok("!?two"), "echo one two three");
        assert_eq!(ok("echo a; !#"), "echo a; echo a; ");
    }

    #[test]
    fn words() {
        assert_eq!(ok("echo !$"), "echo -l");
        assert_eq!(ok("echo !^ !*"), "echo 'x y' 'x y' f | wc -l");
        assert_eq!(ok("!10:0 !10:2"), "echo two");
        assert_eq!(ok("echo !10:1-2"), "echo one two");
        assert_eq!(ok("echo !10:2*"), "echo two three");
        assert_eq!(ok("echo !10:2-"), "echo two");
        assert_eq!(ok("echo !10:-1"), "echo echo one");
        assert_eq!(ok("echo !10$"), "echo three");
        assert_eq!(ok("echo !:2"), "echo f");
        assert_eq!(ex("echo !10:7"), Err(":7: bad word specifier".into()));
    }

    #[test]
    fn modifiers() {
        assert_eq!(ok("echo !11:$:h"), "echo /a/b");
        assert_eq!(ok("echo !11:$:t"), "echo c.tar.gz");
        assert_eq!(ok("echo !11:$:r"), "echo /a/b/c.tar");
        assert_eq!(ok("echo !11:$:e"), "echo .gz");
        assert_eq!(ok("!12:s/a/x/"), "echo xa ab ac");
        assert_eq!(ok("!12:gs/a/x/"), "echo xx xb xc");
        assert_eq!(ok("!12:s/ab/[&]"), "echo aa [ab] ac");
        assert_eq!(ok("!12:s/a/x/:&"), "echo xx ab ac");
        assert_eq!(ok("!12:s/a/x/:g&"), "echo xx xb xc");
        assert_eq!(ex("!12:&"), Err(":&: substitution failed".into()));
        assert_eq!(ok("echo !?ab?%"), "echo ab");
        assert_eq!(ok("echo !10:q"), "echo 'echo one two three'");
        assert_eq!(ex("!12:s/q/x/"), Err(":s/q/x/: substitution failed".into()));
        let entries = history();
        let events = Events {
            entries: &entries,
            next_number: 14,
        };
        let e = expand(b"!10:p", &events).unwrap().unwrap();
        assert!(e.print_only);
        assert_eq!(e.line, b"echo one two three");
    }

    #[test]
    fn quick_substitution() {
        assert_eq!(ok("^wc^nl"), "grep 'x y' f | nl -l");
        assert_eq!(ok("^wc^nl^ -b"), "grep 'x y' f | nl -l -b");
        assert!(ex("^zz^y").is_err());
    }

    #[test]
    fn literal_bangs() {
        for line in [
            "echo '!!'",
            "echo \\!\\!",
            "echo a!",
            "echo x!= y",
            "echo !(a)",
            "echo ! x",
            "echo \"a!\"",
            "echo $! ${!HOME*}",
            "ls [!a]*",
            "echo # !!",
            "echo nothing",
        ] {
            assert_eq!(ex(line), Ok(None), "{line}");
        }
        assert_eq!(ok("echo \"!!x\""), "echo \"grep 'x y' f | wc -lx\"");
    }

    #[test]
    fn events_not_found() {
        assert_eq!(ex("!nope"), Err("!nope: event not found".into()));
        assert_eq!(ex("echo !99 x"), Err("!99: event not found".into()));
        assert_eq!(ex("!-9"), Err("!-9: event not found".into()));
        let events = Events {
            entries: &[],
            next_number: 1,
        };
        assert_eq!(
            expand(b"!!", &events),
            Err(ExpandError(b"!!: event not found".to_vec()))
        );
    }

    #[test]
    fn any_short_line_expands_or_fails_without_panicking() {
        let entries = history();
        let events = Events {
            entries: &entries,
            next_number: 14,
        };
        let alphabet = b"!^:$*-?%&sgh1 '\"/#e";
        let mut line = Vec::new();
        for n in 0..alphabet.len().pow(4) {
            line.clear();
            let mut k = n;
            for _ in 0..4 {
                line.push(alphabet[k % alphabet.len()]);
                k /= alphabet.len();
            }
            let _ = expand(&line, &events);
        }
        assert!(expand(b"!!:99999999999999999999999", &events).is_err());
    }

    #[test]
    fn word_splitting() {
        let w = split_words(b"a 'b c'  d\"e f\"|x>>y");
        let w: Vec<&[u8]> = w.iter().map(|x| x.as_slice()).collect();
        assert_eq!(
            w,
            [&b"a"[..], b"'b c'", b"d\"e f\"", b"|", b"x", b">>", b"y"]
        );
    }
}
