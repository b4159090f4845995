//! The recursive-descent parser for the grammar of XCU 2.10 (compound commands in `compound`).
//!
//! It follows dash where POSIX leaves room: the same error messages (`Syntax error: "fi"
//! unexpected (expecting "then")`), a function body may be any command, reserved words are
//! recognised only where a command may start (and `in`/`do` after `for`/`case`), aliases are
//! expanded in command-name position and after an alias whose value ends in a blank.
//! `;&` (fall through, POSIX.1-2024) is accepted in `case`.

use std::rc::Rc;

use super::ast::{
    AndOr, AndOrOp, Assign, Command, CompoundCommand, FunctionDef, List, ListItem, Pipeline,
    RedirOp, RedirTarget, Redirect, SimpleCommand, Word, WordPart,
};
use super::input::Input;
use super::lexer::{
    self, heredoc_delimiter, is_name, tilde_split, with_tildes, Op, TokKind, Token,
};
use super::{Aliases, LineSource, ParseError, SyntaxError};

/// One complete command as read, with the exact text it was parsed from.
#[derive(Debug)]
pub struct ParsedCommand {
    pub list: List,
    /// The source text of the command: its lines as read (here-document bodies included),
    /// without the final newline.
    pub text: Vec<u8>,
    /// The line the command starts on.
    pub line: u32,
}

/// A here-document whose body has not been read yet.
pub(crate) struct PendingHereDoc {
    pub(crate) id: usize,
    pub(crate) delim: Vec<u8>,
    pub(crate) quoted: bool,
    pub(crate) strip_tabs: bool,
    /// In a function's body: the delimiter as written (the body keeps its text).
    pub(crate) written: Option<Vec<u8>>,
    /// The line of its operator.
    pub(crate) line: u32,
}

/// Everything the lexer and the parser share.
pub(crate) struct State<'a> {
    pub(crate) input: Input<'a>,
    pub(crate) peeked: Option<Token>,
    pub(crate) depth: usize,
    pub(crate) pending: Vec<PendingHereDoc>,
    /// bash's warnings found while parsing (a here-document ended by the end of input): the
    /// line each is told at, and its text.
    pub(crate) warnings: Vec<(u32, String)>,
    /// Here-document bodies by id, filled in when read.
    pub(crate) bodies: Vec<Option<Word>>,
    /// `stack_position()` when `next_command` started.
    pub(crate) stack_base: usize,
    /// Reading the text of an unquoted here-document.
    pub(crate) in_heredoc: bool,
    /// How many `$(` the parser is inside: there, bash ends a here-document at a line that
    /// begins with its delimiter (`EOF)`), and the rest of the line is read as commands.
    pub(crate) in_command_subst: u32,
    /// Return an empty command for a blank line instead of reading on (an interactive shell
    /// prompts afresh for each line, and reports finished jobs before it).
    pub(crate) blank_lines: bool,
    /// The bash language is on (not posix mode): `$'...'`, `[[`, `((`, `function`, `<<<`...
    pub(crate) bash: bool,
    /// The locale's character set is UTF-8 (for `$'\u...'`).
    pub(crate) utf8: bool,
    /// `shopt -s extglob` was on when the command was read: `@(...)` and its kin are
    /// patterns of a word (in `[[ ]]`'s pattern they always are).
    pub(crate) extglob: bool,
    /// Function bodies being parsed: their words keep their text as written.
    pub(crate) keep_raw: u32,
    /// Every word keeps its text as written (a trap may read `$BASH_COMMAND`).
    pub(crate) raw_always: bool,
    /// The text of the here-document body just read (for one in a function's body).
    pub(crate) heredoc_text: Option<Vec<u8>>,
    /// The next word may be an assignment (bash): the first of a command, or one after an
    /// assignment or a reserved word. There `name[` reads to its `]` with blanks in it.
    pub(crate) assignment_position: bool,
    /// The command being read is a declaration utility (`declare`, `local`, ...): its
    /// words may be `name=(...)` too.
    pub(crate) declaration: bool,
    /// The two above as they were before the last token was read (an alias's name gives
    /// its place to the alias's value).
    pub(crate) before_token: (bool, bool),
    /// The last token was a redirection operator: whether a command's words began there.
    pub(crate) redirect_target: Option<bool>,
}

/// The state plus the alias table of the current `next_command` call.
pub(crate) struct Cx<'s, 'a> {
    pub(crate) st: &'s mut State<'a>,
    aliases: &'s dyn Aliases,
}

pub struct Parser<'a> {
    st: State<'a>,
}

impl<'a> Parser<'a> {
    /// A parser reading from `source`, whose first line is numbered `first_line`.
    pub fn new(source: Box<dyn LineSource + 'a>, first_line: u32) -> Self {
        Parser {
            st: State {
                input: Input::new(source, first_line),
                peeked: None,
                depth: 0,
                pending: Vec::new(),
                warnings: Vec::new(),
                bodies: Vec::new(),
                in_heredoc: false,
                in_command_subst: 0,
                stack_base: 0,
                blank_lines: false,
                bash: false,
                utf8: false,
                extglob: true,
                keep_raw: 0,
                raw_always: false,
                heredoc_text: None,
                assignment_position: true,
                declaration: false,
                before_token: (true, false),
                redirect_target: None,
            },
        }
    }

    /// Make `next_command` return an empty command (an empty list, the line's text) for each
    /// blank or comment-only line, rather than read the next line itself.
    pub fn stop_at_blank_lines(&mut self) {
        self.st.blank_lines = true;
    }

    /// As [`Parser::stop_at_blank_lines`], or not: a script keeping history (`set -o history`)
    /// keeps its comment lines too.
    pub fn set_stop_at_blank_lines(&mut self, on: bool) {
        self.st.blank_lines = on;
    }

    /// Read the bash language (true) or only the POSIX one (posix mode). The shell sets it
    /// before each command, since `set -o posix` may change it between commands.
    pub fn set_bash(&mut self, on: bool) {
        self.st.bash = on;
        self.st.input.ends_lines = on;
    }

    /// The text is a string (`-c`, `eval`, `.`, a trap), whose last backslash is no line
    /// joiner in bash.
    pub fn set_string_input(&mut self) {
        self.st.input.string_input = true;
    }

    /// Whether `@(...)`, `!(...)` and their kin are read as patterns (`shopt extglob`, which
    /// bash looks at when it reads a command). On unless told.
    pub fn set_extglob(&mut self, on: bool) {
        self.st.extglob = on;
    }

    /// Keep every word's text as written, as `$BASH_COMMAND` shows it (bash).
    pub fn set_words_as_written(&mut self, on: bool) {
        self.st.raw_always = on;
    }

    /// Whether `$'\u...'` gives UTF-8 (the locale's character set).
    pub fn set_utf8(&mut self, on: bool) {
        self.st.utf8 = on;
    }

    /// Parse the next complete command, reading only as many lines as it (and its
    /// here-documents) need. Blank lines and comments are skipped. Ok(None) at end of input.
    pub fn next_command(
        &mut self,
        aliases: &dyn Aliases,
    ) -> Result<Option<ParsedCommand>, ParseError> {
        self.st.depth = 0;
        self.st.stack_base = lexer::stack_position();
        self.st.pending.clear();
        self.st.bodies.clear();
        self.st.input.started = false;
        let result = Cx {
            st: &mut self.st,
            aliases,
        }
        .complete_command();
        if let Some(e) = self.st.input.io_error.take() {
            return Err(ParseError::Io(e));
        }
        Ok(result?)
    }

