//! `test expr` and `[ expr ]` (XCU test), as dash does them: POSIX's rules by argument count,
//! then the XSI grammar with `!`, `-a`, `-o` and parentheses.

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys;
use crate::sys::fs::{may_access, stat};

/// Deeper nesting of parentheses than this is refused rather than risking the stack.
const MAX_DEPTH: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Eoi,
    Operand,
    Unot,
    Band,
    Bor,
    Lparen,
    Rparen,
    Unary(u8),
    Binary(Bin),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bin {
    StrEq,
    StrNe,
    StrLt,
    StrGt,
    IntEq,
    IntNe,
    IntGe,
    IntGt,
    IntLe,
    IntLt,
    FilNt,
    FilOt,
    FilEq,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unop,
    Binop,
    Bunop,
    Bbinop,
    Paren,
}

struct Op {
    text: &'static [u8],
    /// The text packed in an integer ([`packed`]), compared instead of the bytes: `test`
    /// looks every argument up in the table.
    key: u32,
    tok: Tok,
    kind: Kind,
}

const fn op(text: &'static [u8], tok: Tok, kind: Kind) -> Op {
    Op {
        text,
        key: packed(text),
        tok,
        kind,
    }
}

/// Up to three bytes and the length in one integer (operators are at most three long).
const fn packed(s: &[u8]) -> u32 {
    let mut key = s.len() as u32;
    let mut i = 0;
    while i < s.len() && i < 3 {
        key |= (s[i] as u32) << (8 * (i + 1));
        i += 1;
    }
    key
}

static OPS: &[Op] = &[
    op(b"-r", Tok::Unary(b'r'), Kind::Unop),
    op(b"-w", Tok::Unary(b'w'), Kind::Unop),
    op(b"-x", Tok::Unary(b'x'), Kind::Unop),
    op(b"-e", Tok::Unary(b'e'), Kind::Unop),
    op(b"-f", Tok::Unary(b'f'), Kind::Unop),
    op(b"-d", Tok::Unary(b'd'), Kind::Unop),
    op(b"-c", Tok::Unary(b'c'), Kind::Unop),
    op(b"-b", Tok::Unary(b'b'), Kind::Unop),
    op(b"-p", Tok::Unary(b'p'), Kind::Unop),
    op(b"-u", Tok::Unary(b'u'), Kind::Unop),
    op(b"-g", Tok::Unary(b'g'), Kind::Unop),
    op(b"-k", Tok::Unary(b'k'), Kind::Unop),
    op(b"-s", Tok::Unary(b's'), Kind::Unop),
    op(b"-t", Tok::Unary(b't'), Kind::Unop),
    op(b"-z", Tok::Unary(b'z'), Kind::Unop),
    op(b"-n", Tok::Unary(b'n'), Kind::Unop),
    op(b"-h", Tok::Unary(b'h'), Kind::Unop),
    op(b"-O", Tok::Unary(b'O'), Kind::Unop),
    op(b"-G", Tok::Unary(b'G'), Kind::Unop),
    op(b"-L", Tok::Unary(b'h'), Kind::Unop),
    op(b"-S", Tok::Unary(b'S'), Kind::Unop),
    op(b"=", Tok::Binary(Bin::StrEq), Kind::Binop),
    op(b"!=", Tok::Binary(Bin::StrNe), Kind::Binop),
    op(b"<", Tok::Binary(Bin::StrLt), Kind::Binop),
    op(b">", Tok::Binary(Bin::StrGt), Kind::Binop),
    op(b"-eq", Tok::Binary(Bin::IntEq), Kind::Binop),
    op(b"-ne", Tok::Binary(Bin::IntNe), Kind::Binop),
    op(b"-ge", Tok::Binary(Bin::IntGe), Kind::Binop),
    op(b"-gt", Tok::Binary(Bin::IntGt), Kind::Binop),
    op(b"-le", Tok::Binary(Bin::IntLe), Kind::Binop),
    op(b"-lt", Tok::Binary(Bin::IntLt), Kind::Binop),
    op(b"-nt", Tok::Binary(Bin::FilNt), Kind::Binop),
    op(b"-ot", Tok::Binary(Bin::FilOt), Kind::Binop),
    op(b"-ef", Tok::Binary(Bin::FilEq), Kind::Binop),
    op(b"!", Tok::Unot, Kind::Bunop),
    op(b"-a", Tok::Band, Kind::Bbinop),
    op(b"-o", Tok::Bor, Kind::Bbinop),
    op(b"(", Tok::Lparen, Kind::Paren),
    op(b")", Tok::Rparen, Kind::Paren),
];

