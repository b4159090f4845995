//! Word expansion (XCU 2.6): tilde, parameter, command substitution, arithmetic, field
//! splitting, pathname expansion, quote removal. Knows nothing of the terminal.

pub mod arith;
pub mod pattern;

use crate::state::Shell;
use crate::syntax::ast::Word;

/// An expansion failed. `message` is dash's wording without the `NAME: LINE: ` prefix, e.g.
/// `x: parameter not set`; `status` is the exit status a non-interactive shell leaves with
/// (dash uses 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub message: Vec<u8>,
    pub status: i32,
}

impl ExpandError {
    pub fn new(message: impl Into<Vec<u8>>) -> Self {
        ExpandError {
            message: message.into(),
            status: 2,
        }
    }
}

/// Expand the words of a command (or a `for` list) into fields: every step, including field
/// splitting and pathname expansion.
pub fn expand_words(sh: &mut Shell, words: &[Word]) -> Result<Vec<Vec<u8>>, ExpandError> {
    let _ = (sh, words);
    Ok(Vec::new())
}

/// Expand a word to one string with no field splitting and no pathname expansion: assignment
/// values, redirection targets, the word of `case`.
pub fn expand_word(sh: &mut Shell, word: &Word) -> Result<Vec<u8>, ExpandError> {
    let _ = (sh, word);
    Ok(Vec::new())
}

/// Expand a word into a pattern for [`pattern`] matching (case patterns, `${x%pat}`): quoted
/// characters come out escaped with a backslash so they match themselves.
pub fn expand_pattern(sh: &mut Shell, word: &Word) -> Result<Vec<u8>, ExpandError> {
    let _ = (sh, word);
    Ok(Vec::new())
}
