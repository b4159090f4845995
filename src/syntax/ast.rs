//! The abstract syntax tree of the POSIX shell command language (XCU 2.9, 2.10).
//!
//! All text is bytes: a shell must carry any byte sequence (invalid UTF-8 included) from its input
//! to the programs it starts, unchanged. Line numbers are 1-based and refer to the source the
//! parser was given; they feed `LINENO`-style error messages and the audit records.

use std::rc::Rc;

/// A sequence of and-or lists separated by `;`, `&` or newlines (a `compound_list` or a
/// `complete_command`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct List {
    pub items: Vec<ListItem>,
}

/// One and-or list, and whether it runs asynchronously (`&`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub and_or: AndOr,
    pub is_async: bool,
}

/// `pipeline [&& pipeline | || pipeline]...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(AndOrOp, Pipeline)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AndOrOp {
    And,
    Or,
}

/// `[!] command [| command]...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub negated: bool,
    /// `time [-p]` (bash): report the pipeline's times; `Some(true)` for `-p`'s format.
    pub timed: Option<bool>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
    /// A compound command with the redirections that follow it.
    Compound(CompoundCommand, Vec<Redirect>, u32),
    FunctionDef(FunctionDef),
}

impl Command {
    /// The line the command starts on.
    pub fn line(&self) -> u32 {
        match self {
            Command::Simple(s) => s.line,
            Command::Compound(_, _, line) => *line,
            Command::FunctionDef(f) => f.line,
        }
    }
}

/// Assignments, words and redirections in the order the grammar allows them to interleave;
/// the order of redirections among themselves is kept (it matters: `2>&1 >f`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    pub assigns: Vec<Assign>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub line: u32,
}

/// `name=value` before a command name; in bash also `name+=value`, `name[index]=value` and
/// `name=(elements)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assign {
    pub name: Vec<u8>,
    pub value: Word,
    /// `name[index]=`: the subscript as written (bash).
    pub index: Option<Word>,
    /// `+=` (bash): appended to the value, added for an integer, elements added to an array.
    pub append: bool,
    /// `name=(...)` (bash): the elements as written (`[key]=value` ones included); `value`
    /// is empty then.
    pub array: Option<Vec<Word>>,
}

