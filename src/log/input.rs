//! Which files to read, and reading them: operands (files and directories, walked) become a
//! list of files; a file is opened plain or through gzip or zstd (by its magic bytes, so a
//! rotated `.jsonl.gz` and a `messages.2.zst` both work, whatever their names); lines are read
//! with a length limit, since a log file may hold anything.

use crate::audit::text::os_error_text;
use flate2::bufread::MultiGzDecoder;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Where the spool is when it is installed.
pub const INSTALLED_SPOOL_DIR: &str = crate::config::INSTALLED_SPOOL_DIR;

/// Lines longer than this are not records (a record is at most 128 KiB; a syslog prefix adds
/// little): the rest of such a line is skipped without being kept.
pub const MAX_LINE: usize = 1 << 20;

/// Of a line longer than `MAX_LINE`, this much of its start is kept (to tell whose it is).
pub const KEPT_OF_LONG_LINE: usize = 4096;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `*.jsonl`, `*.jsonl.gz`, `*.jsonl.zst`: a spool file, every line a record.
    Spool,
    /// Any other file: a syslog file (or records re-imported under another name), where lines
    /// that are not auditsh's are skipped.
    Syslog,
}

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    pub format: Format,
    /// Its size on disk when it was found.
    pub size: u64,
}

/// The spool directory when no operand is given: the installed spool when this
/// `auditsh-log` is the installed one (its `auditsh` beside it is setuid or setgid, as the
/// package and `packaging/install.sh` make it), else the development spool
/// (`$XDG_STATE_HOME/auditsh` or `~/.local/state/auditsh`), which a development build of the
/// shell writes, whether or not `/var/log/auditsh` exists.
pub fn default_spool_dir() -> PathBuf {
    if is_installed() {
        return PathBuf::from(INSTALLED_SPOOL_DIR);
    }
    crate::audit::default_spool_dir(false)
}

/// This program is the installed one: the shell beside it runs setuid or setgid.
fn is_installed() -> bool {
    let Ok(exe) = std::env::current_exe() else {
        return false;
    };
    let Some(dir) = exe.parent() else {
        return false;
    };
    std::fs::metadata(dir.join("auditsh")).is_ok_and(|m| m.is_file() && m.mode() & 0o6000 != 0)
}

/// A file name that marks a spool file (also when rotated and compressed).
pub fn is_spool_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.as_encoded_bytes())
        .unwrap_or(b"");
    name.ends_with(b".jsonl") || name.ends_with(b".jsonl.gz") || name.ends_with(b".jsonl.zst")
}

/// What the operands name: the files to read, in order, and the spool's day directories
/// (`YYYY-MM-DD`) that were walked, whether or not they held files: a session that one of them
/// should hold and does not is a finding of `verify`.
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<Input>,
    pub spool_days: Vec<PathBuf>,
}

