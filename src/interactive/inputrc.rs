//! Readline's binding language, as bash's `bind` and `~/.inputrc` speak it: `set name value`,
//! `"\e[A": history-search-backward`, `Control-u: unix-line-discard`, `"\C-xm": "macro"`, and
//! the `$if`/`$else`/`$endif`/`$include` of an inputrc file. The bindings are kept in the
//! shell ([`Readline`]) and given to the line editor before each prompt.

use rustyline::{Anchor, At, Cmd, KeyCode, KeyEvent, Modifiers, Movement, Word};

/// What one line of the language says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `set name value`
    Set(String, String),
    /// `keyseq: function-name`: the key sequence as written between quotes, or a key name.
    Function(Keys, String),
    /// `keyseq: "text"`: the text is typed.
    Macro(Keys, String),
    /// `$if`, `$else`, `$endif`, `$include`: only an inputrc file gives them meaning.
    Conditional(String),
}

/// A key sequence as written: between quotes (`"\C-t"`), or a key name (`Control-t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub text: String,
    pub quoted: bool,
}

impl Keys {
    pub fn bytes(&self) -> Vec<u8> {
        key_bytes(&self.text, self.quoted)
    }
}

/// The variables `bind -v` lists, with the values readline starts with in bash on a Debian
/// system (UTF-8, /etc/inputrc's 8-bit settings); a `set` of another name is kept too. The
/// editor acts on `bell-style`, `completion-ignore-case`, `editing-mode` and `keyseq-timeout`.
const VARIABLES: &[(&str, &str)] = &[
    ("bind-tty-special-chars", "on"),
    ("blink-matching-paren", "off"),
    ("byte-oriented", "off"),
    ("colored-completion-prefix", "off"),
    ("colored-stats", "off"),
    ("completion-ignore-case", "off"),
    ("completion-map-case", "off"),
    ("convert-meta", "off"),
    ("disable-completion", "off"),
    ("echo-control-characters", "on"),
    ("enable-active-region", "on"),
    ("enable-bracketed-paste", "on"),
    ("enable-keypad", "off"),
    ("enable-meta-key", "on"),
    ("expand-tilde", "off"),
    ("history-preserve-point", "off"),
    ("horizontal-scroll-mode", "off"),
    ("input-meta", "on"),
    ("mark-directories", "on"),
    ("mark-modified-lines", "off"),
    ("mark-symlinked-directories", "off"),
    ("match-hidden-files", "on"),
    ("menu-complete-display-prefix", "off"),
    ("meta-flag", "on"),
    ("output-meta", "on"),
    ("page-completions", "on"),
    ("prefer-visible-bell", "on"),
    ("print-completions-horizontally", "off"),
    ("revert-all-at-newline", "off"),
    ("show-all-if-ambiguous", "off"),
    ("show-all-if-unmodified", "off"),
    ("show-mode-in-prompt", "off"),
    ("skip-completed-text", "off"),
    ("visible-stats", "off"),
    ("bell-style", "audible"),
    ("comment-begin", "#"),
    ("completion-display-width", "-1"),
    ("completion-prefix-display-length", "0"),
    ("completion-query-items", "100"),
    ("editing-mode", "emacs"),
    ("emacs-mode-string", "@"),
    ("history-size", "0"),
    ("keymap", "emacs"),
    ("keyseq-timeout", "500"),
    ("vi-cmd-mode-string", "(cmd)"),
    ("vi-ins-mode-string", "(ins)"),
];

