//! bash's arithmetic and conditional commands: `(( expr ))`, `for (( ; ; ))`, `[[ ]]`.

use super::eval::{command_finished, Context};
use super::settle;
use super::{Divert, ErrorKind, ExecResult, ShellError};
use crate::expand;
use crate::state::{Frame, Shell};
use crate::syntax::ast::{CondExpr, List, Word};

/// The value of an arithmetic expression as written in `(( ))`: expanded, then evaluated; an
/// empty expression is 0. An error fails the command (status 1) and the shell goes on, as in
/// bash.
/// `for_part`: one of the three expressions of `for (( ; ; ))`, traced without the blanks
/// around it.
/// An omitted expression of `for (( ; ; ))` (nothing, or blanks) is 1, and traced so, as in
/// bash: an omitted condition is true.
fn arith_value(sh: &mut Shell, w: &Word, for_part: bool) -> Result<i64, Divert> {
    let text = expand::expand_word(sh, w)?;
    let omitted = for_part && text.iter().all(u8::is_ascii_whitespace);
    super::xtrace::compound(sh, || {
        let shown = match (omitted, for_part) {
            (true, _) => b"1",
            (false, true) => text.trim_ascii_start(),
            (false, false) => &text[..],
        };
        [b"(( ", shown, b" ))"].concat()
    });
    if omitted {
        return Ok(1);
    }
    arith_text(sh, &text, b"((")
}

/// `text` evaluated for `(( ))` or `[[ ]]` (`place`, which bash names in its messages).
fn arith_text(sh: &mut Shell, text: &[u8], place: &[u8]) -> Result<i64, Divert> {
    if text.iter().all(|c| matches!(c, b' ' | b'\t' | b'\n')) {
        return Ok(0);
    }
    let bash = sh.options.bash();
    let result = expand::arith::eval(sh, text).map_err(|e| e.within(bash, place));
    result.map_err(|e| match e.is_unbound() {
        true => ShellError::from(e).into(),
        false => ShellError::from(e).with_status(1).fails().into(),
    })
}

/// `(( expr ))`: status 0 when the value is not zero. Like a simple command, it is subject
/// to `set -e`.
pub(super) fn run_arith(sh: &mut Shell, w: &Word, cx: Context) -> ExecResult {
    let r = arith_value(sh, w, false).map(|v| i32::from(v == 0));
    let status = settle(sh, r)?;
    command_finished(sh, status, cx)
}

/// `for (( init; cond; step ))`.
pub(super) fn run_arith_for(
    sh: &mut Shell,
    [init, cond, step]: [&Word; 3],
    body: &List,
    cx: Context,
) -> ExecResult {
    // bash runs the DEBUG trap before each of the three expressions, on the loop's line.
    let line = sh.lineno;
    let before = |sh: &mut Shell, w: &Word| {
        sh.lineno = line;
        super::simple::about_to_run(sh, || {
            [b"(( ", &crate::syntax::print::word_text(w)[..], b" ))"].concat()
        })
    };
    before(sh, init)?;
    arith_value(sh, init, true)?;
    let sh = &mut *sh.push_frame(Frame::Loop);
    let mut status = 0;
    loop {
        super::eval::run_pending_traps(sh)?;
        before(sh, cond)?;
        let go = arith_value(sh, cond, true)? != 0;
        if !go {
            break;
        }
        if let super::compound::LoopControl::Stop =
            super::compound::run_body(sh, body, cx, &mut status)?
        {
            break;
        }
        before(sh, step)?;
        arith_value(sh, step, true)?;
    }
    Ok(status)
}

/// `[[ expression ]]`: 0 when true, 1 when false, 2 on an error; subject to `set -e`.
pub(super) fn run_cond(sh: &mut Shell, e: &CondExpr, cx: Context) -> ExecResult {
    let r = match eval(sh, e, false) {
        Ok(b) => Ok(i32::from(!b)),
        // A regular expression that does not compile: status 2, no message (as bash).
        Err(Divert::Error(err)) if is_bad_regex(&err) => Ok(2),
        Err(d) => Err(d),
    };
    let status = settle(sh, r)?;
    command_finished(sh, status, cx)
}

/// `set -x` in `[[ ]]`: each test is traced as it is made, its words expanded.
fn trace_test(sh: &mut Shell, negated: bool, words: &[&[u8]]) {
    super::xtrace::compound(sh, || {
        let mut text = b"[[ ".to_vec();
        if negated {
            text.extend_from_slice(b"! ");
        }
        // An empty operand shows as '' (bash).
        let shown: Vec<&[u8]> = words
            .iter()
            .map(|w| if w.is_empty() { &b"''"[..] } else { w })
            .collect();
        text.extend_from_slice(&shown.join(&b' '));
        text.extend_from_slice(b" ]]");
        text
    });
}

