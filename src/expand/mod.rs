//! Word expansion (XCU 2.6): tilde, parameter, command substitution, arithmetic, field
//! splitting, pathname expansion, quote removal. Knows nothing of the terminal.
//!
//! The behaviour is dash's. A word is expanded left to right into [`fields::Field`]s that
//! remember, for each byte, whether it was quoted or came from an unquoted expansion; then
//! each field is split ([`split`]), globbed ([`pathname`]) and has its quotes removed.

pub mod arith;
pub mod brace;
mod fields;
mod parameter;
pub(crate) mod pathname;
pub mod pattern;
mod split;
pub mod subscript;
pub mod tilde;

use fields::{Field, QUOTED, SPLIT, START};
pub use parameter::{capitalized, to_lower, to_upper};
pub use split::ifs_char_len;

use crate::state::Shell;
use crate::syntax::ast::{Param, ParamOp, Word, WordPart};

/// An expansion failed. `message` is dash's wording without the `NAME: LINE: ` prefix, e.g.
/// `x: parameter not set`; `status` is the exit status a non-interactive shell leaves with
/// (dash uses 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    pub message: Vec<u8>,
    pub status: i32,
    /// bash: an array subscript's arithmetic failed. Where other arithmetic errors only fail
    /// a command (`(( ))`, `let`) or abandon it, this one abandons everything up to the
    /// command being run at the top level (and the rest of a `-c` string).
    pub unwinds: bool,
    /// The error is arithmetic's: it fails `(( ))` and `let` alone, and abandons only the
    /// command being run at the top level in bash.
    pub arith: bool,
}

/// The message of an expansion that ran out of memory (dash's words).
const OUT_OF_SPACE: &[u8] = b"Out of space";

impl ExpandError {
    /// bash's `set -u` error: it ends a non-interactive shell even where an expression's
    /// other errors only fail the command (`(( ))`, `let`).
    pub fn is_unbound(&self) -> bool {
        self.message.ends_with(b": unbound variable")
    }

    pub fn new(message: impl Into<Vec<u8>>) -> Self {
        ExpandError {
            message: message.into(),
            status: 2,
            unwinds: false,
            arith: false,
        }
    }

    /// A size the user chose could not be allocated: the command fails, the shell goes on.
    pub fn out_of_space() -> Self {
        ExpandError {
            message: OUT_OF_SPACE.to_vec(),
            status: 1,
            unwinds: false,
            arith: false,
        }
    }

    /// bash's `set -u` error for the length of what is not set (`${#nope[@]}`, `${#x[2]}` of
    /// a scalar): unlike the others it abandons only the command being run at the top level,
    /// as an arithmetic error does, with status 1.
    pub fn unbound_length(name: &[u8]) -> Self {
        ExpandError {
            message: [name, b": unbound variable"].concat(),
            status: 1,
            unwinds: false,
            arith: true,
        }
    }

    /// The error of a subscript's or an integer variable's arithmetic (bash): see
    /// [`ExpandError::unwinds`].
    pub fn unwinding(self) -> Self {
        ExpandError {
            unwinds: true,
            ..self
        }
    }

    /// An arithmetic error in bash's words, after the name of where the expression was
    /// (`((: `, `[[: `, `x: ` for `${x:1+}`). A subscript's error is not placed (bash).
    pub fn within(mut self, bash: bool, place: &[u8]) -> Self {
        if bash && self.arith && !self.unwinds {
            self.message = [place, b": ", &self.message[..]].concat();
        }
        self
    }

    pub fn is_out_of_space(&self) -> bool {
        self.message == OUT_OF_SPACE && self.status == 1
    }
}

