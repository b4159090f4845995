//! Tokens (XCU 2.3): operators, words with their quoting, here-document bodies.
//!
//! The lexer reads its input a byte at a time from [`Input`](super::input::Input) (pushed
//! strings over the source's lines); here-document bodies are read by `heredoc`. Words are turned
//! into [`WordPart`]s as they are read; `$(...)` and backquoted commands are parsed by the parser
//! recursively, so the lexer and the parser share one state (`Cx`).
//!
//! Quoting inside `${name op word}` follows dash:
//! - for `-` `=` `?` `+` (with or without `:`) inside double quotes the word is in double-quote
//!   context: single quotes are ordinary characters, and its text is `Quoted`;
//! - for the pattern operators `%` `%%` `#` `##` the word is always read as if unquoted, even
//!   inside double quotes (`"${x#'a'}"` removes `a`, `"${x#*}"` uses `*` as a pattern): its
//!   unquoted text is `Literal` and its unquoted expansions are pattern-active.
//!
//! Inside `$((...))` the text is `Quoted` and quote characters are kept as they are: dash does
//! no quote removal there (`$(("1"+2))` is an arithmetic error). A `)` that does not close a
//! `(` of the expression and is not followed by `)` is part of the text, as in dash; `$((` is
//! always arithmetic.
//!
//! Where dash reports an error only when the word is expanded (`${x!}`: "Bad substitution";
//! `>&word` with a word that is not a digit or `-`: "Bad fd number"), the first is reported
//! here, when the command is parsed, with dash's message, and the second is left to the
//! redirection code.

use std::rc::Rc;

use super::ast::{List, Param, ParamExp, ParamOp, ReplaceWhere, Subscript, Word, WordPart};
use super::parser::Cx;
use super::{SyntaxError, SyntaxStatus};

/// Nesting deeper than this (parentheses, compound commands, `$(`, `${`, `$((`, backquotes)
/// is a syntax error rather than a stack overflow.
pub(crate) const MAX_DEPTH: usize = 1000;

/// The most stack the parser may use below `next_command` (on top of the nesting limit, since
/// a level costs far more stack in an unoptimised build than in a release build).
pub(crate) const STACK_BUDGET: usize = 1536 * 1024;

/// dash takes only a single digit as an IO_NUMBER (`12>f` is the word `12` and `>f`); bash
/// any number that fits.
pub(crate) const MAX_IO_NUMBER_DIGITS: usize = 1;
const MAX_BASH_IO_NUMBER_DIGITS: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    AndIf,
    OrIf,
    DSemi,
    /// `;;&` (bash): go on testing the next patterns.
    DSemiAnd,
    SemiAnd,
    Semi,
    Amp,
    Pipe,
    LParen,
    RParen,
    Less,
    Great,
    DLess,
    DLessDash,
    DGreat,
    LessAnd,
    GreatAnd,
    LessGreat,
    Clobber,
    /// `<<<` (bash)
    TLess,
    /// `&>` (bash)
    AmpGreat,
    /// `&>>` (bash)
    AmpDGreat,
    /// `|&` (bash)
    PipeAmp,
}

