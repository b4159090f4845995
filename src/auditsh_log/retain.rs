//! `auditsh-log retain`: the config's `[retention]` applied to a spool.
//!
//! The spool is `DIR/YYYY-MM-DD/SESSION.jsonl`, a session's file in the directory of the UTC
//! day the session started. A session that runs past midnight keeps writing there, so a file's
//! day says when it was opened, not when it was last written: a file is only compressed or
//! deleted when no process holds it open (every process's descriptors are looked at, which
//! needs root for the installed spool). A file nobody holds open is never written again: a
//! session's file name is its own, and only the processes of that session (which inherit the
//! descriptor) write it.
//!
//! Compressing writes `.SESSION.jsonl.gz.tmp` beside the file (hidden: readers pass over it),
//! with the file's owner and mode, syncs it, renames it to `SESSION.jsonl.gz` and only then
//! removes the plain file; a run that dies half-way leaves a hidden temporary file, which the
//! next run removes.

use super::{error, EXIT_ERROR, EXIT_OK};
use crate::config::{self, Config, RetentionConfig};
use flate2::write::GzEncoder;
use std::collections::HashSet;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Say what would be done; change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Gzip files whose day is at least DAYS days back (default: the config's
    /// [retention] compress_after_days; 0: never)
    #[arg(long, value_name = "DAYS")]
    pub compress_after: Option<u32>,

    /// Delete files whose day is at least DAYS days back (default: the config's
    /// [retention] delete_after_days; 0: never)
    #[arg(long, value_name = "DAYS")]
    pub delete_after: Option<u32>,

    /// The config file whose [retention] and [spool] dir apply
    #[arg(long, value_name = "FILE", default_value = config::SYSTEM_CONFIG)]
    pub config: PathBuf,

    /// The spool directory (default: the config's [spool] dir, else the installed spool
    /// when this auditsh-log is the installed one, else the development spool)
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// What one run does, and to which files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Compress(PathBuf),
    Delete(PathBuf),
    /// A day directory left empty.
    RemoveDir(PathBuf),
    /// A file due for compression or deletion that a process holds open.
    KeepOpen(PathBuf),
}

/// Run `retain`; returns the exit status.
pub fn run(args: &Args) -> i32 {
    let config = match Config::load(&args.config) {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            error(&format!("retain: {e}"));
            return EXIT_ERROR;
        }
    };
    let policy = RetentionConfig {
        compress_after_days: args
            .compress_after
            .unwrap_or(config.retention.compress_after_days),
        delete_after_days: args
            .delete_after
            .unwrap_or(config.retention.delete_after_days),
    };
    let dir = match args.dir.clone().or(config.spool.dir) {
        Some(d) => d,
        None => match super::input::default_spool_dir() {
            Ok(d) => d,
            Err(e) => {
                error(&format!("retain: {e}"));
                return EXIT_ERROR;
            }
        },
    };
    if policy.compress_after_days == 0 && policy.delete_after_days == 0 {
        return EXIT_OK;
    }
    let open = match open_files() {
        Ok(o) => o,
        Err(e) => {
            error(&format!("retain: {e}"));
            return EXIT_ERROR;
        }
    };
    let today = days_since_epoch_now();
    let mut out = io::stdout().lock();
    let mut failed = false;
    let verb = |a: &Action| match (a, args.dry_run) {
        (Action::Compress(p), false) => format!("compressed {}", p.display()),
        (Action::Compress(p), true) => format!("would compress {}", p.display()),
        (Action::Delete(p), false) => format!("deleted {}", p.display()),
        (Action::Delete(p), true) => format!("would delete {}", p.display()),
        (Action::RemoveDir(p), false) => format!("removed {}", p.display()),
        (Action::RemoveDir(p), true) => format!("would remove {}", p.display()),
        (Action::KeepOpen(p), _) => format!("kept {} (a process holds it open)", p.display()),
    };
    let result = apply(
        &dir,
        &policy,
        today,
        &|m| open.contains(&(m.dev(), m.ino())),
        args.dry_run,
        &mut |r| match r {
            Ok(a) => {
                let _ = writeln!(out, "{}", verb(&a));
            }
            Err(e) => {
                failed = true;
                error(&format!("retain: {e}"));
            }
        },
    );
    if let Err(e) = result {
        error(&format!("retain: {}: {e}", dir.display()));
        return EXIT_ERROR;
    }
    if failed {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

/// Apply `policy` to the spool `dir` on day `today` (days since 1970-01-01, UTC). `is_open`
/// says whether a process holds a file open. Each action (or a file's error) is reported to
/// `report` as it happens; the result is an error only when `dir` itself cannot be read.
pub fn apply(
    dir: &Path,
    policy: &RetentionConfig,
    today: i64,
    is_open: &dyn Fn(&std::fs::Metadata) -> bool,
    dry_run: bool,
    report: &mut dyn FnMut(Result<Action, String>),
) -> io::Result<()> {
    let mut days = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(day) = name.to_str().and_then(day_of_directory) else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            days.push((day, entry.path()));
        }
    }
    days.sort();
    for (day, path) in days {
        if is_due(today, day, policy.delete_after_days) {
            delete_day(&path, is_open, dry_run, report);
        } else if is_due(today, day, policy.compress_after_days) {
            compress_day(&path, is_open, dry_run, report);
        }
    }
    Ok(())
}

