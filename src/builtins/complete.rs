//! bash's programmable completion: `complete` (the specifications the line editor uses, by
//! command name, plus the `-D` default, `-E` empty-line and `-I` first-word ones), `compopt`
//! (the options of the completion under way, or of a specification) and what `compgen` shares
//! with them: the options, the actions, and the generation of the matches of a word.

use super::util::out;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::expand::pattern;
use crate::interactive::complete::programmable;
use crate::state::vars::NameMap;
use crate::state::{Frame, Shell};
use crate::syntax::quote::single_quoted;

/// The kinds of names an action (`-A NAME` or its letter) asks for (alphabetical, as
/// `complete -p` prints them; [`GENERATION_ORDER`] is the order of the matches).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Action {
    Alias,
    Arrayvar,
    Binding,
    Builtin,
    Command,
    Directory,
    Disabled,
    Enabled,
    Export,
    File,
    Function,
    Group,
    Helptopic,
    Hostname,
    Job,
    Keyword,
    Running,
    Service,
    Setopt,
    Shopt,
    Signal,
    Stopped,
    User,
    Variable,
}

const ACTIONS: &[(Action, &str, Option<u8>)] = &[
    (Action::Alias, "alias", Some(b'a')),
    (Action::Arrayvar, "arrayvar", None),
    (Action::Binding, "binding", None),
    (Action::Builtin, "builtin", Some(b'b')),
    (Action::Command, "command", Some(b'c')),
    (Action::Directory, "directory", Some(b'd')),
    (Action::Disabled, "disabled", None),
    (Action::Enabled, "enabled", None),
    (Action::Export, "export", Some(b'e')),
    (Action::File, "file", Some(b'f')),
    (Action::Function, "function", None),
    (Action::Group, "group", Some(b'g')),
    (Action::Helptopic, "helptopic", None),
    (Action::Hostname, "hostname", None),
    (Action::Job, "job", Some(b'j')),
    (Action::Keyword, "keyword", Some(b'k')),
    (Action::Running, "running", None),
    (Action::Service, "service", Some(b's')),
    (Action::Setopt, "setopt", None),
    (Action::Shopt, "shopt", None),
    (Action::Signal, "signal", None),
    (Action::Stopped, "stopped", None),
    (Action::User, "user", Some(b'u')),
    (Action::Variable, "variable", Some(b'v')),
];

/// The order in which bash gives the matches of several actions: the names the shell keeps,
/// then those it looks for (commands, files, accounts, services), directories last.
const GENERATION_ORDER: [Action; 24] = [
    Action::Alias,
    Action::Arrayvar,
    Action::Binding,
    Action::Builtin,
    Action::Disabled,
    Action::Enabled,
    Action::Export,
    Action::Function,
    Action::Helptopic,
    Action::Hostname,
    Action::Job,
    Action::Keyword,
    Action::Running,
    Action::Setopt,
    Action::Shopt,
    Action::Signal,
    Action::Stopped,
    Action::Variable,
    Action::Command,
    Action::File,
    Action::User,
    Action::Group,
    Action::Service,
    Action::Directory,
];

/// The `-o` options, in the order `complete -p` prints them.
pub const OPTION_NAMES: &[&str] = &[
    "bashdefault",
    "default",
    "dirnames",
    "filenames",
    "noquote",
    "nosort",
    "nospace",
    "plusdirs",
];

/// A set of `-o` options, one bit each in [`OPTION_NAMES`]' order.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct CompOptions(pub u8);

impl CompOptions {
    pub const BASHDEFAULT: u8 = 1;
    pub const DEFAULT: u8 = 2;
    pub const DIRNAMES: u8 = 4;
    pub const FILENAMES: u8 = 8;
    pub const NOQUOTE: u8 = 16;
    pub const NOSORT: u8 = 32;
    pub const NOSPACE: u8 = 64;
    pub const PLUSDIRS: u8 = 128;

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    fn bit(name: &[u8]) -> Option<u8> {
        OPTION_NAMES
            .iter()
            .position(|n| n.as_bytes() == name)
            .map(|i| 1 << i)
    }
}

/// A completion specification: what `complete` stores and `compgen` uses once.
#[derive(Clone, Default, Debug)]
pub struct Spec {
    pub options: CompOptions,
    /// A bit per action, in [`ACTIONS`]' order.
    pub actions: u32,
    pub glob: Option<Vec<u8>>,
    pub words: Option<Vec<u8>>,
    pub prefix: Option<Vec<u8>>,
    pub suffix: Option<Vec<u8>>,
    pub filter: Option<Vec<u8>>,
    pub command: Option<Vec<u8>>,
    pub function: Option<Vec<u8>>,
}