/// The readline functions the editor has, by readline's names.
pub fn command(name: &str) -> Option<Cmd> {
    let emacs_word = || Movement::ForwardWord(1, At::AfterEnd, Word::Emacs);
    Some(match name {
        "abort" => Cmd::Abort,
        "accept-line" => Cmd::AcceptLine,
        "backward-char" => Cmd::Move(Movement::BackwardChar(1)),
        "forward-char" => Cmd::Move(Movement::ForwardChar(1)),
        "backward-word" => Cmd::Move(Movement::BackwardWord(1, Word::Emacs)),
        "forward-word" => Cmd::Move(emacs_word()),
        "beginning-of-line" => Cmd::Move(Movement::BeginningOfLine),
        "end-of-line" => Cmd::Move(Movement::EndOfLine),
        "beginning-of-history" => Cmd::BeginningOfHistory,
        "end-of-history" => Cmd::EndOfHistory,
        "previous-history" => Cmd::PreviousHistory,
        "next-history" => Cmd::NextHistory,
        "history-search-backward" | "history-substring-search-backward" => {
            Cmd::HistorySearchBackward
        }
        "history-search-forward" | "history-substring-search-forward" => Cmd::HistorySearchForward,
        "reverse-search-history" | "non-incremental-reverse-search-history" => {
            Cmd::ReverseSearchHistory
        }
        "forward-search-history" | "non-incremental-forward-search-history" => {
            Cmd::ForwardSearchHistory
        }
        "kill-line" => Cmd::Kill(Movement::EndOfLine),
        "backward-kill-line" | "unix-line-discard" => Cmd::Kill(Movement::BeginningOfLine),
        "kill-whole-line" => Cmd::Kill(Movement::WholeLine),
        "kill-word" => Cmd::Kill(emacs_word()),
        "backward-kill-word" => Cmd::Kill(Movement::BackwardWord(1, Word::Emacs)),
        "unix-word-rubout" => Cmd::Kill(Movement::BackwardWord(1, Word::Big)),
        "delete-char" => Cmd::Kill(Movement::ForwardChar(1)),
        "backward-delete-char" => Cmd::Kill(Movement::BackwardChar(1)),
        "yank" => Cmd::Yank(1, Anchor::Before),
        "yank-pop" => Cmd::YankPop,
        "transpose-chars" => Cmd::TransposeChars,
        "transpose-words" => Cmd::TransposeWords(1),
        "upcase-word" => Cmd::UpcaseWord,
        "downcase-word" => Cmd::DowncaseWord,
        "capitalize-word" => Cmd::CapitalizeWord,
        "undo" => Cmd::Undo(1),
        "clear-screen" => Cmd::ClearScreen,
        "redraw-current-line" => Cmd::Repaint,
        "complete" | "menu-complete" | "possible-completions" => Cmd::Complete,
        "menu-complete-backward" => Cmd::CompleteBackward,
        "quoted-insert" => Cmd::QuotedInsert,
        "tab-insert" => Cmd::Insert(1, "\t".to_string()),
        "do-lowercase-version" | "self-insert" => Cmd::Noop,
        _ => return None,
    })
}

/// The names `command` knows, sorted (`bind -l`).
pub const FUNCTIONS: &[&str] = &[
    "abort",
    "accept-line",
    "backward-char",
    "backward-delete-char",
    "backward-kill-line",
    "backward-kill-word",
    "backward-word",
    "beginning-of-history",
    "beginning-of-line",
    "capitalize-word",
    "clear-screen",
    "complete",
    "delete-char",
    "do-lowercase-version",
    "downcase-word",
    "end-of-history",
    "end-of-line",
    "forward-char",
    "forward-search-history",
    "forward-word",
    "history-search-backward",
    "history-search-forward",
    "history-substring-search-backward",
    "history-substring-search-forward",
    "kill-line",
    "kill-whole-line",
    "kill-word",
    "menu-complete",
    "menu-complete-backward",
    "next-history",
    "non-incremental-forward-search-history",
    "non-incremental-reverse-search-history",
    "possible-completions",
    "previous-history",
    "quoted-insert",
    "redraw-current-line",
    "reverse-search-history",
    "self-insert",
    "tab-insert",
    "transpose-chars",
    "transpose-words",
    "undo",
    "unix-line-discard",
    "unix-word-rubout",
    "upcase-word",
    "yank",
    "yank-pop",
];