/// Expand the words of a command (or a `for` list) into fields: every step, including field
/// splitting and pathname expansion.
pub fn expand_words(sh: &mut Shell, words: &[Word]) -> Result<Vec<Vec<u8>>, ExpandError> {
    let mut out = Vec::with_capacity(words.len());
    let braces = sh.options.bash() && !sh.options.no_braceexpand;
    for word in words {
        if let Some(text) = word.as_plain_literal() {
            // One scan for the glob characters and, in bash mode, a brace. A `[` with no `]`
            // after it is no bracket expression: the `[` of a test is a word like any other.
            let special = text.iter().enumerate().any(|(i, &c)| match c {
                b'*' | b'?' => true,
                b'[' => text[i + 1..].contains(&b']'),
                b'{' | b'(' => braces,
                _ => false,
            });
            if !special {
                out.push(text.to_vec());
                continue;
            }
            if braces && text.contains(&b'{') {
                expand_braced(sh, word, &mut out)?;
                continue;
            }
            if sh.options.noglob {
                out.push(text.to_vec());
                continue;
            }
        } else if braces && brace::may_expand(word) {
            expand_braced(sh, word, &mut out)?;
            continue;
        } else if let Some(field) = lone_variable_field(sh, word) {
            out.push(field);
            continue;
        }
        let mut e = Expander::new(sh, Mode::Fields);
        e.parts(&word.parts, Ctx::Unquoted)?;
        e.finish_fields(&mut out)?;
    }
    Ok(out)
}

/// The field of a word that is a set variable alone (`$x`, `"$x"`) when nothing would split or
/// glob it: the common argument of a loop's commands, without an [`Expander`]'s field and
/// flags. None sends the word the general way (unset, `set -u`, splitting, patterns).
fn lone_variable_field(sh: &Shell, word: &Word) -> Option<Vec<u8>> {
    let (name, quoted) = lone_variable(&word.parts)?;
    let value = sh.vars.var(name)?.scalar()?;
    if !quoted {
        let ifs = sh.ifs().unwrap_or(split::DEFAULT_IFS);
        let plain = !value.is_empty()
            && !value
                .iter()
                .any(|c| matches!(c, b'*' | b'?' | b'[' | b'\\' | b'(') || ifs.contains(c));
        if !plain {
            return None;
        }
    }
    Some(value.to_vec())
}

/// The name of a word that is `$name` or `"$name"` alone, and whether it is quoted.
fn lone_variable(parts: &[WordPart]) -> Option<(&[u8], bool)> {
    let (pe, quoted) = match parts {
        [WordPart::Param(pe)] => (pe, false),
        [WordPart::DoubleQuoted(inner)] => match &inner[..] {
            [WordPart::Param(pe)] => (pe, true),
            _ => return None,
        },
        _ => return None,
    };
    match (&pe.param, &pe.op) {
        (Param::Var(name), ParamOp::Plain | ParamOp::BeforeBrace) => Some((name, quoted)),
        _ => None,
    }
}

/// A word with braces (bash mode): its brace expansion, each word then expanded as any
/// other. Out of the loop above, which every command runs.
#[cold]
#[inline(never)]
fn expand_braced(sh: &mut Shell, word: &Word, out: &mut Vec<Vec<u8>>) -> Result<(), ExpandError> {
    let Some(each) = brace::expand(word) else {
        return Err(ExpandError::new("brace expansion: too many words"));
    };
    for w in &each {
        let mut e = Expander::new(sh, Mode::Fields);
        e.parts(&w.parts, Ctx::Unquoted)?;
        e.finish_fields(out)?;
    }
    Ok(())
}

/// Expand a word to one string with no field splitting and no pathname expansion: assignment
/// values, redirection targets, the word of `case`, here-document bodies. `$@` and `$*` join
/// the parameters with the first character of IFS here, as in dash.
pub fn expand_word(sh: &mut Shell, word: &Word) -> Result<Vec<u8>, ExpandError> {
    if let Some(text) = word.as_plain_literal() {
        return Ok(text.to_vec());
    }
    if let Some((name, _)) = lone_variable(&word.parts) {
        if let Some(value) = sh.vars.var(name).and_then(|v| v.scalar()) {
            return Ok(value.to_vec());
        }
    }
    if let [WordPart::Arith(expr)] = &word.parts[..] {
        return Ok(arith::decimal(arith_value(sh, expr)?));
    }
    let mut e = Expander::new(sh, Mode::Word);
    e.parts(&word.parts, Ctx::Unquoted)?;
    Ok(e.cur.into_text())
}

