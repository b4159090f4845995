//! The interactive front end: reading lines from a terminal with prompts, line editing,
//! history and completion (rustyline), and the non-interactive reader of standard input.
//!
//! The read-eval loop and the terminal source share a [`Handoff`]: before each prompt the loop
//! puts there what the editor needs from the shell (the expanded prompts, the editing mode,
//! new history entries, a snapshot of names for completion, lines that `fc` re-runs), since the
//! editor cannot reach the shell while a line is being read.

mod cmdhist;
pub mod complete;
pub mod history;
pub mod history_expand;
pub mod inputrc;
pub mod keys;
pub mod prompt;

use crate::sys;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use rustyline::config::Configurer;
use rustyline::history::{History as _, MemHistory};

use crate::state::{shopt, Shell};
use crate::syntax::LineSource;
use crate::sys::fd;

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
        let seekable = crate::sys::fd::seek_by(fd, 0).is_ok();
        FdSource { fd, seekable }
    }

    fn read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match crate::sys::fd::read(self.fd, buf) {
                Ok(n) => return Ok(n),
                Err(sys::errno::EINTR) => {}
                Err(e) => return Err(std::io::Error::from_raw_os_error(e)),
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
                // A line is as long as the input makes it: out of memory is an error.
                if !crate::syntax::room_for(&mut line, n) {
                    return Err(crate::syntax::out_of_space());
                }
                if let Some(nl) = buf[..n].iter().position(|&b| b == b'\n') {
                    line.extend_from_slice(&buf[..=nl]);
                    // Back over the bytes read but not used.
                    let _ = crate::sys::fd::seek_by(self.fd, -((n - nl - 1) as i64));
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
                if !crate::syntax::room_for(&mut line, 1) {
                    return Err(crate::syntax::out_of_space());
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

/// What the read-eval loop hands the terminal source before each prompt.
#[derive(Debug, Default)]
pub struct Handoff {
    pub ps1: Vec<u8>,
    pub ps2: Vec<u8>,
    /// `set -o vi` is on (else emacs editing).
    pub vi: bool,
    /// `set -o ignoreeof`: Ctrl-D on an empty line does not end the shell.
    pub ignoreeof: bool,
    /// The names completion offers (shared with the editor's helper).
    pub names: Rc<RefCell<complete::Names>>,
    /// The shell, lent to the completer while a line is read.
    pub shell: complete::ShellAccess,
    /// The history limit (HISTSIZE).
    pub history_size: usize,
    /// The editor's history must be replaced by `history_new`.
    pub history_reset: bool,
    /// History entries the editor does not have yet.
    pub history_new: Vec<Vec<u8>>,
    /// Lines to read before the terminal: a command that `fc` re-runs, the later lines of a
    /// pasted block.
    pub pending: VecDeque<PendingLine>,
    /// History expansion is on (`set -H`).
    pub histexpand: bool,
    /// The shell's name, which begins its error messages.
    pub shell_name: Vec<u8>,
    /// The history entries as history expansion sees them, oldest first.
    pub recent: VecDeque<Vec<u8>>,
    /// The history number of the command being entered.
    pub next_number: usize,
    /// A line the user asked to edit (Ctrl-X Ctrl-E): it goes into the history, for the `fc`
    /// that edits and runs it.
    pub edit_request: Option<Vec<u8>>,
    /// The lines returned since the last primary prompt (the command being entered).
    pub typed: Vec<u8>,
    /// The history has been set up for the session.
    started: bool,
    /// The key bindings and variables, when they changed since the editor took them.
    pub readline: Option<inputrc::Readline>,
    /// The generation of the bindings the editor has.
    readline_generation: u64,
    /// The terminal's size when LINES and COLUMNS were last set.
    window: Option<(u16, u16)>,
}

/// A line waiting to be read before the terminal.
#[derive(Debug)]
pub struct PendingLine {
    pub text: Vec<u8>,
    /// History expansion applies (a pasted line, as if typed; not a line `fc` re-runs).
    pub expand: bool,
}

/// The history file: `HISTFILE` if set (empty: none). Unset, an interactive shell in POSIX
/// mode keeps `~/.auditsh_history`; in bash's language an interactive shell set `HISTFILE` to
/// that at start-up, and unset it means no file, as in bash.
pub fn history_file(sh: &Shell) -> Option<Vec<u8>> {
    match sh.get_var(b"HISTFILE") {
        Some([]) => None,
        Some(f) => Some(f.to_vec()),
        None if sh.options.interactive && !sh.options.bash() => default_history_file(sh),
        None => None,
    }
}

/// `~/.auditsh_history` (the home directory the password database gives when `HOME` is unset).
pub fn default_history_file(sh: &Shell) -> Option<Vec<u8>> {
    let home = match sh.get_var(b"HOME") {
        Some(h) => Some(h.to_vec()),
        None => crate::accounts::home_of_uid(crate::sys::process::uid()),
    };
    home.filter(|h| !h.is_empty()).map(|h| {
        let mut p = h;
        if !p.ends_with(b"/") {
            p.push(b'/');
        }
        p.extend_from_slice(b".auditsh_history");
        p
    })
}

/// `HISTFILESIZE`: how many lines the history file keeps (None: unset or not a number).
pub fn history_file_size(sh: &Shell) -> Option<usize> {
    let value = sh.get_var(b"HISTFILESIZE")?;
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

/// The session's history begins: the history file is cut to `HISTFILESIZE` lines and read. In
/// bash's language `HISTSIZE` and `HISTFILESIZE` are given their defaults first when unset, as
/// bash does, so that the user sees the limits in force.
pub fn start_history(sh: &mut Shell, file: Option<Vec<u8>>) {
    // The defaults go straight into the table: through set_var they would fire the
    // assignment hook, which trims the list and cuts the file that are trimmed and cut below.
    if sh.options.bash() {
        if sh.get_var(b"HISTSIZE").is_none() {
            let _ = sh
                .vars
                .set(b"HISTSIZE", history::DEFAULT_SIZE.to_string().into_bytes());
        }
        if sh.get_var(b"HISTFILESIZE").is_none() {
            let size = sh.get_var(b"HISTSIZE").unwrap_or_default().to_vec();
            let _ = sh.vars.set(b"HISTFILESIZE", size);
        }
    }
    let size = history::History::size_from(sh.get_var(b"HISTSIZE"));
    sh.history.set_size(size);
    sh.history
        .set_write_times(sh.get_var(b"HISTTIMEFORMAT").is_some());
    if let (Some(file), Some(limit)) = (&file, history_file_size(sh)) {
        history::History::truncate_file(file, limit);
    }
    sh.history.load(file.as_deref());
}

/// What the loop does before it reads a command at the terminal: the history file is read the
/// first time (after the startup files, which may set HISTFILE and HISTSIZE), then the prompts
/// are expanded and the editor's state brought up to date.
pub fn before_prompt(sh: &mut Shell, handoff: &RefCell<Handoff>) {
    sh.history.set_current_is_last(false);
    let size = history::History::size_from(sh.get_var(b"HISTSIZE"));
    if size != sh.history.size() {
        sh.history.set_size(size);
    }
    let first = !handoff.borrow().started;
    if first {
        let file = history_file(sh);
        sh.history.keep_times();
        start_history(sh, file);
    }
    inputrc::start(sh);
    follow_window(sh, handoff);
    let ps1 = prompt::expand(sh, b"PS1");
    let ps2 = prompt::expand(sh, b"PS2");
    let names = complete::Names::of(sh);
    let (reset, new) = sh.history.take_for_editor();
    let rerun = sh.history.take_rerun();
    let mut h = handoff.borrow_mut();
    h.started = true;
    if h.readline_generation != sh.readline.generation {
        h.readline_generation = sh.readline.generation;
        h.readline = Some(sh.readline.clone());
    }
    h.ps1 = ps1;
    h.ps2 = ps2;
    h.vi = sh.options.vi;
    h.ignoreeof = match sh.options.bash() {
        true => sh.vars.get(b"IGNOREEOF").is_some(),
        false => sh.options.ignoreeof,
    };
    *h.names.borrow_mut() = names;
    h.history_size = size;
    if reset {
        h.recent = new.iter().cloned().collect();
        h.history_reset = true;
        h.history_new = new;
    } else {
        h.recent.extend(new.iter().cloned());
        h.history_new.extend(new);
    }
    while h.recent.len() > size {
        h.recent.pop_front();
    }
    h.next_number = sh.history.current_number();
    h.histexpand = sh.options.histexpand && sh.options.bash();
    h.shell_name = sh.arg0.clone();
    if let Some(text) = rerun {
        // Before what is left of a pasted block: the re-run is the command that ran last.
        for line in text.split_inclusive(|&b| b == b'\n').rev() {
            let mut line = line.to_vec();
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            h.pending.push_front(PendingLine {
                text: line,
                expand: false,
            });
        }
    }
}

/// bash's LINES and COLUMNS follow the terminal's size, before each prompt and each command
/// read (a value the user set stays until the size changes).
fn follow_window(sh: &mut Shell, handoff: &RefCell<Handoff>) {
    let window = fd::window_size(0).or_else(|| fd::window_size(2));
    if window.is_none() || window == handoff.borrow().window {
        return;
    }
    handoff.borrow_mut().window = window;
    if let Some((rows, columns)) = window {
        let _ = sh.set_var(b"LINES", rows.to_string().into_bytes());
        let _ = sh.set_var(b"COLUMNS", columns.to_string().into_bytes());
    }
}

/// A command was read at the terminal and is about to run: it goes into the history (and the
/// history file) as its last entry, and `PS0` is shown.
pub fn entered(sh: &mut Shell, handoff: &RefCell<Handoff>, text: &[u8]) {
    follow_window(sh, handoff);
    handoff.borrow_mut().typed.clear();
    let edit_request = handoff.borrow_mut().edit_request.take();
    if let Some(line) = edit_request {
        save(sh, &line);
    }
    into_history(sh, text);
    // `\#` counts it once PS0 is shown (bash).
    prompt::show_ps0(sh);
    sh.history.count_entered();
}

/// A command was read (at the terminal, or by a shell with `set -o history`): unless the
/// history is off, it goes into the history as its last entry.
pub fn read_into_history(sh: &mut Shell, text: &[u8]) {
    sh.history.count_entered();
    into_history(sh, text);
}

fn into_history(sh: &mut Shell, text: &[u8]) {
    if !sh.options.history {
        return;
    }
    let saved = match (sh.options.bash(), sh.options.shopt.on(shopt::CMDHIST)) {
        (true, true) => {
            let literal = sh.options.shopt.on(shopt::LITHIST);
            save(sh, &cmdhist::joined(text, literal))
        }
        // bash without cmdhist: each line is an entry of its own.
        (true, false) => {
            let mut saved = false;
            for line in text.split(|&b| b == b'\n') {
                saved |= save(sh, line);
            }
            saved
        }
        (false, _) => save(sh, text),
    };
    if saved {
        sh.history.set_current_is_last(true);
    }
}

/// A line that held only a comment was read: it runs nothing, but bash keeps it in the
/// history (readline's insert-comment relies on it).
pub fn comment_read(sh: &mut Shell, handoff: Option<&RefCell<Handoff>>, text: &[u8]) {
    if !sh.options.bash() || text.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if let Some(handoff) = handoff {
        handoff.borrow_mut().typed.clear();
    }
    into_history(sh, text);
}

/// Add a command line to the history and the history file, unless `HISTCONTROL` or
/// `HISTIGNORE` leave it out; true if it was added.
pub fn save(sh: &mut Shell, text: &[u8]) -> bool {
    let control = sh.get_var(b"HISTCONTROL").unwrap_or_default().to_vec();
    let ignore = sh.get_var(b"HISTIGNORE").unwrap_or_default().to_vec();
    match history::keep(&control, &ignore, sh.history.last(), text) {
        history::Keep::No => return false,
        history::Keep::ErasingOthers => {
            let line = text.strip_suffix(b"\n").unwrap_or(text);
            sh.history.erase(line);
        }
        history::Keep::Yes => {}
    }
    sh.history
        .set_write_times(sh.get_var(b"HISTTIMEFORMAT").is_some());
    sh.history.add(text).is_some()
}

/// The shell ends: as bash, where history is kept and there is a history file, the session's
/// entries not yet in it are appended and the file is cut to `HISTFILESIZE`. When more entries
/// were added than `HISTSIZE` kept, the file is written anew with the kept ones, unless
/// `shopt -s histappend` (bash's rule).
pub fn save_history_at_exit(sh: &mut Shell) {
    if !sh.options.history || !sh.history.has_unappended() {
        return;
    }
    let Some(file) = history_file(sh) else {
        return;
    };
    let append = sh.options.shopt.on(crate::state::shopt::HISTAPPEND);
    let written = match append || !sh.history.session_outgrew_list() {
        true => sh.history.append_new(&file),
        false => sh.history.write_file(&file, None),
    };
    if written.is_ok() {
        if let Some(limit) = history_file_size(sh) {
            history::History::truncate_file(&file, limit);
        }
    }
}

/// Ctrl-C interrupted the command that ran: the lines still waiting (the rest of a pasted
/// block) are dropped, as the terminal drops the lines typed ahead when it sends SIGINT.
pub fn interrupted(handoff: &RefCell<Handoff>) {
    handoff.borrow_mut().pending.clear();
}

/// The command being entered was abandoned: kept in the history after a syntax error (so
/// that it can be recalled and corrected) or history expansion's `:p`, forgotten after Ctrl-C.
pub fn abandoned(sh: &mut Shell, handoff: &RefCell<Handoff>, keep: bool) {
    let typed = std::mem::take(&mut handoff.borrow_mut().typed);
    if !keep {
        return;
    }
    sh.history.add(&typed);
}

/// Reads lines from the terminal, showing PS1 before a command and PS2 on continuation lines:
/// rustyline when standard input is a terminal (editing, history, completion), plain reads
/// otherwise (`-i` with a pipe). Ctrl-C abandons the command being entered: the read fails
/// with `Interrupted` and the shell prompts again.
///
/// Typed-ahead input is kept: one editor serves the whole session and keeps the bytes it read
/// past the end of a line for the next line (rustyline's `buffer-redux`); a complete line
/// typed while a command ran (the terminal in canonical mode) is read with one plain read,
/// which takes that line and no more, so later lines stay for the programs that read them.
pub struct TerminalSource {
    handoff: Rc<RefCell<Handoff>>,
    input: FdSource,
    editor: Option<rustyline::Editor<complete::ShellHelper, MemHistory>>,
    use_editor: bool,
    /// The key sequences the user's bindings gave the editor (taken back when they change).
    user_keys: Vec<Vec<rustyline::KeyEvent>>,
    /// Consecutive Ctrl-D refused by ignoreeof (dash gives up after 50).
    eofs: u32,
    /// The history's last words, for Alt-.
    last_words: std::sync::Arc<std::sync::Mutex<keys::LastWords>>,
    /// Set by Ctrl-X Ctrl-E: the accepted line is to be edited.
    edit: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Set by a key `bind -x` bound: the command to run, then the line to edit on.
    key_command: std::sync::Arc<std::sync::Mutex<Option<keys::KeyCommand>>>,
}

impl TerminalSource {
    pub fn new(handoff: Rc<RefCell<Handoff>>) -> Self {
        let use_editor = crate::sys::fd::is_terminal(0);
        TerminalSource {
            handoff,
            input: FdSource::new(0),
            editor: None,
            use_editor,
            eofs: 0,
            user_keys: Vec::new(),
            last_words: Default::default(),
            edit: Default::default(),
            key_command: Default::default(),
        }
    }

    /// Read plain lines, as `--noediting` asks.
    pub fn without_editor(&mut self) {
        self.use_editor = false;
    }

    fn prompt(&self, continuation: bool) -> Vec<u8> {
        let h = self.handoff.borrow();
        if continuation {
            h.ps2.clone()
        } else {
            h.ps1.clone()
        }
    }

    fn create_editor(&mut self) {
        let config = rustyline::Config::builder()
            .completion_type(rustyline::CompletionType::List)
            .auto_add_history(false)
            .build();
        let history = MemHistory::with_config(&config);
        match rustyline::Editor::with_history(config, history) {
            Ok(mut e) => {
                let h = self.handoff.borrow();
                let names = Rc::clone(&h.names);
                let shell = h.shell.clone();
                drop(h);
                e.set_helper(Some(complete::ShellHelper { names, shell }));
                keys::bind(&mut e, &self.last_words, &self.edit);
                self.editor = Some(e);
            }
            Err(_) => self.use_editor = false,
        }
    }

    /// Bring the editor's mode and history up to date with the shell.
    fn sync_editor(&mut self) {
        let Some(editor) = self.editor.as_mut() else {
            return;
        };
        let mut h = self.handoff.borrow_mut();
        let mode = if h.vi {
            rustyline::EditMode::Vi
        } else {
            rustyline::EditMode::Emacs
        };
        if editor.config_mut().edit_mode() != mode {
            editor.set_edit_mode(mode);
        }
        let size = h.history_size.max(1);
        if editor.config_mut().max_history_size() != size {
            let _ = editor.set_max_history_size(size);
        }
        if let Some(readline) = h.readline.take() {
            for keys in self.user_keys.drain(..) {
                editor.unbind_sequence(rustyline::Event::KeySeq(keys));
            }
            keys::bind(editor, &self.last_words, &self.edit);
            self.user_keys = keys::bind_user(editor, &readline, &self.key_command);
        }
        let mut last_words = self.last_words.lock().ok();
        if std::mem::take(&mut h.history_reset) {
            let _ = editor.clear_history();
            if let Some(w) = last_words.as_mut() {
                w.clear();
            }
        }
        for entry in h.history_new.drain(..) {
            if let Some(w) = last_words.as_mut() {
                w.push(&entry);
            }
            let _ = editor
                .history_mut()
                .add_owned(String::from_utf8_lossy(&entry).into_owned());
        }
    }

    /// `line` after history expansion (when on). An expanded line is shown as it will run; a
    /// reference that fails, or `:p`, abandons the command with a [`HistoryStop`].
    fn history_expanded(&mut self, line: Vec<u8>) -> std::io::Result<Vec<u8>> {
        let mut guard = self.handoff.borrow_mut();
        let h = &mut *guard;
        if !h.histexpand {
            return Ok(line);
        }
        let entries: &[Vec<u8>] = h.recent.make_contiguous();
        let events = history_expand::Events {
            entries,
            next_number: h.next_number,
        };
        match history_expand::expand(&line, &events) {
            Ok(None) => Ok(line),
            Ok(Some(expanded)) => {
                let mut shown = expanded.line.clone();
                if shown.last() != Some(&b'\n') {
                    shown.push(b'\n');
                }
                fd::write_all(2, &shown);
                if expanded.print_only {
                    h.typed.extend_from_slice(&shown);
                    return Err(std::io::Error::other(HistoryStop { keep: true }));
                }
                Ok(expanded.line)
            }
            Err(e) => {
                let mut msg = h.shell_name.clone();
                msg.extend_from_slice(b": ");
                msg.extend_from_slice(&e.0);
                msg.push(b'\n');
                fd::write_all(2, &msg);
                Err(std::io::Error::other(HistoryStop { keep: false }))
            }
        }
    }

    /// Show the prompt and read one line without the editor.
    fn plain_line(&mut self, prompt: &[u8], echo: bool) -> std::io::Result<Option<Vec<u8>>> {
        fd::write_all(2, prompt);
        let line = self.input.next_line(true)?;
        if echo {
            if let Some(l) = &line {
                fd::write_all(2, l);
            }
        }
        Ok(line)
    }
}

/// The terminal output that takes back an accepted line (the prompt's last line, then `line`):
/// the cursor goes up over the rows they took, which are cleared.
fn clear_accepted(prompt_line: &str, line: &str, columns: usize) -> Vec<u8> {
    let columns = columns.max(1);
    let mut rows = 0;
    let mut width = display_width(prompt_line);
    for (i, part) in line.split('\n').enumerate() {
        if i > 0 {
            rows += width / columns + 1;
            width = 0;
        }
        width += display_width(part);
    }
    rows += width / columns + 1;
    format!("\x1b[{rows}A\r\x1b[J").into_bytes()
}

/// The columns text takes on the terminal: escape sequences (colours, titles) take none.
fn display_width(text: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut width = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            width += c.width().unwrap_or(0);
            continue;
        }
        match chars.next() {
            // CSI: parameters up to a final byte.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&c) {
                        break;
                    }
                }
            }
            // OSC (a window title): up to BEL or ESC \.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    width
}

/// Run the shell command a key is bound to (`bind -x`) with the line being edited in
/// `READLINE_LINE` and the cursor in `READLINE_POINT` (characters in a UTF-8 locale, else
/// bytes), exported as bash exports them; the programs it starts are recorded as coming from
/// the binding. Returns the line and cursor (a byte offset) to edit on, or Err when the
/// command ran `exit`.
fn run_key_command(sh: &mut Shell, request: &keys::KeyCommand) -> Result<(String, usize), ()> {
    let by_char = crate::state::locale::chars();
    let point = match by_char {
        true => request.line[..request.point].chars().count(),
        false => request.point,
    };
    let set = |sh: &mut Shell, name: &[u8], value: Vec<u8>| {
        if sh.set_var(name, value).is_ok() {
            sh.vars.set_exported(name, true);
        }
    };
    set(sh, b"READLINE_LINE", request.line.clone().into_bytes());
    set(sh, b"READLINE_POINT", point.to_string().into_bytes());
    set(sh, b"READLINE_MARK", b"0".to_vec());
    let origin = format!("bind -x \"{}\"", inputrc::key_text(&request.keys));
    let result = {
        let mut keeping_status = sh.push_frame(crate::state::Frame::KeepStatus);
        let mut sh = keeping_status.push_frame(crate::state::Frame::Origin {
            name: origin.into_bytes(),
            line: 0,
        });
        let text = request.command.as_bytes();
        crate::exec::eval::run_text(&mut sh, text, None, crate::exec::Context::default())
    };
    let line = sh
        .get_var(b"READLINE_LINE")
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .unwrap_or_default();
    let point = sh
        .get_var(b"READLINE_POINT")
        .and_then(|p| std::str::from_utf8(p).ok()?.trim().parse::<usize>().ok())
        .unwrap_or(point);
    // The cursor as a byte offset at the start of a character, at most the end of the line.
    let point = match by_char {
        true => line
            .char_indices()
            .nth(point)
            .map_or(line.len(), |(i, _)| i),
        false => (0..=point.min(line.len()))
            .rev()
            .find(|&i| line.is_char_boundary(i))
            .unwrap_or(0),
    };
    for name in [&b"READLINE_LINE"[..], b"READLINE_POINT", b"READLINE_MARK"] {
        let _ = sh.vars.unset(name);
    }
    match result {
        Err(crate::exec::Divert::Exit(status)) => {
            sh.set_last_status(status);
            Err(())
        }
        _ => Ok((line, point)),
    }
}

/// History expansion abandoned the command being entered: a reference failed, or `:p` asked
/// for the line to be shown only (then it is kept in the history).
#[derive(Debug)]
pub struct HistoryStop {
    pub keep: bool,
}

impl std::fmt::Display for HistoryStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("history expansion")
    }
}

