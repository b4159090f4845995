//! Tab completion: command names in command position (built-ins, functions, aliases, reserved
//! words, executables on PATH), `$NAME`/`${NAME` variables, and file names everywhere else
//! (quoted for the shell, `~` understood, directories ending in `/`).
//!
//! The completer cannot reach the shell while the line is being edited, so the read-eval loop
//! hands it a snapshot of the names before each prompt ([`Names`]); the shell itself is lent to
//! it while a line is read ([`ShellAccess`]), for the specifications of `complete`
//! ([`programmable`]).

pub mod programmable;

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::state::Shell;

/// The names the completer offers, as the shell had them when the prompt was shown.
#[derive(Debug, Default, Clone)]
pub struct Names {
    /// Functions and aliases, sorted.
    pub commands: Vec<String>,
    /// Variable names, sorted.
    pub variables: Vec<String>,
    pub path: String,
    pub home: Option<String>,
    pub cwd: String,
    /// readline's `completion-ignore-case`: a name matches what is typed in any case.
    pub ignore_case: bool,
}

impl Names {
    /// Whether `name` completes `typed`.
    fn matches(&self, name: &str, typed: &str) -> bool {
        match self.ignore_case {
            false => name.starts_with(typed),
            true => name.to_lowercase().starts_with(&typed.to_lowercase()),
        }
    }
}

impl Names {
    /// The snapshot of `sh` (names that are not UTF-8 cannot be typed into the editor and are
    /// left out).
    pub fn of(sh: &Shell) -> Names {
        let text = |b: &[u8]| std::str::from_utf8(b).ok().map(str::to_string);
        let mut commands: Vec<String> = sh
            .functions
            .keys()
            .chain(sh.aliases.keys())
            .filter_map(|k| text(k))
            .collect();
        commands.sort();
        commands.dedup();
        let variables = sh
            .vars
            .sorted()
            .into_iter()
            .filter(|(_, v)| v.value.is_some())
            .filter_map(|(k, _)| text(k))
            .collect();
        Names {
            commands,
            variables,
            path: sh.get_var(b"PATH").and_then(text).unwrap_or_default(),
            home: sh.get_var(b"HOME").and_then(text),
            cwd: text(&sh.cwd).unwrap_or_else(|| ".".to_string()),
            ignore_case: sh.readline.var("completion-ignore-case") == Some("on"),
        }
    }
}

/// The shell, lent to the completer while the read-eval loop waits for a line, so that
/// completion functions (`complete -F`) can run.
#[derive(Clone, Default, Debug)]
pub struct ShellAccess(Rc<Cell<Option<NonNull<Shell>>>>);

impl ShellAccess {
    /// Run `read` with the shell reachable from the completer. The shell is borrowed for the
    /// whole call, so nothing else uses it meanwhile.
    pub fn lend<R>(&self, sh: &mut Shell, read: impl FnOnce() -> R) -> R {
        self.0.set(Some(NonNull::from(sh)));
        let result = read();
        self.0.set(None);
        result
    }

    /// Run `f` on the lent shell, if it is lent (and not already in use by an outer call).
    pub fn with<R>(&self, f: impl FnOnce(&mut Shell) -> R) -> Option<R> {
        let mut ptr = self.0.take()?;
        // SAFETY: the pointer comes from the `&mut Shell` that `lend` holds for the duration
        // of the read, during which nothing else touches the shell; it is taken out of the
        // cell while in use, so no second `&mut` is made from it.
        let result = f(unsafe { ptr.as_mut() });
        self.0.set(Some(ptr));
        Some(result)
    }
}

/// The rustyline helper: completion only (no hints, colours or validation).
pub struct ShellHelper {
    pub names: Rc<RefCell<Names>>,
    pub shell: ShellAccess,
}

