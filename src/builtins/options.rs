//! bash's check of a built-in's options before it runs: an option letter the built-in does
//! not take is refused with `NAME: -X: invalid option` and the usage line, status 2 (dash
//! words it in each built-in; several read an unknown option as an operand).

use crate::exec::ShellError;

/// A built-in's options as bash takes them: the letters alone, the letters that take an
/// argument, and the usage line.
struct Options {
    name: &'static str,
    flags: &'static str,
    with_argument: &'static str,
    usage: &'static str,
}

/// The built-ins whose options are checked here (the others check their own), by name.
static CHECKED: &[Options] = &[
    opts(".", "", "", ". filename [arguments]"),
    opts("alias", "p", "", "alias [-p] [name[=value] ... ]"),
    opts("builtin", "", "", "builtin [shell-builtin [arg ...]]"),
    opts("caller", "", "", "caller [expr]"),
    // bash takes `-@` only where the system has extended attributes, which Linux's bash does not.
    opts("cd", "LPe", "", "cd [-L|[-P [-e]] [-@]] [dir]"),
    opts("command", "pVv", "", "command [-pVv] command [arg ...]"),
    opts("enable", "adnps", "f", "enable [-a] [-dnps] [-f filename] [name ...]"),
    // bash's `export` takes `-a` and `-A` too, undocumented.
    opts("export", "aAfnp", "", "export [-fn] [name[=value] ...] or export -p"),
    opts("help", "dms", "", "help [-dms] [pattern ...]"),
    opts(
        "read",
        "ers",
        "adinNptu",
        "read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]",
    ),
    opts(
        "mapfile",
        "t",
        "dnOsuCc",
        "mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]",
    ),
    opts("printf", "", "v", "printf [-v var] format [arguments]"),
    opts("pwd", "LP", "", "pwd [-LP]"),
    opts("readonly", "aAfp", "", "readonly [-aAf] [name[=value] ...] or readonly -p"),
    opts(
        "readarray",
        "t",
        "dnOsuCc",
        "readarray [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]",
    ),
    opts("source", "", "", "source filename [arguments]"),
    opts("suspend", "f", "", "suspend [-f]"),
    opts("times", "", "", "times"),
    opts("trap", "lp", "", "trap [-lp] [[arg] signal_spec ...]"),
    opts("umask", "pS", "", "umask [-p] [-S] [mode]"),
    opts("unalias", "a", "", "unalias [-a] name [name ...]"),
    opts("unset", "fvn", "", "unset [-f] [-v] [-n] [name ...]"),
    opts("wait", "fn", "p", "wait [-fn] [-p var] [id ...]"),
];

const fn opts(
    name: &'static str,
    flags: &'static str,
    with_argument: &'static str,
    usage: &'static str,
) -> Options {
    Options {
        name,
        flags,
        with_argument,
        usage,
    }
}

/// The error for the first option `args` (a built-in's whole command) has that the built-in
/// does not take, if it is one whose options bash checks this way.
pub fn refused(name: &str, args: &[Vec<u8>]) -> Option<ShellError> {
    let table = CHECKED.iter().find(|o| o.name == name)?;
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        i += 1;
        let letters = match arg.strip_prefix(b"-") {
            Some(rest) if !rest.is_empty() && arg != b"--" => rest,
            _ => return None,
        };
        for (at, &c) in letters.iter().enumerate() {
            if table.with_argument.as_bytes().contains(&c) {
                // The rest of the word, or the next word, is its argument.
                if at + 1 == letters.len() {
                    if args.get(i).is_none() {
                        let message = format!("-{}: option requires an argument", c as char);
                        return Some(super::util::usage_error(table.name, &message, table.usage));
                    }
                    i += 1;
                }
                break;
            }
            if !table.flags.as_bytes().contains(&c) {
                let message = format!("-{}: invalid option", c as char);
                return Some(super::util::usage_error(table.name, &message, table.usage));
            }
        }
    }
    None
}
