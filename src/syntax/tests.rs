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
                Param::Positional(n) => n.to_string(),
                Param::Special(c) => (*c as char).to_string(),
            };
            let c = |colon: &bool| if *colon { ":" } else { "" };
            match &pe.op {
                ParamOp::Plain => format!("$<{name}>"),
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
            }
        }
        WordPart::CommandSubst(l) => format!("$({})", show_list(l)),
        WordPart::Arith(w) => format!("$(({}))", show_parts(&w.parts)),
    }
}

fn show_word(w: &Word) -> String {
    format!("[{}]", show_parts(&w.parts))
}

fn show_words(ws: &[Word]) -> String {
    ws.iter().map(show_word).collect::<Vec<_>>().join(" ")
}

fn show_redirect(r: &Redirect) -> String {
    let fd = r.fd.map(|f| f.to_string()).unwrap_or_default();
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
                .map(|a| format!("{}={}", text(&a.name), show_word(&a.value)))
                .collect();
            out.extend(s.words.iter().map(show_word));
            out.extend(s.redirects.iter().map(show_redirect));
            out.join(" ")
        }
        Command::Compound(cc, redirects, _) => {
            let mut s = match cc {
                CompoundCommand::BraceGroup(l) => format!("{{ {} }}", show_list(l)),
                CompoundCommand::Subshell(l) => format!("( {} )", show_list(l)),
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
                                if a.fallthrough { ";&" } else { ";;" }
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

#[test]
fn long_lines_parse_in_linear_time() {
    let start = std::time::Instant::now();
    let words = "abcdefg ".repeat(125_000); // 1 MB
    let l = parse(&format!("echo {words}"));
    assert_eq!(l.items.len(), 1);
    let quoted = format!(
        "echo '{}' \"{}\" {}",
        "x".repeat(1 << 20),
        "y$z".repeat(300_000),
        "a\\ ".repeat(300_000)
    );
    parse(&quoted);
    let many = "a;".repeat(300_000);
    assert_eq!(parse(&many).items.len(), 300_000);
    let doc = format!("cat <<EOF\n{}EOF\n", "line $x\n".repeat(100_000));
    parse(&doc);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}
