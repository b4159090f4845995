//! auditsh: argv in, the shell runs; see `toplevel`.

fn main() {
    use std::os::unix::ffi::OsStringExt;
    let argv: Vec<Vec<u8>> = std::env::args_os().map(OsStringExt::into_vec).collect();
    auditsh::toplevel::main(argv)
}
