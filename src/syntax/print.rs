//! Commands printed back as text, the way bash prints a function (`declare -f`, `type`): one
//! command per line, four spaces per level, `;` after each command of a list but the last of a
//! group, words as they were written.
//!
//! Words keep their text only inside a function's body (see [`Word::raw`]); a word without it
//! (a here-string's, a regular expression's) is rebuilt from its parts, which gives the same
//! meaning in bash's quoting.

use super::ast::{
    AndOr, AndOrOp, Assign, CaseArm, Command, CompoundCommand, CondExpr, List, Param, ParamExp,
    ParamOp, Pipeline, RedirOp, RedirTarget, Redirect, SimpleCommand, Subscript, Word, WordPart,
};

/// `NAME () { ...; }` as bash prints a defined function, ending in a newline.
pub fn function(name: &[u8], body: &Command) -> Vec<u8> {
    let mut p = Printer::default();
    p.function(name, body, false);
    p.out.push(b'\n');
    p.out
}

/// A simple command as one line (bash's `$BASH_COMMAND`).
pub fn simple_command(sc: &SimpleCommand) -> Vec<u8> {
    let mut p = Printer::default();
    p.simple(sc);
    p.out
}

/// A word as written (or rebuilt from its parts), as bash names it in a message.
pub fn word_text(w: &Word) -> Vec<u8> {
    let mut p = Printer::default();
    p.word(w);
    p.out
}

/// A word's text with its quoted characters as they are, unquoted (an arithmetic word or a
/// subscript as bash shows it in a message); expansions as written.
pub fn bare_text(w: &Word) -> Vec<u8> {
    let mut out = Vec::new();
    for part in &w.parts {
        match part {
            WordPart::Literal(t) | WordPart::Quoted(t) => out.extend_from_slice(t),
            other => out.extend(word_text(&Word::new(vec![other.clone()]))),
        }
    }
    out
}

/// An and-or list as a job's text in bash's `jobs`: the lists of `{ }` and `( )` on one line.
pub fn and_or_line(ao: &AndOr) -> Vec<u8> {
    let mut p = Printer {
        one_line: true,
        ..Printer::default()
    };
    p.and_or(ao);
    p.out
}

/// One command of a pipeline as a job's text: a line of its own in bash's `jobs -l`.
pub fn command_line(c: &Command) -> Vec<u8> {
    let mut p = Printer {
        one_line: true,
        ..Printer::default()
    };
    p.command(c);
    p.out
}

/// A `[[ ]]` or `(( ))` command as one line (bash's `$BASH_COMMAND`).
pub fn test_command(cc: &CompoundCommand) -> Vec<u8> {
    let mut p = Printer::default();
    p.compound(cc);
    p.out
}

#[derive(Default)]
struct Printer {
    out: Vec<u8>,
    indent: usize,
    /// Here-documents of the line being printed: their text goes after the line ends.
    heredocs: Vec<Box<[u8]>>,
    /// The next `;` is left out (see [`Printer::list`]).
    skip_semi: bool,
    /// Here-documents went out between a pipeline's commands: the `;` after it is left out.
    flushed_in_pipeline: bool,
    /// A job's text: the commands of a group or subshell go on one line, `a; b`, outside a
    /// function's body (bash).
    one_line: bool,
}

impl Printer {
    fn text(&mut self, t: &[u8]) {
        self.out.extend_from_slice(t);
    }

    /// The `;` ending a command.
    fn semi(&mut self) {
        if !std::mem::take(&mut self.skip_semi) {
            self.out.push(b';');
        }
    }

    /// A new line at the current indentation.
    fn newline(&mut self) {
        self.out.push(b'\n');
        self.out.resize(self.out.len() + self.indent, b' ');
    }

    /// The bodies of the here-documents opened on the line, after it.
    fn flush_heredocs(&mut self) -> bool {
        if self.heredocs.is_empty() {
            return false;
        }
        self.out.push(b'\n');
        for text in std::mem::take(&mut self.heredocs) {
            // The delimiter as written was printed with the operator: the rest follows.
            let rest = text
                .iter()
                .position(|&c| c == b'\n')
                .map_or(&[][..], |i| &text[i + 1..]);
            self.out.extend_from_slice(rest);
        }
        true
    }