/// One line of the language: None for a blank line or a comment.
pub fn parse(line: &str) -> Result<Option<Directive>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    if let Some(rest) = line.strip_prefix('$') {
        return Ok(Some(Directive::Conditional(rest.trim().to_string())));
    }
    if let Some(rest) = line
        .strip_prefix("set")
        .filter(|r| r.starts_with([' ', '\t']))
    {
        let mut words = rest.split_whitespace();
        let name = words.next().ok_or("set: a variable name is missing")?;
        let value = words.next().unwrap_or("");
        return Ok(Some(Directive::Set(name.to_string(), value.to_string())));
    }
    let (keys, rest) = if let Some(quoted) = line.strip_prefix('"') {
        let end = closing_quote(quoted, '"').ok_or("no closing `\"' in key binding")?;
        let after = quoted[end + 1..].trim_start();
        let after = after
            .strip_prefix(':')
            .ok_or("missing `:' after the key sequence")?;
        let keys = Keys {
            text: quoted[..end].to_string(),
            quoted: true,
        };
        (keys, after)
    } else {
        let colon = line.find(':').ok_or("missing `:' after the key name")?;
        let keys = Keys {
            text: line[..colon].trim().to_string(),
            quoted: false,
        };
        (keys, &line[colon + 1..])
    };
    let target = rest.trim();
    for q in ['"', '\''] {
        if let Some(text) = target.strip_prefix(q) {
            let end = closing_quote(text, q).unwrap_or(text.len());
            return Ok(Some(Directive::Macro(keys, text[..end].to_string())));
        }
    }
    let function = target.split_whitespace().next().unwrap_or("");
    Ok(Some(Directive::Function(keys, function.to_string())))
}

/// A `bind -x` binding, `"keyseq": shell-command`: the key sequence's bytes and the command.
/// bash wants the key sequence quoted; quotes around the whole command are removed.
pub fn parse_command_binding(text: &str) -> Result<(Vec<u8>, String), String> {
    let Some(quoted) = text.trim_start().strip_prefix('"') else {
        return Err(format!(
            "{text}: first non-whitespace character is not `\"'"
        ));
    };
    let Some(end) = closing_quote(quoted, '"') else {
        return Err(format!("{text}: no closing `\"' in key binding"));
    };
    let Some(command) = quoted[end + 1..].trim_start().strip_prefix(':') else {
        return Err(format!("{text}: missing colon separator"));
    };
    let command = command.trim_start();
    let trimmed = command.trim_end();
    let command = ['"', '\'']
        .iter()
        .find_map(|&q| {
            let inner = trimmed.strip_prefix(q)?.strip_suffix(q)?;
            Some(inner)
        })
        .unwrap_or(command);
    Ok((key_bytes(&quoted[..end], true), command.to_string()))
}

/// The keymap a `-m` name stands for: emacs and its prefixes are one keymap here, as are vi's
/// command-mode names; vi's insert mode is the other.
pub fn keymap(name: &str) -> Option<&'static str> {
    match name {
        "emacs" | "emacs-standard" | "emacs-meta" | "emacs-ctlx" => Some("emacs"),
        "vi" | "vi-move" | "vi-command" => Some("vi-command"),
        "vi-insert" => Some("vi-insert"),
        _ => None,
    }
}

/// Where the quote that ends `text` stands (a backslash escapes the next character).
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return Some(i),
            _ => {}
        }
    }
    None
}

/// The bytes a key sequence written between quotes stands for (`\C-x`, `\M-x`, `\e`, octal and
/// hexadecimal escapes), or a key name's (`Control-u`, `Meta-Rubout`, `TAB`).
pub fn key_bytes(seq: &str, quoted: bool) -> Vec<u8> {
    if !quoted {
        return key_name_bytes(seq);
    }
    let b = seq.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut pending_meta = false;
    let mut pending_ctrl = false;
    while i < b.len() {
        let mut byte = b[i];
        i += 1;
        if byte == b'\\' && i < b.len() {
            let rest = &b[i..];
            if rest.starts_with(b"C-") {
                pending_ctrl = true;
                i += 2;
                continue;
            }
            if rest.starts_with(b"M-") {
                pending_meta = true;
                i += 2;
                continue;
            }
            let c = b[i];
            i += 1;
            byte = match c {
                b'e' => 0x1b,
                b'a' => 0x07,
                b'b' => 0x08,
                b'd' => 0x7f,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 0x0b,
                b'0'..=b'7' => {
                    let mut v = u32::from(c - b'0');
                    for _ in 0..2 {
                        match b.get(i) {
                            Some(d @ b'0'..=b'7') => {
                                v = v * 8 + u32::from(d - b'0');
                                i += 1;
                            }
                            _ => break,
                        }
                    }
                    v as u8
                }
                b'x' => {
                    let mut v = 0u32;
                    for _ in 0..2 {
                        match b.get(i).and_then(|d| (*d as char).to_digit(16)) {
                            Some(d) => {
                                v = v * 16 + d;
                                i += 1;
                            }
                            None => break,
                        }
                    }
                    v as u8
                }
                other => other,
            };
        }
        if pending_ctrl {
            byte = control(byte);
            pending_ctrl = false;
        }
        if pending_meta {
            out.push(0x1b);
            pending_meta = false;
        }
        out.push(byte);
    }
    out
}