/// bash's additions: `==` for `=`, `-v name` (a variable is set), `-R name` (a name
/// reference is set), `-N file` (modified since it was last read).
static BASH_OPS: &[Op] = &[
    op(b"==", Tok::Binary(Bin::StrEq), Kind::Binop),
    op(b"-v", Tok::Unary(b'v'), Kind::Unop),
    op(b"-R", Tok::Unary(b'R'), Kind::Unop),
    op(b"-N", Tok::Unary(b'N'), Kind::Unop),
];

fn getop(s: &[u8]) -> Option<&'static Op> {
    if s.len() > 3 {
        return None;
    }
    find(OPS, packed(s))
}

fn find(table: &'static [Op], key: u32) -> Option<&'static Op> {
    table.iter().find(|o| o.key == key)
}

/// An operator of the language: dash's, and in bash's (`bash`) its own too.
fn getop_in(s: &[u8], bash: bool) -> Option<&'static Op> {
    // Most words are operands: those are told at their first byte, not by the whole table.
    if s.len() > 3
        || !matches!(
            s.first(),
            Some(b'-' | b'=' | b'!' | b'<' | b'>' | b'(' | b')')
        )
    {
        return None;
    }
    let key = packed(s);
    find(OPS, key).or_else(|| bash.then(|| find(BASH_OPS, key)).flatten())
}

/// An error message (what follows `test: `).
type Error = Vec<u8>;

fn syntax(op: &[u8], msg: &str) -> Error {
    let mut m = Vec::new();
    if !op.is_empty() {
        m.extend_from_slice(op);
        m.extend_from_slice(b": ");
    }
    m.extend_from_slice(msg.as_bytes());
    m
}

/// dash's integer operands: decimal, blanks around, a sign; anything else is an error.
fn getn(s: &[u8]) -> Result<i64, Error> {
    let bad = || {
        let mut m = b"Illegal number: ".to_vec();
        m.extend_from_slice(s);
        m
    };
    super::util::parse_decimal(s).ok_or_else(bad)
}

/// An integer operand in the language being spoken: bash's (blanks are spaces and tabs only;
/// `X: integer expression expected`) or dash's.
fn integer(s: &[u8], bash: bool) -> Result<i64, Error> {
    if !bash {
        return getn(s);
    }
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let start = s.iter().position(|c| !blank(c)).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !blank(c)).map_or(start, |i| i + 1);
    let body = &s[start..end];
    let digits = body
        .strip_prefix(b"-")
        .or(body.strip_prefix(b"+"))
        .unwrap_or(body);
    if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
        if let Some(n) = std::str::from_utf8(body).ok().and_then(|t| t.parse().ok()) {
            return Ok(n);
        }
    }
    Err([s, b": integer expression expected"].concat())
}

/// A unary test by its letter (`f` for `-f`); also `[[ ]]`'s.
pub(crate) fn unary(op: u8, arg: &[u8]) -> Result<bool, Error> {
    let fmt = |st: &sys::fs::Stat| st.st_mode & sys::fs::S_IFMT;
    Ok(match op {
        b'z' => arg.is_empty(),
        b'n' => !arg.is_empty(),
        b't' => crate::sys::fd::is_terminal(getn(arg)? as i32),
        b'r' => may_access(arg, sys::fs::R_OK),
        b'w' => may_access(arg, sys::fs::W_OK),
        b'x' => may_access(arg, sys::fs::X_OK),
        _ => {
            let Some(st) = stat(arg, op != b'h') else {
                return Ok(false);
            };
            match op {
                b'e' => true,
                b'f' => fmt(&st) == sys::fs::S_IFREG,
                b'd' => fmt(&st) == sys::fs::S_IFDIR,
                b'c' => fmt(&st) == sys::fs::S_IFCHR,
                b'b' => fmt(&st) == sys::fs::S_IFBLK,
                b'p' => fmt(&st) == sys::fs::S_IFIFO,
                b'S' => fmt(&st) == sys::fs::S_IFSOCK,
                b'h' => fmt(&st) == sys::fs::S_IFLNK,
                b'u' => st.st_mode & sys::fs::S_ISUID != 0,
                b'g' => st.st_mode & sys::fs::S_ISGID != 0,
                b'k' => st.st_mode & sys::fs::S_ISVTX != 0,
                b's' => st.st_size > 0,
                b'O' => st.st_uid == crate::sys::process::euid(),
                b'G' => st.st_gid == crate::sys::process::egid(),
                // Modified since it was last read (bash): later, to the nanosecond.
                b'N' => (st.st_mtime, st.st_mtime_nsec) > (st.st_atime, st.st_atime_nsec),
                _ => true,
            }
        }
    })
}

