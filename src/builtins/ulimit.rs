//! `ulimit [-HSa] [-tfdscmlpnvwr] [limit]`, as dash does it (its options, units and `-a`
//! listing); in the bash language, as bash does it (its letters, labels and messages).

use crate::exec::{Context, ErrorKind, ExecResult, ShellError};
use crate::state::Shell;
use crate::sys;
use crate::sys::process::limit;

/// A resource: its `-a` label, the RLIMIT_ constant, the unit in bytes, the option letter.
pub struct Limit {
    pub name: &'static str,
    pub resource: i32,
    pub factor: u64,
    pub option: u8,
}

/// dash's limits, in its `-a` order. (The casts are needed with glibc, whose RLIMIT_
/// constants are unsigned, and not with musl, whose are `int`.)
#[allow(clippy::unnecessary_cast)]
pub static LIMITS: &[Limit] = &[
    Limit {
        name: "time(seconds)",
        resource: sys::process::resource::CPU,
        factor: 1,
        option: b't',
    },
    Limit {
        name: "file(blocks)",
        resource: sys::process::resource::FSIZE,
        factor: 512,
        option: b'f',
    },
    Limit {
        name: "data(kbytes)",
        resource: sys::process::resource::DATA,
        factor: 1024,
        option: b'd',
    },
    Limit {
        name: "stack(kbytes)",
        resource: sys::process::resource::STACK,
        factor: 1024,
        option: b's',
    },
    Limit {
        name: "coredump(blocks)",
        resource: sys::process::resource::CORE,
        factor: 512,
        option: b'c',
    },
    Limit {
        name: "memory(kbytes)",
        resource: sys::process::resource::RSS,
        factor: 1024,
        option: b'm',
    },
    Limit {
        name: "locked memory(kbytes)",
        resource: sys::process::resource::MEMLOCK,
        factor: 1024,
        option: b'l',
    },
    Limit {
        name: "process",
        resource: sys::process::resource::NPROC,
        factor: 1,
        option: b'p',
    },
    Limit {
        name: "nofiles",
        resource: sys::process::resource::NOFILE,
        factor: 1,
        option: b'n',
    },
    Limit {
        name: "vmemory(kbytes)",
        resource: sys::process::resource::AS,
        factor: 1024,
        option: b'v',
    },
    Limit {
        name: "locks",
        resource: sys::process::resource::LOCKS,
        factor: 1,
        option: b'w',
    },
    Limit {
        name: "rtprio",
        resource: sys::process::resource::RTPRIO,
        factor: 1,
        option: b'r',
    },
];

/// What to do, from the arguments.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub soft: bool,
    pub hard: bool,
    pub all: bool,
    /// Index into [`LIMITS`].
    pub which: usize,
    /// A new value in bytes/units (`u64::MAX` for unlimited).
    pub set: Option<u64>,
}

/// Parse the arguments (without the command name); Err is dash's message.
pub fn parse(args: &[Vec<u8>]) -> Result<Request, Vec<u8>> {
    let mut opts = super::getopts::NextOpt::new(args);
    let (mut soft, mut hard, mut all, mut what) = (true, true, false, b'f');
    while let Some((c, _)) = opts.next(b"HSatfdscmlpnvwr")? {
        match c {
            b'H' => (soft, hard) = (false, true),
            b'S' => (soft, hard) = (true, false),
            b'a' => all = true,
            c => what = c,
        }
    }
    let which = LIMITS.iter().position(|l| l.option == what).unwrap_or(1);
    let rest = opts.rest();
    let set = match rest.first() {
        None => None,
        Some(v) => {
            if all || rest.len() > 1 {
                return Err(b"too many arguments".to_vec());
            }
            if v.as_slice() == b"unlimited" {
                Some(sys::process::RLIM_INFINITY)
            } else {
                let mut n: u64 = 0;
                for &c in v {
                    if !c.is_ascii_digit() {
                        return Err(b"bad number".to_vec());
                    }
                    n = n.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                }
                Some(n.wrapping_mul(LIMITS[which].factor))
            }
        }
    };
    Ok(Request {
        soft,
        hard,
        all,
        which,
        set,
    })
}

