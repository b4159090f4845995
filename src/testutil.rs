//! Helpers of the unit tests, and of the integration tests (tests/common includes this file):
//! dash, the reference the shell's behaviour is compared with, and temporary directories.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The reference every comparison of the shell's behaviour is made against.
pub const DASH: &str = "/usr/bin/dash";

/// `dash -c SCRIPT sh ARGS...`, to be set up and run. It inherits the test's environment and
/// working directory; its standard input is empty unless given.
pub struct Dash {
    cmd: Command,
    input: Option<Vec<u8>>,
}

pub fn dash(script: impl AsRef<OsStr>) -> Dash {
    let mut cmd = Command::new(DASH);
    cmd.arg("-c").arg(script).arg("sh");
    Dash { cmd, input: None }
}

impl Dash {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Dash {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Dash
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Arguments given as bytes (they need not be UTF-8).
    pub fn byte_args<'a>(self, args: impl IntoIterator<Item = &'a [u8]>) -> Dash {
        use std::os::unix::ffi::OsStrExt;
        self.args(args.into_iter().map(OsStr::from_bytes))
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Dash {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Dash {
        self.cmd.current_dir(dir);
        self
    }

    /// `input` on its standard input.
    pub fn stdin(mut self, input: &[u8]) -> Dash {
        self.input = Some(input.to_vec());
        self
    }

    /// Run it to its end: its output, or None when dash cannot be run here (a comparison
    /// then has nothing to compare with).
    pub fn run(self) -> Option<Output> {
        output_with_input(self.cmd, self.input.as_deref()).ok()
    }
}

/// Run `cmd` to its end, its output captured, with `input` on its standard input: written
/// while it runs, so that neither waits for the other whatever the sizes.
pub fn output_with_input(mut cmd: Command, input: Option<&[u8]>) -> std::io::Result<Output> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let Some(input) = input else {
        return cmd.output();
    };
    let mut child = cmd.stdin(Stdio::piped()).spawn()?;
    let mut pipe = child.stdin.take().expect("a pipe to the program's stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output();
    let _ = writer.join();
    out
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A new directory of its own under the (canonical) temp directory, removed when dropped, or
/// kept and named when the test fails.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// `auditsh-TAG-PID-N-NANOS`: no other test of this run or another uses it. The numbers
    /// have a fixed width, so that two directories of one run have names of the same length
    /// (the differential suite compares `${#PWD}` and the like across them).
    pub fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let tmp = std::env::temp_dir();
        let path = std::fs::canonicalize(&tmp).unwrap_or(tmp).join(format!(
            "auditsh-{tag}-{:08}-{:06}-{nanos:020}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, p: impl AsRef<Path>) -> PathBuf {
        self.path.join(p)
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test files kept in {}", self.path.display());
            return;
        }
        // A test may have taken the permissions away from a directory of its own.
        fn unlock(dir: &Path) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    unlock(&e.path());
                }
            }
        }
        unlock(&self.path);
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The record schema (`schema/record.schema.json`), compiled once.
fn record_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = include_str!("../schema/record.schema.json");
        let schema: serde_json::Value = serde_json::from_str(text).expect("the schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

/// Check one record against the record schema; panics with every violation and the record.
pub fn check_record(record: &serde_json::Value) {
    let errors: Vec<String> = record_schema()
        .iter_errors(record)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "record does not follow schema/record.schema.json:\n  {}\n{record}",
        errors.join("\n  ")
    );
}

/// Parse a record line and check it against the schema.
pub fn checked_record(line: &[u8]) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(line)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(line)));
    check_record(&v);
    v
}
