//! bash's `cmdhist`: a command that took several lines goes into the history as one entry, its
//! lines joined as bash joins them: with `; ` where a command ended, a space where the syntax
//! goes on (after `then`, `do`, `&&`, `{`, a function's `()`...), nothing after a backslash
//! that continued a line, and a newline inside quotes, a command substitution, a here-document
//! or after a comment, where anything else would change what the entry means.
//!
//! The rules are bash's (`history_delimiting_chars`), which look at the last two tokens of the
//! line before; a small lexer finds them, as the parser has already accepted the command.

/// The entry for `text`, a command as read, lines and all. With `literal` (`shopt -s
/// lithist`) the lines keep their newlines, but a backslash-newline is still joined.
pub fn joined(text: &[u8], literal: bool) -> Vec<u8> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut lines = text.split(|&b| b == b'\n');
    let mut lexer = Lexer {
        command_position: true,
        ..Lexer::default()
    };
    let first = lines.next().unwrap_or_default();
    let mut entry = first.to_vec();
    lexer.line(first);
    for line in lines {
        let here_document = !lexer.bodies.is_empty();
        let mut glue: &[u8] = if here_document || lexer.comment || literal {
            b"\n"
        } else if let Some(open) = lexer.open.last() {
            match open {
                Open::List => b" ",
                _ => b"\n",
            }
        } else {
            lexer.delimiter(line)
        };
        if !here_document && lexer.open.is_empty() {
            if lexer.continued {
                entry.pop();
                glue = b"";
            } else if entry.last() == Some(&b'\n') && glue.first() == Some(&b';') {
                // After a here-document's last line: no `;` on a line of its own.
                glue = &glue[1..];
            }
        }
        entry.extend_from_slice(glue);
        entry.extend_from_slice(line);
        if here_document {
            lexer.body_line(line);
            if lexer.bodies.is_empty() {
                entry.push(b'\n');
            }
        } else {
            lexer.line(line);
        }
    }
    entry
}