impl Assign {
    /// A plain `name=value`.
    pub fn scalar(name: Vec<u8>, value: Word) -> Assign {
        Assign {
            name,
            value,
            index: None,
            append: false,
            array: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompoundCommand {
    /// `{ list; }`
    BraceGroup(List),
    /// `( list )`
    Subshell(List),
    /// `for name [in words]; do list; done` — `words` is None when `in` is absent ("$@").
    For {
        var: Vec<u8>,
        words: Option<Vec<Word>>,
        body: List,
    },
    /// `select name [in words]; do list; done` (bash): a numbered menu on standard error, a
    /// choice read from standard input, until `break` or the end of the input.
    Select {
        var: Vec<u8>,
        words: Option<Vec<Word>>,
        body: List,
    },
    /// `case word in pattern) list;; ... esac`
    Case {
        word: Word,
        arms: Vec<CaseArm>,
    },
    /// `if c1; then b1; elif c2; then b2; else e; fi` — `branches` holds (c1, b1), (c2, b2)...
    If {
        branches: Vec<(List, List)>,
        else_body: Option<List>,
    },
    While {
        cond: List,
        body: List,
    },
    Until {
        cond: List,
        body: List,
    },
    /// `(( expr ))` (bash): the expression text, expanded as `$((...))`'s is.
    Arith(Word),
    /// `for (( init; cond; step )); do list; done` (bash); an empty `cond` is true.
    ArithFor {
        init: Word,
        cond: Word,
        step: Word,
        body: List,
    },
    /// `[[ expression ]]` (bash).
    Cond(CondExpr),
    /// `coproc [NAME] command` (bash): the command runs asynchronously with its standard input
    /// and output on pipes to the shell, whose ends are in the array `NAME` (`COPROC` when no
    /// name is given, and always for a simple command).
    Coproc {
        name: Vec<u8>,
        body: Box<Command>,
    },
}

/// The expression of `[[ ]]`: its words are expanded without field splitting or pathname
/// expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CondExpr {
    /// `-f word` and the other unary tests.
    Unary(Vec<u8>, Word),
    /// `a == pattern`, `a -eq b`, `a < b`...; for `==`, `=` and `!=` the right side is a
    /// pattern.
    Binary(Word, Vec<u8>, Word),
    /// A lone word: true when it is not empty.
    Word(Word),
    Not(Box<CondExpr>),
    /// `( expr )`: kept so that the expression prints as written.
    Group(Box<CondExpr>),
    And(Box<CondExpr>, Box<CondExpr>),
    Or(Box<CondExpr>, Box<CondExpr>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseArm {
    pub patterns: Vec<Word>,
    pub body: List,
    /// The arm ended with `;&` (fall through to the next arm's body) rather than `;;`.
    pub fallthrough: bool,
    /// The arm ended with `;;&` (bash): the arms after it are tested too.
    pub test_next: bool,
}

/// `name() compound-command [redirections]`. The body is shared so that defining a function
/// and calling it never deep-copies the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDef {
    pub name: Vec<u8>,
    pub body: Rc<Command>,
    pub line: u32,
}

/// A redirection: `[n]op target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The explicit descriptor number, when one was written (`2>`); None means the operator's
    /// default (0 for input operators, 1 for output operators).
    pub fd: Option<u32>,
    /// `{name}>file` (bash): the shell picks a descriptor from 10 up and puts its number in
    /// the variable (with `>&-`, closes the one the variable names); it outlasts the command.
    pub fd_var: Option<Box<[u8]>>,
    pub op: RedirOp,
    pub target: RedirTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    Input,
    /// `>`
    Output,
    /// `>|`
    Clobber,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `<&`
    DupInput,
    /// `>&`
    DupOutput,
    /// `<<` (`strip_tabs` is `<<-`)
    HereDoc { strip_tabs: bool },
}

impl RedirOp {
    /// The descriptor an operator applies to when none is written.
    pub fn default_fd(self) -> u32 {
        match self {
            RedirOp::Input | RedirOp::ReadWrite | RedirOp::DupInput | RedirOp::HereDoc { .. } => 0,
            RedirOp::Output | RedirOp::Clobber | RedirOp::Append | RedirOp::DupOutput => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirTarget {
    /// A file name, or for `<&`/`>&` a descriptor number or `-`.
    Word(Word),
    /// The body of a here-document. With a quoted delimiter the body is one `Quoted` part (no
    /// expansion); otherwise it holds literal text, parameter, command and arithmetic
    /// expansions, with `\$`, `` \` ``, `\\` and `\<newline>` already resolved.
    HereDoc(Word),
}

/// A word as written: a sequence of parts, each remembering how it was quoted.
#[derive(Debug, Clone, Default)]
pub struct Word {
    pub parts: Vec<WordPart>,
    /// The word's text as it was written, kept for the words of a function's body only (bash
    /// prints a function with its words as written: `declare -f`, `type`). For an assignment
    /// it is the whole `name=value`.
    pub raw: Option<Box<[u8]>>,
}

/// Two words are the same when their parts are: how they were written does not count.
impl PartialEq for Word {
    fn eq(&self, other: &Word) -> bool {
        self.parts == other.parts
    }
}

impl Eq for Word {}

impl Word {
    /// A word of these parts (not written anywhere).
    pub fn new(parts: Vec<WordPart>) -> Word {
        Word { parts, raw: None }
    }

    /// A word of one unquoted literal (used by tests and by the parser for simple tokens).
    pub fn literal(text: &[u8]) -> Word {
        Word::new(vec![WordPart::Literal(text.to_vec())])
    }

    /// The word's text when it contains no expansion and no quoting at all.
    pub fn as_plain_literal(&self) -> Option<&[u8]> {
        match self.parts.as_slice() {
            [WordPart::Literal(t)] => Some(t),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Unquoted text: subject to pathname expansion (it is never field-split). Backslash-escaped
    /// characters are not here: `\x` outside quotes becomes `Quoted(b"x")`.
    Literal(Vec<u8>),
    /// Text that is quoted: from `'...'`, a backslash escape, or literal text inside `"..."`.
    Quoted(Vec<u8>),
    /// `"..."`: its parts are `Quoted` text and expansions, all in double-quote context
    /// (no field splitting, no pathname expansion; `"$@"` still makes fields).
    DoubleQuoted(Vec<WordPart>),
    /// `~` or `~user` at the start of a word (or after `=`/`:` in an assignment value); the
    /// bytes are the user name, empty for `$HOME`.
    Tilde(Vec<u8>),
    /// `$name`, `${...}`.
    Param(Box<ParamExp>),
    /// `$(...)` or `` `...` ``, parsed when the enclosing command is parsed.
    CommandSubst(Rc<List>),
    /// `$((...))`: the expression text, itself subject to parameter expansion, command
    /// substitution and quote removal before it is evaluated.
    Arith(Word),
    /// `<(...)` (`input`) or `>(...)` (bash): the list runs in a child connected by a pipe,
    /// and the word holds a `/dev/fd/N` path to the pipe's other end.
    ProcessSubst { input: bool, list: Rc<List> },
    /// `(...)` right after `name=` or `name+=` (bash's array assignment): the elements. Only
    /// the parser's assignments and the arguments of `declare` and its kin hold one.
    Compound(Vec<Word>),
}

impl ParamOp {
    /// The words the operator holds (operands, patterns, offsets), in the order written.
    pub fn words(&self) -> Vec<&Word> {
        match self {
            ParamOp::Plain
            | ParamOp::BeforeBrace
            | ParamOp::Length
            | ParamOp::Transform(_)
            | ParamOp::Names { .. }
            | ParamOp::Keys
            | ParamOp::Bad(_)
            | ParamOp::BadTransform(_) => Vec::new(),
            ParamOp::Replace { pattern, with, .. } => vec![pattern, with],
            ParamOp::Substring { offset, length } => {
                std::iter::once(offset).chain(length.as_ref()).collect()
            }
            ParamOp::Case { pattern, .. } => vec![pattern],
            ParamOp::Default { word, .. }
            | ParamOp::Assign { word, .. }
            | ParamOp::Error { word, .. }
            | ParamOp::Alternative { word, .. }
            | ParamOp::RemoveSmallestSuffix(word)
            | ParamOp::RemoveLargestSuffix(word)
            | ParamOp::RemoveSmallestPrefix(word)
            | ParamOp::RemoveLargestPrefix(word) => vec![word],
        }
    }
}

/// A parameter expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamExp {
    pub param: Param,
    pub op: ParamOp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// A variable name.
    Var(Vec<u8>),
    /// `$1` .. `${10}` ... (never 0: `$0` is `Special(b'0')`); true: written without braces
    /// (`$1`, which bash's messages name with its `$`).
    Positional(usize, bool),
    /// One of `@ * # ? - $ ! 0`.
    Special(u8),
    /// `${!name...}` (bash): the parameter named by the value of `name`.
    Indirect(Vec<u8>),
    /// `${!name[i]...}` (bash): the parameter named by the value of an element.
    IndirectElem(Vec<u8>, Box<Subscript>),
    /// `${name[subscript]}` (bash): an element of an array, or all of them.
    Elem(Vec<u8>, Box<Subscript>),
}

/// The subscript of `${name[...]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscript {
    /// `[@]` (`at`) or `[*]`: every element.
    All { at: bool },
    /// An index (arithmetic, for an indexed array) or a key (an associative one).
    Index(Word),
}

/// Which match `${x/pattern/string}` replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaceWhere {
    /// `/`: the first.
    First,
    /// `//`: every one.
    All,
    /// `/#`: one at the start.
    Prefix,
    /// `/%`: one at the end.
    Suffix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamOp {
    /// `$x`, `${x}`
    Plain,
    /// `$x` written right before a `{`, `,` or `}` (bash): brace expansion comes first and
    /// may lengthen the name (`$x{a,b}` is `$xa $xb`, `{$va,$ba}r` is `$var $bar`);
    /// otherwise the same as `Plain`.
    BeforeBrace,
    /// `${#x}`
    Length,
    /// `${x-w}`, `${x:-w}` (`colon`: also when set but empty)
    Default { colon: bool, word: Word },
    /// `${x=w}`, `${x:=w}`
    Assign { colon: bool, word: Word },
    /// `${x?w}`, `${x:?w}`
    Error { colon: bool, word: Word },
    /// `${x+w}`, `${x:+w}`
    Alternative { colon: bool, word: Word },
    /// `${x%w}`
    RemoveSmallestSuffix(Word),
    /// `${x%%w}`
    RemoveLargestSuffix(Word),
    /// `${x#w}`
    RemoveSmallestPrefix(Word),
    /// `${x##w}`
    RemoveLargestPrefix(Word),
    /// `${x/pattern/string}` and its forms (bash).
    Replace {
        at: ReplaceWhere,
        pattern: Word,
        with: Word,
    },
    /// `${x:offset}`, `${x:offset:length}` (bash): arithmetic words.
    Substring { offset: Word, length: Option<Word> },
    /// `${x^pat}`, `${x^^pat}`, `${x,pat}`, `${x,,pat}`, `${x~pat}`, `${x~~pat}` (bash):
    /// `upper` is None for `~`, which toggles the case.
    Case {
        upper: Option<bool>,
        all: bool,
        pattern: Word,
    },
    /// `${x@Q}` and the other transformations (bash): the letter.
    Transform(u8),
    /// `${!prefix*}`, `${!prefix@}` (bash): the names of the variables that begin with the
    /// prefix (the parameter is `Var(prefix)`); `at`: written with `@`.
    Names { at: bool },
    /// `${!name[@]}`, `${!name[*]}` (bash): the subscripts of an array (the parameter is
    /// `Elem(name, All)`).
    Keys,
    /// A `${...}` bash could not make sense of (the text after what it read): an error when
    /// it is expanded, not when it is parsed, so that code that never runs may hold one.
    Bad(Vec<u8>),
    /// `${x@Z}` (bash): an operator after `@` that bash does not have, the text inside the
    /// braces; when expanded, an error that ends a script, as `set -u`'s does.
    BadTransform(Vec<u8>),
}
