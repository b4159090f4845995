//! bash's conditional command, `[[ expression ]]`: parsed after the `[[` word. Operators are
//! recognised as the words (or `<`, `>`, `(`, `)`, `&&`, `||` tokens) they are written as;
//! quoting one makes it an operand.

use super::ast::{CompoundCommand, CondExpr, Word};
use super::lexer::{syntax, with_tildes, Op, TokKind};
use super::parser::Cx;
use super::{SyntaxError, SyntaxStatus};

/// The unary operators of `[[ ]]`.
pub const UNARY: &[&[u8]] = &[
    b"-a", b"-b", b"-c", b"-d", b"-e", b"-f", b"-g", b"-h", b"-k", b"-p", b"-r", b"-s", b"-t",
    b"-u", b"-w", b"-x", b"-G", b"-L", b"-N", b"-O", b"-S", b"-z", b"-n", b"-o", b"-v", b"-R",
];

/// The binary operators written as words.
pub const BINARY: &[&[u8]] = &[
    b"==", b"=", b"!=", b"=~", b"-eq", b"-ne", b"-lt", b"-le", b"-gt", b"-ge", b"-nt", b"-ot",
    b"-ef",
];

/// A token of the expression.
enum T {
    Word(Word),
    Op(Op),
    End,
    /// The end of the input.
    Eof,
}

impl Cx<'_, '_> {
    /// After `[[`: the expression up to `]]`.
    pub(super) fn cond_command(&mut self) -> Result<CompoundCommand, SyntaxError> {
        let opened = self.st.input.line;
        self.cond_expression(opened).map_err(|mut e| {
            // bash ends a script on an error in `[[ ]]` with the status it had, not 2, and
            // also when the input ends in it (or in a quote in it), but then 2 for a status
            // of 0; the input ending in a command substitution is an error like any other.
            let has = |m: &str| e.message.contains(m);
            let at_end = self.st.input.peek().is_none();
            e.status = if has("`EOF'")
                || has("looking for `]]'")
                || has("matching `\"'")
                || has("matching `''")
                || (at_end && has("`newline'"))
            {
                SyntaxStatus::KeptOrTwo
            } else if has("unexpected EOF") || has("end of file") {
                SyntaxStatus::Two
            } else {
                SyntaxStatus::Kept
            };
            e
        })
    }

    fn cond_expression(&mut self, opened: u32) -> Result<CompoundCommand, SyntaxError> {
        let e = self.cond_or()?;
        match self.cond_take()? {
            T::End => Ok(CompoundCommand::Cond(e)),
            T::Eof => Err(syntax(opened, "unexpected EOF while looking for `]]'")),
            // bash names an operator found there, not a word, on the line `[[` is on.
            T::Word(_) => Err(syntax(opened, "syntax error in conditional expression")),
            other => Err(syntax(
                opened,
                format!(
                    "syntax error in conditional expression: unexpected token `{}'",
                    cond_token_text(&other)
                ),
            )),
        }
    }

    fn cond_peek(&mut self) -> Result<T, SyntaxError> {
        loop {
            let tok = self.peek()?;
            return Ok(match &tok.kind {
                TokKind::Newline => {
                    self.take()?;
                    continue;
                }
                TokKind::Word(w) if w.as_plain_literal() == Some(b"]]") => T::End,
                TokKind::Word(w) => T::Word(w.clone()),
                TokKind::Op(op) => T::Op(*op),
                TokKind::IoNumber(n) => T::Word(Word::literal(n.to_string().as_bytes())),
                TokKind::IoVar(name) => T::Word(Word::literal(&[b"{", &name[..], b"}"].concat())),
                TokKind::Eof => T::Eof,
            });
        }
    }

    fn cond_take(&mut self) -> Result<T, SyntaxError> {
        let t = self.cond_peek()?;
        self.take()?;
        Ok(t)
    }

    fn cond_or(&mut self) -> Result<CondExpr, SyntaxError> {
        self.cond_chain(Op::OrIf, Self::cond_and, CondExpr::Or)
    }

    fn cond_and(&mut self) -> Result<CondExpr, SyntaxError> {
        self.cond_chain(Op::AndIf, Self::cond_not, CondExpr::And)
    }

