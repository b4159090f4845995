//! Arbitrary bytes through the parser: it must never panic, overflow its stack or hang.
#![no_main]

use auditsh::syntax::parser::parse_assignment;
use auditsh::syntax::{parse_all, parse_all_in, Aliases, BytesSource, Parser};
use libfuzzer_sys::fuzz_target;

/// A few aliases, including ones that refer to each other and end in blanks.
struct Table;

impl Aliases for Table {
    fn alias(&self, name: &[u8]) -> Option<&[u8]> {
        match name {
            b"ll" => Some(b"ls -l "),
            b"a" => Some(b"b "),
            b"b" => Some(b"a"),
            b"p" => Some(b"( echo "),
            b"i" => Some(b"if true; then echo\n"),
            _ => None,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = parse_all(data);
    // The bash language too: `[[ ]]`, `(( ))`, `$'...'`, `function`, `<<<`, `${x/p/r}`...
    let _ = parse_all_in(data, true);
    // A quoted operand of `declare` read as the assignment it spells (`'a=(1 2)'`, `'m[k]=v'`).
    let _ = parse_assignment(data);
    let mut parser = Parser::new(Box::new(BytesSource::new(data)), 1);
    parser.set_bash(data.first().is_some_and(|b| b & 1 == 1));
    // Each call consumes at least one line or fails; bound the loop anyway.
    for _ in 0..=data.len() {
        match parser.next_command(&Table) {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => parser.recover(),
        }
    }
});
