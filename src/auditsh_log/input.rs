//! Which files to read, and reading them: operands (files and directories, walked) become a
//! list of files; a file is opened plain or through gzip or zstd (by its magic bytes, so a
//! rotated `.jsonl.gz` and a `messages.2.zst` both work, whatever their names); lines are read
//! with a length limit, since a log file may hold anything.

use crate::sys::errno;
use flate2::bufread::GzDecoder;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, Read};
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
/// shell writes, whether or not `/var/log/auditsh` exists. `Err` when there is no home to
/// find it in: the message says to name a directory.
pub fn default_spool_dir() -> Result<PathBuf, String> {
    if is_installed() {
        return Ok(PathBuf::from(INSTALLED_SPOOL_DIR));
    }
    crate::config::default_spool_dir(false)
        .map_err(|e| format!("{e}, or name the records' files or directories"))
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
                errno::io_text(&e)
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
                    errno::io_text(&e)
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
                        errno::io_text(&e)
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
                    errno::io_text(&e)
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
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// As [`open`], adding the bytes read to `counter` when there is one.
pub fn open_counted(path: &Path, counter: Option<Arc<AtomicU64>>) -> io::Result<Reader> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let raw: Source = match counter {
        Some(counter) => Box::new(Counted {
            inner: file,
            counter,
        }),
        None => Box::new(file),
    };
    let mut plain = Buffered::new(raw);
    let head = plain.fill_buf()?;
    let (inner, compressed): (Box<dyn BufRead + Send>, bool) = if head.starts_with(GZIP_MAGIC) {
        let decoder = match spare::take_gzip() {
            Some(mut d) => {
                d.reset(plain);
                d
            }
            None => GzDecoder::new(plain),
        };
        (Box::new(Buffered::new(Gzip(Some(decoder)))), true)
    } else if head.starts_with(ZSTD_MAGIC) {
        // Every frame to the end (a file compressed in parts, or `cat a.zst b.zst`).
        let decoder = zstd::stream::read::Decoder::with_buffer(plain)?;
        (Box::new(Buffered::new(decoder)), true)
    } else {
        (Box::new(plain), false)
    };
    Ok(Reader::new(inner, compressed))
}

/// What a file is read from: the file, counted or not.
type Source = Box<dyn Read + Send>;

/// A read buffer's size: enough for the kernel's read-ahead, small beside a cache.
const BUF_SIZE: usize = 256 * 1024;

/// Buffers and gzip decoder states kept for the next file read on the same thread: a worker
/// reads thousands of small files, and allocating, zeroing and faulting in fresh ones for each
/// (a gzip state is about 40 KB) cost more than reading most files.
mod spare {
    use super::{Buffered, Source, BUF_SIZE};
    use flate2::bufread::GzDecoder;
    use std::cell::RefCell;

    /// Buffers kept per thread: a file read through a decoder needs two.
    const BUFFERS: usize = 4;

    #[derive(Default)]
    struct Spare {
        buffers: Vec<Vec<u8>>,
        gzip: Option<GzDecoder<Buffered<Source>>>,
    }

    thread_local! {
        static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
    }

    /// What `f` takes from this thread's spares (nothing while the thread ends).
    fn with<T>(f: impl FnOnce(&mut Spare) -> Option<T>) -> Option<T> {
        SPARE
            .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| f(&mut s)))
            .ok()
            .flatten()
    }

    pub fn take_buffer() -> Vec<u8> {
        with(|s| s.buffers.pop()).unwrap_or_else(|| vec![0; BUF_SIZE])
    }

    pub fn give_buffer(b: Vec<u8>) {
        if b.len() == BUF_SIZE {
            with(|s| (s.buffers.len() < BUFFERS).then(|| s.buffers.push(b)));
        }
    }

    pub fn take_gzip() -> Option<GzDecoder<Buffered<Source>>> {
        with(|s| s.gzip.take())
    }

    pub fn give_gzip(d: GzDecoder<Buffered<Source>>) {
        // Whatever is replaced is dropped outside the borrow (it gives its buffer back).
        let _replaced = with(|s| s.gzip.replace(d));
    }
}

/// A buffered reader whose buffer comes from, and goes back to, this thread's spares.
pub struct Buffered<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
}

impl<R> Buffered<R> {
    fn new(inner: R) -> Buffered<R> {
        Buffered {
            inner,
            buf: spare::take_buffer(),
            pos: 0,
            end: 0,
        }
    }
}

