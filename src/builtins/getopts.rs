//! `getopts optstring name [arg...]` (XCU getopts), as dash does it; and [`NextOpt`], the
//! option scanner the other built-ins share (dash's `nextopt`).

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use super::util::add_line;
use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;

/// What `getopts` does to OPTARG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptArg {
    Set(Vec<u8>),
    Unset,
    Keep,
}

/// The outcome of one `getopts` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The value for the named variable: the option letter, `?` or `:`.
    pub var: u8,
    pub optarg: OptArg,
    /// The new OPTIND.
    pub optind: usize,
    /// Where the next option starts inside word `optind - 1` (1-based), or -1 when the next
    /// option starts a new word.
    pub optoff: i64,
    /// A diagnostic for standard error (dash prints it without the usual prefix).
    pub message: Option<Vec<u8>>,
    /// No more options: the exit status is 1.
    pub done: bool,
}

/// One call of getopts over `args` (the words to parse), with the state left by the previous
/// call: `optind` (1-based index of the next word) and `optoff` (see [`Step::optoff`]).
/// `bash`: bash's rules where they differ from dash's: `:` is never an option letter, and
/// the diagnostics are bash's (`illegal option -- x`, without the shell's name).
pub fn step(optstr: &[u8], args: &[Vec<u8>], optind: usize, optoff: i64, bash: bool) -> Step {
    let ind = optind.clamp(1, args.len() + 1);
    let mut optnext = ind - 1;
    // The position of the next option letter: (word index, byte offset).
    let mut p: Option<(usize, usize)> = None;
    if ind > 1 && optoff >= 0 && (optoff as usize) <= args[ind - 2].len() {
        p = Some((ind - 2, optoff as usize));
    }
    let mut step = Step {
        var: b'?',
        optarg: OptArg::Keep,
        optind: 0,
        optoff: -1,
        message: None,
        done: false,
    };
    let at_end = |p: Option<(usize, usize)>| match p {
        None => true,
        Some((w, o)) => o >= args[w].len(),
    };
    'out: {
        if at_end(p) {
            let word = match args.get(optnext) {
                Some(w) if w.len() > 1 && w[0] == b'-' => w,
                _ => {
                    p = None;
                    step.done = true;
                    break 'out;
                }
            };
            optnext += 1;
            if word.as_slice() == b"--" {
                p = None;
                step.done = true;
                break 'out;
            }
            p = Some((optnext - 1, 1));
        }
        let Some((w, o)) = p else { break 'out };
        let c = args[w][o];
        p = Some((w, o + 1));
        let mut q = 0;
        loop {
            match optstr.get(q) {
                None => {
                    if optstr.first() == Some(&b':') {
                        step.optarg = OptArg::Set(vec![c]);
                    } else {
                        let mut m = match bash {
                            true => b"illegal option -- ".to_vec(),
                            false => b"Illegal option -".to_vec(),
                        };
                        m.extend_from_slice(&[c, b'\n']);
                        step.message = Some(m);
                        step.optarg = OptArg::Unset;
                    }
                    step.var = b'?';
                    break 'out;
                }
                Some(&x) if x == c && !(bash && c == b':') => break,
                Some(_) => {
                    q += 1;
                    if optstr.get(q) == Some(&b':') {
                        q += 1;
                    }
                }
            }
        }
        step.var = c;
        if optstr.get(q + 1) == Some(&b':') {
            if at_end(p) {
                if optnext >= args.len() {
                    if optstr.first() == Some(&b':') {
                        step.optarg = OptArg::Set(vec![c]);
                        step.var = b':';
                    } else {
                        let m = match bash {
                            true => [&b"option requires an argument -- "[..], &[c], b"\n"].concat(),
                            false => [&b"No arg for -"[..], &[c], b" option\n"].concat(),
                        };
                        step.message = Some(m);
                        step.optarg = OptArg::Unset;
                        step.var = b'?';
                    }
                    break 'out;
                }
                p = Some((optnext, 0));
            }
            if let Some((w, o)) = p {
                if w == optnext {
                    optnext += 1;
                }
                step.optarg = OptArg::Set(args[w][o..].to_vec());
                p = Some((w, args[w].len()));
            }
        } else {
            // bash leaves OPTARG unset after an option that takes no argument.
            step.optarg = match bash {
                true => OptArg::Unset,
                false => OptArg::Set(Vec::new()),
            };
        }
    }
    step.optind = optnext + 1;
    step.optoff = p.map_or(-1, |(_, o)| o as i64);
    step
}

