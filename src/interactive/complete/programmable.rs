//! Programmable completion: the specification `complete` gave the command being typed (its
//! path, then its base name, then `-D`; `-E` on an empty line, `-I` for the first word) makes
//! the matches, as bash's line editor does: `COMP_WORDS`, `COMP_CWORD`, `COMP_LINE`,
//! `COMP_POINT`, `COMP_TYPE` and `COMP_KEY` set for a `-F` function, which is called with the
//! command, the word and the word before it and answers in `COMPREPLY`; `-o` options applied
//! to the result.

use rustyline::completion::Pair;

use super::Names;
use crate::builtins::complete::{generate, CompOptions, Line, Spec, Special};
use crate::state::array::{Array, Key};
use crate::state::Shell;

/// bash's `COMP_WORDBREAKS` (the shell starts with it; also used when it is unset).
pub const WORD_BREAKS: &[u8] = b" \t\n\"'@><=;|&(:";

/// How many times a function may answer 124 ("try again, I loaded a specification").
const RETRIES: usize = 5;

/// The completion of the word that ends at `pos` by a specification: None when none applies
/// (the editor's own completion then runs).
pub fn complete(
    sh: &mut Shell,
    names: &Names,
    line: &str,
    pos: usize,
) -> Option<(usize, Vec<Pair>)> {
    let c = &sh.completion;
    if c.by_name.is_empty() && c.default.is_none() && c.empty.is_none() && c.initial.is_none() {
        return None;
    }
    let pos = pos.min(line.len());
    if !line.is_char_boundary(pos) {
        return None;
    }
    let start = command_start(&line.as_bytes()[..pos]);
    let command_line = &line.as_bytes()[start..];
    let point = pos - start;
    let breaks = sh
        .get_var(b"COMP_WORDBREAKS")
        .map_or_else(|| WORD_BREAKS.to_vec(), <[u8]>::to_vec);
    let (words, cword) = split_words(command_line, point, &breaks);
    // The word readline replaces: from the last break character before the point.
    let word_start = readline_word_start(&command_line[..point], &breaks);
    let word = unquoted(&command_line[word_start..point]);
    let mut spec = None;
    if command_line[..point].iter().all(u8::is_ascii_whitespace) {
        if line.trim().is_empty() {
            spec = sh.completion.special(Special::Empty).cloned();
        }
    } else if cword == 0 {
        spec = sh.completion.special(Special::Initial).cloned();
    } else {
        let command = unquoted(&words[0]);
        spec = spec_for(sh, &command);
    }
    let mut spec = spec?;
    set_variables(sh, &words, cword, command_line, point);
    let previous = if cword > 0 {
        words[cword - 1].clone()
    } else {
        Vec::new()
    };
    let call = Line {
        command: words.first().cloned().unwrap_or_default(),
        word: word.clone(),
        previous,
    };
    let mut found = Vec::new();
    let mut options = spec.options;
    for _ in 0..RETRIES {
        sh.completing = Some(spec.options);
        sh.completion_status = 0;
        let generated = generate(sh, &spec, &call).ok().flatten();
        options = sh.completing.take().unwrap_or(spec.options);
        found = generated.unwrap_or_default();
        if sh.completion_status != 124 || spec.function.is_none() {
            break;
        }
        // bash-completion's loader defined the command's specification: start again.
        match spec_for(sh, &unquoted(&call.command)) {
            Some(next) => spec = next,
            None => break,
        }
    }
    unset_variables(sh);
    if !options.has(CompOptions::NOSORT) {
        found.sort();
    }
    dedup_keep_order(&mut found);
    if options.has(CompOptions::PLUSDIRS)
        || (found.is_empty() && options.has(CompOptions::DIRNAMES))
    {
        found.extend(crate::builtins::complete::files(sh, &word, true));
    }
    let replaced_from = start + word_start;
    if found.is_empty() {
        if options.has(CompOptions::BASHDEFAULT) {
            return None;
        }
        if options.has(CompOptions::DEFAULT) {
            let quoted = &line[replaced_from..pos];
            return Some((replaced_from, super::file_candidates(names, quoted)));
        }
        return Some((pos, Vec::new()));
    }
    let filenames = options.has(CompOptions::FILENAMES);
    let unique = found.len() == 1;
    let pairs = found
        .into_iter()
        .map(|m| {
            let text = String::from_utf8_lossy(&m).into_owned();
            let is_dir = filenames && is_directory(names, &text);
            let mut replacement = if filenames && !options.has(CompOptions::NOQUOTE) {
                super::quote(&text, false)
            } else {
                text.clone()
            };
            let mut display = if filenames {
                text.trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(&text)
                    .to_string()
            } else {
                text
            };
            if is_dir && !replacement.ends_with('/') {
                replacement.push('/');
                display.push('/');
            } else if unique && !is_dir && !options.has(CompOptions::NOSPACE) {
                replacement.push(' ');
            }
            Pair {
                display,
                replacement,
            }
        })
        .collect();
    Some((replaced_from, pairs))
}