/// `a -nt b`, `a -ot b`, `a -ef b` for `[[ ]]`; None for another operator.
pub(crate) fn file_binary(op: &[u8], a: &[u8], b: &[u8]) -> Option<bool> {
    match getop(op)?.tok {
        Tok::Binary(bin @ (Bin::FilNt | Bin::FilOt | Bin::FilEq)) => binary(bin, a, b, true).ok(),
        _ => None,
    }
}

fn mtime(p: &[u8]) -> Option<(i64, i64)> {
    stat(p, true).map(|st| (st.st_mtime, st.st_mtime_nsec))
}

/// `bash`: a file that exists is newer than one that does not (bash, and POSIX.1-2024);
/// dash says false when either is missing.
fn binary(op: Bin, a: &[u8], b: &[u8], bash: bool) -> Result<bool, Error> {
    Ok(match op {
        Bin::StrEq => a == b,
        Bin::StrNe => a != b,
        Bin::StrLt => a < b,
        Bin::StrGt => a > b,
        Bin::IntEq => integer(a, bash)? == integer(b, bash)?,
        Bin::IntNe => integer(a, bash)? != integer(b, bash)?,
        Bin::IntGe => integer(a, bash)? >= integer(b, bash)?,
        Bin::IntGt => integer(a, bash)? > integer(b, bash)?,
        Bin::IntLe => integer(a, bash)? <= integer(b, bash)?,
        Bin::IntLt => integer(a, bash)? < integer(b, bash)?,
        Bin::FilNt => match (mtime(a), mtime(b)) {
            (Some(x), Some(y)) => x > y,
            (Some(_), None) => bash,
            _ => false,
        },
        Bin::FilOt => match (mtime(a), mtime(b)) {
            (Some(x), Some(y)) => x < y,
            (None, Some(_)) => bash,
            _ => false,
        },
        Bin::FilEq => match (stat(a, true), stat(b, true)) {
            (Some(x), Some(y)) => x.st_dev == y.st_dev && x.st_ino == y.st_ino,
            _ => false,
        },
    })
}

/// The expression parser: `wp` is the current word, `wp_op` the operator the last `lex` saw.
struct Parser<'a> {
    args: &'a [Vec<u8>],
    wp: usize,
    wp_op: Option<&'static Op>,
    depth: u32,
    /// The shell, in the bash language (its operators that look at variables and options).
    sh: Option<&'a mut Shell>,
}