impl Helper for ShellHelper {}
impl Hinter for ShellHelper {
    type Hint = String;
}
impl Validator for ShellHelper {}
impl Highlighter for ShellHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let names = self.names.borrow();
        // A program a completion function runs in the foreground gets the terminal, and the
        // shell puts back the modes it had before the prompt: the editor's are put back here.
        let modes = crate::sys::fd::terminal_modes(0).ok();
        let programmed = self
            .shell
            .with(|sh| programmable::complete(sh, &names, line, pos));
        if let Some(modes) = &modes {
            crate::sys::fd::set_terminal_modes(0, modes);
        }
        if let Some(Some(found)) = programmed {
            return Ok(found);
        }
        Ok(complete(&names, line, pos))
    }
}

/// Completion of the word that ends at `pos` in `line`: where the replaced text starts, and
/// the candidates.
pub(super) fn complete(names: &Names, line: &str, pos: usize) -> (usize, Vec<Pair>) {
    let pos = pos.min(line.len());
    if !line.is_char_boundary(pos) {
        return (pos, Vec::new());
    }
    let before = &line[..pos];
    let start = word_start(before);
    let word = &before[start..];
    if let Some((at, braced, prefix)) = variable_being_typed(word) {
        let close = if braced { "}" } else { "" };
        let list = names
            .variables
            .iter()
            .filter(|v| v.starts_with(prefix))
            .map(|v| Pair {
                display: v.clone(),
                replacement: format!("{v}{close}"),
            })
            .collect();
        return (start + at, list);
    }
    if is_command_position(&before[..start]) && !word.contains('/') && !word.starts_with('~') {
        if is_assignment(word) {
            let eq = word.find('=').unwrap_or(0) + 1;
            return (start + eq, file_candidates(names, &word[eq..]));
        }
        return (start, command_candidates(names, &unquote(word)));
    }
    // `NAME=value` and `--option=value`: the value is the file name.
    if let Some(eq) = word.find('=') {
        if is_assignment(word) || word.starts_with('-') {
            return (start + eq + 1, file_candidates(names, &word[eq + 1..]));
        }
    }
    (start, file_candidates(names, word))
}

/// Where the word under the cursor starts: after the last unquoted blank or operator.
pub(super) fn word_start(before: &str) -> usize {
    after_last_unquoted(before.as_bytes(), |b| {
        matches!(
            b,
            b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' | b'`'
        )
    })
}

/// Where the text after the last unquoted byte that `ends_word` accepts starts (a backslash
/// escapes the byte after it; quotes hide what they enclose).
pub(super) fn after_last_unquoted(before: &[u8], ends_word: impl Fn(u8) -> bool) -> usize {
    let mut start = 0;
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < before.len() {
        let b = before[i];
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                } else if q == b'"' && b == b'\\' {
                    i += 1;
                }
            }
            None => match b {
                b'\\' => i += 1,
                b'\'' | b'"' => quote = Some(b),
                _ if ends_word(b) => start = i + 1,
                _ => {}
            },
        }
        i += 1;
    }
    start.min(before.len())
}

/// The word is a command name if what precedes it ends a command or is a reserved word that
/// a command follows (assignments before a command name are skipped).
fn is_command_position(before: &str) -> bool {
    let mut rest = before.trim_end();
    loop {
        if rest.is_empty() {
            return true;
        }
        let last = rest.as_bytes()[rest.len() - 1];
        if matches!(last, b';' | b'&' | b'|' | b'(' | b'`' | b'{' | b'!') {
            // `{` and `!` only as words of their own; `${` is no command position.
            if last == b'{' || last == b'!' {
                let before_it = &rest[..rest.len() - 1];
                return before_it.is_empty() || before_it.ends_with([' ', '\t', ';', '(']);
            }
            return true;
        }
        let w_start = word_start(rest);
        let word = &rest[w_start..];
        if matches!(
            word,
            "then" | "do" | "else" | "elif" | "if" | "while" | "until" | "time"
        ) {
            return true;
        }
        if is_assignment(word) {
            rest = rest[..w_start].trim_end();
            continue;
        }
        return false;
    }
}

fn is_assignment(word: &str) -> bool {
    match word.find('=') {
        Some(eq) if eq > 0 => crate::state::vars::is_name(&word.as_bytes()[..eq]),
        _ => false,
    }
}

/// `$NAME` or `${NAME` at the end of the word: (offset of NAME in the word, braced, NAME).
fn variable_being_typed(word: &str) -> Option<(usize, bool, &str)> {
    let dollar = word.rfind('$')?;
    if dollar > 0 && word.as_bytes()[dollar - 1] == b'\\' {
        return None;
    }
    if word.starts_with('\'') {
        return None;
    }
    let after = &word[dollar + 1..];
    let (braced, name) = match after.strip_prefix('{') {
        Some(n) => (true, n),
        None => (false, after),
    };
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    if name.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let at = dollar + 1 + usize::from(braced);
    Some((at, braced, name))
}

fn command_candidates(names: &Names, prefix: &str) -> Vec<Pair> {
    let mut found: Vec<String> = Vec::new();
    for b in crate::builtins::all()
        .iter()
        .chain(crate::builtins::bash_only())
    {
        if names.matches(b.name, prefix) {
            found.push(b.name.to_string());
        }
    }
    // The reserved words that are words (not `!`, `{`, `}`).
    let words = crate::syntax::parser::reserved_words().filter(|w| w.len() > 1);
    for k in words {
        if names.matches(k, prefix) {
            found.push(k.to_string());
        }
    }
    for c in &names.commands {
        if names.matches(c, prefix) {
            found.push(c.clone());
        }
    }
    for dir in names.path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if !names.matches(&name, prefix) || (prefix.is_empty() && name.starts_with('.')) {
                continue;
            }
            if is_executable_file(&entry.path()) {
                found.push(name);
            }
        }
    }
    found.sort();
    found.dedup();
    let unique = found.len() == 1;
    found
        .into_iter()
        .map(|name| {
            let mut replacement = quote(&name, false);
            if unique {
                replacement.push(' ');
            }
            Pair {
                display: name,
                replacement,
            }
        })
        .collect()
}

