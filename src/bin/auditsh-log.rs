//! `auditsh-log`: argv → `auditsh::auditsh_log::main`.

fn main() {
    std::process::exit(auditsh::auditsh_log::main(std::env::args_os()));
}
