//! `compgen [-abcdefkuv] [-A ACTION] [-W WORDLIST] [-P PREFIX] [-S SUFFIX] [-X FILTER] [WORD]`
//! (bash): the completions of WORD, one a line: words of a list, names of variables,
//! functions, built-ins, keywords, aliases, commands, files, directories, users. Status 1 when
//! there is none.

use super::util::out;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::expand::pattern;
use crate::state::Shell;

/// The kinds of names `-A` (and its one-letter forms) asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Alias,
    Builtin,
    Command,
    Directory,
    Export,
    File,
    Function,
    Keyword,
    User,
    Variable,
}

/// bash's reserved words, in the order bash lists them.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc",
];

fn action_named(name: &[u8]) -> Option<Action> {
    Some(match name {
        b"alias" => Action::Alias,
        b"builtin" => Action::Builtin,
        b"command" => Action::Command,
        b"directory" => Action::Directory,
        b"export" => Action::Export,
        b"file" => Action::File,
        b"function" => Action::Function,
        b"keyword" => Action::Keyword,
        b"user" => Action::User,
        b"variable" => Action::Variable,
        _ => return None,
    })
}

fn action_letter(c: u8) -> Option<Action> {
    Some(match c {
        b'a' => Action::Alias,
        b'b' => Action::Builtin,
        b'c' => Action::Command,
        b'd' => Action::Directory,
        b'e' => Action::Export,
        b'f' => Action::File,
        b'k' => Action::Keyword,
        b'u' => Action::User,
        b'v' => Action::Variable,
        _ => return None,
    })
}

/// A bad option: its message, then the usage line (which bash writes without a line number).
fn usage(sh: &Shell, message: String) -> ExecResult {
    sh.report(&ShellError::builtin("compgen", ErrorKind::text(message)).fails());
    crate::sys::fd::write_all(
        2,
        b"compgen: usage: compgen [-abcdefkuv] [-A action] [-W wordlist] [-P prefix] [-S suffix] [-X filterpat] [word]\n",
    );
    Ok(2)
}

pub fn compgen(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let mut actions = Vec::new();
    let (mut words, mut prefix, mut suffix, mut filter) = (None, Vec::new(), Vec::new(), None);
    let mut i = 1;
    while let Some(a) = args.get(i) {
        i += 1;
        if a == b"--" {
            break;
        }
        let Some(flags) = a.strip_prefix(b"-").filter(|f| !f.is_empty()) else {
            i -= 1;
            break;
        };
        for (k, &f) in flags.iter().enumerate() {
            if let Some(action) = action_letter(f) {
                actions.push(action);
                continue;
            }
            if !matches!(f, b'A' | b'W' | b'P' | b'S' | b'X') {
                return usage(sh, format!("-{}: invalid option", f as char));
            }
            // An option with a value: the rest of this word, or the next one.
            let value = if k + 1 < flags.len() {
                flags[k + 1..].to_vec()
            } else {
                match args.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => {
                        return usage(sh, format!("-{}: option requires an argument", f as char))
                    }
                }
            };
            match f {
                b'A' => match action_named(&value) {
                    Some(action) => actions.push(action),
                    None => {
                        let message = format!("{}: invalid action name", lossy(&value));
                        let err = ShellError::builtin("compgen", ErrorKind::text(message));
                        return err.fails().with_status(2).raise();
                    }
                },
                b'W' => words = Some(value),
                b'P' => prefix = value,
                b'S' => suffix = value,
                b'X' => filter = Some(value),
                _ => return usage(sh, format!("-{}: invalid option", f as char)),
            }
            break;
        }
    }
    let word = args.get(i).cloned().unwrap_or_default();
    let mut found: Vec<Vec<u8>> = Vec::new();
    if let Some(list) = &words {
        let ifs = sh.ifs().map_or_else(|| b" \t\n".to_vec(), <[u8]>::to_vec);
        found.extend(
            list.split(|c| ifs.contains(c))
                .filter(|w| !w.is_empty() && w.starts_with(&word))
                .map(<[u8]>::to_vec),
        );
    }
    for action in actions {
        found.extend(names(sh, action, &word));
    }
    if let Some(pat) = filter {
        // `-X pat` drops what matches; `-X '!pat'` keeps only what matches.
        let (keep, pat) = match pat.strip_prefix(b"!") {
            Some(p) => (true, p.to_vec()),
            None => (false, pat),
        };
        found.retain(|w| pattern::matches(&pat, w) == keep);
    }
    let mut text = Vec::new();
    for w in &found {
        text.extend_from_slice(&prefix);
        text.extend_from_slice(w);
        text.extend_from_slice(&suffix);
        text.push(b'\n');
    }
    out(&text);
    Ok(i32::from(found.is_empty()))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The names of one kind that begin with `word`, in bash's order.