/// The control character of `c` (`\C-a` is 1, `\C-?` is DEL).
fn control(c: u8) -> u8 {
    if c == b'?' {
        0x7f
    } else {
        c.to_ascii_lowercase() & 0x1f
    }
}

/// A key name as inputrc writes one outside quotes: `Control-u`, `C-u`, `Meta-x`, `M-x`, and
/// `DEL ESC LFD NEWLINE RET RETURN RUBOUT SPACE SPC TAB`.
fn key_name_bytes(name: &str) -> Vec<u8> {
    let mut name = name;
    let (mut ctrl, mut meta) = (false, false);
    loop {
        let lower = name.to_ascii_lowercase();
        if let Some(n) = ["control-", "c-"].iter().find(|p| lower.starts_with(**p)) {
            ctrl = true;
            name = &name[n.len()..];
        } else if let Some(n) = ["meta-", "m-"].iter().find(|p| lower.starts_with(**p)) {
            meta = true;
            name = &name[n.len()..];
        } else {
            break;
        }
    }
    let byte = match name.to_ascii_uppercase().as_str() {
        "DEL" | "RUBOUT" => 0x7f,
        "ESC" | "ESCAPE" => 0x1b,
        "LFD" | "NEWLINE" => b'\n',
        "RET" | "RETURN" => b'\r',
        "SPACE" | "SPC" => b' ',
        "TAB" => b'\t',
        _ => name.bytes().next().unwrap_or(0),
    };
    let byte = if ctrl { control(byte) } else { byte };
    if meta {
        vec![0x1b, byte]
    } else {
        vec![byte]
    }
}

/// The editor's key events for the bytes of a key sequence: the escape sequences terminals
/// send for arrows and the like become those keys, Escape then a character is Alt with it.
pub fn key_events(bytes: &[u8]) -> Vec<KeyEvent> {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b {
            if let Some((key, len)) = terminal_key(&bytes[i + 1..]) {
                keys.push(key);
                i += 1 + len;
                continue;
            }
            // Escape before a key's sequence: that key with Alt (`\e\e[C`).
            let after = bytes.get(i + 1..).unwrap_or_default();
            if let Some((key, len)) = after.strip_prefix(b"\x1b").and_then(terminal_key) {
                keys.push(KeyEvent(key.0, key.1 | Modifiers::ALT));
                i += 2 + len;
                continue;
            }
            if let Some(&c) = bytes.get(i + 1) {
                let key = KeyEvent::new(c as char, Modifiers::NONE);
                keys.push(KeyEvent(key.0, key.1 | Modifiers::ALT));
                i += 2;
                continue;
            }
        }
        keys.push(KeyEvent::new(bytes[i] as char, Modifiers::NONE));
        i += 1;
    }
    keys
}

