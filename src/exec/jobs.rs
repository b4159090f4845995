//! Jobs: background and stopped process groups, `$!`, `wait`, `jobs`, `fg`, `bg`.

/// The job table.
#[derive(Debug, Default)]
pub struct Jobs {}
