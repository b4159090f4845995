//! Arithmetic expansion (XCU 2.6.4): the C operators on signed 64-bit integers.
//!
//! The grammar and the order of evaluation follow dash: the expression is evaluated while it is
//! parsed, so an error (division by zero, a variable that is not a number) is reported at the
//! same point dash reports it. Arithmetic wraps. In posix mode there is no `++`, `--` or comma
//! operator: `++x` is two unary pluses, `x++` is a syntax error, as in dash. The bash language
//! adds `**`, pre and post `++`/`--`, the comma operator and `BASE#DIGITS` constants; its
//! errors leave status 1, as bash's do.

use super::ExpandError;
use crate::state::array::Key;
use crate::state::Shell;

/// An element's name, its subscript's text and the key that text gave.
type ElementOnce = (Vec<u8>, Vec<u8>, Option<Key>);

/// How deeply parentheses and the middle operands of `?:` nest before the stack's room is
/// checked: deeper input is evaluated while the stack lasts (dash and bash take 10,000
/// parentheses), then refused instead of overflowing it.
const CHECKED_NESTING: u32 = 256;

// How deep the evaluation of variables' values as expressions is nested.
thread_local!(static NESTED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });

/// Evaluate an arithmetic expression (already parameter-expanded), reading and assigning shell
/// variables.
pub fn eval(sh: &mut Shell, expr: &[u8]) -> Result<i64, ExpandError> {
    // dash works on C strings: a NUL byte ends the expression.
    let expr = until_nul(expr);
    let bash = sh.options.bash();
    // bash: an empty expression (`$(( ))`, `x+=` of an integer, `a[ ]`) is 0; dash: an error.
    if bash && expr.trim_ascii().is_empty() {
        return Ok(0);
    }
    let mut p = Parser {
        sh,
        src: expr,
        pos: 0,
        tok: Tok::Eof,
        tok_start: 0,
        prev_start: 0,
        depth: 0,
        bash,
        nested: NESTED.with(std::cell::Cell::get) > 0,
    };
    p.advance();
    let result = p.comma(false).and_then(|v| {
        if p.tok != Tok::Eof {
            return Err(p.error("expecting EOF"));
        }
        Ok(v)
    });
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(with_bash_status(e, bash)),
    }
}

/// The decimal text of a number, as `$((...))` and assignments store it; without the
/// formatting machinery of `to_string`, which an arithmetic loop pays for on every step.
pub fn decimal(n: i64) -> Vec<u8> {
    let mut text = Vec::with_capacity(20);
    crate::audit::record::encode::push_i64(&mut text, n);
    text
}

/// bash's arithmetic errors leave status 1.
#[cold]
#[inline(never)]
fn with_bash_status(mut e: ExpandError, bash: bool) -> ExpandError {
    if bash && e.status == 2 {
        e.status = 1;
    }
    e
}

/// Convert a variable's value to a number as dash's arithmetic does (`strtoimax` with base 0,
/// surrounding white space allowed, empty or blank meaning 0); anything else is
/// `Illegal number: VALUE`.
pub fn parse_var_value(value: &[u8]) -> Result<i64, ExpandError> {
    if let Some(n) = plain_decimal(value) {
        return Ok(n);
    }
    let value = until_nul(value);
    let illegal = || {
        let mut m = b"Illegal number: ".to_vec();
        m.extend_from_slice(value);
        ExpandError::new(m)
    };
    let (n, end, overflow) = strtoimax(value);
    if overflow {
        return Err(illegal());
    }
    let rest = value.get(end..).unwrap_or_default();
    if rest.iter().all(|&c| is_c_space(c)) {
        Ok(n)
    } else {
        Err(illegal())
    }
}

/// The value of the text of a counter, digits with no leading 0 and too few to overflow,
/// read without [`strtoimax`]'s generality; None for anything else.
#[inline]
fn plain_decimal(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || (text[0] == b'0' && text.len() > 1) {
        return None;
    }
    text.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

fn until_nul(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == 0) {
        Some(i) => s.get(..i).unwrap_or_default(),
        None => s,
    }
}