impl Op {
    pub(crate) fn text(self) -> &'static str {
        match self {
            Op::AndIf => "&&",
            Op::OrIf => "||",
            Op::DSemi => ";;",
            Op::DSemiAnd => ";;&",
            Op::SemiAnd => ";&",
            Op::Semi => ";",
            Op::Amp => "&",
            Op::Pipe => "|",
            Op::LParen => "(",
            Op::RParen => ")",
            Op::Less => "<",
            Op::Great => ">",
            Op::DLess => "<<",
            Op::DLessDash => "<<-",
            Op::DGreat => ">>",
            Op::LessAnd => "<&",
            Op::GreatAnd => ">&",
            Op::LessGreat => "<>",
            Op::Clobber => ">|",
            Op::TLess => "<<<",
            Op::AmpGreat => "&>",
            Op::AmpDGreat => "&>>",
            Op::PipeAmp => "|&",
        }
    }

    pub(crate) fn is_redirect(self) -> bool {
        matches!(
            self,
            Op::Less
                | Op::Great
                | Op::DLess
                | Op::DLessDash
                | Op::DGreat
                | Op::LessAnd
                | Op::GreatAnd
                | Op::LessGreat
                | Op::Clobber
                | Op::TLess
                | Op::AmpGreat
                | Op::AmpDGreat
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokKind {
    Word(Word),
    IoNumber(u32),
    /// `{name}` just before a redirection operator (bash): the variable for the descriptor.
    IoVar(Box<[u8]>),
    Op(Op),
    Newline,
    Eof,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokKind,
    pub(crate) line: u32,
    /// An alias whose value ends in a blank was finished just before this token: the token is
    /// checked for aliases too (XCU 2.3.1).
    pub(crate) after_blank_alias: bool,
}

/// Builds the parts of a word, merging adjacent text of the same kind.
#[derive(Default)]
pub(crate) struct Parts {
    pub(crate) parts: Vec<WordPart>,
}

impl Parts {
    pub(super) fn literal(&mut self, c: u8) {
        if let Some(WordPart::Literal(t)) = self.parts.last_mut() {
            t.push(c);
        } else {
            self.parts.push(WordPart::Literal(vec![c]));
        }
    }

    pub(super) fn quoted(&mut self, text: &[u8]) {
        if let Some(WordPart::Quoted(t)) = self.parts.last_mut() {
            t.extend_from_slice(text);
        } else {
            self.parts.push(WordPart::Quoted(text.to_vec()));
        }
    }

    /// Text in the given context: `Quoted` when `quoted`, else `Literal`.
    pub(super) fn text(&mut self, c: u8, quoted: bool) {
        if quoted {
            self.quoted(&[c]);
        } else {
            self.literal(c);
        }
    }

    pub(super) fn push(&mut self, part: WordPart) {
        self.parts.push(part);
    }

    pub(super) fn into_word(self) -> Word {
        Word::new(self.parts)
    }
}

pub(crate) fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

pub(crate) fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

pub(crate) fn is_name(s: &[u8]) -> bool {
    match s.split_first() {
        Some((&c, rest)) => is_name_start(c) && rest.iter().all(|&c| is_name_char(c)),
        None => false,
    }
}

fn is_special_param(c: u8) -> bool {
    matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!' | b'0')
}

/// The word so far is `name=`, `name+=`, `name[...]=` or `name[...]+=`: a `(` next opens
/// an array's elements (bash).
/// The utilities whose operands may be `name=(...)`: bash's declaration commands, and `let`,
/// `eval` and `alias`, which bash reads the same way.
fn is_declaration_utility(word: &[u8]) -> bool {
    matches!(
        word,
        b"declare" | b"typeset" | b"local" | b"export" | b"readonly" | b"let" | b"eval" | b"alias"
    )
}

/// The reserved words a command may follow directly.
fn starts_a_command(word: &[u8]) -> bool {
    matches!(
        word,
        b"if" | b"then" | b"else" | b"elif" | b"do" | b"while" | b"until" | b"{" | b"!" | b"time"
    )
}

fn opens_compound(parts: &[WordPart]) -> bool {
    let Some(WordPart::Literal(last)) = parts.last() else {
        return false;
    };
    if last.last() != Some(&b'=') {
        return false;
    }
    let Some(WordPart::Literal(first)) = parts.first() else {
        return false;
    };
    let name_end = first
        .iter()
        .position(|&c| !is_name_char(c))
        .unwrap_or(first.len());
    if name_end == 0 || !is_name_start(first[0]) {
        return false;
    }
    if parts.len() == 1 {
        let rest = &first[name_end..];
        return matches!(rest, b"=" | b"+=")
            || (rest.first() == Some(&b'[') && rest.ends_with(b"]=") || rest.ends_with(b"]+="));
    }
    first.get(name_end) == Some(&b'[') && (last.ends_with(b"]=") || last.ends_with(b"]+="))
}

/// The word so far is a name alone (unquoted), so a `[` next opens a subscript.
fn names_so_far(parts: &[WordPart]) -> bool {
    match parts {
        [WordPart::Literal(t)] => crate::state::vars::is_name(t),
        _ => false,
    }
}

/// The word so far ends with an unquoted `?`, `*`, `+`, `@` or `!`: a `(` next opens an
/// extended pattern's group (bash).
fn ends_in_ext_operator(parts: &[WordPart]) -> bool {
    matches!(
        parts.last(),
        Some(WordPart::Literal(t)) if matches!(t.last(), Some(b'?' | b'*' | b'+' | b'@' | b'!'))
    )
}

fn is_meta(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// How the word after a `${name op` is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamWordMode {
    /// As unquoted text (any operator outside double quotes, pattern operators anywhere).
    Unquoted,
    /// In double-quote context (`-=?+` operators inside double quotes).
    DoubleQuoted,
}

pub(crate) fn syntax(line: u32, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        line,
        message: message.into(),
        status: SyntaxStatus::Two,
    }
}

/// bash's words for input that ends before the `closer` of what line `opened` opened.
fn eof_looking_for(closer: u8, opened: u32) -> SyntaxError {
    let message = format!(
        "unexpected EOF while looking for matching `{}'",
        closer as char
    );
    syntax(opened, message)
}

impl Cx<'_, '_> {
    fn err(&self, message: &str) -> SyntaxError {
        syntax(self.st.input.line, format!("Syntax error: {message}"))
    }

    /// End of input inside a quoted string opened by `quote` on line `opened`.
    fn unterminated(&self, quote: u8, opened: u32) -> SyntaxError {
        match self.st.bash {
            true => eof_looking_for(quote, opened),
            false => self.err("Unterminated quoted string"),
        }
    }

    /// End of input inside `${`: inside double quotes dash reports the open quote.
    fn missing_brace(&self, quoted: bool) -> SyntaxError {
        if quoted && !self.st.in_heredoc {
            self.err("Unterminated quoted string")
        } else {
            self.err("Missing '}'")
        }
    }

    fn bad_substitution(&self) -> SyntaxError {
        syntax(self.st.input.line, "Bad substitution")
    }

    pub(crate) fn enter(&mut self) -> Result<(), SyntaxError> {
        self.st.depth += 1;
        let here = stack_position();
        if self.st.depth > MAX_DEPTH || here.abs_diff(self.st.stack_base) > STACK_BUDGET {
            return Err(self.err("nesting too deep"));
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.st.depth = self.st.depth.saturating_sub(1);
    }

    /// Read the next token. `record`: keep the raw text of the word (here-document delimiter).
    pub(crate) fn lex_token(&mut self, record: bool) -> Result<Token, SyntaxError> {
        let tok = self.lex_any_token(record)?;
        let at_command = self.st.assignment_position;
        self.st.before_token = (at_command, self.st.declaration);
        self.st.declaration = match &tok.kind {
            TokKind::Word(w) => {
                self.st.declaration
                    || (at_command && w.as_plain_literal().is_some_and(is_declaration_utility))
            }
            _ => false,
        };
        let redirect_target = self.st.redirect_target.take();
        self.st.assignment_position = match &tok.kind {
            // A redirection's target leaves the place as the redirection found it.
            TokKind::Word(_) if redirect_target.is_some() => redirect_target == Some(true),
            // Still where a command's words begin: after its assignments, or after a
            // reserved word that a command follows (not `for x in`, `case w in`).
            TokKind::Word(w) => {
                w.as_plain_literal().is_some_and(starts_a_command)
                    || (at_command && super::parser::is_assignment_word(w))
            }
            TokKind::Op(op) if op.is_redirect() => {
                self.st.redirect_target = Some(at_command);
                at_command
            }
            _ => true,
        };
        Ok(tok)
    }

    fn lex_any_token(&mut self, record: bool) -> Result<Token, SyntaxError> {
        let mut after_blank_alias = false;
        loop {
            if self.st.input.pop_finished_aliases() {
                after_blank_alias = true;
            }
            match self.st.input.peek() {
                Some(b' ' | b'\t') => self.st.input.bump(),
                Some(b'#') => {
                    while let Some(c) = self.st.input.peek_raw() {
                        if c == b'\n' {
                            break;
                        }
                        self.st.input.bump();
                    }
                }
                _ => break,
            }
        }
        let line = self.st.input.line;
        let tok = |kind| Token {
            kind,
            line,
            after_blank_alias,
        };
        let c = match self.st.input.peek() {
            None => {
                self.eof_heredocs();
                return Ok(tok(TokKind::Eof));
            }
            Some(c) => c,
        };
        if c == b'\n' {
            self.st.input.bump();
            self.read_heredocs()?;
            return Ok(tok(TokKind::Newline));
        }
        self.st.input.started = true;
        if !self.opens_process_subst(c) {
            if let Some(op) = self.lex_operator(c) {
                return Ok(tok(TokKind::Op(op)));
            }
        }
        if record {
            self.st.input.record = Some(Vec::new());
        }
        let raw_start =
            (self.st.keep_raw > 0 || self.st.raw_always).then(|| self.st.input.raw_begin());
        let mut word = self.lex_word()?;
        if let Some(start) = raw_start {
            word.raw = Some(self.st.input.raw_end(start));
        }
        if let [WordPart::Literal(t)] = word.parts.as_slice() {
            if !t.is_empty()
                && t.len()
                    <= if self.st.bash {
                        MAX_BASH_IO_NUMBER_DIGITS
                    } else {
                        MAX_IO_NUMBER_DIGITS
                    }
                && t.iter().all(u8::is_ascii_digit)
                && matches!(self.st.input.peek(), Some(b'<' | b'>'))
            {
                let n = t.iter().fold(0u32, |n, &d| {
                    n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
                });
                return Ok(tok(TokKind::IoNumber(n)));
            }
            if self.st.bash && matches!(self.st.input.peek(), Some(b'<' | b'>')) {
                if let Some(name) = t
                    .strip_prefix(b"{")
                    .and_then(|t| t.strip_suffix(b"}"))
                    .filter(|name| is_fd_variable(name))
                {
                    return Ok(tok(TokKind::IoVar(name.into())));
                }
            }
        }
        Ok(tok(TokKind::Word(word)))
    }

    fn lex_operator(&mut self, c: u8) -> Option<Op> {
        let bash = self.st.bash;
        let inp = &mut self.st.input;
        let op = match c {
            b'&' => {
                inp.bump();
                match inp.peek() {
                    Some(b'&') => {
                        inp.bump();
                        Op::AndIf
                    }
                    Some(b'>') if bash => {
                        inp.bump();
                        if inp.peek() == Some(b'>') {
                            inp.bump();
                            Op::AmpDGreat
                        } else {
                            Op::AmpGreat
                        }
                    }
                    _ => Op::Amp,
                }
            }
            b'|' => {
                inp.bump();
                match inp.peek() {
                    Some(b'|') => {
                        inp.bump();
                        Op::OrIf
                    }
                    Some(b'&') if bash => {
                        inp.bump();
                        Op::PipeAmp
                    }
                    _ => Op::Pipe,
                }
            }
            b';' => {
                inp.bump();
                match inp.peek() {
                    Some(b';') => {
                        inp.bump();
                        if bash && inp.peek() == Some(b'&') {
                            inp.bump();
                            Op::DSemiAnd
                        } else {
                            Op::DSemi
                        }
                    }
                    Some(b'&') => {
                        inp.bump();
                        Op::SemiAnd
                    }
                    _ => Op::Semi,
                }
            }
            b'(' => {
                inp.bump();
                Op::LParen
            }
            b')' => {
                inp.bump();
                Op::RParen
            }
            b'<' => {
                inp.bump();
                match inp.peek() {
                    Some(b'<') => {
                        inp.bump();
                        if bash && inp.peek() == Some(b'<') {
                            inp.bump();
                            Op::TLess
                        } else if inp.peek() == Some(b'-') {
                            inp.bump();
                            Op::DLessDash
                        } else {
                            Op::DLess
                        }
                    }
                    Some(b'&') => {
                        inp.bump();
                        Op::LessAnd
                    }
                    Some(b'>') => {
                        inp.bump();
                        Op::LessGreat
                    }
                    _ => Op::Less,
                }
            }
            b'>' => {
                inp.bump();
                match inp.peek() {
                    Some(b'>') => {
                        inp.bump();
                        Op::DGreat
                    }
                    Some(b'&') => {
                        inp.bump();
                        Op::GreatAnd
                    }
                    Some(b'|') => {
                        inp.bump();
                        Op::Clobber
                    }
                    _ => Op::Great,
                }
            }
            _ => return None,
        };
        Some(op)
    }

    /// An unquoted word, up to the next metacharacter.
    fn lex_word(&mut self) -> Result<Word, SyntaxError> {
        self.lex_word_after(Parts::default())
    }

    /// The rest of a word whose first parts `b` holds.
    fn lex_word_after(&mut self, mut b: Parts) -> Result<Word, SyntaxError> {
        let subscript_ok = self.st.bash && self.st.assignment_position;
        let can_assign = self.st.assignment_position || self.st.declaration;
        while let Some(c) = self.st.input.peek() {
            if c == b'[' && subscript_ok && names_so_far(&b.parts) {
                self.st.input.bump();
                b.literal(b'[');
                self.lex_assigned_subscript(&mut b)?;
                continue;
            }
            if is_meta(c) {
                if c == b'(' && self.st.bash && can_assign && opens_compound(&b.parts) {
                    self.st.input.bump();
                    // Each element is a word of its own: a tilde prefix at its start expands.
                    let elements = self
                        .lex_compound()
                        .map_err(|mut e| {
                            // bash ends with 1 when the input ends inside the array.
                            if self.st.input.peek().is_none() && e.message.contains("EOF") {
                                e.status = SyntaxStatus::One;
                            }
                            e
                        })?
                        .into_iter()
                        .map(|w| with_tildes(w, true))
                        .collect();
                    b.push(WordPart::Compound(elements));
                    // `a=(1 2)x` is one word, a string (bash): the elements are its text.
                    match self.st.input.peek() {
                        Some(next) if !is_meta(next) => continue,
                        _ => break,
                    }
                }
                if c == b'(' && self.st.bash && self.st.extglob && ends_in_ext_operator(&b.parts) {
                    self.st.input.bump();
                    b.literal(b'(');
                    self.lex_extglob_group(&mut b)?;
                    continue;
                }
                if self.opens_process_subst(c) {
                    self.st.input.bump();
                    self.st.input.bump();
                    self.enter()?;
                    let list = self.parse_command_subst();
                    self.leave();
                    b.push(WordPart::ProcessSubst {
                        input: c == b'<',
                        list: list?,
                    });
                    continue;
                }
                break;
            }
            self.st.input.bump();
            self.word_char(&mut b, c)?;
        }
        Ok(b.into_word())
    }

    /// The rest of `name[` where an assignment may stand (bash): text up to the `]` that
    /// balances it, quoting as in a word, and blanks, operators and newlines as text
    /// (`a[i + 1]=x`, `a[(i+1)*2]=x`, `a[5&3]=x`); the input ending first is an error.
    fn lex_assigned_subscript(&mut self, b: &mut Parts) -> Result<(), SyntaxError> {
        let opened = self.st.input.line;
        let mut depth = 1usize;
        while let Some(c) = self.st.input.peek() {
            self.st.input.bump();
            match c {
                b'[' => {
                    depth += 1;
                    b.literal(c);
                }
                b']' => {
                    b.literal(c);
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => self.word_char(b, c)?,
            }
        }
        Err(eof_looking_for(b']', opened))
    }

    /// The rest of an extended pattern's group after `X(` (bash): text up to the `)` that
    /// balances it, `|` and blanks included, quoting as in a word.
    fn lex_extglob_group(&mut self, b: &mut Parts) -> Result<(), SyntaxError> {
        if self.lex_balanced(b, (b'(', b')'), false)? {
            return Ok(());
        }
        Err(self.err("end of file unexpected (expecting \")\")"))
    }

    /// Text after an opening bracket up to the closing one that balances it, on one line,
    /// blanks included, quoting as in a word; true if the closing one was found. `stop_at_meta`:
    /// end early, before an operator character outside nested brackets.
    fn lex_balanced(
        &mut self,
        b: &mut Parts,
        (open, close): (u8, u8),
        stop_at_meta: bool,
    ) -> Result<bool, SyntaxError> {
        let mut depth = 1usize;
        while let Some(c) = self.st.input.peek() {
            let meta = stop_at_meta && depth == 1 && is_meta(c) && !matches!(c, b' ' | b'\t');
            if c == b'\n' || meta {
                return Ok(false);
            }
            self.st.input.bump();
            if c == open {
                depth += 1;
                b.literal(c);
            } else if c == close {
                b.literal(c);
                depth -= 1;
                if depth == 0 {
                    return Ok(true);
                }
            } else if c == b'`' && !stop_at_meta {
                b.literal(c);
            } else {
                self.word_char(b, c)?;
            }
        }
        Ok(false)
    }

    /// One character of an unquoted word, just taken from the input: a backslash escape,
    /// quotes, an expansion or a command substitution begin here; anything else is text.
    fn word_char(&mut self, b: &mut Parts, c: u8) -> Result<(), SyntaxError> {
        match c {
            b'\\' => match self.st.input.peek_raw() {
                Some(e) => {
                    self.st.input.bump();
                    b.quoted(&[e]);
                }
                None => b.literal(b'\\'),
            },
            b'\'' => {
                let t = self.lex_single_quoted()?;
                b.quoted(&t);
            }
            b'"' => {
                let parts = self.lex_double_quoted()?;
                b.push(WordPart::DoubleQuoted(parts));
            }
            b'$' => self.lex_dollar(b, false)?,
            b'`' => {
                let list = self.lex_backquote(false)?;
                b.push(WordPart::CommandSubst(list));
            }
            _ => b.literal(c),
        }
        Ok(())
    }

    /// `<(` or `>(` next, in bash: a process substitution, part of a word.
    fn opens_process_subst(&self, c: u8) -> bool {
        self.st.bash && matches!(c, b'<' | b'>') && self.st.input.peek_second() == Some(b'(')
    }

    /// The right side of `=~` in `[[ ]]`: one word in which `(`, `)`, `|`, `<` and `>` are
    /// text (bash reads a regular expression there), up to a blank outside parentheses.
    pub(super) fn lex_regex_word(&mut self) -> Result<Word, SyntaxError> {
        while matches!(self.st.input.peek(), Some(b' ' | b'\t')) {
            self.st.input.bump();
        }
        let mut b = Parts::default();
        let opened = self.st.input.line;
        let mut depth = 0usize;
        while let Some(c) = self.st.input.peek() {
            match c {
                b' ' | b'\t' | b'\n' if depth == 0 => break,
                b';' | b'&' | b'<' | b'>' if depth == 0 => break,
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                _ => {}
            }
            self.st.input.bump();
            self.word_char(&mut b, c)?;
        }
        if depth > 0 && self.st.input.peek().is_none() {
            return Err(eof_looking_for(b')', opened));
        }
        Ok(b.into_word())
    }

    /// After `name=(`: the elements up to the `)`, on as many lines as they take, with
    /// comments.
    fn lex_compound(&mut self) -> Result<Vec<Word>, SyntaxError> {
        let opened = self.st.input.line;
        let mut elements = Vec::new();
        loop {
            match self.st.input.peek() {
                Some(b' ' | b'\t' | b'\n') => self.st.input.bump(),
                Some(b'#') => {
                    while let Some(c) = self.st.input.peek_raw() {
                        if c == b'\n' {
                            break;
                        }
                        self.st.input.bump();
                    }
                }
                Some(b')') => {
                    self.st.input.bump();
                    return Ok(elements);
                }
                None if self.st.bash => return Err(eof_looking_for(b')', opened)),
                None => return Err(self.err("end of file unexpected (expecting \")\")")),
                Some(b'[') => {
                    // `[key]=value`: the key runs to its `]`, blanks included (`[a b]=1`).
                    self.st.input.bump();
                    let mut b = Parts::default();
                    b.literal(b'[');
                    self.lex_balanced(&mut b, (b'[', b']'), true)?;
                    elements.push(self.lex_word_after(b)?);
                }
                Some(c) => {
                    let w = self.lex_word()?;
                    if w.parts.is_empty() && self.st.bash {
                        // An operator among the elements: bash's words, and status 1.
                        let line =
                            String::from_utf8_lossy(self.st.input.current_line()).into_owned();
                        let op = match self.lex_operator(c) {
                            Some(op) => op.text().to_string(),
                            None => String::from_utf8_lossy(&[c]).into_owned(),
                        };
                        let message =
                            format!("syntax error near unexpected token `{op}'\n`{line}'");
                        let mut e = syntax(self.st.input.line, message);
                        e.status = SyntaxStatus::One;
                        return Err(e);
                    }
                    if w.parts.is_empty() {
                        let msg = format!("\"{}\" unexpected", String::from_utf8_lossy(&[c]));
                        return Err(self.err(&msg));
                    }
                    elements.push(w);
                }
            }
        }
    }

    /// After `'`: the text up to the closing quote.
    fn lex_single_quoted(&mut self) -> Result<Vec<u8>, SyntaxError> {
        self.lex_to_quote(false)
    }

    /// After `$'`: the raw text up to the closing quote (a `\'` does not close it).
    fn lex_ansi_c_raw(&mut self) -> Result<Vec<u8>, SyntaxError> {
        self.lex_to_quote(true)
    }

    /// The text up to the closing `'`; `escapes`: a backslash keeps the next byte with it.
    fn lex_to_quote(&mut self, escapes: bool) -> Result<Vec<u8>, SyntaxError> {
        let opened = self.st.input.line;
        let mut t = Vec::new();
        loop {
            match self.st.input.peek_raw() {
                None => return Err(self.unterminated(b'\'', opened)),
                Some(b'\'') => {
                    self.st.input.bump();
                    return Ok(t);
                }
                Some(c) => {
                    self.st.input.bump();
                    t.push(c);
                    if c == b'\\' && escapes {
                        if let Some(e) = self.st.input.peek_raw() {
                            self.st.input.bump();
                            t.push(e);
                        }
                    }
                }
            }
        }
    }

    /// After `"`: the parts up to the closing quote.
    fn lex_double_quoted(&mut self) -> Result<Vec<WordPart>, SyntaxError> {
        let opened = self.st.input.line;
        let mut b = Parts::default();
        loop {
            let c = match self.st.input.peek() {
                None => return Err(self.unterminated(b'"', opened)),
                Some(c) => c,
            };
            self.st.input.bump();
            match c {
                b'"' => return Ok(b.parts),
                b'\\' => self.dq_backslash(&mut b, b"$`\"\\"),
                b'$' => self.lex_dollar(&mut b, true)?,
                b'`' => {
                    let list = self.lex_backquote(true)?;
                    b.push(WordPart::CommandSubst(list));
                }
                _ => b.quoted(&[c]),
            }
        }
    }

    /// After a backslash in double-quote-like context: it escapes only the bytes in `special`.
    pub(super) fn dq_backslash(&mut self, b: &mut Parts, special: &[u8]) {
        match self.st.input.peek_raw() {
            Some(e) if special.contains(&e) => {
                self.st.input.bump();
                b.quoted(&[e]);
            }
            _ => b.quoted(b"\\"),
        }
    }

    /// After `$`.
    pub(super) fn lex_dollar(&mut self, b: &mut Parts, quoted: bool) -> Result<(), SyntaxError> {
        let c = match self.st.input.peek() {
            Some(c) => c,
            None => {
                b.text(b'$', quoted);
                return Ok(());
            }
        };
        match c {
            b'{' => {
                self.st.input.bump();
                let opened = self.st.input.line;
                self.enter()?;
                // bash names a bad substitution by all its text: what was read is kept.
                let raw_start = self.st.bash.then(|| self.st.input.raw_begin());
                let p = self.lex_braced_param(quoted);
                let read = raw_start.map(|start| self.st.input.raw_end(start));
                self.leave();
                let p = match p {
                    // bash: the input ended inside the braces (a here-document's body
                    // ends where its text does: that is found when it is expanded).
                    Err(_)
                        if self.st.bash
                            && !self.st.in_heredoc
                            && self.st.input.peek().is_none() =>
                    {
                        return Err(eof_looking_for(b'}', opened));
                    }
                    // bash finds this out when the word is expanded: scripts written for bash
                    // and zsh hold zsh's `${(k)...}` in branches bash never runs.
                    Err(e) if self.st.bash && e.message == "Bad substitution" => {
                        match self.skip_to_closing_brace() {
                            Some(rest) => ParamExp {
                                param: Param::Var(Vec::new()),
                                op: ParamOp::Bad(
                                    [read.as_deref().unwrap_or_default(), &rest].concat(),
                                ),
                            },
                            None if !self.st.in_heredoc => {
                                return Err(eof_looking_for(b'}', opened))
                            }
                            None => ParamExp {
                                param: Param::Var(Vec::new()),
                                op: ParamOp::Bad(Vec::new()),
                            },
                        }
                    }
                    p => p?,
                };
                b.push(WordPart::Param(Box::new(p)));
            }
            b'(' => {
                self.st.input.bump();
                let opened = self.st.input.line;
                let double = self.st.input.peek() == Some(b'(');
                self.enter()?;
                let r = match double {
                    true => self.lex_arith_or_subshell().transpose(),
                    false => None,
                };
                let r = match r {
                    Some(r) => r.map(WordPart::Arith),
                    None => self.parse_command_subst().map(WordPart::CommandSubst),
                };
                self.leave();
                // bash: the input ended before the `)`.
                let r = match r {
                    Err(e)
                        if self.st.bash
                            && self.st.input.peek().is_none()
                            && e.message.ends_with("unexpected end of file") =>
                    {
                        // bash numbers `$((`'s by where it opened, `$(`'s by the end.
                        let line = if double { opened } else { e.line };
                        return Err(eof_looking_for(b')', line));
                    }
                    r => r,
                };
                b.push(r?);
            }
            b'[' if self.st.bash => {
                // `$[expr]`: bash's old spelling of `$((expr))`.
                self.st.input.bump();
                self.enter()?;
                let r = self.lex_bracket_arith();
                self.leave();
                b.push(WordPart::Arith(r?));
            }
            _ if is_name_start(c) => {
                let mut name = Vec::new();
                while let Some(c) = self.st.input.peek() {
                    if !is_name_char(c) {
                        break;
                    }
                    self.st.input.bump();
                    name.push(c);
                }
                note_name(&name);
                if self.st.bash
                    && !quoted
                    && matches!(self.st.input.peek(), Some(b'{' | b',' | b'}'))
                {
                    // bash's brace expansion comes first and may lengthen the name
                    // (`$x{a,b}`, `{$va,$ba}r`).
                    b.push(WordPart::Param(Box::new(ParamExp {
                        param: Param::Var(name),
                        op: ParamOp::BeforeBrace,
                    })));
                } else {
                    b.push(plain(Param::Var(name)));
                }
            }
            b'1'..=b'9' => {
                self.st.input.bump();
                b.push(plain(Param::Positional(usize::from(c - b'0'), true)));
            }
            b'\'' if !quoted && self.st.bash => {
                self.st.input.bump();
                let raw = self.lex_ansi_c_raw()?;
                b.quoted(&super::ansi_c::decode(&raw, self.st.utf8));
            }
            b'"' if !quoted && self.st.bash => {
                // `$"..."` (a translated string) is `"..."`: there is no message catalogue.
                self.st.input.bump();
                self.enter()?;
                let parts = self.lex_double_quoted();
                self.leave();
                b.push(WordPart::DoubleQuoted(parts?));
            }
            _ if is_special_param(c) => {
                self.st.input.bump();
                b.push(plain(Param::Special(c)));
            }
            _ => b.text(b'$', quoted),
        }
        Ok(())
    }

    /// The text up to the `}` that closes a `${` (nested ones counted), consumed; None when
    /// the input ends first.
    fn skip_to_closing_brace(&mut self) -> Option<Vec<u8>> {
        let mut text = Vec::new();
        let mut depth = 1;
        while let Some(c) = self.st.input.peek() {
            self.st.input.bump();
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(text);
                    }
                }
                _ => {}
            }
            text.push(c);
        }
        None
    }

    /// After `${`, a `!` (bash's indirection) followed by a byte `what` takes.
    fn indirect_before(&mut self, what: impl Fn(u8) -> bool) -> bool {
        self.st.bash && self.st.input.peek_second().is_some_and(what)
    }

    /// After `${`: the parameter, the operator and its word, up to the closing `}`.
    fn lex_braced_param(&mut self, quoted: bool) -> Result<ParamExp, SyntaxError> {
        let mut length = false;
        let c = self.st.input.peek();
        let param = match c {
            Some(b'#') => {
                self.st.input.bump();
                match self.st.input.peek() {
                    Some(b'}') => Param::Special(b'#'),
                    Some(n) if is_name_char(n) => {
                        length = true;
                        let p = self.read_param_name()?;
                        self.subscripted(p, quoted)?
                    }
                    Some(n) if is_special_param(n) && self.st.input.peek_second() == Some(b'}') => {
                        length = true;
                        self.st.input.bump();
                        Param::Special(n)
                    }
                    // bash: `${#%}` is the length of a parameter named `%`, and `$#` takes no
                    // case change (`${#^}`, `${#,x}`, `${#~}`).
                    Some(n)
                        if self.st.bash
                            && (matches!(n, b'^' | b',' | b'~')
                                || self.st.input.peek_second() == Some(b'}')) =>
                    {
                        return Err(self.bad_substitution());
                    }
                    _ => Param::Special(b'#'),
                }
            }
            Some(c) if is_name_char(c) => {
                let p = self.read_param_name()?;
                self.subscripted(p, quoted)?
            }
            Some(b'!') if self.indirect_before(|c| is_name_start(c) || c.is_ascii_digit()) => {
                self.st.input.bump();
                let name = match self.read_param_name()? {
                    Param::Var(name) => name,
                    // `${!1}`: the variable the positional parameter names (the digits
                    // are no variable's name, so lookup tells them apart).
                    Param::Positional(n, _) => n.to_string().into_bytes(),
                    _ => return Err(self.bad_substitution()),
                };
                let positional = name[0].is_ascii_digit();
                if self.st.input.peek() == Some(b'[') && !positional {
                    let p = self.subscripted(Param::Var(name.clone()), quoted)?;
                    match p {
                        Param::Elem(_, sub)
                            if matches!(*sub, Subscript::All { .. })
                                && self.st.input.peek() == Some(b'}') =>
                        {
                            self.st.input.bump();
                            return Ok(ParamExp {
                                param: Param::Elem(name, sub),
                                op: ParamOp::Keys,
                            });
                        }
                        Param::Elem(_, sub) => Param::IndirectElem(name, sub),
                        _ => return Err(self.bad_substitution()),
                    }
                } else {
                    if let Some(c @ (b'*' | b'@')) = self.st.input.peek().filter(|_| !positional) {
                        if self.st.input.peek_second() == Some(b'}') {
                            self.st.input.bump();
                            self.st.input.bump();
                            return Ok(ParamExp {
                                param: Param::Var(name),
                                op: ParamOp::Names { at: c == b'@' },
                            });
                        }
                    }
                    Param::Indirect(name)
                }
            }
            // `${!#}`: the parameter a special parameter's value names (the last argument).
            Some(b'!') if self.indirect_before(|c| matches!(c, b'#' | b'@' | b'*')) => {
                self.st.input.bump();
                let c = self.st.input.peek().unwrap_or_default();
                self.st.input.bump();
                Param::Indirect(vec![c])
            }
            Some(c) if is_special_param(c) => {
                self.st.input.bump();
                Param::Special(c)
            }
            None => return Err(self.missing_brace(quoted)),
            _ => return Err(self.bad_substitution()),
        };
        if length {
            return match self.st.input.peek() {
                Some(b'}') => {
                    self.st.input.bump();
                    Ok(ParamExp {
                        param,
                        op: ParamOp::Length,
                    })
                }
                None => Err(self.missing_brace(quoted)),
                _ => Err(self.bad_substitution()),
            };
        }
        let c = match self.st.input.peek() {
            Some(c) => c,
            None => return Err(self.missing_brace(quoted)),
        };
        self.st.input.bump();
        let mut colon = false;
        if self.st.bash {
            if let Some(op) = self.lex_bash_param_op(c, quoted)? {
                // `${s:}`: no offset at all is bash's bad substitution, found when expanded.
                if let ParamOp::Substring {
                    offset,
                    length: None,
                } = &op
                {
                    if offset.parts.is_empty() {
                        let mut text = param_text(&param);
                        text.push(b':');
                        let op = ParamOp::Bad(text);
                        return Ok(ParamExp { param, op });
                    }
                }
                if let ParamOp::BadTransform(rest) = op {
                    // Named whole, as written: `${x@Z}: bad substitution`.
                    let op = ParamOp::BadTransform([param_text(&param), rest].concat());
                    return Ok(ParamExp { param, op });
                }
                return Ok(ParamExp { param, op });
            }
        }
        let c = if c == b':' {
            colon = true;
            match self.st.input.peek() {
                Some(c @ (b'-' | b'=' | b'?' | b'+')) => {
                    self.st.input.bump();
                    c
                }
                None => return Err(self.missing_brace(quoted)),
                _ => return Err(self.bad_substitution()),
            }
        } else {
            c
        };
        let mode = if quoted {
            ParamWordMode::DoubleQuoted
        } else {
            ParamWordMode::Unquoted
        };
        let op = match c {
            b'}' => ParamOp::Plain,
            b'-' => ParamOp::Default {
                colon,
                word: self.lex_param_word(mode, quoted)?,
            },
            b'=' => ParamOp::Assign {
                colon,
                word: self.lex_param_word(mode, quoted)?,
            },
            b'?' => ParamOp::Error {
                colon,
                word: self.lex_param_word(mode, quoted)?,
            },
            b'+' => ParamOp::Alternative {
                colon,
                word: self.lex_param_word(mode, quoted)?,
            },
            b'%' | b'#' => {
                let double = self.st.input.peek() == Some(c);
                if double {
                    self.st.input.bump();
                }
                let word = self.lex_param_word(ParamWordMode::Unquoted, quoted)?;
                match (c, double) {
                    (b'%', false) => ParamOp::RemoveSmallestSuffix(word),
                    (b'%', true) => ParamOp::RemoveLargestSuffix(word),
                    (_, false) => ParamOp::RemoveSmallestPrefix(word),
                    (_, true) => ParamOp::RemoveLargestPrefix(word),
                }
            }
            _ => return Err(self.bad_substitution()),
        };
        Ok(ParamExp { param, op })
    }

    /// The bash operators after `${name` (`c` is the byte after the name, consumed), or
    /// None for the POSIX ones.
    fn lex_bash_param_op(&mut self, c: u8, quoted: bool) -> Result<Option<ParamOp>, SyntaxError> {
        Ok(Some(match c {
            b':' if !matches!(self.st.input.peek(), Some(b'-' | b'=' | b'?' | b'+')) => {
                let (offset, end) = self.lex_param_arith(quoted)?;
                let length = if end == b':' {
                    Some(self.lex_param_arith(quoted)?.0)
                } else {
                    None
                };
                ParamOp::Substring { offset, length }
            }
            b'/' => {
                let at = match self.st.input.peek() {
                    Some(b'/') => ReplaceWhere::All,
                    Some(b'#') => ReplaceWhere::Prefix,
                    Some(b'%') => ReplaceWhere::Suffix,
                    _ => ReplaceWhere::First,
                };
                if at != ReplaceWhere::First {
                    self.st.input.bump();
                }
                // The pattern is never empty: a `/` first is the pattern's (`${x////c}`).
                let leading_slash = matches!(at, ReplaceWhere::First | ReplaceWhere::All)
                    && self.st.input.peek() == Some(b'/');
                if leading_slash {
                    self.st.input.bump();
                }
                let (mut pattern, end) =
                    self.lex_param_word_until(ParamWordMode::Unquoted, quoted, true)?;
                if leading_slash {
                    pattern.parts.insert(0, WordPart::Literal(b"/".to_vec()));
                }
                // bash 5.2 reads the replacement as an unquoted word, inside double quotes
                // too: its quotes and backslashes are removed (`"${x/a/'b'}"` is `b`).
                let with = if end == b'/' {
                    self.lex_param_word(ParamWordMode::Unquoted, quoted)?
                } else {
                    Word::default()
                };
                ParamOp::Replace { at, pattern, with }
            }
            b'^' | b',' | b'~' => {
                let all = self.st.input.peek() == Some(c);
                if all {
                    self.st.input.bump();
                }
                ParamOp::Case {
                    upper: match c {
                        b'^' => Some(true),
                        b',' => Some(false),
                        _ => None,
                    },
                    all,
                    pattern: self.lex_param_word(ParamWordMode::Unquoted, quoted)?,
                }
            }
            b'@' => match (self.st.input.peek(), self.st.input.peek_second()) {
                (
                    Some(t @ (b'Q' | b'E' | b'P' | b'U' | b'L' | b'u' | b'A' | b'a' | b'K' | b'k')),
                    Some(b'}'),
                ) => {
                    self.st.input.bump();
                    self.st.input.bump();
                    ParamOp::Transform(t)
                }
                // bash finds this out when the word is expanded.
                _ => match self.skip_to_closing_brace() {
                    Some(text) => ParamOp::BadTransform([&b"@"[..], &text].concat()),
                    None => return Err(self.bad_substitution()),
                },
            },
            _ => return Ok(None),
        }))
    }

    /// An arithmetic word of `${x:offset:length}`, up to a `:` or `}` outside parentheses;
    /// and which of the two ended it.
    fn lex_param_arith(&mut self, quoted: bool) -> Result<(Word, u8), SyntaxError> {
        // Kept as written: bash names a bad length by its text.
        let start = self.st.input.raw_begin();
        let lexed = self.lex_param_arith_parts(quoted);
        let raw = self.st.input.raw_end(start);
        let (mut word, end) = lexed?;
        word.raw = Some(
            raw.get(..raw.len().saturating_sub(1))
                .unwrap_or_default()
                .into(),
        );
        Ok((word, end))
    }

    fn lex_param_arith_parts(&mut self, quoted: bool) -> Result<(Word, u8), SyntaxError> {
        let mut b = Parts::default();
        let mut parens = 0usize;
        // A `:` that answers a `?` is the expression's (`${s: x ? 2 : 0 : 1}`).
        let mut questions = 0usize;
        loop {
            let c = match self.st.input.peek() {
                None => return Err(self.missing_brace(quoted)),
                Some(c) => c,
            };
            self.st.input.bump();
            match c {
                b'?' if parens == 0 => questions += 1,
                b':' if parens == 0 && questions > 0 => questions -= 1,
                b':' | b'}' if parens == 0 => return Ok((b.into_word(), c)),
                _ => {}
            }
            self.arith_byte(&mut b, c, &mut parens, b"$`\"\\}")?;
        }
    }

    /// One byte of arithmetic text (after the caller's own terminators): parentheses
    /// counted, the expansions read, a backslash escaping the bytes in `special`.
    fn arith_byte(
        &mut self,
        b: &mut Parts,
        c: u8,
        parens: &mut usize,
        special: &[u8],
    ) -> Result<(), SyntaxError> {
        match c {
            b'(' => *parens += 1,
            b')' => *parens = parens.saturating_sub(1),
            _ => {}
        }
        match c {
            b'\\' => self.dq_backslash(b, special),
            // `$"..."` is `"..."` (bash), in arithmetic too.
            b'$' if self.st.bash && self.st.input.peek() == Some(b'"') => {
                self.st.input.bump();
                self.arith_double_quoted(b)?;
            }
            b'$' => self.lex_dollar(b, true)?,
            // bash removes double quotes from an arithmetic expression (`$(( "1 + 2" * 3 ))`).
            b'"' if self.st.bash => self.arith_double_quoted(b)?,
            b'`' => {
                let list = self.lex_backquote(true)?;
                b.push(WordPart::CommandSubst(list));
            }
            _ => b.quoted(&[c]),
        }
        Ok(())
    }

    /// The rest of a double-quoted string in arithmetic, after its `"`.
    fn arith_double_quoted(&mut self, b: &mut Parts) -> Result<(), SyntaxError> {
        self.enter()?;
        let parts = self.lex_double_quoted();
        self.leave();
        b.push(WordPart::DoubleQuoted(parts?));
        Ok(())
    }

    /// In bash, a `[subscript]` after a name in `${...}` makes the parameter an array
    /// element (or all of them: `[@]`, `[*]`).
    fn subscripted(&mut self, param: Param, quoted: bool) -> Result<Param, SyntaxError> {
        let Param::Var(name) = param else {
            return Ok(param);
        };
        if !self.st.bash || self.st.input.peek() != Some(b'[') {
            return Ok(Param::Var(name));
        }
        self.st.input.bump();
        if let Some(c @ (b'@' | b'*')) = self.st.input.peek() {
            if self.st.input.peek_second() == Some(b']') {
                self.st.input.bump();
                self.st.input.bump();
                return Ok(Param::Elem(
                    name,
                    Box::new(Subscript::All { at: c == b'@' }),
                ));
            }
        }
        let word = self.lex_subscript(quoted)?;
        Ok(Param::Elem(name, Box::new(Subscript::Index(word))))
    }

    /// The text of a subscript, after `[`, up to the `]` that balances it: quotes are
    /// removed and expansions kept; the caller evaluates it (arithmetic, or a key).
    pub(super) fn lex_subscript(&mut self, quoted: bool) -> Result<Word, SyntaxError> {
        let mut b = Parts::default();
        let mut depth = 0usize;
        loop {
            let Some(c) = self.st.input.peek() else {
                return Err(self.missing_brace(quoted));
            };
            self.st.input.bump();
            match c {
                b']' if depth == 0 => return Ok(b.into_word()),
                b'[' => {
                    depth += 1;
                    b.literal(b'[');
                }
                b']' => {
                    depth -= 1;
                    b.literal(b']');
                }
                b'\\' => self.dq_backslash(&mut b, b"$`\"\\]"),
                // Single quotes quote in a subscript inside double quotes too: bash reads
                // `"${a['k']}"` as the key `k`.
                b'\'' => {
                    let t = self.lex_single_quoted()?;
                    b.quoted(&t);
                }
                b'"' => {
                    let parts = self.lex_double_quoted()?;
                    b.push(WordPart::DoubleQuoted(parts));
                }
                b'$' => self.lex_dollar(&mut b, true)?,
                b'`' => {
                    let list = self.lex_backquote(true)?;
                    b.push(WordPart::CommandSubst(list));
                }
                // Unquoted: an indexed array's subscript keeps only its quotes as written
                // (`${a['1']}` is an arithmetic error, as in bash).
                _ => b.literal(c),
            }
        }
    }

    /// A name or a number after `${` or `${#`.
    fn read_param_name(&mut self) -> Result<Param, SyntaxError> {
        let first = self.st.input.peek().unwrap_or(b'}');
        let mut text = Vec::new();
        if first.is_ascii_digit() {
            while let Some(c) = self.st.input.peek() {
                if !c.is_ascii_digit() {
                    break;
                }
                self.st.input.bump();
                text.push(c);
            }
            let n = text.iter().fold(0usize, |n, &d| {
                n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
            });
            return Ok(if n == 0 {
                Param::Special(b'0')
            } else {
                Param::Positional(n, false)
            });
        }
        if !is_name_start(first) {
            return Err(self.bad_substitution());
        }
        while let Some(c) = self.st.input.peek() {
            if !is_name_char(c) {
                break;
            }
            self.st.input.bump();
            text.push(c);
        }
        note_name(&text);
        Ok(Param::Var(text))
    }

    /// The word of `${name op word}`, up to the closing `}`. `outer_quoted`: the expansion is
    /// inside double quotes (no tilde expansion then, but for a pattern's, which is lexed
    /// `Unquoted`).
    fn lex_param_word(
        &mut self,
        mode: ParamWordMode,
        outer_quoted: bool,
    ) -> Result<Word, SyntaxError> {
        Ok(self.lex_param_word_until(mode, outer_quoted, false)?.0)
    }

    /// As `lex_param_word`; `slash`: an unquoted `/` ends the word too (the pattern of
    /// `${x/p/r}`). Also says which byte ended it.
    fn lex_param_word_until(
        &mut self,
        mode: ParamWordMode,
        outer_quoted: bool,
        slash: bool,
    ) -> Result<(Word, u8), SyntaxError> {
        let mut b = Parts::default();
        let mut end = b'}';
        let mut in_single = false;
        loop {
            let c = match self.st.input.peek() {
                None => return Err(self.missing_brace(outer_quoted)),
                Some(c) => c,
            };
            self.st.input.bump();
            match (c, mode) {
                (b'}', _) if in_single => b.quoted(b"}"),
                (b'}', _) => break,
                (b'/', _) if slash => {
                    end = b'/';
                    break;
                }
                (b'$', ParamWordMode::Unquoted) => self.lex_dollar(&mut b, false)?,
                // bash: `$'...'` and `$"..."` keep their meaning in "${x:-...}"; a
                // here-document's `$'...'` stays as written.
                (b'$', ParamWordMode::DoubleQuoted)
                    if self.st.bash
                        && !in_single
                        && match self.st.input.peek() {
                            Some(b'\'') => !self.st.in_heredoc,
                            Some(b'"') => true,
                            _ => false,
                        } =>
                {
                    self.lex_dollar(&mut b, false)?
                }
                (b'$', ParamWordMode::DoubleQuoted) => self.lex_dollar(&mut b, true)?,
                (b'`', _) => {
                    let list = self.lex_backquote(mode == ParamWordMode::DoubleQuoted)?;
                    b.push(WordPart::CommandSubst(list));
                }
                // bash: inside "${x:+...}", a quoted string's backslash escapes any byte
                // (`"${v:+"x\xy"}"` is `xxy`); dash keeps the backslash.
                // bash: a double quote inside those single quotes opens nothing and is
                // removed (`"${x-'"'y}"` is `''y`).
                (b'"', ParamWordMode::DoubleQuoted) if self.st.bash && in_single => {}
                (b'"', ParamWordMode::DoubleQuoted) if self.st.bash => {
                    self.enter()?;
                    let r = self.lex_nested_double_quoted(&mut b);
                    self.leave();
                    r?;
                }
                (b'"', _) => {
                    self.enter()?;
                    let parts = self.lex_double_quoted();
                    self.leave();
                    b.push(WordPart::DoubleQuoted(parts?));
                }
                (b'\\', ParamWordMode::Unquoted) => match self.st.input.peek_raw() {
                    Some(e) => {
                        self.st.input.bump();
                        b.quoted(&[e]);
                    }
                    None => b.literal(b'\\'),
                },
                (b'\\', ParamWordMode::DoubleQuoted) => self.dq_backslash(&mut b, b"$`\"\\}"),
                (b'\'', ParamWordMode::Unquoted) => {
                    let t = self.lex_single_quoted()?;
                    b.quoted(&t);
                }
                // bash, inside double quotes: single quotes stay, and expansions in them
                // are made, but a `}` they hold does not end the word.
                (b'\'', ParamWordMode::DoubleQuoted) if self.st.bash => {
                    in_single = !in_single;
                    b.quoted(b"'");
                }
                (_, ParamWordMode::Unquoted) => b.literal(c),
                (_, ParamWordMode::DoubleQuoted) => b.quoted(&[c]),
            }
        }
        let mut word = b.into_word();
        // A pattern (`${x#~}`) is a word of its own: its tilde expands inside double quotes too.
        if !outer_quoted || mode == ParamWordMode::Unquoted {
            word.parts = tilde_split(std::mem::take(&mut word.parts), false);
        }
        Ok((word, end))
    }

    /// At the second `(` of `$((` or of a `((` command: the expression up to the matching
    /// `))`, or, in bash, None when a `)` closes the first parenthesis alone (`((a) || b)`,
    /// `$((cmd) 2>&1)`): the text is left to be read as commands in a subshell.
    #[inline(never)]
    pub(super) fn lex_arith_or_subshell(&mut self) -> Result<Option<Word>, SyntaxError> {
        if self.st.bash && !self.closes_as_expression() {
            return Ok(None);
        }
        self.st.input.bump();
        self.lex_arith().map(Some)
    }

    /// At the second `(` of `((`: whether the parenthesis that closes the first is followed by
    /// another, as bash decides. The text is only scanned (quotes skipped, parentheses
    /// counted) and given back, so nested cases cost one scan each, not a parse each.
    fn closes_as_expression(&mut self) -> bool {
        let mark = self.st.input.mark();
        self.st.input.bump();
        let mut depth = 0usize;
        let verdict = loop {
            let Some(c) = self.st.input.peek() else {
                break true;
            };
            self.st.input.bump();
            match c {
                b'(' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                b')' => break self.st.input.peek() == Some(b')'),
                b'\\' => self.skip_byte(),
                b'\'' | b'"' | b'`' => self.skip_quoted(c),
                _ => {}
            }
        };
        self.st.input.rewind(mark);
        verdict
    }

    /// Past the text quoted by `quote` (just read) and its closing quote.
    fn skip_quoted(&mut self, quote: u8) {
        while let Some(c) = self.st.input.peek() {
            self.st.input.bump();
            if c == quote {
                return;
            }
            if c == b'\\' && quote != b'\'' {
                self.skip_byte();
            }
        }
    }

    /// Past the next byte (the one a backslash escapes), fetching a line if need be.
    fn skip_byte(&mut self) {
        if self.st.input.peek_raw().is_some() {
            self.st.input.bump();
        }
    }

    /// bash: the rest of a double-quoted string inside a double-quoted `${...}` word, up to
    /// its closing quote: expansions made, a backslash quoting whatever byte follows.
    fn lex_nested_double_quoted(&mut self, b: &mut Parts) -> Result<(), SyntaxError> {
        let opened = self.st.input.line;
        loop {
            let Some(c) = self.st.input.peek() else {
                return Err(self.unterminated(b'"', opened));
            };
            self.st.input.bump();
            match c {
                b'"' => return Ok(()),
                b'$' => self.lex_dollar(b, true)?,
                b'`' => {
                    let list = self.lex_backquote(true)?;
                    b.push(WordPart::CommandSubst(list));
                }
                b'\\' => match self.st.input.peek() {
                    Some(e) => {
                        self.st.input.bump();
                        b.quoted(&[e]);
                    }
                    None => b.quoted(b"\\"),
                },
                _ => b.quoted(&[c]),
            }
        }
    }

    /// After `$((`: the expression up to the matching `))`.
    fn lex_arith(&mut self) -> Result<Word, SyntaxError> {
        let mut words = self.lex_arith_parts(false)?;
        Ok(words.pop().unwrap_or_default())
    }

    /// After `$[`: the expression up to the matching `]` (brackets of subscripts nest).
    fn lex_bracket_arith(&mut self) -> Result<Word, SyntaxError> {
        let mut b = Parts::default();
        let mut parens = 0usize;
        let mut brackets = 0usize;
        loop {
            let Some(c) = self.st.input.peek() else {
                return Err(self.err("Missing ']'"));
            };
            self.st.input.bump();
            match c {
                b']' if brackets == 0 => return Ok(b.into_word()),
                b'[' => {
                    brackets += 1;
                    b.quoted(b"[");
                }
                b']' => {
                    brackets -= 1;
                    b.quoted(b"]");
                }
                _ => self.arith_byte(&mut b, c, &mut parens, b"$`\"\\")?,
            }
        }
    }

    /// After `for ((`: the three expressions separated by `;`, up to the matching `))`.
    pub(super) fn lex_arith_for(&mut self) -> Result<[Word; 3], SyntaxError> {
        let words = self.lex_arith_parts(true)?;
        match <[Word; 3]>::try_from(words) {
            Ok(three) => Ok(three),
            Err(words) if self.st.bash => {
                let what = match words.len() < 3 {
                    true => "arithmetic expression required",
                    false => "`;' unexpected",
                };
                let texts: Vec<Vec<u8>> = words.iter().map(super::print::bare_text).collect();
                let written = String::from_utf8_lossy(&texts.join(&b';')).into_owned();
                let message = format!("syntax error: {what}\nsyntax error: `(({written}))'");
                Err(syntax(self.st.input.line, message))
            }
            Err(_) => Err(self.err("expected three expressions in for (( ))")),
        }
    }

    /// The text of an arithmetic expression up to the matching `))`; `semis`: a `;` outside
    /// parentheses separates expressions (`for ((`).
    fn lex_arith_parts(&mut self, semis: bool) -> Result<Vec<Word>, SyntaxError> {
        let opened = self.st.input.line;
        let mut words = Vec::new();
        let mut b = Parts::default();
        let mut parens = 0usize;
        // In a function's body each expression keeps its text as written.
        let raw_start =
            (self.st.keep_raw > 0 || self.st.raw_always).then(|| self.st.input.raw_begin());
        let mut from = raw_start;
        loop {
            let c = match self.st.input.peek() {
                None if self.st.bash => return Err(eof_looking_for(b')', opened)),
                None => return Err(self.err("Missing '))'")),
                Some(c) => c,
            };
            self.st.input.bump();
            match c {
                b')' if parens == 0 => {
                    if self.st.input.peek() == Some(b')') {
                        let mut word = b.into_word();
                        if let (Some(start), Some(from)) = (raw_start, from) {
                            let to = self.st.input.raw_len().saturating_sub(1);
                            word.raw = Some(self.st.input.raw_slice(from, to));
                            self.st.input.raw_end(start);
                        }
                        self.st.input.bump();
                        words.push(word);
                        return Ok(words);
                    }
                    b.quoted(b")");
                }
                b';' if semis && parens == 0 => {
                    let mut word = std::mem::take(&mut b).into_word();
                    if let Some(f) = from {
                        let to = self.st.input.raw_len();
                        word.raw = Some(self.st.input.raw_slice(f, to.saturating_sub(1)));
                        from = Some(to);
                    }
                    words.push(word);
                }
                _ => self.arith_byte(&mut b, c, &mut parens, b"$`\"\\")?,
            }
        }
    }

    /// After `` ` ``: collect the command text (resolving `\$`, `` \` ``, `\\`, and `\"` inside
    /// double quotes) and parse it.
    pub(super) fn lex_backquote(&mut self, dq: bool) -> Result<Rc<List>, SyntaxError> {
        let opened = self.st.input.line;
        let eof = |cx: &Self| match cx.st.bash {
            true => eof_looking_for(b'`', opened),
            false => cx.err("EOF in backquote substitution"),
        };
        let mut text = Vec::new();
        loop {
            let c = match self.st.input.peek_raw() {
                None => return Err(eof(self)),
                Some(c) => c,
            };
            self.st.input.bump();
            match c {
                b'`' => break,
                b'\\' => match self.st.input.peek_raw() {
                    None => return Err(eof(self)),
                    Some(b'\n') => self.st.input.bump(),
                    Some(e) if matches!(e, b'$' | b'`' | b'\\') || (dq && e == b'"') => {
                        self.st.input.bump();
                        text.push(e);
                    }
                    Some(_) => text.push(b'\\'),
                },
                _ => text.push(c),
            }
        }
        self.enter()?;
        let height = self.st.input.push_barrier(text);
        let paused = std::mem::replace(&mut self.st.input.raw_paused, true);
        let r = self.parse_backquote_body();
        self.st.input.raw_paused = paused;
        self.st.input.pop_to(height);
        self.leave();
        r
    }
}