/// The specifications `complete` defined.
#[derive(Default)]
pub struct Specs {
    pub by_name: NameMap<Spec>,
    /// `-D`: for a command that has none.
    pub default: Option<Spec>,
    /// `-E`: on an empty line.
    pub empty: Option<Spec>,
    /// `-I`: for the first word of a command.
    pub initial: Option<Spec>,
    /// A specification was ever defined: before that, bash's `complete -r NAME` finds no
    /// table to fail in.
    named_once: bool,
}

/// Which specification `-D`, `-E` or `-I` names.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Special {
    Default,
    Empty,
    Initial,
}

impl Specs {
    pub fn special(&self, which: Special) -> Option<&Spec> {
        match which {
            Special::Default => self.default.as_ref(),
            Special::Empty => self.empty.as_ref(),
            Special::Initial => self.initial.as_ref(),
        }
    }

    fn special_mut(&mut self, which: Special) -> &mut Option<Spec> {
        match which {
            Special::Default => &mut self.default,
            Special::Empty => &mut self.empty,
            Special::Initial => &mut self.initial,
        }
    }
}

/// What a command line of `complete`, `compgen` or `compopt` asked for.
#[derive(Default)]
struct Request {
    spec: Spec,
    /// `+o` options (compopt).
    options_off: u8,
    print: bool,
    remove: bool,
    specials: Vec<Special>,
    /// Index of the first operand.
    operands: usize,
}

/// Which built-in parses: they accept different options and print different usages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Caller {
    Complete,
    Compgen,
    Compopt,
}

impl Caller {
    fn name(self) -> &'static str {
        match self {
            Caller::Complete => "complete",
            Caller::Compgen => "compgen",
            Caller::Compopt => "compopt",
        }
    }

    fn usage(self) -> &'static [u8] {
        match self {
            Caller::Complete => b"complete: usage: complete [-abcdefgjksuv] [-pr] [-DEI] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [name ...]\n",
            Caller::Compgen => b"compgen: usage: compgen [-abcdefgjksuv] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [word]\n",
            Caller::Compopt => b"compopt: usage: compopt [-o|+o option] [-DEI] [name ...]\n",
        }
    }

    /// Options with a value.
    fn takes_value(self, f: u8) -> bool {
        match self {
            Caller::Compopt => f == b'o',
            _ => matches!(
                f,
                b'o' | b'A' | b'G' | b'W' | b'F' | b'C' | b'X' | b'P' | b'S'
            ),
        }
    }

    fn takes_flag(self, f: u8) -> bool {
        match self {
            Caller::Complete => matches!(f, b'p' | b'r' | b'D' | b'E' | b'I'),
            Caller::Compgen => false,
            Caller::Compopt => matches!(f, b'D' | b'E' | b'I'),
        }
    }
}

/// The status of a failed parse, its message written.
fn bad_usage(sh: &Shell, caller: Caller, message: String) -> i32 {
    sh.report(&ShellError::builtin(caller.name(), ErrorKind::text(message)).fails());
    crate::sys::fd::write_all(2, caller.usage());
    2
}

fn error(sh: &Shell, caller: Caller, message: String) {
    sh.report(&ShellError::builtin(caller.name(), ErrorKind::text(message)).fails());
}