impl Parser<'_> {
    fn lex(&mut self, i: usize) -> Tok {
        let Some(s) = self.args.get(i) else {
            self.wp_op = None;
            return Tok::Eoi;
        };
        if let Some(op) = getop_in(s, self.sh.is_some()) {
            let operand = op.kind == Kind::Unop && self.isoperand(i);
            let lone_paren = op.tok == Tok::Lparen && i + 1 >= self.args.len();
            if !operand && !lone_paren {
                self.wp_op = Some(op);
                return op.tok;
            }
        }
        self.wp_op = None;
        Tok::Operand
    }

    fn isoperand(&self, i: usize) -> bool {
        let Some(next) = self.args.get(i + 1) else {
            return true;
        };
        if i + 2 >= self.args.len() {
            return false;
        }
        getop_in(next, self.sh.is_some()).is_some_and(|o| o.kind == Kind::Binop)
    }

    fn oexpr(&mut self, mut n: Tok) -> Result<bool, Error> {
        let mut res = false;
        loop {
            res |= self.aexpr(n)?;
            n = self.lex(self.wp + 1);
            if n != Tok::Bor {
                return Ok(res);
            }
            self.wp += 2;
            n = self.lex(self.wp);
        }
    }

    fn aexpr(&mut self, mut n: Tok) -> Result<bool, Error> {
        let mut res = true;
        loop {
            if !self.nexpr(n)? {
                res = false;
            }
            n = self.lex(self.wp + 1);
            if n != Tok::Band {
                return Ok(res);
            }
            self.wp += 2;
            n = self.lex(self.wp);
        }
    }

    fn nexpr(&mut self, mut n: Tok) -> Result<bool, Error> {
        let mut negate = false;
        while n == Tok::Unot {
            n = self.lex(self.wp + 1);
            if n != Tok::Eoi {
                self.wp += 1;
            }
            negate = !negate;
        }
        Ok(self.primary(n)? ^ negate)
    }

    fn primary(&mut self, n: Tok) -> Result<bool, Error> {
        if n == Tok::Eoi {
            return Ok(false);
        }
        if n == Tok::Lparen {
            self.wp += 1;
            let nn = self.lex(self.wp);
            if nn == Tok::Rparen {
                return Ok(false);
            }
            if self.depth >= MAX_DEPTH {
                return Err(syntax(b"", "expression too deeply nested"));
            }
            self.depth += 1;
            let res = self.oexpr(nn)?;
            self.depth -= 1;
            self.wp += 1;
            if self.lex(self.wp) != Tok::Rparen {
                return Err(syntax(b"", "closing paren expected"));
            }
            return Ok(res);
        }
        if let Some(op) = self.wp_op.filter(|o| o.kind == Kind::Unop) {
            self.wp += 1;
            let Some(arg) = self.args.get(self.wp) else {
                return Err(syntax(op.text, "argument expected"));
            };
            let Tok::Unary(u) = op.tok else {
                return Ok(false);
            };
            if let Some(sh) = self.sh.as_deref_mut() {
                match u {
                    b'v' => return Ok(is_set_text(sh, arg)),
                    b'R' => {
                        return Ok(is_set_reference(sh, arg));
                    }
                    // bash: a descriptor that is not a number is not a terminal.
                    b't' if getn(arg).is_err() => return Ok(false),
                    _ => {}
                }
            }
            return unary(u, arg);
        }
        self.lex(self.wp + 1);
        if let Some(op) = self.wp_op.filter(|o| o.kind == Kind::Binop) {
            let a = &self.args[self.wp];
            self.wp += 2;
            let Some(b) = self.args.get(self.wp) else {
                return Err(syntax(op.text, "argument expected"));
            };
            let Tok::Binary(bin) = op.tok else {
                return Ok(false);
            };
            return binary(bin, a, b, self.sh.is_some());
        }
        Ok(self.args.get(self.wp).is_some_and(|a| !a.is_empty()))
    }
}

/// Evaluate `test`'s arguments (without the command name): the exit status, or an error
/// message for status 2.
pub fn evaluate(args: &[Vec<u8>]) -> Result<i32, Error> {
    evaluate_in(args, None, false)
}