/// What the lexer is inside of, across lines.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    Single,
    Double,
    AnsiC,
    Backquote,
    /// `$(`, `$((`, `((`, or a parenthesis within one.
    Paren,
    /// `${`.
    Brace,
    /// `name=(`: a compound assignment, joined with spaces.
    List,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Newline,
    Word,
    Reserved(&'static str),
    Operator(&'static str),
}

/// The tokens after which bash joins the next line with a space, not `; `.
fn goes_on_after(token: Token) -> bool {
    match token {
        Token::Newline => true,
        Token::Word => false,
        Token::Reserved(w) => matches!(
            w,
            "{" | "case" | "do" | "else" | "if" | "then" | "until" | "while" | "in"
        ),
        Token::Operator(o) => matches!(
            o,
            "(" | ")" | ";" | "&" | "|" | ";;" | ";&" | ";;&" | "&&" | "||"
        ),
    }
}

const RESERVED: [&str; 19] = [
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "select", "function", "{", "}", "!", "[[", "time",
];

/// The operators, longest first.
const OPERATORS: [&str; 17] = [
    ";;&", "<<-", "&&", "||", ";;", ";&", "|&", "<<", ">>", "<&", ">&", "<>", "&", "|", ";", "<",
    ">",
];

#[derive(Debug, Default)]
struct Lexer {
    open: Vec<Open>,
    /// The last three tokens at the top level.
    recent: [Option<Token>; 3],
    /// The last two of them that were not newlines (`case x` and `in` may be lines apart).
    recent_words: [Option<Token>; 2],
    /// The next word may be a reserved word.
    command_position: bool,
    cases: usize,
    /// Inside a word at the top level.
    in_word: bool,
    word: Vec<u8>,
    /// The word being read follows `<<`: it is a here-document's delimiter.
    delimiter_next: Option<bool>,
    /// Here-documents whose bodies follow this line: (delimiter, tabs stripped).
    pending: Vec<(Vec<u8>, bool)>,
    /// Here-document bodies being read.
    bodies: Vec<(Vec<u8>, bool)>,
    /// The line read last had a comment.
    comment: bool,
    /// The line read last ended with a backslash that continues it.
    continued: bool,
}

impl Lexer {
    fn push(&mut self, token: Token) {
        self.recent = [self.recent[1], self.recent[2], Some(token)];
        if token != Token::Newline {
            self.recent_words = [self.recent_words[1], Some(token)];
        }
        self.command_position = match token {
            Token::Newline => true,
            Token::Word => false,
            Token::Reserved(w) => !matches!(
                w,
                "case" | "for" | "select" | "function" | "}" | "fi" | "done" | "esac"
            ),
            Token::Operator(o) => {
                !matches!(o, "<" | ">" | ">>" | "<&" | ">&" | "<>" | "<<" | "<<-")
            }
        };
    }

    /// How bash joins `line` to the entry, the lexer being at the end of the line before.
    fn delimiter(&self, line: &[u8]) -> &'static [u8] {
        // The line before ended with a newline token: the two tokens before it count.
        let [two_ago, before, _] = self.recent;
        let start = line
            .iter()
            .position(|b| *b != b' ' && *b != b'\t')
            .unwrap_or(line.len());
        let rest = &line[start..];
        match (two_ago, before) {
            (Some(Token::Operator("(")), Some(Token::Operator(")"))) => b" ",
            (_, Some(Token::Operator(")"))) if self.cases > 0 => b" ",
            (_, Some(Token::Operator(")"))) => match rest.first() {
                Some(b'&' | b'|' | b';') => b"\n",
                _ => b"; ",
            },
            (Some(Token::Reserved("function")), Some(Token::Word)) => b" ",
            _ if line.windows(2).any(|w| w == b"<<") => b"\n",
            (Some(Token::Reserved("for")), Some(Token::Word)) => match rest.starts_with(b"in") {
                true => b" ",
                false => b";",
            },
            (Some(Token::Reserved("case")), Some(Token::Word)) if self.cases > 0 => b" ",
            (_, Some(t)) if goes_on_after(t) => b" ",
            _ => b"; ",
        }
    }

    /// A line of a here-document's body: the last one ends it.
    fn body_line(&mut self, line: &[u8]) {
        let Some((delimiter, tabs)) = self.bodies.first() else {
            return;
        };
        let line = match tabs {
            true => &line[line.iter().take_while(|b| **b == b'\t').count()..],
            false => line,
        };
        if line == &delimiter[..] {
            self.bodies.remove(0);
        }
    }

    fn line(&mut self, line: &[u8]) {
        self.comment = false;
        self.continued = false;
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            if let Some(&open) = self.open.last() {
                i = self.inside(open, line, i);
                continue;
            }
            match c {
                b' ' | b'\t' => {
                    self.end_word();
                    i += 1;
                }
                b'#' if !self.in_word => {
                    self.comment = true;
                    break;
                }
                b'\\' if i + 1 == line.len() => {
                    self.continued = true;
                    return;
                }
                // An extended glob's parentheses are part of its word.
                b'(' if self.in_word
                    && matches!(self.word.last(), Some(b'@' | b'*' | b'+' | b'?' | b'!')) =>
                {
                    self.word.push(c);
                    self.open.push(Open::Paren);
                    i += 1;
                }
                b'(' if self.in_word && self.word.ends_with(b"=") => {
                    self.open.push(Open::List);
                    i += 1;
                }
                b'(' if !self.in_word
                    && line.get(i + 1) == Some(&b'(')
                    && self.command_position =>
                {
                    self.in_word = true;
                    self.open.extend([Open::Paren, Open::Paren]);
                    i += 2;
                }
                _ if !self.in_word
                    || matches!(c, b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')') =>
                {
                    match OPERATORS
                        .iter()
                        .find(|o| line[i..].starts_with(o.as_bytes()))
                    {
                        Some(op) => {
                            self.end_word();
                            if matches!(*op, "<<" | "<<-") {
                                self.delimiter_next = Some(*op == "<<-");
                            }
                            self.push(Token::Operator(op));
                            i += op.len();
                        }
                        None if c == b'(' || c == b')' => {
                            self.end_word();
                            self.push(Token::Operator(if c == b'(' { "(" } else { ")" }));
                            i += 1;
                        }
                        None => i = self.word_char(line, i),
                    }
                }
                _ => i = self.word_char(line, i),
            }
        }
        if self.open.is_empty() {
            self.end_word();
            self.push(Token::Newline);
            self.bodies.append(&mut self.pending);
        }
    }

    /// A character of a word at the top level: quotes and substitutions open.
    fn word_char(&mut self, line: &[u8], i: usize) -> usize {
        self.in_word = true;
        let c = line[i];
        self.word.push(c);
        let next = line.get(i + 1).copied();
        let (open, width) = match (c, next) {
            (b'\\', Some(n)) => {
                self.word.push(n);
                return i + 2;
            }
            (b'\'', _) => (Open::Single, 1),
            (b'"', _) => (Open::Double, 1),
            (b'`', _) => (Open::Backquote, 1),
            (b'$', Some(b'\'')) => (Open::AnsiC, 2),
            (b'$', Some(b'(')) => (Open::Paren, 2),
            (b'$', Some(b'{')) => (Open::Brace, 2),
            _ => return i + 1,
        };
        self.open.push(open);
        i + width
    }

    /// Inside quotes or a substitution: what closes it, and what opens within it.
    fn inside(&mut self, open: Open, line: &[u8], i: usize) -> usize {
        let c = line[i];
        let next = line.get(i + 1).copied();
        self.word.push(c);
        match (open, c, next) {
            (Open::Single, b'\'', _) => {
                self.open.pop();
            }
            (Open::Single, ..) => {}
            (_, b'\\', Some(_)) => return i + 2,
            (Open::AnsiC, b'\'', _) | (Open::Double, b'"', _) | (Open::Backquote, b'`', _) => {
                self.open.pop();
            }
            (Open::Brace, b'}', _) | (Open::Paren | Open::List, b')', _) => {
                self.open.pop();
            }
            (Open::AnsiC | Open::Backquote, ..) => {}
            (_, b'$', Some(b'(')) => {
                self.open.push(Open::Paren);
                return i + 2;
            }
            (_, b'$', Some(b'{')) => {
                self.open.push(Open::Brace);
                return i + 2;
            }
            (_, b'`', _) => self.open.push(Open::Backquote),
            (Open::Double, ..) => {}
            (_, b'"', _) => self.open.push(Open::Double),
            (_, b'\'', _) => self.open.push(Open::Single),
            (Open::Paren | Open::List, b'(', _) => self.open.push(Open::Paren),
            _ => {}
        }
        i + 1
    }

    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        let word = std::mem::take(&mut self.word);
        if let Some(tabs) = self.delimiter_next.take() {
            let unquoted = word
                .iter()
                .filter(|b| !matches!(b, b'\'' | b'"' | b'\\'))
                .copied();
            self.pending.push((unquoted.collect(), tabs));
            self.push(Token::Word);
            return;
        }
        let [two_ago, before] = self.recent_words;
        let after_name = matches!(
            (two_ago, before),
            (
                Some(Token::Reserved("for" | "case" | "select")),
                Some(Token::Word)
            )
        );
        let reserved = RESERVED
            .iter()
            .chain(["in"].iter())
            .find(|w| w.as_bytes() == &word[..])
            .copied()
            .filter(|w| match *w {
                "in" | "do" => after_name || (*w == "do" && self.command_position),
                "esac" => self.cases > 0,
                _ => self.command_position,
            });
        match reserved {
            Some(w) => {
                if w == "case" {
                    self.cases += 1;
                } else if w == "esac" {
                    self.cases = self.cases.saturating_sub(1);
                }
                self.push(Token::Reserved(w));
            }
            None => self.push(Token::Word),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::joined;

    fn entry(text: &str) -> String {
        String::from_utf8(joined(text.as_bytes(), false)).unwrap()
    }

    #[test]
    fn lines_are_joined_as_bash_joins_them() {
        let cases = [
            (
                "for i in 1 2\ndo echo $i\ndone\n",
                "for i in 1 2; do echo $i; done",
            ),
            ("f() {\n echo x\n}", "f() {  echo x; }"),
            ("if true\nthen :; fi # c", "if true; then :; fi # c"),
            ("{\necho a\n\necho b\n}", "{ echo a;  echo b; }"),
            ("for i\ndo :\ndone", "for i;do :; done"),
            (
                "case x\nin\nx) echo x\n;;\n(y) :;;\nesac",
                "case x in x) echo x; ;; (y) :;; esac",
            ),
            ("f()\n{\n:\n}", "f() { :; }"),
            ("(echo a\n)", "(echo a; )"),
            ("echo a \\\nb", "echo a b"),
            ("echo \"a\nb\"", "echo \"a\nb\""),
            ("a=(1\n2)", "a=(1 2)"),
            ("x=$(echo\na)", "x=$(echo\na)"),
            ("function g\n{ :; }", "function g { :; }"),
            ("while false\ndo\n:\ndone", "while false; do :; done"),
            ("echo a &&\necho b", "echo a && echo b"),
            ("echo a |\ncat", "echo a | cat"),
            (
                "for i in 1 2 # c\ndo echo $i\ndone",
                "for i in 1 2 # c\ndo echo $i; done",
            ),
            (
                "cat <<A; cat <<-B\na\nA\nb\n\tB\n",
                "cat <<A; cat <<-B\na\nA\nb\n\tB\n",
            ),
            (
                "cat <<EOF &&\nx\nEOF\necho y",
                "cat <<EOF &&\nx\nEOF\n echo y",
            ),
            ("echo 'do\nthen'", "echo 'do\nthen'"),
            ("echo do\necho done", "echo do; echo done"),
        ];
        for (text, want) in cases {
            assert_eq!(entry(text), want, "{text:?}");
        }
    }

    #[test]
    fn any_text_gives_an_entry_without_panicking() {
        // Text the parser would refuse cannot reach the history joined, but the lexer must
        // not trust that: random text of the characters that matter to it.
        let alphabet = b"ab \t\n\\'\"`$(){}<>-;&|#=@*";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let len = (seed % 24) as usize;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let entry = joined(&text, false);
            assert!(entry.len() <= text.len() + 2 * text.len(), "{text:?}");
        }
    }

    #[test]
    fn lithist_keeps_the_newlines() {
        let got = joined(b"for i in 1\ndo :\ndone", true);
        assert_eq!(got, b"for i in 1\ndo :\ndone");
        assert_eq!(joined(b"echo a \\\nb", true), b"echo a b");
    }
}