fn parse(sh: &Shell, args: &[Vec<u8>], caller: Caller) -> Result<Request, i32> {
    let mut r = Request::default();
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if a == b"--" {
            i += 1;
            break;
        }
        let on = match a.first() {
            Some(b'-') => true,
            Some(b'+') if caller == Caller::Compopt => false,
            _ => break,
        };
        let flags = &a[1..];
        if flags.is_empty() {
            break;
        }
        i += 1;
        for (k, &f) in flags.iter().enumerate() {
            if let Some(&(action, ..)) = ACTIONS
                .iter()
                .find(|(_, _, l)| *l == Some(f) && caller != Caller::Compopt)
            {
                r.spec.actions |= 1 << action as u32;
                continue;
            }
            if caller.takes_flag(f) && on {
                match f {
                    b'p' => r.print = true,
                    b'r' => r.remove = true,
                    b'D' => r.specials.push(Special::Default),
                    b'E' => r.specials.push(Special::Empty),
                    _ => r.specials.push(Special::Initial),
                }
                continue;
            }
            let sign = if on { '-' } else { '+' };
            if !caller.takes_value(f) {
                return Err(bad_usage(
                    sh,
                    caller,
                    format!("{sign}{}: invalid option", f as char),
                ));
            }
            // The rest of this word, or the next one.
            let value = if k + 1 < flags.len() {
                flags[k + 1..].to_vec()
            } else if let Some(v) = args.get(i) {
                i += 1;
                v.clone()
            } else {
                let message = format!("{sign}{}: option requires an argument", f as char);
                return Err(bad_usage(sh, caller, message));
            };
            match f {
                b'o' => match CompOptions::bit(&value) {
                    Some(bit) if on => r.spec.options.0 |= bit,
                    Some(bit) => r.options_off |= bit,
                    None => {
                        error(
                            sh,
                            caller,
                            format!("{}: invalid option name", lossy(&value)),
                        );
                        return Err(2);
                    }
                },
                b'A' => match ACTIONS.iter().find(|(_, n, _)| n.as_bytes() == value) {
                    Some(&(action, ..)) => r.spec.actions |= 1 << action as u32,
                    None => {
                        error(
                            sh,
                            caller,
                            format!("{}: invalid action name", lossy(&value)),
                        );
                        return Err(2);
                    }
                },
                b'G' => r.spec.glob = Some(value),
                b'W' => r.spec.words = Some(value),
                b'F' => r.spec.function = Some(value),
                b'C' => r.spec.command = Some(value),
                b'X' => r.spec.filter = Some(value),
                b'P' => r.spec.prefix = Some(value),
                _ => r.spec.suffix = Some(value),
            }
            break;
        }
    }
    r.operands = i;
    Ok(r)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `spec` as the `complete` command that defines it (without the name).
fn print_form(spec: &Spec) -> Vec<u8> {
    let mut line = b"complete".to_vec();
    for (i, name) in OPTION_NAMES.iter().enumerate() {
        if spec.options.0 & (1 << i) != 0 {
            line.extend_from_slice(b" -o ");
            line.extend_from_slice(name.as_bytes());
        }
    }
    // The actions with a letter first, then the others by name.
    for with_letter in [true, false] {
        for &(action, name, letter) in ACTIONS {
            if spec.actions & (1 << action as u32) == 0 || letter.is_some() != with_letter {
                continue;
            }
            match letter {
                Some(l) => line.extend_from_slice(&[b' ', b'-', l]),
                None => {
                    line.extend_from_slice(b" -A ");
                    line.extend_from_slice(name.as_bytes());
                }
            }
        }
    }
    let quoted = [
        (b'G', &spec.glob),
        (b'W', &spec.words),
        (b'P', &spec.prefix),
        (b'S', &spec.suffix),
        (b'X', &spec.filter),
        (b'C', &spec.command),
    ];
    for (flag, value) in quoted {
        if let Some(v) = value {
            line.extend_from_slice(&[b' ', b'-', flag, b' ']);
            line.extend_from_slice(&single_quoted(v));
        }
    }
    if let Some(f) = &spec.function {
        line.extend_from_slice(b" -F ");
        line.extend_from_slice(f);
    }
    line
}

fn special_flag(which: Special) -> &'static [u8] {
    match which {
        Special::Default => b"-D",
        Special::Empty => b"-E",
        Special::Initial => b"-I",
    }
}

/// bash's name for a special specification in its messages.
fn special_name(which: Special) -> &'static str {
    match which {
        Special::Default => "_DefaultCmD_",
        Special::Empty => "_EmptycmD_",
        Special::Initial => "_InitialWorD_",
    }
}