/// A limit as dash shows it.
pub fn show(value: u64, factor: u64) -> String {
    if value == sys::process::RLIM_INFINITY {
        "unlimited".to_string()
    } else {
        ((value / factor) as i64).to_string()
    }
}

/// A resource as bash shows it: what it is, its unit, its letter, the unit in bytes.
struct BashLimit {
    what: &'static str,
    unit: Option<&'static str>,
    option: u8,
    /// None: the pipe size, which is shown and cannot be set.
    resource: Option<i32>,
    factor: u64,
}

const fn bl(
    what: &'static str,
    unit: Option<&'static str>,
    option: u8,
    resource: Option<i32>,
    factor: u64,
) -> BashLimit {
    BashLimit {
        what,
        unit,
        option,
        resource,
        factor,
    }
}

/// bash's limits on Linux, in its `-a` order. `-c` and `-f` count 1024-byte blocks, as bash
/// does outside posix mode (posix mode, dash's `ulimit`, counts POSIX's 512).
static BASH_LIMITS: &[BashLimit] = {
    use sys::process::resource as r;
    &[
        bl(
            "real-time non-blocking time",
            Some("microseconds"),
            b'R',
            Some(r::RTTIME),
            1,
        ),
        bl("core file size", Some("blocks"), b'c', Some(r::CORE), 1024),
        bl("data seg size", Some("kbytes"), b'd', Some(r::DATA), 1024),
        bl("scheduling priority", None, b'e', Some(r::NICE), 1),
        bl("file size", Some("blocks"), b'f', Some(r::FSIZE), 1024),
        bl("pending signals", None, b'i', Some(r::SIGPENDING), 1),
        bl(
            "max locked memory",
            Some("kbytes"),
            b'l',
            Some(r::MEMLOCK),
            1024,
        ),
        bl("max memory size", Some("kbytes"), b'm', Some(r::RSS), 1024),
        bl("open files", None, b'n', Some(r::NOFILE), 1),
        bl("pipe size", Some("512 bytes"), b'p', None, 512),
        bl(
            "POSIX message queues",
            Some("bytes"),
            b'q',
            Some(r::MSGQUEUE),
            1,
        ),
        bl("real-time priority", None, b'r', Some(r::RTPRIO), 1),
        bl("stack size", Some("kbytes"), b's', Some(r::STACK), 1024),
        bl("cpu time", Some("seconds"), b't', Some(r::CPU), 1),
        bl("max user processes", None, b'u', Some(r::NPROC), 1),
        bl("virtual memory", Some("kbytes"), b'v', Some(r::AS), 1024),
        bl("file locks", None, b'x', Some(r::LOCKS), 1),
    ]
};

const BASH_USAGE: &str = "ulimit: usage: ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]\n";

