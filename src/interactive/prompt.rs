//! Prompt expansion, in bash's two passes. The backslash escapes (`\u \h \H \w \W \$ \t \T
//! \@ \A \d \D{fmt} \n \r \s \v \V \j \l \# \! \e \a \nnn \\`, `\[ \]` as readline's
//! markers) are replaced first; then, under `shopt -s promptvars` (the default), the result goes
//! through parameter expansion, command substitution and arithmetic expansion as inside double
//! quotes (as dash expands PS1). The text an escape produces (a directory name, say) is not
//! expanded again.

use crate::sys::clib::local_now;
use std::sync::OnceLock;

use crate::state::{Frame, Shell};

/// The prompt a user sees when the environment gives none: who, where, and `$` or `#`.
pub const DEFAULT_INTERACTIVE_PS1: &[u8] = b"\\u@\\h:\\w\\$ ";

/// The value of the prompt variable `var`, expanded; the raw value if it does not parse.
pub fn expand(sh: &mut Shell, var: &[u8]) -> Vec<u8> {
    let Some(raw) = sh.get_var(var).map(|v| v.to_vec()) else {
        return Vec::new();
    };
    expand_text(sh, var, raw)
}

/// bash's `PS0`: expanded as a prompt and shown after a command is read, before it runs.
pub fn show_ps0(sh: &mut Shell) {
    if sh.get_var(b"PS0").is_none_or(|v| v.is_empty()) {
        return;
    }
    let mut shown = expand(sh, b"PS0");
    // The markers of `\[ \]` are for the line editor.
    shown.retain(|&b| b != 0x01 && b != 0x02);
    crate::sys::fd::write_all(2, &shown);
}

/// Prompt text `raw` expanded as a prompt is (bash's `${x@P}` too); programs it starts are
/// recorded as coming from `origin`.
pub fn expand_text(sh: &mut Shell, origin: &[u8], raw: Vec<u8>) -> Vec<u8> {
    let var = origin;
    let replaced = replace_escapes(sh, &raw);
    // Without `shopt -s promptvars` the escapes are all there is.
    if !sh.options.shopt.on(crate::state::shopt::PROMPTVARS) {
        return replaced.into_iter().map(|(b, _)| b).collect();
    }
    let quoted = double_quoted(&replaced);
    let word = match crate::syntax::parse_all_in(&quoted, sh.options.bash()) {
        Ok(list) => list
            .items
            .first()
            .and_then(|item| match &item.and_or.first.commands.first() {
                Some(crate::syntax::ast::Command::Simple(sc)) => sc.words.first().cloned(),
                _ => None,
            }),
        Err(_) => None,
    };
    let Some(word) = word else {
        return raw;
    };
    // A command substitution in the prompt does not change `$?`; programs it starts
    // (`PS1='$(git branch)'`) run outside any command line: their records name the variable
    // they came from instead.
    // `$LINENO` in PS4 is the line of the command traced.
    let line = if var == b"PS4" { sh.lineno } else { 0 };
    let mut keeping_status = sh.push_frame(Frame::KeepStatus);
    let mut sh = keeping_status.push_frame(Frame::Origin {
        name: var.to_vec(),
        line,
    });
    crate::expand::expand_word(&mut sh, &word).unwrap_or(raw)
}

