//! Differential tests: every case in `tests/diff/*.cases` runs under dash
//! (the reference) and under auditsh; stdout, exit status and, where the case
//! asks for it, stderr must be identical, except where a case says auditsh
//! differs on purpose (`#! differs`) and what it gives instead (`#! expect...`).
//! See `tests/diffsupport/mod.rs` for the case file format.
//!
//! One area:        cargo test --test differential quoting
//! Some cases:      DIFF_FILTER=heredoc cargo test --test differential
//! Against a shell: DIFF_SHELL=/usr/bin/dash cargo test --test differential

mod common;
mod diffsupport;

macro_rules! areas {
    ($($area:ident),* $(,)?) => {
        $(
            #[test]
            fn $area() {
                diffsupport::run_area_in(&diffsupport::DASH_SUITE, stringify!($area));
            }
        )*

        const AREAS: &[&str] = &[$(stringify!($area)),*];
    };
}

areas!(
    quoting,
    params,
    special_params,
    cmdsubst,
    arith,
    tilde_split,
    glob,
    redir,
    heredoc,
    simple,
    compound,
    functions_alias,
    set_e,
    status,
    errors,
    error_streams,
    echo_printf,
    test_builtin,
    read_getopts,
    vars_builtins,
    dirs_builtins,
    misc_builtins,
    trap_signals,
    invocation,
);

#[test]
fn every_case_file_has_a_test() {
    diffsupport::check_areas(&diffsupport::DASH_SUITE, AREAS);
}

#[test]
fn case_file_parser() {
    let text = "header\n### one\n#! stderr\n#! args: a b\n#! stdin: x\\ny\n#! mode: script\n#! flags: -e -u\necho 1\n\necho 2\n\n### two\necho $1\n";
    let cases = diffsupport::parse_cases("t", text).unwrap();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].name, "one");
    assert!(cases[0].compare_stderr);
    assert_eq!(cases[0].args, ["a", "b"]);
    assert_eq!(cases[0].stdin.as_deref(), Some(&b"x\ny"[..]));
    assert_eq!(cases[0].mode, diffsupport::Mode::Script);
    assert_eq!(cases[0].flags, ["-e", "-u"]);
    assert_eq!(cases[0].body, "echo 1\n\necho 2");
    assert_eq!(cases[1].body, "echo $1");
    assert_eq!(cases[1].line, 12);
    assert!(diffsupport::parse_cases("t", "### a\necho\n### a\necho\n").is_err());
    assert!(diffsupport::parse_cases("t", "### a\n#! bogus\necho\n").is_err());
    assert!(cases.iter().all(|c| c.differs.is_none()));
}

#[test]
fn case_file_parser_deliberate_differences() {
    let text = "### d\n#! mode: pipe\n#! differs: on purpose\n#! expect: a\\tb\\n\n#! expect-stderr: e\\n\n#! expect-status: 3\necho\n";
    let cases = diffsupport::parse_cases("t", text).unwrap();
    let c = &cases[0];
    assert_eq!(c.mode, diffsupport::Mode::Pipe);
    assert_eq!(c.differs.as_deref(), Some("on purpose"));
    assert_eq!(c.expect_stdout.as_deref(), Some(&b"a\tb\n"[..]));
    assert_eq!(c.expect_stderr.as_deref(), Some(&b"e\n"[..]));
    assert_eq!(c.expect_status.as_deref(), Some("exit 3"));
    assert_eq!(c.body, "echo");
    // An empty expectation is empty output.
    let c = &diffsupport::parse_cases("t", "### e\n#! differs: x\n#! expect:\necho\n").unwrap()[0];
    assert_eq!(c.expect_stdout.as_deref(), Some(&b""[..]));
    // A reason without an expectation, an expectation without a reason, a status that is not
    // one: errors.
    for bad in [
        "### a\n#! differs: why\necho\n",
        "### a\n#! expect: x\necho\n",
        "### a\n#! differs:\n#! expect: x\necho\n",
        "### a\n#! differs: why\n#! expect-status: two\necho\n",
    ] {
        assert!(diffsupport::parse_cases("t", bad).is_err(), "{bad:?}");
    }
}
