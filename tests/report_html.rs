//! `auditsh-log report --format html` in a real browser: the real shell writes a small corpus
//! (a failed command, a command line holding `<script>`), the report is written as a page, and
//! Debian's headless Chromium loads it. Its DOM has the sections, four SVG charts with bars, the
//! script as text and no script element; its screenshot is a real picture; and the browser
//! logs no console message for it (the page has no script, and its Content-Security-Policy
//! makes any fetch a logged violation). Without Chromium the tests are skipped, unless
//! `AUDITSH_E2E=required`: then they fail.

mod common;

use common::{AuditEnv, TempDir, AUDITSH_LOG};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const HEADINGS: &[&str] = &[
    "Totals",
    "Charts",
    "Users",
    "Hosts",
    "Privileged commands",
    "Failed commands",
    "Sessions outside business hours",
    "Audit failures and denied commands",
    "Integrity findings",
];

/// A private directory whose spool is `<dir>/spool`, syslog off.
fn env() -> AuditEnv {
    AuditEnv::builder().tag("report-html").syslog(false).build()
}

/// The shell reading `script` on its standard input, each line a command line.
fn session(env: &AuditEnv, script: &str) {
    let out = env.run(&[], Some(script.as_bytes()));
    assert!(out.status.code().is_some(), "auditsh: {out:?}");
}

/// Chromium on PATH (Debian's package installs `/usr/bin/chromium`), or why the test is skipped.
fn chromium(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file());
    if found.is_none() {
        common::skip(test, "chromium is not installed (apt-get install chromium)");
    }
    found
}

/// What a headless Chromium run left: its standard output and its log (stderr).
struct Run {
    stdout: String,
    log: String,
}

/// Chromium, headless, with a profile of its own under `dir`, killed after 60 s.
fn browse(chromium: &Path, dir: &Path, args: &[&str]) -> Run {
    let profile = dir.join("profile");
    let (out, err) = (dir.join("chromium.out"), dir.join("chromium.err"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
            // Every console message of the page to stderr (see `console_messages`).
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium {args:?} did not finish in 60 s:\n{}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let run = Run {
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        log: std::fs::read_to_string(&err).unwrap_or_default(),
    };
    assert!(status.success(), "chromium {args:?}: {status}\n{}", run.log);
    run
}

/// The console messages Chromium logged for `url`. With `--enable-logging=stderr`, this
/// Chromium (156) writes each message of the page's console, each uncaught exception and each
/// Content-Security-Policy violation as one line
/// `[pid:tid:time:INFO:CONSOLE:LINE] "TEXT", source: URL (LINE)`, at INFO whatever the
/// message's level; so for a page without script every such line is an error. "Uncaught"
/// lines are counted in case a version logs exceptions without the CONSOLE tag.
fn console_messages(log: &str, url: &str) -> Vec<String> {
    log.lines()
        .filter(|l| (l.contains(":CONSOLE") && l.contains(url)) || l.contains("Uncaught"))
        .map(str::to_string)
        .collect()
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The width and height in a PNG's header, when `png` is one.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Some((be(&png[16..20]), be(&png[20..24])))
}

#[test]
fn the_report_page_in_headless_chromium() {
    let test = "the_report_page_in_headless_chromium";
    let Some(chromium) = chromium(test) else {
        return;
    };
    let env = env();
    session(
        &env,
        "echo hello\nls / >/dev/null\nls '<script>alert(1)</script>'\nfalse\n",
    );
    session(&env, "pwd\nls -d /tmp\n");
    let page = env.dir().join("page.html");
    // `ls` made privileged, so that every chart has bars.
    let report = Command::new(AUDITSH_LOG)
        .args([
            "report",
            "--format",
            "html",
            "--privileged-program",
            "ls",
            "-o",
        ])
        .arg(&page)
        .arg(env.spool_dir())
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(report.status.success(), "report: {report:?}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // (a) The DOM after loading (and the console, in the same run).
    let url = file_url(&page);
    let run = browse(&chromium, env.dir(), &["--dump-dom", &url]);
    let dom = &run.stdout;
    for h in HEADINGS {
        assert!(dom.contains(&format!("<h2>{h}")), "heading {h} in:\n{dom}");
    }
    let charts: Vec<&str> = dom.split("<svg").skip(1).collect();
    assert!(charts.len() >= 4, "{} charts", charts.len());
    for (i, c) in charts.iter().take(4).enumerate() {
        let svg = &c[..c.find("</svg>").unwrap()];
        assert!(svg.contains("<rect class=\"bar"), "chart {i} has no bars");
        assert!(svg.contains("<title>"), "chart {i} has no hover titles");
    }
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the command line as text"
    );
    assert!(!dom.to_lowercase().contains("<script"), "a script element");
    assert!(dom.contains("failed commands"));
    let console = console_messages(&run.log, &url);
    assert!(console.is_empty(), "console messages: {console:#?}");

    // (b) A screenshot, kept where a failing run can be looked at.
    let shot = env.dir().join("shot.png");
    browse(
        &chromium,
        env.dir(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400",
            &url,
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(png_size(&png), Some((1280, 2400)), "a PNG of the window");
    // A blank window of this size compresses to a few KB; text and charts do not.
    assert!(png.len() > 40 * 1024, "{} bytes", png.len());
    let _ = std::fs::copy(
        &shot,
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-shot.png"),
    );
}

/// The page's numbers come from the shell's schema 2 records, whose programs each have an
/// `exec` and an `end` record: each program counts once, as started, and once as privileged;
/// failed commands are command lines (`false` is one, its status not a program's).
#[test]
fn the_report_counts_each_program_once() {
    let env = env();
    session(
        &env,
        "ls / >/dev/null
ls -d /tmp >/dev/null
/bin/false
false
",
    );
    let spool = std::fs::read_to_string(&env.spool_files()[0]).unwrap();
    assert_eq!(spool.matches("\"action\":\"end\"").count(), 3, "{spool}");
    let report = Command::new(AUDITSH_LOG)
        .args(["report", "--format", "json", "--privileged-program", "ls"])
        .arg(env.spool_dir())
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(report.status.success(), "report: {report:?}");
    let r: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(r["totals"]["programs"], 3, "{r}");
    assert_eq!(r["totals"]["failed_commands"], 2, "{r}");
    let privileged = r["privileged"].as_array().unwrap();
    assert_eq!(privileged.len(), 2, "{r}");
    assert!(privileged
        .iter()
        .all(|p| p["executable"].as_str().is_some_and(|e| e.ends_with("/ls"))));
}

/// The console check is not vacuous: a page with a script error, a console.error and a
/// blocked fetch is seen to have each of them.
#[test]
fn the_console_check_sees_a_broken_page() {
    let test = "the_console_check_sees_a_broken_page";
    let Some(chromium) = chromium(test) else {
        return;
    };
    let dir = TempDir::new("report-html-broken");
    let page = dir.join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>\
         <img src=\"https://example.invalid/x.png\">\
         <script>console.error('broken'); no_such_function();</script></body></html>",
    )
    .unwrap();
    let url = file_url(&page);
    let run = browse(&chromium, dir.path(), &["--dump-dom", &url]);
    let console = console_messages(&run.log, &url);
    for what in ["broken", "no_such_function", "Content Security Policy"] {
        assert!(
            console.iter().any(|l| l.contains(what)),
            "{what} not seen in {console:#?}\nlog:\n{}",
            run.log
        );
    }
}
