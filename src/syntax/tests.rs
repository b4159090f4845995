//! Parser and lexer tests: expected trees for every production and word form, and dash's
//! error messages and line numbers.

use super::*;
use crate::syntax::ast::*;
use crate::syntax::{parse_all, BytesSource, NoAliases, ParseError};

// ----- a compact rendering of trees, so that expectations stay readable -----
//
// word parts: Literal `text`, Quoted `'text'`, DoubleQuoted `"..."`, Tilde `~{name}`,
// Param `$<x>` `$<#x>` `$<x:-word>`, CommandSubst `$(list)`, Arith `$((word))`;
// each word is in brackets: `[echo]`.

fn text(t: &[u8]) -> String {
    String::from_utf8_lossy(t).replace('\n', "\\n")
}

fn show_parts(parts: &[WordPart]) -> String {
    parts.iter().map(show_part).collect()
}

fn show_part(p: &WordPart) -> String {
    match p {
        WordPart::Literal(t) => text(t),
        WordPart::Quoted(t) => format!("'{}'", text(t)),
        WordPart::DoubleQuoted(p) => format!("\"{}\"", show_parts(p)),
        WordPart::Tilde(t) => format!("~{{{}}}", text(t)),
        WordPart::Param(pe) => {
            let name = match &pe.param {
                Param::Var(n) => text(n),
                Param::Positional(n, _) => n.to_string(),
                Param::Special(c) => (*c as char).to_string(),
                Param::Indirect(n) => format!("!{}", text(n)),
                Param::IndirectElem(n, sub) | Param::Elem(n, sub) => match &**sub {
                    Subscript::All { at } => {
                        format!("{}[{}]", text(n), if *at { "@" } else { "*" })
                    }
                    Subscript::Index(w) => format!("{}[{}]", text(n), show_parts(&w.parts)),
                },
            };
            let c = |colon: &bool| if *colon { ":" } else { "" };
            match &pe.op {
                ParamOp::Plain | ParamOp::BeforeBrace => format!("$<{name}>"),
                ParamOp::Length => format!("$<#{name}>"),
                ParamOp::Default { colon, word } => {
                    format!("$<{name}{}-{}>", c(colon), show_parts(&word.parts))
                }
                ParamOp::Assign { colon, word } => {
                    format!("$<{name}{}={}>", c(colon), show_parts(&word.parts))
                }
                ParamOp::Error { colon, word } => {
                    format!("$<{name}{}?{}>", c(colon), show_parts(&word.parts))
                }
                ParamOp::Alternative { colon, word } => {
                    format!("$<{name}{}+{}>", c(colon), show_parts(&word.parts))
                }
                ParamOp::RemoveSmallestSuffix(w) => format!("$<{name}%{}>", show_parts(&w.parts)),
                ParamOp::RemoveLargestSuffix(w) => format!("$<{name}%%{}>", show_parts(&w.parts)),
                ParamOp::RemoveSmallestPrefix(w) => format!("$<{name}#{}>", show_parts(&w.parts)),
                ParamOp::RemoveLargestPrefix(w) => format!("$<{name}##{}>", show_parts(&w.parts)),
                ParamOp::Replace { at, pattern, with } => format!(
                    "$<{name}/{at:?}/{}/{}>",
                    show_parts(&pattern.parts),
                    show_parts(&with.parts)
                ),
                ParamOp::Substring { offset, length } => format!(
                    "$<{name}:{}:{}>",
                    show_parts(&offset.parts),
                    length
                        .as_ref()
                        .map(|l| show_parts(&l.parts))
                        .unwrap_or_default()
                ),
                ParamOp::Case {
                    upper,
                    all,
                    pattern,
                } => format!(
                    "$<{name}{}{}>",
                    match (upper, all) {
                        (Some(true), false) => "^",
                        (Some(true), true) => "^^",
                        (Some(false), false) => ",",
                        (Some(false), true) => ",,",
                        (None, false) => "~",
                        (None, true) => "~~",
                    },
                    show_parts(&pattern.parts)
                ),
                ParamOp::Transform(t) => format!("$<{name}@{}>", *t as char),
                ParamOp::Names { at } => format!("$<!{name}{}>", if *at { "@" } else { "*" }),
                ParamOp::Keys => format!("$<!{name}>"),
                ParamOp::Bad(bad) | ParamOp::BadTransform(bad) => format!("$<bad {}>", text(bad)),
            }
        }
        WordPart::CommandSubst(l) => format!("$({})", show_list(l)),
        WordPart::ProcessSubst { input, list } => {
            format!("{}({})", if *input { "<" } else { ">" }, show_list(list))
        }
        WordPart::Arith(w) => format!("$(({}))", show_parts(&w.parts)),
        WordPart::Compound(ws) => format!("({})", show_words(ws)),
    }
}

fn show_word(w: &Word) -> String {
    format!("[{}]", show_parts(&w.parts))
}

fn show_words(ws: &[Word]) -> String {
    ws.iter().map(show_word).collect::<Vec<_>>().join(" ")
}

fn show_redirect(r: &Redirect) -> String {
    let fd = match &r.fd_var {
        Some(name) => format!("{{{}}}", text(name)),
        None => r.fd.map(|f| f.to_string()).unwrap_or_default(),
    };
    let op = match r.op {
        RedirOp::Input => "<",
        RedirOp::Output => ">",
        RedirOp::Clobber => ">|",
        RedirOp::Append => ">>",
        RedirOp::ReadWrite => "<>",
        RedirOp::DupInput => "<&",
        RedirOp::DupOutput => ">&",
        RedirOp::HereDoc { strip_tabs: false } => "<<",
        RedirOp::HereDoc { strip_tabs: true } => "<<-",
    };
    match &r.target {
        RedirTarget::Word(w) => format!("{fd}{op}{}", show_word(w)),
        RedirTarget::HereDoc(w) => format!("{fd}{op}doc{}", show_word(w)),
    }
}