impl Collected {
    /// The bytes of all files as they are on disk (compressed or not).
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The files named by `operands`, in order: a file as it is, a directory walked (sorted by
/// name) for every regular file in it. The same file twice is read once. Problems (a missing operand, an
/// unreadable directory) are returned beside the list, one message each.
pub fn collect(operands: &[PathBuf]) -> (Collected, Vec<String>) {
    let mut c = Collector::default();
    for op in operands {
        match std::fs::metadata(op) {
            Ok(m) if m.is_dir() => c.walk(op, 0),
            Ok(m) => c.add(op, &m),
            Err(e) => c.errors.push(format!(
                "{}: {}",
                super::printable::path(op),
                os_error_text(&e)
            )),
        }
    }
    let collected = Collected {
        files: c.files,
        spool_days: c.spool_days,
    };
    (collected, c.errors)
}

/// A directory name of the form the spool gives a day: `YYYY-MM-DD`.
pub fn is_day_name(name: &[u8]) -> bool {
    name.len() == 10
        && name.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[derive(Default)]
struct Collector {
    files: Vec<Input>,
    spool_days: Vec<PathBuf>,
    errors: Vec<String>,
    seen: HashSet<(u64, u64)>,
}

/// Directories nested deeper than this are not entered (a spool is two levels deep).
const MAX_DEPTH: usize = 64;

impl Collector {
    fn add(&mut self, path: &Path, m: &std::fs::Metadata) {
        if !self.seen.insert((m.dev(), m.ino())) {
            return;
        }
        let format = if is_spool_name(path) {
            Format::Spool
        } else {
            Format::Syslog
        };
        self.files.push(Input {
            path: path.to_path_buf(),
            format,
            size: m.len(),
        });
    }

    fn walk(&mut self, dir: &Path, depth: usize) {
        let entries = match std::fs::read_dir(dir) {
            Ok(r) => r,
            Err(e) => {
                self.errors.push(format!(
                    "{}: {}",
                    super::printable::path(dir),
                    os_error_text(&e)
                ));
                return;
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => paths.push(e.path()),
                Err(e) => {
                    self.errors.push(format!(
                        "{}: {}",
                        super::printable::path(dir),
                        os_error_text(&e)
                    ));
                    return;
                }
            }
        }
        if dir
            .file_name()
            .is_some_and(|n| is_day_name(n.as_encoded_bytes()))
        {
            self.spool_days.push(dir.to_path_buf());
        }
        paths.sort();
        for p in paths {
            // Hidden entries are passed over, as ripgrep does: the spool's per-user counters
            // (`.user-UID.limits`) live there, and no writer of records names a file so.
            if p.file_name()
                .is_some_and(|n| n.as_encoded_bytes().starts_with(b"."))
            {
                continue;
            }
            // Symbolic links to directories are not followed (no loops); to files they are.
            let Ok(lm) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if lm.is_dir() {
                if depth < MAX_DEPTH {
                    self.walk(&p, depth + 1);
                }
                continue;
            }
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => self.add(&p, &m),
                Ok(_) => {}
                Err(e) => self.errors.push(format!(
                    "{}: {}",
                    super::printable::path(&p),
                    os_error_text(&e)
                )),
            }
        }
    }
}

/// Open a file for reading lines: through gzip or zstd when it starts with their magic bytes.
pub fn open(path: &Path) -> io::Result<Reader> {
    open_counted(path, None)
}

/// Bytes read from the file (compressed, as on disk) are added to a shared counter: what a
/// progress bar shows.
struct Counted<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
/// The largest read buffer: enough for the kernel's read-ahead, small beside a cache.
const BUF_MAX: usize = 256 * 1024;
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// As [`open`], adding the bytes read to `counter` when there is one.
pub fn open_counted(path: &Path, counter: Option<Arc<AtomicU64>>) -> io::Result<Reader> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    // Buffers sized to the file: most spool files are a few KB, and a fresh 256 KB buffer per
    // file (zeroed, as the counting reader cannot read into uninitialised memory) cost more
    // than reading them.
    let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    let plain_buf = size.saturating_add(1).clamp(4096, BUF_MAX);
    let unpacked_buf = size.saturating_mul(8).clamp(16 * 1024, BUF_MAX);
    let raw: Box<dyn Read + Send> = match counter {
        Some(counter) => Box::new(Counted {
            inner: file,
            counter,
        }),
        None => Box::new(file),
    };
    let mut plain = BufReader::with_capacity(plain_buf, raw);
    let head = plain.fill_buf()?;
    Ok(if head.starts_with(GZIP_MAGIC) {
        Reader {
            inner: Box::new(BufReader::with_capacity(
                unpacked_buf,
                MultiGzDecoder::new(plain),
            )),
            compressed: true,
        }
    } else if head.starts_with(ZSTD_MAGIC) {
        let decoder = ruzstd::decoding::StreamingDecoder::new(plain)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        Reader {
            inner: Box::new(BufReader::with_capacity(
                unpacked_buf,
                ZstdFrames(Some(decoder)),
            )),
            compressed: true,
        }
    } else {
        Reader {
            inner: Box::new(plain),
            compressed: false,
        }
    })
}

type ZstdDecoder = ruzstd::decoding::StreamingDecoder<
    BufReader<Box<dyn Read + Send>>,
    ruzstd::decoding::FrameDecoder,
>;

/// A zstd stream of one or more frames (a file compressed in parts, or `cat a.zst b.zst`).
struct ZstdFrames(Option<ZstdDecoder>);

impl Read for ZstdFrames {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.0.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The end of a frame: another may follow.
            if decoder.get_mut().fill_buf()?.is_empty() {
                return Ok(0);
            }
            let Some(done) = self.0.take() else {
                return Ok(0);
            };
            let (source, frame) = done.into_parts();
            self.0 = Some(
                ruzstd::decoding::StreamingDecoder::new_with_decoder(source, frame)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
            );
        }
    }
}