/// Whether `day` is `after` or more days before `today` (`after` 0: never).
fn is_due(today: i64, day: i64, after: u32) -> bool {
    after > 0 && today - day >= i64::from(after)
}

/// The entries of a day directory, sorted, with their metadata (not following links).
fn entries(
    day: &Path,
    report: &mut dyn FnMut(Result<Action, String>),
) -> Vec<(PathBuf, std::fs::Metadata)> {
    let read = match std::fs::read_dir(day) {
        Ok(r) => r,
        Err(e) => {
            report(Err(format!("{}: {}", day.display(), io_text(&e))));
            return Vec::new();
        }
    };
    let mut out: Vec<_> = read
        .filter_map(Result::ok)
        .filter_map(|e| e.path().symlink_metadata().ok().map(|m| (e.path(), m)))
        .filter(|(_, m)| m.is_file())
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn delete_day(
    day: &Path,
    is_open: &dyn Fn(&std::fs::Metadata) -> bool,
    dry_run: bool,
    report: &mut dyn FnMut(Result<Action, String>),
) {
    let mut kept = false;
    for (path, meta) in entries(day, report) {
        if is_open(&meta) {
            kept = true;
            report(Ok(Action::KeepOpen(path)));
            continue;
        }
        if dry_run {
            report(Ok(Action::Delete(path)));
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => report(Ok(Action::Delete(path))),
            Err(e) => {
                kept = true;
                report(Err(format!("{}: {}", path.display(), io_text(&e))));
            }
        }
    }
    if kept {
        return;
    }
    if dry_run {
        report(Ok(Action::RemoveDir(day.to_path_buf())));
        return;
    }
    // Something else (a directory) left in it keeps it; that is not retention's to remove.
    match std::fs::remove_dir(day) {
        Ok(()) => report(Ok(Action::RemoveDir(day.to_path_buf()))),
        Err(e) if e.raw_os_error() == Some(libc::ENOTEMPTY) => {}
        Err(e) => report(Err(format!("{}: {}", day.display(), io_text(&e)))),
    }
}

fn compress_day(
    day: &Path,
    is_open: &dyn Fn(&std::fs::Metadata) -> bool,
    dry_run: bool,
    report: &mut dyn FnMut(Result<Action, String>),
) {
    for (path, meta) in entries(day, report) {
        let name = path
            .file_name()
            .map(|n| n.as_encoded_bytes())
            .unwrap_or(b"");
        if name.starts_with(b".") && name.ends_with(b".jsonl.gz.tmp") {
            // An earlier run's unfinished output.
            if !dry_run && !is_open(&meta) {
                let _ = std::fs::remove_file(&path);
            }
            continue;
        }
        if name.starts_with(b".") || !name.ends_with(b".jsonl") {
            continue;
        }
        if is_open(&meta) {
            report(Ok(Action::KeepOpen(path)));
            continue;
        }
        if dry_run {
            report(Ok(Action::Compress(path)));
            continue;
        }
        match compress(&path, &meta) {
            Ok(()) => report(Ok(Action::Compress(path))),
            Err(e) => report(Err(format!("{}: {e}", path.display()))),
        }
    }
}

/// `FILE` → `FILE.gz` (owner and mode kept), then `FILE` removed.
fn compress(path: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    let mut gz_name = path.as_os_str().to_os_string();
    gz_name.push(".gz");
    let gz = PathBuf::from(gz_name);
    if gz.symlink_metadata().is_ok() {
        return Err(format!(
            "{} exists as well: left as it is (compare the two and remove one)",
            gz.display()
        ));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{file_name}.gz.tmp"));
    let result = write_gzip(path, &tmp, meta).and_then(|()| {
        // The file must not have changed while it was read (a writer this run did not see).
        let now = std::fs::symlink_metadata(path).map_err(|e| io_text(&e))?;
        if now.len() != meta.len() || now.mtime_nsec() != meta.mtime_nsec() {
            return Err("it changed while it was compressed: left as it is".to_string());
        }
        std::fs::rename(&tmp, &gz).map_err(|e| io_text(&e))
    });
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::remove_file(path).map_err(|e| io_text(&e))?;
    // The rename and the removal reach the disk with the directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn write_gzip(src: &Path, tmp: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    let mut input = std::fs::File::open(src).map_err(|e| io_text(&e))?;
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(tmp)
        .map_err(|e| format!("{}: {}", tmp.display(), io_text(&e)))?;
    // Owner first, then mode: the records never sit readable by anyone the original did not
    // allow. A non-root run compresses its own files, so a failed chown changes nothing.
    if std::os::unix::fs::fchown(&out, Some(meta.uid()), Some(meta.gid())).is_err()
        && (out.metadata().map(|m| (m.uid(), m.gid())).ok() != Some((meta.uid(), meta.gid())))
        && crate::sys::process::euid() == 0
    {
        return Err(format!(
            "{}: cannot give it the file's owner",
            tmp.display()
        ));
    }
    out.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
        .map_err(|e| io_text(&e))?;
    let mut encoder = GzEncoder::new(out, flate2::Compression::default());
    io::copy(&mut input, &mut encoder).map_err(|e| io_text(&e))?;
    let out = encoder.finish().map_err(|e| io_text(&e))?;
    out.sync_all().map_err(|e| io_text(&e))
}

/// Every file some process holds open, as (device, inode). Run as root, every process is
/// seen; otherwise only this user's own (which are the only ones that can write a spool of
/// the user's own): a process of the user's whose descriptors cannot be read is an error.
pub fn open_files() -> Result<HashSet<(u64, u64)>, String> {
    let me = crate::sys::process::euid();
    let mut open = HashSet::new();
    let procs = std::fs::read_dir("/proc").map_err(|e| format!("/proc: {}", io_text(&e)))?;
    for entry in procs.filter_map(Result::ok) {
        let name = entry.file_name();
        if !name.as_encoded_bytes().iter().all(u8::is_ascii_digit) {
            continue;
        }
        let fds = entry.path().join("fd");
        match std::fs::read_dir(&fds) {
            Ok(list) => {
                for fd in list.filter_map(Result::ok) {
                    if let Ok(m) = std::fs::metadata(fd.path()) {
                        open.insert((m.dev(), m.ino()));
                    }
                }
            }
            // The process ended meanwhile.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                let owner = entry.metadata().map(|m| m.uid()).ok();
                if me == 0 || owner == Some(me) {
                    return Err(format!(
                        "cannot tell which files process {} holds open ({}): {}",
                        name.to_string_lossy(),
                        fds.display(),
                        io_text(&e)
                    ));
                }
            }
        }
    }
    Ok(open)
}

/// The day of a spool day directory: `YYYY-MM-DD`, or `YYYY-MM-DD.N`, where the installed
/// shell writes a day's sessions when that day's own directory cannot be written.
fn day_of_directory(name: &str) -> Option<i64> {
    match name.split_once('.') {
        None => day_number(name),
        Some((day, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => day_number(day),
        Some(_) => None,
    }
}

/// `YYYY-MM-DD` → days since 1970-01-01 (a proleptic Gregorian date; nothing else is a day).
pub fn day_number(name: &str) -> Option<i64> {
    if !super::input::is_day_name(name.as_bytes()) {
        return None;
    }
    let date: jiff::civil::Date = name.parse().ok()?;
    let secs = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp()
        .as_second();
    Some(secs.div_euclid(86_400))
}

fn days_since_epoch_now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    i64::try_from(secs / 86_400).unwrap_or(0)
}

fn io_text(e: &io::Error) -> String {
    crate::sys::errno::io_text(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn day_numbers() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("1970-01-02"), Some(1));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(day_number("2026-12-04"), Some(20_791));
        assert_eq!(day_number("2024-02-29"), Some(19_782));
        assert_eq!(day_number("2023-02-29"), None);
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("2026-12-00"), None);
        assert_eq!(day_number("2026-12-4"), None);
        assert_eq!(day_number("current"), None);
        assert_eq!(day_of_directory("2026-12-04"), Some(20_791));
        assert_eq!(day_of_directory("2026-12-04.3"), Some(20_791));
        assert_eq!(day_of_directory("2026-12-04."), None);
        assert_eq!(day_of_directory("2026-12-04.x"), None);
    }

    const TODAY: i64 = 20_791; // 2026-12-04

    fn day_name(n: i64) -> String {
        // Days back from TODAY within 2026-11 and 2026-12 (enough for these tests).
        let d = TODAY - n;
        let (m, dd) = if d >= 20_788 {
            (12, d - 20_788 + 1)
        } else {
            (11, d - 20_758 + 1)
        };
        format!("2026-{m:02}-{dd:02}")
    }

    struct Spool {
        dir: PathBuf,
    }

    impl Spool {
        fn new(tag: &str) -> Spool {
            let dir =
                std::env::temp_dir().join(format!("auditsh-retain-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Spool { dir }
        }

        fn file(&self, back: i64, name: &str, text: &str) -> PathBuf {
            let day = self.dir.join(day_name(back));
            std::fs::create_dir_all(&day).unwrap();
            let p = day.join(name);
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
            p
        }

        fn run(&self, policy: (u32, u32), open: &[&Path], dry_run: bool) -> Vec<Action> {
            let open: Vec<(u64, u64)> = open
                .iter()
                .map(|p| {
                    let m = std::fs::metadata(p).unwrap();
                    (m.dev(), m.ino())
                })
                .collect();
            let mut actions = Vec::new();
            let policy = RetentionConfig {
                compress_after_days: policy.0,
                delete_after_days: policy.1,
            };
            apply(
                &self.dir,
                &policy,
                TODAY,
                &|m| open.contains(&(m.dev(), m.ino())),
                dry_run,
                &mut |r| actions.push(r.unwrap()),
            )
            .unwrap();
            actions
        }
    }

    impl Drop for Spool {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn gunzip(p: &Path) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn compresses_old_days_and_leaves_recent_and_open_files() {
        let s = Spool::new("compress");
        let old = s.file(8, "a.jsonl", "{\"a\":1}\n");
        let held = s.file(8, "b.jsonl", "{\"b\":1}\n");
        let limits = s.file(8, ".user-1000.limits", "x");
        let recent = s.file(6, "c.jsonl", "{\"c\":1}\n");
        let today = s.file(0, "d.jsonl", "{\"d\":1}\n");
        let actions = s.run((7, 0), &[&held], false);
        assert_eq!(
            actions,
            vec![
                Action::Compress(old.clone()),
                Action::KeepOpen(held.clone())
            ]
        );
        let gz = old.with_extension("jsonl.gz");
        assert!(!old.exists());
        assert_eq!(gunzip(&gz), "{\"a\":1}\n");
        assert_eq!(
            std::fs::metadata(&gz).unwrap().mode() & 0o7777,
            0o640,
            "the original's mode"
        );
        for p in [&held, &limits, &recent, &today] {
            assert!(p.exists(), "{}", p.display());
        }
        // A second run finds nothing left to do but the held file.
        assert_eq!(s.run((7, 0), &[&held], false), vec![Action::KeepOpen(held)]);
    }

    #[test]
    fn a_detour_directory_goes_with_its_day() {
        let s = Spool::new("detour");
        let day = s.dir.join(format!("{}.1", day_name(9)));
        std::fs::create_dir_all(&day).unwrap();
        let p = day.join("a.jsonl");
        std::fs::write(&p, "x\n").unwrap();
        assert_eq!(s.run((7, 0), &[], false), vec![Action::Compress(p.clone())]);
        assert!(day.join("a.jsonl.gz").exists());
    }

    #[test]
    fn the_boundary_is_whole_days() {
        let s = Spool::new("boundary");
        let seven = s.file(7, "a.jsonl", "x\n");
        let six = s.file(6, "b.jsonl", "x\n");
        assert_eq!(s.run((7, 0), &[], true), vec![Action::Compress(seven)]);
        assert_eq!(s.run((0, 0), &[], false), vec![]);
        assert!(six.exists());
    }

    #[test]
    fn dry_run_changes_nothing() {
        let s = Spool::new("dry");
        let a = s.file(30, "a.jsonl", "x\n");
        let b = s.file(9, "b.jsonl", "x\n");
        let actions = s.run((7, 20), &[], true);
        assert_eq!(
            actions,
            vec![
                Action::Delete(a.clone()),
                Action::RemoveDir(a.parent().unwrap().to_path_buf()),
                Action::Compress(b.clone()),
            ]
        );
        assert!(a.exists() && b.exists());
        assert!(!b.with_extension("jsonl.gz").exists());
    }

    #[test]
    fn deletes_old_days_whole_but_not_a_file_held_open() {
        let s = Spool::new("delete");
        let a = s.file(30, "a.jsonl.gz", "x");
        let l = s.file(30, ".user-0.limits", "x");
        let held = s.file(25, "h.jsonl", "x\n");
        let kept = s.file(10, "k.jsonl", "x\n");
        let actions = s.run((0, 20), &[&held], false);
        assert_eq!(
            actions,
            vec![
                Action::Delete(l.clone()),
                Action::Delete(a.clone()),
                Action::RemoveDir(a.parent().unwrap().to_path_buf()),
                Action::KeepOpen(held.clone()),
            ]
        );
        assert!(!a.parent().unwrap().exists());
        assert!(held.exists() && kept.exists());
    }

    #[test]
    fn an_existing_gz_and_a_stale_temporary_file() {
        let s = Spool::new("conflict");
        let a = s.file(9, "a.jsonl", "x\n");
        s.file(9, "a.jsonl.gz", "older");
        let tmp = s.file(9, ".b.jsonl.gz.tmp", "half");
        let policy = RetentionConfig {
            compress_after_days: 7,
            delete_after_days: 0,
        };
        let mut results = Vec::new();
        apply(&s.dir, &policy, TODAY, &|_| false, false, &mut |r| {
            results.push(r)
        })
        .unwrap();
        assert_eq!(results.len(), 1, "{results:?}");
        let e = results[0].clone().unwrap_err();
        assert!(e.contains("exists as well"), "{e}");
        assert!(a.exists());
        assert!(!tmp.exists(), "the stale temporary file is removed");
    }

    #[test]
    fn this_process_own_open_file_is_seen() {
        let s = Spool::new("proc");
        let p = s.file(9, "a.jsonl", "x\n");
        let f = std::fs::File::open(&p).unwrap();
        let m = f.metadata().unwrap();
        let open = open_files().unwrap();
        assert!(open.contains(&(m.dev(), m.ino())));
        drop(f);
        assert!(!open_files().unwrap().contains(&(m.dev(), m.ino())));
    }
}