fn show_list(l: &List) -> String {
    l.items
        .iter()
        .map(|i| {
            let mut s = show_pipeline(&i.and_or.first);
            for (op, p) in &i.and_or.rest {
                s += if *op == AndOrOp::And { " && " } else { " || " };
                s += &show_pipeline(p);
            }
            s + if i.is_async { " &" } else { ";" }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn show_pipeline(p: &Pipeline) -> String {
    let s = p
        .commands
        .iter()
        .map(show_command)
        .collect::<Vec<_>>()
        .join(" | ");
    if p.negated {
        format!("! {s}")
    } else {
        s
    }
}

fn show_command(c: &Command) -> String {
    match c {
        Command::Simple(s) => {
            let mut out: Vec<String> = s
                .assigns
                .iter()
                .map(|a| {
                    let name = match &a.index {
                        Some(i) => format!("{}{{{}}}", text(&a.name), show_word(i)),
                        None => text(&a.name),
                    };
                    match &a.array {
                        Some(els) => format!("{name}=({})", show_words(els)),
                        None => format!("{name}={}", show_word(&a.value)),
                    }
                })
                .collect();
            out.extend(s.words.iter().map(show_word));
            out.extend(s.redirects.iter().map(show_redirect));
            out.join(" ")
        }
        Command::Compound(cc, redirects, _) => {
            let mut s = match cc {
                CompoundCommand::BraceGroup(l) => format!("{{ {} }}", show_list(l)),
                CompoundCommand::Subshell(l) => format!("( {} )", show_list(l)),
                CompoundCommand::Coproc { name, body } => {
                    format!("coproc {} {}", text(name), show_command(body))
                }
                CompoundCommand::Select { var, words, body } => format!(
                    "select {} in {} do {} done",
                    text(var),
                    words.as_deref().map(show_words).unwrap_or_default(),
                    show_list(body)
                ),
                CompoundCommand::For { var, words, body } => match words {
                    Some(w) => format!(
                        "for {} in {} do {} done",
                        text(var),
                        show_words(w),
                        show_list(body)
                    ),
                    None => format!("for {} do {} done", text(var), show_list(body)),
                },
                CompoundCommand::Case { word, arms } => {
                    let arms: Vec<String> = arms
                        .iter()
                        .map(|a| {
                            let pats: Vec<String> = a.patterns.iter().map(show_word).collect();
                            format!(
                                "{}) {} {}",
                                pats.join("|"),
                                show_list(&a.body),
                                if a.fallthrough {
                                    ";&"
                                } else if a.test_next {
                                    ";;&"
                                } else {
                                    ";;"
                                }
                            )
                        })
                        .collect();
                    format!("case {} in {} esac", show_word(word), arms.join(" "))
                }
                CompoundCommand::If {
                    branches,
                    else_body,
                } => {
                    let mut s = String::new();
                    for (i, (c, b)) in branches.iter().enumerate() {
                        s += if i == 0 { "if " } else { " elif " };
                        s += &format!("{} then {}", show_list(c), show_list(b));
                    }
                    if let Some(e) = else_body {
                        s += &format!(" else {}", show_list(e));
                    }
                    s + " fi"
                }
                CompoundCommand::While { cond, body } => {
                    format!("while {} do {} done", show_list(cond), show_list(body))
                }
                CompoundCommand::Until { cond, body } => {
                    format!("until {} do {} done", show_list(cond), show_list(body))
                }
                CompoundCommand::Arith(w) => format!("(( {} ))", show_word(w)),
                CompoundCommand::ArithFor {
                    init,
                    cond,
                    step,
                    body,
                } => format!(
                    "for (( {}; {}; {} )) do {} done",
                    show_word(init),
                    show_word(cond),
                    show_word(step),
                    show_list(body)
                ),
                CompoundCommand::Cond(e) => format!("[[ {} ]]", show_cond(e)),
            };
            for r in redirects {
                s += " ";
                s += &show_redirect(r);
            }
            s
        }
        Command::FunctionDef(f) => format!("{}() {}", text(&f.name), show_command(&f.body)),
    }
}

fn show_cond(e: &CondExpr) -> String {
    match e {
        CondExpr::Unary(op, w) => format!("{} {}", text(op), show_word(w)),
        CondExpr::Binary(a, op, b) => format!("{} {} {}", show_word(a), text(op), show_word(b)),
        CondExpr::Word(w) => show_word(w),
        CondExpr::Not(x) => format!("! {}", show_cond(x)),
        CondExpr::Group(x) => show_cond(x),
        CondExpr::And(a, b) => format!("({} && {})", show_cond(a), show_cond(b)),
        CondExpr::Or(a, b) => format!("({} || {})", show_cond(a), show_cond(b)),
    }
}

fn parse(s: &str) -> List {
    match parse_all(s.as_bytes()) {
        Ok(l) => l,
        Err(e) => panic!("{s:?}: {e:?}"),
    }
}

fn err(s: &[u8]) -> (u32, String) {
    match parse_all(s) {
        Ok(l) => panic!("{:?} parsed: {}", String::from_utf8_lossy(s), show_list(&l)),
        Err(ParseError::Syntax(e)) => (e.line, e.message),
        Err(e) => panic!("{s:?}: {e:?}"),
    }
}

/// Prints table entries for the inputs in `$PARSE` (separated by lines of `----`), e.g.
/// `PARSE="$(cat cases)" cargo test --lib syntax::parser::tests::dump -- --nocapture`.
/// Does nothing when `PARSE` is unset.
#[test]
fn dump() {
    for s in std::env::var("PARSE").unwrap_or_default().split("\n----\n") {
        if s.is_empty() {
            continue;
        }
        match parse_all(s.as_bytes()) {
            Ok(l) => println!("    ({:?}, {:?}),", s, show_list(&l)),
            Err(ParseError::Syntax(e)) => println!("    ({:?}, {}, {:?}),", s, e.line, e.message),
            Err(e) => println!("{s:?} io {e:?}"),
        }
    }
}

/// Run `f` on a thread with the default 2 MiB test stack.
fn on_small_stack<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow or panic");
}

#[test]
fn deep_nesting_is_an_error_not_an_overflow() {
    on_small_stack(|| {
        let n = 100_000;
        let cases: Vec<Vec<u8>> = vec![
            "(".repeat(n).into_bytes(),
            format!("{}x{}", "(".repeat(n), ")".repeat(n)).into_bytes(),
            format!("echo {}", "$(".repeat(n)).into_bytes(),
            format!("echo {}x{}", "$(".repeat(n), ")".repeat(n)).into_bytes(),
            format!("echo {}", "${x-".repeat(n)).into_bytes(),
            format!("echo {}", "$((".repeat(n)).into_bytes(),
            format!("echo {}", "\"${x-".repeat(n)).into_bytes(),
            "if a; then ".repeat(n).into_bytes(),
            "while a; do ".repeat(n).into_bytes(),
            "case a in a) ".repeat(n).into_bytes(),
            "{ ".repeat(n).into_bytes(),
            "f() ".repeat(n).into_bytes(),
            "for x in a; do ".repeat(n).into_bytes(),
        ];
        for c in cases {
            let head = String::from_utf8_lossy(c.get(..20).unwrap_or(&c)).into_owned();
            match parse_all(&c) {
                Err(ParseError::Syntax(e)) => {
                    assert_eq!(e.message, "Syntax error: nesting too deep", "{head}")
                }
                _ => panic!("{head}: not a syntax error"),
            }
        }
        // Parentheses inside arithmetic are counted, not nested.
        let (_, msg) = err(format!("echo $(( {} ))", "(".repeat(n)).as_bytes());
        assert_eq!(msg, "Syntax error: Missing '))'");
    });
}

#[test]
fn nesting_up_to_the_limit_parses() {
    on_small_stack(|| {
        let n = 100;
        for s in [
            format!("{}x{}", "(".repeat(n), ")".repeat(n)),
            format!("echo {}x{}", "$(".repeat(n), ")".repeat(n)),
            format!("echo {}x{}", "${x-".repeat(n), "}".repeat(n)),
            format!("{}x{}", "{ ".repeat(n), "; }".repeat(n)),
            format!("{}x{}", "if a; then ".repeat(n), "; fi".repeat(n)),
        ] {
            parse(&s);
        }
    });
}

/// Parse the long inputs of `long_lines_parse_in_linear_time` at `scale` (1: about 125 kB
/// each).
fn parse_long_lines(scale: usize) {
    let words = "abcdefg ".repeat(15_625 * scale);
    let l = parse(&format!("echo {words}"));
    assert_eq!(l.items.len(), 1);
    let quoted = format!(
        "echo '{}' \"{}\" {}",
        "x".repeat(125_000 * scale),
        "y$z".repeat(37_500 * scale),
        "a\\ ".repeat(37_500 * scale)
    );
    parse(&quoted);
    let many = "a;".repeat(37_500 * scale);
    assert_eq!(parse(&many).items.len(), 37_500 * scale);
    let doc = format!("cat <<EOF\n{}EOF\n", "line $x\n".repeat(12_500 * scale));
    parse(&doc);
}

/// Four times the input takes about four times as long, not sixteen: the parser is linear.
/// A ratio of times, each the best of two runs, so that a loaded machine does not decide it.
#[test]
fn long_lines_parse_in_linear_time() {
    let best = |scale: usize| {
        (0..2)
            .map(|_| {
                let start = std::time::Instant::now();
                parse_long_lines(scale);
                start.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let small = best(1);
    let large = best(4);
    assert!(
        large < small * 10 + std::time::Duration::from_millis(200),
        "4x the input took {large:?} against {small:?}"
    );
}

// ----- tables -----

#[test]
fn productions_and_word_forms() {
    for (input, expected) in TREES {
        let got = show_list(&parse(input));
        assert_eq!(&got, expected, "input: {input:?}");
    }
}

#[test]
fn syntax_errors_match_dash() {
    for (input, line, message) in ERRORS {
        let (l, m) = err(input.as_bytes());
        assert_eq!((l, m.as_str()), (*line, *message), "input: {input:?}");
    }
}

/// Inputs and their trees (checked by hand against dash's behaviour).
#[rustfmt::skip]
const TREES: &[(&str, &str)] = &[
    ("echo a b\tc", "[echo] [a] [b] [c];"),
    ("echo a;b&c", "[echo] [a]; [b] & [c];"),
    ("a && b || ! c | d", "[a] && [b] || ! [c] | [d];"),
    ("a |\nb &&\n\nc", "[a] | [b] && [c];"),
    ("echo \\a\\ b 'c d'e\"f $x\"", "[echo] ['a 'b] ['c d'e\"'f '$<x>\"];"),
    ("echo \"a\\b\\$\\`\\\"\\\\c\" \"\\\nx\"", "[echo] [\"'a\\b$`\"\\c'\"] [\"'x'\"];"),
    ("echo a\\\nb", "[echo] [ab];"),
    ("echo ''  \"\"  x''y", "[echo] [''] [\"\"] [x''y];"),
    ("echo 'a\\'", "[echo] ['a\\'];"),
    ("echo $ $. a$ \"$\" \"a$\" $\"x\"", "[echo] [$] [$.] [a$] [\"'$'\"] [\"'a$'\"] [$\"'x'\"];"),
    ("echo $x$y ${x}y $1 $12 ${12} $0 ${0} $@ $* $# $? $- $$ $! \"$@\"", "[echo] [$<x>$<y>] [$<x>y] [$<1>] [$<1>2] [$<12>] [$<0>] [$<0>] [$<@>] [$<*>] [$<#>] [$<?>] [$<->] [$<$>] [$<!>] [\"$<@>\"];"),
    ("echo ${#} ${#x} ${#1} ${#12} ${##} ${#@} ${#?} ${#-} ${#:-a} ${##x} ${#-x}", "[echo] [$<#>] [$<#x>] [$<#1>] [$<#12>] [$<##>] [$<#@>] [$<#?>] [$<#->] [$<#:-a>] [$<##x>] [$<#-x>];"),
    ("echo ${x-a} ${x:-a} ${x=a} ${x:=a} ${x?a} ${x:?a} ${x+a} ${x:+a} ${x%a} ${x%%a} ${x#a} ${x##a}", "[echo] [$<x-a>] [$<x:-a>] [$<x=a>] [$<x:=a>] [$<x?a>] [$<x:?a>] [$<x+a>] [$<x:+a>] [$<x%a>] [$<x%%a>] [$<x#a>] [$<x##a>];"),
    ("echo ${x-} ${x:-a b} ${x-$y} ${x-\"$y\"} ${x-'}'} ${x-\\}} ${x-${y-z}}", "[echo] [$<x->] [$<x:-a b>] [$<x-$<y>>] [$<x-\"$<y>\">] [$<x-'}'>] [$<x-'}'>] [$<x-$<y-z>>];"),
    ("echo \"${x-'a'}\" \"${x#'a'}\" \"${x#*}\" \"${x-\"a b\"}\" \"${x-\\}\\a}\" \"${x#\\a}\" \"${x-}}\"", "[echo] [\"$<x-''a''>\"] [\"$<x#'a'>\"] [\"$<x#*>\"] [\"$<x-\"'a b'\">\"] [\"$<x-'}\\a'>\"] [\"$<x#'a'>\"] [\"$<x->'}'\"];"),
    ("echo ${x-~} ${x-~/a} \"${x-~}\" ${x#~}", "[echo] [$<x-~{}>] [$<x-~{}/a>] [\"$<x-'~'>\"] [$<x#~{}>];"),
    ("echo ~ ~/a ~user ~user/b ~\"q\" a~ ~$x x=~ ~:a", "[echo] [~{}] [~{}/a] [~{user}] [~{user}/b] [~\"'q'\"] [a~] [~$<x>] [x=~] [~{:a}];"),
    ("a=~ b=~/x c=a:~/b:~c d=~\"x\" e=$x:~", "a=[~{}] b=[~{}/x] c=[a:~{}/b:~{c}] d=[~\"'x'\"] e=[$<x>:~{}];"),
    ("echo $(echo a) \"$(echo b)\" `echo c` \"`echo d`\"", "[echo] [$([echo] [a];)] [\"$([echo] [b];)\"] [$([echo] [c];)] [\"$([echo] [d];)\"];"),
    ("echo $(echo ')' \")\" \\) ; case x in x) echo y;; esac)", "[echo] [$([echo] [')'] [\"')'\"] [')']; case [x] in [x]) [echo] [y]; ;; esac;)];"),
    ("echo $( (echo a) ) $(\necho b # comment )\n)", "[echo] [$(( [echo] [a]; );)] [$([echo] [b];)];"),
    ("echo `echo \\`echo a\\`` `echo \\$x \\\\ \\\"` \"`echo \\\"q\\\"`\"", "[echo] [$([echo] [$([echo] [a];)];)] [$([echo] [$<x>] [' \"'];)] [\"$([echo] [\"'q'\"];)\"];"),
    ("echo $((1+2)) $(( (1+2)*3 )) $((x+$y+${z})) \"$((1))\" $(($(echo 1)+`echo 2`))", "[echo] [$(('1+2'))] [$((' (1+2)*3 '))] [$(('x+'$<y>'+'$<z>))] [\"$(('1'))\"] [$(($([echo] [1];)'+'$([echo] [2];)))];"),
    ("echo $((1) + 2))", "[echo] [$(('1) + 2'))];"),
    ("echo $((a\n+b))", "[echo] [$(('a\\n+b'))];"),
    ("cat <<EOF\na $x ${y} \\$ \\` \\\\ \\a \" ' $(echo c) $((1+1)) `echo d`\nEOF", "[cat] <<doc['a '$<x>' '$<y>' $ ` \\ \\a \" ' '$([echo] [c];)' '$(('1+1'))' '$([echo] [d];)'\\n'];"),
    ("cat <<'EOF'\na $x \\$\nEOF", "[cat] <<doc['a $x \\$\\n'];"),
    ("cat <<E\\OF\n$x\nEOF", "[cat] <<doc['$x\\n'];"),
    ("cat <<\"E\"OF <<-X\n$a\nEOF\n\tb\n\tX", "[cat] <<doc['$a\\n'] <<-doc['b\\n'];"),
    ("cat <<EOF\na\\\nEOF\nEOF", "[cat] <<doc['aEOF\\n'];"),
    ("cat <<EOF; echo b\nx\nEOF", "[cat] <<doc['x\\n']; [echo] [b];"),
    ("cat <<EOF", "[cat] <<doc[''];"),
    ("cat <<EOF\nno end", "[cat] <<doc['no end'];"),
    ("echo $(cat <<EOF\ninner\nEOF\n)", "[echo] [$([cat] <<doc['inner\\n'];)];"),
    ("f() { cat <<X; }\nbody\nX", "f() { [cat] <<doc['body\\n']; };"),
    ("cat <<EOF | tr a b && echo ok\naaa\nEOF", "[cat] <<doc['aaa\\n'] | [tr] [a] [b] && [echo] [ok];"),
    ("echo 1>a 2>>b 3<c <d >|e <>f 4<&5 >&- <<-g", "[echo] 1>[a] 2>>[b] 3<[c] <[d] >|[e] <>[f] 4<&[5] >&[-] <<-doc[''];"),
    ("echo 12>x a<y", "[echo] [12] [a] >[x] <[y];"),
    ("2>x", "2>[x];"),
    ("x=1", "x=[1];"),
    ("x=1 y=2 cmd a=b", "x=[1] y=[2] [cmd] [a=b];"),
    (">f x=1 cmd", "x=[1] [cmd] >[f];"),
    ("{ a; b; }", "{ [a]; [b]; };"),
    ("{ a\nb\n}", "{ [a]; [b]; };"),
    ("( a; b ) >x 2>&1", "( [a]; [b]; ) >[x] 2>&[1];"),
    ("(a)|(b)", "( [a]; ) | ( [b]; );"),
    ("if a\nthen b\nelse c\nfi", "if [a]; then [b]; else [c]; fi;"),
    ("while a; do b; done; until c; do d; done", "while [a]; do [b]; done; until [c]; do [d]; done;"),
    ("for x in a b; do echo $x; done", "for x in [a] [b] do [echo] [$<x>]; done;"),
    ("for x; do a; done", "for x do [a]; done;"),
    ("for x do a; done", "for x do [a]; done;"),
    ("for x\ndo a; done", "for x do [a]; done;"),
    ("for x in; do a; done", "for x in  do [a]; done;"),
    ("for x in a b\ndo a\ndone", "for x in [a] [b] do [a]; done;"),
    ("for x\nin a; do b; done", "for x in [a] do [b]; done;"),
    ("case $x in a) b;; c|d) e; f;; esac", "case [$<x>] in [a]) [b]; ;; [c]|[d]) [e]; [f]; ;; esac;"),
    ("case x in (a) b;; (c|d) ;; esac", "case [x] in [a]) [b]; ;; [c]|[d])  ;; esac;"),
    ("case x in\na)\nb\n;;\nc) d\nesac", "case [x] in [a]) [b]; ;; [c]) [d]; ;; esac;"),
    ("case x in a) ;& b) c ;; esac", "case [x] in [a])  ;& [b]) [c]; ;; esac;"),
    ("case x in esac", "case [x] in  esac;"),
    ("case in in in) echo;; esac", "case [in] in [in]) [echo]; ;; esac;"),
    ("case x in x) echo in;;esac", "case [x] in [x]) [echo] [in]; ;; esac;"),
    ("f() { echo; }", "f() { [echo]; };"),
    ("f ( ) ( echo )", "f() ( [echo]; );"),
    ("f()\n{\necho\n}", "f() { [echo]; };"),
    ("f() echo a", "f() [echo] [a];"),
    ("f() if a; then b; fi >x", "f() if [a]; then [b]; fi >[x];"),
    ("f() g() { a; }", "f() g() { [a]; };"),
    ("! a", "! [a];"),
    ("echo ! { } fi then", "[echo] [!] [{] [}] [fi] [then];"),
    ("echo if; if=1", "[echo] [if]; if=[1];"),
    ("a & b &", "[a] & [b] &"),
    ("echo # comment\n# full line\n  # indented\necho b", "[echo]; [echo] [b];"),
    ("case x in (a) (b) ;; esac", "case [x] in [a]) ( [b]; ); ;; esac;"),
    ("echo $(cat <<EOF)\ninner\nEOF", "[echo] [$([cat] <<doc['inner\\n'];)];"),
    ("cat <<A $(cat <<B)\na\nA\nb\nB", "[cat] [$([cat] <<doc['b\\n'];)] <<doc['a\\n'];"),
    ("echo a\\", "[echo] [a\\];"),
    ("cat <<EOF\na\\", "[cat] <<doc['a\\'];"),
    ("x=`cat <<EOF\nin bq $y\nEOF\n`", "x=[$([cat] <<doc['in bq '$<y>'\\n'];)];"),
    ("cat <<EOF\n${x-\"a}b\"}\nEOF", "[cat] <<doc[$<x-\"'a}b'\">'\\n'];"),
    ("echo \"$(echo \"a b\")\" \"${x:-\"$(echo \")\")\"}\"", "[echo] [\"$([echo] [\"'a b'\"];)\"] [\"$<x:-\"$([echo] [\"')'\"];)\">\"];"),
    ("case x in a) ;; esac | cat", "case [x] in [a])  ;; esac | [cat];"),
    ("! { a; } && ! (b) || c", "! { [a]; } && ! ( [b]; ) || [c];"),
    ("a=$(echo) b=`echo` \"c\"=d e\\=f g=", "a=[$([echo];)] b=[$([echo];)] [\"'c'\"=d] [e'='f] [g=];"),
    ("echo ${x:-$(echo })} ${x:-`echo }`}", "[echo] [$<x:-$([echo] [}];)>] [$<x:-$([echo] [}];)>];"),
    ("for i in 1 2; do :; done >f 2>&1 &", "for i in [1] [2] do [:]; done >[f] 2>&[1] &"),
    ("cat <<A\n$(cat <<B\ninner\nB\n)\nA", "[cat] <<doc[$([cat] <<doc['inner\\n'];)'\\n'];"),
];
/// Inputs, and the line and message dash reports for them (`dash -c INPUT`).
#[rustfmt::skip]
const ERRORS: &[(&str, u32, &str)] = &[
    ("fi", 1, "Syntax error: \"fi\" unexpected"),
    ("if true; then", 1, "Syntax error: end of file unexpected (expecting \"fi\")"),
    ("if true; done", 1, "Syntax error: \"done\" unexpected (expecting \"then\")"),
    ("echo 'abc", 1, "Syntax error: Unterminated quoted string"),
    ("echo \"abc", 1, "Syntax error: Unterminated quoted string"),
    ("echo `abc", 1, "Syntax error: EOF in backquote substitution"),
    ("echo $(abc", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    ("echo ${x", 1, "Syntax error: Missing '}'"),
    ("echo $((1+2)", 1, "Syntax error: Missing '))'"),
    ("echo $((1+2", 1, "Syntax error: Missing '))'"),
    ("(", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    (")", 1, "Syntax error: \")\" unexpected"),
    ("( )", 1, "Syntax error: \")\" unexpected"),
    ("echo >", 1, "Syntax error: end of file unexpected"),
    ("echo >&", 1, "Syntax error: end of file unexpected"),
    ("echo a |", 1, "Syntax error: end of file unexpected"),
    ("echo a &&", 1, "Syntax error: end of file unexpected"),
    ("a && || b", 1, "Syntax error: \"||\" unexpected"),
    (";", 1, "Syntax error: \";\" unexpected"),
    (";;", 1, "Syntax error: \";;\" unexpected"),
    ("&", 1, "Syntax error: \"&\" unexpected"),
    ("echo a ;;", 1, "Syntax error: \";;\" unexpected"),
    ("echo (", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    ("for 1 in a; do :; done", 1, "Syntax error: Bad for loop variable"),
    ("for x in a b; echo; done", 1, "Syntax error: word unexpected (expecting \"do\")"),
    ("for x", 1, "Syntax error: end of file unexpected (expecting \"do\")"),
    ("case x in a) echo", 1, "Syntax error: end of file unexpected (expecting \";;\")"),
    ("case x", 1, "Syntax error: end of file unexpected (expecting \"in\")"),
    ("case x in", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    ("case x in a) ;;", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    ("while true; do; done", 1, "Syntax error: \";\" unexpected"),
    ("while; do :; done", 1, "Syntax error: \";\" unexpected"),
    ("{ }", 1, "Syntax error: \"}\" unexpected"),
    ("{ echo; }}", 1, "Syntax error: end of file unexpected (expecting \"}\")"),
    ("{ echo }", 1, "Syntax error: end of file unexpected (expecting \"}\")"),
    ("if then fi", 1, "Syntax error: \"then\" unexpected"),
    ("!", 1, "Syntax error: end of file unexpected"),
    ("! !", 1, "Syntax error: \"!\" unexpected"),
    ("true | ! true", 1, "Syntax error: \"!\" unexpected"),
    ("1f() { :; }", 1, "Syntax error: Bad function name"),
    ("f.g() { :; }", 1, "Syntax error: Bad function name"),
    ("set() { :; }", 1, "Syntax error: Bad function name"),
    ("local() { :; }", 1, "Syntax error: Bad function name"),
    ("a=b() { :; }", 1, "Syntax error: \"(\" unexpected"),
    ("echo $((", 1, "Syntax error: Missing '))'"),
    ("echo `echo \\`", 1, "Syntax error: EOF in backquote substitution"),
    ("case a in ;; esac", 1, "Syntax error: word unexpected (expecting \")\")"),
    ("case a in a) ;; b esac", 1, "Syntax error: word unexpected (expecting \")\")"),
    ("case a in a|) ;; esac", 1, "Syntax error: \";;\" unexpected (expecting \")\")"),
    ("case a in |a) ;; esac", 1, "Syntax error: word unexpected (expecting \")\")"),
    ("echo a; )", 1, "Syntax error: \")\" unexpected"),
    ("echo a ) b", 1, "Syntax error: \")\" unexpected"),
    ("if true; then :; else; fi", 1, "Syntax error: \";\" unexpected"),
    ("if true; then :; elif; then :; fi", 1, "Syntax error: \";\" unexpected"),
    ("for x in a; do echo $x; done done", 1, "Syntax error: \"done\" unexpected"),
    ("cat <<", 1, "Syntax error: end of file unexpected"),
    ("cat << >x", 1, "Syntax error: redirection unexpected"),
    ("in", 1, "Syntax error: \"in\" unexpected"),
    ("{", 1, "Syntax error: end of file unexpected (expecting \"}\")"),
    ("if", 1, "Syntax error: end of file unexpected (expecting \"then\")"),
    ("while", 1, "Syntax error: end of file unexpected (expecting \"do\")"),
    ("if true; then fi", 1, "Syntax error: \"fi\" unexpected"),
    ("for x in a; do", 1, "Syntax error: end of file unexpected (expecting \"done\")"),
    ("for x in a; do done", 1, "Syntax error: \"done\" unexpected"),
    ("echo $(\necho a", 2, "Syntax error: end of file unexpected (expecting \")\")"),
    ("f()", 1, "Syntax error: end of file unexpected"),
    ("f() echo a |", 1, "Syntax error: end of file unexpected"),
    ("(echo a) (echo b)", 1, "Syntax error: \"(\" unexpected"),
    ("echo a (echo b)", 1, "Syntax error: \"(\" unexpected"),
    ("(echo a) echo b", 1, "Syntax error: word unexpected"),
    ("a=1 (echo)", 1, "Syntax error: \"(\" unexpected"),
    (">x (echo)", 1, "Syntax error: \"(\" unexpected"),
    ("echo a; ;", 1, "Syntax error: \";\" unexpected"),
    ("echo a & ;", 1, "Syntax error: \";\" unexpected"),
    ("case esac in esac) echo y;; esac", 1, "Syntax error: \")\" unexpected"),
    ("case x in x) echo in;;", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    ("for x in a b", 1, "Syntax error: end of file unexpected"),
    ("for x in a b;", 1, "Syntax error: end of file unexpected (expecting \"do\")"),
    ("for x y", 1, "Syntax error: word unexpected (expecting \"do\")"),
    ("for x; echo", 1, "Syntax error: word unexpected (expecting \"do\")"),
    ("for x in a; { echo $x; }", 1, "Syntax error: \"{\" unexpected (expecting \"do\")"),
    ("for 'x' in a; do echo; done", 1, "Syntax error: Bad for loop variable"),
    ("f(x) { :; }", 1, "Syntax error: word unexpected (expecting \")\")"),
    ("(echo a) fi", 1, "Syntax error: \"fi\" unexpected"),
    ("echo $(echo a; fi)", 1, "Syntax error: \"fi\" unexpected (expecting \")\")"),
    ("echo;\n\nif true\nthen\n  fi\nfi", 5, "Syntax error: \"fi\" unexpected"),
    ("echo 'a\nb\nc", 3, "Syntax error: Unterminated quoted string"),
    ("echo a\necho \"a", 2, "Syntax error: Unterminated quoted string"),
    ("(\necho", 2, "Syntax error: end of file unexpected (expecting \")\")"),
    ("echo a \\\nb \\\n)", 3, "Syntax error: \")\" unexpected"),
    ("if true; then\necho", 2, "Syntax error: end of file unexpected (expecting \"fi\")"),
    ("echo a; if true; then\n\n", 3, "Syntax error: end of file unexpected (expecting \"fi\")"),
    ("x=1 (", 1, "Syntax error: \"(\" unexpected"),
    ("echo ${x:", 1, "Syntax error: Missing '}'"),
    ("echo \"${x", 1, "Syntax error: Unterminated quoted string"),
    ("echo $(( $(echo 1 ) + 2", 1, "Syntax error: Missing '))'"),
    ("echo `", 1, "Syntax error: EOF in backquote substitution"),
    ("echo \"`\"", 1, "Syntax error: EOF in backquote substitution"),
    ("echo $(case x in x) echo ;; esac", 1, "Syntax error: end of file unexpected (expecting \")\")"),
    ("cat <<EOF; (\na\nEOF", 4, "Syntax error: end of file unexpected (expecting \")\")"),
    ("a | | b", 1, "Syntax error: \"|\" unexpected"),
    ("a || && b", 1, "Syntax error: \"&&\" unexpected"),
    ("a & & b", 1, "Syntax error: \"&\" unexpected"),
    ("if a; then b; else c; elif d; then e; fi", 1, "Syntax error: \"elif\" unexpected (expecting \"fi\")"),
    ("case x in a) b;; esac esac", 1, "Syntax error: \"esac\" unexpected"),
    ("{ a; } }", 1, "Syntax error: \"}\" unexpected"),
    ("until a; done", 1, "Syntax error: \"done\" unexpected (expecting \"do\")"),
    ("while a; then b; done", 1, "Syntax error: \"then\" unexpected (expecting \"do\")"),
    ("for x in a; done", 1, "Syntax error: \"done\" unexpected (expecting \"do\")"),
    ("case x in a b) ;; esac", 1, "Syntax error: word unexpected (expecting \")\")"),
    ("echo a <", 1, "Syntax error: end of file unexpected"),
    ("echo a 2>", 1, "Syntax error: end of file unexpected"),
    ("echo a > ;", 1, "Syntax error: \";\" unexpected"),
    ("echo a < |", 1, "Syntax error: \"|\" unexpected"),
    ("echo a <<- ", 1, "Syntax error: end of file unexpected"),
    ("echo a > ( ", 1, "Syntax error: \"(\" unexpected"),
    ("f() ;", 1, "Syntax error: \";\" unexpected"),
    ("f() }", 1, "Syntax error: \"}\" unexpected"),
    ("f() fi", 1, "Syntax error: \"fi\" unexpected"),
    ("f() ", 1, "Syntax error: end of file unexpected"),
    ("!;", 1, "Syntax error: \";\" unexpected"),
    ("! |a", 1, "Syntax error: \"|\" unexpected"),
    ("a |;", 1, "Syntax error: \";\" unexpected"),
    ("then", 1, "Syntax error: \"then\" unexpected"),
    ("do", 1, "Syntax error: \"do\" unexpected"),
    ("done", 1, "Syntax error: \"done\" unexpected"),
    ("else", 1, "Syntax error: \"else\" unexpected"),
    ("elif", 1, "Syntax error: \"elif\" unexpected"),
    ("esac", 1, "Syntax error: \"esac\" unexpected"),
    ("}", 1, "Syntax error: \"}\" unexpected"),
    ("{\n}", 2, "Syntax error: \"}\" unexpected"),
    ("echo ${x!}", 1, "Bad substitution"),
    ("echo ${!x}", 1, "Bad substitution"),
    ("echo ${}", 1, "Bad substitution"),
    ("echo ${#x-a}", 1, "Bad substitution"),
    ("echo ${1x}", 1, "Bad substitution"),
    ("echo ${x:a}", 1, "Bad substitution"),
    ("echo ${%}", 1, "Bad substitution"),
    ("echo \"${x!}\"", 1, "Bad substitution"),
    ("echo \"a\\", 1, "Syntax error: Unterminated quoted string"),
    ("echo $((1", 1, "Syntax error: Missing '))'"),
    ("echo ${x-a", 1, "Syntax error: Missing '}'"),
];

// ----- commands one at a time: text, lines, lazy reading, aliases, recovery -----

/// A source that records how it was read.
struct Recording {
    lines: Vec<Vec<u8>>,
    next: usize,
    log: std::rc::Rc<std::cell::RefCell<Vec<bool>>>,
}

impl crate::syntax::LineSource for Recording {
    fn next_line(&mut self, continuation: bool) -> std::io::Result<Option<Vec<u8>>> {
        let line = self.lines.get(self.next).cloned();
        if line.is_some() {
            self.next += 1;
            self.log.borrow_mut().push(continuation);
        }
        Ok(line)
    }
}

type Log = std::rc::Rc<std::cell::RefCell<Vec<bool>>>;

fn recording(text: &str) -> (Parser<'static>, Log) {
    let log = Log::default();
    let lines = text
        .split_inclusive('\n')
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let src = Recording {
        lines,
        next: 0,
        log: log.clone(),
    };
    (Parser::new(Box::new(src), 1), log)
}

struct Table(Vec<(&'static str, &'static str)>);

impl crate::syntax::Aliases for Table {
    fn alias(&self, name: &[u8]) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, v)| v.as_bytes())
    }
}

/// Every command of `text` as (line, text, tree).
fn commands(text: &str, aliases: &dyn crate::syntax::Aliases) -> Vec<(u32, String, String)> {
    let mut p = Parser::new(Box::new(BytesSource::new(text.as_bytes())), 1);
    let mut out = Vec::new();
    while let Some(c) = p.next_command(aliases).expect("parses") {
        out.push((
            c.line,
            String::from_utf8_lossy(&c.text).into_owned(),
            show_list(&c.list),
        ));
    }
    out
}

#[test]
fn commands_come_one_at_a_time_with_their_text_and_line() {
    let got = commands(
        "\n# comment\n  echo a; b & c\n\nif x\nthen y\nfi\ncat <<E; d\nbody\nE\necho \\\nz\necho last",
        &NoAliases,
    );
    let want = [
        (3, "  echo a; b & c", "[echo] [a]; [b] & [c];"),
        (5, "if x\nthen y\nfi", "if [x]; then [y]; fi;"),
        (8, "cat <<E; d\nbody\nE", "[cat] <<doc['body\\n']; [d];"),
        (11, "echo \\\nz", "[echo] [z];"),
        (13, "echo last", "[echo] [last];"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(l, t, s)| (*l, t.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn reads_no_line_past_the_command() {
    let (mut p, log) = recording("echo a\nif b\nthen c\nfi\ncat <<E\nx\nE\nnext\n");
    p.next_command(&NoAliases).unwrap().unwrap();
    assert_eq!(*log.borrow(), [false]);
    p.next_command(&NoAliases).unwrap().unwrap();
    assert_eq!(*log.borrow(), [false, false, true, true]);
    p.next_command(&NoAliases).unwrap().unwrap();
    assert_eq!(*log.borrow(), [false, false, true, true, false, true, true]);
    assert_eq!(p.line(), 8);
    let c = p.next_command(&NoAliases).unwrap().unwrap();
    assert_eq!(c.line, 8);
    assert!(p.next_command(&NoAliases).unwrap().is_none());
}

#[test]
fn line_numbers_of_commands() {
    let l = parse("a\n\nb \\\nc; d\nif e\nthen\n  f\nfi\nwhile g; do\nh\ndone\nk() {\nm\n}\n");
    let lines: Vec<u32> = l
        .items
        .iter()
        .map(|i| i.and_or.first.commands[0].line())
        .collect();
    assert_eq!(lines, [1, 3, 4, 5, 9, 12]);
    let Command::Compound(CompoundCommand::If { branches, .. }, _, _) =
        &l.items[3].and_or.first.commands[0]
    else {
        panic!("if");
    };
    assert_eq!(branches[0].1.items[0].and_or.first.commands[0].line(), 7);
}

#[test]
fn recover_discards_the_rest_of_the_line() {
    let mut p = Parser::new(
        Box::new(BytesSource::new(b"echo a; fi; echo b\necho c\nif\n")),
        1,
    );
    match p.next_command(&NoAliases) {
        Err(ParseError::Syntax(e)) => assert_eq!(
            (e.line, e.message.as_str()),
            (1, "Syntax error: \"fi\" unexpected")
        ),
        other => panic!("{other:?}"),
    }
    p.recover();
    let c = p.next_command(&NoAliases).unwrap().unwrap();
    assert_eq!((c.line, show_list(&c.list).as_str()), (2, "[echo] [c];"));
    assert!(p.next_command(&NoAliases).is_err());
    p.recover();
    assert!(p.next_command(&NoAliases).unwrap().is_none());
}

#[test]
fn aliases() {
    let table = Table(vec![
        ("ll", "ls -l"),
        ("e", "echo "),
        ("hi", "hello"),
        ("a", "b"),
        ("b", "a"),
        ("loop", "loop x"),
        ("th", "if true; then echo y;"),
        ("two", "echo 1\necho 2"),
        ("p", "("),
    ]);
    let cases = [
        ("ll /", "[ls] [-l] [/];"),
        ("ll ll", "[ls] [-l] [ll];"),
        ("e hi", "[echo] [hello];"),
        ("e e hi", "[echo] [echo] [hello];"),
        ("e ll", "[echo] [ls] [-l];"),
        ("echo ll", "[echo] [ll];"),
        ("a", "[a];"),
        ("loop", "[loop] [x];"),
        ("th fi", "if [true]; then [echo] [y]; fi;"),
        ("x=1 ll", "x=[1] [ls] [-l];"),
        (">f ll", "[ls] [-l] >[f];"),
        ("\\ll; 'll'", "['l'l]; ['ll'];"),
        ("true && ll | ll", "[true] && [ls] [-l] | [ls] [-l];"),
        ("two", "[echo] [1]; [echo] [2];"),
        ("p ll)", "( [ls] [-l]; );"),
        ("if ll; then ll; fi", "if [ls] [-l]; then [ls] [-l]; fi;"),
        (
            "for ll in ll; do ll; done",
            "for ll in [ll] do [ls] [-l]; done;",
        ),
    ];
    for (input, want) in cases {
        let got = commands(input, &table);
        let trees: Vec<&str> = got.iter().map(|c| c.2.as_str()).collect();
        assert_eq!(trees.join(" "), want, "{input}");
        assert_eq!(got[0].1, input);
    }
}

#[test]
fn alias_defined_by_one_command_applies_to_the_next() {
    struct Live(std::cell::RefCell<Vec<u8>>);
    impl crate::syntax::Aliases for Live {
        fn alias(&self, name: &[u8]) -> Option<&[u8]> {
            // A fixed value once "defined": enough to show the parser asks per command.
            (name == b"g" && !self.0.borrow().is_empty()).then_some(b"grep -n")
        }
    }
    let live = Live(Default::default());
    let mut p = Parser::new(Box::new(BytesSource::new(b"g x\ng y\n")), 1);
    let c = p.next_command(&live).unwrap().unwrap();
    assert_eq!(show_list(&c.list), "[g] [x];");
    live.0.borrow_mut().push(1);
    let c = p.next_command(&live).unwrap().unwrap();
    assert_eq!(show_list(&c.list), "[grep] [-n] [y];");
}

#[test]
fn nul_bytes_are_dropped_and_invalid_utf8_is_ordinary_bytes() {
    let l = parse_all(b"echo a\0b '\xff\0' \"\xfe\"\n").unwrap();
    assert_eq!(show_list(&l), "[echo] [ab] ['\u{fffd}'] [\"'\u{fffd}'\"];");
    let Command::Simple(s) = &l.items[0].and_or.first.commands[0] else {
        panic!()
    };
    assert_eq!(s.words[2].parts, [WordPart::Quoted(b"\xff".to_vec())]);
}

#[test]
fn io_errors_are_reported() {
    struct Failing;
    impl crate::syntax::LineSource for Failing {
        fn next_line(&mut self, _: bool) -> std::io::Result<Option<Vec<u8>>> {
            Err(std::io::Error::other("boom"))
        }
    }
    let mut p = Parser::new(Box::new(Failing), 1);
    assert!(matches!(p.next_command(&NoAliases), Err(ParseError::Io(_))));
}

/// Token soup from a fixed pseudo-random sequence: every input parses or fails cleanly.
#[test]
fn random_token_soup_never_panics() {
    const PIECES: &[&str] = &[
        " ", "\n", "\t", "a", "x=1", "'", "\"", "\\", "`", "$", "${", "}", "$(", "$((", "(", ")",
        "))", ";", ";;", ";&", "&", "&&", "|", "||", "<", ">", "<<", "<<-", "EOF", "\nEOF\n", "<&",
        ">&", "2", "#", "~", ":", "=", "if", "then", "elif", "else", "fi", "for", "in", "do",
        "done", "case", "esac", "while", "until", "{", "!", "f()", "${#", "${x%%", "${x:-", "\\\n",
        "\0", "\u{ff}", "ll", "al ",
    ];
    let table = Table(vec![("ll", "ls -l "), ("al", "al x ")]);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 24) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
        }
        let _ = parse_all(s.as_bytes());
        let mut p = Parser::new(Box::new(BytesSource::new(s.as_bytes())), 1);
        for _ in 0..=s.len() {
            match p.next_command(&table) {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => p.recover(),
            }
        }
    }
}

#[test]
fn blank_lines_can_end_a_read() {
    let mut p = Parser::new(Box::new(BytesSource::new(b"\n# comment\necho a\n")), 1);
    p.stop_at_blank_lines();
    let blank = p.next_command(&NoAliases).unwrap().unwrap();
    assert!(blank.list.items.is_empty());
    assert!(blank.text.iter().all(u8::is_ascii_whitespace));
    let comment = p.next_command(&NoAliases).unwrap().unwrap();
    assert!(comment.list.items.is_empty());
    assert_eq!(comment.text.trim_ascii_end(), b"# comment");
    let cmd = p.next_command(&NoAliases).unwrap().unwrap();
    assert_eq!(cmd.text, b"echo a");
    assert!(p.next_command(&NoAliases).unwrap().is_none());
}

fn parse_bash(s: &str) -> String {
    match crate::syntax::parse_all_in(s.as_bytes(), true) {
        Ok(l) => show_list(&l),
        Err(e) => panic!("{s:?}: {e:?}"),
    }
}

fn err_bash(s: &str) -> String {
    match crate::syntax::parse_all_in(s.as_bytes(), true) {
        Ok(l) => panic!("{s:?} parsed: {}", show_list(&l)),
        Err(ParseError::Syntax(e)) => e.message,
        Err(e) => panic!("{s:?}: {e:?}"),
    }
}

#[test]
fn bash_ansi_c_and_locale_strings() {
    assert_eq!(
        parse_bash(r"echo $'a\tb' $'it\'s'"),
        "[echo] ['a\tb'] ['it's'];"
    );
    assert_eq!(parse_bash("echo $\"x $y\""), "[echo] [\"'x '$<y>\"];");
    // Inside double quotes and in posix mode, `$'` is a dollar and a quote.
    assert_eq!(parse_bash("echo \"$'x'\""), "[echo] [\"'$'x''\"];");
    assert_eq!(show_list(&parse("echo $'x'")), "[echo] [$'x'];");
    assert_eq!(
        err_bash("echo $'abc"),
        "unexpected EOF while looking for matching `''"
    );
}

#[test]
fn bash_arithmetic_commands() {
    assert_eq!(parse_bash("((x = 1 + 2))"), "(( ['x = 1 + 2'] ));");
    assert_eq!(parse_bash("(( (a) ))"), "(( [' (a) '] ));");
    assert_eq!(
        parse_bash("for ((i=0; i<3; i++)); do echo $i; done"),
        "for (( ['i=0']; [' i<3']; [' i++'] )) do [echo] [$<i>]; done;"
    );
    assert_eq!(
        parse_bash("for ((;;)) { break; }"),
        "for (( []; []; [] )) do [break]; done;"
    );
    // In posix mode `((` is two subshells.
    assert_eq!(show_list(&parse("((true))")), "( ( [true]; ); );");
    // `( (` with a blank is two subshells in bash mode too.
    assert_eq!(parse_bash("( (true) )"), "( ( [true]; ); );");
    assert!(err_bash("for ((i=0; i<3)); do :; done")
        .ends_with("arithmetic expression required\nsyntax error: `((i=0; i<3))'"));
}

#[test]
fn bash_conditional_command() {
    assert_eq!(
        parse_bash("[[ -f a && $x == b* || ! y < z ]]"),
        "[[ ((-f [a] && [$<x>] == [b*]) || ! [y] < [z]) ]];"
    );
    assert_eq!(parse_bash("[[ ( a ) ]] > f"), "[[ [a] ]] >[f];");
}

#[test]
fn bash_conditional_errors() {
    assert!(err_bash("[[ -f ]]").contains("unary operator"));
    assert!(err_bash("[[ a b ]]").contains("binary operator expected"));
    assert!(err_bash("[[ a ==").contains("unexpected argument `newline' to conditional binary"));
    assert!(err_bash("[[ a == b").contains("unexpected EOF while looking for `]]'"));
    assert!(err_bash("[[ a &&").contains("unexpected token `EOF' in conditional command"));
    assert!(err_bash("[[ ( a -o b ) ]]").ends_with("operator expected\nexpected `)'"));
    assert!(err_bash("[[ ( a ]]").contains("unexpected token `]]', expected `)'"));
    assert!(err_bash("[[ a == ( ]]").contains("unexpected argument `(' to conditional binary"));
}

#[test]
fn bash_function_keyword() {
    assert_eq!(parse_bash("function f { :; }"), "f() { [:]; };");
    assert_eq!(parse_bash("function f() { :; }"), "f() { [:]; };");
    assert_eq!(parse_bash("function f\n{ :; }"), "f() { [:]; };");
    assert_eq!(parse_bash("function f ( : )"), "f() ( [:]; );");
    assert_eq!(parse_bash("echo function"), "[echo] [function];");
    assert_eq!(show_list(&parse("function f")), "[function] [f];");
    // A quoted name or one with expansions is refused when the definition runs (bash).
    assert_eq!(parse_bash("function 'f' { :; }"), "'f'() { [:]; };");
    // Outside posix mode a name is any plain word; dash's rule holds in posix mode.
    assert_eq!(parse_bash("my-f.x() { :; }"), "my-f.x() { [:]; };");
    assert_eq!(parse_bash("function set { :; }"), "set() { [:]; };");
    assert_eq!(parse_bash("f$x() { :; }"), "f$x() { [:]; };");
    assert!(crate::syntax::parse_all(b"my-f() { :; }").is_err());
}

#[test]
fn bash_redirections() {
    assert_eq!(parse_bash("cat <<< $x"), "[cat] <<[$<x>'\\n'];");
    assert_eq!(parse_bash("cat 3<<<w"), "[cat] 3<<[w'\\n'];");
    assert_eq!(parse_bash("f &> o"), "[f] >[o] 2>&[1];");
    assert_eq!(parse_bash("f &>> o"), "[f] >>[o] 2>&[1];");
    assert_eq!(parse_bash("a >x |& b"), "[a] >[x] 2>&[1] | [b];");
    assert_eq!(parse_bash("{ a; } |& b"), "{ [a]; } 2>&[1] | [b];");
    // In posix mode they are what dash reads.
    assert_eq!(show_list(&parse("a &> o")), "[a] & >[o];");
    assert!(matches!(
        parse_all(b"cat <<< x"),
        Err(ParseError::Syntax(_))
    ));
}

#[test]
fn bash_descriptor_variables_and_numbers() {
    assert_eq!(parse_bash("exec {fd}>f"), "[exec] {fd}>[f];");
    assert_eq!(parse_bash("exec {fd}>&-"), "[exec] {fd}>&[-];");
    assert_eq!(parse_bash("cat {in}<f 12>g"), "[cat] {in}<[f] 12>[g];");
    // Not a name, or not just before the operator: a word.
    assert_eq!(
        parse_bash("echo {1x}>f {fd} >g"),
        "[echo] [{1x}] [{fd}] >[f] >[g];"
    );
    // In posix mode they are what dash reads.
    assert_eq!(show_list(&parse("exec {fd}>f")), "[exec] [{fd}] >[f];");
    assert_eq!(show_list(&parse("echo 12>f")), "[echo] [12] >[f];");
}

#[test]
fn bash_coprocesses() {
    assert_eq!(parse_bash("coproc cat f"), "coproc COPROC [cat] [f];");
    assert_eq!(parse_bash("coproc N { cat; }"), "coproc N { [cat]; };");
    assert_eq!(parse_bash("coproc ( cat )"), "coproc COPROC ( [cat]; );");
    assert_eq!(parse_bash("coproc N cat"), "coproc COPROC [N] [cat];");
    assert_eq!(
        parse_bash("coproc while x; do y; done"),
        "coproc COPROC while [x]; do [y]; done;"
    );
    assert_eq!(show_list(&parse("coproc cat")), "[coproc] [cat];");
}

#[test]
fn bash_parameter_operations() {
    assert_eq!(
        parse_bash("echo ${x/a*/b} ${x//'/'/-} ${x/#p} ${x/%s/$y}"),
        "[echo] [$<x/First/a*/b>] [$<x/All/'/'/->] [$<x/Prefix/p/>] [$<x/Suffix/s/$<y>>];"
    );
    assert_eq!(
        parse_bash("echo ${x:1} ${x: -2:n+1} ${x:(1):$l}"),
        "[echo] [$<x:'1':>] [$<x:' -2':'n+1'>] [$<x:'(1)':$<l>>];"
    );
    assert_eq!(
        parse_bash("echo ${x^} ${x^^[a-c]} ${x,} ${x,,}"),
        "[echo] [$<x^>] [$<x^^[a-c]>] [$<x,>] [$<x,,>];"
    );
    assert_eq!(
        parse_bash("echo ${x@Q} ${!x} ${!x:-d} ${!pre*} ${!pre@} ${!}"),
        "[echo] [$<x@Q>] [$<!x>] [$<!x:-d>] [$<!pre*>] [$<!pre@>] [$<!>];"
    );
    // bash reads it, and fails when it is expanded.
    assert_eq!(parse_bash("echo ${x@Z}"), "[echo] [$<bad x@Z>];");
    // In posix mode they are dash's bad substitutions.
    for posix in ["echo ${x/a/b}", "echo ${x:1}", "echo ${x^}", "echo ${x@Q}"] {
        assert!(parse_all(posix.as_bytes()).is_err(), "{posix}");
    }
}

#[test]
fn bash_subscripts_with_blanks_where_an_assignment_stands() {
    assert_eq!(parse_bash("a[1 + 2]=x"), "a{[1 + 2]}=[x];");
    assert_eq!(parse_bash("x=1 b[2 * 3]=y"), "x=[1] b{[2 * 3]}=[y];");
    assert_eq!(
        parse_bash("if :; then c[1 + 1]=q; fi"),
        "if [:]; then c{[1 + 1]}=[q]; fi;"
    );
    // An argument is split at blanks as any word.
    assert_eq!(parse_bash("echo x d[1 2]"), "[echo] [x] [d[1] [2]];");
    // Posix mode reads `a[1` as a word.
    assert_eq!(show_list(&parse("a[1 + 2]=x")), "[a[1] [+] [2]=x];");
}

#[test]
fn bash_compound_assignment_then_more_word_is_a_string() {
    assert_eq!(parse_bash("a=(1 2)"), "a=([1] [2]);");
    // The word goes on after `)`: one assignment of a string whose text holds the elements.
    let shown = parse_bash("a=(1 2)x");
    assert!(!shown.contains("a=(["), "{shown}");
    assert!(shown.contains('x'), "{shown}");
    let shown = parse_bash("let x=(1+2)*3");
    assert!(shown.starts_with("[let] ["), "{shown}");
    assert!(shown.ends_with("*3];"), "{shown}");
    // An operator after `)` ends the word as before.
    assert!(err_bash("a=(1 2)(3)").contains("unexpected token `('"));
}
