//! Here-documents (XCU 2.7.4): their bodies are read after the line that holds their
//! operators, up to the delimiter line, and lexed as a double-quoted word unless the delimiter
//! was quoted.

use super::ast::{Word, WordPart};
use super::lexer::{syntax, Parts};
use super::parser::Cx;
use super::SyntaxError;

impl Cx<'_, '_> {
    /// Read the bodies of the here-documents whose operators were on the line just ended.
    pub(super) fn read_heredocs(&mut self) -> Result<(), SyntaxError> {
        let pending = std::mem::take(&mut self.st.pending);
        for h in pending {
            let keep_text = h.written.is_some();
            let mut body = self.read_heredoc_body(&h, keep_text)?;
            // In a function's body, the here-document as bash prints it: the delimiter as
            // written, the body, the delimiter line.
            if let (Some(written), Some(text)) = (h.written, self.st.heredoc_text.take()) {
                let mut raw = written;
                raw.push(b'\n');
                raw.extend_from_slice(&text);
                raw.extend_from_slice(&h.delim);
                raw.push(b'\n');
                body.raw = Some(raw.into());
            }
            if let Some(slot) = self.st.bodies.get_mut(h.id) {
                *slot = Some(body);
            }
        }
        Ok(())
    }

    /// At end of input, here-documents still waiting get empty bodies (as dash does).
    pub(super) fn eof_heredocs(&mut self) {
        for h in std::mem::take(&mut self.st.pending) {
            if let Some(slot) = self.st.bodies.get_mut(h.id) {
                *slot = Some(Word::new(vec![WordPart::Quoted(Vec::new())]));
            }
        }
    }

    fn read_heredoc_body(
        &mut self,
        h: &super::parser::PendingHereDoc,
        keep_text: bool,
    ) -> Result<Word, SyntaxError> {
        let (delim, quoted, strip_tabs) = (&h.delim[..], h.quoted, h.strip_tabs);
        let mut body = Vec::new();
        let mut line = Vec::new();
        let mut delimited = false;
        let mut last_ended = true;
        while self.st.input.peek_raw().is_some() {
            line.clear();
            if strip_tabs {
                while self.st.input.peek_raw() == Some(b'\t') {
                    self.st.input.bump();
                }
            }
            let mut ended = false;
            let mut cut = false;
            while let Some(c) = self.st.input.peek_raw() {
                if line == delim && c != b'\n' && self.st.in_command_subst > 0 && self.st.bash {
                    // `EOF)` inside `$( )`: bash's end of the here-document, with its
                    // end-of-file warning; the rest of the line is the substitution's.
                    cut = true;
                    break;
                }
                if !super::room_for(&mut line, 2) {
                    return Err(syntax(self.st.input.line, "Out of space"));
                }
                self.st.input.bump();
                match c {
                    b'\n' => {
                        ended = true;
                        break;
                    }
                    b'\\' if !quoted => match self.st.input.peek_raw() {
                        Some(b'\n') => self.st.input.bump(),
                        Some(e) => {
                            self.st.input.bump();
                            line.push(b'\\');
                            line.push(e);
                        }
                        None => line.push(b'\\'),
                    },
                    _ => line.push(c),
                }
            }
            if cut {
                last_ended = false;
                break;
            }
            if line == delim {
                delimited = true;
                if !ended {
                    // dash counts the missing newline of a final delimiter line.
                    self.st.input.line = self.st.input.line.saturating_add(1);
                }
                break;
            }
            if !super::room_for(&mut body, line.len() + 1) {
                return Err(syntax(self.st.input.line, "Out of space"));
            }
            body.extend_from_slice(&line);
            last_ended = ended;
            // bash ends a last line cut by the end of input as the others.
            if ended || self.st.bash {
                body.push(b'\n');
            }
        }
        // Input that could not be read (out of memory) is an error of its own, not an end.
        if !delimited && self.st.bash && self.st.input.io_error.is_none() {
            let warning = format!(
                "warning: here-document at line {} delimited by end-of-file (wanted `{}')",
                h.line,
                String::from_utf8_lossy(delim)
            );
            let last_line = self.st.input.line.saturating_sub(u32::from(last_ended));
            self.st.warnings.push((last_line, warning));
        }
        if keep_text {
            self.st.heredoc_text = Some(body.clone());
        }
        if quoted {
            return Ok(Word::new(vec![WordPart::Quoted(body)]));
        }
        let height = self.st.input.push_barrier(body);
        let saved = std::mem::replace(&mut self.st.in_heredoc, true);
        // The body is in the text of a word being kept (a `$( )` in a function) already.
        let paused = std::mem::replace(&mut self.st.input.raw_paused, true);
        let r = self.lex_heredoc_text();
        self.st.input.raw_paused = paused;
        self.st.in_heredoc = saved;
        self.st.input.pop_to(height);
        r
    }

    /// The text of an unquoted here-document, read from a barrier string.
    fn lex_heredoc_text(&mut self) -> Result<Word, SyntaxError> {
        let mut b = Parts::default();
        while let Some(c) = self.st.input.peek_raw() {
            self.st.input.bump();
            match c {
                b'\\' => self.dq_backslash(&mut b, b"$`\\"),
                b'$' => self.lex_dollar(&mut b, true)?,
                b'`' => {
                    let list = self.lex_backquote(true)?;
                    b.push(WordPart::CommandSubst(list));
                }
                _ => b.quoted(&[c]),
            }
        }
        if b.parts.is_empty() {
            b.parts.push(WordPart::Quoted(Vec::new()));
        }
        Ok(b.into_word())
    }
}