/// `ulimit` in the bash language: several resources at once, each then labelled as `-a`
/// labels it; `soft` and `hard` as values; bash's messages.
fn bash_ulimit(sh: &Shell, args: &[Vec<u8>]) -> ExecResult {
    let mut opts = super::getopts::NextOpt::new(args);
    let (mut soft, mut hard, mut all) = (false, false, false);
    let mut chosen: Vec<&BashLimit> = Vec::new();
    const LETTERS: &[u8] = b"SHacdefilmnpqrstuvxR";
    loop {
        match opts.next(LETTERS) {
            Ok(Some((b'S', _))) => soft = true,
            Ok(Some((b'H', _))) => hard = true,
            Ok(Some((b'a', _))) => all = true,
            Ok(Some((c, _))) => chosen.extend(BASH_LIMITS.iter().find(|l| l.option == c)),
            Ok(None) => break,
            Err(_) => {
                // The letter refused is named, as bash names it.
                let bad = args
                    .iter()
                    .take_while(|a| a.len() > 1 && a[0] == b'-' && *a != b"--")
                    .flat_map(|a| a[1..].iter().copied())
                    .find(|c| !LETTERS.contains(c))
                    .unwrap_or(b'-');
                let message = [b"-", &[bad][..], b": invalid option"].concat();
                let error = ShellError::builtin("ulimit", ErrorKind::Message(message));
                sh.report(&error);
                crate::sys::fd::write_all(2, BASH_USAGE.as_bytes());
                return Ok(2);
            }
        }
    }
    let fail = |message: String| {
        ShellError::builtin("ulimit", ErrorKind::text(message))
            .fails()
            .with_status(1)
            .raise()
    };
    if all {
        let mut out = String::new();
        for l in BASH_LIMITS {
            out.push_str(&labelled(l, current(l, hard)));
        }
        super::util::out(out.as_bytes());
        return Ok(0);
    }
    if chosen.is_empty() {
        chosen.extend(BASH_LIMITS.iter().find(|l| l.option == b'f'));
    }
    let Some(value) = opts.rest().first() else {
        let mut out = String::new();
        for l in &chosen {
            let shown = current(l, hard);
            if chosen.len() > 1 {
                out.push_str(&labelled(l, shown));
            } else {
                out.push_str(&format!("{shown}\n"));
            }
        }
        super::util::out(out.as_bytes());
        return Ok(0);
    };
    for l in chosen {
        let Some(resource) = l.resource else {
            return fail(format!(
                "{}: cannot modify limit: {}",
                l.what,
                sys::errno::text(libc::EINVAL)
            ));
        };
        let mut r = limit(resource);
        let new = match value.as_slice() {
            b"unlimited" => sys::process::RLIM_INFINITY,
            b"soft" => r.rlim_cur,
            b"hard" => r.rlim_max,
            // An empty value is 0, as bash reads it.
            b"" => 0,
            digits => {
                let text = String::from_utf8_lossy(digits);
                let n: u64 = match text.parse() {
                    Ok(n) if digits.iter().all(u8::is_ascii_digit) => n,
                    _ => return fail(format!("{text}: invalid number")),
                };
                match n
                    .checked_mul(l.factor)
                    // Linux reads a limit as a signed offset: one past i64::MAX would fail
                    // every write (the spool's too), so it is out of range here.
                    .filter(|&v| v < sys::process::RLIM_INFINITY && v <= i64::MAX as u64)
                {
                    Some(v) => v,
                    None => return fail(format!("{text}: limit out of range")),
                }
            }
        };
        // Neither -S nor -H: both.
        if hard || !soft {
            r.rlim_max = new;
        }
        if soft || !hard {
            r.rlim_cur = new;
        }
        if let Err(e) = sys::process::set_limit(resource, &r) {
            return fail(format!(
                "{}: cannot modify limit: {}",
                l.what,
                sys::errno::text(e)
            ));
        }
        if resource as i64 == sys::process::resource::STACK as i64 {
            crate::exec::eval::refresh_stack_limit();
        }
    }
    Ok(0)
}

/// The soft (or `hard`) limit as bash shows it.
fn current(l: &BashLimit, hard: bool) -> String {
    match l.resource {
        Some(resource) => {
            let r = limit(resource);
            show(if hard { r.rlim_max } else { r.rlim_cur }, l.factor)
        }
        // PIPE_BUF in 512-byte blocks.
        None => (libc::PIPE_BUF as u64 / l.factor).to_string(),
    }
}

/// `open files                          (-n) 20000`: bash's `-a` line.
fn labelled(l: &BashLimit, shown: String) -> String {
    let unit = match l.unit {
        Some(unit) => format!("({unit}, -{}) ", char::from(l.option)),
        None => format!("(-{}) ", char::from(l.option)),
    };
    format!("{:<20} {unit:>20}{shown}\n", l.what)
}