/// An address on the current stack (compared, never dereferenced).
#[inline(never)]
pub(crate) fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

fn plain(param: Param) -> WordPart {
    WordPart::Param(Box::new(ParamExp {
        param,
        op: ParamOp::Plain,
    }))
}

/// The delimiter of a here-document from the raw text of its word: quote removal only, and
/// whether any quoting was present.
pub(crate) fn heredoc_delimiter(raw: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        i += 1;
        match c {
            b'\\' => {
                quoted = true;
                if let Some(&e) = raw.get(i) {
                    out.push(e);
                    i += 1;
                }
            }
            b'\'' => {
                quoted = true;
                while let Some(&e) = raw.get(i) {
                    i += 1;
                    if e == b'\'' {
                        break;
                    }
                    out.push(e);
                }
            }
            b'"' => {
                quoted = true;
                while let Some(&e) = raw.get(i) {
                    i += 1;
                    match e {
                        b'"' => break,
                        b'\\' if matches!(raw.get(i), Some(b'$' | b'`' | b'"' | b'\\')) => {
                            if let Some(&n) = raw.get(i) {
                                out.push(n);
                            }
                            i += 1;
                        }
                        _ => out.push(e),
                    }
                }
            }
            _ => out.push(c),
        }
    }
    (out, quoted)
}