impl std::error::Error for HistoryStop {}

/// The [`HistoryStop`] a failed read carries, if any.
pub fn history_stop(e: &std::io::Error) -> Option<&HistoryStop> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<HistoryStop>())
}

/// Ignore `sig`; the disposition it had.
fn ignore_signal(sig: i32) -> Option<sys::signal::Disposition> {
    crate::sys::signal::set_handler(sig, sys::signal::SIG_IGN)
}

/// Put back the disposition `ignore_signal` replaced.
fn restore_signal(sig: i32, old: Option<sys::signal::Disposition>) {
    if let Some(old) = old {
        crate::sys::signal::restore(sig, &old);
    }
}

/// True if a whole line typed ahead waits in the terminal's input queue while the terminal is
/// in canonical mode (the kernel then counts only complete lines).
fn line_typed_ahead(fd: i32) -> bool {
    use crate::sys::fd;
    let canonical = fd::terminal_modes(fd).is_ok_and(|t| fd::is_canonical(&t));
    canonical && fd::bytes_waiting(fd).is_some_and(|n| n > 0)
}

/// A pasted block comes back from the editor as one "line" with newlines in it: its first line
/// is returned and the others wait in `pending`, so that the shell reads them one at a time, as
/// if typed, and each command line is read (and recorded) with its own text.
fn queue_later_lines(h: &mut Handoff, mut text: Vec<u8>) -> Vec<u8> {
    let Some(nl) = text.iter().position(|&b| b == b'\n') else {
        return text;
    };
    let rest = text.split_off(nl + 1);
    for line in rest.split_inclusive(|&b| b == b'\n') {
        h.pending.push_back(PendingLine {
            text: line.to_vec(),
            expand: true,
        });
    }
    text
}