/// `negated`: the test is the operand of `!` (for the trace).
fn eval(sh: &mut Shell, e: &CondExpr, negated: bool) -> Result<bool, Divert> {
    Ok(match e {
        CondExpr::Word(w) => {
            let arg = expand::expand_word(sh, w)?;
            trace_test(sh, negated, &[b"-n", &arg]);
            !arg.is_empty()
        }
        CondExpr::Not(x) => !eval(sh, x, true)?,
        CondExpr::Group(x) => eval(sh, x, negated)?,
        CondExpr::And(a, b) => eval(sh, a, false)? && eval(sh, b, false)?,
        CondExpr::Or(a, b) => eval(sh, a, false)? || eval(sh, b, false)?,
        CondExpr::Unary(op, w) => {
            let arg = expand::expand_word(sh, w)?;
            trace_test(sh, negated, &[op, &arg]);
            match op.get(1).copied().unwrap_or(b'e') {
                b'v' => is_set(sh, &arg)?,
                b'o' => std::str::from_utf8(&arg)
                    .ok()
                    .and_then(|n| sh.option_on(n))
                    .unwrap_or(false),
                b'a' => crate::builtins::test::unary(b'e', &arg).unwrap_or(false),
                b'L' => crate::builtins::test::unary(b'h', &arg).unwrap_or(false),
                b'R' => crate::builtins::test::is_set_reference(sh, &arg),
                letter => crate::builtins::test::unary(letter, &arg).unwrap_or(false),
            }
        }
        CondExpr::Binary(a, op, b) => {
            let left = expand::expand_word(sh, a)?;
            match op.as_slice() {
                b"==" | b"=" | b"!=" => {
                    let (pattern, shown) = expand::expand_pattern_traced(sh, b, sh.options.xtrace)?;
                    trace_test(sh, negated, &[&left, op, &shown]);
                    // bash reads `[[ ]]` patterns as if extglob were on.
                    let extglob = expand::pattern::extglob();
                    expand::pattern::set_extglob(true);
                    let m = if sh.options.shopt.on(crate::state::shopt::NOCASEMATCH) {
                        expand::pattern::matches(
                            &expand::to_lower(&pattern),
                            &expand::to_lower(&left),
                        )
                    } else {
                        expand::pattern::matches(&pattern, &left)
                    };
                    expand::pattern::set_extglob(extglob);
                    if op == b"!=" {
                        !m
                    } else {
                        m
                    }
                }
                b"=~" => {
                    let re = regex_text(sh, b)?;
                    trace_test(sh, negated, &[&left, op, &re]);
                    return regex_match(sh, &left, &re);
                }
                b"<" | b">" => {
                    let right = expand::expand_word(sh, b)?;
                    trace_test(sh, negated, &[&left, op, &right]);
                    if op == b"<" {
                        left < right
                    } else {
                        left > right
                    }
                }
                b"-nt" | b"-ot" | b"-ef" => {
                    let right = expand::expand_word(sh, b)?;
                    trace_test(sh, negated, &[&left, op, &right]);
                    crate::builtins::test::file_binary(op, &left, &right).unwrap_or(false)
                }
                _ => {
                    let right = expand::expand_word(sh, b)?;
                    trace_test(sh, negated, &[&left, op, &right]);
                    let x = arith_text(sh, &left, b"[[")?;
                    let y = arith_text(sh, &right, b"[[")?;
                    match op.as_slice() {
                        b"-eq" => x == y,
                        b"-ne" => x != y,
                        b"-lt" => x < y,
                        b"-le" => x <= y,
                        b"-gt" => x > y,
                        _ => x >= y,
                    }
                }
            }
        }
    })
}

/// The regular expression of `[[ s =~ re ]]`: unquoted text and expansions as written, quoted
/// text and a tilde's directory matched literally (their special characters escaped, except
/// inside a bracket expression, where a backslash would be one more character of the set:
/// bash-completion's `[\]\[a-z]` is the set of `]`, `[` and the letters).
fn regex_text(sh: &mut Shell, w: &Word) -> Result<Vec<u8>, Divert> {
    use crate::syntax::ast::WordPart;
    let mut re = Regex::default();
    for part in &w.parts {
        let one = Word::new(vec![part.clone()]);
        let text = match part {
            WordPart::Literal(t) => t.clone(),
            _ => expand::expand_word(sh, &one)?,
        };
        let quoted = matches!(
            part,
            WordPart::Quoted(_) | WordPart::DoubleQuoted(_) | WordPart::Tilde(_)
        );
        for &c in &text {
            re.push(c, quoted);
        }
    }
    Ok(re.text)
}