/// The key an escape sequence (after ESC) names, with its length: `[A`, `OA`, `[3~`,
/// `[1;5C`.
fn terminal_key(seq: &[u8]) -> Option<(KeyEvent, usize)> {
    let (first, rest) = seq.split_first()?;
    if *first != b'[' && *first != b'O' {
        return None;
    }
    let end = rest
        .iter()
        .position(|b| b.is_ascii_alphabetic() || *b == b'~')?;
    let params = std::str::from_utf8(&rest[..end]).ok()?;
    let mut numbers = params.split(';').map(|p| p.parse::<u8>().unwrap_or(1));
    let mut number = numbers.next().unwrap_or(1);
    let mut modifier = numbers.next().unwrap_or(1);
    // The old form of a modified arrow: `[5C` is Ctrl-Right.
    if rest[end] != b'~' && number > 1 && !params.contains(';') {
        (number, modifier) = (1, number);
    }
    let modifiers = match modifier {
        2 => Modifiers::SHIFT,
        3 => Modifiers::ALT,
        5 => Modifiers::CTRL,
        6 => Modifiers::CTRL | Modifiers::SHIFT,
        _ => Modifiers::NONE,
    };
    let code = match (rest[end], number) {
        (b'A', _) => KeyCode::Up,
        (b'B', _) => KeyCode::Down,
        (b'C', _) => KeyCode::Right,
        (b'D', _) => KeyCode::Left,
        (b'H', _) | (b'~', 1 | 7) => KeyCode::Home,
        (b'F', _) | (b'~', 4 | 8) => KeyCode::End,
        (b'~', 2) => KeyCode::Insert,
        (b'~', 3) => KeyCode::Delete,
        (b'~', 5) => KeyCode::PageUp,
        (b'~', 6) => KeyCode::PageDown,
        _ => return None,
    };
    Some((KeyEvent(code, modifiers), end + 2))
}

/// A key sequence's bytes as `bind -p` writes them: `\C-x`, `\e`, `\\`, `\"`.
pub fn key_text(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            0x1b => s.push_str("\\e"),
            0x7f => s.push_str("\\C-?"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0..=0x1f => {
                s.push_str("\\C-");
                match (b | 0x40).to_ascii_lowercase() {
                    b'\\' => s.push_str("\\\\"),
                    c => s.push(c as char),
                }
            }
            _ => s.push(b as char),
        }
    }
    s
}

/// The keys the editor binds in emacs mode before any `bind` or inputrc line, by readline's
/// function names (`bind -p`, `-P` and `-q` show them as bash shows readline's).
const EMACS_KEYS: &[(&str, &str)] = &[
    (r"\C-a", "beginning-of-line"),
    (r"\C-b", "backward-char"),
    (r"\C-d", "delete-char"),
    (r"\C-e", "end-of-line"),
    (r"\C-f", "forward-char"),
    (r"\C-g", "abort"),
    (r"\C-h", "backward-delete-char"),
    (r"\C-i", "complete"),
    (r"\C-j", "accept-line"),
    (r"\C-k", "kill-line"),
    (r"\C-l", "clear-screen"),
    (r"\C-m", "accept-line"),
    (r"\C-n", "next-history"),
    (r"\C-p", "previous-history"),
    (r"\C-q", "quoted-insert"),
    (r"\C-r", "reverse-search-history"),
    (r"\C-s", "forward-search-history"),
    (r"\C-t", "transpose-chars"),
    (r"\C-u", "unix-line-discard"),
    (r"\C-v", "quoted-insert"),
    (r"\C-w", "unix-word-rubout"),
    (r"\C-x\C-u", "undo"),
    (r"\C-y", "yank"),
    (r"\C-_", "undo"),
    (r"\e\C-?", "backward-kill-word"),
    (r"\e<", "beginning-of-history"),
    (r"\e>", "end-of-history"),
    (r"\eb", "backward-word"),
    (r"\ec", "capitalize-word"),
    (r"\ed", "kill-word"),
    (r"\ef", "forward-word"),
    (r"\el", "downcase-word"),
    (r"\et", "transpose-words"),
    (r"\eu", "upcase-word"),
    (r"\ey", "yank-pop"),
    (r"\C-?", "backward-delete-char"),
];

/// A key bound to a shell command (`bind -x`), in one keymap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandKey {
    pub keys: Vec<u8>,
    /// `emacs`, `vi-insert` or `vi-command` (see [`keymap`]).
    pub keymap: &'static str,
    pub command: String,
}

/// The bindings and variables set by `bind` and the inputrc file, in the shell.
#[derive(Debug, Default, Clone)]
pub struct Readline {
    /// Key sequence (its bytes) → a function name, or with `macro` the text it types.
    pub keys: Vec<(Vec<u8>, String, bool)>,
    /// Keys that run shell commands (`bind -x`).
    pub commands: Vec<CommandKey>,
    /// Variables set, by name.
    pub vars: Vec<(String, String)>,
    /// Raised at every change: the editor takes the bindings again.
    pub generation: u64,
    /// The inputrc file has been read.
    started: bool,
}

