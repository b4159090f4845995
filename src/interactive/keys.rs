//! Key bindings the shell adds to the line editor's, as bash users know them: Alt-. (the last
//! word of an earlier command, older ones on repeat), Ctrl-X Ctrl-E and vi's `v` (edit the line
//! in `$VISUAL`/`$EDITOR`, then run it), Ctrl-L in every mode, Enter typed right after
//! Escape in vi mode, and the keys `bind -x` binds to shell commands.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustyline::{
    Cmd, ConditionalEventHandler, EditMode, Event, EventContext, EventHandler, InputMode, KeyCode,
    KeyEvent, Modifiers, Movement, RepeatCount,
};

/// What the command `fc` runs when the line is to be edited: bash's edit-and-execute-command.
pub const EDIT_COMMAND: &[u8] = b"fc -e \"${VISUAL:-${EDITOR:-vi}}\"\n";

/// The last words of the history entries, for Alt-., and where a run of Alt-. stands.
#[derive(Default)]
pub struct LastWords {
    /// The last word of each entry, oldest first.
    words: Vec<String>,
    /// After an Alt-.: the line and cursor it left, the word's index and its length.
    cycle: Option<(String, usize, usize, usize)>,
}

impl LastWords {
    pub fn clear(&mut self) {
        self.words.clear();
        self.cycle = None;
    }

    pub fn push(&mut self, entry: &[u8]) {
        let words = super::history_expand::split_words(entry);
        if let Some(last) = words.last() {
            self.words.push(String::from_utf8_lossy(last).into_owned());
        }
    }
}

struct YankLastWord(Arc<Mutex<LastWords>>);

impl ConditionalEventHandler for YankLastWord {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let mut state = self.0.lock().ok()?;
        let count = state.words.len();
        // The same key again right after: the word before the one inserted replaces it.
        let (index, replace) = match &state.cycle {
            Some((line, pos, index, len)) if line == ctx.line() && *pos == ctx.pos() => {
                (index.checked_sub(1)?, Some(*len))
            }
            _ => (count.checked_sub(1)?, None),
        };
        let word = state.words.get(index)?.clone();
        let mut line = ctx.line().to_string();
        let mut pos = ctx.pos();
        if let Some(len) = replace {
            let start = line[..pos]
                .char_indices()
                .rev()
                .nth(len.saturating_sub(1))
                .map_or(pos, |(i, _)| i);
            line.replace_range(start..pos, "");
            pos = start;
        }
        line.insert_str(pos, &word);
        let end = pos + word.len();
        let before_cursor = line[..end].to_string();
        state.cycle = Some((line, end, index, word.chars().count()));
        Some(match replace {
            // The editor gives a movement's count the key's own (1): the text before the
            // cursor is replaced as a whole instead.
            Some(_) => Cmd::Replace(Movement::BeginningOfLine, Some(before_cursor)),
            None => Cmd::Insert(1, word),
        })
    }
}

/// Ctrl-X Ctrl-E (and `v` in vi's command mode): accept the line, marked to be edited.
struct EditLine {
    requested: Arc<AtomicBool>,
    vi_command_only: bool,
}

impl ConditionalEventHandler for EditLine {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        if self.vi_command_only
            && (ctx.mode() != EditMode::Vi || ctx.input_mode() != InputMode::Command)
        {
            return None;
        }
        self.requested.store(true, Ordering::SeqCst);
        Some(Cmd::AcceptLine)
    }
}

/// Escape then Enter within the editor's wait for an escape sequence arrives as Alt-Enter: in
/// vi mode that is the user leaving insert mode and accepting the line.
struct ViEscapeEnter;

impl ConditionalEventHandler for ViEscapeEnter {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        (ctx.mode() == EditMode::Vi).then_some(Cmd::AcceptLine)
    }
}

/// A key bound to a shell command was typed: the command, and the line as it stood (the
/// editor gives the line back as accepted; the reader runs the command, then edits on).
#[derive(Debug, Clone)]
pub struct KeyCommand {
    pub keys: Vec<u8>,
    pub command: String,
    pub line: String,
    /// The cursor, a byte offset in `line`.
    pub point: usize,
}

/// A key sequence bound to shell commands (in one or more keymaps): in a keymap with none it
/// does what it did before.
struct RunsCommand {
    keys: Vec<u8>,
    /// Keymap (`emacs`, `vi-insert`, `vi-command`) and command.
    commands: Vec<(&'static str, String)>,
    fallback: Option<Cmd>,
    request: Arc<Mutex<Option<KeyCommand>>>,
}

impl ConditionalEventHandler for RunsCommand {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext) -> Option<Cmd> {
        let keymap = match (ctx.mode(), ctx.input_mode()) {
            (EditMode::Vi, InputMode::Command) => "vi-command",
            (EditMode::Vi, _) => "vi-insert",
            _ => "emacs",
        };
        let Some((_, command)) = self.commands.iter().find(|(k, _)| *k == keymap) else {
            return self.fallback.clone();
        };
        let request = KeyCommand {
            keys: self.keys.clone(),
            command: command.clone(),
            line: ctx.line().to_string(),
            point: ctx.pos(),
        };
        *self.request.lock().ok()? = Some(request);
        Some(Cmd::AcceptLine)
    }
}