    fn function(&mut self, name: &[u8], body: &Command, nested: bool) {
        if nested {
            self.text(b"function ");
        }
        self.text(name);
        self.text(b" () ");
        self.newline();
        self.text(b"{ ");
        self.indent += 4;
        let redirects = match body {
            Command::Compound(CompoundCommand::BraceGroup(list), redirects, _) => {
                self.newline();
                self.list(list, false);
                Some(redirects)
            }
            other => {
                self.newline();
                self.command(other);
                None
            }
        };
        self.flush_heredocs();
        self.indent -= 4;
        self.newline();
        self.text(b"}");
        if let Some(r) = redirects {
            self.redirects(r);
        }
    }

    /// A list, one command a line. `terminated`: the last command gets its `;` too (the
    /// lists of `if`, `while`, `for` and `until`).
    fn list(&mut self, list: &List, terminated: bool) {
        let count = list.items.len();
        for (i, item) in list.items.iter().enumerate() {
            let last = i + 1 == count;
            self.and_or(&item.and_or);
            let flushed_in_pipeline = std::mem::take(&mut self.flushed_in_pipeline);
            if item.is_async {
                self.text(b" &");
                if !last && self.heredocs.is_empty() {
                    self.text(b" ");
                    continue;
                }
            } else if self.flush_heredocs() {
                // bash's quirk, kept: after the here-documents of a list's first command,
                // the next `;` is left out.
                self.skip_semi = i == 0;
            } else if flushed_in_pipeline && !last {
                // bash leaves the `;` out here too.
            } else if !last || terminated {
                self.semi();
            }
            if !last && self.one_line {
                self.text(b" ");
            } else if !last {
                self.newline();
            }
        }
    }

    /// A list on one line (`if`'s and `while`'s conditions): `a; b`.
    fn inline_list(&mut self, list: &List) {
        for (i, item) in list.items.iter().enumerate() {
            if i > 0 {
                self.text(b" ");
            }
            self.and_or(&item.and_or);
            if item.is_async {
                self.text(b" &");
            } else if i + 1 < list.items.len() {
                self.text(b";");
            }
        }
    }

    fn and_or(&mut self, a: &AndOr) {
        self.pipeline(&a.first);
        for (op, p) in &a.rest {
            self.text(match op {
                AndOrOp::And => b" && ",
                AndOrOp::Or => b" || ",
            });
            self.pipeline(p);
        }
    }

    fn pipeline(&mut self, p: &Pipeline) {
        match p.timed {
            Some(true) => self.text(b"time -p "),
            Some(false) => self.text(b"time "),
            None => {}
        }
        if p.negated {
            self.text(b"! ");
        }
        for (i, c) in p.commands.iter().enumerate() {
            if i > 0 && !self.heredocs.is_empty() && !self.one_line {
                // bash: the bodies go right after the `|`, and the pipeline goes on after them.
                self.text(b" |");
                self.flush_heredocs();
                self.text(b"  ");
                self.flushed_in_pipeline = true;
            } else if i > 0 {
                self.text(b" | ");
            }
            self.command(c);
        }
    }

    fn command(&mut self, c: &Command) {
        match c {
            Command::Simple(s) => self.simple(s),
            Command::Compound(cc, redirects, _) => {
                self.compound(cc);
                self.redirects(redirects);
            }
            Command::FunctionDef(f) => {
                let one_line = std::mem::take(&mut self.one_line);
                self.function(&f.name, &f.body, true);
                self.one_line = one_line;
            }
        }
    }

    fn simple(&mut self, s: &SimpleCommand) {
        let mut first = true;
        for a in &s.assigns {
            if !first {
                self.text(b" ");
            }
            first = false;
            self.assignment(a);
        }
        for w in &s.words {
            if !first {
                self.text(b" ");
            }
            first = false;
            self.word(w);
        }
        // Redirections alone: no leading blank.
        self.redirect_list(&s.redirects, !first);
    }