/// [`evaluate`]; with the shell, in the bash language: `==`, `-v`, `-R`, and with two
/// arguments `-o option` (the option is on) and `-a file` (as `-e`).
/// `bracket`: the command is `[`, whose closing `]` bash names in its messages.
fn evaluate_in(args: &[Vec<u8>], mut sh: Option<&mut Shell>, bracket: bool) -> Result<i32, Error> {
    let mut args = args;
    let mut res = 1;
    loop {
        if args.is_empty() {
            return Ok(res);
        }
        if let (Some(sh), [op, arg]) = (sh.as_deref(), args) {
            match op.as_slice() {
                b"-o" => {
                    let on = std::str::from_utf8(arg)
                        .ok()
                        .and_then(|name| sh.option_on(name))
                        .unwrap_or(false);
                    return Ok(res ^ i32::from(on));
                }
                b"-a" => return Ok(res ^ i32::from(unary(b'e', arg)?)),
                _ => {}
            }
        }
        let bash = sh.is_some();
        if let (true, [a, op, b]) = (bash, args) {
            // bash: three arguments around `-a` or `-o` are two strings tested for length.
            match op.as_slice() {
                b"-a" => return Ok(res ^ i32::from(!a.is_empty() && !b.is_empty())),
                b"-o" => return Ok(res ^ i32::from(!a.is_empty() || !b.is_empty())),
                _ => {}
            }
        }
        if args.len() == 3 && getop_in(&args[1], bash).is_some_and(|o| o.kind == Kind::Binop) {
            let mut p = Parser {
                args,
                wp: 0,
                wp_op: None,
                depth: 0,
                sh,
            };
            return finish(&mut p, Tok::Operand, res);
        }
        if args.len() == 3 || args.len() == 4 {
            if args[0].as_slice() == b"(" && args[args.len() - 1].as_slice() == b")" {
                args = &args[1..args.len() - 1];
            } else if args[0].as_slice() == b"!" {
                // bash negates once per `!` (`! ! -n x` is `-n x`); dash's `!` sets the
                // result negated however many stand there.
                res = if bash { res ^ 1 } else { 0 };
                args = &args[1..];
                continue;
            }
        }
        if bash && args.len() == 3 {
            // Three arguments without a binary operator in the middle (bash).
            return Err([&args[1][..], b": binary operator expected"].concat());
        }
        if let (Some(sh), 3..) = (sh.as_deref_mut(), args.len()) {
            let mut e = BashExpr {
                args,
                pos: 0,
                depth: 0,
                sh,
                bracket,
            };
            return e.whole().map(|v| res ^ i32::from(v));
        }
        if let (true, [first, _]) = (bash, args) {
            if first.as_slice() != b"!" && bash_unary(first).is_none() {
                return Err([&first[..], b": unary operator expected"].concat());
            }
        }
        let mut p = Parser {
            args,
            wp: 0,
            wp_op: None,
            depth: 0,
            sh: sh.take(),
        };
        let n = p.lex(0);
        return finish(&mut p, n, res);
    }
}

/// bash's grammar for an expression of three or more arguments that POSIX's rules by count
/// do not settle. It reads by position: a term is `!` term, `( expr )`, a comparison when the
/// next argument is a binary operator, a unary test when an argument follows, or else a
/// string tested for length; `-a` binds tighter than `-o`. (dash's grammar looks ahead
/// differently: `[ -a -a -a -a -a ]` is true there and false in bash.)
struct BashExpr<'a, 'b> {
    args: &'a [Vec<u8>],
    pos: usize,
    depth: u32,
    sh: &'b mut Shell,
    bracket: bool,
}

impl BashExpr<'_, '_> {
    fn whole(&mut self) -> Result<bool, Error> {
        let value = self.expr()?;
        match self.args.get(self.pos) {
            None => Ok(value),
            Some(extra) if extra.first() == Some(&b'-') => {
                Err([b"syntax error: `", &extra[..], b"' unexpected"].concat())
            }
            Some(_) => Err(b"too many arguments".to_vec()),
        }
    }

    fn at(&self, word: &[u8]) -> bool {
        self.args.get(self.pos).is_some_and(|a| a == word)
    }

    fn expr(&mut self) -> Result<bool, Error> {
        // Every operand is evaluated (and its errors found), whatever the ones before gave.
        let mut value = self.and()?;
        while self.at(b"-o") {
            self.pos += 1;
            value |= self.and()?;
        }
        Ok(value)
    }

    fn and(&mut self) -> Result<bool, Error> {
        let mut value = self.term()?;
        while self.at(b"-a") {
            self.pos += 1;
            value &= self.term()?;
        }
        Ok(value)
    }

    fn term(&mut self) -> Result<bool, Error> {
        let Some(word) = self.args.get(self.pos) else {
            return Err(b"argument expected".to_vec());
        };
        if word == b"!" {
            let mut negate = false;
            while self.at(b"!") {
                self.pos += 1;
                negate = !negate;
            }
            return Ok(self.term()? ^ negate);
        }
        if word == b"(" {
            if self.depth >= MAX_DEPTH {
                return Err(syntax(b"", "expression too deeply nested"));
            }
            self.pos += 1;
            self.depth += 1;
            let value = self.expr()?;
            self.depth -= 1;
            return match self.args.get(self.pos) {
                Some(close) if close == b")" => {
                    self.pos += 1;
                    Ok(value)
                }
                Some(other) => Err([b"`)' expected, found ", &other[..]].concat()),
                None if self.bracket => Err(b"`)' expected, found ]".to_vec()),
                None => Err(b"`)' expected".to_vec()),
            };
        }
        let comparison = self
            .args
            .get(self.pos + 1)
            .filter(|_| self.pos + 3 <= self.args.len())
            .and_then(|op| getop_in(op, true))
            .and_then(|o| match o.tok {
                Tok::Binary(bin) => Some(bin),
                _ => None,
            });
        if let Some(bin) = comparison {
            let (a, b) = (&self.args[self.pos], &self.args[self.pos + 2]);
            self.pos += 3;
            return binary(bin, a, b, true);
        }
        if let Some(letter) = bash_unary(word).filter(|_| self.pos + 2 <= self.args.len()) {
            self.pos += 1;
            return self.unary(letter);
        }
        self.pos += 1;
        Ok(!word.is_empty())
    }