    /// After a syntax error: drop whatever is left of the current line, so an interactive
    /// shell can go on with the next one.
    pub fn recover(&mut self) {
        self.st.peeked = None;
        self.st.depth = 0;
        self.st.pending.clear();
        self.st.bodies.clear();
        self.st.input.discard_line();
    }

    /// The warnings found since the last call (bash's), each with the line to tell it at.
    pub fn take_warnings(&mut self) -> Vec<(u32, String)> {
        std::mem::take(&mut self.st.warnings)
    }

    /// The line number the parser has reached.
    pub fn line(&self) -> u32 {
        self.st.input.line
    }
}

/// Reserved words (XCU 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kw {
    Bang,
    LBrace,
    RBrace,
    Case,
    Do,
    Done,
    Elif,
    Else,
    Esac,
    Fi,
    For,
    If,
    In,
    Then,
    Until,
    While,
}

/// The reserved words, each once: the parser's, `command -v`'s and the completer's.
const RESERVED: [(&str, Kw); 16] = [
    ("!", Kw::Bang),
    ("{", Kw::LBrace),
    ("}", Kw::RBrace),
    ("case", Kw::Case),
    ("do", Kw::Do),
    ("done", Kw::Done),
    ("elif", Kw::Elif),
    ("else", Kw::Else),
    ("esac", Kw::Esac),
    ("fi", Kw::Fi),
    ("for", Kw::For),
    ("if", Kw::If),
    ("in", Kw::In),
    ("then", Kw::Then),
    ("until", Kw::Until),
    ("while", Kw::While),
];

/// The reserved words of XCU 2.4.
pub fn reserved_words() -> impl Iterator<Item = &'static str> {
    RESERVED.iter().map(|(w, _)| *w)
}

/// `word` is a reserved word.
pub fn is_reserved_word(word: &[u8]) -> bool {
    RESERVED.iter().any(|(w, _)| w.as_bytes() == word)
}

/// A reserved word of the bash language: POSIX's and bash's own.
pub fn is_bash_keyword(word: &[u8]) -> bool {
    is_reserved_word(word)
        || matches!(
            word,
            b"[[" | b"]]" | b"function" | b"time" | b"select" | b"coproc"
        )
}

/// The token is the plain word `text`.
fn is_word(tok: &Token, text: &[u8]) -> bool {
    matches!(&tok.kind, TokKind::Word(w) if w.as_plain_literal() == Some(text))
}

pub(super) fn keyword(tok: &Token) -> Option<Kw> {
    let TokKind::Word(w) = &tok.kind else {
        return None;
    };
    let w = w.as_plain_literal()?;
    RESERVED
        .iter()
        .find(|(name, _)| name.as_bytes() == w)
        .map(|&(_, kw)| kw)
}

/// dash's name for a token read where reserved words are not recognised.
fn plain_token_name(tok: &Token) -> String {
    match tok.kind {
        TokKind::Word(_) => "word".into(),
        _ => token_name(tok),
    }
}

/// dash's name for a token in error messages.
fn token_name(tok: &Token) -> String {
    match &tok.kind {
        TokKind::Eof => "end of file".into(),
        TokKind::Newline => "newline".into(),
        TokKind::IoNumber(_) | TokKind::IoVar(_) => "redirection".into(),
        TokKind::Op(op) if op.is_redirect() => "redirection".into(),
        TokKind::Op(op) => format!("\"{}\"", op.text()),
        TokKind::Word(w) => match (keyword(tok), w.as_plain_literal()) {
            (Some(_), Some(t)) => format!("\"{}\"", String::from_utf8_lossy(t)),
            _ => "word".into(),
        },
    }
}

/// Where a compound list may end.
fn ends_list(tok: &Token) -> bool {
    match &tok.kind {
        TokKind::Eof => true,
        TokKind::Op(op) => matches!(op, Op::RParen | Op::DSemi | Op::DSemiAnd | Op::SemiAnd),
        TokKind::Word(_) => matches!(
            keyword(tok),
            Some(
                Kw::Then | Kw::Else | Kw::Elif | Kw::Fi | Kw::Do | Kw::Done | Kw::Esac | Kw::RBrace
            )
        ),
        _ => false,
    }
}

fn redir_op(op: Op) -> Option<RedirOp> {
    Some(match op {
        Op::Less => RedirOp::Input,
        Op::Great => RedirOp::Output,
        Op::Clobber => RedirOp::Clobber,
        Op::DGreat => RedirOp::Append,
        Op::LessGreat => RedirOp::ReadWrite,
        Op::LessAnd => RedirOp::DupInput,
        Op::GreatAnd => RedirOp::DupOutput,
        Op::DLess => RedirOp::HereDoc { strip_tabs: false },
        Op::DLessDash => RedirOp::HereDoc { strip_tabs: true },
        _ => return None,
    })
}

fn is_redirect_start(tok: &Token) -> bool {
    match tok.kind {
        TokKind::IoNumber(_) | TokKind::IoVar(_) => true,
        TokKind::Op(op) => op.is_redirect(),
        _ => false,
    }
}

/// The word is an assignment: `NAME=value`, or in bash `name+=`, `name[sub]=`...
pub(super) fn is_assignment_word(w: &Word) -> bool {
    assignment_split(w).is_some() || bash_assignment_split(w).is_some()
}

/// bash expands the tildes of an argument that looks like an assignment as an assignment's
/// (`make PREFIX=~/x`, `a=~:~`): after the first `=` and after each `:`.
fn argument_assignment_tildes(mut w: Word) -> Word {
    let eq = match w.parts.first() {
        Some(WordPart::Literal(t)) => t.iter().position(|&c| c == b'='),
        _ => None,
    };
    let Some(eq) = eq else {
        return with_tildes(w, true);
    };
    let WordPart::Literal(first) = w.parts.remove(0) else {
        return w;
    };
    let (head, tail) = first.split_at(eq + 1);
    let mut value = Vec::with_capacity(w.parts.len() + 1);
    if !tail.is_empty() {
        value.push(WordPart::Literal(tail.to_vec()));
    }
    value.append(&mut w.parts);
    let mut parts = vec![WordPart::Literal(head.to_vec())];
    parts.extend(tilde_split(value, true));
    Word { parts, raw: w.raw }
}

/// `NAME=value` with a valid name: the split point.
fn assignment_split(w: &Word) -> Option<usize> {
    let Some(WordPart::Literal(t)) = w.parts.first() else {
        return None;
    };
    let eq = t.iter().position(|&c| c == b'=')?;
    is_name(t.get(..eq)?).then_some(eq)
}

/// Where a bash assignment word's value begins: `name+=`, `name[sub]=`, `name[sub]+=`
/// (the subscript may hold expansions, so it may span parts). Returns the name, the
/// subscript's parts, whether it appends, and the value's parts.
type BashAssign = (Vec<u8>, Option<Word>, bool, Vec<WordPart>);

