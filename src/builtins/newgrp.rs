//! `newgrp`: replaces the shell with the system's newgrp program (which is setuid), through
//! the one exec path, so it is recorded like any program.

use crate::exec::{Context, ExecResult};
use crate::state::Shell;

pub fn newgrp(sh: &mut Shell, args: &[Vec<u8>], cx: Context) -> ExecResult {
    let mut argv = vec![b"exec".to_vec(), b"newgrp".to_vec()];
    argv.extend_from_slice(&args[1..]);
    super::exec::exec(sh, &argv, cx)
}