/// The OPTIND value the last getopts call set, and its position inside the word; an OPTIND
/// changed since (by the script) starts a new word, as dash's assignment hook does.
static LAST_OPTIND: AtomicI64 = AtomicI64::new(-1);
static LAST_OPTOFF: AtomicI64 = AtomicI64::new(-1);
/// [`crate::state::vars::optind_writes`] after the last getopts call's own assignment: an
/// assignment since, even of the same value (`local OPTIND=1`), starts afresh.
static LAST_WRITES: AtomicU64 = AtomicU64::new(0);

/// Where `getopts` stands: saved when a function is called and put back after it (bash), so
/// that a function's own `local OPTIND` loop leaves its caller's place in a word (`-xy`).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    optind: i64,
    optoff: i64,
    /// OPTIND was not assigned since getopts last was: it goes on in its word.
    going_on: bool,
}

pub fn place() -> Place {
    Place {
        optind: LAST_OPTIND.load(Ordering::Relaxed),
        optoff: LAST_OPTOFF.load(Ordering::Relaxed),
        going_on: LAST_WRITES.load(Ordering::Relaxed) == crate::state::vars::optind_writes(),
    }
}

/// Back at `place` after a function call that left OPTIND's value as it found it.
pub fn return_to(place: Place) {
    LAST_OPTIND.store(place.optind, Ordering::Relaxed);
    LAST_OPTOFF.store(place.optoff, Ordering::Relaxed);
    let writes = crate::state::vars::optind_writes();
    let last = if place.going_on {
        writes
    } else {
        writes.wrapping_sub(1)
    };
    LAST_WRITES.store(last, Ordering::Relaxed);
}

/// Remember where getopts stands after its own assignments.
fn remember(optind: i64, optoff: i64) {
    LAST_OPTIND.store(optind, Ordering::Relaxed);
    LAST_OPTOFF.store(optoff, Ordering::Relaxed);
    LAST_WRITES.store(crate::state::vars::optind_writes(), Ordering::Relaxed);
}

/// dash's `number()`: a decimal with optional blanks and sign, 0..=INT_MAX.
pub(crate) fn parse_number(s: &[u8]) -> Option<i64> {
    super::util::parse_decimal(s).filter(|n| (0..=i64::from(i32::MAX)).contains(n))
}