/// Expand a word into a pattern for [`pattern`] matching (case patterns, `${x%pat}`): quoted
/// characters come out escaped with a backslash so they match themselves.
pub fn expand_pattern(sh: &mut Shell, word: &Word) -> Result<Vec<u8>, ExpandError> {
    if let Some(text) = word.as_plain_literal() {
        return Ok(text.to_vec());
    }
    let mut e = Expander::new(sh, Mode::Pattern);
    e.parts(&word.parts, Ctx::Unquoted)?;
    Ok(e.cur.to_pattern())
}

/// As [`expand_pattern`], with the text `set -x` shows for it when `traced` (bash: every
/// quoted character after a backslash).
pub fn expand_pattern_traced(
    sh: &mut Shell,
    word: &Word,
    traced: bool,
) -> Result<(Vec<u8>, Vec<u8>), ExpandError> {
    if !traced {
        return Ok((expand_pattern(sh, word)?, Vec::new()));
    }
    let mut e = Expander::new(sh, Mode::Pattern);
    e.parts(&word.parts, Ctx::Unquoted)?;
    Ok((e.cur.to_pattern(), e.cur.to_quoted_pattern()))
}

/// The replacement of `${x/pattern/replacement}` under bash's `patsub_replacement`: the
/// pieces of its text between the unquoted `&`s, each of which stands for the match.
pub fn expand_replacement(sh: &mut Shell, word: &Word) -> Result<Vec<Vec<u8>>, ExpandError> {
    if let Some(text) = word.as_plain_literal() {
        return Ok(text.split(|&c| c == b'&').map(<[u8]>::to_vec).collect());
    }
    let mut e = Expander::new(sh, Mode::Pattern);
    e.parts(&word.parts, Ctx::Unquoted)?;
    Ok(e.cur.split_at_unquoted(b'&'))
}

/// What the expansion is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Command words: `"$@"` makes fields, then splitting and pathname expansion.
    Fields,
    /// One string.
    Word,
    /// One string, as a pattern.
    Pattern,
}

/// The quoting context of a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Unquoted text of the word.
    Unquoted,
    /// The word of an unquoted `${x-word}`: its unquoted text is part of the expansion's
    /// result, so it is field-split like it (dash).
    ParamWord,
    /// Inside double quotes.
    Quoted,
}

struct Expander<'a> {
    sh: &'a mut Shell,
    mode: Mode,
    /// Fields completed by `"$@"` (and unquoted `$@`) before the current one.
    done: Vec<Field>,
    cur: Field,
    /// The next byte pushed starts the result of an unquoted expansion.
    pending_start: bool,
    /// A push did not fit in memory (the word is as large as the user made it): the
    /// expansion fails with "Out of space" at the end of the part.
    out_of_space: bool,
}

impl<'a> Expander<'a> {
    fn new(sh: &'a mut Shell, mode: Mode) -> Self {
        Expander {
            sh,
            mode,
            done: Vec::new(),
            cur: Field::default(),
            pending_start: false,
            out_of_space: false,
        }
    }

    fn push(&mut self, bytes: &[u8], flag: u8) {
        if bytes.is_empty() || self.out_of_space {
            return;
        }
        if self.cur.try_room(bytes.len()).is_err() {
            self.out_of_space = true;
            self.cur = Field::default();
            return;
        }
        let first = self.cur.text.len();
        self.cur.push(bytes, flag);
        if self.pending_start {
            self.cur.flags[first] |= START;
            self.pending_start = false;
        }
    }

    /// Push the result of an expansion in context `ctx`.
    fn push_value(&mut self, bytes: &[u8], ctx: Ctx) {
        let flag = if ctx == Ctx::Quoted { QUOTED } else { SPLIT };
        self.push(bytes, flag);
    }

    /// End the current field (between the parameters of `$@`).
    fn break_field(&mut self) {
        let f = std::mem::take(&mut self.cur);
        self.done.push(f);
    }

