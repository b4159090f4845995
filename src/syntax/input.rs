//! The byte stream the lexer reads: strings pushed by the lexer (alias values, the text of
//! backquoted commands and of here-document bodies) over the lines of the [`LineSource`],
//! which are fetched only when the lexer needs the next byte. Text read on trial (bash's `((`,
//! which may turn out to be two subshells) can be given back with [`Input::rewind`].

use std::io;

use super::LineSource;

/// A pushed string: an alias value, a barrier (backquote or here-document text), which reads
/// as end of input once consumed, or text given back to be read again.
struct Frame {
    text: Vec<u8>,
    pos: usize,
    kind: FrameKind,
}

enum FrameKind {
    /// The value of the alias of this name.
    Alias(Vec<u8>),
    Barrier,
    /// Text read and given back; `from_source`: it came from the source's lines, whose
    /// newlines count as lines again when read again.
    Replay {
        from_source: bool,
    },
}

impl Frame {
    fn is_barrier(&self) -> bool {
        matches!(self.kind, FrameKind::Barrier)
    }
}

/// Where reading on trial began (from [`Input::mark`]), for [`Input::rewind`].
pub(crate) struct Mark {
    line: u32,
    raw_len: usize,
    log_from: usize,
    from_source: bool,
}

/// The byte stream: pushed strings over the lines of the source.
pub(crate) struct Input<'a> {
    source: Box<dyn LineSource + 'a>,
    buf: Vec<u8>,
    pos: usize,
    at_eof: bool,
    pub(crate) io_error: Option<io::Error>,
    /// A last line without its newline is read with one (bash, which reads `echo >` at the
    /// end of a `-c` string or a file as it would the line: an unexpected newline).
    pub(crate) ends_lines: bool,
    /// The source is a string (`-c`, `eval`, `.`, a trap), not a file: a backslash that ends
    /// it stays a backslash, where a file's last line is read as if it ended in a newline
    /// that the backslash would join (bash: `-c 'echo a\'` prints `a\`, a script `a`).
    pub(crate) string_input: bool,
    /// The line number of the next byte of the source.
    pub(crate) line: u32,
    /// The lines read for the current command.
    pub(crate) text: Vec<u8>,
    /// A command has started: further lines are continuation lines.
    pub(crate) started: bool,
    frames: Vec<Frame>,
    /// When Some, every byte consumed is recorded (the raw text of a here-document delimiter).
    pub(crate) record: Option<Vec<u8>>,
    /// The text of the words being lexed, while `raw_depth` is above 0 (words inside words
    /// nest: each takes its slice from where it began).
    raw: Vec<u8>,
    raw_depth: u32,
    /// Text read a second time (a backquoted command's, parsed from a copy) is not kept again.
    pub(crate) raw_paused: bool,
    /// The bytes consumed since the oldest open [`Mark`], while `marks` is above 0.
    trial: Vec<u8>,
    marks: u32,
}

impl<'a> Input<'a> {
    /// The source line being read, without its newline (bash shows it under a syntax error).
    pub(crate) fn current_line(&self) -> &[u8] {
        let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
        line.strip_suffix(b"\r").unwrap_or(line)
    }

    pub(crate) fn new(source: Box<dyn LineSource + 'a>, line: u32) -> Self {
        Input {
            source,
            buf: Vec::new(),
            pos: 0,
            at_eof: false,
            io_error: None,
            ends_lines: false,
            string_input: false,
            line,
            text: Vec::new(),
            started: false,
            frames: Vec::new(),
            record: None,
            raw: Vec::new(),
            raw_depth: 0,
            raw_paused: false,
            trial: Vec::new(),
            marks: 0,
        }
    }

    /// Start reading on trial: what is consumed from here can be given back.
    pub(crate) fn mark(&mut self) -> Mark {
        self.marks += 1;
        let from_frame = self
            .frames
            .iter()
            .rev()
            .find(|f| f.pos < f.text.len() || f.is_barrier())
            .is_some();
        Mark {
            line: self.line,
            raw_len: self.raw.len(),
            log_from: self.trial.len(),
            from_source: !from_frame,
        }
    }