impl Buffered<Source> {
    /// Reads nothing, holds nothing: what a decoder holds while it waits for its next file.
    fn nothing() -> Buffered<Source> {
        Buffered {
            inner: Box::new(io::empty()),
            buf: Vec::new(),
            pos: 0,
            end: 0,
        }
    }
}

impl<R> Drop for Buffered<R> {
    fn drop(&mut self) {
        spare::give_buffer(std::mem::take(&mut self.buf));
    }
}

impl<R: Read> Read for Buffered<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.end && out.len() >= self.buf.len() {
            return self.inner.read(out);
        }
        let n = {
            let have = self.fill_buf()?;
            let n = have.len().min(out.len());
            out[..n].copy_from_slice(&have[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Buffered<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.end {
            self.end = self.inner.read(&mut self.buf)?;
            self.pos = 0;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }
}

/// A gzip stream of one or more members (a file compressed in parts, or `cat a.gz b.gz`),
/// through a decoder that goes back to the spares when the file is done.
struct Gzip(Option<GzDecoder<Buffered<Source>>>);

impl Read for Gzip {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.0.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(out)?;
            if n > 0 || out.is_empty() {
                return Ok(n);
            }
            // The end of a member: another may follow.
            if decoder.get_mut().fill_buf()?.is_empty() {
                return Ok(0);
            }
            let rest = decoder.reset(Buffered::nothing());
            decoder.reset(rest);
        }
    }
}

impl Drop for Gzip {
    fn drop(&mut self) {
        if let Some(mut decoder) = self.0.take() {
            drop(decoder.reset(Buffered::nothing()));
            spare::give_gzip(decoder);
        }
    }
}

/// Lines of one file.
pub struct Reader {
    inner: Box<dyn BufRead + Send>,
    /// Read through gzip: a read error is then most likely damaged data.
    pub compressed: bool,
    /// Bytes of `inner` that the line returned last still borrows: consumed at the next.
    lent: usize,
}

/// One line read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The line's bytes, without the newline; `newline` says whether it had one (the last
    /// line of a cut file has none).
    Text { newline: bool },
    /// Longer than `MAX_LINE`: skipped up to its newline (or the end); `len` bytes long. Its
    /// first `KEPT_OF_LONG_LINE` bytes are what is returned of it.
    TooLong { len: u64 },
}

impl Reader {
    /// Lines of `inner` (already decompressed when `compressed`).
    pub fn new(inner: Box<dyn BufRead + Send>, compressed: bool) -> Reader {
        Reader {
            inner,
            compressed,
            lent: 0,
        }
    }

    /// The next line: its bytes (in the reader's buffer when the line is whole in it, else
    /// gathered in `spill`) and how it was read; `None` at the end.
    pub fn next_line<'a>(
        &'a mut self,
        spill: &'a mut Vec<u8>,
    ) -> io::Result<Option<(&'a [u8], Line)>> {
        self.inner.consume(std::mem::take(&mut self.lent));
        // Most lines lie whole in the buffer: lent, not copied.
        let whole = loop {
            match self.inner.fill_buf() {
                Ok(chunk) => break memchr::memchr(b'\n', chunk).filter(|&i| i <= MAX_LINE),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if let Some(i) = whole {
            self.lent = i + 1;
            let chunk = self.inner.fill_buf()?;
            return Ok(Some((&chunk[..i], Line::Text { newline: true })));
        }
        Ok(self.gather(spill)?.map(|kind| (spill.as_slice(), kind)))
    }

    /// A line that does not lie whole in the buffer, gathered into `buf`.
    fn gather(&mut self, buf: &mut Vec<u8>) -> io::Result<Option<Line>> {
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
        Reader::new(Box::new(std::io::BufReader::with_capacity(7, bytes)), false)
    }

    #[test]
    fn lines_with_and_without_newline() {
        let mut r = reader(b"ab\n\ncdefghijklmnop\nq");
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while let Some((line, l)) = r.next_line(&mut buf).unwrap() {
            got.push((String::from_utf8(line.to_vec()).unwrap(), l));
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
        let (line, kind) = r.next_line(&mut buf).unwrap().unwrap();
        assert_eq!(
            kind,
            Line::TooLong {
                len: MAX_LINE as u64 + 10
            }
        );
        assert_eq!(line.len(), KEPT_OF_LONG_LINE);
        let (line, kind) = r.next_line(&mut buf).unwrap().unwrap();
        assert_eq!(kind, Line::Text { newline: true });
        assert_eq!(line, b"ok");
        assert!(r.next_line(&mut buf).unwrap().is_none());
    }
}
