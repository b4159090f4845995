//! Compound commands (XCU 2.9.4): brace groups, subshells, `if`, `while`/`until`, `for` and
//! `case`, each parsed after the token that opens it.

use super::ast::{CaseArm, CompoundCommand, List, Word};
use super::lexer::{is_name, with_tildes, Op, TokKind};
use super::parser::{keyword, Cx, Kw, Reserved};
use super::SyntaxError;

impl Cx<'_, '_> {
    pub(super) fn brace_group(&mut self) -> Result<CompoundCommand, SyntaxError> {
        let body = self.compound_list(false)?;
        self.expect_kw(Kw::RBrace, "}")?;
        Ok(CompoundCommand::BraceGroup(body))
    }

    pub(super) fn subshell(&mut self) -> Result<CompoundCommand, SyntaxError> {
        let body = self.compound_list(false)?;
        self.expect_op(Op::RParen)?;
        Ok(CompoundCommand::Subshell(body))
    }

    pub(super) fn if_clause(&mut self) -> Result<CompoundCommand, SyntaxError> {
        let mut branches = Vec::new();
        let mut else_body = None;
        loop {
            let cond = self.compound_list(false)?;
            self.expect_kw(Kw::Then, "then")?;
            let body = self.compound_list(false)?;
            branches.push((cond, body));
            let tok = self.peek_command_word(true)?;
            match keyword(tok) {
                Some(Kw::Elif) => {
                    self.take()?;
                }
                Some(Kw::Else) => {
                    self.take()?;
                    else_body = Some(self.compound_list(false)?);
                    self.expect_kw(Kw::Fi, "fi")?;
                    break;
                }
                Some(Kw::Fi) => {
                    self.take()?;
                    break;
                }
                _ => {
                    let tok = tok.clone();
                    return Err(self.unexpected(&tok, Some("fi")));
                }
            }
        }
        Ok(CompoundCommand::If {
            branches,
            else_body,
        })
    }

    pub(super) fn while_clause(&mut self, until: bool) -> Result<CompoundCommand, SyntaxError> {
        let cond = self.compound_list(false)?;
        let body = self.do_group()?;
        Ok(if until {
            CompoundCommand::Until { cond, body }
        } else {
            CompoundCommand::While { cond, body }
        })
    }

    /// The body of `for` and `select`: `do ... done`, or in bash `{ ... }`.
    fn for_body(&mut self) -> Result<List, SyntaxError> {
        if !self.st.bash || keyword(self.peek_command_word(true)?) != Some(Kw::LBrace) {
            return self.do_group();
        }
        self.take()?;
        let body = self.compound_list(false)?;
        self.expect_kw(Kw::RBrace, "}")?;
        Ok(body)
    }

    pub(super) fn do_group(&mut self) -> Result<List, SyntaxError> {
        self.expect_kw(Kw::Do, "do")?;
        let body = self.compound_list(false)?;
        self.expect_kw(Kw::Done, "done")?;
        Ok(body)
    }

    /// After `for` (or bash's `select`, the same grammar without the arithmetic form).
    pub(super) fn for_clause(&mut self, select: bool) -> Result<CompoundCommand, SyntaxError> {
        // After an alias ending in a blank (`alias f='for '`), the name may be an alias too.
        self.peek_aliased(false, Reserved::None)?;
        let tok = self.take()?;
        if !select
            && tok.kind == TokKind::Op(Op::LParen)
            && self.st.bash
            && self.st.input.peek() == Some(b'(')
        {
            self.st.input.bump();
            return self.arith_for();
        }
        let var = match &tok.kind {
            TokKind::Word(w) => match w.as_plain_literal() {
                Some(name) if is_name(name) => name.to_vec(),
                // bash reads the loop and refuses the name when it runs.
                _ if self.st.bash => super::print::word_text(w),
                _ => return Err(self.err_plain("Syntax error: Bad for loop variable")),
            },
            _ if self.st.bash => return Err(self.unexpected(&tok, None)),
            _ => return Err(self.err_plain("Syntax error: Bad for loop variable")),
        };
        let newline = self.peek_unexpanded()?.kind == TokKind::Newline;
        self.skip_newlines()?;
        let mut words = None;
        // dash looks up any word here as an alias; bash only one after a blank-ending alias.
        let bash = self.st.bash;
        let tok = self.peek_aliased(!bash, Reserved::Only(&[Kw::In, Kw::Do]))?;
        if keyword(tok) == Some(Kw::In) {
            self.take()?;
            let mut list = Vec::new();
            loop {
                let tok = self.take()?;
                match tok.kind {
                    TokKind::Word(w) => list.push(with_tildes(w, self.st.bash)),
                    TokKind::Newline | TokKind::Op(Op::Semi) => break,
                    _ => return Err(self.unexpected(&tok, None)),
                }
            }
            words = Some(list);
            self.skip_newlines()?;
        } else if tok.kind == TokKind::Op(Op::Semi) {
            self.take()?;
            self.skip_newlines()?;
        } else if bash
            && !matches!(
                (keyword(tok), newline),
                (Some(Kw::Do), _) | (Some(Kw::LBrace), true)
            )
        {
            // bash names this word, not what an alias in it would become (`{` needs a `;`
            // or a newline before it).
            let tok = tok.clone();
            return Err(self.unexpected(&tok, None));
        }
        let body = self.for_body()?;
        Ok(if select {
            CompoundCommand::Select { var, words, body }
        } else {
            CompoundCommand::For { var, words, body }
        })
    }

