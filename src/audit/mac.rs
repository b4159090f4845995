//! Authenticated records: every record carries an HMAC-SHA-256 (`auditsh.mac`) under a per-host
//! key that only the audit account can read, so that a line written by anyone else (a forged
//! datagram to /dev/log, an edited spool file) cannot pass for one of auditsh's.
//!
//! The key is forward-secure: it has one value per UTC day ("epoch": days since 1970-01-01),
//! and each day's key is derived one way from the day before's, which is then erased:
//!
//! ```text
//! K(d+1) = HMAC-SHA-256(K(d), "auditsh key evolve v1" || (d+1) as 8 bytes big-endian)
//! ```
//!
//! A record written on day d is authenticated with K(d) itself: its `auditsh.key_epoch` is d,
//! and its `auditsh.mac` is the HMAC of the line's bytes up to (not including) `,"mac":"`. The
//! two fields are the record's last: the line ends `,"prev":"…","key_epoch":N,"mac":"<hex>"}}`.
//! (Record lines start with `{`, evolution inputs with `auditsh`: one key serves both without
//! one input ever being taken for the other.)
//!
//! Whoever holds K(d) can compute K(d), K(d+1), ... but no earlier key: a host compromised on
//! day d cannot re-sign the records of day d-1 or before. The seed (the first epoch's key) is
//! the *verification key*; with it `auditsh-log verify --key` checks every day from the seed on.
//!
//! Key files (the host's state file and the verification key) are one line of text:
//!
//! ```text
//! auditsh-key 1 epoch=20425 key=<64 lowercase hex digits>
//! ```
//!
//! Secret bytes are erased with volatile writes when they are no longer needed (the `zeroize`
//! crate would do the same for our own buffers, but not for the HMAC states inside `hmac`,
//! which are erased here by overwriting them with a state keyed with zeros).

use crate::sys::{errno, fd, signal};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;

/// Bytes of a key.
pub const KEY_LEN: usize = 32;

/// The host's key state file in installed mode (the current epoch's key only).
pub const INSTALLED_STATE_FILE: &str = "/var/lib/auditsh/key";

/// Where `auditsh-log key init` writes the verification key (the seed) by default.
pub const INSTALLED_VERIFY_KEY: &str = "/etc/auditsh/verify.key";

/// The first word of a key file.
const MAGIC: &str = "auditsh-key";
/// The key file format this code reads and writes.
const FORMAT_VERSION: &str = "1";
/// What a key file looks like, for error messages.
const FORMAT_HINT: &str = "expected one line `auditsh-key 1 epoch=DAY key=HEX`";
/// A key file is one short line; anything longer is not one.
const MAX_KEY_FILE: usize = 256;

/// The label of one evolution step.
const EVOLVE_LABEL: &[u8] = b"auditsh key evolve v1";

/// The largest epoch: 9999-12-31, the last day a record's `@timestamp` can name.
pub const MAX_EPOCH: u64 = 2_932_896;

/// What a sealed line ends with, after the bytes the MAC covers: `,"mac":"` HEX `"}}`.
const MAC_FIELD: &[u8] = b",\"mac\":\"";
const MAC_END: &[u8] = b"\"}}";
/// Bytes a seal adds to an encoded record (which ends in `}}`, replaced by the suffix).
pub const SEAL_LEN: usize = MAC_FIELD.len() + 64 + MAC_END.len() - 2;

const SECS_PER_DAY: i64 = 86_400;

/// The epoch (UTC day) of a wall time in seconds since 1970.
pub fn day_of(secs: i64) -> u64 {
    u64::try_from(secs.div_euclid(SECS_PER_DAY)).unwrap_or(0)
}

/// "YYYY-MM-DD" of an epoch, for messages.
pub fn date_of(epoch: u64) -> String {
    let secs = i64::try_from(epoch.min(MAX_EPOCH)).unwrap_or(0) * SECS_PER_DAY;
    super::clock::date(secs)
}

pub use crate::sys::clib::erase;

/// Overwrite a keyed HMAC state (which is as good as its key) with one keyed with zeros.
fn erase_state(state: &mut HmacSha256) {
    // The old state owns no heap memory: nothing is lost by not dropping it.
    crate::sys::clib::overwrite(state, keyed(&[0u8; KEY_LEN]));
}