    /// Give back everything consumed since `mark`: it is read again, from the same line.
    pub(crate) fn rewind(&mut self, mark: Mark) {
        let text = self.trial.split_off(mark.log_from.min(self.trial.len()));
        self.marks = self.marks.saturating_sub(1);
        if self.marks == 0 {
            self.trial.clear();
        }
        self.line = mark.line;
        if self.raw_depth > 0 {
            self.raw.truncate(mark.raw_len);
        }
        self.frames.push(Frame {
            text,
            pos: 0,
            kind: FrameKind::Replay {
                from_source: mark.from_source,
            },
        });
    }

    /// Start keeping the text consumed from here: returns where it begins, for [`Self::raw_end`].
    pub(crate) fn raw_begin(&mut self) -> usize {
        self.raw_depth += 1;
        self.raw.len()
    }

    /// How much text is kept so far (a position for [`Self::raw_slice`]).
    pub(crate) fn raw_len(&self) -> usize {
        self.raw.len()
    }

    /// Kept text between two positions.
    pub(crate) fn raw_slice(&self, from: usize, to: usize) -> Box<[u8]> {
        self.raw.get(from..to).unwrap_or_default().into()
    }

    /// The text consumed since `start` (from [`Self::raw_begin`]).
    pub(crate) fn raw_end(&mut self, start: usize) -> Box<[u8]> {
        let text: Box<[u8]> = self.raw.get(start..).unwrap_or_default().into();
        self.raw_depth = self.raw_depth.saturating_sub(1);
        if self.raw_depth == 0 {
            self.raw.clear();
        }
        text
    }

    fn fill(&mut self) {
        while !self.at_eof && self.pos >= self.buf.len() {
            match self.source.next_line(self.started) {
                Ok(Some(mut line)) => {
                    if self.ends_lines
                        && !line.ends_with(b"\n")
                        && !(self.string_input && line.ends_with(b"\\"))
                    {
                        line.push(b'\n');
                    }
                    self.text.extend_from_slice(&line);
                    self.buf = line;
                    self.pos = 0;
                }
                Ok(None) => self.at_eof = true,
                Err(e) => {
                    self.io_error = Some(e);
                    self.at_eof = true;
                }
            }
        }
    }

    /// The next byte, without line-continuation removal.
    pub(crate) fn peek_raw(&mut self) -> Option<u8> {
        for f in self.frames.iter().rev() {
            if let Some(&c) = f.text.get(f.pos) {
                return Some(c);
            }
            if f.is_barrier() {
                return None;
            }
        }
        if self.pos >= self.buf.len() {
            self.fill();
        }
        self.buf.get(self.pos).copied()
    }

    /// The byte after the next one, when it is in the same line or pushed string.
    pub(crate) fn peek_second(&self) -> Option<u8> {
        for f in self.frames.iter().rev() {
            if f.pos < f.text.len() {
                return f.text.get(f.pos + 1).copied();
            }
            if f.is_barrier() {
                return None;
            }
        }
        self.buf.get(self.pos + 1).copied()
    }

    /// With a `\` as the next byte: whether a newline follows it. Past the end of an alias's
    /// value (or of text given back) it looks into what comes next, as dash does: `alias
    /// bs='\'` before the end of a line continues the line.
    fn newline_follows(&mut self) -> bool {
        let mut crossing = false;
        for f in self.frames.iter().rev() {
            let left = f.text.len().saturating_sub(f.pos);
            if crossing && left > 0 {
                return f.text[f.pos] == b'\n';
            }
            if !crossing && left > 1 {
                return f.text[f.pos + 1] == b'\n';
            }
            if f.is_barrier() {
                return false;
            }
            crossing |= left == 1;
        }
        if !crossing {
            return self.buf.get(self.pos + 1) == Some(&b'\n');
        }
        if self.pos >= self.buf.len() {
            self.fill();
        }
        self.buf.get(self.pos) == Some(&b'\n')
    }