    /// After `for ((`: the expressions, then the body (`do ... done` or `{ ... }`).
    fn arith_for(&mut self) -> Result<CompoundCommand, SyntaxError> {
        let [init, cond, step] = self.lex_arith_for()?;
        self.skip_newlines()?;
        if self.peek()?.kind == TokKind::Op(Op::Semi) {
            self.take()?;
            self.skip_newlines()?;
        }
        let body = self.for_body()?;
        Ok(CompoundCommand::ArithFor {
            init,
            cond,
            step,
            body,
        })
    }

    pub(super) fn case_clause(&mut self) -> Result<CompoundCommand, SyntaxError> {
        let tok = self.take()?;
        let word = match tok.kind {
            TokKind::Word(w) => with_tildes(w, self.st.bash),
            _ => return Err(self.unexpected(&tok, Some("word"))),
        };
        self.skip_newlines()?;
        self.expect_kw(Kw::In, "in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines()?;
            // A pattern's place: `esac` is recognised, an alias only after a blank-ending one.
            let tok = self.peek_aliased(false, Reserved::All)?;
            if keyword(tok) == Some(Kw::Esac) {
                self.take()?;
                break;
            }
            if tok.kind == TokKind::Op(Op::LParen) {
                self.take()?;
            }
            let patterns = self.case_patterns()?;
            let body = self.compound_list(true)?;
            self.skip_newlines()?;
            let tok = self.peek_command_word(true)?;
            let (fallthrough, test_next) = match (&tok.kind, keyword(tok)) {
                (_, Some(Kw::Esac)) => {
                    self.take()?;
                    arms.push(CaseArm {
                        patterns,
                        body,
                        fallthrough: false,
                        test_next: false,
                    });
                    break;
                }
                (TokKind::Op(Op::DSemi), _) => (false, false),
                (TokKind::Op(Op::SemiAnd), _) => (true, false),
                (TokKind::Op(Op::DSemiAnd), _) => (false, true),
                _ => {
                    let tok = tok.clone();
                    return Err(self.unexpected(&tok, Some(";;")));
                }
            };
            self.take()?;
            arms.push(CaseArm {
                patterns,
                body,
                fallthrough,
                test_next,
            });
        }
        Ok(CompoundCommand::Case { word, arms })
    }

    /// `pattern [| pattern]... )`, with dash's error messages.
    pub(super) fn case_patterns(&mut self) -> Result<Vec<Word>, SyntaxError> {
        let mut patterns = Vec::new();
        loop {
            let tok = self.take()?;
            match tok.kind {
                TokKind::Word(w) => patterns.push(with_tildes(w, self.st.bash)),
                TokKind::Eof => return Err(self.unexpected(&tok, Some(")"))),
                _ => {
                    let next = self.take()?;
                    if next.kind == TokKind::Op(Op::Pipe) {
                        continue;
                    }
                    if next.kind == TokKind::Op(Op::RParen) {
                        return Err(self.unexpected(&tok, None));
                    }
                    return Err(self.unexpected_plain(&next, ")"));
                }
            }
            let tok = self.take()?;
            match tok.kind {
                TokKind::Op(Op::Pipe) => {}
                TokKind::Op(Op::RParen) => return Ok(patterns),
                _ => return Err(self.unexpected_plain(&tok, ")")),
            }
        }
    }
}