    fn parts(&mut self, parts: &[WordPart], ctx: Ctx) -> Result<(), ExpandError> {
        for part in parts {
            if let Err(e) = self.part(part, ctx) {
                return Err(named_by_its_string(e, parts, part, ctx));
            }
            if self.out_of_space {
                return Err(ExpandError::out_of_space());
            }
        }
        Ok(())
    }

    fn part(&mut self, part: &WordPart, ctx: Ctx) -> Result<(), ExpandError> {
        match part {
            WordPart::Literal(t) => {
                let flag = match ctx {
                    Ctx::Unquoted => 0,
                    Ctx::ParamWord => SPLIT,
                    Ctx::Quoted => QUOTED,
                };
                self.push(t, flag);
            }
            WordPart::Quoted(t) => {
                if t.is_empty() {
                    self.cur.push_mark();
                } else {
                    self.push(t, QUOTED);
                }
            }
            WordPart::DoubleQuoted(inner) => {
                if self.mode == Mode::Fields && is_lone_at(inner) {
                    // `"$@"` alone makes no field when there are no parameters.
                    self.parts(inner, Ctx::Quoted)?;
                } else {
                    self.cur.push_mark();
                    self.parts(inner, Ctx::Quoted)?;
                    self.cur.push_mark();
                }
            }
            WordPart::Tilde(name) => match tilde::expand(self.sh, name) {
                // bash: an empty home is an empty field, as `""` is; dash drops it.
                Some(home) if home.is_empty() && self.sh.options.bash() => {
                    self.cur.push_mark();
                    self.cur.push_mark();
                }
                Some(home) => self.push(&home, QUOTED),
                None => {
                    self.push(b"~", 0);
                    self.push(name, 0);
                }
            },
            WordPart::Param(pe) => {
                self.begin_region(ctx);
                let r = parameter::expand(self, pe, ctx);
                self.pending_start = false;
                r?;
            }
            WordPart::CommandSubst(list) => {
                let out = crate::exec::command_substitution(self.sh, list)?;
                if self.sh.options.bash() && out.contains(&0) {
                    let m = "warning: command substitution: ignored null byte in input";
                    self.sh
                        .report(&crate::exec::ShellError::new(crate::exec::ErrorKind::text(
                            m,
                        )));
                }
                let out = clean_command_output(out);
                self.begin_region(ctx);
                self.push_value(&out, ctx);
                self.pending_start = false;
            }
            WordPart::ProcessSubst { input, list } => {
                let path = crate::exec::substitution::process_substitution(self.sh, list, *input)?;
                self.begin_region(ctx);
                self.push(&path, QUOTED);
                self.pending_start = false;
            }
            WordPart::Compound(elements) => {
                // Only a declaration's argument holds one, and `declare` is given the
                // elements themselves (`exec::assign`); elsewhere it reads as written.
                self.push(b"(", QUOTED);
                for (i, w) in elements.iter().enumerate() {
                    if i > 0 {
                        self.push(b" ", QUOTED);
                    }
                    let text = expand_word(self.sh, w)?;
                    self.push(&text, QUOTED);
                }
                self.push(b")", QUOTED);
            }
            WordPart::Arith(expr) => {
                let value = arith_value(self.sh, expr)?;
                self.begin_region(ctx);
                self.push_value(&arith::decimal(value), ctx);
                self.pending_start = false;
            }
        }
        Ok(())
    }

    fn begin_region(&mut self, ctx: Ctx) {
        if ctx != Ctx::Quoted {
            self.pending_start = true;
        }
    }