/// Add the shell's bindings to `editor`.
pub fn bind<H: rustyline::Helper, I: rustyline::history::History>(
    editor: &mut rustyline::Editor<H, I>,
    last_words: &Arc<Mutex<LastWords>>,
    edit: &Arc<AtomicBool>,
) {
    let conditional = |h: Box<dyn ConditionalEventHandler>| EventHandler::Conditional(h);
    editor.bind_sequence(
        KeyEvent::alt('.'),
        conditional(Box::new(YankLastWord(Arc::clone(last_words)))),
    );
    editor.bind_sequence(
        Event::KeySeq(vec![KeyEvent::ctrl('X'), KeyEvent::ctrl('E')]),
        conditional(Box::new(EditLine {
            requested: Arc::clone(edit),
            vi_command_only: false,
        })),
    );
    editor.bind_sequence(
        KeyEvent(KeyCode::Char('v'), Modifiers::NONE),
        conditional(Box::new(EditLine {
            requested: Arc::clone(edit),
            vi_command_only: true,
        })),
    );
    editor.bind_sequence(KeyEvent::ctrl('L'), EventHandler::Simple(Cmd::ClearScreen));
    editor.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::ALT),
        conditional(Box::new(ViEscapeEnter)),
    );
}

/// Give the editor the bindings and variables of `bind` and the inputrc file; returns the key
/// sequences bound. A function the editor lacks leaves its keys as they were.
pub fn bind_user<H: rustyline::Helper, I: rustyline::history::History>(
    editor: &mut rustyline::Editor<H, I>,
    readline: &super::inputrc::Readline,
    key_command: &Arc<Mutex<Option<KeyCommand>>>,
) -> Vec<Vec<KeyEvent>> {
    use rustyline::config::{BellStyle, Configurer};
    // Only what was set: the editor's own defaults (a timeout for vi's Escape only) stay.
    let number = |name: &str| readline.set_value(name).and_then(|v| v.parse::<u16>().ok());
    if let Some(bell) = readline.set_value("bell-style") {
        editor.set_bell_style(match bell {
            "none" | "off" => BellStyle::None,
            "visible" => BellStyle::Visible,
            _ => BellStyle::Audible,
        });
    }
    if let Some(show) = readline.set_value("show-all-if-ambiguous") {
        editor.set_completion_show_all_if_ambiguous(show == "on");
    }
    if let Some(n) = number("completion-query-items") {
        editor.set_completion_prompt_limit(usize::from(n));
    }
    if let Some(ms) = number("keyseq-timeout") {
        editor.set_keyseq_timeout(Some(ms));
    }
    if let Some(paste) = readline.set_value("enable-bracketed-paste") {
        editor.enable_bracketed_paste(paste == "on");
    }
    let mut plain: Vec<(&[u8], Cmd)> = Vec::new();
    for (bytes, target, is_macro) in &readline.keys {
        let cmd = if *is_macro {
            // The text is typed; a final newline would accept the line, which a single
            // binding cannot do after an insert: the text stays for Enter.
            let text = target.trim_end_matches(['\n', '\r']);
            Cmd::Insert(1, text.to_string())
        } else if target.is_empty() {
            // Unbound with `bind -r` or `-u`: the key does nothing.
            Cmd::Noop
        } else {
            match super::inputrc::command(target) {
                Some(cmd) => cmd,
                None => continue,
            }
        };
        plain.push((bytes, cmd));
    }
    // Keys that run shell commands, each sequence once with its command in each keymap.
    let mut commands: Vec<RunsCommand> = Vec::new();
    for c in &readline.commands {
        match commands.iter_mut().find(|r| r.keys == c.keys) {
            Some(r) => r.commands.push((c.keymap, c.command.clone())),
            None => commands.push(RunsCommand {
                keys: c.keys.clone(),
                commands: vec![(c.keymap, c.command.clone())],
                fallback: None,
                request: Arc::clone(key_command),
            }),
        }
    }
    let mut bound = Vec::new();
    for (bytes, cmd) in plain {
        if let Some(r) = commands.iter_mut().find(|r| r.keys == bytes) {
            r.fallback = Some(cmd);
            continue;
        }
        let keys = super::inputrc::key_events(bytes);
        if !keys.is_empty() {
            editor.bind_sequence(Event::KeySeq(keys.clone()), EventHandler::Simple(cmd));
            bound.push(keys);
        }
    }
    for r in commands {
        let keys = super::inputrc::key_events(&r.keys);
        if !keys.is_empty() {
            editor.bind_sequence(
                Event::KeySeq(keys.clone()),
                EventHandler::Conditional(Box::new(r)),
            );
            bound.push(keys);
        }
    }
    bound
}