fn is_executable_file(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) => m.is_file() && m.permissions().mode() & 0o111 != 0,
        Err(_) => false,
    }
}

pub(super) fn file_candidates(names: &Names, word: &str) -> Vec<Pair> {
    let typed = unquote(word);
    // `~` or `~/...`: the home directory (kept as `~` in the line).
    let (shown_base, real_base, rest) = match typed.strip_prefix('~') {
        Some(r) if r.is_empty() || r.starts_with('/') => match &names.home {
            Some(home) => ("~".to_string(), home.trim_end_matches('/').to_string(), r),
            None => (String::new(), String::new(), typed.as_str()),
        },
        _ => (String::new(), String::new(), typed.as_str()),
    };
    if !shown_base.is_empty() && rest.is_empty() {
        // `~` alone completes to `~/`.
        return vec![Pair {
            display: "~/".to_string(),
            replacement: "~/".to_string(),
        }];
    }
    let (dir_part, prefix) = match rest.rfind('/') {
        Some(p) => (&rest[..=p], &rest[p + 1..]),
        None => ("", rest),
    };
    let real_dir = if !real_base.is_empty() {
        format!("{real_base}{dir_part}")
    } else if dir_part.starts_with('/') {
        dir_part.to_string()
    } else if dir_part.is_empty() {
        names.cwd.clone()
    } else {
        format!("{}/{}", names.cwd, dir_part)
    };
    let real_dir = if real_dir.is_empty() {
        "/".to_string()
    } else {
        real_dir
    };
    let Ok(entries) = std::fs::read_dir(&real_dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, bool)> = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !names.matches(&name, prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
            continue;
        }
        let is_dir = std::fs::metadata(entry.path())
            .map(|m| m.is_dir())
            .unwrap_or(false);
        found.push((name, is_dir));
    }
    found.sort();
    let unique = found.len() == 1;
    found
        .into_iter()
        .map(|(name, is_dir)| {
            let mut replacement = shown_base.clone();
            let whole = format!("{dir_part}{name}");
            replacement.push_str(&quote(&whole, !shown_base.is_empty()));
            let mut display = name;
            if is_dir {
                replacement.push('/');
                display.push('/');
            } else if unique {
                replacement.push(' ');
            }
            Pair {
                display,
                replacement,
            }
        })
        .collect()
}

