//! The interactive front end: reading lines from a terminal with prompts, and the
//! non-interactive reader of standard input.

pub mod prompt;

use std::cell::RefCell;
use std::rc::Rc;

use crate::exec::io;
use crate::syntax::LineSource;
use crate::toplevel::Prompts;

/// Reads lines from a descriptor without reading past the end of the line, so that a command
/// run from a script on standard input finds the rest of the script where it should (XCU 2.1:
/// `ssh host < script` with `read` in the script). A seekable input is read in blocks and the
/// file offset put back after the line; a pipe or terminal is read a byte at a time.
pub struct FdSource {
    fd: i32,
    seekable: bool,
}

impl FdSource {
    pub fn new(fd: i32) -> Self {
        // SAFETY: lseek only queries the offset here.
        let seekable = unsafe { libc::lseek(fd, 0, libc::SEEK_CUR) } >= 0;
        FdSource { fd, seekable }
    }

    fn read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            // SAFETY: buf is valid for buf.len() bytes.
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINTR) {
                return Err(e);
            }
        }
    }
}

impl LineSource for FdSource {
    fn next_line(&mut self, _continuation: bool) -> std::io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        if self.seekable {
            let mut buf = [0u8; 4096];
            loop {
                let n = self.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                if let Some(nl) = buf[..n].iter().position(|&b| b == b'\n') {
                    line.extend_from_slice(&buf[..=nl]);
                    let back = (n - nl - 1) as libc::off_t;
                    // SAFETY: moving the offset back over bytes we read but did not use.
                    unsafe { libc::lseek(self.fd, -back, libc::SEEK_CUR) };
                    return Ok(Some(crate::syntax::without_nul(line)));
                }
                line.extend_from_slice(&buf[..n]);
            }
        } else {
            let mut byte = [0u8; 1];
            loop {
                if self.read(&mut byte)? == 0 {
                    break;
                }
                line.push(byte[0]);
                if byte[0] == b'\n' {
                    return Ok(Some(crate::syntax::without_nul(line)));
                }
            }
        }
        Ok(if line.is_empty() {
            None
        } else {
            Some(crate::syntax::without_nul(line))
        })
    }
}

/// Reads lines from the terminal, showing PS1 before a command and PS2 on continuation lines:
/// rustyline when standard input is a terminal (editing, history), plain reads otherwise
/// (`-i` with a pipe). Ctrl-C abandons the command being entered: the read fails with
/// `Interrupted` and the shell prompts again.
pub struct TerminalSource {
    prompts: Rc<RefCell<Prompts>>,
    input: FdSource,
    editor: Option<rustyline::DefaultEditor>,
    use_editor: bool,
}

impl TerminalSource {
    pub fn new(prompts: Rc<RefCell<Prompts>>) -> Self {
        // SAFETY: isatty only queries the descriptor.
        let use_editor = unsafe { libc::isatty(0) == 1 };
        TerminalSource {
            prompts,
            input: FdSource::new(0),
            editor: None,
            use_editor,
        }
    }

    fn prompt(&self, continuation: bool) -> Vec<u8> {
        let p = self.prompts.borrow();
        if continuation {
            p.ps2.clone()
        } else {
            p.ps1.clone()
        }
    }
}

impl LineSource for TerminalSource {
    fn next_line(&mut self, continuation: bool) -> std::io::Result<Option<Vec<u8>>> {
        let prompt = self.prompt(continuation);
        if self.use_editor && self.editor.is_none() {
            match rustyline::DefaultEditor::new() {
                Ok(e) => self.editor = Some(e),
                Err(_) => self.use_editor = false,
            }
        }
        let Some(editor) = self.editor.as_mut() else {
            io::write_all(2, &prompt);
            return self.input.next_line(continuation);
        };
        let prompt = String::from_utf8_lossy(&prompt).into_owned();
        match editor.readline(prompt.as_str()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let mut bytes = line.into_bytes();
                bytes.push(b'\n');
                Ok(Some(bytes))
            }
            Err(rustyline::error::ReadlineError::Eof) => Ok(None),
            Err(rustyline::error::ReadlineError::Interrupted) => Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "interrupted",
            )),
            Err(rustyline::error::ReadlineError::Io(e)) => Err(e),
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    }
}