    /// The unary test `-letter` whose operand is at `pos`.
    fn unary(&mut self, letter: u8) -> Result<bool, Error> {
        let arg = &self.args[self.pos];
        if letter == b't' {
            // `-t` takes its operand only when it is a number; `-t` alone tests descriptor 1.
            return match integer(arg, true) {
                Ok(fd) => {
                    self.pos += 1;
                    Ok(crate::sys::fd::is_terminal(fd as i32))
                }
                Err(_) => Ok(crate::sys::fd::is_terminal(1)),
            };
        }
        self.pos += 1;
        match letter {
            b'a' => unary(b'e', arg),
            b'o' => Ok(std::str::from_utf8(arg)
                .ok()
                .and_then(|name| self.sh.option_on(name))
                .unwrap_or(false)),
            b'v' => Ok(is_set_text(self.sh, arg)),
            b'R' => Ok(is_set_reference(self.sh, arg)),
            _ => unary(letter, arg),
        }
    }
}

/// bash's unary operators, by letter: the table's, and `-a` (as `-e`) and `-o` (an option),
/// which are binary operators in dash's grammar.
fn bash_unary(word: &[u8]) -> Option<u8> {
    match word {
        b"-a" => Some(b'a'),
        b"-o" => Some(b'o'),
        _ => match getop_in(word, true)?.tok {
            Tok::Unary(letter) => Some(letter),
            _ => None,
        },
    }
}

fn finish(p: &mut Parser, n: Tok, res: i32) -> Result<i32, Error> {
    let r = res ^ i32::from(p.oexpr(n)?);
    if p.wp + 1 < p.args.len() {
        return Err(syntax(&p.args[p.wp], "unexpected operator"));
    }
    Ok(r)
}

fn run(sh: &mut Shell, name: &'static str, args: &[Vec<u8>]) -> ExecResult {
    let bash = sh.options.bash().then_some(sh);
    match evaluate_in(args, bash, name == "[") {
        Ok(s) => Ok(s),
        Err(m) => ShellError::builtin(name, ErrorKind::Message(m))
            .fails()
            .raise(),
    }
}

pub fn test(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    run(sh, "test", args.get(1..).unwrap_or(&[]))
}

/// `[`: dash checks only that the last argument begins with `]`.
/// bash's wants exactly `]`.
pub fn bracket(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    let bash = sh.options.bash();
    match args.last() {
        Some(last)
            if args.len() > 1 && (last == b"]" || (!bash && last.first() == Some(&b']'))) =>
        {
            run(sh, "[", &args[1..args.len() - 1])
        }
        _ => {
            let message = if bash { "missing `]'" } else { "missing ]" };
            ShellError::builtin("[", ErrorKind::text(message))
                .fails()
                .raise()
        }
    }
}

/// `-R name` (bash): `name` is a name reference that refers to something.
pub fn is_set_reference(sh: &Shell, name: &[u8]) -> bool {
    sh.vars
        .var_unresolved(name)
        .is_some_and(|v| v.attrs & crate::state::vars::NAMEREF != 0 && v.is_set())
}

