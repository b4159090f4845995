//! Walking the tree: lists, and-or lists, pipelines, compound commands, simple commands.

use super::Divert;
use crate::expand::ExpandError;
use crate::state::Shell;
use crate::syntax::ast::List;

pub fn command_substitution(sh: &mut Shell, body: &List) -> Result<Vec<u8>, ExpandError> {
    let _ = (sh, body, Divert::Exit(0));
    Ok(Vec::new())
}