/// Temporaries of a key computation (HMAC's padded keys, hash states) are left on the stack
/// below the caller; after an evolution, overwrite that much of the stack.
#[inline(never)]
fn erase_stack() {
    let mut scratch = [0u8; 8192];
    erase(&mut scratch);
    std::hint::black_box(&scratch);
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length: this cannot fail.
    <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// One epoch's key. Erased when dropped.
pub struct Key {
    epoch: u64,
    bytes: [u8; KEY_LEN],
}

impl Drop for Key {
    fn drop(&mut self) {
        erase(&mut self.bytes);
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the bytes.
        write!(f, "Key {{ epoch: {} }}", self.epoch)
    }
}

impl Key {
    pub fn new(epoch: u64, bytes: [u8; KEY_LEN]) -> Key {
        Key { epoch, bytes }
    }

    /// A new random key for `epoch` (getrandom; no fallback: a key must not be guessable).
    pub fn generate(epoch: u64) -> io::Result<Key> {
        let mut key = Key::new(epoch, [0; KEY_LEN]);
        crate::sys::process::random_fill(&mut key.bytes, true)
            .map_err(io::Error::from_raw_os_error)?;
        Ok(key)
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// One step forward: the next day's key replaces this one, in place. (The HMAC's
    /// temporaries stay on the stack: [`Key::evolve_to`] erases them.)
    fn evolve(&mut self) {
        let next = self.epoch + 1;
        let mut h = keyed(&self.bytes);
        h.update(EVOLVE_LABEL);
        h.update(&next.to_be_bytes());
        let out: [u8; KEY_LEN] = h.finalize().into_bytes().into();
        crate::sys::clib::overwrite(&mut self.bytes, out);
        self.epoch = next;
    }

    /// Forward to `epoch` (nothing when it is not later).
    pub fn evolve_to(&mut self, epoch: u64) {
        if epoch <= self.epoch {
            return;
        }
        while self.epoch < epoch {
            self.evolve();
        }
        erase_stack();
    }

    /// The HMAC state keyed with this key, to be cloned per record.
    fn prepare(&self) -> HmacSha256 {
        keyed(&self.bytes)
    }

    /// Parse a key file's text (see the module's documentation), strictly.
    pub fn parse(text: &[u8]) -> Result<Key, String> {
        let line = text.strip_suffix(b"\n").unwrap_or(text);
        if line.contains(&b'\n') {
            return Err(format!("more than one line ({FORMAT_HINT})"));
        }
        let Ok(line) = std::str::from_utf8(line) else {
            return Err(format!("not an auditsh key file ({FORMAT_HINT})"));
        };
        let mut words = line.split(' ');
        if words.next() != Some(MAGIC) {
            return Err(format!("not an auditsh key file ({FORMAT_HINT})"));
        }
        match words.next() {
            Some(FORMAT_VERSION) => {}
            Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(format!(
                    "key file format {v} is not supported (this auditsh reads format {FORMAT_VERSION})"
                ))
            }
            _ => return Err(format!("no format version ({FORMAT_HINT})")),
        }
        let epoch = match words.next().and_then(|w| w.strip_prefix("epoch=")) {
            Some(d) if !d.is_empty() && d.len() <= 20 && d.bytes().all(|b| b.is_ascii_digit()) => {
                d.parse::<u64>().unwrap_or(u64::MAX)
            }
            _ => return Err(format!("no epoch=DAY ({FORMAT_HINT})")),
        };
        if epoch > MAX_EPOCH {
            return Err(format!(
                "epoch {epoch} is not a day this key can be for (at most {MAX_EPOCH}, 9999-12-31)"
            ));
        }
        let Some(hex) = words.next().and_then(|w| w.strip_prefix("key=")) else {
            return Err(format!("no key=HEX ({FORMAT_HINT})"));
        };
        let mut key = Key::new(epoch, [0; KEY_LEN]);
        if !decode_hex(hex.as_bytes(), &mut key.bytes) {
            return Err("the key is not 64 lowercase hex digits".to_string());
        }
        if words.next().is_some() {
            return Err(format!("unexpected text after the key ({FORMAT_HINT})"));
        }
        Ok(key)
    }

    /// The key file's text. The caller erases it after use.
    fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(MAGIC.as_bytes());
        out.push(b' ');
        out.extend_from_slice(FORMAT_VERSION.as_bytes());
        out.extend_from_slice(b" epoch=");
        super::record::push_u64(&mut out, self.epoch);
        out.extend_from_slice(b" key=");
        let mut hex = [0u8; 64];
        super::record::hex_into(&self.bytes, &mut hex);
        out.extend_from_slice(&hex);
        erase(&mut hex);
        out.push(b'\n');
        out
    }

    /// Read a key file. `follow`: whether a symbolic link is followed (the shell's state file
    /// never is). Errors are one line naming the file.
    pub fn read(path: &Path, follow: bool) -> Result<Key, String> {
        let name = path.display();
        let mut buf = [0u8; MAX_KEY_FILE + 1];
        let n = read_into(path, follow, &mut buf).map_err(|e| match e.raw_os_error() {
            Some(errno::ELOOP) if !follow => {
                format!("{name}: a symbolic link, not a key file")
            }
            _ => format!("{name}: {}", crate::sys::errno::io_text(&e)),
        });
        let parsed = match n {
            Ok(n) if n > MAX_KEY_FILE => {
                Err(format!("{name}: longer than a key file ({FORMAT_HINT})"))
            }
            Ok(n) => Key::parse(&buf[..n]).map_err(|e| format!("{name}: {e}")),
            Err(e) => Err(e),
        };
        erase(&mut buf);
        parsed
    }

    /// Write this key to `path`, replacing what is there atomically: a new file beside it
    /// (O_EXCL|O_NOFOLLOW, `mode`), written, synced, renamed over `path`. Shells that evolve
    /// the same state at the same time write the same text, so the last rename wins nothing.
    pub fn replace_file(&self, path: &Path, mode: u32) -> Result<(), String> {
        self.write_file(path, mode, true, None)
    }

    /// As [`Key::replace_file`], the new file owned by `uid`:`gid` (root bringing the
    /// account's state forward).
    pub fn replace_file_owned(
        &self,
        path: &Path,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(), String> {
        self.write_file(path, mode, true, Some((uid, gid)))
    }

    /// As [`Key::replace_file`], but an existing `path` is left alone and is an error
    /// (`FILE: exists`).
    pub fn create_file(&self, path: &Path, mode: u32) -> Result<(), String> {
        self.write_file(path, mode, false, None)
    }

    fn write_file(
        &self,
        path: &Path,
        mode: u32,
        replace: bool,
        owner: Option<(u32, u32)>,
    ) -> Result<(), String> {
        let name = path.display();
        let fail = |what: &str, e: io::Error| {
            format!("{name}: {what}: {}", crate::sys::errno::io_text(&e))
        };
        let mut suffix = [0u8; 8];
        fill_random(&mut suffix);
        let mut tmp_name = path.as_os_str().as_bytes().to_vec();
        tmp_name.extend_from_slice(b".new-");
        tmp_name.extend_from_slice(super::record::hex(&suffix).as_bytes());
        let tmp = PathBuf::from(std::ffi::OsStr::from_bytes(&tmp_name));
        let mut text = self.to_text();
        // A user's `ulimit -f 0` must make the write fail (EFBIG), not kill the process with
        // SIGXFSZ before it has started.
        let xfsz = signal::set_handler(signal::SIGXFSZ, signal::SIG_IGN);
        let written = write_new(&tmp, mode, owner, &text).map_err(|(what, e)| fail(what, e));
        erase(&mut text);
        if let Some(old) = xfsz {
            signal::restore(signal::SIGXFSZ, &old);
        }
        let renamed = written.and_then(|()| {
            if replace {
                std::fs::rename(&tmp, path).map_err(|e| fail("cannot replace", e))
            } else {
                // link(2) never replaces: the new file appears whole or not at all.
                match std::fs::hard_link(&tmp, path) {
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        Err(format!("{name}: exists"))
                    }
                    Err(e) => Err(fail("cannot create", e)),
                    Ok(()) => {
                        let _ = std::fs::remove_file(&tmp);
                        Ok(())
                    }
                }
            }
        });
        if renamed.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return renamed;
        }
        sync_dir(path);
        if replace {
            remove_stale_temporaries(path);
        }
        Ok(())
    }
}