    fn compound(&mut self, cc: &CompoundCommand) {
        match cc {
            CompoundCommand::Coproc { name, body } => {
                self.text(b"coproc ");
                self.text(name);
                self.text(b" ");
                self.command(body);
            }
            CompoundCommand::BraceGroup(list) if self.one_line => {
                self.text(b"{ ");
                self.list(list, true);
                self.flush_heredocs();
                self.text(b" }");
            }
            CompoundCommand::BraceGroup(list) => {
                self.text(b"{ ");
                self.indent += 4;
                self.newline();
                self.list(list, false);
                self.flush_heredocs();
                self.indent -= 4;
                self.newline();
                self.text(b"}");
            }
            CompoundCommand::Subshell(list) => {
                self.text(b"( ");
                self.list(list, false);
                self.flush_heredocs();
                self.text(b" )");
            }
            CompoundCommand::For { var, words, body }
            | CompoundCommand::Select { var, words, body } => {
                self.text(if matches!(cc, CompoundCommand::For { .. }) {
                    b"for "
                } else {
                    b"select "
                });
                self.text(var);
                self.text(b" in ");
                match words {
                    Some(words) => self.words(words),
                    None => self.text(b"\"$@\""),
                }
                self.text(b";");
                self.newline();
                self.do_group(body);
            }
            CompoundCommand::ArithFor {
                init,
                cond,
                step,
                body,
            } => {
                self.text(b"for ((");
                for (i, w) in [init, cond, step].into_iter().enumerate() {
                    if i > 0 {
                        self.text(b"; ");
                    }
                    self.arith_text(w);
                }
                self.text(b"))");
                self.newline();
                self.do_group(body);
            }
            CompoundCommand::Case { word, arms } => {
                self.text(b"case ");
                self.word(word);
                self.text(b" in ");
                self.indent += 4;
                for arm in arms {
                    self.case_arm(arm);
                }
                self.indent -= 4;
                self.newline();
                self.text(b"esac");
            }
            CompoundCommand::If {
                branches,
                else_body,
            } => self.if_chain(branches, else_body.as_ref()),
            CompoundCommand::While { cond, body } => self.loop_("while ", cond, body),
            CompoundCommand::Until { cond, body } => self.loop_("until ", cond, body),
            CompoundCommand::Arith(w) => match &w.raw {
                // bash keeps the text between the parentheses as it was written.
                Some(raw) => {
                    self.text(b"((");
                    self.text(raw);
                    self.text(b"))");
                }
                None => {
                    self.text(b"(( ");
                    self.word_or(w, b"");
                    self.text(b" ))");
                }
            },
            CompoundCommand::Cond(e) => {
                self.text(b"[[ ");
                self.cond(e, 0);
                self.text(b" ]]");
            }
        }
    }

    /// `do`, the body one level in, `done`.
    fn do_group(&mut self, body: &List) {
        self.text(b"do");
        self.body_then(body, b"done");
    }

    /// A list one level in, each command ended, then the closing word on a line of its own.
    fn body_then(&mut self, body: &List, closing: &[u8]) {
        self.indent += 4;
        self.newline();
        self.list(body, true);
        self.indent -= 4;
        self.newline();
        self.text(closing);
    }

    fn loop_(&mut self, keyword: &str, cond: &List, body: &List) {
        self.text(keyword.as_bytes());
        self.inline_list(cond);
        self.text(b"; do");
        self.body_then(body, b"done");
    }

    /// `elif` is printed as bash stores it: an `if` inside the `else`.
    fn if_chain(&mut self, branches: &[(List, List)], else_body: Option<&List>) {
        let Some(((cond, then), rest)) = branches.split_first() else {
            return;
        };
        self.text(b"if ");
        self.inline_list(cond);
        self.text(b"; then");
        self.indent += 4;
        self.newline();
        self.list(then, true);
        self.indent -= 4;
        if !rest.is_empty() || else_body.is_some() {
            self.newline();
            self.text(b"else");
            self.indent += 4;
            self.newline();
            if rest.is_empty() {
                if let Some(e) = else_body {
                    self.list(e, true);
                }
            } else {
                self.if_chain(rest, else_body);
                self.semi();
            }
            self.indent -= 4;
        }
        self.newline();
        self.text(b"fi");
    }

    fn case_arm(&mut self, arm: &CaseArm) {
        self.newline();
        for (i, p) in arm.patterns.iter().enumerate() {
            if i > 0 {
                self.text(b" | ");
            }
            self.word(p);
        }
        self.text(b")");
        self.indent += 4;
        if arm.body.items.is_empty() {
            // bash leaves the line empty, without indentation.
            self.out.push(b'\n');
        } else {
            self.newline();
            self.list(&arm.body, false);
            self.flush_heredocs();
        }
        self.indent -= 4;
        self.newline();
        self.text(if arm.test_next {
            b";;&"
        } else if arm.fallthrough {
            b";&"
        } else {
            b";;"
        });
    }