pub fn getopts(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    // bash: a first `--` ends getopts' own options.
    let dashes = sh.options.bash() && args.get(1).is_some_and(|a| a == b"--");
    let args = if dashes {
        let mut rest = vec![args[0].clone()];
        rest.extend_from_slice(&args[2..]);
        std::borrow::Cow::Owned(rest)
    } else {
        std::borrow::Cow::Borrowed(args)
    };
    let args: &[Vec<u8>] = &args;
    // bash: getopts takes no option of its own (`getopts -a opts name`).
    let option = args
        .get(1)
        .filter(|a| sh.options.bash() && !dashes && a.len() > 1 && a[0] == b'-');
    if let Some(option) = option {
        let message = format!("-{}: invalid option", option[1] as char);
        let usage = "getopts optstring name [arg ...]";
        return super::util::usage_error("getopts", &message, usage).raise();
    }
    if args.len() < 3 && sh.options.bash() {
        crate::sys::fd::write_all(2, b"getopts: usage: getopts optstring name [arg ...]\n");
        return Ok(2);
    }
    if args.len() < 3 {
        let usage = ErrorKind::text("Usage: getopts optstring var [arg...]");
        return ShellError::builtin("getopts", usage).fails().raise();
    }
    let words: Vec<Vec<u8>> = if args.len() == 3 {
        sh.positional.clone()
    } else {
        args[3..].to_vec()
    };
    let optind_var = sh.get_var(b"OPTIND").and_then(parse_number);
    let mut optind = match optind_var {
        Some(0) | None => 1,
        Some(n) => n as usize,
    };
    let untouched = LAST_WRITES.load(Ordering::Relaxed) == crate::state::vars::optind_writes();
    let mut optoff = if untouched && optind_var == Some(LAST_OPTIND.load(Ordering::Relaxed)) {
        LAST_OPTOFF.load(Ordering::Relaxed)
    } else {
        -1
    };
    let bash = sh.options.bash();
    // bash's OPTIND names the word being scanned while inside a cluster of letters (`-abc`);
    // dash's the word after it.
    if bash && optoff >= 0 {
        optind += 1;
    }
    if optind > words.len() + 1 {
        if bash {
            // bash: past the end, the options are over.
            let _ = sh.vars.unset(b"OPTARG");
            let _ = sh.set_var(b"OPTIND", (words.len() + 1).to_string().into_bytes());
            // A variable that cannot be set is told; the status is still the end's.
            if crate::state::vars::is_name(&args[2]) {
                if let Err(e) = sh.set_var(&args[2], b"?".to_vec()) {
                    sh.report(&ShellError::new(ErrorKind::Variable(e)).fails());
                }
            }
            LAST_OPTIND.store(-1, Ordering::Relaxed);
            return Ok(1);
        }
        optind = 1;
        optoff = -1;
    }
    let mut st = step(&args[1], &words, optind, optoff, bash);
    // bash: `OPTERR=0` keeps getopts quiet.
    let quiet = bash && sh.vars.get(b"OPTERR").is_some_and(|v| v == b"0");
    if let Some(m) = st.message.as_ref().filter(|_| !quiet) {
        let m = match bash {
            true => [&sh.arg0[..], b": ", m].concat(),
            false => m.clone(),
        };
        crate::sys::fd::write_all(2, &m);
    }
    let inside_word = st.optoff >= 0
        && (st.optind.checked_sub(2))
            .and_then(|w| words.get(w))
            .is_some_and(|w| (st.optoff as usize) < w.len());
    // At the end of a word the next call starts at the next word, whatever words it is
    // given (dash keeps no place in a word it finished).
    if !inside_word {
        st.optoff = -1;
    }
    let shown_optind = match bash && inside_word {
        true => st.optind - 1,
        false => st.optind,
    };
    // Each variable that cannot be set is a line of the error; the others are set.
    let mut failed = None;
    // bash unsets OPTARG at the end of the options; dash keeps the last one.
    let optarg = match &st.optarg {
        OptArg::Keep if st.done && sh.options.bash() => &OptArg::Unset,
        other => other,
    };
    match optarg {
        OptArg::Set(v) => {
            if let Err(e) = sh.set_var(b"OPTARG", v.clone()) {
                failed = Some(add_line(failed, "getopts", ErrorKind::Variable(e)));
            }
        }
        OptArg::Unset => {
            if let Err(e) = sh.vars.unset(b"OPTARG") {
                // dash ignores a read-only OPTARG here.
                let _ = e;
            }
        }
        OptArg::Keep => {}
    }
    if let Err(e) = sh.set_var(b"OPTIND", shown_optind.to_string().into_bytes()) {
        failed = Some(add_line(failed, "getopts", ErrorKind::Variable(e)));
    }
    let name = &args[2];
    if !crate::state::vars::is_name(name) {
        failed = Some(add_line(
            failed,
            "getopts",
            ErrorKind::BadName(name.clone()),
        ));
    } else if let Err(e) = sh.set_var(name, vec![st.var]) {
        failed = Some(add_line(failed, "getopts", ErrorKind::Variable(e)));
    }
    if let Some(mut e) = failed {
        if bash && matches!(e.kind, ErrorKind::Variable(_)) {
            // bash words a read-only variable as an assignment would: no `getopts:`.
            e.builtin = None;
        }
        LAST_OPTIND.store(-1, Ordering::Relaxed);
        LAST_OPTOFF.store(-1, Ordering::Relaxed);
        // bash: a read-only variable named is status 2, a bad name 1; a read-only OPTARG
        // or OPTIND is told and changes nothing else.
        let status = match &e.kind {
            _ if !bash => e.status,
            // At the end of the options, the end's status.
            ErrorKind::Variable(crate::state::VarError::ReadOnly(n)) if n[..] == name[..] => {
                match st.done {
                    true => 1,
                    false => 2,
                }
            }
            ErrorKind::Variable(crate::state::VarError::ReadOnly(_)) => {
                sh.report(&e.fails());
                remember(shown_optind as i64, st.optoff);
                return Ok(i32::from(st.done));
            }
            _ => 1,
        };
        return e.with_status(status).fails().raise();
    }
    remember(shown_optind as i64, st.optoff);
    Ok(i32::from(st.done))
}