/// Lines of one file.
pub struct Reader {
    inner: Box<dyn BufRead + Send>,
    /// Read through gzip: a read error is then most likely damaged data.
    pub compressed: bool,
}

/// One line read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The bytes are in the buffer, without the newline; `newline` says whether it had one
    /// (the last line of a cut file has none).
    Text { newline: bool },
    /// Longer than `MAX_LINE`: skipped up to its newline (or the end); `len` bytes long. The
    /// buffer holds its first `KEPT_OF_LONG_LINE` bytes.
    TooLong { len: u64 },
}

impl Reader {
    /// Lines of `inner` (already decompressed when `compressed`).
    pub fn new(inner: Box<dyn BufRead + Send>, compressed: bool) -> Reader {
        Reader { inner, compressed }
    }

    /// The next line into `buf` (cleared first); `None` at the end.
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<Line>> {
        buf.clear();
        let mut len: u64 = 0;
        let mut too_long = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                if len == 0 {
                    return Ok(None);
                }
                return Ok(Some(if too_long {
                    Line::TooLong { len }
                } else {
                    Line::Text { newline: false }
                }));
            }
            let (part, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], Some(i + 1)),
                None => (chunk, None),
            };
            len = len.saturating_add(part.len() as u64);
            if !too_long {
                if buf.len() + part.len() > MAX_LINE {
                    too_long = true;
                    let room = KEPT_OF_LONG_LINE.saturating_sub(buf.len()).min(part.len());
                    buf.extend_from_slice(&part[..room]);
                    buf.truncate(KEPT_OF_LONG_LINE);
                } else {
                    buf.extend_from_slice(part);
                }
            }
            let used = done.unwrap_or(chunk.len());
            self.inner.consume(used);
            if done.is_some() {
                return Ok(Some(if too_long {
                    Line::TooLong { len }
                } else {
                    Line::Text { newline: true }
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(bytes: &'static [u8]) -> Reader {
        Reader {
            inner: Box::new(BufReader::with_capacity(7, bytes)),
            compressed: false,
        }
    }

    #[test]
    fn lines_with_and_without_newline() {
        let mut r = reader(b"ab\n\ncdefghijklmnop\nq");
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while let Some(l) = r.next_line(&mut buf).unwrap() {
            got.push((String::from_utf8(buf.clone()).unwrap(), l));
        }
        let nl = Line::Text { newline: true };
        assert_eq!(
            got,
            vec![
                ("ab".into(), nl),
                ("".into(), Line::Text { newline: true }),
                ("cdefghijklmnop".into(), Line::Text { newline: true }),
                ("q".into(), Line::Text { newline: false }),
            ]
        );
    }

    #[test]
    fn a_huge_line_is_skipped_not_kept() {
        let mut big = vec![b'x'; MAX_LINE + 10];
        big.extend_from_slice(b"\nok\n");
        let big: &'static [u8] = Box::leak(big.into_boxed_slice());
        let mut r = reader(big);
        let mut buf = Vec::new();
        assert_eq!(
            r.next_line(&mut buf).unwrap(),
            Some(Line::TooLong {
                len: MAX_LINE as u64 + 10
            })
        );
        assert_eq!(buf.len(), KEPT_OF_LONG_LINE);
        assert_eq!(
            r.next_line(&mut buf).unwrap(),
            Some(Line::Text { newline: true })
        );
        assert_eq!(buf, b"ok");
        assert_eq!(r.next_line(&mut buf).unwrap(), None);
    }
}