    /// A `[[ ]]` expression, as written (its parentheses are kept); `outer`: the binding of
    /// the operator around it (2 `!`, 1 `&&`, 0 `||` or none), to put back parentheses a tree
    /// made otherwise would need.
    fn cond(&mut self, e: &CondExpr, outer: u8) {
        match e {
            CondExpr::Unary(op, w) => {
                self.text(op);
                self.text(b" ");
                self.word(w);
            }
            CondExpr::Binary(a, op, b) => {
                self.word(a);
                self.text(b" ");
                self.text(op);
                self.text(b" ");
                self.word(b);
            }
            // bash prints a lone word as the test it is.
            CondExpr::Word(w) => {
                self.text(b"-n ");
                self.word(w);
            }
            CondExpr::Not(x) => {
                self.text(b"! ");
                self.cond(x, 2);
            }
            CondExpr::Group(x) => {
                self.text(b"( ");
                self.cond(x, 0);
                self.text(b" )");
            }
            CondExpr::And(a, b) => self.cond_pair(a, b, b" && ", 1, outer),
            CondExpr::Or(a, b) => self.cond_pair(a, b, b" || ", 0, outer),
        }
    }

    fn cond_pair(&mut self, a: &CondExpr, b: &CondExpr, op: &[u8], binding: u8, outer: u8) {
        let parens = outer > binding;
        if parens {
            self.text(b"( ");
        }
        self.cond(a, binding);
        self.text(op);
        // Both operators group to the left: a right operand of the same kind had parentheses.
        self.cond(b, binding + 1);
        if parens {
            self.text(b" )");
        }
    }

    fn redirects(&mut self, redirects: &[Redirect]) {
        self.redirect_list(redirects, true);
    }

    /// Redirections, each after a blank (`blank`: the first too). `&>w` and `&>>w`, kept
    /// as `>w` or `>>w` and a `2>&1` whose text as written is the operator, come out as
    /// written.
    fn redirect_list(&mut self, redirects: &[Redirect], mut blank: bool) {
        let mut i = 0;
        while let Some(r) = redirects.get(i) {
            if blank {
                self.text(b" ");
            }
            blank = true;
            let both = match (redirects.get(i + 1), &r.target) {
                (Some(next), RedirTarget::Word(target)) => match (&next.target, next.op) {
                    (RedirTarget::Word(w), RedirOp::DupOutput) => w
                        .raw
                        .as_deref()
                        .filter(|t| t.starts_with(b"&>"))
                        .map(|op| (op.to_vec(), target)),
                    _ => None,
                },
                _ => None,
            };
            if let Some((op, target)) = both {
                self.text(&op);
                self.text(b" ");
                self.word(target);
                i += 2;
                continue;
            }
            self.redirect(r);
            i += 1;
        }
    }

    fn redirect(&mut self, r: &Redirect) {
        let fd = r.fd.unwrap_or(r.op.default_fd());
        let target = match &r.target {
            RedirTarget::Word(w) | RedirTarget::HereDoc(w) => w,
        };
        match r.op {
            RedirOp::DupInput | RedirOp::DupOutput => {
                // bash writes the descriptor of a copy, and closes with `>&-`.
                let closes = target.as_plain_literal() == Some(b"-");
                let op: &[u8] = if closes || r.op == RedirOp::DupOutput {
                    b">&"
                } else {
                    b"<&"
                };
                // bash leaves out the default descriptor before a copy of a word (`>&$fd`),
                // not before a number (`1>&3`).
                let numbered = closes
                    || target
                        .as_plain_literal()
                        .is_some_and(|t| t.iter().all(u8::is_ascii_digit));
                let default = u32::from(r.op == RedirOp::DupOutput);
                self.descriptor(r, fd, (!numbered).then_some(default));
                self.text(op);
                self.word(target);
            }
            RedirOp::HereDoc { strip_tabs } => {
                self.descriptor(r, fd, Some(0));
                match (&r.target, &target.raw) {
                    (RedirTarget::HereDoc(_), Some(text)) => {
                        self.text(if strip_tabs { b"<<-" } else { b"<<" });
                        let delim = text.split(|&c| c == b'\n').next().unwrap_or_default();
                        self.text(delim);
                        self.heredocs.push(text.clone());
                    }
                    // A here-string (`<<<`: its word, without the newline added to it).
                    (RedirTarget::Word(w), _) => {
                        self.text(b"<<< ");
                        self.here_string(w);
                    }
                    (RedirTarget::HereDoc(_), None) => self.text(b"<<EOF"),
                }
            }
            op => {
                let (text, default): (&[u8], u32) = match op {
                    RedirOp::Input => (b"<", 0),
                    RedirOp::Output => (b">", 1),
                    RedirOp::Clobber => (b">|", 1),
                    RedirOp::Append => (b">>", 1),
                    // bash writes the descriptor of `<>` unless it is 1.
                    _ => (b"<>", 1),
                };
                self.descriptor(r, fd, Some(default));
                self.text(text);
                self.text(b" ");
                self.word(target);
            }
        }
    }