/// `complete`: define, print (`-p`, no arguments) or remove (`-r`) specifications.
pub fn complete(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let r = match parse(sh, args, Caller::Complete) {
        Ok(r) => r,
        Err(status) => return Ok(status),
    };
    let names = &args[r.operands..];
    // bash takes one of `-D`, `-E`, `-I`, in that order.
    let mut r = r;
    r.specials.sort_by_key(|s| *s as u8);
    r.specials.truncate(1);
    let defines = !r.print && !r.remove && (args.len() > 1);
    if defines && names.is_empty() && r.specials.is_empty() {
        crate::sys::fd::write_all(2, Caller::Complete.usage());
        return Ok(2);
    }
    if r.remove && !r.print {
        if names.is_empty() && r.specials.is_empty() {
            sh.completion = Specs {
                named_once: sh.completion.named_once,
                ..Specs::default()
            };
            return Ok(0);
        }
        let mut status = 0;
        for &s in &r.specials {
            let removed = sh.completion.special_mut(s).take();
            if removed.is_none() && sh.completion.named_once {
                let message = format!("{}: no completion specification", special_name(s));
                error(sh, Caller::Complete, message);
                status = 1;
            }
        }
        for n in names {
            if sh.completion.by_name.remove(n).is_none() && sh.completion.named_once {
                error(
                    sh,
                    Caller::Complete,
                    format!("{}: no completion specification", lossy(n)),
                );
                status = 1;
            }
        }
        return Ok(status);
    }
    if !defines {
        let mut text = Vec::new();
        let mut status = 0;
        if names.is_empty() && r.specials.is_empty() {
            // By name (bash lists them in its hash table's order).
            let mut all: Vec<_> = sh.completion.by_name.iter().collect();
            all.sort_by(|a, b| a.0.cmp(b.0));
            for (name, spec) in all {
                print_line(&mut text, spec, name);
            }
            for s in [Special::Initial, Special::Default, Special::Empty] {
                if let Some(spec) = sh.completion.special(s) {
                    print_line(&mut text, spec, special_flag(s));
                }
            }
        }
        for &s in &r.specials {
            match sh.completion.special(s) {
                Some(spec) => print_line(&mut text, spec, special_flag(s)),
                None => {
                    let message = format!("{}: no completion specification", special_name(s));
                    error(sh, Caller::Complete, message);
                    status = 1;
                }
            }
        }
        for n in names {
            match sh.completion.by_name.get(n) {
                Some(spec) => print_line(&mut text, spec, n),
                None => {
                    error(
                        sh,
                        Caller::Complete,
                        format!("{}: no completion specification", lossy(n)),
                    );
                    status = 1;
                }
            }
        }
        out(&text);
        return Ok(status);
    }
    for &s in &r.specials {
        *sh.completion.special_mut(s) = Some(r.spec.clone());
        sh.completion.named_once = true;
    }
    for n in names {
        sh.completion.by_name.insert(n.clone(), r.spec.clone());
        sh.completion.named_once = true;
    }
    Ok(0)
}

fn print_line(text: &mut Vec<u8>, spec: &Spec, name: &[u8]) {
    text.extend_from_slice(&print_form(spec));
    text.push(b' ');
    text.extend_from_slice(name);
    text.push(b'\n');
}

/// `compopt`: turn options on (`-o`) or off (`+o`) for the completion under way, or for the
/// specifications named; with no option, print them.
pub fn compopt(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let r = match parse(sh, args, Caller::Compopt) {
        Ok(r) => r,
        Err(status) => return Ok(status),
    };
    let names = &args[r.operands..];
    let (on, off) = (r.spec.options.0, r.options_off);
    let change = on | off != 0;
    if names.is_empty() && r.specials.is_empty() {
        let Some(current) = sh.completing.as_mut() else {
            error(
                sh,
                Caller::Compopt,
                "not currently executing completion function".into(),
            );
            return Ok(1);
        };
        if change {
            current.0 = (current.0 | on) & !off;
        } else {
            let line = compopt_line(*current, b"");
            out(&line);
        }
        return Ok(0);
    }
    let mut status = 0;
    let mut text = Vec::new();
    let mut each = |sh: &mut Shell, spec: Option<&mut Spec>, shown: &[u8], name: String| match spec
    {
        Some(spec) if change => spec.options.0 = (spec.options.0 | on) & !off,
        Some(spec) => text.extend_from_slice(&compopt_line(spec.options, shown)),
        None => {
            error(
                sh,
                Caller::Compopt,
                format!("{name}: no completion specification"),
            );
            status = 1;
        }
    };
    for &s in &r.specials {
        let mut spec = sh.completion.special_mut(s).take();
        each(sh, spec.as_mut(), special_flag(s), special_name(s).into());
        *sh.completion.special_mut(s) = spec;
    }
    for n in names {
        let mut spec = sh.completion.by_name.remove(n);
        each(sh, spec.as_mut(), n, lossy(n));
        if let Some(spec) = spec {
            sh.completion.by_name.insert(n.clone(), spec);
        }
    }
    out(&text);
    Ok(status)
}

/// `compopt -o a +o b NAME`: every option, on or off.
fn compopt_line(options: CompOptions, name: &[u8]) -> Vec<u8> {
    let mut line = b"compopt".to_vec();
    for (i, opt) in OPTION_NAMES.iter().enumerate() {
        let sign = if options.0 & (1 << i) != 0 {
            " -o "
        } else {
            " +o "
        };
        line.extend_from_slice(sign.as_bytes());
        line.extend_from_slice(opt.as_bytes());
    }
    if !name.is_empty() {
        line.push(b' ');
        line.extend_from_slice(name);
    }
    line.push(b'\n');
    line
}

