//! The command line of the shell (README, "Using it"): `sh` options, login detection, and
//! where commands come from.

use crate::state::options::bash_letter;

/// Where the shell reads its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-c STRING`
    Command(Vec<u8>),
    /// `auditsh FILE [ARG...]`
    Script(Vec<u8>),
    /// Standard input (`-s`, or no operands).
    Stdin,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Run(Invocation),
    Version,
    Help,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// argv as given (recorded in session-start).
    pub argv: Vec<Vec<u8>>,
    /// `$0`
    pub dollar0: Vec<u8>,
    pub positional: Vec<Vec<u8>>,
    pub source: Source,
    /// A login shell: argv[0] starts with `-`, or `-l`/`--login`.
    pub login: bool,
    /// `-i` was given.
    pub force_interactive: bool,
    /// Started under the name `sh` (argv[0]'s last component, a login `-` aside): the shell
    /// starts in posix mode, as bash does, so that `sh` means the POSIX language.
    pub posix_name: bool,
    /// Option changes in command-line order: (`set -o` name, on).
    pub options: Vec<(&'static str, bool)>,
    /// `shopt` options from `-O NAME` / `+O NAME`, in order.
    pub shopts: Vec<(String, bool)>,
    /// `--norc`: no `$ENV` / `~/.auditshrc` for an interactive shell.
    pub no_rc: bool,
    /// `--noprofile`: no /etc/profile or ~/.profile for a login shell.
    pub no_profile: bool,
    /// `--rcfile FILE` / `--init-file FILE`: read instead of `~/.auditshrc`.
    pub rc_file: Option<Vec<u8>>,
    /// `--noediting`: an interactive shell reads lines without the line editor.
    pub no_editing: bool,
}

/// A command-line error: the message for `NAME: 0: MESSAGE`; the shell exits with 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

pub const HELP: &str = "\
Usage: auditsh [-abCefhilmnsuvx] [-o option] [-c string [name [arg...]] | -s [arg...] | file [arg...]]
An audited POSIX shell: every command line and every program started is recorded.

  -c string   run the commands in string ($0 and the positional parameters follow)
  -s          read commands from standard input (the default with no file operand)
  -i          interactive shell
  -l, --login login shell: read /etc/profile and ~/.profile first
  --posix     the POSIX language only, as dash has it (also when started as `sh`)
  -o name     set an option by name (+o name unsets it): errexit, noglob, nounset, xtrace,
              verbose, noexec, noclobber, allexport, notify, monitor, ignoreeof, vi, emacs,
              pipefail, posix
  -O name     set a shopt option (+O name unsets it)
  --norc      do not read $ENV or ~/.auditshrc (interactive shell)
  --noprofile do not read /etc/profile or ~/.profile (login shell)
  --rcfile file, --init-file file
              read file instead of ~/.auditshrc (interactive shell)
  --noediting read lines without the line editor (interactive shell)
  --verbose   the same as -v
  --version   print the version and exit
  --help      print this help and exit

Records go to syslog and to the spool (see /etc/auditsh/auditsh.toml); search and verify them
with auditsh-log.
";

fn option_name(letter: u8) -> Option<&'static str> {
    crate::state::options::OPTIONS
        .iter()
        .find(|(l, _)| *l == Some(letter))
        .map(|(_, n)| *n)
}

/// An option name `-o` takes: dash's, or bash's (which `set -o` accepts outside posix mode).
fn long_option_name(name: &[u8]) -> Option<&'static str> {
    let dash = crate::state::options::OPTIONS.iter().map(|(_, n)| n);
    dash.chain(crate::state::options::BASH_OPTIONS)
        .find(|n| n.as_bytes() == name)
        .copied()
}