/// dash's `nextopt`: scans leading options of a built-in's arguments. Options end at the
/// first word that does not start with `-`, at `-` alone, or after `--`.
pub(crate) struct NextOpt<'a> {
    args: &'a [Vec<u8>],
    /// Index of the next word not yet taken.
    pub next: usize,
    cur: Option<(usize, usize)>,
}

impl<'a> NextOpt<'a> {
    /// Scan `args` (without the command name).
    pub fn new(args: &'a [Vec<u8>]) -> Self {
        NextOpt {
            args,
            next: 0,
            cur: None,
        }
    }

    /// The next option letter and its argument (for letters followed by `:` in `optstring`);
    /// None at the end of the options; Err with dash's message for an unknown letter or a
    /// missing argument.
    #[allow(clippy::type_complexity)]
    pub fn next(&mut self, optstring: &[u8]) -> Result<Option<(u8, Option<&'a [u8]>)>, Vec<u8>> {
        let (w, o) = match self.cur {
            Some((w, o)) if o < self.args[w].len() => (w, o),
            _ => {
                let Some(word) = self.args.get(self.next) else {
                    return Ok(None);
                };
                if word.len() < 2 || word[0] != b'-' {
                    return Ok(None);
                }
                self.next += 1;
                if word.as_slice() == b"--" {
                    self.cur = None;
                    return Ok(None);
                }
                (self.next - 1, 1)
            }
        };
        let c = self.args[w][o];
        self.cur = Some((w, o + 1));
        let mut q = 0;
        loop {
            match optstring.get(q) {
                None => {
                    let mut m = b"Illegal option -".to_vec();
                    m.push(c);
                    return Err(m);
                }
                Some(&x) if x == c => break,
                Some(_) => {
                    q += 1;
                    if optstring.get(q) == Some(&b':') {
                        q += 1;
                    }
                }
            }
        }
        if optstring.get(q + 1) == Some(&b':') {
            let rest = &self.args[w][o + 1..];
            let arg = if rest.is_empty() {
                let Some(a) = self.args.get(self.next) else {
                    let mut m = b"No arg for -".to_vec();
                    m.push(c);
                    m.extend_from_slice(b" option");
                    return Err(m);
                };
                self.next += 1;
                a.as_slice()
            } else {
                rest
            };
            self.cur = None;
            return Ok(Some((c, Some(arg))));
        }
        Ok(Some((c, None)))
    }