fn names(sh: &mut Shell, action: Action, word: &[u8]) -> Vec<Vec<u8>> {
    let starts = |n: &[u8]| n.starts_with(word);
    let mut out: Vec<Vec<u8>> = match action {
        Action::Alias => {
            let mut v: Vec<Vec<u8>> = sh.aliases.keys().cloned().collect();
            v.sort();
            v
        }
        Action::Builtin => builtin_names(sh),
        Action::Keyword => KEYWORDS.iter().map(|w| w.as_bytes().to_vec()).collect(),
        Action::Function => {
            let mut v: Vec<Vec<u8>> = sh.functions.keys().cloned().collect();
            v.sort();
            v
        }
        Action::Variable | Action::Export => sh
            .vars
            .sorted()
            .into_iter()
            .filter(|(_, v)| action == Action::Variable || v.exported)
            .filter(|(_, v)| v.is_set())
            .map(|(n, _)| n.to_vec())
            .collect(),
        Action::File | Action::Directory => files(word, action == Action::Directory),
        // The names of the password file, in its order.
        Action::User => std::fs::read("/etc/passwd")
            .unwrap_or_default()
            .split(|&c| c == b'\n')
            .filter_map(|l| l.split(|&c| c == b':').next())
            .filter(|n| !n.is_empty())
            .map(<[u8]>::to_vec)
            .collect(),
        Action::Command => {
            let mut v = names(sh, Action::Alias, word);
            v.extend(builtin_names(sh));
            v.extend(names(sh, Action::Function, word));
            v.extend(names(sh, Action::Keyword, word));
            let path = sh.get_var(b"PATH").map(<[u8]>::to_vec).unwrap_or_default();
            for dir in path.split(|&c| c == b':') {
                let dir = if dir.is_empty() { &b"."[..] } else { dir };
                let Ok(entries) = std::fs::read_dir(crate::state::os(dir)) else {
                    continue;
                };
                let mut here: Vec<Vec<u8>> = entries
                    .flatten()
                    .filter(|e| is_executable(&e.path()))
                    .map(|e| {
                        use std::os::unix::ffi::OsStrExt;
                        e.file_name().as_bytes().to_vec()
                    })
                    .collect();
                here.sort();
                v.extend(here);
            }
            v
        }
    };
    out.retain(|n| starts(n));
    out
}

fn builtin_names(sh: &Shell) -> Vec<Vec<u8>> {
    let mut v: Vec<&str> = super::all()
        .iter()
        .chain(super::bash_only().iter().filter(|_| sh.options.bash()))
        .map(|b| b.name)
        .collect();
    v.sort_unstable();
    v.into_iter().map(|n| n.as_bytes().to_vec()).collect()
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Files (or directories only) whose path begins with `word`: the entries of its directory,
/// hidden ones included.
fn files(word: &[u8], dirs_only: bool) -> Vec<Vec<u8>> {
    let (dir, base) = match word.iter().rposition(|&c| c == b'/') {
        Some(p) => (&word[..=p], &word[p + 1..]),
        None => (&b""[..], word),
    };
    let read_from = if dir.is_empty() { &b"."[..] } else { dir };
    let Ok(entries) = std::fs::read_dir(crate::state::os(read_from)) else {
        return Vec::new();
    };
    // The directory's order, as bash gives it; `.` and `..` only for a word that asks for
    // them (the directory lists them first and last).
    let names = std::iter::once(b".".to_vec())
        .filter(|_| base.starts_with(b"."))
        .chain(
            entries
                .flatten()
                .filter(|e| !dirs_only || e.path().is_dir())
                .map(|e| {
                    use std::os::unix::ffi::OsStrExt;
                    e.file_name().as_bytes().to_vec()
                }),
        )
        .chain(std::iter::once(b"..".to_vec()).filter(|_| base.starts_with(b".")));
    names
        .filter(|n| n.starts_with(base))
        .map(|n| {
            let mut full = dir.to_vec();
            full.extend_from_slice(&n);
            full
        })
        .collect()
}
