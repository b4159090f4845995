//! `auditsh-log key`: the host's record key (`audit::mac`).
//!
//! `key init` creates it: a random key for today, written twice — the host's state file, which
//! the shell reads and brings forward each day, and the verification key (the same seed), which
//! belongs off the host with the security team. An existing file is never overwritten without
//! `--force`: the verification key is the only thing that checks the records sealed under it.

use super::{error, EXIT_ERROR, EXIT_OK};
use crate::audit::{clock, mac};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Create the host's record key: the state file and the verification key.
    ///
    /// The shell reads the state file; keep the verification key off this host: it checks
    /// every day's records from today on. Run as root by install.sh, which then gives the state file to the auditsh account.
    /// Exit status: 0 created, 2 a file exists (without --force) or cannot be written.
    Init(InitArgs),
    /// Bring the host's state file forward to today (earlier days' key erased from it).
    ///
    /// The first session of a day does this; run it daily (install.sh installs an hourly
    /// cron job where there is cron) so that a day without sessions does not leave an earlier
    /// day's key on the disk.
    ///
    /// Exit status: 0 done (or nothing to do), 2 the state cannot be read or written.
    Evolve(EvolveArgs),
}

#[derive(Debug, clap::Args)]
pub struct EvolveArgs {
    /// The host's key state file (its owner and mode are kept)
    #[arg(long, value_name = "FILE", default_value = mac::INSTALLED_STATE_FILE)]
    pub state: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The host's key state file (mode 0600)
    #[arg(long, value_name = "FILE", default_value = mac::INSTALLED_STATE_FILE)]
    pub state: PathBuf,

    /// Where to write the verification key (mode 0400)
    #[arg(long = "verify-key", value_name = "FILE", default_value = mac::INSTALLED_VERIFY_KEY)]
    pub verify_key: PathBuf,

    /// Replace existing files (records sealed under the old key can then be checked only
    /// with its verification key, if a copy of it is kept)
    #[arg(long)]
    pub force: bool,
}

/// Run `key`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    match &args.command {
        KeyCommand::Init(a) => init(a),
        KeyCommand::Evolve(a) => evolve(a),
    }
}

fn init(a: &InitArgs) -> i32 {
    if a.state == a.verify_key {
        error("key init: --state and --verify-key must be two files");
        return EXIT_ERROR;
    }
    if !a.force {
        for path in [&a.state, &a.verify_key] {
            if path.symlink_metadata().is_ok() {
                error(&format!(
                    "key init: {} exists: not replaced (--force replaces it; records sealed under the old key are then checked only with its verification key)",
                    path.display()
                ));
                return EXIT_ERROR;
            }
        }
    }
    let today = mac::day_of(clock::realtime().0);
    let key = match mac::Key::generate(today) {
        Ok(k) => k,
        Err(e) => {
            error(&format!(
                "key init: no random bytes for a key: {}",
                crate::sys::errno::io_text(&e)
            ));
            return EXIT_ERROR;
        }
    };
    // The verification key first: a state file without one would seal records nobody can
    // check from the start.
    let written = if a.force {
        key.replace_file(&a.verify_key, 0o400)
            .and_then(|()| key.replace_file(&a.state, 0o600))
    } else {
        key.create_file(&a.verify_key, 0o400)
            .and_then(|()| key.create_file(&a.state, 0o600))
    };
    if let Err(e) = written {
        error(&format!("key init: {e}"));
        return EXIT_ERROR;
    }
    let _ = writeln!(
        std::io::stdout(),
        "auditsh-log: created the record key of {} (epoch {today}): state {}, verification key {} (keep a copy off this host)",
        mac::date_of(today),
        a.state.display(),
        a.verify_key.display()
    );
    EXIT_OK
}

fn evolve(a: &EvolveArgs) -> i32 {
    use std::os::unix::fs::MetadataExt;
    let mut key = match mac::Key::read(&a.state, false) {
        Ok(k) => k,
        Err(e) => {
            error(&format!("key evolve: {e}"));
            return EXIT_ERROR;
        }
    };
    let today = mac::day_of(clock::realtime().0);
    if key.epoch() >= today {
        return EXIT_OK;
    }
    let meta = match a.state.symlink_metadata() {
        Ok(m) => m,
        Err(e) => {
            error(&format!(
                "key evolve: {}: {}",
                a.state.display(),
                crate::sys::errno::io_text(&e)
            ));
            return EXIT_ERROR;
        }
    };
    key.evolve_to(today);
    match key.replace_file_owned(&a.state, 0o600, meta.uid(), meta.gid()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            error(&format!("key evolve: {e}"));
            EXIT_ERROR
        }
    }
}