    /// A redirection's descriptor: `{name}`, or its number unless it is the operator's
    /// `default`.
    fn descriptor(&mut self, r: &Redirect, fd: u32, default: Option<u32>) {
        if let Some(name) = &r.fd_var {
            self.text(b"{");
            self.text(name);
            self.text(b"}");
        } else if Some(fd) != default {
            self.text(fd.to_string().as_bytes());
        }
    }

    /// A here-string's word: as written, or its parts less the newline the parser added.
    fn here_string(&mut self, w: &Word) {
        if let Some(raw) = &w.raw {
            self.text(raw);
            return;
        }
        let mut parts = w.parts.clone();
        if matches!(parts.last(), Some(WordPart::Quoted(q)) if q == b"\n") {
            parts.pop();
        }
        self.parts(&parts, false);
    }

    fn assignment(&mut self, a: &Assign) {
        if let Some(raw) = &a.value.raw {
            // bash prints an array's list anew: `a=( x  y )` is `a=(x y)`.
            let head = raw.windows(2).position(|w| w == b"=(").map(|i| &raw[..=i]);
            if let (Some(head), Some(elements)) = (head, &a.array) {
                self.text(head);
                self.text(b"(");
                self.words(elements);
                self.text(b")");
                return;
            }
            match with_substitutions_reprinted(raw, &a.value.parts) {
                Some(text) => self.text(&text),
                None => self.text(raw),
            }
            return;
        }
        self.text(&a.name);
        if let Some(index) = &a.index {
            self.text(b"[");
            self.word(index);
            self.text(b"]");
        }
        self.text(if a.append { b"+=" } else { b"=" });
        match &a.array {
            Some(elements) => {
                self.text(b"(");
                self.words(elements);
                self.text(b")");
            }
            None => self.word(&a.value),
        }
    }

    /// An arithmetic expression of `for ((`: as written without its leading blanks (bash
    /// keeps those after it); an empty one is `1`.
    fn arith_text(&mut self, w: &Word) {
        match w.raw.as_deref().map(<[u8]>::trim_ascii_start) {
            Some(raw) if !raw.is_empty() => self.text(raw),
            _ => self.word_or(w, b"1"),
        }
    }

    /// Arithmetic text, kept as quoted parts: it prints as it is.
    fn arith_parts(&mut self, w: &Word) {
        for part in &w.parts {
            match part {
                WordPart::Quoted(t) => self.text(t),
                other => self.parts(std::slice::from_ref(other), false),
            }
        }
    }

    /// The word as written (trimmed of blanks), or `empty` when it has no text.
    fn word_or(&mut self, w: &Word, empty: &[u8]) {
        let text: Vec<u8> = match &w.raw {
            Some(raw) => raw.trim_ascii().to_vec(),
            None => {
                let mut p = Printer::default();
                p.arith_parts(w);
                p.out.trim_ascii().to_vec()
            }
        };
        if text.is_empty() {
            self.text(empty);
        } else {
            self.text(&text);
        }
    }

