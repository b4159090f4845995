//! Prompt expansion: PS1 and PS2 go through parameter expansion.

use crate::state::Shell;
use crate::syntax::parse_all;

/// The value of the prompt variable `var`, expanded (parameter expansion, command
/// substitution, arithmetic); the raw value if it does not parse.
pub fn expand(sh: &mut Shell, var: &[u8]) -> Vec<u8> {
    let Some(raw) = sh.get_var(var).map(|v| v.to_vec()) else {
        return Vec::new();
    };
    let mut quoted = b"\"".to_vec();
    for &b in &raw {
        if b == b'"' || b == b'\\' {
            quoted.push(b'\\');
        }
        quoted.push(b);
    }
    quoted.push(b'"');
    let word = match parse_all(&quoted) {
        Ok(list) => list
            .items
            .first()
            .and_then(|item| match &item.and_or.first.commands.first() {
                Some(crate::syntax::ast::Command::Simple(sc)) => sc.words.first().cloned(),
                _ => None,
            }),
        Err(_) => None,
    };
    match word {
        Some(w) => crate::expand::expand_word(sh, &w).unwrap_or(raw),
        None => raw,
    }
}
