//! The bash differential suite: every case in `tests/bash/*.cases` runs under bash (the
//! reference for the bash language) and under auditsh in its default mode (started as
//! `auditsh`, not `sh`); stdout, exit status and, where the case asks for it, stderr must be
//! identical, except where a case says auditsh differs on purpose. Same case format and
//! engine as the dash suite (`tests/diffsupport/mod.rs`). Messages name the shell
//! (`bash: line 1:` against `auditsh: 1:`), so cases compare stderr only where it means
//! something.
//!
//! One area:   cargo test --test bash_differential brace
//! Some cases: DIFF_FILTER=nested cargo test --test bash_differential

mod common;
mod diffsupport;

use diffsupport::BASH_SUITE;

/// bash must be there; without it the suite is skipped, or fails under AUDITSH_E2E=required.
fn have_bash(area: &str) -> bool {
    if std::path::Path::new(BASH_SUITE.path).exists() {
        return true;
    }
    common::skip(
        &format!("bash_differential::{area}"),
        &format!("{} is not installed", BASH_SUITE.path),
    );
    false
}

macro_rules! areas {
    ($($area:ident),* $(,)?) => {
        $(
            #[test]
            fn $area() {
                if have_bash(stringify!($area)) {
                    diffsupport::run_area_in(&BASH_SUITE, stringify!($area));
                }
            }
        )*

        const AREAS: &[&str] = &[$(stringify!($area)),*];
    };
}

areas!(
    mode, ansi_c, brace, arith, cond, functions, redir, params, arrays, read, procsubst, misc,
    printf, glob, shopt, builtins, traps, errors, chars, complete
);

#[test]
fn every_case_file_has_a_test() {
    diffsupport::check_areas(&BASH_SUITE, AREAS);
}