/// `compgen`: the matches of WORD for the options given, one a line; status 1 when none.
pub fn compgen(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let r = match parse(sh, args, Caller::Compgen) {
        Ok(r) => r,
        Err(status) => return Ok(status),
    };
    let word = args.get(r.operands).cloned().unwrap_or_default();
    let outside = sh.completing.is_none();
    for (given, flag) in [
        (r.spec.function.is_some(), 'F'),
        (r.spec.command.is_some(), 'C'),
    ] {
        if given && outside {
            let message = format!("warning: -{flag} option may not work as you expect");
            error(sh, Caller::Compgen, message);
        }
    }
    let line = Line {
        command: b"compgen".to_vec(),
        word: word.clone(),
        previous: Vec::new(),
    };
    // A function called by compgen sees no line, no key and no kind of completion.
    let told = outside && r.spec.function.is_some();
    if told {
        programmable::set_call_variables(sh, &[], -1, b"", 0, b"0");
    }
    let generated = generate(sh, &r.spec, &line);
    if told {
        programmable::unset_variables(sh);
    }
    let Some(mut found) = generated? else {
        return Ok(1);
    };
    // The options that add names: directories always (plusdirs) or when nothing matched
    // (dirnames), files when nothing matched (default, bashdefault).
    let options = r.spec.options;
    if options.has(CompOptions::PLUSDIRS)
        || (found.is_empty() && options.has(CompOptions::DIRNAMES))
    {
        found.extend(files(sh, &word, true));
    }
    if found.is_empty() && options.has(CompOptions::DEFAULT) {
        found.extend(files(sh, &word, false));
    }
    let mut text = Vec::new();
    for w in &found {
        text.extend_from_slice(w);
        text.push(b'\n');
    }
    out(&text);
    Ok(i32::from(found.is_empty()))
}

/// The words a completion function or command is given: `$1`, `$2`, `$3`.
pub struct Line {
    pub command: Vec<u8>,
    pub word: Vec<u8>,
    pub previous: Vec<u8>,
}

/// The matches of `spec` for the word being completed, with their prefix and suffix: the
/// actions', the glob's, the word list's, the function's `COMPREPLY`, the command's lines, less
/// those the filter drops. None when the function cannot be found (bash then gives up).
pub fn generate(
    sh: &mut Shell,
    spec: &Spec,
    line: &Line,
) -> Result<Option<Vec<Vec<u8>>>, crate::exec::Divert> {
    let word = &line.word;
    let mut found: Vec<Vec<u8>> = Vec::new();
    for action in GENERATION_ORDER {
        if spec.actions & (1 << action as u32) != 0 {
            found.extend(names(sh, action, word));
        }
    }
    if let Some(glob) = &spec.glob {
        found.extend(glob_matches(sh, glob));
    }
    if let Some(list) = &spec.words {
        found.extend(
            expand_word_list(sh, list)?
                .into_iter()
                .filter(|w| w.starts_with(word)),
        );
    }
    if let Some(function) = &spec.function {
        let Some(body) = sh.functions.get(function).cloned() else {
            let message = format!("function `{}' not found", lossy(function));
            sh.report(&ShellError::builtin("completion", ErrorKind::text(message)).fails());
            return Ok(None);
        };
        let args = vec![
            function.clone(),
            line.command.clone(),
            word.clone(),
            line.previous.clone(),
        ];
        let _ = sh.vars.unset(b"COMPREPLY");
        let status = run_quietly(sh, |sh| {
            crate::exec::simple::call_function(sh, &body, &args, Context::default())
        })?;
        sh.completion_status = status;
        let reply = match sh.vars.array(b"COMPREPLY") {
            Some(a) => a.values(),
            None => sh
                .get_var(b"COMPREPLY")
                .map(|v| vec![v.to_vec()])
                .unwrap_or_default(),
        };
        found.extend(reply);
    }
    if let Some(command) = &spec.command {
        let mut text = command.clone();
        for a in [&line.command, word, &line.previous] {
            text.push(b' ');
            text.extend_from_slice(&single_quoted(a));
        }
        if let Ok(list) = crate::syntax::parse_all_in(&text, true) {
            let output = run_quietly_capture(sh, &list);
            found.extend(
                output
                    .split(|&c| c == b'\n')
                    .filter(|l| !l.is_empty())
                    .map(<[u8]>::to_vec),
            );
        }
    }
    if let Some(pat) = &spec.filter {
        // `&` stands for the word; `-X '!pat'` keeps only what matches.
        let mut with_word = Vec::new();
        let mut i = 0;
        while i < pat.len() {
            match pat[i] {
                b'\\' if pat.get(i + 1) == Some(&b'&') => {
                    with_word.push(b'&');
                    i += 1;
                }
                b'&' => with_word.extend_from_slice(&pattern_escaped(word)),
                c => with_word.push(c),
            }
            i += 1;
        }
        // Under extglob, `!(...)` is a pattern, not the negation.
        let extglob = sh.options.shopt.on(crate::state::shopt::EXTGLOB);
        let (keep, pat) = match with_word.strip_prefix(b"!") {
            Some(p) if !(extglob && p.first() == Some(&b'(')) => (true, p.to_vec()),
            _ => (false, with_word),
        };
        found.retain(|w| pattern::matches(&pat, w) == keep);
    }
    let prefix = spec.prefix.as_deref().unwrap_or_default();
    let suffix = spec.suffix.as_deref().unwrap_or_default();
    if !prefix.is_empty() || !suffix.is_empty() {
        for w in &mut found {
            let mut full = prefix.to_vec();
            full.append(w);
            full.extend_from_slice(suffix);
            *w = full;
        }
    }
    Ok(Some(found))
}