/// The word with its tilde prefixes marked (outside an assignment), as it was written. In
/// the bash language a `:` ends the prefix too (`~:x` is `$HOME:x`), as in an assignment, but
/// no other prefix follows it.
pub(crate) fn with_tildes(w: Word, bash: bool) -> Word {
    let rule = if bash { Tildes::BashWord } else { Tildes::Word };
    Word {
        parts: tilde_split_as(w.parts, rule),
        raw: w.raw,
    }
}

/// The parts of a word brace expansion made, with the tilde prefix at its start marked as
/// bash marks one in a word as written.
pub(crate) fn bash_word_tildes(parts: Vec<WordPart>) -> Vec<WordPart> {
    tilde_split_as(parts, Tildes::BashWord)
}

/// Where tilde prefixes begin and end.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tildes {
    /// At the start, up to the first `/`.
    Word,
    /// At the start, up to the first `/` or `:`.
    BashWord,
    /// At the start and after each `:`, up to the first `/` or `:`.
    Assignment,
}

/// In an assignment value, the word of `${x-w}`, `${x?w}` and `${x+w}` is in assignment
/// context too (as dash has it; not that of `${x=w}`): a tilde prefix also follows each `:` there. The lexer split the word as an
/// ordinary one, so its leading prefix is undone and the split made again.
fn assignment_tildes_inside(p: &mut ParamExp) {
    let word = match &mut p.op {
        ParamOp::Default { word, .. }
        | ParamOp::Error { word, .. }
        | ParamOp::Alternative { word, .. } => word,
        _ => return,
    };
    let mut parts = std::mem::take(&mut word.parts);
    if let Some(WordPart::Tilde(name)) = parts.first() {
        let mut text = vec![b'~'];
        text.extend_from_slice(name);
        if let Some(WordPart::Literal(next)) = parts.get(1) {
            text.extend_from_slice(next);
            parts.remove(1);
        }
        if let Some(first) = parts.first_mut() {
            *first = WordPart::Literal(text);
        }
    }
    word.parts = tilde_split(parts, true);
}