/// Create `tmp` (O_EXCL|O_NOFOLLOW), with exactly `mode` whatever the umask (a user's
/// `umask 777` before the day's first session must not leave a state file the next shells
/// cannot read) and `owner`, holding `text`, synced. The file may exist after an error, which
/// says what failed ("cannot create", "cannot write").
fn write_new(
    tmp: &Path,
    mode: u32,
    owner: Option<(u32, u32)>,
    text: &[u8],
) -> Result<(), (&'static str, io::Error)> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(fd::O_NOFOLLOW)
        .mode(mode)
        .open(tmp)
        .map_err(|e| ("cannot create", e))?;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .and_then(|()| match owner {
            Some((uid, gid)) => std::os::unix::fs::fchown(&file, Some(uid), Some(gid)),
            None => Ok(()),
        })
        .and_then(|()| file.write_all(text))
        .and_then(|()| file.sync_all())
        .map_err(|e| ("cannot write", e))
}

/// A writer killed between creating its temporary file and renaming it (a user may kill their
/// own setuid shell) leaves the file behind, with a key that is an earlier day's the next day:
/// once the state has moved on, temporaries older than a minute are removed.
fn remove_stale_temporaries(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = name.as_bytes().to_vec();
    prefix.extend_from_slice(b".new-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for e in entries.flatten() {
        if !e.file_name().as_bytes().starts_with(&prefix) {
            continue;
        }
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < minute_ago);
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Read at most `buf.len()` bytes of a regular file.
fn read_into(path: &Path, follow: bool, buf: &mut [u8]) -> io::Result<usize> {
    // O_NONBLOCK: a FIFO put in the key's place must not hang the shell at start.
    let flags = fd::O_NONBLOCK | if follow { 0 } else { fd::O_NOFOLLOW };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Make a rename in the directory of `path` durable (best effort: the key is right either way).
fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(fd::O_DIRECTORY)
        .open(dir);
    if let Ok(d) = opened {
        let _ = d.sync_all();
    }
}

/// Bytes that need not be secret but should not collide (a temp file's name).
fn fill_random(out: &mut [u8]) {
    if crate::sys::process::random_fill(out, false).is_err() {
        let t = super::clock::monotonic_ns() ^ u64::from(std::process::id()) << 40;
        for (i, b) in out.iter_mut().enumerate() {
            *b = (t >> (8 * (i % 8))) as u8;
        }
    }
}

/// 64 lowercase hex digits into 32 bytes; false for anything else.
pub(crate) fn decode_hex(hex: &[u8], out: &mut [u8; 32]) -> bool {
    if hex.len() != 64 {
        return false;
    }
    // By table, without a branch per digit: `verify` decodes a hash per record.
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (h, l) = (
            HEX_DIGIT[usize::from(pair[0])],
            HEX_DIGIT[usize::from(pair[1])],
        );
        bad |= h | l;
        *byte = h << 4 | (l & 0x0f);
    }
    bad & 0xf0 == 0
}

