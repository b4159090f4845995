//! The audit trail: records (schema in `record`), the hash chain, the spool and syslog sinks,
//! and the session that ties them together. Knows nothing of the shell language: it is told
//! what is about to run and what happened.

use std::os::unix::io::RawFd;

/// How the shell reads its commands (`auditsh.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Interactive,
    Command,
    Script,
    Stdin,
}

/// Why a session ended (`auditsh.end_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Exit,
    Eof,
    Exec,
    Hangup,
    Error,
}

/// What the session records when it starts.
pub struct StartInfo<'a> {
    pub mode: Mode,
    pub login: bool,
    /// The shell's own argv.
    pub args: &'a [Vec<u8>],
}

/// A command line being run: the `event.id` its records refer to, and when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandId {
    pub sequence: u64,
    pub started_ns: u64,
}

/// A record that no required sink accepted under `on_failure = "refuse"`: the command must not
/// run. `message` says why, in one line, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub message: String,
}

/// Where a command came from, for records of startup files: (file, line).
pub type Origin<'a> = Option<(&'a [u8], u32)>;

/// One shell session's audit state.
pub struct Session {}

impl Session {
    /// Read the config, open the sinks, write `session-start`. Never fails: a sink that cannot
    /// be opened is an audit failure handled by the failure policy.
    pub fn start(info: StartInfo<'_>) -> Session {
        let _ = info;
        Session {}
    }

    /// A session that records nothing (unit tests of other modules).
    pub fn disabled() -> Session {
        Session {}
    }

    /// A command line is about to run. `script` is (path, contents) in script mode.
    pub fn command_start(
        &mut self,
        text: &[u8],
        cwd: &[u8],
        script: Option<(&[u8], &[u8])>,
    ) -> Result<CommandId, Denied> {
        let _ = (text, cwd, script);
        Ok(CommandId {
            sequence: 0,
            started_ns: 0,
        })
    }

    /// That command line finished with `exit_code` (or was killed by `signal`).
    pub fn command_end(&mut self, id: CommandId, exit_code: i32, signal: Option<i32>) {
        let _ = (id, exit_code, signal);
    }

    /// An external program is about to start: `executable` is the resolved path, `argv` its
    /// arguments (argv[0] included).
    pub fn exec(
        &mut self,
        executable: &[u8],
        argv: &[Vec<u8>],
        cwd: &[u8],
        origin: Origin<'_>,
    ) -> Result<(), Denied> {
        let _ = (executable, argv, cwd, origin);
        Ok(())
    }

    /// The session ends. Written once, by the process that started the session (never by a
    /// forked child).
    pub fn end(&mut self, exit_code: Option<i32>, reason: EndReason) {
        let _ = (exit_code, reason);
    }

    /// Called in a forked child: it may write records (continuing the session's sequence and
    /// chain) but never `session-end`.
    pub fn after_fork(&mut self) {}

    /// Descriptors the shell holds for the audit: user redirections may not name them.
    pub fn owned_fds(&self) -> Vec<RawFd> {
        Vec::new()
    }

    /// The system rc file the config names, read before any user startup file.
    pub fn system_rc(&self) -> Option<&[u8]> {
        None
    }
}