pub fn ulimit(sh: &mut Shell, args: &[Vec<u8>], _cx: Context) -> ExecResult {
    if sh.options.bash() {
        return bash_ulimit(sh, args.get(1..).unwrap_or(&[]));
    }
    let req = match parse(args.get(1..).unwrap_or(&[])) {
        Ok(r) => r,
        Err(m) => {
            return ShellError::builtin("ulimit", ErrorKind::Message(m))
                .fails()
                .raise();
        }
    };
    let pick = |r: &sys::process::rlimit| if req.soft { r.rlim_cur } else { r.rlim_max };
    if req.all {
        let mut out = String::new();
        for l in LIMITS {
            let r = limit(l.resource);
            out.push_str(&format!("{:<20} {}\n", l.name, show(pick(&r), l.factor)));
        }
        super::util::out(out.as_bytes());
        return Ok(0);
    }
    let l = &LIMITS[req.which];
    let mut r = limit(l.resource);
    match req.set {
        Some(v) => {
            if req.hard {
                r.rlim_max = v;
            }
            if req.soft {
                r.rlim_cur = v;
            }
            if let Err(e) = crate::sys::process::set_limit(l.resource, &r) {
                let message = format!("error setting limit ({})", crate::sys::errno::text(e));
                return ShellError::builtin("ulimit", ErrorKind::text(message))
                    .fails()
                    .raise();
            }
            if l.resource as i64 == sys::process::resource::STACK as i64 {
                // The evaluator's depth check follows the new stack size.
                crate::exec::eval::refresh_stack_limit();
            }
        }
        None => {
            let out = format!("{}\n", show(pick(&r), l.factor));
            super::util::out(out.as_bytes());
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::dash;

    fn w(a: &[&str]) -> Vec<Vec<u8>> {
        a.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn parsing() {
        let r = parse(&w(&[])).unwrap_or_else(|_| unreachable!());
        assert_eq!(
            (r.soft, r.hard, r.all, LIMITS[r.which].option, r.set),
            (true, true, false, b'f', None)
        );
        let r = parse(&w(&["-Hn"])).unwrap_or_else(|_| unreachable!());
        assert_eq!(
            (r.soft, r.hard, LIMITS[r.which].option),
            (false, true, b'n')
        );
        let r = parse(&w(&["-HSn"])).unwrap_or_else(|_| unreachable!());
        assert_eq!((r.soft, r.hard), (true, false));
        let r = parse(&w(&["-n", "-c"])).unwrap_or_else(|_| unreachable!());
        assert_eq!(LIMITS[r.which].option, b'c');
        let r = parse(&w(&["-c", "10"])).unwrap_or_else(|_| unreachable!());
        assert_eq!(r.set, Some(5120));
        let r = parse(&w(&["-d", "unlimited"])).unwrap_or_else(|_| unreachable!());
        assert_eq!(r.set, Some(sys::process::RLIM_INFINITY));
        let r = parse(&w(&[""])).unwrap_or_else(|_| unreachable!());
        assert_eq!(r.set, Some(0));
        let r = parse(&w(&["99999999999999999999999"])).unwrap_or_else(|_| unreachable!());
        assert!(r.set.is_some());
        assert_eq!(parse(&w(&["-x"])), Err(b"Illegal option -x".to_vec()));
        assert_eq!(parse(&w(&["-u"])), Err(b"Illegal option -u".to_vec()));
        assert_eq!(parse(&w(&["abc"])), Err(b"bad number".to_vec()));
        assert_eq!(parse(&w(&["1x"])), Err(b"bad number".to_vec()));
        assert_eq!(parse(&w(&["-1"])), Err(b"Illegal option -1".to_vec()));
        assert_eq!(parse(&w(&["--", "-n"])), Err(b"bad number".to_vec()));
        assert_eq!(parse(&w(&["1", "2"])), Err(b"too many arguments".to_vec()));
        assert_eq!(parse(&w(&["-a", "1"])), Err(b"too many arguments".to_vec()));
        assert_eq!(show(sys::process::RLIM_INFINITY, 1024), "unlimited");
        assert_eq!(show(8 << 20, 1024), "8192");
    }

    /// Reading limits gives what dash prints (same process limits, inherited).
    #[test]
    fn listing_matches_dash() {
        for opts in [
            "-a", "-Ha", "-Sa", "", "-n", "-Hn", "-s", "-c", "-p", "-r", "-w", "-t", "-v", "-l",
            "-m", "-d",
        ] {
            let Some(d) = dash(format!("ulimit {opts}")).run() else {
                return;
            };
            let Ok(req) = parse(&w(&opts.split_whitespace().collect::<Vec<_>>())) else {
                panic!("parse {opts}");
            };
            let pick = |r: &sys::process::rlimit| if req.soft { r.rlim_cur } else { r.rlim_max };
            let mut out = String::new();
            if req.all {
                for l in LIMITS {
                    out.push_str(&format!(
                        "{:<20} {}\n",
                        l.name,
                        show(pick(&limit(l.resource)), l.factor)
                    ));
                }
            } else {
                let l = &LIMITS[req.which];
                out = format!("{}\n", show(pick(&limit(l.resource)), l.factor));
            }
            assert_eq!(out, String::from_utf8_lossy(&d.stdout), "ulimit {opts}");
        }
    }
}