/// Tilde expansion markers (XCU 2.6.1): a `~` prefix at the start of the word, and in
/// assignment values also after each unquoted `:`. The prefix runs to the first unquoted `/`
/// (or `:` in an assignment) and must consist of unquoted literal text only.
pub(crate) fn tilde_split(parts: Vec<WordPart>, assign: bool) -> Vec<WordPart> {
    tilde_split_as(
        parts,
        if assign {
            Tildes::Assignment
        } else {
            Tildes::Word
        },
    )
}

fn tilde_split_as(mut parts: Vec<WordPart>, rule: Tildes) -> Vec<WordPart> {
    let assign = rule == Tildes::Assignment;
    let colon_ends = rule != Tildes::Word;
    if assign {
        for part in &mut parts {
            if let WordPart::Param(p) = part {
                assignment_tildes_inside(p);
            }
        }
    }
    let needs = match parts.first() {
        Some(WordPart::Literal(t)) => t.first() == Some(&b'~') || (assign && t.contains(&b':')),
        _ => false,
    } || (assign
        && parts
            .iter()
            .any(|p| matches!(p, WordPart::Literal(t) if t.contains(&b':'))));
    if !needs {
        return parts;
    }
    let count = parts.len();
    let mut out = Vec::with_capacity(count + 2);
    // Whether the next byte of a literal starts a segment where a tilde prefix may begin.
    let mut at_start = true;
    for (index, part) in parts.into_iter().enumerate() {
        let last = index + 1 == count;
        let t = match part {
            WordPart::Literal(t) => t,
            other => {
                at_start = false;
                out.push(other);
                continue;
            }
        };
        let mut lit: Vec<u8> = Vec::new();
        let mut i = 0;
        while i < t.len() {
            let c = t.get(i).copied().unwrap_or(0);
            if at_start && c == b'~' {
                let rest = t.get(i + 1..).unwrap_or(&[]);
                let end = rest
                    .iter()
                    .position(|&c| c == b'/' || (colon_ends && c == b':'));
                if end.is_some() || last {
                    let n = end.unwrap_or(rest.len());
                    if !lit.is_empty() {
                        out.push(WordPart::Literal(std::mem::take(&mut lit)));
                    }
                    out.push(WordPart::Tilde(rest.get(..n).unwrap_or(&[]).to_vec()));
                    i += 1 + n;
                    at_start = false;
                    continue;
                }
            }
            at_start = assign && c == b':';
            lit.push(c);
            i += 1;
        }
        if !lit.is_empty() {
            out.push(WordPart::Literal(lit));
        }
    }
    out
}

