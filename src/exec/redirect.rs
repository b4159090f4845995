//! Redirections (XCU 2.7).