/// `-v name[subscript]`: an error in the subscript's arithmetic is reported, and abandons
/// everything up to the top-level command, as in bash.
fn is_set_text(sh: &mut Shell, arg: &[u8]) -> bool {
    match crate::exec::cond::is_set_text(sh, arg) {
        Ok(set) => set,
        Err(crate::exec::Divert::Error(e)) => {
            sh.report(&e);
            sh.unwind_pending.set(true);
            false
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dash;

    fn check(args: &[&str]) {
        let v: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mine = evaluate(&v);
        let Some(d) = dash("test \"$@\"")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .run()
        else {
            return;
        };
        let err = String::from_utf8_lossy(&d.stderr);
        let err = err
            .strip_suffix('\n')
            .unwrap_or(&err)
            .strip_prefix("sh: 1: test: ")
            .unwrap_or(&err);
        match mine {
            Ok(s) => assert_eq!((Some(s), ""), (d.status.code(), err), "test {args:?}"),
            Err(m) => assert_eq!(
                (Some(2), String::from_utf8_lossy(&m).as_ref()),
                (d.status.code(), err),
                "test {args:?}"
            ),
        }
    }

    #[test]
    fn against_dash() {
        let cases: &[&[&str]] = &[
            &[],
            &[""],
            &["a"],
            &["!"],
            &["-n"],
            &["-z"],
            &["-t"],
            &["("],
            &[")"],
            &["-a"],
            &["-o"],
            &["=", "="],
            &["!", ""],
            &["!", "a"],
            &["-z", ""],
            &["-n", ""],
            &["-z", "a"],
            &["(", ")"],
            &["a", "b"],
            &["-l", "x"],
            &["a", "=", "a"],
            &["a", "!=", "a"],
            &["a", "<", "b"],
            &["b", ">", "a"],
            &["1", "-eq", "a"],
            &["1", "-eq"],
            &[" 12 ", "-eq", "12"],
            &["", "-eq", "0"],
            &["99999999999999999999", "-gt", "1"],
            &["-9223372036854775808", "-lt", "0"],
            &["+5", "-eq", "5"],
            &["-t", "abc"],
            &["!", "!", "a", "b"],
            &["a", "-a"],
            &["-n", "-a", "-n"],
            &["1", "-lt", "2", "-o"],
            &["a", "=", "a", "-a", "(", "b", ")"],
            &["(", "a", ")"],
            &["(", "a"],
            &["(", "a", "=", "a", ")"],
            &["!", "(", "a", ")"],
            &["!", "a", "=", "b"],
            &["!", "!", "a"],
            &["-a", "-a", "-a"],
            &["-o", "-o", "-o"],
            &["=", "=", "="],
            &["!", "=", "!"],
            &["(", "=", ")"],
            &["-n", "=", "-n"],
            &["-z", "-z", "-z"],
            &["a", "-o", "b", "-a", ""],
            &["", "-o", "", "-a", "x"],
            &["!", "", "-a", "!", "x"],
            &["(", "(", "a", ")", ")"],
            &["(", "(", "a", ")"],
            &["a", ")"],
            &["-f", "Cargo.toml"],
            &["-d", "src"],
            &["-e", "nonexistent"],
            &["-r", "Cargo.toml", "-a", "-w", "src"],
            &["-x", "src"],
            &["-s", "Cargo.toml"],
            &["-L", "Cargo.toml"],
            &["-h", "nonexistent"],
            &["-O", "Cargo.toml"],
            &["-G", "src"],
            &["-b", "/dev/null"],
            &["-c", "/dev/null"],
            &["-p", "/dev/null"],
            &["-S", "/dev/null"],
            &["-u", "/dev/null"],
            &["-g", "/dev/null"],
            &["-k", "/tmp"],
            &["Cargo.toml", "-ef", "./Cargo.toml"],
            &["Cargo.toml", "-nt", "nonexistent"],
            &["src", "-ot", "Cargo.toml"],
            &["-t", "99"],
            &["1", "-ne", "2", "-a", "3", "-le", "3"],
            &["3", "-ge", "4", "-o", "5", "-lt", "4"],
            &["x", "-eq", "1", "-o", "a"],
            &["a", "=", "b", "-o", "1", "-eq", "x"],
            &["(", "a", "-a", ")"],
            &["!", "-e", "nonexistent"],
            &["-e"],
            &["-e", "-a", "x"],
            &["!", "-z"],
            &["a", "-a", "b", "c"],
            &["(", "a", "b", ")"],
            &["(", "!", ")"],
            &["a", "-nt"],
            &["x", "=="],
        ];
        for c in cases {
            check(c);
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_fatal() {
        let mut v = vec![b"(".to_vec(); 100_000];
        v.push(b"a".to_vec());
        v.extend(vec![b")".to_vec(); 100_000]);
        assert!(evaluate(&v).is_err());
        let v = vec![b"!".to_vec(); 100_001];
        assert!(evaluate(&v).is_ok());
    }
}
