//! The recursive-descent parser for the grammar of XCU 2.10.

use super::ast::List;
use super::{Aliases, LineSource, ParseError};

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

pub struct Parser<'a> {
    source: Box<dyn LineSource + 'a>,
    line: u32,
}

impl<'a> Parser<'a> {
    /// A parser reading from `source`, whose first line is numbered `first_line`.
    pub fn new(source: Box<dyn LineSource + 'a>, first_line: u32) -> Self {
        Parser {
            source,
            line: first_line,
        }
    }

    /// Parse the next complete command, reading only as many lines as it (and its
    /// here-documents) need. Blank lines and comments are skipped. Ok(None) at end of input.
    pub fn next_command(&mut self, aliases: &dyn Aliases) -> Result<Option<ParsedCommand>, ParseError> {
        let _ = (aliases, &mut self.source, self.line);
        Ok(None)
    }

    /// After a syntax error: drop whatever is left of the current line, so an interactive
    /// shell can go on with the next one.
    pub fn recover(&mut self) {}

    /// The line number the parser has reached.
    pub fn line(&self) -> u32 {
        self.line
    }
}