/// The word as the shell would see it after quote removal (enough for names being typed).
pub(super) fn unquote(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') | (Some('"'), '\\') => {
                if let Some(&n) = chars.peek() {
                    if quote.is_none() || matches!(n, '$' | '`' | '"' | '\\') {
                        out.push(n);
                        chars.next();
                    } else {
                        out.push(c);
                    }
                }
            }
            (None, '\'') | (None, '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (_, c) => out.push(c),
        }
    }
    out
}

/// `name` quoted so that the shell reads it back as it is: backslashes before special
/// characters; single quotes when it holds control characters (a newline cannot be
/// backslash-quoted). `after_tilde`: the text follows `~`, so a leading `~` is not special.
pub fn quote(name: &str, after_tilde: bool) -> String {
    if name.chars().any(|c| c.is_control()) {
        return format!("'{}'", name.replace('\'', "'\\''"));
    }
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        let special = matches!(
            c,
            ' ' | '\\'
                | '\''
                | '"'
                | '$'
                | '`'
                | '&'
                | '*'
                | '?'
                | '['
                | ']'
                | '|'
                | ';'
                | '<'
                | '>'
                | '('
                | ')'
                | '{'
                | '}'
                | '!'
        ) || (i == 0 && !after_tilde && matches!(c, '~' | '#'));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &str) -> Names {
        Names {
            commands: vec!["myfunc".to_string()],
            variables: vec![
                "HOME".to_string(),
                "HOSTNAME".to_string(),
                "PATH".to_string(),
            ],
            path: String::new(),
            home: Some(dir.to_string()),
            cwd: dir.to_string(),
            ignore_case: false,
        }
    }

    #[test]
    fn completion_ignore_case_matches_names_in_any_case() {
        let dir = std::env::temp_dir().join(format!("auditsh-compl-case-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("Documents"));
        let _ = std::fs::write(dir.join("README"), b"");
        let d = dir.to_string_lossy().to_string();
        let mut n = names(&d);
        assert_eq!(replacements(complete(&n, "cd doc", 6)), (3, vec![]));
        n.ignore_case = true;
        assert_eq!(
            replacements(complete(&n, "cd doc", 6)),
            (3, vec!["Documents/".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "cat read", 8)),
            (4, vec!["README ".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "MYF", 3)),
            (0, vec!["myfunc ".to_string()])
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn replacements(r: (usize, Vec<Pair>)) -> (usize, Vec<String>) {
        (r.0, r.1.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn commands_in_command_position() {
        let n = names("/nonexistent");
        assert_eq!(
            replacements(complete(&n, "myf", 3)),
            (0, vec!["myfunc ".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "echo a; unal", 12)),
            (8, vec!["unalias ".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "X=1 whi", 7)),
            (4, vec!["while ".to_string()])
        );
        assert!(is_command_position("if true; then "));
        assert!(!is_command_position("echo "));
    }

    #[test]
    fn variables_after_dollar() {
        let n = names("/nonexistent");
        assert_eq!(
            replacements(complete(&n, "echo $HO", 8)),
            (6, vec!["HOME".to_string(), "HOSTNAME".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "echo \"${PA", 10)),
            (8, vec!["PATH}".to_string()])
        );
    }

    #[test]
    fn files_are_quoted() {
        let dir = std::env::temp_dir().join(format!("auditsh-compl-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("sub dir"));
        let _ = std::fs::write(dir.join("my file&x"), b"");
        let d = dir.to_string_lossy().to_string();
        let n = names(&d);
        assert_eq!(
            replacements(complete(&n, "cat my", 6)),
            (4, vec!["my\\ file\\&x ".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "cd ~/su", 7)),
            (3, vec!["~/sub\\ dir/".to_string()])
        );
        assert_eq!(
            replacements(complete(&n, "cat \"my f", 9)),
            (4, vec!["my\\ file\\&x ".to_string()])
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn odd_input_does_not_panic() {
        let n = names("/nonexistent");
        for line in [
            "", "$", "${", "\\", "'", "\"", "é$é", "~", "a\\", "echo ${}",
        ] {
            for pos in 0..=line.len() + 1 {
                let _ = complete(&n, line, pos);
            }
        }
    }
}