/// A regular expression being written, with where its bracket expression (if one is open)
/// starts.
#[derive(Default)]
struct Regex {
    text: Vec<u8>,
    /// Inside `[...]`: where the set's characters begin (a `]` there is one of them).
    bracket: Option<usize>,
    escaped: bool,
}

impl Regex {
    fn push(&mut self, c: u8, quoted: bool) {
        match self.bracket {
            Some(start) if !quoted => {
                if c == b'^' && self.text.len() == start {
                    self.bracket = Some(start + 1);
                } else if c == b']' && self.text.len() > start {
                    self.bracket = None;
                }
            }
            Some(_) => {}
            None if quoted && b"\\.[]()*+?{}|^$".contains(&c) => self.text.push(b'\\'),
            None if quoted => {}
            None if self.escaped => self.escaped = false,
            None if c == b'\\' => self.escaped = true,
            None if c == b'[' => self.bracket = Some(self.text.len() + 1),
            None => {}
        }
        self.text.push(c);
    }
}

/// `=~`: status 2 for a bad expression; a match sets `BASH_REMATCH` (the match, then each
/// group), a failure empties it.
/// `[[ left =~ text ]]`, `text` the expression as [`regex_text`] gave it.
fn regex_match(sh: &mut Shell, left: &[u8], text: &[u8]) -> Result<bool, Divert> {
    use crate::state::vars::{Array, Key};
    let Some(re) = crate::sys::regex::Regex::new(
        text,
        sh.options.shopt.on(crate::state::shopt::NOCASEMATCH),
        crate::state::locale::chars(),
    ) else {
        return Err(ShellError::new(ErrorKind::Message(Vec::new()))
            .with_status(2)
            .fails()
            .into());
    };
    let mut array = Array::indexed();
    let found = re.captures(left);
    if let Some(groups) = &found {
        for (i, g) in groups.iter().enumerate() {
            let v = g.map_or(Vec::new(), |(a, b)| left[a..b].to_vec());
            array.set(Key::Index(i as i64), v);
        }
    }
    // bash sets the global BASH_REMATCH, also under a local of that name.
    let global = sh.vars.swap_global(b"BASH_REMATCH");
    let _ = sh.vars.set_array(b"BASH_REMATCH", array);
    if global {
        sh.vars.swap_global(b"BASH_REMATCH");
    }
    Ok(found.is_some())
}

fn is_bad_regex(err: &ShellError) -> bool {
    matches!(&err.kind, ErrorKind::Message(m) if m.is_empty()) && err.status == 2
}

/// `-v name` and `-v name[key]`: the variable (or element) is set; `name[@]`, when the
/// array has any element. The subscript is already expanded (`[[ ]]`).
pub(crate) fn is_set(sh: &mut Shell, arg: &[u8]) -> Result<bool, Divert> {
    is_set_with(sh, arg, expand::subscript::key)
}

/// `test -v 'a[$k]'`: as [`is_set`], the subscript's text expanded first, as bash does with
/// text given at run time.
pub(crate) fn is_set_text(sh: &mut Shell, arg: &[u8]) -> Result<bool, Divert> {
    is_set_with(sh, arg, expand::subscript::key_of_text)
}

fn is_set_with(
    sh: &mut Shell,
    arg: &[u8],
    key_of: crate::exec::assign::KeyOf,
) -> Result<bool, Divert> {
    let Some(open) = arg
        .iter()
        .position(|&c| c == b'[')
        .filter(|_| arg.ends_with(b"]"))
    else {
        // A number names a positional parameter (0 is always set), as in bash.
        if let Some(n) = crate::builtins::util::parse_decimal(arg) {
            return Ok(usize::try_from(n).is_ok_and(|n| n <= sh.positional.len()));
        }
        // An array's element 0 (key "0"), as bash has it.
        return Ok(sh.vars.var(arg).is_some_and(|v| v.scalar().is_some())
            || sh.dynamic_var(arg).is_some()
            || sh.dynamic_array(arg).is_some());
    };
    let (name, sub) = (&arg[..open], &arg[open + 1..arg.len() - 1]);
    // An associative array's `@` is a key like any (bash).
    let assoc = sh.vars.array(name).is_some_and(|a| a.is_assoc()) || sh.is_table_array(name);
    if (sub == b"@" || sub == b"*") && !assoc {
        return Ok(expand::subscript::all(sh, name, false).is_some_and(|v| !v.is_empty()));
    }
    let key = match key_of(sh, name, sub, false) {
        Ok(k) => k,
        Err(e) if e.unwinds => return Err(e.into()),
        Err(_) => return Ok(false),
    };
    Ok(key.is_some_and(|k| expand::subscript::element(sh, name, &k).is_some()))
}