fn bash_assignment_split(w: &Word) -> Option<BashAssign> {
    let Some(WordPart::Literal(t)) = w.parts.first() else {
        return None;
    };
    let name_end = t.iter().position(|&c| !lexer::is_name_char(c))?;
    let name = t.get(..name_end)?;
    if !is_name(name) {
        return None;
    }
    match t.get(name_end..)? {
        [b'+', b'=', rest @ ..] => {
            let mut value = Vec::new();
            if !rest.is_empty() {
                value.push(WordPart::Literal(rest.to_vec()));
            }
            value.extend(w.parts.iter().skip(1).cloned());
            return Some((name.to_vec(), None, true, value));
        }
        [b'[', ..] => {}
        _ => return None,
    }
    // `name[`: the subscript runs to the `]` that balances it and is followed by `=`/`+=`.
    let mut depth = 0usize;
    let mut sub = Vec::new();
    for (pi, part) in w.parts.iter().enumerate() {
        let WordPart::Literal(text) = part else {
            if depth == 0 {
                return None;
            }
            sub.push(part.clone());
            continue;
        };
        let start = if pi == 0 { name_end } else { 0 };
        let mut lit = Vec::new();
        for (i, &c) in text.iter().enumerate().skip(start) {
            match c {
                b'[' => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        let rest = &text[i + 1..];
                        let (append, value_start) = match rest {
                            [b'=', ..] => (false, 1),
                            [b'+', b'=', ..] => (true, 2),
                            _ => return None,
                        };
                        if !lit.is_empty() {
                            sub.push(WordPart::Literal(std::mem::take(&mut lit)));
                        }
                        let mut value = Vec::new();
                        if rest.len() > value_start {
                            value.push(WordPart::Literal(rest[value_start..].to_vec()));
                        }
                        value.extend(w.parts.iter().skip(pi + 1).cloned());
                        return Some((name.to_vec(), Some(Word::new(sub)), append, value));
                    }
                }
                _ => {}
            }
            if depth == 0 {
                return None;
            }
            lit.push(c);
        }
        if !lit.is_empty() {
            sub.push(WordPart::Literal(lit));
        }
    }
    None
}

/// The token ends a command line, or a command of a list, where bash takes `!` or `time`
/// alone as a command (`&&`, `&`, `)` after them are syntax errors there).
fn ends_command(tok: &Token) -> bool {
    matches!(
        tok.kind,
        TokKind::Eof | TokKind::Newline | TokKind::Op(Op::Semi)
    )
}

/// A command of nothing: no assignment, word or redirection (status 0).
fn empty_command(line: u32) -> Command {
    Command::Simple(SimpleCommand {
        assigns: Vec::new(),
        words: Vec::new(),
        redirects: Vec::new(),
        line,
    })
}

/// An element `[key]=value` or `[key]+=value` of `name=(...)`: the key's parts, whether it
/// appends, and the value.
pub fn keyed_element(w: &Word) -> Option<(Word, bool, Word)> {
    let Some(WordPart::Literal(t)) = w.parts.first() else {
        return None;
    };
    if t.first() != Some(&b'[') {
        return None;
    }
    // The element read as the assignment `_[key]=value` would be.
    let mut named = w.clone();
    if let Some(WordPart::Literal(t)) = named.parts.first_mut() {
        t.insert(0, b'_');
    }
    let (_, key, append, value) = bash_assignment_split(&named)?;
    Some((key?, append, Word::new(tilde_split(value, true))))
}

/// The assignment a word before the command name makes, if it is one.
pub fn split_assignment(mut w: Word, bash: bool) -> Result<Assign, Word> {
    // The whole `name=value` as written goes with the value, for printing a function.
    let raw = w.raw.take();
    let mut assign = if let Some(eq) = assignment_split(&w) {
        make_assign(w, eq)
    } else {
        match bash.then(|| bash_assignment_split(&w)).flatten() {
            Some((name, index, append, value)) => finish_assign(name, index, append, value),
            None => {
                w.raw = raw;
                return Err(w);
            }
        }
    };
    assign.value.raw = raw;
    Ok(assign)
}

/// The value's parts, an array's elements taken out of a `Compound` part.
fn finish_assign(name: Vec<u8>, index: Option<Word>, append: bool, value: Vec<WordPart>) -> Assign {
    if let [WordPart::Compound(elements)] = value.as_slice() {
        return Assign {
            name,
            value: Word::default(),
            index,
            append,
            array: Some(elements.clone()),
        };
    }
    Assign {
        name,
        value: Word::new(tilde_split(value, true)),
        index,
        append,
        array: None,
    }
}

fn placeholder(id: usize) -> Word {
    Word::literal(id.to_string().as_bytes())
}

/// Which reserved words a position recognises (a word there that is one of them is never
/// taken for an alias).
#[derive(Clone, Copy)]
pub(super) enum Reserved {
    /// None: a name stands here (after `for`).
    None,
    /// All of them: a command may start here.
    All,
    /// Only these (after `for name`: `in` and `do`, where `for` is a plain word).
    Only(&'static [Kw]),
}

impl Reserved {
    fn has(self, kw: Kw) -> bool {
        match self {
            Reserved::None => false,
            Reserved::All => true,
            Reserved::Only(list) => list.contains(&kw),
        }
    }
}

impl<'s> Cx<'s, '_> {
    // ----- tokens -----

    /// The next token. A word that follows an alias whose value ends in a blank is itself
    /// looked up as an alias wherever it stands (a `case` pattern, a here-document's
    /// delimiter, `in`), as dash does; where reserved words are recognised,
    /// `peek_aliased` sees the word first.
    pub(super) fn peek(&mut self) -> Result<&Token, SyntaxError> {
        loop {
            if self.st.peeked.is_none() {
                let t = self.lex_token(false)?;
                self.st.peeked = Some(t);
            }
            if !self.expand_after_blank_alias() {
                break;
            }
        }
        self.peek_unexpanded()
    }

    /// The next token as read, with no alias looked up.
    pub(super) fn peek_unexpanded(&mut self) -> Result<&Token, SyntaxError> {
        if self.st.peeked.is_none() {
            let t = self.lex_token(false)?;
            self.st.peeked = Some(t);
        }
        match &self.st.peeked {
            Some(t) => Ok(t),
            None => Err(lexer::syntax(self.st.input.line, "Syntax error: internal")),
        }
    }

    /// If the peeked token is a word after a blank-ending alias and names an alias not
    /// already being expanded, replace it with the alias's value (its first word is looked
    /// up in turn). True when it did.
    fn expand_after_blank_alias(&mut self) -> bool {
        let Some(tok) = self.st.peeked.as_ref().filter(|t| t.after_blank_alias) else {
            return false;
        };
        let Some((name, value)) = self.alias_of(tok) else {
            return false;
        };
        self.st.input.push_alias(&name, value);
        self.unread_peeked();
        // The value's first word stands where the alias did.
        if let Ok(mut t) = self.lex_token(false) {
            t.after_blank_alias = true;
            self.st.peeked = Some(t);
        }
        true
    }

    /// Drop the peeked token (an alias's name, replaced by its value): the lexer is back
    /// where it was before it.
    fn unread_peeked(&mut self) {
        self.st.peeked = None;
        (self.st.assignment_position, self.st.declaration) = self.st.before_token;
    }

    /// The alias a token names: a plain word, an alias's name not already being expanded.
    fn alias_of(&self, tok: &Token) -> Option<(Vec<u8>, &'s [u8])> {
        let TokKind::Word(w) = &tok.kind else {
            return None;
        };
        let name = w.as_plain_literal()?;
        if self.st.input.alias_in_use(name) {
            return None;
        }
        let aliases: &'s dyn Aliases = self.aliases;
        Some((name.to_vec(), aliases.alias(name)?))
    }