/// Parse the shell's argv.
pub fn parse(argv: Vec<Vec<u8>>) -> Result<Request, UsageError> {
    let arg0 = argv.first().cloned().unwrap_or_else(|| b"auditsh".to_vec());
    let mut login = arg0.first() == Some(&b'-');
    let mut force_interactive = false;
    let mut command_mode = false;
    let mut stdin_mode = false;
    let mut options = Vec::new();
    let mut shopts = Vec::new();
    let (mut no_rc, mut no_profile, mut no_editing) = (false, false, false);
    let mut rc_file = None;
    let base = arg0.rsplit(|&c| c == b'/').next().unwrap_or_default();
    let posix_name = base.strip_prefix(b"-").unwrap_or(base) == b"sh";
    // bash's own letters (-E -T -H -B -h -k -P -t) unless posix mode was asked for; as in
    // bash, `--posix` comes before the letters.
    let mut bash_letters = !posix_name;
    let mut i = 1;
    while let Some(arg) = argv.get(i) {
        i += 1;
        // bash's long options, each a word of its own.
        match arg.as_slice() {
            b"--login" => login = true,
            b"--posix" => {
                options.push(("posix", true));
                bash_letters = false;
            }
            b"--norc" => no_rc = true,
            b"--noprofile" => no_profile = true,
            b"--noediting" => no_editing = true,
            b"--verbose" => options.push(("verbose", true)),
            b"--rcfile" | b"--init-file" => {
                let Some(file) = argv.get(i) else {
                    return Err(UsageError(format!(
                        "{}: option requires an argument",
                        String::from_utf8_lossy(arg)
                    )));
                };
                rc_file = Some(file.clone());
                i += 1;
            }
            b"--version" => return Ok(Request::Version),
            b"--help" => return Ok(Request::Help),
            b"--" | b"-" => break,
            _ if arg.starts_with(b"--") => {
                return Err(UsageError(format!(
                    "Illegal option {} (auditsh --help lists the options)",
                    String::from_utf8_lossy(arg)
                )))
            }
            _ => {
                let on = match arg.first() {
                    Some(b'-') => true,
                    Some(b'+') => false,
                    _ => {
                        i -= 1;
                        break;
                    }
                };
                if arg.len() < 2 {
                    i -= 1;
                    break;
                }
                for &c in &arg[1..] {
                    match c {
                        // `+c` reads the command from the operand too, in dash and bash.
                        b'c' => command_mode = true,
                        b's' if on => stdin_mode = true,
                        b'i' if on => force_interactive = true,
                        b'l' if on => login = true,
                        b's' | b'i' | b'l' => {}
                        b'o' | b'O' => {
                            let Some(name) = argv.get(i) else {
                                return Err(UsageError(format!(
                                    "-{} requires an option name",
                                    c as char
                                )));
                            };
                            i += 1;
                            let text = String::from_utf8_lossy(name);
                            if c == b'O' {
                                if crate::state::shopt::Shopt::default().get(&text).is_none() {
                                    return Err(UsageError(format!(
                                        "{text}: invalid shell option name"
                                    )));
                                }
                                shopts.push((text.into_owned(), on));
                                continue;
                            }
                            let Some(n) = long_option_name(name) else {
                                return Err(UsageError(format!("Illegal option -o {text}")));
                            };
                            bash_letters &= !(n == "posix" && on);
                            options.push((n, on));
                        }
                        _ => match bash_letters
                            .then(|| bash_letter(c))
                            .flatten()
                            .or_else(|| option_name(c))
                        {
                            Some(n) => options.push((n, on)),
                            None => {
                                return Err(UsageError(format!(
                                    "Illegal option {}{}",
                                    if on { '-' } else { '+' },
                                    c as char
                                )))
                            }
                        },
                    }
                }
            }
        }
    }
    let operands = &argv[i.min(argv.len())..];
    let (source, dollar0, positional) = if command_mode {
        let Some(text) = operands.first() else {
            return Err(UsageError("-c requires an argument".into()));
        };
        let dollar0 = operands.get(1).cloned().unwrap_or_else(|| arg0.clone());
        let positional = operands.get(2..).map(<[_]>::to_vec).unwrap_or_default();
        (Source::Command(text.clone()), dollar0, positional)
    } else if stdin_mode || operands.is_empty() {
        (Source::Stdin, arg0.clone(), operands.to_vec())
    } else {
        (
            Source::Script(operands[0].clone()),
            operands[0].clone(),
            operands[1..].to_vec(),
        )
    };
    Ok(Request::Run(Invocation {
        posix_name,
        argv,
        dollar0,
        positional,
        source,
        login,
        force_interactive,
        options,
        shopts,
        no_rc,
        no_profile,
        rc_file,
        no_editing,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn run(list: &[&str]) -> Invocation {
        match parse(args(list)).unwrap() {
            Request::Run(inv) => inv,
            other => panic!("expected a run, got {other:?}"),
        }
    }

    #[test]
    fn command_string_with_name_and_args() {
        let inv = run(&["sh", "-c", "echo $1", "name", "a", "b"]);
        assert_eq!(inv.source, Source::Command(b"echo $1".to_vec()));
        assert_eq!(inv.dollar0, b"name");
        assert_eq!(inv.positional, args(&["a", "b"]));
    }

    #[test]
    fn plus_c_reads_the_operand_as_dash_and_bash_do() {
        let inv = run(&["sh", "+c", "echo hi", "name"]);
        assert_eq!(inv.source, Source::Command(b"echo hi".to_vec()));
        assert_eq!(inv.dollar0, b"name");
        let inv = run(&["sh", "+xc", "echo hi"]);
        assert_eq!(inv.source, Source::Command(b"echo hi".to_vec()));
        assert_eq!(inv.options, vec![("xtrace", false)]);
    }

    #[test]
    fn options_combined_and_by_name() {
        let inv = run(&["sh", "-eu", "-o", "noglob", "+o", "xtrace", "-c", "x"]);
        assert_eq!(
            inv.options,
            vec![
                ("errexit", true),
                ("nounset", true),
                ("noglob", true),
                ("xtrace", false)
            ]
        );
    }

    #[test]
    fn login_forms() {
        assert!(run(&["-auditsh"]).login);
        assert!(run(&["sh", "-l"]).login);
        assert!(run(&["sh", "--login", "-c", "true"]).login);
        assert!(!run(&["sh"]).login);
    }

    #[test]
    fn posix_mode_by_name_or_option() {
        assert!(run(&["sh", "-c", "x"]).posix_name);
        assert!(run(&["-sh"]).posix_name);
        assert!(run(&["/bin/sh"]).posix_name);
        assert!(!run(&["auditsh"]).posix_name);
        assert!(!run(&["-bash"]).posix_name);
        assert_eq!(run(&["auditsh", "--posix"]).options, vec![("posix", true)]);
        assert_eq!(
            run(&["auditsh", "-o", "posix"]).options,
            vec![("posix", true)]
        );
    }

    #[test]
    fn bash_letters_outside_posix_mode_only() {
        assert_eq!(
            run(&["auditsh", "-Eh", "+k", "-c", "x"]).options,
            vec![("errtrace", true), ("hashall", true), ("keyword", false)]
        );
        // dash's -E is emacs, and dash has no -h.
        assert_eq!(run(&["sh", "-E"]).options, vec![("emacs", true)]);
        assert!(parse(args(&["sh", "-h"])).is_err());
        assert!(parse(args(&["auditsh", "--posix", "-T"])).is_err());
        assert!(parse(args(&["auditsh", "-o", "posix", "-P"])).is_err());
    }

    #[test]
    fn bash_long_options_and_shopt() {
        let inv = run(&[
            "auditsh",
            "--norc",
            "--noprofile",
            "--rcfile",
            "f",
            "--noediting",
            "-O",
            "extglob",
            "+O",
            "nullglob",
            "-c",
            "x",
        ]);
        assert!(inv.no_rc && inv.no_profile && inv.no_editing);
        assert_eq!(inv.rc_file, Some(b"f".to_vec()));
        assert_eq!(
            inv.shopts,
            vec![
                ("extglob".to_string(), true),
                ("nullglob".to_string(), false)
            ]
        );
        assert_eq!(inv.source, Source::Command(b"x".to_vec()));
        assert_eq!(
            parse(args(&["auditsh", "-O", "nosuch"])),
            Err(UsageError("nosuch: invalid shell option name".into()))
        );
        assert_eq!(
            parse(args(&["auditsh", "--rcfile"])),
            Err(UsageError("--rcfile: option requires an argument".into()))
        );
        assert!(parse(args(&["auditsh", "--nosuch"])).is_err());
        assert_eq!(
            run(&["auditsh", "--verbose"]).options,
            vec![("verbose", true)]
        );
    }

    #[test]
    fn script_and_stdin() {
        let inv = run(&["sh", "file.sh", "x"]);
        assert_eq!(inv.source, Source::Script(b"file.sh".to_vec()));
        assert_eq!(inv.dollar0, b"file.sh");
        let inv = run(&["sh", "-s", "a", "b"]);
        assert_eq!(inv.source, Source::Stdin);
        assert_eq!(inv.positional, args(&["a", "b"]));
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse(args(&["sh", "-c"])),
            Err(UsageError("-c requires an argument".into()))
        );
        assert_eq!(
            parse(args(&["sh", "-Z"])),
            Err(UsageError("Illegal option -Z".into()))
        );
        assert_eq!(
            parse(args(&["sh", "-o", "nosuch"])),
            Err(UsageError("Illegal option -o nosuch".into()))
        );
        assert_eq!(parse(args(&["sh", "--version"])), Ok(Request::Version));
    }
}