    /// Field splitting, pathname expansion and quote removal of everything expanded.
    #[inline(always)]
    fn finish_fields(self, out: &mut Vec<Vec<u8>>) -> Result<(), ExpandError> {
        let Expander { sh, done, cur, .. } = self;
        let ifs = sh.ifs().unwrap_or(split::DEFAULT_IFS);
        let noglob = sh.options.noglob;
        let mut fields = Vec::with_capacity(done.len() + 1);
        for f in done.into_iter().chain(std::iter::once(cur)) {
            split::split_field(f, ifs, &mut fields);
        }
        let mut glob = pathname::Options::of(sh);
        for f in fields {
            if !noglob && f.may_glob() {
                let pat = f.to_pattern();
                if pattern::has_unescaped_glob(&pat) {
                    // bash's GLOBIGNORE: the names it matches are dropped, and dot files are
                    // matched as with dotglob.
                    let ignore = sh
                        .options
                        .bash()
                        .then(|| sh.get_var(b"GLOBIGNORE"))
                        .flatten()
                        .filter(|v| !v.is_empty())
                        .map(<[u8]>::to_vec);
                    glob.dotglob |= ignore.is_some();
                    let mut found = pathname::expand(&pat, glob);
                    if let Some(ignore) = ignore {
                        pathname::drop_ignored(&mut found, &ignore);
                    }
                    if !found.is_empty() {
                        out.extend(found);
                        continue;
                    }
                    if glob.failglob {
                        let mut m = b"no match: ".to_vec();
                        m.extend_from_slice(&f.into_text());
                        return Err(ExpandError {
                            message: m,
                            status: 1,
                            unwinds: false,
                            arith: false,
                        });
                    }
                    if glob.nullglob {
                        continue;
                    }
                }
            }
            out.push(f.into_text());
        }
        Ok(())
    }
}

/// The value of `$((expr))`.
fn arith_value(sh: &mut Shell, expr: &Word) -> Result<i64, ExpandError> {
    // The common case, text with no expansion in it, is evaluated where it lies.
    if let [WordPart::Quoted(text) | WordPart::Literal(text)] = &expr.parts[..] {
        return arith::eval(sh, text);
    }
    let text = expand_word(sh, expr)?;
    arith::eval(sh, &text)
}

/// The result of a command substitution: the output without its NUL bytes and without all
/// its trailing newlines (as dash).
fn clean_command_output(mut out: Vec<u8>) -> Vec<u8> {
    out.retain(|&c| c != 0);
    while out.last() == Some(&b'\n') {
        out.pop();
    }
    out
}

/// bash names a bad substitution by the whole string it was expanding: the word, the text
/// between double quotes, or the word of `${x-word}` (`a${#y-}b: bad substitution`).
#[cold]
fn named_by_its_string(
    mut e: ExpandError,
    parts: &[WordPart],
    failed: &WordPart,
    ctx: Ctx,
) -> ExpandError {
    let WordPart::Param(pe) = failed else {
        return e;
    };
    if !matches!(pe.op, ParamOp::Bad(_)) || parts.len() < 2 {
        return e;
    }
    let mut text = Vec::new();
    match ctx {
        // Between double quotes: the characters as they are, but `\$` and `\``.
        Ctx::Quoted => {
            for part in parts {
                match part {
                    WordPart::Literal(t) => text.extend_from_slice(t),
                    WordPart::Quoted(t) => {
                        for &c in t.iter() {
                            if c == b'$' || c == b'`' {
                                text.push(b'\\');
                            }
                            text.push(c);
                        }
                    }
                    other => text.extend(crate::syntax::print::word_text(&Word::new(vec![
                        other.clone()
                    ]))),
                }
            }
        }
        _ => text = crate::syntax::print::word_text(&Word::new(parts.to_vec())),
    }
    text.extend_from_slice(b": bad substitution");
    e.message = text;
    e
}

/// True for the parts of `"$@"`, and of `"${a[@]}"` and the operations on it (bash): alone
/// in double quotes, they make no field when there is no element.
fn is_lone_at(parts: &[WordPart]) -> bool {
    match parts {
        [WordPart::Param(pe)] => match &pe.param {
            Param::Special(b'@') => pe.op == ParamOp::Plain,
            Param::Elem(_, sub) => {
                matches!(**sub, crate::syntax::ast::Subscript::All { at: true })
                    && pe.op != ParamOp::Length
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testword;