/// The paths `glob` matches: in the directory's order when it names no directory (as bash
/// gives them), else sorted.
fn glob_matches(sh: &Shell, glob: &[u8]) -> Vec<Vec<u8>> {
    let opts = crate::expand::pathname::Options::of(sh);
    if glob.contains(&b'/') {
        return crate::expand::pathname::expand(glob, opts);
    }
    let Ok(entries) = std::fs::read_dir(".") else {
        return Vec::new();
    };
    let hidden_too = opts.dotglob || glob.starts_with(b".");
    let mut found: Vec<Vec<u8>> = entries
        .flatten()
        .map(|e| {
            use std::os::unix::ffi::OsStrExt;
            e.file_name().as_bytes().to_vec()
        })
        .filter(|n| hidden_too || !n.starts_with(b"."))
        .filter(|n| pattern::matches_path_component(glob, n))
        .collect();
    // In order, as a pathname expansion gives them.
    found.sort();
    found
}

fn pattern_escaped(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &c in text {
        if matches!(
            c,
            b'*' | b'?' | b'[' | b']' | b'\\' | b'(' | b')' | b'|' | b'!' | b'@' | b'+'
        ) {
            out.push(b'\\');
        }
        out.push(c);
    }
    out
}

/// Run shell code for a completion: `$?` is left as it was, and the programs it starts are
/// recorded as coming from `complete`. An error is reported; one that abandons the command
/// line or ends the shell does so from here too, as it would from any function.
fn run_quietly(sh: &mut Shell, run: impl FnOnce(&mut Shell) -> ExecResult) -> ExecResult {
    use crate::exec::Divert;
    let mut keeping = sh.push_frame(Frame::KeepStatus);
    let mut sh = keeping.push_frame(Frame::Origin {
        name: b"complete".to_vec(),
        line: 0,
    });
    let result = run(&mut sh);
    match crate::exec::settle(&sh, result) {
        Err(d @ (Divert::Abort(_) | Divert::Discard(_) | Divert::Unwind(_) | Divert::Exit(_))) => {
            Err(d)
        }
        other => Ok(crate::exec::eval::divert_status(&sh, other)),
    }
}

/// The output of `-C`'s command, run as a command substitution.
fn run_quietly_capture(sh: &mut Shell, list: &crate::syntax::ast::List) -> Vec<u8> {
    let mut keeping = sh.push_frame(Frame::KeepStatus);
    let mut sh = keeping.push_frame(Frame::Origin {
        name: b"complete".to_vec(),
        line: 0,
    });
    crate::exec::command_substitution(&mut sh, list).unwrap_or_default()
}

/// `-W`'s list: split at the characters of IFS (not inside quotes, `$(...)`, `${...}` or
/// backquotes), then each piece expanded as one word of a command is (a blank that is not in
/// IFS stays in it), without pathname expansion. An expansion's error is the command's.
fn expand_word_list(sh: &mut Shell, list: &[u8]) -> Result<Vec<Vec<u8>>, crate::exec::Divert> {
    let ifs = sh.ifs().map_or_else(|| b" \t\n".to_vec(), <[u8]>::to_vec);
    let mut words = Vec::new();
    for piece in split_outside_quotes(list, &ifs) {
        if !piece
            .iter()
            .any(|c| matches!(c, b'$' | b'`' | b'\'' | b'"' | b'\\' | b'~' | b'{'))
        {
            words.push(piece);
            continue;
        }
        let mut text = b": ".to_vec();
        let blanks = unquoted_positions(&piece, b" \t\n");
        for (i, &c) in piece.iter().enumerate() {
            if blanks.contains(&i) {
                text.push(b'\\');
            }
            text.push(c);
        }
        let parsed = crate::syntax::parse_all_in(&text, true).ok();
        let command_words = parsed.as_ref().and_then(|l| match l.items.as_slice() {
            [item] if item.and_or.rest.is_empty() => match item.and_or.first.commands.as_slice() {
                [crate::syntax::ast::Command::Simple(sc)] => Some(sc.words[1..].to_vec()),
                _ => None,
            },
            _ => None,
        });
        let Some(command_words) = command_words else {
            words.push(piece);
            continue;
        };
        let noglob = std::mem::replace(&mut sh.options.noglob, true);
        let expanded = crate::expand::expand_words(sh, &command_words);
        sh.options.noglob = noglob;
        words.extend(expanded?);
    }
    Ok(words)
}