/// The specification for `command`: its own, its base name's, or `-D`'s.
fn spec_for(sh: &Shell, command: &[u8]) -> Option<Spec> {
    let specs = &sh.completion;
    let base = command
        .iter()
        .rposition(|&c| c == b'/')
        .map(|slash| &command[slash + 1..]);
    specs
        .by_name
        .get(command)
        .or_else(|| base.and_then(|b| specs.by_name.get(b)))
        .or(specs.special(Special::Default))
        .cloned()
}

fn dedup_keep_order(found: &mut Vec<Vec<u8>>) {
    let mut seen = std::collections::HashSet::new();
    found.retain(|w| seen.insert(w.clone()));
}

fn is_directory(names: &Names, path: &str) -> bool {
    let real = if let Some(rest) = path.strip_prefix("~/") {
        match &names.home {
            Some(home) => format!("{home}/{rest}"),
            None => return false,
        }
    } else if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", names.cwd, path)
    };
    std::path::Path::new(&real).is_dir()
}

/// Where the command around the point starts: after the last unquoted `;`, `&`, `|`, `(` or
/// newline, and the blanks after it.
fn command_start(before: &[u8]) -> usize {
    let start = super::after_last_unquoted(before, |c| {
        matches!(c, b';' | b'&' | b'|' | b'(' | b')' | b'\n' | b'`')
    });
    start
        + before[start..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count()
}

/// `COMP_WORDS` as bash splits the command: at blanks, and at the characters of
/// `COMP_WORDBREAKS`, a run of which is a word of its own; quoted text does not split. With the
/// index of the word the point is in (a new empty word after a blank).
fn split_words(text: &[u8], point: usize, breaks: &[u8]) -> (Vec<Vec<u8>>, usize) {
    // Each word with where it starts and ends.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == b'\\' && q == b'"' {
                i += 1;
            }
            i += 1;
            continue;
        }
        let is_break = breaks.contains(&c) && !matches!(c, b'"' | b'\'');
        let blank = c.is_ascii_whitespace();
        if let Some((s, was_break)) = start {
            if blank || is_break != was_break {
                spans.push((s, i));
                start = None;
            }
        }
        if !blank && start.is_none() {
            start = Some((i, is_break));
        }
        match c {
            b'\\' => i += 1,
            b'\'' | b'"' => quote = Some(c),
            _ => {}
        }
        i += 1;
    }
    if let Some((s, _)) = start {
        spans.push((s, text.len()));
    }
    let cword = match spans.iter().position(|&(s, e)| s <= point && point <= e) {
        Some(k) => k,
        None => {
            // The point after a blank: a new empty word there.
            let k = spans.iter().filter(|&&(_, e)| e < point).count();
            spans.insert(k, (point, point));
            k
        }
    };
    let words = spans
        .iter()
        .map(|&(s, e)| text[s.min(text.len())..e.min(text.len())].to_vec())
        .collect();
    (words, cword)
}

/// Where readline's word starts: after the last unquoted blank or break character.
fn readline_word_start(before: &[u8], breaks: &[u8]) -> usize {
    super::after_last_unquoted(before, |c| {
        c.is_ascii_whitespace() || (breaks.contains(&c) && !matches!(c, b'"' | b'\''))
    })
}