thread_local! {
    /// Some text read so far expands `$BASH_COMMAND`: the shell then keeps each simple
    /// command's text, which it otherwise only does while a trap is set.
    static BASH_COMMAND_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn note_name(name: &[u8]) {
    if name == b"BASH_COMMAND" {
        BASH_COMMAND_READ.with(|r| r.set(true));
    }
}

/// Whether some parsed text expands `$BASH_COMMAND`.
pub fn bash_command_read() -> bool {
    BASH_COMMAND_READ.with(std::cell::Cell::get)
}
/// The name in `{name}>file` (bash): a variable, or an array's element (`{fds[1]}`).
fn is_fd_variable(name: &[u8]) -> bool {
    match name.iter().position(|&c| c == b'[') {
        Some(open) => name.ends_with(b"]") && crate::state::vars::is_name(&name[..open]),
        None => crate::state::vars::is_name(name),
    }
}

/// A parameter as an error message names it (`name`, `name[@]`).
fn param_text(param: &Param) -> Vec<u8> {
    match param {
        Param::Var(name) => name.clone(),
        Param::Elem(name, sub) => match sub.as_ref() {
            Subscript::All { at: true } => [&name[..], b"[@]"].concat(),
            Subscript::All { at: false } => [&name[..], b"[*]"].concat(),
            Subscript::Index(_) => [&name[..], b"[...]"].concat(),
        },
        Param::Positional(n, _) => n.to_string().into_bytes(),
        Param::Special(c) => vec![*c],
        Param::Indirect(name) => [b"!", &name[..]].concat(),
        Param::IndirectElem(name, _) => [b"!", &name[..], b"[...]"].concat(),
    }
}