/// Each byte's value as a lowercase hex digit, or 0xff.
const HEX_DIGIT: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut c = 0;
    while c < 10 {
        t[b'0' as usize + c] = c as u8;
        c += 1;
    }
    let mut c = 0;
    while c < 6 {
        t[b'a' as usize + c] = 10 + c as u8;
        c += 1;
    }
    t
};

// ---------------------------------------------------------------------------------------------
// The shell's side.

/// The key a session holds in memory, and the HMAC state keyed with it, prepared once per
/// epoch and cloned for each record. Both are erased when the key moves on and when dropped.
pub struct Sealer {
    key: Key,
    prepared: HmacSha256,
}

impl Drop for Sealer {
    fn drop(&mut self) {
        erase_state(&mut self.prepared);
    }
}

impl Sealer {
    pub fn new(key: Key) -> Sealer {
        let prepared = key.prepare();
        Sealer { key, prepared }
    }

    /// The epoch of the key held now.
    pub fn epoch(&self) -> u64 {
        self.key.epoch
    }

    /// The epoch of the key a record written on `day` is sealed with: the key is brought
    /// forward first when `day` is later (a session past midnight), the old one erased. An
    /// earlier day (the clock went back) keeps the key as it is: the verifier reports the
    /// mismatch, and a key never goes back.
    pub fn epoch_for(&mut self, day: u64) -> u64 {
        if day > self.key.epoch {
            erase_state(&mut self.prepared);
            self.key.evolve_to(day.min(MAX_EPOCH));
            self.prepared = self.key.prepare();
        }
        self.key.epoch
    }