impl Readline {
    /// The keys bound to functions or macros as the editor has them: its emacs keys (in emacs
    /// mode), then those `bind` and the inputrc set, which take their keys' place.
    pub fn effective_keys(&self, vi: bool) -> Vec<(Vec<u8>, String, bool)> {
        let defaults = EMACS_KEYS
            .iter()
            .filter(|_| !vi)
            .map(|(k, f)| (key_bytes(k, true), f));
        let mut keys: Vec<(Vec<u8>, String, bool)> = defaults
            .filter(|(k, _)| !self.keys.iter().any(|(set, _, _)| set == k))
            .map(|(k, f)| (k, f.to_string(), false))
            .collect();
        keys.extend(self.keys.iter().filter(|(_, t, _)| !t.is_empty()).cloned());
        keys
    }
}

/// Read the inputrc file once, before the first `bind` or the first prompt, whichever comes
/// first (as readline does when bash starts it): `$INPUTRC`, else `~/.inputrc`, else
/// `/etc/inputrc`.
pub fn start(sh: &mut crate::state::Shell) {
    if std::mem::replace(&mut sh.readline.started, true) {
        return;
    }
    let var = |name: &[u8]| {
        sh.get_var(name)
            .filter(|v| !v.is_empty())
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    let home_file = var(b"HOME").map(|h| format!("{h}/.inputrc"));
    let file = var(b"INPUTRC")
        .or(home_file.filter(|f| std::path::Path::new(f).exists()))
        .unwrap_or_else(|| "/etc/inputrc".to_string());
    read_into(sh, std::path::Path::new(&file));
}

/// Read an inputrc file into the shell's bindings; `editing-mode` there sets `set -o vi`.
pub fn read_into(sh: &mut crate::state::Shell, path: &std::path::Path) {
    let term = sh
        .get_var(b"TERM")
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .unwrap_or_default();
    let mut vi = sh.options.vi;
    sh.readline.read_file(path, &mut vi, &term, 0);
    sh.options.vi = vi;
    sh.options.emacs = !vi;
}

impl Readline {
    pub fn bind(&mut self, bytes: Vec<u8>, target: String, is_macro: bool) {
        self.keys.retain(|(k, _, _)| *k != bytes);
        self.keys.push((bytes, target, is_macro));
        self.generation += 1;
    }

    /// `bind -x`: the key runs `command` in `keymap`.
    pub fn bind_command(&mut self, keys: Vec<u8>, keymap: &'static str, command: String) {
        self.commands
            .retain(|c| !(c.keys == keys && c.keymap == keymap));
        self.commands.push(CommandKey {
            keys,
            keymap,
            command,
        });
        self.generation += 1;
    }

    /// `bind -r`: the key sequence runs no shell command in `keymap`.
    pub fn unbind_command(&mut self, keys: &[u8], keymap: &'static str) {
        let before = self.commands.len();
        self.commands
            .retain(|c| !(c.keys == keys && c.keymap == keymap));
        if self.commands.len() != before {
            self.generation += 1;
        }
    }

    /// Take away the bindings `keep` refuses, the editor's own emacs keys too: such a key is
    /// kept bound to nothing (an empty function name), which hides the editor's binding.
    pub fn unbind(&mut self, keep: impl Fn(&[u8], &str, bool) -> bool) {
        let before = self.keys.clone();
        self.keys.retain(|(k, t, m)| t.is_empty() || keep(k, t, *m));
        for (k, f) in EMACS_KEYS {
            let k = key_bytes(k, true);
            if !keep(&k, f, false) && !self.keys.iter().any(|(set, _, _)| *set == k) {
                self.keys.push((k, String::new(), false));
            }
        }
        if self.keys != before {
            self.generation += 1;
        }
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_string(), value.to_string()));
        self.generation += 1;
    }

    /// A variable's value if it was set (not readline's default).
    pub fn set_value(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A variable's value: as set, else readline's default.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.set_value(name)
            .or_else(|| VARIABLES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
    }

    /// Every variable with its value (`bind -v`), as readline lists them: the on/off ones
    /// first, each part sorted by name.
    pub fn all_vars(&self) -> Vec<(String, String)> {
        let mut names: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
        names.extend(self.vars.iter().map(|(n, _)| n.as_str()));
        names.sort_unstable();
        names.dedup();
        let mut vars: Vec<(String, String)> = names
            .into_iter()
            .map(|n| (n.to_string(), self.var(n).unwrap_or("").to_string()))
            .collect();
        vars.sort_by_key(|(_, value)| !matches!(value.as_str(), "on" | "off"));
        vars
    }

    /// Apply one directive (not a conditional). `vi`: the shell's `set -o vi`, which
    /// `editing-mode` changes.
    pub fn apply(&mut self, d: Directive, vi: &mut bool) {
        match d {
            Directive::Set(name, value) => {
                if name == "editing-mode" {
                    *vi = value == "vi";
                }
                self.set(&name, &value);
            }
            Directive::Function(keys, f) => self.bind(keys.bytes(), f, false),
            Directive::Macro(keys, text) => {
                let text = String::from_utf8_lossy(&key_bytes(&text, true)).into_owned();
                self.bind(keys.bytes(), text, true);
            }
            Directive::Conditional(_) => {}
        }
    }

    /// Read an inputrc file: its directives, `$if` sections that hold for this shell
    /// (`mode=`, `term=`, `Bash`, `auditsh`), `$include`d files. Lines it cannot read are
    /// skipped, as readline skips them.
    pub fn read_file(&mut self, path: &std::path::Path, vi: &mut bool, term: &str, depth: u8) {
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        // One entry per open `$if`: whether its lines apply.
        let mut stack: Vec<bool> = Vec::new();
        for line in text.lines() {
            let Ok(Some(d)) = parse(line) else {
                continue;
            };
            let active = stack.iter().all(|a| *a);
            match d {
                Directive::Conditional(c) => {
                    let (word, arg) = c.split_once(char::is_whitespace).unwrap_or((&c, ""));
                    match word {
                        "if" => stack.push(condition_holds(arg.trim(), *vi, term)),
                        "else" => {
                            if let Some(top) = stack.last_mut() {
                                *top = !*top;
                            }
                        }
                        "endif" => {
                            stack.pop();
                        }
                        "include" if active && depth < 8 => {
                            let file = expand_home(arg.trim());
                            self.read_file(std::path::Path::new(&file), vi, term, depth + 1);
                        }
                        _ => {}
                    }
                }
                d if active => self.apply(d, vi),
                _ => {}
            }
        }
    }
}

