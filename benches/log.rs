//! auditsh-log over a fleet's records, side by side with the tools a security team would
//! otherwise reach for: `rg -z` counting a fixed string over the same files, and `zcat | jq`
//! answering the same question as `search`. Prints numbers; asserts nothing about time (it
//! fails only when the tools disagree on the answer). See BENCHMARKS.md.
//!
//! ```text
//! cargo bench --bench log                 # ~1.7 GB corpus (100 hosts, 30 days), 3 rounds
//! cargo bench --bench log -- --quick      # ~50 MB corpus, 1 round (CI)
//! cargo bench --bench log -- --rounds 5 --dir /var/tmp/fleet --keep
//! ```
//!
//! The corpus is generated once into the directory (default: `target/bench-log-corpus-SIZE`)
//! and kept there for the next run: spool trees and rsyslog collector files, most of them
//! gzip'd, some zstd'd, some sessions in both, of schema 2 (a program's exec and end records)
//! but for the first day's sessions on some hosts (schema 1). The question: every `sudo` that
//! one user started (as the real or the login user: its `exec` records), each record once.

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LOG: &str = env!("CARGO_BIN_EXE_auditsh-log");
const SEED: u64 = 20261203;
const WHO: &str = "alice";

struct Opts {
    quick: bool,
    rounds: usize,
    dir: Option<PathBuf>,
    /// Leave out the jq row (minutes a round on the full corpus).
    no_jq: bool,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        quick: false,
        rounds: 3,
        dir: None,
        no_jq: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            // cargo bench passes --bench to every bench binary
            "--bench" => {}
            "--quick" => {
                o.quick = true;
                o.rounds = 1;
            }
            "--rounds" => {
                let v = args.next().ok_or("--rounds needs a number")?;
                o.rounds = v
                    .parse()
                    .map_err(|_| format!("--rounds {v}: not a number"))?;
            }
            "--dir" => o.dir = Some(args.next().ok_or("--dir needs a directory")?.into()),
            "--no-jq" => o.no_jq = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(o)
}

fn main() {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("log: {e}");
            eprintln!(
                "usage: cargo bench --bench log -- [--quick] [--rounds N] [--dir DIR] [--no-jq]"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&opts) {
        eprintln!("log: {e}");
        std::process::exit(1);
    }
}

/// The fleet: 100 hosts over 30 days (about 1.7 GB of records: schema 2 records carry
/// the session's leaders), or a small one.
fn fleet(quick: bool) -> corpus::Fleet {
    if quick {
        corpus::Fleet::new(SEED, 10, 4, 40)
    } else {
        corpus::Fleet::new(SEED, 100, 30, 35)
    }
}

/// What a corpus directory's stamp says: which generator wrote it (a corpus of an older one
/// is written again), and the answer.
const STAMP: &str = "schema 2 answer ";

/// What the generator says the corpus holds: the answer to the question, and its size.
struct Corpus {
    dir: PathBuf,
    files: usize,
    on_disk: u64,
    uncompressed: u64,
    answer: u64,
}

fn generate(dir: &Path, quick: bool) -> io::Result<Corpus> {
    let stamp = dir.join(".generated");
    let f = fleet(quick);
    let known = std::fs::read_to_string(&stamp)
        .ok()
        .and_then(|t| t.trim().strip_prefix(STAMP)?.parse::<u64>().ok());
    let answer = match known {
        Some(n) => n,
        None => {
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir)?;
            eprintln!("log: generating the corpus in {} (once)", dir.display());
            let t = Instant::now();
            let mut answer = 0u64;
            f.write(dir, &mut |s: &corpus::Session| {
                let who = s.user.name == WHO || s.login.as_ref().is_some_and(|l| l.name == WHO);
                if who {
                    answer += s
                        .records
                        .iter()
                        .filter(|r| r.action == "exec" && r.program() == Some("sudo"))
                        .count() as u64;
                }
            })?;
            std::fs::write(&stamp, format!("{STAMP}{answer}\n"))?;
            eprintln!("log: generated in {:.1} s", t.elapsed().as_secs_f64());
            answer
        }
    };
    let files = corpus_files(dir)?;
    let on_disk = files
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let mut uncompressed = 0;
    for p in &files {
        uncompressed += io::copy(&mut open_any(p)?, &mut io::sink())?;
    }
    Ok(Corpus {
        dir: dir.to_path_buf(),
        files: files.len(),
        on_disk,
        uncompressed,
        answer,
    })
}