    pub(super) fn take(&mut self) -> Result<Token, SyntaxError> {
        self.peek()?;
        match self.st.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex_token(false),
        }
    }

    /// Peek at a token in a position where a command name may appear: expand aliases.
    /// `always`: command-name position (else only after an alias ending in a blank).
    pub(super) fn peek_command_word(&mut self, always: bool) -> Result<&Token, SyntaxError> {
        self.peek_aliased(always, Reserved::All)
    }

    /// As `peek_command_word`; `reserved`: the reserved words recognised here (and so not
    /// taken for aliases).
    pub(super) fn peek_aliased(
        &mut self,
        always: bool,
        reserved: Reserved,
    ) -> Result<&Token, SyntaxError> {
        // The first word of an alias's value stands where the alias did: it is looked up too.
        let mut expand = always;
        loop {
            let tok = self.peek_unexpanded()?;
            if keyword(tok).is_some_and(|k| reserved.has(k)) {
                // The reserved word it is: taking it must not look it up as an alias after
                // all (`alias in='in 1'` leaves `for x in` alone).
                if let Some(t) = self.st.peeked.as_mut() {
                    t.after_blank_alias = false;
                }
                break;
            }
            if !(expand || tok.after_blank_alias) {
                break;
            }
            let tok = tok.clone();
            let Some((name, value)) = self.alias_of(&tok) else {
                break;
            };
            self.st.input.push_alias(&name, value);
            self.unread_peeked();
            expand = true;
        }
        self.peek_unexpanded()
    }

    pub(super) fn unexpected(&self, tok: &Token, expecting: Option<&str>) -> SyntaxError {
        if self.st.bash {
            return self.unexpected_in_bash(tok);
        }
        let msg = match expecting {
            Some(e) => format!(
                "Syntax error: {} unexpected (expecting \"{e}\")",
                token_name(tok)
            ),
            None => format!("Syntax error: {} unexpected", token_name(tok)),
        };
        lexer::syntax(self.st.input.line, msg)
    }

    /// The line bash numbers the end of the input by: as if the text ended with a newline (a
    /// `-c` string need not).
    pub(super) fn end_line(&self) -> u32 {
        let unended =
            !self.st.input.current_line().is_empty() && !self.st.input.text.ends_with(b"\n");
        self.st.input.line + u32::from(unended)
    }

    /// bash's words: the token as written and the line it is on, or the end of the input.
    fn unexpected_in_bash(&self, tok: &Token) -> SyntaxError {
        let text = match &tok.kind {
            TokKind::Eof => {
                return lexer::syntax(
                    self.end_line(),
                    "syntax error: unexpected end of file".to_string(),
                );
            }
            TokKind::Newline => "newline".to_string(),
            TokKind::Op(op) => op.text().to_string(),
            TokKind::IoNumber(n) => n.to_string(),
            TokKind::IoVar(name) => format!("{{{}}}", String::from_utf8_lossy(name)),
            TokKind::Word(w) => String::from_utf8_lossy(&super::print::word_text(w)).into_owned(),
        };
        let line = String::from_utf8_lossy(self.st.input.current_line());
        let message = format!("syntax error near unexpected token `{text}'\n`{line}'");
        lexer::syntax(tok.line, message)
    }

    /// As `unexpected`, for a token read where reserved words are not recognised.
    pub(super) fn unexpected_plain(&self, tok: &Token, expecting: &str) -> SyntaxError {
        if self.st.bash {
            return self.unexpected_in_bash(tok);
        }
        lexer::syntax(
            self.st.input.line,
            format!(
                "Syntax error: {} unexpected (expecting \"{expecting}\")",
                plain_token_name(tok)
            ),
        )
    }

    /// Skip newlines, also those an alias after a blank-ending one expands to. A reserved
    /// word there is left for the position to decide on (`for x in`: `in` is the keyword
    /// even when an alias has its name).
    pub(super) fn skip_newlines(&mut self) -> Result<(), SyntaxError> {
        loop {
            while self.peek_unexpanded()?.kind == TokKind::Newline {
                self.take()?;
            }
            let reserved = self
                .st
                .peeked
                .as_ref()
                .is_some_and(|t| keyword(t).is_some());
            if reserved || !self.expand_after_blank_alias() {
                return Ok(());
            }
        }
    }

    /// The newlines after `|`, `&&` or `||`, also those after an alias that stands where
    /// the command would and expands to nothing (`a | empty` then a newline).
    fn linebreak_before_command(&mut self) -> Result<(), SyntaxError> {
        loop {
            self.skip_newlines()?;
            if self.peek_command_word(true)?.kind != TokKind::Newline {
                return Ok(());
            }
        }
    }

    /// Consume the reserved word `kw` or fail with `... unexpected (expecting "name")`.
    pub(super) fn expect_kw(&mut self, kw: Kw, name: &str) -> Result<(), SyntaxError> {
        let tok = self.peek_command_word(true)?;
        if keyword(tok) == Some(kw) {
            self.take()?;
            Ok(())
        } else {
            let tok = tok.clone();
            Err(self.unexpected(&tok, Some(name)))
        }
    }

    // ----- lists -----

    fn complete_command(&mut self) -> Result<Option<ParsedCommand>, SyntaxError> {
        loop {
            let tok = self.peek_command_word(true)?;
            match tok.kind {
                TokKind::Newline => {
                    let line = tok.line;
                    self.take()?;
                    let text = std::mem::take(&mut self.st.input.text);
                    self.st.input.started = false;
                    if self.st.blank_lines {
                        return Ok(Some(ParsedCommand {
                            list: List::default(),
                            text,
                            line,
                        }));
                    }
                }
                TokKind::Eof => {
                    self.st.input.text.clear();
                    self.take()?;
                    return Ok(None);
                }
                _ => break,
            }
        }
        let line = self.peek()?.line;
        let mut list = List::default();
        loop {
            let and_or = self.and_or()?;
            let tok = self.peek()?;
            let is_async = match tok.kind {
                TokKind::Op(Op::Semi) => false,
                TokKind::Op(Op::Amp) => true,
                TokKind::Newline => {
                    self.take()?;
                    list.items.push(ListItem {
                        and_or,
                        is_async: false,
                    });
                    break;
                }
                TokKind::Eof => {
                    list.items.push(ListItem {
                        and_or,
                        is_async: false,
                    });
                    break;
                }
                _ => {
                    let tok = tok.clone();
                    return Err(self.unexpected(&tok, None));
                }
            };
            self.take()?;
            list.items.push(ListItem { and_or, is_async });
            let tok = self.peek_command_word(true)?;
            match tok.kind {
                TokKind::Newline => {
                    self.take()?;
                    break;
                }
                TokKind::Eof => break,
                _ => {}
            }
        }
        if !self.st.bodies.is_empty() {
            fill_list(&mut list, &mut self.st.bodies);
        }
        let mut text = std::mem::take(&mut self.st.input.text);
        if text.last() == Some(&b'\n') {
            text.pop();
        }
        Ok(Some(ParsedCommand { list, text, line }))
    }

    /// A compound list: and-or lists separated by `;`, `&` and newlines, up to a token that
    /// ends it (a reserved word such as `fi`, `)`, `;;`, end of input), which is not consumed.
    /// `allow_empty`: case arms and command substitutions may be empty.
    pub(super) fn compound_list(&mut self, allow_empty: bool) -> Result<List, SyntaxError> {
        let mut list = List::default();
        loop {
            // An alias in command position may expand to newlines first (`alias r='
            // )'`): they separate commands as typed ones do.
            self.linebreak_before_command()?;
            let tok = self.peek_unexpanded()?;
            if ends_list(tok) {
                if list.items.is_empty() && !allow_empty && tok.kind != TokKind::Eof {
                    let tok = tok.clone();
                    return Err(self.unexpected(&tok, None));
                }
                return Ok(list);
            }
            let and_or = self.and_or()?;
            let is_async = match self.peek()?.kind {
                TokKind::Op(Op::Semi) | TokKind::Newline => {
                    self.take()?;
                    false
                }
                TokKind::Op(Op::Amp) => {
                    self.take()?;
                    true
                }
                _ => {
                    list.items.push(ListItem {
                        and_or,
                        is_async: false,
                    });
                    return Ok(list);
                }
            };
            list.items.push(ListItem { and_or, is_async });
        }
    }

    fn and_or(&mut self) -> Result<AndOr, SyntaxError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek()?.kind {
                TokKind::Op(Op::AndIf) => AndOrOp::And,
                TokKind::Op(Op::OrIf) => AndOrOp::Or,
                _ => break,
            };
            self.take()?;
            self.linebreak_before_command()?;
            rest.push((op, self.pipeline()?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        let mut negated = false;
        let mut timed = if self.st.bash {
            self.time_prefix()?
        } else {
            None
        };
        if keyword(self.peek_command_word(true)?) == Some(Kw::Bang) {
            self.take()?;
            negated = true;
            // bash: `! !` negates twice, and `!` with no command negates an empty one.
            if self.st.bash {
                if let Some(p) = self.bare_negation()? {
                    return Ok(p);
                }
                // `! time cmd` times the pipeline as `time ! cmd` does.
                if timed.is_none() {
                    timed = self.time_prefix()?;
                }
            }
        }
        if timed.is_some() {
            // bash: `time` alone times nothing.
            let tok = self.peek_command_word(true)?;
            if ends_command(tok) {
                return Ok(Pipeline {
                    negated,
                    timed,
                    commands: vec![empty_command(tok.line)],
                });
            }
        }
        let mut commands = vec![self.command()?];
        loop {
            match self.peek()?.kind {
                TokKind::Op(Op::Pipe) => {}
                // `a |& b` is `a 2>&1 | b`, the redirection after a's own.
                TokKind::Op(Op::PipeAmp) => {
                    if let Some(last) = commands.last_mut() {
                        match last {
                            Command::Simple(s) => s.redirects.push(stderr_to_stdout()),
                            Command::Compound(_, r, _) => r.push(stderr_to_stdout()),
                            Command::FunctionDef(_) => {}
                        }
                    }
                }
                _ => break,
            }
            self.take()?;
            self.linebreak_before_command()?;
            commands.push(self.command()?);
        }
        Ok(Pipeline {
            negated,
            timed,
            commands,
        })
    }

    /// After `!` (bash): a further `!` (the pipeline after it negated once more), or nothing
    /// before the end of the command (an empty command, negated: status 1); None when a
    /// command follows.
    #[inline(never)]
    fn bare_negation(&mut self) -> Result<Option<Pipeline>, SyntaxError> {
        let tok = self.peek_command_word(true)?.clone();
        if keyword(&tok) == Some(Kw::Bang) {
            let p = self.pipeline()?;
            return Ok(Some(Pipeline {
                negated: true,
                timed: None,
                commands: vec![Command::Compound(
                    CompoundCommand::BraceGroup(List {
                        items: vec![ListItem {
                            and_or: AndOr {
                                first: p,
                                rest: Vec::new(),
                            },
                            is_async: false,
                        }],
                    }),
                    Vec::new(),
                    tok.line,
                )],
            }));
        }
        if !ends_command(&tok) {
            return Ok(None);
        }
        Ok(Some(Pipeline {
            negated: true,
            timed: None,
            commands: vec![empty_command(tok.line)],
        }))
    }

    /// `time [-p] [--]` before a pipeline (bash): Some(posix format, which `-p` or `--`
    /// asks for). A `time` right after it is the same keyword again: one timing, the formats
    /// asked for merged (`time time -p cmd`). Out of line: `pipeline` is on the stack once
    /// per level of nesting.
    #[inline(never)]
    fn time_prefix(&mut self) -> Result<Option<bool>, SyntaxError> {
        let mut timed = None;
        while is_word(self.peek_command_word(true)?, b"time") {
            self.take()?;
            let mut posix = timed.unwrap_or(false);
            if is_word(self.peek()?, b"-p") {
                self.take()?;
                posix = true;
            }
            if is_word(self.peek()?, b"--") {
                self.take()?;
                posix = true;
            }
            timed = Some(posix);
        }
        Ok(timed)
    }

    // ----- commands -----

    fn command(&mut self) -> Result<Command, SyntaxError> {
        let tok = self.peek_command_word(true)?.clone();
        let line = tok.line;
        let compound = match (&tok.kind, keyword(&tok)) {
            (_, Some(Kw::If)) => Some(Kw::If),
            (_, Some(Kw::While)) => Some(Kw::While),
            (_, Some(Kw::Until)) => Some(Kw::Until),
            (_, Some(Kw::For)) => Some(Kw::For),
            (_, Some(Kw::Case)) => Some(Kw::Case),
            (_, Some(Kw::LBrace)) => Some(Kw::LBrace),
            (_, Some(_)) => return Err(self.unexpected(&tok, None)),
            (TokKind::Word(w), None)
                if self.st.bash && w.as_plain_literal() == Some(b"function") =>
            {
                self.take()?;
                return self.function_keyword(line);
            }
            (TokKind::Word(w), None) if self.st.bash && w.as_plain_literal() == Some(b"select") => {
                self.take()?;
                self.enter()?;
                let cc = self.for_clause(true);
                self.leave();
                return self.with_redirects(cc?, line);
            }
            (TokKind::Word(w), None) if self.st.bash && w.as_plain_literal() == Some(b"coproc") => {
                self.take()?;
                self.enter()?;
                let cc = self.coproc_clause(line);
                self.leave();
                return Ok(Command::Compound(cc?, Vec::new(), line));
            }
            (TokKind::Word(w), None) if self.st.bash && w.as_plain_literal() == Some(b"[[") => {
                self.take()?;
                self.enter()?;
                let cc = self.cond_command();
                self.leave();
                return self.with_redirects(cc?, line);
            }
            (TokKind::Op(Op::LParen), _) if self.st.bash && self.st.input.peek() == Some(b'(') => {
                self.take()?;
                return self.arith_command(line);
            }
            (TokKind::Op(Op::LParen), _) => None,
            (TokKind::Word(_) | TokKind::IoNumber(_) | TokKind::IoVar(_), _) => {
                return self.simple_command(line);
            }
            (TokKind::Op(op), _) if op.is_redirect() => return self.simple_command(line),
            _ => return Err(self.unexpected(&tok, None)),
        };
        self.take()?;
        self.enter()?;
        let cc = match compound {
            Some(Kw::If) => self.if_clause(),
            Some(Kw::While) => self.while_clause(false),
            Some(Kw::Until) => self.while_clause(true),
            Some(Kw::For) => self.for_clause(false),
            Some(Kw::Case) => self.case_clause(),
            Some(_) => self.brace_group(),
            None => self.subshell(),
        };
        self.leave();
        self.with_redirects(cc?, line)
    }

    /// After the first `(` of `((` (bash): an arithmetic command, or a subshell whose first
    /// command is a subshell (`((a) || b)`). Not inlined: the parser's recursion through
    /// `command` keeps a small frame.
    #[inline(never)]
    fn arith_command(&mut self, line: u32) -> Result<Command, SyntaxError> {
        if let Some(expr) = self.lex_arith_or_subshell()? {
            return self.with_redirects(CompoundCommand::Arith(expr), line);
        }
        self.enter()?;
        let cc = self.subshell();
        self.leave();
        self.with_redirects(cc?, line)
    }

    /// A compound command and the redirections after it.
    fn with_redirects(&mut self, cc: CompoundCommand, line: u32) -> Result<Command, SyntaxError> {
        let mut redirects = Vec::new();
        while is_redirect_start(self.peek()?) {
            self.redirect(&mut redirects)?;
        }
        Ok(Command::Compound(cc, redirects, line))
    }

    pub(super) fn expect_op(&mut self, op: Op) -> Result<(), SyntaxError> {
        let tok = self.peek()?;
        if tok.kind == TokKind::Op(op) {
            self.take()?;
            Ok(())
        } else {
            let tok = tok.clone();
            Err(self.unexpected(&tok, Some(op.text())))
        }
    }

    pub(super) fn err_plain(&self, message: &str) -> SyntaxError {
        lexer::syntax(self.st.input.line, message)
    }

    fn simple_command(&mut self, line: u32) -> Result<Command, SyntaxError> {
        self.simple_command_from(SimpleCommand {
            line,
            ..SimpleCommand::default()
        })
    }

    /// After `coproc` (bash): `NAME compound-command`, or a command of its own.
    fn coproc_clause(&mut self, line: u32) -> Result<CompoundCommand, SyntaxError> {
        let default_name = b"COPROC".to_vec();
        let tok = self.peek_command_word(true)?;
        let named = match &tok.kind {
            TokKind::Word(w) if keyword(tok).is_none() => w
                .as_plain_literal()
                .filter(|n| !n.is_empty() && *n != b"[[")
                .map(<[u8]>::to_vec),
            _ => None,
        };
        let Some(name) = named else {
            let body = Box::new(self.command()?);
            return Ok(CompoundCommand::Coproc {
                name: default_name,
                body,
            });
        };
        let Token {
            kind: TokKind::Word(first),
            ..
        } = self.take()?
        else {
            let tok = self.peek()?.clone();
            return Err(self.unexpected(&tok, None));
        };
        let next = self.peek_command_word(true)?;
        let compound = matches!(
            keyword(next),
            Some(Kw::If | Kw::While | Kw::Until | Kw::For | Kw::Case | Kw::LBrace)
        ) || next.kind == TokKind::Op(Op::LParen)
            || matches!(&next.kind, TokKind::Word(w)
                if matches!(w.as_plain_literal(), Some(b"[[" | b"select")));
        if compound {
            let body = Box::new(self.command()?);
            return Ok(CompoundCommand::Coproc { name, body });
        }
        // The word was the name of a simple command.
        let body = self.simple_command_from(SimpleCommand {
            line,
            words: vec![with_tildes(first, self.st.bash)],
            ..SimpleCommand::default()
        })?;
        Ok(CompoundCommand::Coproc {
            name: default_name,
            body: Box::new(body),
        })
    }

    fn simple_command_from(&mut self, mut cmd: SimpleCommand) -> Result<Command, SyntaxError> {
        let line = cmd.line;
        loop {
            let before_name = cmd.words.is_empty();
            let tok = self.peek_command_word(before_name)?;
            if is_redirect_start(tok) {
                self.redirect(&mut cmd.redirects)?;
                continue;
            }
            let TokKind::Word(_) = tok.kind else {
                break;
            };
            let Ok(Token {
                kind: TokKind::Word(w),
                ..
            }) = self.take()
            else {
                break;
            };
            let w = if before_name {
                let w = match split_assignment(w, self.st.bash) {
                    Ok(a) => {
                        // bash numbers a command that starts with an assignment by the line
                        // where that assignment ends (`x="a<newline>$LINENO"`).
                        if self.st.bash && cmd.assigns.is_empty() && cmd.redirects.is_empty() {
                            cmd.line = self.st.input.line;
                        }
                        cmd.assigns.push(a);
                        continue;
                    }
                    Err(w) => w,
                };
                if cmd.assigns.is_empty() && cmd.redirects.is_empty() {
                    let next = self.peek()?;
                    if next.kind == TokKind::Op(Op::LParen) {
                        return self.function_def(w, line);
                    }
                    // bash numbers the command by the line where the token after its name
                    // ends (its grammar looks that far before it makes the command):
                    // `cmd "a<newline>b"` is on the quote's last line.
                    let next_line = match next.kind {
                        TokKind::Newline => next.line,
                        _ => self.st.input.line,
                    };
                    if self.st.bash {
                        cmd.line = next_line;
                    }
                }
                w
            } else {
                w
            };
            let w = if self.st.bash && is_assignment_word(&w) {
                argument_assignment_tildes(w)
            } else {
                with_tildes(w, self.st.bash)
            };
            cmd.words.push(w);
        }
        Ok(Command::Simple(cmd))
    }

    /// After the word `function` (bash): `name [()] command`.
    fn function_keyword(&mut self, line: u32) -> Result<Command, SyntaxError> {
        let tok = self.take()?;
        let TokKind::Word(name) = tok.kind else {
            return Err(self.unexpected(&tok, None));
        };
        if self.peek()?.kind == TokKind::Op(Op::LParen) {
            self.take()?;
            if self.peek()?.kind == TokKind::Op(Op::RParen) {
                self.take()?;
            } else {
                // `function name ( list )`: the body is a subshell.
                self.enter()?;
                self.st.keep_raw += 1;
                let body = self.subshell();
                self.st.keep_raw -= 1;
                self.leave();
                let body = self.with_redirects(body?, line)?;
                return self.function_named(name, body, line);
            }
        }
        self.function_body(name, line)
    }

    fn function_def(&mut self, name: Word, line: u32) -> Result<Command, SyntaxError> {
        self.take()?;
        self.expect_op(Op::RParen)?;
        self.function_body(name, line)
    }

    /// The name checked, then the body of a function definition.
    fn function_body(&mut self, name: Word, line: u32) -> Result<Command, SyntaxError> {
        let Some(name) = self.checked_function_name(&name) else {
            return Err(self.err_plain("Syntax error: Bad function name"));
        };
        self.skip_newlines()?;
        let first = self.peek()?.clone();
        self.enter()?;
        self.st.keep_raw += 1;
        let body = self.command();
        self.st.keep_raw -= 1;
        self.leave();
        let body = body?;
        if self.st.bash && matches!(body, Command::Simple(_) | Command::FunctionDef(_)) {
            // bash's body is a compound command (dash also takes a simple one).
            return Err(self.unexpected(&first, None));
        }
        Ok(Command::FunctionDef(FunctionDef {
            name,
            body: Rc::new(body),
            line,
        }))
    }

    /// A function may not take the name of a special built-in (XCU 2.9.5): dash refuses it
    /// as it parses. bash outside posix mode takes any unquoted word without expansions
    /// (`my-func`, `git.log`, `set`), as people's `.bashrc` files have them.
    fn checked_function_name(&self, name: &Word) -> Option<Vec<u8>> {
        if self.st.bash && name.as_plain_literal().is_none() {
            // bash refuses a quoted name or one with expansions when the definition runs
            // (`'a b'`: not a valid identifier, status 1): kept as written for that.
            return Some(super::print::word_text(name));
        }
        let n = name.as_plain_literal()?;
        let fits = match self.st.bash {
            true => !n.is_empty(),
            false => is_name(n) && !super::SPECIAL_BUILTINS.iter().any(|b| b.as_bytes() == n),
        };
        fits.then(|| n.to_vec())
    }

    /// A function whose body is already parsed (its name checked as for any definition).
    fn function_named(
        &mut self,
        name: Word,
        body: Command,
        line: u32,
    ) -> Result<Command, SyntaxError> {
        match self.checked_function_name(&name) {
            Some(name) => Ok(Command::FunctionDef(FunctionDef {
                name,
                body: Rc::new(body),
                line,
            })),
            None => Err(self.err_plain("Syntax error: Bad function name")),
        }
    }

    /// A redirection, onto `out`. The bash forms are written as the POSIX ones they stand
    /// for: `&>w` as `>w 2>&1`, `&>>w` as `>>w 2>&1`, `<<<w` as a here-document whose body
    /// is the word and a newline.
    fn redirect(&mut self, out: &mut Vec<Redirect>) -> Result<(), SyntaxError> {
        let both = match self.peek()?.kind {
            TokKind::Op(Op::AmpGreat) => Some((RedirOp::Output, &b"&>"[..])),
            TokKind::Op(Op::AmpDGreat) => Some((RedirOp::Append, &b"&>>"[..])),
            _ => None,
        };
        if let Some((op, written)) = both {
            self.take()?;
            let target = self.redirect_target()?;
            out.push(Redirect {
                fd: None,
                fd_var: None,
                op,
                target: RedirTarget::Word(target),
            });
            // The copy's text as written is the operator, for the printer.
            let mut copy = stderr_to_stdout();
            if let RedirTarget::Word(w) = &mut copy.target {
                w.raw = Some(written.into());
            }
            out.push(copy);
            return Ok(());
        }
        let r = self.redirect_one()?;
        out.push(r);
        Ok(())
    }

    /// The word after a redirection operator.
    fn redirect_target(&mut self) -> Result<Word, SyntaxError> {
        let target = self.take()?;
        match target.kind {
            TokKind::Word(w) => Ok(with_tildes(w, self.st.bash)),
            _ => Err(self.unexpected(&target, None)),
        }
    }

    fn redirect_one(&mut self) -> Result<Redirect, SyntaxError> {
        let mut fd = None;
        let mut fd_var = None;
        let mut tok = self.take()?;
        match tok.kind {
            TokKind::IoNumber(n) => {
                fd = Some(n);
                tok = self.take()?;
            }
            TokKind::IoVar(name) => {
                fd_var = Some(name);
                tok = self.take()?;
            }
            _ => {}
        }
        if tok.kind == TokKind::Op(Op::TLess) {
            let mut word = self.redirect_target()?;
            word.parts.push(WordPart::Quoted(b"\n".to_vec()));
            return Ok(Redirect {
                fd,
                fd_var: fd_var.clone(),
                op: RedirOp::HereDoc { strip_tabs: false },
                target: RedirTarget::Word(word),
            });
        }
        let op = match tok.kind {
            TokKind::Op(op) => redir_op(op),
            _ => None,
        };
        let Some(op) = op else {
            return Err(self.unexpected(&tok, None));
        };
        if let RedirOp::HereDoc { strip_tabs } = op {
            let (target, raw) = loop {
                let target = self.lex_token(true);
                let raw = self.st.input.record.take().unwrap_or_default();
                let target = target?;
                // `alias c='cat << ' e='END'; c e`: the delimiter is the alias's value.
                let alias = match target.after_blank_alias {
                    true => self.alias_of(&target),
                    false => None,
                };
                match alias {
                    Some((name, value)) => self.st.input.push_alias(&name, value),
                    None => break (target, raw),
                }
            };
            if !matches!(target.kind, TokKind::Word(_)) {
                return Err(self.unexpected(&target, None));
            }
            let (delim, quoted) = heredoc_delimiter(&raw);
            let id = self.st.bodies.len();
            self.st.bodies.push(None);
            let written = (self.st.keep_raw > 0).then_some(raw);
            self.st.pending.push(PendingHereDoc {
                id,
                delim,
                quoted,
                strip_tabs,
                written,
                line: self.st.input.line,
            });
            return Ok(Redirect {
                fd,
                fd_var: fd_var.clone(),
                op,
                target: RedirTarget::HereDoc(placeholder(id)),
            });
        }
        let target = self.redirect_target()?;
        Ok(Redirect {
            fd,
            fd_var,
            op,
            target: RedirTarget::Word(target),
        })
    }

    // ----- substitutions (called by the lexer) -----

    /// After `$(`: the commands up to the matching `)`.
    pub(crate) fn parse_command_subst(&mut self) -> Result<Rc<List>, SyntaxError> {
        self.st.in_command_subst += 1;
        let r = self.substitution_body(|p| {
            let list = p.compound_list(true)?;
            p.expect_op(Op::RParen)?;
            Ok(list)
        });
        self.st.in_command_subst -= 1;
        r
    }

    /// The commands of a backquoted substitution, read from a barrier string.
    pub(crate) fn parse_backquote_body(&mut self) -> Result<Rc<List>, SyntaxError> {
        self.substitution_body(|p| {
            let list = p.compound_list(true)?;
            let tok = p.take()?;
            if tok.kind != TokKind::Eof {
                return Err(p.unexpected(&tok, None));
            }
            Ok(list)
        })
    }

    /// Commands read inside a word: they begin where a command does, and the state of the
    /// command around them is back after them.
    fn substitution_body(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<List, SyntaxError>,
    ) -> Result<Rc<List>, SyntaxError> {
        let saved_peek = self.st.peeked.take();
        let saved_pending = std::mem::take(&mut self.st.pending);
        let saved_position = std::mem::replace(&mut self.st.assignment_position, true);
        let saved_declaration = std::mem::replace(&mut self.st.declaration, false);
        let r = read(self);
        let inner = std::mem::replace(&mut self.st.pending, saved_pending);
        self.st.pending.extend(inner);
        self.st.peeked = saved_peek;
        self.st.assignment_position = saved_position;
        self.st.declaration = saved_declaration;
        r.map(Rc::new)
    }
}

