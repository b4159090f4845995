//! Syntax: bytes in, trees out (XCU 2.2–2.10). Knows nothing of execution.
//!
//! The parser reads one complete command at a time from a [`LineSource`], so that aliases defined
//! by one command apply to the next, and so that a shell reading standard input never reads past
//! the command it is about to run.

pub mod ansi_c;
pub mod ast;
mod compound;
mod cond;
mod heredoc;
mod input;
pub mod lexer;
pub mod parser;
pub mod print;
pub mod quote;

pub use parser::{keyed_element, split_assignment, ParsedCommand, Parser};

use std::fmt;

/// Where the parser gets its input: a line at a time, each line with its trailing `\n` (the
/// last line of a source may lack one).
pub trait LineSource {
    /// The next line, or None at end of input. `continuation` is true when the parser is in
    /// the middle of a command (an interactive source shows PS2 then).
    fn next_line(&mut self, continuation: bool) -> std::io::Result<Option<Vec<u8>>>;
}

/// Make room for `more` bytes in `v`, growing it fallibly: a line or a here-document body is
/// as long as the input makes it, and running out of memory must be an error, not an abort.
pub(crate) fn room_for(v: &mut Vec<u8>, more: usize) -> bool {
    v.capacity() - v.len() >= more || v.try_reserve(more.max(v.len()).max(64)).is_ok()
}

/// The error of a line that does not fit in memory (dash's words).
pub(crate) fn out_of_space() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::OutOfMemory, "Out of space")
}

/// A source over bytes already in memory (`-c` strings, scripts, `eval`, `.`).
pub struct BytesSource<'a> {
    rest: &'a [u8],
}

impl<'a> BytesSource<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        BytesSource { rest: text }
    }
}

impl LineSource for BytesSource<'_> {
    fn next_line(&mut self, _continuation: bool) -> std::io::Result<Option<Vec<u8>>> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let end = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.rest.len(), |i| i + 1);
        let (line, rest) = self.rest.split_at(end);
        let mut copy = Vec::new();
        if !room_for(&mut copy, line.len()) {
            return Err(out_of_space());
        }
        copy.extend_from_slice(line);
        self.rest = rest;
        Ok(Some(without_nul(copy)))
    }
}

/// The special built-ins (XCU 2.14, plus dash's `local`): no function may take their names.
pub const SPECIAL_BUILTINS: &[&str] = &[
    ".", ":", "break", "continue", "eval", "exec", "exit", "export", "local", "readonly", "return",
    "set", "shift", "times", "trap", "unset",
];

/// Input lines lose their NUL bytes, as dash drops them: no argument or file name can carry
/// one, so keeping them could only make a command differ from what it appears to be.
pub fn without_nul(mut line: Vec<u8>) -> Vec<u8> {
    if line.contains(&0) {
        line.retain(|&b| b != 0);
    }
    line
}

/// Alias lookup, consulted while parsing (aliases are a lexical feature, XCU 2.3.1).
pub trait Aliases {
    fn alias(&self, name: &[u8]) -> Option<&[u8]>;
}

/// No aliases (tests, fuzzing, non-interactive tools).
pub struct NoAliases;

impl Aliases for NoAliases {
    fn alias(&self, _name: &[u8]) -> Option<&[u8]> {
        None
    }
}

/// A syntax error. `message` is dash's wording, e.g. `Syntax error: "fi" unexpected`; the
/// shell prints it as `NAME: LINE: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: u32,
    pub message: String,
    /// The status a script ends with on this error (in bash; dash's is always 2).
    pub status: SyntaxStatus,
}

/// The status a non-interactive bash ends with on a syntax error: 2, but not always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyntaxStatus {
    #[default]
    Two,
    /// The status it had: an error inside `[[ ]]`.
    Kept,
    /// The status it had, or 2 if that was 0: the input ended inside `[[ ]]`.
    KeptOrTwo,
    /// 1: an array's `( )` the input ended in, or holding an operator; bash drops the rest
    /// of that line and reads on.
    One,
}

impl SyntaxStatus {
    /// The status to end with, the last command's being `last`.
    pub fn of(self, last: i32) -> i32 {
        match self {
            SyntaxStatus::Two => 2,
            SyntaxStatus::Kept => last,
            SyntaxStatus::KeptOrTwo if last == 0 => 2,
            SyntaxStatus::KeptOrTwo => last,
            SyntaxStatus::One => 1,
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.message)
    }
}

/// Input could not be read, or it was not valid shell syntax.
#[derive(Debug)]
pub enum ParseError {
    Syntax(SyntaxError),
    Io(std::io::Error),
}

impl From<SyntaxError> for ParseError {
    fn from(e: SyntaxError) -> Self {
        ParseError::Syntax(e)
    }
}

impl From<std::io::Error> for ParseError {
    fn from(e: std::io::Error) -> Self {
        ParseError::Io(e)
    }
}

/// Parse a whole text (no aliases): a convenience for tests and fuzzing.
pub fn parse_all(text: &[u8]) -> Result<ast::List, ParseError> {
    parse_all_in(text, false)
}

/// As [`parse_all`], in the bash language (`bash`) or the POSIX one.
pub fn parse_all_in(text: &[u8], bash: bool) -> Result<ast::List, ParseError> {
    let mut parser = Parser::new(Box::new(BytesSource::new(text)), 1);
    parser.set_bash(bash);
    let mut all = ast::List::default();
    while let Some(cmd) = parser.next_command(&NoAliases)? {
        all.items.extend(cmd.list.items);
    }
    Ok(all)
}
