//! `type`: what each name is (alias, keyword, function, built-in, program), in the words of
//! `command -V`; in the bash language, bash's words and options (`-t -a -p -P -f`).

use super::command::{describe, Kind};
use super::util::out;
use crate::exec::{spawn, Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// `type name...`
pub fn type_(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() {
        return bash_type(sh, args);
    }
    let mut status = 0;
    for name in &args[1..] {
        let (line, found) = describe(sh, name, false);
        out(&line);
        if !found {
            status = 127;
        }
    }
    Ok(status)
}

/// bash's `type` for what a name is: one line, and a function's definition after it.
pub fn bash_words(sh: &Shell, name: &[u8], kind: &Kind) -> Vec<u8> {
    let mut line = name.to_vec();
    match kind {
        Kind::Alias(v) => {
            line.extend_from_slice(b" is aliased to `");
            line.extend_from_slice(v);
            line.push(b'\'');
        }
        Kind::Keyword => line.extend_from_slice(b" is a shell keyword"),
        Kind::Function => line.extend_from_slice(b" is a function"),
        Kind::SpecialBuiltin => line.extend_from_slice(b" is a special shell builtin"),
        Kind::Builtin => line.extend_from_slice(b" is a shell builtin"),
        Kind::Tracked(p) => {
            line.extend_from_slice(b" is hashed (");
            line.extend_from_slice(p);
            line.push(b')');
        }
        Kind::Program(p) => {
            line.extend_from_slice(b" is ");
            line.extend_from_slice(p);
        }
        Kind::NotFound => {}
    }
    line.push(b'\n');
    if let (Kind::Function, Some(body)) = (kind, sh.functions.get(name)) {
        line.extend_from_slice(&crate::syntax::print::function(name, &body.body));
    }
    line
}

/// `-t`'s single word.
fn kind_word(kind: &Kind) -> &'static [u8] {
    match kind {
        Kind::Alias(_) => b"alias",
        Kind::Keyword => b"keyword",
        Kind::Function => b"function",
        Kind::SpecialBuiltin | Kind::Builtin => b"builtin",
        Kind::Tracked(_) | Kind::Program(_) => b"file",
        Kind::NotFound => b"",
    }
}

fn bash_type(sh: &mut Shell, args: &[Vec<u8>]) -> ExecResult {
    let (mut terse, mut all, mut path, mut force_path, mut no_functions) =
        (false, false, false, false, false);
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if a == b"--" {
            i += 1;
            break;
        }
        if a.len() < 2 || a[0] != b'-' {
            break;
        }
        for &c in &a[1..] {
            match c {
                b't' => terse = true,
                b'a' => all = true,
                b'p' => path = true,
                b'P' => force_path = true,
                b'f' => no_functions = true,
                _ => {
                    let m = format!(
                        "-{}: invalid option\ntype: usage: type [-afptP] name [name ...]",
                        c as char
                    );
                    return ShellError::builtin("type", ErrorKind::text(m))
                        .with_status(2)
                        .fails()
                        .raise();
                }
            }
        }
        i += 1;
    }
    let mut status = 0;
    for name in &args[i..] {
        let mut text = Vec::new();
        let mut kinds = Vec::new();
        // bash reports aliases only where it expands them.
        let aliases =
            sh.options.interactive || sh.options.shopt.on(crate::state::shopt::EXPAND_ALIASES);
        if !force_path {
            if let Some(v) = sh.aliases.get(name.as_slice()).filter(|_| aliases) {
                kinds.push(Kind::Alias(v.clone()));
            }
            if crate::syntax::parser::is_bash_keyword(name) {
                kinds.push(Kind::Keyword);
            }
            if !no_functions && sh.functions.contains_key(name.as_slice()) {
                kinds.push(Kind::Function);
            }
            if super::lookup(name, true).is_some() && !sh.disabled_builtins.contains(name) {
                kinds.push(Kind::Builtin);
            }
        }
        if all || force_path || kinds.is_empty() {
            let hashed = sh.hash.get(name.as_slice()).map(<[u8]>::to_vec);
            // bash: `-P` prints the remembered path (even with `-a`); `-a` alone searches.
            if let (Some(p), true) = (&hashed, force_path) {
                kinds.push(Kind::Tracked(p.clone()));
            } else if all {
                kinds.extend(spawn::all_in_path(sh, name).into_iter().map(Kind::Program));
            } else if let Some(p) = hashed {
                kinds.push(Kind::Tracked(p));
            } else {
                // Looked up without being remembered, as bash's type does.
                let search = sh.get_var(b"PATH").map(<[u8]>::to_vec).unwrap_or_default();
                let found = spawn::search(&search, name)
                    .filter(|p| !name.contains(&b'/') || super::command::runnable(p));
                if let Some(p) = found {
                    kinds.push(Kind::Program(p));
                }
            }
        }
        if !all {
            kinds.truncate(1);
        }
        if kinds.is_empty() {
            if !terse && !path && !force_path {
                sh.report(
                    &ShellError::builtin(
                        "type",
                        ErrorKind::text(format!("{}: not found", String::from_utf8_lossy(name))),
                    )
                    .fails(),
                );
            }
            status = 1;
            continue;
        }
        for kind in &kinds {
            if terse {
                text.extend_from_slice(kind_word(kind));
                text.push(b'\n');
            } else if path || force_path {
                if let Kind::Tracked(p) | Kind::Program(p) = kind {
                    text.extend_from_slice(p);
                    text.push(b'\n');
                }
            } else {
                text.extend_from_slice(&bash_words(sh, name, kind));
            }
        }
        out(&text);
    }
    Ok(status)
}