impl LineSource for TerminalSource {
    fn next_line(&mut self, continuation: bool) -> std::io::Result<Option<Vec<u8>>> {
        {
            let mut h = self.handoff.borrow_mut();
            if let Some(line) = h.pending.pop_front() {
                drop(h);
                let text = if line.expand {
                    self.history_expanded(line.text)?
                } else {
                    line.text
                };
                self.handoff.borrow_mut().typed.extend_from_slice(&text);
                return Ok(Some(text));
            }
        }
        let prompt = self.prompt(continuation);
        if self.use_editor && self.editor.is_none() {
            self.create_editor();
        }
        if self.editor.is_none() || line_typed_ahead(0) {
            let line = match self.plain_line(&prompt, self.editor.is_some())? {
                Some(l) => Some(self.history_expanded(l)?),
                None => None,
            };
            if let Some(l) = &line {
                self.handoff.borrow_mut().typed.extend_from_slice(l);
            }
            return Ok(line);
        }
        self.sync_editor();
        let mut shown = prompt::for_display(&prompt);
        // After a key's shell command: the line to edit on, split at the cursor.
        let mut initial: Option<(String, String)> = None;
        loop {
            let Some(editor) = self.editor.as_mut() else {
                return Ok(None);
            };
            // Ctrl-Z at the prompt makes rustyline stop its process group: the shell itself.
            let tstp = ignore_signal(sys::signal::SIGTSTP);
            let result = match &initial {
                Some((left, right)) => editor.readline_with_initial(shown.as_str(), (left, right)),
                None => editor.readline(shown.as_str()),
            };
            restore_signal(sys::signal::SIGTSTP, tstp);
            match result {
                Ok(line) => {
                    self.eofs = 0;
                    let key_command = self.key_command.lock().ok().and_then(|mut k| k.take());
                    if let Some(request) = key_command {
                        // The editor left the line as accepted: it is cleared, the command
                        // runs, and the prompt's last line comes back with the line as the
                        // command left it (bash).
                        let last_line = shown.rsplit('\n').next().unwrap_or_default();
                        let columns = fd::window_size(2).map_or(80, |(_, c)| usize::from(c));
                        fd::write_all(2, &clear_accepted(last_line, &request.line, columns));
                        let access = self.handoff.borrow().shell.clone();
                        let outcome = access.with(|sh| run_key_command(sh, &request));
                        let (line, point) = match outcome {
                            Some(Ok(edit)) => edit,
                            Some(Err(())) => return Ok(None),
                            None => (request.line, request.point),
                        };
                        let (left, right) = line.split_at(point);
                        initial = Some((left.to_string(), right.to_string()));
                        shown = last_line.to_string();
                        self.sync_editor();
                        continue;
                    }
                    let edit = self.edit.swap(false, std::sync::atomic::Ordering::SeqCst);
                    if edit && !continuation {
                        // The line goes to the editor through `fc`, as a command line of its
                        // own (the editor is a program it runs), then runs as edited.
                        let mut h = self.handoff.borrow_mut();
                        h.edit_request = Some(line.into_bytes());
                        h.typed.extend_from_slice(keys::EDIT_COMMAND);
                        return Ok(Some(keys::EDIT_COMMAND.to_vec()));
                    }
                    let mut bytes = line.into_bytes();
                    bytes.push(b'\n');
                    let first = queue_later_lines(&mut self.handoff.borrow_mut(), bytes);
                    let first = self.history_expanded(first)?;
                    self.handoff.borrow_mut().typed.extend_from_slice(&first);
                    return Ok(Some(first));
                }
                Err(rustyline::error::ReadlineError::Eof) => {
                    let ignore = self.handoff.borrow().ignoreeof;
                    if ignore && !continuation && self.eofs < 50 {
                        self.eofs += 1;
                        fd::write_all(2, b"Use \"exit\" to leave shell.\n");
                        continue;
                    }
                    return Ok(None);
                }
                Err(rustyline::error::ReadlineError::Interrupted) => {
                    self.handoff.borrow_mut().typed.clear();
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::Interrupted,
                        "interrupted",
                    ));
                }
                Err(rustyline::error::ReadlineError::Io(e)) => return Err(e),
                Err(e) => return Err(std::io::Error::other(e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_leave_escape_sequences_out() {
        assert_eq!(display_width("P> "), 3);
        assert_eq!(display_width("\x1b[1;32muser\x1b[0m$ "), 6);
        assert_eq!(display_width("\x1b]0;title\x07ä日"), 3);
        assert_eq!(display_width("\x1b]0;t\x1b\\x"), 1);
    }

    #[test]
    fn an_accepted_line_is_cleared_over_the_rows_it_took() {
        assert_eq!(clear_accepted("P> ", "echo", 80), b"\x1b[1A\r\x1b[J");
        let long = "x".repeat(80);
        assert_eq!(clear_accepted("P> ", &long, 80), b"\x1b[2A\r\x1b[J");
        assert_eq!(clear_accepted("P> ", &long, 40), b"\x1b[3A\r\x1b[J");
        assert_eq!(clear_accepted("P> ", "a\nb", 80), b"\x1b[2A\r\x1b[J");
    }
}
