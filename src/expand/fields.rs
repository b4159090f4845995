//! The internal representation of a word while it is expanded: its bytes, and for each byte
//! where it came from. The later steps need this: field splitting applies only to the results
//! of unquoted expansions, pathname expansion only to characters that were not quoted, and
//! quote removal must keep a field made only of quotes (`""`) while dropping an unquoted
//! expansion that yields nothing.

/// The byte was quoted: it stands for itself in a pattern and is never a field separator.
pub const QUOTED: u8 = 1;
/// The byte is the result of an unquoted expansion: IFS characters split the field here.
pub const SPLIT: u8 = 2;
/// The byte starts the result of one unquoted expansion (a region for field splitting: a run
/// of separators never continues into the next expansion, as in dash).
pub const START: u8 = 4;
/// Not text: the mark a quote leaves (`""` or `''`), so that the field exists even if it is
/// empty. Removed with the quotes at the end.
pub const MARK: u8 = 8;

/// Bytes that mean something in a pattern, escaped with a backslash when they were quoted
/// (the parentheses and bar of bash's extended patterns too).
pub fn is_pattern_special(c: u8) -> bool {
    matches!(
        c,
        b'\\' | b'*' | b'?' | b'[' | b']' | b'!' | b'^' | b'-' | b'(' | b')' | b'|'
    )
}

/// One field being built: `flags[i]` describes `text[i]`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Field {
    pub text: Vec<u8>,
    pub flags: Vec<u8>,
}

impl Field {
    pub fn push(&mut self, bytes: &[u8], flag: u8) {
        self.text.extend_from_slice(bytes);
        self.flags.resize(self.text.len(), flag);
    }

    /// Make room for `n` more bytes, or say there is no memory for them.
    pub fn try_room(&mut self, n: usize) -> Result<(), std::collections::TryReserveError> {
        self.text.try_reserve(n)?;
        self.flags.try_reserve(n)
    }

    pub fn push_mark(&mut self) {
        self.text.push(0);
        self.flags.push(MARK);
    }

    /// True if the field exists: it has text or quotes (an empty unquoted expansion does not
    /// make a field).
    pub fn exists(&self) -> bool {
        !self.text.is_empty()
    }

    /// The text after quote removal.
    pub fn into_text(self) -> Vec<u8> {
        if !self.flags.iter().any(|f| f & MARK != 0) {
            return self.text;
        }
        self.text
            .iter()
            .zip(&self.flags)
            .filter(|(_, f)| **f & MARK == 0)
            .map(|(c, _)| *c)
            .collect()
    }

    /// The text as a pattern: quoted special characters escaped with a backslash, unquoted
    /// text (including backslashes from unquoted expansions) as it is.
    pub fn to_pattern(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len() + 8);
        for (&c, &f) in self.text.iter().zip(&self.flags) {
            if f & MARK != 0 {
                continue;
            }
            if f & QUOTED != 0 && is_pattern_special(c) {
                out.push(b'\\');
            }
            out.push(c);
        }
        out
    }

    /// The text with a backslash before every quoted character (bash's trace of a pattern).
    pub fn to_quoted_pattern(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.text.len() * 2);
        for (&c, &f) in self.text.iter().zip(&self.flags) {
            if f & MARK != 0 {
                continue;
            }
            if f & QUOTED != 0 {
                out.push(b'\\');
            }
            out.push(c);
        }
        out
    }

    /// The text cut at each unquoted `sep` (the pieces without quote marks).
    pub fn split_at_unquoted(&self, sep: u8) -> Vec<Vec<u8>> {
        let mut pieces = vec![Vec::new()];
        for (&c, &f) in self.text.iter().zip(&self.flags) {
            if f & MARK != 0 {
                continue;
            }
            if c == sep && f & QUOTED == 0 {
                pieces.push(Vec::new());
            } else if let Some(last) = pieces.last_mut() {
                last.push(c);
            }
        }
        pieces
    }

    /// True if an unquoted `*`, `?` or `[`, or one of bash's `@(`, `!(`, `+(` could make this
    /// field a pattern.
    pub fn may_glob(&self) -> bool {
        let unquoted = |i: usize| self.flags[i] & (QUOTED | MARK) == 0;
        self.text.iter().enumerate().any(|(i, &c)| {
            unquoted(i)
                && (matches!(c, b'*' | b'?' | b'[')
                    || (c == b'('
                        && i > 0
                        && unquoted(i - 1)
                        && matches!(self.text[i - 1], b'@' | b'!' | b'+')))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_removal_drops_marks() {
        let mut f = Field::default();
        f.push_mark();
        f.push(b"a", QUOTED);
        f.push_mark();
        f.push(b"*", 0);
        assert!(f.exists());
        assert!(f.may_glob());
        assert_eq!(f.to_pattern(), b"a*");
        assert_eq!(f.into_text(), b"a*");
    }

    #[test]
    fn quoted_specials_are_escaped_in_patterns() {
        let mut f = Field::default();
        f.push(b"*?[a]\\", QUOTED);
        f.push(b"\\*", SPLIT);
        assert!(f.may_glob());
        assert_eq!(f.to_pattern(), b"\\*\\?\\[a\\]\\\\\\*");
    }

    #[test]
    fn an_only_mark_field_exists_but_is_empty() {
        let mut f = Field::default();
        assert!(!f.exists());
        f.push_mark();
        assert!(f.exists());
        assert_eq!(f.into_text(), b"");
    }
}