    /// Words separated by blanks.
    fn words(&mut self, words: &[Word]) {
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                self.text(b" ");
            }
            self.word(w);
        }
    }

    fn word(&mut self, w: &Word) {
        match &w.raw {
            Some(raw) => match with_substitutions_reprinted(raw, &w.parts) {
                Some(text) => self.written(&text),
                None => self.written(raw),
            },
            None => self.parts(&w.parts, false),
        }
    }

    /// Text as written, with bash's quoting as it stores it: `$'...'` decoded into `'...'`,
    /// `$"..."` as `"..."`.
    fn written(&mut self, raw: &[u8]) {
        if !raw.windows(2).any(|w| w == b"$'" || w == b"$\"") {
            self.text(raw);
            return;
        }
        let mut i = 0;
        let mut in_dq = false;
        while let Some(&c) = raw.get(i) {
            match c {
                b'\\' => {
                    self.text(raw.get(i..i + 2).unwrap_or(&raw[i..]));
                    i += 2;
                    continue;
                }
                b'\'' if !in_dq => {
                    let end = raw[i + 1..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map_or(raw.len(), |e| i + 2 + e);
                    self.text(&raw[i..end.min(raw.len())]);
                    i = end;
                    continue;
                }
                b'"' => in_dq = !in_dq,
                b'$' if !in_dq && raw.get(i + 1) == Some(&b'"') => {
                    i += 1;
                    continue;
                }
                b'$' if !in_dq && raw.get(i + 1) == Some(&b'\'') => {
                    // The end: the first `'` not escaped by a backslash.
                    let mut j = i + 2;
                    while let Some(&d) = raw.get(j) {
                        match d {
                            b'\\' => j += 2,
                            b'\'' => break,
                            _ => j += 1,
                        }
                    }
                    let inner = raw.get(i + 2..j.min(raw.len())).unwrap_or_default();
                    let decoded = super::ansi_c::decode(inner, true);
                    self.out.push(b'\'');
                    for &d in &decoded {
                        if d == b'\'' {
                            self.text(b"'\\''");
                        } else {
                            self.out.push(d);
                        }
                    }
                    self.out.push(b'\'');
                    i = j + 1;
                    continue;
                }
                _ => {}
            }
            self.out.push(c);
            i += 1;
        }
    }

    /// A word rebuilt from its parts; `dq`: inside double quotes.
    fn parts(&mut self, parts: &[WordPart], dq: bool) {
        for (k, part) in parts.iter().enumerate() {
            match part {
                WordPart::Literal(t) => self.text(t),
                WordPart::Quoted(t) if dq => {
                    for &c in t {
                        if matches!(c, b'$' | b'`' | b'"' | b'\\') {
                            self.out.push(b'\\');
                        }
                        self.out.push(c);
                    }
                }
                WordPart::Quoted(t) => {
                    self.out.push(b'\'');
                    for &c in t {
                        if c == b'\'' {
                            self.text(b"'\\''");
                        } else {
                            self.out.push(c);
                        }
                    }
                    self.out.push(b'\'');
                }
                WordPart::DoubleQuoted(inner) => {
                    self.out.push(b'"');
                    self.parts(inner, true);
                    self.out.push(b'"');
                }
                WordPart::Tilde(user) => {
                    self.out.push(b'~');
                    self.text(user);
                }
                WordPart::Param(p) => {
                    // `$x` needs no braces unless a name character follows.
                    let joins = match parts.get(k + 1) {
                        Some(WordPart::Literal(t) | WordPart::Quoted(t)) => t
                            .first()
                            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_'),
                        _ => false,
                    };
                    match (&p.op, &p.param) {
                        (ParamOp::Plain | ParamOp::BeforeBrace, Param::Var(name)) if !joins => {
                            self.out.push(b'$');
                            self.text(name);
                        }
                        (ParamOp::Plain, Param::Special(c)) => self.text(&[b'$', *c]),
                        (ParamOp::Plain, Param::Positional(n @ 1..=9, _)) => {
                            self.text(format!("${n}").as_bytes())
                        }
                        _ => self.param(p),
                    }
                }
                WordPart::CommandSubst(list) => self.substitution(b"$(", list),
                WordPart::Arith(w) => {
                    self.text(b"$((");
                    match &w.raw {
                        Some(_) => self.word(w),
                        None => self.arith_parts(w),
                    }
                    self.text(b"))");
                }
                WordPart::ProcessSubst { input, list } => {
                    self.substitution(if *input { b"<(" } else { b">(" }, list)
                }
                WordPart::Compound(elements) => {
                    self.text(b"(");
                    self.words(elements);
                    self.text(b")");
                }
            }
        }
    }

    /// `$(...)`, `<(...)`, `>(...)` rebuilt, the commands on one line.
    fn substitution(&mut self, open: &[u8], list: &List) {
        self.text(open);
        let mut inner = Printer::default();
        inner.inline_list(list);
        self.text(&inner.out);
        self.text(b")");
    }

    /// `name[subscript]`.
    fn element(&mut self, name: &[u8], sub: &Subscript) {
        self.text(name);
        match sub {
            Subscript::All { at } => self.text(if *at { b"[@]" } else { b"[*]" }),
            Subscript::Index(w) => {
                self.text(b"[");
                self.word(w);
                self.text(b"]");
            }
        }
    }

    /// A parameter expansion rebuilt: `${name}` with the common operators.
    fn param(&mut self, p: &ParamExp) {
        if let ParamOp::Bad(text) | ParamOp::BadTransform(text) = &p.op {
            // All of its text, as it was read.
            self.text(b"${");
            self.text(text);
            self.text(b"}");
            return;
        }
        self.text(b"${");
        if matches!(p.op, ParamOp::Length) {
            self.text(b"#");
        }
        match &p.param {
            Param::Var(name) => self.text(name),
            Param::Positional(n, _) => self.text(n.to_string().as_bytes()),
            Param::Special(c) => self.out.push(*c),
            Param::Indirect(name) => {
                self.text(b"!");
                self.text(name);
            }
            Param::Elem(name, sub) => self.element(name, sub),
            Param::IndirectElem(name, sub) => {
                self.text(b"!");
                self.element(name, sub);
            }
        }
        let (op, word): (&[u8], Option<&Word>) = match &p.op {
            ParamOp::Default { colon, word } => (if *colon { b":-" } else { b"-" }, Some(word)),
            ParamOp::Assign { colon, word } => (if *colon { b":=" } else { b"=" }, Some(word)),
            ParamOp::Error { colon, word } => (if *colon { b":?" } else { b"?" }, Some(word)),
            ParamOp::Alternative { colon, word } => (if *colon { b":+" } else { b"+" }, Some(word)),
            ParamOp::RemoveSmallestSuffix(w) => (b"%", Some(w)),
            ParamOp::RemoveLargestSuffix(w) => (b"%%", Some(w)),
            ParamOp::RemoveSmallestPrefix(w) => (b"#", Some(w)),
            ParamOp::RemoveLargestPrefix(w) => (b"##", Some(w)),
            _ => (b"", None),
        };
        self.text(op);
        if let Some(w) = word {
            self.word(w);
        }
        self.text(b"}");
    }
}

