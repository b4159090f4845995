//! `auditsh-log`: argv → `auditsh::log::main`.

fn main() {
    std::process::exit(auditsh::log::main(std::env::args_os()));
}