/// C `isspace` in the C locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// glibc `strtoimax(s, &end, 0)`: leading white space, an optional sign, then a decimal, octal
/// (`0`) or hexadecimal (`0x`) constant. Returns the value (saturated on overflow), the index
/// just past the constant (0 when there is none), and whether it overflowed.
fn strtoimax(s: &[u8]) -> (i64, usize, bool) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while is_c_space(at(i)) {
        i += 1;
    }
    let mut negative = false;
    if at(i) == b'+' || at(i) == b'-' {
        negative = at(i) == b'-';
        i += 1;
    }
    let base: u64;
    if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' && at(i + 2).is_ascii_hexdigit() {
        base = 16;
        i += 2;
    } else if at(i) == b'0' {
        base = 8;
    } else {
        base = 10;
    }
    let start = i;
    let mut acc: u64 = 0;
    let mut overflow = false;
    loop {
        let d = match at(i) {
            c @ b'0'..=b'9' => u64::from(c - b'0'),
            c @ b'a'..=b'f' => u64::from(c - b'a' + 10),
            c @ b'A'..=b'F' => u64::from(c - b'A' + 10),
            _ => break,
        };
        if d >= base {
            break;
        }
        match acc.checked_mul(base).and_then(|v| v.checked_add(d)) {
            Some(v) => acc = v,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return (0, 0, false);
    }
    let limit: u64 = if negative {
        (i64::MAX as u64) + 1
    } else {
        i64::MAX as u64
    };
    if overflow || acc > limit {
        return (if negative { i64::MIN } else { i64::MAX }, i, true);
    }
    let v = if negative {
        (acc as i64).wrapping_neg()
    } else {
        acc as i64
    };
    (v, i, false)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
    /// `**` (bash)
    Pow,
}