/// `text` cut at the bytes of `delims` outside quotes and expansions; empty pieces dropped.
fn split_outside_quotes(text: &[u8], delims: &[u8]) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for at in unquoted_positions(text, delims)
        .into_iter()
        .chain([text.len()])
    {
        if at > from {
            pieces.push(text[from..at].to_vec());
        }
        from = at + 1;
    }
    pieces
}

/// Where the bytes of `delims` stand in `text` outside quotes, backslash escapes, `$(...)`,
/// `${...}` and backquotes.
fn unquoted_positions(text: &[u8], delims: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(b'\'') => {}
            Some(_) | None if c == b'\\' => i += 1,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' | b'`' => quote = Some(c),
                b'$' if matches!(text.get(i + 1), Some(b'(' | b'{')) => {
                    depth += 1;
                    i += 1;
                }
                b'(' | b'{' if depth > 0 => depth += 1,
                b')' | b'}' if depth > 0 => depth -= 1,
                _ if depth == 0 && delims.contains(&c) => found.push(i),
                _ => {}
            },
        }
        i += 1;
    }
    found
}

/// bash's reserved words, in the order bash lists them.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc",
];

fn sorted_keys<T>(map: &NameMap<T>) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = map.keys().cloned().collect();
    v.sort();
    v
}

/// The names of one kind that begin with `word`, in bash's order.
pub fn names(sh: &mut Shell, action: Action, word: &[u8]) -> Vec<Vec<u8>> {
    let lines_of = |path: &str, field: u8| -> Vec<Vec<u8>> {
        std::fs::read(path)
            .unwrap_or_default()
            .split(|&c| c == b'\n')
            .filter_map(|l| l.split(|&c| c == field).next())
            .filter(|n| !n.is_empty() && !n.starts_with(b"#"))
            .map(<[u8]>::to_vec)
            .collect()
    };
    let texts = |list: &mut dyn Iterator<Item = &str>| -> Vec<Vec<u8>> {
        list.map(|n| n.as_bytes().to_vec()).collect()
    };
    let mut found: Vec<Vec<u8>> = match action {
        Action::Alias => sorted_keys(&sh.aliases),
        Action::Builtin => builtin_names(sh),
        Action::Helptopic => super::help::topic_names(sh),
        Action::Enabled => builtin_names(sh)
            .into_iter()
            .filter(|n| !sh.disabled_builtins.contains(n))
            .collect(),
        Action::Disabled => builtin_names(sh)
            .into_iter()
            .filter(|n| sh.disabled_builtins.contains(n))
            .collect(),
        Action::Keyword => texts(&mut KEYWORDS.iter().copied()),
        Action::Function => sorted_keys(&sh.functions),
        Action::Variable => {
            // With the values the shell computes (`BASH_ARGV0`, `RANDOM`), as bash lists them.
            let mut v: Vec<Vec<u8>> = sh
                .vars
                .sorted()
                .into_iter()
                .filter(|(_, v)| v.is_set())
                .map(|(n, _)| n.to_vec())
                .collect();
            v.extend(sh.computed_names().map(<[u8]>::to_vec));
            v.sort();
            v.dedup();
            v
        }
        Action::Export | Action::Arrayvar => sh
            .vars
            .sorted()
            .into_iter()
            .filter(|(_, v)| action != Action::Export || v.exported)
            .filter(|(_, v)| action != Action::Arrayvar || v.array.is_some())
            .filter(|(_, v)| v.is_set())
            .map(|(n, _)| n.to_vec())
            .collect(),
        Action::File | Action::Directory => files(sh, word, action == Action::Directory),
        // The names of the account files, in their order.
        Action::User => lines_of("/etc/passwd", b':'),
        Action::Group => lines_of("/etc/group", b':'),
        Action::Hostname => hostnames(sh),
        Action::Setopt if sh.options.bash() => {
            texts(&mut crate::state::options::BASH_OPTIONS.iter().copied())
        }
        Action::Setopt => {
            let mut v = texts(&mut crate::state::options::OPTIONS.iter().map(|(_, n)| *n));
            v.sort();
            v
        }
        Action::Shopt => texts(&mut crate::state::shopt::NAMES.iter().map(|(n, _)| *n)),
        Action::Signal => super::kill::signal_names_for_completion(),
        Action::Service => {
            let mut v: Vec<Vec<u8>> = std::fs::read_dir("/etc/init.d")
                .map(|d| {
                    use std::os::unix::ffi::OsStrExt;
                    d.flatten()
                        .map(|e| e.file_name().as_bytes().to_vec())
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        }
        Action::Job | Action::Running | Action::Stopped => job_names(sh, action),
        Action::Binding => crate::interactive::inputrc::FUNCTIONS
            .iter()
            .map(|f| f.as_bytes().to_vec())
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
    found.retain(|n| n.starts_with(word));
    found
}

/// The names of `/etc/hosts` (or the file `HOSTFILE` names), in its order.
fn hostnames(sh: &Shell) -> Vec<Vec<u8>> {
    let file = sh
        .get_var(b"HOSTFILE")
        .filter(|f| !f.is_empty())
        .map_or_else(|| b"/etc/hosts".to_vec(), <[u8]>::to_vec);
    let text = std::fs::read(crate::state::os(&file)).unwrap_or_default();
    let mut names = Vec::new();
    for line in text.split(|&c| c == b'\n') {
        let line = line.split(|&c| c == b'#').next().unwrap_or_default();
        let mut fields = line
            .split(|c| c.is_ascii_whitespace())
            .filter(|f| !f.is_empty());
        fields.next();
        names.extend(fields.map(<[u8]>::to_vec));
    }
    names
}

/// The command names of the jobs (all, running or stopped ones).
fn job_names(sh: &Shell, action: Action) -> Vec<Vec<u8>> {
    sh.jobs
        .jobs
        .iter()
        .filter(|j| match action {
            Action::Running => !j.is_stopped(),
            Action::Stopped => j.is_stopped(),
            _ => true,
        })
        .filter_map(|j| {
            j.text
                .split(|c| c.is_ascii_whitespace())
                .find(|w| !w.is_empty())
                .map(<[u8]>::to_vec)
        })
        .collect()
}

fn builtin_names(sh: &Shell) -> Vec<Vec<u8>> {
    let mut v: Vec<&str> = super::of_language(sh.options.bash())
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
pub fn files(sh: &Shell, word: &[u8], dirs_only: bool) -> Vec<Vec<u8>> {
    let (dir, base) = match word.iter().rposition(|&c| c == b'/') {
        Some(p) => (&word[..=p], &word[p + 1..]),
        None => (&b""[..], word),
    };
    // `~/` or `~user/` is read from the home directory and kept as written.
    let home_dir = dir.strip_prefix(b"~").and_then(|rest| {
        let slash = rest.iter().position(|&c| c == b'/')?;
        let home = crate::expand::tilde::expand(sh, &rest[..slash])?;
        Some([&home[..], &rest[slash..]].concat())
    });
    let read_from = match &home_dir {
        Some(d) => &d[..],
        None if dir.is_empty() => &b"."[..],
        None => dir,
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_arguments_give_a_status_never_a_panic() {
        let mut sh = Shell::new(b"auditsh".to_vec(), crate::audit::Session::disabled());
        let cases: &[(&[&str], i32)] = &[
            (&["complete", "-o"], 2),
            (&["complete", "-A"], 2),
            (&["complete", "-A", "nope", "x"], 2),
            (&["complete", "-Z"], 2),
            (&["complete", "-W"], 2),
            (&["complete", "-F", "f"], 2),
            (&["complete", "-pr", "-DEI"], 1),
            (&["complete", "-p", "nosuch"], 1),
            (&["compopt", "+o"], 2),
            (&["compopt", "-o", "nope"], 2),
            (&["compopt", "-a"], 2),
            (&["compopt", "-D"], 1),
            (&["compopt", "-o", "nospace"], 1),
            (&["compgen", "-X"], 2),
            (&["compgen", "-p"], 2),
            (&["compgen", "-W", "a b", "-X", "&", "--", "a"], 1),
        ];
        for (args, status) in cases {
            let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
            let builtin = crate::builtins::lookup(&args[0], true).expect("a built-in");
            let got = (builtin.func)(&mut sh, &args, Context::default());
            assert_eq!(got.ok(), Some(*status), "{args:?}");
        }
    }
}