    /// Operands joined by `op`, left-associative.
    fn cond_chain(
        &mut self,
        op: Op,
        operand: fn(&mut Self) -> Result<CondExpr, SyntaxError>,
        join: fn(Box<CondExpr>, Box<CondExpr>) -> CondExpr,
    ) -> Result<CondExpr, SyntaxError> {
        let mut e = operand(self)?;
        while matches!(self.cond_peek()?, T::Op(o) if o == op) {
            self.take()?;
            let r = operand(self)?;
            e = join(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn cond_not(&mut self) -> Result<CondExpr, SyntaxError> {
        if let T::Word(w) = self.cond_peek()? {
            if w.as_plain_literal() == Some(b"!") {
                self.take()?;
                self.enter()?;
                let e = self.cond_not();
                self.leave();
                return Ok(CondExpr::Not(Box::new(e?)));
            }
        }
        self.cond_primary()
    }

    fn cond_primary(&mut self) -> Result<CondExpr, SyntaxError> {
        let opened = self.st.input.line;
        let first = match self.cond_take()? {
            T::Op(Op::LParen) => {
                self.enter()?;
                let e = self.cond_or();
                self.leave();
                // bash adds what it was reading to an error inside the parentheses.
                let e = e.map_err(|mut e| {
                    if !e.message.is_empty() {
                        e.message.push('\n');
                    }
                    e.message.push_str("expected `)'");
                    e
                })?;
                return match self.cond_take()? {
                    T::Op(Op::RParen) => Ok(CondExpr::Group(Box::new(e))),
                    // bash numbers the end of the input inside `( )` by where it opened.
                    T::Eof => Err(syntax(opened, "unexpected token `EOF', expected `)'")),
                    other => Err(self.err_plain(&format!(
                        "unexpected token `{}', expected `)'",
                        cond_token_text(&other)
                    ))),
                };
            }
            T::Word(w) => w,
            // `[[ ]]`, `[[ a && ]]`: bash fails without a word of its own.
            T::End => return Err(syntax(self.st.input.line, String::new())),
            other => {
                let line = match other {
                    T::Eof => self.end_line(),
                    _ => self.st.input.line,
                };
                return Err(syntax(
                    line,
                    format!(
                        "unexpected token `{}' in conditional command",
                        cond_token_text(&other)
                    ),
                ));
            }
        };
        let first = with_tildes(first, true);
        // A unary operator followed by an operand, on the same line.
        if let Some(op) = first.as_plain_literal().filter(|t| UNARY.contains(t)) {
            self.no_newline_before_argument("unary")?;
            // Whatever word follows is the operand, a comparison operator's text included:
            // `[[ -f == x ]]` is a syntax error in bash.
            return match self.cond_peek()? {
                T::Word(arg) => {
                    self.take()?;
                    let arg = with_tildes(arg, true);
                    Ok(CondExpr::Unary(op.to_vec(), arg))
                }
                other => Err(self.err_plain(&format!(
                    "unexpected argument `{}' to conditional unary operator",
                    cond_token_text(&other)
                ))),
            };
        }
        // A newline (or the end of the input, a newline to bash) may not follow a word where
        // an operator or `]]` may.
        let next = self.peek()?;
        if matches!(next.kind, TokKind::Newline | TokKind::Eof) {
            return Err(super::lexer::syntax(
                next.line,
                "unexpected token `newline', conditional binary operator expected",
            ));
        }
        let op = match self.cond_peek()? {
            T::Op(Op::Less) => b"<".to_vec(),
            T::Op(Op::Great) => b">".to_vec(),
            T::Word(w) => match w.as_plain_literal().filter(|t| BINARY.contains(t)) {
                Some(t) => t.to_vec(),
                None => return Err(self.err_plain("conditional binary operator expected")),
            },
            T::End | T::Eof | T::Op(Op::AndIf | Op::OrIf | Op::RParen) => {
                return Ok(CondExpr::Word(first))
            }
            other => {
                return Err(self.err_plain(&format!(
                    "unexpected token `{}', conditional binary operator expected",
                    cond_token_text(&other)
                )))
            }
        };
        self.take()?;
        if op == b"=~" && self.st.peeked.is_none() {
            let right = self.lex_regex_word()?;
            if right.parts.is_empty() && matches!(self.st.input.peek(), None | Some(b'\n')) {
                let e =
                    self.err_plain("unexpected argument `newline' to conditional binary operator");
                // The newline is read, as a token would be (whether the input ends after it
                // decides the status).
                self.st.input.bump();
                return Err(e);
            }
            return Ok(CondExpr::Binary(first, op, with_tildes(right, true)));
        }
        // The pattern of `==` and `!=` reads extended patterns whatever `shopt extglob` says
        // (bash 5.2).
        let pattern = matches!(op.as_slice(), b"==" | b"=" | b"!=");
        let extglob = self.st.extglob;
        self.st.extglob |= pattern;
        let right = self
            .no_newline_before_argument("binary")
            .and_then(|()| self.cond_take());
        self.st.extglob = extglob;
        let right = match right? {
            T::Word(w) => with_tildes(w, true),
            other => {
                return Err(self.err_plain(&format!(
                    "unexpected argument `{}' to conditional binary operator",
                    cond_token_text(&other)
                )))
            }
        };
        Ok(CondExpr::Binary(first, op, right))
    }

    /// An operator's argument must be on its line: bash reads a newline (or the end of the
    /// input) there as the argument, and says so.
    fn no_newline_before_argument(&mut self, kind: &str) -> Result<(), SyntaxError> {
        let next = self.peek()?;
        match next.kind {
            TokKind::Newline | TokKind::Eof => Err(syntax(
                next.line,
                format!("unexpected argument `newline' to conditional {kind} operator"),
            )),
            _ => Ok(()),
        }
    }
}

/// A token of `[[ ]]` as bash's messages show it.
fn cond_token_text(t: &T) -> String {
    match t {
        T::Word(w) => String::from_utf8_lossy(&super::print::word_text(w)).into_owned(),
        T::Op(op) => op.text().to_string(),
        T::End => "]]".to_string(),
        T::Eof => "EOF".to_string(),
    }
}