/// The first pass of prompt expansion: the backslash escapes replaced. Each byte says whether
/// it is to come out as it is (the text an escape produced) or to go through the second pass
/// (the prompt's own text, and what `\\` and an unknown `\X` leave).
fn replace_escapes(sh: &Shell, raw: &[u8]) -> Vec<(u8, bool)> {
    sh.use_time_zone();
    let mut out = Vec::with_capacity(raw.len() + 16);
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            out.push((b, false));
            i += 1;
            continue;
        }
        let Some(&c) = raw.get(i + 1) else {
            out.push((b'\\', false));
            break;
        };
        i += 2;
        let text: Vec<u8> = match c {
            b'D' if raw.get(i) == Some(&b'{') => {
                let Some(len) = raw[i..].iter().position(|&b| b == b'}') else {
                    out.extend([(b'\\', false), (b'D', false)]);
                    continue;
                };
                let format = &raw[i + 1..i + len];
                i += len + 1;
                // An empty format is the locale's time, as in bash.
                local_now(if format.is_empty() { b"%X" } else { format })
            }
            b'0'..=b'7' => {
                let digits = raw[i - 1..]
                    .iter()
                    .take(3)
                    .take_while(|b| (b'0'..=b'7').contains(b))
                    .count();
                let value = raw[i - 1..i - 1 + digits]
                    .iter()
                    .fold(0u32, |v, &d| v * 8 + u32::from(d - b'0'));
                i += digits - 1;
                vec![value as u8]
            }
            b'j' => sh.jobs.count().to_string().into_bytes(),
            b'l' => {
                let tty = crate::sys::fd::tty_name(0).unwrap_or_else(|| b"tty".to_vec());
                basename(&tty).to_vec()
            }
            b'v' => {
                let v = env!("CARGO_PKG_VERSION");
                let mut parts = v.splitn(3, '.');
                let major = parts.next().unwrap_or("0");
                let minor = parts.next().unwrap_or("0");
                format!("{major}.{minor}").into_bytes()
            }
            b'V' => env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
            // bash numbers the commands it reads one at a time; a `-c` string is one text,
            // command 0.
            b'#' => sh
                .history
                .commands_entered()
                .saturating_add(usize::from(!sh.options.command_string))
                .to_string()
                .into_bytes(),
            b'!' => sh.history.current_number().to_string().into_bytes(),
            b'u' => user_name(),
            b'h' => {
                let h = host_name();
                h.split(|&b| b == b'.').next().unwrap_or(&[]).to_vec()
            }
            b'H' => host_name(),
            b'w' => {
                let trim = sh
                    .get_var(b"PROMPT_DIRTRIM")
                    .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse::<usize>().ok());
                let w = tilde_home(sh, &sh.cwd);
                match trim {
                    Some(n) if n > 0 => dir_trimmed(&w, n),
                    _ => w,
                }
            }
            b'W' => {
                let w = tilde_home(sh, &sh.cwd);
                if w == b"~" || w == b"/" {
                    w
                } else {
                    let trimmed = w.strip_suffix(b"/").unwrap_or(&w);
                    match trimmed.iter().rposition(|&b| b == b'/') {
                        Some(p) => trimmed[p + 1..].to_vec(),
                        None => trimmed.to_vec(),
                    }
                }
            }
            // Readline's markers around text that takes no room on the screen, for the line
            // editor; nothing without one.
            b'[' | b']' if !sh.options.interactive => Vec::new(),
            b'[' => b"\x01".to_vec(),
            b']' => b"\x02".to_vec(),
            b'$' => {
                if crate::sys::process::euid() == 0 {
                    b"#".to_vec()
                } else {
                    b"$".to_vec()
                }
            }
            b't' => local_now(b"%H:%M:%S"),
            b'T' => local_now(b"%I:%M:%S"),
            b'@' => local_now(b"%I:%M %p"),
            b'A' => local_now(b"%H:%M"),
            b'd' => local_now(b"%a %b %d"),
            // Plain characters, which the second pass reads as it reads the prompt's own.
            b'n' | b'r' | b'e' | b'a' => {
                let plain = match c {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b'e' => 0x1b,
                    _ => 0x07,
                };
                out.push((plain, false));
                continue;
            }
            b's' => basename(&sh.arg0).to_vec(),
            // Left for the second pass, which reads `\\` and `\X` as inside double quotes.
            b'\\' => {
                out.push((b'\\', false));
                continue;
            }
            other => {
                out.extend([(b'\\', false), (other, false)]);
                continue;
            }
        };
        out.extend(text.into_iter().map(|t| (t, true)));
    }
    out
}

/// The first pass's text inside double quotes, ready for the second pass (parameter
/// expansion, command substitution, arithmetic): what an escape produced is quoted to come
/// out as it is; a backslash before `$`, `` ` ``, `"`, `\\` or a newline quotes that
/// character (the newline goes), any other stays.
fn double_quoted(text: &[(u8, bool)]) -> Vec<u8> {
    let special = |b: u8| matches!(b, b'$' | b'`' | b'"' | b'\\');
    let mut q = Vec::with_capacity(text.len() + 16);
    q.push(b'"');
    // The closers awaited inside `$(...)` and `${...}`: their text is a command or a word of
    // its own, whose quotes are its own (`$(echo "a b")`).
    let mut inside: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let (b, produced) = text[i];
        i += 1;
        if !produced {
            let opens = match (b, text.get(i)) {
                (b'$', Some(&(b'(', false))) => Some(b')'),
                (b'$', Some(&(b'{', false))) => Some(b'}'),
                (b'(', _) if !inside.is_empty() => Some(b')'),
                (b'{', _) if !inside.is_empty() => Some(b'}'),
                _ => None,
            };
            if let Some(closer) = opens {
                inside.push(closer);
                q.push(b);
                if b == b'$' {
                    q.push(text[i].0);
                    i += 1;
                }
                continue;
            }
            if inside.last() == Some(&b) {
                inside.pop();
                q.push(b);
                continue;
            }
            if !inside.is_empty() && b == b'"' {
                q.push(b);
                continue;
            }
        }
        if !produced && b == b'\\' {
            match text.get(i) {
                Some(&(b'\n', false)) => i += 1,
                Some(&(next, false)) if special(next) => {
                    q.extend([b'\\', next]);
                    i += 1;
                }
                _ => q.extend_from_slice(b"\\\\"),
            }
            continue;
        }
        if (produced && special(b)) || b == b'"' {
            q.push(b'\\');
        }
        q.push(b);
    }
    q.push(b'"');
    q
}