    /// The words after the options.
    pub fn rest(&self) -> &'a [Vec<u8>] {
        &self.args[self.next.min(self.args.len())..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    fn w(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    /// Run getopts to the end as `while getopts ...` would, returning one line per call like
    /// `x=a OPTARG=.. OPTIND=..` plus the diagnostics.
    fn run(optstr: &str, args: &[&str]) -> Vec<String> {
        let args = w(args);
        let (mut ind, mut off) = (1usize, -1i64);
        let mut optarg: Option<Vec<u8>> = None;
        let mut lines = Vec::new();
        for _ in 0..100 {
            let st = step(optstr.as_bytes(), &args, ind, off, false);
            if let Some(m) = &st.message {
                lines.push(String::from_utf8_lossy(m).trim_end().to_string());
            }
            match st.optarg {
                OptArg::Set(v) => optarg = Some(v),
                OptArg::Unset => optarg = None,
                OptArg::Keep => {}
            }
            ind = st.optind;
            off = st.optoff;
            let oa = optarg.as_ref().map_or("unset".to_string(), |v| {
                String::from_utf8_lossy(v).to_string()
            });
            lines.push(format!(
                "x={} OPTARG={} OPTIND={}",
                st.var as char, oa, st.optind
            ));
            if st.done {
                break;
            }
        }
        lines
    }

    fn dash(optstr: &str, args: &[&str]) -> Option<Vec<String>> {
        let script = "o=$1; shift; unset OPTARG; while getopts \"$o\" x \"$@\"; do echo \"x=$x OPTARG=${OPTARG-unset} OPTIND=$OPTIND\"; done; echo \"x=$x OPTARG=${OPTARG-unset} OPTIND=$OPTIND\"";
        let out = testutil::dash(script).arg(optstr).args(args).run()?;
        // Diagnostics go to stderr; interleave them is not possible, so compare separately.
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        lines.extend(
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .map(str::to_string),
        );
        Some(lines)
    }

    fn check(optstr: &str, args: &[&str]) {
        let mine = run(optstr, args);
        let (mut out, mut err): (Vec<String>, Vec<String>) =
            mine.into_iter().partition(|l| l.starts_with("x="));
        out.append(&mut err);
        if let Some(d) = dash(optstr, args) {
            assert_eq!(out, d, "getopts {optstr:?} {args:?}");
        }
    }

    #[test]
    fn against_dash() {
        check(
            "ab:c",
            &["-a", "-bfoo", "-c", "-b", "bar", "-ca", "-d", "--", "-a"],
        );
        check(":ab:", &["-a", "-d", "-b"]);
        check("abc", &["-ab", "-c"]);
        check("abc", &["-abc", "x", "-a"]);
        check("a:", &["-a"]);
        check("a:", &["-a", ""]);
        check("a:b", &["-ab"]);
        check("a", &[]);
        check("a", &["-"]);
        check("a", &["--"]);
        check("a", &["---"]);
        check(":", &["-:"]);
        check("a:", &["-:"]);
        check(":a", &["-:"]);
        check("", &["-a"]);
        check("ab", &["-a", "b", "-b"]);
        check("a:b:", &["-a", "-b", "-b"]);
        check("x", &["-x", "-xx", "-xxx"]);
    }

    #[test]
    fn nextopt() {
        let a = w(&["-rp", "PROMPT", "x"]);
        let mut n = NextOpt::new(&a);
        assert_eq!(n.next(b"p:r"), Ok(Some((b'r', None))));
        assert_eq!(n.next(b"p:r"), Ok(Some((b'p', Some(&b"PROMPT"[..])))));
        assert_eq!(n.next(b"p:r"), Ok(None));
        assert_eq!(n.rest(), &a[2..]);
        let a = w(&["-pX", "--", "-r"]);
        let mut n = NextOpt::new(&a);
        assert_eq!(n.next(b"p:r"), Ok(Some((b'p', Some(&b"X"[..])))));
        assert_eq!(n.next(b"p:r"), Ok(None));
        assert_eq!(n.rest(), &a[2..]);
        let a = w(&["-q"]);
        assert_eq!(
            NextOpt::new(&a).next(b"p:r"),
            Err(b"Illegal option -q".to_vec())
        );
        let a = w(&["-p"]);
        assert_eq!(
            NextOpt::new(&a).next(b"p:r"),
            Err(b"No arg for -p option".to_vec())
        );
        let a = w(&["-", "x"]);
        let mut n = NextOpt::new(&a);
        assert_eq!(n.next(b"p:r"), Ok(None));
        assert_eq!(n.rest().len(), 2);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b" 9 "), Some(9));
        assert_eq!(parse_number(b"+9"), Some(9));
        assert_eq!(parse_number(b"-9"), None);
        assert_eq!(parse_number(b""), None);
        assert_eq!(parse_number(b"9x"), None);
        assert_eq!(parse_number(b"99999999999"), None);
    }
}