/// A word's text as written, but each `$(...)`, `<(...)` and `>(...)` in it printed anew
/// from its commands, as bash prints a function (`$(a|b)` is `$(a | b)`); backquotes stay as
/// written. None when the word has none, or when its text cannot be matched with them.
fn with_substitutions_reprinted(raw: &[u8], parts: &[WordPart]) -> Option<Vec<u8>> {
    let mut lists = Vec::new();
    collect_substitutions(parts, &mut lists);
    if lists.is_empty() {
        return None;
    }
    let mut lists = lists.into_iter();
    let mut out = Vec::with_capacity(raw.len());
    let (mut i, mut in_dq) = (0, false);
    while i < raw.len() {
        let c = raw[i];
        let next = raw.get(i + 1).copied();
        match c {
            b'\\' => {
                out.extend_from_slice(&raw[i..(i + 2).min(raw.len())]);
                i += 2;
                continue;
            }
            b'\'' if !in_dq => {
                // To the closing quote; in `$'...'`, past the escaped ones.
                let ansi = i > 0 && raw[i - 1] == b'$';
                let mut j = i + 1;
                while j < raw.len() && raw[j] != b'\'' {
                    j += if ansi && raw[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(raw.len());
                out.extend_from_slice(&raw[i..end]);
                i = end;
                continue;
            }
            b'"' => in_dq = !in_dq,
            b'`' => {
                // A backquoted substitution stays as written.
                lists.next()?;
                let mut j = i + 1;
                while j < raw.len() && raw[j] != b'`' {
                    j += if raw[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(raw.len());
                out.extend_from_slice(&raw[i..end]);
                i = end;
                continue;
            }
            b'$' if next == Some(b'(') && raw.get(i + 2) != Some(&b'(') => {
                let (open, list) = lists.next()?;
                if open != b"$(" {
                    return None;
                }
                i = reprint_one(raw, i, open, &list, &mut out)?;
                continue;
            }
            b'<' | b'>' if next == Some(b'(') && !in_dq => {
                let (open, list) = lists.next()?;
                if open[0] != c {
                    return None;
                }
                i = reprint_one(raw, i, open, &list, &mut out)?;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    // Every substitution must have been found where it was written.
    lists.next().is_none().then_some(out)
}

/// The substitution opened at `raw[start..]` (`open` long) printed anew into `out`: its end
/// is the first `)` before which its text reads as as many commands as it has. Returns
/// where the text after it begins.
fn reprint_one(
    raw: &[u8],
    start: usize,
    open: &[u8],
    list: &List,
    out: &mut Vec<u8>,
) -> Option<usize> {
    let body_start = start + open.len();
    let mut k = body_start;
    while k < raw.len() {
        if raw[k] == b')' {
            let body = &raw[body_start..k];
            let read = crate::syntax::parse_all_in(body, true);
            if read.is_ok_and(|l| l.items.len() == list.items.len()) {
                // bash keeps the newlines between commands, which the commands do not
                // record: such a body stays as written.
                if list.items.len() > 1 && body.contains(&b'\n') {
                    return None;
                }
                let mut p = Printer::default();
                p.inline_list(list);
                p.flush_heredocs();
                out.extend_from_slice(open);
                if p.out.first() == Some(&b'(') {
                    // `$( (a))`, not the arithmetic `$((`.
                    out.push(b' ');
                }
                out.extend_from_slice(&p.out);
                out.push(b')');
                return Some(k + 1);
            }
        }
        k += 1;
    }
    None
}

/// The substitutions of a word's parts, in the order they are written: `$(` (also for a
/// backquoted one, which the scan tells apart), `<(`, `>(`, each with its commands.
fn collect_substitutions(parts: &[WordPart], out: &mut Vec<(&'static [u8], std::rc::Rc<List>)>) {
    for part in parts {
        match part {
            WordPart::CommandSubst(list) => out.push((b"$(", list.clone())),
            WordPart::ProcessSubst { input, list } => {
                out.push((if *input { b"<(" } else { b">(" }, list.clone()))
            }
            WordPart::DoubleQuoted(inner) => collect_substitutions(inner, out),
            WordPart::Arith(w) => collect_substitutions(&w.parts, out),
            WordPart::Compound(words) => {
                for w in words {
                    collect_substitutions(&w.parts, out);
                }
            }
            WordPart::Param(pe) => {
                if let Param::Elem(_, sub) | Param::IndirectElem(_, sub) = &pe.param {
                    if let Subscript::Index(w) = &**sub {
                        collect_substitutions(&w.parts, out);
                    }
                }
                for w in pe.op.words() {
                    collect_substitutions(&w.parts, out);
                }
            }
            WordPart::Literal(_) | WordPart::Quoted(_) | WordPart::Tilde(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{Command, ListItem};

    /// The function a definition in `src` makes, printed.
    fn printed(src: &str) -> String {
        let list = crate::syntax::parse_all_in(src.as_bytes(), true).expect("parses");
        let Some(ListItem { and_or, .. }) = list.items.first() else {
            panic!("nothing parsed");
        };
        let Some(Command::FunctionDef(f)) = and_or.first.commands.first() else {
            panic!("not a function definition");
        };
        String::from_utf8(function(&f.name, &f.body)).expect("utf-8")
    }

    #[test]
    fn a_simple_body() {
        assert_eq!(
            printed("f() { echo hi; echo \"a b\" 'c' $x >/dev/null 2>&1; }"),
            "f () \n{ \n    echo hi;\n    echo \"a b\" 'c' $x > /dev/null 2>&1\n}\n"
        );
    }

    #[test]
    fn compound_commands_one_level_in() {
        assert_eq!(
            printed("g() { if a; then b; elif c; then d; else e; fi; while x; do y; done; }"),
            "g () \n{ \n    if a; then\n        b;\n    else\n        if c; then\n            \
             d;\n        else\n            e;\n        fi;\n    fi;\n    while x; do\n        \
             y;\n    done\n}\n"
        );
        assert_eq!(printed("h() ( a; b )"), "h () \n{ \n    ( a;\n    b )\n}\n");
        assert_eq!(
            printed("k() { case $1 in a|b) x;; *) ;; esac; } > out"),
            "k () \n{ \n    case $1 in \n        a | b)\n            x\n        ;;\n        \
             *)\n\n        ;;\n    esac\n} > out\n"
        );
    }

    #[test]
    fn here_documents_follow_their_line() {
        assert_eq!(
            printed("f() { cat <<'E'\nbody $x\nE\necho done; }"),
            "f () \n{ \n    cat <<'E'\nbody $x\nE\n\n    echo done\n}\n"
        );
    }

    #[test]
    fn cond_keeps_the_grouping() {
        assert_eq!(
            printed("f() { [[ ! -z $x || ( a < b && c ) ]]; }"),
            "f () \n{ \n    [[ ! -z $x || ( a < b && -n c ) ]]\n}\n"
        );
        assert_eq!(
            printed("f() { [[ ( a || b ) && c ]]; }"),
            "f () \n{ \n    [[ ( -n a || -n b ) && -n c ]]\n}\n"
        );
    }
}