/// The last component of a path.
fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(p) => &path[p + 1..],
        None => path,
    }
}

/// Run `PROMPT_COMMAND` before a primary prompt: its value, or each element of the array
/// (bash 5.1). `$?` is kept for the prompt; the programs it starts are recorded as coming
/// from `PROMPT_COMMAND`. Some(status) when it ran `exit`.
pub fn run_prompt_command(sh: &mut Shell) -> Option<i32> {
    let commands: Vec<Vec<u8>> = match sh.vars.array(b"PROMPT_COMMAND") {
        Some(array) => array.values(),
        None => vec![sh.get_var(b"PROMPT_COMMAND")?.to_vec()],
    };
    let mut keeping_status = sh.push_frame(Frame::KeepStatus);
    let mut sh = keeping_status.push_frame(Frame::Origin {
        name: b"PROMPT_COMMAND".to_vec(),
        line: 0,
    });
    for text in commands.iter().filter(|t| !t.is_empty()) {
        let result =
            crate::exec::eval::run_text(&mut sh, text, None, crate::exec::Context::default());
        if let Err(crate::exec::Divert::Exit(status)) = result {
            return Some(status);
        }
    }
    None
}

/// `\w` under `PROMPT_DIRTRIM=n`: the last `n` directories, the ones before them (after a `~/`)
/// written as `...` (`~/.../c/d`, `.../share/doc`).
fn dir_trimmed(dir: &[u8], n: usize) -> Vec<u8> {
    let start = match dir.first() {
        Some(b'~') => match dir.iter().position(|&b| b == b'/') {
            Some(slash) => slash + 1,
            None => return dir.to_vec(),
        },
        _ => 0,
    };
    let rest = &dir[start..];
    if rest.iter().filter(|&&b| b == b'/').count() < n {
        return dir.to_vec();
    }
    // bash keeps a path whose trimmed part is no longer than the `...` it would become.
    // The slash before the n-th last directory (a slash at the very start does not count).
    let Some(cut) = rest
        .iter()
        .enumerate()
        .skip(1)
        .rev()
        .filter(|(_, &b)| b == b'/')
        .nth(n - 1)
        .map(|(i, _)| start + i)
    else {
        return dir.to_vec();
    };
    if cut - start <= 3 {
        return dir.to_vec();
    }
    [&dir[..start], b"...", &dir[cut..]].concat()
}

/// `dir` with a leading `$HOME` written as `~` (bash's rule: a HOME of more than `/`, matched
/// as it is, trailing slash included, up to a `/` of `dir` or its end).
fn tilde_home(sh: &Shell, dir: &[u8]) -> Vec<u8> {
    if let Some(home) = sh.get_var(b"HOME").filter(|h| h.len() > 1) {
        if let Some(rest) = dir.strip_prefix(home) {
            if rest.is_empty() || rest[0] == b'/' {
                return [b"~", rest].concat();
            }
        }
    }
    dir.to_vec()
}

/// The login name of the real user (from the password database, else `$USER` as the
/// environment had it, else the uid), looked up once.
fn user_name() -> Vec<u8> {
    static NAME: OnceLock<Vec<u8>> = OnceLock::new();
    NAME.get_or_init(|| {
        let uid = crate::sys::process::uid();
        if let Some(name) = crate::accounts::user_name(uid) {
            return name;
        }
        match std::env::var_os("USER") {
            Some(u) => {
                use std::os::unix::ffi::OsStrExt;
                u.as_bytes().to_vec()
            }
            None => uid.to_string().into_bytes(),
        }
    })
    .clone()
}

/// The host name, looked up once.
fn host_name() -> Vec<u8> {
    static NAME: OnceLock<Vec<u8>> = OnceLock::new();
    NAME.get_or_init(|| crate::sys::process::hostname().unwrap_or_else(|| b"localhost".to_vec()))
        .clone()
}

/// The prompt as the line editor shows it: without readline's markers of `\[`/`\]` (the
/// editor measures what it shows itself); invalid UTF-8 is shown replaced.
pub fn for_display(prompt: &[u8]) -> String {
    let shown: Vec<u8> = prompt
        .iter()
        .copied()
        .filter(|&b| b != 0x01 && b != 0x02)
        .collect();
    String::from_utf8_lossy(&shown).into_owned()
}
