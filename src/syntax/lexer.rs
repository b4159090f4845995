//! Tokens (XCU 2.3): operators, words with their quoting, here-document bodies.