impl Op {
    /// Binding strength: higher binds tighter.
    fn prec(self) -> u8 {
        match self {
            Op::Or => 1,
            Op::And => 2,
            Op::BitOr => 3,
            Op::BitXor => 4,
            Op::BitAnd => 5,
            Op::Eq | Op::Ne => 6,
            Op::Lt | Op::Le | Op::Gt | Op::Ge => 7,
            Op::Shl | Op::Shr => 8,
            Op::Add | Op::Sub => 9,
            Op::Mul | Op::Div | Op::Rem => 10,
            Op::Pow => 11,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Eof,
    /// A character that starts no token.
    Bad,
    Num(i64),
    /// A variable name: `src[start..end]`. Offsets are u32 and the error a `&&str` so a token
    /// is two words, which the lexer hands back in registers (a third word cost a tenth of
    /// an arithmetic loop in stalled copies).
    Var(u32, u32),
    Bin(Op),
    /// `=`
    Assign,
    /// `*=`, `+=`, ...
    OpAssign(Op),
    Not,
    BitNot,
    LParen,
    RParen,
    Question,
    Colon,
    /// `,` (bash)
    Comma,
    /// `++` (bash)
    Inc,
    /// `--` (bash)
    Dec,
    /// A bash constant that is not one: the error to report when it is used.
    BadNumber(&'static &'static str),
}

struct Parser<'s, 'e> {
    sh: &'s mut Shell,
    src: &'e [u8],
    pos: usize,
    tok: Tok,
    /// Where the current token starts, and the one before it (bash's error token).
    tok_start: usize,
    prev_start: usize,
    depth: u32,
    /// The bash operators are on.
    bash: bool,
    /// The expression is a variable's value: its subscripts are not expanded yet.
    nested: bool,
}

impl<'s, 'e> Parser<'s, 'e> {
    #[cold]
    #[inline(never)]
    fn error(&self, what: &str) -> ExpandError {
        if self.bash {
            return self.bash_error(what);
        }
        let mut m = b"arithmetic expression: ".to_vec();
        m.extend_from_slice(what.as_bytes());
        m.extend_from_slice(b": \"");
        m.extend_from_slice(self.src);
        m.push(b'"');
        ExpandError {
            arith: true,
            ..ExpandError::new(m)
        }
    }

    /// bash's words: `EXPR: what (error token is "REST")`, the expression without its leading
    /// white space, REST from the token where the error was found (the last one read when it
    /// was found at the end, or the operand's last for a division by 0); a bad constant
    /// names itself (`09: value too great for base (error token is "09")`).
    #[cold]
    fn bash_error(&self, what: &str) -> ExpandError {
        let (what, at) = match what {
            "expecting primary" => ("syntax error: operand expected", None),
            "expecting EOF" if matches!(self.tok, Tok::Assign | Tok::OpAssign(_)) => {
                ("attempted assignment to non-variable", None)
            }
            "expecting EOF" if self.tok == Tok::Bad => {
                ("syntax error: invalid arithmetic operator", None)
            }
            "expecting EOF" => ("syntax error in expression", None),
            "expecting ':'" => ("`:' expected for conditional expression", None),
            "expecting ')'" => ("missing `)'", None),
            "nested too deeply" => ("expression recursion level exceeded", None),
            "division by zero" => ("division by 0", Some(self.prev_start)),
            "exponent less than 0" => (what, Some(self.prev_start)),
            "invalid number" => ("invalid integer constant", None),
            "invalid base prefix" => ("invalid number", None),
            _ => (what, None),
        };
        let at = at.unwrap_or(match self.tok {
            Tok::Eof => self.prev_start,
            _ => self.tok_start,
        });
        let rest = self.src.get(at..).unwrap_or_default();
        let name_len = rest
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
            .unwrap_or(rest.len());
        let what = match rest.get(name_len) {
            Some(b'[') if name_len > 0 && !rest[0].is_ascii_digit() => "bad array subscript",
            _ => what,
        };
        let expr = if let Tok::BadNumber(_) = self.tok {
            let len = rest
                .iter()
                .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'#' | b'@' | b'_')))
                .unwrap_or(rest.len());
            &rest[..len]
        } else {
            self.src.trim_ascii_start()
        };
        let rest = if let Tok::BadNumber(_) = self.tok {
            expr
        } else {
            rest
        };
        let m = [
            expr,
            b": ",
            what.as_bytes(),
            b" (error token is \"",
            rest,
            b"\")",
        ]
        .concat();
        ExpandError {
            arith: true,
            ..ExpandError::new(m)
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    /// Past the white space at `pos`.
    #[inline(always)]
    fn skip_blanks(&self, mut pos: usize) -> usize {
        while matches!(self.at(pos), b' ' | b'\t' | b'\n') {
            pos += 1;
        }
        pos
    }

    /// Lex the token that starts at `pos` (past white space): the token and the position
    /// after it.
    #[inline(always)]
    fn lex(&self, pos: usize) -> (Tok, usize) {
        let c = self.at(pos);
        let next = self.at(pos + 1);
        // An operator that may be followed by `=` to make an assignment operator.
        let assignable = |op: Op, len: usize| {
            if self.at(pos + len) == b'=' {
                (Tok::OpAssign(op), pos + len + 1)
            } else {
                (Tok::Bin(op), pos + len)
            }
        };
        match c {
            0 => (Tok::Eof, pos),
            b'0'..=b'9' if self.bash => self.lex_bash_number(pos),
            b'0'..=b'9' => {
                let rest = self.src.get(pos..).unwrap_or_default();
                let (v, len, _) = strtoimax(rest);
                (Tok::Num(v), pos + len.max(1))
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut end = pos + 1;
                while matches!(self.at(end), b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_') {
                    end += 1;
                }
                if self.bash && self.at(end) == b'[' {
                    // `name[subscript]`: the token takes the balanced brackets.
                    let mut depth = 0usize;
                    let mut i = end;
                    loop {
                        match self.at(i) {
                            0 => return (Tok::Bad, pos),
                            b'[' => depth += 1,
                            b']' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                    end = i + 1;
                }
                (Tok::Var(pos as u32, end as u32), end)
            }
            b'=' if next == b'=' => (Tok::Bin(Op::Eq), pos + 2),
            b'=' => (Tok::Assign, pos + 1),
            b'>' if next == b'=' => (Tok::Bin(Op::Ge), pos + 2),
            b'>' if next == b'>' => assignable(Op::Shr, 2),
            b'>' => (Tok::Bin(Op::Gt), pos + 1),
            b'<' if next == b'=' => (Tok::Bin(Op::Le), pos + 2),
            b'<' if next == b'<' => assignable(Op::Shl, 2),
            b'<' => (Tok::Bin(Op::Lt), pos + 1),
            b'|' if next == b'|' => (Tok::Bin(Op::Or), pos + 2),
            b'|' => assignable(Op::BitOr, 1),
            b'&' if next == b'&' => (Tok::Bin(Op::And), pos + 2),
            b'&' => assignable(Op::BitAnd, 1),
            b'!' if next == b'=' => (Tok::Bin(Op::Ne), pos + 2),
            b'!' => (Tok::Not, pos + 1),
            b'(' => (Tok::LParen, pos + 1),
            b')' => (Tok::RParen, pos + 1),
            b'*' if self.bash && next == b'*' => (Tok::Bin(Op::Pow), pos + 2),
            b'+' if self.bash && next == b'+' => (Tok::Inc, pos + 2),
            b'-' if self.bash && next == b'-' => (Tok::Dec, pos + 2),
            b',' if self.bash => (Tok::Comma, pos + 1),
            b'*' => assignable(Op::Mul, 1),
            b'/' => assignable(Op::Div, 1),
            b'%' => assignable(Op::Rem, 1),
            b'+' => assignable(Op::Add, 1),
            b'-' => assignable(Op::Sub, 1),
            b'^' => assignable(Op::BitXor, 1),
            b'~' => (Tok::BitNot, pos + 1),
            b'?' => (Tok::Question, pos + 1),
            b':' => (Tok::Colon, pos + 1),
            _ => (Tok::Bad, pos),
        }
    }

    /// A constant in bash: decimal, octal (`0`), hexadecimal (`0x`) or `BASE#DIGITS` (bases 2
    /// to 64: digits, then lower-case and upper-case letters, `@` and `_`; letters of either
    /// case are the same up to base 36).
    fn lex_bash_number(&self, pos: usize) -> (Tok, usize) {
        let mut end = pos;
        while self.at(end).is_ascii_digit() {
            end += 1;
        }
        // The common constant, decimal and followed by no digit, letter or base mark.
        let after = self.at(end);
        if !(after.is_ascii_alphanumeric() || matches!(after, b'#' | b'@' | b'_')) {
            if let Some(n) = plain_decimal(&self.src[pos..end]) {
                return (Tok::Num(n), end);
            }
        }
        // A base is written in decimal: `010#1` and `0x10#1` are no numbers (bash).
        let prefixed = self.at(pos) == b'0';
        let (base, start) = if self.at(end) == b'#' && prefixed {
            // bash reads the base as an octal constant first (`08#1`).
            if self.bash && self.src[pos..end].iter().any(|&c| c >= b'8') {
                return (Tok::BadNumber(&"value too great for base"), end);
            }
            (36, end + 1)
        } else if self.at(end) == b'#' {
            let text = self.src.get(pos..end).unwrap_or_default();
            let base = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.parse::<u32>().ok())
                .filter(|b| (2..=64).contains(b));
            let Some(base) = base else {
                return (Tok::BadNumber(&"invalid arithmetic base"), end + 1);
            };
            (base, end + 1)
        } else if self.at(pos) == b'0' && (self.at(pos + 1) | 0x20) == b'x' {
            (16, pos + 2)
        } else if self.at(pos) == b'0' {
            (8, pos)
        } else {
            (10, pos)
        };
        let mut i = start;
        let mut v: i64 = 0;
        loop {
            let c = self.at(i);
            let d = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'a'..=b'z' => u32::from(c - b'a') + 10,
                b'A'..=b'Z' if base <= 36 => u32::from(c - b'A') + 10,
                b'A'..=b'Z' => u32::from(c - b'A') + 36,
                b'@' => 62,
                b'_' => 63,
                _ => break,
            };
            if d >= base {
                return (Tok::BadNumber(&"value too great for base"), i);
            }
            v = v.wrapping_mul(i64::from(base)).wrapping_add(i64::from(d));
            i += 1;
        }
        if prefixed && (self.at(i) == b'#' || self.at(end) == b'#') {
            return (Tok::BadNumber(&"invalid base prefix"), i);
        }
        if i == start && !(base == 16 && start == pos + 2) {
            return (Tok::BadNumber(&"invalid number"), i);
        }
        (Tok::Num(v), i)
    }

    fn advance(&mut self) {
        let start = self.skip_blanks(self.pos);
        let (tok, pos) = self.lex(start);
        self.prev_start = self.tok_start;
        self.tok_start = start;
        self.tok = tok;
        self.pos = pos;
    }

    /// comma: assignment [`,` assignment]... (the value of the last; bash only)
    #[inline]
    fn comma(&mut self, noeval: bool) -> Result<i64, ExpandError> {
        let mut v = self.assignment(noeval)?;
        while self.tok == Tok::Comma {
            self.advance();
            v = self.assignment(noeval)?;
        }
        Ok(v)
    }

    /// `++name`, `--name`, `name++`, `name--`: store the new value.
    fn step_var(&mut self, start: usize, end: usize, by: i64) -> Result<i64, ExpandError> {
        if self.is_element(start, end) {
            let (name, sub, key) = self.element_once(start, end)?;
            let old = self.element_of_key(&name, key.as_ref())?;
            self.store_element(&name, &sub, key.as_ref(), old.wrapping_add(by))?;
            return Ok(old);
        }
        let old = self.var_value(start, end)?;
        self.assign(start, end, None, old.wrapping_add(by))?;
        Ok(old)
    }

    fn is_element(&self, start: usize, end: usize) -> bool {
        self.src.get(start..end).unwrap_or_default().last() == Some(&b']')
    }

    /// An element an update both reads and stores, its subscript evaluated once (`a[i++] +=
    /// 1` steps `i` once, as in bash): the name, the subscript's text and its key.
    #[cold]
    fn element_once(&mut self, start: usize, end: usize) -> Result<ElementOnce, ExpandError> {
        let (name, sub) = self.element_parts(start, end)?;
        let key = super::subscript::key(self.sh, &name, &sub, false)?;
        Ok((name, sub, key))
    }

    /// Store an element found by [`Self::element_once`]; without a key the subscript is
    /// evaluated (again, for the error it gives, when it had been).
    #[cold]
    fn store_element(
        &mut self,
        name: &[u8],
        sub: &[u8],
        key: Option<&Key>,
        value: i64,
    ) -> Result<(), ExpandError> {
        let index_text;
        let key_text = match key {
            Some(Key::Index(i)) => {
                index_text = i.to_string().into_bytes();
                &index_text[..]
            }
            Some(Key::Text(t)) => &t[..],
            None => sub,
        };
        crate::exec::assign::assign_element(
            self.sh,
            name,
            key_text,
            value.to_string().into_bytes(),
            false,
        )
    }

    fn var_value(&mut self, start: usize, end: usize) -> Result<i64, ExpandError> {
        let name = self.src.get(start..end).unwrap_or_default();
        if name.last() == Some(&b']') {
            return self.element_value(start, end);
        }
        let value = match self.sh.get_var_or_dynamic(name) {
            Some(v) => v,
            None if self.bash && self.sh.options.nounset => return Err(self.unbound(name)),
            None => return Ok(0),
        };
        match parse_var_value(&value) {
            Ok(n) => Ok(n),
            Err(e) if !self.bash => Err(e),
            Err(_) => {
                let value = value.into_owned();
                self.nested_value(&value)
            }
        }
    }

    /// bash's `set -u` covers the variables arithmetic reads (dash reads them as 0): the
    /// error of an unset parameter, which ends a non-interactive shell.
    #[cold]
    fn unbound(&self, name: &[u8]) -> ExpandError {
        ExpandError {
            message: [name, b": unbound variable"].concat(),
            status: super::parameter::unset_status(self.sh),
            unwinds: false,
            arith: false,
        }
    }

    /// bash evaluates a variable whose value is not a number as an expression of its own
    /// (`x=1+2; $((x))` is 3), up to a depth.
    #[cold]
    fn nested_value(&mut self, value: &[u8]) -> Result<i64, ExpandError> {
        let depth = NESTED.with(std::cell::Cell::get);
        if depth >= 1024 {
            return Err(self.error("expression recursion level exceeded"));
        }
        NESTED.with(|d| d.set(depth + 1));
        let r = eval(self.sh, value);
        NESTED.with(|d| d.set(depth));
        r
    }

    /// Split `name[subscript]`. The subscript of an expression as written is already expanded;
    /// one inside a variable's value (`x='a[$i]'; $((x))`) is expanded now, as bash does.
    fn element_parts(
        &mut self,
        start: usize,
        end: usize,
    ) -> Result<(Vec<u8>, Vec<u8>), ExpandError> {
        let text = self.src.get(start..end).unwrap_or_default();
        let open = text.iter().position(|&c| c == b'[').unwrap_or(text.len());
        let sub = text
            .get(open + 1..text.len().saturating_sub(1))
            .unwrap_or_default();
        let name = &text[..open];
        if self.nested {
            if let Some(word) = super::subscript::parse_subscript(sub) {
                let name = name.to_vec();
                return Ok((name, super::expand_word(self.sh, &word)?));
            }
        }
        if self.sh.vars.array(name).is_some_and(|a| a.is_assoc()) {
            // An associative array's key loses its quotes (`A['k']`), as bash expands it.
            return Ok((name.to_vec(), super::subscript::unquoted(sub).to_vec()));
        }
        Ok((name.to_vec(), sub.to_vec()))
    }

    #[cold]
    fn element_value(&mut self, start: usize, end: usize) -> Result<i64, ExpandError> {
        let (name, _, key) = self.element_once(start, end)?;
        self.element_of_key(&name, key.as_ref())
    }

    #[cold]
    fn element_of_key(&mut self, name: &[u8], key: Option<&Key>) -> Result<i64, ExpandError> {
        let value = key.and_then(|k| super::subscript::element(self.sh, name, k));
        match value {
            Some(v) => match parse_var_value(&v) {
                Ok(n) => Ok(n),
                Err(_) => self.nested_value(&v),
            },
            // bash's `set -u`: an element of a variable that is not set at all (a missing
            // element of a set array reads as 0).
            None if self.bash
                && self.sh.options.nounset
                && !self
                    .sh
                    .vars
                    .var(name)
                    .is_some_and(crate::state::Var::is_set) =>
            {
                Err(self.unbound(name))
            }
            None => Ok(0),
        }
    }

    /// assignment: NAME assign-op assignment | conditional
    ///
    /// A chain `a = b += c` is right-associative: the targets are collected, the value on the
    /// right is evaluated, then the targets are assigned from the innermost out.
    fn assignment(&mut self, noeval: bool) -> Result<i64, ExpandError> {
        let mut targets: Vec<(usize, usize, Option<Op>)> = Vec::new();
        while let Tok::Var(start, end) = self.tok {
            let (start, end) = (start as usize, end as usize);
            let op_start = self.skip_blanks(self.pos);
            let (next, after) = self.lex(op_start);
            let op = match next {
                Tok::Assign => None,
                Tok::OpAssign(op) => Some(op),
                _ => break,
            };
            targets.push((start, end, op));
            // The operator is the token read last (bash's error token after it).
            self.tok_start = op_start;
            self.pos = after;
            self.advance();
        }
        let mut value = self.conditional(noeval)?;
        // bash: a character that is no token (`a = 1 # c`) fails the expression before the
        // assignment is made.
        if self.bash && self.tok == Tok::Bad && !targets.is_empty() {
            return Err(self.error("expecting EOF"));
        }
        if !noeval {
            for &(start, end, op) in targets.iter().rev() {
                value = self.assign(start, end, op, value)?;
            }
        }
        Ok(value)
    }

    /// Store the result of `NAME op= value`.
    fn assign(
        &mut self,
        start: usize,
        end: usize,
        op: Option<Op>,
        mut value: i64,
    ) -> Result<i64, ExpandError> {
        if self.is_element(start, end) {
            let (name, sub, key) = match op {
                Some(op) => {
                    let (name, sub, key) = self.element_once(start, end)?;
                    let old = self.element_of_key(&name, key.as_ref())?;
                    value = self.apply(op, old, value)?;
                    (name, sub, key)
                }
                None => {
                    let (name, sub) = self.element_parts(start, end)?;
                    (name, sub, None)
                }
            };
            self.store_element(&name, &sub, key.as_ref(), value)?;
            return Ok(value);
        }
        if let Some(op) = op {
            let old = self.var_value(start, end)?;
            value = self.apply(op, old, value)?;
        }
        let name = self.src.get(start..end).unwrap_or_default();
        self.sh
            .set_var(name, decimal(value))
            .map_err(|e| ExpandError::new(e.message()))?;
        Ok(value)
    }

    /// conditional: binary | binary `?` assignment `:` conditional
    ///
    /// The right-associative chain `a ? b : c ? d : e` is walked in a loop: once a condition
    /// is true, everything after its `:` is parsed without being evaluated.
    fn conditional(&mut self, noeval: bool) -> Result<i64, ExpandError> {
        let mut skip = noeval;
        let mut chosen = None;
        loop {
            let a = self.binary(1, skip)?;
            if self.tok != Tok::Question {
                return Ok(chosen.unwrap_or(a));
            }
            self.advance();
            // bash names a missing branch so (dash: an operand is expected).
            let missing = if self.bash {
                "expression expected"
            } else {
                "expecting primary"
            };
            if self.bash && matches!(self.tok, Tok::Colon | Tok::Eof) {
                return Err(self.error(missing));
            }
            let b = self.nested(skip || a == 0)?;
            if self.tok != Tok::Colon {
                return Err(self.error("expecting ':'"));
            }
            self.advance();
            if self.bash && self.tok == Tok::Eof {
                return Err(self.error(missing));
            }
            if !skip && a != 0 {
                chosen = Some(b);
            }
            skip = skip || a != 0;
        }
    }

    /// An assignment expression inside parentheses or between `?` and `:`: the only places
    /// the parser recurses, so the only place nesting is limited.
    fn nested(&mut self, noeval: bool) -> Result<i64, ExpandError> {
        if crate::exec::eval::too_deep(self.depth, CHECKED_NESTING) {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        let r = self.comma(noeval)?;
        self.depth -= 1;
        Ok(r)
    }

    /// Binary operators by precedence climbing; all are left-associative. The recursion is
    /// bounded by the number of precedence levels.
    fn binary(&mut self, min_prec: u8, noeval: bool) -> Result<i64, ExpandError> {
        let mut a = self.primary(noeval)?;
        loop {
            let op = match self.tok {
                Tok::Bin(op) => op,
                // `5--1`, `5++1`: a binary operator and a unary one, as in bash.
                Tok::Inc | Tok::Dec => {
                    let op = if self.tok == Tok::Inc {
                        Op::Add
                    } else {
                        Op::Sub
                    };
                    self.tok = Tok::Bin(op);
                    self.pos -= 1;
                    op
                }
                _ => return Ok(a),
            };
            if op.prec() < min_prec {
                return Ok(a);
            }
            self.advance();
            let rhs_noeval = noeval
                || match op {
                    Op::And => a == 0,
                    Op::Or => a != 0,
                    _ => false,
                };
            // `**` is right-associative.
            let next_prec = op.prec() + u8::from(op != Op::Pow);
            let b = self.binary(next_prec, rhs_noeval)?;
            a = if noeval { b } else { self.apply(op, a, b)? };
        }
    }

    fn apply(&self, op: Op, a: i64, b: i64) -> Result<i64, ExpandError> {
        Ok(match op {
            Op::Mul => a.wrapping_mul(b),
            Op::Div | Op::Rem if b == 0 => return Err(self.error("division by zero")),
            // INT64_MIN / -1 wraps to INT64_MIN and INT64_MIN % -1 is 0 (dash dies of SIGFPE).
            Op::Div => a.wrapping_div(b),
            Op::Rem => a.wrapping_rem(b),
            Op::Add => a.wrapping_add(b),
            Op::Sub => a.wrapping_sub(b),
            // The shift count is taken modulo 64, as the hardware dash runs on does.
            Op::Shl => a.wrapping_shl((b & 63) as u32),
            Op::Shr => a.wrapping_shr((b & 63) as u32),
            Op::Lt => i64::from(a < b),
            Op::Le => i64::from(a <= b),
            Op::Gt => i64::from(a > b),
            Op::Ge => i64::from(a >= b),
            Op::Eq => i64::from(a == b),
            Op::Ne => i64::from(a != b),
            Op::BitAnd => a & b,
            Op::BitXor => a ^ b,
            Op::BitOr => a | b,
            Op::And => i64::from(a != 0 && b != 0),
            Op::Or => i64::from(a != 0 || b != 0),
            Op::Pow if b < 0 => return Err(self.error("exponent less than 0")),
            Op::Pow => {
                let (mut base, mut exp, mut acc) = (a, b as u64, 1i64);
                while exp > 0 {
                    if exp & 1 == 1 {
                        acc = acc.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    exp >>= 1;
                }
                acc
            }
        })
    }

    /// primary: unary-op* ( `(` assignment `)` | number | name )
    ///
    /// Unary operators are collected and applied innermost first, without recursion.
    fn primary(&mut self, noeval: bool) -> Result<i64, ExpandError> {
        let mut unary: Vec<Tok> = Vec::new();
        let mut v = loop {
            match self.tok {
                Tok::LParen => {
                    self.advance();
                    let r = self.nested(noeval)?;
                    if self.tok != Tok::RParen {
                        return Err(self.error("expecting ')'"));
                    }
                    self.advance();
                    break r;
                }
                Tok::Num(v) => {
                    self.advance();
                    break v;
                }
                Tok::Var(start, end) => {
                    let (start, end) = (start as usize, end as usize);
                    self.advance();
                    if matches!(self.tok, Tok::Inc | Tok::Dec) {
                        let by = if self.tok == Tok::Inc { 1 } else { -1 };
                        self.advance();
                        break if noeval {
                            0
                        } else {
                            self.step_var(start, end, by)?
                        };
                    }
                    break if noeval {
                        0
                    } else {
                        self.var_value(start, end)?
                    };
                }
                t @ (Tok::Inc | Tok::Dec) => {
                    let by = if t == Tok::Inc { 1 } else { -1 };
                    if let (Tok::Var(start, end), after) = self.lex(self.skip_blanks(self.pos)) {
                        let (start, end) = (start as usize, end as usize);
                        self.pos = after;
                        self.advance();
                        break if noeval {
                            0
                        } else {
                            self.step_var(start, end, by)?.wrapping_add(by)
                        };
                    }
                    // `--1` is two minus signs, `++1` two plus signs.
                    if t == Tok::Dec {
                        unary.push(Tok::Bin(Op::Sub));
                        unary.push(Tok::Bin(Op::Sub));
                    }
                    self.advance();
                }
                Tok::Bin(Op::Add) => self.advance(),
                t @ (Tok::Bin(Op::Sub) | Tok::Not | Tok::BitNot) => {
                    unary.push(t);
                    self.advance();
                }
                Tok::BadNumber(what) => return Err(self.error(what)),
                _ => return Err(self.error("expecting primary")),
            }
        };
        for t in unary.iter().rev() {
            v = match t {
                Tok::Not => i64::from(v == 0),
                Tok::BitNot => !v,
                _ => v.wrapping_neg(),
            };
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests;