fn condition_holds(test: &str, vi: bool, term: &str) -> bool {
    if let Some(mode) = test.strip_prefix("mode=") {
        return (mode == "vi") == vi;
    }
    if let Some(t) = test.strip_prefix("term=") {
        let base = term.split('-').next().unwrap_or(term);
        return t == term || t == base;
    }
    matches!(test, "Bash" | "bash" | "auditsh")
}

fn expand_home(path: &str) -> String {
    match path.strip_prefix("~/") {
        Some(rest) => {
            let home = std::env::var("HOME").unwrap_or_default();
            format!("{home}/{rest}")
        }
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_bindings_as_bind_x_takes_them() {
        let b = |t: &str| parse_command_binding(t);
        assert_eq!(b(r#""\C-t": echo a"#), Ok((vec![0x14], "echo a".into())));
        assert_eq!(
            b(r#"  "\eq":"x y"  "#),
            Ok((vec![0x1b, b'q'], "x y".into()))
        );
        assert_eq!(b(r#""\C-a": 'q'"#), Ok((vec![1], "q".into())));
        // Quotes that do not enclose the whole command stay.
        assert_eq!(b(r#""a": "x" y"#), Ok((vec![b'a'], r#""x" y"#.into())));
        assert!(b("C-t: x").unwrap_err().contains("first non-whitespace"));
        assert!(b(r#""\C-t" x"#).unwrap_err().contains("missing colon"));
        assert!(b(r#""\C-t: x"#).unwrap_err().contains("no closing"));
        assert_eq!(keymap("emacs-ctlx"), Some("emacs"));
        assert_eq!(keymap("vi-move"), Some("vi-command"));
        assert_eq!(keymap("vi"), Some("vi-command"));
        assert_eq!(keymap("vi-insert"), Some("vi-insert"));
        assert_eq!(keymap("nano"), None);
    }

    #[test]
    fn directives_of_each_form() {
        assert_eq!(
            parse(r#""\e[A": history-search-backward"#).unwrap(),
            Some(Directive::Function(
                Keys {
                    text: r"\e[A".into(),
                    quoted: true
                },
                "history-search-backward".into()
            ))
        );
        assert_eq!(
            parse("set completion-ignore-case on").unwrap(),
            Some(Directive::Set("completion-ignore-case".into(), "on".into()))
        );
        assert_eq!(
            parse("Control-u: unix-line-discard").unwrap(),
            Some(Directive::Function(
                Keys {
                    text: "Control-u".into(),
                    quoted: false
                },
                "unix-line-discard".into()
            ))
        );
        assert_eq!(
            parse(r#""\C-xd": "date\n""#).unwrap(),
            Some(Directive::Macro(
                Keys {
                    text: r"\C-xd".into(),
                    quoted: true
                },
                r"date\n".into()
            ))
        );
        assert_eq!(parse("  # comment").unwrap(), None);
        assert!(parse(r#""\e[A history"#).is_err());
        assert!(parse("no colon here").is_err());
    }

    #[test]
    fn key_sequences_become_the_editor_keys() {
        let up = key_events(&key_bytes(r"\e[A", true));
        assert_eq!(up, vec![KeyEvent(KeyCode::Up, Modifiers::NONE)]);
        let ctrl_right = key_events(&key_bytes(r"\e[1;5C", true));
        assert_eq!(ctrl_right, vec![KeyEvent(KeyCode::Right, Modifiers::CTRL)]);
        assert_eq!(key_events(&key_bytes(r"\e[5C", true)), ctrl_right);
        let alt_right = key_events(&key_bytes(r"\e\e[C", true));
        assert_eq!(alt_right, vec![KeyEvent(KeyCode::Right, Modifiers::ALT)]);
        let delete = key_events(&key_bytes(r"\e[3~", true));
        assert_eq!(delete, vec![KeyEvent(KeyCode::Delete, Modifiers::NONE)]);
        assert_eq!(
            key_events(&key_bytes(r"\C-t", true)),
            vec![KeyEvent::ctrl('T')]
        );
        assert_eq!(
            key_events(&key_bytes(r"\M-x", true)),
            vec![KeyEvent::alt('x')]
        );
        assert_eq!(
            key_events(&key_bytes(r"\C-x\C-r", true)),
            vec![KeyEvent::ctrl('X'), KeyEvent::ctrl('R')]
        );
        assert_eq!(key_bytes("Control-u", false), vec![0x15]);
        assert_eq!(key_bytes("Meta-Rubout", false), vec![0x1b, 0x7f]);
        assert_eq!(key_text(&key_bytes(r"\C-t\ea", true)), r"\C-t\ea");
    }

    #[test]
    fn every_listed_function_is_known() {
        for f in FUNCTIONS {
            assert!(command(f).is_some(), "{f}");
        }
        assert!(FUNCTIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(command("no-such-function").is_none());
    }

    #[test]
    fn inputrc_conditionals_and_variables() {
        let dir = std::env::temp_dir().join(format!("auditsh-inputrc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("inputrc");
        std::fs::write(
            &file,
            "set bell-style none\n$if mode=vi\nset keyseq-timeout 10\n$else\n\"\\C-t\": backward-char\n$endif\n$if Python\n\"\\C-y\": kill-line\n$endif\n",
        )
        .unwrap();
        let mut r = Readline::default();
        let mut vi = false;
        r.read_file(&file, &mut vi, "xterm", 0);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(r.var("bell-style"), Some("none"));
        assert_eq!(r.var("keyseq-timeout"), Some("500"));
        assert_eq!(
            r.keys,
            vec![(vec![0x14], "backward-char".to_string(), false)]
        );
        r.apply(Directive::Set("editing-mode".into(), "vi".into()), &mut vi);
        assert!(vi);
    }
}