    /// Seal an encoded record (written with this key's epoch as `auditsh.key_epoch`, ending in
    /// `}}`): its last two bytes become `,"mac":"<hex>"}}`.
    pub fn seal(&self, line: &mut Vec<u8>) {
        debug_assert!(line.ends_with(b"}}"));
        line.truncate(line.len().saturating_sub(2));
        let mut h = self.prepared.clone();
        h.update(line);
        let tag: [u8; 32] = h.finalize().into_bytes().into();
        let mut hex = [0u8; 64];
        super::record::hex_into(&tag, &mut hex);
        line.extend_from_slice(MAC_FIELD);
        line.extend_from_slice(&hex);
        line.extend_from_slice(MAC_END);
    }
}

/// The key file a session uses: the config's, else in installed mode the installed one;
/// run from a checkout, none unless the config names one.
pub fn key_file(configured: Option<&Path>, secure: bool) -> Option<PathBuf> {
    match configured {
        Some(p) => Some(p.to_path_buf()),
        None if secure => Some(PathBuf::from(INSTALLED_STATE_FILE)),
        None => None,
    }
}

/// Load the session's key from the state file at `path` for a session starting on `today`:
/// a state of an earlier day is brought forward to today, written back (so that the earlier
/// key is gone from the disk too) and erased from memory. Called while the audit account's
/// privilege is still held.
///
/// Returns the sealer (when there is a key) and a problem to report (no key: records are not
/// authenticated; or the state could not be written back).
pub fn session_key(path: &Path, today: u64) -> (Option<Sealer>, Option<String>) {
    let mut key = match Key::read(path, false) {
        Ok(k) => k,
        Err(e) => return (None, Some(format!("records are not authenticated: {e}"))),
    };
    let mut problem = None;
    if key.epoch < today {
        key.evolve_to(today.min(MAX_EPOCH));
        if let Err(e) = key.replace_file(path, 0o600) {
            problem = Some(format!(
                "the key state was not brought forward ({e}): an earlier day's key is still on disk"
            ));
        }
    }
    (Some(Sealer::new(key)), problem)
}

// ---------------------------------------------------------------------------------------------
// The verifier's side.

/// A sealed line split: the bytes the MAC covers and the MAC (hex, as written). None when the
/// line does not end the way a sealed record does.
pub fn split_sealed(json: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = json.strip_suffix(MAC_END)?;
    if body.len() < 64 + MAC_FIELD.len() {
        return None;
    }
    let (rest, hex) = body.split_at(body.len() - 64);
    let signed = rest.strip_suffix(MAC_FIELD)?;
    Some((signed, hex))
}

/// Why a record's key cannot be had from a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The epoch is before the key file's: one-way evolution cannot go back.
    Before,
    /// Further after the key file's epoch than any record can be (or past 9999-12-31).
    TooFar,
}

/// Keys of every epoch from a key file's on, derived as records ask for them.
#[derive(Clone)]
pub struct Deriver {
    base: u64,
    /// keys[i] = K(base + i).
    keys: Vec<[u8; KEY_LEN]>,
    prepared: std::collections::HashMap<u64, HmacSha256>,
}

impl Drop for Deriver {
    fn drop(&mut self) {
        for k in &mut self.keys {
            erase(k);
        }
        for s in self.prepared.values_mut() {
            erase_state(s);
        }
    }
}

/// How many days after a key file's epoch its keys are derived (a century).
pub const MAX_SPAN: u64 = 36_525;

impl Deriver {
    pub fn new(key: &Key) -> Deriver {
        Deriver {
            base: key.epoch,
            keys: vec![key.bytes],
            prepared: std::collections::HashMap::new(),
        }
    }

    /// The key file's epoch.
    pub fn base(&self) -> u64 {
        self.base
    }