/// Every file of the corpus (the stamp aside), sorted.
fn corpus_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.file_name().is_none_or(|n| n != ".generated") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A file's bytes, decompressed by its first bytes (as auditsh-log does).
fn open_any(p: &Path) -> io::Result<Box<dyn Read>> {
    let mut f = BufReader::new(std::fs::File::open(p)?);
    let head = f
        .fill_buf()?
        .get(..4)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::bufread::MultiGzDecoder::new(f))
    } else if head == [0x28, 0xb5, 0x2f, 0xfd] {
        Box::new(zstd::stream::read::Decoder::with_buffer(f)?)
    } else {
        Box::new(f)
    })
}

/// One timed run: wall time, peak RSS (KiB) of the command, and what it printed.
struct Run {
    wall: Duration,
    rss_kib: u64,
    stdout: String,
}

fn timed(cmd: &mut Command) -> io::Result<Run> {
    let t = Instant::now();
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.ok_or_else(|| io::Error::other("no stdout"))?;
    let mut err = child.stderr.ok_or_else(|| io::Error::other("no stderr"))?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut stdout = String::new();
    out.read_to_string(&mut stdout)?;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not waited for elsewhere.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = t.elapsed();
    let stderr = reader.join().unwrap_or_default();
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if code != 0 && code != 1 {
        return Err(io::Error::other(format!(
            "{cmd:?} exited {code}: {}",
            stderr.trim()
        )));
    }
    Ok(Run {
        wall,
        rss_kib: usage.ru_maxrss as u64,
        stdout,
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

struct Row {
    name: &'static str,
    what: String,
    runs: Vec<Run>,
}

impl Row {
    fn best(&self) -> &Run {
        self.runs
            .iter()
            .min_by_key(|r| r.wall)
            .unwrap_or_else(|| unreachable!("a row has a run"))
    }
}

fn run(opts: &Opts) -> Result<(), String> {
    let size = if opts.quick { "quick" } else { "full" };
    let dir = opts.dir.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(format!("bench-log-corpus-{size}"))
    });
    let c = generate(&dir, opts.quick).map_err(|e| format!("corpus: {e}"))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("auditsh-log benchmark: {LOG}");
    println!(
        "corpus: {} ({} files, {:.0} MB on disk, {:.0} MB of records uncompressed), {threads} cores, best of {} rounds",
        c.dir.display(),
        c.files,
        c.on_disk as f64 / 1e6,
        c.uncompressed as f64 / 1e6,
        opts.rounds
    );
    println!(
        "question: every sudo {WHO} started; the generator's answer: {}",
        c.answer
    );
    let d = c.dir.to_string_lossy().to_string();
    let jq_filter = format!(
        "[inputs | select((.user.name == \"{WHO}\" or .user.audit.name == \"{WHO}\") and .event.action == \"exec\" and ((.process.executable // \"\") | endswith(\"/sudo\")))] | unique_by([.auditsh.session, .event.sequence]) | length"
    );
    // Every file decompressed by its kind, the syslog prefix cut, into jq.
    let jq_script = format!(
        "find '{d}' -type f ! -name .generated | while read -r f; do case \"$f\" in *.gz) zcat \"$f\";; *.zst) zstdcat -q \"$f\";; *) cat \"$f\";; esac; done | sed -n 's/^[^{{]*\\({{\"@timestamp\".*\\)$/\\1/p' | jq -n '{jq_filter}'"
    );
    let mut rows: Vec<Row> = Vec::new();
    let mut add =
        |name: &'static str, what: String, mk: &dyn Fn() -> Command| -> Result<(), String> {
            let mut runs = Vec::new();
            for _ in 0..opts.rounds {
                runs.push(timed(&mut mk()).map_err(|e| format!("{name}: {e}"))?);
            }
            rows.push(Row { name, what, runs });
            Ok(())
        };
    add(
        "search",
        format!("auditsh-log search --user {WHO} --action exec --exe sudo --count DIR"),
        &|| {
            let mut c = Command::new(LOG);
            c.args([
                "search", "--user", WHO, "--action", "exec", "--exe", "sudo", "--count", &d,
            ]);
            c
        },
    )?;
    if which("rg").is_some() {
        add(
            "rg -z",
            "rg -z -c -F '\"executable\":\"/usr/bin/sudo\"' DIR".to_string(),
            &|| {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!(
                    "rg -z -c -F '\"executable\":\"/usr/bin/sudo\"' '{d}' | awk -F: '{{n += $NF}} END {{print n + 0}}'"
                ));
                c
            },
        )?;
    } else {
        println!("(rg not installed: no rg row; apt-get install ripgrep)");
    }
    let have_jq = which("jq").is_some() && which("zstdcat").is_some();
    if opts.no_jq {
        println!("(--no-jq: no jq row)");
    } else if have_jq {
        add(
            "zcat | jq",
            "zcat FILE... | sed | jq (the same question)".to_string(),
            &|| {
                let mut c = Command::new("sh");
                c.arg("-c").arg(&jq_script);
                c
            },
        )?;
    } else {
        println!("(jq or zstd not installed: no jq row)");
    }
    add("verify", "auditsh-log verify -q DIR".to_string(), &|| {
        let mut c = Command::new(LOG);
        c.args(["verify", "-q", &d]);
        c
    })?;
    add(
        "report",
        "auditsh-log report --format json DIR".to_string(),
        &|| {
            let mut c = Command::new(LOG);
            c.args(["report", "--format", "json", &d]);
            c
        },
    )?;
    add(
        "sessions",
        "auditsh-log sessions --format csv DIR".to_string(),
        &|| {
            let mut c = Command::new(LOG);
            c.args(["sessions", "--format", "csv", &d]);
            c
        },
    )?;

    let search = rows[0].best().wall.as_secs_f64();
    println!();
    println!(
        "{:<11} {:>9} {:>10} {:>9} {:>10}  command",
        "tool", "seconds", "MB/s", "x search", "peak RSS"
    );
    for r in &rows {
        let b = r.best();
        let s = b.wall.as_secs_f64();
        println!(
            "{:<11} {:>9.3} {:>10.0} {:>9.2} {:>7} MB  {}",
            r.name,
            s,
            c.uncompressed as f64 / 1e6 / s,
            s / search,
            b.rss_kib / 1024,
            r.what
        );
    }
    // The answers must agree: search and jq with the generator, rg counts raw lines (a record
    // kept in both copies twice, other users' sudo too, and the end records that name it), so
    // it is shown, not compared.
    let answer = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .map(|r| r.best().stdout.trim().to_string())
    };
    println!();
    let mut disagree = Vec::new();
    for name in ["search", "zcat | jq"] {
        if let Some(a) = answer(name) {
            println!("answer of {name}: {a}");
            if a != c.answer.to_string() {
                disagree.push(format!(
                    "{name} answered {a}, the generator says {}",
                    c.answer
                ));
            }
        }
    }
    if let Some(a) = answer("rg -z") {
        println!("lines rg counted (every user's sudo, started and ended, both copies): {a}");
    }
    if !disagree.is_empty() {
        return Err(disagree.join("; "));
    }
    Ok(())
}
