//! Traps (XCU 2.14, trap): actions for signals and EXIT.

/// The trap table.
#[derive(Debug, Default)]
pub struct Traps {}