    fn state(&mut self, epoch: u64) -> Result<&HmacSha256, Unavailable> {
        if epoch < self.base {
            return Err(Unavailable::Before);
        }
        if epoch - self.base > MAX_SPAN || epoch > MAX_EPOCH {
            return Err(Unavailable::TooFar);
        }
        let index = (epoch - self.base) as usize;
        while self.keys.len() <= index {
            let last = self.keys.len() - 1;
            let mut k = Key::new(self.base + last as u64, self.keys[last]);
            k.evolve();
            self.keys.push(k.bytes);
        }
        let bytes = &self.keys[index];
        Ok(self.prepared.entry(epoch).or_insert_with(|| keyed(bytes)))
    }

    /// Whether `mac_hex` is the MAC of `signed` under the key of `epoch` (compared in
    /// constant time).
    pub fn check(
        &mut self,
        epoch: u64,
        signed: &[u8],
        mac_hex: &[u8],
    ) -> Result<bool, Unavailable> {
        let mut tag = [0u8; 32];
        if !decode_hex(mac_hex, &mut tag) {
            return Ok(false);
        }
        let mut h = self.state(epoch)?.clone();
        h.update(signed);
        Ok(h.verify_slice(&tag).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: [u8; 32] = [7; 32];

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "auditsh-mac-{tag}-{}-{}",
            std::process::id(),
            super::super::clock::monotonic_ns()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn hex_is_64_lowercase_digits() {
        let text = "00ff10a9".repeat(8);
        let mut out = [0u8; 32];
        assert!(decode_hex(text.as_bytes(), &mut out));
        assert_eq!(&out[..4], &[0x00, 0xff, 0x10, 0xa9]);
        for bad in [
            "00FF10A9".repeat(8),
            "0g".repeat(32),
            "00".repeat(31),
            "0 ".repeat(32),
        ] {
            assert!(!decode_hex(bad.as_bytes(), &mut out), "{bad}");
        }
        let mut all = [b'0'; 64];
        for c in 0..=255u8 {
            all[63] = c;
            let digit = c.is_ascii_digit() || (b'a'..=b'f').contains(&c);
            assert_eq!(decode_hex(&all, &mut out), digit, "{c}");
        }
    }

    #[test]
    fn evolution_is_deterministic_one_step_at_a_time() {
        let mut a = Key::new(100, SEED);
        let mut b = Key::new(100, SEED);
        a.evolve();
        a.evolve();
        b.evolve_to(102);
        assert_eq!(a.epoch(), 102);
        assert_eq!(a.bytes, b.bytes);
        // Each step changes the key, and the step is the documented HMAC.
        let mut c = Key::new(100, SEED);
        c.evolve();
        let mut h = keyed(&SEED);
        h.update(b"auditsh key evolve v1");
        h.update(&101u64.to_be_bytes());
        let want: [u8; 32] = h.finalize().into_bytes().into();
        assert_eq!(c.bytes, want);
        assert_ne!(c.bytes, SEED);
        assert_ne!(a.bytes, c.bytes);
        // The epoch is part of the step: the same bytes at another epoch evolve elsewhere.
        let mut d = Key::new(200, SEED);
        d.evolve();
        assert_ne!(d.bytes, c.bytes);
        // Nothing moves backwards or stays.
        b.evolve_to(50);
        assert_eq!(b.epoch(), 102);
        assert_eq!(b.bytes, a.bytes);
    }

    #[test]
    fn key_file_text_round_trips() {
        let k = Key::new(20425, SEED);
        let text = k.to_text();
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            format!("auditsh-key 1 epoch=20425 key={}\n", "07".repeat(32))
        );
        let back = Key::parse(&text).unwrap();
        assert_eq!((back.epoch, back.bytes), (20425, SEED));
        // Without the final newline too.
        assert!(Key::parse(&text[..text.len() - 1]).is_ok());
    }

    #[test]
    fn key_file_errors_are_clear() {
        let hex = "ab".repeat(32);
        let cases: &[(String, &str)] = &[
            (String::new(), "not an auditsh key file"),
            ("hello\n".into(), "not an auditsh key file"),
            (
                format!("auditsh-key 2 epoch=1 key={hex}\n"),
                "format 2 is not supported",
            ),
            (
                format!("auditsh-key epoch=1 key={hex}\n"),
                "no format version",
            ),
            (format!("auditsh-key 1 key={hex}\n"), "no epoch=DAY"),
            (
                format!("auditsh-key 1 epoch=-1 key={hex}\n"),
                "no epoch=DAY",
            ),
            (
                format!("auditsh-key 1 epoch=99999999999999999999999 key={hex}\n"),
                "no epoch=DAY",
            ),
            (
                format!("auditsh-key 1 epoch=99999999999999999999 key={hex}\n"),
                "is not a day",
            ),
            (
                format!("auditsh-key 1 epoch=9999999 key={hex}\n"),
                "is not a day",
            ),
            ("auditsh-key 1 epoch=1\n".into(), "no key=HEX"),
            (
                "auditsh-key 1 epoch=1 key=abc\n".into(),
                "not 64 lowercase hex",
            ),
            (
                format!("auditsh-key 1 epoch=1 key={}\n", "AB".repeat(32)),
                "not 64 lowercase hex",
            ),
            (
                format!("auditsh-key 1 epoch=1 key={hex} x\n"),
                "unexpected text",
            ),
            (
                format!("auditsh-key 1  epoch=1 key={hex}\n"),
                "no epoch=DAY",
            ),
            (
                format!("auditsh-key 1 epoch=1 key={hex}\n\n"),
                "more than one line",
            ),
            (
                format!("auditsh-key 1 epoch=1 key={hex}\nx\n"),
                "more than one line",
            ),
            (
                "auditsh-key 1 epoch=1 key=\u{e9}\n".into(),
                "not 64 lowercase hex",
            ),
        ];
        for (text, want) in cases {
            let e = Key::parse(text.as_bytes()).unwrap_err();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
        assert!(Key::parse(b"\xff\xfe")
            .unwrap_err()
            .contains("not an auditsh key file"));
    }

    #[test]
    fn key_files_are_read_strictly_and_replaced_atomically() {
        let dir = temp_dir("files");
        let path = dir.join("key");
        let k = Key::new(20000, SEED);
        k.replace_file(&path, 0o600).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
            0o600
        );
        assert_eq!(Key::read(&path, false).unwrap().bytes, SEED);
        // Replaced: the new key, no temporary left behind.
        let mut k2 = Key::new(20000, SEED);
        k2.evolve();
        k2.replace_file(&path, 0o600).unwrap();
        let back = Key::read(&path, false).unwrap();
        assert_eq!((back.epoch, back.bytes), (20001, k2.bytes));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // Temporaries left by a writer killed before its rename go once they are stale.
        let stale = dir.join("key.new-0123456789abcdef");
        let fresh_tmp = dir.join("key.new-fedcba9876543210");
        for p in [&stale, &fresh_tmp] {
            std::fs::write(p, k2.to_text()).unwrap();
        }
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        k2.replace_file(&path, 0o600).unwrap();
        assert!(!stale.exists());
        assert!(fresh_tmp.exists());
        std::fs::remove_file(&fresh_tmp).unwrap();
        // Created only where there is nothing.
        let e = k2.create_file(&path, 0o400).unwrap_err();
        assert_eq!(e, format!("{}: exists", path.display()));
        let fresh = dir.join("fresh");
        k2.create_file(&fresh, 0o400).unwrap();
        let meta = std::fs::metadata(&fresh).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
            0o400
        );
        assert_eq!(Key::read(&fresh, false).unwrap().bytes, k2.bytes);
        std::fs::remove_file(&fresh).unwrap();
        // Not a regular file: refused, without waiting for a writer.
        let fifo = dir.join("fifo");
        crate::sys::fs::make_fifo(&fifo).unwrap();
        let e = Key::read(&fifo, false).unwrap_err();
        assert!(e.ends_with(": not a regular file"), "{e}");
        std::fs::remove_file(&fifo).unwrap();
        let e = Key::read(&dir, true).unwrap_err();
        assert!(e.ends_with(": not a regular file"), "{e}");
        // A symbolic link is not followed for the state file.
        let link = dir.join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let e = Key::read(&link, false).unwrap_err();
        assert!(e.contains("a symbolic link, not a key file"), "{e}");
        assert!(Key::read(&link, true).is_ok());
        // Missing, too long, malformed: one line naming the file.
        let e = Key::read(&dir.join("missing"), false).unwrap_err();
        assert!(
            e.starts_with(&format!("{}: ", dir.join("missing").display())),
            "{e}"
        );
        std::fs::write(dir.join("long"), vec![b'a'; 1000]).unwrap();
        let e = Key::read(&dir.join("long"), false).unwrap_err();
        assert!(e.contains("longer than a key file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn session_key_brings_an_old_state_forward_and_writes_it_back() {
        let dir = temp_dir("session");
        let path = dir.join("key");
        Key::new(100, SEED).replace_file(&path, 0o600).unwrap();
        let (sealer, problem) = session_key(&path, 103);
        assert_eq!(problem, None);
        let sealer = sealer.unwrap();
        assert_eq!(sealer.key.epoch, 103);
        let mut want = Key::new(100, SEED);
        want.evolve_to(103);
        assert_eq!(sealer.key.bytes, want.bytes);
        let on_disk = Key::read(&path, false).unwrap();
        assert_eq!((on_disk.epoch, on_disk.bytes), (103, want.bytes));
        // A state from the future (the clock went back) is used as it is and not written.
        let (sealer, problem) = session_key(&path, 90);
        assert_eq!((sealer.unwrap().key.epoch, problem), (103, None));
        // No state: no sealer, and why.
        let (sealer, problem) = session_key(&dir.join("none"), 90);
        assert!(sealer.is_none());
        assert!(problem
            .unwrap()
            .starts_with("records are not authenticated: "));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_sealed_line_carries_the_hmac_of_what_precedes_its_mac() {
        let mut s = Sealer::new(Key::new(5, SEED));
        assert_eq!(s.epoch_for(5), 5);
        let mut line = br#"{"a":1,"auditsh":{"prev":"00","key_epoch":5}}"#.to_vec();
        let before = line.len();
        s.seal(&mut line);
        assert_eq!(line.len(), before + SEAL_LEN);
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
        let mac = v["auditsh"]["mac"].as_str().unwrap();
        let (signed, hex) = split_sealed(&line).unwrap();
        assert_eq!(hex, mac.as_bytes());
        assert_eq!(signed, br#"{"a":1,"auditsh":{"prev":"00","key_epoch":5"#);
        let mut h = keyed(&SEED);
        h.update(signed);
        assert_eq!(mac, super::super::record::hex(&h.finalize().into_bytes()));
        // The verifier agrees, and only for that epoch and those bytes.
        // Another key does not check it.
        let mut d = Deriver::new(&Key::new(3, [9; 32]));
        assert_eq!(d.check(5, signed, hex), Ok(false));
        let mut d = Deriver::new(&Key::new(5, SEED));
        assert_eq!(d.check(5, signed, hex), Ok(true));
        assert_eq!(d.check(6, signed, hex), Ok(false));
        assert_eq!(d.check(4, signed, hex), Err(Unavailable::Before));
        assert_eq!(
            d.check(5 + MAX_SPAN + 1, signed, hex),
            Err(Unavailable::TooFar)
        );
        let mut altered = signed.to_vec();
        altered[2] = b'b';
        assert_eq!(d.check(5, &altered, hex), Ok(false));
        assert!(split_sealed(br#"{"a":1}"#).is_none());
    }

    #[test]
    fn a_session_past_midnight_moves_its_key_forward_only() {
        let mut s = Sealer::new(Key::new(10, SEED));
        assert_eq!(s.epoch_for(12), 12);
        let mut want = Key::new(10, SEED);
        want.evolve_to(12);
        assert_eq!(s.key.bytes, want.bytes);
        // The clock went back: the key stays.
        assert_eq!(s.epoch_for(11), 12);
        // A verifier holding the day-10 seed checks what the day-12 key sealed.
        let mut line = br#"{"x":{"key_epoch":12}}"#.to_vec();
        s.seal(&mut line);
        let (signed, hex) = split_sealed(&line).unwrap();
        let mut d = Deriver::new(&Key::new(10, SEED));
        assert_eq!(d.check(12, signed, hex), Ok(true));
        assert_eq!(d.check(11, signed, hex), Ok(false));
    }

    #[test]
    fn days_and_dates() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(86_399), 0);
        assert_eq!(day_of(86_400), 1);
        assert_eq!(day_of(-1), 0);
        assert_eq!(date_of(20425), "2025-12-03");
        assert_eq!(date_of(MAX_EPOCH), "9999-12-31");
    }
}