/// `2>&1`
fn stderr_to_stdout() -> Redirect {
    Redirect {
        fd: Some(2),
        fd_var: None,
        op: RedirOp::DupOutput,
        target: RedirTarget::Word(Word::literal(b"1")),
    }
}

fn make_assign(w: Word, eq: usize) -> Assign {
    let mut parts = w.parts.into_iter();
    let (name, first_rest) = match parts.next() {
        Some(WordPart::Literal(t)) => {
            let rest = t.get(eq + 1..).unwrap_or(&[]).to_vec();
            (t.get(..eq).unwrap_or(&[]).to_vec(), rest)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let mut value = Vec::new();
    if !first_rest.is_empty() {
        value.push(WordPart::Literal(first_rest));
    }
    value.extend(parts);
    finish_assign(name, None, false, value)
}

// ----- filling in here-document bodies -----

fn fill_list(list: &mut List, bodies: &mut [Option<Word>]) {
    for item in &mut list.items {
        fill_pipeline(&mut item.and_or.first, bodies);
        for (_, p) in &mut item.and_or.rest {
            fill_pipeline(p, bodies);
        }
    }
}

fn fill_pipeline(p: &mut Pipeline, bodies: &mut [Option<Word>]) {
    for c in &mut p.commands {
        fill_command(c, bodies);
    }
}

fn fill_command(c: &mut Command, bodies: &mut [Option<Word>]) {
    match c {
        Command::Simple(s) => {
            for a in &mut s.assigns {
                fill_word(&mut a.value, bodies);
                for e in a.array.iter_mut().flatten() {
                    fill_word(e, bodies);
                }
            }
            for w in &mut s.words {
                fill_word(w, bodies);
            }
            fill_redirects(&mut s.redirects, bodies);
        }
        Command::Compound(cc, redirects, _) => {
            match cc {
                CompoundCommand::BraceGroup(l) | CompoundCommand::Subshell(l) => {
                    fill_list(l, bodies)
                }
                CompoundCommand::For { words, body, .. }
                | CompoundCommand::Select { words, body, .. } => {
                    for w in words.iter_mut().flatten() {
                        fill_word(w, bodies);
                    }
                    fill_list(body, bodies);
                }
                CompoundCommand::Case { word, arms } => {
                    fill_word(word, bodies);
                    for arm in arms {
                        for p in &mut arm.patterns {
                            fill_word(p, bodies);
                        }
                        fill_list(&mut arm.body, bodies);
                    }
                }
                CompoundCommand::If {
                    branches,
                    else_body,
                } => {
                    for (c, b) in branches {
                        fill_list(c, bodies);
                        fill_list(b, bodies);
                    }
                    if let Some(e) = else_body {
                        fill_list(e, bodies);
                    }
                }
                CompoundCommand::While { cond, body } | CompoundCommand::Until { cond, body } => {
                    fill_list(cond, bodies);
                    fill_list(body, bodies);
                }
                CompoundCommand::Arith(w) => fill_word(w, bodies),
                CompoundCommand::ArithFor {
                    init,
                    cond,
                    step,
                    body,
                } => {
                    for w in [init, cond, step] {
                        fill_word(w, bodies);
                    }
                    fill_list(body, bodies);
                }
                CompoundCommand::Cond(e) => fill_cond(e, bodies),
                CompoundCommand::Coproc { body, .. } => fill_command(body, bodies),
            }
            fill_redirects(redirects, bodies);
        }
        Command::FunctionDef(f) => {
            if let Some(body) = Rc::get_mut(&mut f.body) {
                fill_command(body, bodies);
            }
        }
    }
}

fn fill_cond(e: &mut super::ast::CondExpr, bodies: &mut [Option<Word>]) {
    use super::ast::CondExpr;
    match e {
        CondExpr::Unary(_, w) | CondExpr::Word(w) => fill_word(w, bodies),
        CondExpr::Binary(a, _, b) => {
            fill_word(a, bodies);
            fill_word(b, bodies);
        }
        CondExpr::Not(x) | CondExpr::Group(x) => fill_cond(x, bodies),
        CondExpr::And(a, b) | CondExpr::Or(a, b) => {
            fill_cond(a, bodies);
            fill_cond(b, bodies);
        }
    }
}

fn fill_redirects(redirects: &mut [Redirect], bodies: &mut [Option<Word>]) {
    for r in redirects {
        match &mut r.target {
            RedirTarget::Word(w) => fill_word(w, bodies),
            RedirTarget::HereDoc(w) => {
                let id = w
                    .as_plain_literal()
                    .and_then(|t| std::str::from_utf8(t).ok())
                    .and_then(|t| t.parse::<usize>().ok());
                if let Some(body) = id.and_then(|id| bodies.get_mut(id)).and_then(Option::take) {
                    *w = body;
                }
                // The body may hold command substitutions with here-documents of their own.
                fill_word(w, bodies);
            }
        }
    }
}

fn fill_word(w: &mut Word, bodies: &mut [Option<Word>]) {
    fill_parts(&mut w.parts, bodies);
}

fn fill_parts(parts: &mut [WordPart], bodies: &mut [Option<Word>]) {
    for p in parts {
        match p {
            WordPart::DoubleQuoted(inner) => fill_parts(inner, bodies),
            WordPart::Param(pe) => {
                use super::ast::ParamOp::*;
                match &mut pe.op {
                    Default { word, .. }
                    | Assign { word, .. }
                    | Error { word, .. }
                    | Alternative { word, .. }
                    | RemoveSmallestSuffix(word)
                    | RemoveLargestSuffix(word)
                    | RemoveSmallestPrefix(word)
                    | RemoveLargestPrefix(word)
                    | Case { pattern: word, .. } => fill_word(word, bodies),
                    Replace { pattern, with, .. } => {
                        fill_word(pattern, bodies);
                        fill_word(with, bodies);
                    }
                    Substring { offset, length } => {
                        fill_word(offset, bodies);
                        if let Some(l) = length {
                            fill_word(l, bodies);
                        }
                    }
                    Plain
                    | BeforeBrace
                    | Length
                    | Transform(_)
                    | Names { .. }
                    | Keys
                    | Bad(_)
                    | BadTransform(_) => {}
                }
                if let super::ast::Param::Elem(_, sub) = &mut pe.param {
                    if let super::ast::Subscript::Index(w) = sub.as_mut() {
                        fill_word(w, bodies);
                    }
                }
            }
            WordPart::CommandSubst(list) | WordPart::ProcessSubst { list, .. } => {
                if let Some(list) = Rc::get_mut(list) {
                    fill_list(list, bodies);
                }
            }
            WordPart::Arith(w) => fill_word(w, bodies),
            WordPart::Compound(words) => {
                for w in words {
                    fill_word(w, bodies);
                }
            }
            WordPart::Literal(_) | WordPart::Quoted(_) | WordPart::Tilde(_) => {}
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

/// `text` read as one bash assignment and nothing more (`a=(1 $x)`, `m[$k]=v`): how
/// `declare` reads an operand whose quotes hid an assignment's syntax from the parser.
pub fn parse_assignment(text: &[u8]) -> Option<Assign> {
    let mut parser = Parser::new(Box::new(super::BytesSource::new(text)), 1);
    parser.set_bash(true);
    let parsed = parser.next_command(&super::NoAliases).ok()??;
    if !matches!(parser.next_command(&super::NoAliases), Ok(None)) {
        return None;
    }
    let [item] = parsed.list.items.as_slice() else {
        return None;
    };
    let pipeline = &item.and_or.first;
    if item.is_async || !item.and_or.rest.is_empty() || pipeline.negated {
        return None;
    }
    match pipeline.commands.as_slice() {
        [Command::Simple(s)] if s.words.is_empty() && s.redirects.is_empty() => {
            match s.assigns.as_slice() {
                [a] => Some(a.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}