    /// Consume the byte `peek_raw` returned.
    pub(crate) fn bump(&mut self) {
        let mut consumed = None;
        let mut from_frames = false;
        for f in self.frames.iter_mut().rev() {
            if let Some(&c) = f.text.get(f.pos) {
                f.pos += 1;
                consumed = Some(c);
                from_frames = true;
                if c == b'\n' && matches!(f.kind, FrameKind::Replay { from_source: true }) {
                    self.line = self.line.saturating_add(1);
                }
                break;
            }
            if f.is_barrier() {
                return;
            }
        }
        if !from_frames {
            if let Some(&c) = self.buf.get(self.pos) {
                self.pos += 1;
                if c == b'\n' {
                    self.line = self.line.saturating_add(1);
                }
                consumed = Some(c);
            }
        }
        if let (Some(rec), Some(c)) = (self.record.as_mut(), consumed) {
            rec.push(c);
        }
        if let (true, Some(c)) = (self.raw_depth > 0 && !self.raw_paused, consumed) {
            self.raw.push(c);
        }
        if let (true, Some(c)) = (self.marks > 0, consumed) {
            self.trial.push(c);
        }
    }

    /// The next byte, after removing any `\<newline>` pairs.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        loop {
            let c = self.peek_raw()?;
            if c == b'\\' && self.newline_follows() {
                let rec = self.record.take();
                let depth = std::mem::take(&mut self.raw_depth);
                self.bump();
                self.bump();
                self.record = rec;
                self.raw_depth = depth;
                continue;
            }
            return Some(c);
        }
    }

    pub(crate) fn push_alias(&mut self, name: &[u8], value: &[u8]) {
        self.frames.push(Frame {
            text: value.to_vec(),
            pos: 0,
            kind: FrameKind::Alias(name.to_vec()),
        });
    }

    pub(crate) fn alias_in_use(&self, name: &[u8]) -> bool {
        self.frames
            .iter()
            .any(|f| matches!(&f.kind, FrameKind::Alias(n) if n == name))
    }

    /// Push a barrier string; returns the stack height to restore with `pop_to`.
    pub(crate) fn push_barrier(&mut self, text: Vec<u8>) -> usize {
        let height = self.frames.len();
        self.frames.push(Frame {
            text,
            pos: 0,
            kind: FrameKind::Barrier,
        });
        height
    }

    pub(crate) fn pop_to(&mut self, height: usize) {
        self.frames.truncate(height);
    }

    /// Drop alias values that have been read to the end. True when one of them ended in a
    /// blank (the next word is then checked for aliases).
    pub(crate) fn pop_finished_aliases(&mut self) -> bool {
        let mut blank = false;
        while let Some(f) = self.frames.last() {
            if f.is_barrier() || f.pos < f.text.len() {
                break;
            }
            if matches!(f.kind, FrameKind::Alias(_)) {
                blank = matches!(f.text.last(), Some(b' ' | b'\t'));
            }
            self.frames.pop();
        }
        blank
    }

    /// After a syntax error: forget pushed strings and the rest of the current line.
    pub(crate) fn discard_line(&mut self) {
        self.frames.clear();
        self.trial.clear();
        self.marks = 0;
        self.record = None;
        self.raw.clear();
        self.raw_depth = 0;
        // An interrupted read (Ctrl-C at a prompt) is not the end of the input: reading goes
        // on with the next line. A source at its real end says so again.
        self.at_eof = false;
        self.io_error = None;
        if self.pos < self.buf.len() {
            if self.buf.last() == Some(&b'\n') {
                self.line = self.line.saturating_add(1);
            }
            self.pos = self.buf.len();
        }
        self.text.clear();
        self.started = false;
    }
}