/// The word without its quotes and backslashes.
fn unquoted(word: &[u8]) -> Vec<u8> {
    super::unquote(&String::from_utf8_lossy(word)).into_bytes()
}

fn set_variables(sh: &mut Shell, words: &[Vec<u8>], cword: usize, line: &[u8], point: usize) {
    set_call_variables(sh, words, cword as i64, line, point, b"9");
}

/// What a completion function is told of the line: its words, the one being completed, the
/// line and the cursor, and the key and kind of completion (bash's 9, Tab, for both; `compgen
/// -F` gives no line, the word -1 and 0s).
pub fn set_call_variables(
    sh: &mut Shell,
    words: &[Vec<u8>],
    cword: i64,
    line: &[u8],
    point: usize,
    key: &[u8],
) {
    let mut array = Array::indexed();
    for (i, w) in words.iter().enumerate() {
        array.set(Key::Index(i as i64), w.clone());
    }
    let _ = sh.vars.unset(b"COMP_WORDS");
    let _ = sh.vars.set_array(b"COMP_WORDS", array);
    let _ = sh.set_var(b"COMP_CWORD", cword.to_string().into_bytes());
    let _ = sh.set_var(b"COMP_LINE", line.to_vec());
    let _ = sh.set_var(b"COMP_POINT", point.to_string().into_bytes());
    let _ = sh.set_var(b"COMP_TYPE", key.to_vec());
    let _ = sh.set_var(b"COMP_KEY", key.to_vec());
}

/// The completion variables gone again once the function has given its matches.
pub fn unset_variables(sh: &mut Shell) {
    for name in [
        &b"COMP_WORDS"[..],
        b"COMP_CWORD",
        b"COMP_LINE",
        b"COMP_POINT",
        b"COMP_TYPE",
        b"COMP_KEY",
        b"COMPREPLY",
    ] {
        let _ = sh.vars.unset(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, point: usize) -> (Vec<String>, usize) {
        let (w, c) = split_words(text.as_bytes(), point, WORD_BREAKS);
        (
            w.into_iter()
                .map(|w| String::from_utf8(w).unwrap())
                .collect(),
            c,
        )
    }

    #[test]
    fn words_split_as_bash_splits_them() {
        assert_eq!(split("ls --al", 7), (vec!["ls".into(), "--al".into()], 1));
        assert_eq!(split("ls ", 3), (vec!["ls".into(), "".into()], 1));
        assert_eq!(
            split("ls --color=al", 13),
            (
                vec!["ls".into(), "--color".into(), "=".into(), "al".into()],
                3
            )
        );
        assert_eq!(
            split("ssh 'a b' x", 11),
            (vec!["ssh".into(), "'a b'".into(), "x".into()], 2)
        );
        assert_eq!(
            split("git che x", 7),
            (vec!["git".into(), "che".into(), "x".into()], 1)
        );
        assert_eq!(split("", 0), (vec!["".into()], 0));
    }

    #[test]
    fn odd_lines_do_not_panic() {
        let mut sh = Shell::new(b"auditsh".to_vec(), crate::audit::Session::disabled());
        let spec = Spec {
            words: Some(b"alpha b\\c 'q r'".to_vec()),
            ..Spec::default()
        };
        sh.completion.default = Some(spec.clone());
        sh.completion.empty = Some(spec.clone());
        sh.completion.initial = Some(spec);
        let names = Names::default();
        for line in [
            "", " ", "x ", "x 'a", "x \"", "é é", "a;b|c&", "x --o=", "x :", "\\", "x $(",
        ] {
            for pos in 0..=line.len() + 1 {
                let _ = complete(&mut sh, &names, line, pos);
            }
        }
        let found = complete(&mut sh, &names, "cmd al", 6).map(|(at, p)| (at, p.len()));
        assert_eq!(found, Some((4, 1)));
    }

    #[test]
    fn the_command_is_the_last_one_on_the_line() {
        assert_eq!(command_start(b"echo a; ls -"), 8);
        assert_eq!(command_start(b"echo 'a;b' | git c"), 13);
        assert_eq!(readline_word_start(b"ls --color=al", WORD_BREAKS), 11);
    }
}
